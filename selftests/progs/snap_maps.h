/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The types of snap_maps.bpf.c, shared with snap_cli_test.c, which fills
 * the maps with them. Fixed-width members, and bitfields gcc and clang
 * both allocate from the low bit on little-endian x86_64, so the two
 * compilers lay them out alike (the test checks the sizes against BTF).
 */
#ifndef SNAP_MAPS_H
#define SNAP_MAPS_H

#include <linux/types.h>

enum task_state {
	TASK_IDLE = 0,
	TASK_RUNNABLE = 1,
	TASK_RUNNING = 2,
};

struct task_key {
	__u32 tgid;
	__u32 tid;
};

struct task_ctx {
	__u64 runtime_ns;
	__s32 weight;
	enum task_state state;
	char comm[16];
	__u32 flags : 3;
	__u32 prio : 5;
	_Bool queued;
	__u16 cpus[4];
};

struct slot {
	__u64 vtime;
	__u32 nr_queued;
	__u32 pad;
};

struct cpu_stat {
	__u64 nr_dispatched;
	__s64 balance;
};

/* 12 bytes: per-CPU values are 16 apart, which the capture must honour. */
struct pid_stat {
	__u32 a;
	__u32 b;
	__u32 c;
};

struct sched_stats {
	__u64 total;
	__u64 dispatched[4];
	struct {
		__u32 lo;
		__u32 hi;
	} range;
};

struct cfg {
	__u32 slice_us;
	_Bool fifo;
	char name[12];
};

#endif /* SNAP_MAPS_H */
