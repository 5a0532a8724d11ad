#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload tcptune repeatedly: every load must create
# /proc/net/tcptune/stats and /sys/kernel/debug/tcptune, every unload must
# remove them. Leaves the module loaded.
#
# Two execs a cycle (modprobe, modprobe -r); the checks are shell builtins.

. "${0%/*}/lib.sh"

CYCLES=${CYCLES:-50}

require_root
mountpoint_debugfs=0
while read -r _dev mnt type _rest; do
	[ "$mnt" = /sys/kernel/debug ] && [ "$type" = debugfs ] &&
		mountpoint_debugfs=1
done </proc/mounts
[ "$mountpoint_debugfs" = 1 ] || skip "debugfs not mounted"

tcptune_unload
check_absent "initially unloaded" "$TCPTUNE_PROC"

i=1
while [ "$i" -le "$CYCLES" ]; do
	if ! out=$(modprobe tcptune 2>&1); then
		die "cycle $i: modprobe tcptune failed: $out"
	fi
	[ -d "$TCPTUNE_SYSFS" ] ||
		die "cycle $i: $TCPTUNE_SYSFS missing after modprobe"
	check_exists "cycle $i: loaded" "$TCPTUNE_PROC" || break
	check_exists "cycle $i: loaded" "$TCPTUNE_DEBUGFS" || break

	if ! out=$(modprobe -r tcptune 2>&1); then
		die "cycle $i: modprobe -r tcptune failed: $out"
	fi
	check_absent "cycle $i: unloaded" "$TCPTUNE_SYSFS" || break
	check_absent "cycle $i: unloaded" "$TCPTUNE_PROC" || break
	check_absent "cycle $i: unloaded" "$TCPTUNE_DEBUGFS" || break
	i=$((i + 1))
done
[ "$ret" = "$KSFT_PASS" ] && pass "$CYCLES load/unload cycles"

if ! out=$(modprobe tcptune 2>&1); then
	die "final modprobe tcptune failed: $out"
fi
check_exists "finally loaded" "$TCPTUNE_PROC"
check_exists "finally loaded" "$TCPTUNE_DEBUGFS"

ksft_exit
