/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture doorbell, guest side: ask the host for a capture under a
 * tag and wait for its reply (uapi/linux/ktstr.h, struct ktstr_request).
 *
 * There is one request slot. Processes that share it are serialised by an
 * advisory lock on the wire's file; threads of one process must not use
 * one struct ktstr_wire at the same time.
 */
#ifndef KTSTR_GUEST_DOORBELL_H
#define KTSTR_GUEST_DOORBELL_H

#include <linux/ktstr.h>

#include "wire.h"

/* Nested virtualization is slow: the host may need seconds to capture. */
#define KTSTR_DOORBELL_TIMEOUT_MS	10000

/*
 * 0 when @tag is a tag the host accepts: 1..KTSTR_TAG_MAX bytes, each
 * printable ASCII; -EINVAL when empty or not printable (the offending
 * byte's index to @bad when not NULL), -ENAMETOOLONG when too long.
 */
int ktstr_doorbell__tag_check(const char *tag, size_t *bad);

/*
 * Ring for a request of @kind under @tag and wait up to @timeout_ms for
 * the reply. 0 when the host replied, its reply_status (0 or a negative
 * errno) in *@status; -ETIMEDOUT when it did not reply in time; the
 * errors of ktstr_doorbell__tag_check(); -EINVAL for a bad @kind.
 */
int ktstr_doorbell__request(struct ktstr_wire *w, enum ktstr_request_kind kind,
			    const char *tag, unsigned int timeout_ms,
			    int *status);

static inline int ktstr_doorbell__capture(struct ktstr_wire *w, const char *tag,
					  unsigned int timeout_ms, int *status)
{
	return ktstr_doorbell__request(w, KTSTR_REQUEST_CAPTURE, tag,
				       timeout_ms, status);
}

#endif /* KTSTR_GUEST_DOORBELL_H */
