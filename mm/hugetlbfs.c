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
#include <stdlib.h>
#include <string.h>

#include "internal.h"
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
		pthread_mutex_unlock(&info->cache_lock);
		if (!folio)
			continue;
		/* The caller unmapped the range from every mapping. */
		VM_WARN_ON(folio_mapped(folio));
		pthread_mutex_lock(&info->cache_lock);
		info->folios[idx] = NULL;
		info->nr_folios--;
		pthread_mutex_unlock(&info->cache_lock);
		folio->mapping = NULL;
		folio_put(folio);
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
