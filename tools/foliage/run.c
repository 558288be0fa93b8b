// SPDX-License-Identifier: GPL-2.0
/*
 * foliage run FILE|-: run a scenario (docs/scenario.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "scenario.h"

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: foliage run [--json] [--verbose] [--fail-nth=page|slab[:MAX]]\n"
		"                   [--report DIR] FILE|-\n\n"
		"Run a scenario: one operation a line, '#' starts a comment.\n"
		"FILE '-' reads standard input.\n\n"
		"options:\n"
		"  -j, --json     'show' prints one JSON object a line (echo and\n"
		"                 --verbose text go to stderr)\n"
		"  -v, --verbose  print each line ('> line') before running it\n"
		"  --fail-nth=page|slab[:MAX]\n"
		"                 run each operation line with its Nth page\n"
		"                 (fail_page_alloc) or slab (failslab) allocation\n"
		"                 failing, every N up to MAX (default: all) and\n"
		"                 the one past its allocations; a failed attempt\n"
		"                 must leave no bug and the state as it was\n"
		"                 (docs/testing.md)\n"
		"  --report DIR   keep a snapshot at every 'snapshot' line and\n"
		"                 write DIR/index.html: the physical memory map\n"
		"                 of each step, free lists, fragmentation indices\n"
		"                 and vmstat counters over time (docs/pictures.md)\n"
		"  -h, --help     this text\n\n"
		"verbs:\n");
	scenario_print_verbs(f, "  ");
	fprintf(f, "\nexpect:\n");
	scn_expect_print_usage(f, "  ");
	fprintf(f,
		"\nOP is one of == != < <= > >=.  SIZE is bytes with an optional\n"
		"K, M, G or T suffix (64M), or 0x hex.  Numbers are decimal or 0x\n"
		"hex.  ADDR is 0xHEX, NAME or NAME+OFF (a mapping's start); RANGE\n"
		"is NAME (a whole mapping) or ADDR:LEN; PROT is none or some of\n"
		"r, w, x; DATA is 0x and hex byte pairs, or a word of text.  The\n"
		"verbs task to unpin may end with '=> -ERRNO': the operation must\n"
		"fail with that errno.\n\n"
		"exit status: 0 the scenario ran and every expect held;\n"
		"1 an expect, a check, a library error or a bug the library\n"
		"recorded failed it;\n"
		"2 the scenario (or the command line) is wrong.\n"
		"Messages are 'FILE:LINE: message' on stderr.  See docs/scenario.md.\n");
}

/* --fail-nth=page|slab[:MAX] into @s; SCN_USAGE after a message. */
static int parse_fail_nth(struct scenario *s, const char *arg)
{
	size_t kind = strcspn(arg, ":");
	char *end;

	if (kind == 4 && !strncmp(arg, "page", 4))
		s->fail_nth = "fail_page_alloc";
	else if (kind == 4 && !strncmp(arg, "slab", 4))
		s->fail_nth = "failslab";
	else
		goto bad;
	s->fail_nth_max = ~0UL;
	if (!arg[kind])
		return SCN_OK;
	errno = 0;
	if (arg[kind + 1] < '1' || arg[kind + 1] > '9')
		goto bad;
	s->fail_nth_max = strtoul(arg + kind + 1, &end, 10);
	if (!*end && !errno && s->fail_nth_max <= 1000000)
		return SCN_OK;
bad:
	fprintf(stderr, "foliage run: --fail-nth takes page or slab, with "
		"an optional :MAX (1..1000000), not '%s'\n", arg);
	return SCN_USAGE;
}

/*
 * Run @in; with @report_dir, keep its snapshots and write the report there
 * at the end, also when the scenario failed (what it shows up to there is
 * what one wants to see then).
 */
static int scenario_exec_report(const char *name, FILE *in, bool json,
				bool verbose, const char *fail_nth,
				const char *report_dir)
{
	struct scenario s;
	int ret, err;

	scenario_init(&s, name, stdout);
	s.json = json;
	s.verbose = verbose;
	if (fail_nth && (ret = parse_fail_nth(&s, fail_nth))) {
		scenario_destroy(&s);
		return ret;
	}
	if (report_dir && !(s.report = report_new(report_dir))) {
		scenario_destroy(&s);
		fprintf(stderr, "foliage run: out of memory\n");
		return SCN_FAIL;
	}
	ret = scenario_run(&s, in);
	if (s.report) {
		err = report_write(s.report, name);
		if (err && !ret)
			ret = SCN_FAIL;
		report_free(s.report);
		s.report = NULL;
	}
	scenario_destroy(&s);
	return ret;
}

int scenario_exec_nth(const char *name, FILE *in, bool json, bool verbose,
		      const char *fail_nth)
{
	return scenario_exec_report(name, in, json, verbose, fail_nth, NULL);
}

int scenario_exec(const char *name, FILE *in, bool json, bool verbose)
{
	return scenario_exec_nth(name, in, json, verbose, NULL);
}

int cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "fail-nth", required_argument, NULL, 'F' },
		{ "report", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, verbose = false;
	const char *file, *fail_nth = NULL, *report = NULL;
	FILE *in;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jvh", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'F':
			fail_nth = optarg;
			break;
		case 'R':
			report = optarg;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "foliage run: unknown option '%s'\n"
				"Try 'foliage run --help'.\n", argv[optind - 1]);
			return SCN_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "foliage run: expected one FILE (or '-')\n"
			"Try 'foliage run --help'.\n");
		return SCN_USAGE;
	}
	file = argv[optind];
	if (!strcmp(file, "-")) {
		in = stdin;
	} else {
		in = fopen(file, "r");
		if (!in) {
			fprintf(stderr, "foliage run: cannot open %s: %s\n", file,
				strerror(errno));
			return SCN_USAGE;
		}
	}
	if (report && fail_nth) {
		fprintf(stderr, "foliage run: --report and --fail-nth go "
			"separately (a fail-Nth run repeats every line)\n");
		if (in != stdin)
			fclose(in);
		return SCN_USAGE;
	}
	ret = scenario_exec_report(file, in, json, verbose, fail_nth, report);
	if (in != stdin)
		fclose(in);
	return ret;
}
