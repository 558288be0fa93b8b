// SPDX-License-Identifier: GPL-2.0
/*
 * foliage: the command-line front end of the library.
 */
#include <stdio.h>
#include <string.h>

#include <foliage/foliage.h>

#include "cli.h"

#ifndef FOLIAGE_VERSION
#define FOLIAGE_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run FILE|-       run a scenario (see docs/scenario.md)" },
	{ "demo", cmd_demo, "demo             run the built-in demo scenario" },
	{ "bench", cmd_bench, "bench NAME|all   run a benchmark (bench --help lists them)" },
	{ "diff", cmd_diff, "diff FILE|-      run a scenario in foliage and in real processes, compare" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: foliage COMMAND [ARGS]\n\n"
		   "The Linux memory-management subsystem as a library: build a guest,\n"
		   "run workloads, check invariants, measure.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].help);
	fprintf(f, "\n'foliage COMMAND --help' tells more about a command; "
		   "'foliage --version' the version.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("foliage %s (Linux 6.18 mm semantics; %s build%s)\n",
		       FOLIAGE_VERSION, foliage_debug_vm() ? "CONFIG_DEBUG_VM"
							   : "release",
		       argc > 2 ? "; extra arguments ignored" : "");
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "foliage: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
