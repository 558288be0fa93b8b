// SPDX-License-Identifier: GPL-2.0
/*
 * The state digest of the fail-Nth harnesses (digest.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

#define DIGEST_MAX_KEYS	32		/* distinct kB lines of smaps */

int digest_cat(char **d, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *p = realloc(*d, *len + n + 1);

	if (!p)
		return -ENOMEM;
	memcpy(p + *len, text, n + 1);
	*d = p;
	*len += n;
	return 0;
}

/* The value of a "Key:   N kB" line into @key, or -1. */
static long kb_line(const char *line, size_t n, char *key, size_t keylen)
{
	const char *colon = memchr(line, ':', n);
	long v;

	if (!colon || (size_t)(colon - line) >= keylen ||
	    sscanf(colon + 1, "%ld kB", &v) != 1 ||
	    !memmem(colon, n - (size_t)(colon - line), " kB", 3))
		return -1;
	memcpy(key, line, (size_t)(colon - line));
	key[colon - line] = '\0';
	return v;
}

/* A run of pages digest_smaps_pages() is extending. */
struct page_run {
	unsigned long start;		/* first byte */
	unsigned long end;		/* byte after the last */
	unsigned long off;		/* the file offset of start */
	char attrs[512];		/* perms, device, inode, name, VmFlags */
};

static int flush_run(char **d, size_t *len, struct page_run *r)
{
	char buf[640];

	if (r->start == r->end)
		return 0;
	snprintf(buf, sizeof(buf), "%lx-%lx %08lx %s\n", r->start, r->end,
		 r->off, r->attrs);
	r->start = r->end = 0;
	return digest_cat(d, len, buf);
}

/* Fold VmFlags line @line of the VMA @vma into the run @run. */
static void fold_vma(struct page_run *run, struct page_run *vma,
		     const char *rest, const char *line, size_t n)
{
	unsigned long inode;
	bool anon;

	snprintf(vma->attrs, sizeof(vma->attrs), "%s |%.*s", rest,
		 (int)n - 8, line + 8);
	/* Anonymous VMAs show offset 0 (inode 0). */
	anon = sscanf(rest, "%*s %*s %lu", &inode) == 1 && !inode;
	if (vma->start == run->end && !strcmp(vma->attrs, run->attrs) &&
	    (anon || vma->off == run->off + (run->end - run->start))) {
		run->end = vma->end;
		return;
	}
	*run = *vma;
}

int digest_smaps_pages(char **d, size_t *len, const char *smaps)
{
	char keys[DIGEST_MAX_KEYS][32], buf[128], perms[8], rest[256] = "";
	struct page_run run = { 0 }, vma = { 0 };
	long sums[DIGEST_MAX_KEYS] = { 0 };
	const char *line = smaps;
	int nkeys = 0, i, ret = 0;

	for (;;) {
		size_t n = strcspn(line, "\n");
		unsigned long start, end, off;
		char key[32];
		long v;

		if (n && sscanf(line, "%lx-%lx %7s %lx", &start, &end, perms,
				&off) == 4) {
			int skip = 0;

			vma.start = start;
			vma.end = end;
			vma.off = off;
			/* After the offset: device, inode, name. */
			sscanf(line, "%*s %*s %*s %n", &skip);
			snprintf(rest, sizeof(rest), "%s %.*s", perms,
				 (int)n - skip, line + skip);
		} else if (n > 8 && !strncmp(line, "VmFlags:", 8)) {
			/* The VMA's last line. */
			struct page_run prev = run;

			fold_vma(&run, &vma, rest, line, n);
			if (run.start != prev.start && !ret)
				ret = flush_run(d, len, &prev);
		} else if ((v = kb_line(line, n, key, sizeof(key))) >= 0 &&
			   strncmp(key, "Pss", 3) &&
			   strcmp(key, "KernelPageSize") &&
			   strcmp(key, "MMUPageSize")) {
			for (i = 0; i < nkeys && strcmp(keys[i], key); i++)
				;
			if (i == nkeys && nkeys < DIGEST_MAX_KEYS)
				strcpy(keys[nkeys++], key);
			if (i < nkeys)
				sums[i] += v;
		}
		if (!line[n])
			break;
		line += n + 1;
	}
	if (!ret)
		ret = flush_run(d, len, &run);
	for (i = 0; i < nkeys && !ret; i++) {
		snprintf(buf, sizeof(buf), "total %s %ld\n", keys[i], sums[i]);
		ret = digest_cat(d, len, buf);
	}
	return ret;
}

int digest_vmas_in(const char *maps, unsigned long addr, unsigned long len,
		   bool *whole)
{
	unsigned long start, end, next = addr;
	const char *line;
	int nr = 0;

	for (line = maps; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (sscanf(line, "%lx-%lx", &start, &end) != 2)
			continue;
		if (start <= next && end > next)
			next = end;
		nr += start < addr + len && end > addr;
	}
	*whole = next >= addr + len;
	return nr;
}

void digest_first_difference(const char *a, const char *b, char *out,
			     size_t len)
{
	const char *la = a, *lb = b;

	for (; *a && *a == *b; a++, b++)
		if (*a == '\n') {
			la = a + 1;
			lb = b + 1;
		}
	snprintf(out, len, "before '%.*s', after '%.*s'",
		 (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}
