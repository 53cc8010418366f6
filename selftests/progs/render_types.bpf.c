// SPDX-License-Identifier: GPL-2.0
/*
 * BTF with hard types for the renderer's tests (render_test.c) and
 * benchmark (render_bench.c): globals in .bss, .data, .rodata and a
 * float-only section, a HASH map with struct key and value, an ARRAY map
 * of structs. Nothing runs: the program only makes the object a normal
 * one, and the test turns its autoload off.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "render_types.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct rt_key);
	__type(value, struct rt_value);
} rt_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct rt_value);
} rt_array SEC(".maps");

/* .bss */
struct rt_value g_bss_value;
__u64 g_counter;
_Bool g_flag;

/* .data */
rt_inner_tt g_chain = { .s8 = -1 };
enum rt_signed g_sgn = RT_NEG_ONE;
char g_name[16] = "render";
struct rt_bits g_bits = { .neg = -16 };
struct rt_point g_pts[2][2] = { { { 1, 2 } } };

/* .rodata: set by the test before load, frozen after. */
const volatile __s32 g_ro_neg = -42;
const volatile struct rt_nested g_ro_nested = { .tag = 1 };

/* .data.floats: its own map */
struct rt_floats g_floats SEC(".data.floats") = { .f = 1.5f };
double g_double SEC(".data.floats") = -2.25;

/* .data.bench: an array of structs for render_bench.c */
struct rt_value g_bench_array[32] SEC(".data.bench");

SEC("tracepoint/syscalls/sys_enter_getpid")
int rt_unused(void *ctx)
{
	return g_counter != 0;
}

char LICENSE[] SEC("license") = "GPL";
