// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's virtio core: the bus that matches devices with drivers,
 * feature negotiation and probing, config-change delivery (Linux's
 * drivers/virtio/virtio.c), and the delivery of device interrupts to a
 * guest CPU.
 */
#include <errno.h>
#include <stdlib.h>

#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "virtio_internal.h"

/* --- Interrupt delivery ------------------------------------------------ */

/*
 * Interrupts run on a guest CPU, never on the host thread that raised
 * them.  A line is routed to one CPU (CPU 0, the boot CPU, where Linux's
 * default affinity leaves a device interrupt until irqbalance moves it);
 * raising it queues its work item on that CPU's kworker, which runs the
 * handler holding the CPU, so the handler takes its turn with the user
 * and kernel threads of that CPU (kernel/cpu.c) and never runs twice at
 * once.  virtio_irq_raise() is the only way in.
 */
static void virtio_irq_work(struct work_struct *work)
{
	struct virtio_irq *irq = container_of(work, struct virtio_irq, work);

	irq->nr_delivered++;
	irq->handler(irq);
}

static void virtio_irq_online(struct work_struct *work)
{
	(void)work;
}

void virtio_irq_init(struct virtio_irq *irq,
		     void (*handler)(struct virtio_irq *irq))
{
	INIT_WORK(&irq->work, virtio_irq_work);
	INIT_WORK(&irq->online, virtio_irq_online);
	irq->handler = handler;
	irq->cpu = 0;
	irq->nr_delivered = 0;
}

int virtio_irq_start(struct virtio_bus *bus, struct virtio_irq *irq)
{
	/*
	 * Queueing work starts the CPU's kworker (and ends lock elision on
	 * a one-CPU machine) here, on a guest CPU, not later on a host
	 * thread that holds the device's lock.
	 */
	if (!__queue_work_on(bus->machine, irq->cpu, system_wq, &irq->online))
		return -EAGAIN;
	(void)flush_work(&irq->online);
	return 0;
}

void virtio_irq_raise(struct virtio_bus *bus, struct virtio_irq *irq)
{
	(void)__queue_work_on(bus->machine, irq->cpu, system_wq, &irq->work);
}

void virtio_irq_sync(struct virtio_bus *bus, struct virtio_irq *irq)
{
	(void)bus;
	(void)cancel_work_sync(&irq->online);
	(void)cancel_work_sync(&irq->work);
}

/* --- The bus ------------------------------------------------------------ */

int virtio_bus_init(struct foliage_machine *m)
{
	struct virtio_bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return -ENOMEM;
	bus->machine = m;
	pthread_mutex_init(&bus->lock, NULL);
	INIT_LIST_HEAD(&bus->drivers);
	INIT_LIST_HEAD(&bus->devices);
	m->virtio = bus;
	return 0;
}

void virtio_bus_exit(struct foliage_machine *m, bool running)
{
	struct virtio_bus *bus = m->virtio;

	if (!bus)
		return;
	/*
	 * As at shutdown: every driver lets go of its device, while the
	 * kernel threads still run (a handler in flight finishes).  A
	 * caller that cannot run in the machine frees the transport's
	 * memory without running drivers.
	 */
	virtio_mmio_remove_all(m, running);
	pthread_mutex_destroy(&bus->lock);
	free(bus);
	m->virtio = NULL;
}

/* --- Status and features ----------------------------------------------- */

static void virtio_add_status(struct virtio_device *dev, u8 status)
{
	dev->config->set_status(dev, dev->config->get_status(dev) | status);
}

void virtio_device_ready(struct virtio_device *dev)
{
	u8 status = dev->config->get_status(dev);

	VM_WARN_ON(status & VIRTIO_CONFIG_S_DRIVER_OK);
	dev->config->set_status(dev, status | VIRTIO_CONFIG_S_DRIVER_OK);
}

void virtio_reset_device(struct virtio_device *dev)
{
	dev->config->reset(dev);
}

void virtio_break_device(struct virtio_device *dev)
{
	struct virtqueue *vq;

	list_for_each_entry(vq, &dev->vqs, list)
		__virtqueue_break(vq);
}

bool virtio_has_feature(const struct virtio_device *vdev, unsigned int fbit)
{
	const struct virtio_driver *drv = vdev->driver;
	unsigned int i;

	/* A device feature the driver never listed cannot be negotiated. */
	if (drv && fbit < VIRTIO_TRANSPORT_F_START) {
		for (i = 0; i < drv->feature_table_size; i++)
			if (drv->feature_table[i] == fbit)
				break;
		VM_WARN_ON(i == drv->feature_table_size);
	}
	return __virtio_test_bit(vdev, fbit);
}

/* Set FEATURES_OK and check that the device kept it. */
static int virtio_features_ok(struct virtio_device *dev)
{
	/* A legacy device has no FEATURES_OK. */
	if (!__virtio_test_bit(dev, VIRTIO_F_VERSION_1))
		return 0;
	virtio_add_status(dev, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(dev->config->get_status(dev) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -ENODEV;
	return 0;
}

void __virtio_cread_many(struct virtio_device *vdev, unsigned int offset,
			 void *buf, size_t count, size_t bytes)
{
	u32 old, gen = vdev->config->generation(vdev);
	size_t i;

	do {
		old = gen;
		for (i = 0; i < count; i++)
			vdev->config->get(vdev, offset + bytes * i,
					  (char *)buf + i * bytes, bytes);
		gen = vdev->config->generation(vdev);
	} while (gen != old);
}

/* --- Config changes ---------------------------------------------------- */

void virtio_config_changed(struct virtio_device *dev)
{
	struct virtio_driver *drv = dev->driver;

	spin_lock(&dev->config_lock);
	dev->nr_config_changes++;
	if (!dev->config_core_enabled || dev->config_driver_disabled) {
		dev->config_change_pending = true;
	} else if (drv && drv->config_changed) {
		drv->config_changed(dev);
		dev->config_change_pending = false;
	}
	spin_unlock(&dev->config_lock);
}

static void __virtio_config_enable(struct virtio_device *dev, bool core)
{
	struct virtio_driver *drv = dev->driver;

	spin_lock(&dev->config_lock);
	if (core)
		dev->config_core_enabled = true;
	else
		dev->config_driver_disabled = false;
	if (dev->config_core_enabled && !dev->config_driver_disabled &&
	    dev->config_change_pending && drv && drv->config_changed) {
		drv->config_changed(dev);
		dev->config_change_pending = false;
	}
	spin_unlock(&dev->config_lock);
}

void virtio_config_driver_disable(struct virtio_device *dev)
{
	spin_lock(&dev->config_lock);
	dev->config_driver_disabled = true;
	spin_unlock(&dev->config_lock);
}

void virtio_config_driver_enable(struct virtio_device *dev)
{
	__virtio_config_enable(dev, false);
}

static void virtio_config_core_disable(struct virtio_device *dev)
{
	spin_lock(&dev->config_lock);
	dev->config_core_enabled = false;
	spin_unlock(&dev->config_lock);
}

/* --- Probe and remove -------------------------------------------------- */

static bool virtio_id_match(const struct virtio_device *dev,
			    const struct virtio_device_id *id)
{
	if (id->device != dev->id.device && id->device != VIRTIO_DEV_ANY_ID)
		return false;
	return id->vendor == VIRTIO_DEV_ANY_ID || id->vendor == dev->id.vendor;
}

static bool virtio_dev_match(const struct virtio_device *dev,
			     const struct virtio_driver *drv)
{
	const struct virtio_device_id *id;

	for (id = drv->id_table; id->device; id++)
		if (virtio_id_match(dev, id))
			return true;
	return false;
}

/* Bind @drv to @dev as Linux's virtio_dev_probe().  Caller holds bus lock. */
static int virtio_dev_probe(struct virtio_device *dev,
			    struct virtio_driver *drv)
{
	virtio_features device_features, driver_features = 0;
	unsigned int i;
	int err;

	dev->driver = drv;
	virtio_add_status(dev, VIRTIO_CONFIG_S_DRIVER);

	/* Features both the device and the driver know. */
	device_features = dev->config->get_features(dev);
	for (i = 0; i < drv->feature_table_size; i++)
		if (drv->feature_table[i] < 64)
			driver_features |= BIT_ULL(drv->feature_table[i]);
	dev->features = device_features & driver_features;
	/* Transport bits go to finalize_features(), which keeps its own. */
	for (i = VIRTIO_TRANSPORT_F_START; i < VIRTIO_TRANSPORT_F_END; i++)
		if (device_features & BIT_ULL(i))
			__virtio_set_bit(dev, i);
	err = dev->config->finalize_features(dev);
	if (err)
		goto err;

	if (drv->validate) {
		virtio_features before = dev->features;

		err = drv->validate(dev);
		if (err)
			goto err;
		/* validate() may only take offered features away. */
		VM_WARN_ON(dev->features & ~before);
		dev->features &= before;
		/* It changed some: write them again. */
		if (dev->features != before) {
			err = dev->config->finalize_features(dev);
			if (err)
				goto err;
		}
	}
	err = virtio_features_ok(dev);
	if (err)
		goto err;
	err = drv->probe(dev);
	if (err)
		goto err;
	if (!(dev->config->get_status(dev) & VIRTIO_CONFIG_S_DRIVER_OK))
		virtio_device_ready(dev);
	__virtio_config_enable(dev, true);
	return 0;

err:
	virtio_add_status(dev, VIRTIO_CONFIG_S_FAILED);
	dev->failed = true;
	dev->driver = NULL;
	return err;
}

/* Unbind, as Linux's virtio_dev_remove().  Caller holds the bus lock. */
static void virtio_dev_remove(struct virtio_device *dev)
{
	struct virtio_driver *drv = dev->driver;

	virtio_config_core_disable(dev);
	drv->remove(dev);
	/* The driver must have reset the device. */
	VM_WARN_ON(dev->config->get_status(dev));
	dev->driver = NULL;
	/* Acknowledge the device's existence again. */
	virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
}

/* Offer @dev to the drivers until one takes it.  Caller holds bus lock. */
static int virtio_bus_probe_device(struct virtio_bus *bus,
				   struct virtio_device *dev)
{
	struct virtio_driver *drv;
	int err = 0;

	list_for_each_entry(drv, &bus->drivers, list) {
		if (!virtio_dev_match(dev, drv))
			continue;
		err = virtio_dev_probe(dev, drv);
		if (!err)
			return 0;
	}
	return err;
}

int register_virtio_device(struct virtio_device *dev)
{
	struct virtio_bus *bus = machine_virtio_bus();
	int err;

	dev->machine = this_machine;
	spin_lock_init(&dev->config_lock);
	dev->config_core_enabled = false;
	dev->config_change_pending = false;
	INIT_LIST_HEAD(&dev->vqs);
	/* Always start by resetting the device, in case a driver left it. */
	dev->config->reset(dev);
	virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	pthread_mutex_lock(&bus->lock);
	dev->index = bus->next_index++;
	list_add_tail(&dev->bus_list, &bus->devices);
	err = virtio_bus_probe_device(bus, dev);
	pthread_mutex_unlock(&bus->lock);
	/* No driver, or all failed: the device stays on the bus. */
	(void)err;
	return 0;
}

int virtio_reprobe_failed(void)
{
	struct virtio_bus *bus = machine_virtio_bus();
	struct virtio_device *dev;
	int nr = 0;

	pthread_mutex_lock(&bus->lock);
	list_for_each_entry(dev, &bus->devices, bus_list) {
		if (dev->driver || !dev->failed)
			continue;
		/* As register_virtio_device(): from a reset device. */
		dev->failed = false;
		dev->config->reset(dev);
		virtio_add_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
		if (!virtio_bus_probe_device(bus, dev) && dev->driver)
			nr++;
	}
	pthread_mutex_unlock(&bus->lock);
	return nr;
}

void unregister_virtio_device(struct virtio_device *dev)
{
	struct virtio_bus *bus = machine_virtio_bus();

	pthread_mutex_lock(&bus->lock);
	if (dev->driver)
		virtio_dev_remove(dev);
	list_del(&dev->bus_list);
	pthread_mutex_unlock(&bus->lock);
}

int register_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_bus *bus = machine_virtio_bus();
	struct virtio_device *dev;

	if (!drv->id_table || !drv->probe || !drv->remove)
		return -EINVAL;
	pthread_mutex_lock(&bus->lock);
	list_add_tail(&drv->list, &bus->drivers);
	list_for_each_entry(dev, &bus->devices, bus_list)
		if (!dev->driver && !dev->failed &&
		    virtio_dev_match(dev, drv))
			(void)virtio_dev_probe(dev, drv);
	pthread_mutex_unlock(&bus->lock);
	return 0;
}

void unregister_virtio_driver(struct virtio_driver *drv)
{
	struct virtio_bus *bus = machine_virtio_bus();
	struct virtio_device *dev;

	pthread_mutex_lock(&bus->lock);
	list_for_each_entry(dev, &bus->devices, bus_list)
		if (dev->driver == drv)
			virtio_dev_remove(dev);
	list_del(&drv->list);
	pthread_mutex_unlock(&bus->lock);
}

struct virtio_device *virtio_find_device(int index)
{
	struct virtio_bus *bus = machine_virtio_bus();
	struct virtio_device *dev, *found = NULL;

	pthread_mutex_lock(&bus->lock);
	list_for_each_entry(dev, &bus->devices, bus_list)
		if (dev->index == index) {
			found = dev;
			break;
		}
	pthread_mutex_unlock(&bus->lock);
	return found;
}
