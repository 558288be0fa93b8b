// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench hugetlb: populating 256 MiB of 2 MiB hugetlb pages, beside
 * the host kernel doing the same in a helper process and beside memset
 * bandwidth measured in the same run (issue 10).
 *
 *   hugetlb_persistent       mmap(MAP_PRIVATE|MAP_HUGETLB) of 256 MiB with
 *			      a persistent pool of 128 pages (reserved at
 *			      mmap), then MADV_POPULATE_WRITE: 128 faults,
 *			      each zeroing its 2 MiB (folio_zero_user())
 *   hugetlb_surplus	      the same with no pool and
 *			      nr_overcommit_hugepages=128: the mmap
 *			      allocates 128 surplus pages from buddy with
 *			      __GFP_ZERO (HPG_zeroed), the faults skip the
 *			      memset; munmap gives them back to buddy
 *   host_hugetlb_persistent  the same two on the host kernel, whose knobs
 *   host_hugetlb_surplus     the benchmark sets for the run (as root; put
 *			      back at the end, at exit and on signals)
 *   memset		      memset() of 256 MiB of the CLI's heap
 *
 * mmap and populate are timed together (the surplus pages are allocated
 * at mmap), with the thread CPU time of whoever does them; munmap and the
 * knob writes are not.  The guest has one node of 1 GiB and 2 CPUs,
 * prefault=1, as bench fault's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <foliage/foliage.h>

#include "bench.h"
#include "diff.h"

#define HUGETLB_RAM_BYTES	(1UL << 30)
#define HUGETLB_NR_CPUS		2
#define HUGETLB_BYTES		(256UL << 20)
#define HUGETLB_PAGES		"128"
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

struct hugetlb_bench {
	struct foliage_machine *m;	/* the guest */
	struct foliage_task *task;	/* whose mappings are populated */
	struct host_proc host;		/* the host kernel's side */
	char *heap;			/* memset's buffer */
};

/* Both knobs of the default hstate, in foliage (@host: the host's too). */
static int set_pool(struct hugetlb_bench *hb, bool host, const char *nr,
		    const char *overcommit)
{
	char why[256];
	int ret;

	if (host)
		return diff_hugetlb_set("vm.nr_hugepages", nr, why,
					sizeof(why)) ?:
		       diff_hugetlb_set("vm.nr_overcommit_hugepages",
					overcommit, why, sizeof(why));
	ret = foliage_set(hb->m, "vm.nr_hugepages", nr);
	return ret ?: foliage_set(hb->m, "vm.nr_overcommit_hugepages",
				  overcommit);
}

static int foliage_populate(struct hugetlb_bench *hb, bool surplus,
			    double *value)
{
	unsigned long addr;
	uint64_t t0, t1;
	int ret;

	ret = set_pool(hb, false, surplus ? "0" : HUGETLB_PAGES,
		       surplus ? HUGETLB_PAGES : "0");
	if (ret)
		return ret;
	t0 = bench_thread_cpu_ns();
	ret = foliage_mmap(hb->task, 0, HUGETLB_BYTES,
			   FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
			   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS |
			   FOLIAGE_MAP_HUGETLB, NULL, 0, &addr);
	if (ret)
		return ret;
	ret = foliage_madvise(hb->task, addr, HUGETLB_BYTES,
			      FOLIAGE_MADV_POPULATE_WRITE);
	t1 = bench_thread_cpu_ns();
	*value = (t1 - t0) / 1e6;
	return foliage_munmap(hb->task, addr, HUGETLB_BYTES) ?: ret;
}

static int host_populate(struct hugetlb_bench *hb, bool surplus,
			 double *value)
{
	struct host_req req = { .op = HOST_HUGETLB, .bytes = HUGETLB_BYTES };
	struct host_result res;
	int ret;

	ret = set_pool(hb, true, surplus ? "0" : HUGETLB_PAGES,
		       surplus ? HUGETLB_PAGES : "0");
	if (ret)
		return ret;
	ret = host_proc_call(&hb->host, &req, &res);
	if (ret)
		return ret;
	*value = res.ns / 1e6;
	return 0;
}

static int run_persistent(void *arg, double *value)
{
	return foliage_populate(arg, false, value);
}

static int run_surplus(void *arg, double *value)
{
	return foliage_populate(arg, true, value);
}

static int run_host_persistent(void *arg, double *value)
{
	return host_populate(arg, false, value);
}

static int run_host_surplus(void *arg, double *value)
{
	return host_populate(arg, true, value);
}

static int run_memset(void *arg, double *value)
{
	struct hugetlb_bench *hb = arg;
	uint64_t t0, t1;

	t0 = bench_thread_cpu_ns();
	memset(hb->heap, (int)(t0 & 0x7f) | 1, HUGETLB_BYTES);
	t1 = bench_thread_cpu_ns();
	*value = (t1 - t0) / 1e6;
	return 0;
}

static int hugetlb_bench_setup(struct hugetlb_bench *hb,
			       struct bench_report *r)
{
	struct foliage_config cfg;
	char why[256];
	int ret;

	/* The host's knobs first: without root there is no host side. */
	ret = diff_hugetlb_set("vm.nr_overcommit_hugepages", "0", why,
			       sizeof(why));
	if (ret) {
		fprintf(stderr, "foliage bench hugetlb: %s\n", why);
		return ret < 0 ? ret : -EINVAL;
	}
	/* The helper before the guest: a fork of a small process. */
	ret = host_proc_start(&hb->host);
	if (ret)
		return ret;
	hb->heap = malloc(HUGETLB_BYTES);
	if (!hb->heap)
		return -ENOMEM;
	memset(hb->heap, 1, HUGETLB_BYTES);
	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = HUGETLB_RAM_BYTES;
	cfg.nr_cpus = HUGETLB_NR_CPUS;
	cfg.prefault = true;
	snprintf(r->config, sizeof(r->config),
		 "%lu MiB of 2 MiB pages; guest 1 node x %lu MiB, %d CPUs, "
		 "prefault=1; mmap+populate timed; thread CPU time; %s build",
		 HUGETLB_BYTES >> 20, HUGETLB_RAM_BYTES >> 20,
		 HUGETLB_NR_CPUS,
		 foliage_debug_vm() ? "CONFIG_DEBUG_VM" : "release");
	ret = foliage_machine_create(&cfg, &hb->m);
	if (ret)
		return ret;
	return foliage_task_create(hb->m, "bench-hugetlb", &hb->task);
}

static void hugetlb_bench_teardown(struct hugetlb_bench *hb)
{
	host_proc_stop(&hb->host);
	if (hb->m)
		foliage_machine_destroy(hb->m);
	free(hb->heap);
	diff_hugetlb_restore();
}

int bench_hugetlb(struct bench_report *r)
{
	struct hugetlb_bench hb_s = { .host = { .pid = -1 } }, *hb = &hb_s;
	const struct bench_case cases[] = {
		{ "hugetlb_persistent", "mmap+populate 256 MiB, pool pages",
		  "ms", run_persistent, hb },
		{ "host_hugetlb_persistent",
		  "host kernel: mmap+populate 256 MiB, pool pages", "ms",
		  run_host_persistent, hb },
		{ "hugetlb_surplus", "mmap+populate 256 MiB, surplus pages",
		  "ms", run_surplus, hb },
		{ "host_hugetlb_surplus",
		  "host kernel: mmap+populate 256 MiB, surplus pages", "ms",
		  run_host_surplus, hb },
		{ "memset", "memset 256 MiB of heap", "ms", run_memset, hb },
	};
	static const struct {
		const char *key, *name, *from;	/* GB/s row, from ms row */
	} throughputs[] = {
		{ "persistent_gbps", "populate, pool pages",
		  "hugetlb_persistent" },
		{ "host_persistent_gbps", "host kernel: populate, pool pages",
		  "host_hugetlb_persistent" },
		{ "surplus_gbps", "populate, surplus pages", "hugetlb_surplus" },
		{ "host_surplus_gbps", "host kernel: populate, surplus pages",
		  "host_hugetlb_surplus" },
		{ "memset_gbps", "memset", "memset" },
	};
	unsigned int i;
	int ret;

	ret = hugetlb_bench_setup(hb, r);
	if (ret)
		goto out;
	ret = bench_run_cases(r, cases, ARRAY_SIZE(cases));
	for (i = 0; i < ARRAY_SIZE(throughputs) && ret >= 0; i++)
		ret = bench_add_gbps_row(r, throughputs[i].key,
					 throughputs[i].name,
					 throughputs[i].from, HUGETLB_BYTES);
	if (ret < 0)
		goto out;
	ret = bench_compare(r, "pool populate / host kernel's",
			    "persistent_gbps", "host_persistent_gbps",
			    BENCH_AT_LEAST, 1.0) ?:
	      bench_compare(r, "surplus populate / host kernel's",
			    "surplus_gbps", "host_surplus_gbps",
			    BENCH_AT_LEAST, 1.0) ?:
	      bench_compare(r, "pool populate / memset", "persistent_gbps",
			    "memset_gbps", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "surplus populate / memset", "surplus_gbps",
			    "memset_gbps", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "host pool populate / memset",
			    "host_persistent_gbps", "memset_gbps",
			    BENCH_NO_TARGET, 0);
out:
	hugetlb_bench_teardown(hb);
	return ret < 0 ? ret : 0;
}
