// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON stats view (user/lib/stats_view.c): dotted paths over a
 * scheduler's stats document parsed by jansson, with the snapshot view's
 * error vocabulary: keys listed where one is missing, index ranges, the
 * JSON type named on a mismatch, MISSING_STATS without a document.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/snapshot.h>

#include "kselftest_harness.h"

static const char doc[] =
	"{\"nr_running\": 12, \"util\": 0.75, \"neg\": -3, \"busy\": true,"
	" \"name\": \"lavd\", \"nothing\": null,"
	" \"layers\": [{\"name\": \"batch\", \"load\": 3}, {\"name\": \"inter\", \"load\": 9}],"
	" \"dispatch\": {\"local\": 100, \"global\": 7, \"bypass\": 0},"
	" \"empty\": [], \"grid\": [[1, 2], [3, 4]]}";

FIXTURE(stats) {
	json_t *root;
	struct ktstr_stats *st;
};

FIXTURE_SETUP(stats)
{
	json_error_t jerr;

	self->root = json_loads(doc, 0, &jerr);
	ASSERT_NE(NULL, self->root);
	self->st = ktstr_stats__new(self->root);
	ASSERT_NE(NULL, self->st);
}

FIXTURE_TEARDOWN(stats)
{
	ktstr_stats__free(self->st);
	json_decref(self->root);
}

TEST_F(stats, paths_and_scalars)
{
	struct ktstr_json_field f;
	const char *s;
	uint64_t u;
	int64_t i;
	double d;
	bool b;

	ASSERT_EQ(0, ktstr_json_field__as_u64(ktstr_stats__get(self->st, "nr_running"), &u));
	EXPECT_EQ(12, u);
	ASSERT_EQ(0, ktstr_json_field__as_f64(ktstr_stats__get(self->st, "util"), &d));
	EXPECT_EQ(0.75, d);
	/* An integer is a number too. */
	ASSERT_EQ(0, ktstr_json_field__as_f64(ktstr_stats__get(self->st, "nr_running"), &d));
	EXPECT_EQ(12.0, d);
	ASSERT_EQ(0, ktstr_json_field__as_i64(ktstr_stats__get(self->st, "neg"), &i));
	EXPECT_EQ(-3, i);
	ASSERT_EQ(0, ktstr_json_field__as_bool(ktstr_stats__get(self->st, "busy"), &b));
	EXPECT_TRUE(b);
	ASSERT_EQ(0, ktstr_json_field__as_str(ktstr_stats__get(self->st, "name"), &s));
	EXPECT_STREQ("lavd", s);
	ASSERT_EQ(0, ktstr_json_field__as_u64(ktstr_stats__get(self->st, "dispatch.local"), &u));
	EXPECT_EQ(100, u);
	ASSERT_EQ(0, ktstr_json_field__as_u64(ktstr_stats__get(self->st, "layers.1.load"), &u));
	EXPECT_EQ(9, u);
	ASSERT_EQ(0, ktstr_json_field__as_str(ktstr_stats__get(self->st, "layers[0].name"), &s));
	EXPECT_STREQ("batch", s);
	ASSERT_EQ(0, ktstr_json_field__as_u64(ktstr_stats__get(self->st, "grid[1][0]"), &u));
	EXPECT_EQ(3, u);

	/* "" is the root; chained gets walk from the field. */
	f = ktstr_stats__get(self->st, "");
	EXPECT_EQ(self->root, f.value);
	f = ktstr_stats__get(self->st, "dispatch");
	ASSERT_EQ(0, ktstr_json_field__as_u64(ktstr_json_field__get(f, "global"), &u));
	EXPECT_EQ(7, u);
	EXPECT_EQ(f.value, ktstr_json_field__get(f, "").value);
}

TEST_F(stats, missing_key_lists_the_keys)
{
	const struct ktstr_error *e;

	e = ktstr_stats__get(self->st, "dispatch.remote").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, e->kind);
	EXPECT_STREQ("dispatch.remote", e->requested);
	EXPECT_STREQ("dispatch.remote", e->where);
	ASSERT_EQ(3, e->nr_alternatives);
	EXPECT_STREQ("bypass", e->alternatives[0]);
	EXPECT_STREQ("global", e->alternatives[1]);
	EXPECT_STREQ("local", e->alternatives[2]);
	EXPECT_STREQ("stats path 'dispatch.remote': no key 'remote' in the object at 'dispatch'; keys: bypass, global, local",
		     e->msg);

	e = ktstr_stats__get(self->st, "nr_runing").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(10, e->nr_alternatives);
	EXPECT_NE(NULL, strstr(e->msg, "no key 'nr_runing' in the object; keys: busy,"));
	/* A chain passes its first error along. */
	EXPECT_EQ(e, ktstr_json_field__get(ktstr_stats__get(self->st, "nr_runing"), "x").err);
	EXPECT_EQ(-ENOENT, ktstr_json_field__as_u64(ktstr_stats__get(self->st, "nr_runing"), NULL));
	EXPECT_EQ(e, ktstr_stats__last_error(self->st));
}

TEST_F(stats, index_errors)
{
	const struct ktstr_error *e;

	e = ktstr_stats__get(self->st, "layers.5.load").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(5, e->index);
	EXPECT_EQ(2, e->len);
	EXPECT_STREQ("layers.5", e->where);
	EXPECT_STREQ("stats path 'layers.5.load': index 5 is out of range for 'layers', an array of 2 (0..1)",
		     e->msg);
	e = ktstr_stats__get(self->st, "empty[0]").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_INDEX_OUT_OF_RANGE, e->kind);
	EXPECT_EQ(0, e->len);
	e = ktstr_stats__get(self->st, "layers.first").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_NE(NULL, strstr(e->msg, "is an array of 2"));
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_stats__get(self->st, "layers[x]").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_stats__get(self->st, "layers[1").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_stats__get(self->st, "dispatch..local").err->kind);
	EXPECT_EQ(KTSTR_ERR_FIELD_NOT_FOUND, ktstr_stats__get(self->st, "dispatch.").err->kind);
	/* An object is not indexed by number. */
	e = ktstr_stats__get(self->st, "dispatch[0]").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
}

TEST_F(stats, type_mismatch_names_the_json_type)
{
	const struct ktstr_error *e;
	const char *s;
	uint64_t u;
	bool b;

	EXPECT_EQ(-EINVAL, ktstr_json_field__as_u64(ktstr_stats__get(self->st, "neg"), &u));
	e = ktstr_stats__last_error(self->st);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_STREQ("u64", e->requested);
	EXPECT_STREQ("integer", e->where);
	EXPECT_STREQ("as_u64: the stats value is the integer -3, which does not convert to u64",
		     e->msg);
	EXPECT_EQ(-EINVAL, ktstr_json_field__as_u64(ktstr_stats__get(self->st, "util"), &u));
	EXPECT_STREQ("real", ktstr_stats__last_error(self->st)->where);
	EXPECT_EQ(-EINVAL, ktstr_json_field__as_str(ktstr_stats__get(self->st, "dispatch"), &s));
	EXPECT_STREQ("as_str: the stats value is an object, which does not convert to str",
		     ktstr_stats__last_error(self->st)->msg);
	EXPECT_EQ(-EINVAL, ktstr_json_field__as_bool(ktstr_stats__get(self->st, "nothing"), &b));
	EXPECT_STREQ("null", ktstr_stats__last_error(self->st)->where);
	EXPECT_EQ(-EINVAL, ktstr_json_field__as_i64(ktstr_stats__get(self->st, "name"), NULL));
	EXPECT_EQ(-EINVAL, ktstr_json_field__as_f64(ktstr_stats__get(self->st, "busy"), NULL));
	/* A scalar has no keys. */
	e = ktstr_stats__get(self->st, "nr_running.x").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_TYPE_MISMATCH, e->kind);
	EXPECT_STREQ("stats path 'nr_running.x': 'nr_running' is an integer, which has no key 'x'",
		     e->msg);
}

TEST(missing_stats)
{
	struct ktstr_stats *st = ktstr_stats__new(NULL);
	const struct ktstr_error *e;
	uint64_t u;

	ASSERT_NE(NULL, st);
	e = ktstr_stats__get(st, "a.b").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(KTSTR_ERR_MISSING_STATS, e->kind);
	EXPECT_STREQ("a.b", e->requested);
	EXPECT_EQ(KTSTR_ERR_MISSING_STATS, ktstr_stats__get(st, "").err->kind);
	EXPECT_EQ(-ENOENT, ktstr_json_field__as_u64(ktstr_stats__get(st, "a"), &u));
	EXPECT_EQ(KTSTR_ERR_MISSING_STATS, ktstr_stats__last_error(st)->kind);
	ktstr_stats__free(st);
	/* Zeroed fields and a NULL view do not crash. */
	EXPECT_NE(NULL, ktstr_stats__get(NULL, "a").err);
	EXPECT_EQ(-ENOENT, ktstr_json_field__as_u64((struct ktstr_json_field){ 0 }, &u));
	EXPECT_NE(NULL, ktstr_json_field__get((struct ktstr_json_field){ 0 }, "a").err);
}

TEST(hostile_keys_stay_one_line)
{
	json_t *root = json_loads("{\"a\\nb\": 1, \"ok\": {}}", 0, NULL);
	struct ktstr_stats *st = ktstr_stats__new(root);
	const struct ktstr_error *e;

	ASSERT_NE(NULL, root);
	ASSERT_NE(NULL, st);
	e = ktstr_stats__get(st, "zz").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(NULL, strchr(e->msg, '\n'));
	EXPECT_STREQ("a\nb", e->alternatives[0]);
	/* A key with an empty object lists no keys. */
	e = ktstr_stats__get(st, "ok.x").err;
	ASSERT_NE(NULL, e);
	EXPECT_EQ(0, e->nr_alternatives);
	EXPECT_NE(NULL, strstr(e->msg, "keys: (none)"));
	ktstr_stats__free(st);
	json_decref(root);
}

TEST_HARNESS_MAIN
