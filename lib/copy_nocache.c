// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy_nocache(): page copies with non-temporal stores.
 *
 * Guest RAM is a host memfd mapped with 4 KiB host pages.  A cached copy
 * of a large folio reads every destination line before overwriting it
 * (read-for-ownership), so it moves three bytes through the memory bus
 * for every two copied: glibc's memcpy() runs at about 60% of its own
 * large-copy speed on 2 MiB pieces on this host.  The streamed copy below
 * writes around the cache, and copies four pages side by side, two
 * 64-byte lines of each in turn with the source read ahead, so that four
 * DRAM pages stream at once rather than one (bench migrate measures it
 * beside memcpy() of 256 MiB, which glibc streams too).  SSE2 is part of
 * x86-64, so no CPU feature is probed; other hosts get memcpy().
 */
#include <stdint.h>
#include <string.h>

#include <linux/copy_nocache.h>

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>

#define NOCACHE_PAGE	4096UL
#define NOCACHE_LINE	64UL
#define NOCACHE_WAYS	4UL
#define NOCACHE_STEP	(2 * NOCACHE_LINE)	/* lines per page per turn */
#define NOCACHE_AHEAD	(4 * NOCACHE_LINE)	/* prefetch distance */

/* One 64-byte line, streamed. */
static inline void stream_line(char *dst, const char *src)
{
	const __m128i *s = (const __m128i *)src;
	__m128i *d = (__m128i *)dst;
	__m128i a = _mm_load_si128(s), b = _mm_load_si128(s + 1);
	__m128i c = _mm_load_si128(s + 2), e = _mm_load_si128(s + 3);

	_mm_stream_si128(d, a);
	_mm_stream_si128(d + 1, b);
	_mm_stream_si128(d + 2, c);
	_mm_stream_si128(d + 3, e);
}

void memcpy_nocache(void *dst, const void *src, size_t len)
{
	const char *s = src;
	char *d = dst;
	size_t off, line, way;

	if (len < COPY_NOCACHE_MIN ||
	    (((uintptr_t)d | (uintptr_t)s | len) & (NOCACHE_PAGE - 1))) {
		memcpy(dst, src, len);
		return;
	}
	/*
	 * Groups of four pages, two lines of each in turn, each page's
	 * source read ahead (a prefetch past the page's end is harmless).
	 */
	for (off = 0; off + NOCACHE_WAYS * NOCACHE_PAGE <= len;
	     off += NOCACHE_WAYS * NOCACHE_PAGE) {
		for (line = 0; line < NOCACHE_PAGE; line += NOCACHE_STEP) {
			for (way = 0; way < NOCACHE_WAYS; way++) {
				size_t at = off + way * NOCACHE_PAGE + line;

				_mm_prefetch(s + at + NOCACHE_AHEAD,
					     _MM_HINT_T0);
				_mm_prefetch(s + at + NOCACHE_AHEAD +
					     NOCACHE_LINE, _MM_HINT_T0);
				stream_line(d + at, s + at);
				stream_line(d + at + NOCACHE_LINE,
					    s + at + NOCACHE_LINE);
			}
		}
	}
	/* The last pages, fewer than four. */
	for (; off < len; off += NOCACHE_LINE)
		stream_line(d + off, s + off);
	_mm_sfence();
}
#else
void memcpy_nocache(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}
#endif
