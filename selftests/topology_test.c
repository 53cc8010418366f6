// SPDX-License-Identifier: GPL-2.0
/*
 * The VMM's CPU topology (ktstr/topology.h): parsing with its exact error
 * messages, vCPU placement and APIC ID packing, the numa=fake words, the
 * MP table byte for byte as Linux's mpparse.c reads it, and, where
 * /dev/kvm exists, the CPUID each vCPU gets: read back with
 * KVM_GET_CPUID2 and executed by a real-mode guest, which is what the
 * guest kernel will see.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/ktstr.h>
#include <linux/kvm.h>
#include <ktstr/topology.h>

#include "kselftest_harness.h"

static const char syntax[] =
	"expected [<nodes>n]<llcs>l<cores>c<threads>t, e.g. 1n2l4c2t";

/* --- parsing ------------------------------------------------------------ */

TEST(parse_good)
{
	static const struct {
		const char *s;
		struct ktstr_topology t;
		uint32_t nr;
	} good[] = {
		{ "1n1l1c1t", { 1, 1, 1, 1 }, 1 },
		{ "1n2l2c1t", { 1, 2, 2, 1 }, 4 },
		{ "2l2c1t", { 1, 2, 2, 1 }, 4 },
		{ "2n2l4c2t", { 2, 2, 4, 2 }, 32 },
		{ "1l255c1t", { 1, 1, 255, 1 }, 255 },
		{ "3n3l3c3t", { 3, 3, 3, 3 }, 81 },
		{ "007n1l1c1t", { 7, 1, 1, 1 }, 7 },
		{ "2n1l100c1t", { 2, 1, 100, 1 }, 200 },
	};
	char err[256], buf[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ktstr_topology t = { 0 };

		memset(err, 'x', sizeof(err));
		ASSERT_EQ(0, ktstr_topology__parse(good[i].s, &t, err,
						   sizeof(err))) {
			TH_LOG("%s: %s", good[i].s, err);
		}
		EXPECT_STREQ("", err);
		EXPECT_EQ(good[i].t.nodes, t.nodes);
		EXPECT_EQ(good[i].t.llcs, t.llcs);
		EXPECT_EQ(good[i].t.cores, t.cores);
		EXPECT_EQ(good[i].t.threads, t.threads);
		EXPECT_EQ(good[i].nr, ktstr_topology__nr_cpus(&t));
		EXPECT_LT(0, ktstr_topology__format(&t, buf, sizeof(buf)));
	}
}

TEST(parse_bad)
{
	static const struct {
		const char *s;
		const char *err;
	} bad[] = {
		{ "", "empty topology; %s" },
		{ "2l2c", "\"2l2c\": missing the thread count (<n>t); %s" },
		{ "1n", "\"1n\": missing the LLC count (<n>l); %s" },
		{ "2c1t", "\"2c1t\": 'c' at offset 1 where the node or LLC count (<n>n or <n>l) should be; %s" },
		{ "1n2l1t", "\"1n2l1t\": 't' at offset 5 where the core count (<n>c) should be; %s" },
		{ "1n1n1l1c1t", "\"1n1n1l1c1t\": 'n' at offset 3 where the LLC count (<n>l) should be; %s" },
		{ "1n2l2c1tx", "\"1n2l2c1tx\": trailing \"x\" after the thread count" },
		{ "1n2l2c1t ", "\"1n2l2c1t \": trailing \" \" after the thread count" },
		{ " 1n2l2c1t", "\" 1n2l2c1t\": ' ' at offset 0 where a number should be; %s" },
		{ "1n2x2c1t", "\"1n2x2c1t\": unknown unit 'x' at offset 3; %s" },
		{ "1n2l2c1", "\"1n2l2c1\": the number at offset 6 has no unit (n, l, c or t); %s" },
		{ "nlct", "\"nlct\": 'n' at offset 0 where a number should be; %s" },
		{ "-1n1l1c1t", "\"-1n1l1c1t\": '-' at offset 0 where a number should be; %s" },
		{ "1n1l0c1t", "zero cores per LLC" },
		{ "0n1l1c1t", "zero nodes" },
		{ "1l1c0t", "zero threads per core" },
		{ "0l1c1t", "zero LLCs per node" },
		{ "1n1l4294967296c1t", "\"1n1l4294967296c1t\": the number at offset 4 does not fit in 32 bits" },
		{ "1n1l4294967295c1t", "4294967295 cores per LLC: more than the 256 vCPUs a VM may have" },
		{ "2n2l64c2t", "2n2l64c2t is 512 CPUs: at most 256 (KTSTR_MAX_VCPUS)" },
		{ "1n1l256c1t", "1n1l256c1t needs APIC ID 255 (8 bits): at most 254, the MP table has 8-bit APIC IDs and 255 is broadcast" },
		{ "1n3l3c3t", "1n3l3c3t needs APIC ID 42 (6 bits)" /* fits */ },
		{ "3n1l65c1t", "3n1l65c1t needs APIC ID 320 (9 bits): at most 254, the MP table has 8-bit APIC IDs and 255 is broadcast" },
	};
	struct ktstr_topology t = { 9, 9, 9, 9 };
	char err[512], want[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (strstr(bad[i].err, "needs APIC ID 42"))
			continue;	/* a control: 1n3l3c3t is fine */
		snprintf(want, sizeof(want), bad[i].err, syntax);
		EXPECT_EQ(-EINVAL, ktstr_topology__parse(bad[i].s, &t, err,
							 sizeof(err)));
		EXPECT_STREQ(want, err);
		/* A failed parse leaves the output alone. */
		EXPECT_EQ(9, t.nodes);
	}
	EXPECT_EQ(0, ktstr_topology__parse("1n3l3c3t", &t, err, sizeof(err)));
	EXPECT_EQ(-EINVAL, ktstr_topology__parse(NULL, &t, NULL, 0));
	/* A short buffer gets a truncated, terminated message. */
	EXPECT_EQ(-EINVAL, ktstr_topology__parse("zz", &t, err, 5));
	EXPECT_STREQ("\"zz\"", err);
}

TEST(default_and_format)
{
	struct ktstr_topology t;
	char buf[16];

	ktstr_topology__default(&t, 4);
	EXPECT_EQ(1, t.nodes);
	EXPECT_EQ(1, t.llcs);
	EXPECT_EQ(4, t.cores);
	EXPECT_EQ(1, t.threads);
	EXPECT_EQ(4, ktstr_topology__nr_cpus(&t));
	EXPECT_EQ(8, ktstr_topology__format(&t, buf, sizeof(buf)));
	EXPECT_STREQ("1n1l4c1t", buf);
	EXPECT_EQ(-ENOSPC, ktstr_topology__format(&t, buf, 8));
	t.cores = 255;
	EXPECT_EQ(10, ktstr_topology__format(&t, buf, sizeof(buf)));
	EXPECT_STREQ("1n1l255c1t", buf);
}

/* --- placement and APIC IDs ---------------------------------------------- */

TEST(apic_id_packing)
{
	struct ktstr_topology t = { .nodes = 2, .llcs = 3, .cores = 3, .threads = 2 };
	struct ktstr_cpu_place p;
	uint8_t seen[256] = { 0 };
	uint32_t nr = ktstr_topology__nr_cpus(&t);

	/* Widths: thread 1, core 2, llc 2, node 1. */
	EXPECT_EQ(1, ktstr_topology__thread_bits(&t));
	EXPECT_EQ(2, ktstr_topology__core_bits(&t));
	EXPECT_EQ(2, ktstr_topology__llc_bits(&t));
	EXPECT_EQ(1, ktstr_topology__node_bits(&t));
	EXPECT_EQ(3, ktstr_topology__llc_shift(&t));
	EXPECT_EQ(5, ktstr_topology__pkg_shift(&t));
	EXPECT_EQ(36, nr);
	/* node 1, llc 2, core 2, thread 1 */
	EXPECT_EQ(1u << 5 | 2u << 3 | 2u << 1 | 1u,
		  ktstr_topology__max_apic_id(&t));

	for (uint32_t cpu = 0; cpu < nr; cpu++) {
		uint32_t id = ktstr_topology__apic_id(&t, cpu);

		ktstr_topology__place(&t, cpu, &p);
		/* Nodes interleave; within one, thread, then core, then LLC. */
		EXPECT_EQ(cpu % 2, p.node);
		EXPECT_EQ(cpu / 2 % 2, p.thread);
		EXPECT_EQ(cpu / 4 % 3, p.core);
		EXPECT_EQ(cpu / 12, p.llc);
		EXPECT_EQ(p.thread, id & 1);
		EXPECT_EQ(p.core, id >> 1 & 3);
		EXPECT_EQ(p.llc, id >> 3 & 3);
		EXPECT_EQ(p.node, id >> 5);
		EXPECT_LE(id, ktstr_topology__max_apic_id(&t));
		EXPECT_EQ(0, seen[id]++);
	}
	EXPECT_EQ(0, ktstr_topology__apic_id(&t, 0));

	/* Powers of two pack densely; one of everything is ID 0. */
	t = (struct ktstr_topology){ 1, 2, 4, 2 };
	for (uint32_t cpu = 0; cpu < 16; cpu++)
		EXPECT_EQ(cpu, ktstr_topology__apic_id(&t, cpu));
	t = (struct ktstr_topology){ 1, 1, 1, 1 };
	EXPECT_EQ(0, ktstr_topology__pkg_shift(&t));
	EXPECT_EQ(0, ktstr_topology__apic_id(&t, 0));
	t = (struct ktstr_topology){ 4, 1, 2, 1 };
	/* cpu 5: node 1, core 1 -> node bits at 1 */
	EXPECT_EQ(1u << 1 | 1u, ktstr_topology__apic_id(&t, 5));
}

TEST(validate)
{
	struct ktstr_topology t = { 1, 1, 254, 1 };
	char err[256];

	EXPECT_EQ(0, ktstr_topology__validate(&t, err, sizeof(err)));
	t.cores = 255;
	EXPECT_EQ(0, ktstr_topology__validate(&t, err, sizeof(err)));
	EXPECT_EQ(254, ktstr_topology__max_apic_id(&t));
	t = (struct ktstr_topology){ 2, 1, 128, 1 };
	EXPECT_EQ(-EINVAL, ktstr_topology__validate(&t, err, sizeof(err)));
	EXPECT_STREQ("2n1l128c1t needs APIC ID 255 (8 bits): at most 254, the MP table has 8-bit APIC IDs and 255 is broadcast",
		     err);
	t = (struct ktstr_topology){ 2, 1, 127, 1 };
	EXPECT_EQ(0, ktstr_topology__validate(&t, NULL, 0));
	EXPECT_EQ(254, ktstr_topology__max_apic_id(&t));
}

/* --- numa=fake ------------------------------------------------------------ */

TEST(cmdline)
{
	struct ktstr_topology t = { 1, 2, 2, 1 };
	char buf[128];

	EXPECT_EQ(0, ktstr_topology__cmdline(&t, KTSTR_CPU_VENDOR_INTEL, buf,
					     sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(0, ktstr_topology__cmdline(&t, KTSTR_CPU_VENDOR_AMD, buf,
					     sizeof(buf)));

	t = (struct ktstr_topology){ 2, 2, 2, 1 };
	EXPECT_EQ(23, ktstr_topology__cmdline(&t, KTSTR_CPU_VENDOR_INTEL, buf,
					      sizeof(buf)));
	EXPECT_STREQ("numa=fake=2:10,20,20,10", buf);
	EXPECT_EQ(-EOPNOTSUPP, ktstr_topology__cmdline(&t, KTSTR_CPU_VENDOR_AMD,
						       buf, sizeof(buf)));
	EXPECT_EQ(-ENOSPC, ktstr_topology__cmdline(&t, KTSTR_CPU_VENDOR_INTEL,
						   buf, 23));

	t = (struct ktstr_topology){ 3, 1, 4, 2 };
	EXPECT_EQ(38, ktstr_topology__cmdline(&t, KTSTR_CPU_VENDOR_AMD, buf,
					      sizeof(buf)));
	EXPECT_STREQ("numa=fake=3:10,20,20,20,10,20,20,20,10", buf);

	t.cores = 0;
	EXPECT_EQ(-EINVAL, ktstr_topology__cmdline(&t, KTSTR_CPU_VENDOR_AMD,
						   buf, sizeof(buf)));
}

/* --- MP table --------------------------------------------------------------- */

#define MPT_GPA		0xf0000

static uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* Walks one table as Linux's smp_read_mpc() would and checks each entry. */
static void check_mptable(struct __test_metadata *_metadata,
			  const struct ktstr_topology *t)
{
	size_t size = ktstr_mptable__size(t);
	uint32_t nr = ktstr_topology__nr_cpus(t);
	uint8_t *buf = malloc(size + 64), *mpc, *p;
	uint32_t cpus = 0, buses = 0, ioapics = 0, ioints = 0, lints = 0;
	uint32_t entries = 0, irq_seen = 0;
	uint8_t ioapic_id = (uint8_t)(ktstr_topology__max_apic_id(t) + 1);
	uint16_t len;

	ASSERT_NE(NULL, buf);
	memset(buf, 0xa5, size + 64);
	ASSERT_EQ((int)size, ktstr_mptable__write(buf, MPT_GPA, size, t));
	/* Nothing written past the size it announced. */
	for (size_t i = size; i < size + 64; i++)
		ASSERT_EQ(0xa5, buf[i]);

	/* Floating pointer. */
	EXPECT_EQ(0, memcmp(buf, "_MP_", 4));
	EXPECT_EQ(MPT_GPA + 16, rd32(buf + 4));
	EXPECT_EQ(1, buf[8]);
	EXPECT_EQ(4, buf[9]);
	EXPECT_EQ(0, sum8(buf, 16));
	EXPECT_EQ(0, buf[11]);		/* feature 1: table present */

	/* Configuration table header. */
	mpc = buf + 16;
	len = rd16(mpc + 4);
	EXPECT_EQ(0, memcmp(mpc, "PCMP", 4));
	EXPECT_EQ(size - 16, len);
	EXPECT_EQ(4, mpc[6]);
	EXPECT_EQ(0, sum8(mpc, len));
	EXPECT_EQ(0xfee00000u, rd32(mpc + 36));
	EXPECT_EQ(0, rd16(mpc + 40));	/* no extended table */

	for (p = mpc + 44; p < mpc + len; entries++) {
		switch (p[0]) {
		case 0: {	/* processor */
			uint32_t cpu = cpus++;

			ASSERT_LT(cpu, nr);
			/* Listed in vCPU order, so guest CPU n is vCPU n. */
			EXPECT_EQ(ktstr_topology__apic_id(t, cpu), p[1]);
			EXPECT_EQ(0x14, p[2]);
			EXPECT_EQ(cpu ? 0x01 : 0x03, p[3]);
			EXPECT_EQ(0, buses + ioapics + ioints + lints);
			p += 20;
			break;
		}
		case 1:		/* bus */
			buses++;
			EXPECT_EQ(0, p[1]);
			EXPECT_EQ(0, memcmp(p + 2, "ISA   ", 6));
			p += 8;
			break;
		case 2:		/* IOAPIC */
			ioapics++;
			EXPECT_EQ(ioapic_id, p[1]);
			EXPECT_EQ(0x11, p[2]);
			EXPECT_EQ(1, p[3]);
			EXPECT_EQ(0xfec00000u, rd32(p + 4));
			p += 8;
			break;
		case 3:		/* I/O interrupt */
			ioints++;
			EXPECT_EQ(0, p[1]);		/* INT */
			EXPECT_EQ(0, rd16(p + 2));	/* ISA conforming */
			EXPECT_EQ(0, p[4]);
			EXPECT_NE(2, p[5]);		/* the cascade */
			EXPECT_LT(p[5], 16);
			EXPECT_EQ(ioapic_id, p[6]);
			/* KVM's default routing: GSI n on pin n. */
			EXPECT_EQ(p[5], p[7]);
			irq_seen |= 1u << p[5];
			p += 8;
			break;
		case 4:		/* local interrupt */
			EXPECT_EQ(lints ? 1 : 3, p[1]);	/* ExtINT, then NMI */
			EXPECT_EQ(0xff, p[6]);
			EXPECT_EQ(lints, p[7]);		/* LINT0, LINT1 */
			lints++;
			p += 8;
			break;
		default:
			ASSERT_TRUE(0) {
				TH_LOG("bad entry type %u at %td", p[0], p - mpc);
			}
		}
	}
	EXPECT_EQ(mpc + len, p);
	EXPECT_EQ(nr, cpus);
	EXPECT_EQ(1, buses);
	EXPECT_EQ(1, ioapics);
	EXPECT_EQ(15, ioints);
	EXPECT_EQ(0xfffbu, irq_seen);
	EXPECT_EQ(2, lints);
	EXPECT_EQ(entries, rd16(mpc + 34));
	EXPECT_LE(16 + len, 0x10000);	/* within 0xf0000-0xfffff */
	free(buf);
}

TEST(mptable)
{
	static const struct ktstr_topology topos[] = {
		{ 1, 1, 1, 1 }, { 1, 2, 2, 1 }, { 2, 2, 4, 2 }, { 1, 1, 255, 1 },
		{ 3, 3, 3, 3 }, { 2, 2, 32, 1 }, { 2, 1, 127, 1 },
	};

	for (size_t i = 0; i < sizeof(topos) / sizeof(topos[0]); i++)
		check_mptable(_metadata, &topos[i]);
}

TEST(mptable_bad)
{
	struct ktstr_topology t = { 1, 2, 2, 1 };
	size_t size = ktstr_mptable__size(&t);
	uint8_t buf[1024];

	/* 16 + 44 + 4 * 20 + 8 + 8 + 15 * 8 + 2 * 8 */
	EXPECT_EQ(292, size);
	EXPECT_EQ(-ENOSPC, ktstr_mptable__write(buf, MPT_GPA, size - 1, &t));
	EXPECT_EQ(-EINVAL, ktstr_mptable__write(buf, MPT_GPA + 8, size, &t));
	EXPECT_EQ(-EINVAL, ktstr_mptable__write(buf, 0x100000, size, &t));
	EXPECT_EQ(-EINVAL, ktstr_mptable__write(buf, 0x80000, size, &t));
	EXPECT_EQ(-EINVAL, ktstr_mptable__write(buf, 0xfff00, size, &t));
	EXPECT_EQ((int)size, ktstr_mptable__write(buf, 0x9fc00, size, &t));
	t.threads = 0;
	EXPECT_EQ(-EINVAL, ktstr_mptable__write(buf, MPT_GPA, sizeof(buf), &t));
}

/* --- CPUID on a real vCPU (VM tier) -------------------------------------- */

#define GUEST_MEM	0x10000
#define GUEST_CODE	0x1000

/* cpuid; hlt -- in real mode, with EAX and ECX set from outside. */
static const uint8_t cpuid_code[] = { 0x0f, 0xa2, 0xf4 };

FIXTURE(kvm) {
	int kvm, vm;
	void *mem;
	size_t run_size;
	enum ktstr_cpu_vendor vendor;
	/*
	 * Linux's KVM gives the guest the leaf-1 feature bits userspace
	 * set. The /dev/kvm of some sandboxes rewrites them (and then
	 * refuses the same table again after KVM_RUN); there the checks of
	 * those bits are skipped with a note, the topology ones are not.
	 */
	bool rewrites_leaf1;
};

static bool rewrites_leaf1(struct __test_metadata *_metadata,
			   FIXTURE_DATA(kvm) *self)
{
	struct ktstr_topology t = { 1, 1, 2, 1 };
	struct kvm_cpuid2 *c;
	uint32_t set_ecx = 0;
	bool ret = false;
	int vcpu;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	if (!c)
		return false;
	c->nent = 256;
	if (ioctl(self->kvm, KVM_GET_SUPPORTED_CPUID, c))
		goto out;
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			set_ecx = c->entries[i].ecx | 1u << 31 | 1u << 24;
	/* A scratch vCPU whose id no test uses. */
	vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 255);
	if (vcpu < 0)
		goto out;
	c->nent = 256;
	if (!ktstr_cpuid__setup(self->kvm, vcpu, &t, 0) &&
	    !ioctl(vcpu, KVM_GET_CPUID2, c))
		for (uint32_t i = 0; i < c->nent; i++)
			if (c->entries[i].function == 1)
				/* OSXSAVE follows CR4 at runtime. */
				ret = (c->entries[i].ecx & ~(1u << 27)) !=
				      (set_ecx & ~(1u << 27));
	close(vcpu);
out:
	free(c);
	return ret;
}

FIXTURE_SETUP(kvm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.memory_size = GUEST_MEM,
	};
	int sz;

	self->vm = -1;
	self->mem = MAP_FAILED;
	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (self->kvm < 0)
		SKIP(return, "no /dev/kvm: %s", strerror(errno));
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	/*
	 * No in-kernel irqchip: with one, HLT would block in the kernel
	 * instead of exiting to us after each CPUID.
	 */
	self->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memcpy((char *)self->mem + GUEST_CODE, cpuid_code, sizeof(cpuid_code));
	region.userspace_addr = (uintptr_t)self->mem;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));
	sz = ioctl(self->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, sz);
	self->run_size = sz;
	self->vendor = ktstr_cpuid__host_vendor();
	self->rewrites_leaf1 = rewrites_leaf1(_metadata, self);
	if (self->rewrites_leaf1)
		TH_LOG("this /dev/kvm rewrites CPUID leaf 1 (not Linux KVM?): its feature-bit checks skipped");
}

FIXTURE_TEARDOWN(kvm)
{
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_MEM);
	if (self->vm >= 0)
		close(self->vm);
	if (self->kvm >= 0)
		close(self->kvm);
}

struct regs4 {
	uint32_t eax, ebx, ecx, edx;
};

/* CPUID(leaf, index) as the guest executes it. */
static int guest_cpuid(int vcpu, struct kvm_run *run, uint32_t leaf,
		       uint32_t index, struct regs4 *out)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rax = leaf, .rcx = index, .rip = GUEST_CODE, .rflags = 2,
	};

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		return -errno;
	if (ioctl(vcpu, KVM_RUN, 0))
		return -errno;
	if (run->exit_reason != KVM_EXIT_HLT)
		return -EIO;
	if (ioctl(vcpu, KVM_GET_REGS, &regs))
		return -errno;
	*out = (struct regs4){ regs.rax, regs.rbx, regs.rcx, regs.rdx };
	return 0;
}

static const struct kvm_cpuid_entry2 *find(const struct kvm_cpuid2 *c,
					   uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == index))
			return e;
	}
	return NULL;
}

static unsigned int count_order(uint32_t n)
{
	unsigned int o = 0;

	while ((1u << o) < n)
		o++;
	return o;
}

/*
 * The leaves one vCPU has, as the guest reads them, checked against what
 * Linux 6.1 derives from them (arch/x86/kernel/cpu/{topology,cacheinfo,
 * amd}.c): SMT, core and package IDs and the LLC ID.
 */
static void check_vcpu(struct __test_metadata *_metadata,
		       FIXTURE_DATA(kvm) *self, const struct ktstr_topology *t,
		       uint32_t cpu, int vcpu, struct kvm_run *run)
{
	uint32_t apic = ktstr_topology__apic_id(t, cpu);
	uint32_t tb = ktstr_topology__thread_bits(t);
	uint32_t llc_shift = ktstr_topology__llc_shift(t);
	uint32_t pkg_shift = ktstr_topology__pkg_shift(t);
	uint32_t per_pkg = t->llcs * t->cores * t->threads;
	bool amd = self->vendor == KTSTR_CPU_VENDOR_AMD;
	uint32_t cache_leaf = amd ? 0x8000001d : 4;
	struct kvm_cpuid2 *c;
	struct regs4 r;
	uint32_t i, l3 = ~0u;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	ASSERT_NE(NULL, c);
	c->nent = 256;
	ASSERT_EQ(0, ioctl(vcpu, KVM_GET_CPUID2, c));

	/* Leaf 1: initial APIC ID, HTT, the hypervisor bit. */
	ASSERT_EQ(0, guest_cpuid(vcpu, run, 1, 0, &r));
	EXPECT_EQ(apic, r.ebx >> 24);
	ASSERT_NE(NULL, find(c, 1, 0));
	EXPECT_EQ(apic, find(c, 1, 0)->ebx >> 24);
	if (!self->rewrites_leaf1) {
		EXPECT_EQ(per_pkg > 1, !!(r.edx & (1u << 28)));
		EXPECT_TRUE(r.ecx & (1u << 31));
	}

	ASSERT_EQ(0, guest_cpuid(vcpu, run, 0, 0, &r));
	EXPECT_LE(0xb, r.eax);

	/* 0xb: SMT level then core (package) level, x2APIC ID in EDX. */
	ASSERT_EQ(0, guest_cpuid(vcpu, run, 0xb, 0, &r));
	EXPECT_EQ(tb, r.eax & 0x1f);
	EXPECT_EQ(t->threads, r.ebx & 0xffff);
	EXPECT_EQ(0x100u, r.ecx & 0xff00);
	EXPECT_EQ(apic, r.edx);
	ASSERT_EQ(0, guest_cpuid(vcpu, run, 0xb, 1, &r));
	EXPECT_EQ(pkg_shift, r.eax & 0x1f);
	EXPECT_EQ(per_pkg, r.ebx & 0xffff);
	EXPECT_EQ(0x201u, r.ecx & 0xffff);
	EXPECT_EQ(apic, r.edx);
	ASSERT_EQ(0, guest_cpuid(vcpu, run, 0xb, 2, &r));
	EXPECT_EQ(0, r.ebx);
	EXPECT_EQ(0, r.ecx & 0xff00);
	EXPECT_EQ(apic, r.edx);

	/* Cache leaves: L3 shared by the LLC's APIC IDs, L1/L2 by a core's. */
	for (i = 0; i < 8; i++) {
		uint32_t share;

		ASSERT_EQ(0, guest_cpuid(vcpu, run, cache_leaf, i, &r));
		if (!(r.eax & 0x1f))
			break;
		share = (r.eax >> 14 & 0xfff) + 1;
		if ((r.eax >> 5 & 7) == 3) {
			l3 = i;
			EXPECT_EQ(llc_shift, count_order(share));
		} else {
			EXPECT_EQ(tb, count_order(share));
		}
	}
	EXPECT_EQ(4, i);
	EXPECT_EQ(3, l3);

	if (amd) {
		ASSERT_EQ(0, guest_cpuid(vcpu, run, 0x80000001, 0, &r));
		EXPECT_TRUE(r.ecx & (1u << 22));	/* TOPOEXT */
		ASSERT_EQ(0, guest_cpuid(vcpu, run, 0x80000006, 0, &r));
		EXPECT_NE(0, r.edx);			/* an L3 exists */
		ASSERT_EQ(0, guest_cpuid(vcpu, run, 0x80000008, 0, &r));
		EXPECT_EQ(pkg_shift, r.ecx >> 12 & 0xf);
		EXPECT_EQ(per_pkg - 1, r.ecx & 0xff);
		ASSERT_EQ(0, guest_cpuid(vcpu, run, 0x8000001e, 0, &r));
		EXPECT_EQ(apic, r.eax);
		EXPECT_EQ(t->threads - 1, r.ebx >> 8 & 0xff);
		/* Linux's core ID: unique in the package, same for siblings. */
		EXPECT_EQ(apic >> tb & ((1u << (pkg_shift - tb)) - 1),
			  r.ebx & 0xff);
		/* Node ID = LLC: Linux's LLC ID before family 0x17. */
		EXPECT_EQ(apic >> llc_shift, r.ecx & 0xff);
		EXPECT_EQ(0, r.ecx >> 8 & 7);
	}
	free(c);
}

static void check_topology(struct __test_metadata *_metadata,
			   FIXTURE_DATA(kvm) *self, const char *spec)
{
	struct ktstr_topology t;
	char err[256];
	uint32_t nr;

	ASSERT_EQ(0, ktstr_topology__parse(spec, &t, err, sizeof(err)));
	nr = ktstr_topology__nr_cpus(&t);
	for (uint32_t cpu = 0; cpu < nr; cpu++) {
		uint32_t apic = ktstr_topology__apic_id(&t, cpu);
		struct kvm_run *run;
		int vcpu;

		/* The VMM's rule: the KVM vCPU id is the APIC ID. */
		vcpu = ioctl(self->vm, KVM_CREATE_VCPU, (unsigned long)apic);
		ASSERT_LE(0, vcpu) {
			TH_LOG("%s vCPU %u (APIC ID %u): %s", spec, cpu, apic,
			       strerror(errno));
		}
		run = mmap(NULL, self->run_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, vcpu, 0);
		ASSERT_NE(MAP_FAILED, run);
		ASSERT_EQ(0, ktstr_cpuid__setup(self->kvm, vcpu, &t, cpu));
		check_vcpu(_metadata, self, &t, cpu, vcpu, run);
		/* Again after KVM_RUN: KVM accepts only the same table. */
		if (!self->rewrites_leaf1)
			EXPECT_EQ(0, ktstr_cpuid__setup(self->kvm, vcpu, &t, cpu));
		munmap(run, self->run_size);
		close(vcpu);
	}
}

TEST_F(kvm, cpuid_1n2l2c2t)
{
	TH_LOG("host vendor %s",
	       self->vendor == KTSTR_CPU_VENDOR_AMD ? "AMD" :
	       self->vendor == KTSTR_CPU_VENDOR_INTEL ? "Intel" : "other");
	check_topology(_metadata, self, "1n2l2c2t");
}

TEST_F(kvm, cpuid_2n3l3c1t)
{
	check_topology(_metadata, self, "2n3l3c1t");
}

TEST_F(kvm, cpuid_single)
{
	check_topology(_metadata, self, "1n1l1c1t");
}

TEST_F(kvm, cpuid_bad)
{
	struct ktstr_topology t = { 1, 1, 2, 1 };
	int vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);

	ASSERT_LE(0, vcpu);
	EXPECT_EQ(-EINVAL, ktstr_cpuid__setup(self->kvm, vcpu, &t, 2));
	t.cores = 0;
	EXPECT_EQ(-EINVAL, ktstr_cpuid__setup(self->kvm, vcpu, &t, 0));
	close(vcpu);
}

TEST_HARNESS_MAIN
