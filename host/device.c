// SPDX-License-Identifier: GPL-2.0
/*
 * The host's device registry and the thread that serves each device.  See
 * include/host/device.h.
 */
#include <errno.h>
#include <stdlib.h>

#include <host/device.h>

#include "host_internal.h"

static void *host_device_thread(void *arg)
{
	struct host_device *dev = arg;

	pthread_mutex_lock(&dev->lock);
	for (;;) {
		while (!dev->kicked && !dev->stop)
			pthread_cond_wait(&dev->wake, &dev->lock);
		if (dev->stop)
			break;
		dev->kicked = false;
		if (dev->ops->work)
			dev->ops->work(dev);
	}
	pthread_mutex_unlock(&dev->lock);
	return NULL;
}

int host_device_add(struct host *host, const struct host_device_ops *ops,
		    void *priv, struct host_device **out)
{
	struct host_device *dev;
	int ret;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->host = host;
	dev->ops = ops;
	dev->priv = priv;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_cond_init(&dev->wake, NULL);
	ret = -pthread_create(&dev->thread, NULL, host_device_thread, dev);
	if (ret) {
		pthread_cond_destroy(&dev->wake);
		pthread_mutex_destroy(&dev->lock);
		free(dev);
		return ret;
	}
	dev->thread_started = true;
	pthread_mutex_lock(&host->lock);
	dev->id = host->nr_devices++;
	list_add_tail(&dev->list, &host->devices);
	pthread_mutex_unlock(&host->lock);
	*out = dev;
	return 0;
}

struct host_device *host_device_get(struct host *host, int index)
{
	struct host_device *dev, *found = NULL;

	pthread_mutex_lock(&host->lock);
	list_for_each_entry(dev, &host->devices, list)
		if (dev->id == index) {
			found = dev;
			break;
		}
	pthread_mutex_unlock(&host->lock);
	return found;
}

enum host_bus host_device_bus(const struct host_device *dev)
{
	return dev->ops->bus;
}

void host_devices_destroy(struct host *host)
{
	struct host_device *dev, *next;

	list_for_each_entry_safe(dev, next, &host->devices, list) {
		pthread_mutex_lock(&dev->lock);
		dev->stop = true;
		pthread_cond_signal(&dev->wake);
		pthread_mutex_unlock(&dev->lock);
		if (dev->thread_started)
			pthread_join(dev->thread, NULL);
		list_del(&dev->list);
		if (dev->ops->release)
			dev->ops->release(dev);
		pthread_cond_destroy(&dev->wake);
		pthread_mutex_destroy(&dev->lock);
		free(dev);
	}
}

u32 host_mmio_read(struct host_device *dev, u64 offset, unsigned int bytes)
{
	u32 val;

	pthread_mutex_lock(&dev->lock);
	val = dev->ops->mmio_read(dev, offset, bytes);
	pthread_mutex_unlock(&dev->lock);
	return val;
}

void host_mmio_write(struct host_device *dev, u64 offset, unsigned int bytes,
		     u32 val)
{
	pthread_mutex_lock(&dev->lock);
	dev->ops->mmio_write(dev, offset, bytes, val);
	pthread_mutex_unlock(&dev->lock);
}

void host_device_connect_irq(struct host_device *dev,
			     host_irq_handler_t handler, void *data)
{
	pthread_mutex_lock(&dev->lock);
	dev->irq_handler = handler;
	dev->irq_data = data;
	pthread_mutex_unlock(&dev->lock);
}

void __host_device_kick(struct host_device *dev)
{
	__atomic_add_fetch(&dev->nr_kicks, 1, __ATOMIC_RELAXED);
	dev->kicked = true;
	pthread_cond_signal(&dev->wake);
}

void __host_device_raise_irq(struct host_device *dev)
{
	if (host_device_fault(dev, HOST_FAULT_DROP_IRQ))
		return;
	__atomic_add_fetch(&dev->nr_irqs, 1, __ATOMIC_RELAXED);
	if (dev->irq_handler)
		dev->irq_handler(dev->irq_data);
}
