// SPDX-License-Identifier: GPL-2.0
/*
 * A virtio-mmio device on the host: the register window (virtio 1.x
 * §4.2.2, version 2), the device's half of the split ring, and the thread
 * that runs the backend's queue handlers.  See include/host/virtio.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <host/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

/* Forget the queues' state, as a device reset does. */
static void host_virtio_reset(struct host_virtio_device *vdev)
{
	unsigned int i;

	vdev->nr_resets++;
	vdev->status = 0;
	vdev->driver_features = 0;
	vdev->dev_features_sel = 0;
	vdev->drv_features_sel = 0;
	vdev->queue_sel = 0;
	vdev->isr = 0;
	for (i = 0; i < vdev->be->nr_queues; i++) {
		struct host_vq *vq = &vdev->vqs[i];

		memset(vq, 0, sizeof(*vq));
		vq->index = i;
		vq->num_max = vdev->be->queue_num_max;
	}
	if (vdev->be->reset)
		vdev->be->reset(vdev);
}

/* The queue QueueSel names, or NULL. */
static struct host_vq *sel_vq(struct host_virtio_device *vdev)
{
	if (vdev->queue_sel >= vdev->be->nr_queues)
		return NULL;
	return &vdev->vqs[vdev->queue_sel];
}

/* QueueReady 1: map the three areas through the host's view. */
static void host_vq_enable(struct host_virtio_device *vdev,
			   struct host_vq *vq)
{
	struct host *host = vdev->dev->host;
	unsigned int num = vq->num;

	if (!num || (num & (num - 1)) || num > vq->num_max)
		return;
	vq->desc = host_gpa_to_hva(host, vq->desc_gpa,
				   num * sizeof(struct vring_desc));
	vq->avail = host_gpa_to_hva(host, vq->avail_gpa,
				    sizeof(struct vring_avail) +
				    (num + 1) * sizeof(u16));
	vq->used = host_gpa_to_hva(host, vq->used_gpa,
				   sizeof(struct vring_used) +
				   num * sizeof(struct vring_used_elem) +
				   sizeof(u16));
	if (!vq->desc || !vq->avail || !vq->used)
		return;
	/* A queue starts where the ring's indices are (zero after reset). */
	vq->last_avail_idx = 0;
	vq->used_idx = 0;
	vq->signalled_used_valid = false;
	vq->ready = true;
}

/* Status write.  FEATURES_OK stays only if the features are acceptable. */
static void host_virtio_set_status(struct host_virtio_device *vdev,
				   u32 status)
{
	const struct host_virtio_backend *be = vdev->be;

	if (!status) {
		host_virtio_reset(vdev);
		return;
	}
	vdev->status_seen |= status;
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		u64 f = vdev->driver_features;

		if ((f & ~be->features) ||
		    !(f & BIT_ULL(VIRTIO_F_VERSION_1)) ||
		    host_device_fault(vdev->dev, HOST_FAULT_REFUSE_FEATURES) ||
		    (be->validate_features && !be->validate_features(vdev, f)))
			status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	vdev->status = status;
}

static u32 config_read(struct host_virtio_device *vdev, u64 offset,
		       unsigned int bytes)
{
	u32 val = 0;

	if (offset + bytes > vdev->be->config_bytes)
		return 0;
	memcpy(&val, vdev->config + offset, bytes);
	if (vdev->be->config_read)
		vdev->be->config_read(vdev, offset);
	return val;
}

static void config_write(struct host_virtio_device *vdev, u64 offset,
			 unsigned int bytes, u32 val)
{
	if (offset + bytes > vdev->be->config_bytes)
		return;
	memcpy(vdev->config + offset, &val, bytes);
	if (vdev->be->config_write)
		vdev->be->config_write(vdev, offset, bytes);
}

static u32 vm_mmio_read(struct host_device *dev, u64 off, unsigned int bytes)
{
	struct host_virtio_device *vdev = dev->priv;
	struct host_vq *vq = sel_vq(vdev);

	if (off >= VIRTIO_MMIO_CONFIG)
		return config_read(vdev, off - VIRTIO_MMIO_CONFIG, bytes);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return vdev->be->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return vdev->be->vendor_id;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (vdev->dev_features_sel > 1)
			return 0;
		return vdev->be->features >> (32 * vdev->dev_features_sel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? vq->num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return vdev->isr;
	case VIRTIO_MMIO_STATUS:
		return vdev->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return vdev->config_generation;
	}
	return 0;
}

/* Set the low or high half of a 64-bit register pair. */
static void set_half(u64 *reg, bool high, u32 val)
{
	if (high)
		*reg = (*reg & 0xffffffffULL) | ((u64)val << 32);
	else
		*reg = (*reg & ~0xffffffffULL) | val;
}

static void vm_mmio_write(struct host_device *dev, u64 off,
			  unsigned int bytes, u32 val)
{
	struct host_virtio_device *vdev = dev->priv;
	struct host_vq *vq = sel_vq(vdev);

	if (off >= VIRTIO_MMIO_CONFIG) {
		config_write(vdev, off - VIRTIO_MMIO_CONFIG, bytes, val);
		return;
	}
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vdev->dev_features_sel = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vdev->drv_features_sel = val;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Only before FEATURES_OK, as the spec requires. */
		if (vdev->drv_features_sel <= 1 &&
		    !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_half(&vdev->driver_features,
				 vdev->drv_features_sel, val);
		return;
	case VIRTIO_MMIO_QUEUE_SEL:
		vdev->queue_sel = val;
		return;
	case VIRTIO_MMIO_STATUS:
		host_virtio_set_status(vdev, val);
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vdev->isr &= ~val;
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (val < vdev->be->nr_queues)
			host_virtio_kick_queue(vdev, val);
		return;
	}
	if (!vq || (vq->ready && off != VIRTIO_MMIO_QUEUE_READY))
		return;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		vq->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (val && !vq->ready)
			host_vq_enable(vdev, vq);
		else if (!val)
			vq->ready = false;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&vq->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH,
			 val);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		set_half(&vq->avail_gpa, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
			 val);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_half(&vq->used_gpa, off == VIRTIO_MMIO_QUEUE_USED_HIGH,
			 val);
		break;
	}
}

void host_virtio_kick_queue(struct host_virtio_device *vdev,
			    unsigned int index)
{
	struct host_vq *vq = &vdev->vqs[index];

	vq->nr_notifies++;
	vq->notified = true;
	__host_device_kick(vdev->dev);
}

/* On the device thread: run the handler of every notified queue. */
static void vm_work(struct host_device *dev)
{
	struct host_virtio_device *vdev = dev->priv;
	unsigned int i;

	if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK))
		return;
	for (i = 0; i < vdev->be->nr_queues; i++) {
		struct host_vq *vq = &vdev->vqs[i];

		if (!vq->notified || !vq->ready)
			continue;
		vq->notified = false;
		if (vdev->be->queue_handler[i])
			vdev->be->queue_handler[i](vdev, vq);
	}
}

static void vm_release(struct host_device *dev)
{
	struct host_virtio_device *vdev = dev->priv;

	if (vdev->be->release)
		vdev->be->release(vdev);
	free(vdev->config);
	free(vdev);
}

static const struct host_device_ops host_virtio_mmio_ops = {
	.name = "virtio-mmio",
	.bus = HOST_BUS_VIRTIO_MMIO,
	.mmio_read = vm_mmio_read,
	.mmio_write = vm_mmio_write,
	.work = vm_work,
	.release = vm_release,
};

int host_virtio_device_add(struct host *host,
			   const struct host_virtio_backend *be, void *priv,
			   struct host_virtio_device **out)
{
	struct host_virtio_device *vdev;
	int ret;

	if (be->nr_queues > HOST_VIRTIO_MAX_QUEUES || !be->device_id)
		return -EINVAL;
	vdev = calloc(1, sizeof(*vdev));
	if (!vdev)
		return -ENOMEM;
	vdev->config = calloc(1, be->config_bytes ? be->config_bytes : 1);
	if (!vdev->config) {
		free(vdev);
		return -ENOMEM;
	}
	vdev->be = be;
	vdev->priv = priv;
	host_virtio_reset(vdev);
	vdev->nr_resets = 0;
	ret = host_device_add(host, &host_virtio_mmio_ops, vdev, &vdev->dev);
	if (ret) {
		free(vdev->config);
		free(vdev);
		return ret;
	}
	*out = vdev;
	return 0;
}

/* The device gave up on the ring: NEEDS_RESET and a config interrupt. */
static int host_vq_broken(struct host_virtio_device *vdev)
{
	vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		vdev->isr |= VIRTIO_MMIO_INT_CONFIG;
		__host_device_raise_irq(vdev->dev);
	}
	return -EIO;
}

void __host_virtio_device_error(struct host_virtio_device *vdev)
{
	(void)host_vq_broken(vdev);
}

static bool event_idx(const struct host_virtio_device *vdev)
{
	return vdev->driver_features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
}

/* With the event index: notify me when the guest passes last_avail_idx. */
static void set_avail_event(struct host_virtio_device *vdev,
			    struct host_vq *vq)
{
	if (event_idx(vdev))
		__atomic_store_n((u16 *)&vq->used->ring[vq->num],
				 vq->last_avail_idx, __ATOMIC_SEQ_CST);
}

int host_vq_pop(struct host_virtio_device *vdev, struct host_vq *vq,
		struct host_vq_elem *elem)
{
	struct host *host = vdev->dev->host;
	unsigned int i, n, num = vq->num;
	u16 avail_idx;

	if (!vq->ready)
		return 0;
	/* The index first (acquire), then the entries it publishes. */
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail_idx && event_idx(vdev)) {
		/*
		 * Empty: ask to be notified of the next one, then look
		 * again, so a buffer added meanwhile without a kick (the
		 * guest saw the old avail_event) is not missed.
		 */
		set_avail_event(vdev, vq);
		avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_SEQ_CST);
	}
	if (avail_idx == vq->last_avail_idx)
		return 0;
	if ((u16)(avail_idx - vq->last_avail_idx) > num)
		return host_vq_broken(vdev);
	i = READ_ONCE(vq->avail->ring[vq->last_avail_idx & (num - 1)]);
	if (i >= num)
		return host_vq_broken(vdev);
	memset(elem, 0, offsetof(struct host_vq_elem, out));
	elem->head = i;
	for (n = 0; ; n++) {
		struct vring_desc d;
		void *hva;

		if (n >= num || n >= HOST_VQ_MAX_SG)
			return host_vq_broken(vdev);	/* a loop */
		d.addr = READ_ONCE(vq->desc[i].addr);
		d.len = READ_ONCE(vq->desc[i].len);
		d.flags = READ_ONCE(vq->desc[i].flags);
		d.next = READ_ONCE(vq->desc[i].next);
		/* Indirect descriptors were never offered. */
		if (d.flags & VRING_DESC_F_INDIRECT)
			return host_vq_broken(vdev);
		hva = host_gpa_to_hva(host, d.addr, d.len);
		if (!hva)
			return host_vq_broken(vdev);
		if (d.flags & VRING_DESC_F_WRITE) {
			elem->in[elem->in_num].iov_base = hva;
			elem->in[elem->in_num++].iov_len = d.len;
			elem->in_bytes += d.len;
		} else {
			/* Readable pieces come before writable ones. */
			if (elem->in_num)
				return host_vq_broken(vdev);
			elem->out[elem->out_num].iov_base = hva;
			elem->out[elem->out_num++].iov_len = d.len;
			elem->out_bytes += d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= num)
			return host_vq_broken(vdev);
	}
	vq->last_avail_idx++;
	set_avail_event(vdev, vq);
	return 1;
}

void host_vq_push(struct host_vq *vq, const struct host_vq_elem *elem,
		  u32 len)
{
	struct vring_used_elem *u = &vq->used->ring[vq->used_idx &
						     (vq->num - 1)];

	WRITE_ONCE(u->id, elem->head);
	WRITE_ONCE(u->len, len);
	/* The entry before the index; seq_cst against host_vq_notify(). */
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_SEQ_CST);
}

void host_vq_notify(struct host_virtio_device *vdev, struct host_vq *vq)
{
	/*
	 * Seq_cst loads after host_vq_push()'s seq_cst store of used->idx:
	 * the driver stores its wish and then loads used->idx the same way.
	 */
	if (event_idx(vdev)) {
		/* As QEMU's virtio_split_should_notify(). */
		bool valid = vq->signalled_used_valid;
		u16 old = vq->signalled_used, new = vq->used_idx;

		vq->signalled_used_valid = true;
		vq->signalled_used = new;
		if (valid && !vring_need_event(
				__atomic_load_n(&vq->avail->ring[vq->num],
						__ATOMIC_SEQ_CST), new, old))
			return;
	} else if (__atomic_load_n(&vq->avail->flags, __ATOMIC_SEQ_CST) &
		   VRING_AVAIL_F_NO_INTERRUPT) {
		return;
	}
	vdev->isr |= VIRTIO_MMIO_INT_VRING;
	__host_device_raise_irq(vdev->dev);
}

size_t host_vq_elem_read(const struct host_vq_elem *elem, void *buf,
			 size_t bytes)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < elem->out_num && done < bytes; i++) {
		size_t n = min(elem->out[i].iov_len, bytes - done);

		memcpy((char *)buf + done, elem->out[i].iov_base, n);
		done += n;
	}
	return done;
}

size_t host_vq_elem_write(const struct host_vq_elem *elem, size_t offset,
			  const void *buf, size_t bytes)
{
	size_t done = 0, skip = offset;
	unsigned int i;

	for (i = 0; i < elem->in_num && done < bytes; i++) {
		size_t len = elem->in[i].iov_len, n;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		n = min(len - skip, bytes - done);
		memcpy((char *)elem->in[i].iov_base + skip,
		       (const char *)buf + done, n);
		done += n;
		skip = 0;
	}
	return done;
}

void __host_virtio_config_change(struct host_virtio_device *vdev,
				 unsigned int offset, const void *buf,
				 unsigned int bytes)
{
	if (offset + bytes > vdev->be->config_bytes)
		return;
	memcpy(vdev->config + offset, buf, bytes);
	vdev->config_generation++;
	if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
		vdev->isr |= VIRTIO_MMIO_INT_CONFIG;
		__host_device_raise_irq(vdev->dev);
	}
}

void host_virtio_config_change(struct host_virtio_device *vdev,
			       unsigned int offset, const void *buf,
			       unsigned int bytes)
{
	host_virtio_lock(vdev);
	__host_virtio_config_change(vdev, offset, buf, bytes);
	host_virtio_unlock(vdev);
}
