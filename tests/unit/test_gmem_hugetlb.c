// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb-backed guest_memfd (the guest_memfd hugetlb RFC v2): the file
 * reserves its huge pages at creation from a subpool, holds huge folios
 * while all their pages are private, splits one into 4 KiB folios when any
 * page becomes shared and reconstructs it when none is shared any more and
 * only the page cache holds it; punch and close give pages back.  The
 * pool's counters and the validators agree at every step.
 *
 *   file (4 MiB, 2 MiB pages)   [ huge page 0          | huge page 1 ]
 *   pages                        0 .. 511                512 .. 1023
 */
#include "gmem_helpers.h"
#include <linux/hugetlb.h>

#define HP	(2 * MB)
#define GPA	(4ULL << 30)

static struct hstate *h2m(void)
{
	return &m->hugetlb->hstates[HSTATE_2M];
}

static struct foliage_file *new_huge_gmem(uint64_t bytes, uint64_t flags)
{
	struct foliage_file *f = NULL;

	assert_int_equal(foliage_gmem_create(m, bytes, flags, HP, &f), 0);
	return f;
}

static void pool(unsigned long nr)
{
	char v[16];

	snprintf(v, sizeof(v), "%lu", nr);
	assert_int_equal(foliage_set(m, "vm.nr_hugepages", v), 0);
	assert_int_equal(h2m()->nr_huge_pages, nr);
}

/* Reservation: rises at creation, falls at allocation, back at punch/close. */
static void test_reservation(void **state)
{
	struct foliage_file *f;

	(void)state;
	pool(4);
	assert_int_equal(foliage_gmem_create(m, HP + PAGE_SIZE, 0, HP, &f),
			 -EINVAL);
	assert_int_equal(foliage_gmem_create(m, HP, 0, 3 * MB, &f), -EINVAL);
	/* More than the pool: the subpool's minimum cannot be reserved. */
	assert_int_equal(foliage_gmem_create(m, 5 * HP, 0, HP, &f), -ENOMEM);
	assert_int_equal(h2m()->resv_huge_pages, 0);
	f = new_huge_gmem(2 * HP, 0);
	assert_int_equal(h2m()->resv_huge_pages, 2);
	assert_int_equal(gmem_stat(f).resv_huge_pages, 2);
	assert_int_equal(foliage_fallocate(f, KEEP, 0, HP), 0);
	assert_int_equal(h2m()->resv_huge_pages, 1);
	assert_int_equal(h2m()->free_huge_pages, 3);
	assert_int_equal(gmem_stat(f).nr_folios[9], 1);
	assert_int_equal(gmem_stat(f).resv_huge_pages, 1);
	/* A partial punch zeroes in place: nothing freed. */
	assert_int_equal(foliage_fallocate(f, PUNCH, PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(gmem_stat(f).nr_folios[9], 1);
	assert_int_equal(h2m()->resv_huge_pages, 1);
	/* A whole huge page goes back, reserved for the file again. */
	assert_int_equal(foliage_fallocate(f, PUNCH, 0, HP), 0);
	assert_int_equal(gmem_stat(f).nr_folios[9], 0);
	assert_int_equal(h2m()->resv_huge_pages, 2);
	assert_int_equal(h2m()->free_huge_pages, 4);
	assert_int_equal(foliage_fallocate(f, KEEP, 0, 2 * HP), 0);
	assert_int_equal(h2m()->resv_huge_pages, 0);
	assert_int_equal(foliage_validate(m), 0);
	foliage_file_put(f);
	/* All back at close. */
	assert_int_equal(h2m()->resv_huge_pages, 0);
	assert_int_equal(h2m()->free_huge_pages, 4);
	assert_int_equal(foliage_validate(m), 0);
}

/*
 * One page of a 2 MiB file to shared: 512 order-0 folios (same frames);
 * back to private: one order-9 folio again, with the guest's bytes.
 */
static void test_split_reconstruct(void **state)
{
	struct foliage_file *f;
	struct foliage_vm *vm;
	unsigned long addr, pfn0;
	unsigned char buf[64];
	struct folio *folio;

	(void)state;
	pool(2);
	f = new_huge_gmem(HP, GMEM_MMAP);
	vm = new_vm(m);
	assert_int_equal(foliage_vm_memslot(vm, GPA, HP, f, 0), 0);
	memset(buf, 0xd7, sizeof(buf));
	vcpu_put(vm, GPA + 7 * PAGE_SIZE, buf, sizeof(buf));
	assert_int_equal(gmem_stat(f).nr_folios[9], 1);
	assert_int_equal(machine_enter(m), 0);
	folio = filemap_get_folio(f->file.f_mapping, 0);
	pfn0 = folio_pfn(folio);
	folio_put(folio);

	assert_int_equal(convert(f, 5 * PAGE_SIZE, PAGE_SIZE, false, 0, NULL),
			 0);
	assert_int_equal(gmem_stat(f).nr_folios[9], 0);
	assert_int_equal(gmem_stat(f).nr_folios[0], 512);
	assert_int_equal(gmem_stat(f).nr_splits, 1);
	assert_int_equal(foliage_validate(m), 0);
	addr = map_gmem(t, f, HP);
	fill(t, addr + 5 * PAGE_SIZE, 0x55, PAGE_SIZE);
	assert_int_equal(pfn_at(t, addr + 5 * PAGE_SIZE), pfn0 + 5);
	assert_int_equal(host_touch(t, addr + 6 * PAGE_SIZE, false), -EFAULT);
	vcpu_expect(vm, GPA + 7 * PAGE_SIZE, 0xd7, sizeof(buf));
	vcpu_expect(vm, GPA + 5 * PAGE_SIZE, 0x55, PAGE_SIZE);
	assert_int_equal(foliage_validate(m), 0);

	assert_int_equal(convert(f, 5 * PAGE_SIZE, PAGE_SIZE, true, 0, NULL),
			 0);
	assert_int_equal(gmem_stat(f).nr_folios[9], 1);
	assert_int_equal(gmem_stat(f).nr_folios[0], 0);
	assert_int_equal(gmem_stat(f).nr_reconstructs, 1);
	vcpu_expect(vm, GPA + 7 * PAGE_SIZE, 0xd7, sizeof(buf));
	assert_int_equal(host_touch(t, addr + 5 * PAGE_SIZE, false), -EFAULT);
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_munmap(t, addr, HP), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
	assert_int_equal(h2m()->free_huge_pages, 2);
	assert_int_equal(foliage_validate(m), 0);
}

/*
 * The shared page pinned: back to private fails with -EAGAIN at its
 * offset, no reconstruct; after the unpin it works.  A reference on
 * another base page of the huge page blocks the reconstruct too (the
 * range is rounded outward).
 */
static void test_pinned_blocks(void **state)
{
	struct foliage_file *f;
	unsigned long addr;
	struct folio *piece;
	uint64_t e = 0;

	(void)state;
	pool(2);
	f = new_huge_gmem(HP, GMEM_MMAP);
	assert_int_equal(foliage_fallocate(f, KEEP, 0, HP), 0);
	assert_int_equal(convert(f, 9 * PAGE_SIZE, PAGE_SIZE, false, 0, NULL),
			 0);
	addr = map_gmem(t, f, HP);
	assert_int_equal(foliage_pin(t, addr + 9 * PAGE_SIZE, PAGE_SIZE, true),
			 0);
	assert_int_equal(convert(f, 9 * PAGE_SIZE, PAGE_SIZE, true, 0, &e),
			 -EAGAIN);
	assert_int_equal(e, 9 * PAGE_SIZE);
	assert_int_equal(gmem_stat(f).nr_folios[0], 512);
	assert_int_equal(gmem_stat(f).nr_reconstructs, 0);
	assert_true(gmem_private(f, 9 * PAGE_SIZE, PAGE_SIZE, false));
	assert_int_equal(foliage_unpin(t, addr + 9 * PAGE_SIZE, PAGE_SIZE), 0);

	/* A kernel reference on base page 300 (private). */
	assert_int_equal(machine_enter(m), 0);
	piece = filemap_get_folio(f->file.f_mapping, 300);
	e = 0;
	assert_int_equal(convert(f, 9 * PAGE_SIZE, PAGE_SIZE, true, 0, &e),
			 -EAGAIN);
	assert_int_equal(e, 300 * PAGE_SIZE);
	assert_int_equal(machine_enter(m), 0);
	folio_put(piece);
	assert_int_equal(convert(f, 9 * PAGE_SIZE, PAGE_SIZE, true, 0, NULL),
			 0);
	assert_int_equal(gmem_stat(f).nr_folios[9], 1);
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_munmap(t, addr, HP), 0);
	foliage_file_put(f);
	assert_int_equal(h2m()->free_huge_pages, 2);
}

/*
 * Allocation when the huge range already has a shared page: split at
 * once; punching a split huge page whole reconstructs and frees it.
 */
static void test_alloc_split_and_punch(void **state)
{
	struct foliage_file *f;
	unsigned long addr;

	(void)state;
	pool(2);
	f = new_huge_gmem(2 * HP, GMEM_MMAP);
	assert_int_equal(convert(f, HP + 3 * PAGE_SIZE, PAGE_SIZE, false, 0,
				 NULL), 0);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 0);
	addr = map_gmem(t, f, 2 * HP);
	expect_fill(t, addr + HP + 3 * PAGE_SIZE, 0, PAGE_SIZE);
	fill(t, addr + HP + 3 * PAGE_SIZE, 0x31, PAGE_SIZE);
	assert_int_equal(gmem_stat(f).nr_folios[0], 512);
	assert_int_equal(gmem_stat(f).nr_splits, 1);
	assert_int_equal(h2m()->resv_huge_pages, 1);
	assert_int_equal(foliage_validate(m), 0);
	/* Punch all of huge page 1: made whole, freed, reserved again. */
	assert_int_equal(foliage_fallocate(f, PUNCH, HP, HP), 0);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 0);
	assert_int_equal(gmem_stat(f).nr_reconstructs, 1);
	assert_int_equal(h2m()->resv_huge_pages, 2);
	assert_true(gmem_private(f, HP + 3 * PAGE_SIZE, PAGE_SIZE, false));
	expect_fill(t, addr + HP + 3 * PAGE_SIZE, 0, PAGE_SIZE);
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_munmap(t, addr, 2 * HP), 0);
	foliage_file_put(f);
	assert_int_equal(h2m()->resv_huge_pages, 0);
	assert_int_equal(h2m()->free_huge_pages, 2);
	assert_int_equal(foliage_validate(m), 0);
}

/*
 * Single-page precision inside a 1 GiB folio: page 12345 shared splits it
 * straight into 262144 4 KiB folios, its neighbours stay private (SIGBUS
 * for the host), and back to private it is one order-18 folio again.
 */
static void test_1g_precision(void **state)
{
	struct foliage_machine *big = pt_machine(1, 2304);
	struct foliage_task *vmm = new_task(big, "vmm");
	struct hstate *h = &big->hugetlb->hstates[HSTATE_1G];
	const uint64_t p = 12345 * PAGE_SIZE;
	struct foliage_file *f = NULL;
	struct foliage_vm *vm = NULL;
	unsigned char buf[16];
	unsigned long addr;

	(void)state;
	assert_int_equal(foliage_set(big, "hugepages.hugepages-1048576kB/"
				     "nr_hugepages", "1"), 0);
	assert_int_equal(h->nr_huge_pages, 1);
	assert_int_equal(foliage_gmem_create(big, 1ULL << 30, GMEM_MMAP,
					     1ULL << 30, &f), 0);
	assert_int_equal(h->resv_huge_pages, 1);
	assert_int_equal(foliage_vm_create(big, &vm), 0);
	assert_int_equal(foliage_vm_memslot(vm, GPA, 1ULL << 30, f, 0), 0);
	memset(buf, 0x77, sizeof(buf));
	vcpu_put(vm, GPA + 777 * PAGE_SIZE, buf, sizeof(buf));
	assert_int_equal(gmem_stat(f).nr_folios[18], 1);
	assert_int_equal(h->resv_huge_pages, 0);

	assert_int_equal(convert(f, p, PAGE_SIZE, false, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_folios[18], 0);
	assert_int_equal(gmem_stat(f).nr_folios[0], 262144);
	assert_int_equal(gmem_stat(f).nr_ranges, 3);
	assert_int_equal(foliage_mmap(vmm, 0, 1ULL << 30, GRW,
				      FOLIAGE_MAP_SHARED, f, 0, &addr), 0);
	fill(vmm, addr + p, 0x12, PAGE_SIZE);
	assert_int_equal(host_touch(vmm, addr + p - PAGE_SIZE, false), -EFAULT);
	assert_int_equal(host_touch(vmm, addr + p + PAGE_SIZE, false), -EFAULT);
	vcpu_expect(vm, GPA + p, 0x12, PAGE_SIZE);
	vcpu_expect(vm, GPA + 777 * PAGE_SIZE, 0x77, sizeof(buf));
	assert_int_equal(foliage_validate(big), 0);

	assert_int_equal(convert(f, p, PAGE_SIZE, true, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_folios[18], 1);
	assert_int_equal(gmem_stat(f).nr_reconstructs, 1);
	vcpu_expect(vm, GPA + p, 0x12, PAGE_SIZE);
	assert_int_equal(foliage_validate(big), 0);
	assert_int_equal(foliage_munmap(vmm, addr, 1ULL << 30), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
	assert_int_equal(h->free_huge_pages, 1);
	assert_int_equal(h->resv_huge_pages, 0);
	assert_int_equal(foliage_exit(vmm), 0);
	pt_machine_done(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_reservation),
		FIXTURE_TEST(test_split_reconstruct),
		FIXTURE_TEST(test_pinned_blocks),
		FIXTURE_TEST(test_alloc_split_and_punch),
		cmocka_unit_test(test_1g_precision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
