// SPDX-License-Identifier: GPL-2.0
/*
 * mmap()'s offset checks through the public API, as Linux's do_mmap():
 * a file mapping must end at or before MAX_LFS_FILESIZE (file_mmap_ok()),
 * else -EOVERFLOW; an anonymous mapping ignores the offset (a shared one
 * gets pgoff 0, a private one its address), since on 64-bit the pgoff +
 * pages wrap check cannot fire for a 64-bit offset.  The scenario as_mmap_overflow.scn covers the file cases too.
 */
#include <errno.h>

#include "task_helpers.h"

#define RW	(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON	FOLIAGE_MAP_ANONYMOUS

static void test_anon_offset(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct foliage_task *t = new_task(m, "P");
	unsigned long addr;

	(void)state;
	/*
	 * A 64-bit offset >> PAGE_SHIFT plus pages cannot wrap an unsigned
	 * long, and anonymous memory has no size limit: any aligned offset
	 * maps, as on 64-bit Linux.
	 */
	assert_int_equal(foliage_mmap(t, 0, 16 * KB, RW, FOLIAGE_MAP_PRIVATE |
				      ANON, NULL, 0xfffffffffffff000ULL,
				      &addr), 0);
	assert_int_equal(foliage_mmap(t, 0, 16 * KB, RW, FOLIAGE_MAP_SHARED |
				      ANON, NULL, 0xfffffffffffff000ULL,
				      &addr), 0);
	assert_int_equal(foliage_mmap(t, 0, 16 * KB, RW, FOLIAGE_MAP_SHARED |
				      ANON, NULL, 1ULL << 63, &addr), 0);
	assert_int_equal(foliage_mmap(t, 0, 16 * KB, RW, FOLIAGE_MAP_PRIVATE |
				      ANON, NULL, 0x1800, &addr), -EINVAL);
	test_machine_done(m);
}

static void test_file_offset(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct foliage_task *t = new_task(m, "P");
	struct foliage_file *f = NULL;
	unsigned long addr;

	(void)state;
	assert_int_equal(foliage_file_create(m, "F", 16 * KB, &f), 0);
	assert_int_equal(foliage_mmap(t, 0, 16 * KB, RW, FOLIAGE_MAP_SHARED,
				      f, 1ULL << 63, &addr), -EOVERFLOW);
	assert_int_equal(foliage_mmap(t, 0, 16 * KB, RW, FOLIAGE_MAP_PRIVATE,
				      f, 0x7ffffffffffff000ULL, &addr),
			 -EOVERFLOW);
	/* Ends exactly one page before 2^63: the last offset that works. */
	assert_int_equal(foliage_mmap(t, 0, 16 * KB, RW, FOLIAGE_MAP_SHARED,
				      f, 0x7fffffffffffb000ULL, &addr), 0);
	assert_int_equal(foliage_mmap(t, 0, 20 * KB, RW, FOLIAGE_MAP_SHARED,
				      f, 0x7fffffffffffb000ULL, &addr),
			 -EOVERFLOW);
	foliage_file_put(f);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_offset),
		cmocka_unit_test(test_file_offset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
