// SPDX-License-Identifier: GPL-2.0
/*
 * libktstr: a series field read per scenario phase: the value a phase
 * starts or ends at, and counter / gauge / peak reductions per phase.
 *
 * A point without a phase stamp belongs to phase 0 (BASELINE), the same
 * bucket ktstr_series__by_phase() puts unstamped samples in.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/series.h>

static uint16_t point_phase(const struct ktstr_series_point *p)
{
	return p->has_phase ? p->phase : KTSTR_PHASE_BASELINE;
}

/* a < b, exactly when both are u64 (above 2^53 doubles lose the difference). */
static bool point_less(const struct ktstr_series_point *a, const struct ktstr_series_point *b)
{
	if (a->is_u64 && b->is_u64)
		return a->u64 < b->u64;
	return a->value < b->value;
}

const char *ktstr_agg_kind__str(enum ktstr_agg_kind kind)
{
	switch (kind) {
	case KTSTR_AGG_COUNTER:	return "counter";
	case KTSTR_AGG_GAUGE:	return "gauge";
	case KTSTR_AGG_PEAK:	return "peak";
	}
	return NULL;
}

/* The first (@last false) or last usable point of @phase. */
static int phase_pick(const struct ktstr_series_field *f, uint16_t phase, bool last,
		      double *out, size_t *index)
{
	bool seen = false, found = false;
	size_t at = 0;

	if (!f || !out || (f->nr_points && !f->points))
		return -EINVAL;
	for (size_t i = 0; i < f->nr_points; i++) {
		if (point_phase(&f->points[i]) != phase)
			continue;
		seen = true;
		if (f->points[i].error)
			continue;
		if (!found || last)
			at = i;
		found = true;
		if (!last)
			break;
	}
	if (!found)
		return seen ? -ENODATA : -ENOENT;
	*out = f->points[at].value;
	if (index)
		*index = at;
	return 0;
}

int ktstr_series_field__value_at_phase(const struct ktstr_series_field *f, uint16_t phase,
				       double *out, size_t *index)
{
	return phase_pick(f, phase, false, out, index);
}

int ktstr_series_field__last_in_phase(const struct ktstr_series_field *f, uint16_t phase,
				      double *out, size_t *index)
{
	return phase_pick(f, phase, true, out, index);
}

/*
 * The distinct phases of @f that have a usable point, ascending, into a
 * malloc()ed array (*n of them). -ENOMEM, or 0.
 */
static int phases_of(const struct ktstr_series_field *f, bool usable_only, uint16_t **out,
		     size_t *n)
{
	uint16_t *ph = NULL;
	size_t nr = 0;

	for (size_t i = 0; i < f->nr_points; i++) {
		uint16_t p = point_phase(&f->points[i]);
		size_t j = 0;

		if (usable_only && f->points[i].error)
			continue;
		while (j < nr && ph[j] < p)
			j++;
		if (j < nr && ph[j] == p)
			continue;
		uint16_t *np = realloc(ph, (nr + 1) * sizeof(*ph));

		if (!np) {
			free(ph);
			return -ENOMEM;
		}
		ph = np;
		memmove(&ph[j + 1], &ph[j], (nr - j) * sizeof(*ph));
		ph[j] = p;
		nr++;
	}
	*out = ph;
	*n = nr;
	return 0;
}

size_t ktstr_series_field__last_per_phase(const struct ktstr_series_field *f,
					  struct ktstr_phase_value *out, size_t cap)
{
	uint16_t *ph;
	size_t nr;

	if (!f || (cap && !out) || (f->nr_points && !f->points))
		return 0;
	/* Without memory for the phase list, fall back to no answer rather than a wrong one. */
	if (phases_of(f, true, &ph, &nr))
		return 0;
	for (size_t k = 0; k < nr && k < cap; k++) {
		out[k].phase = ph[k];
		phase_pick(f, ph[k], true, &out[k].value, &out[k].index);
	}
	free(ph);
	return nr;
}

int ktstr_series_field__ratio_across_phases(const struct ktstr_series_field *f,
					    uint16_t num, uint16_t den, double *out)
{
	double a, b;
	int err;

	if (!out)
		return -EINVAL;
	err = phase_pick(f, num, true, &a, NULL);
	if (!err)
		err = phase_pick(f, den, true, &b, NULL);
	if (err)
		return err;
	if (b == 0)
		return -ERANGE;
	*out = a / b;
	return 0;
}

void ktstr_phase_aggs__free(struct ktstr_phase_agg *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		free(a[i].note);
	free(a);
}

/*
 * Counter delta over the usable points of one phase; see series.h for
 * why a decrease is a reset (restart from 0) and not a wrap.
 */
static int agg_counter(const struct ktstr_series_field *f, struct ktstr_phase_agg *a)
{
	const struct ktstr_series_point *prev = NULL;
	bool exact = true;
	uint64_t du = 0;
	double dd = 0;
	char *first_reset = NULL;

	for (size_t i = 0; i < f->nr_points; i++) {
		const struct ktstr_series_point *p = &f->points[i];

		if (point_phase(p) != a->phase || p->error)
			continue;
		if (!p->is_u64)
			exact = false;
		if (prev) {
			bool reset = point_less(p, prev);

			if (reset) {
				a->resets++;
				if (!first_reset &&
				    asprintf(&first_reset, "%s", p->tag) < 0) {
					first_reset = NULL;
					return -ENOMEM;
				}
			}
			/* After a reset the counter counted from 0 up to this value. */
			if (p->is_u64 && prev->is_u64) {
				uint64_t inc = reset ? p->u64 : p->u64 - prev->u64;

				if (__builtin_add_overflow(du, inc, &du))
					exact = false;
			}
			dd += reset ? p->value : p->value - prev->value;
		}
		prev = p;
	}
	a->is_u64 = exact && a->nr_values;
	a->u64 = a->is_u64 ? du : 0;
	a->value = a->is_u64 ? (double)du : dd;
	if (a->resets) {
		int n = asprintf(&a->note, "%u reset%s (first at %s): counted from 0 after each; "
				 "a wrapped narrow counter would read as a reset and undercount",
				 a->resets, a->resets == 1 ? "" : "s", first_reset);

		free(first_reset);
		if (n < 0) {
			a->note = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

int ktstr_series_field__aggregate(const struct ktstr_series_field *f, enum ktstr_agg_kind kind,
				  struct ktstr_phase_agg **out, size_t *n)
{
	struct ktstr_phase_agg *aggs;
	uint16_t *ph;
	size_t nr;
	int err;

	if (!f || !out || !n || !ktstr_agg_kind__str(kind) || (f->nr_points && !f->points))
		return -EINVAL;
	*out = NULL;
	*n = 0;
	err = phases_of(f, false, &ph, &nr);
	if (err)
		return err;
	aggs = calloc(nr ? nr : 1, sizeof(*aggs));
	if (!aggs) {
		free(ph);
		return -ENOMEM;
	}
	for (size_t k = 0; k < nr; k++) {
		struct ktstr_phase_agg *a = &aggs[k];
		const struct ktstr_series_point *peak = NULL;
		double sum = 0;

		a->phase = ph[k];
		for (size_t i = 0; i < f->nr_points; i++) {
			const struct ktstr_series_point *p = &f->points[i];

			if (point_phase(p) != a->phase)
				continue;
			a->nr_points++;
			if (p->error) {
				a->nr_errored++;
				continue;
			}
			a->nr_values++;
			sum += p->value;
			if (!peak || point_less(peak, p))
				peak = p;
		}
		if (!a->nr_values) {
			if (asprintf(&a->note, "no usable value: %zu errored", a->nr_errored) < 0) {
				a->note = NULL;
				err = -ENOMEM;
				break;
			}
			continue;
		}
		switch (kind) {
		case KTSTR_AGG_COUNTER:
			err = agg_counter(f, a);
			break;
		case KTSTR_AGG_GAUGE:
			a->value = sum / (double)a->nr_values;
			break;
		case KTSTR_AGG_PEAK:
			a->value = peak->value;
			a->is_u64 = peak->is_u64;
			a->u64 = peak->u64;
			break;
		}
		if (err)
			break;
	}
	free(ph);
	if (err) {
		ktstr_phase_aggs__free(aggs, nr);
		return err;
	}
	*out = aggs;
	*n = nr;
	return 0;
}
