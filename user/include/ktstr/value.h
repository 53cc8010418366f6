/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: a rendered value, the tree the BTF renderer makes of raw
 * bytes (btf_render.h) and the dump report stores (dump.h).
 *
 * The tree is plain data: every node, string and array is owned by its
 * parent and freed with ktstr_value__free() on the root. Callers read it
 * directly; the snapshot view (snapshot.h) walks it with errors that name
 * what is missing.
 */
#ifndef KTSTR_VALUE_H
#define KTSTR_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum ktstr_value_kind {
	KTSTR_VALUE_INT,	/* signed integer: .i, .bits */
	KTSTR_VALUE_UINT,	/* unsigned integer: .u, .bits */
	KTSTR_VALUE_BOOL,	/* .b */
	KTSTR_VALUE_CHAR,	/* a lone char: .i (signed or not, as declared) */
	KTSTR_VALUE_FLOAT,	/* .f, .bits (32, 64; 80/128 converted) */
	KTSTR_VALUE_ENUM,	/* .enm: value and variant name (NULL: none) */
	KTSTR_VALUE_STRING,	/* a char array that is text: .str */
	KTSTR_VALUE_BYTES,	/* bytes shown as they are: .bytes */
	KTSTR_VALUE_PTR,	/* .ptr: address, and the pointee when read */
	KTSTR_VALUE_STRUCT,	/* .agg: members in declaration order */
	KTSTR_VALUE_UNION,	/* .agg: every member over the same bytes */
	KTSTR_VALUE_ARRAY,	/* .arr: elements */
	KTSTR_VALUE_ERROR,	/* what could not be rendered, and why: .error */
};

struct ktstr_value;

struct ktstr_member {
	char *name;		/* "" for an anonymous struct or union */
	struct ktstr_value *value;
	uint32_t bit_offset;	/* from the start of the enclosing aggregate */
	uint32_t bitfield_size;	/* 0: not a bitfield */
};

struct ktstr_value {
	enum ktstr_value_kind kind;
	/* The C type as BTF names it ("u32", "struct task_ctx"); may be NULL. */
	char *type_name;
	union {
		int64_t i;
		uint64_t u;
		bool b;
		struct {
			double f;
			uint32_t bits;
		} flt;
		struct {
			int64_t value;	/* unsigned enums keep the bits */
			bool is_signed;
			char *name;	/* NULL when no variant has the value */
		} enm;
		struct {
			char *str;	/* NUL-terminated, the bytes before the first NUL */
			size_t len;	/* strlen(str) */
			size_t size;	/* the array's size in bytes */
		} str;
		struct {
			uint8_t *data;
			size_t len;
		} bytes;
		struct {
			uint64_t addr;
			/* The pointee, rendered through the memory reader; NULL
			 * when not followed (no reader, NULL, depth, cycle): then
			 * .note says why when it was not for lack of a reader. */
			struct ktstr_value *target;
			char *note;
		} ptr;
		struct {
			struct ktstr_member *members;
			size_t nr;
		} agg;
		struct {
			struct ktstr_value **elems;
			size_t nr;
		} arr;
		struct {
			char *msg;
		} error;
	};
	/* Integer width in bits for INT, UINT and CHAR (bitfields: their size). */
	uint32_t bits;
};

/* Constructors: NULL on allocation failure. Strings are copied. */
struct ktstr_value *ktstr_value__new(enum ktstr_value_kind kind, const char *type_name);
struct ktstr_value *ktstr_value__new_error(const char *type_name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append to a STRUCT/UNION (takes @v) or an ARRAY; 0 or -ENOMEM. */
int ktstr_value__add_member(struct ktstr_value *agg, const char *name,
			    struct ktstr_value *v, uint32_t bit_offset,
			    uint32_t bitfield_size);
int ktstr_value__add_elem(struct ktstr_value *arr, struct ktstr_value *v);

void ktstr_value__free(struct ktstr_value *v);
struct ktstr_value *ktstr_value__clone(const struct ktstr_value *v);
/* Deep equality, floats by bits (so NaN == NaN and 0.0 != -0.0). */
bool ktstr_value__equal(const struct ktstr_value *a, const struct ktstr_value *b);

/* Raw navigation: NULL when absent (the snapshot view explains why). */
const struct ktstr_value *ktstr_value__member(const struct ktstr_value *v, const char *name);
const struct ktstr_value *ktstr_value__index(const struct ktstr_value *v, size_t i);

/*
 * Text forms. Compact: one line, "{a=1, b={c=2}}", strings quoted, enums
 * by name. Tree: indented, one member per line, for `ktstr snap show`.
 * Both return a malloc()ed string, or NULL on allocation failure.
 */
char *ktstr_value__to_string(const struct ktstr_value *v);
int ktstr_value__print_tree(const struct ktstr_value *v, FILE *f, int indent);

#endif /* KTSTR_VALUE_H */
