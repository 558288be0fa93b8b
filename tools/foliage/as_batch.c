// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario verbs of PTE batching (docs/pte-batching.md):
 *
 *	show pagetable TASK RANGE [grep=PATTERN]
 *
 * prints each page-table entry of the range that is not none, with its
 * bits (foliage_render_pagetable(), mm/ptdump.c); with --json, an array of
 * those lines as strings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scenario.h"

/* @text's lines (those holding @pattern, if any) as a JSON array. */
static char *lines_json(const char *text, const char *pattern)
{
	struct json_object *arr = json_object_new_array();
	const char *line, *end;
	char *out;

	for (line = text; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		if (pattern && !memmem(line, end - line, pattern,
				       strlen(pattern)))
			continue;
		json_object_array_add(arr, json_object_new_string_len(line,
				(int)(end - line - (end[-1] == '\n'))));
	}
	out = strdup(json_object_to_json_string_ext(arr,
						    JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return out;
}

int scn_show_pagetable(struct scenario *s, struct scn_args *a)
{
	struct scn_show sh = { .what = "pagetable",
			       .pattern = scn_arg(a, "grep") };
	struct scn_range r;
	struct scn_task *t;
	char *text = NULL, *json;
	int ret;

	if (a->nr_words != 3)
		return scn_usage(s, "show pagetable: %s (usage: show pagetable "
				 "TASK RANGE [grep=PATTERN])",
				 a->nr_words < 3 ? "missing argument" :
						   "too many arguments");
	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	ret = scn_parse_range(s, a->words[2], &r);
	if (ret)
		return ret;
	if (r.map && r.map->task != t)
		return scn_usage(s, "show: '%s' is a mapping of %s, not of %s",
				 a->words[2], r.map->task->name, t->name);
	sh.task = t->name;
	sh.range_word = a->words[2];
	ret = foliage_render_pagetable(t->task, r.start, r.len, &text);
	if (ret)
		return scn_fail(s, "cannot render the page table of %s: %s",
				t->name, scn_errstr(ret));
	if (s->json) {
		json = lines_json(text, sh.pattern);
		free(text);
		if (!json)
			return scn_fail(s, "show pagetable: out of memory");
		text = json;
		sh.pattern = NULL;
	}
	ret = scn_show_print(s, &sh, text);
	free(text);
	return ret;
}
