#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make run": build tcptune and tcptunectl for the Debian 6.12 cloud kernel
# (or the release given) and boot it in QEMU with the demo (vm/demo.sh).
#
#   selftests/vm/run-demo.sh [REL]

set -u

. "$(dirname "$0")/common.sh"

step "dependencies"
ensure_deps || exit 1
if [ $# -gt 0 ]; then
	resolve_kernels "$1" || exit 1
	rel=$KERNELS
	ensure_deps "$rel" >/dev/null || exit 1
else
	rel=
	for r in $RELEASES; do
		case $r in 6.12.*|6.12-*) rel=$r ;; esac
	done
	[ -n "$rel" ] || { echo "no 6.12 kernel among: $RELEASES" >&2; exit 1; }
fi

mkdir -p "$BUILD/$rel"
build_module "$rel" || exit 1
build_userctl || exit 1
build_selftests || echo "    (going on without the C selftests)"
build_initramfs "$rel" || exit 1
step "boot $rel"
exec "$VMDIR/run-vm.sh" "$rel" --demo
