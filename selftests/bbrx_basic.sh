#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bbrx as a congestion control: autoloaded by the sysctl, chosen per socket
# (iperf3 -C), reported by "ss -ti" as bbr:(...), listed in debugfs and
# counted in /proc/net/tcptune/stats; tcptune cannot be removed while a bbrx
# socket exists and can once it is closed; its tunables are range-checked as
# module parameters and by "tcptunectl cc set", and shown by "tcptunectl cc".
# Leaves the module loaded with default parameters.

# read_file, setup_ns and bx_flow_line assign through eval.
# shellcheck disable=SC2154
. "${0%/*}/lib.sh"
. "${0%/*}/bbrx_lib.sh"

require_root
require_cmd "$IPERF3" "$JQ"
[ -x "$TCPTUNECTL" ] || die "$TCPTUNECTL is not installed"

tmp=${TMPDIR:-/tmp}/bbrx_basic.$$
mkdir -p "$tmp"
defer "rm -rf '$tmp'"

CC_SYSCTL=/proc/sys/net/ipv4/tcp_congestion_control

# in_ns NS CMD...: run CMD in netns NS.
in_ns() {
	_ns=$1
	shift
	ip netns exec "$_ns" "$@"
}

# run_ctl ARGS...: tcptunectl's stdout in $out, stderr in $err, status in $rc.
run_ctl() {
	if "$TCPTUNECTL" "$@" >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
	read_file "$tmp/out" out
	read_file "$tmp/err" err
}

# cc_value NAME: the value of bbrx tunable NAME in "tcptunectl -j cc".
cc_value() {
	run_ctl -j cc
	[ "$rc" = 0 ] || { echo "tcptunectl-failed"; return; }
	printf '%s\n' "$out" |
		jq -r --arg n "$1" 'first(.[] | select(.name == $n) | .value) //
				    "missing"'
}

# --- autoload through the sysctl ----------------------------------------
tcptune_unload
setup_ns ns1
if in_ns "$ns1" sh -c "echo bbrx >$CC_SYSCTL" 2>"$tmp/err"; then
	check_eq "netns default cc after sysctl" \
		"$(in_ns "$ns1" cat "$CC_SYSCTL")" bbrx
	tcptune_loaded || fail "sysctl bbrx did not load tcptune"
else
	read_file "$tmp/err" err
	fail "sysctl tcp_congestion_control=bbrx: $err"
fi
read_file /proc/sys/net/ipv4/tcp_available_congestion_control avail
check_match "bbrx in tcp_available_congestion_control" "$avail" "*bbrx*"
# The netns default holds a module reference: drop it.
in_ns "$ns1" sh -c "echo cubic >$CC_SYSCTL"
cleanup_ns "$ns1"
tcptune_load

# --- one bbrx flow ---------------------------------------------------------
bx_topology
bx_shape 20ms 0% 20mbit 100000

# The flow must outlive the checks below, rmmod's included.
ip netns exec "$cli" "$IPERF3" -c "$BX_SRV_ADDR" -p "$BX_PORT" -C bbrx \
	-t $((4 * BX_SLOW)) >"$tmp/iperf" 2>&1 &
client=$!
defer "kill $client 2>/dev/null"

ss_line=
# flow_visible: the client's established socket shows up in ss with bbrx.
flow_visible() {
	in_ns "$cli" "$SS" -tinH state established dport = ":$BX_PORT" \
		>"$tmp/ss" 2>&1 || return 1
	read_file "$tmp/ss" ss_line
	case $ss_line in *bbrx*bbr:\(*) return 0 ;; esac
	return 1
}
if slowwait 10 flow_visible; then
	pass "ss shows the bbrx flow"
	check_match "ss -ti bbr info" "$ss_line" "*bbr:(bw:*mrtt:*pacing_gain:*cwnd_gain:*"
	# Give the flow time to leave STARTUP, then look again.
	sleep 1.5
	flow_visible
	check_match "ss -ti bbr info later" "$ss_line" "*bbr:(bw:*"
else
	fail "no established bbrx socket in ss: $ss_line"
fi

# debugfs: the flow is listed with its netns, its 4-tuple and its model.
read_file "$TCPTUNE_DEBUGFS/bbrx_flows" flows
check_match "bbrx_flows header" "$flows" \
	"netns local remote state bw_bps min_rtt_us inflight_hi inflight_lo pacing_bps cwnd bg_loss_ppm*"
bx_flow_line fl
if [ -n "$fl" ]; then
	nsid=$(in_ns "$cli" readlink /proc/self/ns/net)
	nsid=${nsid#net:[}
	nsid=${nsid%]}
	# shellcheck disable=SC2086
	set -- $fl
	check_eq "bbrx_flows: netns" "$1" "$nsid"
	check_match "bbrx_flows: local address" "$2" "$BX_CLI_ADDR:*"
	# Out of STARTUP and DRAIN by now; PROBE_RTT comes every 5 s, and
	# on the debug kernel the checks above can take that long.
	case $4 in
	probe_bw:*|probe_rtt) ;;
	*) fail "bbrx_flows: state '$4', want probe_bw:* or probe_rtt" ;;
	esac
	check_int "bbrx_flows: bw" "$5"
	check_int "bbrx_flows: min_rtt" "$6"
	[ "${6:-0}" -ge 20000 ] 2>/dev/null ||
		fail "bbrx_flows: min_rtt $6 us, below the 20 ms netem delay"
	check_int "bbrx_flows: pacing" "$9"
	check_int "bbrx_flows: cwnd" "${10}"
	check_int "bbrx_flows: bg_loss_ppm" "${11}"
	[ "${11:-0}" -le 1000000 ] 2>/dev/null ||
		fail "bbrx_flows: bg_loss_ppm ${11} above 1000000"
	[ $# = 11 ] || fail "bbrx_flows: $# fields in '$fl'"
else
	fail "bbrx_flows does not list the flow:"
	printf '%s\n' "$flows" | sed 's/^/    /'
fi

# The module is in use while a bbrx socket exists.
flow_visible || fail "the bbrx flow ended before the rmmod check (slow kernel? BX_SLOW)"
check_fail "rmmod tcptune with a bbrx socket open" rmmod tcptune
tcptune_loaded || die "tcptune was removed under a bbrx socket"

wait "$client" && crc=0 || crc=$?
check_eq "iperf3 -C bbrx status" "$crc" 0 || sed 's/^/    /' "$tmp/iperf"

# Selection by route: "congctl bbrx" on the route, no socket option.
ip -n "$cli" route replace default via 198.18.1.2 congctl bbrx ||
	fail "ip route ... congctl bbrx refused"
ip netns exec "$cli" "$IPERF3" -c "$BX_SRV_ADDR" -p "$BX_PORT" -t 2 \
	>"$tmp/iperf" 2>&1 &
client=$!
slowwait 10 flow_visible || fail "route congctl bbrx: no bbrx socket in ss"
wait "$client" || fail "iperf3 over the congctl bbrx route failed"
ip -n "$cli" route replace default via 198.18.1.2

# STARTUP ends for flows that send no faster than they measure by design:
# one capped by SO_MAX_PACING_RATE (iperf3 --fq-rate, a quarter of the
# link) and one under startup_gain 1000. Its plateau test skips round trips
# in which the sender fell behind its pacing rate; these must still count.
# shellcheck disable=SC2317 # called by slowwait
left_startup() {
	bx_flow_line fl
	# shellcheck disable=SC2086
	set -- $fl
	bx_state=${4:-}
	case $bx_state in probe_bw:*|probe_rtt) return 0 ;; esac
	return 1
}
startup_ends() {
	_what=$1
	shift
	ip netns exec "$cli" "$IPERF3" -c "$BX_SRV_ADDR" -p "$BX_PORT" \
		-C bbrx -t $((4 * BX_SLOW)) "$@" >"$tmp/iperf" 2>&1 &
	client=$!
	if slowwait $((3 * BX_SLOW)) left_startup; then
		pass "$_what: STARTUP ends"
	else
		fail "$_what: bbrx_flows state '$bx_state', want probe_bw:* or probe_rtt"
	fi
	wait "$client" || fail "$_what: iperf3 failed"
}
startup_ends "SO_MAX_PACING_RATE 5 Mbit/s" --fq-rate 5M
run_ctl cc set startup_gain 1000
check_eq "tcptunectl cc set startup_gain 1000 status" "$rc" 0 ||
	printf '%s\n' "$err"
startup_ends "startup_gain 1000"
run_ctl cc set startup_gain 2770
check_eq "tcptunectl cc set startup_gain 2770 status" "$rc" 0 ||
	printf '%s\n' "$err"

# Any user may pick bbrx (TCP_CONG_NON_RESTRICTED).
read_file /proc/sys/net/ipv4/tcp_allowed_congestion_control allowed
check_match "bbrx in tcp_allowed_congestion_control" "$allowed" "*bbrx*"
if [ -x "$SETPRIV" ]; then
	if ! ip netns exec "$cli" "$SETPRIV" --reuid=65534 --regid=65534 \
		--clear-groups "$IPERF3" -c "$BX_SRV_ADDR" -p "$BX_PORT" \
		-C bbrx -t 1 >"$tmp/iperf" 2>&1; then
		fail "an unprivileged iperf3 -C bbrx failed:"
		sed 's/^/    /' "$tmp/iperf"
	fi
else
	log "no setpriv: unprivileged selection not tried"
fi

# Counters of the client's netns.
in_ns "$cli" cat "$TCPTUNE_PROC" >"$tmp/stats"
flows_init=
while read -r name val; do
	[ "$name" = BbrxFlowsInit ] && flows_init=$val
done <"$tmp/stats"
if check_int "BbrxFlowsInit" "$flows_init" && [ "$flows_init" -lt 3 ]; then
	fail "BbrxFlowsInit is $flows_init after three bbrx flows"
fi

# Once the socket is gone the module can go. The server's sockets are
# not bbrx; stop it anyway so nothing lingers.
kill "$bx_server_pid" 2>/dev/null
# shellcheck disable=SC2317 # called by slowwait
rmmod_ok() { rmmod tcptune >/dev/null 2>&1; }
slowwait 10 rmmod_ok || fail "rmmod tcptune still refused after the flow ended"
tcptune_loaded && fail "tcptune still loaded"

# --- tunables as module parameters ---------------------------------------
PARAMS=$TCPTUNE_SYSFS/parameters
if modprobe tcptune bbrx_beta=5000 >"$tmp/err" 2>&1; then
	fail "modprobe tcptune bbrx_beta=5000 (max 1000) succeeded"
	tcptune_unload
fi
if modprobe tcptune bbrx_beta=800 bbrx_probe_rtt_interval=3000 2>"$tmp/err"; then
	read -r v <"$PARAMS/bbrx_beta"
	check_eq "bbrx_beta parameter" "$v" 800
	check_eq "beta shown by tcptunectl" "$(cc_value beta)" 800
	check_eq "probe_rtt_interval shown by tcptunectl" \
		"$(cc_value probe_rtt_interval)" 3000
else
	read_file "$tmp/err" err
	fail "modprobe tcptune bbrx_beta=800: $err"
fi
tcptune_unload
tcptune_load

# --- tcptunectl cc --------------------------------------------------------
run_ctl -j cc
if check_eq "tcptunectl -j cc status" "$rc" 0; then
	rows=$(printf '%s\n' "$out" | jq -r '.[] |
		"\(.name) \(.value) \(.min) \(.max) \(.unit) \(.scope)"' 2>&1) ||
		fail "tcptunectl -j cc: not an array of parameters: $rows"
	want="loss_thresh:20:1:500:permille ecn_thresh:500:1:1000:permille
	      beta:700:100:1000:permille headroom:150:0:500:permille
	      probe_rtt_interval:5000:500:60000:ms
	      probe_rtt_duration:200:10:2000:ms
	      startup_gain:2770:1000:4000:permille
	      startup_cwnd_gain:2000:1000:4000:permille
	      cwnd_gain:2000:1000:4000:permille ecn:0:0:1:bool
	      loss_queue:125:0:1000:permille"
	got=
	while read -r n v lo hi u _scope; do
		got="$got $n:$v:$lo:$hi:$u"
	done <<EOF
$rows
EOF
	for w in $want; do
		case " $got " in
		*" $w "*) ;;
		*) fail "tcptunectl -j cc: no '$w' (name:value:min:max:unit) in:$got" ;;
		esac
	done
fi

run_ctl cc
check_eq "tcptunectl cc status" "$rc" 0 &&
	check_match "tcptunectl cc lists loss_thresh" "$out" "*loss_thresh*20*"

# Out of range, unknown: refused with a message, value unchanged.
for bad in "loss_thresh 0" "loss_thresh 501" "beta 1001" "ecn 2" \
	   "probe_rtt_interval 100" "startup_cwnd_gain 999" "nosuchparam 1" \
	   "beta x"; do
	# shellcheck disable=SC2086
	run_ctl cc set $bad
	check_ne "tcptunectl cc set $bad status" "$rc" 0
	check_ne "tcptunectl cc set $bad message" "$err" ""
done
check_eq "loss_thresh after refused sets" "$(cc_value loss_thresh)" 20
check_eq "beta after refused sets" "$(cc_value beta)" 700

run_ctl cc set loss_thresh 30
check_eq "tcptunectl cc set loss_thresh 30 status" "$rc" 0 ||
	printf '%s\n' "$err"
check_eq "loss_thresh after set" "$(cc_value loss_thresh)" 30
read -r v <"$PARAMS/bbrx_loss_thresh"
check_eq "bbrx_loss_thresh parameter after set" "$v" 30
run_ctl cc set ecn 1 headroom 0
check_eq "tcptunectl cc set ecn 1 headroom 0 status" "$rc" 0 ||
	printf '%s\n' "$err"
check_eq "ecn after set" "$(cc_value ecn)" 1
check_eq "headroom after set" "$(cc_value headroom)" 0
run_ctl cc set startup_cwnd_gain 1500
check_eq "tcptunectl cc set startup_cwnd_gain 1500 status" "$rc" 0 ||
	printf '%s\n' "$err"
read -r v <"$PARAMS/bbrx_startup_cwnd_gain"
check_eq "bbrx_startup_cwnd_gain parameter after set" "$v" 1500

# Back to defaults.
tcptune_unload
tcptune_load
ksft_exit
