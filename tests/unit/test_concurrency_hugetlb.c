// SPDX-License-Identifier: GPL-2.0
/*
 * HugeTLB pool resizes from several threads at once: writes to the 2 MiB
 * pool through its two knobs, on two CPUs, while a third thread reads
 * meminfo and the sysfs files.  Resizes are serialised (resize_lock), so
 * the pool ends at one writer's last value, whole, with counters that
 * agree with the lists (the validator) and every page accounted for.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include <linux/hugetlb.h>
#include <linux/machine.h>

#define ROUNDS	12

struct resizer {
	pthread_t thread;		/* the thread */
	struct foliage_machine *m;	/* the machine */
	const char *knob;		/* what it writes */
	const char *values[2];		/* alternately, ending with [1] */
	int cpu;			/* the CPU it attaches to */
	int ret;			/* first failure, or 0 */
};

static void *resize(void *arg)
{
	struct resizer *r = arg;
	int i, ret;

	ret = foliage_cpu_attach(r->m, r->cpu);
	r->ret = ret == r->cpu ? 0 : -EBUSY;
	for (i = 0; !r->ret && i < 2 * ROUNDS; i++) {
		ret = foliage_set(r->m, r->knob, r->values[i & 1]);
		r->ret = r->ret ?: ret;
	}
	ret = foliage_cpu_detach(r->m);
	r->ret = r->ret ?: ret;
	return NULL;
}

static void *reader(void *arg)
{
	struct resizer *r = arg;
	char *text;
	int i, ret;

	ret = foliage_cpu_attach(r->m, r->cpu);
	r->ret = ret == r->cpu ? 0 : -EBUSY;
	for (i = 0; !r->ret && i < 2 * ROUNDS; i++) {
		text = NULL;
		ret = foliage_render(r->m, i & 1 ? "hugepages" : "meminfo", 0,
				     &text);
		r->ret = r->ret ?: ret;
		if (text && !strstr(text, "nr_hugepages: ") &&
		    !strstr(text, "HugePages_Total: "))
			r->ret = -EINVAL;
		free(text);
	}
	ret = foliage_cpu_detach(r->m);
	r->ret = r->ret ?: ret;
	return NULL;
}

static void test_concurrent_resizes(void **state)
{
	struct foliage_machine *m;
	struct foliage_config cfg;
	struct resizer r[3] = {
		{ .knob = "vm.nr_hugepages", .values = { "9", "4" },
		  .cpu = 1 },
		{ .knob = "hugepages.hugepages-2048kB/nr_hugepages",
		  .values = { "1", "6" }, .cpu = 2 },
		{ .cpu = 3 },
	};
	const struct hstate *h;
	unsigned int i;
	long v;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.nr_cpus = 4;	/* CPU 0 is the test thread's */
	cfg.bytes_per_node = 64UL << 20;
	m = test_machine_cfg(&cfg);
	h = &m->hugetlb->hstates[HSTATE_2M];
	for (i = 0; i < 3; i++) {
		r[i].m = m;
		assert_int_equal(pthread_create(&r[i].thread, NULL,
						i < 2 ? resize : reader,
						&r[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(r[i].thread, NULL), 0);
		assert_int_equal(r[i].ret, 0);
	}
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_get(m, "vm.nr_hugepages", &v), 0);
	assert_true(v == 4 || v == 6);
	assert_int_equal(h->nr_huge_pages, v);
	assert_int_equal(h->free_huge_pages, v);
	assert_int_equal(h->surplus_huge_pages, 0);
	assert_int_equal(vmstat(m, "nr_hugetlb"), v * 512);
	assert_int_equal(vmstat(m, "htlb_buddy_alloc_fail"), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_resizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
