// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized stress of the page allocator with oracles:
 *
 *  - structure: after every operation, the validation a public call
 *    gets (what it touched; the whole machine every
 *    debug.validate_every-th time), and foliage_validate() at the end;
 *  - accounting: free pages (buddy + per-CPU) + pages held == all pages;
 *  - content: every block keeps the bytes written into it until it is
 *    freed, and every __GFP_ZERO block reads zero when handed out (also
 *    when it came back through an FPI_ZEROED free, which the test only
 *    does after really zeroing).
 *
 * Then several threads, each becoming a CPU, allocate and free at once on
 * one machine (handing blocks to each other so that CPUs free what other
 * CPUs allocated), and the machine must end as it started.
 *
 * Machine: 2 nodes of 16 MiB, each with 4 MiB of ZONE_MOVABLE.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

#define NR_NODES	2
#define NODE_MIB	16
#define TOTAL_PAGES	(NR_NODES * NODE_MIB * 256UL)
#define MAX_LIVE	192

struct block {
	struct page *page;		/* first page, NULL if the slot is empty */
	unsigned int order;		/* 2^order pages */
	bool folio;			/* compound (freed with folio_put) */
	unsigned char fill;		/* the byte every byte of it holds */
};

static u64 rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct foliage_machine *stress_machine(unsigned int nr_cpus)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = NR_NODES;
	cfg.bytes_per_node = (uint64_t)NODE_MIB << 20;
	cfg.movable_bytes_per_node = 4 << 20;
	cfg.nr_cpus = nr_cpus;
	return test_machine_cfg(&cfg);
}

/* Free pages on every buddy and per-CPU list of the machine. */
static unsigned long machine_free_pages(struct foliage_machine *m)
{
	unsigned long n = 0;
	int nid, z;

	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = test_zone(m, nid, z);

			n += zone_free_pages(zone) + zone_pcp_pages(zone);
		}
	return n;
}

static unsigned int random_order(u64 r)
{
	unsigned int p = r % 100;

	if (p < 40)
		return 0;
	if (p < 70)
		return 1 + (r >> 8) % 3;
	if (p < 90)
		return 4 + (r >> 8) % 5;
	return 9 + (r >> 8) % 2;
}

static gfp_t random_gfp(u64 r)
{
	static const gfp_t base[] = {
		GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_ATOMIC, GFP_NOWAIT,
		GFP_KERNEL | __GFP_RECLAIMABLE, GFP_USER, GFP_TRANSHUGE,
	};
	gfp_t gfp = base[r % ARRAY_SIZE(base)];

	if ((r >> 4) % 10 < 3)
		gfp |= __GFP_ZERO;
	if ((r >> 8) % 10 == 0)
		gfp |= __GFP_THISNODE;
	return gfp & ~__GFP_COMP;
}

static bool block_alloc(struct block *b, u64 *rng)
{
	u64 r = rng_next(rng);
	unsigned int order = random_order(r);
	gfp_t gfp = random_gfp(r >> 16);
	int nid = (int)((r >> 40) % (NR_NODES + 1)) - 1;
	size_t bytes = PAGE_SIZE << order;

	b->folio = (r >> 48) % 10 < 3;
	b->order = order;
	if (b->folio)
		b->page = (struct page *)__folio_alloc(gfp, order, nid);
	else
		b->page = alloc_pages_node(nid, gfp, order);
	if (!b->page)
		return false;
	if ((gfp & __GFP_THISNODE) && nid >= 0)
		assert_int_equal(page_to_nid(b->page), nid);
	if (gfp & __GFP_ZERO)
		if (!mem_is(page_address(b->page), 0, bytes))
			fail_msg("__GFP_ZERO block pfn %lu order %u is not zero",
				 page_to_pfn(b->page), order);
	b->fill = 1 + (r >> 56) % 255;
	memset(page_address(b->page), b->fill, bytes);
	return true;
}

static void block_free(struct block *b, bool zeroed)
{
	size_t bytes = PAGE_SIZE << b->order;

	if (!mem_is(page_address(b->page), b->fill, bytes))
		fail_msg("block pfn %lu order %u lost its 0x%02x bytes",
			 page_to_pfn(b->page), b->order, b->fill);
	if (zeroed)
		memset(page_address(b->page), 0, bytes);
	if (b->folio && zeroed)
		folio_put_zeroed((struct folio *)b->page);
	else if (b->folio)
		folio_put((struct folio *)b->page);
	else if (zeroed)
		free_pages_zeroed(b->page, b->order);
	else
		__free_pages(b->page, b->order);
	b->page = NULL;
}

static unsigned long live_pages(const struct block *live)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < MAX_LIVE; i++)
		if (live[i].page)
			n += 1UL << live[i].order;
	return n;
}

static void stress_one(u64 seed, unsigned int nr_ops, bool full_debug)
{
	struct foliage_machine *m = stress_machine(2);
	struct block *live = calloc(MAX_LIVE, sizeof(*live));
	unsigned long held = 0, nr_failed = 0;
	u64 rng = seed;
	unsigned int op, i;

	assert_non_null(live);
	if (full_debug)
		assert_int_equal(foliage_set(m, "debug.full", "1"), 0);
	assert_int_equal(machine_free_pages(m), TOTAL_PAGES);
	for (op = 0; op < nr_ops; op++) {
		u64 r = rng_next(&rng);
		struct block *b = &live[r % MAX_LIVE];
		unsigned int what = (r >> 32) % 100;

		if (what < 3) {
			drain_all_pages(NULL);
		} else if (!b->page) {
			if (block_alloc(b, &rng))
				held += 1UL << b->order;
			else
				nr_failed++;
		} else {
			held -= 1UL << b->order;
			block_free(b, what % 3 == 0);
		}
		/* What the op touched; the whole machine every Nth op. */
#ifdef CONFIG_DEBUG_VM
		if (validate_after_op(m, &this_touched))
			fail_msg("seed %#llx op %u: %s", (unsigned long long)seed,
				 op, foliage_first_bug(m));
#endif
		if (foliage_bugs(m))
			fail_msg("seed %#llx op %u: %s", (unsigned long long)seed,
				 op, foliage_first_bug(m));
		if (machine_free_pages(m) + held != TOTAL_PAGES)
			fail_msg("seed %#llx op %u: %lu free + %lu held != %lu",
				 (unsigned long long)seed, op,
				 machine_free_pages(m), held, TOTAL_PAGES);
	}
	assert_int_equal(held, live_pages(live));
	for (i = 0; i < MAX_LIVE; i++)
		if (live[i].page)
			block_free(&live[i], false);
	drain_all_pages(NULL);
	assert_int_equal(vmstat(m, "nr_free_pages"), TOTAL_PAGES);
	assert_free_accounting(m);
	print_message("seed %#llx: %u ops, %lu allocations failed (memory full)\n",
		      (unsigned long long)seed, nr_ops, nr_failed);
	free(live);
	test_machine_done(m);
}

static void test_random_stress(void **state)
{
	static const u64 seeds[] = {
		0x1, 0xfeedfacecafe, 0x0123456789abcdefULL, 0x5a5a5a5a,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(seeds); i++)
		stress_one(seeds[i], 5000, i == ARRAY_SIZE(seeds) - 1);
}

/* ---- threads ----------------------------------------------------------- */

#define NR_THREADS	4
#define THREAD_OPS	3000
#define THREAD_LIVE	48
#define EXCHANGE	64

static struct foliage_machine *tm;	/* the machine the threads share */
static pthread_mutex_t exchange_lock = PTHREAD_MUTEX_INITIALIZER;
static struct block exchange[EXCHANGE];	/* blocks handed between CPUs */
static int exchange_nr;			/* blocks in exchange */

struct worker {
	int id;				/* 0..NR_THREADS-1 */
	int cpu;			/* the CPU it became */
	unsigned long allocs, frees;	/* done */
	const char *error;		/* first problem seen, or NULL */
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct block live[THREAD_LIVE] = { 0 };
	u64 rng = 0x7777 + w->id * 0x1000193;
	int i;

	if (machine_enter(tm)) {
		w->error = "machine_enter";
		return NULL;
	}
	w->cpu = smp_processor_id();
	for (i = 0; i < THREAD_OPS; i++) {
		u64 r = rng_next(&rng);
		struct block *b = &live[r % THREAD_LIVE];
		struct block other = { 0 };

		if (!b->page) {
			unsigned int order = (r >> 8) % 10 == 0 ? 9 : (r >> 12) % 5;
			gfp_t gfp = (r >> 16) & 1 ? GFP_HIGHUSER_MOVABLE :
						    GFP_KERNEL;

			b->page = alloc_pages(gfp | ((r >> 20) & 1 ? __GFP_ZERO : 0),
					      order);
			if (!b->page)
				continue;
			if (((r >> 20) & 1) && !mem_is(page_address(b->page), 0,
						       PAGE_SIZE << order)) {
				w->error = "__GFP_ZERO page not zero";
				return NULL;
			}
			b->order = order;
			b->folio = false;
			b->fill = 0x10 + w->id;
			memset(page_address(b->page), b->fill, PAGE_SIZE << order);
			w->allocs++;
			continue;
		}
		if (!mem_is(page_address(b->page), b->fill, PAGE_SIZE << b->order)) {
			w->error = "a block lost its bytes";
			return NULL;
		}
		/* Hand one block over, take someone else's to free. */
		pthread_mutex_lock(&exchange_lock);
		if ((r >> 24) % 4 == 0 && exchange_nr < EXCHANGE) {
			exchange[exchange_nr++] = *b;
			b->page = NULL;
		}
		if ((r >> 28) % 4 == 0 && exchange_nr > 0)
			other = exchange[--exchange_nr];
		pthread_mutex_unlock(&exchange_lock);
		if (b->page) {
			__free_pages(b->page, b->order);
			b->page = NULL;
			w->frees++;
		}
		if (other.page) {
			if (!mem_is(page_address(other.page), other.fill,
				    PAGE_SIZE << other.order)) {
				w->error = "a handed-over block lost its bytes";
				return NULL;
			}
			if ((r >> 32) & 1) {
				memset(page_address(other.page), 0,
				       PAGE_SIZE << other.order);
				free_pages_zeroed(other.page, other.order);
			} else {
				__free_pages(other.page, other.order);
			}
			w->frees++;
		}
	}
	for (i = 0; i < THREAD_LIVE; i++)
		if (live[i].page) {
			__free_pages(live[i].page, live[i].order);
			w->frees++;
		}
	return NULL;
}

static void test_threads(void **state)
{
	struct worker w[NR_THREADS];
	pthread_t t[NR_THREADS];
	unsigned long allocs = 0, frees = 0;
	int i, validations = 0, cpus_seen = 0;

	(void)state;
	tm = stress_machine(NR_THREADS + 1);
	assert_int_equal(foliage_set(tm, "debug.full", "1"), 0);
	for (i = 0; i < NR_THREADS; i++) {
		w[i] = (struct worker){ .id = i, .cpu = -1 };
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	/* Validate while they run: the validators take the locks they need. */
	for (i = 0; i < 20; i++, validations++)
		assert_int_equal(foliage_validate(tm), 0);
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < NR_THREADS; i++) {
		if (w[i].error)
			fail_msg("thread %d: %s", i, w[i].error);
		assert_true(w[i].cpu >= 1 && w[i].cpu <= NR_THREADS);
		cpus_seen |= 1 << w[i].cpu;
		allocs += w[i].allocs;
		frees += w[i].frees;
	}
	assert_int_equal(cpus_seen, 0x1e);	/* CPUs 1-4, one each */
	assert_true(allocs > NR_THREADS * THREAD_OPS / 4);
	/* What is still in the exchange, the main CPU frees. */
	while (exchange_nr > 0) {
		struct block *b = &exchange[--exchange_nr];

		__free_pages(b->page, b->order);
		frees++;
	}
	assert_int_equal(frees, allocs);
	drain_all_pages(NULL);
	assert_int_equal(vmstat(tm, "nr_free_pages"), TOTAL_PAGES);
	assert_free_accounting(tm);
	print_message("%d threads: %lu allocations, %d concurrent validations\n",
		      NR_THREADS, allocs, validations);
	test_machine_done(tm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_stress),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
