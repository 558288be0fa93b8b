/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DMA engine framework, client side (Linux's include/linux/dmaengine.h,
 * the part a memcpy client uses), over the host's memcpy engine
 * (include/host/dma.h).  A machine has at most one DMA device
 * (foliage_dma_device_add(), scenario `device dma channels=N`).
 *
 *   chan = dma_request_chan_by_mask(&mask)	a free DMA_MEMCPY channel, now
 *						the caller's; ERR_PTR(-ENODEV)
 *						if none is left
 *   tx = dmaengine_prep_dma_memcpy(chan, dst, src, len, flags)
 *   tx->callback_result = fn; tx->callback_param = arg;
 *   dmaengine_submit(tx)			a cookie; queued, not started
 *   dma_async_issue_pending(chan)		the device starts on the queue
 *   ... fn(arg, &result) on the channel's thread (interrupt context: no
 *   sleeping, no mm code), result.result DMA_TRANS_NOERROR or not,
 *   result.residue the bytes not copied; the descriptor is freed after
 *   dmaengine_terminate_sync(chan)		drop what has not completed;
 *						no callback of chan runs after
 *   dma_release_channel(chan)
 *
 * Addresses are guest physical (dma_addr_t == phys_addr_t: no IOMMU).
 * Completions of one channel come in submission order; of different
 * channels, in any order.
 *
 * Fault injection (fail_dma.*, lib/fault-inject.c's knobs): each
 * descriptor issued asks should_fail(); a failing one is acted out by the
 * device as fail_dma.type says: "error" (nothing copied, an error
 * result), "timeout" (never completes: the client's wait times out) or
 * "partial" (half copied, an error result with the residue).
 */
#ifndef _FOLIAGE_LINUX_DMAENGINE_H
#define _FOLIAGE_LINUX_DMAENGINE_H

#include <pthread.h>

#include <host/dma.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/list.h>

typedef u64 dma_addr_t;
typedef int dma_cookie_t;

enum dma_transaction_type {
	DMA_MEMCPY,			/* memory to memory copies */
	DMA_TX_TYPE_END,		/* number of types */
};

typedef struct {
	unsigned long bits;		/* bit per dma_transaction_type */
} dma_cap_mask_t;

static inline void dma_cap_zero(dma_cap_mask_t *mask)
{
	mask->bits = 0;
}

static inline void dma_cap_set(enum dma_transaction_type t,
			       dma_cap_mask_t *mask)
{
	mask->bits |= 1UL << t;
}

enum dmaengine_tx_result {
	DMA_TRANS_NOERROR = 0,		/* copied */
	DMA_TRANS_READ_FAILED,		/* source read failed */
	DMA_TRANS_WRITE_FAILED,		/* destination write failed */
	DMA_TRANS_ABORTED,		/* not done (error, or partial) */
};

struct dmaengine_result {
	enum dmaengine_tx_result result; /* what happened */
	u32 residue;			/* bytes not copied */
};

typedef void (*dma_async_tx_callback_result)(void *param,
				const struct dmaengine_result *result);

/* Flags of prep (accepted and ignored: every descriptor interrupts). */
#define DMA_PREP_INTERRUPT	0x1UL
#define DMA_CTRL_ACK		0x2UL

struct dma_chan;

struct dma_async_tx_descriptor {
	struct host_dma_desc hw;	/* what the device executes */
	struct dma_chan *chan;		/* submitted on */
	dma_cookie_t cookie;		/* dmaengine_submit()'s, 0 before */
	dma_async_tx_callback_result callback_result; /* on completion */
	void *callback_param;		/* its argument */
	struct list_head node;		/* on chan->pending or chan->active */
};

struct dma_device;

struct dma_chan {
	struct dma_device *device;	/* its device */
	unsigned int chan_id;		/* index on the device */
	bool in_use;			/* requested (engine lock) */
	pthread_mutex_t lock;		/* pending, active, cookie, counters */
	struct list_head pending;	/* submitted, not issued */
	struct list_head active;	/* issued, not completed */
	dma_cookie_t cookie;		/* last cookie given */
	unsigned long nr_completed;	/* descriptors completed */
	unsigned long nr_failed;	/* of which with an error */
	unsigned long nr_dropped;	/* terminated before completing */
	u64 bytes_copied;		/* bytes the device copied */
};

struct dma_device {
	struct host_dma *hw;		/* the host's engine */
	dma_cap_mask_t cap_mask;	/* DMA_MEMCPY */
	unsigned int chancnt;		/* channels */
	u64 bytes_per_sec;		/* per-channel cap, 0 none */
	struct dma_chan *channels;	/* chancnt of them */
};

/* fail_dma.type */
enum fail_dma_type {
	FAIL_DMA_ERROR,			/* "error" */
	FAIL_DMA_TIMEOUT,		/* "timeout" */
	FAIL_DMA_PARTIAL,		/* "partial" */
	NR_FAIL_DMA_TYPES,
};

/* The machine's DMA state (m->dma). */
struct dma_engine {
	pthread_mutex_t lock;		/* device, channels' in_use */
	struct dma_device *device;	/* the DMA device, NULL none */
	struct fault_attr fail_dma;	/* fail_dma.* */
	unsigned int fail_dma_type;	/* enum fail_dma_type */
};

/*
 * Add the machine's DMA device: @nr_chans memcpy channels (1..64), each
 * at most @bytes_per_sec (0: uncapped).  -EBUSY if it has one already.
 */
int __must_check dma_device_add(unsigned int nr_chans, u64 bytes_per_sec);
/* The device's channel count, 0 without one. */
unsigned int dma_nr_channels(void);

struct dma_chan *dma_request_chan_by_mask(const dma_cap_mask_t *mask);
void dma_release_channel(struct dma_chan *chan);

struct dma_async_tx_descriptor *dmaengine_prep_dma_memcpy(
		struct dma_chan *chan, dma_addr_t dst, dma_addr_t src,
		size_t len, unsigned long flags);
dma_cookie_t dmaengine_submit(struct dma_async_tx_descriptor *tx);
void dma_async_issue_pending(struct dma_chan *chan);
int dmaengine_terminate_sync(struct dma_chan *chan);

#endif /* _FOLIAGE_LINUX_DMAENGINE_H */
