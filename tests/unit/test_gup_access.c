// SPDX-License-Identifier: GPL-2.0
/*
 * foliage_access(): the task's own loads and stores.  It fails with
 * -EFAULT and the first failing address exactly where the task would take
 * SIGSEGV (no VMA, a protection the access lacks) or SIGBUS; it faults
 * pages in as the CPU would, setting the accessed and dirty bits.  And
 * MADV_POPULATE_(READ|WRITE) through get_user_pages.
 */
#include "pt_helpers.h"

#define NONE	FOLIAGE_PROT_NONE
#define R	FOLIAGE_PROT_READ
#define W	FOLIAGE_PROT_WRITE
#define X	FOLIAGE_PROT_EXEC
#define RW	(R | W)
#define PRIVATE	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED)

#define BASE	0x10000000UL

static struct foliage_machine *m;
static struct foliage_task *t;

/* The fixture's machine and task, for the helpers below. */
static int setup(void **state)
{
	task_fixture_setup(state);
	m = ((struct task_fixture *)*state)->m;
	t = ((struct task_fixture *)*state)->task;
	return 0;
}

static int try_access(unsigned long addr, size_t len, bool write,
		  unsigned long *fault)
{
	static char buf[4 * 4096];

	assert_true(len <= sizeof(buf));
	*fault = 0;
	return foliage_access(t, addr, buf, len, write, fault);
}

/*
 *   BASE:   [rw][rw] hole [r-][r-] [--][--] [-w] [--x]
 *            0   1   2     3   4    5   6    7    8
 */
static void map_layout(void)
{
	map(t, BASE, 2 * PAGE_SIZE, RW, PRIVATE, NULL, 0);
	map(t, BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE, R, PRIVATE, NULL, 0);
	map(t, BASE + 5 * PAGE_SIZE, 2 * PAGE_SIZE, NONE, PRIVATE, NULL, 0);
	map(t, BASE + 7 * PAGE_SIZE, PAGE_SIZE, W, PRIVATE, NULL, 0);
	map(t, BASE + 8 * PAGE_SIZE, PAGE_SIZE, X, PRIVATE, NULL, 0);
}

static void test_sigsegv_addresses(void **state)
{
	unsigned long fault;

	(void)state;
	map_layout();
	/* Nothing mapped below BASE. */
	assert_int_equal(try_access(BASE - 1, 1, false, &fault), -EFAULT);
	assert_int_equal(fault, BASE - 1);
	/* A write running into the hole fails at the hole's first byte. */
	assert_int_equal(try_access(BASE + PAGE_SIZE + 10, PAGE_SIZE, true,
				&fault), -EFAULT);
	assert_int_equal(fault, BASE + 2 * PAGE_SIZE);
	/* Reading a read-only mapping works; writing it is SIGSEGV. */
	assert_int_equal(try_access(BASE + 3 * PAGE_SIZE, 100, false, &fault), 0);
	assert_int_equal(try_access(BASE + 4 * PAGE_SIZE + 5, 1, true, &fault),
			 -EFAULT);
	assert_int_equal(fault, BASE + 4 * PAGE_SIZE + 5);
	/* PROT_NONE: neither. */
	assert_int_equal(try_access(BASE + 5 * PAGE_SIZE, 1, false, &fault),
			 -EFAULT);
	assert_int_equal(fault, BASE + 5 * PAGE_SIZE);
	assert_int_equal(try_access(BASE + 6 * PAGE_SIZE, 1, true, &fault),
			 -EFAULT);
	/* x86 reads write-only and exec-only mappings (not GUP's rule). */
	assert_int_equal(try_access(BASE + 7 * PAGE_SIZE, 8, false, &fault), 0);
	assert_int_equal(try_access(BASE + 7 * PAGE_SIZE, 8, true, &fault), 0);
	assert_int_equal(try_access(BASE + 8 * PAGE_SIZE, 8, false, &fault), 0);
	assert_int_equal(try_access(BASE + 8 * PAGE_SIZE, 8, true, &fault),
			 -EFAULT);
	/* A read from r- into -- stops at the boundary. */
	assert_int_equal(try_access(BASE + 5 * PAGE_SIZE - 8, 16, false, &fault),
			 -EFAULT);
	assert_int_equal(fault, BASE + 5 * PAGE_SIZE);
	/* Wrapping around the address space. */
	assert_int_equal(foliage_access(t, ~0UL - 4, &fault, 16, false,
					&fault), -EFAULT);
}

/* Partial writes land byte-exactly up to the fault. */
static void test_partial_write(void **state)
{
	unsigned char buf[3 * 4096];
	unsigned long fault;
	size_t i;

	(void)state;
	map_layout();
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7;
	assert_int_equal(foliage_access(t, BASE + 1000, buf, sizeof(buf), true,
					&fault), -EFAULT);
	assert_int_equal(fault, BASE + 2 * PAGE_SIZE);
	memset(buf, 0, sizeof(buf));
	get_bytes(t, BASE + 1000, buf, 2 * PAGE_SIZE - 1000);
	for (i = 0; i < 2 * PAGE_SIZE - 1000; i++)
		assert_int_equal(buf[i], (unsigned char)(i * 7));
	expect_fill(t, BASE, 0, 1000);
}

/*
 * The CPU's view: a read of untouched anonymous memory maps the zero page
 * (nothing resident), a write allocates; the hardware sets the accessed
 * and dirty bits.
 */
static void test_faults_and_bits(void **state)
{
	struct smaps_vma v;
	bool huge;
	u64 e;

	(void)state;
	map_layout();
	expect_fill(t, BASE, 0, 2 * PAGE_SIZE);
	e = entry_at(t, BASE, &huge);
	assert_true(e & _PAGE_PRESENT);
	assert_false(e & _PAGE_RW);
	assert_true(is_zero_pfn((e & PTE_PFN_MASK) >> PAGE_SHIFT));
	v = smaps_at(t, BASE);
	assert_int_equal(v.mss.resident, 0);

	fill(t, BASE + 8, 0x42, 1);
	e = entry_at(t, BASE, &huge);
	assert_true(e & _PAGE_RW);
	assert_true(e & _PAGE_DIRTY);
	assert_true(e & _PAGE_ACCESSED);
	assert_false(is_zero_pfn((e & PTE_PFN_MASK) >> PAGE_SHIFT));
	v = smaps_at(t, BASE);
	assert_int_equal(kb(v.mss.resident), 4);
	assert_int_equal(kb(v.mss.private_dirty), 4);
	assert_int_equal(kb(v.mss.anonymous), 4);
	assert_int_equal(kb(v.mss.referenced), 4);
	expect_fill(t, BASE + 8, 0x42, 1);
	expect_fill(t, BASE + 9, 0, PAGE_SIZE - 9);
}

/* MADV_POPULATE_*: get_user_pages over the range, with madvise's errors. */
static void test_populate(void **state)
{
	struct smaps_vma v;

	(void)state;
	map_layout();
	assert_int_equal(foliage_madvise(t, BASE, 2 * PAGE_SIZE,
					 FOLIAGE_MADV_POPULATE_WRITE), 0);
	v = smaps_at(t, BASE);
	assert_int_equal(kb(v.mss.resident), 8);
	assert_int_equal(kb(v.mss.private_dirty), 8);
	/* Read-populating anonymous memory maps the zero page: no Rss. */
	assert_int_equal(foliage_madvise(t, BASE + 3 * PAGE_SIZE, 2 * PAGE_SIZE,
					 FOLIAGE_MADV_POPULATE_READ), 0);
	assert_int_equal(smaps_at(t, BASE + 3 * PAGE_SIZE).mss.resident, 0);
	assert_non_null(page_at(t, BASE + 4 * PAGE_SIZE));
	/* A hole: -ENOMEM.  A protection the access lacks: -EINVAL. */
	assert_int_equal(foliage_madvise(t, BASE, 3 * PAGE_SIZE,
					 FOLIAGE_MADV_POPULATE_READ), -ENOMEM);
	assert_int_equal(foliage_madvise(t, BASE + 3 * PAGE_SIZE, PAGE_SIZE,
					 FOLIAGE_MADV_POPULATE_WRITE), -EINVAL);
	assert_int_equal(foliage_madvise(t, BASE + 5 * PAGE_SIZE, PAGE_SIZE,
					 FOLIAGE_MADV_POPULATE_READ), -EINVAL);
	/* GUP has no x86 read-implies-write: -EINVAL for write-only. */
	assert_int_equal(foliage_madvise(t, BASE + 7 * PAGE_SIZE, PAGE_SIZE,
					 FOLIAGE_MADV_POPULATE_READ), -EINVAL);
}

/* MAP_POPULATE write-faults private writable mappings (breaking COW now). */
static void test_map_populate(void **state)
{
	struct smaps_vma v;

	(void)state;
	map(t, BASE, 16 * PAGE_SIZE, RW, PRIVATE | FOLIAGE_MAP_POPULATE, NULL,
	    0);
	v = smaps_at(t, BASE);
	assert_int_equal(kb(v.mss.resident), 64);
	assert_int_equal(kb(v.mss.anonymous), 64);
	/* A read-only one only reads: the zero page, no Rss. */
	map(t, BASE + 32 * PAGE_SIZE, 4 * PAGE_SIZE, R,
	    PRIVATE | FOLIAGE_MAP_POPULATE, NULL, 0);
	assert_int_equal(smaps_at(t, BASE + 32 * PAGE_SIZE).mss.resident, 0);
	assert_non_null(page_at(t, BASE + 35 * PAGE_SIZE));
}

#define FIXTURE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup, task_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_sigsegv_addresses),
		FIXTURE_TEST(test_partial_write),
		FIXTURE_TEST(test_faults_and_bits),
		FIXTURE_TEST(test_populate),
		FIXTURE_TEST(test_map_populate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
