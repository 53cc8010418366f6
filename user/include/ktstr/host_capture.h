/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: capture the BPF maps of the machine this runs on into a dump
 * report, through bpf(2) and each map's BTF (needs CAP_BPF or root).
 */
#ifndef KTSTR_HOST_CAPTURE_H
#define KTSTR_HOST_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include <ktstr/dump.h>

struct ktstr_host_capture_opts {
	size_t sz;			/* sizeof(struct ktstr_host_capture_opts) */
	/* Which maps: all when both are empty, else those named or numbered. */
	const uint32_t *ids;
	size_t nr_ids;
	const char *const *names;
	size_t nr_names;
	/* Entries read per map before stopping, with an error saying so (0: 1M). */
	size_t max_entries;
};

/*
 * 0 and *out, or a negative errno (-EPERM: no privilege for bpf(2);
 * -ENOENT: a requested map id or name does not exist). A map that cannot
 * be read or rendered is still in the report, with its error set.
 */
int ktstr_host__capture(const struct ktstr_host_capture_opts *opts,
			struct ktstr_dump_report **out);

/* Capture one map from its fd into @m (the report's map, named already). */
int ktstr_host__capture_map_fd(int map_fd, struct ktstr_dump_map *m, size_t max_entries);

#endif /* KTSTR_HOST_CAPTURE_H */
