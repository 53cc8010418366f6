// SPDX-License-Identifier: GPL-2.0
/*
 * Live capture of this machine's BPF maps into a dump report, through
 * bpf(2) (libbpf's low-level wrappers) and each map's BTF.
 *
 * Every map read stays in the report; what could not be read or rendered
 * is said in the map's error, never left out silently. Entry counts are
 * capped so a huge or churning map cannot run the capture forever.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <ktstr/btf_render.h>
#include <ktstr/host_capture.h>

#define DEFAULT_MAX_ENTRIES	(1u << 20)

/* A map's BTF, loaded once per capture: an object's maps share theirs. */
struct btf_slot {
	uint32_t id;
	struct btf *btf;	/* NULL: loading failed with err */
	int err;
};

struct capture_ctx {
	struct btf_slot *btfs;
	size_t nr_btfs;
	struct btf *vmlinux;	/* the base of split (module) BTF */
	int vmlinux_err;	/* 0: not tried yet or loaded */
	int nr_cpus;		/* possible CPUs; 0 until a per-CPU map needs it */
};

static void ctx_free(struct capture_ctx *c)
{
	for (size_t i = 0; i < c->nr_btfs; i++)
		btf__free(c->btfs[i].btf);
	free(c->btfs);
	btf__free(c->vmlinux);
}

/* Append to the map's error, "; "-separated: a map can fail more than one way. */
static int map_error(struct ktstr_dump_map *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int map_error(struct ktstr_dump_map *m, const char *fmt, ...)
{
	char *msg, *joined;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (!m->error) {
		m->error = msg;
		return 0;
	}
	n = asprintf(&joined, "%s; %s", m->error, msg);
	free(msg);
	if (n < 0)
		return -ENOMEM;
	free(m->error);
	m->error = joined;
	return 0;
}

static const char *map_type_str(uint32_t type)
{
	const char *s = libbpf_bpf_map_type_str(type);

	return s ? s : "unknown";
}

static struct btf *vmlinux_btf(struct capture_ctx *c, int *err)
{
	if (!c->vmlinux && !c->vmlinux_err) {
		c->vmlinux = btf__load_vmlinux_btf();
		if (!c->vmlinux)
			c->vmlinux_err = errno ? -errno : -ENOENT;
	}
	*err = c->vmlinux_err;
	return c->vmlinux;
}

/*
 * The BTF object @id. A kernel module's BTF is split BTF on top of
 * vmlinux's and cannot be parsed alone; a BPF object's is whole.
 */
static struct btf *load_btf(struct capture_ctx *c, uint32_t id, int *err)
{
	struct bpf_btf_info info;
	uint32_t len = sizeof(info);
	struct btf_slot *slots;
	struct btf *btf = NULL, *base;
	char name[64] = "";
	int fd, e = 0;

	for (size_t i = 0; i < c->nr_btfs; i++) {
		if (c->btfs[i].id == id) {
			*err = c->btfs[i].err;
			return c->btfs[i].btf;
		}
	}

	fd = bpf_btf_get_fd_by_id(id);
	if (fd < 0) {
		e = fd;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.name = (uintptr_t)name;
	info.name_len = sizeof(name);
	e = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (e)
		goto out;
	name[sizeof(name) - 1] = '\0';
	if (info.kernel_btf && strcmp(name, "vmlinux")) {
		base = vmlinux_btf(c, &e);
		if (!base)
			goto out;
		btf = btf__load_from_kernel_by_id_split(id, base);
	} else {
		btf = btf__load_from_kernel_by_id(id);
	}
	if (!btf)
		e = errno ? -errno : -EINVAL;
out:
	slots = realloc(c->btfs, (c->nr_btfs + 1) * sizeof(*slots));
	if (!slots) {
		btf__free(btf);
		*err = -ENOMEM;
		return NULL;
	}
	c->btfs = slots;
	slots[c->nr_btfs++] = (struct btf_slot){ .id = id, .btf = btf, .err = e };
	*err = e;
	return btf;
}

static char *to_hex(const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = data;
	char *s = malloc(len * 2 + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0xf];
	}
	s[len * 2] = '\0';
	return s;
}

static struct ktstr_value *bytes_value(const void *data, size_t len)
{
	struct ktstr_value *v = ktstr_value__new(KTSTR_VALUE_BYTES, NULL);

	if (!v)
		return NULL;
	v->bytes.data = malloc(len ? len : 1);
	if (!v->bytes.data) {
		ktstr_value__free(v);
		return NULL;
	}
	memcpy(v->bytes.data, data, len);
	v->bytes.len = len;
	return v;
}

/* How one map's keys and values are typed; btf NULL: hex only. */
struct map_types {
	const struct btf *btf;
	uint32_t key_type_id;
	uint32_t value_type_id;
	/* Roots that came back as ERROR nodes: counted, the first one told. */
	size_t nr_render_failed;
	char *first_render_error;
};

/*
 * Render @len bytes as @type_id. *out is NULL when there is no BTF for
 * it (the caller keeps hex, or bytes); -ENOMEM only on allocation failure.
 */
static int render(struct map_types *t, uint32_t type_id, const void *data, size_t len,
		  struct ktstr_value **out)
{
	struct ktstr_value *v;

	*out = NULL;
	if (!t->btf || !type_id)
		return 0;
	v = ktstr_btf__render(t->btf, type_id, data, len, NULL);
	if (!v)
		return -ENOMEM;
	if (v->kind == KTSTR_VALUE_ERROR && t->nr_render_failed++ == 0)
		t->first_render_error = strdup(v->error.msg ? v->error.msg : "?");
	*out = v;
	return 0;
}

/* A value with no hex beside it (sections, per-CPU slots): bytes without BTF. */
static int render_or_bytes(struct map_types *t, const void *data, size_t len,
			   struct ktstr_value **out)
{
	int err = render(t, t->value_type_id, data, len, out);

	if (err || *out)
		return err;
	*out = bytes_value(data, len);
	return *out ? 0 : -ENOMEM;
}

static int capture_value(int fd, const struct bpf_map_info *info, struct map_types *t,
			 struct ktstr_dump_map *m)
{
	uint32_t zero = 0;
	void *val;
	int err;

	if (info->key_size != sizeof(zero))
		return map_error(m, "a one-value map with a %u-byte key is not captured",
				 info->key_size);
	val = calloc(1, info->value_size ? info->value_size : 1);
	if (!val)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &zero, val);
	if (err)
		err = map_error(m, "lookup of entry 0: %s", strerror(-err));
	else
		err = render_or_bytes(t, val, info->value_size, &m->value);
	free(val);
	return err;
}

static int add_entry(struct ktstr_dump_map *m, struct map_types *t, const void *key,
		     size_t key_size, const void *val, size_t value_size)
{
	struct ktstr_dump_entry *ents, *e;
	int err;

	ents = realloc(m->entries, (m->nr_entries + 1) * sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	m->entries = ents;
	e = &ents[m->nr_entries];
	memset(e, 0, sizeof(*e));
	/* Counted now, so a half-built entry is freed with the report. */
	m->nr_entries++;
	e->key_hex = to_hex(key, key_size);
	e->value_hex = to_hex(val, value_size);
	if (!e->key_hex || !e->value_hex)
		return -ENOMEM;
	err = render(t, t->key_type_id, key, key_size, &e->key);
	if (!err)
		err = render(t, t->value_type_id, val, value_size, &e->value);
	return err;
}

/* One value per possible CPU, round_up(value_size, 8) apart as bpf(2) lays them out. */
static int split_percpu(struct map_types *t, const uint8_t *vals, size_t value_size,
			int nr_cpus, struct ktstr_value ***out)
{
	size_t stride = (value_size + 7) & ~(size_t)7;
	struct ktstr_value **per_cpu;
	int err;

	per_cpu = calloc(nr_cpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	*out = per_cpu;
	for (int c = 0; c < nr_cpus; c++) {
		err = render_or_bytes(t, vals + c * stride, value_size, &per_cpu[c]);
		if (err)
			return err;
	}
	return 0;
}

static int add_percpu_entry(struct ktstr_dump_map *m, struct map_types *t, uint32_t key,
			    const void *vals, size_t value_size, int nr_cpus)
{
	struct ktstr_dump_percpu_entry *ents, *e;

	ents = realloc(m->percpu_entries, (m->nr_percpu_entries + 1) * sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	m->percpu_entries = ents;
	e = &ents[m->nr_percpu_entries++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->nr_cpus = nr_cpus;
	return split_percpu(t, vals, value_size, nr_cpus, &e->per_cpu);
}

static int add_percpu_hash_entry(struct ktstr_dump_map *m, struct map_types *t,
				 const void *key, size_t key_size, const void *vals,
				 size_t value_size, int nr_cpus)
{
	struct ktstr_dump_percpu_hash_entry *ents, *e;
	int err;

	ents = realloc(m->percpu_hash_entries,
		       (m->nr_percpu_hash_entries + 1) * sizeof(*ents));
	if (!ents)
		return -ENOMEM;
	m->percpu_hash_entries = ents;
	e = &ents[m->nr_percpu_hash_entries++];
	memset(e, 0, sizeof(*e));
	e->key_hex = to_hex(key, key_size);
	if (!e->key_hex)
		return -ENOMEM;
	err = render(t, t->key_type_id, key, key_size, &e->key);
	if (err)
		return err;
	e->nr_cpus = nr_cpus;
	return split_percpu(t, vals, value_size, nr_cpus, &e->per_cpu);
}

static int cap_error(struct ktstr_dump_map *m, size_t cap)
{
	return map_error(m, "stopped after %zu entries (the capture's max_entries cap)", cap);
}

/* ARRAY and PERCPU_ARRAY: indexes 0..max_entries-1, in order. */
static int capture_array(int fd, const struct bpf_map_info *info, struct map_types *t,
			 struct ktstr_dump_map *m, size_t cap, int nr_cpus)
{
	bool percpu = nr_cpus > 0;
	size_t stride = (info->value_size + 7) & ~(size_t)7;
	size_t buf_len = percpu ? stride * nr_cpus : info->value_size;
	uint32_t i, n = info->max_entries;
	void *val;
	int err = 0;

	if (info->key_size != sizeof(uint32_t))
		return map_error(m, "an array with a %u-byte key is not captured", info->key_size);
	val = calloc(1, buf_len ? buf_len : 1);
	if (!val)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		if (i == cap) {
			err = cap_error(m, cap);
			break;
		}
		err = bpf_map_lookup_elem(fd, &i, val);
		if (err) {
			err = map_error(m, "lookup of index %u: %s", i, strerror(-err));
			break;
		}
		if (percpu)
			err = add_percpu_entry(m, t, i, val, info->value_size, nr_cpus);
		else
			err = add_entry(m, t, &i, sizeof(i), val, info->value_size);
	}
	free(val);
	return err;
}

/* Hashes, walked with get_next_key; entries deleted meanwhile are skipped. */
static int capture_hash(int fd, const struct bpf_map_info *info, struct map_types *t,
			struct ktstr_dump_map *m, size_t cap, int nr_cpus)
{
	bool percpu = nr_cpus > 0;
	size_t stride = (info->value_size + 7) & ~(size_t)7;
	size_t buf_len = percpu ? stride * nr_cpus : info->value_size;
	/*
	 * A key deleted between two get_next_key calls makes the kernel
	 * restart from the first key: bound the walk so churn cannot keep
	 * it going, and say so when it stops for that.
	 */
	size_t steps = 0, max_steps = cap + (size_t)info->max_entries + 1;
	void *key, *next, *val;
	bool have_key = false;
	size_t n = 0;
	int err = 0;

	key = calloc(1, info->key_size ? info->key_size : 1);
	next = calloc(1, info->key_size ? info->key_size : 1);
	val = calloc(1, buf_len ? buf_len : 1);
	if (!key || !next || !val) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		err = bpf_map_get_next_key(fd, have_key ? key : NULL, next);
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		if (err) {
			err = map_error(m, "walking the keys: %s", strerror(-err));
			break;
		}
		if (n == cap) {
			err = cap_error(m, cap);
			break;
		}
		if (++steps > max_steps) {
			err = map_error(m, "stopped after %zu steps: the map kept changing",
					steps - 1);
			break;
		}
		memcpy(key, next, info->key_size);
		have_key = true;
		err = bpf_map_lookup_elem(fd, key, val);
		if (err == -ENOENT)
			continue;
		if (err) {
			err = map_error(m, "lookup: %s", strerror(-err));
			break;
		}
		if (percpu)
			err = add_percpu_hash_entry(m, t, key, info->key_size, val,
						    info->value_size, nr_cpus);
		else
			err = add_entry(m, t, key, info->key_size, val, info->value_size);
		if (err)
			break;
		n++;
	}
out:
	free(key);
	free(next);
	free(val);
	return err;
}

static int possible_cpus(struct capture_ctx *c, struct ktstr_dump_map *m)
{
	if (!c->nr_cpus) {
		int n = libbpf_num_possible_cpus();

		if (n <= 0) {
			map_error(m, "cannot tell the number of possible CPUs: %s",
				  strerror(n < 0 ? -n : EINVAL));
			return 0;
		}
		c->nr_cpus = n;
	}
	return c->nr_cpus;
}

static bool type_is_datasec(const struct btf *btf, uint32_t id)
{
	const struct btf_type *bt = btf && id ? btf__type_by_id(btf, id) : NULL;

	return bt && btf_is_datasec(bt);
}

static int capture_contents(struct capture_ctx *c, int fd, const struct bpf_map_info *info,
			    struct ktstr_dump_map *m, size_t cap)
{
	struct map_types t = { 0 };
	int nr_cpus, err = 0;
	struct btf *btf = NULL;

	if (info->btf_id) {
		btf = load_btf(c, info->btf_id, &err);
		if (err == -ENOMEM)
			return err;
		if (!btf) {
			err = map_error(m, "BTF %u did not load (%s): hex only", info->btf_id,
					strerror(-err));
			if (err)
				return err;
		}
	}
	t.btf = btf;
	t.key_type_id = info->btf_key_type_id;
	t.value_type_id = info->btf_value_type_id;

	switch (info->type) {
	case BPF_MAP_TYPE_ARRAY:
		/* Global sections and one-entry arrays are a single value. */
		if (type_is_datasec(btf, t.value_type_id) || info->max_entries == 1)
			err = capture_value(fd, info, &t, m);
		else
			err = capture_array(fd, info, &t, m, cap, 0);
		break;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
		err = capture_hash(fd, info, &t, m, cap, 0);
		break;
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		nr_cpus = possible_cpus(c, m);
		if (nr_cpus)
			err = capture_array(fd, info, &t, m, cap, nr_cpus);
		break;
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		nr_cpus = possible_cpus(c, m);
		if (nr_cpus)
			err = capture_hash(fd, info, &t, m, cap, nr_cpus);
		break;
	default:
		err = map_error(m, "the contents of %s maps are not captured",
				map_type_str(info->type));
		break;
	}
	if (!err && t.nr_render_failed)
		err = map_error(m, "%zu value%s did not render (first: %s)", t.nr_render_failed,
				t.nr_render_failed == 1 ? "" : "s",
				t.first_render_error ? t.first_render_error : "?");
	free(t.first_render_error);
	return err;
}

static void fill_info(struct ktstr_dump_map *m, const struct bpf_map_info *info)
{
	m->id = info->id;
	m->type = info->type;
	m->key_size = info->key_size;
	m->value_size = info->value_size;
	m->max_entries = info->max_entries;
	/*
	 * bpf(2) never tells the map's kernel address (struct bpf_map_info
	 * has no such field, by design): kva stays 0, "unknown".
	 */
	m->kva = 0;
}

static int map_info(int fd, struct bpf_map_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len);
}

int ktstr_host__capture_map_fd(int map_fd, struct ktstr_dump_map *m, size_t max_entries)
{
	struct capture_ctx c = { 0 };
	struct bpf_map_info info;
	int err;

	if (map_fd < 0 || !m)
		return -EINVAL;
	err = map_info(map_fd, &info);
	if (err)
		return err;
	fill_info(m, &info);
	if (!max_entries)
		max_entries = DEFAULT_MAX_ENTRIES;
	err = capture_contents(&c, map_fd, &info, m, max_entries);
	ctx_free(&c);
	return err;
}

/* An option a caller built against an older, shorter struct did not set. */
#define OPT(opts, field, def)							\
	((opts) && (opts)->sz >= offsetof(typeof(*(opts)), field) +		\
				 sizeof((opts)->field) ? (opts)->field : (def))

static bool wanted(const struct bpf_map_info *info, const uint32_t *ids, size_t nr_ids,
		   const char *const *names, size_t nr_names, bool *id_hit, bool *name_hit)
{
	bool hit = !nr_ids && !nr_names;

	for (size_t i = 0; i < nr_ids; i++) {
		if (ids[i] == info->id) {
			id_hit[i] = true;
			hit = true;
		}
	}
	for (size_t i = 0; i < nr_names; i++) {
		if (names[i] && !strncmp(names[i], info->name, sizeof(info->name))) {
			name_hit[i] = true;
			hit = true;
		}
	}
	return hit;
}

int ktstr_host__capture(const struct ktstr_host_capture_opts *opts,
			struct ktstr_dump_report **out)
{
	const uint32_t *ids = OPT(opts, ids, NULL);
	size_t nr_ids = OPT(opts, nr_ids, 0);
	const char *const *names = OPT(opts, names, NULL);
	size_t nr_names = OPT(opts, nr_names, 0);
	size_t cap = OPT(opts, max_entries, 0);
	struct capture_ctx c = { 0 };
	struct ktstr_dump_report *r;
	struct bpf_map_info info;
	struct ktstr_dump_map *m;
	bool *id_hit, *name_hit;
	uint32_t id = 0;
	int fd, err;

	if (!out || (nr_ids && !ids) || (nr_names && !names))
		return -EINVAL;
	*out = NULL;
	if (!cap)
		cap = DEFAULT_MAX_ENTRIES;

	r = ktstr_dump__new();
	id_hit = calloc(nr_ids + 1, sizeof(*id_hit));
	name_hit = calloc(nr_names + 1, sizeof(*name_hit));
	if (!r || !id_hit || !name_hit) {
		err = -ENOMEM;
		goto fail;
	}

	for (;;) {
		err = bpf_map_get_next_id(id, &id);
		if (err == -ENOENT)
			break;
		if (err)
			goto fail;	/* -EPERM without CAP_SYS_ADMIN */
		fd = bpf_map_get_fd_by_id(id);
		if (fd == -ENOENT)
			continue;	/* freed since get_next_id */
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		err = map_info(fd, &info);
		if (err) {
			close(fd);
			goto fail;
		}
		if (!wanted(&info, ids, nr_ids, names, nr_names, id_hit, name_hit)) {
			close(fd);
			continue;
		}
		m = ktstr_dump__add_map(r, info.name);
		if (!m) {
			close(fd);
			err = -ENOMEM;
			goto fail;
		}
		fill_info(m, &info);
		err = capture_contents(&c, fd, &info, m, cap);
		close(fd);
		if (err)
			goto fail;
	}

	err = -ENOENT;
	for (size_t i = 0; i < nr_ids; i++)
		if (!id_hit[i])
			goto fail;
	for (size_t i = 0; i < nr_names; i++)
		if (!name_hit[i])
			goto fail;
	free(id_hit);
	free(name_hit);
	ctx_free(&c);
	*out = r;
	return 0;
fail:
	free(id_hit);
	free(name_hit);
	ctx_free(&c);
	ktstr_dump__free(r);
	return err;
}
