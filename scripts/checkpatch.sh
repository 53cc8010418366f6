#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run checkpatch.pl --strict over every kernel-side file (kmod/, uapi/).
# Exits non-zero if any file has an error, warning or check.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cp=$("$top/scripts/linux-source.sh" checkpatch)
cd "$top"
rc=0
# Sources only: kbuild leaves generated *.mod.c beside them.
for f in $(ls kmod/*.c kmod/*.h uapi/linux/*.h 2>/dev/null | grep -v '\.mod\.c$'); do
	if ! out=$(perl "$cp" --strict --no-tree --terse --show-types -f "$f"); then
		echo "$out"
		rc=1
	elif echo "$out" | grep -q -E '(ERROR|WARNING|CHECK):'; then
		echo "$out"
		rc=1
	fi
done
exit $rc
