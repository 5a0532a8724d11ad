#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tcptune benchmark, guest side: bbrx against the kernel's bbr and cubic on
# an emulated bottleneck. init.sh runs it in "bench" mode
# (tcptune_vm.mode=bench); selftests/bench/bench.sh builds that VM and
# turns what this prints into the report.
#
# The path is bbrx_lib.sh's: $cli -> $rtr -> $srv joined by veth, with the
# bottleneck on the router (bx_shape: tbf of RATE and buffer LIMIT toward the
# server, fed by a netem for random loss; netem delay on the ACK path).
#
# Output: human lines, and one machine line per run on the console,
#   @bench {json}
# between "@bench-begin" and "@bench-end" (the host keeps the lines that
# parse). Records: "calibration" (unshaped veth throughput), one "run" per
# scenario x CC x repetition, "accept" and "synflood" (instrumentation
# overhead) and "dump" (the time to read the breakdowns at scale).
#
# Settings come from /selftests/bench/bench.conf (written by the host from
# the BENCH_* environment; see Documentation/performance.rst).
#
# Exec-light: every fork+exec costs ~50 ms under TCG and jq ~0.5 s, so the
# per-run parsing is shell builtins plus one jq call per iperf3 flow.
# shellcheck disable=SC2154 # $cli, $rtr, $srv come from setup_ns (eval)

. /selftests/lib.sh
. /selftests/bbrx_lib.sh
BENCH_DIR=${0%/*}
[ -f "$BENCH_DIR/bench.conf" ] && . "$BENCH_DIR/bench.conf"

TCPBENCH=/selftests/tcpbench
FCT_PORT=5301

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_SCENARIOS:=clean loss2 buf10 idle}"
	: "${BENCH_REPS:=1}"
	: "${BENCH_SECONDS:=5}"
	: "${BENCH_CALIB_SECONDS:=3}"
	: "${BENCH_ACCEPT_ROUNDS:=2}"
	: "${BENCH_DUMP_TW:=16384}"
	: "${BENCH_DUMP_LISTENERS:=1000}"
else
	: "${BENCH_SCENARIOS:=clean loss0.1 loss1 loss2 loss5 loss10 buf0.25 buf10 rtt10 rtt50 fair2 vscubic short idle}"
	: "${BENCH_REPS:=3}"
	: "${BENCH_SECONDS:=10}"
	: "${BENCH_CALIB_SECONDS:=5}"
	: "${BENCH_ACCEPT_ROUNDS:=4}"
	: "${BENCH_DUMP_TW:=262144}"
	: "${BENCH_DUMP_LISTENERS:=5000}"
fi
: "${BENCH_DUMP_REPS:=3}"
: "${BENCH_CCS:=bbrx bbr cubic}"
: "${BENCH_RATE_MBIT:=20}"
: "${BENCH_RTT_MS:=40}"
: "${BENCH_BUF_PCT:=100}"	# default buffer, percent of the BDP
: "${BENCH_SHORT_KB:=100}"
: "${BENCH_SHORT_N:=5}"
: "${BENCH_ACCEPT_SECONDS:=3}"
: "${BENCH_SYN_ROUNDS:=$BENCH_ACCEPT_ROUNDS}"
: "${BENCH_SYN_SECONDS:=3}"
: "${BENCH_FORCE:=0}"

T=$BENCH_SECONDS
TMP=/tmp/bench
mkdir -p "$TMP"

emit() { echo "@bench $*"; }

# --- per-namespace TCP counters without exec ------------------------------

# A process parked in $cli: /proc/PID/net/snmp is that namespace's MIB.
snmp_holder() {
	# "$IP", not the ip() function: $! must be the process itself, not a
	# subshell running the function in the initial namespace.
	"$IP" netns exec "$cli" sleep 1000000 &
	snmp_pid=$!
	defer "kill $snmp_pid 2>/dev/null"
}

# snmp_tcp: sets out_segs and retrans_segs from $cli's Tcp: MIB.
snmp_tcp() {
	out_segs=0 retrans_segs=0
	_hdr=
	while read -r _k _rest; do
		[ "$_k" = Tcp: ] || continue
		if [ -z "$_hdr" ]; then
			_hdr=$_rest
			continue
		fi
		# shellcheck disable=SC2086
		set -- $_rest
		for _n in $_hdr; do
			case $_n in
			OutSegs) out_segs=$1 ;;
			RetransSegs) retrans_segs=$1 ;;
			esac
			shift
		done
		break
	done <"/proc/$snmp_pid/net/snmp"
}

# ping_list FILE: the RTT samples (ms) of a busybox ping output, comma
# separated, in $pl.
ping_list() {
	pl=
	[ -f "$1" ] || return 0
	while read -r _l; do
		case $_l in
		*time=*)
			_t=${_l##*time=}
			pl="$pl${pl:+,}${_t%% *}"
			;;
		esac
	done <"$1"
}

# --- flows ----------------------------------------------------------------

# iperf_flow PORT CC SECONDS OUT: one bulk flow (retries while the server is
# busy with the previous test). The JSON is in OUT.
iperf_flow() {
	_try=0
	while :; do
		ip netns exec "$cli" "$IPERF3" -c "$BX_SRV_ADDR" -p "$1" -C "$2" \
			-t "$3" -O 1 -J >"$4" 2>&1 && return 0
		_try=$((_try + 1))
		[ "$_try" -ge 5 ] && return 1
		sleep 0.5
	done
}

# flow_json FILE: $fj, the flow's record (JSON object), and $fh, a summary.
flow_json() {
	fj='{"error":"no iperf3 JSON"}' fh='no data'
	_o=$(jq -r '{bps: .end.sum_received.bits_per_second,
		     bytes: .end.sum_received.bytes,
		     retrans: .end.sum_sent.retransmits,
		     mean_rtt_us: .end.streams[0].sender.mean_rtt,
		     cc: .end.sender_tcp_congestion,
		     error: .error} as $o |
		    ($o | tojson),
		    "\(($o.bps // 0) / 10000 | floor / 100) Mbit/s, \($o.retrans) retr"' \
		"$1" 2>/dev/null) || return 0
	fj=${_o%%
*}
	fh=${_o#*
}
}

# short_flows CC: BENCH_SHORT_N flows of BENCH_SHORT_KB each, one at a
# time, 0.3 s apart; their completion times (ms, comma separated, JSON null
# for a failed one) in $fct. Returns 1 if a flow failed (the times of the
# others are kept), or, with $fct empty, if tcpbench failed.
short_flows() {
	fct=$(ip netns exec "$cli" "$TCPBENCH" fct -C "$1" \
		-n $((BENCH_SHORT_KB * 1000)) -r "$BENCH_SHORT_N" -g 300 \
		"$BX_SRV_ADDR" "$FCT_PORT" 2>&1) || { fct=; return 1; }
	case $fct in
	*[!0-9.,na]*|'') fct= ; return 1 ;;
	*nan*)
		fct=$(printf '%s' "$fct" | sed 's/nan/null/g')
		return 1 ;;
	esac
}

# --- scenarios --------------------------------------------------------------

# scenario NAME: sets kind (bulk, fair2, vscubic, short, idle), loss (percent),
# rtt (ms), buf_pct (percent of the BDP); returns 1 for an unknown name.
scenario() {
	kind=bulk loss=0 rtt=$BENCH_RTT_MS buf_pct=$BENCH_BUF_PCT
	case $1 in
	clean) ;;
	loss*) loss=${1#loss} ;;
	buf*)
		_v=${1#buf}
		_i=${_v%%.*}
		_f=
		case $_v in *.*) _f=${_v#*.} ;; esac
		_f="${_f}00"
		_f=${_f%"${_f#??}"}
		_f=${_f#0}
		buf_pct=$((${_i:-0} * 100 + ${_f:-0}))
		;;
	rtt*)	# whole milliseconds: the BDP arithmetic is integer
		rtt=${1#rtt}
		case $rtt in ''|*[!0-9]*) return 1 ;; esac
		;;
	fair2) kind=fair2 ;;
	vscubic) kind=vscubic ;;
	short) kind=short ;;
	idle) kind=idle ;;
	*) return 1 ;;
	esac
	case $loss$rtt$buf_pct in
	*[!0-9.]*|'') return 1 ;;
	esac
	return 0
}

# run_one SCENARIO CC REP: shape the link, run the flows, emit the record.
run_one() {
	_sc=$1 _cc=$2 _rep=$3
	scenario "$_sc"
	# BDP in bytes: Mbit/s x ms x 125.
	limit=$((BENCH_RATE_MBIT * rtt * 125 * buf_pct / 100))
	bx_shape "${rtt}ms" "${loss}%" "${BENCH_RATE_MBIT}mbit" "$limit"

	rm -f "$TMP"/*
	ip netns exec "$cli" ping -c 5 -i 0.2 -W 2 "$BX_SRV_ADDR" \
		>"$TMP/base.ping" 2>&1
	ping_list "$TMP/base.ping"
	base=$pl
	snmp_tcp
	o0=$out_segs r0=$retrans_segs

	# RTT under load: pings every 0.2 s after the first (omitted) second.
	# "exec ip" would run busybox's applet: exec "$IP". Not on an idle
	# path, which has no load to measure.
	_ping=
	if [ "$kind" != idle ]; then
		(sleep 1; exec "$IP" netns exec "$cli" ping -i 0.2 -w "$T" \
			"$BX_SRV_ADDR" >"$TMP/load.ping" 2>&1) &
		_ping=$!
	fi
	_now
	_t0=$now_ms
	_ok=true
	fct=
	case $kind in
	bulk)
		iperf_flow 5201 "$_cc" "$T" "$TMP/f1.json" || _ok=false
		;;
	fair2|vscubic)
		_cc2=$_cc
		[ "$kind" = vscubic ] && _cc2=cubic
		iperf_flow 5202 "$_cc2" "$T" "$TMP/f2.json" &
		_f2=$!
		iperf_flow 5201 "$_cc" "$T" "$TMP/f1.json" || _ok=false
		wait "$_f2" || _ok=false
		;;
	short)
		# Short flows of the same CC while a bulk flow keeps the
		# bottleneck busy: what the CC's queue costs everyone else.
		iperf_flow 5201 "$_cc" "$T" "$TMP/f1.json" &
		_f1=$!
		sleep 1.5
		short_flows "$_cc" || _ok=false
		wait "$_f1" || _ok=false
		;;
	idle)
		# The same short flows alone on the path: how soon STARTUP (or
		# slow start) delivers a small transfer. Each connection starts
		# afresh: the kernel caches no ssthresh between connections
		# (net.ipv4.tcp_no_ssthresh_metrics_save is 1 by default).
		short_flows "$_cc" || _ok=false
		;;
	esac
	# ping stops by itself (-w, T seconds, within the flows' T + 1): a
	# kill would lose its buffered output. Kill it only after a failure.
	if [ -n "$_ping" ]; then
		[ "$_ok" = true ] || kill "$_ping" 2>/dev/null
		wait "$_ping" 2>/dev/null
	fi
	_now
	snmp_tcp
	ping_list "$TMP/load.ping"

	flows='' human=''
	for _f in "$TMP/f1.json" "$TMP/f2.json"; do
		[ -f "$_f" ] || continue
		flow_json "$_f"
		flows="$flows${flows:+,}$fj"
		human="$human${human:+ | }$fh"
	done
	[ -n "$flows" ] || [ "$kind" = idle ] || _ok=false
	[ -n "$fct" ] && human="$human${human:+ | }fct ms $fct"
	log "bench: $_sc rep $_rep $_cc: $human"
	emit "{\"type\":\"run\",\"scenario\":\"$_sc\",\"kind\":\"$kind\",\"cc\":\"$_cc\",\"rep\":$_rep,\"ok\":$_ok,\"rate_mbit\":$BENCH_RATE_MBIT,\"rtt_ms\":$rtt,\"loss_pct\":$loss,\"buf_bdp\":$((buf_pct / 100)).$((buf_pct % 100 / 10))$((buf_pct % 10)),\"buf_bytes\":$limit,\"seconds\":$T,\"base_ping_ms\":[$base],\"ping_ms\":[$pl],\"out_segs\":$((out_segs - o0)),\"retrans_segs\":$((retrans_segs - r0)),\"fct_ms\":[${fct}],\"short_kb\":$BENCH_SHORT_KB,\"t_ms\":[$_t0,$now_ms],\"flows\":[$flows]}"
}

# --- calibration ------------------------------------------------------------

calibrate() {
	tc -n "$rtr" qdisc del dev bx1 root >/dev/null 2>&1
	tc -n "$rtr" qdisc del dev bx2 root >/dev/null 2>&1
	iperf_flow 5201 cubic "$BENCH_CALIB_SECONDS" "$TMP/calib.json"
	flow_json "$TMP/calib.json"
	calib_json=$fj
	calib_mbps=$(jq -r '(.end.sum_received.bits_per_second // 0) / 1000000 | floor' \
		"$TMP/calib.json" 2>/dev/null)
	case $calib_mbps in ''|*[!0-9]*) calib_mbps=0 ;; esac
	calib_ok=true
	if [ $((BENCH_RATE_MBIT * 3)) -gt "$calib_mbps" ]; then
		calib_ok=false
	fi
	emit "{\"type\":\"calibration\",\"unshaped_mbps\":$calib_mbps,\"link_mbit\":$BENCH_RATE_MBIT,\"ok\":$calib_ok,\"forced\":$([ "$BENCH_FORCE" = 1 ] && echo true || echo false),\"flow\":$calib_json}"
	log "bench: calibration: unshaped veth path $calib_mbps Mbit/s (cubic, ${BENCH_CALIB_SECONDS}s), link $BENCH_RATE_MBIT Mbit/s"
	if [ "$calib_ok" = false ]; then
		log "bench: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		log "bench: !!! the link ($BENCH_RATE_MBIT Mbit/s) is more than 1/3 of what the guest"
		log "bench: !!! carries unshaped ($calib_mbps Mbit/s): the CPU, not the CC, would"
		log "bench: !!! limit the results. Lower BENCH_RATE_MBIT, or BENCH_FORCE=1."
		log "bench: !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
		[ "$BENCH_FORCE" = 1 ] || return 1
	fi
	return 0
}

# --- instrumentation overhead: connection rate, module out and in ------------

# accept_bench: connections per second through the unshaped path ($cli ->
# $rtr -> $srv, no qdiscs), tcptune unloaded then loaded, alternated
# BENCH_ACCEPT_ROUNDS times so that drifts of the host's load hit both.

# tcptune_state off|on: unload tcptune (waiting up to 10 s: sockets that
# used bbrx may still hold it) or load it.
tcptune_state() {
	if [ "$1" = off ]; then
		slowwait 10 modprobe -r tcptune 2>/dev/null || {
			log "bench: cannot unload tcptune (in use?)"
			return 1
		}
	else
		modprobe tcptune
	fi
}

accept_bench() {
	tc -n "$rtr" qdisc del dev bx1 root >/dev/null 2>&1
	tc -n "$rtr" qdisc del dev bx2 root >/dev/null 2>&1
	_rates_off='' _rates_on=''
	_i=0
	while [ "$_i" -lt "$BENCH_ACCEPT_ROUNDS" ]; do
		_i=$((_i + 1))
		for _state in off on; do
			tcptune_state "$_state" || return 1
			_r=$(ip netns exec "$cli" "$TCPBENCH" accept \
				-t "$BENCH_ACCEPT_SECONDS" "$BX_SRV_ADDR" "$FCT_PORT")
			_r=${_r%% *}
			case $_r in ''|*[!0-9.]*) _r=null ;; esac
			log "bench: accept round $_i, tcptune $_state: $_r conn/s"
			if [ "$_state" = off ]; then
				_rates_off="$_rates_off${_rates_off:+,}$_r"
			else
				_rates_on="$_rates_on${_rates_on:+,}$_r"
			fi
		done
	done
	emit "{\"type\":\"accept\",\"seconds\":$BENCH_ACCEPT_SECONDS,\"unloaded\":[$_rates_off],\"loaded\":[$_rates_on]}"
}

# --- instrumentation overhead: SYN flood, module out and in -----------------

# busy_ticks: CPU time of the whole guest not idle (all CPUs, /proc/stat,
# USER_HZ = 100 ticks a second), in $busy.
busy_ticks() {
	read -r _bt_cpu _bt_user _bt_nice _bt_sys _bt_idle _bt_iowait _bt_irq \
		_bt_softirq _bt_steal _bt_rest </proc/stat
	busy=$((_bt_user + _bt_nice + _bt_sys + _bt_irq + _bt_softirq + _bt_steal))
}

# syn_bench: syn_flood (raw SYNs, random sources) from netns F into a
# listener with tcp_syncookies=2 in netns S (every SYN is answered with a
# cookie: SyncookiesSent counts the SYNs handled), BENCH_SYN_SECONDS per
# round, tcptune unloaded then loaded, alternated BENCH_SYN_ROUNDS times.
# Per round: SYNs handled per second and guest CPU time per SYN handled
# (both ends: the flooder's sends are the same in both states, so the
# difference is what the hooks add to a SYN).
syn_bench() {
	_flood=/selftests/syn_flood
	[ -x "$_flood" ] || { log "bench: no $_flood"; return 1; }
	setup_ns synS synF
	ip -n "$synS" link add sb0 type veth peer name sb1 netns "$synF" || return 1
	ip -n "$synS" addr add 10.98.0.1/24 dev sb0
	ip -n "$synS" link set sb0 up
	ip -n "$synF" addr add 10.98.0.2/24 dev sb1
	ip -n "$synF" link set sb1 up
	ip -n "$synS" route add 198.18.0.0/15 via 10.98.0.2 || return 1
	ip -n "$synF" route add blackhole 198.18.0.0/15
	ip netns exec "$synS" sh -c 'echo 2 >/proc/sys/net/ipv4/tcp_syncookies' ||
		return 1
	_off='' _on='' _cpu_off='' _cpu_on=''
	_round=0
	while [ "$_round" -lt "$BENCH_SYN_ROUNDS" ]; do
		_round=$((_round + 1))
		for _state in off on; do
			tcptune_state "$_state" || return 1
			netns_mib_snap "$synS" sb
			busy_ticks; _b0=$busy
			_out=$(ip netns exec "$synS" "$_flood" -n "/run/netns/$synF" \
				-a 10.98.0.1 -P 5400 -b 8 -t "$BENCH_SYN_SECONDS" -w 200) ||
				{ log "bench: syn_flood: $_out"; return 1; }
			busy_ticks; _b1=$busy
			netns_mib_snap "$synS" sa
			_n=$((sa_SyncookiesSent - sb_SyncookiesSent))
			# SYNs per second and ns of guest CPU per SYN, integers.
			_r=$((_n / BENCH_SYN_SECONDS))
			_c=null
			[ "$_n" -gt 0 ] && _c=$(((_b1 - _b0) * 10000000 / _n))
			log "bench: SYN round $_round, tcptune $_state: $_r SYN/s handled, ${_c} ns CPU/SYN ($_out)"
			if [ "$_state" = off ]; then
				_off="$_off${_off:+,}$_r" _cpu_off="$_cpu_off${_cpu_off:+,}$_c"
			else
				_on="$_on${_on:+,}$_r" _cpu_on="$_cpu_on${_cpu_on:+,}$_c"
			fi
		done
	done
	cleanup_ns "$synS" "$synF"
	emit "{\"type\":\"synflood\",\"seconds\":$BENCH_SYN_SECONDS,\"unloaded\":[$_off],\"loaded\":[$_on],\"cpu_ns_unloaded\":[$_cpu_off],\"cpu_ns_loaded\":[$_cpu_on]}"
}

# --- dumps at scale -----------------------------------------------------------

TW_GEN=/selftests/tw_gen

# timed VAR NS REPS NAME CMD...: run CMD in NS REPS times (tcpbench time:
# wall time with the exec, output read through a pipe) and append
# "NAME":{ms_min, ms_median, ms_max, bytes, lines} to $VAR.
timed() {
	_var=$1 _ns=$2 _reps=$3 _name=$4
	shift 4
	_o=$("$IP" netns exec "$_ns" "$TCPBENCH" time -r "$_reps" "$@" 2>/dev/null) ||
		_o="failed $_o"
	log "bench: dump: $_name: $_o (ms fastest median slowest, bytes, lines)"
	# shellcheck disable=SC2086 # split on purpose
	set -- $_o
	if [ $# = 5 ]; then
		_t="\"$_name\":{\"ms_min\":$1,\"ms_median\":$2,\"ms_max\":$3,\"bytes\":$4,\"lines\":$5}"
	else
		_t="\"$_name\":null"
	fi
	eval "_tv=\${$_var}"
	# shellcheck disable=SC2154 # set by eval
	eval "$_var=\"\${_tv}\${_tv:+,}\$_t\""
}

# value FILE NAME: the value after NAME at the start of a line, in $val.
value() {
	val=
	while read -r _n _v _rest; do
		[ "$_n" = "$2" ] && { val=$_v; return 0; }
	done <"$1" 2>/dev/null
	return 1
}

# sockstat_tw FILE: "tw" of a copy of /proc/net/sockstat, in $val.
sockstat_tw() {
	val=
	while read -r _p _rest; do
		[ "$_p" = TCP: ] || continue
		# shellcheck disable=SC2086 # split on purpose
		set -- $_rest
		while [ $# -ge 2 ]; do
			[ "$1" = tw ] && { val=$2; return 0; }
			shift 2
		done
	done <"$1"
	return 1
}

# dump_bench: the time to read tcptune's breakdowns (module defaults) with
# BENCH_DUMP_LISTENERS listening sockets, then BENCH_DUMP_TW timewait
# sockets, each in a namespace of its own; the same readers in the empty
# namespace (the cost of the execs), and ss and an inet_diag count of the
# same sockets to compare. A timewait socket lives 60 s: the record says how
# many there were before and after the timings.
dump_bench() {
	lst_ms='' lst_base='' tw_ms='' tw_base=''
	setup_ns lst
	if [ "$BENCH_DUMP_LISTENERS" -gt 0 ]; then
		timed lst_base "$lst" "$BENCH_DUMP_REPS" tcptunectl_j_listeners \
			"$TCPTUNECTL" -j listeners
		timed lst_base "$lst" "$BENCH_DUMP_REPS" proc_listeners \
			cat /proc/net/tcptune/listeners
		rm -f "$TMP/listen.out"
		"$IP" netns exec "$lst" "$TCPBENCH" listen -n "$BENCH_DUMP_LISTENERS" \
			20000 >"$TMP/listen.out" 2>&1 &
		_lpid=$!
		if slowwait 120 value "$TMP/listen.out" ready; then
			timed lst_ms "$lst" "$BENCH_DUMP_REPS" tcptunectl_j_listeners \
				"$TCPTUNECTL" -j listeners
			timed lst_ms "$lst" "$BENCH_DUMP_REPS" tcptunectl_listeners \
				"$TCPTUNECTL" listeners
			timed lst_ms "$lst" "$BENCH_DUMP_REPS" proc_listeners \
				cat /proc/net/tcptune/listeners
			timed lst_ms "$lst" "$BENCH_DUMP_REPS" ss_listening \
				"$SS" -Htln
		else
			log "bench: dump: $BENCH_DUMP_LISTENERS listeners: $(cat "$TMP/listen.out")"
		fi
		kill "$_lpid" 2>/dev/null
		wait "$_lpid" 2>/dev/null
	fi
	cleanup_ns "$lst"

	if [ "$BENCH_DUMP_TW" -le 0 ]; then
		dump_emit '"timewait":null'
		return 0
	fi
	_twn=$((BENCH_DUMP_TW / 16 * 16))
	setup_ns dmp
	ip netns exec "$dmp" sh -c "echo 1024 65535 >/proc/sys/net/ipv4/ip_local_port_range
		echo $((2 * _twn + 1024)) >/proc/sys/net/ipv4/tcp_max_tw_buckets" ||
		return 1
	timed tw_base "$dmp" "$BENCH_DUMP_REPS" proc_timewait \
		cat /proc/net/tcptune/timewait
	timed tw_base "$dmp" "$BENCH_DUMP_REPS" tcptunectl_j_timewait \
		"$TCPTUNECTL" -j timewait
	# Pairs of sockets closed at once: both ends in TIME_WAIT (tw_gen.c).
	_now
	_t0=$now_ms
	_gen=$("$IP" netns exec "$dmp" "$TW_GEN" -r -p 100 -P 4 -j 2 \
		-n $((_twn / 2)) 2>&1)
	_now
	_gen_ms=$((now_ms - _t0))
	log "bench: dump: tw_gen -r -n $((_twn / 2)): $_gen"
	_rate=${_gen##*rate }
	_rate=${_rate%/s*}
	case $_rate in ''|*[!0-9]*) _rate=null ;; esac
	ip netns exec "$dmp" sh -c "cat /proc/net/sockstat >$TMP/ss0
		cat /proc/net/tcptune/stats >$TMP/stats0
		cat /proc/net/sockstat >$TMP/ss1
		$TW_GEN -c >$TMP/diag
		cat /proc/net/tcptune/timewait >$TMP/twproc" || return 1
	_now
	_read_ms=$((now_ms - _t0))
	sockstat_tw "$TMP/ss0"; _ss0=${val:-null}
	sockstat_tw "$TMP/ss1"; _ss1=${val:-null}
	value "$TMP/stats0" TimeWaitCurrent; _cur=${val:-null}
	value "$TMP/diag" timewait4; _diag=${val:-null}
	read -r _hdr <"$TMP/twproc"
	log "bench: dump: +${_read_ms} ms: sockstat tw $_ss0, TimeWaitCurrent $_cur, sockstat tw $_ss1, inet_diag $_diag"

	timed tw_ms "$dmp" "$BENCH_DUMP_REPS" proc_timewait \
		cat /proc/net/tcptune/timewait
	timed tw_ms "$dmp" "$BENCH_DUMP_REPS" proc_stats \
		cat /proc/net/tcptune/stats
	timed tw_ms "$dmp" "$BENCH_DUMP_REPS" tcptunectl_j_timewait \
		"$TCPTUNECTL" -j timewait
	timed tw_ms "$dmp" "$BENCH_DUMP_REPS" tcptunectl_j_timewait_by_remote \
		"$TCPTUNECTL" -j timewait by remote
	timed tw_ms "$dmp" "$BENCH_DUMP_REPS" tcptunectl_j_timewait_by_local \
		"$TCPTUNECTL" -j timewait by local
	timed tw_ms "$dmp" "$BENCH_DUMP_REPS" tcptunectl_j_timewait_by_local_top1000 \
		"$TCPTUNECTL" -j timewait by local top 1000
	timed tw_ms "$dmp" "$BENCH_DUMP_REPS" inet_diag_count "$TW_GEN" -c
	timed tw_ms "$dmp" 1 ss_time_wait "$SS" -Htan state time-wait
	ip netns exec "$dmp" cat /proc/net/tcptune/stats >"$TMP/stats1"
	_now
	_end_ms=$((now_ms - _t0))
	value "$TMP/stats1" TimeWaitCurrent; _cur1=${val:-null}
	_dbg=$TCPTUNE_DEBUGFS/timewait
	value "$_dbg" walk_bytes_peak; _peak=${val:-null}
	value "$_dbg" walk_bytes_max; _max=${val:-null}
	value "$_dbg" netns_state_bytes; _nsb=${val:-null}
	_slab=$(grep '^tw_sock_TCP ' /proc/slabinfo)
	# shellcheck disable=SC2086 # split on purpose
	set -- $_slab
	_twobj=${4:-null}
	cleanup_ns "$dmp"

	dump_emit "\"timewait\":{\"n\":$_twn,\"gen_ms\":$_gen_ms,\"rate\":$_rate,\"read_at_ms\":$_read_ms,\"sockstat_before\":$_ss0,\"current\":$_cur,\"sockstat_after\":$_ss1,\"inet_diag\":$_diag,\"proc_header\":\"$_hdr\",\"current_after_timings\":$_cur1,\"timings_end_ms\":$_end_ms,\"ms\":{$tw_ms},\"empty_ms\":{$tw_base},\"walk_bytes_peak\":$_peak,\"walk_bytes_max\":$_max,\"netns_state_bytes\":$_nsb,\"tw_sock_bytes\":$_twobj}"
}

# dump_emit TIMEWAIT: the "dump" record, with the listener timings.
dump_emit() {
	emit "{\"type\":\"dump\",\"reps\":$BENCH_DUMP_REPS,\"listeners\":{\"n\":$BENCH_DUMP_LISTENERS,\"ms\":{$lst_ms},\"empty_ms\":{$lst_base}},$1}"
}

# --- main -------------------------------------------------------------------

require_root
require_cmd "$IPERF3" "$JQ" "$TCPBENCH"
tcptune_load
modprobe -q tcp_bbr

read_file /proc/sys/net/ipv4/tcp_available_congestion_control avail
ccs=
for c in $BENCH_CCS; do
	case " $avail " in
	*" $c "*) ccs="$ccs $c" ;;
	*) die "bench: congestion control $c not available (have: $avail)" ;;
	esac
done
[ -n "$ccs" ] || die "no congestion control to compare"

for s in $BENCH_SCENARIOS; do
	scenario "$s" || die "unknown scenario '$s'"
done

bx_topology
# The sender's qdisc: none given, TCP paces itself (SK_PACING_NEEDED).
if [ -n "${BENCH_SENDER_QDISC:-}" ]; then
	# shellcheck disable=SC2086 # qdisc and its options
	tc -n "$cli" qdisc replace dev bx0 root $BENCH_SENDER_QDISC ||
		die "cannot set the sender's qdisc to $BENCH_SENDER_QDISC"
fi
BX_PORT=5202 bx_server_start
"$IP" netns exec "$srv" "$TCPBENCH" server "$FCT_PORT" >/dev/null 2>&1 &
defer "kill $! 2>/dev/null"
snmp_holder
sleep 0.5

echo "@bench-begin"
_now
t_begin=$now_ms
emit "{\"type\":\"config\",\"kernel\":\"$(uname -r)\",\"scenarios\":\"$BENCH_SCENARIOS\",\"ccs\":\"${ccs# }\",\"reps\":$BENCH_REPS,\"seconds\":$T,\"rate_mbit\":$BENCH_RATE_MBIT,\"rtt_ms\":$BENCH_RTT_MS,\"buf_pct\":$BENCH_BUF_PCT,\"quick\":${BENCH_QUICK:-0},\"cpus\":$(grep -c ^processor /proc/cpuinfo)}"
if ! calibrate; then
	echo "@bench-end"
	die "calibration refused the link rate"
fi

# Repetitions outermost, CCs innermost: a slow drift of the host's load
# spreads over every CC alike.
for s in $BENCH_SCENARIOS; do
	r=1
	while [ "$r" -le "$BENCH_REPS" ]; do
		for c in $ccs; do
			run_one "$s" "$c" "$r"
		done
		r=$((r + 1))
	done
done

if [ "${BENCH_ACCEPT_ROUNDS:-0}" -gt 0 ]; then
	accept_bench || log "bench: accept-rate measurement failed"
	tcptune_load
fi
if [ "${BENCH_SYN_ROUNDS:-0}" -gt 0 ]; then
	syn_bench || log "bench: SYN-flood measurement failed"
	tcptune_load
fi
if [ "$BENCH_DUMP_TW" -gt 0 ] || [ "$BENCH_DUMP_LISTENERS" -gt 0 ]; then
	dump_bench || log "bench: dump timings failed"
fi
_now
log "bench: done in $(((now_ms - t_begin) / 1000)) s"
echo "@bench-end"
ksft_exit
