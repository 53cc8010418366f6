#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the VM tier, run by ktstr-init (PID 1) inside QEMU: load
# the KVM modules, run the VM-tier selftests with the kselftest runner and
# write their KTAP, between markers, to the second serial port, which
# vm_tier.sh relays to the host's runner.

out=/dev/ttyS1
[ -c "$out" ] || out=/dev/console

{
	echo "KTSTR_VM_TIER_BEGIN"
	while read -r mod args; do
		[ -n "$mod" ] || continue
		# shellcheck disable=SC2086
		if ! msg=$(insmod "/ktstr/modules/$mod" $args 2>&1); then
			echo "# vm_guest: insmod $mod $args: $msg"
		fi
	done < /ktstr/modules.load
	[ -c /dev/kvm ] || echo "# vm_guest: no /dev/kvm in the guest, KVM tests will skip"
	cd /ktstr/kselftest && ./run_kselftest.sh
	echo "KTSTR_VM_TIER_END rc=$?"
} > "$out" 2>&1
