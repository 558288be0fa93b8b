/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The observability renderers: Linux 6.18's /proc/buddyinfo, pagetypeinfo,
 * vmstat, meminfo, zoneinfo and the ftrace "trace" file, byte for byte, and
 * the same data as JSON.  Each format is produced in one place:
 *
 *   mm/vmstat_show.c	buddyinfo, pagetypeinfo, vmstat, zoneinfo
 *   mm/show_mem.c	meminfo (si_meminfo(), si_mem_available())
 *   mm/trace_output.c	trace
 *   mm/render.c	foliage_render(): dispatch, text buffer, JSON helpers
 *
 * Every renderer is two halves:
 *
 *   *_snapshot()	reads the machine, under the locks Linux takes, into a
 *			plain struct (runs inside the machine: machine_enter())
 *   *_show(), *_json()	pure formatters from that struct to text or JSON;
 *			they know nothing of foliage's zones, so the tests feed
 *			them numbers parsed out of a real kernel's files (with
 *			its DMA and DMA32 zones) and compare byte for byte.
 */
#ifndef _FOLIAGE_MM_RENDER_H
#define _FOLIAGE_MM_RENDER_H

#include <json-c/json.h>

#include "internal.h"
#include <trace/events.h>

/* ---- text buffer ---------------------------------------------------- */

struct seq_buf;
/* kernel/time.c: /proc/uptime from the machine's clock. */
int uptime_render_seq(struct seq_buf *s, bool json);

/*
 * A growing text buffer, appended to like a seq_file.  An append that
 * cannot allocate sets err and is dropped; seq_buf_finish() reports it.
 */
struct seq_buf {
	char *buf;			/* malloc()ed, NUL-terminated */
	size_t len;			/* bytes used, without the NUL */
	size_t size;			/* bytes allocated */
	int err;			/* 0, or -ENOMEM after a failed append */
};

void seq_buf_init(struct seq_buf *s);
void seq_printf(struct seq_buf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void seq_puts(struct seq_buf *s, const char *str);
void seq_putc(struct seq_buf *s, char c);
/* Hand the text to the caller (*@out, malloc()ed) or free it on error. */
int seq_buf_finish(struct seq_buf *s, char **out);
void seq_buf_free(struct seq_buf *s);

struct foliage_machine;
/* Run a seq_buf renderer @fn inside @m and hand its text to *@out. */
int render_seq_text(struct foliage_machine *m,
		    int (*fn)(struct seq_buf *s, bool json), char **out);

/* ---- JSON helpers ------------------------------------------------------ */

/*
 * Each adds one member to an object (or one element to an array); on an
 * allocation failure it sets *@err to -ENOMEM and drops the value, so a
 * builder can add everything and check once at the end.
 */
struct json_object *json_new_object(int *err);
struct json_object *json_new_array(int *err);
void json_set(struct json_object *obj, const char *key,
	      struct json_object *val, int *err);
void json_set_u64(struct json_object *obj, const char *key, u64 v, int *err);
void json_set_i64(struct json_object *obj, const char *key, s64 v, int *err);
void json_set_str(struct json_object *obj, const char *key, const char *str,
		  int *err);
void json_push(struct json_object *arr, struct json_object *val, int *err);
void json_push_u64(struct json_object *arr, u64 v, int *err);
/* Print @obj (pretty, with a final newline) into @s and drop it. */
int json_show(struct seq_buf *s, struct json_object *obj, int err);

/*
 * Define render_NAME(): take NAME_snapshot() into a struct TYPE, then show
 * it with NAME_show() or NAME_json() (one per file, in the spirit of the
 * kernel's DEFINE_SHOW_ATTRIBUTE()).
 */
#define DEFINE_RENDERER(name, type)					\
int render_##name(struct seq_buf *s, bool json)				\
{									\
	type *snap = malloc(sizeof(*snap));				\
	int err = 0;							\
									\
	if (!snap)							\
		return -ENOMEM;						\
	name##_snapshot(snap);						\
	if (json) {							\
		struct json_object *obj = name##_json(snap, &err);	\
									\
		err = json_show(s, obj, err);				\
	} else {							\
		name##_show(s, snap);					\
	}								\
	free(snap);							\
	return err;							\
}

/* ---- snapshots of zones ------------------------------------------------ */

/* Zones a node may show: foliage has 2, Linux on x86-64 has up to 5. */
#define SNAP_MAX_ZONES		8
#define SNAP_MAX_CPUS		NR_CPUS

/* /proc/buddyinfo: one row per populated zone. */
struct buddyinfo_zone {
	int nid;			/* node */
	const char *name;		/* zone name, e.g. "Normal" */
	unsigned long nr_free[NR_PAGE_ORDERS]; /* free_area[o].nr_free */
};

struct buddyinfo {
	int nr_zones;			/* rows used */
	struct buddyinfo_zone zone[MAX_NUMNODES * SNAP_MAX_ZONES]; /* rows */
};

/*
 * /proc/pagetypeinfo counts list entries up to this many and then prints
 * ">100000", as Linux does to bound the time spent under zone->lock.
 */
#define PAGETYPE_FREECOUNT_CAP	100000UL

struct pagetype_zone {
	const char *name;		/* zone name */
	/* blocks on free_list[mt] at each order, capped at the cap above */
	unsigned long nr_free[MIGRATE_TYPES][NR_PAGE_ORDERS];
	unsigned long nr_blocks[MIGRATE_TYPES]; /* pageblocks of each type */
};

struct pagetype_node {
	int nid;			/* node */
	int nr_zones;			/* populated zones */
	struct pagetype_zone zone[SNAP_MAX_ZONES]; /* populated zones */
};

struct pagetypeinfo {
	int nr_nodes;			/* nodes with memory */
	struct pagetype_node node[MAX_NUMNODES]; /* them */
};

/* /proc/zoneinfo: every zone of every node, populated or not. */
struct zoneinfo_pageset {
	int count;			/* pcp->count */
	int high;			/* pcp->high */
	int batch;			/* pcp->batch */
	int high_min;			/* pcp->high_min */
	int high_max;			/* pcp->high_max */
	int stat_threshold;		/* vm stats threshold */
};

struct zoneinfo_zone {
	const char *name;		/* zone name */
	bool populated;			/* present_pages != 0 */
	unsigned long free;		/* NR_FREE_PAGES */
	unsigned long boost;		/* watermark_boost */
	unsigned long wmark[NR_WMARK];	/* min, low, high, promo */
	unsigned long spanned;		/* spanned_pages */
	unsigned long present;		/* present_pages */
	unsigned long managed;		/* managed_pages */
	unsigned long cma;		/* CMA pages */
	int nr_protection;		/* entries of protection[] */
	long protection[SNAP_MAX_ZONES]; /* lowmem_reserve[] */
	/* the rest is shown for populated zones only */
	unsigned long stat[NR_VM_ZONE_STAT_ITEMS]; /* zone counters */
	unsigned long numa[NR_VM_NUMA_EVENT_ITEMS]; /* NUMA events */
	int nr_cpus;			/* entries of pageset[] */
	struct zoneinfo_pageset pageset[SNAP_MAX_CPUS]; /* per CPU */
	unsigned int node_unreclaimable; /* kswapd gave up on the node */
	unsigned long start_pfn;	/* zone_start_pfn */
};

struct zoneinfo_node {
	int nid;			/* node */
	int nr_zones;			/* zones, populated or not */
	unsigned long stat[NR_VM_NODE_STAT_ITEMS]; /* per-node stats */
	struct zoneinfo_zone zone[SNAP_MAX_ZONES]; /* its zones */
};

struct zoneinfo {
	int nr_nodes;			/* nodes */
	struct zoneinfo_node node[MAX_NUMNODES]; /* them */
};

/* mm/vmstat_show.c */
void buddyinfo_snapshot(struct buddyinfo *bi);
/* /sys/kernel/debug/extfrag/: both files ("extfrag"), or one of them. */
int render_extfrag(struct seq_buf *s, bool json);
int render_unusable_index(struct seq_buf *s, bool json);
int render_extfrag_index(struct seq_buf *s, bool json);
/* One line of each file for a zone whose free_area[o].nr_free is @nr_free. */
void unusable_index_line(struct seq_buf *s, int nid, const char *zone,
			 const unsigned long *nr_free);
void extfrag_index_line(struct seq_buf *s, int nid, const char *zone,
			const unsigned long *nr_free);
/* The physical memory map (pfnmap.c): text, JSON or SVG by @flags. */
int pfnmap_render(struct seq_buf *s, unsigned int flags);
void buddyinfo_show(struct seq_buf *s, const struct buddyinfo *bi);
struct json_object *buddyinfo_json(const struct buddyinfo *bi, int *err);

void pagetypeinfo_snapshot(struct pagetypeinfo *pi);
void pagetypeinfo_show(struct seq_buf *s, const struct pagetypeinfo *pi);
struct json_object *pagetypeinfo_json(const struct pagetypeinfo *pi,
				      int *err);

/* /proc/vmstat: the value of each line, named by vmstat_text[]. */
struct vmstat_lines {
	unsigned long val[NR_VMSTAT_ITEMS]; /* by vmstat_text[] index */
};

void vmstat_snapshot(struct vmstat_lines *vl);
void vmstat_show(struct seq_buf *s, const struct vmstat_lines *vl);
struct json_object *vmstat_json(const struct vmstat_lines *vl, int *err);

void zoneinfo_snapshot(struct zoneinfo *zi);
void zoneinfo_show(struct seq_buf *s, const struct zoneinfo *zi);
struct json_object *zoneinfo_json(const struct zoneinfo *zi, int *err);

int render_buddyinfo(struct seq_buf *s, bool json);
int render_pagetypeinfo(struct seq_buf *s, bool json);
int render_vmstat(struct seq_buf *s, bool json);
int render_zoneinfo(struct seq_buf *s, bool json);

/* ---- meminfo (mm/show_mem.c) ------------------------------------------- */

/* The lines of /proc/meminfo, in order: (enum, label, unit is kB). */
#define FOLIAGE_MEMINFO_LINES(X) \
	X(MI_MEMTOTAL, "MemTotal", true) \
	X(MI_MEMFREE, "MemFree", true) \
	X(MI_MEMAVAILABLE, "MemAvailable", true) \
	X(MI_BUFFERS, "Buffers", true) \
	X(MI_CACHED, "Cached", true) \
	X(MI_SWAPCACHED, "SwapCached", true) \
	X(MI_ACTIVE, "Active", true) \
	X(MI_INACTIVE, "Inactive", true) \
	X(MI_ACTIVE_ANON, "Active(anon)", true) \
	X(MI_INACTIVE_ANON, "Inactive(anon)", true) \
	X(MI_ACTIVE_FILE, "Active(file)", true) \
	X(MI_INACTIVE_FILE, "Inactive(file)", true) \
	X(MI_UNEVICTABLE, "Unevictable", true) \
	X(MI_MLOCKED, "Mlocked", true) \
	X(MI_SWAPTOTAL, "SwapTotal", true) \
	X(MI_SWAPFREE, "SwapFree", true) \
	X(MI_ZSWAP, "Zswap", true) \
	X(MI_ZSWAPPED, "Zswapped", true) \
	X(MI_DIRTY, "Dirty", true) \
	X(MI_WRITEBACK, "Writeback", true) \
	X(MI_ANONPAGES, "AnonPages", true) \
	X(MI_MAPPED, "Mapped", true) \
	X(MI_SHMEM, "Shmem", true) \
	X(MI_KRECLAIMABLE, "KReclaimable", true) \
	X(MI_SLAB, "Slab", true) \
	X(MI_SRECLAIMABLE, "SReclaimable", true) \
	X(MI_SUNRECLAIM, "SUnreclaim", true) \
	X(MI_KERNELSTACK, "KernelStack", true) \
	X(MI_PAGETABLES, "PageTables", true) \
	X(MI_SECPAGETABLES, "SecPageTables", true) \
	X(MI_NFS_UNSTABLE, "NFS_Unstable", true) \
	X(MI_BOUNCE, "Bounce", true) \
	X(MI_WRITEBACKTMP, "WritebackTmp", true) \
	X(MI_COMMITLIMIT, "CommitLimit", true) \
	X(MI_COMMITTED_AS, "Committed_AS", true) \
	X(MI_VMALLOCTOTAL, "VmallocTotal", true) \
	X(MI_VMALLOCUSED, "VmallocUsed", true) \
	X(MI_VMALLOCCHUNK, "VmallocChunk", true) \
	X(MI_PERCPU, "Percpu", true) \
	X(MI_ANONHUGEPAGES, "AnonHugePages", true) \
	X(MI_SHMEMHUGEPAGES, "ShmemHugePages", true) \
	X(MI_SHMEMPMDMAPPED, "ShmemPmdMapped", true) \
	X(MI_FILEHUGEPAGES, "FileHugePages", true) \
	X(MI_FILEPMDMAPPED, "FilePmdMapped", true) \
	X(MI_BALLOON, "Balloon", true) \
	X(MI_HUGEPAGES_TOTAL, "HugePages_Total", false) \
	X(MI_HUGEPAGES_FREE, "HugePages_Free", false) \
	X(MI_HUGEPAGES_RSVD, "HugePages_Rsvd", false) \
	X(MI_HUGEPAGES_SURP, "HugePages_Surp", false) \
	X(MI_HUGEPAGESIZE, "Hugepagesize", true) \
	X(MI_HUGETLB, "Hugetlb", true) \
	X(MI_DIRECTMAP4K, "DirectMap4k", true) \
	X(MI_DIRECTMAP2M, "DirectMap2M", true) \
	X(MI_DIRECTMAP1G, "DirectMap1G", true) \
	/* end */

#define __MEMINFO_ENUM(e, label, kb) e,
enum meminfo_line { FOLIAGE_MEMINFO_LINES(__MEMINFO_ENUM) NR_MEMINFO_LINES };
#undef __MEMINFO_ENUM

extern const char *const meminfo_labels[NR_MEMINFO_LINES];

/* The values /proc/meminfo prints: in kB, or a count for HugePages_*. */
struct meminfo {
	unsigned long val[NR_MEMINFO_LINES]; /* by enum meminfo_line */
};

unsigned long zone_reserve_pages(const long *lowmem_reserve, int nr_zones,
				 int zone_idx, unsigned long high_wmark,
				 unsigned long managed);
long mem_available(unsigned long nr_free, unsigned long totalreserve,
		   unsigned long wmark_low, unsigned long pagecache,
		   unsigned long reclaimable);
long si_mem_available(void);
unsigned long vm_commit_limit(unsigned long totalram);
void meminfo_snapshot(struct meminfo *mi);
void meminfo_show(struct seq_buf *s, const struct meminfo *mi);
struct json_object *meminfo_json(const struct meminfo *mi, int *err);
int render_meminfo(struct seq_buf *s, bool json);

/* ---- trace (mm/trace_output.c) ----------------------------------------- */

/*
 * Where struct pages would live in an x86-64 kernel without KASLR: the
 * trace's "page=%p" shows vmemmap_base + pfn * sizeof(struct page).
 */
#define TRACE_VMEMMAP_BASE	0xffffea0000000000UL
#define TRACE_STRUCT_PAGE_BYTES	64UL

/* One line of the trace file: an entry and what its rendering needs. */
struct trace_line {
	const struct trace_entry *e;	/* the event */
	const char *comm;		/* task name of e->pid */
	const char *lat;		/* the 5 irq/preempt flag characters */
	unsigned long page_ptr;		/* what page=%p prints, already hashed */
};

/* What "%p" prints for @ptr with the hash-ptr trace option: an ID. */
unsigned long trace_hash_ptr(unsigned long ptr);
/* The "%p" value of @pfn's struct page (0 for pfn -1UL: NULL). */
unsigned long trace_page_ptr(unsigned long pfn);
void trace_print_header(struct seq_buf *s, unsigned long entries,
			unsigned long written, int nr_cpus);
void trace_print_line(struct seq_buf *s, const struct trace_line *l);
struct json_object *trace_line_json(const struct trace_line *l, int *err);
int render_trace(struct seq_buf *s, bool json);

#endif /* _FOLIAGE_MM_RENDER_H */
