/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU topology a ktstr VM declares, and how the guest learns it with
 * no firmware and no ACPI tables: APIC IDs (KVM vCPU ids), CPUID
 * (cpuid.c) and an MP spec 1.4 table (mptable.c).
 *
 * A topology is nodes x LLCs per node x cores per LLC x threads per core,
 * written "<nodes>n<llcs>l<cores>c<threads>t" ("1n2l4c2t"); the node part
 * may be left out ("2l4c2t" is one node).
 *
 * APIC IDs pack the fields x2APIC-style, thread lowest:
 *
 *	[ node | llc | core | thread ]
 *
 * each field ceil(log2(count)) bits wide, so with counts that are not
 * powers of two some IDs go unused, as on real parts. The MP table's
 * processor entry and the xAPIC ID register hold 8 bits and 0xff is the
 * broadcast ID, so the largest APIC ID a topology needs must be at most
 * KTSTR_TOPOLOGY_MAX_APIC_ID.
 *
 * vCPU numbering (the cpu argument below, which is also the guest's
 * logical CPU number because the MP table lists the vCPUs in that order
 * and Linux numbers CPUs in table order) interleaves the nodes:
 *
 *	node = cpu % nodes, and cpu / nodes counts thread first, then core,
 *	then LLC within the node.
 *
 * With one node this is plain order: cpu 0 and 1 are the threads of core
 * 0 when there are two threads per core. With several nodes it is what
 * lets numa=fake put each CPU on its own node (ktstr_topology__cmdline()).
 *
 * What the guest kernel sees (Linux 6.1, x86_64):
 *   threads	SMT siblings (topology/thread_siblings_list), CPUID 0xb
 *		level 1 and 0x8000001e EBX[15:8].
 *   cores	cores (topology/core_id, unique within the package).
 *   llcs	the last-level cache: cache/index3/shared_cpu_list and the
 *		scheduler's MC domain. Intel: CPUID 4; AMD: 0x8000001d, and
 *		for families before 0x17 the node ID of 0x8000001e ECX, so on
 *		AMD topology/die_id is the LLC. The cache sizes are nominal.
 *   nodes	packages (topology/physical_package_id). NUMA nodes only
 *		with ktstr_topology__cmdline()'s numa=fake on the command
 *		line; without it the guest has one NUMA node, because NUMA
 *		affinity needs ACPI SRAT, which this VMM does not write.
 */
#ifndef KTSTR_TOPOLOGY_H
#define KTSTR_TOPOLOGY_H

#include <stddef.h>
#include <stdint.h>

#define KTSTR_TOPOLOGY_MAX_APIC_ID	0xfe

/* How many of each: llcs per node, cores per LLC, threads per core. */
struct ktstr_topology {
	uint32_t nodes;
	uint32_t llcs;
	uint32_t cores;
	uint32_t threads;
};

/* Where one vCPU sits; llc and core count within their node and LLC. */
struct ktstr_cpu_place {
	uint32_t node;
	uint32_t llc;
	uint32_t core;
	uint32_t thread;
};

/*
 * Parse "1n2l2c1t" or "2l2c1t". 0, or -EINVAL with a message in err
 * (always NUL-terminated when errlen > 0) that names what is wrong.
 */
int ktstr_topology__parse(const char *s, struct ktstr_topology *t,
			  char *err, size_t errlen);

/*
 * 0 if t is usable: no zero count, at most KTSTR_MAX_VCPUS CPUs, APIC IDs
 * within KTSTR_TOPOLOGY_MAX_APIC_ID. Else -EINVAL and why in err.
 */
int ktstr_topology__validate(const struct ktstr_topology *t, char *err,
			     size_t errlen);

/* 1 node, 1 LLC, nr_cpus cores, 1 thread. */
void ktstr_topology__default(struct ktstr_topology *t, uint32_t nr_cpus);

uint32_t ktstr_topology__nr_cpus(const struct ktstr_topology *t);

/* Where vCPU cpu sits (see the numbering above). */
void ktstr_topology__place(const struct ktstr_topology *t, uint32_t cpu,
			   struct ktstr_cpu_place *p);

/* The APIC ID of vCPU cpu; also its KVM vCPU id. vCPU 0 gets APIC ID 0. */
uint32_t ktstr_topology__apic_id(const struct ktstr_topology *t, uint32_t cpu);

/* Field widths in APIC ID bits, and the shifts derived from them. */
uint32_t ktstr_topology__thread_bits(const struct ktstr_topology *t);
uint32_t ktstr_topology__core_bits(const struct ktstr_topology *t);
uint32_t ktstr_topology__llc_bits(const struct ktstr_topology *t);
uint32_t ktstr_topology__node_bits(const struct ktstr_topology *t);
/* APIC ID >> llc_shift is the LLC; >> pkg_shift is the node (package). */
uint32_t ktstr_topology__llc_shift(const struct ktstr_topology *t);
uint32_t ktstr_topology__pkg_shift(const struct ktstr_topology *t);

/* The largest APIC ID of t (the last vCPU's, as node is the top field). */
uint32_t ktstr_topology__max_apic_id(const struct ktstr_topology *t);

/*
 * "1n2l2c1t" into buf. The length without the NUL, or -ENOSPC when buf
 * is too small (buf then holds nothing useful).
 */
int ktstr_topology__format(const struct ktstr_topology *t, char *buf,
			   size_t len);

enum ktstr_cpu_vendor {
	KTSTR_CPU_VENDOR_OTHER,
	KTSTR_CPU_VENDOR_INTEL,
	KTSTR_CPU_VENDOR_AMD,		/* AuthenticAMD and HygonGenuine */
};

/*
 * The kernel command-line words that make a Linux 6.1 guest's NUMA nodes
 * match t, for a guest whose CPUID vendor is v (the host's, which
 * ktstr_cpuid__setup() keeps). Space-separated, no leading or trailing
 * space; "" for one node. Returns the length, -ENOSPC if buf is too
 * small, -EINVAL for a bad t, or -EOPNOTSUPP when the guest cannot be
 * made to match: boot without these words and the guest has one node.
 *
 * For nodes > 1 the words are numa=fake=<nodes>:<distance matrix>. With
 * no SRAT, Linux fakes one node for all memory, numa=fake splits it into
 * <nodes> nodes of equal size (at least 32 MiB each: give the guest
 * nodes * 64 MiB or more) and the distance list makes them 20 apart
 * (without it they would all be 10 apart and the scheduler would build
 * no NUMA domains). CPUs go to nodes round robin in logical CPU order
 * (numa_init_array()), cpu k to node k % nodes, which is the interleaved
 * vCPU numbering above. On AMD guests Linux then moves each CPU to the
 * node numbered like its LLC ID when that node exists (srat_detect_node()
 * in arch/x86/kernel/cpu/amd.c), which agrees only with one LLC per node:
 * AMD with nodes > 1 and llcs > 1 gets -EOPNOTSUPP.
 */
int ktstr_topology__cmdline(const struct ktstr_topology *t,
			    enum ktstr_cpu_vendor v, char *buf, size_t len);

/*
 * Set vCPU cpu's CPUID (KVM_SET_CPUID2) to what KVM supports
 * (KVM_GET_SUPPORTED_CPUID on kvm_fd) with t's topology written into it.
 * Call once per vCPU, before its first KVM_RUN. 0 or a negative errno.
 */
int ktstr_cpuid__setup(int kvm_fd, int vcpu_fd, const struct ktstr_topology *t,
		       uint32_t cpu);

/* The vendor of the CPU this runs on, as CPUID leaf 0 names it. */
enum ktstr_cpu_vendor ktstr_cpuid__host_vendor(void);

/*
 * The MP spec 1.4 floating pointer and configuration table for t: the
 * processors, an ISA bus, the IOAPIC at 0xfec00000 (ID one above the
 * largest LAPIC ID) with ISA IRQs on the pins KVM's default GSI routing
 * drives (IRQ n on pin n, IRQ 2 omitted), and LINT0 ExtINT, LINT1 NMI.
 */
size_t ktstr_mptable__size(const struct ktstr_topology *t);

/*
 * Write the table to dst, the host mapping of guest-physical gpa, len
 * bytes available. gpa must be 16-byte aligned and in a range Linux
 * scans for the floating pointer (0xf0000-0xfffff, or the first KiB, or
 * 0x9fc00-0x9ffff). Returns the bytes written, -ENOSPC if len is short,
 * -EINVAL for a bad gpa or t.
 */
int ktstr_mptable__write(void *dst, uint64_t gpa, size_t len,
			 const struct ktstr_topology *t);

#endif /* KTSTR_TOPOLOGY_H */
