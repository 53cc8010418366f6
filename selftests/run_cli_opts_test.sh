#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ktstr run refuses bad options before it boots anything (host tier): each
# case must exit 125 with the message Documentation/run.rst promises.
#
# Nothing here may reach KVM: every case but the busybox ones runs with
# KTSTR_GUEST_DIR pointing nowhere, so that a case that wrongly passed
# validation still stops before the VM, and fails on the wrong message;
# the busybox ones stop at busybox, which comes before the VM too.

here=$(cd "$(dirname "$0")" && pwd)
ktstr=$here/ktstr
ksft_skip=4

if [ ! -x "$ktstr" ]; then
	echo "1..0 # SKIP $ktstr not built (make -C selftests)"
	exit $ksft_skip
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-run-opts.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
# Any readable regular file passes the --kernel check; no case boots it.
kernel=$work/kernel
echo "not booted" > "$kernel"
nowhere=$work/no-guest-dir

echo "TAP version 13"
echo "1..29"
n=0
bad=0

# check NAME MESSAGE ARGS...: "ktstr run ARGS" exits 125 and MESSAGE (a
# fixed string) is on its stderr.
check() {
	local name=$1 msg=$2 rc
	shift 2
	n=$((n + 1))
	KTSTR_GUEST_DIR=${guest_dir:-$nowhere} "$ktstr" run "$@" \
		> "$work/out" 2> "$work/err" < /dev/null
	rc=$?
	if [ $rc -eq 125 ] && grep -qF -- "$msg" "$work/err"; then
		echo "ok $n $name"
	else
		bad=1
		echo "# exit status $rc (want 125), stderr:"
		sed 's/^/#   /' "$work/err" | head -n 5
		echo "# want: $msg"
		echo "not ok $n $name"
	fi
}

K="--kernel $kernel"
check no_dashes 'expected "--" before the command "true"' $K true
check no_command 'no command: give one after "--"' $K
check nothing_after_dashes 'no command after "--"' $K --
check cpus_zero '--cpus 0: not a number of CPUs from 1 to 256' $K --cpus 0 -- true
check cpus_not_a_number '--cpus two: not a number of CPUs from 1 to 256' $K --cpus two -- true
check cpus_too_many '--cpus 257: not a number of CPUs' $K --cpus 257 -- true
check topology_bad '--topology 2x4: ' $K --topology 2x4 -- true
check cpus_and_topology '--cpus and --topology both give the CPUs' \
	$K --cpus 2 --topology 1n1l2c1t -- true
check mem_too_small '--mem 12: not a size in MiB from 64 to 4194304' $K --mem 12 -- true
check mem_suffix '--mem 1G: not a size in MiB' $K --mem 1G -- true
check timeout_zero '--timeout 0: not a number of seconds from 1' $K --timeout 0 -- true
check timeout_negative '--timeout -3: not a number of seconds' $K --timeout -3 -- true
check kernel_missing "--kernel $work/nope: No such file or directory" --kernel "$work/nope" -- true
check kernel_directory "--kernel $work: not a regular file" --kernel "$work" -- true
check include_missing "--include $work/nope: $work/nope: No such file or directory" \
	$K --include "$work/nope" -- true
check include_relative_guest 'the guest path "etc/x" must be absolute' \
	$K --include "$kernel:etc/x" -- true
check capture_bad_tag "byte 1 (0x20) is not allowed" $K --capture "a b" -- true
check capture_out_alone '--capture-out is for --capture, which is not given' \
	$K --capture-out x.json -- true
check append_dashes '"--" would end the kernel'"'"'s parameters' $K --append "quiet -- x" -- true
check unknown_option 'unknown option --cpuset' $K --cpuset 1 -- true
check missing_value '--mem needs a value' $K --mem
check command_quote "holds '\"', which the kernel's command line cannot carry" \
	$K -- sh -c 'echo "hi"'
check command_dashes 'word 2 of the command is "--"' $K -- echo -- x
check command_too_long 'the command has 32 words; the kernel passes at most 31' \
	$K -- echo $(seq 31)
check numa_needs_mem '--mem 64: 2 NUMA nodes need at least 128 MiB' \
	$K --topology 2n1l1c1t --mem 64 -- true
check guest_dir_missing "KTSTR_GUEST_DIR=$nowhere holds no executable ktstr-init and ktstr-guest" \
	$K -- true
# The guest programs are built beside this script; busybox is checked next.
guest_dir=$here
KTSTR_BUSYBOX=$work/nope check busybox_missing "busybox $work/nope: No such file or directory" \
	$K -- true
KTSTR_BUSYBOX=$ktstr check busybox_dynamic "busybox $ktstr is dynamically linked" $K -- true
unset guest_dir

n=$((n + 1))
if "$ktstr" run --help > "$work/out" 2>&1 && grep -q '^Exit status:' "$work/out" &&
   grep -q -- '--capture TAG' "$work/out"; then
	echo "ok $n help_documents_options_and_status"
else
	bad=1
	echo "not ok $n help_documents_options_and_status"
fi
exit $bad
