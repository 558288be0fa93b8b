// SPDX-License-Identifier: GPL-2.0
/*
 * foliage_rmap_info(): what a page's folio->mapping is (an anon_vma, an
 * ANON_VMA_LAZY root VMA, a file) and every mapping an rmap walk finds,
 * for `show rmap` and `expect rmap` (docs/anon-vma-lazy.md).  A query: the
 * task's mmap_lock is held for read, then the walk takes the rmap locks
 * in their order (lazy lock > anon_vma rwsem > PTL).
 */
#include <string.h>

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/gfp.h>
#include "task.h"

struct rmap_info_walk {
	struct foliage_rmap_info *out;	/* what we fill */
	struct mm_struct *mm[FOLIAGE_RMAP_MAX]; /* mm of each map[] entry */
};

/* The pid of the live task whose mm is @mm, or 0. */
static int mm_pid(struct mm_struct *mm)
{
	struct foliage_machine *m = this_machine;
	struct foliage_task *t;
	int pid = 0;

	spin_lock(&m->tasks->lock);
	list_for_each_entry(t, &m->tasks->list, task.tasks)
		if (t->task.mm == mm) {
			pid = t->task.pid;
			break;
		}
	spin_unlock(&m->tasks->lock);
	return pid;
}

static bool rmap_info_one(struct folio *folio, struct vm_area_struct *vma,
			  unsigned long address, void *arg)
{
	struct rmap_info_walk *w = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);

	while (page_vma_mapped_walk(&pvmw)) {
		unsigned int n = w->out->nr_mappings++;

		if (n >= FOLIAGE_RMAP_MAX)
			continue;
		w->mm[n] = vma->vm_mm;
		w->out->map[n].addr = pvmw.address;
		w->out->map[n].pmd = !pvmw.pte;
	}
	return true;
}

static unsigned long tree_count(struct interval_tree_root *root)
{
	struct interval_tree_node *node;
	unsigned long n = 0;

	for (node = interval_tree_iter_first(root, 0, ~0UL); node;
	     node = interval_tree_iter_next(node, 0, ~0UL))
		n++;
	return n;
}

/* What @folio->mapping is.  Caller holds the owner's mmap_lock. */
static void mapping_facts(struct folio *folio, struct foliage_rmap_info *out)
{
	struct anon_vma *anon_vma;

	if (folio_test_anon_lazy(folio)) {
		struct vm_area_struct *root;

		out->kind = FOLIAGE_RMAP_LAZY;
		anon_lazy_lock_read();
		/* Moved to an anon_vma meanwhile: report that. */
		if (folio_test_anon_lazy(folio)) {
			root = folio_lazy_root(folio);
			out->base = vma_mapping_base(root);
			out->root_start = root->vm_start;
			out->root_end = root->vm_end;
			out->root_detached = root->lazy_detached;
			out->root_refs = root->vm_refcnt;
			out->root_pid = mm_pid(root->vm_mm);
			anon_vma = root->lazy_anon_vma;
			out->upgraded = anon_vma != NULL;
			if (anon_vma) {
				anon_vma_lock_read(anon_vma);
				out->tree_vmas = tree_count(&anon_vma->rb_root);
				anon_vma_unlock_read(anon_vma);
			}
			anon_lazy_unlock_read();
			return;
		}
		anon_lazy_unlock_read();
	}
	if (folio_test_anon(folio)) {
		out->kind = FOLIAGE_RMAP_ANON_VMA;
		anon_vma = folio_anon_vma(folio);
		anon_vma_lock_read(anon_vma);
		out->tree_vmas = tree_count(&anon_vma->rb_root);
		anon_vma_unlock_read(anon_vma);
		return;
	}
	out->kind = FOLIAGE_RMAP_FILE;
	if (folio_mapping_file(folio)) {
		struct address_space *mapping = folio_mapping_file(folio);

		i_mmap_lock_read(mapping);
		out->tree_vmas = mapping->nr_mmaps;
		i_mmap_unlock_read(mapping);
	}
}

/* The normal page mapped at @addr (a reference taken), or NULL. */
static struct page *get_mapped_page(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct page *page = NULL;
	spinlock_t *ptl;
	pmd_t *pmd, pmde;
	pte_t *pte;

	if (!vma)
		return NULL;
	pmd = pmd_lookup(mm, addr);
	if (!pmd)
		return NULL;
	ptl = pmd_lock(mm, pmd);
	pmde = pmdp_get(pmd);
	if (pmd_trans_huge(pmde)) {
		if (!is_huge_zero_pmd(pmde)) {
			page = pmd_page(pmde) +
			       ((addr & ~PMD_MASK) >> PAGE_SHIFT);
			folio_get(page_folio(page));
		}
		spin_unlock(ptl);
		return page;
	}
	spin_unlock(ptl);
	if (!pmd_present(pmde) || pmd_none(pmde))
		return NULL;
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return NULL;
	if (pte_present(ptep_get(pte)))
		page = vm_normal_page(vma, addr, ptep_get(pte));
	if (page)
		folio_get(page_folio(page));
	pte_unmap_unlock(pte, ptl);
	return page;
}

int foliage_rmap_info(struct foliage_task *task, unsigned long addr,
		      struct foliage_rmap_info *out)
{
	struct rmap_info_walk w = { .out = out };
	struct rmap_walk_control rwc = {
		.rmap_one = rmap_info_one,
		.arg = &w,
	};
	struct mm_struct *mm;
	struct folio *folio;
	struct page *page;
	unsigned int i;
	int ret;

	if (!task || !out)
		return -EINVAL;
	ret = task_query_begin(task, &mm);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	page = get_mapped_page(mm, addr & PAGE_MASK);
	if (!page) {
		task_query_end(task);
		return -ENOENT;
	}
	folio = page_folio(page);
	out->pfn = page_to_pfn(page);
	out->index = folio->index;
	out->nr_pages = folio_nr_pages(folio);
	mapping_facts(folio, out);
	rmap_walk(folio, &rwc);
	for (i = 0; i < out->nr_mappings && i < FOLIAGE_RMAP_MAX; i++)
		out->map[i].pid = mm_pid(w.mm[i]);
	folio_put(folio);
	task_query_end(task);
	return 0;
}

int foliage_anon_rmap_stats(struct foliage_machine *m,
			    struct foliage_anon_rmap_stats *out)
{
	struct anon_rmap_state *st;
	int ret;

	if (!m || !out)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	st = m->anon_rmap;
	out->nr_roots = atomic_long_read(&st->nr_roots);
	out->nr_detached = atomic_long_read(&st->nr_detached);
	out->nr_upgrades = atomic_long_read(&st->nr_upgrades);
	out->nr_fixed = atomic_long_read(&st->nr_fixed);
	out->nr_walk_retries = atomic_long_read(&st->nr_walk_retries);
	machine_leave(m);
	return 0;
}
