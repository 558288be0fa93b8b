/* SPDX-License-Identifier: GPL-2.0 */
/*
 * foliage: the Linux memory-management subsystem as a library.
 *
 * This is the only header a user includes.  A foliage_machine is a guest:
 * 1-8 NUMA nodes whose RAM is real host memory (one memfd per node), a buddy
 * page allocator with Linux's semantics, and, in later layers, tasks with
 * address spaces, devices and migration.  Every call returns 0 or a negative
 * errno; the library never prints and never exits.
 *
 * Threads: any thread may call into a machine; it runs on one of the
 * machine's CPUs while inside the library (see "CPUs, kernel threads and
 * time" below and docs/concurrency.md).
 */
#ifndef _FOLIAGE_FOLIAGE_H
#define _FOLIAGE_FOLIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library exports exactly what this header declares. */
#pragma GCC visibility push(default)

/* A call that can fail: ignoring its result is a compile-time warning. */
#define FOLIAGE_MUST_CHECK	__attribute__((warn_unused_result))

#define FOLIAGE_MAX_NODES	8
#define FOLIAGE_MAX_CPUS	64
#define FOLIAGE_PAGE_SIZE	4096UL
#define FOLIAGE_MAX_ORDER	10

struct foliage_machine;

struct foliage_config {
	unsigned int nr_nodes;		/* NUMA nodes, 1..8 */
	uint64_t bytes_per_node;	/* RAM per node, 16 MiB..64 GiB+ */
	uint64_t movable_bytes_per_node; /* top part of each node: ZONE_MOVABLE */
	unsigned int nr_cpus;		/* CPUs (threads) allowed in, 1..64 */
	bool prefault;			/* populate all guest RAM at creation */
	bool init_on_alloc;		/* boot parameter init_on_alloc=1 */
	bool init_on_free;		/* boot parameter init_on_free=1 */
	/* ---- arch (docs/arch.md) ---- */
	unsigned int arch;		/* FOLIAGE_ARCH_X86_64 (0) or _ARM64 */
	/* ---- madvfree (issue 9) ---- */
	bool pku;			/* x86: the CPU has protection keys (OSPKE) */
	/* ---- time (docs/concurrency.md) ---- */
	bool real_time;			/* clock: host time, not virtual */
	/* ---- virtio-balloon (docs/host-zeroed.md) ---- */
	bool coco;			/* confidential guest: host not trusted */
	/* ---- anon rmap scheme (issue 13, docs/anon-vma-lazy.md) ---- */
	unsigned int anon_vma;		/* FOLIAGE_ANON_VMA_CLASSIC (0) or _LAZY */
	/* ---- mapcounts (docs/rmap.md) ---- */
	bool no_page_mapcount;		/* CONFIG_NO_PAGE_MAPCOUNT: no per-page mapcount */
};

/* How a machine's anonymous reverse map works (foliage_config.anon_vma). */
#define FOLIAGE_ANON_VMA_CLASSIC	0U	/* Linux 6.18's anon_vma */
#define FOLIAGE_ANON_VMA_LAZY		1U	/* seed 003's ANON_VMA_LAZY */

/*
 * The architecture a machine models: its page-table entry layout and its
 * TLB maintenance.  Machines of both kinds may run in one process.
 */
#define FOLIAGE_ARCH_X86_64	0U
#define FOLIAGE_ARCH_ARM64	1U

/* Fill @cfg with defaults: 1 node of 64 MiB, 2 CPUs, nothing else. */
void foliage_config_init(struct foliage_config *cfg);

/* Boot a machine; *@out is set on success. */
int foliage_machine_create(const struct foliage_config *cfg,
			   struct foliage_machine **out)
	FOLIAGE_MUST_CHECK;

/*
 * What booting @cfg costs the host (docs/fidelity.md, "Host cost"):
 * *@host_bytes of host memory the boot itself writes, and *@available,
 * the host's MemAvailable now (0 if unknown).  prefault and init_on_free
 * (which zeroes every free page at boot, as Linux does) write all guest
 * RAM; otherwise a boot writes only the allocator's tables (a byte per
 * 2 MiB pageblock, two bits per 4 MiB block, about 640 KiB per TiB) and
 * no struct page of a whole 4 MiB block: memmap is written when used.
 * foliage_machine_create() refuses with -ENOMEM a configuration whose
 * boot needs more than is available.  -EINVAL for a bad configuration.
 */
int foliage_boot_cost(const struct foliage_config *cfg, uint64_t *host_bytes,
		      uint64_t *available)
	FOLIAGE_MUST_CHECK;
void foliage_machine_destroy(struct foliage_machine *m);

/*
 * GFP flags, with Linux's bit values.  foliage_gfp_parse() accepts Linux's
 * spellings joined by '|': "GFP_KERNEL|__GFP_ZERO", "GFP_HIGHUSER_MOVABLE".
 */
#define FOLIAGE_GFP_ZERO	(1U << 8)
#define FOLIAGE_GFP_KERNEL	0xcc0U
#define FOLIAGE_GFP_USER	0x100cc0U
#define FOLIAGE_GFP_HIGHUSER_MOVABLE 0x100ccaU
#define FOLIAGE_GFP_TRANSHUGE	0x1c24caU
#define FOLIAGE_GFP_COMP	(1U << 18)
#define FOLIAGE_GFP_NOWARN	(1U << 13)
#define FOLIAGE_GFP_THISNODE	(1U << 21)
#define FOLIAGE_GFP_MOVABLE	(1U << 3)
int foliage_gfp_parse(const char *str, unsigned int *gfp)
	FOLIAGE_MUST_CHECK;
/* Render @gfp as the kernel's trace output does; returns the length. */
int foliage_gfp_format(unsigned int gfp, char *buf, size_t len);

/*
 * Page allocation.  @nid -1 means the calling CPU's node; any other value
 * must be a node of @m (else -EINVAL).  An allocation of order > 0 with
 * FOLIAGE_GFP_COMP is a compound page (large folio).  The page calls take
 * any pfn: one that is not guest RAM gives -EINVAL (NULL).
 */
int foliage_alloc_pages(struct foliage_machine *m, unsigned int gfp,
			unsigned int order, int nid, unsigned long *pfn)
	FOLIAGE_MUST_CHECK;
/* Free flags: FOLIAGE_FREE_ZEROED frees with FPI_ZEROED (known zero). */
#define FOLIAGE_FREE_ZEROED	0x1U
int foliage_free_pages(struct foliage_machine *m, unsigned long pfn,
		       unsigned int order, unsigned int flags)
	FOLIAGE_MUST_CHECK;
/* The host address of guest frame @pfn (NULL if not RAM). */
void *foliage_pfn_to_virt(struct foliage_machine *m, unsigned long pfn);
/* Return every per-CPU list page to the buddy lists. */
int foliage_drain_pages(struct foliage_machine *m)
	FOLIAGE_MUST_CHECK;

/* Facts about a frame, for tests and tools. */
struct foliage_page_info {
	int nid;			/* node */
	int zone;			/* 0 Normal, 1 Movable */
	int migratetype;		/* of its pageblock */
	int refcount;			/* _refcount */
	bool buddy;			/* head of a free buddy block */
	unsigned int buddy_order;	/* its order, if buddy */
	bool zeroed;			/* PG_zeroed */
	bool reported;			/* PG_reported */
	bool compound;			/* part of a compound page */
	unsigned int folio_order;	/* order of its folio, 0 if none */
};
int foliage_page_info(struct foliage_machine *m, unsigned long pfn,
		      struct foliage_page_info *info)
	FOLIAGE_MUST_CHECK;

/*
 * Knobs, by their Linux names.  Numbers parse as strtol base 0; booleans
 * take Y/N/y/n/1/0.  A value outside the range is -ERANGE, one that does
 * not parse -EINVAL, an unknown name -ENOENT; nothing changes then.
 *
 *   vm.init_on_alloc			bool	zero pages at allocation
 *   vm.init_on_free			bool	boot parameter (foliage_config):
 *						-EBUSY here
 *   vm.min_free_kbytes			0..2^30	watermarks follow it
 *   vm.watermark_scale_factor		1..3000
 *   vm.percpu_pagelist_high_fraction	0, or 8..2^30 (-EINVAL for 1..7)
 *   vm.max_map_count			0..2^31-1, default 65530
 *   vm.drop_caches			1..4: 2 (or 3) runs the shrinkers: THP's
 *						deferred split queue (splitting its
 *						partially mapped folios) and the huge
 *						zero folio's (freeing it if no mm holds
 *						it); 1 drops no page cache (shmem,
 *						hugetlbfs); counts drop_pagecache,
 *						drop_slab
 *   vm.zero_aware_alloc		bool	foliage's own, default 0: keep known-zero
 *						blocks apart on the free lists;
 *						__GFP_ZERO takes them first, other
 *						allocations take dirty ones first
 *   fail_page_alloc.probability	0..100 (percent)
 *   fail_page_alloc.interval		1..2^40 (restarts the count)
 *   fail_page_alloc.times		-1 (no limit)..2^40
 *   fail_page_alloc.min-order		0..11
 *   fail_page_alloc.seed		0..2^62 (restarts the PRNG)
 *   fail_page_alloc.ignore-gfp-wait	bool
 *   fail_page_alloc.ignore-gfp-highmem	bool
 *   failslab.probability		0..100
 *   failslab.interval			1..2^40
 *   failslab.times			-1..2^40
 *   failslab.seed			0..2^62
 *   tracing.on				bool	record trace events
 *   debug.full				bool	expensive (content) checks
 *   debug.validate_every		1..2^30	debug builds: full walk every Nth op
 *   debug.fork_batching		bool	fork copies a large folio's PTEs
 *						in runs (default 1; 0: one PTE
 *						at a time, as before 6.9)
 *   vm.nr_hugepages			0..2^62	the 2 MiB pool's persistent size:
 *						grows round-robin over the nodes
 *						as far as memory allows, shrinks
 *						(pages in use become surplus);
 *						reads the size last set
 *   vm.nr_overcommit_hugepages	0..2^62	2 MiB surplus pages allowed
 *   hugepages.hugepages-2048kB/nr_hugepages	0..2^62	as vm.nr_hugepages;
 *						reads every page, surplus included
 *   hugepages.hugepages-2048kB/nr_overcommit_hugepages	0..2^62
 *   hugepages.hugepages-1048576kB/nr_hugepages	0..2^62	1 GiB pages, from
 *						alloc_contig_pages() at run time
 *   hugepages.hugepages-1048576kB/nr_overcommit_hugepages	0..2^62	always
 *						-EINVAL: gigantic pages are never
 *						surplus
 *
 * and the files of /sys/kernel/mm/transparent_hugepage as
 * "transparent_hugepage.FILE": "enabled" (always, madvise, never),
 * "defrag" (always, defer, defer+madvise, madvise, never),
 * "use_zero_page" (0/1), "shmem_enabled" (always, within_size, advise,
 * never, deny, force; only never and deny can be set: shmem THP is not
 * modelled), "hugepages-NkB/enabled" (always, inherit, madvise, never)
 * and the read-only "hpage_pmd_size".  foliage_get() of a word-valued
 * file gives the index of the selected word in those lists.
 * On arm64 machines, "arch.FILE": "tlb_range" (bool: FEAT_TLBIRANGE, range
 * TLBIs); -ENOENT on x86_64.
 * Copy offload (docs/migration-offload.md), each value a number unless
 * said, a bad one -EINVAL: "fail_dma.FILE" (debugfs-like): "probability"
 * 0..100, "interval" 1..2^40, "times" -1..2^40, "seed" 0..2^62, "type"
 * (error, timeout, partial), "failures" (writing 0 resets);
 * "dcbm.FILE": "offloading" (1 registers dcbm, 0 unregisters),
 * "nr_dma_chan" 1..16, "folios_migrated" and "folios_failures" (writing
 * any number resets); "mtcopy.FILE": "offloading", "threads" 1..32.
 * Free page reporting's module parameters as "page_reporting.FILE":
 * "page_reporting_order" (0..10; reads -1 until set or until a reporting
 * driver registers, which sets it to the driver's order, else 9) and the
 * write-only "flush" (N: up to DIV_ROUND_UP(N, 32) reporting passes now,
 * stopping at one that reports nothing; -ENODEV without a driver, -EPERM
 * to read).
 * The weights of FOLIAGE_MPOL_WEIGHTED_INTERLEAVE, Linux's
 * /sys/kernel/mm/mempolicy/weighted_interleave/ as
 * "mempolicy.weighted_interleave.FILE": "nodeN" (1..255, default 1, for
 * each node N of the machine; writing one turns auto off) and "auto"
 * (bool, reads 1 until a weight is written or it is set to 0; setting it
 * to 1 is -ENODEV: the nodes have no bandwidth data to weigh them by,
 * as on a Linux machine without HMAT, so auto weights are all 1).
 */
int foliage_set(struct foliage_machine *m, const char *key, const char *value)
	FOLIAGE_MUST_CHECK;
int foliage_get(struct foliage_machine *m, const char *key, long *value)
	FOLIAGE_MUST_CHECK;

/* A counter of /proc/vmstat by its name (summed over nodes and zones). */
int foliage_vmstat(struct foliage_machine *m, const char *name,
		   unsigned long *value)
	FOLIAGE_MUST_CHECK;

/*
 * Render a kernel text file of the machine.  *@out is malloc()ed,
 * NUL-terminated; the caller frees it.  FOLIAGE_RENDER_JSON gives the same
 * data as JSON.  @what:
 *
 *   "buddyinfo", "pagetypeinfo", "vmstat", "meminfo", "zoneinfo"
 *			/proc's files, Linux 6.18's format
 *   "trace"		the ftrace "trace" file of the recorded events
 *   "slabinfo"		/proc/slabinfo (foliage's caches)
 *   "tlb"		TLB flush counters ("name value" lines; foliage's)
 *   "thp"		/sys/kernel/mm/transparent_hugepage ("file: value")
 *   "mthp_stats"	hugepages-NkB/stats/ ("path: value")
 *   "hugepages"	/sys/kernel/mm/hugepages: each hstate's
 *			nr_hugepages, free_hugepages, resv_hugepages,
 *			surplus_hugepages, nr_overcommit_hugepages
 *			("hugepages-NkB/file: value")
 *   "unusable_index", "extfrag_index"
 *			/sys/kernel/debug/extfrag/'s files, Linux's format
 *   "extfrag"		both, each after a "file:" line
 *   "pfnmap"		the physical memory map: every frame of every
 *			zone by state (free by order, zeroed, reported,
 *			per-CPU, anonymous, file, page table, hugetlb, ...),
 *			a glyph a cell; FOLIAGE_RENDER_SVG draws it, with a
 *			legend and a tooltip for every run of cells
 *
 * FOLIAGE_RENDER_SVG (pictures; only "pfnmap" has one, else -EOPNOTSUPP)
 * and FOLIAGE_RENDER_JSON exclude each other (-EINVAL).
 */
#define FOLIAGE_RENDER_JSON	0x1U
#define FOLIAGE_RENDER_SVG	0x2U
int foliage_render(struct foliage_machine *m, const char *what,
		   unsigned int flags, char **out)
	FOLIAGE_MUST_CHECK;
/* "pfnmap" of node @nid only (-1: every node; else -EINVAL past the last). */
int foliage_render_pfnmap(struct foliage_machine *m, int nid,
			  unsigned int flags, char **out)
	FOLIAGE_MUST_CHECK;

/*
 * Proof.  foliage_validate() stops the machine (kernel threads parked,
 * other threads waited for until they leave the library) and runs every
 * structure validator (debug and release builds alike); -EBUSY if a thread
 * asleep inside an operation holds an mmap_lock.  In debug builds the validators also run after
 * every public operation.  A broken invariant is recorded as a "bug": the
 * operation still returns, and foliage_bugs() counts them.
 */
int foliage_validate(struct foliage_machine *m)
	FOLIAGE_MUST_CHECK;
unsigned long foliage_bugs(struct foliage_machine *m);
/* The first recorded bug's description, or NULL. */
const char *foliage_first_bug(struct foliage_machine *m);
/* Whether this library was built with CONFIG_DEBUG_VM. */
bool foliage_debug_vm(void);

/*
 * Tasks and address spaces.  A task is a guest process: a pid and an mm.
 * Protections, flags and advice take Linux's values (PROT_*, MAP_*,
 * MADV_*, MREMAP_* from <sys/mman.h>; the FOLIAGE_ names below are the
 * same numbers).  Addresses are the task's virtual addresses.
 */
struct foliage_task;
struct foliage_file;

#define FOLIAGE_PROT_NONE	0x0
#define FOLIAGE_PROT_READ	0x1
#define FOLIAGE_PROT_WRITE	0x2
#define FOLIAGE_PROT_EXEC	0x4
#define FOLIAGE_MAP_SHARED	0x01
#define FOLIAGE_MAP_PRIVATE	0x02
#define FOLIAGE_MAP_FIXED	0x10
#define FOLIAGE_MAP_ANONYMOUS	0x20
#define FOLIAGE_MAP_NORESERVE	0x4000
#define FOLIAGE_MAP_POPULATE	0x8000
#define FOLIAGE_MAP_FIXED_NOREPLACE 0x100000
#define FOLIAGE_MAP_HUGETLB	0x40000
/* MAP_HUGE_2MB/1GB: log2 of the huge page size in bits 26..31. */
#define FOLIAGE_MAP_HUGE_SHIFT	26
#define FOLIAGE_MAP_HUGE_MASK	0x3f
#define FOLIAGE_MAP_HUGE_2MB	(21 << FOLIAGE_MAP_HUGE_SHIFT)
#define FOLIAGE_MAP_HUGE_1GB	(30 << FOLIAGE_MAP_HUGE_SHIFT)
#define FOLIAGE_MREMAP_MAYMOVE	1
#define FOLIAGE_MREMAP_FIXED	2
#define FOLIAGE_MREMAP_DONTUNMAP 4
#define FOLIAGE_MADV_NORMAL	0
#define FOLIAGE_MADV_DONTNEED	4
#define FOLIAGE_MADV_FREE	8
#define FOLIAGE_MADV_DONTFORK	10
#define FOLIAGE_MADV_DOFORK	11
#define FOLIAGE_MADV_HUGEPAGE	14
#define FOLIAGE_MADV_NOHUGEPAGE	15
#define FOLIAGE_MADV_WIPEONFORK	18
#define FOLIAGE_MADV_KEEPONFORK	19
#define FOLIAGE_MADV_POPULATE_READ 22
#define FOLIAGE_MADV_POPULATE_WRITE 23

/* A new task with an empty address space. */
int foliage_task_create(struct foliage_machine *m, const char *name,
			struct foliage_task **out)
	FOLIAGE_MUST_CHECK;
/* fork(): the child gets a copy of @parent's address space (COW). */
int foliage_fork(struct foliage_task *parent, const char *name,
		 struct foliage_task **child)
	FOLIAGE_MUST_CHECK;
/* exit(): tear down the address space and free the task. */
int foliage_exit(struct foliage_task *task)
	FOLIAGE_MUST_CHECK;
int foliage_task_pid(const struct foliage_task *task);
struct foliage_machine *foliage_task_machine(const struct foliage_task *task);

/* A memfd-like file of @bytes (shmem page cache). */
int foliage_file_create(struct foliage_machine *m, const char *name,
			uint64_t bytes, struct foliage_file **out)
	FOLIAGE_MUST_CHECK;
/* ---- hugetlb (issue 10) ---- */
#define FOLIAGE_MFD_HUGETLB	0x0004U
/* MFD_HUGE_2MB/1GB: log2 of the huge page size in bits 26..31. */
#define FOLIAGE_MFD_HUGE_2MB	(21U << 26)
#define FOLIAGE_MFD_HUGE_1GB	(30U << 26)
/*
 * memfd_create() + ftruncate(@bytes): with FOLIAGE_MFD_HUGETLB a hugetlbfs
 * file of the default (or MFD_HUGE_*) huge page size, which reserves its
 * pages when mapped, as Linux's; @bytes must be a multiple of it
 * (-EINVAL).  Without, foliage_file_create().
 */
int foliage_memfd_create(struct foliage_machine *m, const char *name,
			 uint64_t bytes, unsigned int mfd_flags,
			 struct foliage_file **out)
	FOLIAGE_MUST_CHECK;
/* ---- end hugetlb ---- */
/*
 * Drop the creator's reference (close()); mappings keep the file alive.
 * The machine owns its files: foliage_machine_destroy() frees those never
 * put.
 */
void foliage_file_put(struct foliage_file *file);

/* mmap(2); @file NULL for anonymous.  *@addr_out is the mapping's start. */
int foliage_mmap(struct foliage_task *task, unsigned long addr,
		 unsigned long len, int prot, int flags,
		 struct foliage_file *file, uint64_t offset,
		 unsigned long *addr_out)
	FOLIAGE_MUST_CHECK;
int foliage_munmap(struct foliage_task *task, unsigned long addr,
		   unsigned long len)
	FOLIAGE_MUST_CHECK;
int foliage_mprotect(struct foliage_task *task, unsigned long addr,
		     unsigned long len, int prot)
	FOLIAGE_MUST_CHECK;
int foliage_mremap(struct foliage_task *task, unsigned long old_addr,
		   unsigned long old_len, unsigned long new_len, int flags,
		   unsigned long new_addr, unsigned long *addr_out)
	FOLIAGE_MUST_CHECK;
int foliage_madvise(struct foliage_task *task, unsigned long addr,
		    unsigned long len, int advice)
	FOLIAGE_MUST_CHECK;

/*
 * Read or write user memory through the page tables, faulting as the task
 * would.  -EFAULT where the task would get SIGSEGV or SIGBUS, with the
 * first failing address in *@fault_addr (if not NULL).
 */
int foliage_access(struct foliage_task *task, unsigned long addr, void *buf,
		   size_t len, bool write, unsigned long *fault_addr)
	FOLIAGE_MUST_CHECK;
/* FOLL_PIN the pages of a range (faulting them in), and release them. */
int foliage_pin(struct foliage_task *task, unsigned long addr,
		unsigned long len, bool write)
	FOLIAGE_MUST_CHECK;
int foliage_unpin(struct foliage_task *task, unsigned long addr,
		  unsigned long len)
	FOLIAGE_MUST_CHECK;

/*
 * What /proc/PID/pagemap and the page tables say about the page at @addr
 * of @task (Linux 6.18 with CONFIG_PAGE_MAPCOUNT).  present, pfn, file and
 * exclusive are pagemap's PM_PRESENT, PFN, PM_FILE and PM_MMAP_EXCLUSIVE
 * (the page's precise mapcount is 1; for a PMD-mapped folio, that of the
 * PMD's first page, as Linux computes it); the rest are facts pagemap
 * does not show.  An address without a VMA or an entry is not present.
 */
struct foliage_pte_info {
	bool vma;			/* a VMA covers @addr */
	bool present;			/* PM_PRESENT: a page is mapped */
	bool swap;			/* PM_SWAP: a swap or migration entry */
	bool huge;			/* mapped by a PMD */
	bool zero;			/* the shared zero page or huge zero page */
	bool file;			/* PM_FILE: not an anonymous folio */
	bool exclusive;			/* PM_MMAP_EXCLUSIVE */
	bool anon_exclusive;		/* PageAnonExclusive */
	bool write;			/* the entry allows writes */
	bool dirty;			/* the entry is dirty */
	bool young;			/* the entry is young (accessed) */
	unsigned long pfn;		/* the frame, if present */
	int mapcount;			/* the page's precise mapcount */
};
int foliage_page_state(struct foliage_task *task, unsigned long addr,
		       struct foliage_pte_info *out)
	FOLIAGE_MUST_CHECK;

/*
 * /proc/PID/"maps", "smaps", "smaps_rollup" or "numa_maps" of a task, in
 * Linux 6.18's format (FOLIAGE_RENDER_JSON: as JSON).
 */
int foliage_render_task(struct foliage_task *task, const char *what,
			unsigned int flags, char **out)
	FOLIAGE_MUST_CHECK;

/*
 * A task's VMAs as numbers, lowest first (what /proc/PID/maps shows, without
 * parsing it).  Flags are Linux's VM_* bits; those below are the ones maps
 * shows.  A shared anonymous mapping is file-backed, as in Linux (a shmem
 * "/dev/zero" file): anon is false for it.
 */
#define FOLIAGE_VM_READ		0x00000001UL
#define FOLIAGE_VM_WRITE	0x00000002UL
#define FOLIAGE_VM_EXEC		0x00000004UL
#define FOLIAGE_VM_SHARED	0x00000008UL
#define FOLIAGE_VM_MAYSHARE	0x00000080UL	/* maps' 's' */
#define FOLIAGE_VM_LOCKED	0x00002000UL
#define FOLIAGE_VM_DONTCOPY	0x00020000UL	/* MADV_DONTFORK */
#define FOLIAGE_VM_WIPEONFORK	0x02000000UL
#define FOLIAGE_VM_HUGEPAGE	0x20000000UL
#define FOLIAGE_VM_NOHUGEPAGE	0x40000000UL
struct foliage_vma {
	unsigned long start;		/* first address */
	unsigned long end;		/* one past the last */
	unsigned long flags;		/* VM_* bits (FOLIAGE_VM_*) */
	unsigned long pgoff;		/* vm_pgoff: file offset in pages */
	bool anon;			/* anonymous: no file behind it */
	unsigned long ino;		/* the file's inode number; 0 if none */
	unsigned int dev_major;		/* the file's device (maps' MM:mm) */
	unsigned int dev_minor;
};
/*
 * Fill @vmas with up to @max of @task's VMAs; *@nr is how many it has
 * (possibly more than @max: call again with a bigger array).  -EINVAL for
 * a NULL task or nr.
 */
int foliage_task_vmas(struct foliage_task *task, struct foliage_vma *vmas,
		      unsigned int max, unsigned int *nr)
	FOLIAGE_MUST_CHECK;

/* A task's mm counters (what /proc/PID/status shows), in pages or bytes. */
struct foliage_mm_counters {
	unsigned long rss_anon;		/* MM_ANONPAGES: RssAnon, pages */
	unsigned long rss_file;		/* MM_FILEPAGES: RssFile, pages */
	unsigned long rss_shmem;	/* MM_SHMEMPAGES: RssShmem, pages */
	unsigned long total_vm;		/* VmSize, pages */
	unsigned long locked_vm;	/* VmLck, pages */
	unsigned long pinned_vm;	/* VmPin, pages */
	unsigned long data_vm;		/* VmData, pages */
	unsigned long exec_vm;		/* VmExe + VmLib, pages */
	unsigned long stack_vm;		/* VmStk, pages */
	unsigned long pgtables_bytes;	/* VmPTE, bytes */
	unsigned long map_count;	/* VMAs */
};
int foliage_task_mm_counters(struct foliage_task *task,
			     struct foliage_mm_counters *out)
	FOLIAGE_MUST_CHECK;

/*
 * ---- virtio-balloon and its host (docs/host-zeroed.md) ----
 *
 * foliage_balloon_add() plugs a virtio-balloon device into the machine's
 * host offering @features (bits 0..7 of the virtio spec: must_tell_host,
 * stats_vq, deflate_on_oom, free_page_hint, page_poison, reporting,
 * device_init_reported, device_init_on_inflate), every queue
 * @queue_size entries (0: 128), config.poison_val @poison_val until the
 * guest writes it; the guest finds it and its driver probes it.  -EEXIST
 * if the machine has one; the probe's error if it failed (the device
 * stays, unbound: -ENOSPC for a queue shorter than 2).
 * foliage_balloon_set_target() is the VMM's new target (config.num_pages,
 * 4 KiB pages) and returns once the guest has followed it: 0 when
 * config.actual reached it, -ENOMEM when the guest ran out of memory to
 * inflate with (it tries again 200 ms later, on the machine's clock).
 * Adding a balloon whose probe failed probes it again.  foliage_host_set_discard()
 * sets what the host does with what it is given: "discard", "inhibit",
 * "lie", "fail".  foliage_balloon_request_stats() asks the guest for
 * statistics (STATS_VQ) and waits for its answer.  foliage_balloon_hint()
 * writes config.free_page_hint_cmd_id (FREE_PAGE_HINT, as QEMU's
 * migration does): an id >= 2 starts a hinting command (the guest hints,
 * and holds, every free 4 MiB block it can take), 0 stops it, 1 (DONE)
 * has the guest free the blocks it holds; it returns once the guest is
 * done.
 * foliage_balloon_render() writes "name: value" lines: what "balloon"
 * (the driver and the last statistics) or "host" (each node's memfd and
 * the discards) says, or with FOLIAGE_RENDER_JSON one object of them
 * (whole numbers as numbers); -ENODEV without a balloon.
 */
int foliage_balloon_add(struct foliage_machine *m, uint64_t features,
			unsigned int queue_size, uint32_t poison_val)
	FOLIAGE_MUST_CHECK;
int foliage_balloon_set_target(struct foliage_machine *m, uint32_t num_pages)
	FOLIAGE_MUST_CHECK;
int foliage_host_set_discard(struct foliage_machine *m, const char *mode)
	FOLIAGE_MUST_CHECK;
int foliage_balloon_request_stats(struct foliage_machine *m)
	FOLIAGE_MUST_CHECK;
int foliage_balloon_hint(struct foliage_machine *m, uint32_t cmd_id)
	FOLIAGE_MUST_CHECK;
int foliage_balloon_render(struct foliage_machine *m, const char *what,
			   unsigned int flags, char **out)
	FOLIAGE_MUST_CHECK;

/*
 * ---- guest_memfd and KVM VMs (issue 14, docs/guest-memfd.md) ----
 *
 * The machine plays the KVM host: a guest_memfd is a file of a
 * confidential VM's memory whose pages are private (the guest's only) or
 * shared (host user space may mmap them), a VM binds guest-physical
 * ranges to guest_memfd ranges through memslots, and its vCPUs reach the
 * memory through KVM (foliage_vm_access()), private and shared alike.
 */
struct foliage_vm;

/* foliage_gmem_create()'s flags (KVM_CREATE_GUEST_MEMFD's). */
#define FOLIAGE_GMEM_FLAG_MMAP		(1ULL << 0)	/* host may mmap */
#define FOLIAGE_GMEM_FLAG_INIT_SHARED	(1ULL << 1)	/* starts shared */

/* A VM with no memslots. */
int foliage_vm_create(struct foliage_machine *m, struct foliage_vm **out)
	FOLIAGE_MUST_CHECK;
/* Destroy @vm: its memslots unbind; the guest_memfds stay. */
void foliage_vm_destroy(struct foliage_vm *vm);
/*
 * KVM_CREATE_GUEST_MEMFD: a guest_memfd of @bytes with FOLIAGE_GMEM_FLAG_*
 * @flags, backed by 4 KiB pages (@huge_bytes 0) or by hugetlb pages of
 * @huge_bytes (2 MiB or 1 GiB).  -EINVAL: another flag, a size of 0 or
 * not a multiple of the page size.  Put it with foliage_file_put().
 */
int foliage_gmem_create(struct foliage_machine *m, uint64_t bytes,
			uint64_t flags, uint64_t huge_bytes,
			struct foliage_file **out)
	FOLIAGE_MUST_CHECK;
/*
 * KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_GUEST_MEMFD: guest-physical
 * [gpa, gpa + bytes) is file [offset, offset + bytes) of @gmem.  -EINVAL:
 * unaligned, empty, past the file's end, not a guest_memfd; -EEXIST: the
 * GPA range overlaps a memslot, or the file range a bound one.
 */
int foliage_vm_memslot(struct foliage_vm *vm, uint64_t gpa, uint64_t bytes,
		       struct foliage_file *gmem, uint64_t offset)
	FOLIAGE_MUST_CHECK;
/*
 * A vCPU reads or writes guest-physical [gpa, gpa + len) through KVM
 * (the pages are allocated, zeroed and prepared on first use): -EFAULT
 * where no memslot is, or its guest_memfd was closed.
 */
int foliage_vm_access(struct foliage_vm *vm, uint64_t gpa, void *buf,
		      size_t len, bool write)
	FOLIAGE_MUST_CHECK;

/* fallocate(2)'s modes */
#define FOLIAGE_FALLOC_FL_KEEP_SIZE	0x01
#define FOLIAGE_FALLOC_FL_PUNCH_HOLE	0x02
/*
 * fallocate(2) on a file, with FOLIAGE_FALLOC_FL_* @mode: PUNCH_HOLE (with
 * KEEP_SIZE, as Linux requires) frees the pages of [@offset, @offset +
 * @len): whole huge pages of a hugetlb file go back to the pool, partial
 * ones are zeroed in place; KEEP_SIZE alone allocates them.  shmem, memfd,
 * hugetlb (MFD_HUGETLB) and guest_memfd files; other modes -EOPNOTSUPP.
 */
int foliage_fallocate(struct foliage_file *file, int mode, uint64_t offset,
		      uint64_t len)
	FOLIAGE_MUST_CHECK;

/* KVM_SET_MEMORY_ATTRIBUTES2's attribute and flags */
#define FOLIAGE_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
#define FOLIAGE_GMEM_CONVERT_ZERO		(1ULL << 0)
#define FOLIAGE_GMEM_CONVERT_PRESERVE		(1ULL << 1)
/*
 * KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd: make file [offset, offset +
 * size) private (@attributes FOLIAGE_MEMORY_ATTRIBUTE_PRIVATE) or shared
 * (0).  -EAGAIN when a folio is mapped or referenced beyond the page
 * cache: *@error_offset is its first byte and nothing changed.  The
 * caller's *@error_offset must be 0 on entry (-EINVAL otherwise).
 */
int foliage_gmem_convert(struct foliage_file *gmem, uint64_t offset,
			 uint64_t size, uint64_t attributes, uint64_t flags,
			 uint64_t *error_offset)
	FOLIAGE_MUST_CHECK;

/* A guest_memfd's state, for tools and tests. */
#define FOLIAGE_GMEM_MAX_ORDER	18
struct foliage_gmem_stat {
	uint64_t bytes;			/* its size */
	uint64_t flags;			/* FOLIAGE_GMEM_FLAG_* */
	uint64_t huge_bytes;		/* hugetlb page size, 0: 4 KiB */
	unsigned long nr_ranges;	/* attribute ranges */
	unsigned long nr_private_pages;	/* pages private */
	unsigned long nr_pages_cached;	/* pages allocated (page cache) */
	/* folios in its page cache by order */
	unsigned long nr_folios[FOLIAGE_GMEM_MAX_ORDER + 1];
	unsigned long resv_huge_pages;	/* huge pages reserved for it */
	unsigned long nr_invalidations;	/* ranges it invalidated */
	unsigned long nr_conversions;	/* conversions that changed state */
	unsigned long nr_splits;	/* huge folios split */
	unsigned long nr_reconstructs;	/* huge folios reconstructed */
	unsigned long nr_memslots;	/* memslots bound to it */
	unsigned long ino;		/* its inode number (maps' column) */
};
int foliage_gmem_stat(struct foliage_file *gmem, struct foliage_gmem_stat *st)
	FOLIAGE_MUST_CHECK;
/*
 * The @i-th attribute range of @gmem, in bytes: -ENOENT past the last.
 */
int foliage_gmem_range(struct foliage_file *gmem, unsigned long i,
		       uint64_t *start, uint64_t *end, bool *private_)
	FOLIAGE_MUST_CHECK;
/* What KVM counted for @vm. */
struct foliage_vm_stat {
	unsigned long nr_memslots;	/* memslots */
	unsigned long mmu_invalidations; /* invalidations that hit it */
	unsigned long sptes_zapped;	/* secondary-MMU entries zapped */
	unsigned long sptes_installed;	/* entries the vCPU faults made */
	unsigned long sptes_present;	/* entries present now */
	unsigned long gmem_faults;	/* kvm_gmem_get_pfn() calls */
};
int foliage_vm_stat(struct foliage_vm *vm, struct foliage_vm_stat *st)
	FOLIAGE_MUST_CHECK;

/* ---- reverse map (issue 13, docs/anon-vma-lazy.md) ---- */
/*
 * What the folio mapped at @addr of @task points at (its ->mapping), and
 * every mapping an rmap walk finds for it: -ENOENT if no normal page is
 * mapped there.  kind: FOLIAGE_RMAP_ANON_VMA (an anon_vma), _LAZY (an
 * ANON_VMA_LAZY root VMA), _FILE (a file's address_space).
 */
#define FOLIAGE_RMAP_ANON_VMA	1
#define FOLIAGE_RMAP_LAZY	2
#define FOLIAGE_RMAP_FILE	3
#define FOLIAGE_RMAP_MAX	64	/* mappings kept in map[] */
struct foliage_rmap_mapping {
	int pid;			/* the mapping task's pid */
	unsigned long addr;		/* PTE address, or PMD start */
	bool pmd;			/* a PMD mapping */
};
struct foliage_rmap_info {
	int kind;			/* FOLIAGE_RMAP_* */
	unsigned long pfn;		/* the page's frame */
	unsigned long index;		/* its folio's ->index */
	unsigned long nr_pages;		/* pages of its folio */
	unsigned long base;		/* LAZY: vma_mapping_base(root) */
	unsigned long root_start;	/* LAZY: the root VMA's range */
	unsigned long root_end;		/* (as it was, if detached) */
	int root_pid;			/* LAZY: pid of the root's task */
	bool root_detached;		/* LAZY: unmapped, kept for its folios */
	unsigned long root_refs;	/* LAZY: the root's reference count */
	bool upgraded;			/* LAZY: its group has an anon_vma */
	unsigned long tree_vmas;	/* anon_vma (the upgraded one) or file:
					 * VMAs on its interval tree */
	unsigned int nr_mappings;	/* found by the walk (PTEs and PMDs) */
	struct foliage_rmap_mapping map[FOLIAGE_RMAP_MAX]; /* the first ones */
};
int foliage_rmap_info(struct foliage_task *task, unsigned long addr,
		      struct foliage_rmap_info *out)
	FOLIAGE_MUST_CHECK;
/* ANON_VMA_LAZY counters of @m (all 0 on a classic machine). */
struct foliage_anon_rmap_stats {
	unsigned long nr_roots;		/* root VMAs alive, detached ones too */
	unsigned long nr_detached;	/* unmapped roots kept for their folios */
	unsigned long nr_upgrades;	/* lazy groups upgraded to an anon_vma */
	unsigned long nr_fixed;		/* folios moved from a root to an anon_vma */
	unsigned long nr_walk_retries;	/* walks that saw ->mapping change */
};
int foliage_anon_rmap_stats(struct foliage_machine *m,
			    struct foliage_anon_rmap_stats *out)
	FOLIAGE_MUST_CHECK;

/*
 * CPUs, kernel threads and time (issue 7; docs/concurrency.md).
 *
 * A host thread is attached to one CPU of a machine and runs on it while
 * inside the library; a thread that calls in unattached is attached to
 * the first free CPU.  foliage_cpu_attach() attaches the calling thread to
 * CPU @cpu (-1: the first free one) and returns the CPU's number: -EBUSY
 * if another thread is attached there (or this one elsewhere in @m),
 * -EINVAL if @cpu is out of range.  The thread's node is the CPU's node
 * (cpu % nr_nodes).  foliage_cpu_detach() gives the CPU back (its per-CPU
 * page lists drained first); a thread that exits is detached from every
 * machine it was attached to.  foliage_cpu_current(): the calling thread's
 * CPU in @m, or -ENOENT.
 */
int foliage_cpu_attach(struct foliage_machine *m, int cpu);
int foliage_cpu_detach(struct foliage_machine *m);
int foliage_cpu_current(struct foliage_machine *m);

/*
 * The machine's clock, in nanoseconds since boot.  It is virtual unless
 * foliage_config.real_time: it stands still until foliage_advance_time()
 * moves it by @ns, running every delayed work that falls due meanwhile,
 * in due order, each with the clock at its due time, and returning when
 * they are done.  On the real clock, foliage_advance_time() sleeps @ns and
 * waits for the work that fell due.  jiffies run at HZ=250.
 */
uint64_t foliage_time_ns(struct foliage_machine *m);
int foliage_advance_time(struct foliage_machine *m, uint64_t ns);

/*
 * How many times debug validation after an operation waited for a quiet
 * machine instead of running at once (another thread was inside); it
 * then ran at the next quiet point.  Never skipped.
 */
unsigned long foliage_validate_deferred(struct foliage_machine *m);

/* ---- copy offload for migration (docs/migration-offload.md) ---- */
/*
 * Give the machine its DMA engine: @nr_chans memcpy channels (1..64),
 * each copying at most @bytes_per_sec (0: as fast as the host can).
 * -EBUSY if it has one, -EINVAL for a bad count.
 */
int foliage_dma_device_add(struct foliage_machine *m, unsigned int nr_chans,
			   uint64_t bytes_per_sec) FOLIAGE_MUST_CHECK;
/*
 * Register migrator @name ("dcbm", "mtcopy") for the migration reasons
 * @reasons ("all" if NULL, "none", a number, or a comma list of trace
 * spellings: "compaction,demotion"): -EBUSY if one is active, -EINVAL for
 * an unknown name or reason.  Disable: -EINVAL unless @name is the active
 * one; returns once no copy of it is in flight.
 */
int foliage_migrator_enable(struct foliage_machine *m, const char *name,
			    const char *reasons) FOLIAGE_MUST_CHECK;
int foliage_migrator_disable(struct foliage_machine *m, const char *name)
	FOLIAGE_MUST_CHECK;

/* ---- NUMA: page migration and memory policy (mm/migrate.c) ---- */

/* mbind()/move_pages() flags, as Linux's MPOL_MF_*. */
#define FOLIAGE_MPOL_MF_STRICT		(1 << 0)
#define FOLIAGE_MPOL_MF_MOVE		(1 << 1)
#define FOLIAGE_MPOL_MF_MOVE_ALL	(1 << 2)

/*
 * move_pages(2) on @task: each @pages[i] (an address) to @nodes[i], or,
 * with @nodes NULL, only where it is.  @status[i] gets the page's node or
 * -EFAULT (no VMA, a zero page, not migratable), -ENOENT (not present),
 * -EACCES (mapped by several processes, without MPOL_MF_MOVE_ALL),
 * -EBUSY (could not be isolated).  Returns 0, the number of pages not
 * migrated, or -EINVAL (flags other than MPOL_MF_MOVE/MOVE_ALL),
 * -ENODEV (a node out of range or without memory); consecutive entries
 * for one node migrate as one batch, as in Linux.
 */
int foliage_move_pages(struct foliage_task *task, unsigned long nr_pages,
		       const unsigned long *pages, const int *nodes,
		       int *status, int flags)
	FOLIAGE_MUST_CHECK;

/* NUMA policy modes, as Linux's MPOL_*. */
#define FOLIAGE_MPOL_DEFAULT		0
#define FOLIAGE_MPOL_PREFERRED		1
#define FOLIAGE_MPOL_BIND		2
#define FOLIAGE_MPOL_INTERLEAVE		3
#define FOLIAGE_MPOL_LOCAL		4	/* the faulting CPU's node */
#define FOLIAGE_MPOL_PREFERRED_MANY	5	/* the nodes first, then any */
/*
 * By weight: of every sum(weights) consecutive folios of a mapping, node
 * k of the set takes weight(k), in node order; the weights are the knobs
 * "mempolicy.weighted_interleave.nodeN" (foliage_set()).
 */
#define FOLIAGE_MPOL_WEIGHTED_INTERLEAVE 6

/*
 * Mode flags, OR-ed into the mode of foliage_mbind() and
 * foliage_set_mempolicy() as Linux's MPOL_F_* (at most one; not with
 * MPOL_LOCAL or a PREFERRED without nodes: -EINVAL).  foliage has no
 * cpusets: the allowed nodes are every node with memory.
 * STATIC_NODES: the policy's nodes are the mask's allowed ones (-EINVAL
 * if none), and the mask may name nodes the machine lacks.
 * RELATIVE_NODES: node n of the mask means the (n mod count)-th allowed
 * node, so {2} on a two-node machine is node 0.  numa_maps shows them as
 * "bind=static:0-1", "interleave=relative:0".
 */
#define FOLIAGE_MPOL_F_STATIC_NODES	(1 << 15)
#define FOLIAGE_MPOL_F_RELATIVE_NODES	(1 << 14)

/*
 * mbind(2): the policy of [@addr, @addr + @len) of @task, @mode over the
 * nodes of @nodemask (bit n: node n).  MPOL_MF_MOVE moves the task's
 * pages of the range that the policy does not want (MOVE_ALL: shared
 * ones too); MPOL_MF_STRICT: -EIO if some still do not conform.  -EFAULT
 * if part of the range is unmapped; -EINVAL for a bad mode, flags,
 * alignment or node set (DEFAULT and LOCAL take none, the others some
 * with memory; PREFERRED with none is LOCAL, as in Linux).  @mode may
 * carry FOLIAGE_MPOL_F_STATIC_NODES or _RELATIVE_NODES; with one, the
 * pages queued for MPOL_MF_MOVE/STRICT are those off @nodemask itself,
 * as Linux's do_mbind() queues them.
 */
int foliage_mbind(struct foliage_task *task, unsigned long addr,
		  unsigned long len, int mode, unsigned long nodemask,
		  unsigned int flags)
	FOLIAGE_MUST_CHECK;
/* set_mempolicy(2): the task's policy for new pages (forks inherit it). */
int foliage_set_mempolicy(struct foliage_task *task, int mode,
			  unsigned long nodemask)
	FOLIAGE_MUST_CHECK;
/*
 * migrate_pages(2): @task's pages on the nodes of @old_nodes move to
 * @new_nodes (the n-th old node to the (n mod count)-th new one).
 * Returns the number of pages not moved, or -EINVAL (a node without
 * memory).
 */
int foliage_migrate_pages(struct foliage_task *task, unsigned long old_nodes,
			  unsigned long new_nodes)
	FOLIAGE_MUST_CHECK;

/* ---- PTE batching and arm64's contiguous PTEs (docs/pte-batching.md) ---- */
/*
 * The page-table entries of @task in [start, start + len) (page aligned),
 * one line per entry that is not none: address, "pte" or "pmd", the raw
 * entry, pfn= and the bits the accessors read (present, protnone, write,
 * dirty, young, special, soft-dirty, uffd-wp; "huge" for a huge PMD,
 * "cont" for arm64's PTE_CONT), or "migration pfn=..." (mm/ptdump.c).
 */
int foliage_render_pagetable(struct foliage_task *task, unsigned long start,
			     unsigned long len, char **out)
	FOLIAGE_MUST_CHECK;

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif /* _FOLIAGE_FOLIAGE_H */
