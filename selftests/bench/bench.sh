#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": bbrx against the kernel's bbr and cubic on an emulated
# bottleneck, in a QEMU guest per kernel (see Documentation/performance.rst).
#
#   selftests/bench/bench.sh [--kernels "6.1 6.12"] [--quick]
#
# Builds tcptunectl, then per kernel: tcptune.ko, an initramfs with the
# selftests plus selftests/bench/ (guest.sh, bench.conf, tcpbench), boots it
# in bench mode (run-vm.sh --bench), takes the "@bench" records from the
# console log and writes build/bench/REL/DATE/: one JSON per scenario and CC
# with every repetition, results.md, and PNG plots (report.py, plots.gp).
#
# Environment (all optional; QUICK=1 is --quick): BENCH_SCENARIOS,
# BENCH_CCS, BENCH_REPS, BENCH_SECONDS, BENCH_RATE_MBIT, BENCH_RTT_MS,
# BENCH_BUF_PCT, BENCH_SHORT_KB, BENCH_SHORT_N, BENCH_CALIB_SECONDS,
# BENCH_ACCEPT_ROUNDS, BENCH_ACCEPT_SECONDS, BENCH_DUMP_TW, BENCH_DUMP_LISTENERS,
# BENCH_DUMP_REPS, BENCH_FORCE=1 (run even when the
# calibration says the guest's CPU could be the bottleneck), BENCH_TIMEOUT
# (seconds per VM).
#
# Exits non-zero when a kernel produced no result at all or a run produced
# no data; it asserts nothing about the numbers.

set -u

. "$(dirname "$0")/../vm/common.sh"
# common.sh takes its directory from $0: point it at the VM scripts.
VMDIR=$TOP/selftests/vm
BENCHDIR=$TOP/selftests/bench

usage() {
	echo "usage: $0 [--kernels \"R1 R2\"] [--quick]" >&2
	exit 2
}

kernels='' quick=${QUICK:-0}
while [ $# -gt 0 ]; do
	case $1 in
	--kernels) [ $# -ge 2 ] || usage; kernels=$2; shift ;;
	--kernels=*) kernels=${1#*=} ;;
	--quick) quick=1 ;;
	*) usage ;;
	esac
	shift
done
case $quick in 1|yes|y|true) quick=1 ;; *) quick=0 ;; esac

step "dependencies"
ensure_deps || exit 1
if [ -n "$kernels" ]; then
	resolve_kernels "$kernels" || exit 1
	# shellcheck disable=SC2086 # a list
	ensure_deps $KERNELS >/dev/null || exit 1
else
	KERNELS=$RELEASES
fi
command -v gnuplot >/dev/null || echo "    no gnuplot: the report will have no plots"

# The guest's files: the installed selftests (lib.sh, bbrx_lib.sh) plus
# bench/; tcpbench at the top so that build-initramfs.sh copies its libraries.
# tcptunectl: the dump timings run it (a fresh clone has none built).
build_userctl || exit 1
build_selftests || echo "    (going on: the benchmark needs only the shell helpers)"
stage=$BUILD/bench/selftests
step "build the benchmark"
rm -rf "$stage"
mkdir -p "$stage/bench"
cp -R "$BUILD/selftests/install/." "$stage/" || exit 1
cp "$BENCHDIR/guest.sh" "$stage/bench/"
chmod 0755 "$stage/bench/guest.sh"
if ! ${CC:-gcc} -O2 -Wall -o "$stage/tcpbench" "$BENCHDIR/tcpbench.c" \
	>"$BUILD/bench/tcpbench.log" 2>&1; then
	show_log "$BUILD/bench/tcpbench.log"
	exit 1
fi
{
	echo "# written by selftests/bench/bench.sh"
	echo "BENCH_QUICK=$quick"
	for v in BENCH_SCENARIOS BENCH_CCS BENCH_REPS BENCH_SECONDS \
		BENCH_RATE_MBIT BENCH_RTT_MS BENCH_BUF_PCT BENCH_SHORT_KB \
		BENCH_SHORT_N BENCH_CALIB_SECONDS BENCH_ACCEPT_ROUNDS \
		BENCH_ACCEPT_SECONDS BENCH_SYN_ROUNDS BENCH_SYN_SECONDS \
		BENCH_FORCE BENCH_SENDER_QDISC \
		BENCH_DUMP_TW BENCH_DUMP_LISTENERS BENCH_DUMP_REPS; do
		eval "val=\${$v-}"
		# shellcheck disable=SC2154 # set by eval
		case $val in *"'"*)
			echo "bench: $v: a quote (') is not allowed: $val" >&2
			exit 2 ;;
		esac
		[ -n "$val" ] && printf "%s='%s'\n" "$v" "$val"
	done
} >"$stage/bench/bench.conf"
sed 's/^/    /' "$stage/bench/bench.conf"

if [ "$quick" = 1 ]; then
	tmo=${BENCH_TIMEOUT:-900}
else
	tmo=${BENCH_TIMEOUT:-2700}
fi

# host_sampler OUT PIDFILE: a line "# cpus N ticks HZ", one "# model NAME"
# (the host CPU's, as results differ between machines), then every 2 s until
# killed a line "uptime busy qemu": the host's uptime (s), the CPU time of
# the whole host that was not idle or iowait, steal included, and that of
# the process whose id PIDFILE holds (this kernel's QEMU, started by
# run-vm.sh --pidfile; 0 until QEMU has written it), both in clock ticks (HZ a
# second). report.py turns the difference into what other processes took
# while the guest ran: QEMU runs the guest on one host thread (TCG), and
# when it has to share a core the whole guest, emulated link included,
# stalls (Documentation/performance.rst, "Host load").
host_sampler() {
	{
		echo "# cpus $(nproc) ticks $(getconf CLK_TCK)"
		sed -n 's/^model name[[:space:]]*: */# model /p' /proc/cpuinfo |
			head -n 1
	} >"$1"
	while :; do
		_q=0
		if _p=$(cat "$2" 2>/dev/null) && [ -n "$_p" ]; then
			_q=$(awk '{ print $14 + $15 }' "/proc/$_p/stat" 2>/dev/null)
		fi
		awk -v q="${_q:-0}" 'NR == FNR { up = $1; next }
			/^cpu / { print up, $2 + $3 + $4 + $7 + $8 + $9, q; exit }' \
			/proc/uptime /proc/stat
		sleep 2
	done >>"$1"
}

date=$(date -u +%Y%m%dT%H%M%SZ)
failed=0
for rel in $KERNELS; do
	echo
	echo "== $rel"
	mkdir -p "$BUILD/$rel"
	build_module "$rel" || { failed=$((failed + 1)); continue; }
	step "build the benchmark initramfs for $rel"
	img=$BUILD/$rel/bench-initramfs.cpio.gz
	if ! "$VMDIR/build-initramfs.sh" -s "$stage" -o "$img" "$rel" \
		>"$BUILD/$rel/bench-initramfs.log" 2>&1; then
		show_log "$BUILD/$rel/bench-initramfs.log"
		failed=$((failed + 1))
		continue
	fi

	step "boot $rel (bench, timeout ${tmo}s)"
	t0=$(date +%s)
	hostlog=$BUILD/bench/$rel.host
	qemu_pid=$BUILD/bench/.$rel.qemu.pid
	rm -f "$qemu_pid"
	host_sampler "$hostlog" "$qemu_pid" &
	sampler=$!
	# The records are long JSON lines: keep them off the terminal.
	{ "$VMDIR/run-vm.sh" "$rel" --bench --initrd "$img" --timeout "$tmo" \
		--pidfile "$qemu_pid"
	  echo "$?" >"$BUILD/bench/.vm.rc"; } | grep --line-buffered -v '^@bench '
	vm_rc=$(cat "$BUILD/bench/.vm.rc")
	t1=$(date +%s)
	kill "$sampler" 2>/dev/null
	wait "$sampler" 2>/dev/null

	out=$BUILD/bench/$rel/$date
	mkdir -p "$out"
	log=$BUILD/logs/$rel.bench.log
	cp "$log" "$out/console.log"
	cp "$hostlog" "$out/host.log"
	step "report in ${out#"$TOP"/} (VM ${vm_rc}, $((t1 - t0))s)"
	if ! python3 "$BENCHDIR/report.py" --kernel "$rel" --date "$date" \
		--wall "$((t1 - t0))" --vm-rc "$vm_rc" --host "$out/host.log" \
		--out "$out" "$log"; then
		failed=$((failed + 1))
		continue
	fi
	if command -v gnuplot >/dev/null; then
		(cd "$out" && gnuplot "$BENCHDIR/plots.gp") ||
			echo "    gnuplot failed"
	fi
	for f in "$out"/*; do echo "    ${f##*/}"; done
done

echo
if [ "$failed" = 0 ]; then
	echo "bench: done, results in ${BUILD#"$TOP"/}/bench/*/$date"
else
	echo "bench: $failed kernel(s) without complete results"
fi
[ "$failed" = 0 ]
