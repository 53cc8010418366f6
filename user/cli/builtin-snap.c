// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr snap: capture this machine's BPF maps into a dump report, show a
 * report as a readable tree, and query it.
 *
 *	ktstr snap host [--id N]... [--name NAME]... [--max-entries N] [-o FILE]
 *	ktstr snap show DUMP.json [--map NAME]
 *	ktstr snap query DUMP.json EXPR
 *
 * Exit status: 0, 1 when the command ran and failed (no privilege, a bad
 * report, a query with no answer), 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include <ktstr/dump.h>
#include <ktstr/host_capture.h>
#include <ktstr/snapshot.h>

#include "builtin.h"
#include "query.h"

static const char snap_synopsis[] =
"usage: ktstr snap host [--id N]... [--name NAME]... [--max-entries N] [-o FILE]\n"
"       ktstr snap show DUMP.json [--map NAME]\n"
"       ktstr snap query DUMP.json EXPR\n";

static const char snap_usage[] =
"\n"
"  host    capture this machine's BPF maps (all, or those named or numbered)\n"
"          into a dump report: JSON on stdout, or in FILE with -o\n"
"  show    print a dump report as a tree: each map, its type and sizes, its\n"
"          value or entries, and what could not be captured\n"
"  query   print one value of a dump report; on failure the error and the\n"
"          alternatives there were, and exit 1\n"
"\n";

static int usage(FILE *f, int rc)
{
	fputs(snap_synopsis, f);
	fputs(snap_usage, f);
	fputs(ktstr_query_help, f);
	return rc;
}

/* After getopt's own complaint, or with no subcommand: the synopsis only. */
static int short_usage(void)
{
	fputs(snap_synopsis, stderr);
	fputs("(ktstr snap --help says more)\n", stderr);
	return 2;
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("ktstr snap: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	return short_usage();
}

/* ---- snap host ----------------------------------------------------------- */

static int parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s[0] || s[0] == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

static int snap_host(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "max-entries", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	LIBBPF_OPTS(ktstr_host_capture_opts, opts);
	struct ktstr_dump_report *r = NULL;
	const char *output = NULL;
	uint32_t *ids = NULL, *tmp_ids, v;
	const char **names = NULL, **tmp_names;
	size_t nr_ids = 0, nr_names = 0;
	int opt, err, rc = 1;
	char *json;

	while ((opt = getopt_long(argc, argv, "i:n:m:o:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (parse_u32(optarg, &v)) {
				rc = usage_error("--id: '%s' is not a map id", optarg);
				goto out;
			}
			tmp_ids = realloc(ids, (nr_ids + 1) * sizeof(*ids));
			if (!tmp_ids)
				goto oom;
			ids = tmp_ids;
			ids[nr_ids++] = v;
			break;
		case 'n':
			tmp_names = realloc(names, (nr_names + 1) * sizeof(*names));
			if (!tmp_names)
				goto oom;
			names = tmp_names;
			names[nr_names++] = optarg;
			break;
		case 'm':
			if (parse_u32(optarg, &v) || !v) {
				rc = usage_error("--max-entries: '%s' is not a positive number",
						 optarg);
				goto out;
			}
			opts.max_entries = v;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			rc = usage(stdout, 0);
			goto out;
		default:
			rc = short_usage();
			goto out;
		}
	}
	if (optind != argc) {
		rc = usage_error("host: unexpected argument '%s'", argv[optind]);
		goto out;
	}

	opts.ids = ids;
	opts.nr_ids = nr_ids;
	opts.names = names;
	opts.nr_names = nr_names;
	err = ktstr_host__capture(&opts, &r);
	if (err == -EPERM) {
		fprintf(stderr, "ktstr: snap host: bpf(2) is not permitted: run as root "
			"(CAP_SYS_ADMIN is needed to list maps)\n");
		goto out;
	}
	if (err == -ENOENT) {
		fprintf(stderr, "ktstr: snap host: no map has ");
		for (size_t i = 0; i < nr_ids; i++)
			fprintf(stderr, "%sid %u", i ? ", " : "", ids[i]);
		for (size_t i = 0; i < nr_names; i++)
			fprintf(stderr, "%sname '%s'", i || nr_ids ? ", " : "", names[i]);
		fprintf(stderr, "%s\n", nr_ids + nr_names > 1 ? " (one or more of them)" : "");
		goto out;
	}
	if (err) {
		fprintf(stderr, "ktstr: snap host: capture failed: %s\n", strerror(-err));
		goto out;
	}

	if (output) {
		err = ktstr_dump__save(r, output);
		if (err) {
			fprintf(stderr, "ktstr: snap host: cannot write %s: %s\n", output,
				strerror(-err));
			goto out;
		}
	} else {
		json = ktstr_dump__to_json(r);
		if (!json)
			goto oom;
		if (puts(json) == EOF || fflush(stdout)) {
			fprintf(stderr, "ktstr: snap host: cannot write the report: %s\n",
				strerror(errno));
			free(json);
			goto out;
		}
		free(json);
	}
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "ktstr: snap host: out of memory\n");
out:
	ktstr_dump__free(r);
	free(ids);
	free(names);
	return rc;
}

/* ---- snap show ----------------------------------------------------------- */

static const char *map_type_name(uint32_t type)
{
	const char *s = libbpf_bpf_map_type_str(type);

	return s ? s : "unknown";
}

static bool is_aggregate(const struct ktstr_value *v)
{
	if (!v)
		return false;
	switch (v->kind) {
	case KTSTR_VALUE_STRUCT:
	case KTSTR_VALUE_UNION:
		return v->agg.nr > 0;
	case KTSTR_VALUE_ARRAY:
		return v->arr.nr > 0;
	case KTSTR_VALUE_PTR:
		return v->ptr.target != NULL;
	default:
		return false;
	}
}

/* "label: 42", or "label:" and the tree below it, indented @indent. */
static void show_value(const char *label, const struct ktstr_value *v, int indent)
{
	printf("%*s%s:", indent, "", label);
	if (is_aggregate(v)) {
		printf("\n");
		ktstr_value__print_tree(v, stdout, indent + 2);
	} else {
		printf(" ");
		ktstr_value__print_tree(v, stdout, 0);
	}
}

/* A key on one line: rendered compactly, or as hex when there was no BTF. */
static void show_key(const struct ktstr_value *key, const char *hex, int indent)
{
	char *s = key ? ktstr_value__to_string(key) : NULL;

	printf("%*skey: %s%s\n", indent, "", s ? s : KTSTR_HEX_KEY_PREFIX,
	       s ? "" : (hex ? hex : ""));
	free(s);
}

static void show_per_cpu(struct ktstr_value *const *per_cpu, size_t nr_cpus, int indent)
{
	char label[32];

	for (size_t c = 0; c < nr_cpus; c++) {
		snprintf(label, sizeof(label), "cpu %zu", c);
		if (per_cpu[c])
			show_value(label, per_cpu[c], indent);
		else
			printf("%*s%s: (not captured)\n", indent, "", label);
	}
}

static void show_map(const struct ktstr_dump_map *m)
{
	size_t i;

	printf("map %s: %s, id %u, key %u bytes, value %u bytes, max_entries %u",
	       m->name, map_type_name(m->type), m->id, m->key_size, m->value_size,
	       m->max_entries);
	if (m->kva)
		printf(", kva 0x%" PRIx64, m->kva);
	printf("\n");
	if (m->error)
		printf("  error: %s\n", m->error);
	if (m->value)
		show_value("value", m->value, 2);
	for (i = 0; i < m->nr_entries; i++) {
		const struct ktstr_dump_entry *e = &m->entries[i];

		printf("  [%zu]\n", i);
		show_key(e->key, e->key_hex, 4);
		if (e->value)
			show_value("value", e->value, 4);
		else
			printf("    value: hex:%s\n", e->value_hex ? e->value_hex : "");
	}
	for (i = 0; i < m->nr_percpu_entries; i++) {
		const struct ktstr_dump_percpu_entry *e = &m->percpu_entries[i];

		printf("  [%zu]\n    key: %u\n", i, e->key);
		show_per_cpu(e->per_cpu, e->nr_cpus, 4);
	}
	for (i = 0; i < m->nr_percpu_hash_entries; i++) {
		const struct ktstr_dump_percpu_hash_entry *e = &m->percpu_hash_entries[i];

		printf("  [%zu]\n", i);
		show_key(e->key, e->key_hex, 4);
		show_per_cpu(e->per_cpu, e->nr_cpus, 4);
	}
	if (!m->value && !m->nr_entries && !m->nr_percpu_entries &&
	    !m->nr_percpu_hash_entries && !m->error)
		printf("  (empty)\n");
}

static void show_report_sections(const struct ktstr_dump_report *r)
{
	size_t i, j;

	if (r->active_obj_name)
		printf("active scheduler: %s\n", r->active_obj_name);
	if (r->nr_per_cpu_time) {
		printf("per-CPU time (ns):\n");
		for (i = 0; i < r->nr_per_cpu_time; i++) {
			const struct ktstr_dump_cpu_time *t = &r->per_cpu_time[i];

			printf("  cpu %u: user %" PRIu64 " nice %" PRIu64 " system %" PRIu64
			       " idle %" PRIu64 " iowait %" PRIu64 " irq %" PRIu64
			       " softirq %" PRIu64 " steal %" PRIu64 "\n", t->cpu, t->user_ns,
			       t->nice_ns, t->system_ns, t->idle_ns, t->iowait_ns, t->irq_ns,
			       t->softirq_ns, t->steal_ns);
		}
	}
	if (r->per_cpu_time_unavailable)
		printf("per-CPU time unavailable: %s\n", r->per_cpu_time_unavailable);
	if (r->nr_event_counter_timeline) {
		printf("event counters:\n");
		for (i = 0; i < r->nr_event_counter_timeline; i++) {
			const struct ktstr_dump_event_sample *s = &r->event_counter_timeline[i];

			printf("  +%" PRIu64 " ms:", s->elapsed_ms);
			for (j = 0; j < s->nr_counters; j++)
				printf(" %s=%" PRIu64, s->counters[j].name, s->counters[j].value);
			printf("\n");
		}
	}
	if (r->event_counters_unavailable)
		printf("event counters unavailable: %s\n", r->event_counters_unavailable);
}

static int load_report(const char *cmd, const char *path, struct ktstr_dump_report **r)
{
	char err[512] = "";
	int e = ktstr_dump__load(path, r, err, sizeof(err));

	if (e) {
		fprintf(stderr, "ktstr: snap %s: %s: %s\n", cmd, path,
			err[0] ? err : strerror(-e));
		return 1;
	}
	return 0;
}

static int snap_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ktstr_dump_report *r;
	const char *only = NULL;
	bool found = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "m:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			only = optarg;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return short_usage();
		}
	}
	if (argc - optind != 1)
		return usage_error("show: expected one DUMP.json%s", "");
	if (load_report("show", argv[optind], &r))
		return 1;

	if (!only) {
		printf("report %s: %zu map%s\n", r->schema, r->nr_maps, r->nr_maps == 1 ? "" : "s");
		if (r->is_placeholder)
			printf("placeholder: %s\n", r->placeholder_reason ?
			       r->placeholder_reason : "(no reason given)");
		show_report_sections(r);
	}
	for (size_t i = 0; i < r->nr_maps; i++) {
		if (only && strcmp(only, r->maps[i].name))
			continue;
		show_map(&r->maps[i]);
		found = true;
	}
	if (only && !found) {
		fprintf(stderr, "ktstr: snap show: no map '%s'; maps:", only);
		for (size_t i = 0; i < r->nr_maps; i++)
			fprintf(stderr, "%s %s", i ? "," : "", r->maps[i].name);
		fprintf(stderr, "%s\n", r->nr_maps ? "" : " (none)");
	}
	ktstr_dump__free(r);
	return only && !found ? 1 : 0;
}

/* ---- snap query ---------------------------------------------------------- */

static void print_entry(struct ktstr_entry e)
{
	switch (e.kind) {
	case KTSTR_ENTRY_HASH:
		show_key(e.hash->key, e.hash->key_hex, 0);
		if (e.hash->value)
			show_value("value", e.hash->value, 0);
		else
			printf("value: hex:%s\n", e.hash->value_hex ? e.hash->value_hex : "");
		break;
	case KTSTR_ENTRY_PERCPU:
		printf("key: %u\n", e.percpu->key);
		show_per_cpu(e.percpu->per_cpu, e.percpu->nr_cpus, 0);
		break;
	case KTSTR_ENTRY_PERCPU_HASH:
		show_key(e.percpu_hash->key, e.percpu_hash->key_hex, 0);
		show_per_cpu(e.percpu_hash->per_cpu, e.percpu_hash->nr_cpus, 0);
		break;
	case KTSTR_ENTRY_VALUE:
		ktstr_value__print_tree(e.value, stdout, 0);
		break;
	case KTSTR_ENTRY_MISSING:
		break;
	}
}

static void print_error(const struct ktstr_error *err)
{
	size_t i;

	fprintf(stderr, "ktstr: query: %s: %s\n", ktstr_error_kind__str(err->kind),
		err->msg ? err->msg : "(no message)");
	/* The view's messages usually end in the alternatives: list them only if not. */
	for (i = 0; i < err->nr_alternatives; i++)
		if (!err->msg || !strstr(err->msg, err->alternatives[i]))
			break;
	if (i == err->nr_alternatives)
		return;
	fprintf(stderr, "alternatives:\n");
	for (i = 0; i < err->nr_alternatives; i++)
		fprintf(stderr, "  %s\n", err->alternatives[i]);
}

static int snap_query(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ktstr_query_result res;
	struct ktstr_dump_report *r;
	struct ktstr_snapshot *s;
	struct ktstr_query *q;
	char err[256];
	int opt, rc = 1;
	size_t col = 0;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h')
			return usage(stdout, 0);
		return short_usage();
	}
	if (argc - optind != 2)
		return usage_error("query: expected DUMP.json and an expression%s", "");
	/* Parse first: a malformed expression is a usage error whatever the file. */
	if (ktstr_query__parse(argv[optind + 1], &q, err, sizeof(err), &col)) {
		/* The expression, and a caret under where it went wrong. */
		fprintf(stderr, "ktstr: %s\n  %s\n  %*s^\n", err, argv[optind + 1],
			(int)(col < 4096 ? col : 0), "");
		return 2;
	}
	if (load_report("query", argv[optind], &r)) {
		ktstr_query__free(q);
		return 1;
	}
	s = ktstr_snapshot__new(r);
	if (!s) {
		fprintf(stderr, "ktstr: snap query: out of memory\n");
		goto out;
	}
	ktstr_query__eval(q, s, &res);
	switch (res.kind) {
	case KTSTR_QUERY_FIELD:
		ktstr_value__print_tree(res.field.value, stdout, 0);
		rc = 0;
		break;
	case KTSTR_QUERY_ENTRY:
		print_entry(res.entry);
		rc = 0;
		break;
	case KTSTR_QUERY_ERROR:
		if (res.err)
			print_error(res.err);
		else
			fprintf(stderr, "ktstr: query: %s\n", res.msg);
		break;
	}
out:
	ktstr_snapshot__free(s);
	ktstr_dump__free(r);
	ktstr_query__free(q);
	return rc;
}

int cmd_snap(int argc, char **argv)
{
	if (argc < 2)
		return short_usage();
	/* Each subcommand parses its own options from argv[1] on. */
	optind = 1;
	if (!strcmp(argv[1], "host"))
		return snap_host(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return snap_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "query"))
		return snap_query(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout, 0);
	return usage_error("unknown subcommand '%s'", argv[1]);
}
