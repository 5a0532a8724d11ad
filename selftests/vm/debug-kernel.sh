#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of "make check-debug": Debian's linux-source-6.12
# with KASAN, UBSAN, lockdep, kmemleak and friends (selftests/config and
# selftests/vm/debug.config on top of x86_64 defconfig), installed like the
# Debian kernels deps.sh fetches, so the harness can boot it:
#
#   build/debug-kernel/linux-source-6.12/     the tree (its own KDIR)
#   build/kernels/REL/boot/vmlinuz-REL        REL = 6.12.N-tcptune-debug
#   build/kernels/REL/lib/modules/REL/        modules, modules.builtin, build ->
#   build/kernels/debug -> REL                the name check.sh --kernels takes
#
#   selftests/vm/debug-kernel.sh [--release | --config]
#
# Cached: nothing is rebuilt when the installed kernel was made from the same
# selftests/config, debug.config, this script and source tarball (stamp in
# build/kernels/REL/.local). The build runs under "nice -n 19" with
# DEBUG_KERNEL_JOBS jobs (default 2); its wall and CPU times go to
# build/kernels/REL/build-time, build/debug-kernel/build-times.log (all
# builds) and stdout. Prints "kernels: debug" at the end.
# With --release, prints the installed release (or fails) and builds nothing;
# with --config, only makes and checks the tree's .config.
#
# Environment: LINUX_SOURCE (default /usr/src/linux-source-6.12.tar.xz),
# DEBUG_KERNEL_JOBS.

set -eu

VMDIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VMDIR/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
KCACHE=$BUILD/kernels
ALIAS=debug
FRAG=$VMDIR/debug.config
SCONFIG=$TOP/selftests/config
SRC_TAR=${LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
DK=$BUILD/debug-kernel
JOBS=${DEBUG_KERNEL_JOBS:-2}
# Kernel builds never get a "+" for the surrounding git repository.
export LOCALVERSION=

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { printf 'debug-kernel: error: %s\n' "$*" >&2; exit 1; }

if [ "${1:-}" = --release ]; then
	rel=$(sed -n 's/^release=//p' "$KCACHE/$ALIAS/.local" 2>/dev/null) ||
		true
	[ -n "$rel" ] || die "no debug kernel in $KCACHE/$ALIAS (run $0)"
	echo "$rel"
	exit 0
fi
config_only=0
case ${1:-} in
--config) config_only=1; shift ;;
esac
[ $# -eq 0 ] || { echo "usage: $0 [--release | --config]" >&2; exit 2; }

mkdir -p "$BUILD"
# Kernel build tools beyond build-essential (deps.sh installs the rest).
need=
for p in flex bison bc libelf-dev libssl-dev; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
		need="$need $p"
done
if [ -n "$need" ]; then
	SUDO=
	[ "$(id -u)" = 0 ] || SUDO=sudo
	log "installing:$need"
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
		-o Dpkg::Use-Pty=0 --no-install-recommends install $need \
		>"$BUILD/debug-kernel-apt.log" 2>&1 </dev/null || {
		cat "$BUILD/debug-kernel-apt.log" >&2
		die "apt-get install failed"
	}
fi
[ -f "$SRC_TAR" ] ||
	die "no $SRC_TAR (apt-get install linux-source-6.12, or selftests/vm/deps.sh)"
[ -f "$FRAG" ] && [ -f "$SCONFIG" ] || die "no $FRAG or $SCONFIG"

# What the installed kernel must have been made from.
tar_id=$(stat -c '%n %s %Y' "$SRC_TAR")
key=$(cat "$SCONFIG" "$FRAG" "$0" | sha256sum | cut -d' ' -f1)
key="$key $tar_id"

installed=$KCACHE/$ALIAS
if [ "$config_only" = 0 ] && [ -f "$installed/.local" ] &&
   [ "$(sed -n 's/^key=//p' "$installed/.local")" = "$key" ]; then
	rel=$(sed -n 's/^release=//p' "$installed/.local")
	if [ -f "$installed/boot/vmlinuz-$rel" ] &&
	   [ -f "$installed/lib/modules/$rel/build/Module.symvers" ]; then
		log "$rel is up to date ($installed)"
		echo "kernels: $ALIAS"
		exit 0
	fi
fi

# --- source ---------------------------------------------------------------
mkdir -p "$DK"
top=$(tar -tJf "$SRC_TAR" | head -n 1)
top=${top%%/*}
[ -n "$top" ] || die "cannot read $SRC_TAR"
TREE=$DK/$top
if [ "$(cat "$DK/.extracted" 2>/dev/null)" != "$tar_id" ] ||
   [ ! -f "$TREE/Makefile" ]; then
	log "extracting $SRC_TAR into $DK"
	rm -rf "$TREE" "$DK/.extracted"
	nice -n 19 tar -xJf "$SRC_TAR" -C "$DK"
	echo "$tar_id" >"$DK/.extracted"
fi
cd "$TREE"

# --- configuration --------------------------------------------------------
# defconfig, then every line of selftests/config (what the tests need) and
# of debug.config through scripts/config; for a symbol in both, the line of
# debug.config wins.
log "configuring (defconfig + ${SCONFIG#"$TOP"/} + ${FRAG#"$TOP"/})"
awk '
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { sym = $2 }
	/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym) }
	sym != "" { if (!(sym in line)) order[n++] = sym; line[sym] = $0; sym = "" }
	END { for (i = 0; i < n; i++) print line[order[i]] }
' "$SCONFIG" "$FRAG" >"$DK/fragment.config"
make -s defconfig >"$DK/config.log" 2>&1 || { cat "$DK/config.log"; die "make defconfig failed"; }
set --
while IFS= read -r line; do
	case $line in
	'# CONFIG_'*' is not set')
		sym=${line#\# CONFIG_}
		set -- "$@" --disable "${sym% is not set}"
		;;
	'#'*|'') ;;
	CONFIG_*=y) sym=${line%%=*}; set -- "$@" --enable "${sym#CONFIG_}" ;;
	CONFIG_*=m) sym=${line%%=*}; set -- "$@" --module "${sym#CONFIG_}" ;;
	CONFIG_*=\"*\")
		sym=${line%%=*} val=${line#*=\"}
		set -- "$@" --set-str "${sym#CONFIG_}" "${val%\"}"
		;;
	CONFIG_*=*)
		sym=${line%%=*}
		set -- "$@" --set-val "${sym#CONFIG_}" "${line#*=}"
		;;
	*) die "cannot parse '$line'" ;;
	esac
done <"$DK/fragment.config"
scripts/config --file .config "$@"
make -s olddefconfig >>"$DK/config.log" 2>&1 ||
	{ cat "$DK/config.log"; die "make olddefconfig failed"; }

# Every line of the fragment must have stuck (Kconfig drops what it cannot
# satisfy silently); "not set" also holds for a symbol that disappeared.
bad=
while IFS= read -r line; do
	case $line in
	'# CONFIG_'*' is not set')
		sym=${line#\# }
		sym=${sym% is not set}
		if grep -Eq "^$sym=" .config; then
			bad="$bad
  want '$line', have '$(grep -E "^$sym=" .config)'"
		fi
		;;
	'#'*|'') ;;
	*)
		if ! grep -qxF "$line" .config; then
			sym=${line%%=*}
			have=$(grep -E "^$sym=|^# $sym is not set" .config || echo absent)
			bad="$bad
  want '$line', have '$have'"
		fi
		;;
	esac
done <"$DK/fragment.config"
[ -z "$bad" ] || die "options of ${SCONFIG#"$TOP"/} or ${FRAG#"$TOP"/} that did not stick (missing dependency?):$bad"

# kernelrelease reads include/config/auto.conf, which syncconfig writes.
make -s syncconfig >>"$DK/config.log" 2>&1 ||
	{ cat "$DK/config.log"; die "make syncconfig failed"; }
rel=$(make -s kernelrelease)
case $rel in
*-tcptune-debug) ;;
*) die "unexpected kernel release '$rel'" ;;
esac
if [ "$config_only" = 1 ]; then
	log "$TREE/.config is ready for $rel"
	exit 0
fi

# --- build ----------------------------------------------------------------
log "building $rel: nice -n 19 make -j$JOBS bzImage modules (log: ${DK#"$TOP"/}/build.log)"
start=$(date +%s)
load=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -x /usr/bin/time ]; then
	timer="/usr/bin/time -o $DK/time.out -f %e,%U,%S"
else
	timer=
fi
rm -f "$DK/time.out"
# shellcheck disable=SC2086 # timer is a command prefix
if ! $timer nice -n 19 make -j"$JOBS" bzImage modules >"$DK/build.log" 2>&1; then
	tail -n 60 "$DK/build.log" >&2
	die "kernel build failed (full log: $DK/build.log)"
fi
wall=$(($(date +%s) - start))
cpu=unknown
if [ -f "$DK/time.out" ]; then
	IFS=, read -r _e usr sys <"$DK/time.out"
	cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%d", u + s }')
	usr=${usr%.*} sys=${sys%.*}
else
	usr=unknown sys=unknown
fi
times="wall=${wall}s cpu=${cpu}s (user=${usr}s sys=${sys}s) jobs=$JOBS nproc=$(nproc) load_before=$load"
log "built $rel: $times"
# History: the first build of a tree is the full one, later ones incremental.
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $rel $times" >>"$DK/build-times.log"

# --- install, like deps.sh's cache of a Debian kernel -------------------------
dest=$KCACHE/$rel
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/boot"
make -s modules_install INSTALL_MOD_PATH="$dest.tmp" >"$DK/install.log" 2>&1 ||
	{ cat "$DK/install.log"; die "modules_install failed"; }
[ -f "$dest.tmp/lib/modules/$rel/modules.builtin" ] ||
	die "modules_install made no modules.builtin"
cp arch/x86/boot/bzImage "$dest.tmp/boot/vmlinuz-$rel"
cp System.map "$dest.tmp/boot/System.map-$rel"
cp .config "$dest.tmp/boot/config-$rel"
# make modules_install points lib/modules/REL/build at this tree already;
# say it again in case a future kbuild stops doing so.
ln -sfn "$TREE" "$dest.tmp/lib/modules/$rel/build"
echo "$times" >"$dest.tmp/build-time"
{
	echo "release=$rel"
	echo "key=$key"
	echo "tree=$TREE"
} >"$dest.tmp/.local"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
ln -sfn "$rel" "$KCACHE/$ALIAS"
log "installed $rel in $dest"
echo "kernels: $ALIAS"
