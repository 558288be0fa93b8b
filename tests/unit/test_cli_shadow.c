// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow memory of the scenario runner (tools/foliage/shadow.c): the
 * claims 'expect shadow' reads back must follow writes, munmap, mremap,
 * fork and MADV_DONTNEED exactly, or the oracle proves nothing.  Each
 * test draws a few pages of claims, does one thing, and asserts every
 * byte's claim and value, and the byte and page counts.
 *
 *	P = a whole page of pattern, Z = a whole page of zero,
 *	b = some claimed bytes, . = no claim
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "shadow.h"

#define PG	SHADOW_PAGE_SIZE

/* Byte @off of the page claimed at @addr: claimed?  and its value. */
static bool claim_at(struct shadow *sh, unsigned long addr,
		     unsigned char *value)
{
	static unsigned char data[PG];
	static bool claimed[PG];
	struct shadow_page *p;

	for (p = shadow_first(sh); p; p = shadow_next(sh, p)) {
		if (p->addr != (addr & SHADOW_PAGE_MASK))
			continue;
		shadow_page_expect(p, data, claimed);
		*value = data[addr - p->addr];
		return claimed[addr - p->addr];
	}
	return false;
}

/* Every byte of the page at @addr is claimed to hold pattern(@seed). */
static void assert_pattern_page(struct shadow *sh, unsigned long addr,
				uint64_t seed)
{
	unsigned char want[PG], v = 0;
	unsigned long i;

	shadow_pattern(seed, want);
	for (i = 0; i < PG; i++) {
		assert_true(claim_at(sh, addr + i, &v));
		assert_int_equal(v, want[i]);
	}
}

static void assert_no_claim(struct shadow *sh, unsigned long start,
			    unsigned long end)
{
	unsigned char v;
	unsigned long a;

	for (a = start; a < end; a++)
		assert_false(claim_at(sh, a, &v));
}

/* ".bb." -> bytes across a page boundary make two pages of claims. */
static void test_record_bytes(void **state)
{
	struct shadow sh;
	unsigned char v = 0;

	shadow_init(&sh);
	assert_int_equal(shadow_record(&sh, 0x10000 + PG - 2, "abcd", 4), 0);
	assert_int_equal(sh.nr_pages, 2);
	assert_int_equal(sh.nr_bytes, 4);
	assert_true(claim_at(&sh, 0x10000 + PG - 2, &v));
	assert_int_equal(v, 'a');
	assert_true(claim_at(&sh, 0x10000 + PG + 1, &v));
	assert_int_equal(v, 'd');
	assert_false(claim_at(&sh, 0x10000 + PG - 3, &v));
	assert_false(claim_at(&sh, 0x10000 + PG + 2, &v));
	/* Writing a byte again changes its value, not the count. */
	assert_int_equal(shadow_record(&sh, 0x10000 + PG - 1, "X", 1), 0);
	assert_int_equal(sh.nr_bytes, 4);
	assert_true(claim_at(&sh, 0x10000 + PG - 1, &v));
	assert_int_equal(v, 'X');
	shadow_destroy(&sh);
	assert_int_equal(sh.nr_pages, 0);
}

/* Two touches never write the same bytes: seeds differ in every input. */
static void test_seeds_differ(void **state)
{
	unsigned char a[PG], b[PG];
	uint64_t s = shadow_seed(0x7f0000000000UL, 1, 10);

	assert_true(s != shadow_seed(0x7f0000001000UL, 1, 10));
	assert_true(s != shadow_seed(0x7f0000000000UL, 2, 10));
	assert_true(s != shadow_seed(0x7f0000000000UL, 1, 11));
	shadow_pattern(s, a);
	shadow_pattern(shadow_seed(0x7f0000000000UL, 1, 11), b);
	assert_true(memcmp(a, b, PG) != 0);
	/* And the same inputs give the same bytes. */
	shadow_pattern(s, b);
	assert_memory_equal(a, b, PG);
}

/* "PPP" then drop the middle half-page: "P(bb..)P" stays exact. */
static void test_drop_partial(void **state)
{
	unsigned long base = 0x200000;
	struct shadow sh;
	unsigned char want[PG], v = 0;
	unsigned long i;

	shadow_init(&sh);
	for (i = 0; i < 3; i++)
		assert_int_equal(shadow_record_pattern(&sh, base + i * PG,
						       100 + i), 0);
	assert_int_equal(sh.nr_bytes, 3 * PG);
	assert_int_equal(shadow_drop(&sh, base + PG + PG / 2, base + 2 * PG),
			 0);
	assert_int_equal(sh.nr_pages, 3);
	assert_int_equal(sh.nr_bytes, 3 * PG - PG / 2);
	shadow_pattern(101, want);
	for (i = 0; i < PG / 2; i++) {
		assert_true(claim_at(&sh, base + PG + i, &v));
		assert_int_equal(v, want[i]);
	}
	assert_no_claim(&sh, base + PG + PG / 2, base + 2 * PG);
	assert_pattern_page(&sh, base, 100);
	assert_pattern_page(&sh, base + 2 * PG, 102);
	/* Dropping the rest of a page removes it. */
	assert_int_equal(shadow_drop(&sh, base + PG, base + PG + PG / 2), 0);
	assert_int_equal(sh.nr_pages, 2);
	assert_int_equal(sh.nr_bytes, 2 * PG);
	shadow_destroy(&sh);
}

/* MADV_DONTNEED: "Pb" -> "Zb'" where b' are the same bytes, now zero. */
static void test_zero(void **state)
{
	unsigned long base = 0x300000;
	struct shadow sh;
	unsigned char v = 1;

	shadow_init(&sh);
	assert_int_equal(shadow_record_pattern(&sh, base, 7), 0);
	assert_int_equal(shadow_record(&sh, base + PG + 10, "xyz", 3), 0);
	assert_int_equal(shadow_zero(&sh, base, base + 2 * PG), 0);
	assert_int_equal(sh.nr_bytes, PG + 3);
	assert_true(claim_at(&sh, base + PG - 1, &v));
	assert_int_equal(v, 0);
	assert_true(claim_at(&sh, base + PG + 11, &v));
	assert_int_equal(v, 0);
	/* Zeroing keeps claims where there were some, and adds none. */
	assert_false(claim_at(&sh, base + PG + 13, &v));
	shadow_destroy(&sh);
}

/*
 * mremap: "PbP." at 0x400000 moves to 0x800000, over claims that were
 * there ("bb"): those go, the moved ones arrive unchanged.
 */
static void test_move(void **state)
{
	unsigned long from = 0x400000, to = 0x800000;
	struct shadow sh;
	unsigned char v = 0;

	shadow_init(&sh);
	assert_int_equal(shadow_record_pattern(&sh, from, 1), 0);
	assert_int_equal(shadow_record(&sh, from + PG + 5, "q", 1), 0);
	assert_int_equal(shadow_record_pattern(&sh, from + 2 * PG, 3), 0);
	assert_int_equal(shadow_record(&sh, to + 9, "old", 3), 0);
	assert_int_equal(shadow_record(&sh, to + 3 * PG, "keep", 4), 0);
	assert_int_equal(shadow_move(&sh, from, 3 * PG, to), 0);
	assert_no_claim(&sh, from, from + 3 * PG);
	assert_pattern_page(&sh, to, 1);
	assert_true(claim_at(&sh, to + PG + 5, &v));
	assert_int_equal(v, 'q');
	assert_pattern_page(&sh, to + 2 * PG, 3);
	/* Past the moved length, the destination's claims stay. */
	assert_true(claim_at(&sh, to + 3 * PG, &v));
	assert_int_equal(v, 'k');
	assert_int_equal(sh.nr_pages, 4);
	assert_int_equal(sh.nr_bytes, 2 * PG + 1 + 4);
	assert_int_equal(shadow_move(&sh, from + 1, PG, to), -EINVAL);
	shadow_destroy(&sh);
}

/* fork: the child's copy is its own; the parent's later writes stay out. */
static void test_copy(void **state)
{
	struct shadow parent, child;
	unsigned char v = 0;

	shadow_init(&parent);
	shadow_init(&child);
	assert_int_equal(shadow_record_pattern(&parent, 0x500000, 9), 0);
	assert_int_equal(shadow_record(&parent, 0x501000, "ab", 2), 0);
	assert_int_equal(shadow_copy(&child, &parent), 0);
	assert_int_equal(child.nr_pages, 2);
	assert_int_equal(child.nr_bytes, PG + 2);
	assert_int_equal(shadow_record(&parent, 0x501000, "Z", 1), 0);
	assert_int_equal(shadow_drop(&parent, 0x500000, 0x501000), 0);
	assert_true(claim_at(&child, 0x501000, &v));
	assert_int_equal(v, 'a');
	assert_pattern_page(&child, 0x500000, 9);
	shadow_destroy(&parent);
	shadow_destroy(&child);
}

/* shadow_page_matches() checks every claimed byte, and only those. */
static void test_page_matches(void **state)
{
	unsigned char page[PG], bytes[100];
	struct shadow sh;
	struct shadow_page *p;
	uint64_t seed = shadow_seed(0x30000, 1, 1);

	(void)state;
	shadow_init(&sh);
	/* A pattern page: one byte off anywhere is a mismatch. */
	assert_int_equal(shadow_record_pattern(&sh, 0x30000, seed), 0);
	p = shadow_first(&sh);
	shadow_pattern(seed, page);
	assert_true(shadow_page_matches(p, page));
	page[PG - 1] ^= 1;
	assert_false(shadow_page_matches(p, page));
	shadow_destroy(&sh);

	/* Bytes: 100 claimed from 70 (a partial word, then whole ones). */
	shadow_init(&sh);
	memset(bytes, 0x5a, sizeof(bytes));
	assert_int_equal(shadow_record(&sh, 0x40000 + 70, bytes,
				       sizeof(bytes)), 0);
	p = shadow_first(&sh);
	memset(page, 0xee, PG);
	memset(page + 70, 0x5a, sizeof(bytes));
	assert_true(shadow_page_matches(p, page));
	page[69] = 0;			/* unclaimed: does not matter */
	page[170] = 0;
	assert_true(shadow_page_matches(p, page));
	page[70] = 0;			/* claimed, in a partial word */
	assert_false(shadow_page_matches(p, page));
	page[70] = 0x5a;
	page[130] = 0;			/* claimed, in a whole word */
	assert_false(shadow_page_matches(p, page));
	shadow_destroy(&sh);

	/* A zero page. */
	shadow_init(&sh);
	assert_int_equal(shadow_record(&sh, 0x50000, bytes, 1), 0);
	assert_int_equal(shadow_record_pattern(&sh, 0x50000,
					       shadow_seed(0x50000, 1, 2)), 0);
	assert_int_equal(shadow_zero(&sh, 0x50000, 0x50000 + PG), 0);
	p = shadow_first(&sh);
	memset(page, 0, PG);
	assert_true(shadow_page_matches(p, page));
	page[7] = 1;
	assert_false(shadow_page_matches(p, page));
	shadow_destroy(&sh);
}

/*
 * MADV_FREE: a claimed page becomes maybe-zero; it matches its bytes or
 * all zeroes; seen discarded, its claims say zero; a write keeps the page
 * but leaves only the written bytes known; fork copies the state.
 */
static void test_lazyfree(void **state)
{
	unsigned long base = 0x400000;
	unsigned char got[PG], want[PG], v = 0;
	struct shadow sh, child;
	struct shadow_page *p;

	shadow_init(&sh);
	shadow_init(&child);
	assert_int_equal(shadow_record_pattern(&sh, base, 7), 0);
	assert_int_equal(shadow_record_pattern(&sh, base + PG, 8), 0);
	assert_int_equal(shadow_record_pattern(&sh, base + 2 * PG, 9), 0);
	shadow_lazyfree(&sh, base, base + 2 * PG);
	p = shadow_find(&sh, base);
	assert_non_null(p);
	assert_true(p->maybe_zero);
	assert_false(shadow_find(&sh, base + 2 * PG)->maybe_zero);
	shadow_pattern(7, want);
	assert_true(shadow_page_matches(p, want));
	memset(got, 0, PG);
	assert_true(shadow_page_matches(p, got));
	got[5] = 1;			/* neither its bytes nor zero */
	assert_false(shadow_page_matches(p, got));
	/* A page not freed does not match zeroes. */
	memset(got, 0, PG);
	assert_false(shadow_page_matches(shadow_find(&sh, base + 2 * PG),
					 got));
	/* fork copies the maybe-zero state. */
	assert_int_equal(shadow_copy(&child, &sh), 0);
	assert_true(shadow_find(&child, base + PG)->maybe_zero);
	/* Seen discarded: zero from now on, still claimed. */
	shadow_lazyfree_settle(&sh, base, true);
	p = shadow_find(&sh, base);
	assert_false(p->maybe_zero);
	assert_true(shadow_page_matches(p, got));
	assert_int_equal(sh.nr_bytes, 3 * PG);
	/* Seen kept: its bytes, and zeroes no longer match. */
	shadow_lazyfree_settle(&child, base, false);
	assert_false(shadow_page_matches(shadow_find(&child, base), got));
	/* A write: only the written byte of the page is known. */
	assert_int_equal(shadow_record(&sh, base + PG + 10, "W", 1), 0);
	p = shadow_find(&sh, base + PG);
	assert_false(p->maybe_zero);
	assert_true(claim_at(&sh, base + PG + 10, &v));
	assert_int_equal(v, 'W');
	assert_false(claim_at(&sh, base + PG + 11, &v));
	assert_int_equal(sh.nr_bytes, 2 * PG + 1);
	/* Unclaimed bytes read as zero where the model says so. */
	shadow_expect_zero_filled(&sh, base + PG, want);
	assert_int_equal(want[10], 'W');
	assert_int_equal(want[11], 0);
	shadow_destroy(&sh);
	shadow_destroy(&child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_bytes),
		cmocka_unit_test(test_seeds_differ),
		cmocka_unit_test(test_drop_partial),
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_page_matches),
		cmocka_unit_test(test_lazyfree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
