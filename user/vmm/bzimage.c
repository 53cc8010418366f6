// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux x86 64-bit boot protocol (Documentation/x86/boot.rst), with no
 * firmware and no real-mode setup code: we do what a boot loader and the
 * kernel's own setup would have done, and enter the protected-mode
 * kernel's 64-bit entry point (load address + 0x200) in long mode with
 * RSI pointing at the zero page.
 *
 * Low guest memory, all of it inside the e820 hole or the first 64 KiB
 * that the kernel keeps reserved (CONFIG_X86_RESERVE_LOW) anyway:
 *
 *   0x01000  GDT: __BOOT_CS (0x10) 64-bit code, __BOOT_DS (0x18) data
 *   0x07000  zero page (struct boot_params)
 *   0x09000  PML4, 0x0a000 PDPT, 0x0b000..0x0efff four page directories:
 *            an identity map of the first 4 GiB in 2 MiB pages
 *   0x20000  command line
 *   0xf0000  MP floating pointer and configuration table (mptable.c)
 *
 * The kernel goes at its preferred address, the initrd at the top of low
 * RAM below initrd_addr_max.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>

#include "vm_priv.h"

#define BOOT_GDT		0x1000ULL
#define BOOT_ZERO_PAGE		0x7000ULL
#define BOOT_PML4		0x9000ULL
#define BOOT_PDPT		0xa000ULL
#define BOOT_PD			0xb000ULL	/* four pages */
#define BOOT_CMDLINE		0x20000ULL
#define BOOT_CMDLINE_MAX	0x10000ULL	/* up to the next thing we place */
#define BOOT_EBDA		0x9fc00ULL
#define BOOT_BIOS_END		0x100000ULL
#define BOOT_MPTABLE		0xf0000ULL
#define BOOT_MPTABLE_MAX	0x10000ULL

/* Setup header offsets in the file, for the checks before it is trusted. */
#define HDR_OFF			0x1f1
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC_OFF		0x202
#define HDR_END_MIN		0x268	/* through init_size (2.10) and handover */
#define HDR_MAGIC		"HdrS"
#define BOOT_FLAG		0xaa55
#define MIN_VERSION		0x020c	/* xloadflags, 64-bit entry */

/* e820 types (boot.rst); asm/e820.h left the UAPI in 4.14. */
#define E820_TYPE_RAM		1
#define E820_TYPE_RESERVED	2

#define PTE_P			0x1ULL
#define PTE_RW			0x2ULL
#define PTE_PS			0x80ULL

/*
 * The defaults, and why:
 *  console=ttyS0, earlyprintk   the 8250 at 0x3f8 is the only output,
 *                               and the early console shows what goes
 *                               wrong before the driver is up
 *  nokaslr                      stable addresses for symbol lookups
 *  reboot=t panic=-1            a panic resets at once, by triple fault,
 *                               which KVM reports as a shutdown exit
 *  acpi=off                     there are no ACPI tables; the MP table
 *                               describes the CPUs and the IOAPIC
 *  pci=off                      there is no PCI bus (config space reads
 *                               all-ones); this skips the probing
 *  no_timer_check               the IOAPIC timer check times real
 *                               interrupts and fails spuriously when
 *                               the host is slow (nested KVM under TCG)
 *  loglevel=4                   every console byte is a VM exit; tests
 *                               wanting the boot log add loglevel=7
 *  ktstr.wire=1                 tells ktstr-init the wire is there
 */
static const char default_cmdline[] =
	"console=ttyS0 earlyprintk=serial,ttyS0,115200 nokaslr reboot=t panic=-1 "
	"acpi=off pci=off no_timer_check loglevel=4 ktstr.wire=1";

const char *ktstr_vm__default_cmdline(void)
{
	return default_cmdline;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static int read_file(struct ktstr_vm *vm, const char *path, uint8_t **bufp,
		     size_t *lenp)
{
	struct stat st;
	uint8_t *buf;
	size_t off = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		vmm__set_error(vm, "kernel %s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = S_ISREG(st.st_mode) ? -errno : -EINVAL;
		vmm__set_error(vm, "kernel %s: not a regular file", path);
		goto out;
	}
	/* A bzImage is tens of MiB at most; refuse anything absurd. */
	if (st.st_size > (off_t)(512 << 20)) {
		ret = -EFBIG;
		vmm__set_error(vm, "kernel %s: %lld bytes is too big for a bzImage",
			       path, (long long)st.st_size);
		goto out;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		ret = -ENOMEM;
		vmm__set_error(vm, "kernel %s: out of memory", path);
		goto out;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			vmm__set_error(vm, "kernel %s: read: %s", path,
				       n < 0 ? strerror(errno) : "file shrank");
			free(buf);
			goto out;
		}
		off += n;
	}
	*bufp = buf;
	*lenp = off;
	ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * Check the setup header before believing any field of it; every
 * offset used later is inside the file once this passes.
 */
static int check_header(struct ktstr_vm *vm, const char *path,
			const uint8_t *k, size_t len, size_t *setup_len)
{
	unsigned int setup_sects;
	uint16_t version;

	if (len < HDR_END_MIN) {
		vmm__set_error(vm, "kernel %s: %zu bytes, too short for a bzImage",
			       path, len);
		return -ENOEXEC;
	}
	if (memcmp(k + HDR_MAGIC_OFF, HDR_MAGIC, 4) ||
	    get16(k + HDR_BOOT_FLAG) != BOOT_FLAG) {
		vmm__set_error(vm, "kernel %s: not a bzImage (no \"HdrS\" setup header; a vmlinux ELF or a compressed file?)",
			       path);
		return -ENOEXEC;
	}
	version = get16(k + HDR_MAGIC_OFF + 4);
	if (version < MIN_VERSION) {
		vmm__set_error(vm, "kernel %s: boot protocol %u.%02u, need 2.12 or later",
			       path, version >> 8, version & 0xff);
		return -ENOEXEC;
	}
	setup_sects = k[HDR_OFF];
	if (!setup_sects)
		setup_sects = 4;
	*setup_len = (setup_sects + 1) * 512UL;
	if (*setup_len >= len) {
		vmm__set_error(vm, "kernel %s: truncated (%zu bytes, setup code alone is %zu)",
			       path, len, *setup_len);
		return -ENOEXEC;
	}
	return 0;
}

static void add_e820(struct boot_params *bp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

static int setup_page_tables(struct ktstr_vm *vm)
{
	uint64_t *pml4 = vmm_memory__ptr(vm, BOOT_PML4, 4096);
	uint64_t *pdpt = vmm_memory__ptr(vm, BOOT_PDPT, 4096);
	uint64_t *pd = vmm_memory__ptr(vm, BOOT_PD, 4 * 4096);

	if (!pml4 || !pdpt || !pd)
		return -ENOMEM;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = BOOT_PDPT | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD + i * 4096) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	return 0;
}

static int setup_gdt(struct ktstr_vm *vm, struct vmm_boot *boot)
{
	/* Null, null, then __BOOT_CS and __BOOT_DS as boot.rst wants them. */
	static const uint64_t gdt[] = {
		0,
		0,
		0x00af9b000000ffffULL,	/* 64-bit code, DPL 0, present */
		0x00cf93000000ffffULL,	/* 32-bit data, 4 GiB, DPL 0 */
	};
	void *p = vmm_memory__ptr(vm, BOOT_GDT, sizeof(gdt));

	if (!p)
		return -ENOMEM;
	memcpy(p, gdt, sizeof(gdt));
	boot->gdt = BOOT_GDT;
	boot->gdt_limit = sizeof(gdt) - 1;
	return 0;
}

static int place_initrd(struct ktstr_vm *vm, const struct ktstr_vm_config *cfg,
			struct boot_params *bp, uint64_t kernel_end)
{
	uint64_t top = vmm_memory__low_end(vm), start;
	void *dst;

	if (!cfg->initrd_len)
		return 0;
	if ((uint64_t)bp->hdr.initrd_addr_max + 1 < top)
		top = (uint64_t)bp->hdr.initrd_addr_max + 1;
	if (cfg->initrd_len > top) {
		start = 0;
	} else {
		start = (top - cfg->initrd_len) & ~0xfffULL;
	}
	if (start < kernel_end) {
		vmm__set_error(vm, "initrd of %zu bytes does not fit between the kernel (ends at %#llx) and %#llx: give the VM more memory",
			       cfg->initrd_len, (unsigned long long)kernel_end,
			       (unsigned long long)top);
		return -ENOSPC;
	}
	dst = vmm_memory__ptr(vm, start, cfg->initrd_len);
	if (!dst)
		return -ENOSPC;
	memcpy(dst, cfg->initrd, cfg->initrd_len);
	bp->hdr.ramdisk_image = start;
	bp->hdr.ramdisk_size = cfg->initrd_len;
	return 0;
}

static int write_cmdline(struct ktstr_vm *vm, const struct ktstr_vm_config *cfg,
			 struct boot_params *bp)
{
	/* cmdline_size excludes the NUL. */
	size_t max = bp->hdr.cmdline_size, len;
	char *dst = vmm_memory__ptr(vm, BOOT_CMDLINE, BOOT_CMDLINE_MAX);

	if (!dst)
		return -ENOMEM;
	if (max >= BOOT_CMDLINE_MAX)
		max = BOOT_CMDLINE_MAX - 1;
	len = snprintf(dst, BOOT_CMDLINE_MAX, "%s%s%s", default_cmdline,
		       cfg->cmdline && *cfg->cmdline ? " " : "",
		       cfg->cmdline ? cfg->cmdline : "");
	if (len > max) {
		vmm__set_error(vm, "kernel command line is %zu bytes, the kernel takes %zu",
			       len, max);
		return -E2BIG;
	}
	bp->hdr.cmd_line_ptr = BOOT_CMDLINE;
	bp->ext_cmd_line_ptr = 0;
	return 0;
}

static int write_mptable(struct ktstr_vm *vm)
{
	size_t len = ktstr_mptable__size(&vm->topo);
	void *dst;
	int ret;

	if (len > BOOT_MPTABLE_MAX) {
		vmm__set_error(vm, "MP table of %zu bytes does not fit below 1 MiB",
			       len);
		return -E2BIG;
	}
	dst = vmm_memory__ptr(vm, BOOT_MPTABLE, len);
	if (!dst)
		return -ENOMEM;
	ret = ktstr_mptable__write(dst, BOOT_MPTABLE, len, &vm->topo);
	if (ret < 0)
		vmm__set_error(vm, "cannot write the MP table: %s", strerror(-ret));
	return ret < 0 ? ret : 0;
}

int vmm_bzimage__load(struct ktstr_vm *vm, const struct ktstr_vm_config *cfg,
		      struct vmm_boot *boot)
{
	const char *path = cfg->kernel;
	uint64_t load, kernel_end, low_end = vmm_memory__low_end(vm);
	uint8_t *k = NULL;
	size_t len = 0, setup_len, hdr_end, pm_len;
	struct boot_params *bp;
	uint16_t *bda_base_kb;
	void *dst;
	int ret;

	if (!path) {
		vmm__set_error(vm, "no kernel given");
		return -EINVAL;
	}
	ret = read_file(vm, path, &k, &len);
	if (ret)
		return ret;
	ret = check_header(vm, path, k, len, &setup_len);
	if (ret)
		goto out;

	bp = vmm_memory__ptr(vm, BOOT_ZERO_PAGE, sizeof(*bp));
	if (!bp) {
		ret = -ENOMEM;
		goto out;
	}
	memset(bp, 0, sizeof(*bp));
	/* The header ends at 0x202 + the byte at 0x201 (the jump's offset). */
	hdr_end = HDR_MAGIC_OFF + k[HDR_JUMP + 1];
	if (hdr_end > HDR_OFF + sizeof(bp->hdr))
		hdr_end = HDR_OFF + sizeof(bp->hdr);
	if (hdr_end < HDR_END_MIN || hdr_end > len) {
		vmm__set_error(vm, "kernel %s: setup header ends at %#zx, outside the file",
			       path, hdr_end);
		ret = -ENOEXEC;
		goto out;
	}
	memcpy(&bp->hdr, k + HDR_OFF, hdr_end - HDR_OFF);

	if (!(bp->hdr.xloadflags & XLF_KERNEL_64)) {
		vmm__set_error(vm, "kernel %s: no 64-bit entry point (XLF_KERNEL_64): not an x86_64 kernel?",
			       path);
		ret = -ENOEXEC;
		goto out;
	}
	if (!(bp->hdr.loadflags & LOADED_HIGH) || !bp->hdr.relocatable_kernel) {
		vmm__set_error(vm, "kernel %s: not a relocatable bzImage loaded high",
			       path);
		ret = -ENOEXEC;
		goto out;
	}
	load = bp->hdr.pref_address;
	if (!load || (bp->hdr.kernel_alignment &&
		      load % bp->hdr.kernel_alignment)) {
		vmm__set_error(vm, "kernel %s: bad preferred load address %#llx",
			       path, (unsigned long long)load);
		ret = -ENOEXEC;
		goto out;
	}
	pm_len = len - setup_len;
	/*
	 * syssize counts the protected-mode code in 16-byte paragraphs: a
	 * file cut short would otherwise boot into its own missing half.
	 */
	if ((uint64_t)bp->hdr.syssize * 16 > pm_len) {
		vmm__set_error(vm, "kernel %s: truncated (%zu bytes after the setup code, the header says %llu)",
			       path, pm_len, (unsigned long long)bp->hdr.syssize * 16);
		ret = -ENOEXEC;
		goto out;
	}
	/* The kernel decompresses in place and needs init_size from load. */
	kernel_end = load + (bp->hdr.init_size > pm_len ? bp->hdr.init_size : pm_len);
	if (load < BOOT_BIOS_END || kernel_end > low_end) {
		vmm__set_error(vm, "kernel %s needs RAM up to %#llx, the VM has %#llx below 3 GiB",
			       path, (unsigned long long)kernel_end,
			       (unsigned long long)low_end);
		ret = -ENOSPC;
		goto out;
	}
	dst = vmm_memory__ptr(vm, load, pm_len);
	if (!dst) {
		ret = -ENOSPC;
		goto out;
	}
	memcpy(dst, k + setup_len, pm_len);

	bp->hdr.type_of_loader = 0xff;
	/* We are not the 16-bit setup code: no heap, and keep the kernel quiet only if asked. */
	bp->hdr.loadflags &= ~(CAN_USE_HEAP | QUIET_FLAG | KEEP_SEGMENTS);
	bp->hdr.code32_start = load;

	ret = write_cmdline(vm, cfg, bp);
	if (ret)
		goto out;
	ret = place_initrd(vm, cfg, bp, kernel_end);
	if (ret)
		goto out;

	add_e820(bp, 0, BOOT_EBDA, E820_TYPE_RAM);
	/* EBDA, VGA hole, BIOS area with the MP table: as a PC has them. */
	add_e820(bp, BOOT_EBDA, BOOT_BIOS_END - BOOT_EBDA, E820_TYPE_RESERVED);
	add_e820(bp, BOOT_BIOS_END, low_end - BOOT_BIOS_END, E820_TYPE_RAM);
	if (vm->nr_ram > 1)
		add_e820(bp, vm->ram[1].gpa, vm->ram[1].len, E820_TYPE_RAM);

	/* The BIOS data area's base-memory size: where the kernel looks for the EBDA. */
	bda_base_kb = vmm_memory__ptr(vm, 0x413, 2);
	*bda_base_kb = BOOT_EBDA >> 10;

	ret = write_mptable(vm);
	if (ret)
		goto out;
	ret = setup_page_tables(vm);
	if (!ret)
		ret = setup_gdt(vm, boot);
	if (ret)
		goto out;

	boot->entry = load + 0x200;
	boot->zero_page = BOOT_ZERO_PAGE;
	boot->cr3 = BOOT_PML4;
out:
	free(k);
	return ret;
}
