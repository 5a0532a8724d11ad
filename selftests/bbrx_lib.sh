# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the bbrx selftests, sourced after lib.sh:
#
#   . "${0%/*}/lib.sh"
#   . "${0%/*}/bbrx_lib.sh"
#
# A three-namespace path: $cli (the sender), $rtr (the bottleneck router) and
# $srv (the iperf3 server), joined by veth pairs. bx_shape puts the
# bottleneck on the router: toward the server a tbf (rate, buffer depth),
# fed by a netem that drops packets at random when asked to; toward the
# client a netem that delays the ACKs (propagation delay). The queue thus
# builds in the tbf alone, and the packets in it no longer belong to the
# sender's socket (they crossed a namespace), so TCP small queues does not
# hold them back as it would on the sender's own qdisc. Segmentation offload
# stays on: at 20 Mbit/s the sender's TSO autosizing keeps its skbs to 1-3
# packets (so netem drops such small aggregates), and pacing one packet per
# timer event would not reach that rate in a TCG guest.
#
# Addresses are from 198.18.0.0/15, the range set aside for benchmarks; the
# namespaces have no route anywhere else.
#
# $cli, $rtr, $srv are set by setup_ns (eval):
# shellcheck disable=SC2154

BX_CLI_ADDR=198.18.1.1
BX_SRV_ADDR=198.18.2.1
BX_PORT=5201

# BX_SLOW (default 1): how many times slower than a normal kernel under TCG
# this kernel is (make check-debug: 5). Above 1, the flows that must outlive
# a test's checks last BX_SLOW times longer, and the throughput and delay
# comparisons, which measure the guest's CPU on such a kernel, are logged
# but not asserted (bx_perf_fail).
env_positive BX_SLOW 1

# bx_perf_fail MSG: fail a throughput or delay comparison (log it when
# BX_SLOW is above 1).
bx_perf_fail() {
	if [ "$BX_SLOW" -gt 1 ]; then
		log "not asserted (BX_SLOW=$BX_SLOW): $*"
	else
		fail "$@"
	fi
}

# bx_topology: make $cli, $rtr and $srv, the links, and start the server.
bx_topology() {
	setup_ns cli rtr srv
	ip -n "$cli" link add bx0 type veth \
		peer name bx1 netns "$rtr" ||
		die "cannot create the client veth pair"
	ip -n "$rtr" link add bx2 type veth peer name bx3 netns "$srv" ||
		die "cannot create the server veth pair"
	ip -n "$cli" addr add "$BX_CLI_ADDR/24" dev bx0
	ip -n "$rtr" addr add 198.18.1.2/24 dev bx1
	ip -n "$rtr" addr add 198.18.2.2/24 dev bx2
	ip -n "$srv" addr add "$BX_SRV_ADDR/24" dev bx3
	ip -n "$cli" link set bx0 up
	ip -n "$rtr" link set bx1 up
	ip -n "$rtr" link set bx2 up
	ip -n "$srv" link set bx3 up
	ip -n "$cli" route add default via 198.18.1.2
	ip -n "$srv" route add default via 198.18.2.2
	ip netns exec "$rtr" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' ||
		die "cannot enable forwarding in $rtr"
	bx_server_start
}

# The iperf3 server runs for the whole test; killed at exit.
bx_server_start() {
	ip netns exec "$srv" "$IPERF3" -s -p "$BX_PORT" >/dev/null 2>&1 &
	bx_server_pid=$!
	defer "kill $bx_server_pid 2>/dev/null"
}

# bx_shape DELAY LOSS RATE LIMIT: e.g. bx_shape 40ms 0% 20mbit 100000.
# DELAY is the round trip propagation delay, LOSS a random loss rate on the
# data path, LIMIT the bottleneck buffer in bytes.
bx_shape() {
	tc -n "$rtr" qdisc del dev bx1 root >/dev/null 2>&1
	tc -n "$rtr" qdisc add dev bx1 root netem delay "$1" limit 10000 ||
		die "tc netem delay $1 failed"
	bx_shape_data "$2" "$3" "$4"
}

# bx_shape_data LOSS RATE LIMIT: the data path of bx_shape alone. The ACK
# path's delay stays in place: while it is being replaced, ACKs pass with
# no delay, and a BBR-style flow would take that RTT as its min_rtt.
bx_shape_data() {
	tc -n "$rtr" qdisc del dev bx2 root >/dev/null 2>&1
	_bx_parent=root
	if [ "$1" != 0% ]; then
		tc -n "$rtr" qdisc add dev bx2 root handle 1: \
			netem loss "$1" limit 10000 ||
			die "tc netem loss $1 failed"
		_bx_parent="parent 1:1"
	fi
	# shellcheck disable=SC2086
	tc -n "$rtr" qdisc add dev bx2 $_bx_parent handle 10: \
		tbf rate "$2" burst 15000 limit "$3" ||
		die "tc tbf rate $2 limit $3 failed"
}

# bx_run CC SECONDS: a bulk transfer from $cli with congestion control CC.
# Sets bx_mbps (goodput, Mbit/s), bx_retrans (segments) and bx_rtt_ms (mean
# smoothed RTT the sender saw), all integers. Fails the test (returns 1) if
# iperf3 or the JSON went wrong. The first second (STARTUP) is omitted from
# the goodput.
bx_run() {
	bx_mbps='' bx_retrans='' bx_rtt_ms=''
	_bx_cc=$1
	_bx_json=${TMPDIR:-/tmp}/bbrx.$$.json
	_bx_try=0
	# The server may still be starting (first run) or finishing the
	# previous test: retry a few times.
	while :; do
		if ip netns exec "$cli" "$IPERF3" -c "$BX_SRV_ADDR" -p "$BX_PORT" \
			-C "$1" -t "$2" -O 1 -J >"$_bx_json" 2>&1; then
			break
		fi
		_bx_try=$((_bx_try + 1))
		if [ "$_bx_try" -ge 5 ]; then
			fail "iperf3 -C $1 failed:"
			sed 's/^/    /' "$_bx_json" | head -n 20
			return 1
		fi
		sleep 0.5
	done
	if ! _bx_out=$(jq -r '[.end.sum_received.bits_per_second / 1000000,
			    .end.sum_sent.retransmits,
			    .end.streams[0].sender.mean_rtt / 1000] |
			  map(floor) | @sh' "$_bx_json" 2>&1); then
		fail "iperf3 -C $1: unexpected JSON: $_bx_out"
		return 1
	fi
	# shellcheck disable=SC2086
	set -- $_bx_out
	bx_mbps=$1 bx_retrans=$2 bx_rtt_ms=$3
	log "  $_bx_cc: ${bx_mbps} Mbit/s, ${bx_retrans} retransmits, mean RTT ${bx_rtt_ms} ms"
	return 0
}

# bx_counted CMD...: CMD, a bbrx transfer (e.g. bx_run bbrx 6), between two
# snapshots of the sender netns's MIBs (m0_*, m1_*) and tcptune stats
# (s0_*, s1_*), read with bx_delta; fails the test if no bbrx flow started
# (BbrxFlowsInit). Returns 1 if CMD did.
bx_counted() {
	netns_mib_snap "$cli" m0
	netns_stats_snap "$cli" s0
	"$@" || return 1
	netns_mib_snap "$cli" m1
	netns_stats_snap "$cli" s1
	bx_delta s BbrxFlowsInit
	[ "$delta" -ge 1 ] || fail "BbrxFlowsInit did not move: no bbrx flow"
	return 0
}

# bx_delta m|s NAME: how much the MIB (m) or tcptune (s) counter NAME moved
# over the last bx_counted, in $delta.
bx_delta() {
	eval "delta=\$((\${${1}1_$2:-0} - \${${1}0_$2:-0}))"
}

# bx_flow_line VAR: the line of $TCPTUNE_DEBUGFS/bbrx_flows for the client
# socket of the running transfer (remote port $BX_PORT), "" if none.
bx_flow_line() {
	_bx_l=
	if [ -r "$TCPTUNE_DEBUGFS/bbrx_flows" ]; then
		while IFS= read -r _bx_line; do
			case $_bx_line in
			*" $BX_SRV_ADDR:$BX_PORT "*) _bx_l=$_bx_line; break ;;
			esac
		done <"$TCPTUNE_DEBUGFS/bbrx_flows"
	fi
	eval "$1=\$_bx_l"
}
