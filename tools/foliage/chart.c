// SPDX-License-Identifier: GPL-2.0
/*
 * SVG charts (chart.h).
 */
#include <math.h>
#include <string.h>

#include "bench.h"
#include "chart.h"

#define FONT		"font:11px sans-serif;fill:#222"

static const char *const tol_bright[] = {
	"#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377",
	"#bbbbbb",
};

static const char *const viridis[] = {
	"#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c",
	"#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725",
};

#define NR(a)		((int)(sizeof(a) / sizeof((a)[0])))

static const char *colour(enum chart_palette p, int i, int n)
{
	if (p == CHART_SEQUENTIAL) {
		/* Spread n series over the ramp, its ends included. */
		int k = n > 1 ? i * (NR(viridis) - 1) / (n - 1) : 0;

		return viridis[k < NR(viridis) ? k : NR(viridis) - 1];
	}
	return tol_bright[i % NR(tol_bright)];
}

void chart_xml_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A number for an axis or a label: short, and the same every time. */
static void fmt_value(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (a >= 1e9)
		snprintf(buf, len, "%.3gG", v / 1e9);
	else if (a >= 1e6)
		snprintf(buf, len, "%.3gM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.3gk", v / 1e3);
	else if (a >= 100 || v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

/* A "nice" step for about @n ticks over @span. */
static double nice_step(double span, int n)
{
	double raw = span / n, mag = pow(10, floor(log10(raw))), r = raw / mag;

	if (r <= 1)
		return mag;
	if (r <= 2)
		return 2 * mag;
	if (r <= 5)
		return 5 * mag;
	return 10 * mag;
}

void chart_line(FILE *f, const char *title, const char *y_label,
		const char *const *x_labels, int nr_x,
		const struct chart_series *series, int nr_series,
		enum chart_palette palette, int width)
{
	const int left = 64, right = 16, top = 28, plot_h = 180;
	const int legend_cols = 4, legend_h = 16;
	int legend_rows = (nr_series + legend_cols - 1) / legend_cols;
	int bottom = 44 + legend_rows * legend_h;
	int height = top + plot_h + bottom, plot_w = width - left - right;
	double lo = 0, hi = 0, step, t;
	char buf[32];
	int i, j;

	for (i = 0; i < nr_series; i++)
		for (j = 0; j < nr_x; j++) {
			double v = series[i].values[j];

			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	if (hi <= lo)
		hi = lo + 1;
	step = nice_step(hi - lo, 5);
	lo = floor(lo / step) * step;
	hi = ceil(hi / step) * step;
#define X(j)	(left + (nr_x > 1 ? (double)(j) * plot_w / (nr_x - 1) : \
			 plot_w / 2.0))
#define Y(v)	(top + plot_h - ((v) - lo) * plot_h / (hi - lo))
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		width, height, width, height);
	fprintf(f, "<style>.ct text{" FONT "}.ct .h{font-weight:bold}</style>"
		"\n<g class=\"ct\"><rect width=\"%d\" height=\"%d\" "
		"fill=\"#ffffff\"/>\n", width, height);
	fprintf(f, "<text class=\"h\" x=\"%d\" y=\"16\">", left);
	chart_xml_escaped(f, title);
	fputs("</text>\n", f);
	/* Grid and y ticks. */
	for (t = lo; t <= hi + step / 2; t += step) {
		fmt_value(buf, sizeof(buf), fabs(t) < step / 1e6 ? 0 : t);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#dddddd\"/><text x=\"%d\" y=\"%.1f\" "
			"text-anchor=\"end\">%s</text>\n", left, Y(t),
			left + plot_w, Y(t), left - 4, Y(t) + 4, buf);
	}
	fprintf(f, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" "
		"text-anchor=\"middle\">", top + plot_h / 2, top + plot_h / 2);
	chart_xml_escaped(f, y_label);
	fputs("</text>\n", f);
	/* x labels: every one if they fit, else every k-th. */
	for (j = 0; j < nr_x; j++) {
		int every = nr_x * 60 > plot_w ? (nr_x * 60 + plot_w - 1) /
						 plot_w : 1;

		if (j % every && j != nr_x - 1)
			continue;
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			X(j), top + plot_h + 14);
		chart_xml_escaped(f, x_labels[j]);
		fputs("</text>\n", f);
	}
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		"stroke=\"#222\"/>\n", left, top + plot_h, left + plot_w,
		top + plot_h);
	/* The series: a polyline and a dot per step, named. */
	for (i = 0; i < nr_series; i++) {
		const char *c = colour(palette, i, nr_series);

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"2\" points=\"", c);
		for (j = 0; j < nr_x; j++)
			fprintf(f, "%s%.1f,%.1f", j ? " " : "", X(j),
				Y(series[i].values[j]));
		fputs("\"><title>", f);
		chart_xml_escaped(f, series[i].name);
		fputs("</title></polyline>\n", f);
		for (j = 0; j < nr_x; j++) {
			fmt_value(buf, sizeof(buf), series[i].values[j]);
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
				"fill=\"%s\"><title>", X(j),
				Y(series[i].values[j]), c);
			chart_xml_escaped(f, series[i].name);
			fputs(" at ", f);
			chart_xml_escaped(f, x_labels[j]);
			fprintf(f, ": %s</title></circle>\n", buf);
		}
	}
	/* Legend. */
	for (i = 0; i < nr_series; i++) {
		int x = left + (i % legend_cols) * (plot_w / legend_cols);
		int y = top + plot_h + 32 + (i / legend_cols) * legend_h;

		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" "
			"fill=\"%s\"/><text x=\"%d\" y=\"%d\">", x, y - 4,
			colour(palette, i, nr_series), x + 16, y);
		chart_xml_escaped(f, series[i].name);
		fputs("</text>\n", f);
	}
	fputs("</g></svg>\n", f);
#undef X
#undef Y
}

/* ---- benchmarks ---------------------------------------------------------- */

/*
 * The seeds' published numbers, as reference marks beside the ratios
 * that reproduce them: @bench's ratios whose name contains @ratio.
 */
static const struct {
	const char *bench;		/* 'foliage bench NAME' */
	const char *ratio;		/* a substring of the ratio's name */
	double lo, hi;			/* the published value (or range) */
	const char *source;		/* where it was published */
} seed_refs[] = {
	{ "fork", "per-PTE", 1.35, 1.43,
	  "seed 002: fork -26% to -30% with batching" },
	{ "zero", "THP", 0.22, 0.22,
	  "seed 000: THP populate, optimized/baseline 0.22" },
	{ "zero", "hugetlb", 0.30, 0.30,
	  "seed 000: hugetlb surplus, optimized/baseline 0.30" },
	{ "migrate", "dcbm", 6.0, 6.0,
	  "seed 004: PTDMA 16 channels, 2 MiB folios, about 6x" },
};

static int seed_ref(const struct bench_report *r, const char *name)
{
	int i;

	for (i = 0; i < NR(seed_refs); i++)
		if (!strcmp(seed_refs[i].bench, r->bench) &&
		    strstr(name, seed_refs[i].ratio))
			return i;
	return -1;
}

/* Min and max over runs of row / limit. */
static void ratio_spread(const struct bench_report *r,
			 const struct bench_ratio *q, double *min, double *max)
{
	const struct bench_row *a = &r->rows[q->row], *b = &r->rows[q->limit];
	unsigned int i;
	bool any = false;

	*min = *max = q->value;
	for (i = 0; i < r->runs && a->samples && b->samples; i++) {
		double v;

		if (!(b->samples[i] > 0) || isnan(a->samples[i]))
			continue;
		v = a->samples[i] / b->samples[i];
		if (!any || v < *min)
			*min = v;
		if (!any || v > *max)
			*max = v;
		any = true;
	}
}

#define BAR_LEFT	220
#define BAR_W		360
#define GROUP_H		64

/* One horizontal bar with its min-max whisker. */
static void bar(FILE *f, const struct bench_row *row, double scale, int y,
		const char *fill)
{
	char med[32], lo[32], hi[32];
	double w = row->stat.median * scale;

	fmt_value(med, sizeof(med), row->stat.median);
	fmt_value(lo, sizeof(lo), row->stat.min);
	fmt_value(hi, sizeof(hi), row->stat.max);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", BAR_LEFT - 6,
		y + 10);
	chart_xml_escaped(f, row->name);
	fprintf(f, "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"12\""
		" fill=\"%s\"><title>", BAR_LEFT, y, w > 0 ? w : 0, fill);
	chart_xml_escaped(f, row->name);
	fprintf(f, ": median %s %s (min %s, max %s)</title></rect>\n", med,
		row->unit, lo, hi);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
		"stroke=\"#222\"/><text x=\"%.1f\" y=\"%d\">%s %s</text>\n",
		BAR_LEFT + row->stat.min * scale, y + 6,
		BAR_LEFT + row->stat.max * scale, y + 6,
		BAR_LEFT + row->stat.max * scale + 6, y + 10, med, row->unit);
}

void chart_bench(FILE *f, const struct bench_report *r)
{
	int i, y = 40, height = 48 + r->nr_ratios * GROUP_H + 20;
	const int width = BAR_LEFT + BAR_W + 300;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		width, height, width, height);
	fprintf(f, "<style>.cb text{" FONT "}.cb .h{font-weight:bold}</style>"
		"\n<g class=\"cb\"><rect width=\"%d\" height=\"%d\" "
		"fill=\"#ffffff\"/>\n<text class=\"h\" x=\"8\" y=\"16\">"
		"foliage bench ", width, height);
	chart_xml_escaped(f, r->bench);
	fputs(": ", f);
	chart_xml_escaped(f, r->config);
	fprintf(f, "</text>\n<text x=\"8\" y=\"30\">%u runs; bars: medians, "
		"whiskers: min-max</text>\n", r->runs);
	for (i = 0; i < r->nr_ratios; i++, y += GROUP_H) {
		const struct bench_ratio *q = &r->ratios[i];
		const struct bench_row *a = &r->rows[q->row];
		const struct bench_row *b = &r->rows[q->limit];
		double top = a->stat.max > b->stat.max ? a->stat.max :
							 b->stat.max;
		double scale = top > 0 ? BAR_W / top : 0, lo, hi;
		int ref = seed_ref(r, q->name);
		char v[32], t[32], s1[32], s2[32];

		ratio_spread(r, q, &lo, &hi);
		fmt_value(v, sizeof(v), q->value);
		fmt_value(t, sizeof(t), q->target);
		fmt_value(s1, sizeof(s1), lo);
		fmt_value(s2, sizeof(s2), hi);
		fprintf(f, "<text class=\"h\" x=\"8\" y=\"%d\">", y + 8);
		chart_xml_escaped(f, q->name);
		fprintf(f, ": %s (runs %s-%s)", v, s1, s2);
		if (q->goal != BENCH_NO_TARGET)
			fprintf(f, ", target %s %s: %s",
				q->goal == BENCH_AT_MOST ? "&#8804;" : "&#8805;", t,
				bench_ratio_pass(q) ? "PASS" : "MISS");
		fputs("</text>\n", f);
		bar(f, a, scale, y + 14, "#4477aa");
		bar(f, b, scale, y + 32, "#bbbbbb");
		if (ref >= 0 && !strcmp(a->unit, b->unit)) {
			/* Where the row would be at the seed's ratio. */
			double xs = BAR_LEFT + b->stat.median * seed_refs[ref].lo *
				    scale;
			double xe = BAR_LEFT + b->stat.median * seed_refs[ref].hi *
				    scale;

			fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
				"height=\"16\" fill=\"none\" stroke=\"#ee6677\" "
				"stroke-dasharray=\"3,2\"><title>", xs, y + 12,
				xe - xs > 2 ? xe - xs : 2);
			chart_xml_escaped(f, seed_refs[ref].source);
			fputs("</title></rect>\n", f);
			fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#ee6677\">"
				"reference: ", BAR_LEFT + BAR_W + 90, y + 24);
			chart_xml_escaped(f, seed_refs[ref].source);
			fputs("</text>\n", f);
		}
	}
	fputs("</g></svg>\n", f);
}
