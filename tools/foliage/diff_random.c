// SPDX-License-Identifier: GPL-2.0
/*
 * Random scenarios for 'foliage diff --random SEED --steps N' (diff.h).
 *
 * Each line is made when the runner reads it, from what the machine holds
 * after the line before: the tasks alive, and each task's VMAs as foliage
 * shows them in /proc/PID/maps (which the comparison after each line
 * proves equal to Linux's).  So an operation can be chosen to succeed
 * (mprotect inside mapped memory, touch of writable pages below the end
 * of their file, mremap of one VMA) or to fail in a way both kernels
 * must agree on, written with '=> -ERRNO':
 *
 *	munmap at an address that is not page-aligned		-EINVAL
 *	mmap of length 0					-EINVAL
 *	mmap noreplace over a mapping				-EEXIST
 *	mprotect from an address where nothing is mapped	-ENOMEM
 *	touch read from an address where nothing is mapped	-EFAULT
 *	mremap growing a range that spans two VMAs		-EFAULT
 *	mprotect or madvise over a hole				-ENOMEM
 *	a load or store of an exec-only mapping, where the host's
 *	CPU has protection keys (PKU)				-EFAULT
 *
 * mprotect and madvise over a hole are applied to the VMAs before it
 * (mprotect) or to every mapped part (madvise) before they fail, in the
 * same order on both sides.  mremap moves whole VMAs, parts of one (which
 * splits it) and, with the same length and MREMAP_FIXED, ranges spanning
 * several VMAs; MREMAP_DONTUNMAP moves anonymous, file and shared
 * mappings.  Protections include PROT_EXEC.  With --thp, MADV_FREE often
 * covers part of one 2M block.  Everything happens in the first
 * AREA_BYTES of the window.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <foliage/foliage.h>

#include "diff.h"
#include "diffcmp.h"
#include "realproc.h"
#include "scenario.h"

#define PAGE_BYTES	4096UL
#define AREA_BYTES	(16UL << 20)
#define AREA_PAGES	(AREA_BYTES / PAGE_BYTES)
#define MAX_TASKS	4
#define MAX_FILES	3
#define LINE_MAX_BYTES	256
#define PMD_BYTES	(2UL << 20)
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((a) - 1))

struct gen {
	struct scenario *s;		/* the run whose state we read */
	uint64_t rng;			/* xorshift64* state */
	unsigned int steps;		/* operations still to make */
	unsigned int nr_names;		/* names made so far */
	bool print;			/* echo each line on stdout */
	bool thp;			/* hugepage advice, 2M ranges */
	char line[LINE_MAX_BYTES];	/* the line being handed out */
	size_t len, pos;		/* its length, and what was read */
	struct dc_maps maps;		/* the chosen task's VMAs */
};

/* xorshift64*: a small PRNG of its own, for reproducible scenarios. */
static uint64_t rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dULL;
}

/* A number in [0, n). */
static unsigned long below(struct gen *g, unsigned long n)
{
	return n ? rnd(g) % n : 0;
}

static bool chance(struct gen *g, unsigned int percent)
{
	return below(g, 100) < percent;
}

static unsigned long area_start(void)
{
	return REALPROC_WINDOW_START;
}

/* ---- the machine as it is now -------------------------------------------- */

static struct scn_task *random_task(struct gen *g)
{
	struct scn_task *live[64];
	unsigned int i, n = 0;

	for (i = 0; i < g->s->nr_tasks && n < 64; i++)
		if (g->s->tasks[i]->task)
			live[n++] = g->s->tasks[i];
	return n ? live[below(g, n)] : NULL;
}

static unsigned int nr_live_tasks(struct gen *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < g->s->nr_tasks; i++)
		n += g->s->tasks[i]->task != NULL;
	return n;
}

/* @t's VMAs inside the area, into g->maps. */
static int read_maps(struct gen *g, struct scn_task *t)
{
	char *text;
	int ret;

	dc_maps_free(&g->maps);
	ret = foliage_render_task(t->task, "maps", 0, &text);
	if (ret)
		return ret;
	ret = dc_parse_maps(text, area_start(), area_start() + AREA_BYTES,
			    &g->maps);
	free(text);
	return ret;
}

/* The VMA containing @addr, or NULL. */
static const struct dc_vma *vma_at(struct gen *g, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < g->maps.nr; i++)
		if (g->maps.vma[i].start <= addr && addr < g->maps.vma[i].end)
			return &g->maps.vma[i];
	return NULL;
}

/* Bytes of the file behind @v: the scenario's file of that name. */
static uint64_t file_bytes(struct gen *g, const struct dc_vma *v)
{
	char key[DC_PATH_MAX];
	unsigned int i;

	dc_path_key(v->path, key, sizeof(key));
	for (i = 0; i < g->s->nr_files; i++)
		if (!strcmp(g->s->files[i]->name, key))
			return g->s->files[i]->bytes;
	return 0;
}

/*
 * The end of the part of @v a task can touch without SIGBUS: all of it,
 * or up to the end of its file.
 */
static unsigned long touchable_end(struct gen *g, const struct dc_vma *v)
{
	uint64_t eof;

	if (!v->inode)
		return v->end;
	eof = file_bytes(g, v);
	if (v->offset >= eof)
		return v->start;
	if (eof - v->offset < v->end - v->start)
		return v->start + ((eof - v->offset) & ~(PAGE_BYTES - 1));
	return v->end;
}

static bool private_anon(const struct dc_vma *v)
{
	return v->perms[3] == 'p' && !v->inode;
}

/*
 * A random sub-range of @v's pages [start, end): *@addr and *@len, at
 * most @max_pages pages.
 */
static void sub_range(struct gen *g, unsigned long start, unsigned long end,
		      unsigned long max_pages, unsigned long *addr,
		      unsigned long *len)
{
	unsigned long pages = (end - start) / PAGE_BYTES, first, nr;

	first = below(g, pages);
	nr = 1 + below(g, pages - first < max_pages ? pages - first :
		       max_pages);
	*addr = start + first * PAGE_BYTES;
	*len = nr * PAGE_BYTES;
}

/* A random page-aligned address of the area, with room for @len. */
static unsigned long random_addr(struct gen *g, unsigned long len,
				 unsigned long align)
{
	unsigned long slots = (AREA_BYTES - len) / align + 1;

	return area_start() + below(g, slots) * align;
}

/* Whether VMAs cover all of [addr, addr + len). */
static bool range_covered(struct gen *g, unsigned long addr,
			  unsigned long len)
{
	const struct dc_vma *v;

	while (len && (v = vma_at(g, addr))) {
		if (v->end - addr >= len)
			return true;
		len -= v->end - addr;
		addr = v->end;
	}
	return !len;
}

static bool range_free(struct gen *g, unsigned long addr, unsigned long len)
{
	unsigned int i;

	for (i = 0; i < g->maps.nr; i++)
		if (g->maps.vma[i].start < addr + len &&
		    g->maps.vma[i].end > addr)
			return false;
	return true;
}

/* ---- the operations -------------------------------------------------------- */

static int say(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int say(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->line, sizeof(g->line) - 1, fmt, ap);
	va_end(ap);
	g->line[n++] = '\n';
	g->line[n] = '\0';
	g->len = n;
	g->pos = 0;
	return 0;
}

static const char *const prots[] = {
	"none", "r", "rw", "rw", "rw", "x", "rx", "rwx",
};
#define NR_PROTS	(sizeof(prots) / sizeof(prots[0]))

static int gen_mmap(struct gen *g, struct scn_task *t)
{
	unsigned long pages = 1 + below(g, g->thp && chance(g, 20) ? 1024 : 32);
	unsigned long len = pages * PAGE_BYTES, addr;
	const char *prot = prots[below(g, NR_PROTS)];
	char file[64] = "";
	unsigned int name = g->nr_names++;

	addr = random_addr(g, len, g->thp && chance(g, 30) ? 2UL << 20 :
			   PAGE_BYTES);
	if (g->s->nr_files && chance(g, 30)) {
		struct scn_file *f = g->s->files[below(g, g->s->nr_files)];
		uint64_t off = below(g, f->bytes / PAGE_BYTES) * PAGE_BYTES;

		if (f->file)
			snprintf(file, sizeof(file), " file=%s off=%#llx",
				 f->name, (unsigned long long)off);
	}
	if (chance(g, 3))
		return say(g, "mmap %s M%u 0 at=%#lx fixed => -EINVAL",
			   t->name, name, addr);
	if (!range_free(g, addr, len) && chance(g, 10))
		return say(g, "mmap %s M%u %#lx at=%#lx prot=%s noreplace%s "
			   "=> -EEXIST", t->name, name, len, addr, prot, file);
	return say(g, "mmap %s M%u %#lx at=%#lx prot=%s %s %s%s%s", t->name,
		   name, len, addr, prot, chance(g, 25) ? "shared" : "private",
		   range_free(g, addr, len) && chance(g, 30) ? "noreplace" :
		   "fixed", chance(g, 10) ? " populate" : "", file);
}

static int gen_munmap(struct gen *g, struct scn_task *t)
{
	unsigned long len = (1 + below(g, 64)) * PAGE_BYTES;
	unsigned long addr = random_addr(g, len, PAGE_BYTES);

	if (chance(g, 5))
		return say(g, "munmap %s %#lx:%#lx => -EINVAL", t->name,
			   addr + 0x800, len);
	if (g->maps.nr && chance(g, 70)) {
		const struct dc_vma *v = &g->maps.vma[below(g, g->maps.nr)];

		sub_range(g, v->start, v->end, 64, &addr, &len);
	}
	return say(g, "munmap %s %#lx:%#lx", t->name, addr, len);
}

/* A random range of one mapped VMA: *@v, *@addr, *@len. */
static bool pick_in_vma(struct gen *g, const struct dc_vma **v,
			unsigned long *addr, unsigned long *len,
			unsigned long max_pages)
{
	if (!g->maps.nr)
		return false;
	*v = &g->maps.vma[below(g, g->maps.nr)];
	sub_range(g, (*v)->start, (*v)->end, max_pages, addr, len);
	return true;
}

static int gen_mprotect(struct gen *g, struct scn_task *t)
{
	const struct dc_vma *v;
	unsigned long addr, len;

	if (!pick_in_vma(g, &v, &addr, &len, 64) || chance(g, 5)) {
		len = 4 * PAGE_BYTES;
		addr = random_addr(g, len, PAGE_BYTES);
		if (!vma_at(g, addr))
			return say(g, "mprotect %s %#lx:%#lx r => -ENOMEM",
				   t->name, addr, len);
		return say(g, "munmap %s %#lx:%#lx", t->name, addr, len);
	}
	/* On past the VMA's end, over whatever follows: a hole fails. */
	if (chance(g, 15))
		len += (1 + below(g, 16)) * PAGE_BYTES;
	if (addr + len > area_start() + AREA_BYTES)
		len = area_start() + AREA_BYTES - addr;
	return say(g, "mprotect %s %#lx:%#lx %s%s", t->name, addr, len,
		   prots[below(g, NR_PROTS)],
		   range_covered(g, addr, len) ? "" : " => -ENOMEM");
}

static int gen_madvise(struct gen *g, struct scn_task *t)
{
	static const char *const any[] = {
		"dontneed", "dontfork", "dofork", "normal", "keeponfork",
		"populate_read",
	};
	const struct dc_vma *v;
	unsigned long addr, len, end;
	const char *advice;

	if (!pick_in_vma(g, &v, &addr, &len, 64))
		return gen_mmap(g, t);
	/* Over a hole: advice any VMA takes, applied around the hole. */
	if (chance(g, 10)) {
		len += (1 + below(g, 16)) * PAGE_BYTES;
		if (addr + len > area_start() + AREA_BYTES)
			len = area_start() + AREA_BYTES - addr;
		return say(g, "madvise %s %#lx:%#lx %s%s", t->name, addr, len,
			   any[below(g, 5)], range_covered(g, addr, len) ? "" :
			   " => -ENOMEM");
	}
	advice = any[below(g, sizeof(any) / sizeof(any[0]))];
	/* Part of a 2M block: a PMD-mapped THP splits (or is left whole). */
	if (g->thp && private_anon(v) && chance(g, 30) &&
	    ALIGN_UP(v->start, PMD_BYTES) + PMD_BYTES <= v->end) {
		addr = ALIGN_UP(v->start, PMD_BYTES) +
		       below(g, PMD_BYTES / PAGE_BYTES - 1) * PAGE_BYTES;
		len = (1 + below(g, 64)) * PAGE_BYTES;
		if (addr + len > ALIGN_UP(v->start, PMD_BYTES) + PMD_BYTES)
			len = ALIGN_UP(v->start, PMD_BYTES) + PMD_BYTES - addr;
		return say(g, "madvise %s %#lx:%#lx free", t->name, addr, len);
	}
	if (private_anon(v) && chance(g, 40))
		advice = chance(g, 50) ? "free" : "wipeonfork";
	else if (g->thp && chance(g, 20))
		advice = chance(g, 70) ? "hugepage" : "nohugepage";
	if (!strncmp(advice, "populate", 8)) {
		/* Populating needs access, and no SIGBUS past EOF. */
		end = touchable_end(g, v);
		if (v->perms[0] != 'r' || addr >= end) {
			advice = "normal";
		} else {
			if (addr + len > end)
				len = end - addr;
			if (v->perms[1] == 'w' && chance(g, 50))
				advice = "populate_write";
		}
	}
	return say(g, "madvise %s %#lx:%#lx %s", t->name, addr, len, advice);
}

static int gen_mremap(struct gen *g, struct scn_task *t)
{
	const struct dc_vma *v, *next;
	unsigned long len, grow, to;

	if (!g->maps.nr)
		return gen_mmap(g, t);
	v = &g->maps.vma[below(g, g->maps.nr)];
	len = v->end - v->start;
	next = vma_at(g, v->end);
	if (next && chance(g, 10))
		return say(g, "mremap %s %#lx:%#lx %#lx => -EFAULT", t->name,
			   v->start, len + PAGE_BYTES, len + 2 * PAGE_BYTES);
	switch (below(g, 6)) {
	case 4:		/* move part of the VMA: it splits */
		if (len > PAGE_BYTES) {
			unsigned long addr, part;

			sub_range(g, v->start, v->end, len / PAGE_BYTES - 1,
				  &addr, &part);
			to = random_addr(g, part, PAGE_BYTES);
			if (to < addr + part && to + part > addr)
				return gen_munmap(g, t);
			return say(g, "mremap %s %#lx:%#lx %#lx maymove fixed "
				   "at=%#lx", t->name, addr, part, part, to);
		}
		/* fall through */
	case 5:		/* move several VMAs (and the holes between) */
		if (next || chance(g, 50)) {
			unsigned long span = len + (1 + below(g, 16)) *
					     PAGE_BYTES;

			if (v->start + span > area_start() + AREA_BYTES)
				span = area_start() + AREA_BYTES - v->start;
			to = random_addr(g, span, PAGE_BYTES);
			if (to < v->start + span && to + span > v->start)
				return gen_munmap(g, t);
			return say(g, "mremap %s %#lx:%#lx %#lx maymove fixed "
				   "at=%#lx", t->name, v->start, span, span,
				   to);
		}
		/* fall through */
	case 0:		/* shrink */
		if (len > PAGE_BYTES)
			return say(g, "mremap %s %#lx:%#lx %#lx", t->name,
				   v->start, len, len - PAGE_BYTES *
				   (1 + below(g, len / PAGE_BYTES - 1)));
		/* fall through */
	case 1:		/* grow in place, where there is room */
		grow = (1 + below(g, 8)) * PAGE_BYTES;
		if (v->end + grow <= area_start() + AREA_BYTES &&
		    range_free(g, v->end, grow))
			return say(g, "mremap %s %#lx:%#lx %#lx", t->name,
				   v->start, len, len + grow);
		/* fall through */
	case 2:		/* move, maybe growing */
		grow = chance(g, 50) ? below(g, 8) * PAGE_BYTES : 0;
		to = random_addr(g, len + grow, PAGE_BYTES);
		if (to < v->end && to + len + grow > v->start)
			return gen_munmap(g, t);
		return say(g, "mremap %s %#lx:%#lx %#lx maymove fixed at=%#lx",
			   t->name, v->start, len, len + grow, to);
	default:	/* move, leaving the old range mapped and empty */
		to = random_addr(g, len, PAGE_BYTES);
		if (!range_free(g, to, len))
			return gen_munmap(g, t);
		return say(g, "mremap %s %#lx:%#lx %#lx maymove dontunmap "
			   "fixed at=%#lx", t->name, v->start, len, len, to);
	}
}

/* touch, write or read of memory the task may access as it does. */
static int gen_access(struct gen *g, struct scn_task *t)
{
	const struct dc_vma *v;
	unsigned long addr, len, end;
	unsigned int kind = below(g, 4);
	bool write = kind == 0 || kind == 2;

	if (!pick_in_vma(g, &v, &addr, &len, 32) || chance(g, 3)) {
		addr = random_addr(g, PAGE_BYTES, PAGE_BYTES);
		if (!vma_at(g, addr))
			return say(g, "touch %s %#lx:%#lx read => -EFAULT",
				   t->name, addr, PAGE_BYTES);
		return gen_mmap(g, t);
	}
	end = touchable_end(g, v);
	/* Exec-only: readable unless the CPU has protection keys. */
	if (!strncmp(v->perms, "--x", 3) && !write && addr < end)
		return say(g, "touch %s %#lx:%#lx read%s", t->name, addr,
			   PAGE_BYTES, g->s->config.pku ? " => -EFAULT" : "");
	if (v->perms[0] != 'r' || (write && v->perms[1] != 'w') ||
	    addr >= end)
		return gen_mprotect(g, t);
	if (addr + len > end)
		len = end - addr;
	switch (kind) {
	case 0:
	case 1:
		return say(g, "touch %s %#lx:%#lx %s", t->name, addr, len,
			   write ? "write" : "read");
	case 2:
		return say(g, "write %s %#lx 0x%08lx", t->name,
			   addr + below(g, len - 4), (unsigned long)rnd(g) &
			   0xffffffffUL);
	default:
		return say(g, "read %s %#lx %#lx", t->name, addr, len);
	}
}

static int gen_task(struct gen *g, struct scn_task *t)
{
	unsigned int live = nr_live_tasks(g);

	if (live < MAX_TASKS && chance(g, 70))
		return say(g, "fork %s T%u", t->name, g->nr_names++);
	if (live > 1)
		return say(g, "exit %s", t->name);
	return say(g, "task T%u", g->nr_names++);
}

/* The next line, from the machine as it is now. */
static int next_line(struct gen *g)
{
	static const struct {
		int (*fn)(struct gen *g, struct scn_task *t);
		unsigned int weight;
	} ops[] = {
		{ gen_mmap, 16 }, { gen_munmap, 6 }, { gen_mprotect, 10 },
		{ gen_madvise, 10 }, { gen_mremap, 8 }, { gen_access, 40 },
		{ gen_task, 4 },
	};
	unsigned int i, total = 0, pick;
	struct scn_task *t;
	int ret;

	t = random_task(g);
	if (!t)
		return say(g, "task T%u", g->nr_names++);
	ret = read_maps(g, t);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	pick = below(g, total);
	for (i = 0; pick >= ops[i].weight; i++)
		pick -= ops[i].weight;
	return ops[i].fn(g, t);
}

/* The lines before the random ones: a machine, a task, files. */
static const char prologue[] =
	"machine mem=128M\n"
	"task T0\n"
	"file F0 1M\n"
	"file F1 64K\n";

static ssize_t gen_read(void *cookie, char *buf, size_t size)
{
	struct gen *g = cookie;
	size_t n;

	if (g->pos == g->len) {
		if (g->s->line == 0) {
			snprintf(g->line, sizeof(g->line), "%s", prologue);
			g->len = strlen(g->line);
			g->pos = 0;
			g->nr_names = 2;
		} else {
			if (!g->steps)
				return 0;
			g->steps--;
			if (next_line(g))
				return -1;
		}
		if (g->print)
			fputs(g->line, stdout);
	}
	n = g->len - g->pos < size ? g->len - g->pos : size;
	memcpy(buf, g->line + g->pos, n);
	g->pos += n;
	return (ssize_t)n;
}

static int gen_close(void *cookie)
{
	struct gen *g = cookie;

	dc_maps_free(&g->maps);
	free(g);
	return 0;
}

FILE *diff_random_open(struct scenario *s, uint64_t seed, unsigned int steps,
		       const struct diff_options *o)
{
	cookie_io_functions_t io = { .read = gen_read, .close = gen_close };
	struct gen *g = calloc(1, sizeof(*g));
	FILE *f;

	if (!g)
		return NULL;
	g->s = s;
	g->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	g->steps = steps;		/* after the prologue */
	g->print = o->print;
	g->thp = o->thp;
	f = fopencookie(g, "r", io);
	if (!f)
		free(g);
	return f;
}
