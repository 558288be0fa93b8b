/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Free page reporting, the mm side (Linux's mm/page_reporting.h): the
 * machine's reporting state and the notification __free_one_page() makes.
 * The driver interface is include/linux/page_reporting.h.
 */
#ifndef _FOLIAGE_MM_PAGE_REPORTING_H
#define _FOLIAGE_MM_PAGE_REPORTING_H

#include <pthread.h>

#include <linux/mm.h>
#include <linux/page_reporting.h>

/* One per machine, at this_machine->page_reporting. */
struct page_reporting {
	/* the driver; written under mutex, read under any zone->lock */
	struct page_reporting_dev_info *prdev;
	int order;			/* page_reporting_order, -1: unset */
	bool enabled;			/* page_reporting_enabled key */
	bool host_zeroes;		/* host_zeroes_pages key */
	pthread_rwlock_t mutex;		/* page_reporting_mutex (register) */
	pthread_rwlock_t pass_lock;	/* one pass at a time: work or flush */
};

/*
 * A block of @order was freed and merged (caller holds its zone->lock):
 * request a pass if it is big enough to report.
 */
static inline void page_reporting_notify_free(unsigned int order)
{
	struct page_reporting *pr = this_machine->page_reporting;

	if (likely(!pr || !READ_ONCE(pr->enabled)))
		return;
	if ((int)order < READ_ONCE(pr->order))
		return;
	__page_reporting_notify();
}

#endif /* _FOLIAGE_MM_PAGE_REPORTING_H */
