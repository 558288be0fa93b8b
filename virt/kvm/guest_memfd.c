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
#include <linux/rmap.h>
#include <linux/shmem_fs.h>
#include <linux/swap.h>
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
	if (folio)
		return folio;
	if (index >= gmem_nr_pages(inode)) {
		*err = -EINVAL;
		return NULL;
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

/* Clear the allocated pages of [start, end) that are private now. */
static void kvm_gmem_zero_private(struct inode *inode, pgoff_t start,
				  pgoff_t end)
{
	struct address_space *mapping = &inode->i_data;
	struct gmem_inode *gi = GMEM_I(inode);
	pgoff_t index;

	for (index = start; index < end; index++) {
		struct folio *folio;

		if (!kvm_gmem_is_private(gi, index))
			continue;
		folio = filemap_get_folio(mapping, index);
		if (!folio)
			continue;
		memset((char *)folio_address(folio) +
		       ((index - folio->index) << PAGE_SHIFT), 0, PAGE_SIZE);
		folio_put(folio);
	}
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
	ret = range_attr_prealloc(&gi->attrs);
	if (ret) {
		args->error_offset = args->offset;
		goto out;
	}
	if (to_private) {
		unmap_mapping_pages(mapping, start, end - start);
		ret = kvm_gmem_check_refs(mapping, start, end, &bad);
		if (ret) {
			args->error_offset = (u64)bad << PAGE_SHIFT;
			goto out;
		}
	}
	/* Nothing fails from here: the change is all or nothing. */
	kvm_gmem_invalidate(inode, start, end);
	if (!to_private && (args->flags & KVM_SET_MEMORY_ATTRIBUTES2_ZERO))
		kvm_gmem_zero_private(inode, start, end);
	range_attr_set(&gi->attrs, start, end, args->attributes);
	gi->nr_conversions++;
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
static int __kvm_gmem_create(u64 size, u64 flags, unsigned int huge_order,
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
	gi = calloc(1, sizeof(*gi));
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
	gi->huge_order = huge_order;
	INIT_LIST_HEAD(&gi->bindings);
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

			if (priv && page_mapcount(folio_page(folio, i)) > 0)
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
	struct file *file;
	int ret;

	if (!m || !out)
		return -EINVAL;
	if (flags & ~GMEM_SUPPORTED_FLAGS)
		return -EINVAL;
	if (huge_bytes)
		return -EINVAL;	/* hugetlb backing: not yet */
	if (!bytes || (bytes & ~PAGE_MASK) || bytes > MAX_LFS_FILESIZE)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	ret = __kvm_gmem_create(bytes, flags, 0, &file);
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
