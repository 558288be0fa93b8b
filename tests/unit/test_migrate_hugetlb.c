// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb folio migration (mm/migrate.c's migrate_hugetlbs() and
 * unmap_and_move_huge_page(), mm/hugetlb.c's isolate_hugetlb(),
 * alloc_hugetlb_folio_nodemask(), move_hugetlb_state()) on a two-node
 * machine: move_pages(2) of 2 MiB pages, private and shared, the pool
 * counters per node afterwards (a free pool page on the target node, or a
 * temporary page from buddy with the surplus moved along), pgmigrate_*,
 * contents, fork and munmap over migration entries, hugetlb memfds, the
 * failures (-ENOMEM, -EACCES, -EBUSY) and fail-Nth over the destination.
 *
 *   node 0                  node 1
 *   [hugetlb page, mapped]  [free pool page | temporary page from buddy]
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "task_helpers.h"
#include "rmap_check_helpers.h"
#include <linux/hugetlb.h>
#include <linux/machine.h>
#include <linux/migrate.h>
#include <linux/gfp.h>
#include <linux/rmap.h>
#include <linux/shmem_fs.h>

#define H2M(m)		(&(m)->hugetlb->hstates[HSTATE_2M])
#define HUGE_PRIV	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_HUGETLB)
#define HUGE_SHARED	(FOLIAGE_MAP_SHARED | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_HUGETLB)
#define PROT_RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)

static void set(struct foliage_machine *m, const char *name, const char *v)
{
	assert_int_equal(foliage_set(m, name, v), 0);
}

/* fail_page_alloc for every allocation (none ignored), times as set. */
static void fail_allocations(struct foliage_machine *m)
{
	set(m, "fail_page_alloc.ignore-gfp-wait", "0");
	set(m, "fail_page_alloc.ignore-gfp-highmem", "0");
	set(m, "fail_page_alloc.probability", "100");
}

/* @h's nr/free/surplus pages on node @nid. */
static void assert_node(const struct hstate *h, int nid, unsigned long nr,
			unsigned long free, unsigned long surplus)
{
	assert_int_equal(h->nr_huge_pages_node[nid], nr);
	assert_int_equal(h->free_huge_pages_node[nid], free);
	assert_int_equal(h->surplus_huge_pages_node[nid], surplus);
}

/* Where move_pages(2) says the page at @addr is (a node or -errno). */
static int where(struct foliage_task *t, unsigned long addr)
{
	int status = -1;

	assert_int_equal(foliage_move_pages(t, 1, &addr, NULL, &status, 0), 0);
	return status;
}

/* move_pages(2) of one page to @node: the call's result, *@status. */
static int move_one(struct foliage_task *t, unsigned long addr, int node,
		    int flags, int *status)
{
	*status = 12345;
	return foliage_move_pages(t, 1, &addr, &node, status, flags);
}

/* A pattern no zero-fill or stale page could show: byte i is i * 7 + @s. */
static void fill_pattern(struct foliage_task *t, unsigned long addr,
			 unsigned long len, unsigned char s)
{
	unsigned char *buf = malloc(len);
	unsigned long i;

	assert_non_null(buf);
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 7 + s);
	put_bytes(t, addr, buf, len);
	free(buf);
}

static void expect_pattern(struct foliage_task *t, unsigned long addr,
			   unsigned long len, unsigned char s)
{
	unsigned char *buf = malloc(len);
	unsigned long i;

	assert_non_null(buf);
	get_bytes(t, addr, buf, len);
	for (i = 0; i < len; i++)
		if (buf[i] != (unsigned char)(i * 7 + s))
			fail_msg("byte %lu at %#lx is %#x", i, addr + i, buf[i]);
	free(buf);
}

/* The hugetlb folio mapped at @addr of @t (present entries only). */
static struct folio *hfolio_at(struct foliage_task *t, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(t->task.mm, addr);
	spinlock_t *ptl;
	pmd_t *ptep;

	assert_non_null(vma);
	ptep = hugetlb_walk(vma, addr, &ptl);
	assert_non_null(ptep);
	assert_true(pmd_present(pmdp_get(ptep)));
	return page_folio(pmd_page(pmdp_get(ptep)));
}

/* The huge entry of @addr of @t, raw. */
static pmd_t hentry_at(struct foliage_task *t, unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(t->task.mm, addr);
	spinlock_t *ptl;
	pmd_t *ptep;

	assert_non_null(vma);
	ptep = hugetlb_walk(vma, addr, &ptl);
	assert_non_null(ptep);
	return pmdp_get(ptep);
}

/*
 * A migrator stopped half-way, in its own thread (the folio lock is held
 * by the thread that takes it, as lockdep wants): @folios locked and
 * unmapped behind migration entries, as unmap_and_move_huge_page() leaves
 * them between try_to_migrate() and the move, until held_release() lets
 * it give up (the entries map the old folios again) and unlock.
 */
struct held {
	struct foliage_machine *m;	/* the machine */
	struct folio *folios[2];	/* the folios it holds */
	int nr;				/* how many */
	sem_t ready;			/* posted once they are unmapped */
	sem_t go;			/* posted to let them go */
	pthread_t thread;		/* the migrator */
};

static void *held_thread(void *arg)
{
	struct held *hd = arg;
	int i;

	assert_int_equal(machine_enter(hd->m), 0);
	for (i = 0; i < hd->nr; i++) {
		folio_lock(hd->folios[i]);
		try_to_migrate(hd->folios[i], 0);
	}
	sem_post(&hd->ready);
	sem_wait(&hd->go);
	for (i = 0; i < hd->nr; i++) {
		remove_migration_ptes(hd->folios[i], hd->folios[i], 0);
		folio_unlock(hd->folios[i]);
	}
	machine_exit_op(hd->m);
	return NULL;
}

static void held_start(struct held *hd, struct foliage_machine *m)
{
	hd->m = m;
	assert_int_equal(sem_init(&hd->ready, 0, 0), 0);
	assert_int_equal(sem_init(&hd->go, 0, 0), 0);
	assert_int_equal(pthread_create(&hd->thread, NULL, held_thread, hd),
			 0);
	sem_wait(&hd->ready);
}

static void held_release(struct held *hd)
{
	sem_post(&hd->go);
	assert_int_equal(pthread_join(hd->thread, NULL), 0);
	sem_destroy(&hd->ready);
	sem_destroy(&hd->go);
}

/*
 * A free pool page on the target node: it becomes the destination; the
 * old page goes back to node 0's free list.  nr per node unchanged,
 * free moves from node 1 to node 0; pgmigrate_success counts the base
 * pages (512), the THP counters nothing.
 */
static void test_move_to_free_pool_page(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr, success, fail, thp;
	struct folio *old, *new;
	int status;

	set(m, "vm.nr_hugepages", "2");
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 1, 1, 0);
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 2 * MB, 3);
	assert_int_equal(where(t, addr), 0);
	assert_node(h, 0, 1, 0, 0);
	old = hfolio_at(t, addr);
	success = vmstat(m, "pgmigrate_success");
	fail = vmstat(m, "pgmigrate_fail");
	thp = vmstat(m, "thp_migration_success");

	assert_int_equal(move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 0);
	assert_int_equal(status, 1);
	assert_int_equal(where(t, addr), 1);
	assert_int_equal(where(t, addr + MB), 1);
	new = hfolio_at(t, addr);
	assert_ptr_not_equal(new, old);
	assert_true(folio_test_anon(new));
	assert_true(PageAnonExclusive(&new->page));
	assert_true(folio_test_hugetlb_migratable(new));
	assert_int_equal(folio_ref_count(new), 1);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 512);
	assert_int_equal(vmstat(m, "pgmigrate_fail") - fail, 0);
	assert_int_equal(vmstat(m, "thp_migration_success") - thp, 0);
	assert_int_equal(vmstat(m, "nr_isolated_anon"), 0);
	/* The pool: node 0's page free again, node 1's in use. */
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 1, 0, 0);
	assert_int_equal(h->nr_huge_pages, 2);
	assert_int_equal(h->free_huge_pages, 1);
	assert_int_equal(h->resv_huge_pages, 0);
	expect_pattern(t, addr, 2 * MB, 3);
	(void)rc_check(m);
	/* Still exclusive: a write reuses it, no COW. */
	fill(t, addr, 0x11, 64);
	assert_ptr_equal(hfolio_at(t, addr), new);
	assert_machine_ok(m);
	/* Already there: status is the node, nothing moves. */
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 0);
	assert_int_equal(status, 1);
	assert_int_equal(vmstat(m, "pgmigrate_success"), success);
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 1, 1, 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * No free page on the target node: a temporary page from buddy
 * (htlb_buddy_alloc_success +1); after the move the old page takes the
 * temporary flag and goes back to buddy.  The pool has its one page on
 * node 1 now.
 */
static void test_move_to_temporary_page(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr, allocs, hugetlb_pages;
	int status;

	set(m, "vm.nr_hugepages", "1");
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 0, 0, 0);
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 2 * MB, 5);
	allocs = vmstat(m, "htlb_buddy_alloc_success");
	hugetlb_pages = vmstat(m, "nr_hugetlb");

	assert_int_equal(move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 0);
	assert_int_equal(status, 1);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success") - allocs, 1);
	assert_int_equal(vmstat(m, "nr_hugetlb"), hugetlb_pages);
	assert_node(h, 0, 0, 0, 0);
	assert_node(h, 1, 1, 0, 0);
	assert_int_equal(h->nr_huge_pages, 1);
	assert_int_equal(h->surplus_huge_pages, 0);
	assert_false(folio_test_hugetlb_temporary(hfolio_at(t, addr)));
	expect_pattern(t, addr, 2 * MB, 5);
	assert_machine_ok(m);
	/* Freed: back to node 1's free list, a persistent page. */
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	assert_node(h, 1, 1, 1, 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * A surplus page migrated to a temporary page: the per-node surplus moves
 * to the new node with it (move_hugetlb_state()); freed, it goes back to
 * buddy from there.
 */
static void test_move_surplus_transfer(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr;
	int status;

	set(m, "vm.nr_overcommit_hugepages", "1");
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 2 * MB, 9);
	assert_int_equal(where(t, addr), 0);
	assert_node(h, 0, 1, 0, 1);
	assert_int_equal(move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 0);
	assert_int_equal(status, 1);
	assert_node(h, 0, 0, 0, 0);
	assert_node(h, 1, 1, 0, 1);
	assert_int_equal(h->surplus_huge_pages, 1);
	expect_pattern(t, addr, 2 * MB, 9);
	assert_machine_ok(m);
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	assert_node(h, 1, 0, 0, 0);
	assert_int_equal(h->nr_huge_pages, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * No destination: the page allocator fails the temporary page (and no
 * pool page is free on node 1): migrate_pages() gives up with -ENOMEM,
 * which move_pages(2) returns; the page stays, counted in pgmigrate_fail.
 */
static void test_move_enomem(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr, fail, allocs;
	struct folio *old;
	int status;

	set(m, "vm.nr_hugepages", "1");
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 2 * MB, 1);
	old = hfolio_at(t, addr);
	fail = vmstat(m, "pgmigrate_fail");
	allocs = vmstat(m, "htlb_buddy_alloc_fail");
	fail_allocations(m);
	set(m, "fail_page_alloc.times", "-1");
	assert_int_equal(move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 -ENOMEM);
	set(m, "fail_page_alloc.probability", "0");
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_fail") - allocs, 1);
	assert_int_equal(vmstat(m, "pgmigrate_fail") - fail, 512);
	assert_ptr_equal(hfolio_at(t, addr), old);
	assert_true(folio_test_hugetlb_migratable(old));
	assert_int_equal(folio_ref_count(old), 1);
	assert_node(h, 0, 1, 0, 0);
	assert_node(h, 1, 0, 0, 0);
	expect_pattern(t, addr, 2 * MB, 1);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * Every allocation failing in turn (fail-Nth: the Nth page allocation
 * fails, N = 1, 2, ...) over a move to a temporary page: each run either
 * moves the page whole or leaves it where it was, contents and pool
 * consistent; the first run that fails nothing ends the walk.
 */
static void test_fail_nth_destination(void **state)
{
	unsigned int nth;

	for (nth = 1; nth < 8; nth++) {
		struct foliage_machine *m = test_machine(2, 64);
		struct foliage_task *t = new_task(m, "t");
		const struct hstate *h = H2M(m);
		unsigned long addr, fails;
		char v[16];
		int status, ret;

		set(m, "vm.nr_hugepages", "1");
		addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
		fill_pattern(t, addr, 2 * MB, (unsigned char)nth);
		fails = vmstat(m, "htlb_buddy_alloc_fail");
		snprintf(v, sizeof(v), "%u", nth);
		set(m, "fail_page_alloc.interval", v);
		set(m, "fail_page_alloc.times", "1");
		fail_allocations(m);
		ret = move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status);
		set(m, "fail_page_alloc.probability", "0");
		if (ret == 0) {
			assert_int_equal(status, 1);
			assert_node(h, 0, 0, 0, 0);
			assert_node(h, 1, 1, 0, 0);
		} else {
			assert_int_equal(ret, -ENOMEM);
			assert_int_equal(vmstat(m, "htlb_buddy_alloc_fail") -
					 fails, 1);
			assert_int_equal(where(t, addr), 0);
			assert_node(h, 0, 1, 0, 0);
			assert_node(h, 1, 0, 0, 0);
		}
		expect_pattern(t, addr, 2 * MB, (unsigned char)nth);
		assert_machine_ok(m);
		assert_int_equal(foliage_exit(t), 0);
		test_machine_done(m);
		if (ret == 0)
			break;
	}
	/* The destination's allocation was the first one to fail. */
	assert_true(nth > 1);
}

/*
 * A shared mapping of a hugetlb memfd in two tasks: without
 * MPOL_MF_MOVE_ALL the page is -EACCES (mapped twice); with it, both
 * tasks map the new folio, the file's page cache holds it (a third
 * mapping made afterwards finds it on node 1) and the contents written
 * through one are read through the other.
 */
static void test_shared_memfd_two_tasks(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *a = new_task(m, "a"), *b = new_task(m, "b");
	const struct hstate *h = H2M(m);
	struct foliage_file *f = NULL;
	unsigned long pa, pb, pc, success;
	struct folio *old, *new;
	int status;

	set(m, "vm.nr_hugepages", "2");
	assert_int_equal(foliage_memfd_create(m, "hmem", 2 * MB,
					      FOLIAGE_MFD_HUGETLB, &f), 0);
	pa = map(a, 0, 2 * MB, PROT_RW, FOLIAGE_MAP_SHARED, f, 0);
	pb = map(b, 0, 2 * MB, PROT_RW, FOLIAGE_MAP_SHARED, f, 0);
	fill_pattern(a, pa, 2 * MB, 0x40);
	expect_pattern(b, pb, 64 * KB, 0x40);
	old = hfolio_at(a, pa);
	assert_ptr_equal(hfolio_at(b, pb), old);
	assert_false(folio_test_anon(old));
	assert_int_equal(where(a, pa), 0);

	assert_int_equal(move_one(a, pa, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 0);
	assert_int_equal(status, -EACCES);
	assert_int_equal(where(b, pb), 0);

	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(move_one(a, pa, 1, FOLIAGE_MPOL_MF_MOVE_ALL,
				  &status), 0);
	assert_int_equal(status, 1);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 512);
	new = hfolio_at(a, pa);
	assert_ptr_not_equal(new, old);
	assert_ptr_equal(hfolio_at(b, pb), new);
	assert_int_equal(where(b, pb), 1);
	assert_ptr_equal(new->mapping, f->file.f_mapping);
	assert_ptr_equal(HUGETLBFS_I(f->file.f_inode)->folios[0], new);
	/* Two mappings and the cache. */
	assert_int_equal(folio_ref_count(new), 3);
	assert_int_equal(folio_mapcount(new), 2);
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 1, 0, 0);
	expect_pattern(b, pb, 2 * MB, 0x40);
	fill(b, pb + MB, 0x66, 128);
	expect_fill(a, pa + MB, 0x66, 128);
	/* A new mapping faults the cached (new) page in. */
	pc = map(a, 0, 2 * MB, PROT_RW, FOLIAGE_MAP_SHARED, f, 0);
	expect_fill(a, pc + MB, 0x66, 128);
	assert_ptr_equal(hfolio_at(a, pc), new);
	(void)rc_check(m);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(a), 0);
	assert_int_equal(foliage_exit(b), 0);
	foliage_file_put(f);
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 1, 1, 0);
	assert_machine_ok(m);
	test_machine_done(m);
}

/*
 * MAP_SHARED|MAP_HUGETLB mapped once (the page cache of its anon file):
 * it moves with plain MPOL_MF_MOVE (the other base pages of the folio
 * report as Linux's do_pages_move() reports them), and smaps still
 * counts it in Private_Hugetlb afterwards.
 */
static void test_shared_anon_one_task(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	unsigned long addr, pages[3];
	int nodes[3] = { 1, 1, 1 }, st[3];
	struct smaps_vma sv;
	int status;

	set(m, "vm.nr_hugepages", "2");
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_SHARED, NULL, 0);
	fill_pattern(t, addr, 2 * MB, 0x21);
	/*
	 * Three base pages of one huge page: the first queues it, the
	 * second finds it isolated (-EBUSY) and flushes the batch, the
	 * third finds it on node 1 already.
	 */
	pages[0] = addr;
	pages[1] = addr + 4096;
	pages[2] = addr + 8192;
	assert_int_equal(foliage_move_pages(t, 3, pages, nodes, st,
					    FOLIAGE_MPOL_MF_MOVE), 0);
	assert_int_equal(st[0], 1);
	assert_int_equal(st[1], -EBUSY);
	assert_int_equal(st[2], 1);
	assert_int_equal(move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 0);
	assert_int_equal(status, 1);
	expect_pattern(t, addr, 2 * MB, 0x21);
	sv = smaps_at(t, addr);
	assert_int_equal(sv.mss.private_hugetlb, 2 * MB);
	assert_int_equal(sv.mss.shared_hugetlb, 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * Over a page under migration (its mappings replaced by migration
 * entries, the folio locked, as unmap_and_move_huge_page() leaves it
 * between try_to_migrate() and the move): smaps counts the entry as
 * shared, numa_maps counts nothing, fork gives the child the entry as a
 * read entry (the parent's too, COW), the rmap walk maps both back; then
 * both read the contents and a write in each COWs.
 */
static void test_fork_and_walkers_over_entries(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t"), *c;
	const struct hstate *h = H2M(m);
	unsigned long addr;
	struct held hd = { .nr = 0 };
	unsigned long nr_entries = 0;
	struct foliage_pte_info pi;
	struct folio *folio;
	struct smaps_vma sv;
	char *nm = NULL;
	LIST_HEAD(list);
	pmd_t e;

	set(m, "vm.nr_hugepages", "3");
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 2 * MB, 0x33);
	folio = hfolio_at(t, addr);

	assert_int_equal(machine_enter(m), 0);
	assert_true(isolate_folio_to_list(folio, &list));
	assert_false(folio_test_hugetlb_migratable(folio));
	/* Isolated once: a second isolation fails. */
	assert_false(isolate_hugetlb(folio, &list));
	hd.folios[hd.nr++] = folio;
	held_start(&hd, m);
	assert_false(folio_mapped(folio));
	e = hentry_at(t, addr);
	assert_true(is_hugetlb_entry_migration(e));
	assert_true(is_writable_migration_entry(pmd_to_swp_entry(e)));
	/* The rmap walk finds exactly the entries the page tables hold. */
	assert_int_equal(rmap_check_migration_folio(folio, &nr_entries), 0);
	assert_int_equal(nr_entries, 1);

	sv = smaps_at(t, addr);
	assert_int_equal(sv.mss.shared_hugetlb, 2 * MB);
	assert_int_equal(sv.mss.private_hugetlb, 0);
	/* pagemap: not present, and not swapped either. */
	assert_int_equal(foliage_page_state(t, addr + 5 * 4096, &pi), 0);
	assert_true(pi.vma);
	assert_false(pi.present);
	assert_false(pi.swap);
	assert_int_equal(foliage_render_task(t, "numa_maps", 0, &nm), 0);
	assert_non_null(strstr(nm, " huge"));
	assert_null(strstr(nm, " N0="));
	free(nm);

	c = fork_task(t, "c");
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(rmap_check_migration_folio(folio, &nr_entries), 0);
	assert_int_equal(nr_entries, 2);
	e = hentry_at(t, addr);
	assert_true(is_hugetlb_entry_migration(e));
	assert_false(is_writable_migration_entry(pmd_to_swp_entry(e)));
	assert_false(is_readable_exclusive_migration_entry(
		pmd_to_swp_entry(e)));
	assert_int_equal(pmd_val(hentry_at(c, addr)), pmd_val(e));

	/* The migration gives up: every entry maps the folio again. */
	held_release(&hd);
	assert_int_equal(machine_enter(m), 0);
	putback_movable_pages(&list);
	assert_true(folio_test_hugetlb_migratable(folio));
	assert_int_equal(folio_mapcount(folio), 2);
	assert_false(PageAnonExclusive(&folio->page));
	assert_ptr_equal(hfolio_at(c, addr), folio);
	assert_int_equal(foliage_page_state(c, addr + 5 * 4096, &pi), 0);
	assert_true(pi.present);
	assert_true(pi.huge);
	assert_false(pi.write);
	assert_int_equal(pi.pfn, folio_pfn(folio) + 5);
	assert_machine_ok(m);
	expect_pattern(c, addr, 2 * MB, 0x33);
	expect_pattern(t, addr, 2 * MB, 0x33);
	/* Read entries: a write COWs in each. */
	fill(c, addr, 0x01, 16);
	fill(t, addr, 0x02, 16);
	assert_ptr_not_equal(hfolio_at(c, addr), hfolio_at(t, addr));
	expect_fill(c, addr, 0x01, 16);
	expect_fill(t, addr, 0x02, 16);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(t), 0);
	assert_int_equal(h->free_huge_pages, 3);
	test_machine_done(m);
}

/*
 * munmap and mprotect over a migration entry: munmap just clears it (the
 * folio lost that mapping and reference when the entry was made);
 * mprotect makes a writable entry a read-exclusive one.  The migration's
 * undo then finds no entry to restore for the unmapped part.
 */
static void test_munmap_mprotect_over_entries(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	struct held hd = { .nr = 0 };
	struct folio *f1, *f2;
	unsigned long addr;
	LIST_HEAD(list);
	pmd_t e;

	set(m, "vm.nr_hugepages", "2");
	addr = map(t, 0, 4 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 4 * MB, 0x44);
	f1 = hfolio_at(t, addr);
	f2 = hfolio_at(t, addr + 2 * MB);

	assert_int_equal(machine_enter(m), 0);
	assert_true(isolate_folio_to_list(f1, &list));
	assert_true(isolate_folio_to_list(f2, &list));
	hd.folios[hd.nr++] = f1;
	hd.folios[hd.nr++] = f2;
	held_start(&hd, m);
	assert_int_equal(foliage_mprotect(t, addr + 2 * MB, 2 * MB,
					  FOLIAGE_PROT_READ), 0);
	e = hentry_at(t, addr + 2 * MB);
	assert_true(is_readable_exclusive_migration_entry(pmd_to_swp_entry(e)));
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);

	held_release(&hd);
	assert_int_equal(machine_enter(m), 0);
	/* f1 has no user left but the isolation: freed by the putback. */
	assert_int_equal(folio_ref_count(f1), 1);
	putback_movable_pages(&list);
	assert_int_equal(h->free_huge_pages, 1);
	assert_ptr_equal(hfolio_at(t, addr + 2 * MB), f2);
	assert_true(PageAnonExclusive(&f2->page));
	assert_false(pmd_write(hentry_at(t, addr + 2 * MB)));
	/* 2 MiB * 7 is a multiple of 256: the pattern restarts. */
	expect_pattern(t, addr + 2 * MB, 2 * MB, 0x44);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * Isolation rules: a folio freed while isolated is done with at once
 * (refcount 1); only migratable folios isolate; the putback frees a
 * folio whose last user went.
 */
static void test_isolate_putback(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	struct migration_target_control mtc = {
		.nid = 1, .gfp_mask = GFP_HIGHUSER_MOVABLE | __GFP_THISNODE,
		.reason = MR_SYSCALL,
	};
	unsigned int nr_succeeded = 7;
	unsigned long addr, success;
	struct folio *folio;
	LIST_HEAD(list);

	set(m, "vm.nr_hugepages", "2");
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill(t, addr, 1, 1);
	folio = hfolio_at(t, addr);
	assert_int_equal(machine_enter(m), 0);
	assert_true(isolate_folio_to_list(folio, &list));
	assert_int_equal(folio_ref_count(folio), 2);
	assert_int_equal(vmstat(m, "nr_isolated_anon"), 0);
	assert_int_equal(foliage_munmap(t, addr, 2 * MB), 0);
	assert_int_equal(folio_ref_count(folio), 1);
	success = vmstat(m, "pgmigrate_success");
	/* Freed under us: "migrated" without a destination. */
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(migrate_pages(&list, alloc_migration_target, NULL,
				       (unsigned long)&mtc, MIGRATE_SYNC,
				       MR_SYSCALL, &nr_succeeded), 0);
	assert_true(list_empty(&list));
	assert_int_equal(nr_succeeded, 512);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 512);
	assert_int_equal(h->free_huge_pages, 2);
	/* A free pool folio is not migratable. */
	spin_lock(&m->hugetlb->hugetlb_lock);
	folio = list_first_entry(&H2M(m)->hugepage_freelists[0],
				 struct folio, lru);
	spin_unlock(&m->hugetlb->hugetlb_lock);
	assert_false(isolate_folio_to_list(folio, &list));
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * alloc_contig_range() over hugetlb pages: one in use migrates to another
 * pool page of its node (outside the range), the old one, back in the
 * pool, is dissolved and replaced (replace_free_hugepage_folios()); a
 * free pool page is replaced and dissolved at once; one in use that
 * cannot be isolated makes the range -EBUSY.  The pool's per-node
 * counters end as they began.
 */
static void test_alloc_contig_range_hugetlb(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr, start, success, allocs;
	struct folio *a, *b, *c;
	LIST_HEAD(list);

	set(m, "vm.nr_hugepages", "4");
	addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 2 * MB, 0x5a);
	a = hfolio_at(t, addr);
	assert_int_equal(folio_nid(a), 0);
	assert_node(h, 0, 2, 1, 0);
	start = folio_pfn(a);
	success = vmstat(m, "pgmigrate_success");
	allocs = vmstat(m, "htlb_buddy_alloc_success");

	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(alloc_contig_range(start, start + 512, GFP_KERNEL),
			 0);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 512);
	/* The replacement of the migrated page, back in the pool. */
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_success") - allocs, 1);
	b = hfolio_at(t, addr);
	assert_ptr_not_equal(b, a);
	assert_int_equal(folio_nid(b), 0);
	assert_true(folio_pfn(b) + 512 <= start || folio_pfn(b) >= start + 512);
	assert_node(h, 0, 2, 1, 0);
	assert_node(h, 1, 2, 2, 0);
	expect_pattern(t, addr, 2 * MB, 0x5a);
	assert_int_equal(machine_enter(m), 0);
	free_contig_range(start, 512);
	assert_machine_ok(m);

	/* A free pool page: replaced, dissolved, nothing migrated. */
	spin_lock(&m->hugetlb->hugetlb_lock);
	c = list_first_entry(&H2M(m)->hugepage_freelists[1], struct folio,
			     lru);
	spin_unlock(&m->hugetlb->hugetlb_lock);
	start = folio_pfn(c);
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(alloc_contig_range(start, start + 512, GFP_KERNEL),
			 0);
	assert_int_equal(vmstat(m, "pgmigrate_success"), success);
	assert_node(h, 1, 2, 2, 0);
	assert_int_equal(machine_enter(m), 0);
	free_contig_range(start, 512);
	assert_machine_ok(m);

	/* In use and isolated already (not migratable): -EBUSY. */
	assert_int_equal(machine_enter(m), 0);
	assert_true(isolate_folio_to_list(b, &list));
	start = folio_pfn(b);
	assert_int_equal(alloc_contig_range(start, start + 512, GFP_KERNEL),
			 -EBUSY);
	putback_movable_pages(&list);
	assert_ptr_equal(hfolio_at(t, addr), b);
	assert_node(h, 0, 2, 1, 0);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * mbind(MPOL_BIND, MPOL_MF_MOVE) and migrate_pages(2) over a hugetlb VMA:
 * the pages move whole (to free pool pages of the target node), 512 base
 * pages each in pgmigrate_success; MPOL_MF_STRICT without MOVE: -EIO; a
 * page mapped twice stays without MOVE_ALL, and that is no failure.
 */
static void test_mbind_migrate_pages_hugetlb(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t"), *c;
	const struct hstate *h = H2M(m);
	unsigned long addr, success;

	set(m, "vm.nr_hugepages", "4");
	addr = map(t, 0, 4 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill_pattern(t, addr, 4 * MB, 0x77);
	assert_int_equal(where(t, addr), 0);
	assert_int_equal(where(t, addr + 2 * MB), 0);
	assert_int_equal(foliage_mbind(t, addr, 4 * MB, FOLIAGE_MPOL_BIND,
				       1UL << 1, FOLIAGE_MPOL_MF_STRICT), -EIO);
	assert_int_equal(where(t, addr), 0);

	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(foliage_mbind(t, addr, 4 * MB, FOLIAGE_MPOL_BIND,
				       1UL << 1, FOLIAGE_MPOL_MF_MOVE |
				       FOLIAGE_MPOL_MF_STRICT), 0);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success, 1024);
	assert_int_equal(where(t, addr), 1);
	assert_int_equal(where(t, addr + 2 * MB), 1);
	assert_node(h, 0, 2, 2, 0);
	assert_node(h, 1, 2, 0, 0);
	expect_pattern(t, addr, 4 * MB, 0x77);
	assert_machine_ok(m);

	assert_int_equal(foliage_migrate_pages(t, 1UL << 1, 1UL << 0), 0);
	assert_int_equal(where(t, addr), 0);
	assert_int_equal(where(t, addr + 2 * MB), 0);
	assert_node(h, 0, 2, 0, 0);
	assert_node(h, 1, 2, 2, 0);
	expect_pattern(t, addr, 4 * MB, 0x77);
	assert_machine_ok(m);

	/* Shared with a child: stays, and MPOL_MF_STRICT sees no failure. */
	c = fork_task(t, "c");
	assert_int_equal(foliage_mbind(t, addr, 2 * MB, FOLIAGE_MPOL_BIND,
				       1UL << 1, FOLIAGE_MPOL_MF_MOVE |
				       FOLIAGE_MPOL_MF_STRICT), 0);
	assert_int_equal(where(t, addr), 0);
	assert_int_equal(foliage_mbind(t, addr, 2 * MB, FOLIAGE_MPOL_BIND,
				       1UL << 1, FOLIAGE_MPOL_MF_MOVE_ALL), 0);
	assert_int_equal(where(t, addr), 1);
	assert_int_equal(where(c, addr), 1);
	expect_pattern(c, addr, 2 * MB, 0x77);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(c), 0);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * 1 GiB pages migrate too (PUD migration entries; x86-64's
 * arch_hugetlb_migration_supported() says yes), but only to a free pool
 * page: no temporary gigantic page is allocated, so without one the move
 * is -ENOMEM.
 */
static void test_gigantic(void **state)
{
	struct foliage_machine *m = test_machine(2, 1280);
	const struct hstate *h = &m->hugetlb->hstates[HSTATE_1G];
	struct held hd = { .nr = 0 };
	unsigned long nr_entries = 0;
	struct foliage_task *t;
	unsigned long addr, success;
	LIST_HEAD(list);
	struct folio *old;
	int status;

	set(m, "hugepages.hugepages-1048576kB/nr_hugepages", "2");
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 1, 1, 0);
	t = new_task(m, "t");
	addr = map(t, 0, 1UL << 30, PROT_RW,
		   HUGE_PRIV | FOLIAGE_MAP_HUGE_1GB, NULL, 0);
	fill_pattern(t, addr, 64 * KB, 0x10);
	fill_pattern(t, addr + (1UL << 30) - 64 * KB, 64 * KB, 0x20);
	old = hfolio_at(t, addr);
	assert_int_equal(folio_nid(old), 0);
	/* Under migration: a PUD migration entry, which every walker knows. */
	assert_int_equal(machine_enter(m), 0);
	assert_true(isolate_folio_to_list(old, &list));
	hd.folios[hd.nr++] = old;
	held_start(&hd, m);
	assert_true(is_hugetlb_entry_migration(hentry_at(t, addr)));
	assert_int_equal(rmap_check_migration_folio(old, &nr_entries), 0);
	assert_int_equal(nr_entries, 1);
	assert_int_equal(smaps_at(t, addr).mss.shared_hugetlb, 1UL << 30);
	held_release(&hd);
	assert_int_equal(machine_enter(m), 0);
	putback_movable_pages(&list);
	assert_ptr_equal(hfolio_at(t, addr), old);
	success = vmstat(m, "pgmigrate_success");
	assert_int_equal(move_one(t, addr, 1, FOLIAGE_MPOL_MF_MOVE, &status),
			 0);
	assert_int_equal(status, 1);
	assert_int_equal(vmstat(m, "pgmigrate_success") - success,
			 1UL << 18);
	assert_ptr_not_equal(hfolio_at(t, addr), old);
	assert_node(h, 0, 1, 1, 0);
	assert_node(h, 1, 1, 0, 0);
	expect_pattern(t, addr, 64 * KB, 0x10);
	expect_pattern(t, addr + (1UL << 30) - 64 * KB, 64 * KB, 0x20);
	/* The 1 GiB leaf, seen by the table scan and by the rmap walk. */
	assert_int_equal(rc_check(m).pmd_maps, 1);
	assert_machine_ok(m);
	/* Node 0's free page gone: nowhere to go back to, -ENOMEM. */
	assert_int_equal(foliage_set(m, "hugepages.hugepages-1048576kB/"
				     "nr_hugepages", "1"), 0);
	assert_node(h, 0, 0, 0, 0);
	assert_int_equal(move_one(t, addr, 0, FOLIAGE_MPOL_MF_MOVE, &status),
			 -ENOMEM);
	assert_int_equal(where(t, addr), 1);
	expect_pattern(t, addr, 64 * KB, 0x10);
	assert_machine_ok(m);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

/*
 * Hugetlb faults are placed by the mempolicy (Linux's
 * dequeue_hugetlb_folio_vma() and alloc_buddy_hugetlb_folio_with_mpol()),
 * 2 pages per node, all 4 reserved by the private mapping:
 *
 *   A+0   MPOL_BIND {1}            -> node 1
 *   A+2M  MPOL_INTERLEAVE {0,1}    -> node (index % 2)
 *   A+4M  MPOL_INTERLEAVE {0,1}    -> the other node
 *   A+6M  MPOL_BIND {1}: node 1 has none left, node 0 has one
 *         -> SIGBUS (the reservation is global, the placement is not)
 *   A+6M  MPOL_PREFERRED_MANY {1}  -> falls back to node 0
 */
static void test_fault_placed_by_policy(void **state)
{
	struct foliage_machine *m = test_machine(2, 64);
	struct foliage_task *t = new_task(m, "t");
	const struct hstate *h = H2M(m);
	unsigned long addr, fault = 0;
	char byte = 1;
	int n2, n4;

	(void)state;
	set(m, "vm.nr_hugepages", "4");
	assert_node(h, 0, 2, 2, 0);
	assert_node(h, 1, 2, 2, 0);
	addr = map(t, 0, 8 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	assert_int_equal(h->resv_huge_pages, 4);

	assert_int_equal(foliage_mbind(t, addr, 2 * MB, FOLIAGE_MPOL_BIND,
				       1UL << 1, 0), 0);
	fill_pattern(t, addr, 2 * MB, 1);
	assert_int_equal(where(t, addr), 1);

	assert_int_equal(foliage_mbind(t, addr + 2 * MB, 4 * MB,
				       FOLIAGE_MPOL_INTERLEAVE, 3UL, 0), 0);
	fill_pattern(t, addr + 2 * MB, 4 * MB, 2);
	n2 = where(t, addr + 2 * MB);
	n4 = where(t, addr + 4 * MB);
	assert_true(n2 == 0 || n2 == 1);
	assert_int_equal(n4, 1 - n2);
	assert_node(h, 0, 2, 1, 0);
	assert_node(h, 1, 2, 0, 0);

	assert_int_equal(foliage_mbind(t, addr + 6 * MB, 2 * MB,
				       FOLIAGE_MPOL_BIND, 1UL << 1, 0), 0);
	assert_int_equal(foliage_access(t, addr + 6 * MB, &byte, 1, true,
					&fault), -EFAULT);
	assert_int_equal(fault, addr + 6 * MB);
	assert_node(h, 0, 2, 1, 0);
	assert_int_equal(h->resv_huge_pages, 1);

	assert_int_equal(foliage_mbind(t, addr + 6 * MB, 2 * MB,
				       FOLIAGE_MPOL_PREFERRED_MANY, 1UL << 1,
				       0), 0);
	fill_pattern(t, addr + 6 * MB, 2 * MB, 4);
	assert_int_equal(where(t, addr + 6 * MB), 0);
	assert_node(h, 0, 2, 0, 0);
	assert_int_equal(h->resv_huge_pages, 0);
	expect_pattern(t, addr, 2 * MB, 1);
	expect_pattern(t, addr + 2 * MB, 4 * MB, 2);
	expect_pattern(t, addr + 6 * MB, 2 * MB, 4);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_to_free_pool_page),
		cmocka_unit_test(test_fault_placed_by_policy),
		cmocka_unit_test(test_move_to_temporary_page),
		cmocka_unit_test(test_move_surplus_transfer),
		cmocka_unit_test(test_move_enomem),
		cmocka_unit_test(test_fail_nth_destination),
		cmocka_unit_test(test_shared_memfd_two_tasks),
		cmocka_unit_test(test_shared_anon_one_task),
		cmocka_unit_test(test_fork_and_walkers_over_entries),
		cmocka_unit_test(test_munmap_mprotect_over_entries),
		cmocka_unit_test(test_isolate_putback),
		cmocka_unit_test(test_alloc_contig_range_hugetlb),
		cmocka_unit_test(test_mbind_migrate_pages_hugetlb),
		cmocka_unit_test(test_gigantic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
