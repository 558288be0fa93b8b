/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copy offload for page migration (mm/migrate_copy_offload.c): one
 * registered migrator copies the contents of a whole batch of folios at
 * once, after the batch's unmap and its single TLB flush, instead of the
 * move step copying each folio on the CPU ("Accelerate page migration
 * with batch copying and hardware offload", v6).
 *
 *   migrate_pages_batch()                       the registry
 *   ---------------------                       ------------
 *   unmap every folio, one TLB flush
 *   eligible folios (reason in the mask, refcount as expected, not
 *   movable_ops) -> migrate_offload_copy(dst, src, nr, reason)
 *                                               -> migrator->offload_copy()
 *                                                  marks each dst it copied
 *                                                  (folio_mark_content_copied)
 *   move step: folio_test_clear_content_copied(dst) ? skip the copy
 *                                                   : copy on the CPU
 *
 * What it promises:
 *   - at most one migrator is active; migrate_offload_register() of a
 *     second is -EBUSY, of a malformed one (no name, no offload_copy, no
 *     owner, a mask with bits past MR_TYPES) -EINVAL;
 *   - migrate_offload_unregister() of anything but the active one is
 *     -EINVAL; once it returns, no copy of that migrator is running or
 *     will start (it waits, as synchronize_srcu(), for copies in flight);
 *   - migrate_offload_copy() returns -ENODEV when no migrator is active or
 *     @reason is not in its mask (nothing called, nothing marked), 0 when
 *     the migrator ran (the destinations it copied are marked, possibly
 *     none, possibly all), and any other -errno when it failed, in which
 *     case no destination is left marked: the caller copies them all;
 *   - so every folio is copied exactly once per successful migration: by
 *     the migrator (marked) or by the CPU (unmarked), and a mark is
 *     consumed by the move step, so a retry after -EAGAIN copies again.
 *
 * The lists are of folios linked through ->lru, the i-th destination on
 * @dst paired with the i-th source on @src, both holding @nr folios of
 * equal sizes.  The migrator neither reorders nor unlinks them.
 */
#ifndef _FOLIAGE_LINUX_MIGRATE_OFFLOAD_H
#define _FOLIAGE_LINUX_MIGRATE_OFFLOAD_H

#include <pthread.h>

#include <linux/list.h>
#include <linux/migrate.h>

struct foliage_machine;

/*
 * The mark a migrator leaves on a destination it copied is the migration
 * core's (include/linux/migrate.h): FOLIO_CONTENT_COPIED in dst->private
 * beside the source's anon_vma | PAGE_WAS_MAPPED | PAGE_WAS_MLOCKED;
 * migrators set it with folio_mark_content_copied(), the move step
 * consumes it with folio_test_clear_content_copied().
 */

/* A copy engine the migration core can hand batches to. */
struct migrator {
	const char *name;		/* "dcbm", "mtcopy" */
	/*
	 * Copy what it can of @nr paired folios, marking each destination
	 * it copied; 0 if it ran (even if it copied none), -errno if not
	 * (the registry then clears any mark it left).  May sleep.
	 */
	int (*offload_copy)(struct list_head *dst_list,
			    struct list_head *src_list, unsigned int nr);
	void *owner;			/* the driver's state (struct module) */
};

/* A reason mask: bit MR_x set = the migrator takes reason MR_x. */
#define MIGRATE_REASON_ALL	((1U << MR_TYPES) - 1)

int __must_check migrate_offload_register(struct migrator *m,
					  unsigned int reason_mask);
int __must_check migrate_offload_unregister(struct migrator *m);

/*
 * The hook migrate_pages_batch() calls after its flush, with the eligible
 * folios of the batch (see the top of this file).
 */
int migrate_offload_copy(struct list_head *dst_folios,
			 struct list_head *src_folios, int nr,
			 enum migrate_reason reason);

/* The active migrator's name, or NULL; its mask in *@reason_mask. */
const char *migrate_offload_active(unsigned int *reason_mask);

/*
 * Parse a reason mask: a number (any base strtoul() takes, no bit past
 * MR_TYPES), "all", "none", or a comma list of migrate_reason_names[]
 * ("compaction,demotion").  -EINVAL for anything else.
 */
int __must_check migrate_reason_mask_parse(const char *s,
					   unsigned int *mask);
/* "compaction,demotion", "all" or "none" into @buf (always terminated). */
void migrate_reason_mask_format(unsigned int mask, char *buf, size_t len);

/* The registry's counters (show/expect, tests). */
struct migrate_offload_stats {
	unsigned long nr_calls;		/* batches handed to a migrator */
	unsigned long nr_folios;	/* folios in them */
	unsigned long nr_copied;	/* destinations left marked */
	unsigned long nr_errors;	/* batches it failed (CPU copies all) */
	unsigned long nr_skipped;	/* calls with none active / filtered */
};
void migrate_offload_get_stats(struct migrate_offload_stats *st);

/* ---- the migrators (drivers/migrate_offload/) ---- */

/*
 * dcbm: the DMA-engine migrator.  A batch of @nr_folios uses
 * min(nr_dma_chan, nr_folios, DCBM_MAX_CHANS) channels; channel @i of @c
 * copies folios [dcbm_chan_first(n, c, i), dcbm_chan_first(n, c, i + 1)),
 * that is n(i+1)/c - n*i/c of them.
 */
#define DCBM_MAX_CHANS		16
#define DCBM_TIMEOUT_MS		10000	/* a batch's wait for its channels */

static inline unsigned int dcbm_nr_chans(unsigned int nr_dma_chan,
					 unsigned int nr_folios)
{
	unsigned int c = nr_dma_chan < nr_folios ? nr_dma_chan : nr_folios;

	return c < DCBM_MAX_CHANS ? c : DCBM_MAX_CHANS;
}

static inline unsigned int dcbm_chan_first(unsigned int n, unsigned int c,
					   unsigned int i)
{
	return (unsigned int)((unsigned long)n * i / c);
}

/* The folios each channel of dcbm's last offloaded batch took. */
struct dcbm_last_batch {
	unsigned int nr_chans;		/* channels used */
	unsigned int nr_folios[DCBM_MAX_CHANS]; /* folios per channel */
};
void dcbm_get_last_batch(struct dcbm_last_batch *b);

/*
 * What each migrator driver keeps about its registration (its
 * "offloading" knob): migrator_driver_set() registers it with
 * @reason_mask (on) or unregisters it (off), and records the outcome.
 */
struct migrator_driver {
	struct migrator migrator;	/* what the registry calls */
	bool offloading;		/* registered (NAME.offloading) */
	unsigned int reason_mask;	/* reasons registered with */
	pthread_mutex_t enable_lock;	/* offloading, reason_mask */
};
void migrator_driver_init(struct migrator_driver *drv, const char *name,
			  int (*offload_copy)(struct list_head *,
					      struct list_head *,
					      unsigned int),
			  void *owner);
/* Unregister if registered (machine teardown), and free. */
void migrator_driver_exit(struct migrator_driver *drv);
int __must_check migrator_driver_set(struct migrator_driver *drv, bool on,
				     unsigned int reason_mask);
/*
 * The migrators' knobs are sysfs files ("dcbm.offloading" is the series'
 * /sys/kernel/dcbm/offloading): a value is kstrtouint()'s, a decimal (or
 * 0x hex) unsigned number, anything else -EINVAL.  Writing the
 * "offloading" file registers (1) or unregisters (0) the driver.
 */
int __must_check migrator_parse_uint(const char *s, unsigned int *v);
int migrator_offloading_store(struct migrator_driver *drv, const char *value);

/* The drivers (drivers/migrate_offload/{dcbm,mtcopy}.c). */
struct migrator_driver *dcbm_driver(void);
struct migrator_driver *mtcopy_driver(void);

/*
 * mtcopy: the multi-threaded CPU copier.  A batch of P pages in all is
 * cut into min(threads, P) runs of whole pages, thread t copying pages
 * [P*t/T, P*(t+1)/T) of the batch laid end to end, so one large folio is
 * shared by several threads and small ones are grouped.
 */
#define MTCOPY_MAX_THREADS	32
struct mtcopy_last_batch {
	unsigned int nr_threads;	/* threads used */
	unsigned long nr_pages[MTCOPY_MAX_THREADS]; /* pages per thread */
};
void mtcopy_get_last_batch(struct mtcopy_last_batch *b);

/* Register (enable) or unregister a migrator by name: "dcbm", "mtcopy". */
int __must_check migrator_enable(const char *name, unsigned int reason_mask);
int __must_check migrator_disable(const char *name);

#endif /* _FOLIAGE_LINUX_MIGRATE_OFFLOAD_H */
