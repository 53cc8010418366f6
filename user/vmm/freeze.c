// SPDX-License-Identifier: GPL-2.0
/*
 * The freeze rendezvous: every vCPU out of KVM_RUN and parked, so that
 * guest memory holds still and vCPU ioctls (registers, guest debug) do
 * not block on a running vCPU, then all of them back to work.
 *
 * vm->lock guards vm->freezing's transitions and each vCPU's state. A
 * vCPU thread looks at vm->freezing without the lock before each
 * KVM_RUN; the freezer sets it, then kicks (vcpu.c explains why no kick
 * is lost), then waits on vm->cond for every vCPU to be PARKED or IDLE.
 * A vCPU thread that is itself freezing (from the capture handler) is
 * outside KVM_RUN by definition: it marks itself PARKED for as long as
 * it is in here, which also keeps two vCPU threads that freeze at once
 * from waiting on each other.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "vm_priv.h"

void vmm_freeze__park(struct vmm_vcpu *vcpu)
{
	struct ktstr_vm *vm = vcpu->vm;

	pthread_mutex_lock(&vm->lock);
	vcpu->state = VMM_VCPU_PARKED;
	pthread_cond_broadcast(&vm->cond);
	while (atomic_load(&vm->freezing) && !atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->cond, &vm->lock);
	vcpu->state = VMM_VCPU_RUNNING;
	pthread_mutex_unlock(&vm->lock);
}

static void deadline_after(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* With vm->lock held: the first vCPU that may still be in KVM_RUN. */
static int first_running(struct ktstr_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].state == VMM_VCPU_RUNNING)
			return i;
	return -1;
}

int ktstr_vm__freeze(struct ktstr_vm *vm, unsigned int timeout_ms,
		     ktstr_vm_frozen_fn fn, void *ctx)
{
	struct vmm_vcpu *self = vmm_vcpu__self(vm);
	struct timespec deadline;
	int ret = 0, late;

	deadline_after(&deadline, timeout_ms);
	pthread_mutex_lock(&vm->lock);
	if (self) {
		self->state = VMM_VCPU_PARKED;
		pthread_cond_broadcast(&vm->cond);
	}
	/* One freeze at a time; the others wait their turn. */
	while (atomic_load(&vm->freezing)) {
		ret = pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline);
		if (ret == ETIMEDOUT) {
			vmm__set_error(vm, "another freeze did not end within %u ms",
				       timeout_ms);
			ret = -ETIMEDOUT;
			goto out;
		}
	}
	atomic_store(&vm->freezing, true);
	pthread_mutex_unlock(&vm->lock);
	vmm_vcpu__kick_all(vm);
	pthread_mutex_lock(&vm->lock);

	while ((late = first_running(vm)) >= 0) {
		ret = pthread_cond_timedwait(&vm->cond, &vm->lock, &deadline);
		if (ret == ETIMEDOUT && (late = first_running(vm)) >= 0) {
			vmm__set_error(vm, "vCPU %d (APIC ID %u) did not park within %u ms (%llu exits so far)",
				       late, vm->vcpus[late].apic_id, timeout_ms,
				       (unsigned long long)vm->vcpus[late].exits);
			ret = -ETIMEDOUT;
			goto unfreeze;
		}
	}
	pthread_mutex_unlock(&vm->lock);

	ret = fn ? fn(vm, ctx) : 0;

	pthread_mutex_lock(&vm->lock);
unfreeze:
	atomic_store(&vm->freezing, false);
	pthread_cond_broadcast(&vm->cond);
out:
	if (self)
		self->state = VMM_VCPU_RUNNING;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* May vCPU i be inside KVM_RUN right now? */
static int check_parked(struct ktstr_vm *vm, unsigned int i)
{
	int ret = 0;

	if (i >= vm->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (vm->vcpus[i].state == VMM_VCPU_RUNNING &&
	    vmm_vcpu__self(vm) != &vm->vcpus[i])
		ret = -EBUSY;
	pthread_mutex_unlock(&vm->lock);
	if (ret)
		vmm__set_error(vm, "vCPU %u is running: freeze the VM first", i);
	return ret;
}

int ktstr_vm__vcpu_regs(struct ktstr_vm *vm, unsigned int i,
			struct kvm_regs *regs)
{
	int ret = check_parked(vm, i);

	if (ret)
		return ret;
	if (ioctl(vm->vcpus[i].fd, KVM_GET_REGS, regs) < 0)
		return -errno;
	return 0;
}

int ktstr_vm__vcpu_sregs(struct ktstr_vm *vm, unsigned int i,
			 struct kvm_sregs *sregs)
{
	int ret = check_parked(vm, i);

	if (ret)
		return ret;
	if (ioctl(vm->vcpus[i].fd, KVM_GET_SREGS, sregs) < 0)
		return -errno;
	return 0;
}
