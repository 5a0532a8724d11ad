#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the installed tcptune selftests and print KTAP, like kselftest's
# run_kselftest.sh. Runs inside the test VM from /selftests, but works from
# any installed directory.
#
#   run_tests.sh [-t name1,name2] [-T seconds] [-l]
#
#   -t  only these tests ("procfs" finds procfs.sh, also among installed
#       tests not in tests.list); default: all in tests.list, in its order
#   -T  per-test timeout; default "timeout=" from ./settings, else 45
#   -l  list the tests and exit
#
# A test passes with exit 0, is skipped with exit 4 (KSFT_SKIP) and fails
# otherwise; a test still running at the timeout gets SIGTERM (its whole
# process group), SIGKILL 10 s later, and fails. Output lines of a test are
# prefixed with "# ". Exits 0 when nothing failed.
#
# Exec-light on purpose (the VM has no KVM): per test one GNU timeout and the
# test itself; everything else is shell builtins.

set -u

DIR=${0%/*}
[ "$DIR" = "$0" ] && DIR=.
cd "$DIR" || exit 1

KSFT_SKIP=4
TIMEOUT_BIN=/usr/bin/timeout
[ -x "$TIMEOUT_BIN" ] || TIMEOUT_BIN=timeout

only='' tmo='' list_only=0
while getopts t:T:lh opt; do
	case $opt in
	t) only=$only${only:+,}$OPTARG ;;
	T) tmo=$OPTARG ;;
	l) list_only=1 ;;
	*) echo "usage: $0 [-t name1,name2] [-T seconds] [-l]" >&2; exit 2 ;;
	esac
done

if [ -z "$tmo" ] && [ -f settings ]; then
	while IFS='=' read -r key val; do
		[ "$key" = timeout ] && tmo=$val
	done <settings
fi
tmo=${tmo:-45}

all=
if [ -f tests.list ]; then
	while read -r t; do
		case $t in ''|'#'*) continue ;; esac
		all="$all $t"
	done <tests.list
fi

# Resolve the selection: exact name, else name.sh.
tests=
if [ -n "$only" ]; then
	oldifs=$IFS
	IFS=,
	# shellcheck disable=SC2086
	set -- $only
	IFS=$oldifs
	for want in "$@"; do
		found=$want
		for t in $all; do
			if [ "$t" = "$want" ] || [ "$t" = "$want.sh" ]; then
				found=$t
				break
			fi
		done
		# Installed but not in tests.list (TEST_PROGS_EXTENDED).
		if [ "$found" = "$want" ] && [ ! -f "./$want" ] &&
			[ -f "./$want.sh" ]; then
			found=$want.sh
		fi
		tests="$tests $found"
	done
else
	tests=$all
fi

if [ "$list_only" = 1 ]; then
	for t in $tests; do echo "$t"; done
	exit 0
fi

n=0
for t in $tests; do n=$((n + 1)); done

echo "TAP version 13"
echo "1..$n"

fifo=${TMPDIR:-/tmp}/run_tests.$$.fifo
rm -f "$fifo"
mkfifo "$fifo" || exit 1
trap 'rm -f "$fifo"' EXIT

# centis A B: B - A for /proc/uptime values ("12.34"), as "S.CC".
centis() {
	a=${1#*.} b=${2#*.}
	d=$((${2%.*} * 100 + ${b#0} - ${1%.*} * 100 - ${a#0}))
	printf '%d.%02d' $((d / 100)) $((d % 100))
}

pass=0 fail=0 skip=0 i=0
for t in $tests; do
	i=$((i + 1))
	echo "# selftests: tcptune: $t"
	if [ ! -f "./$t" ]; then
		echo "# $t: not installed (build failed?)"
		echo "not ok $i $t"
		fail=$((fail + 1))
		continue
	fi

	# GNU timeout makes itself a process group leader: its pid is the
	# group to kill afterwards, so leftovers of a test cannot hold the
	# pipe open or disturb the next test.
	read -r t0 _ </proc/uptime
	"$TIMEOUT_BIN" -k 10 "$tmo" "./$t" >"$fifo" 2>&1 </dev/null &
	tpid=$!
	while IFS= read -r line || [ -n "$line" ]; do
		printf '# %s\n' "$line"
	done <"$fifo" &
	rpid=$!
	wait "$tpid"
	rc=$?
	kill -s KILL "-$tpid" 2>/dev/null
	wait "$rpid"
	read -r t1 _ </proc/uptime
	echo "# $t: $(centis "$t0" "$t1")s"

	case $rc in
	0)
		echo "ok $i $t"
		pass=$((pass + 1))
		;;
	"$KSFT_SKIP")
		echo "ok $i $t # SKIP"
		skip=$((skip + 1))
		;;
	124|137)
		echo "# $t: timed out after ${tmo}s"
		echo "not ok $i $t # TIMEOUT ${tmo}s"
		fail=$((fail + 1))
		;;
	*)
		echo "# $t: exit=$rc"
		echo "not ok $i $t # exit=$rc"
		fail=$((fail + 1))
		;;
	esac
done

echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
