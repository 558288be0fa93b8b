// SPDX-License-Identifier: GPL-2.0
/*
 * Migration against munmap and the reverse-map walkers, on a two-node
 * machine whose copies go to dcbm over four DMA channels (each served by
 * its own thread: completions come in any order), every thread on its
 * own CPU, all on one task T:
 *
 *	BASE                                                     END
 *	| STABLE (32 pages)      | SLICE (16)   | UNMAP (16)       |
 *	  filled once, checked     the writer's   the unmapper's
 *
 *   mover       move_pages(2) of all of [BASE, END) back and forth
 *               (MPOL_MF_MOVE_ALL): dcbm copies, the CPU when it fails
 *   remapper    migrate_pages(2) of T the other way
 *   writer      writes SLICE page patterns, reads them back (faults meet
 *               migration entries and sleep), keeps them in its shadow
 *   forker      forks T; the child reads STABLE against the shadow, and
 *               exits (fork copies migration entries)
 *   unmapper    maps UNMAP, fills it, munmaps its first half and then
 *               the rest, while the movers migrate it
 *   walkers (2) every folio of the range, as reclaim and DAMON see them:
 *               a reference, its anon_vma pinned (folio_get_anon_vma()),
 *               folio_referenced(), then rmap_walk() with
 *               page_vma_mapped_walk() for mappings and, with
 *               PVMW_MIGRATION, for the migration entries of a folio
 *               under migration: each entry found lies in its VMA and
 *               names a page of the folio
 *
 * Threads never call cmocka: each counts what went wrong; the main
 * thread asserts zero, then validates the quiet machine (every validator
 * and the rmap checker) and reads every byte the shadow oracle claims.
 *
 * The second test is the rmap checker with migration entries: a migrator
 * whose copy callback runs rmap_check_migration_folio() on each source,
 * while its mappings are migration entries, in a parent and its child and
 * for a PMD-mapped THP, then declines (the CPU copies).  In the "threads"
 * group, so under TSan too.
 */
#include <pthread.h>
#include <stdio.h>

#include "threads_helpers.h"
#include "shadow.h"
#include "rmap_check.h"
#include <linux/migrate.h>
#include <linux/migrate_offload.h>
#include <linux/err.h>
#include <linux/rmap.h>

#define ROUNDS		10
#define BASE		0x40000000UL
#define STABLE_PAGES	32
#define SLICE		(BASE + STABLE_PAGES * PAGE_SIZE)
#define SLICE_PAGES	16
#define UNMAP		(SLICE + SLICE_PAGES * PAGE_SIZE)
#define UNMAP_PAGES	16
#define END		(UNMAP + UNMAP_PAGES * PAGE_SIZE)
#define NR_PAGES	((END - BASE) / PAGE_SIZE)
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED | \
			 FOLIAGE_MAP_ANONYMOUS)

static struct foliage_machine *m;
static struct foliage_task *T;
static struct shadow stable;		/* STABLE's claims (read-only) */
static bool stop;			/* the movers are done (atomic) */

struct worker {
	pthread_t thread;		/* the thread */
	int id;				/* which of its kind */
	int errors;			/* what went wrong */
	char what[192];			/* the first of it */
	unsigned long found;		/* walkers: mappings/entries seen */
	unsigned long entries;		/* walkers: migration entries seen */
	struct shadow sh;		/* the writer's claims */
};

static bool stopped(void)
{
	return __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
}

/* m: two nodes of 32 MiB, @nr_cpus CPUs, THP @thp. */
static void two_nodes(unsigned int nr_cpus, const char *thp)
{
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.nr_cpus = nr_cpus;
	cfg.bytes_per_node = 32ULL << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled", thp),
			 0);
}

/* ---- the movers ---------------------------------------------------- */

static void *mover(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned long pages[NR_PAGES];
	static __thread int nodes[NR_PAGES], status[NR_PAGES];
	unsigned long i;
	int r;

	for (i = 0; i < NR_PAGES; i++)
		pages[i] = BASE + i * PAGE_SIZE;
	for (r = 0; r < 2 * ROUNDS; r++) {
		for (i = 0; i < NR_PAGES; i++)
			nodes[i] = (r + 1) % 2;
		/* Busy, shared or unmapped pages say so: not an error. */
		check(w, foliage_move_pages(T, NR_PAGES, pages, nodes, status,
					    FOLIAGE_MPOL_MF_MOVE_ALL) >= 0);
	}
	return NULL;
}

static void *remapper(void *arg)
{
	struct worker *w = arg;
	int r;

	for (r = 0; r < 2 * ROUNDS; r++)
		check(w, foliage_migrate_pages(T, 1UL << (r % 2),
					       1UL << !(r % 2)) >= 0);
	return NULL;
}

/* ---- the mm side --------------------------------------------------- */

static void *writer(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned char page[PAGE_SIZE], got[PAGE_SIZE];
	unsigned long addr;
	uint64_t seed;
	int r = 0;

	while (!stopped() && !w->errors) {
		for (addr = SLICE; addr < UNMAP; addr += PAGE_SIZE) {
			seed = shadow_seed(addr, 1, r);
			shadow_pattern(seed, page);
			check(w, !foliage_access(T, addr, page, PAGE_SIZE,
						 true, NULL));
			check(w, !shadow_record_pattern(&w->sh, addr, seed));
		}
		for (addr = SLICE; addr < UNMAP; addr += PAGE_SIZE) {
			check(w, !foliage_access(T, addr, got, PAGE_SIZE,
						 false, NULL));
			check(w, shadow_page_matches(shadow_find(&w->sh, addr),
						     got));
		}
		r++;
	}
	return NULL;
}

static void *forker(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned char got[PAGE_SIZE];
	struct foliage_task *c;
	unsigned long addr;

	while (!stopped() && !w->errors) {
		check(w, !foliage_fork(T, "child", &c));
		if (w->errors)
			break;
		for (addr = BASE; addr < SLICE; addr += PAGE_SIZE) {
			check(w, !foliage_access(c, addr, got, PAGE_SIZE,
						 false, NULL));
			check(w, shadow_page_matches(shadow_find(&stable,
								 addr), got));
		}
		check(w, !foliage_exit(c));
	}
	return NULL;
}

/* munmap of a range the movers are migrating, in two steps. */
static void *unmapper(void *arg)
{
	struct worker *w = arg;
	static __thread unsigned char buf[UNMAP_PAGES * PAGE_SIZE];
	const unsigned long half = UNMAP_PAGES / 2 * PAGE_SIZE;
	unsigned long got;
	int r = 0;

	while (!stopped() && !w->errors) {
		check(w, !foliage_mmap(T, UNMAP, sizeof(buf), RW, ANON_FIXED,
				       NULL, 0, &got));
		memset(buf, 'u' + r % 4, sizeof(buf));
		check(w, !foliage_access(T, UNMAP, buf, sizeof(buf), true,
					 NULL));
		check(w, !foliage_munmap(T, UNMAP, half));
		check(w, !foliage_access(T, UNMAP + half, buf, half, false,
					 NULL));
		check(w, buf[0] == 'u' + r % 4 && buf[half - 1] == buf[0]);
		check(w, !foliage_munmap(T, UNMAP + half, half));
		r++;
	}
	return NULL;
}

/* ---- the reverse-map walkers ------------------------------------------ */

struct walk_arg {
	struct worker *w;		/* the walker */
	unsigned long head;		/* the folio's first pfn */
	unsigned long nr;		/* its pages */
};

/*
 * One VMA rmap_walk() names: every mapping page_vma_mapped_walk() finds
 * there, then every migration entry, lies in the VMA and maps (names) a
 * page of the folio.
 */
static bool walker_one(struct folio *folio, struct vm_area_struct *vma,
		       unsigned long address, void *arg)
{
	struct walk_arg *a = arg;
	unsigned int pass;

	check(a->w, address >= vma->vm_start && address < vma->vm_end);
	for (pass = 0; pass < 2; pass++) {
		DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address,
				      pass ? PVMW_MIGRATION : 0);

		while (page_vma_mapped_walk(&pvmw)) {
			unsigned long pfn;

			if (pvmw.pte && pass)
				pfn = swp_offset_pfn(pte_to_swp_entry(
						ptep_get(pvmw.pte)));
			else if (pvmw.pte)
				pfn = pte_pfn(ptep_get(pvmw.pte));
			else if (pass)
				pfn = swp_offset_pfn(pmd_to_swp_entry(
						pmdp_get(pvmw.pmd)));
			else
				pfn = pmd_pfn(pmdp_get(pvmw.pmd));
			if (!pvmw.pte)
				pfn += (pvmw.address & ~PMD_MASK) >> PAGE_SHIFT;
			check(a->w, pvmw.address >= vma->vm_start &&
				    pvmw.address < vma->vm_end);
			check(a->w, pfn >= a->head && pfn < a->head + a->nr);
			a->w->found++;
			a->w->entries += pass;
		}
	}
	return true;
}

/* The folio mapped at @addr of T, with a reference; NULL if none. */
static struct folio *get_folio_at(unsigned long addr)
{
	struct mm_struct *mm = T->task.mm;
	struct vm_area_struct *vma;
	struct page *page = NULL;
	unsigned long mask;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma)
		page = follow_page_mask(vma, addr, FOLL_GET, &mask);
	mmap_read_unlock(mm);
	return IS_ERR_OR_NULL(page) ? NULL : page_folio(page);
}

static void walk_folio(struct worker *w, struct folio *folio)
{
	struct walk_arg a = { .w = w, .head = folio_pfn(folio),
			      .nr = folio_nr_pages(folio) };
	struct rmap_walk_control rwc = {
		.rmap_one = walker_one,
		.arg = &a,
	};
	struct anon_vma *anon_vma;
	vm_flags_t flags;
	int referenced;

	/* Reclaim's way: the anon_vma held while the folio is mapped. */
	anon_vma = folio_get_anon_vma(folio);
	if (!anon_vma)
		return;
	referenced = folio_referenced(folio, false, &flags);
	check(w, referenced >= -1);
	/* DAMON's: the walk itself, mappings and migration entries. */
	rmap_walk(folio, &rwc);
	put_anon_vma(anon_vma);
}

static void *walker(void *arg)
{
	struct worker *w = arg;
	unsigned long addr;
	struct folio *folio;

	while (!stopped() && !w->errors) {
		check(w, !machine_enter(m));
		for (addr = BASE + w->id * PAGE_SIZE; addr < END;
		     addr += 2 * PAGE_SIZE) {
			folio = get_folio_at(addr);
			if (!folio)
				continue;
			if (!is_zero_pfn(folio_pfn(folio)))
				walk_folio(w, folio);
			folio_put(folio);
		}
		machine_exit_op(m);
	}
	return NULL;
}

/* ---- the race -------------------------------------------------------- */

enum { W_MOVER, W_REMAPPER, W_WRITER, W_FORKER, W_UNMAPPER, W_WALK0,
       W_WALK1, NR_WORKERS };

static void test_migration_munmap_rmap_walkers(void **state)
{
	static unsigned char got[PAGE_SIZE];
	void *(*fn[NR_WORKERS])(void *) = {
		mover, remapper, writer, forker, unmapper, walker, walker,
	};
	struct worker w[NR_WORKERS] = { 0 };
	struct shadow_page *p;
	unsigned long addr, got_va;
	int i;

	two_nodes(16, "never");
	assert_int_equal(foliage_dma_device_add(m, 4, 0), 0);
	assert_int_equal(foliage_set(m, "dcbm.nr_dma_chan", "4"), 0);
	assert_int_equal(foliage_migrator_enable(m, "dcbm", NULL), 0);
	assert_int_equal(foliage_task_create(m, "T", &T), 0);
	assert_int_equal(foliage_mmap(T, BASE, UNMAP - BASE, RW, ANON_FIXED,
				      NULL, 0, &got_va), 0);
	shadow_init(&stable);
	for (addr = BASE; addr < SLICE; addr += PAGE_SIZE) {
		uint64_t seed = shadow_seed(addr, 0, 0);

		shadow_pattern(seed, got);
		assert_int_equal(foliage_access(T, addr, got, PAGE_SIZE, true,
						NULL), 0);
		assert_int_equal(shadow_record_pattern(&stable, addr, seed),
				 0);
	}

	for (i = 0; i < NR_WORKERS; i++) {
		w[i].id = i == W_WALK1;
		shadow_init(&w[i].sh);
		assert_int_equal(pthread_create(&w[i].thread, NULL, fn[i],
						&w[i]), 0);
	}
	/* The others run while the movers do. */
	assert_int_equal(pthread_join(w[W_MOVER].thread, NULL), 0);
	assert_int_equal(pthread_join(w[W_REMAPPER].thread, NULL), 0);
	__atomic_store_n(&stop, true, __ATOMIC_RELEASE);
	for (i = W_WRITER; i < NR_WORKERS; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	for (i = 0; i < NR_WORKERS; i++)
		if (w[i].errors)
			fail_msg("thread %d: %d errors, first %s", i,
				 w[i].errors, w[i].what);

	/* Migrations happened, dcbm copied some; the walkers saw mappings. */
	assert_int_equal(foliage_vmstat(m, "pgmigrate_success", &got_va), 0);
	assert_true(got_va > 0);
	assert_true(w[W_WALK0].found + w[W_WALK1].found > 0);
	{
		long copied = 0;

		assert_int_equal(foliage_get(m, "dcbm.folios_migrated",
					     &copied), 0);
		assert_true(copied > 0);
	}
	/* The quiet machine: every validator, the rmap checker with them. */
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(w[W_WRITER].sh.nr_pages, SLICE_PAGES);
	/* The shadow oracle: every byte claimed, wherever the pages are. */
	for (i = -1; i < NR_WORKERS; i++) {
		struct shadow *sh = i < 0 ? &stable : &w[i].sh;

		for (p = shadow_first(sh); p; p = shadow_next(sh, p)) {
			assert_int_equal(foliage_access(T, p->addr, got,
							PAGE_SIZE, false,
							NULL), 0);
			if (!shadow_page_matches(p, got))
				fail_msg("page %#lx is not what was written",
					 p->addr);
		}
		shadow_destroy(sh);
	}
	assert_int_equal(foliage_migrator_disable(m, "dcbm"), 0);
	threads_machine_done(m);
}

/* ---- the rmap checker with migration entries ------------------------ */

static struct {
	unsigned int calls;		/* offload_copy() calls */
	unsigned long folios;		/* sources checked */
	unsigned long entries;		/* their migration entries */
	unsigned long pmd_folios;	/* of which PMD-size */
	int err;			/* the first check's error */
} mc;

/* Check every source while its mappings are migration entries; decline. */
static int check_offload_copy(struct list_head *dst_list,
			      struct list_head *src_list, unsigned int nr)
{
	struct folio *src;
	unsigned long entries;
	int ret;

	mc.calls++;
	list_for_each_entry(src, src_list, lru) {
		ret = rmap_check_migration_folio(src, &entries);
		if (ret && !mc.err)
			mc.err = ret;
		mc.folios++;
		mc.entries += entries;
		mc.pmd_folios += folio_nr_pages(src) == HPAGE_PMD_NR;
	}
	return -EBUSY;
}

static int owner_token;
static struct migrator check_migrator = {
	.name = "rmap_check",
	.offload_copy = check_offload_copy,
	.owner = &owner_token,
};

#define THP_BASE	0x40000000UL	/* 2M aligned */
#define SMALL_BASE	(THP_BASE + (2UL << 20))
#define SMALL_PAGES	8

/*
 *	parent P and child C share every page (COW, MOVE_ALL moves them):
 *	THP_BASE   one PMD-mapped THP: one PMD entry in P, one in C
 *	SMALL_BASE 8 pages: a PTE entry in P and one in C each
 *
 * move_pages of all of it to node 1: every source is checked while its
 * mappings are entries: 9 folios, 18 entries; then everything is on
 * node 1, mapped again, and the contents are right.
 */
static void test_rmap_checker_migration_entries(void **state)
{
	static unsigned long pages[SMALL_PAGES + 1];
	static int nodes[SMALL_PAGES + 1], status[SMALL_PAGES + 1];
	struct foliage_task *c;
	unsigned long got, i;

	two_nodes(4, "always");
	assert_int_equal(foliage_task_create(m, "P", &T), 0);
	assert_int_equal(foliage_mmap(T, THP_BASE, 2UL << 20, RW, ANON_FIXED,
				      NULL, 0, &got), 0);
	assert_int_equal(foliage_mmap(T, SMALL_BASE, SMALL_PAGES * PAGE_SIZE,
				      RW, ANON_FIXED, NULL, 0, &got), 0);
	fill_pages(T, THP_BASE, 512);
	fill_pages(T, SMALL_BASE, SMALL_PAGES);
	assert_int_equal(foliage_fork(T, "C", &c), 0);

	assert_int_equal(machine_enter(m), 0);
	memset(&mc, 0, sizeof(mc));
	assert_int_equal(migrate_offload_register(&check_migrator,
						  MIGRATE_REASON_ALL), 0);
	pages[0] = THP_BASE;
	for (i = 0; i < SMALL_PAGES; i++)
		pages[i + 1] = SMALL_BASE + i * PAGE_SIZE;
	for (i = 0; i <= SMALL_PAGES; i++)
		nodes[i] = 1;
	assert_int_equal(foliage_move_pages(T, SMALL_PAGES + 1, pages, nodes,
					    status, FOLIAGE_MPOL_MF_MOVE_ALL),
			 0);
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(migrate_offload_unregister(&check_migrator), 0);
	assert_int_equal(mc.err, 0);
	assert_int_equal(mc.folios, SMALL_PAGES + 1);
	assert_int_equal(mc.pmd_folios, 1);
	assert_int_equal(mc.entries, 2 * (SMALL_PAGES + 1));
	for (i = 0; i <= SMALL_PAGES; i++)
		assert_int_equal(status[i], 1);
	expect_pages(T, THP_BASE, 512);
	expect_pages(c, SMALL_BASE, SMALL_PAGES);
	/* Not under migration (mapped, unlocked): the checker says so. */
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(rmap_check_migration_folio(
				page_folio(page_at(T, SMALL_BASE)), &got),
			 -ENOENT);
	threads_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migration_munmap_rmap_walkers),
		cmocka_unit_test(test_rmap_checker_migration_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
