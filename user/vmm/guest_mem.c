// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-physical addresses to host pointers, over the VMM's mappings of
 * guest RAM. Ranges are kept sorted by GPA so a lookup is a binary
 * search; a guest has a handful (below and above the PCI hole).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/guest_mem.h>

struct gm_range {
	uint64_t gpa;
	uint64_t len;
	unsigned char *hva;
};

struct ktstr_guest_mem {
	struct gm_range *r;
	size_t n;
	size_t cap;
};

struct ktstr_guest_mem *ktstr_guest_mem__new(void)
{
	return calloc(1, sizeof(struct ktstr_guest_mem));
}

void ktstr_guest_mem__free(struct ktstr_guest_mem *gm)
{
	if (!gm)
		return;
	free(gm->r);
	free(gm);
}

/* Index of the range holding @gpa, or -1. */
static long gm_find(const struct ktstr_guest_mem *gm, uint64_t gpa)
{
	size_t lo = 0, hi = gm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gm_range *r = &gm->r[mid];

		if (gpa < r->gpa)
			hi = mid;
		else if (gpa - r->gpa >= r->len)
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

int ktstr_guest_mem__add_range(struct ktstr_guest_mem *gm, uint64_t gpa,
			       void *hva, uint64_t len)
{
	size_t i;

	if (!gm || !hva || !len)
		return -EINVAL;
	/* Last byte must be representable in both address spaces. */
	if (gpa + (len - 1) < gpa ||
	    (uintptr_t)hva + (uintptr_t)(len - 1) < (uintptr_t)hva ||
	    len - 1 > (uint64_t)UINTPTR_MAX)
		return -EINVAL;

	for (i = 0; i < gm->n; i++) {
		const struct gm_range *r = &gm->r[i];
		uint64_t a_end = gpa + (len - 1), b_end = r->gpa + (r->len - 1);

		if (gpa <= b_end && r->gpa <= a_end)
			return -EEXIST;
	}

	if (gm->n == gm->cap) {
		size_t cap = gm->cap ? gm->cap * 2 : 4;
		struct gm_range *nr = realloc(gm->r, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		gm->r = nr;
		gm->cap = cap;
	}
	for (i = gm->n; i > 0 && gm->r[i - 1].gpa > gpa; i--)
		gm->r[i] = gm->r[i - 1];
	gm->r[i] = (struct gm_range){ .gpa = gpa, .len = len, .hva = hva };
	gm->n++;
	return 0;
}

void *ktstr_guest_mem__ptr(const struct ktstr_guest_mem *gm, uint64_t gpa,
			   uint64_t len)
{
	const struct gm_range *r;
	uint64_t off;
	long i;

	if (!gm) {
		errno = EINVAL;
		return NULL;
	}
	i = gm_find(gm, gpa);
	if (i < 0)
		goto fault;
	r = &gm->r[i];
	off = gpa - r->gpa;
	/* off < r->len, so r->len - off cannot underflow. */
	if (len > r->len - off)
		goto fault;
	return r->hva + off;
fault:
	errno = EFAULT;
	return NULL;
}

/*
 * Walk [@gpa, @gpa + @len) range by range. Ranges next to each other in
 * GPA space are one stretch of RAM to the guest, so a read may span them.
 */
static int gm_copy(const struct ktstr_guest_mem *gm, uint64_t gpa,
		   unsigned char *buf, size_t len, bool to_guest)
{
	if (!gm || (!buf && len))
		return -EINVAL;
	if (len && gpa + (len - 1) < gpa)
		return -EFAULT;

	while (len) {
		long i = gm_find(gm, gpa);
		const struct gm_range *r;
		uint64_t off, chunk;

		if (i < 0)
			return -EFAULT;
		r = &gm->r[i];
		off = gpa - r->gpa;
		chunk = r->len - off;
		if (chunk > len)
			chunk = len;
		if (to_guest)
			memcpy(r->hva + off, buf, chunk);
		else
			memcpy(buf, r->hva + off, chunk);
		buf += chunk;
		len -= chunk;
		gpa += chunk;
	}
	return 0;
}

int ktstr_guest_mem__read(const struct ktstr_guest_mem *gm, uint64_t gpa,
			  void *buf, size_t len)
{
	return gm_copy(gm, gpa, buf, len, false);
}

/* Whether every byte of [@gpa, @gpa + @len) is RAM, across ranges. */
static bool gm_covered(const struct ktstr_guest_mem *gm, uint64_t gpa,
		       uint64_t len)
{
	if (len && gpa + (len - 1) < gpa)
		return false;
	while (len) {
		long i = gm_find(gm, gpa);
		uint64_t chunk;

		if (i < 0)
			return false;
		chunk = gm->r[i].len - (gpa - gm->r[i].gpa);
		if (chunk >= len)
			return true;
		len -= chunk;
		gpa += chunk;
	}
	return true;
}

int ktstr_guest_mem__write(struct ktstr_guest_mem *gm, uint64_t gpa,
			   const void *buf, size_t len)
{
	if (!gm || (!buf && len))
		return -EINVAL;
	/* All or nothing: a half-done write to a guest is worse than none. */
	if (!gm_covered(gm, gpa, len))
		return -EFAULT;
	return gm_copy(gm, gpa, (unsigned char *)buf, len, true);
}

size_t ktstr_guest_mem__nr_ranges(const struct ktstr_guest_mem *gm)
{
	return gm ? gm->n : 0;
}

int ktstr_guest_mem__range(const struct ktstr_guest_mem *gm, size_t idx,
			   uint64_t *gpa, uint64_t *len)
{
	if (!gm || idx >= gm->n)
		return -ENOENT;
	if (gpa)
		*gpa = gm->r[idx].gpa;
	if (len)
		*len = gm->r[idx].len;
	return 0;
}
