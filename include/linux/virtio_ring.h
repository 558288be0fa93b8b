/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The split virtqueue as it lies in guest memory (virtio 1.x §2.7, Linux's
 * include/uapi/linux/virtio_ring.h): a descriptor table, the available
 * ring the driver writes, the used ring the device writes.  Both sides
 * read and write these bytes, the driver through the guest's direct map,
 * the device through the host's view of the same RAM; every field is
 * little-endian (foliage runs on little-endian hosts only, checked here).
 *
 * Publication order (virtio 1.x §2.7.13): the driver fills descriptors and
 * avail->ring[] and only then stores avail->idx with release semantics;
 * the device loads avail->idx with acquire semantics before reading them.
 * The same holds for used->ring[] and used->idx the other way.  Where one
 * side stores an index and then loads the other side's wish (flags or
 * event index), and the other side does the reverse, both the stores and
 * the loads are seq_cst (virtio_mb()'s store-load ordering), so at least
 * one of them sees the other: no kick and no interrupt is ever lost.  Indices
 * run freely modulo 2^16; a ring entry is idx & (num - 1).
 */
#ifndef _FOLIAGE_LINUX_VIRTIO_RING_H
#define _FOLIAGE_LINUX_VIRTIO_RING_H

#include <linux/compiler.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "virtio rings are little-endian; foliage assumes a LE host");

typedef u16 __virtio16;
typedef u32 __virtio32;
typedef u64 __virtio64;

#define VRING_DESC_F_NEXT	1	/* the chain continues in next */
#define VRING_DESC_F_WRITE	2	/* device writes (else reads) */
#define VRING_DESC_F_INDIRECT	4	/* buffer is a descriptor table */

/* Device to driver: don't kick me (driver may ignore). */
#define VRING_USED_F_NO_NOTIFY	1
/* Driver to device: don't interrupt me (device may ignore). */
#define VRING_AVAIL_F_NO_INTERRUPT 1

/* Transport feature bits of the ring. */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX	29

struct vring_desc {
	__virtio64 addr;		/* guest physical address */
	__virtio32 len;			/* bytes */
	__virtio16 flags;		/* VRING_DESC_F_* */
	__virtio16 next;		/* next descriptor if F_NEXT */
};

struct vring_avail {
	__virtio16 flags;		/* VRING_AVAIL_F_* */
	__virtio16 idx;			/* where the driver puts the next */
	__virtio16 ring[];		/* chain heads */
};

struct vring_used_elem {
	__virtio32 id;			/* head of the used chain */
	__virtio32 len;			/* bytes the device wrote */
};

struct vring_used {
	__virtio16 flags;		/* VRING_USED_F_* */
	__virtio16 idx;			/* where the device puts the next */
	struct vring_used_elem ring[];	/* used chains */
};

struct vring {
	unsigned int num;		/* entries, a power of two */
	struct vring_desc *desc;	/* descriptor table */
	struct vring_avail *avail;	/* driver area */
	struct vring_used *used;	/* device area */
};

/*
 * The legacy contiguous layout, which virtio-mmio's guest driver also uses
 * for version 2 devices: descriptors, then the available ring (with its
 * used_event slot), then at the next @align boundary the used ring (with
 * its avail_event slot).
 */
static inline void vring_init(struct vring *vr, unsigned int num, void *p,
			      unsigned long align)
{
	vr->num = num;
	vr->desc = p;
	vr->avail = (struct vring_avail *)((char *)p +
					   num * sizeof(struct vring_desc));
	vr->used = (void *)ALIGN((unsigned long)&vr->avail->ring[num] +
				 sizeof(__virtio16), align);
}

/*
 * With VIRTIO_RING_F_EVENT_IDX the driver publishes, after the available
 * ring, the used index at which it wants its next interrupt (used_event);
 * the device publishes, after the used ring, the available index at which
 * it wants its next notification (avail_event).
 */
#define vring_used_event(vr)	((vr)->avail->ring[(vr)->num])
#define vring_avail_event(vr)	(*(__virtio16 *)&(vr)->used->ring[(vr)->num])

/*
 * Whether moving an index from @old to @new_idx passed @event_idx: the
 * other side asked to hear when the index goes past event_idx.
 */
static inline bool vring_need_event(u16 event_idx, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old);
}

static inline unsigned int vring_size(unsigned int num, unsigned long align)
{
	return ALIGN(sizeof(struct vring_desc) * num +
		     sizeof(__virtio16) * (3 + num), align) +
	       sizeof(__virtio16) * 3 + sizeof(struct vring_used_elem) * num;
}

struct virtqueue;
struct virtio_device;

/*
 * drivers/virtio/virtio_ring.c, for transports: create queue @index of
 * @num entries (a power of two) in guest RAM allocated from the page
 * allocator (zeroed, physically contiguous, @align for the used ring).
 * @notify tells the device to look at the queue (false: it is gone).
 */
struct virtqueue *vring_create_virtqueue(unsigned int index,
					 unsigned int num, unsigned int align,
					 struct virtio_device *vdev,
					 bool (*notify)(struct virtqueue *),
					 void (*callback)(struct virtqueue *),
					 const char *name);
/* Free the queue and its ring pages; the device must be reset first. */
void vring_del_virtqueue(struct virtqueue *vq);
/*
 * The same; the ring's pages go back to the allocator only if @free_ring
 * (not at a shutdown that cannot run in the machine: they go with its RAM).
 */
void __vring_del_virtqueue(struct virtqueue *vq, bool free_ring);
/* Guest physical addresses of the three areas, for the transport. */
u64 virtqueue_get_desc_addr(const struct virtqueue *vq);
u64 virtqueue_get_avail_addr(const struct virtqueue *vq);
u64 virtqueue_get_used_addr(const struct virtqueue *vq);
/*
 * Clear the transport feature bits [28, 42) the ring does not implement
 * (all but VERSION_1 and EVENT_IDX); transports call it from
 * finalize_features(), as Linux's.
 */
void vring_transport_features(struct virtio_device *vdev);
/* Mark the queue broken: every later operation fails or returns nothing. */
void __virtqueue_break(struct virtqueue *vq);

#endif /* _FOLIAGE_LINUX_VIRTIO_RING_H */
