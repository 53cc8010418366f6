// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr btf render --btf FILE --type NAME --data FILE [--base-btf FILE] [--json]
 *
 * Render raw bytes as a BTF type, the way a capture renders map values:
 * a check of the renderer against any BTF and any bytes at hand. The BTF
 * is a raw blob (/sys/kernel/btf/vmlinux, a module's, split ones with
 * --base-btf) or an ELF file with a .BTF section (a BPF object).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include <ktstr/btf_render.h>

#include "../lib/value_json.h"
#include "builtin.h"

/* Bytes read from --data at most: more than any BTF type can be. */
#define MAX_DATA_BYTES	(256u << 20)

static const char btf_usage[] =
"usage: ktstr btf render --btf FILE --type NAME --data FILE [--base-btf FILE] [--json]\n"
"\n"
"  Render the bytes of --data as the type NAME (\"task_ctx\", \"struct task_ctx\",\n"
"  \"u32\") of the BTF in --btf: a raw BTF blob such as /sys/kernel/btf/vmlinux,\n"
"  or an ELF file with a .BTF section such as a BPF object. Split BTF (a\n"
"  kernel module's) needs its base in --base-btf. --json prints the value in\n"
"  the dump report's JSON form rather than as a tree.\n";

static int usage(FILE *f, int rc)
{
	fputs(btf_usage, f);
	return rc;
}

static int read_data(const char *path, void **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *buf = NULL, *p;
	FILE *f = fopen(path, "rb");
	int err = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (n == cap || !buf) {
			if (buf)
				cap *= 2;
			p = realloc(buf, cap);
			if (!p) {
				err = -ENOMEM;
				break;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > MAX_DATA_BYTES) {
			err = -EFBIG;
			break;
		}
		if (got == 0) {
			if (ferror(f))
				err = -EIO;
			break;
		}
	}
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int btf_render(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "btf", required_argument, NULL, 'b' },
		{ "base-btf", required_argument, NULL, 'B' },
		{ "type", required_argument, NULL, 't' },
		{ "data", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *btf_path = NULL, *base_path = NULL, *type = NULL, *data_path = NULL;
	struct btf *btf = NULL, *base = NULL;
	struct ktstr_value *v = NULL;
	bool json = false;
	void *data = NULL;
	size_t len = 0;
	int opt, id, err, rc = 1;
	__s64 size;

	while ((opt = getopt_long(argc, argv, "b:B:t:d:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			btf_path = optarg;
			break;
		case 'B':
			base_path = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'd':
			data_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (optind != argc || !btf_path || !type || !data_path) {
		fprintf(stderr, "ktstr: btf render: %s\n\n", optind != argc ?
			"unexpected argument" : "--btf, --type and --data are required");
		return usage(stderr, 2);
	}

	if (base_path) {
		base = btf__parse(base_path, NULL);
		if (!base) {
			fprintf(stderr, "ktstr: btf render: %s: no BTF read: %s\n", base_path,
				strerror(errno));
			goto out;
		}
	}
	btf = base ? btf__parse_split(btf_path, base) : btf__parse(btf_path, NULL);
	if (!btf) {
		fprintf(stderr, "ktstr: btf render: %s: no BTF read: %s%s\n", btf_path,
			strerror(errno), base ? "" : " (split BTF needs --base-btf)");
		goto out;
	}
	id = ktstr_btf__find_type(btf, type);
	if (id < 0) {
		fprintf(stderr, "ktstr: btf render: %s: %s\n", btf_path, id == -ENOENT ?
			"no such type" : strerror(-id));
		fprintf(stderr, "  type: %s\n", type);
		goto out;
	}
	err = read_data(data_path, &data, &len);
	if (err) {
		fprintf(stderr, "ktstr: btf render: %s: %s\n", data_path, strerror(-err));
		goto out;
	}
	size = btf__resolve_size(btf, id);
	if (size >= 0 && (size_t)size != len)
		fprintf(stderr, "ktstr: btf render: note: %s is %zu bytes, %s is %lld\n",
			data_path, len, type, (long long)size);

	v = ktstr_btf__render(btf, id, data, len, NULL);
	if (!v) {
		fprintf(stderr, "ktstr: btf render: out of memory\n");
		goto out;
	}
	if (json) {
		json_t *j = ktstr_value__to_json(v);

		if (!j || json_dumpf(j, stdout, JSON_INDENT(2)) || puts("") == EOF) {
			fprintf(stderr, "ktstr: btf render: cannot print the JSON: %s\n",
				j ? "write error" : strerror(errno));
			json_decref(j);
			goto out;
		}
		json_decref(j);
	} else if (ktstr_value__print_tree(v, stdout, 0)) {
		fprintf(stderr, "ktstr: btf render: cannot print the value\n");
		goto out;
	}
	rc = fflush(stdout) ? 1 : 0;
out:
	ktstr_value__free(v);
	free(data);
	btf__free(btf);
	btf__free(base);
	return rc;
}

int cmd_btf(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr, 2);
	optind = 1;
	if (!strcmp(argv[1], "render"))
		return btf_render(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout, 0);
	fprintf(stderr, "ktstr btf: unknown subcommand '%s'\n\n", argv[1]);
	return usage(stderr, 2);
}
