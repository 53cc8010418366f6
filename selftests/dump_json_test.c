// SPDX-License-Identifier: GPL-2.0
/*
 * The dump report's JSON form (user/lib/dump_json.c): a report holding
 * every kind of value and every map flavour survives save and load
 * exactly, the text is stable and readable, and hostile documents fail
 * with an error that says where, without crashing or leaking.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bpf.h>

#include <ktstr/dump.h>
#include <ktstr/value.h>

#include "kselftest_harness.h"

static struct ktstr_value *mk(enum ktstr_value_kind kind, const char *type, uint32_t bits)
{
	struct ktstr_value *v = ktstr_value__new(kind, type);

	if (v)
		v->bits = bits;
	return v;
}

static struct ktstr_value *mk_uint(const char *type, uint32_t bits, uint64_t u)
{
	struct ktstr_value *v = mk(KTSTR_VALUE_UINT, type, bits);

	if (v)
		v->u = u;
	return v;
}

static struct ktstr_value *mk_int(const char *type, uint32_t bits, int64_t i)
{
	struct ktstr_value *v = mk(KTSTR_VALUE_INT, type, bits);

	if (v)
		v->i = i;
	return v;
}

static struct ktstr_value *mk_float(uint32_t fbits, double f)
{
	struct ktstr_value *v = mk(KTSTR_VALUE_FLOAT, fbits == 32 ? "float" : "double", 0);

	if (v) {
		v->flt.f = f;
		v->flt.bits = fbits;
	}
	return v;
}

static double from_bits(uint64_t bits)
{
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static struct ktstr_value *mk_str(const char *type, const char *s, size_t size)
{
	struct ktstr_value *v = mk(KTSTR_VALUE_STRING, type, 0);

	if (v && s) {
		v->str.str = strdup(s);
		v->str.len = strlen(s);
	}
	if (v)
		v->str.size = size;
	return v;
}

static struct ktstr_value *mk_bytes(const void *d, size_t len)
{
	struct ktstr_value *v = mk(KTSTR_VALUE_BYTES, "u8[]", 0);

	if (v) {
		v->bytes.data = malloc(len ? len : 1);
		memcpy(v->bytes.data, d, len);
		v->bytes.len = len;
	}
	return v;
}

static struct ktstr_value *mk_enum(int64_t val, bool is_signed, const char *name)
{
	struct ktstr_value *v = mk(KTSTR_VALUE_ENUM, "enum task_state", 0);

	if (v) {
		v->enm.value = val;
		v->enm.is_signed = is_signed;
		v->enm.name = name ? strdup(name) : NULL;
	}
	return v;
}

static struct ktstr_value *mk_ptr(uint64_t addr, struct ktstr_value *target, const char *note)
{
	struct ktstr_value *v = mk(KTSTR_VALUE_PTR, "struct task_struct *", 0);

	if (v) {
		v->ptr.addr = addr;
		v->ptr.target = target;
		v->ptr.note = note ? strdup(note) : NULL;
	}
	return v;
}

/* A chain of @depth values: pointers, each to the next, ending in an int. */
static struct ktstr_value *mk_chain(unsigned int depth)
{
	struct ktstr_value *v = mk_int("int", 32, 1);

	while (v && --depth)
		v = mk_ptr(0x1000 + depth, v, NULL);
	return v;
}

/* Every kind of value, every oddity the JSON must keep. */
static struct ktstr_value *mk_every_value(void)
{
	struct ktstr_value *s = mk(KTSTR_VALUE_STRUCT, "struct task_ctx", 0);
	struct ktstr_value *u = mk(KTSTR_VALUE_UNION, NULL, 0);
	struct ktstr_value *anon = mk(KTSTR_VALUE_STRUCT, NULL, 0);
	struct ktstr_value *floats = mk(KTSTR_VALUE_ARRAY, "double[12]", 0);
	struct ktstr_value *arr = mk(KTSTR_VALUE_ARRAY, "u16[3]", 0);
	struct ktstr_value *empty = mk(KTSTR_VALUE_STRUCT, "struct empty", 0);
	struct ktstr_value *b = mk(KTSTR_VALUE_BOOL, "_Bool", 8);
	struct ktstr_value *c = mk(KTSTR_VALUE_CHAR, "char", 8);
	struct ktstr_value *c2 = mk(KTSTR_VALUE_CHAR, "signed char", 8);
	static const double fl[] = {
		0.0, -0.0, 0.1, -1.5, DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 1e300,
		INFINITY, -INFINITY,
	};
	int err = 0;
	size_t i;

	if (!s || !u || !anon || !floats || !arr || !empty || !b || !c || !c2)
		return NULL;
	b->b = true;
	c->i = 'q';
	c2->i = -7;
	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
		err |= ktstr_value__add_elem(floats, mk_float(64, fl[i]));
	/* NaNs keep sign and payload. */
	err |= ktstr_value__add_elem(floats, mk_float(64, from_bits(0x7ff8000000000000ull)));
	err |= ktstr_value__add_elem(floats, mk_float(64, from_bits(0xfff0000000000123ull)));
	err |= ktstr_value__add_elem(floats, mk_float(32, 3.25));
	err |= ktstr_value__add_elem(floats, NULL);
	for (i = 0; i < 3; i++)
		err |= ktstr_value__add_elem(arr, mk_uint("u16", 16, 65535 - i));
	err |= ktstr_value__add_member(anon, "inner", mk_int("int", 32, -1), 0, 0);
	err |= ktstr_value__add_member(u, "raw", mk_uint("u64", 64, 0x8000000000000000ull), 0, 0);
	err |= ktstr_value__add_member(u, "", anon, 0, 0);

	err |= ktstr_value__add_member(s, "i64_min", mk_int("s64", 64, INT64_MIN), 0, 0);
	err |= ktstr_value__add_member(s, "i64_max", mk_int("s64", 64, INT64_MAX), 64, 0);
	err |= ktstr_value__add_member(s, "u64_max", mk_uint("u64", 64, UINT64_MAX), 128, 0);
	err |= ktstr_value__add_member(s, "u64_big", mk_uint("u64", 64, 1ull << 63), 192, 0);
	err |= ktstr_value__add_member(s, "i64_edge", mk_uint("u64", 64, INT64_MAX), 256, 0);
	err |= ktstr_value__add_member(s, "flags", mk_uint("u32", 3, 5), 320, 3);
	err |= ktstr_value__add_member(s, "prio", mk_uint("u32", 5, 31), 323, 5);
	err |= ktstr_value__add_member(s, "queued", b, 328, 0);
	err |= ktstr_value__add_member(s, "c", c, 336, 0);
	err |= ktstr_value__add_member(s, "sc", c2, 344, 0);
	err |= ktstr_value__add_member(s, "floats", floats, 384, 0);
	err |= ktstr_value__add_member(s, "state", mk_enum(2, false, "TASK_RUNNING"), 1152, 0);
	err |= ktstr_value__add_member(s, "neg", mk_enum(-5, true, NULL), 1184, 0);
	err |= ktstr_value__add_member(s, "big", mk_enum(INT64_MIN, false, NULL), 1216, 0);
	err |= ktstr_value__add_member(s, "comm", mk_str("char[16]", "kworker/0:1", 16), 1280, 0);
	err |= ktstr_value__add_member(s, "ctl", mk_str("char[8]", "a\"\\\n\x01\x7f", 8), 1408, 0);
	err |= ktstr_value__add_member(s, "utf8", mk_str("char[8]", "\xc3\xa9t\xc3\xa9", 8),
				       1472, 0);
	err |= ktstr_value__add_member(s, "latin1", mk_str("char[8]", "caf\xe9", 8), 1536, 0);
	err |= ktstr_value__add_member(s, "nostr", mk_str("char[4]", NULL, 4), 1600, 0);
	err |= ktstr_value__add_member(s, "empty_str", mk_str("char[4]", "", 4), 1632, 0);
	err |= ktstr_value__add_member(s, "raw", mk_bytes("\x00\x01\xfe\xff", 4), 1664, 0);
	err |= ktstr_value__add_member(s, "noraw", mk_bytes("", 0), 1696, 0);
	err |= ktstr_value__add_member(s, "task", mk_ptr(0xffff888012345678ull,
		mk_int("pid_t", 32, 1234), NULL), 1728, 0);
	err |= ktstr_value__add_member(s, "next", mk_ptr(0xdead, NULL, "unreadable: -EFAULT"),
				       1792, 0);
	err |= ktstr_value__add_member(s, "null", mk_ptr(0, NULL, NULL), 1856, 0);
	err |= ktstr_value__add_member(s, "", u, 1920, 0);
	err |= ktstr_value__add_member(s, "cpus", arr, 1984, 0);
	err |= ktstr_value__add_member(s, "empty", empty, 2032, 0);
	err |= ktstr_value__add_member(s, "missing", NULL, 2032, 0);
	err |= ktstr_value__add_member(s, "bad", ktstr_value__new_error("struct rq",
				       "short read: %d of %d bytes", 3, 8), 2032, 0);
	err |= ktstr_value__add_member(s, "bad2", mk(KTSTR_VALUE_ERROR, NULL, 0), 2032, 0);
	err |= ktstr_value__add_member(s, "\xff\xfename", mk_int("\x80type", 32, 9), 2032, 0);
	err |= ktstr_value__add_member(s, "deep", mk_chain(200), 2048, 0);
	if (err) {
		ktstr_value__free(s);
		return NULL;
	}
	return s;
}

static int set_str(char **dst, const char *s)
{
	*dst = s ? strdup(s) : NULL;
	return s && !*dst ? -ENOMEM : 0;
}

/* A report with every map flavour and every section. */
static struct ktstr_dump_report *mk_report(void)
{
	struct ktstr_dump_report *r = ktstr_dump__new();
	struct ktstr_dump_map *m;
	size_t i, j;

	if (!r)
		return NULL;
	/* A global section: one value. */
	m = ktstr_dump__add_map(r, "scx_simple.bss");
	m->id = 17;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = 512;
	m->max_entries = 1;
	m->kva = 0xffffc90000a1b000ull;
	m->value = mk_every_value();

	/* A hash: entries with and without BTF for key and value. */
	m = ktstr_dump__add_map(r, "scx_tasks");
	m->id = 18;
	m->type = BPF_MAP_TYPE_HASH;
	m->key_size = 8;
	m->value_size = 16;
	m->max_entries = UINT32_MAX;
	m->kva = UINT64_MAX;
	m->nr_entries = 3;
	m->entries = calloc(3, sizeof(*m->entries));
	m->entries[0].key = mk_uint("u64", 64, 42);
	set_str(&m->entries[0].key_hex, "2a00000000000000");
	m->entries[0].value = mk_every_value();
	set_str(&m->entries[0].value_hex, "00112233445566778899aabbccddeeff");
	set_str(&m->entries[1].key_hex, "0100000000000000");
	set_str(&m->entries[1].value_hex, "ff");
	set_str(&m->entries[2].key_hex, "");
	set_str(&m->entries[2].value_hex, "");
	m->entries[2].value = mk_uint("u8", 8, 0);
	set_str(&m->error, "2 entries changed while read");

	/* A per-CPU array with slots not captured. */
	m = ktstr_dump__add_map(r, "pcpu_stats");
	m->type = BPF_MAP_TYPE_PERCPU_ARRAY;
	m->key_size = 4;
	m->value_size = 8;
	m->max_entries = 2;
	m->nr_percpu_entries = 2;
	m->percpu_entries = calloc(2, sizeof(*m->percpu_entries));
	for (i = 0; i < 2; i++) {
		struct ktstr_dump_percpu_entry *pe = &m->percpu_entries[i];

		pe->key = i ? UINT32_MAX : 0;
		pe->nr_cpus = 4;
		pe->per_cpu = calloc(4, sizeof(*pe->per_cpu));
		for (j = 0; j < 4; j++)
			if (j != 2)
				pe->per_cpu[j] = mk_uint("u64", 64, i * 100 + j);
	}
	/* A per-CPU hash, with a key without BTF and an empty slot list. */
	m = ktstr_dump__add_map(r, "pcpu_hash");
	m->type = BPF_MAP_TYPE_LRU_PERCPU_HASH;
	m->nr_percpu_hash_entries = 2;
	m->percpu_hash_entries = calloc(2, sizeof(*m->percpu_hash_entries));
	m->percpu_hash_entries[0].key = mk_uint("u32", 32, 7);
	set_str(&m->percpu_hash_entries[0].key_hex, "07000000");
	m->percpu_hash_entries[0].nr_cpus = 2;
	m->percpu_hash_entries[0].per_cpu = calloc(2, sizeof(struct ktstr_value *));
	m->percpu_hash_entries[0].per_cpu[1] = mk_every_value();
	set_str(&m->percpu_hash_entries[1].key_hex, "deadbeef");
	/* A map type libbpf has no name for, and a map with nothing but an error. */
	m = ktstr_dump__add_map(r, "future");
	m->type = 4000;
	set_str(&m->error, "cannot read: -EFAULT");
	m = ktstr_dump__add_map(r, "caf\xe9.data");

	set_str(&r->active_obj_name, "scx_simple");
	r->nr_active_map_kvas = 3;
	r->active_map_kvas = calloc(3, sizeof(uint64_t));
	r->active_map_kvas[0] = 0xffffc90000a1b000ull;
	r->active_map_kvas[2] = UINT64_MAX;
	r->nr_per_cpu_time = 2;
	r->per_cpu_time = calloc(2, sizeof(*r->per_cpu_time));
	for (i = 0; i < 2; i++) {
		struct ktstr_dump_cpu_time *t = &r->per_cpu_time[i];

		t->cpu = i;
		t->user_ns = 1000 * i + 1;
		t->nice_ns = 2;
		t->system_ns = 3;
		t->idle_ns = UINT64_MAX - i;
		t->iowait_ns = 5;
		t->irq_ns = 6;
		t->softirq_ns = 7;
		t->steal_ns = 1ull << 63;
	}
	set_str(&r->event_counters_unavailable, NULL);
	r->nr_event_counter_timeline = 2;
	r->event_counter_timeline = calloc(2, sizeof(*r->event_counter_timeline));
	r->event_counter_timeline[0].elapsed_ms = 0;
	r->event_counter_timeline[1].elapsed_ms = 1500;
	r->event_counter_timeline[1].nr_counters = 3;
	r->event_counter_timeline[1].counters = calloc(3, sizeof(struct ktstr_dump_counter));
	set_str(&r->event_counter_timeline[1].counters[0].name, "SCX_EV_SELECT_CPU_FALLBACK");
	r->event_counter_timeline[1].counters[0].value = 12;
	set_str(&r->event_counter_timeline[1].counters[1].name, "SCX_EV_DISPATCH_KEEP_LAST");
	r->event_counter_timeline[1].counters[1].value = UINT64_MAX;
	set_str(&r->event_counter_timeline[1].counters[2].name, "A_LAST_BUT_NOT_SORTED");
	return r;
}

/* Round trip through text: the loaded report, or NULL with the error logged. */
static struct ktstr_dump_report *reload(struct __test_metadata *_metadata,
					const struct ktstr_dump_report *r, char **text_out)
{
	struct ktstr_dump_report *out = NULL;
	char err[512];
	char *text;
	int ret;

	text = ktstr_dump__to_json(r);
	if (!text) {
		TH_LOG("to_json: %s", strerror(errno));
		return NULL;
	}
	ret = ktstr_dump__from_json(text, strlen(text), &out, err, sizeof(err));
	if (ret)
		TH_LOG("from_json: %d: %s", ret, err);
	if (text_out)
		*text_out = text;
	else
		free(text);
	return out;
}

TEST(round_trip_everything)
{
	struct ktstr_dump_report *r = mk_report(), *back;
	char *text, *text2;

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, r->maps[0].value);
	back = reload(_metadata, r, &text);
	ASSERT_NE(NULL, back);
	EXPECT_TRUE(ktstr_dump__equal(r, back));
	EXPECT_TRUE(ktstr_value__equal(r->maps[0].value, back->maps[0].value));
	/* Stable: writing what was read gives the same text. */
	text2 = ktstr_dump__to_json(back);
	ASSERT_NE(NULL, text2);
	EXPECT_STREQ(text, text2);
	free(text);
	free(text2);
	ktstr_dump__free(back);
	ktstr_dump__free(r);
}

/* The round trip is not vacuous: equal() sees each kind of change. */
TEST(equal_sees_changes)
{
	struct ktstr_dump_report *r = mk_report(), *b;
	struct ktstr_value *v;
	int i;

	ASSERT_NE(NULL, r);
	for (i = 0; i < 12; i++) {
		b = reload(_metadata, r, NULL);
		ASSERT_NE(NULL, b);
		ASSERT_TRUE(ktstr_dump__equal(r, b));
		switch (i) {
		case 0: b->is_placeholder = true; break;
		case 1: b->maps[1].kva--; break;
		case 2: b->maps[1].entries[1].key_hex[0] = '1'; break;
		case 3: b->maps[2].percpu_entries[0].per_cpu[0]->u++; break;
		case 4: b->maps[3].percpu_hash_entries[0].key->u++; break;
		case 5: b->active_map_kvas[1] = 1; break;
		case 6: b->per_cpu_time[1].steal_ns = 0; break;
		case 7: b->event_counter_timeline[1].counters[2].value = 1; break;
		case 8:
			v = (struct ktstr_value *)ktstr_value__member(b->maps[0].value, "floats");
			v->arr.elems[1]->flt.f = 0.0;	/* was -0.0 */
			break;
		case 9: b->maps[4].type = 4001; break;
		case 10: free(b->maps[4].error); b->maps[4].error = NULL; break;
		case 11: b->event_counter_timeline[0].elapsed_ms = 1; break;
		}
		EXPECT_FALSE(ktstr_dump__equal(r, b)) TH_LOG("change %d not seen", i);
		ktstr_dump__free(b);
	}
	ktstr_dump__free(r);
}

TEST(placeholder_and_empty)
{
	struct ktstr_dump_report *p = ktstr_dump__new_placeholder("rendezvous timed out");
	struct ktstr_dump_report *e = ktstr_dump__new(), *b;
	char *text;

	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, e);
	b = reload(_metadata, p, &text);
	ASSERT_NE(NULL, b);
	EXPECT_TRUE(ktstr_dump__equal(p, b));
	EXPECT_TRUE(b->is_placeholder);
	EXPECT_STREQ("rendezvous timed out", b->placeholder_reason);
	EXPECT_STREQ("{\n  \"schema\": \"ktstr.dump/1\",\n  \"is_placeholder\": true,\n"
		     "  \"placeholder_reason\": \"rendezvous timed out\",\n  \"maps\": []\n}",
		     text);
	free(text);
	ktstr_dump__free(b);
	b = reload(_metadata, e, NULL);
	ASSERT_NE(NULL, b);
	EXPECT_TRUE(ktstr_dump__equal(e, b));
	EXPECT_FALSE(ktstr_dump__equal(e, p));
	ktstr_dump__free(b);
	ktstr_dump__free(p);
	ktstr_dump__free(e);
}

TEST(text_is_readable)
{
	struct ktstr_dump_report *r = mk_report();
	char *text, *line, *end;

	ASSERT_NE(NULL, r);
	text = ktstr_dump__to_json(r);
	ASSERT_NE(NULL, text);
	/* Small values on one line; u64 above INT64_MAX as decimal strings. */
	EXPECT_NE(NULL, strstr(text, "\"name\": \"flags\",\n            \"bit_offset\": 320,\n"
				     "            \"bitfield_size\": 3,\n            \"value\": "
				     "{\"kind\": \"uint\", \"type\": \"u32\", \"bits\": 3, \"value\": 5}\n"));
	EXPECT_NE(NULL, strstr(text, "\"value\": \"18446744073709551615\""));
	EXPECT_NE(NULL, strstr(text, "\"value\": 9223372036854775807"));
	EXPECT_NE(NULL, strstr(text, "\"type\": \"percpu_array\""));
	EXPECT_NE(NULL, strstr(text, "\"type\": 4000"));
	EXPECT_NE(NULL, strstr(text, "\"kva\": \"0xffffc90000a1b000\""));
	EXPECT_NE(NULL, strstr(text, "\"value\": -0.0"));
	EXPECT_NE(NULL, strstr(text, "\"value\": \"nan:0xfff0000000000123\""));
	EXPECT_NE(NULL, strstr(text, "\"value\": \"-inf\""));
	EXPECT_NE(NULL, strstr(text, "\"value\": {\"hex\": \"636166e9\"}"));
	EXPECT_NE(NULL, strstr(text, "\"value\": \"a\\\"\\\\\\n\\u0001\\u007f\""));
	EXPECT_NE(NULL, strstr(text, "\"SCX_EV_SELECT_CPU_FALLBACK\": 12"));
	/* Lines stay short past their indent (the chain of 200 goes deep). */
	for (line = text; *line; line = end + !!*end) {
		end = strchrnul(line, '\n');
		EXPECT_GE(100, end - line - strspn(line, " "))
			TH_LOG("long line: %.*s", (int)(end - line), line);
	}
	free(text);
	ktstr_dump__free(r);
}

TEST(save_load_file)
{
	struct ktstr_dump_report *r = mk_report(), *back = NULL, *again = NULL;
	char path[] = "/tmp/dump_json_test.XXXXXX", path2[64];
	char err[512], *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	FILE *f;
	int fd;

	ASSERT_NE(NULL, r);
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(path2, sizeof(path2), "%s.2", path);
	ASSERT_EQ(0, ktstr_dump__save(r, path));
	ASSERT_EQ(0, ktstr_dump__load(path, &back, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_TRUE(ktstr_dump__equal(r, back));
	/* save(load(save(r))) == save(r), byte for byte. */
	ASSERT_EQ(0, ktstr_dump__save(back, path2));
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	EXPECT_LT(0, getdelim(&a, &alen, '\0', f));
	fclose(f);
	f = fopen(path2, "r");
	ASSERT_NE(NULL, f);
	EXPECT_LT(0, getdelim(&b, &blen, '\0', f));
	fclose(f);
	EXPECT_STREQ(a, b);
	EXPECT_EQ('\n', a[strlen(a) - 1]);
	ASSERT_EQ(0, ktstr_dump__load(path2, &again, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_TRUE(ktstr_dump__equal(back, again));
	free(a);
	free(b);
	unlink(path);
	unlink(path2);
	ktstr_dump__free(again);
	ktstr_dump__free(back);
	ktstr_dump__free(r);
}

TEST(file_errors)
{
	struct ktstr_dump_report *r = ktstr_dump__new(), *out = (void *)1;
	char err[256];

	ASSERT_NE(NULL, r);
	EXPECT_EQ(-ENOENT, ktstr_dump__load("/nonexistent/ktstr/dump.json", &out, err,
					    sizeof(err)));
	EXPECT_EQ(NULL, out);
	EXPECT_STREQ("/nonexistent/ktstr/dump.json: No such file or directory", err);
	EXPECT_EQ(-EISDIR, ktstr_dump__load("/", &out, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "/: ")) TH_LOG("%s", err);
	EXPECT_EQ(-ENOENT, ktstr_dump__save(r, "/nonexistent/ktstr/dump.json"));
	/* A tiny error buffer is cut, never overrun; none at all is fine. */
	EXPECT_EQ(-ENOENT, ktstr_dump__load("/nonexistent", &out, err, 4));
	EXPECT_STREQ("/no", err);
	EXPECT_EQ(-ENOENT, ktstr_dump__load("/nonexistent", &out, NULL, 0));
	ktstr_dump__free(r);
}

TEST(depth_limit)
{
	struct ktstr_dump_report *r = ktstr_dump__new(), *b;
	struct ktstr_dump_map *m;

	ASSERT_NE(NULL, r);
	m = ktstr_dump__add_map(r, "deep");
	ASSERT_NE(NULL, m);
	/* 256 levels are written and read back; 257 are refused on write. */
	m->value = mk_chain(256);
	b = reload(_metadata, r, NULL);
	ASSERT_NE(NULL, b);
	EXPECT_TRUE(ktstr_dump__equal(r, b));
	ktstr_dump__free(b);
	ktstr_value__free(m->value);
	m->value = mk_chain(257);
	errno = 0;
	EXPECT_EQ(NULL, ktstr_dump__to_json(r));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-EINVAL, ktstr_dump__save(r, "/tmp/never-written.json"));
	EXPECT_NE(0, access("/tmp/never-written.json", F_OK));
	ktstr_dump__free(r);
}

TEST(duplicate_counter_refused_on_write)
{
	struct ktstr_dump_report *r = ktstr_dump__new();
	struct ktstr_dump_event_sample *s;

	ASSERT_NE(NULL, r);
	r->nr_event_counter_timeline = 1;
	r->event_counter_timeline = s = calloc(1, sizeof(*s));
	ASSERT_NE(NULL, s);
	s->nr_counters = 2;
	s->counters = calloc(2, sizeof(*s->counters));
	ASSERT_NE(NULL, s->counters);
	s->counters[0].name = strdup("X");
	s->counters[1].name = strdup("X");
	errno = 0;
	EXPECT_EQ(NULL, ktstr_dump__to_json(r));
	EXPECT_EQ(EINVAL, errno);
	ktstr_dump__free(r);
}

#define HEAD "{\"schema\": \"ktstr.dump/1\", \"is_placeholder\": false, "
#define MAP "{\"name\": \"m\", \"id\": 1, \"type\": \"hash\", \"key_size\": 4, " \
	    "\"value_size\": 4, \"max_entries\": 1, \"kva\": \"0x0\""
#define VAL(v) HEAD "\"maps\": [" MAP ", \"value\": " v "}]}"

static const struct {
	const char *doc;
	const char *err;	/* a fragment of the message */
} hostile[] = {
	{ "", "line 1, column 0: '[' or '{' expected" },
	{ "[]", "(top level): expected an object, found an array" },
	{ "{\"a\": 1}garbage", "line 1, column 15: end of file expected near 'garbage'" },
	{ "{\"schema\": \"ktstr.dump/1\"} trailing", "end of file expected" },
	{ "{\"schema\": \"ktstr.dump/1\",\n \"maps\": [,]}", "line 2, column" },
	{ "{}", "schema: missing" },
	{ "{\"schema\": 1}", "schema: expected a string, found an integer" },
	{ "{\"schema\": \"ktstr.dump/2\", \"is_placeholder\": false, \"maps\": []}",
	  "schema: unsupported schema 'ktstr.dump/2', expected 'ktstr.dump/1'" },
	{ "{\"schema\": \"ktstr.dump/1\", \"maps\": []}", "is_placeholder: missing" },
	{ "{\"schema\": \"ktstr.dump/1\", \"is_placeholder\": false}", "maps: missing" },
	{ HEAD "\"maps\": null}", "maps: must not be null" },
	{ HEAD "\"maps\": {}}", "maps: expected an array, found an object" },
	{ HEAD "\"maps\": [], \"extra\": 1}", "(top level): unexpected field 'extra'" },
	{ HEAD "\"maps\": [], \"maps\": []}", "duplicate object key" },
	{ HEAD "\"maps\": [1]}", "maps[0]: expected an object, found an integer" },
	{ HEAD "\"maps\": [{\"name\": \"m\"}]}", "maps[0].id: missing" },
	{ HEAD "\"maps\": [" MAP ", \"id2\": 0}]}", "maps[0]: unexpected field 'id2'" },
	{ HEAD "\"maps\": [" MAP "}, {\"name\": \"m\", \"id\": 4294967296}]}",
	  "maps[1].id: 4294967296 is out of range (at most 4294967295)" },
	{ HEAD "\"maps\": [" MAP "}, {\"name\": \"m\", \"id\": -1}]}", "maps[1].id: -1 is negative" },
	{ HEAD "\"maps\": [" MAP "}, {\"name\": \"m\", \"id\": 1.5}]}",
	  "maps[1].id: expected an unsigned integer, found a real number" },
	{ HEAD "\"maps\": [{\"name\": \"m\", \"id\": 1, \"type\": \"nosuch\"}]}",
	  "maps[0].type: unknown map type 'nosuch'" },
	{ HEAD "\"maps\": [{\"name\": \"m\", \"id\": 1, \"type\": \"hash\", \"key_size\": 4, "
	  "\"value_size\": 4, \"max_entries\": 1, \"kva\": \"0xFF\"}]}",
	  "maps[0].kva: expected an address" },
	{ HEAD "\"maps\": [{\"name\": \"m\", \"id\": 1, \"type\": \"hash\", \"key_size\": 4, "
	  "\"value_size\": 4, \"max_entries\": 1, \"kva\": \"0x10000000000000000\"}]}",
	  "maps[0].kva: expected an address" },
	{ HEAD "\"maps\": [{\"name\": \"m\", \"id\": 1, \"type\": \"hash\", \"key_size\": 4, "
	  "\"value_size\": 4, \"max_entries\": 1, \"kva\": 5}]}", "maps[0].kva: expected an address" },
	{ HEAD "\"maps\": [{\"name\": 5}]}", "maps[0].name: expected a string, found an integer" },
	{ HEAD "\"maps\": [{\"name\": {\"hex\": \"6100\"}}]}", "maps[0].name.hex: text holds a NUL byte" },
	{ HEAD "\"maps\": [{\"name\": {\"hex\": \"6\"}}]}", "maps[0].name.hex: odd number of hex digits" },
	{ HEAD "\"maps\": [{\"name\": {\"hex\": \"61\", \"x\": 1}}]}", "maps[0].name: unexpected field 'x'" },
	{ HEAD "\"maps\": [{\"name\": \"a\\u0000b\"}]}", "\\u0000 is not allowed" },
	{ HEAD "\"maps\": [" MAP ", \"entries\": [{\"key_hex\": \"00\", \"value_hex\": \"00\"}, "
	  "{\"key_hex\": \"00\", \"value_hex\": \"00\", \"key\": []}]}]}",
	  "maps[0].entries[1].key: expected a value object, found an array" },
	{ HEAD "\"maps\": [" MAP ", \"entries\": [{\"key_hex\": \"0G\", \"value_hex\": \"00\"}]}]}",
	  "maps[0].entries[0].key_hex: expected lowercase hex digits" },
	{ HEAD "\"maps\": [" MAP ", \"entries\": [{\"key_hex\": \"AB\", \"value_hex\": \"00\"}]}]}",
	  "maps[0].entries[0].key_hex: expected lowercase hex digits" },
	{ HEAD "\"maps\": [" MAP ", \"entries\": [{\"key_hex\": \"00\"}]}]}",
	  "maps[0].entries[0].value_hex: missing" },
	{ HEAD "\"maps\": [" MAP ", \"percpu_entries\": [{\"key\": 0}]}]}",
	  "maps[0].percpu_entries[0].per_cpu: missing" },
	{ HEAD "\"maps\": [" MAP ", \"percpu_entries\": [{\"key\": 0, \"per_cpu\": [null, 1]}]}]}",
	  "maps[0].percpu_entries[0].per_cpu[1]: expected a value object or null, found an integer" },
	{ HEAD "\"maps\": [" MAP ", \"percpu_hash_entries\": [{\"key_hex\": \"\", \"per_cpu\": {}}]}]}",
	  "maps[0].percpu_hash_entries[0].per_cpu: expected an array" },
	{ VAL("{}"), "maps[0].value.kind: missing" },
	{ VAL("\"x\""), "maps[0].value: expected a value object, found a string" },
	{ VAL("{\"kind\": \"quux\"}"), "maps[0].value.kind: unknown kind 'quux'" },
	{ VAL("{\"kind\": \"q\\u001b[2J\"}"), "unknown kind 'q\\x1b[2J'" },
	{ VAL("{\"kind\": 3}"), "maps[0].value.kind: expected a string, found an integer" },
	{ VAL("{\"kind\": \"int\"}"), "maps[0].value.value: missing" },
	{ VAL("{\"kind\": \"int\", \"value\": \"1\"}"), "maps[0].value.value: expected an integer" },
	{ VAL("{\"kind\": \"int\", \"value\": 99999999999999999999}"), "too big integer" },
	{ VAL("{\"kind\": \"int\", \"value\": 1, \"addr\": \"0x1\"}"),
	  "maps[0].value: unexpected field 'addr'" },
	{ VAL("{\"kind\": \"int\", \"value\": 1, \"bits\": 4294967296}"),
	  "maps[0].value.bits: 4294967296 is out of range" },
	{ VAL("{\"kind\": \"uint\", \"value\": \"18446744073709551616\"}"),
	  "maps[0].value.value: does not fit in 64 bits" },
	{ VAL("{\"kind\": \"uint\", \"value\": \"012\"}"), "maps[0].value.value: expected decimal digits" },
	{ VAL("{\"kind\": \"uint\", \"value\": \"-1\"}"), "maps[0].value.value: expected decimal digits" },
	{ VAL("{\"kind\": \"uint\", \"value\": -1}"), "maps[0].value.value: -1 is negative" },
	{ VAL("{\"kind\": \"bool\", \"value\": 1}"), "maps[0].value.value: expected a boolean" },
	{ VAL("{\"kind\": \"float\", \"value\": 1.0}"), "maps[0].value.float_bits: missing" },
	{ VAL("{\"kind\": \"float\", \"float_bits\": 64, \"value\": \"NaN\"}"),
	  "maps[0].value.value: expected a number, \"inf\"" },
	{ VAL("{\"kind\": \"float\", \"float_bits\": 64, \"value\": \"nan:0x3ff0000000000000\"}"),
	  "maps[0].value.value: nan:0x3ff0000000000000 is not a NaN" },
	{ VAL("{\"kind\": \"float\", \"float_bits\": 64, \"value\": 1e400}"), "real number overflow" },
	{ VAL("{\"kind\": \"enum\", \"value\": 1}"), "maps[0].value.signed: missing" },
	{ VAL("{\"kind\": \"enum\", \"signed\": true, \"value\": \"1\"}"),
	  "maps[0].value.value: expected an integer" },
	{ VAL("{\"kind\": \"string\", \"size\": 2, \"value\": \"abc\"}"),
	  "maps[0].value.value: 3 bytes of text in a 2-byte array" },
	{ VAL("{\"kind\": \"string\", \"size\": 4294967296}"), "maps[0].value.size: 4294967296 is out of range" },
	{ VAL("{\"kind\": \"string\", \"value\": \"a\"}"), "maps[0].value.size: missing" },
	{ VAL("{\"kind\": \"bytes\", \"value\": \"abc\"}"), "maps[0].value.value: odd number of hex digits" },
	{ VAL("{\"kind\": \"bytes\"}"), "maps[0].value.value: missing" },
	{ VAL("{\"kind\": \"ptr\", \"addr\": \"0x\"}"), "maps[0].value.addr: expected an address" },
	{ VAL("{\"kind\": \"ptr\", \"addr\": \"0x1\", \"target\": 7}"),
	  "maps[0].value.target: expected a value object, found an integer" },
	{ VAL("{\"kind\": \"struct\"}"), "maps[0].value.members: missing" },
	{ VAL("{\"kind\": \"struct\", \"members\": [{\"name\": \"a\", \"bit_offset\": 0}]}"),
	  "maps[0].value.members[0].value: missing" },
	{ VAL("{\"kind\": \"union\", \"members\": [{\"name\": \"a\", \"bit_offset\": 0, "
	      "\"value\": null}, {\"bit_offset\": 0, \"value\": null}]}"),
	  "maps[0].value.members[1].name: missing" },
	{ VAL("{\"kind\": \"struct\", \"members\": [{\"name\": \"a\", \"bit_offset\": 0, "
	      "\"value\": {\"kind\": \"array\", \"elems\": [null, {\"kind\": \"int\"}]}}]}"),
	  "maps[0].value.members[0].value.elems[1].value: missing" },
	{ VAL("{\"kind\": \"array\", \"elems\": 3}"), "maps[0].value.elems: expected an array" },
	{ VAL("{\"kind\": \"error\", \"message\": [\"x\"]}"), "maps[0].value.message: expected a string" },
	{ HEAD "\"maps\": [], \"active_map_kvas\": [\"0x1\", 2]}",
	  "active_map_kvas[1]: expected an address" },
	{ HEAD "\"maps\": [], \"per_cpu_time\": [{\"cpu\": 0}]}", "per_cpu_time[0].user_ns: missing" },
	{ HEAD "\"maps\": [], \"event_counter_timeline\": [{\"elapsed_ms\": 1, \"counters\": []}]}",
	  "event_counter_timeline[0].counters: expected an object of counters" },
	{ HEAD "\"maps\": [], \"event_counter_timeline\": [{\"elapsed_ms\": 1, \"counters\": "
	  "{\"A\": 1, \"B\": true}}]}", "event_counter_timeline[0].counters.B: expected an unsigned integer" },
	{ HEAD "\"maps\": [], \"placeholder_reason\": 3}", "placeholder_reason: expected a string" },
	{ "{\"schema\": \"ktstr.dump/1\", \"is_placeholder\": \"yes\", \"maps\": []}",
	  "is_placeholder: expected a boolean, found a string" },
};

TEST(hostile_documents)
{
	struct ktstr_dump_report *out;
	char err[512];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		out = (void *)1;
		err[0] = '\0';
		ret = ktstr_dump__from_json(hostile[i].doc, strlen(hostile[i].doc), &out,
					    err, sizeof(err));
		EXPECT_EQ(-EINVAL, ret) TH_LOG("doc %zu loaded: %s", i, hostile[i].doc);
		EXPECT_EQ(NULL, out);
		EXPECT_NE(NULL, strstr(err, hostile[i].err))
			TH_LOG("doc %zu: want '%s', got '%s'", i, hostile[i].err, err);
		if (ret == 0)
			ktstr_dump__free(out);
	}
}

/* Nesting past the value limit, and past jansson's parser limit. */
TEST(hostile_deep_nesting)
{
	struct ktstr_dump_report *out;
	size_t n, i, len = 0;
	char err[512], *doc;
	const char *ptr = "{\"kind\": \"ptr\", \"addr\": \"0x1\", \"target\": ";

	doc = malloc(400 * (strlen(ptr) + 1) + 512);
	ASSERT_NE(NULL, doc);
	len = sprintf(doc, HEAD "\"maps\": [" MAP ", \"value\": ");
	for (n = 0; n < 300; n++)
		len += sprintf(doc + len, "%s", ptr);
	len += sprintf(doc + len, "{\"kind\": \"int\", \"value\": 1}");
	for (n = 0; n < 300; n++)
		doc[len++] = '}';
	len += sprintf(doc + len, "}]}");
	EXPECT_EQ(-EINVAL, ktstr_dump__from_json(doc, len, &out, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "values nest deeper than 256 levels")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "maps[0].value.target.target.")) TH_LOG("%s", err);
	free(doc);

	/* 100000 open brackets: jansson's depth limit, not the stack. */
	n = 100000;
	doc = malloc(n);
	ASSERT_NE(NULL, doc);
	for (i = 0; i < n; i++)
		doc[i] = '[';
	EXPECT_EQ(-EINVAL, ktstr_dump__from_json(doc, n, &out, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "line 1, column")) TH_LOG("%s", err);
	free(doc);
}

/* Every cut of a saved report fails cleanly (valgrind checks the leaks). */
TEST(truncated_documents)
{
	struct ktstr_dump_report *r = mk_report(), *out;
	size_t len, cut, step;
	char err[512], *text;

	ASSERT_NE(NULL, r);
	text = ktstr_dump__to_json(r);
	ASSERT_NE(NULL, text);
	len = strlen(text);
	step = len / 150 + 1;
	for (cut = 0; cut < len; cut += step) {
		out = (void *)1;
		EXPECT_EQ(-EINVAL, ktstr_dump__from_json(text, cut, &out, err, sizeof(err)));
		EXPECT_EQ(NULL, out);
		EXPECT_NE(NULL, strstr(err, "line ")) TH_LOG("cut %zu: %s", cut, err);
	}
	free(text);
	ktstr_dump__free(r);
}

TEST_HARNESS_MAIN
