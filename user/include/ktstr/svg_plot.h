/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libktstr: a self-contained SVG line chart (no scripts, no external
 * resources), what `ktstr series plot` draws a saved series with.
 *
 * The chart is plain data the caller owns: lines of points over one x
 * axis, vertical markers (phase boundaries), and per-point marks. Every
 * string is user data and is escaped on output; text that is not valid
 * UTF-8, or holds characters XML forbids, is written with U+FFFD in their
 * place so the document always parses.
 */
#ifndef KTSTR_SVG_PLOT_H
#define KTSTR_SVG_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A point with a value is on its line; one without (has_y false, or y not
 * finite) breaks the line and is marked on the x axis instead. @fail set:
 * a check failed here, and the point is highlighted with @fail as its
 * hover text.
 */
struct ktstr_plot_point {
	double x;
	double y;
	bool has_y;
	const char *title;		/* hover text (<title>); NULL: none */
	const char *fail;		/* NULL: nothing failed here */
};

struct ktstr_plot_line {
	const char *label;		/* the legend's text */
	const struct ktstr_plot_point *points;	/* in x order */
	size_t nr_points;
};

struct ktstr_plot_vline {
	double x;
	const char *label;		/* written at the top of the line */
};

struct ktstr_plot {
	const char *title;		/* NULL: none */
	const char *x_label;
	const char *y_label;
	const struct ktstr_plot_line *lines;
	size_t nr_lines;
	const struct ktstr_plot_vline *vlines;
	size_t nr_vlines;
};

/*
 * Write @p as an SVG document to @out. 0, or -EIO when writing failed.
 * Lines are <g class="series"> groups holding one <polyline> per run of
 * consecutive points with values; marks are <circle class="point">,
 * <path class="gap"> and <circle class="fail">; the vertical markers are
 * <g class="phase"> groups.
 */
int ktstr_plot__write_svg(const struct ktstr_plot *p, FILE *out);

/* @s escaped for XML text and attributes, as the plot writes it. */
int ktstr_plot__write_escaped(FILE *out, const char *s);

#endif /* KTSTR_SVG_PLOT_H */
