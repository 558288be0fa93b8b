// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench NAME|all [--json] [--runs N]: the benchmark table and the
 * harness every benchmark uses (see bench.h and docs/bench.md).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <foliage/foliage.h>

#include "report.h"
#include "bench.h"
#include "cli.h"

/* Later benchmarks (rmap, migrate) are added here. */
static const struct bench benches[] = {
	{ "alloc", "order-0 alloc+free vs malloc, __GFP_ZERO vs memset",
	  bench_alloc },
	{ "fault", "MADV_POPULATE_WRITE of 256 MiB, 4K and THP, vs the host kernel",
	  bench_fault },
	{ "fork", "fork of 256 MiB and 1 GiB of 4K pages, and COW, vs the host kernel; 1 GiB of 4K..2M folios batched vs per PTE, x86 and arm64",
	  bench_fork },
	{ "pictures", "the physical memory map of a 64 GiB guest, SVG and text",
	  bench_pictures },
	{ "gmem", "guest_memfd conversions of 1 GiB, sparse and bulk, vs memset",
	  bench_gmem },
	{ "rmap", "classic anon_vma and ANON_VMA_LAZY: rmap_walk, objects, fork, mremap", bench_rmap },
	{ "migrate", "move_pages of 1 GiB between nodes: unbatched, batched, mtcopy, dcbm",
	  bench_migrate },
	{ "zero", "host-zeroed pages: reporting flush, then populate THP and aged 4K",
	  bench_zero },
	{ "hugetlb", "MAP_HUGETLB populate of 256 MiB, persistent and surplus, vs the host kernel and memset",
	  bench_hugetlb },
};

#define NR_BENCHES	(sizeof(benches) / sizeof(benches[0]))

/* ---- the harness ----------------------------------------------------- */

double bench_ns_per_op(uint64_t ns, unsigned long nr_ops)
{
	return nr_ops ? (double)ns / nr_ops : NAN;
}

double bench_gb_per_s(uint64_t ns, uint64_t bytes)
{
	/* bytes per nanosecond are 10^9 bytes per second */
	return ns ? (double)bytes / ns : NAN;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_stat_compute(struct bench_stat *st, const double *samples,
			       unsigned int nr)
{
	double sorted[BENCH_MAX_RUNS];

	st->nr_samples = nr;
	if (!nr) {
		st->median = st->min = st->max = NAN;
		return;
	}
	memcpy(sorted, samples, nr * sizeof(*samples));
	qsort(sorted, nr, sizeof(*sorted), cmp_double);
	st->min = sorted[0];
	st->max = sorted[nr - 1];
	st->median = nr & 1 ? sorted[nr / 2] :
			      (sorted[nr / 2 - 1] + sorted[nr / 2]) / 2;
}

int bench_run_cases(struct bench_report *r, const struct bench_case *cases,
		    int nr)
{
	int first = r->nr_rows, i, ret;
	unsigned int run;
	double v;

	if (nr <= 0 || first + nr > BENCH_MAX_ROWS || !r->runs ||
	    r->runs > BENCH_MAX_RUNS)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		struct bench_row *row = &r->rows[first + i];

		memset(row, 0, sizeof(*row));
		row->key = cases[i].key;
		row->name = cases[i].name;
		row->unit = cases[i].unit;
		row->samples = calloc(r->runs, sizeof(double));
		if (!row->samples) {
			r->nr_rows = first + i;
			return -ENOMEM;
		}
	}
	r->nr_rows = first + nr;

	/* One unrecorded pass: caches, pcp lists and host pages get warm. */
	r->round = -1;
	for (i = 0; i < nr; i++) {
		ret = cases[i].fn(cases[i].arg, &v);
		if (ret)
			return ret;
	}
	for (run = 0; run < r->runs; run++) {
		r->round = run;
		for (i = 0; i < nr; i++) {
			ret = cases[i].fn(cases[i].arg, &v);
			if (ret)
				return ret;
			r->rows[first + i].samples[run] = v;
		}
	}
	for (i = 0; i < nr; i++)
		bench_stat_compute(&r->rows[first + i].stat,
				   r->rows[first + i].samples, r->runs);
	return first;
}

int bench_add_row(struct bench_report *r, const char *key, const char *name,
		  const char *unit, const double *samples)
{
	struct bench_row *row;

	if (!r->runs || r->runs > BENCH_MAX_RUNS)
		return -EINVAL;
	if (r->nr_rows >= BENCH_MAX_ROWS)
		return -ENOSPC;
	row = &r->rows[r->nr_rows];
	memset(row, 0, sizeof(*row));
	row->key = key;
	row->name = name;
	row->unit = unit;
	row->samples = calloc(r->runs, sizeof(double));
	if (!row->samples)
		return -ENOMEM;
	memcpy(row->samples, samples, r->runs * sizeof(double));
	bench_stat_compute(&row->stat, row->samples, r->runs);
	return r->nr_rows++;
}

int bench_add_gbps_row(struct bench_report *r, const char *key,
		       const char *name, const char *ms_key, uint64_t bytes)
{
	int i = bench_find_row(r, ms_key);
	double gbps[BENCH_MAX_RUNS];
	unsigned int k;

	if (i < 0)
		return -ENOENT;
	for (k = 0; k < r->runs; k++)
		gbps[k] = bytes / (r->rows[i].samples[k] * 1e6);
	return bench_add_row(r, key, name, "GB/s", gbps);
}

int bench_find_row(const struct bench_report *r, const char *key)
{
	int i;

	for (i = 0; i < r->nr_rows; i++)
		if (!strcmp(r->rows[i].key, key))
			return i;
	return -1;
}

int bench_compare(struct bench_report *r, const char *name, const char *row,
		  const char *limit, enum bench_goal goal, double target)
{
	int i = bench_find_row(r, row), l = bench_find_row(r, limit);
	double ratios[BENCH_MAX_RUNS];
	struct bench_ratio *ratio;
	struct bench_stat st;
	unsigned int k;

	if (i < 0 || l < 0)
		return -ENOENT;
	if (r->nr_ratios >= BENCH_MAX_ROWS)
		return -ENOSPC;
	/* Round k timed both rows a moment apart: compare them pairwise. */
	for (k = 0; k < r->runs; k++)
		ratios[k] = r->rows[i].samples[k] / r->rows[l].samples[k];
	bench_stat_compute(&st, ratios, r->runs);

	ratio = &r->ratios[r->nr_ratios++];
	ratio->name = name;
	ratio->row = i;
	ratio->limit = l;
	ratio->value = st.median;
	ratio->goal = goal;
	ratio->target = target;
	return 0;
}

bool bench_ratio_pass(const struct bench_ratio *ratio)
{
	switch (ratio->goal) {
	case BENCH_AT_MOST:
		return ratio->value <= ratio->target;
	case BENCH_AT_LEAST:
		return ratio->value >= ratio->target;
	default:
		return true;
	}
}

static const char *bench_goal_str(enum bench_goal goal)
{
	switch (goal) {
	case BENCH_AT_MOST:
		return "<=";
	case BENCH_AT_LEAST:
		return ">=";
	default:
		return "";
	}
}

void bench_report_print(const struct bench_report *r, FILE *f)
{
	int i;

	fprintf(f, "bench %s: %s; median of %u runs\n\n", r->bench, r->config,
		r->runs);
	fprintf(f, "  %-46s %10s %10s %10s  %s\n", "measurement", "median",
		"min", "max", "unit");
	for (i = 0; i < r->nr_rows; i++) {
		const struct bench_row *row = &r->rows[i];

		fprintf(f, "  %-46s %10.2f %10.2f %10.2f  %s\n", row->name,
			row->stat.median, row->stat.min, row->stat.max,
			row->unit);
	}
	if (!r->nr_ratios)
		return;
	fprintf(f, "\n  %-46s %10s %10s  %s\n", "ratio (median of per-run ratios)", "value",
		"target", "result");
	for (i = 0; i < r->nr_ratios; i++) {
		const struct bench_ratio *ratio = &r->ratios[i];
		char target[32] = "-";

		if (ratio->goal != BENCH_NO_TARGET)
			snprintf(target, sizeof(target), "%s %.2f",
				 bench_goal_str(ratio->goal), ratio->target);
		fprintf(f, "  %-46s %10.2f %10s  %s\n", ratio->name,
			ratio->value, target,
			ratio->goal == BENCH_NO_TARGET ? "-" :
			bench_ratio_pass(ratio) ? "PASS" : "MISS");
	}
}

/* A number with three decimals, as the text table shows it. */
static struct json_object *json_number(double v)
{
	char buf[64];

	if (!isfinite(v))
		return NULL;		/* JSON null */
	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *bench_row_json(const struct bench_row *row)
{
	struct json_object *o = json_object_new_object();
	struct json_object *samples = json_object_new_array();
	unsigned int i;

	json_object_object_add(o, "key", json_object_new_string(row->key));
	json_object_object_add(o, "name", json_object_new_string(row->name));
	json_object_object_add(o, "unit", json_object_new_string(row->unit));
	json_object_object_add(o, "median", json_number(row->stat.median));
	json_object_object_add(o, "min", json_number(row->stat.min));
	json_object_object_add(o, "max", json_number(row->stat.max));
	for (i = 0; i < row->stat.nr_samples; i++)
		json_object_array_add(samples, json_number(row->samples[i]));
	json_object_object_add(o, "samples", samples);
	return o;
}

static struct json_object *bench_ratio_json(const struct bench_report *r,
					    const struct bench_ratio *ratio)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(ratio->name));
	json_object_object_add(o, "row",
			       json_object_new_string(r->rows[ratio->row].key));
	json_object_object_add(o, "limit",
			       json_object_new_string(r->rows[ratio->limit].key));
	json_object_object_add(o, "value", json_number(ratio->value));
	if (ratio->goal != BENCH_NO_TARGET) {
		json_object_object_add(o, "goal", json_object_new_string(
					       bench_goal_str(ratio->goal)));
		json_object_object_add(o, "target", json_number(ratio->target));
		json_object_object_add(o, "pass", json_object_new_boolean(
					       bench_ratio_pass(ratio)));
	}
	return o;
}

struct json_object *bench_report_json(const struct bench_report *r)
{
	struct json_object *o = json_object_new_object();
	struct json_object *rows = json_object_new_array();
	struct json_object *ratios = json_object_new_array();
	int i;

	json_object_object_add(o, "bench", json_object_new_string(r->bench));
	json_object_object_add(o, "config", json_object_new_string(r->config));
	json_object_object_add(o, "runs", json_object_new_int(r->runs));
	json_object_object_add(o, "debug_vm",
			       json_object_new_boolean(foliage_debug_vm()));
	for (i = 0; i < r->nr_rows; i++)
		json_object_array_add(rows, bench_row_json(&r->rows[i]));
	json_object_object_add(o, "rows", rows);
	for (i = 0; i < r->nr_ratios; i++)
		json_object_array_add(ratios, bench_ratio_json(r, &r->ratios[i]));
	json_object_object_add(o, "ratios", ratios);
	return o;
}

void bench_report_release(struct bench_report *r)
{
	int i;

	for (i = 0; i < r->nr_rows; i++) {
		free(r->rows[i].samples);
		r->rows[i].samples = NULL;
	}
	r->nr_rows = 0;
	r->nr_ratios = 0;
}

/* ---- foliage bench --------------------------------------------------- */

static void bench_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: foliage bench NAME|all [--json] [--runs N] "
		   "[--svg FILE] [--report DIR]\n\n"
		   "Run a benchmark; each case is run N times (default %d),\n"
		   "round-robin with the others, and its median, min and max are\n"
		   "shown beside the limit measured in the same run.  Build with\n"
		   "CMAKE_BUILD_TYPE=Release (make bench) for numbers that mean\n"
		   "something.  --svg FILE draws the table as bar charts (each\n"
		   "row beside its limit, min-max whiskers, the seeds' published\n"
		   "numbers as marks); --report DIR writes DIR/index.html with\n"
		   "every benchmark run's charts.\n\nbenchmarks:\n",
		   BENCH_DEFAULT_RUNS);
	for (i = 0; i < NR_BENCHES; i++)
		fprintf(f, "  %-10s %s\n", benches[i].name, benches[i].summary);
	fprintf(f, "  %-10s every benchmark above, in turn\n", "all");
}

/*
 * Run @b; print it (text) or add it to @json_out; draw it into @svg; hand
 * it to the caller in *@keep (for --report), else release it.
 */
static int bench_one(const struct bench *b, unsigned int runs,
		     struct json_object *json_out, const char *svg,
		     struct bench_report **keep)
{
	struct bench_report *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	r->bench = b->name;
	r->runs = runs;
	ret = b->run(r);
	if (ret) {
		fprintf(stderr, "foliage bench %s: %s\n", b->name,
			strerror(-ret));
		goto out;
	}
	if (json_out)
		json_object_array_add(json_out, bench_report_json(r));
	else
		bench_report_print(r, stdout);
	if (svg)
		ret = bench_write_svg(r, svg);
	if (!ret && keep) {
		*keep = r;
		return 0;
	}
out:
	bench_report_release(r);
	free(r);
	return ret;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "runs", required_argument, NULL, 'r' },
		{ "svg", required_argument, NULL, 's' },
		{ "report", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *json = NULL, *benchmarks = NULL;
	unsigned long runs = BENCH_DEFAULT_RUNS;
	unsigned long long runs_arg;
	struct bench_report *kept[NR_BENCHES] = { NULL };
	const char *name, *svg = NULL, *report = NULL;
	bool as_json = false, found = false;
	int nr_kept = 0;
	size_t i;
	int c, ret = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'r':
			if (cli_parse_number("bench", "--runs", optarg, 1,
					     BENCH_MAX_RUNS, &runs_arg))
				return 2;
			runs = runs_arg;
			break;
		case 's':
			svg = optarg;
			break;
		case 'R':
			report = optarg;
			break;
		case 'h':
			bench_usage(stdout);
			return 0;
		default:
			bench_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		bench_usage(stderr);
		return 2;
	}
	name = argv[optind];
	if (svg && !strcmp(name, "all")) {
		fprintf(stderr, "foliage bench: --svg draws one benchmark; "
			"for all, --report DIR\n");
		return 2;
	}
	if (foliage_debug_vm())
		fprintf(stderr, "foliage bench: warning: a CONFIG_DEBUG_VM build "
			"checks every page it allocates and frees: its numbers "
			"are not a release build's\n");

	if (as_json) {
		json = json_object_new_object();
		benchmarks = json_object_new_array();
		json_object_object_add(json, "benchmarks", benchmarks);
	}
	for (i = 0; i < NR_BENCHES && !ret; i++) {
		if (strcmp(name, "all") && strcmp(name, benches[i].name))
			continue;
		if (found && !as_json)
			fputc('\n', stdout);
		found = true;
		ret = bench_one(&benches[i], runs, benchmarks, svg,
				report ? &kept[nr_kept] : NULL);
		if (!ret && report)
			nr_kept++;
	}
	if (!found) {
		fprintf(stderr, "foliage bench: no benchmark '%s'\n", name);
		bench_usage(stderr);
		json_object_put(json);
		return 2;
	}
	if (json && !ret)
		printf("%s\n", json_object_to_json_string_ext(json,
				JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(json);
	if (report && !ret)
		ret = bench_write_report((const struct bench_report *const *)
					 kept, nr_kept, report);
	for (i = 0; i < (size_t)nr_kept; i++) {
		bench_report_release(kept[i]);
		free(kept[i]);
	}
	return ret ? 1 : 0;
}
