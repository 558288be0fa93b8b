// SPDX-License-Identifier: GPL-2.0
/*
 * lib/copy_nocache.c: memcpy_nocache() copies exactly the bytes asked for,
 * streamed (page-aligned whole pages: groups of four and the pages left
 * over) or through memcpy() (anything else), and nothing around them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/copy_nocache.h>

#define PG		4096UL
#define AREA		(16 * PG)	/* each buffer, with a guard page */

struct bufs {
	unsigned char *src;		/* AREA bytes, page-aligned */
	unsigned char *dst;		/* AREA + PG bytes, page-aligned */
};

static int setup(void **state)
{
	struct bufs *b = calloc(1, sizeof(*b));
	size_t i;

	if (!b || posix_memalign((void **)&b->src, PG, AREA) ||
	    posix_memalign((void **)&b->dst, PG, AREA + PG))
		return -1;
	for (i = 0; i < AREA; i++)
		b->src[i] = (unsigned char)(i * 131 + (i >> 12) * 7 + 1);
	*state = b;
	return 0;
}

static int teardown(void **state)
{
	struct bufs *b = *state;

	free(b->src);
	free(b->dst);
	free(b);
	return 0;
}

/* Copy @len bytes at @soff to @doff; check them and the 0xee around. */
static void copy_and_check(struct bufs *b, size_t soff, size_t doff,
			   size_t len)
{
	size_t i;

	memset(b->dst, 0xee, AREA + PG);
	memcpy_nocache(b->dst + doff, b->src + soff, len);
	assert_memory_equal(b->dst + doff, b->src + soff, len);
	for (i = 0; i < doff; i++)
		assert_int_equal(b->dst[i], 0xee);
	for (i = doff + len; i < AREA + PG; i++)
		assert_int_equal(b->dst[i], 0xee);
}

/* Streamed: 1-3 pages, 4 (one group), 5, 7 (a group and the rest)... */
static void test_streamed(void **state)
{
	static const size_t pages[] = { 1, 2, 3, 4, 5, 7, 8, 15, 16 };
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		copy_and_check(*state, 0, 0, pages[i] * PG);
		copy_and_check(*state, 0, PG, pages[i] * PG - PG);
	}
}

/* memcpy(): too short, unaligned buffers, a length not whole pages. */
static void test_fallback(void **state)
{
	copy_and_check(*state, 0, 0, PG - 64);
	copy_and_check(*state, 0, 0, 1);
	copy_and_check(*state, 0, 0, 0);
	copy_and_check(*state, 8, 0, 8 * PG);
	copy_and_check(*state, 0, 64, 8 * PG);
	copy_and_check(*state, 0, 0, 8 * PG + 100);
	copy_and_check(*state, 0, 0, 8 * PG - 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streamed),
		cmocka_unit_test(test_fallback),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
