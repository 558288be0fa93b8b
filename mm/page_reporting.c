// SPDX-License-Identifier: GPL-2.0
/*
 * Free page reporting (Linux's mm/page_reporting.c, written anew, with seed
 * 000's driver-set capacity, zeroed_bitmap, host_zeroes_pages key and flush
 * parameter).  What it promises is in include/linux/page_reporting.h.
 *
 * A pass, per zone:
 *
 *   for order in [page_reporting_order, MAX_PAGE_ORDER], mt != Isolate:
 *	budget = DIV_ROUND_UP(nr_free, 32 * 16) batches
 *	walk the list from its first block; skip PageReported ones; isolate
 *	the others into sgl[--offset] until the batch is full (offset 0):
 *	  report it without zone->lock, drain it back (tail, no notify),
 *	  restart at the list's first block; budget spent: stop, rotating
 *	  the list so that the next pass starts where this one stopped
 *   what is left in sgl[offset, capacity) is reported at the zone's end
 *
 * Isolated blocks are nobody's buddies, so frees meanwhile cannot merge
 * with them; after the drain a block may merge with a buddy freed in the
 * window, and then it is neither Reported nor zeroed (the merged block is
 * a new, unreported one).
 *
 * The pass runs on CPU 0's kworker.  Device interrupts run there too
 * (drivers/virtio/virtio.c), so ->report() must not sleep waiting for
 * one: a driver polls its used ring instead.  unregister() unpublishes the
 * driver and then takes every zone->lock once, which is what notifiers
 * hold while they read it (Linux uses RCU for the same).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "page_reporting.h"
#include <linux/machine_subsys.h>

#define pr_state	(this_machine->page_reporting)

/* One pass: the batch being filled, threaded through the zone walk. */
struct report_pass {
	struct page_reporting_dev_info *prdev;	/* the driver */
	unsigned int capacity;		/* blocks a batch */
	unsigned int offset;		/* sgl[offset, capacity) are filled */
	unsigned long nr_reported;	/* blocks reported by this pass */
	struct scatterlist sgl[PAGE_REPORTING_CAPACITY]; /* the batch */
};

/* ---- requests --------------------------------------------------------- */

static void __page_reporting_request(struct page_reporting_dev_info *prdev)
{
	/* A pass is already due: nothing to do. */
	if (atomic_read(&prdev->state) == PAGE_REPORTING_REQUESTED)
		return;
	/*
	 * REQUESTED now; if a pass is running it sees that when it ends and
	 * arms itself again.  Only IDLE -> REQUESTED arms the work.
	 */
	if (atomic_xchg(&prdev->state, PAGE_REPORTING_REQUESTED) !=
	    PAGE_REPORTING_IDLE)
		return;
	queue_delayed_work_on(0, system_wq, &prdev->work,
			      PAGE_REPORTING_DELAY);
}

void __page_reporting_notify(void)
{
	struct page_reporting_dev_info *prdev = READ_ONCE(pr_state->prdev);

	if (likely(prdev))
		__page_reporting_request(prdev);
}

/* ---- one batch -------------------------------------------------------- */

static unsigned int sg_order(const struct scatterlist *sg)
{
	return (unsigned int)__builtin_ctzl(sg->length >> PAGE_SHIFT);
}

/* Hand @nents blocks of @sg to the driver; no lock held. */
static int report_batch(struct report_pass *p, struct scatterlist *sg,
			unsigned int nents)
{
	struct page_reporting_dev_info *prdev = p->prdev;
	unsigned int i;
	int err;

	memset(prdev->zeroed_bitmap, 0, sizeof(prdev->zeroed_bitmap));
	for (i = 0; i < nents; i++)
		sg[i].end = i == nents - 1;
	err = prdev->report(prdev, sg, nents);
	if (err)
		prdev->nr_errors++;
	return err;
}

/*
 * Put a reported batch back (tail, no notification) and mark each block
 * that is still a free block of its order: Reported if @reported, zeroed
 * too if the host zeroes and said so.  Caller holds zone->lock.
 */
static void page_reporting_drain(struct report_pass *p,
				 struct scatterlist *sg, unsigned int nents,
				 bool reported)
{
	struct page_reporting_dev_info *prdev = p->prdev;
	bool zeroes = reported && READ_ONCE(pr_state->host_zeroes);
	unsigned int i;

	for (i = 0; i < nents; i++) {
		struct page *page = sg[i].page;
		unsigned int order = sg_order(&sg[i]);

		__putback_isolated_page(page, order,
					get_pageblock_migratetype(page));
		if (!reported)
			continue;
		/* Merged meanwhile: the bigger block was never reported. */
		if (!PageBuddy(page) || buddy_order(page) != order)
			continue;
		__SetPageReported(page);
		prdev->nr_reported++;
		prdev->nr_reported_pages += 1UL << order;
		p->nr_reported++;
		if (zeroes && test_bit(i, prdev->zeroed_bitmap)) {
			__SetPageZeroed(page);
			prdev->nr_zeroed_pages += 1UL << order;
		}
	}
	memset(sg, 0, sizeof(*sg) * nents);
}

/* ---- the walk --------------------------------------------------------- */

/* Make @pos the first entry of @list (Linux's list_rotate_to_front()). */
static void rotate_to_front(struct list_head *pos, struct list_head *list)
{
	if (pos != list && list->next != pos)
		list_move_tail(list, pos);
}

/*
 * The block at @pos of a free list; the place of the unlisted max-order
 * blocks lists the lowest of them first.  Caller holds zone->lock.
 */
static struct page *free_list_page(struct zone *zone, struct list_head *pos)
{
	if (pos == &zone->unlisted_pos)
		return free_list_next_unlisted(zone);
	return list_entry(pos, struct page, lru);
}

static int page_reporting_cycle(struct report_pass *p, struct zone *zone,
				unsigned int order, int mt)
{
	struct free_area *area = &zone->free_area[order];
	struct list_head *list = &area->free_list[mt];
	unsigned int page_len = PAGE_SIZE << order;
	struct list_head *pos, *next;
	long budget;
	int err = 0;

	/* A peek without the lock, as Linux's list_empty() here. */
	if (READ_ONCE(list->next) == list)
		return 0;

	spin_lock(&zone->lock);
	budget = DIV_ROUND_UP(area->nr_free, PAGE_REPORTING_CAPACITY * 16);
	/* Emptied since the peek: nothing to rotate to. */
	next = list;
	for (pos = list->next; pos != list; pos = next) {
		struct page *page = free_list_page(zone, pos);

		next = page->lru.next;
		if (PageReported(page))
			continue;
		if (budget < 0) {
			/* The next pass starts with this block. */
			next = &page->lru;
			break;
		}
		/* Below the min watermark: stop, retry from here next time. */
		if (!__isolate_free_page(page, order)) {
			next = &page->lru;
			break;
		}
		sg_set_page(&p->sgl[--p->offset], page, page_len, 0);
		if (p->offset)
			continue;

		/* A full batch: report it with the lock dropped. */
		rotate_to_front(next, list);
		spin_unlock(&zone->lock);
		err = report_batch(p, p->sgl, p->capacity);
		p->offset = p->capacity;
		budget--;
		spin_lock(&zone->lock);
		page_reporting_drain(p, p->sgl, p->capacity, !err);
		next = list->next;
		if (err)
			break;
	}
	rotate_to_front(next, list);
	spin_unlock(&zone->lock);
	return err;
}

static int page_reporting_process_zone(struct report_pass *p,
				       struct zone *zone)
{
	int order = READ_ONCE(pr_state->order);
	unsigned int o, leftover;
	unsigned long watermark;
	int mt, err = 0;

	if (order < 0)
		return 0;
	/* Leave the zone enough to allocate from without reclaim. */
	watermark = low_wmark_pages(zone) +
		    ((unsigned long)PAGE_REPORTING_CAPACITY << order);
	if (!zone_watermark_ok(zone, 0, watermark, 0, 0))
		return 0;

	for (o = order; o < NR_PAGE_ORDERS; o++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			if (is_migrate_isolate(mt))
				continue;
			err = page_reporting_cycle(p, zone, o, mt);
			if (err)
				return err;
		}
	}

	leftover = p->capacity - p->offset;
	if (leftover) {
		struct scatterlist *sg = &p->sgl[p->offset];

		err = report_batch(p, sg, leftover);
		spin_lock(&zone->lock);
		page_reporting_drain(p, sg, leftover, !err);
		spin_unlock(&zone->lock);
		p->offset = p->capacity;
	}
	return err;
}

/* One pass over every zone; caller holds pass_lock. */
static int page_reporting_pass(struct page_reporting_dev_info *prdev,
			       unsigned long *nr_reported)
{
	struct report_pass p = { .prdev = prdev };
	int nid, zid, err = 0;

	p.capacity = prdev->capacity;
	if (!p.capacity || p.capacity > PAGE_REPORTING_CAPACITY)
		p.capacity = PAGE_REPORTING_CAPACITY;
	p.offset = p.capacity;
	prdev->nr_passes++;

	for (nid = 0; nid < this_machine->nr_nodes && !err; nid++) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &pgdat->node_zones[zid];

			if (!populated_zone(zone))
				continue;
			err = page_reporting_process_zone(&p, zone);
			if (err)
				break;
		}
	}
	*nr_reported = p.nr_reported;
	return err;
}

static void page_reporting_process(struct work_struct *work)
{
	struct page_reporting_dev_info *prdev =
		container_of(to_delayed_work(work),
			     struct page_reporting_dev_info, work);
	int state = PAGE_REPORTING_ACTIVE;
	unsigned long nr;

	atomic_set(&prdev->state, state);
	pthread_rwlock_wrlock(&pr_state->pass_lock);
	(void)page_reporting_pass(prdev, &nr);
	pthread_rwlock_unlock(&pr_state->pass_lock);

	/* A request came in meanwhile: run again after the delay. */
	state = atomic_cmpxchg(&prdev->state, state, PAGE_REPORTING_IDLE);
	if (state == PAGE_REPORTING_REQUESTED)
		queue_delayed_work_on(0, system_wq, &prdev->work,
				      PAGE_REPORTING_DELAY);
}

/* ---- the driver interface --------------------------------------------- */

int page_reporting_register(struct page_reporting_dev_info *prdev)
{
	struct page_reporting *pr = pr_state;
	int err = 0;

	if (!prdev || !prdev->report)
		return -EINVAL;
	pthread_rwlock_wrlock(&pr->mutex);
	if (pr->prdev) {
		err = -EBUSY;
		goto out;
	}
	/* Unset: the driver's order if it gives one, else pageblock_order. */
	if (pr->order == -1) {
		if (prdev->order > 0 && prdev->order <= MAX_PAGE_ORDER)
			WRITE_ONCE(pr->order, (int)prdev->order);
		else
			WRITE_ONCE(pr->order, pageblock_order);
	}
	atomic_set(&prdev->state, PAGE_REPORTING_IDLE);
	INIT_DELAYED_WORK(&prdev->work, page_reporting_process);
	/* Memory may be free already: a first pass. */
	__page_reporting_request(prdev);
	__atomic_store_n(&pr->prdev, prdev, __ATOMIC_RELEASE);
	WRITE_ONCE(pr->enabled, true);
out:
	pthread_rwlock_unlock(&pr->mutex);
	return err;
}

/* Wait until no notifier can still see the old driver (synchronize_rcu()). */
static void page_reporting_sync_notifiers(void)
{
	int nid, zid;

	for (nid = 0; nid < this_machine->nr_nodes; nid++) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &pgdat->node_zones[zid];

			if (!populated_zone(zone))
				continue;
			spin_lock(&zone->lock);
			spin_unlock(&zone->lock);
		}
	}
}

void page_reporting_unregister(struct page_reporting_dev_info *prdev)
{
	struct page_reporting *pr = pr_state;

	pthread_rwlock_wrlock(&pr->mutex);
	if (pr->prdev == prdev) {
		WRITE_ONCE(pr->prdev, NULL);
		page_reporting_sync_notifiers();
		/* A running pass may arm itself once more as it ends. */
		while (cancel_delayed_work_sync(&prdev->work))
			;
	}
	pthread_rwlock_unlock(&pr->mutex);
}

void host_zeroes_pages_enable(void)
{
	WRITE_ONCE(pr_state->host_zeroes, true);
}

void host_zeroes_pages_disable(void)
{
	WRITE_ONCE(pr_state->host_zeroes, false);
}

bool host_zeroes_pages(void)
{
	return READ_ONCE(pr_state->host_zeroes);
}

int page_reporting_order_get(void)
{
	return READ_ONCE(pr_state->order);
}

int page_reporting_flush(unsigned long nr_pages)
{
	struct page_reporting *pr = pr_state;
	unsigned long i, nr_passes, nr;
	int err = 0;

	nr_passes = DIV_ROUND_UP(nr_pages, PAGE_REPORTING_CAPACITY);
	pthread_rwlock_rdlock(&pr->mutex);
	if (!pr->prdev) {
		err = -ENODEV;
		goto out;
	}
	for (i = 0; i < nr_passes; i++) {
		pthread_rwlock_wrlock(&pr->pass_lock);
		err = page_reporting_pass(pr->prdev, &nr);
		pthread_rwlock_unlock(&pr->pass_lock);
		if (err || !nr)
			break;
	}
out:
	pthread_rwlock_unlock(&pr->mutex);
	return err;
}

/* ---- knobs: /sys/module/page_reporting/parameters/ ------------------- */

static int page_reporting_sysfs_set(const char *file, const char *value)
{
	long v;
	int err;

	if (strcmp(file, "page_reporting_order") && strcmp(file, "flush"))
		return -ENOENT;
	err = ctl_parse_long(value, &v);
	if (err)
		return err;
	if (!strcmp(file, "flush"))
		return v < 0 ? -EINVAL : page_reporting_flush(v);
	/* param_set_uint_minmax(0, MAX_PAGE_ORDER) */
	if (v < 0 || v > MAX_PAGE_ORDER)
		return -ERANGE;
	WRITE_ONCE(pr_state->order, (int)v);
	return 0;
}

static int page_reporting_sysfs_get(const char *file, long *value)
{
	if (!strcmp(file, "page_reporting_order")) {
		*value = page_reporting_order_get();
		return 0;
	}
	/* flush is 0200 with no ->get: reading it is -EPERM. */
	return strcmp(file, "flush") ? -ENOENT : -EPERM;
}

static int page_reporting_init(struct foliage_machine *m)
{
	struct page_reporting *pr = m->page_reporting;

	pr->order = -1;
	pthread_rwlock_init(&pr->mutex, NULL);
	pthread_rwlock_init(&pr->pass_lock, NULL);
	return 0;
}

static void page_reporting_exit(struct foliage_machine *m)
{
	struct page_reporting *pr = m->page_reporting;

	if (!pr)
		return;
	pthread_rwlock_destroy(&pr->mutex);
	pthread_rwlock_destroy(&pr->pass_lock);
}

const struct machine_subsys page_reporting_subsys = {
	.name = "page_reporting",
	MACHINE_SUBSYS_STATE(page_reporting),
	.init = page_reporting_init,
	.exit = page_reporting_exit,
	.sysfs_prefix = "page_reporting.",
	.sysfs_set = page_reporting_sysfs_set,
	.sysfs_get = page_reporting_sysfs_get,
};
