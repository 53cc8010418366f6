// SPDX-License-Identifier: GPL-2.0
/*
 * Sample series: built from a real bridge's ordered drain, as the VMM
 * fills it (ktstr_bridge__store() with the stats, time and step of each
 * capture), then bucketed, filtered and projected along the four axes.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/bridge.h>
#include <ktstr/series.h>

#include "kselftest_harness.h"

/* The capture tables below list fields in order and leave the tail to zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* One capture as the VMM would store it. */
struct synth {
	const char *tag;
	uint64_t nr_dispatched;
	const char *stats;		/* JSON text; NULL: @why */
	enum ktstr_stats_missing why;
	int64_t elapsed;		/* < 0: no time */
	int step;			/* < 0: no stamp */
	bool placeholder;
	int stats_errno;
};

static struct ktstr_dump_report *synth_report(const struct synth *s)
{
	static const char *const names[] = { "nr_dispatched", "stall" };
	uint64_t vals[] = { s->nr_dispatched, 0 };

	if (s->placeholder)
		return ktstr_dump__new_placeholder("rendezvous timeout");
	return ktstr_series__synth_report("scx_obj", names, vals, 2);
}

/* Store every capture into a real bridge, then drain it into a series. */
static struct ktstr_series *series_of(const struct synth *s, size_t n)
{
	struct ktstr_bridge *b = ktstr_bridge__new(NULL, NULL);
	struct ktstr_series *series = NULL;

	if (!b)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct ktstr_bridge_meta meta = {
			.stats_json = s[i].stats,
			.stats_missing = s[i].stats ? KTSTR_STATS_PRESENT : s[i].why,
			.stats_errno = s[i].stats_errno,
			.has_elapsed = s[i].elapsed >= 0,
			.elapsed_ms = s[i].elapsed >= 0 ? (uint64_t)s[i].elapsed : 0,
			.has_step = s[i].step >= 0,
			.step_index = s[i].step >= 0 ? (uint16_t)s[i].step : 0,
		};
		struct ktstr_dump_report *r = synth_report(&s[i]);

		if (!r || ktstr_bridge__store(b, s[i].tag, r, &meta))
			goto out;
	}
	if (ktstr_series__from_bridge(b, &series))
		series = NULL;
	/* The drain empties the bridge: nothing is held twice. */
	if (series && ktstr_bridge__len(b) != 0) {
		ktstr_series__free(series);
		series = NULL;
	}
out:
	ktstr_bridge__free(b);
	return series;
}

#define SERIES(...) ({								\
	static const struct synth __s[] = { __VA_ARGS__ };			\
	series_of(__s, sizeof(__s) / sizeof(__s[0]));				\
})

TEST(drain_order_and_sample_contents)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 10, "{\"busy\": 50.5}", 0, 100, 0 },
		{ "periodic_001", 20, NULL, KTSTR_STATS_TIMEOUT, 200, 1 },
		{ "periodic_002", 30, "{\"busy\": 60}", 0, -1, -1 });
	const struct ktstr_sample *p;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(3, ktstr_series__len(s));
	p = ktstr_series__sample(s, 0);
	EXPECT_STREQ("periodic_000", p->tag);
	EXPECT_TRUE(p->has_elapsed);
	EXPECT_EQ(100, p->elapsed_ms);
	EXPECT_TRUE(p->has_step);
	EXPECT_EQ(0, p->step_index);
	ASSERT_NE(NULL, p->stats);
	EXPECT_EQ(KTSTR_STATS_PRESENT, p->stats_missing);
	ASSERT_NE(NULL, p->report);
	ASSERT_NE(NULL, p->snapshot);
	EXPECT_FALSE(ktstr_snapshot__is_placeholder(p->snapshot));

	p = ktstr_series__sample(s, 1);
	EXPECT_STREQ("periodic_001", p->tag);
	EXPECT_EQ(NULL, p->stats);
	EXPECT_EQ(KTSTR_STATS_TIMEOUT, p->stats_missing);
	EXPECT_EQ(1, p->step_index);

	p = ktstr_series__sample(s, 2);
	EXPECT_FALSE(p->has_elapsed);
	EXPECT_EQ(0, p->elapsed_ms);
	EXPECT_FALSE(p->has_step);
	EXPECT_EQ(NULL, ktstr_series__sample(s, 3));
	ktstr_series__free(s);
}

TEST(overwrite_reorders_like_the_bridge)
{
	/* A second store under a tag is a new insertion: it drains last. */
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 1, NULL, KTSTR_STATS_NO_SCHEDULER, 0, -1 },
		{ "periodic_001", 2, NULL, KTSTR_STATS_NO_SCHEDULER, 100, -1 },
		{ "periodic_000", 3, NULL, KTSTR_STATS_NO_SCHEDULER, 200, -1 });
	struct ktstr_series_field *f;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(2, ktstr_series__len(s));
	EXPECT_STREQ("periodic_001", ktstr_series__sample(s, 0)->tag);
	EXPECT_STREQ("periodic_000", ktstr_series__sample(s, 1)->tag);
	f = ktstr_series__bpf(s, "nr_dispatched");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(3, f->points[1].u64);
	ktstr_series_field__free(f);
	ktstr_series__free(s);
}

TEST(stats_missing_reasons_are_typed)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 1, NULL, KTSTR_STATS_NO_SCHEDULER_BINARY, 0, -1 },
		{ "periodic_001", 1, NULL, KTSTR_STATS_NO_SCHEDULER, 1, -1 },
		{ "periodic_002", 1, NULL, KTSTR_STATS_RELAY_FAILED, 2, -1 },
		{ "periodic_003", 1, NULL, KTSTR_STATS_TIMEOUT, 3, -1 },
		{ "periodic_004", 1, NULL, KTSTR_STATS_SCHEDULER_ERRNO, 4, -1, false, EAGAIN },
		{ "periodic_005", 1, "{\"busy\": ", 0, 5, -1 },
		{ "periodic_006", 1, "[1, 2", 0, 6, -1 });
	struct ktstr_series_field *f;
	char want[128];

	ASSERT_NE(NULL, s);
	f = ktstr_series__stats(s, "busy");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(7, f->nr_points);
	EXPECT_STREQ("stats:busy", f->label);
	EXPECT_EQ(KTSTR_AXIS_STATS, f->axis);
	EXPECT_EQ(7, ktstr_series_field__errored(f));
	EXPECT_STREQ("stats missing: no scheduler binary", f->points[0].error);
	EXPECT_STREQ("stats missing: no scheduler", f->points[1].error);
	EXPECT_STREQ("stats missing: relay failed", f->points[2].error);
	EXPECT_STREQ("stats missing: timeout", f->points[3].error);
	snprintf(want, sizeof(want), "stats missing: scheduler errno %d (%s)", EAGAIN,
		 strerror(EAGAIN));
	EXPECT_STREQ(want, f->points[4].error);
	/* Text that is not JSON: the sample says so, with where it broke. */
	EXPECT_EQ(KTSTR_STATS_PARSE_ERROR, ktstr_series__sample(s, 5)->stats_missing);
	ASSERT_NE(NULL, ktstr_series__sample(s, 5)->stats_error);
	EXPECT_EQ(0, strncmp(f->points[5].error, "stats missing: parse error: line 1", 34));
	EXPECT_EQ(KTSTR_STATS_PARSE_ERROR, ktstr_series__sample(s, 6)->stats_missing);
	/* Every error comes with its sample's tag and time, never a value. */
	for (size_t i = 0; i < f->nr_points; i++) {
		EXPECT_EQ(i, f->points[i].elapsed_ms);
		EXPECT_EQ(0, f->points[i].value);
	}
	ktstr_series_field__free(f);
	ktstr_series__free(s);
}

TEST(periodic_only_and_iterator)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 1, NULL, KTSTR_STATS_NO_SCHEDULER, 100, -1 },
		{ "user_watchpoint_kind", 2, NULL, KTSTR_STATS_NO_SCHEDULER, 150, -1 },
		{ "periodic_kaslr", 3, NULL, KTSTR_STATS_NO_SCHEDULER, 160, -1 },
		{ "periodic_0001", 4, NULL, KTSTR_STATS_NO_SCHEDULER, 170, -1 },
		{ "periodic_001", 5, NULL, KTSTR_STATS_NO_SCHEDULER, 200, -1 });
	const struct ktstr_sample *p;
	const char *seen[8];
	size_t c, n = 0;

	ASSERT_NE(NULL, s);
	ktstr_series__for_each_periodic(s, p, c) {
		ASSERT_LT(n, 8);
		seen[n++] = p->tag;
	}
	ASSERT_EQ(2, n);
	EXPECT_STREQ("periodic_000", seen[0]);
	EXPECT_STREQ("periodic_001", seen[1]);
	/* Borrowed: the series is untouched. */
	EXPECT_EQ(5, ktstr_series__len(s));

	ktstr_series__periodic_only(s);
	ASSERT_EQ(2, ktstr_series__len(s));
	EXPECT_STREQ("periodic_000", ktstr_series__sample(s, 0)->tag);
	EXPECT_STREQ("periodic_001", ktstr_series__sample(s, 1)->tag);
	EXPECT_EQ(200, ktstr_series__sample(s, 1)->elapsed_ms);
	ktstr_series__free(s);
}

TEST(by_phase_with_stamps)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 1, NULL, KTSTR_STATS_NO_SCHEDULER, 0, 0 },
		{ "periodic_001", 2, NULL, KTSTR_STATS_NO_SCHEDULER, 100, 2 },
		{ "periodic_002", 3, NULL, KTSTR_STATS_NO_SCHEDULER, 200, 1 },
		{ "periodic_003", 4, NULL, KTSTR_STATS_NO_SCHEDULER, 300, 1 },
		{ "snap_mid", 5, NULL, KTSTR_STATS_NO_SCHEDULER, 350, -1 },
		{ "periodic_004", 6, NULL, KTSTR_STATS_NO_SCHEDULER, 400, 2 });
	struct ktstr_phase_bucket *b;
	size_t n;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, ktstr_series__by_phase(s, &b, &n));
	ASSERT_EQ(3, n);
	/* Bucket 0: BASELINE and the unstamped capture, in drain order. */
	EXPECT_EQ(0, b[0].phase);
	ASSERT_EQ(2, b[0].nr_samples);
	EXPECT_EQ(0, b[0].samples[0]);
	EXPECT_EQ(4, b[0].samples[1]);
	EXPECT_FALSE(ktstr_series__sample(s, b[0].samples[1])->has_step);
	EXPECT_EQ(1, b[1].phase);
	ASSERT_EQ(2, b[1].nr_samples);
	EXPECT_EQ(2, b[1].samples[0]);
	EXPECT_EQ(3, b[1].samples[1]);
	EXPECT_EQ(2, b[2].phase);
	ASSERT_EQ(2, b[2].nr_samples);
	EXPECT_EQ(1, b[2].samples[0]);
	EXPECT_EQ(5, b[2].samples[1]);
	ktstr_phase_buckets__free(b, n);
	ktstr_series__free(s);
}

TEST(by_phase_without_stamps)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 1, NULL, KTSTR_STATS_NO_SCHEDULER, 0, -1 },
		{ "periodic_001", 2, NULL, KTSTR_STATS_NO_SCHEDULER, 100, -1 },
		{ "periodic_002", 3, NULL, KTSTR_STATS_NO_SCHEDULER, 200, -1 });
	struct ktstr_phase_bucket *b;
	size_t n;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, ktstr_series__by_phase(s, &b, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(KTSTR_PHASE_BASELINE, b[0].phase);
	EXPECT_EQ(3, b[0].nr_samples);
	ktstr_phase_buckets__free(b, n);
	ktstr_series__free(s);
}

TEST(empty_series)
{
	struct ktstr_bridge *br = ktstr_bridge__new(NULL, NULL);
	struct ktstr_series *s = NULL;
	struct ktstr_phase_bucket *b = (void *)1;
	struct ktstr_series_field *f;
	const struct ktstr_sample *p;
	size_t n = 99, c;

	ASSERT_NE(NULL, br);
	ASSERT_EQ(0, ktstr_series__from_bridge(br, &s));
	ktstr_bridge__free(br);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, ktstr_series__len(s));
	EXPECT_EQ(NULL, ktstr_series__sample(s, 0));
	ktstr_series__for_each_periodic(s, p, c)
		EXPECT_TRUE(0);
	ASSERT_EQ(0, ktstr_series__by_phase(s, &b, &n));
	EXPECT_EQ(0, n);
	ktstr_phase_buckets__free(b, n);
	f = ktstr_series__bpf(s, "nr_dispatched");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(0, f->nr_points);
	ktstr_series_field__free(f);
	ktstr_series_field__free(ktstr_series__stats(s, "busy"));
	ktstr_series__periodic_only(s);
	ktstr_series__free(s);

	s = ktstr_series__new();
	ASSERT_NE(NULL, s);
	EXPECT_EQ(0, ktstr_series__len(s));
	ktstr_series__free(s);
}

TEST(bpf_projection)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 10, NULL, KTSTR_STATS_NO_SCHEDULER, 100, 0 },
		{ "periodic_001", 0, NULL, KTSTR_STATS_NO_SCHEDULER, 200, 1, true },
		{ "periodic_002", UINT64_MAX - 1, NULL, KTSTR_STATS_NO_SCHEDULER, 300, 1 });
	struct ktstr_series_field *f;

	ASSERT_NE(NULL, s);
	f = ktstr_series__bpf(s, "nr_dispatched");
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("bpf:nr_dispatched", f->label);
	EXPECT_EQ(KTSTR_AXIS_BPF, f->axis);
	ASSERT_EQ(3, f->nr_points);
	EXPECT_EQ(NULL, f->points[0].error);
	EXPECT_TRUE(f->points[0].is_u64);
	EXPECT_EQ(10, f->points[0].u64);
	EXPECT_EQ(10.0, f->points[0].value);
	EXPECT_STREQ("periodic_000", f->points[0].tag);
	EXPECT_EQ(100, f->points[0].elapsed_ms);
	EXPECT_TRUE(f->points[0].has_phase);
	EXPECT_EQ(0, f->points[0].phase);
	/* A placeholder has no BPF state: the point says so. */
	EXPECT_STREQ("placeholder sample: rendezvous timeout", f->points[1].error);
	EXPECT_EQ(1, f->points[1].phase);
	/* Beyond 2^53 the exact value is kept. */
	EXPECT_TRUE(f->points[2].is_u64);
	EXPECT_EQ(UINT64_MAX - 1, f->points[2].u64);
	ktstr_series_field__free(f);

	/* A name that is not there: the snapshot view's error, naming it. */
	f = ktstr_series__bpf(s, "nr_nope");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, f->points[0].error);
	EXPECT_NE(NULL, strstr(f->points[0].error, "nr_nope"));
	EXPECT_STREQ("placeholder sample: rendezvous timeout", f->points[1].error);
	ktstr_series_field__free(f);

	/* Walking into a u64 fails there, it does not read something else. */
	f = ktstr_series__bpf(s, "nr_dispatched.x");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, f->points[0].error);
	ktstr_series_field__free(f);

	errno = 0;
	EXPECT_EQ(NULL, ktstr_series__bpf(s, ""));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(NULL, ktstr_series__bpf(s, ".x"));
	ktstr_series__free(s);
}

TEST(bpf_map_projection)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 7, NULL, KTSTR_STATS_NO_SCHEDULER, 100, -1 },
		{ "periodic_001", 9, NULL, KTSTR_STATS_NO_SCHEDULER, 200, -1 });
	struct ktstr_series_field *f;

	ASSERT_NE(NULL, s);
	f = ktstr_series__bpf_map(s, "scx_obj.bss", 0, "nr_dispatched");
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("bpf:scx_obj.bss[0].nr_dispatched", f->label);
	ASSERT_EQ(2, f->nr_points);
	EXPECT_EQ(NULL, f->points[0].error);
	EXPECT_EQ(7, f->points[0].u64);
	EXPECT_EQ(9, f->points[1].u64);
	ktstr_series_field__free(f);

	f = ktstr_series__bpf_map(s, "no_such_map", 0, "x");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, f->points[0].error);
	/* MAP_NOT_FOUND lists the maps there were. */
	EXPECT_NE(NULL, strstr(f->points[0].error, "scx_obj.bss"));
	ktstr_series_field__free(f);
	ktstr_series__free(s);
}

TEST(stats_projection)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 1,
		  "{\"busy\": 50.5, \"n\": 1152921504606846977, \"neg\": -3,"
		  " \"name\": \"x\", \"ok\": true,"
		  " \"layers\": {\"batch\": {\"util\": 0.25}}, \"arr\": [4, 5]}",
		  0, 100, -1 });
	struct ktstr_series_field *f;

	ASSERT_NE(NULL, s);
	f = ktstr_series__stats(s, "layers.batch.util");
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("stats:layers.batch.util", f->label);
	EXPECT_EQ(NULL, f->points[0].error);
	EXPECT_EQ(0.25, f->points[0].value);
	EXPECT_FALSE(f->points[0].is_u64);
	ktstr_series_field__free(f);

	f = ktstr_series__stats(s, "n");
	ASSERT_NE(NULL, f);
	EXPECT_TRUE(f->points[0].is_u64);
	EXPECT_EQ(1152921504606846977ULL, f->points[0].u64);
	ktstr_series_field__free(f);

	f = ktstr_series__stats(s, "neg");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(NULL, f->points[0].error);
	EXPECT_EQ(-3.0, f->points[0].value);
	ktstr_series_field__free(f);

	f = ktstr_series__stats(s, "arr.1");
	ASSERT_NE(NULL, f);
	EXPECT_EQ(5, f->points[0].u64);
	ktstr_series_field__free(f);

	/* Not there, and not a number: errors, not zeros. */
	f = ktstr_series__stats(s, "layers.interactive.util");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, f->points[0].error);
	EXPECT_NE(NULL, strstr(f->points[0].error, "interactive"));
	ktstr_series_field__free(f);
	f = ktstr_series__stats(s, "name");
	ASSERT_NE(NULL, f);
	EXPECT_NE(NULL, f->points[0].error);
	ktstr_series_field__free(f);
	ktstr_series__free(s);
}

/* A report with per-CPU time, stored through the bridge like any other. */
static struct ktstr_dump_report *cpu_time_report(unsigned int nr, uint64_t base,
						 const char *unavailable)
{
	static const char *const names[] = { "x" };
	uint64_t v = 0;
	struct ktstr_dump_report *r = ktstr_series__synth_report("scx_obj", names, &v, 1);

	if (!r)
		return NULL;
	if (unavailable) {
		r->per_cpu_time_unavailable = strdup(unavailable);
		return r;
	}
	r->per_cpu_time = calloc(nr, sizeof(*r->per_cpu_time));
	if (!r->per_cpu_time) {
		ktstr_dump__free(r);
		return NULL;
	}
	r->nr_per_cpu_time = nr;
	for (unsigned int i = 0; i < nr; i++) {
		struct ktstr_dump_cpu_time *t = &r->per_cpu_time[i];

		t->cpu = i;
		t->user_ns = base + i;
		t->nice_ns = 1;
		t->system_ns = 10;
		t->idle_ns = 1000;
		t->iowait_ns = 100;
		t->irq_ns = 2;
		t->softirq_ns = 3;
		t->steal_ns = 4;
	}
	return r;
}

TEST(host_projection)
{
	struct ktstr_bridge *b = ktstr_bridge__new(NULL, NULL);
	struct ktstr_bridge_meta m0 = { .has_elapsed = true, .elapsed_ms = 100 };
	struct ktstr_bridge_meta m1 = { .has_elapsed = true, .elapsed_ms = 200 };
	struct ktstr_bridge_meta m2 = { .has_elapsed = true, .elapsed_ms = 300 };
	struct ktstr_series *s;
	struct ktstr_series_field *f;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, ktstr_bridge__store(b, "periodic_000", cpu_time_report(4, 1000, NULL), &m0));
	ASSERT_EQ(0, ktstr_bridge__store(b, "periodic_001", cpu_time_report(4, 5000, NULL), &m1));
	ASSERT_EQ(0, ktstr_bridge__store(b, "periodic_002",
					 cpu_time_report(0, 0, "kernel_cpustat not found"), &m2));
	ASSERT_EQ(0, ktstr_series__from_bridge(b, &s));
	ktstr_bridge__free(b);

	f = ktstr_series__host(s, 1, KTSTR_CPU_USER);
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("host:cpu1.user", f->label);
	EXPECT_EQ(1001, f->points[0].u64);
	EXPECT_EQ(5001, f->points[1].u64);
	EXPECT_STREQ("per-CPU time unavailable: kernel_cpustat not found", f->points[2].error);
	ktstr_series_field__free(f);

	f = ktstr_series__host(s, -1, KTSTR_CPU_USER);
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("host:all.user", f->label);
	EXPECT_EQ(4 * 1000 + 0 + 1 + 2 + 3, f->points[0].u64);
	ktstr_series_field__free(f);

	/* busy: everything but idle and iowait. */
	f = ktstr_series__host(s, 0, KTSTR_CPU_BUSY);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(1000 + 1 + 10 + 2 + 3 + 4, f->points[0].u64);
	ktstr_series_field__free(f);

	f = ktstr_series__host(s, 7, KTSTR_CPU_IDLE);
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, f->points[0].error);
	EXPECT_NE(NULL, strstr(f->points[0].error, "cpu 7"));
	ktstr_series_field__free(f);

	EXPECT_EQ(NULL, ktstr_series__host(s, 0, (enum ktstr_cpu_time_col)99));
	ktstr_series__free(s);
}

TEST(monitor_projection)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 1, NULL, KTSTR_STATS_NO_SCHEDULER, 100, -1 },
		{ "periodic_001", 2, NULL, KTSTR_STATS_NO_SCHEDULER, 900, -1 });
	const struct ktstr_monitor_stat mon[] = {
		{ "max_imbalance_ratio", 1.75 },
		{ "stall_detected", 0 },
	};
	struct ktstr_series_field *f;
	double v;

	ASSERT_NE(NULL, s);
	f = ktstr_series__monitor(s, "max_imbalance_ratio");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, f->nr_points);
	EXPECT_STREQ("run", f->points[0].tag);
	EXPECT_STREQ("monitor did not run", f->points[0].error);
	ktstr_series_field__free(f);
	EXPECT_EQ(-ENODATA, ktstr_series__monitor_value(s, "x", &v));

	ASSERT_EQ(0, ktstr_series__set_monitor(s, mon, 2));
	f = ktstr_series__monitor(s, "max_imbalance_ratio");
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("monitor:max_imbalance_ratio", f->label);
	ASSERT_EQ(1, f->nr_points);
	EXPECT_EQ(NULL, f->points[0].error);
	EXPECT_EQ(1.75, f->points[0].value);
	/* One value for the whole run, at the end of the window it covers. */
	EXPECT_EQ(900, f->points[0].elapsed_ms);
	EXPECT_FALSE(f->points[0].has_phase);
	ktstr_series_field__free(f);

	f = ktstr_series__monitor(s, "avg_nr_running");
	ASSERT_NE(NULL, f);
	EXPECT_STREQ("no monitor value 'avg_nr_running' (have: max_imbalance_ratio, "
		     "stall_detected)", f->points[0].error);
	ktstr_series_field__free(f);
	EXPECT_EQ(-ENOENT, ktstr_series__monitor_value(s, "x", &v));
	EXPECT_EQ(0, ktstr_series__monitor_value(s, "stall_detected", &v));
	EXPECT_EQ(0, v);
	ktstr_series__free(s);
}

static int twice_dispatched(void *ctx, const struct ktstr_sample *s, double *out,
			    bool *is_u64, uint64_t *u64, char *why, size_t len)
{
	struct ktstr_field f = ktstr_snapshot__var(s->snapshot, "nr_dispatched");
	uint64_t v;

	if (s->report->is_placeholder) {
		snprintf(why, len, "no state in %s", s->tag);
		return -1;
	}
	if (ktstr_field__as_u64(f, &v))
		return -1;
	*is_u64 = true;
	*u64 = 2 * v;
	*out = (double)*u64;
	return 0;
}

TEST(custom_projection)
{
	struct ktstr_series *s = SERIES(
		{ "periodic_000", 21, NULL, KTSTR_STATS_NO_SCHEDULER, 100, -1 },
		{ "periodic_001", 0, NULL, KTSTR_STATS_NO_SCHEDULER, 200, -1, true });
	struct ktstr_series_field *f;

	ASSERT_NE(NULL, s);
	f = ktstr_series__project(s, "custom:2x", twice_dispatched, NULL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(KTSTR_AXIS_CUSTOM, f->axis);
	EXPECT_EQ(42, f->points[0].u64);
	EXPECT_STREQ("no state in periodic_001", f->points[1].error);
	ktstr_series_field__free(f);
	ktstr_series__free(s);
}

TEST(field_built_by_hand)
{
	/* What a loader does with a saved series: no reports, only points. */
	struct ktstr_series_field *f = ktstr_series_field__new("stats:busy", KTSTR_AXIS_STATS);
	struct ktstr_series_point p = { .tag = "periodic_009", .elapsed_ms = 5,
					.error = "stats missing: timeout", .value = 3 };

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__push_u64(f, "periodic_000", 0, 0, 5));
	ASSERT_EQ(0, ktstr_series_field__push_f64(f, "periodic_001", 100, -1, 2.5));
	ASSERT_EQ(0, ktstr_series_field__push_error(f, "periodic_002", 200, 3, "gone: %d", 7));
	for (int i = 0; i < 100; i++)
		ASSERT_EQ(0, ktstr_series_field__push(f, &p));
	ASSERT_EQ(103, f->nr_points);
	EXPECT_TRUE(f->points[0].has_phase);
	EXPECT_FALSE(f->points[1].has_phase);
	EXPECT_EQ(3, f->points[2].phase);
	EXPECT_STREQ("gone: 7", f->points[2].error);
	/* An errored point never carries a value along. */
	EXPECT_EQ(0, f->points[102].value);
	EXPECT_NE(p.tag, f->points[102].tag);
	EXPECT_EQ(101, ktstr_series_field__errored(f));
	EXPECT_EQ(-EINVAL, ktstr_series_field__push(f, NULL));
	p.tag = NULL;
	EXPECT_EQ(-EINVAL, ktstr_series_field__push(f, &p));
	ktstr_series_field__free(f);

	EXPECT_STREQ("bpf", ktstr_series_axis__str(KTSTR_AXIS_BPF));
	EXPECT_STREQ("timeout", ktstr_stats_missing__str(KTSTR_STATS_TIMEOUT));
	EXPECT_STREQ("softirq", ktstr_cpu_time_col__str(KTSTR_CPU_SOFTIRQ));
}

TEST(bad_arguments)
{
	EXPECT_EQ(-EINVAL, ktstr_series__from_bridge(NULL, NULL));
	errno = 0;
	EXPECT_EQ(NULL, ktstr_series__from_samples(NULL, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ktstr_series__len(NULL));
	EXPECT_EQ(NULL, ktstr_series__sample(NULL, 0));
	EXPECT_EQ(NULL, ktstr_series__stats(NULL, "x"));
	EXPECT_EQ(NULL, ktstr_series_field__new(NULL, KTSTR_AXIS_NONE));
	ktstr_series__free(NULL);
	ktstr_series_field__free(NULL);
}

TEST_HARNESS_MAIN
