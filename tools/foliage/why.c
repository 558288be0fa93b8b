// SPDX-License-Identifier: GPL-2.0
/*
 * Why the library refused an operation, where the scenario's own values
 * tell: the library returns only an errno (as the syscalls do), and the
 * runner names the argument that, by Linux 6.18's checks, caused it
 * ("mmap: Invalid argument (-EINVAL): length 0").  Each returns @buf, or
 * NULL when the values do not explain the errno.
 */
#include <errno.h>
#include <stdio.h>

#include "scenario.h"

#define PAGE_BYTES	4096UL

static bool unaligned(uint64_t v)
{
	return v & (PAGE_BYTES - 1);
}

const char *scn_why_mmap(char *buf, size_t len, int err, unsigned long at,
			 uint64_t bytes, uint64_t off, bool fixed,
			 bool noreplace)
{
	switch (err) {
	case -EINVAL:
		if (unaligned(off))
			snprintf(buf, len, ": off=0x%llx is not page aligned",
				 (unsigned long long)off);
		else if (!bytes)
			snprintf(buf, len, ": length 0");
		else if ((fixed || noreplace) && unaligned(at))
			snprintf(buf, len, ": at=0x%lx is not page aligned",
				 at);
		else
			return NULL;
		return buf;
	case -ENOMEM:
		if (bytes > -PAGE_BYTES)
			snprintf(buf, len, ": length 0x%llx rounds up past the "
				 "address space", (unsigned long long)bytes);
		else
			snprintf(buf, len, ": no free range of 0x%llx bytes (or "
				 "vm.max_map_count mappings reached)",
				 (unsigned long long)bytes);
		return buf;
	case -EOVERFLOW:
		snprintf(buf, len, ": off=0x%llx + length 0x%llx passes the "
			 "largest file offset (2^63 - 1)",
			 (unsigned long long)off, (unsigned long long)bytes);
		return buf;
	case -EEXIST:
		snprintf(buf, len, ": noreplace: [0x%lx, +0x%llx) overlaps a "
			 "mapping", at, (unsigned long long)bytes);
		return buf;
	}
	return NULL;
}

const char *scn_why_range(char *buf, size_t len, int err, unsigned long start,
			  unsigned long bytes)
{
	switch (err) {
	case -EINVAL:
		if (unaligned(start))
			snprintf(buf, len, ": start 0x%lx is not page aligned",
				 start);
		else if (!bytes)
			snprintf(buf, len, ": length 0");
		else
			return NULL;
		return buf;
	case -ENOMEM:
		snprintf(buf, len, ": [0x%lx, +0x%lx) is not all mapped", start,
			 bytes);
		return buf;
	}
	return NULL;
}
