// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: the BTF renderer on hostile BTF and hostile bytes.
 *
 * Input: a little-endian u16 n, then n bytes of raw BTF (what
 * btf__raw_data() gives: header, types, strings) for btf__new(), then the
 * data bytes. Every type id the BTF holds is rendered over the data,
 * without a memory reader and with one that reads the whole input as
 * memory (address = offset), so pointers are followed into it. Each
 * rendered tree must also survive the dump report's JSON exactly.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <ktstr/btf_render.h>
#include <ktstr/dump.h>
#include <ktstr/value.h>

/* Types rendered per input, so one input stays fast. */
#define MAX_TYPES	256

struct mem {
	const uint8_t *data;
	size_t size;
};

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct mem *m = ctx;

	if (addr > m->size || len > m->size - addr)
		return -EFAULT;
	memcpy(buf, m->data + addr, len);
	return 0;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static void die(const char *what, uint32_t id, const char *detail)
{
	fprintf(stderr, "fuzz_btf_render: type %u: %s%s%s\n", id, what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

/* The tree in a report, through JSON and back: it must come back equal. */
static void check_json(struct ktstr_value *v, uint32_t id)
{
	struct ktstr_dump_report *r = ktstr_dump__new(), *back;
	struct ktstr_dump_map *m;
	char err[512], *text;

	if (!r)
		return;
	m = ktstr_dump__add_map(r, "fuzz");
	if (!m) {
		ktstr_dump__free(r);
		return;
	}
	m->value = v;
	text = ktstr_dump__to_json(r);
	if (!text)
		die("rendered value cannot be written", id, strerror(errno));
	if (ktstr_dump__from_json(text, strlen(text), &back, err, sizeof(err)))
		die("rendered value does not load", id, err);
	if (!ktstr_dump__equal(r, back))
		die("rendered value changed through JSON", id, text);
	free(text);
	ktstr_dump__free(back);
	ktstr_dump__free(r);	/* frees @v */
}

static void render_one(const struct btf *btf, uint32_t id, const uint8_t *data, size_t len,
		       const struct ktstr_render_opts *opts, bool json)
{
	struct ktstr_value *v, *c;
	char *s;

	v = ktstr_btf__render(btf, id, data, len, opts);
	if (!v)
		return;	/* ENOMEM */
	s = ktstr_value__to_string(v);
	free(s);
	c = ktstr_value__clone(v);
	if (c && !ktstr_value__equal(v, c))
		die("clone differs", id, NULL);
	ktstr_value__free(c);
	if (json)
		check_json(v, id);
	else
		ktstr_value__free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mem mem = { data, size };
	struct ktstr_render_opts opts = {
		.sz = sizeof(opts),
		.read = read_mem,
		.read_ctx = &mem,
		.max_read_bytes = 64 * 1024,
	};
	const uint8_t *bytes;
	struct btf *btf;
	uint32_t id, n;
	size_t blen, len;
	const char *name;

	if (size < 2)
		return 0;
	blen = data[0] | data[1] << 8;
	if (blen > size - 2)
		blen = size - 2;
	bytes = data + 2 + blen;
	len = size - 2 - blen;

	libbpf_set_print(silent);
	btf = btf__new(data + 2, blen);
	if (!btf)
		return 0;
	n = btf__type_cnt(btf);
	for (id = 0; id < n && id < MAX_TYPES; id++) {
		/* JSON on the bigger tree only: it is the slow part. */
		render_one(btf, id, bytes, len, NULL, false);
		render_one(btf, id, bytes, len, &opts, true);
		name = btf__name_by_offset(btf, btf__type_by_id(btf, id) ?
					   btf__type_by_id(btf, id)->name_off : 0);
		if (name && *name)
			ktstr_btf__find_type(btf, name);
	}
	/* Ids past the end are refused, not read. */
	render_one(btf, n, bytes, len, NULL, true);
	render_one(btf, UINT32_MAX, bytes, len, &opts, true);
	btf__free(btf);
	return 0;
}
