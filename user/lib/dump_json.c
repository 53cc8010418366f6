// SPDX-License-Identifier: GPL-2.0
/*
 * The dump report as JSON: schema "ktstr.dump/1".
 *
 * ktstr_dump__save() and ktstr_dump__to_json() write it; ktstr_dump__load()
 * and ktstr_dump__from_json() read it back exactly (ktstr_dump__equal()).
 * People read these files, so the writer indents by two spaces and puts
 * any object or array that fits in 100 columns on one line.
 *
 * Conventions
 *
 *   - A reader takes fields in any order but rejects a field it does not
 *     know: a misspelt field is an error, not silently lost data. The
 *     writer's order is fixed, so saving a loaded report gives the same
 *     bytes.
 *   - Optional fields are left out when empty (no text, an empty list, no
 *     value); a reader takes a missing or null optional field as empty.
 *   - u64: a JSON integer up to 2^63-1, above that a string of decimal
 *     digits ("18446744073709551615"); jansson's integers are signed
 *     64-bit. u32: an integer.
 *   - address (kva, pointers): a string, "0x" and lowercase hex digits.
 *   - text: a JSON string when the bytes are UTF-8, else {"hex": "..."}
 *     with the bytes in hex (names and text read out of a guest can be
 *     anything).
 *   - hex: raw bytes as a string of lowercase hex digits, two per byte.
 *
 * The report
 *
 *   {
 *     "schema": "ktstr.dump/1",                  required, exactly this
 *     "is_placeholder": bool,                    required
 *     "placeholder_reason": text,                why the capture failed
 *     "maps": [map, ...],                        required
 *     "active_obj_name": text,                   the live scheduler's object
 *     "active_map_kvas": [address, ...],         and its maps
 *     "per_cpu_time": [cpu_time, ...],
 *     "per_cpu_time_unavailable": text,
 *     "event_counter_timeline": [sample, ...],
 *     "event_counters_unavailable": text
 *   }
 *
 *   map: {
 *     "name": text, "id": u32,                   all six required
 *     "type": libbpf's name of the bpf_map_type ("hash", "percpu_array"),
 *             or its number when libbpf has no name for it,
 *     "key_size": u32, "value_size": u32, "max_entries": u32,
 *     "kva": address,                            required
 *     "error": text,                             what could not be captured
 *     "value": value,                            globals, one-entry arrays
 *     "entries": [{"key": value, "key_hex": hex,
 *                  "value": value, "value_hex": hex}, ...],
 *     "percpu_entries": [{"key": u32, "per_cpu": [value or null, ...]}, ...],
 *     "percpu_hash_entries": [{"key": value, "key_hex": hex,
 *                              "per_cpu": [value or null, ...]}, ...]
 *   }
 *   An entry's "key" and "value" are left out when there was no BTF for
 *   them; "key_hex", "value_hex" and "per_cpu" are required. A null
 *   per_cpu slot was not captured.
 *
 *   cpu_time: {"cpu": u32, "user_ns", "nice_ns", "system_ns", "idle_ns",
 *              "iowait_ns", "irq_ns", "softirq_ns", "steal_ns": u64}, all required
 *   sample: {"elapsed_ms": u64, "counters": {"SCX_EV_...": u64, ...}}, both
 *           required; counters keep their order, and their names must be
 *           unique and UTF-8 (the writer fails with EINVAL otherwise)
 *
 * A value (value.h)
 *
 *   {"kind": kind, "type": text (the C type, as BTF names it),
 *    "bits": u32 (left out when 0), then by kind:}
 *
 *   int, char       "value": integer
 *   uint            "value": u64
 *   bool            "value": true or false
 *   float           "float_bits": u32 (32, 64), "value": a number written
 *                   with 17 significant digits (reads back to the same
 *                   bits, -0.0 too), or "inf", "-inf", or "nan:0x" and the
 *                   double's 16 hex digits (a NaN keeps sign and payload)
 *   enum            "signed": bool, "value": integer (unsigned: u64),
 *                   "name": text (left out when no variant has the value)
 *   string          "size": the char array's bytes (at most 2^32-1),
 *                   "value": text, no longer than size (left out: none)
 *   bytes           "value": hex
 *   ptr             "addr": address, "note": text (why it was not
 *                   followed), "target": value (the pointee, when read)
 *   struct, union   "members": [{"name": text ("" when anonymous),
 *                                "bit_offset": u32,
 *                                "bitfield_size": u32 (bitfields only),
 *                                "value": value or null}, ...]
 *   array           "elems": [value or null, ...]
 *   error           "message": text
 *
 *   Values nest at most 256 deep (a member, an element, a pointer's
 *   target: one level each); a deeper report cannot be saved (EINVAL).
 *
 * Loading treats the document as hostile: anything not as above fails
 * with -EINVAL and a message naming where, "maps[3].entries[7].key:
 * expected a value object or null, found a string", or for a syntax error
 * jansson's "line 4, column 12: ..." message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include <ktstr/dump.h>

#include "value_json.h"

/* A file larger than this is not a report ktstr wrote. */
#define DUMP_FILE_MAX	(1ull << 30)
/* Columns an inline object or array may reach. */
#define PRETTY_WIDTH	100

/* Writing */

static int set(json_t *o, const char *key, json_t *v)
{
	/* json_object_set_new() drops @v on failure, and fails on NULL. */
	return json_object_set_new_nocheck(o, key, v) ? -ENOMEM : 0;
}

static int set_str(json_t *o, const char *key, const char *s)
{
	return s ? set(o, key, ktstr_json_str(s)) : 0;
}

static int set_value(json_t *o, const char *key, const struct ktstr_value *v)
{
	json_t *j;

	if (!v)
		return 0;
	j = ktstr_value__to_json(v);
	if (!j)
		return -errno;
	return set(o, key, j);
}

/* A fresh array under @key of @o, or NULL. */
static json_t *set_array(json_t *o, const char *key)
{
	json_t *a = json_array();

	return set(o, key, a) ? NULL : a;
}

static int append(json_t *arr, json_t *v)
{
	return json_array_append_new(arr, v) ? -ENOMEM : 0;
}

static int per_cpu_to_json(json_t *o, struct ktstr_value **per_cpu, size_t nr)
{
	json_t *arr = set_array(o, "per_cpu"), *j;
	size_t i;

	if (!arr)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		j = ktstr_value__to_json(per_cpu[i]);
		if (!j)
			return -errno;
		if (append(arr, j))
			return -ENOMEM;
	}
	return 0;
}

static json_t *map_type_json(uint32_t type)
{
	const char *name = libbpf_bpf_map_type_str(type);

	return name ? json_string(name) : json_integer(type);
}

static int entries_to_json(json_t *o, const struct ktstr_dump_map *m)
{
	json_t *arr, *e;
	size_t i;
	int err;

	if (!m->nr_entries)
		return 0;
	arr = set_array(o, "entries");
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < m->nr_entries; i++) {
		const struct ktstr_dump_entry *en = &m->entries[i];

		e = json_object();
		if (append(arr, e))
			return -ENOMEM;
		err = set_value(e, "key", en->key) ?:
		      set(e, "key_hex", ktstr_json_str(en->key_hex ? en->key_hex : "")) ?:
		      set_value(e, "value", en->value) ?:
		      set(e, "value_hex", ktstr_json_str(en->value_hex ? en->value_hex : ""));
		if (err)
			return err;
	}
	return 0;
}

static int percpu_to_json(json_t *o, const struct ktstr_dump_map *m)
{
	json_t *arr, *e;
	size_t i;
	int err;

	if (m->nr_percpu_entries) {
		arr = set_array(o, "percpu_entries");
		if (!arr)
			return -ENOMEM;
		for (i = 0; i < m->nr_percpu_entries; i++) {
			const struct ktstr_dump_percpu_entry *pe = &m->percpu_entries[i];

			e = json_object();
			err = append(arr, e) ?:
			      set(e, "key", json_integer(pe->key)) ?:
			      per_cpu_to_json(e, pe->per_cpu, pe->nr_cpus);
			if (err)
				return err;
		}
	}
	if (m->nr_percpu_hash_entries) {
		arr = set_array(o, "percpu_hash_entries");
		if (!arr)
			return -ENOMEM;
		for (i = 0; i < m->nr_percpu_hash_entries; i++) {
			const struct ktstr_dump_percpu_hash_entry *pe = &m->percpu_hash_entries[i];

			e = json_object();
			err = append(arr, e) ?:
			      set_value(e, "key", pe->key) ?:
			      set(e, "key_hex", ktstr_json_str(pe->key_hex ? pe->key_hex : "")) ?:
			      per_cpu_to_json(e, pe->per_cpu, pe->nr_cpus);
			if (err)
				return err;
		}
	}
	return 0;
}

static int map_to_json(json_t *arr, const struct ktstr_dump_map *m)
{
	json_t *o = json_object();

	return append(arr, o) ?:
	       set(o, "name", ktstr_json_str(m->name ? m->name : "")) ?:
	       set(o, "id", json_integer(m->id)) ?:
	       set(o, "type", map_type_json(m->type)) ?:
	       set(o, "key_size", json_integer(m->key_size)) ?:
	       set(o, "value_size", json_integer(m->value_size)) ?:
	       set(o, "max_entries", json_integer(m->max_entries)) ?:
	       set(o, "kva", ktstr_json_addr(m->kva)) ?:
	       set_str(o, "error", m->error) ?:
	       set_value(o, "value", m->value) ?:
	       entries_to_json(o, m) ?:
	       percpu_to_json(o, m);
}

static int cpu_time_to_json(json_t *arr, const struct ktstr_dump_cpu_time *t)
{
	json_t *o = json_object();

	return append(arr, o) ?:
	       set(o, "cpu", json_integer(t->cpu)) ?:
	       set(o, "user_ns", ktstr_json_u64(t->user_ns)) ?:
	       set(o, "nice_ns", ktstr_json_u64(t->nice_ns)) ?:
	       set(o, "system_ns", ktstr_json_u64(t->system_ns)) ?:
	       set(o, "idle_ns", ktstr_json_u64(t->idle_ns)) ?:
	       set(o, "iowait_ns", ktstr_json_u64(t->iowait_ns)) ?:
	       set(o, "irq_ns", ktstr_json_u64(t->irq_ns)) ?:
	       set(o, "softirq_ns", ktstr_json_u64(t->softirq_ns)) ?:
	       set(o, "steal_ns", ktstr_json_u64(t->steal_ns));
}

static int sample_to_json(json_t *arr, const struct ktstr_dump_event_sample *s)
{
	json_t *o = json_object(), *counters, *v;
	size_t i;
	int err;

	err = append(arr, o) ?: set(o, "elapsed_ms", ktstr_json_u64(s->elapsed_ms));
	if (err)
		return err;
	counters = json_object();
	if (set(o, "counters", counters))
		return -ENOMEM;
	for (i = 0; i < s->nr_counters; i++) {
		const char *name = s->counters[i].name ? s->counters[i].name : "";

		/* Object keys: a second counter of a name would replace the first. */
		if (json_object_get(counters, name))
			return -EINVAL;
		v = ktstr_json_u64(s->counters[i].value);
		if (!v)
			return -ENOMEM;
		/* Checks UTF-8, which is what fails here short of memory. */
		if (json_object_set_new(counters, name, v))
			return -EINVAL;
	}
	return 0;
}

#define FOR_EACH_TO_JSON(o, key, arr, nr, fn) ({				\
	json_t *__a = (nr) ? set_array(o, key) : NULL;				\
	int __err = (nr) && !__a ? -ENOMEM : 0;					\
	for (size_t __i = 0; !__err && __i < (nr); __i++)			\
		__err = fn(__a, &(arr)[__i]);					\
	__err;									\
})

static json_t *report_to_json(const struct ktstr_dump_report *r, int *err)
{
	json_t *o = json_object(), *kvas = NULL;
	size_t i;

	*err = set(o, "schema", json_string(KTSTR_DUMP_SCHEMA)) ?:
	       set(o, "is_placeholder", json_boolean(r->is_placeholder)) ?:
	       set_str(o, "placeholder_reason", r->placeholder_reason) ?:
	       (set_array(o, "maps") ? 0 : -ENOMEM);
	for (i = 0; !*err && i < r->nr_maps; i++)
		*err = map_to_json(json_object_get(o, "maps"), &r->maps[i]);
	if (!*err)
		*err = set_str(o, "active_obj_name", r->active_obj_name);
	if (!*err && r->nr_active_map_kvas && !(kvas = set_array(o, "active_map_kvas")))
		*err = -ENOMEM;
	for (i = 0; !*err && i < r->nr_active_map_kvas; i++)
		*err = append(kvas, ktstr_json_addr(r->active_map_kvas[i]));
	if (!*err)
		*err = FOR_EACH_TO_JSON(o, "per_cpu_time", r->per_cpu_time,
					r->nr_per_cpu_time, cpu_time_to_json) ?:
		       set_str(o, "per_cpu_time_unavailable", r->per_cpu_time_unavailable) ?:
		       FOR_EACH_TO_JSON(o, "event_counter_timeline", r->event_counter_timeline,
					r->nr_event_counter_timeline, sample_to_json) ?:
		       set_str(o, "event_counters_unavailable", r->event_counters_unavailable);
	if (*err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The text. jansson indents every object and array, which puts each
 * member of a rendered struct on six lines; this writes whatever fits in
 * PRETTY_WIDTH columns on one line instead.
 */
struct pretty {
	char *s;
	size_t len, cap;
	bool fail;
};

static void put(struct pretty *p, const char *s, size_t n)
{
	char *ns;
	size_t cap;

	if (p->fail)
		return;
	if (p->len + n + 1 > p->cap) {
		for (cap = p->cap ? p->cap : 4096; cap < p->len + n + 1; cap *= 2)
			;
		ns = realloc(p->s, cap);
		if (!ns) {
			p->fail = true;
			return;
		}
		p->s = ns;
		p->cap = cap;
	}
	memcpy(p->s + p->len, s, n);
	p->len += n;
	p->s[p->len] = '\0';
}

static void put_json_string(struct pretty *p, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char esc[7];
	size_t i, run = 0;

	put(p, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char ch = s[i];

		if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f)
			continue;
		put(p, s + run, i - run);
		run = i + 1;
		if (ch == '"' || ch == '\\') {
			esc[0] = '\\';
			esc[1] = ch;
			put(p, esc, 2);
		} else if (ch == '\n') {
			put(p, "\\n", 2);
		} else if (ch == '\t') {
			put(p, "\\t", 2);
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = digits[ch >> 4];
			esc[5] = digits[ch & 0xf];
			put(p, esc, 6);
		}
	}
	put(p, s + run, n - run);
	put(p, "\"", 1);
}

static void put_scalar(struct pretty *p, const json_t *j)
{
	char buf[64];
	size_t n;

	switch (json_typeof(j)) {
	case JSON_STRING:
		put_json_string(p, json_string_value(j), json_string_length(j));
		return;
	case JSON_INTEGER:
		n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		put(p, buf, n);
		return;
	case JSON_REAL:
		/* jansson's own form: 17 digits read back exactly, ".0" kept. */
		n = json_dumpb(j, buf, sizeof(buf), JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
		if (!n || n >= sizeof(buf))
			p->fail = true;
		else
			put(p, buf, n);
		return;
	case JSON_TRUE:
		put(p, "true", 4);
		return;
	case JSON_FALSE:
		put(p, "false", 5);
		return;
	default:
		put(p, "null", 4);
		return;
	}
}

/* @j on one line; false once the line passes @limit (an offset in p->s). */
static bool put_inline(struct pretty *p, const json_t *j, size_t limit)
{
	const char *key;
	json_t *v;
	size_t i;
	bool first = true;

	if (json_is_object(j)) {
		put(p, "{", 1);
		json_object_foreach((json_t *)j, key, v) {
			if (!first)
				put(p, ", ", 2);
			first = false;
			put_json_string(p, key, strlen(key));
			put(p, ": ", 2);
			if (p->len > limit || !put_inline(p, v, limit))
				return false;
		}
		put(p, "}", 1);
	} else if (json_is_array(j)) {
		put(p, "[", 1);
		json_array_foreach(j, i, v) {
			if (i)
				put(p, ", ", 2);
			if (p->len > limit || !put_inline(p, v, limit))
				return false;
		}
		put(p, "]", 1);
	} else {
		put_scalar(p, j);
	}
	return p->len <= limit && !p->fail;
}

static void put_indent(struct pretty *p, int n)
{
	static const char spaces[] = "                                ";

	for (; n > 0; n -= sizeof(spaces) - 1)
		put(p, spaces, n < (int)sizeof(spaces) - 1 ? n : (int)sizeof(spaces) - 1);
}

static void put_pretty(struct pretty *p, const json_t *j, int indent, size_t line_start)
{
	size_t mark = p->len, line, i, n;
	void *it;

	if ((json_is_object(j) && json_object_size(j)) ||
	    (json_is_array(j) && json_array_size(j))) {
		/* One column kept for the comma after it. */
		if (put_inline(p, j, line_start + PRETTY_WIDTH - 1))
			return;
		p->len = mark;
	} else {
		put_inline(p, j, SIZE_MAX);
		return;
	}
	if (json_is_object(j)) {
		put(p, "{\n", 2);
		for (it = json_object_iter((json_t *)j); it; ) {
			const char *key = json_object_iter_key(it);

			line = p->len;
			put_indent(p, indent + 2);
			put_json_string(p, key, strlen(key));
			put(p, ": ", 2);
			put_pretty(p, json_object_iter_value(it), indent + 2, line);
			it = json_object_iter_next((json_t *)j, it);
			put(p, it ? ",\n" : "\n", it ? 2 : 1);
		}
		put_indent(p, indent);
		put(p, "}", 1);
	} else {
		put(p, "[\n", 2);
		n = json_array_size(j);
		for (i = 0; i < n; i++) {
			line = p->len;
			put_indent(p, indent + 2);
			put_pretty(p, json_array_get(j, i), indent + 2, line);
			put(p, i + 1 < n ? ",\n" : "\n", i + 1 < n ? 2 : 1);
		}
		put_indent(p, indent);
		put(p, "]", 1);
	}
}

char *ktstr_dump__to_json(const struct ktstr_dump_report *r)
{
	struct pretty p = { 0 };
	json_t *j;
	int err;

	j = report_to_json(r, &err);
	if (!j) {
		errno = -err;
		return NULL;
	}
	put_pretty(&p, j, 0, 0);
	json_decref(j);
	if (p.fail || !p.s) {
		free(p.s);
		errno = ENOMEM;
		return NULL;
	}
	return p.s;
}

int ktstr_dump__save(const struct ktstr_dump_report *r, const char *path)
{
	char *text = ktstr_dump__to_json(r);
	size_t len;
	FILE *f;
	int err = 0;

	if (!text)
		return -errno;
	f = fopen(path, "w");
	if (!f) {
		err = -errno;
		free(text);
		return err;
	}
	len = strlen(text);
	if (fwrite(text, 1, len, f) != len || fputc('\n', f) == EOF)
		err = -errno ?: -EIO;
	if (fclose(f) && !err)
		err = -errno ?: -EIO;
	free(text);
	return err;
}

/* Reading */

static const char *const report_fields[] = {
	"schema", "is_placeholder", "placeholder_reason", "maps", "active_obj_name",
	"active_map_kvas", "per_cpu_time", "per_cpu_time_unavailable",
	"event_counter_timeline", "event_counters_unavailable", NULL
};
static const char *const map_fields[] = {
	"name", "id", "type", "key_size", "value_size", "max_entries", "kva", "error",
	"value", "entries", "percpu_entries", "percpu_hash_entries", NULL
};
static const char *const entry_fields[] = { "key", "key_hex", "value", "value_hex", NULL };
static const char *const percpu_fields[] = { "key", "per_cpu", NULL };
static const char *const percpu_hash_fields[] = { "key", "key_hex", "per_cpu", NULL };
static const char *const cpu_time_fields[] = {
	"cpu", "user_ns", "nice_ns", "system_ns", "idle_ns", "iowait_ns", "irq_ns",
	"softirq_ns", "steal_ns", NULL
};
static const char *const sample_fields[] = { "elapsed_ms", "counters", NULL };

typedef int (*elem_fn)(struct ktstr_json_ctx *c, const json_t *j, void *elem);

/*
 * The array under @key into a zeroed array of @size-byte elements. *nr
 * is set before the elements are read, so that on error the report's
 * free() releases what was read, and the zeroed rest is nothing to free.
 */
static int list_of(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		   bool required, void **arr, size_t *nr, size_t size, elem_fn fn)
{
	size_t i, n, saved, saved_i;
	json_t *a, *e;
	int err;

	err = ktstr_json_get_array(c, obj, key, required, &a);
	if (err || !a || !(n = json_array_size(a)))
		return err;
	*arr = calloc(n, size);
	if (!*arr)
		return ktstr_json_oom(c);
	*nr = n;
	saved = ktstr_json_push_key(c, key);
	json_array_foreach(a, i, e) {
		saved_i = ktstr_json_push_index(c, i);
		err = fn(c, e, (char *)*arr + i * size);
		if (err)
			return err;
		ktstr_json_pop(c, saved_i);
	}
	ktstr_json_pop(c, saved);
	return 0;
}

static int value_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	return ktstr_value__from_json(c, j, true, elem);
}

static int addr_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	return ktstr_json_addr_of(c, j, elem);
}

/* An optional value field: left out (or null) means none. */
static int get_value(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		     struct ktstr_value **out)
{
	json_t *j;
	size_t saved;
	int err;

	err = ktstr_json_get(c, obj, key, false, &j);
	if (err || !j)
		return err;
	saved = ktstr_json_push_key(c, key);
	err = ktstr_value__from_json(c, j, false, out);
	ktstr_json_pop(c, saved);
	return err;
}

static int entry_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	struct ktstr_dump_entry *e = elem;

	return ktstr_json_check_object(c, j, entry_fields) ?:
	       get_value(c, j, "key", &e->key) ?:
	       ktstr_json_get_hex_str(c, j, "key_hex", &e->key_hex) ?:
	       get_value(c, j, "value", &e->value) ?:
	       ktstr_json_get_hex_str(c, j, "value_hex", &e->value_hex);
}

static int percpu_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	struct ktstr_dump_percpu_entry *e = elem;

	return ktstr_json_check_object(c, j, percpu_fields) ?:
	       ktstr_json_get_u32(c, j, "key", true, &e->key) ?:
	       list_of(c, j, "per_cpu", true, (void **)&e->per_cpu, &e->nr_cpus,
		       sizeof(*e->per_cpu), value_elem);
}

static int percpu_hash_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	struct ktstr_dump_percpu_hash_entry *e = elem;

	return ktstr_json_check_object(c, j, percpu_hash_fields) ?:
	       get_value(c, j, "key", &e->key) ?:
	       ktstr_json_get_hex_str(c, j, "key_hex", &e->key_hex) ?:
	       list_of(c, j, "per_cpu", true, (void **)&e->per_cpu, &e->nr_cpus,
		       sizeof(*e->per_cpu), value_elem);
}

static int map_type_of(struct ktstr_json_ctx *c, const json_t *obj, uint32_t *out)
{
	const char *name;
	json_t *j;
	char shown[40];
	size_t saved;
	uint32_t t;
	int err;

	err = ktstr_json_get(c, obj, "type", true, &j);
	if (err)
		return err;
	if (!json_is_string(j))
		return ktstr_json_get_u32(c, obj, "type", true, out);
	name = json_string_value(j);
	/* libbpf names every type it knows; the enum has no gaps. */
	for (t = 0; t < 1024 && libbpf_bpf_map_type_str(t); t++) {
		if (!strcmp(name, libbpf_bpf_map_type_str(t))) {
			*out = t;
			return 0;
		}
	}
	snprintf(shown, sizeof(shown), "%s", name);
	for (t = 0; shown[t]; t++)
		if (shown[t] < 0x20 || shown[t] >= 0x7f)
			shown[t] = '?';
	saved = ktstr_json_push_key(c, "type");
	err = ktstr_json_fail(c, "unknown map type '%s'", shown);
	ktstr_json_pop(c, saved);
	return err;
}

static int map_of(struct ktstr_json_ctx *c, const json_t *j, struct ktstr_dump_map *m)
{
	return ktstr_json_check_object(c, j, map_fields) ?:
	       ktstr_json_get_str(c, j, "name", true, &m->name) ?:
	       ktstr_json_get_u32(c, j, "id", true, &m->id) ?:
	       map_type_of(c, j, &m->type) ?:
	       ktstr_json_get_u32(c, j, "key_size", true, &m->key_size) ?:
	       ktstr_json_get_u32(c, j, "value_size", true, &m->value_size) ?:
	       ktstr_json_get_u32(c, j, "max_entries", true, &m->max_entries) ?:
	       ktstr_json_get_addr(c, j, "kva", true, &m->kva) ?:
	       ktstr_json_get_str(c, j, "error", false, &m->error) ?:
	       get_value(c, j, "value", &m->value) ?:
	       list_of(c, j, "entries", false, (void **)&m->entries, &m->nr_entries,
		       sizeof(*m->entries), entry_elem) ?:
	       list_of(c, j, "percpu_entries", false, (void **)&m->percpu_entries,
		       &m->nr_percpu_entries, sizeof(*m->percpu_entries), percpu_elem) ?:
	       list_of(c, j, "percpu_hash_entries", false, (void **)&m->percpu_hash_entries,
		       &m->nr_percpu_hash_entries, sizeof(*m->percpu_hash_entries),
		       percpu_hash_elem);
}

static int map_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	return map_of(c, j, elem);
}

static int cpu_time_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	struct ktstr_dump_cpu_time *t = elem;

	return ktstr_json_check_object(c, j, cpu_time_fields) ?:
	       ktstr_json_get_u32(c, j, "cpu", true, &t->cpu) ?:
	       ktstr_json_get_u64(c, j, "user_ns", true, UINT64_MAX, &t->user_ns) ?:
	       ktstr_json_get_u64(c, j, "nice_ns", true, UINT64_MAX, &t->nice_ns) ?:
	       ktstr_json_get_u64(c, j, "system_ns", true, UINT64_MAX, &t->system_ns) ?:
	       ktstr_json_get_u64(c, j, "idle_ns", true, UINT64_MAX, &t->idle_ns) ?:
	       ktstr_json_get_u64(c, j, "iowait_ns", true, UINT64_MAX, &t->iowait_ns) ?:
	       ktstr_json_get_u64(c, j, "irq_ns", true, UINT64_MAX, &t->irq_ns) ?:
	       ktstr_json_get_u64(c, j, "softirq_ns", true, UINT64_MAX, &t->softirq_ns) ?:
	       ktstr_json_get_u64(c, j, "steal_ns", true, UINT64_MAX, &t->steal_ns);
}

static int sample_elem(struct ktstr_json_ctx *c, const json_t *j, void *elem)
{
	struct ktstr_dump_event_sample *s = elem;
	size_t saved, saved_k, n, i = 0;
	const char *key;
	json_t *counters, *v;
	int err;

	err = ktstr_json_check_object(c, j, sample_fields) ?:
	      ktstr_json_get_u64(c, j, "elapsed_ms", true, UINT64_MAX, &s->elapsed_ms) ?:
	      ktstr_json_get(c, j, "counters", true, &counters);
	if (err)
		return err;
	saved = ktstr_json_push_key(c, "counters");
	if (!json_is_object(counters))
		return ktstr_json_fail(c, "expected an object of counters");
	n = json_object_size(counters);
	if (n) {
		s->counters = calloc(n, sizeof(*s->counters));
		if (!s->counters)
			return ktstr_json_oom(c);
		s->nr_counters = n;
	}
	json_object_foreach(counters, key, v) {
		saved_k = ktstr_json_push_key(c, key);
		err = ktstr_json_u64_of(c, v, UINT64_MAX, &s->counters[i].value);
		if (err)
			return err;
		s->counters[i].name = strdup(key);
		if (!s->counters[i].name)
			return ktstr_json_oom(c);
		ktstr_json_pop(c, saved_k);
		i++;
	}
	ktstr_json_pop(c, saved);
	return 0;
}

static int report_of(struct ktstr_json_ctx *c, const json_t *j, struct ktstr_dump_report *r)
{
	char *schema = NULL;
	size_t saved;
	int err;

	err = ktstr_json_check_object(c, j, report_fields) ?:
	      ktstr_json_get_str(c, j, "schema", true, &schema);
	if (err)
		return err;
	if (strcmp(schema, KTSTR_DUMP_SCHEMA)) {
		saved = ktstr_json_push_key(c, "schema");
		ktstr_json_fail(c, "unsupported schema '%.40s%s', expected '%s'", schema,
				strlen(schema) > 40 ? "..." : "", KTSTR_DUMP_SCHEMA);
		ktstr_json_pop(c, saved);
		free(schema);
		return -EINVAL;
	}
	free(schema);
	return ktstr_json_get_bool(c, j, "is_placeholder", true, &r->is_placeholder) ?:
	       ktstr_json_get_str(c, j, "placeholder_reason", false, &r->placeholder_reason) ?:
	       list_of(c, j, "maps", true, (void **)&r->maps, &r->nr_maps,
		       sizeof(*r->maps), map_elem) ?:
	       ktstr_json_get_str(c, j, "active_obj_name", false, &r->active_obj_name) ?:
	       list_of(c, j, "active_map_kvas", false, (void **)&r->active_map_kvas,
		       &r->nr_active_map_kvas, sizeof(*r->active_map_kvas), addr_elem) ?:
	       list_of(c, j, "per_cpu_time", false, (void **)&r->per_cpu_time,
		       &r->nr_per_cpu_time, sizeof(*r->per_cpu_time), cpu_time_elem) ?:
	       ktstr_json_get_str(c, j, "per_cpu_time_unavailable", false,
				  &r->per_cpu_time_unavailable) ?:
	       list_of(c, j, "event_counter_timeline", false,
		       (void **)&r->event_counter_timeline, &r->nr_event_counter_timeline,
		       sizeof(*r->event_counter_timeline), sample_elem) ?:
	       ktstr_json_get_str(c, j, "event_counters_unavailable", false,
				  &r->event_counters_unavailable);
}

int ktstr_dump__from_json(const char *text, size_t len,
			  struct ktstr_dump_report **out, char *err, size_t err_len)
{
	struct ktstr_json_ctx c = { .err = err, .err_len = err_len };
	struct ktstr_dump_report *r;
	json_error_t jerr;
	json_t *j;
	int ret;

	*out = NULL;
	if (err && err_len)
		err[0] = '\0';
	/* Duplicate keys are refused: which one counts would be a guess. */
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return ktstr_json_oom(&c);
		/* Not JSON: jansson's position and words say it best. */
		if (err && err_len)
			snprintf(err, err_len, "line %d, column %d: %s", jerr.line, jerr.column,
				 jerr.text);
		return -EINVAL;
	}
	r = ktstr_dump__new();
	if (!r) {
		json_decref(j);
		return ktstr_json_oom(&c);
	}
	ret = report_of(&c, j, r);
	json_decref(j);
	if (ret) {
		ktstr_dump__free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int ktstr_dump__load(const char *path, struct ktstr_dump_report **out,
		     char *err, size_t err_len)
{
	size_t len = 0, cap = 0, n;
	char *text = NULL, *t, *msg;
	FILE *f;
	int ret;

	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		goto file_err;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			t = cap > DUMP_FILE_MAX + 1 ? NULL : realloc(text, cap);
			if (!t) {
				ret = cap > DUMP_FILE_MAX + 1 ? -EFBIG : -ENOMEM;
				fclose(f);
				goto file_err;
			}
			text = t;
		}
		errno = 0;
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n)
			continue;
		if (ferror(f)) {
			ret = errno ? -errno : -EIO;
			fclose(f);
			goto file_err;
		}
		break;
	}
	fclose(f);
	ret = ktstr_dump__from_json(text, len, out, err, err_len);
	free(text);
	/* The path first: "<path>: maps[3].entries[7].key: ...". */
	if (ret && err && err_len && asprintf(&msg, "%s: %s", path, err) >= 0) {
		snprintf(err, err_len, "%s", msg);
		free(msg);
	}
	return ret;

file_err:
	free(text);
	if (err && err_len)
		snprintf(err, err_len, "%s: %s", path, strerror(-ret));
	return ret;
}
