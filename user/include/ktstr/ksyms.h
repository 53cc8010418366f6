/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: a kernel's symbol table, from a System.map (or the same text
 * format /proc/kallsyms prints) or from the symtab of a vmlinux ELF.
 *
 * Addresses are as the file gives them: link-time, before any KASLR
 * offset (guest_mem.h's ktstr_guest_kernel applies that). Names are not
 * unique: static symbols of different files share names ("cleanup",
 * "__func__.0"). ktstr_ksyms__find() returns the first in file order,
 * ktstr_ksyms__find_all() every one.
 *
 * Debian ships /boot/System.map-* as a one-line placeholder ("The real
 * System.map is in the linux-image-<version>-dbg package"); loading that
 * gives -ENODATA. The guest's own /proc/kallsyms, read as root with
 * kptr_restrict 0 and CONFIG_KALLSYMS_ALL, is a full substitute; its
 * addresses already include the guest's KASLR offset, so pass the kernel
 * "nokaslr" semantics (offset 0) when using it. A guest that boots the
 * very kernel its host runs is described by the host's /proc/kallsyms:
 * ktstr_ksyms__load_kallsyms() turns that back into link-time addresses.
 */
#ifndef KTSTR_KSYMS_H
#define KTSTR_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ktstr_ksym {
	uint64_t addr;
	uint64_t size;		/* 0: unknown (always so from System.map) */
	const char *name;	/* owned by the table */
	char type;		/* nm's letter: 'T' text, 'd' local data, ... */
};

struct ktstr_ksyms;

/*
 * A System.map/kallsyms text file: "ADDR TYPE NAME" lines, with an
 * optional "\t[module]" tail. Lines that are not that are skipped and
 * counted (ktstr_ksyms__skipped()). -ENODATA when no line was a symbol,
 * -errno of open/read otherwise.
 */
int ktstr_ksyms__load_system_map(const char *path, struct ktstr_ksyms **out);

/*
 * The SHT_SYMTAB of an ELF file (a vmlinux, an object), through libelf:
 * defined symbols only, not section or file symbols, with nm's type
 * letters. -ENODATA when the file has no symbol table (a stripped image),
 * -ENOEXEC when it is not ELF.
 */
int ktstr_ksyms__load_elf(const char *path, struct ktstr_ksyms **out);

/*
 * _text's link-time address on x86-64 with the default
 * CONFIG_PHYSICAL_START of 16 MiB (Debian, Fedora, Ubuntu kernels):
 * __START_KERNEL_map + 0x1000000.
 */
#define KTSTR_KSYMS_KERNEL_MAP	0xffffffff80000000ULL
#define KTSTR_KSYMS_LINK_TEXT	0xffffffff81000000ULL

/*
 * A running kernel's symbols: @path in /proc/kallsyms' format (NULL:
 * /proc/kallsyms), module symbols left out, and the KASLR offset taken
 * back out of every address in the kernel image (those at or above
 * __START_KERNEL_map), so that the table reads like that kernel's
 * System.map: the offset is addr(_text) - @link_text (0: the default,
 * KTSTR_KSYMS_LINK_TEXT). This describes a guest when the guest boots
 * the kernel this runs on (a dedicated test host, the VM tier).
 * -EPERM when every address reads 0 (kptr_restrict: not root),
 * -EBADMSG when _text is missing or below @link_text, -ENODATA when no
 * line was a symbol.
 */
int ktstr_ksyms__load_kallsyms(const char *path, uint64_t link_text,
			       struct ktstr_ksyms **out);

/* Either, chosen by the file's first bytes. */
int ktstr_ksyms__load(const char *path, struct ktstr_ksyms **out);

void ktstr_ksyms__free(struct ktstr_ksyms *ks);

size_t ktstr_ksyms__count(const struct ktstr_ksyms *ks);
/* Lines (or ELF entries) that were not usable symbols. */
size_t ktstr_ksyms__skipped(const struct ktstr_ksyms *ks);

/* The first symbol named @name in file order; NULL (errno ENOENT). */
const struct ktstr_ksym *ktstr_ksyms__find(const struct ktstr_ksyms *ks,
					   const char *name);

/*
 * All symbols named @name, as @n consecutive entries in file order
 * starting at the one returned; NULL and @n 0 when none.
 */
const struct ktstr_ksym *ktstr_ksyms__find_all(const struct ktstr_ksyms *ks,
					       const char *name, size_t *n);

/*
 * The symbol at or closest below @addr (among equals the first in file
 * order), and @addr's offset into it. When the symbol's size is known
 * and @addr lies past its end, NULL: the address is in a gap. NULL too
 * below the lowest symbol. Errno ENOENT.
 */
const struct ktstr_ksym *ktstr_ksyms__addr_lookup(const struct ktstr_ksyms *ks,
						  uint64_t addr,
						  uint64_t *offset);

#endif /* KTSTR_KSYMS_H */
