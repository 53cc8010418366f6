// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 virtual to guest-physical translation by walking the guest's
 * page tables in guest memory, as the MMU would for a read: 4-level
 * (PML4) or 5-level (PML5) paging, with 1 GiB pages at the PDPT and
 * 2 MiB pages at the PD (Intel SDM vol. 3 ch. 4.5, AMD APM vol. 2 5.3).
 *
 * Every entry comes from the guest and may be garbage. The walk reads a
 * fixed number of levels, so no table layout can make it loop; a table
 * outside RAM is an error, not a host access.
 */
#include <errno.h>
#include <string.h>

#include <ktstr/guest_mem.h>

#define PTE_PRESENT	(1ULL << 0)
#define PTE_PS		(1ULL << 7)
/* In a 1 GiB or 2 MiB leaf, bit 12 is PAT, not an address bit. */
#define PTE_LARGE_PAT	(1ULL << 12)

#define PAGE_SHIFT	12
#define PT_BITS		9

static bool va_canonical(uint64_t va, bool la57)
{
	unsigned int bits = la57 ? 57 : 48;
	int64_t ext = (int64_t)(va << (64 - bits)) >> (64 - bits);

	return (uint64_t)ext == va;
}

int ktstr_pgtable__walk(const struct ktstr_guest_mem *gm, uint64_t root,
			bool la57, uint64_t va, struct ktstr_pgtable_walk *w)
{
	struct ktstr_pgtable_walk local;
	uint64_t table = root & KTSTR_PT_ADDR_MASK;
	int level;

	if (!w)
		w = &local;
	memset(w, 0, sizeof(*w));
	if (!gm)
		return -EINVAL;
	if (!va_canonical(va, la57))
		return -EINVAL;

	for (level = la57 ? 5 : 4; level >= 1; level--) {
		unsigned int shift = PAGE_SHIFT + PT_BITS * (level - 1);
		uint64_t idx = (va >> shift) & ((1u << PT_BITS) - 1);
		uint64_t e, size = 1ULL << shift;

		w->level = level;
		if (ktstr_guest_mem__read(gm, table + idx * 8, &e, sizeof(e)))
			return -ENXIO;
		w->entry[level] = e;
		if (!(e & PTE_PRESENT))
			return -EFAULT;

		if (level == 1) {
			w->gpa = (e & KTSTR_PT_ADDR_MASK) | (va & (size - 1));
			w->page_size = size;
			return 0;
		}
		if (e & PTE_PS) {
			uint64_t addr = e & KTSTR_PT_ADDR_MASK;

			/* No large pages above the PDPT: a reserved bit. */
			if (level > 3)
				return -EBADMSG;
			/* Address bits below the page size, PAT aside, are reserved. */
			if (addr & (size - 1) & ~PTE_LARGE_PAT)
				return -EBADMSG;
			w->gpa = (addr & ~(size - 1)) | (va & (size - 1));
			w->page_size = size;
			return 0;
		}
		table = e & KTSTR_PT_ADDR_MASK;
	}
	/* Not reached: level 1 always returns. */
	return -EFAULT;
}

int ktstr_pgtable__translate(const struct ktstr_guest_mem *gm, uint64_t root,
			     bool la57, uint64_t va, uint64_t *gpa,
			     uint64_t *page_size)
{
	struct ktstr_pgtable_walk w;
	int err = ktstr_pgtable__walk(gm, root, la57, va, &w);

	if (err)
		return err;
	if (gpa)
		*gpa = w.gpa;
	if (page_size)
		*page_size = w.page_size;
	return 0;
}

int ktstr_pgtable__read_va(const struct ktstr_guest_mem *gm, uint64_t root,
			   bool la57, uint64_t va, void *buf, size_t len)
{
	unsigned char *p = buf;

	if (!buf && len)
		return -EINVAL;
	/* A span wrapping past 2^64 is never mapped as one. */
	if (len && va + (len - 1) < va)
		return -EFAULT;

	while (len) {
		uint64_t gpa, psize, chunk;
		int err;

		err = ktstr_pgtable__translate(gm, root, la57, va, &gpa, &psize);
		if (err)
			return err;
		/* To the end of this page; the next may map anywhere. */
		chunk = psize - (va & (psize - 1));
		if (chunk > len)
			chunk = len;
		err = ktstr_guest_mem__read(gm, gpa, p, chunk);
		if (err)
			return err;
		p += chunk;
		va += chunk;
		len -= chunk;
	}
	return 0;
}
