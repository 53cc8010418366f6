/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: the snapshot bridge, where captured dump reports wait, by
 * tag, for the test to drain them.
 *
 * The VMM stores each capture under its tag (on-demand captures under the
 * guest's tag, periodic ones under "periodic_NNN"); the test drains them
 * after the run. Storage is bounded: at most KTSTR_BRIDGE_MAX_REPORTS
 * reports, the oldest evicted first, and at most KTSTR_BRIDGE_MAX_EVENTS
 * events, the oldest dropped first and counted. Nothing is dropped
 * silently: every eviction, overwrite, unavailable capture and internal
 * inconsistency is an event, and a truncated event log ends with a
 * marker carrying how many were lost.
 *
 * Thread-safe: any function may be called from any thread.
 */
#ifndef KTSTR_BRIDGE_H
#define KTSTR_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/dump.h>

#define KTSTR_BRIDGE_MAX_REPORTS	64
#define KTSTR_BRIDGE_MAX_EVENTS		1024
/* User watchpoint slots; slot 0 is the error trigger's (uapi ktstr.h). */
#define KTSTR_BRIDGE_MAX_WATCHES	3

enum ktstr_bridge_event_kind {
	KTSTR_BEV_CAPTURE_UNAVAILABLE = 1, /* tag: the capture produced nothing */
	KTSTR_BEV_OVERWRITE,		/* tag, prior_schema */
	KTSTR_BEV_EVICTION,		/* tag (evicted), new_tag, cap */
	KTSTR_BEV_DRAIN_ORDER_VIOLATION, /* tag, drain (which drain found it) */
	KTSTR_BEV_CAP_VIOLATION,	/* count (reports held), cap */
	KTSTR_BEV_LOG_TRUNCATED,	/* count: events dropped since the last drain */
};

struct ktstr_bridge_event {
	enum ktstr_bridge_event_kind kind;
	char *tag;
	char *new_tag;
	char *prior_schema;
	const char *drain;		/* "drain_ordered", "drain_ordered_with_stats" */
	uint64_t count;
	size_t cap;
};

/* Why a drained sample has no stats document. */
enum ktstr_stats_missing {
	KTSTR_STATS_PRESENT = 0,
	KTSTR_STATS_NO_SCHEDULER_BINARY,	/* nothing asked for stats */
	KTSTR_STATS_NO_SCHEDULER,		/* no scheduler was running */
	KTSTR_STATS_RELAY_FAILED,		/* the guest relay failed */
	KTSTR_STATS_TIMEOUT,
	KTSTR_STATS_SCHEDULER_ERRNO,		/* the scheduler answered an errno */
	KTSTR_STATS_PARSE_ERROR,		/* the answer was not JSON */
};

/* What a store carries besides the report; every field optional. */
struct ktstr_bridge_meta {
	const char *stats_json;		/* NULL: see stats_missing */
	enum ktstr_stats_missing stats_missing;
	int stats_errno;		/* SCHEDULER_ERRNO */
	bool has_elapsed;
	uint64_t elapsed_ms;		/* since the run started */
	bool has_boundary;
	uint64_t boundary_offset_ms;	/* periodic: the boundary it was scheduled for */
	bool has_step;
	uint16_t step_index;		/* 0: baseline, 1..N: the scenario's steps */
};

/* One drained capture; owns everything it points to. */
struct ktstr_bridge_sample {
	char *tag;
	struct ktstr_dump_report *report;
	char *stats_json;		/* NULL: stats_missing says why */
	enum ktstr_stats_missing stats_missing;
	int stats_errno;
	bool has_elapsed, has_boundary, has_step;
	uint64_t elapsed_ms, boundary_offset_ms;
	uint16_t step_index;
};

struct ktstr_bridge;

/*
 * The capture callback: build a report for @tag, or return NULL when no
 * capture can be made (then a CAPTURE_UNAVAILABLE event is logged). The
 * watch callback arms a watchpoint on @symbol: 0 or a negative errno with
 * a reason written to @why.
 */
typedef struct ktstr_dump_report *(*ktstr_capture_fn)(void *ctx, const char *tag);
typedef int (*ktstr_watch_fn)(void *ctx, const char *symbol, char *why, size_t why_len);

struct ktstr_bridge *ktstr_bridge__new(ktstr_capture_fn capture, void *ctx);
void ktstr_bridge__set_watch(struct ktstr_bridge *b, ktstr_watch_fn watch, void *ctx);
void ktstr_bridge__free(struct ktstr_bridge *b);

/* Capture through the callback and store under @tag: 0, or -ENODATA. */
int ktstr_bridge__capture(struct ktstr_bridge *b, const char *tag);
int ktstr_bridge__capture_step(struct ktstr_bridge *b, const char *tag, uint16_t step);
/*
 * Store @report (the bridge takes it, and frees it on error too) with @meta
 * (may be NULL): 0, -ENOMEM (the store is left as it was) or -EINVAL.
 */
int ktstr_bridge__store(struct ktstr_bridge *b, const char *tag,
			struct ktstr_dump_report *report,
			const struct ktstr_bridge_meta *meta);

size_t ktstr_bridge__len(struct ktstr_bridge *b);
bool ktstr_bridge__has(struct ktstr_bridge *b, const char *tag);
/* Stored reports under periodic tags that are not placeholders. */
unsigned int ktstr_bridge__periodic_real_count(struct ktstr_bridge *b);
/* "periodic_" followed by exactly three digits. */
bool ktstr_bridge__is_periodic_tag(const char *tag);

/*
 * Drains: each empties the store. by_tag: the report stored under @tag,
 * removed (NULL if none). ordered: every report in insertion order (an
 * overwrite counts as a new insertion), as samples without their stats.
 * ordered_with_stats: the same with the stats, elapsed time, boundary
 * offset and step each was stored with. Free with
 * ktstr_bridge__free_samples().
 */
struct ktstr_dump_report *ktstr_bridge__take(struct ktstr_bridge *b, const char *tag);
int ktstr_bridge__drain_ordered(struct ktstr_bridge *b,
				struct ktstr_bridge_sample **out, size_t *n);
int ktstr_bridge__drain_ordered_with_stats(struct ktstr_bridge *b,
					   struct ktstr_bridge_sample **out, size_t *n);
void ktstr_bridge__free_samples(struct ktstr_bridge_sample *s, size_t n);

/* Events in order, then LOG_TRUNCATED when some were dropped. */
int ktstr_bridge__drain_events(struct ktstr_bridge *b,
			       struct ktstr_bridge_event **out, size_t *n);
size_t ktstr_bridge__event_count(struct ktstr_bridge *b);
void ktstr_bridge__free_events(struct ktstr_bridge_event *e, size_t n);

/*
 * Reserve a user watch slot and arm @symbol through the watch callback.
 * Never more than KTSTR_BRIDGE_MAX_WATCHES succeed, however many threads
 * try at once; a failed arm gives its slot back. 0, -ENOSPC (all slots
 * taken), -EOPNOTSUPP (no callback), or the callback's error; @why (may
 * be NULL) gets the reason.
 */
int ktstr_bridge__register_watch(struct ktstr_bridge *b, const char *symbol,
				 char *why, size_t why_len);
unsigned int ktstr_bridge__watch_count(struct ktstr_bridge *b);

#endif /* KTSTR_BRIDGE_H */
