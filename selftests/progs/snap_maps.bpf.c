// SPDX-License-Identifier: GPL-2.0
/*
 * A scheduler-shaped BPF object for snap_cli_test: globals in .bss, .data
 * and .rodata, a task hash keyed by a struct, arrays, per-CPU maps, and a
 * ring buffer whose contents a capture does not take. It has no programs:
 * the test loads it only to get its maps, fills them from userspace and
 * captures them. Opened with the object name "ktsnap", its maps are named
 * ktsnap.bss, ktsnap_tasks and so on, which tells them apart from every
 * other map on the host.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "snap_maps.h"

/* .bss */
__u64 nr_enqueued;
__u32 nr_cpus_onln;
struct sched_stats stats;
__s32 hist[5];

/* .data */
__u64 generation = 7;
char sched_name[16] = "ktsnap";

/* .rodata */
const volatile __u32 slice_ns = 5000000;
const volatile _Bool debug_mode = 1;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct task_key);
	__type(value, struct task_ctx);
} ktsnap_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct slot);
} ktsnap_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cfg);
} ktsnap_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct cpu_stat);
} ktsnap_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct pid_stat);
} ktsnap_pcpuh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ktsnap_ring SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
