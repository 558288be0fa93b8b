// SPDX-License-Identifier: GPL-2.0
/*
 * What 'show' prints: a rendered kernel file as text, or as one tagged
 * JSON document a line; PATTERN (grep=) filtering of both; and a task
 * file's VMAs selected by RANGE (show smaps TASK NAME).
 *
 * Text: the file as the kernel prints it; with a RANGE only the VMAs that
 * overlap it (their header line and field lines); with a PATTERN only the
 * lines that contain it.
 *
 * JSON (--json): one line per 'show', an object that says what produced
 * it: {"show":"smaps","task":"P","range":"A","grep":"Rss","data":...}
 * ("task", "range" and "grep" only when given).  PATTERN keeps, in every
 * object, the members whose name or text value contains it, and in every
 * array the elements that do; a flat record (an object of plain values,
 * such as one line of maps or one trace event) is kept or dropped whole,
 * as its text line would be; containers left empty are dropped.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "scenario.h"

static bool has(const char *text, const char *pattern)
{
	return text && strstr(text, pattern);
}

static bool is_scalar(struct json_object *o)
{
	return !json_object_is_type(o, json_type_object) &&
	       !json_object_is_type(o, json_type_array);
}

static bool scalar_has(struct json_object *o, const char *pattern)
{
	return is_scalar(o) && has(json_object_get_string(o), pattern);
}

/* An object of scalars only: one line of text. */
static bool is_record(struct json_object *o)
{
	if (!json_object_is_type(o, json_type_object))
		return false;
	json_object_object_foreach(o, key, val) {
		(void)key;
		if (!is_scalar(val))
			return false;
	}
	return true;
}

static bool record_has(struct json_object *o, const char *pattern)
{
	json_object_object_foreach(o, key, val)
		if (has(key, pattern) || scalar_has(val, pattern))
			return true;
	return false;
}

/* @o filtered by @pattern (a new reference), or NULL if nothing is left. */
static struct json_object *json_grep(struct json_object *o, const char *pattern)
{
	struct json_object *out, *sub;
	size_t i, n;

	if (json_object_is_type(o, json_type_object)) {
		out = json_object_new_object();
		json_object_object_foreach(o, key, val) {
			if (has(key, pattern) || scalar_has(val, pattern))
				sub = json_object_get(val);
			else if (is_scalar(val))
				continue;
			else
				sub = json_grep(val, pattern);
			if (sub)
				json_object_object_add(out, key, sub);
		}
		if (!json_object_object_length(out))
			goto empty;
		return out;
	}
	if (json_object_is_type(o, json_type_array)) {
		out = json_object_new_array();
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(o, i);

			if (is_scalar(e))
				sub = scalar_has(e, pattern) ?
				      json_object_get(e) : NULL;
			else if (is_record(e))
				sub = record_has(e, pattern) ?
				      json_object_get(e) : NULL;
			else
				sub = json_grep(e, pattern);
			if (sub)
				json_object_array_add(out, sub);
		}
		if (!json_object_array_length(out))
			goto empty;
		return out;
	}
	return scalar_has(o, pattern) ? json_object_get(o) : NULL;
empty:
	json_object_put(out);
	return NULL;
}

static unsigned long hex_field(struct json_object *vma, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(vma, key, &v))
		return 0;
	return strtoul(json_object_get_string(v), NULL, 16);
}

/* The VMAs of a maps/smaps array that overlap @r. */
static struct json_object *json_select(struct json_object *vmas,
				       const struct scn_range *r)
{
	struct json_object *out = json_object_new_array();
	size_t i, n = json_object_array_length(vmas);

	for (i = 0; i < n; i++) {
		struct json_object *vma = json_object_array_get_idx(vmas, i);

		if (hex_field(vma, "start") < r->start + r->len &&
		    hex_field(vma, "end") > r->start)
			json_object_array_add(out, json_object_get(vma));
	}
	return out;
}

static int show_json(struct scenario *s, const struct scn_show *sh,
		     const char *text)
{
	struct json_object *doc = json_tokener_parse(text), *out, *data;

	if (!doc)
		return scn_fail(s, "show %s: the library's JSON does not parse",
				sh->what);
	data = doc;
	if (sh->range && json_object_is_type(doc, json_type_array)) {
		data = json_select(doc, sh->range);
		json_object_put(doc);
	}
	if (sh->pattern) {
		doc = data;
		data = json_grep(doc, sh->pattern);
		json_object_put(doc);
	}
	out = json_object_new_object();
	json_object_object_add(out, "show", json_object_new_string(sh->what));
	if (sh->task)
		json_object_object_add(out, "task",
				       json_object_new_string(sh->task));
	if (sh->range_word)
		json_object_object_add(out, "range",
				       json_object_new_string(sh->range_word));
	if (sh->pattern)
		json_object_object_add(out, "grep",
				       json_object_new_string(sh->pattern));
	json_object_object_add(out, "data", data);	/* NULL: null */
	fprintf(s->out, "%s\n",
		json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return SCN_OK;
}

/* A VMA's first line in maps and smaps: "START-END PERMS ...". */
static bool vma_header(const char *line, unsigned long *start,
		       unsigned long *end)
{
	char *p;

	*start = strtoul(line, &p, 16);
	if (p == line || *p != '-')
		return false;
	line = p + 1;
	*end = strtoul(line, &p, 16);
	return p != line && *p == ' ';
}

static void show_text(struct scenario *s, const struct scn_show *sh,
		      const char *text)
{
	const char *line, *end;
	unsigned long start, stop;
	bool in_range = !sh->range;

	for (line = text; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		if (sh->range && vma_header(line, &start, &stop))
			in_range = start < sh->range->start + sh->range->len &&
				   stop > sh->range->start;
		if (!in_range)
			continue;
		if (sh->pattern && !memmem(line, end - line, sh->pattern,
					   strlen(sh->pattern)))
			continue;
		fwrite(line, 1, end - line, s->out);
		if (end[-1] != '\n')
			fputc('\n', s->out);
	}
}

int scn_show_print(struct scenario *s, const struct scn_show *sh,
		   const char *text)
{
	if (s->json)
		return show_json(s, sh, text);
	show_text(s, sh, text);
	return SCN_OK;
}
