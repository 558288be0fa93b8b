/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Charts as SVG text, for the scenario report (report.c) and the
 * benchmarks' pictures (bench --svg): line charts of values over steps and
 * bar charts of benchmark rows beside their limits.
 *
 * Output is byte-stable: the same input gives the same text (numbers are
 * printed with fixed precision, nothing depends on time or addresses), so
 * tests compare it with expected files.  Colours come from colour-blind-
 * safe palettes (viridis for ordered series such as buddy orders, Paul
 * Tol's "bright" for the others), and every mark also carries its name in a
 * tooltip (<title>), so no information is in colour alone.
 */
#ifndef _FOLIAGE_CHART_H
#define _FOLIAGE_CHART_H

#include <stdbool.h>
#include <stdio.h>

struct bench_report;

/* One line of a line chart: a value per step. */
struct chart_series {
	const char *name;		/* legend and tooltip */
	const double *values;		/* one per x label */
};

/* Palettes. */
enum chart_palette {
	CHART_CATEGORICAL,		/* Tol bright: unrelated series */
	CHART_SEQUENTIAL,		/* viridis: ordered series (orders) */
};

/*
 * A line chart of @nr_series series over @nr_x steps named @x_labels,
 * @width px wide, to @f.  The y axis runs from 0 (or the least value, if
 * negative) to the greatest value.
 */
void chart_line(FILE *f, const char *title, const char *y_label,
		const char *const *x_labels, int nr_x,
		const struct chart_series *series, int nr_series,
		enum chart_palette palette, int width);

/*
 * A benchmark's report as one SVG of bar charts (what 'bench --svg FILE'
 * writes): for each ratio, its row beside its limit (median bars, min-max
 * whiskers), the ratio with its spread over runs, target and verdict, and
 * the seed's published number as a reference mark where one is known.
 */
void chart_bench(FILE *f, const struct bench_report *r);

/* @s with &, <, >, " escaped for XML text and attributes. */
void chart_xml_escaped(FILE *f, const char *s);

#endif /* _FOLIAGE_CHART_H */
