// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's virtio-mmio transport (Linux's drivers/virtio/virtio_mmio.c,
 * version 2 devices only): every operation is a register access in the
 * device's window, which is a VM exit to the host (host_mmio_read() /
 * host_mmio_write()); the rings are guest RAM whose guest physical
 * addresses are written to the QueueDesc/Driver/Device registers.
 *
 * The device's interrupt line is connected to vm_irq_line(), which runs
 * on the host's thread and only raises the guest interrupt; vm_interrupt()
 * then runs on a guest CPU (virtio_irq_raise()).
 */
#include <errno.h>
#include <stdlib.h>

#include <host/device.h>
#include <linux/err.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "virtio_internal.h"

struct virtio_mmio_device {
	struct virtio_device vdev;	/* what the core sees */
	struct host_device *hdev;	/* the register window */
	struct virtio_irq irq;		/* its interrupt, as the guest sees it */
	struct virtio_bus *bus;		/* where interrupts are delivered */
	pthread_mutex_t vqs_lock;	/* vdev.vqs against vm_interrupt() */
	struct list_head list;		/* on vm_devices */
};

#define to_vm(_vdev) container_of(_vdev, struct virtio_mmio_device, vdev)

static u32 vm_readl(struct virtio_mmio_device *vm, u64 off)
{
	return host_mmio_read(vm->hdev, off, 4);
}

static void vm_writel(struct virtio_mmio_device *vm, u64 off, u32 val)
{
	host_mmio_write(vm->hdev, off, 4, val);
}

static virtio_features vm_get_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm = to_vm(vdev);
	virtio_features features;

	vm_writel(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	features = vm_readl(vm, VIRTIO_MMIO_DEVICE_FEATURES);
	features <<= 32;
	vm_writel(vm, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	features |= vm_readl(vm, VIRTIO_MMIO_DEVICE_FEATURES);
	return features;
}

static int vm_finalize_features(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm = to_vm(vdev);

	/* Give the ring a chance to filter out the features it lacks. */
	vring_transport_features(vdev);
	/* A version 2 device is a virtio 1.x device: no legacy mode. */
	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1))
		return -EINVAL;
	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES, vdev->features >> 32);
	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vm_writel(vm, VIRTIO_MMIO_DRIVER_FEATURES, (u32)vdev->features);
	return 0;
}

static void vm_get(struct virtio_device *vdev, unsigned int offset,
		   void *buf, unsigned int len)
{
	struct virtio_mmio_device *vm = to_vm(vdev);
	u64 base = VIRTIO_MMIO_CONFIG + offset;
	u8 *p = buf;
	u32 v;

	switch (len) {
	case 1:
		*p = host_mmio_read(vm->hdev, base, 1);
		break;
	case 2:
		v = host_mmio_read(vm->hdev, base, 2);
		memcpy(buf, &v, 2);
		break;
	case 4:
		v = host_mmio_read(vm->hdev, base, 4);
		memcpy(buf, &v, 4);
		break;
	case 8:
		v = host_mmio_read(vm->hdev, base, 4);
		memcpy(p, &v, 4);
		v = host_mmio_read(vm->hdev, base + 4, 4);
		memcpy(p + 4, &v, 4);
		break;
	default:
		while (len--)
			*p++ = host_mmio_read(vm->hdev, base++, 1);
	}
}

static void vm_set(struct virtio_device *vdev, unsigned int offset,
		   const void *buf, unsigned int len)
{
	struct virtio_mmio_device *vm = to_vm(vdev);
	u64 base = VIRTIO_MMIO_CONFIG + offset;
	const u8 *p = buf;
	u32 v = 0;

	switch (len) {
	case 2:
	case 4:
		memcpy(&v, buf, len);
		host_mmio_write(vm->hdev, base, len, v);
		break;
	case 8:
		memcpy(&v, p, 4);
		host_mmio_write(vm->hdev, base, 4, v);
		memcpy(&v, p + 4, 4);
		host_mmio_write(vm->hdev, base + 4, 4, v);
		break;
	default:
		while (len--)
			host_mmio_write(vm->hdev, base++, 1, *p++);
	}
}

static u32 vm_generation(struct virtio_device *vdev)
{
	return vm_readl(to_vm(vdev), VIRTIO_MMIO_CONFIG_GENERATION);
}

static u8 vm_get_status(struct virtio_device *vdev)
{
	return vm_readl(to_vm(vdev), VIRTIO_MMIO_STATUS) & 0xff;
}

static void vm_set_status(struct virtio_device *vdev, u8 status)
{
	/* 0 would be a reset: use vm_reset() for that. */
	VM_WARN_ON(status == 0);
	vm_writel(to_vm(vdev), VIRTIO_MMIO_STATUS, status);
}

static void vm_reset(struct virtio_device *vdev)
{
	/* 0 status means a reset; the device has quiesced when it returns. */
	vm_writel(to_vm(vdev), VIRTIO_MMIO_STATUS, 0);
}

static bool vm_notify(struct virtqueue *vq)
{
	/* The queue index is the notification's only content. */
	vm_writel(to_vm(vq->vdev), VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
	return true;
}

/* The interrupt, on a guest CPU: what the device says happened. */
static void vm_interrupt(struct virtio_irq *irq)
{
	struct virtio_mmio_device *vm =
		container_of(irq, struct virtio_mmio_device, irq);
	struct virtqueue *vq;
	u32 status;

	status = vm_readl(vm, VIRTIO_MMIO_INTERRUPT_STATUS);
	vm_writel(vm, VIRTIO_MMIO_INTERRUPT_ACK, status);
	if (status & VIRTIO_MMIO_INT_CONFIG)
		virtio_config_changed(&vm->vdev);
	if (status & VIRTIO_MMIO_INT_VRING) {
		pthread_mutex_lock(&vm->vqs_lock);
		list_for_each_entry(vq, &vm->vdev.vqs, list)
			vring_interrupt(0, vq);
		pthread_mutex_unlock(&vm->vqs_lock);
	}
}

/* The device's line, on the host's thread: hand it to the guest. */
static void vm_irq_line(void *data)
{
	struct virtio_mmio_device *vm = data;

	virtio_irq_raise(vm->bus, &vm->irq);
}

static void vm_del_vq(struct virtqueue *vq)
{
	struct virtio_mmio_device *vm = to_vm(vq->vdev);

	vm_writel(vm, VIRTIO_MMIO_QUEUE_SEL, vq->index);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_READY, 0);
	VM_WARN_ON(vm_readl(vm, VIRTIO_MMIO_QUEUE_READY));
	vring_del_virtqueue(vq);
}

static void vm_del_vqs(struct virtio_device *vdev)
{
	struct virtio_mmio_device *vm = to_vm(vdev);
	struct virtqueue *vq, *n;

	/* No handler may be running on these queues (free_irq()). */
	virtio_irq_sync(vm->bus, &vm->irq);
	pthread_mutex_lock(&vm->vqs_lock);
	list_for_each_entry_safe(vq, n, &vdev->vqs, list)
		vm_del_vq(vq);
	pthread_mutex_unlock(&vm->vqs_lock);
}

static struct virtqueue *vm_setup_vq(struct virtio_device *vdev,
				     unsigned int index,
				     void (*callback)(struct virtqueue *),
				     const char *name)
{
	struct virtio_mmio_device *vm = to_vm(vdev);
	struct virtqueue *vq;
	unsigned int num;
	u64 addr;

	vm_writel(vm, VIRTIO_MMIO_QUEUE_SEL, index);
	/* A queue in use cannot be set up again. */
	if (vm_readl(vm, VIRTIO_MMIO_QUEUE_READY))
		return ERR_PTR(-ENOENT);
	num = vm_readl(vm, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!num)
		return ERR_PTR(-ENOENT);
	pthread_mutex_lock(&vm->vqs_lock);
	vq = vring_create_virtqueue(index, num, VIRTIO_MMIO_VRING_ALIGN, vdev,
				    vm_notify, callback, name);
	pthread_mutex_unlock(&vm->vqs_lock);
	if (!vq)
		return ERR_PTR(-ENOMEM);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_NUM, num);
	addr = virtqueue_get_desc_addr(vq);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)addr);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_DESC_HIGH, addr >> 32);
	addr = virtqueue_get_avail_addr(vq);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (u32)addr);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, addr >> 32);
	addr = virtqueue_get_used_addr(vq);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_USED_LOW, (u32)addr);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_USED_HIGH, addr >> 32);
	vm_writel(vm, VIRTIO_MMIO_QUEUE_READY, 1);
	return vq;
}

static int vm_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
		       struct virtqueue *vqs[],
		       struct virtqueue_info vqs_info[])
{
	unsigned int i, queue_idx = 0;

	for (i = 0; i < nvqs; i++) {
		if (!vqs_info[i].name) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = vm_setup_vq(vdev, queue_idx++, vqs_info[i].callback,
				     vqs_info[i].name);
		if (IS_ERR(vqs[i])) {
			int err = PTR_ERR(vqs[i]);

			vm_del_vqs(vdev);
			return err;
		}
	}
	return 0;
}

static const char *vm_bus_name(struct virtio_device *vdev)
{
	return "virtio-mmio";
}

static const struct virtio_config_ops virtio_mmio_config_ops = {
	.get = vm_get,
	.set = vm_set,
	.generation = vm_generation,
	.get_status = vm_get_status,
	.set_status = vm_set_status,
	.reset = vm_reset,
	.find_vqs = vm_find_vqs,
	.del_vqs = vm_del_vqs,
	.get_features = vm_get_features,
	.finalize_features = vm_finalize_features,
	.bus_name = vm_bus_name,
};

/*
 * Probe one register window as Linux's virtio_mmio_probe(): check the
 * magic and version, read the ids, connect the interrupt, register.
 */
static int virtio_mmio_probe(struct host_device *hdev)
{
	struct virtio_mmio_device *vm;
	int err;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->hdev = hdev;
	if (vm_readl(vm, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
	    vm_readl(vm, VIRTIO_MMIO_VERSION) != 2) {
		err = -ENODEV;
		goto out_free;
	}
	vm->vdev.id.device = vm_readl(vm, VIRTIO_MMIO_DEVICE_ID);
	/* Device ID 0 is a placeholder: nothing there. */
	if (!vm->vdev.id.device) {
		err = -ENODEV;
		goto out_free;
	}
	vm->vdev.id.vendor = vm_readl(vm, VIRTIO_MMIO_VENDOR_ID);
	vm->vdev.config = &virtio_mmio_config_ops;
	vm->bus = machine_virtio_bus();
	virtio_irq_init(&vm->irq, vm_interrupt);
	err = virtio_irq_start(vm->bus, &vm->irq);
	if (err)
		goto out_free;
	pthread_mutex_init(&vm->vqs_lock, NULL);
	host_device_connect_irq(hdev, vm_irq_line, vm);
	return register_virtio_device(&vm->vdev);

out_free:
	free(vm);
	return err;
}

/* Whether the guest already has a device for register window @hdev. */
static bool vm_known(struct virtio_bus *bus, struct host_device *hdev)
{
	struct virtio_device *vdev;
	bool found = false;

	pthread_mutex_lock(&bus->lock);
	list_for_each_entry(vdev, &bus->devices, bus_list)
		if (to_vm(vdev)->hdev == hdev) {
			found = true;
			break;
		}
	pthread_mutex_unlock(&bus->lock);
	return found;
}

int virtio_mmio_scan(void)
{
	struct virtio_bus *bus = machine_virtio_bus();
	struct host *host = this_machine->host;
	struct host_device *hdev;
	int index, err, nr = 0;

	for (index = 0; (hdev = host_device_get(host, index)); index++) {
		if (host_device_bus(hdev) != HOST_BUS_VIRTIO_MMIO ||
		    vm_known(bus, hdev))
			continue;
		err = virtio_mmio_probe(hdev);
		if (err)
			return err;
		nr++;
	}
	return nr;
}

void virtio_mmio_remove_all(struct foliage_machine *m, bool running)
{
	struct virtio_bus *bus = m->virtio;
	struct virtio_device *vdev, *n;
	struct virtqueue *vq, *nvq;

	if (!bus)
		return;
	list_for_each_entry_safe(vdev, n, &bus->devices, bus_list) {
		struct virtio_mmio_device *vm = to_vm(vdev);

		if (running) {
			unregister_virtio_device(vdev);
			/* The line is cut, then nothing raised before runs. */
			host_device_connect_irq(vm->hdev, NULL, NULL);
			virtio_irq_sync(bus, &vm->irq);
		} else {
			/*
			 * No guest CPU to run the driver on: the line is cut,
			 * the device reset, the queues' bookkeeping freed;
			 * their ring pages go with the machine's RAM.
			 */
			host_device_connect_irq(vm->hdev, NULL, NULL);
			virtio_irq_sync(bus, &vm->irq);
			vm_reset(vdev);
			list_for_each_entry_safe(vq, nvq, &vdev->vqs, list)
				__vring_del_virtqueue(vq, false);
			list_del(&vdev->bus_list);
		}
		pthread_mutex_destroy(&vm->vqs_lock);
		free(vm);
	}
}
