/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of virtio on the host (host/virtio_mmio.c): a
 * virtio-mmio register window, the split rings read and written through
 * the host's view of guest RAM (as QEMU's hw/virtio/virtio.c or Linux's
 * vringh), and backends that say what a device does.
 *
 * A backend (virtio-test now; virtio-balloon later) gives the device id,
 * the features it offers, its config space size and one handler per
 * virtqueue.  A handler runs on the device's thread, with the device lock
 * held, after the guest notified that queue: it pops available chains
 * (host_vq_pop()), works on their guest memory, pushes them used with the
 * number of bytes written (host_vq_push(), any order), and interrupts the
 * guest (host_vq_notify()).  A guest reset (status 0) waits for a running
 * handler to return and forgets every popped-but-unpushed chain.
 *
 * Fault injection (dev->faults): HOST_FAULT_REFUSE_FEATURES makes the
 * device clear FEATURES_OK, HOST_FAULT_DROP_IRQ loses interrupts.
 */
#ifndef _FOLIAGE_HOST_VIRTIO_H
#define _FOLIAGE_HOST_VIRTIO_H

#include <sys/uio.h>

#include <host/device.h>
#include <linux/virtio_ring.h>

#define HOST_VIRTIO_MAX_QUEUES	8
#define HOST_VQ_MAX_SG		64	/* descriptors per chain we accept */

struct host_virtio_device;

/* One popped chain: what the device may read, then what it may write. */
struct host_vq_elem {
	unsigned int head;		/* descriptor index, for the used ring */
	unsigned int out_num;		/* readable pieces */
	unsigned int in_num;		/* writable pieces */
	size_t out_bytes;		/* their total lengths */
	size_t in_bytes;
	struct iovec out[HOST_VQ_MAX_SG]; /* host view addresses */
	struct iovec in[HOST_VQ_MAX_SG];
};

/* One virtqueue as the device sees it. */
struct host_vq {
	unsigned int index;		/* queue number */
	u16 num_max;			/* QueueNumMax */
	u16 num;			/* QueueNum the driver chose */
	bool ready;			/* QueueReady */
	u64 desc_gpa;			/* QueueDesc */
	u64 avail_gpa;			/* QueueDriver */
	u64 used_gpa;			/* QueueDevice */
	struct vring_desc *desc;	/* host view of them, once ready */
	struct vring_avail *avail;
	struct vring_used *used;
	u16 last_avail_idx;		/* next available entry to pop */
	u16 used_idx;			/* next used entry to fill */
	bool notified;			/* guest kicked, handler not yet run */
	bool signalled_used_valid;	/* signalled_used means something */
	u16 signalled_used;		/* used_idx at the last interrupt */
	unsigned long nr_notifies;	/* QueueNotify writes */
};

typedef void (*host_vq_handler_t)(struct host_virtio_device *vdev,
				  struct host_vq *vq);

struct host_virtio_backend {
	const char *name;		/* device name */
	u32 device_id;			/* VIRTIO_ID_* */
	u32 vendor_id;			/* VendorID register */
	u64 features;			/* what the device offers */
	unsigned int nr_queues;		/* virtqueues */
	u16 queue_num_max;		/* QueueNumMax of each */
	unsigned int config_bytes;	/* config space size */
	host_vq_handler_t queue_handler[HOST_VIRTIO_MAX_QUEUES]; /* per vq */
	/* Whether the driver's @features are acceptable (FEATURES_OK). */
	bool (*validate_features)(struct host_virtio_device *vdev,
				  u64 features);
	/* The guest reset the device.  Caller holds the device lock. */
	void (*reset)(struct host_virtio_device *vdev);
	/* After a guest config read at @offset.  Caller holds the lock. */
	void (*config_read)(struct host_virtio_device *vdev,
			    unsigned int offset);
	/* After a guest config write.  Caller holds the device lock. */
	void (*config_write)(struct host_virtio_device *vdev,
			     unsigned int offset, unsigned int bytes);
	/* Free the backend's state (priv). */
	void (*release)(struct host_virtio_device *vdev);
};

struct host_virtio_device {
	struct host_device *dev;	/* the generic device */
	const struct host_virtio_backend *be; /* what it is */
	void *priv;			/* the backend's state */
	u32 status;			/* Status register */
	u32 status_seen;		/* every status bit ever written */
	u64 driver_features;		/* DriverFeatures, both halves */
	u32 dev_features_sel;		/* DeviceFeaturesSel */
	u32 drv_features_sel;		/* DriverFeaturesSel */
	u32 queue_sel;			/* QueueSel */
	u32 isr;			/* InterruptStatus */
	u32 config_generation;		/* ConfigGeneration */
	unsigned long nr_resets;	/* status-0 writes */
	u8 *config;			/* config space, little-endian */
	struct host_vq vqs[HOST_VIRTIO_MAX_QUEUES]; /* its queues */
};

/* Create a virtio-mmio device with @be on @host; it starts in reset. */
int __must_check host_virtio_device_add(struct host *host,
					const struct host_virtio_backend *be,
					void *priv,
					struct host_virtio_device **out);

/*
 * Handlers (caller holds the device lock): 1 and *@elem filled, 0 when the
 * queue is empty, -EIO when the guest broke the ring (the device then sets
 * NEEDS_RESET and tells the guest).
 */
int host_vq_pop(struct host_virtio_device *vdev, struct host_vq *vq,
		struct host_vq_elem *elem);
/* Return @elem to the guest with @len bytes written (its used_len). */
void host_vq_push(struct host_vq *vq, const struct host_vq_elem *elem,
		  u32 len);
/* Interrupt the guest for @vq unless it asked not to be. */
void host_vq_notify(struct host_virtio_device *vdev, struct host_vq *vq);
/* Copy out of / into an element's pieces; return the bytes copied. */
size_t host_vq_elem_read(const struct host_vq_elem *elem, void *buf,
			 size_t bytes);
size_t host_vq_elem_write(const struct host_vq_elem *elem, size_t offset,
			  const void *buf, size_t bytes);

/*
 * The VMM changes the device's config space (e.g. a new balloon target):
 * bytes change, the generation moves, the guest gets a config interrupt.
 * Takes the device lock; __ variant: caller holds it.
 */
void host_virtio_config_change(struct host_virtio_device *vdev,
			       unsigned int offset, const void *buf,
			       unsigned int bytes);
void __host_virtio_config_change(struct host_virtio_device *vdev,
				 unsigned int offset, const void *buf,
				 unsigned int bytes);

static inline void host_virtio_lock(struct host_virtio_device *vdev)
{
	pthread_mutex_lock(&vdev->dev->lock);
}

static inline void host_virtio_unlock(struct host_virtio_device *vdev)
{
	pthread_mutex_unlock(&vdev->dev->lock);
}

/*
 * A backend gives up (virtio 1.x §2.1.2): NEEDS_RESET in the status and a
 * config interrupt.  Caller holds the device lock.
 */
void __host_virtio_device_error(struct host_virtio_device *vdev);

/* Wake the device thread as a notification of queue @index would. */
void host_virtio_kick_queue(struct host_virtio_device *vdev,
			    unsigned int index);

#endif /* _FOLIAGE_HOST_VIRTIO_H */
