// SPDX-License-Identifier: GPL-2.0
/*
 * The reverse-map checker: does rmap_walk() find every (VMA, address) whose
 * PTE or PMD maps a folio, and nothing else?  See mm/rmap_check.h for the
 * two views compared and the invariants.
 *
 * The page-table view is built here from scratch, VMA by VMA, and the
 * reverse-map view looks pages up itself at the addresses their page
 * offsets give, so that neither side trusts the code under test beyond
 * rmap_walk()'s choice of VMAs; page_vma_mapped_walk() is then checked
 * against both.  The machine must be quiet: every task's mmap_lock is
 * taken for write (tasks_lock, then mmap_lock, then the rmap locks that
 * rmap_walk() takes, then page-table locks: Linux's order).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rmap_check.h"
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include "task.h"
#include <linux/validate.h>

struct map_vec {
	struct rmap_map *v;		/* array */
	size_t nr;			/* used */
	size_t size;			/* allocated */
};

/* One check of the machine. */
struct rmap_checker {
	struct foliage_task **tasks;	/* live tasks, mmap_lock held */
	unsigned int nr_tasks;		/* how many */
	struct vm_area_struct **vmas;	/* their VMAs, sorted by pointer */
	size_t nr_vmas;			/* how many */
	struct anon_vma **anon_vmas;	/* anon_vmas their avcs link, sorted */
	size_t nr_anon_vmas;		/* how many */
	struct address_space **files;	/* mappings of their files, sorted */
	size_t nr_files;		/* how many */
	struct vm_area_struct **lazy_roots; /* lazy roots their VMAs use, sorted */
	size_t nr_lazy_roots;		/* how many */
	struct map_vec scan;		/* the page-table view */
	struct map_vec walk;		/* one folio: found through rmap */
	struct map_vec pvmw;		/* one folio: page_vma_mapped_walk() */
	struct map_vec visits;		/* one folio: rmap_one() calls */
	struct rmap_check_stats *st;	/* counts */
	int err;			/* -ENOMEM once an append failed */
	int ret;			/* -EINVAL once a bug was reported */
};

#define rcheck_bug(c, ...) do {						\
	report_bug("rmap check: " __VA_ARGS__);				\
	(c)->ret = -EINVAL;						\
} while (0)

static void map_add(struct rmap_checker *c, struct map_vec *mv,
		    unsigned long folio_pfn, struct vm_area_struct *vma,
		    unsigned long addr, unsigned int page, bool pmd)
{
	if (mv->nr == mv->size) {
		size_t size = mv->size ? 2 * mv->size : 64;
		struct rmap_map *v = realloc(mv->v, size * sizeof(*v));

		if (!v) {
			c->err = -ENOMEM;
			return;
		}
		mv->v = v;
		mv->size = size;
	}
	mv->v[mv->nr++] = (struct rmap_map){
		.folio_pfn = folio_pfn, .vma = vma, .addr = addr,
		.page = page, .pmd = pmd,
	};
}

static int map_cmp(const void *a, const void *b);

static void sort_maps(struct map_vec *mv)
{
	if (mv->nr)
		qsort(mv->v, mv->nr, sizeof(*mv->v), map_cmp);
}

static int cmp_ulong(unsigned long a, unsigned long b)
{
	return a < b ? -1 : a > b;
}

/* Order of the comparison: folio, VMA (by pointer), address, level. */
static int map_cmp(const void *a, const void *b)
{
	const struct rmap_map *x = a, *y = b;

	return cmp_ulong(x->folio_pfn, y->folio_pfn) ?:
	       cmp_ulong((unsigned long)x->vma, (unsigned long)y->vma) ?:
	       cmp_ulong(x->addr, y->addr) ?:
	       cmp_ulong(x->pmd, y->pmd) ?:
	       cmp_ulong(x->page, y->page);
}

static int ptr_cmp(const void *a, const void *b)
{
	return cmp_ulong(*(const unsigned long *)a, *(const unsigned long *)b);
}

static bool ptr_in(void *const *set, size_t nr, const void *p)
{
	return nr && bsearch(&p, set, nr, sizeof(*set), ptr_cmp) != NULL;
}

static int task_pid_of(const struct rmap_checker *c,
		       const struct mm_struct *mm)
{
	unsigned int i;

	for (i = 0; i < c->nr_tasks; i++)
		if (c->tasks[i]->task.mm == mm)
			return c->tasks[i]->task.pid;
	return -1;
}

/* ---- quiet machine: every mm locked, its VMAs and anon_vmas listed ---- */

static int ptr_push(void ***set, size_t *nr, size_t *size, void *p)
{
	if (*nr == *size) {
		size_t n = *size ? 2 * *size : 64;
		void **s = realloc(*set, n * sizeof(*s));

		if (!s)
			return -ENOMEM;
		*set = s;
		*size = n;
	}
	(*set)[(*nr)++] = p;
	return 0;
}

/* Sort a pointer set and drop repeats. */
static size_t ptr_set_finish(void **set, size_t nr)
{
	size_t i, n = 0;

	if (nr)
		qsort(set, nr, sizeof(*set), ptr_cmp);
	for (i = 0; i < nr; i++)
		if (!n || set[n - 1] != set[i])
			set[n++] = set[i];
	return n;
}

static void unlock_tasks(struct rmap_checker *c, unsigned int nr)
{
	while (nr--)
		mmap_write_unlock(c->tasks[nr]->task.mm);
}

/*
 * Hold m->tasks->lock and every task's mmap_lock for write; -EBUSY (nothing
 * held) if someone else holds one of them.
 */
static int lock_machine(struct rmap_checker *c)
{
	struct foliage_machine *m = this_machine;
	size_t vsize = 0, asize = 0, fsize = 0, lsize = 0;
	struct foliage_task *t;
	unsigned int n = 0, i;

	spin_lock(&m->tasks->lock);
	list_for_each_entry(t, &m->tasks->list, task.tasks)
		n++;
	/* On -ENOMEM, unlock_machine() releases what is held. */
	c->tasks = calloc(n ? n : 1, sizeof(*c->tasks));
	if (!c->tasks)
		return -ENOMEM;
	list_for_each_entry(t, &m->tasks->list, task.tasks) {
		if (!mmap_write_trylock(t->task.mm)) {
			unlock_tasks(c, c->nr_tasks);
			spin_unlock(&m->tasks->lock);
			free(c->tasks);
			c->tasks = NULL;
			c->nr_tasks = 0;
			return -EBUSY;
		}
		c->tasks[c->nr_tasks++] = t;
	}
	/* The sets a walk's findings are checked against. */
	for (i = 0; i < c->nr_tasks; i++) {
		struct vm_area_struct *vma;

		for_each_vma(c->tasks[i]->task.mm, vma) {
			struct anon_vma_chain *avc;

			if (ptr_push((void ***)&c->vmas, &c->nr_vmas, &vsize,
				     vma))
				return -ENOMEM;
			if (vma->vm_file &&
			    ptr_push((void ***)&c->files, &c->nr_files, &fsize,
				     vma->vm_file->f_mapping))
				return -ENOMEM;
			if (vma->lazy_root &&
			    ptr_push((void ***)&c->lazy_roots,
				     &c->nr_lazy_roots, &lsize, vma->lazy_root))
				return -ENOMEM;
			list_for_each_entry(avc, &vma->anon_vma_chain,
					    same_vma)
				if (ptr_push((void ***)&c->anon_vmas,
					     &c->nr_anon_vmas, &asize,
					     avc->anon_vma))
					return -ENOMEM;
		}
	}
	c->nr_vmas = ptr_set_finish((void **)c->vmas, c->nr_vmas);
	c->nr_anon_vmas = ptr_set_finish((void **)c->anon_vmas,
					 c->nr_anon_vmas);
	c->nr_files = ptr_set_finish((void **)c->files, c->nr_files);
	c->nr_lazy_roots = ptr_set_finish((void **)c->lazy_roots,
					  c->nr_lazy_roots);
	return 0;
}

static void unlock_machine(struct rmap_checker *c)
{
	unlock_tasks(c, c->nr_tasks);
	spin_unlock(&this_machine->tasks->lock);
	free(c->tasks);
	free(c->vmas);
	free(c->anon_vmas);
	free(c->files);
	free(c->lazy_roots);
	free(c->scan.v);
	free(c->walk.v);
	free(c->pvmw.v);
	free(c->visits.v);
}

/* ---- the page-table view -------------------------------------------- */

static void scan_entry(struct rmap_checker *c, struct vm_area_struct *vma,
		       unsigned long addr, unsigned long pfn, bool pmd)
{
	struct folio *folio;

	/* validate_all_mms() reports entries that map no RAM. */
	if (!pfn_valid(pfn))
		return;
	folio = page_folio(pfn_to_page(pfn));
	map_add(c, &c->scan, folio_pfn(folio), vma, addr,
		pfn - folio_pfn(folio), pmd);
	if (pmd)
		c->st->pmd_maps++;
	else
		c->st->pte_maps++;
}

/*
 * Visit @vma's page tables: @pmd_entry for each huge or non-present
 * (migration) PMD entry, at its PMD-aligned address, and for each 1 GiB
 * leaf (a hugetlb PUD, whose value reads as a huge PMD's) at its
 * PUD-aligned one; @pte_entry for each PTE of the tables, under their
 * lock.
 */
static void walk_vma_tables(struct rmap_checker *c, struct vm_area_struct *vma,
			    void (*pmd_entry)(struct rmap_checker *c,
					      struct vm_area_struct *vma,
					      unsigned long addr, pmd_t pmde,
					      void *arg),
			    void (*pte_entry)(struct rmap_checker *c,
					      struct vm_area_struct *vma,
					      unsigned long addr, pte_t pte,
					      void *arg),
			    void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr, end;

	for (addr = vma->vm_start; addr < vma->vm_end; addr = end) {
		pte_t *ptes, *pte;
		spinlock_t *ptl;
		pmd_t *pmd, pmde;

		end = pmd_addr_end(addr, vma->vm_end);
		pmd = pmd_lookup(mm, addr);
		if (!pmd) {
			pud_t *pud = pud_lookup(mm, addr);

			if (pud && pud_leaf(*pud)) {
				pmd_entry(c, vma, addr & PUD_MASK,
					  pmdp_get((pmd_t *)pud), arg);
				end = pud_addr_end(addr, vma->vm_end);
			}
			continue;
		}
		pmde = pmdp_get(pmd);
		if (pmd_trans_huge(pmde) || is_pmd_migration_entry(pmde)) {
			pmd_entry(c, vma, addr & PMD_MASK, pmde, arg);
			continue;
		}
		ptes = pte_offset_map_lock(mm, pmd, addr, &ptl);
		if (!ptes)
			continue;
		for (pte = ptes; addr < end; addr += PAGE_SIZE, pte++)
			pte_entry(c, vma, addr, ptep_get(pte), arg);
		pte_unmap_unlock(ptes, ptl);
	}
}

static void scan_pmd(struct rmap_checker *c, struct vm_area_struct *vma,
		     unsigned long addr, pmd_t pmde, void *arg)
{
	if (pmd_trans_huge(pmde) && !is_huge_zero_pmd(pmde))
		scan_entry(c, vma, addr, pmd_pfn(pmde), true);
}

static void scan_pte(struct rmap_checker *c, struct vm_area_struct *vma,
		     unsigned long addr, pte_t ptent, void *arg)
{
	if (pte_present(ptent) && !pte_special(ptent) &&
	    !is_zero_pfn(pte_pfn(ptent)))
		scan_entry(c, vma, addr, pte_pfn(ptent), false);
}

/* Every present PTE and huge PMD of @vma that maps a normal page. */
static void scan_vma(struct rmap_checker *c, struct vm_area_struct *vma)
{
	walk_vma_tables(c, vma, scan_pmd, scan_pte, NULL);
}

/* ---- the reverse-map view ------------------------------------------- */

/*
 * Look @folio's pages up in @vma at the addresses their page offsets give:
 * a PTE mapping page i there, or a huge PMD whose range holds it.
 */
static void lookup_folio(struct rmap_checker *c, struct folio *folio,
			 struct vm_area_struct *vma)
{
	unsigned long head = folio_pfn(folio), nr = folio_nr_pages(folio);
	struct mm_struct *mm = vma->vm_mm;
	unsigned long i;

	for (i = 0; i < nr; i++) {
		pgoff_t pgoff = folio->index + i;
		unsigned long addr;
		spinlock_t *ptl;
		pmd_t *pmd, pmde;
		pte_t *pte;

		if (pgoff < vma->vm_pgoff ||
		    pgoff - vma->vm_pgoff >= vma_pages(vma))
			continue;
		addr = vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		pmd = pmd_lookup(mm, addr);
		if (!pmd) {
			pud_t *pud = pud_lookup(mm, addr);

			/* A 1 GiB hugetlb leaf maps the whole folio. */
			if (pud && pud_leaf(*pud) && !i &&
			    pmd_pfn(pmdp_get((pmd_t *)pud)) == head &&
			    !(addr & ~PUD_MASK)) {
				map_add(c, &c->walk, head, vma, addr, 0, true);
				c->st->rmap_pmd_maps++;
				break;
			}
			continue;
		}
		pmde = pmdp_get(pmd);
		if (pmd_trans_huge(pmde)) {
			unsigned long first = pmd_pfn(pmde);
			unsigned long at = first +
					   ((addr & ~PMD_MASK) >> PAGE_SHIFT);

			/* Once per PMD: at its first page of the folio. */
			if (at == head + i &&
			    (i == 0 || !(addr & ~PMD_MASK)) &&
			    !is_huge_zero_pmd(pmde)) {
				map_add(c, &c->walk, head, vma, addr & PMD_MASK,
					first - head, true);
				c->st->rmap_pmd_maps++;
			}
			/* On to the folio's first page after this PMD. */
			i += ((PMD_SIZE - (addr & ~PMD_MASK)) >> PAGE_SHIFT) - 1;
			continue;
		}
		pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
		if (!pte)
			continue;
		if (pte_present(ptep_get(pte)) &&
		    !pte_special(ptep_get(pte)) &&
		    pte_pfn(ptep_get(pte)) == head + i) {
			map_add(c, &c->walk, head, vma, addr, i, false);
			c->st->rmap_pte_maps++;
		}
		pte_unmap_unlock(pte, ptl);
	}
}

/* What page_vma_mapped_walk() finds in @vma, from @address. */
static void pvmw_folio(struct rmap_checker *c, struct folio *folio,
		       struct vm_area_struct *vma, unsigned long address)
{
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, PVMW_SYNC);
	unsigned long head = folio_pfn(folio);

	while (page_vma_mapped_walk(&pvmw)) {
		unsigned long pfn;

		if (pvmw.pte)
			pfn = pte_pfn(ptep_get(pvmw.pte));
		else
			pfn = pmd_pfn(pmdp_get(pvmw.pmd));
		map_add(c, &c->pvmw, head, vma,
			pvmw.pte ? pvmw.address : pvmw.address & PMD_MASK,
			pfn - head, !pvmw.pte);
		c->st->pvmw_maps++;
	}
}

static bool check_rmap_one(struct folio *folio, struct vm_area_struct *vma,
			   unsigned long address, void *arg)
{
	struct rmap_checker *c = arg;
	unsigned long nr = folio_nr_pages(folio);
	pgoff_t first = folio->index, last = first + nr - 1;
	unsigned long want;

	c->st->vma_visits++;
	map_add(c, &c->visits, folio_pfn(folio), vma, address, 0, false);
	/* Only a live VMA may be dereferenced. */
	if (!ptr_in((void **)c->vmas, c->nr_vmas, vma)) {
		rcheck_bug(c, "%s folio pfn 0x%lx index 0x%lx: rmap_walk names vma %p, which no live mm has",
			   folio_test_anon(folio) ? "anon" : "file",
			   folio_pfn(folio), folio->index, (void *)vma);
		c->st->bad_visits++;
		return true;
	}
	if (last < vma->vm_pgoff ||
	    first >= vma->vm_pgoff + vma_pages(vma)) {
		rcheck_bug(c, "%s folio pfn 0x%lx index 0x%lx: rmap_walk names vma 0x%lx-0x%lx pgoff 0x%lx (pid %d), outside its page offsets",
			   folio_test_anon(folio) ? "anon" : "file",
			   folio_pfn(folio), folio->index, vma->vm_start,
			   vma->vm_end, vma->vm_pgoff,
			   task_pid_of(c, vma->vm_mm));
		c->st->bad_visits++;
		return true;
	}
	want = vma->vm_start +
	       ((first > vma->vm_pgoff ? first - vma->vm_pgoff : 0) <<
		PAGE_SHIFT);
	if (address != want) {
		rcheck_bug(c, "%s folio pfn 0x%lx index 0x%lx: rmap_walk gives address 0x%lx in vma 0x%lx-0x%lx pgoff 0x%lx (pid %d), not 0x%lx",
			   folio_test_anon(folio) ? "anon" : "file",
			   folio_pfn(folio), folio->index, address,
			   vma->vm_start, vma->vm_end, vma->vm_pgoff,
			   task_pid_of(c, vma->vm_mm), want);
		c->st->bad_visits++;
	}
	lookup_folio(c, folio, vma);
	pvmw_folio(c, folio, vma, want);
	return true;
}

/* ---- comparing the two views ---------------------------------------- */

/* Why rmap_walk() could not find a mapping the page tables have. */
static const char *missed_why(const struct rmap_checker *c,
			      struct folio *folio, const struct rmap_map *w)
{
	const struct vm_area_struct *vma = w->vma;
	pgoff_t pgoff = folio->index + w->page;
	unsigned long linear = vma->vm_start +
			       ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
	size_t i;

	if (folio_test_anon_lazy(folio)) {
		const struct vm_area_struct *root = folio_lazy_root(folio);

		if (vma->lazy_root == root)
			goto linked;
		if (!root->lazy_anon_vma)
			return "the vma does not use the folio's lazy root, which was never upgraded";
		if (!vma->anon_vma ||
		    vma->anon_vma->root != root->lazy_anon_vma)
			return "the vma is on neither the folio's lazy root nor its anon_vma";
		goto linked;
	} else if (folio_test_anon(folio)) {
		const struct anon_vma_chain *avc;

		if (!vma->anon_vma)
			return "the vma has no anon_vma";
		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
			if (avc->anon_vma == folio_anon_vma(folio))
				goto linked;
		return "the vma is not linked to the folio's anon_vma";
	} else if (!vma->vm_file ||
		   vma->vm_file->f_mapping != folio->mapping) {
		return "the vma maps another file";
	}
linked:
	for (i = 0; i < c->visits.nr; i++)
		if (c->visits.v[i].vma == vma)
			break;
	if (i == c->visits.nr)
		return "rmap_walk did not name the vma";
	if (pgoff < vma->vm_pgoff ||
	    (w->pmd ? (linear & PMD_MASK) : linear) != w->addr)
		return "the address disagrees with index and vm_pgoff";
	return "the lookup at its address found something else";
}

static void report_map(struct rmap_checker *c, struct folio *folio,
		       const struct rmap_map *r, const char *side,
		       const char *why)
{
	rcheck_bug(c, "%s folio pfn 0x%lx index 0x%lx: %s at 0x%lx (page %u) in vma 0x%lx-0x%lx pgoff 0x%lx (pid %d) %s%s%s",
		   folio_test_anon(folio) ? "anon" : "file", folio_pfn(folio),
		   folio->index, r->pmd ? "PMD" : "PTE", r->addr, r->page,
		   r->vma->vm_start, r->vma->vm_end, r->vma->vm_pgoff,
		   task_pid_of(c, r->vma->vm_mm), side, why ? ": " : "",
		   why ? why : "");
}

/*
 * Compare two sorted lists of one folio's mappings; report what only one
 * side has.  Returns how many mappings only @a has, and only @b in *@only_b.
 */
static unsigned long compare_maps(struct rmap_checker *c, struct folio *folio,
				  const struct rmap_map *a, size_t nr_a,
				  const struct rmap_map *b, size_t nr_b,
				  const char *a_only, const char *b_only,
				  bool explain, unsigned long *only_b)
{
	unsigned long only_a = 0;
	size_t i = 0, j = 0;

	*only_b = 0;
	while (i < nr_a || j < nr_b) {
		int d = i == nr_a ? 1 : j == nr_b ? -1 :
			map_cmp(&a[i], &b[j]);

		if (!d) {
			i++;
			j++;
		} else if (d < 0) {
			report_map(c, folio, &a[i], a_only,
				   explain ? missed_why(c, folio, &a[i]) : NULL);
			only_a++;
			i++;
		} else {
			report_map(c, folio, &b[j], b_only, NULL);
			(*only_b)++;
			j++;
		}
	}
	return only_a;
}

/* Walk @folio, whose mappings per the page tables are @want. */
static void walk_folio(struct rmap_checker *c, struct folio *folio)
{
	struct rmap_walk_control rwc = {
		.rmap_one = check_rmap_one,
		.arg = c,
	};
	size_t i;

	c->walk.nr = c->pvmw.nr = c->visits.nr = 0;
	rmap_walk(folio, &rwc);
	sort_maps(&c->walk);
	sort_maps(&c->pvmw);
	sort_maps(&c->visits);
	for (i = 1; i < c->visits.nr; i++) {
		if (c->visits.v[i].vma != c->visits.v[i - 1].vma)
			continue;
		rcheck_bug(c, "%s folio pfn 0x%lx index 0x%lx: rmap_walk names vma %p twice",
			   folio_test_anon(folio) ? "anon" : "file",
			   folio_pfn(folio), folio->index,
			   (void *)c->visits.v[i].vma);
		c->st->bad_visits++;
	}
}

/*
 * Check one folio: @want (sorted, maybe empty) are its mappings in the
 * page tables.
 */
/*
 * CONFIG_MM_ID: @folio's mm slots against its mappings @maps (each with
 * its VMA).  A slot is free exactly when its mapcount is -1; a slot's mm
 * maps the folio at least slot mapcount + 1 times (more if it mapped some
 * while no slot was free); and a mapped folio not marked "maybe mapped
 * shared" is mapped by one mm only, whose slot counts every mapping.
 */
static void check_mm_slots(struct rmap_checker *c, struct folio *folio,
			   const struct rmap_map *maps, size_t nr)
{
	unsigned long per_slot[2] = { 0, 0 }, others = 0;
	mm_id_mapcount_t mc[2];
	mm_id_t id[2];
	size_t j;
	int i;

	if (!folio_test_large(folio) || PageHugetlb(&folio->page))
		return;
	for (i = 0; i < 2; i++) {
		id[i] = folio_mm_id(folio, i);
		mc[i] = folio_mm_id_mapcount(folio, i);
		if ((id[i] == MM_ID_DUMMY) != (mc[i] == -1))
			rcheck_bug(c, "folio pfn 0x%lx: mm slot %d holds id %u with mapcount %d",
				   folio_pfn(folio), i, id[i], mc[i]);
	}
	for (j = 0; j < nr; j++) {
		mm_id_t mm_id = maps[j].vma->vm_mm->mm_id;

		if (mm_id == id[0])
			per_slot[0]++;
		else if (mm_id == id[1])
			per_slot[1]++;
		else
			others++;
	}
	for (i = 0; i < 2; i++)
		if (id[i] != MM_ID_DUMMY && (unsigned long)mc[i] + 1 > per_slot[i])
			rcheck_bug(c, "folio pfn 0x%lx: mm slot %d counts %d mappings of mm id %u, which has %lu",
				   folio_pfn(folio), i, mc[i] + 1, id[i],
				   per_slot[i]);
	if (!nr || folio_test_large_maybe_mapped_shared(folio))
		return;
	if (others || (per_slot[0] && per_slot[1]))
		rcheck_bug(c, "folio pfn 0x%lx: not marked maybe mapped shared, but more than one mm maps it (%lu + %lu + %lu mappings)",
			   folio_pfn(folio), per_slot[0], per_slot[1], others);
	else if ((unsigned long)mc[0] + 1 != nr && (unsigned long)mc[1] + 1 != nr)
		rcheck_bug(c, "folio pfn 0x%lx: not marked maybe mapped shared, but no mm slot counts its %zu mappings (%d, %d)",
			   folio_pfn(folio), nr, mc[0] + 1, mc[1] + 1);
}

static void check_folio(struct rmap_checker *c, struct folio *folio,
			const struct rmap_map *want, size_t nr_want)
{
	unsigned long extra, diff_b;
	bool anon = folio_test_anon(folio);

	c->st->folios++;
	if (anon)
		c->st->anon_folios++;
	else
		c->st->file_folios++;
	if (!nr_want)
		c->st->unmapped_folios++;
	check_mm_slots(c, folio, want, nr_want);
	if (anon && !nr_want) {
		if (folio_mapped(folio))
			rcheck_bug(c, "anon folio pfn 0x%lx index 0x%lx: mapcount %d but no page table maps it",
				   folio_pfn(folio), folio->index,
				   folio_mapcount(folio));
		return;
	}
	/* No mapped folio may point at a freed (or foreign) root VMA. */
	if (anon && folio_test_anon_lazy(folio)) {
		if (!ptr_in((void **)c->lazy_roots, c->nr_lazy_roots,
			    folio_lazy_root(folio))) {
			report_map(c, folio, &want[0], "in the page tables",
				   "its lazy root VMA is used by no live vma");
			c->st->missed += nr_want;
			return;
		}
	} else if (anon && !ptr_in((void **)c->anon_vmas, c->nr_anon_vmas,
				   folio_anon_vma(folio))) {
		report_map(c, folio, &want[0], "in the page tables",
			   "its anon_vma is linked to no live vma");
		c->st->missed += nr_want;
		return;
	}
	if (!anon && !folio_mapping_file(folio)) {
		if (nr_want) {
			report_map(c, folio, &want[0], "in the page tables",
				   "the folio has no mapping");
			c->st->missed += nr_want;
		}
		return;
	}
	/*
	 * A file no live VMA maps has an empty i_mmap, and nothing keeps
	 * its mapping alive for a walk while another CPU may close it.
	 */
	if (!anon && !nr_want &&
	    !ptr_in((void **)c->files, c->nr_files, folio->mapping)) {
		if (folio_mapped(folio))
			rcheck_bug(c, "file folio pfn 0x%lx index 0x%lx: mapcount %d but no page table maps it",
				   folio_pfn(folio), folio->index,
				   folio_mapcount(folio));
		return;
	}
	walk_folio(c, folio);
	c->st->missed += compare_maps(c, folio, want, nr_want, c->walk.v,
				      c->walk.nr, "in the page tables, missed by rmap_walk",
				      "found through rmap_walk, not in the page tables",
				      true, &extra);
	c->st->extra += extra;
	if (compare_maps(c, folio, c->walk.v, c->walk.nr, c->pvmw.v,
			 c->pvmw.nr, "missed by page_vma_mapped_walk",
			 "found by page_vma_mapped_walk only", false, &diff_b) ||
	    diff_b)
		c->st->pvmw_mismatches++;
}

/*
 * Head pfns of the folios on every node's LRU lists, sorted, each with a
 * reference taken: a CPU unpinning a folio that no page table maps any
 * more (which takes no mmap_lock) cannot free it under the check.
 */
static int collect_lru(unsigned long **out, size_t *nr_out)
{
	struct foliage_machine *m = this_machine;
	size_t nr = 0, size = 0;
	void **set = NULL;
	int nid, lru, err = 0;

	for (nid = 0; nid < m->nr_nodes && !err; nid++) {
		struct lruvec *lruvec = &m->node_data[nid]->__lruvec;

		spin_lock(&lruvec->lru_lock);
		for (lru = 0; lru < LRU_UNEVICTABLE && !err; lru++) {
			struct folio *folio;

			/* No user folio yet: zero_page_init() not run. */
			if (!lruvec->lists[lru].next)
				continue;
			list_for_each_entry(folio, &lruvec->lists[lru], lru) {
				/* Its last reference is going: not ours. */
				if (!atomic_add_unless(&folio->_refcount, 1, 0))
					continue;
				err = ptr_push(&set, &nr, &size,
					       (void *)folio_pfn(folio));
				if (err) {
					folio_put(folio);
					break;
				}
			}
		}
		spin_unlock(&lruvec->lru_lock);
	}
	*out = (unsigned long *)set;
	*nr_out = nr;
	if (err)
		return err;
	/* Sorted, for the merge with the scan; each folio is listed once. */
	if (nr)
		qsort(set, nr, sizeof(*set), ptr_cmp);
	return 0;
}

static void put_lru(unsigned long *lru, size_t nr)
{
	while (nr--)
		folio_put(page_folio(pfn_to_page(lru[nr])));
	free(lru);
}

static int check_machine(struct rmap_checker *c)
{
	unsigned long *lru = NULL;
	size_t nr_lru = 0, i = 0, j = 0;
	int ret;

	for (i = 0; i < c->nr_tasks; i++) {
		struct vm_area_struct *vma;

		c->st->mms++;
		for_each_vma(c->tasks[i]->task.mm, vma) {
			c->st->vmas++;
			scan_vma(c, vma);
		}
	}
	ret = collect_lru(&lru, &nr_lru);
	if (ret || c->err)
		goto out;
	sort_maps(&c->scan);
	/* Each folio once, from both lists merged: mapped ones, LRU ones. */
	for (i = 0, j = 0; i < c->scan.nr || j < nr_lru;) {
		unsigned long pfn;
		size_t k = i;

		if (j == nr_lru ||
		    (i < c->scan.nr && c->scan.v[i].folio_pfn <= lru[j]))
			pfn = c->scan.v[i].folio_pfn;
		else
			pfn = lru[j];
		while (k < c->scan.nr && c->scan.v[k].folio_pfn == pfn)
			k++;
		while (j < nr_lru && lru[j] == pfn)
			j++;
		check_folio(c, page_folio(pfn_to_page(pfn)),
			    k > i ? &c->scan.v[i] : NULL, k - i);
		i = k;
		if (c->err)
			break;
	}
out:
	put_lru(lru, nr_lru);
	return ret ?: c->err ?: c->ret;
}

int rmap_check_machine(struct rmap_check_stats *stats)
{
	struct rmap_checker c = { .st = stats };
	int ret;

	memset(stats, 0, sizeof(*stats));
	if (!this_machine->tasks)
		return 0;
	ret = lock_machine(&c);
	if (ret == -EBUSY)
		return ret;
	if (!ret)
		ret = check_machine(&c);
	unlock_machine(&c);
	return ret;
}

int validate_rmap(void)
{
	struct rmap_check_stats stats;
	/* -EBUSY (an mm busy) is passed on: the check is owed, not done. */
	return rmap_check_machine(&stats);
}

/* ---- the folios one operation touched (linux/validate.h) ------------ */

/*
 * @folio's mapcounts against the mappings the walk found (c->walk): each
 * page's _mapcount, and for a large folio _large_mapcount,
 * _entire_mapcount and _nr_pages_mapped.
 */
static void check_walk_mapcounts(struct rmap_checker *c, struct folio *folio)
{
	unsigned long nr = folio_nr_pages(folio), i, ptes = 0, pages = 0;
	unsigned long head = folio_pfn(folio);
	int *per_page = calloc(nr, sizeof(*per_page));
	int pmds = 0;

	if (!per_page) {
		c->err = -ENOMEM;
		return;
	}
	for (i = 0; i < c->walk.nr; i++) {
		if (c->walk.v[i].pmd)
			pmds++;
		else if (c->walk.v[i].page < nr)
			per_page[c->walk.v[i].page]++;
	}
	for (i = 0; i < nr; i++) {
		int mc = atomic_read(&folio_page(folio, i)->_mapcount) + 1;

		if (mc != page_mapcount_expected(folio, per_page[i]))
			rcheck_bug(c, "%s folio pfn 0x%lx index 0x%lx: page %lu mapcount %d, rmap_walk finds %d PTEs",
				   folio_test_anon(folio) ? "anon" : "file",
				   head, folio->index, i, mc, per_page[i]);
		ptes += per_page[i];
		pages += per_page[i] > 0;
	}
	check_mm_slots(c, folio, c->walk.v, c->walk.nr);
	if (!large_mapcounts_ok(folio, ptes, pmds, pages))
		rcheck_bug(c, "folio pfn 0x%lx: large %d entire %d nr_pages_mapped %#x; rmap_walk finds %lu PTEs %d PMDs on %lu pages",
			   head, atomic_read(&folio->_large_mapcount) + 1,
			   atomic_read(&folio->_entire_mapcount) + 1,
			   atomic_read(&folio->_nr_pages_mapped), ptes, pmds,
			   pages);
	free(per_page);
}

/* One touched folio; the machine is locked (lock_machine()). */
static void check_touched_folio(struct rmap_checker *c, unsigned long pfn)
{
	struct folio *folio;
	bool anon;

	if (!pfn_valid(pfn))
		return;
	folio = page_folio(pfn_to_page(pfn));
	/* Freed by the operation: the allocator checked it on the way. */
	if (!atomic_add_unless(&folio->_refcount, 1, 0))
		return;
	/* A page table, slab...: typed pages have no mapcount. */
	if ((folio->page.page_type >> 24) >= PGTY_buddy &&
	    (folio->page.page_type >> 24) < PGTY_mapcount_underflow)
		goto out;
	c->st->folios++;
	anon = folio_test_anon(folio);
	/*
	 * No live VMA links its anon_vma (uses its lazy root) or maps its
	 * file: no safe walk.
	 */
	if ((anon && folio_test_anon_lazy(folio) &&
	     !ptr_in((void **)c->lazy_roots, c->nr_lazy_roots,
		     folio_lazy_root(folio))) ||
	    (anon && !folio_test_anon_lazy(folio) &&
	     !ptr_in((void **)c->anon_vmas, c->nr_anon_vmas,
		     folio_anon_vma(folio))) ||
	    (!anon && (!folio_mapping_file(folio) ||
		       !ptr_in((void **)c->files, c->nr_files,
			       folio->mapping)))) {
		if (folio_mapped(folio))
			rcheck_bug(c, "%s folio pfn 0x%lx index 0x%lx: mapcount %d but no live vma can map it",
				   anon ? "anon" : "file", folio_pfn(folio),
				   folio->index, folio_mapcount(folio));
		goto out;
	}
	walk_folio(c, folio);
	if (c->err)
		goto out;
	{
		unsigned long diff_b;

		if (compare_maps(c, folio, c->walk.v, c->walk.nr, c->pvmw.v,
				 c->pvmw.nr, "missed by page_vma_mapped_walk",
				 "found by page_vma_mapped_walk only", false,
				 &diff_b) || diff_b)
			c->st->pvmw_mismatches++;
	}
	check_walk_mapcounts(c, folio);
out:
	folio_put(folio);
}

int rmap_check_folios(const unsigned long *pfns, unsigned int nr)
{
	struct rmap_check_stats stats = { 0 };
	struct rmap_checker c = { .st = &stats };
	unsigned int i;
	int ret;

	if (!nr || !this_machine->tasks)
		return 0;
	ret = lock_machine(&c);
	if (ret == -EBUSY)
		return 0;	/* not quiet: the next full walk checks it */
	for (i = 0; !ret && i < nr && !c.err; i++)
		check_touched_folio(&c, pfns[i]);
	ret = ret ?: c.err ?: c.ret;
	unlock_machine(&c);
	return ret;
}

static int map_by_vma_cmp(const void *a, const void *b)
{
	const struct rmap_map *x = a, *y = b;

	return cmp_ulong(x->vma->vm_start, y->vma->vm_start) ?:
	       cmp_ulong((unsigned long)x->vma, (unsigned long)y->vma) ?:
	       cmp_ulong(x->addr, y->addr);
}

int rmap_check_folio(struct folio *folio, struct rmap_map **maps,
		     size_t *nr_maps)
{
	struct rmap_check_stats stats = { 0 };
	struct rmap_checker c = { .st = &stats };
	int ret;

	*maps = NULL;
	*nr_maps = 0;
	if (!this_machine->tasks)
		return 0;
	ret = lock_machine(&c);
	if (ret == -EBUSY)
		return ret;
	if (ret)
		goto out;
	if (folio_test_anon(folio) &&
	    (!folio_mapped(folio) ||
	     !ptr_in((void **)c.anon_vmas, c.nr_anon_vmas,
		     folio_anon_vma(folio)))) {
		ret = -EINVAL;
		goto out;
	}
	walk_folio(&c, folio);
	ret = c.err ?: c.ret;
	if (!ret && c.walk.nr) {
		qsort(c.walk.v, c.walk.nr, sizeof(*c.walk.v), map_by_vma_cmp);
		*maps = c.walk.v;
		*nr_maps = c.walk.nr;
		c.walk.v = NULL;
	}
out:
	unlock_machine(&c);
	return ret;
}

/* ---- migration entries ---------------------------------------------- */

/*
 * A hugetlb VMA's migration entries of @folio: one per huge page, a PMD
 * or (1 GiB) a PUD, recorded as a PMD mapping as page_vma_mapped_walk()
 * reports it.
 */
static void scan_hugetlb_vma_migration(struct rmap_checker *c,
				       struct vm_area_struct *vma,
				       struct folio *folio)
{
	unsigned long sz = vma_kernel_pagesize(vma), addr, head;
	spinlock_t *ptl;
	pmd_t *ptep, e;

	head = folio_pfn(folio);
	for (addr = vma->vm_start; addr < vma->vm_end; addr += sz) {
		ptep = hugetlb_walk(vma, addr, &ptl);
		if (!ptep)
			continue;
		e = pmdp_get(ptep);
		if (!is_hugetlb_entry_migration(e) ||
		    swp_offset_pfn(pmd_to_swp_entry(e)) != head)
			continue;
		map_add(c, &c->scan, head, vma, addr & PMD_MASK, 0, true);
		c->st->pmd_maps++;
	}
}

/* A migration entry naming a page of the folio (@arg), recorded. */
static void scan_migration_entry(struct rmap_checker *c,
				 struct vm_area_struct *vma,
				 unsigned long addr, swp_entry_t entry,
				 struct folio *folio, bool pmd)
{
	unsigned long head = folio_pfn(folio), pfn = swp_offset_pfn(entry);

	if (!is_migration_entry(entry) || pfn < head ||
	    pfn >= head + folio_nr_pages(folio))
		return;
	map_add(c, &c->scan, head, vma, addr, pfn - head, pmd);
	if (pmd)
		c->st->pmd_maps++;
	else
		c->st->pte_maps++;
}

static void scan_pmd_migration(struct rmap_checker *c,
			       struct vm_area_struct *vma, unsigned long addr,
			       pmd_t pmde, void *arg)
{
	if (is_pmd_migration_entry(pmde))
		scan_migration_entry(c, vma, addr, pmd_to_swp_entry(pmde), arg,
				     true);
}

static void scan_pte_migration(struct rmap_checker *c,
			       struct vm_area_struct *vma, unsigned long addr,
			       pte_t ptent, void *arg)
{
	if (is_swap_pte(ptent))
		scan_migration_entry(c, vma, addr, pte_to_swp_entry(ptent),
				     arg, false);
}

/*
 * Every migration entry of @vma, a PTE or a PMD one, that names a page of
 * @folio: what remove_migration_ptes() must turn back into mappings.
 */
static void scan_vma_migration(struct rmap_checker *c,
			       struct vm_area_struct *vma, struct folio *folio)
{
	if (is_vm_hugetlb_page(vma))
		scan_hugetlb_vma_migration(c, vma, folio);
	else
		walk_vma_tables(c, vma, scan_pmd_migration,
				scan_pte_migration, folio);
}

/* rmap_one of the migration check: page_vma_mapped_walk(PVMW_MIGRATION). */
static bool check_migration_one(struct folio *folio,
				struct vm_area_struct *vma,
				unsigned long address, void *arg)
{
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address,
			      PVMW_SYNC | PVMW_MIGRATION);
	struct rmap_checker *c = arg;
	unsigned long head = folio_pfn(folio), pfn;

	c->st->vma_visits++;
	if (!ptr_in((void **)c->vmas, c->nr_vmas, vma)) {
		rcheck_bug(c, "folio pfn 0x%lx under migration: rmap_walk names vma %p, which no live mm has",
			   head, (void *)vma);
		c->st->bad_visits++;
		return true;
	}
	while (page_vma_mapped_walk(&pvmw)) {
		if (pvmw.pte)
			pfn = swp_offset_pfn(pte_to_swp_entry(
					ptep_get(pvmw.pte)));
		else
			pfn = swp_offset_pfn(pmd_to_swp_entry(
					pmdp_get(pvmw.pmd)));
		map_add(c, &c->pvmw, head, vma,
			pvmw.pte ? pvmw.address : pvmw.address & PMD_MASK,
			pfn - head, !pvmw.pte);
		c->st->pvmw_maps++;
	}
	return true;
}

int rmap_check_migration_folio(struct folio *folio, unsigned long *nr_entries)
{
	struct rmap_check_stats stats = { 0 };
	struct rmap_checker c = { .st = &stats };
	struct rmap_walk_control rwc = {
		.rmap_one = check_migration_one,
		.arg = &c,
	};
	unsigned long only_walk;
	unsigned int i;
	int ret;

	*nr_entries = 0;
	if (!this_machine->tasks)
		return 0;
	ret = lock_machine(&c);
	if (ret == -EBUSY)
		return ret;
	if (ret)
		goto out;
	/* Not under migration: no entry of it can be told from a stale one. */
	if (!folio_test_locked(folio) || folio_mapped(folio)) {
		ret = -ENOENT;
		goto out;
	}
	if (folio_test_anon(folio) && !folio_test_anon_lazy(folio) &&
	    !ptr_in((void **)c.anon_vmas, c.nr_anon_vmas,
		    folio_anon_vma(folio)) && folio_anon_vma(folio)) {
		/* Migration pins it: no live VMA links it, nothing maps it. */
		for (i = 0; i < c.nr_tasks; i++) {
			struct vm_area_struct *vma;

			for_each_vma(c.tasks[i]->task.mm, vma)
				scan_vma_migration(&c, vma, folio);
		}
		if (c.scan.nr)
			rcheck_bug(&c, "folio pfn 0x%lx under migration: %zu migration entries, but its anon_vma links no live vma",
				   folio_pfn(folio), c.scan.nr);
		goto out;
	}
	for (i = 0; i < c.nr_tasks; i++) {
		struct vm_area_struct *vma;

		for_each_vma(c.tasks[i]->task.mm, vma)
			scan_vma_migration(&c, vma, folio);
	}
	rmap_walk(folio, &rwc);
	sort_maps(&c.scan);
	sort_maps(&c.pvmw);
	stats.missed = compare_maps(&c, folio, c.scan.v, c.scan.nr, c.pvmw.v,
				    c.pvmw.nr, "migration entry rmap_walk misses",
				    "found by rmap_walk only", false,
				    &only_walk);
	stats.extra = only_walk;
	*nr_entries = c.scan.nr;
out:
	ret = ret ?: c.err ?: c.ret;
	unlock_machine(&c);
	return ret;
}
