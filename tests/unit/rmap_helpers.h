/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the reverse-map tests: object counts from the slab caches,
 * a VMA by address, and the rmap checker over every task of a machine.
 */
#ifndef _FOLIAGE_TESTS_RMAP_HELPERS_H
#define _FOLIAGE_TESTS_RMAP_HELPERS_H

#include "rmap_check_helpers.h"
#include "task_helpers.h"
#include <linux/rmap.h>
#include <linux/slab.h>
#include "task.h"

/* Objects in use in the machine's cache @s (slabinfo's active_objs). */
static inline long cache_objs(struct kmem_cache *s)
{
	struct slabinfo si;

	kmem_cache_get_info(s, &si);
	return si.active_objs;
}

struct rmap_counts {
	long anon_vma;			/* anon_vma objects */
	long avc;			/* anon_vma_chain objects */
	long vma;			/* vm_area_struct objects */
};

static inline struct rmap_counts rmap_counts(struct foliage_machine *m)
{
	return (struct rmap_counts){
		.anon_vma = cache_objs(m->slab->cache_anon_vma),
		.avc = cache_objs(m->slab->cache_anon_vma_chain),
		.vma = cache_objs(m->slab->cache_vm_area_struct),
	};
}

/* Assert the objects created since @before. */
#define assert_rmap_delta(m, before, d_anon_vma, d_avc)			\
	do {								\
		struct rmap_counts __now = rmap_counts(m);		\
		assert_int_equal(__now.anon_vma - (before).anon_vma,	\
				 (d_anon_vma));				\
		assert_int_equal(__now.avc - (before).avc, (d_avc));	\
	} while (0)

static inline struct vm_area_struct *vma_at(struct foliage_task *task,
					    unsigned long addr)
{
	struct vm_area_struct *vma;

	assert_int_equal(machine_enter(task->machine), 0);
	vma = vma_lookup(task->task.mm, addr);
	assert_non_null(vma);
	return vma;
}

/* The folio mapped at @addr of @t (present entries only). */
static inline struct folio *folio_at(struct foliage_task *t,
				     unsigned long addr)
{
	struct page *page = page_at(t, addr);

	assert_non_null(page);
	return page_folio(page);
}

/* Avcs on @vma's chain. */
static inline int chain_len(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	int n = 0;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		n++;
	return n;
}

/* The mms of every task of @m, in *@mms; returns how many. */
static inline unsigned int machine_mms(struct foliage_machine *m,
				       struct mm_struct **mms, unsigned int max)
{
	struct foliage_task *t;
	unsigned int nr = 0;

	if (m->tasks)
		list_for_each_entry(t, &m->tasks->list, task.tasks) {
			assert_true(nr < max);
			mms[nr++] = t->task.mm;
		}
	return nr;
}

/*
 * The whole reverse map of @m is right: every mapped folio found by
 * rmap_walk() exactly where the page tables map it (mm/rmap_check.c),
 * every anon_vma chain and counter as rmap.h says; fails the test on a
 * bug.
 */
static inline void assert_anon_vmas_ok(struct foliage_machine *m)
{
	struct mm_struct *mms[256];
	unsigned int i, nr;

	assert_int_equal(machine_enter(m), 0);
	nr = machine_mms(m, mms, 256);
	for (i = 0; i < nr; i++)
		assert_int_equal(validate_anon_vmas(mms[i]), 0);
	assert_int_equal(validate_anon_vma_counts(mms, nr), 0);
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
}

static inline void assert_rmap_ok(struct foliage_machine *m)
{
	assert_anon_vmas_ok(m);
	rc_check(m);
}

/* One (mm, address, PMD?) mapping found by an rmap walk. */
struct walk_hit {
	struct mm_struct *mm;		/* whose */
	unsigned long addr;		/* PTE or PMD address */
	bool pmd;			/* a PMD mapping */
};

struct walk_hits {
	struct walk_hit hit[64];	/* in walk order */
	int nr;				/* found */
};

static inline bool walk_collect(struct folio *folio,
				struct vm_area_struct *vma,
				unsigned long address, void *arg)
{
	struct walk_hits *h = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);

	while (page_vma_mapped_walk(&pvmw)) {
		assert_true(h->nr < 64);
		h->hit[h->nr++] = (struct walk_hit){ vma->vm_mm, pvmw.address,
						     !pvmw.pte };
	}
	return true;
}

/* Every mapping of the folio at @addr of @task, by rmap_walk(). */
static inline struct walk_hits walk_folio_at(struct foliage_task *task,
					     unsigned long addr)
{
	struct walk_hits h = { .nr = 0 };
	struct rmap_walk_control rwc = {
		.rmap_one = walk_collect,
		.arg = &h,
	};
	struct page *page = page_at(task, addr);

	assert_non_null(page);
	rmap_walk(page_folio(page), &rwc);
	return h;
}

/* Whether @h holds (mm, addr). */
static inline bool has_hit(const struct walk_hits *h, struct mm_struct *mm,
			   unsigned long addr)
{
	int i;

	for (i = 0; i < h->nr; i++)
		if (h->hit[i].mm == mm && h->hit[i].addr == addr)
			return true;
	return false;
}

#endif /* _FOLIAGE_TESTS_RMAP_HELPERS_H */
