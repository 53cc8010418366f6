#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building and testing ktstr needs.
# Idempotent: when everything is present it only asks dpkg and exits.
# Run as root (make deps); apt-get is the only installer used.

set -eu

PKGS="
	build-essential
	pkg-config
	make
	gcc
	clang
	libclang-rt-14-dev
	llvm
	bpftool
	libbpf-dev
	libelf-dev
	zlib1g-dev
	libnl-3-dev
	libnl-genl-3-dev
	libjansson-dev
	libxml2-utils
	linux-headers-amd64
	linux-image-amd64
	linux-source-6.1
	qemu-system-x86
	busybox-static
	cpio
	rsync
	kmod
	xz-utils
	perl
"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run 'make deps' as root to install them" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
