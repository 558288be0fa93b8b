// SPDX-License-Identifier: GPL-2.0
/*
 * MAP_HUGETLB mappings (mm/hugetlb.c, mm/hugetlbfs.c): reservations at
 * mmap as Linux 6.18 makes them (hugetlb_reserve_pages(),
 * gather_surplus_pages()), faults mapping 2 MiB pages by PMDs and 1 GiB
 * pages by PUDs, the reservation consumed, surplus pages from buddy,
 * SIGBUS; free back to buddy or the pool; munmap/mprotect/mremap
 * refusals; HPG_zeroed (seed 000); fork with hugetlb COW.
 *
 * Layout of every test: one task, one hugetlb mapping at the address the
 * kernel picks (huge-page aligned), counters read from meminfo/hstates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_helpers.h"
#include <linux/hugetlb.h>
#include <linux/machine.h>

#define H2M(m)		(&(m)->hugetlb->hstates[HSTATE_2M])
#define H1G(m)		(&(m)->hugetlb->hstates[HSTATE_1G])
#define HUGE_PRIV	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_HUGETLB)
#define HUGE_SHARED	(FOLIAGE_MAP_SHARED | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_HUGETLB)
#define PROT_RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)

static void set(struct foliage_machine *m, const char *name, const char *v)
{
	assert_int_equal(foliage_set(m, name, v), 0);
}

/* HugePages Total/Free/Rsvd/Surp of @h. */
static void assert_huge(const struct hstate *h, unsigned long total,
			unsigned long free, unsigned long rsvd,
			unsigned long surp)
{
	assert_int_equal(h->nr_huge_pages, total);
	assert_int_equal(h->free_huge_pages, free);
	assert_int_equal(h->resv_huge_pages, rsvd);
	assert_int_equal(h->surplus_huge_pages, surp);
}

static void populate_write(struct foliage_task *t, unsigned long addr,
			   unsigned long len)
{
	assert_int_equal(foliage_madvise(t, addr, len,
					 FOLIAGE_MADV_POPULATE_WRITE), 0);
}

/*
 * The sequence, as this machine's kernel shows it: no pool,
 * overcommit 128, 256 MiB private → 128/128/128/128; populated →
 * 128/0/0/128; unmapped → 0/0/0/0; overcommit 127 → ENOMEM, nothing
 * moved.
 */
static void test_surplus_sequence(void **state)
{
	struct foliage_machine *m = test_machine(1, 320);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr = 0, allocs;

	set(m, "vm.nr_overcommit_hugepages", "128");
	addr = map(t, 0, 256 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	assert_int_equal(addr & (2 * MB - 1), 0);
	assert_huge(h, 128, 128, 128, 128);
	assert_machine_ok(m);
	populate_write(t, addr, 256 * MB);
	assert_huge(h, 128, 0, 0, 128);
	assert_machine_ok(m);
	assert_int_equal(foliage_munmap(t, addr, 256 * MB), 0);
	assert_huge(h, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 0);
	assert_machine_ok(m);

	set(m, "vm.nr_overcommit_hugepages", "127");
	allocs = vmstat(m, "htlb_buddy_alloc_success");
	assert_int_equal(foliage_mmap(t, 0, 256 * MB, PROT_RW, HUGE_PRIV, NULL,
				      0, &addr), -ENOMEM);
	/* The 127 surplus pages it could have went straight back. */
	assert_huge(h, 0, 0, 0, 0);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success"), allocs + 127);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * MAP_NORESERVE reserves nothing: faults take free pages, then surplus
 * ones while the overcommit allows, then SIGBUS (-EFAULT from an access).
 */
static void test_noreserve_sigbus(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr, fault = 0;
	char byte = 1;

	set(m, "vm.nr_hugepages", "1");
	set(m, "vm.nr_overcommit_hugepages", "1");
	addr = map(t, 0, 6 * MB, PROT_RW,
		   HUGE_PRIV | FOLIAGE_MAP_NORESERVE, NULL, 0);
	assert_huge(h, 1, 1, 0, 0);
	put_bytes(t, addr, &byte, 1);			/* the free page */
	assert_huge(h, 1, 0, 0, 0);
	put_bytes(t, addr + 2 * MB, &byte, 1);		/* a surplus page */
	assert_huge(h, 2, 0, 0, 1);
	assert_int_equal(foliage_access(t, addr + 4 * MB, &byte, 1, true,
					&fault), -EFAULT);
	assert_huge(h, 2, 0, 0, 1);
	assert_machine_ok(m);
	assert_int_equal(foliage_munmap(t, addr, 6 * MB), 0);
	assert_huge(h, 1, 1, 0, 0);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * A shared mapping reserves for its file; the pages stay in the file's
 * cache across munmap of one of two mappings; the mapping size is rounded
 * up to the huge page size.
 */
static void test_shared(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr;
	char buf[4] = "abc";

	set(m, "vm.nr_hugepages", "4");
	addr = map(t, 0, 3 * MB, PROT_RW, HUGE_SHARED, NULL, 0);
	assert_huge(h, 4, 4, 2, 0);
	put_bytes(t, addr + 2 * MB + 5, buf, 3);
	assert_huge(h, 4, 3, 1, 0);
	expect_fill(t, addr, 0, 16);
	assert_huge(h, 4, 2, 0, 0);
	assert_machine_ok(m);
	/* The whole rounded length goes. */
	assert_int_equal(foliage_munmap(t, addr, 4 * MB), 0);
	assert_huge(h, 4, 4, 0, 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * munmap, mprotect and mremap of part of a huge page are -EINVAL; whole
 * huge pages split the VMA and keep the reservations straight.
 *
 *	0    2    4    6  MiB
 *	AAAAAAAAAAAAAAAAAA     one private hugetlb VMA, 3 pages reserved
 *	AAAAAAAAA     AAAA     after munmap of [4M, 6M): 2 reserved
 */
static void test_refusals(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr, out = 0;

	set(m, "vm.nr_hugepages", "3");
	addr = map(t, 0, 6 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	assert_huge(h, 3, 3, 3, 0);
	assert_int_equal(foliage_munmap(t, addr + 4096, 4096), -EINVAL);
	assert_int_equal(foliage_mprotect(t, addr, 4096, FOLIAGE_PROT_READ),
			 -EINVAL);
	assert_int_equal(foliage_mremap(t, addr + 4096, 2 * MB, 2 * MB,
					FOLIAGE_MREMAP_MAYMOVE, 0, &out),
			 -EINVAL);
	/* Growing is refused (the reservation cannot grow). */
	assert_int_equal(foliage_mremap(t, addr, 6 * MB, 8 * MB,
					FOLIAGE_MREMAP_MAYMOVE, 0, &out),
			 -EINVAL);
	assert_huge(h, 3, 3, 3, 0);
	assert_int_equal(foliage_munmap(t, addr + 2 * MB, 2 * MB), 0);
	assert_huge(h, 3, 3, 2, 0);
	assert_int_equal(foliage_mprotect(t, addr + 4 * MB, 2 * MB,
					  FOLIAGE_PROT_READ), 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_munmap(t, addr, 6 * MB), 0);
	assert_huge(h, 3, 3, 0, 0);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_surplus_sequence),
		cmocka_unit_test(test_noreserve_sigbus),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
