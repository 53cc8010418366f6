// SPDX-License-Identifier: GPL-2.0
/*
 * libktstr: temporal patterns over a series field, and their results.
 *
 * The shared rules (gaps, empty and one-sample fields, tolerance) are in
 * series.h; each pattern here follows them through the same builder, so
 * a result always says what it skipped and why it passed vacuously.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/series.h>

/* The rendering lists at most this many skipped samples, then a count. */
#define RENDER_SKIPPED_MAX	5

struct builder {
	struct ktstr_temporal_result *r;
	bool oom;
};

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

static bool builder_init(struct builder *b, const struct ktstr_series_field *f,
			 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool builder_init(struct builder *b, const struct ktstr_series_field *f,
			 const char *fmt, ...)
{
	va_list ap;

	b->oom = false;
	b->r = calloc(1, sizeof(*b->r));
	if (!b->r)
		return false;
	b->r->pass = true;
	va_start(ap, fmt);
	b->r->pattern = xvasprintf(fmt, ap);
	va_end(ap);
	b->r->label = strdup(f->label ? f->label : "");
	if (!b->r->pattern || !b->r->label) {
		ktstr_temporal_result__free(b->r);
		b->r = NULL;
		return false;
	}
	return true;
}

static bool point_copy(struct ktstr_series_point *dst, const struct ktstr_series_point *src)
{
	*dst = *src;
	dst->tag = strdup(src->tag ? src->tag : "");
	dst->error = src->error ? strdup(src->error) : NULL;
	if (!dst->tag || (src->error && !dst->error)) {
		free(dst->tag);
		free(dst->error);
		memset(dst, 0, sizeof(*dst));
		return false;
	}
	return true;
}

static void note(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct builder *b, const char *fmt, ...)
{
	struct ktstr_temporal_result *r = b->r;
	char **notes;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	notes = s ? realloc(r->notes, (r->nr_notes + 1) * sizeof(*notes)) : NULL;
	if (!notes) {
		free(s);
		b->oom = true;
		return;
	}
	notes[r->nr_notes++] = s;
	r->notes = notes;
}

static void skip(struct builder *b, const struct ktstr_series_point *p)
{
	struct ktstr_temporal_result *r = b->r;
	struct ktstr_series_point *sk = realloc(r->skipped, (r->nr_skipped + 1) * sizeof(*sk));

	if (!sk) {
		b->oom = true;
		return;
	}
	r->skipped = sk;
	if (!point_copy(&sk[r->nr_skipped], p)) {
		b->oom = true;
		return;
	}
	r->nr_skipped++;
}

/* The first failure wins; later calls are ignored (patterns stop at it anyway). */
static void fail(struct builder *b, const struct ktstr_series_field *f, ssize_t idx,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(struct builder *b, const struct ktstr_series_field *f, ssize_t idx,
		 const char *fmt, ...)
{
	struct ktstr_temporal_result *r = b->r;
	va_list ap;

	if (!r->pass)
		return;
	r->pass = false;
	va_start(ap, fmt);
	r->detail = xvasprintf(fmt, ap);
	va_end(ap);
	if (!r->detail)
		b->oom = true;
	if (idx >= 0) {
		r->has_offender = true;
		r->offender_index = (size_t)idx;
		if (!point_copy(&r->offender, &f->points[idx])) {
			r->has_offender = false;
			b->oom = true;
		}
	}
}

static struct ktstr_temporal_result *finish(struct builder *b)
{
	if (b->oom) {
		ktstr_temporal_result__free(b->r);
		errno = ENOMEM;
		return NULL;
	}
	return b->r;
}

/* A number as a person reads it: exact for u64, else shortest %g. */
static const char *fmt_point(const struct ktstr_series_point *p, char *buf, size_t len)
{
	if (p->is_u64)
		snprintf(buf, len, "%" PRIu64, p->u64);
	else
		snprintf(buf, len, "%g", p->value);
	return buf;
}

static bool usable(const struct ktstr_series_point *p)
{
	return !p->error;
}

/*
 * The opening every tolerant pattern shares: an empty field passes with
 * a note. Returns true when the caller should go on.
 */
static bool check_empty(struct builder *b, const struct ktstr_series_field *f)
{
	if (f->nr_points)
		return true;
	note(b, "empty series: nothing to check");
	return false;
}

/* A tolerant pattern's value must be a finite number to be compared. */
static bool check_finite(struct builder *b, const struct ktstr_series_field *f, size_t i)
{
	if (isfinite(f->points[i].value))
		return true;
	fail(b, f, (ssize_t)i, "value %g is not a finite number", f->points[i].value);
	return false;
}

/*
 * After a tolerant pattern's loop: nothing usable in a non-empty field
 * fails (samples were taken, none could be checked); @what says where
 * the pattern looked.
 */
static void check_none_usable(struct builder *b, const struct ktstr_series_field *f,
			      size_t used, const char *what)
{
	if (used || !b->r->pass)
		return;
	if (b->r->nr_skipped) {
		fail(b, f, -1, "no usable sample%s: %zu errored", what, b->r->nr_skipped);
	} else {
		fail(b, f, -1, "no usable sample%s", what);
	}
}

/* a < b, exactly when both are u64. */
static bool point_less(const struct ktstr_series_point *a, const struct ktstr_series_point *b)
{
	if (a->is_u64 && b->is_u64)
		return a->u64 < b->u64;
	return a->value < b->value;
}

/* b - a, without the loss of converting two large u64 first. */
static double point_delta(const struct ktstr_series_point *a, const struct ktstr_series_point *b)
{
	if (a->is_u64 && b->is_u64)
		return b->u64 >= a->u64 ? (double)(b->u64 - a->u64) : -(double)(a->u64 - b->u64);
	return b->value - a->value;
}

static bool bad_field(const struct ktstr_series_field *f)
{
	if (f && (f->points || !f->nr_points))
		return false;
	errno = EINVAL;
	return true;
}

struct ktstr_temporal_result *ktstr_temporal__nondecreasing(const struct ktstr_series_field *f)
{
	struct builder b;
	ssize_t prev = -1;
	size_t used = 0;
	char v1[32], v0[32];

	if (bad_field(f) || !builder_init(&b, f, "nondecreasing"))
		return NULL;
	if (!check_empty(&b, f))
		return finish(&b);
	for (size_t i = 0; i < f->nr_points && b.r->pass; i++) {
		const struct ktstr_series_point *p = &f->points[i];

		if (!usable(p)) {
			skip(&b, p);
			continue;
		}
		if (!check_finite(&b, f, i))
			break;
		if (prev >= 0 && point_less(p, &f->points[prev]))
			fail(&b, f, (ssize_t)i, "%s < %s at %s", fmt_point(p, v1, sizeof(v1)),
			     fmt_point(&f->points[prev], v0, sizeof(v0)), f->points[prev].tag);
		prev = (ssize_t)i;
		used++;
	}
	check_none_usable(&b, f, used, "");
	if (used == 1 && b.r->pass)
		note(&b, "one usable sample: no interval to check");
	return finish(&b);
}

struct ktstr_temporal_result *ktstr_temporal__rate_within(const struct ktstr_series_field *f,
							  double lo, double hi)
{
	struct builder b;
	ssize_t prev = -1;
	size_t used = 0;

	if (bad_field(f) || isnan(lo) || isnan(hi) || lo > hi) {
		errno = EINVAL;
		return NULL;
	}
	if (!builder_init(&b, f, "rate_within(%g, %g)/s", lo, hi))
		return NULL;
	if (!check_empty(&b, f))
		return finish(&b);
	for (size_t i = 0; i < f->nr_points && b.r->pass; i++) {
		const struct ktstr_series_point *p = &f->points[i], *q;
		double rate;

		if (!usable(p)) {
			skip(&b, p);
			continue;
		}
		if (!check_finite(&b, f, i))
			break;
		used++;
		if (prev < 0) {
			prev = (ssize_t)i;
			continue;
		}
		q = &f->points[prev];
		if (p->elapsed_ms <= q->elapsed_ms) {
			fail(&b, f, (ssize_t)i, "no time elapsed since %s (t=%" PRIu64
			     " ms): the rate is undefined", q->tag, q->elapsed_ms);
			break;
		}
		rate = point_delta(q, p) * 1000.0 / (double)(p->elapsed_ms - q->elapsed_ms);
		if (rate < lo || rate > hi)
			fail(&b, f, (ssize_t)i, "rate %.1f/s", rate);
		prev = (ssize_t)i;
	}
	check_none_usable(&b, f, used, "");
	if (used == 1 && b.r->pass)
		note(&b, "one usable sample: no interval to check");
	return finish(&b);
}

/*
 * |v - ref| within @tol relative to @ref; absolute when ref is 0 (a
 * relative band around 0 is empty). Returns the distance as a person
 * reads it in @how.
 */
static bool within(double v, double ref, double tol, char *how, size_t len)
{
	double d = fabs(v - ref);

	if (ref == 0) {
		snprintf(how, len, "off by %g (absolute tolerance %g, the reference is 0)", d, tol);
		return d <= tol;
	}
	snprintf(how, len, "%.1f%% off %g (tolerance %.1f%%)", 100.0 * d / fabs(ref), ref,
		 100.0 * tol);
	return d <= tol * fabs(ref);
}

struct ktstr_temporal_result *ktstr_temporal__steady_within(const struct ktstr_series_field *f,
							    double tolerance,
							    uint64_t warmup_ms)
{
	struct builder b;
	size_t used = 0, warm = 0;
	double sum = 0, mean;
	char where[64], how[160], v[32];

	if (bad_field(f) || !(tolerance >= 0) || !isfinite(tolerance)) {
		errno = EINVAL;
		return NULL;
	}
	if (!builder_init(&b, f, "steady_within(%g, warmup %" PRIu64 " ms)", tolerance,
			  warmup_ms))
		return NULL;
	if (!check_empty(&b, f))
		return finish(&b);
	for (size_t i = 0; i < f->nr_points && b.r->pass; i++) {
		const struct ktstr_series_point *p = &f->points[i];

		if (p->elapsed_ms < warmup_ms) {
			warm++;
			continue;
		}
		if (!usable(p)) {
			skip(&b, p);
			continue;
		}
		if (!check_finite(&b, f, i))
			break;
		sum += p->value;
		used++;
	}
	if (warm)
		note(&b, "%zu warm-up sample%s before t=%" PRIu64 " ms not checked", warm,
		     warm == 1 ? "" : "s", warmup_ms);
	snprintf(where, sizeof(where), " after the warm-up (t>=%" PRIu64 " ms)", warmup_ms);
	check_none_usable(&b, f, used, where);
	if (!used || !b.r->pass)
		return finish(&b);
	mean = sum / (double)used;
	if (mean == 0)
		note(&b, "the mean is 0: tolerance taken as absolute");
	for (size_t i = 0; i < f->nr_points; i++) {
		const struct ktstr_series_point *p = &f->points[i];

		if (p->elapsed_ms < warmup_ms || !usable(p))
			continue;
		if (!within(p->value, mean, tolerance, how, sizeof(how))) {
			fail(&b, f, (ssize_t)i, "%s is %s", fmt_point(p, v, sizeof(v)), how);
			break;
		}
	}
	return finish(&b);
}

struct ktstr_temporal_result *ktstr_temporal__converges_to(const struct ktstr_series_field *f,
							   double target, double tolerance,
							   uint64_t by_ms)
{
	struct builder b;
	size_t used = 0, early = 0;
	char where[64], how[160], v[32];

	if (bad_field(f) || !isfinite(target) || !(tolerance >= 0) || !isfinite(tolerance)) {
		errno = EINVAL;
		return NULL;
	}
	if (!builder_init(&b, f, "converges_to(%g, %g, by %" PRIu64 " ms)", target, tolerance,
			  by_ms))
		return NULL;
	if (!check_empty(&b, f))
		return finish(&b);
	if (target == 0)
		note(&b, "the target is 0: tolerance taken as absolute");
	for (size_t i = 0; i < f->nr_points && b.r->pass; i++) {
		const struct ktstr_series_point *p = &f->points[i];

		if (p->elapsed_ms < by_ms) {
			early++;
			continue;
		}
		if (!usable(p)) {
			skip(&b, p);
			continue;
		}
		if (!check_finite(&b, f, i))
			break;
		used++;
		if (!within(p->value, target, tolerance, how, sizeof(how)))
			fail(&b, f, (ssize_t)i, "%s is %s", fmt_point(p, v, sizeof(v)), how);
	}
	if (early)
		note(&b, "%zu sample%s before t=%" PRIu64 " ms not checked", early,
		     early == 1 ? "" : "s", by_ms);
	snprintf(where, sizeof(where), " at or after t=%" PRIu64 " ms", by_ms);
	check_none_usable(&b, f, used, where);
	return finish(&b);
}

struct ktstr_temporal_result *ktstr_temporal__always_true(const struct ktstr_series_field *f,
							  ktstr_value_pred_fn pred, void *ctx,
							  const char *what)
{
	struct builder b;
	char v[32];

	if (bad_field(f) || !pred) {
		errno = EINVAL;
		return NULL;
	}
	if (!builder_init(&b, f, "always_true(%s)", what ? what : "predicate"))
		return NULL;
	if (!check_empty(&b, f))
		return finish(&b);
	for (size_t i = 0; i < f->nr_points && b.r->pass; i++) {
		const struct ktstr_series_point *p = &f->points[i];

		if (!usable(p))
			fail(&b, f, (ssize_t)i, "no value: %s", p->error);
		else if (!pred(ctx, p->value))
			fail(&b, f, (ssize_t)i, "%s is false for %s",
			     what ? what : "the predicate", fmt_point(p, v, sizeof(v)));
	}
	return finish(&b);
}

struct ktstr_temporal_result *ktstr_temporal__each(const struct ktstr_series_field *f,
						   ktstr_point_check_fn check, void *ctx,
						   const char *what)
{
	struct builder b;
	char why[256];

	if (bad_field(f) || !check) {
		errno = EINVAL;
		return NULL;
	}
	if (!builder_init(&b, f, "each(%s)", what ? what : "check"))
		return NULL;
	if (!check_empty(&b, f))
		return finish(&b);
	for (size_t i = 0; i < f->nr_points && b.r->pass; i++) {
		const struct ktstr_series_point *p = &f->points[i];

		if (!usable(p)) {
			fail(&b, f, (ssize_t)i, "no value: %s", p->error);
			continue;
		}
		why[0] = '\0';
		if (check(ctx, p, why, sizeof(why))) {
			why[sizeof(why) - 1] = '\0';
			fail(&b, f, (ssize_t)i, "%s", why[0] ? why : "the check failed");
		}
	}
	return finish(&b);
}

struct ktstr_temporal_result *ktstr_temporal__ratio_within(const struct ktstr_series_field *f,
							   const struct ktstr_series_field *other,
							   double lo, double hi)
{
	struct builder b;
	size_t used = 0;

	if (bad_field(f) || bad_field(other) || isnan(lo) || isnan(hi) || lo > hi ||
	    f->nr_points != other->nr_points) {
		errno = EINVAL;
		return NULL;
	}
	/* Ratios pair samples: both fields must be projections of the same ones. */
	for (size_t i = 0; i < f->nr_points; i++) {
		const char *a = f->points[i].tag, *o = other->points[i].tag;

		if (!a || !o || strcmp(a, o) ||
		    f->points[i].elapsed_ms != other->points[i].elapsed_ms) {
			errno = EINVAL;
			return NULL;
		}
	}
	if (!builder_init(&b, f, "ratio_within(%s, %g, %g)", other->label ? other->label : "",
			  lo, hi))
		return NULL;
	if (!check_empty(&b, f))
		return finish(&b);
	for (size_t i = 0; i < f->nr_points && b.r->pass; i++) {
		const struct ktstr_series_point *p = &f->points[i], *q = &other->points[i];
		double ratio;

		if (!usable(p) || !usable(q)) {
			skip(&b, usable(p) ? q : p);
			continue;
		}
		if (!check_finite(&b, f, i))
			break;
		if (!isfinite(q->value)) {
			fail(&b, f, (ssize_t)i, "%s is not a finite number there", other->label);
			break;
		}
		used++;
		if (q->value == 0) {
			fail(&b, f, (ssize_t)i, "%s is 0 there: the ratio is undefined",
			     other->label);
			break;
		}
		ratio = p->value / q->value;
		if (ratio < lo || ratio > hi)
			fail(&b, f, (ssize_t)i, "ratio %g", ratio);
	}
	check_none_usable(&b, f, used, " with both values");
	return finish(&b);
}

/* ---- results ---------------------------------------------------------- */

void ktstr_temporal_result__free(struct ktstr_temporal_result *r)
{
	if (!r)
		return;
	free(r->pattern);
	free(r->label);
	free(r->offender.tag);
	free(r->offender.error);
	free(r->detail);
	for (size_t i = 0; i < r->nr_skipped; i++) {
		free(r->skipped[i].tag);
		free(r->skipped[i].error);
	}
	free(r->skipped);
	for (size_t i = 0; i < r->nr_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r);
}

char *ktstr_temporal_result__render(const struct ktstr_temporal_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	bool bad;

	if (!r) {
		errno = EINVAL;
		return NULL;
	}
	m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	fprintf(m, "%s on %s %s", r->pattern, r->label, r->pass ? "passed" : "failed");
	if (!r->pass && r->has_offender)
		fprintf(m, " at %s (t=%" PRIu64 " ms)", r->offender.tag, r->offender.elapsed_ms);
	if (!r->pass && r->detail)
		fprintf(m, ": %s", r->detail);
	if (r->nr_skipped) {
		fprintf(m, "; skipped %zu errored sample%s (", r->nr_skipped,
			r->nr_skipped == 1 ? "" : "s");
		for (size_t i = 0; i < r->nr_skipped && i < RENDER_SKIPPED_MAX; i++)
			fprintf(m, "%s%s: %s", i ? ", " : "", r->skipped[i].tag,
				r->skipped[i].error ? r->skipped[i].error : "?");
		if (r->nr_skipped > RENDER_SKIPPED_MAX)
			fprintf(m, ", and %zu more", r->nr_skipped - RENDER_SKIPPED_MAX);
		fputc(')', m);
	}
	for (size_t i = 0; i < r->nr_notes; i++)
		fprintf(m, "; %s", r->notes[i]);
	bad = ferror(m);
	if (fclose(m) || bad) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	return buf;
}
