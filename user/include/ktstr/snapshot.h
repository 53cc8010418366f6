/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: the snapshot view, typed traversal of a dump report.
 *
 *	struct ktstr_snapshot *s = ktstr_snapshot__new(report);
 *	uint64_t n;
 *	if (ktstr_field__as_u64(ktstr_snapshot__var(s, "nr_cpus_onln"), &n))
 *		puts(ktstr_field__error(...)->msg);
 *
 * Views (map, entry, field) are small structs passed by value that point
 * into the report; they stay valid while the snapshot and its report
 * live. A view that failed carries an error instead of a value, and every
 * later step on it passes that first error along, so a chain is checked
 * once at its end. Errors live in the snapshot and are freed with it.
 *
 * Every error names what failed and the alternatives there were: the map
 * names for a map, the global variable names for a var, the member names
 * at the failing path component, the index range, a sample of keys.
 */
#ifndef KTSTR_SNAPSHOT_H
#define KTSTR_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/dump.h>
#include <ktstr/value.h>

enum ktstr_error_kind {
	KTSTR_ERR_MAP_NOT_FOUND = 1,	/* alternatives: map names */
	KTSTR_ERR_VAR_NOT_FOUND,	/* alternatives: global variable names */
	KTSTR_ERR_AMBIGUOUS_VAR,	/* alternatives: the maps holding it */
	KTSTR_ERR_MAP_RENDER_INCOMPLETE, /* the map's contents failed to render */
	KTSTR_ERR_PLACEHOLDER,		/* the report holds no data */
	KTSTR_ERR_NO_ACTIVE_SCHEDULER,
	KTSTR_ERR_ACTIVE_FILTER_EXCLUDED, /* the active KVA filter left no map */
	KTSTR_ERR_PROJECTION_FAILED,	/* a picker declined or misbehaved */
	KTSTR_ERR_NO_MATCH,		/* find/max_by: alternatives: sampled keys */
	KTSTR_ERR_INDEX_OUT_OF_RANGE,
	KTSTR_ERR_PERCPU_SLOT,		/* CPU out of range, or slot not captured */
	KTSTR_ERR_FIELD_NOT_FOUND,	/* alternatives: member names there */
	KTSTR_ERR_TYPE_MISMATCH,	/* e.g. as_u64 on a struct */
	KTSTR_ERR_NULL_POINTER,		/* the path crosses a NULL or unread pointer */
	KTSTR_ERR_MISSING_STATS,	/* JSON view: no stats document */
	KTSTR_ERR_NOMEM,		/* the error itself could not be made */
};

/* At most this many keys are sampled into a NO_MATCH error... */
#define KTSTR_NO_MATCH_KEY_SAMPLE	3
/* ...each cut to this many characters, the last one an ellipsis. */
#define KTSTR_NO_MATCH_KEY_CHARS	80
/* A key whose BTF was missing is shown as this prefix and its hex bytes. */
#define KTSTR_HEX_KEY_PREFIX		"hex:"

struct ktstr_error {
	enum ktstr_error_kind kind;
	char *msg;		/* the whole story, one line */
	char *requested;	/* the name, path or index asked for */
	char *where;		/* the path component or map it failed at */
	char **alternatives;
	size_t nr_alternatives;
	size_t index, len;	/* INDEX_OUT_OF_RANGE, NO_MATCH (len), PERCPU_SLOT */
};

const char *ktstr_error_kind__str(enum ktstr_error_kind kind);

struct ktstr_snapshot;

struct ktstr_field {
	struct ktstr_snapshot *snap;
	const struct ktstr_value *value;	/* NULL iff err */
	const struct ktstr_error *err;
};

struct ktstr_map {
	struct ktstr_snapshot *snap;
	const struct ktstr_dump_map *map;	/* NULL iff err */
	int cpu;				/* -1: not narrowed */
	const struct ktstr_error *err;
};

enum ktstr_entry_kind {
	KTSTR_ENTRY_MISSING,		/* err is set */
	KTSTR_ENTRY_HASH,		/* .hash: key and value */
	KTSTR_ENTRY_PERCPU,		/* .percpu: every CPU's value */
	KTSTR_ENTRY_PERCPU_HASH,	/* .percpu_hash */
	KTSTR_ENTRY_VALUE,		/* .value: one value (a CPU's slot, a section) */
};

struct ktstr_entry {
	struct ktstr_snapshot *snap;
	enum ktstr_entry_kind kind;
	const struct ktstr_dump_map *map;
	union {
		const struct ktstr_dump_entry *hash;
		const struct ktstr_dump_percpu_entry *percpu;
		const struct ktstr_dump_percpu_hash_entry *percpu_hash;
		const struct ktstr_value *value;
	};
	const struct ktstr_error *err;
};

/* ---- snapshot --------------------------------------------------------- */

/* A view of @report, which must outlive it. NULL on allocation failure. */
struct ktstr_snapshot *ktstr_snapshot__new(const struct ktstr_dump_report *report);
void ktstr_snapshot__free(struct ktstr_snapshot *s);

/* Every map-walking call below sees only the maps this view admits. */
struct ktstr_map ktstr_snapshot__map(struct ktstr_snapshot *s, const char *name);
size_t ktstr_snapshot__map_count(struct ktstr_snapshot *s);
bool ktstr_snapshot__is_placeholder(const struct ktstr_snapshot *s);

/*
 * A top-level variable of the global sections (<obj>.bss/.data/.rodata).
 * One hit: its value. More than one: the active scheduler's (as
 * ktstr_snapshot__live_var()) if that resolves, else AMBIGUOUS_VAR. None:
 * MAP_RENDER_INCOMPLETE when a global section failed to render (it could
 * have held it), else VAR_NOT_FOUND with every variable name.
 */
struct ktstr_field ktstr_snapshot__var(struct ktstr_snapshot *s, const char *name);

/* Every global-section copy of @name: fills up to @cap, returns how many there are. */
size_t ktstr_snapshot__vars(struct ktstr_snapshot *s, const char *name,
			    const char **map_names, struct ktstr_field *fields,
			    size_t cap);

/*
 * The view narrowed to the live scheduler's maps: by the report's
 * active_obj_name (and active_map_kvas when set), else by the only BPF
 * object with global sections. A new snapshot owned by @s (freed with
 * it); NULL with *err set when none can be told apart.
 */
struct ktstr_snapshot *ktstr_snapshot__active(struct ktstr_snapshot *s,
					      const struct ktstr_error **err);
struct ktstr_field ktstr_snapshot__live_var(struct ktstr_snapshot *s, const char *name);

/*
 * The caller picks among every copy of @name: @pick gets the candidates
 * (map name and field each) and returns an index, or -1 to decline.
 */
typedef int (*ktstr_var_picker_fn)(void *ctx, const char *const *map_names,
				   const struct ktstr_field *fields, size_t n);
struct ktstr_field ktstr_snapshot__live_var_via(struct ktstr_snapshot *s,
						const char *name,
						ktstr_var_picker_fn pick, void *ctx);
/* Pickers: the copy with the largest unsigned value (fields not u64: skipped). */
int ktstr_pick_max_u64(void *ctx, const char *const *map_names,
		       const struct ktstr_field *fields, size_t n);

/* ---- map -------------------------------------------------------------- */

const char *ktstr_map__name(struct ktstr_map m);
/* Narrow a per-CPU map to CPU @cpu (ignored by maps that are not per-CPU). */
struct ktstr_map ktstr_map__cpu(struct ktstr_map m, int cpu);
/* Entry @n in capture order; a one-value map has entry 0. */
struct ktstr_entry ktstr_map__at(struct ktstr_map m, size_t n);
size_t ktstr_map__len(struct ktstr_map m);

typedef bool (*ktstr_entry_pred_fn)(void *ctx, struct ktstr_entry e);
typedef uint64_t (*ktstr_entry_key_fn)(void *ctx, struct ktstr_entry e);

/* The first entry @pred accepts; NO_MATCH with up to 3 sampled keys. */
struct ktstr_entry ktstr_map__find(struct ktstr_map m, ktstr_entry_pred_fn pred, void *ctx);
/* Entries @pred accepts: fills up to @cap, returns how many matched. */
size_t ktstr_map__filter(struct ktstr_map m, ktstr_entry_pred_fn pred, void *ctx,
			 struct ktstr_entry *out, size_t cap);
/* The entry with the largest @key (first one on ties); NO_MATCH when empty. */
struct ktstr_entry ktstr_map__max_by(struct ktstr_map m, ktstr_entry_key_fn key, void *ctx);

/* ---- entry ------------------------------------------------------------ */

/*
 * A dotted path into the entry. It walks the value; "key" and "value" as
 * the first component address those explicitly. On a per-CPU entry not
 * narrowed with ktstr_map__cpu() the first component may be a CPU number.
 */
struct ktstr_field ktstr_entry__get(struct ktstr_entry e, const char *path);
struct ktstr_field ktstr_entry__key(struct ktstr_entry e);
struct ktstr_field ktstr_entry__value(struct ktstr_entry e);
/* The key as NO_MATCH shows it, in a buffer of the snapshot; NULL for a value entry. */
const char *ktstr_entry__key_string(struct ktstr_entry e);

/* ---- field ------------------------------------------------------------ */

/*
 * Walk "a.b.c": struct and union members by name, pointers followed
 * transparently, "[3]" or a number component indexes an array.
 */
struct ktstr_field ktstr_field__get(struct ktstr_field f, const char *path);
struct ktstr_field ktstr_field__member(struct ktstr_field f, const char *name);
struct ktstr_field ktstr_field__index(struct ktstr_field f, size_t i);
const struct ktstr_error *ktstr_field__error(struct ktstr_field f);

/*
 * Terminal accessors: 0 and *out, or -ENOENT (the field is missing) or
 * -EINVAL (its type does not convert; the field then carries a
 * TYPE_MISMATCH error, see ktstr_field__last_error()).
 * as_u64: UINT, BOOL, CHAR, non-negative INT, ENUM value. as_i64: INT,
 * UINT up to INT64_MAX, BOOL, CHAR, ENUM. as_f64: any number. as_bool:
 * BOOL, integers (non-zero). as_str: STRING, ENUM variant name.
 * Pointers read as their target; one that was not read (NULL, or not
 * followed at capture) reads as its address with as_u64.
 */
int ktstr_field__as_u64(struct ktstr_field f, uint64_t *out);
int ktstr_field__as_i64(struct ktstr_field f, int64_t *out);
int ktstr_field__as_f64(struct ktstr_field f, double *out);
int ktstr_field__as_bool(struct ktstr_field f, bool *out);
int ktstr_field__as_str(struct ktstr_field f, const char **out);
/* Arrays: fills up to @cap, *n is the array's length; every element must convert. */
int ktstr_field__as_u64_array(struct ktstr_field f, uint64_t *out, size_t cap, size_t *n);
int ktstr_field__as_u32_array(struct ktstr_field f, uint32_t *out, size_t cap, size_t *n);
int ktstr_field__as_i64_array(struct ktstr_field f, int64_t *out, size_t cap, size_t *n);
int ktstr_field__as_f64_array(struct ktstr_field f, double *out, size_t cap, size_t *n);
int ktstr_field__as_bool_array(struct ktstr_field f, bool *out, size_t cap, size_t *n);
/* The error the last failed terminal accessor on @s made. */
const struct ktstr_error *ktstr_snapshot__last_error(const struct ktstr_snapshot *s);

/* ---- JSON stats view: the same vocabulary over a JSON document --------- */

struct ktstr_stats;	/* wraps a jansson json_t; owns its errors */

/* @root: a json_t *, borrowed (may be NULL: every path is MISSING_STATS). */
struct ktstr_stats *ktstr_stats__new(const void *root);
void ktstr_stats__free(struct ktstr_stats *st);

struct ktstr_json_field {
	struct ktstr_stats *stats;
	const void *value;		/* json_t *; NULL iff err */
	const struct ktstr_error *err;
};

/* "a.b.3.c": object members by key, array elements by number. "" is the root. */
struct ktstr_json_field ktstr_stats__get(struct ktstr_stats *st, const char *path);
struct ktstr_json_field ktstr_json_field__get(struct ktstr_json_field f, const char *path);
int ktstr_json_field__as_u64(struct ktstr_json_field f, uint64_t *out);
int ktstr_json_field__as_i64(struct ktstr_json_field f, int64_t *out);
int ktstr_json_field__as_f64(struct ktstr_json_field f, double *out);
int ktstr_json_field__as_bool(struct ktstr_json_field f, bool *out);
int ktstr_json_field__as_str(struct ktstr_json_field f, const char **out);
const struct ktstr_error *ktstr_stats__last_error(const struct ktstr_stats *st);

#endif /* KTSTR_SNAPSHOT_H */
