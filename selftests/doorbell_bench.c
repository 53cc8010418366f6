// SPDX-License-Identifier: GPL-2.0
/*
 * Doorbell-to-capture benchmark: the same guest, the same capture, two
 * paths, side by side in one run.
 *
 *   kmod  the doorbell GPA is a KVM_IOEVENTFD; KVM signals the eventfd in
 *         the vCPU thread and ktstr.ko copies the slot and the regions
 *         into its ring before the guest resumes. No exit to userspace.
 *   user  no ioeventfd: the doorbell write is a KVM_EXIT_MMIO, and this
 *         program (the VMM) copies the slot and the regions into a ring
 *         of its own, with the same checks, then re-enters KVM_RUN.
 *
 * Latency is what the guest sees: it reads the TSC just before and just
 * after its doorbell write, so each sample covers the exit, the capture
 * and the return, on either path. Throughput is captures per second of
 * host wall time over a batch. The paths alternate round by round so that
 * the machine's noise falls on both.
 *
 * Not a test: it prints figures. Run it in the VM tier with
 *	make -C selftests bench
 * or on a KVM host with ktstr.ko loaded: ./doorbell_bench [-n N] [-r R]
 * [-s BYTES[,BYTES...]]. Exit 4 (skip) without /dev/kvm or ktstr.ko.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/ktstr.h>
#include <linux/kvm.h>

#include "ktstr_test.h"

#define KSFT_SKIP	4

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define SLOT_GPA	0x3000
#define DATA_GPA	0x4000
#define DATA_MAX	0x4000
#define SAMPLES_GPA	0x8000	/* u32 TSC deltas, one per doorbell */
#define SAMPLES_MAX	((MEM_SIZE - SAMPLES_GPA) / 4)
#define DOORBELL_GPA	0x80000	/* no memory there: MMIO */

/*
 * 16-bit guest, linear == physical. For each of CX doorbells: bump the
 * slot's request_id, take the TSC, ring, take the TSC, store the delta.
 *
 *	mov ax, 0x8000 / mov es, ax	; es:0 is the doorbell
 *	mov di, SAMPLES_GPA
 *	mov cx, N			; patched
 * l:	inc dword [SLOT_GPA + 8]	; request_id
 *	rdtsc / mov esi, eax
 *	mov dword es:[0], 1		; ring
 *	rdtsc / sub eax, esi
 *	mov [di], eax / add di, 4
 *	loop l
 *	hlt
 */
static const uint8_t guest_code[] = {
	0xb8, 0x00, 0x80, 0x8e, 0xc0,
	0xbf, SAMPLES_GPA & 0xff, SAMPLES_GPA >> 8,
	0xb9, 0x00, 0x00,
	0x66, 0xff, 0x06, (SLOT_GPA + 8) & 0xff, (SLOT_GPA + 8) >> 8,
	0x0f, 0x31, 0x66, 0x89, 0xc6,
	0x26, 0x66, 0xc7, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x0f, 0x31, 0x66, 0x29, 0xf0,
	0x66, 0x89, 0x05, 0x83, 0xc7, 0x04,
	0xe2, 0xdf,
	0xf4,
};

#define GUEST_COUNT_OFF	9	/* the imm16 of mov cx */

enum path { PATH_KMOD, PATH_USER, NR_PATHS };

static const char * const path_name[NR_PATHS] = { "kmod", "user" };

struct vm {
	int kvm, fd, vcpu;
	char *mem;
	struct kvm_run *run;
	size_t run_size;
};

/* The user path's ring: records laid out as ktstr.ko lays out its own. */
struct user_ring {
	char *mem;
	size_t record_size;
	uint32_t nr_records;
	uint64_t head;
};

struct samples {
	uint32_t *tsc;
	size_t n;
	double wall_s;		/* host time in KVM_RUN loops */
	uint64_t captures;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "doorbell_bench: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void vm_create(struct vm *vm, uint16_t count)
{
	struct kvm_userspace_memory_region region = { .memory_size = MEM_SIZE };
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct ktstr_request *slot;
	struct kvm_sregs sregs;

	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM: %s", strerror(errno));
	vm->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED)
		die("mmap guest memory: %s", strerror(errno));
	memcpy(vm->mem + CODE_GPA, guest_code, sizeof(guest_code));
	memcpy(vm->mem + CODE_GPA + GUEST_COUNT_OFF, &count, sizeof(count));
	/* A valid request the guest only renumbers. */
	slot = (void *)(vm->mem + SLOT_GPA);
	slot->magic = KTSTR_REQUEST_MAGIC;
	slot->kind = KTSTR_REQUEST_CAPTURE;
	slot->tag_len = 5;
	memcpy(slot->tag, "bench", 5);
	for (int i = 0; i < DATA_MAX; i++)
		vm->mem[DATA_GPA + i] = (char)i;

	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu < 0)
		die("KVM_CREATE_VCPU: %s", strerror(errno));
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm_run: %s", strerror(errno));
	if (ioctl(vm->vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS: %s", strerror(errno));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vm->vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(vm->vcpu, KVM_SET_REGS, &regs))
		die("setting vCPU registers: %s", strerror(errno));
}

static void vm_destroy(struct vm *vm)
{
	munmap(vm->run, vm->run_size);
	close(vm->vcpu);
	munmap(vm->mem, MEM_SIZE);
	close(vm->fd);
}

/* What ktstr.ko does in its eventfd wakeup, done by the VMM thread. */
static void user_capture(struct user_ring *r, const struct vm *vm,
			 size_t bytes)
{
	struct ktstr_record *rec;
	const struct ktstr_request *req;
	uint64_t t0 = now_ns();
	bool ok;

	if (r->head >= r->nr_records)
		die("user ring overflow");
	rec = (void *)(r->mem + r->head * r->record_size);
	memset(rec, 0, sizeof(*rec));
	memcpy(&rec->req, vm->mem + SLOT_GPA, sizeof(rec->req));
	req = &rec->req;
	ok = req->magic == KTSTR_REQUEST_MAGIC && req->kind &&
	     req->kind <= KTSTR_REQUEST_KIND_MAX && req->tag_len &&
	     req->tag_len <= KTSTR_TAG_MAX;
	for (uint32_t i = 0; ok && i < req->tag_len; i++)
		ok = req->tag[i] >= 0x20 && req->tag[i] <= 0x7e;
	if (ok) {
		memcpy(rec + 1, vm->mem + DATA_GPA, bytes);
		rec->nr_regions = 1;
		rec->data_len = bytes;
	} else {
		rec->flags = KTSTR_RECORD_MALFORMED;
	}
	rec->size = sizeof(*rec) + rec->data_len;
	rec->seq = ++r->head;
	rec->time_ns = t0;
	rec->doorbells = 1;
}

/* Run the vCPU until it halts; the user path captures at each MMIO exit. */
static double run_guest(struct vm *vm, struct user_ring *ur, size_t bytes)
{
	double t0 = now_s();

	for (;;) {
		if (ioctl(vm->vcpu, KVM_RUN, 0))
			die("KVM_RUN: %s", strerror(errno));
		switch (vm->run->exit_reason) {
		case KVM_EXIT_HLT:
			return now_s() - t0;
		case KVM_EXIT_MMIO:
			if (!ur || vm->run->mmio.phys_addr != DOORBELL_GPA ||
			    !vm->run->mmio.is_write)
				die("unexpected MMIO at %#llx",
				    (unsigned long long)vm->run->mmio.phys_addr);
			user_capture(ur, vm, bytes);
			break;
		default:
			die("unexpected exit %u", vm->run->exit_reason);
		}
	}
}

/* Every record there, in order, well-formed and carrying the region. */
static void check_records(const char *buf, size_t record_size, uint32_t n,
			  size_t bytes, const char *path)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct ktstr_record *rec =
			(const void *)(buf + (size_t)i * record_size);
		const unsigned char *data = (const void *)(rec + 1);

		if (rec->seq != i + 1 || rec->flags || rec->dropped ||
		    rec->req.request_id != i + 1 || rec->data_len != bytes ||
		    data[0] != 0 || data[bytes - 1] != (unsigned char)(bytes - 1))
			die("%s: record %u wrong (seq %llu flags %#x dropped %llu id %llu len %u)",
			    path, i, (unsigned long long)rec->seq, rec->flags,
			    (unsigned long long)rec->dropped,
			    (unsigned long long)rec->req.request_id, rec->data_len);
	}
}

static void round_kmod(struct vm *vm, uint16_t n, size_t bytes,
		       struct samples *s, struct ktstr_stats *st)
{
	struct ktstr_region reg = { (uintptr_t)vm->mem + DATA_GPA, bytes };
	struct ktstr_doorbell db = { .size = sizeof(db) };
	struct kvm_ioeventfd ioev = { .addr = DOORBELL_GPA, .len = 4 };
	size_t len;
	char *buf;
	ssize_t got;
	int fd, efd;

	fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC);
	efd = eventfd(0, EFD_CLOEXEC);
	if (fd < 0 || efd < 0)
		die("open %s / eventfd: %s", KTSTR_DEV, strerror(errno));
	ioev.fd = efd;
	if (ioctl(vm->fd, KVM_IOEVENTFD, &ioev))
		die("KVM_IOEVENTFD: %s", strerror(errno));
	db.eventfd = efd;
	db.slot_uaddr = (uintptr_t)vm->mem + SLOT_GPA;
	db.regions = (uintptr_t)&reg;
	db.nr_regions = 1;
	db.nr_records = n;
	if (ioctl(fd, KTSTR_IOC_DOORBELL_SET, &db))
		die("KTSTR_IOC_DOORBELL_SET: %s", strerror(errno));

	s->wall_s += run_guest(vm, NULL, bytes);

	len = (size_t)n * db.record_size;
	buf = malloc(len);
	if (!buf)
		die("out of memory");
	got = read(fd, buf, len);
	if (got != (ssize_t)len)
		die("kmod: read %zd of %zu bytes: %s", got, len, strerror(errno));
	check_records(buf, db.record_size, n, bytes, "kmod");
	st->size = sizeof(*st);
	if (ioctl(fd, KTSTR_IOC_STATS, st))
		die("KTSTR_IOC_STATS: %s", strerror(errno));
	s->captures += st->captures;
	free(buf);
	close(fd);
	close(efd);
}

static void round_user(struct vm *vm, uint16_t n, size_t bytes,
		       struct samples *s)
{
	struct user_ring ur = {
		.record_size = (sizeof(struct ktstr_record) + bytes + 7) & ~7ul,
		.nr_records = n,
	};

	ur.mem = malloc(ur.record_size * n);
	if (!ur.mem)
		die("out of memory");
	/* Touch it now: ktstr.ko's ring is allocated at registration, too. */
	memset(ur.mem, 0, ur.record_size * n);
	s->wall_s += run_guest(vm, &ur, bytes);
	check_records(ur.mem, ur.record_size, n, bytes, "user");
	s->captures += ur.head;
	free(ur.mem);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const struct samples *s, double p)
{
	size_t i = (size_t)(p / 100.0 * (s->n - 1) + 0.5);

	return s->tsc[i];
}

int main(int argc, char **argv)
{
	unsigned int n = 4096, rounds = 5;
	size_t sizes[8] = { 64, 1024, 4096 }, nr_sizes = 3;
	struct ktstr_stats st = { 0 };
	struct vm vm = { 0 };
	long khz;
	int opt, r;

	while ((opt = getopt(argc, argv, "n:r:s:h")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 's':
			nr_sizes = 0;
			for (char *t = strtok(optarg, ","); t && nr_sizes < 8;
			     t = strtok(NULL, ","))
				sizes[nr_sizes++] = strtoul(t, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-n DOORBELLS (1..%u)] [-r ROUNDS] [-s BYTES,...(1..%u)]\n",
				argv[0], KTSTR_MAX_RECORDS, DATA_MAX);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!n || n > KTSTR_MAX_RECORDS || n > SAMPLES_MAX || !rounds)
		die("-n must be 1..%u and -r at least 1", KTSTR_MAX_RECORDS);
	for (size_t i = 0; i < nr_sizes; i++)
		if (!sizes[i] || sizes[i] > DATA_MAX)
			die("-s: region sizes are 1..%u bytes", DATA_MAX);

	vm.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm.kvm < 0) {
		printf("doorbell_bench: SKIP: /dev/kvm: %s\n", strerror(errno));
		return KSFT_SKIP;
	}
	r = ktstr_module_load();
	if (r && r != -EEXIST) {
		printf("doorbell_bench: SKIP: cannot load %s: %s\n",
		       KTSTR_KO_PATH, strerror(-r));
		return KSFT_SKIP;
	}
	vm.run_size = ioctl(vm.kvm, KVM_GET_VCPU_MMAP_SIZE, 0);

	printf("doorbell_bench: %u doorbells x %u rounds per path and size, paths alternating%s\n",
	       n, rounds, ktstr_under_tcg() ? " (under QEMU TCG: ratios, not absolute figures, carry over)" : "");
	printf("%6s %5s %10s %10s %10s %12s %12s\n", "bytes", "path", "p50_ns",
	       "p99_ns", "mean_ns", "captures/s", "kmod_copy_ns");
	for (size_t z = 0; z < nr_sizes; z++) {
		struct samples s[NR_PATHS] = { 0 };
		double p50[NR_PATHS], p99[NR_PATHS], mean[NR_PATHS], rate[NR_PATHS];
		uint64_t copy_sum = 0, copy_n = 0;

		for (int p = 0; p < NR_PATHS; p++) {
			s[p].tsc = calloc((size_t)n * rounds, sizeof(uint32_t));
			if (!s[p].tsc)
				die("out of memory");
		}
		khz = 0;
		for (unsigned int i = 0; i < rounds; i++) {
			for (int k = 0; k < NR_PATHS; k++) {
				/* Alternate which path goes first. */
				int p = (i + k) % NR_PATHS;

				vm_create(&vm, n);
				if (!khz)
					khz = ioctl(vm.vcpu, KVM_GET_TSC_KHZ, 0);
				if (p == PATH_KMOD) {
					round_kmod(&vm, n, sizes[z], &s[p], &st);
					copy_sum += st.latency_avg_ns * st.captures;
					copy_n += st.captures;
				} else {
					round_user(&vm, n, sizes[z], &s[p]);
				}
				memcpy(s[p].tsc + s[p].n, vm.mem + SAMPLES_GPA,
				       (size_t)n * sizeof(uint32_t));
				s[p].n += n;
				vm_destroy(&vm);
			}
		}
		if (khz <= 0)
			die("KVM_GET_TSC_KHZ: %s", strerror(errno));
		for (int p = 0; p < NR_PATHS; p++) {
			char copy[24] = "-";
			double sum = 0;

			for (size_t i = 0; i < s[p].n; i++)
				sum += s[p].tsc[i];
			qsort(s[p].tsc, s[p].n, sizeof(uint32_t), cmp_u32);
			/* TSC ticks to ns: ticks * 1e6 / kHz. */
			p50[p] = pct(&s[p], 50) * 1e6 / khz;
			p99[p] = pct(&s[p], 99) * 1e6 / khz;
			mean[p] = sum / s[p].n * 1e6 / khz;
			rate[p] = s[p].captures / s[p].wall_s;
			if (p == PATH_KMOD && copy_n)
				snprintf(copy, sizeof(copy), "%llu",
					 (unsigned long long)(copy_sum / copy_n));
			printf("%6zu %5s %10.0f %10.0f %10.0f %12.0f %12s\n",
			       sizes[z], path_name[p], p50[p], p99[p], mean[p],
			       rate[p], copy);
			free(s[p].tsc);
		}
		printf("%6zu ratio user/kmod: p50 %.2fx  p99 %.2fx  throughput kmod/user %.2fx\n",
		       sizes[z], p50[PATH_USER] / p50[PATH_KMOD],
		       p99[PATH_USER] / p99[PATH_KMOD],
		       rate[PATH_KMOD] / rate[PATH_USER]);
	}
	close(vm.kvm);
	return 0;
}
