/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to the view files (snapshot.c, field.c, stats_view.c): the
 * arena that owns a view's errors and scratch strings, and the error
 * constructor. Not installed.
 *
 * Views are passed by value and carry a const pointer to their error, so
 * an error must live as long as the view's owner: the arena keeps every
 * one until it is freed with the snapshot (or stats view). Identical
 * errors are made once, so a test that asks the same wrong question in a
 * loop, or a find() over a per-CPU map whose slots are all missing, does
 * not grow the arena per call.
 */
#ifndef KTSTR_VIEW_ERROR_H
#define KTSTR_VIEW_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include <ktstr/snapshot.h>

struct view_arena;

struct view_arena *view_arena__new(void);
void view_arena__free(struct view_arena *a);

/* The error a failed terminal accessor recorded; NULL before any. */
const struct ktstr_error *view_arena__last_error(const struct view_arena *a);
void view_arena__set_last_error(struct view_arena *a, const struct ktstr_error *e);

/* A copy of @s (or its first @n bytes) owned by the arena; NULL on ENOMEM. */
const char *view_arena__strndup(struct view_arena *a, const char *s, size_t n);
/* Hand @v to the arena (freed with it); @v on success, NULL (and @v freed) on ENOMEM. */
const struct ktstr_value *view_arena__own_value(struct view_arena *a, struct ktstr_value *v);

struct view_error_args {
	enum ktstr_error_kind kind;
	const char *requested;		/* may be NULL */
	const char *where;		/* may be NULL */
	const char *const *alts;	/* copied */
	size_t nr_alts;
	/* When set, the message ends in "; <alts_label>: a, b, c". */
	const char *alts_label;
	size_t index, len;
};

/*
 * A new error (or the identical one already made). The message is @fmt,
 * then the alternatives; control bytes in it are escaped so it stays one
 * line whatever names the input held. Never NULL: on ENOMEM a static
 * KTSTR_ERR_NOMEM error.
 */
const struct ktstr_error *view_error__new(struct view_arena *a,
					  const struct view_error_args *args,
					  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The static errors: out of memory, and a view with no owner. */
extern const struct ktstr_error view_error_nomem;
extern const struct ktstr_error view_error_detached;

/*
 * The arena of a snapshot, shared by every view of it (active ones too).
 * Defined in snapshot.c for field.c.
 */
struct view_arena *snapshot__arena(const struct ktstr_snapshot *s);

/*
 * Walk @rest, a suffix of @full, from @v (field.c). Errors name @full as
 * requested and the prefix of @full through the failing component.
 */
struct ktstr_field view_field__walk(struct ktstr_snapshot *s, const struct ktstr_value *v,
				    const char *full, const char *rest);

/*
 * Scalar conversions without errors, for pickers and the terminal
 * accessors (field.c). 0, or -EINVAL when @v does not convert.
 */
int view_value__u64(const struct ktstr_value *v, uint64_t *out);

#endif /* KTSTR_VIEW_ERROR_H */
