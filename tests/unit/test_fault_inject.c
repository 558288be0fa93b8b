// SPDX-License-Identifier: GPL-2.0
/*
 * fail_page_alloc: the knobs of Linux's debugfs directory (probability,
 * interval, times, min-order, ignore-gfp-wait, ignore-gfp-highmem) with
 * Linux's defaults, determinism under a fixed seed, and a sweep that fails
 * the Nth allocation of a mixed workload for every N and proves that every
 * error path gives every page back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "internal.h"

static struct foliage_machine *m;	/* the machine of the running test */

static int setup(void **state)
{
	(void)state;
	m = test_machine(1, 16);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_machine_done(m);
	m = NULL;
	return 0;
}

static void set(const char *key, const char *value)
{
	if (foliage_set(m, key, value))
		fail_msg("foliage_set(%s, %s) failed", key, value);
}

static long get(const char *key)
{
	long v = -12345;

	assert_int_equal(foliage_get(m, key, &v), 0);
	return v;
}

/* Fail every Nth considered allocation of any kind and order. */
static void fail_nth(const char *interval, const char *times)
{
	set("fail_page_alloc.ignore-gfp-wait", "N");
	set("fail_page_alloc.ignore-gfp-highmem", "N");
	set("fail_page_alloc.min-order", "0");
	set("fail_page_alloc.interval", interval);
	set("fail_page_alloc.times", times);
	set("fail_page_alloc.probability", "100");
}

/* Allocate and free one page; whether the allocation failed. */
static bool try_alloc(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	if (page)
		__free_pages(page, order);
	return !page;
}

/* Linux's defaults: off, interval 1, times 1, min-order 1, ignores on. */
static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(get("fail_page_alloc.probability"), 0);
	assert_int_equal(get("fail_page_alloc.interval"), 1);
	assert_int_equal(get("fail_page_alloc.times"), 1);
	assert_int_equal(get("fail_page_alloc.min-order"), 1);
	assert_int_equal(get("fail_page_alloc.ignore-gfp-wait"), 1);
	assert_int_equal(get("fail_page_alloc.ignore-gfp-highmem"), 1);
	/* Off: nothing fails. */
	assert_false(try_alloc(GFP_ATOMIC, 3));
}

static void test_knob_validation(void **state)
{
	long v;

	(void)state;
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "101"),
			 -ERANGE);
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "-1"),
			 -ERANGE);
	assert_int_equal(foliage_set(m, "fail_page_alloc.interval", "0"),
			 -ERANGE);
	assert_int_equal(foliage_set(m, "fail_page_alloc.times", "-2"), -ERANGE);
	assert_int_equal(foliage_set(m, "fail_page_alloc.min-order", "12"),
			 -ERANGE);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-wait", "2"),
			 -EINVAL);
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "ten"),
			 -EINVAL);
	assert_int_equal(foliage_set(m, "fail_page_alloc.nonsense", "1"),
			 -ENOENT);
	assert_int_equal(foliage_get(m, "fail_page_alloc.nonsense", &v),
			 -ENOENT);
	set("fail_page_alloc.ignore-gfp-wait", "n");
	assert_int_equal(get("fail_page_alloc.ignore-gfp-wait"), 0);
	set("fail_page_alloc.ignore-gfp-wait", "Y");
	assert_int_equal(get("fail_page_alloc.ignore-gfp-wait"), 1);
	/* Refused values changed nothing. */
	assert_int_equal(get("fail_page_alloc.probability"), 0);
	assert_int_equal(get("fail_page_alloc.interval"), 1);
}

/*
 * With the default ignores, only allocations that can neither reclaim
 * nor use highmem are candidates, and only from min-order 1.
 */
static void test_ignore_knobs(void **state)
{
	(void)state;
	set("fail_page_alloc.times", "-1");
	set("fail_page_alloc.probability", "100");

	assert_false(try_alloc(GFP_KERNEL, 1));		/* can reclaim */
	assert_false(try_alloc(GFP_ATOMIC, 0));		/* below min-order */
	assert_true(try_alloc(GFP_ATOMIC, 1));
	assert_true(try_alloc(GFP_NOWAIT, 2));
	assert_false(try_alloc(GFP_HIGHUSER_MOVABLE & ~__GFP_DIRECT_RECLAIM,
			       1));			/* highmem */
	assert_false(try_alloc(GFP_ATOMIC | __GFP_NOFAIL, 1));

	set("fail_page_alloc.ignore-gfp-wait", "N");
	assert_true(try_alloc(GFP_KERNEL, 1));
	assert_false(try_alloc(GFP_HIGHUSER_MOVABLE, 1));
	set("fail_page_alloc.ignore-gfp-highmem", "N");
	assert_true(try_alloc(GFP_HIGHUSER_MOVABLE, 1));
	set("fail_page_alloc.min-order", "0");
	assert_true(try_alloc(GFP_KERNEL, 0));
	assert_false(try_alloc(GFP_KERNEL | __GFP_NOFAIL, 0));

	/* Through the public API a failure is -ENOMEM, and changes nothing. */
	{
		unsigned long pfn = 0xdead, free0 = vmstat(m, "nr_free_pages");

		assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0,
						     -1, &pfn), -ENOMEM);
		assert_int_equal(pfn, 0xdead);
		assert_int_equal(vmstat(m, "nr_free_pages"), free0);
	}
	set("fail_page_alloc.probability", "0");
	assert_false(try_alloc(GFP_KERNEL, 0));
}

/* times: that many failures, then none; -1 is no limit. */
static void test_times(void **state)
{
	int i, failed = 0;

	(void)state;
	fail_nth("1", "3");
	for (i = 0; i < 10; i++)
		failed += try_alloc(GFP_KERNEL, i % 4);
	assert_int_equal(failed, 3);
	assert_int_equal(get("fail_page_alloc.times"), 0);
	assert_false(try_alloc(GFP_KERNEL, 0));

	set("fail_page_alloc.times", "-1");
	for (i = 0, failed = 0; i < 10; i++)
		failed += try_alloc(GFP_KERNEL, 0);
	assert_int_equal(failed, 10);
	assert_int_equal(get("fail_page_alloc.times"), -1);
}

/* interval N: only every Nth candidate may fail (5, 10, 15 ...). */
static void test_interval(void **state)
{
	int i;

	(void)state;
	fail_nth("5", "-1");
	for (i = 1; i <= 20; i++)
		assert_int_equal(try_alloc(GFP_KERNEL, 0), i % 5 == 0);
	/* Calls below min-order are not counted. */
	set("fail_page_alloc.min-order", "1");
	set("fail_page_alloc.interval", "2");
	assert_false(try_alloc(GFP_KERNEL, 0));
	assert_false(try_alloc(GFP_KERNEL, 1));
	assert_false(try_alloc(GFP_KERNEL, 0));
	assert_true(try_alloc(GFP_KERNEL, 1));
}

/* probability with a seed: the same seed gives the same pattern. */
static void pattern(const char *seed, char out[201])
{
	int i;

	set("fail_page_alloc.seed", seed);
	for (i = 0; i < 200; i++)
		out[i] = try_alloc(GFP_KERNEL, 0) ? 'x' : '.';
	out[200] = '\0';
}

static void test_probability_is_deterministic(void **state)
{
	char a[201], b[201], c[201];
	struct foliage_machine *m2;
	int i, failed = 0;

	(void)state;
	fail_nth("1", "-1");
	set("fail_page_alloc.probability", "50");
	pattern("42", a);
	for (i = 0; i < 200; i++)
		failed += a[i] == 'x';
	/* Binomial(200, 0.5): 60..140 is beyond ten sigma either way. */
	assert_true(failed > 60 && failed < 140);
	pattern("42", b);		/* setting the seed restarts it */
	assert_string_equal(a, b);
	pattern("43", c);
	assert_string_not_equal(a, c);

	/* A second machine with the same knobs fails the same calls. */
	m2 = m;
	m = test_machine(1, 16);
	fail_nth("1", "-1");
	set("fail_page_alloc.probability", "50");
	pattern("42", b);
	assert_string_equal(a, b);
	test_machine_done(m);
	m = m2;
	assert_int_equal(foliage_validate(m), 0);	/* back in m */

	set("fail_page_alloc.probability", "10");
	pattern("42", c);
	for (i = 0, failed = 0; i < 200; i++)
		failed += c[i] == 'x';
	assert_true(failed > 2 && failed < 50);
}

/* Bulk and contiguous allocations consult fault injection too. */
static void test_bulk_and_contig(void **state)
{
	struct page *array[8] = { NULL };
	unsigned long n;

	(void)state;
	fail_nth("1", "1");
	assert_null(alloc_contig_pages(1024, GFP_KERNEL, 0));
	assert_int_equal(get("fail_page_alloc.times"), 0);
	set("fail_page_alloc.times", "-1");
	n = alloc_pages_bulk(GFP_KERNEL, -1, 8, array);
	assert_int_equal(n, 0);
	set("fail_page_alloc.probability", "0");
	n = alloc_pages_bulk(GFP_KERNEL, -1, 8, array);
	assert_int_equal(n, 8);
	while (n--)
		__free_pages(array[n], 0);
}

/* ---- the fail-Nth sweep ------------------------------------------------ */

/*
 * A workload that allocates every way the allocator offers (orders 0-10,
 * compound and not, frozen, user folios with zeroing, bulk, contiguous
 * ranges of a power of two and not), frees as it goes (some with
 * FPI_ZEROED after really zeroing), handles every failure, and frees all
 * at the end.  Driven by a fixed PRNG so that every run is the same.
 */
#define SWEEP_SLOTS	48

enum kind { K_PAGES, K_FOLIO, K_FROZEN, K_CONTIG, K_BULK };

struct slot {
	enum kind kind;			/* how it was allocated */
	struct page *page;		/* first page, NULL if empty */
	unsigned long nr;		/* pages (contig) */
	unsigned int order;		/* order (pages, folio, frozen) */
	struct page *bulk[6];		/* K_BULK pages */
};

static u64 rng_next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void slot_free(struct slot *s, bool zeroed)
{
	unsigned int i;

	switch (s->kind) {
	case K_PAGES:
		if (zeroed) {
			memset(page_address(s->page), 0, PAGE_SIZE << s->order);
			free_pages_zeroed(s->page, s->order);
		} else {
			__free_pages(s->page, s->order);
		}
		break;
	case K_FOLIO:
		if (zeroed) {
			memset(page_address(s->page), 0, PAGE_SIZE << s->order);
			folio_put_zeroed(page_folio(s->page));
		} else {
			folio_put(page_folio(s->page));
		}
		break;
	case K_FROZEN:
		free_frozen_pages(s->page, s->order);
		break;
	case K_CONTIG:
		free_contig_range(page_to_pfn(s->page), s->nr);
		break;
	case K_BULK:
		for (i = 0; i < ARRAY_SIZE(s->bulk); i++)
			if (s->bulk[i])
				__free_pages(s->bulk[i], 0);
		break;
	}
	s->page = NULL;
}

static void slot_alloc(struct slot *s, u64 *rng)
{
	static const gfp_t gfps[] = {
		GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_ATOMIC, GFP_NOWAIT,
		GFP_KERNEL | __GFP_RECLAIMABLE, GFP_USER | __GFP_ZERO,
	};
	u64 r = rng_next(rng);
	gfp_t gfp = gfps[r % ARRAY_SIZE(gfps)];
	unsigned int order = (r >> 8) % (MAX_PAGE_ORDER + 1), i;

	memset(s, 0, sizeof(*s));
	switch ((r >> 16) % 8) {
	case 0: case 1: case 2:
		s->kind = K_PAGES;
		s->order = order;
		s->page = alloc_pages(gfp, order);
		break;
	case 3:
		s->kind = K_FOLIO;
		s->order = order;
		s->page = (struct page *)folio_alloc_user(
			GFP_HIGHUSER_MOVABLE | __GFP_ZERO, order, -1,
			0x7f0000000000UL + ((r >> 24) & 0xfffff) * PAGE_SIZE);
		break;
	case 4:
		s->kind = K_FROZEN;
		s->order = order % 4;
		s->page = alloc_frozen_pages(gfp, s->order, -1);
		break;
	case 5:
		s->kind = K_CONTIG;
		s->nr = (r >> 24) & 1 ? 1024 : 300;
		s->page = alloc_contig_pages(s->nr, gfp | __GFP_NOWARN, -1);
		break;
	default:
		s->kind = K_BULK;
		alloc_pages_bulk(gfp, -1, ARRAY_SIZE(s->bulk), s->bulk);
		for (i = 0; i < ARRAY_SIZE(s->bulk); i++)
			if (s->bulk[i])
				s->page = s->bulk[i];
		break;
	}
}

/* Returns the number of allocation attempts the workload made. */
static unsigned int sweep_workload(void)
{
	struct slot slots[SWEEP_SLOTS] = { 0 };
	u64 rng = 0x5eed0000f011a6eULL;
	unsigned int step, i, attempts = 0;

	for (step = 0; step < 6 * SWEEP_SLOTS; step++) {
		struct slot *s = &slots[rng_next(&rng) % SWEEP_SLOTS];

		if (s->page) {
			slot_free(s, rng_next(&rng) & 1);
		} else {
			slot_alloc(s, &rng);
			attempts++;
		}
	}
	for (i = 0; i < SWEEP_SLOTS; i++)
		if (slots[i].page)
			slot_free(&slots[i], false);
	drain_all_pages(NULL);
	return attempts;
}

static struct foliage_machine *sweep_machine(void)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.bytes_per_node = 16 << 20;
	cfg.movable_bytes_per_node = 4 << 20;
	return test_machine_cfg(&cfg);
}

/*
 * First count the allocation calls fault injection sees; then, for every
 * N, run the workload on a fresh machine with exactly the Nth failing.
 * Every run must end with every page free, the validators happy and no
 * bug; ASan checks that no host memory leaks.
 */
static void test_fail_nth_sweep(void **state)
{
	struct foliage_machine *dry;
	unsigned long total, calls, n;
	unsigned int attempts;

	(void)state;
	dry = m = sweep_machine();
	total = vmstat(m, "nr_free_pages");
	fail_nth("1099511627776", "1");	/* counts calls, never fails */
	attempts = sweep_workload();
	calls = m->fault_inject->fail_page_alloc.calls;
	assert_int_equal(m->fault_inject->fail_page_alloc.failures, 0);
	assert_true(calls >= attempts);
	assert_true(calls > 50);
	assert_int_equal(vmstat(m, "nr_free_pages"), total);
	test_machine_done(dry);

	for (n = 1; n <= calls; n++) {
		char interval[32];

		m = sweep_machine();
		snprintf(interval, sizeof(interval), "%lu", n);
		fail_nth(interval, "1");
		sweep_workload();
		if (m->fault_inject->fail_page_alloc.failures != 1)
			fail_msg("N=%lu: %lu failures", n,
				 m->fault_inject->fail_page_alloc.failures);
		if (vmstat(m, "nr_free_pages") != total)
			fail_msg("N=%lu: %lu pages free, %lu at boot", n,
				 vmstat(m, "nr_free_pages"), total);
		assert_free_accounting(m);
		test_machine_done(m);
	}
	print_message("fail-Nth sweep: %lu allocation calls, each failed once\n",
		      calls);
	m = test_machine(1, 16);	/* for teardown */
}

int main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_knob_validation),
		T(test_ignore_knobs),
		T(test_times),
		T(test_interval),
		T(test_probability_is_deterministic),
		T(test_bulk_and_contig),
		cmocka_unit_test_teardown(test_fail_nth_sweep, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
