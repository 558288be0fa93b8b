// SPDX-License-Identifier: GPL-2.0
/*
 * try_to_migrate(): PTEs to migration entries that keep what the PTE
 * said, for the migration issue.  As migration does, the folio is
 * referenced and locked.
 */
#include "rmap_fixture.h"
#include <linux/rmap.h>
#include "task.h"

/*
 * try_to_migrate(): every PTE of a folio becomes a migration entry that
 * keeps write and AnonExclusive (in its type), young, dirty and
 * soft-dirty; the folio is left unmapped but for the entries, found with
 * PVMW_MIGRATION.
 */
static bool count_migration(struct folio *folio, struct vm_area_struct *vma,
			    unsigned long address, void *arg)
{
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, PVMW_MIGRATION);

	while (page_vma_mapped_walk(&pvmw))
		(*(int *)arg)++;
	return true;
}

static void test_try_to_migrate(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	struct rmap_walk_control rwc = { .rmap_one = count_migration };
	unsigned long rss;
	struct folio *shared, *excl;
	swp_entry_t e;
	bool huge;
	pte_t pte;
	int found = 0;

	map_anon(p, BASE, 2 * PAGE_SIZE);
	fill(p, BASE, 'm', 2 * PAGE_SIZE);
	c = fork_task(p, "c");
	fill(p, BASE + PAGE_SIZE, 'x', PAGE_SIZE);	/* p's own copy */
	shared = folio_at(p, BASE);
	excl = folio_at(p, BASE + PAGE_SIZE);
	assert_true(PageAnonExclusive(&excl->page));
	rss = get_mm_counter(p->task.mm, MM_ANONPAGES);

	folio_get(shared);
	folio_get(excl);
	folio_lock(shared);
	folio_lock(excl);
	try_to_migrate(shared, 0);
	try_to_migrate(excl, 0);
	assert_false(folio_mapped(shared));
	assert_false(folio_mapped(excl));
	assert_int_equal(folio_ref_count(shared), 1);
	assert_int_equal(folio_ref_count(excl), 1);
	/* The entries still count in the RSS, as in Linux. */
	assert_int_equal(get_mm_counter(p->task.mm, MM_ANONPAGES), rss);

	pte = __pte(entry_at(p, BASE, &huge));
	e = pte_to_swp_entry(pte);
	assert_true(is_migration_entry(e));
	assert_false(is_writable_migration_entry(e));
	assert_int_equal(swp_offset_pfn(e), folio_pfn(shared));
	pte = __pte(entry_at(p, BASE + PAGE_SIZE, &huge));
	e = pte_to_swp_entry(pte);
	assert_true(is_writable_migration_entry(e));
	assert_true(is_migration_entry_young(e));
	assert_true(is_migration_entry_dirty(e));
	assert_true(pte_swp_soft_dirty(pte));
	assert_int_equal(swp_offset_pfn(e), folio_pfn(excl));
	/* The child's read-only shared PTE: a read entry. */
	e = pte_to_swp_entry(__pte(entry_at(c, BASE, &huge)));
	assert_true(is_migration_entry(e));
	assert_false(is_writable_migration_entry(e));
	assert_false(is_readable_exclusive_migration_entry(e));

	rwc.arg = &found;
	rmap_walk(shared, &rwc);
	assert_int_equal(found, 2);
	folio_unlock(shared);
	folio_unlock(excl);
	assert_rmap_ok(m);
	/* Exits zap the entries; our references are the last. */
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
	assert_int_equal(machine_enter(m), 0);
	folio_put(shared);
	folio_put(excl);
}

/*
 * try_to_migrate() of an exclusive, read-only anon page keeps its
 * exclusivity in a READ_EXCLUSIVE entry; a possibly pinned one refuses.
 */
static void test_try_to_migrate_exclusive_and_pinned(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct folio *folio, *migrated;
	swp_entry_t e;
	bool huge;

	map_anon(t, BASE, 2 * PAGE_SIZE);
	fill(t, BASE, 'e', 2 * PAGE_SIZE);
	assert_int_equal(foliage_mprotect(t, BASE, 2 * PAGE_SIZE,
					  FOLIAGE_PROT_READ), 0);
	migrated = folio_at(t, BASE);
	folio_get(migrated);
	folio_lock(migrated);
	try_to_migrate(migrated, 0);
	e = pte_to_swp_entry(__pte(entry_at(t, BASE, &huge)));
	assert_true(is_readable_exclusive_migration_entry(e));
	folio_unlock(migrated);

	assert_int_equal(foliage_pin(t, BASE + PAGE_SIZE, PAGE_SIZE, false), 0);
	folio = folio_at(t, BASE + PAGE_SIZE);
	folio_lock(folio);
	try_to_migrate(folio, 0);
	assert_true(folio_mapped(folio));	/* pinned: left alone */
	assert_true(PageAnonExclusive(&folio->page));
	folio_unlock(folio);
	assert_int_equal(foliage_unpin(t, BASE + PAGE_SIZE, PAGE_SIZE), 0);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(machine_enter(m), 0);
	folio_put(migrated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_try_to_migrate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_try_to_migrate_exclusive_and_pinned, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
