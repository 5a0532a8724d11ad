#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Per-listener queue counters (/proc/net/tcptune/listeners) against the
# kernel's MIBs (/proc/net/netstat, read directly):
#   - every hook is registered;
#   - accept-queue overflow (backlog 1, never accepts) on IPv4, IPv6 and a
#     v4-mapped dual-stack listener; an idle listener stays at zero;
#   - SYN-queue overflow (TCP_DEFER_ACCEPT keeps handshakes in the SYN queue)
#     with tcp_syncookies 0, 1 and 2;
#   - a burst of thousands of connections from 4 processes;
#   - two network namespaces see only their own listeners and counters;
#   - closed listeners beyond listeners_closed_max are evicted and counted;
#   - tcptunectl -j listeners agrees with the procfs file (when built).
# For each scenario the listener's counters, the stats totals and the MIB
# deltas must be equal, and the *Unattributed stats must stay 0. Nothing
# depends on timing: only equalities after the load generator has closed
# everything, and "> 0" where the scenario must trigger a counter.

. "${0%/*}/lib.sh"

FLOOD=${0%/*}/listen_flood
MIRRORED="ListenOverflows ListenDrops TCPReqQFullDrop TCPReqQFullDoCookies SyncookiesSent"
LISTENERS=/proc/net/tcptune/listeners

require_root
[ -x "$FLOOD" ] || skip "listen_flood not built"
tcptune_load

# --- helpers ---------------------------------------------------------------

# mib_snap NS PREFIX: TcpExt counters of NS as ${PREFIX}_Name.
mib_snap() {
	eval "$(ip netns exec "$1" awk -v p="$2" '
		$1 == "TcpExt:" {
			if (!seen) { for (i = 2; i <= NF; i++) n[i] = $i; seen = 1 }
			else for (i = 2; i <= NF; i++)
				if (n[i] ~ /^(ListenOverflows|ListenDrops|TCPReqQFullDrop|TCPReqQFullDoCookies|SyncookiesSent|TCPSynRetrans)$/)
					print p "_" n[i] "=" $i
		}' /proc/net/netstat)"
}

# stats_snap NS PREFIX: /proc/net/tcptune/stats of NS as ${PREFIX}_Name.
stats_snap() {
	_t=$(ip netns exec "$1" cat "$TCPTUNE_PROC")
	while read -r _n _v; do
		eval "${2}_$_n=\$_v"
	done <<EOF
$_t
EOF
}

# row NS PORT: the listeners row of PORT in NS as r_<column> (r_local empty
# when there is none).
row() {
	r_local=
	_t=$(ip netns exec "$1" cat "$LISTENERS")
	while read -r _l _b _a _s _o _d _rd _rc _cs _sr _st; do
		case $_l in
		*:"$2")
			r_local=$_l r_backlog=$_b r_acceptq=$_a r_synq=$_s
			r_ListenOverflows=$_o r_ListenDrops=$_d
			r_TCPReqQFullDrop=$_rd r_TCPReqQFullDoCookies=$_rc
			r_SyncookiesSent=$_cs r_SynAckRetrans=$_sr r_state=$_st
			;;
		esac
	done <<EOF
$_t
EOF
}

syncookies() {
	ip netns exec "$1" sh -c "echo $2 >/proc/sys/net/ipv4/tcp_syncookies" ||
		die "cannot set tcp_syncookies"
}

# scenario NAME NS PORT MUSTCOUNT FLOOD-ARGS...: run the generator, then
# compare. MUSTCOUNT: space-separated counters that must have moved.
scenario() {
	_name=$1 _ns=$2 _port=$3 _must=$4
	shift 4
	mib_snap "$_ns" b
	stats_snap "$_ns" sb
	if ! ip netns exec "$_ns" "$FLOOD" -P "$_port" "$@"; then
		fail "$_name: listen_flood $* failed"
		return 1
	fi
	mib_snap "$_ns" a
	stats_snap "$_ns" sa
	row "$_ns" "$_port"
	if [ -z "$r_local" ]; then
		fail "$_name: no row for port $_port in $LISTENERS"
		return 1
	fi
	_ok=1 _line=
	for _c in $MIRRORED; do
		eval "_mib=\$((a_$_c - b_$_c)) _tot=\$((sa_$_c - sb_$_c)) _row=\$r_$_c"
		eval "_un=\$sa_${_c}Unattributed"
		_line="$_line $_c=$_row/$_mib"
		check_eq "$_name: $_c of the listener = MIB delta" "$_row" "$_mib" || _ok=0
		check_eq "$_name: $_c stats total delta = MIB delta" "$_tot" "$_mib" || _ok=0
		check_eq "$_name: ${_c}Unattributed" "$_un" 0 || _ok=0
	done
	_syn=$((a_TCPSynRetrans - b_TCPSynRetrans))
	_tot=$((sa_SynAckRetrans - sb_SynAckRetrans))
	_line="$_line SynAckRetrans=$r_SynAckRetrans/TCPSynRetrans=$_syn"
	check_eq "$_name: SynAckRetrans stats total delta = listener" "$_tot" "$r_SynAckRetrans" || _ok=0
	[ "$r_SynAckRetrans" -le "$_syn" ] ||
		{ fail "$_name: SynAckRetrans $r_SynAckRetrans > TCPSynRetrans delta $_syn"; _ok=0; }
	check_eq "$_name: state after close" "$r_state" closed || _ok=0
	for _c in $_must; do
		eval "_v=\$r_$_c"
		[ "$_v" -gt 0 ] || { fail "$_name: $_c did not move"; _ok=0; }
	done
	log "# $_name ($r_local): listener/MIB$_line"
	[ "$_ok" = 1 ] && pass "$_name: listener counters = MIB deltas"
}

# --- hooks -------------------------------------------------------------------

if [ -r "$TCPTUNE_DEBUGFS/hooks" ]; then
	n=0
	while read -r kind sym reg rest; do
		case $kind in
		kprobe|kretprobe)
			n=$((n + 1))
			check_eq "hook $sym registered" "$reg" yes ;;
		esac
	done <"$TCPTUNE_DEBUGFS/hooks"
	[ "$n" -ge 8 ] || fail "hooks: $n hooks listed, want 8"
else
	log "# no $TCPTUNE_DEBUGFS/hooks (debugfs not mounted?)"
fi

# --- scenarios ------------------------------------------------------------

setup_ns A B
for ns in "$A" "$B"; do
	ip netns exec "$ns" sh -c 'echo 16 >/proc/sys/net/ipv4/tcp_max_syn_backlog'
done

# B first: its numbers must not change while A is flooded.
syncookies "$B" 1
scenario "netns B accept overflow" "$B" 7001 ListenOverflows -b 1 -n 20 -w 500
stats_snap "$B" b0
row "$B" 7001
b_row0="$r_ListenOverflows $r_ListenDrops $r_SynAckRetrans"

syncookies "$A" 1
scenario "IPv4 accept overflow" "$A" 5001 ListenOverflows -f 4 -b 1 -n 50 -i 5101
row "$A" 5101
if [ -z "$r_local" ]; then
	fail "idle listener 5101: no row"
else
	check_eq "idle listener unchanged" \
		"$r_ListenOverflows $r_ListenDrops $r_TCPReqQFullDrop $r_TCPReqQFullDoCookies $r_SyncookiesSent $r_SynAckRetrans" \
		"0 0 0 0 0 0"
fi
scenario "IPv6 accept overflow" "$A" 5002 ListenOverflows -f 6 -b 1 -n 50
case $r_local in
"[::1]:5002") ;;
*) fail "IPv6 listener shown as '$r_local', want [::1]:5002" ;;
esac
scenario "v4-mapped accept overflow" "$A" 5003 ListenOverflows -f m -b 1 -n 50
case $r_local in
"[::]:5003") ;;
*) fail "dual-stack listener shown as '$r_local', want [::]:5003" ;;
esac

syncookies "$A" 0
scenario "SYN queue full, syncookies=0" "$A" 5004 "TCPReqQFullDrop ListenDrops" \
	-d -b 8 -n 50 -w 1500
syncookies "$A" 1
scenario "SYN queue full, syncookies=1" "$A" 5005 "TCPReqQFullDoCookies SyncookiesSent" \
	-d -b 8 -n 50 -w 1500
scenario "SYN queue full IPv6, syncookies=1" "$A" 5006 "TCPReqQFullDoCookies SyncookiesSent" \
	-f 6 -d -b 8 -n 50 -w 1500
syncookies "$A" 2
scenario "syncookies=2" "$A" 5007 "SyncookiesSent" -b 4 -n 50 -w 500

syncookies "$A" 1
scenario "burst, 4 processes x 800" "$A" 5008 "ListenOverflows" \
	-p 4 -n 800 -b 16 -w 500
syncookies "$A" 0
scenario "burst, syncookies=0, 4 x 800" "$A" 5009 "" \
	-p 4 -n 800 -b 16 -d -w 500

# --- SYN-ACK retransmits: acked requests kept by TCP_DEFER_ACCEPT=1 s get
# their SYN-ACK resent at the first timeout. Hold the listener open until
# that was counted (polling, no timing assumption), then compare.

fifo_in=/tmp/listeners.$$.in
fifo_out=/tmp/listeners.$$.out
mkfifo "$fifo_in" "$fifo_out" || die "mkfifo"
defer "rm -f $fifo_in $fifo_out"

# hold_start NS FLOOD-ARGS...: run listen_flood -H in the background; it
# has done its connects when this returns. hold_stop ends it.
hold_start() {
	_hns=$1
	shift
	ip netns exec "$_hns" "$FLOOD" -H "$@" <"$fifo_in" >"$fifo_out" &
	exec 8>"$fifo_in"
	read -r _ready <"$fifo_out"
	check_eq "listen_flood -H $* ready" "$_ready" ready
}
hold_stop() {
	exec 8>&-
	wait
}

synack_moved() {
	row "$A" 5011
	[ -n "$r_SynAckRetrans" ] && [ "$r_SynAckRetrans" -gt 0 ]
}

syncookies "$A" 1
mib_snap "$A" b
stats_snap "$A" sb
hold_start "$A" -P 5011 -D 1 -b 8 -n 4 -w 100
slowwait 60 synack_moved || fail "SYN-ACK retransmits: none counted in 60 s"
hold_stop
mib_snap "$A" a
stats_snap "$A" sa
row "$A" 5011
syn=$((a_TCPSynRetrans - b_TCPSynRetrans))
log "# SYN-ACK retransmits (127.0.0.1:5011): listener $r_SynAckRetrans, stats $((sa_SynAckRetrans - sb_SynAckRetrans)), TCPSynRetrans $syn"
check_eq "SynAckRetrans of the listener = TCPSynRetrans delta (no client SYN retransmits)" \
	"$r_SynAckRetrans" "$syn" &&
	check_eq "SynAckRetrans stats delta = TCPSynRetrans delta" \
		"$((sa_SynAckRetrans - sb_SynAckRetrans))" "$syn" &&
	pass "SYN-ACK retransmits counted exactly"

# --- isolation ----------------------------------------------------------------

stats_snap "$B" b1
row "$B" 7001
check_eq "netns B listener unchanged by A's load" \
	"$r_ListenOverflows $r_ListenDrops $r_SynAckRetrans" "$b_row0"
for c in $MIRRORED SynAckRetrans; do
	eval "check_eq \"netns B \$c total unchanged\" \$b1_$c \$b0_$c"
done
row "$B" 5001
check_eq "netns B does not see A's listener" "$r_local" "" || ok=0
row "$A" 7001
check_eq "netns A does not see B's listener" "$r_local" ""

# --- tcptunectl -j listeners against procfs (listener still open) ---------

if "$TCPTUNECTL" listeners >/dev/null 2>&1; then
	hold_start "$A" -P 5010 -b 2 -n 3 -w 300
	row "$A" 5010
	check_eq "held listener state" "$r_state" listen
	check_eq "held listener backlog" "$r_backlog" 2
	check_eq "held listener acceptq (3 clients, never accepted)" "$r_acceptq" 3
	json=$(ip netns exec "$A" "$TCPTUNECTL" -j listeners port 5010)
	want="$r_local $r_backlog $r_acceptq $r_synq $r_ListenOverflows $r_ListenDrops $r_TCPReqQFullDrop $r_TCPReqQFullDoCookies $r_SyncookiesSent $r_SynAckRetrans $r_state"
	got=$(printf '%s\n' "$json" | jq -r '.[] | "\(.local) \(.backlog) \(.acceptq) \(.synq) \(.ListenOverflows) \(.ListenDrops) \(.TCPReqQFullDrop) \(.TCPReqQFullDoCookies) \(.SyncookiesSent) \(.SynAckRetrans) \(.state)"')
	check_eq "tcptunectl -j listeners port 5010 = procfs row" "$got" "$want" &&
		pass "tcptunectl -j listeners agrees with procfs"
	n=$(ip netns exec "$A" "$TCPTUNECTL" -j listeners | jq length)
	rows=$(ip netns exec "$A" cat "$LISTENERS" | grep -c :)
	check_eq "tcptunectl -j listeners: as many listeners as procfs rows" "$n" "$rows"
	n=$(ip netns exec "$A" "$TCPTUNECTL" -j listeners overflowing | jq length)
	[ "$n" -ge 1 ] || fail "tcptunectl listeners overflowing: $n listeners, want >= 1"
	hold_stop

	# listen-overflow events: a new overflowing listener until one is heard.
	mon=/tmp/listeners.$$.mon
	defer "rm -f $mon"
	ip netns exec "$A" "$TCPTUNECTL" -j monitor count 1 >"$mon" 2>&1 &
	mon_pid=$!
	port=5100
	got=
	while [ "$port" -lt 5120 ]; do
		port=$((port + 1))
		ip netns exec "$A" "$FLOOD" -P "$port" -b 1 -n 10 -w 100
		read -r got <"$mon"
		[ -n "$got" ] && break
	done
	kill "$mon_pid" 2>/dev/null
	wait "$mon_pid" 2>/dev/null
	ev=$(printf '%s\n' "$got" | jq -r '"\(.event) \(.kind) \(.local) \(.count > 0)"' 2>&1)
	case $ev in
	"listen-overflow accept-queue 127.0.0.1:51"[0-9][0-9]" true")
		pass "listen-overflow event: $ev" ;;
	*)
		fail "listen-overflow event: got '$got'" ;;
	esac
else
	log "# tcptunectl has no 'listeners' command: JSON check skipped"
fi

# --- closed listeners: the last listeners_closed_max kept, the rest evicted --
# In a fresh netns, N = max + 36 listeners (ports 8000..) open at once (ss
# counts them), then close in port order: the newest max closed rows stay,
# and ListenersClosedEvicted is N - max, what this test did, not what the
# module says about itself.

setup_ns C
cmax=$(cat /sys/module/tcptune/parameters/listeners_closed_max 2>/dev/null)
cmax=${cmax:-64}
nl=$((cmax + 36))
stats_snap "$C" c0
hold_start "$C" -P 8000 -n 0 -w 0 -L $((nl - 1))
ok=1
val=$(ip netns exec "$C" "$SS" -Htln | wc -l)
check_eq "closed listeners: ss -tln count while open" "$val" "$nl" || ok=0
n_listen=$(ip netns exec "$C" awk '$NF == "listen"' "$LISTENERS" | wc -l)
check_eq "closed listeners: listen rows while open" "$n_listen" "$nl" || ok=0
hold_stop
stats_snap "$C" c1
n_closed=$(ip netns exec "$C" awk '$NF == "closed"' "$LISTENERS" | wc -l)
check_eq "closed listeners: closed rows kept" "$n_closed" "$cmax" || ok=0
check_eq "closed listeners: ListenersClosedEvicted" \
	"$((c1_ListenersClosedEvicted - c0_ListenersClosedEvicted))" "$((nl - cmax))" || ok=0
row "$C" 8000
check_eq "closed listeners: the first closed (8000) is evicted" "$r_local" "" || ok=0
row "$C" $((8000 + nl - 1))
check_eq "closed listeners: the last closed is kept" "$r_state" closed || ok=0
[ "$ok" = 1 ] &&
	pass "closed listeners: $cmax of $nl kept, $((nl - cmax)) evicted and counted"
cleanup_ns "$C"

# --- a listener that exists before the module is loaded -------------------
# Also unloads with live and closed entries in two namespaces.

hold_start "$A" -P 5200 -b 2 -n 3 -w 300
tcptune_unload
tcptune_load
row "$A" 5200
check_eq "listener found at load: row" "$r_local $r_state $r_backlog $r_acceptq" \
	"127.0.0.1:5200 listen 2 3" && pass "listener made before load is tracked"
hold_stop
row "$A" 5200
check_eq "listener found at load: state after close" "$r_state" closed

if [ -r "$TCPTUNE_DEBUGFS/hooks" ]; then
	while IFS= read -r line; do
		log "# hooks: $line"
	done <"$TCPTUNE_DEBUGFS/hooks"
fi
stats_snap "$A" s
log "# netns A unattributed since reload: ListenOverflows $s_ListenOverflowsUnattributed ListenDrops $s_ListenDropsUnattributed"

ksft_exit
