#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bbrx's ECN response (tunables ecn, ecn_thresh) on the bbrx_lib.sh path,
# with a CE-marking bottleneck: the router's tbf (4 Mbit/s) has an fq_codel
# child that marks ECT packets CE once they waited more than $CE_THRESH
# (ce_threshold, about one packet; its CoDel law marks too, "ecn"). The
# buffer is deep: ECN flows see marks, not losses. Sender and receiver use
# classic (RFC 3168) ECN, net.ipv4.tcp_ecn=1 on the client, 2 on the server.
#
#  1. ecn=0 (the default), ECN flow: the path marks (TCPDeliveredCE of the
#     sender's netns goes up) but BbrxEcnBoundEvents does not move;
#  2. ecn=1, ECN flow: CE marks are delivered and BbrxEcnBoundEvents goes
#     up (STARTUP ended by CE marks, or a bandwidth probe bounded by them);
#     the flow is not starved, and its mean RTT is not higher than in 1.
#     (a wide margin: typically 50-80 ms against 110-170 ms, but a stalled
#     guest inflates single runs);
#  3. ecn=1, flow without ECN (tcp_ecn=0 on the sender): no CE marks (the
#     bottleneck drops instead) and BbrxEcnBoundEvents does not move;
#  4. a running flow takes a new value: an ECN flow starts with ecn=0 and
#     BbrxEcnBoundEvents stays put while it runs and probes; "tcptunectl cc
#     set ecn 1" then makes the same flow (no new bbrx flow: BbrxFlowsInit)
#     respond to the marks it goes on getting.
#
# Counters are read in the client's netns before and after each transfer.
# Transfers last BX_SECONDS (default 4) plus one omitted second, the one of
# part 4 twice as long; the test takes about 40 s. The tunables are
# restored at exit.

# setup_ns and netns_*_snap assign through eval.
# shellcheck disable=SC2154
. "${0%/*}/lib.sh"
. "${0%/*}/bbrx_lib.sh"

require_root
require_cmd "$IPERF3" "$JQ"
[ -x "$TCPTUNECTL" ] || die "$TCPTUNECTL is not installed"
tcptune_load

T=${BX_SECONDS:-4}
# A slow link, so that even a TCG guest on a busy host (which may not pace
# much above 6-10 Mbit/s) keeps a queue at the bottleneck whenever it sends
# faster than the link: in STARTUP and in every bandwidth probe.
# The flow must fill the link for a queue (and marks) to build: a slower
# kernel (BX_SLOW) gets a slower link.
RATE=$((4000 / BX_SLOW))kbit
DELAY=40ms		# on the ACK path: RTT ~40 ms
# 4 Mbit/s x 40 ms = 20 KB = ~14 packets; a 1514 byte packet takes 3 ms:
# a packet that queues behind more than one other is marked.
CE_THRESH=3ms
BUFFER=1000000		# tbf limit (unused with a child qdisc), bytes
FQC_LIMIT=1000		# fq_codel packets: deep, no drops

PARAMS=$TCPTUNE_SYSFS/parameters
read -r ecn0 <"$PARAMS/bbrx_ecn" || die "no $PARAMS/bbrx_ecn"
read -r thresh0 <"$PARAMS/bbrx_ecn_thresh" || die "no $PARAMS/bbrx_ecn_thresh"
defer "tcptunectl cc set ecn $ecn0 ecn_thresh $thresh0"

# set_cc NAME VALUE: a bbrx tunable, or stop the test.
set_cc() {
	_out=$(tcptunectl cc set "$1" "$2" 2>&1) ||
		die "tcptunectl cc set $1 $2: $_out"
}

# set_ecn NS VALUE: net.ipv4.tcp_ecn of NS.
set_ecn() {
	ip netns exec "$1" sh -c "echo $2 >/proc/sys/net/ipv4/tcp_ecn" ||
		die "cannot set tcp_ecn=$2 in $1"
}

bx_topology
bx_shape "$DELAY" 0% "$RATE" "$BUFFER"
tc -n "$rtr" qdisc add dev bx2 parent 10:1 handle 20: fq_codel \
	limit "$FQC_LIMIT" ecn ce_threshold "$CE_THRESH" ||
	die "tc fq_codel ce_threshold $CE_THRESH failed"
# The receiver echoes CE only on flows that negotiated ECN: accept it when
# asked (2, the default) and let each case choose the sender's side.
set_ecn "$srv" 2
set_cc ecn_thresh 500

# run_case NAME: one bbrx transfer; sets ce (TCPDeliveredCE delta),
# ecnb (BbrxEcnBoundEvents delta), lossb (BbrxLossBoundEvents delta) and
# flows (BbrxFlowsInit delta) of the client's netns, plus bx_* of bx_run.
run_case() {
	bx_counted bx_run bbrx "$T" || ksft_exit
	bx_delta m TCPDeliveredCE; ce=$delta
	bx_delta s BbrxEcnBoundEvents; ecnb=$delta
	bx_delta s BbrxLossBoundEvents; lossb=$delta
	bx_delta s BbrxFlowsInit; flows=$delta
	log "  $1: TCPDeliveredCE +$ce, BbrxEcnBoundEvents +$ecnb," \
	    "BbrxLossBoundEvents +$lossb, BbrxFlowsInit +$flows"
}

# Sanity: the kernel has the counter the test relies on.
netns_mib_snap "$cli" m0
[ -n "${m0_TCPDeliveredCE:-}" ] ||
	die "no TcpExt TCPDeliveredCE in /proc/net/netstat"

# --- 1. ecn=0: marks are delivered, bbrx ignores them --------------------
log "ECN flow, ecn=0, $RATE, RTT $DELAY, CE above $CE_THRESH of queue"
set_ecn "$cli" 1
set_cc ecn 0
run_case "ecn=0"
off_mbps=$bx_mbps off_rtt=$bx_rtt_ms
if [ "$ce" -gt 0 ]; then
	pass "ecn=0: the path marked ($ce packets delivered CE)"
else
	fail "ecn=0: TCPDeliveredCE did not move: the bottleneck did not mark"
fi
check_eq "ecn=0: BbrxEcnBoundEvents delta" "$ecnb" 0

# --- 2. ecn=1: CE marks bound inflight ------------------------------------
log "ECN flow, ecn=1"
set_cc ecn 1
run_case "ecn=1"
on_mbps=$bx_mbps on_rtt=$bx_rtt_ms
if [ "$ce" -gt 0 ]; then
	pass "ecn=1: the path marked ($ce packets delivered CE)"
else
	fail "ecn=1: TCPDeliveredCE did not move: the bottleneck did not mark"
fi
if [ "$ecnb" -gt 0 ]; then
	pass "ecn=1: CE marks set inflight_hi $ecnb times"
else
	fail "ecn=1: BbrxEcnBoundEvents did not move ($ce CE marks delivered)"
fi
# Responding to marks must not starve the flow (the short-term cuts stop
# at what the last round delivered): at least a quarter of the link, and
# of the goodput without the response measured just before on the same
# (possibly busy) host. Goodputs are whole Mbit/s, rounded down.
if [ $((on_mbps * 4)) -ge "$off_mbps" ] && [ "$on_mbps" -ge 1 ]; then
	pass "ecn=1 goodput $on_mbps Mbit/s (ecn=0: $off_mbps)"
else
	bx_perf_fail "ecn=1 goodput $on_mbps Mbit/s, ecn=0 $off_mbps: want >= 1/4 and >= 1"
fi
# Nor keep a longer queue than without it. Without the response bbrx
# keeps 2-3 BDP of queue here, with it usually less than one; the margin
# is wide because a stalled guest inflates single runs.
if [ "$on_rtt" -le $((off_rtt * 3 / 2 + 10)) ]; then
	pass "ecn=1 mean RTT $on_rtt ms (ecn=0: $off_rtt ms)"
else
	bx_perf_fail "ecn=1 mean RTT $on_rtt ms, ecn=0 $off_rtt ms: want <= 1.5x + 10 ms"
fi

# --- 3. ecn=1, flow without ECN: nothing to respond to -------------------
log "flow without ECN (tcp_ecn=0 on the sender), ecn=1"
set_ecn "$cli" 0
run_case "no ECN"
check_eq "no ECN: TCPDeliveredCE delta" "$ce" 0
check_eq "no ECN: BbrxEcnBoundEvents delta" "$ecnb" 0

# --- 4. a tunable changed under a running flow ----------------------------
# At 4 Mbit/s bbrx probes about once a second (Reno-coexistence pacing):
# each half of the transfer sees a few probes into the marking queue.
log "ECN flow started with ecn=0, ecn=1 set $T s into a $((2 * T)) s transfer"
set_ecn "$cli" 1
set_cc ecn 0
netns_mib_snap "$cli" m0
netns_stats_snap "$cli" s0
# bx_run in the background (it retries while the server finishes the
# previous test); its own checks fail the test through its exit status.
bx_run bbrx $((2 * T)) &
client=$!
sleep "$T"
bx_flow_line line
netns_stats_snap "$cli" s1
bx_delta s BbrxFlowsInit; flows=$delta
bx_delta s BbrxEcnBoundEvents; ecnb=$delta
log "  first $T s, ecn=0: flow '$line', BbrxFlowsInit +$flows," \
    "BbrxEcnBoundEvents +$ecnb"
check_eq "running flow, ecn=0: BbrxFlowsInit delta" "$flows" 1
check_eq "running flow, ecn=0: BbrxEcnBoundEvents delta" "$ecnb" 0
case $line in
*probe_bw:*|*probe_rtt*) pass "running flow: past STARTUP when ecn=1 was set" ;;
*) fail "running flow: not in PROBE_BW or PROBE_RTT after $T s: '$line'" ;;
esac
# The change applies from now on: count the rest of the flow's life.
netns_stats_snap "$cli" s0
set_cc ecn 1
wait "$client" || fail "running flow: the transfer failed"
netns_mib_snap "$cli" m1
netns_stats_snap "$cli" s1
bx_delta s BbrxFlowsInit; flows=$delta
bx_delta s BbrxEcnBoundEvents; ecnb=$delta
bx_delta m TCPDeliveredCE; ce=$delta
log "  then, ecn=1: BbrxFlowsInit +$flows, BbrxEcnBoundEvents +$ecnb" \
    "(TCPDeliveredCE +$ce over the whole transfer)"
check_eq "running flow, ecn=1: BbrxFlowsInit delta (no new flow)" "$flows" 0
if [ "$ecnb" -gt 0 ] && [ "$ce" -gt 0 ]; then
	pass "running flow: ecn=1 took effect, CE set inflight_hi $ecnb times"
else
	fail "running flow: ecn=1 set, BbrxEcnBoundEvents +$ecnb, TCPDeliveredCE +$ce"
fi

ksft_exit
