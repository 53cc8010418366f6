/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: listen to ktstr.ko's generic-netlink events (captures, drops,
 * malformed requests, watchpoint changes) of every session on the host.
 */
#ifndef KTSTR_EVENTS_H
#define KTSTR_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/ktstr.h>

struct ktstr_event {
	unsigned int cmd;	/* KTSTR_CMD_* */
	__u32 session;
	__u64 seq;		/* CAPTURE: newest record; MALFORMED: its record */
	__u64 count;		/* CAPTURE, DROP: how many since the last event */
	__u64 bytes;		/* CAPTURE */
	__u32 reason;		/* MALFORMED: enum ktstr_malformed */
	__u32 slot, len, kind;	/* WATCH */
	__u64 addr;		/* WATCH */
	bool armed;		/* WATCH */
};

struct ktstr_events;

/* Join the events group. -ENOENT: the family is absent (module not loaded). */
int ktstr_events__open(struct ktstr_events **out);
void ktstr_events__close(struct ktstr_events *ev);
int ktstr_events__fd(const struct ktstr_events *ev);

/* The next event, waiting up to @timeout_ms (-1: forever); -ETIMEDOUT. */
int ktstr_events__next(struct ktstr_events *ev, struct ktstr_event *out,
		       int timeout_ms);

/* One line, "capture session=3 seq=12 count=1 bytes=664". */
int ktstr_event__format(const struct ktstr_event *e, char *buf, size_t len);

#endif /* KTSTR_EVENTS_H */
