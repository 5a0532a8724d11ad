#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build tcptune for every target kernel and run the selftests in QEMU.
#
#   selftests/vm/check.sh [--kernels "R1 R2"] [--tests a,b]
#
# --kernels takes full releases or short names ("6.1", "6.12"); default: the
# Debian 6.1 and 6.12 cloud kernels deps.sh discovers. "debug" is the debug
# kernel debug-kernel.sh built (make check-debug). --tests takes test
# names from selftests/Makefile (".sh" optional); default: all. Empty values
# mean the defaults, so "make check KERNELS= TESTS=" works.
#
# Prints each kernel's KTAP under a "== REL" header and ends with exactly one
# line "N passed, N failed" summed over the kernels ("N skipped" comes on
# the line before when tests were skipped). A kernel whose VM crashed or timed out counts its
# missing tests as failed (at least one), and so does a kernel whose module
# did not build; a failed tcptunectl or selftest build counts one failure.
# Without --tests, each kernel boots twice: the default test list, then
# stress.sh's short form in a VM of its own; with CHECK_FAULTS=1 (make
# check-debug), a third time for faults.sh.
# Before the VMs, host-side checks (uapi header = YNL spec, tcptunectl's own
# tests) count one test each; after them, the benchmark's quick form counts
# one (unless --tests is given or CHECK_BENCH=0).
# Exits non-zero on any failure.

set -u

. "$(dirname "$0")/common.sh"

usage() {
	echo "usage: $0 [--kernels \"R1 R2\"] [--tests a,b]" >&2
	exit 2
}

kernels='' tests=''
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) [ $# -ge 2 ] || usage; kernels=$2; shift ;;
	--kernels=*) kernels=${1#*=} ;;
	--tests) [ $# -ge 2 ] || usage; tests=$2; shift ;;
	--tests=*) tests=${1#*=} ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
	shift
done
tests=$(echo "$tests" | tr ' ' ',')
tests=${tests#,}
tests=${tests%,}

passed=0 failed=0 skipped=0
t_start=$(date +%s)

# The last line is always "N passed, N failed"; skips come on the line
# before it.
finish() {
	echo "== check: $(($(date +%s) - t_start))s"
	[ "$skipped" = 0 ] || echo "$skipped skipped"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

step "dependencies"
if ! ensure_deps; then
	failed=$((failed + 1))
	finish
fi
if [ -n "$kernels" ]; then
	resolve_kernels "$kernels" || { failed=$((failed + 1)); finish; }
	# Full releases not among the discovered ones need their own fetch
	# (not a kernel built here, such as make check-debug's).
	# shellcheck disable=SC2086 # a list
	[ -z "$KERNELS_FETCH" ] || ensure_deps $KERNELS_FETCH >/dev/null ||
		{ failed=$((failed + 1)); finish; }
else
	KERNELS=$RELEASES
fi

build_userctl || failed=$((failed + 1))
build_selftests || failed=$((failed + 1))

# host_check N DESCRIPTION LOG COMMAND...: run a check on the host, print
# its KTAP line, count it, and show its log when it fails.
host_check() {
	_n=$1 _desc=$2 _log=$3
	shift 3
	if "$@" >"$_log" 2>&1; then
		echo "ok $_n $_desc"
		passed=$((passed + 1))
		return 0
	fi
	show_log "$_log"
	echo "not ok $_n $_desc"
	failed=$((failed + 1))
	return 1
}

step "host checks"
host_check 1 "host: uapi header matches the YNL spec" "$BUILD/ynl.log" \
	"$TOP/selftests/ynl_uapi_check.sh"
# tcptunectl's own tests: parsers under ASan/UBSan with a mutation fuzzer,
# main() against a fake kernel, the command line, --help = man page = RST.
host_check 2 "host: tcptunectl unit, fuzz, CLI and doc tests" \
	"$BUILD/userctl-check.log" make -C "$TOP/userctl" check
host_check 3 "host: Documentation RST and man page are well-formed" \
	"$BUILD/doc-check.log" "$TOP/selftests/doc_check.sh"

# vm_tests REL TESTS EXPECTED: boot REL's VM with TESTS (comma list, empty:
# the default list, EXPECTED tests) and add its KTAP results to the counts.
vm_tests() {
	_rel=$1 _tests=$2 _expected=$3
	# Every boot writes build/logs/REL.log: an extra VM's (stress, faults)
	# goes to REL.TESTS.log afterwards, and the main run's is put back.
	log=$BUILD/logs/$_rel.log
	_extra=0
	if [ "$_tests" != "$tests" ] && [ "$_expected" = 1 ] && [ -z "$tests" ]; then
		_extra=1
		[ ! -f "$log" ] || mv "$log" "$log.main"
	fi
	rm -f "$log"
	step "boot $_rel${_tests:+ ($_tests)}"
	if "$VMDIR/run-vm.sh" "$_rel" ${_tests:+--tests "$_tests"}; then
		vm_ok=1
	else
		vm_ok=0
	fi

	# Top-level KTAP results of this run (none if the VM never started).
	[ -f "$log" ] || : >"$log"
	p=$(grep -Ec '^ok [0-9]+ ' "$log")
	s=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$log")
	f=$(grep -Ec '^not ok [0-9]+ ' "$log")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
	plan=${plan:-$_expected}
	p=$((p - s))
	missing=$((plan - p - s - f))
	[ "$missing" -gt 0 ] || missing=0
	f=$((f + missing))
	if [ "$vm_ok" = 0 ] && [ "$f" = 0 ]; then
		f=1	# kernel trouble after the tests passed
	fi
	[ "$missing" -gt 0 ] && echo "# $_rel: $missing tests did not report (crash or timeout)"
	echo "# $_rel${_tests:+ ($_tests)}: pass:$p fail:$f skip:$s"
	if [ "$_extra" = 1 ]; then
		mv "$log" "$BUILD/logs/$_rel.$_tests.log"
		echo "# $_tests log: build/logs/$_rel.$_tests.log"
		[ ! -f "$log.main" ] || mv "$log.main" "$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

# Number of tests the VM will run, for counting those a crash left out.
inst=$BUILD/selftests/install
expected=$(sh "$inst/run_tests.sh" -l ${tests:+-t "$tests"} 2>/dev/null | grep -c .)
[ "$expected" -gt 0 ] || expected=1
# Per kernel, with the stress VM of the default run.
per_kernel=$expected
[ -n "$tests" ] || per_kernel=$((expected + 1))
[ -n "$tests" ] || [ "${CHECK_FAULTS:-0}" != 1 ] || per_kernel=$((per_kernel + 1))

for rel in $KERNELS; do
	echo
	echo "== $rel"
	mkdir -p "$BUILD/$rel"
	if ! build_module "$rel"; then
		echo "# $rel: tcptune.ko did not build: its $per_kernel tests count as failed"
		failed=$((failed + per_kernel))
		continue
	fi
	if ! build_initramfs "$rel"; then
		echo "# $rel: no initramfs: its $per_kernel tests count as failed"
		failed=$((failed + per_kernel))
		continue
	fi

	vm_tests "$rel" "$tests" "$expected"
	# The stress test gets its own VM, after the others.
	if [ -z "$tests" ]; then
		vm_tests "$rel" stress 1
		[ "${CHECK_FAULTS:-0}" != 1 ] || vm_tests "$rel" faults 1
	fi
done

# The benchmark's quick form, so it never rots: it must produce data for
# every CC, nothing is asserted about the numbers. BENCH_FORCE=1: on a busy
# CI host the calibration may find the guest slow; the report says so.
# Skipped when tests were selected, or with CHECK_BENCH=0.
if [ -z "$tests" ] && [ "${CHECK_BENCH:-1}" != 0 ]; then
	step "bench (quick form)"
	host_check 1 "bench: quick form produced results for every CC" \
		"$BUILD/bench-quick.log" env BENCH_FORCE=1 \
		"$TOP/selftests/bench/bench.sh" --quick --kernels "$KERNELS" &&
		grep -E '^(bench|#)' "$BUILD/bench-quick.log" | tail -n 20
fi

echo
finish
