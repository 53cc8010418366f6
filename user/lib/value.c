// SPDX-License-Identifier: GPL-2.0
/*
 * The rendered value tree: construction, copying, comparison, and its
 * text forms. See include/ktstr/value.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/value.h>

struct ktstr_value *ktstr_value__new(enum ktstr_value_kind kind, const char *type_name)
{
	struct ktstr_value *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->kind = kind;
	if (type_name && !(v->type_name = strdup(type_name))) {
		free(v);
		return NULL;
	}
	return v;
}

struct ktstr_value *ktstr_value__new_error(const char *type_name, const char *fmt, ...)
{
	struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_ERROR, type_name);
	va_list ap;
	int n;

	if (!v)
		return NULL;
	va_start(ap, fmt);
	n = vasprintf(&v->error.msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		v->error.msg = NULL;
		ktstr_value__free(v);
		return NULL;
	}
	return v;
}

int ktstr_value__add_member(struct ktstr_value *agg, const char *name,
			    struct ktstr_value *v, uint32_t bit_offset,
			    uint32_t bitfield_size)
{
	struct ktstr_member *m;

	/* Grow by doubling, as add_elem() does: capacity is the next power of two. */
	if (!(agg->agg.nr & (agg->agg.nr - 1))) {
		size_t cap = agg->agg.nr ? agg->agg.nr * 2 : 1;

		m = realloc(agg->agg.members, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		agg->agg.members = m;
	}
	m = agg->agg.members + agg->agg.nr;
	m->name = strdup(name ? name : "");
	if (!m->name)
		return -ENOMEM;
	m->value = v;
	m->bit_offset = bit_offset;
	m->bitfield_size = bitfield_size;
	agg->agg.nr++;
	return 0;
}

int ktstr_value__add_elem(struct ktstr_value *arr, struct ktstr_value *v)
{
	struct ktstr_value **e;

	/* Grow by doubling: arrays of many thousand elements are common. */
	if (!(arr->arr.nr & (arr->arr.nr - 1))) {
		size_t cap = arr->arr.nr ? arr->arr.nr * 2 : 1;

		e = realloc(arr->arr.elems, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		arr->arr.elems = e;
	}
	arr->arr.elems[arr->arr.nr++] = v;
	return 0;
}

void ktstr_value__free(struct ktstr_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->kind) {
	case KTSTR_VALUE_ENUM:
		free(v->enm.name);
		break;
	case KTSTR_VALUE_STRING:
		free(v->str.str);
		break;
	case KTSTR_VALUE_BYTES:
		free(v->bytes.data);
		break;
	case KTSTR_VALUE_PTR:
		ktstr_value__free(v->ptr.target);
		free(v->ptr.note);
		break;
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		for (i = 0; i < v->agg.nr; i++) {
			free(v->agg.members[i].name);
			ktstr_value__free(v->agg.members[i].value);
		}
		free(v->agg.members);
		break;
	case KTSTR_VALUE_ARRAY:
		for (i = 0; i < v->arr.nr; i++)
			ktstr_value__free(v->arr.elems[i]);
		free(v->arr.elems);
		break;
	case KTSTR_VALUE_ERROR:
		free(v->error.msg);
		break;
	default:
		break;
	}
	free(v->type_name);
	free(v);
}

static char *dup_or_null(const char *s, bool *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

struct ktstr_value *ktstr_value__clone(const struct ktstr_value *v)
{
	struct ktstr_value *c;
	bool fail = false;
	size_t i;

	if (!v)
		return NULL;
	c = ktstr_value__new(v->kind, v->type_name);
	if (!c)
		return NULL;
	c->bits = v->bits;
	switch (v->kind) {
	case KTSTR_VALUE_ENUM:
		c->enm = v->enm;
		c->enm.name = dup_or_null(v->enm.name, &fail);
		break;
	case KTSTR_VALUE_STRING:
		c->str = v->str;
		c->str.str = dup_or_null(v->str.str, &fail);
		break;
	case KTSTR_VALUE_BYTES:
		c->bytes.len = v->bytes.len;
		c->bytes.data = malloc(v->bytes.len ? v->bytes.len : 1);
		if (c->bytes.data)
			memcpy(c->bytes.data, v->bytes.data, v->bytes.len);
		else
			fail = true;
		break;
	case KTSTR_VALUE_PTR:
		c->ptr.addr = v->ptr.addr;
		c->ptr.note = dup_or_null(v->ptr.note, &fail);
		if (v->ptr.target && !(c->ptr.target = ktstr_value__clone(v->ptr.target)))
			fail = true;
		break;
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		for (i = 0; i < v->agg.nr && !fail; i++) {
			const struct ktstr_member *m = &v->agg.members[i];
			struct ktstr_value *mv = ktstr_value__clone(m->value);

			if (!mv || ktstr_value__add_member(c, m->name, mv, m->bit_offset,
							   m->bitfield_size)) {
				ktstr_value__free(mv);
				fail = true;
			}
		}
		break;
	case KTSTR_VALUE_ARRAY:
		for (i = 0; i < v->arr.nr && !fail; i++) {
			struct ktstr_value *e = ktstr_value__clone(v->arr.elems[i]);

			if (!e || ktstr_value__add_elem(c, e)) {
				ktstr_value__free(e);
				fail = true;
			}
		}
		break;
	case KTSTR_VALUE_ERROR:
		c->error.msg = dup_or_null(v->error.msg, &fail);
		break;
	case KTSTR_VALUE_FLOAT:
		c->flt = v->flt;
		break;
	case KTSTR_VALUE_BOOL:
		c->b = v->b;
		break;
	default:
		c->u = v->u;
		break;
	}
	if (fail) {
		ktstr_value__free(c);
		return NULL;
	}
	return c;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool ktstr_value__equal(const struct ktstr_value *a, const struct ktstr_value *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->bits != b->bits ||
	    !str_eq(a->type_name, b->type_name))
		return false;
	switch (a->kind) {
	case KTSTR_VALUE_INT:
	case KTSTR_VALUE_CHAR:
		return a->i == b->i;
	case KTSTR_VALUE_UINT:
		return a->u == b->u;
	case KTSTR_VALUE_BOOL:
		return a->b == b->b;
	case KTSTR_VALUE_FLOAT:
		return a->flt.bits == b->flt.bits &&
		       !memcmp(&a->flt.f, &b->flt.f, sizeof(a->flt.f));
	case KTSTR_VALUE_ENUM:
		return a->enm.value == b->enm.value &&
		       a->enm.is_signed == b->enm.is_signed &&
		       str_eq(a->enm.name, b->enm.name);
	case KTSTR_VALUE_STRING:
		return a->str.size == b->str.size && str_eq(a->str.str, b->str.str);
	case KTSTR_VALUE_BYTES:
		return a->bytes.len == b->bytes.len &&
		       !memcmp(a->bytes.data, b->bytes.data, a->bytes.len);
	case KTSTR_VALUE_PTR:
		return a->ptr.addr == b->ptr.addr && str_eq(a->ptr.note, b->ptr.note) &&
		       ktstr_value__equal(a->ptr.target, b->ptr.target);
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		if (a->agg.nr != b->agg.nr)
			return false;
		for (i = 0; i < a->agg.nr; i++) {
			const struct ktstr_member *x = &a->agg.members[i], *y = &b->agg.members[i];

			if (strcmp(x->name, y->name) || x->bit_offset != y->bit_offset ||
			    x->bitfield_size != y->bitfield_size ||
			    !ktstr_value__equal(x->value, y->value))
				return false;
		}
		return true;
	case KTSTR_VALUE_ARRAY:
		if (a->arr.nr != b->arr.nr)
			return false;
		for (i = 0; i < a->arr.nr; i++)
			if (!ktstr_value__equal(a->arr.elems[i], b->arr.elems[i]))
				return false;
		return true;
	case KTSTR_VALUE_ERROR:
		return str_eq(a->error.msg, b->error.msg);
	}
	return false;
}

/*
 * A member by name. Members of anonymous structs and unions are found
 * through them, as C finds them.
 */
const struct ktstr_value *ktstr_value__member(const struct ktstr_value *v, const char *name)
{
	const struct ktstr_value *found;
	size_t i;

	if (!v || (v->kind != KTSTR_VALUE_STRUCT && v->kind != KTSTR_VALUE_UNION))
		return NULL;
	for (i = 0; i < v->agg.nr; i++)
		if (!strcmp(v->agg.members[i].name, name))
			return v->agg.members[i].value;
	for (i = 0; i < v->agg.nr; i++) {
		if (v->agg.members[i].name[0])
			continue;
		found = ktstr_value__member(v->agg.members[i].value, name);
		if (found)
			return found;
	}
	return NULL;
}

const struct ktstr_value *ktstr_value__index(const struct ktstr_value *v, size_t i)
{
	if (!v || v->kind != KTSTR_VALUE_ARRAY || i >= v->arr.nr)
		return NULL;
	return v->arr.elems[i];
}

/* A growing string for the text forms. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool fail;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	char *p;

	if (b->fail)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

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

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[128], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->fail = true;
	} else if ((size_t)n < sizeof(tmp)) {
		sb_putn(b, tmp, n);
	} else {
		/* Long names and notes (and deep indents) are written whole. */
		va_start(ap, fmt);
		n = vasprintf(&big, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->fail = true;
			return;
		}
		sb_putn(b, big, n);
		free(big);
	}
}

/* A string with C escapes, so control bytes never reach a terminal raw. */
static void sb_quoted(struct sbuf *b, const char *s)
{
	sb_putn(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			sb_printf(b, "\\x%02x", c);
		else
			sb_putn(b, s, 1);
	}
	sb_putn(b, "\"", 1);
}

/* Scalars and leaves; false for aggregates. */
static bool sb_scalar(struct sbuf *b, const struct ktstr_value *v)
{
	size_t i;

	switch (v->kind) {
	case KTSTR_VALUE_INT:
		sb_printf(b, "%" PRId64, v->i);
		return true;
	case KTSTR_VALUE_UINT:
		sb_printf(b, "%" PRIu64, v->u);
		return true;
	case KTSTR_VALUE_BOOL:
		sb_puts(b, v->b ? "true" : "false");
		return true;
	case KTSTR_VALUE_CHAR:
		if (v->i >= 0x20 && v->i <= 0x7e)
			sb_printf(b, "'%c'", (char)v->i);
		else
			sb_printf(b, "%" PRId64, v->i);
		return true;
	case KTSTR_VALUE_FLOAT:
		sb_printf(b, "%.17g", v->flt.f);
		return true;
	case KTSTR_VALUE_ENUM:
		if (v->enm.name)
			sb_puts(b, v->enm.name);
		else if (v->enm.is_signed)
			sb_printf(b, "%" PRId64, v->enm.value);
		else
			sb_printf(b, "%" PRIu64, (uint64_t)v->enm.value);
		return true;
	case KTSTR_VALUE_STRING:
		sb_quoted(b, v->str.str ? v->str.str : "");
		return true;
	case KTSTR_VALUE_BYTES:
		sb_puts(b, "0x");
		for (i = 0; i < v->bytes.len; i++)
			sb_printf(b, "%02x", v->bytes.data[i]);
		return true;
	case KTSTR_VALUE_ERROR:
		sb_puts(b, "<error: ");
		sb_puts(b, v->error.msg ? v->error.msg : "?");
		sb_puts(b, ">");
		return true;
	default:
		return false;
	}
}

static void sb_compact(struct sbuf *b, const struct ktstr_value *v)
{
	size_t i;

	if (!v) {
		sb_puts(b, "<none>");
		return;
	}
	if (sb_scalar(b, v))
		return;
	switch (v->kind) {
	case KTSTR_VALUE_PTR:
		sb_printf(b, "0x%" PRIx64, v->ptr.addr);
		if (v->ptr.target) {
			sb_puts(b, " -> ");
			sb_compact(b, v->ptr.target);
		}
		break;
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		sb_puts(b, "{");
		for (i = 0; i < v->agg.nr; i++) {
			if (i)
				sb_puts(b, ", ");
			if (v->agg.members[i].name[0]) {
				sb_puts(b, v->agg.members[i].name);
				sb_puts(b, "=");
			}
			sb_compact(b, v->agg.members[i].value);
		}
		sb_puts(b, "}");
		break;
	case KTSTR_VALUE_ARRAY:
		sb_puts(b, "[");
		for (i = 0; i < v->arr.nr; i++) {
			if (i)
				sb_puts(b, ", ");
			sb_compact(b, v->arr.elems[i]);
		}
		sb_puts(b, "]");
		break;
	default:
		break;
	}
}

char *ktstr_value__to_string(const struct ktstr_value *v)
{
	struct sbuf b = { 0 };

	sb_compact(&b, v);
	sb_puts(&b, "");
	if (b.fail) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static void sb_tree(struct sbuf *b, const struct ktstr_value *v, int indent)
{
	size_t i;

	if (!v) {
		sb_puts(b, "<none>\n");
		return;
	}
	if (sb_scalar(b, v)) {
		sb_puts(b, "\n");
		return;
	}
	switch (v->kind) {
	case KTSTR_VALUE_PTR:
		sb_printf(b, "0x%" PRIx64, v->ptr.addr);
		if (v->ptr.note)
			sb_printf(b, " (%s)", v->ptr.note);
		if (v->ptr.target) {
			sb_puts(b, " ->");
			if (sb_scalar(b, v->ptr.target)) {
				sb_puts(b, "\n");
				break;
			}
			sb_puts(b, "\n");
			sb_tree(b, v->ptr.target, indent);
			break;
		}
		sb_puts(b, "\n");
		break;
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		if (!v->agg.nr) {
			sb_puts(b, "{}\n");
			break;
		}
		if (indent >= 0 && b->len && b->s[b->len - 1] != '\n')
			sb_puts(b, "\n");
		for (i = 0; i < v->agg.nr; i++) {
			const struct ktstr_member *m = &v->agg.members[i];

			sb_printf(b, "%*s%s:", indent + 2, "", m->name[0] ? m->name : "(anon)");
			if (m->value && (m->value->kind == KTSTR_VALUE_STRUCT ||
					 m->value->kind == KTSTR_VALUE_UNION ||
					 m->value->kind == KTSTR_VALUE_ARRAY) &&
			    (m->value->kind == KTSTR_VALUE_ARRAY ? m->value->arr.nr : m->value->agg.nr)) {
				sb_puts(b, "\n");
				sb_tree(b, m->value, indent + 2);
			} else {
				sb_puts(b, " ");
				sb_tree(b, m->value, indent + 2);
			}
		}
		break;
	case KTSTR_VALUE_ARRAY:
		if (!v->arr.nr) {
			sb_puts(b, "[]\n");
			break;
		}
		for (i = 0; i < v->arr.nr; i++) {
			const struct ktstr_value *e = v->arr.elems[i];

			sb_printf(b, "%*s[%zu]:", indent + 2, "", i);
			if (e && (e->kind == KTSTR_VALUE_STRUCT || e->kind == KTSTR_VALUE_UNION ||
				  e->kind == KTSTR_VALUE_ARRAY)) {
				sb_puts(b, "\n");
				sb_tree(b, e, indent + 2);
			} else {
				sb_puts(b, " ");
				sb_tree(b, e, indent + 2);
			}
		}
		break;
	default:
		break;
	}
}

int ktstr_value__print_tree(const struct ktstr_value *v, FILE *f, int indent)
{
	struct sbuf b = { 0 };

	sb_tree(&b, v, indent - 2);
	if (b.fail) {
		free(b.s);
		return -ENOMEM;
	}
	if (b.s && fputs(b.s, f) == EOF) {
		free(b.s);
		return -EIO;
	}
	free(b.s);
	return 0;
}
