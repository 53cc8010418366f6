// SPDX-License-Identifier: GPL-2.0
/*
 * Render throughput: ktstr_btf__render() against libbpf's
 * btf_dump__dump_type_data() over the same bytes and the same BTF (that
 * of progs/render_types.bpf.o): a big struct, an array of structs and a
 * global section (DATASEC).
 *
 * The figure is values (leaf nodes of the rendered tree) per second. Our
 * side builds the whole tree and frees it; libbpf's formats through a
 * printf callback that discards, so it pays for walking the type and
 * calling the callback but not for formatting text. Rounds alternate the
 * two so that frequency and cache drift hit both alike; each figure is
 * the median of the rounds. Nothing is asserted about speed, only that
 * both renderers rendered the data (no ERROR nodes, no libbpf error).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <ktstr/btf_render.h>

#include "progs/render_types.h"

#define ROUNDS		9
#define ROUND_NS	50000000ull	/* each measurement runs about this long */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void discard(void *ctx, const char *fmt, va_list args)
{
	(void)ctx;
	(void)fmt;
	(void)args;
}

/* Leaves of a tree, and whether any is an ERROR. */
static size_t count_leaves(const struct ktstr_value *v, size_t *errors)
{
	size_t i, n = 0;

	switch (v->kind) {
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		for (i = 0; i < v->agg.nr; i++)
			n += count_leaves(v->agg.members[i].value, errors);
		return n;
	case KTSTR_VALUE_ARRAY:
		for (i = 0; i < v->arr.nr; i++)
			n += count_leaves(v->arr.elems[i], errors);
		return n;
	case KTSTR_VALUE_ERROR:
		(*errors)++;
		return 1;
	default:
		return 1;
	}
}

/*
 * Deterministic, mixed values: names are text, enums named. No byte is
 * zero: libbpf 1.1's btf_dump stops every later array of a dump once one
 * array of 1-byte ints has met a NUL (is_array_terminated is never
 * reset), which would leave it most of the data unrendered.
 */
static void fill_value(struct rt_value *v, unsigned int seed)
{
	uint8_t *p = (uint8_t *)v;
	size_t i;

	srand(seed);
	for (i = 0; i < sizeof(*v); i++)
		p[i] = rand() % 255 + 1;
	/* printable, no NUL: the renderer's STRING, libbpf's chars */
	memset(v->name, '-', sizeof(v->name));
	memcpy(v->name, "task", 4);
	v->sgn = RT_NEG_ONE;
	v->usg = RT_U_TOP;
	v->color = (enum rt_color)(seed % 3);
	v->bits.col = RT_GREEN;
	v->yes = 1;
	v->bits.flag = 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct workload {
	const char *what;
	__u32 type_id;
	const void *data;
	size_t len;
};

static double run_ktstr(const struct btf *btf, const struct workload *w, size_t iters)
{
	uint64_t t0 = now_ns();
	size_t i;

	for (i = 0; i < iters; i++)
		ktstr_value__free(ktstr_btf__render(btf, w->type_id, w->data, w->len, NULL));
	return (double)(now_ns() - t0);
}

static double run_libbpf(struct btf_dump *d, const struct workload *w, size_t iters)
{
	LIBBPF_OPTS(btf_dump_type_data_opts, opts, .emit_zeroes = true);
	uint64_t t0 = now_ns();
	size_t i;

	for (i = 0; i < iters; i++)
		btf_dump__dump_type_data(d, w->type_id, w->data, w->len, &opts);
	return (double)(now_ns() - t0);
}

/* Iterations that take about ROUND_NS. */
static size_t calibrate(double (*run)(const void *, const struct workload *, size_t),
			const void *arg, const struct workload *w)
{
	size_t iters = 1;
	double ns;

	for (;;) {
		ns = run(arg, w, iters);
		if (ns >= ROUND_NS / 10 || iters >= (1u << 30))
			break;
		iters *= 2;
	}
	iters = (size_t)(iters * (ROUND_NS / (ns > 1 ? ns : 1)));
	return iters ? iters : 1;
}

static double run_ktstr_v(const void *btf, const struct workload *w, size_t iters)
{
	return run_ktstr(btf, w, iters);
}

static double run_libbpf_v(const void *d, const struct workload *w, size_t iters)
{
	return run_libbpf((struct btf_dump *)d, w, iters);
}

static int bench(const struct btf *btf, struct btf_dump *d, const struct workload *w)
{
	LIBBPF_OPTS(btf_dump_type_data_opts, opts, .emit_zeroes = true);
	double ours[ROUNDS], theirs[ROUNDS], vo, vt;
	size_t leaves, errors = 0, it_o, it_t;
	struct ktstr_value *v;
	int r, err;

	/* The setup is right: both render these bytes completely. */
	v = ktstr_btf__render(btf, w->type_id, w->data, w->len, NULL);
	if (!v)
		return -ENOMEM;
	leaves = count_leaves(v, &errors);
	ktstr_value__free(v);
	if (errors || !leaves) {
		fprintf(stderr, "%s: %zu ERROR nodes of %zu leaves\n", w->what, errors, leaves);
		return -EINVAL;
	}
	err = btf_dump__dump_type_data(d, w->type_id, w->data, w->len, &opts);
	if (err < 0) {
		fprintf(stderr, "%s: btf_dump__dump_type_data: %d\n", w->what, err);
		return err;
	}

	it_o = calibrate(run_ktstr_v, btf, w);
	it_t = calibrate(run_libbpf_v, d, w);
	for (r = 0; r < ROUNDS; r++) {
		/* Alternate which goes first, too. */
		if (r & 1) {
			theirs[r] = run_libbpf(d, w, it_t) / it_t;
			ours[r] = run_ktstr(btf, w, it_o) / it_o;
		} else {
			ours[r] = run_ktstr(btf, w, it_o) / it_o;
			theirs[r] = run_libbpf(d, w, it_t) / it_t;
		}
	}
	qsort(ours, ROUNDS, sizeof(double), cmp_double);
	qsort(theirs, ROUNDS, sizeof(double), cmp_double);
	vo = leaves / ours[ROUNDS / 2] * 1e3;		/* leaves/ns -> M leaves/s */
	vt = leaves / theirs[ROUNDS / 2] * 1e3;
	printf("%-28s %6zu %10.0f %8.2f %10.0f %8.2f %7.2fx\n", w->what, leaves,
	       ours[ROUNDS / 2], vo, theirs[ROUNDS / 2], vt, vo / vt);
	return 0;
}

static char *obj_path(void)
{
	char exe[4096], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return strdup("render_types.bpf.o");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		slash[1] = '\0';
	if (asprintf(&p, "%s%s", slash ? exe : "", "render_types.bpf.o") < 0)
		return NULL;
	return p;
}

static int section_id(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_DATASEC);

	return id > 0 ? id : -ENOENT;
}

int main(void)
{
	static struct rt_value many[32];
	struct workload w[3];
	struct bpf_object *obj;
	const struct btf *btf;
	struct btf_dump *d;
	struct rt_value one;
	const struct btf_type *t;
	uint8_t *sec = NULL;
	char *path = obj_path();
	int id, i, err = 0;

	/* bpf_object__open() fixes the sections' offsets; nothing loads. */
	obj = path ? bpf_object__open_file(path, NULL) : NULL;
	free(path);
	if (!obj) {
		fprintf(stderr, "cannot open render_types.bpf.o: %d\n", -errno);
		return 1;
	}
	btf = bpf_object__btf(obj);
	d = btf ? btf_dump__new(btf, discard, NULL, NULL) : NULL;
	if (!d) {
		fprintf(stderr, "no BTF or btf_dump: %d\n", -errno);
		bpf_object__close(obj);
		return 1;
	}

	fill_value(&one, 1);
	for (i = 0; i < 32; i++)
		fill_value(&many[i], i + 2);
	w[0] = (struct workload){ "struct rt_value", ktstr_btf__find_type(btf, "struct rt_value"),
				  &one, sizeof(one) };
	id = btf__find_by_name_kind(btf, "g_bench_array", BTF_KIND_VAR);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	w[1] = (struct workload){ "struct rt_value[32]", t ? t->type : 0, many, sizeof(many) };
	id = section_id(btf, ".bss");
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (t)
		sec = calloc(1, t->size);
	if (sec) {
		/* .bss: g_counter, g_bss_value, g_flag at their offsets */
		const struct btf_var_secinfo *vi = btf_var_secinfos(t);

		for (i = 0; i < btf_vlen(t); i++)
			if (vi[i].size == sizeof(one))
				memcpy(sec + vi[i].offset, &one, sizeof(one));
			else
				memset(sec + vi[i].offset, 0x5a, vi[i].size);
	}
	w[2] = (struct workload){ "DATASEC .bss", (__u32)id, sec, t ? t->size : 0 };
	if (w[0].type_id <= 0 || !w[1].type_id || !sec) {
		fprintf(stderr, "types not found in render_types.bpf.o\n");
		err = 1;
		goto out;
	}

	printf("# render throughput, median of %d alternating rounds of ~%llu ms each\n",
	       ROUNDS, ROUND_NS / 1000000);
	printf("# libbpf: btf_dump__dump_type_data, emit_zeroes, printf callback discards\n");
	printf("%-28s %6s %10s %8s %10s %8s %8s\n", "type", "leaves", "ktstr ns", "ktstr M/s",
	       "libbpf ns", "lbpf M/s", "ratio");
	for (i = 0; i < 3; i++)
		if (bench(btf, d, &w[i])) {
			err = 1;
			break;
		}
out:
	free(sec);
	btf_dump__free(d);
	bpf_object__close(obj);
	return err;
}
