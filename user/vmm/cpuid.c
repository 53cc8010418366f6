// SPDX-License-Identifier: GPL-2.0
/*
 * Per-vCPU CPUID: what KVM supports, with the declared topology written
 * into the leaves Linux reads it from, so that a guest with no ACPI
 * tables finds its SMT siblings, cores, LLCs and packages:
 *
 *   1		initial APIC ID, logical processor count, HTT
 *   4		(Intel) cache levels and the APIC IDs sharing each
 *   0xb, 0x1f	x2APIC topology: SMT and core levels with their shifts
 *   0x80000001	(AMD) TopologyExtensions, CmpLegacy
 *   0x80000005/6 (AMD) legacy L1/L2/L3 descriptors; Linux looks for an
 *		L3 there before it derives an LLC from anything else
 *   0x80000008	(AMD) NC and ApicIdSize
 *   0x8000001d	(AMD) cache levels and the APIC IDs sharing each
 *   0x8000001e	(AMD) extended APIC ID, core ID, node ID
 *
 * The cache hierarchy is synthetic and the same on both vendors: the
 * sizes are nominal, only who shares what is meant. The vendor, family,
 * model and features stay the host's as KVM reports them, plus the
 * hypervisor bit (KVM leaves it to userspace) without which Linux would
 * not find KVM's paravirt leaves, and the TSC deadline timer when the
 * in-kernel LAPIC can back it. KVM's hypervisor leaves (0x40000000...)
 * are kept, every feature KVM lists there being served in the kernel,
 * but for PV EOI (see cpuid__kvm_features()).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <asm/kvm_para.h>
#include <cpuid.h>
#include <linux/kvm.h>

#include <ktstr/topology.h>

/* KVM_MAX_CPUID_ENTRIES: KVM_SET_CPUID2 refuses more. */
#define CPUID_MAX_ENTRIES	256
/* Grown up to this on E2BIG before giving up. */
#define CPUID_SUPPORTED_MAX	4096

#define LEAF_BASIC_MAX		0x0
#define LEAF_FEATURES		0x1
#define LEAF_CACHE		0x4
#define LEAF_TOPOLOGY		0xb
#define LEAF_TOPOLOGY_V2	0x1f
#define LEAF_EXT_MAX		0x80000000
#define LEAF_EXT_FEATURES	0x80000001
#define LEAF_AMD_L1		0x80000005
#define LEAF_AMD_L2L3		0x80000006
#define LEAF_AMD_SIZES		0x80000008
#define LEAF_AMD_CACHE		0x8000001d
#define LEAF_AMD_TOPOLOGY	0x8000001e

#define F1_ECX_TSC_DEADLINE	(1u << 24)
#define F1_ECX_HYPERVISOR	(1u << 31)
#define F1_EDX_HTT		(1u << 28)
#define EXT1_ECX_CMP_LEGACY	(1u << 1)
#define EXT1_ECX_TOPOEXT	(1u << 22)

/* Leaf 0xb/0x1f level types. */
#define TOPO_LEVEL_INVALID	0
#define TOPO_LEVEL_SMT		1
#define TOPO_LEVEL_CORE		2

/* Leaf 4 / 0x8000001d cache types. */
#define CACHE_TYPE_DATA		1
#define CACHE_TYPE_INSN		2
#define CACHE_TYPE_UNIFIED	3

#define CACHE_LINE		64

struct cache_desc {
	uint32_t level, type, ways, sets;
	bool per_llc;		/* else per core (shared by its threads) */
};

/*
 * 32 KiB L1d and L1i, 512 KiB L2 per core, 2 MiB of L3 per core of the
 * LLC; sets of the L3 are filled in per topology.
 */
static const struct cache_desc caches[] = {
	{ .level = 1, .type = CACHE_TYPE_DATA, .ways = 8, .sets = 64 },
	{ .level = 1, .type = CACHE_TYPE_INSN, .ways = 8, .sets = 64 },
	{ .level = 2, .type = CACHE_TYPE_UNIFIED, .ways = 8, .sets = 1024 },
	{ .level = 3, .type = CACHE_TYPE_UNIFIED, .ways = 16, .per_llc = true },
};

#define L3_SETS_PER_CORE	2048	/* 2 MiB / (16 ways * 64 B) */
#define L2_KIB			512
#define L1_KIB			32
/* 0x80000006 associativity codes. */
#define AMD_ASSOC_8		0x6
#define AMD_ASSOC_16		0x8

struct cpuid_table {
	struct kvm_cpuid2 *c;
	uint32_t cap;
};

/* Everything the leaves need to know about this vCPU. */
struct cpu_topo {
	uint32_t apic_id;
	uint32_t tbits, llc_shift, pkg_shift;
	uint32_t threads, cores, per_pkg;	/* logical CPUs in the package */
};

static enum ktstr_cpu_vendor vendor_of(uint32_t ebx, uint32_t ecx,
				       uint32_t edx)
{
	char v[13];

	memcpy(v, &ebx, 4);
	memcpy(v + 4, &edx, 4);
	memcpy(v + 8, &ecx, 4);
	v[12] = '\0';
	if (!strcmp(v, "GenuineIntel"))
		return KTSTR_CPU_VENDOR_INTEL;
	if (!strcmp(v, "AuthenticAMD") || !strcmp(v, "HygonGenuine"))
		return KTSTR_CPU_VENDOR_AMD;
	return KTSTR_CPU_VENDOR_OTHER;
}

enum ktstr_cpu_vendor ktstr_cpuid__host_vendor(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx))
		return KTSTR_CPU_VENDOR_OTHER;
	return vendor_of(ebx, ecx, edx);
}

/* KVM_GET_SUPPORTED_CPUID into a table with room for CPUID_MAX_ENTRIES. */
static int cpuid__supported(int kvm_fd, struct cpuid_table *tab)
{
	/* KVM fails with E2BIG rather than saying how much it needs. */
	for (uint32_t n = CPUID_MAX_ENTRIES; n <= CPUID_SUPPORTED_MAX; n *= 2) {
		struct kvm_cpuid2 *c;

		c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c)) {
			tab->c = c;
			tab->cap = n;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return -errno;
	}
	return -E2BIG;
}

static struct kvm_cpuid_entry2 *cpuid__find(struct cpuid_table *tab,
					    uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < tab->c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &tab->c->entries[i];

		if (e->function != function)
			continue;
		if (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		    e->index == index)
			return e;
	}
	return NULL;
}

/* Drops every subleaf of function: the caller writes its own. */
static void cpuid__drop(struct cpuid_table *tab, uint32_t function)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < tab->c->nent; i++)
		if (tab->c->entries[i].function != function)
			tab->c->entries[out++] = tab->c->entries[i];
	tab->c->nent = out;
}

static int cpuid__add(struct cpuid_table *tab, uint32_t function,
		      uint32_t index, uint32_t eax, uint32_t ebx, uint32_t ecx,
		      uint32_t edx)
{
	struct kvm_cpuid_entry2 *e;

	if (tab->c->nent >= tab->cap || tab->c->nent >= CPUID_MAX_ENTRIES)
		return -E2BIG;
	e = &tab->c->entries[tab->c->nent++];
	*e = (struct kvm_cpuid_entry2){
		.function = function,
		.index = index,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		.eax = eax, .ebx = ebx, .ecx = ecx, .edx = edx,
	};
	return 0;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * Leaf 4 and 0x8000001d share a layout; EAX[31:26] (cores in the
 * package) exists in leaf 4 only, so amd leaves it zero.
 */
static int cpuid__caches(struct cpuid_table *tab, uint32_t function,
			 const struct cpu_topo *ct, bool amd)
{
	uint32_t i;
	int ret;

	cpuid__drop(tab, function);
	for (i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		const struct cache_desc *d = &caches[i];
		/*
		 * Linux takes the sharing count as a number of APIC IDs and
		 * shifts the APIC ID right by its order: our field widths.
		 */
		uint32_t share_bits = d->per_llc ? ct->llc_shift : ct->tbits;
		uint32_t sets = d->per_llc ? L3_SETS_PER_CORE * ct->cores :
					     d->sets;
		uint32_t eax, ebx;

		eax = d->type | d->level << 5 | 1u << 8 /* self-initialising */ |
		      (((1u << share_bits) - 1) & 0xfff) << 14;
		if (!amd)
			eax |= min_u32((1u << (ct->pkg_shift - ct->tbits)) - 1,
				       63) << 26;
		ebx = (CACHE_LINE - 1) | 0u << 12 /* 1 partition */ |
		      (d->ways - 1) << 22;
		ret = cpuid__add(tab, function, i, eax, ebx, sets - 1, 0);
		if (ret)
			return ret;
	}
	/* Type 0 ends the list. */
	return cpuid__add(tab, function, i, 0, 0, 0, 0);
}

/* The SMT and core levels of 0xb or 0x1f; the core level is the package. */
static int cpuid__x2apic_levels(struct cpuid_table *tab, uint32_t function,
				const struct cpu_topo *ct)
{
	int ret;

	cpuid__drop(tab, function);
	ret = cpuid__add(tab, function, 0, ct->tbits, ct->threads,
			 0 | TOPO_LEVEL_SMT << 8, ct->apic_id);
	if (!ret)
		ret = cpuid__add(tab, function, 1, ct->pkg_shift, ct->per_pkg,
				 1 | TOPO_LEVEL_CORE << 8, ct->apic_id);
	if (!ret)
		ret = cpuid__add(tab, function, 2, 0, 0,
				 2 | TOPO_LEVEL_INVALID << 8, ct->apic_id);
	return ret;
}

static int cpuid__amd(struct cpuid_table *tab, const struct cpu_topo *ct,
		      const struct ktstr_topology *t)
{
	struct kvm_cpuid_entry2 *e;
	uint32_t l3_kib = L3_SETS_PER_CORE * t->cores * 16 * CACHE_LINE / 1024;
	int ret;

	e = cpuid__find(tab, LEAF_EXT_MAX, 0);
	if (!e)
		return -ENOENT;
	if (e->eax < LEAF_AMD_TOPOLOGY)
		e->eax = LEAF_AMD_TOPOLOGY;

	/*
	 * TopologyExtensions only says 0x8000001d/e exist, and KVM serves
	 * CPUID from this table whatever the host has, so it can be set
	 * where KVM did not list it (TCG's AMD CPU, for one).
	 */
	e = cpuid__find(tab, LEAF_EXT_FEATURES, 0);
	if (!e)
		return -ENOENT;
	e->ecx |= EXT1_ECX_TOPOEXT;
	if (ct->per_pkg > 1)
		e->ecx |= EXT1_ECX_CMP_LEGACY;
	else
		e->ecx &= ~EXT1_ECX_CMP_LEGACY;

	/* Keeps KVM's TLB descriptors in EAX/EBX. */
	e = cpuid__find(tab, LEAF_AMD_L1, 0);
	if (e) {
		e->ecx = L1_KIB << 24 | 8 << 16 | 1 << 8 | CACHE_LINE;
		e->edx = e->ecx;
	} else {
		ret = cpuid__add(tab, LEAF_AMD_L1, 0, 0, 0,
				 L1_KIB << 24 | 8 << 16 | 1 << 8 | CACHE_LINE,
				 L1_KIB << 24 | 8 << 16 | 1 << 8 | CACHE_LINE);
		if (ret)
			return ret;
		tab->c->entries[tab->c->nent - 1].flags = 0;
	}
	e = cpuid__find(tab, LEAF_AMD_L2L3, 0);
	if (!e) {
		ret = cpuid__add(tab, LEAF_AMD_L2L3, 0, 0, 0, 0, 0);
		if (ret)
			return ret;
		e = &tab->c->entries[tab->c->nent - 1];
		e->flags = 0;
	}
	e->ecx = L2_KIB << 16 | AMD_ASSOC_8 << 12 | 1 << 8 | CACHE_LINE;
	/* L3 size in 512 KiB units; nonzero is how Linux knows of an L3. */
	e->edx = (l3_kib / 512) << 18 | AMD_ASSOC_16 << 12 | 1 << 8 | CACHE_LINE;

	/*
	 * NC: logical CPUs in the package - 1; ApicIdSize: the package's
	 * APIC ID bits, which Linux takes for the core ID width.
	 */
	e = cpuid__find(tab, LEAF_AMD_SIZES, 0);
	if (e)
		e->ecx = (e->ecx & ~0xf0ffu) | (ct->pkg_shift & 0xf) << 12 |
			 ((ct->per_pkg - 1) & 0xff);

	ret = cpuid__caches(tab, LEAF_AMD_CACHE, ct, true);
	if (ret)
		return ret;

	/*
	 * The node ID is the LLC: Linux before family 0x17 takes it for the
	 * LLC ID, and one node per processor (ECX[10:8] = 0) keeps the core
	 * IDs unique in the package.
	 */
	cpuid__drop(tab, LEAF_AMD_TOPOLOGY);
	ret = cpuid__add(tab, LEAF_AMD_TOPOLOGY, 0, ct->apic_id,
			 (t->threads - 1) << 8 |
			 (((ct->apic_id >> ct->tbits) &
			   ((1u << (ct->pkg_shift - ct->tbits)) - 1)) & 0xff),
			 (ct->apic_id >> ct->llc_shift) & 0xff, 0);
	if (!ret)
		tab->c->entries[tab->c->nent - 1].flags = 0;
	return ret;
}

/*
 * PV EOI lets the guest acknowledge an interrupt by clearing a flag in
 * its memory instead of writing the LAPIC, and KVM completes the EOI at
 * the next exit. Not offered: with it, an SMP Linux guest of the nested
 * KVM that the VM tier runs (kvm-amd on QEMU 7.2's TCG-emulated SVM)
 * gets its LAPIC timer interrupt again inside the timer handler, with
 * IF=0, and deadlocks on its own runqueue lock within the first seconds
 * of boot; without it, it boots every time. An EOI then costs an exit
 * (an x2APIC MSR write KVM handles in the kernel), which a test harness
 * can afford; a guest that hangs it cannot.
 */
static void cpuid__kvm_features(struct cpuid_table *tab)
{
	struct kvm_cpuid_entry2 *e = cpuid__find(tab, KVM_CPUID_FEATURES, 0);

	if (e)
		e->eax &= ~(1u << KVM_FEATURE_PV_EOI);
}

static int cpuid__build(int kvm_fd, struct cpuid_table *tab,
			const struct ktstr_topology *t, uint32_t cpu)
{
	enum ktstr_cpu_vendor vendor;
	struct kvm_cpuid_entry2 *e;
	struct cpu_topo ct;
	uint32_t basic_max, logical;
	int ret;

	ct.apic_id = ktstr_topology__apic_id(t, cpu);
	ct.tbits = ktstr_topology__thread_bits(t);
	ct.llc_shift = ktstr_topology__llc_shift(t);
	ct.pkg_shift = ktstr_topology__pkg_shift(t);
	ct.threads = t->threads;
	ct.cores = t->cores;
	ct.per_pkg = t->llcs * t->cores * t->threads;

	e = cpuid__find(tab, LEAF_BASIC_MAX, 0);
	if (!e)
		return -ENOENT;
	vendor = vendor_of(e->ebx, e->ecx, e->edx);
	/* Linux only reads 0xb when the basic range reaches it. */
	if (e->eax < LEAF_TOPOLOGY)
		e->eax = LEAF_TOPOLOGY;
	basic_max = e->eax;

	e = cpuid__find(tab, LEAF_FEATURES, 0);
	if (!e)
		return -ENOENT;
	/* Addressable IDs in the package, a power of two, 8 bits. */
	logical = min_u32(1u << ct.pkg_shift, 0xff);
	e->ebx = (e->ebx & 0xffff) | logical << 16 | ct.apic_id << 24;
	if (ct.per_pkg > 1)
		e->edx |= F1_EDX_HTT;
	else
		e->edx &= ~F1_EDX_HTT;
	e->ecx |= F1_ECX_HYPERVISOR;
	if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		e->ecx |= F1_ECX_TSC_DEADLINE;

	ret = cpuid__x2apic_levels(tab, LEAF_TOPOLOGY, &ct);
	if (ret)
		return ret;
	/*
	 * Linux prefers 0x1f when the basic range reaches it; a 0x1f that
	 * disagreed with 0xb would win.
	 */
	if (basic_max >= LEAF_TOPOLOGY_V2)
		ret = cpuid__x2apic_levels(tab, LEAF_TOPOLOGY_V2, &ct);
	else
		cpuid__drop(tab, LEAF_TOPOLOGY_V2);
	if (ret)
		return ret;

	cpuid__kvm_features(tab);

	switch (vendor) {
	case KTSTR_CPU_VENDOR_AMD:
		/* Leaf 4 is reserved on AMD; KVM passes whatever is there. */
		cpuid__drop(tab, LEAF_CACHE);
		return cpuid__amd(tab, &ct, t);
	case KTSTR_CPU_VENDOR_INTEL:
	default:
		return cpuid__caches(tab, LEAF_CACHE, &ct, false);
	}
}

int ktstr_cpuid__setup(int kvm_fd, int vcpu_fd, const struct ktstr_topology *t,
		       uint32_t cpu)
{
	struct cpuid_table tab = { 0 };
	int ret;

	if (ktstr_topology__validate(t, NULL, 0) ||
	    cpu >= ktstr_topology__nr_cpus(t))
		return -EINVAL;
	ret = cpuid__supported(kvm_fd, &tab);
	if (ret)
		return ret;
	ret = cpuid__build(kvm_fd, &tab, t, cpu);
	if (!ret && ioctl(vcpu_fd, KVM_SET_CPUID2, tab.c))
		ret = -errno;
	free(tab.c);
	return ret;
}
