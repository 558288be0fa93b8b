// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd files, written anew after Linux's guest_memfd_test.c: the
 * creation errors, the size, the fallocate outcome table on a 4-page file,
 * the mmap rules, SIGBUS on private pages and past EOF, INIT_SHARED
 * fill / punch / read back; then VMs: memslots, the vCPU's view through
 * KVM, the secondary MMU's invalidations, and the security rules (a
 * private page is never reachable from the host, and is cleared when
 * its folio is freed).
 */
#include "gmem_helpers.h"

#define TOTAL	(4 * PAGE_SIZE)

/* Flags: bits 0 (MMAP) and 1 (INIT_SHARED) are known, every other fails. */
static void test_create_flags(void **state)
{
	struct foliage_file *f;
	unsigned int bit;

	(void)state;
	for (bit = 0; bit < 64; bit++) {
		int ret = foliage_gmem_create(m, PAGE_SIZE, 1ULL << bit, 0, &f);

		if (bit < 2) {
			assert_int_equal(ret, 0);
			foliage_file_put(f);
		} else {
			assert_int_equal(ret, -EINVAL);
		}
	}
	assert_int_equal(foliage_gmem_create(m, PAGE_SIZE, 0, 0, NULL),
			 -EINVAL);
	assert_int_equal(foliage_gmem_create(NULL, PAGE_SIZE, 0, 0, &f),
			 -EINVAL);
}

/* A size of 0 or not a multiple of 4 KiB fails, with any flags. */
static void test_create_invalid_sizes(void **state)
{
	static const uint64_t flags[] = { 0, GMEM_MMAP,
					   GMEM_MMAP | GMEM_SHARED };
	struct foliage_file *f;
	unsigned int i;
	uint64_t size;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(foliage_gmem_create(m, 0, flags[i], 0, &f),
				 -EINVAL);
		for (size = 1; size < PAGE_SIZE; size++)
			assert_int_equal(foliage_gmem_create(m, size, flags[i],
							     0, &f), -EINVAL);
		assert_int_equal(foliage_gmem_create(m, PAGE_SIZE + 1,
						     flags[i], 0, &f), -EINVAL);
	}
}

/* Two files: their own sizes, their own inodes. */
static void test_create_multiple(void **state)
{
	struct foliage_file *f1 = new_gmem(m, PAGE_SIZE, 0);
	struct foliage_file *f2 = new_gmem(m, 2 * PAGE_SIZE, 0);

	(void)state;
	assert_int_equal(gmem_stat(f1).bytes, PAGE_SIZE);
	assert_int_equal(gmem_stat(f2).bytes, 2 * PAGE_SIZE);
	assert_int_not_equal(f1->file.f_inode->i_ino, f2->file.f_inode->i_ino);
	/* Default state: private; one range covers the file. */
	assert_int_equal(gmem_stat(f1).nr_ranges, 1);
	assert_int_equal(gmem_stat(f2).nr_private_pages, 2);
	assert_true(gmem_private(f2, 0, 2 * PAGE_SIZE, true));
	foliage_file_put(f2);
	foliage_file_put(f1);
	f1 = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	assert_int_equal(gmem_stat(f1).nr_private_pages, 0);
	assert_true(gmem_private(f1, 0, TOTAL, false));
	foliage_file_put(f1);
}

/*
 * fallocate on a 4-page file, upstream's table:
 *
 *   KEEP [0, 4p)		ok		PUNCH [p-1, 2p-1)	-EINVAL
 *   KEEP [4p, 5p)		-EINVAL		KEEP [5p, 6p)		-EINVAL
 *   PUNCH [4p, 5p)		ok		PUNCH [5p, 6p)		ok
 *   PUNCH [p, 2p-1)		-EINVAL		PUNCH [p, 2p)		ok
 *   KEEP [p, 2p)		ok (refills the hole)
 * and without KEEP_SIZE, or with another mode bit: -EOPNOTSUPP.
 */
static void fallocate_table(uint64_t flags)
{
	struct foliage_file *f = new_gmem(m, TOTAL, flags);
	const uint64_t p = PAGE_SIZE;

	assert_int_equal(foliage_fallocate(f, KEEP, 0, TOTAL), 0);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 4);
	assert_int_equal(foliage_fallocate(f, PUNCH, p - 1, p), -EINVAL);
	assert_int_equal(foliage_fallocate(f, KEEP, TOTAL, p), -EINVAL);
	assert_int_equal(foliage_fallocate(f, KEEP, TOTAL + p, p), -EINVAL);
	assert_int_equal(foliage_fallocate(f, PUNCH, TOTAL, p), 0);
	assert_int_equal(foliage_fallocate(f, PUNCH, TOTAL + p, p), 0);
	assert_int_equal(foliage_fallocate(f, PUNCH, p, p - 1), -EINVAL);
	assert_int_equal(foliage_fallocate(f, PUNCH, p, p), 0);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 3);
	assert_int_equal(foliage_fallocate(f, KEEP, p, p), 0);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 4);

	assert_int_equal(foliage_fallocate(f, 0, 0, p), -EOPNOTSUPP);
	assert_int_equal(foliage_fallocate(f, FOLIAGE_FALLOC_FL_PUNCH_HOLE, 0,
					   p), -EOPNOTSUPP);
	assert_int_equal(foliage_fallocate(f, KEEP | 0x08, 0, p), -EOPNOTSUPP);
	/* Punching keeps the pages' state. */
	assert_int_equal(gmem_stat(f).nr_private_pages,
			 flags & GMEM_SHARED ? 0 : 4);
	foliage_file_put(f);
}

static void test_fallocate(void **state)
{
	(void)state;
	fallocate_table(0);
	fallocate_table(GMEM_MMAP);
	fallocate_table(GMEM_MMAP | GMEM_SHARED);
}

/* Every PUNCH_HOLE with an unaligned offset or length: -EINVAL. */
static void test_invalid_punch_hole(void **state)
{
	const uint64_t p = PAGE_SIZE;
	const uint64_t cases[][2] = {
		{ 0, 1 }, { 0, p - 1 }, { 0, p + 1 },
		{ 1, 1 }, { 1, p - 1 }, { 1, p }, { 1, p + 1 },
		{ p, 1 }, { p, p - 1 }, { p, p + 1 },
	};
	struct foliage_file *f = new_gmem(m, TOTAL, 0);
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(foliage_fallocate(f, PUNCH, cases[i][0],
						   cases[i][1]), -EINVAL);
	/* vfs_fallocate(): a length of 0 */
	assert_int_equal(foliage_fallocate(f, PUNCH, 0, 0), -EINVAL);
	foliage_file_put(f);
	/*
	 * A memfd (shmem) takes vfs_fallocate()'s modes: KEEP_SIZE, and
	 * PUNCH_HOLE only with it; anything else is -EOPNOTSUPP.
	 */
	assert_int_equal(foliage_file_create(m, "plain", TOTAL, &f), 0);
	assert_int_equal(foliage_fallocate(f, KEEP, 0, p), 0);
	assert_int_equal(foliage_fallocate(f, FOLIAGE_FALLOC_FL_PUNCH_HOLE, 0,
					   p), -EOPNOTSUPP);
	assert_int_equal(foliage_fallocate(f, 0x10 | KEEP, 0, p),
			 -EOPNOTSUPP);
	assert_int_equal(foliage_fallocate(f, PUNCH, 0, p), 0);
	foliage_file_put(f);
}

/* mmap without GUEST_MEMFD_FLAG_MMAP: -ENODEV; MAP_PRIVATE: -EINVAL. */
static void test_mmap_rules(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, 0);
	unsigned long addr;

	(void)state;
	assert_int_equal(foliage_mmap(t, 0, PAGE_SIZE, GRW, FOLIAGE_MAP_SHARED,
				      f, 0, &addr), -ENODEV);
	assert_int_equal(foliage_mmap(t, 0, TOTAL, GRW, FOLIAGE_MAP_SHARED,
				      f, 0, &addr), -ENODEV);
	foliage_file_put(f);

	f = new_gmem(m, TOTAL, GMEM_MMAP);
	assert_int_equal(foliage_mmap(t, 0, TOTAL, GRW, FOLIAGE_MAP_PRIVATE,
				      f, 0, &addr), -EINVAL);
	foliage_file_put(f);
	f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	assert_int_equal(foliage_mmap(t, 0, TOTAL, GRW, FOLIAGE_MAP_PRIVATE,
				      f, 0, &addr), -EINVAL);
	foliage_file_put(f);
}

/*
 * INIT_SHARED: fill the file through a host mapping, punch the first
 * page: it reads zero, the rest keeps its bytes; write it again.
 */
static void test_mmap_supported(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	unsigned long addr = map_gmem(t, f, TOTAL);

	(void)state;
	/* The first fault sees zeros. */
	expect_fill(t, addr, 0, TOTAL);
	fill(t, addr, 0xaa, TOTAL);
	expect_fill(t, addr, 0xaa, TOTAL);
	assert_int_equal(foliage_fallocate(f, PUNCH, 0, PAGE_SIZE), 0);
	expect_fill(t, addr, 0, PAGE_SIZE);
	expect_fill(t, addr + PAGE_SIZE, 0xaa, TOTAL - PAGE_SIZE);
	fill(t, addr, 0xaa, PAGE_SIZE);
	expect_fill(t, addr, 0xaa, TOTAL);
	/* Host pages of guest_memfd count as file pages, not shmem. */
	assert_int_equal(gmem_stat(f).nr_folios[0], 4);
	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_file_put(f);
}

/*
 * A mapping four times the file: the write faults (SIGBUS) at EOF, the
 * bytes before it are written; a read past EOF faults too.
 */
static void test_fault_overflow(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	unsigned long addr = map_gmem(t, f, 4 * TOTAL), fault = 0;
	unsigned char *buf = malloc(4 * TOTAL);

	(void)state;
	memset(buf, 0xaa, 4 * TOTAL);
	assert_int_equal(foliage_access(t, addr, buf, 4 * TOTAL, true,
					&fault), -EFAULT);
	assert_int_equal(fault, addr + TOTAL);
	assert_int_equal(host_touch(t, addr + TOTAL, false), -EFAULT);
	expect_fill(t, addr, 0xaa, TOTAL);
	free(buf);
	assert_int_equal(foliage_munmap(t, addr, 4 * TOTAL), 0);
	foliage_file_put(f);
}

/* Without INIT_SHARED every page is private: SIGBUS at the first byte. */
static void test_fault_private(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP);
	unsigned long addr = map_gmem(t, f, TOTAL), fault = 0;
	unsigned char buf[64];

	(void)state;
	assert_int_equal(foliage_access(t, addr, buf, sizeof(buf), true,
					&fault), -EFAULT);
	assert_int_equal(fault, addr);
	assert_int_equal(host_touch(t, addr + 3 * PAGE_SIZE, false), -EFAULT);
	/* A pin faults the same way. */
	assert_int_equal(foliage_pin(t, addr, PAGE_SIZE, false), -EFAULT);
	/* Nothing was allocated for the host. */
	assert_int_equal(gmem_stat(f).nr_pages_cached, 0);
	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_file_put(f);
}

/* MADV_COLLAPSE (25) on a guest_memfd mapping: -EINVAL. */
static void test_collapse(void **state)
{
	struct foliage_file *f = new_gmem(m, 2 * MB, GMEM_MMAP | GMEM_SHARED);
	unsigned long addr = map_gmem(t, f, 2 * MB);

	(void)state;
	touch_read(t, addr, 2 * MB);
	assert_int_equal(foliage_madvise(t, addr, 2 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	assert_int_equal(foliage_madvise(t, addr, 2 * MB, 25), -EINVAL);
	assert_int_equal(foliage_madvise(t, addr, 2 * MB,
					 FOLIAGE_MADV_DONTNEED), 0);
	touch_read(t, addr, PAGE_SIZE);
	assert_int_equal(gmem_stat(f).nr_folios[9], 0);
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	foliage_file_put(f);
}

/*
 * Shared pages can be pinned; a punch takes the page out of the file but
 * the pin keeps the frame (and its bytes) until the unpin.
 */
static void test_pin_shared(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	unsigned long addr = map_gmem(t, f, TOTAL), pfn;

	(void)state;
	fill(t, addr, 0x33, TOTAL);
	pfn = pfn_at(t, addr);
	assert_int_equal(foliage_pin(t, addr, TOTAL, true), 0);
	assert_int_equal(foliage_fallocate(f, PUNCH, 0, PAGE_SIZE), 0);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 3);
	assert_true(mem_is(foliage_pfn_to_virt(m, pfn), 0x33, PAGE_SIZE));
	/* The host refaults a new zeroed page there. */
	expect_fill(t, addr, 0, PAGE_SIZE);
	assert_int_not_equal(pfn_at(t, addr), pfn);
	assert_int_equal(foliage_unpin(t, addr, TOTAL), 0);
	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_file_put(f);
}

/*
 * Memslots: GPA [4G, 4G + 16K) -> file [0, 16K).  An overlapping GPA range
 * or file range: -EEXIST; misaligned, empty, past EOF, not a guest_memfd:
 * -EINVAL.
 */
static void test_memslots(void **state)
{
	const uint64_t g = 4ULL << 30;
	struct foliage_file *f = new_gmem(m, TOTAL, 0), *plain;
	struct foliage_file *f2 = new_gmem(m, TOTAL, 0);
	struct foliage_vm *vm = new_vm(m), *vm2 = new_vm(m);

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, g, 2 * PAGE_SIZE, f, 0), 0);
	/* The same GPA again, another file: the GPA overlaps. */
	assert_int_equal(foliage_vm_memslot(vm, g + PAGE_SIZE, PAGE_SIZE, f2,
					    0), -EEXIST);
	/* Another GPA, an overlapping file range. */
	assert_int_equal(foliage_vm_memslot(vm, 2 * g, 2 * PAGE_SIZE, f,
					    PAGE_SIZE), -EEXIST);
	assert_int_equal(foliage_vm_memslot(vm2, g, PAGE_SIZE, f, PAGE_SIZE),
			 -EEXIST);
	/* The rest of the file is free. */
	assert_int_equal(foliage_vm_memslot(vm, 2 * g, 2 * PAGE_SIZE, f,
					    2 * PAGE_SIZE), 0);
	assert_int_equal(foliage_vm_memslot(vm, 3 * g + 1, PAGE_SIZE, f2, 0),
			 -EINVAL);
	assert_int_equal(foliage_vm_memslot(vm, 3 * g, PAGE_SIZE, f2, 1),
			 -EINVAL);
	assert_int_equal(foliage_vm_memslot(vm, 3 * g, 0, f2, 0), -EINVAL);
	assert_int_equal(foliage_vm_memslot(vm, 3 * g, 2 * PAGE_SIZE, f2,
					    3 * PAGE_SIZE), -EINVAL);
	assert_int_equal(foliage_file_create(m, "plain", TOTAL, &plain), 0);
	assert_int_equal(foliage_vm_memslot(vm, 3 * g, PAGE_SIZE, plain, 0),
			 -EINVAL);
	foliage_file_put(plain);
	assert_int_equal(vm_stat(vm).nr_memslots, 2);
	assert_int_equal(gmem_stat(f).nr_memslots, 2);
	/* No memslot there: -EFAULT. */
	{
		char c;

		assert_int_equal(foliage_vm_access(vm, 0, &c, 1, false),
				 -EFAULT);
	}
	foliage_vm_destroy(vm);
	assert_int_equal(gmem_stat(f).nr_memslots, 0);
	foliage_vm_destroy(vm2);
	foliage_file_put(f2);
	foliage_file_put(f);
}

/*
 * Upstream's guest test: the host fills the page with 0xaa, the guest
 * reads it and writes 0xff, the host reads 0xff back.  The guest's first
 * access to a private page reads zeros, for private and shared alike.
 */
static void test_vcpu_access(void **state)
{
	const uint64_t g = 4ULL << 30;
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	struct foliage_file *p = new_gmem(m, TOTAL, 0);
	struct foliage_vm *vm = new_vm(m);
	unsigned long addr = map_gmem(t, f, PAGE_SIZE);
	unsigned char buf[PAGE_SIZE];

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, g, TOTAL, f, 0), 0);
	assert_int_equal(foliage_vm_memslot(vm, 2 * g, TOTAL, p, 0), 0);
	fill(t, addr, 0xaa, PAGE_SIZE);
	vcpu_expect(vm, g, 0xaa, PAGE_SIZE);
	memset(buf, 0xff, sizeof(buf));
	vcpu_put(vm, g, buf, PAGE_SIZE);
	expect_fill(t, addr, 0xff, PAGE_SIZE);
	/* The vCPU and the host map one frame. */
	assert_int_equal(vm_stat(vm).sptes_present, 1);

	/* Private pages: zero on first use, then what the guest wrote. */
	vcpu_expect(vm, 2 * g, 0, TOTAL);
	memset(buf, 0x42, sizeof(buf));
	vcpu_put(vm, 2 * g + 100, buf, PAGE_SIZE);
	vcpu_get(vm, 2 * g + 100, buf, PAGE_SIZE);
	assert_true(mem_is(buf, 0x42, PAGE_SIZE));
	assert_int_equal(gmem_stat(p).nr_pages_cached, 4);
	assert_int_equal(vm_stat(vm).sptes_present, 5);
	/* Faults counted once per page: the rest hit the secondary MMU. */
	assert_int_equal(vm_stat(vm).sptes_installed, 5);

	/* A punch invalidates KVM's mappings of the range. */
	assert_int_equal(foliage_fallocate(p, PUNCH, 0, 2 * PAGE_SIZE), 0);
	assert_int_equal(vm_stat(vm).sptes_present, 3);
	assert_int_equal(vm_stat(vm).sptes_zapped, 2);
	assert_int_equal(vm_stat(vm).mmu_invalidations, 1);
	vcpu_expect(vm, 2 * g, 0, 2 * PAGE_SIZE);

	/* Closing the file unbinds it: the vCPU gets -EFAULT there. */
	foliage_file_put(p);
	assert_int_equal(foliage_vm_access(vm, 2 * g, buf, 1, false), -EFAULT);
	vcpu_expect(vm, g, 0xff, PAGE_SIZE);
	assert_int_equal(foliage_munmap(t, addr, PAGE_SIZE), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
}

/*
 * A private page's secret: never reachable through a host mapping, a pin
 * or pagemap, and cleared when its folio is freed.
 */
static void test_private_unreachable(void **state)
{
	const uint64_t g = 1ULL << 32;
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP);
	struct foliage_vm *vm = new_vm(m);
	unsigned long addr = map_gmem(t, f, TOTAL), pfn;
	struct foliage_pte_info pi;
	unsigned char secret[PAGE_SIZE];
	struct folio *folio;

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, g, TOTAL, f, 0), 0);
	memset(secret, 0x5e, sizeof(secret));
	vcpu_put(vm, g + PAGE_SIZE, secret, PAGE_SIZE);
	assert_int_equal(host_touch(t, addr + PAGE_SIZE, false), -EFAULT);
	assert_int_equal(host_touch(t, addr + PAGE_SIZE, true), -EFAULT);
	assert_int_equal(foliage_pin(t, addr + PAGE_SIZE, PAGE_SIZE, false),
			 -EFAULT);
	assert_int_equal(foliage_page_state(t, addr + PAGE_SIZE, &pi), 0);
	assert_false(pi.present);

	folio = filemap_get_folio(f->file.f_mapping, 1);
	assert_non_null(folio);
	pfn = folio_pfn(folio);
	folio_put(folio);
	assert_true(mem_is(foliage_pfn_to_virt(m, pfn), 0x5e, PAGE_SIZE));
	assert_int_equal(foliage_fallocate(f, PUNCH, PAGE_SIZE, PAGE_SIZE), 0);
	/* Freed, and cleared before it went. */
	assert_true(mem_is(foliage_pfn_to_virt(m, pfn), 0, PAGE_SIZE));
	/* The guest reads zeros there now; the host still gets SIGBUS. */
	vcpu_expect(vm, g + PAGE_SIZE, 0, PAGE_SIZE);
	assert_int_equal(host_touch(t, addr + PAGE_SIZE, false), -EFAULT);
	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);

	/* The last close clears the private pages it frees too. */
	vcpu_put(vm, g + 2 * PAGE_SIZE, secret, PAGE_SIZE);
	folio = filemap_get_folio(f->file.f_mapping, 2);
	pfn = folio_pfn(folio);
	folio_put(folio);
	foliage_file_put(f);
	assert_true(mem_is(foliage_pfn_to_virt(m, pfn), 0, PAGE_SIZE));
	foliage_vm_destroy(vm);
}

/* Two tasks mapping one guest_memfd see one page cache. */
static void test_two_tasks(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	struct foliage_task *b = new_task(m, "b");
	unsigned long pa = map_gmem(t, f, TOTAL), pb = map_gmem(b, f, TOTAL);

	(void)state;
	fill(t, pa, 0x11, TOTAL);
	expect_fill(b, pb, 0x11, TOTAL);
	assert_int_equal(pfn_at(t, pa + PAGE_SIZE), pfn_at(b, pb + PAGE_SIZE));
	foliage_file_put(f);
	assert_int_equal(foliage_exit(b), 0);
	expect_fill(t, pa, 0x11, TOTAL);
	assert_int_equal(foliage_munmap(t, pa, TOTAL), 0);
}

/*
 * The validator catches what the rules forbid: a private page the host
 * maps, and an spte left behind for a page the file dropped.
 */
static void test_validator(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	struct foliage_vm *vm = new_vm(m);
	unsigned long addr = map_gmem(t, f, TOTAL);
	struct gmem_inode *gi = f->file.f_inode->i_private;
	struct folio *folio;

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, 1ULL << 32, TOTAL, f, 0), 0);
	fill(t, addr, 1, TOTAL);
	vcpu_expect(vm, 1ULL << 32, 1, TOTAL);
	assert_int_equal(foliage_validate(m), 0);

	/* Page 2 turned private behind everyone's back, still mapped. */
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(range_attr_prealloc(&gi->attrs), 0);
	range_attr_set(&gi->attrs, 2, 3, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_not_equal(foliage_validate(m), 0);
	assert_non_null(strstr(foliage_first_bug(m),
			       "private page 2 mapped by the host"));
	assert_int_equal(machine_enter(m), 0);
	range_attr_set(&gi->attrs, 2, 3, 0);
	m->nr_bugs = 0;
	assert_int_equal(foliage_validate(m), 0);

	/* A folio dropped without zapping KVM's mapping of it. */
	assert_int_equal(machine_enter(m), 0);
	folio = f->file.f_mapping->i_pages[3];
	f->file.f_mapping->i_pages[3] = NULL;
	f->file.f_mapping->nrpages--;
	assert_int_not_equal(foliage_validate(m), 0);
	assert_int_equal(machine_enter(m), 0);
	f->file.f_mapping->i_pages[3] = folio;
	f->file.f_mapping->nrpages++;
	m->nr_bugs = 0;
	assert_int_equal(foliage_validate(m), 0);

	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
}

/*
 * Allocation failures (fail_page_alloc): a vCPU fault or a host fault
 * that cannot get its page fails with nothing cached and nothing mapped;
 * fallocate stops where it failed (Linux keeps what it allocated); every
 * page goes at close.
 */
static void test_alloc_failures(void **state)
{
	struct foliage_file *f = new_gmem(m, TOTAL, GMEM_MMAP | GMEM_SHARED);
	struct foliage_vm *vm = new_vm(m);
	unsigned long addr = map_gmem(t, f, TOTAL);
	unsigned long file0 = vmstat(m, "nr_file_pages");
	unsigned char c;

	(void)state;
	assert_int_equal(foliage_vm_memslot(vm, 1ULL << 32, TOTAL, f, 0), 0);
	fail_allocs(m, "0", "1");
	assert_int_equal(foliage_vm_access(vm, 1ULL << 32, &c, 1, true),
			 -ENOMEM);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 0);
	assert_int_equal(vm_stat(vm).sptes_present, 0);
	fail_allocs(m, "0", "1");
	assert_int_equal(foliage_access(t, addr, &c, 1, true, NULL), -ENOMEM);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 0);
	fail_allocs_off(m);
	assert_int_equal(foliage_validate(m), 0);

	/* fallocate: the third page fails, two stay. */
	assert_int_equal(foliage_set(m, "fail_page_alloc.interval", "3"), 0);
	fail_allocs(m, "0", "1");
	assert_int_equal(foliage_fallocate(f, KEEP, 0, TOTAL), -ENOMEM);
	assert_int_equal(foliage_set(m, "fail_page_alloc.interval", "1"), 0);
	fail_allocs_off(m);
	assert_int_equal(gmem_stat(f).nr_pages_cached, 2);
	assert_int_equal(vmstat(m, "nr_file_pages"), file0 + 2);
	assert_int_equal(foliage_validate(m), 0);

	assert_int_equal(foliage_munmap(t, addr, TOTAL), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(f);
	assert_int_equal(vmstat(m, "nr_file_pages"), file0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_create_flags),
		FIXTURE_TEST(test_create_invalid_sizes),
		FIXTURE_TEST(test_create_multiple),
		FIXTURE_TEST(test_fallocate),
		FIXTURE_TEST(test_invalid_punch_hole),
		FIXTURE_TEST(test_mmap_rules),
		FIXTURE_TEST(test_mmap_supported),
		FIXTURE_TEST(test_fault_overflow),
		FIXTURE_TEST(test_fault_private),
		FIXTURE_TEST(test_collapse),
		FIXTURE_TEST(test_pin_shared),
		FIXTURE_TEST(test_memslots),
		FIXTURE_TEST(test_vcpu_access),
		FIXTURE_TEST(test_private_unreachable),
		FIXTURE_TEST(test_two_tasks),
		FIXTURE_TEST(test_validator),
		FIXTURE_TEST(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
