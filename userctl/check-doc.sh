#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The manual page and the RST document must describe exactly what
# "tcptunectl --help" lists, so that they cannot drift apart:
#
# - every command line of --help ("config set NAME VALUE [NAME VALUE]...")
#   is a '.SS "..."' line of the manual page and a '``...``' line of the
#   RST document, and they have no other such lines;
# - every option of --help ("-n, --netns NETNS") is a '.B "..."' line of
#   the manual page and a '``...``' line of the RST document, and the
#   manual page has no other '.B "-..."' lines;
# - the "OBJECT := { ... }" lists name the objects of --help;
# - both name the version "tcptunectl -V" prints.
#
# Usage: check-doc.sh TCPTUNECTL MANPAGE RST

set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 TCPTUNECTL MANPAGE RST" >&2
	exit 2
fi
tool=$1 man=$2 rst=$3

help=$("$tool" --help) || { echo "check-doc: $tool --help failed" >&2; exit 1; }
version=$("$tool" -V) || { echo "check-doc: $tool -V failed" >&2; exit 1; }

# The manual page without roff escapes for "-" and quotes.
man_text=$(sed -e 's/\\-/-/g' -e 's/\\(dq/"/g' "$man") || exit 1
rst_text=$(cat "$rst") || exit 1

# Lines indented by two spaces in a section of --help ("Options:", ...).
section() {
	printf '%s\n' "$help" | awk -v s="$1" '
		$0 == s { on = 1; next }
		/^$/ { on = 0 }
		on && /^  [^ ]/ { sub(/^  /, ""); print }'
}

commands=$(section "Objects and commands:")
# "-j, --json          Print JSON..." -> "-j, --json"
options=$(section "Options:" | sed 's/   *.*//')
objects=$(printf '%s\n' "$commands" | awk '{ print $1 }' | sort -u)

errors=0
err() {
	echo "check-doc: $*" >&2
	errors=$((errors + 1))
}

# has TEXT LINE: TEXT has LINE as a whole line.
has() {
	printf '%s\n' "$1" | grep -qxF -- "$2"
}

[ -n "$commands" ] || err "no commands found in --help"
[ -n "$options" ] || err "no options found in --help"

while IFS= read -r c; do
	[ -n "$c" ] || continue
	has "$man_text" ".SS \"$c\"" || err "$man: no '.SS \"$c\"'"
	has "$rst_text" "\`\`$c\`\`" || err "$rst: no '\`\`$c\`\`'"
done <<EOF
$commands
EOF

while IFS= read -r o; do
	[ -n "$o" ] || continue
	has "$man_text" ".B \"$o\"" || err "$man: no option '.B \"$o\"'"
	has "$rst_text" "\`\`$o\`\`" || err "$rst: no option '\`\`$o\`\`'"
done <<EOF
$options
EOF

# Nothing documented that --help does not list.
while IFS= read -r c; do
	[ -n "$c" ] || continue
	has "$commands" "$c" || err "$man: '.SS \"$c\"' is not in --help"
done <<EOF
$(printf '%s\n' "$man_text" | sed -n 's/^\.SS "\(.*\)"$/\1/p')
EOF
while IFS= read -r o; do
	[ -n "$o" ] || continue
	has "$options" "$o" || err "$man: option '$o' is not in --help"
done <<EOF
$(printf '%s\n' "$man_text" | sed -n 's/^\.B "\(-.*\)"$/\1/p')
EOF
# shellcheck disable=SC2016 # backquotes of RST, not an expansion
while IFS= read -r t; do
	[ -n "$t" ] || continue
	has "$commands" "$t" || has "$options" "$t" ||
		err "$rst: '\`\`$t\`\`' is not in --help"
done <<EOF
$(printf '%s\n' "$rst_text" | sed -n 's/^``\([^`]*\)``$/\1/p')
EOF

# The object lists: ".BR stats " | " version ..." and "OBJECT := { ... }".
words() {
	tr -d '"{}|' | tr ' ' '\n' | grep -v '^$' | sort -u
}
man_objects=$(printf '%s\n' "$man_text" |
	awk '/^\.IR OBJECT " := \{"$/ { getline; sub(/^\.BR /, ""); print }' | words)
rst_objects=$(printf '%s\n' "$rst_text" |
	sed -n 's/^ *OBJECT := {\(.*\)}$/\1/p' | words)
oneline() {
	printf '%s\n' "$1" | tr '\n' ' '
}
[ "$man_objects" = "$objects" ] ||
	err "$man: the OBJECT list is { $(oneline "$man_objects")}," \
	    "--help has { $(oneline "$objects")}"
[ "$rst_objects" = "$objects" ] ||
	err "$rst: the OBJECT list is { $(oneline "$rst_objects")}," \
	    "--help has { $(oneline "$objects")}"

# The version.
printf '%s\n' "$man_text" | grep -q "^\.TH .*\"$version\"" ||
	err "$man: the .TH line does not name \"$version\""
printf '%s\n' "$rst_text" | grep -qF "$version" ||
	err "$rst: does not name \"$version\""

if [ "$errors" -ne 0 ]; then
	echo "check-doc: $errors problems: update $man and $rst with --help" >&2
	exit 1
fi
echo "check-doc: $man and $rst match --help"
