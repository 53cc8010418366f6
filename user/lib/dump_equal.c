// SPDX-License-Identifier: GPL-2.0
/*
 * Deep equality of dump reports: what "load(save(r)) == r" means. Every
 * field counts; values compare as ktstr_value__equal() does (floats by
 * bits), and a NULL string differs from "".
 */
#include <string.h>

#include <ktstr/dump.h>

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool per_cpu_eq(struct ktstr_value *const *a, size_t na,
		       struct ktstr_value *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!ktstr_value__equal(a[i], b[i]))
			return false;
	return true;
}

static bool entries_eq(const struct ktstr_dump_map *a, const struct ktstr_dump_map *b)
{
	size_t i;

	if (a->nr_entries != b->nr_entries)
		return false;
	for (i = 0; i < a->nr_entries; i++) {
		const struct ktstr_dump_entry *x = &a->entries[i], *y = &b->entries[i];

		if (!ktstr_value__equal(x->key, y->key) || !str_eq(x->key_hex, y->key_hex) ||
		    !ktstr_value__equal(x->value, y->value) ||
		    !str_eq(x->value_hex, y->value_hex))
			return false;
	}
	return true;
}

static bool percpu_eq(const struct ktstr_dump_map *a, const struct ktstr_dump_map *b)
{
	size_t i;

	if (a->nr_percpu_entries != b->nr_percpu_entries ||
	    a->nr_percpu_hash_entries != b->nr_percpu_hash_entries)
		return false;
	for (i = 0; i < a->nr_percpu_entries; i++) {
		const struct ktstr_dump_percpu_entry *x = &a->percpu_entries[i];
		const struct ktstr_dump_percpu_entry *y = &b->percpu_entries[i];

		if (x->key != y->key || !per_cpu_eq(x->per_cpu, x->nr_cpus, y->per_cpu, y->nr_cpus))
			return false;
	}
	for (i = 0; i < a->nr_percpu_hash_entries; i++) {
		const struct ktstr_dump_percpu_hash_entry *x = &a->percpu_hash_entries[i];
		const struct ktstr_dump_percpu_hash_entry *y = &b->percpu_hash_entries[i];

		if (!ktstr_value__equal(x->key, y->key) || !str_eq(x->key_hex, y->key_hex) ||
		    !per_cpu_eq(x->per_cpu, x->nr_cpus, y->per_cpu, y->nr_cpus))
			return false;
	}
	return true;
}

static bool map_eq(const struct ktstr_dump_map *a, const struct ktstr_dump_map *b)
{
	return str_eq(a->name, b->name) && a->id == b->id && a->type == b->type &&
	       a->key_size == b->key_size && a->value_size == b->value_size &&
	       a->max_entries == b->max_entries && a->kva == b->kva &&
	       str_eq(a->error, b->error) && ktstr_value__equal(a->value, b->value) &&
	       entries_eq(a, b) && percpu_eq(a, b);
}

static bool samples_eq(const struct ktstr_dump_event_sample *a,
		       const struct ktstr_dump_event_sample *b)
{
	size_t i;

	if (a->elapsed_ms != b->elapsed_ms || a->nr_counters != b->nr_counters)
		return false;
	for (i = 0; i < a->nr_counters; i++)
		if (!str_eq(a->counters[i].name, b->counters[i].name) ||
		    a->counters[i].value != b->counters[i].value)
			return false;
	return true;
}

bool ktstr_dump__equal(const struct ktstr_dump_report *a, const struct ktstr_dump_report *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (!str_eq(a->schema, b->schema) || a->is_placeholder != b->is_placeholder ||
	    !str_eq(a->placeholder_reason, b->placeholder_reason) ||
	    a->nr_maps != b->nr_maps || !str_eq(a->active_obj_name, b->active_obj_name) ||
	    a->nr_active_map_kvas != b->nr_active_map_kvas ||
	    a->nr_per_cpu_time != b->nr_per_cpu_time ||
	    !str_eq(a->per_cpu_time_unavailable, b->per_cpu_time_unavailable) ||
	    a->nr_event_counter_timeline != b->nr_event_counter_timeline ||
	    !str_eq(a->event_counters_unavailable, b->event_counters_unavailable))
		return false;
	for (i = 0; i < a->nr_maps; i++)
		if (!map_eq(&a->maps[i], &b->maps[i]))
			return false;
	if (a->nr_active_map_kvas &&
	    memcmp(a->active_map_kvas, b->active_map_kvas,
		   a->nr_active_map_kvas * sizeof(*a->active_map_kvas)))
		return false;
	/* Field by field: the struct's padding is not part of the report. */
	for (i = 0; i < a->nr_per_cpu_time; i++) {
		const struct ktstr_dump_cpu_time *x = &a->per_cpu_time[i], *y = &b->per_cpu_time[i];

		if (x->cpu != y->cpu || x->user_ns != y->user_ns || x->nice_ns != y->nice_ns ||
		    x->system_ns != y->system_ns || x->idle_ns != y->idle_ns ||
		    x->iowait_ns != y->iowait_ns || x->irq_ns != y->irq_ns ||
		    x->softirq_ns != y->softirq_ns || x->steal_ns != y->steal_ns)
			return false;
	}
	for (i = 0; i < a->nr_event_counter_timeline; i++)
		if (!samples_eq(&a->event_counter_timeline[i], &b->event_counter_timeline[i]))
			return false;
	return true;
}
