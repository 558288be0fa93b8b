/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture the rmap walk and migration tests share: one node of
 * 128 MiB, its tasks exited at teardown, fixed mappings at BASE.
 */
#ifndef _FOLIAGE_TESTS_RMAP_FIXTURE_H
#define _FOLIAGE_TESTS_RMAP_FIXTURE_H

#include "rmap_helpers.h"

#define BASE		0x20000000UL
#define RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define PRIV_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_FIXED)
#define ANON_FIXED	(PRIV_FIXED | FOLIAGE_MAP_ANONYMOUS)
#define SHARED_FIXED	(FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED)

static struct foliage_machine *m;

static int __attribute__((unused)) setup(void **state)
{
	m = pt_machine(1, 128);
	return 0;
}

static int __attribute__((unused)) teardown(void **state)
{
	exit_all_tasks(m);
	pt_machine_done(m);
	return 0;
}

static void map_anon(struct foliage_task *t, unsigned long addr,
		     unsigned long len)
{
	map(t, addr, len, RW, ANON_FIXED, NULL, 0);
}

#endif /* _FOLIAGE_TESTS_RMAP_FIXTURE_H */
