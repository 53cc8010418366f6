// SPDX-License-Identifier: GPL-2.0
/*
 * Live host capture end to end: load snap_maps.bpf.o (object name
 * "ktsnap"), fill every map with known values, capture it with
 * `ktstr snap host`, and check every rendered key and value against an
 * independent oracle, bpftool's BTF-formatted JSON dump. Then the other
 * commands on that report: `snap show`, `snap query` (answers, failures
 * with their alternatives, syntax errors, a corrupt report) and
 * `btf render`.
 *
 * Needs bpf(2) (root or CAP_BPF + CAP_SYS_ADMIN): skips without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include <ktstr/btf_render.h>
#include <ktstr/dump.h>
#include <ktstr/host_capture.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"
#include "progs/snap_maps.h"

#define NOBODY	65534

static const char *const map_names[] = {
	"ktsnap.bss", "ktsnap.data", "ktsnap.rodata", "ktsnap_tasks", "ktsnap_slots",
	"ktsnap_cfg", "ktsnap_pcpu", "ktsnap_pcpuh", "ktsnap_ring", "ktsnap_nobtf",
};
#define NR_MAPS	(sizeof(map_names) / sizeof(map_names[0]))

static char dir[PATH_MAX];	/* where this test, ktstr and the BPF object are */

static const char *in_dir(const char *name)
{
	static char bufs[4][PATH_MAX + 64];
	static int next;
	char *b = bufs[next++ % 4];

	if (snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name) >= (int)sizeof(bufs[0]))
		b[0] = '\0';
	return b;
}

/* ---- running commands ----------------------------------------------------- */

struct run {
	int status;		/* exit status; -1: did not exit */
	char *out, *err;
};

static char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap);
	ssize_t n;

	lseek(fd, 0, SEEK_SET);
	while (s && (n = read(fd, s + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *p = realloc(s, cap * 2);

			if (!p) {
				free(s);
				return NULL;
			}
			s = p;
			cap *= 2;
		}
	}
	if (s)
		s[len] = '\0';
	return s;
}

static int tmpfile_fd(char *path)
{
	strcpy(path, "/tmp/snap_cli_test.XXXXXX");
	return mkstemp(path);
}

/* Run argv (argv[0] a path), as @uid when not -1; stdout and stderr captured. */
static int run_as(uid_t uid, struct run *r, char *const argv[])
{
	char out_path[64], err_path[64];
	int out = tmpfile_fd(out_path), err = tmpfile_fd(err_path), st;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (out < 0 || err < 0)
		return -errno;
	unlink(out_path);
	unlink(err_path);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		dup2(out, 1);
		dup2(err, 2);
		if (uid != (uid_t)-1 &&
		    (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -errno;
	if (WIFEXITED(st))
		r->status = WEXITSTATUS(st);
	r->out = slurp_fd(out);
	r->err = slurp_fd(err);
	close(out);
	close(err);
	return r->out && r->err ? 0 : -ENOMEM;
}

#define run(r, ...)	run_as((uid_t)-1, r, (char *const[]){ __VA_ARGS__, NULL })

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* ---- the BPF object --------------------------------------------------------- */

/* Write @len bytes into global @var of section @sec before the object loads. */
static int set_global(struct bpf_object *obj, const char *sec, const char *var,
		      const void *src, size_t len)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vsi;
	const struct btf_type *t;
	struct bpf_map *map;
	size_t map_len = 0;
	char name[32];
	void *data;
	int id;

	snprintf(name, sizeof(name), "ktsnap%s", sec);
	map = bpf_object__find_map_by_name(obj, name);
	id = btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC);
	if (!map || id < 0)
		return -ENOENT;
	data = (void *)bpf_map__initial_value(map, &map_len);
	t = btf__type_by_id(btf, id);
	vsi = btf_var_secinfos(t);
	for (int i = 0; i < btf_vlen(t); i++, vsi++) {
		const struct btf_type *v = btf__type_by_id(btf, vsi->type);

		if (strcmp(btf__name_by_offset(btf, v->name_off), var))
			continue;
		if (vsi->size != len || vsi->offset + len > map_len || !data)
			return -EINVAL;
		memcpy((char *)data + vsi->offset, src, len);
		return 0;
	}
	return -ENOENT;
}

static const struct task_key task_keys[3] = { { 100, 42 }, { 100, 43 }, { 200, 7 } };

static struct task_ctx task_value(int i)
{
	static const char *const comms[] = { "hello", "worker", "idle-task" };
	struct task_ctx t;

	memset(&t, 0, sizeof(t));
	t.runtime_ns = 5000 * (i + 1);
	t.weight = i == 1 ? -1 : 100 * (i + 1);
	t.state = i == 0 ? TASK_RUNNING : i == 1 ? TASK_RUNNABLE : TASK_IDLE;
	strcpy(t.comm, comms[i]);
	t.flags = 5 - i;
	t.prio = 17 + i;
	t.queued = i != 2;
	for (int c = 0; c < 4; c++)
		t.cpus[c] = c * (i + 1);
	return t;
}

static size_t stride(size_t value_size)
{
	return (value_size + 7) & ~(size_t)7;
}

FIXTURE(snap) {
	struct bpf_object *obj;
	int nobtf_fd;
	int nr_cpus;
	char dump[64];
	struct ktstr_dump_report *r;
	const char *skip;
};

static int fill_maps(FIXTURE_DATA(snap) *self)
{
	struct bpf_object *obj = self->obj;
	int nc = self->nr_cpus, fd, err = 0;
	uint8_t *buf;

	fd = bpf_object__find_map_fd_by_name(obj, "ktsnap_tasks");
	for (int i = 0; i < 3 && !err; i++) {
		struct task_ctx t = task_value(i);

		err = bpf_map_update_elem(fd, &task_keys[i], &t, BPF_ANY);
	}
	fd = bpf_object__find_map_fd_by_name(obj, "ktsnap_slots");
	for (uint32_t i = 0; i < 4 && !err; i++) {
		struct slot s = { .vtime = 1000 * (i + 1), .nr_queued = i, .pad = 0xdead };

		err = bpf_map_update_elem(fd, &i, &s, BPF_ANY);
	}
	fd = bpf_object__find_map_fd_by_name(obj, "ktsnap_cfg");
	if (!err) {
		struct cfg c = { .slice_us = 250, .fifo = 1, .name = "cfg-a" };
		uint32_t zero = 0;

		err = bpf_map_update_elem(fd, &zero, &c, BPF_ANY);
	}

	/* Per-CPU values differ per CPU, so a mixed-up CPU cannot pass. */
	buf = calloc(nc, 16);
	if (!buf)
		return -ENOMEM;
	fd = bpf_object__find_map_fd_by_name(obj, "ktsnap_pcpu");
	for (uint32_t k = 0; k < 3 && !err; k++) {
		for (int c = 0; c < nc; c++) {
			struct cpu_stat s = { 100 * k + c + 1, -(int64_t)(k * 10 + c) };

			memcpy(buf + c * stride(sizeof(s)), &s, sizeof(s));
		}
		err = bpf_map_update_elem(fd, &k, buf, BPF_ANY);
	}
	fd = bpf_object__find_map_fd_by_name(obj, "ktsnap_pcpuh");
	for (uint32_t k = 9; k <= 11 && !err; k += 2) {
		memset(buf, 0, nc * 16);
		for (int c = 0; c < nc; c++) {
			struct pid_stat s = { k, c + 1, k * 100 + c };

			memcpy(buf + c * stride(sizeof(s)), &s, sizeof(s));
		}
		err = bpf_map_update_elem(fd, &k, buf, BPF_ANY);
	}
	free(buf);

	/* A map without BTF: its keys and values can only be hex. */
	self->nobtf_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ktsnap_nobtf", 4, 6, 8, NULL);
	if (self->nobtf_fd < 0)
		return self->nobtf_fd;
	for (uint32_t k = 1; k <= 2 && !err; k++)
		err = bpf_map_update_elem(self->nobtf_fd, &k,
					  k == 1 ? "abcdef" : "\x01\x02\x03\x04\x05\x06", BPF_ANY);
	return err;
}

static int map_fd(FIXTURE_DATA(snap) *self, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(self->obj, name);

	return m ? bpf_map__fd(m) : !strcmp(name, "ktsnap_nobtf") ? self->nobtf_fd : -1;
}

static uint32_t map_id(FIXTURE_DATA(snap) *self, const char *name)
{
	struct bpf_map_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd(self, name), &info, &len))
		return 0;
	return info.id;
}

/* ktstr snap host --id ... -o self->dump, for every map of the object. */
static int capture_by_id(FIXTURE_DATA(snap) *self, struct run *r)
{
	char ids[NR_MAPS][16];
	char *argv[3 + 2 * NR_MAPS + 3] = { (char *)in_dir("ktstr"), "snap", "host" };
	int n = 3;

	for (size_t i = 0; i < NR_MAPS; i++) {
		uint32_t id = map_id(self, map_names[i]);

		if (!id)
			return -ENOENT;
		snprintf(ids[i], sizeof(ids[i]), "%u", id);
		argv[n++] = "--id";
		argv[n++] = ids[i];
	}
	argv[n++] = "-o";
	argv[n++] = self->dump;
	argv[n] = NULL;
	return run_as((uid_t)-1, r, argv);
}

FIXTURE_SETUP(snap)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "ktsnap");
	struct sched_stats stats = { 1000, { 1, 2, 3, 4 }, { 5, 6 } };
	int32_t hist[5] = { -2, -1, 0, 1, 2 };
	uint64_t nr_enqueued = 123456789012ULL, generation = 77;
	uint32_t nr_cpus_onln = 3, slice_ns = 20000000;
	const struct btf *btf;
	struct run r;
	int err, fd;

	self->nobtf_fd = -1;
	ktstr_test_dir(dir, sizeof(dir));
	libbpf_set_print(NULL);
	self->nr_cpus = libbpf_num_possible_cpus();
	ASSERT_GT(self->nr_cpus, 0);
	self->obj = bpf_object__open_file(in_dir("snap_maps.bpf.o"), &oo);
	ASSERT_NE(NULL, self->obj) TH_LOG("open snap_maps.bpf.o: %s", strerror(errno));

	/* The test's structs must be the object's, or every comparison lies. */
	btf = bpf_object__btf(self->obj);
	ASSERT_EQ(sizeof(struct task_ctx),
		  btf__resolve_size(btf, btf__find_by_name_kind(btf, "task_ctx", BTF_KIND_STRUCT)));
	ASSERT_EQ(sizeof(struct pid_stat),
		  btf__resolve_size(btf, btf__find_by_name_kind(btf, "pid_stat", BTF_KIND_STRUCT)));

	ASSERT_EQ(0, set_global(self->obj, ".bss", "nr_enqueued", &nr_enqueued, 8));
	ASSERT_EQ(0, set_global(self->obj, ".bss", "nr_cpus_onln", &nr_cpus_onln, 4));
	ASSERT_EQ(0, set_global(self->obj, ".bss", "stats", &stats, sizeof(stats)));
	ASSERT_EQ(0, set_global(self->obj, ".bss", "hist", hist, sizeof(hist)));
	ASSERT_EQ(0, set_global(self->obj, ".data", "generation", &generation, 8));
	ASSERT_EQ(0, set_global(self->obj, ".rodata", "slice_ns", &slice_ns, 4));

	err = bpf_object__load(self->obj);
	if (err == -EPERM || err == -EACCES) {
		self->skip = "bpf(2) is not permitted here (needs root or CAP_BPF)";
		return;
	}
	ASSERT_EQ(0, err) TH_LOG("load: %s", strerror(-err));
	ASSERT_EQ(0, fill_maps(self));

	/*
	 * By id, which no other process can share: a second run of this
	 * test at the same time has maps of the same names. "snap_host_by_name"
	 * checks --name.
	 */
	fd = tmpfile_fd(self->dump);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, capture_by_id(self, &r));
	EXPECT_EQ(0, r.status) TH_LOG("snap host: %s", r.err);
	run_free(&r);
	{
		char e[512] = "";

		ASSERT_EQ(0, ktstr_dump__load(self->dump, &self->r, e, sizeof(e)))
			TH_LOG("load %s: %s", self->dump, e);
	}
}

FIXTURE_TEARDOWN(snap)
{
	ktstr_dump__free(self->r);
	if (self->dump[0])
		unlink(self->dump);
	if (self->nobtf_fd >= 0)
		close(self->nobtf_fd);
	bpf_object__close(self->obj);
}

#define SKIP_UNLESS_LOADED()						\
	do {								\
		if (self->skip)						\
			SKIP(return, "%s", self->skip);			\
	} while (0)

static const struct ktstr_dump_map *find_map(const struct ktstr_dump_report *r, const char *name)
{
	for (size_t i = 0; i < r->nr_maps; i++)
		if (!strcmp(r->maps[i].name, name))
			return &r->maps[i];
	return NULL;
}

/* ---- the oracle: bpftool's BTF-formatted dump ----------------------------- */

struct oracle {
	char path[256];		/* where in the value */
	char why[600];
};

static bool mismatch(struct oracle *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool mismatch(struct oracle *o, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(o->why, sizeof(o->why), "%s: %s", o->path[0] ? o->path : "(root)", msg);
	return false;
}

/* bpftool prints bitfields as "0x5": a hex string, or a plain integer. */
static bool json_uint(const json_t *j, bool bitfield, uint64_t *out)
{
	const char *s;
	char *end;

	if (json_is_integer(j)) {
		*out = (uint64_t)json_integer_value(j);
		return true;
	}
	if (!bitfield || !json_is_string(j))
		return false;
	s = json_string_value(j);
	errno = 0;
	*out = strtoull(s, &end, 16);
	return !errno && *end == '\0' && end != s;
}

static bool same(struct oracle *o, const struct ktstr_value *v, const json_t *j, bool bitfield);

static bool same_child(struct oracle *o, const struct ktstr_value *v, const json_t *j,
		       bool bitfield, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool same_child(struct oracle *o, const struct ktstr_value *v, const json_t *j,
		       bool bitfield, const char *fmt, ...)
{
	size_t len = strlen(o->path);
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	vsnprintf(o->path + len, sizeof(o->path) - len, fmt, ap);
	va_end(ap);
	ok = same(o, v, j, bitfield);
	if (ok)
		o->path[len] = '\0';
	return ok;
}

/* Does rendered @v say what bpftool's formatted @j says? */
static bool same(struct oracle *o, const struct ktstr_value *v, const json_t *j, bool bitfield)
{
	uint64_t u;

	if (!v)
		return mismatch(o, "no rendered value");
	if (!j)
		return mismatch(o, "bpftool has nothing here");
	switch (v->kind) {
	case KTSTR_VALUE_INT:
		if (json_is_integer(j) && json_integer_value(j) == v->i)
			return true;
		if (bitfield && json_uint(j, true, &u) && (int64_t)u == v->i)
			return true;
		return mismatch(o, "int %lld, bpftool differs", (long long)v->i);
	case KTSTR_VALUE_UINT:
		if (json_uint(j, bitfield, &u) && u == v->u)
			return true;
		return mismatch(o, "uint %llu, bpftool differs", (unsigned long long)v->u);
	case KTSTR_VALUE_BOOL:
		if (json_is_boolean(j) && json_is_true(j) == v->b)
			return true;
		return mismatch(o, "bool %d, bpftool differs", v->b);
	case KTSTR_VALUE_ENUM:
		if (v->enm.name && json_is_string(j) && !strcmp(json_string_value(j), v->enm.name))
			return true;
		if (!v->enm.name && json_is_integer(j) && json_integer_value(j) == v->enm.value)
			return true;
		return mismatch(o, "enum %s (%lld), bpftool differs", v->enm.name ?: "-",
				(long long)v->enm.value);
	case KTSTR_VALUE_STRING:
		if (json_is_string(j) && !strcmp(json_string_value(j), v->str.str))
			return true;
		return mismatch(o, "string \"%s\", bpftool differs", v->str.str);
	case KTSTR_VALUE_ARRAY:
		if (!json_is_array(j) || json_array_size(j) != v->arr.nr)
			return mismatch(o, "array of %zu, bpftool differs", v->arr.nr);
		for (size_t i = 0; i < v->arr.nr; i++)
			if (!same_child(o, v->arr.elems[i], json_array_get(j, i), false,
					"[%zu]", i))
				return false;
		return true;
	case KTSTR_VALUE_STRUCT:
		if (!json_is_object(j) || json_object_size(j) != v->agg.nr)
			return mismatch(o, "struct of %zu members, bpftool has %zu", v->agg.nr,
					json_is_object(j) ? json_object_size(j) : 0);
		for (size_t i = 0; i < v->agg.nr; i++) {
			const struct ktstr_member *m = &v->agg.members[i];

			if (!same_child(o, m->value, json_object_get(j, m->name),
					m->bitfield_size != 0, ".%s", m->name))
				return false;
		}
		return true;
	default:
		/* The test object has none of the others: a surprise is a failure. */
		return mismatch(o, "unexpected value kind %d", v->kind);
	}
}

/* bpftool shows a section as {".bss": [{"a": 1}, {"b": 2}]}: one object of it. */
static json_t *flatten_datasec(json_t *j)
{
	const char *sec;
	json_t *vars, *flat, *var;
	size_t i;

	if (!json_is_object(j) || json_object_size(j) != 1)
		return NULL;
	sec = json_object_iter_key(json_object_iter(j));
	vars = json_object_get(j, sec);
	if (sec[0] != '.' || !json_is_array(vars))
		return NULL;
	flat = json_object();
	json_array_foreach(vars, i, var)
		json_object_update(flat, var);
	return flat;
}

/* ["0x2a", "0x00"] -> "2a00" */
static bool hex_of(const json_t *bytes, char *out, size_t len)
{
	size_t i, n = 0;
	json_t *b;

	if (!json_is_array(bytes) || json_array_size(bytes) * 2 + 1 > len)
		return false;
	json_array_foreach(bytes, i, b) {
		const char *s = json_string_value(b);

		if (!s || strlen(s) != 4 || strncmp(s, "0x", 2))
			return false;
		out[n++] = s[2];
		out[n++] = s[3];
	}
	out[n] = '\0';
	return true;
}

static json_t *bpftool_dump(uint32_t id)
{
	char cmd[96], *text;
	json_error_t e;
	json_t *j;
	FILE *p;
	int fd;

	snprintf(cmd, sizeof(cmd), "bpftool -j map dump id %u 2>/dev/null", id);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	fd = fileno(p);
	text = slurp_fd(fd);
	pclose(p);
	j = text ? json_loads(text, 0, &e) : NULL;
	free(text);
	return j;
}

/* Compare one captured map against bpftool's view of it; "" or why not. */
static bool map_matches(const struct ktstr_dump_map *m, json_t *dump, struct oracle *o,
			size_t *nr_values)
{
	char hex[1024];
	json_t *el, *f;
	size_t i;

	memset(o, 0, sizeof(*o));
	if (!json_is_array(dump))
		return mismatch(o, "bpftool gave no array");

	if (m->value) {
		json_t *flat;
		bool ok;

		if (json_array_size(dump) != 1)
			return mismatch(o, "one value, bpftool has %zu", json_array_size(dump));
		f = json_object_get(json_object_get(json_array_get(dump, 0), "formatted"), "value");
		flat = flatten_datasec(f);
		ok = same(o, m->value, flat ? flat : f, false);
		json_decref(flat);
		*nr_values += ok;
		return ok;
	}

	if (m->nr_percpu_entries) {
		if (json_array_size(dump) != m->nr_percpu_entries)
			return mismatch(o, "%zu per-CPU entries, bpftool has %zu",
					m->nr_percpu_entries, json_array_size(dump));
		for (i = 0; i < m->nr_percpu_entries; i++) {
			const struct ktstr_dump_percpu_entry *e = &m->percpu_entries[i];
			json_t *fmt = json_object_get(json_array_get(dump, i), "formatted");
			json_t *vals = json_object_get(fmt, "values");

			if (json_integer_value(json_object_get(fmt, "key")) != e->key)
				return mismatch(o, "entry %zu has key %u, bpftool differs", i,
						e->key);
			if (json_array_size(vals) != e->nr_cpus)
				return mismatch(o, "key %u: %zu CPUs, bpftool %zu", e->key,
						e->nr_cpus, json_array_size(vals));
			for (size_t c = 0; c < e->nr_cpus; c++) {
				json_t *cv = json_array_get(vals, c);

				if (json_integer_value(json_object_get(cv, "cpu")) != (json_int_t)c)
					return mismatch(o, "bpftool CPU order");
				if (!same_child(o, e->per_cpu[c], json_object_get(cv, "value"),
						false, "key %u cpu %zu", e->key, c))
					return false;
				(*nr_values)++;
			}
		}
		return true;
	}

	if (m->nr_percpu_hash_entries) {
		if (json_array_size(dump) != m->nr_percpu_hash_entries)
			return mismatch(o, "%zu per-CPU hash entries, bpftool has %zu",
					m->nr_percpu_hash_entries, json_array_size(dump));
		json_array_foreach(dump, i, el) {
			const struct ktstr_dump_percpu_hash_entry *e = NULL;
			json_t *fmt = json_object_get(el, "formatted");
			json_t *vals = json_object_get(fmt, "values");

			if (!hex_of(json_object_get(el, "key"), hex, sizeof(hex)))
				return mismatch(o, "bpftool key %zu is not bytes", i);
			for (size_t k = 0; k < m->nr_percpu_hash_entries; k++)
				if (!strcmp(m->percpu_hash_entries[k].key_hex, hex))
					e = &m->percpu_hash_entries[k];
			if (!e)
				return mismatch(o, "bpftool's key %s was not captured", hex);
			if (!same_child(o, e->key, json_object_get(fmt, "key"), false,
					"key %s", hex))
				return false;
			if (json_array_size(vals) != e->nr_cpus)
				return mismatch(o, "key %s: %zu CPUs, bpftool %zu", hex, e->nr_cpus,
						json_array_size(vals));
			for (size_t c = 0; c < e->nr_cpus; c++) {
				if (!same_child(o, e->per_cpu[c],
						json_object_get(json_array_get(vals, c), "value"),
						false, "key %s cpu %zu", hex, c))
					return false;
				(*nr_values)++;
			}
		}
		return true;
	}

	if (json_array_size(dump) != m->nr_entries)
		return mismatch(o, "%zu entries, bpftool has %zu", m->nr_entries,
				json_array_size(dump));
	json_array_foreach(dump, i, el) {
		const struct ktstr_dump_entry *e = NULL;
		json_t *fmt = json_object_get(el, "formatted");

		if (!hex_of(json_object_get(el, "key"), hex, sizeof(hex)))
			return mismatch(o, "bpftool key %zu is not bytes", i);
		for (size_t k = 0; k < m->nr_entries; k++)
			if (!strcmp(m->entries[k].key_hex, hex))
				e = &m->entries[k];
		if (!e)
			return mismatch(o, "bpftool's key %s was not captured", hex);
		if (!hex_of(json_object_get(el, "value"), hex, sizeof(hex)) ||
		    strcmp(hex, e->value_hex))
			return mismatch(o, "key %s: value hex %s, bpftool %s", e->key_hex,
					e->value_hex, hex);
		if (!fmt) {
			/* No BTF: bpftool has only bytes, and so must we. */
			if (e->key || e->value)
				return mismatch(o, "key %s rendered without BTF", e->key_hex);
			(*nr_values)++;
			continue;
		}
		if (!same_child(o, e->key, json_object_get(fmt, "key"), false, "key %s.key",
				e->key_hex) ||
		    !same_child(o, e->value, json_object_get(fmt, "value"), false,
				"key %s.value", e->key_hex))
			return false;
		(*nr_values)++;
	}
	return true;
}

/* ---- tests ------------------------------------------------------------------ */

/* Every map's metadata and every rendered value, against libbpf and bpftool. */
TEST_F(snap, capture_matches_bpftool)
{
	size_t nr_values = 0;
	struct oracle o;

	SKIP_UNLESS_LOADED();
	if (system("bpftool version >/dev/null 2>&1"))
		SKIP(return, "no bpftool, the oracle");
	ASSERT_FALSE(self->r->is_placeholder);
	ASSERT_EQ(NR_MAPS, self->r->nr_maps);

	for (size_t i = 0; i < NR_MAPS; i++) {
		const struct ktstr_dump_map *m = find_map(self->r, map_names[i]);
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd = map_fd(self, map_names[i]);
		json_t *dump;

		ASSERT_NE(NULL, m) TH_LOG("%s not captured", map_names[i]);
		memset(&info, 0, sizeof(info));
		ASSERT_EQ(0, bpf_obj_get_info_by_fd(fd, &info, &len));
		EXPECT_EQ(info.id, m->id);
		EXPECT_EQ(info.type, m->type);
		EXPECT_EQ(info.key_size, m->key_size);
		EXPECT_EQ(info.value_size, m->value_size);
		EXPECT_EQ(info.max_entries, m->max_entries);
		EXPECT_EQ(0, m->kva);

		if (info.type == BPF_MAP_TYPE_RINGBUF) {
			ASSERT_NE(NULL, m->error);
			EXPECT_NE(NULL, strstr(m->error, "not captured")) TH_LOG("%s", m->error);
			EXPECT_EQ(NULL, m->value);
			EXPECT_EQ(0, m->nr_entries + m->nr_percpu_entries +
				     m->nr_percpu_hash_entries);
			continue;
		}
		EXPECT_EQ(NULL, m->error) TH_LOG("%s: %s", m->name, m->error);
		dump = bpftool_dump(m->id);
		ASSERT_NE(NULL, dump) TH_LOG("bpftool map dump id %u", m->id);
		EXPECT_TRUE(map_matches(m, dump, &o, &nr_values))
			TH_LOG("%s: %s", m->name, o.why);
		json_decref(dump);
	}
	/* 3 sections, 3 tasks, 4 slots, cfg, 3x and 2x per-CPU values, 2 hex-only. */
	EXPECT_EQ(3 + 3 + 4 + 1 + 3 * self->nr_cpus + 2 * self->nr_cpus + 2, nr_values);
	TH_LOG("%zu values matched bpftool over %d CPUs", nr_values, self->nr_cpus);
}

/* Spot checks that need no oracle: the per-CPU layout and the hex-only map. */
TEST_F(snap, known_values)
{
	const struct ktstr_dump_map *m;
	const struct ktstr_value *v;

	SKIP_UNLESS_LOADED();
	m = find_map(self->r, "ktsnap_pcpuh");
	ASSERT_NE(NULL, m);
	ASSERT_EQ(2, m->nr_percpu_hash_entries);
	for (size_t i = 0; i < 2; i++) {
		const struct ktstr_dump_percpu_hash_entry *e = &m->percpu_hash_entries[i];
		uint32_t key = e->key->u;

		ASSERT_EQ(self->nr_cpus, e->nr_cpus);
		for (int c = 0; c < self->nr_cpus; c++) {
			/* 12-byte values sit 16 apart: a wrong stride shifts b and c. */
			v = ktstr_value__member(e->per_cpu[c], "c");
			ASSERT_NE(NULL, v);
			EXPECT_EQ(key * 100 + c, v->u);
			v = ktstr_value__member(e->per_cpu[c], "b");
			EXPECT_EQ((uint64_t)c + 1, v->u);
		}
	}
	m = find_map(self->r, "ktsnap_nobtf");
	ASSERT_NE(NULL, m);
	ASSERT_EQ(2, m->nr_entries);
	for (size_t i = 0; i < 2; i++) {
		EXPECT_EQ(NULL, m->entries[i].key);
		const char *want = !strcmp(m->entries[i].key_hex, "01000000") ?
				   "616263646566" : "010203040506";

		EXPECT_STREQ(want, m->entries[i].value_hex);
	}
	m = find_map(self->r, "ktsnap.rodata");
	ASSERT_NE(NULL, m);
	v = ktstr_value__member(m->value, "slice_ns");
	ASSERT_NE(NULL, v);
	EXPECT_EQ(20000000, v->u);
}

/* The library directly: by id, a cap on entries, names and ids that do not exist. */
TEST_F(snap, library_capture)
{
	uint32_t ids[3], bogus = 0xfffffff0;
	const char *nosuch[] = { "ktsnap_nosuch" };
	LIBBPF_OPTS(ktstr_host_capture_opts, opts);
	struct ktstr_dump_map *m, none = { 0 };
	struct ktstr_dump_report *r = NULL;

	SKIP_UNLESS_LOADED();
	ids[0] = find_map(self->r, "ktsnap_tasks")->id;
	ids[1] = find_map(self->r, "ktsnap_pcpuh")->id;
	ids[2] = find_map(self->r, "ktsnap_slots")->id;
	opts.ids = ids;
	opts.nr_ids = 3;
	opts.max_entries = 2;
	ASSERT_EQ(0, ktstr_host__capture(&opts, &r));
	ASSERT_EQ(3, r->nr_maps);
	for (size_t i = 0; i < r->nr_maps; i++) {
		m = &r->maps[i];
		/* tasks has 3, slots 4, pcpuh 2: the first two stop at the cap, and say so. */
		if (!strcmp(m->name, "ktsnap_pcpuh")) {
			EXPECT_EQ(NULL, m->error);
			EXPECT_EQ(2, m->nr_percpu_hash_entries);
			continue;
		}
		EXPECT_EQ(2, m->nr_entries) TH_LOG("%s", m->name);
		ASSERT_NE(NULL, m->error) TH_LOG("%s", m->name);
		EXPECT_NE(NULL, strstr(m->error, "2 entries")) TH_LOG("%s", m->error);
		EXPECT_NE(NULL, strstr(m->error, "max_entries")) TH_LOG("%s", m->error);
	}
	ktstr_dump__free(r);
	r = NULL;

	/* One map by fd, as a caller with an fd in hand does it. */
	r = ktstr_dump__new();
	ASSERT_NE(NULL, r);
	m = ktstr_dump__add_map(r, "ktsnap_pcpu");
	ASSERT_EQ(0, ktstr_host__capture_map_fd(
		bpf_object__find_map_fd_by_name(self->obj, "ktsnap_pcpu"), m, 0));
	EXPECT_EQ(3, m->nr_percpu_entries);
	EXPECT_TRUE(ktstr_dump__equal(r, r));
	ktstr_dump__free(r);
	r = NULL;

	/* Per-CPU without BTF: each CPU's bytes, 8-byte aligned slots apart. */
	{
		int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "ktsnap_pcnobtf", 4, 3, 1, NULL);
		uint8_t *vals = calloc(self->nr_cpus, 8);
		uint32_t zero = 0;

		ASSERT_LE(0, fd);
		ASSERT_NE(NULL, vals);
		for (int c = 0; c < self->nr_cpus; c++)
			memset(vals + 8 * c, 0xa0 + c, 3);
		ASSERT_EQ(0, bpf_map_update_elem(fd, &zero, vals, BPF_ANY));
		free(vals);
		r = ktstr_dump__new();
		ASSERT_NE(NULL, r);
		m = ktstr_dump__add_map(r, "ktsnap_pcnobtf");
		ASSERT_EQ(0, ktstr_host__capture_map_fd(fd, m, 0));
		close(fd);
		ASSERT_EQ(1, m->nr_percpu_entries);
		ASSERT_EQ(self->nr_cpus, m->percpu_entries[0].nr_cpus);
		for (int c = 0; c < self->nr_cpus; c++) {
			const struct ktstr_value *v = m->percpu_entries[0].per_cpu[c];

			ASSERT_EQ(KTSTR_VALUE_BYTES, v->kind);
			ASSERT_EQ(3, v->bytes.len);
			EXPECT_EQ(0xa0 + c, v->bytes.data[0]);
			EXPECT_EQ(0xa0 + c, v->bytes.data[2]);
		}
		ktstr_dump__free(r);
		r = NULL;
	}

	opts.ids = &bogus;
	opts.nr_ids = 1;
	EXPECT_EQ(-ENOENT, ktstr_host__capture(&opts, &r));
	EXPECT_EQ(NULL, r);
	opts.nr_ids = 0;
	opts.names = nosuch;
	opts.nr_names = 1;
	EXPECT_EQ(-ENOENT, ktstr_host__capture(&opts, &r));
	EXPECT_EQ(NULL, r);
	/* Not an fd: the kernel says EBADF, or EBADFD since 6.12. */
	EXPECT_GT(0, ktstr_host__capture_map_fd(1000000, &none, 0));
	EXPECT_EQ(NULL, none.error);
}

/* --name, and the report on stdout: every map of those names, ours among them. */
TEST_F(snap, snap_host_by_name)
{
	struct ktstr_dump_report *rep = NULL;
	bool seen_tasks = false, seen_bss = false;
	char e[512] = "";
	struct run r;

	SKIP_UNLESS_LOADED();
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "host", "--name", "ktsnap_tasks",
			 "--name", "ktsnap.bss"));
	ASSERT_EQ(0, r.status) TH_LOG("%s", r.err);
	ASSERT_EQ(0, ktstr_dump__from_json(r.out, strlen(r.out), &rep, e, sizeof(e)))
		TH_LOG("%s", e);
	ASSERT_LE(2, rep->nr_maps);
	for (size_t i = 0; i < rep->nr_maps; i++) {
		const struct ktstr_dump_map *m = &rep->maps[i];

		EXPECT_TRUE(!strcmp(m->name, "ktsnap_tasks") || !strcmp(m->name, "ktsnap.bss"))
			TH_LOG("%s", m->name);
		seen_tasks |= m->id == map_id(self, "ktsnap_tasks");
		seen_bss |= m->id == map_id(self, "ktsnap.bss");
	}
	EXPECT_TRUE(seen_tasks);
	EXPECT_TRUE(seen_bss);
	ktstr_dump__free(rep);
	run_free(&r);

	/* A name or id nothing has: exit 1, saying which was asked for. */
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "host", "--name", "ktsnap_nosuch"));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "ktsnap_nosuch")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "host", "--id", "12x"));
	EXPECT_EQ(2, r.status);
	run_free(&r);
}

/* Without privilege: -EPERM from the library, a clear message and exit 1 from the CLI. */
TEST_F(snap, unprivileged)
{
	struct run r;
	pid_t pid;
	int st;

	SKIP_UNLESS_LOADED();
	if (geteuid() != 0)
		SKIP(return, "needs root to drop to nobody");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ktstr_dump_report *rep = NULL;
		int err;

		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(3);
		err = ktstr_host__capture(NULL, &rep);
		ktstr_dump__free(rep);
		_exit(err == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st)) TH_LOG("capture as nobody did not give -EPERM");

	ASSERT_EQ(0, run_as(NOBODY, &r, (char *const[]){ (char *)in_dir("ktstr"), "snap",
						      "host", NULL }));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "not permitted")) TH_LOG("%s", r.err);
	EXPECT_STREQ("", r.out);
	run_free(&r);
}

TEST_F(snap, show)
{
	static const char *const want[] = {
		"map ktsnap_tasks: hash", "map ktsnap_pcpu: percpu_array",
		"map ktsnap_pcpuh: percpu_hash", "map ktsnap.bss: array",
		"map ktsnap_ring: ringbuf", "not captured", "comm: \"hello\"",
		"state: TASK_RUNNING", "nr_cpus_onln: 3", "sched_name: \"ktsnap\"",
		"cpu 1:", "hex:01000000", "hex:616263646566", "key: {tgid=100, tid=42}",
	};
	struct run r;

	SKIP_UNLESS_LOADED();
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "show", self->dump));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		EXPECT_NE(NULL, strstr(r.out, want[i])) TH_LOG("no '%s' in:\n%s", want[i], r.out);
	}
	run_free(&r);

	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "show", self->dump,
			 "--map", "ktsnap_cfg"));
	EXPECT_EQ(0, r.status);
	EXPECT_NE(NULL, strstr(r.out, "name: \"cfg-a\"")) TH_LOG("%s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "ktsnap_tasks"));
	run_free(&r);

	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "show", self->dump,
			 "--map", "nosuch"));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "ktsnap_tasks")) TH_LOG("%s", r.err);
	run_free(&r);
}

struct query_case {
	const char *expr;
	int status;
	const char *out;	/* exact stdout when status is 0 */
	const char *err[3];	/* substrings of stderr otherwise */
};

/* Some 40 runs of ktstr: time for them under valgrind too. */
TEST_F_TIMEOUT(snap, query, 300)
{
	char pcpu[32], pcpuh[32], balance[32];
	const struct query_case cases[] = {
		{ "nr_cpus_onln", 0, "3\n", { NULL } },
		{ "nr_enqueued", 0, "123456789012\n", { NULL } },
		{ "stats.total", 0, "1000\n", { NULL } },
		{ "stats.dispatched[2]", 0, "3\n", { NULL } },
		{ "stats.range.hi", 0, "6\n", { NULL } },
		{ "hist[0]", 0, "-2\n", { NULL } },
		{ "generation", 0, "77\n", { NULL } },
		{ "sched_name", 0, "\"ktsnap\"\n", { NULL } },
		{ "slice_ns", 0, "20000000\n", { NULL } },
		{ "maps/ktsnap_slots[2].vtime", 0, "3000\n", { NULL } },
		{ "maps/ktsnap_slots[3].key", 0, "3\n", { NULL } },
		{ "maps/ktsnap_cfg[0].name", 0, "\"cfg-a\"\n", { NULL } },
		{ "maps/ktsnap.bss[0].stats.dispatched.3", 0, "4\n", { NULL } },
		{ "maps/ktsnap_tasks[key.tid=42].comm", 0, "\"hello\"\n", { NULL } },
		{ "maps/ktsnap_tasks[ key.tgid = 100 , key.tid=0x2b ].value.prio", 0, "18\n",
		  { NULL } },
		{ "maps/ktsnap_tasks[comm=\"worker\"].weight", 0, "-1\n", { NULL } },
		{ "maps/ktsnap_tasks[weight=-1].key.tid", 0, "43\n", { NULL } },
		{ "maps/ktsnap_tasks[state=TASK_IDLE].key.tid", 0, "7\n", { NULL } },
		{ "maps/ktsnap_tasks[queued=false].comm", 0, "\"idle-task\"\n", { NULL } },
		{ "maps/ktsnap_tasks[key.tid=7].cpus[3]", 0, "9\n", { NULL } },
		{ "maps/ktsnap_pcpu@1[2].nr_dispatched", 0, pcpu, { NULL } },
		{ "maps/ktsnap_pcpu[2].1.balance", 0, balance, { NULL } },
		{ "maps/ktsnap_pcpuh@1[key=11].c", 0, pcpuh, { NULL } },
		{ "maps/ktsnap_pcpuh@1[c=901].a", 0, "9\n", { NULL } },
		{ "maps/ktsnap_pcpuh@1[value.c=1101, key=11].b", 0, "2\n", { NULL } },
		{ "maps/ktsnap_pcpuh[key=9].0.c", 0, "900\n", { NULL } },
		{ "maps/ktsnap_pcpu@0[nr_dispatched=101].balance", 0, "-10\n", { NULL } },
		/* Failures: the error, its alternatives, exit 1. */
		{ "nr_cpus", 1, NULL, { "VAR_NOT_FOUND", "nr_cpus_onln", "generation" } },
		{ "stats.totl", 1, NULL, { "FIELD_NOT_FOUND", "total", "dispatched" } },
		{ "maps/ktsnap_nosuch[0]", 1, NULL, { "MAP_NOT_FOUND", "ktsnap_tasks" } },
		{ "maps/ktsnap_tasks[key.tid=999]", 1, NULL, { "NO_MATCH", "tid=42" } },
		{ "maps/ktsnap_slots[9]", 1, NULL, { "INDEX_OUT_OF_RANGE" } },
		{ "maps/ktsnap_pcpu@64[0]", 1, NULL, { "PERCPU_SLOT" } },
		{ "maps/ktsnap_slots@1[0]", 1, NULL, { "not a per-CPU map" } },
		{ "maps/ktsnap_ring[0]", 1, NULL, { "not captured" } },
		/* Malformed expressions: usage errors, exit 2. */
		{ "maps/ktsnap_slots[1", 2, NULL, { "expected ']'", "column 20" } },
		{ "stats..total", 2, NULL, { "column 7" } },
		{ "maps/[0]", 2, NULL, { "expected a map name", "column 6" } },
		{ "maps/ktsnap_tasks[comm=\"x]", 2, NULL, { "unterminated string" } },
		{ "maps/ktsnap_tasks", 2, NULL, { "expected '['" } },
		{ "1abc", 2, NULL, { "column 1" } },
		{ "nr_cpus_onln junk", 2, NULL, { "unexpected ' '", "column 13" } },
	};
	struct run r;

	SKIP_UNLESS_LOADED();
	snprintf(pcpu, sizeof(pcpu), "%d\n", 100 * 2 + 1 + 1);
	snprintf(balance, sizeof(balance), "%d\n", -(2 * 10 + 1));
	snprintf(pcpuh, sizeof(pcpuh), "%d\n", 11 * 100 + 1);
	if (self->nr_cpus < 2)
		SKIP(return, "per-CPU queries need 2 possible CPUs");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct query_case *c = &cases[i];

		ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "query", self->dump,
				 (char *)c->expr));
		EXPECT_EQ(c->status, r.status) TH_LOG("%s: out '%s' err '%s'", c->expr, r.out,
						      r.err);
		if (c->status == 0)
			EXPECT_STREQ(c->out, r.out) TH_LOG("%s", c->expr);
		for (size_t k = 0; k < 3 && c->err[k]; k++) {
			EXPECT_NE(NULL, strstr(r.err, c->err[k]))
				TH_LOG("%s: no '%s' in '%s'", c->expr, c->err[k], r.err);
		}
		run_free(&r);
	}
}

/* A report that is not one: a clear error naming the file, exit 1. */
TEST_F(snap, corrupt_report)
{
	static const char *const docs[] = {
		"{ \"schema\": \"ktstr.dump/1\", \"maps\": [ { \"name\": ",
		"{ \"schema\": \"something/9\" }",
		"[1, 2, 3]",
		"",
	};
	char path[64];
	struct run r;

	SKIP_UNLESS_LOADED();
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		int fd = tmpfile_fd(path);

		ASSERT_LE(0, fd);
		ASSERT_EQ((ssize_t)strlen(docs[i]), write(fd, docs[i], strlen(docs[i])));
		close(fd);
		ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "query", path, "x"));
		EXPECT_EQ(1, r.status) TH_LOG("doc %zu", i);
		EXPECT_NE(NULL, strstr(r.err, path)) TH_LOG("doc %zu: %s", i, r.err);
		EXPECT_STREQ("", r.out);
		run_free(&r);
		ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "show", path));
		EXPECT_EQ(1, r.status) TH_LOG("doc %zu", i);
		run_free(&r);
		unlink(path);
	}
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "show", "/nonexistent/x.json"));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "/nonexistent/x.json"));
	run_free(&r);
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "snap", "query", self->dump));
	EXPECT_EQ(2, r.status);
	run_free(&r);
}

TEST_F(snap, btf_render)
{
	const struct btf *btf;
	struct task_ctx t = task_value(0);
	struct ktstr_value *v;
	char data[64], *tree = NULL;
	size_t tree_len = 0;
	json_error_t je;
	uint32_t u = 0x12345678;
	json_t *j;
	struct run r;
	FILE *mem;
	int fd, id;

	SKIP_UNLESS_LOADED();
	fd = tmpfile_fd(data);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(t), write(fd, &t, sizeof(t)));

	/* The CLI prints what the library renders, and that holds the values written. */
	btf = bpf_object__btf(self->obj);
	id = ktstr_btf__find_type(btf, "task_ctx");
	ASSERT_LT(0, id);
	v = ktstr_btf__render(btf, id, &t, sizeof(t), NULL);
	ASSERT_NE(NULL, v);
	mem = open_memstream(&tree, &tree_len);
	ASSERT_EQ(0, ktstr_value__print_tree(v, mem, 0));
	fclose(mem);
	ktstr_value__free(v);

	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "btf", "render", "--btf",
			 (char *)in_dir("snap_maps.bpf.o"), "--type", "struct task_ctx",
			 "--data", data));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	EXPECT_STREQ(tree, r.out);
	EXPECT_NE(NULL, strstr(r.out, "comm: \"hello\""));
	EXPECT_NE(NULL, strstr(r.out, "state: TASK_RUNNING"));
	EXPECT_NE(NULL, strstr(r.out, "prio: 17"));
	EXPECT_NE(NULL, strstr(r.out, "runtime_ns: 5000"));
	run_free(&r);
	free(tree);

	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "btf", "render", "--json", "--btf",
			 (char *)in_dir("snap_maps.bpf.o"), "--type", "task_ctx", "--data", data));
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
	j = json_loads(r.out, 0, &je);
	EXPECT_NE(NULL, j) TH_LOG("not JSON: %s: %s", je.text, r.out);
	EXPECT_NE(NULL, strstr(r.out, "\"hello\""));
	json_decref(j);
	run_free(&r);

	/* A raw BTF blob: the kernel's own. */
	ASSERT_EQ(0, ftruncate(fd, 0));
	ASSERT_EQ(sizeof(u), pwrite(fd, &u, sizeof(u), 0));
	if (!access("/sys/kernel/btf/vmlinux", R_OK)) {
		ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "btf", "render", "--btf",
				 "/sys/kernel/btf/vmlinux", "--type", "u32", "--data", data));
		EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
		EXPECT_STREQ("305419896\n", r.out);
		run_free(&r);
	}

	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "btf", "render", "--btf",
			 (char *)in_dir("snap_maps.bpf.o"), "--type", "nosuch_type",
			 "--data", data));
	EXPECT_EQ(1, r.status);
	EXPECT_NE(NULL, strstr(r.err, "nosuch_type")) TH_LOG("%s", r.err);
	run_free(&r);
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "btf", "render", "--btf", data,
			 "--type", "u32", "--data", data));
	EXPECT_EQ(1, r.status);
	run_free(&r);
	ASSERT_EQ(0, run(&r, (char *)in_dir("ktstr"), "btf", "render", "--type", "u32"));
	EXPECT_EQ(2, r.status);
	run_free(&r);
	close(fd);
	unlink(data);
}

TEST_HARNESS_MAIN
