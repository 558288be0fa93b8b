// SPDX-License-Identifier: GPL-2.0
/*
 * GFP flag names: parsing "GFP_KERNEL|__GFP_ZERO", and printing as the
 * kernel's tracepoints do (__print_flags over the same table, in the same
 * order as show_gfp_flags() in Linux 6.18's trace output).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct gfp_name {
	gfp_t mask;
	const char *name;
};

/* Order matters: composites first, as in the mm_page_alloc print fmt. */
static const struct gfp_name gfp_names[] = {
	{ GFP_TRANSHUGE, "GFP_TRANSHUGE" },
	{ GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ GFP_DMA, "GFP_DMA" },
	{ GFP_DMA32, "GFP_DMA32" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_DMA, "__GFP_DMA" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ __GFP_DMA32, "__GFP_DMA32" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_WRITE, "__GFP_WRITE" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ __GFP_ZEROTAGS, "__GFP_ZEROTAGS" },
	{ __GFP_NO_OBJ_EXT, "__GFP_NO_OBJ_EXT" },
};

int foliage_gfp_parse(const char *str, unsigned int *gfp)
{
	gfp_t result = 0;
	const char *p = str;

	if (!str || !*str)
		return -EINVAL;
	while (*p) {
		size_t len = strcspn(p, "|");
		size_t i;

		for (i = 0; i < ARRAY_SIZE(gfp_names); i++) {
			if (strlen(gfp_names[i].name) == len &&
			    !strncmp(gfp_names[i].name, p, len))
				break;
		}
		if (i == ARRAY_SIZE(gfp_names))
			return -EINVAL;
		result |= gfp_names[i].mask;
		p += len;
		if (*p == '|') {
			p++;
			if (!*p)
				return -EINVAL;
		}
	}
	*gfp = result;
	return 0;
}

int foliage_gfp_format(unsigned int gfp, char *buf, size_t len)
{
	size_t i, n = 0;
	gfp_t left = gfp;

	if (len)
		buf[0] = '\0';
	if (!gfp)
		return snprintf(buf, len, "none");
	for (i = 0; i < ARRAY_SIZE(gfp_names) && left; i++) {
		gfp_t mask = gfp_names[i].mask;

		if ((left & mask) != mask)
			continue;
		left &= ~mask;
		n += snprintf(buf + min(n, len), len - min(n, len), "%s%s",
			      n ? "|" : "", gfp_names[i].name);
	}
	if (left)
		n += snprintf(buf + min(n, len), len - min(n, len),
			      "%s0x%x", n ? "|" : "", left);
	return n;
}
