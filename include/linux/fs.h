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

#include <limits.h>
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

/* mm/shmem.c: file references */
void fput(struct file *file);
struct file *get_file(struct file *file);
/* The largest offset of a regular file (64-bit Linux's loff_t). */
#define MAX_LFS_FILESIZE	((unsigned long long)LLONG_MAX)

/* The path /proc shows for @file, e.g. "/memfd:NAME (deleted)". */
int file_path(const struct file *file, char *buf, size_t len);

static inline void i_mmap_lock_write(struct address_space *mapping)
{
	down_write_class(&mapping->i_mmap_rwsem, LOCK_CLASS_I_MMAP);
}

static inline void i_mmap_unlock_write(struct address_space *mapping)
{
	up_rwsem(&mapping->i_mmap_rwsem);
}

static inline bool i_mmap_trylock_read(struct address_space *mapping)
{
	return down_read_trylock_class(&mapping->i_mmap_rwsem,
				       LOCK_CLASS_I_MMAP);
}

static inline void i_mmap_lock_read(struct address_space *mapping)
{
	down_read_class(&mapping->i_mmap_rwsem, LOCK_CLASS_I_MMAP);
}

static inline void i_mmap_unlock_read(struct address_space *mapping)
{
	up_rwsem(&mapping->i_mmap_rwsem);
}

#endif /* _FOLIAGE_LINUX_FS_H */
