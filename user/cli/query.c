// SPDX-License-Identifier: GPL-2.0
/*
 * The `ktstr snap query` expression language.
 *
 *	query    := var | "maps/" map
 *	var      := IDENT path
 *	map      := MAPNAME [ "@" UINT ] "[" select "]" path
 *	select   := UINT | pred { "," pred }
 *	pred     := relpath "=" literal
 *	relpath  := comp { "." comp | "[" UINT "]" }
 *	path     := { "." comp | "[" UINT "]" }
 *	comp     := IDENT | UINT
 *	literal  := [ "-" ] UINT | STRING | "true" | "false" | IDENT
 *	IDENT    := [A-Za-z_][A-Za-z0-9_]*
 *	MAPNAME  := [A-Za-z0-9_.]+		(what the kernel allows in a map name)
 *	UINT     := decimal digits | "0x" hex digits
 *	STRING   := '"' { char | '\"' | '\\' } '"'
 *
 * A leading "maps/" is what tells a map from a global variable, so "x[3]"
 * is always element 3 of variable x and never entry 3 of a map x. A map
 * name runs to the '@' or '[' that must follow it, which is how dots in
 * "obj.bss" stay part of the name. Blanks are allowed only inside the
 * brackets of a selector, around its tokens.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "query.h"

const char ktstr_query_help[] =
"query expressions:\n"
"  NAME[.member|[i]]...             a global variable of the .bss/.data/.rodata\n"
"                                   sections, then a path into it\n"
"                                   (nr_cpus_onln, stats.total, hist[2])\n"
"  maps/MAP[i]PATH                  entry i of MAP, in capture order\n"
"                                   (maps/tasks[0].value.weight, maps/tasks[0].key.tid)\n"
"  maps/MAP[path=LIT,...]PATH       the first entry whose every path equals its\n"
"                                   literal: a number, \"string\", true, false or an\n"
"                                   enum variant (maps/tasks[key.tid=42].comm)\n"
"  maps/MAP@CPU[...]PATH            the same on CPU CPU of a per-CPU map\n"
"                                   (maps/pcpu@1[0].nr_dispatched); predicates\n"
"                                   see the key and that CPU's value\n"
"                                   (maps/pcpu_hash@1[key=11].runs)\n"
"  A path after an entry walks its value; 'key.' and 'value.' name either\n"
"  side, and on a per-CPU entry without @CPU the first component is a CPU.\n";

enum lit_kind {
	LIT_UINT,
	LIT_INT,	/* negative */
	LIT_STR,	/* a quoted string, or an enum variant name */
	LIT_BOOL,
};

struct query_pred {
	char *path;
	enum lit_kind kind;
	uint64_t u;
	int64_t i;
	char *str;
	bool b;
};

struct ktstr_query {
	bool is_map;
	char *name;		/* the variable or the map */
	int cpu;		/* -1: no @CPU */
	bool by_index;
	size_t index;
	struct query_pred *preds;
	size_t nr_preds;
	char *path;		/* "a.3.b": the view's dotted form; "" for none */
};

struct parser {
	const char *s;
	size_t pos;
	char *err;
	size_t err_len;
	int rc;			/* 0, or the first failure */
};

/* A growing string for paths and literals. */
struct sbuf {
	char *s;
	size_t len, cap;
};

static int sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (p->rc)
		return p->rc;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (p->err && p->err_len)
		snprintf(p->err, p->err_len, "query: %s at column %zu", what, p->pos + 1);
	p->rc = -EINVAL;
	return p->rc;
}

static int oom(struct parser *p)
{
	if (!p->rc) {
		if (p->err && p->err_len)
			snprintf(p->err, p->err_len, "query: out of memory");
		p->rc = -ENOMEM;
	}
	return p->rc;
}

/* What is at the cursor, for "unexpected X" messages. */
static const char *describe(const struct parser *p, char *buf, size_t len)
{
	unsigned char c = p->s[p->pos];

	if (!c)
		return "the end";
	if (c < 0x20 || c > 0x7e)
		snprintf(buf, len, "byte 0x%02x", c);
	else
		snprintf(buf, len, "'%c'", c);
	return buf;
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

static bool is_mapname_char(char c)
{
	return is_ident_char(c) || c == '.';
}

static void skip_blanks(struct parser *p)
{
	while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
		p->pos++;
}

static int expect(struct parser *p, char c)
{
	char buf[16];

	if (p->s[p->pos] != c)
		return fail(p, "expected '%c', found %s", c, describe(p, buf, sizeof(buf)));
	p->pos++;
	return 0;
}

static int parse_ident(struct parser *p, const char *what, char **out)
{
	size_t start = p->pos;
	char buf[16];

	if (!is_ident_start(p->s[p->pos]))
		return fail(p, "expected %s, found %s", what, describe(p, buf, sizeof(buf)));
	while (is_ident_char(p->s[p->pos]))
		p->pos++;
	*out = strndup(p->s + start, p->pos - start);
	return *out ? 0 : oom(p);
}

static int digit_value(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < (int)base ? d : -1;
}

static int parse_uint(struct parser *p, uint64_t *out)
{
	unsigned int base = 10;
	size_t start = p->pos;
	uint64_t v = 0;
	char buf[16];
	int d;

	if (!is_digit(p->s[p->pos]))
		return fail(p, "expected a number, found %s", describe(p, buf, sizeof(buf)));
	if (p->s[p->pos] == '0' && (p->s[p->pos + 1] == 'x' || p->s[p->pos + 1] == 'X')) {
		base = 16;
		p->pos += 2;
		if (digit_value(p->s[p->pos], 16) < 0)
			return fail(p, "expected hex digits after '0x'");
	}
	while ((d = digit_value(p->s[p->pos], base)) >= 0) {
		if (v > (UINT64_MAX - d) / base) {
			p->pos = start;
			return fail(p, "number does not fit in 64 bits");
		}
		v = v * base + d;
		p->pos++;
	}
	/* "12ab" is neither a number nor a name: say so rather than stop at 12. */
	if (is_ident_char(p->s[p->pos]))
		return fail(p, "unexpected %s in a number", describe(p, buf, sizeof(buf)));
	*out = v;
	return 0;
}

/* A component: a member name or a number (an array index, or a CPU first). */
static int parse_comp(struct parser *p, struct sbuf *path)
{
	size_t start = p->pos;
	uint64_t u;
	char buf[16];

	if (is_digit(p->s[p->pos])) {
		if (parse_uint(p, &u))
			return p->rc;
		snprintf(buf, sizeof(buf), "%" PRIu64, u);
		return sb_putn(path, buf, strlen(buf)) ? oom(p) : 0;
	}
	if (!is_ident_start(p->s[p->pos]))
		return fail(p, "expected a member name or an index, found %s",
			    describe(p, buf, sizeof(buf)));
	while (is_ident_char(p->s[p->pos]))
		p->pos++;
	return sb_putn(path, p->s + start, p->pos - start) ? oom(p) : 0;
}

static int parse_bracket_index(struct parser *p, struct sbuf *path)
{
	char buf[32];
	uint64_t u;

	p->pos++;	/* '[' */
	if (parse_uint(p, &u) || expect(p, ']'))
		return p->rc;
	snprintf(buf, sizeof(buf), "%" PRIu64, u);
	return sb_putn(path, buf, strlen(buf)) ? oom(p) : 0;
}

/*
 * { "." comp | "[" UINT "]" }, appended to @path in the view's form
 * ("a.3.b"). @first: the path may start with a bare comp (predicates).
 */
static int parse_path(struct parser *p, struct sbuf *path, bool first)
{
	if (first && parse_comp(p, path))
		return p->rc;
	for (;;) {
		char c = p->s[p->pos];

		if (c != '.' && c != '[')
			return 0;
		if (path->len && sb_putn(path, ".", 1))
			return oom(p);
		if (c == '[') {
			if (parse_bracket_index(p, path))
				return p->rc;
			continue;
		}
		p->pos++;
		if (parse_comp(p, path))
			return p->rc;
	}
}

static int parse_string(struct parser *p, char **out)
{
	struct sbuf b = { 0 };
	char buf[16];

	p->pos++;	/* '"' */
	for (;;) {
		char c = p->s[p->pos];

		if (!c) {
			free(b.s);
			return fail(p, "unterminated string");
		}
		if (c == '"')
			break;
		if (c == '\\') {
			p->pos++;
			c = p->s[p->pos];
			if (c != '"' && c != '\\') {
				free(b.s);
				return fail(p, "unknown escape %s in a string (only \\\" and \\\\)",
					    describe(p, buf, sizeof(buf)));
			}
		}
		if (sb_putn(&b, &c, 1)) {
			free(b.s);
			return oom(p);
		}
		p->pos++;
	}
	p->pos++;
	*out = b.s ? b.s : strdup("");
	return *out ? 0 : oom(p);
}

static int parse_literal(struct parser *p, struct query_pred *pr)
{
	char buf[16], *word;
	uint64_t u;

	if (p->s[p->pos] == '"') {
		pr->kind = LIT_STR;
		return parse_string(p, &pr->str);
	}
	if (p->s[p->pos] == '-') {
		p->pos++;
		if (parse_uint(p, &u))
			return p->rc;
		if (u > (uint64_t)INT64_MAX + 1)
			return fail(p, "negative number below INT64_MIN");
		pr->kind = LIT_INT;
		pr->i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
		return 0;
	}
	if (is_digit(p->s[p->pos])) {
		pr->kind = LIT_UINT;
		return parse_uint(p, &pr->u);
	}
	if (!is_ident_start(p->s[p->pos]))
		return fail(p, "expected a number, a \"string\", true, false or an enum name, "
			    "found %s", describe(p, buf, sizeof(buf)));
	if (parse_ident(p, "a literal", &word))
		return p->rc;
	if (!strcmp(word, "true") || !strcmp(word, "false")) {
		pr->kind = LIT_BOOL;
		pr->b = word[0] == 't';
		free(word);
		return 0;
	}
	pr->kind = LIT_STR;	/* an enum variant, matched by name */
	pr->str = word;
	return 0;
}

static int parse_pred(struct parser *p, struct ktstr_query *q)
{
	struct query_pred *preds, *pr;
	struct sbuf path = { 0 };

	preds = realloc(q->preds, (q->nr_preds + 1) * sizeof(*preds));
	if (!preds)
		return oom(p);
	q->preds = preds;
	pr = &preds[q->nr_preds++];
	memset(pr, 0, sizeof(*pr));
	if (parse_path(p, &path, true)) {
		free(path.s);
		return p->rc;
	}
	pr->path = path.s;
	skip_blanks(p);
	if (expect(p, '='))
		return p->rc;
	skip_blanks(p);
	return parse_literal(p, pr);
}

static int parse_selector(struct parser *p, struct ktstr_query *q)
{
	uint64_t u;

	if (expect(p, '['))
		return p->rc;
	skip_blanks(p);
	if (is_digit(p->s[p->pos])) {
		if (parse_uint(p, &u))
			return p->rc;
		if (u > SIZE_MAX)
			return fail(p, "index too large");
		q->by_index = true;
		q->index = u;
	} else {
		for (;;) {
			if (parse_pred(p, q))
				return p->rc;
			skip_blanks(p);
			if (p->s[p->pos] != ',')
				break;
			p->pos++;
			skip_blanks(p);
		}
	}
	skip_blanks(p);
	return expect(p, ']');
}

static int parse_map(struct parser *p, struct ktstr_query *q)
{
	size_t start = p->pos;
	char buf[16];
	uint64_t cpu;

	while (is_mapname_char(p->s[p->pos]))
		p->pos++;
	if (p->pos == start)
		return fail(p, "expected a map name after 'maps/', found %s",
			    describe(p, buf, sizeof(buf)));
	q->name = strndup(p->s + start, p->pos - start);
	if (!q->name)
		return oom(p);
	if (p->s[p->pos] == '@') {
		p->pos++;
		if (parse_uint(p, &cpu))
			return p->rc;
		if (cpu > INT32_MAX)
			return fail(p, "CPU number too large");
		q->cpu = (int)cpu;
	}
	if (p->s[p->pos] != '[')
		return fail(p, "expected '[' (an entry index or [path=value]) after the map %s, "
			    "found %s", q->cpu >= 0 ? "CPU" : "name",
			    describe(p, buf, sizeof(buf)));
	return parse_selector(p, q);
}

void ktstr_query__free(struct ktstr_query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nr_preds; i++) {
		free(q->preds[i].path);
		free(q->preds[i].str);
	}
	free(q->preds);
	free(q->name);
	free(q->path);
	free(q);
}

int ktstr_query__parse(const char *expr, struct ktstr_query **out, char *err, size_t err_len,
		       size_t *err_col)
{
	struct parser p = { .s = expr, .err = err, .err_len = err_len };
	struct sbuf path = { 0 };
	struct ktstr_query *q;
	char buf[16];

	*out = NULL;
	if (err && err_len)
		err[0] = '\0';
	if (!expr || !expr[0]) {
		if (err_col)
			*err_col = 0;
		fail(&p, "empty expression");
		return p.rc;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return oom(&p);
	q->cpu = -1;

	if (!strncmp(expr, "maps/", 5)) {
		q->is_map = true;
		p.pos = 5;
		if (parse_map(&p, q))
			goto out;
	} else if (parse_ident(&p, "a variable name or 'maps/'", &q->name)) {
		goto out;
	}
	if (parse_path(&p, &path, false))
		goto out;
	if (p.s[p.pos])
		fail(&p, "unexpected %s", describe(&p, buf, sizeof(buf)));
out:
	q->path = path.s ? path.s : strdup("");
	if (!p.rc && !q->path)
		oom(&p);
	if (p.rc) {
		if (err_col)
			*err_col = p.pos;
		ktstr_query__free(q);
		return p.rc;
	}
	*out = q;
	return 0;
}

/* ---- evaluation ---------------------------------------------------------- */

/* What find() calls the predicates with: the paths, made per-CPU when need be. */
struct pred_ctx {
	const struct ktstr_query *q;
	char **paths;		/* NULL: the predicates' own */
};

static bool pred_holds(struct ktstr_entry e, const struct query_pred *pr, const char *path)
{
	struct ktstr_field f = ktstr_entry__get(e, path);
	const char *s;
	uint64_t u;
	int64_t i;
	bool b;

	if (ktstr_field__error(f))
		return false;
	switch (pr->kind) {
	case LIT_UINT:
		return !ktstr_field__as_u64(f, &u) && u == pr->u;
	case LIT_INT:
		return !ktstr_field__as_i64(f, &i) && i == pr->i;
	case LIT_BOOL:
		return !ktstr_field__as_bool(f, &b) && b == pr->b;
	case LIT_STR:
		return !ktstr_field__as_str(f, &s) && !strcmp(s, pr->str);
	}
	return false;
}

static bool preds_hold(void *ctx, struct ktstr_entry e)
{
	const struct pred_ctx *pc = ctx;
	const struct ktstr_query *q = pc->q;

	for (size_t i = 0; i < q->nr_preds; i++)
		if (!pred_holds(e, &q->preds[i], pc->paths ? pc->paths[i] : q->preds[i].path))
			return false;
	return true;
}

static bool comp_is(const char *path, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(path, name, n) && (path[n] == '\0' || path[n] == '.');
}

/*
 * The predicates of "MAP@CPU[...]" run on whole per-CPU entries, so that
 * "key" still names the key (a CPU's slot alone has none): a value path
 * becomes "CPU.path", the CPU's slot of the entry.
 */
static char **percpu_pred_paths(const struct ktstr_query *q)
{
	char **paths = calloc(q->nr_preds, sizeof(*paths));
	const char *path;

	if (!paths)
		return NULL;
	for (size_t i = 0; i < q->nr_preds; i++) {
		path = q->preds[i].path;
		if (comp_is(path, "key")) {
			paths[i] = strdup(path);
		} else {
			if (comp_is(path, "value"))
				path += path[5] ? 6 : 5;
			if (asprintf(&paths[i], "%d%s%s", q->cpu, path[0] ? "." : "", path) < 0)
				paths[i] = NULL;
		}
		if (!paths[i]) {
			while (i--)
				free(paths[i]);
			free(paths);
			return NULL;
		}
	}
	return paths;
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

/* Where @e sits in its map, so the same entry can be narrowed to a CPU. */
static size_t entry_index(struct ktstr_entry e)
{
	if (e.kind == KTSTR_ENTRY_PERCPU)
		return e.percpu - e.map->percpu_entries;
	if (e.kind == KTSTR_ENTRY_PERCPU_HASH)
		return e.percpu_hash - e.map->percpu_hash_entries;
	return 0;
}

static bool is_percpu_type(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* The result is a view error (owned by the snapshot): true, for "return fail_with()". */
static bool fail_with(struct ktstr_query_result *res, const struct ktstr_error *err)
{
	res->kind = KTSTR_QUERY_ERROR;
	res->err = err;
	return true;
}

static bool map_not_percpu(struct ktstr_query_result *res, const struct ktstr_query *q,
			   const struct ktstr_dump_map *map)
{
	const char *t = libbpf_bpf_map_type_str(map->type);

	res->kind = KTSTR_QUERY_ERROR;
	snprintf(res->msg, sizeof(res->msg), "@%d: map %s is not a per-CPU map (it is %s)",
		 q->cpu, q->name, t ? t : "of an unknown type");
	return true;
}

static void set_field(struct ktstr_query_result *res, struct ktstr_field f)
{
	const struct ktstr_error *err = ktstr_field__error(f);

	if (err) {
		fail_with(res, err);
		return;
	}
	res->kind = KTSTR_QUERY_FIELD;
	res->field = f;
}

void ktstr_query__eval(const struct ktstr_query *q, struct ktstr_snapshot *s,
		       struct ktstr_query_result *res)
{
	struct pred_ctx pc = { .q = q };
	struct ktstr_field f;
	struct ktstr_entry e;
	struct ktstr_map m;

	memset(res, 0, sizeof(*res));
	if (!q->is_map) {
		f = ktstr_snapshot__var(s, q->name);
		if (!ktstr_field__error(f) && q->path[0])
			f = ktstr_field__get(f, q->path);
		set_field(res, f);
		return;
	}

	m = ktstr_snapshot__map(s, q->name);
	if (m.err && fail_with(res, m.err))
		return;
	/* The view ignores a CPU on other maps; a query asking for one is a mistake. */
	if (q->cpu >= 0 && !is_percpu_type(m.map->type) && map_not_percpu(res, q, m.map))
		return;
	if (q->by_index) {
		if (q->cpu >= 0)
			m = ktstr_map__cpu(m, q->cpu);
		e = ktstr_map__at(m, q->index);
	} else if (q->cpu >= 0) {
		pc.paths = percpu_pred_paths(q);
		if (!pc.paths) {
			res->kind = KTSTR_QUERY_ERROR;
			snprintf(res->msg, sizeof(res->msg), "out of memory");
			return;
		}
		e = ktstr_map__find(m, preds_hold, &pc);
		free_paths(pc.paths, q->nr_preds);
		if (!e.err)
			e = ktstr_map__at(ktstr_map__cpu(m, q->cpu), entry_index(e));
	} else {
		e = ktstr_map__find(m, preds_hold, &pc);
	}
	if (e.err && fail_with(res, e.err))
		return;
	if (!q->path[0]) {
		res->kind = KTSTR_QUERY_ENTRY;
		res->entry = e;
		return;
	}
	set_field(res, ktstr_entry__get(e, q->path));
}
