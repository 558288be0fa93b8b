// SPDX-License-Identifier: GPL-2.0
/*
 * shmem files mapped: MAP_SHARED in two tasks sees the same bytes,
 * MAP_PRIVATE copies on write, read faults map around the fault address,
 * SIGBUS past the end of the file, shared anonymous memory is a
 * "/dev/zero (deleted)" file that fork shares.
 */
#include <pthread.h>

#include "pt_helpers.h"

#define R	FOLIAGE_PROT_READ
#define RW	(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define SHARED	FOLIAGE_MAP_SHARED
#define PRIVATE	FOLIAGE_MAP_PRIVATE
#define FIXED	FOLIAGE_MAP_FIXED
#define ANON	FOLIAGE_MAP_ANONYMOUS

static struct foliage_machine *m;

/* The fixture's machine, for the helpers below. */
static int setup(void **state)
{
	task_fixture_setup(state);
	m = ((struct task_fixture *)*state)->m;
	return 0;
}

static unsigned long nr_shmem(void)
{
	return vmstat(m, "nr_shmem");
}

/*
 *   task a:  [ file page 0 | file page 1 ]  MAP_SHARED
 *   task b:  [ file page 0 | file page 1 ]  MAP_SHARED, elsewhere
 *
 * A write by either is seen by the other: one page cache.
 */
static void test_shared_two_tasks(void **state)
{
	struct foliage_task *a = new_task(m, "a"), *b = new_task(m, "b");
	unsigned long shmem0 = nr_shmem(), pa, pb;
	struct foliage_file *ff;
	char buf[16];

	(void)state;
	assert_int_equal(foliage_file_create(m, "shared", 2 * PAGE_SIZE, &ff),
			 0);
	pa = map(a, 0, 2 * PAGE_SIZE, RW, SHARED, ff, 0);
	pb = map(b, 0, 2 * PAGE_SIZE, RW, SHARED, ff, 0);
	/* The mappings hold the file: the creator may close it. */
	foliage_file_put(ff);

	put_bytes(a, pa + 10, "hello", 6);
	get_bytes(b, pb + 10, buf, 6);
	assert_string_equal(buf, "hello");
	put_bytes(b, pb + PAGE_SIZE + 4000, "world", 6);
	get_bytes(a, pa + PAGE_SIZE + 4000, buf, 6);
	assert_string_equal(buf, "world");
	/* Both tasks map the same frames. */
	assert_int_equal(pfn_at(a, pa), pfn_at(b, pb));
	assert_int_equal(pfn_at(a, pa + PAGE_SIZE), pfn_at(b, pb + PAGE_SIZE));
	assert_int_equal(nr_shmem(), shmem0 + 2);

	/* Each sees two pages mapped twice: Pss is half the Rss. */
	{
		struct smaps_vma v = smaps_at(a, pa);

		assert_int_equal(kb(v.mss.resident), 8);
		assert_int_equal(pss_kb(v.mss.pss), 4);
		assert_int_equal(kb(v.mss.shared_dirty), 8);
		assert_int_equal(kb(v.mss.anonymous), 0);
		assert_string_equal(v.name, "/memfd:shared (deleted)");
		assert_int_equal(v.dev_minor, 1);
		assert_true(v.flags & VM_SHARED);
	}

	/* The last mapping gone, the file goes with its pages. */
	assert_int_equal(foliage_exit(a), 0);
	assert_int_equal(nr_shmem(), shmem0 + 2);
	get_bytes(b, pb + 10, buf, 6);
	assert_string_equal(buf, "hello");
	assert_int_equal(foliage_exit(b), 0);
	assert_int_equal(nr_shmem(), shmem0);
}

/*
 * MAP_PRIVATE: reads see the file, a write copies the page into an
 * anonymous one that nobody else sees; the file keeps its bytes.
 */
static void test_private_cow(void **state)
{
	struct foliage_task *a = new_task(m, "a"), *b = new_task(m, "b");
	unsigned long pa, pb, file_pfn;
	struct foliage_file *ff;
	struct smaps_vma v;
	char buf[16];

	(void)state;
	assert_int_equal(foliage_file_create(m, "cow", 2 * PAGE_SIZE, &ff), 0);
	pa = map(a, 0, 2 * PAGE_SIZE, RW, SHARED, ff, 0);
	pb = map(b, 0, 2 * PAGE_SIZE, RW, PRIVATE, ff, 0);
	put_bytes(a, pa, "original", 9);

	get_bytes(b, pb, buf, 9);
	assert_string_equal(buf, "original");
	file_pfn = pfn_at(a, pa);
	assert_int_equal(pfn_at(b, pb), file_pfn);

	put_bytes(b, pb, "private!", 9);
	get_bytes(b, pb, buf, 9);
	assert_string_equal(buf, "private!");
	get_bytes(a, pa, buf, 9);
	assert_string_equal(buf, "original");
	assert_int_not_equal(pfn_at(b, pb), file_pfn);
	assert_int_equal(pfn_at(a, pa), file_pfn);

	/* And the other way: the file changes under b's other page only. */
	put_bytes(a, pa + PAGE_SIZE, "later", 6);
	get_bytes(b, pb + PAGE_SIZE, buf, 6);
	assert_string_equal(buf, "later");
	put_bytes(a, pa, "changed!", 9);
	get_bytes(b, pb, buf, 9);
	assert_string_equal(buf, "private!");

	v = smaps_at(b, pb);
	assert_int_equal(kb(v.mss.anonymous), 4);
	assert_int_equal(kb(v.mss.resident), 8);
	assert_int_equal(kb(v.mss.private_dirty), 4);
	assert_int_equal(kb(v.mss.shared_dirty), 4);
	assert_int_equal(pss_kb(v.mss.pss), 6);
	assert_false(v.flags & VM_MAYSHARE);

	foliage_file_put(ff);
	assert_int_equal(foliage_exit(b), 0);
	assert_int_equal(foliage_exit(a), 0);
}

/*
 * A read fault on a private file mapping maps the cached pages around it:
 * the 64 KiB-aligned block of 16 PTEs, clipped to the VMA and the file.
 */
static void test_fault_around(void **state)
{
	struct foliage_task *a = new_task(m, "a"), *b = new_task(m, "b");
	unsigned long pa, pb, i;
	struct foliage_file *ff;
	struct smaps_vma v;
	char c;

	(void)state;
	assert_int_equal(foliage_file_create(m, "around", MB, &ff), 0);
	pa = map(a, 0, MB, RW, SHARED, ff, 0);
	fill(a, pa, 0x5a, MB);

	/* 64 KiB-aligned mapping: page 0 maps pages 0..15. */
	pb = map(b, 0x100000000UL, MB, R, PRIVATE | FIXED, ff, 0);
	get_bytes(b, pb, &c, 1);
	assert_int_equal(c, 0x5a);
	v = smaps_at(b, pb);
	assert_int_equal(kb(v.mss.resident), 64);
	for (i = 0; i < 16; i++)
		assert_int_equal(pfn_at(b, pb + i * PAGE_SIZE),
				 pfn_at(a, pa + i * PAGE_SIZE));
	assert_null(page_at(b, pb + 16 * PAGE_SIZE));

	/* Page 40 maps its block, 32..47. */
	get_bytes(b, pb + 40 * PAGE_SIZE, &c, 1);
	assert_int_equal(kb(smaps_at(b, pb).mss.resident), 128);
	assert_non_null(page_at(b, pb + 32 * PAGE_SIZE));
	assert_non_null(page_at(b, pb + 47 * PAGE_SIZE));
	assert_null(page_at(b, pb + 31 * PAGE_SIZE));
	assert_null(page_at(b, pb + 48 * PAGE_SIZE));
	assert_int_equal(foliage_munmap(b, pb, MB), 0);

	/*
	 * A VMA starting at file page 3, not on a 64 KiB boundary: the block
	 * around page 4 of the VMA is clipped at the VMA's start.
	 */
	pb = map(b, 0x100003000UL, 8 * PAGE_SIZE, R, PRIVATE | FIXED, ff,
		 3 * PAGE_SIZE);
	get_bytes(b, pb + 4 * PAGE_SIZE, &c, 1);
	v = smaps_at(b, pb);
	assert_int_equal(kb(v.mss.resident), 32);
	for (i = 0; i < 8; i++)
		assert_int_equal(pfn_at(b, pb + i * PAGE_SIZE),
				 pfn_at(a, pa + (i + 3) * PAGE_SIZE));
	assert_int_equal(v.pgoff, 3 * PAGE_SIZE);

	foliage_file_put(ff);
	assert_int_equal(foliage_exit(b), 0);
	assert_int_equal(foliage_exit(a), 0);
}

/*
 * Past the end of the file is SIGBUS: the access fails at the first byte
 * of the first page past EOF, after writing what came before.
 */
static void test_sigbus(void **state)
{
	struct foliage_task *a = new_task(m, "a");
	unsigned long pa, fault = 0;
	struct foliage_file *ff;
	char buf[PAGE_SIZE];

	(void)state;
	assert_int_equal(foliage_file_create(m, "short", PAGE_SIZE + 1, &ff),
			 0);
	pa = map(a, 0, 4 * PAGE_SIZE, RW, SHARED, ff, 0);
	/* The partial second page is inside the file. */
	fill(a, pa + PAGE_SIZE, 0x77, PAGE_SIZE);
	memset(buf, 0x33, sizeof(buf));
	assert_int_equal(foliage_access(a, pa + PAGE_SIZE + 100, buf,
					PAGE_SIZE, true, &fault), -EFAULT);
	assert_int_equal(fault, pa + 2 * PAGE_SIZE);
	expect_fill(a, pa + PAGE_SIZE + 100, 0x33, PAGE_SIZE - 100);
	assert_int_equal(foliage_access(a, pa + 3 * PAGE_SIZE, buf, 1, false,
					&fault), -EFAULT);
	assert_int_equal(fault, pa + 3 * PAGE_SIZE);
	/* MADV_POPULATE_READ says -EFAULT too. */
	assert_int_equal(foliage_madvise(a, pa, 4 * PAGE_SIZE,
					 FOLIAGE_MADV_POPULATE_READ), -EFAULT);

	foliage_file_put(ff);
	assert_int_equal(foliage_exit(a), 0);
}

/*
 * MAP_SHARED|MAP_ANONYMOUS is a shmem file of its own, "/dev/zero
 * (deleted)" at offset 0 on 00:01; fork shares it: the child's writes are
 * the parent's.
 */
static void test_shared_anonymous(void **state)
{
	struct foliage_task *parent = new_task(m, "parent"), *child;
	unsigned long shmem0 = nr_shmem(), p;
	struct smaps_vma v;
	char buf[8];

	(void)state;
	p = map(parent, 0x200000000UL, 3 * PAGE_SIZE, RW, SHARED | ANON | FIXED,
		NULL, 0);
	expect_fill(parent, p, 0, 3 * PAGE_SIZE);
	v = smaps_at(parent, p);
	assert_string_equal(v.name, "/dev/zero (deleted)");
	assert_int_equal(v.pgoff, 0);
	assert_int_equal(v.dev_minor, 1);
	assert_int_not_equal(v.ino, 0);
	/* Read faults allocate in the cache: no zero page for shmem. */
	assert_int_equal(kb(v.mss.resident), 12);
	assert_int_equal(nr_shmem(), shmem0 + 3);

	child = fork_task(parent, "child");
	put_bytes(child, p + PAGE_SIZE, "shared", 7);
	get_bytes(parent, p + PAGE_SIZE, buf, 7);
	assert_string_equal(buf, "shared");
	assert_int_equal(smaps_at(child, p).ino, v.ino);

	assert_int_equal(foliage_exit(parent), 0);
	get_bytes(child, p + PAGE_SIZE, buf, 7);
	assert_string_equal(buf, "shared");
	assert_int_equal(foliage_exit(child), 0);
	assert_int_equal(nr_shmem(), shmem0);
}

/* Every memfd page is in meminfo's Shmem and Cached until the file goes. */
static void test_meminfo_shmem(void **state)
{
	struct foliage_task *a = new_task(m, "a");
	struct foliage_file *ff;
	unsigned long pa, shmem0 = nr_shmem();
	char *text = NULL, *line;
	unsigned long kb_shmem;

	(void)state;
	assert_int_equal(foliage_file_create(m, "meminfo", 4 * MB, &ff), 0);
	pa = map(a, 0, 4 * MB, RW, SHARED, ff, 0);
	assert_int_equal(foliage_madvise(a, pa, MB,
					 FOLIAGE_MADV_POPULATE_WRITE), 0);
	assert_int_equal(nr_shmem(), shmem0 + 256);
	assert_int_equal(foliage_render(m, "meminfo", 0, &text), 0);
	line = strstr(text, "\nShmem:");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "\nShmem: %lu kB", &kb_shmem), 1);
	assert_int_equal(kb_shmem, (shmem0 + 256) * 4);
	free(text);
	/* Unmapped, the pages stay cached: the file still exists. */
	assert_int_equal(foliage_exit(a), 0);
	assert_int_equal(nr_shmem(), shmem0 + 256);
	foliage_file_put(ff);
	assert_int_equal(nr_shmem(), shmem0);
}

/* One task faulting in a shared file, on its own thread (CPU). */
struct racer {
	struct foliage_task *task;	/* its task */
	unsigned long addr;		/* its mapping of the file */
	int ret;			/* foliage_madvise()'s result */
};

static void *race_populate(void *arg)
{
	struct racer *r = arg;

	r->ret = foliage_madvise(r->task, r->addr, 4 * MB,
				 FOLIAGE_MADV_POPULATE_READ);
	return NULL;
}

/*
 * Two CPUs read-fault the same 4 MiB file at once: each index gets one
 * folio (the loser of a race for a slot frees its own and takes the
 * winner's), and both tasks map the same frames.
 */
static void test_concurrent_faults(void **state)
{
	struct racer r[2] = { { .task = new_task(m, "a") },
			      { .task = new_task(m, "b") } };
	unsigned long shmem0 = nr_shmem(), i;
	struct foliage_file *ff;
	pthread_t thread;

	(void)state;
	assert_int_equal(foliage_file_create(m, "race", 4 * MB, &ff), 0);
	for (i = 0; i < 2; i++)
		r[i].addr = map(r[i].task, 0, 4 * MB, R, SHARED, ff, 0);
	assert_int_equal(pthread_create(&thread, NULL, race_populate, &r[1]),
			 0);
	race_populate(&r[0]);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(r[0].ret, 0);
	assert_int_equal(r[1].ret, 0);
	assert_int_equal(nr_shmem(), shmem0 + 1024);
	assert_int_equal(ff->file.f_mapping->nrpages, 1024);
	for (i = 0; i < 4 * MB; i += PAGE_SIZE)
		assert_int_equal(pfn_at(r[0].task, r[0].addr + i),
				 pfn_at(r[1].task, r[1].addr + i));
	foliage_file_put(ff);
	assert_int_equal(foliage_exit(r[0].task), 0);
	assert_int_equal(foliage_exit(r[1].task), 0);
	assert_int_equal(nr_shmem(), shmem0);
}

#define FIXTURE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup, task_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_shared_two_tasks),
		FIXTURE_TEST(test_private_cow),
		FIXTURE_TEST(test_fault_around),
		FIXTURE_TEST(test_sigbus),
		FIXTURE_TEST(test_shared_anonymous),
		FIXTURE_TEST(test_meminfo_shmem),
		FIXTURE_TEST(test_concurrent_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
