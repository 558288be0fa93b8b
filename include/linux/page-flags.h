/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page flags and page types.
 *
 * page->flags holds the PG_* bits below; zone and node are not stored there
 * (foliage derives them from the pfn, see page_zone()).  Several flags are
 * aliases whose meaning depends on what the page is, as in Linux:
 *
 *	PG_zeroed   == PG_private    on free buddy pages: contents known zero
 *	PG_reported == PG_uptodate   on free buddy pages: reported to the host
 *	PG_anon_exclusive == PG_mappedtodisk  on anon pages
 *
 * The page type (buddy, table, ...) lives in the top byte of page->page_type,
 * which overlays _mapcount; an untyped page has page_type == UINT_MAX, i.e.
 * _mapcount == -1.
 */
#ifndef _FOLIAGE_LINUX_PAGE_FLAGS_H
#define _FOLIAGE_LINUX_PAGE_FLAGS_H

#include <linux/mm_types.h>

enum pageflags {
	PG_locked,
	PG_writeback,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,
	PG_waiters,
	PG_active,
	PG_workingset,
	PG_owner_priv_1,
	PG_owner_2,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_dropbehind,
	PG_mlocked,
	PG_hwpoison,
	PG_young,
	PG_idle,
	PG_arch_2,
	PG_mappedtodisk = PG_owner_2,
	PG_anon_exclusive = PG_mappedtodisk,
	PG_zeroed = PG_private,
	PG_reported = PG_uptodate,
	PG_swapcache = PG_owner_priv_1,
	/* hugetlb folio flags live in folio->private, see hugetlb.h */
	__NR_PAGEFLAGS = PG_arch_2 + 1,
};

/*
 * Flags that must be clear when a page is handed out or freed: free-time
 * preparation clears them (which is what makes a stale PG_private from a
 * filesystem never read back as PG_zeroed).
 */
#define PAGE_FLAGS_CHECK_AT_FREE \
	(BIT(PG_lru) | BIT(PG_locked) | BIT(PG_private) | BIT(PG_private_2) | \
	 BIT(PG_writeback) | BIT(PG_reserved) | BIT(PG_active) | \
	 BIT(PG_unevictable) | BIT(PG_mlocked))
#define PAGE_FLAGS_CHECK_AT_PREP (((1UL << __NR_PAGEFLAGS) - 1) & \
				  ~BIT(PG_hwpoison))

#define PAGEFLAG_OPS(uname, lname)					\
static inline bool Page##uname(const struct page *page)		\
{ return test_bit(PG_##lname, &page->flags); }			\
static inline void SetPage##uname(struct page *page)			\
{ set_bit(PG_##lname, &page->flags); }					\
static inline void ClearPage##uname(struct page *page)			\
{ clear_bit(PG_##lname, &page->flags); }				\
static inline void __SetPage##uname(struct page *page)			\
{ __set_bit(PG_##lname, &page->flags); }				\
static inline void __ClearPage##uname(struct page *page)		\
{ __clear_bit(PG_##lname, &page->flags); }				\
static inline bool TestClearPage##uname(struct page *page)		\
{ return test_and_clear_bit(PG_##lname, &page->flags); }

PAGEFLAG_OPS(Locked, locked)
PAGEFLAG_OPS(Referenced, referenced)
PAGEFLAG_OPS(Uptodate, uptodate)
PAGEFLAG_OPS(Dirty, dirty)
PAGEFLAG_OPS(LRU, lru)
PAGEFLAG_OPS(Head, head)
PAGEFLAG_OPS(Active, active)
PAGEFLAG_OPS(Reserved, reserved)
PAGEFLAG_OPS(Private, private)
PAGEFLAG_OPS(SwapBacked, swapbacked)
PAGEFLAG_OPS(Unevictable, unevictable)
PAGEFLAG_OPS(Mlocked, mlocked)
PAGEFLAG_OPS(HWPoison, hwpoison)
PAGEFLAG_OPS(AnonExclusive, anon_exclusive)
/* Meaningful only on free pages (buddy or pcp): contents known to be zero. */
PAGEFLAG_OPS(Zeroed, zeroed)
/* Meaningful only on free buddy pages: this block was reported to the host. */
PAGEFLAG_OPS(Reported, reported)

/*
 * Folio flags: the head page's PG_* bits, with Linux's folio_test_*(),
 * folio_set_*(), folio_clear_*() (atomic) and __folio_set_*() (non-atomic,
 * for folios nobody else can see yet).
 */
#define FOLIO_FLAG_OPS(lname)						\
static inline bool folio_test_##lname(const struct folio *folio)	\
{ return test_bit(PG_##lname, &folio->flags); }			\
static inline void folio_set_##lname(struct folio *folio)		\
{ set_bit(PG_##lname, &folio->flags); }				\
static inline void folio_clear_##lname(struct folio *folio)		\
{ clear_bit(PG_##lname, &folio->flags); }				\
static inline void __folio_set_##lname(struct folio *folio)		\
{ __set_bit(PG_##lname, &folio->flags); }				\
static inline void __folio_clear_##lname(struct folio *folio)		\
{ __clear_bit(PG_##lname, &folio->flags); }			\
static inline bool folio_test_set_##lname(struct folio *folio)	\
{ return test_and_set_bit(PG_##lname, &folio->flags); }		\
static inline bool folio_test_clear_##lname(struct folio *folio)	\
{ return test_and_clear_bit(PG_##lname, &folio->flags); }

FOLIO_FLAG_OPS(locked)
FOLIO_FLAG_OPS(referenced)
FOLIO_FLAG_OPS(uptodate)
FOLIO_FLAG_OPS(dirty)
FOLIO_FLAG_OPS(lru)
FOLIO_FLAG_OPS(active)
FOLIO_FLAG_OPS(workingset)
FOLIO_FLAG_OPS(swapbacked)
FOLIO_FLAG_OPS(unevictable)
FOLIO_FLAG_OPS(mlocked)
FOLIO_FLAG_OPS(waiters)

/* Page types, stored in the top byte of page->page_type. */
enum pagetype {
	PGTY_buddy = 0xf0,
	PGTY_offline = 0xf1,
	PGTY_table = 0xf2,
	PGTY_guard = 0xf3,
	PGTY_hugetlb = 0xf4,
	PGTY_slab = 0xf5,
	PGTY_zsmalloc = 0xf6,
	PGTY_unaccepted = 0xf7,
	PGTY_large_kmalloc = 0xf8,
	PGTY_mapcount_underflow = 0xff,
};

static inline bool page_type_has_type(unsigned int page_type)
{
	return page_type < ((unsigned int)PGTY_mapcount_underflow << 24);
}

#define PAGE_TYPE_OPS(uname, lname)					\
static inline bool Page##uname(const struct page *page)		\
{ return (READ_ONCE(page->page_type) >> 24) == PGTY_##lname; }		\
static inline void __SetPage##uname(struct page *page)			\
{ WRITE_ONCE(page->page_type, (unsigned int)PGTY_##lname << 24); }	\
static inline void __ClearPage##uname(struct page *page)		\
{ WRITE_ONCE(page->page_type, UINT32_MAX); }

PAGE_TYPE_OPS(Buddy, buddy)
PAGE_TYPE_OPS(Offline, offline)
PAGE_TYPE_OPS(Table, table)
PAGE_TYPE_OPS(Guard, guard)
PAGE_TYPE_OPS(Hugetlb, hugetlb)

static inline bool PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_head) & 1;
}

static inline bool PageCompound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

/* folio->mapping of an anon folio: its anon_vma | PAGE_MAPPING_ANON. */
#define PAGE_MAPPING_ANON	0x1UL
#define PAGE_MAPPING_FLAGS	0x3UL
#define FOLIO_MAPPING_ANON	PAGE_MAPPING_ANON
/*
 * ANON_VMA_LAZY (seed 003 reuses the KSM bit; foliage has no KSM): an anon
 * folio's ->mapping may be its root VMA | ANON | ANON_VMA_LAZY instead.
 */
#define FOLIO_MAPPING_ANON_VMA_LAZY	0x2UL

static inline bool folio_test_anon(const struct folio *folio)
{
	/* fork and mremap may move a lazy folio to an anon_vma meanwhile. */
	return ((unsigned long)READ_ONCE(folio->mapping) &
		PAGE_MAPPING_ANON) != 0;
}

/* An anon folio whose ->mapping is a lazy root VMA, not an anon_vma. */
static inline bool folio_test_anon_lazy(const struct folio *folio)
{
	return ((unsigned long)READ_ONCE(folio->mapping) & PAGE_MAPPING_FLAGS) ==
	       (PAGE_MAPPING_ANON | FOLIO_MAPPING_ANON_VMA_LAZY);
}

#endif /* _FOLIAGE_LINUX_PAGE_FLAGS_H */
