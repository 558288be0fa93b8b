// SPDX-License-Identifier: GPL-2.0
/*
 * The knob registry (include/linux/sysctl.h, machine_subsys.h): every knob
 * is registered by exactly one subsystem under a unique name, reads back
 * what was written at both ends of its range, refuses values outside it
 * without changing anything, and each subsystem's state exists from
 * foliage_machine_create() to foliage_machine_destroy().
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include <linux/machine_subsys.h>
#include <linux/mm.h>

static const struct machine_subsys *subsys_of(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_machine_subsystems; i++)
		if (!strcmp(machine_subsystems[i]->name, name))
			return machine_subsystems[i];
	return NULL;
}

/* No two knobs share a name, and no knob hides under a sysfs prefix. */
static void test_knob_names_unique(void **state)
{
	unsigned int i, j, k, l, nr = 0;

	for (i = 0; i < nr_machine_subsystems; i++) {
		const struct machine_subsys *s = machine_subsystems[i];

		assert_non_null(s->name);
		assert_true(!s->nr_knobs || s->state || s->state_size);
		assert_true(!s->sysfs_prefix || (s->sysfs_set && s->sysfs_get));
		for (k = 0; k < s->nr_knobs; k++, nr++) {
			const char *name = s->knobs[k].procname;

			assert_true(s->knobs[k].min <= s->knobs[k].max);
			for (j = 0; j < nr_machine_subsystems; j++) {
				const struct machine_subsys *t =
					machine_subsystems[j];

				if (t->sysfs_prefix)
					assert_true(strncmp(name, t->sysfs_prefix,
						strlen(t->sysfs_prefix)));
				for (l = 0; l < t->nr_knobs; l++)
					if (i != j || k != l)
						assert_string_not_equal(name,
							t->knobs[l].procname);
			}
		}
	}
	/*
	 * Every knob foliage has (the registry's 19, debug.validate_every,
	 * debug.fork_batching, hugetlb's 6, vm.zero_aware_alloc,
	 * vm.drop_caches); fail_dma, dcbm and mtcopy have sysfs-style files
	 * instead.
	 */
	assert_int_equal(nr, 29);
}

/*
 * Each knob takes its minimum and maximum and reads them back; one past
 * either end is -ERANGE and leaves the value alone; nonsense is -EINVAL.
 */
static void test_knob_ranges(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	unsigned int i, k;
	char buf[32];
	long v, before;

	for (i = 0; i < nr_machine_subsystems; i++) {
		const struct machine_subsys *s = machine_subsystems[i];

		for (k = 0; k < s->nr_knobs; k++) {
			const struct ctl_table *t = &s->knobs[k];
			bool bl = t->type == CTL_BOOL;

			assert_int_equal(foliage_get(m, t->procname, &before),
					 0);
			if (t->boot_only) {
				snprintf(buf, sizeof(buf), "%ld", before);
				assert_int_equal(foliage_set(m, t->procname, buf),
						 -EBUSY);
				continue;
			}
			assert_int_equal(foliage_set(m, t->procname, "zz"),
					 -EINVAL);
			if (t->min > LONG_MIN) {
				snprintf(buf, sizeof(buf), "%ld", t->min - 1);
				assert_int_equal(foliage_set(m, t->procname, buf),
						 bl ? -EINVAL : -ERANGE);
			}
			snprintf(buf, sizeof(buf), "%ld", t->max + 1);
			assert_int_equal(foliage_set(m, t->procname, buf),
					 bl ? -EINVAL : -ERANGE);
			assert_int_equal(foliage_get(m, t->procname, &v), 0);
			assert_int_equal(v, before);
			/* Knobs that shape the allocator: keep the machine sane. */
			if (!strncmp(t->procname, "vm.", 3) ||
			    !strncmp(t->procname, "hugepages.", 10) ||
			    !strcmp(t->procname, "debug.full"))
				continue;
			snprintf(buf, sizeof(buf), "%ld", t->max);
			assert_int_equal(foliage_set(m, t->procname, buf), 0);
			assert_int_equal(foliage_get(m, t->procname, &v), 0);
			assert_int_equal(v, t->max);
			snprintf(buf, sizeof(buf), "%ld", t->min);
			assert_int_equal(foliage_set(m, t->procname, buf), 0);
			assert_int_equal(foliage_get(m, t->procname, &v), 0);
			assert_int_equal(v, t->min);
			snprintf(buf, sizeof(buf), "%ld", before);
			assert_int_equal(foliage_set(m, t->procname, buf), 0);
		}
	}
	assert_int_equal(foliage_set(m, "vm.no_such_knob", "1"), -ENOENT);
	assert_int_equal(foliage_get(m, "vm.no_such_knob", &v), -ENOENT);
	/* A sysfs directory's files go to their subsystem. */
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "always"), 0);
	assert_int_equal(foliage_get(m, "transparent_hugepage.enabled", &v),
			 0);
	assert_int_equal(v, 0);	/* "[always] madvise never" */
	assert_int_equal(foliage_set(m, "transparent_hugepage.enabled",
				     "sometimes"), -EINVAL);
	test_machine_done(m);
}

/* foliage.h documents every registered knob (and sysfs directory). */
static void test_knobs_documented(void **state)
{
	FILE *f = fopen(GOLDEN_DIR "/../../include/foliage/foliage.h", "r");
	static char text[1 << 17];
	unsigned int i, k;
	char want[80];
	size_t len;

	assert_non_null(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	for (i = 0; i < nr_machine_subsystems; i++) {
		const struct machine_subsys *s = machine_subsystems[i];

		for (k = 0; k < s->nr_knobs; k++) {
			snprintf(want, sizeof(want), " *   %s\t",
				 s->knobs[k].procname);
			if (!strstr(text, want))
				fail_msg("foliage.h does not document %s",
					 s->knobs[k].procname);
		}
		if (s->sysfs_prefix) {
			/* A directory ("x.FILE"), or one word-valued file. */
			size_t n = strlen(s->sysfs_prefix);

			snprintf(want, sizeof(want),
				 s->sysfs_prefix[n - 1] == '.' ? "\"%sFILE\"" :
				 "\"%s\"", s->sysfs_prefix);
			assert_non_null(strstr(text, want));
		}
	}
}

/* The defaults Linux boots with, through the tables. */
static void test_knob_defaults(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);
	static const struct { const char *name; long value; } defaults[] = {
		{ "vm.max_map_count", 65530 },
		{ "vm.watermark_scale_factor", 10 },
		{ "vm.percpu_pagelist_high_fraction", 0 },
		{ "fail_page_alloc.probability", 0 },
		{ "fail_page_alloc.interval", 1 },
		{ "fail_page_alloc.times", 1 },
		{ "fail_page_alloc.min-order", 1 },
		{ "fail_page_alloc.ignore-gfp-wait", 1 },
		{ "fail_page_alloc.ignore-gfp-highmem", 1 },
		{ "failslab.probability", 0 },
		{ "failslab.interval", 1 },
		{ "failslab.times", 1 },
		{ "tracing.on", 0 },
	};
	unsigned int i;
	long v;

	for (i = 0; i < ARRAY_SIZE(defaults); i++) {
		assert_int_equal(foliage_get(m, defaults[i].name, &v), 0);
		if (v != defaults[i].value)
			fail_msg("%s = %ld, want %ld", defaults[i].name, v,
				 defaults[i].value);
	}
	/* A knob's handler does what a write does in Linux. */
	assert_int_equal(foliage_set(m, "vm.percpu_pagelist_high_fraction",
				     "7"), -EINVAL);
	assert_int_equal(foliage_set(m, "vm.percpu_pagelist_high_fraction",
				     "8"), 0);
	assert_int_equal(foliage_get(m, "vm.percpu_pagelist_high_fraction",
				     &v), 0);
	assert_int_equal(v, 8);
	test_machine_done(m);
}

/* Every subsystem's state hangs off the machine from create to destroy. */
static void test_subsys_state(void **state)
{
	struct foliage_machine *m = test_machine(1, 64);

	assert_non_null(subsys_of("thp"));
	assert_non_null(subsys_of("task"));
	assert_non_null(m->fault_inject);
	assert_non_null(m->tlb);
	assert_non_null(m->slab);
	assert_non_null(m->shmem);
	assert_non_null(m->thp);
	assert_non_null(m->tasks);
	/* Exit runs in reverse and copes with state already gone. */
	assert_int_equal(machine_enter(m), 0);
	test_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_knob_names_unique),
		cmocka_unit_test(test_knob_ranges),
		cmocka_unit_test(test_knob_defaults),
		cmocka_unit_test(test_knobs_documented),
		cmocka_unit_test(test_subsys_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
