// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot view: maps, global variables, the active scheduler's
 * projection, per-CPU slots and entries of a dump report, with errors
 * that name the alternatives. Dotted paths and terminal accessors are in
 * field.c; the error arena in view_error.c. See include/ktstr/snapshot.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_error.h"

struct ktstr_snapshot {
	const struct ktstr_dump_report *report;
	struct view_arena *arena;	/* the root's; shared by its active view */
	struct ktstr_snapshot *root;	/* NULL on the root itself */
	/*
	 * The active-scheduler filter: only maps named "<active_obj>.*" are
	 * seen and, with a KVA whitelist, only those at a listed address. The
	 * whitelist tells apart two loads of the same object (a scheduler
	 * replaced by another build of itself), whose map names are equal.
	 */
	char *active_obj;
	const uint64_t *kvas;
	size_t nr_kvas;
	/* Root only: active() is a pure projection, made once. */
	bool active_done;
	struct ktstr_snapshot *active;
	const struct ktstr_error *active_err;
};

/* A list of borrowed strings, for error alternatives. */
struct strv {
	const char **v;
	size_t n, cap;
	bool fail;
};

static void strv_push(struct strv *sv, const char *s)
{
	const char **v;

	if (sv->fail)
		return;
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;

		v = realloc(sv->v, cap * sizeof(*v));
		if (!v) {
			sv->fail = true;
			return;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void strv_sort_uniq(struct strv *sv)
{
	size_t i, j;

	if (!sv->n)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	for (i = 1, j = 1; i < sv->n; i++)
		if (strcmp(sv->v[i], sv->v[j - 1]))
			sv->v[j++] = sv->v[i];
	sv->n = j;
}

static const char *mname(const struct ktstr_dump_map *m)
{
	return m->name ? m->name : "";
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* libbpf names a global section map "<obj>.bss", ".data" or ".rodata". */
static bool is_global_section(const char *name)
{
	return ends_with(name, ".bss") || ends_with(name, ".data") ||
	       ends_with(name, ".rodata");
}

/* The object is the name up to the first dot. */
static bool belongs_to_obj(const char *name, const char *obj)
{
	const char *dot = strchr(name, '.');

	return dot && (size_t)(dot - name) == strlen(obj) && !strncmp(name, obj, dot - name);
}

static bool kva_listed(const struct ktstr_snapshot *s, uint64_t kva)
{
	size_t i;

	if (!kva)
		return false;
	for (i = 0; i < s->nr_kvas; i++)
		if (s->kvas[i] == kva)
			return true;
	return false;
}

static bool admits(const struct ktstr_snapshot *s, const struct ktstr_dump_map *m)
{
	if (!s->active_obj)
		return true;
	if (!belongs_to_obj(mname(m), s->active_obj))
		return false;
	/* An empty whitelist: the capture could not tell; the prefix decides. */
	return !s->nr_kvas || kva_listed(s, m->kva);
}

struct view_arena *snapshot__arena(const struct ktstr_snapshot *s)
{
	return s ? s->arena : NULL;
}

/* ---- snapshot --------------------------------------------------------- */

struct ktstr_snapshot *ktstr_snapshot__new(const struct ktstr_dump_report *report)
{
	struct ktstr_snapshot *s;

	if (!report)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->report = report;
	s->arena = view_arena__new();
	if (!s->arena) {
		free(s);
		return NULL;
	}
	return s;
}

static void snapshot_free_view(struct ktstr_snapshot *s)
{
	free(s->active_obj);
	free(s);
}

void ktstr_snapshot__free(struct ktstr_snapshot *s)
{
	/* An active view belongs to its root and goes with it. */
	if (!s || s->root)
		return;
	if (s->active)
		snapshot_free_view(s->active);
	view_arena__free(s->arena);
	snapshot_free_view(s);
}

bool ktstr_snapshot__is_placeholder(const struct ktstr_snapshot *s)
{
	return s && s->report->is_placeholder;
}

size_t ktstr_snapshot__map_count(struct ktstr_snapshot *s)
{
	size_t i, n = 0;

	if (!s)
		return 0;
	for (i = 0; i < s->report->nr_maps; i++)
		n += admits(s, &s->report->maps[i]);
	return n;
}

const struct ktstr_error *ktstr_snapshot__last_error(const struct ktstr_snapshot *s)
{
	return view_arena__last_error(snapshot__arena(s));
}

static const struct ktstr_error *placeholder_err(struct ktstr_snapshot *s)
{
	const char *why = s->report->placeholder_reason;
	struct view_error_args args = { .kind = KTSTR_ERR_PLACEHOLDER };

	return view_error__new(s->arena, &args,
			       "the snapshot is a placeholder, the capture produced no data: %s",
			       why && *why ? why : "no reason recorded");
}

/*
 * When the active view's KVA whitelist turned away every captured map of
 * the active object, a lookup miss is the filter's doing and not a typo:
 * say so, with the addresses on both sides. NULL in every other case
 * (unfiltered, no whitelist, no such object, or some map admitted), where
 * the ordinary not-found error is the right one.
 */
static const struct ktstr_error *excluded_filter_err(struct ktstr_snapshot *s,
						     const char *requested)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_ACTIVE_FILTER_EXCLUDED, .requested = requested,
		.alts_label = "excluded maps",
	};
	const struct ktstr_error *e;
	struct strv names = { 0 };
	char *kvas = NULL, *wl = NULL;
	size_t kl = 0, wlen = 0, i;
	FILE *f1, *f2;

	if (!s->active_obj || !s->nr_kvas)
		return NULL;
	for (i = 0; i < s->report->nr_maps; i++) {
		const struct ktstr_dump_map *m = &s->report->maps[i];

		if (!belongs_to_obj(mname(m), s->active_obj))
			continue;
		if (kva_listed(s, m->kva)) {
			free(names.v);
			return NULL;
		}
		strv_push(&names, mname(m));
	}
	if (!names.n) {
		free(names.v);
		return NULL;
	}
	f1 = open_memstream(&kvas, &kl);
	f2 = open_memstream(&wl, &wlen);
	if (f1 && f2) {
		for (i = 0; i < s->report->nr_maps; i++) {
			const struct ktstr_dump_map *m = &s->report->maps[i];

			if (belongs_to_obj(mname(m), s->active_obj))
				fprintf(f1, "%s%s at 0x%" PRIx64, ftell(f1) ? ", " : "",
					mname(m), m->kva);
		}
		for (i = 0; i < s->nr_kvas && i < 16; i++)
			fprintf(f2, "%s0x%" PRIx64, i ? ", " : "", s->kvas[i]);
		if (s->nr_kvas > 16)
			fprintf(f2, ", ... (%zu more)", s->nr_kvas - 16);
	}
	if (f1)
		fclose(f1);
	if (f2)
		fclose(f2);
	args.where = s->active_obj;
	args.alts = names.v;
	args.nr_alts = names.n;
	args.len = s->nr_kvas;
	e = view_error__new(s->arena, &args,
			    "'%s': the active scheduler's KVA whitelist excluded every captured map of object '%s' (%s; whitelist: %s)",
			    requested, s->active_obj, kvas ? kvas : "?", wl ? wl : "?");
	free(kvas);
	free(wl);
	free(names.v);
	return e;
}

struct ktstr_map ktstr_snapshot__map(struct ktstr_snapshot *s, const char *name)
{
	struct ktstr_map r = { .snap = s, .cpu = -1 };
	struct view_error_args args = {
		.kind = KTSTR_ERR_MAP_NOT_FOUND, .alts_label = "available maps",
	};
	struct strv names = { 0 };
	size_t i;

	if (!s) {
		r.err = &view_error_detached;
		return r;
	}
	name = name ? name : "";
	if (s->report->is_placeholder) {
		r.err = placeholder_err(s);
		return r;
	}
	for (i = 0; i < s->report->nr_maps; i++) {
		const struct ktstr_dump_map *m = &s->report->maps[i];

		if (admits(s, m) && !strcmp(mname(m), name)) {
			r.map = m;
			return r;
		}
	}
	r.err = excluded_filter_err(s, name);
	if (r.err)
		return r;
	for (i = 0; i < s->report->nr_maps; i++)
		if (admits(s, &s->report->maps[i]))
			strv_push(&names, mname(&s->report->maps[i]));
	args.requested = name;
	args.alts = names.v;
	args.nr_alts = names.n;
	if (s->active_obj)
		r.err = view_error__new(s->arena, &args,
					"no map named '%s' among the active scheduler's (object '%s')",
					name, s->active_obj);
	else
		r.err = view_error__new(s->arena, &args, "no map named '%s'", name);
	free(names.v);
	return r;
}

/* Top-level names a var() lookup can reach, anonymous members looked through. */
static void member_names(const struct ktstr_value *v, struct strv *out, int depth)
{
	size_t i;

	if (!v || (v->kind != KTSTR_VALUE_STRUCT && v->kind != KTSTR_VALUE_UNION) ||
	    depth > 32)
		return;
	for (i = 0; i < v->agg.nr; i++) {
		if (v->agg.members[i].name[0])
			strv_push(out, v->agg.members[i].name);
		else
			member_names(v->agg.members[i].value, out, depth + 1);
	}
}

/* @name in a global section's value, or NULL. */
static const struct ktstr_value *global_lookup(const struct ktstr_dump_map *m, const char *name)
{
	if (!*name || !m->value || !is_global_section(mname(m)))
		return NULL;
	return ktstr_value__member(m->value, name);
}

static struct ktstr_field missing(struct ktstr_snapshot *s, const struct ktstr_error *err)
{
	return (struct ktstr_field){ .snap = s, .err = err };
}

struct ktstr_field ktstr_snapshot__var(struct ktstr_snapshot *s, const char *name)
{
	struct view_error_args args = { .requested = name };
	const struct ktstr_value *first = NULL, *v;
	const struct ktstr_error *err;
	struct ktstr_snapshot *act;
	struct strv names = { 0 };
	size_t i, hits = 0;

	if (!s)
		return missing(s, &view_error_detached);
	name = name ? name : "";
	args.requested = name;
	if (s->report->is_placeholder)
		return missing(s, placeholder_err(s));
	for (i = 0; i < s->report->nr_maps; i++) {
		const struct ktstr_dump_map *m = &s->report->maps[i];

		v = admits(s, m) ? global_lookup(m, name) : NULL;
		if (v && !hits++)
			first = v;
	}
	if (hits == 1)
		return (struct ktstr_field){ .snap = s, .value = first };

	if (hits > 1) {
		/*
		 * Several schedulers' copies (one replaced another): the live
		 * one's is what the caller means, when the capture can tell.
		 */
		if (!s->active_obj) {
			act = ktstr_snapshot__active(s, &err);
			if (act)
				return ktstr_snapshot__var(act, name);
		}
		for (i = 0; i < s->report->nr_maps; i++) {
			const struct ktstr_dump_map *m = &s->report->maps[i];

			if (admits(s, m) && global_lookup(m, name))
				strv_push(&names, mname(m));
		}
		args.kind = KTSTR_ERR_AMBIGUOUS_VAR;
		args.alts = names.v;
		args.nr_alts = names.n;
		args.alts_label = "found in";
		err = view_error__new(s->arena, &args,
				      "global variable '%s' is in %zu maps and the active scheduler could not be told; address one with ktstr_snapshot__map() or pick with ktstr_snapshot__live_var_via()",
				      name, hits);
		free(names.v);
		return missing(s, err);
	}

	err = excluded_filter_err(s, name);
	if (err)
		return missing(s, err);
	/* A section that failed to render may hold it: do not claim it is absent. */
	for (i = 0; i < s->report->nr_maps; i++) {
		const struct ktstr_dump_map *m = &s->report->maps[i];

		if (admits(s, m) && is_global_section(mname(m)) && !m->value && m->error) {
			args.kind = KTSTR_ERR_MAP_RENDER_INCOMPLETE;
			args.where = mname(m);
			return missing(s, view_error__new(s->arena, &args,
				"global variable '%s' not found, but global section '%s' failed to render and may hold it: %s",
				name, mname(m), m->error));
		}
	}
	for (i = 0; i < s->report->nr_maps; i++) {
		const struct ktstr_dump_map *m = &s->report->maps[i];

		if (admits(s, m) && is_global_section(mname(m)))
			member_names(m->value, &names, 0);
	}
	strv_sort_uniq(&names);
	args.kind = KTSTR_ERR_VAR_NOT_FOUND;
	args.alts = names.v;
	args.nr_alts = names.n;
	args.alts_label = "global variables";
	err = view_error__new(s->arena, &args, "no global variable named '%s'", name);
	free(names.v);
	return missing(s, err);
}

size_t ktstr_snapshot__vars(struct ktstr_snapshot *s, const char *name,
			    const char **map_names, struct ktstr_field *fields,
			    size_t cap)
{
	const struct ktstr_value *v;
	size_t i, n = 0;

	if (!s || !name)
		return 0;
	for (i = 0; i < s->report->nr_maps; i++) {
		const struct ktstr_dump_map *m = &s->report->maps[i];

		v = admits(s, m) ? global_lookup(m, name) : NULL;
		if (!v)
			continue;
		if (n < cap) {
			if (map_names)
				map_names[n] = mname(m);
			if (fields)
				fields[n] = (struct ktstr_field){ .snap = s, .value = v };
		}
		n++;
	}
	return n;
}

/* ---- active ----------------------------------------------------------- */

struct obj_count {
	const char *name;	/* points into a map name; not terminated */
	size_t len;
	size_t bss, data, rodata;
};

static bool multi_copy(const struct obj_count *o)
{
	return o->bss > 1 || o->data > 1 || o->rodata > 1;
}

static struct ktstr_snapshot *new_active(struct ktstr_snapshot *root, const char *obj,
					 size_t len, const uint64_t *kvas, size_t nr_kvas)
{
	struct ktstr_snapshot *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->report = root->report;
	a->arena = root->arena;
	a->root = root;
	a->active_obj = strndup(obj, len);
	a->kvas = kvas;
	a->nr_kvas = nr_kvas;
	if (!a->active_obj) {
		free(a);
		return NULL;
	}
	return a;
}

static const struct ktstr_error *multi_copy_err(struct ktstr_snapshot *s,
						const struct obj_count *o, const char *extra)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_NO_ACTIVE_SCHEDULER, .alts_label = "sections",
	};
	const char *secs[3];
	char detail[3][80], obj[64];
	const struct ktstr_error *e;
	size_t n = 0, counts[3] = { o->bss, o->data, o->rodata };
	static const char *const sfx[3] = { "bss", "data", "rodata" };
	int i, olen = o->len < sizeof(obj) - 1 ? (int)o->len : (int)sizeof(obj) - 1;

	snprintf(obj, sizeof(obj), "%.*s", olen, o->name);
	for (i = 0; i < 3; i++) {
		if (counts[i] <= 1)
			continue;
		snprintf(detail[n], sizeof(detail[n]), "%s.%s", obj, sfx[i]);
		secs[n] = detail[n];
		n++;
	}
	args.where = obj;
	args.alts = secs;
	args.nr_alts = n;
	e = view_error__new(s->arena, &args,
			    "no active scheduler: the snapshot holds several same-named copies of object '%s''s global sections (bss x%zu, data x%zu, rodata x%zu) and the capture published no map KVA whitelist to tell the live copy%s; pick one with ktstr_snapshot__live_var_via() (e.g. ktstr_pick_max_u64)",
			    obj, o->bss, o->data, o->rodata, extra);
	return e;
}

static void compute_active(struct ktstr_snapshot *root)
{
	const struct ktstr_dump_report *r = root->report;
	const char *want = r->active_obj_name;
	struct view_error_args args = { .kind = KTSTR_ERR_NO_ACTIVE_SCHEDULER };
	struct obj_count *objs = NULL, *o, *matched = NULL;
	char extra[160] = "";
	const char **names = NULL;
	size_t nr = 0, i, j;

	root->active_done = true;
	if (r->is_placeholder) {
		root->active_err = placeholder_err(root);
		return;
	}
	objs = calloc(r->nr_maps ? r->nr_maps : 1, sizeof(*objs));
	if (!objs) {
		root->active_err = &view_error_nomem;
		return;
	}
	for (i = 0; i < r->nr_maps; i++) {
		const char *name = mname(&r->maps[i]), *dot;

		if (!is_global_section(name))
			continue;
		dot = strchr(name, '.');
		if (!dot || dot == name)
			continue;
		for (j = 0; j < nr; j++)
			if (objs[j].len == (size_t)(dot - name) &&
			    !strncmp(objs[j].name, name, objs[j].len))
				break;
		o = &objs[j];
		if (j == nr) {
			o->name = name;
			o->len = dot - name;
			nr++;
		}
		/* Exactly "<obj>.bss", not "<obj>.foo.bss": copies share the full name. */
		o->bss += !strcmp(dot, ".bss");
		o->data += !strcmp(dot, ".data");
		o->rodata += !strcmp(dot, ".rodata");
	}

	/*
	 * The capture names the live object when it could find the attached
	 * struct_ops program; its used maps' KVAs, when published, pick the
	 * live copy even among same-named ones.
	 */
	if (want && *want) {
		for (j = 0; j < nr; j++)
			if (objs[j].len == strlen(want) &&
			    !strncmp(objs[j].name, want, objs[j].len))
				matched = &objs[j];
		if (!matched)
			snprintf(extra, sizeof(extra),
				 " (the capture named '%.64s' active, but no global section of it was captured)",
				 want);
	}
	if (matched) {
		if (r->nr_active_map_kvas)
			root->active = new_active(root, matched->name, matched->len,
						  r->active_map_kvas, r->nr_active_map_kvas);
		else if (multi_copy(matched))
			root->active_err = multi_copy_err(root, matched, "");
		else
			root->active = new_active(root, matched->name, matched->len, NULL, 0);
		if (!root->active && !root->active_err)
			root->active_err = &view_error_nomem;
		free(objs);
		return;
	}

	if (!nr) {
		root->active_err = view_error__new(root->arena, &args,
			"no active scheduler: the snapshot has no global-section maps (<obj>.bss/.data/.rodata): no scheduler attached, or the capture missed them%s",
			extra);
	} else if (nr == 1 && !multi_copy(&objs[0])) {
		root->active = new_active(root, objs[0].name, objs[0].len, NULL, 0);
		if (!root->active)
			root->active_err = &view_error_nomem;
	} else if (nr == 1) {
		root->active_err = multi_copy_err(root, &objs[0], extra);
	} else {
		/* Names for the message; the map names outlive this call. */
		names = calloc(nr, sizeof(*names));
		for (j = 0; names && j < nr; j++)
			names[j] = view_arena__strndup(root->arena, objs[j].name, objs[j].len);
		args.alts = names;
		args.nr_alts = names ? nr : 0;
		args.alts_label = "objects";
		root->active_err = view_error__new(root->arena, &args,
			"no active scheduler: %zu BPF objects have global sections and the capture could not tell which one is attached%s; enumerate copies with ktstr_snapshot__vars() or address one with ktstr_snapshot__map(\"<obj>.bss\")",
			nr, extra);
		free(names);
	}
	free(objs);
}

struct ktstr_snapshot *ktstr_snapshot__active(struct ktstr_snapshot *s,
					      const struct ktstr_error **err)
{
	struct ktstr_snapshot *root;

	if (!s) {
		if (err)
			*err = &view_error_detached;
		return NULL;
	}
	root = s->root ? s->root : s;
	if (!root->active_done)
		compute_active(root);
	if (!root->active && err)
		*err = root->active_err;
	return root->active;
}

struct ktstr_field ktstr_snapshot__live_var(struct ktstr_snapshot *s, const char *name)
{
	const struct ktstr_error *err = NULL;
	struct ktstr_snapshot *act = ktstr_snapshot__active(s, &err);

	return act ? ktstr_snapshot__var(act, name) : missing(s, err);
}

struct ktstr_field ktstr_snapshot__live_var_via(struct ktstr_snapshot *s,
						const char *name,
						ktstr_var_picker_fn pick, void *ctx)
{
	struct view_error_args args = { .kind = KTSTR_ERR_PROJECTION_FAILED };
	const struct ktstr_error *err;
	struct ktstr_field *fields, r;
	struct strv names = { 0 };
	const char **maps;
	size_t i, n;
	int idx;

	if (!s)
		return missing(s, &view_error_detached);
	name = name ? name : "";
	args.requested = name;
	if (s->report->is_placeholder)
		return missing(s, placeholder_err(s));
	n = ktstr_snapshot__vars(s, name, NULL, NULL, 0);
	if (!n) {
		err = excluded_filter_err(s, name);
		if (err)
			return missing(s, err);
		for (i = 0; i < s->report->nr_maps; i++)
			if (is_global_section(mname(&s->report->maps[i])))
				strv_push(&names, mname(&s->report->maps[i]));
		args.kind = KTSTR_ERR_VAR_NOT_FOUND;
		args.alts = names.v;
		args.nr_alts = names.n;
		args.alts_label = "global-section maps";
		err = view_error__new(s->arena, &args,
				      "no global-section map holds a variable named '%s'", name);
		free(names.v);
		return missing(s, err);
	}
	maps = calloc(n, sizeof(*maps));
	fields = calloc(n, sizeof(*fields));
	if (!maps || !fields) {
		free(maps);
		free(fields);
		return missing(s, &view_error_nomem);
	}
	ktstr_snapshot__vars(s, name, maps, fields, n);
	idx = pick ? pick(ctx, maps, fields, n) : -1;
	args.alts = maps;
	args.nr_alts = n;
	args.alts_label = "candidates";
	args.len = n;
	if (idx >= 0 && (size_t)idx < n) {
		r = fields[idx];
	} else if (idx >= 0) {
		args.index = idx;
		r = missing(s, view_error__new(s->arena, &args,
			"live_var_via: the picker for '%s' returned index %d, out of range for %zu candidates",
			name, idx, n));
	} else {
		r = missing(s, view_error__new(s->arena, &args,
			"live_var_via: %s for '%s' (%zu candidates)",
			pick ? "the picker declined every candidate" : "no picker given", name, n));
	}
	free(maps);
	free(fields);
	return r;
}

int ktstr_pick_max_u64(void *ctx, const char *const *map_names,
		       const struct ktstr_field *fields, size_t n)
{
	uint64_t best = 0, v;
	int idx = -1;
	size_t i;

	(void)ctx;
	(void)map_names;
	for (i = 0; i < n && i < INT32_MAX; i++) {
		if (fields[i].err || view_value__u64(fields[i].value, &v))
			continue;
		if (idx < 0 || v > best) {
			best = v;
			idx = (int)i;
		}
	}
	return idx;
}

/* ---- map -------------------------------------------------------------- */

enum walk_mode { WALK_EMPTY, WALK_PERCPU, WALK_PERCPU_HASH, WALK_HASH, WALK_VALUE };

/* What a map's entries are, as the dump stores them; *nr: how many. */
static enum walk_mode map_mode(const struct ktstr_dump_map *map, size_t *nr)
{
	if (map->nr_percpu_entries) {
		*nr = map->nr_percpu_entries;
		return WALK_PERCPU;
	}
	if (map->nr_percpu_hash_entries) {
		*nr = map->nr_percpu_hash_entries;
		return WALK_PERCPU_HASH;
	}
	if (map->nr_entries) {
		*nr = map->nr_entries;
		return WALK_HASH;
	}
	*nr = map->value ? 1 : 0;
	return map->value ? WALK_VALUE : WALK_EMPTY;
}

/* A view with neither map nor error was never made by a snapshot. */
static bool map_bad(struct ktstr_map *m)
{
	if (m->err)
		return true;
	if (!m->map || !m->snap) {
		m->err = &view_error_detached;
		m->map = NULL;
		return true;
	}
	return false;
}

const char *ktstr_map__name(struct ktstr_map m)
{
	return m.map && !m.err ? mname(m.map) : NULL;
}

size_t ktstr_map__len(struct ktstr_map m)
{
	size_t nr;

	if (map_bad(&m))
		return 0;
	map_mode(m.map, &nr);
	return nr;
}

struct ktstr_map ktstr_map__cpu(struct ktstr_map m, int cpu)
{
	struct view_error_args args = { .kind = KTSTR_ERR_PERCPU_SLOT, .requested = "cpu" };

	if (map_bad(&m))
		return m;
	if (cpu < 0) {
		args.where = mname(m.map);
		m.err = view_error__new(m.snap->arena, &args, "map '%s': CPU %d is not a CPU number",
					mname(m.map), cpu);
		m.map = NULL;
		return m;
	}
	m.cpu = cpu;
	return m;
}

static struct ktstr_entry entry_missing(struct ktstr_map m, const struct ktstr_error *err)
{
	return (struct ktstr_entry){ .snap = m.snap, .kind = KTSTR_ENTRY_MISSING,
				     .map = m.map, .err = err };
}

/* A per-CPU entry narrowed to m.cpu: that CPU's value, or why not. */
static struct ktstr_entry project_cpu(struct ktstr_map m, struct ktstr_value *const *per_cpu,
				      size_t nr_cpus)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_PERCPU_SLOT, .where = mname(m.map),
		.index = (size_t)m.cpu, .len = nr_cpus,
	};
	char req[24];

	snprintf(req, sizeof(req), "cpu %d", m.cpu);
	args.requested = req;
	if ((size_t)m.cpu >= nr_cpus)
		return entry_missing(m, view_error__new(m.snap->arena, &args,
			"map '%s': CPU %d is beyond the %zu CPUs captured per entry (0..%zu)",
			mname(m.map), m.cpu, nr_cpus, nr_cpus ? nr_cpus - 1 : 0));
	if (!per_cpu[m.cpu])
		return entry_missing(m, view_error__new(m.snap->arena, &args,
			"map '%s': CPU %d's slot was not captured (of %zu CPUs)",
			mname(m.map), m.cpu, nr_cpus));
	return (struct ktstr_entry){ .snap = m.snap, .kind = KTSTR_ENTRY_VALUE, .map = m.map,
				     .value = per_cpu[m.cpu] };
}

/* Entry @i of a map known to have more than @i entries in @mode. */
static struct ktstr_entry map_entry(struct ktstr_map m, enum walk_mode mode, size_t i)
{
	struct ktstr_entry e = { .snap = m.snap, .map = m.map };

	switch (mode) {
	case WALK_PERCPU:
		if (m.cpu >= 0)
			return project_cpu(m, m.map->percpu_entries[i].per_cpu,
					   m.map->percpu_entries[i].nr_cpus);
		e.kind = KTSTR_ENTRY_PERCPU;
		e.percpu = &m.map->percpu_entries[i];
		return e;
	case WALK_PERCPU_HASH:
		if (m.cpu >= 0)
			return project_cpu(m, m.map->percpu_hash_entries[i].per_cpu,
					   m.map->percpu_hash_entries[i].nr_cpus);
		e.kind = KTSTR_ENTRY_PERCPU_HASH;
		e.percpu_hash = &m.map->percpu_hash_entries[i];
		return e;
	case WALK_HASH:
		e.kind = KTSTR_ENTRY_HASH;
		e.hash = &m.map->entries[i];
		return e;
	case WALK_VALUE:
		e.kind = KTSTR_ENTRY_VALUE;
		e.value = m.map->value;
		return e;
	default:
		return entry_missing(m, &view_error_detached);
	}
}

static const struct ktstr_error *render_incomplete_err(struct ktstr_map m, const char *requested)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_MAP_RENDER_INCOMPLETE, .requested = requested,
		.where = mname(m.map),
	};

	if (!m.map->error)
		return NULL;
	return view_error__new(m.snap->arena, &args,
			       "map '%s' has no entries to look at because its contents failed to render: %s",
			       mname(m.map), m.map->error);
}

struct ktstr_entry ktstr_map__at(struct ktstr_map m, size_t n)
{
	struct view_error_args args = { .kind = KTSTR_ERR_INDEX_OUT_OF_RANGE, .index = n };
	const struct ktstr_error *err;
	enum walk_mode mode;
	char req[24];
	size_t nr;

	if (map_bad(&m))
		return entry_missing(m, m.err);
	mode = map_mode(m.map, &nr);
	if (n < nr)
		return map_entry(m, mode, n);
	snprintf(req, sizeof(req), "%zu", n);
	err = mode == WALK_EMPTY ? render_incomplete_err(m, req) : NULL;
	if (err)
		return entry_missing(m, err);
	args.requested = req;
	args.where = mname(m.map);
	args.len = nr;
	if (!nr)
		return entry_missing(m, view_error__new(m.snap->arena, &args,
			"map '%s': entry %zu is out of range, the map is empty", mname(m.map), n));
	return entry_missing(m, view_error__new(m.snap->arena, &args,
		"map '%s': entry %zu is out of range (%zu entr%s, 0..%zu)",
		mname(m.map), n, nr, nr == 1 ? "y" : "ies", nr - 1));
}

/*
 * A key as NO_MATCH shows it: rendered when it had BTF, else "hex:" and
 * its bytes; at most KTSTR_NO_MATCH_KEY_CHARS characters (UTF-8 ones, not
 * bytes), the last an ellipsis when cut. malloc()ed; NULL for none.
 */
static char *render_key(const struct ktstr_dump_map *map, enum walk_mode mode, size_t i)
{
	const struct ktstr_value *key = NULL;
	const char *hex = NULL;
	size_t chars = 0, cut = 0, j;
	char *s = NULL, *p;

	switch (mode) {
	case WALK_PERCPU:
		if (asprintf(&s, "%" PRIu32, map->percpu_entries[i].key) < 0)
			return NULL;
		return s;
	case WALK_PERCPU_HASH:
		key = map->percpu_hash_entries[i].key;
		hex = map->percpu_hash_entries[i].key_hex;
		break;
	case WALK_HASH:
		key = map->entries[i].key;
		hex = map->entries[i].key_hex;
		break;
	default:
		return NULL;
	}
	if (key)
		s = ktstr_value__to_string(key);
	else if (asprintf(&s, KTSTR_HEX_KEY_PREFIX "%s", hex ? hex : "") < 0)
		s = NULL;
	if (!s)
		return NULL;
	/* Byte count bounds the character count: most keys stop here. */
	if (strlen(s) <= KTSTR_NO_MATCH_KEY_CHARS)
		return s;
	for (j = 0; s[j]; j++) {
		if (((unsigned char)s[j] & 0xc0) == 0x80)
			continue;
		if (chars == KTSTR_NO_MATCH_KEY_CHARS - 1)
			cut = j;
		chars++;
	}
	if (chars <= KTSTR_NO_MATCH_KEY_CHARS)
		return s;
	/* The ellipsis takes three bytes where at least one stood. */
	p = realloc(s, cut + 4);
	if (!p) {
		free(s);
		return NULL;
	}
	memcpy(p + cut, "\xe2\x80\xa6", 4);
	return p;
}

const char *ktstr_entry__key_string(struct ktstr_entry e)
{
	enum walk_mode mode;
	const char *r;
	size_t i;
	char *s;

	if (!e.map || !e.snap)
		return NULL;
	switch (e.kind) {
	case KTSTR_ENTRY_HASH:
		mode = WALK_HASH;
		i = e.hash - e.map->entries;
		break;
	case KTSTR_ENTRY_PERCPU:
		mode = WALK_PERCPU;
		i = e.percpu - e.map->percpu_entries;
		break;
	case KTSTR_ENTRY_PERCPU_HASH:
		mode = WALK_PERCPU_HASH;
		i = e.percpu_hash - e.map->percpu_hash_entries;
		break;
	default:
		return NULL;
	}
	s = render_key(e.map, mode, i);
	if (!s)
		return NULL;
	r = view_arena__strndup(e.snap->arena, s, strlen(s));
	free(s);
	return r;
}

/* NO_MATCH over @nr traversed entries, with the keys of entries @sample[]. */
static const struct ktstr_error *no_match_err(struct ktstr_map m, enum walk_mode mode,
					      const char *op, size_t nr,
					      const size_t *sample, size_t nr_sample)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_NO_MATCH, .requested = op, .where = mname(m.map),
		.len = nr, .alts_label = "sampled keys",
	};
	char *keys[KTSTR_NO_MATCH_KEY_SAMPLE];
	const char *alts[KTSTR_NO_MATCH_KEY_SAMPLE];
	const struct ktstr_error *e;
	size_t i, n = 0, hex = 0;

	for (i = 0; i < nr_sample && i < KTSTR_NO_MATCH_KEY_SAMPLE; i++) {
		keys[n] = render_key(m.map, mode, sample[i]);
		if (!keys[n])
			continue;
		hex += !strncmp(keys[n], KTSTR_HEX_KEY_PREFIX, strlen(KTSTR_HEX_KEY_PREFIX));
		alts[n] = keys[n];
		n++;
	}
	args.alts = alts;
	args.nr_alts = n;
	if (!nr) {
		args.alts_label = NULL;
		e = view_error__new(m.snap->arena, &args, "%s over map '%s': the map is empty",
				    op, mname(m.map));
	} else {
		e = view_error__new(m.snap->arena, &args,
				    "%s over map '%s': none of its %zu entries matched%s", op,
				    mname(m.map), nr,
				    n && hex == n ? " (keys shown as hex: the key type had no BTF; is the kernel built with CONFIG_DEBUG_INFO_BTF=y?)" : "");
	}
	for (i = 0; i < n; i++)
		free(keys[i]);
	return e;
}

static bool has_key(enum walk_mode mode)
{
	return mode == WALK_PERCPU || mode == WALK_PERCPU_HASH || mode == WALK_HASH;
}

static const struct ktstr_error *no_callback_err(struct ktstr_map m, const char *op)
{
	struct view_error_args args = { .kind = KTSTR_ERR_PROJECTION_FAILED, .requested = op };

	return view_error__new(m.snap->arena, &args, "%s over map '%s': no callback given",
			       op, mname(m.map));
}

struct ktstr_entry ktstr_map__find(struct ktstr_map m, ktstr_entry_pred_fn pred, void *ctx)
{
	size_t sample[KTSTR_NO_MATCH_KEY_SAMPLE], nr_sample = 0, nr, i;
	const struct ktstr_error *err;
	struct ktstr_entry e;
	enum walk_mode mode;

	if (map_bad(&m))
		return entry_missing(m, m.err);
	if (!pred)
		return entry_missing(m, no_callback_err(m, "find"));
	mode = map_mode(m.map, &nr);
	/* Entries live on the stack: a find over 100k entries allocates nothing. */
	for (i = 0; i < nr; i++) {
		e = map_entry(m, mode, i);
		if (pred(ctx, e))
			return e;
		/* Keys are sampled from the raw entry, so a CPU projection keeps them. */
		if (nr_sample < KTSTR_NO_MATCH_KEY_SAMPLE && has_key(mode))
			sample[nr_sample++] = i;
	}
	err = nr ? NULL : render_incomplete_err(m, "find");
	if (err)
		return entry_missing(m, err);
	return entry_missing(m, no_match_err(m, mode, "find", nr, sample, nr_sample));
}

size_t ktstr_map__filter(struct ktstr_map m, ktstr_entry_pred_fn pred, void *ctx,
			 struct ktstr_entry *out, size_t cap)
{
	struct ktstr_entry e;
	enum walk_mode mode;
	size_t nr, i, n = 0;

	if (map_bad(&m)) {
		view_arena__set_last_error(snapshot__arena(m.snap), m.err);
		return 0;
	}
	if (!pred)
		return 0;
	mode = map_mode(m.map, &nr);
	for (i = 0; i < nr; i++) {
		e = map_entry(m, mode, i);
		if (!pred(ctx, e))
			continue;
		if (out && n < cap)
			out[n] = e;
		n++;
	}
	return n;
}

struct ktstr_entry ktstr_map__max_by(struct ktstr_map m, ktstr_entry_key_fn key, void *ctx)
{
	struct ktstr_entry e, best = { 0 };
	const struct ktstr_error *err;
	uint64_t k, best_k = 0;
	enum walk_mode mode;
	size_t nr, i;

	if (map_bad(&m))
		return entry_missing(m, m.err);
	if (!key)
		return entry_missing(m, no_callback_err(m, "max_by"));
	mode = map_mode(m.map, &nr);
	for (i = 0; i < nr; i++) {
		e = map_entry(m, mode, i);
		k = key(ctx, e);
		if (!i || k > best_k) {
			best = e;
			best_k = k;
		}
	}
	if (nr)
		return best;
	err = render_incomplete_err(m, "max_by");
	if (err)
		return entry_missing(m, err);
	return entry_missing(m, no_match_err(m, mode, "max_by", 0, NULL, 0));
}

/* ---- entry ------------------------------------------------------------ */

static struct ktstr_field entry_err(struct ktstr_entry e, const struct ktstr_error *err)
{
	return (struct ktstr_field){ .snap = e.snap, .err = err };
}

static bool entry_bad(struct ktstr_entry *e)
{
	if (e->kind == KTSTR_ENTRY_MISSING || e->err) {
		if (!e->err)
			e->err = &view_error_detached;
		return true;
	}
	if (!e->snap || !e->map) {
		e->err = &view_error_detached;
		return true;
	}
	return false;
}

/* The value or key of a HASH-like entry that had no BTF for its type. */
static const struct ktstr_error *no_btf_err(struct ktstr_entry e, const char *what,
					    const char *hex)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_MAP_RENDER_INCOMPLETE, .requested = what,
		.where = mname(e.map),
	};
	const char *k = ktstr_entry__key_string(e);

	hex = hex ? hex : "";
	return view_error__new(e.snap->arena, &args,
			       "map '%s', entry %s: the %s type had no BTF, only its bytes are known (hex:%.64s%s)",
			       mname(e.map), k ? k : "?", what, hex, strlen(hex) > 64 ? "..." : "");
}

static const struct ktstr_error *per_cpu_unnarrowed_err(struct ktstr_entry e, size_t nr_cpus,
							 const char *requested)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_PERCPU_SLOT, .requested = requested,
		.where = mname(e.map), .len = nr_cpus, .index = SIZE_MAX,
	};

	return view_error__new(e.snap->arena, &args,
			       "map '%s': the entry holds a value per CPU (%zu CPUs); narrow it with ktstr_map__cpu() or start the path with a CPU number (0..%zu)",
			       mname(e.map), nr_cpus, nr_cpus ? nr_cpus - 1 : 0);
}

struct ktstr_field ktstr_entry__value(struct ktstr_entry e)
{
	if (entry_bad(&e))
		return entry_err(e, e.err);
	switch (e.kind) {
	case KTSTR_ENTRY_HASH:
		if (!e.hash->value)
			return entry_err(e, no_btf_err(e, "value", e.hash->value_hex));
		return (struct ktstr_field){ .snap = e.snap, .value = e.hash->value };
	case KTSTR_ENTRY_PERCPU:
		return entry_err(e, per_cpu_unnarrowed_err(e, e.percpu->nr_cpus, "value"));
	case KTSTR_ENTRY_PERCPU_HASH:
		return entry_err(e, per_cpu_unnarrowed_err(e, e.percpu_hash->nr_cpus, "value"));
	default:
		return (struct ktstr_field){ .snap = e.snap, .value = e.value };
	}
}

struct ktstr_field ktstr_entry__key(struct ktstr_entry e)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_FIELD_NOT_FOUND, .requested = "key",
	};
	static const char *const alts[] = { "value" };
	struct ktstr_value *k;

	if (entry_bad(&e))
		return entry_err(e, e.err);
	switch (e.kind) {
	case KTSTR_ENTRY_HASH:
		if (!e.hash->key)
			return entry_err(e, no_btf_err(e, "key", e.hash->key_hex));
		return (struct ktstr_field){ .snap = e.snap, .value = e.hash->key };
	case KTSTR_ENTRY_PERCPU_HASH:
		if (!e.percpu_hash->key)
			return entry_err(e, no_btf_err(e, "key", e.percpu_hash->key_hex));
		return (struct ktstr_field){ .snap = e.snap, .value = e.percpu_hash->key };
	case KTSTR_ENTRY_PERCPU:
		/* An array's key is its index; make it a value for the accessors. */
		k = ktstr_value__new(KTSTR_VALUE_UINT, "u32");
		if (k) {
			k->u = e.percpu->key;
			k->bits = 32;
		}
		if (!view_arena__own_value(e.snap->arena, k))
			return entry_err(e, &view_error_nomem);
		return (struct ktstr_field){ .snap = e.snap, .value = k };
	default:
		args.where = mname(e.map);
		args.alts = alts;
		args.nr_alts = 1;
		args.alts_label = "the entry has";
		return entry_err(e, view_error__new(e.snap->arena, &args,
			"map '%s': a one-value entry (a global section, or a CPU's slot) has no key",
			mname(e.map)));
	}
}

/* A path's first component: up to '.', '[' or the end. */
static size_t first_component(const char *path)
{
	return strcspn(path, ".[");
}

static bool parse_cpu(const char *s, size_t len, size_t *out)
{
	size_t v = 0, i;

	if (!len || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

struct ktstr_field ktstr_entry__get(struct ktstr_entry e, const char *path)
{
	size_t len, nr_cpus, cpu;
	struct ktstr_value *const *per_cpu;
	struct ktstr_field f;
	const char *rest;
	struct ktstr_map m;

	if (entry_bad(&e))
		return entry_err(e, e.err);
	path = path ? path : "";
	len = first_component(path);
	rest = path + len;
	if (*rest == '.')
		rest++;
	if (len == 3 && !strncmp(path, "key", 3)) {
		f = ktstr_entry__key(e);
		return f.err ? f : view_field__walk(f.snap, f.value, path, rest);
	}
	if (len == 5 && !strncmp(path, "value", 5)) {
		f = ktstr_entry__value(e);
		return f.err ? f : view_field__walk(f.snap, f.value, path, rest);
	}
	if (e.kind == KTSTR_ENTRY_PERCPU || e.kind == KTSTR_ENTRY_PERCPU_HASH) {
		per_cpu = e.kind == KTSTR_ENTRY_PERCPU ? e.percpu->per_cpu : e.percpu_hash->per_cpu;
		nr_cpus = e.kind == KTSTR_ENTRY_PERCPU ? e.percpu->nr_cpus : e.percpu_hash->nr_cpus;
		if (!parse_cpu(path, len, &cpu) || cpu > INT32_MAX)
			return entry_err(e, per_cpu_unnarrowed_err(e, nr_cpus, path));
		m = (struct ktstr_map){ .snap = e.snap, .map = e.map, .cpu = (int)cpu };
		e = project_cpu(m, per_cpu, nr_cpus);
		if (e.err)
			return entry_err(e, e.err);
		return view_field__walk(e.snap, e.value, path, rest);
	}
	f = ktstr_entry__value(e);
	return f.err ? f : view_field__walk(f.snap, f.value, path, path);
}
