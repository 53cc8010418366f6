// SPDX-License-Identifier: GPL-2.0
/*
 * A guest Linux kernel seen from the host: where KASLR put it, which
 * page tables map it, and reads of its variables, per-CPU ones included.
 *
 * x86-64 layout facts this relies on (arch/x86/kernel/head64.c,
 * arch/x86/include/asm/page_64_types.h):
 *  - the image is linked at __START_KERNEL_map + LOAD_PHYSICAL_ADDR and
 *    KASLR adds one virtual offset, a multiple of CONFIG_PHYSICAL_ALIGN
 *    (2 MiB or more), keeping it in the 1 GiB KERNEL_IMAGE_SIZE window;
 *  - the image is physically contiguous, so a symbol's physical address
 *    is the load address plus its link-time distance from _text, whatever
 *    either offset is; __pa_symbol(x) = x - __START_KERNEL_map + phys_base;
 *  - init_top_pgt is the kernel's page-table root (swapper_pg_dir), the
 *    top level of 4- or 5-level paging alike, kept in .data;
 *  - per-CPU variables are linked zero-based (absolute symbols KASLR does
 *    not move) and CPU n's copy is at var + __per_cpu_offset[n].
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include <ktstr/guest_mem.h>
#include <ktstr/ksyms.h>

#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL
/* x86 NR_CPUS is at most 8192 (arch/x86/Kconfig, MAXSMP). */
#define MAX_NR_CPUS	8192

static const char banner_prefix[] = "Linux version ";
#define BANNER_LEN	(sizeof(banner_prefix) - 1)

struct ktstr_guest_kernel {
	const struct ktstr_guest_mem *gm;
	const struct ktstr_ksyms *ks;
	uint64_t root;
	bool la57;
	uint64_t voff;		/* KASLR virtual offset */
	uint64_t phys_base;
	struct btf *btf;
};

/* Link-time addresses detection needs. */
struct layout {
	uint64_t text;
	uint64_t banner;
	uint64_t pgt;		/* 0 when absent */
};

static bool banner_at(const struct ktstr_guest_mem *gm, uint64_t gpa)
{
	char b[BANNER_LEN];

	return !ktstr_guest_mem__read(gm, gpa, b, sizeof(b)) &&
	       !memcmp(b, banner_prefix, BANNER_LEN);
}

/*
 * Whether virtual offset @voff fits the kernel as mapped by @root: the
 * banner translates to a copy of "Linux version " (at @want when that is
 * not ~0), and _text to the same distance below it, the image being
 * physically contiguous. On success *@banner_gpa is the banner's GPA.
 */
static bool voff_fits(const struct ktstr_guest_mem *gm, uint64_t root,
		      bool la57, const struct layout *l, uint64_t voff,
		      uint64_t want, uint64_t *banner_gpa)
{
	uint64_t b, t;

	if (ktstr_pgtable__translate(gm, root, la57, l->banner + voff, &b, NULL))
		return false;
	if (want != ~0ULL ? b != want : !banner_at(gm, b))
		return false;
	if (ktstr_pgtable__translate(gm, root, la57, l->text + voff, &t, NULL))
		return false;
	if (b - t != l->banner - l->text)
		return false;
	*banner_gpa = b;
	return true;
}

/* Find the virtual offset and paging depth under which @root maps the kernel. */
static int find_voff(struct ktstr_guest_kernel *k, uint64_t root, int la57,
		     bool nokaslr, const struct layout *l, uint64_t want,
		     uint64_t *banner_gpa)
{
	int depth;

	for (depth = 0; depth < 2; depth++) {
		bool five = depth == 1;
		uint64_t voff;

		if (la57 >= 0 && five != (la57 > 0))
			continue;
		for (voff = 0; voff < SZ_1G; voff += SZ_2M) {
			/* The image must stay above its link address. */
			if (l->banner + voff < l->banner)
				break;
			if (voff_fits(k->gm, root, five, l, voff, want,
				      banner_gpa)) {
				k->root = root;
				k->la57 = five;
				k->voff = voff;
				return 0;
			}
			if (nokaslr)
				break;
		}
	}
	return -ESRCH;
}

/* Try physical load address @load: the banner there, and a root that maps it. */
static int try_load_addr(struct ktstr_guest_kernel *k, uint64_t load, int la57,
			 bool nokaslr, const struct layout *l,
			 uint64_t *banner_gpa)
{
	uint64_t want = load + (l->banner - l->text);

	if (want < load || !banner_at(k->gm, want))
		return -ESRCH;
	return find_voff(k, load + (l->pgt - l->text), la57, nokaslr, l, want,
			 banner_gpa);
}

/*
 * Without a CR3: look for the banner at every 2 MiB-aligned load address
 * in RAM, the unrandomized one first since nokaslr boots are the usual
 * case, and take the first whose own init_top_pgt maps it.
 */
static int find_by_scan(struct ktstr_guest_kernel *k, int la57, bool nokaslr,
			const struct layout *l, uint64_t *banner_gpa)
{
	size_t i, n = ktstr_guest_mem__nr_ranges(k->gm);
	uint64_t preferred = l->text - KTSTR_START_KERNEL_MAP;

	if (!try_load_addr(k, preferred, la57, nokaslr, l, banner_gpa))
		return 0;
	for (i = 0; i < n; i++) {
		uint64_t start, len, end, load;

		ktstr_guest_mem__range(k->gm, i, &start, &len);
		end = start + (len - 1);
		load = (start + SZ_2M - 1) & ~(SZ_2M - 1);
		for (; load >= start && load <= end; load += SZ_2M) {
			if (load == preferred)
				continue;
			if (!try_load_addr(k, load, la57, nokaslr, l, banner_gpa))
				return 0;
			if (load + SZ_2M < load)
				break;
		}
	}
	return -ESRCH;
}

static int sym_link_addr(const struct ktstr_ksyms *ks, const char *name,
			 uint64_t *addr)
{
	const struct ktstr_ksym *s = ktstr_ksyms__find(ks, name);

	if (!s)
		return -ENOENT;
	*addr = s->addr;
	return 0;
}

int ktstr_guest_kernel__new(const struct ktstr_guest_mem *gm,
			    const struct ktstr_ksyms *ks,
			    const struct ktstr_guest_kernel_opts *opts,
			    struct ktstr_guest_kernel **out)
{
	struct ktstr_guest_kernel_opts o = { .la57 = -1 };
	struct ktstr_guest_kernel *k;
	uint64_t banner_gpa;
	struct layout l = {};
	int err;

	if (!gm || !ks || !out)
		return -EINVAL;
	if (opts) {
		/* Callers built against an older, shorter opts keep working. */
		size_t sz = opts->sz < sizeof(o) ? opts->sz : sizeof(o);

		if (sz < sizeof(size_t))
			return -EINVAL;
		memcpy(&o, opts, sz);
	}
	if (sym_link_addr(ks, "_text", &l.text) ||
	    sym_link_addr(ks, "linux_banner", &l.banner))
		return -ENOENT;
	if (sym_link_addr(ks, "init_top_pgt", &l.pgt) &&
	    sym_link_addr(ks, "init_level4_pgt", &l.pgt))
		l.pgt = 0;
	if (l.text < KTSTR_START_KERNEL_MAP || l.banner < l.text)
		return -EBADMSG;
	if (!o.cr3 && (!l.pgt || l.pgt < l.text))
		return -ENOENT;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->gm = gm;
	k->ks = ks;

	if (o.cr3) {
		uint64_t root = o.cr3 & KTSTR_PT_ADDR_MASK;

		err = find_voff(k, root, o.la57, o.nokaslr, &l, ~0ULL,
				&banner_gpa);
		/* PTI: a user CR3 is the kernel's with bit 12 set. */
		if (err && (root & 0x1000))
			err = find_voff(k, root & ~0x1000ULL, o.la57, o.nokaslr,
					&l, ~0ULL, &banner_gpa);
	} else {
		err = find_by_scan(k, o.la57, o.nokaslr, &l, &banner_gpa);
	}
	if (err) {
		free(k);
		return err;
	}
	k->phys_base = banner_gpa - (l.banner + k->voff - KTSTR_START_KERNEL_MAP);
	*out = k;
	return 0;
}

void ktstr_guest_kernel__free(struct ktstr_guest_kernel *k)
{
	if (!k)
		return;
	btf__free(k->btf);
	free(k);
}

uint64_t ktstr_guest_kernel__root(const struct ktstr_guest_kernel *k)
{
	return k->root;
}

bool ktstr_guest_kernel__la57(const struct ktstr_guest_kernel *k)
{
	return k->la57;
}

uint64_t ktstr_guest_kernel__kaslr_offset(const struct ktstr_guest_kernel *k)
{
	return k->voff;
}

uint64_t ktstr_guest_kernel__phys_base(const struct ktstr_guest_kernel *k)
{
	return k->phys_base;
}

int ktstr_guest_kernel__sym_addr(const struct ktstr_guest_kernel *k,
				 const char *name, uint64_t *va)
{
	uint64_t a;
	int err;

	if (!k || !name || !va)
		return -EINVAL;
	err = sym_link_addr(k->ks, name, &a);
	if (err)
		return err;
	*va = a < KTSTR_START_KERNEL_MAP ? a : a + k->voff;
	return 0;
}

int ktstr_guest_kernel__va_to_gpa(const struct ktstr_guest_kernel *k,
				  uint64_t va, uint64_t *gpa)
{
	if (!k || !gpa)
		return -EINVAL;
	return ktstr_pgtable__translate(k->gm, k->root, k->la57, va, gpa, NULL);
}

int ktstr_guest_kernel__read(const struct ktstr_guest_kernel *k, uint64_t va,
			     void *buf, size_t len)
{
	if (!k)
		return -EINVAL;
	return ktstr_pgtable__read_va(k->gm, k->root, k->la57, va, buf, len);
}

int ktstr_guest_kernel__mem_read(void *ctx, uint64_t addr, void *buf,
				 size_t len)
{
	return ktstr_guest_kernel__read(ctx, addr, buf, len);
}

int ktstr_guest_kernel__read_sym(const struct ktstr_guest_kernel *k,
				 const char *name, void *buf, size_t len)
{
	uint64_t va;
	int err = ktstr_guest_kernel__sym_addr(k, name, &va);

	if (err)
		return err;
	return ktstr_guest_kernel__read(k, va, buf, len);
}

int ktstr_guest_kernel__nr_cpu_ids(const struct ktstr_guest_kernel *k,
				   unsigned int *n)
{
	uint32_t v;
	int err;

	if (!n)
		return -EINVAL;
	err = ktstr_guest_kernel__read_sym(k, "nr_cpu_ids", &v, sizeof(v));
	if (err)
		return err;
	if (!v || v > MAX_NR_CPUS)
		return -EBADMSG;
	*n = v;
	return 0;
}

int ktstr_guest_kernel__percpu_addr(const struct ktstr_guest_kernel *k,
				    uint64_t sym_va, unsigned int cpu,
				    uint64_t *va)
{
	const struct ktstr_ksym *s;
	unsigned int nr;
	uint64_t offs_va, off;
	int err;

	if (!k || !va)
		return -EINVAL;
	err = ktstr_guest_kernel__nr_cpu_ids(k, &nr);
	if (err)
		return err;
	if (cpu >= nr)
		return -ERANGE;
	/* An ELF symtab knows the array's size; the guest's count must fit. */
	s = ktstr_ksyms__find(k->ks, "__per_cpu_offset");
	if (!s)
		return -ENOENT;
	if (s->size && cpu >= s->size / sizeof(uint64_t))
		return -ERANGE;
	err = ktstr_guest_kernel__sym_addr(k, "__per_cpu_offset", &offs_va);
	if (err)
		return err;
	err = ktstr_guest_kernel__read(k, offs_va + (uint64_t)cpu * sizeof(off),
				       &off, sizeof(off));
	if (err)
		return err;
	*va = sym_va + off;
	return 0;
}

int ktstr_guest_kernel__read_percpu(const struct ktstr_guest_kernel *k,
				    const char *name, unsigned int cpu,
				    void *buf, size_t len)
{
	uint64_t sym, va;
	int err;

	err = ktstr_guest_kernel__sym_addr(k, name, &sym);
	if (err)
		return err;
	err = ktstr_guest_kernel__percpu_addr(k, sym, cpu, &va);
	if (err)
		return err;
	return ktstr_guest_kernel__read(k, va, buf, len);
}

int ktstr_guest_kernel__load_btf(struct ktstr_guest_kernel *k,
				 const char *path)
{
	struct btf *btf;
	int err;

	if (!k)
		return -EINVAL;
	err = ktstr_kernel_btf__load(path, &btf);
	if (err)
		return err;
	btf__free(k->btf);
	k->btf = btf;
	return 0;
}

const struct btf *ktstr_guest_kernel__btf(const struct ktstr_guest_kernel *k)
{
	return k ? k->btf : NULL;
}
