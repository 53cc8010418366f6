#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM tier must fail, and say why, when the guest does not deliver: a
# file that is no kernel, a guest kernel that panics, a guest that misses
# its deadline, a test that fails in the guest. Each case boots
# vm_tier.sh with one thing broken.

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-vm-fail.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# The tier must be able to run at all, or there is nothing to break.
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "1..0 # SKIP qemu-system-x86_64 not found"
	exit 4
fi

echo "TAP version 13"
echo "1..4"
n=0
bad=0

# expect NAME REASON ENV...: vm_tier.sh with ENV exits 1 and says REASON.
expect() {
	local name=$1 reason=$2 rc
	shift 2
	n=$((n + 1))
	env KTSTR_VM_TESTS=kmod_test "$@" "$here/vm_tier.sh" > "$work/out" 2>&1
	rc=$?
	if [ $rc -eq 4 ]; then
		echo "ok $n $name # SKIP $(grep -m1 '^vm_tier: SKIP' "$work/out")"
	elif [ $rc -eq 1 ] && grep -q "^vm_tier: FAIL: $reason" "$work/out"; then
		echo "ok $n $name"
	else
		bad=1
		echo "# vm_tier.sh exited $rc; its own lines:"
		grep '^vm_tier:' "$work/out" | sed 's/^/#   /'
		echo "not ok $n $name"
	fi
}

echo junk > "$work/not-a-kernel"
expect not_a_kernel "the guest never reported" KTSTR_VM_KERNEL="$work/not-a-kernel"
# No init in the initramfs: the kernel panics, panic=-1 reboots, QEMU stops.
expect guest_panics "the guest kernel panicked" KTSTR_VM_APPEND="rdinit=/nonexistent"
expect guest_misses_deadline "the guest did not finish within" KTSTR_VM_TIMEOUT=2
# A nested boot takes longer than a second: the guest's runner times the
# test out and reports it not ok, which must fail the tier itself.
expect nested_test_fails "a test in the guest failed" \
	KTSTR_VM_TESTS=vmm_boot_test KTSTR_VM_TEST_TIMEOUT=1
exit $bad
