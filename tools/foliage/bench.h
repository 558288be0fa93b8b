/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark harness of 'foliage bench'.
 *
 * A benchmark times a few cases (one function each, returning one run's
 * value in the case's unit).  The harness runs every case once to warm up,
 * then runs them round-robin r->runs times, so that the noise of a shared
 * machine falls on all of them alike, and keeps median, min and max.  A
 * row is then compared with its limits: other rows of the same report,
 * measured in the same process and run (memset bandwidth, glibc malloc).
 * A ratio is the median over runs of row sample / limit sample, the two
 * timed in the same round (so that a slow phase of the host slows both
 * alike); it has a target and the report says PASS or MISS beside it.
 * Output is a text table or JSON (json-c).
 *
 * Glossary:
 *   bench     an entry of the table in bench.c: 'foliage bench NAME'
 *   case      one timed function of a bench; it becomes one row
 *   run       one call of a case's function; gives one sample
 *   round     one run of every case of a bench, in table order
 *   limit     the row a row is compared with (the physical or the
 *	       well-known baseline), measured in the same process and run
 *   ratio     median over runs of row / limit, with a target, PASS/MISS
 */
#ifndef _FOLIAGE_BENCH_H
#define _FOLIAGE_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct json_object;

#define BENCH_MAX_ROWS		128
#define BENCH_MAX_RUNS		1000
#define BENCH_DEFAULT_RUNS	11

/* How a ratio meets its target. */
enum bench_goal {
	BENCH_NO_TARGET,		/* informative only */
	BENCH_AT_MOST,			/* ratio <= target (costs) */
	BENCH_AT_LEAST,			/* ratio >= target (throughputs) */
};

struct bench_stat {
	double median;			/* of the samples */
	double min;			/* smallest sample */
	double max;			/* largest sample */
	unsigned int nr_samples;	/* runs that gave a sample */
};

/* One measured quantity. */
struct bench_row {
	const char *key;		/* stable identifier, for JSON */
	const char *name;		/* what was measured, for people */
	const char *unit;		/* "ns/pair", "GB/s" */
	double *samples;		/* one per run, in run order */
	struct bench_stat stat;		/* over the samples */
};

/* A row against its limit: their per-run ratio's median, and a target. */
struct bench_ratio {
	const char *name;		/* e.g. "pcp pair / malloc pair" */
	int row;			/* rows[] index of the numerator */
	int limit;			/* rows[] index of the denominator */
	double value;			/* median over runs of row / limit */
	double target;			/* what value should meet */
	enum bench_goal goal;		/* how it should meet it */
};

/* What one benchmark measured. */
struct bench_report {
	const char *bench;		/* its name */
	char config[160];		/* the setup, one line */
	unsigned int runs;		/* runs per case */
	struct bench_row rows[BENCH_MAX_ROWS]; /* in the order measured */
	int nr_rows;			/* used entries of rows[] */
	struct bench_ratio ratios[BENCH_MAX_ROWS]; /* comparisons */
	int nr_ratios;			/* used entries of ratios[] */
	int round;			/* round being run, -1 in the warm-up */
};

/*
 * One case: @fn does one run and stores its value (in @unit) in *@value;
 * it returns 0 or a negative errno, which stops the benchmark.
 */
struct bench_case {
	const char *key;		/* row key */
	const char *name;		/* row name */
	const char *unit;		/* row unit */
	int (*fn)(void *arg, double *value); /* one run */
	void *arg;			/* its argument */
};

struct bench {
	const char *name;		/* 'foliage bench NAME' */
	const char *summary;		/* one line for 'bench --help' */
	/* Fill @r, running each case r->runs times; 0 or -errno. */
	int (*run)(struct bench_report *r);
};

/* bench_alloc.c */
int bench_alloc(struct bench_report *r);
/* bench_rmap.c */
int bench_rmap(struct bench_report *r);
/* bench_fault.c */
int bench_fault(struct bench_report *r);
/* bench_fork.c */
int bench_fork(struct bench_report *r);
/* bench_pictures.c */
int bench_pictures(struct bench_report *r);
/* bench_gmem.c: guest_memfd conversions */
int bench_gmem(struct bench_report *r);
/* bench_migrate.c: move_pages of 1 GiB, batched, mtcopy, dcbm */
int bench_migrate(struct bench_report *r);
/* bench_zero.c */
int bench_zero(struct bench_report *r);
/* bench_fork_mthp.c: fork and munmap of mTHP sizes, batched vs per PTE */
int bench_fork_mthp(struct bench_report *r);
/* bench_hugetlb.c */
int bench_hugetlb(struct bench_report *r);

/* bench_host.c: the host kernel doing the same work in a real process */
enum host_op {
	HOST_POPULATE,			/* time MADV_POPULATE_WRITE of a new region */
	HOST_MAP,			/* map and populate the helper's region */
	HOST_FORK,			/* time fork() of the helper */
	HOST_FORK_COW,			/* fork; the child times a write per page */
	HOST_HUGETLB,			/* time mmap(MAP_HUGETLB) + populate */
	HOST_QUIT,			/* exit */
};

struct host_req {
	int op;				/* enum host_op */
	bool thp;			/* HOST_POPULATE: MADV_HUGEPAGE or NOHUGEPAGE */
	uint64_t bytes;			/* size of the region */
};

struct host_result {
	int err;			/* 0 or -errno, from the helper */
	uint64_t ns;			/* the timed step */
	uint64_t thp_fault_alloc;	/* /proc/vmstat delta around it */
	uint64_t thp_fault_fallback;	/* /proc/vmstat delta around it */
	uint64_t vm_pte_kb;		/* the forked child's VmPTE */
};

/* A helper process: start it before the guest exists (it forks the CLI). */
struct host_proc {
	int pid;			/* the helper process, -1 if none */
	int req_fd;			/* requests to it */
	int reply_fd;			/* its replies */
};

int host_proc_start(struct host_proc *hp);
/* One request and its reply; returns 0 or the -errno of either side. */
int host_proc_call(struct host_proc *hp, const struct host_req *req,
		   struct host_result *res);
void host_proc_stop(struct host_proc *hp);

/* bench.c: the harness */

/* CLOCK_MONOTONIC, in nanoseconds. */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * CPU time of the calling thread (user and system), in nanoseconds: what a
 * synchronous operation cost, without the time the thread waited for a CPU
 * (used where a run is long enough for a busy machine to preempt it).
 */
static inline uint64_t bench_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Nanoseconds per operation, or bytes per nanosecond (= GB/s). */
double bench_ns_per_op(uint64_t ns, unsigned long nr_ops);
double bench_gb_per_s(uint64_t ns, uint64_t bytes);
/*
 * Warm up, then run @nr cases round-robin r->runs times, appending one row
 * each.  Returns the index of the first new row, or a negative errno.
 */
int bench_run_cases(struct bench_report *r, const struct bench_case *cases,
		    int nr);
/*
 * Append a row whose r->runs samples a benchmark recorded itself, one per
 * round (a counter read beside a timed case, a quantity derived from
 * another row).  A case records its round's value at samples[r->round];
 * r->round is -1 during the warm-up.  Returns the row's index or -errno.
 */
int bench_add_row(struct bench_report *r, const char *key, const char *name,
		  const char *unit, const double *samples);
/*
 * Append a GB/s row derived from the row keyed @ms_key, whose samples are
 * milliseconds per @bytes.  Returns the row's index or -errno.
 */
int bench_add_gbps_row(struct bench_report *r, const char *key,
		       const char *name, const char *ms_key, uint64_t bytes);
/* Index of the row with @key, -1 if none. */
int bench_find_row(const struct bench_report *r, const char *key);
/*
 * Add the ratio of the rows keyed @row and @limit (the median of their
 * per-run ratios), with a target.  -ENOENT if a key is unknown, -ENOSPC if ratios[] is full.
 */
int bench_compare(struct bench_report *r, const char *name, const char *row,
		  const char *limit, enum bench_goal goal, double target);
/* Whether @ratio meets its target (true when it has none). */
bool bench_ratio_pass(const struct bench_ratio *ratio);
void bench_report_print(const struct bench_report *r, FILE *f);
struct json_object *bench_report_json(const struct bench_report *r);
void bench_report_release(struct bench_report *r);

#endif /* _FOLIAGE_BENCH_H */
