/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMA operations shared by mm/vma.c, mmap.c, mprotect.c, mremap.c,
 * madvise.c and task.c (Linux's mm/vma.h, written anew).
 *
 * An mm's VMAs are a red-black tree keyed by vm_end (mm->mm_rb), so that
 * find_vma(addr), the first VMA with vm_end > addr, is one search.  Every
 * change to the tree is made with mmap_lock held for write.
 *
 * What the layer promises, after every public operation (validate_mm()):
 *
 *   VMAs are ordered and never overlap; map_count == VMAs in the tree
 *   no two neighbours are left unmerged that vma_merge_*() would merge
 *   total_vm == sum of vma_pages(); data_vm, exec_vm, stack_vm, locked_vm
 *	== the same sum over VMAs of that kind (vm_stat_account())
 *   a VMA's anon_vma chain covers every anon_vma whose folios it may map
 *
 * Merging follows Linux 6.18: two ranges merge when their flags agree
 * (VM_SOFTDIRTY aside), they map the same file at contiguous offsets (an
 * anonymous VMA's pgoff is its address >> PAGE_SHIFT at mmap time), no VMA
 * that would disappear has a ->close, and their anon_vmas are compatible:
 * equal, or one side has none and the side that has one is not a fork
 * child (its avc chain is a single entry).  So two anonymous VMAs faulted
 * separately (two anon_vmas) never merge, and unfaulted ones do.
 */
#ifndef _FOLIAGE_MM_VMA_H
#define _FOLIAGE_MM_VMA_H

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/err.h>

#include "internal.h"

/* vm.mmap_min_addr (CONFIG_DEFAULT_MMAP_MIN_ADDR on x86-64 distros). */
#define MMAP_MIN_ADDR		65536UL
/* stack_guard_gap: 256 pages. */
#define STACK_GUARD_GAP		(256UL << PAGE_SHIFT)
/* RLIMIT_STACK's default soft limit, 8 MiB. */
#define RLIMIT_STACK_DEFAULT	(8UL << 20)
#define TASK_SIZE		TASK_SIZE_MAX
/* x86-64 without 5-level paging: the whole of user space. */
#define DEFAULT_MAP_WINDOW	TASK_SIZE_MAX
/* PAGE_ALIGN(TASK_SIZE / 3): the bottom-up (legacy) mmap base. */
#define TASK_UNMAPPED_BASE	(ALIGN(TASK_SIZE / 3, PAGE_SIZE))

#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_STACK	VM_GROWSDOWN
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)

#define PAGE_ALIGN(x)	ALIGN((unsigned long)(x), PAGE_SIZE)
#define offset_in_page(x) ((unsigned long)(x) & (PAGE_SIZE - 1))
#define PHYS_PFN(x)	((unsigned long)(x) >> PAGE_SHIFT)

/* mm->flags: top-down mmap layout (set at exec, as arch_pick_mmap_layout). */
#define MMF_TOPDOWN		31

/* The i_mmap lock of a file's mapping (i_mmap_lock_write()). */
static inline void vma_i_mmap_lock(struct address_space *mapping)
{
	i_mmap_lock_write(mapping);
}

static inline void vma_i_mmap_unlock(struct address_space *mapping)
{
	i_mmap_unlock_write(mapping);
}

/* ---- kinds of mapping, as vm_stat_account() counts them ---- */

static inline bool is_exec_mapping(vm_flags_t flags)
{
	return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
}

static inline bool is_stack_mapping(vm_flags_t flags)
{
	return (flags & VM_STACK) == VM_STACK;
}

static inline bool is_data_mapping(vm_flags_t flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
}

static inline bool is_shared_maywrite(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == (VM_SHARED | VM_MAYWRITE);
}

/* PROT_* to VM_READ/WRITE/EXEC. */
static inline vm_flags_t calc_vm_prot_bits(unsigned long prot)
{
	return (prot & FOLIAGE_PROT_READ ? VM_READ : 0) |
	       (prot & FOLIAGE_PROT_WRITE ? VM_WRITE : 0) |
	       (prot & FOLIAGE_PROT_EXEC ? VM_EXEC : 0);
}

/* pgoff of @addr in @vma's backing. */
static inline pgoff_t vma_pgoff_offset(const struct vm_area_struct *vma,
				       unsigned long addr)
{
	return vma->vm_pgoff + PHYS_PFN(addr - vma->vm_start);
}

/* ---- merging ---- */

enum vma_merge_state {
	VMA_MERGE_START,		/* not tried yet */
	VMA_MERGE_ERROR_NOMEM,		/* ran out of memory mid-way */
	VMA_MERGE_NOMERGE,		/* nothing could be merged */
	VMA_MERGE_SUCCESS,		/* merged: vmg->target is the result */
};

/*
 * One merge attempt, threaded through vma_merge_new_range(),
 * vma_merge_existing_range() and vma_modify() (Linux's struct
 * vma_merge_struct).  The caller describes the range [start, end) and
 * what it would be (flags, file, pgoff, anon_vma); the merge code fills in
 * next, target and the __ fields, which say what commit_merge() does.
 */
struct vma_merge_struct {
	struct mm_struct *mm;		/* the address space */
	struct vm_area_struct *prev;	/* VMA before the range, or NULL */
	struct vm_area_struct *middle;	/* VMA being modified, or NULL (new) */
	struct vm_area_struct *next;	/* VMA after the range, or NULL */
	struct vm_area_struct *target;	/* VMA that absorbs the range */
	struct vm_area_struct *copied_from; /* mremap: the source VMA */
	unsigned long start;		/* first address of the range */
	unsigned long end;		/* one past its last address */
	pgoff_t pgoff;			/* backing offset of start, pages */
	vm_flags_t vm_flags;		/* flags the range is to have */
	struct file *file;		/* file the range maps, or NULL */
	struct anon_vma *anon_vma;	/* anon_vma the range has, or NULL */
	const struct mempolicy *policy;	/* the range's NUMA policy; NULL: its
					 * VMA's (none for a new range) */
	struct vm_area_struct *lazy_root; /* else its ANON_VMA_LAZY root, or NULL */
	enum vma_merge_state state;	/* outcome */
	bool just_expand;		/* only try to expand prev */
	bool __adjust_middle_start;	/* middle shrinks from the left */
	bool __adjust_next_start;	/* next grows to the left */
	bool __remove_middle;		/* middle disappears */
	bool __remove_next;		/* next disappears */
};

static inline bool vmg_nomem(const struct vma_merge_struct *vmg)
{
	return vmg->state == VMA_MERGE_ERROR_NOMEM;
}

/* ---- mm/vma.c ---- */

/* The first VMA that overlaps [start, end), or NULL. */
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end);
void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages);
bool may_expand_vm(struct mm_struct *mm, vm_flags_t flags,
		   unsigned long npages);
/* sysctl vm.max_map_count of this machine. */
int sysctl_max_map_count(void);

int __must_check __split_vma(struct vm_area_struct *vma, unsigned long addr,
			     int new_below);
int __must_check split_vma(struct vm_area_struct *vma, unsigned long addr,
			   int new_below);
struct vm_area_struct *vma_merge_new_range(struct vma_merge_struct *vmg);
/*
 * Change [start, end) of @vma (prev is @vma's predecessor, or @vma when
 * start is inside it) to @vm_flags: merge with a neighbour if Linux would,
 * else split off the parts outside the range.  Returns the VMA that now
 * covers [start, end), or an ERR_PTR.  The caller then sets its flags.
 */
struct vm_area_struct *vma_modify_flags(struct vm_area_struct *prev,
					struct vm_area_struct *vma,
					unsigned long start, unsigned long end,
					vm_flags_t vm_flags);
/* The same for a NUMA @policy (mbind); the caller then sets it. */
struct vm_area_struct *vma_modify_policy(struct vm_area_struct *prev,
					 struct vm_area_struct *vma,
					 unsigned long start, unsigned long end,
					 const struct mempolicy *policy);
/* Grow @vma by @delta bytes at its end, merging with next if possible. */
struct vm_area_struct *vma_merge_extend(struct vm_area_struct *vma,
					unsigned long delta);
/* mremap: a VMA for [addr, addr + len) copying @*vmap, merged if possible. */
struct vm_area_struct *copy_vma(struct vm_area_struct **vmap,
				unsigned long addr, unsigned long len,
				pgoff_t pgoff);
/* Unmap [start, end): split at the edges, zap, free tables and VMAs. */
int __must_check do_vmi_munmap(struct mm_struct *mm, unsigned long start,
			       unsigned long len);
void vma_set_page_prot(struct vm_area_struct *vma);
bool vma_wants_writenotify(struct vm_area_struct *vma, pgprot_t vm_page_prot);
void remove_vma(struct vm_area_struct *vma);
/* Put @vma on / take it off the mm's tree (no map_count, no rmap). */
void vma_tree_insert(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_tree_erase(struct mm_struct *mm, struct vm_area_struct *vma);
/* The VMA with the highest addresses, or NULL. */
struct vm_area_struct *vma_last(struct mm_struct *mm);
void unlink_file_vma(struct vm_area_struct *vma);
void vma_link_file(struct vm_area_struct *vma);

/* ---- mm/mmap.c ---- */

/* vm_committed_as accounting (Committed_AS), with overcommit "guess". */
int __must_check security_vm_enough_memory_mm(struct mm_struct *mm,
					      long pages);
void vm_unacct_memory(long pages);
unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags,
				vm_flags_t vm_flags);
/* mmap(2) under mmap_lock: the address, or -errno as unsigned long. */
unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long pgoff,
		      unsigned long *populate);
/* mm_populate(): fault in [start, start + len) of an mmap'ed range. */
int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len);

/* ---- mm/mprotect.c, mm/mremap.c, mm/madvise.c ---- */
int do_mprotect(struct mm_struct *mm, unsigned long start, size_t len,
		unsigned long prot);
unsigned long do_mremap(struct mm_struct *mm, unsigned long addr,
			unsigned long old_len, unsigned long new_len,
			unsigned long flags, unsigned long new_addr);
int do_madvise(struct mm_struct *mm, unsigned long start, size_t len_in,
	       int behavior);
/* Whether madvise(@behavior) takes mmap_lock for write (else for read). */
bool madvise_need_mmap_write(int behavior);

#endif /* _FOLIAGE_MM_VMA_H */
