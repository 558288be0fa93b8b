// SPDX-License-Identifier: GPL-2.0
/*
 * Page migration (Linux 6.18's mm/migrate.c, written anew; the interface
 * and its promises are in include/linux/migrate.h).
 *
 *   migrate_pages()		hugetlb folios one at a time, then batches
 *     migrate_pages_batch()	of >= NR_MAX_BATCHED_MIGRATION base pages:
 *	 migrate_folio_unmap()	  destination, locks, migration entries
 *	 try_to_unmap_flush()	  one TLB flush for the batch
 *	 migrate_offload_copy()	  the registered migrator copies what it can
 *	 migrate_folio_move()	  refcount check, CPU copy of the unmarked,
 *				  page-cache slot, flags, remove_migration_ptes()
 *	 migrate_folios_undo()	  what could not move goes back as it was
 *   remove_migration_ptes()	migration entries back into PTEs (also the
 *				end of a folio split, mm/huge_memory.c)
 *   migration_entry_wait()	a fault on an entry sleeps until the folio
 *				is unlocked
 *   move_pages(2)		foliage_move_pages(): per-page status, batches
 *				by target node
 *
 * With RMP_USE_SHARED_ZEROPAGE (splits only) an order-0 anon page that
 * holds only zeroes is not mapped back but replaced by the shared zero
 * page, leaving the task's RSS (Linux's try_to_map_unused_to_zeropage()).
 */
#include <string.h>

#include "internal.h"
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/pgtable.h>
#include <asm-generic/tlb.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <linux/rmap.h>
#include <linux/migrate.h>
#include <linux/copy_nocache.h>
#include <linux/hugetlb.h>
#include <linux/machine_subsys.h>
#include <trace/events.h>
#include <linux/err.h>
#include <foliage/foliage.h>
#include "task.h"

/*
 * The page at @pvmw (a migration entry for @folio's page @idx) is all
 * zeroes: map the zero page instead.  True if it did.  Caller holds the
 * PTL and the folio lock.
 */
static bool try_to_map_unused_to_zeropage(struct page_vma_mapped_walk *pvmw,
					  struct folio *folio,
					  unsigned long idx)
{
	struct vm_area_struct *vma = pvmw->vma;
	struct page *page = folio_page(folio, idx);
	pte_t old_pte = ptep_get(pvmw->pte);
	pte_t newpte;

	/* Only the order-0 folios a split to order 0 leaves. */
	if (folio_test_large(folio))
		return false;
	VM_WARN_ON(!folio_test_anon(folio));
	VM_WARN_ON(!folio_test_locked(folio));
	VM_WARN_ON(pte_present(old_pte));
	if (folio_test_mlocked(folio) || (vma->vm_flags & VM_LOCKED))
		return false;
	if (memchr_inv_zero(page_address(page), PAGE_SIZE))
		return false;

	newpte = pte_mkspecial(pfn_pte(this_machine->zero_pfn,
				       vma->vm_page_prot));
	if (pte_swp_soft_dirty(old_pte))
		newpte = pte_mksoft_dirty(newpte);
	if (pte_swp_uffd_wp(old_pte))
		newpte = pte_mkuffd_wp(newpte);
	set_pte(pvmw->pte, newpte);
	dec_mm_counter(vma->vm_mm, MM_ANONPAGES);
	return true;
}

struct rmap_walk_arg {
	struct folio *folio;		/* the folio the entries stand for */
	bool map_unused_to_zeropage;	/* RMP_USE_SHARED_ZEROPAGE */
};

static bool remove_migration_pte(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long addr, void *arg)
{
	struct rmap_walk_arg *rarg = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, rarg->folio, vma, addr, PVMW_MIGRATION);

	while (page_vma_mapped_walk(&pvmw)) {
		rmap_t rmap_flags = RMAP_NONE;
		unsigned long idx = 0;
		struct page *new;
		swp_entry_t entry;
		pte_t old_pte, pte;

		if (PageHugetlb(&folio->page)) {
			/* Its one huge entry (PMD or PUD), the whole folio. */
			hugetlb_remove_migration_entry(&pvmw, folio);
			continue;
		}
		if (folio_test_large(folio))
			idx = linear_page_index(vma, pvmw.address) - pvmw.pgoff;
		new = folio_page(folio, idx);
		if (!pvmw.pte) {
			/* A PMD migration entry: the whole folio, by PMD. */
			remove_migration_pmd(&pvmw, new);
			continue;
		}
		if (rarg->map_unused_to_zeropage &&
		    try_to_map_unused_to_zeropage(&pvmw, folio, idx))
			continue;

		folio_get(folio);
		old_pte = ptep_get(pvmw.pte);
		entry = pte_to_swp_entry(old_pte);
		pte = mk_pte(new, vma->vm_page_prot);
		pte = is_migration_entry_young(entry) ? pte_mkyoung(pte) :
							pte_mkold(pte);
		if (folio_test_dirty(folio) && is_migration_entry_dirty(entry))
			pte = pte_mkdirty(pte);
		if (pte_swp_soft_dirty(old_pte))
			pte = pte_mksoft_dirty(pte);
		else
			pte = pte_clear_soft_dirty(pte);
		if (is_writable_migration_entry(entry))
			pte = pte_mkwrite(pte);
		else if (pte_swp_uffd_wp(old_pte))
			pte = pte_mkuffd_wp(pte);

		if (folio_test_anon(folio)) {
			/* A read entry came from a shared page. */
			if (is_writable_migration_entry(entry) ||
			    is_readable_exclusive_migration_entry(entry))
				rmap_flags |= RMAP_EXCLUSIVE;
			folio_add_anon_rmap_pte(folio, new, vma, pvmw.address,
						rmap_flags);
		} else {
			folio_add_file_rmap_pte(folio, new, vma);
		}
		/* Was not present: nothing to flush. */
		set_pte(pvmw.pte, pte);
		trace_remove_migration_pte(pvmw.address, pte_val(pte),
					   idx ? 0 : folio_order(folio));
	}
	return true;
}

void remove_migration_ptes(struct folio *src, struct folio *dst, int flags)
{
	struct rmap_walk_arg rarg = {
		.folio = src,
		.map_unused_to_zeropage = flags & RMP_USE_SHARED_ZEROPAGE,
	};
	struct rmap_walk_control rwc = {
		.rmap_one = remove_migration_pte,
		.arg = &rarg,
	};

	VM_WARN_ON((flags & RMP_USE_SHARED_ZEROPAGE) && src != dst);
	if (flags & RMP_LOCKED)
		rmap_walk_locked(dst, &rwc);
	else
		rmap_walk(dst, &rwc);
}

/*
 * A fault met a migration entry: while a folio is under migration it is
 * locked and every PTE that mapped it is a migration entry.  Sleep until
 * the migration unlocks the folio (migration_entry_wait_on_locked(),
 * mm/filemap.c), then return: the access or GUP retries and finds the PTE
 * that replaced the entry (the migration drops the folio lock only after
 * remove_migration_ptes()).
 */
void migration_entry_wait(struct mm_struct *mm, pmd_t *pmd,
			  unsigned long address)
{
	spinlock_t *ptl;
	pte_t *ptep;
	pte_t pte;
	swp_entry_t entry;

	ptep = pte_offset_map_lock(mm, pmd, address, &ptl);
	if (!ptep)
		return;
	pte = ptep_get(ptep);
	if (!is_swap_pte(pte))
		goto out;
	entry = pte_to_swp_entry(pte);
	if (!is_migration_entry(entry))
		goto out;
	/* Drops ptl once queued on the folio's wait queue. */
	migration_entry_wait_on_locked(entry, ptl);
	return;
out:
	spin_unlock(ptl);
}

/* ---- names, counters ---------------------------------------------------- */

const char *const migrate_reason_names[MR_TYPES] = {
	[MR_COMPACTION] = "compaction",
	[MR_MEMORY_FAILURE] = "memory_failure",
	[MR_MEMORY_HOTPLUG] = "memory_hotplug",
	[MR_SYSCALL] = "syscall_or_cpuset",
	[MR_MEMPOLICY_MBIND] = "mempolicy_mbind",
	[MR_NUMA_MISPLACED] = "numa_misplaced",
	[MR_CONTIG_RANGE] = "contig_range",
	[MR_LONGTERM_PIN] = "longterm_pin",
	[MR_DEMOTION] = "demotion",
	[MR_DAMON] = "damon",
};

const char *const migrate_mode_names[MIGRATE_SYNC + 1] = {
	[MIGRATE_ASYNC] = "MIGRATE_ASYNC",
	[MIGRATE_SYNC_LIGHT] = "MIGRATE_SYNC_LIGHT",
	[MIGRATE_SYNC] = "MIGRATE_SYNC",
};

const struct machine_subsys migrate_subsys = {
	.name = "migrate",
	MACHINE_SUBSYS_STATE(migrate),
};

static void migrate_stat_add(atomic_long_t *counter, long nr)
{
	atomic_long_add(nr, counter);
}

#define migrate_stat(field)	(&this_machine->migrate->field)

/* ---- isolation ---------------------------------------------------------- */

static void node_stat_mod_isolated(struct folio *folio, long nr)
{
	mod_node_page_state(NODE_DATA(folio_nid(folio)),
			    folio_test_swapbacked(folio) ? NR_ISOLATED_ANON :
							   NR_ISOLATED_FILE,
			    nr);
}

bool isolate_folio_to_list(struct folio *folio, struct list_head *list)
{
	/* hugetlb folios: not on the LRU, not counted as isolated. */
	if (PageHugetlb(&folio->page))
		return isolate_hugetlb(folio, list);
	if (!folio_isolate_lru(folio))
		return false;
	list_add_tail(&folio->lru, list);
	node_stat_mod_isolated(folio, folio_nr_pages(folio));
	return true;
}

void putback_movable_pages(struct list_head *l)
{
	struct folio *folio, *next;

	list_for_each_entry_safe(folio, next, l, lru) {
		if (PageHugetlb(&folio->page)) {
			folio_putback_hugetlb(folio);
			continue;
		}
		list_del(&folio->lru);
		node_stat_mod_isolated(folio, -(long)folio_nr_pages(folio));
		folio_putback_lru(folio);
	}
}

/* ---- the move of one folio ---------------------------------------------- */

/*
 * References a folio has besides its users' (Linux's
 * folio_expected_ref_count()): its mappings, and the page cache's one per
 * page.  foliage has no swap cache and no buffer heads.
 */
static int folio_expected_ref_count(struct folio *folio)
{
	int ref = 0;

	if (!folio_test_anon(folio) && folio->mapping)
		ref += folio_nr_pages(folio);
	if (!PageHugetlb(&folio->page))
		ref += folio_mapcount(folio);
	return ref;
}

/* The migrator may copy @src: only the references migration expects. */
static bool folio_offload_eligible(struct folio *src)
{
	return folio_ref_count(src) == folio_expected_ref_count(src) + 1;
}

static void folio_copy(struct folio *dst, struct folio *src)
{
	memcpy_nocache(folio_address(dst), folio_address(src),
		       folio_size(src));
	migrate_stat_add(migrate_stat(nr_cpu_copies), 1);
}

/*
 * The folio's state moves to @dst (folio_migrate_flags()): LRU placement
 * hints, dirty (a clean lazily-freed folio stays clean and discardable),
 * swap-backedness and mlock; @src keeps nothing that a free would reject.
 */
static void folio_migrate_flags(struct folio *dst, struct folio *src)
{
	if (folio_test_referenced(src))
		folio_set_referenced(dst);
	if (folio_test_uptodate(src))
		folio_mark_uptodate(dst);
	if (folio_test_clear_active(src))
		folio_set_active(dst);
	else if (folio_test_clear_unevictable(src))
		folio_set_unevictable(dst);
	if (folio_test_workingset(src))
		folio_set_workingset(dst);
	if (folio_test_clear_mlocked(src))
		folio_set_mlocked(dst);
	if (folio_test_clear_dirty(src))
		folio_set_dirty(dst);
}

/*
 * The page-cache slot or anon identity moves from @src to @dst
 * (__folio_migrate_mapping()).  A page-cache folio's references are frozen
 * while its slot changes, so that a lookup either finds @src before or
 * @dst after; -EAGAIN if someone else holds @src.
 */
static int __folio_migrate_mapping(struct folio *dst, struct folio *src,
				   int expected)
{
	struct address_space *mapping = src->mapping;
	long nr = folio_nr_pages(src);

	if (folio_test_anon(src) || !mapping) {
		if (folio_ref_count(src) != expected)
			return -EAGAIN;
		/* Off the deferred split queue while frozen. */
		if (folio_test_large(src) && folio_test_anon(src)) {
			if (atomic_cmpxchg(&src->_refcount, expected, 0) !=
			    expected)
				return -EAGAIN;
			folio_unqueue_deferred_split(src);
			atomic_set(&src->_refcount, expected);
		}
		dst->index = src->index;
		dst->mapping = src->mapping;
		if (folio_test_swapbacked(src))
			__folio_set_swapbacked(dst);
		if (folio_test_anon(src) && folio_test_large(src))
			mod_mthp_stat(folio_order(src), MTHP_STAT_NR_ANON, 1);
		return 0;
	}

	spin_lock(&mapping->i_lock);
	if (mapping->i_pages[src->index] != src ||
	    atomic_cmpxchg(&src->_refcount, expected, 0) != expected) {
		spin_unlock(&mapping->i_lock);
		return -EAGAIN;
	}
	dst->index = src->index;
	dst->mapping = mapping;
	if (folio_test_swapbacked(src))
		__folio_set_swapbacked(dst);
	folio_ref_add(dst, nr);
	WRITE_ONCE(mapping->i_pages[src->index], dst);
	/* The cache's references went to @dst: the rest come back. */
	atomic_set(&src->_refcount, expected - nr);
	mod_node_page_state(NODE_DATA(folio_nid(src)), NR_FILE_PAGES, -nr);
	mod_node_page_state(NODE_DATA(folio_nid(dst)), NR_FILE_PAGES, nr);
	if (folio_test_swapbacked(src)) {
		mod_node_page_state(NODE_DATA(folio_nid(src)), NR_SHMEM, -nr);
		mod_node_page_state(NODE_DATA(folio_nid(dst)), NR_SHMEM, nr);
	}
	spin_unlock(&mapping->i_lock);
	return 0;
}

/*
 * Move @src's contents, identity and flags to @dst (__migrate_folio() and
 * move_to_new_folio()).  @copied: a migrator already copied the contents
 * (its mark, consumed by the caller).  -EAGAIN when @src has a reference
 * migration does not expect (a GUP pin, a racing lookup): the caller
 * retries, and a retry copies again.  Caller holds both folio locks;
 * @src is unmapped.
 */
static int move_to_new_folio(struct folio *dst, struct folio *src,
			     bool copied)
{
	int expected = folio_expected_ref_count(src) + 1;
	int rc;

	VM_WARN_ON(!folio_test_locked(src));
	VM_WARN_ON(!folio_test_locked(dst));
	if (folio_ref_count(src) != expected)
		return -EAGAIN;
	if (!copied)
		folio_copy(dst, src);
	rc = __folio_migrate_mapping(dst, src, expected);
	if (rc)
		return rc;
	folio_migrate_flags(dst, src);
	/* Anon folios keep their mapping until freed; file ones let go. */
	if (!folio_test_anon(src))
		src->mapping = NULL;
	return 0;
}

/* Remember what unmap found, in dst->private (see migrate.h). */
static void __migrate_folio_record(struct folio *dst, unsigned long state,
				   struct anon_vma *anon_vma)
{
	dst->private = (void *)((unsigned long)anon_vma | state);
}

static void __migrate_folio_extract(struct folio *dst, unsigned long *state,
				    struct anon_vma **anon_vma)
{
	unsigned long private = (unsigned long)dst->private;

	*anon_vma = (struct anon_vma *)(private & ~PAGE_OLD_STATES);
	*state = private & PAGE_OLD_STATES;
	dst->private = NULL;
}

/* @src is done with: drop the isolation reference (frees a migrated one). */
static void migrate_folio_done(struct folio *src, enum migrate_reason reason)
{
	if (!PageHugetlb(&src->page))
		node_stat_mod_isolated(src, -(long)folio_nr_pages(src));
	folio_put(src);
}

/* Restore @src: its mappings back, unlocked, onto @ret (NULL: stays). */
static void migrate_folio_undo_src(struct folio *src, bool was_mapped,
				   struct anon_vma *anon_vma, bool locked,
				   struct list_head *ret)
{
	if (was_mapped)
		remove_migration_ptes(src, src, 0);
	if (locked)
		folio_unlock(src);
	if (anon_vma)
		put_anon_vma(anon_vma);
	if (ret)
		list_move_tail(&src->lru, ret);
}

/* Give the unused destination back. */
static void migrate_folio_undo_dst(struct folio *dst, bool locked,
				   free_folio_t put_new_folio,
				   unsigned long private)
{
	if (locked)
		folio_unlock(dst);
	dst->private = NULL;
	if (put_new_folio)
		put_new_folio(dst, private);
	else
		folio_put(dst);
}

/*
 * First half of a folio's migration: a destination, both locks, and
 * migration entries for every mapping (MIGRATE_ASYNC: with the flush
 * left to the batch).  Returns 1 (MIGRATEPAGE_UNMAP: *@dstp holds the
 * state for the move), 0 if @src was freed meanwhile (done), -ENOMEM
 * without a destination, -EAGAIN to try again later, or -errno for good;
 * then @src is as before (on @ret for a permanent failure).
 */
#define MIGRATEPAGE_UNMAP	1
static int migrate_folio_unmap(new_folio_t get_new_folio,
			       free_folio_t put_new_folio,
			       unsigned long private, struct folio *src,
			       struct folio **dstp, enum migrate_mode mode,
			       enum migrate_reason reason,
			       struct list_head *ret)
{
	struct anon_vma *anon_vma = NULL;
	unsigned long state = 0;
	bool locked = false, dst_locked = false;
	struct folio *dst;
	int rc = -EAGAIN;

	if (folio_ref_count(src) == 1) {
		/* Freed under us: the isolation reference is the last. */
		folio_clear_active(src);
		folio_clear_unevictable(src);
		list_del(&src->lru);
		migrate_folio_done(src, reason);
		return 0;
	}

	dst = get_new_folio(src, private);
	if (!dst)
		return -ENOMEM;
	*dstp = dst;
	dst->private = NULL;

	if (!folio_trylock(src)) {
		if (mode == MIGRATE_ASYNC)
			goto out;
		folio_lock(src);
	}
	locked = true;
	if (folio_test_mlocked(src))
		state |= PAGE_WAS_MLOCKED;

	/*
	 * The entries keep no anon_vma alive: hold it until the move is
	 * done (the mappings may all go meanwhile).
	 */
	if (folio_test_anon(src)) {
		anon_vma = folio_get_anon_vma(src);
		/*
		 * ANON_VMA_LAZY: a lazy root is pinned through its group's
		 * anon_vma, which may have to be allocated: try again later.
		 */
		if (!anon_vma && folio_test_anon_lazy(src) &&
		    folio_mapped(src))
			goto out;
	}

	if (unlikely(!folio_trylock(dst)))
		goto out;
	dst_locked = true;

	if (!src->mapping) {
		/* An orphan: nothing maps it, nothing to unmap. */
	} else if (folio_mapped(src)) {
		VM_WARN_ON(folio_test_anon(src) && !anon_vma);
		try_to_migrate(src, mode == MIGRATE_ASYNC ? TTU_BATCH_FLUSH : 0);
		state |= PAGE_WAS_MAPPED;
	}

	if (!folio_mapped(src)) {
		__migrate_folio_record(dst, state, anon_vma);
		return MIGRATEPAGE_UNMAP;
	}
out:
	/* Not unmapped: back where it was, or retried (-EAGAIN). */
	if (rc == -EAGAIN)
		ret = NULL;
	migrate_folio_undo_src(src, state & PAGE_WAS_MAPPED, anon_vma, locked,
			       ret);
	migrate_folio_undo_dst(dst, dst_locked, put_new_folio, private);
	return rc;
}

/*
 * Second half: move @src to @dst (both locked, @src unmapped), map @dst
 * where @src was, and let @src go.  0, -EAGAIN (the state is recorded
 * again for the next pass, without the migrator's mark), or -errno
 * (undone, @src on @ret).
 */
static int migrate_folio_move(free_folio_t put_new_folio,
			      unsigned long private, struct folio *src,
			      struct folio *dst, enum migrate_mode mode,
			      enum migrate_reason reason,
			      struct list_head *ret)
{
	struct anon_vma *anon_vma;
	unsigned long state;
	struct list_head *prev;
	int rc;

	__migrate_folio_extract(dst, &state, &anon_vma);
	prev = dst->lru.prev;
	list_del(&dst->lru);

	rc = move_to_new_folio(dst, src, state & FOLIO_CONTENT_COPIED);
	if (rc)
		goto out;

	/* On the LRU before the mappings come back (mlock_count). */
	folio_add_lru(dst);
	if (state & PAGE_WAS_MAPPED)
		remove_migration_ptes(src, dst, 0);
	folio_unlock(dst);
	/* The mappings hold @dst now; the allocation's reference goes. */
	folio_put(dst);

	list_del(&src->lru);
	if (anon_vma)
		put_anon_vma(anon_vma);
	folio_unlock(src);
	migrate_folio_done(src, reason);
	return 0;
out:
	if (rc == -EAGAIN) {
		list_add(&dst->lru, prev);
		__migrate_folio_record(dst, state & ~FOLIO_CONTENT_COPIED,
				       anon_vma);
		return rc;
	}
	migrate_folio_undo_src(src, state & PAGE_WAS_MAPPED, anon_vma, true,
			       ret);
	migrate_folio_undo_dst(dst, true, put_new_folio, private);
	return rc;
}

/*
 * What is still unmapped after the move passes goes back as it was
 * (migrate_folios_undo()): mappings restored, onto @ret_folios; the
 * destinations freed.
 */
static void migrate_folios_undo(struct list_head *src_folios,
				struct list_head *dst_folios,
				free_folio_t put_new_folio,
				unsigned long private,
				struct list_head *ret_folios)
{
	struct folio *folio, *folio2, *dst, *dst2;

	dst = list_first_entry(dst_folios, struct folio, lru);
	dst2 = list_next_entry(dst, lru);
	list_for_each_entry_safe(folio, folio2, src_folios, lru) {
		struct anon_vma *anon_vma;
		unsigned long state;

		__migrate_folio_extract(dst, &state, &anon_vma);
		migrate_folio_undo_src(folio, state & PAGE_WAS_MAPPED,
				       anon_vma, true, ret_folios);
		list_del(&dst->lru);
		migrate_folio_undo_dst(dst, true, put_new_folio, private);
		dst = dst2;
		dst2 = list_next_entry(dst, lru);
	}
}

/* ---- batches ------------------------------------------------------------ */

struct migrate_pages_stats {
	int nr_succeeded;	/* base pages migrated */
	int nr_failed_pages;	/* base pages not migrated */
	int nr_thp_succeeded;	/* PMD-size folios migrated */
	int nr_thp_failed;	/* PMD-size folios not migrated */
	int nr_thp_split;	/* PMD-size folios split */
	int nr_split;		/* large folios split */
};

/* ---- hugetlb folios, one at a time ---------------------------------- */

/*
 * @src's contents, page-cache slot or anon identity and flags go to @dst
 * (move_to_new_folio() for a hugetlb folio: migrate_folio(), or
 * hugetlbfs_migrate_folio() for a file's page).  -EAGAIN if @src has a
 * reference migration does not expect.  Caller holds both folio locks;
 * @src is unmapped.
 */
static int move_to_new_hugetlb_folio(struct folio *dst, struct folio *src)
{
	bool file = !folio_test_anon(src) && src->mapping;
	/* The isolation's, and the page cache's one (docs/fidelity.md). */
	int expected = 1 + file;
	int rc;

	VM_WARN_ON(!folio_test_locked(src));
	VM_WARN_ON(!folio_test_locked(dst));
	if (folio_ref_count(src) != expected)
		return -EAGAIN;
	folio_copy(dst, src);
	if (file) {
		rc = hugetlbfs_migrate_folio(dst, src, expected);
		if (rc)
			return rc;
	} else {
		dst->index = src->index;
		dst->mapping = src->mapping;
	}
	folio_migrate_flags(dst, src);
	if (file)
		src->mapping = NULL;
	return 0;
}

/*
 * A shared mapping's folio is unmapped with its file's i_mmap_rwsem held
 * for write (Linux's hugetlb_folio_mapping_lock_write(): a try-lock, so
 * the folio lock is never held while sleeping on it); NULL if contended.
 */
static struct address_space *hugetlb_folio_mapping_lock_write(
	struct folio *folio)
{
	struct address_space *mapping = folio_mapping_file(folio);

	if (!mapping)
		return NULL;
	if (down_write_trylock_class(&mapping->i_mmap_rwsem,
				     LOCK_CLASS_I_MMAP))
		return mapping;
	return NULL;
}

/*
 * Migrate one isolated hugetlb folio (Linux's unmap_and_move_huge_page()):
 * destination, locks (@force: sleep on @src's lock, in MIGRATE_SYNC only),
 * migration entries, copy and move, the entries back pointing to the new
 * folio (or the old one on failure), move_hugetlb_state().  0: migrated
 * (or freed meanwhile), @src put back and let go; -EAGAIN and -ENOMEM:
 * @src stays on its list; other errors: @src moved to @ret.
 */
static int unmap_and_move_huge_page(new_folio_t get_new_folio,
				    free_folio_t put_new_folio,
				    unsigned long private, struct folio *src,
				    bool force, enum migrate_mode mode,
				    enum migrate_reason reason,
				    struct list_head *ret)
{
	struct address_space *mapping = NULL;
	struct anon_vma *anon_vma = NULL;
	enum ttu_flags ttu = 0;
	bool was_mapped = false;
	struct folio *dst;
	int rc = -EAGAIN;

	if (folio_ref_count(src) == 1) {
		/* Freed under us: the isolation reference is the last. */
		folio_putback_hugetlb(src);
		return 0;
	}
	dst = get_new_folio(src, private);
	if (!dst)
		return -ENOMEM;

	if (!folio_trylock(src)) {
		if (!force || mode != MIGRATE_SYNC)
			goto out;
		folio_lock(src);
	}
	/*
	 * Being freed from its file (no mapping left, a subpool still
	 * charged): hugetlbfs_migrate_folio() would not move the charge.
	 */
	if (src->_hugetlb_subpool && !folio_mapping_file(src)) {
		rc = -EBUSY;
		goto out_unlock;
	}
	if (folio_test_anon(src))
		anon_vma = folio_get_anon_vma(src);
	if (unlikely(!folio_trylock(dst)))
		goto put_anon;

	if (folio_mapped(src)) {
		if (!folio_test_anon(src)) {
			mapping = hugetlb_folio_mapping_lock_write(src);
			if (unlikely(!mapping))
				goto unlock_put_anon;
			ttu = TTU_RMAP_LOCKED;
		}
		try_to_migrate(src, ttu);
		was_mapped = true;
	}
	if (!folio_mapped(src))
		rc = move_to_new_hugetlb_folio(dst, src);
	if (was_mapped)
		remove_migration_ptes(src, rc ? src : dst,
				      ttu ? RMP_LOCKED : 0);
	if (ttu & TTU_RMAP_LOCKED)
		i_mmap_unlock_write(mapping);
unlock_put_anon:
	folio_unlock(dst);
put_anon:
	if (anon_vma)
		put_anon_vma(anon_vma);
	if (!rc) {
		move_hugetlb_state(src, dst, reason);
		put_new_folio = NULL;
	}
out_unlock:
	folio_unlock(src);
out:
	if (!rc)
		folio_putback_hugetlb(src);
	else if (rc != -EAGAIN)
		list_move_tail(&src->lru, ret);
	/* Unused, or mapped now: the allocation's reference goes. */
	if (put_new_folio)
		put_new_folio(dst, private);
	else
		folio_put(dst);
	return rc;
}

/*
 * The hugetlb folios of @from, one at a time, up to
 * NR_MAX_MIGRATE_PAGES_RETRY passes (Linux's migrate_hugetlbs()); from the
 * fourth pass on, a sync migration sleeps on the folio lock.  Returns the
 * number of folios not migrated (permanent failures and those still
 * retried after the last pass) or -ENOMEM; base pages count in @stats.
 * What is retried stays on @from; permanent failures go to @ret_folios.
 */
static int migrate_hugetlbs(struct list_head *from, new_folio_t get_new_folio,
			    free_folio_t put_new_folio, unsigned long private,
			    enum migrate_mode mode, enum migrate_reason reason,
			    struct migrate_pages_stats *stats,
			    struct list_head *ret_folios)
{
	int pass, retry = 1, nr_failed = 0, nr_retry_pages = 0;
	struct folio *folio, *folio2;
	int rc, nr_pages;

	for (pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && retry; pass++) {
		retry = 0;
		nr_retry_pages = 0;
		list_for_each_entry_safe(folio, folio2, from, lru) {
			if (!PageHugetlb(&folio->page))
				continue;
			nr_pages = folio_nr_pages(folio);
			if (!hugepage_migration_supported(folio_hstate(folio))) {
				nr_failed++;
				stats->nr_failed_pages += nr_pages;
				list_move_tail(&folio->lru, ret_folios);
				continue;
			}
			rc = unmap_and_move_huge_page(get_new_folio,
						      put_new_folio, private,
						      folio, pass > 2, mode,
						      reason, ret_folios);
			switch (rc) {
			case -ENOMEM:
				/* Low on memory: stop trying the others. */
				stats->nr_failed_pages += nr_pages +
							  nr_retry_pages;
				return -ENOMEM;
			case -EAGAIN:
				retry++;
				nr_retry_pages += nr_pages;
				break;
			case 0:
				stats->nr_succeeded += nr_pages;
				break;
			default:
				/* Permanent (-EBUSY...): on ret_folios. */
				nr_failed++;
				stats->nr_failed_pages += nr_pages;
				break;
			}
		}
	}
	/* Still retried after the last pass: failed. */
	nr_failed += retry;
	stats->nr_failed_pages += nr_retry_pages;
	return nr_failed;
}


/*
 * PMD-size folios migrate whole only where the arch has PMD migration
 * entries (CONFIG_ARCH_ENABLE_THP_MIGRATION).
 */
static bool thp_migration_supported(void)
{
	return true;
}

/*
 * Split large @folio (isolated) into order-0 folios that go on
 * @split_folios, each isolated (try_split_folio()).  0 or -errno.
 */
static int try_split_folio(struct folio *folio, struct list_head *split_folios,
			   enum migrate_mode mode)
{
	int rc;

	if (mode == MIGRATE_ASYNC) {
		if (!folio_trylock(folio))
			return -EAGAIN;
	} else {
		folio_lock(folio);
	}
	rc = split_folio_to_list(folio, split_folios);
	folio_unlock(folio);
	if (!rc)
		list_move_tail(&folio->lru, split_folios);
	return rc;
}

/*
 * The migrator's turn (the series' v6): after the batch's flush, hand it
 * the folios it may copy, in one call; it marks what it copied.  Folios
 * it may not copy (an extra reference) keep their places; the eligible
 * pairs go back at the tails of both lists, still paired.
 */
static void migrate_folios_offload(struct list_head *src_folios,
				   struct list_head *dst_folios,
				   enum migrate_reason reason)
{
	LIST_HEAD(src_off);
	LIST_HEAD(dst_off);
	struct folio *src, *src2, *dst, *dst2;
	int nr = 0;

	dst = list_first_entry(dst_folios, struct folio, lru);
	list_for_each_entry_safe(src, src2, src_folios, lru) {
		dst2 = list_next_entry(dst, lru);
		if (folio_offload_eligible(src)) {
			list_move_tail(&src->lru, &src_off);
			list_move_tail(&dst->lru, &dst_off);
			nr++;
		}
		dst = dst2;
	}
	if (!nr)
		return;
	migrate_stat_add(migrate_stat(nr_offload_calls), 1);
	migrate_offload_copy(&dst_off, &src_off, nr, reason);
	/* Whatever it returned, the marks say what it copied. */
	list_for_each_entry(dst, &dst_off, lru)
		if (folio_test_content_copied(dst))
			migrate_stat_add(migrate_stat(nr_offload_copies), 1);
	list_splice_tail(&src_off, src_folios);
	list_splice_tail(&dst_off, dst_folios);
}

/* One pass of a batch over its folios: what is left to retry. */
struct batch_pass {
	int retry;		/* folios to try again */
	int thp_retry;		/* of which PMD-size ones */
	int nr_retry_pages;	/* their base pages */
};

/* Count one folio's outcome @rc: 0, -EAGAIN, or a permanent error. */
static void batch_pass_count(struct batch_pass *p, int rc, bool is_thp,
			     int nr_pages, int *nr_failed,
			     struct migrate_pages_stats *stats)
{
	switch (rc) {
	case -EAGAIN:
		p->retry++;
		p->thp_retry += is_thp;
		p->nr_retry_pages += nr_pages;
		break;
	case 0:
		stats->nr_succeeded += nr_pages;
		stats->nr_thp_succeeded += is_thp;
		break;
	default:
		/* Permanent: on ret_folios, not retried. */
		(*nr_failed)++;
		stats->nr_thp_failed += is_thp;
		stats->nr_failed_pages += nr_pages;
		break;
	}
}

/* The passes are over: what still wanted a retry failed. */
static void batch_pass_end(const struct batch_pass *p, int *nr_failed,
			   struct migrate_pages_stats *stats)
{
	*nr_failed += p->retry;
	stats->nr_thp_failed += p->thp_retry;
	stats->nr_failed_pages += p->nr_retry_pages;
}

/*
 * Unmap every folio of @from, flush once, let the migrator copy, then move
 * them (migrate_pages_batch()).  Outside MIGRATE_ASYNC, @from holds one
 * folio: holding several folio locks while sleeping on another could
 * deadlock.  Returns the number of folios not migrated or -ENOMEM; the
 * failed ones are on @ret_folios, the ones to retry stay on @from.
 */
static int migrate_pages_batch(struct list_head *from,
			       new_folio_t get_new_folio,
			       free_folio_t put_new_folio,
			       unsigned long private, enum migrate_mode mode,
			       enum migrate_reason reason,
			       struct list_head *ret_folios,
			       struct list_head *split_folios,
			       struct migrate_pages_stats *stats, int nr_pass)
{
	struct batch_pass p = { .retry = 1 };
	int pass, rc, rc_saved = 0, nr_pages, nr_failed = 0;
	bool is_thp, is_large;
	bool nosplit = reason == MR_NUMA_MISPLACED;
	struct folio *folio, *folio2, *dst = NULL, *dst2;
	LIST_HEAD(unmap_folios);
	LIST_HEAD(dst_folios);

	VM_WARN_ON(mode != MIGRATE_ASYNC && !list_empty(from) &&
		   !list_is_singular(from));
	migrate_stat_add(migrate_stat(nr_batches), 1);

	for (pass = 0; pass < nr_pass && p.retry; pass++) {
		p = (struct batch_pass){ 0 };
		list_for_each_entry_safe(folio, folio2, from, lru) {
			is_large = folio_test_large(folio);
			is_thp = is_large && folio_test_pmd_mappable(folio);
			nr_pages = folio_nr_pages(folio);

			if (is_thp && !thp_migration_supported()) {
				nr_failed++;
				stats->nr_thp_failed++;
				if (!try_split_folio(folio, split_folios,
						     mode)) {
					stats->nr_thp_split++;
					stats->nr_split++;
					continue;
				}
				stats->nr_failed_pages += nr_pages;
				list_move_tail(&folio->lru, ret_folios);
				continue;
			}

			rc = migrate_folio_unmap(get_new_folio, put_new_folio,
						 private, folio, &dst, mode,
						 reason, ret_folios);
			if (rc == MIGRATEPAGE_UNMAP) {
				list_move_tail(&folio->lru, &unmap_folios);
				list_add_tail(&dst->lru, &dst_folios);
				continue;
			}
			if (rc != -ENOMEM) {
				batch_pass_count(&p, rc, is_thp, nr_pages,
						 &nr_failed, stats);
				continue;
			}
			/* Low on memory: move what is unmapped, stop. */
			nr_failed++;
			stats->nr_thp_failed += is_thp;
			if (is_large && !nosplit && split_folios &&
			    !try_split_folio(folio, split_folios, mode)) {
				stats->nr_thp_split += is_thp;
				stats->nr_split++;
				continue;
			}
			stats->nr_failed_pages += nr_pages + p.nr_retry_pages;
			stats->nr_thp_failed += p.thp_retry;
			rc_saved = rc;
			if (list_empty(&unmap_folios))
				goto out;
			goto move;
		}
	}
	batch_pass_end(&p, &nr_failed, stats);
move:
	/* One flush for every PTE the batch cleared. */
	try_to_unmap_flush();
	if (!list_empty(&unmap_folios))
		migrate_folios_offload(&unmap_folios, &dst_folios, reason);

	p.retry = 1;
	for (pass = 0; pass < nr_pass && p.retry; pass++) {
		p = (struct batch_pass){ 0 };
		dst = list_first_entry(&dst_folios, struct folio, lru);
		dst2 = list_next_entry(dst, lru);
		list_for_each_entry_safe(folio, folio2, &unmap_folios, lru) {
			/* Read before the move frees @folio. */
			is_thp = folio_test_large(folio) &&
				 folio_test_pmd_mappable(folio);
			nr_pages = folio_nr_pages(folio);
			rc = migrate_folio_move(put_new_folio, private, folio,
						dst, mode, reason, ret_folios);
			batch_pass_count(&p, rc, is_thp, nr_pages, &nr_failed,
					 stats);
			dst = dst2;
			dst2 = list_next_entry(dst, lru);
		}
	}
	batch_pass_end(&p, &nr_failed, stats);
	rc = rc_saved ? rc_saved : nr_failed;
out:
	migrate_folios_undo(&unmap_folios, &dst_folios, put_new_folio, private,
			    ret_folios);
	return rc;
}

/*
 * Not MIGRATE_ASYNC: the batch in async mode first (3 passes), then what
 * failed, one folio at a time, in @mode (7 passes) (migrate_pages_sync()).
 */
static int migrate_pages_sync(struct list_head *from,
			      new_folio_t get_new_folio,
			      free_folio_t put_new_folio,
			      unsigned long private, enum migrate_mode mode,
			      enum migrate_reason reason,
			      struct list_head *ret_folios,
			      struct list_head *split_folios,
			      struct migrate_pages_stats *stats)
{
	struct migrate_pages_stats astats = { 0 };
	LIST_HEAD(folios);
	int rc, nr_failed = 0;

	rc = migrate_pages_batch(from, get_new_folio, put_new_folio, private,
				 MIGRATE_ASYNC, reason, &folios, split_folios,
				 &astats, NR_MAX_MIGRATE_ASYNC_RETRY);
	stats->nr_succeeded += astats.nr_succeeded;
	stats->nr_thp_succeeded += astats.nr_thp_succeeded;
	stats->nr_thp_split += astats.nr_thp_split;
	stats->nr_split += astats.nr_split;
	if (rc < 0) {
		stats->nr_failed_pages += astats.nr_failed_pages;
		stats->nr_thp_failed += astats.nr_thp_failed;
		list_splice_tail(&folios, ret_folios);
		return rc;
	}
	stats->nr_thp_failed += astats.nr_thp_split;
	/* Retried below, so not counted; a split counts as one failure. */
	nr_failed += astats.nr_split;
	list_splice_tail_init(&folios, from);
	while (!list_empty(from)) {
		list_move(from->next, &folios);
		rc = migrate_pages_batch(&folios, get_new_folio, put_new_folio,
					 private, mode, reason, ret_folios,
					 split_folios, stats,
					 NR_MAX_MIGRATE_SYNC_RETRY);
		list_splice_tail_init(&folios, ret_folios);
		if (rc < 0)
			return rc;
		nr_failed += rc;
	}
	return nr_failed;
}

int migrate_pages(struct list_head *from, new_folio_t get_new_folio,
		  free_folio_t put_new_folio, unsigned long private,
		  enum migrate_mode mode, enum migrate_reason reason,
		  unsigned int *nr_succeeded)
{
	struct migrate_pages_stats stats = { 0 };
	struct folio *folio, *folio2;
	LIST_HEAD(folios);
	LIST_HEAD(ret_folios);
	LIST_HEAD(split_folios);
	int rc, rc_gather = 0, nr_pages;

	trace_mm_migrate_pages_start(mode, reason);
	/* hugetlb folios first, one at a time. */
	rc_gather = migrate_hugetlbs(from, get_new_folio, put_new_folio,
				     private, mode, reason, &stats,
				     &ret_folios);
	if (rc_gather < 0)
		goto out;
again:
	nr_pages = 0;
	list_for_each_entry_safe(folio, folio2, from, lru) {
		/* hugetlb folios still retried after their passes: failed. */
		if (PageHugetlb(&folio->page)) {
			list_move_tail(&folio->lru, &ret_folios);
			continue;
		}
		nr_pages += folio_nr_pages(folio);
		if (nr_pages >= NR_MAX_BATCHED_MIGRATION)
			break;
	}
	/* The folio that crossed the limit is in: cut after it. */
	if (nr_pages >= NR_MAX_BATCHED_MIGRATION)
		list_cut_before(&folios, from, &folio2->lru);
	else
		list_splice_init(from, &folios);
	if (mode == MIGRATE_ASYNC)
		rc = migrate_pages_batch(&folios, get_new_folio, put_new_folio,
					 private, mode, reason, &ret_folios,
					 &split_folios, &stats,
					 NR_MAX_MIGRATE_PAGES_RETRY);
	else
		rc = migrate_pages_sync(&folios, get_new_folio, put_new_folio,
					private, mode, reason, &ret_folios,
					&split_folios, &stats);
	list_splice_tail_init(&folios, &ret_folios);
	if (rc < 0) {
		rc_gather = rc;
		list_splice_tail(&split_folios, &ret_folios);
		goto out;
	}
	if (!list_empty(&split_folios)) {
		/*
		 * The pieces of split folios: async, one pass, failures not
		 * counted (the large folio already counted as one).
		 */
		migrate_pages_batch(&split_folios, get_new_folio,
				    put_new_folio, private, MIGRATE_ASYNC,
				    reason, &ret_folios, NULL, &stats, 1);
		list_splice_tail_init(&split_folios, &ret_folios);
	}
	rc_gather += rc;
	if (!list_empty(from))
		goto again;
out:
	list_splice(&ret_folios, from);
	/* Every piece of every split folio moved: success. */
	if (list_empty(from))
		rc_gather = 0;

	count_vm_events(PGMIGRATE_SUCCESS, stats.nr_succeeded);
	count_vm_events(PGMIGRATE_FAIL, stats.nr_failed_pages);
	count_vm_events(THP_MIGRATION_SUCCESS, stats.nr_thp_succeeded);
	count_vm_events(THP_MIGRATION_FAIL, stats.nr_thp_failed);
	count_vm_events(THP_MIGRATION_SPLIT, stats.nr_thp_split);
	trace_mm_migrate_pages(stats.nr_succeeded, stats.nr_failed_pages,
			       stats.nr_thp_succeeded, stats.nr_thp_failed,
			       stats.nr_thp_split, stats.nr_split, mode,
			       reason);
	if (nr_succeeded)
		*nr_succeeded = stats.nr_succeeded;
	return rc_gather;
}

/*
 * Linux's htlb_allow_alloc_fallback(): memory offlining, memory failure
 * and the migration system calls may take a temporary page on another
 * node when the target has none; the others keep the per-node pools.
 */
static bool htlb_allow_alloc_fallback(enum migrate_reason reason)
{
	switch (reason) {
	case MR_MEMORY_HOTPLUG:
	case MR_MEMORY_FAILURE:
	case MR_SYSCALL:
	case MR_MEMPOLICY_MBIND:
		return true;
	default:
		return false;
	}
}

/*
 * alloc_migration_target() of a hugetlb folio: alloc_hugetlb_folio_nodemask()
 * with only __GFP_THISNODE of the caller's flags kept
 * (htlb_modify_alloc_mask()).
 */
static struct folio *alloc_migration_target_hugetlb(
	struct folio *src, const struct migration_target_control *mtc, int nid)
{
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | (mtc->gfp_mask & __GFP_THISNODE);

	return alloc_hugetlb_folio_nodemask(folio_hstate(src), nid, mtc->nmask,
					    gfp,
					    htlb_allow_alloc_fallback(mtc->reason));
}

struct folio *alloc_migration_target(struct folio *src, unsigned long private)
{
	struct migration_target_control *mtc = (void *)private;
	gfp_t gfp = mtc->gfp_mask;
	unsigned int order = 0;
	int nid = mtc->nid;

	if (nid == NUMA_NO_NODE)
		nid = folio_nid(src);
	if (PageHugetlb(&src->page))
		return alloc_migration_target_hugetlb(src, mtc, nid);
	if (folio_test_large(src)) {
		/* As THP allocations: no reclaim for a large destination. */
		gfp &= ~__GFP_RECLAIM;
		gfp |= GFP_TRANSHUGE;
		gfp &= ~__GFP_DIRECT_RECLAIM;
		order = folio_order(src);
	}
	return __folio_alloc(gfp, order, nid);
}

/* ---- move_pages(2) ------------------------------------------------------ */

nodemask_t node_states_memory(void)
{
	nodemask_t mask = NODE_MASK_NONE;
	int nid;

	BUILD_BUG_ON(MAX_NUMNODES > NODEMASK_BITS);
	for (nid = 0; nid < this_machine->nr_nodes; nid++)
		if (NODE_DATA(nid)->node_present_pages)
			node_set(nid, &mask);
	return mask;
}

static bool vma_migratable(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return false;
	/* Sizes without migration entries at their level. */
	if (is_vm_hugetlb_page(vma) &&
	    !hugepage_migration_supported(hstate_vma(vma)))
		return false;
	return true;
}

/*
 * The folio at @addr, referenced (follow_page_mask() with FOLL_GET); NULL
 * when nothing is mapped there, ERR_PTR(-EFAULT) for the zero pages.
 * Caller holds mmap_lock.
 */
static struct folio *move_pages_folio(struct vm_area_struct *vma,
				      unsigned long addr)
{
	unsigned long page_mask;
	struct page *page;
	struct folio *folio;

	page = follow_page_mask(vma, addr, FOLL_GET, &page_mask);
	if (IS_ERR_OR_NULL(page))
		return (struct folio *)page;
	folio = page_folio(page);
	if (is_zero_pfn(page_to_pfn(page)) ||
	    folio == READ_ONCE(this_machine->huge_zero_folio)) {
		folio_put(folio);
		return ERR_PTR(-EFAULT);
	}
	return folio;
}

/*
 * Queue the folio at @addr for @node (add_page_for_migration()): 1 if
 * queued on @pagelist, 0 if it is on @node already, or the status:
 * -EFAULT (no VMA, not migratable, a zero page), -ENOENT (not present),
 * -EACCES (shared, without MPOL_MF_MOVE_ALL), -EBUSY (not isolated).
 */
static int add_page_for_migration(struct mm_struct *mm, unsigned long addr,
				  int node, struct list_head *pagelist,
				  bool migrate_all)
{
	struct vm_area_struct *vma;
	struct folio *folio;
	int err;

	mmap_read_lock(mm);
	err = -EFAULT;
	vma = vma_lookup(mm, addr);
	if (!vma || !vma_migratable(vma))
		goto out;
	folio = move_pages_folio(vma, addr);
	err = PTR_ERR(folio);
	if (IS_ERR(folio))
		goto out;
	err = -ENOENT;
	if (!folio)
		goto out;
	err = 0;
	if (folio_nid(folio) == node)
		goto out_putfolio;
	err = -EACCES;
	if (folio_maybe_mapped_shared(folio) && !migrate_all)
		goto out_putfolio;
	err = -EBUSY;
	if (isolate_folio_to_list(folio, pagelist))
		err = 1;
out_putfolio:
	/* The lookup's reference (isolation took its own). */
	folio_put(folio);
out:
	mmap_read_unlock(mm);
	return err;
}

static void store_status(int *status, unsigned long start, int value,
			 unsigned long nr)
{
	while (nr--)
		status[start++] = value;
}

static int do_move_pages_to_node(struct list_head *pagelist, int node)
{
	struct migration_target_control mtc = {
		.nid = node,
		.gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE,
		.reason = MR_SYSCALL,
	};
	int err;

	err = migrate_pages(pagelist, alloc_migration_target, NULL,
			    (unsigned long)&mtc, MIGRATE_SYNC, MR_SYSCALL,
			    NULL);
	if (err)
		putback_movable_pages(pagelist);
	return err;
}

/*
 * Migrate what @pagelist holds (entries [@start, @i) of the call) to
 * @node and store @node as their status; a positive count of failures
 * becomes the call's result with every page not yet attempted counted
 * too (move_pages_and_store_status()).
 */
static int move_pages_and_store_status(int node, struct list_head *pagelist,
				       int *status, unsigned long start,
				       unsigned long i, unsigned long nr_pages)
{
	int err;

	if (list_empty(pagelist))
		return 0;
	err = do_move_pages_to_node(pagelist, node);
	if (err) {
		if (err > 0)
			err += nr_pages - i;
		return err;
	}
	store_status(status, start, node, i - start);
	return 0;
}

/*
 * Linux's do_pages_move(): consecutive entries for one node are gathered
 * and migrated together; a page that cannot be queued gets its status at
 * once and flushes the gathered ones.
 */
static int do_pages_move(struct mm_struct *mm, nodemask_t task_nodes,
			 unsigned long nr_pages, const unsigned long *pages,
			 const int *nodes, int *status, int flags)
{
	int current_node = NUMA_NO_NODE;
	unsigned long start = 0, i;
	LIST_HEAD(pagelist);
	int err = 0, err1;

	for (i = 0; i < nr_pages; i++) {
		int node = nodes[i];

		err = -ENODEV;
		if (node < 0 || node >= MAX_NUMNODES)
			goto out_flush;
		if (!node_isset(node, node_states_memory()))
			goto out_flush;
		err = -EACCES;
		if (!node_isset(node, task_nodes))
			goto out_flush;

		if (current_node == NUMA_NO_NODE) {
			current_node = node;
			start = i;
		} else if (node != current_node) {
			err = move_pages_and_store_status(current_node,
					&pagelist, status, start, i, nr_pages);
			if (err)
				goto out;
			start = i;
			current_node = node;
		}

		err = add_page_for_migration(mm, pages[i], current_node,
					     &pagelist,
					     flags & FOLIAGE_MPOL_MF_MOVE_ALL);
		if (err > 0)
			continue;	/* queued */
		/* Already there (0): the node; otherwise the error. */
		store_status(status, i, err ? err : current_node, 1);
		err = move_pages_and_store_status(current_node, &pagelist,
						  status, start, i, nr_pages);
		if (err) {
			/* Page i is accounted for already. */
			if (err > 0)
				err--;
			goto out;
		}
		current_node = NUMA_NO_NODE;
	}
out_flush:
	/* Do not overwrite an error with the flush's result. */
	err1 = move_pages_and_store_status(current_node, &pagelist, status,
					   start, i, nr_pages);
	if (err >= 0)
		err = err1;
out:
	return err;
}

/* nodes == NULL: where each page is (do_pages_stat()). */
static void do_pages_stat(struct mm_struct *mm, unsigned long nr_pages,
			  const unsigned long *pages, int *status)
{
	unsigned long i;

	mmap_read_lock(mm);
	for (i = 0; i < nr_pages; i++) {
		struct vm_area_struct *vma = vma_lookup(mm, pages[i]);
		struct folio *folio;
		int err = -EFAULT;

		if (vma) {
			folio = move_pages_folio(vma, pages[i]);
			err = PTR_ERR(folio);
			if (!folio) {
				err = -ENOENT;
			} else if (!IS_ERR(folio)) {
				err = folio_nid(folio);
				folio_put(folio);
			}
		}
		status[i] = err;
	}
	mmap_read_unlock(mm);
}

int foliage_move_pages(struct foliage_task *task, unsigned long nr_pages,
		       const unsigned long *pages, const int *nodes,
		       int *status, int flags)
{
	struct mm_struct *mm;
	int err;

	if (!task || (nr_pages && (!pages || !status)))
		return -EFAULT;
	if (flags & ~(FOLIAGE_MPOL_MF_MOVE | FOLIAGE_MPOL_MF_MOVE_ALL))
		return -EINVAL;
	err = machine_enter(task->machine);
	if (err)
		return err;
	mm = task->task.mm;
	if (nodes) {
		lru_cache_disable();
		err = do_pages_move(mm, node_states_memory(), nr_pages, pages,
				    nodes, status, flags);
		lru_cache_enable();
	} else
		do_pages_stat(mm, nr_pages, pages, status);
	machine_exit_op(task->machine);
	return err;
}

/* ---- alloc_contig_range(): moving what is in the way ---------------- */

/* Where the range's movable folios go: anywhere on their node but there. */
struct contig_target {
	unsigned long start, end;	/* the range being emptied (pfns) */
	struct list_head held;		/* allocated inside it: kept aside */
};

/*
 * alloc_contig_target() of a hugetlb folio: a pool page or a temporary one
 * of its node (MR_CONTIG_RANGE keeps the per-node pools), not inside the
 * range; those found inside are held aside (off the active list) while
 * trying again, then freed back to the pool, where
 * replace_free_hugepage_folios() dissolves them.
 */
static struct folio *alloc_contig_hugetlb_target(struct folio *src,
						 struct contig_target *ct)
{
	struct migration_target_control mtc = {
		.nid = folio_nid(src),
		.gfp_mask = GFP_HIGHUSER_MOVABLE,
		.reason = MR_CONTIG_RANGE,
	};
	struct folio *dst = NULL, *held, *next;
	unsigned long tries;
	LIST_HEAD(inside);

	for (tries = 0; tries <= (ct->end - ct->start) >> folio_order(src);
	     tries++) {
		dst = alloc_migration_target(src, (unsigned long)&mtc);
		if (!dst || folio_pfn(dst) + folio_nr_pages(dst) <= ct->start ||
		    folio_pfn(dst) >= ct->end)
			break;
		list_move(&dst->lru, &inside);
		dst = NULL;
	}
	list_for_each_entry_safe(held, next, &inside, lru)
		folio_put(held);
	return dst;
}

static struct folio *alloc_contig_target(struct folio *src,
					 unsigned long private)
{
	struct contig_target *ct = (void *)private;
	struct migration_target_control mtc = {
		.nid = folio_nid(src),
		.gfp_mask = GFP_HIGHUSER_MOVABLE,
		.reason = MR_CONTIG_RANGE,
	};
	unsigned long tries;

	if (PageHugetlb(&src->page))
		return alloc_contig_hugetlb_target(src, ct);
	/* Each try keeps one of the range's pages aside: it ends. */
	for (tries = 0; tries <= ct->end - ct->start; tries++) {
		struct folio *dst = alloc_migration_target(src,
							   (unsigned long)&mtc);
		unsigned long pfn;

		if (!dst)
			return NULL;
		pfn = folio_pfn(dst);
		if (pfn + folio_nr_pages(dst) <= ct->start || pfn >= ct->end)
			return dst;
		/* In the range: keep it from being handed out again. */
		list_add(&dst->lru, &ct->held);
	}
	return NULL;
}

/*
 * The folio @pfn belongs to, referenced, or NULL if it is free or being
 * freed (folio_try_get()).
 */
static struct folio *pfn_folio_try_get(unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);
	struct folio *folio = page_folio(page);

	if (!atomic_add_unless(&folio->_refcount, 1, 0))
		return NULL;
	if (page_folio(page) != folio) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

/*
 * A page of a hugetlb folio in the range (alloc_contig_range()'s part of
 * Linux's isolate_migratepages_block()): one in use is isolated onto
 * @list, a free one replaced and dissolved (isolate_or_dissolve_huge_folio()).
 * 1 with *@pfn at the folio's last page, 0 if @page is no hugetlb page, or
 * -EBUSY / -ENOMEM: the range cannot be had.
 */
static int contig_range_hugetlb(struct page *page, struct list_head *list,
				unsigned long start, unsigned long end,
				unsigned long *pfn)
{
	struct folio *folio = page_folio(page);
	unsigned long nr;
	int ret;

	if (!PageHugetlb(&folio->page))
		return 0;
	nr = folio_nr_pages(folio);
	ret = isolate_or_dissolve_huge_folio(folio, list, start, end);
	if (ret)
		return ret;
	/* A huge folio is aligned to its size. */
	*pfn = ALIGN_DOWN(*pfn, nr) + nr - 1;
	return 1;
}

/*
 * A movable_ops (balloon) page of the range: isolated through its owner
 * onto @mops_list (true), or *@ret = -EBUSY if it would not (true too);
 * false if @page has no movable_ops.  Caller holds a reference.
 */
static bool contig_isolate_movable_ops(struct page *page,
				       struct list_head *mops_list, int *ret)
{
	if (!page_movable_ops(page))
		return false;
	if (!isolate_movable_ops_page(page, mops_list))
		*ret = -EBUSY;
	return true;
}

/*
 * The range's isolated movable_ops pages move out of it through their
 * owner (balloon pages: the host hears of each new page and each old
 * one), unless the range already failed (@ret): then they go back.
 */
static int contig_migrate_movable_ops(struct list_head *mops_list,
				      struct contig_target *ct, int ret)
{
	int rc;

	if (list_empty(mops_list))
		return ret;
	if (ret) {
		putback_movable_ops_pages(mops_list);
		return ret;
	}
	rc = migrate_movable_ops_pages(mops_list, alloc_contig_target,
				       (unsigned long)ct, MIGRATE_SYNC);
	return rc;
}

int alloc_contig_migrate_range(unsigned long start, unsigned long end)
{
	struct contig_target ct = { .start = start, .end = end };
	struct folio *folio, *next;
	unsigned long pfn;
	LIST_HEAD(mops_list);
	LIST_HEAD(list);
	int ret = 0;

	INIT_LIST_HEAD(&ct.held);
	lru_cache_disable();
	for (pfn = start; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (PageBuddy(page)) {
			/* A free block: skip it whole (racy, rechecked). */
			unsigned int order = buddy_order(page);

			if (PageBuddy(page) && order <= MAX_PAGE_ORDER)
				pfn = ALIGN_DOWN(pfn, 1UL << order) +
				      (1UL << order) - 1;
			continue;
		}
		ret = contig_range_hugetlb(page, &list, start, end, &pfn);
		if (ret < 0)
			break;
		if (ret) {
			ret = 0;
			continue;
		}
		folio = pfn_folio_try_get(pfn);
		if (!folio)
			continue;	/* free, on a per-CPU list, or going */
		if (contig_isolate_movable_ops(page, &mops_list, &ret)) {
			folio_put(folio);
			if (ret)
				break;
			continue;
		}
		if (!folio_test_lru(folio) ||
		    !isolate_folio_to_list(folio, &list)) {
			/* Not movable: the range cannot be had. */
			folio_put(folio);
			ret = -EBUSY;
			break;
		}
		pfn = folio_pfn(folio) + folio_nr_pages(folio) - 1;
		folio_put(folio);
	}
	if (!list_empty(&list)) {
		int rc = ret ? 0 : migrate_pages(&list, alloc_contig_target,
						 NULL, (unsigned long)&ct,
						 MIGRATE_SYNC, MR_CONTIG_RANGE,
						 NULL);

		if (rc)
			ret = rc < 0 ? rc : -EBUSY;
		if (!list_empty(&list))
			putback_movable_pages(&list);
	}
	ret = contig_migrate_movable_ops(&mops_list, &ct, ret);
	list_for_each_entry_safe(folio, next, &ct.held, lru) {
		list_del(&folio->lru);
		folio_put(folio);
	}
	lru_cache_enable();
	/* The migrated hugetlb folios came back to the pool in the range. */
	if (!ret)
		ret = replace_free_hugepage_folios(start, end);
	return ret;
}
