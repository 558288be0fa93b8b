// SPDX-License-Identifier: GPL-2.0
/*
 * Balloon pages: the list a balloon driver keeps of the pages it lent to
 * its host (include/linux/balloon_compaction.h).
 */
#include <errno.h>

#include <linux/balloon_compaction.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/migrate.h>
#include <linux/vmstat.h>

void balloon_devinfo_init(struct balloon_dev_info *b_dev_info)
{
	b_dev_info->nr_pages = 0;
	b_dev_info->isolated_pages = 0;
	spin_lock_init(&b_dev_info->pages_lock);
	INIT_LIST_HEAD(&b_dev_info->pages);
	b_dev_info->migratepage = NULL;
}

struct page *balloon_page_alloc(void)
{
	/* Linux's balloon_mapping_gfp_mask() with compaction: movable. */
	return alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOMEMALLOC |
			   __GFP_NORETRY | __GFP_NOWARN, 0);
}

/* Caller holds b_dev_info->pages_lock. */
static void balloon_page_insert(struct balloon_dev_info *b_dev_info,
				struct page *page)
{
	__SetPageOffline(page);
	page->private = (unsigned long)b_dev_info;
	list_add(&page->lru, &b_dev_info->pages);
	b_dev_info->nr_pages++;
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_BALLOON_PAGES, 1);
}

/* Caller holds b_dev_info->pages_lock. */
static void balloon_page_delete(struct balloon_dev_info *b_dev_info,
				struct page *page)
{
	list_del_init(&page->lru);
	page->private = 0;
	b_dev_info->nr_pages--;
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_BALLOON_PAGES, -1);
	/* PageOffline stays until the free, as Linux's balloon_page_finalize. */
}

void balloon_page_enqueue(struct balloon_dev_info *b_dev_info,
			  struct page *page)
{
	VM_BUG_ON(page_ref_count(page) != 1);
	spin_lock(&b_dev_info->pages_lock);
	balloon_page_insert(b_dev_info, page);
	spin_unlock(&b_dev_info->pages_lock);
	count_vm_event(BALLOON_INFLATE);
}

struct page *balloon_page_dequeue(struct balloon_dev_info *b_dev_info)
{
	struct page *page = NULL;

	spin_lock(&b_dev_info->pages_lock);
	if (!list_empty(&b_dev_info->pages)) {
		/* As Linux: from the head, the page inflated last. */
		page = list_first_entry(&b_dev_info->pages, struct page, lru);
		balloon_page_delete(b_dev_info, page);
	}
	spin_unlock(&b_dev_info->pages_lock);
	if (page)
		count_vm_event(BALLOON_DEFLATE);
	return page;
}

bool balloon_page_isolate(struct page *page)
{
	struct balloon_dev_info *b_dev_info = (void *)page->private;
	bool isolated = false;

	if (!PageOffline(page) || !b_dev_info)
		return false;
	spin_lock(&b_dev_info->pages_lock);
	/* Still on the list (not dequeued or isolated meanwhile)? */
	if (page->private == (unsigned long)b_dev_info &&
	    !list_empty(&page->lru) && b_dev_info->migratepage) {
		list_del_init(&page->lru);
		b_dev_info->isolated_pages++;
		page_ref_inc(page);
		isolated = true;
	}
	spin_unlock(&b_dev_info->pages_lock);
	return isolated;
}

void balloon_page_putback(struct page *page)
{
	struct balloon_dev_info *b_dev_info = (void *)page->private;

	spin_lock(&b_dev_info->pages_lock);
	list_add(&page->lru, &b_dev_info->pages);
	b_dev_info->isolated_pages--;
	spin_unlock(&b_dev_info->pages_lock);
	put_page(page);
}

void balloon_page_replace(struct balloon_dev_info *b_dev_info,
			  struct page *newpage, struct page *page)
{
	page_ref_inc(newpage);		/* the balloon's reference */
	spin_lock(&b_dev_info->pages_lock);
	balloon_page_insert(b_dev_info, newpage);
	b_dev_info->isolated_pages--;
	/* @page was off the list already: only its accounting goes. */
	b_dev_info->nr_pages--;
	mod_node_page_state(NODE_DATA(page_to_nid(page)), NR_BALLOON_PAGES,
			    -1);
	page->private = 0;
	spin_unlock(&b_dev_info->pages_lock);
	count_vm_event(BALLOON_MIGRATE);
}

int balloon_page_migrate(struct page *newpage, struct page *page)
{
	struct balloon_dev_info *b_dev_info = (void *)page->private;

	if (!PageOffline(page) || !b_dev_info || !b_dev_info->migratepage)
		return -EAGAIN;
	return b_dev_info->migratepage(b_dev_info, newpage, page);
}

static int balloon_page_migrate_mops(struct page *dst, struct page *src,
				     enum migrate_mode mode)
{
	return balloon_page_migrate(dst, src);
}

const struct movable_operations balloon_mops = {
	.isolate_page = balloon_page_isolate,
	.migrate_page = balloon_page_migrate_mops,
	.putback_page = balloon_page_putback,
};
