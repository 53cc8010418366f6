// SPDX-License-Identifier: GPL-2.0
/*
 * Bounded random ioctls on /dev/ktstr: known and unknown commands with
 * arguments built from good and bad parts (sizes, fds, pointers, counts),
 * mixed with read/poll/mmap and session restarts. The seed is fixed and
 * printed (KTSTR_FUZZ_SEED, KTSTR_FUZZ_ITERS override). The kernel runs
 * with oops=panic in the VM tier, so a crash fails the tier; afterwards
 * the module must still answer, hold no references, and unload.
 */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/ktstr.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64*: fixed sequence for a seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[next() % n];
}

#define PICK(...) ({ const uint64_t __v[] = { __VA_ARGS__ };		\
		     pick(__v, sizeof(__v) / sizeof(__v[0])); })

struct world {
	int fd, efd, kvm, vm, vcpu;
	char *mem, *ro, *none;
	size_t len;
};

static uint64_t any_fd(struct world *w)
{
	return PICK(w->efd, w->fd, w->vm, w->vcpu, w->kvm, -1, 0, 1, 9999,
		    next() & 0xffffffff);
}

static uint64_t any_ptr(struct world *w)
{
	return PICK((uintptr_t)w->mem, (uintptr_t)w->mem + 4095,
		    (uintptr_t)w->mem + (next() % w->len), (uintptr_t)w->ro,
		    (uintptr_t)w->none, 0, 0xffffffff81000000ull,
		    0x00007ffffffff000ull, next() | 1ull << 63);
}

static uint64_t any_len(void)
{
	return PICK(0, 1, 8, 64, 104, 4096, 4097, 1 << 20, (1 << 20) + 1,
		    next() % 65536, ~0ull, next());
}

/* A valid argument for @cmd, as a well-behaved VMM would pass it. */
static void valid(struct world *w, unsigned long cmd, uint64_t *a)
{
	struct ktstr_region *r = (void *)(w->mem + 8192);
	uint32_t *h = (uint32_t *)a;

	h[0] = _IOC_SIZE(cmd);
	switch (cmd) {
	case KTSTR_IOC_DOORBELL_SET:
		r[0] = (struct ktstr_region){ (uintptr_t)w->mem + 4096, 256 };
		h[1] = w->efd;
		a[1] = (uintptr_t)w->mem;
		a[2] = (uintptr_t)r;
		h[6] = 1;
		h[7] = 4;
		break;
	case KTSTR_IOC_REPLY:
		h[1] = -(next() % 5);
		a[1] = next() % 8;
		break;
	case KTSTR_IOC_CONSUME:
		h[1] = next() % 2;
		break;
	case KTSTR_IOC_ATTACH_VM:
		h[1] = w->vm;
		break;
	case KTSTR_IOC_ADD_VCPU:
		h[1] = w->vcpu;
		break;
	case KTSTR_IOC_WATCH_ARM:
		h[1] = KTSTR_WATCH_ANY_SLOT;
		a[1] = 0x5000;
		h[4] = 4;
		h[5] = KTSTR_WATCH_WRITE;
		break;
	case KTSTR_IOC_WATCH_DISARM:
		h[1] = 1 + next() % 3;
		break;
	}
}

/* A random argument for @cmd: its own struct, with fields good or bad. */
static void random_arg(struct world *w, unsigned long cmd, uint64_t *a, size_t n)
{
	uint32_t *h = (uint32_t *)a;

	for (size_t i = 0; i < n; i++)
		a[i] = next() % 4 ? 0 : next();
	h[0] = PICK(_IOC_SIZE(cmd), _IOC_SIZE(cmd), 0, 4, 8, 16, 24, 4096,
		    next() & 0xffff);
	switch (cmd) {
	case KTSTR_IOC_DOORBELL_SET: {
		struct ktstr_region *r = (void *)(w->mem + 8192);

		for (int i = 0; i < 4; i++)
			r[i] = (struct ktstr_region){ any_ptr(w), any_len() };
		h[1] = any_fd(w);
		a[1] = any_ptr(w);
		a[2] = PICK((uintptr_t)r, (uintptr_t)r, any_ptr(w));
		h[6] = PICK(0, 1, 2, 4, 16, 17, next());
		h[7] = PICK(1, 2, 64, 4096, 4097, 0, next());
		break;
	}
	case KTSTR_IOC_ATTACH_VM:
	case KTSTR_IOC_ADD_VCPU:
		h[1] = any_fd(w);
		break;
	case KTSTR_IOC_WATCH_ARM:
	case KTSTR_IOC_WATCH_DISARM:
		h[1] = PICK(0, 1, 2, 3, 4, KTSTR_WATCH_ANY_SLOT, next());
		a[1] = PICK(0x5000, 0x5001, 0x1000, next());
		h[4] = PICK(1, 2, 4, 8, 3, 0, next());
		h[5] = PICK(1, 2, 3, 0, 4, next());
		h[6] = PICK(0, 0, KTSTR_WATCH_ERROR_TRIGGER, next());
		break;
	case KTSTR_IOC_CONSUME:
		h[1] = PICK(0, 1, 2, 1000, ~0u);
		break;
	}
}

/* Half valid arguments with at most one word spoiled, half random ones. */
static void fill(struct world *w, unsigned long cmd, uint64_t *a, size_t n)
{
	uint32_t *h = (uint32_t *)a;
	/* A random command's size field can be far larger than @a. */
	size_t words = _IOC_SIZE(cmd) / 4;

	if (words > n * 2)
		words = n * 2;
	if (next() % 2) {
		random_arg(w, cmd, a, n);
		return;
	}
	memset(a, 0, n * sizeof(*a));
	valid(w, cmd, a);
	if (words && next() % 2)
		h[next() % words] = PICK(0, 1, ~0u, 0x80000000u, next());
}

/*
 * @len bytes of shared memory between two PROT_NONE guard pages. Pointers
 * into it are handed to the module with lengths that run past its end; a
 * guard turns that into -EFAULT, where an unguarded neighbour (the C
 * library's data, the harness's shared results page) would be overwritten.
 */
static char *guarded_map(size_t len)
{
	char *g = mmap(NULL, len + 2 * 4096, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (g == MAP_FAILED)
		return MAP_FAILED;
	return mmap(g + 4096, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void session_restart(struct world *w)
{
	close(w->fd);
	/* Non-blocking: an empty ring would rightly block read() forever. */
	w->fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC | O_NONBLOCK);
}

TEST(random_ioctls)
{
	static const unsigned long cmds[] = {
		KTSTR_IOC_VERSION, KTSTR_IOC_DOORBELL_SET, KTSTR_IOC_REPLY,
		KTSTR_IOC_CONSUME, KTSTR_IOC_STATS, KTSTR_IOC_ATTACH_VM,
		KTSTR_IOC_ADD_VCPU, KTSTR_IOC_WATCH_ARM, KTSTR_IOC_WATCH_DISARM,
	};
	const char *s = getenv("KTSTR_FUZZ_SEED"), *it = getenv("KTSTR_FUZZ_ITERS");
	uint64_t seed = s ? strtoull(s, NULL, 0) : 0x6b74737472ull;
	long iters = it ? atol(it) : 20000, calls[3] = { 0 }, ok[9] = { 0 };
	struct ktstr_version v = { .size = sizeof(v) };
	struct world w = { .len = 4 * 4096 };
	uint64_t arg[64];
	char buf[8192];

	KTSTR_ENSURE_LOADED();
	rng = seed ? seed : 1;
	TH_LOG("seed %#llx, %ld iterations (KTSTR_FUZZ_SEED, KTSTR_FUZZ_ITERS)",
	       (unsigned long long)seed, iters);

	w.fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, w.fd);
	w.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w.mem = guarded_map(w.len);
	w.ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	w.none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, w.mem);
	ASSERT_NE(MAP_FAILED, w.ro);
	ASSERT_NE(MAP_FAILED, w.none);
	/* A VM and a vCPU to attach, never run. */
	w.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	w.vm = w.kvm >= 0 ? ioctl(w.kvm, KVM_CREATE_VM, 0) : -1;
	w.vcpu = w.vm >= 0 ? ioctl(w.vm, KVM_CREATE_VCPU, 0) : -1;

	for (long i = 0; i < iters; i++) {
		unsigned long cmd;
		uint64_t r = next() % 100;

		if (r < 80) {
			unsigned int k = next() % (sizeof(cmds) / sizeof(cmds[0]));

			cmd = cmds[k];
			if (next() % 20 == 0)	/* same number, other size/dir */
				cmd = _IOC(next() % 4, KTSTR_IOC_MAGIC,
					   _IOC_NR(cmd), next() % 512);
			else if (next() % 50 == 0)
				cmd = next();
			fill(&w, cmd, arg, 64);
			if (!ioctl(w.fd, cmd, next() % 30 ? (unsigned long)arg : any_ptr(&w)) &&
			    cmd == cmds[k])
				ok[k]++;
			calls[0]++;
		} else if (r < 88) {
			read(w.fd, next() % 4 ? buf : (char *)any_ptr(&w),
			     PICK(0, 1, 200, sizeof(buf)));
			calls[1]++;
		} else if (r < 92) {
			struct pollfd p = { .fd = w.fd, .events = POLLIN };

			poll(&p, 1, 0);
		} else if (r < 95) {
			size_t len = PICK(4096, 8192, 1 << 20, any_len());
			void *m = mmap(NULL, len, PICK(PROT_READ, PROT_WRITE,
				       PROT_READ | PROT_WRITE), MAP_SHARED, w.fd,
				       PICK(0, 0, 4096, 1 << 30));

			if (m != MAP_FAILED)
				munmap(m, len);
			calls[2]++;
		} else if (r < 97) {
			eventfd_write(w.efd, 1);
		} else {
			session_restart(&w);
			ASSERT_LE(0, w.fd);
		}
	}
	TH_LOG("%ld ioctls, %ld reads, %ld mmaps", calls[0], calls[1], calls[2]);
	/* That the random arguments got past validation, too. */
	TH_LOG("succeeded: version %ld doorbell_set %ld reply %ld consume %ld "
	       "stats %ld attach %ld add_vcpu %ld arm %ld disarm %ld", ok[0],
	       ok[1], ok[2], ok[3], ok[4], ok[5], ok[6], ok[7], ok[8]);

	/* Still answering, and nothing left behind once all is closed. */
	EXPECT_EQ(0, ioctl(w.fd, KTSTR_IOC_VERSION, &v));
	EXPECT_EQ(KTSTR_ABI_MAJOR, v.abi_major);
	close(w.fd);
	if (w.vcpu >= 0)
		close(w.vcpu);
	if (w.vm >= 0)
		close(w.vm);
	if (w.kvm >= 0)
		close(w.kvm);
	close(w.efd);
	EXPECT_EQ(0, ktstr_module_refcnt());
}

TEST_HARNESS_MAIN
