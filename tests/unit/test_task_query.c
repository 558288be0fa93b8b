// SPDX-License-Identifier: GPL-2.0
/*
 * The public numeric queries of a task: foliage_task_vmas() lists what
 * /proc/PID/maps shows, line for line, and foliage_task_mm_counters()
 * what the resident-page counters and VM sizes are after known work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define PG	FOLIAGE_PAGE_SIZE

/* Each VMA's maps line starts "start-end perms offset MM:mm ino". */
static void assert_matches_maps(struct foliage_task *t,
				const struct foliage_vma *v, unsigned int nr)
{
	char *text, *line, want[128];
	unsigned int i = 0;

	assert_int_equal(foliage_render_task(t, "maps", 0, &text), 0);
	for (line = text; *line; line = strchr(line, '\n') + 1, i++) {
		assert_true(i < nr);
		snprintf(want, sizeof(want), "%08lx-%08lx %c%c%c%c %08lx "
			 "%02x:%02x %lu", v[i].start, v[i].end,
			 v[i].flags & FOLIAGE_VM_READ ? 'r' : '-',
			 v[i].flags & FOLIAGE_VM_WRITE ? 'w' : '-',
			 v[i].flags & FOLIAGE_VM_EXEC ? 'x' : '-',
			 v[i].flags & FOLIAGE_VM_MAYSHARE ? 's' : 'p',
			 v[i].ino ? v[i].pgoff * PG : 0, v[i].dev_major,
			 v[i].dev_minor, v[i].ino);
		if (strncmp(line, want, strlen(want)))
			fail_msg("maps line %u: '%.*s', want '%s'", i,
				 (int)strcspn(line, "\n"), line, want);
	}
	assert_int_equal(i, nr);
	free(text);
}

static void test_vmas_and_counters(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct foliage_mm_counters mc;
	struct foliage_task *t;
	struct foliage_file *f;
	struct foliage_vma v[8];
	unsigned long anon, shm;
	unsigned int nr;
	char buf[4 * PG];

	assert_int_equal(foliage_task_create(m, "q", &t), 0);
	assert_int_equal(foliage_task_vmas(t, v, 8, &nr), 0);
	assert_int_equal(nr, 0);
	assert_int_equal(foliage_mmap(t, 0, 16 * PG, FOLIAGE_PROT_READ |
				      FOLIAGE_PROT_WRITE, FOLIAGE_MAP_PRIVATE |
				      FOLIAGE_MAP_ANONYMOUS, NULL, 0, &anon), 0);
	assert_int_equal(foliage_file_create(m, "shm", 8 * PG, &f), 0);
	assert_int_equal(foliage_mmap(t, 0, 8 * PG, FOLIAGE_PROT_READ |
				      FOLIAGE_PROT_WRITE, FOLIAGE_MAP_SHARED,
				      f, 2 * PG, &shm), 0);
	foliage_file_put(f);
	/* Split the anonymous VMA in three: read-only in the middle. */
	assert_int_equal(foliage_mprotect(t, anon + 4 * PG, 4 * PG,
					  FOLIAGE_PROT_READ), 0);
	memset(buf, 1, sizeof(buf));
	assert_int_equal(foliage_access(t, anon, buf, 3 * PG, true, NULL), 0);
	assert_int_equal(foliage_access(t, shm, buf, 2 * PG, true, NULL), 0);

	/* Too small an array: the count, and only what fits. */
	assert_int_equal(foliage_task_vmas(t, v, 1, &nr), 0);
	assert_int_equal(nr, 4);
	assert_int_equal(foliage_task_vmas(t, NULL, 0, &nr), 0);
	assert_int_equal(nr, 4);
	assert_int_equal(foliage_task_vmas(t, v, 8, &nr), 0);
	assert_int_equal(nr, 4);
	assert_matches_maps(t, v, nr);
	/* The file mapping (top-down: lowest address) and the anon split. */
	assert_int_equal(v[0].start, shm);
	assert_false(v[0].anon);
	assert_int_equal(v[0].pgoff, 2);
	assert_true(v[0].flags & FOLIAGE_VM_SHARED);
	assert_int_not_equal(v[0].ino, 0);
	assert_int_equal(v[1].start, anon);
	assert_int_equal(v[1].end, anon + 4 * PG);
	assert_true(v[1].anon);
	assert_int_equal(v[1].ino, 0);
	assert_int_equal(v[2].flags & (FOLIAGE_VM_READ | FOLIAGE_VM_WRITE),
			 FOLIAGE_VM_READ);
	assert_int_equal(v[3].end, anon + 16 * PG);

	assert_int_equal(foliage_task_mm_counters(t, &mc), 0);
	assert_int_equal(mc.rss_anon, 3);
	assert_int_equal(mc.rss_shmem, 2);
	assert_int_equal(mc.rss_file, 0);
	assert_int_equal(mc.total_vm, 24);
	assert_int_equal(mc.map_count, 4);
	assert_int_equal(mc.locked_vm, 0);
	/* One PTE table, one PMD table, one PUD table below the pgd. */
	assert_int_equal(mc.pgtables_bytes, 3 * PG);

	assert_int_equal(foliage_munmap(t, anon, 16 * PG), 0);
	assert_int_equal(foliage_task_mm_counters(t, &mc), 0);
	assert_int_equal(mc.rss_anon, 0);
	assert_int_equal(mc.map_count, 1);
	assert_int_equal(foliage_task_vmas(NULL, v, 8, &nr), -EINVAL);
	assert_int_equal(foliage_task_vmas(t, NULL, 8, &nr), -EINVAL);
	assert_int_equal(foliage_task_mm_counters(t, NULL), -EINVAL);
	assert_int_equal(foliage_exit(t), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmas_and_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
