/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the virtio test device (host/virtio_test.c; the device
 * is described in include/linux/virtio_test.h), with knobs a test uses to
 * make the host slow or odd.
 */
#ifndef _FOLIAGE_HOST_VIRTIO_TEST_H
#define _FOLIAGE_HOST_VIRTIO_TEST_H

#include <host/virtio.h>

/* What the device did so far (all only grow, except nr_held). */
struct virtio_test_stats {
	unsigned long nr_popped;	/* chains taken from the avail ring */
	unsigned long nr_completed;	/* chains pushed to the used ring */
	unsigned int nr_held;		/* popped, not completed yet */
	unsigned long nr_config_reads;	/* guest config-space reads */
	unsigned long nr_notifies;	/* QueueNotify writes seen */
	unsigned long nr_irqs;		/* interrupts raised */
	unsigned long nr_resets;	/* device resets */
	u64 driver_features;		/* what the driver wrote */
	u32 status;			/* Status register */
	u32 status_seen;		/* every status bit ever written */
};

/* A test device offering @features, with queues of @queue_num_max. */
int __must_check virtio_test_device_add(struct host *host, u64 features,
					u16 queue_num_max,
					struct host_virtio_device **out);
/* While held, the device takes nothing from its queue; release kicks it. */
void virtio_test_set_hold(struct host_virtio_device *vdev, bool hold);
/*
 * The next @nr_reads config reads of config.counter's low half see the
 * host change config.counter to @value right after them (a config update
 * racing the guest's read).
 */
void virtio_test_flip_counter(struct host_virtio_device *vdev,
			      unsigned int nr_reads, u64 value);
void virtio_test_stats(struct host_virtio_device *vdev,
		       struct virtio_test_stats *st);

#endif /* _FOLIAGE_HOST_VIRTIO_TEST_H */
