// SPDX-License-Identifier: GPL-2.0
/*
 * The guest kernel's BTF: loading it, and resolving "type.member.member"
 * paths to offsets, which is most of what host-side readers of kernel
 * structures need (offsetof(struct task_struct, comm) without headers).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <ktstr/guest_mem.h>

#define KERNEL_BTF_PATH	"/sys/kernel/btf/vmlinux"
/* Nesting of anonymous members and modifier chains followed, at most. */
#define MAX_DEPTH	32
#define MAX_NAME	128

int ktstr_kernel_btf__load(const char *path, struct btf **out)
{
	struct btf *btf;

	if (!out)
		return -EINVAL;
	/* btf__parse() tells raw blobs from ELF files itself. */
	btf = btf__parse(path ? path : KERNEL_BTF_PATH, NULL);
	if (!btf)
		return errno ? -errno : -EINVAL;
	*out = btf;
	return 0;
}

/* Skip typedefs and qualifiers; 0 (void) when the chain is too long. */
static uint32_t skip_mods(const struct btf *btf, uint32_t id)
{
	int depth;

	for (depth = 0; depth < MAX_DEPTH; depth++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t || !(btf_is_mod(t) || btf_is_typedef(t)))
			return t ? id : 0;
		id = t->type;
	}
	return 0;
}

/*
 * Find member @name in composite @id, descending into anonymous struct
 * and union members. Adds its bit offset to *@bits.
 */
static int find_member(const struct btf *btf, uint32_t id, const char *name,
		       int depth, uint64_t *bits, uint32_t *type_id,
		       uint32_t *bf_size)
{
	const struct btf_type *t;
	const struct btf_member *m;
	int i, n;

	if (depth > MAX_DEPTH)
		return -ENOENT;
	id = skip_mods(btf, id);
	t = btf__type_by_id(btf, id);
	if (!t || !btf_is_composite(t))
		return -ENOENT;
	m = btf_members(t);
	n = btf_vlen(t);
	for (i = 0; i < n; i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		uint64_t sub = 0;

		if (mn && *mn) {
			if (strcmp(mn, name))
				continue;
			*bits += btf_member_bit_offset(t, i);
			*type_id = m->type;
			*bf_size = btf_member_bitfield_size(t, i);
			return 0;
		}
		if (!find_member(btf, m->type, name, depth + 1, &sub, type_id,
				 bf_size)) {
			*bits += btf_member_bit_offset(t, i) + sub;
			return 0;
		}
	}
	return -ENOENT;
}

/* The outer type of a path: a struct, union, typedef or variable name. */
static int find_outer(const struct btf *btf, const char *name)
{
	static const int kinds[] = { BTF_KIND_STRUCT, BTF_KIND_UNION,
				     BTF_KIND_TYPEDEF };
	const struct btf_type *t;
	size_t i;
	int id;

	if (!strncmp(name, "struct ", 7))
		return btf__find_by_name_kind(btf, name + 7, BTF_KIND_STRUCT);
	if (!strncmp(name, "union ", 6))
		return btf__find_by_name_kind(btf, name + 6, BTF_KIND_UNION);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		id = btf__find_by_name_kind(btf, name, kinds[i]);
		if (id > 0)
			return id;
	}
	id = btf__find_by_name_kind(btf, name, BTF_KIND_VAR);
	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	return t ? (int)t->type : -ENOENT;
}

/* Apply "[n][m]..." at *@p to the array type *@id. */
static int apply_indexes(const struct btf *btf, const char **p, uint32_t *id,
			 uint64_t *bits, uint32_t *bf_size)
{
	while (**p == '[') {
		const struct btf_type *t;
		const struct btf_array *a;
		unsigned long long idx;
		long long esz;
		char *end;

		if (!isdigit((unsigned char)(*p)[1]))
			return -EINVAL;
		errno = 0;
		idx = strtoull(*p + 1, &end, 10);
		if (errno || *end != ']')
			return -EINVAL;
		t = btf__type_by_id(btf, skip_mods(btf, *id));
		if (!t || !btf_is_array(t))
			return -EINVAL;
		a = btf_array(t);
		if (idx >= a->nelems)
			return -EINVAL;
		esz = btf__resolve_size(btf, a->type);
		if (esz < 0)
			return -EINVAL;
		*bits += idx * (uint64_t)esz * 8;
		*id = a->type;
		*bf_size = 0;
		*p = end + 1;
	}
	return 0;
}

int ktstr_btf__member_offset(const struct btf *btf, const char *path,
			     struct ktstr_btf_member *out)
{
	char name[MAX_NAME];
	uint32_t id, bf = 0;
	uint64_t bits = 0;
	const char *p;
	long long size;
	size_t len;
	int err, outer;

	if (!btf || !path || !out)
		return -EINVAL;

	/* The outer name runs to the first '.' or '['; it may hold a space. */
	len = strcspn(path, ".[");
	if (!len || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, path, len);
	name[len] = '\0';
	outer = find_outer(btf, name);
	if (outer <= 0)
		return -ENOENT;
	id = outer;
	p = path + len;
	err = apply_indexes(btf, &p, &id, &bits, &bf);
	if (err)
		return err;

	while (*p) {
		if (*p != '.')
			return -EINVAL;
		p++;
		len = strcspn(p, ".[");
		if (!len || len >= sizeof(name))
			return -EINVAL;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		err = find_member(btf, id, name, 0, &bits, &id, &bf);
		if (err)
			return err;
		err = apply_indexes(btf, &p, &id, &bits, &bf);
		if (err)
			return err;
	}

	size = btf__resolve_size(btf, id);
	if (size < 0)
		return (int)size;
	*out = (struct ktstr_btf_member){
		.bit_offset = bits, .type_id = id, .bitfield_size = bf,
		.size = size,
	};
	return 0;
}
