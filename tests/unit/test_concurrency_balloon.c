// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon under load: a VMM thread moves the balloon's target up and
 * down (and the host between discarding and inhibiting), lets time pass
 * (page reporting's passes run on CPU 0's kworker, reporting through the
 * balloon) and flushes reporting itself, while two user threads on their
 * own CPUs allocate, fill and free pages, and the balloon's worker, CPU
 * 0's interrupts and the host's device thread run meanwhile.  Every page ends where it belongs: after the last target of
 * 0 the free page count is what it was, the validators hold, and the
 * host saw every inflated page deflated.  Clean under TSan.
 *
 *   CPU 0: interrupts, vballoon      host: the device thread
 *   CPU 1: VMM (targets)             CPU 2, 3: allocate / fill / free
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include <host/balloon.h>
#include <linux/machine.h>

#define ROUNDS		6
#define USER_ROUNDS	30
#define USER_PAGES	64

struct worker {
	pthread_t thread;		/* the thread */
	struct foliage_machine *m;	/* the machine */
	int cpu;			/* the CPU it attaches to */
	unsigned int seed;		/* its choices */
	int ret;			/* first failure, or 0 */
};

static void *vmm(void *arg)
{
	static const char *const modes[] = { "discard", "inhibit" };
	static const uint32_t targets[] = { 1500, 300, 2500, 0 };
	struct worker *w = arg;
	int i, ret;

	ret = foliage_cpu_attach(w->m, w->cpu);
	w->ret = ret == w->cpu ? 0 : -EBUSY;
	for (i = 0; !w->ret && i < ROUNDS; i++) {
		ret = foliage_host_set_discard(w->m, modes[i % 2]);
		w->ret = w->ret ?: ret;
		ret = foliage_balloon_set_target(w->m, targets[i % 4]);
		w->ret = w->ret ?: (ret == -ENOMEM ? 0 : ret);
		if (i & 1)
			ret = foliage_advance_time(w->m, 2100000000ULL);
		else
			ret = foliage_set(w->m, "page_reporting.flush", "64");
		w->ret = w->ret ?: ret;
	}
	ret = foliage_host_set_discard(w->m, "discard");
	w->ret = w->ret ?: ret;
	ret = foliage_balloon_set_target(w->m, 0);
	w->ret = w->ret ?: ret;
	ret = foliage_cpu_detach(w->m);
	w->ret = w->ret ?: ret;
	return NULL;
}

static void *user(void *arg)
{
	struct worker *w = arg;
	unsigned long pfns[USER_PAGES];
	unsigned int orders[USER_PAGES];
	int i, j, ret;

	ret = foliage_cpu_attach(w->m, w->cpu);
	w->ret = ret == w->cpu ? 0 : -EBUSY;
	for (i = 0; !w->ret && i < USER_ROUNDS; i++) {
		int n = 0;

		for (j = 0; j < USER_PAGES; j++) {
			unsigned int order = rand_r(&w->seed) % 3;

			if (foliage_alloc_pages(w->m,
					FOLIAGE_GFP_HIGHUSER_MOVABLE |
					FOLIAGE_GFP_ZERO, order, -1,
					&pfns[n]))
				continue;	/* the balloon has it all */
			orders[n] = order;
			memset(foliage_pfn_to_virt(w->m, pfns[n]), 0x77,
			       FOLIAGE_PAGE_SIZE << order);
			n++;
		}
		while (n--) {
			ret = foliage_free_pages(w->m, pfns[n], orders[n], 0);
			w->ret = w->ret ?: ret;
		}
	}
	ret = foliage_cpu_detach(w->m);
	w->ret = w->ret ?: ret;
	return NULL;
}

static void test_balloon_under_load(void **state)
{
	struct worker w[3] = {
		{ .cpu = 1 }, { .cpu = 2, .seed = 1 }, { .cpu = 3, .seed = 2 },
	};
	struct foliage_machine *m;
	struct foliage_config cfg;
	unsigned long free_before;
	char *text = NULL;
	unsigned int i;

	(void)state;
	foliage_config_init(&cfg);
	cfg.nr_cpus = 4;
	cfg.bytes_per_node = 256UL << 20;	/* big enough to report */
	m = test_machine_cfg(&cfg);
	/* must_tell_host, deflate_on_oom, reporting, bits 6 and 7 */
	assert_int_equal(foliage_balloon_add(m, 0xe5, 64, 0), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	free_before = vmstat(m, "nr_free_pages");
	for (i = 0; i < 3; i++) {
		w[i].m = m;
		assert_int_equal(pthread_create(&w[i].thread, NULL,
						i ? user : vmm, &w[i]), 0);
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		assert_int_equal(w[i].ret, 0);
	}
	assert_int_equal(foliage_validate(m), 0);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), free_before);
	assert_int_equal(vmstat(m, "nr_balloon_pages"), 0);
	assert_int_equal(vmstat(m, "balloon_inflate"),
			 vmstat(m, "balloon_deflate"));
	assert_int_equal(foliage_balloon_render(m, "host", 0, &text), 0);
	assert_non_null(strstr(text, "discard: discard\n"));
	free(text);
	assert_int_equal(foliage_balloon_render(m, "balloon", 0, &text), 0);
	assert_null(strstr(text, "reported_pages: 0\n"));
	free(text);
	assert_int_equal(foliage_bugs(m), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_balloon_under_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
