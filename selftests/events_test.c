// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr.ko's generic-netlink events, as libktstr and "ktstr events" see
 * them: captures, drops and malformed requests of a session, told apart
 * from other sessions by the session id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <ktstr/events.h>
#include <linux/ktstr.h>
#include <linux/kvm.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

FIXTURE(ev) {
	int fd, efd;
	char *mem;
	struct ktstr_request *slot;
	struct ktstr_events *events;
	uint32_t session;
};

static int setup_doorbell(FIXTURE_DATA(ev) *self, uint32_t nr_records)
{
	struct ktstr_region r = { (uintptr_t)self->mem + 4096, 100 };
	struct ktstr_doorbell db = {
		.size = sizeof(db), .eventfd = self->efd,
		.slot_uaddr = (uintptr_t)self->mem, .regions = (uintptr_t)&r,
		.nr_regions = 1, .nr_records = nr_records,
	};
	struct ktstr_stats st = { .size = sizeof(st) };

	if (ioctl(self->fd, KTSTR_IOC_DOORBELL_SET, &db) ||
	    ioctl(self->fd, KTSTR_IOC_STATS, &st))
		return -errno;
	self->session = st.session_id;
	return 0;
}

static void ring(FIXTURE_DATA(ev) *self, uint32_t magic)
{
	self->slot->magic = magic;
	self->slot->kind = KTSTR_REQUEST_CAPTURE;
	self->slot->tag_len = 2;
	memcpy(self->slot->tag, "ev", 2);
	eventfd_write(self->efd, 1);
}

/* The next event of our session, or cmd 0 on timeout. */
static struct ktstr_event next(FIXTURE_DATA(ev) *self)
{
	struct ktstr_event e;

	while (!ktstr_events__next(self->events, &e, 5000))
		if (e.session == self->session)
			return e;
	return (struct ktstr_event){ 0 };
}

FIXTURE_SETUP(ev)
{
	KTSTR_ENSURE_LOADED();
	self->fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->efd = eventfd(0, EFD_CLOEXEC);
	self->mem = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->slot = (void *)self->mem;
	ASSERT_EQ(0, ktstr_events__open(&self->events));
}

FIXTURE_TEARDOWN(ev)
{
	ktstr_events__close(self->events);
	close(self->fd);
	close(self->efd);
	munmap(self->mem, 8192);
}

TEST_F(ev, capture)
{
	struct ktstr_event e;

	ASSERT_EQ(0, setup_doorbell(self, 8));
	ring(self, KTSTR_REQUEST_MAGIC);
	e = next(self);
	ASSERT_EQ(KTSTR_CMD_CAPTURE, e.cmd);
	EXPECT_EQ(1, e.seq);
	EXPECT_EQ(1, e.count);
	EXPECT_EQ(100, e.bytes);
}

TEST_F(ev, drops_are_announced)
{
	uint64_t captures = 0, drops = 0;
	struct ktstr_event e;

	ASSERT_EQ(0, setup_doorbell(self, 1));
	for (int i = 0; i < 4; i++)
		ring(self, KTSTR_REQUEST_MAGIC);
	/* Batched by the work item: count what arrives. */
	while (captures + drops < 4) {
		e = next(self);
		ASSERT_NE(0, e.cmd);
		if (e.cmd == KTSTR_CMD_CAPTURE)
			captures += e.count;
		else if (e.cmd == KTSTR_CMD_DROP)
			drops += e.count;
	}
	EXPECT_EQ(1, captures);
	EXPECT_EQ(3, drops);
}

TEST_F(ev, malformed_is_announced)
{
	struct ktstr_event e;

	ASSERT_EQ(0, setup_doorbell(self, 8));
	ring(self, 0x12345678);
	do {
		e = next(self);
	} while (e.cmd == KTSTR_CMD_CAPTURE);
	ASSERT_EQ(KTSTR_CMD_MALFORMED, e.cmd);
	EXPECT_EQ(1, e.seq);
	EXPECT_EQ(KTSTR_MALFORMED_MAGIC, e.reason);
}

TEST_F(ev, a_burst_is_summed_up)
{
	uint64_t captures = 0, events = 0;
	struct ktstr_event e;

	ASSERT_EQ(0, setup_doorbell(self, 256));
	for (int i = 0; i < 200; i++)
		ring(self, KTSTR_REQUEST_MAGIC);
	while (captures < 200) {
		e = next(self);
		ASSERT_EQ(KTSTR_CMD_CAPTURE, e.cmd);
		EXPECT_EQ(100 * e.count, e.bytes);
		captures += e.count;
		events++;
	}
	EXPECT_EQ(200, captures);
	EXPECT_EQ(200, e.seq);
	/* One event per KTSTR_EVENT_INTERVAL, not one per capture. */
	TH_LOG("200 captures in %llu events", (unsigned long long)events);
	EXPECT_GT(200, events);
}

TEST_F(ev, watch_changes_are_announced)
{
	struct ktstr_stats st = { .size = sizeof(st) };
	struct ktstr_watch w = {
		.size = sizeof(w), .slot = KTSTR_WATCH_ANY_SLOT, .addr = 0x5000,
		.len = 4, .kind = KTSTR_WATCH_WRITE,
	};
	struct ktstr_attach_vm a = { .size = sizeof(a) };
	struct ktstr_event e;
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		SKIP(return, "no /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	a.vm_fd = vm;
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_ATTACH_VM, &a));
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_STATS, &st));
	self->session = st.session_id;

	/* No vCPU registered: arming records the slot and announces it. */
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_WATCH_ARM, &w));
	e = next(self);
	ASSERT_EQ(KTSTR_CMD_WATCH, e.cmd);
	EXPECT_EQ(1, e.slot);
	EXPECT_EQ(0x5000, e.addr);
	EXPECT_EQ(4, e.len);
	EXPECT_EQ(KTSTR_WATCH_WRITE, e.kind);
	EXPECT_TRUE(e.armed);

	w.slot = 1;
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_WATCH_DISARM, &w));
	e = next(self);
	ASSERT_EQ(KTSTR_CMD_WATCH, e.cmd);
	EXPECT_EQ(1, e.slot);
	EXPECT_FALSE(e.armed);

	/* A session that ends with a slot armed disarms it, and says so. */
	w.slot = KTSTR_WATCH_ANY_SLOT;
	w.addr = 0x6000;
	ASSERT_EQ(0, ioctl(self->fd, KTSTR_IOC_WATCH_ARM, &w));
	e = next(self);
	ASSERT_EQ(KTSTR_CMD_WATCH, e.cmd);
	EXPECT_TRUE(e.armed);
	close(self->fd);
	self->fd = open(KTSTR_DEV, O_RDWR | O_CLOEXEC);
	e = next(self);
	ASSERT_EQ(KTSTR_CMD_WATCH, e.cmd);
	EXPECT_EQ(1, e.slot);
	EXPECT_EQ(0x6000, e.addr);
	EXPECT_FALSE(e.armed);
	close(vm);
	close(kvm);
}

TEST_F(ev, cli_prints_events)
{
	char line[256], want[64];
	FILE *p;

	ASSERT_EQ(0, setup_doorbell(self, 8));
	p = popen("./ktstr events -n 1 -t 10 2>&1", "r");
	ASSERT_NE(NULL, p);
	/* Wait until it listens, then ring. */
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));
	EXPECT_STREQ("ktstr: listening\n", line);
	ring(self, KTSTR_REQUEST_MAGIC);
	snprintf(want, sizeof(want), "capture session=%u seq=1 count=1 bytes=100\n",
		 self->session);
	/* Other sessions' events may come first; -n 1 may catch one of them. */
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));
	EXPECT_EQ(0, pclose(p));
	if (strncmp(line, "capture session=", 16) || atoi(line + 16) == (int)self->session)
		EXPECT_STREQ(want, line);
}

TEST_HARNESS_MAIN
