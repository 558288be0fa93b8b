// SPDX-License-Identifier: GPL-2.0
/*
 * In-place conversion of guest_memfd pages (KVM_SET_MEMORY_ATTRIBUTES2 on
 * the file), after the conversion series' guest_memfd_conversions_test.c:
 * every -EINVAL, the no-op, a pinned page refusing the conversion to
 * private with its error_offset and nothing changed, the host's mappings
 * zapped, ZERO and PRESERVE, conversion before allocation, punching a
 * private page, and the attribute ranges merging.
 */
#include "gmem_helpers.h"

#define P	PAGE_SIZE
#define TOTAL	(4 * P)
#define GPA	(4ULL << 30)

static void test_einval(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	uint64_t e = 1;

	(void)state;
	/* Unknown flags, ZERO|PRESERVE, attributes other than PRIVATE. */
	assert_int_equal(convert(f, 0, P, false, 1ULL << 2, NULL), -EINVAL);
	assert_int_equal(convert(f, 0, P, false, 3, NULL), -EINVAL);
	assert_int_equal(foliage_gmem_convert(f, 0, P, 1, 0, &e), -EINVAL);
	e = 0;
	assert_int_equal(foliage_gmem_convert(f, 0, P, PRIVATE_ATTR | 1, 0,
					      &e), -EINVAL);
	/* A non-zero error_offset going in. */
	e = P;
	assert_int_equal(foliage_gmem_convert(f, 0, P, PRIVATE_ATTR, 0, &e),
			 -EINVAL);
	/* Size 0, overflow, misalignment, past EOF. */
	assert_int_equal(convert(f, 0, 0, true, 0, NULL), -EINVAL);
	assert_int_equal(convert(f, ~0ULL - P + 1, 2 * P, true, 0, NULL),
			 -EINVAL);
	assert_int_equal(convert(f, 1, P, true, 0, NULL), -EINVAL);
	assert_int_equal(convert(f, 0, P + 1, true, 0, NULL), -EINVAL);
	assert_int_equal(convert(f, 3 * P, 2 * P, true, 0, NULL), -EINVAL);
	assert_int_equal(convert(f, TOTAL, P, true, 0, NULL), -EINVAL);
	/* ZERO going private. */
	assert_int_equal(convert(f, 0, P, true,
				 FOLIAGE_GMEM_CONVERT_ZERO, NULL), -EINVAL);
	/* Not a guest_memfd. */
	{
		struct foliage_file *plain;

		assert_int_equal(foliage_file_create(m, "x", TOTAL, &plain), 0);
		assert_int_equal(convert(plain, 0, P, true, 0, NULL), -EINVAL);
		foliage_file_put(plain);
	}
	/* Nothing changed. */
	assert_int_equal(gmem_stat(f).nr_conversions, 0);
	assert_true(gmem_private(f, 0, TOTAL, false));
	foliage_file_put(f);
}

/* A range that already has the attributes: 0 at once, nothing done. */
static void test_noop(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP);

	(void)state;
	assert_int_equal(convert(f, 0, TOTAL, true, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_conversions, 0);
	assert_int_equal(gmem_stat(f).nr_invalidations, 0);
	assert_int_equal(convert(f, P, P, false, 0, NULL), 0);
	assert_int_equal(convert(f, P, P, false, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_conversions, 1);
	foliage_file_put(f);
}

/*
 * Page k of 4 pinned by the host: the bulk conversion to private fails
 * with -EAGAIN at k * 4096 and all four stay shared; each page i != k
 * converts alone; after the unpin the bulk conversion succeeds.
 *
 *   page   0   1   2   3
 *          S   S   S   S       k pinned (GUP)
 */
static void test_pinned_page(void **state)
{
	unsigned int k, i;

	(void)state;
	for (k = 0; k < 4; k++) {
		struct foliage_file *f = new_gmem(m, TOTAL,
						  GMEM_MMAP | GMEM_SHARED);
		unsigned long addr = map_gmem(t, f, TOTAL);
		uint64_t e = 0;

		fill(t, addr, 0x10 + k, TOTAL);
		assert_int_equal(foliage_pin(t, addr + k * P, P, true), 0);
		assert_int_equal(convert(f, 0, TOTAL, true, 0, &e), -EAGAIN);
		assert_int_equal(e, k * P);
		assert_true(gmem_private(f, 0, TOTAL, false));
		assert_int_equal(gmem_stat(f).nr_conversions, 0);
		/* The pinned page is still the host's, bytes and all. */
		expect_fill(t, addr + k * P, 0x10 + k, P);
		for (i = 0; i < 4; i++) {
			if (i == k)
				continue;
			assert_int_equal(convert(f, i * P, P, true, 0, &e), 0);
			assert_true(gmem_private(f, i * P, P, true));
			assert_int_equal(host_touch(t, addr + i * P, false),
					 -EFAULT);
		}
		assert_int_equal(convert(f, k * P, P, true, 0, &e), -EAGAIN);
		assert_int_equal(e, k * P);
		assert_int_equal(foliage_unpin(t, addr + k * P, P), 0);
		assert_int_equal(convert(f, 0, TOTAL, true, 0, &e), 0);
		assert_true(gmem_private(f, 0, TOTAL, true));
		assert_int_equal(gmem_stat(f).nr_ranges, 1);
		assert_int_equal(host_touch(t, addr + k * P, false), -EFAULT);
		assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
		foliage_file_put(f);
	}
}

/*
 * An extra reference (the kernel's, not a mapping's) refuses it too; the
 * first offender in ascending order names error_offset.
 */
static void test_extra_reference(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_SHARED);
	struct folio *f1, *f3;
	uint64_t e = 0;

	(void)state;
	assert_int_equal(foliage_fallocate(f, KEEP, 0, TOTAL), 0);
	assert_int_equal(machine_enter(m), 0);
	f3 = filemap_get_folio(f->file.f_mapping, 3);
	f1 = filemap_get_folio(f->file.f_mapping, 1);
	assert_int_equal(convert(f, 0, TOTAL, true, 0, &e), -EAGAIN);
	assert_int_equal(e, P);
	assert_int_equal(machine_enter(m), 0);
	folio_put(f1);
	e = 0;
	assert_int_equal(convert(f, 0, TOTAL, true, 0, &e), -EAGAIN);
	assert_int_equal(e, 3 * P);
	assert_true(gmem_private(f, 0, TOTAL, false));
	assert_int_equal(machine_enter(m), 0);
	folio_put(f3);
	assert_int_equal(convert(f, 0, TOTAL, true, 0, NULL), 0);
	foliage_file_put(f);
}

/* Mapped, not pinned: the conversion zaps the host's PTEs first. */
static void test_mapped_unmapped(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	struct foliage_task *b = new_task(m, "b");
	unsigned long pa = map_gmem(t, f, TOTAL), pb = map_gmem(b, f, TOTAL);
	struct foliage_pte_info pi;

	(void)state;
	fill(t, pa, 0x77, TOTAL);
	touch_read(b, pb, TOTAL);
	assert_int_equal(convert(f, P, 2 * P, true, 0, NULL), 0);
	assert_int_equal(foliage_page_state(t, pa + P, &pi), 0);
	assert_false(pi.present);
	assert_int_equal(foliage_page_state(b, pb + 2 * P, &pi), 0);
	assert_false(pi.present);
	/* Pages 0 and 3 stay mapped in both. */
	assert_int_equal(foliage_page_state(b, pb + 3 * P, &pi), 0);
	assert_true(pi.present);
	assert_int_equal(host_touch(b, pb + P, false), -EFAULT);
	assert_int_equal(host_touch(t, pa + 2 * P, true), -EFAULT);
	expect_fill(b, pb, 0x77, P);
	/* Back to shared without ZERO: the bytes stayed (PRESERVE-like). */
	assert_int_equal(convert(f, P, 2 * P, false, 0, NULL), 0);
	expect_fill(b, pb, 0x77, TOTAL);
	assert_int_equal(foliage_exit(b), 0);
	assert_int_equal(foliage_munmap(t, pa, TOTAL), 0);
	foliage_file_put(f);
}

/*
 * The guest writes its private pages; going shared with ZERO the host
 * reads zeros, with PRESERVE the guest's bytes.  Pages already shared in
 * the range are not "becoming shared": ZERO leaves them.
 */
static void test_zero_preserve(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP);
	struct foliage_vm *vm = new_vm(m);
	unsigned long addr = map_gmem(t, f, TOTAL);
	unsigned char buf[TOTAL];

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, GPA, TOTAL, f, 0), 0);
	memset(buf, 0xc3, sizeof(buf));
	vcpu_put(vm, GPA, buf, TOTAL);
	assert_int_equal(convert(f, 3 * P, P, false, 0, NULL), 0);
	fill(t, addr + 3 * P, 0x3c, P);
	assert_int_equal(convert(f, 0, P, false,
				 FOLIAGE_GMEM_CONVERT_PRESERVE, NULL), 0);
	expect_fill(t, addr, 0xc3, P);
	assert_int_equal(convert(f, P, 3 * P, false,
				 FOLIAGE_GMEM_CONVERT_ZERO, NULL), 0);
	expect_fill(t, addr + P, 0, 2 * P);
	expect_fill(t, addr + 3 * P, 0x3c, P);
	/* The guest sees what the host sees: one page cache. */
	vcpu_expect(vm, GPA + P, 0, 2 * P);
	vcpu_expect(vm, GPA + 3 * P, 0x3c, P);
	assert_int_equal(gmem_stat(f).nr_ranges, 1);
	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
}

/*
 * Conversion before allocation is recorded: the host's first fault on a
 * page made shared sees zeros, then the guest sees the host's bytes.
 */
static void test_convert_before_alloc(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP);
	struct foliage_vm *vm = new_vm(m);
	unsigned long addr = map_gmem(t, f, TOTAL);

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, GPA, TOTAL, f, 0), 0);
	assert_int_equal(convert(f, 2 * P, P, false, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 0);
	expect_fill(t, addr + 2 * P, 0, P);
	fill(t, addr + 2 * P, 0x21, P);
	vcpu_expect(vm, GPA + 2 * P, 0x21, P);
	assert_int_equal(host_touch(t, addr + P, false), -EFAULT);
	/* Punching a shared page keeps it shared. */
	assert_int_equal(foliage_fallocate(f, PUNCH, 2 * P, P), 0);
	assert_true(gmem_private(f, 2 * P, P, false));
	expect_fill(t, addr + 2 * P, 0, P);
	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
}

/*
 * Punching a private page: the guest reads 0 afterwards, the host still
 * gets SIGBUS; and the conversion zaps KVM's mappings of its range.
 */
static void test_punch_private_and_invalidate(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	struct foliage_vm *vm = new_vm(m);
	unsigned long addr = map_gmem(t, f, TOTAL);
	unsigned char buf[P];

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, GPA, TOTAL, f, 0), 0);
	vcpu_expect(vm, GPA, 0, TOTAL);
	assert_int_equal(vm_stat(vm).sptes_present, 4);
	assert_int_equal(convert(f, 0, 2 * P, true, 0, NULL), 0);
	assert_int_equal(vm_stat(vm).sptes_present, 2);
	assert_int_equal(vm_stat(vm).sptes_zapped, 2);
	memset(buf, 0x99, sizeof(buf));
	vcpu_put(vm, GPA + P, buf, P);
	assert_int_equal(foliage_fallocate(f, PUNCH, P, P), 0);
	vcpu_expect(vm, GPA + P, 0, P);
	assert_int_equal(host_touch(t, addr + P, false), -EFAULT);
	assert_true(gmem_private(f, P, P, true));
	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
}

/*
 *   page  0 1 2 3 4 5 6 7
 *         P S P S P P P P    four conversions to shared: 5 ranges
 *         P P P P P P P P    one to private over all: 1 range
 */
static void test_ranges_merge(void **state)
{
	struct foliage_file *f = new_gmem(m, 8 * P, 0);
	uint64_t s, e;
	bool priv;

	(void)state;
	assert_int_equal(convert(f, P, P, false, 0, NULL), 0);
	assert_int_equal(convert(f, 3 * P, P, false, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_ranges, 5);
	assert_int_equal(foliage_gmem_range(f, 3, &s, &e, &priv), 0);
	assert_int_equal(s, 3 * P);
	assert_int_equal(e, 4 * P);
	assert_false(priv);
	assert_int_equal(foliage_gmem_range(f, 5, &s, &e, &priv), -ENOENT);
	assert_int_equal(convert(f, 2 * P, P, false, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_ranges, 3);
	assert_int_equal(convert(f, 0, 8 * P, true, 0, NULL), 0);
	assert_int_equal(gmem_stat(f).nr_ranges, 1);
	assert_int_equal(gmem_stat(f).nr_private_pages, 8);
	foliage_file_put(f);
}

/*
 * The attribute ranges' preallocation failing (failslab, as the series'
 * maple tree preallocation can): -ENOMEM, error_offset the range's start,
 * nothing changed; creation fails the same way with nothing left.
 */
static void test_enomem(void **state)
{
	struct foliage_file *f = new_gmem(m, 8 * P, GMEM_MMAP), *g = NULL;
	uint64_t e = 0;

	(void)state;
	assert_int_equal(foliage_set(m, "failslab.times", "1"), 0);
	assert_int_equal(foliage_set(m, "failslab.probability", "100"), 0);
	assert_int_equal(convert(f, 2 * P, 3 * P, false, 0, &e), -ENOMEM);
	assert_int_equal(e, 2 * P);
	assert_int_equal(gmem_stat(f).nr_ranges, 1);
	assert_int_equal(gmem_stat(f).nr_private_pages, 8);
	assert_int_equal(gmem_stat(f).nr_conversions, 0);
	assert_int_equal(foliage_set(m, "failslab.times", "1"), 0);
	assert_int_equal(foliage_gmem_create(m, 8 * P, 0, 0, &g), -ENOMEM);
	assert_null(g);
	assert_int_equal(foliage_set(m, "failslab.probability", "0"), 0);
	assert_int_equal(convert(f, 2 * P, 3 * P, false, 0, &e), 0);
	assert_int_equal(gmem_stat(f).nr_private_pages, 5);
	foliage_file_put(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_einval),
		FIXTURE_TEST(test_noop),
		FIXTURE_TEST(test_pinned_page),
		FIXTURE_TEST(test_extra_reference),
		FIXTURE_TEST(test_mapped_unmapped),
		FIXTURE_TEST(test_zero_preserve),
		FIXTURE_TEST(test_convert_before_alloc),
		FIXTURE_TEST(test_punch_private_and_invalidate),
		FIXTURE_TEST(test_ranges_merge),
		FIXTURE_TEST(test_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
