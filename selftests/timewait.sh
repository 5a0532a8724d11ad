#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TIME_WAIT counters, breakdowns and the overflow/recycle mirrors, checked
# against ss, /proc/net/sockstat and the kernel's MIBs in fresh namespaces.
# tw_gen makes the connections (a loop in C: execs are slow in the VM).
#
# A timewait socket lives 60 s, so each batch must be made and checked well
# within that. TW_DIV (default 1) divides the socket counts for kernels too
# slow for that (make check-debug: 10).

. "${0%/*}/lib.sh"

TW_GEN=${0%/*}/tw_gen
TMP=/tmp/timewait.$$
env_positive TW_DIV 1
D=$TW_DIV
NA=$((2000 / D))	# 1. client-side closes
NB=$((300 / D))		# 2. server-side closes
NE6=$((1000 / D))	# 6. IPv6 client-side closes
NE6S=$((200 / D))	# 6. IPv6 server-side closes
NE4=$((300 / D))	# 6. IPv4 client-side closes
NE=$((NE6 + NE6S + NE4))

require_root
require_cmd "$TW_GEN" "$SS"
tcptune_load
mkdir -p "$TMP" || die "mkdir $TMP"
defer "rm -rf $TMP"

# snap NS: /proc/net/{tcptune/stats,tcptune/timewait,netstat,sockstat} of NS
# into $TMP/NS.*
snap() {
	ip netns exec "$1" sh -c "cat /proc/net/tcptune/stats >$TMP/$1.stats;
		cat /proc/net/tcptune/timewait >$TMP/$1.tw;
		cat /proc/net/netstat >$TMP/$1.netstat;
		cat /proc/net/sockstat >$TMP/$1.sockstat" ||
		fail "snapshot of $1"
}

# getstat NS NAME: the counter NAME of the last snap of NS, in $val.
getstat() {
	val=
	while read -r _n _v; do
		[ "$_n" = "$2" ] && { val=$_v; return 0; }
	done <"$TMP/$1.stats"
	return 1
}

# mib NS NAME: TcpExt NAME of the last snap of NS, in $val.
mib() {
	val= _h= _v=
	while read -r _l; do
		case $_l in
		TcpExt:*)
			if [ -z "$_h" ]; then _h=$_l; else _v=$_l; break; fi ;;
		esac
	done <"$TMP/$1.netstat"
	_want=$2
	# shellcheck disable=SC2086 # split on purpose
	set -- $_v
	for _name in $_h; do
		[ "$_name" = "$_want" ] && { val=$1; return 0; }
		shift
	done
	return 1
}

# sockstat_tw NS: "tw" of the last snap's sockstat, in $val.
sockstat_tw() {
	val=
	while read -r _p _rest; do
		[ "$_p" = TCP: ] || continue
		set -- $_rest
		while [ $# -ge 2 ]; do
			[ "$1" = tw ] && { val=$2; return 0; }
			shift 2
		done
	done <"$TMP/$1.sockstat"
	return 1
}

# tw_row NS KIND ENDPOINT: count (and pct) of that row of the last snap.
tw_row() {
	count= pct=
	while read -r _k _e _c _p; do
		if [ "$_k" = "$2" ] && [ "$_e" = "$3" ]; then
			count=$_c pct=$_p
			return 0
		fi
	done <"$TMP/$1.tw"
	return 1
}

ss_tw() {
	val=$(ip netns exec "$1" "$SS" -Htan state time-wait | wc -l)
}

# Connections in flight when tw_gen returns settle in softirq; wait for
# ss to agree with the count we expect.
tw_settled() {
	ss_tw "$1"
	[ "$val" = "$2" ]
}

# tw_ns NAME...: setup_ns, with timewait sockets that only time out.
# - deaf to RSTs (RFC 1337). Under TCG a stalled vCPU can delay an ACK past
#   the RTO: the peer then retransmits its FIN, the timewait socket answers
#   with an ACK, the peer (already closed) answers that with a RST, and the
#   RST kills the timewait socket (CI saw 1976 of 2000).
# - not recycled (tcp_tw_reuse=0; the default 2 recycles on loopback). The
#   kernel walks the ephemeral ports of one parity, about 9 ports further
#   for each connect: 2,000 connects wrap the 14,116 even ports, and once a
#   timewait socket's timestamp is a second old, connect() takes its port
#   over (TWRecycled; a 6.12 run saw 1957 of 2000).
tw_ns() {
	setup_ns "$@"
	for _ns in "$@"; do
		eval "_ns=\$$_ns"
		ip netns exec "$_ns" sh -c '
			echo 1 >/proc/sys/net/ipv4/tcp_rfc1337 &&
			echo 0 >/proc/sys/net/ipv4/tcp_tw_reuse' ||
			fail "set tcp_rfc1337 and tcp_tw_reuse in $_ns"
	done
}

gen() { # gen NS ARGS...
	_ns=$1
	shift
	_out=$(ip netns exec "$_ns" "$TW_GEN" "$@" 2>&1) || fail "tw_gen $*: $_out"
	log "# $_ns: tw_gen $*: $_out"
}

read_debugfs() { # read_debugfs NAME: value in $val
	val=
	while read -r _n _v; do
		[ "$_n" = "$1" ] && { val=$_v; return 0; }
	done <"$TCPTUNE_DEBUGFS/timewait"
}

read_debugfs created_total
created0=$val
read_debugfs destroyed_total
destroyed0=$val

# 1. 2,000 connections closed by the client.
tw_ns a b
gen "$a" -p 8080 -n "$NA"
slowwait 20 tw_settled "$a" "$NA" || fail "ss does not show $NA TIME_WAIT in $a ($val)"
snap "$a"
getstat "$a" TimeWaitCurrent; cur=$val
getstat "$a" TimeWaitFinWait2; fw2=$val
ss_tw "$a"
check_eq "TimeWaitCurrent = ss state time-wait" "$cur" "$val"
sockstat_tw "$a"
check_eq "TimeWaitCurrent + TimeWaitFinWait2 = sockstat tw" "$((cur + fw2))" "$val"
check_eq "TimeWaitCurrent" "$cur" "$NA"
getstat "$a" TimeWaitCreated
check_eq "TimeWaitCreated" "$val" "$NA"
getstat "$a" TW; tw=$val
getstat "$a" TWKilled; twk=$val
mib "$a" TW
check_eq "TW = TcpExtTW" "$tw" "$val"
mib "$a" TWKilled
check_eq "TWKilled = TcpExtTWKilled" "$twk" "$val"
check_eq "TW + TWKilled = TimeWaitCreated" "$((tw + twk))" "$NA"

sysctl_get net.ipv4.ip_local_port_range range
set -- $range
nports=$(($2 - $1 + 1))
p=$((NA * 10000 / nports))
want_pct=$((p / 100)).$(printf '%02d' $((p % 100)))
if tw_row "$a" remote 127.0.0.1:8080; then
	check_eq "remote 127.0.0.1:8080 count" "$count" "$NA"
	check_eq "remote 127.0.0.1:8080 pct of $nports ports" "$pct" "$want_pct"
else
	fail "no remote row for 127.0.0.1:8080"
	sed 's/^/    /' "$TMP/$a.tw"
fi
log "# $(head -n 1 "$TMP/$a.tw")"

# 2. Server-side close, in another netns: the listening port is the local
# endpoint; the namespaces do not see each other's sockets.
gen "$b" -p 9090 -n "$NB" -s
slowwait 20 tw_settled "$b" "$NB" || fail "ss does not show $NB TIME_WAIT in $b ($val)"
snap "$b"
if tw_row "$b" local 127.0.0.1:9090; then
	check_eq "local 127.0.0.1:9090 count" "$count" "$NB"
else
	fail "no local row for 127.0.0.1:9090"
	sed 's/^/    /' "$TMP/$b.tw"
fi
getstat "$b" TimeWaitCreated
check_eq "$b: TimeWaitCreated" "$val" "$NB"
getstat "$b" TimeWaitCurrent
check_eq "$b: TimeWaitCurrent" "$val" "$NB"
snap "$a"
getstat "$a" TimeWaitCreated
check_eq "$a: TimeWaitCreated unchanged by $b" "$val" "$NA"
tw_row "$a" local 127.0.0.1:9090 && fail "$a shows $b's sockets"

# 3. procfs and netlink print one list; the dump shows the same rows
# (right away: on a debug kernel the sockets of part 1 expire soon).
if [ -x "$TCPTUNECTL" ]; then
	out=$(ip netns exec "$a" "$TCPTUNECTL" timewait by remote top 1 2>&1)
	check_match "tcptunectl timewait by remote" "$out" \
		"*remote 127.0.0.1:8080 $NA $want_pct*"
	out=$(ip netns exec "$b" "$TCPTUNECTL" -j timewait by local 2>&1)
	check_match "tcptunectl -j timewait by local" "$out" \
		"*\"127.0.0.1:9090\"*$NB*"
	out=$(ip netns exec "$a" "$TCPTUNECTL" stats 2>&1)
	case $out in
	*TimeWaitCurrent*) ;;
	*) fail "tcptunectl stats lacks TimeWaitCurrent: $out" ;;
	esac
fi

# 4. tcp_max_tw_buckets=100: the overflow mirror follows the MIB.
tw_ns c
ip netns exec "$c" sh -c 'echo 100 >/proc/sys/net/ipv4/tcp_max_tw_buckets' ||
	fail "set tcp_max_tw_buckets"
snap "$c"
mib "$c" TCPTimeWaitOverflow; m0=${val:-0}
getstat "$c" TCPTimeWaitOverflow; s0=$val
gen "$c" -p 8080 -n 300
snap "$c"
mib "$c" TCPTimeWaitOverflow; m1=$val
getstat "$c" TCPTimeWaitOverflow; s1=$val
check_ne "TCPTimeWaitOverflow moved" "$m1" "$m0"
check_eq "TCPTimeWaitOverflow delta = MIB delta" "$((s1 - s0))" "$((m1 - m0))"
getstat "$c" TimeWaitCurrent; cur=$val
getstat "$c" TimeWaitFinWait2
check_eq "tw sockets capped at 100" "$((cur + val))" 100

# 5. tcp_tw_reuse=1 with a small port range: the second round must reuse.
tw_ns d
ip netns exec "$d" sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_tw_reuse;
	echo 40000 40049 >/proc/sys/net/ipv4/ip_local_port_range' ||
	fail "set tcp_tw_reuse / ip_local_port_range"
if [ -x "$TCPTUNECTL" ]; then
	ip netns exec "$d" "$TCPTUNECTL" monitor count 1 >"$TMP/monitor" 2>&1 &
	mon=$!
	defer "kill $mon"
fi
gen "$d" -p 8080 -n 50
snap "$d"
mib "$d" TWRecycled; m0=${val:-0}
getstat "$d" TWRecycled; s0=$val
getstat "$d" TimeWaitDestroyed; d0=$val
# Recycling keeps the destination at (nearly) 50 of 50 ports: it crosses
# tw_warn_pct again.
if [ -x "$TCPTUNECTL" ]; then
	check_ok "config set tw_warn_pct" \
		ip netns exec "$d" "$TCPTUNECTL" config set tw_warn_pct 100
fi
sleep 1.2	# tcp_twsk_unique() wants the last timestamp a second old
gen "$d" -p 8080 -n 50
snap "$d"
mib "$d" TWRecycled; m1=$val
getstat "$d" TWRecycled; s1=$val
getstat "$d" TimeWaitDestroyed; d1=$val
check_ne "TWRecycled moved" "$m1" "$m0"
check_eq "TWRecycled delta = MIB delta" "$((s1 - s0))" "$((m1 - m0))"
check_eq "TimeWaitDestroyed delta = TWRecycled delta" "$((d1 - d0))" "$((s1 - s0))"
# A round slower than a second recycles its own sockets too (connect()
# prefers a recyclable port of the parity it walks first to a free one):
# the row must match ss, not 50.
ss_tw "$d"
log "# $d: $val TIME_WAIT sockets on 50 ports after two rounds"
if tw_row "$d" remote 127.0.0.1:8080; then
	check_eq "$d: remote 127.0.0.1:8080 count = ss" "$count" "$val"
	check_eq "$d: remote 127.0.0.1:8080 pct of 50 ports" "$pct" "$((val * 2)).00"
else
	fail "$d: no remote row"
fi

if [ -x "$TCPTUNECTL" ]; then
	getstat "$d" EventsSent
	[ "${val:-0}" -ge 1 ] || fail "no tw-exhaustion event sent in $d"
	log "# monitor: $(cat "$TMP/monitor")"
fi

# 6. IPv6, in a netns of its own: 1,000 client-side closes towards
# [::1]:8080, 200 server-side closes on [::1]:9091 and 300 IPv4 client
# closes. Both families share the netns's death row: sockstat's "tw", ss and
# the TW MIB (nstat) count both, and so must the gauge.
tw_ns e
gen "$e" -6 -p 8080 -n "$NE6"
gen "$e" -6 -p 9091 -n "$NE6S" -s
gen "$e" -p 9090 -n "$NE4"
slowwait 20 tw_settled "$e" "$NE" || fail "ss does not show $NE TIME_WAIT in $e ($val)"
snap "$e"
getstat "$e" TimeWaitCurrent; cur=$val
getstat "$e" TimeWaitFinWait2; fw2=$val
check_eq "$e: TimeWaitCurrent, both families" "$cur" "$NE"
check_eq "$e: TimeWaitFinWait2" "$fw2" 0
ss_tw "$e"
check_eq "$e: TimeWaitCurrent = ss state time-wait" "$cur" "$val"
sockstat_tw "$e"
check_eq "$e: TimeWaitCurrent + TimeWaitFinWait2 = sockstat tw" "$((cur + fw2))" "$val"
out=$(ip netns exec "$e" "$TW_GEN" -c 2>&1)
check_match "$e: inet_diag counts per family" "$out" \
	"timewait4 $NE4 timewait6 $((NE6 + NE6S)) *"
getstat "$e" TimeWaitCreated
check_eq "$e: TimeWaitCreated" "$val" "$NE"
getstat "$e" TW; tw=$val
out=$(ip netns exec "$e" "$NSTAT" -az TcpExtTW 2>&1)
# shellcheck disable=SC2086 # split on purpose
set -- $out
check_eq "$e: TW = nstat TcpExtTW" "$tw" "$3"
check_eq "$e: nstat TcpExtTW" "$3" "$NE"
p=$((NE6 * 10000 / nports))
want6=$((p / 100)).$(printf '%02d' $((p % 100)))
if tw_row "$e" remote "[::1]:8080"; then
	check_eq "$e: remote [::1]:8080 count" "$count" "$NE6"
	check_eq "$e: remote [::1]:8080 pct of $nports ports" "$pct" "$want6"
else
	fail "$e: no remote row for [::1]:8080"
	sed 's/^/    /' "$TMP/$e.tw"
fi
if tw_row "$e" local "[::1]:9091"; then
	check_eq "$e: local [::1]:9091 count" "$count" "$NE6S"
else
	fail "$e: no local row for [::1]:9091"
fi
tw_row "$e" remote 127.0.0.1:9090 &&
	check_eq "$e: remote 127.0.0.1:9090 count" "$count" "$NE4"
ages=0
while read -r _k _e _c _p; do
	case $_k in age) ages=$((ages + _c)) ;; esac
done <"$TMP/$e.tw"
check_eq "$e: age rows add up" "$ages" "$NE"
if [ -x "$TCPTUNECTL" ]; then
	out=$(ip netns exec "$e" "$TCPTUNECTL" -j timewait by remote top 2 2>&1)
	check_match "$e: tcptunectl -j timewait by remote" "$out" \
		"[[]{\"kind\":\"remote\",\"endpoint\":\"[[]::1]:8080\",\"count\":$NE6,*"
	out=$(ip netns exec "$e" "$TCPTUNECTL" timewait by local top 1 2>&1)
	check_match "$e: tcptunectl timewait by local" "$out" \
		"*local [[]::1]:9091 $NE6S -*"
	# 1,301 local endpoints: the server's, then the clients' (1 socket
	# each) by port; at most 300 of the 999 shown can be IPv4.
	shown=$((NE6 + NE4 < 999 ? NE6 + NE4 : 999))
	ip netns exec "$e" "$TCPTUNECTL" timewait by local top 1000 \
		>"$TMP/$e.local" 2>&1
	v6=0 v4=0 other=
	while read -r _k _e _c _p; do
		case $_k:$_e:$_c in
		"local:[::1]:9091:$NE6S") ;;
		'local:[::1]:'*:1) v6=$((v6 + 1)) ;;
		local:127.0.0.1:*:1) v4=$((v4 + 1)) ;;
		kind:*) ;;
		*) other="$other $_k:$_e:$_c" ;;
		esac
	done <"$TMP/$e.local"
	check_eq "$e: local client rows, 1 socket each" "$((v6 + v4))$other" "$shown"
	[ "$v6" -ge $((shown - NE4)) ] ||
		fail "$e: $v6 IPv6 client rows ([::1]:port) of $shown"
fi

# 7. Teardown: every timewait socket made here is destroyed with its netns.
cleanup_all_ns
all_destroyed() {
	read_debugfs created_total; c=$val
	read_debugfs destroyed_total
	[ $((val - destroyed0)) -ge $((c - created0)) ]
}
slowwait 60 all_destroyed ||
	fail "created $((c - created0)) timewait sockets, destroyed $((val - destroyed0))"
sed 's/^/# /' "$TCPTUNE_DEBUGFS/timewait"

# 8. Timewait sockets that existed before tcptune tracked their netns, all
# towards one destination, recycled by new connections to it: their frees
# must not cancel the new sockets in the destination's count, or the count
# never reaches tw_warn_pct (default 50: 25 of the 50 ports) and no
# tw-exhaustion event is sent. Last: it reloads the module.
if [ -x "$TCPTUNECTL" ]; then
	tcptune_unload
	tw_ns g
	ip netns exec "$g" sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_tw_reuse;
		echo 40000 40049 >/proc/sys/net/ipv4/ip_local_port_range' ||
		fail "set tcp_tw_reuse / ip_local_port_range in $g"
	gen "$g" -p 8080 -n 50
	tcptune_load
	ip netns exec "$g" "$TCPTUNECTL" monitor count 1 >"$TMP/monitor8" 2>&1 &
	mon8=$!
	defer "kill $mon8"
	sleep 1.2	# tcp_twsk_unique() wants the last timestamp a second old
	gen "$g" -p 8080 -n 50
	snap "$g"
	getstat "$g" TWRecycled
	if [ "${val:-0}" -ge 25 ]; then
		getstat "$g" EventsSent
		if [ "${val:-0}" -ge 1 ]; then
			pass "$g: tw-exhaustion event after recycling older sockets"
		else
			fail "$g: no tw-exhaustion event after recycling older sockets"
		fi
		log "# monitor: $(cat "$TMP/monitor8")"
	else
		fail "$g: only ${val:-0} of 50 older sockets recycled"
	fi
fi

ksft_exit
