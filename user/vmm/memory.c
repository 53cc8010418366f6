// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: RAM from one anonymous mapping, in up to two KVM memory
 * slots (below 3 GiB, and the rest from 4 GiB so that the 32-bit MMIO
 * hole stays free for the IOAPIC, the LAPIC and the wire), plus the
 * wire's shared page as a slot of its own, outside every e820 RAM range.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "vm_priv.h"

enum { SLOT_RAM0, SLOT_RAM1, SLOT_SHM };

static int set_slot(struct ktstr_vm *vm, uint32_t slot, uint64_t gpa,
		    void *hva, uint64_t len)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = len,
		.userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		int e = -errno;

		vmm__set_error(vm, "KVM_SET_USER_MEMORY_REGION slot %u (gpa %#llx, %llu bytes): %s",
			       slot, (unsigned long long)gpa,
			       (unsigned long long)len, strerror(errno));
		return e;
	}
	return 0;
}

int vmm_memory__init(struct ktstr_vm *vm, uint64_t mem_bytes)
{
	uint64_t low = mem_bytes < VMM_LOW_RAM_END ? mem_bytes : VMM_LOW_RAM_END;
	int ret;

	vm->ram_map = mmap(NULL, mem_bytes, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram_map == MAP_FAILED) {
		vm->ram_map = NULL;
		ret = -errno;
		vmm__set_error(vm, "cannot map %llu MiB of guest RAM: %s",
			       (unsigned long long)(mem_bytes >> 20), strerror(errno));
		return ret;
	}
	vm->ram_map_len = mem_bytes;
	/* Guest memory is not worth dumping with the VMM's core. */
	madvise(vm->ram_map, mem_bytes, MADV_DONTDUMP);

	vm->ram[0] = (struct vmm_ram){ 0, vm->ram_map, low };
	vm->nr_ram = 1;
	if (mem_bytes > low) {
		vm->ram[1] = (struct vmm_ram){ VMM_HIGH_RAM_START,
					       (char *)vm->ram_map + low,
					       mem_bytes - low };
		vm->nr_ram = 2;
	}
	for (unsigned int i = 0; i < vm->nr_ram; i++) {
		ret = set_slot(vm, SLOT_RAM0 + i, vm->ram[i].gpa, vm->ram[i].hva,
			       vm->ram[i].len);
		if (ret)
			return ret;
	}

	vm->shm = mmap(NULL, KTSTR_WIRE_SHM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm->shm == MAP_FAILED) {
		vm->shm = NULL;
		ret = -errno;
		vmm__set_error(vm, "cannot map the wire's shared page: %s",
			       strerror(errno));
		return ret;
	}
	return set_slot(vm, SLOT_SHM, KTSTR_WIRE_SHM_GPA, vm->shm,
			KTSTR_WIRE_SHM_SIZE);
}

void vmm_memory__exit(struct ktstr_vm *vm)
{
	if (vm->ram_map)
		munmap(vm->ram_map, vm->ram_map_len);
	if (vm->shm)
		munmap(vm->shm, KTSTR_WIRE_SHM_SIZE);
	vm->ram_map = NULL;
	vm->shm = NULL;
	vm->nr_ram = 0;
}

void *vmm_memory__ptr(struct ktstr_vm *vm, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < vm->nr_ram; i++) {
		const struct vmm_ram *r = &vm->ram[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->len &&
		    len <= r->len - (gpa - r->gpa))
			return (char *)r->hva + (gpa - r->gpa);
	}
	return NULL;
}

uint64_t vmm_memory__low_end(const struct ktstr_vm *vm)
{
	return vm->ram[0].len;
}

unsigned int ktstr_vm__nr_ram(const struct ktstr_vm *vm)
{
	return vm->nr_ram;
}

int ktstr_vm__ram(const struct ktstr_vm *vm, unsigned int idx, uint64_t *gpa,
		  void **hva, uint64_t *len)
{
	if (idx >= vm->nr_ram)
		return -ENOENT;
	if (gpa)
		*gpa = vm->ram[idx].gpa;
	if (hva)
		*hva = vm->ram[idx].hva;
	if (len)
		*len = vm->ram[idx].len;
	return 0;
}

void *ktstr_vm__shm(const struct ktstr_vm *vm)
{
	return vm->shm;
}
