/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 'foliage diff': a scenario run in foliage and in real processes, compared
 * (diff.c), and random scenarios to run so (diff_random.c).
 */
#ifndef _FOLIAGE_DIFF_H
#define _FOLIAGE_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct scenario;

struct diff_options {
	bool verbose;			/* print each line and comparison */
	bool no_pages;			/* leave pagemap out of comparisons */
	bool all_fields;		/* every smaps field, and VmFlags */
	bool print;			/* random: print the lines generated */
	bool thp;			/* random: MADV_HUGEPAGE and 2M ranges */
};

/*
 * Run scenario @in (@s, initialised, names it) on both sides: SCN_OK, or
 * SCN_FAIL at the first divergence, SCN_USAGE for a scenario real
 * processes cannot follow, 77 when this machine cannot be observed.
 * @markers: compare at 'compare' lines only.
 */
int diff_run(FILE *in, bool markers,
	     const struct diff_options *o, struct scenario *s);

/*
 * A random scenario of @steps operations from @seed, as a stream that
 * writes each line only when the runner asks for it, from the state of
 * @s's machine after the line before: the operations are valid ones
 * (and deliberately invalid ones that end with '=> -ERRNO'), chosen from
 * the tasks' actual VMAs.  With @print, each line is also printed.
 */
FILE *diff_random_open(struct scenario *s, uint64_t seed, unsigned int steps,
		       const struct diff_options *o);

#endif /* _FOLIAGE_DIFF_H */
