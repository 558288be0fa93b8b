// SPDX-License-Identifier: GPL-2.0
/*
 * validate_mm() and the machine-wide page-table recount (issue 3, section
 * 8): what CONFIG_DEBUG_VM_MAPLE_TREE's validate_mm() checks in Linux, and
 * more, recounted from scratch after every public operation in debug
 * builds.
 *
 * Per mm:
 *   VMAs are page aligned, ordered, non-overlapping, findable by find_vma()
 *   map_count == VMAs; total_vm, data_vm, exec_vm, stack_vm, locked_vm ==
 *	the sums vm_stat_account() keeps
 *   no two adjacent VMAs that vma_merge_*() would have merged
 *   anon_vma != NULL <=> anon_vma_chain not empty
 *   every present PTE/PMD lies inside a VMA
 *   rss_stat[] == pages mapped, by mm_counter() of their folio (hugetlb
 *	pages excepted, as in Linux)
 *   a huge PMD/PUD of a hugetlb VMA maps the head of a hugetlb folio of
 *	the VMA's size, inside the VMA
 *   pgtables_bytes == PAGE_SIZE * (tables below the pgd + deposited ones)
 *
 * Over every mm of the machine:
 *   page->_mapcount + 1 == PTEs mapping the page
 *   large folio: _large_mapcount + 1 == PTE + PMD mappings,
 *	_entire_mapcount + 1 == PMD mappings, _nr_pages_mapped == pages
 *	mapped by PTEs (+ ENTIRELY_MAPPED while PMD-mapped)
 *   hugetlb folio: _large_mapcount + 1 == _entire_mapcount + 1 == PMD or
 *	PUD mappings, no PTE mappings, not in NR_ANON_MAPPED/NR_FILE_MAPPED
 *   folio refcount >= mapcount
 *   NR_ANON_MAPPED, NR_FILE_MAPPED, NR_ANON_THPS, NR_PAGETABLE per node ==
 *	the recount
 *   with debug.full: no page outside the walk claims a mapping
 */
#include <stdlib.h>
#include <string.h>

#include "vma.h"
#include <linux/rmap.h>
#include <linux/mempolicy.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include "task.h"
#include <linux/validate.h>

#ifndef ENTIRELY_MAPPED
#define ENTIRELY_MAPPED		0x800000	/* _nr_pages_mapped's PMD bias */
#define FOLIO_PAGES_MAPPED	(ENTIRELY_MAPPED - 1)
#endif

#define mm_bug(mm, fmt, ...) \
	report_bug("validate_mm(%p): " fmt, (void *)(mm), ##__VA_ARGS__)

/* ---- a pfn -> counts hash ------------------------------------------ */

struct pfn_count {
	unsigned long pfn;		/* key + 1 (0: empty slot) */
	int ptes;			/* PTE mappings seen */
	int pmds;			/* PMD mappings seen (folio heads) */
};

struct pfn_table {
	struct pfn_count *slots;	/* open addressing */
	unsigned long size;		/* slots, a power of two */
	unsigned long used;		/* occupied slots */
};

static int pfn_table_init(struct pfn_table *t)
{
	t->size = 1024;
	t->used = 0;
	t->slots = calloc(t->size, sizeof(*t->slots));
	return t->slots ? 0 : -ENOMEM;
}

static struct pfn_count *pfn_table_get(struct pfn_table *t, unsigned long pfn)
{
	unsigned long i;

	if (2 * (t->used + 1) > t->size) {
		struct pfn_table n = { .size = t->size * 2 };

		n.slots = calloc(n.size, sizeof(*n.slots));
		if (!n.slots)
			return NULL;
		for (i = 0; i < t->size; i++) {
			struct pfn_count *s = &t->slots[i];
			unsigned long j;

			if (!s->pfn)
				continue;
			for (j = (s->pfn * 0x9e3779b97f4a7c15UL) & (n.size - 1);
			     n.slots[j].pfn; j = (j + 1) & (n.size - 1))
				;
			n.slots[j] = *s;
			n.used++;
		}
		free(t->slots);
		*t = n;
	}
	for (i = ((pfn + 1) * 0x9e3779b97f4a7c15UL) & (t->size - 1);
	     t->slots[i].pfn; i = (i + 1) & (t->size - 1))
		if (t->slots[i].pfn == pfn + 1)
			return &t->slots[i];
	t->slots[i].pfn = pfn + 1;
	t->used++;
	return &t->slots[i];
}

static struct pfn_count *pfn_table_find(const struct pfn_table *t,
					unsigned long pfn)
{
	unsigned long i;

	for (i = ((pfn + 1) * 0x9e3779b97f4a7c15UL) & (t->size - 1);
	     t->slots[i].pfn; i = (i + 1) & (t->size - 1))
		if (t->slots[i].pfn == pfn + 1)
			return &t->slots[i];
	return NULL;
}

/* ---- VMAs ---------------------------------------------------------- */

static bool anon_vma_fork_child(const struct vm_area_struct *vma)
{
	const struct list_head *h = &vma->anon_vma_chain;

	return vma->anon_vma && !(h->next != h && h->next == h->prev);
}

/*
 * Would Linux have merged these two adjacent VMAs?  Same flags (bar
 * VM_SOFTDIRTY), same file at contiguous offsets, not special, no ->close,
 * the same NUMA policy, and anon_vmas that are equal or where only one side has one, which is
 * not a fork child's.
 */
static bool vmas_mergeable(const struct vm_area_struct *a,
			   const struct vm_area_struct *b)
{
	if (a->vm_end != b->vm_start)
		return false;
	if ((a->vm_flags ^ b->vm_flags) & ~VM_SOFTDIRTY)
		return false;
	if (a->vm_flags & VM_SPECIAL)
		return false;
	if (a->vm_file != b->vm_file)
		return false;
	if (a->vm_pgoff + vma_pages(a) != b->vm_pgoff)
		return false;
	if ((a->vm_ops && a->vm_ops->close) || (b->vm_ops && b->vm_ops->close))
		return false;
	if (!mpol_equal(&a->vm_policy, &b->vm_policy))
		return false;
	/* ANON_VMA_LAZY: a lazy VMA's key is its root, as in vma.c. */
	if (!a->anon_vma && !b->anon_vma && a->lazy_root != b->lazy_root)
		return !a->lazy_root || !b->lazy_root;
	if ((!a->anon_vma && a->lazy_root && b->anon_vma) ||
	    (!b->anon_vma && b->lazy_root && a->anon_vma))
		return false;
	if (a->anon_vma == b->anon_vma)
		return true;
	if (a->anon_vma && b->anon_vma)
		return false;
	return !anon_vma_fork_child(a->anon_vma ? a : b);
}

static int validate_vmas(struct mm_struct *mm)
{
	unsigned long total = 0, data = 0, exec = 0, stack = 0, locked = 0;
	struct vm_area_struct *vma, *prev = NULL;
	int count = 0, ret = 0, unmerged = 0;

	for_each_vma(mm, vma) {
		unsigned long pages = vma_pages(vma);

		count++;
		if (vma->vm_start >= vma->vm_end ||
		    offset_in_page(vma->vm_start) ||
		    offset_in_page(vma->vm_end) || vma->vm_end > TASK_SIZE) {
			mm_bug(mm, "bad vma %lx-%lx", vma->vm_start, vma->vm_end);
			ret = -EINVAL;
		}
		if (vma->vm_mm != mm) {
			mm_bug(mm, "vma %lx-%lx of another mm", vma->vm_start,
			       vma->vm_end);
			ret = -EINVAL;
		}
		if (prev && prev->vm_end > vma->vm_start) {
			mm_bug(mm, "vma %lx-%lx overlaps %lx-%lx",
			       prev->vm_start, prev->vm_end, vma->vm_start,
			       vma->vm_end);
			ret = -EINVAL;
		}
		if (find_vma(mm, vma->vm_start) != vma) {
			mm_bug(mm, "find_vma(%lx) misses its vma", vma->vm_start);
			ret = -EINVAL;
		}
		/*
		 * fork copies VMAs without merging them: a child's
		 * wipe-on-fork neighbours lose their anon_vmas and stay
		 * apart until an operation tries a merge, as in Linux.
		 */
		/*
		 * A failed operation may have kept a split (splits_kept,
		 * mm/task.c): its pieces stay apart until an operation
		 * tries a merge there, as in Linux.
		 */
		if (prev && vmas_mergeable(prev, vma) &&
		    !(prev->vm_flags & vma->vm_flags & VM_WIPEONFORK &&
		      !prev->anon_vma && !vma->anon_vma)) {
			unmerged++;
			if (!READ_ONCE(mm->splits_kept)) {
				mm_bug(mm, "vmas %lx-%lx and %lx-%lx left unmerged",
				       prev->vm_start, prev->vm_end,
				       vma->vm_start, vma->vm_end);
				ret = -EINVAL;
			}
		}
		if (!vma->anon_vma != list_empty(&vma->anon_vma_chain)) {
			mm_bug(mm, "vma %lx-%lx anon_vma %p with %s chain",
			       vma->vm_start, vma->vm_end, (void *)vma->anon_vma,
			       list_empty(&vma->anon_vma_chain) ? "no" : "a");
			ret = -EINVAL;
		}
		if (vma->vm_file && atomic_read(&vma->vm_file->f_count) < 1) {
			mm_bug(mm, "vma %lx-%lx maps a dead file",
			       vma->vm_start, vma->vm_end);
			ret = -EINVAL;
		}
		total += pages;
		if (is_exec_mapping(vma->vm_flags))
			exec += pages;
		else if (is_stack_mapping(vma->vm_flags))
			stack += pages;
		else if (is_data_mapping(vma->vm_flags))
			data += pages;
		if (vma->vm_flags & VM_LOCKED)
			locked += pages;
		prev = vma;
	}
	/* The kept splits are all merged (or unmapped) by now. */
	if (!unmerged && READ_ONCE(mm->splits_kept))
		WRITE_ONCE(mm->splits_kept, false);
	if (count != mm->map_count) {
		mm_bug(mm, "map_count %d, %d vmas", mm->map_count, count);
		ret = -EINVAL;
	}
	if (total != mm->total_vm || data != mm->data_vm ||
	    exec != mm->exec_vm || stack != mm->stack_vm ||
	    locked != mm->locked_vm) {
		mm_bug(mm, "vm counters total %lu/%lu data %lu/%lu exec %lu/%lu stack %lu/%lu locked %lu/%lu",
		       mm->total_vm, total, mm->data_vm, data, mm->exec_vm,
		       exec, mm->stack_vm, stack, mm->locked_vm, locked);
		ret = -EINVAL;
	}
	return ret;
}

int validate_mm(struct mm_struct *mm)
{
	return validate_vmas(mm);
}

/* ---- page tables --------------------------------------------------- */

/* What the walk of all mms counts, machine-wide and per node. */
struct recount {
	struct pfn_table pages;		/* PTE mappings per page, PMD per head */
	unsigned long tables[MAX_NUMNODES]; /* page-table pages */
	int err;			/* first error */
};

static bool is_zero_page_pfn(unsigned long pfn)
{
	return this_machine->zero_page && pfn == this_machine->zero_pfn;
}

static bool is_huge_zero_pfn(unsigned long pfn)
{
	struct folio *hz = this_machine->huge_zero_folio;

	return hz && pfn == folio_pfn(hz);
}

static void count_table(struct mm_struct *mm, struct recount *rc,
			unsigned long pfn, unsigned long *below_pgd, bool pgd)
{
	struct page *table = pfn_to_page(pfn);

	if (!PageTable(table)) {
		mm_bug(mm, "page-table page pfn %lx is not PageTable", pfn);
		rc->err = -EINVAL;
	}
	rc->tables[pfn_to_nid(pfn)]++;
	if (!pgd)
		(*below_pgd)++;
}

static void count_deposited(struct mm_struct *mm, struct recount *rc,
			    unsigned long pmd_table_pfn,
			    unsigned long *below_pgd)
{
	struct page *pmd_table = pfn_to_page(pmd_table_pfn);
	struct list_head *pos;

	if (!pmd_table->lru.next)
		return;
	list_for_each(pos, &pmd_table->lru) {
		struct page *t = list_entry(pos, struct page, lru);

		count_table(mm, rc, page_to_pfn(t), below_pgd, false);
	}
}

static void count_mapping(struct mm_struct *mm, struct recount *rc,
			  unsigned long pfn, bool pmd, long *rss)
{
	struct pfn_count *c;
	struct folio *folio;

	if (!pfn_valid(pfn)) {
		mm_bug(mm, "entry maps pfn %lx outside RAM", pfn);
		rc->err = -EINVAL;
		return;
	}
	folio = page_folio(pfn_to_page(pfn));
	if (pmd && (&folio->page != pfn_to_page(pfn) ||
		    folio_order(folio) != HPAGE_PMD_ORDER)) {
		mm_bug(mm, "huge PMD maps pfn %lx, not a PMD folio's head", pfn);
		rc->err = -EINVAL;
		return;
	}
	rss[mm_counter(folio)] += pmd ? HPAGE_PMD_NR : 1;
	if (!rc->pages.slots)
		return;		/* one mm's counts only */
	c = pfn_table_get(&rc->pages, pfn);
	if (!c) {
		rc->err = rc->err ?: -ENOMEM;
		return;
	}
	if (pmd)
		c->pmds++;
	else
		c->ptes++;
}

/*
 * A hugetlb leaf (a PMD, or a PUD for 1 GiB) at @addr mapping @pfn: inside
 * a hugetlb VMA of that page size, the head of a hugetlb folio of it;
 * counted as a whole-folio mapping, outside RSS.
 */
static void count_hugetlb_mapping(struct mm_struct *mm, struct recount *rc,
				  unsigned long addr, unsigned long pfn,
				  unsigned long size)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct pfn_count *c;
	struct folio *folio;

	if (!vma || !is_vm_hugetlb_page(vma) ||
	    vma_kernel_pagesize(vma) != size ||
	    vma_lookup(mm, addr + size - 1) != vma) {
		mm_bug(mm, "huge entry at %lx (%lu kB) not inside a hugetlb vma "
		       "of its size", addr, size >> 10);
		rc->err = -EINVAL;
		return;
	}
	folio = pfn_valid(pfn) ? page_folio(pfn_to_page(pfn)) : NULL;
	if (!folio || folio_pfn(folio) != pfn ||
	    !PageHugetlb(&folio->page) ||
	    (PAGE_SIZE << folio_order(folio)) != size) {
		mm_bug(mm, "hugetlb entry at %lx maps pfn %lx, not a hugetlb "
		       "folio's head of %lu kB", addr, pfn, size >> 10);
		rc->err = -EINVAL;
		return;
	}
	if (!rc->pages.slots)
		return;
	c = pfn_table_get(&rc->pages, pfn);
	if (!c) {
		rc->err = rc->err ?: -ENOMEM;
		return;
	}
	c->pmds++;
}

/*
 * A hugetlb migration entry (a PMD, or a PUD for 1 GiB) at @addr: inside
 * a hugetlb VMA of that size, for the head of a locked hugetlb folio of
 * it (the migration holds the lock until the entry is gone); it maps
 * nothing, counts in no RSS and no mapcount.
 */
static void check_hugetlb_migration(struct mm_struct *mm, struct recount *rc,
				    unsigned long addr, pmd_t entry,
				    unsigned long size)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	unsigned long pfn = swp_offset_pfn(pmd_to_swp_entry(entry));
	struct folio *folio;

	if (!vma || !is_vm_hugetlb_page(vma) ||
	    vma_kernel_pagesize(vma) != size) {
		mm_bug(mm, "hugetlb migration entry at %lx (%lu kB) not "
		       "inside a hugetlb vma of its size", addr, size >> 10);
		rc->err = -EINVAL;
		return;
	}
	folio = pfn_valid(pfn) ? page_folio(pfn_to_page(pfn)) : NULL;
	if (!folio || folio_pfn(folio) != pfn ||
	    !PageHugetlb(&folio->page) ||
	    (PAGE_SIZE << folio_order(folio)) != size ||
	    !folio_test_locked(folio)) {
		mm_bug(mm, "hugetlb migration entry at %lx for pfn %lx, not "
		       "a locked hugetlb folio's head of %lu kB", addr, pfn,
		       size >> 10);
		rc->err = -EINVAL;
	}
}

static void walk_pte_table(struct mm_struct *mm, struct recount *rc,
			   u64 *ptes, unsigned long base, long *rss)
{
	char why[96];
	int i;

	/* arm64: the folded blocks keep the contiguous-PTE rules. */
	if (arch_is_arm64() &&
	    contpte_validate_table(ptes, base, why, sizeof(why))) {
		mm_bug(mm, "%s", why);
		rc->err = -EINVAL;
	}
	for (i = 0; i < PTRS_PER_PTE; i++) {
		pte_t pte = __pte(READ_ONCE(ptes[i]));
		unsigned long addr = base + ((unsigned long)i << PAGE_SHIFT);
		struct vm_area_struct *vma;

		if (pte_none(pte))
			continue;
		if (!pte_present(pte)) {
			swp_entry_t entry = pte_to_swp_entry(pte);

			/* A page under migration stays in RSS, as in Linux. */
			if (is_migration_entry(entry))
				rss[mm_counter(page_folio(pfn_to_page(
					swp_offset_pfn(entry))))]++;
			continue;
		}
		vma = vma_lookup(mm, addr);
		if (!vma) {
			mm_bug(mm, "present pte %llx at %lx outside any vma",
			       (unsigned long long)pte_val(pte), addr);
			rc->err = -EINVAL;
		}
		if (pte_special(pte) || is_zero_page_pfn(pte_pfn(pte)))
			continue;
		count_mapping(mm, rc, pte_pfn(pte), false, rss);
	}
}

static void walk_mm(struct mm_struct *mm, struct recount *rc)
{
	unsigned long below_pgd = 0;
	long rss[NR_MM_COUNTERS] = { 0 };
	int g, u, d, i;

	if (!mm->pgd)
		return;
	count_table(mm, rc, page_to_pfn(mm->pgd_page), &below_pgd, true);
	for (g = 0; g < PTRS_PER_PGD; g++) {
		u64 pgd = READ_ONCE(mm->pgd[g]);
		u64 *puds;

		if (!pgd)
			continue;
		count_table(mm, rc, table_entry_pfn(pgd), &below_pgd, false);
		puds = table_address(pgd);
		for (u = 0; u < PTRS_PER_PUD; u++) {
			u64 pud = READ_ONCE(puds[u]);
			u64 *pmds;

			if (!pud)
				continue;
			if (pud_leaf(__pud(pud))) {
				count_hugetlb_mapping(mm, rc,
					((unsigned long)g << PGDIR_SHIFT) |
					((unsigned long)u << PUD_SHIFT),
					pmd_pfn(__pmd(pud)), PUD_SIZE);
				continue;
			}
			if (is_hugetlb_entry_migration(__pmd(pud))) {
				check_hugetlb_migration(mm, rc,
					((unsigned long)g << PGDIR_SHIFT) |
					((unsigned long)u << PUD_SHIFT),
					__pmd(pud), PUD_SIZE);
				continue;
			}
			count_table(mm, rc, table_entry_pfn(pud), &below_pgd,
				    false);
			count_deposited(mm, rc, table_entry_pfn(pud),
					&below_pgd);
			pmds = table_address(pud);
			for (d = 0; d < PTRS_PER_PMD; d++) {
				pmd_t pmd = __pmd(READ_ONCE(pmds[d]));
				unsigned long addr = ((unsigned long)g << PGDIR_SHIFT) |
						     ((unsigned long)u << PUD_SHIFT) |
						     ((unsigned long)d << PMD_SHIFT);

				if (pmd_none(pmd))
					continue;
				if (pmd_trans_huge(pmd) && vma_lookup(mm, addr) &&
				    is_vm_hugetlb_page(vma_lookup(mm, addr))) {
					count_hugetlb_mapping(mm, rc, addr,
							      pmd_pfn(pmd),
							      PMD_SIZE);
					continue;
				}
				if (pmd_trans_huge(pmd)) {
					if (!vma_lookup(mm, addr) ||
					    vma_lookup(mm, addr + PMD_SIZE - 1) !=
					    vma_lookup(mm, addr)) {
						mm_bug(mm, "huge pmd at %lx not inside one vma",
						       addr);
						rc->err = -EINVAL;
					}
					if (!is_huge_zero_pfn(pmd_pfn(pmd)))
						count_mapping(mm, rc, pmd_pfn(pmd),
							      true, rss);
					continue;
				}
				if (is_hugetlb_entry_migration(pmd) &&
				    vma_lookup(mm, addr) &&
				    is_vm_hugetlb_page(vma_lookup(mm, addr))) {
					check_hugetlb_migration(mm, rc, addr,
								pmd, PMD_SIZE);
					continue;
				}
				if (is_pmd_migration_entry(pmd)) {
					/* A THP under migration: still RSS. */
					swp_entry_t e = pmd_to_swp_entry(pmd);

					rss[mm_counter(page_folio(pfn_to_page(
						swp_offset_pfn(e))))] +=
						HPAGE_PMD_NR;
					continue;
				}
				if (!pmd_is_table(pmd))
					continue;
				count_table(mm, rc, table_entry_pfn(pmd_val(pmd)),
					    &below_pgd, false);
				walk_pte_table(mm, rc,
					       table_address(pmd_val(pmd)), addr,
					       rss);
			}
		}
	}
	for (i = 0; i < NR_MM_COUNTERS; i++) {
		if (i == MM_SWAPENTS)
			continue;
		if (rss[i] != atomic_long_read(&mm->rss_stat[i])) {
			mm_bug(mm, "rss_stat[%d] %ld, %ld pages mapped", i,
			       atomic_long_read(&mm->rss_stat[i]), rss[i]);
			rc->err = -EINVAL;
		}
	}
	if ((long)(below_pgd * PAGE_SIZE) !=
	    atomic_long_read(&mm->pgtables_bytes)) {
		mm_bug(mm, "pgtables_bytes %ld, %lu tables", 
		       atomic_long_read(&mm->pgtables_bytes), below_pgd);
		rc->err = -EINVAL;
	}
}

bool large_mapcounts_ok(struct folio *folio, unsigned long ptes, int pmds,
			unsigned long pages)
{
	int npm = atomic_read(&folio->_nr_pages_mapped);

	if (!folio_test_large(folio))
		return true;
	/* CONFIG_NO_PAGE_MAPCOUNT: _nr_pages_mapped is never touched. */
	if (!page_mapcount_enabled())
		return atomic_read(&folio->_large_mapcount) + 1 ==
		       (int)ptes + pmds &&
		       atomic_read(&folio->_entire_mapcount) + 1 == pmds &&
		       !npm;
	return atomic_read(&folio->_large_mapcount) + 1 == (int)ptes + pmds &&
	       atomic_read(&folio->_entire_mapcount) + 1 == pmds &&
	       (npm & FOLIO_PAGES_MAPPED) == (int)pages &&
	       !(npm & ENTIRELY_MAPPED) == !pmds;
}

/* Per-folio checks, and the node counters the mappings imply. */
struct node_recount {
	long anon_mapped;		/* NR_ANON_MAPPED */
	long file_mapped;		/* NR_FILE_MAPPED */
	long anon_thps;			/* NR_ANON_THPS, in pages */
};

static int check_folio(struct folio *folio, const struct pfn_table *t,
		       struct node_recount *nodes)
{
	unsigned long nr = folio_nr_pages(folio), i, ptes = 0, pages = 0;
	unsigned long head = folio_pfn(folio);
	struct pfn_count *hc = pfn_table_find(t, head);
	int pmds = hc ? hc->pmds : 0, ret = 0;
	long mapped;

	if (PageHugetlb(&folio->page)) {
		if (atomic_read(&folio->_large_mapcount) + 1 != pmds ||
		    atomic_read(&folio->_entire_mapcount) + 1 != pmds ||
		    folio_ref_count(folio) < pmds) {
			report_bug("hugetlb folio %lx: large %d entire %d "
				   "refcount %d; %d entries map it", head,
				   atomic_read(&folio->_large_mapcount) + 1,
				   atomic_read(&folio->_entire_mapcount) + 1,
				   folio_ref_count(folio), pmds);
			ret = -EINVAL;
		}
		return ret;
	}

	for (i = 0; i < nr; i++) {
		struct pfn_count *c = pfn_table_find(t, head + i);
		int p = c ? c->ptes : 0;
		int mc = atomic_read(&folio_page(folio, i)->_mapcount) + 1;

		if (mc != page_mapcount_expected(folio, p)) {
			report_bug("pfn %lx: mapcount %d, %d ptes map it",
				   head + i, mc, p);
			ret = -EINVAL;
		}
		ptes += p;
		pages += p > 0;
	}
	if (!large_mapcounts_ok(folio, ptes, pmds, pages)) {
		report_bug("folio %lx: large %d entire %d nr_pages_mapped %#x; %lu ptes %d pmds %lu pages",
			   head, atomic_read(&folio->_large_mapcount) + 1,
			   atomic_read(&folio->_entire_mapcount) + 1,
			   atomic_read(&folio->_nr_pages_mapped), ptes, pmds,
			   pages);
		ret = -EINVAL;
	}
	if (folio_ref_count(folio) < folio_mapcount(folio)) {
		report_bug("folio %lx: refcount %d < mapcount %d", head,
			   folio_ref_count(folio), folio_mapcount(folio));
		ret = -EINVAL;
	}
	mapped = pmds ? (long)nr : (long)pages;
	/* CONFIG_NO_PAGE_MAPCOUNT: the whole folio while any of it is. */
	if (!page_mapcount_enabled() && folio_test_large(folio))
		mapped = ptes + pmds ? (long)nr : 0;
	if (folio_test_anon(folio)) {
		nodes[folio_nid(folio)].anon_mapped += mapped;
		if (pmds)
			nodes[folio_nid(folio)].anon_thps += nr;
	} else {
		nodes[folio_nid(folio)].file_mapped += mapped;
	}
	return ret;
}

/* debug.full: no page outside the recount may claim a PTE mapping. */
static int check_unmapped_pages(const struct pfn_table *t)
{
	struct foliage_machine *m = this_machine;
	int nid, z, ret = 0;

	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node_data[nid]->node_zones[z];
			unsigned long pfn;

			if (!populated_zone(zone))
				continue;
			for (pfn = zone->zone_start_pfn;
			     pfn < zone->zone_start_pfn + zone->spanned_pages;
			     pfn++) {
				struct page *page;

				if (block_is_deferred(zone, pfn)) {
					pfn = ALIGN(pfn + 1, MAX_ORDER_NR_PAGES) - 1;
					continue;
				}
				if (!pfn_valid(pfn))
					continue;
				page = pfn_to_page(pfn);
				if (atomic_read(&page->_mapcount) >= 0 &&
				    !pfn_table_find(t, pfn)) {
					report_bug("pfn %lx: mapcount %d but no pte maps it",
						   pfn,
						   atomic_read(&page->_mapcount) + 1);
					ret = -EINVAL;
				}
			}
		}
	return ret;
}

/*
 * Take every listed mm's mmap_lock for write, so the walk sees a quiet
 * machine.  If a thread holds one (asleep in the middle of an operation,
 * the machine being stopped), nothing is checked: -EBUSY, and the
 * validation waits for a later quiet point (kernel/stop_machine.c).
 */
static bool lock_all_mms(struct foliage_machine *m)
{
	struct foliage_task *t, *u;

	list_for_each_entry(t, &m->tasks->list, task.tasks) {
		if (!mmap_write_trylock(t->task.mm)) {
			list_for_each_entry(u, &m->tasks->list, task.tasks) {
				if (u == t)
					break;
				mmap_write_unlock(u->task.mm);
			}
			return false;
		}
	}
	return true;
}

/* anon_vma counts over every mm of the machine; all mms locked. */
static int validate_all_anon_vma_counts(struct foliage_machine *m)
{
	struct mm_struct **mms;
	struct foliage_task *t;
	unsigned int nr = 0;
	int ret;

	list_for_each_entry(t, &m->tasks->list, task.tasks)
		nr++;
	mms = calloc(nr ? nr : 1, sizeof(*mms));
	if (!mms)
		return -ENOMEM;
	nr = 0;
	list_for_each_entry(t, &m->tasks->list, task.tasks)
		mms[nr++] = t->task.mm;
	ret = validate_anon_vma_counts(mms, nr);
	free(mms);
	return ret;
}

int validate_all_mms(void)
{
	struct foliage_machine *m = this_machine;
	struct node_recount nodes[MAX_NUMNODES];
	struct pfn_table folios;
	struct foliage_task *t;
	struct recount rc;
	unsigned long i;
	int nid, ret = 0, err;
	bool locked;

	if (!m->tasks)
		return 0;
	memset(&rc, 0, sizeof(rc));
	memset(nodes, 0, sizeof(nodes));
	if (pfn_table_init(&rc.pages))
		return -ENOMEM;
	if (pfn_table_init(&folios)) {
		free(rc.pages.slots);
		return -ENOMEM;
	}
	spin_lock(&m->tasks->lock);
	locked = lock_all_mms(m);
	list_for_each_entry(t, &m->tasks->list, task.tasks) {
		if (!locked)
			continue;
		err = validate_mm(t->task.mm);
		ret = ret ?: err;
		err = validate_anon_vmas(t->task.mm);
		ret = ret ?: err;
		walk_mm(t->task.mm, &rc);
	}
	ret = ret ?: rc.err;
	if (!locked) {
		ret = -EBUSY;
		goto out;
	}
	err = validate_all_anon_vma_counts(m);
	ret = ret ?: err;
	err = validate_hugetlb_resv();
	ret = ret ?: err;

	/* Every folio seen, once. */
	for (i = 0; i < rc.pages.size; i++) {
		struct pfn_count *c = &rc.pages.slots[i], *f;
		struct folio *folio;

		if (!c->pfn)
			continue;
		folio = page_folio(pfn_to_page(c->pfn - 1));
		f = pfn_table_get(&folios, folio_pfn(folio));
		if (!f) {
			ret = ret ?: -ENOMEM;
			break;
		}
		if (f->ptes)
			continue;
		f->ptes = 1;
		err = check_folio(folio, &rc.pages, nodes);
		ret = ret ?: err;
	}
	for (nid = 0; nid < m->nr_nodes; nid++) {
		pg_data_t *pgdat = m->node_data[nid];
		long anon = atomic_long_read(&pgdat->vm_stat[NR_ANON_MAPPED]);
		long file = atomic_long_read(&pgdat->vm_stat[NR_FILE_MAPPED]);
		long thps = atomic_long_read(&pgdat->vm_stat[NR_ANON_THPS]);
		long tables = atomic_long_read(&pgdat->vm_stat[NR_PAGETABLE]);

		if (anon != nodes[nid].anon_mapped ||
		    file != nodes[nid].file_mapped ||
		    thps != nodes[nid].anon_thps ||
		    tables != (long)rc.tables[nid]) {
			report_bug("node %d: nr_anon_pages %ld/%ld nr_mapped %ld/%ld anon thps %ld/%ld nr_page_table_pages %ld/%lu",
				   nid, anon, nodes[nid].anon_mapped, file,
				   nodes[nid].file_mapped, thps,
				   nodes[nid].anon_thps, tables, rc.tables[nid]);
			ret = -EINVAL;
		}
	}
	if (m->debug_full) {
		err = check_unmapped_pages(&rc.pages);
		ret = ret ?: err;
	}
	/* The huge zero folio: the shrinker's reference + one per mm. */
	{
		int refs = atomic_read(&m->huge_zero_refcount), mms = 0;

		list_for_each_entry(t, &m->tasks->list, task.tasks)
			mms += test_bit(MMF_HUGE_ZERO_FOLIO,
					&t->task.mm->flags);
		if (READ_ONCE(m->huge_zero_folio) ? refs != 1 + mms :
						    refs || mms) {
			report_bug("huge zero folio %p: refcount %d, %d mms hold it",
				   (void *)READ_ONCE(m->huge_zero_folio), refs,
				   mms);
			ret = -EINVAL;
		}
	}
	list_for_each_entry(t, &m->tasks->list, task.tasks)
		mmap_write_unlock(t->task.mm);
out:
	spin_unlock(&m->tasks->lock);
	free(folios.slots);
	free(rc.pages.slots);
	return ret;
}

/*
 * After an operation (linux/validate.h): each of @mms that is still some
 * task's, alone: its VMAs, anon_vma chains, RSS counters and page-table
 * bytes.  An mm another thread holds is left to the next full walk.
 */
int validate_touched_mms(const unsigned long *mms, unsigned int nr)
{
	struct foliage_machine *m = this_machine;
	struct foliage_task *t;
	int ret = 0, err;

	if (!nr || !m->tasks)
		return 0;
	spin_lock(&m->tasks->lock);
	list_for_each_entry(t, &m->tasks->list, task.tasks) {
		struct mm_struct *mm = t->task.mm;
		struct recount rc;
		unsigned int i;

		for (i = 0; i < nr && mms[i] != (unsigned long)mm; i++)
			;
		if (i == nr || pthread_rwlock_trywrlock(&mm->mmap_lock))
			continue;
		memset(&rc, 0, sizeof(rc));
		err = validate_mm(mm);
		ret = ret ?: err;
		err = validate_anon_vmas(mm);
		ret = ret ?: err;
		walk_mm(mm, &rc);
		ret = ret ?: rc.err;
		mmap_write_unlock(mm);
	}
	spin_unlock(&m->tasks->lock);
	return ret;
}
