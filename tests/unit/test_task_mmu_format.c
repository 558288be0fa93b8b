// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/maps, smaps and smaps_rollup formatters against text captured
 * from a real Linux 6.18 kernel: parse the golden files into the
 * formatters' structs, format them again, compare byte for byte.  And the
 * PSS fixed point of smaps_account() on real struct pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "smaps_parse.h"

static char *format_smaps(const struct smaps_vma *vmas, int n, bool smaps)
{
	struct seq_buf s;
	char *out = NULL;
	int i;

	seq_buf_init(&s);
	for (i = 0; i < n; i++) {
		if (smaps)
			show_smap(&s, &vmas[i]);
		else
			show_map_vma(&s, &vmas[i]);
	}
	assert_int_equal(seq_buf_finish(&s, &out), 0);
	return out;
}

static void assert_same_text(const char *got, const char *want)
{
	size_t i;

	if (!strcmp(got, want))
		return;
	for (i = 0; got[i] == want[i]; i++)
		;
	fail_msg("text differs at byte %zu:\n--- got:\n%.200s\n--- want:\n%.200s",
		 i, got + (i > 40 ? i - 40 : 0), want + (i > 40 ? i - 40 : 0));
}

/* Every VMA of the golden smaps formats back to the same bytes. */
static void test_smaps_golden(void **state)
{
	char *golden = read_golden("pid_smaps"), *text = strdup(golden), *out;
	struct smaps_vma vmas[16];
	int n;

	(void)state;
	n = parse_smaps(text, vmas, ARRAY_SIZE(vmas));
	assert_int_equal(n, 7);
	out = format_smaps(vmas, n, true);
	assert_same_text(out, golden);
	free(out);
	free(text);
	free(golden);
}

/* maps is the header lines of smaps. */
static void test_maps_golden(void **state)
{
	char *golden = read_golden("pid_smaps"), *text = strdup(golden);
	char *out, *want = calloc(1, strlen(golden) + 1), *line, *save = NULL;
	struct smaps_vma vmas[16];
	int n;

	(void)state;
	for (line = strtok_r(golden, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '2') {
			strcat(want, line);
			strcat(want, "\n");
		}
	}
	n = parse_smaps(text, vmas, ARRAY_SIZE(vmas));
	out = format_smaps(vmas, n, false);
	assert_same_text(out, want);
	/* The anonymous lines end in the space before the (absent) name. */
	assert_non_null(strstr(out, "rw-p 00000000 00:00 0 \n"));
	free(out);
	free(want);
	free(text);
	free(golden);
}

static void test_rollup_golden(void **state)
{
	char *golden = read_golden("pid_smaps_rollup"), *text = strdup(golden);
	char *line, *save = NULL, *out = NULL;
	struct mem_size_stats mss = { 0 };
	struct smaps_vma head;
	struct seq_buf s;

	(void)state;
	line = strtok_r(text, "\n", &save);
	parse_header(line, &head);
	assert_string_equal(head.name, "[rollup]");
	while ((line = strtok_r(NULL, "\n", &save)))
		assert_true(parse_mss_line(line, &mss));
	seq_buf_init(&s);
	show_smaps_rollup(&s, head.start, head.end, &mss);
	assert_int_equal(seq_buf_finish(&s, &out), 0);
	assert_same_text(out, golden);
	free(out);
	free(text);
	free(golden);
}

/* An empty address space: Linux prints a rollup of 0-0. */
static void test_rollup_empty(void **state)
{
	struct mem_size_stats mss = { 0 };
	char *out = NULL, want[128];
	struct seq_buf s;

	(void)state;
	seq_buf_init(&s);
	show_smaps_rollup(&s, 0, 0, &mss);
	assert_int_equal(seq_buf_finish(&s, &out), 0);
	/* The name starts in column 74 (1-based), after the padding. */
	snprintf(want, sizeof(want), "%-73s[rollup]\nRss:                   0 kB\n",
		 "00000000-00000000 ---p 00000000 00:00 0");
	assert_memory_equal(out, want, strlen(want));
	free(out);
}

/* A prefix longer than the pad column still gets one space before a name. */
static void test_long_prefix(void **state)
{
	struct smaps_vma v = {
		.start = 0x7ffffffde000UL, .end = 0x7ffffffff000UL,
		.flags = VM_READ | VM_WRITE | VM_MAYSHARE,
		.pgoff = 0x123456789aULL, .dev_minor = 1,
		.ino = 123456789012345UL,
	};
	struct seq_buf s;
	char *out = NULL;

	(void)state;
	snprintf(v.name, sizeof(v.name), "/memfd:x (deleted)");
	seq_buf_init(&s);
	show_map_vma(&s, &v);
	assert_int_equal(seq_buf_finish(&s, &out), 0);
	assert_string_equal(out, "7ffffffde000-7ffffffff000 rw-s 123456789a 00:01 "
			    "123456789012345          /memfd:x (deleted)\n");
	free(out);
}

/*
 * VmFlags: an unknown bit shows as "??"; VM_SOFTDIRTY not at all, as on
 * the reference kernel (built without CONFIG_MEM_SOFT_DIRTY).
 */
static void test_vmflags_unknown_and_softdirty(void **state)
{
	struct smaps_vma v = {
		.start = 0x1000, .end = 0x2000,
		.flags = VM_READ | BIT(11) | VM_SOFTDIRTY | VM_MAYREAD,
		.kernel_pagesize = PAGE_SIZE, .mmu_pagesize = PAGE_SIZE,
	};
	struct seq_buf s;
	char *out = NULL;

	(void)state;
	seq_buf_init(&s);
	show_smap(&s, &v);
	assert_int_equal(seq_buf_finish(&s, &out), 0);
	assert_non_null(strstr(out, "\nVmFlags: rd mr ?? \n"));
	assert_int_equal(strncmp(out, "00001000-00002000 r--p 00000000 00:00 0 \n"
				 "Size:                  4 kB\n", 68), 0);
	free(out);
}

/* The JSON of an smaps VMA carries the same numbers under the labels. */
static void test_smaps_json(void **state)
{
	char *golden = read_golden("pid_smaps");
	struct json_object *obj, *val;
	struct smaps_vma vmas[16];
	int n, err = 0;

	(void)state;
	n = parse_smaps(golden, vmas, ARRAY_SIZE(vmas));
	assert_int_equal(n, 7);
	obj = map_vma_json(&vmas[4], true, &err);
	assert_int_equal(err, 0);
	assert_true(json_object_object_get_ex(obj, "pathname", &val));
	assert_string_equal(json_object_get_string(val),
			    "/memfd:golden (deleted)");
	assert_true(json_object_object_get_ex(obj, "start", &val));
	assert_string_equal(json_object_get_string(val), "200000a00000");
	assert_true(json_object_object_get_ex(obj, "Pss", &val));
	assert_int_equal(json_object_get_int64(val), 994);
	assert_true(json_object_object_get_ex(obj, "Shared_Dirty", &val));
	assert_int_equal(json_object_get_int64(val), 60);
	assert_true(json_object_object_get_ex(obj, "VmFlags", &val));
	assert_int_equal(json_object_array_length(val), 7);
	assert_string_equal(json_object_get_string(
			json_object_array_get_idx(val, 2)), "sh");
	json_object_put(obj);
	free(golden);
}

/*
 * Pss in fixed point: three pages each mapped by three processes add up to
 * one page less 1/4096 of a byte-shift, not to zero or two pages.
 */
static void test_pss_fixed_point(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	struct mem_size_stats mss = { 0 };
	struct page *pages[3];
	unsigned long pfn;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, -1,
						     &pfn), 0);
		pages[i] = pfn_to_page(pfn);
		/* Three mappings, three references: shared. */
		atomic_set(&pages[i]->_mapcount, 2);
		atomic_set(&pages[i]->_refcount, 3);
		__SetPageSwapBacked(pages[i]);
		smaps_account(&mss, pages[i], false, true, i == 0, false, true);
	}
	assert_int_equal(mss.resident, 3 * PAGE_SIZE);
	assert_int_equal(mss.pss, 3 * (((u64)PAGE_SIZE << PSS_SHIFT) / 3));
	assert_int_equal(mss.pss >> PSS_SHIFT, PAGE_SIZE - 1);
	assert_int_equal(mss.pss_shmem, mss.pss);
	assert_int_equal(mss.pss_dirty, ((u64)PAGE_SIZE << PSS_SHIFT) / 3);
	assert_int_equal(mss.shared_dirty, PAGE_SIZE);
	assert_int_equal(mss.shared_clean, 2 * PAGE_SIZE);
	assert_int_equal(mss.private_clean + mss.private_dirty, 0);
	assert_int_equal(mss.referenced, 3 * PAGE_SIZE);
	assert_int_equal(mss.anonymous, 0);

	/* Mapped once and referenced once: private, all of it. */
	memset(&mss, 0, sizeof(mss));
	atomic_set(&pages[0]->_mapcount, 0);
	atomic_set(&pages[0]->_refcount, 1);
	smaps_account(&mss, pages[0], false, false, false, false, true);
	assert_int_equal(mss.private_clean, PAGE_SIZE);
	assert_int_equal(mss.pss, (u64)PAGE_SIZE << PSS_SHIFT);
	assert_int_equal(mss.referenced, 0);

	/* A migration entry: counted as shared, undivided. */
	memset(&mss, 0, sizeof(mss));
	atomic_set(&pages[1]->_mapcount, 0);
	atomic_set(&pages[1]->_refcount, 2);
	smaps_account(&mss, pages[1], false, false, false, false, false);
	assert_int_equal(mss.shared_clean, PAGE_SIZE);
	assert_int_equal(mss.pss, (u64)PAGE_SIZE << PSS_SHIFT);

	for (i = 0; i < 3; i++) {
		atomic_set(&pages[i]->_mapcount, -1);
		atomic_set(&pages[i]->_refcount, 1);
		__ClearPageSwapBacked(pages[i]);
		assert_int_equal(foliage_free_pages(m, page_to_pfn(pages[i]), 0,
						    0), 0);
	}
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smaps_golden),
		cmocka_unit_test(test_maps_golden),
		cmocka_unit_test(test_rollup_golden),
		cmocka_unit_test(test_rollup_empty),
		cmocka_unit_test(test_long_prefix),
		cmocka_unit_test(test_vmflags_unknown_and_softdirty),
		cmocka_unit_test(test_smaps_json),
		cmocka_unit_test(test_pss_fixed_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
