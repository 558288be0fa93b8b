/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Streaming copies of whole pages, for bulk moves whose destination the
 * copying CPU will not read soon: migration's folio_copy(), the DMA
 * engine's channels and the mtcopy migrator.  Like x86 Linux's
 * memcpy_flushcache() family, the destination is written with
 * non-temporal stores, which skip the read-for-ownership of every
 * destination line a cached copy pays; a DMA engine's writes likewise
 * bypass the CPU caches.  lib/copy_nocache.c says how.
 */
#ifndef _FOLIAGE_LINUX_COPY_NOCACHE_H
#define _FOLIAGE_LINUX_COPY_NOCACHE_H

#include <stddef.h>

/*
 * Copy @len bytes from @src to @dst.  Page-aligned buffers of at least
 * COPY_NOCACHE_MIN bytes are streamed; anything else is a memcpy().  The
 * stores are ordered (a store fence) before it returns.
 */
void memcpy_nocache(void *dst, const void *src, size_t len);

#define COPY_NOCACHE_MIN	4096UL		/* one page */

#endif /* _FOLIAGE_LINUX_COPY_NOCACHE_H */
