#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tcptunectl against the module: version and stats agree with sysfs and
# procfs, JSON output parses, config set round-trips and range-checks, the
# monitors in this and another netns see the param-changed event of a
# module-scope config set, bad commands fail,
# the genl family alias autoloads the module, and a module that cannot be
# loaded is reported as "not loaded". Leaves the module loaded with default
# parameters.

. "${0%/*}/lib.sh"

require_root
[ -x "$TCPTUNECTL" ] || die "$TCPTUNECTL is not installed"
tcptune_load

tmp=${TMPDIR:-/tmp}/tcptunectl.$$
mkdir -p "$tmp"
defer "rm -rf '$tmp'"

# same_set NAME "A..." "B...": two space-separated word sets are equal.
same_set() {
	for _w in $2; do
		case " $3 " in *" $_w "*) ;; *)
			fail "$1: '$_w' only in the first set ($2 / $3)"; return 1 ;;
		esac
	done
	for _w in $3; do
		case " $2 " in *" $_w "*) ;; *)
			fail "$1: '$_w' only in the second set ($2 / $3)"; return 1 ;;
		esac
	done
	return 0
}

# run_ctl ARGS...: tcptunectl's stdout in $out, stderr in $err, status in $rc.
run_ctl() {
	if "$TCPTUNECTL" "$@" >"$tmp/out" 2>"$tmp/err"; then rc=0; else rc=$?; fi
	read_file "$tmp/out" out
	read_file "$tmp/err" err
}

# Value of config parameter $1 in tcptunectl's JSON ($2), whatever the layout:
# {"name": value}, {"name": {"value": v}} or [{"name": "name", "value": v}].
json_param() {
	printf '%s\n' "$2" | jq -r --arg p "$1" '
		first((.. | objects | select(has($p)) | .[$p] |
		       if type == "object" then .value else . end),
		      (.. | objects | select(.name? == $p) | .value),
		      "missing")'
}

stats_names "$TCPTUNE_PROC"
proc_names=$names

# --- version -------------------------------------------------------------
run_ctl -V
check_eq "tcptunectl -V status" "$rc" 0 && check_ne "tcptunectl -V output" "$out" ""

read -r modver <"$TCPTUNE_SYSFS/version" || modver=
check_ne "module version in sysfs" "$modver" ""
run_ctl version
if check_eq "tcptunectl version status" "$rc" 0; then
	check_match "tcptunectl version shows $modver" "$out" "*$modver*" &&
		pass "tcptunectl version shows module version $modver"
fi

run_ctl bogus
check_ne "tcptunectl bogus status" "$rc" 0

# --- stats ---------------------------------------------------------------
run_ctl stats
if check_eq "tcptunectl stats status" "$rc" 0; then
	names=
	while read -r name _rest; do
		[ -n "$name" ] && names="$names ${name%:}"
	done <"$tmp/out"
	same_set "tcptunectl stats names vs procfs" "$names" "$proc_names" &&
		pass "tcptunectl stats: same names as procfs"
fi

run_ctl -j stats
if check_eq "tcptunectl -j stats status" "$rc" 0; then
	if keys=$(jq -r 'if type == "object" then
			   to_entries[] | "\(.key) \(.value | type)"
			 else error("not a JSON object") end' "$tmp/out" 2>&1)
	then
		names=
		while read -r key type; do
			names="$names $key"
			check_eq "-j stats: type of $key" "$type" number
		done <<EOF
$keys
EOF
		same_set "tcptunectl -j stats keys vs procfs" "$names" "$proc_names" &&
			pass "tcptunectl -j stats: JSON object, same keys as procfs"
	else
		fail "tcptunectl -j stats: not valid JSON: $keys"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
fi

# --- config --------------------------------------------------------------
run_ctl config set event_interval_ms 500
check_eq "config set event_interval_ms 500 status" "$rc" 0 ||
	printf '%s\n' "$err"
run_ctl -j config
if check_eq "tcptunectl -j config status" "$rc" 0; then
	check_eq "event_interval_ms after set" \
		"$(json_param event_interval_ms "$out")" 500 &&
		pass "config set event_interval_ms 500 shows in -j config"
fi

run_ctl config set event_interval_ms 99999999
check_ne "config set event_interval_ms 99999999 status" "$rc" 0
check_match "out-of-range message on stderr" "$err" "*range*" &&
	pass "out-of-range set refused: $err"
run_ctl -j config
check_eq "event_interval_ms after rejected set" \
	"$(json_param event_interval_ms "$out")" 500

# A module-scope and a netns-scope parameter go in two requests: a bad
# value in the second must leave the first unchanged too.
run_ctl config set event_interval_ms 777 tw_warn_pct 101
check_ne "config set event_interval_ms 777 tw_warn_pct 101 status" "$rc" 0
check_match "mixed-scope out-of-range message" "$err" "*tw_warn_pct*range*"
run_ctl -j config
check_eq "event_interval_ms after rejected mixed-scope set" \
	"$(json_param event_interval_ms "$out")" 500 &&
	pass "a refused netns value left the module value unchanged"

# --- monitor -------------------------------------------------------------
# A module-scope parameter applies in every netns, so its change is
# announced in every netns: a monitor here and one in another netns.
setup_ns monns
defer cleanup_all_ns
"$TCPTUNECTL" monitor count 1 >"$tmp/mon" 2>&1 &
mpid=$!
defer "kill $mpid 2>/dev/null"
"$TCPTUNECTL" -n "$monns" monitor count 1 >"$tmp/mon2" 2>&1 &
mpid2=$!
defer "kill $mpid2 2>/dev/null"

# Subscribed once one of its generic netlink sockets (protocol 16) shows
# multicast groups in /proc/net/netlink (only groups 1-32 are shown there,
# so this is a best effort: the loop below retries anyway).
mon_subscribed() {
	kill -0 "$mpid" 2>/dev/null || return 0
	socks=$(ls -l "/proc/$mpid/fd" 2>/dev/null) || return 1
	while read -r _sk eth _pid groups _r _w _d _l _dr inode; do
		if [ "$eth" != 16 ] || [ "$groups" = 00000000 ]; then
			continue
		fi
		case $socks in *"socket:[$inode]"*) return 0 ;; esac
	done </proc/net/netlink
	return 1
}
mon_done() { ! kill -0 "$mpid" 2>/dev/null && ! kill -0 "$mpid2" 2>/dev/null; }

# mon_check NAME PID FILE: the monitor exited 0 after a param-changed line.
mon_check() {
	if kill -0 "$2" 2>/dev/null; then
		fail "$1: monitor count 1 did not exit after 5 config sets"
		sed 's/^/    /' "$3"
		return
	fi
	wait "$2" && _mrc=0 || _mrc=$?
	check_eq "$1: monitor count 1 status" "$_mrc" 0
	_found=0
	while IFS= read -r line; do
		case $line in
		*param-changed*event_interval_ms*|*event_interval_ms*param-changed*)
			_found=1 ;;
		esac
	done <"$3"
	if [ "$_found" = 1 ]; then
		pass "$1: monitor saw the param-changed event"
	else
		fail "$1: monitor printed no param-changed line for event_interval_ms"
		sed 's/^/    /' "$3"
	fi
}

slowwait 5 mon_subscribed || log "monitor subscription not visible, going on"
for v in 501 502 503 504 505; do
	run_ctl config set event_interval_ms "$v"
	check_eq "config set event_interval_ms $v status" "$rc" 0 || break
	slowwait 2 mon_done && break
done
mon_check "same netns" "$mpid" "$tmp/mon"
mon_check "other netns" "$mpid2" "$tmp/mon2"

# --- module not loaded ---------------------------------------------------
# The module has a generic netlink family alias, so asking for the family
# loads it again (the kernel runs modprobe)...
tcptune_unload
run_ctl stats
check_eq "tcptunectl stats autoloads the module: status" "$rc" 0
if tcptune_loaded; then
	pass "tcptunectl stats autoloads the module"
else
	fail "tcptunectl stats did not autoload tcptune"
fi

# ...unless modprobe may not: then tcptunectl must say it is not loaded.
# "blacklist" makes modprobe ignore the module's aliases, not its name.
mkdir -p /etc/modprobe.d
echo "blacklist tcptune" >/etc/modprobe.d/tcptune-selftest.conf
defer "rm -f /etc/modprobe.d/tcptune-selftest.conf"
tcptune_unload
run_ctl stats
check_ne "tcptunectl stats without module: status" "$rc" 0
check_match "tcptunectl stats without module: message" "$out$err" "*not loaded*"
tcptune_loaded && fail "tcptune was loaded despite the blacklist"
[ "$rc" != 0 ] && pass "without the module: $out$err"
rm -f /etc/modprobe.d/tcptune-selftest.conf

# Back to a loaded module with default parameters.
tcptune_load
ksft_exit
