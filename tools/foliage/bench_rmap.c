// SPDX-License-Identifier: GPL-2.0
/*
 * foliage bench rmap: the reverse map in both schemes side by side,
 * classic anon_vma (Linux 6.18) and ANON_VMA_LAZY (seed 003, issue 13):
 * what a walk costs, what the objects weigh, what fork and a moving
 * mremap cost.  Rows of the lazy scheme have keys prefixed "lazy_"; the
 * ratios lazy / classic carry the targets.
 *
 * Walks: ns per rmap_walk() of one folio, called inside the machine, with
 * an rmap_one that finds the mapping in each VMA visited with
 * page_vma_mapped_walk(), as every user of the walk does:
 *
 *   walk_anon_1     a 4 KiB anon folio mapped by one VMA
 *   walk_anon_4     one written by a parent, then shared by it and the
 *		     3 children it forked (4 VMAs on the parent's anon_vma)
 *   walk_thp        a PMD-mapped 2 MiB anon THP, one VMA
 *   walk_file_4     a shmem file folio mapped MAP_SHARED by 4 tasks
 *		     (found through the file's i_mmap tree)
 *   walk_split_4    a 64 KiB mTHP whose VMA mprotect split in 4, no
 *		     fork: 4 VMAs (lazy: found by address, classic: on
 *		     the anon_vma's tree)
 *
 * The number of VMAs visited and mappings found is checked once, before
 * timing, and shown in each row's name.  A run times 100,000 walks in the
 * thread's CPU time (bench_thread_cpu_ns()): a busy host preempting the
 * loop does not count.
 *
 * Memory: every round, a fresh machine runs the workload of issue 4 at
 * 10,000 regions: one task maps 10,000 separate 64 KiB anonymous regions
 * (64 KiB apart, so that none merges with another) and writes one byte
 * to each: (a); then (c) the middle 32 KiB of every region is made
 * read-only by mprotect and read-write again (split in three, merged
 * back); then (b) it forks three children (the first fork timed), each
 * of which writes one byte to every other region.  The slab caches'
 * counters (the rows of /proc/slabinfo) give, for vm_area_struct,
 * anon_vma and anon_vma_chain, the objects made (detached lazy roots
 * included: they are allocated), their size at Linux's object size, and
 * the slab pages holding them (num_slabs x pagesperslab x 4 KiB).  The
 * counts must be Linux's in the classic scheme: (a) and (c) one anon_vma
 * and one chain per region; (b) each child one more anon_vma and two more
 * chains per region.  In the lazy one: (a) and (c) no anon_vma, no chain;
 * (b) fork upgrades each region (an anon_vma and a chain), and each child
 * adds what it adds in classic.  Anything else is an error.
 *
 * Moving mremap: in another fresh guest the 10,000 regions are made and
 * touched, then every tenth is moved 1 TiB up (MREMAP_MAYMOVE|FIXED):
 * ns per mremap in the thread's CPU time (lazy: the group's upgrade and
 * each folio's move to the anon_vma included).
 *
 * The same workload runs on the host kernel, in a process forked from this
 * one, when /proc/slabinfo is readable: the deltas of its rows (the three
 * caches shrunk first, which flushes SLUB's per-CPU slabs) are system-wide,
 * so other processes and the forks' copies of this program's own mappings
 * make them noisy; they are shown as such, and not checked.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <foliage/foliage.h>
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/shmem_fs.h>
#include "task.h"

#include "bench.h"
#include "diffcmp.h"
#include "realproc.h"
#include <linux/gfp.h>

#define WALK_RAM_BYTES		(256UL << 20)
#define MEM_RAM_BYTES		(512UL << 20)
#define NR_WALKS		100000UL
#define NR_REGIONS		10000UL
#define NR_CHILDREN		3
#define REGION_BYTES		(64UL << 10)
/* Regions start every 128 KiB: a 64 KiB hole after each. */
#define REGION_STRIDE		(2 * REGION_BYTES)
#define REGIONS_BASE		0x200000000000UL
#define WALK_BASE		0x100000000000UL
#define THP_BYTES		(2UL << 20)

#define ANON_RW_FIXED	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_FIXED)
#define PROT_RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)

/* ---- rmap walks ------------------------------------------------------ */

enum walk_kind { WALK_ANON_1, WALK_ANON_4, WALK_THP, WALK_FILE_4,
		 WALK_SPLIT_4, NR_KINDS };

/* The schemes, in table order; lazy rows' keys have the prefix. */
enum { SCHEME_CLASSIC, SCHEME_LAZY, NR_SCHEMES };
static const char *const scheme_prefix[NR_SCHEMES] = { "", "lazy_" };
static const char *const scheme_tag[NR_SCHEMES] = { "classic", "lazy" };
static const unsigned int scheme_cfg[NR_SCHEMES] = {
	FOLIAGE_ANON_VMA_CLASSIC, FOLIAGE_ANON_VMA_LAZY,
};

/* What one walk found. */
struct walk_count {
	unsigned int vmas;		/* VMAs rmap_one was called for */
	unsigned int mappings;		/* PTEs and PMDs found mapping it */
	unsigned int pmds;		/* of which PMDs */
};

/* One walked folio. */
struct walk_target {
	struct foliage_machine *m;	/* its machine */
	struct folio *folio;		/* held by a reference */
};

static const struct walk_spec {
	const char *key;		/* row key */
	const char *what;		/* row name, before the counts */
	unsigned int vmas;		/* VMAs a walk must visit */
	unsigned int pmds;		/* of its mappings, PMDs */
	unsigned int mappings;		/* mappings it must find (0: vmas) */
} walk_specs[NR_KINDS] = {
	[WALK_ANON_1] = { "walk_anon_1", "rmap_walk anon 4K, 1 task", 1, 0 },
	[WALK_ANON_4] = { "walk_anon_4", "rmap_walk anon 4K, parent+3 forks",
			  4, 0 },
	[WALK_THP] = { "walk_thp", "rmap_walk anon THP, PMD-mapped", 1, 1 },
	[WALK_FILE_4] = { "walk_file_4", "rmap_walk shmem 4K, 4 tasks", 4, 0 },
	[WALK_SPLIT_4] = { "walk_split_4", "rmap_walk anon 64K mTHP, 1 task",
			   4, 0, 16 },
};

/* Row keys and names, which the report keeps after bench_rmap() returns. */
static char walk_keys[NR_SCHEMES][NR_KINDS][32];
static char walk_names[NR_SCHEMES][NR_KINDS][80];

static bool walk_count_one(struct folio *folio, struct vm_area_struct *vma,
			   unsigned long address, void *arg)
{
	struct walk_count *wc = arg;
	DEFINE_FOLIO_VMA_WALK(pvmw, folio, vma, address, 0);

	wc->vmas++;
	while (page_vma_mapped_walk(&pvmw)) {
		wc->mappings++;
		if (!pvmw.pte)
			wc->pmds++;
	}
	return true;
}

static void walk_folio(struct folio *folio, struct walk_count *wc)
{
	struct rmap_walk_control rwc = {
		.rmap_one = walk_count_one,
		.arg = wc,
	};

	rmap_walk(folio, &rwc);
}

static int run_walk(void *arg, double *value)
{
	struct walk_target *t = arg;
	struct walk_count wc = { 0 };
	uint64_t t0, t1;
	unsigned long i;
	int ret = machine_enter(t->m);

	if (ret)
		return ret;
	t0 = bench_thread_cpu_ns();
	for (i = 0; i < NR_WALKS; i++)
		walk_folio(t->folio, &wc);
	t1 = bench_thread_cpu_ns();
	*value = bench_ns_per_op(t1 - t0, NR_WALKS);
	return 0;
}

/* Hold the folio mapped at @addr of @task (a reference, FOLL_GET). */
static int hold_folio(struct foliage_task *task, unsigned long addr,
		      struct folio **out)
{
	struct mm_struct *mm = task->task.mm;
	struct page *page;
	long nr;
	int ret = machine_enter(task->machine);

	if (ret)
		return ret;
	mmap_read_lock(mm);
	nr = get_user_pages_remote(mm, addr, 1, FOLL_GET, &page);
	mmap_read_unlock(mm);
	if (nr < 0)
		return nr;
	if (nr != 1)
		return -EFAULT;
	*out = page_folio(page);
	return 0;
}

static int write_byte(struct foliage_task *task, unsigned long addr)
{
	char c = 1;

	return foliage_access(task, addr, &c, 1, true, NULL);
}

static int read_byte(struct foliage_task *task, unsigned long addr)
{
	char c;

	return foliage_access(task, addr, &c, 1, false, NULL);
}

static int fork_children(struct foliage_task *parent,
			 struct foliage_task **children)
{
	int i, ret = 0;

	for (i = 0; i < NR_CHILDREN && !ret; i++)
		ret = foliage_fork(parent, "child", &children[i]);
	return ret;
}

/* A 64 KiB mTHP at @addr of a new task, its VMA split in 4 by mprotect. */
static int split_setup(struct foliage_machine *m, unsigned long addr,
		       struct folio **out)
{
	struct foliage_task *t;
	int i, ret;

	ret = foliage_set(m, "transparent_hugepage.hugepages-64kB/enabled",
			  "always") ?:
	      foliage_task_create(m, "split4", &t) ?:
	      foliage_mmap(t, addr, REGION_BYTES, PROT_RW, ANON_RW_FIXED,
			   NULL, 0, NULL) ?:
	      write_byte(t, addr) ?:
	      foliage_set(m, "transparent_hugepage.hugepages-64kB/enabled",
			  "never");
	for (i = 1; i < 4 && !ret; i += 2)
		ret = foliage_mprotect(t, addr + i * REGION_BYTES / 4,
				       REGION_BYTES / 4, FOLIAGE_PROT_READ);
	return ret ?: hold_folio(t, addr, out);
}

/* The folios: each in its own task tree of the walk machine. */
static int walk_setup(struct foliage_machine *m, struct walk_target *t,
		      int scheme)
{
	const unsigned long anon1 = WALK_BASE, anon4 = WALK_BASE + (1UL << 30),
			    thp = WALK_BASE + (2UL << 30),
			    file = WALK_BASE + (3UL << 30),
			    split = WALK_BASE + (4UL << 30);
	struct foliage_task *p1, *p4, *pt, *pf, *kids[NR_CHILDREN];
	struct foliage_file *f;
	int i, ret;

	ret = foliage_task_create(m, "anon1", &p1) ?:
	      foliage_mmap(p1, anon1, REGION_BYTES, PROT_RW, ANON_RW_FIXED,
			   NULL, 0, NULL) ?:
	      write_byte(p1, anon1) ?:
	      hold_folio(p1, anon1, &t[WALK_ANON_1].folio);
	if (ret)
		return ret;

	ret = foliage_task_create(m, "anon4", &p4) ?:
	      foliage_mmap(p4, anon4, REGION_BYTES, PROT_RW, ANON_RW_FIXED,
			   NULL, 0, NULL) ?:
	      write_byte(p4, anon4) ?:
	      fork_children(p4, kids) ?:
	      hold_folio(p4, anon4, &t[WALK_ANON_4].folio);
	if (ret)
		return ret;

	ret = foliage_task_create(m, "thp", &pt) ?:
	      foliage_mmap(pt, thp, THP_BYTES, PROT_RW, ANON_RW_FIXED, NULL, 0,
			   NULL) ?:
	      foliage_madvise(pt, thp, THP_BYTES, FOLIAGE_MADV_HUGEPAGE) ?:
	      write_byte(pt, thp) ?:
	      hold_folio(pt, thp, &t[WALK_THP].folio);
	if (ret)
		return ret;

	/* A shared file mapping: fork copies no PTE, each child reads. */
	ret = foliage_file_create(m, "bench-rmap", REGION_BYTES, &f) ?:
	      foliage_task_create(m, "file", &pf);
	if (ret)
		return ret;
	ret = foliage_mmap(pf, file, REGION_BYTES, PROT_RW,
			   FOLIAGE_MAP_SHARED | FOLIAGE_MAP_FIXED, f, 0, NULL);
	foliage_file_put(f);
	ret = ret ?: write_byte(pf, file) ?: fork_children(pf, kids);
	for (i = 0; i < NR_CHILDREN && !ret; i++)
		ret = read_byte(kids[i], file);
	ret = ret ?: hold_folio(pf, file, &t[WALK_FILE_4].folio) ?:
	      split_setup(m, split, &t[WALK_SPLIT_4].folio);
	if (ret)
		return ret;

	/* Each walk must visit and find what the spec says. */
	for (i = 0; i < NR_KINDS; i++) {
		const struct walk_spec *s = &walk_specs[i];
		struct walk_count wc = { 0 };

		t[i].m = m;
		ret = machine_enter(m);
		if (ret)
			return ret;
		unsigned int want = s->mappings ?: s->vmas;

		walk_folio(t[i].folio, &wc);
		if (wc.vmas != s->vmas || wc.mappings != want ||
		    wc.pmds != s->pmds) {
			fprintf(stderr, "foliage bench rmap: %s%s: the walk "
				"visited %u VMAs and found %u mappings (%u PMDs), "
				"expected %u, %u and %u\n", scheme_prefix[scheme],
				s->key, wc.vmas, wc.mappings, wc.pmds, s->vmas,
				want, s->pmds);
			return -EIO;
		}
		snprintf(walk_keys[scheme][i], sizeof(walk_keys[scheme][i]),
			 "%s%s", scheme_prefix[scheme], s->key);
		snprintf(walk_names[scheme][i], sizeof(walk_names[scheme][i]),
			 "%s: %s: %u VMA%s", scheme_tag[scheme], s->what,
			 wc.vmas, wc.vmas == 1 ? "" : "s");
	}
	return 0;
}

static void walk_teardown(struct foliage_machine *m, struct walk_target *t)
{
	int i;

	if (machine_enter(m))
		return;
	for (i = 0; i < NR_KINDS; i++)
		if (t[i].folio)
			folio_put(t[i].folio);
}

/* ---- memory: 10,000 regions, split and merged, then 3 forked children -- */

enum { STAGE_NOFORK, STAGE_SPLIT, STAGE_FORKED, NR_STAGES };
enum { CACHE_VMA, CACHE_ANON_VMA, CACHE_AVC, NR_CACHES };

/* Row kinds of the memory table, per (scheme, stage, cache). */
enum { MEM_OBJS, MEM_KB, MEM_SLAB_KB, MEM_HOST_OBJS, NR_MEM_KINDS };
/* Timed rows, per scheme. */
enum { TIME_FORK, TIME_MREMAP, NR_TIMES };

/* One round's numbers. */
struct mem_round {
	long objs[NR_SCHEMES][NR_STAGES][NR_CACHES];	/* objects made */
	long slab_pages[NR_SCHEMES][NR_STAGES][NR_CACHES]; /* slab pages added */
	long host_objs[NR_STAGES][NR_CACHES];	/* host kernel's deltas */
	double ns[NR_SCHEMES][NR_TIMES];	/* fork, ns per mremap */
};

struct mem_bench;

/* One row of the memory table. */
struct mem_case {
	struct mem_bench *mb;		/* the benchmark */
	int scheme;			/* SCHEME_* */
	int stage;			/* STAGE_*, or -1 for a timed row */
	int cache;			/* CACHE_*, or TIME_* for a timed row */
	int kind;			/* MEM_* */
};

#define NR_MEM_CASES	(NR_SCHEMES * (NR_STAGES * NR_CACHES * \
				       NR_MEM_KINDS + NR_TIMES))

struct mem_bench {
	bool host;			/* host kernel measured */
	struct mem_round now;		/* this round's numbers */
	struct mem_case cases[NR_MEM_CASES]; /* rows */
	struct bench_case bench_cases[NR_MEM_CASES]; /* for the harness */
	int nr_cases;			/* used entries */
};

static const char *const cache_names[NR_CACHES] = {
	[CACHE_VMA] = "vm_area_struct",
	[CACHE_ANON_VMA] = "anon_vma",
	[CACHE_AVC] = "anon_vma_chain",
};

static const unsigned int cache_objsize[NR_CACHES] = {
	[CACHE_VMA] = VM_AREA_STRUCT_LINUX_BYTES,
	[CACHE_ANON_VMA] = ANON_VMA_LINUX_BYTES,
	[CACHE_AVC] = ANON_VMA_CHAIN_LINUX_BYTES,
};

/*
 * The counts: classic, Linux's (issue 4): a region costs a VMA, an
 * anon_vma and a chain, after a split and merge too; each child, per
 * region, a VMA, an anon_vma and two chains.  Lazy: a region costs a VMA
 * only until fork, which upgrades it to the classic cost.
 */
static long expected_objs(int scheme, int stage, int cache)
{
	long children = stage == STAGE_FORKED ? NR_CHILDREN : 0;

	if (scheme == SCHEME_LAZY && stage != STAGE_FORKED &&
	    cache != CACHE_VMA)
		return 0;
	return NR_REGIONS * (1 + children * (cache == CACHE_AVC ? 2 : 1));
}

/* Row keys and names, which the report keeps after bench_rmap() returns. */
static char mem_keys[NR_MEM_CASES][48];
static char mem_names[NR_MEM_CASES][96];

static const char *const stage_tags[NR_STAGES] = { "a", "c", "b" };
static const char *const stage_names[NR_STAGES] = {
	"(a) 10000 regions", "(c) split, merged back", "(b) + 3 children",
};

static void mem_caches(struct foliage_machine *m, struct slabinfo *si)
{
	kmem_cache_get_info(m->slab->cache_vm_area_struct, &si[CACHE_VMA]);
	kmem_cache_get_info(m->slab->cache_anon_vma, &si[CACHE_ANON_VMA]);
	kmem_cache_get_info(m->slab->cache_anon_vma_chain, &si[CACHE_AVC]);
}

static void mem_record(struct foliage_machine *m, const struct slabinfo *base,
		       struct mem_round *mr, int scheme, int stage)
{
	struct slabinfo si[NR_CACHES];
	int c;

	mem_caches(m, si);
	for (c = 0; c < NR_CACHES; c++) {
		mr->objs[scheme][stage][c] = (long)si[c].active_objs -
					     (long)base[c].active_objs;
		mr->slab_pages[scheme][stage][c] =
			(long)(si[c].num_slabs * si[c].pagesperslab) -
			(long)(base[c].num_slabs * base[c].pagesperslab);
	}
}

static unsigned long region_addr(unsigned long base, unsigned long i)
{
	return base + i * REGION_STRIDE;
}

/* A fresh guest of @scheme with one task that made and touched the regions. */
static int regions_machine(int scheme, struct foliage_machine **mp,
			   struct foliage_task **tp, struct slabinfo *base)
{
	struct foliage_machine *m;
	struct foliage_config cfg;
	unsigned long i;
	int ret;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = MEM_RAM_BYTES;
	cfg.nr_cpus = 1;
	cfg.anon_vma = scheme_cfg[scheme];
	ret = foliage_machine_create(&cfg, &m);
	if (ret)
		return ret;
	*mp = m;
	ret = foliage_task_create(m, "regions", tp) ?: machine_enter(m);
	if (ret)
		return ret;
	if (base)
		mem_caches(m, base);
	for (i = 0; i < NR_REGIONS && !ret; i++)
		ret = foliage_mmap(*tp, region_addr(REGIONS_BASE, i),
				   REGION_BYTES, PROT_RW, ANON_RW_FIXED, NULL,
				   0, NULL) ?:
		      write_byte(*tp, region_addr(REGIONS_BASE, i));
	return ret;
}

/* The workload in a fresh guest of @scheme; the counts into @mr. */
static int mem_run_foliage(struct mem_round *mr, int scheme)
{
	const unsigned long mid = REGION_BYTES / 4, mid_len = REGION_BYTES / 2;
	struct foliage_task *p, *kids[NR_CHILDREN];
	struct slabinfo base[NR_CACHES];
	struct foliage_machine *m = NULL;
	unsigned long i;
	uint64_t t0;
	int k, ret;

	ret = regions_machine(scheme, &m, &p, base);
	if (ret)
		goto out;
	mem_record(m, base, mr, scheme, STAGE_NOFORK);
	for (i = 0; i < NR_REGIONS && !ret; i++) {
		unsigned long r = region_addr(REGIONS_BASE, i);

		ret = foliage_mprotect(p, r + mid, mid_len,
				       FOLIAGE_PROT_READ) ?:
		      foliage_mprotect(p, r + mid, mid_len, PROT_RW);
	}
	if (ret)
		goto out;
	mem_record(m, base, mr, scheme, STAGE_SPLIT);
	t0 = bench_thread_cpu_ns();
	ret = foliage_fork(p, "child", &kids[0]);
	mr->ns[scheme][TIME_FORK] = bench_thread_cpu_ns() - t0;
	for (k = 1; k < NR_CHILDREN && !ret; k++)
		ret = foliage_fork(p, "child", &kids[k]);
	for (k = 0; k < NR_CHILDREN && !ret; k++)
		for (i = 0; i < NR_REGIONS && !ret; i += 2)
			ret = write_byte(kids[k],
					 region_addr(REGIONS_BASE, i));
	if (ret)
		goto out;
	mem_record(m, base, mr, scheme, STAGE_FORKED);
out:
	if (m)
		foliage_machine_destroy(m);
	return ret;
}

/* Every tenth region moved 1 TiB up: ns per mremap into @mr. */
static int mremap_run_foliage(struct mem_round *mr, int scheme)
{
	struct foliage_machine *m = NULL;
	struct foliage_task *p;
	unsigned long i, n = 0, out;
	uint64_t ns = 0, t0;
	int ret;

	ret = regions_machine(scheme, &m, &p, NULL);
	for (i = 0; i < NR_REGIONS && !ret; i += 10, n++) {
		unsigned long r = region_addr(REGIONS_BASE, i);

		t0 = bench_thread_cpu_ns();
		ret = foliage_mremap(p, r, REGION_BYTES, REGION_BYTES,
				     FOLIAGE_MREMAP_MAYMOVE |
				     FOLIAGE_MREMAP_FIXED, r + (1UL << 40),
				     &out);
		ns += bench_thread_cpu_ns() - t0;
	}
	if (!ret)
		mr->ns[scheme][TIME_MREMAP] = bench_ns_per_op(ns, n);
	if (m)
		foliage_machine_destroy(m);
	return ret;
}

/* ---- the same on the host kernel ------------------------------------- */

static int host_slab_objs(long *objs)
{
	struct dc_slab_row rows[REALPROC_NR_CACHES];
	char *text;
	int i, ret = realproc_slabinfo(true, &text);

	if (ret)
		return ret;
	dc_parse_slabinfo(text, realproc_cache_name, REALPROC_NR_CACHES, rows);
	free(text);
	for (i = 0; i < REALPROC_NR_CACHES; i++) {
		if (!rows[i].found)
			return -ENOENT;
		objs[i] = rows[i].active_objs;
	}
	return 0;
}

/* A forked child of the host's process: write a byte to every region. */
static void host_child(unsigned long base, int ready_fd, int go_fd)
{
	unsigned long i;
	char c = 0;

	for (i = 0; i < NR_REGIONS; i += 2)
		*(volatile char *)region_addr(base, i) = 1;
	if (write(ready_fd, &c, 1) != 1)
		_exit(1);
	/* Stay, with every object, until the parent has counted. */
	if (read(go_fd, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

/*
 * The workload in this process (a fork of the CLI's): counts relative to
 * its own start into @out[stage][cache].
 */
static int host_workload(long out[NR_STAGES][NR_CACHES])
{
	long base[NR_CACHES], now[NR_CACHES];
	int ready[2], go[2], k, c, ret;
	pid_t kids[NR_CHILDREN];
	unsigned long i;
	char *area;

	if (pipe(ready) || pipe(go))
		return -errno;
	/* Find room for the regions, then map them separately. */
	area = mmap(NULL, NR_REGIONS * REGION_STRIDE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return -errno;
	munmap(area, NR_REGIONS * REGION_STRIDE);

	ret = host_slab_objs(base);
	if (ret)
		return ret;
	for (i = 0; i < NR_REGIONS; i++) {
		void *at = (void *)region_addr((unsigned long)area, i);

		if (mmap(at, REGION_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0) != at)
			return -errno;
		*(volatile char *)at = 1;
	}
	ret = host_slab_objs(now);
	if (ret)
		return ret;
	for (c = 0; c < NR_CACHES; c++)
		out[STAGE_NOFORK][c] = now[c] - base[c];
	for (i = 0; i < NR_REGIONS; i++) {
		char *at = (char *)region_addr((unsigned long)area, i);

		if (mprotect(at + REGION_BYTES / 4, REGION_BYTES / 2,
			     PROT_READ) ||
		    mprotect(at + REGION_BYTES / 4, REGION_BYTES / 2,
			     PROT_READ | PROT_WRITE))
			return -errno;
	}
	ret = host_slab_objs(now);
	if (ret)
		return ret;
	for (c = 0; c < NR_CACHES; c++)
		out[STAGE_SPLIT][c] = now[c] - base[c];

	for (k = 0; k < NR_CHILDREN; k++) {
		kids[k] = fork();
		if (kids[k] < 0)
			return -errno;
		if (!kids[k]) {
			/* Only the parent may hold the write end of go. */
			close(go[1]);
			host_child((unsigned long)area, ready[1], go[0]);
		}
	}
	for (k = 0; k < NR_CHILDREN; k++) {
		char ch;

		if (read(ready[0], &ch, 1) != 1)
			return -EIO;
	}
	ret = host_slab_objs(now);
	close(go[1]);			/* the children may go */
	for (k = 0; k < NR_CHILDREN; k++)
		waitpid(kids[k], NULL, 0);
	if (ret)
		return ret;
	for (c = 0; c < NR_CACHES; c++)
		out[STAGE_FORKED][c] = now[c] - base[c];
	return 0;
}

/* Run host_workload() in a forked child; its counts into @mr. */
static int mem_run_host(struct mem_round *mr)
{
	long counts[NR_STAGES][NR_CACHES];
	int fds[2], status, ret = 0;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (pid == 0) {
		int err;

		close(fds[0]);
		err = host_workload(counts);
		if (write(fds[1], &err, sizeof(err)) != sizeof(err) ||
		    (!err && write(fds[1], counts, sizeof(counts)) !=
		     sizeof(counts)))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &ret, sizeof(ret)) != sizeof(ret))
		ret = -EIO;
	else if (!ret && read(fds[0], counts, sizeof(counts)) !=
		 sizeof(counts))
		ret = -EIO;
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = ret ?: -EIO;
	if (!ret)
		memcpy(mr->host_objs, counts, sizeof(counts));
	return ret;
}

/* The round's workloads, each scheme's counts checked. */
static int mem_round_run(struct mem_bench *mb)
{
	int sc, s, c, ret;

	/* The host first: its forks then copy no guest. */
	if (mb->host) {
		ret = mem_run_host(&mb->now);
		if (ret)
			return ret;
	}
	for (sc = 0; sc < NR_SCHEMES; sc++) {
		ret = mem_run_foliage(&mb->now, sc) ?:
		      mremap_run_foliage(&mb->now, sc);
		if (ret)
			return ret;
		for (s = 0; s < NR_STAGES; s++)
			for (c = 0; c < NR_CACHES; c++) {
				long want = expected_objs(sc, s, c);

				if (mb->now.objs[sc][s][c] == want)
					continue;
				fprintf(stderr, "foliage bench rmap: %s %s: %ld "
					"%s objects, expected %ld\n",
					scheme_tag[sc], stage_names[s],
					mb->now.objs[sc][s][c], cache_names[c],
					want);
				return -EIO;
			}
	}
	return 0;
}

static int run_mem(void *arg, double *value)
{
	struct mem_case *mc = arg;
	struct mem_bench *mb = mc->mb;
	int sc = mc->scheme, s = mc->stage, c = mc->cache, ret;

	/* The round's first row runs the workloads; the others read them. */
	if (mc == &mb->cases[0]) {
		ret = mem_round_run(mb);
		if (ret)
			return ret;
	}
	if (s < 0) {
		*value = mb->now.ns[sc][c];
		return 0;
	}
	switch (mc->kind) {
	case MEM_OBJS:
		*value = mb->now.objs[sc][s][c];
		break;
	case MEM_KB:
		*value = mb->now.objs[sc][s][c] * (double)cache_objsize[c] /
			 1024;
		break;
	case MEM_SLAB_KB:
		*value = mb->now.slab_pages[sc][s][c] *
			 (double)(PAGE_SIZE / 1024);
		break;
	default:
		*value = mb->now.host_objs[s][c];
		break;
	}
	return 0;
}

static void mem_add_case(struct mem_bench *mb, int sc, int s, int c, int kind)
{
	static const char *const kind_keys[NR_MEM_KINDS] = {
		"objs", "kb", "slab_kb", "host_objs",
	};
	static const char *const units[NR_MEM_KINDS] = {
		"objects", "kB", "kB", "objects",
	};
	int i = mb->nr_cases++;

	mb->cases[i] = (struct mem_case){ mb, sc, s, c, kind };
	snprintf(mem_keys[i], sizeof(mem_keys[i]), "%s%s_%s_%s",
		 scheme_prefix[sc], stage_tags[s], cache_names[c],
		 kind_keys[kind]);
	switch (kind) {
	case MEM_OBJS:
		snprintf(mem_names[i], sizeof(mem_names[i]), "%s: %s: %s",
			 scheme_tag[sc], stage_names[s], cache_names[c]);
		break;
	case MEM_KB:
		snprintf(mem_names[i], sizeof(mem_names[i]), "  x %u B",
			 cache_objsize[c]);
		break;
	case MEM_SLAB_KB:
		snprintf(mem_names[i], sizeof(mem_names[i]),
			 "  slab pages x 4 KiB");
		break;
	default:
		snprintf(mem_names[i], sizeof(mem_names[i]),
			 "  host kernel (noisy: system-wide slabinfo)");
		break;
	}
	mb->bench_cases[i] = (struct bench_case){
		mem_keys[i], mem_names[i], units[kind], run_mem, &mb->cases[i],
	};
}

static void time_add_case(struct mem_bench *mb, int sc, int t)
{
	static const char *const keys[NR_TIMES] = { "fork_ns", "mremap_ns" };
	static const char *const names[NR_TIMES] = {
		"fork of the 10000-region task",
		"moving mremap of a touched 64 KiB region",
	};
	static const char *const units[NR_TIMES] = { "ns", "ns/mremap" };
	int i = mb->nr_cases++;

	mb->cases[i] = (struct mem_case){ mb, sc, -1, t, 0 };
	snprintf(mem_keys[i], sizeof(mem_keys[i]), "%s%s", scheme_prefix[sc],
		 keys[t]);
	snprintf(mem_names[i], sizeof(mem_names[i]), "%s: %s",
		 scheme_tag[sc], names[t]);
	mb->bench_cases[i] = (struct bench_case){
		mem_keys[i], mem_names[i], units[t], run_mem, &mb->cases[i],
	};
}

/* ---- the benchmark --------------------------------------------------- */

/* lazy / classic of row @key, with a target (BENCH_NO_TARGET: none). */
static int compare_schemes(struct bench_report *r, const char *name,
			   const char *key, enum bench_goal goal,
			   double target)
{
	static char rows[32][48];
	static int nr;
	char *lazy;

	if (nr == 32)
		nr = 0;
	lazy = rows[nr++];
	snprintf(lazy, sizeof(rows[0]), "lazy_%s", key);
	return bench_compare(r, name, lazy, key, goal, target);
}

/* The walk machine of @scheme and its cases. */
static int walk_machine(int scheme, struct foliage_machine **mp,
			struct walk_target *t, struct bench_case *cases)
{
	struct foliage_config cfg;
	int k, ret;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 1;
	cfg.bytes_per_node = WALK_RAM_BYTES;
	cfg.nr_cpus = 1;
	cfg.anon_vma = scheme_cfg[scheme];
	ret = foliage_machine_create(&cfg, mp) ?: walk_setup(*mp, t, scheme);
	if (ret)
		return ret;
	for (k = 0; k < NR_KINDS; k++)
		cases[k] = (struct bench_case){
			walk_keys[scheme][k], walk_names[scheme][k], "ns/walk",
			run_walk, &t[k],
		};
	return 0;
}

int bench_rmap(struct bench_report *r)
{
	struct walk_target targets[NR_SCHEMES][NR_KINDS] = { 0 };
	struct bench_case walk_cases[NR_SCHEMES * NR_KINDS];
	struct foliage_machine *m[NR_SCHEMES] = { NULL };
	struct mem_bench *mb;
	const char *why = "";
	char *text = NULL;
	int sc, s, c, k, ret;

	mb = calloc(1, sizeof(*mb));
	if (!mb)
		return -ENOMEM;
	mb->host = !realproc_slabinfo(false, &text);
	free(text);
	if (!mb->host)
		why = "; host kernel not measured (no /proc/slabinfo)";
	snprintf(r->config, sizeof(r->config),
		 "classic anon_vma and ANON_VMA_LAZY, 1 node x %lu MiB "
		 "(walks), %lu MiB (%lu regions), %s build%s",
		 WALK_RAM_BYTES >> 20, MEM_RAM_BYTES >> 20, NR_REGIONS,
		 foliage_debug_vm() ? "CONFIG_DEBUG_VM" : "release", why);

	/* Memory first: the host's forks then copy no guest RAM. */
	for (sc = 0; sc < NR_SCHEMES; sc++) {
		for (s = 0; s < NR_STAGES; s++)
			for (c = 0; c < NR_CACHES; c++)
				for (k = 0; k < NR_MEM_KINDS; k++)
					if (k != MEM_HOST_OBJS ||
					    (mb->host && sc == SCHEME_CLASSIC))
						mem_add_case(mb, sc, s, c, k);
		for (k = 0; k < NR_TIMES; k++)
			time_add_case(mb, sc, k);
	}
	ret = bench_run_cases(r, mb->bench_cases, mb->nr_cases);
	if (ret < 0)
		goto out;

	for (sc = 0; sc < NR_SCHEMES; sc++) {
		ret = walk_machine(sc, &m[sc], targets[sc],
				   &walk_cases[sc * NR_KINDS]);
		if (ret)
			goto out;
	}
	ret = bench_run_cases(r, walk_cases, NR_SCHEMES * NR_KINDS);
	if (ret < 0)
		goto out;
	/* The targets (docs/anon-vma-lazy.md). */
	ret = compare_schemes(r, "(a) anon_vma kB lazy / classic",
			      "a_anon_vma_kb", BENCH_AT_MOST, 0.1) ?:
	      compare_schemes(r, "(a) anon_vma_chain kB lazy / classic",
			      "a_anon_vma_chain_kb", BENCH_AT_MOST, 0.1) ?:
	      compare_schemes(r, "(a) vm_area_struct kB lazy / classic",
			      "a_vm_area_struct_kb", BENCH_AT_MOST, 1.02) ?:
	      compare_schemes(r, "(c) vm_area_struct kB lazy / classic",
			      "c_vm_area_struct_kb", BENCH_AT_MOST, 1.02) ?:
	      compare_schemes(r, "(b) anon_vma kB lazy / classic",
			      "b_anon_vma_kb", BENCH_NO_TARGET, 0) ?:
	      compare_schemes(r, "(b) vm_area_struct kB lazy / classic",
			      "b_vm_area_struct_kb", BENCH_NO_TARGET, 0) ?:
	      compare_schemes(r, "walk 1 VMA lazy / classic", "walk_anon_1",
			      BENCH_AT_MOST, 1.2) ?:
	      compare_schemes(r, "walk 4 VMAs (split) lazy / classic",
			      "walk_split_4", BENCH_AT_MOST, 1.2) ?:
	      compare_schemes(r, "walk 4 VMAs (forks) lazy / classic",
			      "walk_anon_4", BENCH_AT_MOST, 1.2) ?:
	      compare_schemes(r, "fork lazy / classic", "fork_ns",
			      BENCH_AT_MOST, 1.1) ?:
	      compare_schemes(r, "moving mremap lazy / classic", "mremap_ns",
			      BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "walk: 4 anon mappings / 1", "walk_anon_4",
			    "walk_anon_1", BENCH_NO_TARGET, 0) ?:
	      bench_compare(r, "walk: 4 file mappings / 4 anon", "walk_file_4",
			    "walk_anon_4", BENCH_NO_TARGET, 0);
	if (ret || !mb->host)
		goto out;
	for (s = 0; s < NR_STAGES; s++) {
		static char names[NR_STAGES][2][48], rows[NR_STAGES][2][2][40];

		for (c = CACHE_ANON_VMA; c <= CACHE_AVC; c++) {
			int j = c - CACHE_ANON_VMA;

			snprintf(names[s][j], sizeof(names[s][j]),
				 "(%s) %s objects / host kernel's",
				 stage_tags[s],
				 cache_names[c]);
			snprintf(rows[s][j][0], sizeof(rows[s][j][0]),
				 "%s_%s_objs", stage_tags[s], cache_names[c]);
			snprintf(rows[s][j][1], sizeof(rows[s][j][1]),
				 "%s_%s_host_objs", stage_tags[s],
				 cache_names[c]);
			ret = bench_compare(r, names[s][j], rows[s][j][0],
					    rows[s][j][1], BENCH_NO_TARGET, 0);
			if (ret)
				goto out;
		}
	}
out:
	for (sc = 0; sc < NR_SCHEMES; sc++)
		if (m[sc]) {
			walk_teardown(m[sc], targets[sc]);
			foliage_machine_destroy(m[sc]);
		}
	free(mb);
	return ret < 0 ? ret : 0;
}
