// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's life: create (KVM, memory, interrupt controllers, the kernel,
 * the vCPUs), run until the first thing that ends the run, destroy.
 *
 * Whatever ends the run (the exit record, a reset, a KVM error, the
 * deadline, ktstr_vm__stop()) goes through vmm__finish(): the first
 * cause is the result, later ones (the reset that follows the exit
 * record, say) are ignored, and every vCPU is kicked out to stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "vm_priv.h"

/* Console lines quoted in a result's message. */
#define RESULT_TAIL_LINES	24

static const char *const how_names[] = {
	[KTSTR_VM_NONE]			= "NONE",
	[KTSTR_VM_EXITED]		= "EXITED",
	[KTSTR_VM_SIGNALED]		= "SIGNALED",
	[KTSTR_VM_INIT_ERROR]		= "INIT_ERROR",
	[KTSTR_VM_RESET]		= "RESET",
	[KTSTR_VM_POWEROFF]		= "POWEROFF",
	[KTSTR_VM_DEADLINE]		= "DEADLINE",
	[KTSTR_VM_KVM_ERROR]		= "KVM_ERROR",
	[KTSTR_VM_BAD_EXIT_RECORD]	= "BAD_EXIT_RECORD",
	[KTSTR_VM_STOPPED]		= "STOPPED",
};

const char *ktstr_vm__how_str(enum ktstr_vm_how how)
{
	if ((unsigned int)how < sizeof(how_names) / sizeof(how_names[0]) &&
	    how_names[how])
		return how_names[how];
	return "?";
}

uint64_t vmm__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void vmm__set_error(struct ktstr_vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
}

const char *ktstr_vm__error(const struct ktstr_vm *vm)
{
	return vm->err;
}

void vmm__finish(struct ktstr_vm *vm, enum ktstr_vm_how how, int value,
		 const char *fmt, ...)
{
	struct ktstr_vm_result *res = &vm->res;
	size_t used;
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (vm->have_result) {
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	vm->have_result = true;
	res->how = how;
	res->value = value;
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	va_end(ap);
	atomic_store(&vm->stopping, true);
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);

	/* Only the finisher writes msg from here on. */
	used = strlen(res->msg);
	if (!(how == KTSTR_VM_EXITED && value == 0) && used + 64 < sizeof(res->msg)) {
		used += vmm_serial__panic(vm, res->msg + used,
					  sizeof(res->msg) - used);
		if (used + 64 < sizeof(res->msg)) {
			used += snprintf(res->msg + used, sizeof(res->msg) - used,
					 "\nlast console lines:\n");
			vmm_serial__tail(vm, res->msg + used,
					 sizeof(res->msg) - used,
					 RESULT_TAIL_LINES);
		}
	}
	vmm_vcpu__kick_all(vm);
}

void ktstr_vm__stop(struct ktstr_vm *vm)
{
	vmm__finish(vm, KTSTR_VM_STOPPED, 0, "stopped by the caller");
}

void ktstr_vm__set_capture_handler(struct ktstr_vm *vm, ktstr_vm_capture_fn fn,
				   void *ctx)
{
	vm->capture_fn = fn;
	vm->capture_ctx = ctx;
}

int ktstr_vm__vm_fd(const struct ktstr_vm *vm)
{
	return vm->vm_fd;
}

int ktstr_vm__kvm_fd(const struct ktstr_vm *vm)
{
	return vm->kvm_fd;
}

static int kvm_ioctl_err(struct ktstr_vm *vm, const char *what)
{
	int e = errno;

	vmm__set_error(vm, "%s: %s", what, strerror(e));
	return -e;
}

static int setup_kvm(struct ktstr_vm *vm)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t ident = VMM_IDENTITY_MAP_GPA;
	int ret;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return kvm_ioctl_err(vm, "open /dev/kvm");
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		vmm__set_error(vm, "KVM API version %d, need %d", ret,
			       KVM_API_VERSION);
		return -ENOTSUP;
	}
	/* Without immediate_exit a kick could be lost (vcpu.c). */
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		vmm__set_error(vm, "KVM lacks KVM_CAP_IMMEDIATE_EXIT (Linux 4.11+)");
		return -ENOTSUP;
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret <= 0)
		return kvm_ioctl_err(vm, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = ret;

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return kvm_ioctl_err(vm, "KVM_CREATE_VM");
	/* Pages KVM needs for real mode on VMX; harmless on SVM. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)VMM_TSS_GPA) < 0)
		return kvm_ioctl_err(vm, "KVM_SET_TSS_ADDR");
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident) < 0)
		return kvm_ioctl_err(vm, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return kvm_ioctl_err(vm, "KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return kvm_ioctl_err(vm, "KVM_CREATE_PIT2");
	return 0;
}

static int setup_topology(struct ktstr_vm *vm, const struct ktstr_vm_config *cfg)
{
	const struct ktstr_topology *t = &cfg->topo;
	char why[256];
	int max_vcpus, max_id;

	if (!t->nodes && !t->llcs && !t->cores && !t->threads)
		ktstr_topology__default(&vm->topo, KTSTR_VM_DEFAULT_CPUS);
	else
		vm->topo = *t;
	/* Before anything counts them: zero or too many CPUs, APIC IDs. */
	if (ktstr_topology__validate(&vm->topo, why, sizeof(why))) {
		vmm__set_error(vm, "topology %un%ul%uc%ut: %s", t->nodes,
			       t->llcs, t->cores, t->threads, why);
		return -EINVAL;
	}
	vm->nr_vcpus = ktstr_topology__nr_cpus(&vm->topo);
	max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max_vcpus <= 0)
		max_vcpus = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max_vcpus > 0 && vm->nr_vcpus > (unsigned int)max_vcpus) {
		vmm__set_error(vm, "%u vCPUs asked, KVM allows %d", vm->nr_vcpus,
			       max_vcpus);
		return -E2BIG;
	}
	max_id = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	if (max_id <= 0)
		max_id = max_vcpus;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		uint32_t id = ktstr_topology__apic_id(&vm->topo, i);

		if (max_id > 0 && id >= (uint32_t)max_id) {
			vmm__set_error(vm, "CPU %u's APIC ID %u is beyond KVM's limit %d",
				       i, id, max_id - 1);
			return -E2BIG;
		}
	}
	if (ktstr_topology__apic_id(&vm->topo, 0) != 0) {
		/* KVM's BSP is vCPU id 0 unless told otherwise. */
		vmm__set_error(vm, "CPU 0 must have APIC ID 0");
		return -EINVAL;
	}
	return 0;
}

int ktstr_vm__create(const struct ktstr_vm_config *cfg, struct ktstr_vm **vmp,
		     char *err, size_t errlen)
{
	uint64_t mem_mb = cfg->mem_mb ? cfg->mem_mb : KTSTR_VM_DEFAULT_MEM_MB;
	pthread_condattr_t ca;
	struct vmm_boot boot;
	struct ktstr_vm *vm;
	int ret;

	*vmp = NULL;
	if (err && errlen)
		err[0] = '\0';
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		if (err)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	vm->kvm_fd = vm->vm_fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->cond, &ca);
	pthread_condattr_destroy(&ca);
	vmm_serial__init(vm);
	vmm_rtc__init(vm);
	vm->console_fd = cfg->console_fd;
	vm->deadline_ms = cfg->deadline_ms;
	if (cfg->console_marker && *cfg->console_marker) {
		vm->console_marker = strdup(cfg->console_marker);
		if (!vm->console_marker) {
			ret = -ENOMEM;
			vmm__set_error(vm, "out of memory");
			goto fail;
		}
	}

	/* Below 64 MiB not even the kernel's decompression fits. */
	if (mem_mb < 64 || mem_mb > (1ULL << 22)) {
		vmm__set_error(vm, "guest memory of %llu MiB: need 64 MiB to 4 TiB",
			       (unsigned long long)mem_mb);
		ret = -EINVAL;
		goto fail;
	}
	ret = vmm_vcpu__install_kick_handler();
	if (ret) {
		vmm__set_error(vm, "cannot install the vCPU kick handler: %s",
			       strerror(-ret));
		goto fail;
	}
	ret = setup_kvm(vm);
	if (ret)
		goto fail;
	ret = setup_topology(vm, cfg);
	if (ret)
		goto fail;
	ret = vmm_memory__init(vm, mem_mb << 20);
	if (ret)
		goto fail;
	ret = vmm_bzimage__load(vm, cfg, &boot);
	if (ret)
		goto fail;
	ret = vmm_vcpu__init(vm, &boot);
	if (ret)
		goto fail;
	*vmp = vm;
	return 0;
fail:
	if (err)
		snprintf(err, errlen, "%s", vm->err[0] ? vm->err : strerror(-ret));
	ktstr_vm__destroy(vm);
	return ret;
}

static void deadline_ts(struct timespec *ts, uint64_t start_ns, uint32_t ms)
{
	uint64_t t = start_ns + ms * 1000000ULL;

	ts->tv_sec = t / 1000000000ULL;
	ts->tv_nsec = t % 1000000000ULL;
}

int ktstr_vm__run(struct ktstr_vm *vm, struct ktstr_vm_result *res)
{
	struct timespec deadline;
	uint64_t start;
	int ret;

	memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&vm->lock);
	if (vm->ran) {
		pthread_mutex_unlock(&vm->lock);
		vmm__set_error(vm, "this VM has run already");
		return -EALREADY;
	}
	vm->ran = true;
	pthread_mutex_unlock(&vm->lock);

	start = vmm__now_ns();
	deadline_ts(&deadline, start, vm->deadline_ms);
	ret = vmm_vcpu__start_all(vm);
	if (ret) {
		vmm__finish(vm, KTSTR_VM_KVM_ERROR, 0, "%s", vm->err);
	} else {
		pthread_mutex_lock(&vm->lock);
		while (!vm->have_result && vm->threads_live) {
			if (!vm->deadline_ms) {
				pthread_cond_wait(&vm->cond, &vm->lock);
				continue;
			}
			if (pthread_cond_timedwait(&vm->cond, &vm->lock,
						   &deadline) == ETIMEDOUT &&
			    !vm->have_result) {
				pthread_mutex_unlock(&vm->lock);
				vmm__finish(vm, KTSTR_VM_DEADLINE, 0,
					    "no exit record within the deadline of %u ms (%.1f s since the vCPUs started)",
					    vm->deadline_ms,
					    (vmm__now_ns() - start) / 1e9);
				pthread_mutex_lock(&vm->lock);
			}
		}
		pthread_mutex_unlock(&vm->lock);
		/* Every vCPU thread ends through vmm__finish(); be sure anyway. */
		vmm__finish(vm, KTSTR_VM_KVM_ERROR, 0, "every vCPU stopped without a cause");
	}
	vmm_vcpu__join_all(vm);
	vmm_serial__flush(vm);

	*res = vm->res;
	res->start_ns = start;
	res->end_ns = vmm__now_ns();
	res->marker_ns = atomic_load(&vm->marker_ns);
	res->first_wire_ns = atomic_load(&vm->first_wire_ns);
	res->exit_ns = atomic_load(&vm->exit_ns);
	res->doorbells = atomic_load(&vm->doorbells);
	res->unknown_io = atomic_load(&vm->unknown_io);
	res->unknown_mmio = atomic_load(&vm->unknown_mmio);
	return ret;
}

void ktstr_vm__destroy(struct ktstr_vm *vm)
{
	if (!vm)
		return;
	if (vm->vcpus) {
		vmm__finish(vm, KTSTR_VM_STOPPED, 0, "the VM was destroyed");
		vmm_vcpu__join_all(vm);
	}
	vmm_vcpu__exit(vm);
	vmm_memory__exit(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vmm_serial__exit(vm);
	vmm_rtc__exit(vm);
	pthread_cond_destroy(&vm->cond);
	pthread_mutex_destroy(&vm->lock);
	free(vm->console_marker);
	free(vm);
}
