/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page migration (mm/migrate.c), Linux 6.18's migrate_pages() with the
 * batch copy of "Accelerate page migration with batch copying and
 * hardware offload" (v6): what moves a folio's contents and mappings from
 * one page frame (usually on one NUMA node) to another while its users
 * keep running.
 *
 * The promise: a folio on the @from list of migrate_pages() is isolated
 * (off the LRU, one extra reference, counted in NR_ISOLATED_*); it comes
 * out either migrated (its mappings, page-cache slot, flags and contents
 * now belong to a new folio from get_new_folio(), the old one freed) or
 * back on @from with nothing changed.  While it moves, every PTE that
 * mapped it is a migration entry and a fault on one sleeps until the
 * folio is unlocked (migration_entry_wait()).
 *
 * The order inside one batch (migrate_pages_batch()):
 *
 *   unmap all  --> one TLB flush --> offload copy --> move --> undo
 *   (migration     (try_to_unmap_    (the migrator's   (CPU copy of
 *    entries)       flush())          marks)            the rest)
 *
 * Glossary:
 *   batch		at least NR_MAX_BATCHED_MIGRATION base pages (the folio
 *			that crosses the limit is included), or what is left
 *   dst->private	while a folio is between unmap and move: the source's
 *			anon_vma | PAGE_WAS_MAPPED | PAGE_WAS_MLOCKED, and
 *			FOLIO_CONTENT_COPIED once a migrator copied it
 *   expected refs	folio_expected_ref_count(src) + 1 (the isolation
 *			reference): anything more is a user, -EAGAIN
 */
#ifndef _FOLIAGE_LINUX_MIGRATE_H
#define _FOLIAGE_LINUX_MIGRATE_H

#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/migrate_mode.h>

enum migrate_mode {
	MIGRATE_ASYNC,			/* never block: trylock, batched flush */
	MIGRATE_SYNC_LIGHT,		/* may block, but not on writeback */
	MIGRATE_SYNC,			/* may block */
};

/* enum migrate_reason and migrate_reason_names[]: linux/migrate_mode.h. */
extern const char *const migrate_mode_names[MIGRATE_SYNC + 1];

#define NR_MAX_BATCHED_MIGRATION	512
#define NR_MAX_MIGRATE_PAGES_RETRY	10
#define NR_MAX_MIGRATE_ASYNC_RETRY	3
#define NR_MAX_MIGRATE_SYNC_RETRY \
	(NR_MAX_MIGRATE_PAGES_RETRY - NR_MAX_MIGRATE_ASYNC_RETRY)

/* Allocate the destination of @src (NULL: -ENOMEM), and give one back. */
typedef struct folio *new_folio_t(struct folio *src, unsigned long private);
typedef void free_folio_t(struct folio *dst, unsigned long private);

/* alloc_migration_target()'s @private. */
struct migration_target_control {
	int nid;			/* preferred node, or NUMA_NO_NODE */
	nodemask_t *nmask;		/* allowed nodes, or NULL: any */
	gfp_t gfp_mask;			/* allocation flags */
	enum migrate_reason reason;	/* why */
};
/* A folio of @src's order on mtc->nid (or @src's node). */
struct folio *alloc_migration_target(struct folio *src, unsigned long private);

/*
 * Migrate the isolated folios on @from (linked by ->lru): hugetlb folios
 * first, one at a time; the rest in batches of at least
 * NR_MAX_BATCHED_MIGRATION base pages; MIGRATE_ASYNC: each batch with
 * NR_MAX_MIGRATE_PAGES_RETRY passes; otherwise one async batch of
 * NR_MAX_MIGRATE_ASYNC_RETRY passes, then what failed one at a time in
 * @mode with NR_MAX_MIGRATE_SYNC_RETRY passes.  A large folio that cannot
 * move whole is split and its pieces tried once more.
 *
 * Returns the number of folios (a split large folio counting as one) not
 * migrated, or -errno (-ENOMEM: no destination); what was not migrated is
 * back on @from for putback_movable_pages().  *@nr_succeeded: base pages
 * migrated.  Counts pgmigrate_success/fail, thp_migration_success/fail/
 * split; traces mm_migrate_pages_start and mm_migrate_pages.  Caller holds
 * no folio lock; outside MIGRATE_ASYNC it may sleep (folio lock).
 */
int migrate_pages(struct list_head *from, new_folio_t get_new_folio,
		  free_folio_t put_new_folio, unsigned long private,
		  enum migrate_mode mode, enum migrate_reason reason,
		  unsigned int *nr_succeeded);

/*
 * Isolate @folio for migration: off the LRU onto @list with one more
 * reference, counted in NR_ISOLATED_ANON/FILE.  False if it is not on
 * the LRU (already isolated, or being freed).
 */
bool isolate_folio_to_list(struct folio *folio, struct list_head *list);
/* Nodes with memory (node_states[N_MEMORY]); no cpusets: all allowed. */
nodemask_t node_states_memory(void);
/* Put every folio of @l back on the LRU, dropping the isolation ref. */
void putback_movable_pages(struct list_head *l);

/*
 * movable_ops pages (Linux's struct movable_operations,
 * mm/migrate_movable_ops.c): pages off the LRU that their owner can move
 * for the migration code; in foliage, balloon pages.  The migration code
 * isolates one (isolate_movable_ops_page(): the owner takes it off its
 * list, with a reference for the isolation), then asks the owner to move
 * its role to a new page (->migrate_page(): 0, or -EAGAIN to try again),
 * or gives it back (->putback_page(), the reference dropped).  The page's
 * contents are the owner's business: nothing is copied.
 */
struct movable_operations {
	/* Take @page off the owner's list; false if it cannot move now. */
	bool (*isolate_page)(struct page *page);
	/* @dst takes isolated @src's place; 0 or -EAGAIN. */
	int (*migrate_page)(struct page *dst, struct page *src,
			    enum migrate_mode mode);
	/* Migration gave up: @src back to its owner. */
	void (*putback_page)(struct page *page);
};
/* The movable_ops of @page (referenced by the caller), or NULL. */
const struct movable_operations *page_movable_ops(struct page *page);
/*
 * Isolate movable_ops @page (referenced by the caller) onto @list (by
 * page->lru): its folio lock taken meanwhile, as Linux; false if its
 * owner would not (already isolated, or going away).
 */
bool isolate_movable_ops_page(struct page *page, struct list_head *list);
/*
 * Migrate the isolated movable_ops pages of @pages, one at a time, each
 * to a page from @get_new_folio(@private) (order 0), in up to
 * NR_MAX_MIGRATE_PAGES_RETRY passes (Linux's async then sync passes of a
 * batch); what did not move goes back to its owner.  A source that moved
 * is freed with the isolation reference, known zero if still PG_zeroed.
 * Counts pgmigrate_success and pgmigrate_fail.  0, -ENOMEM (no
 * destination), or -EBUSY if some did not move.  @pages is empty after.
 */
int migrate_movable_ops_pages(struct list_head *pages,
			      new_folio_t get_new_folio, unsigned long private,
			      enum migrate_mode mode);
/* Give every isolated page of @pages back to its owner. */
void putback_movable_ops_pages(struct list_head *pages);

/*
 * alloc_contig_range()'s first step: the movable (LRU) folios of pfns
 * [@start, @end), and its movable_ops (balloon) pages through their
 * owner, migrate elsewhere on their node (MR_CONTIG_RANGE), so
 * that the range can become free.  0, or -EBUSY if a page in use cannot
 * move (nothing is migrated then) or some did not, -ENOMEM.  Caller
 * holds no zone lock; the range is not isolated meanwhile, so it may be
 * taken again before the caller claims it.
 */
int alloc_contig_migrate_range(unsigned long start, unsigned long end);

/*
 * Thread-local batched TLB flush (Linux's current->tlb_ubc): with
 * TTU_BATCH_FLUSH try_to_migrate() clears PTEs without flushing and
 * records the mm; try_to_unmap_flush() then flushes once for all of them.
 */
void try_to_unmap_flush(void);

/* ---- copy offload (the series' v6): the interface with a migrator ---- */

/*
 * The old-page state kept in dst->private between unmap and move, and the
 * migrator's mark.  The low bits of an anon_vma pointer are free (slab
 * objects are 8-byte aligned).
 */
#define PAGE_WAS_MAPPED		0x1UL	/* src had mappings: remap dst */
#define PAGE_WAS_MLOCKED	0x2UL	/* src was mlocked */
#define FOLIO_CONTENT_COPIED	0x4UL	/* a migrator copied src into dst */
#define PAGE_OLD_STATES		(PAGE_WAS_MAPPED | PAGE_WAS_MLOCKED | \
				 FOLIO_CONTENT_COPIED)

/* A migrator copied this destination's contents (any thread). */
static inline void folio_mark_content_copied(struct folio *dst)
{
	__atomic_fetch_or((unsigned long *)&dst->private,
			  FOLIO_CONTENT_COPIED, __ATOMIC_RELEASE);
}

static inline bool folio_test_content_copied(const struct folio *dst)
{
	return __atomic_load_n((const unsigned long *)&dst->private,
			       __ATOMIC_ACQUIRE) & FOLIO_CONTENT_COPIED;
}

/*
 * Consume the mark (the move step): a retry after -EAGAIN finds it gone
 * and copies again.  Caller holds the dst folio lock.
 */
static inline bool folio_test_clear_content_copied(struct folio *dst)
{
	return __atomic_fetch_and((unsigned long *)&dst->private,
				  ~FOLIO_CONTENT_COPIED, __ATOMIC_ACQUIRE) &
	       FOLIO_CONTENT_COPIED;
}

/*
 * The hook migrate_pages_batch() calls after the batch's flush with the
 * @nr eligible folios (the refcount is the expected one; no movable_ops
 * page), @src_folios and @dst_folios in the same order, linked by ->lru.
 * The registered migrator (include/linux/migrate_offload.h,
 * mm/migrate_copy_offload.c) marks each destination it copied with
 * folio_mark_content_copied() and returns 0; -ENODEV when no migrator is
 * registered or @reason is not in its mask; any error means the CPU copies
 * whatever is unmarked.  The lists must come back as they were given.
 */
int migrate_offload_copy(struct list_head *dst_folios,
			 struct list_head *src_folios, int nr,
			 enum migrate_reason reason);

/*
 * Counters of the batch machinery (machine->migrate), for tests and the
 * benchmark: Linux has no such counters, but what they count is its
 * behaviour.  All only grow.
 */
struct migrate_stats {
	atomic_long_t nr_batches;	/* migrate_pages_batch() calls */
	atomic_long_t nr_batch_flushes;	/* their try_to_unmap_flush()es that
					 * flushed something */
	atomic_long_t nr_cpu_copies;	/* folios the CPU copied */
	atomic_long_t nr_offload_copies; /* folios a migrator copied */
	atomic_long_t nr_offload_calls;	/* migrate_offload_copy() calls */
};

#endif /* _FOLIAGE_LINUX_MIGRATE_H */
