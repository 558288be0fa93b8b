/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of virtio-balloon (host/balloon.c), as QEMU's
 * hw/virtio/virtio-balloon.c serves it: pages the guest inflates and
 * blocks it reports are given back to the host kernel with
 * host_ram_discard() (fallocate(PUNCH_HOLE|KEEP_SIZE) on the node's
 * memfd), so they really read zero afterwards; deflated pages are only
 * counted (QEMU's WILLNEED hint does nothing to the contents); free page
 * hints are counted, not discarded (they serve migration); the last
 * statistics the guest sent are kept until the VMM asks again.
 *
 * What the device says it did (used_len):
 *   reporting queue, with DEVICE_INIT_REPORTED: the bytes of the buffer
 *     it really discarded (its whole length or 0);
 *   inflate queue, with DEVICE_INIT_ON_INFLATE: the bitmap's bytes, bit
 *     N set when page N was discarded; 0 when nothing was.
 * With PAGE_POISON and a poison_val the guest wrote non-zero, the device
 * fills with that byte instead of discarding (an initialised page holds
 * poison_val, not zeros).
 *
 * Behaviours, settable at any time (host_balloon_set_discard()):
 *   DISCARD  the default, above
 *   INHIBIT  nothing is discarded, used_len 0 (QEMU during postcopy)
 *   LIE      nothing is discarded, but used_len and the bitmap claim every
 *            page initialised (for proving the guest's checks)
 *   FAIL     the device gives up: NEEDS_RESET and a config interrupt,
 *            every buffer returned with used_len 0 (virtio 1.x §2.1.2)
 */
#ifndef _FOLIAGE_HOST_BALLOON_H
#define _FOLIAGE_HOST_BALLOON_H

#include <host/virtio.h>
#include <linux/virtio_balloon.h>

enum host_balloon_discard {
	HOST_BALLOON_DISCARD,		/* discard, say so (default) */
	HOST_BALLOON_INHIBIT,		/* discard nothing, say so */
	HOST_BALLOON_LIE,		/* discard nothing, claim everything */
	HOST_BALLOON_FAIL,		/* report a device error */
	HOST_BALLOON_NR_DISCARD,
};

/* "discard", "inhibit", "lie", "fail". */
extern const char *const host_balloon_discard_names[HOST_BALLOON_NR_DISCARD];

/* What the device did so far (all only grow but the current values). */
struct host_balloon_stats {
	u64 features;			/* what the driver accepted */
	u32 num_pages;			/* config.num_pages (the target) */
	u32 actual;			/* config.actual (the guest's) */
	u32 poison_val;			/* config.poison_val */
	u32 cmd_id;			/* config.free_page_hint_cmd_id */
	enum host_balloon_discard discard; /* current behaviour */
	u64 inflated_pages;		/* PFNs on the inflate queue */
	u64 deflated_pages;		/* PFNs on the deflate queue */
	u64 inflate_discarded_bytes;	/* of inflated pages, really punched */
	u64 reported_bytes;		/* bytes on the reporting queue */
	u64 report_discarded_bytes;	/* of those, really punched */
	u64 hinted_bytes;		/* free page hints received */
	u64 nr_errors;			/* buffers answered in FAIL */
	u64 nr_stats;			/* statistics buffers received */
	bool stats_valid;		/* stats[] holds a guest answer */
	u64 stats[VIRTIO_BALLOON_S_NR];	/* the last one, by tag */
	bool stats_seen[VIRTIO_BALLOON_S_NR]; /* tags it carried */
};

/*
 * A virtio-balloon device on @host offering @features (bits 0..7, plus
 * VERSION_1 and EVENT_IDX, which it always offers), every queue
 * @queue_num_max entries (a power of 2, >= 1).  @poison_val is the
 * config field's value until the guest writes it.
 */
int __must_check host_balloon_add(struct host *host, u64 features,
				  u16 queue_num_max, u32 poison_val,
				  struct host_virtio_device **out);
/* The VMM: a new target (config.num_pages; a config interrupt). */
void host_balloon_set_target(struct host_virtio_device *vdev, u32 num_pages);
/* The VMM: a new behaviour, from now on. */
void host_balloon_set_discard(struct host_virtio_device *vdev,
			      enum host_balloon_discard discard);
/*
 * The VMM asks for statistics (QEMU's stats polling): the buffer the
 * guest left is returned, and the guest answers with a new one.  -EAGAIN
 * when the guest has not left one yet.
 */
int host_balloon_request_stats(struct host_virtio_device *vdev);
/*
 * Fault injection: the next @nr buffers of the reporting queue get
 * used_len @lens[i] whatever was discarded (-1: what really was), up to
 * HOST_BALLOON_MAX_LENS; a host that answers a partial length.
 */
#define HOST_BALLOON_MAX_LENS	32
int host_balloon_script_report_lens(struct host_virtio_device *vdev,
				    const int *lens, unsigned int nr);
/*
 * The VMM waits until the device has received @nr_stats statistics
 * buffers in all; -ETIMEDOUT after 10 s (a guest that never answers).
 * A guest thread calling it gives its CPU up first.
 */
int host_balloon_wait_stats(struct host_virtio_device *vdev, u64 nr_stats);
/*
 * Free page hinting (QEMU's migration): start a command (@cmd_id >= 2),
 * stop it (VIRTIO_BALLOON_CMD_ID_STOP) or let the guest have its hinted
 * pages back (VIRTIO_BALLOON_CMD_ID_DONE).
 */
void host_balloon_set_hint_cmd(struct host_virtio_device *vdev, u32 cmd_id);
void host_balloon_stats(struct host_virtio_device *vdev,
			struct host_balloon_stats *st);

#endif /* _FOLIAGE_HOST_BALLOON_H */
