/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM on the foliage machine (virt/kvm/): the machine plays the host
 * kernel, a VM's vCPUs reach guest memory through KVM, not through user
 * page tables.
 *
 *   struct kvm		a VM: its memslots and its secondary MMU (KVM's own
 *			GPA -> pfn map, one entry per guest page)
 *   memslot		binds [base_gfn, base_gfn + npages) of the guest's
 *			physical space to [pgoff, pgoff + npages) of one
 *			guest_memfd (KVM_MEM_GUEST_MEMFD); memslots of a VM
 *			never overlap in GPA, bindings of one guest_memfd
 *			never overlap in file offset
 *   guest_memfd	a file whose pages are private (guest only) or shared
 *			(host user space may map them), per page, in
 *			attribute ranges (virt/kvm/guest_memfd.c)
 *
 * Invariants:
 *   spte[gfn] != 0  =>  the guest_memfd folio at the slot's index is in the
 *			 page cache and spte[gfn] == its pfn + 1
 *   every range the guest_memfd invalidates (conversion, punch hole,
 *   release) zaps the sptes of every memslot bound over it first
 *
 * Locks, outermost first: kvm_state.kvm_lock (bind, unbind, release),
 * kvm->slots_lock (the memslot list; vCPUs read it), the guest_memfd's
 * invalidate_lock (written by conversion, punch hole, release and bind;
 * read by allocation, host faults and vCPU faults), kvm->mmu_lock (the
 * sptes; a spinlock under which a vCPU copies).
 */
#ifndef _FOLIAGE_LINUX_KVM_HOST_H
#define _FOLIAGE_LINUX_KVM_HOST_H

#include <pthread.h>

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/range_attr.h>

typedef u64 gfn_t;
typedef u64 gpa_t;

/* include/uapi/linux/kvm.h */
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
/* KVM_SET_MEMORY_ATTRIBUTES2's flags (the in-place conversion series). */
#define KVM_SET_MEMORY_ATTRIBUTES2_ZERO		(1ULL << 0)
#define KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE	(1ULL << 1)

/* KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd: offsets in the file. */
struct kvm_memory_attributes2 {
	u64 offset;			/* first byte */
	u64 size;			/* bytes */
	u64 attributes;			/* KVM_MEMORY_ATTRIBUTE_PRIVATE or 0 */
	u64 flags;			/* ZERO or PRESERVE or neither */
	u64 error_offset;		/* out: where it failed; in: must be 0 */
};

struct kvm;
struct hstate;
struct hugepage_subpool;

/* One memslot bound to a guest_memfd (KVM_MEM_GUEST_MEMFD). */
struct kvm_memory_slot {
	struct list_head list;		/* on kvm->memslots, by base_gfn */
	struct list_head binding;	/* on its guest_memfd's bindings */
	struct kvm *kvm;		/* the VM */
	gfn_t base_gfn;			/* first guest frame */
	unsigned long npages;		/* guest frames */
	struct file *gmem_file;		/* the guest_memfd; NULL once closed */
	pgoff_t gmem_pgoff;		/* file page of base_gfn */
	unsigned long *spte;		/* secondary MMU: pfn + 1 per gfn, 0 */
};

/* What KVM counted (kvm->stat, like its debugfs statistics). */
struct kvm_vm_stat {
	unsigned long mmu_invalidations; /* invalidations that hit a memslot */
	unsigned long sptes_zapped;	/* sptes an invalidation removed */
	unsigned long sptes_installed;	/* sptes the vCPU faults made */
	unsigned long gmem_faults;	/* kvm_gmem_get_pfn() calls */
};

struct kvm {
	struct foliage_machine *machine; /* the host it runs on */
	struct list_head vm_list;	/* on kvm_state.vm_list */
	pthread_rwlock_t slots_lock;	/* memslots (write: change) */
	struct list_head memslots;	/* its memslots, by base_gfn */
	spinlock_t mmu_lock;		/* every memslot's spte array */
	struct kvm_vm_stat stat;	/* counters (under mmu_lock) */
};

/* The machine's KVM (machine->kvm, kvm_subsys). */
struct kvm_state {
	pthread_mutex_t kvm_lock;	/* VM list, bindings, file release */
	struct list_head vm_list;	/* every VM */
};

/*
 * A guest_memfd's inode state (inode->i_private; Linux's gmem_inode).
 * The attribute ranges say, per file page, PRIVATE or shared; they change
 * only under the invalidate_lock written, and are read under it.
 */
struct gmem_inode {
	u64 flags;			/* GUEST_MEMFD_FLAG_* */
	unsigned int huge_order;	/* 0: 4 KiB pages; 9 or 18: hugetlb */
	struct hstate *h;		/* hugetlb backing: its pool, or NULL */
	struct hugepage_subpool *spool;	/* its pages' reservation (min = max) */
	pthread_mutex_t huge_alloc_lock; /* one huge allocation at a time
					  * (Linux's hugetlb_fault_mutex) */
	unsigned long nr_splits;	/* huge folios split into base pages */
	unsigned long nr_reconstructs;	/* huge folios made whole again */
	struct range_attr_map attrs;	/* attribute ranges */
	struct list_head bindings;	/* memslots bound to it */
	unsigned long nr_invalidations;	/* ranges invalidated */
	unsigned long nr_prepared;	/* folios prepared for first use */
	unsigned long nr_conversions;	/* conversions that changed state */
};

/* virt/kvm/guest_memfd.c */
bool file_is_gmem(const struct file *file);
/* -1: not a guest_memfd folio; else whether page @index is private. */
int kvm_gmem_folio_private(const struct folio *folio, pgoff_t index);
/*
 * The folio at @index of @slot's guest_memfd, allocated, zeroed and
 * prepared on first use, with a reference (kvm_gmem_get_pfn()).  Caller
 * holds the slots_lock (read) and the file's invalidate_lock (read).
 */
int __must_check kvm_gmem_get_pfn(struct kvm *kvm,
				  struct kvm_memory_slot *slot, gfn_t gfn,
				  unsigned long *pfn, struct folio **foliop);
int __must_check kvm_gmem_bind(struct kvm *kvm, struct kvm_memory_slot *slot,
			       struct file *file, u64 offset);
void kvm_gmem_unbind(struct kvm_memory_slot *slot);
/* KVM_SET_MEMORY_ATTRIBUTES2 on @file; args->error_offset set on failure. */
int __must_check kvm_gmem_set_attributes(struct file *file,
					 struct kvm_memory_attributes2 *args);

/* Check one guest_memfd's invariants (quiet point): 0 or -EUCLEAN. */
int kvm_gmem_validate_file(struct file *file);

/* virt/kvm/kvm_main.c */
/* Zap the sptes of @slot's gfns for file pages [start, end). */
void kvm_mmu_unmap_gmem_range(struct kvm_memory_slot *slot, pgoff_t start,
			      pgoff_t end);


#endif /* _FOLIAGE_LINUX_KVM_HOST_H */
