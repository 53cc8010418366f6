// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: one thread each, running KVM_RUN and handling its exits.
 *
 * vCPU i gets the APIC ID the topology gives it as its KVM vCPU id (the
 * in-kernel LAPIC reports the vCPU id as its APIC ID) and the topology's
 * CPUID. Only the BSP gets register state: it starts in long mode at the
 * kernel's 64-bit entry. The APs stay in the wait-for-SIPI state KVM
 * creates them in, and the guest starts them through its real-mode
 * trampoline with INIT/SIPI, handled by the in-kernel LAPIC.
 *
 * Kicking: the run state (stopping, freezing) is changed first, then each
 * thread gets KTSTR_VM_KICK_SIGNAL. Its handler sets kvm_run's
 * immediate_exit, so a kick that lands between the thread's check of the
 * run state and its KVM_RUN makes that KVM_RUN return -EINTR at once; a
 * kick inside KVM_RUN interrupts it. Either way no kick is lost.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_priv.h"

/* The vCPU this thread runs: for the kick handler and for freeze. */
static __thread struct vmm_vcpu *current_vcpu;

#define X86_CR0_PE	0x1ULL
#define X86_CR0_ET	0x10ULL
#define X86_CR0_PG	0x80000000ULL
#define X86_CR4_PAE	0x20ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

/* LAPIC local vector table entries, as firmware leaves them on a PC. */
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_DM_NMI	0x400
#define APIC_DM_EXTINT	0x700

static void kick_handler(int sig)
{
	(void)sig;
	if (current_vcpu)
		__atomic_store_n(&current_vcpu->run->immediate_exit, 1,
				 __ATOMIC_SEQ_CST);
}

int vmm_vcpu__install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: the point is to interrupt KVM_RUN. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(KTSTR_VM_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	return 0;
}

struct vmm_vcpu *vmm_vcpu__self(struct ktstr_vm *vm)
{
	return current_vcpu && current_vcpu->vm == vm ? current_vcpu : NULL;
}

static int setup_lint(struct vmm_vcpu *vcpu)
{
	struct kvm_lapic_state lapic;
	uint32_t *lvt0 = (uint32_t *)&lapic.regs[APIC_LVT0];
	uint32_t *lvt1 = (uint32_t *)&lapic.regs[APIC_LVT1];

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic) < 0)
		return -errno;
	/*
	 * Virtual wire mode, as a BIOS leaves it: the kernel keeps LINT0 as
	 * ExtINT on the BSP only if it finds it so, and uses it while it
	 * checks whether the timer works through the IOAPIC.
	 */
	*lvt0 = APIC_DM_EXTINT;
	*lvt1 = APIC_DM_NMI;
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic) < 0)
		return -errno;
	return 0;
}

static void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type,
			 bool code)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = code ? 0 : 1,
		.s = 1,
		.l = code ? 1 : 0,
		.g = 1,
	};
}

static int setup_bsp(struct vmm_vcpu *vcpu, const struct vmm_boot *boot)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	flat_segment(&sregs.cs, 0x10, 0xb, true);	/* execute/read, accessed */
	flat_segment(&sregs.ds, 0x18, 0x3, false);	/* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = boot->gdt;
	sregs.gdt.limit = boot->gdt_limit;
	sregs.cr3 = boot->cr3;
	sregs.cr4 = X86_CR4_PAE;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;	/* reserved bit; interrupts off */
	regs.rip = boot->entry;
	regs.rsi = boot->zero_page;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

int vmm_vcpu__init(struct ktstr_vm *vm, const struct vmm_boot *boot)
{
	int ret;

	vm->vcpus = calloc(vm->nr_vcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return -ENOMEM;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].fd = -1;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];
		void *run;

		vcpu->vm = vm;
		vcpu->idx = i;
		vcpu->apic_id = ktstr_topology__apic_id(&vm->topo, i);
		vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu->apic_id);
		if (vcpu->fd < 0) {
			ret = -errno;
			vmm__set_error(vm, "KVM_CREATE_VCPU %u (APIC ID %u): %s",
				       i, vcpu->apic_id, strerror(errno));
			return ret;
		}
		run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
			   MAP_SHARED, vcpu->fd, 0);
		if (run == MAP_FAILED) {
			ret = -errno;
			vmm__set_error(vm, "mmap of vCPU %u's kvm_run: %s", i,
				       strerror(errno));
			return ret;
		}
		vcpu->run = run;

		ret = ktstr_cpuid__setup(vm->kvm_fd, vcpu->fd, &vm->topo, i);
		if (ret < 0) {
			vmm__set_error(vm, "CPUID of vCPU %u: %s", i, strerror(-ret));
			return ret;
		}
		ret = setup_lint(vcpu);
		if (ret) {
			vmm__set_error(vm, "LAPIC of vCPU %u: %s", i, strerror(-ret));
			return ret;
		}
		if (i == 0) {
			ret = setup_bsp(vcpu, boot);
			if (ret) {
				vmm__set_error(vm, "BSP registers: %s", strerror(-ret));
				return ret;
			}
		}
	}
	return 0;
}

void vmm_vcpu__exit(struct ktstr_vm *vm)
{
	if (!vm->vcpus)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, vm->run_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
}

static void describe_regs(struct vmm_vcpu *vcpu, char *buf, size_t len)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		snprintf(buf, len, "(registers unreadable: %s)", strerror(errno));
		return;
	}
	snprintf(buf, len,
		 "rip %#llx rsp %#llx rflags %#llx rax %#llx rsi %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cs %#x",
		 r.rip, r.rsp, r.rflags, r.rax, r.rsi, s.cr0, s.cr3, s.cr4,
		 s.efer, s.cs.selector);
}

static void kvm_error(struct vmm_vcpu *vcpu, const char *what)
{
	char regs[512];

	describe_regs(vcpu, regs, sizeof(regs));
	vmm__finish(vcpu->vm, KTSTR_VM_KVM_ERROR, 0, "vCPU %u: %s; %s",
		    vcpu->idx, what, regs);
}

static void handle_io(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	/* A rep ins/outs comes as count items back to back. */
	for (uint32_t i = 0; i < run->io.count; i++) {
		vmm_ioport__io(vcpu, run->io.port,
			       run->io.direction == KVM_EXIT_IO_OUT, data,
			       run->io.size);
		data += run->io.size;
	}
}

/* Handle one exit; false when the thread should stop running. */
static bool handle_exit(struct vmm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	char what[256];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		vmm_wire__mmio(vcpu, run->mmio.phys_addr, run->mmio.is_write,
			       run->mmio.data,
			       run->mmio.len > 8 ? 8 : run->mmio.len);
		return true;
	case KVM_EXIT_HLT:
		/* The in-kernel LAPIC handles HLT; should it come here, resume. */
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault: how Linux resets with reboot=t, or dies. */
		vmm__finish(vcpu->vm, KTSTR_VM_RESET, 0,
			    "guest reset/panicked (triple fault on vCPU %u) before writing an exit record",
			    vcpu->idx);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			vmm__finish(vcpu->vm, KTSTR_VM_POWEROFF, 0,
				    "the guest powered off without an exit record");
			break;
		case KVM_SYSTEM_EVENT_RESET:
			vmm__finish(vcpu->vm, KTSTR_VM_RESET, 0,
				    "guest reset/panicked (reset event on vCPU %u) before writing an exit record",
				    vcpu->idx);
			break;
		case KVM_SYSTEM_EVENT_CRASH:
			vmm__finish(vcpu->vm, KTSTR_VM_RESET, 0,
				    "guest crashed (crash event on vCPU %u)",
				    vcpu->idx);
			break;
		default:
			snprintf(what, sizeof(what), "unknown system event %u",
				 run->system_event.type);
			kvm_error(vcpu, what);
			break;
		}
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what),
			 "KVM internal error, suberror %u (%s), %u data words%s%llx",
			 run->internal.suberror,
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			 "instruction emulation failed" :
			 run->internal.suberror == KVM_INTERNAL_ERROR_SIMUL_EX ?
			 "exception during exception delivery" : "other",
			 run->internal.ndata,
			 run->internal.ndata ? ", first " : "",
			 run->internal.ndata ? run->internal.data[0] : 0ULL);
		kvm_error(vcpu, what);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what),
			 "VM entry failed, hardware reason %#llx on CPU %u",
			 run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		kvm_error(vcpu, what);
		return false;
	default:
		snprintf(what, sizeof(what), "unexpected exit reason %u",
			 run->exit_reason);
		kvm_error(vcpu, what);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vmm_vcpu *vcpu = arg;
	struct ktstr_vm *vm = vcpu->vm;
	char name[16];
	sigset_t set;

	current_vcpu = vcpu;
	snprintf(name, sizeof(name), "ktstr-vcpu%u", vcpu->idx);
	pthread_setname_np(pthread_self(), name);
	sigemptyset(&set);
	sigaddset(&set, KTSTR_VM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	for (;;) {
		/* Clear first, then look: a kick after the look re-sets it. */
		__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (atomic_load(&vm->stopping))
			break;
		if (atomic_load(&vm->freezing)) {
			vmm_freeze__park(vcpu);
			continue;
		}
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			kvm_error(vcpu, errno == EFAULT ?
				  "KVM_RUN: bad address (guest memory gone?)" :
				  strerror(errno));
			break;
		}
		vcpu->exits++;
		if (!handle_exit(vcpu))
			break;
	}

	pthread_mutex_lock(&vm->lock);
	vcpu->state = VMM_VCPU_IDLE;
	vm->threads_live--;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	current_vcpu = NULL;
	return NULL;
}

int vmm_vcpu__start_all(struct ktstr_vm *vm)
{
	sigset_t block, old;
	int ret = 0;

	/*
	 * Start the threads with the kick signal blocked so that none can
	 * take it before it knows its vCPU; each unblocks it itself.
	 */
	sigemptyset(&block);
	sigaddset(&block, KTSTR_VM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];

		pthread_mutex_lock(&vm->lock);
		vcpu->state = VMM_VCPU_RUNNING;
		vm->threads_live++;
		pthread_mutex_unlock(&vm->lock);
		ret = -pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
		if (ret) {
			pthread_mutex_lock(&vm->lock);
			vcpu->state = VMM_VCPU_IDLE;
			vm->threads_live--;
			pthread_mutex_unlock(&vm->lock);
			vmm__set_error(vm, "cannot start vCPU thread %u: %s", i,
				       strerror(-ret));
			break;
		}
		vcpu->thread_started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

void vmm_vcpu__kick_all(struct ktstr_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->thread_started && vcpu != current_vcpu)
			pthread_kill(vcpu->thread, KTSTR_VM_KICK_SIGNAL);
	}
}

void vmm_vcpu__join_all(struct ktstr_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vmm_vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->thread_started) {
			pthread_join(vcpu->thread, NULL);
			vcpu->thread_started = false;
		}
	}
}

int ktstr_vm__vcpu_fd(const struct ktstr_vm *vm, unsigned int i)
{
	return i < vm->nr_vcpus ? vm->vcpus[i].fd : -1;
}

uint32_t ktstr_vm__vcpu_apic_id(const struct ktstr_vm *vm, unsigned int i)
{
	return i < vm->nr_vcpus ? vm->vcpus[i].apic_id : UINT32_MAX;
}

unsigned int ktstr_vm__nr_vcpus(const struct ktstr_vm *vm)
{
	return vm->nr_vcpus;
}
