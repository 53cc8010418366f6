// SPDX-License-Identifier: GPL-2.0
/*
 * libktstr: ktstr.ko's events over generic netlink, read with libnl-genl-3.
 * Messages are parsed into a small queue by libnl's callback and handed
 * out one at a time.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include <ktstr/events.h>

#define EVENT_QUEUE 64

struct ktstr_events {
	struct nl_sock *sk;
	struct ktstr_event queue[EVENT_QUEUE];
	unsigned int head, tail;	/* queued: queue[tail .. head) */
	unsigned long lost;		/* queue overflow within one read */
};

static struct nla_policy ktstr_policy[KTSTR_A_MAX + 1] = {
	[KTSTR_A_SESSION]	= { .type = NLA_U32 },
	[KTSTR_A_SEQ]		= { .type = NLA_U64 },
	[KTSTR_A_COUNT]		= { .type = NLA_U64 },
	[KTSTR_A_BYTES]		= { .type = NLA_U64 },
	[KTSTR_A_REASON]	= { .type = NLA_U32 },
	[KTSTR_A_SLOT]		= { .type = NLA_U32 },
	[KTSTR_A_ADDR]		= { .type = NLA_U64 },
	[KTSTR_A_LEN]		= { .type = NLA_U32 },
	[KTSTR_A_KIND]		= { .type = NLA_U32 },
	[KTSTR_A_ARMED]		= { .type = NLA_U8 },
};

static int on_message(struct nl_msg *msg, void *arg)
{
	struct ktstr_events *ev = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a[KTSTR_A_MAX + 1];
	struct ktstr_event *e;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, KTSTR_A_MAX, ktstr_policy) ||
	    !a[KTSTR_A_SESSION])
		return NL_SKIP;
	if (ev->head - ev->tail == EVENT_QUEUE) {
		ev->lost++;
		return NL_SKIP;
	}
	e = &ev->queue[ev->head++ % EVENT_QUEUE];
	*e = (struct ktstr_event){ .cmd = gh->cmd };
	e->session = nla_get_u32(a[KTSTR_A_SESSION]);
	if (a[KTSTR_A_SEQ])
		e->seq = nla_get_u64(a[KTSTR_A_SEQ]);
	if (a[KTSTR_A_COUNT])
		e->count = nla_get_u64(a[KTSTR_A_COUNT]);
	if (a[KTSTR_A_BYTES])
		e->bytes = nla_get_u64(a[KTSTR_A_BYTES]);
	if (a[KTSTR_A_REASON])
		e->reason = nla_get_u32(a[KTSTR_A_REASON]);
	if (a[KTSTR_A_SLOT])
		e->slot = nla_get_u32(a[KTSTR_A_SLOT]);
	if (a[KTSTR_A_ADDR])
		e->addr = nla_get_u64(a[KTSTR_A_ADDR]);
	if (a[KTSTR_A_LEN])
		e->len = nla_get_u32(a[KTSTR_A_LEN]);
	if (a[KTSTR_A_KIND])
		e->kind = nla_get_u32(a[KTSTR_A_KIND]);
	if (a[KTSTR_A_ARMED])
		e->armed = nla_get_u8(a[KTSTR_A_ARMED]);
	return NL_OK;
}

int ktstr_events__open(struct ktstr_events **out)
{
	struct ktstr_events *ev;
	int grp, err;

	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	ev->sk = nl_socket_alloc();
	if (!ev->sk) {
		free(ev);
		return -ENOMEM;
	}
	err = genl_connect(ev->sk);
	if (err) {
		err = -EPROTO;
		goto err;
	}
	grp = genl_ctrl_resolve_grp(ev->sk, KTSTR_GENL_NAME, KTSTR_GENL_MCGRP);
	if (grp < 0) {
		err = grp == -NLE_OBJ_NOTFOUND ? -ENOENT : -EPROTO;
		goto err;
	}
	nl_socket_disable_seq_check(ev->sk);
	nl_socket_modify_cb(ev->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, ev);
	if (nl_socket_add_membership(ev->sk, grp)) {
		err = -EPROTO;
		goto err;
	}
	*out = ev;
	return 0;
err:
	nl_socket_free(ev->sk);
	free(ev);
	return err;
}

void ktstr_events__close(struct ktstr_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}

int ktstr_events__fd(const struct ktstr_events *ev)
{
	return nl_socket_get_fd(ev->sk);
}

int ktstr_events__next(struct ktstr_events *ev, struct ktstr_event *out,
		       int timeout_ms)
{
	struct pollfd p = { .fd = nl_socket_get_fd(ev->sk), .events = POLLIN };
	int n;

	while (ev->head == ev->tail) {
		n = poll(&p, 1, timeout_ms);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		if (nl_recvmsgs_default(ev->sk) < 0)
			return -EPROTO;
	}
	*out = ev->queue[ev->tail++ % EVENT_QUEUE];
	return 0;
}

int ktstr_event__format(const struct ktstr_event *e, char *buf, size_t len)
{
	switch (e->cmd) {
	case KTSTR_CMD_CAPTURE:
		return snprintf(buf, len, "capture session=%u seq=%llu count=%llu bytes=%llu",
				e->session, (unsigned long long)e->seq,
				(unsigned long long)e->count,
				(unsigned long long)e->bytes);
	case KTSTR_CMD_DROP:
		return snprintf(buf, len, "drop session=%u count=%llu", e->session,
				(unsigned long long)e->count);
	case KTSTR_CMD_MALFORMED:
		return snprintf(buf, len, "malformed session=%u seq=%llu reason=%u",
				e->session, (unsigned long long)e->seq, e->reason);
	case KTSTR_CMD_WATCH:
		return snprintf(buf, len,
				"watch session=%u slot=%u %s addr=%#llx len=%u kind=%u",
				e->session, e->slot, e->armed ? "armed" : "disarmed",
				(unsigned long long)e->addr, e->len, e->kind);
	default:
		return snprintf(buf, len, "unknown-%u session=%u", e->cmd, e->session);
	}
}
