// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot bridge (libktstr bridge.h): FIFO storage at the cap,
 * overwrites, the event log and its truncation marker, the drains, the
 * capture callback, periodic tags, watch slots under contention, and a
 * threaded store/drain stress in which no report may be lost unseen or
 * seen twice.
 *
 * bridge.c is compiled into this test, KUnit-style, rather than taken
 * from libktstr.a, for two things the API cannot reach: breaking the
 * store's internal invariant on purpose (to see the DRAIN_ORDER_VIOLATION
 * and CAP_VIOLATION paths do their job) and failing its allocations one
 * at a time (to see -ENOMEM leave the store as it was). It is the same
 * source file; only calloc() and strdup() are routed through a counter.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktstr/bridge.h>
#include <ktstr/dump.h>

#include "kselftest_harness.h"

/* -1: allocations succeed; n >= 0: the allocation after n more fails, once. */
static int fail_after = -1;

static bool fail_now(void)
{
	if (fail_after < 0)
		return false;
	return fail_after-- == 0;
}

static void *fi_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : calloc(n, size);
}

static char *fi_strdup(const char *s)
{
	return fail_now() ? NULL : strdup(s);
}

#define calloc(n, size)	fi_calloc(n, size)
#define strdup(s)	fi_strdup(s)
/* Found through -I.../user/include in the source tree and a kernel tree alike. */
#include "../lib/bridge.c"
#undef calloc
#undef strdup

/* A report that names itself (active_obj_name) so a drain can be checked. */
static struct ktstr_dump_report *rep(const char *id)
{
	struct ktstr_dump_report *r = ktstr_dump__new();

	if (r) {
		r->active_obj_name = strdup(id);
		if (!r->active_obj_name) {
			ktstr_dump__free(r);
			r = NULL;
		}
	}
	return r;
}

static const char *rep_id(const struct ktstr_dump_report *r)
{
	return r && r->active_obj_name ? r->active_obj_name : "(none)";
}

static int store(struct ktstr_bridge *b, const char *tag, const struct ktstr_bridge_meta *meta)
{
	return ktstr_bridge__store(b, tag, rep(tag), meta);
}

static void tagn(char *buf, size_t len, const char *prefix, int i)
{
	snprintf(buf, len, "%s%03d", prefix, i);
}

/* The capture callback: NULL for tags starting "none", else a report. */
struct cap_ctx {
	int calls;
	char last[64];
};

static struct ktstr_dump_report *cap_cb(void *ctx, const char *tag)
{
	struct cap_ctx *c = ctx;

	c->calls++;
	snprintf(c->last, sizeof(c->last), "%s", tag);
	if (!strncmp(tag, "none", 4))
		return NULL;
	return rep(tag);
}

FIXTURE(br) {
	struct ktstr_bridge *b;
	struct cap_ctx cap;
};

FIXTURE_SETUP(br)
{
	memset(&self->cap, 0, sizeof(self->cap));
	self->b = ktstr_bridge__new(cap_cb, &self->cap);
	ASSERT_NE(NULL, self->b);
}

FIXTURE_TEARDOWN(br)
{
	ktstr_bridge__free(self->b);
}

TEST(periodic_tags)
{
	static const char *const yes[] = {
		"periodic_000", "periodic_007", "periodic_123", "periodic_999",
	};
	static const char *const no[] = {
		"periodic_kaslr", "periodic_user_baseline", "periodic_", "periodic_1",
		"periodic_12", "periodic_1234", "periodic_00a", "periodic_007 ",
		"PERIODIC_000", "capture_my_thing", "", "periodic", "periodic_-12",
		"xperiodic_000",
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		EXPECT_TRUE(ktstr_bridge__is_periodic_tag(yes[i])) TH_LOG("%s", yes[i] ?: "(null)");
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		EXPECT_FALSE(ktstr_bridge__is_periodic_tag(no[i]))
			TH_LOG("'%s'", no[i] ?: "(null)");
	EXPECT_FALSE(ktstr_bridge__is_periodic_tag(NULL));
}

/* Store t000..t(n-1); drain ordered; expect the last min(n, 64) in order. */
static void store_n_and_check(struct __test_metadata *_metadata, struct ktstr_bridge *b, int n)
{
	int kept = n < KTSTR_BRIDGE_MAX_REPORTS ? n : KTSTR_BRIDGE_MAX_REPORTS;
	int first = n - kept, evicted = n - kept;
	struct ktstr_bridge_sample *s;
	struct ktstr_bridge_event *ev;
	size_t ns, ne;
	char tag[32];
	int i;

	for (i = 0; i < n; i++) {
		tagn(tag, sizeof(tag), "t", i);
		ASSERT_EQ(0, store(b, tag, NULL));
		ASSERT_LE(ktstr_bridge__len(b), KTSTR_BRIDGE_MAX_REPORTS);
	}
	ASSERT_EQ(kept, ktstr_bridge__len(b));
	for (i = 0; i < n; i++) {
		tagn(tag, sizeof(tag), "t", i);
		EXPECT_EQ(i >= first, ktstr_bridge__has(b, tag)) TH_LOG("%s", tag);
	}

	/* One EVICTION per store past the cap, oldest first, naming its cause. */
	ASSERT_EQ(evicted, ktstr_bridge__event_count(b));
	ASSERT_EQ(0, ktstr_bridge__drain_events(b, &ev, &ne));
	ASSERT_EQ(evicted, ne);
	for (i = 0; i < evicted; i++) {
		char new_tag[32];

		tagn(tag, sizeof(tag), "t", i);
		tagn(new_tag, sizeof(new_tag), "t", i + KTSTR_BRIDGE_MAX_REPORTS);
		EXPECT_EQ(KTSTR_BEV_EVICTION, ev[i].kind);
		EXPECT_STREQ(tag, ev[i].tag);
		EXPECT_STREQ(new_tag, ev[i].new_tag);
		EXPECT_EQ(KTSTR_BRIDGE_MAX_REPORTS, ev[i].cap);
	}
	ktstr_bridge__free_events(ev, ne);

	ASSERT_EQ(0, ktstr_bridge__drain_ordered(b, &s, &ns));
	ASSERT_EQ(kept, ns);
	for (i = 0; i < kept; i++) {
		tagn(tag, sizeof(tag), "t", first + i);
		EXPECT_STREQ(tag, s[i].tag);
		EXPECT_STREQ(tag, rep_id(s[i].report));
	}
	ktstr_bridge__free_samples(s, ns);
	EXPECT_EQ(0, ktstr_bridge__len(b));
}

TEST_F(br, store_64_keeps_all)
{
	store_n_and_check(_metadata, self->b, 64);
}

TEST_F(br, store_65_evicts_the_oldest)
{
	store_n_and_check(_metadata, self->b, 65);
}

TEST_F(br, store_200_keeps_the_newest_64)
{
	store_n_and_check(_metadata, self->b, 200);
}

TEST_F(br, overwrite_moves_to_back_and_logs_prior_schema)
{
	struct ktstr_dump_report *old = rep("a#1");
	struct ktstr_bridge_sample *s;
	struct ktstr_bridge_event *ev;
	size_t n;

	/* A prior report with another schema: the event must carry that one. */
	ASSERT_NE(NULL, old);
	free(old->schema);
	old->schema = strdup("ktstr.dump/0");
	ASSERT_EQ(0, ktstr_bridge__store(self->b, "a", old, NULL));
	ASSERT_EQ(0, store(self->b, "b", NULL));
	ASSERT_EQ(0, store(self->b, "c", NULL));
	ASSERT_EQ(0, ktstr_bridge__store(self->b, "a", rep("a#2"), NULL));
	EXPECT_EQ(3, ktstr_bridge__len(self->b));

	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(KTSTR_BEV_OVERWRITE, ev[0].kind);
	EXPECT_STREQ("a", ev[0].tag);
	EXPECT_STREQ("ktstr.dump/0", ev[0].prior_schema);
	ktstr_bridge__free_events(ev, n);

	ASSERT_EQ(0, ktstr_bridge__drain_ordered(self->b, &s, &n));
	ASSERT_EQ(3, n);
	EXPECT_STREQ("b", s[0].tag);
	EXPECT_STREQ("c", s[1].tag);
	EXPECT_STREQ("a", s[2].tag);
	EXPECT_STREQ("a#2", rep_id(s[2].report));
	EXPECT_STREQ(KTSTR_DUMP_SCHEMA, s[2].report->schema);
	ktstr_bridge__free_samples(s, n);
}

TEST_F(br, overwrite_spares_a_tag_from_eviction)
{
	struct ktstr_bridge_event *ev;
	char tag[32];
	size_t n;
	int i;

	for (i = 0; i < KTSTR_BRIDGE_MAX_REPORTS; i++) {
		tagn(tag, sizeof(tag), "t", i);
		ASSERT_EQ(0, store(self->b, tag, NULL));
	}
	/* t000 is rewritten, so t001 is now the oldest and goes first. */
	ASSERT_EQ(0, store(self->b, "t000", NULL));
	ASSERT_EQ(0, store(self->b, "new1", NULL));
	ASSERT_EQ(0, store(self->b, "new2", NULL));
	EXPECT_TRUE(ktstr_bridge__has(self->b, "t000"));
	EXPECT_FALSE(ktstr_bridge__has(self->b, "t001"));
	EXPECT_FALSE(ktstr_bridge__has(self->b, "t002"));
	EXPECT_TRUE(ktstr_bridge__has(self->b, "t003"));
	EXPECT_EQ(KTSTR_BRIDGE_MAX_REPORTS, ktstr_bridge__len(self->b));

	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(KTSTR_BEV_OVERWRITE, ev[0].kind);
	EXPECT_STREQ("t000", ev[0].tag);
	EXPECT_EQ(KTSTR_BEV_EVICTION, ev[1].kind);
	EXPECT_STREQ("t001", ev[1].tag);
	EXPECT_STREQ("new1", ev[1].new_tag);
	EXPECT_EQ(KTSTR_BEV_EVICTION, ev[2].kind);
	EXPECT_STREQ("t002", ev[2].tag);
	EXPECT_STREQ("new2", ev[2].new_tag);
	ktstr_bridge__free_events(ev, n);
}

TEST_F(br, overwrite_replaces_or_clears_meta)
{
	struct ktstr_bridge_meta full = {
		.stats_json = "{\"n\":1}", .has_elapsed = true, .elapsed_ms = 10,
		.has_boundary = true, .boundary_offset_ms = 20, .has_step = true, .step_index = 3,
	};
	struct ktstr_bridge_meta other = {
		.stats_missing = KTSTR_STATS_TIMEOUT, .has_elapsed = true, .elapsed_ms = 11,
	};
	struct ktstr_bridge_sample *s;
	size_t n;

	/* "x": full, then overwritten with nothing: every slot is cleared. */
	ASSERT_EQ(0, store(self->b, "x", &full));
	ASSERT_EQ(0, store(self->b, "x", NULL));
	/* "y": full, then overwritten with other values: they replace it. */
	ASSERT_EQ(0, store(self->b, "y", &full));
	ASSERT_EQ(0, store(self->b, "y", &other));
	/* "z": nothing, then full. */
	ASSERT_EQ(0, store(self->b, "z", NULL));
	ASSERT_EQ(0, store(self->b, "z", &full));

	ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	ASSERT_EQ(3, n);
	EXPECT_STREQ("x", s[0].tag);
	EXPECT_EQ(NULL, s[0].stats_json);
	EXPECT_EQ(KTSTR_STATS_NO_SCHEDULER_BINARY, s[0].stats_missing);
	EXPECT_FALSE(s[0].has_elapsed);
	EXPECT_FALSE(s[0].has_boundary);
	EXPECT_FALSE(s[0].has_step);

	EXPECT_STREQ("y", s[1].tag);
	EXPECT_EQ(NULL, s[1].stats_json);
	EXPECT_EQ(KTSTR_STATS_TIMEOUT, s[1].stats_missing);
	EXPECT_TRUE(s[1].has_elapsed);
	EXPECT_EQ(11, s[1].elapsed_ms);
	EXPECT_FALSE(s[1].has_boundary);
	EXPECT_FALSE(s[1].has_step);

	EXPECT_STREQ("z", s[2].tag);
	EXPECT_STREQ("{\"n\":1}", s[2].stats_json);
	EXPECT_EQ(KTSTR_STATS_PRESENT, s[2].stats_missing);
	EXPECT_EQ(10, s[2].elapsed_ms);
	EXPECT_EQ(20, s[2].boundary_offset_ms);
	EXPECT_EQ(3, s[2].step_index);
	ktstr_bridge__free_samples(s, n);
}

TEST_F(br, drain_with_stats_carries_every_field)
{
	char json[] = "{\"dispatched\":42}";
	struct ktstr_bridge_meta m_stats = {
		.stats_json = json, .has_elapsed = true, .elapsed_ms = 1500,
		.has_boundary = true, .boundary_offset_ms = 1000, .has_step = true,
		.step_index = 2,
	};
	struct ktstr_bridge_meta m_errno = {
		.stats_missing = KTSTR_STATS_SCHEDULER_ERRNO, .stats_errno = EAGAIN,
		.has_step = true, .step_index = 0,
	};
	struct ktstr_bridge_meta m_empty = { 0 };
	struct ktstr_bridge_meta m_reason = { 0 };
	struct ktstr_bridge_sample *s;
	size_t n, i;
	static const enum ktstr_stats_missing reasons[] = {
		KTSTR_STATS_NO_SCHEDULER, KTSTR_STATS_RELAY_FAILED, KTSTR_STATS_TIMEOUT,
		KTSTR_STATS_PARSE_ERROR,
	};
	char tag[32];

	ASSERT_EQ(0, store(self->b, "periodic_000", &m_stats));
	/* The bridge copied the string: the caller's buffer is its own again. */
	memset(json, 'X', sizeof(json) - 1);
	ASSERT_EQ(0, store(self->b, "errno", &m_errno));
	ASSERT_EQ(0, store(self->b, "no_meta", NULL));
	ASSERT_EQ(0, store(self->b, "empty_meta", &m_empty));
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		m_reason.stats_missing = reasons[i];
		m_reason.stats_errno = 99;	/* only SCHEDULER_ERRNO keeps it */
		tagn(tag, sizeof(tag), "r", i);
		ASSERT_EQ(0, store(self->b, tag, &m_reason));
	}

	ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	ASSERT_EQ(4 + sizeof(reasons) / sizeof(reasons[0]), n);

	EXPECT_STREQ("periodic_000", s[0].tag);
	EXPECT_STREQ("periodic_000", rep_id(s[0].report));
	EXPECT_STREQ("{\"dispatched\":42}", s[0].stats_json);
	EXPECT_EQ(KTSTR_STATS_PRESENT, s[0].stats_missing);
	EXPECT_TRUE(s[0].has_elapsed);
	EXPECT_EQ(1500, s[0].elapsed_ms);
	EXPECT_TRUE(s[0].has_boundary);
	EXPECT_EQ(1000, s[0].boundary_offset_ms);
	EXPECT_TRUE(s[0].has_step);
	EXPECT_EQ(2, s[0].step_index);

	EXPECT_STREQ("errno", s[1].tag);
	EXPECT_EQ(NULL, s[1].stats_json);
	EXPECT_EQ(KTSTR_STATS_SCHEDULER_ERRNO, s[1].stats_missing);
	EXPECT_EQ(EAGAIN, s[1].stats_errno);
	EXPECT_FALSE(s[1].has_elapsed);
	EXPECT_FALSE(s[1].has_boundary);
	/* Step 0 is the baseline, which is a step, not its absence. */
	EXPECT_TRUE(s[1].has_step);
	EXPECT_EQ(0, s[1].step_index);

	/* A store that carried no stats at all: nothing asked for them. */
	for (i = 2; i < 4; i++) {
		EXPECT_EQ(NULL, s[i].stats_json);
		EXPECT_EQ(KTSTR_STATS_NO_SCHEDULER_BINARY, s[i].stats_missing);
		EXPECT_FALSE(s[i].has_elapsed || s[i].has_boundary || s[i].has_step);
	}
	EXPECT_STREQ("no_meta", s[2].tag);
	EXPECT_STREQ("empty_meta", s[3].tag);

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		EXPECT_EQ(reasons[i], s[4 + i].stats_missing);
		EXPECT_EQ(0, s[4 + i].stats_errno);
		EXPECT_EQ(NULL, s[4 + i].stats_json);
	}
	ktstr_bridge__free_samples(s, n);

	ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, s);
}

TEST_F(br, drain_ordered_leaves_out_the_stats)
{
	struct ktstr_bridge_meta m = {
		.stats_json = "{}", .has_elapsed = true, .elapsed_ms = 5, .has_step = true,
		.step_index = 1,
	};
	struct ktstr_bridge_sample *s;
	size_t n;

	ASSERT_EQ(0, store(self->b, "a", &m));
	ASSERT_EQ(0, store(self->b, "b", NULL));
	ASSERT_EQ(0, ktstr_bridge__drain_ordered(self->b, &s, &n));
	ASSERT_EQ(2, n);
	EXPECT_STREQ("a", s[0].tag);
	EXPECT_STREQ("a", rep_id(s[0].report));
	EXPECT_EQ(NULL, s[0].stats_json);
	EXPECT_FALSE(s[0].has_elapsed || s[0].has_step);
	EXPECT_STREQ("b", s[1].tag);
	ktstr_bridge__free_samples(s, n);

	/* Emptied: every drain now finds nothing, and the stats went too. */
	EXPECT_EQ(0, ktstr_bridge__len(self->b));
	EXPECT_FALSE(ktstr_bridge__has(self->b, "a"));
	ASSERT_EQ(0, ktstr_bridge__drain_ordered(self->b, &s, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, s);
	ASSERT_EQ(0, store(self->b, "a", NULL));
	ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(NULL, s[0].stats_json);
	EXPECT_EQ(KTSTR_STATS_NO_SCHEDULER_BINARY, s[0].stats_missing);
	ktstr_bridge__free_samples(s, n);
	/* Draining reports logs nothing. */
	EXPECT_EQ(0, ktstr_bridge__event_count(self->b));
}

TEST_F(br, empty_bridge_drains_nothing)
{
	struct ktstr_bridge_sample *s = (void *)1;
	struct ktstr_bridge_event *ev = (void *)1;
	size_t n = 99;

	ASSERT_EQ(0, ktstr_bridge__drain_ordered(self->b, &s, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, s);
	n = 99;
	s = (void *)1;
	ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, s);
	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, ev);
	EXPECT_EQ(NULL, ktstr_bridge__take(self->b, "nothing"));
	EXPECT_EQ(0, ktstr_bridge__len(self->b));
	EXPECT_EQ(0, ktstr_bridge__periodic_real_count(self->b));
}

TEST_F(br, take_removes_one_tag)
{
	struct ktstr_dump_report *r;
	struct ktstr_bridge_sample *s;
	size_t n;

	ASSERT_EQ(0, store(self->b, "a", NULL));
	ASSERT_EQ(0, store(self->b, "b", NULL));
	ASSERT_EQ(0, store(self->b, "c", NULL));
	r = ktstr_bridge__take(self->b, "b");
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("b", rep_id(r));
	ktstr_dump__free(r);
	EXPECT_EQ(NULL, ktstr_bridge__take(self->b, "b"));
	EXPECT_EQ(NULL, ktstr_bridge__take(self->b, "zzz"));
	EXPECT_FALSE(ktstr_bridge__has(self->b, "b"));
	EXPECT_EQ(2, ktstr_bridge__len(self->b));

	ASSERT_EQ(0, ktstr_bridge__drain_ordered(self->b, &s, &n));
	ASSERT_EQ(2, n);
	EXPECT_STREQ("a", s[0].tag);
	EXPECT_STREQ("c", s[1].tag);
	ktstr_bridge__free_samples(s, n);
	/* take keeps no hidden order entry behind: nothing violated. */
	EXPECT_EQ(0, ktstr_bridge__event_count(self->b));
}

TEST_F(br, capture_through_the_callback)
{
	struct ktstr_bridge_sample *s;
	struct ktstr_bridge_event *ev;
	size_t n;

	ASSERT_EQ(0, ktstr_bridge__capture(self->b, "snap"));
	EXPECT_EQ(1, self->cap.calls);
	EXPECT_STREQ("snap", self->cap.last);
	EXPECT_TRUE(ktstr_bridge__has(self->b, "snap"));

	EXPECT_EQ(-ENODATA, ktstr_bridge__capture(self->b, "none_1"));
	EXPECT_EQ(2, self->cap.calls);
	EXPECT_FALSE(ktstr_bridge__has(self->b, "none_1"));
	EXPECT_EQ(-ENODATA, ktstr_bridge__capture_step(self->b, "none_2", 4));

	ASSERT_EQ(0, ktstr_bridge__capture_step(self->b, "stepped", 4));
	ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	ASSERT_EQ(2, n);
	EXPECT_STREQ("snap", s[0].tag);
	EXPECT_STREQ("snap", rep_id(s[0].report));
	EXPECT_FALSE(s[0].has_step);
	EXPECT_EQ(KTSTR_STATS_NO_SCHEDULER_BINARY, s[0].stats_missing);
	EXPECT_STREQ("stepped", s[1].tag);
	EXPECT_TRUE(s[1].has_step);
	EXPECT_EQ(4, s[1].step_index);
	ktstr_bridge__free_samples(s, n);

	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(KTSTR_BEV_CAPTURE_UNAVAILABLE, ev[0].kind);
	EXPECT_STREQ("none_1", ev[0].tag);
	EXPECT_EQ(KTSTR_BEV_CAPTURE_UNAVAILABLE, ev[1].kind);
	EXPECT_STREQ("none_2", ev[1].tag);
	ktstr_bridge__free_events(ev, n);
}

TEST(capture_without_a_callback)
{
	struct ktstr_bridge *b = ktstr_bridge__new(NULL, NULL);

	ASSERT_NE(NULL, b);
	EXPECT_EQ(-ENODATA, ktstr_bridge__capture(b, "x"));
	EXPECT_EQ(1, ktstr_bridge__event_count(b));
	ktstr_bridge__free(b);
}

TEST_F(br, events_keep_their_order)
{
	struct ktstr_bridge_event *ev;
	char tag[32];
	size_t n;
	int i;

	EXPECT_EQ(-ENODATA, ktstr_bridge__capture(self->b, "none_a"));
	for (i = 0; i < KTSTR_BRIDGE_MAX_REPORTS; i++) {
		tagn(tag, sizeof(tag), "t", i);
		ASSERT_EQ(0, store(self->b, tag, NULL));
	}
	ASSERT_EQ(0, store(self->b, "t010", NULL));
	ASSERT_EQ(0, store(self->b, "over", NULL));
	EXPECT_EQ(-ENODATA, ktstr_bridge__capture(self->b, "none_b"));
	EXPECT_EQ(4, ktstr_bridge__event_count(self->b));

	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(4, n);
	EXPECT_EQ(KTSTR_BEV_CAPTURE_UNAVAILABLE, ev[0].kind);
	EXPECT_STREQ("none_a", ev[0].tag);
	EXPECT_EQ(KTSTR_BEV_OVERWRITE, ev[1].kind);
	EXPECT_STREQ("t010", ev[1].tag);
	EXPECT_STREQ(KTSTR_DUMP_SCHEMA, ev[1].prior_schema);
	EXPECT_EQ(KTSTR_BEV_EVICTION, ev[2].kind);
	EXPECT_STREQ("t000", ev[2].tag);
	EXPECT_STREQ("over", ev[2].new_tag);
	EXPECT_EQ(KTSTR_BRIDGE_MAX_REPORTS, ev[2].cap);
	EXPECT_EQ(KTSTR_BEV_CAPTURE_UNAVAILABLE, ev[3].kind);
	EXPECT_STREQ("none_b", ev[3].tag);
	ktstr_bridge__free_events(ev, n);

	EXPECT_EQ(0, ktstr_bridge__event_count(self->b));
	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, ev);
}

static void unavailable_n(struct __test_metadata *_metadata, struct ktstr_bridge *b,
			  int from, int to)
{
	char tag[32];

	for (int i = from; i < to; i++) {
		snprintf(tag, sizeof(tag), "none_%04d", i);
		ASSERT_EQ(-ENODATA, ktstr_bridge__capture(b, tag));
	}
}

TEST_F(br, event_log_cap_and_truncation_marker)
{
	struct ktstr_bridge_event *ev;
	char tag[32];
	size_t n;
	int i;

	unavailable_n(_metadata, self->b, 0, 1100);
	/* The marker is drain-time only: the count is the log's length. */
	EXPECT_EQ(KTSTR_BRIDGE_MAX_EVENTS, ktstr_bridge__event_count(self->b));

	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(KTSTR_BRIDGE_MAX_EVENTS + 1, n);
	/* The 76 oldest went; the rest are there, in order. */
	for (i = 0; i < KTSTR_BRIDGE_MAX_EVENTS; i++) {
		snprintf(tag, sizeof(tag), "none_%04d", 76 + i);
		ASSERT_EQ(KTSTR_BEV_CAPTURE_UNAVAILABLE, ev[i].kind);
		ASSERT_STREQ(tag, ev[i].tag);
	}
	EXPECT_EQ(KTSTR_BEV_LOG_TRUNCATED, ev[n - 1].kind);
	EXPECT_EQ(76, ev[n - 1].count);
	EXPECT_EQ(NULL, ev[n - 1].tag);
	ktstr_bridge__free_events(ev, n);

	/* The count resets with the drain. */
	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, ev);
	unavailable_n(_metadata, self->b, 0, 5);
	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(5, n);
	EXPECT_EQ(KTSTR_BEV_CAPTURE_UNAVAILABLE, ev[4].kind);
	ktstr_bridge__free_events(ev, n);

	/* Exactly full: nothing dropped, no marker. */
	unavailable_n(_metadata, self->b, 0, KTSTR_BRIDGE_MAX_EVENTS);
	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(KTSTR_BRIDGE_MAX_EVENTS, n);
	EXPECT_EQ(KTSTR_BEV_CAPTURE_UNAVAILABLE, ev[n - 1].kind);
	ktstr_bridge__free_events(ev, n);

	/* One over: the marker says one. */
	unavailable_n(_metadata, self->b, 0, KTSTR_BRIDGE_MAX_EVENTS + 1);
	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(KTSTR_BRIDGE_MAX_EVENTS + 1, n);
	EXPECT_STREQ("none_0001", ev[0].tag);
	EXPECT_EQ(KTSTR_BEV_LOG_TRUNCATED, ev[n - 1].kind);
	EXPECT_EQ(1, ev[n - 1].count);
	ktstr_bridge__free_events(ev, n);
}

TEST_F(br, periodic_real_count)
{
	ASSERT_EQ(0, store(self->b, "periodic_000", NULL));
	/* Real, but a user tag that only shares the prefix. */
	ASSERT_EQ(0, store(self->b, "periodic_kaslr", NULL));
	/* Canonical, but a placeholder. */
	ASSERT_EQ(0, ktstr_bridge__store(self->b, "periodic_001",
					 ktstr_dump__new_placeholder("rendezvous timed out"),
					 NULL));
	EXPECT_EQ(1, ktstr_bridge__periodic_real_count(self->b));
	ASSERT_EQ(0, store(self->b, "periodic_002", NULL));
	EXPECT_EQ(2, ktstr_bridge__periodic_real_count(self->b));
	/* A placeholder overwriting a real capture takes its count away... */
	ASSERT_EQ(0, ktstr_bridge__store(self->b, "periodic_000",
					 ktstr_dump__new_placeholder("late"), NULL));
	EXPECT_EQ(1, ktstr_bridge__periodic_real_count(self->b));
	/* ...and a real one replacing a placeholder adds one. */
	ASSERT_EQ(0, store(self->b, "periodic_001", NULL));
	EXPECT_EQ(2, ktstr_bridge__periodic_real_count(self->b));
	/* Only what is stored counts. */
	ktstr_dump__free(ktstr_bridge__take(self->b, "periodic_002"));
	EXPECT_EQ(1, ktstr_bridge__periodic_real_count(self->b));
}

/* Watch callback: fails for symbols starting "bad", records the rest. */
struct watch_ctx {
	int calls;
	char armed[8][32];
	int nr_armed;
};

static int watch_cb(void *ctx, const char *symbol, char *why, size_t why_len)
{
	struct watch_ctx *w = ctx;

	w->calls++;
	if (!strncmp(symbol, "bad", 3)) {
		snprintf(why, why_len, "no symbol %s in vmlinux", symbol);
		return -ENOENT;
	}
	if (w->nr_armed < 8)
		snprintf(w->armed[w->nr_armed++], sizeof(w->armed[0]), "%s", symbol);
	return 0;
}

TEST_F(br, watch_slots_in_sequence)
{
	struct watch_ctx w = { 0 };
	char why[256];

	ktstr_bridge__set_watch(self->b, watch_cb, &w);
	EXPECT_EQ(-ENOENT, ktstr_bridge__register_watch(self->b, "bad_sym", why, sizeof(why)));
	EXPECT_STREQ("no symbol bad_sym in vmlinux", why);
	/* The failed arm gave its slot back. */
	EXPECT_EQ(0, ktstr_bridge__watch_count(self->b));

	EXPECT_EQ(0, ktstr_bridge__register_watch(self->b, "w1", why, sizeof(why)));
	EXPECT_EQ(0, ktstr_bridge__register_watch(self->b, "w2", NULL, 0));
	EXPECT_EQ(-ENOENT, ktstr_bridge__register_watch(self->b, "bad2", why, sizeof(why)));
	EXPECT_EQ(2, ktstr_bridge__watch_count(self->b));
	EXPECT_EQ(0, ktstr_bridge__register_watch(self->b, "w3", why, sizeof(why)));
	EXPECT_EQ(3, ktstr_bridge__watch_count(self->b));

	EXPECT_EQ(-ENOSPC, ktstr_bridge__register_watch(self->b, "w4", why, sizeof(why)));
	EXPECT_NE(NULL, strstr(why, "3")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "slot 0 is reserved")) TH_LOG("%s", why);
	EXPECT_NE(NULL, strstr(why, "w4")) TH_LOG("%s", why);
	/* Full: the callback is not even asked. */
	EXPECT_EQ(5, w.calls);
	EXPECT_EQ(-ENOSPC, ktstr_bridge__register_watch(self->b, "w5", NULL, 0));
	EXPECT_EQ(3, ktstr_bridge__watch_count(self->b));
	ASSERT_EQ(3, w.nr_armed);
	EXPECT_STREQ("w1", w.armed[0]);
	EXPECT_STREQ("w3", w.armed[2]);

	/* A tiny buffer still gets a terminated reason. */
	EXPECT_EQ(-ENOSPC, ktstr_bridge__register_watch(self->b, "w6", why, 4));
	EXPECT_EQ(3, strlen(why));
}

TEST_F(br, watch_without_a_callback)
{
	char why[256];
	int i;

	for (i = 0; i < 5; i++) {
		EXPECT_EQ(-EOPNOTSUPP,
			  ktstr_bridge__register_watch(self->b, "sym", why, sizeof(why)));
		EXPECT_NE(0, why[0]);
	}
	/* Each attempt gave its slot back, or the third would be -ENOSPC. */
	EXPECT_EQ(0, ktstr_bridge__watch_count(self->b));
	EXPECT_EQ(-EINVAL, ktstr_bridge__register_watch(self->b, NULL, why, sizeof(why)));
}

/* Watch slots raced by many threads whose arms are slow and often fail. */
#define RACE_THREADS	16
#define RACE_ATTEMPTS	300

struct race {
	struct ktstr_bridge *b;
	pthread_barrier_t start;
	atomic_uint max_held;
	atomic_int in_callback;
	atomic_uint max_in_callback;
	atomic_int armed;		/* callback successes */
	atomic_int successes, enospc, failed, other;
};

static void atomic_max(atomic_uint *m, unsigned int v)
{
	unsigned int cur = atomic_load(m);

	while (v > cur && !atomic_compare_exchange_weak(m, &cur, v))
		;
}

static int race_cb(void *ctx, const char *symbol, char *why, size_t why_len)
{
	struct race *r = ctx;
	int in = atomic_fetch_add(&r->in_callback, 1) + 1;
	unsigned int t, i;
	int ret = 0;

	atomic_max(&r->max_in_callback, in);
	atomic_max(&r->max_held, ktstr_bridge__watch_count(r->b));
	/* Hold the slot long enough for the other threads to pile up. */
	sched_yield();
	usleep(20);
	atomic_max(&r->max_held, ktstr_bridge__watch_count(r->b));
	/*
	 * Most arms fail, and none before every thread has tried 20 times,
	 * so slots keep being given back and retaken under contention.
	 */
	if (sscanf(symbol, "s_%u_%u", &t, &i) != 2 || i < 20 || (t * 7 + i) % 8) {
		snprintf(why, why_len, "arm of %s refused", symbol);
		ret = -EBUSY;
	} else {
		atomic_fetch_add(&r->armed, 1);
	}
	atomic_fetch_sub(&r->in_callback, 1);
	return ret;
}

struct race_thread {
	struct race *r;
	unsigned int id;
};

static void *race_thread(void *arg)
{
	struct race_thread *rt = arg;
	struct race *r = rt->r;
	char sym[32], why[256];

	pthread_barrier_wait(&r->start);
	for (unsigned int i = 0; i < RACE_ATTEMPTS; i++) {
		int ret;

		snprintf(sym, sizeof(sym), "s_%u_%u", rt->id, i);
		ret = ktstr_bridge__register_watch(r->b, sym, why, sizeof(why));
		atomic_max(&r->max_held, ktstr_bridge__watch_count(r->b));
		if (!ret)
			atomic_fetch_add(&r->successes, 1);
		else if (ret == -ENOSPC)
			atomic_fetch_add(&r->enospc, 1);
		else if (ret == -EBUSY && why[0])
			atomic_fetch_add(&r->failed, 1);
		else
			atomic_fetch_add(&r->other, 1);
	}
	return NULL;
}

TEST_F_TIMEOUT(br, watch_slots_raced, 300)
{
	struct race_thread rt[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	struct race r = { .b = self->b };
	int i;

	ASSERT_EQ(0, pthread_barrier_init(&r.start, NULL, RACE_THREADS));
	ktstr_bridge__set_watch(self->b, race_cb, &r);
	for (i = 0; i < RACE_THREADS; i++) {
		rt[i].r = &r;
		rt[i].id = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_thread, &rt[i]));
	}
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&r.start);

	TH_LOG("successes %d, -ENOSPC %d, refused %d, other %d, "
	       "most in the callback at once %d, most slots held %u",
	       atomic_load(&r.successes), atomic_load(&r.enospc), atomic_load(&r.failed),
	       atomic_load(&r.other), atomic_load(&r.max_in_callback),
	       atomic_load(&r.max_held));
	EXPECT_EQ(KTSTR_BRIDGE_MAX_WATCHES, atomic_load(&r.successes));
	EXPECT_EQ(KTSTR_BRIDGE_MAX_WATCHES, atomic_load(&r.armed));
	EXPECT_EQ(KTSTR_BRIDGE_MAX_WATCHES, ktstr_bridge__watch_count(self->b));
	EXPECT_LE(atomic_load(&r.max_held), KTSTR_BRIDGE_MAX_WATCHES);
	/* Never more arms in flight than slots, however many threads tried. */
	EXPECT_LE(atomic_load(&r.max_in_callback), KTSTR_BRIDGE_MAX_WATCHES);
	EXPECT_EQ(0, atomic_load(&r.other));
	EXPECT_EQ(RACE_THREADS * RACE_ATTEMPTS,
		  atomic_load(&r.successes) + atomic_load(&r.enospc) + atomic_load(&r.failed));
	EXPECT_GT(atomic_load(&r.failed), 0);
}

/*
 * Writers store unique tags while a drainer drains reports and events.
 * Every stored report must come out exactly once: drained, or named by
 * an EVICTION event, or (only if the event log overflowed) counted by a
 * LOG_TRUNCATED marker.
 */
#define STRESS_WRITERS	4
#define STRESS_STORES	3000

enum { UNSEEN, DRAINED, EVICTED };

struct stress {
	struct ktstr_bridge *b;
	atomic_int writers_left;
	atomic_int store_errors;
	unsigned char state[STRESS_WRITERS][STRESS_STORES];
	int last_drained[STRESS_WRITERS], last_evicted[STRESS_WRITERS];
	int drained, evicted, dup, bad, out_of_order, drains;
	uint64_t truncated;
};

struct stress_writer {
	struct stress *st;
	int id;
};

static void *stress_writer(void *arg)
{
	struct stress_writer *w = arg;
	char tag[32];

	for (int i = 0; i < STRESS_STORES; i++) {
		snprintf(tag, sizeof(tag), "w%d_%05d", w->id, i);
		if (store(w->st->b, tag, NULL))
			atomic_fetch_add(&w->st->store_errors, 1);
		if (!(i % 64))
			sched_yield();
	}
	atomic_fetch_sub(&w->st->writers_left, 1);
	return NULL;
}

static void stress_mark(struct stress *st, const char *tag, int how)
{
	int w, i;

	if (sscanf(tag, "w%d_%d", &w, &i) != 2 || w < 0 || w >= STRESS_WRITERS ||
	    i < 0 || i >= STRESS_STORES) {
		st->bad++;
		return;
	}
	if (st->state[w][i] != UNSEEN) {
		st->dup++;
		return;
	}
	st->state[w][i] = how;
	if (how == DRAINED) {
		st->drained++;
		if (i <= st->last_drained[w])
			st->out_of_order++;
		st->last_drained[w] = i;
	} else {
		st->evicted++;
		if (i <= st->last_evicted[w])
			st->out_of_order++;
		st->last_evicted[w] = i;
	}
}

static void stress_drain(struct __test_metadata *_metadata, struct stress *st)
{
	struct ktstr_bridge_sample *s;
	struct ktstr_bridge_event *ev;
	size_t n, i;

	/* Events first: an eviction is logged before its report could be drained. */
	ASSERT_EQ(0, ktstr_bridge__drain_events(st->b, &ev, &n));
	for (i = 0; i < n; i++) {
		if (ev[i].kind == KTSTR_BEV_EVICTION)
			stress_mark(st, ev[i].tag, EVICTED);
		else if (ev[i].kind == KTSTR_BEV_LOG_TRUNCATED)
			st->truncated += ev[i].count;
		else
			st->bad++;
	}
	ktstr_bridge__free_events(ev, n);

	ASSERT_EQ(0, ktstr_bridge__drain_ordered(st->b, &s, &n));
	ASSERT_LE(n, KTSTR_BRIDGE_MAX_REPORTS);
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].tag, rep_id(s[i].report)))
			st->bad++;
		stress_mark(st, s[i].tag, DRAINED);
	}
	ktstr_bridge__free_samples(s, n);
	st->drains++;
}

TEST_F_TIMEOUT(br, store_drain_stress, 300)
{
	struct stress_writer w[STRESS_WRITERS];
	pthread_t th[STRESS_WRITERS];
	struct stress *st = calloc(1, sizeof(*st));
	int i, j;

	ASSERT_NE(NULL, st);
	st->b = self->b;
	atomic_init(&st->writers_left, STRESS_WRITERS);
	for (i = 0; i < STRESS_WRITERS; i++) {
		st->last_drained[i] = -1;
		st->last_evicted[i] = -1;
		w[i].st = st;
		w[i].id = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, stress_writer, &w[i]));
	}
	while (atomic_load(&st->writers_left) > 0) {
		stress_drain(_metadata, st);
		sched_yield();
	}
	for (i = 0; i < STRESS_WRITERS; i++)
		pthread_join(th[i], NULL);
	/* Events before reports again, so this drain sees the last evictions. */
	stress_drain(_metadata, st);
	EXPECT_EQ(0, ktstr_bridge__len(self->b));

	TH_LOG("%d drains: %d drained, %d evicted, %llu behind a truncation marker",
	       st->drains, st->drained, st->evicted, (unsigned long long)st->truncated);
	EXPECT_EQ(0, atomic_load(&st->store_errors));
	EXPECT_EQ(0, st->dup);
	EXPECT_EQ(0, st->bad);
	EXPECT_EQ(0, st->out_of_order);
	EXPECT_EQ(STRESS_WRITERS * STRESS_STORES,
		  st->drained + st->evicted + (int)st->truncated);
	for (i = 0; i < STRESS_WRITERS && !st->truncated; i++) {
		for (j = 0; j < STRESS_STORES; j++)
			ASSERT_NE(UNSEEN, st->state[i][j]) TH_LOG("w%d_%05d lost", i, j);
	}
	free(st);
}

/* Internal: the entry stored under @tag. */
static struct bridge_entry *entry_of(struct ktstr_bridge *b, const char *tag)
{
	ssize_t i = tab_find(b, tag);

	return i < 0 ? NULL : b->tab[i];
}

TEST_F(br, drain_order_violation_surfaces_at_the_tail)
{
	static const char *const variants[] = { "drain_ordered", "drain_ordered_with_stats" };
	struct ktstr_bridge_meta m = { .has_step = true, .step_index = 7 };
	struct ktstr_bridge_sample *s;
	struct ktstr_bridge_event *ev;
	size_t n;

	for (int v = 0; v < 2; v++) {
		ASSERT_EQ(0, store(self->b, "a", NULL));
		ASSERT_EQ(0, store(self->b, "b", &m));
		ASSERT_EQ(0, store(self->b, "c", NULL));
		/* Break the invariant as a buggy change would: b leaves the order. */
		order_remove(self->b, entry_of(self->b, "b"));
		ASSERT_EQ(2, self->b->nr_order);

		if (v == 0) {
			ASSERT_EQ(0, ktstr_bridge__drain_ordered(self->b, &s, &n));
		} else {
			ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
		}
		ASSERT_EQ(3, n);
		EXPECT_STREQ("a", s[0].tag);
		EXPECT_STREQ("c", s[1].tag);
		EXPECT_STREQ("b", s[2].tag);
		EXPECT_STREQ("b", rep_id(s[2].report));
		EXPECT_EQ(v == 1, s[2].has_step);
		EXPECT_EQ(v == 1 ? 7 : 0, s[2].step_index);
		ktstr_bridge__free_samples(s, n);
		EXPECT_EQ(0, ktstr_bridge__len(self->b));

		ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
		ASSERT_EQ(1, n);
		EXPECT_EQ(KTSTR_BEV_DRAIN_ORDER_VIOLATION, ev[0].kind);
		EXPECT_STREQ("b", ev[0].tag);
		EXPECT_STREQ(variants[v], ev[0].drain);
		ktstr_bridge__free_events(ev, n);
	}
}

TEST_F(br, cap_violation_clears_the_store)
{
	struct ktstr_bridge_event *ev;
	struct bridge_entry *orphan;
	char tag[32];
	size_t n;
	int i;

	for (i = 0; i < KTSTR_BRIDGE_MAX_REPORTS; i++) {
		tagn(tag, sizeof(tag), "t", i);
		ASSERT_EQ(0, store(self->b, tag, NULL));
	}
	/*
	 * Desynchronise as a buggy change would: the order forgets every
	 * entry, and one more entry sits in the table outside it. The next
	 * store evicts its own entry, the only one left to evict, and still
	 * finds the table over the cap.
	 */
	self->b->nr_order = 0;
	orphan = entry_new("orphan", NULL);
	ASSERT_NE(NULL, orphan);
	orphan->report = rep("orphan");
	ASSERT_EQ(0, reserve_one(self->b));
	self->b->tab[self->b->nr_tab++] = orphan;
	ASSERT_EQ(0, store(self->b, "last", NULL));
	EXPECT_EQ(0, ktstr_bridge__len(self->b));

	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(KTSTR_BEV_EVICTION, ev[0].kind);
	EXPECT_STREQ("last", ev[0].tag);
	EXPECT_EQ(KTSTR_BEV_CAP_VIOLATION, ev[1].kind);
	EXPECT_EQ(KTSTR_BRIDGE_MAX_REPORTS + 1, ev[1].count);
	EXPECT_EQ(KTSTR_BRIDGE_MAX_REPORTS, ev[1].cap);
	ktstr_bridge__free_events(ev, n);

	/* Consistent again: it stores and drains normally. */
	ASSERT_EQ(0, store(self->b, "after", NULL));
	EXPECT_EQ(1, ktstr_bridge__len(self->b));
	EXPECT_EQ(1, self->b->nr_order);
}

/* The stored tags in order, joined, for comparing before and after. */
static void order_string(struct ktstr_bridge *b, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < b->nr_order && off < len; i++)
		off += snprintf(buf + off, len - off, "%s:%s,", b->order[i]->tag,
				rep_id(b->order[i]->report));
}

TEST_F(br, allocation_failure_leaves_the_store_intact)
{
	struct ktstr_bridge_meta m = { .stats_json = "{\"x\":1}", .has_elapsed = true };
	static const char *const cases[] = { "t005", "fresh" };	/* overwrite, evict */
	char before[4096], after[4096], tag[32];
	struct ktstr_bridge_sample *s;
	struct ktstr_bridge_event *ev;
	int i, c, k, enomem;
	size_t n, events;

	for (i = 0; i < KTSTR_BRIDGE_MAX_REPORTS; i++) {
		tagn(tag, sizeof(tag), "t", i);
		ASSERT_EQ(0, store(self->b, tag, &m));
	}
	for (c = 0; c < 2; c++) {
		enomem = 0;
		for (k = 0; k < 16; k++) {
			struct ktstr_dump_report *r = rep(cases[c]);
			int ret;

			ASSERT_NE(NULL, r);
			order_string(self->b, before, sizeof(before));
			events = ktstr_bridge__event_count(self->b);
			fail_after = k;
			ret = ktstr_bridge__store(self->b, cases[c], r, &m);
			fail_after = -1;
			if (ret == 0)
				break;
			/* The report is the bridge's either way (valgrind checks). */
			ASSERT_EQ(-ENOMEM, ret);
			enomem++;
			order_string(self->b, after, sizeof(after));
			EXPECT_STREQ(before, after);
			EXPECT_EQ(events, ktstr_bridge__event_count(self->b));
			EXPECT_EQ(KTSTR_BRIDGE_MAX_REPORTS, ktstr_bridge__len(self->b));
		}
		ASSERT_LT(k, 16);
		/* Entry, tag, stats, and an event string or two could each fail. */
		EXPECT_GE(enomem, 4) TH_LOG("case %s", cases[c]);
		EXPECT_EQ(events + 1, ktstr_bridge__event_count(self->b));
	}

	/* A drain that cannot allocate its result keeps everything. */
	fail_after = 0;
	EXPECT_EQ(-ENOMEM, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(NULL, s);
	fail_after = 0;
	EXPECT_EQ(-ENOMEM, ktstr_bridge__drain_events(self->b, &ev, &n));
	fail_after = -1;
	EXPECT_EQ(KTSTR_BRIDGE_MAX_REPORTS, ktstr_bridge__len(self->b));
	EXPECT_EQ(2, ktstr_bridge__event_count(self->b));

	/* An event whose string cannot be copied is counted, not lost unseen. */
	fail_after = 0;
	EXPECT_EQ(-ENODATA, ktstr_bridge__capture(self->b, "none_x"));
	fail_after = -1;
	ASSERT_EQ(0, ktstr_bridge__drain_events(self->b, &ev, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(KTSTR_BEV_OVERWRITE, ev[0].kind);
	EXPECT_EQ(KTSTR_BEV_EVICTION, ev[1].kind);
	EXPECT_STREQ("t000", ev[1].tag);
	EXPECT_STREQ("fresh", ev[1].new_tag);
	EXPECT_EQ(KTSTR_BEV_LOG_TRUNCATED, ev[2].kind);
	EXPECT_EQ(1, ev[2].count);
	ktstr_bridge__free_events(ev, n);

	ASSERT_EQ(0, ktstr_bridge__drain_ordered_with_stats(self->b, &s, &n));
	ASSERT_EQ(KTSTR_BRIDGE_MAX_REPORTS, n);
	EXPECT_STREQ("t005", s[n - 2].tag);
	EXPECT_STREQ("fresh", s[n - 1].tag);
	EXPECT_STREQ("{\"x\":1}", s[n - 1].stats_json);
	ktstr_bridge__free_samples(s, n);
}

TEST_F(br, bad_arguments)
{
	struct ktstr_bridge_meta bad = { .stats_missing = 1000 };
	struct ktstr_bridge_sample *s;
	size_t n;

	/* The report is taken (and freed) even when refused. */
	EXPECT_EQ(-EINVAL, ktstr_bridge__store(self->b, NULL, rep("x"), NULL));
	EXPECT_EQ(-EINVAL, ktstr_bridge__store(self->b, "x", NULL, NULL));
	EXPECT_EQ(-EINVAL, ktstr_bridge__store(self->b, "x", rep("x"), &bad));
	EXPECT_EQ(-EINVAL, ktstr_bridge__store(NULL, "x", rep("x"), NULL));
	EXPECT_EQ(-EINVAL, ktstr_bridge__capture(self->b, NULL));
	EXPECT_EQ(-EINVAL, ktstr_bridge__drain_ordered(self->b, NULL, &n));
	EXPECT_EQ(-EINVAL, ktstr_bridge__drain_ordered(NULL, &s, &n));
	EXPECT_EQ(0, ktstr_bridge__len(self->b));
	EXPECT_FALSE(ktstr_bridge__has(self->b, NULL));
	EXPECT_EQ(NULL, ktstr_bridge__take(self->b, NULL));
	EXPECT_EQ(0, self->cap.calls);
	/* An empty tag is a tag like any other. */
	EXPECT_EQ(0, store(self->b, "", NULL));
	EXPECT_TRUE(ktstr_bridge__has(self->b, ""));
	ktstr_bridge__free(NULL);
	ktstr_bridge__free_samples(NULL, 3);
	ktstr_bridge__free_events(NULL, 3);
}

TEST_HARNESS_MAIN
