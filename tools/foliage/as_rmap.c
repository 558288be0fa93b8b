// SPDX-License-Identifier: GPL-2.0
/*
 * The reverse map in scenarios (issue 13, docs/anon-vma-lazy.md):
 *
 *   show rmap TASK ADDR		what the page's folio->mapping is
 *					(an anon_vma, an ANON_VMA_LAZY root
 *					VMA and its base, a file) and every
 *					mapping an rmap walk finds
 *   expect rmap TASK ADDR mappings OP N	how many mappings the walk finds
 *   expect rmap TASK ADDR mapping anon_vma|lazy|file
 *					what folio->mapping is
 */
#include <errno.h>
#include <string.h>

#include "scenario.h"

static const char *const kind_names[] = {
	[FOLIAGE_RMAP_ANON_VMA] = "anon_vma",
	[FOLIAGE_RMAP_LAZY] = "lazy",
	[FOLIAGE_RMAP_FILE] = "file",
};

/* The scenario's name of the task with @pid (exited ones too), or "?". */
static const char *pid_name(struct scenario *s, int pid)
{
	unsigned int i;

	for (i = s->nr_tasks; i--; )
		if (s->tasks[i]->pid == pid)
			return s->tasks[i]->name;
	return "?";
}

/* TASK ADDR of the line, and the library's answer for them. */
static int rmap_query(struct scenario *s, struct scn_args *a,
		      struct scn_task **tp, unsigned long *addr,
		      struct foliage_rmap_info *info)
{
	struct scn_task *t = scn_find_task(s, a->words[1]);
	int ret;

	if (!t)
		return SCN_USAGE;
	ret = scn_parse_addr(s, "address", a->words[2], addr);
	if (ret)
		return ret;
	ret = foliage_rmap_info(t->task, *addr, info);
	if (ret == -ENOENT)
		return scn_fail(s, "rmap %s %s: no page is mapped there",
				t->name, a->words[2]);
	if (ret)
		return scn_fail(s, "rmap %s %s: %s", t->name, a->words[2],
				scn_errstr(ret));
	*tp = t;
	return SCN_OK;
}

/* show rmap TASK ADDR */
int scn_show_rmap(struct scenario *s, struct scn_args *a)
{
	struct foliage_rmap_info info;
	struct scn_task *t;
	unsigned long addr;
	unsigned int i;
	int ret;

	if (a->nr_words != 3)
		return scn_usage(s, "usage: show rmap TASK ADDR");
	ret = rmap_query(s, a, &t, &addr, &info);
	if (ret)
		return ret;
	fprintf(s->out, "rmap %s 0x%lx: pfn 0x%lx, folio of %lu page%s, "
		"index 0x%lx\n", t->name, addr, info.pfn, info.nr_pages,
		info.nr_pages == 1 ? "" : "s", info.index);
	switch (info.kind) {
	case FOLIAGE_RMAP_LAZY:
		fprintf(s->out, "mapping: lazy root vma 0x%lx-0x%lx of %s%s, "
			"base 0x%lx, refs %lu", info.root_start,
			info.root_end, pid_name(s, info.root_pid),
			info.root_detached ? " (detached)" : "", info.base,
			info.root_refs);
		if (info.upgraded)
			fprintf(s->out, "; upgraded: anon_vma with %lu vma%s",
				info.tree_vmas, info.tree_vmas == 1 ? "" : "s");
		fputc('\n', s->out);
		break;
	case FOLIAGE_RMAP_ANON_VMA:
		fprintf(s->out, "mapping: anon_vma with %lu vma%s on its "
			"tree\n", info.tree_vmas,
			info.tree_vmas == 1 ? "" : "s");
		break;
	default:
		fprintf(s->out, "mapping: file with %lu vma%s in i_mmap\n",
			info.tree_vmas, info.tree_vmas == 1 ? "" : "s");
		break;
	}
	fprintf(s->out, "walk: %u mapping%s\n", info.nr_mappings,
		info.nr_mappings == 1 ? "" : "s");
	for (i = 0; i < info.nr_mappings && i < FOLIAGE_RMAP_MAX; i++)
		fprintf(s->out, "  %s 0x%lx %s\n",
			pid_name(s, info.map[i].pid), info.map[i].addr,
			info.map[i].pmd ? "pmd" : "pte");
	if (info.nr_mappings > FOLIAGE_RMAP_MAX)
		fprintf(s->out, "  ... %u more\n",
			info.nr_mappings - FOLIAGE_RMAP_MAX);
	return SCN_OK;
}

/*
 * expect rmap TASK ADDR mappings OP N
 * expect rmap TASK ADDR mapping anon_vma|lazy|file
 */
int scn_expect_rmap(struct scenario *s, struct scn_args *a)
{
	struct foliage_rmap_info info;
	struct scn_task *t;
	unsigned long addr;
	struct scn_cmp c;
	char what[128];
	int ret;

	if (!strcmp(a->words[3], "mapping")) {
		if (a->nr_words != 5)
			return scn_usage(s, "usage: expect rmap TASK ADDR "
					 "mapping anon_vma|lazy|file");
		if (strcmp(a->words[4], "anon_vma") &&
		    strcmp(a->words[4], "lazy") && strcmp(a->words[4], "file"))
			return scn_usage(s, "expect rmap: mapping %s: expected "
					 "anon_vma, lazy or file", a->words[4]);
		ret = rmap_query(s, a, &t, &addr, &info);
		if (ret)
			return ret;
		if (!strcmp(kind_names[info.kind], a->words[4]))
			return SCN_OK;
		return scn_fail(s, "expect failed: rmap %s %s mapping is %s, "
				"expected %s", t->name, a->words[2],
				kind_names[info.kind], a->words[4]);
	}
	if (strcmp(a->words[3], "mappings") || a->nr_words != 6)
		return scn_usage(s, "usage: expect rmap TASK ADDR mappings OP N "
				 "| expect rmap TASK ADDR mapping "
				 "anon_vma|lazy|file");
	ret = scn_parse_cmp(s, a->words[4], a->words[5], &c);
	if (ret)
		return ret;
	ret = rmap_query(s, a, &t, &addr, &info);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "rmap %s %s mappings", t->name,
		 a->words[2]);
	return scn_check_cmp(s, what, &c, info.nr_mappings);
}
