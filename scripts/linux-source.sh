#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Files ktstr borrows from a kernel source tree, unchanged: the kselftest
# harness and runner, and checkpatch.pl. They come from KSELFTEST_DIR /
# CHECKPATCH if set, otherwise from Debian's linux-source tarball, which is
# extracted once into .cache/ at the top of the checkout.
#
#   linux-source.sh kselftest    print the directory holding lib.mk,
#                                kselftest_harness.h and kselftest/
#   linux-source.sh checkpatch   print the path of checkpatch.pl

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

tarball() {
	t=${LINUX_SOURCE_TARBALL:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null |
		sort -V | tail -n 1)}
	if [ -z "$t" ] || [ ! -r "$t" ]; then
		echo "linux-source.sh: no /usr/src/linux-source-*.tar.xz; run 'make deps'" >&2
		exit 1
	fi
	echo "$t"
}

# extract KEY MEMBER... : unpack the members into the cache once (KEY
# names the set, for the stamp), atomically, and print the source root.
extract() {
	key=$1
	shift
	t=$(tarball)
	name=$(basename "$t" .tar.xz)
	root=$top/.cache/$name
	if [ ! -e "$root/.ktstr-$key" ]; then
		mkdir -p "$top/.cache"
		tmp=$(mktemp -d "$top/.cache/.extract.XXXXXX")
		members=""
		for m in "$@"; do
			members="$members $name/$m"
		done
		# shellcheck disable=SC2086
		if ! tar -C "$tmp" -xJf "$t" $members; then
			rm -rf "$tmp"
			echo "linux-source.sh: cannot extract from $t" >&2
			exit 1
		fi
		mkdir -p "$root"
		cp -a "$tmp/$name/." "$root/"
		rm -rf "$tmp"
		: > "$root/.ktstr-$key"
	fi
	echo "$root"
}

case "${1:-}" in
kselftest)
	if [ -n "${KSELFTEST_DIR:-}" ]; then
		dir=$KSELFTEST_DIR
	elif [ -f "$top/selftests/../lib.mk" ] &&
	     [ -f "$top/selftests/../kselftest_harness.h" ]; then
		dir=$(cd "$top/selftests/.." && pwd)
	else
		root=$(extract kselftest \
			tools/testing/selftests/kselftest_harness.h \
			tools/testing/selftests/kselftest.h \
			tools/testing/selftests/lib.mk \
			tools/testing/selftests/run_kselftest.sh \
			tools/testing/selftests/kselftest)
		dir=$root/tools/testing/selftests
	fi
	for f in lib.mk kselftest_harness.h kselftest.h kselftest/runner.sh \
		 run_kselftest.sh; do
		if [ ! -e "$dir/$f" ]; then
			echo "linux-source.sh: $dir has no $f" >&2
			exit 1
		fi
	done
	echo "$dir"
	;;
checkpatch)
	if [ -n "${CHECKPATCH:-}" ]; then
		echo "$CHECKPATCH"
		exit 0
	fi
	root=$(extract checkpatch scripts/checkpatch.pl scripts/spelling.txt \
		scripts/const_structs.checkpatch)
	echo "$root/scripts/checkpatch.pl"
	;;
*)
	echo "usage: linux-source.sh kselftest|checkpatch" >&2
	exit 2
	;;
esac
