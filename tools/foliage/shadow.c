// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow memory of a scenario's task (shadow.h): the claims "this byte
 * holds this value", kept per page in an RB tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shadow.h"

#define VALID_WORDS	(SHADOW_PAGE_SIZE / 64)

static int page_cmp(const struct shadow_page *a, const struct shadow_page *b)
{
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

RB_GENERATE_INTERNAL(shadow_tree, shadow_page, node, page_cmp,
		     static __attribute__((unused)))

void shadow_init(struct shadow *sh)
{
	RB_INIT(&sh->root);
	sh->nr_pages = 0;
	sh->nr_bytes = 0;
}

static void page_free(struct shadow_page *p)
{
	free(p->data);
	free(p->valid);
	free(p);
}

/* Claimed bytes of @p. */
static unsigned long page_bytes(const struct shadow_page *p)
{
	unsigned long n = 0;
	unsigned int i;

	if (p->kind != SHADOW_BYTES)
		return SHADOW_PAGE_SIZE;
	for (i = 0; i < VALID_WORDS; i++)
		n += __builtin_popcountll(p->valid[i]);
	return n;
}

static void page_insert(struct shadow *sh, struct shadow_page *p)
{
	RB_INSERT(shadow_tree, &sh->root, p);
	sh->nr_pages++;
	sh->nr_bytes += page_bytes(p);
}

static void page_remove(struct shadow *sh, struct shadow_page *p)
{
	sh->nr_bytes -= page_bytes(p);
	sh->nr_pages--;
	RB_REMOVE(shadow_tree, &sh->root, p);
}

void shadow_destroy(struct shadow *sh)
{
	struct shadow_page *p, *next;

	RB_FOREACH_SAFE(p, shadow_tree, &sh->root, next) {
		RB_REMOVE(shadow_tree, &sh->root, p);
		page_free(p);
	}
	shadow_init(sh);
}

/* splitmix64: a well-mixed 64-bit value for each input. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t shadow_seed(unsigned long addr, int pid, unsigned int line)
{
	return mix64(addr) ^ mix64(((uint64_t)(unsigned int)pid << 32) | line);
}

void shadow_pattern(uint64_t seed, unsigned char *page)
{
	unsigned int i;

	for (i = 0; i < SHADOW_PAGE_SIZE / 8; i++) {
		uint64_t w = mix64(seed + i);

		memcpy(page + 8 * i, &w, 8);
	}
}

struct shadow_page *shadow_first(struct shadow *sh)
{
	return RB_MIN(shadow_tree, &sh->root);
}

struct shadow_page *shadow_next(struct shadow *sh, struct shadow_page *p)
{
	return RB_NEXT(shadow_tree, &sh->root, p);
}

static void page_unclaim(struct shadow *sh, struct shadow_page *p,
			 size_t off, size_t n);

static struct shadow_page *page_find(struct shadow *sh, unsigned long addr)
{
	struct shadow_page key = { .addr = addr };

	return RB_FIND(shadow_tree, &sh->root, &key);
}

struct shadow_page *shadow_find(struct shadow *sh, unsigned long addr)
{
	return page_find(sh, addr);
}

/* The first page at or above @addr. */
static struct shadow_page *page_from(struct shadow *sh, unsigned long addr)
{
	struct shadow_page key = { .addr = addr & SHADOW_PAGE_MASK };

	return RB_NFIND(shadow_tree, &sh->root, &key);
}

/*
 * Turn @p into SHADOW_BYTES (a whole-page claim becomes 4096 claimed
 * bytes); its byte count does not change.
 */
static int page_materialize(struct shadow_page *p)
{
	unsigned char *data;
	uint64_t *valid;

	if (p->kind == SHADOW_BYTES)
		return 0;
	data = malloc(SHADOW_PAGE_SIZE);
	valid = malloc(VALID_WORDS * sizeof(*valid));
	if (!data || !valid) {
		free(data);
		free(valid);
		return -ENOMEM;
	}
	if (p->kind == SHADOW_PATTERN)
		shadow_pattern(p->seed, data);
	else
		memset(data, 0, SHADOW_PAGE_SIZE);
	memset(valid, 0xff, VALID_WORDS * sizeof(*valid));
	p->data = data;
	p->valid = valid;
	p->kind = SHADOW_BYTES;
	return 0;
}

/* The page at @addr (aligned), created without claims if absent. */
static struct shadow_page *page_get_bytes(struct shadow *sh,
					  unsigned long addr)
{
	struct shadow_page *p = page_find(sh, addr);

	if (p)
		return page_materialize(p) ? NULL : p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->addr = addr;
	p->kind = SHADOW_BYTES;
	p->data = malloc(SHADOW_PAGE_SIZE);
	p->valid = calloc(VALID_WORDS, sizeof(*p->valid));
	if (!p->data || !p->valid) {
		page_free(p);
		return NULL;
	}
	page_insert(sh, p);
	return p;
}

int shadow_record(struct shadow *sh, unsigned long addr, const void *buf,
		  size_t len)
{
	const unsigned char *src = buf;

	while (len) {
		unsigned long page = addr & SHADOW_PAGE_MASK;
		size_t off = addr - page, n = SHADOW_PAGE_SIZE - off, i;
		struct shadow_page *p;

		if (n > len)
			n = len;
		p = page_get_bytes(sh, page);
		if (!p)
			return -ENOMEM;
		if (p->maybe_zero) {
			/* Kept or discarded: only the new bytes are known. */
			page_unclaim(sh, p, 0, SHADOW_PAGE_SIZE);
			p->maybe_zero = false;
		}
		memcpy(p->data + off, src, n);
		for (i = off; i < off + n; i++) {
			uint64_t bit = 1ULL << (i % 64);

			if (!(p->valid[i / 64] & bit)) {
				p->valid[i / 64] |= bit;
				sh->nr_bytes++;
			}
		}
		addr += n;
		src += n;
		len -= n;
	}
	return 0;
}

/* Make @p a whole-page claim of @kind, freeing its byte arrays. */
static void page_set_whole(struct shadow *sh, struct shadow_page *p,
			   enum shadow_kind kind, uint64_t seed)
{
	sh->nr_bytes += SHADOW_PAGE_SIZE - page_bytes(p);
	free(p->data);
	free(p->valid);
	p->data = NULL;
	p->valid = NULL;
	p->kind = kind;
	p->seed = seed;
	p->maybe_zero = false;
}

int shadow_record_pattern(struct shadow *sh, unsigned long addr,
			  uint64_t seed)
{
	struct shadow_page *p = page_find(sh, addr);

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->addr = addr;
		p->kind = SHADOW_PATTERN;
		p->seed = seed;
		page_insert(sh, p);
		return 0;
	}
	page_set_whole(sh, p, SHADOW_PATTERN, seed);
	return 0;
}

/* Clear the claims of bytes [@off, @off + @n) of SHADOW_BYTES page @p. */
static void page_unclaim(struct shadow *sh, struct shadow_page *p,
			 size_t off, size_t n)
{
	size_t i;

	for (i = off; i < off + n; i++) {
		uint64_t bit = 1ULL << (i % 64);

		if (p->valid[i / 64] & bit) {
			p->valid[i / 64] &= ~bit;
			sh->nr_bytes--;
		}
	}
}

int shadow_drop(struct shadow *sh, unsigned long start, unsigned long end)
{
	struct shadow_page *p, *next;

	for (p = page_from(sh, start); p && p->addr < end; p = next) {
		unsigned long from = p->addr > start ? p->addr : start;
		unsigned long to = p->addr + SHADOW_PAGE_SIZE < end ?
				   p->addr + SHADOW_PAGE_SIZE : end;

		next = shadow_next(sh, p);
		if (from == p->addr && to == p->addr + SHADOW_PAGE_SIZE) {
			page_remove(sh, p);
			page_free(p);
			continue;
		}
		if (page_materialize(p))
			return -ENOMEM;
		page_unclaim(sh, p, from - p->addr, to - from);
		if (!page_bytes(p)) {
			page_remove(sh, p);
			page_free(p);
		}
	}
	return 0;
}

int shadow_zero(struct shadow *sh, unsigned long start, unsigned long end)
{
	struct shadow_page *p;

	for (p = page_from(sh, start); p && p->addr < end;
	     p = shadow_next(sh, p)) {
		unsigned long from = p->addr > start ? p->addr : start;
		unsigned long to = p->addr + SHADOW_PAGE_SIZE < end ?
				   p->addr + SHADOW_PAGE_SIZE : end;
		bool whole = from == p->addr &&
			     to == p->addr + SHADOW_PAGE_SIZE;

		if (whole && page_bytes(p) == SHADOW_PAGE_SIZE) {
			page_set_whole(sh, p, SHADOW_ZERO, 0);
			continue;
		}
		if (page_materialize(p))
			return -ENOMEM;
		memset(p->data + (from - p->addr), 0, to - from);
	}
	return 0;
}

int shadow_move(struct shadow *sh, unsigned long from, unsigned long len,
		unsigned long to)
{
	struct shadow_page *p, *next, **moved = NULL;
	unsigned long nr = 0, cap = 0, i;
	int ret;

	if ((from | len | to) & ~SHADOW_PAGE_MASK)
		return -EINVAL;
	if (from == to || !len)
		return 0;
	for (p = page_from(sh, from); p && p->addr < from + len; p = next) {
		next = shadow_next(sh, p);
		if (nr == cap) {
			struct shadow_page **n;

			cap = cap ? 2 * cap : 64;
			n = realloc(moved, cap * sizeof(*n));
			if (!n) {
				ret = -ENOMEM;
				goto out_reinsert;
			}
			moved = n;
		}
		page_remove(sh, p);
		moved[nr++] = p;
	}
	/* Aligned: dropping the destination needs no allocation. */
	shadow_drop(sh, to, to + len);
	for (i = 0; i < nr; i++) {
		moved[i]->addr = moved[i]->addr - from + to;
		page_insert(sh, moved[i]);
	}
	free(moved);
	return 0;
out_reinsert:
	for (i = 0; i < nr; i++)
		page_insert(sh, moved[i]);
	free(moved);
	return ret;
}

static struct shadow_page *page_dup(const struct shadow_page *src)
{
	struct shadow_page *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->addr = src->addr;
	p->kind = src->kind;
	p->seed = src->seed;
	p->maybe_zero = src->maybe_zero;
	if (src->kind != SHADOW_BYTES)
		return p;
	p->data = malloc(SHADOW_PAGE_SIZE);
	p->valid = malloc(VALID_WORDS * sizeof(*p->valid));
	if (!p->data || !p->valid) {
		page_free(p);
		return NULL;
	}
	memcpy(p->data, src->data, SHADOW_PAGE_SIZE);
	memcpy(p->valid, src->valid, VALID_WORDS * sizeof(*p->valid));
	return p;
}

int shadow_copy(struct shadow *dst, const struct shadow *src)
{
	struct shadow_page *p, *n;

	RB_FOREACH(p, shadow_tree, (struct shadow_tree *)&src->root) {
		n = page_dup(p);
		if (!n)
			return -ENOMEM;
		page_insert(dst, n);
	}
	return 0;
}

void shadow_page_expect(const struct shadow_page *p, unsigned char *data,
			bool *claimed)
{
	unsigned int i;

	switch (p->kind) {
	case SHADOW_PATTERN:
		shadow_pattern(p->seed, data);
		break;
	case SHADOW_ZERO:
		memset(data, 0, SHADOW_PAGE_SIZE);
		break;
	case SHADOW_BYTES:
		memcpy(data, p->data, SHADOW_PAGE_SIZE);
		for (i = 0; i < SHADOW_PAGE_SIZE; i++)
			claimed[i] = p->valid[i / 64] >> (i % 64) & 1;
		return;
	}
	memset(claimed, 1, SHADOW_PAGE_SIZE);
}

void shadow_lazyfree(struct shadow *sh, unsigned long start,
		     unsigned long end)
{
	struct shadow_page *p;

	for (p = page_from(sh, start); p && p->addr < end;
	     p = shadow_next(sh, p))
		p->maybe_zero = true;
}

void shadow_lazyfree_settle(struct shadow *sh, unsigned long addr,
			    bool discarded)
{
	struct shadow_page *p = page_find(sh, addr & SHADOW_PAGE_MASK);

	if (!p || !p->maybe_zero)
		return;
	p->maybe_zero = false;
	if (!discarded)
		return;
	if (p->kind != SHADOW_BYTES)
		page_set_whole(sh, p, SHADOW_ZERO, 0);
	else
		memset(p->data, 0, SHADOW_PAGE_SIZE);
}

void shadow_expect_zero_filled(struct shadow *sh, unsigned long addr,
			       unsigned char *data)
{
	struct shadow_page *p = page_find(sh, addr & SHADOW_PAGE_MASK);
	bool claimed[SHADOW_PAGE_SIZE];
	unsigned int i;

	if (!p) {
		memset(data, 0, SHADOW_PAGE_SIZE);
		return;
	}
	shadow_page_expect(p, data, claimed);
	for (i = 0; i < SHADOW_PAGE_SIZE; i++)
		if (!claimed[i])
			data[i] = 0;
}

static bool all_zero(const unsigned char *b, size_t n)
{
	return !n || (!b[0] && !memcmp(b, b + 1, n - 1));
}

bool shadow_page_matches(const struct shadow_page *p, const unsigned char *got)
{
	unsigned char want[SHADOW_PAGE_SIZE];
	unsigned int w, i;

	if (p->maybe_zero && all_zero(got, SHADOW_PAGE_SIZE))
		return true;

	switch (p->kind) {
	case SHADOW_PATTERN:
		shadow_pattern(p->seed, want);
		return !memcmp(got, want, SHADOW_PAGE_SIZE);
	case SHADOW_ZERO:
		memset(want, 0, SHADOW_PAGE_SIZE);
		return !memcmp(got, want, SHADOW_PAGE_SIZE);
	case SHADOW_BYTES:
		break;
	}
	for (w = 0; w < SHADOW_PAGE_SIZE / 64; w++) {
		const unsigned char *g = got + 64 * w, *d = p->data + 64 * w;

		if (p->valid[w] == ~0ULL) {
			if (memcmp(g, d, 64))
				return false;
			continue;
		}
		for (i = 0; i < 64; i++)
			if ((p->valid[w] >> i & 1) && g[i] != d[i])
				return false;
	}
	return true;
}
