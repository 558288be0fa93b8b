// SPDX-License-Identifier: GPL-2.0
/*
 * test_random_ops.c's randomized sequences (fork chains, splits, merges,
 * mremap moves, MAP_PRIVATE file COW, partial munmaps, exits in any
 * order, mTHP and THP) on ANON_VMA_LAZY machines, with the same shadow
 * oracle, validators and reverse-map checker after every step: the proof
 * that the lazy scheme keeps every folio findable (issue 13 §3).
 */
#define RANDOM_OPS_ANON_VMA	FOLIAGE_ANON_VMA_LAZY
#define NR_SEEDS		1
#define FIRST_SEED		4	/* it makes PMD maps */
#include "test_random_ops.c"
