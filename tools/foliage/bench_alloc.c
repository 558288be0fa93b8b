// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench alloc: what the page allocator itself costs, beside what
 * the host does for the same job in the same run.
 *
 *   pcp_pair        alloc_pages(GFP_KERNEL, 0) + __free_pages(), warm: the
 *		     page comes from and goes back to this CPU's pcp list, on a
 *		     machine with 2 CPUs (SMP: pcp->lock and the refcount
 *		     are locked instructions)
 *   pcp_pair_up     the same on a machine with 1 CPU, where Linux x86
 *		     patches every lock prefix out (alternatives_smp_unlock),
 *		     and so does foliage (see include/linux/atomic.h)
 *   buddy_pair      the same under zone_pcp_disable(): each page is split
 *		     off and merged back into the buddy lists under zone->lock
 *   malloc_pair     glibc malloc(4096) + free(), one byte written, in this
 *		     (single-threaded) process: glibc then skips its locks
 *   malloc_mt_pair  the same in a child process that has a second thread,
 *		     as a process whose threads are a machine's CPUs has:
 *		     glibc then takes its arena lock
 *   memset_heap     memset() of 2 MiB of host heap
 *   zero_order9     alloc_pages(GFP_KERNEL | __GFP_ZERO, 9) + __free_pages():
 *		     the allocator clears the 2 MiB each time (the freed block
 *		     is not PG_zeroed, which only FPI_ZEROED frees make),
 *		     checked with the pgzero_cleared/pgzero_skipped counters
 *   memset_guest    memset() of a 2 MiB block of guest RAM
 *
 * The machine is created with prefault=1, so no host page fault lands in a
 * timed loop, and the bandwidth cases first run a few untimed iterations
 * of their own loop, so that each starts with its buffer in cache.  The
 * allocator is called directly, inside the machine (after machine_enter()),
 * as kernel code calls it: the public API's argument checks and debug
 * validation are not part of what is measured.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <foliage/foliage.h>
#include <linux/gfp.h>
#include "internal.h"		/* mm/: zone_pcp_disable() */

#include "bench.h"

#define BENCH_RAM_BYTES		(256UL << 20)
#define BENCH_NR_CPUS		2
#define NR_PCP_PAIRS		1000000UL
#define NR_BUDDY_PAIRS		300000UL
#define NR_MALLOC_PAIRS		1000000UL
#define ZERO_ORDER		HPAGE_PMD_ORDER
#define ZERO_BYTES		(PAGE_SIZE << ZERO_ORDER)
#define NR_ZERO_WARMUP		8UL
#define NR_ZERO_ALLOCS		128UL

struct alloc_bench {
	struct foliage_machine *m;	/* the guest, 2 CPUs */
	struct foliage_machine *m_up;	/* the same with 1 CPU */
	struct zone *zone;		/* where GFP_KERNEL order-0 pages are */
	void *heap_buf;			/* ZERO_BYTES of host heap */
	struct page *guest_block;	/* an order-ZERO_ORDER block held */
};

/* Keep the compiler from dropping stores to, or the allocation of, @p. */
static inline void bench_use(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static int order0_pairs(unsigned long nr, double *value)
{
	uint64_t t0, t1;
	unsigned long i;

	t0 = bench_now_ns();
	for (i = 0; i < nr; i++) {
		struct page *page = alloc_pages(GFP_KERNEL, 0);

		if (!page)
			return -ENOMEM;
		__free_pages(page, 0);
	}
	t1 = bench_now_ns();
	*value = bench_ns_per_op(t1 - t0, nr);
	return 0;
}

static int run_pcp_pair(void *arg, double *value)
{
	struct alloc_bench *ab = arg;
	int ret = machine_enter(ab->m);

	if (ret)
		return ret;
	return order0_pairs(NR_PCP_PAIRS, value);
}

static int run_pcp_pair_up(void *arg, double *value)
{
	struct alloc_bench *ab = arg;
	int ret = machine_enter(ab->m_up);

	if (ret)
		return ret;
	return order0_pairs(NR_PCP_PAIRS, value);
}

static int run_buddy_pair(void *arg, double *value)
{
	struct alloc_bench *ab = arg;
	int ret = machine_enter(ab->m);

	if (ret)
		return ret;
	zone_pcp_disable(ab->zone);
	ret = order0_pairs(NR_BUDDY_PAIRS, value);
	zone_pcp_enable(ab->zone);
	return ret;
}

static int malloc_pairs(double *value)
{
	uint64_t t0, t1;
	unsigned long i;

	t0 = bench_now_ns();
	for (i = 0; i < NR_MALLOC_PAIRS; i++) {
		char *p = malloc(PAGE_SIZE);

		if (!p)
			return -ENOMEM;
		*(volatile char *)p = (char)i;
		bench_use(p);
		free(p);
	}
	t1 = bench_now_ns();
	*value = bench_ns_per_op(t1 - t0, NR_MALLOC_PAIRS);
	return 0;
}

static int run_malloc_pair(void *arg, double *value)
{
	(void)arg;
	return malloc_pairs(value);
}

static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return arg;
}

/*
 * glibc never goes back to lock-free malloc once a process has had a
 * second thread, so this one is timed in a child: it starts a thread that
 * only sleeps, times the loop, and writes the result down a pipe.
 */
static int run_malloc_mt_pair(void *arg, double *value)
{
	int fds[2], status, ret = 0;
	pid_t pid;

	(void)arg;
	if (pipe(fds))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out_close;
	}
	if (pid == 0) {
		pthread_t thread;
		double v = 0;
		int err = pthread_create(&thread, NULL, idle_thread, NULL);

		if (err || malloc_pairs(&v) ||
		    write(fds[1], &v, sizeof(v)) != sizeof(v))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	fds[1] = -1;
	if (read(fds[0], value, sizeof(*value)) != sizeof(*value))
		ret = -EIO;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = -EIO;
out_close:
	close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return ret;
}

static int zero_counters(struct foliage_machine *m, unsigned long *cleared,
			 unsigned long *skipped)
{
	int ret = foliage_vmstat(m, "pgzero_cleared", cleared);

	return ret ? ret : foliage_vmstat(m, "pgzero_skipped", skipped);
}

static int zero_allocs(unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO,
						ZERO_ORDER);

		if (!page)
			return -ENOMEM;
		__free_pages(page, ZERO_ORDER);
	}
	return 0;
}

static int run_zero_order9(void *arg, double *value)
{
	unsigned long cleared0, skipped0, cleared1, skipped1;
	struct alloc_bench *ab = arg;
	uint64_t t0, t1;
	int ret;

	ret = zero_counters(ab->m, &cleared0, &skipped0) ?:
	      machine_enter(ab->m) ?:
	      zero_allocs(NR_ZERO_WARMUP);
	if (ret)
		return ret;
	t0 = bench_now_ns();
	ret = zero_allocs(NR_ZERO_ALLOCS);
	t1 = bench_now_ns();
	if (ret)
		return ret;
	ret = zero_counters(ab->m, &cleared1, &skipped1);
	if (ret)
		return ret;
	/* Every allocation must have been cleared, none skipped. */
	if (skipped1 != skipped0 || cleared1 - cleared0 !=
	    (NR_ZERO_WARMUP + NR_ZERO_ALLOCS) << ZERO_ORDER) {
		fprintf(stderr, "foliage bench alloc: __GFP_ZERO cleared %lu "
			"pages and skipped %lu, expected %lu and 0\n",
			cleared1 - cleared0, skipped1 - skipped0,
			(NR_ZERO_WARMUP + NR_ZERO_ALLOCS) << ZERO_ORDER);
		return -EIO;
	}
	*value = bench_gb_per_s(t1 - t0, NR_ZERO_ALLOCS * ZERO_BYTES);
	return 0;
}

static void memset_loop(void *buf, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		memset(buf, 0, ZERO_BYTES);
		bench_use(buf);
	}
}

static int memset_runs(void *buf, double *value)
{
	uint64_t t0, t1;

	memset_loop(buf, NR_ZERO_WARMUP);
	t0 = bench_now_ns();
	memset_loop(buf, NR_ZERO_ALLOCS);
	t1 = bench_now_ns();
	*value = bench_gb_per_s(t1 - t0, NR_ZERO_ALLOCS * ZERO_BYTES);
	return 0;
}

static int run_memset_heap(void *arg, double *value)
{
	struct alloc_bench *ab = arg;

	return memset_runs(ab->heap_buf, value);
}

static int run_memset_guest(void *arg, double *value)
{
	struct alloc_bench *ab = arg;
	int ret = machine_enter(ab->m);

	if (ret)
		return ret;
	return memset_runs(page_address(ab->guest_block), value);
}

static int alloc_bench_setup(struct alloc_bench *ab, struct bench_report *r)
{
	struct foliage_config cfg;
	int ret;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = BENCH_RAM_BYTES;
	cfg.nr_cpus = BENCH_NR_CPUS;
	cfg.prefault = true;
	snprintf(r->config, sizeof(r->config),
		 "1 node x %lu MiB, %d CPUs (and 1), prefault=1, %s build",
		 BENCH_RAM_BYTES >> 20, BENCH_NR_CPUS,
		 foliage_debug_vm() ? "CONFIG_DEBUG_VM" : "release");

	ret = foliage_machine_create(&cfg, &ab->m);
	if (ret)
		return ret;
	cfg.nr_cpus = 1;
	ret = foliage_machine_create(&cfg, &ab->m_up);
	if (ret)
		return ret;
	/* A public call enters the machine; the rest runs inside it. */
	ret = foliage_drain_pages(ab->m);
	if (ret)
		return ret;
	ab->zone = &NODE_DATA(numa_node_id())->node_zones[ZONE_NORMAL];
	ab->guest_block = alloc_pages(GFP_KERNEL, ZERO_ORDER);
	if (!ab->guest_block)
		return -ENOMEM;
	/* Host heap, touched now so that no page fault is timed. */
	if (posix_memalign(&ab->heap_buf, PAGE_SIZE, ZERO_BYTES))
		return -ENOMEM;
	memset(ab->heap_buf, 1, ZERO_BYTES);
	return 0;
}

static void alloc_bench_teardown(struct alloc_bench *ab)
{
	free(ab->heap_buf);
	if (ab->guest_block && !machine_enter(ab->m))
		__free_pages(ab->guest_block, ZERO_ORDER);
	if (ab->m)
		foliage_machine_destroy(ab->m);
	if (ab->m_up)
		foliage_machine_destroy(ab->m_up);
}

int bench_alloc(struct bench_report *r)
{
	struct alloc_bench ab = { 0 };
	const struct bench_case cases[] = {
		{ "pcp_pair", "order-0 alloc+free, pcp lists", "ns/pair",
		  run_pcp_pair, &ab },
		{ "pcp_pair_up", "order-0 alloc+free, pcp lists, 1-CPU machine",
		  "ns/pair", run_pcp_pair_up, &ab },
		{ "buddy_pair", "order-0 alloc+free, buddy (pcp disabled)",
		  "ns/pair", run_buddy_pair, &ab },
		{ "malloc_pair", "glibc malloc(4096)+free", "ns/pair",
		  run_malloc_pair, &ab },
		{ "malloc_mt_pair", "glibc malloc(4096)+free, 2 threads",
		  "ns/pair", run_malloc_mt_pair, &ab },
		{ "memset_heap", "memset 2 MiB, host heap", "GB/s",
		  run_memset_heap, &ab },
		{ "zero_order9", "__GFP_ZERO order-9 alloc+free", "GB/s",
		  run_zero_order9, &ab },
		{ "memset_guest", "memset 2 MiB, guest RAM", "GB/s",
		  run_memset_guest, &ab },
	};
	int ret;

	ret = alloc_bench_setup(&ab, r);
	if (ret)
		goto out_teardown;
	ret = bench_run_cases(r, cases, sizeof(cases) / sizeof(cases[0]));
	if (ret < 0)
		goto out_teardown;
	/*
	 * Like with like: a one-CPU machine (no lock prefixes) against glibc
	 * in a single-threaded process (which skips its locks), and a
	 * two-CPU machine against glibc in a process with two threads.
	 */
	ret = bench_compare(r, "pcp pair 1 CPU / malloc pair", "pcp_pair_up",
			    "malloc_pair", BENCH_AT_MOST, 1.0) ?:
	      bench_compare(r, "pcp pair 2 CPUs / malloc pair (2 threads)",
			    "pcp_pair", "malloc_mt_pair", BENCH_AT_MOST, 1.0) ?:
	      bench_compare(r, "pcp pair 2 CPUs / malloc pair", "pcp_pair",
			    "malloc_pair", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "buddy pair / pcp pair", "buddy_pair",
			    "pcp_pair", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "zeroing / memset (host heap)", "zero_order9",
			    "memset_heap", BENCH_AT_LEAST, 0.8) ?:
	      bench_compare(r, "zeroing / memset (guest RAM)", "zero_order9",
			    "memset_guest", BENCH_AT_LEAST, 0.8);
out_teardown:
	alloc_bench_teardown(&ab);
	return ret;
}
