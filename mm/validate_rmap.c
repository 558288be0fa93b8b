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
 */
#include <stdlib.h>

#include "internal.h"
#include <linux/mm.h>
#include <linux/rmap.h>

#define rmap_bug(fmt, ...)	report_bug("rmap: " fmt, ##__VA_ARGS__)

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
	return ret;
}

/* Collect the anon_vmas linked from @mms, each once (and their roots). */
static int collect_anon_vmas(struct mm_struct **mms, unsigned int nr_mms,
			     struct anon_vma ***out, size_t *nr_out)
{
	struct anon_vma **set = NULL;
	size_t nr = 0, size = 0, i;
	unsigned int m;

	for (m = 0; m < nr_mms; m++) {
		struct vm_area_struct *vma;

		for_each_vma(mms[m], vma) {
			struct anon_vma_chain *avc;

			list_for_each_entry(avc, &vma->anon_vma_chain,
					    same_vma) {
				struct anon_vma *cand[2] = {
					avc->anon_vma, avc->anon_vma->root
				};
				int c;

				for (c = 0; c < 2; c++) {
					for (i = 0; i < nr; i++)
						if (set[i] == cand[c])
							break;
					if (i < nr)
						continue;
					if (nr == size) {
						struct anon_vma **n;

						size = size ? 2 * size : 64;
						n = realloc(set, size *
							    sizeof(*set));
						if (!n) {
							free(set);
							return -ENOMEM;
						}
						set = n;
					}
					set[nr++] = cand[c];
				}
			}
		}
	}
	*out = set;
	*nr_out = nr;
	return 0;
}

int validate_anon_vma_counts(struct mm_struct **mms, unsigned int nr_mms)
{
	struct anon_vma **set;
	size_t nr, i, j;
	int ret;

	ret = collect_anon_vmas(mms, nr_mms, &set, &nr);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		struct anon_vma *a = set[i];
		unsigned long active = 0, children = 0;
		long refs = interval_tree_empty(&a->rb_root) ? 0 : 1;
		unsigned int m;

		for (m = 0; m < nr_mms; m++) {
			struct vm_area_struct *vma;

			for_each_vma(mms[m], vma)
				active += vma->anon_vma == a;
		}
		for (j = 0; j < nr; j++) {
			struct anon_vma *b = set[j];

			if (b->parent == a &&
			    !interval_tree_empty(&b->rb_root))
				children++;
			if (b->root == a && b != a)
				refs++;
		}
		if (a->num_active_vmas != active ||
		    a->num_children != children ||
		    atomic_read(&a->refcount) != refs) {
			rmap_bug("anon_vma %p: num_active_vmas %lu/%lu num_children %lu/%lu refcount %d/%ld",
				 (void *)a, a->num_active_vmas, active,
				 a->num_children, children,
				 atomic_read(&a->refcount), refs);
			ret = -EINVAL;
		}
	}
	free(set);
	return ret;
}
