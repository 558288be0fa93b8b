/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /proc/PID/maps, /proc/PID/smaps and /proc/PID/smaps_rollup (Linux 6.18's
 * fs/proc/task_mmu.c), byte for byte, and the same data as JSON.
 *
 * Like the other renderers (render.h), each file is two halves:
 *
 *   task_maps_snapshot()	walks a task's VMAs (and, for smaps, its page
 *				tables) under mmap_lock into plain structs
 *   show_map_vma(), show_smap(), show_smaps_rollup() and the *_json()
 *				pure formatters of those structs; the tests
 *				feed them a real kernel's numbers
 *
 * Sizes in struct mem_size_stats are bytes; the pss* fields are bytes
 * << PSS_SHIFT, a fixed point that keeps the division by the mapcount
 * exact enough (1M pages each shared 3 ways lose at most 8 KiB).
 *
 *   resident == shared_clean + shared_dirty + private_clean + private_dirty
 *   pss == pss_anon + pss_file + pss_shmem
 */
#ifndef _FOLIAGE_MM_TASK_MMU_H
#define _FOLIAGE_MM_TASK_MMU_H

#include "render.h"

#define PSS_SHIFT	12

/* What smaps counts over a VMA, or over all of them for smaps_rollup. */
struct mem_size_stats {
	unsigned long resident;		/* Rss: mapped bytes */
	unsigned long shared_clean;	/* mapped more than once, clean */
	unsigned long shared_dirty;	/* mapped more than once, dirty */
	unsigned long private_clean;	/* mapped once, clean */
	unsigned long private_dirty;	/* mapped once, dirty */
	unsigned long referenced;	/* young or PG_referenced */
	unsigned long anonymous;	/* in anonymous folios */
	unsigned long lazyfree;		/* MADV_FREE'd and still clean */
	unsigned long anonymous_thp;	/* AnonHugePages: PMD-mapped anon */
	unsigned long shmem_thp;	/* ShmemPmdMapped */
	unsigned long file_thp;		/* FilePmdMapped */
	unsigned long swap;		/* swapped out (foliage has no swap) */
	unsigned long shared_hugetlb;	/* hugetlb, shared */
	unsigned long private_hugetlb;	/* hugetlb, private */
	unsigned long ksm;		/* KSM pages (none in foliage) */
	u64 pss;			/* Pss << PSS_SHIFT */
	u64 pss_anon;			/* its anonymous part */
	u64 pss_file;			/* its file part */
	u64 pss_shmem;			/* its shmem part */
	u64 pss_dirty;			/* its dirty part */
	u64 pss_locked;			/* Locked: its VM_LOCKED part */
	u64 swap_pss;			/* SwapPss << PSS_SHIFT */
};

#define SMAPS_NAME_MAX	128

/* One VMA as maps and smaps show it. */
struct smaps_vma {
	unsigned long start;		/* vm_start */
	unsigned long end;		/* vm_end */
	vm_flags_t flags;		/* vm_flags */
	unsigned long long pgoff;	/* offset in the file, bytes */
	unsigned int dev_major;		/* device of the file, or 0 */
	unsigned int dev_minor;		/* its minor */
	unsigned long ino;		/* inode number, or 0 */
	char name[SMAPS_NAME_MAX];	/* path or [name], or "" for none */
	unsigned long kernel_pagesize;	/* KernelPageSize, bytes */
	unsigned long mmu_pagesize;	/* MMUPageSize, bytes */
	bool thp_eligible;		/* THPeligible */
	bool has_pkey;			/* the CPU has pkeys: show ProtectionKey */
	unsigned int pkey;		/* ProtectionKey */
	struct mem_size_stats mss;	/* smaps counts (zero for maps) */
};

/* A task's address space as the three files show it. */
struct task_maps {
	int nr_vmas;			/* entries of vma[] */
	struct smaps_vma *vma;		/* malloc()ed, in address order */
	struct mem_size_stats rollup;	/* all VMAs together */
};

/* What a snapshot collects: VMAs only (maps) or their pages too. */
enum task_maps_detail {
	TASK_MAPS_VMAS,			/* maps */
	TASK_MAPS_PAGES,		/* smaps, smaps_rollup */
};

/* Snapshot @mm (inside the machine); free with task_maps_free(). */
int __must_check task_maps_snapshot(struct mm_struct *mm,
				    enum task_maps_detail detail,
				    struct task_maps *tm);
void task_maps_free(struct task_maps *tm);

/* Account one mapping of @page (compound: the whole folio, PMD-mapped). */
void smaps_account(struct mem_size_stats *mss, struct page *page,
		   bool compound, bool young, bool dirty, bool locked,
		   bool present);

void show_map_vma(struct seq_buf *s, const struct smaps_vma *v);
void show_smap(struct seq_buf *s, const struct smaps_vma *v);
/* The rollup of VMAs spanning [start, end) (0, 0 for none). */
void show_smaps_rollup(struct seq_buf *s, unsigned long start,
		       unsigned long end, const struct mem_size_stats *mss);

struct json_object *map_vma_json(const struct smaps_vma *v, bool smaps,
				 int *err);
struct json_object *smaps_rollup_json(unsigned long start, unsigned long end,
				      const struct mem_size_stats *mss,
				      int *err);

/* /proc/PID/numa_maps of @task into *@out (mm/task_numa_maps.c). */
struct foliage_task;
int render_numa_maps(struct foliage_task *task, bool json, char **out);

#endif /* _FOLIAGE_MM_TASK_MMU_H */
