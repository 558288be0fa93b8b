// SPDX-License-Identifier: GPL-2.0
/*
 * VMAs: the per-mm tree, allocation, split, merge and unmap (Linux 6.18's
 * mm/vma.c, written anew for a red-black tree instead of the maple tree).
 *
 * The merge code follows Linux's structure: a struct vma_merge_struct
 * describes the range and what it is to become; vma_merge_new_range()
 * (mmap, brk-like expansion, mremap's copy) and vma_merge_existing_range()
 * (mprotect, madvise) decide which neighbours absorb it, and
 * commit_merge() carries the decision out: one VMA takes the new range,
 * at most one neighbour has its start adjusted, at most two VMAs vanish.
 *
 *   merge_both:     |<-------------------->|
 *                   |-------********-------|
 *                     prev   middle   next
 *                    extend  delete  delete
 *
 *   merge_left:     |<------------>|          or  |<----------------->|
 *                   |-------*************|        |-------*************|
 *                     prev     middle               prev     middle
 *                    extend    shrink              extend    delete
 *
 *   merge_right:        |<------------->|     or  |<----------------->|
 *                   |*************-------|        *************-------|
 *                      middle     next              middle     next
 *                      shrink    extend             delete    extend
 */
#include <stdlib.h>
#include <string.h>

#include "vma.h"
#include <linux/err.h>
#include <linux/rmap.h>
#include <linux/mempolicy.h>
#include <linux/huge_mm.h>
#include <linux/slab.h>
#include <asm-generic/tlb.h>
#include "internal.h"
#include <linux/machine_subsys.h>

static int vma_tree_cmp(const struct vm_area_struct *a,
			const struct vm_area_struct *b)
{
	return a->vm_end < b->vm_end ? -1 : a->vm_end > b->vm_end;
}

RB_GENERATE_INTERNAL(vma_tree, vm_area_struct, vm_rb, vma_tree_cmp,
		     static __maybe_unused)

static inline bool list_is_singular_chain(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

/* ---- the tree ------------------------------------------------------ */

struct vm_area_struct *vma_first(struct mm_struct *mm)
{
	return RB_MIN(vma_tree, &mm->mm_rb);
}

struct vm_area_struct *vma_last(struct mm_struct *mm)
{
	return RB_MAX(vma_tree, &mm->mm_rb);
}

struct vm_area_struct *vma_next(struct mm_struct *mm,
				struct vm_area_struct *vma)
{
	return RB_NEXT(vma_tree, &mm->mm_rb, vma);
}

struct vm_area_struct *vma_prev(struct mm_struct *mm,
				struct vm_area_struct *vma)
{
	return RB_PREV(vma_tree, &mm->mm_rb, vma);
}

/* The first VMA with vm_end > @addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct key = { .vm_end = addr + 1 };

	if (addr == ~0UL)
		return NULL;
	return RB_NFIND(vma_tree, &mm->mm_rb, &key);
}

/* The VMA containing @addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (vma && addr < vma->vm_start)
		return NULL;
	return vma;
}

/* find_vma(), and in *@pprev the VMA before @addr (NULL if none). */
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (vma) {
		*pprev = vma_prev(mm, vma);
	} else {
		*pprev = vma_last(mm);
	}
	return vma;
}

struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (vma && end <= vma->vm_start)
		return NULL;
	return vma;
}

/*
 * The tree changes under mmap_lock for write and, in an ANON_VMA_LAZY
 * machine, the lazy lock for write too: lazy rmap walks search it.
 */
void vma_tree_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *old;

	anon_lazy_assert_held_write();
	old = RB_INSERT(vma_tree, &mm->mm_rb, vma);

	VM_WARN_ON(old != NULL);
}

void vma_tree_erase(struct mm_struct *mm, struct vm_area_struct *vma)
{
	anon_lazy_assert_held_write();
	RB_REMOVE(vma_tree, &mm->mm_rb, vma);
}

/* ---- allocation ---------------------------------------------------- */

/*
 * vm_area_struct objects come from the machine's "vm_area_struct" slab
 * cache (mm/slab.c, accounted at Linux's 192 bytes).  Until that cache is
 * part of the tree, plain host memory stands in.
 */
#ifdef vm_area_cachep
static void *vma_obj_zalloc(void)
{
	return kmem_cache_zalloc(vm_area_cachep);
}

static void vma_obj_free(void *vma)
{
	kmem_cache_free(vm_area_cachep, vma);
}
#else
static void *vma_obj_zalloc(void)
{
	return calloc(1, sizeof(struct vm_area_struct));
}

static void vma_obj_free(void *vma)
{
	free(vma);
}
#endif

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = vma_obj_zalloc();

	if (!vma)
		return NULL;
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	return vma;
}

/*
 * A copy of @orig for a split, fork or mremap: same range, flags, backing
 * and anon_vma pointer, but on no tree and with no anon_vma_chains yet
 * (the caller clones or forks them).
 */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *new = vma_obj_zalloc();

	if (!new)
		return NULL;
	new->vm_start = orig->vm_start;
	new->vm_end = orig->vm_end;
	new->vm_mm = orig->vm_mm;
	new->vm_page_prot = orig->vm_page_prot;
	new->vm_flags = orig->vm_flags;
	new->vm_pgoff = orig->vm_pgoff;
	new->vm_file = orig->vm_file;
	new->vm_ops = orig->vm_ops;
	new->vm_private_data = orig->vm_private_data;
	new->anon_vma = orig->anon_vma;
	new->vm_policy = orig->vm_policy;
	INIT_LIST_HEAD(&new->anon_vma_chain);
	/* No lazy_root: anon_vma_clone() links a copy at the same base. */
	return new;
}

/* Free @vma, unless it is a lazy root others still use (kept detached). */
void vm_area_free(struct vm_area_struct *vma)
{
	if (anon_vma_lazy_keep(vma))
		return;
	vma_obj_free(vma);
}

/* Close a VMA, drop its file and free it. */
void remove_vma(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
}

void unlink_file_vma(struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (!vma->vm_file)
		return;
	mapping = vma->vm_file->f_mapping;
	vma_i_mmap_lock(mapping);
	i_mmap_remove(mapping, vma);
	vma_i_mmap_unlock(mapping);
}

void vma_link_file(struct vm_area_struct *vma)
{
	struct address_space *mapping;

	if (!vma->vm_file)
		return;
	mapping = vma->vm_file->f_mapping;
	vma_i_mmap_lock(mapping);
	i_mmap_insert(mapping, vma);
	vma_i_mmap_unlock(mapping);
}

/* Insert a new VMA into @mm (and its file's i_mmap). */
int vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (find_vma_intersection(mm, vma->vm_start, vma->vm_end))
		return -ENOMEM;
	anon_lazy_lock_write();
	vma_tree_insert(mm, vma);
	anon_lazy_unlock_write();
	mm->map_count++;
	vma_link_file(vma);
	return 0;
}

/* ---- accounting ---------------------------------------------------- */

int sysctl_max_map_count(void)
{
	return READ_ONCE(this_machine->sysctl_max_map_count);
}

static int vma_init(struct foliage_machine *m)
{
	m->sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	return 0;
}

static const struct ctl_table vma_knobs[] = {
	CTL_ENTRY("vm.max_map_count", struct foliage_machine,
		  sysctl_max_map_count, CTL_INT, 0, 0x7fffffff),
};

const struct machine_subsys vma_subsys = {
	.name = "vma",
	.init = vma_init,
	.state = machine_subsys_machine,
	.knobs = vma_knobs,
	.nr_knobs = ARRAY_SIZE(vma_knobs),
};

void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages)
{
	WRITE_ONCE(mm->total_vm, READ_ONCE(mm->total_vm) + npages);
	if (is_exec_mapping(flags))
		mm->exec_vm += npages;
	else if (is_stack_mapping(flags))
		mm->stack_vm += npages;
	else if (is_data_mapping(flags))
		mm->data_vm += npages;
}

/*
 * Whether @npages more of @flags fit RLIMIT_AS and RLIMIT_DATA.  foliage's
 * tasks run with Linux's default limits, both RLIM_INFINITY.
 */
bool may_expand_vm(struct mm_struct *mm, vm_flags_t flags,
		   unsigned long npages)
{
	(void)mm;
	(void)flags;
	(void)npages;
	return true;
}

/* ---- page protections ---------------------------------------------- */

static pgprot_t vm_pgprot_modify(pgprot_t oldprot, vm_flags_t vm_flags)
{
	(void)oldprot;	/* x86 keeps no cache-mode bits in vm_page_prot here */
	return vm_get_page_prot(vm_flags);
}

/*
 * Whether a shared writable mapping needs write faults to notice the
 * first write to each page (writenotify), so its PTEs start read-only.
 * shmem needs none: no page_mkwrite, no writeback accounting.
 */
bool vma_wants_writenotify(struct vm_area_struct *vma, pgprot_t vm_page_prot)
{
	vm_flags_t vm_flags = vma->vm_flags;

	if ((vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	if (vma->vm_ops && vma->vm_ops->page_mkwrite)
		return true;
	if (vma_soft_dirty_enabled(vma))
		return true;
	if (vm_page_prot.pgprot !=
	    vm_pgprot_modify(vm_page_prot, vm_flags).pgprot)
		return false;
	/* Only filesystems with writeback accounting want it; shmem has none. */
	return false;
}

void vma_set_page_prot(struct vm_area_struct *vma)
{
	vm_flags_t vm_flags = vma->vm_flags;
	pgprot_t prot = vm_pgprot_modify(vma->vm_page_prot, vm_flags);

	if (vma_wants_writenotify(vma, prot)) {
		vm_flags &= ~VM_SHARED;
		prot = vm_pgprot_modify(prot, vm_flags);
	}
	WRITE_ONCE(vma->vm_page_prot.pgprot, prot.pgprot);
}

/* ---- split --------------------------------------------------------- */

/*
 * The changes to VMAs' ranges made by a split or a merge, under the locks
 * rmap walkers take: the file's i_mmap and the anon_vma's interval trees
 * are keyed by the ranges, so every VMA whose range changes comes off
 * them before and goes back after (Linux's vma_prepare/vma_complete).
 */
struct vma_prepare {
	struct vm_area_struct *vma;	/* VMA whose range changes */
	struct vm_area_struct *adj_next; /* second VMA whose range changes */
	struct vm_area_struct *insert;	/* new VMA (split) */
	struct vm_area_struct *remove;	/* VMA that disappears */
	struct vm_area_struct *remove2;	/* a second one */
	struct anon_vma *anon_vma;	/* locked while ranges change */
	struct address_space *mapping;	/* its i_mmap changes */
};

static void vma_prepare(struct vma_prepare *vp)
{
	if (vp->mapping) {
		vma_i_mmap_lock(vp->mapping);
		i_mmap_remove(vp->mapping, vp->vma);
		if (vp->adj_next)
			i_mmap_remove(vp->mapping, vp->adj_next);
	}
	/* Lazy walks search the tree by address: ranges change under it. */
	anon_lazy_lock_write();
	if (vp->anon_vma) {
		anon_vma_lock_write(vp->anon_vma);
		anon_vma_interval_tree_pre_update_vma(vp->vma);
		if (vp->adj_next)
			anon_vma_interval_tree_pre_update_vma(vp->adj_next);
	}
}

static void vma_complete(struct vma_prepare *vp, struct mm_struct *mm)
{
	if (vp->anon_vma) {
		anon_vma_interval_tree_post_update_vma(vp->vma);
		if (vp->adj_next)
			anon_vma_interval_tree_post_update_vma(vp->adj_next);
		anon_vma_unlock_write(vp->anon_vma);
	}
	if (vp->mapping) {
		if (vp->adj_next)
			i_mmap_insert(vp->mapping, vp->adj_next);
		i_mmap_insert(vp->mapping, vp->vma);
		if (vp->insert)
			i_mmap_insert(vp->mapping, vp->insert);
		if (vp->remove)
			i_mmap_remove(vp->mapping, vp->remove);
		if (vp->remove2)
			i_mmap_remove(vp->mapping, vp->remove2);
		vma_i_mmap_unlock(vp->mapping);
	}
	if (vp->insert) {
		vma_tree_insert(mm, vp->insert);
		mm->map_count++;
	}
	anon_vma_lazy_span(vp->vma);
	if (vp->adj_next)
		anon_vma_lazy_span(vp->adj_next);
	anon_lazy_unlock_write();
	while (vp->remove) {
		struct vm_area_struct *gone = vp->remove;

		/* anon_vma_merge(): vp->vma already shares its anon_vma. */
		if (vma_has_anon_rmap(gone))
			unlink_anon_vmas(gone);
		mm->map_count--;
		remove_vma(gone);
		vp->remove = vp->remove2;
		vp->remove2 = NULL;
	}
}

static void init_vma_prep(struct vma_prepare *vp, struct vm_area_struct *vma)
{
	memset(vp, 0, sizeof(*vp));
	vp->vma = vma;
	vp->anon_vma = vma->anon_vma;
	if (vma->vm_file)
		vp->mapping = vma->vm_file->f_mapping;
}

/*
 * Split @vma at @addr: a new VMA takes [vm_start, addr) if @new_below,
 * else [addr, vm_end).  Bypasses the max_map_count check (split_vma()
 * makes it).  A THP mapped by a PMD that straddles @addr is split into
 * PTEs first.
 */
int __split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vma_prepare vp;
	struct vm_area_struct *new;
	int err;

	VM_WARN_ON(vma->vm_start >= addr);
	VM_WARN_ON(vma->vm_end <= addr);

	if (vma->vm_ops && vma->vm_ops->may_split) {
		err = vma->vm_ops->may_split(vma, addr);
		if (err)
			return err;
	}
	new = vm_area_dup(vma);
	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += PHYS_PFN(addr - vma->vm_start);
	}
	err = anon_vma_clone(new, vma);
	if (err)
		goto out_free_vma;
	if (new->vm_file)
		get_file(new->vm_file);
	if (new->vm_ops && new->vm_ops->open)
		new->vm_ops->open(new);

	init_vma_prep(&vp, vma);
	vp.insert = new;
	vma_prepare(&vp);
	vma_adjust_trans_huge(vma, vma->vm_start, addr);
	if (new_below) {
		vma->vm_start = addr;
		vma->vm_pgoff += PHYS_PFN(addr - new->vm_start);
	} else {
		/* The tree stays ordered: new takes the old vm_end. */
		vma->vm_end = addr;
	}
	vma_complete(&vp, mm);
	return 0;

out_free_vma:
	vm_area_free(new);
	return err;
}

int split_vma(struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	if (vma->vm_mm->map_count >= sysctl_max_map_count())
		return -ENOMEM;
	return __split_vma(vma, addr, new_below);
}

/* ---- merge --------------------------------------------------------- */

/*
 * What two VMAs must share to merge: the anon_vma, or (ANON_VMA_LAZY, not
 * upgraded) the lazy root.
 */
static const void *vma_anon_key(const struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		return vma->anon_vma;
	return vma->lazy_root;
}

/* Was this VMA ever forked from a parent, so it may hold CoW pages? */
static bool vma_had_uncowed_parents(const struct vm_area_struct *vma)
{
	/* A lazy VMA (not upgraded) was never forked. */
	return vma && vma->anon_vma &&
	       !list_is_singular_chain(&vma->anon_vma_chain);
}

static bool is_mergeable_vma(const struct vma_merge_struct *vmg,
			     bool merge_next)
{
	const struct vm_area_struct *vma = merge_next ? vmg->next : vmg->prev;

	/* VM_SOFTDIRTY never prevents a merge: the merged VMA gets it. */
	if ((vma->vm_flags ^ vmg->vm_flags) & ~VM_SOFTDIRTY)
		return false;
	if (vma->vm_file != vmg->file)
		return false;
	/* mpol_equal(): the range's policy, its VMA's, or none if new. */
	if (!mpol_equal(&vma->vm_policy, vmg->policy ? vmg->policy :
			vmg->middle ? &vmg->middle->vm_policy :
				      &default_mempolicy))
		return false;
	return true;
}

static bool is_mergeable_anon_vma(const struct vma_merge_struct *vmg,
				  bool merge_next)
{
	const struct vm_area_struct *tgt = merge_next ? vmg->next : vmg->prev;
	const struct vm_area_struct *src = vmg->middle;
	const void *tgt_anon = vma_anon_key(tgt);
	const void *src_anon = vmg->anon_vma ? (const void *)vmg->anon_vma :
			       (const void *)vmg->lazy_root;

	/* Case 1: tgt will take src's anon_vma (dup_anon_vma()). */
	if (!tgt_anon && src_anon)
		return !vma_had_uncowed_parents(src) &&
		       !vma_had_uncowed_parents(vmg->copied_from);
	/* Case 2: the range will use tgt's anon_vma. */
	if (tgt_anon && !src_anon)
		return !vma_had_uncowed_parents(tgt);
	/* Case 3: both have one (or neither): they must be the same. */
	return src_anon == tgt_anon;
}

/* Can the range be merged after (at a higher address than) prev? */
static bool can_vma_merge_after(const struct vma_merge_struct *vmg)
{
	return is_mergeable_vma(vmg, false) &&
	       is_mergeable_anon_vma(vmg, false) &&
	       vmg->prev->vm_pgoff + vma_pages(vmg->prev) == vmg->pgoff;
}

/* Can the range be merged before (at a lower address than) next? */
static bool can_vma_merge_before(const struct vma_merge_struct *vmg)
{
	pgoff_t pglen = PHYS_PFN(vmg->end - vmg->start);

	return is_mergeable_vma(vmg, true) &&
	       is_mergeable_anon_vma(vmg, true) &&
	       vmg->next->vm_pgoff == vmg->pgoff + pglen;
}

static bool can_vma_merge_left(const struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start &&
	       can_vma_merge_after(vmg);
}

static bool can_vma_merge_right(const struct vma_merge_struct *vmg,
				bool can_merge_left)
{
	const struct vm_area_struct *next = vmg->next;
	const struct vm_area_struct *prev = vmg->prev;

	if (!next || vmg->end != next->vm_start || !can_vma_merge_before(vmg))
		return false;
	if (!can_merge_left)
		return true;
	/* Both sides fit the range; they must also fit each other. */
	return !vma_anon_key(prev) || !vma_anon_key(next) ||
	       vma_anon_key(prev) == vma_anon_key(next);
}

/* A VMA with a ->close can't be removed by a merge (it'd be closed). */
static bool can_merge_remove_vma(const struct vm_area_struct *vma)
{
	return !vma->vm_ops || !vma->vm_ops->close;
}

/*
 * When @dst will take pages mapped through @src's anon_vma, give @dst that
 * anon_vma and its chain.  *@dup records it, to undo on failure.
 */
static int dup_anon_vma(struct vm_area_struct *dst, struct vm_area_struct *src,
			struct vm_area_struct **dup)
{
	if (vma_has_anon_rmap(src) && !vma_has_anon_rmap(dst)) {
		int ret;

		dst->anon_vma = src->anon_vma;
		ret = anon_vma_clone(dst, src);
		if (ret) {
			dst->anon_vma = NULL;
			return ret;
		}
		*dup = dst;
	}
	return 0;
}

/*
 * Could @a and @b (adjacent, @a first) one day merge, access flags aside?
 * Then they may share an anon_vma (Linux's anon_vma_compatible()).  Two
 * VMAs with different policies cannot (an mbind(2) split does not
 * share its pieces' anon_vma: foliage diff's numa_maps corpus).
 */
static bool anon_vma_compatible(const struct vm_area_struct *a,
				const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start &&
	       mpol_equal(&a->vm_policy, &b->vm_policy) &&
	       a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff + PHYS_PFN(b->vm_start - a->vm_start);
}

static struct anon_vma *reusable_anon_vma(struct vm_area_struct *old,
					  struct vm_area_struct *a,
					  struct vm_area_struct *b)
{
	if (anon_vma_compatible(a, b)) {
		struct anon_vma *anon_vma = READ_ONCE(old->anon_vma);

		if (anon_vma && list_is_singular_chain(&old->anon_vma_chain))
			return anon_vma;
	}
	return NULL;
}

/*
 * The anon_vma a neighbour of @vma could lend it at its first fault, so
 * that a later mprotect can merge them again: next's first, then prev's
 * (Linux's find_mergeable_anon_vma(), used by anon_vma_prepare()).
 */
struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma_next(vma->vm_mm, vma);
	struct vm_area_struct *prev = vma_prev(vma->vm_mm, vma);
	struct anon_vma *anon_vma = NULL;

	if (next) {
		anon_vma = reusable_anon_vma(next, vma, next);
		if (anon_vma)
			return anon_vma;
	}
	if (prev)
		anon_vma = reusable_anon_vma(prev, prev, vma);
	return anon_vma;
}

/*
 * Carry a merge out (Linux's commit_merge()).  One VMA (target, or middle
 * when next grows left) takes [vmg->start, vmg->end) at vmg->pgoff; the
 * adjusted neighbour's start moves to vmg->end; removed VMAs go.
 */
static void commit_merge(struct vma_merge_struct *vmg)
{
	struct mm_struct *mm = vmg->mm;
	struct vm_area_struct *vma, *adjust = NULL;
	struct vma_prepare vp;
	pgoff_t adj_pgoff = 0;

	vma = vmg->__adjust_next_start ? vmg->middle : vmg->target;
	init_vma_prep(&vp, vma);
	if (vmg->__remove_middle) {
		vp.remove = vmg->middle;
		if (vmg->__remove_next)
			vp.remove2 = vmg->next;
	} else if (vmg->__remove_next) {
		vp.remove = vmg->next;
	}
	if (vmg->__adjust_middle_start) {
		adjust = vmg->middle;
		adj_pgoff = adjust->vm_pgoff +
			    PHYS_PFN(vmg->end - adjust->vm_start);
	} else if (vmg->__adjust_next_start) {
		adjust = vmg->next;
		adj_pgoff = adjust->vm_pgoff -
			    PHYS_PFN(adjust->vm_start - vmg->end);
	}
	vp.adj_next = adjust;
	if (!vp.anon_vma && adjust)
		vp.anon_vma = adjust->anon_vma;
	VM_WARN_ON(vp.anon_vma && adjust && adjust->anon_vma &&
		   vp.anon_vma != adjust->anon_vma);

	vma_prepare(&vp);
	/* THPs mapped by PMDs across the moving boundaries become PTEs. */
	vma_adjust_trans_huge(vma, vmg->start, vmg->end);
	if (vmg->__adjust_middle_start)
		vma_adjust_trans_huge(vmg->middle, vmg->end, vmg->end);
	/* Removed VMAs leave the tree before ranges grow over them. */
	if (vp.remove)
		vma_tree_erase(mm, vp.remove);
	if (vp.remove2)
		vma_tree_erase(mm, vp.remove2);
	vma->vm_start = vmg->start;
	vma->vm_end = vmg->end;
	vma->vm_pgoff = vmg->pgoff;
	if (adjust) {
		adjust->vm_start = vmg->end;
		adjust->vm_pgoff = adj_pgoff;
	}
	vma_complete(&vp, mm);
}

/*
 * ANON_VMA_LAZY, as seed 003's author proposes ("preferentially use
 * root_vma"): a merge that would remove a lazy root keeps the root's
 * vm_area_struct as the merged VMA instead, and removes its neighbours,
 * so that no root outlives its range (detached) just because a merge
 * chose the other struct.  @keep is the root, one of the VMAs that merge
 * over [vmg->start, vmg->end) at vmg->pgoff; @gone and @gone2 the others.
 */
static struct vm_area_struct *lazy_root_absorb(struct vma_merge_struct *vmg,
					       struct vm_area_struct *keep,
					       struct vm_area_struct *gone,
					       struct vm_area_struct *gone2)
{
	struct mm_struct *mm = vmg->mm;
	struct vma_prepare vp;

	if (!gone) {
		gone = gone2;
		gone2 = NULL;
	}
	init_vma_prep(&vp, keep);
	vp.remove = gone;
	vp.remove2 = gone2;
	vma_prepare(&vp);
	vma_adjust_trans_huge(keep, vmg->start, vmg->end);
	vma_tree_erase(mm, gone);
	if (gone2)
		vma_tree_erase(mm, gone2);
	keep->vm_start = vmg->start;
	keep->vm_end = vmg->end;
	keep->vm_pgoff = vmg->pgoff;
	vma_complete(&vp, mm);
	vmg->target = keep;
	vmg->state = VMA_MERGE_SUCCESS;
	return keep;
}

/* The lazy root among the VMAs a merge would remove, or NULL. */
static struct vm_area_struct *removed_lazy_root(struct vma_merge_struct *vmg,
						bool merge_left,
						bool merge_right)
{
	struct vm_area_struct *gone[2] = {
		vmg->__remove_middle ? vmg->middle : NULL,
		vmg->__remove_next ? vmg->next : NULL,
	};
	int i;

	if (!anon_vma_lazy_enabled())
		return NULL;
	for (i = 0; i < 2; i++)
		if (gone[i] && gone[i]->lazy_root == gone[i])
			return gone[i];
	return NULL;
}

/*
 * Modify part of an existing VMA, vmg->middle, merging it with prev and/or
 * next where Linux would (the mprotect/madvise case).  Returns the VMA
 * that now covers the range, or NULL if nothing merged.
 */
static struct vm_area_struct *
vma_merge_existing_range(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *middle = vmg->middle;
	struct vm_area_struct *prev = vmg->prev;
	struct vm_area_struct *next, *anon_dup = NULL, *keep;
	unsigned long start = vmg->start, end = vmg->end;
	bool left_side = start == middle->vm_start;
	bool right_side = end == middle->vm_end;
	bool merge_left, merge_right, merge_both;
	int err = 0;

	vmg->state = VMA_MERGE_NOMERGE;
	if ((vmg->vm_flags & VM_SPECIAL) || (!left_side && !right_side))
		return NULL;

	merge_left = left_side && can_vma_merge_left(vmg);
	if (right_side) {
		next = vmg->next = vma_next(vmg->mm, middle);
		merge_right = can_vma_merge_right(vmg, merge_left);
	} else {
		next = NULL;
		merge_right = false;
	}
	if (!merge_left && !merge_right)
		return NULL;

	merge_both = merge_left && merge_right;
	vmg->__remove_middle = left_side && right_side;
	if (vmg->__remove_middle && !can_merge_remove_vma(middle))
		return NULL;
	vmg->__remove_next = merge_both;
	if (vmg->__remove_next && !can_merge_remove_vma(next)) {
		vmg->__remove_next = false;
		merge_right = false;
		merge_both = false;
	}
	if (merge_right)
		vmg->target = next;
	if (merge_left)
		vmg->target = prev;

	keep = removed_lazy_root(vmg, merge_left, merge_right);
	if (keep && vmg->__remove_middle) {
		/* Every VMA merging shares keep's root, or has none. */
		vmg->start = merge_left ? prev->vm_start : middle->vm_start;
		vmg->end = merge_right ? next->vm_end : middle->vm_end;
		vmg->pgoff = merge_left ? prev->vm_pgoff : middle->vm_pgoff;
		return lazy_root_absorb(vmg, keep,
					merge_left && prev != keep ? prev : NULL,
					middle != keep ? middle :
					merge_right ? next : NULL);
	}

	if (merge_both) {
		vmg->start = prev->vm_start;
		vmg->end = next->vm_end;
		vmg->pgoff = prev->vm_pgoff;
		err = dup_anon_vma(prev, vma_has_anon_rmap(next) ? next : middle,
				   &anon_dup);
	} else if (merge_left) {
		vmg->start = prev->vm_start;
		vmg->pgoff = prev->vm_pgoff;
		if (!vmg->__remove_middle)
			vmg->__adjust_middle_start = true;
		err = dup_anon_vma(prev, middle, &anon_dup);
	} else {
		pgoff_t pglen = PHYS_PFN(vmg->end - vmg->start);

		if (vmg->__remove_middle) {
			vmg->end = next->vm_end;
			vmg->pgoff = next->vm_pgoff - pglen;
		} else {
			/* middle shrinks to [vm_start, start), next grows. */
			vmg->__adjust_next_start = true;
			vmg->start = middle->vm_start;
			vmg->end = start;
			vmg->pgoff = middle->vm_pgoff;
		}
		err = dup_anon_vma(next, middle, &anon_dup);
	}
	if (err) {
		vmg->state = VMA_MERGE_ERROR_NOMEM;
		vmg->start = start;
		vmg->end = end;
		return NULL;
	}
	commit_merge(vmg);
	vmg->state = VMA_MERGE_SUCCESS;
	return vmg->target;
}

/*
 * Expand vmg->target over [vmg->start, vmg->end), removing vmg->next if
 * the range reaches its end (Linux's vma_expand()).
 */
static int vma_expand(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *anon_dup = NULL;
	struct vm_area_struct *target = vmg->target;
	struct vm_area_struct *next = vmg->next;
	bool remove_next = next && target != next && vmg->end == next->vm_end;
	int ret;

	VM_WARN_ON(target->vm_start < vmg->start ||
		   target->vm_end > vmg->end);
	if (remove_next) {
		ret = dup_anon_vma(target, next, &anon_dup);
		if (ret)
			return ret;
	}
	/* mremap's copy brings the source's anon_vma along (fixed after 6.18). */
	if (vmg->copied_from && !anon_dup) {
		ret = dup_anon_vma(target, vmg->copied_from, &anon_dup);
		if (ret)
			return ret;
	}
	vmg->__remove_next = remove_next;
	commit_merge(vmg);
	return 0;
}

/*
 * Try to place a new range [vmg->start, vmg->end) (mmap, mremap's copy,
 * in-place growth) by expanding prev and/or next.  Returns the VMA that
 * now covers it, or NULL if no neighbour could take it.
 */
struct vm_area_struct *vma_merge_new_range(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *prev = vmg->prev;
	struct vm_area_struct *next = vmg->next;
	unsigned long end = vmg->end;
	bool can_merge_left, can_merge_right;

	vmg->state = VMA_MERGE_NOMERGE;
	if ((vmg->vm_flags & VM_SPECIAL) || (!prev && !next))
		return NULL;

	can_merge_left = can_vma_merge_left(vmg);
	can_merge_right = !vmg->just_expand &&
			  can_vma_merge_right(vmg, can_merge_left);
	if (can_merge_right) {
		vmg->end = next->vm_end;
		vmg->target = next;
	}
	if (can_merge_left) {
		vmg->start = prev->vm_start;
		vmg->target = prev;
		vmg->pgoff = prev->vm_pgoff;
		if (can_merge_right && !can_merge_remove_vma(next))
			vmg->end = end;
	}
	if (vmg->target && !vma_expand(vmg)) {
		vmg->state = VMA_MERGE_SUCCESS;
		return vmg->target;
	}
	if (vmg->target)
		vmg->state = VMA_MERGE_ERROR_NOMEM;
	return NULL;
}

/*
 * Merge if possible, else split: what mprotect and madvise do to the part
 * [vmg->start, vmg->end) of vmg->middle (Linux's vma_modify()).
 */
static struct vm_area_struct *vma_modify(struct vma_merge_struct *vmg)
{
	struct vm_area_struct *vma = vmg->middle;
	unsigned long start = vmg->start, end = vmg->end;
	struct vm_area_struct *merged;
	int err;

	merged = vma_merge_existing_range(vmg);
	if (merged)
		return merged;
	if (vmg_nomem(vmg))
		return ERR_PTR(-ENOMEM);
	if (vma->vm_start < start) {
		err = split_vma(vma, start, 1);
		if (err)
			return ERR_PTR(err);
	}
	if (vma->vm_end > end) {
		err = split_vma(vma, end, 0);
		if (err)
			return ERR_PTR(err);
	}
	return vma;
}

/* The range of @vma to get @vm_flags and @policy (NULL: @vma's). */
static struct vm_area_struct *vma_modify_attrs(struct vm_area_struct *prev,
					       struct vm_area_struct *vma,
					       unsigned long start,
					       unsigned long end,
					       vm_flags_t vm_flags,
					       const struct mempolicy *policy)
{
	struct vma_merge_struct vmg = {
		.mm = vma->vm_mm,
		.prev = prev,
		.middle = vma,
		.start = start,
		.end = end,
		.pgoff = vma_pgoff_offset(vma, start),
		.vm_flags = vm_flags,
		.file = vma->vm_file,
		.anon_vma = vma->anon_vma,
		.policy = policy,
		.lazy_root = vma->lazy_root,
	};

	return vma_modify(&vmg);
}

struct vm_area_struct *vma_modify_flags(struct vm_area_struct *prev,
					struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					vm_flags_t vm_flags)
{
	return vma_modify_attrs(prev, vma, start, end, vm_flags, NULL);
}

struct vm_area_struct *vma_modify_policy(struct vm_area_struct *prev,
					 struct vm_area_struct *vma,
					 unsigned long start, unsigned long end,
					 const struct mempolicy *policy)
{
	return vma_modify_attrs(prev, vma, start, end, vma->vm_flags, policy);
}

struct vm_area_struct *vma_merge_extend(struct vm_area_struct *vma,
					unsigned long delta)
{
	struct vma_merge_struct vmg = {
		.mm = vma->vm_mm,
		.prev = vma,
		.next = vma_next(vma->vm_mm, vma),
		.start = vma->vm_end,
		.end = vma->vm_end + delta,
		.pgoff = vma_pgoff_offset(vma, vma->vm_end),
		.vm_flags = vma->vm_flags,
		.file = vma->vm_file,
		.anon_vma = vma->anon_vma,
		.lazy_root = vma->lazy_root,
	};

	return vma_merge_new_range(&vmg);
}

/*
 * mremap: a VMA for [addr, addr + len) with @*vmap's properties at
 * @pgoff, merged with the neighbours there if possible, else a copy.
 * If the source itself was merged into the result, *@vmap is updated.
 */
struct vm_area_struct *copy_vma(struct vm_area_struct **vmap,
				unsigned long addr, unsigned long len,
				pgoff_t pgoff)
{
	struct vm_area_struct *vma = *vmap;
	unsigned long vma_start = vma->vm_start;
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new_vma, *prev;
	struct vma_merge_struct vmg = {
		.mm = mm,
		.start = addr,
		.end = addr + len,
		.vm_flags = vma->vm_flags,
		.file = vma->vm_file,
		.anon_vma = vma->anon_vma,
		.copied_from = vma,
	};

	/*
	 * An anonymous VMA never faulted has no pages whose ->index ties it
	 * to its old pgoff: take the new address's, to merge more often.
	 */
	if (vma_is_anonymous(vma) && !vma_has_anon_rmap(vma))
		pgoff = addr >> PAGE_SHIFT;

	new_vma = find_vma_prev(mm, addr, &prev);
	if (new_vma && new_vma->vm_start < addr + len)
		return NULL;	/* the caller unmapped the target */
	vmg.prev = prev;
	vmg.next = new_vma;
	vmg.pgoff = pgoff;
	new_vma = vma_merge_new_range(&vmg);
	if (new_vma) {
		/* Only an unfaulted source can have merged into its copy. */
		if (vma_start >= new_vma->vm_start &&
		    vma_start < new_vma->vm_end)
			*vmap = new_vma;
		return new_vma;
	}
	new_vma = vm_area_dup(vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	if (anon_vma_clone(new_vma, vma))
		goto out_free_vma;
	if (new_vma->vm_file)
		get_file(new_vma->vm_file);
	if (new_vma->vm_ops && new_vma->vm_ops->open)
		new_vma->vm_ops->open(new_vma);
	if (vma_link(mm, new_vma))
		goto out_vma_link;
	return new_vma;

out_vma_link:
	unlink_anon_vmas(new_vma);
	if (new_vma->vm_ops && new_vma->vm_ops->close)
		new_vma->vm_ops->close(new_vma);
	if (new_vma->vm_file)
		fput(new_vma->vm_file);
out_free_vma:
	vm_area_free(new_vma);
	return NULL;
}

/* ---- munmap -------------------------------------------------------- */

/* What one unmap gathers before it commits (Linux's vma_munmap_struct). */
struct vma_munmap_struct {
	unsigned long start, end;	/* range being unmapped */
	struct vm_area_struct *prev;	/* VMA before the range */
	struct vm_area_struct *next;	/* VMA after the range */
	struct vm_area_struct **vmas;	/* detached VMAs, in order */
	int vma_count;			/* how many */
	unsigned long nr_pages;		/* pages detached */
	unsigned long locked_vm;	/* of them, VM_LOCKED */
	unsigned long nr_accounted;	/* of them, VM_ACCOUNT */
	unsigned long exec_vm;		/* of them, exec mappings */
	unsigned long stack_vm;		/* of them, stack */
	unsigned long data_vm;		/* of them, data */
};

static void vms_account(struct vma_munmap_struct *vms,
			const struct vm_area_struct *vma)
{
	unsigned long nrpages = vma_pages(vma);

	vms->nr_pages += nrpages;
	if (vma->vm_flags & VM_LOCKED)
		vms->locked_vm += nrpages;
	if (vma->vm_flags & VM_ACCOUNT)
		vms->nr_accounted += nrpages;
	if (is_exec_mapping(vma->vm_flags))
		vms->exec_vm += nrpages;
	else if (is_stack_mapping(vma->vm_flags))
		vms->stack_vm += nrpages;
	else if (is_data_mapping(vma->vm_flags))
		vms->data_vm += nrpages;
}

/* The VMAs being unmapped leave the tree. */
static void vms_detach(struct mm_struct *mm, struct vma_munmap_struct *vms)
{
	int i;

	anon_lazy_lock_write();
	for (i = 0; i < vms->vma_count; i++)
		vma_tree_erase(mm, vms->vmas[i]);
	anon_lazy_unlock_write();
}

/*
 * Zap the detached VMAs' pages and free the page tables that only they
 * used, then unlink them from rmap (Linux's vms_clear_ptes(), with
 * unmap_vmas() and free_pgtables()).  In an ANON_VMA_LAZY machine the
 * VMAs leave the tree only now: a lazy walk finds VMAs in the tree, and
 * must see them while their PTEs live (Linux's anon_vma tree keeps them
 * until unlink_anon_vmas()).
 */
static void vms_clear_ptes(struct mm_struct *mm, struct vma_munmap_struct *vms)
{
	struct mmu_gather tlb;
	unsigned long floor, ceiling;
	int i;

	tlb_gather_mmu(&tlb, mm, false);
	for (i = 0; i < vms->vma_count; i++) {
		struct vm_area_struct *vma = vms->vmas[i];

		unmap_page_range(&tlb, vma, vma->vm_start, vma->vm_end);
	}
	if (anon_vma_lazy_enabled())
		vms_detach(mm, vms);
	/* Hide the VMAs from rmap before their page tables go. */
	for (i = 0; i < vms->vma_count; i++) {
		unlink_anon_vmas(vms->vmas[i]);
		unlink_file_vma(vms->vmas[i]);
	}
	floor = vms->prev ? vms->prev->vm_end : 0;
	ceiling = vms->next ? vms->next->vm_start : 0;
	free_pgd_range(&tlb, vms->vmas[0]->vm_start,
		       vms->vmas[vms->vma_count - 1]->vm_end, floor, ceiling);
	tlb_finish_mmu(&tlb);
}

/*
 * Unmap [start, end) given the first VMA that overlaps it (Linux's
 * do_vmi_align_munmap()).  The edges are split first; if a split fails,
 * nothing has been unmapped.
 */
static int do_vmi_align_munmap(struct mm_struct *mm,
			       struct vm_area_struct *vma,
			       unsigned long start, unsigned long end)
{
	struct vma_munmap_struct vms = { .start = start, .end = end };
	struct vm_area_struct *next;
	int error, i, cap = 16;

	if (start > vma->vm_start) {
		/*
		 * Splitting a VMA in three must not leave map_count above its
		 * limit (unmapping whole VMAs may go over it briefly).
		 */
		if (end < vma->vm_end && mm->map_count >= sysctl_max_map_count())
			return -ENOMEM;
		error = __split_vma(vma, start, 1);
		if (error)
			return error;
	}
	vms.prev = vma_prev(mm, vma);
	vms.vmas = malloc(cap * sizeof(*vms.vmas));
	if (!vms.vmas)
		return -ENOMEM;
	for (next = vma; next && next->vm_start < end;
	     next = vma_next(mm, next)) {
		if (next->vm_end > end) {
			error = __split_vma(next, end, 0);
			if (error)
				goto out_free;
		}
		if (vms.vma_count == cap) {
			struct vm_area_struct **n;

			cap *= 2;
			n = realloc(vms.vmas, cap * sizeof(*vms.vmas));
			if (!n) {
				error = -ENOMEM;
				goto out_free;
			}
			vms.vmas = n;
		}
		vms.vmas[vms.vma_count++] = next;
		vms_account(&vms, next);
	}
	vms.next = next;

	/* Detach: the VMAs leave the tree, then their pages go. */
	if (!anon_vma_lazy_enabled())
		vms_detach(mm, &vms);
	mm->map_count -= vms.vma_count;
	mm->locked_vm -= vms.locked_vm;
	vms_clear_ptes(mm, &vms);
	if (mm->total_vm > mm->hiwater_vm)
		mm->hiwater_vm = mm->total_vm;
	WRITE_ONCE(mm->total_vm, READ_ONCE(mm->total_vm) - vms.nr_pages);
	VM_WARN_ON(vms.exec_vm > mm->exec_vm);
	VM_WARN_ON(vms.stack_vm > mm->stack_vm);
	VM_WARN_ON(vms.data_vm > mm->data_vm);
	mm->exec_vm -= vms.exec_vm;
	mm->stack_vm -= vms.stack_vm;
	mm->data_vm -= vms.data_vm;
	for (i = 0; i < vms.vma_count; i++)
		remove_vma(vms.vmas[i]);
	vm_unacct_memory(vms.nr_accounted);
	error = 0;
out_free:
	free(vms.vmas);
	return error;
}

int do_vmi_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	struct vm_area_struct *vma;
	unsigned long end;

	if (offset_in_page(start) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return 0;
	return do_vmi_align_munmap(mm, vma, start, end);
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	return do_vmi_munmap(mm, start, len);
}
