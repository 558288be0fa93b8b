/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the reverse-map checker's tests (test_rmap_check.c,
 * test_random_ops.c): pt_helpers.h's machines, and the checker run
 * directly for its counts.
 */
#ifndef _FOLIAGE_TESTS_RMAP_CHECK_HELPERS_H
#define _FOLIAGE_TESTS_RMAP_CHECK_HELPERS_H

#include "pt_helpers.h"
#include "rmap_check.h"

/* Run the checker; it must pass and count no bug. */
static inline struct rmap_check_stats rc_check(struct foliage_machine *m)
{
	struct rmap_check_stats st;
	int ret;

	assert_int_equal(machine_enter(m), 0);
	ret = rmap_check_machine(&st);
	if (ret || foliage_bugs(m))
		fail_msg("rmap check %d: %s", ret, foliage_first_bug(m));
	assert_int_equal(st.missed + st.extra + st.bad_visits +
			 st.pvmw_mismatches, 0);
	assert_int_equal(st.rmap_pte_maps, st.pte_maps);
	assert_int_equal(st.rmap_pmd_maps, st.pmd_maps);
	return st;
}

#endif /* _FOLIAGE_TESTS_RMAP_CHECK_HELPERS_H */
