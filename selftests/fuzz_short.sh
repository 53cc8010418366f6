#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A short run of each libFuzzer harness (fuzz/fuzz_*.c): a bounded number
# of inputs, seeded from fuzz/corpus/<fuzzer>/, in a temporary directory
# so the committed corpus is left as it is. One KTAP line per fuzzer.
# A crash keeps the work directory and names the input that caused it.
#
#   KTSTR_FUZZ_RUNS    inputs per fuzzer (default 20000)
#   KTSTR_FUZZ_TIME    seconds per fuzzer at most (default 20)
#
# Exits 4 (skip) when clang cannot build libFuzzer programs here.

here=$(cd "$(dirname "$0")" && pwd)
runs=${KTSTR_FUZZ_RUNS:-20000}
secs=${KTSTR_FUZZ_TIME:-20}
fuzzers="fuzz_dump_json fuzz_btf_render"

work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-fuzz.XXXXXX") || exit 1

# libFuzzer comes with clang's compiler-rt; without it the harnesses
# cannot have been built, which is a reason to skip rather than fail.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
	> "$work/probe.c"
if ! command -v clang >/dev/null 2>&1 ||
   ! clang -fsanitize=fuzzer "$work/probe.c" -o "$work/probe" >/dev/null 2>&1; then
	echo "fuzz_short: SKIP: clang with libFuzzer (-fsanitize=fuzzer) is not available"
	rm -rf "$work"
	exit 4
fi

echo "TAP version 13"
echo "1..$(echo $fuzzers | wc -w)"
n=0
failed=0
keep=0
for f in $fuzzers; do
	n=$((n + 1))
	bin=$here/$f
	if [ ! -x "$bin" ]; then
		echo "# $f: not built ($bin)"
		echo "not ok $n $f"
		failed=1
		continue
	fi
	mkdir -p "$work/$f/corpus" "$work/$f/crash"
	seeds=$here/fuzz/corpus/$f
	if [ -d "$seeds" ]; then
		cp "$seeds"/* "$work/$f/corpus/" 2>/dev/null
	else
		echo "# $f: no seed corpus at $seeds, starting empty"
	fi
	dict=
	[ -f "$here/fuzz/corpus/$f.dict" ] && dict=-dict=$here/fuzz/corpus/$f.dict
	start=$(date +%s)
	# New inputs go to the copy; crashes and leaks to crash/.
	"$bin" -runs="$runs" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -print_final_stats=1 -artifact_prefix="$work/$f/crash/" \
		$dict "$work/$f/corpus" > "$work/$f/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$f/log")
	echo "# $f: ${execs:-?} inputs in $(( $(date +%s) - start )) s, exit $rc"
	if [ $rc -eq 0 ]; then
		echo "ok $n $f"
		continue
	fi
	tail -n 40 "$work/$f/log" | sed 's/^/# /'
	for c in "$work/$f/crash"/*; do
		[ -e "$c" ] && echo "# reproduce: $bin $c"
	done
	echo "not ok $n $f"
	failed=1
	keep=1
done

if [ $keep -eq 1 ]; then
	echo "# work directory kept: $work"
else
	rm -rf "$work"
fi
exit $failed
