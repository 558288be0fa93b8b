/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machines for the threaded tests (label "threads", run under TSan too):
 * enough CPUs that every thread of a test attaches to its own (a thread
 * keeps the CPU it attached to), and the checks once the threads are gone.
 */
#ifndef _FOLIAGE_TESTS_THREADS_HELPERS_H
#define _FOLIAGE_TESTS_THREADS_HELPERS_H

#include "task_helpers.h"
#include "internal.h"

static inline struct foliage_machine *threads_machine(unsigned int mib)
{
	struct foliage_machine *m = NULL;
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.nr_cpus = 16;
	cfg.bytes_per_node = (uint64_t)mib << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_int_equal(machine_enter(m), 0);
	return m;
}

/* Exit what is left, validate the quiet machine, no bug seen; destroy. */
static inline void threads_machine_done(struct foliage_machine *m)
{
	assert_int_equal(machine_enter(m), 0);
	exit_all_tasks(m);
	assert_int_equal(foliage_validate(m), 0);
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
	foliage_machine_destroy(m);
}

/*
 * In a worker thread (which must not call cmocka): count a failed @cond
 * in @w->errors and keep the first in @w->what, "file:line: cond", for
 * the main thread to report.
 */
#define check(w, cond) do {						\
	if (!(cond) && !(w)->errors++)					\
		snprintf((w)->what, sizeof((w)->what), "%.40s:%d: %.120s",\
			 __FILE_NAME__, __LINE__, #cond);		\
} while (0)

#endif /* _FOLIAGE_TESTS_THREADS_HELPERS_H */
