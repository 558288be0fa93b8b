// SPDX-License-Identifier: GPL-2.0
/*
 * The golden smaps scenario (tests/golden/README: captured on Linux 6.18
 * with THP in madvise mode) recreated in foliage, and its smaps compared
 * with the real kernel's byte for byte, VMA by VMA:
 *
 *   0x200000000000  4M private anon, MADV_NOHUGEPAGE, all written, then
 *                   the second MiB mprotect'ed read-only (three VMAs)
 *   0x200000400000  4M private anon, MADV_HUGEPAGE, all written (2 THPs)
 *   0x200000a00000  2M memfd "golden" MAP_SHARED, first MiB written
 *   0x200000e00000  the same memfd MAP_PRIVATE: page 0 read (fault-around
 *                   maps 16 pages, shared with the first mapping), page 1
 *                   written (COW)
 *   0x200001200000  1M private anon, read-only, page 0 read (zero page)
 *
 * The memfd's inode number is the only thing that differs: the kernel's
 * was 1110, foliage's is its own.
 */
#include "pt_helpers.h"

#define R	FOLIAGE_PROT_READ
#define RW	(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ANON	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | FOLIAGE_MAP_FIXED)
#define FIXED	FOLIAGE_MAP_FIXED

static struct foliage_task *golden_scenario(struct foliage_machine *m,
					    struct foliage_file **ffp)
{
	struct foliage_task *t = new_task(m, "golden");
	struct foliage_file *ff;
	char c;

	map(t, 0x200000000000UL, 4 * MB, RW, ANON, NULL, 0);
	assert_int_equal(foliage_madvise(t, 0x200000000000UL, 4 * MB,
					 FOLIAGE_MADV_NOHUGEPAGE), 0);
	fill(t, 0x200000000000UL, 0x11, 4 * MB);
	assert_int_equal(foliage_mprotect(t, 0x200000100000UL, MB, R), 0);

	map(t, 0x200000400000UL, 4 * MB, RW, ANON, NULL, 0);
	assert_int_equal(foliage_madvise(t, 0x200000400000UL, 4 * MB,
					 FOLIAGE_MADV_HUGEPAGE), 0);
	fill(t, 0x200000400000UL, 0x22, 4 * MB);

	assert_int_equal(foliage_file_create(m, "golden", 2 * MB, &ff), 0);
	map(t, 0x200000a00000UL, 2 * MB, RW, FOLIAGE_MAP_SHARED | FIXED, ff, 0);
	fill(t, 0x200000a00000UL, 0x33, MB);
	map(t, 0x200000e00000UL, 2 * MB, RW, FOLIAGE_MAP_PRIVATE | FIXED, ff,
	    0);
	get_bytes(t, 0x200000e00000UL, &c, 1);
	assert_int_equal(c, 0x33);
	fill(t, 0x200000e00000UL + PAGE_SIZE, 0x44, 1);

	map(t, 0x200001200000UL, MB, R, ANON, NULL, 0);
	get_bytes(t, 0x200001200000UL, &c, 1);
	assert_int_equal(c, 0);
	*ffp = ff;
	return t;
}

static char *format_vmas(const struct smaps_vma *vmas, int n)
{
	struct seq_buf s;
	char *out = NULL;
	int i;

	seq_buf_init(&s);
	for (i = 0; i < n; i++)
		show_smap(&s, &vmas[i]);
	assert_int_equal(seq_buf_finish(&s, &out), 0);
	return out;
}

static void test_golden_smaps(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	char *golden = read_golden("pid_smaps"), *want, *got = NULL;
	struct smaps_vma want_vmas[16], got_vmas[16];
	struct foliage_file *ff;
	struct foliage_task *t;
	int i, n;

	(void)state;
	t = golden_scenario(m, &ff);
	assert_int_equal(foliage_render_task(t, "smaps", 0, &got), 0);
	n = parse_smaps(golden, want_vmas, 16);
	assert_int_equal(n, 7);
	assert_int_equal(task_smaps(t, got_vmas, 16), 7);
	/* The inode number is the machine's own. */
	for (i = 0; i < n; i++)
		if (want_vmas[i].ino)
			want_vmas[i].ino = got_vmas[i].ino;
	assert_int_not_equal(got_vmas[4].ino, 0);
	assert_int_equal(got_vmas[5].ino, got_vmas[4].ino);
	want = format_vmas(want_vmas, n);
	if (strcmp(got, want)) {
		size_t off = 0;

		while (got[off] == want[off])
			off++;
		while (off && got[off - 1] != '\n')
			off--;
		fail_msg("smaps differs from Linux's:\n--- foliage:\n%.400s\n"
			 "--- Linux 6.18:\n%.400s", got + off, want + off);
	}
	free(want);
	free(got);
	free(golden);
	foliage_file_put(ff);
	assert_int_equal(foliage_exit(t), 0);
	pt_machine_done(m);
}

/*
 * smaps_rollup sums the VMAs: Rss and the byte counters exactly, Pss from
 * the unrounded fixed point (so never below the sum of the VMAs' Pss).
 */
static void test_golden_rollup(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct smaps_vma vmas[16], head;
	struct mem_size_stats sum = { 0 }, roll = { 0 };
	struct foliage_file *ff;
	struct foliage_task *t;
	char *text = NULL, *line, *save = NULL;
	int i, n;

	(void)state;
	t = golden_scenario(m, &ff);
	n = task_smaps(t, vmas, 16);
	for (i = 0; i < n; i++) {
		sum.resident += vmas[i].mss.resident;
		sum.anonymous += vmas[i].mss.anonymous;
		sum.anonymous_thp += vmas[i].mss.anonymous_thp;
		sum.shared_dirty += vmas[i].mss.shared_dirty;
		sum.private_dirty += vmas[i].mss.private_dirty;
		sum.pss += vmas[i].mss.pss;
	}
	assert_int_equal(foliage_render_task(t, "smaps_rollup", 0, &text), 0);
	line = strtok_r(text, "\n", &save);
	parse_header(line, &head);
	assert_string_equal(head.name, "[rollup]");
	assert_int_equal(head.start, 0x200000000000UL);
	assert_int_equal(head.end, 0x200001300000UL);
	while ((line = strtok_r(NULL, "\n", &save)))
		assert_true(parse_mss_line(line, &roll));
	assert_int_equal(roll.resident, sum.resident);
	assert_int_equal(roll.anonymous, sum.anonymous);
	assert_int_equal(roll.anonymous_thp, sum.anonymous_thp);
	assert_int_equal(roll.shared_dirty, sum.shared_dirty);
	assert_int_equal(roll.private_dirty, sum.private_dirty);
	/* 4M + 4M + 4K anonymous, 1M + 60K shmem (994 + 30 kB of Pss). */
	assert_int_equal(kb(roll.anonymous), 8196);
	assert_int_equal(pss_kb(roll.pss_anon), 8196);
	assert_int_equal(pss_kb(roll.pss_shmem), 1024);
	assert_int_equal(pss_kb(roll.pss_file), 0);
	assert_int_equal(pss_kb(roll.pss), 9220);
	assert_true(roll.pss >= sum.pss);
	free(text);

	/* The same as JSON. */
	assert_int_equal(foliage_render_task(t, "smaps_rollup",
					     FOLIAGE_RENDER_JSON, &text), 0);
	{
		struct json_object *obj = json_tokener_parse(text), *v;

		assert_non_null(obj);
		assert_true(json_object_object_get_ex(obj, "Pss_Shmem", &v));
		assert_int_equal(json_object_get_int64(v), 1024);
		assert_true(json_object_object_get_ex(obj, "pathname", &v));
		assert_string_equal(json_object_get_string(v), "[rollup]");
		json_object_put(obj);
	}
	free(text);
	foliage_file_put(ff);
	assert_int_equal(foliage_exit(t), 0);
	pt_machine_done(m);
}

/* maps is smaps' header lines; JSON maps has one object per VMA. */
static void test_golden_maps(void **state)
{
	struct foliage_machine *m = pt_machine(1, 256);
	struct foliage_file *ff;
	struct foliage_task *t;
	struct json_object *arr;
	char *maps = NULL, *smaps = NULL, *line, *save = NULL, *want;

	(void)state;
	t = golden_scenario(m, &ff);
	assert_int_equal(foliage_render_task(t, "maps", 0, &maps), 0);
	assert_int_equal(foliage_render_task(t, "smaps", 0, &smaps), 0);
	want = calloc(1, strlen(smaps) + 1);
	for (line = strtok_r(smaps, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '2') {
			strcat(want, line);
			strcat(want, "\n");
		}
	}
	assert_string_equal(maps, want);
	free(maps);
	assert_int_equal(foliage_render_task(t, "maps", FOLIAGE_RENDER_JSON,
					     &maps), 0);
	arr = json_tokener_parse(maps);
	assert_non_null(arr);
	assert_int_equal(json_object_array_length(arr), 7);
	json_object_put(arr);
	assert_int_equal(foliage_render_task(t, "status", 0, &maps), -ENOENT);
	free(maps);
	free(want);
	free(smaps);
	foliage_file_put(ff);
	assert_int_equal(foliage_exit(t), 0);
	pt_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_smaps),
		cmocka_unit_test(test_golden_rollup),
		cmocka_unit_test(test_golden_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
