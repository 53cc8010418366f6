// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON stats view: dotted paths over a scheduler's stats document
 * (jansson) with the snapshot view's error vocabulary, so a test reads
 * "dispatch.local" from stats as it reads a BPF global. See
 * include/ktstr/snapshot.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_error.h"

struct ktstr_stats {
	const json_t *root;	/* borrowed */
	struct view_arena *arena;
};

struct ktstr_stats *ktstr_stats__new(const void *root)
{
	struct ktstr_stats *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->root = root;
	st->arena = view_arena__new();
	if (!st->arena) {
		free(st);
		return NULL;
	}
	return st;
}

void ktstr_stats__free(struct ktstr_stats *st)
{
	if (!st)
		return;
	view_arena__free(st->arena);
	free(st);
}

const struct ktstr_error *ktstr_stats__last_error(const struct ktstr_stats *st)
{
	return st ? view_arena__last_error(st->arena) : NULL;
}

static const char *json_kind(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "real";
	case JSON_TRUE: return "true";
	case JSON_FALSE: return "false";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static struct ktstr_json_field jfail(struct ktstr_stats *st, struct view_error_args *args,
				     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static struct ktstr_json_field jfail(struct ktstr_stats *st, struct view_error_args *args,
				     const char *fmt, ...)
{
	struct ktstr_json_field r = { .stats = st };
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r.err = &view_error_nomem;
		return r;
	}
	r.err = view_error__new(st->arena, args, "%s", msg);
	free(msg);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* FIELD_NOT_FOUND at @where, listing the object's keys (sorted: stable messages). */
static struct ktstr_json_field no_key(struct ktstr_stats *st, const json_t *obj,
				      const char *full, const char *where,
				      const char *key, int key_len, int parent_len)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_FIELD_NOT_FOUND, .requested = full, .where = where,
		.alts_label = "keys",
	};
	struct ktstr_json_field r;
	size_t n = json_object_size(obj), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	const char *k;
	json_t *v;

	if (!keys)
		return (struct ktstr_json_field){ .stats = st, .err = &view_error_nomem };
	json_object_foreach((json_t *)obj, k, v) {
		if (i < n)
			keys[i++] = k;
	}
	qsort(keys, i, sizeof(*keys), cmp_str);
	args.alts = keys;
	args.nr_alts = i;
	r = jfail(st, &args, "stats path '%s': no key '%.*s' in the object%s%.*s%s", full,
		  key_len, key, parent_len ? " at '" : "", parent_len, full,
		  parent_len ? "'" : "");
	free(keys);
	return r;
}

static bool parse_index(const char *s, size_t len, size_t *out)
{
	size_t v = 0, i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (SIZE_MAX - 9) / 10)
			return false;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Walk @path from @j. "a.b.3", "a.b[3]" and "[3]" all index. */
static struct ktstr_json_field walk(struct ktstr_stats *st, const json_t *j, const char *path)
{
	struct view_error_args args = { .requested = path };
	const char *p = path, *comp, *close;
	size_t comp_len, idx = 0, n;
	char *where = NULL;
	struct ktstr_json_field r;
	bool bracket;
	int parent;

	while (*p) {
		bracket = *p == '[';
		comp = p;
		parent = (int)(comp - path);
		if (parent && path[parent - 1] == '.')
			parent--;
		if (bracket) {
			close = strchr(p, ']');
			comp_len = close ? (size_t)(close - p) + 1 : strlen(p);
			if (!close || !parse_index(p + 1, comp_len - 2, &idx)) {
				args.kind = KTSTR_ERR_FIELD_NOT_FOUND;
				return jfail(st, &args, "stats path '%s': '%.*s' is not an index (expected [n])",
					     path, (int)comp_len, comp);
			}
			p = close + 1;
		} else {
			comp_len = strcspn(p, ".[");
			p += comp_len;
		}
		if (!comp_len || (*p == '.' && (!p[1] || p[1] == '.')) ||
		    (*p && *p != '.' && *p != '[')) {
			args.kind = KTSTR_ERR_FIELD_NOT_FOUND;
			return jfail(st, &args, "stats path '%s': empty or malformed component after '%.*s'",
				     path, (int)(p - path), path);
		}
		if (*p == '.')
			p++;

		where = strndup(path, comp + comp_len - path);
		if (!where)
			return (struct ktstr_json_field){ .stats = st, .err = &view_error_nomem };
		args.where = where;
		if (json_is_object(j) && !bracket) {
			const json_t *next = json_object_getn(j, comp, comp_len);

			if (!next) {
				r = no_key(st, j, path, where, comp, (int)comp_len, parent);
				free(where);
				return r;
			}
			j = next;
		} else if (json_is_array(j) &&
			   (bracket || parse_index(comp, comp_len, &idx))) {
			n = json_array_size(j);
			if (idx >= n) {
				args.kind = KTSTR_ERR_INDEX_OUT_OF_RANGE;
				args.index = idx;
				args.len = n;
				if (n)
					r = jfail(st, &args, "stats path '%s': index %zu is out of range for '%.*s', an array of %zu (0..%zu)",
						  path, idx, parent, path, n, n - 1);
				else
					r = jfail(st, &args, "stats path '%s': index %zu is out of range, '%.*s' is an empty array",
						  path, idx, parent, path);
				free(where);
				return r;
			}
			j = json_array_get(j, idx);
		} else {
			args.kind = KTSTR_ERR_TYPE_MISMATCH;
			if (json_is_array(j))
				r = jfail(st, &args, "stats path '%s': '%.*s' is an array of %zu, index it with a number, not '%.*s'",
					  path, parent, path, json_array_size(j),
					  (int)comp_len, comp);
			else
				r = jfail(st, &args, "stats path '%s': '%.*s' is %s %s, which has no %s '%.*s'",
					  path, parent, path,
					  json_is_integer(j) || json_is_object(j) ? "an" : "a",
					  json_kind(j), bracket ? "element" : "key", (int)comp_len, comp);
			free(where);
			return r;
		}
		free(where);
		where = NULL;
		args.where = NULL;
	}
	return (struct ktstr_json_field){ .stats = st, .value = j };
}

static struct ktstr_json_field missing_stats(struct ktstr_stats *st, const char *path)
{
	struct view_error_args args = { .kind = KTSTR_ERR_MISSING_STATS, .requested = path };

	return jfail(st, &args, "stats path '%s': no stats document was captured", path);
}

struct ktstr_json_field ktstr_stats__get(struct ktstr_stats *st, const char *path)
{
	if (!st)
		return (struct ktstr_json_field){ .err = &view_error_detached };
	path = path ? path : "";
	if (!st->root)
		return missing_stats(st, path);
	return walk(st, st->root, path);
}

struct ktstr_json_field ktstr_json_field__get(struct ktstr_json_field f, const char *path)
{
	if (f.err)
		return f;
	if (!f.stats || !f.value)
		return (struct ktstr_json_field){ .stats = f.stats, .err = &view_error_detached };
	return walk(f.stats, f.value, path ? path : "");
}

static int jterminal(struct ktstr_json_field *f, const json_t **j)
{
	if (!f->err && (!f->stats || !f->value))
		f->err = &view_error_detached;
	if (f->err) {
		if (f->stats)
			view_arena__set_last_error(f->stats->arena, f->err);
		return -ENOENT;
	}
	*j = f->value;
	return 0;
}

static int jmismatch(struct ktstr_json_field *f, const json_t *j, const char *want)
{
	struct view_error_args args = {
		.kind = KTSTR_ERR_TYPE_MISMATCH, .requested = want, .where = json_kind(j),
	};

	if (json_is_integer(j))
		f->err = view_error__new(f->stats->arena, &args,
					 "as_%s: the stats value is the integer %" JSON_INTEGER_FORMAT ", which does not convert to %s",
					 want, json_integer_value(j), want);
	else
		f->err = view_error__new(f->stats->arena, &args,
					 "as_%s: the stats value is %s %s, which does not convert to %s",
					 want, json_is_object(j) ? "an" : "a", json_kind(j), want);
	view_arena__set_last_error(f->stats->arena, f->err);
	return -EINVAL;
}

int ktstr_json_field__as_u64(struct ktstr_json_field f, uint64_t *out)
{
	const json_t *j;

	if (jterminal(&f, &j))
		return -ENOENT;
	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return jmismatch(&f, j, "u64");
	if (out)
		*out = (uint64_t)json_integer_value(j);
	return 0;
}

int ktstr_json_field__as_i64(struct ktstr_json_field f, int64_t *out)
{
	const json_t *j;

	if (jterminal(&f, &j))
		return -ENOENT;
	if (!json_is_integer(j))
		return jmismatch(&f, j, "i64");
	if (out)
		*out = json_integer_value(j);
	return 0;
}

int ktstr_json_field__as_f64(struct ktstr_json_field f, double *out)
{
	const json_t *j;

	if (jterminal(&f, &j))
		return -ENOENT;
	if (!json_is_number(j))
		return jmismatch(&f, j, "f64");
	if (out)
		*out = json_number_value(j);
	return 0;
}

int ktstr_json_field__as_bool(struct ktstr_json_field f, bool *out)
{
	const json_t *j;

	if (jterminal(&f, &j))
		return -ENOENT;
	if (!json_is_boolean(j))
		return jmismatch(&f, j, "bool");
	if (out)
		*out = json_is_true(j);
	return 0;
}

int ktstr_json_field__as_str(struct ktstr_json_field f, const char **out)
{
	const json_t *j;

	if (jterminal(&f, &j))
		return -ENOENT;
	if (!json_is_string(j))
		return jmismatch(&f, j, "str");
	if (out)
		*out = json_string_value(j);
	return 0;
}
