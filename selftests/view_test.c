// SPDX-License-Identifier: GPL-2.0
/*
 * The snapshot view (user/lib/snapshot.c, field.c, view_error.c) over
 * reports built in C: every error kind with the alternatives it names,
 * var() with one, two and no hits, active() in each case the capture can
 * leave, pickers, per-CPU projection, find/filter/max_by and the keys a
 * NO_MATCH samples, pointers, anonymous members, arrays and the terminal
 * accessors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/dump.h>
#include <ktstr/snapshot.h>
#include <ktstr/value.h>

#include "kselftest_harness.h"

/* ---- building reports ------------------------------------------------- */

static void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "out of memory building a test report\n");
		abort();
	}
	return p;
}

static struct ktstr_value *U(uint64_t x)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_UINT, "u64"));

	v->u = x;
	v->bits = 64;
	return v;
}

static struct ktstr_value *U32(uint64_t x)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_UINT, "u32"));

	v->u = x;
	v->bits = 32;
	return v;
}

static struct ktstr_value *I(int64_t x)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_INT, "s32"));

	v->i = x;
	v->bits = 32;
	return v;
}

static struct ktstr_value *B(bool b)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_BOOL, "bool"));

	v->b = b;
	return v;
}

static struct ktstr_value *F(double f)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_FLOAT, "double"));

	v->flt.f = f;
	v->flt.bits = 64;
	return v;
}

static struct ktstr_value *STR(const char *s)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_STRING, "char[16]"));

	v->str.str = must(strdup(s));
	v->str.len = strlen(s);
	v->str.size = 16;
	return v;
}

static struct ktstr_value *ENUMV(int64_t x, bool is_signed, const char *name)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_ENUM, "enum mode"));

	v->enm.value = x;
	v->enm.is_signed = is_signed;
	v->enm.name = name ? must(strdup(name)) : NULL;
	return v;
}

static struct ktstr_value *PTR(uint64_t addr, struct ktstr_value *target, const char *note)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_PTR, "struct task_ctx *"));

	v->ptr.addr = addr;
	v->ptr.target = target;
	v->ptr.note = note ? must(strdup(note)) : NULL;
	return v;
}

/* A struct of (name, value) pairs up to a NULL name; "" is anonymous. */
static struct ktstr_value *S(const char *type, ...)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_STRUCT, type));
	const char *name;
	va_list ap;

	va_start(ap, type);
	while ((name = va_arg(ap, const char *)))
		if (ktstr_value__add_member(v, name, va_arg(ap, struct ktstr_value *), 0, 0))
			abort();
	va_end(ap);
	return v;
}

static struct ktstr_value *UNION(const char *type, const char *a, struct ktstr_value *av,
				 const char *b, struct ktstr_value *bv)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_UNION, type));

	if (ktstr_value__add_member(v, a, av, 0, 0) || ktstr_value__add_member(v, b, bv, 0, 0))
		abort();
	return v;
}

/* An array of @n values. */
static struct ktstr_value *A(size_t n, ...)
{
	struct ktstr_value *v = must(ktstr_value__new(KTSTR_VALUE_ARRAY, "u64[]"));
	va_list ap;

	va_start(ap, n);
	while (n--)
		if (ktstr_value__add_elem(v, va_arg(ap, struct ktstr_value *)))
			abort();
	va_end(ap);
	return v;
}

static struct ktstr_dump_map *add_map(struct ktstr_dump_report *r, const char *name,
				      uint64_t kva, struct ktstr_value *value)
{
	struct ktstr_dump_map *m = must(ktstr_dump__add_map(r, name));

	m->kva = kva;
	m->value = value;
	return m;
}

/* A HASH entry; @key NULL: no BTF for the key, only @key_hex. */
static void add_entry(struct ktstr_dump_map *m, struct ktstr_value *key, const char *key_hex,
		      struct ktstr_value *value)
{
	struct ktstr_dump_entry *e;

	m->entries = must(realloc(m->entries, (m->nr_entries + 1) * sizeof(*e)));
	e = &m->entries[m->nr_entries++];
	e->key = key;
	e->key_hex = must(strdup(key_hex));
	e->value = value;
	e->value_hex = must(strdup("00"));
}

/* A per-CPU array entry with @nr slots; NULL slots were not captured. */
static void add_percpu(struct ktstr_dump_map *m, uint32_t key, size_t nr, ...)
{
	struct ktstr_dump_percpu_entry *e;
	va_list ap;
	size_t i;

	m->percpu_entries = must(realloc(m->percpu_entries,
					 (m->nr_percpu_entries + 1) * sizeof(*e)));
	e = &m->percpu_entries[m->nr_percpu_entries++];
	e->key = key;
	e->nr_cpus = nr;
	e->per_cpu = must(calloc(nr, sizeof(*e->per_cpu)));
	va_start(ap, nr);
	for (i = 0; i < nr; i++)
		e->per_cpu[i] = va_arg(ap, struct ktstr_value *);
	va_end(ap);
}

static void add_percpu_hash(struct ktstr_dump_map *m, struct ktstr_value *key,
			    const char *key_hex, size_t nr, ...)
{
	struct ktstr_dump_percpu_hash_entry *e;
	va_list ap;
	size_t i;

	m->percpu_hash_entries = must(realloc(m->percpu_hash_entries,
					      (m->nr_percpu_hash_entries + 1) * sizeof(*e)));
	e = &m->percpu_hash_entries[m->nr_percpu_hash_entries++];
	e->key = key;
	e->key_hex = must(strdup(key_hex));
	e->nr_cpus = nr;
	e->per_cpu = must(calloc(nr, sizeof(*e->per_cpu)));
	va_start(ap, nr);
	for (i = 0; i < nr; i++)
		e->per_cpu[i] = va_arg(ap, struct ktstr_value *);
	va_end(ap);
}

static void set_active(struct ktstr_dump_report *r, const char *obj, size_t nr, ...)
{
	va_list ap;
	size_t i;

	r->active_obj_name = must(strdup(obj));
	if (!nr)
		return;
	r->active_map_kvas = must(calloc(nr, sizeof(uint64_t)));
	r->nr_active_map_kvas = nr;
	va_start(ap, nr);
	for (i = 0; i < nr; i++)
		r->active_map_kvas[i] = va_arg(ap, uint64_t);
	va_end(ap);
}

static bool has_alt(const struct ktstr_error *e, const char *s)
{
	for (size_t i = 0; e && i < e->nr_alternatives; i++)
		if (!strcmp(e->alternatives[i], s))
			return true;
	return false;
}

static uint64_t u64_of(struct ktstr_field f)
{
	uint64_t x = UINT64_MAX;

	if (ktstr_field__as_u64(f, &x))
		return UINT64_MAX;
	return x;
}

/* The scheduler task map: struct key {tid}, struct value {runs, vtime}. */
static struct ktstr_dump_map *add_tasks(struct ktstr_dump_report *r, const char *name, int n)
{
	struct ktstr_dump_map *m = add_map(r, name, 0, NULL);
	char hex[16];

	for (int i = 0; i < n; i++) {
		snprintf(hex, sizeof(hex), "%02x000000", i + 1);
		add_entry(m, S("struct key", "tid", I(i + 1), NULL), hex,
			  S("struct value", "runs", U(i * 2), "vtime", U(100 - i * 10), NULL));
	}
	return m;
}

FIXTURE(view) {
	struct ktstr_dump_report *r;
	struct ktstr_snapshot *s;
};

FIXTURE_SETUP(view)
{
	self->r = ktstr_dump__new();
	ASSERT_NE(NULL, self->r);
	self->s = NULL;
}

FIXTURE_TEARDOWN(view)
{
	ktstr_snapshot__free(self->s);
	ktstr_dump__free(self->r);
}

#define SNAP() (self->s = self->s ? self->s : ktstr_snapshot__new(self->r))

/* ---- error kinds, maps ------------------------------------------------ */

TEST(kind_names)
{
	EXPECT_STREQ("MAP_NOT_FOUND", ktstr_error_kind__str(KTSTR_ERR_MAP_NOT_FOUND));
	EXPECT_STREQ("VAR_NOT_FOUND", ktstr_error_kind__str(KTSTR_ERR_VAR_NOT_FOUND));
	EXPECT_STREQ("AMBIGUOUS_VAR", ktstr_error_kind__str(KTSTR_ERR_AMBIGUOUS_VAR));
	EXPECT_STREQ("MAP_RENDER_INCOMPLETE",
		     ktstr_error_kind__str(KTSTR_ERR_MAP_RENDER_INCOMPLETE));
	EXPECT_STREQ("PLACEHOLDER", ktstr_error_kind__str(KTSTR_ERR_PLACEHOLDER));
	EXPECT_STREQ("NO_ACTIVE_SCHEDULER", ktstr_error_kind__str(KTSTR_ERR_NO_ACTIVE_SCHEDULER));
	EXPECT_STREQ("ACTIVE_FILTER_EXCLUDED",
		     ktstr_error_kind__str(KTSTR_ERR_ACTIVE_FILTER_EXCLUDED));
	EXPECT_STREQ("PROJECTION_FAILED", ktstr_error_kind__str(KTSTR_ERR_PROJECTION_FAILED));
	EXPECT_STREQ("NO_MATCH", ktstr_error_kind__str(KTSTR_ERR_NO_MATCH));
	EXPECT_STREQ("INDEX_OUT_OF_RANGE", ktstr_error_kind__str(KTSTR_ERR_INDEX_OUT_OF_RANGE));
	EXPECT_STREQ("PERCPU_SLOT", ktstr_error_kind__str(KTSTR_ERR_PERCPU_SLOT));
	EXPECT_STREQ("FIELD_NOT_FOUND", ktstr_error_kind__str(KTSTR_ERR_FIELD_NOT_FOUND));
	EXPECT_STREQ("TYPE_MISMATCH", ktstr_error_kind__str(KTSTR_ERR_TYPE_MISMATCH));
	EXPECT_STREQ("NULL_POINTER", ktstr_error_kind__str(KTSTR_ERR_NULL_POINTER));
	EXPECT_STREQ("MISSING_STATS", ktstr_error_kind__str(KTSTR_ERR_MISSING_STATS));
	EXPECT_STREQ("NOMEM", ktstr_error_kind__str(KTSTR_ERR_NOMEM));
	EXPECT_STREQ("UNKNOWN", ktstr_error_kind__str(0));
	EXPECT_STREQ("UNKNOWN", ktstr_error_kind__str(999));
}

TEST_F(view, map_by_name_and_not_found)
{
	const struct ktstr_error *e;
	struct ktstr_map m;

	add_map(self->r, "sched.bss", 0, S("", "x", U(1), NULL));
	add_tasks(self->r, "tasks", 1);
	m = ktstr_snapshot__map(SNAP(), "tasks");
	ASSERT_EQ(NULL, m.err);
	EXPECT_STREQ("tasks", ktstr_map__name(m));
	EXPECT_EQ(1, ktstr_map__len(m));
	EXPECT_EQ(2, ktstr_snapshot__map_count(self->s));
	EXPECT_FALSE(ktstr_snapshot__is_placeholder(self->s));

	m = ktstr_snapshot__map(self->s, "task");
	e = m.err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NULL, m.map);
	EXPECT_EQ(NULL, ktstr_map__name(m));
	EXPECT_EQ(KTSTR_ERR_MAP_NOT_FOUND, e->kind);
	EXPECT_STREQ("task", e->requested);
	ASSERT_EQ(2, e->nr_alternatives);
	EXPECT_STREQ("sched.bss", e->alternatives[0]);
	EXPECT_STREQ("tasks", e->alternatives[1]);
	EXPECT_STREQ("no map named 'task'; available maps: sched.bss, tasks", e->msg);
	/* The same question gets the same error, not another copy. */
	EXPECT_EQ(e, ktstr_snapshot__map(self->s, "task").err);
}

TEST_F(view, messages_stay_one_line)
{
	const struct ktstr_error *e;

	add_map(self->r, "evil\nname.bss", 0, S("", "x", U(1), NULL));
	e = ktstr_snapshot__map(SNAP(), "bad\tname").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NULL, strchr(e->msg, '\n'));
	EXPECT_EQ(NULL, strchr(e->msg, '\t'));
	EXPECT_NE(NULL, strstr(e->msg, "evil\\x0aname.bss"));
	/* The structured fields keep the names as they are. */
	EXPECT_STREQ("evil\nname.bss", e->alternatives[0]);
}

TEST(placeholder_everywhere)
{
	struct ktstr_dump_report *r = ktstr_dump__new_placeholder("rendezvous timed out");
	struct ktstr_snapshot *s = ktstr_snapshot__new(r);
	const struct ktstr_error *e = NULL;
	struct ktstr_field f;

	ASSERT_NE(NULL, s);
	EXPECT_TRUE(ktstr_snapshot__is_placeholder(s));
	EXPECT_EQ(0, ktstr_snapshot__map_count(s));
	EXPECT_EQ(KTSTR_ERR_PLACEHOLDER, ktstr_snapshot__map(s, "a.bss").err->kind);
	f = ktstr_snapshot__var(s, "x");
	EXPECT_EQ(KTSTR_ERR_PLACEHOLDER, f.err->kind);
	EXPECT_NE(NULL, strstr(f.err->msg, "rendezvous timed out"));
	EXPECT_EQ(KTSTR_ERR_PLACEHOLDER, ktstr_snapshot__live_var(s, "x").err->kind);
	EXPECT_EQ(KTSTR_ERR_PLACEHOLDER,
		  ktstr_snapshot__live_var_via(s, "x", ktstr_pick_max_u64, NULL).err->kind);
	EXPECT_EQ(NULL, ktstr_snapshot__active(s, &e));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_PLACEHOLDER, e->kind);
	EXPECT_EQ(0, ktstr_snapshot__vars(s, "x", NULL, NULL, 0));
	ktstr_snapshot__free(s);
	ktstr_dump__free(r);
}

/* ---- var -------------------------------------------------------------- */

TEST_F(view, var_one_hit)
{
	struct ktstr_field f;

	add_map(self->r, "sched.bss", 0,
		S("", "nr_cpus_onln", U32(4), "", S(NULL, "hidden", U(7), NULL), NULL));
	add_map(self->r, "sched.rodata", 0, S("", "slice_ns", U(20000000), NULL));
	add_map(self->r, "notglobal", 0, S("", "nr_cpus_onln", U(99), NULL));
	f = ktstr_snapshot__var(SNAP(), "nr_cpus_onln");
	ASSERT_EQ(NULL, f.err);
	EXPECT_EQ(4, u64_of(f));
	EXPECT_EQ(20000000, u64_of(ktstr_snapshot__var(self->s, "slice_ns")));
	/* Found through an anonymous member, as C finds it. */
	EXPECT_EQ(7, u64_of(ktstr_snapshot__var(self->s, "hidden")));
}

TEST_F(view, var_no_hit_lists_every_variable)
{
	const struct ktstr_error *e;

	add_map(self->r, "a.bss", 0, S("", "zeta", U(1), "alpha", U(2), NULL));
	add_map(self->r, "a.data", 0,
		S("", "alpha", U(3), "", S(NULL, "inner", U(4), NULL), NULL));
	add_map(self->r, "other", 0, S("", "not_listed", U(5), NULL));
	e = ktstr_snapshot__var(SNAP(), "nr_cpus").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_VAR_NOT_FOUND, e->kind);
	EXPECT_STREQ("nr_cpus", e->requested);
	/* Sorted, de-duplicated, anonymous members looked through. */
	ASSERT_EQ(3, e->nr_alternatives);
	EXPECT_STREQ("alpha", e->alternatives[0]);
	EXPECT_STREQ("inner", e->alternatives[1]);
	EXPECT_STREQ("zeta", e->alternatives[2]);
	EXPECT_STREQ("no global variable named 'nr_cpus'; global variables: alpha, inner, zeta",
		     e->msg);
	EXPECT_EQ(KTSTR_ERR_VAR_NOT_FOUND, ktstr_snapshot__var(self->s, "").err->kind);
}

TEST_F(view, var_no_hit_in_unrendered_section)
{
	struct ktstr_dump_map *m;
	const struct ktstr_error *e;

	add_map(self->r, "a.bss", 0, S("", "x", U(1), NULL));
	m = add_map(self->r, "a.data", 0, NULL);
	m->error = strdup("BTF for .data missing");
	e = ktstr_snapshot__var(SNAP(), "y").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_MAP_RENDER_INCOMPLETE, e->kind);
	EXPECT_STREQ("a.data", e->where);
	EXPECT_NE(NULL, strstr(e->msg, "BTF for .data missing"));
	/* A hit elsewhere still answers. */
	EXPECT_EQ(1, u64_of(ktstr_snapshot__var(self->s, "x")));
}

TEST_F(view, var_two_hits_ambiguous)
{
	const char *maps[4];
	struct ktstr_field fields[4];
	const struct ktstr_error *e;

	add_map(self->r, "old.bss", 0, S("", "cnt", U(1), NULL));
	add_map(self->r, "new.bss", 0, S("", "cnt", U(2), NULL));
	e = ktstr_snapshot__var(SNAP(), "cnt").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_AMBIGUOUS_VAR, e->kind);
	ASSERT_EQ(2, e->nr_alternatives);
	EXPECT_STREQ("old.bss", e->alternatives[0]);
	EXPECT_STREQ("new.bss", e->alternatives[1]);
	EXPECT_NE(NULL, strstr(e->msg, "found in: old.bss, new.bss"));

	EXPECT_EQ(2, ktstr_snapshot__vars(self->s, "cnt", maps, fields, 4));
	EXPECT_STREQ("new.bss", maps[1]);
	EXPECT_EQ(2, u64_of(fields[1]));
	/* cap bounds the fill, not the count */
	EXPECT_EQ(2, ktstr_snapshot__vars(self->s, "cnt", maps, fields, 1));
}

TEST_F(view, var_two_hits_falls_back_to_active)
{
	add_map(self->r, "old.bss", 0, S("", "cnt", U(1), NULL));
	add_map(self->r, "new.bss", 0, S("", "cnt", U(2), NULL));
	set_active(self->r, "new", 0);
	EXPECT_EQ(2, u64_of(ktstr_snapshot__var(SNAP(), "cnt")));
}

TEST_F(view, var_same_binary_resolved_by_kva)
{
	add_map(self->r, "mitosis.bss", 0x1000, S("", "cnt", U(10), NULL));
	add_map(self->r, "mitosis.bss", 0x2000, S("", "cnt", U(20), NULL));
	add_map(self->r, "mitosis.data", 0x2100, S("", "knob", U(3), NULL));
	set_active(self->r, "mitosis", 2, (uint64_t)0x2000, (uint64_t)0x2100);
	EXPECT_EQ(20, u64_of(ktstr_snapshot__var(SNAP(), "cnt")));
	EXPECT_EQ(20, u64_of(ktstr_snapshot__live_var(self->s, "cnt")));
}

/* ---- active ----------------------------------------------------------- */

TEST_F(view, active_single_object)
{
	struct ktstr_snapshot *a;
	const struct ktstr_error *e = NULL;

	add_map(self->r, "sched.bss", 0, S("", "x", U(1), NULL));
	add_map(self->r, "sched.data", 0, S("", "y", U(2), NULL));
	add_map(self->r, "tasks", 0, NULL);
	a = ktstr_snapshot__active(SNAP(), &e);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(NULL, e);
	/* Only "sched.*" maps are seen. */
	EXPECT_EQ(2, ktstr_snapshot__map_count(a));
	EXPECT_EQ(KTSTR_ERR_MAP_NOT_FOUND, ktstr_snapshot__map(a, "tasks").err->kind);
	EXPECT_NE(NULL, strstr(ktstr_snapshot__map(a, "tasks").err->msg, "object 'sched'"));
	EXPECT_EQ(2, u64_of(ktstr_snapshot__var(a, "y")));
	/* A pure projection: the same view each time, from the root or itself. */
	EXPECT_EQ(a, ktstr_snapshot__active(self->s, NULL));
	EXPECT_EQ(a, ktstr_snapshot__active(a, NULL));
	/* Owned by the root: freeing it is a no-op. */
	ktstr_snapshot__free(a);
	EXPECT_EQ(1, u64_of(ktstr_snapshot__live_var(self->s, "x")));
}

TEST_F(view, active_no_global_sections)
{
	const struct ktstr_error *e = NULL;

	add_map(self->r, "tasks", 0, NULL);
	add_map(self->r, "bss", 0, NULL);
	EXPECT_EQ(NULL, ktstr_snapshot__active(SNAP(), &e));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NO_ACTIVE_SCHEDULER, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "no global-section maps"));
	EXPECT_EQ(e, ktstr_snapshot__live_var(self->s, "x").err);
}

TEST_F(view, active_several_objects_without_walker)
{
	const struct ktstr_error *e = NULL;

	add_map(self->r, "lavd.bss", 0, S("", "x", U(1), NULL));
	add_map(self->r, "rusty.bss", 0, S("", "x", U(2), NULL));
	EXPECT_EQ(NULL, ktstr_snapshot__active(SNAP(), &e));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NO_ACTIVE_SCHEDULER, e->kind);
	ASSERT_EQ(2, e->nr_alternatives);
	EXPECT_STREQ("lavd", e->alternatives[0]);
	EXPECT_STREQ("rusty", e->alternatives[1]);
	EXPECT_NE(NULL, strstr(e->msg, "2 BPF objects"));
	/* var() tried active() and, failing, reports the ambiguity. */
	EXPECT_EQ(KTSTR_ERR_AMBIGUOUS_VAR, ktstr_snapshot__var(self->s, "x").err->kind);
}

TEST_F(view, active_name_not_captured_falls_back)
{
	struct ktstr_snapshot *a;

	add_map(self->r, "lavd.bss", 0, S("", "x", U(1), NULL));
	set_active(self->r, "gone", 0);
	a = ktstr_snapshot__active(SNAP(), NULL);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, u64_of(ktstr_snapshot__var(a, "x")));
}

TEST_F(view, active_multi_copy_without_whitelist)
{
	const struct ktstr_error *e = NULL;

	add_map(self->r, "mitosis.bss", 0x1000, S("", "cnt", U(1), NULL));
	add_map(self->r, "mitosis.bss", 0x2000, S("", "cnt", U(2), NULL));
	add_map(self->r, "mitosis.data", 0x1100, S("", "k", U(1), NULL));
	add_map(self->r, "mitosis.data", 0x2100, S("", "k", U(1), NULL));
	add_map(self->r, "mitosis.rodata", 0x2200, S("", "r", U(1), NULL));
	EXPECT_EQ(NULL, ktstr_snapshot__active(SNAP(), &e));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NO_ACTIVE_SCHEDULER, e->kind);
	EXPECT_STREQ("mitosis", e->where);
	/* The multi-copy sections, and only those, with their counts. */
	ASSERT_EQ(2, e->nr_alternatives);
	EXPECT_STREQ("mitosis.bss", e->alternatives[0]);
	EXPECT_STREQ("mitosis.data", e->alternatives[1]);
	EXPECT_NE(NULL, strstr(e->msg, "bss x2, data x2, rodata x1"));
	EXPECT_NE(NULL, strstr(e->msg, "live_var_via"));
	EXPECT_EQ(KTSTR_ERR_AMBIGUOUS_VAR, ktstr_snapshot__var(self->s, "cnt").err->kind);
}

TEST_F(view, active_named_multi_copy_without_whitelist)
{
	const struct ktstr_error *e = NULL;

	add_map(self->r, "mitosis.bss", 0x1000, S("", "cnt", U(1), NULL));
	add_map(self->r, "mitosis.bss", 0x2000, S("", "cnt", U(2), NULL));
	set_active(self->r, "mitosis", 0);
	EXPECT_EQ(NULL, ktstr_snapshot__active(SNAP(), &e));
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NO_ACTIVE_SCHEDULER, e->kind);
	EXPECT_TRUE(has_alt(e, "mitosis.bss"));
}

TEST_F(view, active_whitelist_excludes_everything)
{
	struct ktstr_snapshot *a;
	const struct ktstr_error *e;

	add_map(self->r, "lavd.bss", 0x1000, S("", "x", U(1), NULL));
	add_map(self->r, "lavd.data", 0x1100, S("", "y", U(1), NULL));
	set_active(self->r, "lavd", 1, (uint64_t)0x9000);
	a = ktstr_snapshot__active(SNAP(), NULL);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, ktstr_snapshot__map_count(a));
	e = ktstr_snapshot__map(a, "lavd.bss").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_ACTIVE_FILTER_EXCLUDED, e->kind);
	EXPECT_STREQ("lavd", e->where);
	EXPECT_STREQ("lavd.bss", e->requested);
	ASSERT_EQ(2, e->nr_alternatives);
	EXPECT_STREQ("lavd.bss", e->alternatives[0]);
	EXPECT_STREQ("lavd.data", e->alternatives[1]);
	EXPECT_NE(NULL, strstr(e->msg, "lavd.bss at 0x1000"));
	EXPECT_NE(NULL, strstr(e->msg, "whitelist: 0x9000"));
	EXPECT_EQ(KTSTR_ERR_ACTIVE_FILTER_EXCLUDED, ktstr_snapshot__var(a, "x").err->kind);
	EXPECT_EQ(KTSTR_ERR_ACTIVE_FILTER_EXCLUDED,
		  ktstr_snapshot__live_var(self->s, "x").err->kind);
	EXPECT_EQ(KTSTR_ERR_ACTIVE_FILTER_EXCLUDED,
		  ktstr_snapshot__live_var_via(a, "x", ktstr_pick_max_u64, NULL).err->kind);
}

TEST_F(view, active_whitelist_admits_one_then_typo_is_ordinary)
{
	struct ktstr_snapshot *a;

	add_map(self->r, "lavd.bss", 0x1000, S("", "x", U(1), NULL));
	add_map(self->r, "lavd.data", 0x1100, S("", "y", U(1), NULL));
	set_active(self->r, "lavd", 1, (uint64_t)0x1000);
	a = ktstr_snapshot__active(SNAP(), NULL);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(1, ktstr_snapshot__map_count(a));
	EXPECT_EQ(KTSTR_ERR_MAP_NOT_FOUND, ktstr_snapshot__map(a, "lavd.data").err->kind);
	EXPECT_EQ(KTSTR_ERR_VAR_NOT_FOUND, ktstr_snapshot__var(a, "nope").err->kind);
}

/* ---- live_var_via ----------------------------------------------------- */

static int pick_fixed(void *ctx, const char *const *maps, const struct ktstr_field *f, size_t n)
{
	return *(int *)ctx;
}

TEST_F(view, live_var_via_pickers)
{
	const struct ktstr_error *e;
	int idx;

	add_map(self->r, "m.bss", 0x1, S("", "cnt", U(5), NULL));
	add_map(self->r, "m.bss", 0x2, S("", "cnt", U(50), NULL));
	add_map(self->r, "m.data", 0x3, S("", "cnt", S(NULL, "not", U(1), NULL), NULL));
	EXPECT_EQ(50, u64_of(ktstr_snapshot__live_var_via(SNAP(), "cnt", ktstr_pick_max_u64,
							  NULL)));
	idx = 0;
	EXPECT_EQ(5, u64_of(ktstr_snapshot__live_var_via(self->s, "cnt", pick_fixed, &idx)));

	idx = 7;
	e = ktstr_snapshot__live_var_via(self->s, "cnt", pick_fixed, &idx).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_PROJECTION_FAILED, e->kind);
	EXPECT_EQ(7, e->index);
	EXPECT_EQ(3, e->len);
	EXPECT_STREQ("live_var_via: the picker for 'cnt' returned index 7, out of range for 3 candidates; candidates: m.bss, m.bss, m.data",
		     e->msg);

	idx = -1;
	e = ktstr_snapshot__live_var_via(self->s, "cnt", pick_fixed, &idx).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_PROJECTION_FAILED, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "declined"));
	EXPECT_EQ(KTSTR_ERR_PROJECTION_FAILED,
		  ktstr_snapshot__live_var_via(self->s, "cnt", NULL, NULL).err->kind);

	e = ktstr_snapshot__live_var_via(self->s, "missing", ktstr_pick_max_u64, NULL).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_VAR_NOT_FOUND, e->kind);
	EXPECT_EQ(3, e->nr_alternatives);
	EXPECT_STREQ("m.data", e->alternatives[2]);
}

TEST_F(view, pick_max_u64_skips_non_numbers)
{
	add_map(self->r, "a.bss", 0, S("", "v", S(NULL, "x", U(1), NULL), NULL));
	add_map(self->r, "b.bss", 0, S("", "v", U(3), NULL));
	add_map(self->r, "c.bss", 0, S("", "v", U(3), NULL));
	/* Ties go to the first; the struct is skipped. */
	struct ktstr_field f = ktstr_snapshot__live_var_via(SNAP(), "v", ktstr_pick_max_u64, NULL);

	ASSERT_EQ(NULL, f.err);
	EXPECT_EQ(self->r->maps[1].value->agg.members[0].value, f.value);
}

/* ---- maps: at, per-CPU ------------------------------------------------ */

TEST_F(view, at_ranges)
{
	struct ktstr_dump_map *m;
	const struct ktstr_error *e;
	struct ktstr_entry en;

	add_tasks(self->r, "tasks", 3);
	add_map(self->r, "one", 0, U(42));
	m = add_map(self->r, "broken", 0, NULL);
	m->error = strdup("lookup failed: -EPERM");
	add_map(self->r, "empty", 0, NULL);

	en = ktstr_map__at(ktstr_snapshot__map(SNAP(), "tasks"), 2);
	ASSERT_EQ(KTSTR_ENTRY_HASH, en.kind);
	EXPECT_EQ(3, u64_of(ktstr_entry__get(en, "key.tid")));
	e = ktstr_map__at(ktstr_snapshot__map(self->s, "tasks"), 3).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(3, e->index);
	EXPECT_EQ(3, e->len);
	EXPECT_STREQ("map 'tasks': entry 3 is out of range (3 entries, 0..2)", e->msg);

	en = ktstr_map__at(ktstr_snapshot__map(self->s, "one"), 0);
	ASSERT_EQ(KTSTR_ENTRY_VALUE, en.kind);
	EXPECT_EQ(42, u64_of(ktstr_entry__value(en)));
	EXPECT_EQ(42, u64_of(ktstr_entry__get(en, "")));
	e = ktstr_map__at(ktstr_snapshot__map(self->s, "one"), 1).err;
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(1, e->len);

	e = ktstr_map__at(ktstr_snapshot__map(self->s, "broken"), 0).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_MAP_RENDER_INCOMPLETE, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "-EPERM"));
	e = ktstr_map__at(ktstr_snapshot__map(self->s, "empty"), 0).err;
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(0, e->len);
}

TEST_F(view, percpu_array_projection)
{
	struct ktstr_dump_map *m;
	const struct ktstr_error *e;
	struct ktstr_map pm;
	struct ktstr_entry en;

	m = add_map(self->r, "stats", 0, NULL);
	add_percpu(m, 0, 4, S("c", "n", U(10), NULL), S("c", "n", U(11), NULL), NULL,
		   S("c", "n", U(13), NULL));
	add_percpu(m, 1, 4, S("c", "n", U(20), NULL), S("c", "n", U(21), NULL),
		   S("c", "n", U(22), NULL), S("c", "n", U(23), NULL));
	pm = ktstr_snapshot__map(SNAP(), "stats");
	EXPECT_EQ(2, ktstr_map__len(pm));

	en = ktstr_map__at(ktstr_map__cpu(pm, 1), 1);
	ASSERT_EQ(KTSTR_ENTRY_VALUE, en.kind);
	EXPECT_EQ(21, u64_of(ktstr_entry__get(en, "n")));

	e = ktstr_map__at(ktstr_map__cpu(pm, 9), 0).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, e->kind);
	EXPECT_EQ(9, e->index);
	EXPECT_EQ(4, e->len);
	EXPECT_STREQ("map 'stats': CPU 9 is beyond the 4 CPUs captured per entry (0..3)", e->msg);
	e = ktstr_map__at(ktstr_map__cpu(pm, 2), 0).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "not captured"));
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, ktstr_map__cpu(pm, -3).err->kind);

	/* Not narrowed: every CPU's value; a path may start with the CPU. */
	en = ktstr_map__at(pm, 0);
	ASSERT_EQ(KTSTR_ENTRY_PERCPU, en.kind);
	EXPECT_EQ(13, u64_of(ktstr_entry__get(en, "3.n")));
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, ktstr_entry__get(en, "2.n").err->kind);
	e = ktstr_entry__get(en, "n").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "ktstr_map__cpu"));
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, ktstr_entry__value(en).err->kind);
	/* An array's key is its index. */
	EXPECT_EQ(0, u64_of(ktstr_entry__key(en)));
	EXPECT_EQ(1, u64_of(ktstr_entry__get(ktstr_map__at(pm, 1), "key")));
	EXPECT_STREQ("1", ktstr_entry__key_string(ktstr_map__at(pm, 1)));
}

static bool n_is(void *ctx, struct ktstr_entry e)
{
	uint64_t n;

	return !ktstr_field__as_u64(ktstr_entry__get(e, "n"), &n) && n == *(uint64_t *)ctx;
}

TEST_F(view, percpu_hash_projection_and_find)
{
	struct ktstr_dump_map *m;
	const struct ktstr_error *e;
	struct ktstr_map pm;
	struct ktstr_entry en;
	uint64_t want;

	m = add_map(self->r, "pcpu_hash", 0, NULL);
	add_percpu_hash(m, U32(7), "07000000", 2, S("c", "n", U(1), NULL),
			S("c", "n", U(2), NULL));
	add_percpu_hash(m, U32(8), "08000000", 2, S("c", "n", U(3), NULL), NULL);
	pm = ktstr_map__cpu(ktstr_snapshot__map(SNAP(), "pcpu_hash"), 1);
	want = 2;
	en = ktstr_map__find(pm, n_is, &want);
	ASSERT_EQ(KTSTR_ENTRY_VALUE, en.kind);
	want = 3;	/* only on CPU 0 */
	e = ktstr_map__find(pm, n_is, &want).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NO_MATCH, e->kind);
	/* A CPU projection keeps the keys for the sample. */
	ASSERT_EQ(2, e->nr_alternatives);
	EXPECT_STREQ("7", e->alternatives[0]);
	EXPECT_STREQ("8", e->alternatives[1]);

	en = ktstr_map__at(ktstr_snapshot__map(self->s, "pcpu_hash"), 1);
	ASSERT_EQ(KTSTR_ENTRY_PERCPU_HASH, en.kind);
	EXPECT_EQ(8, u64_of(ktstr_entry__key(en)));
	EXPECT_EQ(3, u64_of(ktstr_entry__get(en, "0.n")));
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, ktstr_entry__get(en, "1.n").err->kind);
	EXPECT_EQ(KTSTR_ERR_PERCPU_SLOT, ktstr_entry__get(en, "5").err->kind);
}

/* ---- find / filter / max_by ------------------------------------------ */

static bool tid_is(void *ctx, struct ktstr_entry e)
{
	int64_t tid;

	return !ktstr_field__as_i64(ktstr_entry__get(e, "key.tid"), &tid) &&
	       tid == *(int64_t *)ctx;
}

static bool runs_over(void *ctx, struct ktstr_entry e)
{
	uint64_t runs;

	return !ktstr_field__as_u64(ktstr_entry__get(e, "runs"), &runs) &&
	       runs > *(uint64_t *)ctx;
}

static uint64_t by_vtime(void *ctx, struct ktstr_entry e)
{
	return u64_of(ktstr_entry__get(e, "value.vtime"));
}

static uint64_t constant(void *ctx, struct ktstr_entry e)
{
	return 5;
}

TEST_F(view, find_filter_max_by)
{
	struct ktstr_entry en, out[8];
	struct ktstr_map m;
	int64_t tid = 4;
	uint64_t over = 3;

	add_tasks(self->r, "tasks", 6);
	m = ktstr_snapshot__map(SNAP(), "tasks");
	en = ktstr_map__find(m, tid_is, &tid);
	ASSERT_EQ(KTSTR_ENTRY_HASH, en.kind);
	EXPECT_EQ(6, u64_of(ktstr_entry__get(en, "runs")));
	EXPECT_EQ(6, u64_of(ktstr_entry__get(en, "value.runs")));
	EXPECT_STREQ("{tid=4}", ktstr_entry__key_string(en));

	/* runs = 0, 2, 4, 6, 8, 10 */
	EXPECT_EQ(4, ktstr_map__filter(m, runs_over, &over, out, 8));
	EXPECT_EQ(3, u64_of(ktstr_entry__get(out[0], "key.tid")));
	EXPECT_EQ(4, ktstr_map__filter(m, runs_over, &over, out, 2));
	EXPECT_EQ(4, ktstr_map__filter(m, runs_over, &over, NULL, 0));

	/* vtime = 100, 90, ...: the first entry is the largest */
	en = ktstr_map__max_by(m, by_vtime, NULL);
	EXPECT_EQ(1, u64_of(ktstr_entry__get(en, "key.tid")));
	en = ktstr_map__max_by(m, constant, NULL);
	EXPECT_EQ(1, u64_of(ktstr_entry__get(en, "key.tid")));

	EXPECT_EQ(KTSTR_ERR_PROJECTION_FAILED, ktstr_map__find(m, NULL, NULL).err->kind);
	EXPECT_EQ(KTSTR_ERR_PROJECTION_FAILED, ktstr_map__max_by(m, NULL, NULL).err->kind);
}

TEST_F(view, no_match_samples_keys)
{
	const struct ktstr_error *e;
	struct ktstr_dump_map *bm;
	int64_t tid = 99;

	add_tasks(self->r, "tasks", 5);
	add_map(self->r, "empty", 0, NULL);
	bm = add_map(self->r, "broken", 0, NULL);
	bm->error = strdup("value BTF id 0");
	e = ktstr_map__find(ktstr_snapshot__map(SNAP(), "tasks"), tid_is, &tid).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NO_MATCH, e->kind);
	EXPECT_STREQ("find", e->requested);
	EXPECT_STREQ("tasks", e->where);
	EXPECT_EQ(5, e->len);
	ASSERT_EQ(KTSTR_NO_MATCH_KEY_SAMPLE, e->nr_alternatives);
	EXPECT_STREQ("{tid=1}", e->alternatives[0]);
	EXPECT_STREQ("{tid=3}", e->alternatives[2]);
	EXPECT_STREQ("find over map 'tasks': none of its 5 entries matched; sampled keys: {tid=1}, {tid=2}, {tid=3}",
		     e->msg);

	e = ktstr_map__find(ktstr_snapshot__map(self->s, "empty"), tid_is, &tid).err;
	EXPECT_EQ(KTSTR_ERR_NO_MATCH, e->kind);
	EXPECT_EQ(0, e->len);
	EXPECT_STREQ("find over map 'empty': the map is empty", e->msg);
	e = ktstr_map__max_by(ktstr_snapshot__map(self->s, "empty"), by_vtime, NULL).err;
	EXPECT_EQ(KTSTR_ERR_NO_MATCH, e->kind);
	EXPECT_STREQ("max_by", e->requested);
	EXPECT_EQ(KTSTR_ERR_MAP_RENDER_INCOMPLETE,
		  ktstr_map__find(ktstr_snapshot__map(self->s, "broken"), tid_is, &tid).err->kind);
	EXPECT_EQ(KTSTR_ERR_MAP_RENDER_INCOMPLETE,
		  ktstr_map__max_by(ktstr_snapshot__map(self->s, "broken"), by_vtime,
				    NULL).err->kind);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int more;

	while (*p) {
		more = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
		       (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (more < 0)
			return false;
		for (p++; more--; p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

static bool never(void *ctx, struct ktstr_entry e)
{
	return false;
}

/* A key whose rendering is "{" + @name + "=1}". */
static void add_named_key(struct ktstr_dump_map *m, const char *name)
{
	add_entry(m, S("struct k", name, U(1), NULL), "01", U(0));
}

TEST_F(view, no_match_key_truncation)
{
	char name[200], exact[200];
	struct ktstr_dump_map *m;
	const struct ktstr_error *e;
	const char *k;

	/*
	 * Rendered "{aaa...é...": the "é" (2 bytes) is the 79th character,
	 * the last one kept before the ellipsis; in the second key it is the
	 * 80th, the one the ellipsis replaces, and must go whole.
	 */
	memset(name, 'a', 77);
	strcpy(name + 77, "\xc3\xa9" "bbbbbbbbbbbbbbbbbbbbbbbbb");
	m = add_map(self->r, "wide", 0, NULL);
	add_named_key(m, name);
	memset(name, 'a', 78);
	strcpy(name + 78, "\xc3\xa9" "bbbbbbbbbbbbbbbbbbbbbbbbb");
	add_named_key(m, name);
	/* Exactly 80 characters but 81 bytes: not cut. */
	memset(exact, 'c', 75);
	strcpy(exact + 75, "\xc3\xa9");
	add_named_key(m, exact);

	e = ktstr_map__find(ktstr_snapshot__map(SNAP(), "wide"), never, NULL).err;
	ASSERT_NE(NULL, e);
	ASSERT_EQ(3, e->nr_alternatives);
	for (int i = 0; i < 2; i++) {
		k = e->alternatives[i];
		EXPECT_EQ(KTSTR_NO_MATCH_KEY_CHARS, utf8_chars(k));
		EXPECT_TRUE(utf8_valid(k));
		EXPECT_STREQ("\xe2\x80\xa6", k + strlen(k) - 3);
	}
	EXPECT_EQ(0, strncmp(e->alternatives[0] + 78, "\xc3\xa9\xe2\x80\xa6", 6));
	EXPECT_EQ(1 + 78 + 3, strlen(e->alternatives[1]));
	EXPECT_EQ('a', e->alternatives[1][78]);
	EXPECT_EQ(80, utf8_chars(e->alternatives[2]));
	EXPECT_EQ(81, strlen(e->alternatives[2]));
	EXPECT_EQ('}', e->alternatives[2][80]);
	EXPECT_TRUE(utf8_valid(e->msg));
	/* key_string gives the same cut form. */
	k = ktstr_entry__key_string(ktstr_map__at(ktstr_snapshot__map(self->s, "wide"), 1));
	EXPECT_STREQ(e->alternatives[1], k);
}

TEST_F(view, no_match_hex_keys_hint_btf)
{
	struct ktstr_dump_map *m;
	const struct ktstr_error *e;

	m = add_map(self->r, "nobtf", 0, NULL);
	add_entry(m, NULL, "0a000000", NULL);
	add_entry(m, NULL, "0b000000", NULL);
	e = ktstr_map__find(ktstr_snapshot__map(SNAP(), "nobtf"), never, NULL).err;
	ASSERT_NE(NULL, e);
	ASSERT_EQ(2, e->nr_alternatives);
	EXPECT_STREQ("hex:0a000000", e->alternatives[0]);
	EXPECT_STREQ("find over map 'nobtf': none of its 2 entries matched (keys shown as hex: the key type had no BTF; is the kernel built with CONFIG_DEBUG_INFO_BTF=y?); sampled keys: hex:0a000000, hex:0b000000",
		     e->msg);
	/* Key and value without BTF: their accessors say so. */
	e = ktstr_entry__key(ktstr_map__at(ktstr_snapshot__map(self->s, "nobtf"), 0)).err;
	EXPECT_EQ(KTSTR_ERR_MAP_RENDER_INCOMPLETE, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "hex:0a000000"));
	e = ktstr_entry__get(ktstr_map__at(ktstr_snapshot__map(self->s, "nobtf"), 0), "x").err;
	EXPECT_EQ(KTSTR_ERR_MAP_RENDER_INCOMPLETE, e->kind);

	/* One rendered key among them: no hint. */
	add_entry(m, U32(3), "03000000", U(1));
	self->r->maps[0].entries[0].key = U32(1);
	e = ktstr_map__find(ktstr_snapshot__map(self->s, "nobtf"), never, NULL).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NULL, strstr(e->msg, "CONFIG_DEBUG_INFO_BTF"));
	EXPECT_STREQ("1", e->alternatives[0]);
	EXPECT_STREQ("hex:0b000000", e->alternatives[1]);
}

/* ---- fields ------------------------------------------------------------ */

TEST_F(view, pointers_followed)
{
	const struct ktstr_error *e;
	struct ktstr_field g;
	uint64_t addr;

	add_map(self->r, "p.bss", 0,
		S("", "ctx", PTR(0xffff8880, S("struct task_ctx", "weight", U(100), NULL), NULL),
		  "ctx2", PTR(0xffff8881, PTR(0xffff8882, S("struct task_ctx", "weight", U(5), NULL), NULL), NULL),
		  "nullp", PTR(0, NULL, NULL),
		  "unread", PTR(0xffff9000, NULL, "depth limit"), NULL));
	g = ktstr_snapshot__var(SNAP(), "ctx");
	EXPECT_EQ(100, u64_of(ktstr_field__get(g, "weight")));
	EXPECT_EQ(100, u64_of(ktstr_field__member(g, "weight")));
	EXPECT_EQ(5, u64_of(ktstr_field__get(ktstr_snapshot__var(self->s, "ctx2"), "weight")));

	e = ktstr_field__get(ktstr_snapshot__var(self->s, "nullp"), "weight").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NULL_POINTER, e->kind);
	EXPECT_STREQ("weight", e->where);
	EXPECT_NE(NULL, strstr(e->msg, "at 0x0"));
	EXPECT_NE(NULL, strstr(e->msg, "NULL"));
	e = ktstr_field__get(ktstr_snapshot__var(self->s, "unread"), "weight").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_NULL_POINTER, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "0xffff9000"));
	EXPECT_NE(NULL, strstr(e->msg, "depth limit"));
	/* An unread pointer's value is its address. */
	ASSERT_EQ(0, ktstr_field__as_u64(ktstr_snapshot__var(self->s, "unread"), &addr));
	EXPECT_EQ(0xffff9000, addr);
}

TEST_F(view, paths_name_the_failing_component)
{
	const struct ktstr_error *e;
	struct ktstr_field root;

	add_map(self->r, "q.bss", 0,
		S("", "ctx",
		  S("struct task_ctx", "weight", S("struct w", "value", U(3), NULL),
		    "", UNION(NULL, "vtime", U(9), "dl", U(9)), NULL),
		  NULL));
	root = ktstr_snapshot__var(SNAP(), "ctx");
	EXPECT_EQ(3, u64_of(ktstr_field__get(root, "weight.value")));
	/* Anonymous union members, reached as C reaches them. */
	EXPECT_EQ(9, u64_of(ktstr_field__get(root, "vtime")));

	e = ktstr_field__get(root, "weight.valeu").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, e->kind);
	EXPECT_STREQ("weight.valeu", e->requested);
	EXPECT_STREQ("weight.valeu", e->where);
	ASSERT_EQ(1, e->nr_alternatives);
	EXPECT_STREQ("value", e->alternatives[0]);
	EXPECT_STREQ("path 'weight.valeu': no member 'valeu' in a struct (struct w) at 'weight'; members: value",
		     e->msg);

	e = ktstr_field__get(root, "nope").err;
	ASSERT_NE(NULL, e);
	ASSERT_EQ(3, e->nr_alternatives);
	EXPECT_STREQ("weight", e->alternatives[0]);
	EXPECT_STREQ("vtime", e->alternatives[1]);
	EXPECT_STREQ("dl", e->alternatives[2]);
	EXPECT_STREQ("nope", e->where);

	e = ktstr_field__get(root, "weight.value.deeper").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_STREQ("weight.value.deeper", e->where);
	EXPECT_NE(NULL, strstr(e->msg, "'weight.value' is an unsigned integer (u64)"));

	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_field__get(root, "weight..value").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_field__get(root, "weight.").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_field__get(root, ".weight").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_field__member(root, "").err->kind);
	/* The empty path is the field itself. */
	EXPECT_EQ(root.value, ktstr_field__get(root, "").value);
}

TEST_F(view, arrays)
{
	const struct ktstr_error *e;
	struct ktstr_field arr, f;

	add_map(self->r, "r.bss", 0,
		S("", "cpus", A(4, U(10), U(11), U(12), U(13)),
		  "pairs", A(2, S("pair", "a", U(1), NULL), S("pair", "a", U(2), NULL)),
		  "grid", A(2, A(2, U(1), U(2)), A(2, U(3), U(4))),
		  "empty", A(0), NULL));
	arr = ktstr_snapshot__var(SNAP(), "cpus");
	EXPECT_EQ(12, u64_of(ktstr_field__get(arr, "[2]")));
	EXPECT_EQ(12, u64_of(ktstr_field__get(arr, "2")));
	EXPECT_EQ(13, u64_of(ktstr_field__index(arr, 3)));
	f = ktstr_snapshot__var(self->s, "pairs");
	EXPECT_EQ(2, u64_of(ktstr_field__get(f, "[1].a")));
	EXPECT_EQ(2, u64_of(ktstr_field__get(f, "1.a")));
	EXPECT_EQ(4, u64_of(ktstr_field__get(ktstr_snapshot__var(self->s, "grid"), "[1][1]")));
	EXPECT_EQ(3, u64_of(ktstr_field__get(ktstr_snapshot__var(self->s, "grid"), "1.0")));

	e = ktstr_field__get(arr, "[4]").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(4, e->index);
	EXPECT_EQ(4, e->len);
	EXPECT_STREQ("[4]", e->where);
	EXPECT_NE(NULL, strstr(e->msg, "0..3"));
	e = ktstr_field__index(arr, 100).err;
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(100, e->index);
	e = ktstr_field__get(f, "[0].a[1]").err;
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_STREQ("[0].a[1]", e->where);
	e = ktstr_field__get(f, "[0][1]").err;
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_TRUE(has_alt(e, "a"));
	e = ktstr_field__get(arr, "len").err;
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_EQ(4, e->len);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_field__get(arr, "[x]").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_field__get(arr, "[1").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_field__get(arr, "[1]x").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND,
		  ktstr_field__get(arr, "[99999999999999999999999]").err->kind);
	e = ktstr_field__get(ktstr_snapshot__var(self->s, "empty"), "[0]").err;
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(0, e->len);
}

TEST_F(view, render_error_inside_a_value)
{
	const struct ktstr_error *e;

	add_map(self->r, "e.bss", 0,
		S("", "bad", must(ktstr_value__new_error("struct x", "unknown BTF kind 42")),
		  NULL));
	e = ktstr_field__get(ktstr_snapshot__var(SNAP(), "bad"), "y").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_MAP_RENDER_INCOMPLETE, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "unknown BTF kind 42"));
	EXPECT_EQ(-EINVAL, ktstr_field__as_u64(ktstr_snapshot__var(self->s, "bad"), NULL));
	EXPECT_NE(NULL, strstr(ktstr_snapshot__last_error(self->s)->msg, "unknown BTF kind 42"));
}

/* ---- terminal accessors ------------------------------------------------ */

TEST_F(view, terminal_accessors)
{
	const struct ktstr_error *e;
	struct ktstr_snapshot *s;
	const char *str;
	uint64_t u;
	int64_t i;
	double d;
	bool b;

	add_map(self->r, "t.bss", 0,
		S("", "u", U(UINT64_MAX), "neg", I(-5), "pos", I(5), "yes", B(true),
		  "f", F(2.5), "name", STR("lavd"), "mode", ENUMV(2, false, "MODE_B"),
		  "anon_enum", ENUMV(9, false, NULL), "senum", ENUMV(-1, true, "NEG"),
		  "obj", S("struct o", "x", U(1), NULL), NULL));
	s = SNAP();
#define VAR(n) ktstr_snapshot__var(s, n)
	ASSERT_EQ(0, ktstr_field__as_u64(VAR("u"), &u));
	EXPECT_EQ(UINT64_MAX, u);
	EXPECT_EQ(-EINVAL, ktstr_field__as_i64(VAR("u"), &i));
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, ktstr_snapshot__last_error(s)->kind);
	ASSERT_EQ(0, ktstr_field__as_f64(VAR("u"), &d));
	EXPECT_EQ(-EINVAL, ktstr_field__as_u64(VAR("neg"), &u));
	e = ktstr_snapshot__last_error(s);
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_STREQ("u64", e->requested);
	EXPECT_STREQ("signed integer", e->where);
	EXPECT_STREQ("as_u64: the field is a signed integer (s32), which does not convert to u64",
		     e->msg);
	ASSERT_EQ(0, ktstr_field__as_i64(VAR("neg"), &i));
	EXPECT_EQ(-5, i);
	ASSERT_EQ(0, ktstr_field__as_u64(VAR("pos"), &u));
	EXPECT_EQ(5, u);
	ASSERT_EQ(0, ktstr_field__as_bool(VAR("pos"), &b));
	EXPECT_TRUE(b);
	ASSERT_EQ(0, ktstr_field__as_u64(VAR("yes"), &u));
	EXPECT_EQ(1, u);
	ASSERT_EQ(0, ktstr_field__as_bool(VAR("yes"), &b));
	EXPECT_TRUE(b);
	ASSERT_EQ(0, ktstr_field__as_f64(VAR("f"), &d));
	EXPECT_EQ(2.5, d);
	EXPECT_EQ(-EINVAL, ktstr_field__as_u64(VAR("f"), &u));
	EXPECT_EQ(-EINVAL, ktstr_field__as_bool(VAR("f"), &b));
	ASSERT_EQ(0, ktstr_field__as_str(VAR("name"), &str));
	EXPECT_STREQ("lavd", str);
	EXPECT_EQ(-EINVAL, ktstr_field__as_u64(VAR("name"), &u));
	EXPECT_STREQ("string", ktstr_snapshot__last_error(s)->where);
	ASSERT_EQ(0, ktstr_field__as_str(VAR("mode"), &str));
	EXPECT_STREQ("MODE_B", str);
	ASSERT_EQ(0, ktstr_field__as_u64(VAR("mode"), &u));
	EXPECT_EQ(2, u);
	EXPECT_EQ(-EINVAL, ktstr_field__as_str(VAR("anon_enum"), &str));
	EXPECT_NE(NULL, strstr(ktstr_snapshot__last_error(s)->msg, "no variant"));
	EXPECT_EQ(-EINVAL, ktstr_field__as_u64(VAR("senum"), &u));
	ASSERT_EQ(0, ktstr_field__as_i64(VAR("senum"), &i));
	EXPECT_EQ(-1, i);
	EXPECT_EQ(-EINVAL, ktstr_field__as_str(VAR("obj"), &str));
	e = ktstr_snapshot__last_error(s);
	EXPECT_STREQ("struct", e->where);
	EXPECT_NE(NULL, strstr(e->msg, "struct (struct o)"));
	EXPECT_EQ(-EINVAL, ktstr_field__as_f64(VAR("obj"), &d));
	EXPECT_EQ(-EINVAL, ktstr_field__as_bool(VAR("obj"), &b));

	/* A missing field: -ENOENT, and its own error is the last one. */
	e = VAR("nope").err;
	EXPECT_EQ(-ENOENT, ktstr_field__as_u64(VAR("nope"), &u));
	EXPECT_EQ(e, ktstr_snapshot__last_error(s));
	EXPECT_EQ(-ENOENT, ktstr_field__as_str(VAR("nope"), &str));
	EXPECT_EQ(-ENOENT, ktstr_field__as_u64((struct ktstr_field){ 0 }, &u));
#undef VAR
}

TEST_F(view, array_accessors)
{
	struct ktstr_snapshot *s;
	const struct ktstr_error *e;
	uint64_t u[4];
	uint32_t u32[4];
	int64_t i[4];
	double d[4];
	bool b[4];
	size_t n;

	add_map(self->r, "a.bss", 0,
		S("", "u", A(3, U(1), U(2), U(3)), "big", A(2, U(1), U(1ULL << 40)),
		  "mixed", A(3, U(1), I(-2), F(0.5)), "flags", A(2, B(true), U(0)),
		  "notarr", U(1), NULL));
	s = SNAP();
	ASSERT_EQ(0, ktstr_field__as_u64_array(ktstr_snapshot__var(s, "u"), u, 4, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(3, u[2]);
	/* cap smaller than the array: fills cap, reports the length */
	ASSERT_EQ(0, ktstr_field__as_u32_array(ktstr_snapshot__var(s, "u"), u32, 2, &n));
	EXPECT_EQ(3, n);
	EXPECT_EQ(2, u32[1]);
	EXPECT_EQ(-EINVAL, ktstr_field__as_u32_array(ktstr_snapshot__var(s, "big"), u32, 4, &n));
	e = ktstr_snapshot__last_error(s);
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_EQ(1, e->index);
	EXPECT_NE(NULL, strstr(e->msg, "element [1]"));
	ASSERT_EQ(0, ktstr_field__as_u64_array(ktstr_snapshot__var(s, "big"), u, 4, &n));
	EXPECT_EQ(1ULL << 40, u[1]);
	EXPECT_EQ(-EINVAL, ktstr_field__as_i64_array(ktstr_snapshot__var(s, "mixed"), i, 4, &n));
	EXPECT_EQ(2, ktstr_snapshot__last_error(s)->index);
	ASSERT_EQ(0, ktstr_field__as_f64_array(ktstr_snapshot__var(s, "mixed"), d, 4, &n));
	EXPECT_EQ(-2.0, d[1]);
	EXPECT_EQ(0.5, d[2]);
	ASSERT_EQ(0, ktstr_field__as_bool_array(ktstr_snapshot__var(s, "flags"), b, 4, &n));
	EXPECT_TRUE(b[0]);
	EXPECT_FALSE(b[1]);
	EXPECT_EQ(-EINVAL, ktstr_field__as_u64_array(ktstr_snapshot__var(s, "notarr"), u, 4, &n));
	EXPECT_STREQ("u64_array", ktstr_snapshot__last_error(s)->requested);
	EXPECT_EQ(-ENOENT, ktstr_field__as_u64_array(ktstr_snapshot__var(s, "x"), u, 4, &n));
}

TEST_F(view, chains_pass_the_first_error)
{
	const struct ktstr_error *e;
	struct ktstr_map m;
	struct ktstr_entry en;
	struct ktstr_field f;
	uint64_t u;

	add_tasks(self->r, "tasks", 1);
	m = ktstr_snapshot__map(SNAP(), "taskz");
	e = m.err;
	ASSERT_NE(NULL, e);
	m = ktstr_map__cpu(m, 3);
	EXPECT_EQ(e, m.err);
	en = ktstr_map__at(m, 0);
	EXPECT_EQ(KTSTR_ENTRY_MISSING, en.kind);
	EXPECT_EQ(e, en.err);
	EXPECT_EQ(e, ktstr_map__find(m, never, NULL).err);
	EXPECT_EQ(e, ktstr_map__max_by(m, constant, NULL).err);
	EXPECT_EQ(0, ktstr_map__filter(m, never, NULL, NULL, 0));
	EXPECT_EQ(e, ktstr_snapshot__last_error(self->s));
	EXPECT_EQ(0, ktstr_map__len(m));
	f = ktstr_entry__get(en, "key.tid");
	EXPECT_EQ(e, f.err);
	f = ktstr_field__index(ktstr_field__member(ktstr_field__get(f, "a"), "b"), 2);
	EXPECT_EQ(e, ktstr_field__error(f));
	EXPECT_EQ(NULL, ktstr_entry__key_string(en));
	EXPECT_EQ(-ENOENT, ktstr_field__as_u64(f, &u));
	EXPECT_EQ(e, ktstr_snapshot__last_error(self->s));

	/* Entry-level errors: a one-value entry has no key. */
	add_map(self->r, "x.bss", 0, S("", "v", U(1), NULL));
	en = ktstr_map__at(ktstr_snapshot__map(self->s, "x.bss"), 0);
	e = ktstr_entry__key(en).err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, e->kind);
	EXPECT_TRUE(has_alt(e, "value"));
	EXPECT_EQ(NULL, ktstr_entry__key_string(en));
	EXPECT_EQ(1, u64_of(ktstr_entry__get(en, "v")));
	EXPECT_EQ(1, u64_of(ktstr_entry__get(en, "value.v")));
	/* Zeroed views do not crash and say what they are. */
	EXPECT_NE(NULL, ktstr_map__at((struct ktstr_map){ 0 }, 0).err);
	EXPECT_NE(NULL, ktstr_entry__get((struct ktstr_entry){ 0 }, "a").err);
	EXPECT_NE(NULL, ktstr_field__get((struct ktstr_field){ 0 }, "a").err);
	EXPECT_EQ(NULL, ktstr_snapshot__new(NULL));
}

TEST_HARNESS_MAIN
