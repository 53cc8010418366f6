// SPDX-License-Identifier: GPL-2.0
/*
 * The rendered value tree (user/lib/value.c): construction, deep copy,
 * equality (floats by bits), navigation through anonymous members, and
 * the two text forms people read, escaping included.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/value.h>

#include "kselftest_harness.h"

static struct ktstr_value *mk_int(const char *type, uint32_t bits, int64_t i)
{
	struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_INT, type);

	if (v) {
		v->bits = bits;
		v->i = i;
	}
	return v;
}

static struct ktstr_value *mk_uint(const char *type, uint32_t bits, uint64_t u)
{
	struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_UINT, type);

	if (v) {
		v->bits = bits;
		v->u = u;
	}
	return v;
}

static struct ktstr_value *mk_float(double f, uint32_t bits)
{
	struct ktstr_value *v;

	v = ktstr_value__new(KTSTR_VALUE_FLOAT, bits == 32 ? "float" : "double");
	if (v) {
		v->flt.f = f;
		v->flt.bits = bits;
	}
	return v;
}

static struct ktstr_value *mk_str(const char *s, size_t size)
{
	struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_STRING, "char[16]");

	if (v) {
		v->str.str = strdup(s);
		v->str.len = strlen(s);
		v->str.size = size;
	}
	return v;
}

static struct ktstr_value *mk_enum(const char *name, int64_t val, bool is_signed)
{
	struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_ENUM, "enum state");

	if (v) {
		v->enm.value = val;
		v->enm.is_signed = is_signed;
		v->enm.name = name ? strdup(name) : NULL;
	}
	return v;
}

/* {a=1, b={c=2}} as struct outer { int a; struct inner { unsigned c; } b; } */
static struct ktstr_value *mk_nested(void)
{
	struct ktstr_value *outer = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct outer");
	struct ktstr_value *inner = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct inner");

	if (!outer || !inner ||
	    ktstr_value__add_member(inner, "c", mk_uint("unsigned int", 32, 2), 0, 0) ||
	    ktstr_value__add_member(outer, "a", mk_int("int", 32, 1), 0, 0) ||
	    ktstr_value__add_member(outer, "b", inner, 32, 0)) {
		ktstr_value__free(outer);
		return NULL;
	}
	return outer;
}

/* Every kind, for clone and equality. */
static struct ktstr_value *mk_every_kind(void)
{
	struct ktstr_value *s = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct all");
	struct ktstr_value *u = ktstr_value__new(KTSTR_VALUE_UNION, "union u");
	struct ktstr_value *arr = ktstr_value__new(KTSTR_VALUE_ARRAY, "u16[3]");
	struct ktstr_value *b = ktstr_value__new(KTSTR_VALUE_BOOL, "bool");
	struct ktstr_value *ch = ktstr_value__new(KTSTR_VALUE_CHAR, "char");
	struct ktstr_value *by = ktstr_value__new(KTSTR_VALUE_BYTES, "u8[3]");
	struct ktstr_value *p = ktstr_value__new(KTSTR_VALUE_PTR, "struct task_struct *");
	struct ktstr_value *p2 = ktstr_value__new(KTSTR_VALUE_PTR, "void *");
	int i, err = 0;

	if (!s || !u || !arr || !b || !ch || !by || !p || !p2)
		goto fail;
	b->b = true;
	ch->i = 'x';
	ch->bits = 8;
	by->bytes.data = malloc(3);
	if (!by->bytes.data)
		goto fail;
	memcpy(by->bytes.data, "\x00\xab\xff", 3);
	by->bytes.len = 3;
	p->ptr.addr = 0xffff888000001000ull;
	p->ptr.target = mk_int("pid_t", 32, 42);
	p2->ptr.addr = 0x10;
	p2->ptr.note = strdup("not mapped");
	for (i = 0; i < 3; i++)
		err |= ktstr_value__add_elem(arr, mk_uint("u16", 16, i * 100));
	err |= ktstr_value__add_member(u, "raw", mk_uint("u32", 32, 7), 0, 0);
	err |= ktstr_value__add_member(u, "f", mk_float(-0.0, 32), 0, 0);
	err |= ktstr_value__add_member(s, "i", mk_int("s64", 64, INT64_MIN), 0, 0);
	err |= ktstr_value__add_member(s, "u", mk_uint("u64", 64, UINT64_MAX), 64, 0);
	err |= ktstr_value__add_member(s, "flags", mk_uint("u32", 3, 5), 128, 3);
	err |= ktstr_value__add_member(s, "b", b, 131, 0);
	b = NULL;
	err |= ktstr_value__add_member(s, "c", ch, 136, 0);
	ch = NULL;
	err |= ktstr_value__add_member(s, "d", mk_float(NAN, 64), 192, 0);
	err |= ktstr_value__add_member(s, "e", mk_enum("RUNNING", 2, false), 256, 0);
	err |= ktstr_value__add_member(s, "comm", mk_str("kworker/0:1", 16), 288, 0);
	err |= ktstr_value__add_member(s, "raw", by, 416, 0);
	by = NULL;
	err |= ktstr_value__add_member(s, "task", p, 448, 0);
	p = NULL;
	err |= ktstr_value__add_member(s, "ctx", p2, 512, 0);
	p2 = NULL;
	err |= ktstr_value__add_member(s, "", u, 576, 0);
	u = NULL;
	err |= ktstr_value__add_member(s, "cpus", arr, 640, 0);
	arr = NULL;
	err |= ktstr_value__add_member(s, "bad", ktstr_value__new_error("struct x",
				       "short read: %d of %d", 3, 8), 704, 0);
	if (err)
		goto fail;
	return s;
fail:
	ktstr_value__free(s);
	ktstr_value__free(u);
	ktstr_value__free(arr);
	ktstr_value__free(b);
	ktstr_value__free(ch);
	ktstr_value__free(by);
	ktstr_value__free(p);
	ktstr_value__free(p2);
	return NULL;
}

TEST(constructors_copy_strings)
{
	char name[] = "struct task_ctx";
	struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_STRUCT, name);
	struct ktstr_value *n = ktstr_value__new(KTSTR_VALUE_INT, NULL);
	struct ktstr_value *e;

	ASSERT_NE(NULL, v);
	ASSERT_NE(NULL, n);
	name[0] = 'X';
	EXPECT_STREQ("struct task_ctx", v->type_name);
	EXPECT_EQ(KTSTR_VALUE_STRUCT, v->kind);
	EXPECT_EQ(0, v->agg.nr);
	EXPECT_EQ(NULL, n->type_name);
	EXPECT_EQ(0, n->i);

	e = ktstr_value__new_error("u64", "cannot read %d bytes at %#x", 8, 0x1000);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_VALUE_ERROR, e->kind);
	EXPECT_STREQ("u64", e->type_name);
	EXPECT_STREQ("cannot read 8 bytes at 0x1000", e->error.msg);
	ktstr_value__free(v);
	ktstr_value__free(n);
	ktstr_value__free(e);
	ktstr_value__free(NULL);
}

TEST(add_member_and_elem)
{
	struct ktstr_value *s = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct s");
	struct ktstr_value *a = ktstr_value__new(KTSTR_VALUE_ARRAY, "u32[1000]");
	size_t i;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, ktstr_value__add_member(s, "x", mk_int("int", 32, -1), 0, 0));
	ASSERT_EQ(0, ktstr_value__add_member(s, NULL, mk_int("int", 32, 2), 32, 0));
	ASSERT_EQ(0, ktstr_value__add_member(s, "bf", mk_uint("u32", 5, 17), 64, 5));
	ASSERT_EQ(3, s->agg.nr);
	EXPECT_STREQ("x", s->agg.members[0].name);
	/* A NULL name is an anonymous member: "". */
	EXPECT_STREQ("", s->agg.members[1].name);
	EXPECT_EQ(64, s->agg.members[2].bit_offset);
	EXPECT_EQ(5, s->agg.members[2].bitfield_size);
	EXPECT_EQ(17, s->agg.members[2].value->u);

	/* Growth past every power of two keeps order and contents. */
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, ktstr_value__add_elem(a, mk_uint("u32", 32, i * 3)));
	ASSERT_EQ(1000, a->arr.nr);
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(i * 3, ktstr_value__index(a, i)->u);
	ktstr_value__free(s);
	ktstr_value__free(a);
}

TEST(clone_is_deep_and_equal)
{
	struct ktstr_value *v = mk_every_kind(), *c;
	struct ktstr_value *cm;

	ASSERT_NE(NULL, v);
	c = ktstr_value__clone(v);
	ASSERT_NE(NULL, c);
	EXPECT_TRUE(ktstr_value__equal(v, c));
	EXPECT_TRUE(ktstr_value__equal(c, v));
	/* No sharing: changing the copy leaves the original alone. */
	cm = (struct ktstr_value *)ktstr_value__member(c, "comm");
	ASSERT_NE(NULL, cm);
	EXPECT_NE(cm->str.str, ktstr_value__member(v, "comm")->str.str);
	cm->str.str[0] = 'K';
	EXPECT_STREQ("kworker/0:1", ktstr_value__member(v, "comm")->str.str);
	EXPECT_FALSE(ktstr_value__equal(v, c));
	cm->str.str[0] = 'k';
	EXPECT_TRUE(ktstr_value__equal(v, c));
	cm = (struct ktstr_value *)ktstr_value__member(c, "task")->ptr.target;
	cm->i = 43;
	EXPECT_EQ(42, ktstr_value__member(v, "task")->ptr.target->i);
	EXPECT_FALSE(ktstr_value__equal(v, c));
	EXPECT_EQ(NULL, ktstr_value__clone(NULL));
	ktstr_value__free(v);
	ktstr_value__free(c);
}

TEST(equal_floats_by_bits)
{
	struct ktstr_value *a = mk_float(NAN, 64), *b = mk_float(NAN, 64);
	struct ktstr_value *z = mk_float(0.0, 64), *nz = mk_float(-0.0, 64);
	struct ktstr_value *f32 = mk_float(1.5, 32), *f64 = mk_float(1.5, 64);

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, nz);
	EXPECT_TRUE(ktstr_value__equal(a, b));		/* NaN == NaN */
	EXPECT_FALSE(ktstr_value__equal(z, nz));	/* 0.0 != -0.0 */
	EXPECT_FALSE(ktstr_value__equal(f32, f64));	/* width counts */
	b->flt.f = -a->flt.f;				/* another NaN: sign bit */
	EXPECT_FALSE(ktstr_value__equal(a, b));
	ktstr_value__free(a);
	ktstr_value__free(b);
	ktstr_value__free(z);
	ktstr_value__free(nz);
	ktstr_value__free(f32);
	ktstr_value__free(f64);
}

TEST(equal_sees_every_field)
{
	struct ktstr_value *a = mk_every_kind(), *b;
	struct ktstr_member *m;
	size_t i;

	ASSERT_NE(NULL, a);
	EXPECT_TRUE(ktstr_value__equal(NULL, NULL));
	EXPECT_FALSE(ktstr_value__equal(a, NULL));
	/* Change each member's offset, then its bitfield size: unequal each time. */
	for (i = 0; i < a->agg.nr; i++) {
		b = ktstr_value__clone(a);
		ASSERT_NE(NULL, b);
		m = &b->agg.members[i];
		m->bit_offset++;
		EXPECT_FALSE(ktstr_value__equal(a, b));
		m->bit_offset--;
		m->bitfield_size++;
		EXPECT_FALSE(ktstr_value__equal(a, b));
		m->bitfield_size--;
		m->value->bits++;
		EXPECT_FALSE(ktstr_value__equal(a, b));
		m->value->bits--;
		EXPECT_TRUE(ktstr_value__equal(a, b));
		ktstr_value__free(b);
	}
	/* A NULL type name is not "". */
	b = ktstr_value__clone(a);
	ASSERT_NE(NULL, b);
	free(b->type_name);
	b->type_name = NULL;
	EXPECT_FALSE(ktstr_value__equal(a, b));
	ktstr_value__free(b);
	ktstr_value__free(a);
}

TEST(member_through_anonymous)
{
	/* struct { int a; union { int b; struct { int c; }; }; int c2; } */
	struct ktstr_value *s = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct s");
	struct ktstr_value *u = ktstr_value__new(KTSTR_VALUE_UNION, NULL);
	struct ktstr_value *in = ktstr_value__new(KTSTR_VALUE_STRUCT, NULL);

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, u);
	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, ktstr_value__add_member(in, "c", mk_int("int", 32, 3), 0, 0));
	ASSERT_EQ(0, ktstr_value__add_member(u, "b", mk_int("int", 32, 2), 0, 0));
	ASSERT_EQ(0, ktstr_value__add_member(u, "", in, 0, 0));
	ASSERT_EQ(0, ktstr_value__add_member(s, "a", mk_int("int", 32, 1), 0, 0));
	ASSERT_EQ(0, ktstr_value__add_member(s, "", u, 32, 0));
	ASSERT_EQ(0, ktstr_value__add_member(s, "c2", mk_int("int", 32, 4), 64, 0));

	EXPECT_EQ(1, ktstr_value__member(s, "a")->i);
	EXPECT_EQ(2, ktstr_value__member(s, "b")->i);
	EXPECT_EQ(3, ktstr_value__member(s, "c")->i);
	EXPECT_EQ(4, ktstr_value__member(s, "c2")->i);
	EXPECT_EQ(NULL, ktstr_value__member(s, "d"));
	/* "" names the anonymous member itself, as it is stored. */
	EXPECT_EQ(u, ktstr_value__member(s, ""));
	EXPECT_EQ(NULL, ktstr_value__member(ktstr_value__member(s, "a"), "a"));
	EXPECT_EQ(NULL, ktstr_value__member(NULL, "a"));
	ktstr_value__free(s);
}

TEST(index_bounds)
{
	struct ktstr_value *a = ktstr_value__new(KTSTR_VALUE_ARRAY, "int[2]");
	struct ktstr_value *s = mk_nested();

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, ktstr_value__add_elem(a, mk_int("int", 32, 10)));
	ASSERT_EQ(0, ktstr_value__add_elem(a, mk_int("int", 32, 20)));
	EXPECT_EQ(10, ktstr_value__index(a, 0)->i);
	EXPECT_EQ(20, ktstr_value__index(a, 1)->i);
	EXPECT_EQ(NULL, ktstr_value__index(a, 2));
	EXPECT_EQ(NULL, ktstr_value__index(a, SIZE_MAX));
	EXPECT_EQ(NULL, ktstr_value__index(s, 0));
	EXPECT_EQ(NULL, ktstr_value__index(NULL, 0));
	ktstr_value__free(a);
	ktstr_value__free(s);
}

/* ktstr_value__to_string() of @v, freeing @v. */
static char *str_of(struct ktstr_value *v)
{
	char *s = ktstr_value__to_string(v);

	ktstr_value__free(v);
	return s;
}

#define EXPECT_STR_OF(expected, v) do {				\
	char *__s = str_of(v);					\
	EXPECT_STREQ(expected, __s ? __s : "(null)");		\
	free(__s);						\
} while (0)

TEST(to_string_forms)
{
	struct ktstr_value *v;

	EXPECT_STR_OF("{a=1, b={c=2}}", mk_nested());
	EXPECT_STR_OF("-9223372036854775808", mk_int("s64", 64, INT64_MIN));
	EXPECT_STR_OF("18446744073709551615", mk_uint("u64", 64, UINT64_MAX));
	EXPECT_STR_OF("RUNNING", mk_enum("RUNNING", 2, false));
	EXPECT_STR_OF("-3", mk_enum(NULL, -3, true));
	EXPECT_STR_OF("18446744073709551613", mk_enum(NULL, -3, false));
	EXPECT_STR_OF("0.10000000000000001", mk_float(0.1, 64));
	EXPECT_STR_OF("-0", mk_float(-0.0, 64));
	EXPECT_STR_OF("\"kworker/0:1\"", mk_str("kworker/0:1", 16));

	v = ktstr_value__new(KTSTR_VALUE_CHAR, "char");
	ASSERT_NE(NULL, v);
	v->i = 'A';
	EXPECT_STR_OF("'A'", v);
	v = ktstr_value__new(KTSTR_VALUE_CHAR, "char");
	ASSERT_NE(NULL, v);
	v->i = 10;
	EXPECT_STR_OF("10", v);
	v = ktstr_value__new(KTSTR_VALUE_BOOL, "bool");
	ASSERT_NE(NULL, v);
	EXPECT_STR_OF("false", v);
	v = ktstr_value__new(KTSTR_VALUE_BYTES, "u8[2]");
	ASSERT_NE(NULL, v);
	v->bytes.data = malloc(2);
	ASSERT_NE(NULL, v->bytes.data);
	memcpy(v->bytes.data, "\x0f\xa0", 2);
	v->bytes.len = 2;
	EXPECT_STR_OF("0x0fa0", v);
	v = ktstr_value__new(KTSTR_VALUE_PTR, "int *");
	ASSERT_NE(NULL, v);
	v->ptr.addr = 0xffff8880dead0000ull;
	v->ptr.target = mk_int("int", 32, 7);
	EXPECT_STR_OF("0xffff8880dead0000 -> 7", v);
	EXPECT_STR_OF("<error: no BTF for type 12>",
		      ktstr_value__new_error(NULL, "no BTF for type %d", 12));
	v = ktstr_value__new(KTSTR_VALUE_ARRAY, "int[0]");
	EXPECT_STR_OF("[]", v);
	v = ktstr_value__new(KTSTR_VALUE_ARRAY, "int[2]");
	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, ktstr_value__add_elem(v, mk_int("int", 32, 1)));
	ASSERT_EQ(0, ktstr_value__add_elem(v, NULL));
	EXPECT_STR_OF("[1, <none>]", v);
}

TEST(to_string_escapes_control_bytes)
{
	/* Quotes and backslashes escaped; control and non-ASCII bytes as \xNN. */
	EXPECT_STR_OF("\"a\\\"b\\\\c\\x01\\x1b[2J\\x7f\\xc3\\xa9\"",
		      mk_str("a\"b\\c\x01\x1b[2J\x7f\xc3\xa9", 16));
	EXPECT_STR_OF("\"line\\x0anext\\x09tab\"", mk_str("line\nnext\ttab", 16));
}

TEST(print_tree_nested)
{
	struct ktstr_value *s = mk_nested(), *arr, *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_NE(NULL, s);
	arr = ktstr_value__new(KTSTR_VALUE_ARRAY, "u32[2]");
	ASSERT_NE(NULL, arr);
	ASSERT_EQ(0, ktstr_value__add_elem(arr, mk_uint("u32", 32, 5)));
	ASSERT_EQ(0, ktstr_value__add_elem(arr, mk_uint("u32", 32, 6)));
	ASSERT_EQ(0, ktstr_value__add_member(s, "cpus", arr, 64, 0));
	p = ktstr_value__new(KTSTR_VALUE_PTR, "void *");
	ASSERT_NE(NULL, p);
	p->ptr.addr = 0x1000;
	p->ptr.note = strdup("not followed: no reader");
	ASSERT_EQ(0, ktstr_value__add_member(s, "next", p, 128, 0));
	ASSERT_EQ(0, ktstr_value__add_member(s, "name", mk_str("t\x01", 8), 192, 0));

	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_value__print_tree(s, f, 0));
	fclose(f);
	EXPECT_STREQ("a: 1\n"
		     "b:\n"
		     "  c: 2\n"
		     "cpus:\n"
		     "  [0]: 5\n"
		     "  [1]: 6\n"
		     "next: 0x1000 (not followed: no reader)\n"
		     "name: \"t\\x01\"\n", buf);
	free(buf);

	/* The indent argument shifts every line. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_value__print_tree(ktstr_value__member(s, "b"), f, 4));
	fclose(f);
	EXPECT_STREQ("    c: 2\n", buf);
	free(buf);
	ktstr_value__free(s);
}

TEST(print_tree_long_text_whole)
{
	struct ktstr_value *s = ktstr_value__new(KTSTR_VALUE_STRUCT, "struct s");
	struct ktstr_value *p = ktstr_value__new(KTSTR_VALUE_PTR, "void *");
	char note[300], name[200], *buf = NULL, *want;
	size_t len = 0;
	FILE *f;

	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, p);
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	memset(name, 'm', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	p->ptr.addr = 0x20;
	p->ptr.note = strdup(note);
	ASSERT_EQ(0, ktstr_value__add_member(s, name, p, 0, 0));
	f = open_memstream(&buf, &len);
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, ktstr_value__print_tree(s, f, 0));
	fclose(f);
	/* Long names and notes are printed whole, never cut. */
	ASSERT_LT(0, asprintf(&want, "%s: 0x20 (%s)\n", name, note));
	EXPECT_STREQ(want, buf);
	free(want);
	free(buf);
	ktstr_value__free(s);
}

TEST_HARNESS_MAIN
