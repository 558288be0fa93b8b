// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench zero: seed 000's experiment, reproduced and extended.  A
 * guest reports its free memory, its host discards it (the memory really
 * goes back: fallocate(PUNCH_HOLE) on the guest's memfd), and the
 * allocator skips zeroing what came back zeroed.  Every case has its
 * baseline in the same run, on a guest of its own with the same history:
 *
 *   thp_base / thp_opt    a 1-node 2 GiB guest with 1 CPU, THP on
 *			   (MADV_HUGEPAGE); before every run a reporting
 *			   flush (page_reporting.flush=512, as the seed's
 *			   script); then mmap 256 MiB + MADV_POPULATE_WRITE
 *			   + munmap, the populate timed.  base: the host's
 *			   zeroing is not known (virtio-balloon without
 *			   DEVICE_INIT_REPORTED: host_zeroes_pages off);
 *			   opt: it is (the key on)
 *   huge_base / huge_opt  the same guests, MAP_HUGETLB with
 *			   vm.nr_overcommit_hugepages=128 (the pool empty):
 *			   mmap takes 128 surplus 2 MiB pages from the buddy
 *			   allocator with __GFP_ZERO (gather_surplus_pages()),
 *			   the populate maps them, munmap gives them back; all
 *			   three timed, as the seed's perf stat of its program
 *   touch_base / _opt     the THP populate followed by a write of every
 *			   byte: in opt the host zero-fills each page on its
 *			   first touch, so the cost the guest no longer pays
 *			   moves (in part) to the host, and this shows how much
 *   aged_off / aged_on    4K pages (MADV_NOHUGEPAGE) on aged 1 GiB guests:
 *			   a fixed-seed churn first takes 70% of memory as
 *			   order-0 pages and frees 60% of those in random
 *			   order, leaving the free lists fragmented as in a
 *			   long-running guest; then flush + populate 256 MiB
 *			   with vm.zero_aware_alloc=0 and =1.  Rows: the share
 *			   of order-0 zeroings skipped, and the unusable free
 *			   space index at order 9 (the share of free memory in
 *			   blocks below order 9) after the flush and with the
 *			   256 MiB populated
 *   flush_1g		   on the base guest: populate 1 GiB (THP, zeroed by
 *			   the guest, so all of it backed), munmap, and time
 *			   one flush of it (wall clock); the bytes the host
 *			   really got back (its memfd's st_blocks, before and
 *			   after), here and for every flush before a THP run
 *
 * Reporting driver.  Until virtio-balloon's reporting is in the tree, the
 * guests use the host-backed TEST driver of tests/unit/reporting_driver.h:
 * its report() discards each block with host_ram_discard(), as QEMU's
 * balloon device does, and says it zeroed it.  The config line says so.
 *
 * Times are the populating thread's CPU time (user + system: the seed's
 * task-clock, which includes the host kernel's page faults).  Instructions
 * and cache misses come from perf_event_open() of this thread, user space
 * only (exclude_kernel: perf_event_paranoid 2 allows no more), when the
 * machine allows it; the config line says why not otherwise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <foliage/foliage.h>
#include <linux/mm.h>
#include "internal.h"
#include "../../tests/unit/reporting_driver.h"	/* the TEST driver */

#include "bench.h"

#define ZERO_THP_RAM		(2UL << 30)
#define ZERO_AGED_RAM		(1UL << 30)
#define ZERO_BYTES		(256UL << 20)
#define ZERO_FLUSH_BYTES	(1UL << 30)
#define ZERO_CHUNK		(2UL << 20)
#define ZERO_AGE_SEED		1234u

enum { PERF_INSNS, PERF_MISSES, NR_PERF };

struct zero_guest {
	struct foliage_machine *m;	/* the guest */
	struct foliage_task *task;	/* whose mappings are populated */
	struct test_reporter rep;	/* its reporting driver (TEST) */
	struct page **kept;		/* aged: pages the churn keeps */
	unsigned long nr_kept;		/* entries in kept */
};

struct zero_bench {
	struct bench_report *r;		/* the report (r->round) */
	struct zero_guest thp_base;	/* host_zeroes_pages off */
	struct zero_guest thp_opt;	/* host_zeroes_pages on */
	struct zero_guest aged_off;	/* aged, vm.zero_aware_alloc=0 */
	struct zero_guest aged_on;	/* aged, vm.zero_aware_alloc=1 */
	int perf_fd[NR_PERF];		/* this thread's counters, -1 if none */
	char perf_why[64];		/* why there are none */
	char *buf;			/* ZERO_CHUNK bytes to write with */
	/* Values read beside the timed cases, one per round. */
	double insns[6][BENCH_MAX_RUNS];	/* thp, aged, huge: base, opt */
	double misses[6][BENCH_MAX_RUNS];	/* the same */
	double skipped[6][BENCH_MAX_RUNS];	/* share of zeroings skipped */
	double unusable_before[2][BENCH_MAX_RUNS]; /* aged off/on */
	double unusable_after[2][BENCH_MAX_RUNS];  /* aged off/on */
	double flush_back[2][BENCH_MAX_RUNS];	/* MiB back per flush, thp */
	double flush_1g_back[BENCH_MAX_RUNS];	/* MiB back by flush_1g */
	double all[BENCH_MAX_RUNS];		/* 1.0: every zeroing */
};

/* ---- counters ----------------------------------------------------------- */

static void perf_setup(struct zero_bench *zb)
{
	static const unsigned long long config[NR_PERF] = {
		PERF_COUNT_HW_INSTRUCTIONS, PERF_COUNT_HW_CACHE_MISSES,
	};
	int i;

	for (i = 0; i < NR_PERF; i++) {
		struct perf_event_attr a;

		memset(&a, 0, sizeof(a));
		a.type = PERF_TYPE_HARDWARE;
		a.size = sizeof(a);
		a.config = config[i];
		a.disabled = 1;
		a.exclude_kernel = 1;
		a.exclude_hv = 1;
		zb->perf_fd[i] = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
		if (zb->perf_fd[i] < 0 && !zb->perf_why[0])
			snprintf(zb->perf_why, sizeof(zb->perf_why),
				 "no perf: %s", strerror(errno));
	}
	if (!zb->perf_why[0])
		snprintf(zb->perf_why, sizeof(zb->perf_why),
			 "perf: user space only");
}

static void perf_start(struct zero_bench *zb)
{
	int i;

	for (i = 0; i < NR_PERF; i++)
		if (zb->perf_fd[i] >= 0) {
			ioctl(zb->perf_fd[i], PERF_EVENT_IOC_RESET, 0);
			ioctl(zb->perf_fd[i], PERF_EVENT_IOC_ENABLE, 0);
		}
}

/* Stop and read the counters into row @which of this round (NaN: none). */
static void perf_stop(struct zero_bench *zb, int which)
{
	double v[NR_PERF];
	int i;

	for (i = 0; i < NR_PERF; i++) {
		unsigned long long n = 0;

		v[i] = 0.0 / 0.0;
		if (zb->perf_fd[i] < 0)
			continue;
		ioctl(zb->perf_fd[i], PERF_EVENT_IOC_DISABLE, 0);
		if (read(zb->perf_fd[i], &n, sizeof(n)) == sizeof(n))
			v[i] = n / 1e6;
	}
	if (zb->r->round < 0)
		return;
	zb->insns[which][zb->r->round] = v[PERF_INSNS];
	zb->misses[which][zb->r->round] = v[PERF_MISSES];
}

static int zeroings(struct foliage_machine *m, unsigned long *skipped,
		    unsigned long *cleared)
{
	return foliage_vmstat(m, "pgzero_skipped", skipped) ?:
	       foliage_vmstat(m, "pgzero_cleared", cleared);
}

/* What the host really holds for the guest's RAM (fstat() of its memfd). */
static int host_backed(struct foliage_machine *m, unsigned long *bytes)
{
	struct host_ram_stats st;
	int ret;

	ret = host_ram_stats(m->host, 0, &st);
	*bytes = st.backed_bytes;
	return ret;
}

/*
 * The unusable free space index at @order of node 0's Normal zone: the
 * share of its free pages in blocks too small for @order.
 */
static int unusable_index(struct foliage_machine *m, unsigned int order,
			  double *index)
{
	struct zone *zone;
	unsigned long total = 0, usable = 0;
	unsigned int o;
	int ret;

	ret = machine_enter(m);
	if (ret)
		return ret;
	zone = &NODE_DATA(0)->node_zones[ZONE_NORMAL];
	spin_lock(&zone->lock);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long pages = zone->free_area[o].nr_free << o;

		total += pages;
		if (o >= order)
			usable += pages;
	}
	spin_unlock(&zone->lock);
	machine_leave(m);
	*index = total ? (double)(total - usable) / total : 0;
	return 0;
}

/* ---- guests ------------------------------------------------------------- */

static int guest_create(struct zero_guest *g, unsigned long bytes,
			bool zeroes, bool zero_aware, const char *name)
{
	struct foliage_config cfg;
	int ret;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 1;
	cfg.bytes_per_node = bytes;
	ret = foliage_machine_create(&cfg, &g->m) ?:
	      foliage_set(g->m, "transparent_hugepage.enabled", "madvise") ?:
	      foliage_set(g->m, "vm.zero_aware_alloc", zero_aware ? "1" : "0");
	if (ret)
		return ret;
	ret = machine_enter(g->m);
	if (ret)
		return ret;
	test_reporter_init(&g->rep, 0, 0);
	ret = page_reporting_register(&g->rep.prdev);
	if (!ret && zeroes)
		host_zeroes_pages_enable();
	machine_leave(g->m);
	return ret ?: foliage_task_create(g->m, name, &g->task);
}

static void guest_destroy(struct zero_guest *g)
{
	unsigned long i;

	if (!g->m)
		return;
	if (!machine_enter(g->m)) {
		for (i = 0; i < g->nr_kept; i++)
			__free_pages(g->kept[i], 0);
		page_reporting_unregister(&g->rep.prdev);
		machine_leave(g->m);
	}
	free(g->kept);
	foliage_machine_destroy(g->m);
	g->m = NULL;
}

/*
 * Age @g: take 70% of its memory as order-0 pages, then free 60% of those
 * in an order given by a fixed-seed PRNG; the rest stay taken until the
 * end (a long-running guest's page cache and slab).
 */
static int guest_age(struct zero_guest *g, unsigned long bytes)
{
	unsigned long nr = bytes / PAGE_SIZE * 7 / 10, i, n = 0;
	unsigned int seed = ZERO_AGE_SEED;
	struct page **pages;
	int ret;

	pages = calloc(nr, sizeof(*pages));
	g->kept = calloc(nr, sizeof(*g->kept));
	if (!pages || !g->kept) {
		free(pages);
		return -ENOMEM;
	}
	ret = machine_enter(g->m);
	if (ret)
		goto out;
	for (i = 0; i < nr; i++) {
		pages[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
		if (!pages[i])
			break;
		n++;
	}
	/* Fisher-Yates with the fixed seed: the order frees happen in. */
	for (i = n; i > 1; i--) {
		unsigned long j = rand_r(&seed) % i;
		struct page *t = pages[i - 1];

		pages[i - 1] = pages[j];
		pages[j] = t;
	}
	for (i = 0; i < n; i++) {
		if (i < n * 6 / 10)
			__free_pages(pages[i], 0);
		else
			g->kept[g->nr_kept++] = pages[i];
	}
	drain_all_pages(NULL);
	machine_leave(g->m);
out:
	free(pages);
	return ret;
}

/*
 * page_reporting.flush=512; in *@mib_back the MiB the host really got
 * back (its memfd's backing before less after).
 */
static int guest_flush(struct zero_guest *g, double *mib_back)
{
	unsigned long before, after;
	int ret;

	ret = host_backed(g->m, &before) ?:
	      foliage_set(g->m, "page_reporting.flush", "512") ?:
	      host_backed(g->m, &after);
	if (!ret && mib_back)
		*mib_back = ((double)before - (double)after) / 1048576.0;
	return ret;
}

/*
 * mmap @bytes, populate them (THP or 4K), write them all if @touch, munmap.
 * The populate (and the writes) are timed: ms in *@ms; the share of
 * zeroings skipped in *@skipped_share; the unusable free space index at
 * order 9 with the range populated in *@unusable (when not NULL).
 */
static int guest_populate(struct zero_bench *zb, struct zero_guest *g,
			  unsigned long bytes, bool thp, bool touch,
			  int perf_row, double *ms, double *skipped_share,
			  double *unusable)
{
	unsigned long addr, s0, c0, s1, c1, off;
	uint64_t t0, t1;
	int ret, err;

	ret = foliage_mmap(g->task, 0, bytes,
			   FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
			   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS, NULL, 0,
			   &addr);
	if (ret)
		return ret;
	ret = foliage_madvise(g->task, addr, bytes,
			      thp ? FOLIAGE_MADV_HUGEPAGE :
				    FOLIAGE_MADV_NOHUGEPAGE) ?:
	      zeroings(g->m, &s0, &c0);
	if (ret)
		goto out_unmap;
	if (perf_row >= 0)
		perf_start(zb);
	t0 = bench_thread_cpu_ns();
	ret = foliage_madvise(g->task, addr, bytes,
			      FOLIAGE_MADV_POPULATE_WRITE);
	for (off = 0; !ret && touch && off < bytes; off += ZERO_CHUNK)
		ret = foliage_access(g->task, addr + off, zb->buf, ZERO_CHUNK,
				     true, NULL);
	t1 = bench_thread_cpu_ns();
	if (perf_row >= 0)
		perf_stop(zb, perf_row);
	if (ret)
		goto out_unmap;
	ret = zeroings(g->m, &s1, &c1);
	if (!ret && unusable)
		ret = unusable_index(g->m, 9, unusable);
	if (ret)
		goto out_unmap;
	*ms = (t1 - t0) / 1e6;
	if (skipped_share)
		*skipped_share = (double)(s1 - s0) /
				 ((s1 - s0) + (c1 - c0) ?: 1);
out_unmap:
	err = foliage_munmap(g->task, addr, bytes);
	return ret ?: err;
}

/* ---- cases -------------------------------------------------------------- */

static double *this_round(struct zero_bench *zb, double *samples)
{
	static double sink;

	return zb->r->round >= 0 ? &samples[zb->r->round] : &sink;
}

static int run_thp(struct zero_bench *zb, struct zero_guest *g, int which,
		   bool touch, double *value)
{
	return guest_flush(g, this_round(zb, zb->flush_back[which])) ?:
	       guest_populate(zb, g, ZERO_BYTES, true, touch,
			      touch ? -1 : which, value,
			      this_round(zb, zb->skipped[which]), NULL);
}

static int run_thp_base(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_thp(zb, &zb->thp_base, 0, false, value);
}

static int run_thp_opt(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_thp(zb, &zb->thp_opt, 1, false, value);
}

static int run_touch_base(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_thp(zb, &zb->thp_base, 0, true, value);
}

static int run_touch_opt(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_thp(zb, &zb->thp_opt, 1, true, value);
}

static int run_aged(struct zero_bench *zb, struct zero_guest *g, int which,
		    double *value)
{
	*this_round(zb, zb->all) = 1.0;
	return guest_flush(g, NULL) ?:
	       unusable_index(g->m, 9,
			      this_round(zb, zb->unusable_before[which])) ?:
	       guest_populate(zb, g, ZERO_BYTES, false, false, 2 + which,
			      value, this_round(zb, zb->skipped[2 + which]),
			      this_round(zb, zb->unusable_after[which]));
}

static int run_aged_off(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_aged(zb, &zb->aged_off, 0, value);
}

static int run_aged_on(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_aged(zb, &zb->aged_on, 1, value);
}

/*
 * mmap ZERO_BYTES of MAP_HUGETLB (surplus pages gathered for the
 * reservation, zeroed unless known zero), populate, munmap: all timed.
 */
static int run_huge(struct zero_bench *zb, struct zero_guest *g, int which,
		    double *value)
{
	unsigned long addr, s0, c0, s1, c1;
	uint64_t t0, t1;
	int ret, err;

	ret = guest_flush(g, NULL) ?: zeroings(g->m, &s0, &c0);
	if (ret)
		return ret;
	perf_start(zb);
	t0 = bench_thread_cpu_ns();
	ret = foliage_mmap(g->task, 0, ZERO_BYTES,
			   FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
			   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
			   FOLIAGE_MAP_HUGETLB, NULL, 0, &addr);
	if (ret)
		return ret;
	ret = foliage_madvise(g->task, addr, ZERO_BYTES,
			      FOLIAGE_MADV_POPULATE_WRITE);
	err = foliage_munmap(g->task, addr, ZERO_BYTES);
	t1 = bench_thread_cpu_ns();
	perf_stop(zb, which);
	ret = ret ?: err ?: zeroings(g->m, &s1, &c1);
	if (ret)
		return ret;
	*value = (t1 - t0) / 1e6;
	*this_round(zb, zb->skipped[which]) =
		(double)(s1 - s0) / ((s1 - s0) + (c1 - c0) ?: 1);
	return 0;
}

static int run_huge_base(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_huge(zb, &zb->thp_base, 4, value);
}

static int run_huge_opt(void *arg, double *value)
{
	struct zero_bench *zb = arg;

	return run_huge(zb, &zb->thp_opt, 5, value);
}

/*
 * Populate 1 GiB of the base guest (whose populate writes every page, so
 * the host backs it all), free it, and time the flush that reports it.
 */
static int run_flush_1g(void *arg, double *value)
{
	struct zero_bench *zb = arg;
	struct zero_guest *g = &zb->thp_base;
	unsigned long addr, before, after;
	uint64_t t0, t1;
	int ret;

	ret = guest_flush(g, NULL) ?:
	      foliage_mmap(g->task, 0, ZERO_FLUSH_BYTES,
			   FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
			   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS, NULL, 0,
			   &addr);
	if (ret)
		return ret;
	ret = foliage_madvise(g->task, addr, ZERO_FLUSH_BYTES,
			      FOLIAGE_MADV_HUGEPAGE) ?:
	      foliage_madvise(g->task, addr, ZERO_FLUSH_BYTES,
			      FOLIAGE_MADV_POPULATE_WRITE);
	ret = foliage_munmap(g->task, addr, ZERO_FLUSH_BYTES) ?: ret;
	if (ret)
		return ret;
	ret = host_backed(g->m, &before);
	if (ret)
		return ret;
	t0 = bench_now_ns();
	ret = foliage_set(g->m, "page_reporting.flush", "512");
	t1 = bench_now_ns();
	if (ret || (ret = host_backed(g->m, &after)))
		return ret;
	*value = (t1 - t0) / 1e6;
	*this_round(zb, zb->flush_1g_back) =
		((double)before - (double)after) / 1048576.0;
	return 0;
}

/* ---- the benchmark ------------------------------------------------------ */

static int zero_bench_setup(struct zero_bench *zb, struct bench_report *r)
{
	int ret;

	zb->r = r;
	zb->perf_fd[0] = zb->perf_fd[1] = -1;
	zb->buf = malloc(ZERO_CHUNK);
	if (!zb->buf)
		return -ENOMEM;
	memset(zb->buf, 0x5a, ZERO_CHUNK);
	perf_setup(zb);
	snprintf(r->config, sizeof(r->config),
		 "TEST driver (host discards); guests %lu/%lu MiB, 1 CPU; %s; %s",
		 ZERO_THP_RAM >> 20, ZERO_AGED_RAM >> 20, zb->perf_why,
		 foliage_debug_vm() ? "DEBUG_VM" : "release");
	ret = guest_create(&zb->thp_base, ZERO_THP_RAM, false, false,
			   "thp-base") ?:
	      guest_create(&zb->thp_opt, ZERO_THP_RAM, true, false,
			   "thp-opt") ?:
	      foliage_set(zb->thp_base.m, "vm.nr_overcommit_hugepages",
			  "128") ?:
	      foliage_set(zb->thp_opt.m, "vm.nr_overcommit_hugepages",
			  "128") ?:
	      guest_create(&zb->aged_off, ZERO_AGED_RAM, true, false,
			   "aged-off") ?:
	      guest_create(&zb->aged_on, ZERO_AGED_RAM, true, true,
			   "aged-on");
	if (ret)
		return ret;
	return guest_age(&zb->aged_off, ZERO_AGED_RAM) ?:
	       guest_age(&zb->aged_on, ZERO_AGED_RAM);
}

static void zero_bench_teardown(struct zero_bench *zb)
{
	int i;

	guest_destroy(&zb->thp_base);
	guest_destroy(&zb->thp_opt);
	guest_destroy(&zb->aged_off);
	guest_destroy(&zb->aged_on);
	for (i = 0; i < NR_PERF; i++)
		if (zb->perf_fd[i] >= 0)
			close(zb->perf_fd[i]);
	free(zb->buf);
}

static int __bench_zero(struct bench_report *r, struct zero_bench *zb)
{
	const struct bench_case cases[] = {
		{ "thp_base", "THP populate 256 MiB, zeroing not known",
		  "ms", run_thp_base, zb },
		{ "thp_opt", "THP populate 256 MiB, host-zeroed known",
		  "ms", run_thp_opt, zb },
		{ "huge_base", "hugetlb surplus 256 MiB, not known", "ms",
		  run_huge_base, zb },
		{ "huge_opt", "hugetlb surplus 256 MiB, known", "ms",
		  run_huge_opt, zb },
		{ "touch_base", "THP populate + write all, not known", "ms",
		  run_touch_base, zb },
		{ "touch_opt", "THP populate + write all, known", "ms",
		  run_touch_opt, zb },
		{ "aged_off", "aged 4K populate, zero_aware_alloc=0", "ms",
		  run_aged_off, zb },
		{ "aged_on", "aged 4K populate, zero_aware_alloc=1", "ms",
		  run_aged_on, zb },
		{ "flush_1g", "flush of 1 GiB freed", "ms", run_flush_1g, zb },
	};
	const struct {
		const char *key, *name, *unit;	/* the row */
		const double *samples;		/* one per round */
	} rows[] = {
		{ "thp_base_insns", "THP populate, not known: instructions",
		  "M", zb->insns[0] },
		{ "thp_opt_insns", "THP populate, known: instructions", "M",
		  zb->insns[1] },
		{ "thp_base_misses", "THP populate, not known: cache-misses",
		  "M", zb->misses[0] },
		{ "thp_opt_misses", "THP populate, known: cache-misses", "M",
		  zb->misses[1] },
		{ "thp_opt_skipped", "THP populate, known: zeroings skipped",
		  "share", zb->skipped[1] },
		{ "huge_opt_skipped", "hugetlb surplus, known: zeroings skipped",
		  "share", zb->skipped[5] },
		{ "aged_off_skipped", "aged 4K, aware=0: zeroings skipped",
		  "share", zb->skipped[2] },
		{ "aged_on_skipped", "aged 4K, aware=1: zeroings skipped",
		  "share", zb->skipped[3] },
		{ "all_zeroings", "every order-0 zeroing", "share",
		  zb->all },
		{ "aged_off_unusable_before", "aged, aware=0: unusable o9, flushed",
		  "share", zb->unusable_before[0] },
		{ "aged_on_unusable_before", "aged, aware=1: unusable o9, flushed",
		  "share", zb->unusable_before[1] },
		{ "aged_off_unusable", "aged, aware=0: unusable o9, populated",
		  "share", zb->unusable_after[0] },
		{ "aged_on_unusable", "aged, aware=1: unusable o9, populated",
		  "share", zb->unusable_after[1] },
		{ "thp_base_back", "not known: MiB back per flush", "MiB",
		  zb->flush_back[0] },
		{ "thp_opt_back", "known: MiB back per flush", "MiB",
		  zb->flush_back[1] },
		{ "flush_1g_back", "flush of 1 GiB: MiB back", "MiB",
		  zb->flush_1g_back },
	};
	unsigned int i;
	int ret;

	ret = bench_run_cases(r, cases, ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(rows) && ret >= 0; i++)
		ret = bench_add_row(r, rows[i].key, rows[i].name,
				    rows[i].unit, rows[i].samples);
	if (ret >= 0)
		ret = bench_compare(r, "THP: known / not known", "thp_opt",
				    "thp_base", BENCH_AT_MOST, 0.15) ?:
		      bench_compare(r, "hugetlb surplus: known / not known",
				    "huge_opt", "huge_base", BENCH_AT_MOST,
				    0.20) ?:
		      bench_compare(r, "THP + write all: known / not known",
				    "touch_opt", "touch_base",
				    BENCH_NO_TARGET, 0) ?:
		      bench_compare(r, "aged 4K, aware=1: zeroings skipped",
				    "aged_on_skipped", "all_zeroings",
				    BENCH_AT_LEAST, 0.80) ?:
		      bench_compare(r, "aged 4K, aware=0: zeroings skipped",
				    "aged_off_skipped", "all_zeroings",
				    BENCH_NO_TARGET, 0) ?:
		      bench_compare(r, "aged 4K populate: aware=1 / aware=0",
				    "aged_on", "aged_off", BENCH_NO_TARGET, 0);
	return ret < 0 ? ret : 0;
}

int bench_zero(struct bench_report *r)
{
	struct zero_bench *zb = calloc(1, sizeof(*zb));
	int ret;

	if (!zb)
		return -ENOMEM;
	ret = zero_bench_setup(zb, r) ?: __bench_zero(r, zb);
	zero_bench_teardown(zb);
	free(zb);
	return ret;
}
