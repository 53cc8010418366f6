// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO exits, and the two doorbells of the wire (wire.h) among them.
 *
 * The guest's SHM is guest memory: it can change under us at any moment,
 * from any vCPU. So each record is copied out once and only the copy is
 * looked at, and everything in it is checked before it means anything.
 * Other MMIO (nothing else lives in the hole but the in-kernel LAPIC and
 * IOAPIC) reads all-ones and drops writes, counted.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "vm_priv.h"

#define MAX_ERRNO	4095

static void copy_from_shm(const struct ktstr_vm *vm, size_t off, void *dst,
			  size_t len)
{
	const volatile uint8_t *src = (const volatile uint8_t *)vm->shm + off;
	uint8_t *d = dst;

	for (size_t i = 0; i < len; i++)
		d[i] = src[i];
	atomic_thread_fence(memory_order_acquire);
}

static void exit_record(struct vmm_vcpu *vcpu, unsigned int len)
{
	struct ktstr_vm *vm = vcpu->vm;
	struct ktstr_wire_exit rec;

	atomic_store(&vm->exit_ns, vmm__now_ns());
	if (len != 4) {
		vmm__finish(vm, KTSTR_VM_BAD_EXIT_RECORD, 0,
			    "exit doorbell written with %u bytes, not 4 (vCPU %u)",
			    len, vcpu->idx);
		return;
	}
	copy_from_shm(vm, KTSTR_WIRE_EXIT_OFF, &rec, sizeof(rec));
	if (rec.magic != KTSTR_WIRE_EXIT_MAGIC) {
		vmm__finish(vm, KTSTR_VM_BAD_EXIT_RECORD, 0,
			    "exit record has magic %#x, not %#x",
			    rec.magic, KTSTR_WIRE_EXIT_MAGIC);
		return;
	}
	switch (rec.how) {
	case KTSTR_EXIT_CODE:
		if (rec.value < 0 || rec.value > 255)
			break;
		vmm__finish(vm, KTSTR_VM_EXITED, rec.value,
			    "the guest's command exited with status %d", rec.value);
		return;
	case KTSTR_EXIT_SIGNAL:
		if (rec.value <= 0 || rec.value >= _NSIG)
			break;
		vmm__finish(vm, KTSTR_VM_SIGNALED, rec.value,
			    "the guest's command was killed by signal %d (%s)",
			    rec.value, strsignal(rec.value));
		return;
	case KTSTR_EXIT_INIT_ERROR:
		if (rec.value <= 0 || rec.value > MAX_ERRNO)
			break;
		vmm__finish(vm, KTSTR_VM_INIT_ERROR, rec.value,
			    "guest init could not run the command: %s",
			    strerror(rec.value));
		return;
	default:
		vmm__finish(vm, KTSTR_VM_BAD_EXIT_RECORD, 0,
			    "exit record has unknown kind %u", rec.how);
		return;
	}
	vmm__finish(vm, KTSTR_VM_BAD_EXIT_RECORD, 0,
		    "exit record of kind %u has out-of-range value %d",
		    rec.how, rec.value);
}

static enum ktstr_malformed check_request(struct ktstr_request *req)
{
	enum ktstr_malformed bad = ktstr_wire__check_request(req);

	/* The unused tail of a valid tag is ours to define: zero. */
	if (bad == KTSTR_MALFORMED_NONE)
		memset(req->tag + req->tag_len, 0, KTSTR_TAG_MAX - req->tag_len);
	return bad;
}

static void capture_doorbell(struct vmm_vcpu *vcpu)
{
	struct ktstr_vm *vm = vcpu->vm;
	struct ktstr_request req;
	volatile struct ktstr_request *slot = vm->shm;
	enum ktstr_malformed bad;
	int status = -ENOSYS;

	copy_from_shm(vm, 0, &req, sizeof(req));
	bad = check_request(&req);
	if (bad != KTSTR_MALFORMED_NONE)
		memset(req.tag, 0, sizeof(req.tag));
	if (vm->capture_fn)
		status = vm->capture_fn(vm, vcpu->idx, &req, bad, vm->capture_ctx);
	if (bad != KTSTR_MALFORMED_NONE)
		status = -EINVAL;
	else if (status > 0 || status < -MAX_ERRNO)
		status = -EIO;	/* the handler broke its contract */
	atomic_fetch_add(&vm->doorbells, 1);

	/* The guest polls reply_id: the status must be there before it. */
	slot->reply_status = status;
	atomic_thread_fence(memory_order_release);
	slot->reply_id = req.request_id;
}

void vmm_wire__mmio(struct vmm_vcpu *vcpu, uint64_t gpa, bool is_write,
		    uint8_t *data, unsigned int len)
{
	struct ktstr_vm *vm = vcpu->vm;
	bool wire = gpa >= KTSTR_WIRE_SHM_GPA &&
		    gpa < KTSTR_WIRE_SHM_GPA + KTSTR_WIRE_MAP_SIZE;

	if (wire && !atomic_load(&vm->first_wire_ns)) {
		uint_fast64_t zero = 0;

		atomic_compare_exchange_strong(&vm->first_wire_ns, &zero,
					       vmm__now_ns());
	}
	if (!is_write) {
		memset(data, 0xff, len);
		if (!wire)
			atomic_fetch_add(&vm->unknown_mmio, 1);
		return;
	}
	if (gpa == KTSTR_WIRE_EXIT_GPA) {
		exit_record(vcpu, len);
		return;
	}
	if (gpa == KTSTR_WIRE_DOORBELL_GPA && len == 4) {
		capture_doorbell(vcpu);
		return;
	}
	atomic_fetch_add(&vm->unknown_mmio, 1);
}
