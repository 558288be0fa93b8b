// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs of pictures: 'show pfnmap' (the physical memory map, as text,
 * JSON or an SVG file) and 'snapshot' (a step of 'foliage run --report',
 * report.h).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scenario.h"

/* Write @text to @path; SCN_OK or a failure naming the file. */
static int write_file(struct scenario *s, const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return scn_fail(s, "cannot write %s: %s", path,
				strerror(errno));
	fputs(text, f);
	err = ferror(f);
	if (fclose(f) || err)
		return scn_fail(s, "cannot write %s", path);
	return SCN_OK;
}

/* show pfnmap [node=N] [svg=FILE | --svg FILE] [grep=PATTERN] */
int scn_show_pfnmap(struct scenario *s, struct scn_args *a)
{
	struct scn_show sh = { .what = "pfnmap", .pattern = scn_arg(a, "grep") };
	const char *svg = scn_arg(a, "svg"), *v;
	unsigned int flags = s->json ? FOLIAGE_RENDER_JSON : 0;
	unsigned int node = 0;
	char *text = NULL;
	int ret;

	if (a->nr_words == 3 && !strcmp(a->words[1], "--svg")) {
		if (svg)
			return scn_usage(s, "show pfnmap: svg= and --svg both "
					 "given");
		svg = a->words[2];
	} else if (a->nr_words > 1) {
		return scn_usage(s, "show pfnmap: unexpected '%s' (usage: show "
				 "pfnmap [node=N] [svg=FILE|--svg FILE] "
				 "[grep=PATTERN])", a->words[1]);
	}
	if (svg && sh.pattern)
		return scn_usage(s, "show pfnmap: grep= filters text, not an "
				 "SVG file");
	if (svg && !*svg)
		return scn_usage(s, "show pfnmap: an empty file name");
	if ((v = scn_arg(a, "node")) &&
	    (ret = scn_parse_uint(s, "node=", v, 0, s->config.nr_nodes - 1,
				  &node)))
		return ret;
	if (svg)
		flags = FOLIAGE_RENDER_SVG;
	ret = foliage_render_pfnmap(s->m, v ? (int)node : -1, flags, &text);
	if (ret)
		return scn_fail(s, "cannot render pfnmap: %s", scn_errstr(ret));
	if (svg) {
		ret = write_file(s, svg, text);
		if (!ret)
			fprintf(s->out, "pfnmap: wrote %s (%zu bytes)\n", svg,
				strlen(text));
	} else {
		ret = scn_show_print(s, &sh, text);
	}
	free(text);
	return ret;
}

/* ---- snapshot -------------------------------------------------------------- */

static const char *const default_counters[] = {
	"nr_free_pages", "pgfault", "pgzero_cleared", "pgzero_skipped",
};

static int add_counter(struct scenario *s, struct scn_report *r,
		       const char *name)
{
	char **n;
	unsigned int i;

	for (i = 0; i < r->nr_counters; i++)
		if (!strcmp(r->counters[i], name))
			return SCN_OK;
	n = realloc(r->counters, (r->nr_counters + 1) * sizeof(*n));
	if (!n)
		return scn_fail(s, "snapshot: out of memory");
	r->counters = n;
	r->counters[r->nr_counters] = strdup(name);
	if (!r->counters[r->nr_counters])
		return scn_fail(s, "snapshot: out of memory");
	r->nr_counters++;
	return SCN_OK;
}

/* vmstat=NAME,NAME...: each a counter of the machine. */
static int parse_counters(struct scenario *s, const char *list,
			  struct scn_report *r)
{
	char *copy = strdup(list), *name, *save = NULL;
	unsigned long value;
	int ret = SCN_OK;

	if (!copy)
		return scn_fail(s, "snapshot: out of memory");
	for (name = strtok_r(copy, ",", &save); name && !ret;
	     name = strtok_r(NULL, ",", &save)) {
		if (foliage_vmstat(s->m, name, &value))
			ret = scn_usage(s, "snapshot: vmstat=: no counter "
					"'%s' in /proc/vmstat", name);
		else if (r)
			ret = add_counter(s, r, name);
	}
	if (!ret && !strchr(list, ',') && !*list)
		ret = scn_usage(s, "snapshot: vmstat= names no counter");
	free(copy);
	return ret;
}

/* The JSON render @what, parsed; NULL with a failure in *@ret. */
static struct json_object *render_json(struct scenario *s, const char *what,
				       int *ret)
{
	struct json_object *obj;
	char *text = NULL;
	int err = foliage_render(s->m, what, FOLIAGE_RENDER_JSON, &text);

	if (err) {
		*ret = scn_fail(s, "snapshot: cannot render %s: %s", what,
				scn_errstr(err));
		return NULL;
	}
	obj = json_tokener_parse(text);
	free(text);
	if (!obj)
		*ret = scn_fail(s, "snapshot: %s: bad JSON", what);
	return obj;
}

static double array_at(struct json_object *arr, int i)
{
	return json_object_get_double(json_object_array_get_idx(arr, i));
}

/* Free blocks and both indices of every zone, into @st. */
static int snap_zones(struct scenario *s, struct report_step *st)
{
	struct json_object *bi, *ef, *bz, *ez;
	int ret = SCN_OK, i, o, n;

	bi = render_json(s, "buddyinfo", &ret);
	if (!bi)
		return ret;
	ef = render_json(s, "extfrag", &ret);
	if (!ef) {
		json_object_put(bi);
		return ret;
	}
	bz = json_object_object_get(bi, "zones");
	ez = json_object_object_get(ef, "zones");
	n = (int)json_object_array_length(bz);
	if (n > REPORT_MAX_ZONES)
		n = REPORT_MAX_ZONES;
	for (i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(bz, i);
		struct json_object *e = json_object_array_get_idx(ez, i);
		struct json_object *nr = json_object_object_get(b, "nr_free");
		struct json_object *un = json_object_object_get(e,
							"unusable_index");
		struct json_object *fx = json_object_object_get(e,
							"extfrag_index");
		struct report_zone *z = &st->zone[i];

		snprintf(z->name, sizeof(z->name), "Node %d, zone %s",
			 json_object_get_int(json_object_object_get(b, "node")),
			 json_object_get_string(json_object_object_get(b,
								"zone")));
		for (o = 0; o < REPORT_ORDERS; o++) {
			z->nr_free[o] = (unsigned long)json_object_get_int64(
				json_object_array_get_idx(nr, o));
			z->unusable[o] = array_at(un, o);
			z->extfrag[o] = array_at(fx, o);
		}
	}
	st->nr_zones = n;
	json_object_put(bi);
	json_object_put(ef);
	return SCN_OK;
}

/* All of /proc/vmstat: a counter named at a later step is plotted too. */
static int snap_counters(struct scenario *s, struct report_step *st)
{
	int err = foliage_render(s->m, "vmstat", 0, &st->vmstat);

	return err ? scn_fail(s, "snapshot: cannot render vmstat: %s",
			      scn_errstr(err)) : SCN_OK;
}

/* snapshot NAME [vmstat=NAME,NAME...] */
int scn_do_snapshot(struct scenario *s, struct scn_args *a)
{
	struct scn_report *r = s->report;
	const char *list = scn_arg(a, "vmstat");
	struct report_step *st, *steps;
	unsigned int i;
	int ret;

	if (list && (ret = parse_counters(s, list, r)))
		return ret;
	if (!r)
		return SCN_OK;	/* without --report: checked, not kept */
	if (!r->nr_steps && !r->nr_counters)
		for (i = 0; i < sizeof(default_counters) /
			    sizeof(default_counters[0]); i++)
			if ((ret = add_counter(s, r, default_counters[i])))
				return ret;
	steps = realloc(r->steps, (r->nr_steps + 1) * sizeof(*steps));
	if (!steps)
		return scn_fail(s, "snapshot: out of memory");
	r->steps = steps;
	st = &r->steps[r->nr_steps];
	memset(st, 0, sizeof(*st));
	st->name = strdup(a->words[0]);
	st->line = s->line;
	st->text = r->pending;
	r->pending = NULL;
	r->pending_len = 0;
	r->nr_steps++;
	if (!st->name)
		return scn_fail(s, "snapshot: out of memory");
	ret = foliage_render(s->m, "pfnmap", FOLIAGE_RENDER_SVG, &st->pfnmap);
	if (ret)
		return scn_fail(s, "snapshot: cannot render pfnmap: %s",
				scn_errstr(ret));
	ret = snap_zones(s, st);
	return ret ? ret : snap_counters(s, st);
}
