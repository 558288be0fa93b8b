/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-balloon: the device's interface (Linux's
 * include/uapi/linux/virtio_balloon.h, with the seed's bits 6 and 7) and
 * what the guest driver (drivers/virtio/virtio_balloon.c) shows.
 *
 * The balloon lends guest memory back to the host.  The host writes a
 * target, num_pages (4 KiB balloon pages), in the config space; the
 * driver inflates (takes pages from the page allocator and names them on
 * the inflate queue: the host may discard them) or deflates (names them on
 * the deflate queue and frees them) until it holds that many, and writes
 * what it holds to actual.  Everything in the config space and on the
 * queues is little-endian.
 *
 * Queues, in this order, each present only when its feature is:
 *   0 inflate   out: u32 PFNs (at most 256); with DEVICE_INIT_ON_INFLATE
 *               also in: a bitmap, bit N set if page N was initialised
 *   1 deflate   out: u32 PFNs
 *   2 stats     out: virtio_balloon_stat[] (STATS_VQ)
 *   3 free_page out: u32 command id; in: order-10 hint blocks
 *               (FREE_PAGE_HINT)
 *   4 reporting in: free blocks the guest reports (REPORTING); with
 *               DEVICE_INIT_REPORTED one block a buffer, and used_len ==
 *               the buffer's length means "initialised"
 *
 * Invariants the driver keeps (driver side, vb = its state):
 *   vb->num_pages == balloon pages on vb_dev_info.pages (one a 4K page)
 *   config.actual == vb->num_pages after every change the driver made
 *   without DEFLATE_ON_OOM: MemTotal == boot MemTotal - vb->num_pages
 */
#ifndef _FOLIAGE_LINUX_VIRTIO_BALLOON_H
#define _FOLIAGE_LINUX_VIRTIO_BALLOON_H

#include <linux/compiler.h>

#define VIRTIO_ID_BALLOON		5	/* virtio traditional balloon */

/* Feature bits. */
#define VIRTIO_BALLOON_F_MUST_TELL_HOST	0 /* tell the host before deflating */
#define VIRTIO_BALLOON_F_STATS_VQ	1 /* memory statistics queue */
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM	2 /* deflate when out of memory */
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT	3 /* free page hinting queue */
#define VIRTIO_BALLOON_F_PAGE_POISON	4 /* the guest poisons free pages */
#define VIRTIO_BALLOON_F_REPORTING	5 /* free page reporting queue */
#define VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED	6 /* reported pages initialised */
#define VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE	7 /* inflated pages initialised */
#define VIRTIO_BALLOON_NR_FEATURES	8

/* Balloon pages are 4 KiB whatever the guest's page size. */
#define VIRTIO_BALLOON_PFN_SHIFT	12
#define VIRTIO_BALLOON_CMD_ID_STOP	0	/* free page hinting: stop */
#define VIRTIO_BALLOON_CMD_ID_DONE	1	/* hints no longer needed */

/* Free page hints are order-10 blocks (4 MiB here). */
#define VIRTIO_BALLOON_HINT_BLOCK_ORDER	10

/* The config space (little-endian). */
struct virtio_balloon_config {
	u32 num_pages;			/* host: the target, in 4K pages */
	u32 actual;			/* guest: pages in the balloon */
	u32 free_page_hint_cmd_id;	/* host: free page hinting command */
	u32 poison_val;			/* guest: the byte its free pages hold */
};

/* Memory statistics tags (STATS_VQ). */
#define VIRTIO_BALLOON_S_SWAP_IN	0	/* bytes swapped in */
#define VIRTIO_BALLOON_S_SWAP_OUT	1	/* bytes swapped out */
#define VIRTIO_BALLOON_S_MAJFLT		2	/* major faults */
#define VIRTIO_BALLOON_S_MINFLT		3	/* minor faults */
#define VIRTIO_BALLOON_S_MEMFREE	4	/* free memory, bytes */
#define VIRTIO_BALLOON_S_MEMTOT		5	/* total memory, bytes */
#define VIRTIO_BALLOON_S_AVAIL		6	/* available memory, bytes */
#define VIRTIO_BALLOON_S_CACHES		7	/* disk caches, bytes */
#define VIRTIO_BALLOON_S_HTLB_PGALLOC	8	/* hugetlb page allocations */
#define VIRTIO_BALLOON_S_HTLB_PGFAIL	9	/* hugetlb allocation failures */
#define VIRTIO_BALLOON_S_OOM_KILL	10	/* OOM killer invocations */
#define VIRTIO_BALLOON_S_ALLOC_STALL	11	/* allocation stalls */
#define VIRTIO_BALLOON_S_ASYNC_SCAN	12	/* kswapd scanned, bytes */
#define VIRTIO_BALLOON_S_DIRECT_SCAN	13	/* direct reclaim scanned */
#define VIRTIO_BALLOON_S_ASYNC_RECLAIM	14	/* kswapd reclaimed, bytes */
#define VIRTIO_BALLOON_S_DIRECT_RECLAIM	15	/* direct reclaimed, bytes */
#define VIRTIO_BALLOON_S_NR		16

/* One statistic on the wire: 10 bytes, packed. */
struct virtio_balloon_stat {
	u16 tag;			/* VIRTIO_BALLOON_S_* */
	u64 val;			/* its value */
} __attribute__((packed));

/* The names of the feature bits, lower case, as the scenario spells them. */
extern const char *const virtio_balloon_feature_names[VIRTIO_BALLOON_NR_FEATURES];
/* The names of the stats tags ("swap_in"...), as QEMU's QMP names them. */
extern const char *const virtio_balloon_stat_names[VIRTIO_BALLOON_S_NR];

struct foliage_machine;

/*
 * The guest driver's state as 'show balloon' prints it (one snapshot,
 * taken under the driver's lock).
 */
struct virtio_balloon_info {
	bool bound;			/* a device is driven */
	u64 features;			/* negotiated device bits [0, 8) */
	u32 num_pages;			/* config.num_pages: the host's target */
	u32 actual;			/* config.actual as last written */
	unsigned long balloon_pages;	/* pages in the balloon now */
	unsigned long inflated;		/* pages ever inflated */
	unsigned long deflated;		/* pages ever deflated */
	unsigned long oom_deflated;	/* of those, by the OOM notifier */
	unsigned long zeroed_pages;	/* balloon pages with PG_zeroed now */
	unsigned long reported_pages;	/* 4K pages reported */
	unsigned long reported_zeroed_pages; /* of those, host-initialised */
	unsigned long hint_blocks;	/* free page hint blocks held now */
	unsigned long hinted_blocks;	/* hint blocks ever sent */
	unsigned long nr_stats_answers;	/* stats requests answered */
	int probe_err;			/* the last probe's error, 0 if none */
};

/*
 * The driver on machine @m (drivers/virtio/virtio_balloon.c).  The
 * driver is registered at boot on every machine (balloon_subsys); these
 * are for the VMM side of a test or scenario.
 */
int virtio_balloon_info(struct foliage_machine *m,
			struct virtio_balloon_info *info);
/*
 * Wait (sleeping) until the driver's work has nothing left to do for
 * now: the target is reached, or it is out of memory and waits to
 * retry, or the device is broken.  -ENODEV without a bound device.
 */
int virtio_balloon_settle(struct foliage_machine *m);

/*
 * The REPORTING queue's ->report() for page reporting (see
 * drivers/virtio/virtio_balloon.c): bit i of @zeroed_bitmap set when the
 * host initialised block i (DEVICE_INIT_REPORTED and used_len == its
 * length).  @nents <= 32.
 */
struct virtio_device;
struct scatterlist;
int virtballoon_free_page_report(struct virtio_device *vdev,
				 struct scatterlist *sg, unsigned int nents,
				 unsigned long *zeroed_bitmap);

/*
 * The VMM's handle on the machine's balloon device (host side), kept
 * beside the driver for foliage_balloon_*(); NULL until one is added.
 */
struct host_virtio_device;
struct host_virtio_device *virtio_balloon_host_dev(struct foliage_machine *m);
void virtio_balloon_set_host_dev(struct foliage_machine *m,
				 struct host_virtio_device *hv);

#endif /* _FOLIAGE_LINUX_VIRTIO_BALLOON_H */
