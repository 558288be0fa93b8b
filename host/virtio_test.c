// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the virtio test device: checksums and echoes buffers,
 * possibly out of order.  See include/linux/virtio_test.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <host/virtio_test.h>
#include <linux/virtio_config.h>
#include <linux/virtio_test.h>

struct virtio_test_host {
	bool hold;			/* take nothing from the queue */
	struct host_vq_elem *held;	/* popped, not yet pushed */
	unsigned int nr_held;		/* entries of held[] in use */
	unsigned int max_held;		/* its size: the queue size */
	unsigned long nr_popped;	/* chains popped */
	unsigned long nr_completed;	/* chains pushed */
	unsigned long nr_config_reads;	/* guest config reads */
	unsigned int flip_reads;	/* reads left that see a flip */
	u64 flip_value;			/* counter after a flip */
	u8 *scratch;			/* one chain's data */
	size_t scratch_bytes;		/* its size */
};

static bool has(struct host_virtio_device *vdev, unsigned int fbit)
{
	return vdev->driver_features & BIT_ULL(fbit);
}

/* Checksum and echo one chain; the bytes written. */
static u32 virtio_test_process(struct host_virtio_device *vdev,
			       struct virtio_test_host *t,
			       const struct host_vq_elem *elem)
{
	size_t data = min(elem->out_bytes, t->scratch_bytes), off = 0;
	u32 sum;

	data = host_vq_elem_read(elem, t->scratch, data);
	if (has(vdev, VIRTIO_TEST_F_CHECKSUM) && elem->in_bytes >= 4) {
		sum = virtio_test_fnv1a(t->scratch, data);
		off = host_vq_elem_write(elem, 0, &sum, sizeof(sum));
	}
	if (has(vdev, VIRTIO_TEST_F_ECHO))
		off += host_vq_elem_write(elem, off, t->scratch, data);
	return off;
}

/* Push every held chain, last popped first, and interrupt once. */
static void virtio_test_complete(struct host_virtio_device *vdev,
				 struct host_vq *vq)
{
	struct virtio_test_host *t = vdev->priv;

	if (!t->nr_held)
		return;
	while (t->nr_held) {
		struct host_vq_elem *elem = &t->held[--t->nr_held];

		host_vq_push(vq, elem, virtio_test_process(vdev, t, elem));
		t->nr_completed++;
	}
	host_vq_notify(vdev, vq);
}

static void virtio_test_handle_vq(struct host_virtio_device *vdev,
				  struct host_vq *vq)
{
	struct virtio_test_host *t = vdev->priv;
	struct virtio_test_config *cfg = (void *)vdev->config;
	unsigned int batch = 1;

	if (t->hold)
		return;
	if (has(vdev, VIRTIO_TEST_F_BATCH) && cfg->batch > 1)
		batch = min(cfg->batch, t->max_held);
	while (t->nr_held < t->max_held &&
	       host_vq_pop(vdev, vq, &t->held[t->nr_held]) == 1) {
		t->nr_popped++;
		if (++t->nr_held >= batch)
			virtio_test_complete(vdev, vq);
	}
}

/* ECHO without CHECKSUM makes no sense to this device. */
static bool virtio_test_validate(struct host_virtio_device *vdev,
				 u64 features)
{
	return !(features & BIT_ULL(VIRTIO_TEST_F_ECHO)) ||
	       (features & BIT_ULL(VIRTIO_TEST_F_CHECKSUM));
}

static void virtio_test_reset(struct host_virtio_device *vdev)
{
	struct virtio_test_host *t = vdev->priv;

	/* Whatever was popped is forgotten: the guest reclaims it. */
	if (t)
		t->nr_held = 0;
}

/* After a guest config read: maybe change the counter under its feet. */
static void virtio_test_config_read(struct host_virtio_device *vdev,
				    unsigned int offset)
{
	struct virtio_test_host *t = vdev->priv;

	t->nr_config_reads++;
	if (offset != offsetof(struct virtio_test_config, counter) ||
	    !t->flip_reads)
		return;
	t->flip_reads--;
	__host_virtio_config_change(vdev,
				    offsetof(struct virtio_test_config, counter),
				    &t->flip_value, sizeof(t->flip_value));
}


static const struct host_virtio_backend virtio_test_backend_template = {
	.name = "virtio-test",
	.device_id = VIRTIO_ID_TEST,
	.vendor_id = 0x554d4551,	/* "QEMU", as QEMU's devices say */
	.nr_queues = 1,
	.config_bytes = sizeof(struct virtio_test_config),
	.queue_handler = { virtio_test_handle_vq },
	.validate_features = virtio_test_validate,
	.reset = virtio_test_reset,
	.config_read = virtio_test_config_read,
};

/* Each device gets its own backend copy: features and queue size vary. */
struct virtio_test_backend {
	struct host_virtio_backend be;	/* what host/virtio_mmio.c sees */
	struct virtio_test_host state;	/* the device's state */
};

static void virtio_test_release(struct host_virtio_device *vdev)
{
	struct virtio_test_backend *tb =
		container_of(vdev->be, struct virtio_test_backend, be);

	free(tb->state.held);
	free(tb->state.scratch);
	free(tb);
}

int virtio_test_device_add(struct host *host, u64 features,
			   u16 queue_num_max, struct host_virtio_device **out)
{
	struct virtio_test_backend *tb;
	int ret;

	if (!queue_num_max || (queue_num_max & (queue_num_max - 1)))
		return -EINVAL;
	tb = calloc(1, sizeof(*tb));
	if (!tb)
		return -ENOMEM;
	tb->be = virtio_test_backend_template;
	tb->be.features = features;
	tb->be.release = virtio_test_release;
	tb->be.queue_num_max = queue_num_max;
	tb->state.max_held = queue_num_max;
	tb->state.held = calloc(queue_num_max, sizeof(*tb->state.held));
	tb->state.scratch_bytes = 64 * 1024;
	tb->state.scratch = malloc(tb->state.scratch_bytes);
	if (!tb->state.held || !tb->state.scratch) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = host_virtio_device_add(host, &tb->be, &tb->state, out);
	if (ret)
		goto out_free;
	return 0;

out_free:
	free(tb->state.held);
	free(tb->state.scratch);
	free(tb);
	return ret;
}

void virtio_test_set_hold(struct host_virtio_device *vdev, bool hold)
{
	struct virtio_test_host *t = vdev->priv;

	host_virtio_lock(vdev);
	t->hold = hold;
	if (!hold)
		host_virtio_kick_queue(vdev, 0);
	host_virtio_unlock(vdev);
}

void virtio_test_flip_counter(struct host_virtio_device *vdev,
			      unsigned int nr_reads, u64 value)
{
	struct virtio_test_host *t = vdev->priv;

	host_virtio_lock(vdev);
	t->flip_reads = nr_reads;
	t->flip_value = value;
	host_virtio_unlock(vdev);
}

void virtio_test_stats(struct host_virtio_device *vdev,
		       struct virtio_test_stats *st)
{
	struct virtio_test_host *t = vdev->priv;

	host_virtio_lock(vdev);
	st->nr_popped = t->nr_popped;
	st->nr_completed = t->nr_completed;
	st->nr_held = t->nr_held;
	st->nr_config_reads = t->nr_config_reads;
	st->nr_notifies = vdev->vqs[0].nr_notifies;
	st->nr_irqs = __atomic_load_n(&vdev->dev->nr_irqs, __ATOMIC_RELAXED);
	st->nr_resets = vdev->nr_resets;
	st->driver_features = vdev->driver_features;
	st->status = vdev->status;
	st->status_seen = vdev->status_seen;
	host_virtio_unlock(vdev);
}
