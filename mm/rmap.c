// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse mapping, classic anon_vma (Linux 6.18's mm/rmap.c semantics,
 * written anew; see include/linux/rmap.h for the objects and invariants).
 *
 * Three parts:
 *
 *   anon_vma lifecycle   anon_vma_prepare() on the first anonymous fault
 *			  (sharing a mergeable neighbour's anon_vma),
 *			  anon_vma_clone() on split/merge/mremap,
 *			  anon_vma_fork() (with the num_children /
 *			  num_active_vmas reuse rule), unlink_anon_vmas();
 *			  the avc and i_mmap interval trees
 *   mapcounts		  folio_add_*_rmap_*(), folio_remove_rmap_*(),
 *			  folio_try_dup_anon_rmap_*() for fork, with the
 *			  NR_ANON_MAPPED/NR_FILE_MAPPED/..PMDMAPPED counters
 *   walks		  rmap_walk() over the anon_vma or i_mmap tree,
 *			  and its users folio_referenced(), try_to_unmap(),
 *			  try_to_migrate(), which find the PTE/PMD in each
 *			  VMA with page_vma_mapped_walk()
 *			  (mm/page_vma_mapped.c); mm/validate_rmap.c proves
 *			  the walks complete against a page-table scan
 *
 * Differences from Linux (docs/fidelity.md): no mlock bookkeeping, no
 * deferred split queue for partially unmapped anon THPs, no mm-id
 * tracking of large folios (CONFIG_MM_ID), no swap (try_to_unmap() of an
 * anon folio only discards a clean lazily-freed one).
 */
#include "internal.h"
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/slab.h>
#include <linux/migrate.h>
#include <trace/events.h>
#include <asm-generic/tlb.h>
#include <linux/machine_subsys.h>

/* ---- anon_vma and anon_vma_chain objects ------------------------------ */

static void lazy_root_unpin(struct anon_vma *anon_vma);

static struct anon_vma *anon_vma_alloc(void)
{
	struct anon_vma *anon_vma = kmem_cache_zalloc(anon_vma_cachep);

	if (!anon_vma)
		return NULL;
	pthread_rwlock_init(&anon_vma->rwsem, NULL);
	atomic_set(&anon_vma->refcount, 1);
	anon_vma->num_children = 0;
	anon_vma->num_active_vmas = 0;
	anon_vma->parent = anon_vma;
	/* A root until anon_vma_fork() says otherwise. */
	anon_vma->root = anon_vma;
	return anon_vma;
}

static void anon_vma_free(struct anon_vma *anon_vma)
{
	VM_WARN_ON(atomic_read(&anon_vma->refcount));
	VM_WARN_ON(!interval_tree_empty(&anon_vma->rb_root));
	/*
	 * A walker that found the anon_vma through a folio may still hold
	 * the root's lock (folio_lock_anon_vma_read()): wait for it.
	 */
	anon_vma_lock_write(anon_vma);
	anon_vma_unlock_write(anon_vma);
	pthread_rwlock_destroy(&anon_vma->rwsem);
	if (anon_vma->lazy_root)
		lazy_root_unpin(anon_vma);
	kmem_cache_free(anon_vma_cachep, anon_vma);
}

void __put_anon_vma(struct anon_vma *anon_vma)
{
	struct anon_vma *root = anon_vma->root;

	anon_vma_free(anon_vma);
	if (root != anon_vma && atomic_dec_and_test(&root->refcount))
		anon_vma_free(root);
}

static struct anon_vma_chain *anon_vma_chain_alloc(void)
{
	return kmem_cache_zalloc(anon_vma_chain_cachep);
}

static void anon_vma_chain_free(struct anon_vma_chain *avc)
{
	kmem_cache_free(anon_vma_chain_cachep, avc);
}

static void avc_tree_insert(struct anon_vma_chain *avc)
{
	avc->rb.start = avc->vma->vm_pgoff;
	avc->rb.last = vma_last_pgoff(avc->vma);
	interval_tree_insert(&avc->rb, &avc->anon_vma->rb_root);
}

static void avc_tree_remove(struct anon_vma_chain *avc)
{
	interval_tree_remove(&avc->rb, &avc->anon_vma->rb_root);
}

static void anon_vma_chain_link(struct vm_area_struct *vma,
				struct anon_vma_chain *avc,
				struct anon_vma *anon_vma)
{
	avc->vma = vma;
	avc->anon_vma = anon_vma;
	list_add(&avc->same_vma, &vma->anon_vma_chain);
	avc_tree_insert(avc);
}

void anon_vma_interval_tree_pre_update_vma(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	if (vma->anon_vma)
		lockdep_assert_held_write(&vma->anon_vma->root->rwsem);
	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		avc_tree_remove(avc);
}

void anon_vma_interval_tree_post_update_vma(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	if (vma->anon_vma)
		lockdep_assert_held_write(&vma->anon_vma->root->rwsem);
	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		avc_tree_insert(avc);
}

void i_mmap_insert(struct address_space *mapping, struct vm_area_struct *vma)
{
	lockdep_assert_held_write(&mapping->i_mmap_rwsem);
	vma->shared.start = vma->vm_pgoff;
	vma->shared.last = vma_last_pgoff(vma);
	interval_tree_insert(&vma->shared, &mapping->i_mmap);
	mapping->nr_mmaps++;
}

void i_mmap_remove(struct address_space *mapping, struct vm_area_struct *vma)
{
	lockdep_assert_held_write(&mapping->i_mmap_rwsem);
	interval_tree_remove(&vma->shared, &mapping->i_mmap);
	mapping->nr_mmaps--;
}

/* ---- ANON_VMA_LAZY: the lock, roots and their references --------------- */

static struct anon_rmap_state *anon_rmap(void)
{
	return this_machine->anon_rmap;
}

void anon_lazy_lock_write(void)
{
	if (anon_vma_lazy_enabled())
		down_write_class(&anon_rmap()->lock, LOCK_CLASS_ANON_LAZY);
}

void anon_lazy_unlock_write(void)
{
	if (anon_vma_lazy_enabled())
		up_rwsem(&anon_rmap()->lock);
}

void anon_lazy_lock_read(void)
{
	if (anon_vma_lazy_enabled())
		down_read_class(&anon_rmap()->lock, LOCK_CLASS_ANON_LAZY);
}

bool anon_lazy_trylock_read(void)
{
	if (!anon_vma_lazy_enabled())
		return true;
	return down_read_trylock_class(&anon_rmap()->lock,
				       LOCK_CLASS_ANON_LAZY);
}

void anon_lazy_unlock_read(void)
{
	if (anon_vma_lazy_enabled())
		up_rwsem(&anon_rmap()->lock);
}

void anon_lazy_assert_held_write(void)
{
	if (anon_vma_lazy_enabled())
		lockdep_assert_held_write(&anon_rmap()->lock);
}

/* One more reference on root @root.  Caller holds the lazy lock for write. */
static void lazy_root_get(struct vm_area_struct *root)
{
	if (root->vm_refcnt++ == 0)
		atomic_long_add(1, &anon_rmap()->nr_roots);
}

/*
 * Drop a reference on @root; the last one frees a detached root (one that
 * left its mm), or makes a mapped one an ordinary VMA again.  Caller
 * holds the lazy lock for write, so no walker is looking at @root.
 */
static void lazy_root_put(struct vm_area_struct *root)
{
	VM_WARN_ON(!root->vm_refcnt);
	if (--root->vm_refcnt)
		return;
	atomic_long_add(-1, &anon_rmap()->nr_roots);
	if (root->lazy_detached) {
		atomic_long_add(-1, &anon_rmap()->nr_detached);
		VM_WARN_ON(root->lazy_anon_vma);
		kmem_cache_free(vm_area_cachep, root);
	}
}

void anon_vma_lazy_span(struct vm_area_struct *vma)
{
	struct vm_area_struct *root = vma->lazy_root;

	if (!root)
		return;
	if (!root->lazy_span_end) {
		root->lazy_span_start = vma->vm_start;
		root->lazy_span_end = vma->vm_end;
	}
	root->lazy_span_start = min(root->lazy_span_start, vma->vm_start);
	root->lazy_span_end = max(root->lazy_span_end, vma->vm_end);
}

/* @vma (in its mm, or about to be) uses @root's folios' addresses. */
static void lazy_link(struct vm_area_struct *vma, struct vm_area_struct *root)
{
	VM_WARN_ON(vma->vm_mm != root->vm_mm);
	VM_WARN_ON(vma_mapping_base(vma) != vma_mapping_base(root));
	anon_lazy_lock_write();
	WRITE_ONCE(vma->lazy_root, root);
	lazy_root_get(root);
	anon_vma_lazy_span(vma);
	anon_lazy_unlock_write();
}

static void lazy_unlink(struct vm_area_struct *vma)
{
	struct vm_area_struct *root = vma->lazy_root;

	anon_lazy_lock_write();
	WRITE_ONCE(vma->lazy_root, NULL);
	lazy_root_put(root);
	anon_lazy_unlock_write();
}

/* The anon_vma that pinned @anon_vma->lazy_root goes (anon_vma_free()). */
static void lazy_root_unpin(struct anon_vma *anon_vma)
{
	struct vm_area_struct *root = anon_vma->lazy_root;

	anon_lazy_lock_write();
	VM_WARN_ON(root->lazy_anon_vma != anon_vma);
	root->lazy_anon_vma = NULL;
	anon_vma->lazy_root = NULL;
	lazy_root_put(root);
	anon_lazy_unlock_write();
}

bool anon_vma_lazy_keep(struct vm_area_struct *vma)
{
	bool keep = false;

	if (!anon_vma_lazy_enabled())
		return false;
	anon_lazy_lock_write();
	VM_WARN_ON(vma->lazy_detached);
	if (vma->vm_refcnt) {
		/* Split halves or an anon_vma still use its base. */
		vma->lazy_detached = true;
		atomic_long_add(1, &anon_rmap()->nr_detached);
		keep = true;
	}
	anon_lazy_unlock_write();
	return keep;
}

/* The first anonymous fault of @vma in a lazy machine: it becomes a root. */
static int __anon_vma_prepare_lazy(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	mmap_assert_locked(mm);
	anon_lazy_lock_write();
	spin_lock(&mm->page_table_lock);
	if (likely(!vma->anon_vma && !vma->lazy_root)) {
		WRITE_ONCE(vma->lazy_root, vma);
		lazy_root_get(vma);
		vma->lazy_span_start = vma->lazy_span_end = 0;
		anon_vma_lazy_span(vma);
	}
	spin_unlock(&mm->page_table_lock);
	anon_lazy_unlock_write();
	return 0;
}

/*
 * The anon_vma of @root's group, made on the first upgrade: a new root
 * anon_vma that pins @root (its folios may still point at @root).  Caller
 * holds the lazy lock for write.
 */
static struct anon_vma *lazy_group_anon_vma(struct vm_area_struct *root)
{
	struct anon_vma *anon_vma = root->lazy_anon_vma;

	if (anon_vma)
		return anon_vma;
	anon_vma = anon_vma_alloc();
	if (!anon_vma)
		return NULL;
	/*
	 * No VMA on its tree yet: the tree's reference and the self-parent
	 * link come with the first (lazy_upgrade_one()); migration may hold
	 * it before any (folio_get_anon_vma()).
	 */
	atomic_set(&anon_vma->refcount, 0);
	anon_vma->lazy_root = root;
	lazy_root_get(root);
	root->lazy_anon_vma = anon_vma;
	atomic_long_add(1, &anon_rmap()->nr_upgrades);
	return anon_vma;
}

/* Give lazy @vma its group's anon_vma.  Caller holds the lazy lock (w). */
static int lazy_upgrade_one(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *anon_vma;

	if (vma->anon_vma)
		return 0;
	avc = anon_vma_chain_alloc();
	if (!avc)
		return -ENOMEM;
	anon_vma = lazy_group_anon_vma(vma->lazy_root);
	if (!anon_vma) {
		anon_vma_chain_free(avc);
		return -ENOMEM;
	}
	anon_vma_lock_write(anon_vma);
	if (interval_tree_empty(&anon_vma->rb_root)) {
		get_anon_vma(anon_vma);		/* the tree's */
		anon_vma->num_children++;	/* self-parent link of a root */
	}
	vma->anon_vma = anon_vma;
	anon_vma_chain_link(vma, avc, anon_vma);
	anon_vma->num_active_vmas++;
	anon_vma_unlock_write(anon_vma);
	return 0;
}

/*
 * fork: every lazy VMA of @mm gets its group's anon_vma before any PTE is
 * copied, so that a folio straddling two VMAs of a group (a split in the
 * middle of a large folio) is on one tree whichever VMA fixes it first.
 */
int anon_vma_lazy_upgrade_mm(struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	int err = 0;

	if (!anon_vma_lazy_enabled())
		return 0;
	mmap_assert_write_locked(mm);
	anon_lazy_lock_write();
	for_each_vma(mm, vma) {
		if (vma->lazy_root && !vma->anon_vma) {
			err = lazy_upgrade_one(vma);
			if (err)
				break;
		}
	}
	anon_lazy_unlock_write();
	return err;
}

/* A moving mremap of @vma: its whole group (same root) is upgraded. */
int anon_vma_lazy_upgrade(struct vm_area_struct *vma)
{
	struct vm_area_struct *root = vma->lazy_root, *v;
	struct mm_struct *mm = vma->vm_mm;
	int err = 0;

	if (!root || vma->anon_vma)
		return 0;
	mmap_assert_write_locked(mm);
	anon_lazy_lock_write();
	/* Only the root's span can hold its VMAs: no walk of the whole mm. */
	for (v = find_vma(mm, root->lazy_span_start);
	     v && v->vm_start < root->lazy_span_end; v = vma_next(mm, v)) {
		if (v->lazy_root == root && !v->anon_vma) {
			err = lazy_upgrade_one(v);
			if (err)
				break;
		}
	}
	anon_lazy_unlock_write();
	return err;
}

void folio_fix_anon_lazy(struct folio *folio, struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma = vma->anon_vma;

	if (!folio_test_anon_lazy(folio) || !anon_vma)
		return;
	/* One way: lazy root -> the group's (root) anon_vma, never back. */
	VM_WARN_ON(folio_lazy_root(folio)->lazy_anon_vma != anon_vma->root);
	/* Release: a walker that sees the anon_vma sees it initialised. */
	__atomic_store_n(&folio->mapping, (struct address_space *)
			 ((unsigned long)anon_vma->root | FOLIO_MAPPING_ANON),
			 __ATOMIC_RELEASE);
	atomic_long_add(1, &anon_rmap()->nr_fixed);
}

static int anon_rmap_init(struct foliage_machine *m)
{
	m->anon_rmap->lazy = m->config.anon_vma == FOLIAGE_ANON_VMA_LAZY;
	pthread_rwlock_init(&m->anon_rmap->lock, NULL);
	return 0;
}

static void anon_rmap_exit(struct foliage_machine *m)
{
	if (m->anon_rmap)
		pthread_rwlock_destroy(&m->anon_rmap->lock);
}

const struct machine_subsys anon_rmap_subsys = {
	.name = "anon_rmap",
	.init = anon_rmap_init,
	.exit = anon_rmap_exit,
	MACHINE_SUBSYS_STATE(anon_rmap),
};

/* ---- anon_vma lifecycle ------------------------------------------------ */

/*
 * The first anonymous fault in @vma: give it an anon_vma, a neighbour's
 * if find_mergeable_anon_vma() offers one (so that an mprotect split can
 * merge back), else a new root.  Caller holds mmap_lock for read; two
 * faulting threads race under mm->page_table_lock.
 */
static int __anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *anon_vma, *allocated = NULL;
	struct anon_vma_chain *avc;

	mmap_assert_locked(vma->vm_mm);

	avc = anon_vma_chain_alloc();
	if (!avc)
		return -ENOMEM;
	anon_vma = find_mergeable_anon_vma(vma);
	if (!anon_vma) {
		anon_vma = anon_vma_alloc();
		if (!anon_vma)
			goto out_free_avc;
		anon_vma->num_children++;	/* self-parent link of a root */
		allocated = anon_vma;
	}

	anon_vma_lock_write(anon_vma);
	spin_lock(&mm->page_table_lock);
	if (likely(!vma->anon_vma)) {
		vma->anon_vma = anon_vma;
		anon_vma_chain_link(vma, avc, anon_vma);
		anon_vma->num_active_vmas++;
		allocated = NULL;
		avc = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock_write(anon_vma);

	/* Lost a race with another thread's fault. */
	if (unlikely(allocated))
		put_anon_vma(allocated);
	if (unlikely(avc))
		anon_vma_chain_free(avc);
	return 0;

out_free_avc:
	anon_vma_chain_free(avc);
	return -ENOMEM;
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	if (likely(vma->anon_vma))
		return 0;
	/*
	 * hugetlb's private mappings keep classic anon_vmas in a lazy
	 * machine: their rmap (mm/hugetlb.c) uses vma->anon_vma directly,
	 * and the seed's series leaves hugetlb out.
	 */
	if (anon_vma_lazy_enabled() && !is_vm_hugetlb_page(vma)) {
		if (likely(vma->lazy_root))
			return 0;
		return __anon_vma_prepare_lazy(vma);
	}
	return __anon_vma_prepare(vma);
}

/*
 * Lock the root of @anon_vma's tree, unless @root (already locked) is it:
 * every anon_vma on one VMA's chain shares a root, so a walk of the chain
 * takes the lock once.
 */
static struct anon_vma *lock_anon_vma_root(struct anon_vma *root,
					   struct anon_vma *anon_vma)
{
	struct anon_vma *new_root = anon_vma->root;

	if (new_root != root) {
		if (WARN_ON_ONCE(root))
			up_rwsem(&root->rwsem);
		root = new_root;
		down_write_class(&root->rwsem, LOCK_CLASS_ANON_VMA);
	}
	return root;
}

static void unlock_anon_vma_root(struct anon_vma *root)
{
	if (root)
		up_rwsem(&root->rwsem);
}

/*
 * Link @dst to every anon_vma @src is linked to, oldest first (so @dst's
 * chain lists them newest first, like @src's).  Split, merge and mremap
 * (dst->anon_vma already equal to src->anon_vma) want an exact copy; fork
 * (dst->anon_vma NULL) may instead adopt an anon_vma of the chain that no
 * VMA uses any more and that has at most one child, so that a task that
 * forks in a loop does not grow an endless chain.  A root is never
 * adopted: its self-parent link and a child make two.
 */
int anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *avc, *pavc;
	struct anon_vma *root = NULL;

	for (pavc = list_last_entry(&src->anon_vma_chain,
				    struct anon_vma_chain, same_vma);
	     &pavc->same_vma != &src->anon_vma_chain;
	     pavc = list_entry(pavc->same_vma.prev, struct anon_vma_chain,
			       same_vma)) {
		struct anon_vma *anon_vma;

		/* Linux tries GFP_NOWAIT under the lock, then GFP_KERNEL. */
		avc = anon_vma_chain_alloc();
		if (unlikely(!avc)) {
			unlock_anon_vma_root(root);
			root = NULL;
			avc = anon_vma_chain_alloc();
			if (!avc)
				goto enomem_failure;
		}
		anon_vma = pavc->anon_vma;
		root = lock_anon_vma_root(root, anon_vma);
		anon_vma_chain_link(dst, avc, anon_vma);

		if (!dst->anon_vma && src->anon_vma &&
		    anon_vma->num_children < 2 &&
		    anon_vma->num_active_vmas == 0)
			dst->anon_vma = anon_vma;
	}
	if (dst->anon_vma)
		dst->anon_vma->num_active_vmas++;
	unlock_anon_vma_root(root);
	/*
	 * ANON_VMA_LAZY: a split, a merge or a copy at the same base in the
	 * same mm keeps using the root (not fork, not a moved copy).
	 */
	if (src->lazy_root && !dst->lazy_root && dst->vm_mm == src->vm_mm &&
	    vma_mapping_base(dst) == vma_mapping_base(src))
		lazy_link(dst, src->lazy_root);
	return 0;

enomem_failure:
	/* Not counted in num_active_vmas yet: don't let unlink uncount it. */
	dst->anon_vma = NULL;
	unlink_anon_vmas(dst);
	return -ENOMEM;
}

/*
 * fork: link the child's @vma to all of the parent @pvma's anon_vmas (it
 * maps their pages until COW), then give it an anon_vma of its own for the
 * pages it COWs, a child of pvma's in the same fork tree: one anon_vma and
 * one more avc than the parent has, unless an unused one was adopted.
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *anon_vma;
	int error;

	if (!pvma->anon_vma)
		return 0;
	/* Drop the copied pointer: reuse or allocate below. */
	vma->anon_vma = NULL;
	error = anon_vma_clone(vma, pvma);
	if (error)
		return error;
	if (vma->anon_vma)
		return 0;

	anon_vma = anon_vma_alloc();
	if (!anon_vma)
		goto out_error;
	anon_vma->num_active_vmas++;
	avc = anon_vma_chain_alloc();
	if (!avc)
		goto out_error_free_anon_vma;
	/* Its lock is the root's; the root lives as long as it does. */
	anon_vma->root = pvma->anon_vma->root;
	anon_vma->parent = pvma->anon_vma;
	get_anon_vma(anon_vma->root);
	vma->anon_vma = anon_vma;
	anon_vma_lock_write(anon_vma);
	anon_vma_chain_link(vma, avc, anon_vma);
	anon_vma->parent->num_children++;
	anon_vma_unlock_write(anon_vma);
	return 0;

out_error_free_anon_vma:
	put_anon_vma(anon_vma);
out_error:
	unlink_anon_vmas(vma);
	return -ENOMEM;
}

/*
 * @vma goes away (or loses its pages): unlink its avcs, and free the
 * anon_vmas left with no VMA on their trees, newest first so that a root
 * goes last.  Freeing takes the root's lock, so it is done after the
 * first loop drops it.
 */
void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;
	struct anon_vma *root = NULL;

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *anon_vma = avc->anon_vma;

		root = lock_anon_vma_root(root, anon_vma);
		avc_tree_remove(avc);
		/* Empty anon_vmas stay on the list, to be freed below. */
		if (interval_tree_empty(&anon_vma->rb_root)) {
			anon_vma->parent->num_children--;
			continue;
		}
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc);
	}
	if (vma->anon_vma) {
		vma->anon_vma->num_active_vmas--;
		/* The VMA may live on; its next fault prepares again. */
		vma->anon_vma = NULL;
	}
	unlock_anon_vma_root(root);

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		struct anon_vma *anon_vma = avc->anon_vma;

		VM_WARN_ON(anon_vma->num_children);
		VM_WARN_ON(anon_vma->num_active_vmas);
		put_anon_vma(anon_vma);
		list_del(&avc->same_vma);
		anon_vma_chain_free(avc);
	}
	if (vma->lazy_root)
		lazy_unlink(vma);
}

/*
 * A reference on the anon_vma of a mapped anon folio, which keeps it (not
 * its tree) alive across unmapping: migration holds one while the folio is
 * replaced by migration entries.
 */
/*
 * A lazy folio's: its group's anon_vma, made if need be (without any VMA
 * on its tree: it only pins the root until fork or mremap links them),
 * which keeps the root, so the folio's walks, alive.
 */
static struct anon_vma *folio_get_lazy_anon_vma(const struct folio *folio)
{
	struct anon_vma *anon_vma = NULL;

	anon_lazy_lock_write();
	if (folio_test_anon_lazy(folio) && folio_mapped(folio)) {
		anon_vma = lazy_group_anon_vma(folio_lazy_root(folio));
		if (anon_vma)
			get_anon_vma(anon_vma);
	}
	anon_lazy_unlock_write();
	return anon_vma;
}

struct anon_vma *folio_get_anon_vma(const struct folio *folio)
{
	struct anon_vma *anon_vma;

	if (folio_test_anon_lazy(folio)) {
		anon_vma = folio_get_lazy_anon_vma(folio);
		/* Moved to an anon_vma meanwhile: take that one. */
		if (anon_vma || folio_test_anon_lazy(folio))
			return anon_vma;
	}
	anon_vma = folio_anon_vma(folio);

	if (!anon_vma || !folio_mapped(folio))
		return NULL;
	if (!atomic_add_unless(&anon_vma->refcount, 1, 0))
		return NULL;
	/* Unmapped meanwhile: the anon_vma may be another's by now. */
	if (!folio_mapped(folio)) {
		put_anon_vma(anon_vma);
		return NULL;
	}
	return anon_vma;
}

/* ---- mapcounts ---------------------------------------------------------- */

enum rmap_level {
	RMAP_LEVEL_PTE,
	RMAP_LEVEL_PMD,
};

static void __folio_rmap_sanity_checks(const struct folio *folio,
				       const struct page *page, int nr_pages,
				       enum rmap_level level)
{
	VM_WARN_ON(nr_pages <= 0);
	VM_WARN_ON(page_folio(page) != folio);
	VM_WARN_ON(page_folio(page + nr_pages - 1) != folio);
	if (level == RMAP_LEVEL_PMD) {
		VM_WARN_ON(folio_nr_pages(folio) < HPAGE_PMD_NR);
		VM_WARN_ON(nr_pages != HPAGE_PMD_NR);
	}
}

/* ---- CONFIG_MM_ID: the mm slots of a large folio (see rmap.h) ---- */

static __always_inline void large_mapcount_sanity_checks(struct folio *folio,
							 int diff,
							 mm_id_t mm_id)
{
	VM_WARN_ON(!folio_test_large(folio) || PageHugetlb(&folio->page));
	VM_WARN_ON(diff <= 0 || diff > (int)folio_nr_pages(folio));
	VM_WARN_ON(mm_id < MM_ID_MIN || mm_id > MM_ID_MAX);
	VM_WARN_ON((folio_mm_id(folio, 0) == MM_ID_DUMMY) !=
		   (folio_mm_id_mapcount(folio, 0) == -1));
	VM_WARN_ON((folio_mm_id(folio, 1) == MM_ID_DUMMY) !=
		   (folio_mm_id_mapcount(folio, 1) == -1));
}

/* A new folio's first @mapcount mappings, all @vma's mm's: no lock. */
static __always_inline void folio_set_large_mapcount(struct folio *folio,
						     int mapcount,
						     struct vm_area_struct *vma)
{
	large_mapcount_sanity_checks(folio, mapcount, vma->vm_mm->mm_id);
	VM_WARN_ON(folio_mm_id(folio, 0) != MM_ID_DUMMY ||
		   folio_mm_id(folio, 1) != MM_ID_DUMMY);
	atomic_set(&folio->_large_mapcount, mapcount - 1);
	folio_set_mm_id_mapcount(folio, 0, mapcount - 1);
	folio_set_mm_id(folio, 0, vma->vm_mm->mm_id);
}

/* @diff more mappings by @vma's mm; returns the folio's new total. */
static __always_inline int folio_add_return_large_mapcount(struct folio *folio,
							   int diff,
							   struct vm_area_struct *vma)
{
	const mm_id_t mm_id = vma->vm_mm->mm_id;
	int val;

	folio_lock_large_mapcount(folio);
	large_mapcount_sanity_checks(folio, diff, mm_id);
	val = atomic_read(&folio->_large_mapcount) + diff;
	atomic_set(&folio->_large_mapcount, val);

	if (folio_mm_id(folio, 0) == mm_id) {
		folio_set_mm_id_mapcount(folio, 0,
					 folio_mm_id_mapcount(folio, 0) + diff);
	} else if (folio_mm_id(folio, 1) == mm_id) {
		folio_set_mm_id_mapcount(folio, 1,
					 folio_mm_id_mapcount(folio, 1) + diff);
	} else if (folio_mm_id(folio, 0) == MM_ID_DUMMY) {
		folio_set_mm_id(folio, 0, mm_id);
		folio_set_mm_id_mapcount(folio, 0, diff - 1);
		/* Mappings without a slot may exist already. */
		if (val != diff - 1)
			folio_mark_maybe_mapped_shared(folio, true);
	} else if (folio_mm_id(folio, 1) == MM_ID_DUMMY) {
		folio_set_mm_id(folio, 1, mm_id);
		folio_set_mm_id_mapcount(folio, 1, diff - 1);
		/* Slot 0 has mappings too. */
		folio_mark_maybe_mapped_shared(folio, true);
	} else {
		/* A third mm: no slot, so maybe shared from now on. */
		folio_mark_maybe_mapped_shared(folio, true);
	}
	folio_unlock_large_mapcount(folio);
	return val + 1;
}

/* @diff fewer mappings by @vma's mm; returns the folio's new total. */
static __always_inline int folio_sub_return_large_mapcount(struct folio *folio,
							   int diff,
							   struct vm_area_struct *vma)
{
	const mm_id_t mm_id = vma->vm_mm->mm_id;
	int val, idx = -1;

	folio_lock_large_mapcount(folio);
	large_mapcount_sanity_checks(folio, diff, mm_id);
	val = atomic_read(&folio->_large_mapcount) - diff;
	atomic_set(&folio->_large_mapcount, val);

	if (folio_mm_id(folio, 0) == mm_id)
		idx = 0;
	else if (folio_mm_id(folio, 1) == mm_id)
		idx = 1;
	if (idx >= 0) {
		mm_id_mapcount_t mc = folio_mm_id_mapcount(folio, idx) - diff;

		/*
		 * An mm may unmap more than its slot counted: mappings it
		 * added while no slot was free.  A slot never goes below -1.
		 */
		if (mc >= 0) {
			folio_set_mm_id_mapcount(folio, idx, mc);
			goto out;
		}
		folio_set_mm_id_mapcount(folio, idx, -1);
		folio_set_mm_id(folio, idx, MM_ID_DUMMY);
	}
	/* One slot owns every mapping (or none is left): exclusive. */
	if (folio_mm_id_mapcount(folio, 0) == val ||
	    folio_mm_id_mapcount(folio, 1) == val)
		folio_mark_maybe_mapped_shared(folio, false);
out:
	folio_unlock_large_mapcount(folio);
	return val + 1;
}

/* The node counters of pages newly (un)mapped: Linux's __folio_mod_stat. */
static void __folio_mod_stat(struct folio *folio, int nr, int nr_pmdmapped)
{
	pg_data_t *pgdat = NODE_DATA(folio_nid(folio));
	bool anon = folio_test_anon(folio);

	if (nr)
		mod_node_page_state(pgdat, anon ? NR_ANON_MAPPED :
					    NR_FILE_MAPPED, nr);
	if (!nr_pmdmapped)
		return;
	if (anon)
		mod_node_page_state(pgdat, NR_ANON_THPS, nr_pmdmapped);
	else
		mod_node_page_state(pgdat, folio_test_swapbacked(folio) ?
				    NR_SHMEM_PMDMAPPED : NR_FILE_PMDMAPPED,
				    nr_pmdmapped);
}

/*
 * Count @nr_pages new PTE mappings from @page, or one PMD mapping, of
 * @folio.  Returns the pages that became mapped (counted in
 * NR_*_MAPPED); *@nr_pmdmapped gets the folio's pages when its first PMD
 * mapping was added.
 */
static int __folio_add_rmap(struct folio *folio, struct page *page,
			    int nr_pages, struct vm_area_struct *vma,
			    enum rmap_level level, int *nr_pmdmapped)
{
	atomic_t *mapped = &folio->_nr_pages_mapped;
	const int orig_nr_pages = nr_pages;
	int first = 0, nr = 0;

	__folio_rmap_sanity_checks(folio, page, nr_pages, level);
	touch_folio(folio);
	switch (level) {
	case RMAP_LEVEL_PTE:
		if (!folio_test_large(folio)) {
			nr = atomic_inc_and_test(&folio->_mapcount);
			break;
		}
		if (!page_mapcount_enabled()) {
			/* The whole folio is counted from its first mapping. */
			nr = folio_add_return_large_mapcount(folio,
							     orig_nr_pages,
							     vma);
			nr = nr == orig_nr_pages ? (int)folio_nr_pages(folio) :
						   0;
			break;
		}
		do {
			first += atomic_inc_and_test(&page->_mapcount);
		} while (page++, --nr_pages > 0);
		/* Pages under a PMD mapping were counted already. */
		if (first && atomic_add_return(first, mapped) < ENTIRELY_MAPPED)
			nr = first;
		folio_add_return_large_mapcount(folio, orig_nr_pages, vma);
		break;
	case RMAP_LEVEL_PMD:
		first = atomic_inc_and_test(&folio->_entire_mapcount);
		if (!page_mapcount_enabled()) {
			if (first)
				*nr_pmdmapped = folio_nr_pages(folio);
			nr = folio_add_return_large_mapcount(folio, 1, vma);
			nr = nr == 1 ? (int)folio_nr_pages(folio) : 0;
			break;
		}
		if (first) {
			nr = atomic_add_return(ENTIRELY_MAPPED, mapped);
			if (likely(nr < ENTIRELY_MAPPED + ENTIRELY_MAPPED)) {
				*nr_pmdmapped = folio_nr_pages(folio);
				/* The pages not PTE-mapped before. */
				nr = *nr_pmdmapped - (nr & FOLIO_PAGES_MAPPED);
				if (unlikely(nr < 0))
					nr = 0;
			} else {
				nr = 0;
			}
		}
		folio_add_return_large_mapcount(folio, 1, vma);
		break;
	}
	return nr;
}

/* The folio's anon_vma and index agree with the mapping being added. */
static void __page_check_anon_rmap(const struct folio *folio,
				   const struct page *page,
				   const struct vm_area_struct *vma,
				   unsigned long address)
{
	if (folio_test_anon_lazy(folio)) {
		struct vm_area_struct *root = folio_lazy_root(folio);

		VM_WARN_ON(vma->lazy_root != root &&
			   (!vma->anon_vma || !root->lazy_anon_vma ||
			    root->lazy_anon_vma->root != vma->anon_vma->root));
	} else {
		VM_WARN_ON(!vma->anon_vma ||
			   folio_anon_vma(folio)->root != vma->anon_vma->root);
	}
	VM_WARN_ON(folio->index + (page - &folio->page) !=
		   linear_page_index(vma, address));
}

static void __folio_add_anon_rmap(struct folio *folio, struct page *page,
				  int nr_pages, struct vm_area_struct *vma,
				  unsigned long address, rmap_t flags,
				  enum rmap_level level)
{
	int i, nr, nr_pmdmapped = 0;

	VM_WARN_ON(!folio_test_anon(folio));
	nr = __folio_add_rmap(folio, page, nr_pages, vma, level,
			      &nr_pmdmapped);
	__page_check_anon_rmap(folio, page, vma, address);
	__folio_mod_stat(folio, nr, nr_pmdmapped);

	if (flags & RMAP_EXCLUSIVE) {
		/* A PMD mapping keeps AnonExclusive on its first page only. */
		if (level == RMAP_LEVEL_PTE)
			for (i = 0; i < nr_pages; i++)
				SetPageAnonExclusive(page + i);
		else
			SetPageAnonExclusive(page);
	}
	/* An exclusive page is mapped once. */
	for (i = 0; i < nr_pages && page_mapcount_enabled(); i++)
		VM_WARN_ON((atomic_read(&page[i]._mapcount) > 0 ||
			    (folio_test_large(folio) &&
			     folio_entire_mapcount(folio) > 1)) &&
			   PageAnonExclusive(&page[i]));
}

/*
 * Map @nr_pages pages from @page of an existing anon folio by PTEs at
 * @address in @vma (swap-in, remove_migration_ptes, split of a PMD).
 * RMAP_EXCLUSIVE marks the pages AnonExclusive.  Caller holds the PTL.
 */
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma,
			      unsigned long address, rmap_t flags)
{
	__folio_add_anon_rmap(folio, page, nr_pages, vma, address, flags,
			      RMAP_LEVEL_PTE);
}

void folio_add_anon_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *vma, unsigned long address,
			     rmap_t flags)
{
	__folio_add_anon_rmap(folio, page, HPAGE_PMD_NR, vma, address, flags,
			      RMAP_LEVEL_PMD);
}

/*
 * Make @folio anonymous in @vma's anon_vma: an exclusive folio in the
 * VMA's own anon_vma, a shared one in the root (the oldest, which every
 * VMA of the fork tree is linked to).
 */
static void __folio_set_anon(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, bool exclusive)
{
	struct anon_vma *anon_vma = vma->anon_vma;

	folio->index = linear_page_index(vma, address);
	if (!anon_vma) {
		/* ANON_VMA_LAZY: the root VMA, tagged. */
		VM_WARN_ON(!vma->lazy_root);
		WRITE_ONCE(folio->mapping, (struct address_space *)
			   ((unsigned long)vma->lazy_root | FOLIO_MAPPING_ANON |
			    FOLIO_MAPPING_ANON_VMA_LAZY));
		return;
	}
	if (!exclusive)
		anon_vma = anon_vma->root;
	WRITE_ONCE(folio->mapping, (struct address_space *)
		   ((unsigned long)anon_vma | FOLIO_MAPPING_ANON));
}

/*
 * A new anonymous folio's first mapping, of all its pages at @address
 * (by PTEs, or by one PMD if it is PMD-sized): mapcounts set outright.
 */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, rmap_t flags)
{
	const int nr = folio_nr_pages(folio);
	const bool exclusive = flags & RMAP_EXCLUSIVE;
	int i, nr_pmdmapped = 0;

	VM_WARN_ON(address < vma->vm_start ||
		   address + ((unsigned long)nr << PAGE_SHIFT) > vma->vm_end);
	if (!folio_test_swapbacked(folio))
		__folio_set_swapbacked(folio);
	__folio_set_anon(folio, vma, address, exclusive);
	touch_folio(folio);

	if (likely(!folio_test_large(folio))) {
		atomic_set(&folio->_mapcount, 0);
		if (exclusive)
			SetPageAnonExclusive(&folio->page);
	} else if (!folio_test_pmd_mappable(folio)) {
		for (i = 0; i < nr; i++) {
			struct page *page = folio_page(folio, i);

			if (page_mapcount_enabled())
				atomic_set(&page->_mapcount, 0);
			if (exclusive)
				SetPageAnonExclusive(page);
		}
		folio_set_large_mapcount(folio, nr, vma);
		if (page_mapcount_enabled())
			atomic_set(&folio->_nr_pages_mapped, nr);
	} else {
		atomic_set(&folio->_entire_mapcount, 0);
		folio_set_large_mapcount(folio, 1, vma);
		if (page_mapcount_enabled())
			atomic_set(&folio->_nr_pages_mapped, ENTIRELY_MAPPED);
		if (exclusive)
			SetPageAnonExclusive(&folio->page);
		nr_pmdmapped = nr;
	}
	__folio_mod_stat(folio, nr, nr_pmdmapped);
	/* hugepages-NkB/stats/nr_anon; the free of the folio takes it back. */
	mod_mthp_stat(folio_order(folio), MTHP_STAT_NR_ANON, 1);
}

static void __folio_add_file_rmap(struct folio *folio, struct page *page,
				  int nr_pages, struct vm_area_struct *vma,
				  enum rmap_level level)
{
	int nr, nr_pmdmapped = 0;

	VM_WARN_ON(folio_test_anon(folio));
	nr = __folio_add_rmap(folio, page, nr_pages, vma, level,
			      &nr_pmdmapped);
	__folio_mod_stat(folio, nr, nr_pmdmapped);
}

void folio_add_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma)
{
	__folio_add_file_rmap(folio, page, nr_pages, vma, RMAP_LEVEL_PTE);
}

void folio_add_file_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *vma)
{
	__folio_add_file_rmap(folio, page, HPAGE_PMD_NR, vma, RMAP_LEVEL_PMD);
}

static void __folio_remove_rmap(struct folio *folio, struct page *page,
				int nr_pages, struct vm_area_struct *vma,
				enum rmap_level level)
{
	atomic_t *mapped = &folio->_nr_pages_mapped;
	int last = 0, nr = 0, nr_pmdmapped = 0;
	bool partially_mapped = false;

	__folio_rmap_sanity_checks(folio, page, nr_pages, level);
	touch_folio(folio);
	switch (level) {
	case RMAP_LEVEL_PTE:
		if (!folio_test_large(folio)) {
			nr = atomic_add_negative(-1, &folio->_mapcount);
			break;
		}
		if (!page_mapcount_enabled()) {
			/* The whole folio goes with its last mapping. */
			nr = folio_sub_return_large_mapcount(folio, nr_pages,
							     vma);
			/* Fewer mappings than pages, none by a PMD. */
			partially_mapped = nr &&
					   nr < (int)folio_nr_pages(folio) &&
					   !folio_entire_mapcount(folio);
			nr = nr ? 0 : (int)folio_nr_pages(folio);
			break;
		}
		folio_sub_return_large_mapcount(folio, nr_pages, vma);
		do {
			last += atomic_add_negative(-1, &page->_mapcount);
		} while (page++, --nr_pages > 0);
		/* Pages still under a PMD mapping stay counted. */
		if (last && atomic_sub_return(last, mapped) < ENTIRELY_MAPPED)
			nr = last;
		/* Pages went unmapped while others stay mapped. */
		partially_mapped = nr && atomic_read(mapped);
		break;
	case RMAP_LEVEL_PMD:
		if (!page_mapcount_enabled()) {
			last = atomic_add_negative(-1,
						   &folio->_entire_mapcount);
			if (last)
				nr_pmdmapped = folio_nr_pages(folio);
			nr = folio_sub_return_large_mapcount(folio, 1, vma);
			partially_mapped = last && nr &&
					   nr < (int)folio_nr_pages(folio);
			nr = nr ? 0 : (int)folio_nr_pages(folio);
			break;
		}
		folio_sub_return_large_mapcount(folio, 1, vma);
		last = atomic_add_negative(-1, &folio->_entire_mapcount);
		if (last) {
			nr = atomic_sub_return(ENTIRELY_MAPPED, mapped);
			if (likely(nr < ENTIRELY_MAPPED)) {
				nr_pmdmapped = folio_nr_pages(folio);
				/* The pages no PTE maps either. */
				nr = nr_pmdmapped - (nr & FOLIO_PAGES_MAPPED);
				if (unlikely(nr < 0))
					nr = 0;
			} else {
				nr = 0;
			}
		}
		/* The PMD went, some of its pages stay mapped by PTEs. */
		partially_mapped = nr && nr < nr_pmdmapped;
		break;
	}
	/*
	 * An anon large folio with pages unmapped and pages still mapped
	 * waits on the deferred split queue for the shrinker to split it.
	 */
	if (partially_mapped && folio_test_anon(folio) &&
	    !folio_test_partially_mapped(folio))
		deferred_split_folio(folio, true);
	__folio_mod_stat(folio, -nr, -nr_pmdmapped);
	/*
	 * ->mapping stays set while unmapped: a racing add may have set it,
	 * and freeing clears it.
	 */
}

void folio_remove_rmap_ptes(struct folio *folio, struct page *page,
			    int nr_pages, struct vm_area_struct *vma)
{
	__folio_remove_rmap(folio, page, nr_pages, vma, RMAP_LEVEL_PTE);
}

void folio_remove_rmap_pmd(struct folio *folio, struct page *page,
			   struct vm_area_struct *vma)
{
	__folio_remove_rmap(folio, page, HPAGE_PMD_NR, vma, RMAP_LEVEL_PMD);
}

/*
 * More mappings of pages already counted mapped: fork's duplicates.
 * @unshare: anon pages stop being AnonExclusive, each before it gains the
 * child's mapping (one pass over a batch's struct pages).
 */
static __always_inline void __folio_dup_rmap(struct folio *folio,
					     struct page *page, int nr_pages,
					     struct vm_area_struct *dst_vma,
					     enum rmap_level level,
					     bool unshare)
{
	const int orig_nr_pages = nr_pages;

	touch_folio(folio);
	switch (level) {
	case RMAP_LEVEL_PTE:
		if (!folio_test_large(folio)) {
			if (unshare && PageAnonExclusive(page))
				ClearPageAnonExclusive(page);
			atomic_inc(&folio->_mapcount);
			break;
		}
		if (!page_mapcount_enabled()) {
			/* CONFIG_NO_PAGE_MAPCOUNT: only AnonExclusive. */
			for (; unshare && nr_pages > 0; page++, nr_pages--) {
				__builtin_prefetch(page + 8, 1);
				if (PageAnonExclusive(page))
					ClearPageAnonExclusive(page);
			}
		} else {
			do {
				/* Locked updates stall on misses: fetch ahead. */
				__builtin_prefetch(page + 8, 1);
				if (unshare && PageAnonExclusive(page))
					ClearPageAnonExclusive(page);
				atomic_inc(&page->_mapcount);
			} while (page++, --nr_pages > 0);
		}
		folio_add_return_large_mapcount(folio, orig_nr_pages, dst_vma);
		break;
	case RMAP_LEVEL_PMD:
		atomic_inc(&folio->_entire_mapcount);
		folio_add_return_large_mapcount(folio, 1, dst_vma);
		break;
	}
}

/*
 * fork of anon mappings: the child maps the parent's pages too, so none
 * can stay AnonExclusive, unless the folio may be DMA-pinned, in which
 * case the child must get a copy (-EBUSY) so the pin keeps seeing the
 * parent's page.
 */
static int __folio_try_dup_anon_rmap(struct folio *folio, struct page *page,
				     int nr_pages,
				     struct vm_area_struct *dst_vma,
				     struct vm_area_struct *src_vma,
				     enum rmap_level level)
{
	bool maybe_pinned;
	int i;

	VM_WARN_ON(!folio_test_anon(folio));
	__folio_rmap_sanity_checks(folio, page, nr_pages, level);
	/*
	 * ANON_VMA_LAZY: fork upgraded src_vma's group (dup_mmap()); the
	 * child's VMA is on its anon_vma's tree, not the root's: move the
	 * folio there, under the PTL, before the child maps it.
	 */
	folio_fix_anon_lazy(folio, src_vma);
	maybe_pinned = folio_needs_cow_for_dma(src_vma, folio);

	if (level == RMAP_LEVEL_PTE) {
		if (unlikely(maybe_pinned))
			for (i = 0; i < nr_pages; i++)
				if (PageAnonExclusive(page + i))
					return -EBUSY;
	} else if (PageAnonExclusive(page)) {
		if (unlikely(maybe_pinned))
			return -EBUSY;
		ClearPageAnonExclusive(page);
	}
	__folio_dup_rmap(folio, page, nr_pages, dst_vma, level, true);
	return 0;
}

int folio_try_dup_anon_rmap_ptes(struct folio *folio, struct page *page,
				 int nr_pages, struct vm_area_struct *dst_vma,
				 struct vm_area_struct *src_vma)
{
	return __folio_try_dup_anon_rmap(folio, page, nr_pages, dst_vma,
					 src_vma, RMAP_LEVEL_PTE);
}

int folio_try_dup_anon_rmap_pmd(struct folio *folio, struct page *page,
				struct vm_area_struct *dst_vma,
				struct vm_area_struct *src_vma)
{
	return __folio_try_dup_anon_rmap(folio, page, HPAGE_PMD_NR, dst_vma,
					 src_vma, RMAP_LEVEL_PMD);
}

void folio_dup_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *dst_vma)
{
	__folio_rmap_sanity_checks(folio, page, nr_pages, RMAP_LEVEL_PTE);
	__folio_dup_rmap(folio, page, nr_pages, dst_vma, RMAP_LEVEL_PTE,
			 false);
}

void folio_dup_file_rmap_pmd(struct folio *folio, struct page *page,
			     struct vm_area_struct *dst_vma)
{
	__folio_rmap_sanity_checks(folio, page, HPAGE_PMD_NR, RMAP_LEVEL_PMD);
	__folio_dup_rmap(folio, page, HPAGE_PMD_NR, dst_vma, RMAP_LEVEL_PMD,
			 false);
}

static int __folio_try_share_anon_rmap(struct folio *folio, struct page *page,
				       int nr_pages, enum rmap_level level)
{
	VM_WARN_ON(!folio_test_anon(folio));
	VM_WARN_ON(!PageAnonExclusive(page));
	__folio_rmap_sanity_checks(folio, page, nr_pages, level);
	/*
	 * The caller cleared (or write-protected) the mapping first, so no
	 * new pin can appear behind this check.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (unlikely(folio_maybe_dma_pinned(folio)))
		return -EBUSY;
	ClearPageAnonExclusive(page);
	return 0;
}

int folio_try_share_anon_rmap_pte(struct folio *folio, struct page *page)
{
	return __folio_try_share_anon_rmap(folio, page, 1, RMAP_LEVEL_PTE);
}

int folio_try_share_anon_rmap_pmd(struct folio *folio, struct page *page)
{
	return __folio_try_share_anon_rmap(folio, page, HPAGE_PMD_NR,
					   RMAP_LEVEL_PMD);
}

void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma = vma->anon_vma;

	VM_WARN_ON(!folio_test_locked(folio));
	touch_folio(folio);
	if (!anon_vma) {
		/* A lazy VMA: its folios are its root's already. */
		VM_WARN_ON(!vma->lazy_root);
		VM_WARN_ON(folio_lazy_root(folio) != vma->lazy_root);
		return;
	}
	WRITE_ONCE(folio->mapping, (struct address_space *)
		   ((unsigned long)anon_vma | FOLIO_MAPPING_ANON));
}

/* ---- rmap walks ---------------------------------------------------------- */

unsigned long vma_address(const struct vm_area_struct *vma, pgoff_t pgoff,
			  unsigned long nr_pages)
{
	unsigned long address;

	if (pgoff >= vma->vm_pgoff) {
		address = vma->vm_start +
			  ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
		/* Beyond the VMA (or wrapped)? */
		if (address < vma->vm_start || address >= vma->vm_end)
			address = -EFAULT;
	} else if (pgoff + nr_pages - 1 >= vma->vm_pgoff) {
		/* The folio starts before the VMA and reaches into it. */
		address = vma->vm_start;
	} else {
		address = -EFAULT;
	}
	return address;
}

/*
 * Lock the anon_vma of @folio for reading, or NULL: not anon, unmapped,
 * or (try_lock) contended.
 */
static struct anon_vma *rmap_walk_anon_lock(const struct folio *folio,
					    struct rmap_walk_control *rwc)
{
	struct anon_vma *anon_vma = folio_anon_vma(folio);

	if (!anon_vma)
		return NULL;
	if (anon_vma_trylock_read(anon_vma))
		return anon_vma;
	if (rwc->try_lock) {
		rwc->contended = true;
		return NULL;
	}
	anon_vma_lock_read(anon_vma);
	return anon_vma;
}

/* Visit one VMA the folio's range overlaps; false to end the walk. */
static bool rmap_walk_vma(struct folio *folio, struct vm_area_struct *vma,
			  struct rmap_walk_control *rwc)
{
	unsigned long address = vma_address(vma, folio->index,
					    folio_nr_pages(folio));

	VM_WARN_ON(address == -EFAULT);
	if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
		return true;
	if (!rwc->rmap_one(folio, vma, address, rwc->arg))
		return false;
	return !(rwc->done && rwc->done(folio));
}

/*
 * ANON_VMA_LAZY: the VMAs mapping lazy @folio of root @root.  First those
 * of the root's mm covering the folio's address there (the root's base +
 * index pages) that use the root; then, if the group was upgraded, the
 * other VMAs on its anon_vma's tree (fork children, moved copies), which
 * see the folio until fork or mremap moves it there.  Caller holds the
 * lazy lock for read.  False if the walk was ended.
 */
static bool rmap_walk_lazy_root(struct folio *folio,
				struct vm_area_struct *root,
				struct rmap_walk_control *rwc)
{
	const unsigned long nr_pages = folio_nr_pages(folio);
	struct mm_struct *mm = root->vm_mm;
	unsigned long start = vma_mapping_base(root) +
			      (folio->index << PAGE_SHIFT);
	unsigned long end = start + (nr_pages << PAGE_SHIFT);
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;
	struct vm_area_struct *vma;
	bool ret = true;

	/*
	 * Only the root's own VMAs (which keep its mm alive) use its base:
	 * none left (only an anon_vma pins it), and the mm may be gone.
	 */
	if (root->vm_refcnt == (root->lazy_anon_vma ? 1 : 0))
		goto tree;
	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = vma_next(mm, vma)) {
		if (READ_ONCE(vma->lazy_root) != root)
			continue;
		if (!rmap_walk_vma(folio, vma, rwc))
			return false;
	}
tree:
	anon_vma = root->lazy_anon_vma;
	if (!anon_vma)
		return true;
	anon_vma_lock_read(anon_vma);
	anon_vma_interval_tree_foreach(avc, anon_vma, folio->index,
				       folio->index + nr_pages - 1) {
		/* The root's own VMAs were visited by address. */
		if (avc->vma->lazy_root == root)
			continue;
		if (!rmap_walk_vma(folio, avc->vma, rwc)) {
			ret = false;
			break;
		}
	}
	anon_vma_unlock_read(anon_vma);
	return ret;
}

static void rmap_walk_anon(struct folio *folio, struct rmap_walk_control *rwc,
			   bool locked);

/*
 * A lazy folio's walk.  fork or mremap may move the folio to an anon_vma
 * meanwhile (one way): then walk again through the anon_vma, the retry the
 * posted series left out (rmap_one functions tolerate a second visit).
 */
static void rmap_walk_anon_lazy(struct folio *folio,
				struct rmap_walk_control *rwc, bool locked,
				struct address_space *mapping)
{
	struct vm_area_struct *root;
	bool more;

	if (!locked) {
		if (!anon_lazy_trylock_read()) {
			if (rwc->try_lock) {
				rwc->contended = true;
				return;
			}
			anon_lazy_lock_read();
		}
	}
	/* Moved before we held the lock: the root may be gone. */
	if (READ_ONCE(folio->mapping) != mapping) {
		if (!locked)
			anon_lazy_unlock_read();
		goto retry;
	}
	root = folio_lazy_root(folio);
	more = rmap_walk_lazy_root(folio, root, rwc);
	if (!locked)
		anon_lazy_unlock_read();
	if (!more || READ_ONCE(folio->mapping) == mapping)
		return;
retry:
	atomic_long_add(1, &anon_rmap()->nr_walk_retries);
	rmap_walk_anon(folio, rwc, false);
}

/* Each VMA of @folio's pgoff range: Linux's rmap_walk_anon(). */
static void rmap_walk_anon(struct folio *folio, struct rmap_walk_control *rwc,
			   bool locked)
{
	const unsigned long nr_pages = folio_nr_pages(folio);
	pgoff_t pgoff_start = folio->index;
	pgoff_t pgoff_end = pgoff_start + nr_pages - 1;
	struct address_space *mapping = __atomic_load_n(&folio->mapping,
							 __ATOMIC_ACQUIRE);
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;

	if (((unsigned long)mapping & PAGE_MAPPING_FLAGS) ==
	    (PAGE_MAPPING_ANON | FOLIO_MAPPING_ANON_VMA_LAZY)) {
		rmap_walk_anon_lazy(folio, rwc, locked, mapping);
		return;
	}
	if (locked) {
		anon_vma = folio_anon_vma(folio);
		VM_WARN_ON(!anon_vma);
	} else {
		anon_vma = rmap_walk_anon_lock(folio, rwc);
	}
	if (!anon_vma)
		return;
	anon_vma_interval_tree_foreach(avc, anon_vma, pgoff_start, pgoff_end)
		if (!rmap_walk_vma(folio, avc->vma, rwc))
			break;
	if (!locked)
		anon_vma_unlock_read(anon_vma);
}

/* Each VMA of the file mapping @folio's range: rmap_walk_file(). */
static void rmap_walk_file(struct folio *folio, struct rmap_walk_control *rwc,
			   bool locked)
{
	struct address_space *mapping = folio_mapping_file(folio);
	const unsigned long nr_pages = folio_nr_pages(folio);
	pgoff_t pgoff_start = folio->index;
	pgoff_t pgoff_end = pgoff_start + nr_pages - 1;
	struct vm_area_struct *vma;

	if (!mapping)
		return;
	if (!locked) {
		if (!i_mmap_trylock_read(mapping)) {
			if (rwc->try_lock) {
				rwc->contended = true;
				return;
			}
			i_mmap_lock_read(mapping);
		}
	}
	vma_interval_tree_foreach(vma, mapping, pgoff_start, pgoff_end)
		if (!rmap_walk_vma(folio, vma, rwc))
			break;
	if (!locked)
		i_mmap_unlock_read(mapping);
}

void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	if (folio_test_anon(folio))
		rmap_walk_anon(folio, rwc, false);
	else
		rmap_walk_file(folio, rwc, false);
}

void rmap_walk_locked(struct folio *folio, struct rmap_walk_control *rwc)
{
	if (folio_test_anon(folio))
		rmap_walk_anon(folio, rwc, true);
	else
		rmap_walk_file(folio, rwc, true);
}

/* ---- folio_referenced ------------------------------------------------- */

struct folio_referenced_arg {
	int mapcount;			/* mappings not yet seen */
	int referenced;			/* VMAs with a young mapping */
	vm_flags_t vm_flags;		/* their flags */
};

/*
 * ptep_clear_flush_young(): x86 needs no flush for a cleared young bit of
 * a PTE (the next access may just not set it); arm64 invalidates the page.
 */
static bool ptep_clear_flush_young(struct vm_area_struct *vma,
				   unsigned long address, pte_t *ptep)
{
	bool cont = pte_valid_cont(__ptep_get(ptep));
	bool young = ptep_test_and_clear_young(ptep);

	/* arm64: a folded block's 64K at once (contpte_ptep_clear_flush_young) */
	if (young && cont)
		flush_tlb_range(vma, address & CONT_PTE_MASK,
				(address & CONT_PTE_MASK) + CONT_PTE_SIZE);
	else if (young && arch_is_arm64())
		flush_tlb_page(vma, address);
	return young;
}

/* pmdp_clear_flush_young(): both flush the PMD's range. */
static bool pmdp_clear_flush_young(struct vm_area_struct *vma,
				   unsigned long address, pmd_t *pmdp)
{
	bool young = pmdp_test_and_clear_young(pmdp);

	if (young)
		flush_tlb_range(vma, address, address + HPAGE_PMD_SIZE);
	return young;
}

static bool folio_referenced_one(struct folio *folio,
				 struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct folio_referenced_arg *pra = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);
	int referenced = 0;

	while (page_vma_mapped_walk(&pvmw)) {
		address = pvmw.address;
		if (pvmw.pte) {
			if (ptep_clear_flush_young(vma, address, pvmw.pte))
				referenced++;
		} else if (pmdp_clear_flush_young(vma, address, pvmw.pmd)) {
			referenced++;
		}
		pra->mapcount--;
	}
	if (referenced)
		clear_bit(PG_idle, &folio->flags);
	if (test_and_clear_bit(PG_young, &folio->flags))
		referenced++;
	if (referenced) {
		pra->referenced++;
		pra->vm_flags |= READ_ONCE(vma->vm_flags) & ~VM_LOCKED;
	}
	return pra->mapcount != 0;	/* stop once every mapping was seen */
}

/* Mappings without recency (MADV_SEQUENTIAL/RANDOM) don't count. */
static bool invalid_folio_referenced_vma(struct vm_area_struct *vma, void *arg)
{
	/* Without mmap_lock: madvise() may be changing them. */
	return READ_ONCE(vma->vm_flags) & (VM_SEQ_READ | VM_RAND_READ);
}

int folio_referenced(struct folio *folio, bool is_locked,
		     vm_flags_t *vm_flags)
{
	struct folio_referenced_arg pra = {
		.mapcount = folio_mapcount(folio),
	};
	struct rmap_walk_control rwc = {
		.rmap_one = folio_referenced_one,
		.arg = &pra,
		.try_lock = true,
		.invalid_vma = invalid_folio_referenced_vma,
	};
	bool we_locked = false;

	*vm_flags = 0;
	if (!pra.mapcount || !READ_ONCE(folio->mapping))
		return 0;
	if (!is_locked && !folio_test_anon(folio)) {
		we_locked = folio_trylock(folio);
		if (!we_locked)
			return 1;
	}
	rmap_walk(folio, &rwc);
	*vm_flags = pra.vm_flags;
	if (we_locked)
		folio_unlock(folio);
	return rwc.contended ? -1 : pra.referenced;
}

/* ---- try_to_unmap, try_to_migrate -------------------------------------- */

static bool try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	enum ttu_flags flags = (enum ttu_flags)(long)arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);
	struct mm_struct *mm = vma->vm_mm;
	bool ret = true;

	if (flags & TTU_SYNC)
		pvmw.flags = PVMW_SYNC;
	while (page_vma_mapped_walk(&pvmw)) {
		struct page *subpage;
		pte_t pteval;

		if (!pvmw.pte) {
			if (flags & TTU_SPLIT_HUGE_PMD) {
				split_huge_pmd_locked(vma, pvmw.address,
						      pvmw.pmd);
				flags &= ~TTU_SPLIT_HUGE_PMD;
				page_vma_mapped_walk_restart(&pvmw);
				continue;
			}
			ret = false;
			page_vma_mapped_walk_done(&pvmw);
			break;
		}
		subpage = folio_page(folio, pte_pfn(ptep_get(pvmw.pte)) -
					    folio_pfn(folio));
		address = pvmw.address;
		pteval = ptep_clear_flush(vma, address, pvmw.pte);
		if (pte_dirty(pteval))
			folio_mark_dirty(folio);
		update_hiwater_rss(mm);

		if (folio_test_anon(folio)) {
			int ref_count, map_count;

			/*
			 * No swap: only a lazily freed (MADV_FREE) folio
			 * that nobody redirtied or references can go.
			 */
			if (folio_test_swapbacked(folio)) {
				set_pte(pvmw.pte, pteval);
				ret = false;
				page_vma_mapped_walk_done(&pvmw);
				break;
			}
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			ref_count = folio_ref_count(folio);
			map_count = folio_mapcount(folio);
			if (ref_count != 1 + map_count ||
			    folio_test_dirty(folio)) {
				/* Redirtied or referenced: keep it. */
				set_pte(pvmw.pte, pteval);
				folio_set_swapbacked(folio);
				ret = false;
				page_vma_mapped_walk_done(&pvmw);
				break;
			}
			dec_mm_counter(mm, MM_ANONPAGES);
		} else {
			dec_mm_counter(mm, mm_counter_file(folio));
		}
		folio_remove_rmap_pte(folio, subpage, vma);
		folio_put(folio);
	}
	return ret;
}

static bool folio_not_mapped(struct folio *folio)
{
	return !folio_mapped(folio);
}

void try_to_unmap(struct folio *folio, enum ttu_flags flags)
{
	struct rmap_walk_control rwc = {
		.rmap_one = try_to_unmap_one,
		.arg = (void *)(long)flags,
		.done = folio_not_mapped,
	};

	VM_WARN_ON(!folio_test_locked(folio));

	if (flags & TTU_RMAP_LOCKED)
		rmap_walk_locked(folio, &rwc);
	else
		rmap_walk(folio, &rwc);
}

/*
 * Batched TLB flushing (Linux's struct tlbflush_unmap_batch, kept in
 * current->tlb_ubc): with TTU_BATCH_FLUSH a cleared PTE is not flushed at
 * once; the thread remembers that a flush is owed and try_to_unmap_flush()
 * pays it with one flush of every CPU, as x86's arch_tlbbatch_flush() does
 * (counted as one whole flush: flush_tlb_mm(NULL), since the mms involved
 * may be gone by then).  Nothing between the clear and the flush may free
 * or reuse the page: migration holds the folio locked and referenced.
 */
struct tlbflush_unmap_batch {
	struct foliage_machine *machine; /* whose CPUs owe the flush */
	unsigned long nr_pages;		/* PTEs cleared since the last flush */
};

static __thread struct tlbflush_unmap_batch tlb_ubc;

static void set_tlb_ubc_flush_pending(pte_t pteval)
{
	/* pte_accessible(): only a present entry can be cached. */
	if (!pte_present(pteval))
		return;
	tlb_ubc.machine = this_machine;
	tlb_ubc.nr_pages++;
}

void try_to_unmap_flush(void)
{
	if (!tlb_ubc.nr_pages)
		return;
	VM_WARN_ON(tlb_ubc.machine != this_machine);
	flush_tlb_mm(NULL);
	tlb_ubc.nr_pages = 0;
	tlb_ubc.machine = NULL;
	if (this_machine->migrate)
		atomic_long_add(1, &this_machine->migrate->nr_batch_flushes);
}

static bool try_to_migrate_one(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long address, void *arg)
{
	enum ttu_flags flags = (enum ttu_flags)(long)arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);
	struct mm_struct *mm = vma->vm_mm;
	bool ret = true;

	if (flags & TTU_SYNC)
		pvmw.flags = PVMW_SYNC;
	while (page_vma_mapped_walk(&pvmw)) {
		struct page *subpage;
		bool anon_exclusive;
		swp_entry_t entry;
		unsigned long pfn;
		pte_t pteval, swp_pte;

		if (PageHugetlb(&folio->page)) {
			/* Its one huge entry (PMD or PUD), flushed at once. */
			if (!hugetlb_set_migration_entry(&pvmw, folio)) {
				ret = false;
				page_vma_mapped_walk_done(&pvmw);
				break;
			}
			continue;
		}
		if (!pvmw.pte) {
			if (flags & TTU_SPLIT_HUGE_PMD) {
				split_huge_pmd_locked(vma, pvmw.address,
						      pvmw.pmd);
				flags &= ~TTU_SPLIT_HUGE_PMD;
				page_vma_mapped_walk_restart(&pvmw);
				continue;
			}
			/* A PMD-mapped THP: one PMD migration entry. */
			subpage = folio_page(folio, pmd_pfn(pmdp_get(pvmw.pmd)) -
						    folio_pfn(folio));
			VM_WARN_ON(!folio_test_pmd_mappable(folio));
			if (set_pmd_migration_entry(&pvmw, subpage)) {
				ret = false;
				page_vma_mapped_walk_done(&pvmw);
				break;
			}
			continue;
		}
		pfn = pte_pfn(ptep_get(pvmw.pte));
		subpage = folio_page(folio, pfn - folio_pfn(folio));
		address = pvmw.address;
		anon_exclusive = folio_test_anon(folio) &&
				 PageAnonExclusive(subpage);

		if (flags & TTU_BATCH_FLUSH) {
			pteval = ptep_get_and_clear(pvmw.pte);
			set_tlb_ubc_flush_pending(pteval);
		} else {
			pteval = ptep_clear_flush(vma, address, pvmw.pte);
		}
		if (pte_dirty(pteval))
			folio_mark_dirty(folio);
		update_hiwater_rss(mm);

		/* The PTE is gone: no GUP can pin through it any more. */
		if (anon_exclusive &&
		    folio_try_share_anon_rmap_pte(folio, subpage)) {
			set_pte(pvmw.pte, pteval);
			ret = false;
			page_vma_mapped_walk_done(&pvmw);
			break;
		}
		entry = make_migration_entry(pfn, pte_write(pteval),
					     anon_exclusive);
		if (pte_young(pteval))
			entry = make_migration_entry_young(entry);
		if (pte_dirty(pteval))
			entry = make_migration_entry_dirty(entry);
		swp_pte = swp_entry_to_pte(entry);
		if (pte_soft_dirty(pteval))
			swp_pte = pte_swp_mksoft_dirty(swp_pte);
		if (pte_uffd_wp(pteval))
			swp_pte = pte_swp_mkuffd_wp(swp_pte);
		set_pte(pvmw.pte, swp_pte);
		trace_set_migration_pte(address, pte_val(swp_pte),
					folio_order(folio));
		/* The entry keeps the page counted in the mm's RSS. */
		folio_remove_rmap_pte(folio, subpage, vma);
		folio_put(folio);
	}
	return ret;
}

void try_to_migrate(struct folio *folio, enum ttu_flags flags)
{
	struct rmap_walk_control rwc = {
		.rmap_one = try_to_migrate_one,
		.arg = (void *)(long)flags,
		.done = folio_not_mapped,
	};

	VM_WARN_ON(!folio_test_locked(folio));

	if (flags & TTU_RMAP_LOCKED)
		rmap_walk_locked(folio, &rwc);
	else
		rmap_walk(folio, &rwc);
}
