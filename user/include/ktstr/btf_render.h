/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: render raw bytes of a BTF type into a value tree (value.h).
 *
 * The BTF comes from libbpf (vmlinux, a BPF object's, split BTF, a raw
 * blob); the bytes from a map, a guest's memory, a file. Nothing in the
 * bytes is trusted: input shorter than the type renders what fits and
 * marks the rest with KTSTR_VALUE_ERROR nodes; no read goes past @len.
 */
#ifndef KTSTR_BTF_RENDER_H
#define KTSTR_BTF_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include <ktstr/value.h>

struct btf;

/*
 * Reads @len bytes at address @addr of the memory the rendered data came
 * from (a guest kernel's, a process's) into @buf. Returns 0, or a
 * negative errno when the address is not readable.
 */
typedef int (*ktstr_mem_read_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

struct ktstr_render_opts {
	size_t sz;			/* sizeof(struct ktstr_render_opts) */
	ktstr_mem_read_fn read;		/* NULL: pointers are not followed */
	void *read_ctx;
	/* Pointers followed from the root before stopping (0: default 4). */
	unsigned int max_ptr_depth;
	/* Bytes read through @read in all before stopping (0: default 1 MiB). */
	size_t max_read_bytes;
};

/*
 * Render @len bytes at @data as type @type_id of @btf. Never NULL but on
 * allocation failure (errno ENOMEM); problems are in the tree as ERROR
 * nodes. @opts may be NULL.
 */
struct ktstr_value *ktstr_btf__render(const struct btf *btf, uint32_t type_id,
				      const void *data, size_t len,
				      const struct ktstr_render_opts *opts);

/* The type id named @name ("task_ctx", "struct task_ctx", "u32"); -ENOENT. */
int ktstr_btf__find_type(const struct btf *btf, const char *name);

#endif /* KTSTR_BTF_RENDER_H */
