/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the cmocka unit tests.
 */
#ifndef _FOLIAGE_TESTS_HELPERS_H
#define _FOLIAGE_TESTS_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <foliage/foliage.h>

/* A machine of @nr_nodes x @mib MiB with 2 CPUs; fails the test on error. */
struct foliage_machine *test_machine(unsigned int nr_nodes, unsigned int mib);
/* Destroy @m after asserting that no invariant was ever broken. */
void test_machine_done(struct foliage_machine *m);
/* Read a file from tests/golden into a malloc()ed string. */
char *read_golden(const char *name);
/* /proc/vmstat counter @name of @m. */
unsigned long vmstat(struct foliage_machine *m, const char *name);

#endif /* _FOLIAGE_TESTS_HELPERS_H */
