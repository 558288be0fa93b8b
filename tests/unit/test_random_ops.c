// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized operation sequences (fixed seeds) over the public API, with
 * every validator after every step and a shadow-memory oracle:
 *
 *   mmap (anon private/shared, memfd shared/private, fixed or placed,
 *   populate), writes and reads through foliage_access(), mprotect (splits,
 *   and merges when the protection goes back), mremap (shrink, grow in
 *   place, maymove, fixed, dontunmap), munmap of parts, madvise
 *   (dontneed, free, populate_read/write, hugepage, nohugepage, dontfork,
 *   dofork, wipeonfork, keeponfork), fork chains (any live task forks,
 *   children of children too), exit in any order, pins, and the THP knobs
 *   (PMD THP always/madvise/never, 64K mTHP always/inherit/never).
 *
 * The model keeps, per task, one entry per page of a window below the
 * mmap base: what maps it (private anon, shared file page, private file
 * page with or without its own COW copy).  The bytes each page must read
 * are the scenario runner's shadow memory (tools/foliage/shadow.h, the one
 * oracle): a shadow per task for its private bytes (anonymous pages and
 * the COW copies of private file pages), a shadow per file, by offset, for
 * the page cache that shared pages and not-yet-COWed private file pages
 * read; what nobody wrote reads zero.  So every byte written reads back the
 * same after any sequence of COW, fork, mremap, mprotect and munmap of
 * other ranges; no write leaks from one task into another; wipeonfork
 * ranges read zero in the child and dontfork ranges are absent.
 * MADV_FREE'd pages are the shadow's maybe-zero pages: they may read zero
 * or the old bytes (Linux may discard them while clean); once seen zero,
 * they are.
 *
 * After every step foliage_validate() (validate_mm, validate_all_mms and
 * the reverse-map checker) must pass and no bug may be recorded, and the
 * reverse-map checker is run directly for its counts, which must show
 * that it checked something.  On failure the seed, the step and the last
 * operations are printed.
 */
#include <stdio.h>

#include "rmap_check_helpers.h"
#include "shadow.h"
#include <linux/rmap.h>

#define WIN_PAGES	16384UL		/* 64 MiB window below mmap_base */
#define MAX_TASKS	6
#define NR_FILES	3
#define FILE_PAGES	1024UL		/* 4 MiB memfds */
#define MAX_PINS	6
#define TASK_MAX_MAPPED	6144UL		/* pages a task may have mapped */
#define LOG_LINES	12
#ifndef NR_SEEDS
#define NR_SEEDS	5
#define FIRST_SEED	1
#endif
#define STEPS		260
/* The machines' anon rmap scheme (test_random_ops_lazy.c: lazy). */
#ifndef RANDOM_OPS_NO_PAGE_MAPCOUNT
#define RANDOM_OPS_NO_PAGE_MAPCOUNT	false
#endif
#ifndef RANDOM_OPS_ANON_VMA
#define RANDOM_OPS_ANON_VMA	FOLIAGE_ANON_VMA_CLASSIC
#endif

enum kind {
	K_NONE,				/* not mapped */
	K_ANON,				/* private anonymous */
	K_SHARED,			/* shared: reads its file's page */
	K_PRIV_FILE,			/* private file: COW copy, else file */
};

#define F_DONTFORK	0x1
#define F_WIPEONFORK	0x2
#define F_COPY		0x4		/* K_PRIV_FILE: has its COW copy */

struct mfile {
	struct foliage_file *file;	/* NULL: a shared anon mapping's */
	unsigned long nr_pages;		/* size */
	struct shadow sh;		/* its bytes, by file offset */
};

struct mpage {
	struct mfile *file;		/* K_SHARED, K_PRIV_FILE */
	unsigned long pgoff;		/* page of file */
	unsigned char kind;		/* enum kind */
	unsigned char prot;		/* PROT_* */
	unsigned char flags;		/* F_* */
};

struct pin {
	unsigned long addr;		/* pinned range */
	unsigned long len;		/* bytes */
};

struct mtask {
	struct foliage_task *task;	/* NULL: no task here */
	struct mpage *pg;		/* WIN_PAGES entries */
	struct shadow sh;		/* its private bytes, by address */
	struct pin pins[MAX_PINS];	/* pins held */
	int nr_pins;			/* how many */
};

struct world {
	struct foliage_machine *m;	/* the machine */
	unsigned long base;		/* window start */
	struct mtask t[MAX_TASKS];	/* tasks */
	struct mfile files[NR_FILES];	/* memfds */
	struct mfile *anon_files[512];	/* shared anon mappings' files */
	int nr_anon_files;		/* how many */
	u64 rng;			/* xorshift state */
	unsigned long seed;		/* of this run */
	int step;			/* current step */
	int next_name;			/* task names */
	char log[LOG_LINES][160];	/* last operations */
	struct rmap_check_stats total;	/* summed checker counts */
};

/* ---- failure reports ------------------------------------------------ */

static void dump_log(struct world *w)
{
	int i;

	fprintf(stderr, "seed %lu, last operations up to step %d:\n", w->seed,
		w->step);
	for (i = LOG_LINES - 1; i >= 0; i--) {
		int s = w->step - i;

		if (s >= 0 && w->log[s % LOG_LINES][0])
			fprintf(stderr, "  %4d %s\n", s,
				w->log[s % LOG_LINES]);
	}
}

#define wfail(w, fmt, ...) do {						\
	dump_log(w);							\
	fail_msg("seed %lu step %d: " fmt, (w)->seed, (w)->step,	\
		 ##__VA_ARGS__);					\
} while (0)

#define wassert(w, cond, fmt, ...) do {					\
	if (!(cond))							\
		wfail(w, "%s: " fmt, #cond, ##__VA_ARGS__);		\
} while (0)

static void wlog(struct world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void wlog(struct world *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->log[w->step % LOG_LINES], sizeof(w->log[0]), fmt, ap);
	va_end(ap);
}

/* ---- randomness ------------------------------------------------------ */

static u64 rnd(struct world *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static unsigned long below(struct world *w, unsigned long n)
{
	return n ? rnd(w) % n : 0;
}

static bool chance(struct world *w, unsigned int percent)
{
	return below(w, 100) < percent;
}

/* ---- the model's bytes: shadows ------------------------------------ */

static struct mfile *mfile_new(struct world *w, struct foliage_file *file,
			       unsigned long nr_pages)
{
	struct mfile *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->file = file;
	f->nr_pages = nr_pages;
	shadow_init(&f->sh);
	assert_true(w->nr_anon_files < (int)ARRAY_SIZE(w->anon_files));
	w->anon_files[w->nr_anon_files++] = f;
	return f;
}

static unsigned long addr_of(struct world *w, unsigned long idx)
{
	return w->base + (idx << PAGE_SHIFT);
}

/*
 * Where page @idx of @t reads its bytes: the task's own shadow at its
 * address, or its file's at the page's offset.
 */
static struct shadow *page_shadow(struct world *w, struct mtask *t,
				  unsigned long idx, unsigned long *at)
{
	struct mpage *p = &t->pg[idx];

	if (p->kind == K_SHARED ||
	    (p->kind == K_PRIV_FILE && !(p->flags & F_COPY))) {
		*at = p->pgoff << PAGE_SHIFT;
		return &p->file->sh;
	}
	*at = addr_of(w, idx);
	return &t->sh;
}

/* The bytes page @idx of @t must read. */
static void page_expect(struct world *w, struct mtask *t, unsigned long idx,
			unsigned char *want)
{
	unsigned long at;
	struct shadow *sh = page_shadow(w, t, idx, &at);

	shadow_expect_zero_filled(sh, at, want);
}

/* A private copy of the file page, as a write fault makes it. */
static void snapshot(struct world *w, struct mtask *t, unsigned long idx)
{
	struct mpage *p = &t->pg[idx];
	unsigned char bytes[PAGE_SIZE];

	if (p->kind != K_PRIV_FILE || (p->flags & F_COPY))
		return;
	page_expect(w, t, idx, bytes);
	assert_int_equal(shadow_record(&t->sh, addr_of(w, idx), bytes,
				       PAGE_SIZE), 0);
	p->flags |= F_COPY;
}

/* @n bytes written at offset @off of page @idx (COW in the model). */
static void page_write(struct world *w, struct mtask *t, unsigned long idx,
		       unsigned long off, const unsigned char *buf,
		       unsigned long n)
{
	unsigned long at;
	struct shadow *sh;

	snapshot(w, t, idx);
	sh = page_shadow(w, t, idx, &at);
	assert_int_equal(shadow_record(sh, at + off, buf, n), 0);
}

/* Private pages [idx, idx + n) of @t lose their bytes: zero, or the file. */
static void model_drop_private(struct world *w, struct mtask *t,
			       unsigned long idx, unsigned long n)
{
	unsigned long i;

	assert_int_equal(shadow_drop(&t->sh, addr_of(w, idx),
				     addr_of(w, idx + n)), 0);
	for (i = idx; i < idx + n; i++)
		t->pg[i].flags &= ~F_COPY;
}

/* ---- the model's view of a task ------------------------------------- */

static unsigned long nr_mapped(struct mtask *t)
{
	unsigned long i, n = 0;

	for (i = 0; i < WIN_PAGES; i++)
		n += t->pg[i].kind != K_NONE;
	return n;
}

static int nr_alive(struct world *w)
{
	int i, n = 0;

	for (i = 0; i < MAX_TASKS; i++)
		n += w->t[i].task != NULL;
	return n;
}

static struct mtask *pick_task(struct world *w)
{
	int i, n = (int)below(w, (unsigned long)nr_alive(w));

	for (i = 0; i < MAX_TASKS; i++)
		if (w->t[i].task && n-- == 0)
			return &w->t[i];
	return NULL;
}

/* A random mapped page of @t, or -1 if none. */
static long pick_mapped(struct world *w, struct mtask *t)
{
	unsigned long start = below(w, WIN_PAGES), i;

	for (i = 0; i < WIN_PAGES; i++) {
		unsigned long idx = (start + i) % WIN_PAGES;

		if (t->pg[idx].kind != K_NONE)
			return (long)idx;
	}
	return -1;
}

typedef bool (*page_ok_t)(const struct mpage *p);

static bool is_mapped(const struct mpage *p)
{
	return p->kind != K_NONE;
}

static bool is_unmapped(const struct mpage *p)
{
	return p->kind == K_NONE;
}

static bool is_readable(const struct mpage *p)
{
	return p->kind != K_NONE && (p->prot & FOLIAGE_PROT_READ);
}

static bool is_writable(const struct mpage *p)
{
	return p->kind != K_NONE && (p->prot & FOLIAGE_PROT_WRITE);
}

static bool is_anon(const struct mpage *p)
{
	return p->kind == K_ANON;
}

/*
 * A random run of up to @max pages of @t that all satisfy @ok, starting at
 * a random such page: its first index in *@idx and length returned (0:
 * none found).
 */
static unsigned long pick_run(struct world *w, struct mtask *t, page_ok_t ok,
			      unsigned long max, unsigned long *idx)
{
	unsigned long start = below(w, WIN_PAGES), i, n, want;

	for (i = 0; i < WIN_PAGES; i++) {
		unsigned long s = (start + i) % WIN_PAGES;

		if (!ok(&t->pg[s]))
			continue;
		want = 1 + below(w, max);
		for (n = 1; n < want && s + n < WIN_PAGES &&
		     ok(&t->pg[s + n]); n++)
			;
		*idx = s;
		return n;
	}
	return 0;
}

/* ---- checking bytes -------------------------------------------------- */

/*
 * Compare what page @idx of @t read (@got, @len bytes from offset @off)
 * with the model; resolve a MADV_FREE'd page seen as zeros.
 */
static void check_page(struct world *w, struct mtask *t, unsigned long idx,
		       unsigned long off, const unsigned char *got,
		       unsigned long len)
{
	struct mpage *p = &t->pg[idx];
	unsigned char want[PAGE_SIZE];
	struct shadow_page *sp;
	unsigned long i, at;
	struct shadow *sh = page_shadow(w, t, idx, &at);
	bool as_want = true, as_zero = true;

	page_expect(w, t, idx, want);
	for (i = 0; i < len; i++) {
		if (got[i] != want[off + i])
			as_want = false;
		if (got[i])
			as_zero = false;
	}
	if (as_want)
		return;
	sp = shadow_find(sh, at);
	if (sp && sp->maybe_zero && as_zero) {
		/* Discarded while clean: zeros from now on. */
		shadow_lazyfree_settle(sh, at, true);
		return;
	}
	for (i = 0; i < len; i++)
		if (got[i] != want[off + i])
			break;
	wfail(w, "pid %d reads %#x at %#lx, the model says %#x (page kind %d prot %d flags %#x)",
	      foliage_task_pid(t->task), got[i], addr_of(w, idx) + off + i,
	      want[off + i], p->kind, p->prot, p->flags);
}

/* The first page of [idx, idx + n) failing @ok, or idx + n. */
static unsigned long first_bad(struct mtask *t, unsigned long idx,
			       unsigned long n, page_ok_t ok)
{
	unsigned long i;

	for (i = idx; i < idx + n && i < WIN_PAGES; i++)
		if (!ok(&t->pg[i]))
			return i;
	return idx + n;
}

/*
 * foliage_access() of [addr, addr + len), where the model says page @bad
 * is the first one the access may not touch (past the end: none): it must
 * succeed, or fail with -EFAULT at that page.  Returns the bytes done.
 */
static unsigned long access_expect(struct world *w, struct mtask *t,
				   unsigned long addr, unsigned char *buf,
				   unsigned long len, bool write,
				   unsigned long bad)
{
	unsigned long last = (addr + len - 1 - w->base) >> PAGE_SHIFT;
	unsigned long fault = 0, want;
	int ret = foliage_access(t->task, addr, buf, len, write, &fault);

	if (bad > last) {
		wassert(w, ret == 0, "%s %#lx+%#lx: %d at %#lx",
			write ? "write" : "read", addr, len, ret, fault);
		return len;
	}
	want = max(addr, addr_of(w, bad));
	wassert(w, ret == -EFAULT && fault == want,
		"%s %#lx+%#lx: %d at %#lx, want -EFAULT at %#lx",
		write ? "write" : "read", addr, len, ret, fault, want);
	return want - addr;
}

/* Read [addr, addr + len) of @t and check it against the model. */
static void read_check(struct world *w, struct mtask *t, unsigned long addr,
		       unsigned long len)
{
	unsigned long idx = (addr - w->base) >> PAGE_SHIFT;
	unsigned long last = (addr + len - 1 - w->base) >> PAGE_SHIFT;
	unsigned long bad = first_bad(t, idx, last - idx + 1, is_readable);
	unsigned char *buf = malloc(len);
	unsigned long done, a;

	assert_non_null(buf);
	done = access_expect(w, t, addr, buf, len, false, bad);
	for (a = addr; a < addr + done;) {
		unsigned long i = (a - w->base) >> PAGE_SHIFT;
		unsigned long off = a & ~PAGE_MASK;
		unsigned long n = min(PAGE_SIZE - off, addr + done - a);

		check_page(w, t, i, off, buf + (a - addr), n);
		a += n;
	}
	free(buf);
}

/*
 * Before writing (or write-faulting) a MADV_FREE'd page, learn whether it
 * was discarded: a write makes it stay.
 */
static void resolve_lazyfree(struct world *w, struct mtask *t,
			     unsigned long idx, unsigned long n)
{
	unsigned long i;

	for (i = idx; i < idx + n; i++) {
		struct shadow_page *sp = shadow_find(&t->sh, addr_of(w, i));

		if (!sp || !sp->maybe_zero)
			continue;
		if (t->pg[i].prot & FOLIAGE_PROT_READ)
			read_check(w, t, addr_of(w, i), PAGE_SIZE);
		shadow_lazyfree_settle(&t->sh, addr_of(w, i), false);
	}
}

/* Read every readable page of @t back, a run of pages per access. */
static void full_check(struct world *w, struct mtask *t)
{
	unsigned long i = 0;

	while (i < WIN_PAGES) {
		unsigned long n;

		if (!is_readable(&t->pg[i])) {
			i++;
			continue;
		}
		for (n = 1; i + n < WIN_PAGES && is_readable(&t->pg[i + n]) &&
		     n < 512; n++)
			;
		read_check(w, t, addr_of(w, i), n << PAGE_SHIFT);
		i += n;
	}
}

/* ---- validation after every step ------------------------------------ */

static void validate_step(struct world *w)
{
	struct rmap_check_stats st;
	int ret = foliage_validate(w->m);

	if (ret || foliage_bugs(w->m))
		wfail(w, "foliage_validate %d, %lu bugs, first: %s", ret,
		      foliage_bugs(w->m), foliage_first_bug(w->m));
	assert_int_equal(machine_enter(w->m), 0);
	ret = rmap_check_machine(&st);
	if (ret || foliage_bugs(w->m))
		wfail(w, "rmap_check_machine %d, first bug: %s", ret,
		      foliage_first_bug(w->m));
	w->total.folios += st.folios;
	w->total.anon_folios += st.anon_folios;
	w->total.file_folios += st.file_folios;
	w->total.unmapped_folios += st.unmapped_folios;
	w->total.pte_maps += st.pte_maps;
	w->total.pmd_maps += st.pmd_maps;
	w->total.rmap_pte_maps += st.rmap_pte_maps;
	w->total.rmap_pmd_maps += st.rmap_pmd_maps;
	w->total.vma_visits += st.vma_visits;
	wassert(w, st.rmap_pte_maps == st.pte_maps &&
		st.rmap_pmd_maps == st.pmd_maps && !st.missed && !st.extra,
		"checker counts disagree");
}

/* ---- operations ------------------------------------------------------ */

static const int prots[] = {
	FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
	FOLIAGE_PROT_READ,
	FOLIAGE_PROT_NONE,
};

static void model_unmap(struct world *w, struct mtask *t, unsigned long idx,
			unsigned long n)
{
	n = min(n, WIN_PAGES - idx);
	assert_int_equal(shadow_drop(&t->sh, addr_of(w, idx),
				     addr_of(w, idx + n)), 0);
	memset(&t->pg[idx], 0, n * sizeof(t->pg[0]));
}

static unsigned long pick_len(struct world *w)
{
	unsigned long r = below(w, 10);

	if (r < 5)
		return 1 + below(w, 16);
	if (r < 8)
		return 17 + below(w, 240);
	return 512 + below(w, 513);
}

static void op_mmap(struct world *w, struct mtask *t)
{
	unsigned long n = pick_len(w), idx, addr = 0, out = 0, i;
	int kind_r = (int)below(w, 20), prot = prots[below(w, 3)];
	int flags, ret;
	enum kind kind;
	struct mfile *file = NULL;
	unsigned long pgoff = 0;
	bool fixed = chance(w, 70), populate = chance(w, 15);

	if (nr_mapped(t) + n > TASK_MAX_MAPPED)
		return;
	if (kind_r < 12) {
		kind = K_ANON;
		flags = FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS;
	} else if (kind_r < 14) {
		kind = K_SHARED;
		flags = FOLIAGE_MAP_SHARED | FOLIAGE_MAP_ANONYMOUS;
		n = min(n, 256UL);
	} else {
		kind = kind_r < 17 ? K_SHARED : K_PRIV_FILE;
		flags = kind == K_SHARED ? FOLIAGE_MAP_SHARED :
					   FOLIAGE_MAP_PRIVATE;
		file = &w->files[below(w, NR_FILES)];
		n = min(n, file->nr_pages);
		pgoff = below(w, file->nr_pages - n + 1);
	}
	if (fixed) {
		idx = below(w, WIN_PAGES - n + 1);
		/* Big anonymous mappings at a PMD boundary, for THP. */
		if (n >= 512 && kind == K_ANON && chance(w, 70))
			idx = (((addr_of(w, idx) + PMD_SIZE - 1) & PMD_MASK) -
			       w->base) >> PAGE_SHIFT;
		if (idx + n > WIN_PAGES)
			return;
		addr = addr_of(w, idx);
		flags |= FOLIAGE_MAP_FIXED;
	}
	if (populate)
		flags |= FOLIAGE_MAP_POPULATE;
	wlog(w, "mmap pid %d %#lx %lu pages kind %d prot %d%s%s file %ld pgoff %lu",
	     foliage_task_pid(t->task), addr, n, kind, prot,
	     fixed ? " fixed" : "", populate ? " populate" : "",
	     file ? (long)(file - w->files) : -1L, pgoff);
	ret = foliage_mmap(t->task, addr, n << PAGE_SHIFT, prot, flags,
			   file ? file->file : NULL, pgoff << PAGE_SHIFT, &out);
	wassert(w, ret == 0, "mmap: %d", ret);
	wassert(w, out >= w->base && out + (n << PAGE_SHIFT) <= w->base +
		(WIN_PAGES << PAGE_SHIFT) && !(out & ~PAGE_MASK),
		"mmap placed at %#lx, outside the window", out);
	if (fixed)
		wassert(w, out == addr, "MAP_FIXED at %#lx gave %#lx", addr, out);
	idx = (out - w->base) >> PAGE_SHIFT;
	model_unmap(w, t, idx, n);
	if (kind == K_SHARED && !file)
		file = mfile_new(w, NULL, n);
	for (i = 0; i < n; i++) {
		struct mpage *p = &t->pg[idx + i];

		p->kind = kind;
		p->prot = prot;
		p->file = file;
		p->pgoff = pgoff + i;
		/* MAP_POPULATE write-faults writable private mappings. */
		if (populate && kind == K_PRIV_FILE &&
		    (prot & FOLIAGE_PROT_WRITE))
			snapshot(w, t, idx + i);
	}
}

static void op_munmap(struct world *w, struct mtask *t)
{
	long idx = pick_mapped(w, t);
	unsigned long n = pick_len(w);
	int ret;

	if (idx < 0)
		return;
	idx = (long)below(w, 2) ? idx : idx - (long)below(w, 8);
	if (idx < 0)
		idx = 0;
	n = min(n, WIN_PAGES - idx);
	wlog(w, "munmap pid %d %#lx %lu pages", foliage_task_pid(t->task),
	     addr_of(w, idx), n);
	ret = foliage_munmap(t->task, addr_of(w, idx), n << PAGE_SHIFT);
	wassert(w, ret == 0, "munmap: %d", ret);
	model_unmap(w, t, idx, n);
}

static void op_mprotect(struct world *w, struct mtask *t)
{
	unsigned long idx, n = pick_run(w, t, is_mapped, pick_len(w), &idx);
	int prot = prots[below(w, ARRAY_SIZE(prots))], ret;
	unsigned long i;

	if (!n)
		return;
	wlog(w, "mprotect pid %d %#lx %lu pages prot %d",
	     foliage_task_pid(t->task), addr_of(w, idx), n, prot);
	ret = foliage_mprotect(t->task, addr_of(w, idx), n << PAGE_SHIFT, prot);
	wassert(w, ret == 0, "mprotect: %d", ret);
	for (i = idx; i < idx + n; i++)
		t->pg[i].prot = prot;
}

/* The real VMA around @addr of @t: [*start, *end). */
static void vma_bounds(struct world *w, struct mtask *t, unsigned long addr,
		       unsigned long *start, unsigned long *end)
{
	struct vm_area_struct *vma;

	assert_int_equal(machine_enter(w->m), 0);
	vma = vma_lookup(t->task->task.mm, addr);
	wassert(w, vma != NULL, "no vma at %#lx though the model maps it",
		addr);
	*start = max(vma->vm_start, w->base);
	*end = min(vma->vm_end, addr_of(w, WIN_PAGES));
}

/* Move the model's pages [from, from + n) of @t to [to, to + n). */
static void model_move(struct world *w, struct mtask *t, unsigned long from,
		       unsigned long to, unsigned long n)
{
	struct mpage *tmp = calloc(n, sizeof(*tmp));

	assert_non_null(tmp);
	memcpy(tmp, &t->pg[from], n * sizeof(*tmp));
	memset(&t->pg[from], 0, n * sizeof(*tmp));
	memset(&t->pg[to], 0, n * sizeof(*tmp));
	assert_int_equal(shadow_move(&t->sh, addr_of(w, from),
				     n << PAGE_SHIFT, addr_of(w, to)), 0);
	memcpy(&t->pg[to], tmp, n * sizeof(*tmp));
	free(tmp);
}

static void op_mremap(struct world *w, struct mtask *t)
{
	long pick = pick_mapped(w, t);
	unsigned long vstart, vend, idx, n, new_n, out = 0, target = 0, i;
	int flags = 0, mode, ret;
	struct mpage *p;
	bool can_grow, dontunmap = false;

	if (pick < 0)
		return;
	vma_bounds(w, t, addr_of(w, pick), &vstart, &vend);
	idx = (vstart - w->base) >> PAGE_SHIFT;
	idx += below(w, ((vend - vstart) >> PAGE_SHIFT));
	n = 1 + below(w, min((vend - addr_of(w, idx)) >> PAGE_SHIFT, 1024UL));
	p = &t->pg[idx];
	can_grow = p->kind == K_ANON ||
		   (p->file && p->file->file &&
		    p->pgoff + n < p->file->nr_pages);
	switch (below(w, 3)) {
	case 0:
		new_n = 1 + below(w, n);
		break;
	case 1:
		new_n = n;
		break;
	default:
		new_n = n;
		if (can_grow) {
			new_n += 1 + below(w, 256);
			if (p->kind != K_ANON)
				new_n = min(new_n, p->file->nr_pages - p->pgoff);
		}
		break;
	}
	/* Growth in place must stay in the window (the model's world). */
	new_n = min(new_n, WIN_PAGES - idx);
	if (nr_mapped(t) + new_n > TASK_MAX_MAPPED)
		return;
	mode = (int)below(w, 4);
	if (mode == 1) {
		flags = FOLIAGE_MREMAP_MAYMOVE;
	} else if (mode >= 2) {
		flags = FOLIAGE_MREMAP_MAYMOVE | FOLIAGE_MREMAP_FIXED;
		if (mode == 3 && new_n == n) {
			flags |= FOLIAGE_MREMAP_DONTUNMAP;
			dontunmap = true;
			/* The old range stays mapped: room for the new. */
			if (nr_mapped(t) + 2 * n > TASK_MAX_MAPPED)
				return;
			if (chance(w, 30))
				flags &= ~FOLIAGE_MREMAP_FIXED;
		}
		if (flags & FOLIAGE_MREMAP_FIXED) {
			unsigned long tidx = below(w, WIN_PAGES - new_n + 1);

			/* Old and new ranges may not overlap. */
			if (tidx < idx + n && idx < tidx + new_n)
				return;
			target = addr_of(w, tidx);
		}
	}
	wlog(w, "mremap pid %d %#lx %lu -> %lu pages flags %d to %#lx",
	     foliage_task_pid(t->task), addr_of(w, idx), n, new_n, flags,
	     target);
	ret = foliage_mremap(t->task, addr_of(w, idx), n << PAGE_SHIFT,
			     new_n << PAGE_SHIFT, flags, target, &out);
	if (!(flags & FOLIAGE_MREMAP_MAYMOVE) && new_n > n) {
		/* In place: only a range ending at the VMA's end, into room. */
		bool room = addr_of(w, idx + n) == vend &&
			    first_bad(t, idx + n, new_n - n, is_unmapped) ==
			    idx + new_n;

		if (!room) {
			wassert(w, ret == -ENOMEM,
				"mremap in place without room: %d", ret);
			return;
		}
	}
	wassert(w, ret == 0, "mremap: %d", ret);
	wassert(w, out >= w->base && out + (new_n << PAGE_SHIFT) <=
		addr_of(w, WIN_PAGES), "mremap to %#lx, outside the window",
		out);
	if (flags & FOLIAGE_MREMAP_FIXED)
		wassert(w, out == target, "MREMAP_FIXED to %#lx gave %#lx",
			target, out);
	{
		unsigned long to = (out - w->base) >> PAGE_SHIFT;
		unsigned long keep = min(n, new_n);
		struct mpage last = t->pg[idx + keep - 1];

		/* Shrinking unmaps the tail first. */
		if (new_n < n)
			model_unmap(w, t, idx + new_n, n - new_n);
		if (dontunmap) {
			struct mpage *old = calloc(n, sizeof(*old));

			assert_non_null(old);
			memcpy(old, &t->pg[idx], n * sizeof(*old));
			model_move(w, t, idx, to, n);
			/*
			 * The old VMA stays, emptied of its pages: its
			 * private bytes went with them (the shadow moved).
			 */
			memcpy(&t->pg[idx], old, n * sizeof(*old));
			for (i = 0; i < n; i++)
				t->pg[idx + i].flags &= ~F_COPY;
			free(old);
		} else if (to != idx) {
			model_move(w, t, idx, to, keep);
		}
		/* Growth extends the VMA: its kind, protection and flags. */
		model_unmap(w, t, to + keep, new_n - keep);
		for (i = keep; i < new_n; i++) {
			struct mpage *q = &t->pg[to + i];

			q->kind = last.kind;
			q->prot = last.prot;
			q->file = last.file;
			q->pgoff = last.pgoff + (i - keep + 1);
			q->flags = last.flags & ~F_COPY;
		}
	}
}

static const struct {
	int advice;			/* MADV_* */
	page_ok_t ok;			/* pages it may be given */
	const char *name;		/* for the log */
} advices[] = {
	{ FOLIAGE_MADV_DONTNEED, is_mapped, "dontneed" },
	{ FOLIAGE_MADV_DONTNEED, is_mapped, "dontneed" },
	{ FOLIAGE_MADV_FREE, is_anon, "free" },
	{ FOLIAGE_MADV_FREE, is_anon, "free" },
	{ FOLIAGE_MADV_POPULATE_READ, is_readable, "populate_read" },
	{ FOLIAGE_MADV_POPULATE_WRITE, is_writable, "populate_write" },
	{ FOLIAGE_MADV_HUGEPAGE, is_mapped, "hugepage" },
	{ FOLIAGE_MADV_NOHUGEPAGE, is_mapped, "nohugepage" },
	{ FOLIAGE_MADV_DONTFORK, is_mapped, "dontfork" },
	{ FOLIAGE_MADV_DOFORK, is_mapped, "dofork" },
	{ FOLIAGE_MADV_WIPEONFORK, is_anon, "wipeonfork" },
	{ FOLIAGE_MADV_KEEPONFORK, is_mapped, "keeponfork" },
};

static void op_madvise(struct world *w, struct mtask *t)
{
	int a = (int)below(w, ARRAY_SIZE(advices)), ret;
	unsigned long idx, n = pick_run(w, t, advices[a].ok, pick_len(w), &idx);
	unsigned long i;

	if (!n)
		return;
	if (advices[a].advice == FOLIAGE_MADV_POPULATE_WRITE)
		resolve_lazyfree(w, t, idx, n);
	wlog(w, "madvise pid %d %#lx %lu pages %s", foliage_task_pid(t->task),
	     addr_of(w, idx), n, advices[a].name);
	ret = foliage_madvise(t->task, addr_of(w, idx), n << PAGE_SHIFT,
			      advices[a].advice);
	wassert(w, ret == 0, "madvise %s: %d", advices[a].name, ret);
	/* Private pages lose their bytes; shared keep them. */
	if (advices[a].advice == FOLIAGE_MADV_DONTNEED)
		model_drop_private(w, t, idx, n);
	if (advices[a].advice == FOLIAGE_MADV_FREE)
		shadow_lazyfree(&t->sh, addr_of(w, idx), addr_of(w, idx + n));
	for (i = idx; i < idx + n; i++) {
		struct mpage *p = &t->pg[i];

		switch (advices[a].advice) {
		case FOLIAGE_MADV_POPULATE_WRITE:
			snapshot(w, t, i);
			break;
		case FOLIAGE_MADV_DONTFORK:
			p->flags |= F_DONTFORK;
			break;
		case FOLIAGE_MADV_DOFORK:
			p->flags &= ~F_DONTFORK;
			break;
		case FOLIAGE_MADV_WIPEONFORK:
			p->flags |= F_WIPEONFORK;
			break;
		case FOLIAGE_MADV_KEEPONFORK:
			p->flags &= ~F_WIPEONFORK;
			break;
		}
	}
}

/* Random bytes over up to three pages, partly unmapped/unwritable too. */
static void op_write(struct world *w, struct mtask *t)
{
	long pick = pick_mapped(w, t);
	unsigned long addr, len, idx, last, bad, done, i;
	unsigned char *buf;

	if (pick < 0)
		return;
	addr = addr_of(w, pick) + below(w, PAGE_SIZE);
	len = 1 + below(w, 3 * PAGE_SIZE);
	if (addr + len > addr_of(w, WIN_PAGES))
		len = addr_of(w, WIN_PAGES) - addr;
	idx = (addr - w->base) >> PAGE_SHIFT;
	last = (addr + len - 1 - w->base) >> PAGE_SHIFT;
	bad = first_bad(t, idx, last - idx + 1, is_writable);
	resolve_lazyfree(w, t, idx, min(bad, last + 1) - idx);
	buf = malloc(len);
	assert_non_null(buf);
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)rnd(w);
	wlog(w, "write pid %d %#lx+%#lx", foliage_task_pid(t->task), addr, len);
	done = access_expect(w, t, addr, buf, len, true, bad);
	for (i = 0; i < done;) {
		unsigned long a = addr + i, off = a & ~PAGE_MASK;
		unsigned long n = min(PAGE_SIZE - off, done - i);

		page_write(w, t, (a - w->base) >> PAGE_SHIFT, off, buf + i, n);
		i += n;
	}
	free(buf);
}

static void op_read(struct world *w, struct mtask *t)
{
	long pick = pick_mapped(w, t);
	unsigned long addr, len;

	if (pick < 0)
		return;
	addr = addr_of(w, pick) + below(w, PAGE_SIZE);
	len = 1 + below(w, 3 * PAGE_SIZE);
	if (addr + len > addr_of(w, WIN_PAGES))
		len = addr_of(w, WIN_PAGES) - addr;
	wlog(w, "read pid %d %#lx+%#lx", foliage_task_pid(t->task), addr, len);
	read_check(w, t, addr, len);
}

static struct mtask *free_slot(struct world *w)
{
	int i;

	for (i = 0; i < MAX_TASKS; i++)
		if (!w->t[i].task)
			return &w->t[i];
	return NULL;
}

static void task_model_init(struct world *w, struct mtask *t)
{
	t->pg = calloc(WIN_PAGES, sizeof(*t->pg));
	assert_non_null(t->pg);
	shadow_init(&t->sh);
	t->nr_pins = 0;
	(void)w;
}

static void op_fork(struct world *w, struct mtask *parent)
{
	struct mtask *c = free_slot(w);
	char name[16];
	unsigned long i;
	int ret;

	if (!c)
		return;
	snprintf(name, sizeof(name), "t%d", w->next_name++);
	wlog(w, "fork pid %d -> %s", foliage_task_pid(parent->task), name);
	ret = foliage_fork(parent->task, name, &c->task);
	wassert(w, ret == 0, "fork: %d", ret);
	task_model_init(w, c);
	assert_int_equal(shadow_copy(&c->sh, &parent->sh), 0);
	for (i = 0; i < WIN_PAGES; i++) {
		struct mpage *p = &parent->pg[i], *q = &c->pg[i];

		if (p->kind == K_NONE || (p->flags & F_DONTFORK)) {
			model_unmap(w, c, i, 1);
			continue;
		}
		*q = *p;
		if (p->flags & F_WIPEONFORK)
			model_drop_private(w, c, i, 1);
	}
}

static void task_model_free(struct mtask *t)
{
	if (t->pg) {
		shadow_destroy(&t->sh);
		free(t->pg);
	}
	t->pg = NULL;
	t->task = NULL;
	t->nr_pins = 0;
}

static void op_exit(struct world *w, struct mtask *t)
{
	int ret;

	wlog(w, "exit pid %d", foliage_task_pid(t->task));
	ret = foliage_exit(t->task);
	wassert(w, ret == 0, "exit: %d", ret);
	task_model_free(t);
}

static void op_new_task(struct world *w)
{
	struct mtask *t = free_slot(w);
	char name[16];
	int ret;

	if (!t)
		return;
	snprintf(name, sizeof(name), "t%d", w->next_name++);
	wlog(w, "task %s", name);
	ret = foliage_task_create(w->m, name, &t->task);
	wassert(w, ret == 0, "task_create: %d", ret);
	task_model_init(w, t);
}

static void op_pin(struct world *w, struct mtask *t)
{
	bool write = chance(w, 50);
	unsigned long idx, n;
	int ret;

	if (t->nr_pins == MAX_PINS) {
		struct pin *p = &t->pins[below(w, MAX_PINS)];

		wlog(w, "unpin pid %d %#lx+%#lx", foliage_task_pid(t->task),
		     p->addr, p->len);
		ret = foliage_unpin(t->task, p->addr, p->len);
		wassert(w, ret == 0, "unpin: %d", ret);
		*p = t->pins[--t->nr_pins];
		return;
	}
	n = pick_run(w, t, write ? is_writable : is_readable, 16, &idx);
	if (!n)
		return;
	if (write)
		resolve_lazyfree(w, t, idx, n);
	wlog(w, "pin pid %d %#lx %lu pages %s", foliage_task_pid(t->task),
	     addr_of(w, idx), n, write ? "write" : "read");
	ret = foliage_pin(t->task, addr_of(w, idx), n << PAGE_SHIFT, write);
	wassert(w, ret == 0, "pin: %d", ret);
	t->pins[t->nr_pins++] = (struct pin){ addr_of(w, idx),
					      n << PAGE_SHIFT };
	if (write) {
		unsigned long i;

		/* A write pin breaks COW of private file pages. */
		for (i = idx; i < idx + n; i++)
			snapshot(w, t, i);
	}
}

static void op_thp(struct world *w)
{
	static const char *const pmd[] = { "always", "madvise", "never" };
	static const char *const m64[] = { "always", "inherit", "never" };
	const char *v;
	int ret;

	if (chance(w, 50)) {
		v = pmd[below(w, 3)];
		wlog(w, "thp enabled %s", v);
		ret = foliage_set(w->m, "transparent_hugepage.enabled", v);
	} else {
		v = m64[below(w, 3)];
		wlog(w, "thp hugepages-64kB %s", v);
		ret = foliage_set(w->m,
				  "transparent_hugepage.hugepages-64kB/enabled",
				  v);
	}
	wassert(w, ret == 0, "foliage_set: %d", ret);
}

/* ---- the run --------------------------------------------------------- */

/*
 * The mTHP sizes besides 64K (which op_thp() toggles) that a run of
 * run_seed_arch() with @mthp enables: fork and zap then batch runs of
 * 16K to 128K folios, folded into contiguous blocks on arm64.
 */
static const char *const extra_mthp[] = {
	"transparent_hugepage.hugepages-16kB/enabled",
	"transparent_hugepage.hugepages-32kB/enabled",
	"transparent_hugepage.hugepages-128kB/enabled",
};

static void world_init(struct world *w, unsigned long seed, unsigned int arch,
		       bool mthp)
{
	struct foliage_config cfg;
	int i;

	memset(w, 0, sizeof(*w));
	w->seed = seed;
	w->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	foliage_config_init(&cfg);
	cfg.anon_vma = RANDOM_OPS_ANON_VMA;
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = 512UL << 20;
	cfg.arch = arch;
	cfg.no_page_mapcount = RANDOM_OPS_NO_PAGE_MAPCOUNT;
	w->m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(w->m), 0);
	assert_int_equal(kmem_caches_init(w->m), 0);
	if (!w->m->zero_page)
		assert_int_equal(zero_page_init(), 0);
	for (i = 0; mthp && i < (int)(sizeof(extra_mthp) /
				      sizeof(extra_mthp[0])); i++)
		assert_int_equal(foliage_set(w->m, extra_mthp[i], "always"),
				 0);
	for (i = 0; i < NR_FILES; i++) {
		char name[16];

		snprintf(name, sizeof(name), "file%d", i);
		w->files[i].nr_pages = FILE_PAGES;
		shadow_init(&w->files[i].sh);
		assert_int_equal(foliage_file_create(w->m, name,
						     FILE_PAGES << PAGE_SHIFT,
						     &w->files[i].file), 0);
	}
	op_new_task(w);
	w->base = w->t[0].task->task.mm->mmap_base -
		  (WIN_PAGES << PAGE_SHIFT);
	assert_int_equal(foliage_set(w->m, "transparent_hugepage.enabled",
				     "always"), 0);
}

/* Lazy groups upgraded and folios moved, over all seeds (lazy machines). */
static long lazy_upgrades, lazy_fixed;

static void world_done(struct world *w)
{
	int i;

	assert_int_equal(machine_enter(w->m), 0);
	lazy_upgrades += atomic_long_read(&w->m->anon_rmap->nr_upgrades);
	lazy_fixed += atomic_long_read(&w->m->anon_rmap->nr_fixed);
	for (i = 0; i < MAX_TASKS; i++)
		if (w->t[i].task) {
			assert_int_equal(foliage_exit(w->t[i].task), 0);
			task_model_free(&w->t[i]);
		}
	for (i = 0; i < NR_FILES; i++) {
		foliage_file_put(w->files[i].file);
		shadow_destroy(&w->files[i].sh);
	}
	for (i = 0; i < w->nr_anon_files; i++) {
		shadow_destroy(&w->anon_files[i]->sh);
		free(w->anon_files[i]);
	}
	pt_machine_done(w->m);
}

static void one_step(struct world *w)
{
	struct mtask *t;
	unsigned long r = below(w, 100);

	w->log[w->step % LOG_LINES][0] = 0;
	if (!nr_alive(w)) {
		op_new_task(w);
		return;
	}
	t = pick_task(w);
	if (r < 14)
		op_mmap(w, t);
	else if (r < 20)
		op_munmap(w, t);
	else if (r < 30)
		op_mprotect(w, t);
	else if (r < 37)
		op_mremap(w, t);
	else if (r < 47)
		op_madvise(w, t);
	else if (r < 65)
		op_write(w, t);
	else if (r < 75)
		op_read(w, t);
	else if (r < 82)
		op_fork(w, t);
	else if (r < 85)
		op_exit(w, t);
	else if (r < 87)
		op_new_task(w);
	else if (r < 93)
		op_pin(w, t);
	else if (r < 95)
		op_thp(w);
	else {
		wlog(w, "read back pid %d", foliage_task_pid(t->task));
		full_check(w, t);
	}
}

static void run_seed_arch(unsigned long seed, int steps,
			  struct rmap_check_stats *sum, unsigned int arch,
			  bool mthp)
{
	struct world *w = calloc(1, sizeof(*w));
	int i;

	assert_non_null(w);
	world_init(w, seed, arch, mthp);
	for (w->step = 0; w->step < steps; w->step++) {
		one_step(w);
		validate_step(w);
	}
	w->step = steps;
	for (i = 0; i < MAX_TASKS; i++)
		if (w->t[i].task)
			full_check(w, &w->t[i]);
	validate_step(w);
	sum->folios += w->total.folios;
	sum->anon_folios += w->total.anon_folios;
	sum->file_folios += w->total.file_folios;
	sum->unmapped_folios += w->total.unmapped_folios;
	sum->pte_maps += w->total.pte_maps;
	sum->pmd_maps += w->total.pmd_maps;
	sum->vma_visits += w->total.vma_visits;
	world_done(w);
	free(w);
}

static void run_seed(unsigned long seed, int steps,
		     struct rmap_check_stats *sum)
{
	run_seed_arch(seed, steps, sum, FOLIAGE_ARCH_X86_64, false);
}

/*
 * PTE batching (docs/pte-batching.md): 16K to 128K mTHPs on both arches,
 * arm64's folded blocks checked by validate_mm() after every step.
 */
static void test_random_ops_mthp(void **state)
{
	struct rmap_check_stats sum = { 0 };

	(void)state;
	run_seed_arch(11, 160, &sum, FOLIAGE_ARCH_X86_64, true);
	run_seed_arch(12, 160, &sum, FOLIAGE_ARCH_ARM64, true);
	assert_true(sum.anon_folios > 0);
	assert_true(sum.pte_maps > 0);
}

static void test_random_ops(void **state)
{
	struct rmap_check_stats sum = { 0 };
	/* To explore: RANDOM_OPS_SEEDS=first:count, RANDOM_OPS_STEPS=n. */
	const char *seeds = getenv("RANDOM_OPS_SEEDS");
	const char *steps = getenv("RANDOM_OPS_STEPS");
	unsigned long first = FIRST_SEED, count = NR_SEEDS, seed;

	(void)state;
	if (seeds && sscanf(seeds, "%lu:%lu", &first, &count) != 2)
		fail_msg("RANDOM_OPS_SEEDS=%s: want first:count", seeds);
	for (seed = first; seed < first + count; seed++)
		run_seed(seed, steps ? atoi(steps) : STEPS, &sum);
	/* The checker saw every kind of mapping it is there to prove. */
	assert_true(sum.anon_folios > 0);
	assert_true(sum.file_folios > 0);
	assert_true(sum.unmapped_folios > 0);
	assert_true(sum.pte_maps > 0);
	assert_true(sum.pmd_maps > 0);
	assert_true(sum.vma_visits >= sum.folios - sum.unmapped_folios);
	/* Lazy machines went through their upgrades; classic ones never. */
	if (RANDOM_OPS_ANON_VMA == FOLIAGE_ANON_VMA_LAZY)
		assert_true(lazy_upgrades > 0 && lazy_fixed > 0);
	else
		assert_true(!lazy_upgrades && !lazy_fixed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_ops),
		cmocka_unit_test(test_random_ops_mthp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
