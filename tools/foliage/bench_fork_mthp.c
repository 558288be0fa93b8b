// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench fork, the PTE-batching part (docs/pte-batching.md): fork
 * of a task with 1 GiB of anonymous memory in PTE-mapped folios of one
 * size, 4K to 2M, on an x86 and an arm64 machine, batched (the default)
 * and per-PTE (debug.fork_batching=0), and munmap of the same (zap
 * batching, which has no per-PTE switch):
 *
 *   fork_ARCH_SIZE_batch   foliage_fork(), batches of a folio's PTEs
 *   fork_ARCH_SIZE_pte     the same, one PTE at a time
 *   munmap_ARCH_SIZE       foliage_munmap() of the 1 GiB
 *   tlbi_arm64_SIZE_batch  arm64: contiguous-block invalidations of one
 *   tlbi_arm64_SIZE_pte    fork (range and page TLBIs; the dup_mmap()
 *                          ASID TLBI aside), and the folds and unfolds
 *   cont_arm64_SIZE_...    (contpte_fold + contpte_unfold) behind them
 *
 * ARCH is x86, arm64, or x86nopm: an x86 machine with
 * CONFIG_NO_PAGE_MAPCOUNT (foliage_config.no_page_mapcount), whose forks
 * raise no per-page mapcount, shown beside the default for what that
 * design saves (no target of its own).
 *
 * 2M folios are PMD-mapped THPs split to PTEs (an mprotect of their first
 * page and back); the other sizes are faulted with only that mTHP size
 * enabled.  Each size gets a task of its own, one size at a time, so the
 * guest holds 1 GiB and its child's tables.  Before each fork the parent
 * writes its memory again (untimed), as in the 4K cases; before each
 * munmap the region is mapped and populated again (untimed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <foliage/foliage.h>

#include "bench.h"

#define MTHP_BYTES		(1UL << 30)
#define MTHP_RAM_BYTES		(1536UL << 20)
#define MTHP_ADDR		(1UL << 32)
#define MTHP_NR_SIZES		9

static const unsigned int mthp_orders[MTHP_NR_SIZES] = {
	0, 2, 3, 4, 5, 6, 7, 8, 9,
};

/* The sizes whose knob exists (hugepages-<N>kB/enabled), 16K to 2M. */
static const unsigned int knob_orders[] = { 2, 3, 4, 5, 6, 7, 8, 9 };

/* The machines compared: the two arches, and x86 without page mapcounts. */
struct mthp_kind {
	const char *name;		/* in row keys and names */
	unsigned int arch;		/* FOLIAGE_ARCH_* */
	bool no_page_mapcount;		/* CONFIG_NO_PAGE_MAPCOUNT */
};

static const struct mthp_kind mthp_kinds[] = {
	{ "x86", FOLIAGE_ARCH_X86_64, false },
	{ "arm64", FOLIAGE_ARCH_ARM64, false },
	{ "x86nopm", FOLIAGE_ARCH_X86_64, true },
};
#define MTHP_NR_KINDS	(sizeof(mthp_kinds) / sizeof(mthp_kinds[0]))

struct mthp_run {
	struct bench_report *r;		/* the report (r->round) */
	struct foliage_machine *m;	/* the guest of this kind */
	const struct mthp_kind *kind;	/* which */
	bool arm64;			/* an arm64 machine */
	unsigned int order;		/* folio order */
	struct foliage_task *task;	/* the parent */
	double tlbi[2][BENCH_MAX_RUNS];	/* per-PTE/batched: TLBIs per fork */
	double cont[2][BENCH_MAX_RUNS];	/* folds + unfolds per fork */
};

/* A counter of `show tlb`, 0 if the arch has none of that name. */
static unsigned long tlb_counter(struct foliage_machine *m, const char *name)
{
	unsigned long v = 0;
	size_t len = strlen(name);
	char *text, *p;

	if (foliage_render(m, "tlb", 0, &text))
		return 0;
	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ') {
			v = strtoul(p + len + 1, NULL, 10);
			break;
		}
	free(text);
	return v;
}

static unsigned long contpte_tlbis(struct foliage_machine *m)
{
	return tlb_counter(m, "tlbi_page") + tlb_counter(m, "tlbi_range");
}

static unsigned long contpte_conversions(struct foliage_machine *m)
{
	return tlb_counter(m, "contpte_fold") + tlb_counter(m, "contpte_unfold");
}

/* Only @order's size enabled (none for 4K; 2M as PMD THPs). */
static int mthp_knobs(struct foliage_machine *m, unsigned int order)
{
	char key[80];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < sizeof(knob_orders) / sizeof(knob_orders[0]); i++) {
		snprintf(key, sizeof(key),
			 "transparent_hugepage.hugepages-%lukB/enabled",
			 4UL << knob_orders[i]);
		ret = ret ?: foliage_set(m, key, knob_orders[i] == order ?
						 "always" : "never");
	}
	return ret;
}

/* The parent's 1 GiB, mapped and populated in folios of the run's size. */
static int mthp_populate(struct mthp_run *mr)
{
	const int rw = FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE;
	unsigned long addr = 0, a;
	int ret;

	ret = foliage_mmap(mr->task, MTHP_ADDR, MTHP_BYTES, rw,
			   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
			   FOLIAGE_MAP_FIXED, NULL, 0, &addr);
	if (!ret && !mr->order)
		ret = foliage_madvise(mr->task, addr, MTHP_BYTES,
				      FOLIAGE_MADV_NOHUGEPAGE);
	if (!ret && mr->order == 9)
		ret = foliage_madvise(mr->task, addr, MTHP_BYTES,
				      FOLIAGE_MADV_HUGEPAGE);
	ret = ret ?: foliage_madvise(mr->task, addr, MTHP_BYTES,
				     FOLIAGE_MADV_POPULATE_WRITE);
	/* 2M: split each huge PMD into PTEs, keeping the THP whole. */
	for (a = addr; !ret && mr->order == 9 && a < addr + MTHP_BYTES;
	     a += 2UL << 20)
		ret = foliage_mprotect(mr->task, a, FOLIAGE_PAGE_SIZE,
				       FOLIAGE_PROT_READ) ?:
		      foliage_mprotect(mr->task, a, FOLIAGE_PAGE_SIZE, rw);
	return ret;
}

static int mthp_fork(struct mthp_run *mr, bool batched, double *value)
{
	unsigned long tlbi, cont;
	struct foliage_task *child;
	uint64_t t0, t1;
	int ret;

	ret = foliage_set(mr->m, "debug.fork_batching", batched ? "1" : "0") ?:
	      foliage_madvise(mr->task, MTHP_ADDR, MTHP_BYTES,
			      FOLIAGE_MADV_POPULATE_WRITE);
	if (ret)
		return ret;
	tlbi = contpte_tlbis(mr->m);
	cont = contpte_conversions(mr->m);
	t0 = bench_thread_cpu_ns();
	ret = foliage_fork(mr->task, "bench-child", &child);
	t1 = bench_thread_cpu_ns();
	if (ret)
		return ret;
	if (mr->r->round >= 0) {
		mr->tlbi[batched][mr->r->round] = contpte_tlbis(mr->m) - tlbi;
		mr->cont[batched][mr->r->round] =
			contpte_conversions(mr->m) - cont;
	}
	*value = (t1 - t0) / 1e6;
	return foliage_exit(child) ?:
	       foliage_set(mr->m, "debug.fork_batching", "1");
}

static int run_fork_batched(void *arg, double *value)
{
	return mthp_fork(arg, true, value);
}

static int run_fork_pte(void *arg, double *value)
{
	return mthp_fork(arg, false, value);
}

static int run_munmap(void *arg, double *value)
{
	struct mthp_run *mr = arg;
	uint64_t t0, t1;
	int ret;

	t0 = bench_thread_cpu_ns();
	ret = foliage_munmap(mr->task, MTHP_ADDR, MTHP_BYTES);
	t1 = bench_thread_cpu_ns();
	*value = (t1 - t0) / 1e6;
	return ret ?: mthp_populate(mr);
}

/* "64k", "2m": the size of @order in row keys. */
static const char *size_word(unsigned int order, char *buf, size_t len)
{
	unsigned int kb = 4U << order;

	if (kb >= 1024)
		snprintf(buf, len, "%um", kb >> 10);
	else
		snprintf(buf, len, "%uk", kb);
	return buf;
}

/* Row keys and names, which the report points to until the CLI exits. */
struct mthp_names {
	char key[MTHP_NR_SIZES * MTHP_NR_KINDS][8][48]; /* per kind, size, row */
	char name[MTHP_NR_SIZES * MTHP_NR_KINDS][8][96]; /* the rows' names */
};
static struct mthp_names mthp_names;

static int mthp_size(struct bench_report *r, struct mthp_run *mr,
		     struct mthp_names *nm, unsigned int slot)
{
	const char *arch = mr->kind->name;
	char (*key)[48] = nm->key[slot], (*name)[96] = nm->name[slot];
	char sz[24], sz_up[24];
	struct bench_case cases[3];
	unsigned int i;
	int ret;

	size_word(mr->order, sz, sizeof(sz));
	for (i = 0; i < sizeof(sz_up) && sz[i]; i++)
		sz_up[i] = (char)(sz[i] == 'k' ? 'K' : sz[i] == 'm' ? 'M' :
				  sz[i]);
	sz_up[i] = 0;
	snprintf(key[0], 48, "fork_%s_%s_batch", arch, sz);
	snprintf(name[0], 96, "%s: fork, 1 GiB of %s folios, batched", arch,
		 sz_up);
	snprintf(key[1], 48, "fork_%s_%s_pte", arch, sz);
	snprintf(name[1], 96, "%s: fork, 1 GiB of %s folios, per PTE", arch,
		 sz_up);
	snprintf(key[2], 48, "munmap_%s_%s", arch, sz);
	snprintf(name[2], 96, "%s: munmap, 1 GiB of %s folios", arch, sz_up);
	cases[0] = (struct bench_case){ key[0], name[0], "ms",
					run_fork_batched, mr };
	cases[1] = (struct bench_case){ key[1], name[1], "ms", run_fork_pte,
					mr };
	cases[2] = (struct bench_case){ key[2], name[2], "ms", run_munmap,
					mr };
	ret = mthp_knobs(mr->m, mr->order) ?:
	      foliage_task_create(mr->m, "bench-parent", &mr->task) ?:
	      mthp_populate(mr);
	if (!ret)
		ret = bench_run_cases(r, cases, 3);
	if (ret >= 0 && mr->arm64) {
		snprintf(key[3], 48, "tlbi_arm64_%s_batch", sz);
		snprintf(name[3], 96, "arm64 %s: contpte TLBIs per fork, batched",
			 sz_up);
		snprintf(key[4], 48, "tlbi_arm64_%s_pte", sz);
		snprintf(name[4], 96, "arm64 %s: contpte TLBIs per fork, per PTE",
			 sz_up);
		snprintf(key[5], 48, "cont_arm64_%s_batch", sz);
		snprintf(name[5], 96, "arm64 %s: folds+unfolds per fork, batched",
			 sz_up);
		snprintf(key[6], 48, "cont_arm64_%s_pte", sz);
		snprintf(name[6], 96, "arm64 %s: folds+unfolds per fork, per PTE",
			 sz_up);
		ret = bench_add_row(r, key[3], name[3], "", mr->tlbi[1]);
		if (ret >= 0)
			ret = bench_add_row(r, key[4], name[4], "", mr->tlbi[0]);
		if (ret >= 0)
			ret = bench_add_row(r, key[5], name[5], "", mr->cont[1]);
		if (ret >= 0)
			ret = bench_add_row(r, key[6], name[6], "", mr->cont[0]);
	}
	if (ret >= 0) {
		snprintf(name[7], 96, "%s %s fork: per PTE / batched", arch,
			 sz_up);
		/*
		 * At 64K and above batching should halve fork's time (the
		 * default configuration's target; x86nopm is informative).
		 */
		ret = bench_compare(r, name[7], key[1], key[0],
				    mr->order >= 4 &&
				    !mr->kind->no_page_mapcount ?
				    BENCH_AT_LEAST : BENCH_NO_TARGET, 2.0);
	}
	if (mr->task) {
		int err = foliage_exit(mr->task);

		mr->task = NULL;
		ret = ret < 0 ? ret : err;
	}
	return ret < 0 ? ret : 0;
}

int bench_fork_mthp(struct bench_report *r)
{
	struct mthp_names *nm = &mthp_names;
	struct foliage_config cfg;
	unsigned int k, i;
	int ret = 0;

	for (k = 0; k < MTHP_NR_KINDS && !ret; k++) {
		const struct mthp_kind *kind = &mthp_kinds[k];
		struct mthp_run mr = {
			.r = r, .kind = kind,
			.arm64 = kind->arch == FOLIAGE_ARCH_ARM64,
		};

		foliage_config_init(&cfg);
		cfg.nr_nodes = 1;
		cfg.bytes_per_node = MTHP_RAM_BYTES;
		cfg.nr_cpus = 2;
		cfg.prefault = true;
		cfg.arch = kind->arch;
		cfg.no_page_mapcount = kind->no_page_mapcount;
		ret = foliage_machine_create(&cfg, &mr.m);
		for (i = 0; i < MTHP_NR_SIZES && !ret; i++) {
			mr.order = mthp_orders[i];
			ret = mthp_size(r, &mr, nm, k * MTHP_NR_SIZES + i);
		}
		if (mr.m)
			foliage_machine_destroy(mr.m);
	}
	return ret;
}
