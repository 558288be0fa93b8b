// SPDX-License-Identifier: GPL-2.0
/*
 * Knobs by their Linux names: sysctls (vm.*), fail_page_alloc's debugfs
 * files, and foliage's own (tracing.on, debug.full).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <trace/events.h>

static int parse_long(const char *s, long *v)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	*v = strtol(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int parse_bool(const char *s, long *v)
{
	if (!strcmp(s, "Y") || !strcmp(s, "y"))
		*v = 1;
	else if (!strcmp(s, "N") || !strcmp(s, "n"))
		*v = 0;
	else if (parse_long(s, v) || (*v != 0 && *v != 1))
		return -EINVAL;
	return 0;
}

enum knob_kind { KNOB_INT, KNOB_BOOL };

struct knob {
	const char *name;		/* as the user spells it */
	enum knob_kind kind;		/* how the value parses */
	long min, max;			/* accepted range */
	bool boot_only;			/* a boot parameter: -EBUSY at run time */
};

enum {
	K_INIT_ON_ALLOC, K_INIT_ON_FREE, K_MIN_FREE_KBYTES,
	K_WATERMARK_SCALE_FACTOR, K_PCP_HIGH_FRACTION,
	K_FAIL_PROBABILITY, K_FAIL_INTERVAL, K_FAIL_TIMES, K_FAIL_MIN_ORDER,
	K_FAIL_SEED, K_FAIL_IGNORE_WAIT, K_FAIL_IGNORE_HIGHMEM,
	K_FAILSLAB_PROBABILITY, K_FAILSLAB_INTERVAL, K_FAILSLAB_TIMES,
	K_FAILSLAB_SEED,
	K_MAX_MAP_COUNT,
	K_TRACING_ON, K_DEBUG_FULL, K_DEBUG_VALIDATE_EVERY, NR_KNOBS
};

static const struct knob knobs[NR_KNOBS] = {
	[K_INIT_ON_ALLOC] = { "vm.init_on_alloc", KNOB_BOOL, 0, 1 },
	[K_INIT_ON_FREE] = { "vm.init_on_free", KNOB_BOOL, 0, 1, true },
	[K_MIN_FREE_KBYTES] = { "vm.min_free_kbytes", KNOB_INT, 0, 1L << 30 },
	[K_WATERMARK_SCALE_FACTOR] = { "vm.watermark_scale_factor", KNOB_INT,
				       1, 3000 },
	[K_PCP_HIGH_FRACTION] = { "vm.percpu_pagelist_high_fraction",
				  KNOB_INT, 0, 1L << 30 },
	[K_FAIL_PROBABILITY] = { "fail_page_alloc.probability", KNOB_INT,
				 0, 100 },
	[K_FAIL_INTERVAL] = { "fail_page_alloc.interval", KNOB_INT, 1,
			      1L << 40 },
	[K_FAIL_TIMES] = { "fail_page_alloc.times", KNOB_INT, -1, 1L << 40 },
	[K_FAIL_MIN_ORDER] = { "fail_page_alloc.min-order", KNOB_INT, 0,
			       MAX_PAGE_ORDER + 1 },
	[K_FAIL_SEED] = { "fail_page_alloc.seed", KNOB_INT, 0, 1L << 62 },
	[K_FAIL_IGNORE_WAIT] = { "fail_page_alloc.ignore-gfp-wait", KNOB_BOOL,
				 0, 1 },
	[K_FAIL_IGNORE_HIGHMEM] = { "fail_page_alloc.ignore-gfp-highmem",
				    KNOB_BOOL, 0, 1 },
	[K_FAILSLAB_PROBABILITY] = { "failslab.probability", KNOB_INT,
				     0, 100 },
	[K_FAILSLAB_INTERVAL] = { "failslab.interval", KNOB_INT, 1, 1L << 40 },
	[K_FAILSLAB_TIMES] = { "failslab.times", KNOB_INT, -1, 1L << 40 },
	[K_FAILSLAB_SEED] = { "failslab.seed", KNOB_INT, 0, 1L << 62 },
	[K_MAX_MAP_COUNT] = { "vm.max_map_count", KNOB_INT, 0, 0x7fffffff },
	[K_TRACING_ON] = { "tracing.on", KNOB_BOOL, 0, 1 },
	[K_DEBUG_FULL] = { "debug.full", KNOB_BOOL, 0, 1 },
	[K_DEBUG_VALIDATE_EVERY] = { "debug.validate_every", KNOB_INT, 1,
				     1L << 30 },
};

/* transparent_hugepage/<file> knobs live in mm/huge_memory.c. */
#define THP_KNOB_PREFIX		"transparent_hugepage."
#define THP_KNOB_PREFIX_LEN	(sizeof(THP_KNOB_PREFIX) - 1)
/* arch.<knob> live in arch/ (arch_knob_set/get). */
#define ARCH_KNOB_PREFIX	"arch."
#define ARCH_KNOB_PREFIX_LEN	(sizeof(ARCH_KNOB_PREFIX) - 1)

static int find_knob(const char *key)
{
	int i;

	for (i = 0; i < NR_KNOBS; i++)
		if (!strcmp(knobs[i].name, key))
			return i;
	return -ENOENT;
}

static void refresh_zones(void)
{
	struct foliage_machine *m = this_machine;
	int nid, z;

	setup_per_zone_wmarks();
	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			if (populated_zone(&m->node_data[nid]->node_zones[z]))
				zone_pcp_update(&m->node_data[nid]->node_zones[z]);
}

static int __foliage_set(struct foliage_machine *m, const char *key,
			 const char *value)
{
	struct fault_attr *fa = &m->fail_page_alloc;
	int k, ret = machine_enter(m);
	long v;

	if (ret)
		return ret;
	if (!strncmp(key, THP_KNOB_PREFIX, THP_KNOB_PREFIX_LEN)) {
		ret = thp_sysfs_set(key + THP_KNOB_PREFIX_LEN, value);
		if (!ret)
			machine_exit_op(m);
		return ret;
	}
	if (!strncmp(key, ARCH_KNOB_PREFIX, ARCH_KNOB_PREFIX_LEN))
		return arch_knob_set(key + ARCH_KNOB_PREFIX_LEN, value);
	k = find_knob(key);
	if (k < 0)
		return k;
	ret = knobs[k].kind == KNOB_BOOL ? parse_bool(value, &v) :
					   parse_long(value, &v);
	if (ret)
		return ret;
	if (v < knobs[k].min || v > knobs[k].max)
		return -ERANGE;
	if (knobs[k].boot_only)
		return -EBUSY;

	switch (k) {
	case K_INIT_ON_ALLOC:
		m->sysctl.init_on_alloc = v;
		break;
	case K_MIN_FREE_KBYTES:
		m->sysctl.min_free_kbytes = v;
		refresh_zones();
		break;
	case K_WATERMARK_SCALE_FACTOR:
		m->sysctl.watermark_scale_factor = v;
		refresh_zones();
		break;
	case K_PCP_HIGH_FRACTION:
		if (v && v < 8)	/* Linux's MIN_PERCPU_PAGELIST_HIGH_FRACTION */
			return -EINVAL;
		m->sysctl.percpu_pagelist_high_fraction = v;
		refresh_zones();
		break;
	case K_FAIL_PROBABILITY:
		WRITE_ONCE(fa->probability, v);
		break;
	case K_FAIL_INTERVAL:
		fa->interval = v;
		fa->calls = 0;
		break;
	case K_FAIL_TIMES:
		fa->times = v;
		break;
	case K_FAIL_MIN_ORDER:
		fa->min_order = v;
		break;
	case K_FAIL_SEED:
		fa->seed = v;
		fa->rng = v;
		break;
	case K_FAIL_IGNORE_WAIT:
		fa->ignore_gfp_reclaim = v;
		break;
	case K_FAIL_IGNORE_HIGHMEM:
		fa->ignore_gfp_highmem = v;
		break;
	case K_FAILSLAB_PROBABILITY:
		WRITE_ONCE(m->failslab.probability, v);
		break;
	case K_FAILSLAB_INTERVAL:
		m->failslab.interval = v;
		m->failslab.calls = 0;
		break;
	case K_FAILSLAB_TIMES:
		m->failslab.times = v;
		break;
	case K_FAILSLAB_SEED:
		m->failslab.seed = v;
		m->failslab.rng = v;
		break;
	case K_MAX_MAP_COUNT:
		m->sysctl_max_map_count = v;
		m->max_map_count_set = true;
		break;
	case K_TRACING_ON:
		WRITE_ONCE(m->tracing_on, v);
		break;
	case K_DEBUG_FULL:
		m->debug_full = v;
		break;
	case K_DEBUG_VALIDATE_EVERY:
		WRITE_ONCE(m->validate_every, v);
		break;
	}
	machine_exit_op(m);
	return 0;
}

/* Every return but a successful set's leaves the machine here. */
int foliage_set(struct foliage_machine *m, const char *key, const char *value)
{
	int ret = __foliage_set(m, key, value);

	machine_leave(m);
	return ret;
}

static int __foliage_get(struct foliage_machine *m, const char *key,
			 long *value)
{
	struct fault_attr *fa = &m->fail_page_alloc;
	int k, ret = machine_enter(m);

	if (ret)
		return ret;
	if (!strncmp(key, THP_KNOB_PREFIX, THP_KNOB_PREFIX_LEN))
		return thp_sysfs_get(key + THP_KNOB_PREFIX_LEN, value);
	if (!strncmp(key, ARCH_KNOB_PREFIX, ARCH_KNOB_PREFIX_LEN))
		return arch_knob_get(key + ARCH_KNOB_PREFIX_LEN, value);
	k = find_knob(key);
	if (k < 0)
		return k;
	switch (k) {
	case K_INIT_ON_ALLOC: *value = m->sysctl.init_on_alloc; break;
	case K_INIT_ON_FREE: *value = m->sysctl.init_on_free; break;
	case K_MIN_FREE_KBYTES: *value = m->sysctl.min_free_kbytes; break;
	case K_WATERMARK_SCALE_FACTOR:
		*value = m->sysctl.watermark_scale_factor;
		break;
	case K_PCP_HIGH_FRACTION:
		*value = m->sysctl.percpu_pagelist_high_fraction;
		break;
	case K_FAIL_PROBABILITY: *value = fa->probability; break;
	case K_FAIL_INTERVAL: *value = fa->interval; break;
	case K_FAIL_TIMES: *value = fa->times; break;
	case K_FAIL_MIN_ORDER: *value = fa->min_order; break;
	case K_FAIL_SEED: *value = fa->seed; break;
	case K_FAIL_IGNORE_WAIT: *value = fa->ignore_gfp_reclaim; break;
	case K_FAIL_IGNORE_HIGHMEM: *value = fa->ignore_gfp_highmem; break;
	case K_FAILSLAB_PROBABILITY: *value = m->failslab.probability; break;
	case K_FAILSLAB_INTERVAL: *value = m->failslab.interval; break;
	case K_FAILSLAB_TIMES: *value = m->failslab.times; break;
	case K_FAILSLAB_SEED: *value = m->failslab.seed; break;
	case K_MAX_MAP_COUNT:
		*value = m->max_map_count_set ? m->sysctl_max_map_count :
						 DEFAULT_MAX_MAP_COUNT;
		break;
	case K_TRACING_ON: *value = m->tracing_on; break;
	case K_DEBUG_FULL: *value = m->debug_full; break;
	case K_DEBUG_VALIDATE_EVERY: *value = m->validate_every; break;
	}
	return 0;
}

int foliage_get(struct foliage_machine *m, const char *key, long *value)
{
	int ret = __foliage_get(m, key, value);

	machine_leave(m);
	return ret;
}
