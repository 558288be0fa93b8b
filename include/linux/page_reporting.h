/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page reporting (Linux's mm/page_reporting.c, with seed 000's
 * additions): tell a hypervisor which free blocks the guest does not use,
 * so that it can take the memory back (a discard), and learn which of
 * them came back zeroed so that the allocator does not zero them again.
 *
 * One driver at a time registers a struct page_reporting_dev_info
 * (virtio-balloon's free page reporting, or a test driver).  From then on:
 *
 *   __free_one_page() of a block whose merged order is at least
 *   page_reporting_order (unless FPI_SKIP_REPORT_NOTIFY) requests a pass:
 *
 *	IDLE --request--> REQUESTED --(PAGE_REPORTING_DELAY later)--> ACTIVE
 *	ACTIVE --pass done--> IDLE, or REQUESTED again (and re-armed) when a
 *	request came in meanwhile
 *
 *   A pass (delayed work on the machine's clock, so `sleep 2s` in a
 *   scenario runs it) walks every zone whose free pages exceed
 *   low_wmark + (PAGE_REPORTING_CAPACITY << page_reporting_order), every
 *   order from page_reporting_order up and every migratetype but Isolate,
 *   with a budget of DIV_ROUND_UP(nr_free, PAGE_REPORTING_CAPACITY * 16)
 *   batches per free list.  It isolates blocks that are not PageReported
 *   yet (__isolate_free_page()), hands them to ->report() in batches of
 *   the driver's capacity (at most PAGE_REPORTING_CAPACITY) without
 *   zone->lock, then puts them back at the tail of their lists with
 *   FPI_SKIP_REPORT_NOTIFY.  A block becomes PageReported only when the
 *   report succeeded and it is still a free block of that order (it did
 *   not merge meanwhile); it also becomes PG_zeroed when the host is known
 *   to zero what it discards (host_zeroes_pages) and ->report() set its
 *   bit in zeroed_bitmap.  An error from ->report() puts that batch back
 *   unreported and ends the pass.
 *
 *   A block stops being PageReported when it leaves its free list (the
 *   allocator takes it, or it merges); splitting a reported block keeps
 *   both flags on every piece (expand(), page_del_and_expand()).
 *
 * Knobs: page_reporting.page_reporting_order (reads -1 until a driver
 * registers or it is written; registering sets it to the driver's order,
 * else pageblock_order), page_reporting.flush (write-only: up to
 * DIV_ROUND_UP(N, 32) synchronous passes, stopping at the first that
 * reports nothing; -ENODEV without a driver).
 */
#ifndef _FOLIAGE_LINUX_PAGE_REPORTING_H
#define _FOLIAGE_LINUX_PAGE_REPORTING_H

#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/scatterlist.h>
#include <linux/workqueue.h>

/* Most blocks in one ->report() call; a power of 2. */
#define PAGE_REPORTING_CAPACITY		32
/* A pass runs this long after it was requested. */
#define PAGE_REPORTING_DELAY		(2 * HZ)

/* prdev->state */
enum {
	PAGE_REPORTING_IDLE = 0,	/* nothing to do */
	PAGE_REPORTING_REQUESTED,	/* a pass is armed */
	PAGE_REPORTING_ACTIVE,		/* a pass is running */
};

struct page_reporting_dev_info {
	/*
	 * Give the host the @nents blocks of @sg (each one page, offset 0,
	 * length PAGE_SIZE << order).  Runs without zone->lock, with
	 * zeroed_bitmap cleared: set bit i when the host zeroed sg[i].
	 * 0, or -errno (nothing is marked reported, the pass stops).  It
	 * runs on CPU 0's kworker (or in the thread writing flush), where
	 * device interrupts are work items too: it must not sleep waiting
	 * for an interrupt that only that kworker would deliver; poll the
	 * used ring (virtqueue_get_buf()) instead.
	 */
	int (*report)(struct page_reporting_dev_info *prdev,
		      struct scatterlist *sg, unsigned int nents);
	unsigned int order;		/* smallest order; 0: pageblock_order */
	unsigned int capacity;		/* blocks a call; 0 or >32: 32 */
	/* bit i: sg[i] of the last ->report() came back zeroed */
	unsigned long zeroed_bitmap[DIV_ROUND_UP(PAGE_REPORTING_CAPACITY, 64)];
	atomic_t state;			/* PAGE_REPORTING_IDLE/... */
	struct delayed_work work;	/* the pass */
	/* Statistics, for show/bench (under the registry's mutex or zone lock) */
	unsigned long nr_reported;	/* blocks drained as reported */
	unsigned long nr_reported_pages; /* pages in those blocks */
	unsigned long nr_zeroed_pages;	/* of those, marked PG_zeroed */
	unsigned long nr_passes;	/* passes run (work and flush) */
	unsigned long nr_errors;	/* ->report() calls that failed */
};

/*
 * Become the machine's reporting driver and request a first pass.
 * -EBUSY if one is registered already, -EINVAL for a NULL ->report.
 */
int __must_check page_reporting_register(struct page_reporting_dev_info *prdev);
/* Stop reporting: no new request reaches @prdev, a running pass finishes. */
void page_reporting_unregister(struct page_reporting_dev_info *prdev);

/*
 * The host_zeroes_pages key: set by the driver when its host is known to
 * zero what it discards (virtio-balloon: DEVICE_INIT_REPORTED negotiated).
 * Off, zeroed_bitmap is ignored and no reported block becomes PG_zeroed.
 */
void host_zeroes_pages_enable(void);
void host_zeroes_pages_disable(void);
bool host_zeroes_pages(void);

/*
 * Run up to DIV_ROUND_UP(@nr_pages, PAGE_REPORTING_CAPACITY) passes now,
 * in the caller, stopping at the first that reports nothing (the write to
 * page_reporting.flush).  -ENODEV without a driver, else the first error
 * of ->report().
 */
int page_reporting_flush(unsigned long nr_pages);

/* page_reporting_order, or -1 while unset. */
int page_reporting_order_get(void);

/* Called by __free_one_page() (zone->lock held) for a freed block. */
void __page_reporting_notify(void);

#endif /* _FOLIAGE_LINUX_PAGE_REPORTING_H */
