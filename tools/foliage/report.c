// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario report and the benchmarks' pictures (report.h): HTML pages
 * made of inline SVG (mm/pfnmap.c draws the memory maps, chart.c the
 * charts) and CSS.  The timeline is CSS only (a radio button per
 * snapshot), so the page needs no script and raises no script error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"
#include "chart.h"
#include "report.h"

struct scn_report *report_new(const char *dir)
{
	struct scn_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->dir = strdup(dir);
	if (!r->dir) {
		free(r);
		return NULL;
	}
	return r;
}

void report_free(struct scn_report *r)
{
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < r->nr_steps; i++) {
		free(r->steps[i].name);
		free(r->steps[i].text);
		free(r->steps[i].pfnmap);
		free(r->steps[i].vmstat);
	}
	for (i = 0; i < r->nr_counters; i++)
		free(r->counters[i]);
	free(r->counters);
	free(r->steps);
	free(r->pending);
	free(r->dir);
	free(r);
}

void report_add_line(struct scn_report *r, unsigned int line,
		     const char *text)
{
	size_t n = strlen(text) + 16;
	char *p = realloc(r->pending, r->pending_len + n + 1);

	if (!p)
		return;		/* the text is an aid: drop it, not the run */
	r->pending = p;
	r->pending_len += snprintf(p + r->pending_len, n + 1, "%4u  %s\n",
				   line, text);
}

/* ---- the page ------------------------------------------------------------ */

static const char page_css[] =
	"body{font:14px sans-serif;color:#222;margin:16px;max-width:1400px}"
	"h1{font-size:20px}h2{font-size:17px;margin-top:28px}"
	"pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:360px}"
	"table{border-collapse:collapse;margin:8px 0}"
	"td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;"
	"font-size:12px}th{background:#eee}"
	".charts{display:flex;flex-wrap:wrap;gap:12px}"
	".tl input{position:absolute;opacity:0}"
	".tl label{display:inline-block;padding:4px 10px;margin:2px;"
	"border:1px solid #888;border-radius:4px;cursor:pointer}"
	".panel{display:none}.step{display:flex;flex-wrap:wrap;gap:16px}";

static void write_table(FILE *f, const struct report_step *st)
{
	int z, o;

	fputs("<table><tr><th>zone</th><th>per order</th>", f);
	for (o = 0; o < REPORT_ORDERS; o++)
		fprintf(f, "<th>%d</th>", o);
	fputs("</tr>\n", f);
	for (z = 0; z < st->nr_zones; z++) {
		const struct report_zone *rz = &st->zone[z];

		fprintf(f, "<tr><td rowspan=\"3\">");
		chart_xml_escaped(f, rz->name);
		fputs("</td><td>free blocks</td>", f);
		for (o = 0; o < REPORT_ORDERS; o++)
			fprintf(f, "<td>%lu</td>", rz->nr_free[o]);
		fputs("</tr>\n<tr><td>unusable index</td>", f);
		for (o = 0; o < REPORT_ORDERS; o++)
			fprintf(f, "<td>%.3f</td>", rz->unusable[o]);
		fputs("</tr>\n<tr><td>fragmentation index</td>", f);
		for (o = 0; o < REPORT_ORDERS; o++)
			fprintf(f, "<td>%.3f</td>", rz->extfrag[o]);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* Counter @name in /proc/vmstat text @text (0 if absent). */
static double vmstat_value(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ')
			return strtod(p + len + 1, NULL);
	return 0;
}

/* The charts over time: free blocks, the two indices, the counters. */
static int write_charts(FILE *f, const struct scn_report *r)
{
	unsigned int n = r->nr_steps, i, c;
	const char **x = calloc(n, sizeof(*x));
	double *v = calloc((size_t)n * REPORT_ORDERS, sizeof(*v));
	struct chart_series series[REPORT_ORDERS];
	char names[REPORT_ORDERS][16], title[96];
	int o, z, nr_zones = n ? r->steps[0].nr_zones : 0;

	if (!x || !v) {
		free(x);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		x[i] = r->steps[i].name;
	for (o = 0; o < REPORT_ORDERS; o++) {
		snprintf(names[o], sizeof(names[o]), "order %d", o);
		series[o] = (struct chart_series){ names[o],
						   v + (size_t)o * n };
	}
	fputs("<div class=\"charts\">\n", f);
	for (o = 0; o < REPORT_ORDERS; o++)
		for (i = 0; i < n; i++) {
			v[(size_t)o * n + i] = 0;
			for (z = 0; z < r->steps[i].nr_zones; z++)
				v[(size_t)o * n + i] +=
					r->steps[i].zone[z].nr_free[o];
		}
	chart_line(f, "Free blocks per order (all zones)", "blocks", x, n,
		   series, REPORT_ORDERS, CHART_SEQUENTIAL, 640);
	for (z = 0; z < nr_zones; z++) {
		for (o = 0; o < REPORT_ORDERS; o++)
			for (i = 0; i < n; i++)
				v[(size_t)o * n + i] =
					r->steps[i].zone[z].unusable[o];
		snprintf(title, sizeof(title), "Unusable free space index: %s",
			 r->steps[0].zone[z].name);
		chart_line(f, title, "index", x, n, series, REPORT_ORDERS,
			   CHART_SEQUENTIAL, 640);
		for (o = 0; o < REPORT_ORDERS; o++)
			for (i = 0; i < n; i++)
				v[(size_t)o * n + i] =
					r->steps[i].zone[z].extfrag[o];
		snprintf(title, sizeof(title), "Fragmentation index: %s",
			 r->steps[0].zone[z].name);
		chart_line(f, title, "index (-1: a block is free)", x, n,
			   series, REPORT_ORDERS, CHART_SEQUENTIAL, 640);
	}
	for (c = 0; c < r->nr_counters; c++) {
		struct chart_series one;

		for (i = 0; i < n; i++)
			v[i] = vmstat_value(r->steps[i].vmstat, r->counters[c]);
		one = (struct chart_series){ r->counters[c], v };
		snprintf(title, sizeof(title), "vmstat %s", r->counters[c]);
		chart_line(f, title, r->counters[c], x, n, &one, 1,
			   CHART_CATEGORICAL, 420);
	}
	fputs("</div>\n", f);
	free(x);
	free(v);
	return 0;
}

/* The timeline: a radio button and a panel per snapshot. */
static void write_timeline(FILE *f, const struct scn_report *r)
{
	unsigned int i;

	fputs("<style>", f);
	for (i = 0; i < r->nr_steps; i++)
		fprintf(f, "#s%u:checked~.panels #p%u{display:block}"
			"#s%u:checked~.labels label[for=s%u]{background:#4477aa;"
			"color:#fff}", i, i, i, i);
	fputs("</style>\n<div class=\"tl\">\n", f);
	for (i = 0; i < r->nr_steps; i++)
		fprintf(f, "<input type=\"radio\" name=\"step\" id=\"s%u\"%s/>\n",
			i, i ? "" : " checked=\"checked\"");
	fputs("<div class=\"labels\">", f);
	for (i = 0; i < r->nr_steps; i++) {
		fprintf(f, "<label for=\"s%u\" title=\"line %u\">", i,
			r->steps[i].line);
		chart_xml_escaped(f, r->steps[i].name);
		fputs("</label>", f);
	}
	fputs("</div>\n<div class=\"panels\">\n", f);
	for (i = 0; i < r->nr_steps; i++) {
		const struct report_step *st = &r->steps[i];

		fprintf(f, "<div class=\"panel\" id=\"p%u\"><h3>", i);
		chart_xml_escaped(f, st->name);
		fprintf(f, " (line %u)</h3>\n<div class=\"step\"><div>"
			"<pre>", st->line);
		chart_xml_escaped(f, st->text ? st->text : "");
		fputs("</pre>\n", f);
		write_table(f, st);
		fputs("</div>\n<div>", f);
		if (st->pfnmap)
			fputs(st->pfnmap, f);
		fputs("</div></div></div>\n", f);
	}
	fputs("</div></div>\n", f);
}

static FILE *open_index(const char *dir, char **path)
{
	FILE *f;

	if (mkdir(dir, 0777) && errno != EEXIST) {
		fprintf(stderr, "foliage: cannot create %s: %s\n", dir,
			strerror(errno));
		return NULL;
	}
	if (asprintf(path, "%s/index.html", dir) < 0)
		return NULL;
	f = fopen(*path, "w");
	if (!f)
		fprintf(stderr, "foliage: cannot write %s: %s\n", *path,
			strerror(errno));
	return f;
}

static int close_index(FILE *f, char *path, int ret)
{
	if (fclose(f) && !ret) {
		fprintf(stderr, "foliage: cannot write %s: %s\n", path,
			strerror(errno));
		ret = -EIO;
	}
	free(path);
	return ret;
}

static void page_head(FILE *f, const char *title)
{
	/* Well-formed XML too, so that tests can parse it (xmllint). */
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
	      "<title>", f);
	chart_xml_escaped(f, title);
	fprintf(f, "</title>\n<style>%s</style></head>\n<body>\n<h1>", page_css);
	chart_xml_escaped(f, title);
	fputs("</h1>\n", f);
}

int report_write(struct scn_report *r, const char *name)
{
	char *path = NULL, title[512];
	FILE *f = open_index(r->dir, &path);
	int ret;

	if (!f) {
		free(path);
		return -EIO;
	}
	snprintf(title, sizeof(title), "foliage report: %s", name);
	page_head(f, title);
	fprintf(f, "<p>%u snapshot%s. Each step's physical memory map shows "
		"every frame's state (hover a cell for its pfns and state); "
		"the charts follow the free lists, the unusable free space and "
		"fragmentation indices (as /sys/kernel/debug/extfrag computes "
		"them) and the chosen vmstat counters over the steps.</p>\n",
		r->nr_steps, r->nr_steps == 1 ? "" : "s");
	if (!r->nr_steps) {
		fputs("<p>The scenario has no 'snapshot' line.</p>\n", f);
		fputs("</body></html>\n", f);
		return close_index(f, path, 0);
	}
	fputs("<h2>Over time</h2>\n", f);
	ret = write_charts(f, r);
	fputs("<h2>Timeline</h2>\n", f);
	write_timeline(f, r);
	fputs("</body></html>\n", f);
	return close_index(f, path, ret);
}

/* ---- benchmarks -------------------------------------------------------------- */

int bench_write_svg(const struct bench_report *r, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "foliage bench: cannot write %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	chart_bench(f, r);
	if (fclose(f)) {
		fprintf(stderr, "foliage bench: cannot write %s: %s\n", path,
			strerror(errno));
		return -EIO;
	}
	return 0;
}

int bench_write_report(const struct bench_report *const *reports, int nr,
		       const char *dir)
{
	char *path = NULL;
	FILE *f = open_index(dir, &path);
	int i;

	if (!f) {
		free(path);
		return -EIO;
	}
	page_head(f, "foliage bench");
	fputs("<p>Each ratio: the measured row (blue) beside its limit (grey), "
	      "measured in the same run; bars are medians, whiskers the min-max "
	      "spread; dashed marks are the seeds' published numbers.</p>\n", f);
	for (i = 0; i < nr; i++) {
		fputs("<h2>", f);
		chart_xml_escaped(f, reports[i]->bench);
		fputs("</h2>\n", f);
		chart_bench(f, reports[i]);
	}
	fputs("</body></html>\n", f);
	return close_index(f, path, 0);
}
