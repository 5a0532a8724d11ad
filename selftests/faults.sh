#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures (failslab, through /proc/thread-self/fail-nth; needs
# CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_STACKTRACE_FILTER, which the
# debug kernel of "make check-debug" has and Debian's kernels do not):
#
# With failures limited to allocations made from tcptune's code
# (require-start/require-end around its text):
#  1. creating a network namespace with each of tcptune's allocations in
#     its pernet init failing in turn: unshare() fails with ENOMEM or works;
#  2. a netlink request whose reply cannot be allocated: tcptunectl exits
#     non-zero with the kernel's message; dumps and /proc/net/tcptune files
#     read with their Nth allocation failing end with ENOMEM or complete;
#  3. a listen() whose listener entry cannot be allocated (GFP_ATOMIC, in a
#     kretprobe): listen() works and alloc_failures counts it;
# then, with failures limited to stacks through do_one_initcall():
#  4. loading tcptune with the 1st, 2nd, ... allocation of its init failing
#     (every point, or a stride over them beyond LOAD_TRIES loads), until a
#     load completes before the one to fail: each load fails cleanly (no
#     module left behind) or succeeds and unloads.
# After each part, tcptune still works. The VM's panic_on_warn and, on the
# debug kernel, KASAN and the final kmemleak scan judge the error paths.

. "${0%/*}/lib.sh"

FAULT_GEN=${0%/*}/fault_gen
FS=/sys/kernel/debug/failslab

require_root
require_cmd "$FAULT_GEN" "$TCPTUNECTL"
[ -e /proc/self/fail-nth ] || skip "no /proc/self/fail-nth (CONFIG_FAULT_INJECTION)"
[ -d "$FS" ] || skip "no $FS (CONFIG_FAILSLAB, debugfs)"
[ -e "$FS/require-start" ] ||
	skip "no $FS/require-start (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)"

# failslab: GFP_KERNEL allocations too, quietly.
fs_set() { echo "$2" >"$FS/$1" || die "cannot set failslab $1=$2"; }
fs_reset() {
	echo 0 >"$FS/require-start"
	echo 0xffffffffffffffff >"$FS/require-end"
	echo Y >"$FS/ignore-gfp-wait"
	echo 2 >"$FS/verbose"
}
defer fs_reset
fs_set ignore-gfp-wait N
fs_set verbose 0

works() { # works WHAT: tcptune answers netlink and procfs
	out=$(tcptunectl stats 2>&1) ||
		{ fail "$1: tcptunectl stats: $out"; return 1; }
	read_file /proc/net/tcptune/stats out
	[ -n "$out" ] || { fail "$1: /proc/net/tcptune/stats empty"; return 1; }
	pass "$1: tcptune still works"
}

tcptune_load

# --- parts 1-3: failures only in tcptune's code --------------------------
lo='' hi=''
for a in $(grep -E '^[0-9a-f]+ [tT] .*\[tcptune\]' /proc/kallsyms |
	   cut -d' ' -f1 | sort); do
	[ -n "$lo" ] || lo=$a
	hi=$a
done
[ -n "$lo" ] || die "no tcptune text symbols in /proc/kallsyms"
# The last function is shorter than a page.
end=$(printf '0x%x' $((0x$hi + 4096)))
fs_set require-start "0x$lo"
fs_set require-end "$end"
log "# failures limited to 0x$lo-$end"

# --- 1. netns -------------------------------------------------------------
out=$("$FAULT_GEN" netns 200)
rc=$?
log "# netns: $out"
check_eq "netns creation with each tcptune allocation failing" "$rc" 0
case $out in
*"injected 0 "*) fail "netns: no allocation of tcptune's failed (filter?)" ;;
esac
works "after the netns faults"

# --- 2. netlink and procfs ------------------------------------------------
out=$("$FAULT_GEN" exec 1 "$TCPTUNECTL" stats 2>&1) && \
	fail "tcptunectl stats with its reply allocation failing: exit 0: $out"
check_match "tcptunectl stats: ENOMEM reported" "$out" \
	"*Cannot allocate memory*"

# fault_read FILE: read it with the 1st, 2nd, ... allocation failing.
fault_read() {
	_n=1
	while [ "$_n" -le 20 ]; do
		_o=$("$FAULT_GEN" read "$_n" "$1" 2>&1)
		case $_o in
		"injected 0 result ok "*) return 0 ;;
		"injected 1 result ok "*|"injected 1 result ENOMEM "*) ;;
		*) fail "$1, allocation $_n failing: $_o"; return 1 ;;
		esac
		_n=$((_n + 1))
	done
	fail "$1: still failing after 20 allocations"
}
for f in /proc/net/tcptune/stats /proc/net/tcptune/timewait \
	 /proc/net/tcptune/timewait_dest /proc/net/tcptune/listeners \
	 "$TCPTUNE_DEBUGFS/timewait" "$TCPTUNE_DEBUGFS/bbrx_flows"; do
	[ -e "$f" ] || continue
	fault_read "$f" && pass "read $f with its allocations failing"
done

# Netlink requests and dumps with their 1st-3rd allocations failing: an
# error message or an answer, never a crash.
for cmd in "timewait" "listeners" "cc show" "config show"; do
	for n in 1 2 3; do
		# shellcheck disable=SC2086 # split on purpose
		out=$("$FAULT_GEN" exec "$n" "$TCPTUNECTL" $cmd 2>&1)
		rc=$?
		if [ "$rc" != 0 ]; then
			case $out in
			*Error:*|*tcptunectl:*) ;;
			*) fail "tcptunectl $cmd (allocation $n failing): exit $rc, no message: $out" ;;
			esac
		fi
	done
done
works "after the netlink and procfs faults"

# --- 3. listener entry ----------------------------------------------------
read_alloc_failures() {
	val=
	while read -r _k _v; do
		[ "$_k" = alloc_failures ] && val=$_v
	done <"$TCPTUNE_DEBUGFS/hooks"
}
read_alloc_failures
f0=$val
[ -n "$f0" ] || die "no alloc_failures in $TCPTUNE_DEBUGFS/hooks"
out=$("$FAULT_GEN" listen 1 9911 2>&1)
check_eq "listen() with the listener entry failing" "$out" "injected 1 result ok"
read_alloc_failures
check_eq "alloc_failures counts it" "$((val - f0))" 1
works "after the listener fault"

# --- 4. load ----------------------------------------------------------------
ko=$(modinfo -n tcptune 2>&1) || die "modinfo -n tcptune: $ko"
deps=$(modinfo -F depends tcptune 2>/dev/null)
for m in $(echo "$deps" | tr ',' ' '); do
	modprobe "$m" || die "modprobe $m"
done
tcptune_unload
# Only the allocations of tcptune's init (under do_one_initcall()): the
# module loader's own, about 1,000 here, take a second each on the debug
# kernel. LOAD_TRIES bounds the loads (a stride over the points beyond).
init=$(sed -n 's/^\([0-9a-f]*\) [tT] do_one_initcall$/\1/p' /proc/kallsyms)
[ -n "$init" ] || die "no do_one_initcall in /proc/kallsyms"
fs_set require-start "0x$init"
fs_set require-end "$(printf '0x%x' $((0x$init + 4096)))"
out=$("$FAULT_GEN" load "$ko" "${LOAD_TRIES:-500}")
rc=$?
log "# load: $out"
check_eq "load with each allocation failing in turn" "$rc" 0
case $out in
*"injected 0 "*) fail "load: no fault injected" ;;
esac
tcptune_loaded && fail "tcptune loaded after the fault loop"
tcptune_load
works "after the load faults"

fs_reset
ksft_exit
