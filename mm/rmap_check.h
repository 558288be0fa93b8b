/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reverse-map checker (mm/rmap_check.c): proof, after every operation
 * in debug builds, that rmap_walk() finds every mapping of every folio of
 * the machine and nothing else, against an independent scan of all page
 * tables of all tasks.
 *
 * Two views of the machine are compared:
 *
 *   page tables	every present PTE and huge PMD in every VMA of every
 *			task's mm that maps a normal page (not the zero pages):
 *			(folio, VMA, address, PTE or PMD)
 *   reverse map	for every folio mapped there or on an LRU list:
 *			rmap_walk() names VMAs; in each, the folio's pages are
 *			looked up where their page offset puts them (vm_start +
 *			(index + i - vm_pgoff) pages), which is where
 *			try_to_unmap(), migration and folio_referenced() look
 *
 * Invariants, each broken one a report_bug() naming the folio pfn, the VMA
 * range, the address and which side had the mapping:
 *   mappings in the page tables == mappings found through rmap_walk()
 *   == mappings page_vma_mapped_walk() finds in the VMAs rmap_walk() names
 *   every VMA rmap_walk() names is a live VMA of a live mm, named once, and
 *	its address argument is the folio's first address inside the VMA
 *   an anon folio's anon_vma is linked to some live VMA (else a walk would
 *	read a freed one); an anon folio mapped nowhere has mapcount 0 and is
 *	not walked (Linux's walkers check folio_mapped() first, too)
 *   a folio under migration: its migration entries in the page tables ==
 *	those page_vma_mapped_walk(PVMW_MIGRATION) finds in the VMAs
 *	rmap_walk() names (rmap_check_migration_folio(), called while the
 *	entries exist: from a migrator's copy callback)
 */
#ifndef _FOLIAGE_MM_RMAP_CHECK_H
#define _FOLIAGE_MM_RMAP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct folio;
struct vm_area_struct;

/* What one check counted; the mapping counts are of PTEs and PMDs. */
struct rmap_check_stats {
	unsigned long mms;		/* address spaces scanned */
	unsigned long vmas;		/* VMAs scanned */
	unsigned long folios;		/* folios checked */
	unsigned long anon_folios;	/* of which anonymous */
	unsigned long file_folios;	/* of which page cache */
	unsigned long unmapped_folios;	/* of which on an LRU, mapped nowhere */
	unsigned long pte_maps;		/* PTE mappings in the page tables */
	unsigned long pmd_maps;		/* PMD mappings in the page tables */
	unsigned long rmap_pte_maps;	/* PTE mappings found through rmap */
	unsigned long rmap_pmd_maps;	/* PMD mappings found through rmap */
	unsigned long pvmw_maps;	/* page_vma_mapped_walk() results */
	unsigned long vma_visits;	/* rmap_one() calls of all walks */
	unsigned long missed;		/* mappings rmap_walk() did not find */
	unsigned long extra;		/* mappings only rmap_walk() found */
	unsigned long bad_visits;	/* VMAs named wrongly (dead, twice...) */
	unsigned long pvmw_mismatches;	/* page_vma_mapped_walk() disagreed */
};

/* One mapping of a folio: a PTE or a PMD of a VMA. */
struct rmap_map {
	unsigned long folio_pfn;	/* head pfn of the folio */
	struct vm_area_struct *vma;	/* the VMA */
	unsigned long addr;		/* the PTE's address, or the PMD's */
	unsigned int page;		/* the folio page mapped there first */
	unsigned int pmd;		/* 1: a PMD mapping, 0: a PTE */
};

/*
 * Check the whole machine (inside it: machine_enter() done); 0, or
 * -EINVAL after report_bug() for each broken invariant, -ENOMEM.  A
 * machine that is not quiet (another thread holds an mmap_lock) is not
 * checked: 0, as validate_all_mms() does.
 */
int validate_rmap(void);
/* The same, filling *@stats; -EBUSY when the machine is not quiet. */
int rmap_check_machine(struct rmap_check_stats *stats);
/*
 * The mappings of @folio found through rmap_walk(), sorted by VMA start,
 * then address: *@maps is malloc()ed (NULL when none).  -EBUSY when the
 * machine is not quiet, -EINVAL for an anon folio mapped nowhere (no walk
 * is safe) or one whose anon_vma no live VMA links.
 */
int rmap_check_folio(struct folio *folio, struct rmap_map **maps,
		     size_t *nr_maps);

/*
 * @folio is under migration (locked, every mapping replaced by a
 * migration entry, its anon_vma pinned by the migration): the migration
 * entries naming it in every page table of every task against those
 * page_vma_mapped_walk(PVMW_MIGRATION) finds in the VMAs rmap_walk()
 * names, which is where remove_migration_ptes() will look.  Equal, or a
 * migration entry would stay behind and its faults would sleep forever.
 * *@nr_entries: the entries found.  0; -EINVAL after report_bug();
 * -ENOENT if @folio is not under migration (unlocked, or mapped); -EBUSY
 * when the machine is not quiet (some mmap_lock is held); -ENOMEM.
 */
int rmap_check_migration_folio(struct folio *folio, unsigned long *nr_entries);

#endif /* _FOLIAGE_MM_RMAP_CHECK_H */
