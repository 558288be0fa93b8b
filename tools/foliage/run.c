// SPDX-License-Identifier: GPL-2.0
/*
 * foliage run FILE|-: run a scenario (docs/scenario.md).
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: foliage run [--json] [--verbose] FILE|-\n\n"
		"Run a scenario: one operation a line, '#' starts a comment.\n"
		"FILE '-' reads standard input.\n\n"
		"options:\n"
		"  -j, --json     'show' prints one JSON object a line (echo and\n"
		"                 --verbose text go to stderr)\n"
		"  -v, --verbose  print each line ('> line') before running it\n"
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

int scenario_exec(const char *name, FILE *in, bool json, bool verbose)
{
	struct scenario s;
	int ret;

	scenario_init(&s, name, stdout);
	s.json = json;
	s.verbose = verbose;
	ret = scenario_run(&s, in);
	scenario_destroy(&s);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, verbose = false;
	const char *file;
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
	ret = scenario_exec(file, in, json, verbose);
	if (in != stdin)
		fclose(in);
	return ret;
}
