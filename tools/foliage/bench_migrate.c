// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench migrate: move_pages(2) of 1 GiB of anonymous memory from
 * node 0 to node 1, for folio sizes 4K, 16K, 64K, 256K, 1M and 2M, with
 * each way of copying the contents:
 *
 *   unbatched_SIZE  one move_pages() call per folio: every folio is a
 *		     batch of its own (its own unmap, TLB flush, copy, move),
 *		     the baseline before batching
 *   batched_SIZE    one move_pages() call for the whole GiB: batches of
 *		     at least 512 base pages, one TLB flush each, the contents
 *		     copied folio by folio on the migrating CPU
 *   mtcopy2_SIZE    batched, each batch copied by the mtcopy migrator on
 *		     2 CPUs (mtcopy.threads=2)
 *   dcbmN_SIZE      batched, each batch copied by dcbm on N DMA channels
 *		     (N = 1, 2, 4; the DMA device has 4, uncapped)
 *   memcpy          memcpy() of 1 GiB between two host buffers of 256 MiB:
 *		     the physical limit, measured in the same run
 *
 * Each run maps 1 GiB in a fresh task on node 0's CPU with only the
 * folio size under test enabled (transparent_hugepage.hugepages-NkB/
 * enabled=always, the others never), populates it (untimed), times the
 * move_pages() (wall time: the DMA channels and the mtcopy kworkers copy
 * on other threads), checks that every folio reports node 1, and unmaps.
 * One address per folio is passed.  GB/s is 2^30 bytes / time; TLB
 * flushes (every flush the machine counted: whole-mm, ranged and
 * single-page) are given per 512 pages moved.
 *
 * The guest: 2 nodes of 1280 MiB, 2 CPUs, prefault=1.  What the model
 * cannot show: the DMA channels are host threads doing memcpy(), so on
 * this host 4 channels cannot go faster than the memory bandwidth two
 * cores get, and they compete with the migrating CPU for the same cores;
 * a real engine (PTDMA, 16 channels: ~6x at 2 MiB in the seed) copies
 * without any CPU.  See docs/migration-offload.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <foliage/foliage.h>
#include <linux/mm.h>
#include <asm-generic/tlb.h>

#include "bench.h"

#define MIG_BYTES		(1UL << 30)
#define MIG_NODE_BYTES		(1280UL << 20)
#define MIG_NR_CPUS		2
#define MIG_MEMCPY_CHUNK	(256UL << 20)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/* The folio sizes, and the knob that makes the faults use each. */
static const struct {
	const char *name;		/* row key suffix, "4k" */
	unsigned int order;		/* folio order */
	const char *knob;		/* mTHP size knob, NULL for 4K */
} sizes[] = {
	{ "4k", 0, NULL },
	{ "16k", 2, "transparent_hugepage.hugepages-16kB/enabled" },
	{ "64k", 4, "transparent_hugepage.hugepages-64kB/enabled" },
	{ "256k", 6, "transparent_hugepage.hugepages-256kB/enabled" },
	{ "1m", 8, "transparent_hugepage.hugepages-1024kB/enabled" },
	{ "2m", 9, "transparent_hugepage.hugepages-2048kB/enabled" },
};
#define NR_SIZES	ARRAY_SIZE(sizes)

/* How the contents are copied. */
enum mig_way {
	WAY_UNBATCHED,			/* one move_pages() per folio */
	WAY_BATCHED,			/* one call, CPU copy */
	WAY_MTCOPY2,			/* one call, mtcopy 2 threads */
	WAY_DCBM1,			/* one call, dcbm 1 channel */
	WAY_DCBM2,			/* ... 2 channels */
	WAY_DCBM4,			/* ... 4 channels */
	NR_WAYS,
};

static const struct {
	const char *key;		/* row key prefix */
	const char *name;		/* for people */
	const char *migrator;		/* enabled for it, NULL none */
	const char *nr_dma_chan;	/* dcbm.nr_dma_chan */
} ways[NR_WAYS] = {
	[WAY_UNBATCHED] = { "unbatched", "unbatched (a call per folio)",
			    NULL, NULL },
	[WAY_BATCHED] = { "batched", "batched, CPU copy", NULL, NULL },
	[WAY_MTCOPY2] = { "mtcopy2", "batched, mtcopy 2 threads", "mtcopy",
			  NULL },
	[WAY_DCBM1] = { "dcbm1", "batched, dcbm 1 channel", "dcbm", "1" },
	[WAY_DCBM2] = { "dcbm2", "batched, dcbm 2 channels", "dcbm", "2" },
	[WAY_DCBM4] = { "dcbm4", "batched, dcbm 4 channels", "dcbm", "4" },
};

struct mig_bench;

/* One row: a way and a size. */
struct mig_case {
	struct mig_bench *mb;		/* the bench */
	unsigned int size;		/* sizes[] index */
	enum mig_way way;		/* ways[] index */
	char key[32];			/* "dcbm4_2m" */
	char name[80];			/* for people */
	double flushes[BENCH_MAX_RUNS];	/* TLB flushes per 512 pages */
};

struct mig_bench {
	struct bench_report *r;		/* the report (r->round) */
	struct foliage_machine *m;	/* the guest */
	unsigned long *pages;		/* addresses, one per folio */
	int *nodes;			/* all 1 */
	int *status;			/* what move_pages() said */
	char *buf_src, *buf_dst;	/* memcpy's host buffers */
	struct mig_case cases[NR_SIZES * NR_WAYS]; /* the rows */
	unsigned int nr_tasks;		/* tasks created, for names */
	/* Names of the derived rows and ratios: the report points at them. */
	char flush_keys[NR_SIZES][2][32]; /* flushes_{unbatched,batched}_SIZE */
	char flush_names[NR_SIZES][2][64]; /* for people */
	char ratio_names[NR_SIZES][NR_WAYS][48]; /* "2m dcbm4 / batched" */
};

/* The report keeps pointers to the rows' names until it is printed. */
static struct mig_bench mig_bench_state;

static unsigned long tlb_flushes(struct foliage_machine *m)
{
	struct tlb_stats *t = m->tlb;

	return __atomic_load_n(&t->flush_all, __ATOMIC_RELAXED) +
	       __atomic_load_n(&t->flush_range, __ATOMIC_RELAXED) +
	       __atomic_load_n(&t->flush_one, __ATOMIC_RELAXED);
}

/* Only @size's folios for new faults. */
static int select_size(struct foliage_machine *m, unsigned int size)
{
	unsigned int i;
	int ret = foliage_set(m, "transparent_hugepage.enabled", "never");

	for (i = 1; i < NR_SIZES && !ret; i++)
		ret = foliage_set(m, sizes[i].knob,
				  i == size ? "always" : "never");
	return ret;
}

static int select_way(struct foliage_machine *m, enum mig_way way)
{
	int ret = 0;

	if (ways[way].nr_dma_chan)
		ret = foliage_set(m, "dcbm.nr_dma_chan", ways[way].nr_dma_chan);
	if (!ret && ways[way].migrator)
		ret = foliage_migrator_enable(m, ways[way].migrator, NULL);
	return ret;
}

static int unselect_way(struct foliage_machine *m, enum mig_way way)
{
	return ways[way].migrator ?
	       foliage_migrator_disable(m, ways[way].migrator) : 0;
}

/* The timed move of @nr folios, as @way says. */
static int move(struct mig_bench *mb, struct foliage_task *task,
		unsigned long nr, enum mig_way way)
{
	unsigned long i;
	int ret;

	if (way != WAY_UNBATCHED)
		return foliage_move_pages(task, nr, mb->pages, mb->nodes,
					  mb->status, FOLIAGE_MPOL_MF_MOVE);
	for (i = 0; i < nr; i++) {
		ret = foliage_move_pages(task, 1, &mb->pages[i],
					 &mb->nodes[i], &mb->status[i],
					 FOLIAGE_MPOL_MF_MOVE);
		if (ret)
			return ret;
	}
	return 0;
}

static int run_case(void *arg, double *value)
{
	struct mig_case *c = arg;
	struct mig_bench *mb = c->mb;
	struct foliage_machine *m = mb->m;
	unsigned long nr = MIG_BYTES >> (12 + sizes[c->size].order);
	unsigned long addr, i, flushes;
	struct foliage_task *task;
	char name[32];
	uint64_t t0, t1;
	int ret;

	snprintf(name, sizeof(name), "mig%u", mb->nr_tasks++);
	ret = select_size(m, c->size) ?:
	      foliage_task_create(m, name, &task);
	if (ret)
		return ret;
	ret = foliage_mmap(task, 0, MIG_BYTES,
			   FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
			   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS, NULL,
			   0, &addr) ?:
	      foliage_madvise(task, addr, MIG_BYTES,
			      FOLIAGE_MADV_POPULATE_WRITE);
	if (ret)
		goto out_exit;
	for (i = 0; i < nr; i++) {
		mb->pages[i] = addr + (i << (12 + sizes[c->size].order));
		mb->nodes[i] = 1;
		mb->status[i] = -1;
	}
	ret = select_way(m, c->way);
	if (ret)
		goto out_exit;
	flushes = tlb_flushes(m);
	t0 = bench_now_ns();
	ret = move(mb, task, nr, c->way);
	t1 = bench_now_ns();
	flushes = tlb_flushes(m) - flushes;
	ret = ret ?: unselect_way(m, c->way);
	for (i = 0; i < nr && !ret; i++)
		if (mb->status[i] != 1)
			ret = -EAGAIN;	/* not migrated: no figure */
	if (!ret) {
		*value = bench_gb_per_s(t1 - t0, MIG_BYTES) * 1.073741824;
		if (mb->r->round >= 0)
			c->flushes[mb->r->round] =
				(double)flushes / (MIG_BYTES / 4096 / 512);
	}
out_exit:
	return foliage_exit(task) ?: ret;
}

static int run_memcpy(void *arg, double *value)
{
	struct mig_bench *mb = arg;
	uint64_t t0, t1;
	unsigned int i;

	t0 = bench_now_ns();
	for (i = 0; i < MIG_BYTES / MIG_MEMCPY_CHUNK; i++)
		memcpy(mb->buf_dst, mb->buf_src, MIG_MEMCPY_CHUNK);
	t1 = bench_now_ns();
	*value = bench_gb_per_s(t1 - t0, MIG_BYTES) * 1.073741824;
	return 0;
}

static int mig_bench_setup(struct mig_bench *mb, struct bench_report *r)
{
	unsigned long nr = MIG_BYTES >> 12;
	struct foliage_config cfg;
	int ret;

	mb->r = r;
	mb->pages = calloc(nr, sizeof(*mb->pages));
	mb->nodes = calloc(nr, sizeof(*mb->nodes));
	mb->status = calloc(nr, sizeof(*mb->status));
	mb->buf_src = malloc(MIG_MEMCPY_CHUNK);
	mb->buf_dst = malloc(MIG_MEMCPY_CHUNK);
	if (!mb->pages || !mb->nodes || !mb->status || !mb->buf_src ||
	    !mb->buf_dst)
		return -ENOMEM;
	memset(mb->buf_src, 1, MIG_MEMCPY_CHUNK);
	memset(mb->buf_dst, 2, MIG_MEMCPY_CHUNK);
	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.bytes_per_node = MIG_NODE_BYTES;
	cfg.nr_cpus = MIG_NR_CPUS;
	cfg.prefault = true;
	snprintf(r->config, sizeof(r->config),
		 "move_pages of %lu MiB node 0 -> 1; guest 2 nodes x %lu MiB, "
		 "%d CPUs, prefault=1; DMA 4 channels uncapped; wall time; %s "
		 "build", MIG_BYTES >> 20, MIG_NODE_BYTES >> 20, MIG_NR_CPUS,
		 foliage_debug_vm() ? "CONFIG_DEBUG_VM" : "release");
	ret = foliage_machine_create(&cfg, &mb->m);
	if (ret)
		return ret;
	/* The bench runs on CPU 0: node 0 is local, node 1 remote. */
	ret = foliage_cpu_attach(mb->m, 0);
	if (ret < 0)
		return ret;
	return foliage_dma_device_add(mb->m, 4, 0) ?:
	       foliage_set(mb->m, "mtcopy.threads", "2");
}

static void mig_bench_teardown(struct mig_bench *mb)
{
	if (mb->m)
		foliage_machine_destroy(mb->m);
	free(mb->pages);
	free(mb->nodes);
	free(mb->status);
	free(mb->buf_src);
	free(mb->buf_dst);
}

int bench_migrate(struct bench_report *r)
{
	struct mig_bench *mb = &mig_bench_state;
	struct bench_case cases[NR_SIZES * NR_WAYS + 1];
	char row[40], limit[40];
	unsigned int s, w, n = 0;
	int ret;

	memset(mb, 0, sizeof(*mb));
	ret = mig_bench_setup(mb, r);
	if (ret)
		goto out;
	cases[n++] = (struct bench_case){ "memcpy", "memcpy 1 GiB, host heap",
					  "GB/s", run_memcpy, mb };
	for (s = 0; s < NR_SIZES; s++) {
		for (w = 0; w < NR_WAYS; w++) {
			struct mig_case *c = &mb->cases[s * NR_WAYS + w];

			c->mb = mb;
			c->size = s;
			c->way = w;
			snprintf(c->key, sizeof(c->key), "%s_%s", ways[w].key,
				 sizes[s].name);
			snprintf(c->name, sizeof(c->name), "%s folios, %s",
				 sizes[s].name, ways[w].name);
			cases[n++] = (struct bench_case){ c->key, c->name,
							  "GB/s", run_case, c };
		}
	}
	ret = bench_run_cases(r, cases, n);
	for (s = 0; s < NR_SIZES && ret >= 0; s++) {
		struct mig_case *c = &mb->cases[s * NR_WAYS + WAY_UNBATCHED];
		struct mig_case *b = &mb->cases[s * NR_WAYS + WAY_BATCHED];

		char *ku = mb->flush_keys[s][0], *kb = mb->flush_keys[s][1];
		char *nu = mb->flush_names[s][0], *nb = mb->flush_names[s][1];

		snprintf(ku, 32, "flushes_unbatched_%s", sizes[s].name);
		snprintf(kb, 32, "flushes_batched_%s", sizes[s].name);
		snprintf(nu, 64, "%s folios, unbatched: TLB flushes / 512 pages",
			 sizes[s].name);
		snprintf(nb, 64, "%s folios, batched: TLB flushes / 512 pages",
			 sizes[s].name);
		ret = bench_add_row(r, ku, nu, "count", c->flushes);
		if (ret >= 0)
			ret = bench_add_row(r, kb, nb, "count", b->flushes);
	}
	if (ret < 0)
		goto out;
	ret = bench_compare(r, "2M batched / memcpy", "batched_2m", "memcpy",
			    BENCH_AT_LEAST, 0.9) ?:
	      bench_compare(r, "4K batched / unbatched", "batched_4k",
			    "unbatched_4k", BENCH_AT_LEAST, 1.5);
	for (s = 0; s < NR_SIZES && !ret; s++) {
		for (w = WAY_MTCOPY2; w < NR_WAYS && !ret; w++) {
			char *ratio = mb->ratio_names[s][w];

			snprintf(ratio, 48, "%s %s / batched", sizes[s].name,
				 ways[w].key);
			snprintf(row, sizeof(row), "%s_%s", ways[w].key,
				 sizes[s].name);
			snprintf(limit, sizeof(limit), "batched_%s",
				 sizes[s].name);
			ret = bench_compare(r, ratio, row, limit,
					    BENCH_NO_TARGET, 0);
		}
	}
out:
	mig_bench_teardown(mb);
	return ret < 0 ? ret : 0;
}
