#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the tcptune test VM (installed as /init by build-initramfs.sh).
#
# Kernel command line:
#   tcptune_vm.mode=check|demo|shell|bench
#                                   run the selftests (default), the demo, an
#                                   interactive shell (run-vm.sh --shell), or
#                                   the benchmark (selftests/bench/bench.sh)
#   tcptune_vm.tests=name1,name2    only these selftests
#   tcptune_vm.timeout=SECONDS      per-test timeout (default: selftests/settings)
#   tcptune_vm.kmemleak=tcptune|all on kernels with kmemleak, fail the run
#                                   on leaks from tcptune (default) or on
#                                   any suspected leak
#   tcptune_vm.env=N=V[,N=V]        export these variables to the tests
#                                   (e.g. STRESS_SCALE=10; run-vm.sh sets it
#                                   from TCPTUNE_VM_ENV)
#
# Not "tcptune.mode=": kmod's modprobe passes every "MODULE.PARAM=" of the
# kernel command line to that module, so "modprobe tcptune" would get
# mode=check as a module parameter.
#
# Prints SUCCESS_MARKER below, alone on a line, only when the tests (or the
# demo) passed and the kernel logged no warning, bug or taint; then powers
# off. The host (run-vm.sh) looks for that line.

SUCCESS_MARKER="tcptune-vm: all passed"

export PATH=/usr/sbin:/usr/bin
export HOME=/root
export TERM=dumb

say() { echo "tcptune-vm: $*"; }

# Never return: PID 1 exiting panics the kernel.
halt_vm() {
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	while :; do sleep 1; done
}

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev 2>/dev/null
mount -t debugfs -o nosuid,nodev,noexec debugfs /sys/kernel/debug
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
mkdir -p /dev/pts /dev/shm /run/netns
mount -t devpts -o nosuid,noexec devpts /dev/pts
mount -t tmpfs -o nosuid,nodev tmpfs /dev/shm
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
# Output of the tests must reach the console even if stdio was not set up.
exec </dev/console >/dev/console 2>&1

hostname tcptune-vm
/usr/bin/ip link set lo up

mode=check tests='' timeout='' kmemleak_mode=tcptune
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	tcptune_vm.mode=*) mode=${arg#*=} ;;
	tcptune_vm.tests=*) tests=${arg#*=} ;;
	tcptune_vm.timeout=*) timeout=${arg#*=} ;;
	tcptune_vm.kmemleak=*) kmemleak_mode=${arg#*=} ;;
	tcptune_vm.env=*)
		oldifs=$IFS
		IFS=,
		for kv in ${arg#*=}; do
			case ${kv%%=*} in
			''|*[!A-Za-z0-9_]*|[0-9]*) say "ignoring tcptune_vm.env entry '$kv'" ;;
			*) [ "$kv" != "${kv#*=}" ] && export "$kv" && say "env $kv" ;;
			esac
		done
		IFS=$oldifs
		;;
	esac
done

read -r rel </proc/sys/kernel/osrelease
read -r up _ </proc/uptime
say "kernel $rel up ${up}s, mode $mode${tests:+, tests $tests}"

# Debug kernels (make check-debug) have kmemleak: forget what the boot
# left behind, so that the scan after the tests shows what they leaked.
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ "$mode" = check ] && [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK"
	n=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo clear >"$KMEMLEAK"
	say "kmemleak: ${n:-0} suspected leaks at boot, cleared"
fi

# kmemleak_check: with tcptune unloaded (its objects can only be found
# unreferenced once its data is gone), scan twice (kmemleak reports an
# object only when it is older than 5 s and unchanged since the previous
# scan) and read the report. A leak whose backtrace names tcptune or code
# that is gone (an unloaded module: "0xffffffffc0..." instead of a symbol;
# the tests unload no module but tcptune) fails the run; the kernel's own
# suspected leaks are shown, and fail it only with tcptune_vm.kmemleak=all.
kmemleak_check() {
	if [ -d /sys/module/tcptune ] && ! modprobe -r tcptune; then
		say "kmemleak: cannot unload tcptune"
		return 1
	fi
	echo scan >"$KMEMLEAK" || return 1
	sleep 6
	echo scan >"$KMEMLEAK" || return 1
	cat "$KMEMLEAK" >/tmp/kmemleak.txt
	awk '
		/^unreferenced object/ { flush(); blk = $0; mod = 0; next }
		{ blk = blk "\n" $0 }
		/tcptune/ || /^    (\[<[0-9a-f]+>\] )?0x[0-9a-f]+$/ { mod = 1 }
		function flush() {
			if (blk == "") return
			print (mod ? "tcptune" : "kernel") > "/tmp/kmemleak.kind"
			print blk > (mod ? "/tmp/kmemleak.tcptune" : "/tmp/kmemleak.kernel")
			blk = ""
		}
		END { flush() }' /tmp/kmemleak.txt
	n_mod=$(grep -c '^tcptune' /tmp/kmemleak.kind 2>/dev/null)
	n_kern=$(grep -c '^kernel' /tmp/kmemleak.kind 2>/dev/null)
	say "kmemleak: ${n_mod:-0} suspected leaks from tcptune, ${n_kern:-0} elsewhere"
	if [ "${n_kern:-0}" -gt 0 ]; then
		head -n 200 /tmp/kmemleak.kernel | sed 's/^/kmemleak: /'
	fi
	if [ "${n_mod:-0}" -gt 0 ]; then
		sed 's/^/kmemleak: /' /tmp/kmemleak.tcptune
		return 1
	fi
	if [ "$kmemleak_mode" = all ] && [ "${n_kern:-0}" -gt 0 ]; then
		return 1
	fi
	return 0
}

rc=0
case $mode in
check)
	set --
	[ -n "$tests" ] && set -- "$@" -t "$tests"
	[ -n "$timeout" ] && set -- "$@" -T "$timeout"
	/selftests/run_tests.sh "$@" || rc=$?
	if [ -w "$KMEMLEAK" ]; then
		kmemleak_check || rc=1
	fi
	# lockdep switches itself off after its first report, or when it runs
	# out of room (which it reports too); say that it was on to the end.
	if [ -r /proc/lockdep_stats ]; then
		dl=$(awk '$1 == "debug_locks:" { print $2 }' /proc/lockdep_stats)
		say "lockdep: debug_locks ${dl:-unknown} at the end"
		[ "$dl" = 1 ] || rc=1
	fi
	;;
demo)
	/selftests/demo.sh || rc=$?
	[ "$rc" = 0 ] || say "demo failed (exit $rc)"
	;;
bench)
	# Only in the initramfs selftests/bench/bench.sh builds.
	if [ -x /selftests/bench/guest.sh ]; then
		/selftests/bench/guest.sh || rc=$?
	else
		say "no /selftests/bench/guest.sh in this initramfs"
		rc=2
	fi
	[ "$rc" = 0 ] || say "bench failed (exit $rc)"
	;;
shell)
	say "interactive shell; the tests are in /selftests; exit to power off"
	setsid cttyhack sh -l || rc=$?
	;;
*)
	say "unknown tcptune_vm.mode=$mode"
	rc=2
	;;
esac

# The kernel must not have complained. With "quiet" only errors reach the
# console, so look at the whole log, and at the taint flags: P (module not
# GPL), F (forced load), R (forced unload), B (bad page), D (oops),
# W (warning) and L (soft lockup) are failures; O (out-of-tree) and
# E (unsigned module) are expected.
# shellcheck source=selftests/vm/kernel-problems.sh
. /kernel-problems.sh
# faults.sh makes allocations fail on purpose: the kernel's report of a
# failed allocation (warn_alloc: one line, then a stack up to "</TASK>") is
# expected there, and only there.
kernel_log() {
	case ",$tests," in
	*,faults,*)
		dmesg | awk -f /alloc-reports.awk ;;
	*) dmesg ;;
	esac
}
if kernel_log | grep -v "$KERNEL_BENIGN" | grep -Eq "$KERNEL_PROBLEMS"; then
	say "kernel log reports a problem:"
	dmesg | sed 's/^/dmesg: /'
	rc=1
fi
# Not "read": ash reads byte by byte, and integer sysctls return nothing at a
# non-zero offset, so "read" would see the first digit only.
taint=$(cat /proc/sys/kernel/tainted)
bad_taint=$(((1 << 0) | (1 << 1) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14)))
if [ $((taint & bad_taint)) != 0 ]; then
	say "kernel tainted: $taint"
	rc=1
fi

read -r up _ </proc/uptime
say "done at ${up}s"
if [ "$rc" = 0 ]; then
	echo "$SUCCESS_MARKER"
else
	say "failed (exit $rc)"
fi
halt_vm
