// SPDX-License-Identifier: GPL-2.0
/*
 * The dump report: construction and freeing. Its JSON form is in
 * dump_json.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/dump.h>

struct ktstr_dump_report *ktstr_dump__new(void)
{
	struct ktstr_dump_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->schema = strdup(KTSTR_DUMP_SCHEMA);
	if (!r->schema) {
		free(r);
		return NULL;
	}
	return r;
}

struct ktstr_dump_report *ktstr_dump__new_placeholder(const char *reason)
{
	struct ktstr_dump_report *r = ktstr_dump__new();

	if (!r)
		return NULL;
	r->is_placeholder = true;
	r->placeholder_reason = strdup(reason ? reason : "");
	if (!r->placeholder_reason) {
		ktstr_dump__free(r);
		return NULL;
	}
	return r;
}

struct ktstr_dump_map *ktstr_dump__add_map(struct ktstr_dump_report *r, const char *name)
{
	struct ktstr_dump_map *maps, *m;

	maps = realloc(r->maps, (r->nr_maps + 1) * sizeof(*maps));
	if (!maps)
		return NULL;
	r->maps = maps;
	m = &maps[r->nr_maps];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name ? name : "");
	if (!m->name)
		return NULL;
	r->nr_maps++;
	return m;
}

static void free_per_cpu(struct ktstr_value **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ktstr_value__free(v[i]);
	free(v);
}

static void free_map(struct ktstr_dump_map *m)
{
	size_t i;

	free(m->name);
	ktstr_value__free(m->value);
	for (i = 0; i < m->nr_entries; i++) {
		ktstr_value__free(m->entries[i].key);
		ktstr_value__free(m->entries[i].value);
		free(m->entries[i].key_hex);
		free(m->entries[i].value_hex);
	}
	free(m->entries);
	for (i = 0; i < m->nr_percpu_entries; i++)
		free_per_cpu(m->percpu_entries[i].per_cpu, m->percpu_entries[i].nr_cpus);
	free(m->percpu_entries);
	for (i = 0; i < m->nr_percpu_hash_entries; i++) {
		ktstr_value__free(m->percpu_hash_entries[i].key);
		free(m->percpu_hash_entries[i].key_hex);
		free_per_cpu(m->percpu_hash_entries[i].per_cpu,
			     m->percpu_hash_entries[i].nr_cpus);
	}
	free(m->percpu_hash_entries);
	free(m->error);
}

void ktstr_dump__free(struct ktstr_dump_report *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->nr_maps; i++)
		free_map(&r->maps[i]);
	free(r->maps);
	free(r->schema);
	free(r->placeholder_reason);
	free(r->active_obj_name);
	free(r->active_map_kvas);
	free(r->per_cpu_time);
	free(r->per_cpu_time_unavailable);
	for (i = 0; i < r->nr_event_counter_timeline; i++) {
		for (j = 0; j < r->event_counter_timeline[i].nr_counters; j++)
			free(r->event_counter_timeline[i].counters[j].name);
		free(r->event_counter_timeline[i].counters);
	}
	free(r->event_counter_timeline);
	free(r->event_counters_unavailable);
	free(r);
}
