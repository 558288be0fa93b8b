// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA verbs of the scenario language: page migration and memory policy.
 *
 *   move_pages TASK RANGE [node=N] [all]
 *			move_pages(2) of every page of RANGE to node N
 *			(MPOL_MF_MOVE; with 'all' MPOL_MF_MOVE_ALL), or
 *			without node= the query; the status array is kept
 *   expect status INDEX OP VALUE
 *   expect status count VALUE OP N
 *			the kept status of page INDEX of the range, or how
 *			many pages have status VALUE (a node or -ERRNO)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define NUMA_PAGE_SIZE	4096UL

int scn_do_move_pages(struct scenario *s, struct scn_args *a)
{
	unsigned long *pages, nr, i;
	unsigned int node = 0;
	const char *v;
	struct scn_range r;
	struct scn_task *t;
	int *nodes = NULL, *status, flags = FOLIAGE_MPOL_MF_MOVE, ret;

	t = scn_find_task(s, a->words[0]);
	if (!t)
		return SCN_USAGE;
	ret = scn_parse_range(s, a->words[1], &r);
	if (ret)
		return ret;
	if (a->nr_words == 3) {
		if (strcmp(a->words[2], "all"))
			return scn_usage(s, "move_pages: unexpected '%s' (usage: "
					 "move_pages TASK RANGE [node=N] [all])",
					 a->words[2]);
		flags = FOLIAGE_MPOL_MF_MOVE_ALL;
	}
	/* Any int: a node the machine lacks is the library's -ENODEV. */
	if ((v = scn_arg(a, "node")) &&
	    (ret = scn_parse_uint(s, "node", v, 0, 1U << 30, &node)))
		return ret;
	nr = (r.start % NUMA_PAGE_SIZE + r.len + NUMA_PAGE_SIZE - 1) /
	     NUMA_PAGE_SIZE;
	pages = calloc(nr, sizeof(*pages));
	status = calloc(nr, sizeof(*status));
	if (v)
		nodes = calloc(nr, sizeof(*nodes));
	if (!pages || !status || (v && !nodes)) {
		free(pages);
		free(status);
		free(nodes);
		return scn_fail(s, "move_pages: out of memory");
	}
	for (i = 0; i < nr; i++) {
		pages[i] = r.start / NUMA_PAGE_SIZE * NUMA_PAGE_SIZE +
			   i * NUMA_PAGE_SIZE;
		if (nodes)
			nodes[i] = node;
	}
	ret = foliage_move_pages(t->task, nr, pages, nodes, status, flags);
	free(pages);
	free(nodes);
	if (ret < 0) {
		free(status);
		return scn_lib_error(s, ret, NULL);
	}
	free(s->status);
	s->status = status;
	s->nr_status = nr;
	if (ret > 0 && s->verbose)
		fprintf(scn_note(s), "  move_pages: %d pages not migrated\n",
			ret);
	return SCN_OK;
}

/* A status VALUE: a node number or -ERRNO. */
static int parse_status_value(struct scenario *s, const char *str, int *value)
{
	unsigned int node;
	int ret;

	if (str[0] == '-')
		return scn_parse_errno(s, str, value);
	ret = scn_parse_uint(s, "status", str, 0, 1U << 30, &node);
	*value = node;
	return ret;
}

static const char *status_name(int value, char *buf, size_t len)
{
	if (value < 0)
		snprintf(buf, len, "-%s", scn_errname(value));
	else
		snprintf(buf, len, "%d", value);
	return buf;
}

int scn_expect_status(struct scenario *s, struct scn_args *a)
{
	char seen_buf[32], want_buf[32], what[64];
	struct scn_cmp c;
	unsigned int index;
	unsigned long i, count = 0;
	int value, seen, ret;
	bool holds;

	if (!s->status)
		return scn_usage(s, "expect status: no move_pages before");
	if (!strcmp(a->words[1], "count")) {
		if (a->nr_words != 5)
			return scn_usage(s, "expect status count VALUE OP N");
		ret = parse_status_value(s, a->words[2], &value);
		if (!ret)
			ret = scn_parse_cmp(s, a->words[3], a->words[4], &c);
		if (ret)
			return ret;
		for (i = 0; i < s->nr_status; i++)
			count += s->status[i] == value;
		snprintf(what, sizeof(what), "the count of status %s",
			 status_name(value, want_buf, sizeof(want_buf)));
		return scn_check_cmp(s, what, &c, count);
	}
	if (a->nr_words != 4)
		return scn_usage(s, "expect status INDEX OP VALUE");
	ret = scn_parse_uint(s, "index", a->words[1], 0, 1U << 30, &index);
	if (ret)
		return ret;
	if (index >= s->nr_status)
		return scn_usage(s, "expect status: index %u is past the %lu "
				 "pages of the last move_pages", index,
				 s->nr_status);
	/* The operator alone; the value is signed. */
	ret = scn_parse_cmp(s, a->words[2], "0", &c);
	if (!ret)
		ret = parse_status_value(s, a->words[3], &value);
	if (ret)
		return ret;
	seen = s->status[index];
	switch (c.op) {
	case SCN_EQ: holds = seen == value; break;
	case SCN_NE: holds = seen != value; break;
	case SCN_LT: holds = seen < value; break;
	case SCN_LE: holds = seen <= value; break;
	case SCN_GT: holds = seen > value; break;
	default: holds = seen >= value; break;
	}
	if (holds)
		return SCN_OK;
	return scn_fail(s, "expect failed: status %u is %s, expected %s %s",
			index, status_name(seen, seen_buf, sizeof(seen_buf)),
			a->words[2], status_name(value, want_buf,
						 sizeof(want_buf)));
}
