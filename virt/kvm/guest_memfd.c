// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd: a file of a confidential VM's memory (Linux 6.18's
 * virt/kvm/guest_memfd.c with the in-place conversion series).
 *
 * Each file page is private (the guest's only) or shared (host user space
 * may map it), per the file's attribute ranges (include/linux/range_attr.h):
 * private unless the file was created GUEST_MEMFD_FLAG_INIT_SHARED.  The
 * pages live in the file's page cache (inode->i_data.i_pages, one slot per
 * file page, every slot of a folio pointing at it), which holds
 * folio_nr_pages() references on each folio.
 *
 *   host user mapping	only with GUEST_MEMFD_FLAG_MMAP, only MAP_SHARED;
 *			a fault on a private page or past EOF is SIGBUS,
 *			checked under the invalidate_lock read
 *   vCPU access	kvm_gmem_get_pfn(): private and shared alike
 *   to private	under the invalidate_lock written: unmap the host
 *			mappings, then every folio must hold only the page
 *			cache's references, checked in ascending order
 *			before anything changes (-EAGAIN, error_offset)
 *   to shared		no check; ZERO clears the pages becoming shared
 *   punch hole		invalidate, unmap, drop the folios (state kept)
 *   release		(last fput) unbind every memslot, drop every folio
 *
 * Security: a private page is never mapped by a host page table (faults
 * refuse it, conversion unmaps and refuses a page still referenced), so
 * neither an access, a pin nor pagemap can reach it; a folio with a
 * private page is cleared before its page cache reference goes, so the
 * allocator never hands a guest's secret to anyone.
 *
 * Every range the file invalidates first zaps the KVM secondary-MMU
 * entries of every memslot bound over it (kvm_mmu_unmap_gmem_range()).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/slab.h>
#include <linux/rmap.h>
#include <linux/shmem_fs.h>
#include <linux/swap.h>
#include <linux/hugetlb.h>
#include <linux/machine_subsys.h>

#include "../../mm/internal.h"

static const struct file_operations kvm_gmem_fops;
static const struct vm_operations_struct kvm_gmem_vm_ops;
static const char kvm_gmem_aops[] = "kvm_gmem";	/* marks its mappings */

#define GMEM_SUPPORTED_FLAGS	(GUEST_MEMFD_FLAG_MMAP | \
				 GUEST_MEMFD_FLAG_INIT_SHARED)

bool file_is_gmem(const struct file *file)
{
	return file && file->f_op == &kvm_gmem_fops;
}

static inline struct gmem_inode *GMEM_I(const struct inode *inode)
{
	return inode->i_private;
}

static inline pgoff_t gmem_nr_pages(const struct inode *inode)
{
	return READ_ONCE(inode->i_size) >> PAGE_SHIFT;
}

/* Whether file page @index is private (caller holds invalidate_lock). */
static bool kvm_gmem_is_private(struct gmem_inode *gi, pgoff_t index)
{
	return range_attr_get(&gi->attrs, index) &
	       KVM_MEMORY_ATTRIBUTE_PRIVATE;
}

/*
 * For pictures (mm/pfnmap.c): -1 if @folio is not a guest_memfd's, else
 * whether its file page @index is private.  Reads the attributes without
 * the invalidate_lock, as a /proc file reads what it shows.
 */
int kvm_gmem_folio_private(const struct folio *folio, pgoff_t index)
{
	const struct address_space *mapping = READ_ONCE(folio->mapping);

	if (!mapping || ((unsigned long)mapping & PAGE_MAPPING_FLAGS) ||
	    mapping->a_ops != kvm_gmem_aops || !mapping->host)
		return -1;
	return kvm_gmem_is_private(GMEM_I(mapping->host), index);
}

/* ---- the page cache ------------------------------------------------- */

/*
 * Insert a new, locked @folio at @index: every slot it covers points at
 * it and the cache takes folio_nr_pages() references.  -EEXIST if a slot
 * is taken, -EINVAL past the end of the file.
 */
static int kvm_gmem_add_folio(struct address_space *mapping,
			      struct folio *folio, pgoff_t index)
{
	long i, nr = folio_nr_pages(folio);
	int ret = 0;

	VM_WARN_ON(!folio_test_locked(folio));
	spin_lock(&mapping->i_lock);
	if (index + nr > mapping->i_pages_size) {
		ret = -EINVAL;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		if (mapping->i_pages[index + i]) {
			ret = -EEXIST;
			goto out;
		}
	}
	folio_ref_add(folio, nr);
	folio->mapping = mapping;
	folio->index = index;
	for (i = 0; i < nr; i++)
		mapping->i_pages[index + i] = folio;
	mapping->nrpages += nr;
	mod_node_page_state(NODE_DATA(folio_nid(folio)), NR_FILE_PAGES, nr);
out:
	spin_unlock(&mapping->i_lock);
	return ret;
}

/* Take locked, unmapped @folio out of the cache; drop the cache's refs. */
static void kvm_gmem_remove_folio(struct folio *folio)
{
	struct address_space *mapping = folio->mapping;
	long i, nr = folio_nr_pages(folio);
	bool last;

	spin_lock(&mapping->i_lock);
	for (i = 0; i < nr; i++)
		mapping->i_pages[folio->index + i] = NULL;
	mapping->nrpages -= nr;
	folio->mapping = NULL;
	mod_node_page_state(NODE_DATA(folio_nid(folio)), NR_FILE_PAGES, -nr);
	spin_unlock(&mapping->i_lock);
	/* The caller's reference keeps it: never the last ones. */
	last = folio_ref_sub_and_test(folio, nr);
	VM_WARN_ON(last);
}

/* ---- hugetlb backing: huge folios, split and reconstructed -------- */

static struct folio *kvm_gmem_get_huge_folio(struct inode *inode,
					     pgoff_t index, int *err);

static inline unsigned long gmem_huge_nr(const struct gmem_inode *gi)
{
	return 1UL << gi->huge_order;
}

/*
 * A huge folio for the file, against the reservation its subpool made at
 * creation (refcount 1), zeroed unless the pool knows it zero (seed 000's
 * HPG_zeroed); NULL with *@err set.
 */
static struct folio *kvm_gmem_alloc_huge(struct gmem_inode *gi, int *err)
{
	struct folio *folio;
	bool zeroed;

	if (hugepage_subpool_get_pages(gi->spool, 1) < 0) {
		*err = -ENOMEM;
		return NULL;
	}
	folio = alloc_hugetlb_folio_reserve(gi->h, numa_node_id(), &zeroed);
	if (!folio) {
		(void)hugepage_subpool_put_pages(gi->spool, 1);
		*err = -ENOMEM;
		return NULL;
	}
	/* free_huge_folio() gives it back to the subpool, reserved again. */
	folio->_hugetlb_subpool = gi->spool;
	if (!zeroed)
		memset(folio_address(folio), 0, gmem_huge_nr(gi) << PAGE_SHIFT);
	return folio;
}

/*
 * The part of a split common to a folio in the cache and a fresh one:
 * off the pool's lists, no longer a hugetlb folio, base pages whose tails
 * have no reference yet.  Nobody else may look the folio up meanwhile (it
 * is not in the cache yet, or the invalidate_lock is held written): the
 * head's flags change non-atomically.
 */
static void __kvm_gmem_split(struct gmem_inode *gi, struct folio *folio)
{
	spinlock_t *hugetlb_lock = &this_machine->hugetlb->hugetlb_lock;
	int nid = folio_nid(folio);

	VM_WARN_ON(!folio_test_locked(folio) || folio_mapped(folio));
	spin_lock(hugetlb_lock);
	list_del_init(&folio->lru);	/* off the active list */
	gi->h->split_huge_pages_node[nid]++;
	spin_unlock(hugetlb_lock);
	folio->_hugetlb_private = 0;
	folio->_hugetlb_subpool = NULL;
	__ClearPageHugetlb(&folio->page);
	__split_unmapped_folio(folio);
	gi->nr_splits++;
}

/*
 * Split huge @folio into base pages in place (the RFC's split: 1 GiB
 * straight to 4 KiB), each its own folio in its slot of the cache with the
 * cache's one reference; the head keeps the other references.  The pages
 * stay the pool's, in use (off its lists: split_huge_pages_node).  @folio
 * is unmapped (all its pages were private) and locked by the caller, who
 * holds a reference and the invalidate_lock written (a conversion).
 */
static void kvm_gmem_split_folio(struct gmem_inode *gi, struct folio *folio)
{
	struct address_space *mapping = folio->mapping;
	unsigned long nr = folio_nr_pages(folio), i;

	lockdep_assert_held_write(&mapping->invalidate_lock);
	__kvm_gmem_split(gi, folio);
	spin_lock(&mapping->i_lock);
	for (i = 1; i < nr; i++) {
		struct folio *piece = page_folio(folio_page(folio, i));

		set_page_count(&piece->page, 1);
		__folio_clear_locked(piece);
		mapping->i_pages[folio->index + i] = piece;
	}
	atomic_sub(nr - 1, &folio->_refcount);
	spin_unlock(&mapping->i_lock);
}

/*
 * A fresh huge folio (locked, our one reference) for the huge page at
 * @base, which has a shared page already: split before anyone can see
 * it, then its base pages into the cache, each with the cache's
 * reference.  Caller holds huge_alloc_lock, under which the range's slots
 * were found empty.
 */
static void kvm_gmem_add_split(struct gmem_inode *gi,
			       struct address_space *mapping,
			       struct folio *folio, pgoff_t base)
{
	unsigned long nr = folio_nr_pages(folio), i;

	folio->mapping = mapping;
	folio->index = base;
	__kvm_gmem_split(gi, folio);
	spin_lock(&mapping->i_lock);
	for (i = 0; i < nr; i++) {
		struct folio *piece = page_folio(folio_page(folio, i));

		VM_WARN_ON(mapping->i_pages[base + i]);
		if (i)
			__folio_clear_locked(piece);
		folio_ref_add(piece, 1);
		mapping->i_pages[base + i] = piece;
	}
	mapping->nrpages += nr;
	mod_node_page_state(NODE_DATA(folio_nid(folio)), NR_FILE_PAGES, nr);
	spin_unlock(&mapping->i_lock);
}

/*
 * Whether the base pages at [base, base + nr) are one split huge page
 * that only the page cache holds (plus @extra references on each).
 */
static bool kvm_gmem_pieces_idle(struct gmem_inode *gi,
				 struct address_space *mapping, pgoff_t base)
{
	struct folio *head = mapping->i_pages[base];
	unsigned long nr = gmem_huge_nr(gi), i;

	if (!head || folio_test_large(head) ||
	    (folio_pfn(head) & (nr - 1)))
		return false;
	for (i = 0; i < nr; i++) {
		struct folio *piece = mapping->i_pages[base + i];

		if (!piece || piece != page_folio(folio_page(head, i)) ||
		    folio_ref_count(piece) != 1 || folio_mapped(piece))
			return false;
	}
	return true;
}

/*
 * Make the split huge page at @base whole again (the RFC's reconstruct):
 * every base page private, only the cache holding them
 * (kvm_gmem_pieces_idle()).  Caller holds the invalidate_lock written.
 */
static void kvm_gmem_reconstruct(struct gmem_inode *gi,
				 struct address_space *mapping, pgoff_t base)
{
	spinlock_t *hugetlb_lock = &this_machine->hugetlb->hugetlb_lock;
	struct folio *head = mapping->i_pages[base];
	unsigned long nr = gmem_huge_nr(gi), i;
	const unsigned long drop = BIT(PG_active) | BIT(PG_referenced) |
				   BIT(PG_workingset) | BIT(PG_dirty);

	lockdep_assert_held_write(&mapping->invalidate_lock);
	spin_lock(&mapping->i_lock);
	for (i = 1; i < nr; i++) {
		struct page *p = folio_page(head, i);

		p->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
		set_page_count(p, 0);
		p->mapping = NULL;
		p->private = 0;
	}
	head->page.flags &= ~drop;
	prep_compound_page(&head->page, gi->huge_order);
	__SetPageHugetlb(&head->page);
	head->mapping = mapping;
	head->index = base;
	head->_hugetlb_subpool = gi->spool;
	atomic_add(nr - 1, &head->_refcount);
	for (i = 0; i < nr; i++)
		mapping->i_pages[base + i] = head;
	spin_unlock(&mapping->i_lock);
	spin_lock(hugetlb_lock);
	list_add(&head->lru, &gi->h->hugepage_activelist);
	gi->h->split_huge_pages_node[folio_nid(head)]--;
	spin_unlock(hugetlb_lock);
	gi->nr_reconstructs++;
}

/* Split every huge folio of [start, end) that holds a shared page. */
static void kvm_gmem_split_range(struct inode *inode, pgoff_t start,
				 pgoff_t end)
{
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	unsigned long nr = gmem_huge_nr(gi);
	pgoff_t base;

	for (base = ALIGN_DOWN(start, nr); base < end; base += nr) {
		struct folio *folio = filemap_get_folio(mapping, base);

		if (!folio)
			continue;
		if (folio_test_large(folio) &&
		    !range_attr_all(&gi->attrs, base, base + nr,
				    KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
			folio_lock(folio);
			kvm_gmem_split_folio(gi, folio);
			folio_unlock(folio);
		}
		folio_put(folio);
	}
}

/* Reconstruct every split huge page of [start, end) that may be. */
static void kvm_gmem_reconstruct_range(struct inode *inode, pgoff_t start,
				       pgoff_t end)
{
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	unsigned long nr = gmem_huge_nr(gi);
	pgoff_t base;

	for (base = ALIGN_DOWN(start, nr); base < end; base += nr)
		if (range_attr_all(&gi->attrs, base, base + nr,
				   KVM_MEMORY_ATTRIBUTE_PRIVATE) &&
		    kvm_gmem_pieces_idle(gi, mapping, base))
			kvm_gmem_reconstruct(gi, mapping, base);
}

/*
 * A hole at @index of a hugetlb-backed file: a huge folio for its huge
 * page, split at once if a page of that range is shared already; the one
 * holding @index is returned locked with a reference, or NULL (-EEXIST:
 * someone filled it first, look again).
 */
static struct folio *kvm_gmem_get_huge_folio(struct inode *inode,
					     pgoff_t index, int *err)
{
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	pgoff_t base = ALIGN_DOWN(index, gmem_huge_nr(gi));
	struct folio *folio, *piece;
	int ret;

	/*
	 * Two faults on one huge page: the second waits and finds the
	 * first's folio, rather than charging the subpool a second page.
	 */
	pthread_mutex_lock(&gi->huge_alloc_lock);
	spin_lock(&mapping->i_lock);
	folio = mapping->i_pages[base];
	spin_unlock(&mapping->i_lock);
	if (folio) {
		pthread_mutex_unlock(&gi->huge_alloc_lock);
		*err = -EEXIST;
		return NULL;
	}
	folio = kvm_gmem_alloc_huge(gi, err);
	if (!folio) {
		pthread_mutex_unlock(&gi->huge_alloc_lock);
		return NULL;
	}
	__folio_set_locked(folio);
	if (!range_attr_all(&gi->attrs, base, base + gmem_huge_nr(gi),
			    KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
		kvm_gmem_add_split(gi, mapping, folio, base);
		pthread_mutex_unlock(&gi->huge_alloc_lock);
		goto split;
	}
	ret = kvm_gmem_add_folio(mapping, folio, base);
	pthread_mutex_unlock(&gi->huge_alloc_lock);
	if (ret) {
		__folio_clear_locked(folio);
		folio_put(folio);	/* back to the pool, reserved again */
		*err = ret;
		return NULL;
	}
	return folio;
split:
	if (index == base)
		return folio;
	piece = page_folio(folio_page(folio, index - base));
	folio_get(piece);
	folio_unlock(folio);
	folio_put(folio);
	folio_lock(piece);
	return piece;
}

/*
 * The folio at @index, allocated (zeroed by the allocator unless known
 * zero) for a hole: locked, with a reference for the caller.  Caller
 * holds the invalidate_lock (either way).
 */
static struct folio *kvm_gmem_get_folio(struct inode *inode, pgoff_t index,
					int *err)
{
	struct address_space *mapping = &inode->i_data;
	struct folio *folio;
	int ret;

repeat:
	folio = filemap_lock_folio(mapping, index);
	if (folio) {
		/* Split while we waited: the base page is its own folio now. */
		if (unlikely(index - folio->index >= folio_nr_pages(folio))) {
			folio_unlock(folio);
			folio_put(folio);
			goto repeat;
		}
		return folio;
	}
	if (index >= gmem_nr_pages(inode)) {
		*err = -EINVAL;
		return NULL;
	}
	if (GMEM_I(inode)->huge_order) {
		folio = kvm_gmem_get_huge_folio(inode, index, err);
		if (!folio && *err == -EEXIST)
			goto repeat;
		return folio;
	}
	folio = folio_alloc_user(GFP_HIGHUSER | __GFP_ZERO, 0, numa_node_id(),
				 USER_ADDR_NONE);
	if (!folio) {
		*err = -ENOMEM;
		return NULL;
	}
	__folio_set_locked(folio);
	ret = kvm_gmem_add_folio(mapping, folio, index);
	if (ret) {
		__folio_clear_locked(folio);
		folio_put(folio);
		if (ret == -EEXIST)
			goto repeat;
		*err = ret;
		return NULL;
	}
	/* The mapping is unevictable: the folio goes on that LRU. */
	folio_add_lru(folio);
	return folio;
}

/*
 * First use of @folio by the guest or the host (Linux: clear and mark
 * uptodate, then the arch's "prepare").  The allocator zeroed it already;
 * caller holds the folio lock.
 */
static void kvm_gmem_prepare_folio(struct gmem_inode *gi, struct folio *folio)
{
	if (folio_test_uptodate(folio))
		return;
	folio_mark_uptodate(folio);
	__atomic_fetch_add(&gi->nr_prepared, 1, __ATOMIC_RELAXED);
}

/* ---- invalidation ----------------------------------------------------- */

/*
 * Zap the KVM mappings of file pages [start, end) in every memslot bound
 * over them.  Caller holds the invalidate_lock written.
 */
static void kvm_gmem_invalidate(struct inode *inode, pgoff_t start,
				pgoff_t end)
{
	struct gmem_inode *gi = GMEM_I(inode);
	struct kvm_memory_slot *slot;

	lockdep_assert_held_write(&inode->i_data.invalidate_lock);
	gi->nr_invalidations++;
	list_for_each_entry(slot, &gi->bindings, binding)
		kvm_mmu_unmap_gmem_range(slot, start, end);
}

/* Whether any page of @folio is private (caller holds invalidate_lock). */
static bool kvm_gmem_folio_has_private(struct gmem_inode *gi,
				       struct folio *folio)
{
	return !range_attr_all(&gi->attrs, folio->index,
			       folio->index + folio_nr_pages(folio), 0);
}

/*
 * Drop the folios of file pages [start, end) from the cache, after
 * zapping every KVM and host mapping of them (truncate_inode_pages_range()).
 * A folio with a private page is cleared first.  Caller holds the
 * invalidate_lock written.
 */
static void kvm_gmem_truncate_huge(struct inode *inode, pgoff_t start,
				   pgoff_t end);

static void kvm_gmem_truncate_range(struct inode *inode, pgoff_t start,
				    pgoff_t end)
{
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	pgoff_t index;

	end = min(end, (pgoff_t)mapping->i_pages_size);
	if (start >= end)
		return;
	kvm_gmem_invalidate(inode, start, end);
	unmap_mapping_pages(mapping, start, end - start);
	if (gi->huge_order) {
		kvm_gmem_truncate_huge(inode, start, end);
		return;
	}
	for (index = start; index < end; index++) {
		struct folio *folio = filemap_get_folio(mapping, index);

		if (!folio)
			continue;
		folio_lock(folio);
		if (folio->mapping == mapping) {
			/* A fault that held the lock mapped it meanwhile. */
			if (folio_mapped(folio))
				unmap_mapping_pages(mapping, folio->index,
						    folio_nr_pages(folio));
			if (kvm_gmem_folio_has_private(gi, folio))
				memset(folio_address(folio), 0,
				       folio_nr_pages(folio) << PAGE_SHIFT);
			index = folio->index + folio_nr_pages(folio) - 1;
			kvm_gmem_remove_folio(folio);
		}
		folio_unlock(folio);
		folio_put(folio);
	}
}

/*
 * Zero file pages [start, end) in place, those allocated (with
 * @private_only, those private now).  Caller holds the invalidate_lock.
 */
static void kvm_gmem_zero_range(struct inode *inode, pgoff_t start,
				pgoff_t end, bool private_only)
{
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	pgoff_t index;

	for (index = start; index < end; index++) {
		struct folio *folio;

		if (private_only && !kvm_gmem_is_private(gi, index))
			continue;
		folio = filemap_get_folio(mapping, index);
		if (!folio)
			continue;
		memset((char *)folio_address(folio) +
		       ((index - folio->index) << PAGE_SHIFT), 0, PAGE_SIZE);
		folio_put(folio);
	}
}

/*
 * Punch or truncate a hugetlb-backed file (the RFC's rules): a huge page
 * wholly inside [start, end) is reconstructed if split and freed back to
 * the pool (the file's reservation comes back); the part of one that is
 * not is zeroed in place, nothing freed.  A split huge page whose base
 * pages someone still holds (a pin) cannot be made whole: it is zeroed in
 * place too.  Caller holds the invalidate_lock written, the range
 * invalidated and unmapped.
 */
static void kvm_gmem_truncate_huge(struct inode *inode, pgoff_t start,
				   pgoff_t end)
{
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	unsigned long nr = gmem_huge_nr(gi);
	pgoff_t base;

	for (base = ALIGN_DOWN(start, nr); base < end; base += nr) {
		pgoff_t from = max(base, start), to = min(base + nr, end);
		struct folio *folio;

		if (from != base || to != base + nr) {
			kvm_gmem_zero_range(inode, from, to, false);
			continue;
		}
		if (!mapping->i_pages[base])
			continue;
		if (!folio_test_large(mapping->i_pages[base])) {
			if (!kvm_gmem_pieces_idle(gi, mapping, base)) {
				kvm_gmem_zero_range(inode, from, to, false);
				continue;
			}
			kvm_gmem_reconstruct(gi, mapping, base);
		}
		folio = filemap_get_folio(mapping, base);
		folio_lock(folio);
		if (kvm_gmem_folio_has_private(gi, folio))
			memset(folio_address(folio), 0, nr << PAGE_SHIFT);
		kvm_gmem_remove_folio(folio);
		folio_unlock(folio);
		folio_put(folio);	/* free_huge_folio(): back to the pool */
	}
}

/* ---- host user mappings -------------------------------------------- */

static vm_fault_t vmf_error(int err)
{
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/*
 * ->fault of a host mapping: SIGBUS at or past EOF and on a private page,
 * both decided under the invalidate_lock read so that no conversion
 * changes the page's state meanwhile.
 */
static vm_fault_t kvm_gmem_fault_user_mapping(struct vm_fault *vmf)
{
	struct inode *inode = vmf->vma->vm_file->f_inode;
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	vm_fault_t ret = VM_FAULT_LOCKED;
	struct folio *folio = NULL;
	int err = 0;

	filemap_invalidate_lock_shared(mapping);
	if (vmf->pgoff >= gmem_nr_pages(inode) ||
	    kvm_gmem_is_private(gi, vmf->pgoff)) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	folio = kvm_gmem_get_folio(inode, vmf->pgoff, &err);
	if (!folio) {
		ret = vmf_error(err);
		goto out;
	}
	/* Shared pages live in small folios only (a huge one is split). */
	if (WARN_ON_ONCE(folio_test_large(folio))) {
		folio_unlock(folio);
		folio_put(folio);
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	kvm_gmem_prepare_folio(gi, folio);
	vmf->page = folio_page(folio, vmf->pgoff - folio->index);
out:
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}

static const struct vm_operations_struct kvm_gmem_vm_ops = {
	.fault		= kvm_gmem_fault_user_mapping,
};

static int kvm_gmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(GMEM_I(file->f_inode)->flags & GUEST_MEMFD_FLAG_MMAP))
		return -ENODEV;
	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) !=
	    (VM_SHARED | VM_MAYSHARE))
		return -EINVAL;
	vma->vm_ops = &kvm_gmem_vm_ops;
	return 0;
}

/* ---- fallocate ------------------------------------------------------ */

static long kvm_gmem_punch_hole(struct inode *inode, u64 offset, u64 len)
{
	struct address_space *mapping = &inode->i_data;
	pgoff_t start = offset >> PAGE_SHIFT;
	pgoff_t end = (offset + len) >> PAGE_SHIFT;

	filemap_invalidate_lock(mapping);
	kvm_gmem_truncate_range(inode, start, end);
	filemap_invalidate_unlock(mapping);
	return 0;
}

static long kvm_gmem_allocate(struct inode *inode, u64 offset, u64 len)
{
	struct address_space *mapping = &inode->i_data;
	pgoff_t index, end;
	int err = 0;

	/* The file is immutable in size: nothing past its end. */
	if (offset + len > READ_ONCE(inode->i_size))
		return -EINVAL;
	filemap_invalidate_lock_shared(mapping);
	end = (offset + len) >> PAGE_SHIFT;
	for (index = offset >> PAGE_SHIFT; index < end; ) {
		struct folio *folio = kvm_gmem_get_folio(inode, index, &err);

		if (!folio)
			break;
		index = folio->index + folio_nr_pages(folio);
		folio_unlock(folio);
		folio_put(folio);
	}
	filemap_invalidate_unlock_shared(mapping);
	return err;
}

static long kvm_gmem_fallocate(struct file *file, int mode,
			       unsigned long long offset,
			       unsigned long long len)
{
	/* vfs_fallocate()'s own checks first. */
	if (!len || offset > MAX_LFS_FILESIZE)
		return -EINVAL;
	if (offset + len > MAX_LFS_FILESIZE || offset + len < offset)
		return -EFBIG;
	if (!(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if ((offset | len) & ~PAGE_MASK)
		return -EINVAL;
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return kvm_gmem_punch_hole(file->f_inode, offset, len);
	return kvm_gmem_allocate(file->f_inode, offset, len);
}

/* ---- memslot bindings ------------------------------------------------ */

int kvm_gmem_bind(struct kvm *kvm, struct kvm_memory_slot *slot,
		  struct file *file, u64 offset)
{
	struct inode *inode = file->f_inode;
	struct gmem_inode *gi = GMEM_I(inode);
	pgoff_t start = offset >> PAGE_SHIFT, end = start + slot->npages;
	struct kvm_memory_slot *other;
	int ret = 0;

	if ((offset & ~PAGE_MASK) ||
	    offset + ((u64)slot->npages << PAGE_SHIFT) > inode->i_size)
		return -EINVAL;
	filemap_invalidate_lock(&inode->i_data);
	list_for_each_entry(other, &gi->bindings, binding) {
		if (other->gmem_pgoff < end &&
		    start < other->gmem_pgoff + other->npages) {
			ret = -EEXIST;
			goto out;
		}
	}
	slot->gmem_file = file;
	slot->gmem_pgoff = start;
	list_add_tail(&slot->binding, &gi->bindings);
out:
	filemap_invalidate_unlock(&inode->i_data);
	return ret;
}

void kvm_gmem_unbind(struct kvm_memory_slot *slot)
{
	struct address_space *mapping;

	if (!slot->gmem_file)
		return;
	mapping = slot->gmem_file->f_mapping;
	filemap_invalidate_lock(mapping);
	list_del_init(&slot->binding);
	WRITE_ONCE(slot->gmem_file, NULL);
	filemap_invalidate_unlock(mapping);
}

int kvm_gmem_get_pfn(struct kvm *kvm, struct kvm_memory_slot *slot,
		     gfn_t gfn, unsigned long *pfn, struct folio **foliop)
{
	struct inode *inode = slot->gmem_file->f_inode;
	pgoff_t index = gfn - slot->base_gfn + slot->gmem_pgoff;
	struct folio *folio;
	int err = 0;

	__atomic_fetch_add(&kvm->stat.gmem_faults, 1, __ATOMIC_RELAXED);
	folio = kvm_gmem_get_folio(inode, index, &err);
	if (!folio)
		return err;
	kvm_gmem_prepare_folio(GMEM_I(inode), folio);
	folio_unlock(folio);
	*pfn = folio_pfn(folio) + (index - folio->index);
	*foliop = folio;
	return 0;
}

/* ---- conversion: KVM_SET_MEMORY_ATTRIBUTES2 ------------------------- */

/*
 * Every folio of [start, end), in ascending order, must hold only the
 * page cache's references (plus the one this lookup takes): the first
 * that does not names *@bad and fails the conversion.
 */
static int kvm_gmem_check_refs(struct address_space *mapping, pgoff_t start,
			       pgoff_t end, pgoff_t *bad)
{
	pgoff_t index;

	for (index = start; index < end; index++) {
		struct folio *folio = filemap_get_folio(mapping, index);
		bool busy;

		if (!folio)
			continue;
		busy = folio_ref_count(folio) != folio_nr_pages(folio) + 1;
		index = folio->index + folio_nr_pages(folio) - 1;
		if (busy)
			*bad = folio->index;
		folio_put(folio);
		if (busy)
			return -EAGAIN;
	}
	return 0;
}

int kvm_gmem_set_attributes(struct file *file,
			    struct kvm_memory_attributes2 *args)
{
	const u64 known = KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
			  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	struct inode *inode = file->f_inode;
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	bool to_private = args->attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE;
	pgoff_t start, end, bad = 0;
	int ret;

	if ((args->flags & ~known) || (args->flags & known) == known ||
	    args->error_offset ||
	    (args->attributes & ~KVM_MEMORY_ATTRIBUTE_PRIVATE) ||
	    !args->size || args->offset + args->size < args->offset ||
	    ((args->offset | args->size) & ~PAGE_MASK) ||
	    args->offset + args->size > READ_ONCE(inode->i_size))
		return -EINVAL;
	/* Zeroing a page the guest takes back would promise nothing. */
	if (to_private && (args->flags & KVM_SET_MEMORY_ATTRIBUTES2_ZERO))
		return -EINVAL;
	start = args->offset >> PAGE_SHIFT;
	end = (args->offset + args->size) >> PAGE_SHIFT;

	filemap_invalidate_lock(mapping);
	ret = 0;
	if (range_attr_all(&gi->attrs, start, end, args->attributes))
		goto out;
	/*
	 * The attribute ranges' room for this change, before anything
	 * changes (the series preallocates its maple tree nodes here, which
	 * can fail: failslab applies).
	 */
	ret = kmalloc_should_fail() ? -ENOMEM : range_attr_prealloc(&gi->attrs);
	if (ret) {
		args->error_offset = args->offset;
		goto out;
	}
	if (to_private) {
		pgoff_t cstart = start, cend = end;

		/*
		 * The huge pages this makes all private will be made whole:
		 * their other base pages must be idle too (rounded outward,
		 * as RFC v2).
		 */
		if (gi->huge_order) {
			unsigned long nr = gmem_huge_nr(gi);
			pgoff_t hs = ALIGN_DOWN(start, nr), he = ALIGN(end, nr);

			if (range_attr_all(&gi->attrs, hs, start,
					   KVM_MEMORY_ATTRIBUTE_PRIVATE))
				cstart = hs;
			if (range_attr_all(&gi->attrs, end, he,
					   KVM_MEMORY_ATTRIBUTE_PRIVATE))
				cend = he;
		}
		unmap_mapping_pages(mapping, start, end - start);
		ret = kvm_gmem_check_refs(mapping, cstart, cend, &bad);
		if (ret) {
			args->error_offset = (u64)bad << PAGE_SHIFT;
			goto out;
		}
	}
	/* Nothing fails from here: the change is all or nothing. */
	kvm_gmem_invalidate(inode, start, end);
	if (!to_private && (args->flags & KVM_SET_MEMORY_ATTRIBUTES2_ZERO))
		kvm_gmem_zero_range(inode, start, end, true);
	range_attr_set(&gi->attrs, start, end, args->attributes);
	gi->nr_conversions++;
	/* Core mm only ever maps small folios for shared memory. */
	if (gi->huge_order && !to_private)
		kvm_gmem_split_range(inode, start, end);
	else if (gi->huge_order)
		kvm_gmem_reconstruct_range(inode, start, end);
out:
	filemap_invalidate_unlock(mapping);
	return ret;
}

/* ---- the file ---------------------------------------------------------- */

/*
 * The last reference is gone (kvm_gmem_release() and the inode's
 * eviction in one): every memslot bound to the file loses it, then every
 * folio goes, private ones cleared.
 */
static void kvm_gmem_release(struct file *file)
{
	struct inode *inode = file->f_inode;
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	struct kvm_state *ks = this_machine->kvm;
	struct kvm_memory_slot *slot, *next;

	pthread_mutex_lock(&ks->kvm_lock);
	list_for_each_entry_safe(slot, next, &gi->bindings, binding) {
		struct kvm *kvm = slot->kvm;

		pthread_rwlock_wrlock(&kvm->slots_lock);
		filemap_invalidate_lock(mapping);
		kvm_mmu_unmap_gmem_range(slot, 0, ULONG_MAX);
		list_del_init(&slot->binding);
		WRITE_ONCE(slot->gmem_file, NULL);
		filemap_invalidate_unlock(mapping);
		pthread_rwlock_unlock(&kvm->slots_lock);
	}
	pthread_mutex_unlock(&ks->kvm_lock);

	filemap_invalidate_lock(mapping);
	kvm_gmem_truncate_range(inode, 0, gmem_nr_pages(inode));
	filemap_invalidate_unlock(mapping);
	VM_WARN_ON(mapping->nrpages);
	/* Its minimum's reservations go back to the pool. */
	if (gi->spool) {
		hugepage_put_subpool(gi->spool);
		pthread_mutex_destroy(&gi->huge_alloc_lock);
	}
	range_attr_destroy(&gi->attrs);
	free(gi);
	inode->i_private = NULL;
}

static const struct file_operations kvm_gmem_fops = {
	.mmap		= kvm_gmem_mmap,
	.fallocate	= kvm_gmem_fallocate,
	.release	= kvm_gmem_release,
};

/* __kvm_gmem_create(): the file, its inode state and its page cache. */
static int __kvm_gmem_create(u64 size, u64 flags, struct hstate *h,
			     struct file **out)
{
	pgoff_t nr_pages = size >> PAGE_SHIFT;
	struct address_space *mapping;
	struct gmem_inode *gi;
	struct file *file;
	int ret;

	ret = shmem_file_create("[kvm-gmem]", size, &file);
	if (ret)
		return ret;
	mapping = file->f_mapping;
	/* Linux kzalloc()s its gmem_inode: failslab applies. */
	gi = kmalloc_should_fail() ? NULL : calloc(1, sizeof(*gi));
	if (!gi)
		goto out_put;
	mapping->i_pages = calloc(nr_pages, sizeof(*mapping->i_pages));
	if (!mapping->i_pages)
		goto out_free;
	mapping->i_pages_size = nr_pages;
	if (range_attr_init(&gi->attrs, nr_pages,
			    flags & GUEST_MEMFD_FLAG_INIT_SHARED ? 0 :
			    KVM_MEMORY_ATTRIBUTE_PRIVATE))
		goto out_free;
	gi->flags = flags;
	INIT_LIST_HEAD(&gi->bindings);
	if (h) {
		long nr_huge = size >> (PAGE_SHIFT + h->order);

		/* min = max = its huge pages: HugePages_Rsvd rises now. */
		gi->spool = hugepage_new_subpool(h, nr_huge, nr_huge);
		if (!gi->spool) {
			range_attr_destroy(&gi->attrs);
			goto out_free;
		}
		gi->h = h;
		gi->huge_order = h->order;
		pthread_mutex_init(&gi->huge_alloc_lock, NULL);
	}
	mapping->a_ops = kvm_gmem_aops;
	/* mapping_set_unevictable(): its folios sit on the unevictable LRU. */
	mapping->unevictable = true;
	file->f_inode->i_private = gi;
	file->f_op = &kvm_gmem_fops;
	*out = file;
	return 0;

out_free:
	free(gi);
out_put:
	fput(file);
	return -ENOMEM;
}

/* ---- the validator ----------------------------------------------------- */

#define gbug(file, fmt, ...)						\
	({ report_bug("guest_memfd ino %lu: " fmt,			\
		      (file)->f_inode->i_ino, ##__VA_ARGS__);		\
	   ret = -EUCLEAN; })

/*
 * One guest_memfd against its invariants: attribute ranges well formed;
 * every folio in the slots it covers, aligned, referenced by the cache;
 * nrpages their sum; no private page mapped by the host; no shared page
 * in a large folio; every spte of a bound memslot the pfn of the page
 * cache's page.  At a quiet point.
 */
int kvm_gmem_validate_file(struct file *file)
{
	struct address_space *mapping = file->f_mapping;
	struct gmem_inode *gi = GMEM_I(file->f_inode);
	struct kvm_memory_slot *slot;
	unsigned long nrpages = 0, i;
	pgoff_t index;
	int ret = 0;

	if (!gi)
		return 0;
	if (range_attr_validate(&gi->attrs) ||
	    gi->attrs.size != gmem_nr_pages(file->f_inode))
		gbug(file, "attribute ranges broken (%u runs over %lu pages)",
		     gi->attrs.nr, gi->attrs.size);
	for (index = 0; index < mapping->i_pages_size; index++) {
		struct folio *folio = mapping->i_pages[index];
		long nr;

		if (!folio)
			continue;
		nr = folio_nr_pages(folio);
		if (folio->mapping != mapping || folio->index != index ||
		    (index & (nr - 1)) || index + nr > mapping->i_pages_size) {
			gbug(file, "slot %lu: folio at %lu, order %u, mapping %s",
			     index, folio->index, folio_order(folio),
			     folio->mapping == mapping ? "ok" : "wrong");
			continue;
		}
		for (i = 1; i < (unsigned long)nr; i++)
			if (mapping->i_pages[index + i] != folio)
				gbug(file, "slot %lu: not its folio at %lu",
				     index + i, index);
		if (folio_ref_count(folio) < nr + folio_mapcount(folio))
			gbug(file, "folio at %lu: refcount %d < %ld + mapcount "
			     "%d", index, folio_ref_count(folio), nr,
			     folio_mapcount(folio));
		for (i = 0; i < (unsigned long)nr; i++) {
			bool priv = kvm_gmem_is_private(gi, index + i);

			/* No per-page count (NO_PAGE_MAPCOUNT): the folio's. */
			if (priv && (page_mapcount_enabled() || nr == 1 ?
				     page_mapcount(folio_page(folio, i)) > 0 :
				     folio_mapped(folio)))
				gbug(file, "private page %lu mapped by the host",
				     index + i);
			if (!priv && nr > 1)
				gbug(file, "shared page %lu in an order-%u folio",
				     index + i, folio_order(folio));
		}
		nrpages += nr;
		index += nr - 1;
	}
	if (nrpages != mapping->nrpages)
		gbug(file, "%lu pages cached, nrpages %lu", nrpages,
		     mapping->nrpages);
	list_for_each_entry(slot, &gi->bindings, binding) {
		for (i = 0; i < slot->npages; i++) {
			struct folio *folio;
			unsigned long e = slot->spte[i];

			if (!e)
				continue;
			index = slot->gmem_pgoff + i;
			folio = mapping->i_pages[index];
			if (!folio ||
			    folio_pfn(folio) + (index - folio->index) != e - 1)
				gbug(file, "spte of gfn 0x%llx: pfn 0x%lx, the "
				     "file's page %s", (unsigned long long)
				     (slot->base_gfn + i), e - 1,
				     folio ? "differs" : "is gone");
		}
	}
	return ret;
}

/* ---- the public API ------------------------------------------------ */

static struct file *gmem_file(struct foliage_file *ff)
{
	return ff && file_is_gmem(&ff->file) ? &ff->file : NULL;
}

int foliage_gmem_create(struct foliage_machine *m, uint64_t bytes,
			uint64_t flags, uint64_t huge_bytes,
			struct foliage_file **out)
{
	struct hstate *h = NULL;
	struct file *file;
	int ret;

	if (!m || !out)
		return -EINVAL;
	if (flags & ~GMEM_SUPPORTED_FLAGS)
		return -EINVAL;
	if (huge_bytes && huge_bytes != (2ULL << 20) &&
	    huge_bytes != (1ULL << 30))
		return -EINVAL;
	if (!bytes || (bytes & ~PAGE_MASK) || bytes > MAX_LFS_FILESIZE ||
	    (huge_bytes && bytes % huge_bytes))
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	if (huge_bytes)
		h = &m->hugetlb->hstates[huge_bytes == (1ULL << 30) ?
					 HSTATE_1G : HSTATE_2M];
	ret = __kvm_gmem_create(bytes, flags, h, &file);
	if (!ret)
		*out = container_of(file, struct foliage_file, file);
	machine_exit_op(m);
	return ret;
}

int foliage_gmem_convert(struct foliage_file *gmem, uint64_t offset,
			 uint64_t size, uint64_t attributes, uint64_t flags,
			 uint64_t *error_offset)
{
	struct file *file = gmem_file(gmem);
	struct kvm_memory_attributes2 args = {
		.offset = offset,
		.size = size,
		.attributes = attributes,
		.flags = flags,
	};
	int ret;

	if (!file || !error_offset)
		return -EINVAL;
	args.error_offset = *error_offset;
	ret = machine_enter(gmem->machine);
	if (ret)
		return ret;
	ret = kvm_gmem_set_attributes(file, &args);
	*error_offset = args.error_offset;
	machine_exit_op(gmem->machine);
	return ret;
}

int foliage_gmem_stat(struct foliage_file *gmem, struct foliage_gmem_stat *st)
{
	struct file *file = gmem_file(gmem);
	struct address_space *mapping;
	struct gmem_inode *gi;
	struct list_head *pos;
	unsigned int i;
	pgoff_t index;
	int ret;

	if (!file || !st)
		return -EINVAL;
	ret = machine_enter(gmem->machine);
	if (ret)
		return ret;
	mapping = file->f_mapping;
	gi = GMEM_I(file->f_inode);
	memset(st, 0, sizeof(*st));
	filemap_invalidate_lock_shared(mapping);
	st->bytes = file->f_inode->i_size;
	st->ino = file->f_inode->i_ino;
	st->flags = gi->flags;
	st->huge_bytes = gi->huge_order ? PAGE_SIZE << gi->huge_order : 0;
	st->nr_ranges = gi->attrs.nr;
	for (i = 0; i < gi->attrs.nr; i++)
		if (gi->attrs.r[i].attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE)
			st->nr_private_pages += gi->attrs.r[i].end -
						gi->attrs.r[i].start;
	spin_lock(&mapping->i_lock);
	st->nr_pages_cached = mapping->nrpages;
	for (index = 0; index < mapping->i_pages_size; index++) {
		struct folio *folio = mapping->i_pages[index];

		if (!folio)
			continue;
		st->nr_folios[folio_order(folio)]++;
		index = folio->index + folio_nr_pages(folio) - 1;
	}
	spin_unlock(&mapping->i_lock);
	st->nr_invalidations = gi->nr_invalidations;
	st->nr_conversions = gi->nr_conversions;
	st->nr_splits = gi->nr_splits;
	st->nr_reconstructs = gi->nr_reconstructs;
	if (gi->spool) {
		spin_lock(&gi->spool->lock);
		st->resv_huge_pages = gi->spool->rsv_hpages;
		spin_unlock(&gi->spool->lock);
	}
	list_for_each(pos, &gi->bindings)
		st->nr_memslots++;
	filemap_invalidate_unlock_shared(mapping);
	machine_exit_op(gmem->machine);
	return 0;
}

int foliage_gmem_range(struct foliage_file *gmem, unsigned long i,
		       uint64_t *start, uint64_t *end, bool *private_)
{
	struct file *file = gmem_file(gmem);
	struct gmem_inode *gi;
	int ret;

	if (!file || !start || !end || !private_)
		return -EINVAL;
	ret = machine_enter(gmem->machine);
	if (ret)
		return ret;
	gi = GMEM_I(file->f_inode);
	filemap_invalidate_lock_shared(file->f_mapping);
	if (i < gi->attrs.nr) {
		*start = (u64)gi->attrs.r[i].start << PAGE_SHIFT;
		*end = (u64)gi->attrs.r[i].end << PAGE_SHIFT;
		*private_ = gi->attrs.r[i].attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE;
	} else {
		ret = -ENOENT;
	}
	filemap_invalidate_unlock_shared(file->f_mapping);
	machine_exit_op(gmem->machine);
	return ret;
}
