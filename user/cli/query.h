/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `ktstr snap query`: a small expression language over a dump report,
 * parsed strictly and evaluated through the snapshot view (snapshot.h).
 * The grammar is in query.c and Documentation/snapshot.rst.
 */
#ifndef KTSTR_CLI_QUERY_H
#define KTSTR_CLI_QUERY_H

#include <stddef.h>

#include <ktstr/snapshot.h>

struct ktstr_query;

/*
 * Parse @expr. 0 and *out, or -EINVAL with "expected ']' at column 12"
 * in @err and the 0-based column in *err_col (may be NULL), or -ENOMEM.
 */
int ktstr_query__parse(const char *expr, struct ktstr_query **out, char *err, size_t err_len,
		       size_t *err_col);
void ktstr_query__free(struct ktstr_query *q);

enum ktstr_query_result_kind {
	KTSTR_QUERY_FIELD,	/* .field: a variable, or a path into an entry */
	KTSTR_QUERY_ENTRY,	/* .entry: a whole map entry */
	KTSTR_QUERY_ERROR,	/* .err (a view error) or .msg (the query's own) */
};

struct ktstr_query_result {
	enum ktstr_query_result_kind kind;
	struct ktstr_field field;
	struct ktstr_entry entry;
	const struct ktstr_error *err;	/* owned by the snapshot */
	char msg[256];			/* when err is NULL */
};

/* Evaluate @q against @s; never fails outright, the result says what happened. */
void ktstr_query__eval(const struct ktstr_query *q, struct ktstr_snapshot *s,
		       struct ktstr_query_result *res);

/* The grammar in brief, for --help. */
extern const char ktstr_query_help[];

#endif /* KTSTR_CLI_QUERY_H */
