// SPDX-License-Identifier: GPL-2.0
/*
 * libktstr: sample series from the bridge's ordered drain, and their
 * projections to fields (bpf, stats, host, monitor).
 *
 * The series owns what the drain handed over (tag, report, stats text
 * parsed once with jansson) and builds one snapshot view and one stats
 * view per sample up front, so projections only read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktstr/series.h>

struct monitor_stat {
	char *name;
	double value;
};

struct ktstr_series {
	struct ktstr_sample *samples;
	size_t n;
	bool has_monitor;
	struct monitor_stat *mon;
	size_t nr_mon;
};

const char *ktstr_stats_missing__str(enum ktstr_stats_missing why)
{
	switch (why) {
	case KTSTR_STATS_PRESENT:		return "present";
	case KTSTR_STATS_NO_SCHEDULER_BINARY:	return "no scheduler binary";
	case KTSTR_STATS_NO_SCHEDULER:		return "no scheduler";
	case KTSTR_STATS_RELAY_FAILED:		return "relay failed";
	case KTSTR_STATS_TIMEOUT:		return "timeout";
	case KTSTR_STATS_SCHEDULER_ERRNO:	return "scheduler errno";
	case KTSTR_STATS_PARSE_ERROR:		return "parse error";
	}
	return "unknown reason";
}

const char *ktstr_series_axis__str(enum ktstr_series_axis axis)
{
	switch (axis) {
	case KTSTR_AXIS_NONE:		return "none";
	case KTSTR_AXIS_BPF:		return "bpf";
	case KTSTR_AXIS_STATS:		return "stats";
	case KTSTR_AXIS_HOST:		return "host";
	case KTSTR_AXIS_MONITOR:	return "monitor";
	case KTSTR_AXIS_CUSTOM:		return "custom";
	}
	return "unknown";
}

static const char *const cpu_col_names[] = {
	[KTSTR_CPU_USER] = "user",	[KTSTR_CPU_NICE] = "nice",
	[KTSTR_CPU_SYSTEM] = "system",	[KTSTR_CPU_IDLE] = "idle",
	[KTSTR_CPU_IOWAIT] = "iowait",	[KTSTR_CPU_IRQ] = "irq",
	[KTSTR_CPU_SOFTIRQ] = "softirq", [KTSTR_CPU_STEAL] = "steal",
	[KTSTR_CPU_BUSY] = "busy",
};

const char *ktstr_cpu_time_col__str(enum ktstr_cpu_time_col col)
{
	if ((unsigned int)col >= sizeof(cpu_col_names) / sizeof(cpu_col_names[0]))
		return NULL;
	return cpu_col_names[col];
}

/* ---- series ------------------------------------------------------------ */

static void sample_release(struct ktstr_sample *s)
{
	ktstr_stats__free(s->stats_view);
	ktstr_snapshot__free(s->snapshot);
	json_decref(s->stats);
	ktstr_dump__free(s->report);
	free(s->stats_error);
	free(s->tag);
	memset(s, 0, sizeof(*s));
}

struct ktstr_series *ktstr_series__new(void)
{
	return calloc(1, sizeof(struct ktstr_series));
}

/* Take one drained sample's contents (leaving NULLs behind) into @out. */
static int sample_adopt(struct ktstr_sample *out, struct ktstr_bridge_sample *in)
{
	out->tag = in->tag ? in->tag : strdup("");
	in->tag = NULL;
	out->report = in->report;
	in->report = NULL;
	if (!out->report)	/* the bridge always has one; never trust it */
		out->report = ktstr_dump__new_placeholder("the drain handed over no report");
	if (!out->tag || !out->report)
		return -ENOMEM;
	out->has_elapsed = in->has_elapsed;
	out->elapsed_ms = in->has_elapsed ? in->elapsed_ms : 0;
	out->has_step = in->has_step;
	out->step_index = in->has_step ? in->step_index : 0;
	out->has_boundary = in->has_boundary;
	out->boundary_offset_ms = in->has_boundary ? in->boundary_offset_ms : 0;
	out->stats_errno = in->stats_errno;

	if (in->stats_json) {
		json_error_t jerr;
		json_t *root = json_loads(in->stats_json, JSON_DECODE_ANY, &jerr);

		if (root) {
			out->stats = root;
			out->stats_missing = KTSTR_STATS_PRESENT;
		} else {
			out->stats_missing = KTSTR_STATS_PARSE_ERROR;
			if (asprintf(&out->stats_error, "line %d column %d: %s",
				     jerr.line, jerr.column, jerr.text) < 0) {
				out->stats_error = NULL;
				return -ENOMEM;
			}
		}
	} else {
		/* No text: the bridge's reason, or the fixture default. */
		out->stats_missing = in->stats_missing != KTSTR_STATS_PRESENT ?
				     in->stats_missing : KTSTR_STATS_NO_SCHEDULER_BINARY;
	}

	out->snapshot = ktstr_snapshot__new(out->report);
	out->stats_view = ktstr_stats__new(out->stats);
	if (!out->snapshot || !out->stats_view)
		return -ENOMEM;
	return 0;
}

struct ktstr_series *ktstr_series__from_samples(struct ktstr_bridge_sample *samples, size_t n)
{
	struct ktstr_series *s;
	int err = 0;

	if (n && !samples) {
		errno = EINVAL;
		return NULL;
	}
	s = ktstr_series__new();
	if (s && n) {
		s->samples = calloc(n, sizeof(*s->samples));
		if (!s->samples)
			err = -ENOMEM;
	} else if (!s) {
		err = -ENOMEM;
	}
	for (size_t i = 0; !err && i < n; i++) {
		err = sample_adopt(&s->samples[i], &samples[i]);
		s->n = i + 1;	/* a half-adopted sample is released with the rest */
	}
	/* Whatever was not adopted (and the array) goes back to the bridge's free. */
	ktstr_bridge__free_samples(samples, n);
	if (err) {
		ktstr_series__free(s);
		errno = -err;
		return NULL;
	}
	return s;
}

int ktstr_series__from_bridge(struct ktstr_bridge *b, struct ktstr_series **out)
{
	struct ktstr_bridge_sample *samples = NULL;
	size_t n = 0;
	int err;

	if (!b || !out)
		return -EINVAL;
	err = ktstr_bridge__drain_ordered_with_stats(b, &samples, &n);
	if (err)
		return err;
	*out = ktstr_series__from_samples(samples, n);
	return *out ? 0 : -errno;
}

void ktstr_series__free(struct ktstr_series *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		sample_release(&s->samples[i]);
	free(s->samples);
	for (size_t i = 0; i < s->nr_mon; i++)
		free(s->mon[i].name);
	free(s->mon);
	free(s);
}

size_t ktstr_series__len(const struct ktstr_series *s)
{
	return s ? s->n : 0;
}

const struct ktstr_sample *ktstr_series__sample(const struct ktstr_series *s, size_t i)
{
	return s && i < s->n ? &s->samples[i] : NULL;
}

void ktstr_series__periodic_only(struct ktstr_series *s)
{
	size_t kept = 0;

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (ktstr_bridge__is_periodic_tag(s->samples[i].tag))
			s->samples[kept++] = s->samples[i];
		else
			sample_release(&s->samples[i]);
	}
	s->n = kept;
}

const struct ktstr_sample *ktstr_series__next_periodic(const struct ktstr_series *s,
						       size_t *cursor)
{
	if (!s || !cursor)
		return NULL;
	while (*cursor < s->n) {
		const struct ktstr_sample *p = &s->samples[(*cursor)++];

		if (ktstr_bridge__is_periodic_tag(p->tag))
			return p;
	}
	return NULL;
}

void ktstr_phase_buckets__free(struct ktstr_phase_bucket *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++)
		free(b[i].samples);
	free(b);
}

int ktstr_series__by_phase(const struct ktstr_series *s, struct ktstr_phase_bucket **out,
			   size_t *n)
{
	struct ktstr_phase_bucket *b = NULL;
	size_t nr = 0;

	if (!s || !out || !n)
		return -EINVAL;
	*out = NULL;
	*n = 0;
	/*
	 * Phases are few and samples at most the bridge's cap: a sorted
	 * insert per sample is plenty and keeps drain order inside a bucket.
	 */
	for (size_t i = 0; i < s->n; i++) {
		uint16_t ph = s->samples[i].has_step ? s->samples[i].step_index : 0;
		size_t j = 0;
		size_t *idx;

		while (j < nr && b[j].phase < ph)
			j++;
		if (j == nr || b[j].phase != ph) {
			struct ktstr_phase_bucket *nb = realloc(b, (nr + 1) * sizeof(*b));

			if (!nb)
				goto nomem;
			b = nb;
			memmove(&b[j + 1], &b[j], (nr - j) * sizeof(*b));
			memset(&b[j], 0, sizeof(*b));
			b[j].phase = ph;
			nr++;
		}
		idx = realloc(b[j].samples, (b[j].nr_samples + 1) * sizeof(*idx));
		if (!idx)
			goto nomem;
		idx[b[j].nr_samples++] = i;
		b[j].samples = idx;
	}
	*out = b;
	*n = nr;
	return 0;
nomem:
	ktstr_phase_buckets__free(b, nr);
	return -ENOMEM;
}

int ktstr_series__set_monitor(struct ktstr_series *s, const struct ktstr_monitor_stat *stats,
			      size_t n)
{
	struct monitor_stat *m;

	if (!s || (n && !stats))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!stats[i].name)
			return -EINVAL;
	m = calloc(n ? n : 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		m[i].name = strdup(stats[i].name);
		m[i].value = stats[i].value;
		if (!m[i].name) {
			while (i--)
				free(m[i].name);
			free(m);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < s->nr_mon; i++)
		free(s->mon[i].name);
	free(s->mon);
	s->mon = m;
	s->nr_mon = n;
	s->has_monitor = true;
	return 0;
}

int ktstr_series__monitor_value(const struct ktstr_series *s, const char *name, double *out)
{
	if (!s || !name || !out)
		return -EINVAL;
	if (!s->has_monitor)
		return -ENODATA;
	for (size_t i = 0; i < s->nr_mon; i++) {
		if (!strcmp(s->mon[i].name, name)) {
			*out = s->mon[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

struct ktstr_dump_report *ktstr_series__synth_report(const char *obj,
						     const char *const *names,
						     const uint64_t *values, size_t n)
{
	struct ktstr_dump_report *r;
	struct ktstr_dump_map *m;
	char *map_name = NULL;

	if (!obj || (n && (!names || !values))) {
		errno = EINVAL;
		return NULL;
	}
	r = ktstr_dump__new();
	if (!r || asprintf(&map_name, "%s.bss", obj) < 0)
		goto nomem;
	m = ktstr_dump__add_map(r, map_name);
	if (!m)
		goto nomem;
	m->type = 2;			/* BPF_MAP_TYPE_ARRAY, as global sections are */
	m->key_size = 4;
	m->value_size = (uint32_t)(n * 8);
	m->max_entries = 1;
	m->value = ktstr_value__new(KTSTR_VALUE_STRUCT, ".bss");
	if (!m->value)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_UINT, "u64");

		if (!v)
			goto nomem;
		v->u = values[i];
		v->bits = 64;
		if (ktstr_value__add_member(m->value, names[i], v, (uint32_t)(i * 64), 0)) {
			ktstr_value__free(v);
			goto nomem;
		}
	}
	if (!(r->active_obj_name = strdup(obj)))
		goto nomem;
	free(map_name);
	return r;
nomem:
	free(map_name);
	ktstr_dump__free(r);
	errno = ENOMEM;
	return NULL;
}

/* ---- fields ----------------------------------------------------------- */

struct ktstr_series_field *ktstr_series_field__new(const char *label,
						   enum ktstr_series_axis axis)
{
	struct ktstr_series_field *f;

	if (!label) {
		errno = EINVAL;
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->label = strdup(label))) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->axis = axis;
	return f;
}

void ktstr_series_field__free(struct ktstr_series_field *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr_points; i++) {
		free(f->points[i].tag);
		free(f->points[i].error);
	}
	free(f->points);
	free(f->label);
	free(f);
}

int ktstr_series_field__push(struct ktstr_series_field *f, const struct ktstr_series_point *p)
{
	struct ktstr_series_point *np;

	if (!f || !p || !p->tag)
		return -EINVAL;
	if (f->nr_points == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;

		if (cap > SIZE_MAX / sizeof(*np))
			return -ENOMEM;
		np = realloc(f->points, cap * sizeof(*np));
		if (!np)
			return -ENOMEM;
		f->points = np;
		f->cap = cap;
	}
	np = &f->points[f->nr_points];
	*np = *p;
	np->tag = strdup(p->tag);
	np->error = p->error ? strdup(p->error) : NULL;
	if (!np->tag || (p->error && !np->error)) {
		free(np->tag);
		free(np->error);
		return -ENOMEM;
	}
	if (np->error) {
		np->value = 0;
		np->is_u64 = false;
		np->u64 = 0;
	}
	f->nr_points++;
	return 0;
}

static void point_init(struct ktstr_series_point *p, const char *tag, uint64_t elapsed_ms,
		       int phase)
{
	memset(p, 0, sizeof(*p));
	p->tag = (char *)tag;
	p->elapsed_ms = elapsed_ms;
	p->has_phase = phase >= 0 && phase <= UINT16_MAX;
	p->phase = p->has_phase ? (uint16_t)phase : 0;
}

int ktstr_series_field__push_f64(struct ktstr_series_field *f, const char *tag,
				 uint64_t elapsed_ms, int phase, double v)
{
	struct ktstr_series_point p;

	point_init(&p, tag, elapsed_ms, phase);
	p.value = v;
	return ktstr_series_field__push(f, &p);
}

int ktstr_series_field__push_u64(struct ktstr_series_field *f, const char *tag,
				 uint64_t elapsed_ms, int phase, uint64_t v)
{
	struct ktstr_series_point p;

	point_init(&p, tag, elapsed_ms, phase);
	p.value = (double)v;
	p.is_u64 = true;
	p.u64 = v;
	return ktstr_series_field__push(f, &p);
}

int ktstr_series_field__push_error(struct ktstr_series_field *f, const char *tag,
				   uint64_t elapsed_ms, int phase, const char *fmt, ...)
{
	struct ktstr_series_point p;
	va_list ap;
	int err;

	if (!fmt)
		return -EINVAL;
	point_init(&p, tag, elapsed_ms, phase);
	va_start(ap, fmt);
	err = vasprintf(&p.error, fmt, ap);
	va_end(ap);
	if (err < 0)
		return -ENOMEM;
	err = ktstr_series_field__push(f, &p);
	free(p.error);
	return err;
}

size_t ktstr_series_field__errored(const struct ktstr_series_field *f)
{
	size_t n = 0;

	for (size_t i = 0; f && i < f->nr_points; i++)
		n += f->points[i].error != NULL;
	return n;
}

/* ---- projections ------------------------------------------------------ */

/* One sample's outcome while projecting: a number, or why not. */
struct slot {
	double value;
	bool is_u64;
	uint64_t u64;
	char why[512];
	bool failed;
};

static void slot_fail(struct slot *sl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void slot_fail(struct slot *sl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sl->why, sizeof(sl->why), fmt, ap);
	va_end(ap);
	sl->failed = true;
}

static void slot_u64(struct slot *sl, uint64_t v)
{
	sl->value = (double)v;
	sl->is_u64 = true;
	sl->u64 = v;
}

typedef void (*project_fn)(const struct ktstr_sample *s, void *ctx, struct slot *sl);

static struct ktstr_series_field *build_field(const struct ktstr_series *s, const char *label,
					      enum ktstr_series_axis axis, project_fn fn,
					      void *ctx)
{
	struct ktstr_series_field *f = ktstr_series_field__new(label, axis);

	if (!f)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		const struct ktstr_sample *smp = &s->samples[i];
		struct ktstr_series_point p;
		struct slot sl = { 0 };
		int err;

		fn(smp, ctx, &sl);
		point_init(&p, smp->tag, smp->elapsed_ms, smp->has_step ? smp->step_index : -1);
		if (sl.failed) {
			p.error = sl.why[0] ? sl.why : "no value";
		} else {
			p.value = sl.value;
			p.is_u64 = sl.is_u64;
			p.u64 = sl.u64;
		}
		err = ktstr_series_field__push(f, &p);
		if (err) {
			ktstr_series_field__free(f);
			errno = -err;
			return NULL;
		}
	}
	return f;
}

static bool fail_placeholder(const struct ktstr_sample *s, struct slot *sl)
{
	if (!s->report->is_placeholder)
		return false;
	slot_fail(sl, "placeholder sample: %s",
		  s->report->placeholder_reason ? s->report->placeholder_reason : "no data");
	return true;
}

static const char *snap_error(const struct ktstr_sample *s, struct ktstr_field f)
{
	const struct ktstr_error *e = ktstr_field__error(f);

	if (!e)
		e = ktstr_snapshot__last_error(s->snapshot);
	return e && e->msg ? e->msg : NULL;
}

/* A rendered value as a number: unsigned integers stay exact. */
static void field_to_slot(const struct ktstr_sample *s, struct ktstr_field f, struct slot *sl)
{
	const char *msg;
	uint64_t u;
	double d;

	if (f.err) {
		slot_fail(sl, "%s", f.err->msg ? f.err->msg : "no value");
		return;
	}
	if (f.value && f.value->kind == KTSTR_VALUE_UINT && !ktstr_field__as_u64(f, &u)) {
		slot_u64(sl, u);
		return;
	}
	if (!ktstr_field__as_f64(f, &d)) {
		sl->value = d;
		return;
	}
	msg = snap_error(s, f);
	slot_fail(sl, "%s", msg ? msg : "not a number");
}

static void project_bpf(const struct ktstr_sample *s, void *ctx, struct slot *sl)
{
	const char *path = ctx;
	size_t len = strcspn(path, ".[");
	char *name;
	struct ktstr_field f;

	if (fail_placeholder(s, sl))
		return;
	name = strndup(path, len);
	if (!name) {
		slot_fail(sl, "out of memory");
		return;
	}
	f = ktstr_snapshot__var(s->snapshot, name);
	free(name);
	if (path[len] == '.')
		len++;
	if (path[len])
		f = ktstr_field__get(f, path + len);
	field_to_slot(s, f, sl);
}

struct map_ctx {
	const char *map;
	size_t entry;
	const char *path;
};

static void project_bpf_map(const struct ktstr_sample *s, void *ctx, struct slot *sl)
{
	const struct map_ctx *mc = ctx;
	struct ktstr_map m;
	struct ktstr_entry e;
	struct ktstr_field f;

	if (fail_placeholder(s, sl))
		return;
	m = ktstr_snapshot__map(s->snapshot, mc->map);
	if (m.err) {
		slot_fail(sl, "%s", m.err->msg ? m.err->msg : "map not found");
		return;
	}
	e = ktstr_map__at(m, mc->entry);
	if (e.err) {
		slot_fail(sl, "%s", e.err->msg ? e.err->msg : "no such entry");
		return;
	}
	f = mc->path && mc->path[0] ? ktstr_entry__get(e, mc->path) : ktstr_entry__value(e);
	field_to_slot(s, f, sl);
}

static void project_stats(const struct ktstr_sample *s, void *ctx, struct slot *sl)
{
	const char *path = ctx;
	struct ktstr_json_field jf;
	const struct ktstr_error *e;
	const json_t *v;
	double d;

	if (!s->stats) {
		if (s->stats_missing == KTSTR_STATS_SCHEDULER_ERRNO)
			slot_fail(sl, "stats missing: scheduler errno %d (%s)", s->stats_errno,
				  strerror(s->stats_errno));
		else if (s->stats_missing == KTSTR_STATS_PARSE_ERROR)
			slot_fail(sl, "stats missing: parse error: %s",
				  s->stats_error ? s->stats_error : "?");
		else
			slot_fail(sl, "stats missing: %s",
				  ktstr_stats_missing__str(s->stats_missing));
		return;
	}
	jf = ktstr_stats__get(s->stats_view, path);
	if (jf.err) {
		slot_fail(sl, "%s", jf.err->msg ? jf.err->msg : "no such stats path");
		return;
	}
	v = jf.value;
	/* Non-negative integers stay exact (counters beyond 2^53). */
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		slot_u64(sl, (uint64_t)json_integer_value(v));
		return;
	}
	if (!ktstr_json_field__as_f64(jf, &d)) {
		sl->value = d;
		return;
	}
	e = ktstr_stats__last_error(s->stats_view);
	slot_fail(sl, "%s", e && e->msg ? e->msg : "stats value is not a number");
}

struct host_ctx {
	int cpu;
	enum ktstr_cpu_time_col col;
};

static bool cpu_time_col(const struct ktstr_dump_cpu_time *t, enum ktstr_cpu_time_col col,
			 uint64_t *out)
{
	uint64_t v;

	switch (col) {
	case KTSTR_CPU_USER:	*out = t->user_ns; return true;
	case KTSTR_CPU_NICE:	*out = t->nice_ns; return true;
	case KTSTR_CPU_SYSTEM:	*out = t->system_ns; return true;
	case KTSTR_CPU_IDLE:	*out = t->idle_ns; return true;
	case KTSTR_CPU_IOWAIT:	*out = t->iowait_ns; return true;
	case KTSTR_CPU_IRQ:	*out = t->irq_ns; return true;
	case KTSTR_CPU_SOFTIRQ:	*out = t->softirq_ns; return true;
	case KTSTR_CPU_STEAL:	*out = t->steal_ns; return true;
	case KTSTR_CPU_BUSY:
		v = t->user_ns;
		if (__builtin_add_overflow(v, t->nice_ns, &v) ||
		    __builtin_add_overflow(v, t->system_ns, &v) ||
		    __builtin_add_overflow(v, t->irq_ns, &v) ||
		    __builtin_add_overflow(v, t->softirq_ns, &v) ||
		    __builtin_add_overflow(v, t->steal_ns, &v))
			return false;
		*out = v;
		return true;
	}
	return false;
}

static void project_host(const struct ktstr_sample *s, void *ctx, struct slot *sl)
{
	const struct host_ctx *hc = ctx;
	const struct ktstr_dump_report *r = s->report;
	const char *col = ktstr_cpu_time_col__str(hc->col);
	uint64_t sum = 0, v;
	bool found = false;

	if (fail_placeholder(s, sl))
		return;
	if (!r->nr_per_cpu_time || !r->per_cpu_time) {
		if (r->per_cpu_time_unavailable)
			slot_fail(sl, "per-CPU time unavailable: %s", r->per_cpu_time_unavailable);
		else
			slot_fail(sl, "per-CPU time not captured");
		return;
	}
	for (size_t i = 0; i < r->nr_per_cpu_time; i++) {
		const struct ktstr_dump_cpu_time *t = &r->per_cpu_time[i];

		if (hc->cpu >= 0 && t->cpu != (uint32_t)hc->cpu)
			continue;
		if (!cpu_time_col(t, hc->col, &v) || __builtin_add_overflow(sum, v, &sum)) {
			slot_fail(sl, "%s time overflows u64 (cpu %" PRIu32 ")", col, t->cpu);
			return;
		}
		found = true;
	}
	if (!found) {
		slot_fail(sl, "no per-CPU time for cpu %d (%zu CPUs captured, cpu %" PRIu32
			  " to %" PRIu32 ")", hc->cpu, r->nr_per_cpu_time, r->per_cpu_time[0].cpu,
			  r->per_cpu_time[r->nr_per_cpu_time - 1].cpu);
		return;
	}
	slot_u64(sl, sum);
}

struct custom_ctx {
	ktstr_sample_project_fn fn;
	void *ctx;
};

static void project_custom(const struct ktstr_sample *s, void *ctx, struct slot *sl)
{
	const struct custom_ctx *cc = ctx;
	double d = 0;
	bool is_u64 = false;
	uint64_t u = 0;

	if (cc->fn(cc->ctx, s, &d, &is_u64, &u, sl->why, sizeof(sl->why))) {
		sl->why[sizeof(sl->why) - 1] = '\0';
		sl->failed = true;
		return;
	}
	if (is_u64)
		slot_u64(sl, u);
	else
		sl->value = d;
}

static struct ktstr_series_field *labelled(const struct ktstr_series *s,
					   enum ktstr_series_axis axis, project_fn fn,
					   void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static struct ktstr_series_field *labelled(const struct ktstr_series *s,
					   enum ktstr_series_axis axis, project_fn fn,
					   void *ctx, const char *fmt, ...)
{
	struct ktstr_series_field *f;
	char *label;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&label, fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = ENOMEM;
		return NULL;
	}
	f = build_field(s, label, axis, fn, ctx);
	free(label);
	return f;
}

struct ktstr_series_field *ktstr_series__bpf(const struct ktstr_series *s, const char *path)
{
	if (!s || !path || !path[0] || strchr(".[", path[0])) {
		errno = EINVAL;
		return NULL;
	}
	return labelled(s, KTSTR_AXIS_BPF, project_bpf, (void *)path, "bpf:%s", path);
}

struct ktstr_series_field *ktstr_series__bpf_map(const struct ktstr_series *s,
						 const char *map, size_t entry,
						 const char *path)
{
	struct map_ctx mc = { .map = map, .entry = entry, .path = path };

	if (!s || !map) {
		errno = EINVAL;
		return NULL;
	}
	if (path && path[0])
		return labelled(s, KTSTR_AXIS_BPF, project_bpf_map, &mc, "bpf:%s[%zu].%s",
				map, entry, path);
	return labelled(s, KTSTR_AXIS_BPF, project_bpf_map, &mc, "bpf:%s[%zu]", map, entry);
}

struct ktstr_series_field *ktstr_series__stats(const struct ktstr_series *s, const char *path)
{
	if (!s || !path) {
		errno = EINVAL;
		return NULL;
	}
	return labelled(s, KTSTR_AXIS_STATS, project_stats, (void *)path, "stats:%s", path);
}

struct ktstr_series_field *ktstr_series__host(const struct ktstr_series *s, int cpu,
					      enum ktstr_cpu_time_col col)
{
	struct host_ctx hc = { .cpu = cpu, .col = col };
	const char *name = ktstr_cpu_time_col__str(col);

	if (!s || !name) {
		errno = EINVAL;
		return NULL;
	}
	if (cpu < 0)
		return labelled(s, KTSTR_AXIS_HOST, project_host, &hc, "host:all.%s", name);
	return labelled(s, KTSTR_AXIS_HOST, project_host, &hc, "host:cpu%d.%s", cpu, name);
}

struct ktstr_series_field *ktstr_series__monitor(const struct ktstr_series *s,
						 const char *name)
{
	struct ktstr_series_field *f;
	struct ktstr_series_point p;
	char *label;
	double v;
	int err;

	if (!s || !name) {
		errno = EINVAL;
		return NULL;
	}
	if (asprintf(&label, "monitor:%s", name) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	f = ktstr_series_field__new(label, KTSTR_AXIS_MONITOR);
	free(label);
	if (!f)
		return NULL;
	/* One value for the whole run, placed at the end of the window it covers. */
	point_init(&p, "run", s->n ? s->samples[s->n - 1].elapsed_ms : 0, -1);
	err = ktstr_series__monitor_value(s, name, &v);
	if (err == -ENODATA) {
		err = ktstr_series_field__push_error(f, p.tag, p.elapsed_ms, -1,
						     "monitor did not run");
	} else if (err == -ENOENT) {
		char names[256] = "";
		size_t off = 0;

		for (size_t i = 0; i < s->nr_mon && off < sizeof(names); i++)
			off += snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "",
					s->mon[i].name);
		err = ktstr_series_field__push_error(f, p.tag, p.elapsed_ms, -1,
						     "no monitor value '%s' (have: %s)", name,
						     s->nr_mon ? names : "none");
	} else {
		p.value = v;
		err = ktstr_series_field__push(f, &p);
	}
	if (err) {
		ktstr_series_field__free(f);
		errno = -err;
		return NULL;
	}
	return f;
}

struct ktstr_series_field *ktstr_series__project(const struct ktstr_series *s,
						 const char *label,
						 ktstr_sample_project_fn fn, void *ctx)
{
	struct custom_ctx cc = { .fn = fn, .ctx = ctx };

	if (!s || !label || !fn) {
		errno = EINVAL;
		return NULL;
	}
	return build_field(s, label, KTSTR_AXIS_CUSTOM, project_custom, &cc);
}
