// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-memory accessor (user/vmm/{guest_mem,pgtable,ksyms,
 * guest_kernel,guest_btf}.c), host tier: no KVM needed.
 *
 * Page tables are real x86-64 tables the test builds in a synthetic guest
 * RAM (two host buffers, not contiguous on the host, adjacent in GPA, and
 * one more above a hole); every translation is checked against the list
 * of mappings the test made, not against the walker's own logic. The
 * guest kernel tests lay out a kernel image (banner, init_top_pgt,
 * __per_cpu_offset) at a physical and virtual KASLR offset of the test's
 * choosing and check detection finds exactly those. Symbols and BTF come
 * from this machine's real files where they exist, compared with nm and
 * bpftool.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/btf.h>

#include <ktstr/guest_mem.h>
#include <ktstr/ksyms.h>

#include "kselftest_harness.h"

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define MiB	0x100000ULL

/* GPA layout: [0, 32M) and [32M, 64M) from two host buffers, [4G, 4G+2M). */
#define RAM_A		0ULL
#define RAM_B		(32 * MiB)
#define RAM_LEN		(32 * MiB)
#define RAM_HI		0x100000000ULL
#define RAM_HI_LEN	SZ_2M
/* Page tables the builder allocates come from here up. */
#define PT_POOL		(48 * MiB)

#define P_RW		0x3ULL	/* present | writable */
#define PS		0x80ULL

struct mapping {
	uint64_t va, pa, size;
};

struct img {
	void *a, *b, *hi;
	struct ktstr_guest_mem *gm;
	uint64_t pool;
	struct mapping map[64];
	int nmap;
};

static void *anon(uint64_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int img_init(struct img *im)
{
	memset(im, 0, sizeof(*im));
	im->a = anon(RAM_LEN);
	im->b = anon(RAM_LEN);
	im->hi = anon(RAM_HI_LEN);
	im->gm = ktstr_guest_mem__new();
	im->pool = PT_POOL;
	if (!im->a || !im->b || !im->hi || !im->gm)
		return -ENOMEM;
	/* Added out of order on purpose: the table must sort them. */
	if (ktstr_guest_mem__add_range(im->gm, RAM_HI, im->hi, RAM_HI_LEN) ||
	    ktstr_guest_mem__add_range(im->gm, RAM_B, im->b, RAM_LEN) ||
	    ktstr_guest_mem__add_range(im->gm, RAM_A, im->a, RAM_LEN))
		return -EINVAL;
	return 0;
}

static void img_fini(struct img *im)
{
	ktstr_guest_mem__free(im->gm);
	if (im->a)
		munmap(im->a, RAM_LEN);
	if (im->b)
		munmap(im->b, RAM_LEN);
	if (im->hi)
		munmap(im->hi, RAM_HI_LEN);
}

static uint64_t *pte(struct img *im, uint64_t gpa)
{
	return ktstr_guest_mem__ptr(im->gm, gpa, 8);
}

static uint64_t pt_alloc(struct img *im)
{
	uint64_t gpa = im->pool;

	im->pool += SZ_4K;
	memset(ktstr_guest_mem__ptr(im->gm, gpa, SZ_4K), 0, SZ_4K);
	return gpa;
}

/* Map @va to @pa with one page of @size in the tables at @root. */
static void pt_map(struct img *im, uint64_t root, bool la57, uint64_t va,
		   uint64_t pa, uint64_t size)
{
	uint64_t table = root;
	int level;

	for (level = la57 ? 5 : 4; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t *e = pte(im, table + ((va >> shift) & 511) * 8);

		if ((1ULL << shift) == size) {
			*e = pa | P_RW | (level > 1 ? PS : 0);
			break;
		}
		if (!(*e & 1))
			*e = pt_alloc(im) | P_RW;
		table = *e & KTSTR_PT_ADDR_MASK;
	}
	im->map[im->nmap++] = (struct mapping){ va, pa, size };
}

/* The model: what @va should translate to, from the mappings made. */
static bool model(const struct img *im, uint64_t va, uint64_t *pa,
		  uint64_t *size)
{
	int i;

	for (i = 0; i < im->nmap; i++) {
		const struct mapping *m = &im->map[i];

		if (va - m->va < m->size) {
			*pa = m->pa + (va - m->va);
			*size = m->size;
			return true;
		}
	}
	return false;
}

static uint64_t rnd64(uint64_t *s)
{
	/* xorshift64*: reproducible probes without libc's rand() state. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t sext(uint64_t va, bool la57)
{
	unsigned int bits = la57 ? 57 : 48;

	return (uint64_t)((int64_t)(va << (64 - bits)) >> (64 - bits));
}

/* ---- GPA ranges ------------------------------------------------------- */

TEST(guest_mem_ranges)
{
	struct img im;
	unsigned char buf[64], *p;
	uint64_t gpa, len;
	int i;

	ASSERT_EQ(0, img_init(&im));
	ASSERT_EQ(3, ktstr_guest_mem__nr_ranges(im.gm));
	ASSERT_EQ(0, ktstr_guest_mem__range(im.gm, 0, &gpa, &len));
	EXPECT_EQ(RAM_A, gpa);
	ASSERT_EQ(0, ktstr_guest_mem__range(im.gm, 2, &gpa, &len));
	EXPECT_EQ(RAM_HI, gpa);
	EXPECT_EQ(RAM_HI_LEN, len);
	EXPECT_EQ(-ENOENT, ktstr_guest_mem__range(im.gm, 3, &gpa, &len));

	/* Bad ranges. */
	EXPECT_EQ(-EEXIST, ktstr_guest_mem__add_range(im.gm, RAM_B - 1, buf, 2));
	EXPECT_EQ(-EEXIST, ktstr_guest_mem__add_range(im.gm, RAM_HI + SZ_2M - 1, buf, 1));
	EXPECT_EQ(-EINVAL, ktstr_guest_mem__add_range(im.gm, 0x200000000ULL, buf, 0));
	EXPECT_EQ(-EINVAL, ktstr_guest_mem__add_range(im.gm, UINT64_MAX - 3, buf, 8));
	EXPECT_EQ(-EINVAL, ktstr_guest_mem__add_range(im.gm, 0x200000000ULL,
						       (void *)(UINTPTR_MAX - 3), 8));

	/* ptr: inside one range only. */
	p = ktstr_guest_mem__ptr(im.gm, 0x1234, 16);
	EXPECT_EQ((unsigned char *)im.a + 0x1234, p);
	EXPECT_EQ((unsigned char *)im.b, ktstr_guest_mem__ptr(im.gm, RAM_B, 1));
	EXPECT_EQ((unsigned char *)im.a + RAM_LEN - 8,
		  ktstr_guest_mem__ptr(im.gm, RAM_B - 8, 8));
	errno = 0;
	EXPECT_EQ(NULL, ktstr_guest_mem__ptr(im.gm, RAM_B - 8, 9));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(NULL, ktstr_guest_mem__ptr(im.gm, 64 * MiB, 1));
	EXPECT_EQ(NULL, ktstr_guest_mem__ptr(im.gm, RAM_HI - 1, 2));
	EXPECT_EQ(NULL, ktstr_guest_mem__ptr(im.gm, 0x10, UINT64_MAX));
	EXPECT_EQ(NULL, ktstr_guest_mem__ptr(im.gm, UINT64_MAX, 1));

	/* A read across the A|B seam stitches two host buffers. */
	for (i = 0; i < 32; i++) {
		((unsigned char *)im.a)[RAM_LEN - 32 + i] = i;
		((unsigned char *)im.b)[i] = 32 + i;
	}
	ASSERT_EQ(0, ktstr_guest_mem__read(im.gm, RAM_B - 32, buf, 64));
	for (i = 0; i < 64; i++)
		ASSERT_EQ(i, buf[i]);
	/* Into the hole after B, and wrapping: errors. */
	EXPECT_EQ(-EFAULT, ktstr_guest_mem__read(im.gm, 2 * RAM_LEN - 4, buf, 8));
	EXPECT_EQ(-EFAULT, ktstr_guest_mem__read(im.gm, UINT64_MAX - 3, buf, 8));
	EXPECT_EQ(0, ktstr_guest_mem__read(im.gm, RAM_HI + SZ_2M - 8, buf, 8));
	EXPECT_EQ(0, ktstr_guest_mem__read(im.gm, 0, buf, 0));

	/* Writes are all or nothing. */
	memset(buf, 0xab, sizeof(buf));
	EXPECT_EQ(-EFAULT, ktstr_guest_mem__write(im.gm, 2 * RAM_LEN - 4, buf, 8));
	EXPECT_EQ(0, ((unsigned char *)im.b)[RAM_LEN - 4]);
	EXPECT_EQ(0, ktstr_guest_mem__write(im.gm, RAM_B - 4, buf, 8));
	EXPECT_EQ(0xab, ((unsigned char *)im.a)[RAM_LEN - 1]);
	EXPECT_EQ(0xab, ((unsigned char *)im.b)[3]);
	EXPECT_EQ(4, ((unsigned char *)im.b)[4] - 32);
	img_fini(&im);
}

/* ---- page tables ------------------------------------------------------ */

struct pt_case {
	bool la57;
	uint64_t root;
};

/*
 * A mix of page sizes at kernel-like and user-like addresses, some of
 * them sharing upper tables, and data pages not contiguous in GPA.
 */
static void build_mix(struct img *im, uint64_t root, bool la57)
{
	uint64_t top = la57 ? 0xff11000000000000ULL : 0xffff888000000000ULL;

	pt_map(im, root, la57, top, 0, SZ_1G);			/* direct map */
	pt_map(im, root, la57, 0xffffffff81000000ULL, 16 * MiB, SZ_2M);
	pt_map(im, root, la57, 0xffffffff81200000ULL, 20 * MiB, SZ_2M);
	pt_map(im, root, la57, 0xffffffffc0001000ULL, 30 * MiB, SZ_4K);
	pt_map(im, root, la57, 0xffffffffc0002000ULL, 40 * MiB, SZ_4K); /* in B */
	pt_map(im, root, la57, 0xffffffffc0003000ULL, RAM_B - SZ_4K, SZ_4K);
	pt_map(im, root, la57, 0xffffffffc0004000ULL, RAM_B, SZ_4K);
	pt_map(im, root, la57, 0x400000, 8 * MiB, SZ_4K);
	pt_map(im, root, la57, 0x7ffffffff000ULL, RAM_HI, SZ_4K);
	/* A large page of non-RAM (MMIO-like): translates, does not read. */
	pt_map(im, root, la57, 0xffffc90000000000ULL, 0xfe000000ULL, SZ_2M);
	if (la57)	/* only 57-bit addresses can reach here */
		pt_map(im, root, la57, 0x00ff000000001000ULL, 12 * MiB, SZ_4K);
}

static void check_model(struct __test_metadata *_metadata, struct img *im,
			uint64_t root, bool la57)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int i, hits = 0;

	/* Every mapping at its first, a middle, and its last byte. */
	for (i = 0; i < im->nmap; i++) {
		const struct mapping *m = &im->map[i];
		uint64_t offs[3] = { 0, m->size / 2 + 5, m->size - 1 };
		int j;

		for (j = 0; j < 3; j++) {
			uint64_t gpa = 0, ps = 0;

			ASSERT_EQ(0, ktstr_pgtable__translate(im->gm, root, la57,
							      m->va + offs[j],
							      &gpa, &ps));
			EXPECT_EQ(m->pa + offs[j], gpa);
			EXPECT_EQ(m->size, ps);
		}
	}
	/* Random probes near the mappings and anywhere: agree with the model. */
	for (i = 0; i < 20000; i++) {
		uint64_t r = rnd64(&seed), va, gpa = 0, ps = 0, epa, eps;
		int err;

		if (i & 1) {
			const struct mapping *m = &im->map[r % im->nmap];

			va = m->va + (rnd64(&seed) % (4 * m->size)) - m->size;
		} else {
			va = sext(r, la57);
		}
		err = ktstr_pgtable__translate(im->gm, root, la57, va, &gpa, &ps);
		if (va != sext(va, la57)) {
			ASSERT_EQ(-EINVAL, err);
		} else if (model(im, va, &epa, &eps)) {
			ASSERT_EQ(0, err) TH_LOG("va %#" PRIx64, va);
			ASSERT_EQ(epa, gpa);
			ASSERT_EQ(eps, ps);
			hits++;
		} else {
			ASSERT_EQ(-EFAULT, err) TH_LOG("va %#" PRIx64, va);
		}
	}
	EXPECT_GT(hits, 3000);
}

static void check_levels(struct __test_metadata *_metadata, struct img *im,
			 uint64_t root, bool la57)
{
	struct ktstr_pgtable_walk w;

	/* Nothing mapped in that top-level slot. */
	EXPECT_EQ(-EFAULT, ktstr_pgtable__walk(im->gm, root, la57,
					       sext(0x0000500000000000ULL, la57), &w));
	EXPECT_EQ(4, w.level);
	/* PML4 slot of the kernel map present, PDPT entry not. */
	EXPECT_EQ(-EFAULT, ktstr_pgtable__walk(im->gm, root, la57,
					       0xffffffff00000000ULL, &w));
	EXPECT_EQ(3, w.level);
	EXPECT_NE(0, w.entry[4] & 1);
	/* PD present (kernel text), this 2 MiB slot not. */
	EXPECT_EQ(-EFAULT, ktstr_pgtable__walk(im->gm, root, la57,
					       0xffffffff81400000ULL, &w));
	EXPECT_EQ(2, w.level);
	/* PT present, this 4 KiB slot not. */
	EXPECT_EQ(-EFAULT, ktstr_pgtable__walk(im->gm, root, la57,
					       0xffffffffc0005000ULL, &w));
	EXPECT_EQ(1, w.level);
	EXPECT_EQ(0, w.entry[1]);
	/* The 4 KiB leaf's entry, as read. */
	ASSERT_EQ(0, ktstr_pgtable__walk(im->gm, root, la57,
					 0xffffffffc0001000ULL, &w));
	EXPECT_EQ(1, w.level);
	EXPECT_EQ(30 * MiB | P_RW, w.entry[1]);
}

static void check_reads(struct __test_metadata *_metadata, struct img *im,
			uint64_t root, bool la57)
{
	unsigned char buf[SZ_4K + 64];
	uint64_t v;
	int i;

	/* Tag the pages behind 0xffffffffc0001000.. */
	memset(ktstr_guest_mem__ptr(im->gm, 30 * MiB, SZ_4K), 0x11, SZ_4K);
	memset(ktstr_guest_mem__ptr(im->gm, 40 * MiB, SZ_4K), 0x22, SZ_4K);
	memset(ktstr_guest_mem__ptr(im->gm, RAM_B - SZ_4K, SZ_4K), 0x33, SZ_4K);
	memset(ktstr_guest_mem__ptr(im->gm, RAM_B, SZ_4K), 0x44, SZ_4K);

	/* Straddling two 4 KiB pages far apart in GPA. */
	ASSERT_EQ(0, ktstr_pgtable__read_va(im->gm, root, la57,
					    0xffffffffc0001ff8ULL, buf, 16));
	for (i = 0; i < 16; i++)
		ASSERT_EQ(i < 8 ? 0x11 : 0x22, buf[i]);
	/* Three pages, the last two on either side of the RAM A|B seam. */
	ASSERT_EQ(0, ktstr_pgtable__read_va(im->gm, root, la57,
					    0xffffffffc0002fe0ULL, buf,
					    SZ_4K + 64));
	EXPECT_EQ(0x22, buf[0]);
	EXPECT_EQ(0x33, buf[32]);
	EXPECT_EQ(0x33, buf[SZ_4K + 31]);
	EXPECT_EQ(0x44, buf[SZ_4K + 32]);
	/* A 1 GiB page over the seam: one translation, two host buffers. */
	ASSERT_EQ(0, ktstr_pgtable__read_va(im->gm, root, la57,
					    (la57 ? 0xff11000000000000ULL :
						    0xffff888000000000ULL) +
					    RAM_B - 8, buf, 16));
	EXPECT_EQ(0x33, buf[0]);
	EXPECT_EQ(0x44, buf[8]);
	/* Mapped into unmapped: an error, not a partial success. */
	EXPECT_EQ(-EFAULT, ktstr_pgtable__read_va(im->gm, root, la57,
						  0xffffffffc0004ff8ULL, buf, 16));
	/* Mapped, but the GPA is not RAM. */
	EXPECT_EQ(-EFAULT, ktstr_pgtable__read_va(im->gm, root, la57,
						  0xffffc90000000000ULL, &v, 8));
	/* Non-canonical, and wrapping around 2^64. */
	EXPECT_EQ(-EINVAL, ktstr_pgtable__read_va(im->gm, root, la57,
						  la57 ? 0x0100000000000000ULL :
							 0x0000800000000000ULL,
						  &v, 8));
	EXPECT_EQ(-EFAULT, ktstr_pgtable__read_va(im->gm, root, la57,
						  UINT64_MAX - 3, &v, 8));
	/* The user page above the hole. */
	memcpy(im->hi, "hole", 4);
	ASSERT_EQ(0, ktstr_pgtable__read_va(im->gm, root, la57,
					    0x7ffffffff000ULL, buf, 4));
	EXPECT_EQ(0, memcmp(buf, "hole", 4));
}

TEST(pgtable_4level)
{
	struct img im;
	uint64_t root, gpa;

	ASSERT_EQ(0, img_init(&im));
	root = pt_alloc(&im);
	build_mix(&im, root, false);
	check_model(_metadata, &im, root, false);
	check_levels(_metadata, &im, root, false);
	check_reads(_metadata, &im, root, false);

	/* Canonical edges of 48-bit addresses. */
	EXPECT_EQ(-EINVAL, ktstr_pgtable__translate(im.gm, root, false,
						    0x0000800000000000ULL, &gpa, NULL));
	EXPECT_EQ(-EINVAL, ktstr_pgtable__translate(im.gm, root, false,
						    0xffff7fffffffffffULL, &gpa, NULL));
	EXPECT_EQ(-EFAULT, ktstr_pgtable__translate(im.gm, root, false,
						    0x00007fffffffefffULL, &gpa, NULL));
	/* CR3 bits that are not the address: PCID, PWT/PCD, no-flush. */
	ASSERT_EQ(0, ktstr_pgtable__translate(im.gm, root | 0x8000000000000fffULL,
					      false, 0xffffffff81000123ULL,
					      &gpa, NULL));
	EXPECT_EQ(16 * MiB + 0x123, gpa);
	img_fini(&im);
}

TEST(pgtable_5level)
{
	struct img im;
	uint64_t root, gpa, ps;

	ASSERT_EQ(0, img_init(&im));
	root = pt_alloc(&im);
	build_mix(&im, root, true);
	check_model(_metadata, &im, root, true);
	check_levels(_metadata, &im, root, true);
	check_reads(_metadata, &im, root, true);

	/* 57-bit addresses: canonical here, not under 4 levels. */
	ASSERT_EQ(0, ktstr_pgtable__translate(im.gm, root, true,
					      0x00ff000000001abcULL, &gpa, &ps));
	EXPECT_EQ(12 * MiB + 0xabc, gpa);
	EXPECT_EQ(-EINVAL, ktstr_pgtable__translate(im.gm, root, false,
						    0x00ff000000001abcULL, &gpa, NULL));
	EXPECT_EQ(-EINVAL, ktstr_pgtable__translate(im.gm, root, true,
						    0x0100000000000000ULL, &gpa, NULL));
	EXPECT_EQ(-EINVAL, ktstr_pgtable__translate(im.gm, root, true,
						    0xfeffffffffffffffULL, &gpa, NULL));
	img_fini(&im);
}

TEST(pgtable_hostile)
{
	struct ktstr_pgtable_walk w;
	struct img im;
	uint64_t root, gpa, ps, t;
	unsigned char b;

	ASSERT_EQ(0, img_init(&im));
	root = pt_alloc(&im);

	/* A table pointer past the end of RAM, at each level. */
	*pte(&im, root + 8 * 1) = 0xdead000ULL | 0x000ff00000000000ULL | P_RW;
	EXPECT_EQ(-ENXIO, ktstr_pgtable__walk(im.gm, root, false,
					      1ULL << 39, &w));
	EXPECT_EQ(3, w.level);
	t = pt_alloc(&im);
	*pte(&im, root + 8 * 2) = t | P_RW;
	*pte(&im, t) = (64 * MiB) | P_RW;	/* the hole after RAM B */
	EXPECT_EQ(-ENXIO, ktstr_pgtable__walk(im.gm, root, false,
					      2ULL << 39, &w));
	EXPECT_EQ(2, w.level);
	/* The root itself outside RAM. */
	EXPECT_EQ(-ENXIO, ktstr_pgtable__translate(im.gm, 0x7ffff000ULL, false,
						   0, &gpa, NULL));
	EXPECT_EQ(-ENXIO, ktstr_pgtable__translate(im.gm, KTSTR_PT_ADDR_MASK, true,
						   0, &gpa, NULL));

	/* A loop: PML4[0] is the root. Four steps, then a 4 KiB "page". */
	*pte(&im, root) = root | P_RW;
	ASSERT_EQ(0, ktstr_pgtable__translate(im.gm, root, false, 0x10, &gpa, &ps));
	EXPECT_EQ(root + 0x10, gpa);
	EXPECT_EQ(SZ_4K, ps);
	ASSERT_EQ(0, ktstr_pgtable__translate(im.gm, root, true, 0x10, &gpa, &ps));
	EXPECT_EQ(root + 0x10, gpa);
	/* Through the loop the bad slot 1 is read as a PT, then a leaf. */
	EXPECT_EQ(-ENXIO, ktstr_pgtable__translate(im.gm, root, false,
						   1ULL << 21, &gpa, NULL));
	ASSERT_EQ(0, ktstr_pgtable__translate(im.gm, root, false, 1ULL << 12,
					      &gpa, NULL));
	EXPECT_EQ(0x000ff0000dead000ULL, gpa);

	/* PS where it is reserved, and reserved bits under a large page. */
	*pte(&im, root + 8 * 3) = SZ_1G | PS | P_RW;
	EXPECT_EQ(-EBADMSG, ktstr_pgtable__walk(im.gm, root, false, 3ULL << 39, &w));
	EXPECT_EQ(4, w.level);
	t = pt_alloc(&im);
	*pte(&im, root + 8 * 4) = t | P_RW;
	*pte(&im, t) = (SZ_1G + SZ_2M) | PS | P_RW;		/* 1 GiB, bit 21 */
	EXPECT_EQ(-EBADMSG, ktstr_pgtable__translate(im.gm, root, false,
						     4ULL << 39, &gpa, NULL));
	*pte(&im, t) = SZ_1G | 0x1000 | PS | P_RW;		/* PAT bit: fine */
	ASSERT_EQ(0, ktstr_pgtable__translate(im.gm, root, false,
					      (4ULL << 39) + 5, &gpa, &ps));
	EXPECT_EQ(SZ_1G + 5, gpa);
	EXPECT_EQ(SZ_1G, ps);
	/* NX and the ignored high bits do not leak into the address. */
	*pte(&im, t) = 0xfff0000000000000ULL | (2 * MiB * 0) | PS | P_RW;
	ASSERT_EQ(0, ktstr_pgtable__translate(im.gm, root, false,
					      (4ULL << 39) + 7, &gpa, NULL));
	EXPECT_EQ(7, gpa);
	/* Not-present entries with junk in them are still not present. */
	*pte(&im, t + 8) = 0xfffffffffffffffeULL;
	EXPECT_EQ(-EFAULT, ktstr_pgtable__walk(im.gm, root, false,
					       (4ULL << 39) + SZ_1G, &w));
	EXPECT_EQ(3, w.level);
	EXPECT_EQ(0xfffffffffffffffeULL, w.entry[3]);
	/* A 1 GiB page of junk address: translates, never reads. */
	*pte(&im, t + 16) = 0x000fffffc0000000ULL | PS | P_RW;
	EXPECT_EQ(-EFAULT, ktstr_pgtable__read_va(im.gm, root, false,
						  (4ULL << 39) + 2 * SZ_1G, &b, 1));

	/* Nonsense arguments. */
	EXPECT_EQ(-EINVAL, ktstr_pgtable__translate(NULL, root, false, 0, &gpa, NULL));
	EXPECT_EQ(-EINVAL, ktstr_pgtable__read_va(im.gm, root, false, 0, NULL, 1));
	img_fini(&im);
}

/* ---- symbols ---------------------------------------------------------- */

static char tmpdir[64];

/* Write @text to a file in a private temporary directory; its path. */
static const char *write_tmp(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	if (!tmpdir[0] || access(tmpdir, F_OK)) {
		strcpy(tmpdir, "/tmp/guest_mem_test.XXXXXX");
		if (!mkdtemp(tmpdir))
			return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

static void rm_tmp(const char *path)
{
	unlink(path);
	rmdir(tmpdir);
}

TEST(ksyms_malformed_map)
{
	static const char text[] =
		"ffffffff81000000 T _text\n"
		"ffffffff81000000 T _stext\n"
		"\n"
		"garbage\n"
		"ffffffff81001000 t cleanup\n"
		"ffffffff81000 \n"			/* no type, no name */
		"ffffffff81002000 T\n"			/* no name */
		"1ffffffff81003000 T too_long_addr\n"	/* 17 digits */
		"ffffffff8100zz00 T bad_hex\n"
		"ffffffff81004000 TT two_letter_type\n"
		"ffffffff81005000 T name with spaces\n"
		"ffffffffa0000000 t cleanup\t[some_module]\n"
		"ffffffffa0001000 t unterminated\t[mod\n"
		"ffffffff81006000 D linux_banner\r\n"
		"0000000000001a40 D runqueues\n"
		"ffffffffffffffff B The real System.map is in the linux-image-x-dbg package\n"
		"FFFFFFFF81008000 r upper_hex";		/* no final newline */
	static const char stub[] =
		"ffffffffffffffff B The real System.map is in the linux-image-6.1.0-57-amd64-dbg package\n";
	const struct ktstr_ksym *s;
	struct ktstr_ksyms *ks;
	uint64_t off;
	const char *path;
	size_t n;

	path = write_tmp("System.map", text);
	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, ktstr_ksyms__load_system_map(path, &ks));
	EXPECT_EQ(7, ktstr_ksyms__count(ks));
	EXPECT_EQ(10, ktstr_ksyms__skipped(ks));

	s = ktstr_ksyms__find(ks, "linux_banner");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0xffffffff81006000ULL, s->addr);
	EXPECT_EQ('D', s->type);
	EXPECT_EQ(0, s->size);
	s = ktstr_ksyms__find(ks, "upper_hex");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0xffffffff81008000ULL, s->addr);
	EXPECT_EQ(NULL, ktstr_ksyms__find(ks, "bad_hex"));
	EXPECT_EQ(NULL, ktstr_ksyms__find(ks, "name"));
	EXPECT_EQ(NULL, ktstr_ksyms__find(ks, "unterminated"));
	errno = 0;
	EXPECT_EQ(NULL, ktstr_ksyms__find(ks, "nope"));
	EXPECT_EQ(ENOENT, errno);

	/* Duplicates: first in file order, and all of them in order. */
	s = ktstr_ksyms__find_all(ks, "cleanup", &n);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(2, n);
	EXPECT_EQ(0xffffffff81001000ULL, s[0].addr);
	EXPECT_EQ(0xffffffffa0000000ULL, s[1].addr);
	EXPECT_EQ(s, ktstr_ksyms__find(ks, "cleanup"));

	/* Address to symbol: equal addresses give the first in file order. */
	s = ktstr_ksyms__addr_lookup(ks, 0xffffffff81000010ULL, &off);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("_text", s->name);
	EXPECT_EQ(0x10, off);
	s = ktstr_ksyms__addr_lookup(ks, 0xffffffff81006fffULL, &off);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("linux_banner", s->name);
	EXPECT_EQ(0xfff, off);
	s = ktstr_ksyms__addr_lookup(ks, 0x1a40, &off);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("runqueues", s->name);
	EXPECT_EQ(NULL, ktstr_ksyms__addr_lookup(ks, 0x1a3f, &off));
	ktstr_ksyms__free(ks);

	/* Debian's placeholder has no symbol at all. */
	path = write_tmp("System.map", stub);
	ASSERT_NE(NULL, path);
	EXPECT_EQ(-ENODATA, ktstr_ksyms__load(path, &ks));
	path = write_tmp("System.map", "");
	EXPECT_EQ(-ENODATA, ktstr_ksyms__load_system_map(path, &ks));
	EXPECT_EQ(-ENOEXEC, ktstr_ksyms__load_elf(path, &ks));
	rm_tmp(path);
	EXPECT_EQ(-ENOENT, ktstr_ksyms__load("/nonexistent/System.map", &ks));
}

/* A "real" table: sanity of well-known kernel symbols, when present. */
static void check_kernel_syms(struct __test_metadata *_metadata,
			      const struct ktstr_ksyms *ks, bool text_only)
{
	static const struct {
		const char *name;
		const char *types;
		bool data;
	} want[] = {
		{ "_text", "Tt", false },
		{ "_stext", "Tt", false },
		{ "schedule", "Tt", false },
		{ "linux_banner", "DdRr", true },
		{ "init_task", "DdRr", true },
		{ "__per_cpu_offset", "DdRrBb", true },
		{ "init_top_pgt", "DdRr", true },
	};
	const struct ktstr_ksym *text = ktstr_ksyms__find(ks, "_text");
	size_t i;

	ASSERT_NE(NULL, text);
	EXPECT_GE(text->addr, KTSTR_START_KERNEL_MAP);
	EXPECT_EQ(0, text->addr & (SZ_2M - 1));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct ktstr_ksym *s = ktstr_ksyms__find(ks, want[i].name);
		uint64_t off;

		if (!s && want[i].data && text_only)
			continue;
		ASSERT_NE(NULL, s) TH_LOG("%s missing", want[i].name);
		EXPECT_NE(NULL, strchr(want[i].types, s->type))
			TH_LOG("%s has type %c", s->name, s->type);
		/* Inside the 1 GiB kernel image window, after _text. */
		EXPECT_GE(s->addr, text->addr);
		EXPECT_LT(s->addr, text->addr + SZ_1G);
		EXPECT_NE(NULL, ktstr_ksyms__addr_lookup(ks, s->addr + 1, &off));
	}
}

TEST(ksyms_system_map_real)
{
	struct ktstr_ksyms *ks;
	struct utsname u;
	char path[300], line[256];
	FILE *f;
	int err;

	ASSERT_EQ(0, uname(&u));
	snprintf(path, sizeof(path), "/boot/System.map-%s", u.release);
	if (access(path, R_OK)) {
		/* The guest tier boots Debian's kernel, not necessarily the host's. */
		FILE *p = popen("ls /boot/System.map-* 2>/dev/null | head -1", "r");

		path[0] = '\0';
		if (p) {
			if (fgets(path, sizeof(path), p))
				path[strcspn(path, "\n")] = '\0';
			pclose(p);
		}
	}
	if (!path[0] || access(path, R_OK))
		SKIP(return, "no readable /boot/System.map-*");
	err = ktstr_ksyms__load(path, &ks);
	if (err == -ENODATA) {
		f = fopen(path, "r");
		line[0] = '\0';
		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		ASSERT_NE(NULL, strstr(line, "System.map")) TH_LOG("%s", line);
		SKIP(return, "%s is a placeholder with no symbols: \"%s\"", path,
		     line);
	}
	ASSERT_EQ(0, err);
	EXPECT_GT(ktstr_ksyms__count(ks), 10000);
	check_kernel_syms(_metadata, ks, false);
	ktstr_ksyms__free(ks);
}

/*
 * The running kernel's /proc/kallsyms, the same format: the real data a
 * guest's System.map substitute would be. Compared line by line with a
 * plain sscanf() reading of the same file.
 */
TEST(ksyms_kallsyms_real)
{
	const struct ktstr_ksym *s;
	struct ktstr_ksyms *ks;
	char line[512], name[256], type;
	unsigned long long addr;
	size_t lines = 0, checked = 0;
	FILE *f;

	ASSERT_EQ(0, ktstr_ksyms__load("/proc/kallsyms", &ks));
	s = ktstr_ksyms__find(ks, "_text");
	ASSERT_NE(NULL, s);
	if (!s->addr) {
		ktstr_ksyms__free(ks);
		SKIP(return, "/proc/kallsyms hides addresses (kptr_restrict or not root)");
	}
	check_kernel_syms(_metadata, ks, true);

	f = fopen("/proc/kallsyms", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		size_t n, i;
		bool found = false;

		lines++;
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		/* Every 97th line: enough spread, fast under valgrind. */
		if (lines % 97)
			continue;
		s = ktstr_ksyms__find_all(ks, name, &n);
		ASSERT_NE(NULL, s) TH_LOG("%s", name);
		for (i = 0; i < n; i++)
			found |= s[i].addr == addr && s[i].type == type;
		ASSERT_TRUE(found) TH_LOG("%s", line);
		checked++;
	}
	fclose(f);
	/* kallsyms may grow between the two reads (modules); not shrink much. */
	EXPECT_GE(ktstr_ksyms__count(ks) + 1000, lines);
	EXPECT_GT(checked, 100);
	ktstr_ksyms__free(ks);
}

/* Compare the ELF symtab of @path with `nm --defined-only`. */
static void check_elf_vs_nm(struct __test_metadata *_metadata, const char *path)
{
	struct ktstr_ksyms *ks;
	char cmd[512], line[1024], name[512], type;
	unsigned long long addr;
	size_t nm_syms = 0;
	FILE *p;

	ASSERT_EQ(0, ktstr_ksyms__load(path, &ks)) TH_LOG("%s", path);
	snprintf(cmd, sizeof(cmd), "nm --defined-only '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		const struct ktstr_ksym *s;
		bool found = false;
		size_t n, i;

		if (sscanf(line, "%llx %c %511s", &addr, &type, name) != 3)
			continue;
		nm_syms++;
		s = ktstr_ksyms__find_all(ks, name, &n);
		ASSERT_NE(NULL, s) TH_LOG("%s: %s", path, line);
		for (i = 0; i < n; i++)
			found |= s[i].addr == addr && s[i].type == type;
		EXPECT_TRUE(found) TH_LOG("%s: nm says %s, first of %zu is %c %#" PRIx64,
					  path, line, n, s->type, s->addr);
	}
	pclose(p);
	if (!nm_syms) {
		ktstr_ksyms__free(ks);
		SKIP(return, "nm printed nothing for %s", path);
	}
	EXPECT_EQ(nm_syms, ktstr_ksyms__count(ks));
	ktstr_ksyms__free(ks);
}

TEST(ksyms_elf_vs_nm)
{
	char self[4096];
	ssize_t n;

	if (system("nm --version >/dev/null 2>&1"))
		SKIP(return, "nm (binutils) not installed");
	/* This test program: a -g build with every kind of symbol. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_GT(n, 0);
	self[n] = '\0';
	check_elf_vs_nm(_metadata, self);
	/* A BPF object, when the build made one beside us. */
	if (!access("render_types.bpf.o", R_OK))
		check_elf_vs_nm(_metadata, "render_types.bpf.o");
	else if (!access("selftests/render_types.bpf.o", R_OK))
		check_elf_vs_nm(_metadata, "selftests/render_types.bpf.o");
}

/* ---- a synthetic guest kernel ----------------------------------------- */

#define TEXT_MAP	0xffffffff81000000ULL
#define BANNER_OFF	0x200100ULL
#define PGT_OFF		0x400000ULL
#define PCPU_OFFS_OFF	0x403000ULL
#define NR_CPU_IDS_OFF	0x404000ULL
#define RQ_SYM		0x1a40ULL
#define PCPU_AREA	(56 * MiB)
#define NCPU		4

static const char kernel_map[] =
	"0000000000000000 D __per_cpu_start\n"
	"0000000000001a40 D runqueues\n"
	"0000000000002000 D __per_cpu_end\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 T startup_64\n"
	"ffffffff81200100 D linux_banner\n"
	"ffffffff81400000 D init_top_pgt\n"
	"ffffffff81403000 D __per_cpu_offset\n"
	"ffffffff81404000 D nr_cpu_ids\n"
	"ffffffff81800000 D unmapped_sym\n";

static const char banner[] = "Linux version 6.1.0-ktstr (test@host) #1 SMP";

struct kcase {
	uint64_t load;		/* physical load address */
	uint64_t voff;		/* KASLR virtual offset */
	bool la57;
};

static uint64_t page_offset(bool la57)
{
	return la57 ? 0xff11000000000000ULL : 0xffff888000000000ULL;
}

/*
 * Lay out a kernel as head64.c leaves it: the image at @c->load, mapped
 * at TEXT_MAP + voff with 2 MiB pages by init_top_pgt, a direct map, and
 * per-CPU areas in the direct map. Returns the root's GPA.
 */
static uint64_t build_kernel(struct img *im, const struct kcase *c)
{
	uint64_t root = c->load + PGT_OFF, off;
	int cpu;

	memset(ktstr_guest_mem__ptr(im->gm, root, 2 * SZ_4K), 0, 2 * SZ_4K);
	for (off = 0; off < 6 * MiB; off += SZ_2M)
		pt_map(im, root, c->la57, TEXT_MAP + c->voff + off,
		       c->load + off, SZ_2M);
	pt_map(im, root, c->la57, page_offset(c->la57), 0, SZ_1G);
	ktstr_guest_mem__write(im->gm, c->load + BANNER_OFF, banner, sizeof(banner));
	for (cpu = 0; cpu < NCPU; cpu++) {
		uint64_t area = PCPU_AREA + cpu * 0x10000ULL;
		uint64_t pcpu_off = page_offset(c->la57) + area;
		uint64_t val = 0x1000 + cpu;

		ktstr_guest_mem__write(im->gm, c->load + PCPU_OFFS_OFF + cpu * 8,
				       &pcpu_off, 8);
		ktstr_guest_mem__write(im->gm, area + RQ_SYM, &val, 8);
	}
	ktstr_guest_mem__write(im->gm, c->load + NR_CPU_IDS_OFF,
			       &(uint32_t){ NCPU }, 4);
	return root;
}

static void check_kernel(struct __test_metadata *_metadata, struct img *im,
			 const struct ktstr_ksyms *ks, const struct kcase *c,
			 const struct ktstr_guest_kernel_opts *opts)
{
	struct ktstr_guest_kernel *k;
	char buf[sizeof(banner)];
	uint64_t va, gpa, v;
	unsigned int n;
	int cpu;

	ASSERT_EQ(0, ktstr_guest_kernel__new(im->gm, ks, opts, &k));
	EXPECT_EQ(c->voff, ktstr_guest_kernel__kaslr_offset(k));
	EXPECT_EQ(c->la57, ktstr_guest_kernel__la57(k));
	EXPECT_EQ(c->load + PGT_OFF, ktstr_guest_kernel__root(k));
	EXPECT_EQ(c->load - (TEXT_MAP + c->voff - KTSTR_START_KERNEL_MAP),
		  ktstr_guest_kernel__phys_base(k));

	ASSERT_EQ(0, ktstr_guest_kernel__sym_addr(k, "linux_banner", &va));
	EXPECT_EQ(TEXT_MAP + BANNER_OFF + c->voff, va);
	ASSERT_EQ(0, ktstr_guest_kernel__va_to_gpa(k, va, &gpa));
	EXPECT_EQ(c->load + BANNER_OFF, gpa);
	/* __pa_symbol() agrees with the walk. */
	EXPECT_EQ(gpa, va - KTSTR_START_KERNEL_MAP + ktstr_guest_kernel__phys_base(k));
	ASSERT_EQ(0, ktstr_guest_kernel__read_sym(k, "linux_banner", buf, sizeof(buf)));
	EXPECT_STREQ(banner, buf);
	ASSERT_EQ(0, ktstr_guest_kernel__mem_read(k, va, buf, 8));
	EXPECT_EQ(0, memcmp(buf, "Linux ve", 8));

	/* Per-CPU symbols are absolute: KASLR leaves them alone. */
	ASSERT_EQ(0, ktstr_guest_kernel__sym_addr(k, "runqueues", &va));
	EXPECT_EQ(RQ_SYM, va);
	ASSERT_EQ(0, ktstr_guest_kernel__nr_cpu_ids(k, &n));
	EXPECT_EQ(NCPU, n);
	for (cpu = 0; cpu < NCPU; cpu++) {
		ASSERT_EQ(0, ktstr_guest_kernel__percpu_addr(k, RQ_SYM, cpu, &va));
		EXPECT_EQ(page_offset(c->la57) + PCPU_AREA + cpu * 0x10000ULL + RQ_SYM, va);
		ASSERT_EQ(0, ktstr_guest_kernel__read_percpu(k, "runqueues", cpu, &v, 8));
		EXPECT_EQ(0x1000 + cpu, v);
	}
	EXPECT_EQ(-ERANGE, ktstr_guest_kernel__read_percpu(k, "runqueues", NCPU, &v, 8));
	EXPECT_EQ(-ERANGE, ktstr_guest_kernel__read_percpu(k, "runqueues", ~0u, &v, 8));
	EXPECT_EQ(-ENOENT, ktstr_guest_kernel__read_sym(k, "no_such_sym", &v, 8));
	EXPECT_EQ(-EFAULT, ktstr_guest_kernel__read_sym(k, "unmapped_sym", &v, 8));
	ktstr_guest_kernel__free(k);
}

TEST(guest_kernel_nokaslr)
{
	struct kcase c = { .load = 16 * MiB, .voff = 0, .la57 = false };
	struct ktstr_guest_kernel_opts o = { .sz = sizeof(o), .la57 = -1,
					     .nokaslr = true };
	struct ktstr_guest_kernel *k;
	struct ktstr_ksyms *ks;
	struct img im;
	const char *path;
	uint64_t root, v;
	unsigned int n;

	path = write_tmp("System.map", kernel_map);
	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, ktstr_ksyms__load(path, &ks));
	rm_tmp(path);
	ASSERT_EQ(0, img_init(&im));

	/* Before the kernel is in memory: not found, not a crash. */
	EXPECT_EQ(-ESRCH, ktstr_guest_kernel__new(im.gm, ks, NULL, &k));

	root = build_kernel(&im, &c);
	check_kernel(_metadata, &im, ks, &c, NULL);
	check_kernel(_metadata, &im, ks, &c, &o);
	o.cr3 = root | 0x5;	/* PCID bits */
	check_kernel(_metadata, &im, ks, &c, &o);
	/* A caller that says 5-level for a 4-level guest is not believed. */
	o.la57 = 1;
	EXPECT_EQ(-ESRCH, ktstr_guest_kernel__new(im.gm, ks, &o, &k));

	/* Hostile guest data around per-CPU reads. */
	ASSERT_EQ(0, ktstr_guest_kernel__new(im.gm, ks, NULL, &k));
	ktstr_guest_mem__write(im.gm, c.load + NR_CPU_IDS_OFF, &(uint32_t){ 0 }, 4);
	EXPECT_EQ(-EBADMSG, ktstr_guest_kernel__nr_cpu_ids(k, &n));
	ktstr_guest_mem__write(im.gm, c.load + NR_CPU_IDS_OFF, &(uint32_t){ 1u << 20 }, 4);
	EXPECT_EQ(-EBADMSG, ktstr_guest_kernel__read_percpu(k, "runqueues", 5, &v, 8));
	ktstr_guest_mem__write(im.gm, c.load + NR_CPU_IDS_OFF, &(uint32_t){ NCPU }, 4);
	ktstr_guest_mem__write(im.gm, c.load + PCPU_OFFS_OFF + 8,
			       &(uint64_t){ 0xdead000000000000ULL }, 8);
	EXPECT_EQ(-EINVAL, ktstr_guest_kernel__read_percpu(k, "runqueues", 1, &v, 8));
	ktstr_guest_mem__write(im.gm, c.load + PCPU_OFFS_OFF + 8,
			       &(uint64_t){ 0xffffc90000000000ULL }, 8);
	EXPECT_EQ(-EFAULT, ktstr_guest_kernel__read_percpu(k, "runqueues", 1, &v, 8));
	EXPECT_EQ(0, ktstr_guest_kernel__read_percpu(k, "runqueues", 2, &v, 8));
	EXPECT_EQ(0x1002, v);
	ktstr_guest_kernel__free(k);

	/* Symbols detection needs. */
	EXPECT_EQ(-EINVAL, ktstr_guest_kernel__new(NULL, ks, NULL, &k));
	img_fini(&im);
	ktstr_ksyms__free(ks);
}

TEST(guest_kernel_kaslr)
{
	/* Straddles the A|B seam; virtual offset 484 MiB; 5-level paging. */
	struct kcase c = { .load = 28 * MiB, .voff = 0x1e400000ULL, .la57 = true };
	struct ktstr_guest_kernel_opts o = { .sz = sizeof(o), .la57 = -1 };
	struct ktstr_guest_kernel *k;
	struct ktstr_ksyms *ks;
	struct img im;
	const char *path;
	uint64_t root, user;

	path = write_tmp("System.map", kernel_map);
	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, ktstr_ksyms__load(path, &ks));
	rm_tmp(path);
	ASSERT_EQ(0, img_init(&im));

	/*
	 * A decoy banner where an unrandomized kernel would have it, with no
	 * tables behind it: tried first, must be rejected.
	 */
	ktstr_guest_mem__write(im.gm, 16 * MiB + BANNER_OFF, banner, sizeof(banner));
	root = build_kernel(&im, &c);
	check_kernel(_metadata, &im, ks, &c, NULL);
	check_kernel(_metadata, &im, ks, &c, &o);

	/* Through a CR3 with PCID and no-flush bits. */
	o.cr3 = root | 0x8000000000000001ULL;
	check_kernel(_metadata, &im, ks, &c, &o);
	o.la57 = 1;
	check_kernel(_metadata, &im, ks, &c, &o);

	/* PTI: a user CR3 (kernel's + 4 KiB) maps no kernel data. */
	user = root + SZ_4K;
	o.cr3 = user | 0x801;
	o.la57 = -1;
	check_kernel(_metadata, &im, ks, &c, &o);

	/* With nokaslr claimed, a randomized kernel is not found. */
	o.cr3 = 0;
	o.nokaslr = true;
	EXPECT_EQ(-ESRCH, ktstr_guest_kernel__new(im.gm, ks, &o, &k));
	img_fini(&im);
	ktstr_ksyms__free(ks);
}

TEST(guest_kernel_missing_syms)
{
	struct ktstr_guest_kernel *k;
	struct ktstr_ksyms *ks;
	struct img im;
	const char *path;

	ASSERT_EQ(0, img_init(&im));
	path = write_tmp("System.map", "ffffffff81000000 T _text\n");
	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, ktstr_ksyms__load(path, &ks));
	EXPECT_EQ(-ENOENT, ktstr_guest_kernel__new(im.gm, ks, NULL, &k));
	ktstr_ksyms__free(ks);
	/* No root symbol: only a CR3 can work. */
	path = write_tmp("System.map", "ffffffff81000000 T _text\n"
				       "ffffffff81200100 D linux_banner\n");
	ASSERT_EQ(0, ktstr_ksyms__load(path, &ks));
	rm_tmp(path);
	EXPECT_EQ(-ENOENT, ktstr_guest_kernel__new(im.gm, ks, NULL, &k));
	EXPECT_EQ(-ESRCH, ktstr_guest_kernel__new(im.gm, ks,
		  &(struct ktstr_guest_kernel_opts){ .sz = sizeof(struct ktstr_guest_kernel_opts),
						     .cr3 = PT_POOL, .la57 = -1 }, &k));
	ktstr_ksyms__free(ks);
	img_fini(&im);
}

/* ---- BTF -------------------------------------------------------------- */

/* bits_offset of member @m of struct @s as bpftool prints it; -1: unknown. */
static long long bpftool_member_bits(const char *s, const char *m)
{
	char cmd[512], line[512];
	long long bits = -1;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "bpftool btf dump file /sys/kernel/btf/vmlinux format raw 2>/dev/null | "
		 "awk '/^\\[[0-9]+\\] STRUCT .%s. /{f=1;next} /^\\[/{f=0} "
		 "f && /^\\t.%s. /{print; exit}'", s, m);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(line, sizeof(line), p)) {
		char *b = strstr(line, "bits_offset=");

		if (b)
			bits = strtoll(b + 12, NULL, 10);
	}
	pclose(p);
	return bits;
}

TEST(btf_kernel)
{
	struct ktstr_btf_member m, m3;
	struct btf *btf;
	long long want;
	int err;

	err = ktstr_kernel_btf__load(NULL, &btf);
	if (err)
		SKIP(return, "/sys/kernel/btf/vmlinux: %s", strerror(-err));

	ASSERT_EQ(0, ktstr_btf__member_offset(btf, "task_struct.comm", &m));
	EXPECT_EQ(0, m.bit_offset % 8);
	EXPECT_EQ(16, m.size);	/* TASK_COMM_LEN */
	want = bpftool_member_bits("task_struct", "comm");
	if (want >= 0) {
		EXPECT_EQ(want, (long long)m.bit_offset);
	} else {
		TH_LOG("bpftool unavailable: offset %" PRIu64 " not cross-checked",
		       m.bit_offset / 8);
	}
	ASSERT_EQ(0, ktstr_btf__member_offset(btf, "struct task_struct.comm[3]", &m3));
	EXPECT_EQ(m.bit_offset + 24, m3.bit_offset);
	EXPECT_EQ(1, m3.size);
	EXPECT_EQ(-EINVAL, ktstr_btf__member_offset(btf, "task_struct.comm[16]", &m3));
	EXPECT_EQ(-EINVAL, ktstr_btf__member_offset(btf, "task_struct.pid[0]", &m3));
	EXPECT_EQ(-EINVAL, ktstr_btf__member_offset(btf, "task_struct..comm", &m3));
	EXPECT_EQ(-ENOENT, ktstr_btf__member_offset(btf, "task_struct.no_such", &m3));
	EXPECT_EQ(-ENOENT, ktstr_btf__member_offset(btf, "no_such_struct.x", &m3));

	/* Members inside anonymous unions: struct page's lru follows flags. */
	ASSERT_EQ(0, ktstr_btf__member_offset(btf, "page.lru", &m));
	EXPECT_EQ(64, m.bit_offset);
	EXPECT_EQ(16, m.size);

	/* A per-CPU variable as the outer name, and the struct of that name. */
	ASSERT_EQ(0, ktstr_btf__member_offset(btf, "kernel_cpustat.cpustat[2]", &m));
	EXPECT_EQ(2 * 64, m.bit_offset);
	EXPECT_EQ(8, m.size);
	ASSERT_EQ(0, ktstr_btf__member_offset(btf, "runqueues.nr_running", &m));
	want = bpftool_member_bits("rq", "nr_running");
	if (want >= 0) {
		EXPECT_EQ(want, (long long)m.bit_offset);
	}
	ASSERT_EQ(0, ktstr_btf__member_offset(btf, "runqueues", &m));
	EXPECT_EQ(0, m.bit_offset);
	EXPECT_GT(m.size, 1000);
	btf__free(btf);

	/* The same loader reads an ELF's .BTF section. */
	if (!access("render_types.bpf.o", R_OK))
		err = ktstr_kernel_btf__load("render_types.bpf.o", &btf);
	else
		err = ktstr_kernel_btf__load("selftests/render_types.bpf.o", &btf);
	if (!err) {
		EXPECT_GT(btf__type_cnt(btf), 1);
		btf__free(btf);
	}
	EXPECT_NE(0, ktstr_kernel_btf__load("/nonexistent/vmlinux", &btf));
}

TEST(btf_guest_kernel)
{
	struct kcase c = { .load = 16 * MiB };
	struct ktstr_guest_kernel *k;
	struct ktstr_ksyms *ks;
	struct img im;
	const char *path;
	int err;

	path = write_tmp("System.map", kernel_map);
	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, ktstr_ksyms__load(path, &ks));
	rm_tmp(path);
	ASSERT_EQ(0, img_init(&im));
	build_kernel(&im, &c);
	ASSERT_EQ(0, ktstr_guest_kernel__new(im.gm, ks, NULL, &k));
	EXPECT_EQ(NULL, ktstr_guest_kernel__btf(k));
	EXPECT_NE(0, ktstr_guest_kernel__load_btf(k, "/nonexistent/vmlinux"));
	err = ktstr_guest_kernel__load_btf(k, NULL);
	if (!err) {
		EXPECT_NE(NULL, ktstr_guest_kernel__btf(k));
		/* Loading again replaces, without a leak. */
		EXPECT_EQ(0, ktstr_guest_kernel__load_btf(k, NULL));
	}
	ktstr_guest_kernel__free(k);
	img_fini(&im);
	ktstr_ksyms__free(ks);
	if (err)
		SKIP(return, "/sys/kernel/btf/vmlinux: %s", strerror(-err));
}

TEST_HARNESS_MAIN
