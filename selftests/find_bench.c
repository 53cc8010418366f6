// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot view's find() over a 100k-entry hash map (struct key {tid},
 * struct value {runs, vtime, weight, cpu}), the shape of a scheduler's
 * per-task map: a key near the end, a missing key (full walk plus the
 * NO_MATCH error), filter(), and the two ways a predicate reads a key,
 * through a dotted path or the raw value. Also what building the report
 * and the view cost. Prints figures (median of several rounds); asserts
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ktstr/dump.h>
#include <ktstr/snapshot.h>
#include <ktstr/value.h>

#define NR_ENTRIES	100000
#define ROUNDS		9

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static struct ktstr_value *num(enum ktstr_value_kind kind, const char *type, uint64_t x)
{
	struct ktstr_value *v = ktstr_value__new(kind, type);

	if (!v)
		abort();
	v->u = x;
	v->bits = 32;
	return v;
}

static void member(struct ktstr_value *s, const char *name, struct ktstr_value *v)
{
	if (ktstr_value__add_member(s, name, v, 0, 0))
		abort();
}

static struct ktstr_dump_report *build(void)
{
	struct ktstr_dump_report *r = ktstr_dump__new();
	struct ktstr_dump_map *m;
	struct ktstr_value *k, *v;
	char hex[16];

	if (!r || !(m = ktstr_dump__add_map(r, "task_ctxs")))
		abort();
	m->entries = calloc(NR_ENTRIES, sizeof(*m->entries));
	if (!m->entries)
		abort();
	for (int i = 0; i < NR_ENTRIES; i++) {
		k = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct key");
		v = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct value");
		if (!k || !v)
			abort();
		member(k, "tid", num(KTSTR_VALUE_INT, "s32", 1000 + i));
		member(v, "runs", num(KTSTR_VALUE_UINT, "u64", i * 3));
		member(v, "vtime", num(KTSTR_VALUE_UINT, "u64", 1000000 - i));
		member(v, "weight", num(KTSTR_VALUE_UINT, "u32", 100));
		member(v, "cpu", num(KTSTR_VALUE_INT, "s32", i % 64));
		snprintf(hex, sizeof(hex), "%08x", 1000 + i);
		m->entries[i].key = k;
		m->entries[i].value = v;
		m->entries[i].key_hex = strdup(hex);
		m->entries[i].value_hex = strdup("00");
		if (!m->entries[i].key_hex || !m->entries[i].value_hex)
			abort();
		m->nr_entries++;
	}
	return r;
}

/* Through the view's vocabulary: a dotted path and a terminal accessor. */
static bool tid_path(void *ctx, struct ktstr_entry e)
{
	int64_t tid;

	return !ktstr_field__as_i64(ktstr_entry__get(e, "key.tid"), &tid) &&
	       tid == *(int64_t *)ctx;
}

/* The raw tree, for comparison: what the view's overhead is measured against. */
static bool tid_raw(void *ctx, struct ktstr_entry e)
{
	return e.hash->key->agg.members[0].value->i == *(int64_t *)ctx;
}

static bool busy(void *ctx, struct ktstr_entry e)
{
	uint64_t runs;

	return !ktstr_field__as_u64(ktstr_entry__get(e, "runs"), &runs) && runs % 7 == 0;
}

static volatile size_t sink;

static double run_find(struct ktstr_map m, ktstr_entry_pred_fn pred, int64_t tid)
{
	double t0 = now_ns();
	struct ktstr_entry e = ktstr_map__find(m, pred, &tid);

	sink += e.kind;
	return now_ns() - t0;
}

static double report(const char *what, double *t, size_t entries)
{
	double med = median(t, ROUNDS);

	printf("%-34s %12.0f ns/call %9.2f ns/entry\n", what, med,
	       entries ? med / entries : 0.0);
	return med;
}

int main(void)
{
	double t[ROUNDS], tb[ROUNDS], tv[ROUNDS], t0, path_med, raw_med;
	struct ktstr_dump_report *r = NULL;
	struct ktstr_entry *out;
	struct ktstr_snapshot *s;
	struct ktstr_map m;
	int64_t near_end = 1000 + NR_ENTRIES - 10;
	int i;

	out = calloc(NR_ENTRIES, sizeof(*out));
	if (!out)
		return 1;
	for (i = 0; i < ROUNDS; i++) {
		t0 = now_ns();
		ktstr_dump__free(r);
		r = build();
		tb[i] = now_ns() - t0;
	}
	for (i = 0; i < ROUNDS; i++) {
		t0 = now_ns();
		s = ktstr_snapshot__new(r);
		m = ktstr_snapshot__map(s, "task_ctxs");
		tv[i] = now_ns() - t0;
		sink += m.map ? 1 : 0;
		ktstr_snapshot__free(s);
	}
	printf("find_bench: hash map of %d entries, key {tid}, value {runs, vtime, weight, cpu}; median of %d rounds\n",
	       NR_ENTRIES, ROUNDS);
	printf("%-34s %12.0f ns (%.0f ns/entry; not the view's cost)\n",
	       "build report (free + build)", median(tb, ROUNDS), median(tb, ROUNDS) / NR_ENTRIES);
	report("build view (snapshot + map)", tv, 0);

	s = ktstr_snapshot__new(r);
	m = ktstr_snapshot__map(s, "task_ctxs");
	if (!s || m.err) {
		fprintf(stderr, "find_bench: no view: %s\n", m.err ? m.err->msg : "ENOMEM");
		return 1;
	}
	for (i = 0; i < ROUNDS; i++)
		t[i] = run_find(m, tid_path, near_end);
	report("find near end, path \"key.tid\"", t, NR_ENTRIES - 10);
	for (i = 0; i < ROUNDS; i++)
		t[i] = run_find(m, tid_raw, near_end);
	report("find near end, raw tree", t, NR_ENTRIES - 10);
	/* The error is made once: later rounds find it in the arena. */
	for (i = 0; i < ROUNDS; i++)
		t[i] = run_find(m, tid_path, -1);
	path_med = report("find missing key (NO_MATCH)", t, NR_ENTRIES);
	for (i = 0; i < ROUNDS; i++)
		t[i] = run_find(m, tid_raw, -1);
	raw_med = report("find missing key, raw tree", t, NR_ENTRIES);
	for (i = 0; i < ROUNDS; i++) {
		t0 = now_ns();
		sink += ktstr_map__filter(m, busy, NULL, out, NR_ENTRIES);
		t[i] = now_ns() - t0;
	}
	report("filter runs % 7 == 0, path \"runs\"", t, NR_ENTRIES);
	printf("path/raw ratio, missing key: %.2fx\n", raw_med > 0 ? path_med / raw_med : 0.0);

	ktstr_snapshot__free(s);
	ktstr_dump__free(r);
	free(out);
	return 0;
}
