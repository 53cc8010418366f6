/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr VMM: reading a guest Linux kernel's memory from the host.
 *
 * Three layers, each usable alone:
 *
 *  - struct ktstr_guest_mem: guest-physical addresses (GPAs) to host
 *    pointers, over the VMM's mappings of guest RAM (gpa, hva, len).
 *  - ktstr_pgtable__*(): a kernel virtual address to a GPA by walking
 *    x86-64 page tables (4- or 5-level, 1 GiB and 2 MiB pages) that live
 *    in that guest memory.
 *  - struct ktstr_guest_kernel: symbols (ksyms.h), the kernel's KASLR
 *    offsets and page-table root, per-CPU variables, and its BTF.
 *
 * Nothing read from the guest is trusted: a page table or a per-CPU offset
 * pointing anywhere gives an error, never a host crash. The guest may be
 * running while we read; callers wanting a consistent picture read while
 * the vCPUs are frozen. Reads copy bytes as they are at that moment.
 *
 * Errors are negative errno:
 *   -EFAULT   the address is not backed: GPA outside RAM, VA not present
 *   -EINVAL   bad argument, or a non-canonical VA
 *   -ENXIO    a page table the walk needs lies outside guest RAM
 *   -EBADMSG  the guest's data is malformed (reserved page-table bits,
 *             an implausible nr_cpu_ids)
 *   -ENOENT   a symbol or BTF name that does not exist
 *   -ERANGE   a CPU number not below the guest's nr_cpu_ids
 *   -ENOMEM   allocation failed
 */
#ifndef KTSTR_GUEST_MEM_H
#define KTSTR_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;
struct ktstr_ksyms;

/* ---- guest-physical memory ------------------------------------------- */

struct ktstr_guest_mem;

struct ktstr_guest_mem *ktstr_guest_mem__new(void);
void ktstr_guest_mem__free(struct ktstr_guest_mem *gm);

/*
 * Declare that GPAs [@gpa, @gpa + @len) are the host bytes at @hva. The
 * mapping is borrowed: it must outlive @gm. -EINVAL for an empty range
 * or one that wraps around 2^64 (in GPA or HVA), -EEXIST when it overlaps
 * a range already added.
 */
int ktstr_guest_mem__add_range(struct ktstr_guest_mem *gm, uint64_t gpa,
			       void *hva, uint64_t len);

/*
 * The host pointer for [@gpa, @gpa + @len) when all of it lies in one
 * range; else NULL with errno EFAULT (also for a wrapping span). @len 0
 * asks about the byte at @gpa.
 */
void *ktstr_guest_mem__ptr(const struct ktstr_guest_mem *gm, uint64_t gpa,
			   uint64_t len);

/*
 * Copy @len bytes at @gpa, crossing from one range into the next when
 * they are contiguous in GPA space. -EFAULT when any byte is outside RAM;
 * @buf may then be partly written.
 */
int ktstr_guest_mem__read(const struct ktstr_guest_mem *gm, uint64_t gpa,
			  void *buf, size_t len);
int ktstr_guest_mem__write(struct ktstr_guest_mem *gm, uint64_t gpa,
			   const void *buf, size_t len);

/* Ranges in GPA order: for scanning RAM. -ENOENT past the last. */
size_t ktstr_guest_mem__nr_ranges(const struct ktstr_guest_mem *gm);
int ktstr_guest_mem__range(const struct ktstr_guest_mem *gm, size_t idx,
			   uint64_t *gpa, uint64_t *len);

/* ---- x86-64 page tables ---------------------------------------------- */

/* Bits of CR3 (and of table entries) holding a physical address. */
#define KTSTR_PT_ADDR_MASK	0x000ffffffffff000ULL

/*
 * One walk: what each level's entry was, for error messages and tests.
 * Levels count down from the root: 5 (PML5, la57 only), 4 (PML4),
 * 3 (PDPT), 2 (PD), 1 (PT).
 */
struct ktstr_pgtable_walk {
	uint64_t gpa;		/* translation, on success */
	uint64_t page_size;	/* 4 KiB, 2 MiB or 1 GiB, on success */
	int level;		/* on success the leaf's level, on error the failing one */
	uint64_t entry[6];	/* entry[level] as read; 0 for levels not reached */
};

/*
 * Translate kernel or user virtual address @va through the tables at
 * @root (a CR3 value: PCID, PWT/PCD and the no-flush bit are masked off).
 * @la57: 5-level paging (CR4.LA57). Only the present and PS bits decide;
 * permission bits (RW, US, NX) are ignored since we only read. The walk
 * is bounded by the number of levels, so tables that point at themselves
 * (a recursive mapping, or a hostile loop) end like any other walk.
 *
 * -EINVAL: @va is not canonical. -EFAULT: an entry is not present
 * (@w->level says which). -ENXIO: a table lies outside guest RAM.
 * -EBADMSG: PS set at PML4/PML5, or reserved address bits of a large page
 * set. @w may be NULL. The GPA returned is not checked against RAM (it
 * may be MMIO); ktstr_guest_mem__read() does that.
 */
int ktstr_pgtable__walk(const struct ktstr_guest_mem *gm, uint64_t root,
			bool la57, uint64_t va, struct ktstr_pgtable_walk *w);
int ktstr_pgtable__translate(const struct ktstr_guest_mem *gm, uint64_t root,
			     bool la57, uint64_t va, uint64_t *gpa,
			     uint64_t *page_size);

/* Copy @len bytes at @va, page by page; errors as above. */
int ktstr_pgtable__read_va(const struct ktstr_guest_mem *gm, uint64_t root,
			   bool la57, uint64_t va, void *buf, size_t len);

/* ---- a guest Linux kernel -------------------------------------------- */

/* Where the x86-64 kernel image is mapped before KASLR's virtual offset. */
#define KTSTR_START_KERNEL_MAP	0xffffffff80000000ULL

struct ktstr_guest_kernel;

struct ktstr_guest_kernel_opts {
	size_t sz;		/* sizeof(struct ktstr_guest_kernel_opts) */
	/*
	 * A CR3 the guest ran with (from a frozen vCPU): any process's tables
	 * map the kernel. 0: use the kernel's own root, init_top_pgt, found
	 * in physical memory.
	 */
	uint64_t cr3;
	/* CR4.LA57 when known: 0 four levels, 1 five; -1 try both. */
	int la57;
	/*
	 * The guest booted with "nokaslr": try only the unrandomized layout
	 * (virtual offset 0). Detection still checks linux_banner there.
	 */
	bool nokaslr;
};

/*
 * Find the guest kernel described by @ks in @gm. Both are borrowed and
 * must outlive the result. The guest must have booted past its early
 * page-table setup (any time after the console printed the banner).
 *
 * Supported cases, x86-64 only:
 *  - nokaslr, or KASLR with physical and/or virtual randomization;
 *  - a CR3 from any vCPU (with PTI a user CR3 is retried as the kernel
 *    one, bit 12 clear), or none;
 *  - 4- or 5-level paging (tried in that order when @la57 is -1).
 * How: the physical load address is found by looking for linux_banner
 * ("Linux version ") at its offset from _text in every 2 MiB-aligned
 * candidate of RAM (the kernel is aligned to CONFIG_PHYSICAL_ALIGN, at
 * least 2 MiB); the virtual offset by translating linux_banner through
 * the tables at each 2 MiB step of the 1 GiB kernel-image window until it
 * lands on that physical copy. With a CR3 the walk alone decides.
 * -ENOENT: a needed symbol (linux_banner, _text; init_top_pgt or
 * init_level4_pgt without a CR3) is not in @ks. -ESRCH: the kernel was
 * not found in memory. @opts may be NULL.
 */
int ktstr_guest_kernel__new(const struct ktstr_guest_mem *gm,
			    const struct ktstr_ksyms *ks,
			    const struct ktstr_guest_kernel_opts *opts,
			    struct ktstr_guest_kernel **out);
void ktstr_guest_kernel__free(struct ktstr_guest_kernel *k);

/* What detection found. */
uint64_t ktstr_guest_kernel__root(const struct ktstr_guest_kernel *k);
bool ktstr_guest_kernel__la57(const struct ktstr_guest_kernel *k);
/* Added to every symbol of the image: KASLR's virtual offset. */
uint64_t ktstr_guest_kernel__kaslr_offset(const struct ktstr_guest_kernel *k);
/* The kernel's phys_base: GPA = VA - __START_KERNEL_map + phys_base. */
uint64_t ktstr_guest_kernel__phys_base(const struct ktstr_guest_kernel *k);

/*
 * The run-time VA of symbol @name: its System.map/ELF value plus the KASLR
 * offset, except for absolute symbols below __START_KERNEL_map (the
 * zero-based per-CPU variables), which KASLR does not move.
 */
int ktstr_guest_kernel__sym_addr(const struct ktstr_guest_kernel *k,
				 const char *name, uint64_t *va);

int ktstr_guest_kernel__va_to_gpa(const struct ktstr_guest_kernel *k,
				  uint64_t va, uint64_t *gpa);
int ktstr_guest_kernel__read(const struct ktstr_guest_kernel *k, uint64_t va,
			     void *buf, size_t len);
int ktstr_guest_kernel__read_sym(const struct ktstr_guest_kernel *k,
				 const char *name, void *buf, size_t len);

/* A ktstr_mem_read_fn (btf_render.h) over kernel VAs; @ctx is the kernel. */
int ktstr_guest_kernel__mem_read(void *ctx, uint64_t addr, void *buf,
				 size_t len);

/* The guest's nr_cpu_ids; -EBADMSG when 0 or above 8192 (x86 NR_CPUS max). */
int ktstr_guest_kernel__nr_cpu_ids(const struct ktstr_guest_kernel *k,
				   unsigned int *n);

/*
 * The VA of per-CPU variable @sym_va (as ktstr_guest_kernel__sym_addr()
 * gives it) on @cpu: @sym_va + __per_cpu_offset[@cpu]. -ERANGE for @cpu
 * not below nr_cpu_ids.
 */
int ktstr_guest_kernel__percpu_addr(const struct ktstr_guest_kernel *k,
				    uint64_t sym_va, unsigned int cpu,
				    uint64_t *va);
int ktstr_guest_kernel__read_percpu(const struct ktstr_guest_kernel *k,
				    const char *name, unsigned int cpu,
				    void *buf, size_t len);

/*
 * The kernel's BTF, kept by @k (ktstr_guest_kernel__btf()) and freed with
 * it. @path: a raw BTF blob (the guest's /sys/kernel/btf/vmlinux, copied
 * out) or a vmlinux ELF with a .BTF section; NULL reads the running
 * kernel's /sys/kernel/btf/vmlinux, right when host and guest boot the
 * same kernel. A compressed bzImage (Debian's /boot/vmlinuz-*) is not
 * readable this way: decompress it first (scripts/extract-vmlinux).
 */
int ktstr_guest_kernel__load_btf(struct ktstr_guest_kernel *k,
				 const char *path);
const struct btf *ktstr_guest_kernel__btf(const struct ktstr_guest_kernel *k);

/* ---- kernel BTF helpers (guest_btf.c) -------------------------------- */

/* Parse @path as above; NULL: /sys/kernel/btf/vmlinux. Free: btf__free(). */
int ktstr_kernel_btf__load(const char *path, struct btf **out);

struct ktstr_btf_member {
	uint64_t bit_offset;	/* from the start of the outer type */
	uint32_t type_id;	/* the member's type, as declared */
	uint32_t bitfield_size;	/* 0: not a bitfield */
	uint64_t size;		/* bytes of the member's type (resolved) */
};

/*
 * Resolve @path, "OUTER.member.member...", to where the last member lies
 * inside OUTER. OUTER is a struct or union name ("task_struct" or
 * "struct task_struct"), a typedef, or a global/per-CPU variable known to
 * BTF ("kernel_cpustat", "runqueues"). Members inside anonymous structs
 * and unions are found by their own name; a component may index an array
 * ("cpustat[2]", bounds-checked) and members of a pointer's target are
 * not followed (the offset would not be inside OUTER). -ENOENT names no
 * such type or member, -EINVAL a malformed path or index.
 */
int ktstr_btf__member_offset(const struct btf *btf, const char *path,
			     struct ktstr_btf_member *out);

#endif /* KTSTR_GUEST_MEM_H */
