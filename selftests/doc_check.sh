#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check: every Documentation/*.rst parses cleanly with docutils
# (Sphinx-only constructs such as toctree are allowed) and the man page
# renders without groff warnings.

set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for f in "$TOP"/Documentation/*.rst; do
	out=$(/usr/bin/python3 -m docutils --report=2 --halt=5 "$f" /dev/null 2>&1 |
		grep -E '\((WARNING|ERROR|SEVERE)/' |
		grep -v 'Unknown directive type "toctree"\|Unknown interpreted text role')
	if [ -n "$out" ]; then
		echo "$out"
		rc=1
	fi
done
out=$(groff -man -ww -z "$TOP/userctl/tcptunectl.8" 2>&1)
if [ -n "$out" ]; then
	echo "tcptunectl.8: $out"
	rc=1
fi
[ $rc = 0 ] && echo "docs: RST and man page clean"
exit $rc
