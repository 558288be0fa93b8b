// SPDX-License-Identifier: GPL-2.0
/*
 * Copy offload for migration (mm/migrate_copy_offload.c, drivers/dma/,
 * drivers/migrate_offload/): the registry's rules, reason masks, the
 * unregister that waits for copies in flight, and the two migrators with
 * the DMA engine's faults, each checked as the migration core uses them:
 *
 *	migrate_offload_copy(dst, src, nr, reason)
 *	for each pair: folio_test_clear_content_copied(dst) ? nothing
 *						           : CPU copy
 *
 * (batch_copy() below), with the sources filled with a pattern per folio
 * and every destination checked byte for byte afterwards, and every copy
 * counted per folio: each one is copied exactly once, by the migrator or
 * by the CPU.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "threads_helpers.h"
#include <linux/completion.h>
#include <linux/dmaengine.h>
#include <linux/jiffies.h>
#include <linux/migrate_offload.h>

#define MAX_FOLIOS	64

static struct foliage_machine *m;

static int setup(void **state)
{
	m = threads_machine(128);
	return 0;
}

static int teardown(void **state)
{
	threads_machine_done(m);
	return 0;
}

/* A public call leaves the machine: come back in for internal calls. */
static void reenter(void)
{
	assert_int_equal(machine_enter(m), 0);
}

static void set_knob(const char *key, const char *value, int expect)
{
	assert_int_equal(foliage_set(m, key, value), expect);
	reenter();
}

static long get_knob(const char *key)
{
	long v = -1;

	assert_int_equal(foliage_get(m, key, &v), 0);
	reenter();
	return v;
}

/* A batch: paired folios on two lists, and who copied each. */
struct batch {
	struct list_head src;		/* sources, ->lru */
	struct list_head dst;		/* destinations, ->lru */
	struct folio *s[MAX_FOLIOS];	/* by index */
	struct folio *d[MAX_FOLIOS];	/* by index */
	unsigned int nr;		/* pairs */
	unsigned int cpu_copies[MAX_FOLIOS]; /* CPU copies of each */
};

/* Page @page of folio @folio: its own byte, and its number in word 0. */
static unsigned char pattern(unsigned int folio, size_t page)
{
	return (unsigned char)(folio * 37 + page * 11 + 1);
}

static void fill_page(unsigned char *p, unsigned int folio, size_t page)
{
	memset(p, pattern(folio, page), PAGE_SIZE);
	memcpy(p, &page, sizeof(page));
}

static bool page_ok(const unsigned char *p, unsigned int folio, size_t page)
{
	return !memcmp(p, &page, sizeof(page)) &&
	       mem_is(p + sizeof(page), pattern(folio, page),
		      PAGE_SIZE - sizeof(page));
}

/* @nr pairs of order @orders[i % nr_orders]; sources patterned, dst 0. */
static void batch_make(struct batch *b, unsigned int nr,
		       const unsigned int *orders, unsigned int nr_orders)
{
	unsigned int i;
	size_t page;

	memset(b, 0, sizeof(*b));
	INIT_LIST_HEAD(&b->src);
	INIT_LIST_HEAD(&b->dst);
	b->nr = nr;
	for (i = 0; i < nr; i++) {
		unsigned int order = orders[i % nr_orders];
		unsigned char *p;

		b->s[i] = folio_alloc(GFP_KERNEL, order);
		b->d[i] = folio_alloc(GFP_KERNEL | __GFP_ZERO, order);
		assert_non_null(b->s[i]);
		assert_non_null(b->d[i]);
		p = folio_address(b->s[i]);
		for (page = 0; page < folio_nr_pages(b->s[i]); page++)
			fill_page(p + page * PAGE_SIZE, i, page);
		list_add_tail(&b->s[i]->lru, &b->src);
		list_add_tail(&b->d[i]->lru, &b->dst);
	}
}

/* The migration core's copy step: offload, then the CPU for the rest. */
static int batch_copy(struct batch *b, enum migrate_reason reason)
{
	int ret = migrate_offload_copy(&b->dst, &b->src, b->nr, reason);
	unsigned int i;

	for (i = 0; i < b->nr; i++) {
		if (folio_test_clear_content_copied(b->d[i]))
			continue;
		memcpy(folio_address(b->d[i]), folio_address(b->s[i]),
		       folio_size(b->s[i]));
		b->cpu_copies[i]++;
	}
	return ret;
}

/* Every destination holds its source's pattern, and no mark is left. */
static void batch_check(struct batch *b)
{
	unsigned int i;
	size_t page;

	for (i = 0; i < b->nr; i++) {
		const unsigned char *p = folio_address(b->d[i]);

		assert_false(folio_test_content_copied(b->d[i]));
		for (page = 0; page < folio_nr_pages(b->d[i]); page++)
			if (!page_ok(p + page * PAGE_SIZE, i, page))
				fail_msg("folio %u page %zu is wrong", i, page);
	}
}

static unsigned int batch_cpu_copies(struct batch *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < b->nr; i++) {
		assert_true(b->cpu_copies[i] <= 1);
		n += b->cpu_copies[i];
	}
	return n;
}

static void batch_free(struct batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++) {
		list_del(&b->s[i]->lru);
		list_del(&b->d[i]->lru);
		folio_put(b->s[i]);
		folio_put(b->d[i]);
	}
}

/* ---- a test migrator ---- */

enum test_mode {
	TEST_COPY_ALL,			/* copy and mark every pair */
	TEST_COPY_EVEN,			/* copy and mark pairs 0, 2, 4 ... */
	TEST_MARK_THEN_FAIL,		/* copy and mark all, return -EIO */
	TEST_DECLINE,			/* copy nothing, return -EBUSY */
};

static struct {
	enum test_mode mode;		/* what it does */
	unsigned int calls;		/* offload_copy() calls (atomic) */
	unsigned int copies[MAX_FOLIOS]; /* its copies of each pair */
	bool gate_closed;		/* block in offload_copy until open */
	bool inside;			/* a call is blocked at the gate */
	pthread_mutex_t lock;		/* gate_closed, inside */
	pthread_cond_t cond;		/* gate changes */
} tm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static int test_offload_copy(struct list_head *dst_list,
			     struct list_head *src_list, unsigned int nr)
{
	struct folio *dst, *src;
	unsigned int i = 0;

	__atomic_add_fetch(&tm.calls, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&tm.lock);
	tm.inside = true;
	pthread_cond_broadcast(&tm.cond);
	while (tm.gate_closed)
		pthread_cond_wait(&tm.cond, &tm.lock);
	tm.inside = false;
	pthread_mutex_unlock(&tm.lock);

	if (tm.mode == TEST_DECLINE)
		return -EBUSY;
	src = list_first_entry(src_list, struct folio, lru);
	list_for_each_entry(dst, dst_list, lru) {
		if (i == nr)
			break;
		if (tm.mode != TEST_COPY_EVEN || i % 2 == 0) {
			memcpy(folio_address(dst), folio_address(src),
			       folio_size(src));
			folio_mark_content_copied(dst);
			tm.copies[i]++;
		}
		src = list_entry(src->lru.next, struct folio, lru);
		i++;
	}
	return tm.mode == TEST_MARK_THEN_FAIL ? -EIO : 0;
}

static int owner_token;
static struct migrator test_migrator = {
	.name = "test",
	.offload_copy = test_offload_copy,
	.owner = &owner_token,
};

static void tm_reset(enum test_mode mode)
{
	memset(tm.copies, 0, sizeof(tm.copies));
	tm.calls = 0;
	tm.mode = mode;
}

static const unsigned int order0[] = { 0 };
static const unsigned int mixed[] = { 0, 2, 0, 4, 1, 9 };

/* ---- the registry ---- */

/* Without a migrator the CPU copies everything (the standard path). */
static void test_no_migrator_standard_path(void **state)
{
	struct batch b;

	batch_make(&b, 8, mixed, ARRAY_SIZE(mixed));
	assert_null(migrate_offload_active(NULL));
	assert_int_equal(batch_copy(&b, MR_SYSCALL), -ENODEV);
	assert_int_equal(batch_cpu_copies(&b), 8);
	batch_check(&b);
	batch_free(&b);
}

static void test_register_rules(void **state)
{
	struct migrator other = test_migrator, bad = test_migrator;
	unsigned int mask = 0;

	assert_int_equal(migrate_offload_register(NULL, 0), -EINVAL);
	bad.offload_copy = NULL;
	assert_int_equal(migrate_offload_register(&bad, 1), -EINVAL);
	bad = test_migrator;
	bad.name = NULL;
	assert_int_equal(migrate_offload_register(&bad, 1), -EINVAL);
	bad = test_migrator;
	bad.owner = NULL;
	assert_int_equal(migrate_offload_register(&bad, 1), -EINVAL);
	assert_int_equal(migrate_offload_register(&test_migrator,
						  1U << MR_TYPES), -EINVAL);

	assert_int_equal(migrate_offload_register(&test_migrator,
						  MIGRATE_REASON_ALL), 0);
	assert_string_equal(migrate_offload_active(&mask), "test");
	assert_int_equal(mask, MIGRATE_REASON_ALL);
	/* A second one, or the same again: -EBUSY. */
	assert_int_equal(migrate_offload_register(&other, 1), -EBUSY);
	assert_int_equal(migrate_offload_register(&test_migrator, 1), -EBUSY);
	/* Only the active one unregisters. */
	assert_int_equal(migrate_offload_unregister(&other), -EINVAL);
	assert_int_equal(migrate_offload_unregister(NULL), -EINVAL);
	assert_int_equal(migrate_offload_unregister(&test_migrator), 0);
	assert_int_equal(migrate_offload_unregister(&test_migrator), -EINVAL);
	assert_null(migrate_offload_active(NULL));
}

static void test_reason_mask_parse(void **state)
{
	unsigned int mask = 77;
	char buf[256];

	assert_int_equal(migrate_reason_mask_parse("compaction,demotion",
						   &mask), 0);
	assert_int_equal(mask, (1U << MR_COMPACTION) | (1U << MR_DEMOTION));
	migrate_reason_mask_format(mask, buf, sizeof(buf));
	assert_string_equal(buf, "compaction,demotion");
	assert_int_equal(migrate_reason_mask_parse("all", &mask), 0);
	assert_int_equal(mask, 0x3ff);
	migrate_reason_mask_format(mask, buf, sizeof(buf));
	assert_string_equal(buf, "all");
	assert_int_equal(migrate_reason_mask_parse("none", &mask), 0);
	assert_int_equal(mask, 0);
	migrate_reason_mask_format(mask, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	assert_int_equal(migrate_reason_mask_parse("8", &mask), 0);
	assert_int_equal(mask, 1U << MR_SYSCALL);
	assert_int_equal(migrate_reason_mask_parse("0x3ff", &mask), 0);
	assert_int_equal(mask, 0x3ff);
	assert_int_equal(migrate_reason_mask_parse(
		"memory_failure,memory_hotplug,syscall_or_cpuset,"
		"mempolicy_mbind,numa_misplaced,contig_range,longterm_pin,damon",
		&mask), 0);
	assert_int_equal(mask, 0x3ff & ~((1U << MR_COMPACTION) |
					 (1U << MR_DEMOTION)));
	mask = 77;
	assert_int_equal(migrate_reason_mask_parse("0x400", &mask), -EINVAL);
	assert_int_equal(migrate_reason_mask_parse("syscall", &mask), -EINVAL);
	assert_int_equal(migrate_reason_mask_parse("compaction,", &mask),
			 -EINVAL);
	assert_int_equal(migrate_reason_mask_parse(",compaction", &mask),
			 -EINVAL);
	assert_int_equal(migrate_reason_mask_parse("", &mask), -EINVAL);
	assert_int_equal(migrate_reason_mask_parse("12x", &mask), -EINVAL);
	assert_int_equal(migrate_reason_mask_parse("-1", &mask), -EINVAL);
	assert_int_equal(mask, 77);		/* failures change nothing */
}

/* compaction,demotion: a syscall migration skips the migrator. */
static void test_reason_filtering(void **state)
{
	unsigned int mask;
	struct batch b;

	assert_int_equal(migrate_reason_mask_parse("compaction,demotion",
						   &mask), 0);
	assert_int_equal(migrate_offload_register(&test_migrator, mask), 0);
	tm_reset(TEST_COPY_ALL);
	batch_make(&b, 4, order0, 1);
	assert_int_equal(batch_copy(&b, MR_SYSCALL), -ENODEV);
	assert_int_equal(tm.calls, 0);
	assert_int_equal(batch_cpu_copies(&b), 4);
	batch_check(&b);
	batch_free(&b);

	batch_make(&b, 4, order0, 1);
	assert_int_equal(batch_copy(&b, MR_DEMOTION), 0);
	assert_int_equal(tm.calls, 1);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	assert_int_equal(migrate_offload_unregister(&test_migrator), 0);
}

/* Half marked: the CPU copies the others only, each exactly once. */
static void test_half_marked(void **state)
{
	struct batch b;
	unsigned int i;

	assert_int_equal(migrate_offload_register(&test_migrator,
						  MIGRATE_REASON_ALL), 0);
	tm_reset(TEST_COPY_EVEN);
	batch_make(&b, 9, mixed, ARRAY_SIZE(mixed));
	assert_int_equal(batch_copy(&b, MR_COMPACTION), 0);
	for (i = 0; i < b.nr; i++) {
		assert_int_equal(tm.copies[i] + b.cpu_copies[i], 1);
		assert_int_equal(b.cpu_copies[i], i % 2);
	}
	batch_check(&b);
	/* The marks were consumed: a retry copies again, on the CPU. */
	assert_int_equal(batch_cpu_copies(&b), 4);
	memset(b.cpu_copies, 0, sizeof(b.cpu_copies));
	for (i = 0; i < b.nr; i++)
		assert_false(folio_test_clear_content_copied(b.d[i]));
	batch_free(&b);
	assert_int_equal(migrate_offload_unregister(&test_migrator), 0);
}

/* An error after marking: no mark survives, the CPU copies every folio. */
static void test_error_clears_marks(void **state)
{
	struct migrate_offload_stats before, after;
	struct batch b;

	assert_int_equal(migrate_offload_register(&test_migrator,
						  MIGRATE_REASON_ALL), 0);
	migrate_offload_get_stats(&before);
	tm_reset(TEST_MARK_THEN_FAIL);
	batch_make(&b, 6, mixed, ARRAY_SIZE(mixed));
	assert_int_equal(batch_copy(&b, MR_SYSCALL), -EIO);
	assert_int_equal(batch_cpu_copies(&b), 6);
	batch_check(&b);
	batch_free(&b);

	tm_reset(TEST_DECLINE);
	batch_make(&b, 3, order0, 1);
	assert_int_equal(batch_copy(&b, MR_SYSCALL), -EBUSY);
	assert_int_equal(batch_cpu_copies(&b), 3);
	batch_check(&b);
	batch_free(&b);
	migrate_offload_get_stats(&after);
	assert_int_equal(after.nr_calls - before.nr_calls, 2);
	assert_int_equal(after.nr_errors - before.nr_errors, 2);
	assert_int_equal(after.nr_folios - before.nr_folios, 9);
	assert_int_equal(after.nr_copied - before.nr_copied, 0);
	assert_int_equal(migrate_offload_unregister(&test_migrator), 0);
}

/* ---- unregister while a copy is in flight ---- */

struct copier {
	pthread_t thread;		/* runs batch_copy() inside m */
	struct batch *b;		/* its batch */
	int ret;			/* batch_copy()'s */
	bool done;			/* returned (atomic) */
};

static void *copier_fn(void *arg)
{
	struct copier *c = arg;

	if (machine_enter(m) == 0) {
		c->ret = batch_copy(c->b, MR_COMPACTION);
		machine_leave(m);
	} else {
		c->ret = -EBUSY;
	}
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

struct unregisterer {
	pthread_t thread;		/* calls migrator unregister */
	int ret;			/* its result */
	bool done;			/* returned (atomic) */
};

static void *unregister_fn(void *arg)
{
	struct unregisterer *u = arg;

	if (machine_enter(m) == 0) {
		u->ret = migrate_offload_unregister(&test_migrator);
		machine_leave(m);
	} else {
		u->ret = -EBUSY;
	}
	__atomic_store_n(&u->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void test_unregister_waits_for_inflight(void **state)
{
	struct copier c = { 0 };
	struct unregisterer u = { 0 };
	struct batch b, b2;
	int i;

	assert_int_equal(migrate_offload_register(&test_migrator,
						  MIGRATE_REASON_ALL), 0);
	tm_reset(TEST_COPY_ALL);
	batch_make(&b, 4, order0, 1);
	c.b = &b;
	pthread_mutex_lock(&tm.lock);
	tm.gate_closed = true;
	pthread_mutex_unlock(&tm.lock);

	cpu_sleep_begin();
	assert_int_equal(pthread_create(&c.thread, NULL, copier_fn, &c), 0);
	pthread_mutex_lock(&tm.lock);
	while (!tm.inside)
		pthread_cond_wait(&tm.cond, &tm.lock);
	pthread_mutex_unlock(&tm.lock);
	assert_int_equal(pthread_create(&u.thread, NULL, unregister_fn, &u), 0);
	/* Give the unregister ample time: it must still be waiting. */
	for (i = 0; i < 50; i++) {
		usleep(1000);
		assert_false(__atomic_load_n(&u.done, __ATOMIC_ACQUIRE));
	}
	cpu_sleep_end();
	/* Already unpublished: a new batch goes the standard path. */
	batch_make(&b2, 2, order0, 1);
	assert_int_equal(batch_copy(&b2, MR_COMPACTION), -ENODEV);
	assert_int_equal(batch_cpu_copies(&b2), 2);
	batch_check(&b2);
	batch_free(&b2);

	cpu_sleep_begin();
	pthread_mutex_lock(&tm.lock);
	tm.gate_closed = false;
	pthread_cond_broadcast(&tm.cond);
	pthread_mutex_unlock(&tm.lock);
	pthread_join(c.thread, NULL);
	pthread_join(u.thread, NULL);
	cpu_sleep_end();
	assert_int_equal(c.ret, 0);
	assert_int_equal(u.ret, 0);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	assert_null(migrate_offload_active(NULL));
}

/* ---- dcbm and the DMA engine ---- */

static void dcbm_on(const char *nr_dma_chan)
{
	set_knob("dcbm.nr_dma_chan", nr_dma_chan, 0);
	set_knob("dcbm.offloading", "1", 0);
	set_knob("dcbm.folios_migrated", "0", 0);
	set_knob("dcbm.folios_failures", "0", 0);
}

static void dcbm_off(void)
{
	set_knob("dcbm.offloading", "0", 0);
}

/* A batch with no DMA device: declined, the CPU copies it. */
static void test_dcbm_without_device(void **state)
{
	struct batch b;

	dcbm_on("4");
	batch_make(&b, 3, order0, 1);
	assert_int_equal(batch_copy(&b, MR_SYSCALL), -ENODEV);
	assert_int_equal(batch_cpu_copies(&b), 3);
	batch_check(&b);
	batch_free(&b);
	assert_int_equal(get_knob("dcbm.folios_failures"), 3);
	assert_int_equal(get_knob("dcbm.folios_migrated"), 0);
	dcbm_off();
}

static void test_dma_device_and_knobs(void **state)
{
	struct dma_chan *chans[16], *c;
	dma_cap_mask_t mask;
	int i;

	assert_int_equal(foliage_dma_device_add(m, 0, 0), -EINVAL);
	reenter();
	assert_int_equal(foliage_dma_device_add(m, 16, 0), 0);
	reenter();
	assert_int_equal(foliage_dma_device_add(m, 4, 0), -EBUSY);
	reenter();
	assert_int_equal(dma_nr_channels(), 16);

	dma_cap_zero(&mask);
	dma_cap_set(DMA_MEMCPY, &mask);
	for (i = 0; i < 16; i++) {
		chans[i] = dma_request_chan_by_mask(&mask);
		assert_false(IS_ERR(chans[i]));
	}
	c = dma_request_chan_by_mask(&mask);
	assert_true(IS_ERR(c) && PTR_ERR(c) == -ENODEV);
	for (i = 0; i < 16; i++)
		dma_release_channel(chans[i]);

	/* dcbm.nr_dma_chan: 1..16, else -EINVAL. */
	set_knob("dcbm.nr_dma_chan", "0", -EINVAL);
	set_knob("dcbm.nr_dma_chan", "17", -EINVAL);
	set_knob("dcbm.nr_dma_chan", "16", 0);
	assert_int_equal(get_knob("dcbm.nr_dma_chan"), 16);
	/* offloading registers; twice is -EBUSY, off twice -EINVAL. */
	set_knob("dcbm.offloading", "1", 0);
	assert_string_equal(migrate_offload_active(NULL), "dcbm");
	set_knob("dcbm.offloading", "1", -EBUSY);
	assert_int_equal(foliage_migrator_enable(m, "mtcopy", NULL), -EBUSY);
	reenter();
	assert_int_equal(foliage_migrator_disable(m, "mtcopy"), -EINVAL);
	reenter();
	set_knob("dcbm.offloading", "0", 0);
	set_knob("dcbm.offloading", "0", -EINVAL);
	assert_int_equal(get_knob("dcbm.offloading"), 0);
	assert_int_equal(foliage_migrator_enable(m, "bogus", NULL), -EINVAL);
	reenter();
	assert_int_equal(foliage_migrator_enable(m, "dcbm", "syscall"),
			 -EINVAL);
	reenter();
	assert_null(migrate_offload_active(NULL));
	set_knob("fail_dma.type", "sometimes", -EINVAL);
	set_knob("fail_dma.type", "partial", 0);
	set_knob("fail_dma.probability", "101", -EINVAL);
	set_knob("fail_dma.interval", "0", -EINVAL);
	set_knob("fail_dma.failures", "1", -EINVAL);
	set_knob("fail_dma.bogus", "1", -ENOENT);
	set_knob("dcbm.bogus", "1", -ENOENT);
	set_knob("dcbm.nr_dma_chan", "4x", -EINVAL);
	set_knob("dcbm.offloading", "2", -EINVAL);
	assert_int_equal(get_knob("fail_dma.type"), FAIL_DMA_PARTIAL);
	set_knob("fail_dma.type", "error", 0);
}

/* n=5 over 3 channels: 1, 2, 2; contents right, no CPU copy. */
static void test_dcbm_split(void **state)
{
	struct dcbm_last_batch last;
	struct batch b;

	assert_int_equal(dcbm_nr_chans(3, 5), 3);
	assert_int_equal(dcbm_nr_chans(16, 2), 2);
	assert_int_equal(dcbm_nr_chans(40, 100), 16);
	dcbm_on("3");
	batch_make(&b, 5, mixed, ARRAY_SIZE(mixed));
	assert_int_equal(batch_copy(&b, MR_SYSCALL), 0);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	dcbm_get_last_batch(&last);
	assert_int_equal(last.nr_chans, 3);
	assert_int_equal(last.nr_folios[0], 1);
	assert_int_equal(last.nr_folios[1], 2);
	assert_int_equal(last.nr_folios[2], 2);
	assert_int_equal(get_knob("dcbm.folios_migrated"), 5);
	assert_int_equal(get_knob("dcbm.folios_failures"), 0);
	dcbm_off();

	/* n=2 with 16 channels: 2 channels of 1. */
	dcbm_on("16");
	batch_make(&b, 2, order0, 1);
	assert_int_equal(batch_copy(&b, MR_SYSCALL), 0);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	dcbm_get_last_batch(&last);
	assert_int_equal(last.nr_chans, 2);
	assert_int_equal(last.nr_folios[0], 1);
	assert_int_equal(last.nr_folios[1], 1);

	/* A big batch over all 16 channels, completing in any order. */
	batch_make(&b, MAX_FOLIOS, mixed, ARRAY_SIZE(mixed));
	assert_int_equal(batch_copy(&b, MR_SYSCALL), 0);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	dcbm_get_last_batch(&last);
	assert_int_equal(last.nr_chans, 16);
	assert_int_equal(last.nr_folios[0], 4);
	assert_int_equal(get_knob("dcbm.folios_migrated"), 2 + MAX_FOLIOS);
	/* Writing resets. */
	set_knob("dcbm.folios_migrated", "123", 0);
	assert_int_equal(get_knob("dcbm.folios_migrated"), 0);
	dcbm_off();
}

/*
 * Batches on 4 threads at once compete for the 16 channels (8 each
 * wanted): a batch takes what is free, and one that finds none is declined
 * and copied by the CPU.  Every folio is copied once and right, and the
 * folios the CPU copied are exactly dcbm.folios_failures.
 */
#define NR_BATCHERS	4
#define NR_ROUNDS	6

struct batcher {
	pthread_t thread;		/* inside m */
	unsigned int id;		/* which */
	int err;			/* first problem seen, 0 none */
	unsigned int by_dma;		/* batches copied by DMA */
	unsigned int by_cpu;		/* folios copied by the CPU */
};

static void *batcher_fn(void *arg)
{
	static const unsigned int orders[] = { 0, 1, 3 };
	struct batcher *bt = arg;
	struct batch *b = malloc(sizeof(*b));
	unsigned int round, i;

	if (!b || machine_enter(m)) {
		bt->err = -ENOMEM;
		free(b);
		return NULL;
	}
	for (round = 0; round < NR_ROUNDS && !bt->err; round++) {
		unsigned int nr = 5 + (bt->id + round) % 8;
		int ret;

		batch_make(b, nr, orders, ARRAY_SIZE(orders));
		ret = batch_copy(b, MR_COMPACTION);
		if (ret == 0)
			bt->by_dma++;
		else if (ret != -ENODEV)
			bt->err = ret;
		for (i = 0; i < nr; i++) {
			const unsigned char *p = folio_address(b->d[i]);
			size_t page;

			if (b->cpu_copies[i] != (ret ? 1 : 0))
				bt->err = -EFAULT;
			bt->by_cpu += b->cpu_copies[i];
			for (page = 0; page < folio_nr_pages(b->d[i]); page++)
				if (!page_ok(p + page * PAGE_SIZE, i, page))
					bt->err = -EIO;
		}
		batch_free(b);
	}
	machine_leave(m);
	free(b);
	return NULL;
}

static void test_dcbm_concurrent_batches(void **state)
{
	struct batcher bt[NR_BATCHERS];
	unsigned int i, dma = 0, cpu = 0;

	dcbm_on("8");
	cpu_sleep_begin();
	for (i = 0; i < NR_BATCHERS; i++) {
		bt[i] = (struct batcher){ .id = i };
		assert_int_equal(pthread_create(&bt[i].thread, NULL,
						batcher_fn, &bt[i]), 0);
	}
	for (i = 0; i < NR_BATCHERS; i++)
		pthread_join(bt[i].thread, NULL);
	cpu_sleep_end();
	for (i = 0; i < NR_BATCHERS; i++) {
		assert_int_equal(bt[i].err, 0);
		dma += bt[i].by_dma;
		cpu += bt[i].by_cpu;
	}
	assert_true(dma > 0);
	assert_int_equal(get_knob("dcbm.folios_failures"), cpu);
	dcbm_off();
}

/* fail_dma.type error/partial: the whole batch falls back, once each. */
static void dcbm_fault_case(const char *type, const char *interval)
{
	struct batch b;

	dcbm_on("4");
	set_knob("fail_dma.type", type, 0);
	set_knob("fail_dma.interval", interval, 0);
	set_knob("fail_dma.times", "1", 0);
	set_knob("fail_dma.probability", "100", 0);
	batch_make(&b, 12, mixed, ARRAY_SIZE(mixed));
	assert_int_equal(batch_copy(&b, MR_SYSCALL), -EIO);
	assert_int_equal(batch_cpu_copies(&b), 12);
	batch_check(&b);
	batch_free(&b);
	assert_int_equal(get_knob("dcbm.folios_failures"), 12);
	assert_int_equal(get_knob("dcbm.folios_migrated"), 0);
	assert_int_equal(get_knob("fail_dma.times"), 0);
	/* times ran out: the next batch goes by DMA. */
	batch_make(&b, 12, mixed, ARRAY_SIZE(mixed));
	assert_int_equal(batch_copy(&b, MR_SYSCALL), 0);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	assert_int_equal(get_knob("dcbm.folios_migrated"), 12);
	set_knob("fail_dma.probability", "0", 0);
	set_knob("fail_dma.interval", "1", 0);
	dcbm_off();
}

static void test_dcbm_dma_error(void **state)
{
	dcbm_fault_case("error", "7");
}

static void test_dcbm_dma_partial(void **state)
{
	dcbm_fault_case("partial", "12");
}

/* Moves the virtual clock a second at a time until the copier is done. */
static void *clock_fn(void *arg)
{
	struct copier *c = arg;

	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		if (foliage_advance_time(m, NSEC_PER_SEC))
			break;
		usleep(200);
	}
	return NULL;
}

/* A hung descriptor: the batch times out after 10 s, the CPU copies. */
static void test_dcbm_dma_timeout(void **state)
{
	struct copier c = { 0 };
	pthread_t clock;
	struct batch b;
	u64 t0;

	dcbm_on("4");
	set_knob("fail_dma.type", "timeout", 0);
	set_knob("fail_dma.interval", "5", 0);
	set_knob("fail_dma.times", "1", 0);
	set_knob("fail_dma.probability", "100", 0);
	batch_make(&b, 8, order0, 1);
	c.b = &b;
	t0 = foliage_time_ns(m);
	cpu_sleep_begin();
	assert_int_equal(pthread_create(&c.thread, NULL, copier_fn, &c), 0);
	assert_int_equal(pthread_create(&clock, NULL, clock_fn, &c), 0);
	pthread_join(c.thread, NULL);
	pthread_join(clock, NULL);
	cpu_sleep_end();
	assert_int_equal(c.ret, -ETIMEDOUT);
	assert_true(foliage_time_ns(m) - t0 >= 10 * NSEC_PER_SEC);
	assert_int_equal(batch_cpu_copies(&b), 8);
	batch_check(&b);
	batch_free(&b);
	assert_int_equal(get_knob("dcbm.folios_failures"), 8);
	set_knob("fail_dma.probability", "0", 0);
	set_knob("fail_dma.interval", "1", 0);
	dcbm_off();
}

/* ---- mtcopy ---- */

static void test_mtcopy_splits_large_folios(void **state)
{
	static const unsigned int pmd[] = { 9 };
	struct mtcopy_last_batch last;
	struct batch b;

	set_knob("mtcopy.threads", "4", 0);
	set_knob("mtcopy.threads", "0", -EINVAL);
	set_knob("mtcopy.threads", "33", -EINVAL);
	set_knob("mtcopy.threads", "-1", -EINVAL);
	assert_int_equal(foliage_migrator_enable(m, "mtcopy",
						 "compaction,demotion"), 0);
	reenter();
	batch_make(&b, 1, pmd, 1);
	/* Not its reason: the CPU copies. */
	assert_int_equal(batch_copy(&b, MR_SYSCALL), -ENODEV);
	assert_int_equal(batch_cpu_copies(&b), 1);
	batch_free(&b);
	batch_make(&b, 1, pmd, 1);
	assert_int_equal(batch_copy(&b, MR_DEMOTION), 0);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	mtcopy_get_last_batch(&last);
	assert_int_equal(last.nr_threads, 4);
	assert_int_equal(last.nr_pages[0], 128);
	assert_int_equal(last.nr_pages[3], 128);

	/* Mixed sizes: 1+4+1+16+2+512 = 536 pages over 4 threads. */
	batch_make(&b, 6, mixed, ARRAY_SIZE(mixed));
	assert_int_equal(batch_copy(&b, MR_COMPACTION), 0);
	assert_int_equal(batch_cpu_copies(&b), 0);
	batch_check(&b);
	batch_free(&b);
	mtcopy_get_last_batch(&last);
	assert_int_equal(last.nr_pages[0], 134);
	/* Three small folios: no more threads than pages. */
	batch_make(&b, 3, order0, 1);
	assert_int_equal(batch_copy(&b, MR_COMPACTION), 0);
	batch_check(&b);
	batch_free(&b);
	mtcopy_get_last_batch(&last);
	assert_int_equal(last.nr_threads, 3);
	assert_int_equal(foliage_migrator_disable(m, "dcbm"), -EINVAL);
	reenter();
	assert_int_equal(foliage_migrator_disable(m, "mtcopy"), 0);
	reenter();
	assert_int_equal(get_knob("mtcopy.offloading"), 0);
}

/* ---- the DMA engine alone: a capped device, out-of-order completions ---- */

#define CAP_BYTES_PER_SEC	(25ULL << 20)	/* 25 MiB/s a channel */

static int setup_capped(void **state)
{
	m = threads_machine(64);
	assert_int_equal(foliage_dma_device_add(m, 2, CAP_BYTES_PER_SEC), 0);
	reenter();
	return 0;
}

/* What the completions of a few descriptors saw, in completion order. */
struct done_log {
	pthread_mutex_t lock;		/* protects the rest */
	int order[8];			/* ids, in completion order */
	enum dmaengine_tx_result result[8]; /* by id */
	u32 residue[8];			/* by id */
	int nr;				/* completions so far */
	struct completion all;		/* nr reached the expected count */
	int expected;			/* completions to wait for */
};

struct done_arg {
	struct done_log *log;		/* where to record */
	int id;				/* which descriptor */
};

static void log_done(void *param, const struct dmaengine_result *res)
{
	struct done_arg *a = param;
	struct done_log *log = a->log;
	bool last;

	pthread_mutex_lock(&log->lock);
	log->order[log->nr++] = a->id;
	log->result[a->id] = res->result;
	log->residue[a->id] = res->residue;
	last = log->nr == log->expected;
	pthread_mutex_unlock(&log->lock);
	if (last)
		complete(&log->all);
}

static void submit(struct dma_chan *chan, struct folio *dst,
		   struct folio *src, struct done_arg *arg)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(chan,
				       (dma_addr_t)folio_pfn(dst) << PAGE_SHIFT,
				       (dma_addr_t)folio_pfn(src) << PAGE_SHIFT,
				       folio_size(src), DMA_PREP_INTERRUPT);
	assert_non_null(tx);
	tx->callback_result = log_done;
	tx->callback_param = arg;
	assert_true(dmaengine_submit(tx) > 0);
}

/*
 * Channel 0 gets a 2 MiB copy (about 80 ms at the cap), channel 1 then a
 * 4 KiB one (160 us): the second completes first.  Each channel keeps its
 * own order: channel 1's two copies complete in submission order.  A
 * capped channel takes at least bytes / cap.
 */
static void test_dma_out_of_order_and_cap(void **state)
{
	struct done_log log = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct done_arg args[3] = { { &log, 0 }, { &log, 1 }, { &log, 2 } };
	struct folio *big_src, *big_dst, *small_src[2], *small_dst[2];
	struct dma_chan *c0, *c1;
	dma_cap_mask_t mask;
	struct timespec t0, t1;
	u64 ns;
	int i;

	big_src = folio_alloc(GFP_KERNEL, 9);
	big_dst = folio_alloc(GFP_KERNEL | __GFP_ZERO, 9);
	assert_non_null(big_src);
	assert_non_null(big_dst);
	memset(folio_address(big_src), 0x5a, folio_size(big_src));
	for (i = 0; i < 2; i++) {
		small_src[i] = folio_alloc(GFP_KERNEL, 0);
		small_dst[i] = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
		assert_non_null(small_src[i]);
		assert_non_null(small_dst[i]);
		memset(folio_address(small_src[i]), 0x10 + i, PAGE_SIZE);
	}
	init_completion(&log.all);
	log.expected = 3;
	dma_cap_zero(&mask);
	dma_cap_set(DMA_MEMCPY, &mask);
	c0 = dma_request_chan_by_mask(&mask);
	c1 = dma_request_chan_by_mask(&mask);
	assert_false(IS_ERR(c0));
	assert_false(IS_ERR(c1));
	assert_true(IS_ERR(dma_request_chan_by_mask(&mask)));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	submit(c0, big_dst, big_src, &args[0]);
	dma_async_issue_pending(c0);
	submit(c1, small_dst[0], small_src[0], &args[1]);
	submit(c1, small_dst[1], small_src[1], &args[2]);
	dma_async_issue_pending(c1);
	wait_for_completion(&log.all);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (t1.tv_sec - t0.tv_sec) * NSEC_PER_SEC + t1.tv_nsec - t0.tv_nsec;

	assert_int_equal(log.nr, 3);
	assert_int_equal(log.order[0], 1);
	assert_int_equal(log.order[1], 2);
	assert_int_equal(log.order[2], 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(log.result[i], DMA_TRANS_NOERROR);
		assert_int_equal(log.residue[i], 0);
	}
	assert_true(ns >= (u64)folio_size(big_src) * NSEC_PER_SEC /
			   CAP_BYTES_PER_SEC);
	assert_true(mem_is(folio_address(big_dst), 0x5a, folio_size(big_dst)));
	for (i = 0; i < 2; i++)
		assert_true(mem_is(folio_address(small_dst[i]), 0x10 + i,
				   PAGE_SIZE));
	assert_int_equal(dmaengine_terminate_sync(c0), 0);
	assert_int_equal(dmaengine_terminate_sync(c1), 0);
	dma_release_channel(c0);
	dma_release_channel(c1);
	destroy_completion(&log.all);
	folio_put(big_src);
	folio_put(big_dst);
	for (i = 0; i < 2; i++) {
		folio_put(small_src[i]);
		folio_put(small_dst[i]);
	}
}

/* A hung descriptor is dropped by terminate; its callback never runs. */
static void test_dma_terminate_drops_hung(void **state)
{
	struct done_log log = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct done_arg args[2] = { { &log, 0 }, { &log, 1 } };
	struct folio *src = folio_alloc(GFP_KERNEL, 0);
	struct folio *dst = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	struct dma_chan *c;
	dma_cap_mask_t mask;

	assert_non_null(src);
	assert_non_null(dst);
	memset(folio_address(src), 0x77, PAGE_SIZE);
	init_completion(&log.all);
	log.expected = 1;
	set_knob("fail_dma.type", "timeout", 0);
	set_knob("fail_dma.times", "1", 0);
	set_knob("fail_dma.probability", "100", 0);
	dma_cap_zero(&mask);
	dma_cap_set(DMA_MEMCPY, &mask);
	c = dma_request_chan_by_mask(&mask);
	assert_false(IS_ERR(c));
	submit(c, dst, src, &args[0]);		/* hangs */
	submit(c, dst, src, &args[1]);		/* completes after it */
	dma_async_issue_pending(c);
	wait_for_completion(&log.all);
	assert_int_equal(log.order[0], 1);
	assert_int_equal(dmaengine_terminate_sync(c), 0);
	assert_int_equal(log.nr, 1);
	assert_int_equal(c->nr_dropped, 1);
	assert_int_equal(get_knob("fail_dma.failures"), 1);
	dma_release_channel(c);
	destroy_completion(&log.all);
	assert_true(mem_is(folio_address(dst), 0x77, PAGE_SIZE));
	folio_put(src);
	folio_put(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_migrator_standard_path),
		cmocka_unit_test(test_register_rules),
		cmocka_unit_test(test_reason_mask_parse),
		cmocka_unit_test(test_reason_filtering),
		cmocka_unit_test(test_half_marked),
		cmocka_unit_test(test_error_clears_marks),
		cmocka_unit_test(test_unregister_waits_for_inflight),
		cmocka_unit_test(test_dcbm_without_device),
		cmocka_unit_test(test_dma_device_and_knobs),
		cmocka_unit_test(test_dcbm_split),
		cmocka_unit_test(test_dcbm_concurrent_batches),
		cmocka_unit_test(test_dcbm_dma_error),
		cmocka_unit_test(test_dcbm_dma_partial),
		cmocka_unit_test(test_dcbm_dma_timeout),
		cmocka_unit_test(test_mtcopy_splits_large_folios),
	};

	const struct CMUnitTest dma_tests[] = {
		cmocka_unit_test(test_dma_out_of_order_and_cap),
		cmocka_unit_test(test_dma_terminate_drops_hung),
	};

	return cmocka_run_group_tests(tests, setup, teardown) ||
	       cmocka_run_group_tests(dma_tests, setup_capped, teardown);
}
