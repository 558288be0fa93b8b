// SPDX-License-Identifier: GPL-2.0
/*
 * diffcmp (tools/foliage/diffcmp.c): smaps text captured from Linux 6.18
 * parses into the numbers it shows, and every kind of difference between
 * two sides is found and told with the task, address, field and values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "diffcmp.h"

#define WIN		0x200000000000UL
#define PAGE		4096UL

static void parse(const char *text, struct dc_maps *m)
{
	assert_int_equal(dc_parse_maps(text, WIN, WIN + (1UL << 40), m), 0);
}

/* The golden smaps: seven VMAs, with the kernel's numbers. */
static void test_parse_golden_smaps(void **state)
{
	char *text = read_golden("pid_smaps");
	struct dc_maps m;
	const struct dc_vma *v;

	(void)state;
	parse(text, &m);
	assert_int_equal(m.nr, 7);
	v = &m.vma[0];
	assert_int_equal(v->start, WIN);
	assert_int_equal(v->end, WIN + 0x100000);
	assert_string_equal(v->perms, "rw-p");
	assert_string_equal(v->path, "");
	assert_int_equal(v->value[DC_SIZE], 1024);
	assert_int_equal(v->value[DC_RSS], 1024);
	assert_int_equal(v->value[DC_PRIVATE_DIRTY], 1024);
	assert_int_equal(v->value[DC_ANONYMOUS], 1024);
	assert_int_equal(v->value[DC_THP_ELIGIBLE], 0);
	assert_string_equal(v->vmflags, "rd wr mr mw me ac nh");
	v = &m.vma[4];
	assert_string_equal(v->perms, "rw-s");
	assert_int_equal(v->dev_minor, 1);
	assert_int_equal(v->inode, 1110);
	assert_string_equal(v->path, "/memfd:golden (deleted)");
	assert_int_equal(v->value[DC_PSS], 994);
	assert_int_equal(v->value[DC_SHARED_DIRTY], 60);
	assert_int_equal(v->value[DC_PRIVATE_DIRTY], 964);
	assert_string_equal(v->vmflags, "rd wr sh mr mw me ms");
	dc_maps_free(&m);
	free(text);
}

/* Only the VMAs that overlap the range are kept; maps has no fields. */
static void test_parse_window(void **state)
{
	const char *maps =
		"00400000-00401000 r-xp 00000000 08:01 12 /usr/bin/foliage-realproc\n"
		"200000000000-200000002000 rw-p 00000000 00:00 0 \n"
		"200000004000-200000005000 r--s 00001000 00:01 7                          /memfd:f (deleted)\n"
		"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n";
	struct dc_maps m;

	(void)state;
	parse(maps, &m);
	assert_int_equal(m.nr, 2);
	assert_int_equal(m.vma[0].value[DC_RSS], -1);
	assert_int_equal(m.vma[1].offset, 0x1000);
	assert_string_equal(m.vma[1].path, "/memfd:f (deleted)");
	dc_maps_free(&m);
	assert_int_equal(dc_parse_maps("200000000000-2 rw-p\nnot a line\n",
				       WIN, WIN + PAGE, &m), -EINVAL);
}

/*
 * 65,536 VMAs (max_map_count's worth) with their smaps fields parse in
 * one pass: each line is looked at once, not the rest of the buffer
 * with it (sscanf() on the whole text made this quadratic: minutes).
 */
static void test_parse_many_vmas(void **state)
{
	const unsigned int nr = 65536;
	size_t cap = (size_t)nr * 160, len = 0;
	char *text = malloc(cap);
	struct dc_maps m;
	unsigned int i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < nr; i++)
		len += snprintf(text + len, cap - len,
				"%lx-%lx rw-p 00000000 00:00 0 \n"
				"Size:                  4 kB\nRss:    4 kB\n",
				WIN + 2 * i * PAGE, WIN + (2 * i + 1) * PAGE);
	parse(text, &m);
	assert_int_equal(m.nr, nr);
	assert_int_equal(m.vma[nr - 1].start, WIN + 2UL * (nr - 1) * PAGE);
	assert_int_equal(m.vma[nr - 1].value[DC_RSS], 4);
	dc_maps_free(&m);
	free(text);
}

static void test_path_key(void **state)
{
	char a[64], b[64], c[64];

	(void)state;
	dc_path_key("/memfd:shm (deleted)", a, sizeof(a));
	dc_path_key("/shm (deleted)", b, sizeof(b));
	dc_path_key("/shm", c, sizeof(c));
	assert_string_equal(a, "shm");
	assert_string_equal(b, "shm");
	assert_string_equal(c, "shm");
	dc_path_key("", a, sizeof(a));
	assert_string_equal(a, "");
}

/*
 * Two smaps that differ in one way each, and the divergence told:
 *
 *	foliage	 AAAA BB
 *	Linux	 AAAA BB	the same: no divergence
 *	Linux	 AA AA BB	split: "vma" at A's start
 *	Linux	 AAAA BB CC	one more VMA: "vma" at C, foliage has none
 *	Linux	 Rss of B	"Rss" at B
 */
static const char smaps_a[] =
	"200000000000-200000004000 rw-p 00000000 00:00 0 \n"
	"Size:                 16 kB\n"
	"Rss:                  16 kB\n"
	"Pss:                  16 kB\n"
	"Anonymous:            16 kB\n"
	"VmFlags: rd wr mr mw me ac \n"
	"200000005000-200000007000 r--p 00000000 00:00 0 \n"
	"Size:                  8 kB\n"
	"Rss:                   8 kB\n"
	"Pss:                   4 kB\n"
	"Anonymous:             8 kB\n"
	"VmFlags: rd mr mw me ac \n";

static int compare_text(const char *f, const char *r, uint64_t fields,
			unsigned int flags, struct dc_divergence *div)
{
	struct dc_maps fm, rm;
	int ret;

	parse(f, &fm);
	parse(r, &rm);
	ret = dc_compare_maps("A", &fm, &rm, fields, flags, div);
	dc_maps_free(&fm);
	dc_maps_free(&rm);
	return ret;
}

static void assert_divergence(const struct dc_divergence *d,
			      const char *expect)
{
	char buf[512];

	dc_divergence_format(d, buf, sizeof(buf));
	assert_string_equal(buf, expect);
}

static void test_compare_maps(void **state)
{
	struct dc_divergence d;
	char *other = malloc(sizeof(smaps_a) + 256);
	char *p;

	(void)state;
	assert_non_null(other);
	assert_int_equal(compare_text(smaps_a, smaps_a, DC_FIELDS_DEFAULT,
				      DC_CMP_VMFLAGS, &d), 0);

	assert_int_equal(compare_text(smaps_a,
		"200000000000-200000002000 rw-p 00000000 00:00 0 \n"
		"200000002000-200000004000 rw-p 00000000 00:00 0 \n"
		"200000005000-200000007000 r--p 00000000 00:00 0 \n",
		0, 0, &d), 1);
	assert_divergence(&d, "task A 0x200000000000 vma: foliage "
			  "200000000000-200000004000 rw-p, Linux "
			  "200000000000-200000002000 rw-p");

	sprintf(other, "%s200000010000-200000011000 rw-p 00000000 00:00 0 \n",
		smaps_a);
	assert_int_equal(compare_text(smaps_a, other, DC_FIELDS_DEFAULT, 0,
				      &d), 1);
	assert_divergence(&d, "task A 0x200000010000 vma: foliage (no VMA), "
			  "Linux 200000010000-200000011000 rw-p");

	strcpy(other, smaps_a);
	p = strstr(other, "Rss:                   8 kB");
	memcpy(p, "Rss:                   4 kB", 27);
	assert_int_equal(compare_text(smaps_a, other, DC_FIELDS_DEFAULT, 0,
				      &d), 1);
	assert_divergence(&d, "task A 0x200000005000 Rss: foliage 8 kB, "
			  "Linux 4 kB");
	/* A field left out of the mask is not compared. */
	assert_int_equal(compare_text(smaps_a, other, DC_FIELD(DC_PSS), 0,
				      &d), 0);

	strcpy(other, smaps_a);
	p = strstr(other, "VmFlags: rd mr");
	memcpy(p, "VmFlags: rd wr", 14);
	assert_int_equal(compare_text(smaps_a, other, DC_FIELDS_DEFAULT, 0,
				      &d), 0);
	assert_int_equal(compare_text(smaps_a, other, DC_FIELDS_DEFAULT,
				      DC_CMP_VMFLAGS, &d), 1);
	assert_divergence(&d, "task A 0x200000005000 VmFlags: foliage "
			  "rd mr mw me ac, Linux rd wr mw me ac");
	free(other);
}

/* The same file under each side's name is the same; others are not. */
static void test_compare_files(void **state)
{
	struct dc_divergence d;

	(void)state;
	assert_int_equal(compare_text(
		"200000000000-200000001000 rw-s 00000000 00:05 3 /f\n",
		"200000000000-200000001000 rw-s 00000000 00:01 1110 "
		"/memfd:f (deleted)\n", DC_FIELDS_DEFAULT, 0, &d), 0);
	assert_int_equal(compare_text(
		"200000000000-200000001000 rw-s 00000000 00:05 3 /f\n",
		"200000000000-200000001000 rw-s 00000000 00:01 1110 "
		"/memfd:g (deleted)\n", DC_FIELDS_DEFAULT, 0, &d), 1);
	assert_divergence(&d, "task A 0x200000000000 file: foliage '/f', "
			  "Linux '/memfd:g (deleted)'");
	assert_int_equal(compare_text(
		"200000000000-200000001000 rw-s 00001000 00:05 3 /f\n",
		"200000000000-200000001000 rw-s 00000000 00:05 3 /f\n",
		DC_FIELDS_DEFAULT, 0, &d), 1);
	assert_divergence(&d, "task A 0x200000000000 offset: foliage 0x1000, "
			  "Linux 0");
}

static void test_page_from_pagemap(void **state)
{
	struct dc_page p;

	(void)state;
	dc_page_from_pagemap(1ULL << 63 | 1ULL << 56 | 0x1234, false, &p);
	assert_true(p.present && p.exclusive && !p.file && !p.zero);
	assert_int_equal(p.frame, 0x1234);
	dc_page_from_pagemap(1ULL << 63 | 1ULL << 61 | 0x99, false, &p);
	assert_true(p.present && p.file && !p.exclusive);
	dc_page_from_pagemap(1ULL << 63 | 0x55, true, &p);
	assert_true(p.present && p.zero);
	assert_int_equal(p.frame, 0);
	dc_page_from_pagemap(1ULL << 55, false, &p);	/* soft-dirty only */
	assert_false(p.present);
}

#define P(f, excl)	{ .frame = (f), .present = true, .exclusive = (excl) }
#define ZERO		{ .present = true, .zero = true }
#define NONE		{ .present = false }

/*
 * Two tasks after a fork and a COW of page 1 in B:
 *
 *	page	0	1	2	3
 *	A	shared	own	shared	zero
 *	B	shared	own	shared	zero
 *
 * Frame numbers differ between the sides; the partition must not.
 */
static void test_compare_pages(void **state)
{
	struct dc_page fa[] = { P(10, false), P(11, true), P(12, false), ZERO };
	struct dc_page fb[] = { P(10, false), P(20, true), P(12, false), ZERO };
	struct dc_page ra[] = { P(7, false), P(8, true), P(9, false), ZERO };
	struct dc_page rb[] = { P(7, false), P(5, true), P(9, false), ZERO };
	struct dc_page_set f[2] = {
		{ "A", WIN, 4, fa }, { "B", WIN, 4, fb },
	};
	struct dc_page_set r[2] = {
		{ "A", WIN, 4, ra }, { "B", WIN, 4, rb },
	};
	struct dc_divergence d;

	(void)state;
	assert_int_equal(dc_compare_pages(f, r, 2, &d), 0);

	/* B's page 2 has its own frame in Linux (and still not exclusive). */
	rb[2].frame = 6;
	assert_int_equal(dc_compare_pages(f, r, 2, &d), 1);
	assert_divergence(&d, "task B 0x200000002000 frame: foliage the "
			  "frame of task A 0x200000002000, Linux a frame of "
			  "its own");
	rb[2].frame = 9;

	/* Page 1 of B and page 1 of A share a frame in foliage only. */
	fb[1].frame = 11;
	assert_int_equal(dc_compare_pages(f, r, 2, &d), 1);
	assert_divergence(&d, "task B 0x200000001000 frame: foliage the "
			  "frame of task A 0x200000001000, Linux a frame of "
			  "its own");
	fb[1].frame = 20;

	rb[0].exclusive = true;
	assert_int_equal(dc_compare_pages(f, r, 2, &d), 1);
	assert_divergence(&d, "task B 0x200000000000 exclusive "
			  "(PM_MMAP_EXCLUSIVE): foliage no, Linux yes");
	rb[0].exclusive = false;

	ra[3] = (struct dc_page)NONE;
	assert_int_equal(dc_compare_pages(f, r, 2, &d), 1);
	assert_divergence(&d, "task A 0x200000003000 present: foliage yes, "
			  "Linux no");
	ra[3] = (struct dc_page)ZERO;

	r[1].nr = 3;
	assert_int_equal(dc_compare_pages(f, r, 2, &d), -EINVAL);
}

/* The golden slabinfo rows; a cache not in the text is not found. */
static void test_parse_slabinfo(void **state)
{
	static const char *const names[] = {
		"anon_vma", "anon_vma_chain", "vm_area_struct", "dentry",
	};
	char *text = read_golden("slabinfo.head");
	struct dc_slab_row rows[4];

	(void)state;
	dc_parse_slabinfo(text, names, 4, rows);
	assert_true(rows[0].found);
	assert_int_equal(rows[0].active_objs, 357);
	assert_int_equal(rows[0].num_objs, 390);
	assert_int_equal(rows[0].objsize, 104);
	assert_int_equal(rows[0].objperslab, 39);
	assert_int_equal(rows[1].active_objs, 418);
	assert_int_equal(rows[1].objsize, 64);
	assert_int_equal(rows[2].active_objs, 722);
	assert_int_equal(rows[2].objperslab, 21);
	assert_int_equal(rows[2].pagesperslab, 1);
	assert_false(rows[3].found);
	free(text);
}

static void test_compare_count(void **state)
{
	struct dc_divergence d;

	(void)state;
	assert_int_equal(dc_compare_count("anon_vma", 1000, 1000, 0, &d), 0);
	assert_int_equal(dc_compare_count("anon_vma", 1000, 1040, 50, &d), 0);
	assert_int_equal(dc_compare_count("anon_vma", 1000, 960, 40, &d), 0);
	assert_int_equal(dc_compare_count("anon_vma", 1000, 959, 40, &d), 1);
	assert_divergence(&d, "task - anon_vma: foliage 1000, Linux 959 "
			  "(tolerance 40)");
	assert_int_equal(dc_compare_count("anon_vma_chain", 2000, 1999, 0, &d),
			 1);
	assert_divergence(&d, "task - anon_vma_chain: foliage 2000, "
			  "Linux 1999");
}

/*
 * numa_maps as Linux 6.18 printed it on a one-node host (captured from a
 * real process: every policy mbind(2) and set_mempolicy(2) can set, a
 * memfd, a line outside the window, one with no pages).
 */
static const char numa_real[] =
	"55d0c8a3e000 default file=/usr/bin/foo mapped=3 N0=3 "
	"kernelpagesize_kB=4\n"
	"200000000000 default anon=6 dirty=6 active=0 N0=6 "
	"kernelpagesize_kB=4\n"
	"200000100000 bind:0 anon=16 dirty=16 active=0 N0=16 "
	"kernelpagesize_kB=4\n"
	"200000200000 prefer:0 anon=8 dirty=8 mapmax=2 active=0 N0=8 "
	"kernelpagesize_kB=4\n"
	"20000020c000 prefer (many):0 anon=2 dirty=2 active=0 N0=2 "
	"kernelpagesize_kB=4\n"
	"20000020e000 local anon=1 dirty=1 active=0 N0=1 kernelpagesize_kB=4\n"
	"200000300000 bind=static:0\n"
	"200000400000 interleave:0 file=/memfd:F\\040(deleted) mapped=2 "
	"active=0 N0=2 kernelpagesize_kB=4\n";

static int compare_numa_text(const char *f, const char *r, unsigned int flags,
			     struct dc_divergence *div)
{
	struct dc_numa_maps fm, rm;
	int ret;

	assert_int_equal(dc_parse_numa_maps(f, WIN, WIN + (1UL << 40), &fm),
			 0);
	assert_int_equal(dc_parse_numa_maps(r, WIN, WIN + (1UL << 40), &rm),
			 0);
	ret = dc_compare_numa_maps("P", &fm, &rm, flags, div);
	dc_numa_maps_free(&fm);
	dc_numa_maps_free(&rm);
	return ret;
}

/* Each word of a line lands in its field; outside the window is left. */
static void test_parse_numa_maps(void **state)
{
	struct dc_numa_maps m;

	(void)state;
	assert_int_equal(dc_parse_numa_maps(numa_real, WIN, WIN + (1UL << 40),
					    &m), 0);
	assert_int_equal(m.nr, 7);
	assert_int_equal(m.vma[0].start, WIN);
	assert_string_equal(m.vma[0].policy, "default");
	assert_int_equal(m.vma[0].value[DC_NUMA_ANON], 6);
	assert_int_equal(m.vma[0].value[DC_NUMA_DIRTY], 6);
	assert_int_equal(m.vma[0].value[DC_NUMA_ACTIVE], 0);
	assert_int_equal(m.vma[0].node[0], 6);
	assert_int_equal(m.vma[0].value[DC_NUMA_KERNELPAGESIZE], 4);
	assert_string_equal(m.vma[2].policy, "prefer:0");
	assert_int_equal(m.vma[2].value[DC_NUMA_MAPMAX], 2);
	assert_string_equal(m.vma[3].policy, "prefer (many):0");
	assert_int_equal(m.vma[3].node[0], 2);
	assert_string_equal(m.vma[4].policy, "local");
	assert_string_equal(m.vma[5].policy, "bind=static:0");
	assert_int_equal(m.vma[5].value[DC_NUMA_KERNELPAGESIZE], 0);
	assert_int_equal(m.vma[5].value[DC_NUMA_ACTIVE], 0);
	assert_string_equal(m.vma[6].policy, "interleave:0");
	assert_string_equal(m.vma[6].path, "/memfd:F (deleted)");
	assert_int_equal(m.vma[6].value[DC_NUMA_MAPPED], 2);
	dc_numa_maps_free(&m);
	/* Not a numa_maps line. */
	assert_int_equal(dc_parse_numa_maps("200000000000\n", WIN,
					    WIN + PAGE, &m), -EINVAL);
	assert_int_equal(dc_parse_numa_maps("200000000000 default bogus\n",
					    WIN, WIN + PAGE, &m), -EINVAL);
}

/*
 * The same text agrees; each deliberate difference is told: a count on
 * a node, a policy, a missing line, a count, the file; active= only when
 * asked for (the host's LRU aging moves it).
 */
static void test_compare_numa_maps(void **state)
{
	const char *line = "200000000000 default anon=6 dirty=6 active=0 N0=6 "
			   "kernelpagesize_kB=4\n";
	struct dc_divergence d;

	(void)state;
	assert_int_equal(compare_numa_text(numa_real, numa_real, 0, &d), 0);
	assert_int_equal(compare_numa_text(
		"200000000000 default anon=6 dirty=6 active=0 N0=5 N1=1 "
		"kernelpagesize_kB=4\n", line, 0, &d), 1);
	assert_divergence(&d, "task P 0x200000000000 numa_maps N0: "
			  "foliage 5, Linux 6");
	assert_int_equal(compare_numa_text(
		"200000000000 bind:0 anon=6 dirty=6 active=0 N0=6 "
		"kernelpagesize_kB=4\n", line, 0, &d), 1);
	assert_divergence(&d, "task P 0x200000000000 numa_maps policy: "
			  "foliage bind:0, Linux default");
	assert_int_equal(compare_numa_text(
		"200000000000 default anon=6 dirty=5 active=0 N0=6 "
		"kernelpagesize_kB=4\n", line, 0, &d), 1);
	assert_divergence(&d, "task P 0x200000000000 numa_maps dirty: "
			  "foliage 5, Linux 6");
	assert_int_equal(compare_numa_text(
		"200000000000 default anon=6 dirty=6 mapmax=2 active=0 N0=6 "
		"kernelpagesize_kB=4\n", line, 0, &d), 1);
	assert_divergence(&d, "task P 0x200000000000 numa_maps mapmax: "
			  "foliage 2, Linux 0");
	assert_int_equal(compare_numa_text("", line, 0, &d), 1);
	assert_divergence(&d, "task P 0x200000000000 numa_maps line: "
			  "foliage (no line), Linux 200000000000");
	assert_int_equal(compare_numa_text(
		"200000000000 default file=/memfd:G\\040(deleted) "
		"anon=6 dirty=6 active=0 N0=6 kernelpagesize_kB=4\n", line, 0,
		&d), 1);
	assert_divergence(&d, "task P 0x200000000000 numa_maps file: "
			  "foliage /memfd:G (deleted), Linux ");
	/* "/memfd:F (deleted)" and "/F" name the same file. */
	assert_int_equal(compare_numa_text(
		"200000000000 default file=/F mapped=1 N0=1 "
		"kernelpagesize_kB=4\n",
		"200000000000 default file=/memfd:F\\040(deleted) mapped=1 "
		"N0=1 kernelpagesize_kB=4\n", 0, &d), 0);
	/* active=: not compared unless asked. */
	assert_int_equal(compare_numa_text(
		"200000000000 default anon=6 dirty=6 N0=6 "
		"kernelpagesize_kB=4\n", line, 0, &d), 0);
	assert_int_equal(compare_numa_text(
		"200000000000 default anon=6 dirty=6 N0=6 "
		"kernelpagesize_kB=4\n", line, DC_CMP_NUMA_ACTIVE, &d), 1);
	assert_divergence(&d, "task P 0x200000000000 numa_maps active: "
			  "foliage 6, Linux 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_golden_smaps),
		cmocka_unit_test(test_parse_window),
		cmocka_unit_test(test_parse_many_vmas),
		cmocka_unit_test(test_path_key),
		cmocka_unit_test(test_compare_maps),
		cmocka_unit_test(test_compare_files),
		cmocka_unit_test(test_page_from_pagemap),
		cmocka_unit_test(test_compare_pages),
		cmocka_unit_test(test_parse_slabinfo),
		cmocka_unit_test(test_compare_count),
		cmocka_unit_test(test_parse_numa_maps),
		cmocka_unit_test(test_compare_numa_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
