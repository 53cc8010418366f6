// SPDX-License-Identifier: GPL-2.0
/*
 * The view error arena: every error a snapshot or stats view hands out,
 * kept until the view is freed, each made once. See view_error.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_error.h"

/* Alternatives beyond this many are kept in the error but not spelt out in msg. */
#define MSG_ALTS_MAX	32

struct view_arena {
	struct ktstr_error **errs;
	size_t nr_errs, cap_errs;
	/* Open-addressed index of errs by message hash: slot = index + 1. */
	size_t *slots;
	size_t nr_slots;
	char **strs;
	size_t nr_strs, cap_strs;
	struct ktstr_value **vals;
	size_t nr_vals, cap_vals;
	const struct ktstr_error *last_error;
};

const struct ktstr_error view_error_nomem = {
	.kind = KTSTR_ERR_NOMEM,
	.msg = (char *)"out of memory while making a view error",
	.requested = (char *)"",
	.where = (char *)"",
};

const struct ktstr_error view_error_detached = {
	.kind = KTSTR_ERR_PROJECTION_FAILED,
	.msg = (char *)"view is not attached to a snapshot (zero-initialised?)",
	.requested = (char *)"",
	.where = (char *)"",
};

static const char *const kind_names[] = {
	[KTSTR_ERR_MAP_NOT_FOUND] = "MAP_NOT_FOUND",
	[KTSTR_ERR_VAR_NOT_FOUND] = "VAR_NOT_FOUND",
	[KTSTR_ERR_AMBIGUOUS_VAR] = "AMBIGUOUS_VAR",
	[KTSTR_ERR_MAP_RENDER_INCOMPLETE] = "MAP_RENDER_INCOMPLETE",
	[KTSTR_ERR_PLACEHOLDER] = "PLACEHOLDER",
	[KTSTR_ERR_NO_ACTIVE_SCHEDULER] = "NO_ACTIVE_SCHEDULER",
	[KTSTR_ERR_ACTIVE_FILTER_EXCLUDED] = "ACTIVE_FILTER_EXCLUDED",
	[KTSTR_ERR_PROJECTION_FAILED] = "PROJECTION_FAILED",
	[KTSTR_ERR_NO_MATCH] = "NO_MATCH",
	[KTSTR_ERR_INDEX_OUT_OF_RANGE] = "INDEX_OUT_OF_RANGE",
	[KTSTR_ERR_PERCPU_SLOT] = "PERCPU_SLOT",
	[KTSTR_ERR_FIELD_NOT_FOUND] = "FIELD_NOT_FOUND",
	[KTSTR_ERR_TYPE_MISMATCH] = "TYPE_MISMATCH",
	[KTSTR_ERR_NULL_POINTER] = "NULL_POINTER",
	[KTSTR_ERR_MISSING_STATS] = "MISSING_STATS",
	[KTSTR_ERR_NOMEM] = "NOMEM",
};

const char *ktstr_error_kind__str(enum ktstr_error_kind kind)
{
	if ((unsigned int)kind < sizeof(kind_names) / sizeof(kind_names[0]) &&
	    kind_names[kind])
		return kind_names[kind];
	return "UNKNOWN";
}

struct view_arena *view_arena__new(void)
{
	return calloc(1, sizeof(struct view_arena));
}

static void error_free(struct ktstr_error *e)
{
	size_t i;

	free(e->msg);
	free(e->requested);
	free(e->where);
	for (i = 0; i < e->nr_alternatives; i++)
		free(e->alternatives[i]);
	free(e->alternatives);
	free(e);
}

void view_arena__free(struct view_arena *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nr_errs; i++)
		error_free(a->errs[i]);
	free(a->errs);
	free(a->slots);
	for (i = 0; i < a->nr_strs; i++)
		free(a->strs[i]);
	free(a->strs);
	for (i = 0; i < a->nr_vals; i++)
		ktstr_value__free(a->vals[i]);
	free(a->vals);
	free(a);
}

const struct ktstr_error *view_arena__last_error(const struct view_arena *a)
{
	return a ? a->last_error : NULL;
}

void view_arena__set_last_error(struct view_arena *a, const struct ktstr_error *e)
{
	if (a)
		a->last_error = e;
}

/* Make room for one more element in a growing array: 0 or -ENOMEM. */
#define GROW(arr, nr, cap) ({						\
	int __ret = 0;							\
	if ((nr) >= (cap)) {						\
		size_t __cap = (cap) ? (cap) * 2 : 16;			\
		void *__p = realloc((arr), __cap * sizeof(*(arr)));	\
		if (__p) {						\
			(arr) = __p;					\
			(cap) = __cap;					\
		} else {						\
			__ret = -ENOMEM;				\
		}							\
	}								\
	__ret;								\
})

const char *view_arena__strndup(struct view_arena *a, const char *s, size_t n)
{
	char *d;

	if (!a || GROW(a->strs, a->nr_strs, a->cap_strs))
		return NULL;
	d = strndup(s ? s : "", n);
	if (!d)
		return NULL;
	a->strs[a->nr_strs++] = d;
	return d;
}

const struct ktstr_value *view_arena__own_value(struct view_arena *a, struct ktstr_value *v)
{
	if (!a || !v || GROW(a->vals, a->nr_vals, a->cap_vals)) {
		ktstr_value__free(v);
		return NULL;
	}
	a->vals[a->nr_vals++] = v;
	return v;
}

/* FNV-1a over the message: identical errors share their message. */
static size_t hash_str(const char *s)
{
	size_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

static bool error_eq(const struct ktstr_error *e, const struct view_error_args *args,
		     const char *msg)
{
	size_t i;

	if (e->kind != args->kind || e->index != args->index || e->len != args->len ||
	    e->nr_alternatives != args->nr_alts || strcmp(e->msg, msg) ||
	    !str_eq(e->requested, args->requested) || !str_eq(e->where, args->where))
		return false;
	for (i = 0; i < args->nr_alts; i++)
		if (!str_eq(e->alternatives[i], args->alts[i]))
			return false;
	return true;
}

static struct ktstr_error *lookup(struct view_arena *a, const struct view_error_args *args,
				  const char *msg, size_t h)
{
	size_t i, s;

	if (!a->nr_slots)
		return NULL;
	for (i = h & (a->nr_slots - 1);; i = (i + 1) & (a->nr_slots - 1)) {
		s = a->slots[i];
		if (!s)
			return NULL;
		if (error_eq(a->errs[s - 1], args, msg))
			return a->errs[s - 1];
	}
}

static void index_insert(size_t *slots, size_t nr_slots, size_t h, size_t idx)
{
	size_t i;

	for (i = h & (nr_slots - 1); slots[i]; i = (i + 1) & (nr_slots - 1))
		;
	slots[i] = idx + 1;
}

/* Keep the index at most half full; 0 or -ENOMEM. */
static int index_reserve(struct view_arena *a)
{
	size_t n = a->nr_slots ? a->nr_slots : 32, i;
	size_t *slots;

	if (2 * (a->nr_errs + 1) <= a->nr_slots)
		return 0;
	while (2 * (a->nr_errs + 1) > n)
		n *= 2;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < a->nr_errs; i++)
		index_insert(slots, n, hash_str(a->errs[i]->msg), i);
	free(a->slots);
	a->slots = slots;
	a->nr_slots = n;
	return 0;
}

/* A growing string; on failure it stays failed and the caller gives up. */
struct msgbuf {
	char *s;
	size_t len, cap;
	bool fail;
};

static void mb_putn(struct msgbuf *b, const char *s, size_t n)
{
	char *p;

	if (b->fail)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p) {
			b->fail = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Names come from BTF, JSON and map bytes: escape anything that would break the line. */
static void mb_put_escaped(struct msgbuf *b, const char *s)
{
	char tmp[5];

	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			mb_putn(b, tmp, 4);
		} else {
			mb_putn(b, s, 1);
		}
	}
}

const struct ktstr_error *view_error__new(struct view_arena *a,
					  const struct view_error_args *args,
					  const char *fmt, ...)
{
	struct msgbuf b = { 0 };
	struct ktstr_error *e;
	char *head = NULL, tmp[64];
	va_list ap;
	size_t i, h;
	int n;

	if (!a)
		return &view_error_detached;
	va_start(ap, fmt);
	n = vasprintf(&head, fmt, ap);
	va_end(ap);
	if (n < 0)
		return &view_error_nomem;
	mb_put_escaped(&b, head);
	free(head);
	if (args->alts_label) {
		mb_putn(&b, "; ", 2);
		mb_put_escaped(&b, args->alts_label);
		mb_putn(&b, ":", 1);
		if (!args->nr_alts)
			mb_putn(&b, " (none)", 7);
		for (i = 0; i < args->nr_alts && i < MSG_ALTS_MAX; i++) {
			mb_putn(&b, i ? ", " : " ", i ? 2 : 1);
			mb_put_escaped(&b, args->alts[i] ? args->alts[i] : "");
		}
		if (args->nr_alts > MSG_ALTS_MAX) {
			n = snprintf(tmp, sizeof(tmp), ", ... (%zu more)",
				     args->nr_alts - MSG_ALTS_MAX);
			mb_putn(&b, tmp, (size_t)n);
		}
	}
	mb_putn(&b, "", 0);
	if (b.fail || !b.s) {
		free(b.s);
		return &view_error_nomem;
	}

	h = hash_str(b.s);
	e = lookup(a, args, b.s, h);
	if (e) {
		free(b.s);
		return e;
	}
	if (index_reserve(a) || GROW(a->errs, a->nr_errs, a->cap_errs))
		goto nomem;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto nomem;
	e->kind = args->kind;
	e->msg = b.s;
	b.s = NULL;
	e->index = args->index;
	e->len = args->len;
	e->requested = strdup(args->requested ? args->requested : "");
	e->where = strdup(args->where ? args->where : "");
	if (args->nr_alts)
		e->alternatives = calloc(args->nr_alts, sizeof(char *));
	if (!e->requested || !e->where || (args->nr_alts && !e->alternatives))
		goto free_e;
	for (i = 0; i < args->nr_alts; i++) {
		e->alternatives[i] = strdup(args->alts[i] ? args->alts[i] : "");
		if (!e->alternatives[i])
			goto free_e;
		e->nr_alternatives++;
	}
	index_insert(a->slots, a->nr_slots, h, a->nr_errs);
	a->errs[a->nr_errs++] = e;
	return e;

free_e:
	error_free(e);
nomem:
	free(b.s);
	return &view_error_nomem;
}
