/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmem (mm/shmem.c): memfds and the "dev/zero" files of shared anonymous
 * mappings, their page cache, their mmap and fault paths.
 */
#ifndef _FOLIAGE_LINUX_SHMEM_FS_H
#define _FOLIAGE_LINUX_SHMEM_FS_H

#include <linux/fs.h>

/*
 * A file as the public API hands it out: every struct file foliage opens
 * (memfds, and the "dev/zero" files of shared anonymous mappings) is the
 * first member of one of these, freed with the last fput().
 */
struct foliage_file {
	struct file file;		/* the open file */
	struct foliage_machine *machine; /* the machine it lives in */
	struct list_head machine_files;	/* on machine->files */
};

/* shm_mnt's superblock (machine->shmem, allocated by shmem_subsys). */
struct shmem_sb_info {
	spinlock_t stat_lock;		/* protects next_ino */
	unsigned long next_ino;		/* next inode number batch */
};

int __must_check shmem_file_create(const char *name, unsigned long long size,
				   struct file **out);
/* The cached folio at @index, or a new zeroed one (referenced). */
int __must_check shmem_get_folio(struct inode *inode, pgoff_t index,
				 struct folio **out, bool create);
struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index);
/* The same, locked and still in @mapping once locked; NULL for a hole. */
struct folio *filemap_lock_folio(struct address_space *mapping, pgoff_t index);
int shmem_truncate(struct inode *inode, unsigned long long new_size);
/*
 * fallocate(): @punch frees the whole pages of [off, off + len) (unmapped
 * from every mapping first, private COW copies spared) and zeroes the
 * partial ones; else allocates the pages inside i_size.
 */
int shmem_fallocate(struct file *file, bool punch, unsigned long long off,
		    unsigned long long len);

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

#endif /* _FOLIAGE_LINUX_SHMEM_FS_H */
