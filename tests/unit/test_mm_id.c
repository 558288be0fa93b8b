// SPDX-License-Identifier: GPL-2.0
/*
 * CONFIG_MM_ID (Linux 6.18 with THP): each mm has an id; a large folio's two
 * mm slots and its "maybe mapped shared" mark follow which mms map it, and
 * decide folio_maybe_mapped_shared() and the reuse of a large anon folio
 * at a write fault.  The folio under test is one order-4 (64K) anonymous
 * mTHP at BASE, on x86 and arm64 machines, forked batched and per PTE.
 */
#include "batch_helpers.h"
#include <linux/rmap.h>
#include "task.h"

#define BASE		(1UL << 30)
#define NR		16

struct fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* the parent */
	struct folio *folio;		/* the 64K folio at BASE */
};

static int setup_kind(void **state, unsigned int arch, bool batching,
		      bool no_page_mapcount)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = batch_machine_cfg(arch, no_page_mapcount);
	assert_int_equal(foliage_set(f->m, "debug.fork_batching",
				     batching ? "1" : "0"), 0);
	f->task = new_task(f->m, "parent");
	f->folio = batch_folio_64k(f->task, BASE);
	*state = f;
	return 0;
}

static int setup_x86(void **s) { return setup_kind(s, FOLIAGE_ARCH_X86_64, true, false); }
static int setup_x86_pte(void **s) { return setup_kind(s, FOLIAGE_ARCH_X86_64, false, false); }
static int setup_arm64(void **s) { return setup_kind(s, FOLIAGE_ARCH_ARM64, true, false); }
/* CONFIG_NO_PAGE_MAPCOUNT: the slots are the only per-mm record. */
static int setup_x86_none(void **s) { return setup_kind(s, FOLIAGE_ARCH_X86_64, true, true); }

BATCH_FIXTURE(struct fixture);
#define teardown batch_teardown

static mm_id_t id_of(struct foliage_task *t)
{
	return t->task.mm->mm_id;
}

/* Slot @idx holds @id with @mappings of it (0: the slot is free). */
static void assert_slot(struct folio *folio, int idx, mm_id_t id,
			int mappings)
{
	assert_int_equal(folio_mm_id(folio, idx), id);
	assert_int_equal(folio_mm_id_mapcount(folio, idx), mappings - 1);
}

/* Every mm has its own id, the smallest free one, given back at exit. */
static void test_ids(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *a = new_task(f->m, "a");
	struct foliage_task *b = new_task(f->m, "b");
	struct foliage_task *c;
	mm_id_t ida = id_of(a);

	assert_true(id_of(f->task) >= MM_ID_MIN);
	assert_int_not_equal(id_of(a), id_of(f->task));
	assert_int_not_equal(id_of(b), id_of(a));
	assert_int_not_equal(id_of(b), id_of(f->task));
	assert_int_equal(foliage_exit(a), 0);
	c = new_task(f->m, "c");
	assert_int_equal(id_of(c), ida);
	assert_int_equal(foliage_exit(b), 0);
	assert_int_equal(foliage_exit(c), 0);
}

/*
 * A new folio is the faulting mm's alone: slot 0 with all 16 mappings.
 * A fork gives the child slot 1 and marks the folio shared; the child's
 * exit frees the slot and takes the mark away.
 */
static void test_fork_and_exit(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child;

	assert_slot(f->folio, 0, id_of(f->task), NR);
	assert_slot(f->folio, 1, MM_ID_DUMMY, 0);
	assert_false(folio_test_large_maybe_mapped_shared(f->folio));
	assert_false(folio_maybe_mapped_shared(f->folio));

	child = fork_task(f->task, "child");
	assert_slot(f->folio, 0, id_of(f->task), NR);
	assert_slot(f->folio, 1, id_of(child), NR);
	assert_true(folio_test_large_maybe_mapped_shared(f->folio));
	assert_true(folio_maybe_mapped_shared(f->folio));
	assert_machine_ok(f->m);

	assert_int_equal(foliage_exit(child), 0);
	assert_slot(f->folio, 0, id_of(f->task), NR);
	assert_slot(f->folio, 1, MM_ID_DUMMY, 0);
	assert_false(folio_maybe_mapped_shared(f->folio));
}

/* A partial unmap keeps the child's slot and the mark; the rest frees it. */
static void test_child_unmaps(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");

	assert_int_equal(foliage_munmap(child, BASE, 8 * PAGE_SIZE), 0);
	assert_slot(f->folio, 1, id_of(child), 8);
	assert_true(folio_maybe_mapped_shared(f->folio));
	assert_int_equal(foliage_munmap(child, BASE + 8 * PAGE_SIZE,
					8 * PAGE_SIZE), 0);
	assert_slot(f->folio, 1, MM_ID_DUMMY, 0);
	assert_false(folio_maybe_mapped_shared(f->folio));
	assert_machine_ok(f->m);
	assert_int_equal(foliage_exit(child), 0);
}

/*
 * A third mm finds no slot: the folio stays marked until a slot again
 * counts every mapping (the third mm's exit here).
 */
static void test_third_mm(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *c1 = fork_task(f->task, "c1");
	struct foliage_task *c2 = fork_task(f->task, "c2");

	assert_slot(f->folio, 0, id_of(f->task), NR);
	assert_slot(f->folio, 1, id_of(c1), NR);
	assert_int_equal(folio_mapcount(f->folio), 3 * NR);
	assert_true(folio_maybe_mapped_shared(f->folio));
	assert_machine_ok(f->m);

	assert_int_equal(foliage_exit(c1), 0);
	/* c2's 16 mappings have no slot: still shared, rightly. */
	assert_slot(f->folio, 1, MM_ID_DUMMY, 0);
	assert_true(folio_maybe_mapped_shared(f->folio));
	assert_int_equal(foliage_exit(c2), 0);
	assert_false(folio_maybe_mapped_shared(f->folio));
	assert_machine_ok(f->m);
}

/*
 * Linux's false positive: the parent unmaps, two children keep it; one
 * child's exit leaves the other, slotless, the only mm: still "maybe
 * mapped shared", since no slot counts its mappings.
 */
static void test_false_positive(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *c1 = fork_task(f->task, "c1");
	struct foliage_task *c2 = fork_task(f->task, "c2");

	assert_int_equal(foliage_munmap(f->task, BASE, NR * PAGE_SIZE), 0);
	assert_slot(f->folio, 0, MM_ID_DUMMY, 0);
	assert_int_equal(foliage_exit(c1), 0);
	assert_int_equal(folio_mapcount(f->folio), NR);
	assert_slot(f->folio, 1, MM_ID_DUMMY, 0);
	assert_true(folio_maybe_mapped_shared(f->folio));
	assert_machine_ok(f->m);
	/* So c2's write fault copies the page instead of reusing it. */
	fill(c2, BASE, 'z', PAGE_SIZE);
	assert_ptr_not_equal(page_folio(batch_page(c2, BASE)), f->folio);
	assert_int_equal(foliage_exit(c2), 0);
}

/*
 * Write faults on a read-only PTE of the folio: copied while the child
 * maps it, reused in place once the parent's slot counts every mapping.
 */
static void test_wp_reuse(void **state)
{
	struct fixture *f = *state;
	struct foliage_task *child = fork_task(f->task, "child");

	fill(f->task, BASE + 3 * PAGE_SIZE, 'w', PAGE_SIZE);
	assert_ptr_not_equal(page_folio(batch_page(f->task, BASE + 3 * PAGE_SIZE)),
			     f->folio);
	expect_fill(child, BASE + 3 * PAGE_SIZE, 'a', PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
	fill(f->task, BASE + 5 * PAGE_SIZE, 'w', PAGE_SIZE);
	assert_ptr_equal(page_folio(batch_page(f->task, BASE + 5 * PAGE_SIZE)),
			 f->folio);
	assert_true(PageAnonExclusive(folio_page(f->folio, 5)));
}

/*
 * The folio mapped at two places of the same mm (half of it moved by
 * mremap) after a fork and the child's exit: one mm, so a write reuses it.
 */
static void test_wp_reuse_moved_half(void **state)
{
	struct fixture *f = *state;
	const unsigned long to = BASE + (64UL << 20);
	struct foliage_task *child = fork_task(f->task, "child");
	unsigned long out = 0;

	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(foliage_mremap(f->task, BASE + 8 * PAGE_SIZE,
					8 * PAGE_SIZE, 8 * PAGE_SIZE,
					FOLIAGE_MREMAP_MAYMOVE |
					FOLIAGE_MREMAP_FIXED, to, &out), 0);
	assert_int_equal(out, to);
	assert_ptr_equal(page_folio(batch_page(f->task, to)), f->folio);
	assert_false(folio_maybe_mapped_shared(f->folio));
	fill(f->task, to + PAGE_SIZE, 'm', PAGE_SIZE);
	assert_ptr_equal(page_folio(batch_page(f->task, to + PAGE_SIZE)),
			 f->folio);
	fill(f->task, BASE, 'm', PAGE_SIZE);
	assert_ptr_equal(page_folio(batch_page(f->task, BASE)), f->folio);
	assert_machine_ok(f->m);
}

#define T(fn, s) cmocka_unit_test_setup_teardown(fn, s, teardown)
#define RULES(s)							\
	T(test_fork_and_exit, s), T(test_child_unmaps, s),		\
	T(test_third_mm, s), T(test_false_positive, s),			\
	T(test_wp_reuse, s), T(test_wp_reuse_moved_half, s)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ids, setup_x86),
		RULES(setup_x86), RULES(setup_x86_pte), RULES(setup_arm64),
		RULES(setup_x86_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
