// SPDX-License-Identifier: GPL-2.0
/*
 * An x86-64 and an arm64 machine in one process, driven by one thread that
 * switches between them step by step, run the same workload: anonymous
 * and file mappings, faults (4K and THP), fork with COW, mprotect,
 * mremap, munmap, madvise.  The page tables differ bit for bit; what a
 * user sees must not: /proc/PID/maps and smaps (rendered and compared
 * byte for byte), pagemap's facts for every page, and the data.  The
 * validators (debug builds) run after every operation on both.
 */
#include "pt_helpers.h"

#define NR_ARCH		2
#define A		0x10000000UL	/* 64 pages, private anonymous */
#define T		0x40000000UL	/* 4M, THP, 2M aligned */
#define F		0x50000000UL	/* 16 pages of a shared file */
#define R		0x60000000UL	/* mremap destination */
#define NR_A		64

struct side {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *p, *c;	/* parent, child */
	struct foliage_file *file;	/* the shared file */
};

static struct side sides[NR_ARCH];

/* Run @step on both machines, x86 first: each call re-enters its machine. */
#define BOTH(step) do {							\
	int __i;							\
	for (__i = 0; __i < NR_ARCH; __i++) {				\
		struct side *s = &sides[__i];				\
		step;							\
	}								\
} while (0)

static void ok(int ret)
{
	assert_int_equal(ret, 0);
}

static char *render(struct foliage_task *t, const char *what)
{
	char *text = NULL;

	ok(foliage_render_task(t, what, 0, &text));
	return text;
}

/* maps, smaps and smaps_rollup of @pick's task are equal on both. */
static void compare(struct foliage_task *(*pick)(struct side *))
{
	static const char *const files[] = { "maps", "smaps", "smaps_rollup" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		char *x = render(pick(&sides[0]), files[i]);
		char *a = render(pick(&sides[1]), files[i]);

		if (strcmp(x, a))
			fail_msg("%s differs:\n--- x86_64\n%s--- arm64\n%s",
				 files[i], x, a);
		free(x);
		free(a);
	}
}

/* Every page's pagemap facts are equal on both, pfns aside. */
static void compare_pages(struct foliage_task *(*pick)(struct side *),
			  unsigned long start, unsigned long len)
{
	unsigned long addr;

	for (addr = start; addr < start + len; addr += PAGE_SIZE) {
		struct foliage_pte_info x, a;

		ok(foliage_page_state(pick(&sides[0]), addr, &x));
		ok(foliage_page_state(pick(&sides[1]), addr, &a));
		x.pfn = a.pfn = 0;
		if (memcmp(&x, &a, sizeof(x)))
			fail_msg("page %#lx: x86 present %d write %d dirty %d "
				 "young %d excl %d huge %d / arm64 %d %d %d %d "
				 "%d %d", addr, x.present, x.write, x.dirty,
				 x.young, x.exclusive, x.huge, a.present,
				 a.write, a.dirty, a.young, a.exclusive, a.huge);
	}
}

static struct foliage_task *parent(struct side *s) { return s->p; }
static struct foliage_task *child(struct side *s) { return s->c; }

static void check_all(void)
{
	compare(parent);
	compare_pages(parent, A, NR_A * PAGE_SIZE);
	compare_pages(parent, T, 4 * MB);
	compare_pages(parent, F, 16 * PAGE_SIZE);
	if (sides[0].c) {
		compare(child);
		compare_pages(child, A, NR_A * PAGE_SIZE);
		compare_pages(child, T, 4 * MB);
	}
	BOTH(assert_machine_ok(s->m));
}

static void test_same_workload(void **state)
{
	const int rw = FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE;
	const int priv = FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
			 FOLIAGE_MAP_FIXED;
	unsigned long out;
	int i;

	for (i = 0; i < NR_ARCH; i++) {
		struct foliage_config cfg;

		foliage_config_init(&cfg);
		cfg.bytes_per_node = 256 * MB;
		cfg.arch = i ? FOLIAGE_ARCH_ARM64 : FOLIAGE_ARCH_X86_64;
		ok(foliage_machine_create(&cfg, &sides[i].m));
		ok(foliage_set(sides[i].m, "transparent_hugepage.enabled",
			       "madvise"));
	}
	BOTH(s->p = new_task(s->m, "p"));
	BOTH({
		ok(foliage_validate(s->m));
		assert_int_equal(arch_is_arm64(), __i == 1);
	});

	/* Mappings: anonymous, THP (madvised), a shared file. */
	BOTH(map(s->p, A, NR_A * PAGE_SIZE, rw, priv, NULL, 0));
	BOTH(map(s->p, T, 4 * MB, rw, priv, NULL, 0));
	BOTH(ok(foliage_madvise(s->p, T, 4 * MB, FOLIAGE_MADV_HUGEPAGE)));
	BOTH(ok(foliage_file_create(s->m, "f", 16 * PAGE_SIZE, &s->file)));
	BOTH(map(s->p, F, 16 * PAGE_SIZE, rw,
		 FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, s->file, 0));
	BOTH(foliage_file_put(s->file));
	check_all();

	/* Faults: reads (zero page), writes, a THP, the file. */
	BOTH(touch_read(s->p, A, 16 * PAGE_SIZE));
	BOTH(fill(s->p, A + 8 * PAGE_SIZE, 'a', 32 * PAGE_SIZE));
	BOTH(fill(s->p, T, 't', 2 * MB + PAGE_SIZE));
	BOTH(touch_read(s->p, F, 8 * PAGE_SIZE));
	BOTH(fill(s->p, F + 4 * PAGE_SIZE, 'f', 2 * PAGE_SIZE));
	check_all();
	BOTH({
		struct foliage_pte_info pi;

		ok(foliage_page_state(s->p, T, &pi));
		assert_true(pi.huge);
	});

	/* fork, then COW on both sides. */
	BOTH(s->c = fork_task(s->p, "c"));
	check_all();
	BOTH(fill(s->c, A + 8 * PAGE_SIZE, 'c', 4 * PAGE_SIZE));
	BOTH(fill(s->p, A + 10 * PAGE_SIZE, 'P', 4 * PAGE_SIZE));
	BOTH(fill(s->c, T + PAGE_SIZE, 'C', PAGE_SIZE));
	BOTH(fill(s->p, T + 2 * MB, 'P', PAGE_SIZE));
	check_all();
	BOTH(expect_fill(s->c, A + 12 * PAGE_SIZE, 'a', PAGE_SIZE));
	BOTH(expect_fill(s->p, A + 8 * PAGE_SIZE, 'a', 2 * PAGE_SIZE));

	/* mprotect: split, PROT_NONE, back, and made writable by it. */
	BOTH(ok(foliage_mprotect(s->p, A + 16 * PAGE_SIZE, 8 * PAGE_SIZE,
				 FOLIAGE_PROT_READ)));
	BOTH(ok(foliage_mprotect(s->p, A + 24 * PAGE_SIZE, 4 * PAGE_SIZE,
				 FOLIAGE_PROT_NONE)));
	BOTH(ok(foliage_mprotect(s->p, T, 2 * MB, FOLIAGE_PROT_READ)));
	check_all();
	BOTH(ok(foliage_mprotect(s->p, A + 16 * PAGE_SIZE, 12 * PAGE_SIZE,
				 rw)));
	BOTH(ok(foliage_mprotect(s->p, T, 2 * MB, rw)));
	BOTH(fill(s->p, A + 24 * PAGE_SIZE, 'n', PAGE_SIZE));
	check_all();

	/* mremap: move part of A, grow it in place at R. */
	BOTH({
		ok(foliage_mremap(s->p, A + 32 * PAGE_SIZE, 8 * PAGE_SIZE,
				  8 * PAGE_SIZE, FOLIAGE_MREMAP_MAYMOVE |
				  FOLIAGE_MREMAP_FIXED, R, &out));
		assert_int_equal(out, R);
		ok(foliage_mremap(s->p, R, 8 * PAGE_SIZE, 16 * PAGE_SIZE, 0,
				  0, &out));
	});
	BOTH(expect_fill(s->p, R, 'a', 8 * PAGE_SIZE));
	check_all();

	/* munmap and madvise. */
	BOTH(ok(foliage_munmap(s->p, A + 40 * PAGE_SIZE, 4 * PAGE_SIZE)));
	BOTH(ok(foliage_madvise(s->p, A + 8 * PAGE_SIZE, 4 * PAGE_SIZE,
				FOLIAGE_MADV_DONTNEED)));
	BOTH(ok(foliage_madvise(s->p, T + 2 * MB, 2 * MB,
				FOLIAGE_MADV_DONTNEED)));
	BOTH(ok(foliage_madvise(s->c, A, NR_A * PAGE_SIZE,
				FOLIAGE_MADV_POPULATE_WRITE)));
	check_all();
	BOTH(expect_fill(s->p, A + 8 * PAGE_SIZE, 0, 4 * PAGE_SIZE));

	BOTH(ok(foliage_exit(s->c)));
	BOTH(s->c = NULL);
	check_all();
	BOTH(ok(foliage_exit(s->p)));
	BOTH(test_machine_done(s->m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_workload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
