# SPDX-License-Identifier: GPL-2.0
#
# Build steps shared by check.sh and run-demo.sh; source it, do not run it.
# Every step logs to build/ and returns non-zero on failure after showing
# the tool's output, so the caller decides what a failure costs.
#
# Environment: TCPTUNE_MODULE_SRC is the directory with Kbuild and module/
# (default: the repository), to try the harness with another module.

VMDIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VMDIR/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
export BUILD
MODULE_SRC=${TCPTUNE_MODULE_SRC:-$TOP}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

step() { printf '==> %s\n' "$*"; }

# show_log FILE: a build's output, the end of it if it is long.
show_log() {
	if [ "$(wc -l <"$1")" -gt 150 ]; then
		echo "    ... (full output in ${1#"$TOP"/})"
		tail -n 150 "$1"
	else
		cat "$1"
	fi | sed 's/^/    /'
}

# ensure_deps [REL...]: install packages, fetch kernels; sets RELEASES.
ensure_deps() {
	mkdir -p "$BUILD"
	if ! "$VMDIR/deps.sh" "$@" >"$BUILD/deps.out"; then
		cat "$BUILD/deps.out"
		return 1
	fi
	RELEASES=$(sed -n 's/^kernels: //p' "$BUILD/deps.out")
	echo "kernels: $RELEASES"
}

# resolve_kernels "SPEC...": full releases for names like "6.1" or "6.12"
# (matched against the discovered releases) or full releases; sets KERNELS,
# and KERNELS_FETCH to those of them deps.sh must fetch. A kernel built here
# (debug-kernel.sh: build/kernels/NAME/.local, NAME being "debug" or its
# release) is taken as it is and never fetched.
resolve_kernels() {
	KERNELS= KERNELS_FETCH=
	for k in $1; do
		if [ -f "$BUILD/kernels/$k/.local" ]; then
			_r=$(sed -n 's/^release=//p' "$BUILD/kernels/$k/.local")
			KERNELS="$KERNELS ${_r:-$k}"
			continue
		fi
		case $k in
		*-cloud-amd64|*-amd64)
			KERNELS="$KERNELS $k" KERNELS_FETCH="$KERNELS_FETCH $k"
			continue
			;;
		esac
		match=
		for r in $RELEASES; do
			case $r in
			"$k"|"$k".*|"$k"-*) match=$r ;;
			esac
		done
		if [ -z "$match" ]; then
			echo "unknown kernel '$k' (known: $RELEASES)" >&2
			return 1
		fi
		KERNELS="$KERNELS $match" KERNELS_FETCH="$KERNELS_FETCH $match"
	done
	KERNELS=${KERNELS# } KERNELS_FETCH=${KERNELS_FETCH# }
}

# kdir REL: the tree to build modules for REL against: the Debian headers,
# or the tree of a kernel built here (debug-kernel.sh).
kdir() {
	if [ -f "$BUILD/kernels/$1/.local" ]; then
		echo "$BUILD/kernels/$1/lib/modules/$1/build"
	else
		echo "/lib/modules/$1/build"
	fi
}

# build_module REL: tcptune.ko for REL in its own tree, build/REL/src.
build_module() {
	_rel=$1
	_src=$BUILD/$_rel/src
	step "build tcptune.ko for $_rel"
	rm -rf "$_src"
	mkdir -p "$_src"
	if [ ! -f "$MODULE_SRC/Kbuild" ] || [ ! -d "$MODULE_SRC/module" ]; then
		echo "    no Kbuild or module/ in $MODULE_SRC"
		return 1
	fi
	cp -p "$MODULE_SRC/Kbuild" "$_src/"
	cp -pR "$MODULE_SRC/module" "$_src/"
	# C=1: sparse checks every file; a compiler or sparse warning fails
	# the build like an error would.
	if ! make -C "$(kdir "$_rel")" M="$_src" -j"$JOBS" C=1 modules \
		>"$BUILD/$_rel/module.log" 2>&1 || [ ! -f "$_src/tcptune.ko" ]; then
		show_log "$BUILD/$_rel/module.log"
		return 1
	fi
	if grep -E 'warning:|error:' "$BUILD/$_rel/module.log"; then
		echo "    warnings (gcc or sparse) are errors here"
		return 1
	fi
}

# build_userctl: tcptunectl (made in userctl/ by its own Makefile).
build_userctl() {
	step "build tcptunectl"
	mkdir -p "$BUILD"
	if [ ! -f "$TOP/userctl/Makefile" ]; then
		echo "    no userctl/Makefile"
		return 1
	fi
	if ! make -C "$TOP/userctl" -j"$JOBS" >"$BUILD/userctl.log" 2>&1; then
		show_log "$BUILD/userctl.log"
		return 1
	fi
}

# build_selftests: C tests and the installed tree in build/selftests/install.
# Installs what did build even when a C test fails.
build_selftests() {
	step "build selftests"
	mkdir -p "$BUILD"
	if ! make -C "$TOP/selftests" -j"$JOBS" OUTPUT="$BUILD/selftests" install \
		>"$BUILD/selftests.log" 2>&1; then
		show_log "$BUILD/selftests.log"
		make -C "$TOP/selftests" OUTPUT="$BUILD/selftests" install-files >/dev/null 2>&1
		return 1
	fi
}

# build_initramfs REL
build_initramfs() {
	step "build initramfs for $1"
	if ! "$VMDIR/build-initramfs.sh" "$1" >"$BUILD/$1/initramfs.log" 2>&1
	then
		show_log "$BUILD/$1/initramfs.log"
		return 1
	fi
	grep warning "$BUILD/$1/initramfs.log" | sed 's/^/    /' || true
}
