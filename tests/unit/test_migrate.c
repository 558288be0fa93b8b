// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_pages() and move_pages(2) on a two-node machine: batch sizes
 * and flushes, contents and node after the move, the vmstat counters,
 * the status codes, and the trace events against the kernel's formats.
 *
 *   node 0            node 1
 *   [task's pages] -> [their copies]     BASE.. mapped on node 0's CPU
 */
#include <string.h>

#include "rmap_fixture.h"
#include <linux/migrate.h>
#include <linux/huge_mm.h>
#include <asm-generic/tlb.h>
#include <trace/events.h>
#include <linux/swap.h>

static struct foliage_machine *m2;

static int setup2(void **state)
{
	m2 = pt_machine(2, 64);
	m = m2;
	/* Order-0 faults unless a test asks for THPs. */
	assert_int_equal(foliage_set(m2, "transparent_hugepage.enabled",
				     "never"), 0);
	return 0;
}

/* Two nodes and two CPUs: lru_cache_disable() drains both. */
static int setup2_smp(void **state)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.bytes_per_node = 64UL << 20;
	cfg.nr_cpus = 2;
	m2 = test_machine_cfg(&cfg);
	m = m2;
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(kmem_caches_init(m), 0);
	if (!m->zero_page)
		assert_int_equal(zero_page_init(), 0);
	assert_int_equal(foliage_set(m2, "transparent_hugepage.enabled",
				     "never"), 0);
	(void)state;
	return 0;
}

static int nid_at(struct foliage_task *t, unsigned long addr)
{
	return pfn_to_nid(pfn_at(t, addr));
}

static long stat_of(atomic_long_t *counter)
{
	return atomic_long_read(counter);
}

/*
 * 1024 order-0 pages, MIGRATE_ASYNC: two batches of 512, each unmapped
 * with one batched flush and no per-page flush; every page lands on
 * node 1 with its contents; pgmigrate_success grows by 1024.
 */
static void test_async_batches(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct migration_target_control mtc = {
		.nid = 1, .gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE,
		.reason = MR_COMPACTION,
	};
	const unsigned long nr = 1024;
	struct migrate_stats *ms = m->migrate;
	long batches, flushes, cpu_copies;
	unsigned long success, fail, flush_all, flush_one, i;
	unsigned int nr_succeeded = 0;
	LIST_HEAD(list);

	map_anon(t, BASE, nr * PAGE_SIZE);
	fill_pages(t, BASE, nr);
	assert_int_equal(nid_at(t, BASE), 0);

	assert_int_equal(machine_enter(m), 0);
	for (i = 0; i < nr; i++)
		assert_true(isolate_folio_to_list(
			folio_at(t, BASE + i * PAGE_SIZE), &list));
	assert_int_equal(vmstat(m, "nr_isolated_anon"), nr);
	success = vmstat(m, "pgmigrate_success");
	fail = vmstat(m, "pgmigrate_fail");
	batches = stat_of(&ms->nr_batches);
	flushes = stat_of(&ms->nr_batch_flushes);
	cpu_copies = stat_of(&ms->nr_cpu_copies);
	flush_all = m->tlb->flush_all;
	flush_one = m->tlb->flush_one;

	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(migrate_pages(&list, alloc_migration_target, NULL,
				       (unsigned long)&mtc, MIGRATE_ASYNC,
				       MR_COMPACTION, &nr_succeeded), 0);
	assert_true(list_empty(&list));
	assert_int_equal(nr_succeeded, nr);
	assert_int_equal(stat_of(&ms->nr_batches) - batches, 2);
	assert_int_equal(stat_of(&ms->nr_batch_flushes) - flushes, 2);
	assert_int_equal(m->tlb->flush_all - flush_all, 2);
	assert_int_equal(m->tlb->flush_one - flush_one, 0);
	/* No migrator: the CPU copied each folio exactly once. */
	assert_int_equal(stat_of(&ms->nr_cpu_copies) - cpu_copies, nr);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, nr);
	assert_int_equal(vmstat(m, "pgmigrate_fail") - fail, 0);
	assert_int_equal(vmstat(m, "nr_isolated_anon"), 0);

	for (i = 0; i < nr; i++)
		assert_int_equal(nid_at(t, BASE + i * PAGE_SIZE), 1);
	expect_pages(t, BASE, nr);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * A batch grows until it holds at least 512 base pages, the folio that
 * crosses the limit included: 500 order-0 pages, then a 16-page mTHP
 * (516 pages) migrate as one batch.
 *
 *   BASE: [mTHP 64K][500 x 4K]     list order: the 500 pages, the mTHP
 */
static void test_batch_crossing_folio(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	struct migration_target_control mtc = {
		.nid = 1, .gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE,
	};
	struct migrate_stats *ms = m->migrate;
	const unsigned long small = BASE + 16 * PAGE_SIZE;
	unsigned int nr_succeeded = 0;
	struct folio *thp;
	unsigned long i;
	long batches;
	LIST_HEAD(list);

	assert_int_equal(foliage_set(m, "transparent_hugepage.hugepages-64kB/enabled",
				     "always"), 0);
	map_anon(t, BASE, 16 * PAGE_SIZE);
	fill_pages(t, BASE, 16);
	assert_int_equal(foliage_set(m, "transparent_hugepage.hugepages-64kB/enabled",
				     "never"), 0);
	map_anon(t, small, 500 * PAGE_SIZE);
	fill(t, small, 'z', 500 * PAGE_SIZE);
	thp = folio_at(t, BASE);
	assert_int_equal(folio_order(thp), 4);
	for (i = 0; i < 500; i++)
		assert_true(isolate_folio_to_list(
			folio_at(t, small + i * PAGE_SIZE), &list));
	assert_true(isolate_folio_to_list(thp, &list));
	batches = stat_of(&ms->nr_batches);
	assert_int_equal(migrate_pages(&list, alloc_migration_target, NULL,
				       (unsigned long)&mtc, MIGRATE_ASYNC,
				       MR_SYSCALL, &nr_succeeded), 0);
	assert_int_equal(nr_succeeded, 516);
	assert_int_equal(stat_of(&ms->nr_batches) - batches, 1);
	thp = folio_at(t, BASE);
	assert_int_equal(folio_order(thp), 4);
	assert_int_equal(folio_nid(thp), 1);
	assert_int_equal(nid_at(t, small + 499 * PAGE_SIZE), 1);
	expect_pages(t, BASE, 16);
	expect_fill(t, small, 'z', 500 * PAGE_SIZE);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

/* move_pages of 512 pages to node 1: 0, every status 1, +512 migrated. */
static void test_move_pages_512(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pages[512], success, i;
	int nodes[512], status[512];

	map_anon(t, BASE, 512 * PAGE_SIZE);
	fill_pages(t, BASE, 512);
	for (i = 0; i < 512; i++) {
		pages[i] = BASE + i * PAGE_SIZE;
		nodes[i] = 1;
		status[i] = -1000;
	}
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(foliage_move_pages(t, 512, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	for (i = 0; i < 512; i++)
		assert_int_equal(status[i], 1);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 512);
	expect_pages(t, BASE, 512);
	/* The query says the same. */
	assert_int_equal(foliage_move_pages(t, 512, pages, NULL, status, 0), 0);
	for (i = 0; i < 512; i++)
		assert_int_equal(status[i], 1);
	/* Already there: status 1, nothing migrated. */
	assert_int_equal(foliage_move_pages(t, 512, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 512);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * The status codes, one page each:
 *
 *   0 unmapped          -EFAULT    3 COW-shared       -EACCES
 *   1 untouched         -ENOENT    4 exclusive        1 (moved)
 *   2 zero page (read)  -EFAULT
 *
 * then a bad node (-ENODEV) and bad flags (-EINVAL) for the call, and
 * MPOL_MF_MOVE_ALL moving the shared page.
 */
static void test_move_pages_status(void **state)
{
	struct foliage_task *p = new_task(m, "p"), *c;
	unsigned long pages[5], a = BASE + PAGE_SIZE;
	int nodes[5] = { 1, 1, 1, 1, 1 }, status[5], i;
	char byte;

	map_anon(p, a, 4 * PAGE_SIZE);
	touch_read(p, a + PAGE_SIZE, 1);		/* the zero page */
	fill(p, a + 2 * PAGE_SIZE, 's', PAGE_SIZE);	/* shared after fork */
	fill(p, a + 3 * PAGE_SIZE, 'x', PAGE_SIZE);
	c = fork_task(p, "c");
	fill(p, a + 3 * PAGE_SIZE, 'x', PAGE_SIZE);	/* p's own again */
	for (i = 0; i < 5; i++)
		pages[i] = BASE + i * PAGE_SIZE;

	assert_int_equal(foliage_move_pages(p, 5, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(status[0], -EFAULT);
	assert_int_equal(status[1], -ENOENT);
	assert_int_equal(status[2], -EFAULT);
	assert_int_equal(status[3], -EACCES);
	assert_int_equal(status[4], 1);
	assert_int_equal(nid_at(p, pages[3]), 0);

	nodes[0] = 99;
	assert_int_equal(foliage_move_pages(p, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), -ENODEV);
	nodes[0] = 2;	/* a node the machine does not have */
	assert_int_equal(foliage_move_pages(p, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), -ENODEV);
	nodes[0] = 1;
	assert_int_equal(foliage_move_pages(p, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_STRICT), -EINVAL);

	/* MOVE_ALL: the shared page moves, for both tasks. */
	assert_int_equal(foliage_move_pages(p, 1, &pages[3], nodes, status,
					    FOLIAGE_MPOL_MF_MOVE_ALL), 0);
	assert_int_equal(status[0], 1);
	assert_int_equal(nid_at(p, pages[3]), 1);
	assert_int_equal(nid_at(c, pages[3]), 1);
	expect_fill(c, pages[3], 's', PAGE_SIZE);
	get_bytes(p, pages[2], &byte, 1);
	assert_int_equal(byte, 0);

	/* The query: nodes == NULL. */
	assert_int_equal(foliage_move_pages(p, 5, pages, NULL, status, 0), 0);
	assert_int_equal(status[0], -EFAULT);
	assert_int_equal(status[1], -ENOENT);
	assert_int_equal(status[2], -EFAULT);
	assert_int_equal(status[3], 1);
	assert_int_equal(status[4], 1);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
}

/*
 * A pinned page (a reference migration does not expect) cannot move:
 * after the async passes and the sync ones it counts as one failure,
 * move_pages returns 1 and stores no status for the batch, the page stays
 * on node 0 with its contents and was never copied; its neighbour moved,
 * copied once.
 */
static void test_move_pages_pinned(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pages[2] = { BASE, BASE + PAGE_SIZE }, fail;
	int nodes[2] = { 1, 1 }, status[2] = { -1000, -1000 };
	long cpu_copies = stat_of(&m->migrate->nr_cpu_copies);

	map_anon(t, BASE, 2 * PAGE_SIZE);
	fill_pages(t, BASE, 2);
	assert_int_equal(foliage_pin(t, BASE, PAGE_SIZE, true), 0);
	fail = vmstat(m, "pgmigrate_fail");
	assert_int_equal(foliage_move_pages(t, 2, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 1);
	assert_int_equal(vmstat(m, "pgmigrate_fail") - fail, 1);
	assert_int_equal(nid_at(t, BASE), 0);
	/* The batch failed: no status was stored for either page. */
	assert_int_equal(status[0], -1000);
	assert_int_equal(status[1], -1000);
	assert_int_equal(nid_at(t, BASE + PAGE_SIZE), 1);
	assert_int_equal(stat_of(&m->migrate->nr_cpu_copies) - cpu_copies, 1);
	expect_pages(t, BASE, 2);
	assert_int_equal(foliage_unpin(t, BASE, PAGE_SIZE), 0);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * A 64K mTHP migrates whole: +16 pgmigrate_success, the THP counters
 * unchanged, an order-4 folio on node 1.
 */
static void test_mthp_64k(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pages[1] = { BASE }, success, thp_s, thp_f, thp_split;
	int nodes[1] = { 1 }, status[1];

	assert_int_equal(foliage_set(m, "transparent_hugepage.hugepages-64kB/enabled",
				     "always"), 0);
	map_anon(t, BASE, 16 * PAGE_SIZE);
	fill_pages(t, BASE, 16);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(folio_order(folio_at(t, BASE)), 4);
	success = vmstat(m, "pgmigrate_success");
	thp_s = vmstat(m, "thp_migration_success");
	thp_f = vmstat(m, "thp_migration_fail");
	thp_split = vmstat(m, "thp_migration_split");
	assert_int_equal(foliage_move_pages(t, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(status[0], 1);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 16);
	assert_int_equal(vmstat(m, "thp_migration_success"), thp_s);
	assert_int_equal(vmstat(m, "thp_migration_fail"), thp_f);
	assert_int_equal(vmstat(m, "thp_migration_split"), thp_split);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(folio_order(folio_at(t, BASE)), 4);
	assert_int_equal(folio_nid(folio_at(t, BASE)), 1);
	expect_pages(t, BASE, 16);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

/* ---- PMD migration entries ---- */

/* The PMD of @addr in @t (a huge mapping, a migration entry or a table). */
static pmd_t pmd_at(struct foliage_task *t, unsigned long addr)
{
	pmd_t *pmd;

	assert_int_equal(machine_enter(t->machine), 0);
	pmd = pmd_lookup(t->task.mm, addr);
	assert_non_null(pmd);
	return pmdp_get(pmd);
}

/*
 * The folio lock as a migration on another CPU holds it while this thread
 * forks, mprotects or unmaps: the bit alone, since lockdep-lite tracks
 * locks per thread and this thread plays both parts.
 */
static void migration_lock(struct folio *folio)
{
	assert_false(folio_test_set_locked(folio));
}

/* A PMD-mapped THP at BASE of a new task, written. */
static struct foliage_task *thp_task(const char *name, struct folio **thp)
{
	struct foliage_task *t = new_task(m, name);
	bool huge;

	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "always"), 0);
	map_anon(t, BASE, HPAGE_PMD_SIZE);
	fill(t, BASE, 'h', HPAGE_PMD_SIZE);
	entry_at(t, BASE, &huge);
	assert_true(huge);
	*thp = folio_at(t, BASE);
	assert_int_equal(folio_order(*thp), HPAGE_PMD_ORDER);
	return t;
}

/*
 * One PMD-mapped THP moves whole: +512 pgmigrate_success, +1
 * thp_migration_success, no split, still one PMD on node 1.
 */
static void test_pmd_thp(void **state)
{
	struct folio *thp;
	struct foliage_task *t = thp_task("t", &thp);
	unsigned long pages[1] = { BASE + 5 * PAGE_SIZE };
	unsigned long success, thp_s, thp_split, split_pmd;
	int nodes[1] = { 1 }, status[1];
	bool huge;

	success = vmstat(m, "pgmigrate_success");
	thp_s = vmstat(m, "thp_migration_success");
	thp_split = vmstat(m, "thp_migration_split");
	split_pmd = vmstat(m, "thp_split_pmd");
	assert_int_equal(foliage_move_pages(t, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(status[0], 1);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 512);
	assert_int_equal(vmstat(m, "thp_migration_success") - thp_s, 1);
	assert_int_equal(vmstat(m, "thp_migration_split"), thp_split);
	assert_int_equal(vmstat(m, "thp_split_pmd"), split_pmd);
	entry_at(t, BASE, &huge);
	assert_true(huge);
	thp = folio_at(t, BASE);
	assert_int_equal(folio_order(thp), HPAGE_PMD_ORDER);
	assert_int_equal(folio_nid(thp), 1);
	assert_true(pmd_write(pmd_at(t, BASE)));
	expect_fill(t, BASE, 'h', HPAGE_PMD_SIZE);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

/*
 * A PMD migration entry seen by the rest of mm, as try_to_migrate()
 * leaves it mid-migration:
 *
 *   fork       the child gets the entry; both become read entries
 *   restore    both map the THP by PMD again, read-only (COW)
 */
static void test_pmd_entry_fork(void **state)
{
	struct folio *thp;
	struct foliage_task *p = thp_task("p", &thp), *c;
	swp_entry_t e;

	assert_int_equal(machine_enter(m), 0);
	folio_get(thp);
	migration_lock(thp);
	try_to_migrate(thp, 0);
	assert_false(folio_mapped(thp));
	assert_true(is_pmd_migration_entry(pmd_at(p, BASE)));
	e = pmd_to_swp_entry(pmd_at(p, BASE));
	assert_true(is_writable_migration_entry(e));
	assert_int_equal(swp_offset_pfn(e), folio_pfn(thp));
	assert_int_equal(get_mm_counter(p->task.mm, MM_ANONPAGES), 512);

	c = fork_task(p, "c");
	assert_true(is_pmd_migration_entry(pmd_at(c, BASE)));
	assert_true(is_readable_migration_entry(
		pmd_to_swp_entry(pmd_at(p, BASE))));
	assert_true(is_readable_migration_entry(
		pmd_to_swp_entry(pmd_at(c, BASE))));
	assert_int_equal(get_mm_counter(c->task.mm, MM_ANONPAGES), 512);

	assert_int_equal(machine_enter(m), 0);
	remove_migration_ptes(thp, thp, 0);
	folio_unlock(thp);
	folio_put(thp);
	assert_false(pmd_write(pmd_at(p, BASE)));
	assert_false(pmd_write(pmd_at(c, BASE)));
	assert_int_equal(folio_mapcount(thp), 2);
	expect_fill(c, BASE, 'h', HPAGE_PMD_SIZE);
	fill(p, BASE, 'p', PAGE_SIZE);		/* COW */
	expect_fill(c, BASE, 'h', HPAGE_PMD_SIZE);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(p), 0);
}

/*
 * mprotect over a whole entry makes it a read entry (exclusive: the PMD
 * comes back read-only, AnonExclusive); over part of it, the entry is
 * split into PTE entries that come back as PTEs; munmap of an entry
 * frees the RSS and leaves the folio to the migration's reference.
 */
static void test_pmd_entry_mprotect_munmap(void **state)
{
	struct folio *thp;
	struct foliage_task *t = thp_task("t", &thp);
	swp_entry_t e;
	bool huge;

	assert_int_equal(machine_enter(m), 0);
	folio_get(thp);
	migration_lock(thp);
	try_to_migrate(thp, 0);
	assert_int_equal(foliage_mprotect(t, BASE, HPAGE_PMD_SIZE,
					  FOLIAGE_PROT_READ), 0);
	e = pmd_to_swp_entry(pmd_at(t, BASE));
	assert_true(is_readable_exclusive_migration_entry(e));
	assert_int_equal(machine_enter(m), 0);
	remove_migration_ptes(thp, thp, 0);
	folio_unlock(thp);
	assert_false(pmd_write(pmd_at(t, BASE)));
	assert_true(PageAnonExclusive(&thp->page));
	expect_fill(t, BASE, 'h', HPAGE_PMD_SIZE);

	/* Part of it: PTE entries, PTEs after. */
	assert_int_equal(machine_enter(m), 0);
	migration_lock(thp);
	try_to_migrate(thp, 0);
	assert_int_equal(foliage_mprotect(t, BASE + PAGE_SIZE, PAGE_SIZE,
					  RW), 0);
	e = pte_to_swp_entry(__pte(entry_at(t, BASE + 7 * PAGE_SIZE, &huge)));
	assert_false(huge);
	assert_true(is_migration_entry(e));
	assert_int_equal(swp_offset_pfn(e), folio_pfn(thp) + 7);
	assert_int_equal(machine_enter(m), 0);
	remove_migration_ptes(thp, thp, 0);
	folio_unlock(thp);
	assert_int_equal(pfn_at(t, BASE + 7 * PAGE_SIZE), folio_pfn(thp) + 7);
	assert_int_equal(folio_mapcount(thp), 512);
	expect_fill(t, BASE, 'h', HPAGE_PMD_SIZE);
	assert_rmap_ok(m);

	/* munmap of the entries: RSS goes, the folio stays ours. */
	assert_int_equal(foliage_exit(t), 0);
	t = thp_task("u", &thp);
	assert_int_equal(machine_enter(m), 0);
	folio_get(thp);
	migration_lock(thp);
	try_to_migrate(thp, 0);
	assert_int_equal(foliage_munmap(t, BASE, HPAGE_PMD_SIZE), 0);
	assert_int_equal(get_mm_counter(t->task.mm, MM_ANONPAGES), 0);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(folio_ref_count(thp), 1);
	folio_unlock(thp);
	folio_put(thp);
	assert_int_equal(foliage_exit(t), 0);
}

/* ---- alloc_contig_range() ---- */

/*
 * A 2M-aligned range holding a task's pages is emptied by migration and
 * handed out; the task's bytes are intact elsewhere.  A range with an
 * unmovable page (a kernel allocation) fails with -EBUSY, nothing moved.
 */
static void test_alloc_contig_range_migrates(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pfn, start, success, i;
	struct page *kpage;

	map_anon(t, BASE, 64 * PAGE_SIZE);
	fill_pages(t, BASE, 64);
	pfn = pfn_at(t, BASE + 7 * PAGE_SIZE);
	start = ALIGN_DOWN(pfn, 512);
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(alloc_contig_range(start, start + 512, GFP_KERNEL),
			 0);
	assert_true(vmstat(m, "pgmigrate_success") > success);
	for (i = 0; i < 64; i++) {
		unsigned long p = pfn_at(t, BASE + i * PAGE_SIZE);

		assert_false(p >= start && p < start + 512);
	}
	expect_pages(t, BASE, 64);
	assert_int_equal(machine_enter(m), 0);
	free_contig_range(start, 512);

	/* An unmovable page in the range: -EBUSY, nothing migrated. */
	assert_int_equal(machine_enter(m), 0);
	kpage = alloc_pages(GFP_KERNEL, 0);
	assert_non_null(kpage);
	start = ALIGN_DOWN(page_to_pfn(kpage), 512);
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(alloc_contig_range(start, start + 512, GFP_KERNEL),
			 -EBUSY);
	assert_int_equal(vmstat(m, "pgmigrate_success"), success);
	assert_int_equal(machine_enter(m), 0);
	__free_pages(kpage, 0);
	assert_rmap_ok(m);
	assert_int_equal(foliage_exit(t), 0);
}

/* ---- trace events, against the kernel's print fmt ---- */

/*
 * Print @vals with the "print fmt" of the golden format file, the way
 * the kernel would: each %lu, %lx, %d or %s in order.
 */
static void expect_print_fmt(const char *format_file, const char *line,
			     const unsigned long *vals, int nr_vals)
{
	char *golden = read_golden(format_file), expect[512], *fmt, *end;
	size_t len = 0;
	int i = 0;

	fmt = strstr(golden, "print fmt: \"");
	assert_non_null(fmt);
	fmt += strlen("print fmt: \"");
	end = strchr(fmt, '"');
	*end = '\0';
	while (*fmt) {
		if (*fmt != '%') {
			expect[len++] = *fmt++;
			continue;
		}
		assert_true(i < nr_vals);
		if (!strncmp(fmt, "%lu", 3)) {
			len += sprintf(expect + len, "%lu", vals[i++]);
			fmt += 3;
		} else if (!strncmp(fmt, "%lx", 3)) {
			len += sprintf(expect + len, "%lx", vals[i++]);
			fmt += 3;
		} else if (!strncmp(fmt, "%d", 2)) {
			len += sprintf(expect + len, "%d", (int)vals[i++]);
			fmt += 2;
		} else if (!strncmp(fmt, "%s", 2)) {
			len += sprintf(expect + len, "%s",
				       (const char *)vals[i++]);
			fmt += 2;
		} else {
			fail_msg("%s: conversion %.3s", format_file, fmt);
		}
	}
	expect[len] = '\0';
	assert_int_equal(i, nr_vals);
	assert_string_equal(line, expect);
	free(golden);
}

/* The text after "EVENT: " of the first line of @trace with @event. */
static char *event_line(char *trace, const char *event, char *buf)
{
	char key[64], *p, *nl;

	snprintf(key, sizeof(key), " %s: ", event);
	p = strstr(trace, key);
	assert_non_null(p);
	p += strlen(key);
	nl = strchr(p, '\n');
	assert_non_null(nl);
	memcpy(buf, p, nl - p);
	buf[nl - p] = '\0';
	return buf;
}

static void test_trace_events(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pages[1] = { BASE }, newpfn;
	int nodes[1] = { 1 }, status[1];
	char *trace, line[256];
	unsigned long v[8];
	u64 pte;
	bool huge;

	map_anon(t, BASE, PAGE_SIZE);
	fill(t, BASE, 'q', PAGE_SIZE);
	assert_int_equal(machine_enter(m), 0);
	pte = entry_at(t, BASE, &huge);
	m->tracing_on = true;
	assert_int_equal(foliage_move_pages(t, 1, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(machine_enter(m), 0);
	m->tracing_on = false;
	newpfn = pfn_at(t, BASE);
	assert_int_equal(foliage_render(m, "trace", 0, &trace), 0);

	v[0] = (unsigned long)"MIGRATE_SYNC";
	v[1] = (unsigned long)"syscall_or_cpuset";
	expect_print_fmt("trace/mm_migrate_pages_start.format",
			 event_line(trace, "mm_migrate_pages_start", line),
			 v, 2);
	v[0] = 1;
	v[1] = v[2] = v[3] = v[4] = v[5] = 0;
	v[6] = (unsigned long)"MIGRATE_SYNC";
	v[7] = (unsigned long)"syscall_or_cpuset";
	expect_print_fmt("trace/mm_migrate_pages.format",
			 event_line(trace, "mm_migrate_pages", line), v, 8);

	/* The entry: a writable migration entry for the old pfn. */
	v[0] = BASE;
	event_line(trace, "set_migration_pte", line);
	assert_int_equal(sscanf(strstr(line, "pte=") + 4, "%lx", &v[1]), 1);
	assert_true(is_writable_migration_entry(pte_to_swp_entry(__pte(v[1]))));
	assert_int_equal(swp_offset_pfn(pte_to_swp_entry(__pte(v[1]))),
			 pte_pfn(__pte(pte)));
	v[2] = 0;
	expect_print_fmt("trace/set_migration_pte.format", line, v, 3);
	/* And back: the new PTE. */
	event_line(trace, "remove_migration_pte", line);
	v[1] = entry_at(t, BASE, &huge);
	assert_int_equal(pte_pfn(__pte(v[1])), newpfn);
	expect_print_fmt("trace/remove_migration_pte.format", line, v, 3);
	free(trace);
	assert_int_equal(foliage_exit(t), 0);
}

static unsigned long drains(void)
{
	return __atomic_load_n(&m->lru_drain->nr_drains, __ATOMIC_RELAXED);
}

/*
 * Linux's lru_cache_disable() around move_pages(2), migrate_pages(2),
 * mbind(MPOL_MF_MOVE) and alloc_contig_range(): a drain item run on each
 * of the two CPUs per call; the query, and mbind without a move, drain
 * nothing; the disable count is back to 0 after each.
 */
static void test_lru_cache_disable(void **state)
{
	struct foliage_task *t = new_task(m, "t");
	unsigned long pages[4], before, i, pfn;
	int nodes[4], status[4];

	assert_int_equal(m->nr_cpus, 2);
	map_anon(t, BASE, 4 * PAGE_SIZE);
	fill_pages(t, BASE, 4);
	for (i = 0; i < 4; i++) {
		pages[i] = BASE + i * PAGE_SIZE;
		nodes[i] = 1;
	}
	before = drains();
	assert_int_equal(foliage_move_pages(t, 4, pages, NULL, status, 0), 0);
	assert_int_equal(drains() - before, 0);
	assert_int_equal(foliage_move_pages(t, 4, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(drains() - before, 2);
	assert_int_equal(status[3], 1);
	assert_int_equal(foliage_mbind(t, BASE, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, 1UL << 0, 0), 0);
	assert_int_equal(drains() - before, 2);
	assert_int_equal(foliage_mbind(t, BASE, 4 * PAGE_SIZE,
				       FOLIAGE_MPOL_BIND, 1UL << 0,
				       FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(drains() - before, 4);
	assert_int_equal(nid_at(t, BASE), 0);
	assert_int_equal(foliage_migrate_pages(t, 1UL << 0, 1UL << 1), 0);
	assert_int_equal(drains() - before, 6);
	assert_int_equal(nid_at(t, BASE), 1);
	/* alloc_contig_range() over the page now at BASE. */
	assert_int_equal(machine_enter(m), 0);
	pfn = pfn_at(t, BASE);
	assert_int_equal(alloc_contig_range(pfn, pfn + 1, GFP_KERNEL), 0);
	free_contig_range(pfn, 1);
	assert_int_equal(drains() - before, 8);
	assert_int_equal(m->lru_drain->disable_count, 0);
	expect_pages(t, BASE, 4);
	assert_int_equal(foliage_exit(t), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_async_batches, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_batch_crossing_folio,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_move_pages_512, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_move_pages_status, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_move_pages_pinned, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_mthp_64k, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_trace_events, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_pmd_thp, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_contig_range_migrates,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_pmd_entry_fork, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_pmd_entry_mprotect_munmap,
						setup2, teardown),
		cmocka_unit_test_setup_teardown(test_lru_cache_disable,
						setup2_smp, teardown),
	};

	(void)setup;	/* the one-node fixture's; these tests boot two nodes */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
