// SPDX-License-Identifier: GPL-2.0
/*
 * The anon_vma side of the reverse map's proof (the folio side, every
 * mapping found by rmap_walk(), is mm/rmap_check.c):
 *
 *   validate_anon_vmas(mm)	each VMA's anon_vma chain against the
 *				invariants of include/linux/rmap.h: anon_vma
 *				set iff the chain is non-empty, and on it;
 *				each avc's cached interval equal to its VMA's
 *				pgoff range, in a valid tree, of the VMA's
 *				fork tree, no anon_vma twice
 *   validate_anon_vma_counts()	with every mm of the machine: each
 *				anon_vma's num_active_vmas, num_children and
 *				refcount against a recount from the chains
 *   validate_lazy_roots(mm)	ANON_VMA_LAZY: each lazy VMA's root in the
 *				same mm at the same base, alive (not freed:
 *				its refcount recounted from the VMAs using
 *				it and the anon_vma pinning it), detached iff
 *				out of the tree; an upgraded VMA on its
 *				root's anon_vma
 */
#include <stdlib.h>

#include "internal.h"
#include <linux/mm.h>
#include <linux/rmap.h>

#define rmap_bug(fmt, ...)	report_bug("rmap: " fmt, ##__VA_ARGS__)

static int validate_lazy_roots(struct mm_struct *mm);

static bool avc_chain_has(const struct vm_area_struct *vma,
			  const struct anon_vma *anon_vma,
			  const struct anon_vma_chain *upto)
{
	const struct anon_vma_chain *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma) {
		if (avc == upto)
			break;
		if (avc->anon_vma == anon_vma)
			return true;
	}
	return false;
}

/*
 * The chains of @mm's VMAs: anon_vma set iff the chain is non-empty and
 * then among it; each avc points back at its VMA, caches the VMA's pgoff
 * range, sits in a valid tree of an anon_vma of the VMA's fork tree, and
 * no anon_vma appears twice.
 */
int validate_anon_vmas(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	int ret = 0;

	for_each_vma(mm, vma) {
		const struct anon_vma_chain *avc;
		struct anon_vma *anon_vma = vma->anon_vma;

		if (!anon_vma) {
			if (!list_empty(&vma->anon_vma_chain)) {
				rmap_bug("vma %lx-%lx: avcs but no anon_vma",
					 vma->vm_start, vma->vm_end);
				ret = -EINVAL;
			}
			continue;
		}
		anon_vma_lock_read(anon_vma);
		if (!avc_chain_has(vma, anon_vma, NULL)) {
			rmap_bug("vma %lx-%lx: anon_vma %p not on its chain",
				 vma->vm_start, vma->vm_end, (void *)anon_vma);
			ret = -EINVAL;
		}
		list_for_each_entry(avc, &vma->anon_vma_chain, same_vma) {
			if (avc->vma != vma ||
			    avc->rb.start != vma->vm_pgoff ||
			    avc->rb.last != vma_last_pgoff(vma) ||
			    avc->anon_vma->root != anon_vma->root ||
			    avc_chain_has(vma, avc->anon_vma, avc) ||
			    interval_tree_validate(&avc->anon_vma->rb_root)) {
				rmap_bug("vma %lx-%lx pgoff %lx: bad avc for anon_vma %p ([%lx, %lx])",
					 vma->vm_start, vma->vm_end,
					 vma->vm_pgoff, (void *)avc->anon_vma,
					 avc->rb.start, avc->rb.last);
				ret = -EINVAL;
			}
		}
		anon_vma_unlock_read(anon_vma);
	}
	if (anon_vma_lazy_enabled()) {
		int err = validate_lazy_roots(mm);

		ret = ret ?: err;
	}
	return ret;
}

static int ptr_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * ANON_VMA_LAZY roots of @mm: every VMA's lazy_root is a root of this mm
 * at the VMA's base, and each root's vm_refcnt equals the VMAs using it
 * plus one if an anon_vma pins it.  Caller holds mmap_lock.
 */
static int validate_lazy_roots(struct mm_struct *mm)
{
	struct vm_area_struct *vma, **roots;
	size_t nr = 0, i, j;
	int ret = 0;

	roots = malloc((mm->map_count + 1) * sizeof(*roots));
	if (!roots)
		return -ENOMEM;
	for_each_vma(mm, vma) {
		struct vm_area_struct *root = vma->lazy_root;

		if (vma->lazy_detached) {
			rmap_bug("vma %lx-%lx: detached lazy root in the tree",
				 vma->vm_start, vma->vm_end);
			ret = -EINVAL;
		}
		if (!root)
			continue;
		if (nr < (size_t)mm->map_count)
			roots[nr++] = root;
		if (root->vm_mm != mm ||
		    vma_mapping_base(root) != vma_mapping_base(vma) ||
		    !root->vm_refcnt) {
			rmap_bug("vma %lx-%lx pgoff %lx: lazy root %p (%lx-%lx pgoff %lx refcnt %lu) of another mm or base",
				 vma->vm_start, vma->vm_end, vma->vm_pgoff,
				 (void *)root, root->vm_start, root->vm_end,
				 root->vm_pgoff, root->vm_refcnt);
			ret = -EINVAL;
			continue;
		}
		if (root->lazy_detached == (vma_lookup(mm, root->vm_start) ==
					    root)) {
			rmap_bug("lazy root %p %lx-%lx: %s",
				 (void *)root, root->vm_start, root->vm_end,
				 root->lazy_detached ?
				 "detached but in the tree" :
				 "out of the tree but not detached");
			ret = -EINVAL;
		}
		/* A group upgrade searches the span only. */
		if (vma->vm_start < root->lazy_span_start ||
		    vma->vm_end > root->lazy_span_end) {
			rmap_bug("vma %lx-%lx: outside its lazy root's span %lx-%lx",
				 vma->vm_start, vma->vm_end,
				 root->lazy_span_start, root->lazy_span_end);
			ret = -EINVAL;
		}
		if (vma->anon_vma && (!root->lazy_anon_vma ||
				      vma->anon_vma != root->lazy_anon_vma)) {
			rmap_bug("vma %lx-%lx: upgraded to anon_vma %p, its lazy root's is %p",
				 vma->vm_start, vma->vm_end,
				 (void *)vma->anon_vma,
				 (void *)root->lazy_anon_vma);
			ret = -EINVAL;
		}
		if (root->lazy_anon_vma &&
		    root->lazy_anon_vma->lazy_root != root) {
			rmap_bug("lazy root %p: anon_vma %p does not pin it",
				 (void *)root, (void *)root->lazy_anon_vma);
			ret = -EINVAL;
		}
	}
	if (nr)
		qsort(roots, nr, sizeof(*roots), ptr_cmp);
	for (i = 0; i < nr; i = j) {
		struct vm_area_struct *root = roots[i];
		unsigned long want;

		for (j = i; j < nr && roots[j] == root; j++)
			;
		want = (j - i) + (root->lazy_anon_vma ? 1 : 0);
		if (root->vm_refcnt != want) {
			rmap_bug("lazy root %p %lx-%lx: vm_refcnt %lu, recounted %lu",
				 (void *)root, root->vm_start, root->vm_end,
				 root->vm_refcnt, want);
			ret = -EINVAL;
		}
	}
	free(roots);
	return ret;
}

/*
 * The anon_vmas linked from a set of mms, each once with its counts: an
 * open-addressing hash from anon_vma to its index in set[].
 */
struct anon_vma_set {
	struct anon_vma **set;		/* each anon_vma once, in found order */
	size_t nr;			/* used entries of set[] */
	size_t size;			/* allocated entries of set[] */
	size_t *slots;			/* hash: index + 1 into set[], 0 empty */
	size_t nr_slots;		/* a power of two, > 2 * size */
};

static size_t avs_hash(const struct anon_vma_set *s, const void *p)
{
	unsigned long h = (unsigned long)p;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15UL;
	return (h >> 20) & (s->nr_slots - 1);
}

/* set[] index of @a, or -1. */
static long avs_find(const struct anon_vma_set *s, const struct anon_vma *a)
{
	size_t i;

	if (!s->nr_slots)
		return -1;
	for (i = avs_hash(s, a); s->slots[i];
	     i = (i + 1) & (s->nr_slots - 1))
		if (s->set[s->slots[i] - 1] == a)
			return (long)s->slots[i] - 1;
	return -1;
}

static int avs_rehash(struct anon_vma_set *s, size_t nr_slots)
{
	size_t *slots = calloc(nr_slots, sizeof(*slots)), i, h;

	if (!slots)
		return -ENOMEM;
	free(s->slots);
	s->slots = slots;
	s->nr_slots = nr_slots;
	for (i = 0; i < s->nr; i++) {
		for (h = avs_hash(s, s->set[i]); slots[h];
		     h = (h + 1) & (nr_slots - 1))
			;
		slots[h] = i + 1;
	}
	return 0;
}

static int avs_add(struct anon_vma_set *s, struct anon_vma *a)
{
	size_t h;

	if (avs_find(s, a) >= 0)
		return 0;
	if (s->nr == s->size) {
		size_t size = s->size ? 2 * s->size : 64;
		struct anon_vma **n = realloc(s->set, size * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->set = n;
		s->size = size;
		if (avs_rehash(s, 4 * size))
			return -ENOMEM;
	}
	s->set[s->nr] = a;
	for (h = avs_hash(s, a); s->slots[h]; h = (h + 1) & (s->nr_slots - 1))
		;
	s->slots[h] = ++s->nr;
	return 0;
}

/* Collect the anon_vmas linked from @mms, each once (and their roots). */
static int collect_anon_vmas(struct mm_struct **mms, unsigned int nr_mms,
			     struct anon_vma_set *s)
{
	unsigned int m;

	for (m = 0; m < nr_mms; m++) {
		struct vm_area_struct *vma;

		for_each_vma(mms[m], vma) {
			struct anon_vma_chain *avc;

			list_for_each_entry(avc, &vma->anon_vma_chain,
					    same_vma)
				if (avs_add(s, avc->anon_vma) ||
				    avs_add(s, avc->anon_vma->root))
					return -ENOMEM;
		}
	}
	return 0;
}

/*
 * One pass over the VMAs and one over the anon_vmas recount every
 * anon_vma's num_active_vmas, num_children and refcount.
 */
int validate_anon_vma_counts(struct mm_struct **mms, unsigned int nr_mms)
{
	struct anon_vma_set s = { 0 };
	unsigned long *active = NULL, *children = NULL;
	long *refs = NULL;
	size_t i;
	unsigned int m;
	int ret;

	ret = collect_anon_vmas(mms, nr_mms, &s);
	if (ret || !s.nr)
		goto out;
	active = calloc(s.nr, sizeof(*active));
	children = calloc(s.nr, sizeof(*children));
	refs = calloc(s.nr, sizeof(*refs));
	if (!active || !children || !refs) {
		ret = -ENOMEM;
		goto out;
	}
	for (m = 0; m < nr_mms; m++) {
		struct vm_area_struct *vma;

		for_each_vma(mms[m], vma) {
			long a = vma->anon_vma ? avs_find(&s, vma->anon_vma) : -1;

			if (a >= 0)
				active[a]++;
		}
	}
	for (i = 0; i < s.nr; i++) {
		struct anon_vma *b = s.set[i];
		long p = b->parent ? avs_find(&s, b->parent) : -1;
		long r = avs_find(&s, b->root);

		if (!interval_tree_empty(&b->rb_root)) {
			refs[i]++;
			if (p >= 0)
				children[p]++;
		}
		if (r >= 0 && b->root != b)
			refs[r]++;
	}
	for (i = 0; i < s.nr; i++) {
		struct anon_vma *a = s.set[i];

		if (a->num_active_vmas != active[i] ||
		    a->num_children != children[i] ||
		    atomic_read(&a->refcount) != refs[i]) {
			rmap_bug("anon_vma %p: num_active_vmas %lu/%lu num_children %lu/%lu refcount %d/%ld",
				 (void *)a, a->num_active_vmas, active[i],
				 a->num_children, children[i],
				 atomic_read(&a->refcount), refs[i]);
			ret = -EINVAL;
		}
	}
out:
	free(active);
	free(children);
	free(refs);
	free(s.slots);
	free(s.set);
	return ret;
}
