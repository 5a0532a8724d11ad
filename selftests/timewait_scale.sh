#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TIME_WAIT at scale: 262,144 timewait sockets (TW_SCALE_N) in one network
# namespace, made by tw_gen -r, counted by tcptune, by sockstat and by an
# inet_diag dump, and broken down by the procfs file and the netlink dump,
# with the module loaded with its largest tables (timewait_max_keys=65536,
# timewait_top=1000) so that every endpoint is counted. Prints the times of
# the dumps and the memory the walks took.
#
# Expiry: a timewait socket lives 60 s from its creation (its timer never
# fires early). When the counts are read less than 59 s after the first
# socket was made, every socket made is still there: the counts must all
# equal TW_SCALE_N. On a slow host the first ones expire before the last
# ones are made; then every count is compared with sockstat's read just
# before and just after it, at an instant when sockstat did not move
# (retried), and TimeWaitCreated - TimeWaitDestroyed must equal it too.

. "${0%/*}/lib.sh"

TW_GEN=${0%/*}/tw_gen
TMP=/tmp/timewait_scale.$$
N=${TW_SCALE_N:-262144}
PROCS=2			# generator processes: the guest has 2 vCPUs
PORTS=4			# "server" ports per process
BASE_PORT=100		# servers on 100..107, clients on 1024..65535
NSRV=$((PROCS * PORTS))
PER_SRV=$((N / 2 / NSRV))	# timewait sockets per server port and side
MAX_KEYS=65536
TOP=1000

require_root
require_cmd "$TW_GEN" "$TCPTUNECTL"
[ $((N % (2 * NSRV))) = 0 ] && [ "$N" -gt 0 ] ||
	skip "TW_SCALE_N=$N is not a multiple of $((2 * NSRV))"
mkdir -p "$TMP" || die "mkdir $TMP"
defer "rm -rf $TMP"

# Loaded without sockets being made: reloading under timewait traffic is
# stress.sh's business.
tcptune_unload
out=$(modprobe tcptune timewait_max_keys=$MAX_KEYS timewait_top=$TOP 2>&1) ||
	die "modprobe tcptune timewait_max_keys=$MAX_KEYS: $out"

# At exit: the namespace goes first, then the module is loaded again with
# its defaults once every timewait socket has been freed.
restore() {
	cleanup_all_ns
	slowwait 60 all_destroyed
	tcptune_unload
	tcptune_load
}
defer restore

# value FILE NAME: the value after NAME at the start of a line, in $val.
value() {
	val=
	while read -r _n _v _rest; do
		[ "$_n" = "$2" ] && { val=$_v; return 0; }
	done <"$1"
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

# mib FILE NAME: TcpExt NAME of a copy of /proc/net/netstat, in $val.
mib() {
	val= _h= _v=
	while read -r _l; do
		case $_l in
		TcpExt:*)
			if [ -z "$_h" ]; then _h=$_l; else _v=$_l; break; fi ;;
		esac
	done <"$1"
	_want=$2
	# shellcheck disable=SC2086 # split on purpose
	set -- $_v
	for _name in $_h; do
		[ "$_name" = "$_want" ] && { val=$1; return 0; }
		shift
	done
	return 1
}

# ms_since T: milliseconds since T (a $now_ms), in $ms.
ms_since() {
	_now
	ms=$((now_ms - $1))
}

read_debugfs() { # read_debugfs NAME: value in $val
	value "$TCPTUNE_DEBUGFS/timewait" "$1"
}

all_destroyed() {
	read_debugfs created_total; _c=$val
	read_debugfs destroyed_total
	[ $((val - destroyed0)) -ge $((_c - created0)) ]
}

read_debugfs created_total; created0=$val
read_debugfs destroyed_total; destroyed0=$val

setup_ns a
ip netns exec "$a" sh -c "echo 1024 65535 >/proc/sys/net/ipv4/ip_local_port_range
	echo $((2 * N)) >/proc/sys/net/ipv4/tcp_max_tw_buckets" ||
	die "sysctls in $a"
log "# $(dmesg | grep -m1 'TCP established hash table entries' | sed 's/^\[[^]]*\] //')"

# The cost of the execs alone, in the empty namespace.
_now; t=$now_ms
ip netns exec "$a" "$TCPTUNECTL" -j timewait >/dev/null
ms_since "$t"; base_ctl=$ms
_now; t=$now_ms
ip netns exec "$a" cat /proc/net/tcptune/timewait >/dev/null
ms_since "$t"; base_cat=$ms

# 1. Make them; t0 is before the first one.
_now; t0=$now_ms
out=$(ip netns exec "$a" "$TW_GEN" -r -p "$BASE_PORT" -P "$PORTS" -j "$PROCS" \
	-n $((N / 2)) 2>&1) || fail "tw_gen -r -n $((N / 2)): $out"
ms_since "$t0"; gen_ms=$ms
log "# tw_gen -r -n $((N / 2)) -P $PORTS -j $PROCS: $out (${gen_ms} ms with the exec)"

# 2. TimeWaitCurrent against sockstat read around it, then the inet_diag
# count likewise; while sockstat moves (expiry), again.
gauge_ok=0 diag_ok=0 try=0
while [ $try -lt 8 ] && [ $((gauge_ok + diag_ok)) -lt 2 ]; do
	try=$((try + 1))
	ip netns exec "$a" sh -c "cat /proc/net/sockstat >$TMP/ss0
		cat /proc/net/tcptune/stats >$TMP/stats
		cat /proc/net/sockstat >$TMP/ss1
		$TW_GEN -c >$TMP/diag
		cat /proc/net/sockstat >$TMP/ss2
		cat /proc/net/netstat >$TMP/netstat" || die "snapshot of $a"
	ms_since "$t0"; snap_ms=$ms
	sockstat_tw "$TMP/ss0"; ss0=$val
	sockstat_tw "$TMP/ss1"; ss1=$val
	sockstat_tw "$TMP/ss2"; ss2=$val
	value "$TMP/stats" TimeWaitCurrent; cur=$val
	value "$TMP/stats" TimeWaitFinWait2; fw2=$val
	value "$TMP/stats" TimeWaitCreated; created=$val
	value "$TMP/stats" TimeWaitDestroyed; destroyed=$val
	value "$TMP/diag" timewait4; diag=$val
	log "# +${snap_ms} ms: sockstat tw $ss0, TimeWaitCurrent $cur (FinWait2 $fw2, Created $created, Destroyed $destroyed), sockstat tw $ss1, inet_diag $diag, sockstat tw $ss2"
	if [ "$gauge_ok" = 0 ] && [ "$ss0" = "$ss1" ]; then
		gauge_ok=1
		check_eq "TimeWaitCurrent = sockstat tw" "$cur" "$ss0"
		check_eq "TimeWaitFinWait2" "$fw2" 0
		check_eq "TimeWaitCreated - TimeWaitDestroyed = sockstat tw" \
			"$((created - destroyed))" "$ss0"
		cur_ms=$snap_ms
	fi
	if [ "$diag_ok" = 0 ] && [ "$ss1" = "$ss2" ]; then
		diag_ok=1
		check_eq "inet_diag TIME_WAIT count = sockstat tw" "$diag" "$ss1"
	fi
done
[ "$gauge_ok" = 1 ] || fail "sockstat never stood still around the stats read"
[ "$diag_ok" = 1 ] || fail "sockstat never stood still around the inet_diag dump"
# Counters, not gauges: expiry does not change them.
check_eq "TimeWaitCreated" "$created" "$N"
mib "$TMP/netstat" TW
check_eq "TcpExtTW" "$val" "$N"
value "$TMP/stats" TW
check_eq "TW" "$val" "$N"
# Every socket made is still there: all equal N.
if [ "${cur_ms:-60000}" -lt 59000 ]; then
	check_eq "TimeWaitCurrent = sockets made" "$cur" "$N"
	check_eq "sockstat tw = sockets made" "$ss1" "$N"
	check_eq "inet_diag count = sockets made" "$diag" "$N"
	exact=1
else
	log "# the counts were read ${cur_ms} ms after the start: sockets had expired"
	exact=0
fi

# 3. The breakdowns, timed; with no socket expired yet, the rows are known:
# each server port 100..107 is the local end of PER_SRV sockets and the
# remote end of as many, each client port the local and remote end of
# PORTS (one per server port of its process).
dump() { # dump NAME CMD...: the output in $TMP/NAME, the time in $ms
	_name=$1
	shift
	_now; _t=$now_ms
	ip netns exec "$a" "$@" >"$TMP/$_name" 2>&1 || fail "$*: $(cat "$TMP/$_name")"
	ms_since "$_t"
}
dump proc cat /proc/net/tcptune/timewait; t_proc=$ms
dump remote "$TCPTUNECTL" timewait by remote top "$TOP"; t_remote=$ms
dump local "$TCPTUNECTL" timewait by local top "$TOP"; t_local=$ms
dump json "$TCPTUNECTL" -j timewait; t_json=$ms
ms_since "$t0"; dump_end=$ms
# The rows are known only if nothing expired before the last dump.
[ "$dump_end" -lt 59000 ] || exact=0
log "# dumps of $N sockets (top $TOP): cat /proc/net/tcptune/timewait $t_proc ms, tcptunectl timewait by remote $t_remote ms, by local $t_local ms, -j timewait (both and age) $t_json ms; in the empty netns: cat $base_cat ms, tcptunectl $base_ctl ms"
read -r header <"$TMP/proc"
log "# $header"

# check_rows FILE: the rows of a breakdown, in the text of procfs or
# tcptunectl ("kind endpoint count pct"); sets rows_local, rows_remote,
# sum_age, and checks the counts against what tw_gen made when $exact.
check_rows() {
	rows_local=0 rows_remote=0 sum_age=0 _bad=
	while read -r _k _e _c _p; do
		case $_k in
		local|remote)
			eval "rows_$_k=\$((rows_$_k + 1))"
			_port=${_e##*:}
			if [ "$_port" -lt 1024 ]; then
				_want=$PER_SRV
			else
				_want=$PORTS
			fi
			if [ "$exact" = 1 ] && [ "$_c" != "$_want" ]; then
				_bad="$_bad $_k:$_e=$_c"
			fi
			if [ "$_k" = remote ] && [ "$exact" = 1 ] &&
			   [ "$_want" = "$PER_SRV" ]; then
				check_eq "$1: pct of $_e" "$_p" "$want_pct"
			fi
			;;
		age)
			sum_age=$((sum_age + _c)) ;;
		esac
	done <"$TMP/$1"
	[ -z "$_bad" ] || fail "$1: rows with other counts than made:$_bad"
}
p=$((PER_SRV * 10000 / 64512))
want_pct=$((p / 100)).$(printf '%02d' $((p % 100)))

# shellcheck disable=SC2086 # split on purpose
set -- $header
if [ "$exact" = 1 ]; then
	check_eq "procfs header: timewait" "$2" "$N"
else
	[ "$2" -le "$cur" ] || fail "procfs header: timewait $2 > TimeWaitCurrent $cur read before"
fi
check_eq "procfs header: finwait2" "$4" 0
check_eq "procfs header: dropped" "${12}" 0
# check_top DESC ROWS: TOP rows when nothing expired; after expiry fewer
# endpoints may be left, but never more than TOP rows nor none.
check_top() {
	if [ "$exact" = 1 ]; then
		check_eq "$1" "$2" "$TOP"
	elif [ "$2" -ge 1 ] && [ "$2" -le "$TOP" ]; then
		pass "$1: $2 (sockets expired: 1 to $TOP)"
	else
		fail "$1: $2, want 1 to $TOP"
	fi
}
check_rows proc
check_top "procfs: local rows" "$rows_local"
check_top "procfs: remote rows" "$rows_remote"
check_eq "procfs: age rows add up to timewait" "$sum_age" "$2"
check_rows remote
check_top "tcptunectl by remote: rows" "$rows_remote"
check_rows local
check_top "tcptunectl by local: rows" "$rows_local"
if [ "$exact" = 1 ]; then
	# The first NSRV rows of each kind are the server ports, in order.
	want= i=0
	while [ $i -lt $NSRV ]; do
		want="$want $((BASE_PORT + i))"
		i=$((i + 1))
	done
	for f in proc remote local; do
		_n=0 _first=
		while read -r _k _e _c _p; do
			case $_k in local|remote) ;; *) continue ;; esac
			_n=$((_n + 1))
			[ "$_n" -le "$NSRV" ] || break
			_first="$_first ${_e##*:}"
		done <"$TMP/$f"
		check_eq "$f: the largest rows" "$_first" "$want"
	done
fi
case $(cat "$TMP/json") in
'[{"kind":"local",'*'"kind":"age"'*']') ;;
*) fail "tcptunectl -j timewait: not an array of local..age rows" ;;
esac

read_file "$TCPTUNE_DEBUGFS/timewait" dbg
printf '%s\n' "$dbg" | sed -n '/^created_total/,$p' | sed 's/^/# debugfs: /'
read_debugfs walk_bytes_peak; peak=$val
read_debugfs walk_bytes_max
check_eq "walk_bytes_peak = walk_bytes_max" "$peak" "$val"
log "# slabs: $(grep -E '^(tw_sock_TCP|tw_sock_TCPv6|TCP) ' /proc/slabinfo |
	awk '{printf "%s %s objects of %s bytes; ", $1, $2, $4}')"

# 4. Deleting the namespace frees every timewait socket.
_now; t=$now_ms
cleanup_all_ns
if ! slowwait 60 all_destroyed; then
	read_debugfs created_total; _c=$val
	read_debugfs destroyed_total
	fail "created $((_c - created0)) timewait sockets, destroyed only $((val - destroyed0))"
fi
ms_since "$t"
log "# namespace deleted, its sockets freed in $ms ms"

ksft_exit
