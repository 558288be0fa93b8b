/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GFP flags, with the bit values of Linux 6.18 on x86_64 (the values printed
 * in tracefs's mm_page_alloc format), so that gfp_flags in foliage's trace
 * output decode exactly like the kernel's.
 */
#ifndef _FOLIAGE_LINUX_GFP_TYPES_H
#define _FOLIAGE_LINUX_GFP_TYPES_H

#include <linux/compiler.h>

#define ___GFP_DMA		BIT(0)
#define ___GFP_HIGHMEM		BIT(1)
#define ___GFP_DMA32		BIT(2)
#define ___GFP_MOVABLE		BIT(3)
#define ___GFP_RECLAIMABLE	BIT(4)
#define ___GFP_HIGH		BIT(5)
#define ___GFP_IO		BIT(6)
#define ___GFP_FS		BIT(7)
#define ___GFP_ZERO		BIT(8)
#define ___GFP_DIRECT_RECLAIM	BIT(10)
#define ___GFP_KSWAPD_RECLAIM	BIT(11)
#define ___GFP_WRITE		BIT(12)
#define ___GFP_NOWARN		BIT(13)
#define ___GFP_RETRY_MAYFAIL	BIT(14)
#define ___GFP_NOFAIL		BIT(15)
#define ___GFP_NORETRY		BIT(16)
#define ___GFP_MEMALLOC		BIT(17)
#define ___GFP_COMP		BIT(18)
#define ___GFP_NOMEMALLOC	BIT(19)
#define ___GFP_HARDWALL		BIT(20)
#define ___GFP_THISNODE		BIT(21)
#define ___GFP_ACCOUNT		BIT(22)
#define ___GFP_ZEROTAGS		BIT(23)
#define ___GFP_NO_OBJ_EXT	BIT(24)

#define __GFP_DMA		((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM		((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32		((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE		((gfp_t)___GFP_MOVABLE)
#define __GFP_RECLAIMABLE	((gfp_t)___GFP_RECLAIMABLE)
#define __GFP_HIGH		((gfp_t)___GFP_HIGH)
#define __GFP_IO		((gfp_t)___GFP_IO)
#define __GFP_FS		((gfp_t)___GFP_FS)
#define __GFP_ZERO		((gfp_t)___GFP_ZERO)
#define __GFP_DIRECT_RECLAIM	((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_WRITE		((gfp_t)___GFP_WRITE)
#define __GFP_NOWARN		((gfp_t)___GFP_NOWARN)
#define __GFP_RETRY_MAYFAIL	((gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL		((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY		((gfp_t)___GFP_NORETRY)
#define __GFP_MEMALLOC		((gfp_t)___GFP_MEMALLOC)
#define __GFP_COMP		((gfp_t)___GFP_COMP)
#define __GFP_NOMEMALLOC	((gfp_t)___GFP_NOMEMALLOC)
#define __GFP_HARDWALL		((gfp_t)___GFP_HARDWALL)
#define __GFP_THISNODE		((gfp_t)___GFP_THISNODE)
#define __GFP_ACCOUNT		((gfp_t)___GFP_ACCOUNT)
#define __GFP_ZEROTAGS		((gfp_t)___GFP_ZEROTAGS)
#define __GFP_NO_OBJ_EXT	((gfp_t)___GFP_NO_OBJ_EXT)
#define __GFP_SKIP_KASAN	((gfp_t)0)

#define __GFP_BITS_SHIFT	25
#define __GFP_BITS_MASK		((gfp_t)((1U << __GFP_BITS_SHIFT) - 1))

#define GFP_ATOMIC	(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT (GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT	(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO	(__GFP_RECLAIM)
#define GFP_NOFS	(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA		__GFP_DMA
#define GFP_DMA32	__GFP_DMA32
#define GFP_HIGHUSER	(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN)
#define GFP_TRANSHUGE_LIGHT ((GFP_HIGHUSER_MOVABLE | __GFP_COMP | \
			      __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_RECLAIM)
#define GFP_TRANSHUGE	(GFP_TRANSHUGE_LIGHT | __GFP_DIRECT_RECLAIM)

#define GFP_MOVABLE_MASK	(__GFP_RECLAIMABLE | __GFP_MOVABLE)
#define GFP_MOVABLE_SHIFT	3

#endif /* _FOLIAGE_LINUX_GFP_TYPES_H */
