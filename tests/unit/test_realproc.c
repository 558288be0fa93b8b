// SPDX-License-Identifier: GPL-2.0
/*
 * The real-kernel side of 'foliage diff' alone (tools/foliage/realproc.c):
 * real processes forked from the zygote do what they are told in the
 * window, and what /proc shows about them is what Linux 6.18 does:
 *
 *	window 0x200000000000:   R0  gap  R1  gap ... R999     (64 KiB each)
 *	touch every region  ->  one anon_vma and one anon_vma_chain each
 *	fork, child touches ->  one more anon_vma and two chains each
 *
 * The tests of pagemap and of slab objects skip, saying why, where
 * /proc/slabinfo or PFNs in /proc/PID/pagemap cannot be read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "helpers.h"
#include "diffcmp.h"
#include "realproc.h"

#define PAGE		4096UL
#define WIN		REALPROC_WINDOW_START
#define NR_REGIONS	1000UL
#define REGION		(64 * 1024UL)
#define STRIDE		(2 * REGION)	/* a gap after each region */

static char skip_why[256];
static bool observable;

/* skip() this test, with the reason, unless the machine is observable. */
#define require_observable()						\
	do {								\
		if (!observable) {					\
			print_message("SKIP: %s\n", skip_why);		\
			skip();						\
		}							\
	} while (0)

static struct realproc *start(void)
{
	struct realproc_config cfg;
	struct realproc *rp = NULL;

	realproc_config_init(&cfg);
	assert_int_equal(realproc_create(&cfg, &rp), 0);
	return rp;
}

static struct realproc_task *new_task(struct realproc *rp)
{
	struct realproc_task *t = NULL;

	assert_int_equal(realproc_task_create(rp, &t), 0);
	return t;
}

static struct realproc_task *fork_task(struct realproc_task *parent)
{
	struct realproc_task *t = NULL;

	assert_int_equal(realproc_fork(parent, &t), 0);
	return t;
}

/* The lines of @t's maps inside the window, as one string. */
static char *window_maps(struct realproc_task *t)
{
	char *text, *out, *line, *save = NULL;
	size_t len = 0;

	assert_int_equal(realproc_proc_read(t, "maps", &text), 0);
	out = calloc(1, strlen(text) + 1);
	assert_non_null(out);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strtoul(line, NULL, 16) < WIN ||
		    strtoul(line, NULL, 16) >= WIN + REALPROC_WINDOW_BYTES)
			continue;
		len += sprintf(out + len, "%s\n", line);
	}
	free(text);
	return out;
}

static void assert_window_maps(struct realproc_task *t, const char *expect)
{
	char *maps = window_maps(t);

	assert_string_equal(maps, expect);
	free(maps);
}

/*
 * A task starts with an empty window (the zygote's reservation is gone);
 * mmap is MAP_FIXED at the address given; split and merge are the
 * kernel's.
 *
 *	0123
 *	AAAA	mmap rw
 *	AaAA	mprotect page 1 read-only: three VMAs
 *	AAAA	mprotect it back: one again
 */
static void test_window_and_maps(void **state)
{
	struct realproc *rp;
	struct realproc_task *t;
	unsigned long addr = 0;

	(void)state;
	rp = start();
	t = new_task(rp);
	assert_window_maps(t, "");
	assert_int_equal(realproc_mmap(t, WIN, 4 * PAGE,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0,
				       &addr), 0);
	assert_int_equal(addr, WIN);
	assert_window_maps(t, "200000000000-200000004000 rw-p 00000000 00:00 0 \n");
	assert_int_equal(realproc_mprotect(t, WIN + PAGE, PAGE, PROT_READ), 0);
	assert_window_maps(t,
		"200000000000-200000001000 rw-p 00000000 00:00 0 \n"
		"200000001000-200000002000 r--p 00000000 00:00 0 \n"
		"200000002000-200000004000 rw-p 00000000 00:00 0 \n");
	assert_int_equal(realproc_mprotect(t, WIN + PAGE, PAGE,
					   PROT_READ | PROT_WRITE), 0);
	assert_window_maps(t, "200000000000-200000004000 rw-p 00000000 00:00 0 \n");
	/* Outside the window realproc refuses; inside, the kernel's errno. */
	assert_int_equal(realproc_munmap(t, 0x10000, PAGE), -ERANGE);
	assert_int_equal(realproc_munmap(t, WIN + 1, PAGE), -EINVAL);
	assert_int_equal(realproc_mmap(t, WIN, PAGE, PROT_READ,
				       MAP_PRIVATE | MAP_ANONYMOUS |
				       MAP_FIXED_NOREPLACE, NULL, 0, NULL),
			 -EEXIST);
	assert_int_equal(realproc_exit(t), 0);
	realproc_destroy(rp);
}

/*
 * vm.max_map_count counts a real task's own VMAs outside the window (its
 * program, stack, vdso) with the window's: the window holds exactly the
 * host's limit less realproc_own_vmas(), which is what foliage diff
 * gives foliage's tasks.  Every other page of one mapping is made
 * read-only until the next split would pass the limit.
 */
static void test_own_vmas_and_max_map_count(void **state)
{
	struct realproc *rp;
	struct realproc_task *t;
	long limit, own, room, i;

	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	int ret = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &limit), 1);
	fclose(f);
	rp = start();
	t = new_task(rp);
	own = realproc_own_vmas(t);
	assert_true(own > 0 && own < 64);
	room = limit - own;
	assert_int_equal(realproc_mmap(t, WIN, (room + 4) * PAGE,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0,
				       NULL), 0);
	/* Each split of a middle page adds two VMAs: 1 + 2i in the window. */
	for (i = 0; i <= room / 2 && !ret; i++)
		ret = realproc_mprotect(t, WIN + (2 * i + 1) * PAGE, PAGE,
					PROT_READ);
	assert_int_equal(ret, -ENOMEM);
	/* The split that failed needed room for two more (i - 1 done). */
	assert_true(1 + 2 * (i - 1) + 2 > room);
	assert_true(1 + 2 * (i - 1) <= room);
	assert_int_equal(realproc_own_vmas(t), own);
	assert_int_equal(realproc_exit(t), 0);
	realproc_destroy(rp);
}

/* Bytes written are read back; a fault stops at the first bad page. */
static void test_write_read_fault(void **state)
{
	unsigned char buf[3 * PAGE], back[3 * PAGE];
	unsigned long fault = 0;
	struct realproc *rp;
	struct realproc_task *t;
	size_t i;

	(void)state;
	rp = start();
	t = new_task(rp);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(realproc_mmap(t, WIN, 2 * PAGE,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0,
				       NULL), 0);
	assert_int_equal(realproc_mmap(t, WIN + 2 * PAGE, PAGE, PROT_READ,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0,
				       NULL), 0);
	assert_int_equal(realproc_write(t, WIN + 5, buf, 2 * PAGE - 5, NULL),
			 0);
	assert_int_equal(realproc_read(t, WIN + 5, back, 2 * PAGE - 5, NULL),
			 0);
	assert_memory_equal(buf, back, 2 * PAGE - 5);
	/* Page 2 is read-only: SIGSEGV at its first byte, page 1 written. */
	assert_int_equal(realproc_write(t, WIN + PAGE, buf, 2 * PAGE, &fault),
			 -EFAULT);
	assert_int_equal(fault, WIN + 2 * PAGE);
	assert_int_equal(realproc_read(t, WIN + PAGE, back, PAGE, NULL), 0);
	assert_memory_equal(buf, back, PAGE);
	/* Nothing mapped at page 3. */
	assert_int_equal(realproc_touch_read(t, WIN, 4 * PAGE, &fault),
			 -EFAULT);
	assert_int_equal(fault, WIN + 3 * PAGE);
	realproc_destroy(rp);
}

/* A memfd mapped shared by two tasks is one file; beyond EOF is SIGBUS. */
static void test_shared_file(void **state)
{
	const char msg[] = "written by A";
	char back[sizeof(msg)];
	struct realproc_file *f = NULL;
	struct realproc *rp;
	struct realproc_task *a, *b;
	unsigned long fault = 0;
	char *maps;

	(void)state;
	rp = start();
	a = new_task(rp);
	b = new_task(rp);
	assert_int_equal(realproc_file_create(rp, "shm", PAGE, &f), 0);
	assert_int_equal(realproc_mmap(a, WIN, 2 * PAGE,
				       PROT_READ | PROT_WRITE, MAP_SHARED, f,
				       0, NULL), 0);
	assert_int_equal(realproc_mmap(b, WIN + 16 * PAGE, PAGE, PROT_READ,
				       MAP_SHARED, f, 0, NULL), 0);
	realproc_file_put(f);
	assert_int_equal(realproc_write(a, WIN, msg, sizeof(msg), NULL), 0);
	assert_int_equal(realproc_read(b, WIN + 16 * PAGE, back, sizeof(back),
				       NULL), 0);
	assert_string_equal(back, msg);
	assert_int_equal(realproc_touch_read(a, WIN + PAGE, PAGE, &fault),
			 -EFAULT);
	assert_int_equal(fault, WIN + PAGE);
	maps = window_maps(b);
	assert_non_null(strstr(maps, "200000010000-200000011000 r--s 00000000"));
	assert_non_null(strstr(maps, "/memfd:shm (deleted)\n"));
	free(maps);
	realproc_destroy(rp);
}

static void pagemap(struct realproc_task *t, unsigned long addr,
		    unsigned long nr, uint64_t *pm)
{
	assert_int_equal(realproc_pagemap(t, addr, nr, pm), 0);
}

static unsigned long pfn_of(uint64_t entry)
{
	assert_true(entry & REALPROC_PM_PRESENT);
	return entry & REALPROC_PM_PFN_MASK;
}

/*
 * Pages [from, to) of @a and @b map the same frame or not, and are
 * exclusively mapped in both or in neither.
 */
static void assert_cow(struct realproc_task *a, struct realproc_task *b,
		       unsigned int from, unsigned int to, bool same_frame,
		       bool exclusive)
{
	uint64_t pa[8], pb[8];
	unsigned int i;

	pagemap(a, WIN, to, pa);
	pagemap(b, WIN, to, pb);
	for (i = from; i < to; i++) {
		assert_int_equal(pfn_of(pa[i]) == pfn_of(pb[i]), same_frame);
		assert_int_equal(!!(pa[i] & REALPROC_PM_EXCLUSIVE), exclusive);
		assert_int_equal(!!(pb[i] & REALPROC_PM_EXCLUSIVE), exclusive);
	}
}

/*
 * COW as pagemap shows it (CONFIG_PAGE_MAPCOUNT: exclusive means the
 * page's precise mapcount is 1):
 *
 *	page	 0 1 2 3
 *	parent	 W W W W	all exclusive
 *	fork		all shared, same frames, none exclusive
 *	child	 W W . .	0-1: new frames, exclusive in both tasks
 *				2-3: still shared
 *	read of a fresh page: the shared zero page, not exclusive
 */
static void test_pagemap_cow(void **state)
{
	unsigned char buf[4 * PAGE];
	uint64_t p[5], c[4], kpf = 0;
	struct realproc *rp;
	struct realproc_task *parent, *child;
	unsigned int i;

	(void)state;
	require_observable();
	memset(buf, 0x5a, sizeof(buf));
	rp = start();
	parent = new_task(rp);
	assert_int_equal(realproc_mmap(parent, WIN, 5 * PAGE,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0,
				       NULL), 0);
	assert_int_equal(realproc_write(parent, WIN, buf, 4 * PAGE, NULL), 0);
	pagemap(parent, WIN, 5, p);
	for (i = 0; i < 4; i++)
		assert_true(p[i] & REALPROC_PM_EXCLUSIVE);
	assert_false(p[4] & REALPROC_PM_PRESENT);

	child = fork_task(parent);
	assert_cow(parent, child, 0, 4, true, false);
	assert_int_equal(realproc_write(child, WIN, buf, 2 * PAGE, NULL), 0);
	assert_cow(parent, child, 0, 2, false, true);
	assert_cow(parent, child, 2, 4, true, false);

	assert_int_equal(realproc_touch_read(child, WIN + 4 * PAGE, PAGE,
					     NULL), 0);
	pagemap(child, WIN + 4 * PAGE, 1, c);
	assert_false(c[0] & (REALPROC_PM_EXCLUSIVE | REALPROC_PM_FILE));
	assert_int_equal(realproc_kpageflags(pfn_of(c[0]), &kpf), 0);
	assert_true(kpf & REALPROC_KPF_ZERO_PAGE);

	/* The parent's exit leaves the child's pages its own. */
	assert_int_equal(realproc_exit(parent), 0);
	pagemap(child, WIN, 4, c);
	for (i = 0; i < 4; i++)
		assert_true(c[i] & REALPROC_PM_EXCLUSIVE);
	realproc_destroy(rp);
}

/* ---- slab objects ---------------------------------------------------- */

static void map_regions(struct realproc_task *t)
{
	unsigned long i;

	for (i = 0; i < NR_REGIONS; i++)
		assert_int_equal(realproc_mmap(t, WIN + i * STRIDE, REGION,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS,
					       NULL, 0, NULL), 0);
}

static void touch_regions(struct realproc_task *t)
{
	static unsigned char buf[REGION];
	unsigned long i;

	memset(buf, 0xa5, sizeof(buf));
	for (i = 0; i < NR_REGIONS; i++)
		assert_int_equal(realproc_write(t, WIN + i * STRIDE, buf,
						REGION, NULL), 0);
}

/* Objects allocated (net of frees) by realproc's processes so far. */
static void objects(struct realproc *rp, long net[REALPROC_NR_CACHES])
{
	struct realproc_objects o;
	int i;

	assert_int_equal(realproc_objects(rp, &o), 0);
	for (i = 0; i < REALPROC_NR_CACHES; i++)
		net[i] = (long)o.allocs[i] - (long)o.frees[i];
}

static void objects_delta(struct realproc *rp, long before[],
			  long delta[REALPROC_NR_CACHES])
{
	long now[REALPROC_NR_CACHES];
	int i;

	objects(rp, now);
	for (i = 0; i < REALPROC_NR_CACHES; i++) {
		delta[i] = now[i] - before[i];
		before[i] = now[i];
	}
}

/*
 * What forking a task with an empty window costs outside the window (the
 * helper's own stack and data): measured on a fresh task of the zygote,
 * whose outside mappings are those of every task of the zygote.
 */
static void fork_cost_outside(struct realproc *rp,
			      long cost[REALPROC_NR_CACHES])
{
	struct realproc_task *t = new_task(rp), *c;
	long base[REALPROC_NR_CACHES];

	objects(rp, base);
	c = fork_task(t);
	objects_delta(rp, base, cost);
	assert_int_equal(realproc_exit(c), 0);
	assert_int_equal(realproc_exit(t), 0);
}

/*
 * The exact counts, from the trace of realproc's own processes: 1,000
 * regions cost 1,000 VMAs; touching them 1,000 anon_vmas and 1,000
 * chains; a fork (beyond what a fork costs outside the window) 1,000 of
 * each VMA and anon_vma and 2,000 chains; the child's exit frees them.
 */
static void test_objects_exact(void **state)
{
	long base[REALPROC_NR_CACHES], d[REALPROC_NR_CACHES];
	long outside[REALPROC_NR_CACHES];
	struct realproc *rp;
	struct realproc_task *t, *c;

	(void)state;
	require_observable();
	rp = start();
	if (!realproc_tracing(rp)) {
		realproc_destroy(rp);
		print_message("SKIP: tracefs instances are not available\n");
		skip();
	}
	fork_cost_outside(rp, outside);
	t = new_task(rp);
	objects(rp, base);
	map_regions(t);
	objects_delta(rp, base, d);
	assert_int_equal(d[REALPROC_VM_AREA_STRUCT], NR_REGIONS);
	assert_int_equal(d[REALPROC_ANON_VMA], 0);
	assert_int_equal(d[REALPROC_ANON_VMA_CHAIN], 0);

	touch_regions(t);
	objects_delta(rp, base, d);
	assert_int_equal(d[REALPROC_VM_AREA_STRUCT], 0);
	assert_int_equal(d[REALPROC_ANON_VMA], NR_REGIONS);
	assert_int_equal(d[REALPROC_ANON_VMA_CHAIN], NR_REGIONS);

	c = fork_task(t);
	touch_regions(c);
	objects_delta(rp, base, d);
	assert_int_equal(d[REALPROC_VM_AREA_STRUCT] -
			 outside[REALPROC_VM_AREA_STRUCT], NR_REGIONS);
	assert_int_equal(d[REALPROC_ANON_VMA] - outside[REALPROC_ANON_VMA],
			 NR_REGIONS);
	assert_int_equal(d[REALPROC_ANON_VMA_CHAIN] -
			 outside[REALPROC_ANON_VMA_CHAIN], 2 * NR_REGIONS);

	assert_int_equal(realproc_exit(c), 0);
	objects_delta(rp, base, d);
	assert_int_equal(d[REALPROC_VM_AREA_STRUCT] +
			 outside[REALPROC_VM_AREA_STRUCT], -(long)NR_REGIONS);
	assert_int_equal(d[REALPROC_ANON_VMA] + outside[REALPROC_ANON_VMA],
			 -(long)NR_REGIONS);
	assert_int_equal(d[REALPROC_ANON_VMA_CHAIN] +
			 outside[REALPROC_ANON_VMA_CHAIN], -2 * (long)NR_REGIONS);
	realproc_destroy(rp);
}

/*
 * The same through /proc/slabinfo, which counts every process on the
 * machine: after shrinking the caches (no per-CPU slabs left), the delta
 * must be the workload's count within 10% plus two slabs.  Other
 * processes allocate and free meanwhile, so a workload gets three tries.
 */
#define SLAB_TRIES	3

static void slabinfo(struct dc_slab_row rows[REALPROC_NR_CACHES])
{
	char *text;

	assert_int_equal(realproc_slabinfo(true, &text), 0);
	dc_parse_slabinfo(text, realproc_cache_name, REALPROC_NR_CACHES, rows);
	free(text);
}

static long slab_delta(const struct dc_slab_row *before,
		       const struct dc_slab_row *after, int cache)
{
	return (long)after[cache].active_objs -
	       (long)before[cache].active_objs;
}

static bool slab_within(const struct dc_slab_row *rows, int cache,
			long delta, long expect)
{
	long tolerance = expect / 10 + 2 * (long)rows[cache].objperslab;

	print_message("slabinfo: %-14s delta %6ld, expected %6ld +- %ld\n",
		      realproc_cache_name[cache], delta, expect, tolerance);
	return delta >= expect - tolerance && delta <= expect + tolerance;
}

static void test_slabinfo_regions(void **state)
{
	struct dc_slab_row r0[REALPROC_NR_CACHES], r1[REALPROC_NR_CACHES];
	struct dc_slab_row r2[REALPROC_NR_CACHES];
	bool touch_ok = false, fork_ok = false;
	int try;

	(void)state;
	require_observable();
	for (try = 0; try < SLAB_TRIES && !(touch_ok && fork_ok); try++) {
		struct realproc *rp = start();
		struct realproc_task *t = new_task(rp), *c;

		map_regions(t);
		slabinfo(r0);
		assert_true(r0[REALPROC_ANON_VMA].found);
		assert_true(r0[REALPROC_ANON_VMA_CHAIN].found);
		touch_regions(t);
		slabinfo(r1);
		c = fork_task(t);
		touch_regions(c);
		slabinfo(r2);
		touch_ok = touch_ok ||
			(slab_within(r1, REALPROC_ANON_VMA,
				     slab_delta(r0, r1, REALPROC_ANON_VMA),
				     NR_REGIONS) &&
			 slab_within(r1, REALPROC_ANON_VMA_CHAIN,
				     slab_delta(r0, r1, REALPROC_ANON_VMA_CHAIN),
				     NR_REGIONS));
		fork_ok = fork_ok ||
			(slab_within(r2, REALPROC_ANON_VMA,
				     slab_delta(r1, r2, REALPROC_ANON_VMA),
				     NR_REGIONS) &&
			 slab_within(r2, REALPROC_ANON_VMA_CHAIN,
				     slab_delta(r1, r2, REALPROC_ANON_VMA_CHAIN),
				     2 * NR_REGIONS));
		realproc_destroy(rp);
	}
	assert_true(touch_ok);
	assert_true(fork_ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_and_maps),
		cmocka_unit_test(test_own_vmas_and_max_map_count),
		cmocka_unit_test(test_write_read_fault),
		cmocka_unit_test(test_shared_file),
		cmocka_unit_test(test_pagemap_cow),
		cmocka_unit_test(test_objects_exact),
		cmocka_unit_test(test_slabinfo_regions),
	};

	observable = realproc_observable(skip_why, sizeof(skip_why));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
