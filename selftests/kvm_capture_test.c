// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr.ko with a real KVM guest: the doorbell rung by guest code through
 * KVM_IOEVENTFD, the VM and vCPU registration, and watchpoints.
 *
 * The guest is 16-bit code at GPA 0x1000 of a 64 KiB VM; linear addresses
 * equal guest physical ones, so a watchpoint address is a GPA here.
 */
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/ktstr.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define SLOT_GPA	0x3000
#define DATA_GPA	0x4000
#define DATA_LEN	16
#define DOORBELL_GPA	0x80000	/* no memory there: MMIO */

/*
 * The guest fills the request slot, sets data[0] = 1, rings; sets
 * data[0] = 2 and request_id = 2, rings again; halts.
 *
 *	mov dword [0x3000], KTSTR_REQUEST_MAGIC
 *	mov dword [0x3004], KTSTR_REQUEST_CAPTURE
 *	mov dword [0x3008], 1		; request_id
 *	mov dword [0x3010], 3		; tag_len
 *	mov dword [0x3018], "kvm"
 *	mov byte [0x4000], 1
 *	mov ax, 0x8000 / mov es, ax
 *	mov dword es:[0], 1		; doorbell
 *	mov byte [0x4000], 2
 *	mov dword [0x3008], 2
 *	mov dword es:[0], 1		; doorbell
 *	hlt
 */
static const uint8_t guest_capture[] = {
	0x66, 0xc7, 0x06, 0x00, 0x30, 0x71, 0x73, 0x74, 0x6b,
	0x66, 0xc7, 0x06, 0x04, 0x30, 0x01, 0x00, 0x00, 0x00,
	0x66, 0xc7, 0x06, 0x08, 0x30, 0x01, 0x00, 0x00, 0x00,
	0x66, 0xc7, 0x06, 0x10, 0x30, 0x03, 0x00, 0x00, 0x00,
	0x66, 0xc7, 0x06, 0x18, 0x30, 'k', 'v', 'm', 0x00,
	0xc6, 0x06, 0x00, 0x40, 0x01,
	0xb8, 0x00, 0x80, 0x8e, 0xc0,
	0x26, 0x66, 0xc7, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xc6, 0x06, 0x00, 0x40, 0x02,
	0x66, 0xc7, 0x06, 0x08, 0x30, 0x02, 0x00, 0x00, 0x00,
	0x26, 0x66, 0xc7, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xf4,
};

/* mov dword [0x5000], 0x11223344 ; hlt */
static const uint8_t guest_store[] = {
	0x66, 0xc7, 0x06, 0x00, 0x50, 0x44, 0x33, 0x22, 0x11,
	0xf4,
};

/*
 * cli; hlt; jmp back to hlt. With the in-kernel irqchip, HLT sleeps in
 * KVM_RUN (holding the vCPU's mutex) instead of exiting, until a signal.
 * No guest code spins: a nested guest spinning under TCG can wedge the
 * whole machine it runs in.
 */
static const uint8_t guest_sleep[] = { 0xfa, 0xf4, 0xeb, 0xfd };

struct vm {
	int kvm, fd;
	char *mem;
	int vcpu[2];
	struct kvm_run *run[2];
	size_t run_size;
};

static int vm_create(struct vm *vm, const uint8_t *code, size_t len, int nr_vcpus,
		     bool irqchip)
{
	struct kvm_userspace_memory_region region = { .memory_size = MEM_SIZE };
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct kvm_sregs sregs;

	memset(vm, 0, sizeof(*vm));
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0)
		return -errno;
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm->fd < 0 || vm->mem == MAP_FAILED)
		return -EIO;
	memcpy(vm->mem + CODE_GPA, code, len);
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		return -errno;
	if (irqchip && ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0))
		return -errno;
	vm->run_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (int i = 0; i < nr_vcpus; i++) {
		vm->vcpu[i] = ioctl(vm->fd, KVM_CREATE_VCPU, i);
		if (vm->vcpu[i] < 0)
			return -errno;
		vm->run[i] = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, vm->vcpu[i], 0);
		if (vm->run[i] == MAP_FAILED ||
		    ioctl(vm->vcpu[i], KVM_GET_SREGS, &sregs))
			return -EIO;
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
		if (ioctl(vm->vcpu[i], KVM_SET_SREGS, &sregs) ||
		    ioctl(vm->vcpu[i], KVM_SET_REGS, &regs))
			return -EIO;
	}
	return 0;
}

static void vm_destroy(struct vm *vm)
{
	for (int i = 0; i < 2; i++) {
		if (vm->run[i])
			munmap(vm->run[i], vm->run_size);
		if (vm->vcpu[i] > 0)
			close(vm->vcpu[i]);
	}
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, MEM_SIZE);
	if (vm->fd > 0)
		close(vm->fd);
	if (vm->kvm > 0)
		close(vm->kvm);
}

#define VM_CREATE(vm, code, nr, irqchip) do {				\
	int __r = vm_create(vm, code, sizeof(code), nr, irqchip);	\
	if (__r == -ENOENT)						\
		SKIP(return, "no /dev/kvm");				\
	ASSERT_EQ(0, __r);						\
} while (0)

static int attach(int fd, struct vm *vm, int nr_vcpus)
{
	struct ktstr_attach_vm a = { .size = sizeof(a), .vm_fd = vm->fd };

	if (ioctl(fd, KTSTR_IOC_ATTACH_VM, &a))
		return -errno;
	for (int i = 0; i < nr_vcpus; i++) {
		struct ktstr_vcpu v = { .size = sizeof(v), .vcpu_fd = vm->vcpu[i] };

		if (ioctl(fd, KTSTR_IOC_ADD_VCPU, &v))
			return -errno;
		if (v.index != (unsigned int)i)
			return -EPROTO;
	}
	return 0;
}

static int watch(int fd, unsigned long cmd, uint32_t slot, uint64_t addr,
		 uint32_t len, uint32_t kind, uint32_t flags, uint32_t *armed)
{
	struct ktstr_watch w = {
		.size = sizeof(w), .slot = slot, .addr = addr, .len = len,
		.kind = kind, .flags = flags,
	};

	if (ioctl(fd, cmd, &w))
		return -errno;
	if (armed)
		*armed = w.slot;
	return 0;
}

#define ARM(fd, slot, addr, len, kind, flags) \
	watch(fd, KTSTR_IOC_WATCH_ARM, slot, addr, len, kind, flags, NULL)
#define DISARM(fd, slot, flags) \
	watch(fd, KTSTR_IOC_WATCH_DISARM, slot, 0, 0, 0, flags, NULL)

FIXTURE(k) {
	int fd;
	struct vm vm;
};

FIXTURE_SETUP(k)
{
	KTSTR_ENSURE_LOADED();
	self->fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(k)
{
	close(self->fd);
	vm_destroy(&self->vm);
}

TEST_F(k, guest_rings_the_doorbell_in_kernel)
{
	struct ktstr_region r = { 0, DATA_LEN };
	struct ktstr_doorbell db = { .size = sizeof(db) };
	struct kvm_ioeventfd ioev = { .addr = DOORBELL_GPA, .len = 4 };
	char buf[4096];
	struct ktstr_record *rec = (void *)buf;
	int efd;

	VM_CREATE(&self->vm, guest_capture, 1, false);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ioev.fd = efd;
	ASSERT_EQ(0, ioctl(self->vm.fd, KVM_IOEVENTFD, &ioev));
	r.uaddr = (uintptr_t)self->vm.mem + DATA_GPA;
	db.eventfd = efd;
	db.slot_uaddr = (uintptr_t)self->vm.mem + SLOT_GPA;
	db.regions = (uintptr_t)&r;
	db.nr_regions = 1;
	db.nr_records = 8;
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_DOORBELL_SET, &db));
	ASSERT_EQ(0, attach(self->fd, &self->vm, 1));

	/* Both doorbells ring without a userspace exit: the guest halts. */
	ASSERT_EQ(0, ioctl(self->vm.vcpu[0], KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_HLT, self->vm.run[0]->exit_reason) {
		TH_LOG("exit %u", self->vm.run[0]->exit_reason);
	}
	ASSERT_EQ(2 * db.record_size, read(self->fd, buf, sizeof(buf)));
	for (int i = 0; i < 2; i++) {
		rec = (void *)(buf + i * db.record_size);
		EXPECT_EQ(i + 1, rec->seq);
		EXPECT_EQ(0, rec->flags);
		EXPECT_EQ(KTSTR_REQUEST_CAPTURE, rec->req.kind);
		EXPECT_EQ(i + 1, rec->req.request_id);
		EXPECT_EQ(0, memcmp(rec->req.tag, "kvm", 4));
		EXPECT_EQ(DATA_LEN, rec->data_len);
		/* The guest's byte as it was when that doorbell rang. */
		EXPECT_EQ(i + 1, ((unsigned char *)(rec + 1))[0]);
	}
	close(efd);
}

TEST_F(k, attach_and_vcpu_validation)
{
	struct ktstr_attach_vm a = { .size = sizeof(a) };
	struct ktstr_vcpu v = { .size = sizeof(v) };
	struct vm other;
	int efd = eventfd(0, 0);

	VM_CREATE(&self->vm, guest_store, 2, false);
	ASSERT_EQ(0, vm_create(&other, guest_store, sizeof(guest_store), 1, false));

	v.vcpu_fd = self->vm.vcpu[0];
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ADD_VCPU, &v));
	EXPECT_EQ(ENOTCONN, errno);

	a.vm_fd = -1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ATTACH_VM, &a));
	EXPECT_EQ(EBADF, errno);
	a.vm_fd = efd;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ATTACH_VM, &a));
	EXPECT_EQ(EINVAL, errno);
	a.vm_fd = self->vm.vcpu[0];
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ATTACH_VM, &a));
	EXPECT_EQ(EINVAL, errno);
	a.vm_fd = self->vm.fd;
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_ATTACH_VM, &a));
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ATTACH_VM, &a));
	EXPECT_EQ(EBUSY, errno);

	/* Not vCPUs of this VM. */
	const int bad[] = { efd, self->vm.fd, self->vm.kvm, other.vcpu[0], other.fd };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v.vcpu_fd = bad[i];
		errno = 0;
		EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ADD_VCPU, &v));
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("case %zu", i);
		}
	}
	v.vcpu_fd = 9999;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ADD_VCPU, &v));
	EXPECT_EQ(EBADF, errno);
	v.vcpu_fd = self->vm.vcpu[1];
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_ADD_VCPU, &v));
	EXPECT_EQ(0, v.index);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ADD_VCPU, &v));
	EXPECT_EQ(EEXIST, errno);
	v.vcpu_fd = self->vm.vcpu[0];
	v.pad = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_ADD_VCPU, &v));
	EXPECT_EQ(EINVAL, errno);
	v.pad = 0;
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_ADD_VCPU, &v));
	EXPECT_EQ(1, v.index);

	/* The VMM closing its VM fd does not pull the VM from under us. */
	close(self->vm.fd);
	self->vm.fd = -1;
	EXPECT_EQ(0, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	vm_destroy(&other);
	close(efd);
}

TEST_F(k, watch_slots)
{
	uint32_t slot = ~0u;

	VM_CREATE(&self->vm, guest_store, 2, false);
	EXPECT_EQ(-ENOTCONN, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	ASSERT_EQ(0, attach(self->fd, &self->vm, 2));

	/* Bad requests. */
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5000, 3, KTSTR_WATCH_WRITE, 0));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5000, 16, KTSTR_WATCH_WRITE, 0));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5002, 4, KTSTR_WATCH_WRITE, 0));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5004, 8, KTSTR_WATCH_RW, 0));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_EXEC, 0));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5000, 4, 0, 0));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5000, 4, 9, 0));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0x80));
	EXPECT_EQ(-EINVAL, ARM(self->fd, 4, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	/* Slot 0 is the error trigger's, and the error trigger's is slot 0. */
	EXPECT_EQ(-EPERM, ARM(self->fd, 0, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	EXPECT_EQ(-EPERM, ARM(self->fd, 2, 0x5000, 4, KTSTR_WATCH_WRITE,
			      KTSTR_WATCH_ERROR_TRIGGER));
	EXPECT_EQ(-ENOENT, DISARM(self->fd, 1, 0));
	EXPECT_EQ(-EINVAL, DISARM(self->fd, 7, 0));

	/* Three user slots, then none. */
	for (uint32_t i = 1; i <= 3; i++) {
		ASSERT_EQ(0, watch(self->fd, KTSTR_IOC_WATCH_ARM, KTSTR_WATCH_ANY_SLOT,
				   0x5000 + 8 * i, 8, KTSTR_WATCH_RW, 0, &slot));
		EXPECT_EQ(i, slot);
	}
	EXPECT_EQ(-ENOSPC, ARM(self->fd, KTSTR_WATCH_ANY_SLOT, 0x6000, 4,
			       KTSTR_WATCH_WRITE, 0));
	EXPECT_EQ(-EEXIST, ARM(self->fd, 2, 0x6000, 4, KTSTR_WATCH_WRITE, 0));
	ASSERT_EQ(0, watch(self->fd, KTSTR_IOC_WATCH_ARM, KTSTR_WATCH_ANY_SLOT,
			   0x1000, 1, KTSTR_WATCH_EXEC, KTSTR_WATCH_ERROR_TRIGGER, &slot));
	EXPECT_EQ(0, slot);
	EXPECT_EQ(-EPERM, DISARM(self->fd, 0, 0));
	EXPECT_EQ(0, DISARM(self->fd, 0, KTSTR_WATCH_ERROR_TRIGGER));
	EXPECT_EQ(0, DISARM(self->fd, 2, 0));
	ASSERT_EQ(0, watch(self->fd, KTSTR_IOC_WATCH_ARM, KTSTR_WATCH_ANY_SLOT,
			   0x6000, 2, KTSTR_WATCH_WRITE, 0, &slot));
	EXPECT_EQ(2, slot);

	struct ktstr_stats st = { .size = sizeof(st) };

	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_STATS, &st));
	EXPECT_EQ(7, st.watch_changes);
}

TEST_F(k, arm_from_another_process_is_refused)
{
	int status;
	pid_t pid;

	VM_CREATE(&self->vm, guest_store, 1, false);
	ASSERT_EQ(0, attach(self->fd, &self->vm, 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(-ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	EXPECT_EQ(0, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
}

static void on_kick(int sig)
{
}

static volatile int spinner_entering;

static void *spin(void *arg)
{
	struct vm *vm = arg;

	spinner_entering = 1;
	ioctl(vm->vcpu[1], KVM_RUN, 0);	/* asleep in HLT until kicked: -EINTR */
	return NULL;
}

TEST_F(k, arm_rolls_back_when_a_vcpu_runs)
{
	struct sigaction sa = { .sa_handler = on_kick };
	pthread_t t;
	uint32_t slot = ~0u;

	VM_CREATE(&self->vm, guest_sleep, 2, true);
	ASSERT_EQ(0, attach(self->fd, &self->vm, 2));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, spin, &self->vm));
	while (!spinner_entering)
		usleep(1000);
	/* From there to asleep inside KVM_RUN is quick. */
	usleep(300000);

	/* vCPU 0 is changed first, then vCPU 1 is found running. */
	EXPECT_EQ(-EBUSY, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	EXPECT_EQ(-ENOENT, DISARM(self->fd, 1, 0));
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	/* Nothing stayed armed: the slot is free and arming now works. */
	ASSERT_EQ(0, watch(self->fd, KTSTR_IOC_WATCH_ARM, KTSTR_WATCH_ANY_SLOT,
			   0x5000, 4, KTSTR_WATCH_WRITE, 0, &slot));
	EXPECT_EQ(1, slot);
}

TEST_F(k, write_watchpoint_fires)
{
	struct kvm_run *run;

	if (ktstr_under_tcg())
		SKIP(return, "nested KVM under QEMU TCG: hardware breakpoints "
		     "do not fire there, and armed ones can wedge the machine");
	VM_CREATE(&self->vm, guest_store, 1, false);
	ASSERT_EQ(0, attach(self->fd, &self->vm, 1));
	ASSERT_EQ(0, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	run = self->vm.run[0];
	ASSERT_EQ(0, ioctl(self->vm.vcpu[0], KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_DEBUG, run->exit_reason) {
		TH_LOG("exit %u; the watched dword is %#x", run->exit_reason,
		       *(uint32_t *)(self->vm.mem + 0x5000));
	}
	/* DR6 says breakpoint 1 hit. */
	EXPECT_TRUE(run->debug.arch.dr6 & (1 << 1));
}

TEST_F(k, watchpoint_cleared_on_close)
{
	struct kvm_run *run;

	if (ktstr_under_tcg())
		SKIP(return, "nested KVM under QEMU TCG: hardware breakpoints "
		     "do not fire there, so a cleared one looks the same");
	VM_CREATE(&self->vm, guest_store, 1, false);
	ASSERT_EQ(0, attach(self->fd, &self->vm, 1));
	ASSERT_EQ(0, ARM(self->fd, 1, 0x5000, 4, KTSTR_WATCH_WRITE, 0));
	close(self->fd);
	self->fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC);
	run = self->vm.run[0];
	ASSERT_EQ(0, ioctl(self->vm.vcpu[0], KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, run->exit_reason);
	EXPECT_EQ(0x11223344, *(uint32_t *)(self->vm.mem + 0x5000));
}

TEST_HARNESS_MAIN
