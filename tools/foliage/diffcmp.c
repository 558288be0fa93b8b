// SPDX-License-Identifier: GPL-2.0
/*
 * diffcmp: parse maps/smaps, compare them, compare page states and object
 * counts, and tell the first divergence (diffcmp.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diffcmp.h"

#define PAGE_BYTES	4096UL

const char *const dc_field_name[DC_NR_FIELDS] = {
	[DC_SIZE] = "Size",
	[DC_KERNEL_PAGE_SIZE] = "KernelPageSize",
	[DC_MMU_PAGE_SIZE] = "MMUPageSize",
	[DC_RSS] = "Rss",
	[DC_PSS] = "Pss",
	[DC_PSS_DIRTY] = "Pss_Dirty",
	[DC_SHARED_CLEAN] = "Shared_Clean",
	[DC_SHARED_DIRTY] = "Shared_Dirty",
	[DC_PRIVATE_CLEAN] = "Private_Clean",
	[DC_PRIVATE_DIRTY] = "Private_Dirty",
	[DC_REFERENCED] = "Referenced",
	[DC_ANONYMOUS] = "Anonymous",
	[DC_KSM] = "KSM",
	[DC_LAZYFREE] = "LazyFree",
	[DC_ANON_HUGE_PAGES] = "AnonHugePages",
	[DC_SHMEM_PMD_MAPPED] = "ShmemPmdMapped",
	[DC_FILE_PMD_MAPPED] = "FilePmdMapped",
	[DC_SHARED_HUGETLB] = "Shared_Hugetlb",
	[DC_PRIVATE_HUGETLB] = "Private_Hugetlb",
	[DC_SWAP] = "Swap",
	[DC_SWAP_PSS] = "SwapPss",
	[DC_LOCKED] = "Locked",
	[DC_THP_ELIGIBLE] = "THPeligible",
};

/* ---- parsing ------------------------------------------------------------ */

/*
 * "start-end perms offset major:minor inode   path".  sscanf() measures
 * the whole string it is given, so it is given a copy of the line's
 * numbers alone: on the rest of the buffer, parsing would be quadratic.
 */
static bool parse_header(const char *text, size_t len, struct dc_vma *v)
{
	char line[128];
	size_t n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;
	int at = 0;

	memcpy(line, text, n);
	line[n] = '\0';
	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %lu%n", &v->start, &v->end,
		   v->perms, &v->offset, &v->dev_major, &v->dev_minor,
		   &v->inode, &at) != 7 || strlen(v->perms) != 4 ||
	    (size_t)at > len)
		return false;
	text += at;
	len -= at;
	while (len && *text == ' ') {
		text++;
		len--;
	}
	while (len && text[len - 1] == ' ')
		len--;
	n = len < DC_PATH_MAX - 1 ? len : DC_PATH_MAX - 1;
	memcpy(v->path, text, n);
	v->path[n] = '\0';
	memset(v->value, 0xff, sizeof(v->value));	/* all -1: absent */
	return true;
}

/* "Name:   value kB" or "VmFlags: rd wr": true if it is a field line. */
static bool parse_field(const char *line, size_t len, struct dc_vma *v)
{
	const char *colon = memchr(line, ':', len);
	size_t name_len;
	int i;

	if (!colon || colon == line)
		return false;
	name_len = colon - line;
	if (name_len == 7 && !strncmp(line, "VmFlags", 7)) {
		size_t n = len - name_len - 1;

		colon++;
		while (n && *colon == ' ') {
			colon++;
			n--;
		}
		while (n && colon[n - 1] == ' ')
			n--;
		if (n >= DC_VMFLAGS_MAX)
			n = DC_VMFLAGS_MAX - 1;
		memcpy(v->vmflags, colon, n);
		v->vmflags[n] = '\0';
		return true;
	}
	for (i = 0; i < DC_NR_FIELDS; i++) {
		if (strlen(dc_field_name[i]) == name_len &&
		    !strncmp(line, dc_field_name[i], name_len)) {
			v->value[i] = strtol(colon + 1, NULL, 10);
			return true;
		}
	}
	/* A field this file does not compare (Swap-like additions). */
	return true;
}

int dc_parse_maps(const char *text, unsigned long lo, unsigned long hi,
		  struct dc_maps *out)
{
	struct dc_vma cur, *more;
	unsigned int cap = 0;
	bool keep = false;
	const char *p;

	memset(out, 0, sizeof(*out));
	for (p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len && parse_header(p, len, &cur)) {
			keep = cur.start < hi && cur.end > lo;
			if (keep && out->nr == cap) {
				cap = cap ? 2 * cap : 64;
				more = realloc(out->vma, cap * sizeof(*more));
				if (!more) {
					dc_maps_free(out);
					return -ENOMEM;
				}
				out->vma = more;
			}
			if (keep)
				out->vma[out->nr++] = cur;
		} else if (len && !parse_field(p, len,
					       keep ? &out->vma[out->nr - 1] :
					       &cur)) {
			dc_maps_free(out);
			return -EINVAL;
		}
		p += len + (nl != NULL);
	}
	return 0;
}

void dc_maps_free(struct dc_maps *maps)
{
	free(maps->vma);
	memset(maps, 0, sizeof(*maps));
}

void dc_path_key(const char *path, char *key, size_t len)
{
	static const char deleted[] = " (deleted)";
	size_t n;

	if (!strncmp(path, "/memfd:", 7))
		path += 7;
	else if (path[0] == '/')
		path++;
	n = strlen(path);
	if (n >= sizeof(deleted) - 1 &&
	    !strcmp(path + n - (sizeof(deleted) - 1), deleted))
		n -= sizeof(deleted) - 1;
	if (n >= len)
		n = len - 1;
	memcpy(key, path, n);
	key[n] = '\0';
}

/* ---- divergences -------------------------------------------------------- */

static int diverge(struct dc_divergence *div, const char *task,
		   unsigned long addr, const char *field)
{
	memset(div, 0, sizeof(*div));
	snprintf(div->task, sizeof(div->task), "%s", task);
	div->addr = addr;
	snprintf(div->field, sizeof(div->field), "%s", field);
	return 1;
}

int dc_divergence_format(const struct dc_divergence *d, char *buf,
			 size_t len)
{
	char where[32] = "";

	if (d->addr)
		snprintf(where, sizeof(where), " %#lx", d->addr);
	return snprintf(buf, len, "task %s%s %s: foliage %s, Linux %s",
			d->task, where, d->field, d->foliage, d->real);
}

/* ---- maps and smaps ------------------------------------------------------ */

static void describe_vma(const struct dc_vma *v, char *buf, size_t len)
{
	if (!v)
		snprintf(buf, len, "(no VMA)");
	else
		snprintf(buf, len, "%lx-%lx %s", v->start, v->end, v->perms);
}

static void describe_value(enum dc_field f, long value, char *buf,
			   size_t len)
{
	if (value < 0)
		snprintf(buf, len, "(absent)");
	else if (f == DC_THP_ELIGIBLE)
		snprintf(buf, len, "%ld", value);
	else
		snprintf(buf, len, "%ld kB", value);
}

/* Compare two VMAs known to have the same range. */
static int compare_vma(const char *task, const struct dc_vma *f,
		       const struct dc_vma *r, uint64_t fields,
		       unsigned int flags, struct dc_divergence *div)
{
	char fkey[DC_PATH_MAX], rkey[DC_PATH_MAX];
	int i;

	if (strcmp(f->perms, r->perms)) {
		diverge(div, task, f->start, "perms");
		snprintf(div->foliage, sizeof(div->foliage), "%s", f->perms);
		snprintf(div->real, sizeof(div->real), "%s", r->perms);
		return 1;
	}
	if (f->offset != r->offset) {
		diverge(div, task, f->start, "offset");
		snprintf(div->foliage, sizeof(div->foliage), "%#llx",
			 f->offset);
		snprintf(div->real, sizeof(div->real), "%#llx", r->offset);
		return 1;
	}
	dc_path_key(f->path, fkey, sizeof(fkey));
	dc_path_key(r->path, rkey, sizeof(rkey));
	if (strcmp(fkey, rkey)) {
		diverge(div, task, f->start, "file");
		snprintf(div->foliage, sizeof(div->foliage), "'%.150s'",
			 f->path);
		snprintf(div->real, sizeof(div->real), "'%.150s'", r->path);
		return 1;
	}
	for (i = 0; i < DC_NR_FIELDS; i++) {
		if (!(fields & DC_FIELD(i)) || f->value[i] == r->value[i])
			continue;
		diverge(div, task, f->start, dc_field_name[i]);
		describe_value(i, f->value[i], div->foliage,
			       sizeof(div->foliage));
		describe_value(i, r->value[i], div->real, sizeof(div->real));
		return 1;
	}
	if ((flags & DC_CMP_VMFLAGS) && strcmp(f->vmflags, r->vmflags)) {
		diverge(div, task, f->start, "VmFlags");
		snprintf(div->foliage, sizeof(div->foliage), "%s", f->vmflags);
		snprintf(div->real, sizeof(div->real), "%s", r->vmflags);
		return 1;
	}
	return 0;
}

int dc_compare_maps(const char *task, const struct dc_maps *foliage,
		    const struct dc_maps *real, uint64_t fields,
		    unsigned int flags, struct dc_divergence *div)
{
	unsigned int i;

	for (i = 0; i < foliage->nr || i < real->nr; i++) {
		const struct dc_vma *f = i < foliage->nr ? &foliage->vma[i] :
					 NULL;
		const struct dc_vma *r = i < real->nr ? &real->vma[i] : NULL;

		if (!f || !r || f->start != r->start || f->end != r->end) {
			unsigned long addr = !f ? r->start : !r ? f->start :
					     f->start < r->start ? f->start :
					     r->start;

			diverge(div, task, addr, "vma");
			describe_vma(f, div->foliage, sizeof(div->foliage));
			describe_vma(r, div->real, sizeof(div->real));
			return 1;
		}
		if (compare_vma(task, f, r, fields, flags, div))
			return 1;
	}
	return 0;
}

/* ---- pages ----------------------------------------------------------------- */

void dc_page_from_pagemap(uint64_t entry, bool zero, struct dc_page *page)
{
	memset(page, 0, sizeof(*page));
	page->present = entry >> 63 & 1;
	if (!page->present)
		return;
	page->zero = zero;
	page->file = entry >> 61 & 1;
	page->exclusive = entry >> 56 & 1;
	page->frame = zero ? 0 : entry & ((1ULL << 55) - 1);
}

/* A page of one side, for sorting by frame. */
struct frame_ref {
	uint64_t frame;			/* its frame */
	unsigned long index;		/* its position over all sets */
};

static int frame_ref_cmp(const void *a, const void *b)
{
	const struct frame_ref *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * For every page of @sets (numbered across the sets in order), the number
 * of the first page that maps the same frame (itself if none before it);
 * ULONG_MAX for pages that are not present or are the zero page.
 */
static int sharing_leaders(const struct dc_page_set *sets,
			   unsigned int nr_sets, unsigned long total,
			   unsigned long **out)
{
	unsigned long *leader = malloc((total ? total : 1) * sizeof(*leader));
	struct frame_ref *refs = malloc((total ? total : 1) * sizeof(*refs));
	unsigned long nr_refs = 0, index = 0, i;
	unsigned int s;

	if (!leader || !refs) {
		free(leader);
		free(refs);
		return -ENOMEM;
	}
	for (s = 0; s < nr_sets; s++) {
		for (i = 0; i < sets[s].nr; i++, index++) {
			const struct dc_page *p = &sets[s].pages[i];

			leader[index] = ULONG_MAX;
			if (p->present && !p->zero)
				refs[nr_refs++] = (struct frame_ref) {
					.frame = p->frame, .index = index };
		}
	}
	qsort(refs, nr_refs, sizeof(*refs), frame_ref_cmp);
	for (i = 0; i < nr_refs; i++)
		leader[refs[i].index] = i && refs[i - 1].frame == refs[i].frame ?
					leader[refs[i - 1].index] :
					refs[i].index;
	free(refs);
	*out = leader;
	return 0;
}

/* The set and address of page number @index. */
static void page_at(const struct dc_page_set *sets, unsigned long index,
		    unsigned int *set, unsigned long *addr)
{
	unsigned int s = 0;

	while (index >= sets[s].nr)
		index -= sets[s++].nr;
	*set = s;
	*addr = sets[s].addr + index * PAGE_BYTES;
}

static void describe_sharing(const struct dc_page_set *sets,
			     unsigned long index, unsigned long leader,
			     char *buf, size_t len)
{
	unsigned long addr;
	unsigned int set;

	if (leader == index) {
		snprintf(buf, len, "a frame of its own");
		return;
	}
	page_at(sets, leader, &set, &addr);
	snprintf(buf, len, "the frame of task %s %#lx", sets[set].task, addr);
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* Compare page @f with page @r (of task @task at @addr), not sharing. */
static int compare_page(const char *task, unsigned long addr,
			const struct dc_page *f, const struct dc_page *r,
			struct dc_divergence *div)
{
	static const struct {
		const char *name;		/* the field */
		size_t offset;			/* of its bool */
	} bits[] = {
		{ "present", offsetof(struct dc_page, present) },
		{ "zero page", offsetof(struct dc_page, zero) },
		{ "file (PM_FILE)", offsetof(struct dc_page, file) },
		{ "exclusive (PM_MMAP_EXCLUSIVE)",
		  offsetof(struct dc_page, exclusive) },
	};
	size_t i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		bool fb = *(const bool *)((const char *)f + bits[i].offset);
		bool rb = *(const bool *)((const char *)r + bits[i].offset);

		if (fb == rb)
			continue;
		diverge(div, task, addr, bits[i].name);
		snprintf(div->foliage, sizeof(div->foliage), "%s", yes_no(fb));
		snprintf(div->real, sizeof(div->real), "%s", yes_no(rb));
		return 1;
	}
	return 0;
}

int dc_compare_pages(const struct dc_page_set *foliage,
		     const struct dc_page_set *real, unsigned int nr_sets,
		     struct dc_divergence *div)
{
	unsigned long total = 0, index = 0, i, *fl = NULL, *rl = NULL;
	unsigned int s;
	int ret;

	for (s = 0; s < nr_sets; s++) {
		if (foliage[s].addr != real[s].addr ||
		    foliage[s].nr != real[s].nr)
			return -EINVAL;
		total += foliage[s].nr;
	}
	for (s = 0; s < nr_sets; s++)
		for (i = 0; i < foliage[s].nr; i++)
			if (compare_page(foliage[s].task,
					 foliage[s].addr + i * PAGE_BYTES,
					 &foliage[s].pages[i],
					 &real[s].pages[i], div))
				return 1;
	ret = sharing_leaders(foliage, nr_sets, total, &fl);
	if (!ret)
		ret = sharing_leaders(real, nr_sets, total, &rl);
	for (index = 0; !ret && index < total; index++) {
		unsigned long addr;

		if (fl[index] == rl[index])
			continue;
		page_at(foliage, index, &s, &addr);
		diverge(div, foliage[s].task, addr, "frame");
		describe_sharing(foliage, index, fl[index], div->foliage,
				 sizeof(div->foliage));
		describe_sharing(real, index, rl[index], div->real,
				 sizeof(div->real));
		ret = 1;
	}
	free(fl);
	free(rl);
	return ret;
}

/* ---- object counts --------------------------------------------------------- */

void dc_parse_slabinfo(const char *text, const char *const *names,
		       unsigned int nr, struct dc_slab_row *rows)
{
	const char *p;
	unsigned int i;

	memset(rows, 0, nr * sizeof(*rows));
	for (p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		struct dc_slab_row r = { .found = true };
		char name[64];

		if (sscanf(p, "%63s %lu %lu %lu %lu %lu", name, &r.active_objs,
			   &r.num_objs, &r.objsize, &r.objperslab,
			   &r.pagesperslab) != 6)
			continue;
		for (i = 0; i < nr; i++)
			if (!strcmp(name, names[i]))
				rows[i] = r;
	}
}

int dc_compare_count(const char *what, long foliage, long real,
		     long tolerance, struct dc_divergence *div)
{
	long d = foliage - real;

	if (d <= tolerance && -d <= tolerance)
		return 0;
	diverge(div, "-", 0, what);
	snprintf(div->foliage, sizeof(div->foliage), "%ld", foliage);
	if (tolerance)
		snprintf(div->real, sizeof(div->real), "%ld (tolerance %ld)",
			 real, tolerance);
	else
		snprintf(div->real, sizeof(div->real), "%ld", real);
	return 1;
}
