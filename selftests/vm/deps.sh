#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what building tcptune and booting it in QEMU needs, then fetch the
# Debian cloud kernel images the selftests boot into build/kernels/REL/.
#
#   selftests/vm/deps.sh [REL...]
#
# Without arguments the releases come from Debian's meta packages (the 6.1
# cloud kernel and the 6.12 cloud kernel); nothing is pinned. Quiet when all
# is in place: prints only "kernels: REL..." on stdout. Discovered releases
# are also written, one per line, to build/kernels/releases.
#
# Non-interactive (CI=true, no stdin): apt-get runs with -y and
# DEBIAN_FRONTEND=noninteractive, and "apt-get update" only runs when
# something is missing.

set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
KCACHE=$BUILD/kernels

export DEBIAN_FRONTEND=noninteractive

# Meta packages naming the kernels we test against: image meta, headers meta.
META_61="linux-image-cloud-amd64 linux-headers-cloud-amd64"
META_612="linux-image-6.12-cloud-amd64 linux-headers-6.12-cloud-amd64"

PKGS="build-essential qemu-system-x86 busybox-static iperf3 iproute2 kmod
cpio xz-utils gzip jq libmnl-dev pkg-config sparse util-linux
python3 python3-yaml python3-jsonschema python3-docutils groff-base gnuplot-nox
linux-source-6.12 linux-headers-cloud-amd64 linux-headers-6.12-cloud-amd64"

SUDO=
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
fi

log() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	log "apt-get update"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -qq update >&2 </dev/null ||
		die "apt-get update failed"
	updated=1
}

# Print the packages among "$@" that are not installed (one dpkg-query).
missing_pkgs() {
	[ $# -gt 0 ] || return 0
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
		awk -v want="$*" '
		$2 == "installed" { ok[$1] = 1 }
		END { n = split(want, w, " ")
		      for (i = 1; i <= n; i++) if (!(w[i] in ok)) print w[i] }'
}

install_pkgs() {
	miss=$(missing_pkgs "$@" | tr '\n' ' ')
	miss=${miss% }
	[ -n "$miss" ] || return 0
	log "installing: $miss"
	apt_update
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
		-o Dpkg::Use-Pty=0 --no-install-recommends install $miss \
		>"$KCACHE/apt.log" 2>&1 </dev/null || {
		cat "$KCACHE/apt.log" >&2
		die "apt-get install failed"
	}
}

# Print "META REL" for each meta package: "linux-image-cloud-amd64" ->
# "6.1.0-NN-cloud-amd64". Uses the candidate version, so a fresh machine and
# an old one agree once their package lists agree. One apt-cache call.
meta_releases() {
	apt-cache depends "$@" 2>/dev/null | awk '
		/^[^ ]/ { pkg = $1; next }
		$1 == "Depends:" && pkg != "" &&
		match($2, /^linux-(image|headers)-.*-cloud-amd64$/) {
			rel = $2; sub(/^linux-(image|headers)-/, "", rel)
			print pkg, rel; pkg = ""
		}'
}

discover() {
	# shellcheck disable=SC2086
	pairs=$(meta_releases $META_61 $META_612)
	if [ "$(echo "$pairs" | grep -c .)" != 4 ]; then
		apt_update
		# shellcheck disable=SC2086
		pairs=$(meta_releases $META_61 $META_612)
	fi
	for pair in "$META_61" "$META_612"; do
		# shellcheck disable=SC2086
		set -- $pair
		img=$(echo "$pairs" | awk -v p="$1" '$1 == p { print $2 }')
		hdr=$(echo "$pairs" | awk -v p="$2" '$1 == p { print $2 }')
		[ -n "$img" ] || die "cannot resolve $1"
		[ -n "$hdr" ] || die "cannot resolve $2"
		[ "$img" = "$hdr" ] ||
			die "$1 ($img) and $2 ($hdr) disagree; run apt-get update"
		echo "$img"
	done
}

# Number of module files in an unpacked kernel.
count_modules() {
	find "$1/lib/modules/$2/kernel" -name '*.ko*' 2>/dev/null | wc -l
}

# Fetch linux-image-REL and unpack it into build/kernels/REL/, then index its
# modules so the initramfs builder can resolve dependencies. .done holds the
# number of module files: the cache is unpacked again if files went missing
# (Kbuild's "make M=<repo> clean" deletes every *.ko* below the repository).
fetch_kernel() {
	rel=$1
	dir=$KCACHE/$rel
	if [ -f "$dir/.done" ] && [ -f "$dir/boot/vmlinuz-$rel" ] &&
	   [ -f "$dir/lib/modules/$rel/modules.order" ] &&
	   [ "$(cat "$dir/.done")" = "$(count_modules "$dir" "$rel")" ]; then
		return 0
	fi
	[ -d "$dir" ] && log "kernel cache for $rel is incomplete, fetching again"
	log "fetching kernel image linux-image-$rel"
	rm -rf "$dir" "$dir.tmp" "$KCACHE/dl.$rel"
	mkdir -p "$KCACHE/dl.$rel"
	if ! (cd "$KCACHE/dl.$rel" &&
	      apt-get download -qq "linux-image-$rel" >../dl.log 2>&1 </dev/null); then
		apt_update
		(cd "$KCACHE/dl.$rel" &&
		 apt-get download -qq "linux-image-$rel" >../dl.log 2>&1 </dev/null) || {
			cat "$KCACHE/dl.log" >&2
			die "cannot download linux-image-$rel"
		}
	fi
	mkdir -p "$dir.tmp"
	for deb in "$KCACHE/dl.$rel"/*.deb; do
		dpkg-deb -x "$deb" "$dir.tmp"
	done
	# Debian moves /lib to /usr/lib over time; accept either.
	if [ ! -d "$dir.tmp/lib/modules/$rel" ] &&
	   [ -d "$dir.tmp/usr/lib/modules/$rel" ]; then
		mkdir -p "$dir.tmp/lib/modules"
		mv "$dir.tmp/usr/lib/modules/$rel" "$dir.tmp/lib/modules/$rel"
	fi
	[ -f "$dir.tmp/boot/vmlinuz-$rel" ] || die "no vmlinuz-$rel in package"
	[ -d "$dir.tmp/lib/modules/$rel/kernel" ] || die "no modules in package"
	depmod -b "$dir.tmp" "$rel" || die "depmod failed for $rel"
	rm -rf "$KCACHE/dl.$rel"
	count_modules "$dir.tmp" "$rel" >"$dir.tmp/.done"
	mv "$dir.tmp" "$dir"
}

main() {
	mkdir -p "$KCACHE"

	# dpkg-query and apt-cache come with any Debian; the rest may not.
	command -v apt-get >/dev/null || die "needs a Debian system (apt-get)"
	# shellcheck disable=SC2086
	install_pkgs $PKGS

	if [ $# -gt 0 ]; then
		rels=$*
	else
		rels=$(discover | tr '\n' ' ')
		rels=${rels% }
		# shellcheck disable=SC2086 # one release a line
		printf '%s\n' $rels >"$KCACHE/releases"
	fi

	hdrs=
	for rel in $rels; do
		hdrs="$hdrs linux-headers-$rel"
	done
	# shellcheck disable=SC2086
	install_pkgs $hdrs

	for rel in $rels; do
		[ -d "/lib/modules/$rel/build" ] ||
			die "/lib/modules/$rel/build missing after installing headers"
		fetch_kernel "$rel"
	done

	echo "kernels: $rels"
}

main "$@"
