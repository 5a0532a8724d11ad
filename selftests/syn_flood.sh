#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A raw SYN flood (syn_flood.c): random source addresses (198.18.0.0/15) and
# ports, from netns F through a veth to a listener with backlog 8 in netns S,
# for SYN_FLOOD_SECS seconds (default 3) at the highest rate the machine
# gives, with tcp_syncookies 0, 1 and 2. S routes 198.18.0.0/15 to F, which
# does not forward: the SYN-ACKs die there.
#
# After each flood the listener is closed (its counters are final) and
#   - the listener's ListenOverflows, ListenDrops, TCPReqQFullDrop,
#     TCPReqQFullDoCookies and SyncookiesSent (/proc/net/tcptune/listeners)
#     and the deltas of the same totals in /proc/net/tcptune/stats equal
#     the deltas of the kernel's TcpExt MIBs of S, exactly;
#   - SynAckRetrans (listener and stats delta) equals the TCPSynRetrans
#     delta exactly (S has no client sockets whose SYN retransmits would be
#     counted there too);
#   - the *Unattributed stats of S stay 0;
#   - the counters the scenario must trigger moved.
# Prints the SYN rate sent and the SYNs S's TCP received (Tcp InSegs).

. "${0%/*}/lib.sh"

FLOOD=${0%/*}/syn_flood
SECS=${SYN_FLOOD_SECS:-3}
MIRRORED="ListenOverflows ListenDrops TCPReqQFullDrop TCPReqQFullDoCookies SyncookiesSent"
DST=10.99.0.1

require_root
[ -x "$FLOOD" ] || skip "syn_flood not built"
tcptune_load
require_module veth

setup_ns S F
ip -n "$S" link add sf0 type veth peer name sf1 netns "$F" ||
	die "cannot make a veth pair"
ip -n "$S" addr add "$DST/24" dev sf0
ip -n "$S" link set sf0 up
ip -n "$F" addr add 10.99.0.2/24 dev sf1
ip -n "$F" link set sf1 up
ip -n "$S" route add 198.18.0.0/15 via 10.99.0.2 ||
	die "cannot route the SYN-ACKs to F"
ip -n "$F" route add blackhole 198.18.0.0/15

# scenario COOKIES PORT MUSTCOUNT
scenario() {
	_ck=$1 _port=$2 _must=$3
	_name="syncookies=$_ck"
	ip netns exec "$S" sh -c "echo $_ck >/proc/sys/net/ipv4/tcp_syncookies" ||
		die "cannot set tcp_syncookies"
	netns_mib_snap "$S" b
	netns_stats_snap "$S" sb
	if ! _out=$(ip netns exec "$S" "$FLOOD" -n "/run/netns/$F" -a "$DST" \
			-P "$_port" -b 8 -t "$SECS"); then
		fail "$_name: syn_flood failed: $_out"
		return 1
	fi
	netns_mib_snap "$S" a
	netns_stats_snap "$S" sa
	listener_row "$S" "$_port"
	log "# $_name: $_out; S received $((a_InSegs - b_InSegs)) TCP segments ($(((a_InSegs - b_InSegs) / SECS))/s)"
	if [ -z "$r_local" ]; then
		fail "$_name: no row for port $_port"
		return 1
	fi
	_ok=1 _line=
	for _c in $MIRRORED; do
		eval "_mib=\$((a_$_c - b_$_c)) _tot=\$((sa_$_c - sb_$_c)) _row=\$r_$_c"
		eval "_un=\$sa_${_c}Unattributed"
		_line="$_line $_c=$_row"
		check_eq "$_name: $_c of the listener = MIB delta" "$_row" "$_mib" || _ok=0
		check_eq "$_name: $_c stats total delta = MIB delta" "$_tot" "$_mib" || _ok=0
		check_eq "$_name: ${_c}Unattributed" "$_un" 0 || _ok=0
	done
	_syn=$((a_TCPSynRetrans - b_TCPSynRetrans))
	_line="$_line SynAckRetrans=$r_SynAckRetrans"
	check_eq "$_name: SynAckRetrans of the listener = TCPSynRetrans delta" \
		"$r_SynAckRetrans" "$_syn" || _ok=0
	check_eq "$_name: SynAckRetrans stats total delta = TCPSynRetrans delta" \
		"$((sa_SynAckRetrans - sb_SynAckRetrans))" "$_syn" || _ok=0
	check_eq "$_name: state after close" "$r_state" closed || _ok=0
	for _c in $_must; do
		eval "_v=\$r_$_c"
		[ "$_v" -gt 0 ] || { fail "$_name: $_c did not move"; _ok=0; }
	done
	log "# $_name ($r_local, backlog $r_backlog): listener = MIB deltas:$_line"
	[ "$_ok" = 1 ] && pass "$_name: listener counters = MIB deltas"
}

scenario 0 5000 "TCPReqQFullDrop ListenDrops"
scenario 1 5001 "TCPReqQFullDoCookies SyncookiesSent"
scenario 2 5002 "TCPReqQFullDoCookies SyncookiesSent"

ksft_exit
