// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench fault: populating anonymous memory, beside the host kernel
 * doing the same in a real process on this machine.
 *
 *   fault_4k       foliage_madvise(MADV_POPULATE_WRITE) of 256 MiB of a
 *		    fresh anonymous private mapping of a task, MADV_NOHUGEPAGE:
 *		    65536 write faults, each a zeroed 4 KiB folio
 *   host_fault_4k  the same on the host kernel, in a helper process
 *		    (bench_host.c): mmap, MADV_NOHUGEPAGE, madvise(
 *		    MADV_POPULATE_WRITE) timed, munmap
 *   fault_thp      as fault_4k with MADV_HUGEPAGE (transparent_hugepage/
 *		    enabled=madvise on both): 128 PMD-mapped 2 MiB folios
 *   host_fault_thp the same on the host kernel
 *
 * Only the MADV_POPULATE_WRITE call is timed, on both sides: mmap, madvise
 * and munmap are not.  The guest has one node of 1 GiB and 2 CPUs (an SMP
 * machine, as the host is), created with prefault=1: every page of guest
 * RAM is populated in the host at creation, so what is timed is foliage's
 * fault path and its zeroing, not the host faulting in guest RAM.  The
 * mapping is PMD-aligned on both sides (foliage's and Linux's
 * thp_get_unmapped_area() for a 2 MiB-multiple length; the helper aligns
 * its own).
 *
 * THP on the host can fail (fragmented memory, another process's
 * khugepaged): the thp_fault_alloc and thp_fault_fallback deltas of the
 * host's /proc/vmstat around its populate are rows of the report, beside
 * foliage's thp_fault_alloc, so a host run that fell back is visible.  The
 * host's counters are system-wide: another process faulting THPs at the
 * same moment would be counted too.
 */
#include <errno.h>
#include <string.h>

#include <foliage/foliage.h>

#include "bench.h"

#define FAULT_RAM_BYTES		(1UL << 30)
#define FAULT_NR_CPUS		2
#define FAULT_BYTES		(256UL << 20)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

struct fault_bench {
	struct bench_report *r;		/* the report (r->round) */
	struct foliage_machine *m;	/* the guest */
	struct foliage_task *task;	/* whose mappings are populated */
	struct host_proc host;		/* the host kernel's side */
	double thp_alloc[BENCH_MAX_RUNS]; /* foliage thp_fault_alloc, per round */
	double thp_fallback[BENCH_MAX_RUNS]; /* foliage thp_fault_fallback */
	double host_thp_alloc[BENCH_MAX_RUNS]; /* the host's, per round */
	double host_thp_fallback[BENCH_MAX_RUNS]; /* the host's, per round */
};

static int thp_counters(struct foliage_machine *m, unsigned long *alloc,
			unsigned long *fallback)
{
	return foliage_vmstat(m, "thp_fault_alloc", alloc) ?:
	       foliage_vmstat(m, "thp_fault_fallback", fallback);
}

/* One populate of FAULT_BYTES in foliage: milliseconds in *@value. */
static int foliage_populate(struct fault_bench *fb, bool thp, double *value)
{
	unsigned long addr, alloc0, fallback0, alloc1, fallback1;
	uint64_t t0, t1;
	int ret, err;

	ret = foliage_mmap(fb->task, 0, FAULT_BYTES,
			   FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
			   FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS, NULL, 0,
			   &addr);
	if (ret)
		return ret;
	ret = foliage_madvise(fb->task, addr, FAULT_BYTES,
			      thp ? FOLIAGE_MADV_HUGEPAGE :
				    FOLIAGE_MADV_NOHUGEPAGE) ?:
	      thp_counters(fb->m, &alloc0, &fallback0);
	if (ret)
		goto out_unmap;
	t0 = bench_thread_cpu_ns();
	ret = foliage_madvise(fb->task, addr, FAULT_BYTES,
			      FOLIAGE_MADV_POPULATE_WRITE);
	t1 = bench_thread_cpu_ns();
	if (ret)
		goto out_unmap;
	ret = thp_counters(fb->m, &alloc1, &fallback1);
	if (ret)
		goto out_unmap;
	*value = (t1 - t0) / 1e6;
	if (thp && fb->r->round >= 0) {
		fb->thp_alloc[fb->r->round] = alloc1 - alloc0;
		fb->thp_fallback[fb->r->round] = fallback1 - fallback0;
	}
out_unmap:
	err = foliage_munmap(fb->task, addr, FAULT_BYTES);
	return ret ?: err;
}

/* The same on the host kernel. */
static int host_populate(struct fault_bench *fb, bool thp, double *value)
{
	struct host_req req = {
		.op = HOST_POPULATE, .thp = thp, .bytes = FAULT_BYTES,
	};
	struct host_result res;
	int ret = host_proc_call(&fb->host, &req, &res);

	if (ret)
		return ret;
	*value = res.ns / 1e6;
	if (thp && fb->r->round >= 0) {
		fb->host_thp_alloc[fb->r->round] = res.thp_fault_alloc;
		fb->host_thp_fallback[fb->r->round] = res.thp_fault_fallback;
	}
	return 0;
}

static int run_fault_4k(void *arg, double *value)
{
	return foliage_populate(arg, false, value);
}

static int run_host_fault_4k(void *arg, double *value)
{
	return host_populate(arg, false, value);
}

static int run_fault_thp(void *arg, double *value)
{
	return foliage_populate(arg, true, value);
}

static int run_host_fault_thp(void *arg, double *value)
{
	return host_populate(arg, true, value);
}

/* The host's transparent_hugepage/enabled: the word in brackets. */
static const char *host_thp_enabled(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	char line[128], *open, *close;

	snprintf(buf, len, "?");
	if (!f)
		return buf;
	if (fgets(line, sizeof(line), f) && (open = strchr(line, '[')) &&
	    (close = strchr(open, ']'))) {
		*close = '\0';
		snprintf(buf, len, "%s", open + 1);
	}
	fclose(f);
	return buf;
}

static int fault_bench_setup(struct fault_bench *fb, struct bench_report *r)
{
	struct foliage_config cfg;
	char thp[16];
	int ret;

	fb->r = r;
	/* The helper first: a fork of this process before the guest exists. */
	ret = host_proc_start(&fb->host);
	if (ret)
		return ret;
	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = FAULT_RAM_BYTES;
	cfg.nr_cpus = FAULT_NR_CPUS;
	cfg.prefault = true;
	snprintf(r->config, sizeof(r->config),
		 "%lu MiB; guest 1 node x %lu MiB, %d CPUs, prefault=1, THP "
		 "enabled=madvise; host THP enabled=%s; thread CPU time; %s "
		 "build", FAULT_BYTES >> 20, FAULT_RAM_BYTES >> 20,
		 FAULT_NR_CPUS, host_thp_enabled(thp, sizeof(thp)),
		 foliage_debug_vm() ? "CONFIG_DEBUG_VM" : "release");
	ret = foliage_machine_create(&cfg, &fb->m);
	if (ret)
		return ret;
	return foliage_set(fb->m, "transparent_hugepage.enabled", "madvise") ?:
	       foliage_task_create(fb->m, "bench-fault", &fb->task);
}

static void fault_bench_teardown(struct fault_bench *fb)
{
	host_proc_stop(&fb->host);
	/* The machine's destruction exits the task. */
	if (fb->m)
		foliage_machine_destroy(fb->m);
}

int bench_fault(struct bench_report *r)
{
	struct fault_bench fb_s = { 0 }, *fb = &fb_s;
	const struct bench_case cases[] = {
		{ "fault_4k", "populate 256 MiB, 4K pages", "ms",
		  run_fault_4k, fb },
		{ "host_fault_4k", "host kernel: populate 256 MiB, 4K pages",
		  "ms", run_host_fault_4k, fb },
		{ "fault_thp", "populate 256 MiB, THP", "ms",
		  run_fault_thp, fb },
		{ "host_fault_thp", "host kernel: populate 256 MiB, THP", "ms",
		  run_host_fault_thp, fb },
	};
	/* Rows derived from the times, and counters read beside them. */
	static const struct {
		const char *key, *name, *from;	/* GB/s row, from ms row */
	} throughputs[] = {
		{ "fault_4k_gbps", "populate, 4K pages", "fault_4k" },
		{ "host_fault_4k_gbps", "host kernel: populate, 4K pages",
		  "host_fault_4k" },
		{ "fault_thp_gbps", "populate, THP", "fault_thp" },
		{ "host_fault_thp_gbps", "host kernel: populate, THP",
		  "host_fault_thp" },
	};
	const struct {
		const char *key, *name;		/* the row */
		const double *samples;		/* one per round */
	} counters[] = {
		{ "thp_fault_alloc", "THP populate: thp_fault_alloc",
		  fb->thp_alloc },
		{ "thp_fault_fallback", "THP populate: thp_fault_fallback",
		  fb->thp_fallback },
		{ "host_thp_fault_alloc", "host kernel: thp_fault_alloc",
		  fb->host_thp_alloc },
		{ "host_thp_fault_fallback", "host kernel: thp_fault_fallback",
		  fb->host_thp_fallback },
	};
	unsigned int i;
	int ret;

	ret = fault_bench_setup(fb, r);
	if (ret)
		goto out;
	ret = bench_run_cases(r, cases, ARRAY_SIZE(cases));
	if (ret < 0)
		goto out;
	for (i = 0; i < ARRAY_SIZE(throughputs) && ret >= 0; i++)
		ret = bench_add_gbps_row(r, throughputs[i].key,
					 throughputs[i].name,
					 throughputs[i].from, FAULT_BYTES);
	for (i = 0; i < ARRAY_SIZE(counters) && ret >= 0; i++)
		ret = bench_add_row(r, counters[i].key, counters[i].name,
				    "count", counters[i].samples);
	if (ret < 0)
		goto out;
	ret = bench_compare(r, "4K populate throughput / host kernel's",
			    "fault_4k_gbps", "host_fault_4k_gbps",
			    BENCH_AT_LEAST, 1.0) ?:
	      bench_compare(r, "THP populate throughput / host kernel's",
			    "fault_thp_gbps", "host_fault_thp_gbps",
			    BENCH_NO_TARGET, 0);
out:
	fault_bench_teardown(fb);
	return ret < 0 ? ret : 0;
}
