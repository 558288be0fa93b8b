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
#include <linux/workqueue.h>

/*
 * An interrupt source: a device's line as the guest sees it.  The host
 * raises it from its own thread (or from a register access on a guest
 * CPU) with virtio_irq_raise(); the handler then runs as a work item on
 * the kworker of the CPU the line is routed to, holding that CPU, one run
 * at a time, as a hardirq handler runs on the CPU that took the interrupt.
 */
struct virtio_irq {
	struct work_struct work;	/* queued on @cpu's pool when raised */
	struct work_struct online;	/* starts @cpu's kworker at probe */
	void (*handler)(struct virtio_irq *irq); /* on guest CPU @cpu */
	int cpu;			/* the CPU the line is routed to */
	unsigned long nr_delivered;	/* handler runs (only the handler's CPU writes) */
};

struct virtio_bus {
	struct foliage_machine *machine; /* the machine it belongs to */
	pthread_mutex_t lock;		/* protects drivers, devices, next_index */
	struct list_head drivers;	/* registered virtio_drivers */
	struct list_head devices;	/* registered virtio_devices */
	int next_index;			/* virtioN of the next device */
};

/* Route @irq to CPU 0 with @handler; nothing is delivered yet. */
void virtio_irq_init(struct virtio_irq *irq,
		     void (*handler)(struct virtio_irq *irq));
/*
 * Make sure @irq can be delivered (its CPU's kworker runs): 0 or an errno.
 * Called on a guest CPU before the line is connected, so that raising it
 * later never has to start a thread.
 */
int __must_check virtio_irq_start(struct virtio_bus *bus,
				  struct virtio_irq *irq);
/*
 * Hand a raised interrupt to the guest.  Safe on any thread (the host's
 * device threads call it, with the device's lock held); it runs no guest
 * mm code and never sleeps beyond the workqueue's short mutex.  Raising a
 * line whose handler is already queued does nothing (a level-triggered
 * line stays raised until handled).
 */
void virtio_irq_raise(struct virtio_bus *bus, struct virtio_irq *irq);
/*
 * Wait until @irq's handler is not running and will not run for what was
 * raised so far (free_irq()): a queued run is dropped, a running one
 * finishes.  Sleeps, giving the caller's CPU up; never call it from the
 * handler.
 */
void virtio_irq_sync(struct virtio_bus *bus, struct virtio_irq *irq);

/*
 * virtio_mmio.c: unregister and free every device (machine shutdown).
 * Drivers' remove() runs only if the caller @running in the machine.
 */
void virtio_mmio_remove_all(struct foliage_machine *m, bool running);

static inline struct virtio_bus *machine_virtio_bus(void)
{
	return this_machine->virtio;
}

#endif /* _FOLIAGE_VIRTIO_INTERNAL_H */
