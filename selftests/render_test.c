// SPDX-License-Identifier: GPL-2.0
/*
 * The BTF renderer (user/lib/btf_render.c).
 *
 * Part one loads progs/render_types.bpf.o, fills its maps and global
 * sections with tricky values, reads the raw bytes back from the kernel
 * and checks every rendered leaf against an independent oracle: bpftool's
 * BTF-formatted map dump ("formatted" in `bpftool -j map dump`). Part two
 * renders BTF built in memory with libbpf's writer: bitfields against a
 * bit-by-bit oracle, truncated input at every length, pointers through a
 * fake address space, and hostile BTF.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include <ktstr/btf_render.h>

#include "kselftest_harness.h"
#include "progs/render_types.h"

/* ---- part one: a real BPF object, bpftool as the oracle ---- */

#define OBJ_NAME "render_types.bpf.o"

/* The object beside this program, wherever the runner started it. */
static char *obj_path(void)
{
	char exe[PATH_MAX], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return strdup(OBJ_NAME);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		slash[1] = '\0';
	if (asprintf(&p, "%s%s", slash ? exe : "", OBJ_NAME) < 0)
		return NULL;
	return p;
}

/* Tricky values, different per @seed: extremes, negatives, no-variant enums. */
static void fill_value(struct rt_value *v, int seed)
{
	__u32 cv = seed ? 0xffffffffu : 0x80000000u;

	memset(v, 0, sizeof(*v));
	v->bits.lo = seed ? 7 : 0;
	v->bits.mid = seed == 1 ? 0x1ff : 0x155;
	v->bits.neg = seed == 1 ? -16 : seed ? 15 : -1;
	v->bits.one = 1;
	v->bits.sone = seed == 2 ? 0 : -1;
	v->bits.wide = seed == 1 ? 0xffffffffffull : 0x8000000001ull;
	v->bits.swide = seed == 1 ? -(1ll << 32) : seed ? (1ll << 32) - 1 : -5;
	v->bits.col = seed == 1 ? 3 : RT_BLUE;	/* 3: no variant */
	v->bits.flag = seed != 2;
	v->bits.tail = 0xff;

	v->nested.tag = seed == 1 ? INT32_MIN : -1;
	v->nested.as_u32 = 0xdeadbeef + seed;
	v->nested.named.x = -128;
	v->nested.named.deep.y = seed ? -32768 : 32767;
	v->nested.named.deep.z = UINT64_MAX - seed;

	v->chain.s8 = -128;
	v->chain.u16 = 65535;
	v->chain.s32 = INT32_MIN;
	v->chain.u64 = 1ull << 63;

	v->pts[0].x = -1;
	v->pts[0].y = 32767;
	v->pts[1].x = -32768;
	v->pts[2].y = (__s16)(seed * 1000);
	v->grid[0][0] = -7;
	v->grid[1][2] = 12345;
	v->grid[0][2] = (__s16)-seed;

	v->sgn = seed == 1 ? RT_NEG_MIN : seed ? (enum rt_signed)-5 : RT_NEG_ONE;
	v->usg = seed == 1 ? RT_U_LARGE : seed ? (enum rt_unsigned)0xfffffff1u : RT_U_TOP;
	v->color = seed == 2 ? (enum rt_color)77 : RT_GREEN;

	snprintf(v->name, sizeof(v->name), "hello, world %d", seed);
	memcpy(v->raw, "\x01\x02\x7f\x80\xff", 6);
	memcpy(v->full, "abcd", 4);
	memcpy(v->junk, "ab\0xy\x01zz", 8);
	v->c = seed == 1 ? -3 : 'A';
	v->yes = 1;
	v->no = 0;
	memcpy((char *)v + offsetof(struct rt_value, cv), &cv, sizeof(cv));
	v->vol = INT64_MIN + seed;
	v->i8 = -128;
	v->u8 = 255;
	v->i16 = -32768;
	v->u16 = 65535;
	v->i32 = INT32_MIN;
	v->u32 = UINT32_MAX;
	v->i64 = seed == 1 ? INT64_MAX : INT64_MIN;
	v->u64 = UINT64_MAX;
	v->u128_small = 12345 + seed;
	v->u128_big = ((unsigned __int128)0xabcdef << 64) | 0x1234;
	v->s128_neg = seed == 1 ? -((__int128)1 << 100) : -2;
	v->next = (struct rt_node *)(0xffff888012345678ull + seed);
	v->opaque = NULL;
}

static void fill_key(struct rt_key *k, int seed)
{
	memset(k, 0, sizeof(*k));
	k->id = seed ? 0xffffffffu - seed : 0;
	k->sub = seed == 1 ? -32768 : (__s16)seed;
	snprintf(k->tag, sizeof(k->tag), "k%d", seed);
}

/*
 * bpftool's JSON with every bare number turned into a string "#<text>":
 * jansson refuses integers beyond int64 (bpftool prints u64 values and
 * pointers with %llu), and comparing the digits as text is exact anyway.
 * The "#" keeps numbers apart from strings bpftool printed as strings.
 */
static char *quote_numbers(const char *in)
{
	size_t n = strlen(in), o = 0;
	char *out = malloc(n * 3 + 1);
	bool in_str = false;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		char ch = in[i];

		if (in_str) {
			out[o++] = ch;
			if (ch == '\\' && i + 1 < n)
				out[o++] = in[++i];
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"') {
			in_str = true;
			out[o++] = ch;
		} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
			out[o++] = '"';
			out[o++] = '#';
			while (i < n && strchr("-+.eE0123456789", in[i]))
				out[o++] = in[i++];
			i--;
			out[o++] = '"';
		} else {
			out[o++] = ch;
		}
	}
	out[o] = '\0';
	return out;
}

/* `bpftool -j map dump id @id`, parsed; NULL on failure. */
static json_t *bpftool_dump(__u32 id)
{
	char cmd[64], *buf = NULL, *q;
	size_t len = 0, cap = 0, r;
	json_error_t jerr;
	json_t *j = NULL;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "bpftool -j map dump id %u 2>/dev/null", id);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb)
				break;
			buf = nb;
		}
		r = fread(buf + len, 1, 4096, p);
		if (!r)
			break;
		len += r;
	}
	pclose(p);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	q = quote_numbers(buf);
	if (q)
		j = json_loads(q, 0, &jerr);
	if (q && !j)
		fprintf(stderr, "# bpftool JSON: %s at %d\n", jerr.text, jerr.position);
	free(q);
	free(buf);
	return j;
}

struct cmp {
	unsigned int leaves;	/* leaves compared */
	unsigned int skipped;	/* leaves bpftool does not show */
	unsigned int bad;
	bool quiet;
};

static void mismatch(struct cmp *c, const char *path, const char *want, const json_t *j)
{
	char *got;

	c->bad++;
	if (c->quiet)
		return;
	got = json_dumps(j, JSON_ENCODE_ANY);
	fprintf(stderr, "# mismatch at %s: rendered %s, bpftool %s\n", path, want,
		got ? got : "?");
	free(got);
}

static void leaf_text(struct cmp *c, const char *path, const char *want, const json_t *j)
{
	c->leaves++;
	if (!json_is_string(j) || strcmp(json_string_value(j), want))
		mismatch(c, path, want, j);
}

static uint64_t mask_bits(uint64_t v, uint32_t bits)
{
	return bits >= 64 ? v : v & ((1ull << bits) - 1);
}

/* bpftool prints 128-bit ints and bitfields as hex of the raw bits. */
static void hex128(char *buf, size_t sz, uint64_t hi, uint64_t lo)
{
	if (hi)
		snprintf(buf, sz, "0x%" PRIx64 "%016" PRIx64, hi, lo);
	else
		snprintf(buf, sz, "0x%" PRIx64, lo);
}

static void compare(struct cmp *c, const struct ktstr_value *v, const json_t *j,
		    const char *path, uint32_t bitfield);

/*
 * A char array. bpftool prints a string when the bytes up to a NUL are
 * printable, whatever follows the NUL; the renderer makes it a STRING
 * only when nothing but NULs follows, an ARRAY of chars otherwise, and a
 * STRING also for text that fills the array without a NUL (bpftool: an
 * array). Either way the characters are compared one by one; the bytes
 * after the NUL that bpftool drops are counted as skipped.
 */
static bool compare_chars(struct cmp *c, const struct ktstr_value *v, const json_t *j,
			  const char *path)
{
	const char *s;
	size_t i, n;

	if (v->kind == KTSTR_VALUE_STRING && json_is_string(j)) {
		leaf_text(c, path, v->str.str, j);
		return true;
	}
	if (v->kind == KTSTR_VALUE_STRING && json_is_array(j)) {
		char want[8];

		n = json_array_size(j);
		if (n != v->str.size)
			mismatch(c, path, "(array size)", j);
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want), "#%d",
				 i < v->str.len ? (signed char)v->str.str[i] : 0);
			leaf_text(c, path, want, json_array_get(j, i));
		}
		return true;
	}
	if (v->kind == KTSTR_VALUE_ARRAY && json_is_string(j)) {
		s = json_string_value(j);
		n = strlen(s);
		for (i = 0; i < v->arr.nr; i++) {
			const struct ktstr_value *e = v->arr.elems[i];

			if (i > n) {
				c->skipped++;
				continue;
			}
			c->leaves++;
			if (e->kind != KTSTR_VALUE_CHAR || e->i != (i < n ? s[i] : 0))
				mismatch(c, path, "(char array)", j);
		}
		return true;
	}
	return false;
}

static void compare_agg(struct cmp *c, const struct ktstr_value *v, const json_t *j,
			const char *path)
{
	char sub[512];
	size_t i;

	if (!json_is_object(j) || json_object_size(j) != v->agg.nr) {
		mismatch(c, path, "(struct)", j);
		return;
	}
	for (i = 0; i < v->agg.nr; i++) {
		const struct ktstr_member *m = &v->agg.members[i];

		snprintf(sub, sizeof(sub), "%s.%s", path, m->name);
		compare(c, m->value, json_object_get(j, m->name), sub, m->bitfield_size);
	}
}

static void compare(struct cmp *c, const struct ktstr_value *v, const json_t *j,
		    const char *path, uint32_t bitfield)
{
	char want[64], sub[512];
	uint64_t raw;
	size_t i;

	if (!j) {
		mismatch(c, path, "(present)", j);
		return;
	}
	if (bitfield) {
		/* bpftool: hex of the field's raw bits, never sign-extended. */
		switch (v->kind) {
		case KTSTR_VALUE_INT:
		case KTSTR_VALUE_UINT:
			raw = v->u;
			break;
		case KTSTR_VALUE_BOOL:
			raw = v->b;
			break;
		case KTSTR_VALUE_ENUM:
			raw = (uint64_t)v->enm.value;
			break;
		default:
			mismatch(c, path, "(bitfield kind)", j);
			return;
		}
		hex128(want, sizeof(want), 0, mask_bits(raw, bitfield));
		leaf_text(c, path, want, j);
		return;
	}
	switch (v->kind) {
	case KTSTR_VALUE_INT:
		if (v->bits == 128)
			hex128(want, sizeof(want), v->i < 0 ? UINT64_MAX : 0, (uint64_t)v->i);
		else
			snprintf(want, sizeof(want), "#%" PRId64, v->i);
		leaf_text(c, path, want, j);
		break;
	case KTSTR_VALUE_UINT:
		if (v->bits == 128)
			hex128(want, sizeof(want), 0, v->u);
		else
			snprintf(want, sizeof(want), "#%" PRIu64, v->u);
		leaf_text(c, path, want, j);
		break;
	case KTSTR_VALUE_CHAR:
		/* clang encodes char as a signed int: bpftool prints %hhd. */
		snprintf(want, sizeof(want), "#%" PRId64, v->i);
		leaf_text(c, path, want, j);
		break;
	case KTSTR_VALUE_BOOL:
		c->leaves++;
		if (!json_is_boolean(j) || json_is_true(j) != v->b)
			mismatch(c, path, v->b ? "true" : "false", j);
		break;
	case KTSTR_VALUE_ENUM:
		/* bpftool reads an enum as a signed integer of its size. */
		if (v->enm.name)
			snprintf(want, sizeof(want), "%s", v->enm.name);
		else if (v->bits < 64 && (v->enm.value & (1ll << (v->bits - 1))))
			snprintf(want, sizeof(want), "#%" PRId64,
				 (int64_t)(mask_bits(v->enm.value, v->bits) | (~0ull << v->bits)));
		else
			snprintf(want, sizeof(want), "#%" PRId64,
				 (int64_t)mask_bits(v->enm.value, v->bits));
		leaf_text(c, path, want, j);
		break;
	case KTSTR_VALUE_PTR:
		/* bpftool: the address in decimal (%lu). */
		snprintf(want, sizeof(want), "#%" PRIu64, v->ptr.addr);
		leaf_text(c, path, want, j);
		break;
	case KTSTR_VALUE_BYTES: {
		uint64_t lo, hi;

		if (v->bytes.len != 16) {
			mismatch(c, path, "(16 bytes)", j);
			break;
		}
		memcpy(&lo, v->bytes.data, 8);
		memcpy(&hi, v->bytes.data + 8, 8);
		hex128(want, sizeof(want), hi, lo);
		leaf_text(c, path, want, j);
		break;
	}
	case KTSTR_VALUE_STRING:
		if (!compare_chars(c, v, j, path))
			mismatch(c, path, "(string)", j);
		break;
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		compare_agg(c, v, j, path);
		break;
	case KTSTR_VALUE_ARRAY:
		if (v->arr.nr && v->arr.elems[0]->kind == KTSTR_VALUE_CHAR &&
		    compare_chars(c, v, j, path))
			break;
		if (!json_is_array(j) || json_array_size(j) != v->arr.nr) {
			mismatch(c, path, "(array)", j);
			break;
		}
		for (i = 0; i < v->arr.nr; i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			compare(c, v->arr.elems[i], json_array_get(j, i), sub, 0);
		}
		break;
	case KTSTR_VALUE_FLOAT:
	case KTSTR_VALUE_ERROR:
	default:
		c->leaves++;
		mismatch(c, path, v->kind == KTSTR_VALUE_ERROR ? v->error.msg : "(float)", j);
		break;
	}
}

/*
 * A DATASEC: bpftool prints {"<section>": [{"<var>": value}, ...]}, the
 * renderer a STRUCT whose members are the variables.
 */
static void compare_datasec(struct cmp *c, const struct ktstr_value *v, const json_t *j,
			    const char *sec)
{
	const json_t *vars = json_object_get(j, sec);
	char path[256];
	size_t i;

	if (v->kind != KTSTR_VALUE_STRUCT || !json_is_array(vars) ||
	    json_array_size(vars) != v->agg.nr) {
		mismatch(c, sec, "(datasec)", j);
		return;
	}
	for (i = 0; i < v->agg.nr; i++) {
		const struct ktstr_member *m = &v->agg.members[i];

		snprintf(path, sizeof(path), "%s.%s", sec, m->name);
		compare(c, m->value, json_object_get(json_array_get(vars, i), m->name), path, 0);
	}
}

/* The dump entry whose "key" (hex byte strings) is @key. */
static const json_t *find_entry(const json_t *dump, const void *key, size_t ksz)
{
	const json_t *e;
	size_t i, b;

	json_array_foreach(dump, i, e) {
		const json_t *k = json_object_get(e, "key");

		if (json_array_size(k) != ksz)
			continue;
		for (b = 0; b < ksz; b++) {
			const char *h = json_string_value(json_array_get(k, b));

			if (!h || strtoul(h, NULL, 16) != ((const uint8_t *)key)[b])
				break;
		}
		if (b == ksz)
			return e;
	}
	return NULL;
}

/* Render one entry of @map and compare it with bpftool's. */
static void check_entry(struct cmp *c, const struct btf *btf, const struct bpf_map *map,
			const json_t *dump, const void *key, const char *what)
{
	__u32 vsz = bpf_map__value_size(map), ksz = bpf_map__key_size(map);
	__u32 vid = bpf_map__btf_value_type_id(map), kid = bpf_map__btf_key_type_id(map);
	const struct btf_type *vt = btf__type_by_id(btf, vid);
	const json_t *e = find_entry(dump, key, ksz), *f;
	struct ktstr_value *kv = NULL, *vv = NULL;
	void *val = calloc(1, vsz);
	char path[128];

	if (!val || !e || bpf_map_lookup_elem(bpf_map__fd(map), key, val)) {
		fprintf(stderr, "# %s: entry missing (%s)\n", what, e ? "lookup" : "bpftool");
		c->bad++;
		goto out;
	}
	f = json_object_get(e, "formatted");
	vv = ktstr_btf__render(btf, vid, val, vsz, NULL);
	if (kid) {
		kv = ktstr_btf__render(btf, kid, key, ksz, NULL);
		snprintf(path, sizeof(path), "%s.key", what);
		compare(c, kv, json_object_get(f, "key"), path, 0);
	}
	if (vt && btf_is_datasec(vt)) {
		compare_datasec(c, vv, json_object_get(f, "value"),
				btf__name_by_offset(btf, vt->name_off));
	} else {
		snprintf(path, sizeof(path), "%s.value", what);
		compare(c, vv, json_object_get(f, "value"), path, 0);
	}
out:
	ktstr_value__free(kv);
	ktstr_value__free(vv);
	free(val);
}

static __u32 map_id(const struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return 0;
	return info.id;
}

static struct bpf_map *find_map(struct bpf_object *obj, const char *suffix)
{
	struct bpf_map *m;
	size_t sl = strlen(suffix);

	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		size_t nl = strlen(n);

		if (nl >= sl && !strcmp(n + nl - sl, suffix))
			return m;
	}
	return NULL;
}

/* Write @sz bytes of @src into global @var of section @sec's bytes @buf. */
static int set_var(const struct btf *btf, const struct bpf_map *map, void *buf,
		   const char *var, const void *src, size_t sz)
{
	const struct btf_type *t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	const struct btf_var_secinfo *vi;
	int i;

	if (!t || !btf_is_datasec(t))
		return -EINVAL;
	vi = btf_var_secinfos(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *vt = btf__type_by_id(btf, vi[i].type);

		if (strcmp(btf__name_by_offset(btf, vt->name_off), var))
			continue;
		if (vi[i].size != sz || vi[i].offset + sz > bpf_map__value_size(map))
			return -E2BIG;
		memcpy((char *)buf + vi[i].offset, src, sz);
		return 0;
	}
	return -ENOENT;
}

/* Read-modify-write globals of a section map after load. */
static int set_globals(const struct btf *btf, const struct bpf_map *map,
		       const char *const *vars, const void *const *srcs, const size_t *szs,
		       int n)
{
	__u32 zero = 0, vsz = bpf_map__value_size(map);
	char *buf = calloc(1, vsz);
	int i, err;

	if (!buf)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(map), &zero, buf) ? -errno : 0;
	for (i = 0; i < n && !err; i++)
		err = set_var(btf, map, buf, vars[i], srcs[i], szs[i]);
	if (!err && bpf_map_update_elem(bpf_map__fd(map), &zero, buf, BPF_ANY))
		err = -errno;
	free(buf);
	return err;
}

FIXTURE(obj) {
	struct bpf_object *obj;
	const struct btf *btf;
	bool loaded;
};

FIXTURE_SETUP(obj)
{
	__s32 ro_neg = INT32_MIN + 1;
	struct rt_nested ro_nested;
	struct bpf_program *prog;
	char *path = obj_path();
	struct bpf_map *ro;
	const void *init;
	size_t sz;
	void *buf;
	int err;

	self->loaded = false;
	ASSERT_NE(NULL, path);
	self->obj = bpf_object__open_file(path, NULL);
	free(path);
	ASSERT_NE(NULL, self->obj) TH_LOG("cannot open %s: %d", OBJ_NAME, -errno);
	bpf_object__for_each_program(prog, self->obj)
		bpf_program__set_autoload(prog, false);
	self->btf = bpf_object__btf(self->obj);
	ASSERT_NE(NULL, self->btf);

	/* .rodata is frozen at load: its values go in before. */
	ro = find_map(self->obj, ".rodata");
	ASSERT_NE(NULL, ro);
	/* A copy: libbpf 1.1 hands out its buffer as const. */
	init = bpf_map__initial_value(ro, &sz);
	ASSERT_NE(NULL, init);
	init = buf = malloc(sz);
	ASSERT_NE(NULL, buf);
	memcpy(buf, bpf_map__initial_value(ro, &sz), sz);
	memset(&ro_nested, 0, sizeof(ro_nested));
	ro_nested.tag = INT32_MAX;
	ro_nested.lo16 = 0xfffe;
	ro_nested.hi16 = 1;
	ro_nested.named.x = 127;
	ro_nested.named.deep.y = -2;
	ro_nested.named.deep.z = 0x0123456789abcdefull;
	ASSERT_EQ(0, set_var(self->btf, ro, buf, "g_ro_neg", &ro_neg, sizeof(ro_neg)));
	ASSERT_EQ(0, set_var(self->btf, ro, buf, "g_ro_nested", &ro_nested,
			     sizeof(ro_nested)));
	err = bpf_map__set_initial_value(ro, buf, sz);
	free(buf);
	ASSERT_EQ(0, err);

	err = bpf_object__load(self->obj);
	if (err == -EPERM || err == -EACCES)
		return;	/* the tests SKIP when !loaded */
	ASSERT_EQ(0, err);
	self->loaded = true;
}

FIXTURE_TEARDOWN(obj)
{
	bpf_object__close(self->obj);
}

#define SKIP_UNLESS_LOADED() do {						\
	if (!self->loaded)							\
		SKIP(return, "bpf(2) not permitted: cannot load " OBJ_NAME);	\
} while (0)

#define SKIP_UNLESS_BPFTOOL() do {						\
	if (system("bpftool version >/dev/null 2>&1"))				\
		SKIP(return, "bpftool not found: no oracle");			\
} while (0)

/* Mismatches found after spoiling one leaf (bits.neg) of entry 1's rendering. */
static unsigned int spoiled_mismatches(const struct btf *btf, const struct bpf_map *map,
				       const json_t *dump)
{
	struct ktstr_value *r, *neg;
	struct cmp bad = { .quiet = true };
	struct rt_value v;
	const json_t *e;
	struct rt_key k;

	fill_key(&k, 1);
	fill_value(&v, 1);
	e = find_entry(dump, &k, sizeof(k));
	r = ktstr_btf__render(btf, bpf_map__btf_value_type_id(map), &v, sizeof(v), NULL);
	neg = (struct ktstr_value *)ktstr_value__member(ktstr_value__member(r, "bits"), "neg");
	if (!e || !neg) {
		ktstr_value__free(r);
		return 0;
	}
	neg->i = -15;
	compare(&bad, r, json_object_get(json_object_get(e, "formatted"), "value"), "spoiled", 0);
	ktstr_value__free(r);
	return bad.bad;
}

/* A HASH map with struct keys and values, every leaf against bpftool. */
TEST_F(obj, hash_map_vs_bpftool)
{
	struct bpf_map *map = bpf_object__find_map_by_name(self->obj, "rt_hash");
	struct cmp c = { 0 };
	struct rt_value v;
	struct rt_key k;
	json_t *dump;
	int seed;

	SKIP_UNLESS_LOADED();
	SKIP_UNLESS_BPFTOOL();
	ASSERT_NE(NULL, map);
	for (seed = 0; seed < 3; seed++) {
		fill_key(&k, seed);
		fill_value(&v, seed);
		ASSERT_EQ(0, bpf_map_update_elem(bpf_map__fd(map), &k, &v, BPF_ANY));
	}
	dump = bpftool_dump(map_id(map));
	ASSERT_NE(NULL, dump);
	ASSERT_EQ(3, json_array_size(dump));
	for (seed = 0; seed < 3; seed++) {
		char what[32];

		fill_key(&k, seed);
		snprintf(what, sizeof(what), "rt_hash[%d]", seed);
		check_entry(&c, self->btf, map, dump, &k, what);
	}
	EXPECT_EQ(0, c.bad);

	/* The comparison itself catches a wrong leaf. */
	EXPECT_EQ(1, spoiled_mismatches(self->btf, map, dump));
	json_decref(dump);
	TH_LOG("%u leaves compared, %u not shown by bpftool", c.leaves, c.skipped);
	EXPECT_EQ(0, c.bad);
	/* Every leaf: 3 of the key, 72 of the value (the 5 bytes after junk's
	 * NUL, which bpftool does not print, apart). */
	EXPECT_EQ(3 * (3 + 72), c.leaves);
}

/* An ARRAY map of structs, unfilled slots included. */
TEST_F(obj, array_map_vs_bpftool)
{
	struct bpf_map *map = bpf_object__find_map_by_name(self->obj, "rt_array");
	struct cmp c = { 0 };
	struct rt_value v;
	json_t *dump;
	__u32 i;

	SKIP_UNLESS_LOADED();
	SKIP_UNLESS_BPFTOOL();
	ASSERT_NE(NULL, map);
	for (i = 0; i < 3; i++) {
		fill_value(&v, (int)i);
		ASSERT_EQ(0, bpf_map_update_elem(bpf_map__fd(map), &i, &v, BPF_ANY));
	}
	dump = bpftool_dump(map_id(map));
	ASSERT_NE(NULL, dump);
	ASSERT_EQ(4, json_array_size(dump));
	for (i = 0; i < 4; i++) {
		char what[32];

		snprintf(what, sizeof(what), "rt_array[%u]", i);
		check_entry(&c, self->btf, map, dump, &i, what);
	}
	json_decref(dump);
	TH_LOG("%u leaves compared, %u not shown by bpftool", c.leaves, c.skipped);
	EXPECT_EQ(0, c.bad);
	/* 1 + 72 leaves an entry, but the zeroed entry's raw, full and junk
	 * are empty strings on both sides: 1 leaf each, not 6 + 4 + 3. */
	EXPECT_EQ(4 * (1 + 72) - 10, c.leaves);
}

/* .bss, .data, .rodata: DATASECs rendered as structs of their variables. */
TEST_F(obj, globals_vs_bpftool)
{
	static const char *const secs[] = { ".bss", ".data", ".rodata" };
	struct bpf_map *bss = find_map(self->obj, ".bss");
	struct bpf_map *data = find_map(self->obj, ".data");
	/* static: padding zeroed, as the map bytes must be */
	/* static: their padding is zero, as bytes given to the kernel must be */
	static const struct rt_inner chain = { -128, 65535, INT32_MIN, 1ull << 63 };
	static const struct rt_bits bits = {
		.neg = -16, .sone = -1, .swide = -1, .wide = 0xffffffffffull,
	};
	static const struct rt_point pts[2][2] = {
		{ { -1, 2 }, { 3, -4 } }, { { 32767, -32768 }, { 0, 9 } },
	};
	enum rt_signed sgn = RT_NEG_MIN;
	char name[16] = "data section";
	__u64 counter = UINT64_MAX;
	_Bool flag = 1;
	struct rt_value v;
	const char *const bss_vars[] = { "g_bss_value", "g_counter", "g_flag" };
	const void *const bss_srcs[] = { &v, &counter, &flag };
	const size_t bss_szs[] = { sizeof(v), sizeof(counter), sizeof(flag) };
	const char *const data_vars[] = { "g_chain", "g_sgn", "g_name", "g_bits", "g_pts" };
	const void *const data_srcs[] = { &chain, &sgn, name, &bits, pts };
	const size_t data_szs[] = { sizeof(chain), sizeof(sgn), sizeof(name), sizeof(bits),
				    sizeof(pts) };
	struct cmp c = { 0 };
	__u32 zero = 0;
	unsigned int s;

	SKIP_UNLESS_LOADED();
	SKIP_UNLESS_BPFTOOL();
	ASSERT_NE(NULL, bss);
	ASSERT_NE(NULL, data);
	fill_value(&v, 1);
	ASSERT_EQ(0, set_globals(self->btf, bss, bss_vars, bss_srcs, bss_szs, 3));
	ASSERT_EQ(0, set_globals(self->btf, data, data_vars, data_srcs, data_szs, 5));
	for (s = 0; s < 3; s++) {
		struct bpf_map *map = find_map(self->obj, secs[s]);
		json_t *dump;

		ASSERT_NE(NULL, map);
		dump = bpftool_dump(map_id(map));
		ASSERT_NE(NULL, dump) TH_LOG("%s", secs[s]);
		ASSERT_EQ(1, json_array_size(dump));
		check_entry(&c, self->btf, map, dump, &zero, secs[s]);
		json_decref(dump);
	}
	TH_LOG("%u leaves compared, %u not shown by bpftool", c.leaves, c.skipped);
	EXPECT_EQ(0, c.bad);
	/* .bss 1 + 72 + 1, .data 4 + 1 + 1 + 10 + 8, .rodata 1 + 11. */
	EXPECT_EQ(74 + 24 + 12, c.leaves);
}

/*
 * A few values checked directly, so that a mistake the renderer and the
 * comparison's normalisation share cannot hide: signed bitfields
 * sign-extended, enum names and kept values, strings, 128-bit ints, type
 * names through typedef chains.
 */
TEST_F(obj, direct_values)
{
	struct bpf_map *map = bpf_object__find_map_by_name(self->obj, "rt_array");
	const struct ktstr_value *b, *x;
	struct ktstr_value *r;
	struct rt_value v;
	__u32 key = 0;

	SKIP_UNLESS_LOADED();
	ASSERT_NE(NULL, map);
	fill_value(&v, 1);
	ASSERT_EQ(0, bpf_map_update_elem(bpf_map__fd(map), &key, &v, BPF_ANY));
	memset(&v, 0, sizeof(v));
	ASSERT_EQ(0, bpf_map_lookup_elem(bpf_map__fd(map), &key, &v));
	r = ktstr_btf__render(self->btf, bpf_map__btf_value_type_id(map), &v, sizeof(v), NULL);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("struct rt_value", r->type_name);
	b = ktstr_value__member(r, "bits");
	ASSERT_NE(NULL, b);
	x = ktstr_value__member(b, "neg");
	ASSERT_EQ(KTSTR_VALUE_INT, x->kind);
	EXPECT_EQ(-16, x->i);
	EXPECT_EQ(5, x->bits);
	EXPECT_EQ(-1, ktstr_value__member(b, "sone")->i);
	EXPECT_EQ(-(1ll << 32), ktstr_value__member(b, "swide")->i);
	EXPECT_EQ(0xffffffffffull, ktstr_value__member(b, "wide")->u);
	EXPECT_EQ(0x1ff, ktstr_value__member(b, "mid")->u);
	x = ktstr_value__member(b, "col");
	ASSERT_EQ(KTSTR_VALUE_ENUM, x->kind);
	EXPECT_EQ(NULL, x->enm.name);
	EXPECT_EQ(3, x->enm.value);
	x = ktstr_value__member(r, "sgn");
	EXPECT_STREQ("RT_NEG_MIN", x->enm.name);
	x = ktstr_value__member(r, "usg");
	EXPECT_STREQ("RT_U_LARGE", x->enm.name);
	x = ktstr_value__member(r, "chain");
	EXPECT_STREQ("rt_inner_tt", x->type_name);
	EXPECT_EQ(-128, ktstr_value__member(x, "s8")->i);
	EXPECT_STREQ("__s8", ktstr_value__member(x, "s8")->type_name);
	x = ktstr_value__member(r, "name");
	ASSERT_EQ(KTSTR_VALUE_STRING, x->kind);
	EXPECT_STREQ("hello, world 1", x->str.str);
	EXPECT_EQ(KTSTR_VALUE_ARRAY, ktstr_value__member(r, "raw")->kind);
	EXPECT_EQ(KTSTR_VALUE_STRING, ktstr_value__member(r, "full")->kind);
	EXPECT_EQ(KTSTR_VALUE_ARRAY, ktstr_value__member(r, "junk")->kind);
	x = ktstr_value__member(r, "c");
	EXPECT_EQ(KTSTR_VALUE_CHAR, x->kind);
	EXPECT_EQ(-3, x->i);
	EXPECT_EQ(KTSTR_VALUE_BOOL, ktstr_value__member(r, "yes")->kind);
	EXPECT_EQ(0xffffffffu, ktstr_value__member(r, "cv")->u);
	EXPECT_EQ(KTSTR_VALUE_UINT, ktstr_value__member(r, "u128_small")->kind);
	EXPECT_EQ(12346, ktstr_value__member(r, "u128_small")->u);
	EXPECT_EQ(KTSTR_VALUE_BYTES, ktstr_value__member(r, "u128_big")->kind);
	EXPECT_EQ(KTSTR_VALUE_BYTES, ktstr_value__member(r, "s128_neg")->kind);
	/* Members of anonymous aggregates are found through them. */
	x = ktstr_value__member(r, "nested");
	ASSERT_NE(NULL, ktstr_value__member(x, "lo16"));
	EXPECT_EQ(0xdeadbeef + 1, ktstr_value__member(x, "as_u32")->u);
	EXPECT_EQ((0xdeadbeef + 1) & 0xffff, ktstr_value__member(x, "lo16")->u);
	x = ktstr_value__member(r, "grid");
	EXPECT_EQ(12345, ktstr_value__index(ktstr_value__index(x, 1), 2)->i);
	x = ktstr_value__member(r, "next");
	ASSERT_EQ(KTSTR_VALUE_PTR, x->kind);
	EXPECT_EQ(0xffff888012345679ull, x->ptr.addr);
	EXPECT_STREQ("struct rt_node *", x->type_name);
	EXPECT_STREQ("NULL", ktstr_value__member(r, "opaque")->ptr.note);
	ktstr_value__free(r);
}

/*
 * The float section: bpftool 7.1 has no format for BTF_KIND_FLOAT (its
 * JSON breaks off at "(unsupported-kind"), so the oracle here is the
 * values written, compared bit for bit.
 */
TEST_F(obj, floats_section)
{
	struct bpf_map *map = find_map(self->obj, ".data.floats");
	static const struct rt_floats fl = { -0.1f, 1e300, { 3.25f, -0.0f } };
	const struct ktstr_value *g, *x;
	double d = -2.5e-310;	/* subnormal */
	const char *const vars[] = { "g_floats", "g_double" };
	const void *const srcs[] = { &fl, &d };
	const size_t szs[] = { sizeof(fl), sizeof(d) };
	struct ktstr_value *r;
	__u32 zero = 0, vsz;
	void *buf;

	SKIP_UNLESS_LOADED();
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, set_globals(self->btf, map, vars, srcs, szs, 2));
	vsz = bpf_map__value_size(map);
	buf = calloc(1, vsz);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, bpf_map_lookup_elem(bpf_map__fd(map), &zero, buf));
	r = ktstr_btf__render(self->btf, bpf_map__btf_value_type_id(map), buf, vsz, NULL);
	free(buf);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ(".data.floats", r->type_name);
	g = ktstr_value__member(r, "g_floats");
	ASSERT_NE(NULL, g);
	x = ktstr_value__member(g, "f");
	ASSERT_EQ(KTSTR_VALUE_FLOAT, x->kind);
	EXPECT_EQ(32, x->flt.bits);
	EXPECT_TRUE(x->flt.f == (double)-0.1f);
	x = ktstr_value__member(g, "d");
	EXPECT_EQ(64, x->flt.bits);
	EXPECT_TRUE(x->flt.f == 1e300);
	x = ktstr_value__member(g, "fa");
	EXPECT_TRUE(ktstr_value__index(x, 0)->flt.f == 3.25);
	EXPECT_TRUE(signbit(ktstr_value__index(x, 1)->flt.f));
	x = ktstr_value__member(r, "g_double");
	ASSERT_NE(NULL, x);
	EXPECT_TRUE(x->flt.f == d);
	ktstr_value__free(r);
}

/* ---- part two: BTF built in memory ---- */

/* Bit @i of little-endian bytes, the oracle for bitfields. */
static uint64_t get_bits(const uint8_t *p, uint32_t off, uint32_t n)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (p[(off + i) / 8] & (1u << ((off + i) % 8)))
			v |= 1ull << i;
	return v;
}

static int64_t sext(uint64_t v, uint32_t n)
{
	return n < 64 && (v >> (n - 1) & 1) ? (int64_t)(v | ~0ull << n) : (int64_t)v;
}

/* An ERROR node anywhere in the tree. */
static unsigned int count_errors(const struct ktstr_value *v)
{
	unsigned int n = 0;
	size_t i;

	if (!v)
		return 0;
	switch (v->kind) {
	case KTSTR_VALUE_ERROR:
		return 1;
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		for (i = 0; i < v->agg.nr; i++)
			n += count_errors(v->agg.members[i].value);
		return n;
	case KTSTR_VALUE_ARRAY:
		for (i = 0; i < v->arr.nr; i++)
			n += count_errors(v->arr.elems[i]);
		return n;
	case KTSTR_VALUE_PTR:
		return count_errors(v->ptr.target);
	default:
		return 0;
	}
}

static bool is_error_with(const struct ktstr_value *v, const char *part)
{
	return v && v->kind == KTSTR_VALUE_ERROR && v->error.msg && strstr(v->error.msg, part);
}

struct bf_field {
	const char *name;
	uint32_t off, bits;
	bool is_signed;
};

/* Straddling, signed and 1-bit fields against the bit-by-bit oracle. */
TEST(bitfields_random)
{
	static const struct bf_field f[] = {
		{ "a", 0, 3, false }, { "b", 3, 10, false }, { "c", 13, 7, true },
		{ "d", 20, 33, true }, { "e", 53, 1, false }, { "f", 54, 1, true },
		{ "g", 64, 60, false }, { "h", 124, 4, true },
	};
	struct btf *btf = btf__new_empty();
	int u8, u16, s32, s64, u32, u64, sid, it, types[8];
	uint8_t buf[16];
	unsigned int i;

	ASSERT_NE(NULL, btf);
	u8 = btf__add_int(btf, "unsigned char", 1, 0);
	u16 = btf__add_int(btf, "unsigned short", 2, 0);
	s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	s64 = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	u64 = btf__add_int(btf, "unsigned long", 8, 0);
	sid = btf__add_struct(btf, "bf", 16);
	ASSERT_LT(0, sid);
	types[0] = u8, types[1] = u16, types[2] = s32, types[3] = s64;
	types[4] = u32, types[5] = s32, types[6] = u64, types[7] = s32;
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, btf__add_field(btf, f[i].name, types[i], f[i].off, f[i].bits));
	srand(1);
	for (it = 0; it < 2000; it++) {
		struct ktstr_value *r;

		for (i = 0; i < sizeof(buf); i++)
			buf[i] = it < 2 ? (it ? 0xff : 0) : rand();
		r = ktstr_btf__render(btf, sid, buf, sizeof(buf), NULL);
		ASSERT_NE(NULL, r);
		ASSERT_EQ(8, r->agg.nr);
		for (i = 0; i < 8; i++) {
			const struct ktstr_member *m = &r->agg.members[i];
			uint64_t raw = get_bits(buf, f[i].off, f[i].bits);

			ASSERT_STREQ(f[i].name, m->name);
			ASSERT_EQ(f[i].off, m->bit_offset);
			ASSERT_EQ(f[i].bits, m->bitfield_size);
			ASSERT_EQ(f[i].bits, m->value->bits);
			if (f[i].is_signed) {
				ASSERT_EQ(KTSTR_VALUE_INT, m->value->kind);
				ASSERT_EQ(sext(raw, f[i].bits), m->value->i) TH_LOG("%s", m->name);
			} else {
				ASSERT_EQ(KTSTR_VALUE_UINT, m->value->kind);
				ASSERT_EQ(raw, m->value->u) TH_LOG("%s", m->name);
			}
		}
		ktstr_value__free(r);
	}
	btf__free(btf);
}

/* Scalars: widths, signs, bool, char, 128-bit, names through typedef chains. */
TEST(scalars)
{
	struct btf *btf = btf__new_empty();
	int u32, tu32, cu32, vcu32, chr, bchr, bl, s128, u128, s8, s16, s64, u16;
	struct ktstr_value *r;
	uint8_t buf[16];

	ASSERT_NE(NULL, btf);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	tu32 = btf__add_typedef(btf, "u32", u32);
	cu32 = btf__add_const(btf, tu32);
	vcu32 = btf__add_volatile(btf, btf__add_typedef(btf, "my_u32", cu32));
	chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	bchr = btf__add_int(btf, "char8", 1, BTF_INT_CHAR);
	bl = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	s128 = btf__add_int(btf, "__int128", 16, BTF_INT_SIGNED);
	u128 = btf__add_int(btf, "unsigned __int128", 16, 0);
	s8 = btf__add_int(btf, "signed char", 1, BTF_INT_SIGNED);
	s16 = btf__add_int(btf, "short", 2, BTF_INT_SIGNED);
	s64 = btf__add_int(btf, "long long", 8, BTF_INT_SIGNED);
	u16 = btf__add_int(btf, "unsigned short", 2, 0);
	ASSERT_LT(0, u16);

	memset(buf, 0xff, sizeof(buf));
	r = ktstr_btf__render(btf, cu32, buf, 4, NULL);
	EXPECT_EQ(KTSTR_VALUE_UINT, r->kind);
	EXPECT_EQ(0xffffffffu, r->u);
	EXPECT_EQ(32, r->bits);
	EXPECT_STREQ("u32", r->type_name);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, vcu32, buf, 4, NULL);
	EXPECT_STREQ("my_u32", r->type_name);
	ktstr_value__free(r);

	r = ktstr_btf__render(btf, chr, buf, 1, NULL);
	EXPECT_EQ(KTSTR_VALUE_CHAR, r->kind);
	EXPECT_EQ(-1, r->i);
	ktstr_value__free(r);
	buf[0] = 'x';
	r = ktstr_btf__render(btf, bchr, buf, 1, NULL);
	EXPECT_EQ(KTSTR_VALUE_CHAR, r->kind);
	EXPECT_EQ('x', r->i);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, s8, buf + 1, 1, NULL);
	EXPECT_EQ(KTSTR_VALUE_INT, r->kind);	/* "signed char" is a number */
	EXPECT_EQ(-1, r->i);
	EXPECT_EQ(8, r->bits);
	ktstr_value__free(r);
	buf[0] = 2;
	r = ktstr_btf__render(btf, bl, buf, 1, NULL);
	EXPECT_EQ(KTSTR_VALUE_BOOL, r->kind);
	EXPECT_TRUE(r->b);
	ktstr_value__free(r);

	memcpy(buf, "\x00\x80", 2);
	r = ktstr_btf__render(btf, s16, buf, 2, NULL);
	EXPECT_EQ(-32768, r->i);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, u16, buf, 2, NULL);
	EXPECT_EQ(32768, r->u);
	ktstr_value__free(r);
	memcpy(buf, "\x00\x00\x00\x00\x00\x00\x00\x80", 8);
	r = ktstr_btf__render(btf, s64, buf, 8, NULL);
	EXPECT_EQ(INT64_MIN, r->i);
	ktstr_value__free(r);

	/* 128-bit: INT/UINT while the value fits 64 bits, else BYTES. */
	memset(buf, 0xff, 16);
	buf[0] = 0xfe;
	r = ktstr_btf__render(btf, s128, buf, 16, NULL);
	EXPECT_EQ(KTSTR_VALUE_INT, r->kind);
	EXPECT_EQ(-2, r->i);
	EXPECT_EQ(128, r->bits);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, u128, buf, 16, NULL);
	ASSERT_EQ(KTSTR_VALUE_BYTES, r->kind);
	EXPECT_EQ(16, r->bytes.len);
	EXPECT_EQ(0, memcmp(buf, r->bytes.data, 16));
	ktstr_value__free(r);
	memset(buf + 8, 0, 8);
	r = ktstr_btf__render(btf, u128, buf, 16, NULL);
	EXPECT_EQ(KTSTR_VALUE_UINT, r->kind);
	EXPECT_EQ(0xfffffffffffffffeull, r->u);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, s128, buf, 16, NULL);
	EXPECT_EQ(KTSTR_VALUE_BYTES, r->kind);	/* 2^64 - 2 does not fit int64 */
	ktstr_value__free(r);
	btf__free(btf);
}

TEST(enums)
{
	struct btf *btf = btf__new_empty();
	int e_s, e_u, e64_u, e64_s, e1;
	struct ktstr_value *r;
	uint64_t raw;

	ASSERT_NE(NULL, btf);
	e_s = btf__add_enum(btf, "sgn", 4);
	ASSERT_EQ(0, btf__add_enum_value(btf, "NEG", -5));
	ASSERT_EQ(0, btf__add_enum_value(btf, "POS", 5));
	e_u = btf__add_enum(btf, "uns", 4);
	/* A positive value: a negative one would make libbpf mark it signed. */
	ASSERT_EQ(0, btf__add_enum_value(btf, "TOP", 0x80000000ll));
	e64_u = btf__add_enum64(btf, "big", 8, false);
	ASSERT_EQ(0, btf__add_enum64_value(btf, "HUGE", 0xffffffff00000000ull));
	e64_s = btf__add_enum64(btf, "sbig", 8, true);
	ASSERT_EQ(0, btf__add_enum64_value(btf, "MIN", (uint64_t)INT64_MIN));
	e1 = btf__add_enum(btf, "small", 1);
	ASSERT_EQ(0, btf__add_enum_value(btf, "FF", 255));

	raw = (uint32_t)-5;
	r = ktstr_btf__render(btf, e_s, &raw, 4, NULL);
	ASSERT_EQ(KTSTR_VALUE_ENUM, r->kind);
	EXPECT_TRUE(r->enm.is_signed);
	EXPECT_EQ(-5, r->enm.value);
	EXPECT_STREQ("NEG", r->enm.name);
	EXPECT_STREQ("enum sgn", r->type_name);
	ktstr_value__free(r);
	raw = (uint32_t)-6;
	r = ktstr_btf__render(btf, e_s, &raw, 4, NULL);
	EXPECT_EQ(-6, r->enm.value);	/* no variant: the value is kept */
	EXPECT_EQ(NULL, r->enm.name);
	ktstr_value__free(r);
	raw = 0x80000000u;
	r = ktstr_btf__render(btf, e_u, &raw, 4, NULL);
	EXPECT_FALSE(r->enm.is_signed);
	EXPECT_EQ(0x80000000ll, r->enm.value);
	EXPECT_STREQ("TOP", r->enm.name);
	ktstr_value__free(r);
	raw = 0xffffffff00000000ull;
	r = ktstr_btf__render(btf, e64_u, &raw, 8, NULL);
	EXPECT_STREQ("HUGE", r->enm.name);
	EXPECT_EQ(0xffffffff00000000ull, (uint64_t)r->enm.value);
	ktstr_value__free(r);
	raw = (uint64_t)INT64_MIN;
	r = ktstr_btf__render(btf, e64_s, &raw, 8, NULL);
	EXPECT_STREQ("MIN", r->enm.name);
	EXPECT_EQ(INT64_MIN, r->enm.value);
	ktstr_value__free(r);
	raw = 0xff;
	r = ktstr_btf__render(btf, e1, &raw, 1, NULL);
	EXPECT_STREQ("FF", r->enm.name);
	ktstr_value__free(r);
	btf__free(btf);
}

TEST(floats)
{
	struct btf *btf = btf__new_empty();
	int f4, f8, f16, f2;
	struct ktstr_value *r;
	uint8_t buf[16] = { 0 };
	long double ld = -1.5L;
	double d = 0.1;
	float f = 3.25f;

	ASSERT_NE(NULL, btf);
	f4 = btf__add_float(btf, "float", 4);
	f8 = btf__add_float(btf, "double", 8);
	f16 = btf__add_float(btf, "long double", 16);
	f2 = btf__add_float(btf, "_Float16", 2);
	r = ktstr_btf__render(btf, f4, &f, 4, NULL);
	EXPECT_EQ(KTSTR_VALUE_FLOAT, r->kind);
	EXPECT_EQ(32, r->flt.bits);
	EXPECT_TRUE(r->flt.f == 3.25);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, f8, &d, 8, NULL);
	EXPECT_TRUE(r->flt.f == 0.1);
	ktstr_value__free(r);
	/* x86's long double: 80-bit extended in 16 bytes. */
	memcpy(buf, &ld, 10);
	r = ktstr_btf__render(btf, f16, buf, 16, NULL);
	EXPECT_EQ(80, r->flt.bits);
	EXPECT_TRUE(r->flt.f == -1.5);
	ktstr_value__free(r);
	ld = 1e-300L;
	memcpy(buf, &ld, 10);
	r = ktstr_btf__render(btf, f16, buf, 16, NULL);
	EXPECT_TRUE(r->flt.f == 1e-300);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, f2, buf, 2, NULL);
	EXPECT_TRUE(is_error_with(r, "2-byte float"));
	ktstr_value__free(r);
	btf__free(btf);
}

/* Char arrays: STRING for C text padded with NULs, else an ARRAY. */
TEST(char_arrays)
{
	static const struct {
		const char bytes[8];
		enum ktstr_value_kind kind;
		const char *str;
	} cases[] = {
		{ "abc", KTSTR_VALUE_STRING, "abc" },
		{ "", KTSTR_VALUE_STRING, "" },
		{ "abcdefgh", KTSTR_VALUE_STRING, "abcdefgh" },	/* fills it */
		{ "ab\0x", KTSTR_VALUE_ARRAY, NULL },
		{ "a\tb", KTSTR_VALUE_ARRAY, NULL },
		{ "\xc3\xa9", KTSTR_VALUE_ARRAY, NULL },
	};
	struct btf *btf = btf__new_empty();
	int chr, arr, uarr;
	struct ktstr_value *r;
	unsigned int i;

	ASSERT_NE(NULL, btf);
	chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	arr = btf__add_array(btf, btf__add_int(btf, "int", 4, BTF_INT_SIGNED), chr, 8);
	uarr = btf__add_array(btf, 2, btf__add_int(btf, "unsigned char", 1, 0), 8);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = ktstr_btf__render(btf, arr, cases[i].bytes, 8, NULL);
		ASSERT_EQ(cases[i].kind, r->kind) TH_LOG("case %u", i);
		if (cases[i].str) {
			EXPECT_STREQ(cases[i].str, r->str.str);
			EXPECT_EQ(strlen(cases[i].str), r->str.len);
			EXPECT_EQ(8, r->str.size);
		} else {
			ASSERT_EQ(8, r->arr.nr);
			EXPECT_EQ(KTSTR_VALUE_CHAR, r->arr.elems[0]->kind);
			EXPECT_EQ(cases[i].bytes[1], r->arr.elems[1]->i);
		}
		EXPECT_STREQ("char[8]", r->type_name);
		ktstr_value__free(r);
	}
	/* unsigned char is a byte, not text. */
	r = ktstr_btf__render(btf, uarr, "abc", 4, NULL);
	EXPECT_EQ(KTSTR_VALUE_ARRAY, r->kind);
	ktstr_value__free(r);
	btf__free(btf);
}

/*
 * struct t { u32 a; struct { u16 x; s16 y; } in; u32 bf:12, s32 bf2:7;
 *            u8 arr[3]; u64 b; } at every length 0..24: leaves whose bytes
 * are there render as in the full rendering, the others are ERROR nodes.
 */
struct trunc_leaf {
	const char *path[2];
	int idx;
	unsigned int end;	/* one past its last byte */
};

static const struct ktstr_value *leaf_at(const struct ktstr_value *r, const struct trunc_leaf *l)
{
	const struct ktstr_value *v = ktstr_value__member(r, l->path[0]);

	if (v && l->path[1])
		v = v->kind == KTSTR_VALUE_STRUCT ? ktstr_value__member(v, l->path[1]) : v;
	/* Elements past a short array's ERROR tail: the tail speaks for them. */
	if (v && l->idx >= 0 && v->kind == KTSTR_VALUE_ARRAY)
		v = (size_t)l->idx < v->arr.nr ? v->arr.elems[l->idx] :
		    v->arr.nr ? v->arr.elems[v->arr.nr - 1] : NULL;
	return v;
}

TEST(truncated_every_length)
{
	static const struct trunc_leaf leaves[] = {
		{ { "a" }, -1, 4 }, { { "in", "x" }, -1, 6 }, { { "in", "y" }, -1, 8 },
		{ { "bf" }, -1, 10 }, { { "bf2" }, -1, 11 }, { { "arr" }, 0, 12 },
		{ { "arr" }, 1, 13 }, { { "arr" }, 2, 14 }, { { "b" }, -1, 24 },
	};
	struct btf *btf = btf__new_empty();
	int u8, u16, s16, u32, s32, u64, in, arr, t;
	struct ktstr_value *full, *part;
	uint8_t data[24];
	size_t len, i;

	ASSERT_NE(NULL, btf);
	u8 = btf__add_int(btf, "unsigned char", 1, 0);
	u16 = btf__add_int(btf, "unsigned short", 2, 0);
	s16 = btf__add_int(btf, "short", 2, BTF_INT_SIGNED);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	u64 = btf__add_int(btf, "unsigned long", 8, 0);
	in = btf__add_struct(btf, NULL, 4);
	btf__add_field(btf, "x", u16, 0, 0);
	btf__add_field(btf, "y", s16, 16, 0);
	arr = btf__add_array(btf, u32, u8, 3);
	t = btf__add_struct(btf, "t", 24);
	ASSERT_EQ(0, btf__add_field(btf, "a", u32, 0, 0));
	ASSERT_EQ(0, btf__add_field(btf, "in", in, 32, 0));
	ASSERT_EQ(0, btf__add_field(btf, "bf", u32, 64, 12));
	ASSERT_EQ(0, btf__add_field(btf, "bf2", s32, 76, 7));
	ASSERT_EQ(0, btf__add_field(btf, "arr", arr, 88, 0));
	ASSERT_EQ(0, btf__add_field(btf, "b", u64, 128, 0));
	for (i = 0; i < sizeof(data); i++)
		data[i] = 0x11 * (i + 1);
	full = ktstr_btf__render(btf, t, data, sizeof(data), NULL);
	ASSERT_NE(NULL, full);
	ASSERT_EQ(0, count_errors(full));

	for (len = 0; len <= sizeof(data); len++) {
		/* An exact-size copy: valgrind sees any read past @len. */
		uint8_t *copy = malloc(len ? len : 1);

		ASSERT_NE(NULL, copy);
		memcpy(copy, data, len);
		part = ktstr_btf__render(btf, t, copy, len, NULL);
		free(copy);
		ASSERT_NE(NULL, part);
		ASSERT_EQ(KTSTR_VALUE_STRUCT, part->kind);
		for (i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
			const struct ktstr_value *p = leaf_at(part, &leaves[i]);

			if (leaves[i].end <= len) {
				ASSERT_TRUE(ktstr_value__equal(leaf_at(full, &leaves[i]), p))
					TH_LOG("len %zu leaf %zu", len, i);
			} else {
				/* The leaf, or the aggregate around it, says why. */
				ASSERT_TRUE(p && p->kind == KTSTR_VALUE_ERROR &&
					    strstr(p->error.msg, "truncated"))
					TH_LOG("len %zu leaf %zu", len, i);
			}
		}
		EXPECT_EQ(len == sizeof(data), !count_errors(part));
		if (len == 10) {
			/* Messages name the member and the bytes. */
			EXPECT_TRUE(is_error_with(ktstr_value__member(part, "bf2"),
						  "member bf2 needs bytes 9..11 of 10"));
		}
		ktstr_value__free(part);
	}
	ktstr_value__free(full);
	btf__free(btf);
}

/* A fake address space: regions of bytes at addresses. */
struct fake_mem {
	struct {
		uint64_t addr;
		uint8_t bytes[16];
	} r[16];
	int n;
	int reads;
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	int i;

	m->reads++;
	for (i = 0; i < m->n; i++)
		if (m->r[i].addr == addr && len <= sizeof(m->r[i].bytes)) {
			memcpy(buf, m->r[i].bytes, len);
			return 0;
		}
	return -EFAULT;
}

/* struct node { u64 val; struct node *next; } at @addr. */
static void fake_node(struct fake_mem *m, uint64_t addr, uint64_t val, uint64_t next)
{
	m->r[m->n].addr = addr;
	memcpy(m->r[m->n].bytes, &val, 8);
	memcpy(m->r[m->n].bytes + 8, &next, 8);
	m->n++;
}

/* How many pointers a rendering followed, and the last pointer's note. */
static int chain_len(const struct ktstr_value *v, const char **note)
{
	int n = 0;

	for (;;) {
		const struct ktstr_value *p = ktstr_value__member(v, "next");

		if (!p || p->kind != KTSTR_VALUE_PTR)
			return -1;
		*note = p->ptr.note;
		if (!p->ptr.target)
			return n;
		v = p->ptr.target;
		n++;
	}
}

FIXTURE(ptrs) {
	struct btf *btf;
	int node, vptr_s, fptr_s;
	struct fake_mem mem;
	struct ktstr_render_opts opts;
};

FIXTURE_SETUP(ptrs)
{
	int u64, node_ptr, vptr, fptr;

	self->btf = btf__new_empty();
	ASSERT_NE(NULL, self->btf);
	u64 = btf__add_int(self->btf, "unsigned long", 8, 0);
	/* Fields must follow their struct: the pointer refers ahead to it. */
	node_ptr = btf__add_ptr(self->btf, btf__type_cnt(self->btf) + 1);
	self->node = btf__add_struct(self->btf, "node", 16);
	ASSERT_EQ(node_ptr + 1, self->node);
	ASSERT_EQ(0, btf__add_field(self->btf, "val", u64, 0, 0));
	ASSERT_EQ(0, btf__add_field(self->btf, "next", node_ptr, 64, 0));
	/* struct { void *next; } and struct { void (*next)(void); } */
	vptr = btf__add_ptr(self->btf, 0);
	self->vptr_s = btf__add_struct(self->btf, "vs", 8);
	ASSERT_EQ(0, btf__add_field(self->btf, "next", vptr, 0, 0));
	fptr = btf__add_ptr(self->btf, btf__add_func_proto(self->btf, 0));
	self->fptr_s = btf__add_struct(self->btf, "fs", 8);
	ASSERT_EQ(0, btf__add_field(self->btf, "next", fptr, 0, 0));
	memset(&self->mem, 0, sizeof(self->mem));
	memset(&self->opts, 0, sizeof(self->opts));
	self->opts.sz = sizeof(self->opts);
	self->opts.read = fake_read;
	self->opts.read_ctx = &self->mem;
}

FIXTURE_TEARDOWN(ptrs)
{
	btf__free(self->btf);
}

static struct ktstr_value *render_node(FIXTURE_DATA(ptrs) *self, uint64_t val, uint64_t next,
				       const struct ktstr_render_opts *opts)
{
	uint64_t root[2] = { val, next };

	return ktstr_btf__render(self->btf, self->node, root, sizeof(root), opts);
}

/* A -> B -> A: the second visit to an address on the path is not followed. */
TEST_F(ptrs, cycle)
{
	struct ktstr_value *r;
	const char *note = NULL;

	fake_node(&self->mem, 0xa000, 1, 0xb000);
	fake_node(&self->mem, 0xb000, 2, 0xa000);
	r = render_node(self, 0, 0xa000, &self->opts);
	ASSERT_NE(NULL, r);
	/* root -> A -> B, then B.next = A is on the path. */
	EXPECT_EQ(2, chain_len(r, &note));
	EXPECT_STREQ("cycle", note);
	EXPECT_EQ(2, ktstr_value__member(ktstr_value__member(r, "next")->ptr.target,
					 "next")->ptr.target->agg.members[0].value->u);
	EXPECT_STREQ("struct node *", ktstr_value__member(r, "next")->type_name);
	ktstr_value__free(r);
}

/* A chain of 10 stops at the depth bound, default and given. */
TEST_F(ptrs, depth_limit)
{
	struct ktstr_value *r;
	const char *note = NULL;
	int i;

	for (i = 0; i < 10; i++)
		fake_node(&self->mem, 0x1000 * (i + 1), i, 0x1000 * (i + 2));
	r = render_node(self, 0, 0x1000, &self->opts);
	EXPECT_EQ(4, chain_len(r, &note));
	EXPECT_STREQ("depth limit", note);
	ktstr_value__free(r);
	self->opts.max_ptr_depth = 7;
	r = render_node(self, 0, 0x1000, &self->opts);
	EXPECT_EQ(7, chain_len(r, &note));
	EXPECT_STREQ("depth limit", note);
	ktstr_value__free(r);
	/* The 10th node points at an unmapped address. */
	self->opts.max_ptr_depth = 100;
	r = render_node(self, 0, 0x1000, &self->opts);
	EXPECT_EQ(10, chain_len(r, &note));
	EXPECT_STREQ("read failed: EFAULT", note);
	ktstr_value__free(r);
	/* A read budget of two nodes. */
	self->opts.max_read_bytes = 40;
	self->mem.reads = 0;
	r = render_node(self, 0, 0x1000, &self->opts);
	EXPECT_EQ(2, chain_len(r, &note));
	EXPECT_STREQ("read budget exhausted", note);
	EXPECT_EQ(2, self->mem.reads);
	ktstr_value__free(r);
}

TEST_F(ptrs, not_followed)
{
	struct ktstr_value *r;
	const char *note = NULL;
	uint64_t addr = 0x1000;

	fake_node(&self->mem, 0x1000, 1, 0);
	/* No reader: the address only, no note. */
	r = render_node(self, 0, 0x1000, NULL);
	EXPECT_EQ(0, chain_len(r, &note));
	EXPECT_EQ(NULL, note);
	EXPECT_EQ(0x1000, ktstr_value__member(r, "next")->ptr.addr);
	ktstr_value__free(r);
	/* NULL */
	r = render_node(self, 0, 0x1000, &self->opts);
	EXPECT_EQ(1, chain_len(r, &note));
	EXPECT_STREQ("NULL", note);
	ktstr_value__free(r);
	/* Unreadable */
	r = render_node(self, 0, 0xdead0000, &self->opts);
	EXPECT_EQ(0, chain_len(r, &note));
	EXPECT_STREQ("read failed: EFAULT", note);
	ktstr_value__free(r);
	/* void * and function pointers are never followed. */
	self->mem.reads = 0;
	r = ktstr_btf__render(self->btf, self->vptr_s, &addr, 8, &self->opts);
	EXPECT_EQ(0, chain_len(r, &note));
	EXPECT_STREQ("void pointer", note);
	ktstr_value__free(r);
	r = ktstr_btf__render(self->btf, self->fptr_s, &addr, 8, &self->opts);
	EXPECT_EQ(0, chain_len(r, &note));
	EXPECT_STREQ("function pointer", note);
	ktstr_value__free(r);
	EXPECT_EQ(0, self->mem.reads);
	/* An older caller's smaller opts: the reader is past its sz. */
	self->opts.sz = offsetof(struct ktstr_render_opts, read);
	r = render_node(self, 0, 0x1000, &self->opts);
	EXPECT_EQ(0, chain_len(r, &note));
	ktstr_value__free(r);
}

/* Hostile BTF: every case an ERROR node, never a crash. */
TEST(hostile_btf)
{
	struct btf *btf = btf__new_empty();
	int u32, u8, td_a, td_b, self_const, loop_s, huge, huge2, empty, zarr, s, fwd, fp;
	int deep, i;
	uint8_t buf[64] = { 0 };
	struct ktstr_value *r;

	ASSERT_NE(NULL, btf);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	u8 = btf__add_int(btf, "unsigned char", 1, 0);

	/* Bad type ids: at the root, in a member, as an array element. */
	r = ktstr_btf__render(btf, 9999, buf, sizeof(buf), NULL);
	EXPECT_TRUE(is_error_with(r, "bad type id 9999"));
	ktstr_value__free(r);
	s = btf__add_struct(btf, "has_bad", 8);
	ASSERT_EQ(0, btf__add_field(btf, "ok", u32, 0, 0));
	/* libbpf's writer checks ids only against the id space. */
	ASSERT_EQ(0, btf__add_field(btf, "bad", 5000, 32, 0));
	r = ktstr_btf__render(btf, s, buf, 8, NULL);
	ASSERT_EQ(KTSTR_VALUE_STRUCT, r->kind);
	EXPECT_EQ(KTSTR_VALUE_UINT, ktstr_value__member(r, "ok")->kind);
	EXPECT_TRUE(is_error_with(ktstr_value__member(r, "bad"), "bad type id 5000"));
	ktstr_value__free(r);

	/* typedef a -> typedef b -> typedef a; const -> itself */
	td_a = btf__type_cnt(btf);
	ASSERT_EQ(td_a, btf__add_typedef(btf, "loop_a", td_a + 1));
	td_b = btf__add_typedef(btf, "loop_b", td_a);
	ASSERT_LT(0, td_b);
	r = ktstr_btf__render(btf, td_a, buf, sizeof(buf), NULL);
	EXPECT_TRUE(is_error_with(r, "type loop"));
	EXPECT_STREQ("loop_a", r->type_name);
	ktstr_value__free(r);
	self_const = btf__type_cnt(btf);
	ASSERT_EQ(self_const, btf__add_const(btf, self_const));
	r = ktstr_btf__render(btf, self_const, buf, sizeof(buf), NULL);
	EXPECT_TRUE(is_error_with(r, "type loop"));
	ktstr_value__free(r);

	/* A struct that contains itself, by value. */
	loop_s = btf__add_struct(btf, "self", 4);
	ASSERT_EQ(0, btf__add_field(btf, "me", loop_s, 0, 0));
	r = ktstr_btf__render(btf, loop_s, buf, sizeof(buf), NULL);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1, count_errors(r));
	ktstr_value__free(r);

	/* Absurd arrays: 4G elements, 4G x 4G bytes, 4G empty structs. */
	huge = btf__add_array(btf, u32, u32, 0xffffffffu);
	r = ktstr_btf__render(btf, huge, buf, 16, NULL);
	ASSERT_EQ(KTSTR_VALUE_ARRAY, r->kind);
	EXPECT_EQ(5, r->arr.nr);	/* 4 rendered, then why not the rest */
	EXPECT_TRUE(is_error_with(r->arr.elems[4], "elements 4..4294967295"));
	ktstr_value__free(r);
	huge2 = btf__add_array(btf, u32, btf__add_array(btf, u32, u8, 0xffffffffu), 0xffffffffu);
	r = ktstr_btf__render(btf, huge2, buf, sizeof(buf), NULL);
	ASSERT_EQ(KTSTR_VALUE_ARRAY, r->kind);
	EXPECT_EQ(2, r->arr.nr);	/* a partial first row, then the error */
	EXPECT_EQ(65, r->arr.elems[0]->arr.nr);
	ktstr_value__free(r);
	empty = btf__add_struct(btf, "empty", 0);
	zarr = btf__add_array(btf, u32, empty, 0xffffffffu);
	r = ktstr_btf__render(btf, zarr, buf, sizeof(buf), NULL);
	EXPECT_TRUE(is_error_with(r, "zero-sized"));
	ktstr_value__free(r);

	/* 100 nested structs: the depth bound stops them. */
	deep = u32;
	for (i = 0; i < 100; i++) {
		int d = btf__add_struct(btf, NULL, 4);

		ASSERT_EQ(0, btf__add_field(btf, "in", deep, 0, 0));
		deep = d;
	}
	r = ktstr_btf__render(btf, deep, buf, 4, NULL);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1, count_errors(r));
	ktstr_value__free(r);

	/* Kinds without values. */
	fwd = btf__add_fwd(btf, "opaque", BTF_FWD_STRUCT);
	fp = btf__add_func_proto(btf, u32);
	r = ktstr_btf__render(btf, fwd, buf, 8, NULL);
	EXPECT_TRUE(is_error_with(r, "forward declaration"));
	EXPECT_STREQ("struct opaque", r->type_name);
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, fp, buf, 8, NULL);
	EXPECT_TRUE(is_error_with(r, "function"));
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, 0, buf, 8, NULL);
	EXPECT_TRUE(is_error_with(r, "void"));
	ktstr_value__free(r);

	/* A member past the struct's own size, and no data at all. */
	s = btf__add_struct(btf, "liar", 4);
	ASSERT_EQ(0, btf__add_field(btf, "far", u32, 8 * 40, 0));
	r = ktstr_btf__render(btf, s, buf, sizeof(buf), NULL);
	EXPECT_TRUE(is_error_with(ktstr_value__member(r, "far"), "truncated"));
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, u32, NULL, 4, NULL);
	EXPECT_EQ(KTSTR_VALUE_ERROR, r->kind);
	ktstr_value__free(r);
	r = ktstr_btf__render(NULL, u32, buf, 4, NULL);
	EXPECT_EQ(KTSTR_VALUE_ERROR, r->kind);
	ktstr_value__free(r);
	btf__free(btf);
}

/* A DATASEC renders as a STRUCT of its variables, named by them. */
TEST(datasec)
{
	struct btf *btf = btf__new_empty();
	int u32, s64, v1, v2, v3, sec;
	uint8_t buf[24] = { 0 };
	struct ktstr_value *r;
	int64_t neg = -9;

	ASSERT_NE(NULL, btf);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	s64 = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	v1 = btf__add_var(btf, "nr_cpus", BTF_VAR_GLOBAL_ALLOCATED, u32);
	v2 = btf__add_var(btf, "delta", BTF_VAR_GLOBAL_ALLOCATED, s64);
	v3 = btf__add_var(btf, "late", BTF_VAR_GLOBAL_ALLOCATED, s64);
	sec = btf__add_datasec(btf, ".bss", 24);
	ASSERT_EQ(0, btf__add_datasec_var_info(btf, v1, 0, 4));
	ASSERT_EQ(0, btf__add_datasec_var_info(btf, v2, 8, 8));
	ASSERT_EQ(0, btf__add_datasec_var_info(btf, v3, 16, 8));
	buf[0] = 4;
	memcpy(buf + 8, &neg, 8);
	r = ktstr_btf__render(btf, sec, buf, 20, NULL);
	ASSERT_EQ(KTSTR_VALUE_STRUCT, r->kind);
	EXPECT_STREQ(".bss", r->type_name);
	ASSERT_EQ(3, r->agg.nr);
	EXPECT_EQ(4, ktstr_value__member(r, "nr_cpus")->u);
	EXPECT_EQ(-9, ktstr_value__member(r, "delta")->i);
	EXPECT_EQ(64, r->agg.members[1].bit_offset);
	EXPECT_TRUE(is_error_with(ktstr_value__member(r, "late"),
				  "variable late needs bytes 16..24 of 20"));
	ktstr_value__free(r);
	r = ktstr_btf__render(btf, v2, buf + 8, 8, NULL);
	EXPECT_EQ(-9, r->i);
	ktstr_value__free(r);
	btf__free(btf);
}

TEST(find_type)
{
	struct btf *btf = btf__new_empty();
	int u32, tu32, st, un, en, fn;

	ASSERT_NE(NULL, btf);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	tu32 = btf__add_typedef(btf, "u32", u32);
	btf__add_fwd(btf, "task_ctx", BTF_FWD_STRUCT);
	fn = btf__add_func(btf, "task_ctx", BTF_FUNC_GLOBAL, btf__add_func_proto(btf, 0));
	st = btf__add_struct(btf, "task_ctx", 4);
	un = btf__add_union(btf, "task_ctx", 4);
	en = btf__add_enum(btf, "task_ctx", 4);
	ASSERT_LT(0, fn);
	EXPECT_EQ(tu32, ktstr_btf__find_type(btf, "u32"));
	EXPECT_EQ(u32, ktstr_btf__find_type(btf, "unsigned int"));
	/* Not the FWD nor the FUNC of the same name. */
	EXPECT_EQ(st, ktstr_btf__find_type(btf, "task_ctx"));
	EXPECT_EQ(st, ktstr_btf__find_type(btf, "struct task_ctx"));
	EXPECT_EQ(un, ktstr_btf__find_type(btf, "union task_ctx"));
	EXPECT_EQ(en, ktstr_btf__find_type(btf, "enum task_ctx"));
	EXPECT_EQ(-ENOENT, ktstr_btf__find_type(btf, "struct u32"));
	EXPECT_EQ(-ENOENT, ktstr_btf__find_type(btf, "nope"));
	EXPECT_EQ(-EINVAL, ktstr_btf__find_type(btf, "struct "));
	EXPECT_EQ(-EINVAL, ktstr_btf__find_type(NULL, "u32"));
	btf__free(btf);
}

TEST_HARNESS_MAIN
