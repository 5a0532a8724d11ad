#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /proc/net/tcptune/stats: present in the initial netns, in a netns that
# existed before the module was loaded and in one made after; every line is
# "Name Value" (Name [A-Za-z0-9]+, blanks, Value a decimal integer) without
# duplicates; the required counters are there; and the directory goes away
# in every netns when the module is unloaded.

. "${0%/*}/lib.sh"

REQUIRED="EventsSent EventsSuppressed BbrxFlowsInit"

require_root

# check_stats WHERE TEXT: validate the content of a stats file.
check_stats() {
	where=$1
	text=$2
	[ -n "$text" ] || { fail "$where: stats file is empty"; return 1; }
	seen=" "
	lines=0
	bad=0
	while read -r name value extra; do
		lines=$((lines + 1))
		if [ -z "$value" ] || [ -n "$extra" ]; then
			fail "$where: line $lines '$name $value $extra' is not 'Name Value'"
			bad=1
			continue
		fi
		case $name in
		''|*[!A-Za-z0-9]*)
			fail "$where: line $lines: bad name '$name'"; bad=1 ;;
		esac
		case $value in
		''|*[!0-9]*)
			fail "$where: line $lines: bad value '$value'"; bad=1 ;;
		esac
		case $seen in
		*" $name "*) fail "$where: duplicate name '$name'"; bad=1 ;;
		esac
		seen="$seen$name "
	done <<EOF
$text
EOF
	for want in $REQUIRED; do
		case $seen in
		*" $want "*) ;;
		*) fail "$where: no $want line"; bad=1 ;;
		esac
	done
	[ "$bad" = 0 ] && pass "$where: $lines well-formed lines"
	# The set of names is the same everywhere.
	if [ -z "${first_names:-}" ]; then
		first_names=$seen
		first_where=$where
	else
		check_eq "$where: names as in $first_where" "$seen" "$first_names"
	fi
}

# read_ns_stats NS: contents of the stats file as seen from NS, in $text.
read_ns_stats() {
	text=$(ip netns exec "$1" cat "$TCPTUNE_PROC" 2>&1)
}

tcptune_unload
setup_ns before
tcptune_load
setup_ns after

# Initial netns: read with the shell, no exec.
if check_exists "init netns" "$TCPTUNE_PROC"; then
	text=
	while IFS= read -r line; do
		text="$text$line
"
	done <"$TCPTUNE_PROC"
	check_stats "init netns" "${text%
}"
fi

if read_ns_stats "$before"; then
	check_stats "netns made before load" "$text"
else
	fail "netns made before load: cannot read $TCPTUNE_PROC: $text"
fi

if read_ns_stats "$after"; then
	check_stats "netns made after load" "$text"
else
	fail "netns made after load: cannot read $TCPTUNE_PROC: $text"
fi

# Unloading removes the directory in every namespace.
tcptune_unload
check_absent "init netns after unload" /proc/net/tcptune
for ns in "$before" "$after"; do
	if ip netns exec "$ns" ls -d /proc/net/tcptune >/dev/null 2>&1; then
		fail "netns $ns after unload: /proc/net/tcptune still exists"
	fi
done
[ "$ret" = "$KSFT_PASS" ] && pass "gone in every netns after unload"

# Leave the module loaded, as found by the next test.
tcptune_load
ksft_exit
