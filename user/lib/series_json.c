// SPDX-License-Identifier: GPL-2.0
/*
 * The series file: a run's projected fields and pattern results, as JSON
 * (jansson), for `ktstr series show` and `ktstr series plot`. The format
 * is described in series.h. The fields and results are the series API's own
 * types (series.h), copied in; the results the file owns it frees itself.
 *
 * Loading treats the document as hostile: every member is type-checked,
 * unknown keys are refused, and the first problem is reported with the
 * path to it ("fields[2].samples[5].elapsed_ms: expected a number"), so a
 * hand-edited or truncated file says what is wrong with it instead of
 * plotting nonsense.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktstr/series.h>

/*
 * Where in the document we are: "fields[2]" (AT_LEN) and below it
 * "fields[2].samples[5]" (SUB_LEN); sized for indices of 20 digits.
 */
#define AT_LEN	48
#define SUB_LEN	128

struct ctx {
	char *err;
	size_t err_len;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->err_len) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->err_len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* A key from the file, fit for an error message: printable, short. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; *s && i + 4 < len; s++)
		buf[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
	if (*s)
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

/* ---- the file: construction, copies, freeing ---------------------------- */

struct ktstr_series_file *ktstr_series_file__new(void)
{
	return calloc(1, sizeof(struct ktstr_series_file));
}

static void free_point(struct ktstr_series_point *p)
{
	free(p->tag);
	free(p->error);
	p->tag = p->error = NULL;
}

static int copy_point(struct ktstr_series_point *dst, const struct ktstr_series_point *src)
{
	*dst = *src;
	dst->tag = strdup(src->tag ? src->tag : "");
	dst->error = src->error ? strdup(src->error) : NULL;
	if (!dst->tag || (src->error && !dst->error)) {
		free_point(dst);
		return -ENOMEM;
	}
	return 0;
}

/* The file allocates its results, so it frees them: every member is ours. */
static void free_result(struct ktstr_temporal_result *r)
{
	size_t i;

	if (!r)
		return;
	free(r->pattern);
	free(r->label);
	free_point(&r->offender);
	free(r->detail);
	for (i = 0; i < r->nr_skipped; i++)
		free_point(&r->skipped[i]);
	free(r->skipped);
	for (i = 0; i < r->nr_notes; i++)
		free(r->notes[i]);
	free(r->notes);
	free(r);
}

void ktstr_series_file__free(struct ktstr_series_file *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nr_fields; i++)
		ktstr_series_field__free(f->fields[i]);
	free(f->fields);
	for (i = 0; i < f->nr_results; i++)
		free_result(f->results[i]);
	free(f->results);
	free(f);
}

const struct ktstr_series_field *ktstr_series_file__field(const struct ktstr_series_file *f,
							  const char *label)
{
	for (size_t i = 0; i < f->nr_fields; i++)
		if (!strcmp(f->fields[i]->label, label))
			return f->fields[i];
	return NULL;
}

/* Append @field (taken) to @f. */
static int append_field(struct ktstr_series_file *f, struct ktstr_series_field *field)
{
	struct ktstr_series_field **a;

	a = realloc(f->fields, (f->nr_fields + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	f->fields = a;
	a[f->nr_fields++] = field;
	return 0;
}

static int append_result(struct ktstr_series_file *f, struct ktstr_temporal_result *r)
{
	struct ktstr_temporal_result **a;

	a = realloc(f->results, (f->nr_results + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	f->results = a;
	a[f->nr_results++] = r;
	return 0;
}

int ktstr_series_file__add_field(struct ktstr_series_file *f,
				 const struct ktstr_series_field *field)
{
	struct ktstr_series_field *c;
	int err;

	if (!f || !field || !field->label)
		return -EINVAL;
	if (ktstr_series_file__field(f, field->label))
		return -EEXIST;
	c = ktstr_series_field__new(field->label, field->axis);
	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < field->nr_points; i++) {
		err = ktstr_series_field__push(c, &field->points[i]);
		if (err) {
			ktstr_series_field__free(c);
			return err;
		}
	}
	err = append_field(f, c);
	if (err)
		ktstr_series_field__free(c);
	return err;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

int ktstr_series_file__add_result(struct ktstr_series_file *f,
				  const struct ktstr_temporal_result *r)
{
	struct ktstr_temporal_result *c;
	bool oom = false;
	size_t i;

	if (!f || !r)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pass = r->pass;
	c->pattern = dup_or_null(r->pattern ? r->pattern : "", &oom);
	c->label = dup_or_null(r->label ? r->label : "", &oom);
	c->detail = dup_or_null(r->detail, &oom);
	c->has_offender = r->has_offender;
	c->offender_index = r->offender_index;
	if (r->has_offender && copy_point(&c->offender, &r->offender))
		oom = true;
	if (r->nr_skipped) {
		c->skipped = calloc(r->nr_skipped, sizeof(*c->skipped));
		for (i = 0; c->skipped && !oom && i < r->nr_skipped; i++, c->nr_skipped++)
			oom = copy_point(&c->skipped[i], &r->skipped[i]) != 0;
		oom |= !c->skipped;
	}
	if (r->nr_notes) {
		c->notes = calloc(r->nr_notes, sizeof(*c->notes));
		for (i = 0; c->notes && !oom && i < r->nr_notes; i++, c->nr_notes++)
			c->notes[i] = dup_or_null(r->notes[i] ? r->notes[i] : "", &oom);
		oom |= !c->notes;
	}
	if (oom || append_result(f, c)) {
		free_result(c);
		return -ENOMEM;
	}
	return 0;
}

/* ---- equality ----------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static bool double_eq(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return !memcmp(&a, &b, sizeof(a));
}

/* What the file keeps of a point: its value only when there is no error. */
static bool point_eq(const struct ktstr_series_point *a, const struct ktstr_series_point *b)
{
	if (!str_eq(a->tag, b->tag) || a->elapsed_ms != b->elapsed_ms ||
	    a->has_phase != b->has_phase || (a->has_phase && a->phase != b->phase) ||
	    !a->error != !b->error)
		return false;
	if (a->error)
		return str_eq(a->error, b->error);
	if (a->is_u64 != b->is_u64)
		return false;
	return a->is_u64 ? a->u64 == b->u64 : double_eq(a->value, b->value);
}

static bool field_eq(const struct ktstr_series_field *a, const struct ktstr_series_field *b)
{
	if (!str_eq(a->label, b->label) || a->axis != b->axis || a->nr_points != b->nr_points)
		return false;
	for (size_t i = 0; i < a->nr_points; i++)
		if (!point_eq(&a->points[i], &b->points[i]))
			return false;
	return true;
}

static bool result_eq(const struct ktstr_temporal_result *a,
		      const struct ktstr_temporal_result *b)
{
	size_t i;

	if (a->pass != b->pass || !str_eq(a->pattern, b->pattern) ||
	    !str_eq(a->label, b->label) || !str_eq(a->detail, b->detail) ||
	    a->has_offender != b->has_offender || a->nr_skipped != b->nr_skipped ||
	    a->nr_notes != b->nr_notes)
		return false;
	if (a->has_offender && (a->offender_index != b->offender_index ||
				!point_eq(&a->offender, &b->offender)))
		return false;
	for (i = 0; i < a->nr_skipped; i++)
		if (!point_eq(&a->skipped[i], &b->skipped[i]))
			return false;
	for (i = 0; i < a->nr_notes; i++)
		if (!str_eq(a->notes[i], b->notes[i]))
			return false;
	return true;
}

bool ktstr_series_file__equal(const struct ktstr_series_file *a,
			      const struct ktstr_series_file *b)
{
	size_t i;

	if (a->nr_fields != b->nr_fields || a->nr_results != b->nr_results)
		return false;
	for (i = 0; i < a->nr_fields; i++)
		if (!field_eq(a->fields[i], b->fields[i]))
			return false;
	for (i = 0; i < a->nr_results; i++)
		if (!result_eq(a->results[i], b->results[i]))
			return false;
	return true;
}

/* ---- writing ------------------------------------------------------------ */

/* jansson writes reals with 17 significant digits: they read back exactly. */
static json_t *double_json(double v)
{
	if (isnan(v))
		return json_string("NaN");
	if (isinf(v))
		return json_string(v > 0 ? "Infinity" : "-Infinity");
	return json_real(v);
}

/* JSON integers are int64 to jansson: larger ones go as decimal strings. */
static json_t *u64_json(uint64_t v)
{
	char buf[24];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

/* json_object_set_new() takes @v, also when it fails (or @v is NULL). */
static int set(json_t *o, const char *key, json_t *v)
{
	return v && !json_object_set_new(o, key, v) ? 0 : -1;
}

static json_t *point_json(const struct ktstr_series_point *p)
{
	json_t *o = json_object();
	int bad = 0;

	if (!o)
		return NULL;
	bad |= set(o, "tag", json_string(p->tag ? p->tag : ""));
	bad |= set(o, "elapsed_ms", u64_json(p->elapsed_ms));
	if (p->has_phase)
		bad |= set(o, "phase", json_integer(p->phase));
	if (p->error)
		bad |= set(o, "error", json_string(p->error));
	else if (p->is_u64)
		bad |= set(o, "u64", u64_json(p->u64));
	else
		bad |= set(o, "value", double_json(p->value));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Appends and sets below stop at the first failure and free what they took. */
static json_t *field_json(const struct ktstr_series_field *fl)
{
	json_t *o = json_object(), *arr = json_array();
	int bad = !o || !arr;

	for (size_t i = 0; !bad && i < fl->nr_points; i++)
		bad = json_array_append_new(arr, point_json(&fl->points[i]));
	if (!bad) {
		bad |= set(o, "label", json_string(fl->label ? fl->label : ""));
		bad |= set(o, "axis", json_string(ktstr_series_axis__str(fl->axis)));
		bad |= set(o, "samples", arr);
	} else {
		json_decref(arr);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *result_json(const struct ktstr_temporal_result *r)
{
	json_t *o = json_object(), *skipped = json_array(), *notes = json_array(), *off;
	char *text;
	size_t i;
	int bad = !o || !skipped || !notes;

	for (i = 0; !bad && i < r->nr_skipped; i++)
		bad = json_array_append_new(skipped, point_json(&r->skipped[i]));
	for (i = 0; !bad && i < r->nr_notes; i++)
		bad = json_array_append_new(notes, json_string(r->notes[i] ? r->notes[i] : ""));
	if (bad) {
		json_decref(skipped);
		json_decref(notes);
		json_decref(o);
		return NULL;
	}
	bad |= set(o, "pattern", json_string(r->pattern ? r->pattern : ""));
	bad |= set(o, "label", json_string(r->label ? r->label : ""));
	bad |= set(o, "pass", json_boolean(r->pass));
	if (r->has_offender) {
		off = point_json(&r->offender);
		if (off && set(off, "index", u64_json(r->offender_index))) {
			json_decref(off);
			off = NULL;
		}
		bad |= set(o, "offender", off);
	}
	if (r->detail)
		bad |= set(o, "detail", json_string(r->detail));
	bad |= set(o, "skipped", skipped);
	bad |= set(o, "notes", notes);
	/* For whoever reads the file; load ignores it. */
	text = ktstr_temporal_result__render(r);
	bad |= set(o, "text", text ? json_string(text) : NULL);
	free(text);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *file_json(const struct ktstr_series_file *f)
{
	json_t *o = json_object(), *fields = json_array(), *results = json_array();
	int bad = !o || !fields || !results;
	size_t i;

	for (i = 0; !bad && i < f->nr_fields; i++)
		bad = json_array_append_new(fields, field_json(f->fields[i]));
	for (i = 0; !bad && i < f->nr_results; i++)
		bad = json_array_append_new(results, result_json(f->results[i]));
	if (bad) {
		json_decref(fields);
		json_decref(results);
		json_decref(o);
		return NULL;
	}
	bad |= set(o, "schema", json_string(KTSTR_SERIES_FILE_SCHEMA));
	bad |= set(o, "fields", fields);
	bad |= set(o, "results", results);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *ktstr_series_file__to_json(const struct ktstr_series_file *f)
{
	json_t *o = file_json(f);
	char *s;

	if (!o)
		return NULL;
	s = json_dumps(o, JSON_INDENT(1));
	json_decref(o);
	return s;
}

int ktstr_series_file__save(const struct ktstr_series_file *f, const char *path)
{
	char *s = ktstr_series_file__to_json(f);
	FILE *out;
	int err = 0;

	if (!s)
		return -ENOMEM;
	out = fopen(path, "w");
	if (!out) {
		err = -errno;
		free(s);
		return err;
	}
	if (fputs(s, out) == EOF || fputc('\n', out) == EOF)
		err = errno ? -errno : -EIO;
	if (fclose(out) && !err)
		err = errno ? -errno : -EIO;
	free(s);
	return err;
}

/* ---- reading ------------------------------------------------------------ */

/* Refuse keys outside @keys (NULL-terminated): a typo must not pass silently. */
static int check_keys(struct ctx *c, json_t *o, const char *at, const char *const *keys)
{
	const char *key;
	json_t *v;
	char buf[48];
	size_t i;

	json_object_foreach(o, key, v) {
		for (i = 0; keys[i]; i++)
			if (!strcmp(key, keys[i]))
				break;
		if (!keys[i])
			return fail(c, -EINVAL, "%s: unknown key \"%s\"", at,
				    shown(key, buf, sizeof(buf)));
	}
	return 0;
}

static int need_obj(struct ctx *c, json_t *v, const char *at)
{
	return json_is_object(v) ? 0 : fail(c, -EINVAL, "%s: expected an object", at);
}

/* String member @key, copied into *out; absent: -ENOENT unless @required. */
static int get_str(struct ctx *c, json_t *o, const char *key, const char *at,
		   bool required, char **out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return required ? fail(c, -EINVAL, "%s.%s: missing", at, key) : -ENOENT;
	if (!json_is_string(v))
		return fail(c, -EINVAL, "%s.%s: expected a string", at, key);
	*out = strdup(json_string_value(v));
	return *out ? 0 : fail(c, -ENOMEM, "%s.%s: out of memory", at, key);
}

/* A non-negative integer, or a decimal string for one beyond INT64_MAX. */
static int get_u64(struct ctx *c, json_t *o, const char *key, const char *at,
		   uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	char *end;

	if (!v)
		return fail(c, -EINVAL, "%s.%s: missing", at, key);
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return fail(c, -EINVAL, "%s.%s: expected a number >= 0", at, key);
		*out = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		errno = 0;
		*out = strtoull(s, &end, 10);
		if (*s < '0' || *s > '9' || errno || *end)
			return fail(c, -EINVAL, "%s.%s: expected a number", at, key);
	} else {
		return fail(c, -EINVAL, "%s.%s: expected a number", at, key);
	}
	if (*out > max)
		return fail(c, -EINVAL, "%s.%s: %" PRIu64 " is out of range (at most %" PRIu64
			    ")", at, key, *out, max);
	return 0;
}

static int get_double(struct ctx *c, json_t *v, const char *at, double *out)
{
	const char *s;

	if (json_is_real(v)) {
		*out = json_real_value(v);
		return 0;
	}
	if (json_is_integer(v)) {
		*out = (double)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		if (!strcmp(s, "NaN"))
			*out = NAN;
		else if (!strcmp(s, "Infinity"))
			*out = INFINITY;
		else if (!strcmp(s, "-Infinity"))
			*out = -INFINITY;
		else
			s = NULL;
		if (s)
			return 0;
	}
	return fail(c, -EINVAL, "%s.value: expected a number, \"NaN\", \"Infinity\" "
		    "or \"-Infinity\"", at);
}

/* A point into *p (zeroed by the caller; its strings are the caller's to free). */
static int load_point(struct ctx *c, json_t *o, const char *at, bool offender,
		      struct ktstr_series_point *p)
{
	static const char *const keys[] = { "tag", "elapsed_ms", "phase", "value", "u64",
					    "error", NULL };
	static const char *const off_keys[] = { "tag", "elapsed_ms", "phase", "value",
						"u64", "error", "index", NULL };
	json_t *value, *u64, *error;
	uint64_t n;
	int err;

	if ((err = need_obj(c, o, at)) ||
	    (err = check_keys(c, o, at, offender ? off_keys : keys)) ||
	    (err = get_str(c, o, "tag", at, true, &p->tag)) ||
	    (err = get_u64(c, o, "elapsed_ms", at, UINT64_MAX, &p->elapsed_ms)))
		return err;
	if (json_object_get(o, "phase")) {
		if ((err = get_u64(c, o, "phase", at, UINT16_MAX, &n)))
			return err;
		p->has_phase = true;
		p->phase = (uint16_t)n;
	}
	value = json_object_get(o, "value");
	u64 = json_object_get(o, "u64");
	error = json_object_get(o, "error");
	if (!!value + !!u64 + !!error != 1)
		return fail(c, -EINVAL, "%s: needs exactly one of \"value\", \"u64\" and "
			    "\"error\"", at);
	if (error)
		return get_str(c, o, "error", at, true, &p->error);
	if (u64) {
		if ((err = get_u64(c, o, "u64", at, UINT64_MAX, &p->u64)))
			return err;
		p->is_u64 = true;
		p->value = (double)p->u64;
		return 0;
	}
	return get_double(c, value, at, &p->value);
}

static int get_axis(struct ctx *c, json_t *o, const char *at, enum ktstr_series_axis *out)
{
	json_t *v = json_object_get(o, "axis");
	int a;

	if (!v)
		return fail(c, -EINVAL, "%s.axis: missing", at);
	if (json_is_string(v)) {
		for (a = KTSTR_AXIS_NONE; a <= KTSTR_AXIS_CUSTOM; a++) {
			if (!strcmp(json_string_value(v), ktstr_series_axis__str(a))) {
				*out = a;
				return 0;
			}
		}
	}
	return fail(c, -EINVAL, "%s.axis: expected one of \"bpf\", \"stats\", \"host\", "
		    "\"monitor\", \"custom\", \"none\"", at);
}

static int load_field(struct ctx *c, json_t *o, const char *at,
		      struct ktstr_series_field **out)
{
	static const char *const keys[] = { "label", "axis", "samples", NULL };
	enum ktstr_series_axis axis = KTSTR_AXIS_NONE;
	struct ktstr_series_point p;
	struct ktstr_series_field *fl;
	char *label = NULL, pat[SUB_LEN];
	json_t *arr, *v;
	size_t i;
	int err;

	if ((err = need_obj(c, o, at)) || (err = check_keys(c, o, at, keys)) ||
	    (err = get_str(c, o, "label", at, true, &label)))
		return err;
	if ((err = get_axis(c, o, at, &axis))) {
		free(label);
		return err;
	}
	fl = ktstr_series_field__new(label, axis);
	free(label);
	if (!fl)
		return fail(c, -ENOMEM, "%s: out of memory", at);
	arr = json_object_get(o, "samples");
	if (!arr)
		err = fail(c, -EINVAL, "%s.samples: missing", at);
	else if (!json_is_array(arr))
		err = fail(c, -EINVAL, "%s.samples: expected an array", at);
	json_array_foreach(arr, i, v) {
		if (err)
			break;
		snprintf(pat, sizeof(pat), "%s.samples[%zu]", at, i);
		memset(&p, 0, sizeof(p));
		err = load_point(c, v, pat, false, &p);
		if (!err && ktstr_series_field__push(fl, &p))
			err = fail(c, -ENOMEM, "%s: out of memory", pat);
		free_point(&p);
	}
	if (err) {
		ktstr_series_field__free(fl);
		return err;
	}
	*out = fl;
	return 0;
}

static int load_strings(struct ctx *c, json_t *arr, const char *at, char ***out, size_t *n)
{
	json_t *v;
	size_t i;

	if (!json_is_array(arr))
		return fail(c, -EINVAL, "%s: expected an array", at);
	*out = calloc(json_array_size(arr) ?: 1, sizeof(**out));
	if (!*out)
		return fail(c, -ENOMEM, "%s: out of memory", at);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return fail(c, -EINVAL, "%s[%zu]: expected a string", at, i);
		(*out)[i] = strdup(json_string_value(v));
		if (!(*out)[i])
			return fail(c, -ENOMEM, "%s[%zu]: out of memory", at, i);
		(*n)++;
	}
	return 0;
}

static int load_result_members(struct ctx *c, json_t *o, const char *at,
			       struct ktstr_temporal_result *r)
{
	static const char *const keys[] = { "pattern", "label", "pass", "offender", "detail",
					    "skipped", "notes", "text", NULL };
	char sat[SUB_LEN];
	uint64_t idx;
	json_t *v, *p;
	size_t i;
	int err;

	if ((err = need_obj(c, o, at)) || (err = check_keys(c, o, at, keys)) ||
	    (err = get_str(c, o, "pattern", at, true, &r->pattern)) ||
	    (err = get_str(c, o, "label", at, true, &r->label)))
		return err;
	v = json_object_get(o, "pass");
	if (!json_is_boolean(v))
		return fail(c, -EINVAL, "%s.pass: %s", at, v ? "expected true or false" :
			    "missing");
	r->pass = json_is_true(v);
	v = json_object_get(o, "offender");
	if (v) {
		snprintf(sat, sizeof(sat), "%s.offender", at);
		r->has_offender = true;
		if ((err = load_point(c, v, sat, true, &r->offender)) ||
		    (err = get_u64(c, v, "index", sat, SIZE_MAX, &idx)))
			return err;
		r->offender_index = (size_t)idx;
	}
	err = get_str(c, o, "detail", at, false, &r->detail);
	if (err && err != -ENOENT)
		return err;
	v = json_object_get(o, "skipped");
	if (v) {
		if (!json_is_array(v))
			return fail(c, -EINVAL, "%s.skipped: expected an array", at);
		r->skipped = calloc(json_array_size(v) ?: 1, sizeof(*r->skipped));
		if (!r->skipped)
			return fail(c, -ENOMEM, "%s.skipped: out of memory", at);
		json_array_foreach(v, i, p) {
			snprintf(sat, sizeof(sat), "%s.skipped[%zu]", at, i);
			r->nr_skipped++;
			if ((err = load_point(c, p, sat, false, &r->skipped[i])))
				return err;
		}
	}
	v = json_object_get(o, "notes");
	if (v) {
		snprintf(sat, sizeof(sat), "%s.notes", at);
		if ((err = load_strings(c, v, sat, &r->notes, &r->nr_notes)))
			return err;
	}
	v = json_object_get(o, "text");
	if (v && !json_is_string(v))
		return fail(c, -EINVAL, "%s.text: expected a string", at);
	return 0;
}

static int load_doc(struct ctx *c, json_t *root, struct ktstr_series_file *f)
{
	static const char *const keys[] = { "schema", "fields", "results", NULL };
	struct ktstr_temporal_result *r;
	struct ktstr_series_field *fl = NULL;
	char at[AT_LEN], buf[48];
	json_t *v, *arr;
	size_t i;
	int err;

	if (!json_is_object(root))
		return fail(c, -EINVAL, "document: expected an object");
	v = json_object_get(root, "schema");
	if (!v)
		return fail(c, -EINVAL, "schema: missing (not a series file)");
	if (!json_is_string(v) || strcmp(json_string_value(v), KTSTR_SERIES_FILE_SCHEMA))
		return fail(c, -EINVAL, "schema: expected \"%s\", got %s%s%s",
			    KTSTR_SERIES_FILE_SCHEMA, json_is_string(v) ? "\"" : "",
			    json_is_string(v) ? shown(json_string_value(v), buf, sizeof(buf)) :
			    "something else than a string", json_is_string(v) ? "\"" : "");
	if ((err = check_keys(c, root, "document", keys)))
		return err;

	arr = json_object_get(root, "fields");
	if (!arr)
		return fail(c, -EINVAL, "fields: missing");
	if (!json_is_array(arr))
		return fail(c, -EINVAL, "fields: expected an array");
	json_array_foreach(arr, i, v) {
		snprintf(at, sizeof(at), "fields[%zu]", i);
		if ((err = load_field(c, v, at, &fl)))
			return err;
		/* --field picks by label: two of one name would be ambiguous. */
		if (ktstr_series_file__field(f, fl->label)) {
			err = fail(c, -EINVAL, "%s.label: \"%s\" is there twice", at,
				   shown(fl->label, buf, sizeof(buf)));
			ktstr_series_field__free(fl);
			return err;
		}
		if (append_field(f, fl)) {
			ktstr_series_field__free(fl);
			return fail(c, -ENOMEM, "%s: out of memory", at);
		}
	}

	arr = json_object_get(root, "results");
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return fail(c, -EINVAL, "results: expected an array");
	json_array_foreach(arr, i, v) {
		snprintf(at, sizeof(at), "results[%zu]", i);
		r = calloc(1, sizeof(*r));
		if (!r)
			return fail(c, -ENOMEM, "%s: out of memory", at);
		err = load_result_members(c, v, at, r);
		if (!err && append_result(f, r))
			err = fail(c, -ENOMEM, "%s: out of memory", at);
		if (err) {
			free_result(r);
			return err;
		}
	}
	return 0;
}

static int load_root(struct ctx *c, json_t *root, struct ktstr_series_file **out)
{
	struct ktstr_series_file *f = ktstr_series_file__new();
	int err;

	if (!f)
		return fail(c, -ENOMEM, "out of memory");
	err = load_doc(c, root, f);
	if (err) {
		ktstr_series_file__free(f);
		return err;
	}
	*out = f;
	return 0;
}

/* Duplicate keys would make "the" value of a member a guess: refuse them. */
#define LOAD_FLAGS	JSON_REJECT_DUPLICATES

int ktstr_series_file__from_json(const char *text, size_t len,
				 struct ktstr_series_file **out,
				 char *err, size_t err_len)
{
	struct ctx c = { err, err_len };
	json_error_t jerr;
	json_t *root;
	int ret;

	*out = NULL;
	root = json_loadb(text, len, LOAD_FLAGS, &jerr);
	if (!root)
		return fail(&c, -EINVAL, "line %d column %d: %s", jerr.line,
			    jerr.column, jerr.text);
	ret = load_root(&c, root, out);
	json_decref(root);
	return ret;
}

int ktstr_series_file__load(const char *path, struct ktstr_series_file **out,
			    char *err, size_t err_len)
{
	struct ctx c = { err, err_len };
	json_error_t jerr;
	json_t *root;
	FILE *in;
	int ret;

	*out = NULL;
	in = fopen(path, "r");
	if (!in) {
		ret = -errno;
		return fail(&c, ret, "%s", strerror(-ret));
	}
	errno = 0;
	root = json_loadf(in, LOAD_FLAGS, &jerr);
	/* A read error (a directory: EISDIR) is not a syntax error at its end. */
	if (ferror(in)) {
		ret = errno ? -errno : -EIO;
		json_decref(root);
		fclose(in);
		return fail(&c, ret, "%s", strerror(-ret));
	}
	fclose(in);
	if (!root)
		return fail(&c, -EINVAL, "line %d column %d: %s", jerr.line,
			    jerr.column, jerr.text);
	ret = load_root(&c, root, out);
	json_decref(root);
	return ret;
}
