// SPDX-License-Identifier: GPL-2.0
/*
 * The capture doorbell, guest side. The guest fills the request slot and
 * rings; the host (ktstr.ko in the doorbell's eventfd wakeup, or the VMM
 * on an MMIO exit) copies the slot, captures, and completes the request
 * by writing reply_status, then reply_id. The guest polls reply_id: the
 * host has no way to interrupt it, and a reply takes from microseconds
 * (ktstr.ko) to seconds (a freeze and a full walk under nested TCG).
 */
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "doorbell.h"

/* Polling backs off from the first to the last: quick replies stay quick. */
#define POLL_MIN_NS	10000L
#define POLL_MAX_NS	1000000L

int ktstr_doorbell__tag_check(const char *tag, size_t *bad)
{
	size_t n = strlen(tag);

	if (!n)
		return -EINVAL;
	if (n > KTSTR_TAG_MAX)
		return -ENAMETOOLONG;
	/* As ktstr.ko's check: 0x20..0x7e. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = tag[i];

		if (c < 0x20 || c > 0x7e) {
			if (bad)
				*bad = i;
			return -EINVAL;
		}
	}
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The slot lock: flock() on the wire's file, shared by every process. */
static int slot_lock(struct ktstr_wire *w, int op)
{
	while (flock(w->fd, op)) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

static uint64_t next_request_id(volatile struct ktstr_request *req)
{
	uint64_t id = req->request_id + 1;

	/*
	 * Fresh after the last one in the slot, so a late reply to an
	 * earlier request (one that timed out) never matches; never 0, which
	 * an untouched slot has as reply_id.
	 */
	while (!id || id == req->reply_id)
		id++;
	return id;
}

int ktstr_doorbell__request(struct ktstr_wire *w, enum ktstr_request_kind kind,
			    const char *tag, unsigned int timeout_ms,
			    int *status)
{
	volatile struct ktstr_request *req = ktstr_wire__request(w);
	long long deadline, sleep_ns = POLL_MIN_NS;
	size_t n, i;
	uint64_t id;
	int ret;

	ret = ktstr_doorbell__tag_check(tag, NULL);
	if (ret)
		return ret;
	if (kind < 1 || kind > KTSTR_REQUEST_KIND_MAX)
		return -EINVAL;
	n = strlen(tag);
	ret = slot_lock(w, LOCK_EX);
	if (ret)
		return ret;

	id = next_request_id(req);
	req->magic = KTSTR_REQUEST_MAGIC;
	req->kind = kind;
	req->request_id = id;
	req->tag_len = n;
	req->pad = 0;
	/* The host ignores bytes past tag_len; zero them for tidy records. */
	for (i = 0; i < KTSTR_TAG_MAX; i++)
		req->tag[i] = i < n ? tag[i] : 0;
	deadline = now_ns() + timeout_ms * 1000000LL;
	ktstr_wire__ring(w, KTSTR_WIRE_DOORBELL_GPA);

	for (;;) {
		if (req->reply_id == id) {
			/* The host writes reply_status before reply_id. */
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			*status = req->reply_status;
			ret = 0;
			break;
		}
		if (now_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		nanosleep(&(struct timespec){ .tv_nsec = sleep_ns }, NULL);
		if (sleep_ns < POLL_MAX_NS)
			sleep_ns *= 2;
	}
	slot_lock(w, LOCK_UN);
	return ret;
}
