#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side check: module/uapi/tcptune.h is exactly what the kernel's YNL
# generator makes of Documentation/netlink/specs/tcptune.yaml, and the spec
# validates against the genetlink-legacy schema. Uses the YNL tools and
# schemas from Debian's linux-source-6.12 (extracted under $BUILD).
#
#   selftests/ynl_uapi_check.sh [--regen]    --regen rewrites the header

set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
SRC=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) || {
	echo "ynl: /usr/src/linux-source-6.12.tar.xz missing (selftests/vm/deps.sh installs it)" >&2
	exit 1
}
K=$BUILD/ynl/linux
if [ ! -e "$K/.extracted" ] || [ "$SRC" -nt "$K/.extracted" ]; then
	rm -rf "$K" && mkdir -p "$K"
	top=$(tar -tJf "$SRC" | head -n 1); top=${top%%/*}
	tar -xJf "$SRC" -C "$K" --strip-components=1 \
		"$top/tools/net/ynl" "$top/Documentation/netlink"
	# ynl-gen-c.py finds the kernel root by walking up to MAINTAINERS.
	touch "$K/MAINTAINERS" "$K/.extracted"
fi
cp "$TOP/Documentation/netlink/specs/tcptune.yaml" "$K/Documentation/netlink/specs/"
out=$BUILD/ynl/tcptune.h
(cd "$K/tools/net/ynl" && /usr/bin/python3 ynl-gen-c.py --mode uapi --header \
	--spec "$K/Documentation/netlink/specs/tcptune.yaml" -o "$out")
if [ "${1:-}" = --regen ]; then
	cp "$out" "$TOP/module/uapi/tcptune.h"
	echo "ynl: module/uapi/tcptune.h regenerated"
elif diff -u "$TOP/module/uapi/tcptune.h" "$out"; then
	echo "ynl: module/uapi/tcptune.h matches the spec"
else
	echo "ynl: module/uapi/tcptune.h differs from the spec (run $0 --regen)" >&2
	exit 1
fi
