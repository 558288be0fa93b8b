/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state digest of the fail-Nth harnesses (docs/testing.md): text that
 * must read the same before an operation and after it failed.  Shared by
 * 'foliage run --fail-nth' and tests/unit/test_fail_nth.c; public API
 * renderings only.
 */
#ifndef _FOLIAGE_DIGEST_H
#define _FOLIAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

/* Append @text to the malloc()ed string *@d of *@len bytes. */
int digest_cat(char **d, size_t *len, const char *text);

/*
 * Append @smaps with the VMA boundaries left out: the VMAs as maximal
 * runs of adjacent VMAs that agree page by page (perms, offset, device,
 * inode, name, VmFlags), then the totals of the kB lines (Pss and the
 * page-size lines left out).  What an operation that failed after
 * keeping a VMA split must have left as it was.
 */
int digest_smaps_pages(char **d, size_t *len, const char *smaps);

/*
 * How many VMAs of a task's @maps (/proc/PID/maps text) overlap
 * [@addr, @addr + @len); *@whole: whether they cover it without a hole.
 */
int digest_vmas_in(const char *maps, unsigned long addr, unsigned long len,
		   bool *whole);

/* "before '...', after '...'": the first line where @a and @b differ. */
void digest_first_difference(const char *a, const char *b, char *out,
			     size_t len);

#endif /* _FOLIAGE_DIGEST_H */
