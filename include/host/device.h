/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's device model (host/device.c): what every emulated device has,
 * whatever its kind (virtio-mmio today; a DMA engine or anything else
 * later).
 *
 *   guest CPU thread              host                 device thread
 *   ----------------              ----                 -------------
 *   host_mmio_write(QueueNotify) -> ops->mmio_write -> host_device_kick()
 *                                                          |  wakes
 *                                                          v
 *                                                    ops->work(dev)
 *                                                    (reads/writes guest
 *                                                     RAM by gpa)
 *   guest irq handler  <- irq line <- host_device_raise_irq()
 *   (runs on a guest CPU, not here: see drivers/virtio/virtio_mmio.c)
 *
 * A device is a register window (ops->mmio_read/mmio_write, called on the
 * guest CPU that accesses it, as a VM exit), a thread of its own that runs
 * ops->work() whenever it is kicked, and one interrupt line the guest
 * connects a handler to.  dev->lock serialises the register window against
 * the thread: work() runs with it held, so a reset written by the guest
 * waits until the device is between two pieces of work.
 *
 * Fault injection: dev->faults holds HOST_FAULT_* bits a test (or a
 * scenario, later) sets at any time to make the host misbehave; each kind
 * of device documents which it honours.
 */
#ifndef _FOLIAGE_HOST_DEVICE_H
#define _FOLIAGE_HOST_DEVICE_H

#include <pthread.h>

#include <host/host.h>
#include <linux/list.h>

struct host_device;

/* The kinds of device, as the guest's buses enumerate them. */
enum host_bus {
	HOST_BUS_VIRTIO_MMIO,		/* a virtio-mmio register window */
	HOST_BUS_PLATFORM,		/* anything else (a DMA engine...) */
};

/* Host misbehaviour on demand (dev->faults). */
#define HOST_FAULT_DROP_IRQ	0x1U	/* raise no interrupt at all */
#define HOST_FAULT_REFUSE_FEATURES 0x2U	/* never accept FEATURES_OK */

struct host_device_ops {
	const char *name;		/* e.g. "virtio-test" */
	enum host_bus bus;		/* how the guest finds it */
	/* A guest read of @bytes (1, 2 or 4) at @offset.  Caller holds lock. */
	u32 (*mmio_read)(struct host_device *dev, u64 offset,
			 unsigned int bytes);
	/* A guest write.  Caller holds dev->lock. */
	void (*mmio_write)(struct host_device *dev, u64 offset,
			   unsigned int bytes, u32 val);
	/* On the device thread after a kick.  Caller holds dev->lock. */
	void (*work)(struct host_device *dev);
	/* Free the kind's state; the thread is already stopped. */
	void (*release)(struct host_device *dev);
};

/* The guest's interrupt handler for a device's line. */
typedef void (*host_irq_handler_t)(void *data);

struct host_device {
	struct host *host;		/* owning hypervisor */
	const struct host_device_ops *ops; /* its kind */
	int id;				/* index in the registry */
	struct list_head list;		/* on host->devices */
	pthread_mutex_t lock;		/* register window vs work() */
	pthread_cond_t wake;		/* signalled by host_device_kick() */
	pthread_t thread;		/* serves the device */
	bool thread_started;		/* thread exists (to join) */
	bool stop;			/* thread must exit; under lock */
	bool kicked;			/* work() pending; under lock */
	unsigned int faults;		/* HOST_FAULT_* (atomic) */
	host_irq_handler_t irq_handler;	/* guest's handler; under lock */
	void *irq_data;			/* its argument */
	unsigned long nr_irqs;		/* interrupts raised (atomic) */
	unsigned long nr_kicks;		/* kicks received (atomic) */
	void *priv;			/* the kind's state */
};

/*
 * Add a device to @host's registry and start its thread.  @priv is the
 * kind's state, freed by ops->release() at host_destroy().
 */
int __must_check host_device_add(struct host *host,
				 const struct host_device_ops *ops, void *priv,
				 struct host_device **out);
/* The @index-th device in the registry (the guest's enumeration), or NULL. */
struct host_device *host_device_get(struct host *host, int index);
/* Which bus the guest finds @dev on (its "device tree" entry). */
enum host_bus host_device_bus(const struct host_device *dev);

/* Guest side: access the register window (a VM exit to the host). */
u32 host_mmio_read(struct host_device *dev, u64 offset, unsigned int bytes);
void host_mmio_write(struct host_device *dev, u64 offset, unsigned int bytes,
		     u32 val);
/*
 * Guest side: connect @handler to the device's interrupt line (NULL
 * disconnects; when this returns, the handler runs no more).  The handler
 * is called on the host's thread and must only hand the interrupt to the
 * guest: no guest mm code, no sleeping.
 */
void host_device_connect_irq(struct host_device *dev,
			     host_irq_handler_t handler, void *data);

/* Device kinds: wake the device thread to run work(). */
void __host_device_kick(struct host_device *dev); /* caller holds lock */
/* Device kinds: assert the interrupt line.  Caller holds dev->lock. */
void __host_device_raise_irq(struct host_device *dev);

static inline void host_device_set_faults(struct host_device *dev,
					  unsigned int faults)
{
	__atomic_store_n(&dev->faults, faults, __ATOMIC_RELAXED);
}

static inline bool host_device_fault(struct host_device *dev,
				     unsigned int fault)
{
	return __atomic_load_n(&dev->faults, __ATOMIC_RELAXED) & fault;
}

#endif /* _FOLIAGE_HOST_DEVICE_H */
