#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-side sources (kmod/, uapi/) pass checkpatch.pl --strict.
# Skips where the sources are not beside the tests (an installed tree).

here=$(cd "$(dirname "$0")" && pwd)
src=${KTSTR_SRC:-$(dirname "$here")}
if [ ! -x "$src/scripts/checkpatch.sh" ] || [ ! -d "$src/kmod" ]; then
	echo "checkpatch_test: no ktstr sources at $src (set KTSTR_SRC)"
	exit 4
fi
exec "$src/scripts/checkpatch.sh"
