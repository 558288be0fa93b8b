// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 machine (docs/arch.md): its PTE encodings, accessor by
 * accessor on hand-built entries (Linux 6.18's arch/arm64 semantics,
 * hardware DBM dirtiness included); swap and migration entries that keep
 * their bits through a round trip; the contiguous bit kept by the generic
 * helpers; and the TLBI instructions its TLB maintenance issues.
 */
#include "pt_helpers.h"
#include <asm-generic/tlb.h>

#define PFN		0x12345UL
#define BASE		(1UL << 30)

static struct foliage_machine *arm64_machine(void)
{
	struct foliage_config cfg;
	struct foliage_machine *m = NULL;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = 256UL << 20;
	cfg.arch = FOLIAGE_ARCH_ARM64;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_true(arch_is_arm64());
	return m;
}

static int arm64_setup(void **state)
{
	*state = arm64_machine();
	return 0;
}

static int arm64_teardown(void **state)
{
	test_machine_done(*state);
	return 0;
}

/* The protections, bit by bit, as arm64 Linux builds them. */
static void test_protections(void **state)
{
	assert_int_equal(vm_get_page_prot(VM_READ | VM_WRITE).pgprot,
			 0x0060000000000fc3ULL);
	assert_int_equal(vm_get_page_prot(VM_READ).pgprot,
			 0x0060000000000fc3ULL);
	assert_int_equal(vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED).pgprot,
			 0x0068000000000fc3ULL);
	assert_int_equal(vm_get_page_prot(VM_READ | VM_EXEC).pgprot,
			 0x0020000000000fc3ULL);
	assert_int_equal(vm_get_page_prot(VM_NONE).pgprot,
			 0x0060000000000f82ULL);
	/* PTE_USER, PTE_RDONLY, PTE_AF, nG, PXN, UXN at their bits. */
	assert_int_equal(PTE_USER, 1ULL << 6);
	assert_int_equal(PTE_RDONLY, 1ULL << 7);
	assert_int_equal(PTE_AF, 1ULL << 10);
	assert_int_equal(PTE_NG, 1ULL << 11);
	assert_int_equal(PTE_WRITE, 1ULL << 51);
	assert_int_equal(PTE_CONT, 1ULL << 52);
	assert_int_equal(PTE_PXN, 1ULL << 53);
	assert_int_equal(PTE_UXN, 1ULL << 54);
	assert_int_equal(PTE_DIRTY, 1ULL << 55);
	assert_int_equal(PTE_SPECIAL, 1ULL << 56);
	assert_int_equal(PTE_UFFD_WP, 1ULL << 58);
}

/* A private writable page through its life: RO, writable, dirty, clean. */
static void test_pte_dbm_dirty(void **state)
{
	pte_t pte = pfn_pte(PFN, vm_get_page_prot(VM_READ | VM_WRITE));

	assert_true(pte_present(pte));
	assert_true(pte_valid(pte));
	assert_false(pte_protnone(pte));
	assert_int_equal(pte_pfn(pte), PFN);
	assert_false(pte_write(pte));
	assert_false(pte_dirty(pte));
	assert_true(pte_young(pte));
	assert_false(pte_special(pte));

	/* Writable but clean: PTE_WRITE with PTE_RDONLY still set. */
	pte = pte_mkwrite(pte);
	assert_true(pte_write(pte));
	assert_true(pte_val(pte) & PTE_RDONLY);
	assert_false(pte_dirty(pte));

	/* Dirty: software PTE_DIRTY, and hardware dirty (RDONLY clear). */
	pte = pte_mkdirty(pte);
	assert_true(pte_dirty(pte));
	assert_true(pte_val(pte) & PTE_DIRTY);
	assert_false(pte_val(pte) & PTE_RDONLY);
	assert_true(pte_soft_dirty(pte));

	/* Hardware-dirty only (what the MMU leaves after a write). */
	pte = __pte((pte_val(pte) & ~PTE_DIRTY));
	assert_true(pte_dirty(pte));
	/* wrprotect moves it into PTE_DIRTY: still dirty, not writable. */
	pte = pte_wrprotect(pte);
	assert_false(pte_write(pte));
	assert_true(pte_val(pte) & PTE_RDONLY);
	assert_true(pte_val(pte) & PTE_DIRTY);
	assert_true(pte_dirty(pte));
	/* Writable again: sw-dirty, so hardware dirty at once. */
	pte = pte_mkwrite(pte);
	assert_false(pte_val(pte) & PTE_RDONLY);
	/* Clean: PTE_DIRTY cleared and PTE_RDONLY set, still writable. */
	pte = pte_mkclean(pte);
	assert_false(pte_dirty(pte));
	assert_true(pte_write(pte));
	assert_true(pte_val(pte) & PTE_RDONLY);

	pte = pte_mkold(pte);
	assert_false(pte_young(pte));
	assert_false(pte_val(pte) & PTE_AF);
	pte = pte_mkyoung(pte);
	assert_true(pte_val(pte) & PTE_AF);
	assert_true(pte_special(pte_mkspecial(pte)));
	assert_true(pte_val(pte_mkspecial(pte)) & PTE_SPECIAL);
	assert_false(pte_soft_dirty(pte_clear_soft_dirty(pte_mksoft_dirty(pte))));
	/* uffd-wp write-protects, as Linux's pte_mkuffd_wp(). */
	pte = pte_mkuffd_wp(pte);
	assert_true(pte_uffd_wp(pte));
	assert_false(pte_write(pte));
	assert_false(pte_uffd_wp(pte_clear_uffd_wp(pte)));
	assert_int_equal(pte_pfn(pte), PFN);
}

/* PROT_NONE is present-invalid; pte_modify() keeps pfn and dirtiness. */
static void test_pte_protnone_modify(void **state)
{
	pgprot_t shared = vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED);
	pgprot_t none = vm_get_page_prot(VM_NONE);
	pte_t pte = pte_mkdirty(pfn_pte(PFN, shared)), p;

	assert_true(pte_dirty(pte));
	assert_false(pte_val(pte) & PTE_RDONLY);
	p = pte_modify(pte, none);
	assert_true(pte_present(p));
	assert_false(pte_valid(p));
	assert_true(pte_protnone(p));
	assert_true(pte_dirty(p));
	assert_int_equal(pte_pfn(p), PFN);
	assert_false(pte_write(p));
	/* Back to shared writable: hardware dirty again. */
	p = pte_modify(p, shared);
	assert_true(pte_valid(p));
	assert_true(pte_write(p));
	assert_true(pte_dirty(p));
	assert_false(pte_val(p) & PTE_RDONLY);
	/* Hardware dirtiness survives a read-only protection. */
	p = pte_modify(__pte(pte_val(pte) & ~PTE_DIRTY),
		       vm_get_page_prot(VM_READ));
	assert_true(pte_dirty(p));
	assert_false(pte_write(p));
	/* A clean PTE made PROT_NONE is not dirty. */
	assert_false(pte_dirty(pte_modify(pfn_pte(PFN, shared), none)));
}

/* Huge PMDs are block entries; tables are 0b11 with AF and PXNTable. */
static void test_pmd_encoding(void **state)
{
	pmd_t pmd = pmd_mkhuge(pfn_pmd(0x400, vm_get_page_prot(VM_READ)));

	assert_int_equal(pmd_val(pmd) & PMD_TYPE_MASK, PMD_TYPE_SECT);
	assert_true(pmd_present(pmd));
	assert_true(pmd_trans_huge(pmd));
	assert_true(pmd_leaf(pmd));
	assert_false(pmd_is_table(pmd));
	assert_int_equal(pmd_pfn(pmd), 0x400);
	/* Invalidated: not valid to the MMU, still a huge PMD to mm. */
	pmd = pmd_mkinvalid(pmd);
	assert_false(pmd_val(pmd) & PTE_VALID);
	assert_true(pmd_present(pmd));
	assert_true(pmd_trans_huge(pmd));
	assert_false(pmd_protnone(pmd));
	assert_int_equal(table_entry(0x777),
			 (0x777ULL << 12) | 3 | (1ULL << 10) | (1ULL << 59));
	assert_true(pmd_is_table(__pmd(table_entry(0x777))));
	assert_false(pmd_trans_huge(__pmd(table_entry(0x777))));
	assert_int_equal(table_entry_pfn(table_entry(0x777)), 0x777);
}

/* Every migration entry keeps its pfn, type and bits through a PTE. */
static void test_swap_roundtrip(void **state)
{
	static const struct { bool write, excl; unsigned int type; } kinds[] = {
		{ true, false, SWP_MIGRATION_WRITE },
		{ false, true, SWP_MIGRATION_READ_EXCLUSIVE },
		{ false, false, SWP_MIGRATION_READ },
	};
	unsigned int i, bits;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		for (bits = 0; bits < 32; bits++) {
			swp_entry_t e = make_migration_entry(PFN, kinds[i].write,
							     kinds[i].excl);
			pte_t pte;

			if (bits & 1)
				e = make_migration_entry_young(e);
			if (bits & 2)
				e = make_migration_entry_dirty(e);
			pte = swp_entry_to_pte(e);
			if (bits & 4)
				pte = pte_swp_mksoft_dirty(pte);
			if (bits & 8)
				pte = pte_swp_mkuffd_wp(pte);
			if (bits & 16)
				pte = pte_swp_mkexclusive(pte);
			/* Invalid, not present-invalid, not none. */
			assert_int_equal(pte_val(pte) & (PTE_TYPE_MASK | PTE_NG), 0);
			assert_false(pte_none(pte));
			assert_false(pte_present(pte));
			assert_true(is_swap_pte(pte));
			assert_int_equal((pte_val(pte) >> 6) & 31, kinds[i].type);
			e = pte_to_swp_entry(pte);
			assert_int_equal(swp_type(e), kinds[i].type);
			assert_true(is_migration_entry(e));
			assert_int_equal(is_writable_migration_entry(e),
					 kinds[i].write);
			assert_int_equal(swp_offset_pfn(e), PFN);
			assert_int_equal(is_migration_entry_young(e), !!(bits & 1));
			assert_int_equal(is_migration_entry_dirty(e), !!(bits & 2));
			assert_int_equal(pte_swp_soft_dirty(pte), !!(bits & 4));
			assert_int_equal(pte_swp_uffd_wp(pte), !!(bits & 8));
			assert_int_equal(pte_swp_exclusive(pte), !!(bits & 16));
			assert_int_equal(pte_val(pte) & PTE_SWP_EXCLUSIVE,
					 (bits & 16) ? 1ULL << 2 : 0);
			assert_int_equal(pte_val(pte) & PTE_SWP_UFFD_WP,
					 (bits & 8) ? 1ULL << 3 : 0);
		}
	}
}

/* The contiguous bit goes through every generic helper untouched. */
static void test_cont_preserved(void **state)
{
	pgprot_t prot = vm_get_page_prot(VM_READ | VM_WRITE | VM_SHARED);
	pte_t pte = pte_mkcont(pfn_pte(PFN, prot)), table[4];
	unsigned int i;

	assert_true(pte_cont(pte));
	assert_true(pte_val(pte) & (1ULL << 52));
	assert_true(pte_cont(pte_mkold(pte)));
	assert_true(pte_cont(pte_mkyoung(pte)));
	assert_true(pte_cont(pte_mkdirty(pte)));
	assert_true(pte_cont(pte_mkclean(pte)));
	assert_true(pte_cont(pte_wrprotect(pte)));
	assert_true(pte_cont(pte_mkwrite(pte)));
	assert_true(pte_cont(pte_mkspecial(pte)));
	assert_true(pte_cont(pte_mksoft_dirty(pte)));
	assert_true(pte_cont(pte_mkuffd_wp(pte)));
	assert_true(pte_cont(pte_modify(pte, vm_get_page_prot(VM_READ))));
	assert_false(pte_cont(pte_mknoncont(pte)));

	/* A batch hint covers the rest of the 16-entry block, 1 if not CONT. */
	{
		pte_t block[CONT_PTES] __attribute__((aligned(128)));

		assert_int_equal(pte_batch_hint(&block[0], pte), 16);
		assert_int_equal(pte_batch_hint(&block[5], pte), 11);
		assert_int_equal(pte_batch_hint(&block[15], pte), 1);
		assert_int_equal(pte_batch_hint(&block[5], pte_mknoncont(pte)), 1);
	}
	/* set_ptes() decides PTE_CONT itself: 4 entries are no block. */
	set_ptes(table, pte, 4);
	for (i = 0; i < 4; i++) {
		assert_false(pte_cont(table[i]));
		assert_int_equal(pte_pfn(table[i]), PFN + i);
	}
	/*
	 * A folded block (arch/arm64/mm/contpte.c, test_contpte.c): young
	 * tested and cleared over all 16 in place; a write-protect of one
	 * entry unfolds the block first.
	 */
	{
		pte_t block[CONT_PTES] __attribute__((aligned(128)));

		for (i = 0; i < CONT_PTES; i++)
			__set_pte(&block[i], pte_advance_pfn(pte_mkyoung(pte),
							     i));
		assert_true(ptep_test_and_clear_young(&block[2]));
		assert_false(ptep_test_and_clear_young(&block[9]));
		assert_true(pte_cont(block[2]));
		ptep_set_wrprotect(&block[1]);
		assert_false(pte_cont(block[1]));
		assert_false(pte_cont(block[15]));
		assert_false(pte_write(block[1]));
		assert_true(pte_write(block[2]));
		assert_false(pte_cont(ptep_get_and_clear(&block[3])));
		assert_true(pte_none(block[3]));
	}
}

/* ptep_set_wrprotect() keeps hardware dirtiness in PTE_DIRTY. */
static void test_ptep_set_wrprotect(void **state)
{
	pte_t pte = pte_mkwrite(pfn_pte(PFN,
				vm_get_page_prot(VM_READ | VM_WRITE)));

	/* The MMU wrote through it: RDONLY cleared, PTE_DIRTY not set. */
	pte = __pte(pte_val(pte) & ~PTE_RDONLY);
	assert_true(pte_dirty(pte));
	ptep_set_wrprotect(&pte);
	assert_false(pte_write(pte));
	assert_true(pte_val(pte) & PTE_DIRTY);
	assert_true(pte_dirty(pte));
}

/* ---- TLBI counting ---- */

struct tlbi {
	unsigned long page, range, asid;
};

static struct tlbi tlbi_now(struct foliage_machine *m)
{
	return (struct tlbi){ m->tlb->tlbi_page, m->tlb->tlbi_range,
			      m->tlb->tlbi_asid };
}

static void expect_tlbi(struct foliage_machine *m, struct tlbi *before,
			unsigned long page, unsigned long range,
			unsigned long asid)
{
	struct tlbi now = tlbi_now(m);

	assert_int_equal(now.page - before->page, page);
	assert_int_equal(now.range - before->range, range);
	assert_int_equal(now.asid - before->asid, asid);
	*before = now;
	/* x86's counters never move on an arm64 machine. */
	assert_int_equal(m->tlb->flush_all + m->tlb->flush_range +
			 m->tlb->flush_one, 0);
}

static void protect(struct foliage_task *t, unsigned long addr,
		    unsigned long pages, int prot)
{
	assert_int_equal(foliage_mprotect(t, addr, pages * PAGE_SIZE, prot), 0);
}

static void test_tlbi_counts(void **state)
{
	struct foliage_machine *m = *state;
	struct foliage_task *t = new_task(m, "t"), *c;
	const int r = FOLIAGE_PROT_READ, rw = r | FOLIAGE_PROT_WRITE;
	struct tlbi b;
	char *text = NULL;

	map(t, BASE, 1024 * PAGE_SIZE, rw, FOLIAGE_MAP_PRIVATE |
	    FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED, NULL, 0);
	fill(t, BASE, 'a', 1024 * PAGE_SIZE);
	b = tlbi_now(m);

	/* One page: one TLBI VALE1IS. */
	protect(t, BASE, 1, r);
	expect_tlbi(m, &b, 1, 0, 0);
	/* 16 pages: one range op (scale 0, num 7). */
	protect(t, BASE + 16 * PAGE_SIZE, 16, r);
	expect_tlbi(m, &b, 0, 1, 0);
	/* 17: a range of 16 and a last single page. */
	protect(t, BASE + 64 * PAGE_SIZE, 17, r);
	expect_tlbi(m, &b, 1, 1, 0);
	/* 100: 64 at scale 1, then 36 at scale 0. */
	protect(t, BASE + 128 * PAGE_SIZE, 100, r);
	expect_tlbi(m, &b, 0, 2, 0);
	/* 512 pages: still one range op (scale 1, num 7). */
	protect(t, BASE + 512 * PAGE_SIZE, 512, r);
	expect_tlbi(m, &b, 0, 1, 0);

	/* Without FEAT_TLBIRANGE: per page, the ASID at MAX_DVM_OPS. */
	assert_int_equal(foliage_set(m, "arch.tlb_range", "0"), 0);
	protect(t, BASE + 512 * PAGE_SIZE, 512, rw);
	expect_tlbi(m, &b, 0, 0, 1);
	protect(t, BASE + 512 * PAGE_SIZE, 511, r);
	expect_tlbi(m, &b, 511, 0, 0);
	assert_int_equal(foliage_set(m, "arch.tlb_range", "1"), 0);

	/* fork: the parent's whole mm once (dup_mmap's flush_tlb_mm()). */
	c = fork_task(t, "c");
	expect_tlbi(m, &b, 0, 0, 1);
	/* A COW fault replaces a valid PTE: ptep_clear_flush(), one page. */
	fill(c, BASE + 300 * PAGE_SIZE, 'c', 1);
	expect_tlbi(m, &b, 1, 0, 0);
	/* munmap of 16 pages inside the VMA: one range op. */
	assert_int_equal(foliage_munmap(c, BASE + 256 * PAGE_SIZE,
					16 * PAGE_SIZE), 0);
	expect_tlbi(m, &b, 0, 1, 0);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(t), 0);

	assert_int_equal(foliage_render(m, "tlb", 0, &text), 0);
	{
		char want[160];

		snprintf(want, sizeof(want),
			 "tlbi_page %lu\ntlbi_range %lu\ntlbi_asid %lu\n"
			 "contpte_fold 0\ncontpte_unfold 0\n",
			 m->tlb->tlbi_page, m->tlb->tlbi_range,
			 m->tlb->tlbi_asid);
		assert_string_equal(text, want);
	}
	free(text);
}

/* arch.tlb_range is arm64's alone; arch= must name an arch. */
static void test_config_checks(void **state)
{
	struct foliage_config cfg;
	struct foliage_machine *m = NULL, *x86;
	long v = -1;

	foliage_config_init(&cfg);
	assert_int_equal(cfg.arch, FOLIAGE_ARCH_X86_64);
	cfg.arch = 2;
	assert_int_equal(foliage_machine_create(&cfg, &m), -EINVAL);
	assert_null(m);
	assert_int_equal(foliage_get(*state, "arch.tlb_range", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(foliage_set(*state, "arch.tlb_range", "2"), -EINVAL);
	assert_int_equal(foliage_set(*state, "arch.nope", "1"), -ENOENT);
	x86 = test_machine(1, 64);
	assert_int_equal(foliage_set(x86, "arch.tlb_range", "1"), -ENOENT);
	assert_false(arch_is_arm64());
	/* x86 has no contiguous bit: the helpers leave the entry alone. */
	{
		pte_t pte = pfn_pte(PFN, vm_get_page_prot(VM_READ));

		assert_int_equal(pte_val(pte_mkcont(pte)), pte_val(pte));
		assert_false(pte_cont(__pte(pte_val(pte) | (1ULL << 52))));
		assert_int_equal(pte_batch_hint(&pte, pte), 1);
		assert_int_equal(pte_val(pte), (PFN << 12) | PAGE_READONLY);
	}
	test_machine_done(x86);
	assert_int_equal(machine_enter(*state), 0);
	assert_true(arch_is_arm64());
}

#define ARM64_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, arm64_setup, arm64_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ARM64_TEST(test_protections),
		ARM64_TEST(test_pte_dbm_dirty),
		ARM64_TEST(test_pte_protnone_modify),
		ARM64_TEST(test_pmd_encoding),
		ARM64_TEST(test_swap_roundtrip),
		ARM64_TEST(test_cont_preserved),
		ARM64_TEST(test_ptep_set_wrprotect),
		ARM64_TEST(test_tlbi_counts),
		ARM64_TEST(test_config_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
