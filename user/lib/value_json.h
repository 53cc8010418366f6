/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal to libktstr: the JSON form of a rendered value (value.h) and
 * the field encodings the dump report's JSON shares with it. The schema
 * is documented at the top of dump_json.c.
 *
 * Decoders treat the document as hostile. They report the first problem
 * as "<path>: <what>", the path naming where in the document it is
 * ("maps[3].entries[7].key"), and return -EINVAL (or -ENOMEM).
 */
#ifndef KTSTR_VALUE_JSON_H
#define KTSTR_VALUE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ktstr/value.h>

/*
 * Values nest at most this deep in a document (a pointer's target, a
 * member, an element: one level each). Each level is up to three JSON
 * levels, which keeps the document below jansson's parser limit (2048),
 * and it bounds the recursion of everything that walks a loaded tree.
 */
#define KTSTR_VALUE_JSON_MAX_DEPTH	256

/* Where a decoder is in the document, and the first error found. */
struct ktstr_json_ctx {
	char *err;		/* may be NULL */
	size_t err_len;
	bool failed;
	unsigned int depth;	/* value nesting, against the limit above */
	size_t path_len;
	char path[8192];	/* long enough for the deepest value's path */
};

/* Descend into a field or an element; ktstr_json_pop() with what they return. */
size_t ktstr_json_push_key(struct ktstr_json_ctx *c, const char *key);
size_t ktstr_json_push_index(struct ktstr_json_ctx *c, size_t i);
void ktstr_json_pop(struct ktstr_json_ctx *c, size_t saved);

/* Record "<path>: <msg>" unless an error is recorded already; -EINVAL. */
int ktstr_json_fail(struct ktstr_json_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for an allocation failure; -ENOMEM. */
int ktstr_json_oom(struct ktstr_json_ctx *c);

/*
 * @obj must be an object with no field outside @allowed (NULL-terminated):
 * a misspelt field is an error rather than silently dropped data.
 */
int ktstr_json_check_object(struct ktstr_json_ctx *c, const json_t *obj,
			    const char *const *allowed);

/*
 * Field readers. The field's name is pushed on the path for their errors.
 * A missing or null optional field leaves the output as it was (NULL or
 * 0) and returns 0; a missing required field is an error.
 */
int ktstr_json_get(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		   bool required, json_t **out);
int ktstr_json_get_u64(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		       bool required, uint64_t max, uint64_t *out);
int ktstr_json_get_u32(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		       bool required, uint32_t *out);
int ktstr_json_get_bool(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			bool required, bool *out);
int ktstr_json_get_addr(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			bool required, uint64_t *out);
int ktstr_json_get_str(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
		       bool required, char **out);
/* A lowercase hex string, kept as text (@out) or decoded (@data, @len). */
int ktstr_json_get_hex_str(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			   char **out);
int ktstr_json_get_hex_bytes(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			     uint8_t **data, size_t *len);
/* An array field; a missing optional one reads as NULL. */
int ktstr_json_get_array(struct ktstr_json_ctx *c, const json_t *obj, const char *key,
			 bool required, json_t **out);

/* The same conversions on a node rather than a field of an object. */
int ktstr_json_u64_of(struct ktstr_json_ctx *c, const json_t *j, uint64_t max, uint64_t *out);
int ktstr_json_str_of(struct ktstr_json_ctx *c, const json_t *j, char **out);
int ktstr_json_addr_of(struct ktstr_json_ctx *c, const json_t *j, uint64_t *out);

/*
 * Encoders: a new reference, or NULL on allocation failure.
 * u64: an integer up to INT64_MAX, a string of decimal digits above
 * (jansson's integers are signed 64-bit). addr: "0x" and lowercase hex.
 * str: a JSON string when @s is valid UTF-8, else {"hex": "<bytes>"};
 * a NULL @s is JSON null. hex: lowercase hex digits of @len bytes.
 */
json_t *ktstr_json_u64(uint64_t v);
json_t *ktstr_json_addr(uint64_t v);
json_t *ktstr_json_str(const char *s);
json_t *ktstr_json_hex(const void *data, size_t len);

/*
 * A value as JSON: NULL @v is JSON null. NULL return: errno ENOMEM, or
 * EINVAL when @v nests deeper than KTSTR_VALUE_JSON_MAX_DEPTH.
 */
json_t *ktstr_value__to_json(const struct ktstr_value *v);
/*
 * A value from JSON. With @allow_null a JSON null gives *out = NULL. On
 * error *out is NULL and nothing is leaked.
 */
int ktstr_value__from_json(struct ktstr_json_ctx *c, const json_t *j, bool allow_null,
			   struct ktstr_value **out);

#endif /* KTSTR_VALUE_JSON_H */
