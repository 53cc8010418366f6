// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O: the UART and the RTC have files of their own; the rest of what
 * Linux pokes at boot is answered here, harmlessly. The PIC, the PIT and
 * port 0x61 are in the kernel (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2 with
 * the dummy speaker) and never get here.
 *
 * Reads from ports with nothing behind them return all-ones, as an ISA
 * bus does, which is also how the drivers probing them (the other COM
 * ports, the i8042 keyboard controller) conclude there is no device and
 * move on without waiting. Unexpected accesses are counted.
 */
#include <string.h>

#include "vm_priv.h"

#define PORT_KBD_DATA		0x60
#define PORT_KBD_CMD		0x64
#define KBD_CMD_RESET		0xfe	/* pulse the CPU reset line */
#define PORT_RTC_INDEX		0x70
#define PORT_RTC_DATA		0x71
#define PORT_POST		0x80	/* POST codes; the kernel's io_delay */
#define PORT_SYS_CTRL_A		0x92	/* bit 0: fast reset */
#define PORT_COM1		0x3f8
#define PORT_PCI_CONF		0xcf8	/* 0xcf8..0xcff: config mechanism #1 */
#define PORT_PCI_RST_CTRL	0xcf9	/* bit 2: reset */

static void reset_request(struct vmm_vcpu *vcpu, const char *how)
{
	vmm__finish(vcpu->vm, KTSTR_VM_RESET, 0,
		    "guest reset/panicked (%s, vCPU %u) before writing an exit record",
		    how, vcpu->idx);
}

void vmm_ioport__io(struct vmm_vcpu *vcpu, uint16_t port, bool is_write,
		    uint8_t *data, unsigned int size)
{
	struct ktstr_vm *vm = vcpu->vm;

	if (port >= PORT_COM1 && port < PORT_COM1 + 8 && size == 1) {
		vmm_serial__io(vm, port - PORT_COM1, is_write, data);
		return;
	}
	if ((port == PORT_RTC_INDEX || port == PORT_RTC_DATA) && size == 1) {
		vmm_rtc__io(vm, port, is_write, data);
		return;
	}

	if (is_write) {
		switch (port) {
		case PORT_KBD_CMD:
			if (data[0] == KBD_CMD_RESET)
				reset_request(vcpu, "keyboard controller reset");
			return;
		case PORT_SYS_CTRL_A:
			if (data[0] & 1)
				reset_request(vcpu, "port 0x92 fast reset");
			return;
		case PORT_PCI_RST_CTRL:
			if (size == 1 && (data[0] & 4)) {
				reset_request(vcpu, "port 0xcf9 reset");
				return;
			}
			/* a 4-byte write here is a PCI config address */
			return;
		case PORT_POST:
		case PORT_KBD_DATA:
			return;
		default:
			if (port >= PORT_PCI_CONF && port < PORT_PCI_CONF + 8)
				return;
			atomic_fetch_add(&vm->unknown_io, 1);
			return;
		}
	}

	memset(data, 0xff, size);
	switch (port) {
	case PORT_KBD_DATA:
	case PORT_KBD_CMD:
	case PORT_POST:
	case PORT_SYS_CTRL_A:
		return;
	default:
		if (port >= PORT_PCI_CONF && port < PORT_PCI_CONF + 8)
			return;	/* no PCI: every config read is all-ones */
		atomic_fetch_add(&vm->unknown_io, 1);
	}
}
