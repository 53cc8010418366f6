// SPDX-License-Identifier: GPL-2.0
/*
 * The capture service's ktstr.ko path. The doorbell GPA is a
 * KVM_IOEVENTFD on an eventfd that ktstr.ko listens to, so the guest's
 * doorbell write never leaves the kernel: the module copies the request
 * slot into its capture ring on the vCPU thread and the guest runs on.
 * A service thread of ours polls the ring, captures, and answers with
 * KTSTR_IOC_REPLY, which the module writes into the guest's slot.
 *
 * No capture region is registered: the regions are pinned when the
 * doorbell is set, before the guest has booted, and what a capture
 * reads (the guest kernel's variables) is not known until it has. The
 * capture reads guest memory under a freeze instead, like the userspace
 * path, and the ring only carries the requests.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <ktstr/dev.h>
#include <ktstr/vmm.h>
#include <ktstr/wire.h>

#include "capture_priv.h"

/* Requests that may wait at once: far more than the one slot lets ring. */
#define RING_RECORDS	64

int capture_kmod__open(struct ktstr_capture *c, const char *dev_path,
		       char *err, size_t errlen)
{
	struct capture_kmod *k = &c->kmod;
	struct ktstr_version v;
	int ret;

	ret = ktstr_dev__open(dev_path, &k->dev);
	if (ret) {
		k->dev = NULL;
		snprintf(err, errlen, "cannot open %s: %s%s",
			 dev_path ? dev_path : KTSTR_DEV_PATH, strerror(-ret),
			 ret == -ENOENT ? " (ktstr.ko not loaded)" : "");
		return ret;
	}
	k->fd = ktstr_dev__fd(k->dev);
	ret = ktstr_dev__version(k->dev, &v);
	if (ret) {
		snprintf(err, errlen, "KTSTR_IOC_VERSION: %s", strerror(-ret));
	} else if (v.abi_major != KTSTR_ABI_MAJOR) {
		snprintf(err, errlen, "ktstr.ko speaks ABI %u.%u, this is built for %u.x",
			 v.abi_major, v.abi_minor, KTSTR_ABI_MAJOR);
		ret = -EPROTO;
	} else if (!(v.features & KTSTR_FEATURE_DOORBELL)) {
		snprintf(err, errlen, "ktstr.ko lacks the doorbell feature");
		ret = -EOPNOTSUPP;
	} else {
		/* ATTACH_VM and ADD_VCPU come with the watch feature. */
		k->watch = v.features & KTSTR_FEATURE_WATCH;
		return 0;
	}
	ktstr_dev__close(k->dev);
	k->dev = NULL;
	k->fd = -1;
	return ret;
}

static void reply(struct ktstr_capture *c, uint64_t id, int status)
{
	struct ktstr_reply r = {
		.size = sizeof(r), .status = status, .request_id = id,
	};

	if (ioctl(c->kmod.fd, KTSTR_IOC_REPLY, &r)) {
		int e = errno;

		pthread_mutex_lock(&c->lock);
		c->stats.errors++;
		capture__set_error(c, "KTSTR_IOC_REPLY for request %llu: %s",
				   (unsigned long long)id, strerror(e));
		pthread_mutex_unlock(&c->lock);
	}
}

static void handle(struct ktstr_capture *c, const struct ktstr_record *rec)
{
	enum ktstr_malformed bad = rec->malformed;
	int status;

	if (rec->dropped) {
		/* Those requests are lost: their guests time out, we count. */
		pthread_mutex_lock(&c->lock);
		c->stats.dropped += rec->dropped;
		capture__set_error(c, "ktstr.ko dropped %llu requests: ring full",
				   (unsigned long long)rec->dropped);
		pthread_mutex_unlock(&c->lock);
	}
	/* What ktstr.ko checked, checked again: its record came from the guest. */
	if (!(rec->flags & KTSTR_RECORD_MALFORMED))
		bad = ktstr_wire__check_request(&rec->req);
	else if (bad == KTSTR_MALFORMED_NONE)
		bad = KTSTR_MALFORMED_MAGIC;	/* flagged without a reason */
	if (bad != KTSTR_MALFORMED_NONE)
		status = capture__malformed(c, bad);
	else
		status = capture__serve(c, &rec->req);
	reply(c, rec->req.request_id, status);
}

__attribute__((format(printf, 2, 3)))
static void thread_error(struct ktstr_capture *c, const char *fmt, ...)
{
	char buf[CAPTURE_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&c->lock);
	c->stats.errors++;
	capture__set_error(c, "%s", buf);
	pthread_mutex_unlock(&c->lock);
}

/* Serve every record published so far; false when the ring is unusable. */
static bool drain(struct ktstr_capture *c)
{
	struct capture_kmod *k = &c->kmod;
	const struct ktstr_ring_header *h = k->ring;
	const char *base = k->ring;
	uint64_t head, tail;
	uint32_t nr, size, off;

	head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
	tail = __atomic_load_n(&h->tail, __ATOMIC_RELAXED);
	nr = h->nr_records;
	size = h->record_size;
	off = h->data_offset;
	if (!nr || size < sizeof(struct ktstr_record) ||
	    off > k->ring_len || (uint64_t)nr * size > k->ring_len - off) {
		thread_error(c, "ktstr.ko ring header is inconsistent (%u x %u at %u of %zu)",
			     nr, size, off, k->ring_len);
		return false;
	}
	for (; tail < head; tail++) {
		struct ktstr_consume cons = { .size = sizeof(cons), .count = 1 };
		struct ktstr_record rec;

		memcpy(&rec, base + off + (tail % nr) * (uint64_t)size, sizeof(rec));
		/* Give the slot back first: the capture may take a while. */
		if (ioctl(k->fd, KTSTR_IOC_CONSUME, &cons)) {
			thread_error(c, "KTSTR_IOC_CONSUME: %s", strerror(errno));
			return false;
		}
		handle(c, &rec);
	}
	return true;
}

static void *service(void *arg)
{
	struct ktstr_capture *c = arg;
	struct capture_kmod *k = &c->kmod;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = k->fd, .events = POLLIN },
			{ .fd = k->stop_efd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			thread_error(c, "poll(/dev/ktstr): %s", strerror(errno));
			break;
		}
		/* Answer what is there before stopping: a guest waits for it. */
		if ((p[0].revents & POLLIN) && !drain(c))
			break;
		if (p[1].revents)
			break;
		if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			thread_error(c, "/dev/ktstr session failed (revents %#x)",
				     p[0].revents);
			break;
		}
	}
	return NULL;
}

int capture_kmod__start(struct ktstr_capture *c, char *err, size_t errlen)
{
	struct capture_kmod *k = &c->kmod;
	struct ktstr_doorbell db = { .size = sizeof(db) };
	struct kvm_ioeventfd ioev = {
		.addr = KTSTR_WIRE_DOORBELL_GPA, .len = 4,
	};
	int vm_fd = ktstr_vm__vm_fd(c->vm);
	int ret;

	k->efd = eventfd(0, EFD_CLOEXEC);
	k->stop_efd = eventfd(0, EFD_CLOEXEC);
	if (k->efd < 0 || k->stop_efd < 0) {
		ret = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(-ret));
		return ret;
	}
	db.eventfd = k->efd;
	db.slot_uaddr = (uintptr_t)ktstr_vm__shm(c->vm);
	db.nr_records = RING_RECORDS;
	if (ioctl(k->fd, KTSTR_IOC_DOORBELL_SET, &db)) {
		ret = -errno;
		snprintf(err, errlen, "KTSTR_IOC_DOORBELL_SET: %s", strerror(-ret));
		return ret;
	}
	k->ring = mmap(NULL, db.mmap_size, PROT_READ, MAP_SHARED, k->fd, 0);
	if (k->ring == MAP_FAILED) {
		ret = -errno;
		k->ring = NULL;
		snprintf(err, errlen, "mmap of the capture ring: %s", strerror(-ret));
		return ret;
	}
	k->ring_len = db.mmap_size;

	if (k->watch) {
		struct ktstr_attach_vm a = { .size = sizeof(a), .vm_fd = vm_fd };

		if (ioctl(k->fd, KTSTR_IOC_ATTACH_VM, &a)) {
			ret = -errno;
			snprintf(err, errlen, "KTSTR_IOC_ATTACH_VM: %s", strerror(-ret));
			return ret;
		}
		for (unsigned int i = 0; i < ktstr_vm__nr_vcpus(c->vm); i++) {
			struct ktstr_vcpu v = {
				.size = sizeof(v), .vcpu_fd = ktstr_vm__vcpu_fd(c->vm, i),
			};

			if (ioctl(k->fd, KTSTR_IOC_ADD_VCPU, &v)) {
				ret = -errno;
				snprintf(err, errlen, "KTSTR_IOC_ADD_VCPU %u: %s",
					 i, strerror(-ret));
				return ret;
			}
		}
	}

	ioev.fd = k->efd;
	if (ioctl(vm_fd, KVM_IOEVENTFD, &ioev)) {
		ret = -errno;
		snprintf(err, errlen, "KVM_IOEVENTFD on the doorbell %#llx: %s",
			 KTSTR_WIRE_DOORBELL_GPA, strerror(-ret));
		return ret;
	}
	k->ioeventfd = true;

	ret = -pthread_create(&k->thread, NULL, service, c);
	if (ret) {
		snprintf(err, errlen, "service thread: %s", strerror(-ret));
		return ret;
	}
	k->thread_started = true;
	return 0;
}

void capture_kmod__stop(struct ktstr_capture *c)
{
	struct capture_kmod *k = &c->kmod;

	if (k->thread_started) {
		uint64_t one = 1;

		/* An eventfd write fails only on overflow of its counter. */
		while (write(k->stop_efd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
		pthread_join(k->thread, NULL);
		k->thread_started = false;
	}
	if (k->ioeventfd) {
		struct kvm_ioeventfd ioev = {
			.addr = KTSTR_WIRE_DOORBELL_GPA, .len = 4, .fd = k->efd,
			.flags = KVM_IOEVENTFD_FLAG_DEASSIGN,
		};

		/* The VM may be gone already: then so is the registration. */
		ioctl(ktstr_vm__vm_fd(c->vm), KVM_IOEVENTFD, &ioev);
		k->ioeventfd = false;
	}
	if (k->ring)
		munmap(k->ring, k->ring_len);
	k->ring = NULL;
	/* Closing the session unpins the slot and unhooks the eventfd. */
	ktstr_dev__close(k->dev);
	k->dev = NULL;
	k->fd = -1;
	if (k->efd >= 0)
		close(k->efd);
	if (k->stop_efd >= 0)
		close(k->stop_efd);
	k->efd = k->stop_efd = -1;
}
