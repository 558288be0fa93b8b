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
 * Migration (Linux's movable_operations of balloon pages): the migration
 * code isolates a balloon page (balloon_page_isolate(): off the list, a
 * reference taken, the caller's), then either puts it back
 * (balloon_page_putback()) or calls balloon_page_migrate(newpage, page),
 * which runs the driver's ->migratepage(): the driver inflates @newpage
 * (balloon_page_replace() puts it on the list with the balloon's own
 * reference, counts balloon_migrate), tells its host, and drops the
 * balloon's reference to @page, the caller's being the last; a @page
 * still PG_zeroed is known zero, and its last put is put_page_zeroed()
 * (the seed: migration keeps the hint).  The migration code reaches
 * these through balloon_mops, the balloon pages' movable_ops
 * (linux/migrate.h): alloc_contig_range() moves the balloon pages of its
 * range so (mm/migrate_movable_ops.c); compaction does not yet.
 */
#ifndef _FOLIAGE_LINUX_BALLOON_COMPACTION_H
#define _FOLIAGE_LINUX_BALLOON_COMPACTION_H

#include <linux/list.h>
#include <linux/spinlock.h>

struct page;
struct movable_operations;

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
/* Take a balloon page off its list for migration; false if it cannot. */
bool balloon_page_isolate(struct page *page);
/* Migration gave up: back on the list, the isolation reference dropped. */
void balloon_page_putback(struct page *page);
/*
 * Migration's entry: @page, isolated, is replaced by @newpage (its
 * caller's reference kept) through the driver's hook; 0 or -EAGAIN.
 */
int balloon_page_migrate(struct page *newpage, struct page *page);
/*
 * Drivers' ->migratepage(): @newpage joins the balloon in @page's place
 * (which must be isolated).  Caller holds the driver's balloon lock.
 */
void balloon_page_replace(struct balloon_dev_info *b_dev_info,
			  struct page *newpage, struct page *page);
/* Balloon pages' movable_operations (Linux's balloon_mops). */
extern const struct movable_operations balloon_mops;

#endif /* _FOLIAGE_LINUX_BALLOON_COMPACTION_H */
