/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: sample series and temporal assertions.
 *
 * After a run the test drains the bridge (bridge.h) into a series: one
 * sample per capture, in the order they were stored, each with its tag,
 * elapsed time, report (and a snapshot view of it), the scheduler's
 * stats document or the typed reason it is missing, and the scenario
 * step it was stamped with.
 *
 *	struct ktstr_series *s;
 *	ktstr_series__from_bridge(bridge, &s);
 *	ktstr_series__periodic_only(s);
 *	struct ktstr_series_field *f = ktstr_series__bpf(s, "nr_dispatched");
 *	struct ktstr_temporal_result *r = ktstr_temporal__rate_within(f, 10, 20);
 *	if (!r->pass) { char *t = ktstr_temporal_result__render(r); puts(t); free(t); }
 *
 * A series is projected to a *field*: a labelled vector with one point
 * per sample, holding the number or the reason it is absent (never a
 * guess). Fields are plain data, so a saved series can be loaded back
 * as fields and checked or plotted without the reports
 * (ktstr_series_field__new() and __push()).
 *
 * Errors are negative errno; constructors return NULL and set errno.
 */
#ifndef KTSTR_SERIES_H
#define KTSTR_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/bridge.h>
#include <ktstr/dump.h>
#include <ktstr/snapshot.h>

/* Phase 0: the BASELINE settle window before the first step. */
#define KTSTR_PHASE_BASELINE	0

/* "timeout", "no scheduler binary", ...; "present" for KTSTR_STATS_PRESENT. */
const char *ktstr_stats_missing__str(enum ktstr_stats_missing why);

/* ---- samples and series ----------------------------------------------- */

/*
 * One sample, owned by its series (read it, do not free or modify it).
 * @elapsed_ms is 0 when the capture carried no time (has_elapsed false).
 * @stats is a jansson json_t * (NULL when missing: @stats_missing says
 * why; PARSE_ERROR also has @stats_error, where the text broke).
 */
struct ktstr_sample {
	char *tag;
	uint64_t elapsed_ms;
	bool has_elapsed;
	bool has_step;
	uint16_t step_index;		/* 0: baseline, 1..N: the scenario's steps */
	bool has_boundary;
	uint64_t boundary_offset_ms;
	struct ktstr_dump_report *report;	/* never NULL */
	struct ktstr_snapshot *snapshot;	/* a view of @report */
	void *stats;				/* json_t *, or NULL */
	struct ktstr_stats *stats_view;		/* the stats view over @stats */
	enum ktstr_stats_missing stats_missing;
	int stats_errno;			/* SCHEDULER_ERRNO: the errno */
	char *stats_error;			/* PARSE_ERROR: jansson's message */
};

struct ktstr_series;

/*
 * A named number the host-side monitor computed for the whole run (e.g.
 * "max_imbalance_ratio", "stall_detected" as 0/1, "total_samples"). The
 * VMM fills these; ktstr_series__set_monitor() copies them.
 */
struct ktstr_monitor_stat {
	const char *name;
	double value;
};

/* An empty series (every pattern over its fields passes vacuously). */
struct ktstr_series *ktstr_series__new(void);
/*
 * From the bridge's ordered drain with stats (ktstr_bridge__drain_ordered_
 * with_stats). Takes @samples in every case (also on error), frees the
 * array. A stats text that does not parse becomes stats_missing =
 * PARSE_ERROR. NULL and errno (ENOMEM) on failure.
 */
struct ktstr_series *ktstr_series__from_samples(struct ktstr_bridge_sample *samples,
						size_t n);
/* Drain @b (it is left empty) into a new series: 0 and *out, or -errno. */
int ktstr_series__from_bridge(struct ktstr_bridge *b, struct ktstr_series **out);
void ktstr_series__free(struct ktstr_series *s);

size_t ktstr_series__len(const struct ktstr_series *s);
/* Sample @i in drain order; NULL when out of range. */
const struct ktstr_sample *ktstr_series__sample(const struct ktstr_series *s, size_t i);

/* Keep only samples whose tag is periodic_NNN (ktstr_bridge__is_periodic_tag). */
void ktstr_series__periodic_only(struct ktstr_series *s);
/*
 * Borrowed iteration over the periodic samples without filtering:
 *	size_t c = 0; const struct ktstr_sample *p;
 *	while ((p = ktstr_series__next_periodic(s, &c)))
 */
const struct ktstr_sample *ktstr_series__next_periodic(const struct ktstr_series *s,
						       size_t *cursor);
#define ktstr_series__for_each_periodic(s, p, cursor)				\
	for ((cursor) = 0; ((p) = ktstr_series__next_periodic((s), &(cursor)));)

/*
 * Samples bucketed by step index, buckets in ascending phase order, each
 * holding sample indices in drain order. A sample without a stamp falls
 * in bucket 0 with the BASELINE samples (it was taken outside the step
 * machinery; look at has_step to tell them apart).
 */
struct ktstr_phase_bucket {
	uint16_t phase;
	size_t *samples;
	size_t nr_samples;
};
int ktstr_series__by_phase(const struct ktstr_series *s, struct ktstr_phase_bucket **out,
			   size_t *n);
void ktstr_phase_buckets__free(struct ktstr_phase_bucket *b, size_t n);

/* Copy @n monitor values into @s (replacing any): 0 or -ENOMEM/-EINVAL. */
int ktstr_series__set_monitor(struct ktstr_series *s, const struct ktstr_monitor_stat *stats,
			      size_t n);
/* 0 and *out, -ENODATA (no monitor summary), -ENOENT (no such name). */
int ktstr_series__monitor_value(const struct ktstr_series *s, const char *name, double *out);

/*
 * A synthetic report for tests: one map "<obj>.bss" holding a struct of
 * u64 members @names[i] = @values[i]. NULL and errno on failure. Store
 * it with ktstr_bridge__store() as the VMM would.
 */
struct ktstr_dump_report *ktstr_series__synth_report(const char *obj,
						     const char *const *names,
						     const uint64_t *values, size_t n);

/* ---- fields ----------------------------------------------------------- */

enum ktstr_series_axis {
	KTSTR_AXIS_NONE = 0,		/* built by hand or loaded from a file */
	KTSTR_AXIS_BPF,
	KTSTR_AXIS_STATS,
	KTSTR_AXIS_HOST,
	KTSTR_AXIS_MONITOR,
	KTSTR_AXIS_CUSTOM,		/* ktstr_series__project() */
};

/* "bpf", "stats", "host", "monitor", "custom", "none". */
const char *ktstr_series_axis__str(enum ktstr_series_axis axis);

/*
 * One sample's projection. @error NULL: @value holds (and, when
 * @is_u64, @u64 holds it exactly; counters are compared and subtracted
 * on @u64 so values above 2^53 stay exact). @error set: why the value is
 * absent, e.g. "stats missing: timeout", "placeholder sample: ...", or
 * the snapshot view's message; @value is then meaningless.
 */
struct ktstr_series_point {
	char *tag;
	uint64_t elapsed_ms;
	bool has_phase;
	uint16_t phase;
	char *error;
	double value;
	bool is_u64;
	uint64_t u64;
};

/* A labelled vector of points, in sample order. Plain data. */
struct ktstr_series_field {
	char *label;			/* "<axis>:<what>", e.g. "bpf:nr_dispatched" */
	enum ktstr_series_axis axis;
	struct ktstr_series_point *points;
	size_t nr_points;
	size_t cap;			/* allocated points (internal) */
};

struct ktstr_series_field *ktstr_series_field__new(const char *label,
						   enum ktstr_series_axis axis);
void ktstr_series_field__free(struct ktstr_series_field *f);
/* Append a deep copy of @p (tag and error are copied): 0, -EINVAL, -ENOMEM. */
int ktstr_series_field__push(struct ktstr_series_field *f, const struct ktstr_series_point *p);
/* Shorthands; @phase < 0: no phase stamp. */
int ktstr_series_field__push_f64(struct ktstr_series_field *f, const char *tag,
				 uint64_t elapsed_ms, int phase, double v);
int ktstr_series_field__push_u64(struct ktstr_series_field *f, const char *tag,
				 uint64_t elapsed_ms, int phase, uint64_t v);
int ktstr_series_field__push_error(struct ktstr_series_field *f, const char *tag,
				   uint64_t elapsed_ms, int phase, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
size_t ktstr_series_field__errored(const struct ktstr_series_field *f);

/*
 * Projections: one point per sample, in order; NULL and errno only on
 * allocation failure or bad arguments (EINVAL). A point whose value is
 * absent carries the error. bpf, bpf_map and host fail a placeholder
 * sample first ("placeholder sample: <reason>"): it holds no state (its
 * stats, taken before the freeze, may still be there).
 *
 * bpf: @path is "var" or "var.member.3.x": the first component is a
 *	global variable (ktstr_snapshot__var), the rest walks into it.
 *	Label "bpf:<path>".
 * bpf_map: entry @entry of map @map, then @path into it (may be NULL or
 *	""; on a per-CPU entry it may start with a CPU number). Label
 *	"bpf:<map>[<entry>].<path>".
 * stats: a dotted path into the stats JSON ("layers.batch.util"); a
 *	sample without stats gets "stats missing: <reason>". Label
 *	"stats:<path>".
 * host: column @col of the report's per_cpu_time for @cpu, or summed over
 *	every CPU when @cpu < 0; nanoseconds, exact. Label
 *	"host:cpu<N>.<col>" or "host:all.<col>".
 * monitor: the run's summary has ONE value for the whole run, so the
 *	field has ONE point: tag "run", the last sample's elapsed time (the
 *	end of the window the summary covers), no phase. It carries an
 *	error when the series has no monitor summary or no such name.
 *	Patterns see a one-point field (see the temporal rules below).
 *	Label "monitor:<name>".
 * project: @fn computes a sample's value: 0 and *out (set *is_u64 and
 *	*u64 for an exact unsigned), or nonzero with a reason in @why.
 */
enum ktstr_cpu_time_col {
	KTSTR_CPU_USER,
	KTSTR_CPU_NICE,
	KTSTR_CPU_SYSTEM,
	KTSTR_CPU_IDLE,
	KTSTR_CPU_IOWAIT,
	KTSTR_CPU_IRQ,
	KTSTR_CPU_SOFTIRQ,
	KTSTR_CPU_STEAL,
	KTSTR_CPU_BUSY,		/* everything but idle and iowait */
};
const char *ktstr_cpu_time_col__str(enum ktstr_cpu_time_col col);

typedef int (*ktstr_sample_project_fn)(void *ctx, const struct ktstr_sample *s,
				       double *out, bool *is_u64, uint64_t *u64,
				       char *why, size_t why_len);

struct ktstr_series_field *ktstr_series__bpf(const struct ktstr_series *s, const char *path);
struct ktstr_series_field *ktstr_series__bpf_map(const struct ktstr_series *s,
						 const char *map, size_t entry,
						 const char *path);
struct ktstr_series_field *ktstr_series__stats(const struct ktstr_series *s, const char *path);
struct ktstr_series_field *ktstr_series__host(const struct ktstr_series *s, int cpu,
					      enum ktstr_cpu_time_col col);
struct ktstr_series_field *ktstr_series__monitor(const struct ktstr_series *s,
						 const char *name);
struct ktstr_series_field *ktstr_series__project(const struct ktstr_series *s,
						 const char *label,
						 ktstr_sample_project_fn fn, void *ctx);

/* ---- temporal patterns ------------------------------------------------ */

/*
 * Every pattern returns a result (NULL and errno only for ENOMEM or
 * EINVAL). The rules they share:
 *
 * Gaps. nondecreasing, rate_within, steady_within, converges_to and
 * ratio_within are gap-tolerant: an errored point is skipped, and the
 * result lists it (skipped[]; the rendering says "skipped N errored
 * sample(s) (tag: error, ...)"). always_true and each are strict: the
 * first errored point is the offender and the pattern fails.
 *
 * Empty field: every pattern passes, with the note "empty series:
 * nothing to check" (a run that captured nothing is not a failure of the
 * property; assert on the length for that).
 *
 * Nothing usable: a non-empty field in which a tolerant pattern has no
 * usable point left (all errored, or all inside the warm-up / before
 * `by`) FAILS: samples were taken and none of them could be checked, so
 * passing would hide the gap. There is then no offender (has_offender
 * false); the detail says why and skipped[] lists the errored points.
 *
 * One usable point: patterns that compare neighbours (nondecreasing,
 * rate_within) pass with the note "one usable sample: no interval to
 * check"; the others check that point like any other.
 *
 * Tolerance is RELATIVE to the reference (the post-warm-up mean for
 * steady_within, the target for converges_to): |v - ref| <= tol * |ref|,
 * with tol a fraction (0.05 = 5%). When the reference is exactly 0 a
 * relative band is empty, so the tolerance is then taken as ABSOLUTE,
 * |v| <= tol, and the result notes it.
 *
 * Bounds (lo, hi) are inclusive. Rates are per second over elapsed
 * time; two usable neighbours with the same elapsed time fail the rate
 * (no time passed, the rate is undefined).
 */
struct ktstr_temporal_result {
	bool pass;
	char *pattern;		/* "rate_within(10, 20)/s" */
	char *label;		/* the field's label */
	bool has_offender;
	size_t offender_index;	/* into the field's points */
	struct ktstr_series_point offender;	/* a copy */
	char *detail;		/* why the offender failed: "rate 35.0/s" */
	struct ktstr_series_point *skipped;	/* errored points skipped (copies) */
	size_t nr_skipped;
	char **notes;
	size_t nr_notes;
};

typedef bool (*ktstr_value_pred_fn)(void *ctx, double v);
/* 0: the point is fine; nonzero: it is not, with the reason in @why. */
typedef int (*ktstr_point_check_fn)(void *ctx, const struct ktstr_series_point *p,
				    char *why, size_t why_len);

/* Each usable value >= the previous usable one (exact on u64). */
struct ktstr_temporal_result *ktstr_temporal__nondecreasing(const struct ktstr_series_field *f);
/* Between usable neighbours: lo <= (v1 - v0) / ((t1 - t0) / 1000) <= hi. */
struct ktstr_temporal_result *ktstr_temporal__rate_within(const struct ktstr_series_field *f,
							  double lo, double hi);
/*
 * Points with elapsed_ms < @warmup_ms are the warm-up and are not
 * checked; every later usable value is within @tolerance of their mean.
 */
struct ktstr_temporal_result *ktstr_temporal__steady_within(const struct ktstr_series_field *f,
							    double tolerance,
							    uint64_t warmup_ms);
/*
 * By @by_ms the value has reached @target: every usable point with
 * elapsed_ms >= @by_ms is within @tolerance of @target, and there is at
 * least one. Points before @by_ms are free to be anywhere.
 */
struct ktstr_temporal_result *ktstr_temporal__converges_to(const struct ktstr_series_field *f,
							   double target, double tolerance,
							   uint64_t by_ms);
/* Strict: every point has a value and @pred accepts it. @what names it. */
struct ktstr_temporal_result *ktstr_temporal__always_true(const struct ktstr_series_field *f,
							  ktstr_value_pred_fn pred, void *ctx,
							  const char *what);
/*
 * lo <= f[i] / other[i] <= hi for each i where both have a value. The
 * fields must come from the same samples (same length and tags, else
 * EINVAL). A zero denominator fails that point.
 */
struct ktstr_temporal_result *ktstr_temporal__ratio_within(const struct ktstr_series_field *f,
							   const struct ktstr_series_field *other,
							   double lo, double hi);
/* Strict: every point has a value and @check passes it (sees tag, time, phase). */
struct ktstr_temporal_result *ktstr_temporal__each(const struct ktstr_series_field *f,
						   ktstr_point_check_fn check, void *ctx,
						   const char *what);

/*
 * "rate_within(10, 20)/s on bpf:nr_dispatched failed at periodic_004
 * (t=400 ms): rate 35.0/s; skipped 1 errored sample (periodic_002: stats
 * missing: timeout)". malloc()ed; NULL on allocation failure.
 */
char *ktstr_temporal_result__render(const struct ktstr_temporal_result *r);
void ktstr_temporal_result__free(struct ktstr_temporal_result *r);

/* ---- phases ----------------------------------------------------------- */

/*
 * Phase helpers read each point's phase; a point without a stamp is in
 * phase 0 (BASELINE), as by_phase buckets it. Errored points are skipped.
 *
 * value_at_phase: the FIRST usable value in @phase (the state the phase
 * started from). last_in_phase: the LAST usable value (where it ended).
 * Both: 0 and *out (and *index, may be NULL), -ENOENT (no point in the
 * phase), -ENODATA (points, but every one errored).
 * last_per_phase: the last usable value of each phase that has one, in
 * phase order; fills up to @cap, returns how many phases there are.
 * ratio_across_phases: last_in_phase(@num) / last_in_phase(@den): 0,
 * -ENOENT/-ENODATA as above, -ERANGE when the denominator is 0.
 */
struct ktstr_phase_value {
	uint16_t phase;
	size_t index;		/* the point it came from */
	double value;
};
int ktstr_series_field__value_at_phase(const struct ktstr_series_field *f, uint16_t phase,
				       double *out, size_t *index);
int ktstr_series_field__last_in_phase(const struct ktstr_series_field *f, uint16_t phase,
				      double *out, size_t *index);
size_t ktstr_series_field__last_per_phase(const struct ktstr_series_field *f,
					  struct ktstr_phase_value *out, size_t cap);
int ktstr_series_field__ratio_across_phases(const struct ktstr_series_field *f,
					    uint16_t num, uint16_t den, double *out);

/*
 * Per-phase aggregation of a field, phases in ascending order.
 *
 * COUNTER: last minus first usable value within the phase (exact on u64
 *	values). A value smaller than the one before is a RESET: the
 *	counter restarted from 0 (a scheduler restart), so the delta sums
 *	the segments, the ones after a reset measured from 0:
 *	10, 40, 5, 25 gives (40 - 10) + 25 = 55. Each reset is counted and
 *	noted. Wrap-around is not assumed: a u64 counter does not wrap in a
 *	run, and a narrower one that wraps is treated as a reset (which
 *	undercounts by what it counted before the wrap; the note says so).
 *	Increments between phases (the previous phase's last sample to this
 *	phase's first) belong to neither.
 * GAUGE: the mean of the usable values.
 * PEAK: the largest usable value.
 * A phase whose points are all errored has nr_values 0 and value 0 and a
 * note; errored points are counted in nr_errored.
 */
enum ktstr_agg_kind {
	KTSTR_AGG_COUNTER,
	KTSTR_AGG_GAUGE,
	KTSTR_AGG_PEAK,
};
const char *ktstr_agg_kind__str(enum ktstr_agg_kind kind);

struct ktstr_phase_agg {
	uint16_t phase;
	size_t nr_points, nr_values, nr_errored;
	double value;
	bool is_u64;		/* COUNTER/PEAK over u64 values: @u64 is exact */
	uint64_t u64;
	unsigned int resets;	/* COUNTER */
	char *note;		/* NULL: nothing to say */
};

int ktstr_series_field__aggregate(const struct ktstr_series_field *f, enum ktstr_agg_kind kind,
				  struct ktstr_phase_agg **out, size_t *n);
void ktstr_phase_aggs__free(struct ktstr_phase_agg *a, size_t n);

/* ==== series file (series_json.c; `ktstr series show|plot`) ============ */

/*
 * What a run saves for people to look at later: projected fields, point
 * by point, and the pattern results evaluated over them. The file owns
 * copies of both (free with ktstr_series_file__free()), detached from the
 * reports and stats, so it loads without them; loaded fields can be
 * checked again with the patterns above.
 *
 * JSON, schema KTSTR_SERIES_FILE_SCHEMA:
 *	{"schema": "ktstr.series/1",
 *	 "fields": [{"label": L, "axis": "bpf", "samples": [P, ...]}, ...],
 *	 "results": [{"pattern": "nondecreasing", "label": L, "pass": false,
 *		      "offender": P + {"index": I}, "detail": "...",
 *		      "skipped": [P, ...], "notes": ["..."],
 *		      "text": "<the rendering>"}, ...]}
 * with a point P: {"tag": T, "elapsed_ms": N, "phase": K, and one of
 * "value": V, "u64": N, "error": "why"}. "phase" is absent for an
 * unstamped point, "offender" and "detail" when there are none; "text"
 * is written for readers and ignored on load. A value is a JSON number
 * that reads back to the same double; NaN and the infinities, which JSON
 * has no number for, are the strings "NaN", "Infinity", "-Infinity" (a
 * NaN's sign and payload are not kept). An exact u64 is an integer, or a
 * decimal string beyond INT64_MAX (as is such an elapsed_ms).
 */
#define KTSTR_SERIES_FILE_SCHEMA	"ktstr.series/1"

struct ktstr_series_file {
	struct ktstr_series_field **fields;	/* labels are unique */
	size_t nr_fields;
	struct ktstr_temporal_result **results;
	size_t nr_results;
};

struct ktstr_series_file *ktstr_series_file__new(void);
void ktstr_series_file__free(struct ktstr_series_file *f);
/* Copy @field / @r in: 0, -EEXIST (a field of that label is there), -ENOMEM. */
int ktstr_series_file__add_field(struct ktstr_series_file *f,
				 const struct ktstr_series_field *field);
int ktstr_series_file__add_result(struct ktstr_series_file *f,
				  const struct ktstr_temporal_result *r);
/* The field labelled @label, or NULL. */
const struct ktstr_series_field *ktstr_series_file__field(const struct ktstr_series_file *f,
							  const char *label);
/* Deep equality; values by bits, except that every NaN equals every NaN. */
bool ktstr_series_file__equal(const struct ktstr_series_file *a,
			      const struct ktstr_series_file *b);

/*
 * save: 0 or -errno. load: 0 and *out, or -errno with a message in @err
 * (may be NULL) naming where the document broke
 * ("fields[2].samples[5].elapsed_ms: expected a number"): -EINVAL (not a
 * series file: the file is hostile until it has been checked member by
 * member, unknown keys included), -ENOMEM, or fopen()'s error. String
 * forms for callers without a file; to_json: NULL on ENOMEM.
 */
int ktstr_series_file__save(const struct ktstr_series_file *f, const char *path);
int ktstr_series_file__load(const char *path, struct ktstr_series_file **out,
			    char *err, size_t err_len);
char *ktstr_series_file__to_json(const struct ktstr_series_file *f);
int ktstr_series_file__from_json(const char *text, size_t len,
				 struct ktstr_series_file **out,
				 char *err, size_t err_len);

#endif /* KTSTR_SERIES_H */
