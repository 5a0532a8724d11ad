# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the tcptune selftests. POSIX sh (the VM runs busybox ash).
#
#   . "${0%/*}/lib.sh"
#
# Tools: the VM's /bin/sh is busybox, which runs its own applets for bare
# names like "ip" or "modprobe" whatever PATH says. So the real tools have
# absolute paths in $IP, $TC, $SS, $NSTAT, $MODPROBE, ... and shell functions
# of the same names (ip, tc, ss, nstat, modprobe, ...) that call them;
# functions take precedence over applets. Pass the variables, not the names,
# to programs that run commands (timeout, nsenter, setpriv, ...); "ip netns
# exec NS prog" is fine since iproute2 searches PATH itself.
#
# Results: check_* helpers print "FAIL: ..." and set ret=$KSFT_FAIL without
# exiting; end a test with "ksft_exit". skip "why" exits with $KSFT_SKIP.
#
# Cleanup: network namespaces made by setup_ns are deleted and commands
# registered with defer run (last first) when the test exits, including on
# SIGTERM from the runner's timeout.
#
# Under TCG every exec costs ~50 ms: prefer shell builtins (read, case,
# test) to grep/sed/awk in loops.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_XFAIL=2
KSFT_XPASS=3
KSFT_SKIP=4

ret=$KSFT_PASS

# tool VAR NAME DEFAULT_PATH: absolute path of a tool, the Debian location
# first (that is where the VM has it), else what PATH finds.
_tool() {
	if [ -x "$3" ]; then
		eval "$1=\$3"
	elif _p=$(command -v "$2" 2>/dev/null) && [ "${_p#/}" != "$_p" ]; then
		eval "$1=\$_p"
	else
		eval "$1=\$3"
	fi
}
_tool IP ip /usr/bin/ip
_tool SS ss /usr/bin/ss
_tool TC tc /usr/sbin/tc
_tool NSTAT nstat /usr/bin/nstat
_tool MODPROBE modprobe /usr/sbin/modprobe
_tool INSMOD insmod /usr/sbin/insmod
_tool RMMOD rmmod /usr/sbin/rmmod
_tool LSMOD lsmod /usr/bin/lsmod
_tool MODINFO modinfo /usr/sbin/modinfo
_tool IPERF3 iperf3 /usr/bin/iperf3
_tool JQ jq /usr/bin/jq
_tool UNSHARE unshare /usr/bin/unshare
_tool NSENTER nsenter /usr/bin/nsenter
_tool SETPRIV setpriv /usr/bin/setpriv
_tool TIMEOUT timeout /usr/bin/timeout
_tool TCPTUNECTL tcptunectl /usr/sbin/tcptunectl

ip() { "$IP" "$@"; }
ss() { "$SS" "$@"; }
tc() { "$TC" "$@"; }
nstat() { "$NSTAT" "$@"; }
modprobe() { "$MODPROBE" "$@"; }
insmod() { "$INSMOD" "$@"; }
rmmod() { "$RMMOD" "$@"; }
lsmod() { "$LSMOD" "$@"; }
modinfo() { "$MODINFO" "$@"; }
iperf3() { "$IPERF3" "$@"; }
jq() { "$JQ" "$@"; }
unshare() { "$UNSHARE" "$@"; }
nsenter() { "$NSENTER" "$@"; }
setpriv() { "$SETPRIV" "$@"; }
tcptunectl() { "$TCPTUNECTL" "$@"; }

# --- reporting ----------------------------------------------------------

log() { echo "$*"; }
fail() {
	echo "FAIL: $*"
	ret=$KSFT_FAIL
}
pass() { echo "PASS: $*"; }
skip() {
	echo "SKIP: $*"
	exit $KSFT_SKIP
}
# Stop the test now, counting it failed.
die() {
	fail "$@"
	exit $KSFT_FAIL
}
ksft_exit() { exit "$ret"; }

# check_eq NAME GOT WANT
check_eq() {
	[ "$2" = "$3" ] && return 0
	fail "$1: got '$2', want '$3'"
	return 1
}

# check_ne NAME GOT UNWANTED
check_ne() {
	[ "$2" != "$3" ] && return 0
	fail "$1: got '$2', want anything else"
	return 1
}

# check_match NAME GOT GLOB: shell pattern, e.g. '*not loaded*'
check_match() {
	# shellcheck disable=SC2254
	case $2 in
	$3) return 0 ;;
	esac
	fail "$1: '$2' does not match '$3'"
	return 1
}

# check_int NAME GOT: a decimal integer
check_int() {
	case $2 in
	''|*[!0-9]*) fail "$1: '$2' is not a decimal integer"; return 1 ;;
	esac
	return 0
}

# check_ok NAME CMD...: CMD must exit 0; its output is shown if it does not.
check_ok() {
	_n=$1
	shift
	if _out=$("$@" 2>&1); then
		return 0
	else
		_rc=$?
	fi
	fail "$_n: '$*' exited $_rc"
	[ -n "$_out" ] && printf '%s\n' "$_out" | sed 's/^/    /'
	return 1
}

# check_fail NAME CMD...: CMD must exit non-zero.
check_fail() {
	_n=$1
	shift
	if _out=$("$@" 2>&1); then
		fail "$_n: '$*' succeeded, want failure"
		[ -n "$_out" ] && printf '%s\n' "$_out" | sed 's/^/    /'
		return 1
	fi
	return 0
}

# check_exists NAME PATH / check_absent NAME PATH
check_exists() {
	[ -e "$2" ] && return 0
	fail "$1: $2 does not exist"
	return 1
}
check_absent() {
	[ -e "$2" ] || return 0
	fail "$1: $2 still exists"
	return 1
}

# --- requirements --------------------------------------------------------

require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

require_cmd() {
	for _c in "$@"; do
		[ -x "$_c" ] || command -v "$_c" >/dev/null 2>&1 ||
			skip "$_c not available"
	done
}

# require_module MOD...: load kernel modules or skip.
require_module() {
	for _m in "$@"; do
		modprobe -q "$_m" || skip "cannot load module $_m"
	done
}

# --- time and waiting (no exec: /proc/uptime via read) ------------------

# Sets now_ms to milliseconds since boot (10 ms resolution).
_now() {
	read -r _up _rest </proc/uptime
	_s=${_up%.*}
	_f=${_up#*.}
	now_ms=$((_s * 1000 + ${_f#0} * 10))
}

# loopy_wait SLEEP TIMEOUT_MS CMD...: run CMD until it succeeds, sleeping
# SLEEP seconds between tries (none if empty). Returns CMD's last status.
loopy_wait() {
	_sleep=$1
	_tmo=$2
	shift 2
	_now
	_end=$((now_ms + _tmo))
	while :; do
		"$@" && return 0
		_rc=$?
		_now
		[ "$now_ms" -ge "$_end" ] && return "$_rc"
		[ -n "$_sleep" ] && sleep "$_sleep"
	done
}

# busywait TIMEOUT_MS CMD...: poll as fast as possible.
busywait() {
	_bw_tmo=$1
	shift
	loopy_wait "" "$_bw_tmo" "$@"
}

# slowwait TIMEOUT_SEC CMD...: poll every 0.1 s.
slowwait() {
	_sw_tmo=$1
	shift
	loopy_wait 0.1 $((_sw_tmo * 1000)) "$@"
}

# env_positive NAME DEFAULT: $NAME from the environment, DEFAULT when unset
# or empty; dies unless it is a positive integer.
env_positive() {
	eval "_ep=\${$1:-$2}"
	case $_ep in
	''|*[!0-9]*|0) die "$1 must be a positive integer, got '$_ep'" ;;
	esac
	eval "$1=\$_ep"
}

# tcp_listening PORT: true when a TCP socket of this netns listens on PORT
# (reads /proc/net/tcp and tcp6, no exec). For: slowwait 5 tcp_listening 80.
tcp_listening() {
	_tl_port=$(printf '%04X' "$1")
	for _tl_f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$_tl_f" ] || continue
		while read -r _tl_sl _tl_local _tl_rem _tl_st _tl_rest; do
			[ "$_tl_st" = 0A ] && [ "${_tl_local##*:}" = "$_tl_port" ] &&
				return 0
		done <"$_tl_f"
	done
	return 1
}

# --- cleanup -------------------------------------------------------------

_deferred=
_ns_list=
_ns_seq=0

# defer CMD...: run CMD (as a shell string) at exit, last registered first.
defer() {
	_deferred="$*
$_deferred"
}

_cleanup() {
	_exit_rc=$?
	trap - EXIT
	if [ -n "$_deferred" ]; then
		_d=$_deferred
		_deferred=
		eval "$_d" >/dev/null 2>&1
	fi
	cleanup_all_ns
	exit "$_exit_rc"
}
trap _cleanup EXIT
trap 'exit $KSFT_FAIL' HUP INT TERM

# --- network namespaces --------------------------------------------------

# setup_ns VAR...: make a uniquely named netns with lo up for each VAR and
# store its name in VAR (like kselftest's net/lib.sh). Deleted at exit.
setup_ns() {
	for _v in "$@"; do
		_ns_seq=$((_ns_seq + 1))
		_ns="$_v-$$-$_ns_seq"
		ip netns add "$_ns" || die "ip netns add $_ns failed"
		_ns_list="$_ns_list $_ns"
		ip -n "$_ns" link set lo up || die "lo up in $_ns failed"
		eval "$_v=\$_ns"
	done
}

# cleanup_ns NAME...: delete these namespaces now.
cleanup_ns() {
	[ $# -gt 0 ] || return 0
	printf 'netns del %s\n' "$@" | ip -force -batch - >/dev/null 2>&1
	_keep=
	for _n in $_ns_list; do
		for _d in "$@"; do
			[ "$_n" = "$_d" ] && continue 2
		done
		_keep="$_keep $_n"
	done
	_ns_list=$_keep
}

cleanup_all_ns() {
	# shellcheck disable=SC2086
	cleanup_ns $_ns_list
}

# --- tcptune -------------------------------------------------------------

TCPTUNE_PROC=/proc/net/tcptune/stats
TCPTUNE_DEBUGFS=/sys/kernel/debug/tcptune
TCPTUNE_SYSFS=/sys/module/tcptune

tcptune_loaded() { [ -d "$TCPTUNE_SYSFS" ]; }

# Load tcptune or stop the test.
tcptune_load() {
	tcptune_loaded && return 0
	_out=$(modprobe tcptune 2>&1) || die "modprobe tcptune: $_out"
}

tcptune_unload() {
	tcptune_loaded || return 0
	_out=$(modprobe -r tcptune 2>&1) || die "modprobe -r tcptune: $_out"
}

# read_file FILE VAR: the contents of FILE, without the last newline, in VAR
# (no exec; "" if FILE cannot be read).
#
# Beware of "read" on /proc/sys: ash's read takes one byte per read(2), and
# integer sysctls (proc_dointvec and friends) return nothing at a non-zero
# offset, so "read v </proc/sys/kernel/tainted" sees only the first digit.
# read_file and sysctl_get use cat there (a busybox applet run without exec).
read_file() {
	_s=
	case $1 in
	/proc/sys/*)
		if _s=$(cat "$1" 2>/dev/null); then
			_s="$_s
"
		else
			_s=
		fi
		;;
	*)
		if [ -r "$1" ]; then
			while IFS= read -r _l || [ -n "$_l" ]; do
				_s="$_s$_l
"
			done <"$1"
		fi
		;;
	esac
	eval "$2=\${_s%?}"
}

# sysctl_get KEY VAR: e.g. sysctl_get net.ipv4.tcp_congestion_control cc
sysctl_get() {
	read_file "/proc/sys/$(echo "$1" | tr . /)" "$2"
}

# stats_names FILE: the first word of every line, space separated, into
# $names (no exec).
stats_names() {
	names=
	while read -r _name _rest; do
		names="$names $_name"
	done <"$1"
	names=${names# }
}

# --- kernel MIBs and tcptune counters of a netns (one exec each) ------------

# netns_mib_snap NS PREFIX: the TcpExt (/proc/net/netstat) and Tcp
# (/proc/net/snmp) counters of NS as ${PREFIX}_Name, e.g. b_ListenDrops,
# b_InSegs.
netns_mib_snap() {
	eval "$(ip netns exec "$1" awk -v p="$2" '
		$1 == "TcpExt:" || $1 == "Tcp:" {
			if (!($1 in hdr)) {
				hdr[$1] = 1
				for (i = 2; i <= NF; i++) n[$1, i] = $i
			} else {
				for (i = 2; i <= NF; i++) print p "_" n[$1, i] "=" $i
			}
		}' /proc/net/netstat /proc/net/snmp)"
}

# netns_stats_snap NS PREFIX: /proc/net/tcptune/stats of NS as
# ${PREFIX}_Name.
netns_stats_snap() {
	_t=$(ip netns exec "$1" cat "$TCPTUNE_PROC")
	while read -r _n _v; do
		eval "${2}_$_n=\$_v"
	done <<EOF_STATS
$_t
EOF_STATS
}

# listener_row NS PORT: the last /proc/net/tcptune/listeners row of PORT in
# NS as r_local, r_backlog, r_acceptq, r_synq, r_<counter>, r_state (r_local
# empty when there is none).
listener_row() {
	r_local=
	_t=$(ip netns exec "$1" cat /proc/net/tcptune/listeners)
	while read -r _l _b _a _s _o _d _rd _rc _cs _sr _st; do
		case $_l in
		*:"$2")
			r_local=$_l r_backlog=$_b r_acceptq=$_a r_synq=$_s
			r_ListenOverflows=$_o r_ListenDrops=$_d
			r_TCPReqQFullDrop=$_rd r_TCPReqQFullDoCookies=$_rc
			r_SyncookiesSent=$_cs r_SynAckRetrans=$_sr r_state=$_st
			;;
		esac
	done <<EOF_ROWS
$_t
EOF_ROWS
}
