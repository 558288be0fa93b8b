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


/*
 * Helpers for the allocator tests, which reach foliage's internals.  They
 * take kernel types by pointer only, so this header stays free of them.
 */
struct zone;
struct foliage_config;

/* A machine from a full config; fails the test on error. */
struct foliage_machine *test_machine_cfg(const struct foliage_config *cfg);
/* Node @nid's zone @zone_idx (0 Normal, 1 Movable) of @m. */
struct zone *test_zone(struct foliage_machine *m, int nid, int zone_idx);
/*
 * Free blocks per order of @zone, all migratetypes (one line of
 * /proc/buddyinfo), read from the free lists themselves.
 */
void zone_buddyinfo(struct zone *zone, unsigned long nr[FOLIAGE_MAX_ORDER + 1]);
/* Assert zone's buddyinfo equals @expect (FOLIAGE_MAX_ORDER + 1 entries). */
void assert_buddyinfo(struct zone *zone, const unsigned long *expect);
/* Blocks on zone->free_area[@order].free_list[@mt]. */
unsigned long free_list_len(struct zone *zone, unsigned int order, int mt);
/*
 * NR_FREE_PAGES of every zone equals the pages on its (non-isolated) free
 * lists, and nr_free of every order equals its lists' length.
 */
void assert_free_accounting(struct foliage_machine *m);
/* Sum of pcp->count over the CPUs of @zone, in base pages. */
unsigned long zone_pcp_pages(struct zone *zone);
/* NR_FREE_PAGES of @zone. */
unsigned long zone_free_pages(struct zone *zone);
/* Resident set size of this process, in bytes (/proc/self/statm). */
unsigned long long process_rss_bytes(void);
/* Whether [p, p + bytes) is all @byte. */
bool mem_is(const void *p, int byte, size_t bytes);
/* Assert foliage_validate() passes and no bug was recorded. */
void assert_machine_ok(struct foliage_machine *m);

#endif /* _FOLIAGE_TESTS_HELPERS_H */
