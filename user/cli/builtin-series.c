// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr series show FILE [--field LABEL]...
 * ktstr series plot FILE -o OUT.svg [--field LABEL]...
 *
 * Look at a saved series file (series.h, "series file"): show prints one
 * row per sample with a column per field, then the pattern results; plot
 * writes an SVG of the fields over elapsed time with the phase boundaries
 * and the samples a pattern failed on. Without --field, every field.
 *
 * Exit status: 0 done, 1 the file or a field is not usable, 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktstr/series.h>
#include <ktstr/svg_plot.h>

#include "builtin.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: ktstr series show FILE [--field LABEL]...\n"
		"       ktstr series plot FILE -o OUT.svg [--field LABEL]...\n");
	return 2;
}

struct opts {
	const char *file;
	const char *out;
	const char **labels;
	size_t nr_labels;
};

/* "--field X", "--field=X", "-o X", "-o=X" / "--output X"; 0, or 2 for usage. */
static int parse(int argc, char **argv, bool want_out, struct opts *o)
{
	const char *a, *v;
	int i;

	o->labels = calloc(argc + 1, sizeof(*o->labels));
	if (!o->labels)
		return 1;
	for (i = 0; i < argc; i++) {
		a = argv[i];
		v = NULL;
		if (!strncmp(a, "--field=", 8)) {
			v = a + 8;
		} else if (!strcmp(a, "--field")) {
			if (++i == argc)
				return usage();
			v = argv[i];
		}
		if (v) {
			o->labels[o->nr_labels++] = v;
			continue;
		}
		if (want_out && (!strcmp(a, "-o") || !strcmp(a, "--output"))) {
			if (++i == argc)
				return usage();
			o->out = argv[i];
		} else if (want_out && !strncmp(a, "--output=", 9)) {
			o->out = a + 9;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "ktstr series: unknown option '%s'\n", a);
			return usage();
		} else if (!o->file) {
			o->file = a;
		} else {
			return usage();
		}
	}
	if (!o->file || (want_out && !o->out))
		return usage();
	return 0;
}

static struct ktstr_series_file *load(const char *path)
{
	struct ktstr_series_file *f;
	char err[256];

	if (ktstr_series_file__load(path, &f, err, sizeof(err))) {
		fprintf(stderr, "ktstr series: %s: %s\n", path, err);
		return NULL;
	}
	return f;
}

/* The fields asked for (all when none were), in the order asked; 0 or 1. */
static int select_fields(const struct ktstr_series_file *f, const struct opts *o,
			 const struct ktstr_series_field ***out, size_t *n)
{
	const struct ktstr_series_field **sel;
	size_t i, j;

	sel = calloc(o->nr_labels ? o->nr_labels : f->nr_fields ? f->nr_fields : 1,
		     sizeof(*sel));
	if (!sel)
		return 1;
	if (!o->nr_labels) {
		for (i = 0; i < f->nr_fields; i++)
			sel[i] = f->fields[i];
		*out = sel;
		*n = f->nr_fields;
		return 0;
	}
	for (i = 0; i < o->nr_labels; i++) {
		sel[i] = ktstr_series_file__field(f, o->labels[i]);
		if (sel[i])
			continue;
		fprintf(stderr, "ktstr series: %s has no field '%s'; it has:", o->file,
			o->labels[i]);
		for (j = 0; j < f->nr_fields; j++)
			fprintf(stderr, "%s '%s'", j ? "," : "", f->fields[j]->label);
		fprintf(stderr, "%s\n", f->nr_fields ? "" : " none");
		free(sel);
		return 1;
	}
	*out = sel;
	*n = o->nr_labels;
	return 0;
}

static bool selected(const struct ktstr_series_field **sel, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(sel[i]->label, label))
			return true;
	return false;
}

/* The shortest "%.*g" that reads back to @v, so a table shows 0.1 as 0.1. */
static void fmt_double(char *buf, size_t len, double v)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void fmt_point_value(char *buf, size_t len, const struct ktstr_series_point *p)
{
	if (p->is_u64)
		snprintf(buf, len, "%" PRIu64, p->u64);
	else
		fmt_double(buf, len, p->value);
}

static char *phase_name(const struct ktstr_series_point *p)
{
	char *s = NULL;

	if (!p->has_phase)
		return strdup("-");
	if (p->phase == KTSTR_PHASE_BASELINE)
		return strdup("BASELINE");
	if (asprintf(&s, "step %u", p->phase) < 0)
		return NULL;
	return s;
}

/*
 * A copy of @s fit for a terminal: control characters as \xNN. The file
 * is user data; it must not get to move the cursor or clear the screen.
 */
static char *term_safe(const char *s)
{
	size_t n = 0, i;
	char *d;

	for (i = 0; s[i]; i++)
		n += ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? 4 : 1;
	d = malloc(n + 1);
	if (!d)
		return NULL;
	for (n = 0, i = 0; s[i]; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			n += sprintf(d + n, "\\x%02x", (unsigned char)s[i]);
		else
			d[n++] = s[i];
	}
	d[n] = '\0';
	return d;
}

/* Display width, one column per UTF-8 character (load checked the encoding). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad_print(const char *s, size_t w, bool last)
{
	size_t n = width(s);

	fputs(s, stdout);
	if (!last)
		for (; n < w + 2; n++)
			fputc(' ', stdout);
}

/*
 * Rows: the samples of every shown field, matched by tag and elapsed time
 * (the fields of one run share their samples; a monitor field's "run"
 * point gets its own row), ordered by elapsed time.
 */
struct row {
	const char *tag;
	uint64_t elapsed_ms;
	const struct ktstr_series_point *first;	/* gives the phase */
	size_t order;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->elapsed_ms != y->elapsed_ms)
		return x->elapsed_ms < y->elapsed_ms ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* cells[r * nf + j]: field j's point in row r, or NULL. */
static int build_rows(const struct ktstr_series_field **sel, size_t nf,
		      struct row **rows_out, size_t *nr_out,
		      const struct ktstr_series_point ***cells_out)
{
	const struct ktstr_series_point **cells = NULL, **nc, *p;
	struct row *rows = NULL, *nr;
	size_t total = 0, n = 0, i, j, r;
	int err = 1;

	for (j = 0; j < nf; j++)
		total += sel[j]->nr_points;
	rows = calloc(total ? total : 1, sizeof(*rows));
	cells = calloc(total && nf ? total * nf : 1, sizeof(*cells));
	if (!rows || !cells)
		goto out;
	for (j = 0; j < nf; j++) {
		for (i = 0; i < sel[j]->nr_points; i++) {
			p = &sel[j]->points[i];
			/* Same index first: fields of one series line up. */
			r = i;
			if (r >= n || cells[r * nf + j] || strcmp(rows[r].tag, p->tag) ||
			    rows[r].elapsed_ms != p->elapsed_ms) {
				for (r = 0; r < n; r++)
					if (!cells[r * nf + j] && !strcmp(rows[r].tag, p->tag) &&
					    rows[r].elapsed_ms == p->elapsed_ms)
						break;
			}
			if (r == n) {
				rows[n].tag = p->tag;
				rows[n].elapsed_ms = p->elapsed_ms;
				rows[n].first = p;
				rows[n].order = n;
				n++;
			}
			cells[r * nf + j] = p;
		}
	}
	/* Sort rows and their cells together: sort an index, then permute. */
	nr = malloc((n ? n : 1) * sizeof(*nr));
	nc = malloc((n && nf ? n * nf : 1) * sizeof(*nc));
	if (!nr || !nc) {
		free(nr);
		free(nc);
		goto out;
	}
	memcpy(nr, rows, n * sizeof(*nr));
	qsort(nr, n, sizeof(*nr), row_cmp);
	for (r = 0; r < n; r++)
		memcpy(&nc[r * nf], &cells[nr[r].order * nf], nf * sizeof(*nc));
	free(rows);
	free(cells);
	rows = nr;
	cells = nc;
	err = 0;
out:
	if (err) {
		free(rows);
		free(cells);
		return err;
	}
	*rows_out = rows;
	*nr_out = n;
	*cells_out = cells;
	return 0;
}

static int show(const struct ktstr_series_file *f, const struct ktstr_series_field **sel,
		size_t nf)
{
	const struct ktstr_series_point **cells = NULL, *p;
	size_t nrows = 0, ncols = nf + 3, r, j, *w = NULL;
	struct row *rows = NULL;
	char **text = NULL, buf[64];
	const char *sep;
	int ret = 1;

	if (build_rows(sel, nf, &rows, &nrows, &cells))
		goto oom;
	/* text[(r + 1) * ncols + c]; row 0 is the header. */
	text = calloc((nrows + 1) * ncols, sizeof(*text));
	w = calloc(ncols, sizeof(*w));
	if (!text || !w)
		goto oom;
	text[0] = strdup("tag");
	text[1] = strdup("elapsed_ms");
	text[2] = strdup("phase");
	for (j = 0; j < nf; j++)
		text[3 + j] = term_safe(sel[j]->label);
	for (r = 0; r < nrows; r++) {
		char **t = &text[(r + 1) * ncols];

		t[0] = term_safe(rows[r].tag);
		snprintf(buf, sizeof(buf), "%" PRIu64, rows[r].elapsed_ms);
		t[1] = strdup(buf);
		t[2] = phase_name(rows[r].first);
		for (j = 0; j < nf; j++) {
			p = cells[r * nf + j];
			if (!p) {
				t[3 + j] = strdup("");
			} else if (p->error) {
				char *e = term_safe(p->error);

				if (e && asprintf(&t[3 + j], "(%s)", e) < 0)
					t[3 + j] = NULL;
				free(e);
			} else {
				fmt_point_value(buf, sizeof(buf), p);
				t[3 + j] = strdup(buf);
			}
		}
	}
	for (r = 0; r < (nrows + 1) * ncols; r++) {
		if (!text[r])
			goto oom;
		if (width(text[r]) > w[r % ncols])
			w[r % ncols] = width(text[r]);
	}
	for (r = 0; r < nrows + 1; r++) {
		size_t last = 0;

		/* No padding after the last cell with something in it. */
		for (j = 0; j < ncols; j++)
			if (*text[r * ncols + j])
				last = j;
		for (j = 0; j <= last; j++)
			pad_print(text[r * ncols + j], w[j], j == last);
		fputc('\n', stdout);
	}

	/* The results over the fields shown, after a blank line. */
	sep = "\n";
	for (r = 0; r < f->nr_results; r++) {
		const struct ktstr_temporal_result *res = f->results[r];
		char *s, *safe;

		if (!selected(sel, nf, res->label))
			continue;
		s = ktstr_temporal_result__render(res);
		safe = s ? term_safe(s) : NULL;
		free(s);
		if (!safe)
			goto oom;
		printf("%s%s %s\n", sep, res->pass ? "PASS" : "FAIL", safe);
		sep = "";
		for (j = 0; j < res->nr_notes; j++) {
			free(safe);
			safe = term_safe(res->notes[j]);
			if (!safe)
				goto oom;
			printf("     note: %s\n", safe);
		}
		free(safe);
	}
	ret = fflush(stdout) ? 1 : 0;
	goto out;
oom:
	fprintf(stderr, "ktstr series: out of memory\n");
out:
	if (text)
		for (r = 0; r < (nrows + 1) * ncols; r++)
			free(text[r]);
	free(text);
	free(w);
	free(rows);
	free(cells);
	return ret;
}

/* ---- plot ---------------------------------------------------------------- */

struct plot_line {
	struct ktstr_plot_point *pts;
	char **titles, **fails;
	size_t n;
};

static void free_plot_line(struct plot_line *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->titles[i]);
		free(pl->fails[i]);
	}
	free(pl->pts);
	free(pl->titles);
	free(pl->fails);
}

/* The point of @fl a failing @r names: by index, checked against the tag. */
static ssize_t offender_point(const struct ktstr_series_field *fl,
			      const struct ktstr_temporal_result *r)
{
	const struct ktstr_series_point *o = &r->offender;

	if (r->offender_index < fl->nr_points &&
	    !strcmp(fl->points[r->offender_index].tag, o->tag) &&
	    fl->points[r->offender_index].elapsed_ms == o->elapsed_ms)
		return (ssize_t)r->offender_index;
	for (size_t i = 0; i < fl->nr_points; i++)
		if (!strcmp(fl->points[i].tag, o->tag) && fl->points[i].elapsed_ms == o->elapsed_ms)
			return (ssize_t)i;
	return -1;
}

/* Append "\n" + @s to *dst. */
static int append_line(char **dst, const char *s)
{
	char *n;

	if (asprintf(&n, "%s%s%s", *dst ? *dst : "", *dst ? "\n" : "", s) < 0)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static int build_plot_line(const struct ktstr_series_file *f,
			   const struct ktstr_series_field *fl, struct plot_line *pl)
{
	const struct ktstr_series_point *p;
	char val[64];
	ssize_t at;
	size_t i;

	pl->n = fl->nr_points;
	pl->pts = calloc(pl->n ? pl->n : 1, sizeof(*pl->pts));
	pl->titles = calloc(pl->n ? pl->n : 1, sizeof(*pl->titles));
	pl->fails = calloc(pl->n ? pl->n : 1, sizeof(*pl->fails));
	if (!pl->pts || !pl->titles || !pl->fails)
		return -ENOMEM;
	for (i = 0; i < pl->n; i++) {
		p = &fl->points[i];
		pl->pts[i].x = (double)p->elapsed_ms;
		pl->pts[i].has_y = !p->error;
		pl->pts[i].y = p->value;
		if (!p->error)
			fmt_point_value(val, sizeof(val), p);
		if (asprintf(&pl->titles[i], "%s: %s at %s (t=%" PRIu64 " ms)%s%s",
			     fl->label, p->error ? "no value" : val, p->tag, p->elapsed_ms,
			     p->error ? ": " : "", p->error ? p->error : "") < 0) {
			pl->titles[i] = NULL;
			return -ENOMEM;
		}
		pl->pts[i].title = pl->titles[i];
	}
	for (i = 0; i < f->nr_results; i++) {
		const struct ktstr_temporal_result *r = f->results[i];
		char *text;
		int err;

		if (r->pass || !r->has_offender || strcmp(r->label, fl->label))
			continue;
		at = offender_point(fl, r);
		if (at < 0)
			continue;
		text = ktstr_temporal_result__render(r);
		if (!text)
			return -ENOMEM;
		err = append_line(&pl->fails[at], text);
		free(text);
		if (err)
			return err;
		pl->pts[at].fail = pl->fails[at];
	}
	return 0;
}

static char *phase_label(uint16_t phase)
{
	char *s;

	if (phase == KTSTR_PHASE_BASELINE)
		return strdup("BASELINE");
	return asprintf(&s, "step %u", phase) < 0 ? NULL : s;
}

/*
 * A boundary where a field's stamped phase changes (unstamped points do
 * not count), at the first sample of the new phase; the same boundary
 * seen in several fields is drawn once.
 */
static int phase_lines(const struct ktstr_series_field **sel, size_t nf,
		       struct ktstr_plot_vline **out, size_t *n)
{
	struct ktstr_plot_vline *v = NULL, *nv;
	uint16_t *phases = NULL, *np;
	size_t cnt = 0, i, j, k;
	bool have;
	uint16_t prev;

	for (j = 0; j < nf; j++) {
		have = false;
		prev = 0;
		for (i = 0; i < sel[j]->nr_points; i++) {
			const struct ktstr_series_point *p = &sel[j]->points[i];

			if (!p->has_phase || (have && p->phase == prev))
				continue;
			have = true;
			prev = p->phase;
			for (k = 0; k < cnt; k++)
				if (phases[k] == p->phase && v[k].x == (double)p->elapsed_ms)
					break;
			if (k < cnt)
				continue;
			nv = realloc(v, (cnt + 1) * sizeof(*v));
			if (nv)
				v = nv;
			np = realloc(phases, (cnt + 1) * sizeof(*phases));
			if (np)
				phases = np;
			if (!nv || !np)
				goto oom;
			v[cnt].x = (double)p->elapsed_ms;
			v[cnt].label = phase_label(p->phase);
			phases[cnt] = p->phase;
			if (!v[cnt].label)
				goto oom;
			cnt++;
		}
	}
	free(phases);
	*out = v;
	*n = cnt;
	return 0;
oom:
	for (k = 0; k < cnt; k++)
		free((char *)v[k].label);
	free(v);
	free(phases);
	return -ENOMEM;
}

static int plot(const struct ktstr_series_file *f, const struct ktstr_series_field **sel,
		size_t nf, const struct opts *o)
{
	struct ktstr_plot_vline *vl = NULL;
	struct ktstr_plot_line *lines;
	struct plot_line *pls;
	struct ktstr_plot p = { 0 };
	size_t nvl = 0, j;
	char *title = NULL;
	FILE *out = NULL;
	int ret = 1, err = 0;

	lines = calloc(nf ? nf : 1, sizeof(*lines));
	pls = calloc(nf ? nf : 1, sizeof(*pls));
	if (!lines || !pls)
		goto oom;
	for (j = 0; j < nf; j++) {
		if (build_plot_line(f, sel[j], &pls[j]))
			goto oom;
		lines[j].label = sel[j]->label;
		lines[j].points = pls[j].pts;
		lines[j].nr_points = pls[j].n;
	}
	if (phase_lines(sel, nf, &vl, &nvl))
		goto oom;
	if (asprintf(&title, "ktstr series: %s", o->file) < 0) {
		title = NULL;
		goto oom;
	}
	p.title = title;
	p.x_label = "elapsed (ms)";
	p.y_label = "value";
	p.lines = lines;
	p.nr_lines = nf;
	p.vlines = vl;
	p.nr_vlines = nvl;

	out = fopen(o->out, "w");
	if (!out) {
		fprintf(stderr, "ktstr series: %s: %s\n", o->out, strerror(errno));
		goto done;
	}
	err = ktstr_plot__write_svg(&p, out);
	if (fclose(out) && !err)
		err = -errno;
	if (err) {
		fprintf(stderr, "ktstr series: %s: %s\n", o->out, strerror(-err));
		unlink(o->out);
		goto done;
	}
	ret = 0;
	goto done;
oom:
	fprintf(stderr, "ktstr series: out of memory\n");
done:
	for (j = 0; pls && j < nf; j++)
		free_plot_line(&pls[j]);
	for (j = 0; j < nvl; j++)
		free((char *)vl[j].label);
	free(vl);
	free(pls);
	free(lines);
	free(title);
	return ret;
}

int cmd_series(int argc, char **argv)
{
	const struct ktstr_series_field **sel = NULL;
	struct ktstr_series_file *f;
	struct opts o = { 0 };
	bool is_plot;
	size_t nf = 0;
	int ret;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return 0;
	}
	if (strcmp(argv[1], "show") && strcmp(argv[1], "plot"))
		return usage();
	is_plot = !strcmp(argv[1], "plot");
	ret = parse(argc - 2, argv + 2, is_plot, &o);
	if (ret)
		goto out;
	ret = 1;
	f = load(o.file);
	if (!f)
		goto out;
	if (!select_fields(f, &o, &sel, &nf))
		ret = is_plot ? plot(f, sel, nf, &o) : show(f, sel, nf);
	free(sel);
	ktstr_series_file__free(f);
out:
	free(o.labels);
	return ret;
}
