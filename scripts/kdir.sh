#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel build directory ktstr.ko is built against by default:
# the running kernel's, or else the newest installed one (Debian's
# linux-headers-amd64 on a machine whose running kernel has none).
# Prints nothing when there is none.

running=/lib/modules/$(uname -r)/build
if [ -d "$running" ]; then
	echo "$running"
	exit 0
fi
for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V -r); do
	[ -d "$d" ] && { echo "$d"; exit 0; }
done
exit 0
