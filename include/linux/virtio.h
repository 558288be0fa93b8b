/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's virtio core (drivers/virtio/virtio.c) and split virtqueues
 * (drivers/virtio/virtio_ring.c), with Linux's names and semantics.
 *
 * A struct virtio_device is what a transport (virtio_mmio.c) found on the
 * host; a struct virtio_driver claims devices whose id is in its id_table.
 * Probing negotiates features as Linux's virtio_dev_probe(): the device's
 * offer masked by the driver's feature_table (the transport bits masked by
 * what the ring implements), finalized, then the driver's validate() (and
 * finalized again if it changed them); it sets FEATURES_OK and reads it
 * back, calls probe() and sets DRIVER_OK.
 *
 * A virtqueue is used as in Linux: the caller serialises add/kick/get_buf
 * on one queue with its own lock (the callback may run concurrently on
 * another guest CPU, so drivers take that lock there too).  Buffers are
 * guest RAM given as scatterlists; @data is the caller's token, returned
 * by virtqueue_get_buf() with the bytes the device wrote (used_len).
 *
 * What the ring implements: the split layout, free-descriptor chaining
 * with the driver's private copy of every chain (desc_extra, so a device
 * cannot corrupt the free list), notification suppression by the event
 * index (VIRTIO_RING_F_EVENT_IDX, when negotiated) or else by the
 * VRING_AVAIL_F_NO_INTERRUPT / VRING_USED_F_NO_NOTIFY flags.  Not
 * implemented (never negotiated): indirect descriptors
 * (VIRTIO_RING_F_INDIRECT_DESC), packed rings, in-order (docs/virtio.md).
 */
#ifndef _FOLIAGE_LINUX_VIRTIO_H
#define _FOLIAGE_LINUX_VIRTIO_H

#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>

struct virtio_device;
struct virtio_config_ops;

struct virtqueue {
	struct list_head list;		/* on vdev->vqs */
	void (*callback)(struct virtqueue *vq); /* used-buffer interrupt */
	const char *name;		/* for debugging */
	struct virtio_device *vdev;	/* owner */
	unsigned int index;		/* queue number on the device */
	unsigned int num_free;		/* free descriptors */
	unsigned int num_max;		/* ring size */
	void *priv;			/* the driver's */
};

int __must_check virtqueue_add_outbuf(struct virtqueue *vq,
				      struct scatterlist sg[],
				      unsigned int num, void *data, gfp_t gfp);
int __must_check virtqueue_add_inbuf(struct virtqueue *vq,
				     struct scatterlist sg[], unsigned int num,
				     void *data, gfp_t gfp);
/* @sgs: @out_sgs lists the device reads, then @in_sgs it writes. */
int __must_check virtqueue_add_sgs(struct virtqueue *vq,
				   struct scatterlist *sgs[],
				   unsigned int out_sgs, unsigned int in_sgs,
				   void *data, gfp_t gfp);
bool virtqueue_kick(struct virtqueue *vq);
bool virtqueue_kick_prepare(struct virtqueue *vq);
bool virtqueue_notify(struct virtqueue *vq);
void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len);
void *virtqueue_get_buf_ctx(struct virtqueue *vq, unsigned int *len,
			    void **ctx);
void virtqueue_disable_cb(struct virtqueue *vq);
bool virtqueue_enable_cb(struct virtqueue *vq);
unsigned int virtqueue_enable_cb_prepare(struct virtqueue *vq);
bool virtqueue_poll(struct virtqueue *vq, unsigned int last_used_idx);
void *virtqueue_detach_unused_buf(struct virtqueue *vq);
unsigned int virtqueue_get_vring_size(const struct virtqueue *vq);
bool virtqueue_is_broken(const struct virtqueue *vq);

/* Interrupt return values, as Linux's irqreturn_t. */
typedef enum irqreturn {
	IRQ_NONE = 0,			/* not ours */
	IRQ_HANDLED = 1,		/* handled */
} irqreturn_t;

/* The used-buffer interrupt for one queue: runs its callback. */
irqreturn_t vring_interrupt(int irq, void *vq);

struct virtio_device_id {
	u32 device;			/* VIRTIO_ID_* */
	u32 vendor;			/* or VIRTIO_DEV_ANY_ID */
};
#define VIRTIO_DEV_ANY_ID	0xffffffff

struct virtio_device {
	int index;			/* virtioN */
	bool failed;			/* probe failed: FAILED set */
	bool config_core_enabled;	/* core lets config changes through */
	bool config_driver_disabled;	/* the driver blocked them */
	bool config_change_pending;	/* one came while blocked */
	spinlock_t config_lock;		/* protects the three above */
	struct virtio_device_id id;	/* what the device is */
	const struct virtio_config_ops *config; /* the transport */
	struct list_head vqs;		/* its virtqueues */
	u64 features;			/* negotiated feature bits */
	void *priv;			/* the driver's */
	struct virtio_driver *driver;	/* bound driver, or NULL */
	struct foliage_machine *machine; /* the guest it is in */
	struct list_head bus_list;	/* on the machine's virtio bus */
	unsigned long nr_config_changes; /* config interrupts delivered */
};

struct virtio_driver {
	const char *name;		/* driver name */
	const struct virtio_device_id *id_table; /* ends with device 0 */
	const unsigned int *feature_table; /* feature bits it knows */
	unsigned int feature_table_size; /* entries in it */
	/* Adjust dev->features before FEATURES_OK; an error fails probe. */
	int (*validate)(struct virtio_device *dev);
	int (*probe)(struct virtio_device *dev);
	void (*remove)(struct virtio_device *dev);
	/* The device's config space changed (on a guest CPU). */
	void (*config_changed)(struct virtio_device *dev);
	struct list_head list;		/* on the machine's virtio bus */
};

/*
 * Register @drv on the calling thread's machine: it is offered every
 * device there now and later.
 */
int __must_check register_virtio_driver(struct virtio_driver *drv);
void unregister_virtio_driver(struct virtio_driver *drv);
/* Transports: add a device to the machine's bus (probes a driver). */
int __must_check register_virtio_device(struct virtio_device *dev);
void unregister_virtio_device(struct virtio_device *dev);
/*
 * Offer every device whose probe failed to the drivers again, each from
 * a reset (as binding a driver through sysfs does); the number bound.
 */
int virtio_reprobe_failed(void);
/* Transports: the device's config space changed (interrupt context). */
void virtio_config_changed(struct virtio_device *dev);
/* Drivers: block or let through config_changed() calls. */
void virtio_config_driver_disable(struct virtio_device *dev);
void virtio_config_driver_enable(struct virtio_device *dev);
/* Something went wrong: every queue of @dev stops working. */
void virtio_break_device(struct virtio_device *dev);
/* Status DRIVER_OK: the driver may use the queues from now on. */
void virtio_device_ready(struct virtio_device *dev);
void virtio_reset_device(struct virtio_device *dev);
/* The N-th device on the calling thread's machine's virtio bus. */
struct virtio_device *virtio_find_device(int index);

/*
 * The machine's side: the bus is created at boot and torn down at
 * shutdown (every bound driver's remove() runs then).
 */
int __must_check virtio_bus_init(struct foliage_machine *m);
void virtio_bus_exit(struct foliage_machine *m, bool running);
/*
 * drivers/virtio/virtio_mmio.c: find the host's virtio-mmio devices not
 * yet known to the guest, as a boot-time scan or a hotplug would, and
 * register them (drivers probe them).  The number found, or an errno.
 */
int virtio_mmio_scan(void);

#endif /* _FOLIAGE_LINUX_VIRTIO_H */
