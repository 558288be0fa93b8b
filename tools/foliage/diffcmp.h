/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diffcmp: what 'foliage diff' compares between foliage and the running
 * kernel, and how a divergence is told.  Pure functions over text and
 * arrays: both sides render Linux's formats (foliage through
 * foliage_render_task(), the kernel through /proc), and this file parses
 * and compares them without knowing which side is which beyond the label.
 *
 *   maps and smaps	VMA by VMA in address order: the range (so every
 *			merge or split boundary), permissions, file offset,
 *			the file (by name: device and inode numbers are each
 *			side's own), then the chosen smaps fields in kB
 *   pages		page by page: present, the zero page, file (PM_FILE),
 *			exclusively mapped (PM_MMAP_EXCLUSIVE), and the
 *			sharing of frames across all the tasks compared: two
 *			pages share a frame on one side iff they do on the
 *			other (frame numbers themselves differ, of course)
 *   numa_maps		line by line: the policy, the file, N<nid>=, anon=,
 *			dirty=, mapped=, mapmax=, kernelpagesize_kB=...
 *			(diffcmp_numa.c)
 *   object counts	anon_vma, anon_vma_chain, vm_area_struct: a count
 *			against the kernel's, within a stated tolerance
 *
 * The first difference found is the one reported, in a struct
 * dc_divergence that names the task, the address, the field and both
 * values.
 */
#ifndef _FOLIAGE_DIFFCMP_H
#define _FOLIAGE_DIFFCMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The numeric fields of an smaps entry, in Linux's order. */
enum dc_field {
	DC_SIZE,
	DC_KERNEL_PAGE_SIZE,
	DC_MMU_PAGE_SIZE,
	DC_RSS,
	DC_PSS,
	DC_PSS_DIRTY,
	DC_SHARED_CLEAN,
	DC_SHARED_DIRTY,
	DC_PRIVATE_CLEAN,
	DC_PRIVATE_DIRTY,
	DC_REFERENCED,
	DC_ANONYMOUS,
	DC_KSM,
	DC_LAZYFREE,
	DC_ANON_HUGE_PAGES,
	DC_SHMEM_PMD_MAPPED,
	DC_FILE_PMD_MAPPED,
	DC_SHARED_HUGETLB,
	DC_PRIVATE_HUGETLB,
	DC_SWAP,
	DC_SWAP_PSS,
	DC_LOCKED,
	DC_THP_ELIGIBLE,	/* a number, not kB */
	DC_NR_FIELDS,
};
extern const char *const dc_field_name[DC_NR_FIELDS];

#define DC_FIELD(f)		(1ULL << (f))
/* What issue 4 compares: Rss, Pss, Shared/Private Clean/Dirty, Anonymous, AnonHugePages. */
#define DC_FIELDS_DEFAULT						\
	(DC_FIELD(DC_SIZE) | DC_FIELD(DC_RSS) | DC_FIELD(DC_PSS) |	\
	 DC_FIELD(DC_SHARED_CLEAN) | DC_FIELD(DC_SHARED_DIRTY) |	\
	 DC_FIELD(DC_PRIVATE_CLEAN) | DC_FIELD(DC_PRIVATE_DIRTY) |	\
	 DC_FIELD(DC_ANONYMOUS) | DC_FIELD(DC_ANON_HUGE_PAGES))
/* Compare the VmFlags line too (a flag of dc_compare_maps()). */
#define DC_CMP_VMFLAGS		0x1U

#define DC_PATH_MAX		256
#define DC_VMFLAGS_MAX		128

/* One VMA of maps or smaps. */
struct dc_vma {
	unsigned long start;		/* vm_start */
	unsigned long end;		/* vm_end */
	char perms[5];			/* "rw-p" */
	unsigned long long offset;	/* file offset, bytes */
	unsigned int dev_major;		/* device, as printed */
	unsigned int dev_minor;		/* its minor */
	unsigned long inode;		/* inode, as printed */
	char path[DC_PATH_MAX];		/* the name column, "" if none */
	long value[DC_NR_FIELDS];	/* smaps fields (kB); -1 if absent */
	char vmflags[DC_VMFLAGS_MAX];	/* VmFlags mnemonics, "" if absent */
};

/* The VMAs of one task inside the compared range. */
struct dc_maps {
	struct dc_vma *vma;		/* malloc()ed, in address order */
	unsigned int nr;		/* entries */
};

/*
 * Parse maps or smaps @text, keeping the VMAs that overlap [@lo, @hi).
 * 0, -EINVAL on a line that is neither a VMA nor a field, -ENOMEM.
 */
int dc_parse_maps(const char *text, unsigned long lo, unsigned long hi,
		  struct dc_maps *out);
void dc_maps_free(struct dc_maps *maps);
/*
 * The file a name column stands for, without the decorations that differ
 * between foliage and Linux: "/memfd:NAME (deleted)" and "/NAME" are both
 * "NAME".  Writes at most @len bytes.
 */
void dc_path_key(const char *path, char *key, size_t len);

/* The first difference, for the report. */
struct dc_divergence {
	char task[64];			/* the task's name */
	unsigned long addr;		/* VMA start or page; 0 if none */
	char field[32];			/* "vma", "perms", "Rss", "exclusive".. */
	char foliage[160];		/* foliage's value */
	char real[160];			/* the kernel's value */
};
/* "task A 0x200000000000 Rss: foliage 64 kB, Linux 60 kB" */
int dc_divergence_format(const struct dc_divergence *d, char *buf,
			 size_t len);

/*
 * Compare @task's VMAs: 0 when they agree, 1 with *@div set when not.
 * @fields is a mask of DC_FIELD() bits; @flags DC_CMP_*.
 */
int dc_compare_maps(const char *task, const struct dc_maps *foliage,
		    const struct dc_maps *real, uint64_t fields,
		    unsigned int flags, struct dc_divergence *div);

/* One page, as both sides can tell it. */
struct dc_page {
	uint64_t frame;			/* pfn, if present and not zero */
	bool present;			/* mapped (PM_PRESENT) */
	bool zero;			/* the shared (huge) zero page */
	bool file;			/* PM_FILE: file or shared anon */
	bool exclusive;			/* PM_MMAP_EXCLUSIVE */
};
/* A /proc/PID/pagemap entry; @zero from /proc/kpageflags. */
void dc_page_from_pagemap(uint64_t entry, bool zero, struct dc_page *page);

/* The pages of [addr, addr + nr * 4096) of one task. */
struct dc_page_set {
	const char *task;		/* its name */
	unsigned long addr;		/* first page */
	unsigned long nr;		/* pages */
	const struct dc_page *pages;	/* nr of them */
};
/*
 * Compare the page states of @nr_sets tasks (the same tasks and ranges on
 * both sides, in the same order), then which pages share a frame: 0 when
 * all agree, 1 with *@div set, -EINVAL if the sets do not match up,
 * -ENOMEM.
 */
int dc_compare_pages(const struct dc_page_set *foliage,
		     const struct dc_page_set *real, unsigned int nr_sets,
		     struct dc_divergence *div);

/* One /proc/slabinfo row (foliage renders the same format). */
struct dc_slab_row {
	bool found;			/* the row exists (cache not merged away) */
	unsigned long active_objs;	/* <active_objs> */
	unsigned long num_objs;		/* <num_objs> */
	unsigned long objsize;		/* <objsize>, bytes */
	unsigned long objperslab;	/* <objperslab> */
	unsigned long pagesperslab;	/* <pagesperslab> */
};
/* The rows of the @nr caches @names (rows[i] for names[i]) in @text. */
void dc_parse_slabinfo(const char *text, const char *const *names,
		       unsigned int nr, struct dc_slab_row *rows);

/*
 * An object count against the kernel's: equal within @tolerance.  0 or 1
 * with *@div set (task "-", field @what).
 */
int dc_compare_count(const char *what, long foliage, long real,
		     long tolerance, struct dc_divergence *div);

/*
 * numa_maps (fs/proc/task_mmu.c's show_numa_map()), one line a VMA:
 *
 *   200000000000 bind:0 anon=16 dirty=16 active=0 N0=16 kernelpagesize_kB=4
 *
 * The start, the policy (mpol_to_str(): "default", "prefer:0", "bind:0-1",
 * "interleave:0,2", "local", "prefer (many):0", "weighted interleave:0-1",
 * with "=static" or
 * "=relative" after the mode), " file=PATH" (octal-escaped) or " heap" or
 * " stack", " huge", then the counts, each left out when it is 0.
 * Parsed into the counts by name (diffcmp_numa.c); a count left out is 0.
 */
/*
 * The length of the policy that starts @p (@len bytes left): one word,
 * but "prefer (many)..." and "weighted interleave..." are two.
 */
size_t dc_numa_policy_len(const char *p, size_t len);

enum dc_numa_field {
	DC_NUMA_ANON,			/* anon= */
	DC_NUMA_DIRTY,			/* dirty= */
	DC_NUMA_MAPPED,			/* mapped= */
	DC_NUMA_MAPMAX,			/* mapmax= */
	DC_NUMA_SWAPCACHE,		/* swapcache= */
	DC_NUMA_ACTIVE,			/* active= (left out: all pages) */
	DC_NUMA_WRITEBACK,		/* writeback= */
	DC_NUMA_KERNELPAGESIZE,		/* kernelpagesize_kB= */
	DC_NUMA_NR_FIELDS,
};
extern const char *const dc_numa_field_name[DC_NUMA_NR_FIELDS];
#define DC_NUMA_NODES		64	/* N0= .. N63= */
/* Compare active= too (a flag of dc_compare_numa_maps()): the real
 * side's follows the host's LRU aging, like smaps' Referenced. */
#define DC_CMP_NUMA_ACTIVE	0x2U

/* One line of numa_maps. */
struct dc_numa_vma {
	unsigned long start;		/* vm_start */
	char policy[64];		/* as printed */
	char path[DC_PATH_MAX];		/* file=, unescaped; "" if none */
	char kind[8];			/* "heap", "stack" or "" */
	bool huge;			/* " huge": a hugetlb VMA */
	long value[DC_NUMA_NR_FIELDS];	/* the counts; 0 when left out */
	long node[DC_NUMA_NODES];	/* N<nid>=; 0 when left out */
};

/* The numa_maps lines of one task inside the compared range. */
struct dc_numa_maps {
	struct dc_numa_vma *vma;	/* malloc()ed, in address order */
	unsigned int nr;		/* entries */
};

/*
 * Parse numa_maps @text, keeping the lines whose start is in [@lo, @hi).
 * 0, -EINVAL on a line it cannot read, -ENOMEM.
 */
int dc_parse_numa_maps(const char *text, unsigned long lo, unsigned long hi,
		       struct dc_numa_maps *out);
void dc_numa_maps_free(struct dc_numa_maps *maps);
/*
 * Compare @task's numa_maps line by line: the starts, the policy, the
 * file (dc_path_key()), heap/stack/huge, every N<nid>, anon, dirty,
 * mapped, mapmax, swapcache, writeback, kernelpagesize_kB, and active
 * with DC_CMP_NUMA_ACTIVE.  0 when they agree, 1 with *@div set (field
 * "numa_maps FIELD") when not.
 */
int dc_compare_numa_maps(const char *task, const struct dc_numa_maps *foliage,
			 const struct dc_numa_maps *real, unsigned int flags,
			 struct dc_divergence *div);

#endif /* _FOLIAGE_DIFFCMP_H */
