/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files: memfd/shmem-like objects with a page cache (mm/shmem.c).
 *
 * An inode's page cache holds folios indexed by page offset; a folio of
 * order n sits at an index aligned to 2^n and fills 2^n slots.  File folios
 * have ->mapping == the address_space and ->index == their offset.
 *
 *   nrpages == base pages in the cache == NR_SHMEM's share of this file
 *   every VMA mapping the file is on i_mmap (rmap for file folios)
 */
#ifndef _FOLIAGE_LINUX_FS_H
#define _FOLIAGE_LINUX_FS_H

#include <linux/mm.h>

struct inode;

struct address_space {
	struct inode *host;		/* owner */
	struct folio **i_pages;		/* page cache: folio per index, or NULL */
	unsigned long i_pages_size;	/* slots in i_pages */
	unsigned long nrpages;		/* base pages cached */
	pthread_rwlock_t i_mmap_rwsem;	/* protects i_mmap */
	struct interval_tree_root i_mmap; /* VMAs mapping the file, by pgoff
					   * (rmap.c: i_mmap_insert/remove) */
	unsigned long nr_mmaps;		/* VMAs on i_mmap */
	pthread_rwlock_t invalidate_lock; /* faults vs truncation */
	spinlock_t i_lock;		/* i_pages */
	const void *a_ops;		/* owner's operations */
};

struct inode {
	unsigned long i_ino;		/* inode number (as /proc shows it) */
	unsigned long long i_size;	/* bytes */
	unsigned int i_dev_minor;	/* "00:NN" in maps */
	atomic_t i_count;		/* references */
	struct address_space i_data;	/* its page cache */
	char name[64];			/* "memfd:NAME" */
	bool deleted;			/* shown as " (deleted)" */
	void *i_private;		/* owner's data */
};

struct file {
	struct inode *f_inode;		/* the inode */
	struct address_space *f_mapping; /* == &f_inode->i_data */
	atomic_t f_count;		/* references (VMAs, users) */
	unsigned int f_flags;		/* O_* */
	void *private_data;		/* owner's data */
};

/* Faults against truncation and hole punching (write: the truncater). */
static inline void filemap_invalidate_lock(struct address_space *mapping)
{
	down_write_class(&mapping->invalidate_lock, LOCK_CLASS_INVALIDATE);
}

static inline void filemap_invalidate_unlock(struct address_space *mapping)
{
	up_rwsem(&mapping->invalidate_lock);
}

static inline struct address_space *folio_mapping_file(const struct folio *f)
{
	return ((unsigned long)f->mapping & 3) ? NULL : f->mapping;
}

/* mm/shmem.c */
int __must_check shmem_file_create(const char *name, unsigned long long size,
				   struct file **out);
void fput(struct file *file);
struct file *get_file(struct file *file);
/* The cached folio at @index, or a new zeroed one (referenced). */
int __must_check shmem_get_folio(struct inode *inode, pgoff_t index,
				 struct folio **out, bool create);
struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index);
int shmem_truncate(struct inode *inode, unsigned long long new_size);

/*
 * shm_mnt, the internal tmpfs every memfd and shared anonymous mapping
 * lives on: /proc/PID/maps shows its device as 00:01 and its files as
 * "/NAME (deleted)" (never linked into a directory).  Huge pages on it are
 * off (shmem_enabled=never): its page cache holds order-0 folios only.
 */
#define SHMEM_DEV_MAJOR		0
#define SHMEM_DEV_MINOR		1

/* mmap of a shmem file: give @vma shmem's vm_operations (f_op->mmap). */
int __must_check shmem_mmap(struct file *file, struct vm_area_struct *vma);
/*
 * MAP_SHARED|MAP_ANONYMOUS: back @vma by a new "dev/zero" shmem file of
 * the VMA's size (replacing any vm_file), as Linux's shmem_zero_setup().
 */
int __must_check shmem_zero_setup(struct vm_area_struct *vma);
bool vma_is_shmem(const struct vm_area_struct *vma);
bool shmem_mapping(const struct address_space *mapping);
/* The path /proc shows for @file, e.g. "/memfd:NAME (deleted)". */
int file_path(const struct file *file, char *buf, size_t len);

/* The mm counter (MM_SHMEMPAGES / MM_FILEPAGES) of a file folio. */
static inline int mm_counter_file(const struct folio *folio)
{
	if (folio_test_swapbacked(folio))
		return MM_SHMEMPAGES;
	return MM_FILEPAGES;
}

#endif /* _FOLIAGE_LINUX_FS_H */
