#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the VM tier, run by ktstr-init (PID 1) inside QEMU: load
# the KVM modules, run the VM-tier selftests with the kselftest runner (or
# the one program of /ktstr/run.cmd) and write their output, between
# markers, to the second serial port, which vm_tier.sh relays to the host.

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
	if [ -s /ktstr/run.cmd ]; then
		# KTSTR_VM_RUN: one program instead of the tests.
		cd /ktstr/kselftest/ktstr && sh /ktstr/run.cmd
	else
		cd /ktstr/kselftest && ./run_kselftest.sh
	fi
	echo "KTSTR_VM_TIER_END rc=$?"
} > "$out" 2>&1
