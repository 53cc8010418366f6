// SPDX-License-Identifier: GPL-2.0
/*
 * The BTF renderer: raw bytes of a BTF type into a value tree. See
 * include/ktstr/btf_render.h.
 *
 * Everything here is hostile input: the BTF (bad ids, typedef loops,
 * absurd sizes, deep nesting), the bytes (short) and the memory behind
 * pointers (unreadable, cyclic, endless). Each problem becomes an ERROR
 * node where the value would have been, so a caller sees how much of the
 * value was rendered and why the rest was not; nothing reads past the
 * bytes it was given, and every loop and recursion is bounded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include <ktstr/btf_render.h>

/* Aggregates nested deeper than this are rendered as ERROR nodes. */
#define RENDER_MAX_DEPTH	64
/* Modifier and typedef hops before a chain counts as a loop. */
#define RENDER_MAX_CHAIN	32
/* The largest pointer depth a caller may ask for (it sizes the path). */
#define RENDER_MAX_PTR_DEPTH	64
#define RENDER_DEF_PTR_DEPTH	4
#define RENDER_DEF_READ_BYTES	(1u << 20)

struct render_ctx {
	const struct btf *btf;
	bool big_endian;
	size_t ptr_size;
	ktstr_mem_read_fn read;
	void *read_ctx;
	unsigned int max_ptr_depth;
	size_t read_left;
	/* Addresses of the pointers followed to reach the current value:
	 * one already on the path is a cycle. */
	uint64_t path[RENDER_MAX_PTR_DEPTH];
	unsigned int path_len;
	unsigned int depth;
};

/* A type id with modifiers and typedefs peeled off. */
struct resolved {
	uint32_t id;
	const struct btf_type *t;	/* NULL: void */
	const char *name;		/* outermost name for type_name, may be NULL */
	struct ktstr_value *err;	/* set instead when the chain is bad */
};

static const char *kind_prefix(const struct btf_type *t)
{
	if (btf_is_struct(t))
		return "struct ";
	if (btf_is_union(t))
		return "union ";
	if (btf_is_any_enum(t))
		return "enum ";
	if (btf_is_fwd(t))
		return btf_kflag(t) ? "union " : "struct ";
	return "";
}

/*
 * "struct foo" (built in @buf), "u32" (the BTF's own string); NULL for
 * anonymous types. No printf: this runs for every node rendered.
 */
static const char *type_name(const struct render_ctx *c, const struct btf_type *t, char *buf,
			     size_t sz)
{
	const char *n = btf__name_by_offset(c->btf, t->name_off);
	const char *pfx;
	size_t pl, nl;

	if (!n || !*n)
		return NULL;
	pfx = kind_prefix(t);
	if (!*pfx)
		return n;
	pl = strlen(pfx);
	nl = strnlen(n, sz - pl - 1);
	memcpy(buf, pfx, pl);
	memcpy(buf + pl, n, nl);
	buf[pl + nl] = '\0';
	return buf;
}

static struct resolved resolve(const struct render_ctx *c, uint32_t id, char *nbuf, size_t nsz)
{
	struct resolved r = { .id = id };
	unsigned int hops;

	for (hops = 0; ; hops++) {
		if (hops > RENDER_MAX_CHAIN) {
			r.err = ktstr_value__new_error(r.name, "type loop: more than %d typedefs "
						       "and modifiers from type id %u",
						       RENDER_MAX_CHAIN, id);
			return r;
		}
		if (!r.id) {
			r.t = NULL;
			return r;
		}
		r.t = btf__type_by_id(c->btf, r.id);
		if (!r.t) {
			r.err = ktstr_value__new_error(r.name, "bad type id %u", r.id);
			return r;
		}
		if (!btf_is_mod(r.t) && !btf_is_typedef(r.t)) {
			if (!r.name)
				r.name = type_name(c, r.t, nbuf, nsz);
			return r;
		}
		/* The first name met is the one the source used ("u32"). */
		if (!r.name && btf_is_typedef(r.t))
			r.name = type_name(c, r.t, nbuf, nsz);
		r.id = r.t->type;
	}
}

/* Unsigned load of @n <= 8 bytes in the BTF's byte order. */
static uint64_t load_uint(const struct render_ctx *c, const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		size_t b = c->big_endian ? i : n - 1 - i;

		v = v << 8 | p[b];
	}
	return v;
}

static int64_t sign_extend(uint64_t v, unsigned int bits)
{
	/* A zero-width field (hostile BTF) holds no bits, so no value. */
	if (!bits)
		return 0;
	if (bits >= 64)
		return (int64_t)v;
	if (v & (1ull << (bits - 1)))
		v |= ~0ull << bits;
	return (int64_t)v;
}

/*
 * Bits [@bit_off, @bit_off + @nr_bits) of the integer that starts at @p,
 * counted from its least significant bit on little-endian targets and
 * from its most significant bit on big-endian ones (as compilers lay
 * bitfields out and BTF numbers them). @nr_bits <= 64; the caller has
 * checked that the bytes are there.
 */
static uint64_t load_bits(const struct render_ctx *c, const uint8_t *p, uint32_t bit_off,
			  uint32_t nr_bits)
{
	uint32_t first = bit_off / 8, shift = bit_off % 8;
	uint32_t nbytes = (shift + nr_bits + 7) / 8;	/* <= 9 */
	unsigned __int128 acc = 0;
	uint32_t i;

	p += first;
	if (c->big_endian) {
		for (i = 0; i < nbytes; i++)
			acc = acc << 8 | p[i];
		acc >>= nbytes * 8 - shift - nr_bits;
	} else {
		for (i = nbytes; i-- > 0;)
			acc = acc << 8 | p[i];
		acc >>= shift;
	}
	if (nr_bits < 64)
		acc &= (1ull << nr_bits) - 1;
	return (uint64_t)acc;
}

static struct ktstr_value *truncated(const char *tname, size_t need, size_t have)
{
	return ktstr_value__new_error(tname, "truncated: needs %zu bytes, %zu available",
				      need, have);
}

static struct ktstr_value *render(struct render_ctx *c, uint32_t id, const uint8_t *data,
				  size_t len);
static struct ktstr_value *render_resolved(struct render_ctx *c, const struct resolved *r,
					   const uint8_t *data, size_t len);

static struct ktstr_value *new_int(const char *tname, bool is_signed, uint64_t raw,
				   uint32_t bits)
{
	struct ktstr_value *v;

	v = ktstr_value__new(is_signed ? KTSTR_VALUE_INT : KTSTR_VALUE_UINT, tname);
	if (!v)
		return NULL;
	if (is_signed)
		v->i = sign_extend(raw, bits);
	else
		v->u = raw;
	v->bits = bits;
	return v;
}

static bool is_char_int(const struct render_ctx *c, const struct btf_type *t)
{
	const char *n;

	if (!btf_is_int(t) || t->size != 1 || btf_int_bits(t) != 8 || btf_int_offset(t))
		return false;
	if (btf_int_encoding(t) & BTF_INT_CHAR)
		return true;
	n = btf__name_by_offset(c->btf, t->name_off);
	return n && !strcmp(n, "char");
}

/* An integer value of @bits bits already extracted into @raw. */
static struct ktstr_value *int_value(const struct render_ctx *c, const struct btf_type *t,
				     const char *tname, uint64_t raw, uint32_t bits)
{
	uint8_t enc = btf_int_encoding(t);
	struct ktstr_value *v;

	if (enc & BTF_INT_BOOL) {
		v = ktstr_value__new(KTSTR_VALUE_BOOL, tname);
		if (v)
			v->b = raw != 0;
		return v;
	}
	if (bits == 8 && is_char_int(c, t)) {
		v = ktstr_value__new(KTSTR_VALUE_CHAR, tname);
		if (!v)
			return NULL;
		v->i = (enc & BTF_INT_SIGNED) ? sign_extend(raw, 8) : (int64_t)raw;
		v->bits = 8;
		return v;
	}
	return new_int(tname, enc & BTF_INT_SIGNED, raw, bits);
}

/*
 * A 128-bit integer renders as INT/UINT when its value fits 64 bits (the
 * usual case: counters kept in __u128 for headroom), else as BYTES, the
 * 16 bytes as they are in memory, so nothing is lost or made up.
 */
static struct ktstr_value *render_int128(const struct render_ctx *c, const struct btf_type *t,
					 const char *tname, const uint8_t *data)
{
	bool is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
	const uint8_t *lo_p = c->big_endian ? data + 8 : data;
	const uint8_t *hi_p = c->big_endian ? data : data + 8;
	uint64_t lo = load_uint(c, lo_p, 8), hi = load_uint(c, hi_p, 8);
	struct ktstr_value *v;

	if (!is_signed && !hi)
		return new_int(tname, false, lo, 128);
	if (is_signed && ((!hi && !(lo >> 63)) || (hi == ~0ull && (lo >> 63)))) {
		v = new_int(tname, true, lo, 64);
		if (v)
			v->bits = 128;
		return v;
	}
	v = ktstr_value__new(KTSTR_VALUE_BYTES, tname);
	if (!v)
		return NULL;
	v->bytes.data = malloc(16);
	if (!v->bytes.data) {
		ktstr_value__free(v);
		return NULL;
	}
	memcpy(v->bytes.data, data, 16);
	v->bytes.len = 16;
	return v;
}

static struct ktstr_value *render_int(const struct render_ctx *c, const struct btf_type *t,
				      const char *tname, const uint8_t *data, size_t len)
{
	uint32_t bits = btf_int_bits(t), off = btf_int_offset(t);

	if (!t->size || t->size > 16 || !bits || bits > 128 || off + bits > t->size * 8u)
		return ktstr_value__new_error(tname, "bad int: %u bytes, %u bits at bit %u",
					      t->size, bits, off);
	if (len < t->size)
		return truncated(tname, t->size, len);
	if (bits == 128)
		return render_int128(c, t, tname, data);
	if (bits > 64)
		return ktstr_value__new_error(tname, "%u-bit int not supported", bits);
	if (off || bits != t->size * 8u)
		return int_value(c, t, tname, load_bits(c, data, off, bits), bits);
	if (t->size > 8)
		return ktstr_value__new_error(tname, "%u-bit int in %u bytes not supported",
					      bits, t->size);
	return int_value(c, t, tname, load_uint(c, data, t->size), bits);
}

/* The variant named by @raw, a value of @size bytes; NULL when none. */
static const char *enum_variant(const struct render_ctx *c, const struct btf_type *t,
				uint64_t raw, bool is_signed)
{
	uint16_t i, n = btf_vlen(t);
	uint64_t want = is_signed ? (uint64_t)sign_extend(raw, t->size * 8) : raw;

	if (btf_is_enum64(t)) {
		const struct btf_enum64 *e = btf_enum64(t);

		for (i = 0; i < n; i++)
			if (btf_enum64_value(&e[i]) == want)
				return btf__name_by_offset(c->btf, e[i].name_off);
	} else {
		const struct btf_enum *e = btf_enum(t);

		for (i = 0; i < n; i++) {
			/* 32-bit values, sign-extended for a signed enum so
			 * that -1 matches an 8-byte all-ones. */
			uint64_t ev = is_signed ? (uint64_t)(int64_t)e[i].val :
						  (uint64_t)(uint32_t)e[i].val;

			if (t->size < 4)
				ev &= (1ull << (t->size * 8)) - 1;
			if (is_signed && t->size < 4)
				ev = (uint64_t)sign_extend(ev, t->size * 8);
			if (ev == want)
				return btf__name_by_offset(c->btf, e[i].name_off);
		}
	}
	return NULL;
}

static struct ktstr_value *enum_value(const struct render_ctx *c, const struct btf_type *t,
				      const char *tname, uint64_t raw, uint32_t bits)
{
	bool is_signed = btf_kflag(t);
	struct ktstr_value *v;
	const char *name;

	v = ktstr_value__new(KTSTR_VALUE_ENUM, tname);
	if (!v)
		return NULL;
	v->enm.is_signed = is_signed;
	v->enm.value = is_signed ? sign_extend(raw, bits) : (int64_t)raw;
	v->bits = bits;
	/* A bitfield's raw value is matched zero- or sign-extended. */
	name = enum_variant(c, t, is_signed ? (uint64_t)v->enm.value : raw, is_signed);
	if (name && !(v->enm.name = strdup(name))) {
		ktstr_value__free(v);
		return NULL;
	}
	return v;
}

static struct ktstr_value *render_enum(const struct render_ctx *c, const struct btf_type *t,
				       const char *tname, const uint8_t *data, size_t len)
{
	if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
		return ktstr_value__new_error(tname, "bad enum size %u", t->size);
	if (len < t->size)
		return truncated(tname, t->size, len);
	return enum_value(c, t, tname, load_uint(c, data, t->size), t->size * 8);
}

/*
 * The x87 80-bit extended format that x86 compilers use for a 16-byte
 * long double: 64-bit mantissa with an explicit integer bit, 15-bit
 * exponent, sign. Converted by hand so it works on any host.
 */
static double x87_to_double(const struct render_ctx *c, const uint8_t *data)
{
	uint64_t mant = load_uint(c, data, 8);
	uint16_t se = (uint16_t)load_uint(c, data + 8, 2);
	int exp = se & 0x7fff;
	double sign = (se & 0x8000) ? -1.0 : 1.0;

	if (exp == 0x7fff)
		return (mant << 1) ? NAN : sign * INFINITY;
	if (!exp)	/* denormal: far below double's range */
		return sign * ldexp((double)mant, -16382 - 63);
	return sign * ldexp((double)mant, exp - 16383 - 63);
}

static struct ktstr_value *render_float(const struct render_ctx *c, const struct btf_type *t,
					const char *tname, const uint8_t *data, size_t len)
{
	struct ktstr_value *v;
	uint64_t raw;

	if (t->size != 4 && t->size != 8 && t->size != 16)
		return ktstr_value__new_error(tname, "%u-byte float not supported", t->size);
	if (len < t->size)
		return truncated(tname, t->size, len);
	v = ktstr_value__new(KTSTR_VALUE_FLOAT, tname);
	if (!v)
		return NULL;
	if (t->size == 4) {
		uint32_t r32 = (uint32_t)load_uint(c, data, 4);
		float f;

		memcpy(&f, &r32, sizeof(f));
		v->flt.f = f;
		v->flt.bits = 32;
	} else if (t->size == 8) {
		raw = load_uint(c, data, 8);
		memcpy(&v->flt.f, &raw, sizeof(raw));
		v->flt.bits = 64;
	} else {
		v->flt.f = x87_to_double(c, data);
		v->flt.bits = 80;
	}
	return v;
}

static int set_note(struct ktstr_value *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int set_note(struct ktstr_value *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&v->ptr.note, fmt, ap);
	va_end(ap);
	if (n < 0) {
		v->ptr.note = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Follow @v->ptr.addr to a @target_id if the reader, depth, path and budget allow. */
static int follow_ptr(struct render_ctx *c, struct ktstr_value *v, uint32_t target_id)
{
	char nbuf[128];
	struct resolved r = resolve(c, target_id, nbuf, sizeof(nbuf));
	uint64_t addr = v->ptr.addr;
	unsigned int i;
	uint8_t *buf;
	int64_t sz;
	int err;

	if (r.err) {
		/* The pointee's type is bad: say so in the note. */
		err = set_note(v, "bad pointee type: %s", r.err->error.msg);
		ktstr_value__free(r.err);
		return err;
	}
	if (!r.t)
		return set_note(v, "void pointer");
	if (btf_is_func_proto(r.t) || btf_is_func(r.t))
		return set_note(v, "function pointer");
	if (c->path_len >= c->max_ptr_depth)
		return set_note(v, "depth limit");
	for (i = 0; i < c->path_len; i++)
		if (c->path[i] == addr)
			return set_note(v, "cycle");
	sz = btf__resolve_size(c->btf, r.id);
	if (sz <= 0)
		return set_note(v, "pointee has no size");
	if ((uint64_t)sz > c->read_left)
		return set_note(v, "read budget exhausted");
	c->read_left -= sz;
	buf = malloc(sz);
	if (!buf)
		return -ENOMEM;
	err = c->read(c->read_ctx, addr, buf, sz);
	if (err) {
		free(buf);
		if (err > 0)
			err = -err;
		/* The errno's name ("EFAULT") is stable across libcs. */
		if (strerrorname_np(-err))
			return set_note(v, "read failed: %s", strerrorname_np(-err));
		return set_note(v, "read failed: %d", -err);
	}
	c->path[c->path_len++] = addr;
	v->ptr.target = render(c, target_id, buf, sz);
	c->path_len--;
	free(buf);
	return v->ptr.target ? 0 : -ENOMEM;
}

static struct ktstr_value *render_ptr(struct render_ctx *c, const struct btf_type *t,
				      const char *tname, const uint8_t *data, size_t len)
{
	char nbuf[128], pbuf[160];
	struct ktstr_value *v;
	struct resolved r;
	size_t nl;

	/* An unnamed pointer type is named after its pointee: "struct node *". */
	if (!tname) {
		r = resolve(c, t->type, nbuf, sizeof(nbuf));
		ktstr_value__free(r.err);
		tname = r.name ? r.name : r.t ? "?" : "void";
		nl = strnlen(tname, sizeof(pbuf) - 3);
		memcpy(pbuf, tname, nl);
		memcpy(pbuf + nl, " *", 3);
		tname = pbuf;
	}
	if (len < c->ptr_size)
		return truncated(tname, c->ptr_size, len);
	v = ktstr_value__new(KTSTR_VALUE_PTR, tname);
	if (!v)
		return NULL;
	v->ptr.addr = load_uint(c, data, c->ptr_size);
	if (!v->ptr.addr) {
		if (set_note(v, "NULL"))
			goto oom;
		return v;
	}
	if (c->read && follow_ptr(c, v, t->type))
		goto oom;
	return v;
oom:
	ktstr_value__free(v);
	return NULL;
}

/* A member or element that needs bytes [@start, @end) of @have. */
static struct ktstr_value *truncated_member(const char *tname, const char *what,
					    const char *name, uint64_t start, uint64_t end,
					    size_t have)
{
	return ktstr_value__new_error(tname, "truncated: %s %s needs bytes %llu..%llu of %zu",
				      what, name, (unsigned long long)start,
				      (unsigned long long)end, have);
}

/* Bytes of a resolved type; < 0 when it has none (void, a function, bad). */
static int64_t type_size(const struct render_ctx *c, const struct resolved *r)
{
	if (!r->t)
		return -EINVAL;
	switch (btf_kind(r->t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FLOAT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
		return r->t->size;
	case BTF_KIND_PTR:
		return (int64_t)c->ptr_size;
	default:
		/* arrays (libbpf bounds the chain and the product) and the rest */
		return btf__resolve_size(c->btf, r->id);
	}
}

/* Is @t (resolved) a kind whose partial bytes still render in part? */
static bool renders_partially(const struct btf_type *t)
{
	return t && (btf_is_composite(t) || btf_is_array(t) || btf_is_datasec(t));
}

static struct ktstr_value *render_bitfield(struct render_ctx *c, uint32_t type_id,
					   const uint8_t *data, size_t len, uint32_t bit_off,
					   uint32_t nr_bits, const char *mname)
{
	char nbuf[128];
	struct resolved r = resolve(c, type_id, nbuf, sizeof(nbuf));
	uint64_t end = ((uint64_t)bit_off + nr_bits + 7) / 8;
	uint64_t raw;

	if (r.err)
		return r.err;
	if (!r.t || (!btf_is_int(r.t) && !btf_is_any_enum(r.t)))
		return ktstr_value__new_error(r.name, "bitfield %s of a type that is not an "
					      "integer or enum", mname);
	if (nr_bits > 64)
		return ktstr_value__new_error(r.name, "%u-bit bitfield %s not supported",
					      nr_bits, mname);
	if (end > len)
		return truncated_member(r.name, "member", mname, bit_off / 8, end, len);
	raw = load_bits(c, data, bit_off, nr_bits);
	if (btf_is_any_enum(r.t))
		return enum_value(c, r.t, r.name, raw, nr_bits);
	return int_value(c, r.t, r.name, raw, nr_bits);
}

static struct ktstr_value *render_member(struct render_ctx *c, const struct btf_type *t,
					 uint32_t idx, const uint8_t *data, size_t len,
					 const char **mname, uint32_t *bit_off, uint32_t *bf_size)
{
	const struct btf_member *m = btf_members(t) + idx;
	const struct btf_type *mt;
	char nbuf[128];
	struct resolved r;
	uint64_t start, end;
	int64_t sz;

	*mname = btf__name_by_offset(c->btf, m->name_off);
	if (!*mname)
		*mname = "";
	*bit_off = btf_member_bit_offset(t, idx);
	*bf_size = btf_member_bitfield_size(t, idx);
	if (*bf_size)
		return render_bitfield(c, m->type, data, len, *bit_off, *bf_size, *mname);

	r = resolve(c, m->type, nbuf, sizeof(nbuf));
	if (r.err)
		return r.err;
	mt = r.t;
	/* Old-style bitfields (no kind_flag): the int type carries them. */
	if (mt && btf_is_int(mt) && (*bit_off % 8 || btf_int_offset(mt) ||
				      btf_int_bits(mt) != mt->size * 8u)) {
		if (btf_int_bits(mt) + btf_int_offset(mt) > mt->size * 8u)
			return ktstr_value__new_error(r.name, "bad int in member %s", *mname);
		return render_bitfield(c, m->type, data, len, *bit_off + btf_int_offset(mt),
				       btf_int_bits(mt), *mname);
	}
	if (*bit_off % 8)
		return ktstr_value__new_error(r.name, "member %s at bit %u is not byte aligned",
					      *mname, *bit_off);
	start = *bit_off / 8;
	sz = type_size(c, &r);
	end = start + (sz > 0 ? (uint64_t)sz : 0);
	if (start > len || (end > len && !renders_partially(mt)) || (start == len && sz > 0))
		return truncated_member(r.name, "member", *mname, start, end, len);
	return render_resolved(c, &r, data + start, len - start);
}

static struct ktstr_value *render_composite(struct render_ctx *c, const struct btf_type *t,
					    const char *tname, const uint8_t *data, size_t len)
{
	struct ktstr_value *v, *mv;
	uint32_t i, n = btf_vlen(t);

	v = ktstr_value__new(btf_is_union(t) ? KTSTR_VALUE_UNION : KTSTR_VALUE_STRUCT, tname);
	if (!v)
		return NULL;
	/* Bytes past the type's end belong to something else. */
	if (len > t->size)
		len = t->size;
	for (i = 0; i < n; i++) {
		uint32_t bit_off, bf_size;
		const char *mname;

		mv = render_member(c, t, i, data, len, &mname, &bit_off, &bf_size);
		if (!mv || ktstr_value__add_member(v, mname, mv, bit_off, bf_size)) {
			ktstr_value__free(mv);
			ktstr_value__free(v);
			return NULL;
		}
	}
	return v;
}

static bool is_printable(uint8_t b)
{
	return b >= 0x20 && b <= 0x7e;
}

/* A char array is text when it reads as a C string padded with NULs. */
static struct ktstr_value *try_string(const char *tname, const uint8_t *data, size_t n)
{
	struct ktstr_value *v;
	size_t i, slen;

	for (slen = 0; slen < n && data[slen]; slen++)
		if (!is_printable(data[slen]))
			return NULL;
	for (i = slen; i < n; i++)
		if (data[i])
			return NULL;
	v = ktstr_value__new(KTSTR_VALUE_STRING, tname);
	if (!v)
		return NULL;
	v->str.str = strndup((const char *)data, slen);
	if (!v->str.str) {
		ktstr_value__free(v);
		return NULL;
	}
	v->str.len = slen;
	v->str.size = n;
	return v;
}

static struct ktstr_value *render_array(struct render_ctx *c, const struct btf_type *t,
					const char *tname, const uint8_t *data, size_t len)
{
	const struct btf_array *a = btf_array(t);
	char nbuf[128], abuf[160];
	struct resolved er = resolve(c, a->type, nbuf, sizeof(nbuf));
	struct ktstr_value *v, *ev;
	uint64_t fit, i, n = a->nelems;
	int64_t esz;

	if (er.err)
		return er.err;
	if (!tname && er.name) {
		snprintf(abuf, sizeof(abuf), "%s[%u]", er.name, a->nelems);
		tname = abuf;
	}
	esz = type_size(c, &er);
	if (esz < 0)
		return ktstr_value__new_error(tname, "array element type %u has no size: %d",
					      a->type, (int)esz);
	if (!esz && n)
		return ktstr_value__new_error(tname, "array of %llu zero-sized elements",
					      (unsigned long long)n);
	if (er.t && is_char_int(c, er.t) && esz == 1 && len >= n) {
		v = try_string(tname, data, n);
		if (v)
			return v;
	}
	v = ktstr_value__new(KTSTR_VALUE_ARRAY, tname);
	if (!v)
		return NULL;
	/* The bytes cap the elements rendered, whatever nelems claims. */
	fit = esz ? len / (uint64_t)esz : 0;
	for (i = 0; i < n && i < fit; i++) {
		ev = render_resolved(c, &er, data + i * esz, esz);
		if (!ev || ktstr_value__add_elem(v, ev))
			goto oom;
	}
	if (i < n) {
		/* A partial last element still renders what it has. */
		if (len > i * esz && renders_partially(er.t)) {
			ev = render_resolved(c, &er, data + i * esz, len - i * esz);
			if (!ev || ktstr_value__add_elem(v, ev))
				goto oom;
			i++;
		}
		if (i < n) {
			ev = ktstr_value__new_error(NULL, "truncated: elements %llu..%llu of %llu "
						    "need bytes %llu..%llu of %zu",
						    (unsigned long long)i,
						    (unsigned long long)n,
						    (unsigned long long)n,
						    (unsigned long long)(i * esz),
						    (unsigned long long)(n * esz), len);
			if (!ev || ktstr_value__add_elem(v, ev))
				goto oom;
		}
	}
	return v;
oom:
	ktstr_value__free(ev);
	ktstr_value__free(v);
	return NULL;
}

/* A global section: a STRUCT of its variables at their offsets. */
static struct ktstr_value *render_datasec(struct render_ctx *c, const struct btf_type *t,
					  const char *tname, const uint8_t *data, size_t len)
{
	const struct btf_var_secinfo *vi = btf_var_secinfos(t);
	uint32_t i, n = btf_vlen(t);
	struct ktstr_value *v, *mv;

	v = ktstr_value__new(KTSTR_VALUE_STRUCT, tname);
	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct btf_type *vt = btf__type_by_id(c->btf, vi[i].type);
		const char *name = vt ? btf__name_by_offset(c->btf, vt->name_off) : NULL;
		uint64_t start = vi[i].offset, end = start + vi[i].size;

		if (!name)
			name = "";
		if (!vt)
			mv = ktstr_value__new_error(NULL, "bad type id %u", vi[i].type);
		else if (!btf_is_var(vt))
			mv = ktstr_value__new_error(NULL, "section entry %s is not a variable",
						    name);
		else if (end > len || start >= len)
			mv = truncated_member(NULL, "variable", name, start, end, len);
		else
			mv = render(c, vt->type, data + start, vi[i].size);
		if (!mv || ktstr_value__add_member(v, name, mv, (uint32_t)(start * 8), 0)) {
			ktstr_value__free(mv);
			ktstr_value__free(v);
			return NULL;
		}
	}
	return v;
}

static struct ktstr_value *render(struct render_ctx *c, uint32_t id, const uint8_t *data,
				  size_t len)
{
	char nbuf[128];
	struct resolved r = resolve(c, id, nbuf, sizeof(nbuf));

	if (r.err)
		return r.err;
	return render_resolved(c, &r, data, len);
}

/* @r: a type resolve()d without error. */
static struct ktstr_value *render_resolved(struct render_ctx *c, const struct resolved *r,
					   const uint8_t *data, size_t len)
{
	const struct btf_type *t = r->t;
	const char *tn = r->name;
	struct ktstr_value *v;

	if (c->depth >= RENDER_MAX_DEPTH)
		return ktstr_value__new_error(tn, "nested deeper than %d levels at type id %u",
					      RENDER_MAX_DEPTH, r->id);
	if (!t)
		return ktstr_value__new_error("void", "void has no value");

	c->depth++;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		v = render_int(c, t, tn, data, len);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		v = render_enum(c, t, tn, data, len);
		break;
	case BTF_KIND_FLOAT:
		v = render_float(c, t, tn, data, len);
		break;
	case BTF_KIND_PTR:
		v = render_ptr(c, t, tn, data, len);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		v = render_composite(c, t, tn, data, len);
		break;
	case BTF_KIND_ARRAY:
		v = render_array(c, t, tn, data, len);
		break;
	case BTF_KIND_VAR:
		v = render(c, t->type, data, len);
		break;
	case BTF_KIND_DATASEC:
		v = render_datasec(c, t, tn, data, len);
		break;
	case BTF_KIND_FWD:
		v = ktstr_value__new_error(tn, "forward declaration %s has no layout",
					   btf__name_by_offset(c->btf, t->name_off));
		break;
	case BTF_KIND_FUNC:
	case BTF_KIND_FUNC_PROTO:
		v = ktstr_value__new_error(tn, "a function has no value");
		break;
	default:
		v = ktstr_value__new_error(tn, "BTF kind %u cannot be rendered", btf_kind(t));
		break;
	}
	c->depth--;
	return v;
}

struct ktstr_value *ktstr_btf__render(const struct btf *btf, uint32_t type_id,
				      const void *data, size_t len,
				      const struct ktstr_render_opts *opts)
{
	struct render_ctx *c;
	struct ktstr_value *v;
	size_t opts_sz = opts ? opts->sz : 0;

	if (!btf || (!data && len))
		return ktstr_value__new_error(NULL, "no %s to render", btf ? "data" : "BTF");
	/* The path array makes the context large: keep it off the stack. */
	c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->btf = btf;
	c->big_endian = btf__endianness(btf) == BTF_BIG_ENDIAN;
	c->ptr_size = btf__pointer_size(btf);
	if (c->ptr_size != 4 && c->ptr_size != 8)
		c->ptr_size = 8;
	c->max_ptr_depth = RENDER_DEF_PTR_DEPTH;
	c->read_left = RENDER_DEF_READ_BYTES;
	/* Fields past the caller's sz are taken as zero (older callers). */
	if (opts_sz >= offsetof(struct ktstr_render_opts, read_ctx) + sizeof(void *)) {
		c->read = opts->read;
		c->read_ctx = opts->read_ctx;
	}
	if (opts_sz >= offsetof(struct ktstr_render_opts, max_ptr_depth) + sizeof(unsigned int) &&
	    opts->max_ptr_depth)
		c->max_ptr_depth = opts->max_ptr_depth < RENDER_MAX_PTR_DEPTH ?
				   opts->max_ptr_depth : RENDER_MAX_PTR_DEPTH;
	if (opts_sz >= offsetof(struct ktstr_render_opts, max_read_bytes) + sizeof(size_t) &&
	    opts->max_read_bytes)
		c->read_left = opts->max_read_bytes;

	v = render(c, type_id, data, len);
	free(c);
	if (!v)
		errno = ENOMEM;
	return v;
}

/* Kinds a caller can mean by a bare name; FWD has no layout to render. */
static bool findable_kind(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FLOAT:
	case BTF_KIND_DATASEC:
		return true;
	default:
		return false;
	}
}

int ktstr_btf__find_type(const struct btf *btf, const char *name)
{
	enum { ANY, STRUCT, UNION, ENUM } want = ANY;
	uint32_t id, n;

	if (!btf || !name)
		return -EINVAL;
	if (!strncmp(name, "struct ", 7)) {
		want = STRUCT;
		name += 7;
	} else if (!strncmp(name, "union ", 6)) {
		want = UNION;
		name += 6;
	} else if (!strncmp(name, "enum ", 5)) {
		want = ENUM;
		name += 5;
	}
	while (*name == ' ')
		name++;
	if (!*name)
		return -EINVAL;

	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *tn;

		if (!t)
			continue;
		switch (want) {
		case STRUCT:
			if (!btf_is_struct(t))
				continue;
			break;
		case UNION:
			if (!btf_is_union(t))
				continue;
			break;
		case ENUM:
			if (!btf_is_any_enum(t))
				continue;
			break;
		default:
			if (!findable_kind(t))
				continue;
		}
		tn = btf__name_by_offset(btf, t->name_off);
		if (tn && !strcmp(tn, name))
			return (int)id;
	}
	return -ENOENT;
}
