// SPDX-License-Identifier: GPL-2.0
/*
 * shmem files without mappings: the page cache, its counters, names,
 * inode numbers, truncation and the last fput().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/shmem_fs.h>

#include "pt_helpers.h"
#include "render.h"

static struct foliage_machine *m;

/* The fixture's machine, for the helpers below. */
static int setup(void **state)
{
	task_fixture_setup(state);
	m = ((struct task_fixture *)*state)->m;
	return 0;
}

static unsigned long node_stat(enum node_stat_item item)
{
	return global_node_page_state(item);
}

static struct inode *ff_inode(struct foliage_file *ff)
{
	return ff->file.f_inode;
}

/* The value of one /proc/meminfo line, in kB. */
static unsigned long meminfo_kb(const char *label)
{
	char *text = NULL, *p;
	unsigned long kb;

	assert_int_equal(foliage_render(m, "meminfo", 0, &text), 0);
	p = strstr(text, label);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(label), ": %lu kB", &kb), 1);
	free(text);
	return kb;
}

/*
 * A memfd is named "/memfd:NAME (deleted)" on device 00:01, with inode
 * numbers handed out in order on one CPU.
 */
static void test_names_and_inodes(void **state)
{
	struct foliage_file *a, *b;
	char path[128];
	char longname[80];

	(void)state;
	assert_int_equal(foliage_file_create(m, "golden", 8192, &a), 0);
	assert_int_equal(foliage_file_create(m, "second", 0, &b), 0);
	assert_int_equal(file_path(&a->file, path, sizeof(path)),
			 (int)strlen("/memfd:golden (deleted)"));
	assert_string_equal(path, "/memfd:golden (deleted)");
	assert_int_equal(ff_inode(a)->i_dev_minor, SHMEM_DEV_MINOR);
	assert_int_equal(ff_inode(a)->i_size, 8192);
	/* The machine's first shm_mnt inode is 1; the next is 2. */
	assert_int_equal(ff_inode(a)->i_ino, 1);
	assert_int_equal(ff_inode(b)->i_ino, 2);
	assert_true(shmem_mapping(a->file.f_mapping));

	/* memfd_create() names are limited; the path buffer is too. */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(foliage_file_create(m, longname, 4096, &b), -EINVAL);
	assert_int_equal(file_path(&a->file, path, 10), -ENAMETOOLONG);

	foliage_file_put(b);
	foliage_file_put(a);
}

/*
 * Reading a hole allocates a zeroed folio into the cache: the allocator
 * zeroes it (the page held 0xaa when it was freed), NR_SHMEM and
 * NR_FILE_PAGES count it, and meminfo's Shmem shows it.
 */
static void test_cache_fill(void **state)
{
	unsigned long shmem0 = node_stat(NR_SHMEM);
	unsigned long file0 = node_stat(NR_FILE_PAGES);
	unsigned long kb0 = meminfo_kb("\nShmem");
	struct folio *folio, *again;
	struct foliage_file *ff;
	unsigned long pfn;

	(void)state;
	assert_int_equal(foliage_file_create(m, "fill", 3 * PAGE_SIZE + 100,
					     &ff), 0);
	/* Leave a dirty page on this CPU's list for the next allocation. */
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_HIGHUSER_MOVABLE, 0,
					     -1, &pfn), 0);
	memset(foliage_pfn_to_virt(m, pfn), 0xaa, PAGE_SIZE);
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);

	assert_int_equal(shmem_get_folio(ff_inode(ff), 0, &folio, true), 0);
	assert_int_equal(folio_pfn(folio), pfn);
	assert_true(mem_is(folio_address(folio), 0, PAGE_SIZE));
	assert_ptr_equal(folio->mapping, ff->file.f_mapping);
	assert_int_equal(folio->index, 0);
	assert_true(folio_test_swapbacked(folio));
	assert_true(folio_test_uptodate(folio));
	assert_true(folio_test_lru(folio));
	assert_false(folio_test_locked(folio));
	assert_false(folio_test_dirty(folio));
	/* The cache's reference and ours. */
	assert_int_equal(folio_ref_count(folio), 2);
	assert_int_equal(ff->file.f_mapping->nrpages, 1);
	assert_int_equal(node_stat(NR_SHMEM), shmem0 + 1);
	assert_int_equal(node_stat(NR_FILE_PAGES), file0 + 1);
	assert_int_equal(meminfo_kb("\nShmem"), kb0 + 4);

	/* The same folio again, one more reference. */
	assert_int_equal(shmem_get_folio(ff_inode(ff), 0, &again, true), 0);
	assert_ptr_equal(again, folio);
	assert_int_equal(folio_ref_count(folio), 3);
	assert_ptr_equal(filemap_get_folio(ff->file.f_mapping, 0), folio);
	assert_int_equal(folio_ref_count(folio), 4);
	folio_put(folio);
	folio_put(folio);
	folio_put(folio);

	/* Holes: not created without @create, not found by lookup. */
	assert_null(filemap_get_folio(ff->file.f_mapping, 1));
	assert_int_equal(shmem_get_folio(ff_inode(ff), 1, &again, false),
			 -ENOENT);
	/* The partial last page is inside the file, the next is not. */
	assert_int_equal(shmem_get_folio(ff_inode(ff), 3, &again, true), 0);
	folio_put(again);
	assert_int_equal(shmem_get_folio(ff_inode(ff), 4, &again, true),
			 -EINVAL);
	assert_int_equal(node_stat(NR_SHMEM), shmem0 + 2);

	/* The last reference: the cache goes, and its pages. */
	foliage_file_put(ff);
	assert_int_equal(node_stat(NR_SHMEM), shmem0);
	assert_int_equal(node_stat(NR_FILE_PAGES), file0);
	assert_int_equal(meminfo_kb("\nShmem"), kb0);
}

/*
 * Truncation drops the pages past the new end and zeroes the tail of the
 * last one; growing again finds holes, not the old data.
 */
static void test_truncate(void **state)
{
	unsigned long shmem0 = node_stat(NR_SHMEM);
	struct folio *folio[4];
	struct foliage_file *ff;
	unsigned long i;

	(void)state;
	assert_int_equal(foliage_file_create(m, "trunc", 4 * PAGE_SIZE, &ff),
			 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(shmem_get_folio(ff_inode(ff), i, &folio[i],
						 true), 0);
		memset(folio_address(folio[i]), 0x11 * (i + 1), PAGE_SIZE);
	}
	assert_int_equal(node_stat(NR_SHMEM), shmem0 + 4);

	/* Keep a reference on page 3: it leaves the cache all the same. */
	for (i = 0; i < 3; i++)
		folio_put(folio[i]);
	assert_int_equal(shmem_truncate(ff_inode(ff), PAGE_SIZE + 100), 0);
	assert_int_equal(ff_inode(ff)->i_size, PAGE_SIZE + 100);
	assert_int_equal(ff->file.f_mapping->nrpages, 2);
	assert_int_equal(node_stat(NR_SHMEM), shmem0 + 2);
	assert_null(folio[3]->mapping);
	assert_int_equal(folio_ref_count(folio[3]), 1);
	folio_put(folio[3]);

	/* Page 1 keeps its first 100 bytes, the rest reads as zeros. */
	assert_int_equal(shmem_get_folio(ff_inode(ff), 1, &folio[1], false), 0);
	assert_true(mem_is(folio_address(folio[1]), 0x22, 100));
	assert_true(mem_is((char *)folio_address(folio[1]) + 100, 0,
			   PAGE_SIZE - 100));
	folio_put(folio[1]);

	/* Grow: page 2 is a hole again, and a new one reads zeros. */
	assert_int_equal(shmem_truncate(ff_inode(ff), 4 * PAGE_SIZE), 0);
	assert_null(filemap_get_folio(ff->file.f_mapping, 2));
	assert_int_equal(shmem_get_folio(ff_inode(ff), 2, &folio[2], true), 0);
	assert_true(mem_is(folio_address(folio[2]), 0, PAGE_SIZE));
	folio_put(folio[2]);
	assert_int_equal(node_stat(NR_SHMEM), shmem0 + 3);

	foliage_file_put(ff);
	assert_int_equal(node_stat(NR_SHMEM), shmem0);
}

/* References: VMAs take the file, the last fput() frees everything. */
static void test_file_refs(void **state)
{
	unsigned long shmem0 = node_stat(NR_SHMEM);
	struct foliage_file *ff;
	struct folio *folio;
	struct file *file;

	(void)state;
	assert_int_equal(foliage_file_create(m, "refs", PAGE_SIZE, &ff), 0);
	file = get_file(&ff->file);
	assert_int_equal(atomic_read(&file->f_count), 2);
	assert_int_equal(shmem_get_folio(file->f_inode, 0, &folio, true), 0);
	folio_put(folio);
	/* The creator closes: the "mapping" keeps file and pages. */
	foliage_file_put(ff);
	assert_int_equal(atomic_read(&file->f_count), 1);
	assert_int_equal(node_stat(NR_SHMEM), shmem0 + 1);
	fput(file);
	assert_int_equal(node_stat(NR_SHMEM), shmem0);
}

/*
 * The machine owns its files: destroying it frees the files users never
 * put, mapped or not, with their pages (LeakSanitizer in the check build
 * and valgrind would report the file, its inode and its cache otherwise).
 */
static void test_destroy_frees_files(void **state)
{
	struct foliage_machine *m2 = test_machine(1, 16);
	struct foliage_file *a, *b, *c;
	struct foliage_task *t;
	unsigned long addr;
	char byte = 1;

	(void)state;
	assert_int_equal(foliage_file_create(m2, "never-put", 64 * 1024, &a), 0);
	assert_int_equal(foliage_file_create(m2, "mapped", 64 * 1024, &b), 0);
	assert_int_equal(foliage_file_create(m2, "put", 4096, &c), 0);
	foliage_file_put(c);
	assert_int_equal(foliage_task_create(m2, "P", &t), 0);
	assert_int_equal(foliage_mmap(t, 0, 64 * 1024, FOLIAGE_PROT_READ |
				      FOLIAGE_PROT_WRITE, FOLIAGE_MAP_SHARED, b,
				      0, &addr), 0);
	assert_int_equal(foliage_access(t, addr, &byte, 1, true, NULL), 0);
	/* a holds no page, b one, mapped by a task that never exits. */
	assert_int_equal(vmstat(m2, "nr_shmem"), 1);
	test_machine_done(m2);
}

#define FIXTURE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, setup, task_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_names_and_inodes),
		FIXTURE_TEST(test_cache_fill),
		FIXTURE_TEST(test_truncate),
		FIXTURE_TEST(test_file_refs),
		cmocka_unit_test(test_destroy_frees_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
