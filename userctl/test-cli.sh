#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Command line tests of tcptunectl that need no kernel module: options,
# argument checking, help, exit codes. When the tcptune family is not
# registered, also the "module not loaded" path of every object.
#
# Usage: test-cli.sh [PATH-TO-TCPTUNECTL]

TOOL=${1:-./tcptunectl}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

fail=0
count=0

# run ARGS...: run the tool, keeping stdout, stderr and the exit code.
run()
{
	"$TOOL" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

bad()
{
	echo "FAIL: tcptunectl $*" >&2
	echo "  exit code: $rc" >&2
	sed 's/^/  stdout: /' "$TMP/out" >&2
	sed 's/^/  stderr: /' "$TMP/err" >&2
	fail=$((fail + 1))
}

# expect_ok ARGS...: exit 0, nothing on stderr.
expect_ok()
{
	count=$((count + 1))
	run "$@"
	if [ "$rc" -ne 0 ] || [ -s "$TMP/err" ]; then
		bad "$@"
	fi
}

# expect_fail MESSAGE ARGS...: exit 1, nothing on stdout, MESSAGE
# (a fixed string) on stderr.
expect_fail()
{
	msg=$1
	shift
	count=$((count + 1))
	run "$@"
	if [ "$rc" -ne 1 ] || [ -s "$TMP/out" ] ||
	   ! grep -qF -- "$msg" "$TMP/err"; then
		bad "$@"
	fi
}

# Version and help
expect_ok -V
[ "$(cat "$TMP/out")" = "tcptunectl 0.1.0" ] || bad -V
expect_ok --version
[ "$(cat "$TMP/out")" = "tcptunectl 0.1.0" ] || bad --version
expect_ok -j -n nosuchns -V

expect_ok --help
cp "$TMP/out" "$TMP/help"
head -n 1 "$TMP/help" | grep -q '^Usage: tcptunectl \[OPTIONS\] OBJECT' || bad --help
expect_ok -h
cmp -s "$TMP/out" "$TMP/help" || bad -h
expect_ok help
cmp -s "$TMP/out" "$TMP/help" || bad help

for obj in stats version config cc listeners timewait monitor help; do
	expect_ok "$obj" help
	grep -q "^Usage: tcptunectl \[OPTIONS\] $obj" "$TMP/out" || bad "$obj" help
	expect_ok -n nosuchns "$obj" help
done

# No object: the usage, on stderr.
count=$((count + 1))
run
if [ "$rc" -ne 1 ] || [ -s "$TMP/out" ] || ! cmp -s "$TMP/err" "$TMP/help"; then
	bad "(no arguments)"
fi

# Options
expect_fail 'unknown option "-x"' -x stats
expect_fail 'Try "tcptunectl --help".' -x stats
expect_fail 'unknown option "--bogus"' --bogus stats
expect_fail 'unknown option "--bogus"' --bogus=1 stats
expect_fail 'option "--json" takes no value' --json=1 stats
expect_fail 'option "--pretty" takes no value' --pre=yes stats
expect_fail 'needs a network namespace name' -n
expect_fail 'needs a network namespace name' --netns
expect_fail 'unknown object "stats-show"' stats-show
expect_fail 'unknown command "-j" for object "stats" (options go before the object)' stats -j
expect_fail 'unknown object "STATS"' STATS

# Commands and arguments
expect_fail 'unknown command "frob" for object "config"' config frob
expect_fail 'Try "tcptunectl config help".' config frob
expect_fail 'unknown command "list" for object "cc"' cc list
expect_fail 'unexpected argument "x"' stats show x
expect_fail 'unexpected argument "show"' version show
expect_fail 'unexpected argument "x"' config show x
expect_fail 'unexpected argument "x"' cc show x
expect_fail 'unexpected argument "x"' help x
expect_fail 'unexpected argument "x"' config help x
expect_fail '"config set" needs NAME VALUE pairs' config set
expect_fail '"cc set" needs NAME VALUE pairs' cc set
expect_fail 'missing value for parameter "events"' config set events
expect_fail 'missing value for parameter "b"' config set a 1 b

for v in '' '-1' '+1' ' 1' '1 ' '1x' '0x10' '1.5' '1e3'; do
	expect_fail "invalid value \"$v\" for parameter \"a\"" config set a "$v"
	expect_fail "invalid value \"$v\" for parameter \"b\"" cc set a 1 b "$v"
done
for v in 4294967296 99999999999999999999; do
	expect_fail "value \"$v\" for parameter \"a\" is too large (the maximum is 4294967295)" \
		config set a "$v"
done
expect_fail 'parameter "a" is given more than once' config set a 1 a 2

expect_fail 'unexpected argument "x"' monitor x
expect_fail '"count" needs a number of events' monitor count
expect_fail 'invalid count "0"' monitor count 0
expect_fail 'invalid count "-1"' monitor count -1
expect_fail 'invalid count "4294967296"' monitor count 4294967296
expect_fail '"count" is given more than once' monitor count 1 count 2

expect_fail 'unexpected argument "x"' listeners x
expect_fail '"port" needs a port number from 0 to 65535' listeners port 65536
expect_fail '"port" needs a port number from 0 to 65535' listeners port
expect_fail '"port" is given more than once' listeners port 1 port 2
expect_fail '"by" needs local, remote or age' timewait by foo
expect_fail '"by" needs local, remote or age' timewait by
expect_fail '"top" needs a number from 1 to 1000' timewait top 0
expect_fail '"top" needs a number from 1 to 1000' timewait top 1001
expect_fail 'unexpected argument "x"' timewait x

# Network namespaces
expect_fail 'network namespace "nosuchns" does not exist (no /run/netns/nosuchns)' \
	-n nosuchns stats
expect_fail 'invalid network namespace name "../x"' -n ../x stats
expect_fail 'invalid network namespace name ""' -n '' stats
expect_fail 'invalid network namespace name ".."' --netns .. version

# Output errors are failures too.
if [ -w /dev/full ]; then
	count=$((count + 1))
	"$TOOL" -V >/dev/full 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne 1 ] || ! grep -q 'cannot write the output' "$TMP/err"; then
		bad "-V >/dev/full"
	fi
	count=$((count + 1))
	"$TOOL" --help >/dev/full 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 1 ] || bad "--help >/dev/full"
fi

# Without the module
NOT_LOADED='tcptunectl: the tcptune module is not loaded (load it with: modprobe tcptune)'
run version
if [ "$rc" -ne 0 ] && grep -qF "$NOT_LOADED" "$TMP/err"; then
	for args in "stats" "stats show" "-j stats" "version" "-j -p version" \
		    "config" "config show" "config set a 1" "cc" "cc show" \
		    "cc set beta 7" "listeners" "listeners port 80 overflowing" \
		    "timewait" "timewait by remote top 5" "monitor" \
		    "monitor count 1"; do
		# shellcheck disable=SC2086 # word splitting wanted
		expect_fail "$NOT_LOADED" $args
		[ "$(cat "$TMP/err")" = "$NOT_LOADED" ] || bad "$args"
	done
else
	echo "test-cli: the tcptune family is registered; skipping the not-loaded tests"
fi

if [ "$fail" -ne 0 ]; then
	echo "test-cli: $fail of $count tests failed" >&2
	exit 1
fi
echo "test-cli: all $count tests passed"
