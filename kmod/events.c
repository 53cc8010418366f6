// SPDX-License-Identifier: GPL-2.0
/*
 * Events: the "ktstr" generic-netlink family multicasts what sessions do
 * to its "events" group, for any listener (ktstr events). Captures and
 * drops are counted in the doorbell wakeup, which cannot send netlink
 * with interrupts off; a delayed work item sends one event per kind for
 * all that happened in the last KTSTR_EVENT_INTERVAL.
 */
#include <net/genetlink.h>

#include "ktstr.h"

static const struct genl_multicast_group ktstr_mcgrps[] = {
	{ .name = KTSTR_GENL_MCGRP },
};

static struct genl_family ktstr_genl_family __ro_after_init = {
	.name		= KTSTR_GENL_NAME,
	.version	= KTSTR_GENL_VERSION,
	.maxattr	= KTSTR_A_MAX,
	.module		= THIS_MODULE,
	.mcgrps		= ktstr_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ktstr_mcgrps),
};

static struct sk_buff *ktstr_event_new(u8 cmd, u32 session, void **hdr)
{
	struct sk_buff *skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &ktstr_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(skb, KTSTR_A_SESSION, session)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void ktstr_event_send(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	/* -ESRCH only says nobody listens. */
	genlmsg_multicast(&ktstr_genl_family, skb, 0, 0, GFP_KERNEL);
}

static void ktstr_event_counts(u8 cmd, u32 session, u64 seq, u64 count,
			       u64 bytes)
{
	struct sk_buff *skb;
	void *hdr;

	skb = ktstr_event_new(cmd, session, &hdr);
	if (!skb)
		return;
	if ((seq && nla_put_u64_64bit(skb, KTSTR_A_SEQ, seq, KTSTR_A_PAD)) ||
	    nla_put_u64_64bit(skb, KTSTR_A_COUNT, count, KTSTR_A_PAD) ||
	    (cmd == KTSTR_CMD_CAPTURE &&
	     nla_put_u64_64bit(skb, KTSTR_A_BYTES, bytes, KTSTR_A_PAD))) {
		nlmsg_free(skb);
		return;
	}
	ktstr_event_send(skb, hdr);
}

void ktstr_events_flush(struct work_struct *work)
{
	struct ktstr_session *sess =
		container_of(to_delayed_work(work), struct ktstr_session,
			     event_work);
	u64 captures, bytes, drops, seq, bad_seq;
	struct sk_buff *skb;
	unsigned long flags;
	u32 reason;
	void *hdr;

	spin_lock_irqsave(&sess->stats_lock, flags);
	captures = sess->ev_captures;
	bytes = sess->ev_bytes;
	drops = sess->ev_drops;
	seq = sess->ev_last_seq;
	bad_seq = sess->ev_malformed_seq;
	reason = sess->ev_malformed_reason;
	sess->ev_captures = 0;
	sess->ev_bytes = 0;
	sess->ev_drops = 0;
	sess->ev_malformed_seq = 0;
	spin_unlock_irqrestore(&sess->stats_lock, flags);

	if (captures)
		ktstr_event_counts(KTSTR_CMD_CAPTURE, sess->id, seq, captures,
				   bytes);
	if (drops)
		ktstr_event_counts(KTSTR_CMD_DROP, sess->id, 0, drops, 0);
	if (bad_seq) {
		skb = ktstr_event_new(KTSTR_CMD_MALFORMED, sess->id, &hdr);
		if (!skb)
			return;
		if (nla_put_u64_64bit(skb, KTSTR_A_SEQ, bad_seq, KTSTR_A_PAD) ||
		    nla_put_u32(skb, KTSTR_A_REASON, reason)) {
			nlmsg_free(skb);
			return;
		}
		ktstr_event_send(skb, hdr);
	}
}

void ktstr_events_watch(struct ktstr_session *sess, u32 slot,
			const struct ktstr_watch_slot *w)
{
	struct sk_buff *skb;
	void *hdr;

	skb = ktstr_event_new(KTSTR_CMD_WATCH, sess->id, &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, KTSTR_A_SLOT, slot) ||
	    nla_put_u64_64bit(skb, KTSTR_A_ADDR, w->addr, KTSTR_A_PAD) ||
	    nla_put_u32(skb, KTSTR_A_LEN, w->len) ||
	    nla_put_u32(skb, KTSTR_A_KIND, w->kind) ||
	    nla_put_u8(skb, KTSTR_A_ARMED, w->armed)) {
		nlmsg_free(skb);
		return;
	}
	ktstr_event_send(skb, hdr);
}

int __init ktstr_events_init(void)
{
	return genl_register_family(&ktstr_genl_family);
}

void ktstr_events_exit(void)
{
	genl_unregister_family(&ktstr_genl_family);
}
