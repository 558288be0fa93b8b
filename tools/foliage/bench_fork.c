// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench fork: fork() of a task with populated anonymous memory, and
 * the child writing every page (COW), beside the host kernel doing the
 * same in a real process on this machine.
 *
 *   fork_256m       foliage_fork() of a task whose only mapping is 256 MiB
 *		     of anonymous private memory, populated with 4 KiB pages
 *		     (MADV_NOHUGEPAGE): copy_page_range() copies 65536 PTEs,
 *		     write-protecting each in the parent
 *   host_fork_256m  fork() of a helper process (bench_host.c) with the same
 *		     memory populated, timed in the parent until it returns;
 *		     the child exits at once
 *   cow_256m        the child writes one byte to every page through
 *		     foliage_access() (one call per page, as a user of the
 *		     library writes): a COW fault and a 4 KiB copy each
 *   host_cow_256m   the host kernel's child does the same with a store to
 *		     every page, timed in the child
 *   fork_1g ...     the same four with 1 GiB (262144 pages)
 *   pgtables_1g     the 1 GiB child's page tables: mm->pgtables_bytes
 *		     (what /proc/PID/status shows as VmPTE)
 *   pagetables_1g   the growth of meminfo's PageTables over that fork
 *   host_pte_1g     VmPTE of the host kernel's 1 GiB child, read by the
 *		     child from /proc/self/status
 *   fork_ARCH_SIZE_batch|pte, munmap_ARCH_SIZE ...
 *		     1 GiB in folios of 4K..2M on x86 and arm64 machines,
 *		     batched and per PTE (bench_fork_mthp.c)
 *
 * Before each fork, the parent writes its memory again (MADV_POPULATE_WRITE,
 * untimed, on both sides): after the previous fork and its child's exit,
 * every PTE is read-only and no page is AnonExclusive; the write fault
 * reuses each page and makes its PTE writable again, so that every timed
 * fork does what a first fork does.  Times are the thread CPU time of the
 * process doing the timed step (bench_thread_cpu_ns()), so that the
 * other jobs of a busy machine preempting it do not count.
 *
 * The guest has one node of 3 GiB (both parents, a COW child of 1 GiB and
 * the page tables), 2 CPUs, prefault=1.  The host helpers are forked
 * before the guest exists, one per size, so each one's fork copies its
 * region and the few hundred KiB of private memory of this program's start,
 * not a guest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <foliage/foliage.h>

#include "bench.h"

#define FORK_RAM_BYTES		(3UL << 30)
#define FORK_NR_CPUS		2

/* One size: a foliage task and a host helper with that much memory. */
struct fork_size {
	struct bench_report *r;		/* the report (r->round) */
	unsigned long bytes;		/* populated memory */
	struct foliage_task *task;	/* the foliage parent */
	unsigned long addr;		/* its mapping */
	struct host_proc host;		/* the host kernel's parent */
	double pgtables_kb[BENCH_MAX_RUNS]; /* child's pgtables_bytes / 1024 */
	double pagetables_kb[BENCH_MAX_RUNS]; /* PageTables growth, kB */
	double host_pte_kb[BENCH_MAX_RUNS]; /* host child's VmPTE, kB */
};

struct fork_bench {
	struct foliage_machine *m;	/* the guest */
	struct fork_size sizes[2];	/* 256 MiB and 1 GiB */
};

/* meminfo's "PageTables:" in kB. */
static int meminfo_pagetables(struct foliage_machine *m, unsigned long *kb)
{
	char *text, *line;
	int ret = foliage_render(m, "meminfo", 0, &text);

	if (ret)
		return ret;
	line = strstr(text, "\nPageTables:");
	ret = line ? 0 : -ENOENT;
	if (line)
		*kb = strtoul(line + strlen("\nPageTables:"), NULL, 10);
	free(text);
	return ret;
}

/* Every page of the parent writable and exclusive again (untimed). */
static int redirty_parent(struct fork_size *fs)
{
	return foliage_madvise(fs->task, fs->addr, fs->bytes,
			       FOLIAGE_MADV_POPULATE_WRITE);
}

static int run_fork(void *arg, double *value)
{
	struct fork_size *fs = arg;
	struct foliage_machine *m = foliage_task_machine(fs->task);
	struct foliage_mm_counters mc;
	unsigned long pt0, pt1;
	struct foliage_task *child;
	uint64_t t0, t1;
	int ret;

	ret = redirty_parent(fs) ?: meminfo_pagetables(m, &pt0);
	if (ret)
		return ret;
	t0 = bench_thread_cpu_ns();
	ret = foliage_fork(fs->task, "bench-child", &child);
	t1 = bench_thread_cpu_ns();
	if (ret)
		return ret;
	ret = meminfo_pagetables(m, &pt1) ?:
	      foliage_task_mm_counters(child, &mc);
	if (!ret && fs->r->round >= 0) {
		fs->pgtables_kb[fs->r->round] = mc.pgtables_bytes / 1024.0;
		fs->pagetables_kb[fs->r->round] = (double)pt1 - pt0;
	}
	*value = (t1 - t0) / 1e6;
	return foliage_exit(child) ?: ret;
}

static int run_cow(void *arg, double *value)
{
	struct fork_size *fs = arg;
	struct foliage_task *child;
	unsigned long off;
	uint64_t t0, t1;
	int ret;

	ret = redirty_parent(fs) ?:
	      foliage_fork(fs->task, "bench-child", &child);
	if (ret)
		return ret;
	t0 = bench_thread_cpu_ns();
	for (off = 0; off < fs->bytes && !ret; off += FOLIAGE_PAGE_SIZE) {
		char byte = (char)(off >> 12) + 1;

		ret = foliage_access(child, fs->addr + off, &byte, 1, true,
				     NULL);
	}
	t1 = bench_thread_cpu_ns();
	*value = (t1 - t0) / 1e6;
	return foliage_exit(child) ?: ret;
}

static int host_fork(struct fork_size *fs, int op, double *value)
{
	struct host_req req = { .op = op, .bytes = fs->bytes };
	struct host_result res;
	int ret = host_proc_call(&fs->host, &req, &res);

	if (ret)
		return ret;
	*value = res.ns / 1e6;
	if (op == HOST_FORK && fs->r->round >= 0)
		fs->host_pte_kb[fs->r->round] = res.vm_pte_kb;
	return 0;
}

static int run_host_fork(void *arg, double *value)
{
	return host_fork(arg, HOST_FORK, value);
}

static int run_host_cow(void *arg, double *value)
{
	return host_fork(arg, HOST_FORK_COW, value);
}

/* The foliage parent of @fs: one mapping, populated with 4 KiB pages. */
static int fork_size_task(struct foliage_machine *m, struct fork_size *fs)
{
	return foliage_task_create(m, "bench-parent", &fs->task) ?:
	       foliage_mmap(fs->task, 0, fs->bytes,
			    FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
			    FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS, NULL,
			    0, &fs->addr) ?:
	       foliage_madvise(fs->task, fs->addr, fs->bytes,
			       FOLIAGE_MADV_NOHUGEPAGE) ?:
	       foliage_madvise(fs->task, fs->addr, fs->bytes,
			       FOLIAGE_MADV_POPULATE_WRITE);
}

static int fork_bench_setup(struct fork_bench *fb, struct bench_report *r)
{
	static const unsigned long bytes[] = { 256UL << 20, 1UL << 30 };
	struct foliage_config cfg;
	unsigned int i;
	int ret;

	/* The helpers first: forks of this process before the guest exists. */
	for (i = 0; i < 2; i++) {
		struct fork_size *fs = &fb->sizes[i];
		struct host_req req = { .op = HOST_MAP, .bytes = bytes[i] };
		struct host_result res;

		fs->r = r;
		fs->bytes = bytes[i];
		ret = host_proc_start(&fs->host) ?:
		      host_proc_call(&fs->host, &req, &res);
		if (ret)
			return ret;
	}
	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = FORK_RAM_BYTES;
	cfg.nr_cpus = FORK_NR_CPUS;
	cfg.prefault = true;
	snprintf(r->config, sizeof(r->config),
		 "4K pages (MADV_NOHUGEPAGE); guest 1 node x %lu MiB, %d CPUs, "
		 "prefault=1; thread CPU time; %s build", FORK_RAM_BYTES >> 20,
		 FORK_NR_CPUS,
		 foliage_debug_vm() ? "CONFIG_DEBUG_VM" : "release");
	ret = foliage_machine_create(&cfg, &fb->m);
	for (i = 0; i < 2 && !ret; i++)
		ret = fork_size_task(fb->m, &fb->sizes[i]);
	return ret;
}

static void fork_bench_teardown(struct fork_bench *fb)
{
	unsigned int i;

	/* The machine's destruction exits the tasks. */
	for (i = 0; i < 2; i++)
		host_proc_stop(&fb->sizes[i].host);
	if (fb->m)
		foliage_machine_destroy(fb->m);
}

int bench_fork(struct bench_report *r)
{
	struct fork_bench fb_s = { 0 }, *fb = &fb_s;
	struct fork_size *s256 = &fb->sizes[0], *s1g = &fb->sizes[1];
	const struct bench_case cases[] = {
		{ "fork_256m", "fork, 256 MiB of 4K pages", "ms",
		  run_fork, s256 },
		{ "host_fork_256m", "host kernel: fork, 256 MiB", "ms",
		  run_host_fork, s256 },
		{ "fork_1g", "fork, 1 GiB of 4K pages", "ms", run_fork, s1g },
		{ "host_fork_1g", "host kernel: fork, 1 GiB", "ms",
		  run_host_fork, s1g },
		{ "cow_256m", "child writes every page (COW), 256 MiB", "ms",
		  run_cow, s256 },
		{ "host_cow_256m", "host kernel: child writes every page, 256 MiB",
		  "ms", run_host_cow, s256 },
		{ "cow_1g", "child writes every page (COW), 1 GiB", "ms",
		  run_cow, s1g },
		{ "host_cow_1g", "host kernel: child writes every page, 1 GiB",
		  "ms", run_host_cow, s1g },
	};
	int ret;

	ret = fork_bench_setup(fb, r);
	if (ret)
		goto out;
	ret = bench_run_cases(r, cases, sizeof(cases) / sizeof(cases[0]));
	if (ret >= 0)
		ret = bench_add_row(r, "pgtables_1g",
				    "1 GiB child: mm->pgtables_bytes", "KiB",
				    s1g->pgtables_kb);
	if (ret >= 0)
		ret = bench_add_row(r, "pagetables_1g",
				    "1 GiB fork: meminfo PageTables growth",
				    "KiB", s1g->pagetables_kb);
	if (ret >= 0)
		ret = bench_add_row(r, "host_pte_1g",
				    "host kernel: 1 GiB child's VmPTE", "KiB",
				    s1g->host_pte_kb);
	if (ret < 0)
		goto out;
	ret = bench_compare(r, "fork 1 GiB / host kernel's", "fork_1g",
			    "host_fork_1g", BENCH_AT_MOST, 1.0) ?:
	      bench_compare(r, "fork 256 MiB / host kernel's", "fork_256m",
			    "host_fork_256m", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "COW 1 GiB / host kernel's", "cow_1g",
			    "host_cow_1g", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "COW 256 MiB / host kernel's", "cow_256m",
			    "host_cow_256m", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "page tables of 1 GiB / host kernel's",
			    "pgtables_1g", "host_pte_1g", BENCH_NO_TARGET, 0);
out:
	fork_bench_teardown(fb);
	if (ret >= 0)
		ret = bench_fork_mthp(r);
	return ret < 0 ? ret : 0;
}
