// SPDX-License-Identifier: GPL-2.0
/*
 * The object counts 'foliage bench rmap' asserts, at 1,000 regions instead
 * of 10,000, so that a debug build checks them too: the parent's regions,
 * the forks, the exits and the counts (the "slabinfo" rendering) go
 * through the public API, with every validator after each call.  The
 * children's 3,000 writes do not: with 4,000 VMAs, the validators after
 * each call (validate_anon_vma_counts() is quadratic) would take hours;
 * they fault through mm_populate() as MADV_POPULATE_WRITE does, and the
 * machine is validated once after them.
 *
 * The workload (issue 4; Linux 6.18 on x86-64 agrees): one task maps
 * 1,000 separate 64 KiB anonymous regions, 64 KiB apart, and writes one
 * byte to each: (a) one vm_area_struct, one anon_vma and one
 * anon_vma_chain per region.  Three forked children write one byte to
 * every region: (b) each adds a VMA, an anon_vma and two chains per region.
 */
#include <stdio.h>

#include "task_helpers.h"
#include "vma.h"		/* mm/: mm_populate() */

#define NR_REGIONS	1000
#define NR_CHILDREN	3
#define REGION		(64 * KB)
#define BASE		0x200000000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)

enum { VMA, ANON_VMA, AVC, NR_CACHES };

static const char *const cache_names[NR_CACHES] = {
	"vm_area_struct", "anon_vma", "anon_vma_chain",
};

/* A cache's slabinfo row, as the public rendering shows it. */
struct slab_row {
	long active_objs;		/* <active_objs> */
	long objsize;			/* <objsize> */
	long objperslab;		/* <objperslab> */
	long pagesperslab;		/* <pagesperslab> */
	long num_slabs;			/* slabdata <num_slabs> */
};

static void slab_rows(struct foliage_machine *m, struct slab_row *rows)
{
	char *text = NULL, *line;
	int c, found = 0;

	assert_int_equal(foliage_render(m, "slabinfo", 0, &text), 0);
	for (line = text; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		struct slab_row r;
		long num_objs, active_slabs;
		char name[64];

		if (sscanf(line, "%63s %ld %ld %ld %ld %ld : tunables %*d %*d "
			   "%*d : slabdata %ld %ld", name, &r.active_objs,
			   &num_objs, &r.objsize, &r.objperslab,
			   &r.pagesperslab, &active_slabs, &r.num_slabs) != 8)
			continue;
		for (c = 0; c < NR_CACHES; c++)
			if (!strcmp(name, cache_names[c])) {
				rows[c] = r;
				found |= 1 << c;
			}
	}
	free(text);
	assert_int_equal(found, (1 << NR_CACHES) - 1);
}

static unsigned long region(int i)
{
	return BASE + (unsigned long)i * 2 * REGION;
}

/*
 * Objects made since @base: @objs per cache, Linux's object sizes, and
 * packed as SLUB packs objects never freed (full slabs, then one).
 */
static void assert_made(struct foliage_machine *m, const struct slab_row *base,
			const long *objs)
{
	static const long objsize[NR_CACHES] = { 192, 104, 64 };
	struct slab_row now[NR_CACHES];
	int c;

	slab_rows(m, now);
	for (c = 0; c < NR_CACHES; c++) {
		long total = now[c].active_objs;

		assert_int_equal(total - base[c].active_objs, objs[c]);
		assert_int_equal(now[c].objsize, objsize[c]);
		assert_int_equal(now[c].num_slabs,
				 (total + now[c].objperslab - 1) /
				 now[c].objperslab);
	}
}

/* Write-fault the first page of every region of @t, unvalidated. */
static void write_first_pages(struct foliage_task *t)
{
	struct mm_struct *mm = t->task.mm;
	int i;

	assert_int_equal(machine_enter(t->machine), 0);
	mmap_read_lock(mm);
	for (i = 0; i < NR_REGIONS; i++)
		assert_int_equal(mm_populate(mm, region(i), PAGE_SIZE), 0);
	mmap_read_unlock(mm);
}

static void test_regions_then_three_children(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct foliage_task *p = new_task(m, "regions");
	struct foliage_task *kids[NR_CHILDREN];
	const long no_fork[NR_CACHES] = { NR_REGIONS, NR_REGIONS, NR_REGIONS };
	const long forked[NR_CACHES] = {
		(1 + NR_CHILDREN) * NR_REGIONS,
		(1 + NR_CHILDREN) * NR_REGIONS,
		(1 + 2 * NR_CHILDREN) * NR_REGIONS,
	};
	struct slab_row base[NR_CACHES];
	int i, k;

	(void)state;
	slab_rows(m, base);
	for (i = 0; i < NR_REGIONS; i++) {
		map(p, region(i), REGION, RW, ANON_FIXED, NULL, 0);
		fill(p, region(i), 'a', 1);
	}
	assert_made(m, base, no_fork);

	for (k = 0; k < NR_CHILDREN; k++)
		kids[k] = fork_task(p, "child");
	for (k = 0; k < NR_CHILDREN; k++)
		write_first_pages(kids[k]);
	assert_made(m, base, forked);
	/* The children's writes broke COW: each has its own page now. */
	for (k = 0; k < NR_CHILDREN; k++)
		assert_int_not_equal(pfn_at(kids[k], region(NR_REGIONS - 1)),
				     pfn_at(p, region(NR_REGIONS - 1)));
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_bugs(m), 0);

	/* Exit gives every object back. */
	for (k = 0; k < NR_CHILDREN; k++)
		assert_int_equal(foliage_exit(kids[k]), 0);
	assert_int_equal(foliage_exit(p), 0);
	assert_made(m, base, (const long[NR_CACHES]){ 0, 0, 0 });
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regions_then_three_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
