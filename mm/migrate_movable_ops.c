// SPDX-License-Identifier: GPL-2.0
/*
 * movable_ops pages (linux/migrate.h): pages off the LRU that their owner
 * moves for the migration code, balloon pages in foliage.  Linux 6.18
 * isolates them in isolate_migratepages_block() (compaction and
 * alloc_contig_range()) with isolate_movable_ops_page(), and migrate_pages()
 * hands each to its owner's ->migrate_page() in the move step, after
 * locking source and destination: no mapping to unmap, nothing to copy
 * (they are excluded from the copy offload too).  foliage has the same
 * steps, but in a loop of their own, one page at a time, for
 * alloc_contig_range() (mm/migrate.c), rather than inside the batches.
 */
#include "internal.h"
#include <linux/mm.h>
#include <linux/migrate.h>
#include <linux/balloon_compaction.h>

const struct movable_operations *page_movable_ops(struct page *page)
{
	/* PageOffline with its balloon in ->private: a balloon page. */
	if (PageOffline(page) && READ_ONCE(page->private))
		return &balloon_mops;
	return NULL;
}

bool isolate_movable_ops_page(struct page *page, struct list_head *list)
{
	const struct movable_operations *mops = page_movable_ops(page);
	struct folio *folio = page_folio(page);
	bool isolated;

	/* The owner's page: never sleep on its lock (Linux's trylock). */
	if (!mops || !folio_trylock(folio))
		return false;
	isolated = page_movable_ops(page) == mops && mops->isolate_page(page);
	folio_unlock(folio);
	if (isolated)
		list_add_tail(&page->lru, list);
	return isolated;
}

void putback_movable_ops_pages(struct list_head *pages)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, pages, lru) {
		const struct movable_operations *mops = page_movable_ops(page);

		list_del_init(&page->lru);
		folio_lock(page_folio(page));
		mops->putback_page(page);
		folio_unlock(page_folio(page));
	}
}

/*
 * Move @src's role to a new page: locked both, as migrate_folio_move()
 * calls the owner.  0, -EAGAIN (again later), -ENOMEM (no destination).
 */
static int migrate_one_movable_ops(struct page *src, new_folio_t get_new_folio,
				   unsigned long private, enum migrate_mode mode)
{
	const struct movable_operations *mops = page_movable_ops(src);
	struct folio *folio = page_folio(src), *dst;
	int rc;

	dst = get_new_folio(folio, private);
	if (!dst)
		return -ENOMEM;
	folio_lock(folio);
	if (!folio_trylock(dst)) {
		/* A new page nobody else knows yet: cannot happen. */
		folio_unlock(folio);
		folio_put(dst);
		return -EAGAIN;
	}
	rc = mops ? mops->migrate_page(&dst->page, src, mode) : -EAGAIN;
	folio_unlock(dst);
	folio_unlock(folio);
	/* The owner took its own reference on @dst; ours goes. */
	folio_put(dst);
	if (rc)
		return rc;
	/*
	 * The isolation's reference is the last: the page is free again,
	 * known zero if its owner said so (a balloon page the host
	 * discarded keeps PG_zeroed: the seed's hint).
	 */
	if (PageZeroed(src)) {
		__ClearPageZeroed(src);
		put_page_zeroed(src);
	} else {
		put_page(src);
	}
	return 0;
}

int migrate_movable_ops_pages(struct list_head *pages,
			      new_folio_t get_new_folio, unsigned long private,
			      enum migrate_mode mode)
{
	unsigned long succeeded = 0, failed = 0;
	struct page *page, *next;
	int pass, rc, ret = 0;

	for (pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY &&
	     !list_empty(pages) && !ret; pass++) {
		list_for_each_entry_safe(page, next, pages, lru) {
			list_del_init(&page->lru);
			rc = migrate_one_movable_ops(page, get_new_folio,
						     private, mode);
			if (!rc) {
				succeeded++;
				continue;
			}
			/* Back in its place, for the next pass or putback. */
			list_add_tail(&page->lru, &next->lru);
			if (rc == -ENOMEM) {
				ret = -ENOMEM;
				break;
			}
		}
	}
	list_for_each_entry(page, pages, lru)
		failed++;
	putback_movable_ops_pages(pages);
	count_vm_events(PGMIGRATE_SUCCESS, succeeded);
	count_vm_events(PGMIGRATE_FAIL, failed);
	return ret ?: failed ? -EBUSY : 0;
}
