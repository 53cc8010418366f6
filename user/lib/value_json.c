// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON form of a rendered value, and the field encodings the dump
 * report's JSON shares with it (see value_json.h; the schema is written
 * down at the top of dump_json.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value_json.h"

/* Paths and errors */

static size_t path_append(struct ktstr_json_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t path_append(struct ktstr_json_ctx *c, const char *fmt, ...)
{
	size_t saved = c->path_len, room = sizeof(c->path) - c->path_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + c->path_len, room, fmt, ap);
	va_end(ap);
	/* A path too long for the buffer is cut, never overrun. */
	if (n > 0)
		c->path_len += (size_t)n < room ? (size_t)n : room - 1;
	return saved;
}

size_t ktstr_json_push_key(struct ktstr_json_ctx *c, const char *key)
{
	char shown[80];
	size_t i;

	/* Keys come from the document: keep control bytes off the terminal. */
	for (i = 0; key[i] && i < sizeof(shown) - 1; i++)
		shown[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	shown[i] = '\0';
	return path_append(c, "%s%s", c->path_len ? "." : "", shown);
}

size_t ktstr_json_push_index(struct ktstr_json_ctx *c, size_t i)
{
	return path_append(c, "[%zu]", i);
}

void ktstr_json_pop(struct ktstr_json_ctx *c, size_t saved)
{
	c->path_len = saved;
	c->path[saved] = '\0';
}

static void vfail(struct ktstr_json_ctx *c, const char *fmt, va_list ap)
{
	int n;

	if (c->failed)
		return;
	c->failed = true;
	if (!c->err || !c->err_len)
		return;
	/* A deep path keeps its start and its end, which say the most. */
	if (c->path_len > 240)
		n = snprintf(c->err, c->err_len, "%.80s...%s: ", c->path,
			     c->path + c->path_len - 140);
	else
		n = snprintf(c->err, c->err_len, "%s: ",
			     c->path_len ? c->path : "(top level)");
	if (n >= 0 && (size_t)n < c->err_len)
		vsnprintf(c->err + n, c->err_len - n, fmt, ap);
}

int ktstr_json_fail(struct ktstr_json_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int ktstr_json_oom(struct ktstr_json_ctx *c)
{
	ktstr_json_fail(c, "out of memory");
	return -ENOMEM;
}

/* Text from the document, quoted and shortened for an error message. */
static const char *quoted(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[o++] = '\'';
	for (; *s && o + 6 < len; s++) {
		unsigned char ch = *s;

		if (ch >= 0x20 && ch < 0x7f)
			buf[o++] = ch;
		else
			o += snprintf(buf + o, len - o, "\\x%02x", ch);
	}
	if (*s && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

static const char *type_desc(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

int ktstr_json_check_object(struct ktstr_json_ctx *c, const json_t *obj,
			    const char *const *allowed)
{
	const char *key;
	json_t *val;
	char buf[80];
	size_t i;

	if (!json_is_object(obj))
		return ktstr_json_fail(c, "expected an object, found %s", type_desc(obj));
	json_object_foreach((json_t *)obj, key, val) {
		for (i = 0; allowed[i]; i++)
			if (!strcmp(key, allowed[i]))
				break;
		if (!allowed[i])
			return ktstr_json_fail(c, "unexpected field %s",
					       quoted(key, buf, sizeof(buf)));
	}
	return 0;
}

/* Field readers */

int ktstr_json_get(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		   bool required, json_t **out)
{
	json_t *j = json_object_get(obj, key);
	size_t saved;

	*out = j && !json_is_null(j) ? j : NULL;
	if (*out || !required)
		return 0;
	saved = ktstr_json_push_key(c, key);
	ktstr_json_fail(c, j ? "must not be null" : "missing");
	ktstr_json_pop(c, saved);
	return -EINVAL;
}

int ktstr_json_u64_of(struct ktstr_json_ctx *c, const json_t *j, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s;

	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0)
			return ktstr_json_fail(c, "%" JSON_INTEGER_FORMAT " is negative",
					       json_integer_value(j));
		v = json_integer_value(j);
	} else if (json_is_string(j)) {
		/* Decimal digits: how values above INT64_MAX are written. */
		s = json_string_value(j);
		if (!*s || (s[0] == '0' && s[1]))
			return ktstr_json_fail(c, "expected decimal digits");
		for (; *s; s++) {
			if (*s < '0' || *s > '9')
				return ktstr_json_fail(c, "expected decimal digits");
			if (v > (UINT64_MAX - (*s - '0')) / 10)
				return ktstr_json_fail(c, "does not fit in 64 bits");
			v = v * 10 + (*s - '0');
		}
	} else {
		return ktstr_json_fail(c, "expected an unsigned integer, found %s", type_desc(j));
	}
	if (v > max)
		return ktstr_json_fail(c, "%" PRIu64 " is out of range (at most %" PRIu64 ")",
				       v, max);
	*out = v;
	return 0;
}

/* Run @conv on field @key of @obj with the key on the path. */
#define WITH_FIELD(c, obj, key, required, j, conv) ({				\
	json_t *j;								\
	int __err = ktstr_json_get(c, obj, key, required, &j);			\
	if (!__err && j) {							\
		size_t __saved = ktstr_json_push_key(c, key);			\
		__err = (conv);							\
		ktstr_json_pop(c, __saved);					\
	}									\
	__err;									\
})

int ktstr_json_get_u64(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		       bool required, uint64_t max, uint64_t *out)
{
	return WITH_FIELD(c, obj, key, required, j, ktstr_json_u64_of(c, j, max, out));
}

int ktstr_json_get_u32(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		       bool required, uint32_t *out)
{
	uint64_t v = *out;
	int err;

	err = ktstr_json_get_u64(c, obj, key, required, UINT32_MAX, &v);
	if (!err)
		*out = v;
	return err;
}

static int bool_of(struct ktstr_json_ctx *c, const json_t *j, bool *out)
{
	if (!json_is_boolean(j))
		return ktstr_json_fail(c, "expected a boolean, found %s", type_desc(j));
	*out = json_is_true(j);
	return 0;
}

int ktstr_json_get_bool(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			bool required, bool *out)
{
	return WITH_FIELD(c, obj, key, required, j, bool_of(c, j, out));
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int ktstr_json_addr_of(struct ktstr_json_ctx *c, const json_t *j, uint64_t *out)
{
	const char *s = json_is_string(j) ? json_string_value(j) : NULL;
	uint64_t v = 0;
	size_t n;

	if (!s || strncmp(s, "0x", 2) || !s[2] || strlen(s + 2) > 16)
		goto bad;
	for (s += 2, n = 0; s[n]; n++) {
		if (hexval(s[n]) < 0)
			goto bad;
		v = v << 4 | hexval(s[n]);
	}
	*out = v;
	return 0;
bad:
	return ktstr_json_fail(c, "expected an address: \"0x\" and 1 to 16 lowercase hex digits");
}

int ktstr_json_get_addr(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			bool required, uint64_t *out)
{
	return WITH_FIELD(c, obj, key, required, j, ktstr_json_addr_of(c, j, out));
}

/* Lowercase hex digits, an even number of them; the byte count in *len. */
static int check_hex(struct ktstr_json_ctx *c, const json_t *j, size_t *len)
{
	const char *s;
	size_t n, i;

	if (!json_is_string(j))
		return ktstr_json_fail(c, "expected a string of hex digits, found %s",
				       type_desc(j));
	s = json_string_value(j);
	n = json_string_length(j);
	if (n % 2)
		return ktstr_json_fail(c, "odd number of hex digits");
	for (i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return ktstr_json_fail(c, "expected lowercase hex digits, found %s at %zu",
					       s[i] >= 0x20 && s[i] < 0x7f ? "a bad character" :
					       "a control byte", i);
	*len = n / 2;
	return 0;
}

static int hex_bytes_of(struct ktstr_json_ctx *c, const json_t *j, uint8_t **data, size_t *len)
{
	const char *s;
	size_t n, i;
	uint8_t *d;
	int err;

	err = check_hex(c, j, &n);
	if (err)
		return err;
	s = json_string_value(j);
	d = malloc(n ? n : 1);
	if (!d)
		return ktstr_json_oom(c);
	for (i = 0; i < n; i++)
		d[i] = hexval(s[2 * i]) << 4 | hexval(s[2 * i + 1]);
	*data = d;
	*len = n;
	return 0;
}

int ktstr_json_get_hex_bytes(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			     uint8_t **data, size_t *len)
{
	return WITH_FIELD(c, obj, key, true, j, hex_bytes_of(c, j, data, len));
}

static int hex_str_of(struct ktstr_json_ctx *c, const json_t *j, char **out)
{
	size_t n;
	int err;

	err = check_hex(c, j, &n);
	if (err)
		return err;
	*out = strdup(json_string_value(j));
	return *out ? 0 : ktstr_json_oom(c);
}

int ktstr_json_get_hex_str(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			   char **out)
{
	return WITH_FIELD(c, obj, key, true, j, hex_str_of(c, j, out));
}

int ktstr_json_str_of(struct ktstr_json_ctx *c, const json_t *j, char **out)
{
	static const char *const hex_keys[] = { "hex", NULL };
	uint8_t *data;
	size_t len, saved;
	json_t *hex;
	int err;

	if (json_is_string(j)) {
		/* Without JSON_ALLOW_NUL jansson has refused "\u0000" already. */
		*out = strdup(json_string_value(j));
		return *out ? 0 : ktstr_json_oom(c);
	}
	if (!json_is_object(j))
		return ktstr_json_fail(c, "expected a string, found %s", type_desc(j));
	/* Text that is not UTF-8, as {"hex": "..."}. */
	err = ktstr_json_check_object(c, j, hex_keys);
	if (err)
		return err;
	hex = json_object_get(j, "hex");
	if (!hex)
		return ktstr_json_fail(c, "expected a string, or an object with \"hex\"");
	saved = ktstr_json_push_key(c, "hex");
	err = hex_bytes_of(c, hex, &data, &len);
	if (!err && memchr(data, 0, len)) {
		free(data);
		err = ktstr_json_fail(c, "text holds a NUL byte");
	}
	ktstr_json_pop(c, saved);
	if (err)
		return err;
	*out = malloc(len + 1);
	if (!*out) {
		free(data);
		return ktstr_json_oom(c);
	}
	memcpy(*out, data, len);
	(*out)[len] = '\0';
	free(data);
	return 0;
}

int ktstr_json_get_str(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		       bool required, char **out)
{
	return WITH_FIELD(c, obj, key, required, j, ktstr_json_str_of(c, j, out));
}

int ktstr_json_get_array(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			 bool required, json_t **out)
{
	json_t *j;
	size_t saved;
	int err;

	err = ktstr_json_get(c, obj, key, required, &j);
	if (err)
		return err;
	if (j && !json_is_array(j)) {
		saved = ktstr_json_push_key(c, key);
		err = ktstr_json_fail(c, "expected an array, found %s", type_desc(j));
		ktstr_json_pop(c, saved);
		return err;
	}
	*out = j;
	return 0;
}

/* Encoders */

json_t *ktstr_json_u64(uint64_t v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

json_t *ktstr_json_addr(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

json_t *ktstr_json_hex(const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *d = data;
	json_t *j;
	char *s;
	size_t i;

	s = malloc(2 * len + 1);
	if (!s)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[d[i] >> 4];
		s[2 * i + 1] = digits[d[i] & 0xf];
	}
	j = json_stringn_nocheck(s, 2 * len);
	free(s);
	return j;
}

json_t *ktstr_json_str(const char *s)
{
	json_t *j;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	/* Not UTF-8 (names and text read from a guest may be anything). */
	return json_pack("{s:o}", "hex", ktstr_json_hex(s, strlen(s)));
}

/* Values */

static const char *const kind_names[] = {
	[KTSTR_VALUE_INT] = "int",
	[KTSTR_VALUE_UINT] = "uint",
	[KTSTR_VALUE_BOOL] = "bool",
	[KTSTR_VALUE_CHAR] = "char",
	[KTSTR_VALUE_FLOAT] = "float",
	[KTSTR_VALUE_ENUM] = "enum",
	[KTSTR_VALUE_STRING] = "string",
	[KTSTR_VALUE_BYTES] = "bytes",
	[KTSTR_VALUE_PTR] = "ptr",
	[KTSTR_VALUE_STRUCT] = "struct",
	[KTSTR_VALUE_UNION] = "union",
	[KTSTR_VALUE_ARRAY] = "array",
	[KTSTR_VALUE_ERROR] = "error",
};

#define NR_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

/* The fields each kind may have, after "kind", "type" and "bits". */
#define COMMON "kind", "type", "bits"
static const char *const kind_fields[][8] = {
	[KTSTR_VALUE_INT] = { COMMON, "value", NULL },
	[KTSTR_VALUE_UINT] = { COMMON, "value", NULL },
	[KTSTR_VALUE_BOOL] = { COMMON, "value", NULL },
	[KTSTR_VALUE_CHAR] = { COMMON, "value", NULL },
	[KTSTR_VALUE_FLOAT] = { COMMON, "float_bits", "value", NULL },
	[KTSTR_VALUE_ENUM] = { COMMON, "signed", "value", "name", NULL },
	[KTSTR_VALUE_STRING] = { COMMON, "size", "value", NULL },
	[KTSTR_VALUE_BYTES] = { COMMON, "value", NULL },
	[KTSTR_VALUE_PTR] = { COMMON, "addr", "note", "target", NULL },
	[KTSTR_VALUE_STRUCT] = { COMMON, "members", NULL },
	[KTSTR_VALUE_UNION] = { COMMON, "members", NULL },
	[KTSTR_VALUE_ARRAY] = { COMMON, "elems", NULL },
	[KTSTR_VALUE_ERROR] = { COMMON, "message", NULL },
};
static const char *const member_fields[] = {
	"name", "bit_offset", "bitfield_size", "value", NULL
};

#define CANONICAL_NAN	0x7ff8000000000000ull

/*
 * A double: a JSON real when finite (written with 17 significant digits,
 * which reads back to the same bits, -0.0 included), else "inf", "-inf",
 * or "nan:0x" and the 16 hex digits of its bits, so a NaN keeps its sign
 * and payload.
 */
static json_t *float_to_json(double f)
{
	char buf[32];
	uint64_t bits;

	if (isfinite(f))
		return json_real(f);
	if (isinf(f))
		return json_string(f < 0 ? "-inf" : "inf");
	memcpy(&bits, &f, sizeof(bits));
	snprintf(buf, sizeof(buf), "nan:0x%016" PRIx64, bits);
	return json_string(buf);
}

static int float_of(struct ktstr_json_ctx *c, const json_t *j, double *out)
{
	const char *s;
	uint64_t bits = 0;
	int i;

	if (json_is_number(j)) {
		*out = json_number_value(j);
		return 0;
	}
	if (!json_is_string(j))
		return ktstr_json_fail(c, "expected a number, found %s", type_desc(j));
	s = json_string_value(j);
	if (!strcmp(s, "inf") || !strcmp(s, "-inf")) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (strncmp(s, "nan:0x", 6) || strlen(s) != 22)
		goto bad;
	for (i = 6; i < 22; i++) {
		if (hexval(s[i]) < 0)
			goto bad;
		bits = bits << 4 | hexval(s[i]);
	}
	memcpy(out, &bits, sizeof(*out));
	if (!isnan(*out))
		return ktstr_json_fail(c, "%s is not a NaN", s);
	return 0;
bad:
	return ktstr_json_fail(c, "expected a number, \"inf\", \"-inf\" or "
			       "\"nan:0x<16 hex digits>\"");
}

static int set(json_t *o, const char *key, json_t *v)
{
	/* json_object_set_new() drops @v on failure, and fails on NULL. */
	return json_object_set_new_nocheck(o, key, v) ? -ENOMEM : 0;
}

static json_t *to_json(const struct ktstr_value *v, unsigned int depth, int *err);

static int members_to_json(json_t *o, const struct ktstr_value *v, unsigned int depth)
{
	json_t *arr = json_array(), *m;
	size_t i;
	int err = 0;

	if (set(o, "members", arr))
		return -ENOMEM;
	for (i = 0; i < v->agg.nr && !err; i++) {
		const struct ktstr_member *mb = &v->agg.members[i];
		json_t *mv;

		m = json_object();
		if (json_array_append_new(arr, m))
			return -ENOMEM;
		if (set(m, "name", ktstr_json_str(mb->name)) ||
		    set(m, "bit_offset", json_integer(mb->bit_offset)) ||
		    (mb->bitfield_size &&
		     set(m, "bitfield_size", json_integer(mb->bitfield_size))))
			return -ENOMEM;
		mv = to_json(mb->value, depth + 1, &err);
		if (!err && set(m, "value", mv))
			err = -ENOMEM;
	}
	return err;
}

static int elems_to_json(json_t *o, const struct ktstr_value *v, unsigned int depth)
{
	json_t *arr = json_array(), *e;
	size_t i;
	int err = 0;

	if (set(o, "elems", arr))
		return -ENOMEM;
	for (i = 0; i < v->arr.nr && !err; i++) {
		e = to_json(v->arr.elems[i], depth + 1, &err);
		if (!err && json_array_append_new(arr, e))
			err = -ENOMEM;
	}
	return err;
}

static int fields_to_json(json_t *o, const struct ktstr_value *v, unsigned int depth)
{
	json_t *t;
	int err = 0;

	switch (v->kind) {
	case KTSTR_VALUE_INT:
	case KTSTR_VALUE_CHAR:
		return set(o, "value", json_integer(v->i));
	case KTSTR_VALUE_UINT:
		return set(o, "value", ktstr_json_u64(v->u));
	case KTSTR_VALUE_BOOL:
		return set(o, "value", json_boolean(v->b));
	case KTSTR_VALUE_FLOAT:
		return set(o, "float_bits", json_integer(v->flt.bits)) ?:
		       set(o, "value", float_to_json(v->flt.f));
	case KTSTR_VALUE_ENUM:
		return set(o, "signed", json_boolean(v->enm.is_signed)) ?:
		       set(o, "value", v->enm.is_signed ? json_integer(v->enm.value) :
					ktstr_json_u64((uint64_t)v->enm.value)) ?:
		       (v->enm.name ? set(o, "name", ktstr_json_str(v->enm.name)) : 0);
	case KTSTR_VALUE_STRING:
		return set(o, "size", ktstr_json_u64(v->str.size)) ?:
		       (v->str.str ? set(o, "value", ktstr_json_str(v->str.str)) : 0);
	case KTSTR_VALUE_BYTES:
		return set(o, "value", ktstr_json_hex(v->bytes.data, v->bytes.len));
	case KTSTR_VALUE_PTR:
		err = set(o, "addr", ktstr_json_addr(v->ptr.addr)) ?:
		      (v->ptr.note ? set(o, "note", ktstr_json_str(v->ptr.note)) : 0);
		if (err || !v->ptr.target)
			return err;
		t = to_json(v->ptr.target, depth + 1, &err);
		return err ?: set(o, "target", t);
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		return members_to_json(o, v, depth);
	case KTSTR_VALUE_ARRAY:
		return elems_to_json(o, v, depth);
	case KTSTR_VALUE_ERROR:
		return v->error.msg ? set(o, "message", ktstr_json_str(v->error.msg)) : 0;
	}
	return -EINVAL;
}

static json_t *to_json(const struct ktstr_value *v, unsigned int depth, int *err)
{
	json_t *o;

	if (!v)
		return json_null();
	if (depth >= KTSTR_VALUE_JSON_MAX_DEPTH || (unsigned int)v->kind >= NR_KINDS) {
		*err = -EINVAL;
		return NULL;
	}
	o = json_object();
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	/* Fields in the order a person reads them: what it is, then its value. */
	*err = set(o, "kind", json_string(kind_names[v->kind])) ?:
	       (v->type_name ? set(o, "type", ktstr_json_str(v->type_name)) : 0) ?:
	       (v->bits ? set(o, "bits", json_integer(v->bits)) : 0) ?:
	       fields_to_json(o, v, depth);
	if (*err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *ktstr_value__to_json(const struct ktstr_value *v)
{
	int err = 0;
	json_t *j = to_json(v, 0, &err);

	if (!j)
		errno = err ? -err : ENOMEM;
	return j;
}

static int members_of(struct ktstr_json_ctx *c, const json_t *o, struct ktstr_value *v)
{
	json_t *arr, *m;
	size_t i, saved, saved_i;
	int err;

	err = ktstr_json_get_array(c, o, "members", true, &arr);
	if (err)
		return err;
	saved = ktstr_json_push_key(c, "members");
	json_array_foreach(arr, i, m) {
		struct ktstr_value *mv = NULL;
		char *name = NULL;
		uint32_t off = 0, bf = 0;
		json_t *jv;

		saved_i = ktstr_json_push_index(c, i);
		err = ktstr_json_check_object(c, m, member_fields) ?:
		      ktstr_json_get_str(c, m, "name", true, &name) ?:
		      ktstr_json_get_u32(c, m, "bit_offset", true, &off) ?:
		      ktstr_json_get_u32(c, m, "bitfield_size", false, &bf);
		/* Required, but null: a member whose value was not rendered. */
		jv = json_object_get(m, "value");
		if (!err) {
			size_t s = ktstr_json_push_key(c, "value");

			err = jv ? ktstr_value__from_json(c, jv, true, &mv) :
				   ktstr_json_fail(c, "missing");
			ktstr_json_pop(c, s);
		}
		if (!err && ktstr_value__add_member(v, name, mv, off, bf))
			err = ktstr_json_oom(c);
		free(name);
		if (err) {
			ktstr_value__free(mv);
			return err;
		}
		ktstr_json_pop(c, saved_i);
	}
	ktstr_json_pop(c, saved);
	return 0;
}

static int elems_of(struct ktstr_json_ctx *c, const json_t *o, struct ktstr_value *v)
{
	json_t *arr, *e;
	size_t i, saved, saved_i;
	int err;

	err = ktstr_json_get_array(c, o, "elems", true, &arr);
	if (err)
		return err;
	saved = ktstr_json_push_key(c, "elems");
	json_array_foreach(arr, i, e) {
		struct ktstr_value *ev;

		saved_i = ktstr_json_push_index(c, i);
		err = ktstr_value__from_json(c, e, true, &ev);
		if (!err && ktstr_value__add_elem(v, ev)) {
			ktstr_value__free(ev);
			err = ktstr_json_oom(c);
		}
		if (err)
			return err;
		ktstr_json_pop(c, saved_i);
	}
	ktstr_json_pop(c, saved);
	return 0;
}

static int int_of(struct ktstr_json_ctx *c, const json_t *j, int64_t *out)
{
	if (!json_is_integer(j))
		return ktstr_json_fail(c, "expected an integer, found %s", type_desc(j));
	*out = json_integer_value(j);
	return 0;
}

static int fields_of(struct ktstr_json_ctx *c, const json_t *o, struct ktstr_value *v)
{
	uint64_t u = 0;
	int err = 0;
	json_t *t;
	size_t s;

	switch (v->kind) {
	case KTSTR_VALUE_INT:
	case KTSTR_VALUE_CHAR:
		return WITH_FIELD(c, o, "value", true, j, int_of(c, j, &v->i));
	case KTSTR_VALUE_UINT:
		return ktstr_json_get_u64(c, o, "value", true, UINT64_MAX, &v->u);
	case KTSTR_VALUE_BOOL:
		return ktstr_json_get_bool(c, o, "value", true, &v->b);
	case KTSTR_VALUE_FLOAT:
		return ktstr_json_get_u32(c, o, "float_bits", true, &v->flt.bits) ?:
		       WITH_FIELD(c, o, "value", true, j, float_of(c, j, &v->flt.f));
	case KTSTR_VALUE_ENUM:
		err = ktstr_json_get_bool(c, o, "signed", true, &v->enm.is_signed);
		if (err)
			return err;
		/* An unsigned enum keeps its bits in the signed field. */
		if (v->enm.is_signed)
			err = WITH_FIELD(c, o, "value", true, j, int_of(c, j, &v->enm.value));
		else if (!(err = ktstr_json_get_u64(c, o, "value", true, UINT64_MAX, &u)))
			v->enm.value = (int64_t)u;
		return err ?: ktstr_json_get_str(c, o, "name", false, &v->enm.name);
	case KTSTR_VALUE_STRING:
		err = ktstr_json_get_u64(c, o, "size", true, UINT32_MAX, &u) ?:
		      ktstr_json_get_str(c, o, "value", false, &v->str.str);
		if (err)
			return err;
		v->str.size = u;
		v->str.len = v->str.str ? strlen(v->str.str) : 0;
		if (v->str.len > v->str.size) {
			s = ktstr_json_push_key(c, "value");
			err = ktstr_json_fail(c, "%zu bytes of text in a %zu-byte array",
					      v->str.len, v->str.size);
			ktstr_json_pop(c, s);
		}
		return err;
	case KTSTR_VALUE_BYTES:
		return ktstr_json_get_hex_bytes(c, o, "value", &v->bytes.data, &v->bytes.len);
	case KTSTR_VALUE_PTR:
		err = ktstr_json_get_addr(c, o, "addr", true, &v->ptr.addr) ?:
		      ktstr_json_get_str(c, o, "note", false, &v->ptr.note) ?:
		      ktstr_json_get(c, o, "target", false, &t);
		if (err || !t)
			return err;
		s = ktstr_json_push_key(c, "target");
		err = ktstr_value__from_json(c, t, false, &v->ptr.target);
		ktstr_json_pop(c, s);
		return err;
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		return members_of(c, o, v);
	case KTSTR_VALUE_ARRAY:
		return elems_of(c, o, v);
	case KTSTR_VALUE_ERROR:
		return ktstr_json_get_str(c, o, "message", false, &v->error.msg);
	}
	return -EINVAL;
}

int ktstr_value__from_json(struct ktstr_json_ctx *c, const json_t *j, bool allow_null,
			   struct ktstr_value **out)
{
	struct ktstr_value *v;
	const char *kind;
	json_t *jk;
	char buf[80];
	size_t k, s;
	int err;

	*out = NULL;
	if (json_is_null(j) && allow_null)
		return 0;
	if (!json_is_object(j))
		return ktstr_json_fail(c, "expected a value object%s, found %s",
				       allow_null ? " or null" : "", type_desc(j));
	if (c->depth >= KTSTR_VALUE_JSON_MAX_DEPTH)
		return ktstr_json_fail(c, "values nest deeper than %d levels",
				       KTSTR_VALUE_JSON_MAX_DEPTH);
	err = ktstr_json_get(c, j, "kind", true, &jk);
	if (err)
		return err;
	kind = json_is_string(jk) ? json_string_value(jk) : NULL;
	for (k = 0; kind && k < NR_KINDS; k++)
		if (!strcmp(kind, kind_names[k]))
			break;
	if (!kind || k == NR_KINDS) {
		s = ktstr_json_push_key(c, "kind");
		err = kind ? ktstr_json_fail(c, "unknown kind %s", quoted(kind, buf, sizeof(buf))) :
			     ktstr_json_fail(c, "expected a string, found %s", type_desc(jk));
		ktstr_json_pop(c, s);
		return err;
	}
	err = ktstr_json_check_object(c, j, kind_fields[k]);
	if (err)
		return err;
	v = ktstr_value__new(k, NULL);
	if (!v)
		return ktstr_json_oom(c);
	c->depth++;
	err = ktstr_json_get_str(c, j, "type", false, &v->type_name) ?:
	      ktstr_json_get_u32(c, j, "bits", false, &v->bits) ?:
	      fields_of(c, j, v);
	c->depth--;
	if (err) {
		ktstr_value__free(v);
		return err;
	}
	*out = v;
	return 0;
}
