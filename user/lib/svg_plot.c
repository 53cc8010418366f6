// SPDX-License-Identifier: GPL-2.0
/*
 * A self-contained SVG line chart: axes with "nice" ticks, one group per
 * line, vertical markers, a legend. Nothing in it needs a script or an
 * external resource, so the file opens anywhere, offline.
 *
 * Every coordinate is computed from doubles the caller gave us, which may
 * be anything (1e308, -0.0, denormals, NaN): scaling halves both ends
 * before subtracting so a span near DBL_MAX does not overflow, and every
 * coordinate written is finite.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <ktstr/svg_plot.h>

#define W		960
#define H		540
#define PLOT_L		90.0
#define PLOT_R		(W - 230.0)
#define PLOT_T		50.0
#define PLOT_B		(H - 70.0)
#define LEGEND_X	(PLOT_R + 20.0)
/* Data sit this far inside the frame, so edge points do not sit on it. */
#define PAD		12.0
#define DATA_L		(PLOT_L + PAD)
#define DATA_R		(PLOT_R - PAD)
#define DATA_T		(PLOT_T + PAD)
#define DATA_B		(PLOT_B - PAD)
#define MAX_TICKS	12
/* Legend and phase labels are cut to this many characters; titles are not. */
#define LABEL_CHARS	32

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
	"#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79",
};
#define FAIL_COLOR	"#d62728"

/*
 * Length of the well-formed UTF-8 sequence at @s that XML 1.0 admits as a
 * character, or 0 when there is none there (bad byte, overlong form,
 * surrogate, beyond U+10FFFF, a control character, U+FFFE/U+FFFF).
 */
static size_t xml_char_len(const unsigned char *s)
{
	uint32_t cp, min;
	size_t n, i;

	if (s[0] < 0x80) {
		if (s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' && s[0] != '\r')
			return 0;
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	/* Stops at the NUL too: it is not a continuation byte. */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* Write @s escaped, at most @max characters (0: all), "…" when cut. */
static void put_text(FILE *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t chars = 0, n;

	while (*p) {
		if (max && chars == max) {
			fputs("\xe2\x80\xa6", out);
			return;
		}
		n = xml_char_len(p);
		chars++;
		if (!n) {
			fputs("\xef\xbf\xbd", out);	/* U+FFFD */
			p++;
			continue;
		}
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default: fwrite(p, 1, n, out); break;
		}
		p += n;
	}
}

int ktstr_plot__write_escaped(FILE *out, const char *s)
{
	put_text(out, s, 0);
	return ferror(out) ? -EIO : 0;
}

static void put_title(FILE *out, const char *s)
{
	if (!s)
		return;
	fputs("<title>", out);
	put_text(out, s, 0);
	fputs("</title>", out);
}

/*
 * floor, ceil, powers of ten by hand: libktstr's users link it without
 * libm (and these need no more than exact integer rounding).
 */
static double rnd_down(double v)
{
	double t;

	if (!(fabs(v) < 9.0e15))	/* integral already (or not finite) */
		return v;
	t = (double)(int64_t)v;
	return t > v ? t - 1 : t;
}

static double rnd_up(double v)
{
	return -rnd_down(-v);
}

/* The largest power of ten <= @v (v > 0, finite). */
static double pow10_below(double v)
{
	double m = 1;

	while (m * 10 <= v)
		m *= 10;
	while (m > v && m > 0)
		m /= 10;
	return m;
}

static double min_d(double a, double b)
{
	return b < a ? b : a;
}

static double max_d(double a, double b)
{
	return b > a ? b : a;
}

struct axis {
	double lo, hi;
	double ticks[MAX_TICKS];
	int nr_ticks;
};

/* Position of @v on [@p0, @p1] for the axis range; always finite. */
static double scale(const struct axis *a, double v, double p0, double p1)
{
	double num = v / 2 - a->lo / 2, den = a->hi / 2 - a->lo / 2, t;

	if (!(den > 0)) {
		/* Denormal spans vanish when halved. */
		num = v - a->lo;
		den = a->hi - a->lo;
	}
	t = den > 0 ? num / den : 0.5;
	if (!isfinite(t))
		t = 0.5;
	if (t < -0.05)
		t = -0.05;
	if (t > 1.05)
		t = 1.05;
	return p0 + t * (p1 - p0);
}

/* Round [lo, hi] out to a 1-2-5 step and list the ticks inside. */
static void axis_init(struct axis *a, double lo, double hi)
{
	double pad, span, raw, mag, norm, step, nlo, nhi, t, prev;
	int i;

	if (!(lo <= hi) || !isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (lo == hi) {
		pad = fabs(lo) * 0.1;
		if (lo - pad == lo)
			pad = 1;
		lo -= pad;
		hi += pad;
	}
	a->lo = lo;
	a->hi = hi;
	a->nr_ticks = 0;

	span = hi / 2 - lo / 2;
	raw = span * 0.4;	/* about five steps over the whole span */
	step = 0;
	if (raw > 0 && isfinite(raw)) {
		mag = pow10_below(raw);
		norm = raw / mag;
		step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
	}
	if (step > 0 && isfinite(step)) {
		nlo = rnd_down(lo / step) * step;
		nhi = rnd_up(hi / step) * step;
		if (isfinite(nlo) && isfinite(nhi)) {
			a->lo = nlo;
			a->hi = nhi;
		}
		prev = NAN;
		for (i = 0; i < MAX_TICKS; i++) {
			t = a->lo + i * step;
			if (!isfinite(t) || t > a->hi || t == prev)
				break;
			/* lo + i * step leaves 1e-17 where 0 was meant. */
			if (fabs(t) < step * 1e-9)
				t = 0;
			a->ticks[a->nr_ticks++] = t;
			prev = t;
		}
	}
	if (a->nr_ticks < 2) {
		a->ticks[0] = a->lo;
		a->ticks[1] = a->hi;
		a->nr_ticks = 2;
	}
}

static bool drawable(const struct ktstr_plot_point *pt)
{
	return pt->has_y && isfinite(pt->y);
}

static void data_ranges(const struct ktstr_plot *p, struct axis *ax, struct axis *ay)
{
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	size_t i, j;

	for (i = 0; i < p->nr_lines; i++) {
		for (j = 0; j < p->lines[i].nr_points; j++) {
			const struct ktstr_plot_point *pt = &p->lines[i].points[j];

			if (isfinite(pt->x)) {
				xlo = min_d(xlo, pt->x);
				xhi = max_d(xhi, pt->x);
			}
			if (drawable(pt)) {
				ylo = min_d(ylo, pt->y);
				yhi = max_d(yhi, pt->y);
			}
		}
	}
	for (i = 0; i < p->nr_vlines; i++) {
		if (isfinite(p->vlines[i].x)) {
			xlo = min_d(xlo, p->vlines[i].x);
			xhi = max_d(xhi, p->vlines[i].x);
		}
	}
	axis_init(ax, xlo, xhi);
	axis_init(ay, ylo, yhi);
}

static void write_axes(FILE *out, const struct ktstr_plot *p,
		       const struct axis *ax, const struct axis *ay)
{
	double v;
	int i;

	fputs("<g class=\"axes\" stroke=\"#000\" fill=\"#000\">\n", out);
	fprintf(out, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
		"fill=\"none\"/>\n", PLOT_L, PLOT_T, PLOT_R - PLOT_L, PLOT_B - PLOT_T);
	for (i = 0; i < ax->nr_ticks; i++) {
		v = scale(ax, ax->ticks[i], DATA_L, DATA_R);
		fprintf(out, "<line class=\"xtick\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
			"y2=\"%.2f\"/>", v, PLOT_B, v, PLOT_B + 5);
		fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" stroke=\"none\" "
			"text-anchor=\"middle\">%.6g</text>\n", v, PLOT_B + 18, ax->ticks[i]);
	}
	for (i = 0; i < ay->nr_ticks; i++) {
		v = scale(ay, ay->ticks[i], DATA_B, DATA_T);
		fprintf(out, "<line class=\"ytick\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
			"y2=\"%.2f\"/>", PLOT_L - 5, v, PLOT_L, v);
		fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
			"stroke=\"#ddd\"/>", PLOT_L, v, PLOT_R, v);
		fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" stroke=\"none\" "
			"text-anchor=\"end\">%.6g</text>\n", PLOT_L - 8, v + 4, ay->ticks[i]);
	}
	fprintf(out, "<text class=\"xlabel\" x=\"%.2f\" y=\"%.2f\" stroke=\"none\" "
		"text-anchor=\"middle\">", (PLOT_L + PLOT_R) / 2, PLOT_B + 45);
	put_text(out, p->x_label, 0);
	fputs("</text>\n", out);
	fprintf(out, "<text class=\"ylabel\" stroke=\"none\" text-anchor=\"middle\" "
		"transform=\"translate(%.2f,%.2f) rotate(-90)\">", 20.0, (PLOT_T + PLOT_B) / 2);
	put_text(out, p->y_label, 0);
	fputs("</text>\n</g>\n", out);
}

static void write_vlines(FILE *out, const struct ktstr_plot *p, const struct axis *ax)
{
	double x;

	for (size_t i = 0; i < p->nr_vlines; i++) {
		if (!isfinite(p->vlines[i].x))
			continue;
		x = scale(ax, p->vlines[i].x, DATA_L, DATA_R);
		fputs("<g class=\"phase\">", out);
		put_title(out, p->vlines[i].label);
		fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
			"stroke=\"#555\" stroke-dasharray=\"4 3\"/>", x, PLOT_T, x, PLOT_B);
		fprintf(out, "<text x=\"0\" y=\"0\" font-size=\"11\" fill=\"#555\" "
			"transform=\"translate(%.2f,%.2f) rotate(90)\">", x + 3, PLOT_T + 4);
		put_text(out, p->vlines[i].label, LABEL_CHARS);
		fputs("</text></g>\n", out);
	}
}

static void write_line(FILE *out, const struct ktstr_plot_line *l, const char *color,
		       const struct axis *ax, const struct axis *ay)
{
	const struct ktstr_plot_point *pt;
	double x, y;
	size_t j;
	bool open = false;

	fprintf(out, "<g class=\"series\" stroke=\"%s\" fill=\"%s\">", color, color);
	put_title(out, l->label);
	fputc('\n', out);
	/* One polyline per run of points that have values: a gap breaks it. */
	for (j = 0; j < l->nr_points; j++) {
		pt = &l->points[j];
		if (!drawable(pt) || !isfinite(pt->x)) {
			if (open)
				fputs("\"/>\n", out);
			open = false;
			continue;
		}
		x = scale(ax, pt->x, DATA_L, DATA_R);
		y = scale(ay, pt->y, DATA_B, DATA_T);
		if (!open)
			fputs("<polyline class=\"line\" fill=\"none\" stroke-width=\"1.5\" "
			      "points=\"", out);
		else
			fputc(' ', out);
		fprintf(out, "%.2f,%.2f", x, y);
		open = true;
	}
	if (open)
		fputs("\"/>\n", out);

	for (j = 0; j < l->nr_points; j++) {
		pt = &l->points[j];
		x = isfinite(pt->x) ? scale(ax, pt->x, DATA_L, DATA_R) : DATA_L;
		if (drawable(pt)) {
			y = scale(ay, pt->y, DATA_B, DATA_T);
			fprintf(out, "<circle class=\"point\" cx=\"%.2f\" cy=\"%.2f\" "
				"r=\"2.5\" stroke=\"none\">", x, y);
			put_title(out, pt->title);
			fputs("</circle>\n", out);
		} else {
			/* No value: a cross sitting on the x axis. */
			y = PLOT_B - 6;
			fprintf(out, "<path class=\"gap\" d=\"M%.2f,%.2f l8,8 m0,-8 l-8,8\" "
				"fill=\"none\" stroke-width=\"2\">", x - 4, y - 4);
			put_title(out, pt->title);
			fputs("</path>\n", out);
		}
		if (pt->fail) {
			fprintf(out, "<circle class=\"fail\" cx=\"%.2f\" cy=\"%.2f\" r=\"7\" "
				"fill=\"none\" stroke=\"" FAIL_COLOR "\" stroke-width=\"2.5\">",
				x, y);
			put_title(out, pt->fail);
			fputs("</circle>\n", out);
		}
	}
	fputs("</g>\n", out);
}

static void write_legend(FILE *out, const struct ktstr_plot *p)
{
	double y = PLOT_T + 10;

	fputs("<g class=\"legend\">\n", out);
	for (size_t i = 0; i < p->nr_lines; i++, y += 18) {
		const char *c = palette[i % (sizeof(palette) / sizeof(palette[0]))];

		fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
			"stroke=\"%s\" stroke-width=\"3\"/>", LEGEND_X, y, LEGEND_X + 20, y, c);
		fprintf(out, "<text x=\"%.2f\" y=\"%.2f\">", LEGEND_X + 26, y + 4);
		put_text(out, p->lines[i].label, LABEL_CHARS);
		fputs("</text>\n", out);
	}
	y += 8;
	fprintf(out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"7\" fill=\"none\" stroke=\""
		FAIL_COLOR "\" stroke-width=\"2.5\"/><text x=\"%.2f\" y=\"%.2f\">"
		"failing sample</text>\n", LEGEND_X + 10, y, LEGEND_X + 26, y + 4);
	y += 18;
	fprintf(out, "<path d=\"M%.2f,%.2f l8,8 m0,-8 l-8,8\" stroke=\"#000\" "
		"stroke-width=\"2\"/><text x=\"%.2f\" y=\"%.2f\">no value (error)</text>\n",
		LEGEND_X + 6, y - 4, LEGEND_X + 26, y + 4);
	fputs("</g>\n", out);
}

int ktstr_plot__write_svg(const struct ktstr_plot *p, FILE *out)
{
	struct axis ax, ay;

	data_ranges(p, &ax, &ay);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H);
	if (p->title) {
		put_title(out, p->title);
		fputc('\n', out);
	}
	fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
	if (p->title) {
		fprintf(out, "<text class=\"heading\" x=\"%.2f\" y=\"%.2f\" "
			"font-size=\"15\" text-anchor=\"middle\">", (PLOT_L + PLOT_R) / 2, 30.0);
		put_text(out, p->title, 80);
		fputs("</text>\n", out);
	}
	write_axes(out, p, &ax, &ay);
	write_vlines(out, p, &ax);
	for (size_t i = 0; i < p->nr_lines; i++)
		write_line(out, &p->lines[i],
			   palette[i % (sizeof(palette) / sizeof(palette[0]))], &ax, &ay);
	write_legend(out, p);
	fputs("</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}
