#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot a Debian kernel with the tcptune initramfs in QEMU and judge the run.
#
#   selftests/vm/run-vm.sh REL [--demo | --shell | --bench] [--tests a,b]
#                              [--initrd FILE] [--timeout SECONDS]
#                              [--pidfile FILE]
#
# --shell boots to an interactive shell on this terminal, without timeout
# (quit with "exit", or Ctrl-A X).
#
# Needs build/kernels/REL (deps.sh) and build/REL/initramfs.cpio.gz
# (build-initramfs.sh). The whole console goes to build/logs/REL.log
# (REL.demo.log with --demo, REL.bench.log with --bench, whose initramfs is
# selftests/bench/bench.sh's, given with --initrd); the guest's own lines
# (KTAP, demo output) are echoed as they come, kernel messages only when
# something went wrong.
#
# --pidfile FILE has QEMU write its process id to FILE while it runs (it is
# removed afterwards); bench.sh's host sampler reads it.
#
# Exits 0 only if the guest printed its success marker, QEMU finished before
# the timeout, and the console shows no kernel warning, BUG, Oops, panic,
# call trace, lockdep, KASAN or UBSAN report.
#
# Environment: TCPTUNE_VM_KVM=1 uses KVM instead of TCG (nested KVM hangs on
# some hosts, hence off by default); TCPTUNE_VM_TIMEOUT overrides the default
# timeout (600 s, demo 300 s); TCPTUNE_VM_TEST_TIMEOUT sets the per-test
# timeout inside the guest; TCPTUNE_VM_ENV="NAME=VALUE[,NAME=VALUE]" sets
# environment variables for the tests (e.g. STRESS_SCALE=10; no spaces or
# commas in values); TCPTUNE_VM_APPEND adds kernel arguments (e.g.
# "loglevel=7" to see all kernel messages, which slows the boot down);
# TCPTUNE_VM_BIOS is the firmware (default qboot.rom when present);
# TCPTUNE_VM_MEM is the guest's memory in MiB (default 1024; make
# check-debug gives its KASAN kernel more); TCPTUNE_VM_ACCEL replaces the
# accelerator options (default "-accel tcg,thread=single -cpu max", below).

set -eu

VMDIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VMDIR/../.." && pwd)
BUILD=${BUILD:-$TOP/build}

SUCCESS_MARKER="tcptune-vm: all passed"
# shellcheck source=selftests/vm/kernel-problems.sh
. "$VMDIR/kernel-problems.sh"
# Kernel console lines (printk time stamp) that mean trouble.
KERNEL_BAD="\\[ *[0-9]+\\.[0-9]+\\] .*($KERNEL_PROBLEMS)"

usage() {
	echo "usage: $0 REL [--demo | --shell | --bench] [--tests a,b] [--initrd FILE] [--timeout SECONDS] [--pidfile FILE]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
REL=$1
shift
mode=check tests='' initrd='' tmo='' pidfile=''
while [ $# -gt 0 ]; do
	case $1 in
	--demo) mode=demo ;;
	--shell) mode=shell ;;
	--bench) mode=bench ;;
	--tests) [ $# -ge 2 ] || usage; tests=$2; shift ;;
	--tests=*) tests=${1#*=} ;;
	--initrd) [ $# -ge 2 ] || usage; initrd=$2; shift ;;
	--timeout) [ $# -ge 2 ] || usage; tmo=$2; shift ;;
	--pidfile) [ $# -ge 2 ] || usage; pidfile=$2; shift ;;
	*) usage ;;
	esac
	shift
done

kernel=$BUILD/kernels/$REL/boot/vmlinuz-$REL
initrd=${initrd:-$BUILD/$REL/initramfs.cpio.gz}
if [ "$mode" = demo ]; then
	log=$BUILD/logs/$REL.demo.log
	tmo=${tmo:-${TCPTUNE_VM_TIMEOUT:-300}}
elif [ "$mode" = bench ]; then
	log=$BUILD/logs/$REL.bench.log
	tmo=${tmo:-${TCPTUNE_VM_TIMEOUT:-2700}}
else
	log=$BUILD/logs/$REL.log
	tmo=${tmo:-${TCPTUNE_VM_TIMEOUT:-600}}
fi

[ -f "$kernel" ] || { echo "run-vm: no $kernel (run selftests/vm/deps.sh)" >&2; exit 1; }
[ -f "$initrd" ] || { echo "run-vm: no $initrd (run build-initramfs.sh)" >&2; exit 1; }
mkdir -p "$BUILD/logs"

# "quiet" keeps the slow serial console free of boot messages; loglevel=5
# after it still shows warnings (a WARN()'s "WARNING: ... at file:line" is
# KERN_WARNING), a handful of lines in a normal boot.
append="console=ttyS0 panic_on_warn=1 oops=panic panic=-1 quiet loglevel=5"
append="$append softlockup_panic=1 hung_task_panic=1 nokaslr"
append="$append tcptune_vm.mode=$mode"
[ -n "$tests" ] && append="$append tcptune_vm.tests=$tests"
[ -n "${TCPTUNE_VM_TEST_TIMEOUT:-}" ] &&
	append="$append tcptune_vm.timeout=$TCPTUNE_VM_TEST_TIMEOUT"
[ -n "${TCPTUNE_VM_ENV:-}" ] && append="$append tcptune_vm.env=$TCPTUNE_VM_ENV"
[ -n "${TCPTUNE_VM_APPEND:-}" ] && append="$append $TCPTUNE_VM_APPEND"

if [ -n "${TCPTUNE_VM_ACCEL:-}" ]; then
	accel=$TCPTUNE_VM_ACCEL
elif [ "${TCPTUNE_VM_KVM:-0}" = 1 ]; then
	accel="-accel kvm -cpu host"
else
	# Both vCPUs in one host thread. QEMU 7.2's multi-threaded TCG does
	# not make the kernel's live patching of its own text (text_poke_bp():
	# static keys, kprobes, ftrace) safe: a vCPU can run a stale int3 or
	# a half-patched call and oops, with no module loaded at all
	# (Documentation/security.rst). Single-threaded costs little here:
	# make check's VMs take 3% longer.
	accel="-accel tcg,thread=single -cpu max"
fi

# qboot (from qemu-system-data) boots -kernel straight away and prints
# nothing, unlike SeaBIOS.
bios=
if [ -f "${TCPTUNE_VM_BIOS:=/usr/share/qemu/qboot.rom}" ]; then
	bios="-bios $TCPTUNE_VM_BIOS"
fi

mem=${TCPTUNE_VM_MEM:-1024}

if [ "$mode" = shell ]; then
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 $accel -smp 2 -m "$mem" -nographic -no-reboot \
		-nodefaults -serial mon:stdio $bios \
		-kernel "$kernel" -initrd "$initrd" -append "$append"
fi

# The console is written to the log as it comes; a filter echoes the guest's
# lines (not the kernel's) without the serial line's CRs.
status=$BUILD/logs/.$REL.$mode.status
rm -f "$status" "$pidfile"
start=$(date +%s)
{
	# shellcheck disable=SC2086
	timeout -k 10 "$tmo" qemu-system-x86_64 $accel -smp 2 -m "$mem" \
		-nographic -no-reboot -nodefaults -serial stdio $bios \
		-kernel "$kernel" -initrd "$initrd" -append "$append" \
		${pidfile:+-pidfile "$pidfile"} </dev/null 2>&1 && qrc=0 || qrc=$?
	echo "$qrc" >"$status"
} | sed -u 's/\r$//' | tee "$log" |
	grep --line-buffered -Ev '^\[ *[0-9]+\.[0-9]+\] ' || true
end=$(date +%s)
elapsed=$((end - start))
qrc=$(cat "$status" 2>/dev/null || echo 255)
rm -f "$status" "$pidfile"

# faults.sh makes allocations fail on purpose: the kernel's reports of
# failed allocations (warn_alloc: one line, then a stack up to "</TASK>")
# are expected in its VM, and only there (/init filters dmesg the same way).
console_log() {
	case ",$tests," in
	*,faults,*)
		awk -f "$VMDIR/alloc-reports.awk" "$log" ;;
	*) cat "$log" ;;
	esac | grep -v "$KERNEL_BENIGN"
}
failed=0
if console_log | grep -Eq "$KERNEL_BAD"; then
	echo "run-vm: $REL: the kernel reported a problem:"
	console_log | grep -E -A 40 "$KERNEL_BAD" | head -n 120 | sed 's/^/  | /'
	failed=1
fi
if ! grep -qx "$SUCCESS_MARKER" "$log"; then
	failed=1
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "run-vm: $REL: timed out after ${tmo}s"
	elif [ "$qrc" != 0 ]; then
		echo "run-vm: $REL: qemu exited $qrc"
	else
		echo "run-vm: $REL: no success marker (VM crashed or tests failed)"
	fi
	echo "run-vm: last console lines:"
	tail -n 25 "$log" | sed 's/^/  | /'
elif [ "$qrc" != 0 ]; then
	# The tests passed, but the VM did not power off cleanly.
	failed=1
	echo "run-vm: $REL: success marker seen, but qemu exited $qrc (hang or timeout at poweroff)"
fi
echo "run-vm: $REL: ${elapsed}s, log in ${log#"$TOP"/}"
exit "$failed"
