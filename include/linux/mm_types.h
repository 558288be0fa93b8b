/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct page and struct folio.
 *
 * Glossary and invariants (see also mmzone.h):
 *
 *   page	one 4 KiB frame of guest RAM; 64 bytes, one per pfn in mem_map
 *   folio	a head page and its 2^order - 1 tails, overlaid on the first
 *		struct pages of the block (page 1 carries the large-folio fields)
 *   free page	a page on a buddy free list (PageBuddy set on the block's
 *		head, order in ->private) or on a per-CPU list
 *
 *   page_to_pfn(p) == p - mem_map
 *   tail:  page->compound_head == (unsigned long)head | 1
 *   free buddy head: PageBuddy && _refcount == 0 && buddy_order == ->private
 *   allocated: _refcount >= 1 (0 for frozen pages), page_type untyped
 *   _mapcount == number of PTE mappings - 1 (so -1 when unmapped)
 *   folio_ref_count(f) >= folio_mapcount(f) + folio_pincount-ish pins
 */
#ifndef _FOLIAGE_LINUX_MM_TYPES_H
#define _FOLIAGE_LINUX_MM_TYPES_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/nodemask.h>

struct address_space;

struct page {
	unsigned long flags;		/* PG_* bits, see page-flags.h */
	union {
		struct list_head lru;	/* buddy / pcp free list, or LRU */
		struct {
			unsigned long compound_head; /* tail: head | 1 */
			unsigned long __pad_lru;
		};
		struct {
			void *__filler;
			unsigned int mlock_count;
		};
	};
	struct address_space *mapping;	/* file, or anon_vma | PAGE_MAPPING_ANON */
	pgoff_t index;			/* offset in mapping, in pages */
	unsigned long private;		/* buddy order while free; owner's data */
	union {
		atomic_t _mapcount;	/* PTE mappings - 1 */
		unsigned int page_type;	/* PGTY_* << 24 when typed */
	};
	atomic_t _refcount;		/* references; 0 when free or frozen */
	unsigned long memcg_data;	/* unused: foliage has no memcg */
};

BUILD_BUG_ON(sizeof(struct page) != 64);

/*
 * CONFIG_MM_ID (selected by THP in Linux 6.18): each mm has an id, and a
 * large non-hugetlb folio remembers in two slots which mms map it and how
 * often, so "mapped exclusively" vs "maybe mapped shared" is known without
 * per-page mapcounts (include/linux/rmap.h).
 */
typedef int mm_id_mapcount_t;
typedef unsigned int mm_id_t;
#define MM_ID_DUMMY		0	/* a free slot; mms without an id */
#define MM_ID_MIN		(MM_ID_DUMMY + 1)
/* Each slot's id has 31 bits; the bit above each is a flag. */
#define MM_ID_BITS		31
#define MM_ID_MASK		((1U << MM_ID_BITS) - 1)
#define MM_ID_MAX		MM_ID_MASK
/* In folio->_mm_ids: slot 0's top bit locks, slot 1's says "shared". */
#define FOLIO_MM_IDS_LOCK_BITNUM	MM_ID_BITS
#define FOLIO_MM_IDS_LOCK_BIT		(1UL << FOLIO_MM_IDS_LOCK_BITNUM)
#define FOLIO_MM_IDS_SHARED_BITNUM	(2 * MM_ID_BITS + 1)
#define FOLIO_MM_IDS_SHARED_BIT		(1UL << FOLIO_MM_IDS_SHARED_BITNUM)

/*
 * A folio overlays the first three struct pages of a (possibly large) block.
 * Page 0 is the head; page 1 holds the large-folio counters, as in Linux.
 * Only folios of order >= 1 may touch the page-1 fields.
 */
struct folio {
	/* page 0 */
	union {
		struct {
			unsigned long flags;	/* PG_* of the head */
			struct list_head lru;	/* LRU or a private list */
			struct address_space *mapping; /* see struct page */
			pgoff_t index;		/* offset of the head */
			void *private;		/* owner's data */
			atomic_t _mapcount;	/* head's PTE mappings - 1 */
			atomic_t _refcount;	/* references to the folio */
			unsigned long memcg_data; /* unused */
		};
		struct page page;
	};
	/* page 1 */
	union {
		struct {
			unsigned long _flags_1;	/* low byte: folio order */
			unsigned long _head_1;	/* compound_head of page 1 */
			atomic_t _large_mapcount; /* all mappings - 1 */
			atomic_t _nr_pages_mapped; /* pages mapped by PTEs */
			atomic_t _entire_mapcount; /* PMD/PUD mappings - 1 */
			atomic_t _pincount;	/* FOLL_PIN pins */
			/* CONFIG_MM_ID: the mms mapping a non-hugetlb folio */
			mm_id_mapcount_t _mm_id_mapcount[2]; /* slot's mappings - 1 */
			/* bits 0-30 slot 0's id, 31 lock, 32-62 slot 1's, 63 shared */
			unsigned long _mm_ids;
			atomic_t _mapcount_1;	/* page 1's own _mapcount */
			atomic_t _refcount_1;	/* page 1's own _refcount */
			unsigned long _folio_nr_pages; /* 1 << order */
		};
		struct page __page_1;
	};
	/* page 2 */
	union {
		struct {
			unsigned long _flags_2;	/* unused */
			unsigned long _head_2;	/* compound_head of page 2 */
			struct list_head _deferred_list; /* deferred split */
			void *_hugetlb_subpool;	/* hugetlb subpool */
			unsigned long _hugetlb_private; /* hugetlb HPG_* bits */
		};
		struct page __page_2;
	};
};

#define FOLIO_MATCH(pg, fl) \
	BUILD_BUG_ON(offsetof(struct page, pg) != offsetof(struct folio, fl))
FOLIO_MATCH(flags, flags);
FOLIO_MATCH(lru, lru);
FOLIO_MATCH(mapping, mapping);
FOLIO_MATCH(index, index);
FOLIO_MATCH(private, private);
FOLIO_MATCH(_mapcount, _mapcount);
FOLIO_MATCH(_refcount, _refcount);
BUILD_BUG_ON(offsetof(struct folio, _head_1) !=
	     sizeof(struct page) + offsetof(struct page, compound_head));
BUILD_BUG_ON(offsetof(struct folio, _head_2) !=
	     2 * sizeof(struct page) + offsetof(struct page, compound_head));
BUILD_BUG_ON(offsetof(struct folio, _mapcount_1) !=
	     sizeof(struct page) + offsetof(struct page, _mapcount));
BUILD_BUG_ON(offsetof(struct folio, _folio_nr_pages) !=
	     sizeof(struct page) + offsetof(struct page, memcg_data));
BUILD_BUG_ON(offsetof(struct folio, _hugetlb_private) !=
	     2 * sizeof(struct page) + offsetof(struct page, private));
BUILD_BUG_ON(sizeof(struct folio) != 3 * sizeof(struct page));

#define page_folio(p)	((struct folio *)_compound_head(p))
#define folio_page(f, n) (&(f)->page + (n))

/*
 * A split publishes each new folio by clearing its compound_head, after
 * writing its flags; a fault waiting on the split's migration entries may
 * then set PG_waiters on it.  The hardware orders the two through the
 * control dependency, as Linux relies on; ThreadSanitizer does not model
 * that, so a TSan build makes the pair a release and an acquire.
 */
#ifdef FOLIAGE_TSAN_BUILD
#define compound_head_load(p)	__atomic_load_n(&(p)->compound_head, \
						__ATOMIC_ACQUIRE)
#define compound_head_store(p, v) __atomic_store_n(&(p)->compound_head, (v), \
						   __ATOMIC_RELEASE)
#else
#define compound_head_load(p)	READ_ONCE((p)->compound_head)
#define compound_head_store(p, v) WRITE_ONCE((p)->compound_head, (v))
#endif

static inline unsigned long _compound_head(const struct page *page)
{
	unsigned long head = compound_head_load(page);

	if (head & 1)
		return head - 1;
	return (unsigned long)page;
}

#define compound_head(p) ((struct page *)_compound_head(p))


/* ---- address spaces ------------------------------------------------- */

#include <bsd/sys/tree.h>
#include <linux/interval_tree.h>
#include <pthread.h>

typedef unsigned long vm_flags_t;
typedef struct { u64 pgprot; } pgprot_t;

struct anon_vma;
struct file;
struct vm_operations_struct;

/*
 * A NUMA memory policy (mm/mempolicy.c, include/linux/mempolicy.h), kept
 * by value: a VMA's (mbind) or an mm's (set_mempolicy).  mode 0 is
 * MPOL_DEFAULT, so a zeroed policy is the default.
 */
struct mempolicy {
	unsigned short mode;		/* MPOL_DEFAULT, _PREFERRED, _BIND, ... */
	unsigned short flags;		/* MPOL_F_STATIC_NODES, _RELATIVE_NODES */
	nodemask_t nodes;		/* the policy's nodes */
	nodemask_t user_nodemask;	/* with a mode flag: the caller's mask */
};

/*
 * One virtual memory area: [vm_start, vm_end) of one mm with one set of
 * flags, one backing (anonymous, or a file at vm_pgoff) and one anon_vma.
 *
 *   vm_start < vm_end, both page aligned
 *   page at address a maps file/anon offset vm_pgoff + (a - vm_start) / PAGE_SIZE
 *   every VMA that may map a page of anon_vma A is on A's tree through an
 *	anon_vma_chain in its anon_vma_chain list (mm/rmap.c)
 */
struct vm_area_struct {
	unsigned long vm_start;		/* first address */
	unsigned long vm_end;		/* one past the last address */
	struct mm_struct *vm_mm;	/* owner */
	pgprot_t vm_page_prot;		/* PTE bits for new mappings */
	vm_flags_t vm_flags;		/* VM_* */
	RB_ENTRY(vm_area_struct) vm_rb;	/* in mm->mm_rb, keyed by vm_end */
	unsigned long vm_pgoff;		/* offset of vm_start, in pages */
	struct file *vm_file;		/* mapped file, or NULL */
	const struct vm_operations_struct *vm_ops; /* fault handlers */
	void *vm_private_data;		/* owner's data */
	struct anon_vma *anon_vma;	/* rmap of its anonymous pages */
	struct list_head anon_vma_chain; /* its anon_vma_chains */
	struct interval_tree_node shared; /* in the file's i_mmap (rmap.c) */
	/* ANON_VMA_LAZY (mm/rmap.c, docs/anon-vma-lazy.md): */
	struct vm_area_struct *lazy_root; /* root VMA of its lazy folios, or NULL */
	unsigned long vm_refcnt;	/* as a root: VMAs whose lazy_root is this */
	struct anon_vma *lazy_anon_vma;	/* as a root: the anon_vma it upgraded to */
	bool lazy_detached;		/* as a root: unmapped, kept for its folios */
	unsigned long lazy_span_start;	/* as a root: its VMAs lie in */
	unsigned long lazy_span_end;	/* [span_start, span_end) */
	struct mempolicy vm_policy;	/* mbind()'s policy; default: none */
};

RB_HEAD(vma_tree, vm_area_struct);

enum {
	MM_FILEPAGES,		/* resident file pages */
	MM_ANONPAGES,		/* resident anonymous pages */
	MM_SWAPENTS,		/* swap entries */
	MM_SHMEMPAGES,		/* resident shmem pages */
	NR_MM_COUNTERS
};

/* mm->flags */
#define MMF_HUGE_ZERO_FOLIO	23	/* holds a huge zero folio reference */
#define MMF_HAS_PINNED		27	/* FOLL_PIN ever taken on this mm */

/*
 * An address space.
 *
 *   map_count == number of VMAs in mm_rb
 *   rss_stat[MM_ANONPAGES] == base pages of anon folios mapped (PTE or PMD)
 *   pgtables_bytes == PAGE_SIZE * page-table pages below the pgd
 */
struct mm_struct {
	struct vma_tree mm_rb;		/* VMAs, ordered */
	int map_count;			/* VMAs */
	unsigned long mmap_base;	/* top of the top-down mmap area */
	unsigned long task_size;	/* end of user space */
	u64 *pgd;			/* top-level page table (guest RAM) */
	struct page *pgd_page;		/* its struct page */
	atomic_t mm_users;		/* tasks sharing this mm */
	atomic_t mm_count;		/* references to the struct */
	pthread_rwlock_t mmap_lock;	/* the mmap lock */
	spinlock_t page_table_lock;	/* page-table allocation */
	atomic_long_t rss_stat[NR_MM_COUNTERS]; /* resident pages */
	atomic_long_t pgtables_bytes;	/* page-table memory */
	unsigned long total_vm;		/* pages mapped */
	unsigned long locked_vm;	/* VM_LOCKED pages */
	atomic_long_t pinned_vm;	/* FOLL_PIN'ed pages */
	unsigned long data_vm;		/* private writable pages */
	unsigned long exec_vm;		/* executable pages */
	unsigned long stack_vm;		/* stack pages */
	unsigned long hiwater_rss;	/* high-watermark of RSS */
	unsigned long hiwater_vm;	/* high-watermark of total_vm */
	unsigned long flags;		/* MMF_* */
	unsigned long tlb_flush_seq;	/* TLB flushes issued for this mm */
	int execute_only_pkey;		/* x86 context's exec-only pkey, or -1 */
	/* validate_mm()'s "left unmerged" rule (mm/validate_mm.c). */
	bool splits_kept;		/* a VMA operation failed: a split it made may stay */
	/* set_mempolicy() (a foliage task is one thread: its policy). */
	struct mempolicy mempolicy;	/* the task's NUMA policy */
	mm_id_t mm_id;			/* CONFIG_MM_ID: this mm's id */
};

#endif /* _FOLIAGE_LINUX_MM_TYPES_H */
