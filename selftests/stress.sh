#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stress: bounded in count and in time, scaled by STRESS_SCALE (1, the
# default, is the short form "make check" runs, about a minute per kernel
# under TCG; 10 is the long form of "make stress").
#   a) load/unload cycles (20 x scale) while stress_gen keeps overflowing a
#      backlog-1 listener (re-created every few rounds) and making TIME_WAIT
#      sockets, and a reader reads the procfs files as they come and go;
#   b) netns create/destroy cycles (50 x scale), each with a listener, an
#      overflow, TIME_WAIT sockets, a read of the procfs files and GET_STATS;
#   c) concurrent readers (procfs and netlink GET_STATS) while the counters
#      change; ListenOverflows must never go backwards.
# Then the module must unload and reload, and in a fresh netns the
# ListenOverflows of one backlog-1 listener must equal the TcpExt delta.
# Kernel warnings and taint are checked by the VM's init after the run.
# stress_gen sets cubic on its sockets; in a), every 5th cycle (the first
# one included) also runs a bbrx flow (iperf3 -C bbrx) while the module is
# asked to unload, which must be refused until the flow is stopped;
# otherwise "modprobe -r" must never fail. STRESS_CONTROL=kprobe_events runs the control experiment instead of
# a): see below.

. "${0%/*}/lib.sh"

GEN=${0%/*}/stress_gen
env_positive STRESS_SCALE 1
SCALE=$STRESS_SCALE

CYCLES=$((20 * SCALE))		# a) load/unload cycles
CYCLES_SECS=$((60 * SCALE))	# a) time bound (a cycle takes ~2 s in TCG)
NETNS=$((50 * SCALE))		# b) namespaces
READ_SECS=$((6 * SCALE))	# c) readers' run time

require_root
[ -x "$GEN" ] || skip "stress_gen not built"
require_cmd "$IPERF3"
tcptune_load

sysctl_get net.ipv4.tcp_congestion_control cc
if [ "$cc" = bbrx ]; then
	echo cubic >/proc/sys/net/ipv4/tcp_congestion_control ||
		die "cannot leave bbrx as default congestion control"
	defer "echo bbrx >/proc/sys/net/ipv4/tcp_congestion_control"
fi

_now
t0=$now_ms
elapsed() {
	_now
	el=$(((now_ms - t0) / 1000))
}

log "scale $SCALE: $CYCLES load/unload cycles (at most ${CYCLES_SECS}s), $NETNS namespaces, readers for ${READ_SECS}s"

# --- a) load/unload under load ----------------------------------------------

"$GEN" gen -P 6100 -t $((CYCLES_SECS + 30)) &
gen_pid=$!
"$GEN" read -k -t $((CYCLES_SECS + 30)) &
rd_pid=$!
defer "kill $gen_pid $rd_pid"

# STRESS_CONTROL=kprobe_events: the control experiment for the 6.1 oops
# (Documentation/security.rst): tcptune stays unloaded and the same kernel
# functions are probed and unprobed through tracefs instead, by the kernel
# alone. Only part a) runs.
if [ "${STRESS_CONTROL:-}" = kprobe_events ]; then
	T=/sys/kernel/tracing
	[ -d "$T/events" ] || mount -t tracefs tracefs "$T" || die "no tracefs"
	modprobe -r tcptune || die "cannot unload tcptune for the control"
	_now
	end=$((now_ms + CYCLES_SECS * 1000))
	i=0
	while [ "$i" -lt "$CYCLES" ]; do
		for f in tcp_v4_conn_request tcp_v6_conn_request tcp_v4_syn_recv_sock \
			 tcp_v6_syn_recv_sock tcp_req_err tcp_rtx_synack inet_csk_listen_start; do
			echo "r:c_$f $f" >>"$T/kprobe_events" || die "cannot probe $f"
		done
		for f in inet_csk_listen_stop __inet_twsk_schedule inet_twsk_free inet_twsk_alloc; do
			echo "p:c_$f $f" >>"$T/kprobe_events" || die "cannot probe $f"
		done
		echo 1 >"$T/events/kprobes/enable"
		echo 0 >"$T/events/kprobes/enable"
		echo >"$T/kprobe_events"
		i=$((i + 1))
		_now
		[ "$now_ms" -ge "$end" ] && break
	done
	kill -TERM "$gen_pid" "$rd_pid" 2>/dev/null
	wait "$gen_pid" || fail "load generator failed"
	pass "control: $i kprobe_events cycles under load"
	ksft_exit
fi

BBRX_PORT=6199
"$IPERF3" -s -p "$BBRX_PORT" >/dev/null 2>&1 &
defer "kill $!"
slowwait 10 tcp_listening "$BBRX_PORT" || die "iperf3 -s does not listen on $BBRX_PORT"

# flows_init: BbrxFlowsInit of this netns, in $flows (0 when unreadable).
flows_init() {
	flows=0
	[ -r "$TCPTUNE_PROC" ] || return 0
	while read -r _n _v; do
		[ "$_n" = BbrxFlowsInit ] && flows=$_v
	done <"$TCPTUNE_PROC"
}
# shellcheck disable=SC2317 # called by slowwait
bbrx_flow_started() {
	flows_init
	[ "$flows" -gt "$flows0" ]
}
# shellcheck disable=SC2317 # called by slowwait
unload_ok() { modprobe -r tcptune >/dev/null 2>&1; }

# bbrx_client: an iperf3 -C bbrx client in the background ($_cpid), long
# enough to outlive the checks on any kernel; stopped after them (SIGTERM:
# iperf3 tells the server and exits). Its output goes to $BBRX_OUT.
BBRX_OUT=${TMPDIR:-/tmp}/stress-bbrx.$$
defer "rm -f $BBRX_OUT"
bbrx_client() {
	"$IPERF3" -c 127.0.0.1 -p "$BBRX_PORT" -C bbrx -t 60 >"$BBRX_OUT" 2>&1 &
	_cpid=$!
}
# bbrx_flow_running: the flow started. A client that exited before (the
# server may still be closing the previous cycle's test, "the server is
# busy") is started again.
# shellcheck disable=SC2317 # called by slowwait
bbrx_flow_running() {
	bbrx_flow_started && return 0
	if ! kill -0 "$_cpid" 2>/dev/null; then
		wait "$_cpid"
		bbrx_client
	fi
	return 1
}

# The debug kernel's VM sets BX_SLOW (bbrx_lib.sh): its iperf3 needs longer.
env_positive BX_SLOW 1

# bbrx_cycle: a bbrx flow runs while the module is asked to unload.
bbrx_cycle() {
	flows_init
	flows0=$flows
	bbrx_client
	if ! slowwait $((5 * BX_SLOW)) bbrx_flow_running; then
		fail "cycle $i: no bbrx flow started in $((5 * BX_SLOW)) s (BbrxFlowsInit stays $flows0); iperf3 said:"
		sed 's/^/    /' "$BBRX_OUT" | tail -n 5
		kill "$_cpid" 2>/dev/null
		wait "$_cpid"
		return
	fi
	if modprobe -r tcptune >/dev/null 2>&1; then
		fail "cycle $i: tcptune unloaded while a bbrx flow ran"
		modprobe tcptune
	else
		refused=$((refused + 1))
	fi
	kill "$_cpid" 2>/dev/null || fail "cycle $i: iperf3 -C bbrx ended early"
	wait "$_cpid"
	# The flow's sockets may take a moment to be destroyed.
	slowwait 10 unload_ok || fail "cycle $i: unload still refused after the bbrx flow"
	modprobe tcptune
}

_now
end=$((now_ms + CYCLES_SECS * 1000))
i=0 busy=0 refused=0 bbrx_cycles=0
while [ "$i" -lt "$CYCLES" ]; do
	if [ $((i % 5)) = 0 ]; then
		bbrx_cycle
		bbrx_cycles=$((bbrx_cycles + 1))
	fi
	if ! out=$(modprobe -r tcptune 2>&1); then
		fail "cycle $i: modprobe -r tcptune: $out"
		busy=$((busy + 1))
		[ "$busy" -ge 3 ] && break
	fi
	out=$(modprobe tcptune 2>&1) || die "cycle $i: modprobe tcptune: $out"
	i=$((i + 1))
	_now
	[ "$now_ms" -ge "$end" ] && break
done
kill -TERM "$gen_pid" "$rd_pid" 2>/dev/null
wait "$gen_pid" || fail "load generator failed"
wait "$rd_pid" || fail "tolerant reader failed"
elapsed
min=$((CYCLES < 5 ? CYCLES : 5))
if [ "$i" -lt "$min" ]; then
	fail "only $i load/unload cycles in ${CYCLES_SECS}s (want at least $min)"
else
	pass "a) $i/$CYCLES load/unload cycles under load (${el}s)"
fi
if [ "$refused" = "$bbrx_cycles" ] && [ "$bbrx_cycles" -gt 0 ]; then
	pass "a) unload refused in all $bbrx_cycles cycles with a bbrx flow"
else
	fail "a) unload refused in $refused of $bbrx_cycles cycles with a bbrx flow"
fi
tcptune_loaded || die "tcptune not loaded after the cycles"

# --- b) netns churn --------------------------------------------------------

if out=$("$GEN" netns -n "$NETNS" -P 6200 2>&1); then
	elapsed
	pass "b) $out (${el}s)"
else
	fail "b) netns cycles"
	printf '%s\n' "$out" | sed 's/^/    /'
fi

# --- c) concurrent readers --------------------------------------------------

"$GEN" gen -P 6300 -p 2 -t $((READ_SECS + 30)) >/dev/null &
gen_pid=$!
defer "kill $gen_pid"
if out=$("$GEN" read -N -p 4 -t "$READ_SECS" 2>&1); then
	elapsed
	pass "c) 4 readers for ${READ_SECS}s (${el}s)"
	printf '%s\n' "$out" | sed 's/^/    /'
else
	fail "c) concurrent readers"
	printf '%s\n' "$out" | sed 's/^/    /'
fi
kill -TERM "$gen_pid" 2>/dev/null
wait "$gen_pid" || fail "load generator of c) failed"

# --- afterwards: clean unload, reload, exactness -----------------------------

out=$(modprobe -r tcptune 2>&1) || fail "final modprobe -r tcptune: $out"
tcptune_loaded && fail "tcptune still loaded after modprobe -r"
out=$(modprobe tcptune 2>&1) || die "final modprobe tcptune: $out"

if out=$("$GEN" exact -P 6400 2>&1); then
	pass "$out"
else
	fail "exactness after the stress: $out"
fi

elapsed
log "stress: ${el}s at scale $SCALE"
ksft_exit
