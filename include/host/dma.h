/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's memcpy DMA engine (host/dma.c): the hardware behind the
 * guest's drivers/dma/.  A device of N channels; each channel is a queue
 * of descriptors served in order by a host thread of its own (not a guest
 * CPU: a copy by the engine costs the guest no CPU time), which copies
 * guest physical memory to guest physical memory through the host's view
 * of guest RAM (host_gpa_to_hva()), as a device without an IOMMU would.
 *
 *   guest (drivers/dma/dmaengine.c)        host channel thread
 *   host_dma_submit(dma, chan, desc) --->  pop, copy (at most
 *                                          bytes_per_sec if capped)
 *   desc->done(desc, status, residue) <--- on the channel's thread: the
 *                                          guest's interrupt handler
 *
 * Channels run in parallel, so completions of different channels come in
 * any order; one channel completes its descriptors in submission order.
 * A descriptor may carry a fault (HOST_DMA_FAULT_*, chosen by the guest's
 * fail_dma injection) that the device honours as broken hardware would.
 */
#ifndef _FOLIAGE_HOST_DMA_H
#define _FOLIAGE_HOST_DMA_H

#include <host/host.h>
#include <linux/list.h>

struct host_dma;

#define HOST_DMA_FAULT_ERROR	0x1U	/* copy nothing, report an error */
#define HOST_DMA_FAULT_HANG	0x2U	/* never complete (until a reset) */
#define HOST_DMA_FAULT_PARTIAL	0x4U	/* copy the first half, report error */

/* One memcpy descriptor.  The guest owns its memory. */
struct host_dma_desc {
	struct list_head list;		/* on its channel's queue (device's) */
	u64 src_gpa;			/* guest physical source */
	u64 dst_gpa;			/* guest physical destination */
	u64 bytes;			/* length */
	unsigned int fault;		/* HOST_DMA_FAULT_* to act out */
	/*
	 * Completion: @status 0 or -errno (-EIO, -EFAULT), @residue the
	 * bytes not copied.  On the channel's thread; must not sleep.
	 */
	void (*done)(struct host_dma_desc *d, int status, u64 residue);
};

/*
 * A device of @nr_chans channels (1..HOST_DMA_MAX_CHANS), each copying at
 * most @bytes_per_sec (0: as fast as the host can), its threads started.
 */
#define HOST_DMA_MAX_CHANS	64
int __must_check host_dma_create(struct host *host, unsigned int nr_chans,
				 u64 bytes_per_sec, struct host_dma **out);
/* Stop its threads (queued descriptors are dropped) and free it. */
void host_dma_destroy(struct host_dma *dma);
/* Queue @d on channel @chan and ring its doorbell. */
void host_dma_submit(struct host_dma *dma, unsigned int chan,
		     struct host_dma_desc *d);
/*
 * Reset channel @chan: queued and hung descriptors are dropped (never
 * completed), and the one being copied finishes, its done() included.
 * When this returns the device holds no descriptor of that channel.
 */
void host_dma_reset_chan(struct host_dma *dma, unsigned int chan);

#endif /* _FOLIAGE_HOST_DMA_H */
