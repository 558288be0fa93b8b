// SPDX-License-Identifier: GPL-2.0
/*
 * foliage diff FILE|-: run a scenario's user-level operations twice, in
 * foliage and in real processes on the running kernel (realproc.h), and
 * stop at the first place where the two disagree (docs/diff.md).
 *
 * The scenario runs as 'foliage run' runs it; the runner's hooks
 * (struct scn_hooks) let this file follow each line:
 *
 *	before	a line runs: refuse what real processes cannot do
 *	after	the line ran in foliage: do the same operation, as the
 *		verb's handler parsed it (struct scn_action: no line is parsed
 *		twice), in the task's real process, compare the outcomes
 *		(the errno, the bytes read), then compare the two machines
 *	place_mmap  an mmap without at= gets a hint inside the window
 *	compare	a verb of 'foliage diff' only: compare now
 *
 * What is compared (diffcmp.h): every live task's smaps inside the window
 * (VMA boundaries, permissions, offsets, files, Rss, Pss, Shared/Private
 * Clean/Dirty, Anonymous, AnonHugePages), every mapped page's state and
 * which pages share a frame across tasks (pagemap), and the anon_vma,
 * anon_vma_chain and vm_area_struct objects the operations left allocated.
 * Without 'compare' lines, the machines are compared after every line
 * that operates on tasks; with them, only there (the outcome of every
 * operation is still compared at once).
 *
 * Objects.  A real task is a process whose program, stack and vdso lie
 * outside the window and cost objects of their own when it forks and
 * exits.  With tracefs, every real task has a twin in a second realproc
 * with an empty window, forked and exited alike: the real tasks' objects
 * minus the twins' are the window's, exactly, and must equal foliage's.
 * At 'compare' lines /proc/slabinfo is checked too, system-wide, within
 * 10% plus two slabs per cache: other processes allocate meanwhile, so a
 * difference there is a note, never a divergence.  Run as root where
 * tracefs is not mounted, diff mounts it (in a mount namespace of its
 * own) so that the twins can count exactly.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cli.h"
#include "diff.h"
#include "diffcmp.h"
#include "realproc.h"
#include "scenario.h"

#define PAGE_BYTES		4096UL
#define THP_SYSFS		"/sys/kernel/mm/transparent_hugepage"
#define SKIP_STATUS		77	/* CTest's SKIP_RETURN_CODE */
#define DIFF_MAX_STEPS		10000000 /* --steps: at most this many */
#define DIFF_MAX_FILE		(64UL << 20) /* a scenario read whole */

/* A task of the scenario on the real side. */
struct diff_task {
	struct realproc_task *real;	/* its process; NULL once exited */
	struct realproc_task *twin;	/* its twin, or NULL */
};

struct diff {
	struct scenario *s;		/* the run */
	struct realproc *rp;		/* the real tasks */
	struct realproc *twins;		/* their twins (NULL: no tracing) */
	struct diff_task *tasks;	/* parallel to s->tasks */
	unsigned int nr_tasks;		/* entries in tasks */
	struct realproc_file **files;	/* parallel to s->files */
	unsigned int nr_files;		/* entries in files */
	unsigned long win_start;	/* the window */
	unsigned long win_end;		/* its end */
	bool markers;			/* compare at 'compare' lines only */
	bool pages;			/* compare pages too */
	bool verbose;			/* say what was compared */
	uint64_t fields;		/* smaps fields (DC_FIELD bits) */
	unsigned int cmp_flags;		/* DC_CMP_* */
	bool objects;			/* foliage renders slabinfo */
	/* ---- anon rmap scheme (issue 13) ---- */
	bool lazy;			/* the machine is anon_vma=lazy */
	unsigned long lazy_notes;	/* anon_vma/avc counts that differed */
	unsigned long lazy_kept_noted;	/* kept roots the last note said */
	long foliage_base[REALPROC_NR_CACHES]; /* foliage's objects at start */
	char *slab_base;		/* /proc/slabinfo at the last compare */
	long foliage_mark[REALPROC_NR_CACHES]; /* foliage's objects then */
	long twins_mark[REALPROC_NR_CACHES]; /* the twins' objects then */
	unsigned long nr_ops;		/* operations done on both sides */
	unsigned long nr_compares;	/* comparisons made */
	bool mounted_tracefs;		/* diff mounted TRACEFS_DIR itself */
	unsigned long next_hint;	/* unhinted mmaps go below, top-down */
	unsigned long real_fault;	/* where the real access faulted */
	bool map_count_set;		/* vm.max_map_count follows the host */
	bool hugetlb;			/* hugetlb knobs set: compare HugePages */
	int own_vmas;			/* a real task's VMAs outside the window */
	/* ---- NUMA: numa_maps, policies, migration (diff_numa) ---- */
	bool numa;			/* compare numa_maps of every task */
	uint64_t host_nodes;		/* the host's nodes with memory */
};

#define TRACEFS_DIR		"/sys/kernel/tracing"

/*
 * Object counts are exact only with a private tracefs instance.  Run as
 * root on a machine whose tracefs is not mounted, mount it, in a mount
 * namespace of this process's own: no other process sees the mount, or
 * loses it when this one unmounts it.  Before any thread exists (unshare()
 * of the mount namespace needs a single-threaded process).
 */
static void tracefs_mount(struct diff *d)
{
	if (geteuid() != 0 || !access(TRACEFS_DIR "/instances", F_OK) ||
	    !access("/sys/kernel/debug/tracing/instances", F_OK))
		return;
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return;
	if (!mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL))
		d->mounted_tracefs = true;
}

static void tracefs_unmount(struct diff *d)
{
	if (d->mounted_tracefs && !umount2(TRACEFS_DIR, MNT_DETACH))
		d->mounted_tracefs = false;
}

/* "FILE:LINE: diverged: ..." and SCN_FAIL. */
static int diverged(struct diff *d, const struct dc_divergence *div)
{
	char buf[512];

	dc_divergence_format(div, buf, sizeof(buf));
	return scn_fail(d->s, "diverged: %s", buf);
}

/* A failure of the real side itself (not a divergence). */
static int real_error(struct diff *d, const char *what, int err)
{
	if (err == -ERANGE)
		return scn_usage(d->s, "diff: %s: outside the window "
				 "%#lx-%#lx, where real processes cannot "
				 "follow", what, d->win_start, d->win_end);
	return scn_fail(d->s, "diff: the real process failed to %s: %s",
			what, strerror(-err));
}

static const char *errno_text(int err, char *buf, size_t len)
{
	if (!err)
		snprintf(buf, len, "success");
	else
		snprintf(buf, len, "-%s", scn_errname(err));
	return buf;
}

/* The outcome of the line's operation on both sides. */
static int compare_result(struct diff *d, const char *task, int foliage,
			  int real)
{
	struct dc_divergence div = { .addr = 0 };

	if (foliage == real)
		return SCN_OK;
	snprintf(div.task, sizeof(div.task), "%s", task);
	snprintf(div.field, sizeof(div.field), "%s", d->s->verb);
	errno_text(foliage, div.foliage, sizeof(div.foliage));
	errno_text(real, div.real, sizeof(div.real));
	return diverged(d, &div);
}

/* Both sides faulted: at the same address (SIGSEGV's si_addr). */
static int compare_fault(struct diff *d, const char *task)
{
	struct dc_divergence div = { .addr = 0 };

	if (d->s->fault_addr == d->real_fault)
		return SCN_OK;
	snprintf(div.task, sizeof(div.task), "%s", task);
	snprintf(div.field, sizeof(div.field), "%s fault address",
		 d->s->verb);
	snprintf(div.foliage, sizeof(div.foliage), "%#lx", d->s->fault_addr);
	snprintf(div.real, sizeof(div.real), "%#lx", d->real_fault);
	return diverged(d, &div);
}

/* ---- the machines --------------------------------------------------- */

/* The index of @t in s->tasks (and so in d->tasks), or -1. */
static int scn_task_index(struct scenario *s, const struct scn_task *t)
{
	unsigned int i;

	for (i = 0; i < s->nr_tasks; i++)
		if (s->tasks[i] == t)
			return (int)i;
	return -1;
}

/* The index of @f in s->files (and so in d->files), or -1. */
static int scn_file_index(struct scenario *s, const struct scn_file *f)
{
	unsigned int i;

	for (i = 0; i < s->nr_files; i++)
		if (s->files[i] == f)
			return (int)i;
	return -1;
}

/* Both sides' smaps of task @i inside the window, parsed. */
static int task_smaps(struct diff *d, unsigned int i, struct dc_maps *f,
		      struct dc_maps *r)
{
	struct scn_task *st = d->s->tasks[i];
	char *ftext = NULL, *rtext = NULL;
	int ret;

	ret = foliage_render_task(st->task, "smaps", 0, &ftext);
	if (ret)
		return scn_fail(d->s, "diff: smaps of %s: %s", st->name,
				strerror(-ret));
	ret = realproc_proc_read(d->tasks[i].real, "smaps", &rtext);
	if (ret) {
		free(ftext);
		return real_error(d, "read smaps", ret);
	}
	ret = dc_parse_maps(ftext, d->win_start, d->win_end, f);
	if (!ret) {
		ret = dc_parse_maps(rtext, d->win_start, d->win_end, r);
		if (ret)
			dc_maps_free(f);
	}
	free(ftext);
	free(rtext);
	if (ret)
		return scn_fail(d->s, "diff: cannot parse smaps of %s (%s)",
				st->name, strerror(-ret));
	return SCN_OK;
}

/* Whether the real page with pagemap @entry is the (huge) zero page. */
static bool real_zero_page(uint64_t entry)
{
	uint64_t flags = 0;

	if (!(entry & REALPROC_PM_PRESENT) || (entry & REALPROC_PM_EXCLUSIVE))
		return false;
	if (realproc_kpageflags(entry & REALPROC_PM_PFN_MASK, &flags))
		return false;
	return flags & REALPROC_KPF_ZERO_PAGE;
}

/* The page sets of the comparison: one per VMA of each live task. */
struct page_sets {
	struct dc_page_set *f;		/* foliage's */
	struct dc_page_set *r;		/* Linux's */
	unsigned int nr;		/* sets in each */
	unsigned int cap;		/* sets allocated */
};

static void page_sets_free(struct page_sets *ps)
{
	unsigned int i;

	for (i = 0; i < ps->nr; i++) {
		free((void *)ps->f[i].pages);
		free((void *)ps->r[i].pages);
	}
	free(ps->f);
	free(ps->r);
	memset(ps, 0, sizeof(*ps));
}

/* The pages of one VMA [start, end) of task @i, on both sides. */
static int vma_pages(struct diff *d, unsigned int i, unsigned long start,
		     unsigned long end, struct page_sets *ps)
{
	struct foliage_task *ft = d->s->tasks[i]->task;
	unsigned long nr = (end - start) / PAGE_BYTES, n;
	struct dc_page *fp, *rp;
	uint64_t *pm;
	int ret;

	if (ps->nr == ps->cap) {
		unsigned int cap = ps->cap ? 2 * ps->cap : 16;
		struct dc_page_set *f = realloc(ps->f, cap * sizeof(*f));
		struct dc_page_set *r = f ? realloc(ps->r, cap * sizeof(*r)) :
					NULL;

		if (f)
			ps->f = f;
		if (!r)
			return -ENOMEM;
		ps->r = r;
		ps->cap = cap;
	}
	fp = calloc(nr, sizeof(*fp));
	rp = calloc(nr, sizeof(*rp));
	pm = calloc(nr, sizeof(*pm));
	ret = fp && rp && pm ? 0 : -ENOMEM;
	if (!ret)
		ret = realproc_pagemap(d->tasks[i].real, start, nr, pm);
	for (n = 0; !ret && n < nr; n++) {
		struct foliage_pte_info info;

		ret = foliage_page_state(ft, start + n * PAGE_BYTES, &info);
		fp[n] = (struct dc_page){
			.frame = info.zero ? 0 : info.pfn,
			.present = info.present, .zero = info.zero,
			.file = info.file, .exclusive = info.exclusive,
		};
		dc_page_from_pagemap(pm[n], real_zero_page(pm[n]), &rp[n]);
	}
	free(pm);
	if (ret) {
		free(fp);
		free(rp);
		return ret;
	}
	ps->f[ps->nr] = (struct dc_page_set){ d->s->tasks[i]->name, start, nr,
					      fp };
	ps->r[ps->nr] = (struct dc_page_set){ d->s->tasks[i]->name, start, nr,
					      rp };
	ps->nr++;
	return 0;
}

/* Readings of /proc/slabinfo before a difference counts, 100 ms apart. */
#define SLAB_READINGS	3

/* The objects of foliage's machine, and of the twins (net), now. */
static int objects_now(struct diff *d, long foliage[REALPROC_NR_CACHES],
		       long twins[REALPROC_NR_CACHES])
{
	struct dc_slab_row rows[REALPROC_NR_CACHES];
	struct realproc_objects to = { { 0 } };
	char *text;
	int i, ret;

	ret = foliage_render(d->s->m, "slabinfo", 0, &text);
	if (ret)
		return scn_fail(d->s, "diff: slabinfo: %s", strerror(-ret));
	dc_parse_slabinfo(text, realproc_cache_name, REALPROC_NR_CACHES,
			  rows);
	free(text);
	if (d->twins && (ret = realproc_objects(d->twins, &to)))
		return real_error(d, "count objects", ret);
	for (i = 0; i < REALPROC_NR_CACHES; i++) {
		foliage[i] = (long)rows[i].active_objs;
		twins[i] = (long)to.allocs[i] - (long)to.frees[i];
	}
	return SCN_OK;
}

/*
 * ANON_VMA_LAZY makes fewer anon_vma and anon_vma_chain objects than the
 * kernel by design (docs/anon-vma-lazy.md): on a lazy machine their
 * counts are reported, not compared.  True if @cache is one of them.
 * vm_area_struct stays compared exactly, less the lazy roots kept after
 * their munmap (lazy_kept()).
 */
static bool lazy_count(struct diff *d, int cache, long foliage, long real)
{
	if (!d->lazy || cache == REALPROC_VM_AREA_STRUCT)
		return false;
	if (foliage != real) {
		d->lazy_notes++;
		fprintf(stderr, "%s:%u: note: %s: foliage %ld, kernel %ld: "
			"expected to differ (anon_vma=lazy)\n", d->s->file,
			d->s->line, realproc_cache_name[cache], foliage, real);
	}
	return true;
}

/* Root VMAs a lazy machine keeps allocated after their munmap. */
static long lazy_kept(struct diff *d)
{
	struct foliage_anon_rmap_stats st;

	if (!d->lazy || foliage_anon_rmap_stats(d->s->m, &st))
		return 0;
	if (st.nr_detached != d->lazy_kept_noted)
		fprintf(stderr, "%s:%u: note: vm_area_struct: %lu lazy root%s "
			"kept after munmap, not counted (anon_vma=lazy)\n",
			d->s->file, d->s->line, st.nr_detached,
			st.nr_detached == 1 ? "" : "s");
	d->lazy_kept_noted = st.nr_detached;
	return st.nr_detached;
}

/*
 * The objects foliage's tasks hold (net since the machine booted) against
 * the real tasks' less their twins'.
 */
static int compare_objects(struct diff *d)
{
	long foliage[REALPROC_NR_CACHES], twins[REALPROC_NR_CACHES];
	struct realproc_objects ro;
	struct dc_divergence div;
	int i, ret;

	if (!d->twins || !d->objects)
		return SCN_OK;
	ret = objects_now(d, foliage, twins);
	if (ret)
		return ret;
	ret = realproc_objects(d->rp, &ro);
	if (ret)
		return real_error(d, "count objects", ret);
	for (i = 0; i < REALPROC_NR_CACHES; i++) {
		long r = (long)ro.allocs[i] - (long)ro.frees[i] - twins[i];

		if (lazy_count(d, i, foliage[i] - d->foliage_base[i], r))
			continue;
		if (i == REALPROC_VM_AREA_STRUCT)
			foliage[i] -= lazy_kept(d);
		if (dc_compare_count(realproc_cache_name[i],
				     foliage[i] - d->foliage_base[i], r, 0,
				     &div))
			return diverged(d, &div);
	}
	return SCN_OK;
}

/*
 * /proc/slabinfo since the last 'compare' (or the start) against what
 * foliage's anon_vma and anon_vma_chain objects did meanwhile, plus the
 * twins' (the real side has theirs on top of the window's): within 10%
 * plus two slabs.  Other processes allocate and free meanwhile, so a
 * reading out of tolerance is taken again, up to SLAB_READINGS times;
 * then it is a note, never a divergence: other processes can move it
 * (tracing's exact count, compare_objects(), is the one that can fail
 * a test).  vm_area_struct is left out:
 * every process on the machine churns it, and the maps comparison
 * counts the VMAs exactly.
 */
static int compare_slabinfo(struct diff *d)
{
	static const int caches[] = { REALPROC_ANON_VMA,
				      REALPROC_ANON_VMA_CHAIN };
	struct dc_slab_row base[REALPROC_NR_CACHES], now[REALPROC_NR_CACHES];
	long foliage[REALPROC_NR_CACHES], twins[REALPROC_NR_CACHES];
	struct dc_divergence div;
	int i, c, reading, ret;
	char *text = NULL, buf[512];

	/* Both caches compared here differ by design on a lazy machine. */
	if (!d->slab_base || !d->objects || d->lazy)
		return SCN_OK;
	ret = objects_now(d, foliage, twins);
	if (ret)
		return ret;
	dc_parse_slabinfo(d->slab_base, realproc_cache_name,
			  REALPROC_NR_CACHES, base);
	for (reading = 1;; reading++) {
		free(text);
		ret = realproc_slabinfo(true, &text);
		if (ret)
			return real_error(d, "read /proc/slabinfo", ret);
		dc_parse_slabinfo(text, realproc_cache_name,
				  REALPROC_NR_CACHES, now);
		for (c = 0; c < 2; c++) {
			long expect, delta, tolerance;
			char what[48];

			i = caches[c];
			if (!now[i].found)
				continue;
			expect = foliage[i] - d->foliage_mark[i] +
				 2 * (twins[i] - d->twins_mark[i]);
			delta = (long)now[i].active_objs -
				(long)base[i].active_objs;
			tolerance = labs(expect) / 10 +
				    2 * (long)now[i].objperslab;
			snprintf(what, sizeof(what), "%s (slabinfo)",
				 realproc_cache_name[i]);
			if (dc_compare_count(what, expect, delta, tolerance,
					     &div))
				break;
		}
		if (c == 2 || reading == SLAB_READINGS)
			break;
		usleep(100 * 1000);
	}
	/* The next 'compare' measures from here. */
	free(d->slab_base);
	d->slab_base = text;
	memcpy(d->foliage_mark, foliage, sizeof(foliage));
	memcpy(d->twins_mark, twins, sizeof(twins));
	if (c == 2)
		return SCN_OK;
	/*
	 * Never a divergence: every other process of the machine moves
	 * these counts.  The exact count is the twins' (compare_objects()).
	 */
	dc_divergence_format(&div, buf, sizeof(buf));
	fprintf(stderr, "%s:%u: note: %s, beyond the tolerance: other "
		"processes' objects (%s)\n", d->s->file, d->s->line, buf,
		d->twins ? "the exact count agreed" :
			   "no tracefs: not counted exactly");
	return SCN_OK;
}


/* ---- NUMA: numa_maps, policies, migration ------------------------------ */

/*
 * numa_maps of task @i on both sides, inside the window, line by line
 * (diffcmp_numa.c): the policies, the files, the counts per node and the
 * others; active= only with --all-fields (the host's LRU aging moves it).
 */
static int compare_numa_maps(struct diff *d, unsigned int i)
{
	struct scn_task *st = d->s->tasks[i];
	struct dc_numa_maps f, r;
	struct dc_divergence div;
	char *ftext = NULL, *rtext = NULL;
	int ret;

	ret = foliage_render_task(st->task, "numa_maps", 0, &ftext);
	if (ret)
		return scn_fail(d->s, "diff: numa_maps of %s: %s", st->name,
				strerror(-ret));
	ret = realproc_proc_read(d->tasks[i].real, "numa_maps", &rtext);
	if (ret) {
		free(ftext);
		return real_error(d, "read numa_maps", ret);
	}
	ret = dc_parse_numa_maps(ftext, d->win_start, d->win_end, &f);
	if (!ret) {
		ret = dc_parse_numa_maps(rtext, d->win_start, d->win_end, &r);
		if (ret)
			dc_numa_maps_free(&f);
	}
	free(ftext);
	free(rtext);
	if (ret)
		return scn_fail(d->s, "diff: cannot parse numa_maps of %s (%s)",
				st->name, strerror(-ret));
	ret = SCN_OK;
	if (dc_compare_numa_maps(st->name, &f, &r,
				 d->cmp_flags & DC_CMP_VMFLAGS ?
				 DC_CMP_NUMA_ACTIVE : 0, &div))
		ret = diverged(d, &div);
	dc_numa_maps_free(&f);
	dc_numa_maps_free(&r);
	return ret;
}

/* Compare everything now; @slabinfo too (at 'compare' lines). */
/* The HugePages lines of both sides' meminfo (hugetlb knobs were set). */
static int compare_hugepages(struct diff *d)
{
	char why[256], *text = NULL;
	int ret;

	if (foliage_render(d->s->m, "meminfo", 0, &text))
		return scn_fail(d->s, "diff: cannot render foliage's meminfo");
	ret = diff_hugetlb_compare(text, why, sizeof(why));
	free(text);
	if (ret)
		return scn_fail(d->s, "diff: %s", why);
	return SCN_OK;
}

static int compare_all(struct diff *d, bool slabinfo)
{
	struct page_sets ps = { .nr = 0 };
	struct dc_divergence div;
	unsigned int i, v, nr_tasks = 0;
	int ret = SCN_OK, cmp;

	for (i = 0; i < d->nr_tasks && !ret; i++) {
		struct dc_maps f, r;

		if (!d->tasks[i].real)
			continue;
		ret = task_smaps(d, i, &f, &r);
		if (ret)
			break;
		nr_tasks++;
		if (dc_compare_maps(d->s->tasks[i]->name, &f, &r, d->fields,
				    d->cmp_flags, &div))
			ret = diverged(d, &div);
		if (!ret && d->numa)
			ret = compare_numa_maps(d, i);
		for (v = 0; !ret && d->pages && v < f.nr; v++)
			if (vma_pages(d, i, f.vma[v].start, f.vma[v].end, &ps))
				ret = scn_fail(d->s, "diff: cannot read the "
					       "pages of %s",
					       d->s->tasks[i]->name);
		dc_maps_free(&f);
		dc_maps_free(&r);
	}
	if (!ret && ps.nr) {
		cmp = dc_compare_pages(ps.f, ps.r, ps.nr, &div);
		if (cmp < 0)
			ret = scn_fail(d->s, "diff: pages: %s", strerror(-cmp));
		else if (cmp)
			ret = diverged(d, &div);
	}
	page_sets_free(&ps);
	if (!ret)
		ret = compare_objects(d);
	if (!ret && d->hugetlb)
		ret = compare_hugepages(d);
	if (!ret && slabinfo)
		ret = compare_slabinfo(d);
	if (!ret)
		d->nr_compares++;
	if (!ret && d->verbose)
		fprintf(d->s->out, "  diff: %u task(s) agree\n", nr_tasks);
	return ret;
}

/* ---- one operation on the real side ------------------------------------ */

static int push_task(struct diff *d, struct realproc_task *real,
		     struct realproc_task *twin)
{
	struct diff_task *n = realloc(d->tasks, (d->nr_tasks + 1) *
				      sizeof(*n));

	if (!n)
		return -ENOMEM;
	d->tasks = n;
	d->tasks[d->nr_tasks++] = (struct diff_task){ real, twin };
	return 0;
}

/* task NAME / fork PARENT CHILD: a new process on each side. */
/*
 * vm.max_map_count: the real tasks live under the host's, and their own
 * VMAs outside the window (program, stack, vdso: a dozen) count against
 * it too, so foliage's tasks, which have only the window's, get the
 * host's limit less those.  Set at the first task, before any mapping.
 */
static int follow_host_map_count(struct diff *d, struct realproc_task *real)
{
	int own = realproc_own_vmas(real);
	char word[32], value[32];
	long host;

	if (own < 0)
		return real_error(d, "read maps", own);
	if (diff_thp_read("/proc/sys/vm/max_map_count", word, sizeof(word)))
		return SCN_OK;	/* foliage keeps its own default */
	host = strtol(word, NULL, 10);
	snprintf(value, sizeof(value), "%ld", host > own ? host - own : 0);
	if (foliage_set(d->s->m, "vm.max_map_count", value))
		return scn_fail(d->s, "diff: cannot set vm.max_map_count=%s",
				value);
	d->map_count_set = true;
	d->own_vmas = own;
	return SCN_OK;
}

static int real_new_task(struct diff *d, const struct scn_action *op)
{
	struct realproc_task *real = NULL, *twin = NULL;
	struct diff_task *parent = NULL;
	int ret, i;

	if (d->nr_tasks == d->s->nr_tasks)
		return SCN_OK;		/* it failed as expected in foliage */
	if (op->kind == SCN_ACT_FORK) {
		i = scn_task_index(d->s, op->task);
		if (i < 0 || !d->tasks[i].real)
			return scn_fail(d->s, "diff: no real task %s",
					op->task->name);
		parent = &d->tasks[i];
		ret = realproc_fork(parent->real, &real);
		if (!ret && parent->twin)
			ret = realproc_fork(parent->twin, &twin);
	} else {
		ret = realproc_task_create(d->rp, &real);
		if (!ret && d->twins)
			ret = realproc_task_create(d->twins, &twin);
	}
	if (ret)
		return real_error(d, op->kind == SCN_ACT_FORK ? "fork" :
				  "start a task", ret);
	if (push_task(d, real, twin))
		return scn_fail(d->s, "diff: out of memory");
	return d->map_count_set ? SCN_OK : follow_host_map_count(d, real);
}

static int real_exit(struct diff *d, const struct scn_action *op)
{
	int i = scn_task_index(d->s, op->task), ret;
	struct diff_task *t;

	if (i < 0 || (unsigned int)i >= d->nr_tasks || op->task->task)
		return SCN_OK;		/* still alive: the exit failed */
	t = &d->tasks[i];
	ret = realproc_exit(t->real);
	t->real = NULL;
	if (t->twin && !ret)
		ret = realproc_exit(t->twin);
	t->twin = NULL;
	return ret ? real_error(d, "exit", ret) : SCN_OK;
}

static int real_file(struct diff *d, const struct scn_action *op)
{
	struct realproc_file **n;
	int i, ret;

	if (op->kind == SCN_ACT_CLOSE) {
		i = scn_file_index(d->s, op->file);
		if (i >= 0 && (unsigned int)i < d->nr_files &&
		    !op->file->file) {
			realproc_file_put(d->files[i]);
			d->files[i] = NULL;
		}
		return SCN_OK;
	}
	if (d->nr_files == d->s->nr_files)
		return SCN_OK;
	n = realloc(d->files, (d->nr_files + 1) * sizeof(*n));
	if (!n)
		return scn_fail(d->s, "diff: out of memory");
	d->files = n;
	ret = realproc_file_create(d->rp, op->file->name, op->len,
				   &d->files[d->nr_files]);
	if (ret)
		return real_error(d, "create a file", ret);
	d->nr_files++;
	return SCN_OK;
}

/* The real task of the line's task (a live one: the line ran). */
static struct realproc_task *op_task(struct diff *d, const struct scn_action *op)
{
	int i = scn_task_index(d->s, op->task);

	if (i < 0 || (unsigned int)i >= d->nr_tasks)
		return NULL;
	return d->tasks[i].real;
}

static bool in_window(struct diff *d, unsigned long addr, unsigned long len)
{
	return addr >= d->win_start && addr <= d->win_end &&
	       len <= d->win_end - addr;
}

/*
 * foliage's PROT_*, MAP_*, MREMAP_* and MADV_* are Linux's own values
 * (include/foliage/foliage.h): the real side passes them on as they are.
 */
_Static_assert(FOLIAGE_PROT_READ == PROT_READ &&
	       FOLIAGE_PROT_WRITE == PROT_WRITE &&
	       FOLIAGE_PROT_EXEC == PROT_EXEC, "PROT_*");
_Static_assert(FOLIAGE_MAP_SHARED == MAP_SHARED &&
	       FOLIAGE_MAP_PRIVATE == MAP_PRIVATE &&
	       FOLIAGE_MAP_FIXED == MAP_FIXED &&
	       FOLIAGE_MAP_ANONYMOUS == MAP_ANONYMOUS &&
	       FOLIAGE_MAP_NORESERVE == MAP_NORESERVE &&
	       FOLIAGE_MAP_POPULATE == MAP_POPULATE &&
	       FOLIAGE_MAP_FIXED_NOREPLACE == MAP_FIXED_NOREPLACE, "MAP_*");
_Static_assert(FOLIAGE_MREMAP_MAYMOVE == MREMAP_MAYMOVE &&
	       FOLIAGE_MREMAP_FIXED == MREMAP_FIXED &&
	       FOLIAGE_MREMAP_DONTUNMAP == MREMAP_DONTUNMAP, "MREMAP_*");
_Static_assert(FOLIAGE_MADV_DONTNEED == MADV_DONTNEED &&
	       FOLIAGE_MADV_FREE == MADV_FREE &&
	       FOLIAGE_MADV_DONTFORK == MADV_DONTFORK &&
	       FOLIAGE_MADV_DOFORK == MADV_DOFORK &&
	       FOLIAGE_MADV_HUGEPAGE == MADV_HUGEPAGE &&
	       FOLIAGE_MADV_NOHUGEPAGE == MADV_NOHUGEPAGE &&
	       FOLIAGE_MADV_WIPEONFORK == MADV_WIPEONFORK &&
	       FOLIAGE_MADV_KEEPONFORK == MADV_KEEPONFORK &&
	       FOLIAGE_MADV_POPULATE_READ == MADV_POPULATE_READ &&
	       FOLIAGE_MADV_POPULATE_WRITE == MADV_POPULATE_WRITE, "MADV_*");

static int real_mmap(struct diff *d, const struct scn_action *op,
		     int foliage_ret, int *real_ret)
{
	struct realproc_task *t = op_task(d, op);
	struct realproc_file *file = NULL;
	unsigned long addr = d->win_start;
	int flags = op->flags, i;

	if (op->file) {
		i = scn_file_index(d->s, op->file);
		if (i < 0 || (unsigned int)i >= d->nr_files || !d->files[i])
			return scn_fail(d->s, "diff: no real file %s",
					op->file->name);
		file = d->files[i];
	}
	if (!(flags & MAP_FIXED_NOREPLACE))
		flags |= MAP_FIXED;
	if (!foliage_ret) {
		/* Where foliage put it. */
		addr = op->addr;
		if (!in_window(d, addr, op->len))
			return scn_usage(d->s, "diff: the mapping went to "
					 "%#lx, outside the window %#lx-%#lx: "
					 "give at=ADDR inside it", addr,
					 d->win_start, d->win_end);
	} else if (op->start) {
		addr = op->start;
	}
	*real_ret = realproc_mmap(t, addr, op->len, op->prot, flags, file,
				  op->off, NULL);
	return SCN_OK;
}

/*
 * mremap.  When it may move and the kernel would choose where (it grows
 * with MREMAP_MAYMOVE, or MREMAP_DONTUNMAP, without MREMAP_FIXED), the
 * real process follows foliage's choice: in place if foliage stayed, else
 * first in place (Linux's first choice: if that works, foliage moved where
 * Linux would not), then with MREMAP_FIXED to foliage's address.
 */
static int real_mremap(struct diff *d, const struct scn_action *op,
		       int foliage_ret, int *real_ret)
{
	struct realproc_task *t = op_task(d, op);
	struct dc_divergence div = { .addr = 0 };
	unsigned long old_start = op->start, old_len = op->len;
	unsigned long new_len = op->new_len, new_addr = op->addr;
	int flags = op->flags, in_place;

	in_place = flags & ~(MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	if (!(flags & MREMAP_MAYMOVE) || (flags & MREMAP_FIXED) ||
	    (new_len <= old_len && !(flags & MREMAP_DONTUNMAP))) {
		*real_ret = realproc_mremap(t, old_start, old_len, new_len,
					    flags, op->at, NULL);
		return SCN_OK;
	}
	if (foliage_ret) {
		/* foliage refused: Linux must refuse in place too. */
		*real_ret = realproc_mremap(t, old_start, old_len, new_len,
					    in_place, 0, NULL);
		return SCN_OK;
	}
	if (!(flags & MREMAP_DONTUNMAP)) {
		*real_ret = realproc_mremap(t, old_start, old_len, new_len,
					    in_place, 0, NULL);
		if (new_addr == old_start || *real_ret != -ENOMEM) {
			if (new_addr == old_start || *real_ret)
				return SCN_OK;
			snprintf(div.task, sizeof(div.task), "%s",
				 op->task->name);
			div.addr = old_start;
			snprintf(div.field, sizeof(div.field), "mremap");
			snprintf(div.foliage, sizeof(div.foliage),
				 "moved to %#lx", new_addr);
			snprintf(div.real, sizeof(div.real), "grows in place");
			return diverged(d, &div);
		}
	}
	*real_ret = realproc_mremap(t, old_start, old_len, new_len,
				    flags | MREMAP_FIXED, new_addr, NULL);
	return SCN_OK;
}

/* munmap, mprotect, madvise. */
static int real_range_op(struct diff *d, const struct scn_action *op,
			 int *real_ret)
{
	struct realproc_task *t = op_task(d, op);

	if (op->kind == SCN_ACT_MUNMAP)
		*real_ret = realproc_munmap(t, op->start, op->len);
	else if (op->kind == SCN_ACT_MPROTECT)
		*real_ret = realproc_mprotect(t, op->start, op->len, op->prot);
	else
		*real_ret = realproc_madvise(t, op->start, op->len,
					     op->advice);
	return SCN_OK;
}

/* "foliage diff: skipped: FILE:LINE: ..." and exit status 77. */
static int numa_skip(struct diff *d, const char *fmt, unsigned long nodes)
{
	char list[128] = "";
	size_t n = 0;
	int nid;

	for (nid = 0; nid < 64 && n < sizeof(list) - 4; nid++)
		if (nodes & (1UL << nid))
			n += snprintf(list + n, sizeof(list) - n, "%s%d",
				      n ? "," : "", nid);
	fprintf(stderr, "foliage diff: skipped: %s:%u: ", d->s->file,
		d->s->line);
	fprintf(stderr, fmt, list);
	fprintf(stderr, "\n");
	return SKIP_STATUS;
}

/*
 * The first line about NUMA (a policy, a migration, numa_maps): from
 * here on numa_maps is compared, which needs the machine's nodes to be
 * the host's: nodes 0..n-1 must all have memory on the host.  Otherwise
 * the run is skipped, saying why.
 */
static int numa_begin(struct diff *d)
{
	unsigned int nr = d->s->config.nr_nodes;
	uint64_t want = nr >= 64 ? ~0ULL : (1ULL << nr) - 1;
	char why[160];
	int ret;

	if (d->numa)
		return SCN_OK;
	if (!d->host_nodes) {
		ret = realproc_host_nodes(&d->host_nodes);
		if (ret)
			return real_error(d, "read the host's NUMA nodes", ret);
	}
	if (want & ~d->host_nodes) {
		snprintf(why, sizeof(why), "the machine has %u NUMA node%s, "
			 "this host has memory on node(s) %%s only: numa_maps "
			 "cannot be compared", nr, nr == 1 ? "" : "s");
		return numa_skip(d, why, d->host_nodes);
	}
	d->numa = true;
	return SCN_OK;
}

/* A migration to @nodes: each must be the host's, else skip. */
static int numa_targets(struct diff *d, uint64_t nodes)
{
	int ret = numa_begin(d);

	if (ret || !(nodes & ~d->host_nodes))
		return ret;
	return numa_skip(d, "a migration to node(s) %s, which this host "
			 "lacks: it cannot be followed",
			 nodes & ~d->host_nodes);
}

/* move_pages: the same call, then the status of every page. */
static int real_move_pages(struct diff *d, const struct scn_action *op,
			   int foliage_ret, int *real_ret)
{
	unsigned long nr = op->len / PAGE_BYTES, i;
	unsigned long *pages = calloc(nr, sizeof(*pages));
	int *nodes = calloc(nr, sizeof(*nodes));
	int *status = calloc(nr, sizeof(*status));
	struct dc_divergence div = { .addr = 0 };
	int ret = SCN_OK;

	if (!pages || !nodes || !status) {
		ret = scn_fail(d->s, "diff: out of memory");
		goto out;
	}
	for (i = 0; i < nr; i++) {
		pages[i] = op->start + i * PAGE_BYTES;
		nodes[i] = op->node;
	}
	*real_ret = realproc_move_pages(op_task(d, op), nr, pages,
					op->node < 0 ? NULL : nodes, status,
					op->flags);
	/* A positive result is pages not migrated: not an error. */
	if (*real_ret > 0)
		*real_ret = 0;
	if (foliage_ret || *real_ret || !d->s->status || d->s->nr_status != nr)
		goto out;
	for (i = 0; i < nr; i++) {
		if (d->s->status[i] == status[i])
			continue;
		snprintf(div.task, sizeof(div.task), "%s", op->task->name);
		div.addr = pages[i];
		snprintf(div.field, sizeof(div.field), "move_pages status");
		scn_status_name(d->s->status[i], div.foliage,
				sizeof(div.foliage));
		scn_status_name(status[i], div.real, sizeof(div.real));
		ret = diverged(d, &div);
		break;
	}
out:
	free(pages);
	free(nodes);
	free(status);
	return ret;
}

/* mbind, set_mempolicy, move_pages, migrate_pages. */
static int real_numa(struct diff *d, const struct scn_action *op,
		     int foliage_ret, int *real_ret)
{
	struct realproc_task *t = op_task(d, op);
	int ret;

	switch (op->kind) {
	case SCN_ACT_MBIND:
		ret = op->flags & (FOLIAGE_MPOL_MF_MOVE |
				   FOLIAGE_MPOL_MF_MOVE_ALL) ?
		      numa_targets(d, op->nodes) : numa_begin(d);
		if (ret)
			return ret;
		*real_ret = realproc_mbind(t, op->start, op->len,
					   op->mpol_mode, op->nodes,
					   (unsigned int)op->flags);
		return SCN_OK;
	case SCN_ACT_SET_MEMPOLICY:
		ret = numa_begin(d);
		if (ret)
			return ret;
		*real_ret = realproc_set_mempolicy(t, op->mpol_mode, op->nodes);
		return SCN_OK;
	case SCN_ACT_MOVE_PAGES:
		ret = op->node < 0 ? numa_begin(d) :
		      numa_targets(d, op->node < 64 ? 1ULL << op->node :
						      ~0ULL << 63);
		return ret ? ret : real_move_pages(d, op, foliage_ret,
						   real_ret);
	default:
		ret = numa_targets(d, op->nodes_to);
		if (ret)
			return ret;
		*real_ret = realproc_migrate_pages(t, op->nodes, op->nodes_to);
		if (*real_ret > 0)
			*real_ret = 0;
		return SCN_OK;
	}
}

/*
 * 'show numa_maps TASK' and 'expect numa_maps TASK ...': the task's
 * numa_maps is compared with the real task's now (and every task's after
 * every later comparison).
 */
static int numa_maps_line(struct diff *d, struct scn_args *a)
{
	int ret, i;

	if (a->nr_words < 2 || strcmp(a->words[0], "numa_maps"))
		return SCN_OK;
	ret = numa_begin(d);
	if (ret)
		return ret;
	for (i = 0; i < (int)d->s->nr_tasks; i++)
		if (!strcmp(d->s->tasks[i]->name, a->words[1]))
			break;
	if (i == (int)d->s->nr_tasks || (unsigned int)i >= d->nr_tasks ||
	    !d->tasks[i].real)
		return SCN_OK;
	ret = compare_numa_maps(d, (unsigned int)i);
	if (!ret)
		d->nr_compares++;
	return ret;
}

/*
 * touch TASK RANGE read|write: the bytes foliage wrote (shadow.h's
 * pattern of each page, seeded by the page, foliage's pid of the task and
 * the line), written by the real task a chunk at a time.
 */
static int real_touch(struct diff *d, const struct scn_action *op, int *real_ret)
{
	struct realproc_task *t = op_task(d, op);
	const size_t max = 256 * PAGE_BYTES;
	unsigned long addr, end, from;
	unsigned char *buf, *page;
	size_t n = 0;

	if (!op->write) {
		*real_ret = realproc_touch_read(t, op->start, op->len,
						&d->real_fault);
		return SCN_OK;
	}
	buf = malloc(max + PAGE_BYTES);
	if (!buf)
		return scn_fail(d->s, "diff: out of memory");
	page = buf + max;
	*real_ret = 0;
	end = op->start + op->len;
	for (from = addr = op->start; addr < end && !*real_ret;) {
		unsigned long base = addr & ~(PAGE_BYTES - 1);
		unsigned long next = base + PAGE_BYTES < end ?
				     base + PAGE_BYTES : end;

		shadow_pattern(shadow_seed(base, op->task->pid, d->s->line),
			       page);
		memcpy(buf + n, page + (addr - base), next - addr);
		n += next - addr;
		addr = next;
		if (n == max || addr == end) {
			*real_ret = realproc_write(t, from, buf, n,
						   &d->real_fault);
			from = addr;
			n = 0;
		}
	}
	free(buf);
	return SCN_OK;
}

static int real_write(struct diff *d, const struct scn_action *op,
		      int *real_ret)
{
	*real_ret = realproc_write(op_task(d, op), op->start, op->data,
				   op->len, &d->real_fault);
	return SCN_OK;
}

/* read TASK ADDR LEN: the same bytes as foliage read. */
static int real_read(struct diff *d, const struct scn_action *op,
		     int foliage_ret, int *real_ret)
{
	struct dc_divergence div = { .addr = 0 };
	unsigned char *buf;
	size_t i, len = op->len;

	buf = malloc(len ? len : 1);
	if (!buf)
		return scn_fail(d->s, "diff: out of memory");
	*real_ret = realproc_read(op_task(d, op), op->start, buf, len,
				  &d->real_fault);
	if (*real_ret || foliage_ret || d->s->read.len != len) {
		free(buf);
		return SCN_OK;
	}
	for (i = 0; i < len && buf[i] == d->s->read.buf[i]; i++)
		;
	if (i < len) {
		snprintf(div.task, sizeof(div.task), "%s", op->task->name);
		div.addr = op->start + i;
		snprintf(div.field, sizeof(div.field), "byte read");
		snprintf(div.foliage, sizeof(div.foliage), "%#04x",
			 d->s->read.buf[i]);
		snprintf(div.real, sizeof(div.real), "%#04x", buf[i]);
		free(buf);
		return diverged(d, &div);
	}
	free(buf);
	return SCN_OK;
}

/* ---- THP: foliage's knobs follow the host's ---------------------------- */

/*
 * Set foliage's transparent_hugepage knobs to the host's, which the real
 * processes live under.  A host setting foliage cannot take makes THP
 * scenarios incomparable: SCN_USAGE.
 */
static int follow_host_thp(struct diff *d)
{
	static const char *const files[] = {
		"enabled", "defrag", "use_zero_page",
		"hugepages-16kB/enabled", "hugepages-32kB/enabled",
		"hugepages-64kB/enabled", "hugepages-128kB/enabled",
		"hugepages-256kB/enabled", "hugepages-512kB/enabled",
		"hugepages-1024kB/enabled", "hugepages-2048kB/enabled",
	};
	char path[256], key[128], word[32];
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), THP_SYSFS "/%s", files[i]);
		if (diff_thp_read(path, word, sizeof(word)))
			continue;
		snprintf(key, sizeof(key), "transparent_hugepage.%s",
			 files[i]);
		ret = foliage_set(d->s->m, key, word);
		if (ret)
			return scn_usage(d->s, "diff: the host's %s is '%s', "
					 "which foliage cannot set (%s)", path,
					 word, strerror(-ret));
	}
	return SCN_OK;
}

/*
 * 'set transparent_hugepage.X V': the host's file is set for the run too
 * (diff_thp.c), or the run is skipped where it cannot be.
 */
static int check_thp_set(struct diff *d, const struct scn_action *op)
{
	static const char prefix[] = "transparent_hugepage.";
	const char *key = op->key;
	char why[256];
	int ret;

	ret = diff_hugetlb_set(key, op->value, why, sizeof(why));
	if (ret == -EACCES) {
		fprintf(stderr, "foliage diff: skipped: %s\n", why);
		return SKIP_STATUS;
	}
	if (ret < 0)
		return scn_usage(d->s, "diff: %s", why);
	if (!ret) {
		d->hugetlb = true;
		return SCN_OK;
	}
	if (!strcmp(key, "vm.max_map_count"))
		return scn_usage(d->s, "diff: the real processes live under "
				 "the host's vm.max_map_count, which foliage "
				 "follows (less the real tasks' own mappings)");
	if (strncmp(key, prefix, sizeof(prefix) - 1))
		return SCN_OK;
	ret = diff_thp_set(key + sizeof(prefix) - 1, op->value, why,
			   sizeof(why));
	if (ret == -EACCES) {
		fprintf(stderr, "foliage diff: skipped: %s\n", why);
		return SKIP_STATUS;
	}
	if (ret)
		return scn_usage(d->s, "diff: %s", why);
	return SCN_OK;
}

/*
 * The machine is up: its THP knobs follow the host's, and foliage's
 * object counts start here (if it renders slabinfo).
 */
static int machine_up(struct diff *d)
{
	struct dc_slab_row rows[REALPROC_NR_CACHES];
	char *text;
	int i;

	if (!foliage_render(d->s->m, "slabinfo", 0, &text)) {
		dc_parse_slabinfo(text, realproc_cache_name,
				  REALPROC_NR_CACHES, rows);
		free(text);
		d->objects = true;
		d->lazy = d->s->config.anon_vma == FOLIAGE_ANON_VMA_LAZY;
		for (i = 0; i < REALPROC_NR_CACHES; i++) {
			d->foliage_base[i] = rows[i].active_objs;
			d->foliage_mark[i] = rows[i].active_objs;
		}
	}
	return follow_host_thp(d);
}

/* ---- PKU: foliage's CPU is the host's ------------------------------------ */

/*
 * Whether this CPU has protection keys the kernel uses: x86's "ospke"
 * flag in /proc/cpuinfo (arch_pkeys_enabled()).
 */
static bool host_has_pku(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool pku = false;

	if (!f)
		return false;
	while (!pku && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		pku = strstr(line, " ospke ") || strstr(line, " ospke\n");
		break;
	}
	fclose(f);
	return pku;
}

/*
 * 'machine': its CPU has protection keys if the host's has (the default
 * diff_before() gives it); a pku= that says otherwise cannot be compared.
 */
static int check_host_pku(struct diff *d)
{
	bool host = host_has_pku();

	if (d->s->config.pku != host)
		return scn_usage(d->s, "diff: the real processes run on this "
				 "CPU, which has %sprotection keys: pku=%d "
				 "cannot be compared", host ? "" : "no ",
				 d->s->config.pku);
	return SCN_OK;
}

/* ---- mapcounts: foliage's configuration is the host kernel's ----------- */

/*
 * Whether the host kernel was built with CONFIG_NO_PAGE_MAPCOUNT, from
 * /proc/config.gz (through gzip); a kernel that does not say is taken to
 * have 6.18's default, per-page mapcounts.
 */
static bool host_no_page_mapcount(void)
{
	FILE *f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
	char line[256];
	bool none = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "CONFIG_NO_PAGE_MAPCOUNT=y\n"))
			none = true;
	pclose(f);
	return none;
}

/*
 * 'machine': smaps, numa_maps and pagemap report mapcounts the way the
 * kernel was built to keep them, so only that way can be compared.
 */
static int check_host_mapcount(struct diff *d)
{
	bool host = host_no_page_mapcount();

	if (d->s->config.no_page_mapcount != host)
		return scn_usage(d->s, "diff: the host kernel keeps %s: "
				 "no_page_mapcount=%d cannot be compared",
				 host ? "no per-page mapcounts "
					"(CONFIG_NO_PAGE_MAPCOUNT)" :
					"per-page mapcounts",
				 d->s->config.no_page_mapcount);
	return SCN_OK;
}

/* ---- the hooks ----------------------------------------------------------- */

static struct diff *diff_of(struct scenario *s)
{
	return s->hook_data;
}

#define HINT_PMD_SIZE		(2UL << 20)

/*
 * An mmap without at=: foliage would place it below its mmap_base, far
 * above the window, where the real process cannot follow.  Place it in
 * the window instead, top-down from its end as Linux's allocator goes,
 * PMD-aligned when it is at least a PMD (as thp_get_unmapped_area()
 * aligns): the mmap gets a hint, which foliage takes where the range is
 * free (and the real process maps at foliage's choice).  Past the
 * window's start there is no hint and real_mmap() says so.
 */
static unsigned long diff_place_mmap(struct scenario *s, unsigned long bytes)
{
	struct diff *d = diff_of(s);
	unsigned long len, hint;

	len = (bytes + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
	/* Length 0 (foliage refuses it) or more than the window has left. */
	if (!len || len > d->next_hint - d->win_start)
		return 0;
	hint = d->next_hint - len;
	if (len >= HINT_PMD_SIZE)
		hint &= ~(HINT_PMD_SIZE - 1);
	if (hint < d->win_start)
		return 0;
	d->next_hint = hint;
	return hint;
}

/* Before a line: refuse what real processes cannot do. */
static int diff_before(struct scenario *s, struct scn_args *a)
{
	struct diff *d = diff_of(s);

	d->real_fault = 0;
	s->fault_addr = 0;
	if (!strcmp(a->verb, "machine"))
		s->config.pku = host_has_pku();
	if (!strcmp(a->verb, "pin") || !strcmp(a->verb, "unpin"))
		return scn_usage(s, "diff: %s: real processes have no "
				 "pin_user_pages() here", a->verb);
	return SCN_OK;
}

/*
 * After a line ran in foliage with @status: the same operation (s->action,
 * as the verb's handler parsed it) for real.
 */
static int diff_after(struct scenario *s, struct scn_args *a, int status)
{
	struct diff *d = diff_of(s);
	const struct scn_action *op = &s->action;
	int foliage_ret = s->got_err ? s->want_err : 0, real_ret = 0;
	int ret = SCN_OK;

	if (status)
		return status;
	if (!strcmp(a->verb, "machine")) {
		ret = check_host_pku(d) ?: check_host_mapcount(d);
		return ret ? ret : machine_up(d);
	}
	if (!strcmp(a->verb, "show") || !strcmp(a->verb, "expect"))
		return numa_maps_line(d, a);
	switch (op->kind) {
	case SCN_ACT_NONE:
	case SCN_ACT_PIN:
	case SCN_ACT_UNPIN:
		return SCN_OK;
	case SCN_ACT_SET:
		return check_thp_set(d, op);
	case SCN_ACT_TASK:
	case SCN_ACT_FORK:
		ret = real_new_task(d, op);
		break;
	case SCN_ACT_EXIT:
		ret = real_exit(d, op);
		break;
	case SCN_ACT_FILE:
	case SCN_ACT_CLOSE:
		return real_file(d, op);
	case SCN_ACT_MMAP:
		ret = real_mmap(d, op, foliage_ret, &real_ret);
		break;
	case SCN_ACT_MUNMAP:
	case SCN_ACT_MPROTECT:
	case SCN_ACT_MADVISE:
		ret = real_range_op(d, op, &real_ret);
		break;
	case SCN_ACT_MREMAP:
		ret = real_mremap(d, op, foliage_ret, &real_ret);
		break;
	case SCN_ACT_TOUCH:
		ret = real_touch(d, op, &real_ret);
		break;
	case SCN_ACT_WRITE:
		ret = real_write(d, op, &real_ret);
		break;
	case SCN_ACT_READ:
		ret = real_read(d, op, foliage_ret, &real_ret);
		break;
	case SCN_ACT_MBIND:
	case SCN_ACT_SET_MEMPOLICY:
	case SCN_ACT_MOVE_PAGES:
	case SCN_ACT_MIGRATE_PAGES:
		ret = real_numa(d, op, foliage_ret, &real_ret);
		break;
	}
	if (ret)
		return ret;
	if (real_ret == -ERANGE)
		return real_error(d, a->verb, real_ret);
	d->nr_ops++;
	if (op->kind != SCN_ACT_TASK && op->kind != SCN_ACT_FORK &&
	    op->kind != SCN_ACT_EXIT)
		ret = compare_result(d, op->task ? op->task->name : "",
				     foliage_ret, real_ret);
	if (!ret && foliage_ret == -EFAULT &&
	    (op->kind == SCN_ACT_TOUCH || op->kind == SCN_ACT_WRITE ||
	     op->kind == SCN_ACT_READ))
		ret = compare_fault(d, op->task->name);
	if (!ret && !d->markers)
		ret = compare_all(d, false);
	return ret;
}

/* 'compare': a verb of 'foliage diff' only. */
static int diff_unknown_verb(struct scenario *s, struct scn_args *a)
{
	struct diff *d = diff_of(s);

	if (strcmp(a->verb, "compare"))
		return -1;
	if (!s->m)
		return scn_usage(s, "compare: no machine yet");
	return compare_all(d, true);
}

static const struct scn_hooks diff_hooks = {
	.unknown_verb = diff_unknown_verb,
	.before = diff_before,
	.after = diff_after,
	.place_mmap = diff_place_mmap,
};

/* ---- the command ---------------------------------------------------------- */

/* Whether @text has a 'compare' line. */
static bool has_markers(const char *text)
{
	const char *p;

	for (p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		p += strspn(p, " \t");
		if (!strncmp(p, "compare", 7) && strchr(" \t#\n", p[7]))
			return true;
	}
	return false;
}

static void diff_free(struct diff *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_files; i++)
		realproc_file_put(d->files[i]);
	free(d->files);
	free(d->tasks);
	realproc_destroy(d->rp);
	realproc_destroy(d->twins);
	free(d->slab_base);
	tracefs_unmount(d);
}

/* The real processes, their twins, slabinfo at the start. */
static int diff_start(struct diff *d, const struct diff_options *o,
		      char *why, size_t len)
{
	struct realproc_config cfg;
	int ret;

	realproc_config_init(&cfg);
	ret = realproc_create(&cfg, &d->rp);
	if (ret) {
		snprintf(why, len, "cannot start the real processes: %s",
			 strerror(-ret));
		return ret;
	}
	if (realproc_tracing(d->rp)) {
		ret = realproc_create(&cfg, &d->twins);
		if (ret) {
			snprintf(why, len, "cannot start the twins: %s",
				 strerror(-ret));
			return ret;
		}
	}
	d->win_start = realproc_window_start(d->rp);
	d->win_end = realproc_window_end(d->rp);
	d->next_hint = d->win_end;
	d->pages = !o->no_pages;
	d->verbose = o->verbose;
	d->fields = o->all_fields ? ~0ULL : DC_FIELDS_DEFAULT;
	d->cmp_flags = o->all_fields ? DC_CMP_VMFLAGS : 0;
	if (realproc_slabinfo(true, &d->slab_base))
		d->slab_base = NULL;
	return 0;
}

int diff_run(FILE *in, bool markers,
	     const struct diff_options *o, struct scenario *s)
{
	struct diff d = { .s = s, .markers = markers };
	char why[256];
	int ret;

	tracefs_mount(&d);
	if (!realproc_observable(why, sizeof(why)) ||
	    diff_start(&d, o, why, sizeof(why))) {
		fprintf(stderr, "foliage diff: skipped: %s\n", why);
		diff_free(&d);
		return SKIP_STATUS;
	}
	if (o->mthp && diff_thp_set_mthp(why, sizeof(why))) {
		fprintf(stderr, "foliage diff: skipped: %s\n", why);
		diff_thp_restore();
		diff_free(&d);
		return SKIP_STATUS;
	}
	s->verbose = o->verbose;
	s->hooks = &diff_hooks;
	s->hook_data = &d;
	ret = scenario_run(s, in);
	if (!ret)
		printf("foliage diff: %s: %lu operations on both sides, %lu "
		       "comparisons, no divergence; objects %s%s\n", s->file,
		       d.nr_ops, d.nr_compares,
		       !d.objects ? "not compared (foliage has no slabinfo)" :
		       d.twins ? "exact (by tracing)" :
		       "by slabinfo at 'compare' lines",
		       d.lazy ? "; anon_vma and anon_vma_chain not compared: "
		       "anon_vma=lazy makes fewer by design" : "");
	diff_thp_restore();
	diff_hugetlb_restore();
	diff_free(&d);
	return ret;
}

static void diff_usage(FILE *f)
{
	fprintf(f,
		"usage: foliage diff [options] FILE|-\n"
		"       foliage diff [options] --random SEED [--steps N]\n\n"
		"Run a scenario's operations on tasks both in foliage and in real\n"
		"processes of the running kernel, and compare them: after every\n"
		"operation, or at 'compare' lines if the scenario has any.  The\n"
		"first divergence is told as 'FILE:LINE: diverged: task T ADDR\n"
		"FIELD: foliage X, Linux Y'.  Needs root (PFNs in pagemap,\n"
		"/proc/slabinfo); tracefs makes object counts exact.\n\n"
		"options:\n"
		"  -r, --random SEED  a random scenario instead of FILE\n"
		"  -n, --steps N      its number of operations (default 200)\n"
		"  -p, --print        print the random scenario's lines\n"
		"      --thp          random: MADV_HUGEPAGE and 2M-aligned ranges\n"
		"      --mthp         set the host's mTHP sizes to 'always' for the\n"
		"                     run (root; restored after)\n"
		"      --no-pages     compare maps and smaps, not pagemap\n"
		"      --all-fields   compare every smaps field and VmFlags\n"
		"  -v, --verbose      print each line and each comparison\n"
		"  -h, --help         this text\n\n"
		"exit status: 0 no divergence; 1 a divergence (or a failed\n"
		"expect); 2 a scenario real processes cannot follow; 77 this\n"
		"machine cannot be observed (skipped).  See docs/diff.md.\n");
}

/* The whole of @f, or NULL. */
/*
 * Read all of @f (at most DIFF_MAX_FILE bytes) into a NUL-terminated
 * buffer; *@len is its length, NUL bytes included, so the scenario reader
 * sees them.  NULL with errno set on a read error (a directory: EISDIR)
 * or a file too large (EFBIG).
 */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 1 << 16;
	char *buf = malloc(cap), *more;
	size_t n;

	*len = 0;
	while (buf && (n = fread(buf + *len, 1, cap - *len - 1, f)) > 0) {
		*len += n;
		if (cap - *len < 4096) {
			more = cap <= DIFF_MAX_FILE ? realloc(buf, cap * 2)
						    : NULL;
			if (!more) {
				free(buf);
				errno = cap > DIFF_MAX_FILE ? EFBIG : ENOMEM;
				return NULL;
			}
			buf = more;
			cap *= 2;
		}
	}
	if (buf && ferror(f)) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[*len] = '\0';
	return buf;
}

int cmd_diff(int argc, char **argv)
{
	enum { OPT_THP = 1000, OPT_NO_PAGES, OPT_ALL_FIELDS, OPT_MTHP };
	static const struct option options[] = {
		{ "random", required_argument, NULL, 'r' },
		{ "steps", required_argument, NULL, 'n' },
		{ "print", no_argument, NULL, 'p' },
		{ "thp", no_argument, NULL, OPT_THP },
		{ "mthp", no_argument, NULL, OPT_MTHP },
		{ "no-pages", no_argument, NULL, OPT_NO_PAGES },
		{ "all-fields", no_argument, NULL, OPT_ALL_FIELDS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diff_options o = { .verbose = false };
	unsigned long long seed = 0, steps = 200;
	bool random = false;
	struct scenario s;
	char name[64], *text = NULL;
	size_t len = 0;
	const char *file;
	FILE *in;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:n:pvh", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (cli_parse_number("diff", "--random", optarg, 0,
					     ULLONG_MAX, &seed))
				return SCN_USAGE;
			random = true;
			break;
		case 'n':
			if (cli_parse_number("diff", "--steps", optarg, 1,
					     DIFF_MAX_STEPS, &steps))
				return SCN_USAGE;
			break;
		case 'p':
			o.print = true;
			break;
		case OPT_THP:
			o.thp = true;
			break;
		case OPT_MTHP:
			o.mthp = true;
			break;
		case OPT_NO_PAGES:
			o.no_pages = true;
			break;
		case OPT_ALL_FIELDS:
			o.all_fields = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			diff_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "foliage diff: unknown option '%s'\n"
				"Try 'foliage diff --help'.\n", argv[optind - 1]);
			return SCN_USAGE;
		}
	}
	if (random == (optind != argc) || optind < argc - 1) {
		fprintf(stderr, "foliage diff: expected one FILE (or '-'), or "
			"--random SEED\nTry 'foliage diff --help'.\n");
		return SCN_USAGE;
	}
	if (random) {
		snprintf(name, sizeof(name), "random-%llu", seed);
		scenario_init(&s, name, stdout);
		in = diff_random_open(&s, seed, (unsigned int)steps, &o);
	} else {
		file = argv[optind];
		in = strcmp(file, "-") ? fopen(file, "r") : stdin;
		text = in ? slurp(in, &len) : NULL;
		if (in && in != stdin)
			fclose(in);
		in = text ? fmemopen(text, len, "r") : NULL;
		scenario_init(&s, file, stdout);
	}
	if (!in) {
		fprintf(stderr, "foliage diff: cannot read %s: %s\n",
			random ? name : argv[optind], strerror(errno));
		scenario_destroy(&s);
		free(text);
		return SCN_USAGE;
	}
	ret = diff_run(in, text && has_markers(text), &o, &s);
	fclose(in);
	scenario_destroy(&s);
	free(text);
	return ret;
}
