/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: the dump report, what one capture of a scheduler's state
 * holds: every BPF map with its rendered contents, the active scheduler,
 * and the kernel-side sections later captures fill in. It is saved and
 * loaded as JSON (ktstr_dump__save/load), exactly: load(save(r)) == r.
 *
 * Plain data owned by the report; ktstr_dump__free() frees all of it.
 */
#ifndef KTSTR_DUMP_H
#define KTSTR_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/value.h>

/* The schema string a report is written with; load() accepts only it. */
#define KTSTR_DUMP_SCHEMA	"ktstr.dump/1"

/* A key or value the BTF could not render still has its bytes, in hex. */
struct ktstr_dump_entry {
	struct ktstr_value *key;	/* NULL: no BTF for the key type */
	char *key_hex;			/* always set: lowercase hex, no separators */
	struct ktstr_value *value;	/* NULL: no BTF for the value type */
	char *value_hex;		/* always set */
};

/* One key of a per-CPU array: a value per possible CPU. */
struct ktstr_dump_percpu_entry {
	uint32_t key;
	struct ktstr_value **per_cpu;	/* [nr_cpus]; NULL: slot not captured */
	size_t nr_cpus;
};

/* One key of a per-CPU hash. */
struct ktstr_dump_percpu_hash_entry {
	struct ktstr_value *key;	/* NULL: no BTF for the key type */
	char *key_hex;
	struct ktstr_value **per_cpu;	/* [nr_cpus]; NULL: slot not captured */
	size_t nr_cpus;
};

/*
 * One map. Which contents are set depends on the type:
 *   global sections (<obj>.bss/.data/.rodata, DATASEC) and ARRAY maps
 *   with one entry: value;  HASH, LRU_HASH, ARRAY: entries;
 *   PERCPU_ARRAY: percpu_entries;  PERCPU_HASH, LRU_PERCPU_HASH:
 *   percpu_hash_entries.
 * error says what could not be captured or rendered (NULL: all of it);
 * a map whose contents are partly there carries both.
 */
struct ktstr_dump_map {
	char *name;			/* as the kernel has it: "<obj>.bss" */
	uint32_t id;			/* the kernel's map id, 0 if unknown */
	uint32_t type;			/* enum bpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint64_t kva;			/* the map's kernel address, 0 if unknown */
	struct ktstr_value *value;
	struct ktstr_dump_entry *entries;
	size_t nr_entries;
	struct ktstr_dump_percpu_entry *percpu_entries;
	size_t nr_percpu_entries;
	struct ktstr_dump_percpu_hash_entry *percpu_hash_entries;
	size_t nr_percpu_hash_entries;
	char *error;
};

/* Per-CPU time, from the guest kernel's kernel_cpustat (later issues). */
struct ktstr_dump_cpu_time {
	uint32_t cpu;
	uint64_t user_ns, nice_ns, system_ns, idle_ns, iowait_ns;
	uint64_t irq_ns, softirq_ns, steal_ns;
};

/* One sample of named event counters (sched_ext's SCX_EV_*, summed over CPUs). */
struct ktstr_dump_counter {
	char *name;
	uint64_t value;
};

struct ktstr_dump_event_sample {
	uint64_t elapsed_ms;
	struct ktstr_dump_counter *counters;
	size_t nr_counters;
};

struct ktstr_dump_report {
	char *schema;			/* KTSTR_DUMP_SCHEMA */
	/* The capture failed (rendezvous timeout...): no maps, only why. */
	bool is_placeholder;
	char *placeholder_reason;
	struct ktstr_dump_map *maps;
	size_t nr_maps;
	/* The live scheduler's BPF object name and its maps' KVAs, when the
	 * capture could tell (snapshot.h: ktstr_snapshot__active()). */
	char *active_obj_name;
	uint64_t *active_map_kvas;
	size_t nr_active_map_kvas;
	/* Kernel-side sections; empty until a capture fills them, and then
	 * the *_unavailable string says why when it could not. */
	struct ktstr_dump_cpu_time *per_cpu_time;
	size_t nr_per_cpu_time;
	char *per_cpu_time_unavailable;
	struct ktstr_dump_event_sample *event_counter_timeline;
	size_t nr_event_counter_timeline;
	char *event_counters_unavailable;
};

struct ktstr_dump_report *ktstr_dump__new(void);
/* A placeholder: the capture produced no data, @reason says why. */
struct ktstr_dump_report *ktstr_dump__new_placeholder(const char *reason);
void ktstr_dump__free(struct ktstr_dump_report *r);
/* Append a zeroed map named @name; NULL on allocation failure. */
struct ktstr_dump_map *ktstr_dump__add_map(struct ktstr_dump_report *r, const char *name);
bool ktstr_dump__equal(const struct ktstr_dump_report *a, const struct ktstr_dump_report *b);

/*
 * JSON. save: 0 or -errno. load: 0 and *out, or -errno with a message in
 * @err (may be NULL) that names where the document broke ("maps[3].
 * entries[7].key: expected an object"). -EINVAL: not a report; -ENOMEM.
 * A string form of each for callers without a file.
 */
int ktstr_dump__save(const struct ktstr_dump_report *r, const char *path);
int ktstr_dump__load(const char *path, struct ktstr_dump_report **out,
		     char *err, size_t err_len);
char *ktstr_dump__to_json(const struct ktstr_dump_report *r);
int ktstr_dump__from_json(const char *text, size_t len,
			  struct ktstr_dump_report **out, char *err, size_t err_len);

#endif /* KTSTR_DUMP_H */
