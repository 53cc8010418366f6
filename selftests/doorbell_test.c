// SPDX-License-Identifier: GPL-2.0
/*
 * The doorbell without KVM: an eventfd and ordinary memory stand in for
 * the KVM ioeventfd and guest memory, and write(2) to the eventfd is the
 * guest ringing. The signal reaches ktstr.ko's wait-queue entry exactly
 * as KVM's does, so records, ordering, overflow, replies and malformed
 * requests are checked here byte for byte.
 */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/ktstr.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

#define MEM_SIZE	(4 * 4096)
#define SLOT_OFF	0x100
#define R0_OFF		0x1000	/* 64 bytes */
#define R0_LEN		64
#define R1_OFF		0x1f00	/* 600 bytes, across a page boundary */
#define R1_LEN		600
#define DATA_LEN	(R0_LEN + R1_LEN)

FIXTURE(db) {
	int fd, efd;
	char *mem;
	struct ktstr_request *slot;
	struct ktstr_doorbell arg;
	struct ktstr_region regs[2];
	char *buf;
};

static int doorbell_set(FIXTURE_DATA(db) *self, unsigned int nr_records)
{
	self->regs[0] = (struct ktstr_region){
		(uintptr_t)self->mem + R0_OFF, R0_LEN };
	self->regs[1] = (struct ktstr_region){
		(uintptr_t)self->mem + R1_OFF, R1_LEN };
	memset(&self->arg, 0, sizeof(self->arg));
	self->arg.size = sizeof(self->arg);
	self->arg.eventfd = self->efd;
	self->arg.slot_uaddr = (uintptr_t)self->slot;
	self->arg.regions = (uintptr_t)self->regs;
	self->arg.nr_regions = 2;
	self->arg.nr_records = nr_records;
	return ioctl(self->fd, KTSTR_IOC_DOORBELL_SET, &self->arg);
}

/* The guest's side: fill the slot, then ring. */
static void request(FIXTURE_DATA(db) *self, uint64_t id, const char *tag)
{
	memset(self->slot, 0, sizeof(*self->slot));
	self->slot->magic = KTSTR_REQUEST_MAGIC;
	self->slot->kind = KTSTR_REQUEST_CAPTURE;
	self->slot->request_id = id;
	self->slot->tag_len = strlen(tag);
	memcpy(self->slot->tag, tag, strlen(tag));
}

static int ring(FIXTURE_DATA(db) *self)
{
	uint64_t one = 1;

	return write(self->efd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
}

static void fill(FIXTURE_DATA(db) *self, unsigned char seed)
{
	for (int i = 0; i < R0_LEN; i++)
		self->mem[R0_OFF + i] = seed + i;
	for (int i = 0; i < R1_LEN; i++)
		self->mem[R1_OFF + i] = seed ^ (i * 7);
}

static struct ktstr_stats stats(FIXTURE_DATA(db) *self)
{
	struct ktstr_stats st = { .size = sizeof(st) };

	if (ioctl(self->fd, KTSTR_IOC_STATS, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/* Record @rec holds the request and the data as fill(@seed) left them. */
static int record_matches(FIXTURE_DATA(db) *self, const struct ktstr_record *rec,
			  unsigned char seed)
{
	const unsigned char *data = (const void *)(rec + 1);

	fill(self, seed);
	return rec->size == sizeof(*rec) + DATA_LEN && rec->flags == 0 &&
	       rec->nr_regions == 2 && rec->data_len == DATA_LEN &&
	       !memcmp(data, self->mem + R0_OFF, R0_LEN) &&
	       !memcmp(data + R0_LEN, self->mem + R1_OFF, R1_LEN);
}

FIXTURE_SETUP(db)
{
	KTSTR_ENSURE_LOADED();
	self->fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	self->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->slot = (void *)(self->mem + SLOT_OFF);
	self->buf = malloc(1 << 20);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(db)
{
	free(self->buf);
	if (self->fd >= 0)
		close(self->fd);
	close(self->efd);
	munmap(self->mem, MEM_SIZE);
}

TEST_F(db, record_is_the_memory_at_ring_time)
{
	struct ktstr_record *rec = (void *)self->buf;
	struct ktstr_stats st;
	struct timespec ts;
	uint64_t now;

	ASSERT_EQ(0, doorbell_set(self, 8));
	EXPECT_EQ(sizeof(self->arg), self->arg.size);
	EXPECT_EQ(0, self->arg.record_size % 8);
	EXPECT_LE(sizeof(*rec) + DATA_LEN, self->arg.record_size);

	fill(self, 0x40);
	request(self, 42, "snap_a");
	ASSERT_EQ(0, ring(self));
	/* Changed after the ring: the record must not see it. */
	fill(self, 0x99);
	request(self, 43, "later");

	ASSERT_EQ(self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	EXPECT_EQ(1, rec->seq);
	EXPECT_EQ(1, rec->doorbells);
	EXPECT_EQ(0, rec->dropped);
	EXPECT_EQ(0, rec->malformed);
	EXPECT_EQ(KTSTR_REQUEST_MAGIC, rec->req.magic);
	EXPECT_EQ(KTSTR_REQUEST_CAPTURE, rec->req.kind);
	EXPECT_EQ(42, rec->req.request_id);
	EXPECT_EQ(6, rec->req.tag_len);
	EXPECT_EQ(0, memcmp(rec->req.tag, "snap_a\0\0", 8));
	EXPECT_TRUE(record_matches(self, rec, 0x40));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	EXPECT_LT(rec->time_ns, now);
	EXPECT_GT(rec->time_ns + 10000000000ull, now);

	st = stats(self);
	EXPECT_EQ(1, st.doorbells);
	EXPECT_EQ(1, st.captures);
	EXPECT_EQ(DATA_LEN, st.bytes);
	EXPECT_EQ(0, st.dropped);
	EXPECT_NE(0, st.session_id);
	EXPECT_LE(st.latency_min_ns, st.latency_avg_ns);
	EXPECT_LE(st.latency_avg_ns, st.latency_max_ns);
	EXPECT_LT(0, st.latency_max_ns);
}

TEST_F(db, records_come_in_order)
{
	struct ktstr_record *rec;
	ssize_t n;

	ASSERT_EQ(0, doorbell_set(self, 16));
	for (int i = 0; i < 10; i++) {
		fill(self, i * 3);
		request(self, 100 + i, "ordered");
		ASSERT_EQ(0, ring(self));
	}
	/* Room for 3 records: whole records only. */
	n = read(self->fd, self->buf, 3 * self->arg.record_size + 5);
	ASSERT_EQ(3 * self->arg.record_size, n);
	n += read(self->fd, self->buf + n, 1 << 19);
	ASSERT_EQ(10 * self->arg.record_size, n);
	for (int i = 0; i < 10; i++) {
		rec = (void *)(self->buf + i * self->arg.record_size);
		EXPECT_EQ(i + 1, rec->seq);
		EXPECT_EQ(100 + i, rec->req.request_id);
		EXPECT_TRUE(record_matches(self, rec, i * 3)) {
			TH_LOG("record %d", i);
		}
	}
}

TEST_F(db, overflow_is_counted_and_reported)
{
	struct ktstr_record *rec = (void *)self->buf;
	struct ktstr_ring_header *hdr;

	ASSERT_EQ(0, doorbell_set(self, 4));
	request(self, 1, "full");
	for (int i = 0; i < 7; i++)
		ASSERT_EQ(0, ring(self));
	EXPECT_EQ(7, stats(self).doorbells);
	EXPECT_EQ(4, stats(self).captures);
	EXPECT_EQ(3, stats(self).dropped);

	hdr = mmap(NULL, self->arg.mmap_size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, hdr);
	EXPECT_EQ(4, hdr->head);
	EXPECT_EQ(3, hdr->dropped);

	ASSERT_EQ(4 * self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, ((struct ktstr_record *)(self->buf +
			  i * self->arg.record_size))->dropped);
	/* The next record that fits carries the loss. */
	ASSERT_EQ(0, ring(self));
	ASSERT_EQ(self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	EXPECT_EQ(5, rec->seq);
	EXPECT_EQ(3, rec->dropped);
	ASSERT_EQ(0, ring(self));
	ASSERT_EQ(self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	EXPECT_EQ(0, rec->dropped);
	EXPECT_EQ(6, hdr->tail);
	munmap(hdr, self->arg.mmap_size);
}

TEST_F(db, reply_reaches_the_slot)
{
	struct ktstr_reply r = { .size = sizeof(r), .status = -5, .request_id = 77 };

	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_REPLY, &r));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, doorbell_set(self, 4));
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_REPLY, &r));
	EXPECT_EQ(77, self->slot->reply_id);
	EXPECT_EQ(-5, self->slot->reply_status);
	r.status = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_REPLY, &r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-5, self->slot->reply_status);
	EXPECT_EQ(1, stats(self).replies);
}

TEST_F(db, malformed_requests_are_recorded_not_trusted)
{
	static const struct {
		uint32_t magic, kind, tag_len;
		const char *tag;
		uint32_t reason;
	} bad[] = {
		{ 0xdeadbeef, KTSTR_REQUEST_CAPTURE, 3, "abc", KTSTR_MALFORMED_MAGIC },
		{ KTSTR_REQUEST_MAGIC, 0, 3, "abc", KTSTR_MALFORMED_KIND },
		{ KTSTR_REQUEST_MAGIC, 99, 3, "abc", KTSTR_MALFORMED_KIND },
		{ KTSTR_REQUEST_MAGIC, KTSTR_REQUEST_CAPTURE, 0, "", KTSTR_MALFORMED_TAG_LEN },
		{ KTSTR_REQUEST_MAGIC, KTSTR_REQUEST_CAPTURE, 65, "abc", KTSTR_MALFORMED_TAG_LEN },
		{ KTSTR_REQUEST_MAGIC, KTSTR_REQUEST_CAPTURE, 0xffffffff, "abc", KTSTR_MALFORMED_TAG_LEN },
		{ KTSTR_REQUEST_MAGIC, KTSTR_REQUEST_CAPTURE, 4, "ab\ncd", KTSTR_MALFORMED_TAG },
		{ KTSTR_REQUEST_MAGIC, KTSTR_REQUEST_CAPTURE, 3, "a\x80z", KTSTR_MALFORMED_TAG },
	};
	const int n = sizeof(bad) / sizeof(bad[0]);
	struct ktstr_record *rec;

	ASSERT_EQ(0, doorbell_set(self, 16));
	for (int i = 0; i < n; i++) {
		memset(self->slot, 0, sizeof(*self->slot));
		self->slot->magic = bad[i].magic;
		self->slot->kind = bad[i].kind;
		self->slot->request_id = i;
		self->slot->tag_len = bad[i].tag_len;
		memcpy(self->slot->tag, bad[i].tag, strlen(bad[i].tag));
		ASSERT_EQ(0, ring(self));
	}
	ASSERT_EQ(n * self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	for (int i = 0; i < n; i++) {
		rec = (void *)(self->buf + i * self->arg.record_size);
		EXPECT_EQ(KTSTR_RECORD_MALFORMED, rec->flags);
		EXPECT_EQ(bad[i].reason, rec->malformed) {
			TH_LOG("case %d", i);
		}
		EXPECT_EQ(0, rec->data_len);
		EXPECT_EQ(sizeof(*rec), rec->size);
		for (int j = 0; j < KTSTR_TAG_MAX; j++)
			ASSERT_EQ(0, rec->req.tag[j]);
	}
	EXPECT_EQ(n, stats(self).malformed);
	/* A good request after all that is captured normally. */
	request(self, 9, "fine");
	ASSERT_EQ(0, ring(self));
	ASSERT_EQ(self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	rec = (void *)self->buf;
	EXPECT_EQ(0, rec->flags);
	EXPECT_EQ(DATA_LEN, rec->data_len);
}

TEST_F(db, mmap_is_read_only_and_matches_read)
{
	struct ktstr_ring_header *hdr;
	struct ktstr_consume c = { .size = sizeof(c), .count = 1 };
	const struct ktstr_record *mrec;
	char *map;

	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, doorbell_set(self, 4));
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->arg.mmap_size,
				   PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	map = mmap(NULL, self->arg.mmap_size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_NE(0, mprotect(map, 4096, PROT_READ | PROT_WRITE));
	errno = 0;
	EXPECT_EQ(MAP_FAILED, mmap(NULL, self->arg.mmap_size + 4096, PROT_READ,
				   MAP_SHARED, self->fd, 0));
	hdr = (void *)map;
	EXPECT_EQ(4, hdr->nr_records);
	EXPECT_EQ(self->arg.record_size, hdr->record_size);
	EXPECT_LE(sizeof(*hdr), hdr->data_offset);

	fill(self, 7);
	request(self, 5, "mapped");
	ASSERT_EQ(0, ring(self));
	EXPECT_EQ(1, hdr->head);
	EXPECT_EQ(0, hdr->tail);
	mrec = (void *)(map + hdr->data_offset);
	EXPECT_EQ(1, mrec->seq);
	EXPECT_TRUE(record_matches(self, mrec, 7));

	/* Consumed through the mapping: read() has nothing left. */
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_CONSUME, &c));
	EXPECT_EQ(1, hdr->tail);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_CONSUME, &c));
	EXPECT_EQ(EINVAL, errno);
	munmap(map, self->arg.mmap_size);
}

TEST_F(db, poll_and_read_edges)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	int fl;

	ASSERT_EQ(0, doorbell_set(self, 4));
	EXPECT_EQ(0, poll(&p, 1, 0));
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, 1 << 20));
	EXPECT_EQ(EAGAIN, errno);

	request(self, 1, "poll");
	ASSERT_EQ(0, ring(self));
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLIN);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, self->buf, self->arg.record_size - 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, read(self->fd, NULL, self->arg.record_size));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing was lost to the fault. */
	EXPECT_EQ(self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	EXPECT_EQ(0, poll(&p, 1, 0));
}

TEST_F(db, set_rejects_bad_arguments)
{
	struct ktstr_doorbell a;
	int pfd[2];
	char *ro;

#define EXPECT_SET_FAILS(err) do {					\
		errno = 0;						\
		EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_DOORBELL_SET, &a));\
		EXPECT_EQ(err, errno);					\
	} while (0)

	ASSERT_EQ(0, pipe(pfd));
	ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	/* Fill self->arg with a good argument that is never issued. */
	self->regs[0] = (struct ktstr_region){ (uintptr_t)self->mem + R0_OFF, R0_LEN };
	self->regs[1] = (struct ktstr_region){ (uintptr_t)self->mem + R1_OFF, R1_LEN };
	struct ktstr_doorbell good = {
		.size = sizeof(good), .eventfd = self->efd,
		.slot_uaddr = (uintptr_t)self->slot,
		.regions = (uintptr_t)self->regs, .nr_regions = 2, .nr_records = 4,
	};

	a = good; a.size = 8;			EXPECT_SET_FAILS(EINVAL);
	a = good; a.eventfd = -1;		EXPECT_SET_FAILS(EBADF);
	a = good; a.eventfd = 999;		EXPECT_SET_FAILS(EBADF);
	a = good; a.eventfd = pfd[0];		EXPECT_SET_FAILS(EINVAL);
	a = good; a.eventfd = self->fd;		EXPECT_SET_FAILS(EINVAL);
	a = good; a.slot_uaddr = 0;		EXPECT_SET_FAILS(EFAULT);
	a = good; a.slot_uaddr = (uintptr_t)ro;	EXPECT_SET_FAILS(EFAULT);
	a = good; a.slot_uaddr = ~0ull - 8;	EXPECT_SET_FAILS(EINVAL);
	a = good; a.slot_uaddr = 1ull << 62;	EXPECT_SET_FAILS(EFAULT);
	a = good; a.regions = 0;		EXPECT_SET_FAILS(EFAULT);
	a = good; a.nr_regions = KTSTR_MAX_REGIONS + 1; EXPECT_SET_FAILS(EINVAL);
	a = good; a.nr_records = 0;		EXPECT_SET_FAILS(EINVAL);
	a = good; a.nr_records = KTSTR_MAX_RECORDS + 1; EXPECT_SET_FAILS(EINVAL);
	a = good; a.pad = 1;			EXPECT_SET_FAILS(EINVAL);

	self->regs[1].len = 0;
	a = good;				EXPECT_SET_FAILS(EINVAL);
	self->regs[1] = (struct ktstr_region){ (uintptr_t)ro, 16 };
	a = good;				EXPECT_SET_FAILS(EFAULT);
	self->regs[1] = (struct ktstr_region){ (uintptr_t)self->mem, KTSTR_MAX_RECORD_DATA };
	a = good;				EXPECT_SET_FAILS(E2BIG);
	self->regs[1] = (struct ktstr_region){ (uintptr_t)self->mem + R1_OFF, R1_LEN };

	/* A newer caller's struct: zeros past ours are fine, more is not. */
	struct { struct ktstr_doorbell db; uint64_t extra; } big = { good, 0 };
	big.db.size = sizeof(big);
	big.extra = 1;
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, KTSTR_IOC_DOORBELL_SET, &big));
	EXPECT_EQ(E2BIG, errno);
	big.extra = 0;
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_DOORBELL_SET, &big));
	EXPECT_EQ(sizeof(struct ktstr_doorbell), big.db.size);

	/* One doorbell per session. */
	a = good;				EXPECT_SET_FAILS(EBUSY);
	close(pfd[0]);
	close(pfd[1]);
	munmap(ro, 4096);
#undef EXPECT_SET_FAILS
}

TEST_F(db, closed_eventfd_while_hooked)
{
	ASSERT_EQ(0, doorbell_set(self, 4));
	request(self, 1, "x");
	ASSERT_EQ(0, ring(self));
	close(self->efd);
	self->efd = eventfd(0, EFD_CLOEXEC);
	/* The session still reads what was captured, then closes cleanly. */
	EXPECT_EQ(self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
}

TEST_F(db, sessions_do_not_interfere)
{
	struct ktstr_record *rec = (void *)self->buf;
	int fd2, efd2;
	struct ktstr_doorbell a2;

	ASSERT_EQ(0, doorbell_set(self, 4));
	fd2 = open(KTSTR_DEV, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd2);
	efd2 = eventfd(0, 0);
	a2 = self->arg;
	a2.size = sizeof(a2);
	a2.eventfd = efd2;
	a2.nr_regions = 0;
	a2.slot_uaddr = (uintptr_t)self->mem + 0x800;
	ASSERT_EQ(0, ioctl(fd2, KTSTR_IOC_DOORBELL_SET, &a2));

	request(self, 1, "first");
	ASSERT_EQ(0, ring(self));
	errno = 0;
	EXPECT_EQ(-1, read(fd2, self->buf, 1 << 20));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(self->arg.record_size, read(self->fd, self->buf, 1 << 20));
	EXPECT_EQ(1, rec->req.request_id);
	EXPECT_EQ(DATA_LEN, rec->data_len);
	close(efd2);
	close(fd2);
}

TEST(exit_with_everything_registered_leaks_nothing)
{
	int status, before;
	pid_t pid;

	KTSTR_ENSURE_LOADED();
	before = ktstr_module_refcnt();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct ktstr_region r = { (uintptr_t)mem + 4096, 8192 };
		struct ktstr_doorbell a = {
			.size = sizeof(a), .eventfd = eventfd(0, 0),
			.slot_uaddr = (uintptr_t)mem, .regions = (uintptr_t)&r,
			.nr_regions = 1, .nr_records = 64,
		};
		int fd = open(KTSTR_DEV, O_RDWR);

		if (fd < 0 || ioctl(fd, KTSTR_IOC_DOORBELL_SET, &a) ||
		    mmap(NULL, a.mmap_size, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
			_exit(1);
		_exit(eventfd_write(a.eventfd, 1) ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(before, ktstr_module_refcnt());
}

TEST_HARNESS_MAIN
