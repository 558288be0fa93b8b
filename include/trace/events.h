/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events.  Each event is recorded, when tracing is on, into the
 * machine's ring buffer as a fixed-size binary entry; mm/trace.c renders the
 * buffer in the ftrace text format of Linux 6.18 (one line an event, after
 * the "# tracer: nop" header), byte-compatible with /sys/kernel/tracing/trace.
 */
#ifndef _FOLIAGE_TRACE_EVENTS_H
#define _FOLIAGE_TRACE_EVENTS_H

#include <linux/mm.h>

enum trace_event_type {
	TRACE_MM_PAGE_ALLOC,
	TRACE_MM_PAGE_FREE,
	TRACE_MM_PAGE_ALLOC_ZONE_LOCKED,
	TRACE_MM_PAGE_PCPU_DRAIN,
	TRACE_MM_PAGE_ALLOC_EXTFRAG,
	TRACE_MM_MIGRATE_PAGES,
	TRACE_MM_MIGRATE_PAGES_START,
	TRACE_SET_MIGRATION_PTE,
	TRACE_REMOVE_MIGRATION_PTE,
	NR_TRACE_EVENT_TYPES
};

/* One recorded event; which fields mean something depends on the type. */
struct trace_entry {
	u64 ts_ns;			/* the machine's trace clock (trace.c) */
	u16 type;			/* enum trace_event_type */
	u16 cpu;			/* CPU it ran on */
	int pid;			/* host thread id */
	union {
		struct {		/* the page allocator's events */
			unsigned long pfn; /* page, or -1UL for none */
			unsigned int order; /* allocation order */
			int migratetype; /* migratetype */
			unsigned long gfp_flags; /* gfp */
			int percpu_refill; /* zone_locked: for a pcp refill */
			int arg[4];	/* extfrag: fallback_order, ... */
		};
		struct {		/* migration's events */
			/*
			 * mm_migrate_pages: succeeded, failed, thp_succeeded,
			 * thp_failed, thp_split, large_folio_split;
			 * *_migration_pte: addr, pte
			 */
			unsigned long mig[6];
			int mig_mode;	/* enum migrate_mode */
			int mig_arg;	/* the reason, or the pte's order */
		};
	};
};

/* The ring buffer: the newest TRACE_BUFFER_ENTRIES events are kept. */
#define TRACE_BUFFER_ENTRIES	65536

struct trace_buffer {
	spinlock_t lock;		/* writers */
	unsigned long written;		/* events ever recorded */
	u64 clock_ns;			/* trace clock: the last event's time */
	struct trace_entry entries[TRACE_BUFFER_ENTRIES]; /* ring */
};

void trace_record(const struct trace_entry *e);
void trace_buffer_free(struct trace_buffer *tb);
/* Empty the buffer (like writing to tracefs's trace file). */
void trace_buffer_reset(void);

static inline bool trace_on(void)
{
	return unlikely(READ_ONCE(this_machine->tracing_on));
}

static inline void trace_mm_page_alloc(struct page *page, unsigned int order,
				       gfp_t gfp, int migratetype)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = TRACE_MM_PAGE_ALLOC,
			.pfn = page ? page_to_pfn(page) : -1UL,
			.order = order, .gfp_flags = gfp,
			.migratetype = migratetype,
		};
		trace_record(&e);
	}
}

static inline void trace_mm_page_free(struct page *page, unsigned int order)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = TRACE_MM_PAGE_FREE,
			.pfn = page_to_pfn(page), .order = order,
		};
		trace_record(&e);
	}
}

static inline void trace_mm_page_alloc_zone_locked(struct page *page,
						   unsigned int order,
						   int migratetype,
						   int percpu_refill)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = TRACE_MM_PAGE_ALLOC_ZONE_LOCKED,
			.pfn = page ? page_to_pfn(page) : -1UL,
			.order = order, .migratetype = migratetype,
			.percpu_refill = percpu_refill,
		};
		trace_record(&e);
	}
}

static inline void trace_mm_page_pcpu_drain(struct page *page,
					    unsigned int order,
					    int migratetype)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = TRACE_MM_PAGE_PCPU_DRAIN,
			.pfn = page_to_pfn(page), .order = order,
			.migratetype = migratetype,
		};
		trace_record(&e);
	}
}

/*
 * arg: alloc_order, fallback_order, alloc_migratetype, fallback_migratetype;
 * change_ownership (did the allocation take the pageblock over?) is
 * recorded at trace time, as Linux does, in the percpu_refill slot.
 */
static inline void trace_mm_page_alloc_extfrag(struct page *page,
					       int alloc_order,
					       int fallback_order,
					       int alloc_mt, int fallback_mt)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = TRACE_MM_PAGE_ALLOC_EXTFRAG,
			.pfn = page_to_pfn(page),
			.arg = { alloc_order, fallback_order, alloc_mt,
				 fallback_mt },
			.percpu_refill = alloc_mt ==
					 get_pageblock_migratetype(page),
		};
		trace_record(&e);
	}
}

/* ---- migration (mm/migrate.c, mm/rmap.c) ---- */

static inline void trace_mm_migrate_pages(unsigned long succeeded,
					  unsigned long failed,
					  unsigned long thp_succeeded,
					  unsigned long thp_failed,
					  unsigned long thp_split,
					  unsigned long large_folio_split,
					  int mode, int reason)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = TRACE_MM_MIGRATE_PAGES,
			.mig = { succeeded, failed, thp_succeeded, thp_failed,
				 thp_split, large_folio_split },
			.mig_mode = mode, .mig_arg = reason,
		};
		trace_record(&e);
	}
}

static inline void trace_mm_migrate_pages_start(int mode, int reason)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = TRACE_MM_MIGRATE_PAGES_START,
			.mig_mode = mode, .mig_arg = reason,
		};
		trace_record(&e);
	}
}

static inline void __trace_migration_pte(int type, unsigned long addr,
					 unsigned long pte, int order)
{
	if (trace_on()) {
		struct trace_entry e = {
			.type = type, .mig = { addr, pte }, .mig_arg = order,
		};
		trace_record(&e);
	}
}

/* A PTE (or PMD) became a migration entry. */
static inline void trace_set_migration_pte(unsigned long addr,
					   unsigned long pte, int order)
{
	__trace_migration_pte(TRACE_SET_MIGRATION_PTE, addr, pte, order);
}

/* A migration entry became a PTE (or PMD) again. */
static inline void trace_remove_migration_pte(unsigned long addr,
					      unsigned long pte, int order)
{
	__trace_migration_pte(TRACE_REMOVE_MIGRATION_PTE, addr, pte, order);
}

#endif /* _FOLIAGE_TRACE_EVENTS_H */
