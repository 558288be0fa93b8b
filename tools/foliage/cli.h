/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The foliage command line: one function per subcommand.  Each gets the
 * arguments after the subcommand's name (argv[0] is the subcommand) and
 * returns the process exit status.
 */
#ifndef _FOLIAGE_CLI_H
#define _FOLIAGE_CLI_H

int cmd_run(int argc, char **argv);	/* run.c: foliage run FILE|- */
int cmd_demo(int argc, char **argv);	/* demo.c: the embedded scenario */
int cmd_bench(int argc, char **argv);	/* bench.c: foliage bench NAME */
int cmd_diff(int argc, char **argv);	/* diff.c: foliage diff FILE */

/*
 * A numeric option's argument, strictly: digits only, within [@min, @max];
 * else a "foliage CMD: OPT ..." message and 2 (scenario.c).
 */
int cli_parse_number(const char *cmd, const char *opt, const char *arg,
		     unsigned long long min, unsigned long long max,
		     unsigned long long *out);

#endif /* _FOLIAGE_CLI_H */
