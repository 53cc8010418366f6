/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types with hard layouts for the BTF renderer's tests: shared by the BPF
 * object (render_types.bpf.c), which gives them BTF, and the host test
 * (render_test.c), which fills them with known values. Only
 * <linux/types.h> types, so both sides lay them out alike (x86_64 and
 * BPF agree on sizes and alignment, pointers included).
 */
#ifndef RENDER_TYPES_H
#define RENDER_TYPES_H

#include <linux/types.h>

enum rt_color { RT_RED, RT_GREEN, RT_BLUE };
/* Negative values; clang stores them as signed 32-bit BTF values. */
enum rt_signed { RT_NEG_MIN = -2147483647 - 1, RT_NEG_ONE = -1, RT_ZERO = 0, RT_POS = 7 };
/* Values with the top bit set in a 4-byte enum. */
enum rt_unsigned { RT_U_SMALL = 1, RT_U_TOP = 0x80000000u, RT_U_LARGE = 0xfffffff0u };

/* Bitfields that straddle bytes, signed ones, 1-bit ones, enum and bool ones. */
struct rt_bits {
	__u32 lo : 3;		/* bits 0..2 */
	__u32 mid : 9;		/* bits 3..11: straddles bytes 0 and 1 */
	__s32 neg : 5;		/* bits 12..16: signed, straddles bytes 1 and 2 */
	__u32 one : 1;
	__s32 sone : 1;		/* signed 1-bit: 0 or -1 */
	__u64 wide : 40;	/* straddles five bytes */
	__s64 swide : 33;
	enum rt_color col : 2;
	_Bool flag : 1;
	__u8 tail;
};

struct rt_node;

/* typedef of a typedef of a struct */
struct rt_inner {
	__s8 s8;
	__u16 u16;
	__s32 s32;
	__u64 u64;
};
typedef struct rt_inner rt_inner_t;
typedef rt_inner_t rt_inner_tt;

struct rt_point {
	__s16 x;
	__s16 y;
};

/* Nested anonymous aggregates: at most one anonymous member per level,
 * since bpftool's JSON names them all "" (see render_test.c). */
struct rt_nested {
	__s32 tag;
	union {
		__u32 as_u32;
		__u8 as_bytes[4];
		struct {
			__u16 lo16;
			__u16 hi16;
		};
	};
	struct {
		__s8 x;
		struct {
			__s16 y;
			__u64 z;
		} deep;
	} named;
};

struct rt_value {
	struct rt_bits bits;
	struct rt_nested nested;
	rt_inner_tt chain;
	struct rt_point pts[3];
	__s16 grid[2][3];
	enum rt_signed sgn;
	enum rt_unsigned usg;
	enum rt_color color;
	char name[16];		/* printable, NUL padded: a string */
	char raw[6];		/* non-printable: an array */
	char full[4];		/* printable without a NUL */
	char junk[8];		/* "ab", NUL, then non-NUL bytes */
	char c;
	_Bool yes;
	_Bool no;
	const volatile __u32 cv;
	volatile __s64 vol;
	__s8 i8;
	__u8 u8;
	__s16 i16;
	__u16 u16;
	__s32 i32;
	__u32 u32;
	__s64 i64;
	__u64 u64;
	unsigned __int128 u128_small;
	unsigned __int128 u128_big;
	__int128 s128_neg;
	struct rt_node *next;	/* pointers: 8 bytes on both sides */
	void *opaque;
};

struct rt_key {
	__u32 id;
	__s16 sub;
	char tag[6];
};

/* A float section, kept apart: bpftool 7.1 cannot format BTF floats. */
struct rt_floats {
	float f;
	double d;
	float fa[2];
};

#endif /* RENDER_TYPES_H */
