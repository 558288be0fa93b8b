// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues, the driver's side (virtio 1.x §2.7; Linux's
 * drivers/virtio/virtio_ring.c).  See include/linux/virtio.h for what is
 * implemented and include/linux/virtio_ring.h for the memory layout and
 * its publication order.
 *
 * Descriptor bookkeeping.  Free descriptors form a chain through
 * desc_extra[].next starting at free_head, held in the driver's private
 * memory: the device can write the ring but not the free list.  A buffer
 * takes one descriptor per scatterlist entry; desc_state[head] keeps the
 * caller's token and the chain's length until the device returns the
 * head in the used ring.
 *
 *   free_head -> 3 -> 4 -> 5 -> ... -> (num - 1) -> 0 (after recycling)
 *   desc_state[0] = { token A, 3 }   desc 0 -> 1 -> 2  (a 3-piece buffer)
 */
#include <stdlib.h>

#include <linux/gfp.h>
#include <linux/machine.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/* The driver's private copy of one descriptor. */
struct vring_desc_extra {
	u64 addr;			/* guest physical address */
	u32 len;			/* bytes */
	u16 flags;			/* VRING_DESC_F_* as written */
	u16 next;			/* next in chain, or on the free list */
};

/* What the driver remembers about an outstanding buffer. */
struct vring_desc_state {
	void *data;			/* caller's token; NULL when free */
	unsigned int num;		/* descriptors in its chain */
};

struct vring_virtqueue {
	struct virtqueue vq;		/* the public part */
	struct vring vring;		/* the rings in guest RAM */
	struct page *pages;		/* where they are */
	unsigned int order;		/* allocation order of pages */
	bool broken;			/* no more use (atomic) */
	bool event;			/* VIRTIO_RING_F_EVENT_IDX negotiated */
	unsigned int free_head;		/* first free descriptor */
	unsigned int num_added;		/* added since the last kick */
	u16 last_used_idx;		/* next used entry to read */
	u16 avail_idx_shadow;		/* avail->idx as last written */
	u16 avail_flags_shadow;		/* avail->flags as last written */
	bool (*notify)(struct virtqueue *vq); /* kick the device */
	struct vring_desc_state *desc_state; /* per head */
	struct vring_desc_extra *desc_extra; /* per descriptor */
};

#define to_vvq(_vq)	container_of(_vq, struct vring_virtqueue, vq)

/* A device broke the protocol: say so (debug builds) and stop the queue. */
#define BAD_RING(vq, fmt, ...) do {					\
	report_bug("virtio %s: " fmt, (vq)->vq.name, ##__VA_ARGS__);	\
	WRITE_ONCE((vq)->broken, true);					\
} while (0)

/* The smallest order of pages holding @bytes. */
static unsigned int bytes_to_order(unsigned long bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static bool vq_broken(const struct vring_virtqueue *vq)
{
	return __atomic_load_n(&vq->broken, __ATOMIC_ACQUIRE);
}

u64 virtqueue_get_desc_addr(const struct virtqueue *_vq)
{
	const struct vring_virtqueue *vq = to_vvq(_vq);

	return (u64)page_to_pfn(vq->pages) << PAGE_SHIFT;
}

u64 virtqueue_get_avail_addr(const struct virtqueue *_vq)
{
	const struct vring_virtqueue *vq = to_vvq(_vq);

	return virtqueue_get_desc_addr(_vq) +
	       ((char *)vq->vring.avail - (char *)vq->vring.desc);
}

u64 virtqueue_get_used_addr(const struct virtqueue *_vq)
{
	const struct vring_virtqueue *vq = to_vvq(_vq);

	return virtqueue_get_desc_addr(_vq) +
	       ((char *)vq->vring.used - (char *)vq->vring.desc);
}

struct virtqueue *vring_create_virtqueue(unsigned int index,
					 unsigned int num, unsigned int align,
					 struct virtio_device *vdev,
					 bool (*notify)(struct virtqueue *),
					 void (*callback)(struct virtqueue *),
					 const char *name)
{
	struct vring_virtqueue *vq;
	unsigned int i, order;

	if (!num || (num & (num - 1)) || num > 32768)
		return NULL;
	vq = calloc(1, sizeof(*vq));
	if (!vq)
		return NULL;
	vq->desc_state = calloc(num, sizeof(*vq->desc_state));
	vq->desc_extra = calloc(num, sizeof(*vq->desc_extra));
	if (!vq->desc_state || !vq->desc_extra)
		goto out_free;
	order = bytes_to_order(vring_size(num, align));
	vq->pages = __alloc_pages(GFP_KERNEL | __GFP_ZERO, order,
				  numa_node_id());
	if (!vq->pages)
		goto out_free;
	vq->order = order;
	vring_init(&vq->vring, num, page_address(vq->pages), align);
	vq->vq.callback = callback;
	vq->vq.name = name;
	vq->vq.vdev = vdev;
	vq->vq.index = index;
	vq->vq.num_free = num;
	vq->vq.num_max = num;
	vq->notify = notify;
	vq->event = __virtio_test_bit(vdev, VIRTIO_RING_F_EVENT_IDX);
	/* No callback: the driver polls, so ask for no interrupts. */
	if (!callback) {
		vq->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)
			WRITE_ONCE(vq->vring.avail->flags,
				   vq->avail_flags_shadow);
	}
	for (i = 0; i < num - 1; i++)
		vq->desc_extra[i].next = i + 1;
	list_add_tail(&vq->vq.list, &vdev->vqs);
	return &vq->vq;

out_free:
	free(vq->desc_state);
	free(vq->desc_extra);
	free(vq);
	return NULL;
}

void __vring_del_virtqueue(struct virtqueue *_vq, bool free_ring)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	list_del(&_vq->list);
	if (free_ring)
		__free_pages(vq->pages, vq->order);
	free(vq->desc_state);
	free(vq->desc_extra);
	free(vq);
}

void vring_del_virtqueue(struct virtqueue *vq)
{
	__vring_del_virtqueue(vq, true);
}

/* Write descriptor @i (ring and private copy); returns the next one. */
static unsigned int vring_write_desc(struct vring_virtqueue *vq,
				     unsigned int i, u64 addr, u32 len,
				     u16 flags)
{
	struct vring_desc *desc = &vq->vring.desc[i];
	struct vring_desc_extra *extra = &vq->desc_extra[i];

	desc->addr = addr;
	desc->len = len;
	desc->flags = flags;
	desc->next = extra->next;
	extra->addr = addr;
	extra->len = len;
	extra->flags = flags;
	return extra->next;
}

static int virtqueue_add(struct virtqueue *_vq, struct scatterlist *sgs[],
			 unsigned int total_sg, unsigned int out_sgs,
			 unsigned int in_sgs, void *data)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	unsigned int n, i, head, prev = 0, avail;
	struct scatterlist *sg;

	if (!data)
		return -EINVAL;
	if (vq_broken(vq))
		return -EIO;
	if (!total_sg)
		return -EINVAL;
	if (vq->vq.num_free < total_sg) {
		/*
		 * As Linux: a full queue with outgoing data kicks the device,
		 * in case it was waiting for a notification to drain it.
		 */
		if (out_sgs)
			vq->notify(&vq->vq);
		return -ENOSPC;
	}

	head = i = vq->free_head;
	for (n = 0; n < out_sgs + in_sgs; n++) {
		u16 flags = VRING_DESC_F_NEXT |
			    (n >= out_sgs ? VRING_DESC_F_WRITE : 0);

		for (sg = sgs[n]; sg; sg = sg_next(sg)) {
			prev = i;
			i = vring_write_desc(vq, i, sg_phys(sg), sg->length,
					     flags);
		}
	}
	/* The last descriptor ends the chain. */
	vq->vring.desc[prev].flags &= ~VRING_DESC_F_NEXT;
	vq->desc_extra[prev].flags &= ~VRING_DESC_F_NEXT;

	vq->vq.num_free -= total_sg;
	vq->free_head = i;
	vq->desc_state[head].data = data;
	vq->desc_state[head].num = total_sg;

	/*
	 * Descriptors and ring entry before the index; seq_cst, so that
	 * kick_prepare()'s later load of what the device wants is not
	 * ordered before it (virtio_mb()).
	 */
	avail = vq->avail_idx_shadow & (vq->vring.num - 1);
	vq->vring.avail->ring[avail] = head;
	vq->avail_idx_shadow++;
	__atomic_store_n(&vq->vring.avail->idx, vq->avail_idx_shadow,
			 __ATOMIC_SEQ_CST);
	vq->num_added++;
	/* The device could not tell 2^16 additions from none: kick now. */
	if (unlikely(vq->num_added == (1 << 16) - 1))
		virtqueue_kick(_vq);
	return 0;
}

static unsigned int count_sgs(struct scatterlist *sg)
{
	unsigned int n = 0;

	for (; sg; sg = sg_next(sg))
		n++;
	return n;
}

int virtqueue_add_sgs(struct virtqueue *vq, struct scatterlist *sgs[],
		      unsigned int out_sgs, unsigned int in_sgs, void *data,
		      gfp_t gfp)
{
	unsigned int i, total_sg = 0;

	for (i = 0; i < out_sgs + in_sgs; i++)
		total_sg += count_sgs(sgs[i]);
	return virtqueue_add(vq, sgs, total_sg, out_sgs, in_sgs, data);
}

int virtqueue_add_outbuf(struct virtqueue *vq, struct scatterlist sg[],
			 unsigned int num, void *data, gfp_t gfp)
{
	struct scatterlist *sgs[1] = { sg };

	(void)num;
	return virtqueue_add(vq, sgs, count_sgs(sg), 1, 0, data);
}

int virtqueue_add_inbuf(struct virtqueue *vq, struct scatterlist sg[],
			unsigned int num, void *data, gfp_t gfp)
{
	struct scatterlist *sgs[1] = { sg };

	(void)num;
	return virtqueue_add(vq, sgs, count_sgs(sg), 0, 1, data);
}

bool virtqueue_kick_prepare(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	u16 new, old, flags;

	/*
	 * avail->idx (a seq_cst store) is visible before these seq_cst
	 * loads of what the device wants: the device, which stores its
	 * wish and then loads avail->idx the same way, cannot miss both.
	 */
	old = vq->avail_idx_shadow - vq->num_added;
	new = vq->avail_idx_shadow;
	vq->num_added = 0;
	if (vq->event)
		return vring_need_event(
			__atomic_load_n(&vring_avail_event(&vq->vring),
					__ATOMIC_SEQ_CST), new, old);
	flags = __atomic_load_n(&vq->vring.used->flags, __ATOMIC_SEQ_CST);
	return !(flags & VRING_USED_F_NO_NOTIFY);
}

bool virtqueue_notify(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq_broken(vq))
		return false;
	if (!vq->notify(_vq)) {
		WRITE_ONCE(vq->broken, true);
		return false;
	}
	return true;
}

bool virtqueue_kick(struct virtqueue *vq)
{
	if (virtqueue_kick_prepare(vq))
		return virtqueue_notify(vq);
	return true;
}

static bool more_used(const struct vring_virtqueue *vq)
{
	/* seq_cst: after our used_event/flags stores, against the device's. */
	return vq->last_used_idx !=
	       __atomic_load_n(&vq->vring.used->idx, __ATOMIC_SEQ_CST);
}

/* Put the chain starting at @head back on the free list. */
static void detach_buf(struct vring_virtqueue *vq, unsigned int head)
{
	struct vring_desc_state *state = &vq->desc_state[head];
	unsigned int i = head, n;

	for (n = 1; n < state->num; n++)
		i = vq->desc_extra[i].next;
	vq->desc_extra[i].next = vq->free_head;
	vq->free_head = head;
	vq->vq.num_free += state->num;
	state->data = NULL;
	state->num = 0;
}

void *virtqueue_get_buf_ctx(struct virtqueue *_vq, unsigned int *len,
			    void **ctx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	struct vring_used_elem *elem;
	void *ret;
	u32 id;

	if (ctx)
		*ctx = NULL;
	if (vq_broken(vq) || !more_used(vq))
		return NULL;
	/* more_used()'s acquire orders these reads after used->idx. */
	elem = &vq->vring.used->ring[vq->last_used_idx &
				     (vq->vring.num - 1)];
	id = READ_ONCE(elem->id);
	*len = READ_ONCE(elem->len);
	if (unlikely(id >= vq->vring.num)) {
		BAD_RING(vq, "id %u out of range", id);
		return NULL;
	}
	if (unlikely(!vq->desc_state[id].data)) {
		BAD_RING(vq, "id %u is not a head", id);
		return NULL;
	}
	ret = vq->desc_state[id].data;
	detach_buf(vq, id);
	vq->last_used_idx++;
	/*
	 * Ask for an interrupt at the next used entry; the store must be
	 * visible before we next look at used->idx (virtio_store_mb()).
	 */
	if (vq->event && !(vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT))
		__atomic_store_n(&vring_used_event(&vq->vring),
				 vq->last_used_idx, __ATOMIC_SEQ_CST);
	return ret;
}

void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len)
{
	return virtqueue_get_buf_ctx(vq, len, NULL);
}

void virtqueue_disable_cb(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (!(vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)) {
		vq->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
		/*
		 * With the event index there is no flag to set: as Linux,
		 * move used_event out of the way (a hint, not a promise).
		 */
		if (vq->event)
			WRITE_ONCE(vring_used_event(&vq->vring), 0);
		else
			WRITE_ONCE(vq->vring.avail->flags,
				   vq->avail_flags_shadow);
	}
}

unsigned int virtqueue_enable_cb_prepare(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) {
		vq->avail_flags_shadow &= ~VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)
			__atomic_store_n(&vq->vring.avail->flags,
					 vq->avail_flags_shadow,
					 __ATOMIC_SEQ_CST);
	}
	/* Interrupt me at the next used entry. */
	__atomic_store_n(&vring_used_event(&vq->vring), vq->last_used_idx,
			 __ATOMIC_SEQ_CST);
	return vq->last_used_idx;
}

bool virtqueue_poll(struct virtqueue *_vq, unsigned int last_used_idx)
{
	struct vring_virtqueue *vq = to_vvq(_vq);

	if (vq_broken(vq))
		return false;
	/* After enable_cb_prepare()'s seq_cst store, as virtio_mb(). */
	return (u16)last_used_idx !=
	       __atomic_load_n(&vq->vring.used->idx, __ATOMIC_SEQ_CST);
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	unsigned int last = virtqueue_enable_cb_prepare(vq);

	return !virtqueue_poll(vq, last);
}

void *virtqueue_detach_unused_buf(struct virtqueue *_vq)
{
	struct vring_virtqueue *vq = to_vvq(_vq);
	unsigned int i;
	void *buf;

	for (i = 0; i < vq->vring.num; i++) {
		if (!vq->desc_state[i].data)
			continue;
		buf = vq->desc_state[i].data;
		detach_buf(vq, i);
		/* Take it back out of the available ring, as Linux. */
		vq->avail_idx_shadow--;
		__atomic_store_n(&vq->vring.avail->idx, vq->avail_idx_shadow,
				 __ATOMIC_RELEASE);
		return buf;
	}
	return NULL;
}

void vring_transport_features(struct virtio_device *vdev)
{
	unsigned int i;

	for (i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++)
		switch (i) {
		case VIRTIO_RING_F_EVENT_IDX:
		case VIRTIO_F_VERSION_1:
			break;
		default:
			/* Indirect descriptors and the rest: not here. */
			__virtio_clear_bit(vdev, i);
		}
}

irqreturn_t vring_interrupt(int irq, void *_vq)
{
	struct vring_virtqueue *vq = to_vvq((struct virtqueue *)_vq);

	(void)irq;
	if (!more_used(vq))
		return IRQ_NONE;
	if (vq_broken(vq))
		return IRQ_HANDLED;
	if (vq->vq.callback)
		vq->vq.callback(&vq->vq);
	return IRQ_HANDLED;
}

unsigned int virtqueue_get_vring_size(const struct virtqueue *vq)
{
	return to_vvq(vq)->vring.num;
}

bool virtqueue_is_broken(const struct virtqueue *vq)
{
	return vq_broken(to_vvq(vq));
}

void __virtqueue_break(struct virtqueue *vq)
{
	__atomic_store_n(&to_vvq(vq)->broken, true, __ATOMIC_RELEASE);
}
