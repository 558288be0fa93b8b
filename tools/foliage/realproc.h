/* SPDX-License-Identifier: GPL-2.0 */
/*
 * realproc: the running Linux kernel as the other side of a differential
 * test.  Each task of a scenario becomes a real process on this machine,
 * driven over a socket, so that what foliage computes can be compared with
 * what Linux does for the same operations.
 *
 * Processes.  The controller (the process that calls this API) starts a
 * zygote, foliage-realproc, a small static program that reserves the
 * window [window_start, window_start + window_bytes) with a PROT_NONE
 * MAP_NORESERVE mapping at a fixed address and then only forks.  A new
 * task is a fork of the zygote that drops the reservation, so every task
 * starts with an empty window and the scenario's addresses are the same
 * numbers on both sides.  A task's fork is a real fork() of that task, so
 * COW is the kernel's.  Everything outside the window (the program, its
 * stack, the vdso) is the helper's own and is left out of comparisons.
 *
 *	controller ── zygote (reservation) ──fork── task A ──fork── task B
 *
 * Operations.  mmap is always MAP_FIXED (or MAP_FIXED_NOREPLACE) inside
 * the window; munmap, mprotect, mremap, madvise run as the real system
 * calls in the task; writes and reads are real stores and loads done by
 * the task (a fault is caught and reported as -EFAULT with the address,
 * as foliage_access() reports it).  Files are memfds made by the
 * controller and passed to the task that maps them, so tasks share them.
 *
 * Observation.  /proc/PID/{maps,smaps,smaps_rollup,pagemap} of a task,
 * /proc/kpageflags, and the /proc/slabinfo rows of vm_area_struct,
 * anon_vma and anon_vma_chain.  slabinfo is system-wide and SLUB caches
 * objects per CPU: realproc_slabinfo() can shrink the three caches first
 * (their sysfs "shrink"), which flushes the per-CPU slabs so that
 * active_objs counts allocated objects, but other processes still allocate
 * and free while we measure.  Where tracefs allows it, realproc also
 * counts the kmem_cache_alloc/free events of these caches in its own
 * processes only (a private trace instance, set_event_pid of the zygote
 * with event-fork): exact counts, realproc_objects().
 *
 * Every function returns 0 (or a documented non-negative value) or a
 * negative errno; -ERANGE means "outside the window", a range realproc
 * refuses to touch.  Nothing here prints.
 */
#ifndef _FOLIAGE_REALPROC_H
#define _FOLIAGE_REALPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct realproc;
struct realproc_task;
struct realproc_file;

/* The default window: 1 TiB at 32 TiB, far below any mmap_base. */
#define REALPROC_WINDOW_START	0x200000000000UL
#define REALPROC_WINDOW_BYTES	0x10000000000UL

struct realproc_config {
	unsigned long window_start;	/* reserved range, page aligned */
	unsigned long window_bytes;	/* its length, page aligned */
	const char *helper;		/* foliage-realproc; NULL: look for it */
	size_t xfer_bytes;		/* transfer buffer; 0: 1 MiB */
	bool trace;			/* count objects through tracefs */
	unsigned int timeout_ms;	/* per request; 0: 30 s */
};

/* The defaults: the window above, tracing on, the helper looked for. */
void realproc_config_init(struct realproc_config *cfg);

/*
 * Start the zygote.  The helper is @cfg->helper, else $FOLIAGE_REALPROC,
 * else foliage-realproc beside /proc/self/exe, else the path the build
 * compiled in (FOLIAGE_REALPROC_HELPER).  -EEXIST if the window is not
 * free in the helper, -ENOENT if no helper is found.  Tracing that cannot
 * be set up is not an error: realproc_objects() then says -EOPNOTSUPP.
 */
int realproc_create(const struct realproc_config *cfg, struct realproc **out);
/* Exit every task and the zygote, remove the trace instance. */
void realproc_destroy(struct realproc *rp);
unsigned long realproc_window_start(const struct realproc *rp);
unsigned long realproc_window_end(const struct realproc *rp);
/* The zygote's pid. */
int realproc_zygote_pid(const struct realproc *rp);

/* A new task (a fork of the zygote with an empty window). */
int realproc_task_create(struct realproc *rp, struct realproc_task **out);
/* fork() of @parent. */
int realproc_fork(struct realproc_task *parent, struct realproc_task **child);
/* exit(): returns once the task's mm is torn down.  Frees @t. */
int realproc_exit(struct realproc_task *t);
int realproc_task_pid(const struct realproc_task *t);

/* A memfd of @bytes named @name; tasks that map it share it. */
int realproc_file_create(struct realproc *rp, const char *name,
			 uint64_t bytes, struct realproc_file **out);
/* close() the controller's descriptor; mappings keep the file. */
void realproc_file_put(struct realproc_file *f);

/*
 * The system calls, in the task.  mmap without MAP_FIXED or
 * MAP_FIXED_NOREPLACE gets MAP_FIXED: @addr is where the mapping goes.
 * mremap with MREMAP_MAYMOVE and no MREMAP_FIXED is refused (-ERANGE):
 * the kernel would choose an address outside the window; the caller
 * passes the address it wants with MREMAP_FIXED.  *@addr_out (may be
 * NULL) is the result address.
 */
int realproc_mmap(struct realproc_task *t, unsigned long addr,
		  unsigned long len, int prot, int flags,
		  struct realproc_file *file, uint64_t offset,
		  unsigned long *addr_out);
int realproc_munmap(struct realproc_task *t, unsigned long addr,
		    unsigned long len);
int realproc_mprotect(struct realproc_task *t, unsigned long addr,
		      unsigned long len, int prot);
int realproc_mremap(struct realproc_task *t, unsigned long old_addr,
		    unsigned long old_len, unsigned long new_len, int flags,
		    unsigned long new_addr, unsigned long *addr_out);
int realproc_madvise(struct realproc_task *t, unsigned long addr,
		     unsigned long len, int advice);

/*
 * NUMA policy and migration (the numa_maps comparison).  mbind(2) and
 * set_mempolicy(2) run in the task; @nodemask has bit n for node n and
 * @mode, @flags are Linux's MPOL_* and MPOL_MF_*.  move_pages(2) and
 * migrate_pages(2) are called on the task's pid by the controller (root
 * may): move_pages returns what the system call returns (the number of
 * pages not migrated, or -errno), with @status filled; @nodes NULL asks.
 */
int realproc_mbind(struct realproc_task *t, unsigned long addr,
		   unsigned long len, int mode, uint64_t nodemask,
		   unsigned int flags);
int realproc_set_mempolicy(struct realproc_task *t, int mode,
			   uint64_t nodemask);
int realproc_move_pages(struct realproc_task *t, unsigned long nr,
			const unsigned long *pages, const int *nodes,
			int *status, int flags);
int realproc_migrate_pages(struct realproc_task *t, uint64_t from,
			   uint64_t to);
/*
 * The host's NUMA nodes with memory (N_MEMORY,
 * /sys/devices/system/node/has_memory) as a mask (bit n: node n); a host
 * without that file (no CONFIG_NUMA) has node 0.  0 or -errno.
 */
int realproc_host_nodes(uint64_t *mask);

/*
 * Real stores and loads by the task, page by page in address order, the
 * first byte of each page first: on a fault, -EFAULT and the faulting
 * address in *@fault_addr (may be NULL); the pages before it are done.
 */
int realproc_write(struct realproc_task *t, unsigned long addr,
		   const void *buf, size_t len, unsigned long *fault_addr);
int realproc_read(struct realproc_task *t, unsigned long addr, void *buf,
		  size_t len, unsigned long *fault_addr);
/* Load the first byte of every page of [addr, addr + len). */
int realproc_touch_read(struct realproc_task *t, unsigned long addr,
			unsigned long len, unsigned long *fault_addr);

/* /proc/PID/@what ("maps", "smaps", "smaps_rollup"...) malloc()ed. */
int realproc_proc_read(struct realproc_task *t, const char *what,
		       char **out);

/*
 * How many VMAs @t has outside the window (its program, stack, vdso...):
 * they count against vm.max_map_count as much as the window's do.
 */
int realproc_own_vmas(struct realproc_task *t);

/* /proc/PID/pagemap entries of @nr_pages pages from @addr. */
#define REALPROC_PM_PFN_MASK	((1ULL << 55) - 1)	/* bits 0-54 */
#define REALPROC_PM_SOFT_DIRTY	(1ULL << 55)
#define REALPROC_PM_EXCLUSIVE	(1ULL << 56)	/* PM_MMAP_EXCLUSIVE */
#define REALPROC_PM_UFFD_WP	(1ULL << 57)
#define REALPROC_PM_GUARD	(1ULL << 58)	/* guard region */
#define REALPROC_PM_FILE	(1ULL << 61)	/* file or shared anon */
#define REALPROC_PM_SWAP	(1ULL << 62)
#define REALPROC_PM_PRESENT	(1ULL << 63)
int realproc_pagemap(struct realproc_task *t, unsigned long addr,
		     unsigned long nr_pages, uint64_t *entries);
/* /proc/kpageflags of @pfn (KPF_* bits; KPF_ZERO_PAGE is bit 24). */
#define REALPROC_KPF_ZERO_PAGE	(1ULL << 24)
#define REALPROC_KPF_THP	(1ULL << 22)
int realproc_kpageflags(unsigned long pfn, uint64_t *flags);

/* The slab caches whose objects reverse mapping costs. */
enum realproc_cache {
	REALPROC_VM_AREA_STRUCT,
	REALPROC_ANON_VMA,
	REALPROC_ANON_VMA_CHAIN,
	REALPROC_NR_CACHES,
};
extern const char *const realproc_cache_name[REALPROC_NR_CACHES];

/*
 * /proc/slabinfo now, malloc()ed (diffcmp.h parses it); with @shrink, the
 * three caches are shrunk first (/sys/kernel/slab/NAME/shrink), which
 * flushes their per-CPU slabs.  -EACCES (or another errno) if it cannot
 * be read.
 */
int realproc_slabinfo(bool shrink, char **text);

/* Objects allocated and freed by realproc's processes since creation. */
struct realproc_objects {
	unsigned long allocs[REALPROC_NR_CACHES]; /* kmem_cache_alloc events */
	unsigned long frees[REALPROC_NR_CACHES];  /* kmem_cache_free events */
};
/* -EOPNOTSUPP without tracing, -EOVERFLOW if events were lost. */
int realproc_objects(struct realproc *rp, struct realproc_objects *out);
/* Whether the exact counts are available. */
bool realproc_tracing(const struct realproc *rp);

/*
 * Whether this machine lets realproc observe what it must: /proc/slabinfo
 * and a process's pagemap with PFNs.  On false, @why (if not NULL) says
 * what is missing, for a skip message.
 */
bool realproc_observable(char *why, size_t len);

#endif /* _FOLIAGE_REALPROC_H */
