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
#include <linux/rmap.h>

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


/* The folio mapped at @addr of @t's hugetlb VMA (a PMD or PUD leaf). */
static struct folio *huge_folio_at(struct foliage_task *t, unsigned long addr)
{
	struct vm_area_struct *vma;
	struct folio *folio = NULL;
	spinlock_t *ptl;
	pmd_t *ptep;

	assert_int_equal(machine_enter(t->machine), 0);
	vma = vma_lookup(t->task.mm, addr);
	assert_non_null(vma);
	ptep = hugetlb_walk(vma, addr, &ptl);
	if (ptep && !pmd_none(pmdp_get(ptep)))
		folio = page_folio(pmd_page(pmdp_get(ptep)));
	machine_leave(t->machine);
	return folio;
}

/*
 * HPG_zeroed (seed 000): a surplus page gathered for a reservation is
 * allocated zeroed and marked; the fault reports it once, skips the
 * memset and counts 512 pgzero_skipped; a persistent pool page is zeroed
 * at every fault (512 pgzero_cleared each), even after a user dirtied it.
 */
static void test_hpg_zeroed(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct foliage_task *t = new_task(m, "t");
	struct hstate *h = H2M(m);
	unsigned long addr, skipped, cleared, tables;
	struct folio *folio;
	char byte = 0x5a;

	set(m, "vm.nr_overcommit_hugepages", "1");
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	assert_huge(h, 1, 1, 1, 1);
	folio = list_first_entry(&h->hugepage_freelists[0], struct folio, lru);
	assert_true(folio_test_hugetlb_zeroed(folio));
	skipped = vmstat(m, "pgzero_skipped");
	cleared = vmstat(m, "pgzero_cleared");
	tables = vmstat(m, "nr_page_table_pages");
	put_bytes(t, addr + 4096, &byte, 1);
	assert_ptr_equal(huge_folio_at(t, addr), folio);
	assert_false(folio_test_hugetlb_zeroed(folio));
	assert_int_equal(vmstat(m, "pgzero_skipped"), skipped + 512);
	/* Only the new page tables were cleared (zeroed allocations). */
	assert_int_equal(vmstat(m, "pgzero_cleared"),
			 cleared + vmstat(m, "nr_page_table_pages") - tables);
	expect_fill(t, addr, 0, 4096);
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	assert_huge(h, 0, 0, 0, 0);

	/* The persistent pool: zeroed at every fault. */
	set(m, "vm.nr_overcommit_hugepages", "0");
	set(m, "vm.nr_hugepages", "1");
	folio = list_first_entry(&h->hugepage_freelists[0], struct folio, lru);
	assert_false(folio_test_hugetlb_zeroed(folio));
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	cleared = vmstat(m, "pgzero_cleared");
	tables = vmstat(m, "nr_page_table_pages");
	fill(t, addr, 0xee, 2 * MB);
	assert_int_equal(vmstat(m, "pgzero_cleared"),
			 cleared + 512 + vmstat(m, "nr_page_table_pages") - tables);
	cleared = vmstat(m, "pgzero_cleared");
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	/* Back in the pool, dirty, not marked: the next fault clears it. */
	assert_false(folio_test_hugetlb_zeroed(folio));
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	tables = vmstat(m, "nr_page_table_pages");
	expect_fill(t, addr, 0, 2 * MB);
	assert_ptr_equal(huge_folio_at(t, addr), folio);
	assert_int_equal(vmstat(m, "pgzero_cleared"),
			 cleared + 512 + vmstat(m, "nr_page_table_pages") - tables);
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * alloc_hugetlb_folio_reserve() against a reservation held for it (as a
 * guest_memfd's subpool holds them): HPG_zeroed reported once and
 * cleared; freeing clears it for good.
 */
static void test_alloc_reserve(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct hstate *h = H2M(m);
	struct folio *folio;
	bool zeroed = false;

	set(m, "vm.nr_overcommit_hugepages", "2");
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(hugetlb_acct_memory(h, 1), 0);
	assert_huge(h, 1, 1, 1, 1);
	folio = alloc_hugetlb_folio_reserve(h, 0, &zeroed);
	assert_non_null(folio);
	assert_true(zeroed);
	assert_false(folio_test_hugetlb_zeroed(folio));
	assert_huge(h, 1, 0, 0, 1);
	/* No reservation left: nothing for it. */
	assert_null(alloc_hugetlb_folio_reserve(h, 0, &zeroed));
	assert_false(zeroed);
	folio_put(folio);		/* surplus: back to buddy */
	assert_huge(h, 0, 0, 0, 0);
	machine_leave(m);
	assert_machine_ok(m);
	test_machine_done(m);
}

/*
 * Subpools (Linux's hugepage_subpool): the minimum is reserved globally
 * when made; pages inside it cost no global reservation; the maximum
 * refuses; pages given back below the minimum stay reserved; the last
 * put releases the minimum.
 */
static void test_subpool(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct hstate *h = H2M(m);
	struct hugepage_subpool *spool;

	set(m, "vm.nr_hugepages", "3");
	assert_int_equal(machine_enter(m), 0);
	assert_null(hugepage_new_subpool(h, 8, 4));	/* 4 > 3 free */
	assert_huge(h, 3, 3, 0, 0);
	spool = hugepage_new_subpool(h, 3, 2);
	assert_non_null(spool);
	assert_huge(h, 3, 3, 2, 0);
	assert_int_equal(hugepage_subpool_get_pages(spool, 1), 0);
	assert_int_equal(hugepage_subpool_get_pages(spool, 2), 1);
	assert_int_equal(hugepage_subpool_get_pages(spool, 1), -ENOMEM);
	assert_int_equal(spool->used_hpages, 3);
	assert_int_equal(spool->rsv_hpages, 0);
	/* Above the minimum: the caller releases its global reservation. */
	assert_int_equal(hugepage_subpool_put_pages(spool, 1), 1);
	/* Going below the minimum keeps them reserved. */
	assert_int_equal(hugepage_subpool_put_pages(spool, 2), 0);
	assert_int_equal(spool->rsv_hpages, 2);
	assert_huge(h, 3, 3, 2, 0);
	hugepage_put_subpool(spool);
	assert_huge(h, 3, 3, 0, 0);
	/* No limits: every page is the caller's to reserve. */
	assert_int_equal(hugepage_subpool_get_pages(NULL, 5), 5);
	assert_int_equal(hugepage_subpool_put_pages(NULL, 5), 5);
	machine_leave(m);
	assert_machine_ok(m);
	test_machine_done(m);
}

/*
 * fork of a private hugetlb mapping: the page is shared read-only and
 * COWed on write.  The child has no reservations: its COW takes a free
 * page or fails (SIGBUS); the parent owns them: when no page is left for
 * its COW, the child loses the page (SIGBUS at its next touch) and the
 * parent reuses it.
 *
 *	pool of 2:  P writes 'A'; fork C; C writes 'B' -> own page;
 *		    P writes 'a' -> its page is its alone again: reused
 *	pool of 1:  P writes 'A'; fork C; P writes 'a' -> C unmapped;
 *		    C reads -> SIGBUS
 */
static void test_fork_cow(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct foliage_task *p = new_task(m, "p"), *c;
	const struct hstate *h = H2M(m);
	unsigned long addr, fault = 0;
	char byte;

	set(m, "vm.nr_hugepages", "2");
	addr = map(p, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill(p, addr, 'A', 4096);
	assert_huge(h, 2, 1, 0, 0);
	c = fork_task(p, "c");
	assert_ptr_equal(huge_folio_at(c, addr), huge_folio_at(p, addr));
	assert_int_equal(folio_mapcount(huge_folio_at(p, addr)), 2);
	assert_machine_ok(m);
	fill(c, addr, 'B', 4096);
	assert_huge(h, 2, 0, 0, 0);
	assert_ptr_not_equal(huge_folio_at(c, addr), huge_folio_at(p, addr));
	expect_fill(p, addr, 'A', 4096);
	fill(p, addr, 'a', 4096);
	expect_fill(c, addr, 'B', 4096);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_munmap(p, addr, 2 * MB), 0);
	assert_huge(h, 2, 2, 0, 0);

	set(m, "vm.nr_hugepages", "1");
	addr = map(p, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill(p, addr, 'A', 4096);
	c = fork_task(p, "c");
	/* The child's COW finds no page: SIGBUS. */
	byte = 'B';
	assert_int_equal(foliage_access(c, addr, &byte, 1, true, &fault),
			 -EFAULT);
	/* The owner's COW takes the page back from the child. */
	fill(p, addr, 'a', 4096);
	assert_null(huge_folio_at(c, addr));
	assert_int_equal(foliage_access(c, addr, &byte, 1, false, &fault),
			 -EFAULT);
	expect_fill(p, addr, 'a', 4096);
	assert_huge(h, 1, 0, 0, 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
	assert_huge(h, 1, 1, 0, 0);
	test_machine_done(m);
}

/*
 * 1 GiB pages (from alloc_contig_pages(), on a two-node machine) are
 * mapped by PUDs; no surplus of them exists, so a reservation beyond the
 * pool fails.
 */
static void test_gigantic_map(void **state)
{
	struct foliage_machine *m = test_machine(2, 1280);
	const struct hstate *h = H1G(m);
	unsigned long addr, out = 0;
	struct foliage_task *t;
	bool huge;

	/* One per node, before a task takes memory on node 0. */
	set(m, "hugepages.hugepages-1048576kB/nr_hugepages", "2");
	assert_int_equal(h->nr_huge_pages_node[0], 1);
	assert_int_equal(h->nr_huge_pages_node[1], 1);
	t = new_task(m, "t");
	assert_int_equal(foliage_mmap(t, 0, 3UL << 30, PROT_RW,
				      HUGE_PRIV | FOLIAGE_MAP_HUGE_1GB, NULL,
				      0, &out), -ENOMEM);
	assert_huge(h, 2, 2, 0, 0);
	addr = map(t, 0, 1UL << 30, PROT_RW, HUGE_SHARED | FOLIAGE_MAP_HUGE_1GB,
		   NULL, 0);
	assert_int_equal(addr & ((1UL << 30) - 1), 0);
	assert_huge(h, 2, 2, 1, 0);
	fill(t, addr + (5UL << 20), 0x77, 64);
	assert_huge(h, 2, 1, 0, 0);
	/* No PMD table below the PUD leaf. */
	(void)entry_at(t, addr, &huge);
	assert_int_equal(huge_folio_at(t, addr)->_flags_1 & 0xff, 18);
	assert_int_equal(vma_kernel_pagesize(vma_lookup(t->task.mm, addr)),
			 1UL << 30);
	assert_machine_ok(m);
	assert_int_equal(foliage_munmap(t, addr + (2UL << 20), 2UL << 20),
			 -EINVAL);
	assert_int_equal(foliage_munmap(t, addr, 1UL << 30), 0);
	assert_huge(h, 2, 2, 0, 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * The validator recounts the reservations from their owners: a file's
 * reserved indices not cached, a private owner's pages not faulted, a
 * subpool's unused minimum; a counter that disagrees is reported.
 */
static void test_validate_resv(void **state)
{
	struct foliage_machine *m = test_machine(1, 128);
	struct foliage_task *t = new_task(m, "t");
	struct hstate *h = H2M(m);
	unsigned long addr;

	set(m, "vm.nr_hugepages", "8");
	addr = map(t, 0, 6 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	(void)map(t, 0, 4 * MB, PROT_RW, HUGE_SHARED, NULL, 0);
	fill(t, addr, 1, 64);
	assert_huge(h, 8, 7, 4, 0);
	assert_machine_ok(m);
	h->resv_huge_pages++;
	assert_int_not_equal(foliage_validate(m), 0);
	assert_non_null(strstr(foliage_first_bug(m),
			       "resv_huge_pages 5, its owners hold 4"));
	h->resv_huge_pages--;
	assert_int_equal(foliage_exit(t), 0);
	assert_huge(h, 8, 8, 0, 0);
	foliage_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_surplus_sequence),
		cmocka_unit_test(test_noreserve_sigbus),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_hpg_zeroed),
		cmocka_unit_test(test_alloc_reserve),
		cmocka_unit_test(test_subpool),
		cmocka_unit_test(test_fork_cow),
		cmocka_unit_test(test_gigantic_map),
		cmocka_unit_test(test_validate_resv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
