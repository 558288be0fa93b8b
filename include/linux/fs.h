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
struct file;
struct vm_area_struct;

/*
 * What a file does beyond shmem's defaults (Linux's file_operations):
 * files whose f_op is NULL are shmem's.  guest_memfd (virt/kvm) has its own.
 */
struct file_operations {
	/* f_op->mmap: set up @vma's vm_ops; 0 or -errno. */
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
	/* fallocate(2) of [offset, offset + len) with FALLOC_FL_* @mode. */
	long (*fallocate)(struct file *file, int mode, unsigned long long offset,
			  unsigned long long len);
	/* The last reference is going: drop what the file holds. */
	void (*release)(struct file *file);
};

/* fallocate(2)'s modes (include/uapi/linux/falloc.h). */
#define FALLOC_FL_KEEP_SIZE	0x01
#define FALLOC_FL_PUNCH_HOLE	0x02

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
	bool unevictable;		/* AS_UNEVICTABLE: its folios never
					 * leave the unevictable LRU */
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
	const struct file_operations *f_op; /* NULL: shmem's */
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

/* Faults and allocation: shared, against a truncater or a conversion. */
static inline void filemap_invalidate_lock_shared(struct address_space *mapping)
{
	down_read_class(&mapping->invalidate_lock, LOCK_CLASS_INVALIDATE);
}

static inline void
filemap_invalidate_unlock_shared(struct address_space *mapping)
{
	up_rwsem(&mapping->invalidate_lock);
}

/*
 * Zap every user mapping of the file pages [start, start + nr) in every
 * VMA on @mapping's i_mmap (Linux's unmap_mapping_pages(), even_cows
 * false: private COW copies stay).  Caller holds no mmap_lock.
 */
void unmap_mapping_pages(struct address_space *mapping, pgoff_t start,
			 pgoff_t nr);

static inline struct address_space *folio_mapping_file(const struct folio *f)
{
	/* Once: an anon folio's ->mapping may move (folio_move_anon_rmap()). */
	struct address_space *mapping = READ_ONCE(f->mapping);

	return ((unsigned long)mapping & 3) ? NULL : mapping;
}

/* mm/shmem.c: file references */
void fput(struct file *file);
struct file *get_file(struct file *file);
/* The largest offset of a regular file (64-bit Linux's loff_t). */
#define MAX_LFS_FILESIZE	((unsigned long long)LLONG_MAX)

/*
 * fallocate(2) on @file (vfs_fallocate()): its f_op's ->fallocate, else
 * shmem's or hugetlbfs's (KEEP_SIZE, with or without PUNCH_HOLE).
 */
long vfs_fallocate(struct file *file, int mode, unsigned long long offset,
		   unsigned long long len);
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
