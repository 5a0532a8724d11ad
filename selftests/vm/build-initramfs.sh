#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs for one kernel release.
#
#   selftests/vm/build-initramfs.sh [-o OUT] [-k tcptune.ko] [-c tcptunectl]
#                                   [-s SELFTESTS_DIR] REL
#
# Defaults: OUT=build/REL/initramfs.cpio.gz, tcptune.ko from build/REL/src/,
# tcptunectl from userctl/, selftests from build/selftests/install (made by
# "make -C selftests install"). A missing tcptune.ko or tcptunectl is left out
# with a warning: the tests that need it then fail and say so.
#
# The guest is a usr-merged tree: busybox applets as symlinks; the real kmod,
# iproute2, iperf3, jq and util-linux tools with their shared libraries (ldd);
# the Debian modules named in guest-modules plus dependencies from
# build/kernels/REL (see deps.sh); tcptune.ko in /lib/modules/REL/extra; the
# selftests in /selftests; /init from init.sh.

set -eu

VMDIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VMDIR/../.." && pwd)
BUILD=${BUILD:-$TOP/build}

usage() {
	echo "usage: $0 [-o OUT] [-k KO] [-c CTL] [-s SELFTESTS_DIR] REL" >&2
	exit 2
}

OUT='' KO='' CTL='' SELFTESTS=''
while getopts o:k:c:s:h opt; do
	case $opt in
	o) OUT=$OPTARG ;;
	k) KO=$OPTARG ;;
	c) CTL=$OPTARG ;;
	s) SELFTESTS=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
REL=$1

OUT=${OUT:-$BUILD/$REL/initramfs.cpio.gz}
KO=${KO:-$BUILD/$REL/src/tcptune.ko}
CTL=${CTL:-$TOP/userctl/tcptunectl}
SELFTESTS=${SELFTESTS:-$BUILD/selftests/install}
# The tree is assembled from inside $STAGE: make the paths absolute.
abspath() {
	case $1 in
	/*) echo "$1" ;;
	*) echo "$PWD/$1" ;;
	esac
}
OUT=$(abspath "$OUT")
KO=$(abspath "$KO")
CTL=$(abspath "$CTL")
SELFTESTS=$(abspath "$SELFTESTS")
KDIR=$BUILD/kernels/$REL
KMODS=$KDIR/lib/modules/$REL
STAGE=$BUILD/$REL/initramfs.d

warn() { printf 'build-initramfs: warning: %s\n' "$*" >&2; }
die() { printf 'build-initramfs: error: %s\n' "$*" >&2; exit 1; }

[ -d "$KMODS" ] || die "no kernel modules in $KMODS (run selftests/vm/deps.sh)"
[ -f "$SELFTESTS/run_tests.sh" ] ||
	die "no selftests in $SELFTESTS (run make -C selftests install)"

# Host programs: first match wins.
host_bin() {
	for d in /usr/bin /usr/sbin /bin /sbin; do
		if [ -x "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

# Copy the shared libraries (and loader) a dynamic executable needs, at the
# paths the host's loader found them.
add_libs() {
	ldd "$1" 2>/dev/null | awk '
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }' |
	while read -r lib; do
		[ -e "$STAGE$lib" ] && continue
		mkdir -p "$STAGE${lib%/*}"
		cp -L "$lib" "$STAGE$lib"
	done
}

# add_exe HOST_PATH GUEST_PATH
add_exe() {
	mkdir -p "$STAGE${2%/*}"
	cp -L "$1" "$STAGE$2"
	chmod 0755 "$STAGE$2"
	add_libs "$1"
}

# add_tool NAME GUEST_DIR: a host tool that must exist.
add_tool() {
	src=$(host_bin "$1") || die "$1 not found on the host (run deps.sh)"
	add_exe "$src" "$2/$1"
}

rm -rf "$STAGE"
mkdir -p "$STAGE"
cd "$STAGE"
mkdir -p usr/bin usr/sbin usr/lib usr/lib64 etc root tmp run proc sys dev \
	var mnt selftests
ln -s usr/bin bin
ln -s usr/sbin sbin
ln -s usr/lib lib
ln -s usr/lib64 lib64
ln -s ../run var/run
ln -s ../tmp var/tmp
ln -s ../proc/self/mounts etc/mtab

# Real tools first, at Debian's paths; busybox fills in the rest.
add_tool kmod /usr/bin
for t in modprobe insmod rmmod depmod modinfo; do
	ln -s ../bin/kmod "usr/sbin/$t"
done
ln -s kmod usr/bin/lsmod
add_tool ip /usr/bin
add_tool ss /usr/bin
add_tool nstat /usr/bin
add_tool tc /usr/sbin
add_tool iperf3 /usr/bin
add_tool jq /usr/bin
add_tool timeout /usr/bin
for t in unshare nsenter setpriv; do
	if src=$(host_bin "$t"); then
		add_exe "$src" "/usr/bin/$t"
	fi
done
for f in /usr/lib/*/tc/*.dist; do
	[ -f "$f" ] || continue
	mkdir -p "$STAGE${f%/*}"
	cp "$f" "$STAGE$f"
done
[ -d /etc/iproute2 ] && cp -rL /etc/iproute2 etc/

bb=$(host_bin busybox) || die "busybox not found"
if ldd "$bb" >/dev/null 2>&1; then
	warn "$bb is dynamic; busybox-static is expected"
fi
add_exe "$bb" /usr/bin/busybox
"$bb" --list-full | while read -r path; do
	name=${path##*/}
	case $name in
	busybox|init|linuxrc) continue ;;
	esac
	if [ -e "usr/bin/$name" ] || [ -e "usr/sbin/$name" ] ||
	   [ -L "usr/bin/$name" ] || [ -L "usr/sbin/$name" ]; then
		continue
	fi
	case $path in
	*sbin/*) ln -s ../bin/busybox "usr/sbin/$name" ;;
	*) ln -s busybox "usr/bin/$name" ;;
	esac
done

# tcptunectl and the selftests' own C programs.
if [ -f "$CTL" ]; then
	add_exe "$CTL" /usr/sbin/tcptunectl
else
	warn "no $CTL; the guest has no tcptunectl"
fi
cp -R "$SELFTESTS/." selftests/
for f in selftests/*; do
	[ -f "$f" ] && [ -x "$f" ] && add_libs "$f"
done
cp "$VMDIR/demo.sh" selftests/demo.sh
cp "$VMDIR/init.sh" init
cp "$VMDIR/alloc-reports.awk" alloc-reports.awk
cp "$VMDIR/kernel-problems.sh" kernel-problems.sh
chmod 0755 init selftests/demo.sh

# Kernel modules: the listed ones with their dependencies, tcptune in extra/.
mkdir -p "lib/modules/$REL/extra"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$KMODS/$f" ] && cp "$KMODS/$f" "lib/modules/$REL/"
done
mods=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$VMDIR/guest-modules")
# shellcheck disable=SC2086
modprobe -C /dev/null -d "$KDIR" -S "$REL" --show-depends -a $mods \
	2>"$BUILD/$REL/modprobe.err" |
	awk '$1 == "insmod" { print $2 }' | sort -u |
	while read -r ko; do
		rel=${ko#"$KMODS"/}
		mkdir -p "lib/modules/$REL/${rel%/*}"
		cp "$ko" "lib/modules/$REL/$rel"
	done
if [ -s "$BUILD/$REL/modprobe.err" ]; then
	warn "$(cat "$BUILD/$REL/modprobe.err")"
fi
if [ -f "$KO" ]; then
	cp "$KO" "lib/modules/$REL/extra/tcptune.ko"
else
	warn "no $KO; the guest has no tcptune module"
fi
depmod -b "$STAGE" "$REL" || die "depmod failed"

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >etc/group <<'EOF'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
EOF
cat >etc/hosts <<'EOF'
127.0.0.1	localhost
::1		localhost
EOF
cat >etc/nsswitch.conf <<'EOF'
passwd: files
group: files
hosts: files
EOF
echo tcptune-vm >etc/hostname
# For the interactive shell (run-vm.sh --shell): make the real tools win
# over busybox's applets of the same names.
{
	echo "export PS1='tcptune-vm:\$PWD# '"
	for d in usr/bin usr/sbin; do
		for f in "$d"/*; do
			[ -L "$f" ] && [ "$(readlink "$f")" = busybox ] && continue
			[ -L "$f" ] && [ "$(readlink "$f")" = ../bin/busybox ] && continue
			n=${f##*/}
			"$bb" --list | grep -qx "$n" || continue
			echo "$n() { /$f \"\$@\"; }"
		done
	done
} >etc/profile

# One newc cpio header and name; used for the device nodes the kernel needs
# before /init mounts devtmpfs (/dev/console), so the builder needs no mknod.
cpio_entry() {
	name=$1 mode=$2 major=$3 minor=$4 ino=$5
	nsize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$nsize" 0
	printf '%s\000' "$name"
	pad=$(((4 - (110 + nsize) % 4) % 4))
	while [ "$pad" -gt 0 ]; do
		printf '\000'
		pad=$((pad - 1))
	done
}

# The kernel unpacks concatenated archives in order: the tree (with dev/),
# then the nodes in dev/.
mkdir -p "${OUT%/*}"
{
	find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet
	cpio_entry dev/console $((0020600)) 5 1 900001
	cpio_entry dev/null $((0020666)) 1 3 900002
	cpio_entry TRAILER!!! 0 0 0 0
} >"$OUT.tmp"

case ${INITRAMFS_COMPRESS:-gzip} in
gzip) gzip -1 -n -c "$OUT.tmp" >"$OUT" && rm -f "$OUT.tmp" ;;
none) mv "$OUT.tmp" "$OUT" ;;
*) die "INITRAMFS_COMPRESS must be gzip or none" ;;
esac
