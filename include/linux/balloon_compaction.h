/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Balloon pages (mm/balloon_compaction.c, Linux's interface): pages a
 * balloon driver took from the page allocator to lend to its host.
 *
 * A balloon page is allocated by balloon_page_alloc(), enqueued on its
 * device's list (page->lru) with balloon_page_enqueue(), typed
 * PageOffline with the device in page->private, and counted in
 * NR_BALLOON_PAGES and the balloon_inflate event.  balloon_page_dequeue()
 * takes one off again (balloon_deflate); the driver then frees it (its
 * one reference), PageOffline going with the free.
 *
 *   b_dev_info->nr_pages == length of b_dev_info->pages
 *   every page on it: PageOffline, refcount 1, private == b_dev_info
 *
 * Migration of balloon pages (compaction moving one, the driver telling
 * the host about the swap, balloon_migrate counted) belongs to the
 * migration work: balloon_page_migrate() is its entry and calls the
 * driver's ->migratepage() hook; nothing in foliage calls it yet.
 */
#ifndef _FOLIAGE_LINUX_BALLOON_COMPACTION_H
#define _FOLIAGE_LINUX_BALLOON_COMPACTION_H

#include <linux/list.h>
#include <linux/spinlock.h>

struct page;

struct balloon_dev_info {
	unsigned long nr_pages;		/* pages on the list */
	unsigned long isolated_pages;	/* taken off for migration */
	spinlock_t pages_lock;		/* protects the two and the list */
	struct list_head pages;		/* the balloon's pages */
	/* Migration hook: move @page's role to @newpage, telling the host. */
	int (*migratepage)(struct balloon_dev_info *b_dev_info,
			   struct page *newpage, struct page *page);
};

void balloon_devinfo_init(struct balloon_dev_info *b_dev_info);
/* A page for the balloon, or NULL: it never retries, never OOMs. */
struct page *balloon_page_alloc(void);
void balloon_page_enqueue(struct balloon_dev_info *b_dev_info,
			  struct page *page);
/* The page inflated last, off the balloon's list, or NULL if none. */
struct page *balloon_page_dequeue(struct balloon_dev_info *b_dev_info);
/*
 * Migration's entry (the migration work calls it): @page, isolated from
 * the balloon, is replaced by @newpage through the driver's hook.
 */
int balloon_page_migrate(struct page *newpage, struct page *page);

#endif /* _FOLIAGE_LINUX_BALLOON_COMPACTION_H */
