// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA verbs of the scenario language: page migration and memory policy.
 *
 *   move_pages TASK RANGE [node=N] [all]
 *			move_pages(2) of every page of RANGE to node N
 *			(MPOL_MF_MOVE; with 'all' MPOL_MF_MOVE_ALL), or
 *			without node= the query; the status array is kept
 *   migrate_pages TASK from=NODES to=NODES
 *			migrate_pages(2): the task's pages on NODES to NODES
 *   mbind TASK RANGE POLICY [nodes=LIST] [move] [strict]
 *   set_mempolicy TASK POLICY [nodes=LIST]
 *			POLICY: default, preferred, bind, interleave,
 *			local, preferred_many, weighted_interleave, each
 *			but default and local
 *			optionally with =static or =relative (the mode
 *			flags, as numa_maps spells them); NODES
 *			and LIST: "0,2" or "0-3" or a mix
 *   expect status INDEX OP VALUE
 *   expect status count VALUE OP N
 *			the kept status of page INDEX of the range, or how
 *			many pages have status VALUE (a node or -ERRNO)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "diffcmp.h"

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
	s->action = (struct scn_action){ .kind = SCN_ACT_MOVE_PAGES, .task = t,
					 .start = pages[0],
					 .len = nr * NUMA_PAGE_SIZE,
					 .flags = flags,
					 .node = v ? (int)node : -1 };
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

const char *scn_status_name(int value, char *buf, size_t len)
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
			 scn_status_name(value, want_buf, sizeof(want_buf)));
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
			index, scn_status_name(seen, seen_buf, sizeof(seen_buf)),
			a->words[2], scn_status_name(value, want_buf,
						 sizeof(want_buf)));
}

/* "0,2-3": a node set (bit n: node n); SCN_USAGE after a message. */
static int parse_nodes(struct scenario *s, const char *what, const char *str,
		       unsigned long *mask)
{
	const char *p = str;

	*mask = 0;
	while (*p) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			goto bad;
		p = end;
		if (*p == '-') {
			hi = strtoul(++p, &end, 10);
			if (end == p || hi < lo)
				goto bad;
			p = end;
		}
		if (hi >= FOLIAGE_MAX_NODES)
			return scn_usage(s, "%s: node %lu is out of range (0..%d)",
					 what, hi, FOLIAGE_MAX_NODES - 1);
		for (; lo <= hi; lo++)
			*mask |= 1UL << lo;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (p != str)
		return SCN_OK;
bad:
	return scn_usage(s, "%s: bad node list '%s' (expected e.g. 0,2-3)",
			 what, str);
}

static const char *const policy_names[] = {
	[FOLIAGE_MPOL_DEFAULT] = "default",
	[FOLIAGE_MPOL_PREFERRED] = "preferred",
	[FOLIAGE_MPOL_BIND] = "bind",
	[FOLIAGE_MPOL_INTERLEAVE] = "interleave",
	[FOLIAGE_MPOL_LOCAL] = "local",
	[FOLIAGE_MPOL_PREFERRED_MANY] = "preferred_many",
	[FOLIAGE_MPOL_WEIGHTED_INTERLEAVE] = "weighted_interleave",
};

/*
 * POLICY, optionally with a mode flag as numa_maps spells it:
 * "bind=static", "interleave=relative" (FOLIAGE_MPOL_F_*, OR-ed into
 * *@mode; the library refuses them on default and local).
 */
static int parse_policy(struct scenario *s, const char *word, int *mode)
{
	int n = sizeof(policy_names) / sizeof(policy_names[0]);
	size_t len = strcspn(word, "=");
	const char *flag = word[len] ? word + len + 1 : NULL;

	for (*mode = 0; *mode < n; (*mode)++)
		if (strlen(policy_names[*mode]) == len &&
		    !strncmp(word, policy_names[*mode], len))
			break;
	if (*mode == n)
		return scn_usage(s, "%s: unknown policy '%.*s' (default "
				 "preferred bind interleave local "
				 "preferred_many weighted_interleave)", s->verb,
				 (int)len, word);
	if (!flag)
		return SCN_OK;
	if (!strcmp(flag, "static"))
		*mode |= FOLIAGE_MPOL_F_STATIC_NODES;
	else if (!strcmp(flag, "relative"))
		*mode |= FOLIAGE_MPOL_F_RELATIVE_NODES;
	else
		return scn_usage(s, "%s: unknown mode flag '%s' in '%s' "
				 "(static relative)", s->verb, flag, word);
	return SCN_OK;
}

/* "POLICY [nodes=LIST]" of mbind and set_mempolicy. */
static int parse_policy_nodes(struct scenario *s, struct scn_args *a,
			      const char *word, int *mode,
			      unsigned long *nodes)
{
	const char *v = scn_arg(a, "nodes");
	int ret = parse_policy(s, word, mode);

	*nodes = 0;
	if (!ret && v)
		ret = parse_nodes(s, "nodes", v, nodes);
	return ret;
}

int scn_do_migrate_pages(struct scenario *s, struct scn_args *a)
{
	unsigned long from, to;
	struct scn_task *t;
	const char *f = scn_arg(a, "from"), *v = scn_arg(a, "to");
	int ret;

	t = scn_find_task(s, a->words[0]);
	if (!t)
		return SCN_USAGE;
	if (!f || !v)
		return scn_usage(s, "migrate_pages: expected from=NODES and "
				 "to=NODES");
	ret = parse_nodes(s, "from", f, &from);
	if (!ret)
		ret = parse_nodes(s, "to", v, &to);
	if (ret)
		return ret;
	s->action = (struct scn_action){ .kind = SCN_ACT_MIGRATE_PAGES,
					 .task = t, .nodes = from,
					 .nodes_to = to };
	ret = foliage_migrate_pages(t->task, from, to);
	if (ret < 0)
		return scn_lib_error(s, ret, NULL);
	if (ret > 0 && s->verbose)
		fprintf(scn_note(s), "  migrate_pages: %d pages not migrated\n",
			ret);
	return SCN_OK;
}

int scn_do_mbind(struct scenario *s, struct scn_args *a)
{
	unsigned long nodes = 0;
	unsigned int flags = 0, i;
	struct scn_range r;
	struct scn_task *t;
	int mode, ret;

	t = scn_find_task(s, a->words[0]);
	if (!t)
		return SCN_USAGE;
	ret = scn_parse_range(s, a->words[1], &r);
	if (!ret)
		ret = parse_policy_nodes(s, a, a->words[2], &mode, &nodes);
	if (ret)
		return ret;
	for (i = 3; i < a->nr_words; i++) {
		if (!strcmp(a->words[i], "move"))
			flags |= FOLIAGE_MPOL_MF_MOVE;
		else if (!strcmp(a->words[i], "strict"))
			flags |= FOLIAGE_MPOL_MF_STRICT;
		else
			return scn_usage(s, "mbind: unexpected '%s' (usage: mbind "
					 "TASK RANGE POLICY [nodes=LIST] [move] "
					 "[strict])", a->words[i]);
	}
	s->action = (struct scn_action){ .kind = SCN_ACT_MBIND, .task = t,
					 .start = r.start, .len = r.len,
					 .flags = (int)flags, .mpol_mode = mode,
					 .nodes = nodes };
	ret = foliage_mbind(t->task, r.start, r.len, mode, nodes, flags);
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

int scn_do_set_mempolicy(struct scenario *s, struct scn_args *a)
{
	unsigned long nodes = 0;
	struct scn_task *t;
	int mode, ret;

	t = scn_find_task(s, a->words[0]);
	if (!t)
		return SCN_USAGE;
	ret = parse_policy_nodes(s, a, a->words[1], &mode, &nodes);
	if (ret)
		return ret;
	s->action = (struct scn_action){ .kind = SCN_ACT_SET_MEMPOLICY,
					 .task = t, .mpol_mode = mode,
					 .nodes = nodes };
	ret = foliage_set_mempolicy(t->task, mode, nodes);
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

/* ---- numa_maps ---- */

int scn_show_numa_maps(struct scenario *s, struct scn_args *a)
{
	struct scn_show sh = { .what = "numa_maps",
			       .pattern = scn_arg(a, "grep") };
	struct scn_task *t;
	char *text = NULL;
	int ret;

	if (a->nr_words != 2)
		return scn_usage(s, "usage: show numa_maps TASK [grep=PATTERN]");
	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	sh.task = t->name;
	ret = foliage_render_task(t->task, "numa_maps",
				  s->json ? FOLIAGE_RENDER_JSON : 0, &text);
	if (ret)
		return scn_fail(s, "cannot render numa_maps of %s: %s", t->name,
				scn_errstr(ret));
	ret = scn_show_print(s, &sh, text);
	free(text);
	return ret;
}

/*
 * The value of " FIELD=N" on @line (0 when numa_maps leaves it out, as it
 * does every zero count); "policy" is what follows the start (two words
 * for "prefer (many)" and "weighted interleave").
 */
static bool numa_maps_field(const char *line, const char *field,
			    char *policy, size_t len, uint64_t *value)
{
	char key[48];
	const char *p;

	*value = 0;
	if (!strcmp(field, "policy")) {
		p = strchr(line, ' ');
		if (!p)
			return false;
		snprintf(policy, len, "%.*s",
			 (int)dc_numa_policy_len(p + 1, strlen(p + 1)), p + 1);
		return true;
	}
	snprintf(key, sizeof(key), " %s=", field);
	p = strstr(line, key);
	if (p && (!strchr(line, '\n') || p < strchr(line, '\n')))
		*value = strtoull(p + strlen(key), NULL, 10);
	return true;
}

int scn_expect_numa_maps(struct scenario *s, struct scn_args *a)
{
	const char *field = a->words[3], *line;
	char *text = NULL, want_start[32], policy[64], what[96], want[64];
	struct scn_maps maps;
	struct scn_range r;
	struct scn_vma *v;
	struct scn_task *t;
	struct scn_cmp c;
	uint64_t value;
	int ret;

	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	ret = scn_parse_range(s, a->words[2], &r);
	if (ret)
		return ret;
	if (!strcmp(field, "policy")) {
		if (strcmp(a->words[4], "==") && strcmp(a->words[4], "!="))
			return scn_usage(s, "expect numa_maps: policy compares "
					 "with == or !=");
		/* "prefer (many):1", "weighted interleave:0-1": two words. */
		snprintf(want, sizeof(want), "%s%s%s", a->words[5],
			 a->nr_words == 7 ? " " : "",
			 a->nr_words == 7 ? a->words[6] : "");
	} else if (a->nr_words == 7) {
		return scn_usage(s, "expect numa_maps: unexpected '%s'",
				 a->words[6]);
	} else {
		ret = scn_parse_cmp(s, a->words[4], a->words[5], &c);
		if (ret)
			return ret;
	}
	ret = scn_maps_read(s, t, "maps", &maps);
	if (ret)
		return ret;
	v = scn_maps_find(&maps, r.start);
	if (!v) {
		scn_maps_free(&maps);
		return scn_fail(s, "expect failed: no VMA of %s at 0x%lx",
				t->name, r.start);
	}
	snprintf(want_start, sizeof(want_start), "%08lx ", v->start);
	scn_maps_free(&maps);
	ret = foliage_render_task(t->task, "numa_maps", 0, &text);
	if (ret)
		return scn_fail(s, "cannot render numa_maps of %s: %s", t->name,
				scn_errstr(ret));
	for (line = text; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL)
		if (!strncmp(line, want_start, strlen(want_start)))
			break;
	if (!line || !*line) {
		free(text);
		return scn_fail(s, "expect failed: numa_maps of %s has no line "
				"for 0x%s", t->name, want_start);
	}
	numa_maps_field(line, field, policy, sizeof(policy), &value);
	free(text);
	snprintf(what, sizeof(what), "numa_maps %s %s %s", t->name,
		 a->words[2], field);
	if (!strcmp(field, "policy")) {
		if ((strcmp(policy, want) == 0) ==
		    (strcmp(a->words[4], "==") == 0))
			return SCN_OK;
		return scn_fail(s, "expect failed: %s is %s, expected %s %s",
				what, policy, a->words[4], want);
	}
	return scn_check_cmp(s, what, &c, value);
}
