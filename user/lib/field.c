// SPDX-License-Identifier: GPL-2.0
/*
 * Fields of the snapshot view: dotted paths through rendered values and
 * the terminal accessors. A failing step names the path up to the
 * component that failed and what was there instead (members, the index
 * range, the kind of value). See include/ktstr/snapshot.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_error.h"

/* Deeper than any real type; bounds a hostile or corrupt tree. */
#define MAX_DEPTH	64

static const char *kind_str(enum ktstr_value_kind k)
{
	switch (k) {
	case KTSTR_VALUE_INT: return "signed integer";
	case KTSTR_VALUE_UINT: return "unsigned integer";
	case KTSTR_VALUE_BOOL: return "bool";
	case KTSTR_VALUE_CHAR: return "char";
	case KTSTR_VALUE_FLOAT: return "float";
	case KTSTR_VALUE_ENUM: return "enum";
	case KTSTR_VALUE_STRING: return "string";
	case KTSTR_VALUE_BYTES: return "byte array";
	case KTSTR_VALUE_PTR: return "pointer";
	case KTSTR_VALUE_STRUCT: return "struct";
	case KTSTR_VALUE_UNION: return "union";
	case KTSTR_VALUE_ARRAY: return "array";
	case KTSTR_VALUE_ERROR: return "render error";
	}
	return "unknown";
}

/* "a struct (struct task_ctx)", or just the kind when BTF gave no name. */
static void describe(const struct ktstr_value *v, char *buf, size_t len)
{
	const char *k = kind_str(v->kind);
	const char *art = strchr("aeiou", k[0]) ? "an" : "a";

	if (v->type_name && *v->type_name)
		snprintf(buf, len, "%s %s (%.100s)", art, k, v->type_name);
	else
		snprintf(buf, len, "%s %s", art, k);
}

/* Follow pointers that were read; an unread one stays (the caller decides). */
static const struct ktstr_value *follow(const struct ktstr_value *v)
{
	int depth = 0;

	while (v && v->kind == KTSTR_VALUE_PTR && v->ptr.target && depth++ < MAX_DEPTH)
		v = v->ptr.target;
	return v;
}

static bool is_agg(const struct ktstr_value *v)
{
	return v->kind == KTSTR_VALUE_STRUCT || v->kind == KTSTR_VALUE_UNION;
}

/* Member @name (@len bytes), looking through anonymous members as C does. */
static const struct ktstr_value *member_n(const struct ktstr_value *v, const char *name,
					  size_t len, int depth)
{
	const struct ktstr_value *found;
	size_t i;

	if (!v || !is_agg(v) || depth > MAX_DEPTH)
		return NULL;
	for (i = 0; i < v->agg.nr; i++) {
		const char *m = v->agg.members[i].name;

		if (!strncmp(m, name, len) && !m[len])
			return v->agg.members[i].value;
	}
	for (i = 0; i < v->agg.nr; i++) {
		if (v->agg.members[i].name[0])
			continue;
		found = member_n(follow(v->agg.members[i].value), name, len, depth + 1);
		if (found)
			return found;
	}
	return NULL;
}

/* The names member_n() can find in @v; fills up to @cap, returns how many. */
static size_t member_names(const struct ktstr_value *v, const char **out, size_t cap,
			   size_t n, int depth)
{
	size_t i;

	if (!v || !is_agg(v) || depth > MAX_DEPTH)
		return n;
	for (i = 0; i < v->agg.nr; i++) {
		if (!v->agg.members[i].name[0]) {
			n = member_names(follow(v->agg.members[i].value), out, cap, n, depth + 1);
			continue;
		}
		if (n < cap)
			out[n] = v->agg.members[i].name;
		n++;
	}
	return n;
}

struct walk {
	struct ktstr_snapshot *s;
	const char *full;	/* the path as the caller wrote it */
	const char *comp;	/* the failing component, inside full */
	size_t comp_len;
};

static struct ktstr_field fail(struct walk *w, struct view_error_args *args,
			       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An error at the current component: where = the path through it. */
static struct ktstr_field fail(struct walk *w, struct view_error_args *args,
			       const char *fmt, ...)
{
	size_t where_len = w->comp + w->comp_len - w->full;
	char *where = strndup(w->full, where_len), *msg = NULL;
	const struct ktstr_error *e;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (!where || n < 0) {
		free(where);
		return (struct ktstr_field){ .snap = w->s, .err = &view_error_nomem };
	}
	args->requested = w->full;
	args->where = where;
	e = view_error__new(snapshot__arena(w->s), args, "path '%s': %s", w->full, msg);
	free(where);
	free(msg);
	return (struct ktstr_field){ .snap = w->s, .err = e };
}

/* The part of the path before the current component, for messages. */
static int parent_len(const struct walk *w)
{
	size_t n = w->comp - w->full;

	if (n && (w->full[n - 1] == '.'))
		n--;
	return (int)n;
}

/* What the current component is taken from: "'a.b'", or "the field" at the start. */
static const char *subject(const struct walk *w, char *buf, size_t len)
{
	int n = parent_len(w);

	if (!n)
		return "the field";
	snprintf(buf, len, "'%.*s'", n, w->full);
	return buf;
}

/*
 * @v with pointers followed, or an error: an unread pointer (NULL, or
 * not followed at capture) cannot be walked into, and a value that failed
 * to render has nothing inside.
 */
static const struct ktstr_value *enter(struct walk *w, const struct ktstr_value *v,
				       struct ktstr_field *err)
{
	struct view_error_args args = { 0 };
	char d[160], sb[256];
	const char *subj = subject(w, sb, sizeof(sb));

	v = follow(v);
	if (!v) {
		args.kind = KTSTR_ERR_FIELD_NOT_FOUND;
		*err = fail(w, &args, "%s has no value", subj);
		return NULL;
	}
	if (v->kind == KTSTR_VALUE_PTR) {
		describe(v, d, sizeof(d));
		args.kind = KTSTR_ERR_NULL_POINTER;
		*err = fail(w, &args, "%s is %s at 0x%" PRIx64 " that was not read (%s)",
			    subj, d, v->ptr.addr,
			    v->ptr.note ? v->ptr.note : v->ptr.addr ? "no memory reader" : "NULL");
		return NULL;
	}
	if (v->kind == KTSTR_VALUE_ERROR) {
		args.kind = KTSTR_ERR_MAP_RENDER_INCOMPLETE;
		*err = fail(w, &args, "%s could not be rendered: %s", subj,
			    v->error.msg ? v->error.msg : "no reason recorded");
		return NULL;
	}
	return v;
}

static struct ktstr_field step_member(struct walk *w, const struct ktstr_value *v,
				      struct ktstr_field *err, const struct ktstr_value **out)
{
	struct view_error_args args = { .kind = KTSTR_ERR_FIELD_NOT_FOUND };
	const char **names;
	char d[160], sb[256];
	const char *subj = subject(w, sb, sizeof(sb));
	size_t n;

	*out = NULL;
	if (!is_agg(v)) {
		describe(v, d, sizeof(d));
		args.kind = KTSTR_ERR_TYPE_MISMATCH;
		if (v->kind == KTSTR_VALUE_ARRAY) {
			args.len = v->arr.nr;
			return fail(w, &args, "%s is %s of %zu, index it with a number or [n], not '%.*s'",
				    subj, d, v->arr.nr, (int)w->comp_len, w->comp);
		}
		return fail(w, &args, "%s is %s, which has no member '%.*s'",
			    subj, d, (int)w->comp_len, w->comp);
	}
	*out = member_n(v, w->comp, w->comp_len, 0);
	if (*out)
		return *err;
	n = member_names(v, NULL, 0, 0, 0);
	names = calloc(n ? n : 1, sizeof(*names));
	if (!names)
		return (struct ktstr_field){ .snap = w->s, .err = &view_error_nomem };
	member_names(v, names, n, 0, 0);
	describe(v, d, sizeof(d));
	args.alts = names;
	args.nr_alts = n;
	args.alts_label = "members";
	*err = fail(w, &args, "no member '%.*s' in %s%s%.*s%s", (int)w->comp_len, w->comp, d,
		    parent_len(w) ? " at '" : "", parent_len(w), w->full, parent_len(w) ? "'" : "");
	free(names);
	return *err;
}

static struct ktstr_field step_index(struct walk *w, const struct ktstr_value *v, size_t i,
				     struct ktstr_field *err, const struct ktstr_value **out)
{
	struct view_error_args args = { .kind = KTSTR_ERR_INDEX_OUT_OF_RANGE, .index = i };
	const char **names;
	char d[160], sb[256];
	const char *subj = subject(w, sb, sizeof(sb));
	size_t n;

	*out = NULL;
	if (v->kind != KTSTR_VALUE_ARRAY) {
		describe(v, d, sizeof(d));
		args.kind = KTSTR_ERR_TYPE_MISMATCH;
		if (!is_agg(v))
			return fail(w, &args, "%s is %s, not an array; cannot take [%zu]",
				    subj, d, i);
		n = member_names(v, NULL, 0, 0, 0);
		names = calloc(n ? n : 1, sizeof(*names));
		if (!names)
			return (struct ktstr_field){ .snap = w->s, .err = &view_error_nomem };
		member_names(v, names, n, 0, 0);
		args.alts = names;
		args.nr_alts = n;
		args.alts_label = "members";
		*err = fail(w, &args, "%s is %s, not an array; cannot take [%zu]",
			    subj, d, i);
		free(names);
		return *err;
	}
	args.len = v->arr.nr;
	if (i >= v->arr.nr) {
		if (!v->arr.nr)
			return fail(w, &args, "index %zu is out of range, %s is an empty array",
				    i, subj);
		return fail(w, &args, "index %zu is out of range for %s, an array of %zu (0..%zu)",
			    i, subj, v->arr.nr, v->arr.nr - 1);
	}
	*out = v->arr.elems[i];
	return *err;
}

static bool all_digits(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A decimal index; false when it does not fit. */
static bool parse_index(const char *s, size_t len, size_t *out)
{
	size_t v = 0, i;

	if (!all_digits(s, len))
		return false;
	for (i = 0; i < len; i++) {
		if (v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/*
 * Components are separated by '.'; "[n]" indexes and may follow a name
 * directly ("cpus[3]"). A number component indexes an array ("cpus.3").
 * Nothing here allocates unless a step fails: find() predicates walk a
 * path per entry.
 */
struct ktstr_field view_field__walk(struct ktstr_snapshot *s, const struct ktstr_value *v,
				    const char *full, const char *rest)
{
	struct ktstr_field ok = { .snap = s }, r;
	struct view_error_args args = { .kind = KTSTR_ERR_FIELD_NOT_FOUND };
	struct walk w = { .s = s, .full = full, .comp = rest };
	const char *p = rest, *close;
	bool bracket;
	size_t idx = 0;

	if (!s)
		return (struct ktstr_field){ .err = &view_error_detached };
	if (!v) {
		w.comp_len = 0;
		return fail(&w, &args, "no value to walk");
	}
	while (*p) {
		bracket = *p == '[';
		if (bracket) {
			close = strchr(p, ']');
			w.comp = p;
			w.comp_len = close ? (size_t)(close - p) + 1 : strlen(p);
			if (!close || !parse_index(p + 1, close - p - 1, &idx))
				return fail(&w, &args, "'%.*s' is not an index (expected [n])",
					    (int)w.comp_len, w.comp);
			p = close + 1;
		} else {
			w.comp = p;
			w.comp_len = strcspn(p, ".[");
			p += w.comp_len;
			if (!w.comp_len)
				return fail(&w, &args, "empty path component");
		}
		/* A dot must lead to a component; "[" may follow directly. */
		if (*p == '.') {
			p++;
			if (!*p || *p == '.') {
				w.comp = p;
				w.comp_len = 0;
				return fail(&w, &args, "empty path component");
			}
		} else if (*p && *p != '[') {
			w.comp = p;
			w.comp_len = 1;
			return fail(&w, &args, "expected '.' or '[' after ']'");
		}

		v = enter(&w, v, &r);
		if (!v)
			return r;
		if (bracket || (v->kind == KTSTR_VALUE_ARRAY &&
				parse_index(w.comp, w.comp_len, &idx)))
			r = step_index(&w, v, idx, &ok, &v);
		else
			r = step_member(&w, v, &ok, &v);
		if (r.err)
			return r;
	}
	return (struct ktstr_field){ .snap = s, .value = v };
}

const struct ktstr_error *ktstr_field__error(struct ktstr_field f)
{
	return f.err;
}

static bool field_bad(struct ktstr_field *f)
{
	if (f->err)
		return true;
	if (!f->snap || !f->value) {
		f->err = &view_error_detached;
		return true;
	}
	return false;
}

struct ktstr_field ktstr_field__get(struct ktstr_field f, const char *path)
{
	if (field_bad(&f))
		return f;
	path = path ? path : "";
	return view_field__walk(f.snap, f.value, path, path);
}

struct ktstr_field ktstr_field__member(struct ktstr_field f, const char *name)
{
	struct ktstr_field ok = { .snap = f.snap }, r;
	const struct ktstr_value *v;
	struct walk w;

	if (field_bad(&f))
		return f;
	name = name ? name : "";
	w = (struct walk){ .s = f.snap, .full = name, .comp = name, .comp_len = strlen(name) };
	v = enter(&w, f.value, &r);
	if (!v)
		return r;
	if (!*name) {
		struct view_error_args args = { .kind = KTSTR_ERR_FIELD_NOT_FOUND };

		return fail(&w, &args, "empty member name");
	}
	r = step_member(&w, v, &ok, &v);
	return r.err ? r : (struct ktstr_field){ .snap = f.snap, .value = v };
}

struct ktstr_field ktstr_field__index(struct ktstr_field f, size_t i)
{
	struct ktstr_field ok = { .snap = f.snap }, r;
	const struct ktstr_value *v;
	char buf[32];
	struct walk w;

	if (field_bad(&f))
		return f;
	snprintf(buf, sizeof(buf), "[%zu]", i);
	w = (struct walk){ .s = f.snap, .full = buf, .comp = buf, .comp_len = strlen(buf) };
	v = enter(&w, f.value, &r);
	if (!v)
		return r;
	r = step_index(&w, v, i, &ok, &v);
	return r.err ? r : (struct ktstr_field){ .snap = f.snap, .value = v };
}

/* ---- terminal accessors ------------------------------------------------ */

int view_value__u64(const struct ktstr_value *v, uint64_t *out)
{
	v = follow(v);
	if (!v)
		return -EINVAL;
	switch (v->kind) {
	case KTSTR_VALUE_UINT:
		*out = v->u;
		return 0;
	case KTSTR_VALUE_BOOL:
		*out = v->b;
		return 0;
	case KTSTR_VALUE_INT:
	case KTSTR_VALUE_CHAR:
		if (v->i < 0)
			return -EINVAL;
		*out = (uint64_t)v->i;
		return 0;
	case KTSTR_VALUE_ENUM:
		if (v->enm.is_signed && v->enm.value < 0)
			return -EINVAL;
		*out = (uint64_t)v->enm.value;
		return 0;
	case KTSTR_VALUE_PTR:
		/* Not read: the address is what is known, and "!= 0" is a fair question. */
		*out = v->ptr.addr;
		return 0;
	default:
		return -EINVAL;
	}
}

static int value_i64(const struct ktstr_value *v, int64_t *out)
{
	switch (v->kind) {
	case KTSTR_VALUE_INT:
	case KTSTR_VALUE_CHAR:
		*out = v->i;
		return 0;
	case KTSTR_VALUE_UINT:
		if (v->u > INT64_MAX)
			return -EINVAL;
		*out = (int64_t)v->u;
		return 0;
	case KTSTR_VALUE_BOOL:
		*out = v->b;
		return 0;
	case KTSTR_VALUE_ENUM:
		if (!v->enm.is_signed && v->enm.value < 0)
			return -EINVAL;
		*out = v->enm.value;
		return 0;
	default:
		return -EINVAL;
	}
}

static int value_f64(const struct ktstr_value *v, double *out)
{
	switch (v->kind) {
	case KTSTR_VALUE_INT:
	case KTSTR_VALUE_CHAR:
		*out = (double)v->i;
		return 0;
	case KTSTR_VALUE_UINT:
		*out = (double)v->u;
		return 0;
	case KTSTR_VALUE_FLOAT:
		*out = v->flt.f;
		return 0;
	case KTSTR_VALUE_ENUM:
		*out = v->enm.is_signed ? (double)v->enm.value : (double)(uint64_t)v->enm.value;
		return 0;
	default:
		return -EINVAL;
	}
}

static int value_bool(const struct ktstr_value *v, bool *out)
{
	switch (v->kind) {
	case KTSTR_VALUE_BOOL:
		*out = v->b;
		return 0;
	case KTSTR_VALUE_INT:
	case KTSTR_VALUE_CHAR:
		*out = v->i != 0;
		return 0;
	case KTSTR_VALUE_UINT:
		*out = v->u != 0;
		return 0;
	default:
		return -EINVAL;
	}
}

/* -ENOENT for a missing field (its error becomes the last one). */
static int terminal(struct ktstr_field *f, const struct ktstr_value **v)
{
	if (field_bad(f)) {
		view_arena__set_last_error(snapshot__arena(f->snap), f->err);
		return -ENOENT;
	}
	*v = follow(f->value);
	return 0;
}

/* TYPE_MISMATCH naming what @v is: -EINVAL. */
static int mismatch(struct ktstr_field *f, const struct ktstr_value *v, const char *want,
		    long elem)
{
	struct view_error_args args = { .kind = KTSTR_ERR_TYPE_MISMATCH, .requested = want };
	struct view_arena *a = snapshot__arena(f->snap);
	char d[160], at[40] = "the field ";
	const struct ktstr_error *e;

	describe(v, d, sizeof(d));
	args.where = kind_str(v->kind);
	if (elem >= 0) {
		args.index = (size_t)elem;
		snprintf(at, sizeof(at), "element [%ld] ", elem);
	}
	if (v->kind == KTSTR_VALUE_ERROR)
		e = view_error__new(a, &args, "as_%s: %sis a render error, not a value: %s",
				    want, at, v->error.msg ? v->error.msg : "");
	else if (v->kind == KTSTR_VALUE_ENUM && !strcmp(want, "str"))
		e = view_error__new(a, &args, "as_str: %sis an enum value (%" PRId64 ") that no variant names",
				    at, v->enm.value);
	else
		e = view_error__new(a, &args, "as_%s: %sis %s, which does not convert to %s",
				    want, at, d, want);
	f->err = e;
	view_arena__set_last_error(a, e);
	return -EINVAL;
}

int ktstr_field__as_u64(struct ktstr_field f, uint64_t *out)
{
	const struct ktstr_value *v;
	uint64_t x;

	if (terminal(&f, &v))
		return -ENOENT;
	if (view_value__u64(v, &x))
		return mismatch(&f, v, "u64", -1);
	if (out)
		*out = x;
	return 0;
}

int ktstr_field__as_i64(struct ktstr_field f, int64_t *out)
{
	const struct ktstr_value *v;
	int64_t x;

	if (terminal(&f, &v))
		return -ENOENT;
	if (value_i64(v, &x))
		return mismatch(&f, v, "i64", -1);
	if (out)
		*out = x;
	return 0;
}

int ktstr_field__as_f64(struct ktstr_field f, double *out)
{
	const struct ktstr_value *v;
	double x;

	if (terminal(&f, &v))
		return -ENOENT;
	if (value_f64(v, &x))
		return mismatch(&f, v, "f64", -1);
	if (out)
		*out = x;
	return 0;
}

int ktstr_field__as_bool(struct ktstr_field f, bool *out)
{
	const struct ktstr_value *v;
	bool x;

	if (terminal(&f, &v))
		return -ENOENT;
	if (value_bool(v, &x))
		return mismatch(&f, v, "bool", -1);
	if (out)
		*out = x;
	return 0;
}

int ktstr_field__as_str(struct ktstr_field f, const char **out)
{
	const struct ktstr_value *v;
	const char *x;

	if (terminal(&f, &v))
		return -ENOENT;
	if (v->kind == KTSTR_VALUE_STRING)
		x = v->str.str ? v->str.str : "";
	else if (v->kind == KTSTR_VALUE_ENUM && v->enm.name)
		x = v->enm.name;
	else
		return mismatch(&f, v, "str", -1);
	if (out)
		*out = x;
	return 0;
}

enum elem_type { ELEM_U64, ELEM_U32, ELEM_I64, ELEM_F64, ELEM_BOOL };

static int as_array(struct ktstr_field f, enum elem_type t, void *out, size_t cap, size_t *n)
{
	static const char *const names[] = { "u64", "u32", "i64", "f64", "bool" };
	const struct ktstr_value *v, *e;
	uint64_t u;
	int64_t i;
	double d;
	bool b;
	size_t k;
	int ret;

	if (n)
		*n = 0;
	if (terminal(&f, &v))
		return -ENOENT;
	if (v->kind != KTSTR_VALUE_ARRAY)
		return mismatch(&f, v, t == ELEM_U64 ? "u64_array" : t == ELEM_U32 ? "u32_array" :
				t == ELEM_I64 ? "i64_array" : t == ELEM_F64 ? "f64_array" :
				"bool_array", -1);
	if (n)
		*n = v->arr.nr;
	for (k = 0; k < v->arr.nr; k++) {
		e = follow(v->arr.elems[k]);
		if (!e)
			continue;
		switch (t) {
		case ELEM_U64:
		case ELEM_U32:
			ret = view_value__u64(e, &u);
			if (!ret && t == ELEM_U32 && u > UINT32_MAX)
				ret = -EINVAL;
			if (!ret && out && k < cap) {
				if (t == ELEM_U64)
					((uint64_t *)out)[k] = u;
				else
					((uint32_t *)out)[k] = (uint32_t)u;
			}
			break;
		case ELEM_I64:
			ret = value_i64(e, &i);
			if (!ret && out && k < cap)
				((int64_t *)out)[k] = i;
			break;
		case ELEM_F64:
			ret = value_f64(e, &d);
			if (!ret && out && k < cap)
				((double *)out)[k] = d;
			break;
		default:
			ret = value_bool(e, &b);
			if (!ret && out && k < cap)
				((bool *)out)[k] = b;
			break;
		}
		if (ret)
			return mismatch(&f, e, names[t], k > LONG_MAX ? LONG_MAX : (long)k);
	}
	return 0;
}

int ktstr_field__as_u64_array(struct ktstr_field f, uint64_t *out, size_t cap, size_t *n)
{
	return as_array(f, ELEM_U64, out, cap, n);
}

int ktstr_field__as_u32_array(struct ktstr_field f, uint32_t *out, size_t cap, size_t *n)
{
	return as_array(f, ELEM_U32, out, cap, n);
}

int ktstr_field__as_i64_array(struct ktstr_field f, int64_t *out, size_t cap, size_t *n)
{
	return as_array(f, ELEM_I64, out, cap, n);
}

int ktstr_field__as_f64_array(struct ktstr_field f, double *out, size_t cap, size_t *n)
{
	return as_array(f, ELEM_F64, out, cap, n);
}

int ktstr_field__as_bool_array(struct ktstr_field f, bool *out, size_t cap, size_t *n)
{
	return as_array(f, ELEM_BOOL, out, cap, n);
}
