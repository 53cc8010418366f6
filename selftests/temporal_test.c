// SPDX-License-Identifier: GPL-2.0
/*
 * Temporal patterns and per-phase aggregation over series fields. Every
 * field is projected from a series drained from a real bridge, stored
 * the way the VMM stores periodic captures: a report with the BPF
 * counter, the stats JSON (or why it is missing), elapsed time, step.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/bridge.h>
#include <ktstr/series.h>

#include "kselftest_harness.h"

/*
 * One periodic capture: BPF nr_dispatched = @bpf, stats {"v": @v, "w":
 * @w} unless @missing, or a placeholder report.
 */
struct cap {
	uint64_t elapsed;
	double v;
	double w;
	int step;			/* < 0: unstamped */
	enum ktstr_stats_missing missing;
	uint64_t bpf;
	bool placeholder;
};

#define NO_STEP		-1
#define GAP		KTSTR_STATS_TIMEOUT

static struct ktstr_series *series_of(const struct cap *c, size_t n)
{
	static const char *const names[] = { "nr_dispatched" };
	struct ktstr_bridge *b = ktstr_bridge__new(NULL, NULL);
	struct ktstr_series *s = NULL;

	if (!b)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct ktstr_bridge_meta meta = {
			.stats_missing = c[i].missing,
			.has_elapsed = true,
			.elapsed_ms = c[i].elapsed,
			.has_step = c[i].step >= 0,
			.step_index = c[i].step >= 0 ? (uint16_t)c[i].step : 0,
		};
		struct ktstr_dump_report *r;
		char tag[32], json[128];

		snprintf(tag, sizeof(tag), "periodic_%03zu", i);
		snprintf(json, sizeof(json), "{\"v\": %.17g, \"w\": %.17g}", c[i].v, c[i].w);
		if (!c[i].missing)
			meta.stats_json = json;
		r = c[i].placeholder ? ktstr_dump__new_placeholder("rendezvous timeout") :
		    ktstr_series__synth_report("scx_obj", names, &c[i].bpf, 1);
		if (!r || ktstr_bridge__store(b, tag, r, &meta))
			goto out;
	}
	if (ktstr_series__from_bridge(b, &s))
		s = NULL;
out:
	ktstr_bridge__free(b);
	return s;
}

/* The field @path of the captures: "v"/"w" are stats, "bpf" the BPF counter. */
static struct ktstr_series_field *field_of(const struct cap *c, size_t n, const char *path)
{
	struct ktstr_series *s = series_of(c, n);
	struct ktstr_series_field *f;

	if (!s)
		return NULL;
	f = strcmp(path, "bpf") ? ktstr_series__stats(s, path) :
	    ktstr_series__bpf(s, "nr_dispatched");
	ktstr_series__free(s);
	return f;
}

#define CAPS(...) ((const struct cap[]){ __VA_ARGS__ })
#define NCAPS(...) (sizeof(CAPS(__VA_ARGS__)) / sizeof(struct cap))
#define FIELD(path, ...) field_of(CAPS(__VA_ARGS__), NCAPS(__VA_ARGS__), path)

/* The capture tables list fields in order and leave the tail to zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static char *render(const struct ktstr_temporal_result *r)
{
	static char buf[1024];
	char *t = ktstr_temporal_result__render(r);

	snprintf(buf, sizeof(buf), "%s", t ? t : "(render failed)");
	free(t);
	return buf;
}

static bool has_note(const struct ktstr_temporal_result *r, const char *needle)
{
	for (size_t i = 0; i < r->nr_notes; i++)
		if (strstr(r->notes[i], needle))
			return true;
	return false;
}

/* Check @r's verdict and offender, then free it. */
#define EXPECT_RESULT(r, want_pass, want_tag) do {				\
	struct ktstr_temporal_result *__r = (r);				\
	ASSERT_NE(NULL, __r);							\
	EXPECT_EQ(want_pass, __r->pass) TH_LOG("%s", render(__r));		\
	if (want_tag) {								\
		ASSERT_TRUE(__r->has_offender) TH_LOG("%s", render(__r));	\
		EXPECT_STREQ((const char *)(want_tag), __r->offender.tag);	\
	} else {								\
		EXPECT_FALSE(__r->has_offender);				\
	}									\
	ktstr_temporal_result__free(__r);					\
} while (0)

/* ---- nondecreasing ---------------------------------------------------- */

TEST(nondecreasing)
{
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	f = FIELD("v", { 0, 1 }, { 100, 1 }, { 200, 3 }, { 300, 7 });
	ASSERT_NE(NULL, f);
	EXPECT_RESULT(ktstr_temporal__nondecreasing(f), true, NULL);
	ktstr_series_field__free(f);

	f = FIELD("v", { 0, 1 }, { 100, 5 }, { 200, 4 }, { 300, 2 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__nondecreasing(f);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("nondecreasing", r->pattern);
	EXPECT_STREQ("stats:v", r->label);
	EXPECT_EQ(2, r->offender_index);
	EXPECT_STREQ("periodic_002", r->offender.tag);
	EXPECT_EQ(200, r->offender.elapsed_ms);
	EXPECT_EQ(4, r->offender.value);
	EXPECT_STREQ("nondecreasing on stats:v failed at periodic_002 (t=200 ms): "
		     "4 < 5 at periodic_001", render(r));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);
}

TEST(nondecreasing_exact_beyond_2_53)
{
	/* As doubles these two are equal; the u64s are not. */
	struct ktstr_series_field *f = FIELD("bpf",
		{ 0, 0, 0, NO_STEP, 0, (1ULL << 60) + 1 },
		{ 100, 0, 0, NO_STEP, 0, (1ULL << 60) });

	ASSERT_NE(NULL, f);
	EXPECT_RESULT(ktstr_temporal__nondecreasing(f), false, "periodic_001");
	ktstr_series_field__free(f);
}

TEST(nondecreasing_skips_gaps)
{
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	/* The missing sample would not have told the decrease apart: it is skipped. */
	f = FIELD("v", { 0, 1 }, { 100, 0, 0, 0, GAP }, { 200, 2 },
		  { 300, 0, 0, 0, KTSTR_STATS_RELAY_FAILED }, { 400, 2 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__nondecreasing(f);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass);
	ASSERT_EQ(2, r->nr_skipped);
	EXPECT_STREQ("periodic_001", r->skipped[0].tag);
	EXPECT_STREQ("stats missing: timeout", r->skipped[0].error);
	EXPECT_STREQ("nondecreasing on stats:v passed; skipped 2 errored samples "
		     "(periodic_001: stats missing: timeout, periodic_003: stats missing: "
		     "relay failed)", render(r));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);

	/* A placeholder has no BPF state: a gap in the bpf axis. */
	f = FIELD("bpf", { 0, 0, 0, NO_STEP, 0, 5 }, { 100, 0, 0, NO_STEP, 0, 0, true },
		  { 200, 0, 0, NO_STEP, 0, 6 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__nondecreasing(f);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass);
	ASSERT_EQ(1, r->nr_skipped);
	EXPECT_STREQ("placeholder sample: rendezvous timeout", r->skipped[0].error);
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);
}

/* ---- rate_within ------------------------------------------------------ */

TEST(rate_within)
{
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	f = FIELD("v", { 0, 0 }, { 100, 1.5 }, { 200, 3 }, { 300, 4.5 });
	ASSERT_NE(NULL, f);
	EXPECT_RESULT(ktstr_temporal__rate_within(f, 10, 20), true, NULL);
	/* Bounds are inclusive: 15/s is within [15, 15]. */
	EXPECT_RESULT(ktstr_temporal__rate_within(f, 15, 15), true, NULL);
	EXPECT_RESULT(ktstr_temporal__rate_within(f, 16, 20), false, "periodic_001");
	ktstr_series_field__free(f);

	/* The readable rendering of a failure after a gap. */
	f = FIELD("v", { 0, 0 }, { 100, 1.5 }, { 200, 0, 0, 0, GAP }, { 300, 4.5 }, { 400, 8 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__rate_within(f, 10, 20);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_EQ(4, r->offender_index);
	EXPECT_EQ(400, r->offender.elapsed_ms);
	EXPECT_EQ(8, r->offender.value);
	EXPECT_STREQ("rate 35.0/s", r->detail);
	EXPECT_STREQ("rate_within(10, 20)/s on stats:v failed at periodic_004 (t=400 ms): "
		     "rate 35.0/s; skipped 1 errored sample (periodic_002: stats missing: "
		     "timeout)", render(r));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);

	/* Falling counters have negative rates. */
	f = FIELD("bpf", { 0, 0, 0, NO_STEP, 0, 100 }, { 1000, 0, 0, NO_STEP, 0, 90 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__rate_within(f, -20, 0);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass);
	ktstr_temporal_result__free(r);
	r = ktstr_temporal__rate_within(f, 0, 20);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("rate -10.0/s", r->detail);
	ktstr_temporal_result__free(r);
	errno = 0;
	EXPECT_EQ(NULL, ktstr_temporal__rate_within(f, 2, 1));
	EXPECT_EQ(EINVAL, errno);
	ktstr_series_field__free(f);
}

TEST(rate_within_needs_time_to_pass)
{
	struct ktstr_series_field *f = FIELD("v", { 100, 1 }, { 100, 2 });
	struct ktstr_temporal_result *r;

	ASSERT_NE(NULL, f);
	r = ktstr_temporal__rate_within(f, -1e9, 1e9);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("periodic_001", r->offender.tag);
	EXPECT_NE(NULL, strstr(r->detail, "no time elapsed since periodic_000"));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);
}

/* ---- steady_within ---------------------------------------------------- */

TEST(steady_within)
{
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	/* Ramp-up inside the warm-up, then 100 +- 4: mean 100. */
	f = FIELD("v", { 0, 5 }, { 100, 50 }, { 200, 96 }, { 300, 104 }, { 400, 100 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__steady_within(f, 0.05, 200);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass) TH_LOG("%s", render(r));
	EXPECT_TRUE(has_note(r, "2 warm-up samples before t=200 ms not checked"));
	ktstr_temporal_result__free(r);
	/* Without the warm-up the ramp is not steady: the first sample is 95% off. */
	r = ktstr_temporal__steady_within(f, 0.05, 0);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("periodic_000", r->offender.tag);
	ktstr_temporal_result__free(r);
	/* 3% tolerance: 96 is 4% off the mean, the first to fail. */
	r = ktstr_temporal__steady_within(f, 0.03, 200);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("periodic_002", r->offender.tag);
	EXPECT_STREQ("96 is 4.0% off 100 (tolerance 3.0%)", r->detail);
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);
}

TEST(steady_within_gaps_zero_mean_and_warmup_only)
{
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	f = FIELD("v", { 0, 10 }, { 100, 0, 0, 0, GAP }, { 200, 10.5 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__steady_within(f, 0.05, 0);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass);
	EXPECT_EQ(1, r->nr_skipped);
	ktstr_temporal_result__free(r);
	/* Everything inside the warm-up: samples taken, none checked: fail. */
	r = ktstr_temporal__steady_within(f, 0.05, 1000);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_FALSE(r->has_offender);
	EXPECT_NE(NULL, strstr(r->detail, "no usable sample after the warm-up"));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);

	/* Mean 0: the tolerance is absolute. */
	f = FIELD("v", { 0, -0.5 }, { 100, 0.5 }, { 200, 0 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__steady_within(f, 0.5, 0);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass);
	EXPECT_TRUE(has_note(r, "the mean is 0: tolerance taken as absolute"));
	ktstr_temporal_result__free(r);
	EXPECT_RESULT(ktstr_temporal__steady_within(f, 0.4, 0), false, "periodic_000");
	ktstr_series_field__free(f);
}

/* ---- converges_to ----------------------------------------------------- */

TEST(converges_to)
{
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	f = FIELD("v", { 0, 0 }, { 100, 40 }, { 200, 80 }, { 300, 99 }, { 400, 101 });
	ASSERT_NE(NULL, f);
	EXPECT_RESULT(ktstr_temporal__converges_to(f, 100, 0.02, 300), true, NULL);
	EXPECT_RESULT(ktstr_temporal__converges_to(f, 100, 0.02, 200), false, "periodic_002");
	EXPECT_RESULT(ktstr_temporal__converges_to(f, 100, 0.005, 300), false, "periodic_003");
	/* Nothing at or after `by`: it never had the chance to, and that fails. */
	r = ktstr_temporal__converges_to(f, 100, 0.02, 5000);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("no usable sample at or after t=5000 ms", r->detail);
	EXPECT_TRUE(has_note(r, "5 samples before t=5000 ms not checked"));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);

	/* A gap after `by` is skipped; target 0 takes an absolute tolerance. */
	f = FIELD("v", { 0, 9 }, { 100, 0, 0, 0, GAP }, { 200, 0.01 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__converges_to(f, 0, 0.05, 100);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass) TH_LOG("%s", render(r));
	EXPECT_EQ(1, r->nr_skipped);
	EXPECT_TRUE(has_note(r, "the target is 0: tolerance taken as absolute"));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);
}

/* ---- always_true and each: strict ------------------------------------- */

static bool below(void *ctx, double v)
{
	return v < *(double *)ctx;
}

TEST(always_true_is_strict)
{
	double limit = 10;
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	f = FIELD("v", { 0, 1 }, { 100, 2 }, { 200, 9 });
	ASSERT_NE(NULL, f);
	EXPECT_RESULT(ktstr_temporal__always_true(f, below, &limit, "v < 10"), true, NULL);
	limit = 5;
	r = ktstr_temporal__always_true(f, below, &limit, "v < 5");
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("always_true(v < 5) on stats:v failed at periodic_002 (t=200 ms): "
		     "v < 5 is false for 9", render(r));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);

	/* A missing-stats gap fails a strict pattern where it is. */
	limit = 10;
	f = FIELD("v", { 0, 1 }, { 100, 0, 0, 0, GAP }, { 200, 2 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__always_true(f, below, &limit, "v < 10");
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("periodic_001", r->offender.tag);
	EXPECT_STREQ("stats missing: timeout", r->offender.error);
	EXPECT_STREQ("always_true(v < 10) on stats:v failed at periodic_001 (t=100 ms): "
		     "no value: stats missing: timeout", render(r));
	ktstr_temporal_result__free(r);
	/* ...while the tolerant ones go past it. */
	EXPECT_RESULT(ktstr_temporal__nondecreasing(f), true, NULL);
	ktstr_series_field__free(f);
}

static int stamped_phase_le_1(void *ctx, const struct ktstr_series_point *p, char *why,
			      size_t len)
{
	if (p->has_phase && p->phase <= 1)
		return 0;
	snprintf(why, len, "%s is in phase %d", p->tag, p->has_phase ? p->phase : -1);
	return -1;
}

TEST(each_is_strict)
{
	struct ktstr_series_field *f;
	struct ktstr_temporal_result *r;

	f = FIELD("v", { 0, 1, 0, 0 }, { 100, 2, 0, 1 }, { 200, 3, 0, 1 });
	ASSERT_NE(NULL, f);
	EXPECT_RESULT(ktstr_temporal__each(f, stamped_phase_le_1, NULL, "phase <= 1"), true,
		      NULL);
	ktstr_series_field__free(f);

	f = FIELD("v", { 0, 1, 0, 0 }, { 100, 2, 0, 2 }, { 200, 3, 0, 1 });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__each(f, stamped_phase_le_1, NULL, "phase <= 1");
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("periodic_001 is in phase 2", r->detail);
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);

	f = FIELD("v", { 0, 1, 0, 0 }, { 100, 0, 0, 1, KTSTR_STATS_NO_SCHEDULER });
	ASSERT_NE(NULL, f);
	r = ktstr_temporal__each(f, stamped_phase_le_1, NULL, "phase <= 1");
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("no value: stats missing: no scheduler", r->detail);
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);
}

/* ---- ratio_within ----------------------------------------------------- */

TEST(ratio_within)
{
	const struct cap c[] = {
		{ 0, 10, 20 }, { 100, 0, 0, 0, GAP }, { 200, 12, 24 }, { 300, 30, 20 },
	};
	struct ktstr_series *s = series_of(c, 4);
	struct ktstr_series_field *v, *w, *bpf;
	struct ktstr_temporal_result *r;

	ASSERT_NE(NULL, s);
	v = ktstr_series__stats(s, "v");
	w = ktstr_series__stats(s, "w");
	ASSERT_NE(NULL, v);
	ASSERT_NE(NULL, w);
	r = ktstr_temporal__ratio_within(v, w, 0.4, 0.6);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("periodic_003", r->offender.tag);
	EXPECT_STREQ("ratio_within(stats:w, 0.4, 0.6) on stats:v failed at periodic_003 "
		     "(t=300 ms): ratio 1.5; skipped 1 errored sample (periodic_001: stats "
		     "missing: timeout)", render(r));
	ktstr_temporal_result__free(r);
	EXPECT_RESULT(ktstr_temporal__ratio_within(v, w, 0.4, 1.5), true, NULL);

	/* A zero denominator is no ratio. */
	bpf = ktstr_series__bpf(s, "nr_dispatched");
	ASSERT_NE(NULL, bpf);
	r = ktstr_temporal__ratio_within(v, bpf, 0, 1e9);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_NE(NULL, strstr(r->detail, "bpf:nr_dispatched is 0 there"));
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(bpf);
	ktstr_series_field__free(w);

	/* Fields of different samples do not pair. */
	w = FIELD("w", { 0, 1, 1 });
	ASSERT_NE(NULL, w);
	errno = 0;
	EXPECT_EQ(NULL, ktstr_temporal__ratio_within(v, w, 0, 1));
	EXPECT_EQ(EINVAL, errno);
	ktstr_series_field__free(w);
	ktstr_series_field__free(v);
	ktstr_series__free(s);
}

/* ---- empty, one sample, nothing usable --------------------------------- */

static int always_ok(void *ctx, const struct ktstr_series_point *p, char *why, size_t len)
{
	return 0;
}

TEST(empty_field_passes_every_pattern)
{
	struct ktstr_series *s = series_of(NULL, 0);
	struct ktstr_series_field *f, *g;
	struct ktstr_temporal_result *r[7];
	double limit = 0;

	ASSERT_NE(NULL, s);
	f = ktstr_series__stats(s, "v");
	g = ktstr_series__bpf(s, "nr_dispatched");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, g);
	ASSERT_EQ(0, f->nr_points);
	r[0] = ktstr_temporal__nondecreasing(f);
	r[1] = ktstr_temporal__rate_within(f, 1, 2);
	r[2] = ktstr_temporal__steady_within(f, 0.1, 0);
	r[3] = ktstr_temporal__converges_to(f, 5, 0.1, 0);
	r[4] = ktstr_temporal__always_true(f, below, &limit, "never");
	r[5] = ktstr_temporal__ratio_within(f, g, 1, 2);
	r[6] = ktstr_temporal__each(f, always_ok, NULL, "ok");
	for (int i = 0; i < 7; i++) {
		ASSERT_NE(NULL, r[i]);
		EXPECT_TRUE(r[i]->pass);
		EXPECT_TRUE(has_note(r[i], "empty series: nothing to check"));
		ktstr_temporal_result__free(r[i]);
	}
	ktstr_series_field__free(f);
	ktstr_series_field__free(g);
	ktstr_series__free(s);
}

TEST(one_sample)
{
	struct ktstr_series_field *f = FIELD("v", { 500, 7 });
	struct ktstr_temporal_result *r;
	double limit = 10;

	ASSERT_NE(NULL, f);
	r = ktstr_temporal__nondecreasing(f);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass);
	EXPECT_STREQ("nondecreasing on stats:v passed; one usable sample: no interval to "
		     "check", render(r));
	ktstr_temporal_result__free(r);
	r = ktstr_temporal__rate_within(f, 100, 200);
	ASSERT_NE(NULL, r);
	EXPECT_TRUE(r->pass);
	EXPECT_TRUE(has_note(r, "one usable sample"));
	ktstr_temporal_result__free(r);
	/* The others check the one point like any other. */
	EXPECT_RESULT(ktstr_temporal__steady_within(f, 0, 0), true, NULL);
	EXPECT_RESULT(ktstr_temporal__converges_to(f, 7, 0, 500), true, NULL);
	EXPECT_RESULT(ktstr_temporal__converges_to(f, 8, 0.1, 0), false, "periodic_000");
	EXPECT_RESULT(ktstr_temporal__always_true(f, below, &limit, "v < 10"), true, NULL);
	ktstr_series_field__free(f);
}

TEST(nothing_usable_fails_tolerant_patterns)
{
	struct ktstr_series_field *f = FIELD("v", { 0, 0, 0, 0, GAP }, { 100, 0, 0, 0, GAP });
	struct ktstr_temporal_result *r;

	ASSERT_NE(NULL, f);
	r = ktstr_temporal__nondecreasing(f);
	ASSERT_NE(NULL, r);
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("nondecreasing on stats:v failed: no usable sample: 2 errored; skipped 2 "
		     "errored samples (periodic_000: stats missing: timeout, periodic_001: "
		     "stats missing: timeout)", render(r));
	ktstr_temporal_result__free(r);
	EXPECT_RESULT(ktstr_temporal__rate_within(f, 0, 1), false, NULL);
	EXPECT_RESULT(ktstr_temporal__steady_within(f, 1, 0), false, NULL);
	ktstr_series_field__free(f);
}

TEST(loaded_field_without_reports)
{
	/* A field rebuilt from a saved file behaves like a projected one. */
	struct ktstr_series_field *f = ktstr_series_field__new("bpf:nr_dispatched",
							       KTSTR_AXIS_NONE);
	struct ktstr_temporal_result *r;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__push_u64(f, "periodic_000", 0, 0, 10));
	ASSERT_EQ(0, ktstr_series_field__push_f64(f, "periodic_001", 100, 0, NAN));
	r = ktstr_temporal__nondecreasing(f);
	ASSERT_NE(NULL, r);
	/* A value that is not a number is no gap: it fails. */
	EXPECT_FALSE(r->pass);
	EXPECT_STREQ("periodic_001", r->offender.tag);
	ktstr_temporal_result__free(r);
	ktstr_series_field__free(f);
}

/* ---- phases ----------------------------------------------------------- */

TEST(phase_helpers_with_stamps)
{
	struct ktstr_series_field *f = FIELD("v",
		{ 0, 1, 0, 0 }, { 100, 2, 0, 0 },
		{ 200, 10, 0, 1 }, { 300, 0, 0, 1, GAP }, { 400, 12, 0, 1 },
		{ 500, 0, 0, 2, GAP },
		{ 600, 24, 0, 3 }, { 700, 0, 0, 4 });
	struct ktstr_phase_value pv[8];
	size_t idx;
	double v;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__value_at_phase(f, 1, &v, &idx));
	EXPECT_EQ(10, v);
	EXPECT_EQ(2, idx);
	ASSERT_EQ(0, ktstr_series_field__last_in_phase(f, 1, &v, &idx));
	EXPECT_EQ(12, v);
	EXPECT_EQ(4, idx);
	ASSERT_EQ(0, ktstr_series_field__value_at_phase(f, 0, &v, NULL));
	EXPECT_EQ(1, v);
	/* Phase 2 has only an errored sample; phase 9 has none. */
	EXPECT_EQ(-ENODATA, ktstr_series_field__value_at_phase(f, 2, &v, NULL));
	EXPECT_EQ(-ENOENT, ktstr_series_field__last_in_phase(f, 9, &v, NULL));

	ASSERT_EQ(4, ktstr_series_field__last_per_phase(f, pv, 8));
	EXPECT_EQ(0, pv[0].phase);
	EXPECT_EQ(2, pv[0].value);
	EXPECT_EQ(1, pv[1].phase);
	EXPECT_EQ(12, pv[1].value);
	EXPECT_EQ(3, pv[2].phase);
	EXPECT_EQ(24, pv[2].value);
	EXPECT_EQ(4, pv[3].phase);
	EXPECT_EQ(7, pv[3].index);
	/* A short buffer still tells how many there are. */
	EXPECT_EQ(4, ktstr_series_field__last_per_phase(f, pv, 1));

	ASSERT_EQ(0, ktstr_series_field__ratio_across_phases(f, 3, 1, &v));
	EXPECT_EQ(2, v);
	EXPECT_EQ(-ERANGE, ktstr_series_field__ratio_across_phases(f, 1, 4, &v));
	EXPECT_EQ(-ENODATA, ktstr_series_field__ratio_across_phases(f, 2, 1, &v));
	ktstr_series_field__free(f);
}

TEST(phase_helpers_without_stamps)
{
	/* Unstamped samples are all BASELINE. */
	struct ktstr_series_field *f = FIELD("v", { 0, 3, 0, NO_STEP }, { 100, 5, 0, NO_STEP });
	struct ktstr_phase_value pv[2];
	double v;

	ASSERT_NE(NULL, f);
	EXPECT_FALSE(f->points[0].has_phase);
	ASSERT_EQ(0, ktstr_series_field__value_at_phase(f, KTSTR_PHASE_BASELINE, &v, NULL));
	EXPECT_EQ(3, v);
	ASSERT_EQ(1, ktstr_series_field__last_per_phase(f, pv, 2));
	EXPECT_EQ(5, pv[0].value);
	EXPECT_EQ(-ENOENT, ktstr_series_field__value_at_phase(f, 1, &v, NULL));
	ktstr_series_field__free(f);
}

/* ---- aggregation ------------------------------------------------------ */

TEST(aggregate_counter_gauge_peak)
{
	struct ktstr_series_field *f = FIELD("bpf",
		{ 0, 0, 0, 0, 0, 100 }, { 100, 0, 0, 0, 0, 130 },
		{ 200, 0, 0, 1, 0, 130 }, { 300, 0, 0, 1, 0, 200 },
		{ 400, 0, 0, 1, 0, 0, true }, { 500, 0, 0, 1, 0, 260 });
	struct ktstr_phase_agg *a;
	size_t n;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_COUNTER, &a, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(0, a[0].phase);
	EXPECT_TRUE(a[0].is_u64);
	EXPECT_EQ(30, a[0].u64);
	EXPECT_EQ(1, a[1].phase);
	EXPECT_EQ(130, a[1].u64);
	EXPECT_EQ(130.0, a[1].value);
	EXPECT_EQ(4, a[1].nr_points);
	EXPECT_EQ(3, a[1].nr_values);
	EXPECT_EQ(1, a[1].nr_errored);
	EXPECT_EQ(0, a[1].resets);
	EXPECT_EQ(NULL, a[1].note);
	ktstr_phase_aggs__free(a, n);

	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_GAUGE, &a, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(115, a[0].value);
	EXPECT_TRUE(fabs(a[1].value - 590.0 / 3) < 1e-9);
	ktstr_phase_aggs__free(a, n);

	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_PEAK, &a, &n));
	EXPECT_EQ(130, a[0].u64);
	EXPECT_EQ(260, a[1].u64);
	ktstr_phase_aggs__free(a, n);
	ktstr_series_field__free(f);
}

TEST(aggregate_counter_reset)
{
	/* 10, 40, then the scheduler restarts: 5, 25. (40 - 10) + (25 - 0) = 55. */
	struct ktstr_series_field *f = FIELD("bpf",
		{ 0, 0, 0, 1, 0, 10 }, { 100, 0, 0, 1, 0, 40 },
		{ 200, 0, 0, 1, 0, 5 }, { 300, 0, 0, 1, 0, 25 });
	struct ktstr_phase_agg *a;
	size_t n;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_COUNTER, &a, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(55, a[0].u64);
	EXPECT_EQ(1, a[0].resets);
	ASSERT_NE(NULL, a[0].note);
	EXPECT_NE(NULL, strstr(a[0].note, "1 reset (first at periodic_002)"));
	ktstr_phase_aggs__free(a, n);
	ktstr_series_field__free(f);
}

TEST(aggregate_counter_near_u64_max)
{
	/* Exact near the top: doubles would lose these differences. */
	struct ktstr_series_field *f = FIELD("bpf",
		{ 0, 0, 0, 0, 0, UINT64_MAX - 10 }, { 100, 0, 0, 0, 0, UINT64_MAX - 1 },
		/* A u64 counter "wrapping" to 3 is read as a reset. */
		{ 200, 0, 0, 0, 0, 3 });
	struct ktstr_phase_agg *a;
	size_t n;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_COUNTER, &a, &n));
	ASSERT_EQ(1, n);
	EXPECT_TRUE(a[0].is_u64);
	EXPECT_EQ(9 + 3, a[0].u64);
	EXPECT_EQ(1, a[0].resets);
	ktstr_phase_aggs__free(a, n);
	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_PEAK, &a, &n));
	EXPECT_EQ(UINT64_MAX - 1, a[0].u64);
	ktstr_phase_aggs__free(a, n);
	ktstr_series_field__free(f);
}

TEST(aggregate_errored_phase_and_empty)
{
	struct ktstr_series_field *f = FIELD("v", { 0, 1, 0, 0 }, { 100, 0, 0, 1, GAP });
	struct ktstr_phase_agg *a;
	size_t n;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_COUNTER, &a, &n));
	ASSERT_EQ(2, n);
	/* One sample: a counter delta of 0. */
	EXPECT_EQ(0, a[0].value);
	EXPECT_EQ(1, a[0].nr_values);
	EXPECT_EQ(0, a[1].nr_values);
	EXPECT_EQ(1, a[1].nr_errored);
	EXPECT_STREQ("no usable value: 1 errored", a[1].note);
	ktstr_phase_aggs__free(a, n);
	EXPECT_EQ(-EINVAL, ktstr_series_field__aggregate(f, (enum ktstr_agg_kind)7, &a, &n));
	ktstr_series_field__free(f);

	f = ktstr_series_field__new("v", KTSTR_AXIS_NONE);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_series_field__aggregate(f, KTSTR_AGG_GAUGE, &a, &n));
	EXPECT_EQ(0, n);
	ktstr_phase_aggs__free(a, n);
	ktstr_series_field__free(f);
}

TEST_HARNESS_MAIN
