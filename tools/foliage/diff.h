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
	bool mthp;			/* host and foliage: mTHP sizes "always" */
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

/*
 * The host's THP settings for a run (diff_thp.c): set the host's
 * transparent_hugepage/@file (enabled, defrag or hugepages-NkB/enabled)
 * to @value, remembering what it said; diff_thp_restore() (also run at
 * exit() and on deadly signals) puts back every file written.  0, or
 * -EACCES (not root, not writable: skip), -ENOENT (no such file),
 * -EINVAL (not a file a scenario may set, or a value the host refused),
 * with the reason in @why.  diff_thp_set_mthp() sets every mTHP size
 * below the PMD size the host has to "always".
 */
/* The selected word of sysfs choice file @path ("always [madvise] never"),
 * or its whole first line (use_zero_page): 0 or -errno. */
int diff_thp_read(const char *path, char *word, size_t len);
/*
 * At the first host knob written: put back every knob a run wrote (THP
 * and hugetlb) at exit() and on the deadly signals (handlers others
 * installed, the sanitizers', are left alone).
 */
void diff_host_hook_exits(void);
int diff_thp_set(const char *file, const char *value, char *why, size_t len);
int diff_thp_set_mthp(char *why, size_t len);
void diff_thp_restore(void);

/*
 * The host's hugetlb knobs for a run (diff_hugetlb.c): foliage key @key
 * (vm.nr_hugepages, vm.nr_overcommit_hugepages,
 * hugepages.hugepages-NkB/...) written to the host's file, remembered and
 * put back by diff_hugetlb_restore() (also at exit() and on deadly
 * signals).  0; 1 if @key is not a hugetlb knob; -EACCES (not root, or
 * a pool the host's memory cannot give: skip) or -EINVAL with the reason
 * in @why.
 */
int diff_hugetlb_set(const char *key, const char *value, char *why,
		     size_t len);
void diff_hugetlb_restore(void);
/*
 * Compare HugePages_Total/Free/Rsvd/Surp of foliage's meminfo text with
 * the host's: 0 if equal, else 1 with both in @why.
 */
int diff_hugetlb_compare(const char *foliage_meminfo, char *why, size_t len);

#endif /* _FOLIAGE_DIFF_H */
