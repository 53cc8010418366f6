// SPDX-License-Identifier: GPL-2.0
/*
 * The MP spec 1.4 tables that tell a guest with no ACPI its processors
 * and interrupt wiring: a floating pointer structure followed directly
 * by the configuration table, whose entries come sorted by type as the
 * spec asks (processors, bus, IOAPIC, I/O interrupts, local interrupts).
 *
 * Linux numbers CPUs in the order of the processor entries (the boot
 * processor is always 0), so they are listed in vCPU order and guest CPU
 * n is vCPU n.
 *
 * The ISA IRQs go to the IOAPIC pins KVM's default GSI routing drives:
 * GSI n reaches IOAPIC pin n (and the PICs), the in-kernel PIT included,
 * which raises GSI 0, so IRQ 0 is on pin 0. Firmware on real hardware
 * (and QEMU, which installs its own routing) puts IRQ 0 on pin 2; doing
 * that here would leave the PIT's interrupts on a pin nobody listens to.
 * IRQ 2 is the PIC cascade and never an ISA interrupt.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <ktstr/topology.h>

#define MPF_SIGNATURE		"_MP_"
#define MPC_SIGNATURE		"PCMP"
#define MP_SPEC_REV		4	/* 1.4 */

#define MP_ENTRY_PROCESSOR	0
#define MP_ENTRY_BUS		1
#define MP_ENTRY_IOAPIC		2
#define MP_ENTRY_IOINT		3
#define MP_ENTRY_LOCALINT	4

#define MP_CPU_ENABLED		0x01
#define MP_CPU_BSP		0x02
#define MP_IOAPIC_ENABLED	0x01

#define MP_INT_INT		0
#define MP_INT_NMI		1
#define MP_INT_EXTINT		3
#define MP_INT_CONFORMS		0	/* polarity and trigger of the bus */

#define LAPIC_ADDR		0xfee00000u
#define LAPIC_VERSION		0x14	/* KVM's in-kernel LAPIC */
#define IOAPIC_ADDR		0xfec00000u
#define IOAPIC_VERSION		0x11	/* KVM's in-kernel IOAPIC */
#define ALL_LAPICS		0xff
#define ISA_BUS_ID		0
#define ISA_IRQS		16
#define ISA_IRQ_CASCADE		2

/* Family 6 and FPU | APIC: informational, Linux reads CPUID instead. */
#define CPU_SIGNATURE		0x600
#define CPU_FEATURES		((1u << 0) | (1u << 9))

struct mpf {
	char signature[4];
	uint32_t config_gpa;
	uint8_t length;			/* in 16-byte units */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];		/* all 0: a table follows, no IMCR */
} __attribute__((packed));

struct mpc_header {
	char signature[4];
	uint16_t length;		/* header and base entries */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_table_size;
	uint16_t entries;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_processor {
	uint8_t type;
	uint8_t apic_id;
	uint8_t apic_version;
	uint8_t flags;
	uint32_t signature;
	uint32_t features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t id;
	char bus_type[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t id;
	uint8_t version;
	uint8_t flags;
	uint32_t addr;
} __attribute__((packed));

/* I/O and local interrupt entries share this layout. */
struct mpc_interrupt {
	uint8_t type;
	uint8_t int_type;
	uint16_t flags;
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_apic;
	uint8_t dst_pin;		/* IOAPIC INTIN or LAPIC LINT */
} __attribute__((packed));

_Static_assert(sizeof(struct mpf) == 16, "MP floating pointer size");
_Static_assert(sizeof(struct mpc_header) == 44, "MP table header size");
_Static_assert(sizeof(struct mpc_processor) == 20, "MP processor entry size");
_Static_assert(sizeof(struct mpc_bus) == 8, "MP bus entry size");
_Static_assert(sizeof(struct mpc_ioapic) == 8, "MP IOAPIC entry size");
_Static_assert(sizeof(struct mpc_interrupt) == 8, "MP interrupt entry size");

#define NR_IOINTS		(ISA_IRQS - 1)	/* all but the cascade */
#define NR_LOCALINTS		2

size_t ktstr_mptable__size(const struct ktstr_topology *t)
{
	return sizeof(struct mpf) + sizeof(struct mpc_header) +
	       ktstr_topology__nr_cpus(t) * sizeof(struct mpc_processor) +
	       sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
	       (NR_IOINTS + NR_LOCALINTS) * sizeof(struct mpc_interrupt);
}

/* The byte that makes the sum of len bytes at p zero. */
static uint8_t mp_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

/* Where Linux looks for the floating pointer (smp_scan_config callers). */
static int mpf_gpa_scanned(uint64_t gpa)
{
	static const struct { uint64_t start, end; } ranges[] = {
		{ 0x0, 0x400 },
		{ 0x9fc00, 0xa0000 },
		{ 0xf0000, 0x100000 },
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (gpa >= ranges[i].start &&
		    gpa + sizeof(struct mpf) <= ranges[i].end)
			return 1;
	return 0;
}

int ktstr_mptable__write(void *dst, uint64_t gpa, size_t len,
			 const struct ktstr_topology *t)
{
	size_t size = ktstr_mptable__size(t);
	uint32_t nr_cpus = ktstr_topology__nr_cpus(t);
	uint8_t ioapic_id;
	struct mpf *mpf = dst;
	struct mpc_header *mpc = (struct mpc_header *)(mpf + 1);
	uint8_t *p = (uint8_t *)(mpc + 1);
	struct mpc_bus *bus;
	struct mpc_ioapic *ioapic;

	if (ktstr_topology__validate(t, NULL, 0))
		return -EINVAL;
	/* The pointer is found on 16-byte boundaries only. */
	if (gpa % 16 || !mpf_gpa_scanned(gpa) || gpa + size > 0x100000)
		return -EINVAL;
	if (len < size)
		return -ENOSPC;
	memset(dst, 0, size);

	/* IOAPIC IDs share the APIC bus ID space with the LAPICs. */
	ioapic_id = (uint8_t)(ktstr_topology__max_apic_id(t) + 1);

	for (uint32_t cpu = 0; cpu < nr_cpus; cpu++) {
		struct mpc_processor *e = (struct mpc_processor *)p;

		e->type = MP_ENTRY_PROCESSOR;
		e->apic_id = (uint8_t)ktstr_topology__apic_id(t, cpu);
		e->apic_version = LAPIC_VERSION;
		/* KVM starts vCPU 0 (APIC ID 0) as the BSP, the rest wait. */
		e->flags = MP_CPU_ENABLED | (cpu == 0 ? MP_CPU_BSP : 0);
		e->signature = CPU_SIGNATURE;
		e->features = CPU_FEATURES;
		p += sizeof(*e);
	}

	bus = (struct mpc_bus *)p;
	bus->type = MP_ENTRY_BUS;
	bus->id = ISA_BUS_ID;
	memcpy(bus->bus_type, "ISA   ", sizeof(bus->bus_type));
	p += sizeof(*bus);

	ioapic = (struct mpc_ioapic *)p;
	ioapic->type = MP_ENTRY_IOAPIC;
	ioapic->id = ioapic_id;
	ioapic->version = IOAPIC_VERSION;
	ioapic->flags = MP_IOAPIC_ENABLED;
	ioapic->addr = IOAPIC_ADDR;
	p += sizeof(*ioapic);

	for (uint8_t irq = 0; irq < ISA_IRQS; irq++) {
		struct mpc_interrupt *e = (struct mpc_interrupt *)p;

		if (irq == ISA_IRQ_CASCADE)
			continue;
		e->type = MP_ENTRY_IOINT;
		e->int_type = MP_INT_INT;
		e->flags = MP_INT_CONFORMS;
		e->src_bus = ISA_BUS_ID;
		e->src_irq = irq;
		e->dst_apic = ioapic_id;
		e->dst_pin = irq;
		p += sizeof(*e);
	}

	/* Virtual wire: the PIC on every LAPIC's LINT0, NMI on LINT1. */
	for (uint8_t lint = 0; lint < NR_LOCALINTS; lint++) {
		struct mpc_interrupt *e = (struct mpc_interrupt *)p;

		e->type = MP_ENTRY_LOCALINT;
		e->int_type = lint ? MP_INT_NMI : MP_INT_EXTINT;
		e->flags = MP_INT_CONFORMS;
		e->src_bus = ISA_BUS_ID;
		e->src_irq = 0;
		e->dst_apic = ALL_LAPICS;
		e->dst_pin = lint;
		p += sizeof(*e);
	}

	memcpy(mpc->signature, MPC_SIGNATURE, 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec_rev = MP_SPEC_REV;
	memcpy(mpc->oem, "KTSTR   ", sizeof(mpc->oem));
	memcpy(mpc->product, "KTSTR VM    ", sizeof(mpc->product));
	mpc->entries = (uint16_t)(nr_cpus + 2 + NR_IOINTS + NR_LOCALINTS);
	mpc->lapic_addr = LAPIC_ADDR;
	mpc->checksum = mp_checksum(mpc, mpc->length);

	memcpy(mpf->signature, MPF_SIGNATURE, 4);
	mpf->config_gpa = (uint32_t)(gpa + sizeof(*mpf));
	mpf->length = 1;
	mpf->spec_rev = MP_SPEC_REV;
	mpf->checksum = mp_checksum(mpf, sizeof(*mpf));

	return (int)size;
}
