// SPDX-License-Identifier: GPL-2.0
/*
 * test_random_ops.c's randomized sequences (fork chains, splits, merges,
 * mremap moves, MAP_PRIVATE file COW, partial munmaps, exits in any
 * order, mTHP and THP) on CONFIG_NO_PAGE_MAPCOUNT machines, with the same
 * shadow oracle, validators and reverse-map checker (which then finds
 * every page of a large folio at mapcount 0 and checks the folio's counts
 * and mm slots) after every step.
 */
#define RANDOM_OPS_NO_PAGE_MAPCOUNT	true
#define NR_SEEDS		2
#define FIRST_SEED		3
#include "test_random_ops.c"
