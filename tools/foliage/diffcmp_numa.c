// SPDX-License-Identifier: GPL-2.0
/*
 * diffcmp: numa_maps parsed and compared (diffcmp.h).  Both sides print
 * Linux's show_numa_map() line; what differs between them by nature is
 * left to the same normalisation as maps: files by name (dc_path_key()),
 * and active=, which on the real side follows the host's LRU aging, only
 * when asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffcmp.h"

const char *const dc_numa_field_name[DC_NUMA_NR_FIELDS] = {
	[DC_NUMA_ANON] = "anon",
	[DC_NUMA_DIRTY] = "dirty",
	[DC_NUMA_MAPPED] = "mapped",
	[DC_NUMA_MAPMAX] = "mapmax",
	[DC_NUMA_SWAPCACHE] = "swapcache",
	[DC_NUMA_ACTIVE] = "active",
	[DC_NUMA_WRITEBACK] = "writeback",
	[DC_NUMA_KERNELPAGESIZE] = "kernelpagesize_kB",
};

/* seq_file_path()'s "\ooo" escapes undone, at most @len bytes with NUL. */
static void unescape_path(const char *from, size_t n, char *to, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++) {
		if (from[i] == '\\' && i + 3 < n &&
		    from[i + 1] >= '0' && from[i + 1] <= '3' &&
		    from[i + 2] >= '0' && from[i + 2] <= '7' &&
		    from[i + 3] >= '0' && from[i + 3] <= '7') {
			to[o++] = (char)((from[i + 1] - '0') << 6 |
					 (from[i + 2] - '0') << 3 |
					 (from[i + 3] - '0'));
			i += 3;
			continue;
		}
		to[o++] = from[i];
	}
	to[o] = '\0';
}

/* One word "key=value" or "heap"/"stack"/"huge" of a line. */
static bool parse_word(const char *w, size_t n, struct dc_numa_vma *v)
{
	const char *eq = memchr(w, '=', n);
	char num[32];
	size_t key_len;
	int i;

	if (!eq) {
		if ((n == 4 && !strncmp(w, "heap", 4)) ||
		    (n == 5 && !strncmp(w, "stack", 5))) {
			snprintf(v->kind, sizeof(v->kind), "%.*s", (int)n, w);
			return true;
		}
		if (n == 4 && !strncmp(w, "huge", 4)) {
			v->huge = true;
			return true;
		}
		return false;
	}
	key_len = eq - w;
	if (key_len == 4 && !strncmp(w, "file", 4)) {
		unescape_path(eq + 1, n - key_len - 1, v->path,
			      sizeof(v->path));
		return true;
	}
	if (n - key_len - 1 >= sizeof(num) || n - key_len - 1 == 0)
		return false;
	memcpy(num, eq + 1, n - key_len - 1);
	num[n - key_len - 1] = '\0';
	if (w[0] == 'N' && key_len > 1 && key_len < 4) {
		int nid = atoi(w + 1);

		if (nid < 0 || nid >= DC_NUMA_NODES)
			return false;
		v->node[nid] = strtol(num, NULL, 10);
		return true;
	}
	for (i = 0; i < DC_NUMA_NR_FIELDS; i++) {
		if (strlen(dc_numa_field_name[i]) == key_len &&
		    !strncmp(w, dc_numa_field_name[i], key_len)) {
			v->value[i] = strtol(num, NULL, 10);
			return true;
		}
	}
	/* A count a later kernel added: not compared. */
	return true;
}

size_t dc_numa_policy_len(const char *p, size_t len)
{
	static const char *const two_words[] = {
		"prefer (many)", "weighted interleave",
	};
	size_t i, n = strcspn(p, " \n");

	for (i = 0; i < sizeof(two_words) / sizeof(two_words[0]); i++) {
		size_t w = strlen(two_words[i]);

		if (len >= w && !strncmp(p, two_words[i], w))
			n = w + strcspn(p + w, " \n");
	}
	return n;
}

/* "START POLICY words...": false if it is not such a line. */
static bool parse_line(const char *p, size_t len, struct dc_numa_vma *v)
{
	const char *end = p + len, *w;
	char *after;
	size_t n;

	memset(v, 0, sizeof(*v));
	v->start = strtoul(p, &after, 16);
	if (after == p || after >= end || *after != ' ')
		return false;
	p = after + 1;
	n = dc_numa_policy_len(p, end - p);
	if (!n || p + n > end || n >= sizeof(v->policy))
		return false;
	memcpy(v->policy, p, n);
	v->policy[n] = '\0';
	v->value[DC_NUMA_ACTIVE] = -1;
	for (w = p + n; w < end;) {
		while (w < end && *w == ' ')
			w++;
		if (w == end)
			break;
		n = strcspn(w, " \n");
		if (w + n > end)
			n = end - w;
		if (!parse_word(w, n, v))
			return false;
		w += n;
	}
	/*
	 * active= is left out when every page is active: then it is the
	 * pages mapped, which mapped= says, or else the larger of anon=
	 * and dirty= (mapped= is left out when it equals one of them).
	 */
	if (v->value[DC_NUMA_ACTIVE] < 0)
		v->value[DC_NUMA_ACTIVE] = v->value[DC_NUMA_MAPPED] ?:
			(v->value[DC_NUMA_ANON] > v->value[DC_NUMA_DIRTY] ?
			 v->value[DC_NUMA_ANON] : v->value[DC_NUMA_DIRTY]);
	return true;
}

int dc_parse_numa_maps(const char *text, unsigned long lo, unsigned long hi,
		       struct dc_numa_maps *out)
{
	struct dc_numa_vma cur, *more;
	unsigned int cap = 0;
	const char *p;

	memset(out, 0, sizeof(*out));
	for (p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len && !parse_line(p, len, &cur)) {
			dc_numa_maps_free(out);
			return -EINVAL;
		}
		if (len && cur.start >= lo && cur.start < hi) {
			if (out->nr == cap) {
				cap = cap ? 2 * cap : 64;
				more = realloc(out->vma, cap * sizeof(*more));
				if (!more) {
					dc_numa_maps_free(out);
					return -ENOMEM;
				}
				out->vma = more;
			}
			out->vma[out->nr++] = cur;
		}
		p += len + (nl != NULL);
	}
	return 0;
}

void dc_numa_maps_free(struct dc_numa_maps *maps)
{
	free(maps->vma);
	memset(maps, 0, sizeof(*maps));
}

/* Fill *@div: "numa_maps @field", both values as strings. */
static int numa_diverge(struct dc_divergence *div, const char *task,
			unsigned long addr, const char *field,
			const char *foliage, const char *real)
{
	memset(div, 0, sizeof(*div));
	snprintf(div->task, sizeof(div->task), "%s", task);
	div->addr = addr;
	snprintf(div->field, sizeof(div->field), "numa_maps %s", field);
	/* A policy or file name longer than the record is cut short. */
	snprintf(div->foliage, sizeof(div->foliage), "%.*s",
		 (int)sizeof(div->foliage) - 1, foliage);
	snprintf(div->real, sizeof(div->real), "%.*s",
		 (int)sizeof(div->real) - 1, real);
	return 1;
}

static int numa_diverge_count(struct dc_divergence *div, const char *task,
			      unsigned long addr, const char *field,
			      long foliage, long real)
{
	char f[32], r[32];

	snprintf(f, sizeof(f), "%ld", foliage);
	snprintf(r, sizeof(r), "%ld", real);
	return numa_diverge(div, task, addr, field, f, r);
}

/* Two lines known to have the same start. */
static int compare_line(const char *task, const struct dc_numa_vma *f,
			const struct dc_numa_vma *r, unsigned int flags,
			struct dc_divergence *div)
{
	char fkey[DC_PATH_MAX], rkey[DC_PATH_MAX], name[8];
	int i;

	if (strcmp(f->policy, r->policy))
		return numa_diverge(div, task, f->start, "policy", f->policy,
				    r->policy);
	dc_path_key(f->path, fkey, sizeof(fkey));
	dc_path_key(r->path, rkey, sizeof(rkey));
	if (strcmp(fkey, rkey) || !f->path[0] != !r->path[0])
		return numa_diverge(div, task, f->start, "file", f->path,
				    r->path);
	if (strcmp(f->kind, r->kind))
		return numa_diverge(div, task, f->start, "kind", f->kind,
				    r->kind);
	if (f->huge != r->huge)
		return numa_diverge(div, task, f->start, "huge",
				    f->huge ? "huge" : "-",
				    r->huge ? "huge" : "-");
	for (i = 0; i < DC_NUMA_NODES; i++) {
		if (f->node[i] == r->node[i])
			continue;
		snprintf(name, sizeof(name), "N%d", i);
		return numa_diverge_count(div, task, f->start, name,
					  f->node[i], r->node[i]);
	}
	for (i = 0; i < DC_NUMA_NR_FIELDS; i++) {
		if (f->value[i] == r->value[i] ||
		    (i == DC_NUMA_ACTIVE && !(flags & DC_CMP_NUMA_ACTIVE)))
			continue;
		return numa_diverge_count(div, task, f->start,
					  dc_numa_field_name[i], f->value[i],
					  r->value[i]);
	}
	return 0;
}

int dc_compare_numa_maps(const char *task, const struct dc_numa_maps *foliage,
			 const struct dc_numa_maps *real, unsigned int flags,
			 struct dc_divergence *div)
{
	unsigned int i;
	char fs[32], rs[32];

	for (i = 0; i < foliage->nr || i < real->nr; i++) {
		const struct dc_numa_vma *f = i < foliage->nr ?
					      &foliage->vma[i] : NULL;
		const struct dc_numa_vma *r = i < real->nr ? &real->vma[i] :
					      NULL;

		if (!f || !r || f->start != r->start) {
			unsigned long addr = !f ? r->start : !r ? f->start :
					     f->start < r->start ? f->start :
					     r->start;

			snprintf(fs, sizeof(fs), "(no line)");
			snprintf(rs, sizeof(rs), "(no line)");
			if (f)
				snprintf(fs, sizeof(fs), "%lx", f->start);
			if (r)
				snprintf(rs, sizeof(rs), "%lx", r->start);
			return numa_diverge(div, task, addr, "line", fs, rs);
		}
		if (compare_line(task, f, r, flags, div))
			return 1;
	}
	return 0;
}
