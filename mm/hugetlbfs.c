// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlbfs files (Linux 6.18's fs/hugetlbfs/inode.c, the parts foliage
 * has users for): the "anon_hugepage" file behind every MAP_HUGETLB
 * mapping and hugetlb memfds (MFD_HUGETLB).  A hugetlbfs inode is a shmem
 * pseudo-file (mm/shmem.c: inode number, references, /proc names) whose
 * i_private is a struct hugetlbfs_inode_info: its hstate, its resv_map
 * (the huge-page indices reserved for it), its subpool and its page cache
 * of huge folios by huge-page index.
 *
 *   info->nr_folios == non-NULL entries of info->folios[]
 *   each cached folio: ->mapping == the file's mapping,
 *		       ->index == huge index << order, one reference
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <asm-generic/tlb.h>

#include "internal.h"
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/rmap.h>
#include <linux/shmem_fs.h>

/* Marks a hugetlbfs mapping (a_ops), as shmem_aops marks shmem's. */
static const char hugetlbfs_aops[] = "hugetlbfs";

/*
 * The device minor of foliage's hugetlbfs mounts in /proc/PID/maps (Linux
 * gives each mount an anonymous device; docs/fidelity.md).
 */
#define HUGETLBFS_DEV_MINOR	16

bool is_file_hugepages(const struct file *file)
{
	return file && file->f_mapping->a_ops == hugetlbfs_aops;
}

struct hugetlbfs_inode_info *HUGETLBFS_I(const struct inode *inode)
{
	return inode->i_private;
}

struct hstate *hstate_sizelog(int page_size_log)
{
	struct hugetlb_state *hs = this_machine->hugetlb;
	unsigned int i;

	if (!page_size_log)
		return default_hstate();
	for (i = 0; i < HUGE_MAX_HSTATE; i++)
		if (hs->hstates[i].order + PAGE_SHIFT ==
		    (unsigned int)page_size_log)
			return &hs->hstates[i];
	return NULL;
}

int hugetlb_file_setup(const char *name, unsigned long long size,
		       struct hstate *h, bool acct_noreserve,
		       struct hugepage_subpool *spool, struct file **out)
{
	struct hugetlbfs_inode_info *info;
	struct inode *inode;
	struct file *file;
	int err;

	info = calloc(1, sizeof(*info));
	if (!info)
		return -ENOMEM;
	info->hstate = h;
	info->resv_map = resv_map_alloc();
	if (!info->resv_map) {
		free(info);
		return -ENOMEM;
	}
	pthread_mutex_init(&info->fault_mutex, NULL);
	pthread_mutex_init(&info->cache_lock, NULL);
	err = shmem_file_create(name, size, &file);
	if (err) {
		resv_map_put(info->resv_map);
		free(info);
		return err;
	}
	inode = file->f_inode;
	inode->i_private = info;
	inode->i_data.a_ops = hugetlbfs_aops;
	inode->i_dev_minor = HUGETLBFS_DEV_MINOR;
	if (spool) {
		spin_lock(&spool->lock);
		spool->count++;
		spin_unlock(&spool->lock);
		info->spool = spool;
	}
	if (!acct_noreserve &&
	    hugetlb_reserve_pages(inode, 0, size >> (h->order + PAGE_SHIFT),
				  NULL, 0)) {
		fput(file);
		return -ENOMEM;
	}
	*out = file;
	return 0;
}

/*
 * Unmap the part of every mapping of @inode's huge indices [start, end),
 * those of @only's if not NULL (Linux's hugetlb_vmdelete_list() and
 * hugetlb_unmap_file_folio()).  Like Linux, under i_mmap_rwsem without
 * the mappings' mmap_lock.
 */
static void hugetlb_vmdelete_list(struct inode *inode, pgoff_t start,
				  pgoff_t end, struct folio *only)
{
	struct address_space *mapping = &inode->i_data;
	unsigned int order = HUGETLBFS_I(inode)->hstate->order;
	unsigned long first = start << order, last = (end << order) - 1;
	struct vm_area_struct *vma;

	i_mmap_lock_write(mapping);
	vma_interval_tree_foreach(vma, mapping, first, last) {
		unsigned long v_start, v_end;
		struct mmu_gather tlb;

		if (!only && !(vma->vm_flags & VM_MAYSHARE))
			continue;	/* their pages: one at a time, below */
		v_start = vma->vm_start +
			  ((max(first, vma->vm_pgoff) - vma->vm_pgoff) <<
			   PAGE_SHIFT);
		v_end = min(vma->vm_end, vma->vm_start +
			    ((last + 1 - vma->vm_pgoff) << PAGE_SHIFT));
		if (v_start >= v_end)
			continue;
		tlb_gather_mmu(&tlb, vma->vm_mm, false);
		__unmap_hugepage_range(&tlb, vma, v_start, v_end, only);
		tlb_finish_mmu(&tlb);
	}
	i_mmap_unlock_write(mapping);
}

static void hugetlb_unmap_file_folio(struct inode *inode, struct folio *folio,
				     pgoff_t idx)
{
	hugetlb_vmdelete_list(inode, idx, idx + 1, folio);
}

/*
 * Take the cached folios of huge indices [start, end) out of the cache
 * and free them, unmapping them first from every mapping of the file
 * (Linux's remove_inode_hugepages()); give back the reservations of the
 * range.  Caller holds the invalidate lock (or is the last user).
 */
static void remove_inode_hugepages(struct inode *inode, pgoff_t start,
				   pgoff_t end)
{
	struct hugetlbfs_inode_info *info = HUGETLBFS_I(inode);
	long freed = 0;
	pgoff_t idx;

	for (idx = start; idx < end && idx < info->nr_slots; idx++) {
		struct folio *folio;

		pthread_mutex_lock(&info->cache_lock);
		folio = info->folios[idx];
		if (folio)
			folio_get(folio);
		pthread_mutex_unlock(&info->cache_lock);
		if (!folio)
			continue;
		/*
		 * Locked, as Linux's remove_inode_single_folio() has it: a
		 * migration (hugetlbfs_migrate_folio()) may have moved the
		 * slot to a new folio meanwhile; then take that one.
		 */
		folio_lock(folio);
		pthread_mutex_lock(&info->cache_lock);
		if (info->folios[idx] != folio) {
			pthread_mutex_unlock(&info->cache_lock);
			folio_unlock(folio);
			folio_put(folio);
			idx--;
			continue;
		}
		pthread_mutex_unlock(&info->cache_lock);
		/* Private mappings may map it still (not their COW copies). */
		if (folio_mapped(folio))
			hugetlb_unmap_file_folio(inode, folio, idx);
		pthread_mutex_lock(&info->cache_lock);
		info->folios[idx] = NULL;
		info->nr_folios--;
		pthread_mutex_unlock(&info->cache_lock);
		folio->mapping = NULL;
		folio_unlock(folio);
		folio_put(folio);	/* ours */
		folio_put(folio);	/* the cache's */
		freed++;
	}
	(void)hugetlb_unreserve_pages(inode, start, end, freed);
}

void hugetlbfs_evict_inode(struct inode *inode)
{
	struct hugetlbfs_inode_info *info = HUGETLBFS_I(inode);

	if (inode->i_data.a_ops != hugetlbfs_aops || !info)
		return;
	remove_inode_hugepages(inode, 0, LONG_MAX);
	resv_map_put(info->resv_map);
	hugepage_put_subpool(info->spool);
	free(info->folios);
	pthread_mutex_destroy(&info->fault_mutex);
	pthread_mutex_destroy(&info->cache_lock);
	free(info);
	inode->i_private = NULL;
}

int hugetlbfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct inode *inode = file->f_inode;
	struct hstate *h = hstate_file(file);
	unsigned long long vma_len, len;
	vm_flags_t vm_flags;

	vma->vm_flags |= VM_HUGETLB | VM_DONTEXPAND;
	vma->vm_ops = &hugetlb_vm_ops;
	/* The offset must be a whole number of huge pages. */
	if (vma->vm_pgoff & (pages_per_huge_page(h) - 1))
		return -EINVAL;
	vma_len = vma->vm_end - vma->vm_start;
	len = vma_len + ((unsigned long long)vma->vm_pgoff << PAGE_SHIFT);
	if (len < vma_len)
		return -EINVAL;
	vm_flags = vma->vm_flags;
	if (hugetlb_reserve_pages(inode, vma->vm_pgoff >> h->order,
				  len >> (h->order + PAGE_SHIFT), vma,
				  vm_flags))
		return -ENOMEM;
	if ((vma->vm_flags & VM_WRITE) && inode->i_size < len)
		inode->i_size = len;
	return 0;
}

int hugetlbfs_migrate_folio(struct folio *dst, struct folio *src, int expected)
{
	struct hugetlbfs_inode_info *info =
		HUGETLBFS_I(src->mapping->host);
	pgoff_t idx = src->index >> folio_order(src);

	/*
	 * Linux's migrate_huge_page_move_mapping(): the references are
	 * frozen while the slot changes, so a lookup finds @src before or
	 * @dst after; the cache holds one reference in foliage (one per
	 * base page in Linux: docs/fidelity.md).
	 */
	pthread_mutex_lock(&info->cache_lock);
	if (idx >= info->nr_slots || info->folios[idx] != src ||
	    atomic_cmpxchg(&src->_refcount, expected, 0) != expected) {
		pthread_mutex_unlock(&info->cache_lock);
		return -EAGAIN;
	}
	dst->index = src->index;
	dst->mapping = src->mapping;
	folio_get(dst);
	WRITE_ONCE(info->folios[idx], dst);
	atomic_set(&src->_refcount, expected - 1);
	pthread_mutex_unlock(&info->cache_lock);
	/* The file's subpool charge goes with the page. */
	if (src->_hugetlb_subpool) {
		dst->_hugetlb_subpool = src->_hugetlb_subpool;
		src->_hugetlb_subpool = NULL;
	}
	return 0;
}

/*
 * Zero [off, off + len) of the cached huge page at @idx, if any (a hole's
 * partial pages, hugetlbfs_zero_partial_page()).
 */
static void hugetlbfs_zero_partial_page(struct hugetlbfs_inode_info *info,
					pgoff_t idx, unsigned long off,
					unsigned long len)
{
	struct folio *folio = NULL;

	pthread_mutex_lock(&info->cache_lock);
	if (idx < info->nr_slots)
		folio = info->folios[idx];
	if (folio)
		memset((char *)folio_address(folio) + off, 0, len);
	pthread_mutex_unlock(&info->cache_lock);
}

/*
 * Allocate the pages of huge indices [start, end) not cached yet, each
 * against the file's reservation if it has one, else a new one (Linux's
 * hugetlbfs_fallocate() without a mode): -ENOSPC when the pool cannot.
 */
static int hugetlbfs_fallocate_alloc(struct file *file, pgoff_t start,
				     pgoff_t end)
{
	struct inode *inode = file->f_inode;
	struct hugetlbfs_inode_info *info = HUGETLBFS_I(inode);
	struct hstate *h = info->hstate;
	/* A pseudo VMA, shared, as Linux's fallocate uses. */
	struct vm_area_struct pseudo = {
		.vm_flags = VM_HUGETLB | VM_MAYSHARE | VM_SHARED,
		.vm_file = file,
		.vm_end = huge_page_size(h),
	};
	pgoff_t idx;
	int err;

	for (idx = start; idx < end; idx++) {
		struct folio *folio;
		bool zeroed;

		pthread_mutex_lock(&info->fault_mutex);
		folio = NULL;
		pthread_mutex_lock(&info->cache_lock);
		if (idx < info->nr_slots)
			folio = info->folios[idx];
		pthread_mutex_unlock(&info->cache_lock);
		if (folio) {
			pthread_mutex_unlock(&info->fault_mutex);
			continue;
		}
		pseudo.vm_pgoff = idx << h->order;
		folio = alloc_hugetlb_folio(&pseudo, 0, &zeroed);
		if (IS_ERR(folio)) {
			pthread_mutex_unlock(&info->fault_mutex);
			return PTR_ERR(folio);
		}
		/* memfd hugetlb skips the zeroing of HPG_zeroed folios. */
		if (!zeroed)
			folio_zero_user(folio, USER_ADDR_NONE);
		count_vm_events(zeroed ? PGZERO_SKIPPED : PGZERO_CLEARED,
				folio_nr_pages(folio));
		__folio_mark_uptodate(folio);
		err = hugetlbfs_cache_add(info, folio, idx, file->f_mapping);
		if (!err)
			hugetlb_set_migratable(folio);
		folio_put(folio);	/* the cache holds it */
		pthread_mutex_unlock(&info->fault_mutex);
		if (err)
			return err;
	}
	return 0;
}

int hugetlbfs_fallocate(struct file *file, bool punch, unsigned long long off,
			unsigned long long len)
{
	struct inode *inode = file->f_inode;
	struct hugetlbfs_inode_info *info = HUGETLBFS_I(inode);
	unsigned long long sz = huge_page_size(info->hstate);
	unsigned long long end = off + len, hole_start, hole_end;
	int ret = 0;

	filemap_invalidate_lock(&inode->i_data);
	if (!punch) {
		/* FALLOC_FL_KEEP_SIZE: pages past i_size are allocated too. */
		ret = hugetlbfs_fallocate_alloc(file, off / sz,
						DIV_ROUND_UP(end, sz));
		goto out;
	}
	hole_start = ALIGN(off, sz);
	hole_end = end & ~(sz - 1);
	/* Partial huge pages at either end are zeroed, not freed. */
	if (off < hole_start)
		hugetlbfs_zero_partial_page(info, off / sz, off % sz,
					    min(end, hole_start) - off);
	if (hole_end > hole_start)
		hugetlb_vmdelete_list(inode, hole_start / sz, hole_end / sz,
				      NULL);
	if (end > hole_end && end > hole_start)
		hugetlbfs_zero_partial_page(info, hole_end / sz, 0,
					    end - hole_end);
	if (hole_end > hole_start)
		remove_inode_hugepages(inode, hole_start / sz, hole_end / sz);
out:
	filemap_invalidate_unlock(&inode->i_data);
	return ret;
}

/* ---- the public API ---- */

int foliage_memfd_create(struct foliage_machine *m, const char *name,
			 uint64_t bytes, unsigned int mfd_flags,
			 struct foliage_file **out)
{
	char full[sizeof(((struct inode *)0)->name)];
	struct hstate *h;
	struct file *file;
	int ret;

	if (!(mfd_flags & FOLIAGE_MFD_HUGETLB)) {
		if (mfd_flags)
			return -EINVAL;
		return foliage_file_create(m, name, bytes, out);
	}
	if (!m || !name || !out || (mfd_flags & ~(FOLIAGE_MFD_HUGETLB |
						  (0x3fU << 26))) ||
	    strlen(name) + sizeof("memfd:") > sizeof(full))
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	h = hstate_sizelog(mfd_flags >> 26);
	ret = -EINVAL;
	if (h && !(bytes & (huge_page_size(h) - 1))) {
		snprintf(full, sizeof(full), "memfd:%s", name);
		/* memfd_create() + ftruncate(): nothing reserved yet. */
		ret = hugetlb_file_setup(full, bytes, h, true, NULL, &file);
		if (!ret)
			*out = container_of(file, struct foliage_file, file);
	}
	machine_exit_op(m);
	return ret;
}

