// SPDX-License-Identifier: GPL-2.0
/*
 * shmem: memfd-like files on the internal tmpfs (Linux's shm_mnt), their
 * page cache, and shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS is a
 * "dev/zero" shmem file, as shmem_zero_setup() makes it).
 *
 *   file --f_inode--> inode --i_data--> address_space --i_pages[index]--> folio
 *
 *   f_count	references to the file: the creator's (foliage_file_put()
 *		drops it) and one per VMA mapping it; the last fput() drops
 *		the file's inode reference
 *   i_count	references to the inode: one per open file
 *   nrpages	== slots of i_pages holding a folio
 *		== this file's share of NR_FILE_PAGES and of NR_SHMEM
 *   a cached folio: ->mapping == the address_space, ->index == its slot,
 *		PG_swapbacked, PG_uptodate, on the LRU, and one reference held
 *		by the page cache (besides the mappings' and GUP's)
 *
 * Folios come from the allocator with GFP_HIGHUSER_MOVABLE|__GFP_ZERO and
 * the fault address, so the allocator zeroes them (seed 000), where Linux's
 * shmem_get_folio_gfp() clears a new folio after allocating it.  shmem THP
 * is off (/sys/kernel/mm/transparent_hugepage/shmem_enabled = never), so
 * the cache holds order-0 folios only.
 *
 * Inode numbers come from shm_mnt's allocator as in Linux's
 * shmem_reserve_inode() for a kernel mount: each CPU takes batches of
 * SHMEM_INO_BATCH numbers from the machine-wide counter.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/shmem_fs.h>
#include <linux/hugetlb.h>
#include <asm-generic/tlb.h>
#include <linux/machine_subsys.h>

#include "internal.h"

#define SHMEM_INO_BATCH		1024
/* memfd_create() names: "memfd:" + at most this many bytes */
#define MFD_NAME_PREFIX		"memfd:"
#define MFD_NAME_MAX_LEN	(sizeof(((struct inode *)0)->name) - \
				 sizeof(MFD_NAME_PREFIX))
#define O_RDWR_LARGEFILE	(02 | 0100000)	/* O_RDWR | O_LARGEFILE */

/*
 * shmem_get_folio_gfp()'s modes, the two of Linux's enum sgp_type that
 * foliage uses (it has no write() or fallocate() for the others).
 */
enum sgp_type {
	SGP_READ,	/* don't allocate: NULL for a hole */
	SGP_CACHE,	/* allocate a page for a hole inside i_size */
};

static const char shmem_aops[] = "shmem";	/* marks shmem mappings */
static const struct vm_operations_struct shmem_vm_ops;
static const struct vm_operations_struct shmem_anon_vm_ops;

static inline struct inode *file_inode(const struct file *file)
{
	return file->f_inode;
}

static inline pgoff_t i_size_pages(const struct inode *inode)
{
	return DIV_ROUND_UP(READ_ONCE(inode->i_size), PAGE_SIZE);
}

/* ---- inode numbers ------------------------------------------------- */

static unsigned long shmem_reserve_ino(void)
{
	struct foliage_machine *m = this_machine;
	unsigned long ino = this_cpu->shmem_ino_batch;

	if (ino % SHMEM_INO_BATCH == 0) {
		spin_lock(&m->shmem->stat_lock);
		if (!m->shmem->next_ino)
			m->shmem->next_ino = 1;
		ino = m->shmem->next_ino;
		m->shmem->next_ino += SHMEM_INO_BATCH;
		spin_unlock(&m->shmem->stat_lock);
		if (!ino)
			ino++;
	}
	this_cpu->shmem_ino_batch = ino + 1;
	return ino;
}

/* ---- inodes and files -------------------------------------------- */

static struct inode *shmem_get_inode(const char *name,
				     unsigned long long size)
{
	struct inode *inode = calloc(1, sizeof(*inode));
	struct address_space *mapping;

	if (!inode)
		return NULL;
	inode->i_ino = shmem_reserve_ino();
	inode->i_size = size;
	inode->i_dev_minor = SHMEM_DEV_MINOR;
	atomic_set(&inode->i_count, 1);
	snprintf(inode->name, sizeof(inode->name), "%s", name);
	/* Never linked into a directory: /proc shows it as deleted. */
	inode->deleted = true;

	mapping = &inode->i_data;
	mapping->host = inode;
	pthread_rwlock_init(&mapping->i_mmap_rwsem, NULL);
	pthread_rwlock_init(&mapping->invalidate_lock, NULL);
	spin_lock_init(&mapping->i_lock);
	mapping->a_ops = shmem_aops;
	return inode;
}

static void shmem_undo_range(struct inode *inode, pgoff_t start,
			     pgoff_t end);

/* The last reference to @inode is gone: drop its pages and free it. */
static void shmem_evict_inode(struct inode *inode)
{
	struct address_space *mapping = &inode->i_data;

	hugetlbfs_evict_inode(inode);	/* nothing unless hugetlbfs's */
	shmem_undo_range(inode, 0, ULONG_MAX);
	VM_WARN_ON(mapping->nrpages);
	free(mapping->i_pages);
	pthread_rwlock_destroy(&mapping->i_mmap_rwsem);
	pthread_rwlock_destroy(&mapping->invalidate_lock);
	free(inode);
}

static void iput(struct inode *inode)
{
	if (atomic_dec_and_test(&inode->i_count))
		shmem_evict_inode(inode);
}

/*
 * A new file of @size bytes named @name on shm_mnt (shmem_file_setup()):
 * the caller owns its one reference.
 */
static int __shmem_file_setup(const char *name, unsigned long long size,
			      struct file **out)
{
	struct foliage_file *ff;
	struct inode *inode;

	if (size > MAX_LFS_FILESIZE)
		return -EINVAL;
	ff = calloc(1, sizeof(*ff));
	if (!ff)
		return -ENOMEM;
	inode = shmem_get_inode(name, size);
	if (!inode) {
		free(ff);
		return -ENOMEM;
	}
	ff->machine = this_machine;
	spin_lock(&this_machine->files_lock);
	list_add_tail(&ff->machine_files, &this_machine->files);
	spin_unlock(&this_machine->files_lock);
	ff->file.f_inode = inode;
	ff->file.f_mapping = &inode->i_data;
	ff->file.f_flags = O_RDWR_LARGEFILE;
	atomic_set(&ff->file.f_count, 1);
	*out = &ff->file;
	return 0;
}

int shmem_file_create(const char *name, unsigned long long size,
		      struct file **out)
{
	return __shmem_file_setup(name, size, out);
}

struct file *get_file(struct file *file)
{
	atomic_inc(&file->f_count);
	return file;
}

void fput(struct file *file)
{
	struct foliage_file *ff = container_of(file, struct foliage_file,
					       file);

	if (!atomic_dec_and_test(&file->f_count))
		return;
	if (file->f_op && file->f_op->release)
		file->f_op->release(file);
	spin_lock(&ff->machine->files_lock);
	list_del(&ff->machine_files);
	spin_unlock(&ff->machine->files_lock);
	iput(file->f_inode);
	free(ff);
}

void put_all_files(struct foliage_machine *m)
{
	struct foliage_file *ff;

	for (;;) {
		spin_lock(&m->files_lock);
		ff = list_empty(&m->files) ? NULL :
		     list_first_entry(&m->files, struct foliage_file,
				      machine_files);
		spin_unlock(&m->files_lock);
		if (!ff)
			break;
		/* No VMA is left: what remains are the users' references. */
		atomic_set(&ff->file.f_count, 1);
		fput(&ff->file);
	}
}

long vfs_fallocate(struct file *file, int mode, unsigned long long offset,
		   unsigned long long len)
{
	if (file->f_op && file->f_op->fallocate)
		return file->f_op->fallocate(file, mode, offset, len);
	/* shmem's and hugetlbfs's: vfs_fallocate()'s checks, then theirs. */
	if (!len || offset > MAX_LFS_FILESIZE)
		return -EINVAL;
	if (offset + len > MAX_LFS_FILESIZE || offset + len < offset)
		return -EFBIG;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (is_file_hugepages(file))
		return hugetlbfs_fallocate(file, mode & FALLOC_FL_PUNCH_HOLE,
					   offset, len);
	return shmem_fallocate(file, mode & FALLOC_FL_PUNCH_HOLE, offset, len);
}

int file_path(const struct file *file, char *buf, size_t len)
{
	const struct inode *inode = file_inode(file);
	int n = snprintf(buf, len, "/%s%s", inode->name,
			 inode->deleted ? " (deleted)" : "");

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return n;
}

/* ---- the page cache ------------------------------------------------- */

/* The folio in slot @index, or NULL (caller holds i_lock). */
static struct folio *__page_cache_lookup(struct address_space *mapping,
					 pgoff_t index)
{
	lockdep_assert_held(&mapping->i_lock);

	if (index >= mapping->i_pages_size)
		return NULL;
	return mapping->i_pages[index];
}

struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	spin_lock(&mapping->i_lock);
	folio = __page_cache_lookup(mapping, index);
	if (folio)
		folio_get(folio);
	spin_unlock(&mapping->i_lock);
	return folio;
}

struct folio *filemap_lock_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	for (;;) {
		folio = filemap_get_folio(mapping, index);
		if (!folio)
			return NULL;
		folio_lock(folio);
		/* Truncated while we waited for the lock? */
		if (likely(folio->mapping == mapping))
			return folio;
		folio_unlock(folio);
		folio_put(folio);
	}
}

/* Make i_pages hold at least @index + 1 slots (caller holds i_lock). */
static int page_cache_grow(struct address_space *mapping, pgoff_t index)
{
	unsigned long size = mapping->i_pages_size ?: 16;
	struct folio **slots;

	lockdep_assert_held(&mapping->i_lock);

	if (index < mapping->i_pages_size)
		return 0;
	while (size <= index)
		size *= 2;
	slots = realloc(mapping->i_pages, size * sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	memset(slots + mapping->i_pages_size, 0,
	       (size - mapping->i_pages_size) * sizeof(*slots));
	mapping->i_pages = slots;
	mapping->i_pages_size = size;
	return 0;
}

static void shmem_stat_mod(struct folio *folio, long nr)
{
	pg_data_t *pgdat = NODE_DATA(folio_nid(folio));

	mod_node_page_state(pgdat, NR_FILE_PAGES, nr);
	mod_node_page_state(pgdat, NR_SHMEM, nr);
}

/*
 * Insert a new, locked @folio at @index (shmem_add_to_page_cache()).  The
 * page cache takes its own reference.  -EEXIST if someone else filled the
 * slot first, -EINVAL if the file shrank below @index meanwhile.
 */
static int shmem_add_to_page_cache(struct folio *folio,
				   struct address_space *mapping,
				   pgoff_t index)
{
	long nr = folio_nr_pages(folio);
	int ret;

	VM_WARN_ON(!folio_test_locked(folio));
	VM_WARN_ON(!folio_test_swapbacked(folio));
	spin_lock(&mapping->i_lock);
	if (index >= i_size_pages(mapping->host)) {
		ret = -EINVAL;
		goto out;
	}
	ret = page_cache_grow(mapping, index);
	if (ret)
		goto out;
	if (mapping->i_pages[index]) {
		ret = -EEXIST;
		goto out;
	}
	folio_ref_add(folio, nr);
	folio->mapping = mapping;
	folio->index = index;
	mapping->i_pages[index] = folio;
	mapping->nrpages += nr;
	shmem_stat_mod(folio, nr);
out:
	spin_unlock(&mapping->i_lock);
	return ret;
}

/*
 * Take unmapped @folio out of the page cache and drop the cache's
 * reference (filemap_remove_folio()).
 */
static void shmem_delete_from_page_cache(struct folio *folio)
{
	struct address_space *mapping = folio->mapping;
	long nr = folio_nr_pages(folio);

	spin_lock(&mapping->i_lock);
	mapping->i_pages[folio->index] = NULL;
	mapping->nrpages -= nr;
	folio->mapping = NULL;
	shmem_stat_mod(folio, -nr);
	spin_unlock(&mapping->i_lock);
	folio_put(folio);
}

/*
 * Find the folio at @index, or allocate one for a hole (SGP_CACHE, inside
 * i_size).  On success *@foliop is the folio, locked,
 * with a reference for the caller, or NULL for a hole under SGP_READ.
 * @vmf (may be NULL) gives the fault address the allocator zeroes around.
 */
static int shmem_get_folio_gfp(struct inode *inode, pgoff_t index,
			       struct folio **foliop, enum sgp_type sgp,
			       struct vm_fault *vmf)
{
	struct address_space *mapping = &inode->i_data;
	unsigned long user_addr = vmf ? vmf->real_address : USER_ADDR_NONE;
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_ZERO;
	struct folio *folio;
	int ret;

	if (index > (MAX_LFS_FILESIZE >> PAGE_SHIFT))
		return -EFBIG;
repeat:
	folio = filemap_lock_folio(mapping, index);
	if (folio) {
		*foliop = folio;
		return 0;
	}
	if (sgp == SGP_READ) {
		*foliop = NULL;
		return 0;
	}
	/* A hole past the end of the file: SIGBUS for a fault. */
	if (index >= i_size_pages(inode))
		return -EINVAL;

	folio = folio_alloc_user(gfp, 0, numa_node_id(), user_addr);
	if (!folio)
		return -ENOMEM;
	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	/* The allocator zeroed it: the contents are valid already. */
	__folio_set_uptodate(folio);
	ret = shmem_add_to_page_cache(folio, mapping, index);
	if (ret) {
		__folio_clear_locked(folio);
		__folio_clear_swapbacked(folio);
		folio_put(folio);
		if (ret == -EEXIST)
			goto repeat;
		return ret;
	}
	folio_add_lru(folio);
	*foliop = folio;
	return 0;
}

int shmem_get_folio(struct inode *inode, pgoff_t index, struct folio **out,
		    bool create)
{
	struct folio *folio;
	int ret;

	ret = shmem_get_folio_gfp(inode, index, &folio,
				  create ? SGP_CACHE : SGP_READ, NULL);
	if (ret)
		return ret;
	if (!folio)
		return -ENOENT;
	folio_unlock(folio);
	*out = folio;
	return 0;
}

/*
 * Drop every cached folio of [start, end).  Mapped folios stay (the
 * caller made sure there are none, see shmem_truncate()).
 */
static void shmem_undo_range(struct inode *inode, pgoff_t start,
			     pgoff_t end)
{
	struct address_space *mapping = &inode->i_data;
	pgoff_t index;

	for (index = start; index < end && index < mapping->i_pages_size;
	     index++) {
		struct folio *folio = filemap_get_folio(mapping, index);

		if (!folio)
			continue;
		folio_lock(folio);
		if (folio->mapping == mapping && !folio_mapped(folio))
			shmem_delete_from_page_cache(folio);
		folio_unlock(folio);
		folio_put(folio);
	}
}

/* Whether a folio at or past @start is mapped by a page table. */
static bool shmem_range_mapped(struct address_space *mapping, pgoff_t start)
{
	bool mapped = false;
	pgoff_t index;

	spin_lock(&mapping->i_lock);
	for (index = start; index < mapping->i_pages_size && !mapped; index++)
		if (mapping->i_pages[index])
			mapped = folio_mapped(mapping->i_pages[index]);
	spin_unlock(&mapping->i_lock);
	return mapped;
}

/*
 * ftruncate(): set the size; shrinking drops the pages past the new end
 * and zeroes the tail of a partial last page.  foliage has no truncate
 * system call yet, so shrinking over pages still mapped (Linux unmaps them
 * first, unmap_mapping_range()) is refused with -EBUSY.
 */
int shmem_truncate(struct inode *inode, unsigned long long new_size)
{
	struct address_space *mapping = &inode->i_data;
	pgoff_t new_pages = DIV_ROUND_UP(new_size, PAGE_SIZE);
	struct folio *folio;
	int ret = 0;

	if (new_size > MAX_LFS_FILESIZE)
		return -EINVAL;
	filemap_invalidate_lock(mapping);
	if (new_size < inode->i_size) {
		if (shmem_range_mapped(mapping, new_pages)) {
			ret = -EBUSY;
			goto out;
		}
		WRITE_ONCE(inode->i_size, new_size);
		shmem_undo_range(inode, new_pages, ULONG_MAX);
		folio = (new_size & ~PAGE_MASK) ?
			filemap_get_folio(mapping, new_size >> PAGE_SHIFT) :
			NULL;
		if (folio) {
			size_t off = new_size & ~PAGE_MASK;

			memset((char *)folio_address(folio) + off, 0,
			       PAGE_SIZE - off);
			folio_put(folio);
		}
	} else {
		WRITE_ONCE(inode->i_size, new_size);
	}
out:
	filemap_invalidate_unlock(mapping);
	return ret;
}

/* Zero bytes [off, off + len) of the cached page at @index, if any. */
static void shmem_zero_partial(struct address_space *mapping, pgoff_t index,
			       size_t off, size_t len)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	if (!folio)
		return;
	memset((char *)folio_address(folio) + off, 0, len);
	folio_put(folio);
}

int shmem_fallocate(struct file *file, bool punch, unsigned long long off,
		    unsigned long long len)
{
	struct inode *inode = file->f_inode;
	struct address_space *mapping = &inode->i_data;
	unsigned long long end = off + len;
	pgoff_t start = DIV_ROUND_UP(off, PAGE_SIZE), stop = end >> PAGE_SHIFT;
	pgoff_t index;
	int ret = 0;

	filemap_invalidate_lock(mapping);
	if (!punch) {
		/* Pages inside i_size (foliage has no SGP_FALLOC past it). */
		for (index = off >> PAGE_SHIFT;
		     index < DIV_ROUND_UP(end, PAGE_SIZE) &&
		     index < i_size_pages(inode); index++) {
			struct folio *folio;

			ret = shmem_get_folio(inode, index, &folio, true);
			if (ret)
				break;
			folio_put(folio);
		}
		goto out;
	}
	if (off & ~PAGE_MASK)
		shmem_zero_partial(mapping, off >> PAGE_SHIFT, off & ~PAGE_MASK,
				   min(end, (unsigned long long)start <<
				       PAGE_SHIFT) - off);
	if (stop > start) {
		unmap_mapping_pages(mapping, start, stop - start);
		shmem_undo_range(inode, start, stop);
	}
	if ((end & ~PAGE_MASK) && end >> PAGE_SHIFT >= start)
		shmem_zero_partial(mapping, end >> PAGE_SHIFT, 0,
				   end & ~PAGE_MASK);
out:
	filemap_invalidate_unlock(mapping);
	return ret;
}

/* ---- faults ------------------------------------------------------------ */

static vm_fault_t vmf_error(int err)
{
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/*
 * ->fault: the page cache folio for vmf->pgoff, allocating it for a hole;
 * SIGBUS past the end of the file.
 */
static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct inode *inode = file_inode(vmf->vma->vm_file);
	struct folio *folio;
	int err;

	VM_WARN_ON(vmf->page != NULL);
	err = shmem_get_folio_gfp(inode, vmf->pgoff, &folio, SGP_CACHE, vmf);
	if (err)
		return vmf_error(err);
	vmf->page = folio_page(folio, vmf->pgoff - folio->index);
	return VM_FAULT_LOCKED;
}

/*
 * The next folio of [*index, end_pgoff] that fault-around may map: cached,
 * uptodate, not poisoned, lockable now, still in this file.  Returned
 * locked and referenced, with *index its slot.
 */
static struct folio *next_uptodate_folio(struct address_space *mapping,
					 pgoff_t *index, pgoff_t end_pgoff)
{
	struct folio *folio;

	for (; *index <= end_pgoff; (*index)++) {
		folio = filemap_get_folio(mapping, *index);
		if (!folio)
			continue;
		if (!folio_test_uptodate(folio) ||
		    PageHWPoison(&folio->page) || !folio_trylock(folio))
			goto skip;
		if (folio->mapping != mapping ||
		    *index >= i_size_pages(mapping->host))
			goto unlock;
		return folio;
unlock:
		folio_unlock(folio);
skip:
		folio_put(folio);
	}
	return NULL;
}

vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
			     pgoff_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct mm_struct *mm = vma->vm_mm;
	pgoff_t index = start_pgoff, last_pgoff = start_pgoff, file_end;
	unsigned long addr, rss = 0;
	struct folio *folio;
	vm_fault_t ret = 0;
	int counter = MM_SHMEMPAGES;

	file_end = i_size_pages(mapping->host);
	if (!file_end)
		return 0;
	end_pgoff = min(end_pgoff, file_end - 1);
	folio = next_uptodate_folio(mapping, &index, end_pgoff);
	if (!folio)
		return 0;
	/* filemap_map_pmd(): the table do_fault_around() preallocated. */
	if (pmd_none(pmdp_get(vmf->pmd)) && vmf->prealloc_pte)
		pmd_install(mm, vmf->pmd, &vmf->prealloc_pte);
	if (pmd_none(pmdp_get(vmf->pmd)))
		goto out_folio;
	if (pmd_trans_huge(pmdp_get(vmf->pmd)))
		goto out_folio;

	addr = vma->vm_start + ((start_pgoff - vma->vm_pgoff) << PAGE_SHIFT);
	vmf->pte = pte_offset_map_lock(mm, vmf->pmd, addr, &vmf->ptl);
	if (!vmf->pte)
		goto out_folio;
	counter = mm_counter_file(folio);
	do {
		addr += (index - last_pgoff) << PAGE_SHIFT;
		vmf->pte += index - last_pgoff;
		last_pgoff = index;

		/* Leave PTEs that are set to the fault path proper. */
		if (pte_none(ptep_get(vmf->pte))) {
			if (vmf->address == addr)
				ret = VM_FAULT_NOPAGE;
			set_pte_range(vmf, folio, &folio->page, 1, addr);
			rss++;
			folio_get(folio);
		}
		folio_unlock(folio);
		folio_put(folio);
		index++;
	} while ((folio = next_uptodate_folio(mapping, &index, end_pgoff)));
	add_mm_counter(mm, counter, rss);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return ret;

out_folio:
	folio_unlock(folio);
	folio_put(folio);
	return ret;
}

static const struct vm_operations_struct shmem_vm_ops = {
	.fault		= shmem_fault,
	.map_pages	= filemap_map_pages,
};

/* Shared anonymous memory: the same, told apart by vma_is_anon_shmem(). */
static const struct vm_operations_struct shmem_anon_vm_ops = {
	.fault		= shmem_fault,
	.map_pages	= filemap_map_pages,
};

bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &shmem_vm_ops ||
	       vma->vm_ops == &shmem_anon_vm_ops;
}

bool shmem_mapping(const struct address_space *mapping)
{
	return mapping && mapping->a_ops == shmem_aops;
}

int shmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!shmem_mapping(file->f_mapping))
		return -ENODEV;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct file *file;
	int ret;

	ret = __shmem_file_setup("dev/zero", vma->vm_end - vma->vm_start,
				 &file);
	if (ret)
		return ret;
	if (vma->vm_file)
		fput(vma->vm_file);
	vma->vm_file = file;
	vma->vm_ops = &shmem_anon_vm_ops;
	return 0;
}

/* ---- the public API ------------------------------------------------ */

int foliage_file_create(struct foliage_machine *m, const char *name,
			uint64_t bytes, struct foliage_file **out)
{
	char full[sizeof(((struct inode *)0)->name)];
	struct file *file;
	int ret;

	if (!m || !name || !out || strlen(name) > MFD_NAME_MAX_LEN)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	snprintf(full, sizeof(full), MFD_NAME_PREFIX "%s", name);
	ret = shmem_file_create(full, bytes, &file);
	if (!ret)
		*out = container_of(file, struct foliage_file, file);
	machine_exit_op(m);
	return ret;
}

void foliage_file_put(struct foliage_file *file)
{
	struct foliage_machine *m;

	if (!file)
		return;
	m = file->machine;
	if (machine_enter(m))
		return;
	fput(&file->file);
	machine_exit_op(m);
}

int foliage_fallocate(struct foliage_file *file, int mode, uint64_t offset,
		      uint64_t len)
{
	struct foliage_machine *m;
	int ret;

	if (!file)
		return -EINVAL;
	m = file->machine;
	ret = machine_enter(m);
	if (ret)
		return ret;
	ret = vfs_fallocate(&file->file, mode, offset, len);
	machine_exit_op(m);
	return ret;
}

/* ---- the subsystem: shm_mnt's superblock ---- */

static int shmem_init(struct foliage_machine *m)
{
	spin_lock_init(&m->shmem->stat_lock);
	return 0;
}

/* The machine owns its files: those never put go with it. */
static void shmem_exit(struct foliage_machine *m)
{
	if (m->shmem && m->nr_cpus && !machine_enter(m))
		put_all_files(m);
}

const struct machine_subsys shmem_subsys = {
	.name = "shmem",
	MACHINE_SUBSYS_STATE(shmem),
	.init = shmem_init,
	.exit = shmem_exit,
};
