/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow memory: what a scenario wrote into one task's address space, so
 * that 'expect shadow' can read every such byte back through the page
 * tables (the oracle of issue 3, section 8).
 *
 * A shadow is a set of claims "the byte at ADDR holds V", grouped by 4K
 * page of the task's address space in an RB tree.  A page's claims take
 * one of three shapes, so that touching hundreds of megabytes stays cheap:
 *
 *	SHADOW_PATTERN	every byte of the page: pattern(seed)  ('touch write')
 *	SHADOW_ZERO	every byte of the page: 0              (a wiped page)
 *	SHADOW_BYTES	the bytes set in valid[]: data[]       ('write', parts)
 *
 * Invariants:
 *	a page without claims is not in the tree;
 *	nr_bytes == sum over pages of (4096 if PATTERN or ZERO,
 *					popcount(valid) if BYTES).
 *
 * Operations follow what the address space does: an munmap drops claims,
 * an mremap moves them, a fork copies them, MADV_DONTNEED of anonymous
 * memory turns them into zeroes, MADV_FREE makes a page "maybe zero": it
 * reads its claims, or zeroes if the kernel discarded it while clean, until
 * the page is seen (shadow_lazyfree_settle()) or written (a write keeps the
 * page, so its other bytes are no longer known).
 *
 * A shadow is indexed by any address space: a task's virtual addresses, or
 * a file's offsets (the bytes of its page cache, which every MAP_SHARED
 * mapping and every not-yet-COWed MAP_PRIVATE page of the file reads).
 */
#ifndef _FOLIAGE_SHADOW_H
#define _FOLIAGE_SHADOW_H

#include <bsd/sys/tree.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHADOW_PAGE_SIZE	4096UL
#define SHADOW_PAGE_MASK	(~(SHADOW_PAGE_SIZE - 1))

enum shadow_kind {
	SHADOW_PATTERN,			/* whole page, from seed */
	SHADOW_ZERO,			/* whole page, zero */
	SHADOW_BYTES,			/* the bytes in valid[], from data[] */
};

struct shadow_page {
	RB_ENTRY(shadow_page) node;	/* in shadow.root, by addr */
	unsigned long addr;		/* page-aligned address */
	enum shadow_kind kind;		/* shape of the claims, above */
	uint64_t seed;			/* SHADOW_PATTERN: the pattern's seed */
	unsigned char *data;		/* SHADOW_BYTES: 4096 values */
	uint64_t *valid;		/* SHADOW_BYTES: 64 words, bit = claimed */
	bool maybe_zero;		/* MADV_FREE'd: may read zero instead */
};

RB_HEAD(shadow_tree, shadow_page);

struct shadow {
	struct shadow_tree root;	/* claimed pages, by address */
	unsigned long nr_pages;		/* pages in root */
	unsigned long nr_bytes;		/* claimed bytes, see above */
};

void shadow_init(struct shadow *sh);
void shadow_destroy(struct shadow *sh);

/*
 * The seed of the page at @addr written by task @pid at line @line: two
 * touches never write the same bytes.
 */
uint64_t shadow_seed(unsigned long addr, int pid, unsigned int line);
/* The 4096 bytes of the pattern of @seed (what 'touch write' writes). */
void shadow_pattern(uint64_t seed, unsigned char *page);

/* Claim @len bytes at @addr hold @buf.  0 or -ENOMEM (nothing changed). */
int shadow_record(struct shadow *sh, unsigned long addr, const void *buf,
		  size_t len);
/* Claim the whole page at @addr holds pattern(@seed).  0 or -ENOMEM. */
int shadow_record_pattern(struct shadow *sh, unsigned long addr,
			  uint64_t seed);
/* Forget the claims on [@start, @end).  0 or -ENOMEM. */
int shadow_drop(struct shadow *sh, unsigned long start, unsigned long end);
/* The claimed bytes of [@start, @end) now hold 0.  0 or -ENOMEM. */
int shadow_zero(struct shadow *sh, unsigned long start, unsigned long end);
/*
 * Move the claims of [@from, @from + @len) to @to, dropping those that
 * were on the destination (mremap).  All three page-aligned; 0 or -EINVAL.
 */
int shadow_move(struct shadow *sh, unsigned long from, unsigned long len,
		unsigned long to);
/* Copy every claim of @src into the empty @dst (fork).  0 or -ENOMEM. */
int shadow_copy(struct shadow *dst, const struct shadow *src);
/* MADV_FREE of [@start, @end): its claimed pages become maybe-zero. */
void shadow_lazyfree(struct shadow *sh, unsigned long start,
		     unsigned long end);
/*
 * The maybe-zero page at @addr was seen: @discarded, it read zero (its
 * claims now say zero); else it kept its bytes.  No-op for other pages.
 */
void shadow_lazyfree_settle(struct shadow *sh, unsigned long addr,
			    bool discarded);
/* The claimed page at @addr (page-aligned), or NULL. */
struct shadow_page *shadow_find(struct shadow *sh, unsigned long addr);
/*
 * The bytes the page at @addr must hold where nothing else is known:
 * its claims, zero elsewhere (a model in which unclaimed means never
 * written, as for fresh anonymous memory and new files).
 */
void shadow_expect_zero_filled(struct shadow *sh, unsigned long addr,
			       unsigned char *data);

/* The claimed pages in address order. */
struct shadow_page *shadow_first(struct shadow *sh);
struct shadow_page *shadow_next(struct shadow *sh, struct shadow_page *p);
/*
 * What page @p claims: the expected value of each byte in @data (4096)
 * and whether it is claimed in @claimed (4096).
 */
void shadow_page_expect(const struct shadow_page *p, unsigned char *data,
			bool *claimed);
/*
 * Whether @got (4096 bytes) holds every byte page @p claims (a maybe-zero
 * page also matches all zeroes).
 */
bool shadow_page_matches(const struct shadow_page *p, const unsigned char *got);

#endif /* _FOLIAGE_SHADOW_H */
