// SPDX-License-Identifier: GPL-2.0
/*
 * x86 protection keys for execute-only mappings (Linux 6.18's
 * arch/x86/mm/pkeys.c), on a machine whose CPU has PKU (config.pku):
 *
 *   mmap PROT_EXEC			the mm's execute-only key (1)
 *   a load or store there		SIGSEGV (-EFAULT), even of a page
 *					already present
 *   mprotect to PROT_EXEC		the key; to anything else from it, key 0;
 *					other VMAs keep theirs
 *   fork				the child keeps the key
 *   smaps				"ProtectionKey:" after THPeligible
 *   GUP (pin)				refused, a data access
 *
 * Without PKU every VMA has key 0, a read of an exec-only mapping works,
 * and smaps has no ProtectionKey line.
 */
#include "pt_helpers.h"

#define BASE		0x20000000UL
#define PROT_X		FOLIAGE_PROT_EXEC
#define PROT_RX		(FOLIAGE_PROT_READ | FOLIAGE_PROT_EXEC)
#define PROT_RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)

struct pkey_fixture {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* its task */
};

static int setup_pku(void **state, bool pku)
{
	struct pkey_fixture *f = calloc(1, sizeof(*f));
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.bytes_per_node = 64UL << 20;
	cfg.pku = pku;
	assert_int_equal(foliage_machine_create(&cfg, &f->m), 0);
	assert_int_equal(machine_enter(f->m), 0);
	assert_int_equal(kmem_caches_init(f->m), 0);
	if (!f->m->zero_page)
		assert_int_equal(zero_page_init(), 0);
	f->task = new_task(f->m, "task");
	*state = f;
	return 0;
}

static int setup_with_pku(void **state)
{
	return setup_pku(state, true);
}

static int setup_without_pku(void **state)
{
	return setup_pku(state, false);
}

static int teardown(void **state)
{
	struct pkey_fixture *f = *state;

	assert_int_equal(foliage_exit(f->task), 0);
	pt_machine_done(f->m);
	free(f);
	return 0;
}

static int pkey_at(struct foliage_task *t, unsigned long addr)
{
	assert_int_equal(machine_enter(t->machine), 0);
	return vma_pkey(vma_lookup(t->task.mm, addr));
}

static int load(struct foliage_task *t, unsigned long addr,
		unsigned long *fault)
{
	char c;

	*fault = 0;
	return foliage_access(t, addr, &c, 1, false, fault);
}

/* The text of the task's smaps. */
static char *smaps_text(struct foliage_task *t)
{
	char *text = NULL;

	assert_int_equal(foliage_render_task(t, "smaps", 0, &text), 0);
	return text;
}

static void test_exec_only_faults(void **state)
{
	struct pkey_fixture *f = *state;
	struct foliage_task *t = f->task;
	unsigned long fault;
	char *text;

	map(t, BASE, 4 * PAGE_SIZE, PROT_X, ANON_FIXED, NULL, 0);
	map(t, BASE + 4 * PAGE_SIZE, PAGE_SIZE, PROT_RX, ANON_FIXED, NULL, 0);
	assert_int_equal(pkey_at(t, BASE), 1);
	assert_int_equal(pkey_at(t, BASE + 4 * PAGE_SIZE), 0);
	assert_int_equal(t->task.mm->execute_only_pkey, 1);
	assert_int_equal(load(t, BASE + 8, &fault), -EFAULT);
	assert_int_equal(fault, BASE + 8);
	assert_int_equal(foliage_access(t, BASE + PAGE_SIZE, "x", 1, true,
					&fault), -EFAULT);
	assert_int_equal(load(t, BASE + 4 * PAGE_SIZE, &fault), 0);
	/* Different keys: the two VMAs do not merge. */
	text = smaps_text(t);
	assert_non_null(strstr(text, "THPeligible:           0\n"
				     "ProtectionKey:         1\nVmFlags: ex mr mw me "));
	assert_non_null(strstr(text, "ProtectionKey:         0\nVmFlags: rd ex "));
	free(text);
	assert_int_equal(foliage_pin(t, BASE, PAGE_SIZE, false), -EFAULT);

	/* r-x: back to key 0, readable; --x again: key 1. */
	assert_int_equal(foliage_mprotect(t, BASE, PAGE_SIZE, PROT_RX), 0);
	assert_int_equal(pkey_at(t, BASE), 0);
	assert_int_equal(pkey_at(t, BASE + PAGE_SIZE), 1);
	assert_int_equal(load(t, BASE, &fault), 0);
	assert_int_equal(foliage_mprotect(t, BASE, PAGE_SIZE, PROT_X), 0);
	assert_int_equal(pkey_at(t, BASE), 1);
}

/* A page read while r-x faults once the VMA is made exec-only. */
static void test_present_page_faults_after_mprotect(void **state)
{
	struct pkey_fixture *f = *state;
	struct foliage_task *t = f->task, *child;
	unsigned long fault;

	map(t, BASE, 2 * PAGE_SIZE, PROT_RW, ANON_FIXED, NULL, 0);
	fill(t, BASE, 'p', 2 * PAGE_SIZE);
	assert_int_equal(foliage_mprotect(t, BASE + PAGE_SIZE, PAGE_SIZE,
					  PROT_X), 0);
	assert_int_equal(pkey_at(t, BASE), 0);
	assert_int_equal(pkey_at(t, BASE + PAGE_SIZE), 1);
	assert_int_equal(load(t, BASE, &fault), 0);
	assert_int_equal(load(t, BASE + PAGE_SIZE + 5, &fault), -EFAULT);
	assert_int_equal(fault, BASE + PAGE_SIZE + 5);
	/* The child keeps the key, and the VMA's. */
	child = fork_task(t, "child");
	assert_int_equal(child->task.mm->execute_only_pkey, 1);
	assert_int_equal(pkey_at(child, BASE + PAGE_SIZE), 1);
	assert_int_equal(load(child, BASE + PAGE_SIZE, &fault), -EFAULT);
	/* rw- from the exec-only key: key 0, the data as it was. */
	assert_int_equal(foliage_mprotect(t, BASE + PAGE_SIZE, PAGE_SIZE,
					  PROT_RW), 0);
	assert_int_equal(pkey_at(t, BASE + PAGE_SIZE), 0);
	expect_fill(t, BASE, 'p', 2 * PAGE_SIZE);
	assert_int_equal(foliage_exit(child), 0);
}

/* No PKU: key 0 everywhere, reads of exec-only memory work. */
static void test_without_pku(void **state)
{
	struct pkey_fixture *f = *state;
	struct foliage_task *t = f->task;
	unsigned long fault;
	char *text;

	map(t, BASE, PAGE_SIZE, PROT_X, ANON_FIXED, NULL, 0);
	assert_int_equal(pkey_at(t, BASE), 0);
	assert_int_equal(t->task.mm->execute_only_pkey, -1);
	assert_int_equal(load(t, BASE, &fault), 0);
	assert_int_equal(foliage_access(t, BASE, "x", 1, true, &fault),
			 -EFAULT);
	text = smaps_text(t);
	assert_null(strstr(text, "ProtectionKey"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_only_faults,
						setup_with_pku, teardown),
		cmocka_unit_test_setup_teardown(
			test_present_page_faults_after_mprotect,
			setup_with_pku, teardown),
		cmocka_unit_test_setup_teardown(test_without_pku,
						setup_without_pku, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
