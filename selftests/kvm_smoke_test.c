// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm works where the VM tier runs: a real-mode guest rings a
 * KVM_IOEVENTFD doorbell, then writes to an unregistered MMIO address and
 * halts. The doorbell must be signalled in-kernel (the first exit to
 * userspace is the second, unregistered write), the control write must
 * exit with its address and data, and the guest must reach HLT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kselftest_harness.h"

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define DOORBELL_GPA	0x80000	/* outside guest memory: MMIO */
#define CONTROL_GPA	0x80010

/*
 *	mov ax, 0x8000
 *	mov ds, ax
 *	mov dword [0x00], 0x1234abcd	; doorbell
 *	mov dword [0x10], 0xfeedf00d	; control
 *	hlt
 */
static const uint8_t guest_code[] = {
	0xb8, 0x00, 0x80,
	0x8e, 0xd8,
	0x66, 0xc7, 0x06, 0x00, 0x00, 0xcd, 0xab, 0x34, 0x12,
	0x66, 0xc7, 0x06, 0x10, 0x00, 0x0d, 0xf0, 0xed, 0xfe,
	0xf4,
};

FIXTURE(vm) {
	int kvm, vm, vcpu, efd;
	void *mem;
	struct kvm_run *run;
	size_t run_size;
};

FIXTURE_SETUP(vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	int sz;

	self->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (self->kvm < 0)
		SKIP(return, "no /dev/kvm: %s", strerror(errno));
	ASSERT_EQ(KVM_API_VERSION, ioctl(self->kvm, KVM_GET_API_VERSION, 0));
	self->vm = ioctl(self->kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);

	self->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memcpy((char *)self->mem + CODE_GPA, guest_code, sizeof(guest_code));
	region.userspace_addr = (uintptr_t)self->mem;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));

	self->vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu);
	sz = ioctl(self->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	ASSERT_LT(0, sz);
	self->run_size = sz;
	self->run = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, self->run);

	ASSERT_EQ(0, ioctl(self->vcpu, KVM_GET_SREGS, &sregs));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_SET_SREGS, &sregs));
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_SET_REGS, &regs));

	self->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(vm)
{
	if (self->kvm < 0)
		return;
	close(self->efd);
	munmap(self->run, self->run_size);
	close(self->vcpu);
	close(self->vm);
	munmap(self->mem, MEM_SIZE);
	close(self->kvm);
}

TEST_F(vm, ioeventfd_doorbell_does_not_exit)
{
	struct kvm_ioeventfd ioev = {
		.addr = DOORBELL_GPA,
		.len = 4,
		.fd = self->efd,
	};
	uint64_t count = 0;
	uint32_t data;

	ASSERT_EQ(0, ioctl(self->vm, KVM_IOEVENTFD, &ioev));

	/* Nothing rang before the guest ran. */
	EXPECT_EQ(-1, read(self->efd, &count, sizeof(count)));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, ioctl(self->vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_MMIO, self->run->exit_reason) {
		TH_LOG("exit reason %u", self->run->exit_reason);
	}
	/* The first userspace exit is the control write, not the doorbell. */
	EXPECT_EQ(CONTROL_GPA, self->run->mmio.phys_addr);
	EXPECT_TRUE(self->run->mmio.is_write);
	EXPECT_EQ(4, self->run->mmio.len);
	memcpy(&data, self->run->mmio.data, sizeof(data));
	EXPECT_EQ(0xfeedf00d, data);

	/* ...and by then the doorbell had been signalled, once. */
	ASSERT_EQ(sizeof(count), read(self->efd, &count, sizeof(count)));
	EXPECT_EQ(1, count);

	ASSERT_EQ(0, ioctl(self->vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, self->run->exit_reason);
}

TEST_F(vm, unregistered_doorbell_exits_to_userspace)
{
	uint32_t data;

	/* The control for the test above: no ioeventfd, so the doorbell exits. */
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_MMIO, self->run->exit_reason);
	EXPECT_EQ(DOORBELL_GPA, self->run->mmio.phys_addr);
	memcpy(&data, self->run->mmio.data, sizeof(data));
	EXPECT_EQ(0x1234abcd, data);
}

TEST_HARNESS_MAIN
