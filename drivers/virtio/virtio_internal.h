/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's virtio bus, one per machine (drivers/virtio/virtio.c), and
 * the one place where a device interrupt reaches a guest CPU.
 */
#ifndef _FOLIAGE_VIRTIO_INTERNAL_H
#define _FOLIAGE_VIRTIO_INTERNAL_H

#include <pthread.h>

#include <linux/machine.h>
#include <linux/virtio.h>

/*
 * An interrupt source: a device's line as the guest sees it.  The host
 * raises it from its own thread with virtio_irq_raise(); the handler then
 * runs on a guest CPU.
 */
struct virtio_irq {
	struct list_head pending;	/* on bus->irq_pending while raised */
	void (*handler)(struct virtio_irq *irq); /* on a guest CPU */
	unsigned long nr_delivered;	/* handler runs */
};

struct virtio_bus {
	pthread_mutex_t lock;		/* protects drivers, devices, next_index */
	struct list_head drivers;	/* registered virtio_drivers */
	struct list_head devices;	/* registered virtio_devices */
	int next_index;			/* virtioN of the next device */
	/* Interrupt delivery (virtio_irq_raise()). */
	pthread_mutex_t irq_lock;	/* protects irq_pending, irq_stop */
	pthread_cond_t irq_wake;	/* signalled when one is raised */
	struct list_head irq_pending;	/* raised virtio_irqs */
	bool irq_stop;			/* the irq thread must exit */
	pthread_mutex_t irq_sync;	/* held while handlers run */
	pthread_t irq_thread;		/* the guest CPU that runs them */
	bool irq_thread_started;	/* irq_thread exists */
	int irq_thread_err;		/* its machine_enter() result */
	pthread_mutex_t irq_start_lock;	/* serialises starting it */
};

/*
 * Hand a raised interrupt to the guest.  Safe on any thread (the host's
 * device threads call it); it runs no guest mm code and never sleeps
 * beyond a short mutex.
 */
void virtio_irq_raise(struct virtio_bus *bus, struct virtio_irq *irq);
/* Make sure interrupts can be delivered: 0 or an errno (e.g. -EBUSY). */
int __must_check virtio_irq_start(struct virtio_bus *bus);
/* Wait until @irq's handler is not running and will not run. */
void virtio_irq_sync(struct virtio_bus *bus, struct virtio_irq *irq);

/* virtio_mmio.c: unregister and free every device (machine shutdown). */
void virtio_mmio_remove_all(struct foliage_machine *m);

static inline struct virtio_bus *machine_virtio_bus(void)
{
	return this_machine->virtio;
}

#endif /* _FOLIAGE_VIRTIO_INTERNAL_H */
