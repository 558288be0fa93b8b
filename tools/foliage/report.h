/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario report: 'foliage run FILE --report DIR' keeps a snapshot at
 * every 'snapshot NAME' line (buddyinfo, the extfrag indices, the physical
 * memory map, chosen vmstat counters, and the scenario's lines since the
 * previous snapshot) and writes DIR/index.html at the end: one
 * self-contained page (no network, scripts or fonts), the snapshots on a
 * timeline, and the quantities over time as line charts (chart.h).
 */
#ifndef _FOLIAGE_REPORT_H
#define _FOLIAGE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct scenario;
struct bench_report;

#define REPORT_ORDERS		11	/* NR_PAGE_ORDERS */
#define REPORT_MAX_ZONES	16	/* nodes x zones */

/* One zone at one snapshot. */
struct report_zone {
	char name[32];			/* "Node 0, zone Normal" */
	unsigned long nr_free[REPORT_ORDERS]; /* blocks at each order */
	double unusable[REPORT_ORDERS];	/* unusable free space index */
	double extfrag[REPORT_ORDERS];	/* fragmentation index */
};

struct report_step {
	char *name;			/* as the snapshot line named it */
	unsigned int line;		/* its line */
	char *text;			/* the scenario's lines up to it */
	char *pfnmap;			/* the physical memory map, SVG */
	struct report_zone zone[REPORT_MAX_ZONES]; /* by zone */
	int nr_zones;			/* entries used */
	char *vmstat;			/* /proc/vmstat then */
};

struct scn_report {
	char *dir;			/* where index.html goes */
	char **counters;		/* vmstat counters plotted */
	unsigned int nr_counters;	/* entries in counters */
	struct report_step *steps;	/* snapshots so far */
	unsigned int nr_steps;		/* entries in steps */
	char *pending;			/* lines run since the last snapshot */
	size_t pending_len;		/* bytes in pending */
};

/* A report to be written into @dir; NULL if out of memory. */
struct scn_report *report_new(const char *dir);
void report_free(struct scn_report *r);
/* A line the scenario ran (kept for the next snapshot's text). */
void report_add_line(struct scn_report *r, unsigned int line,
		     const char *text);
/*
 * Write @r as DIR/index.html for scenario @name; 0, or -errno with a
 * message on stderr.
 */
int report_write(struct scn_report *r, const char *name);

/* 'snapshot NAME [vmstat=NAME,NAME...]' (as_pictures.c). */
struct scn_args;
int scn_do_snapshot(struct scenario *s, struct scn_args *a);
/* 'show pfnmap [node=N] [svg=FILE|--svg FILE]' (as_pictures.c). */
int scn_show_pfnmap(struct scenario *s, struct scn_args *a);

/*
 * The benchmarks' pictures: @r as an SVG file @path, or (report) every
 * benchmark's charts in DIR/index.html.  0 or -errno (message printed).
 */
int bench_write_svg(const struct bench_report *r, const char *path);
int bench_write_report(const struct bench_report *const *reports, int nr,
		       const char *dir);

#endif /* _FOLIAGE_REPORT_H */
