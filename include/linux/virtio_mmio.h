/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio register window, version 2 (virtio 1.x §4.2.2; Linux's
 * include/uapi/linux/virtio_mmio.h): the only way the guest's transport
 * (drivers/virtio/virtio_mmio.c) and the host's device side
 * (host/virtio_mmio.c) talk besides guest RAM and the interrupt line.
 */
#ifndef _FOLIAGE_LINUX_VIRTIO_MMIO_H
#define _FOLIAGE_LINUX_VIRTIO_MMIO_H

#define VIRTIO_MMIO_MAGIC_VALUE		0x000	/* "virt" */
#define VIRTIO_MMIO_VERSION		0x004	/* 2 */
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010	/* 32 bits of them */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014	/* which 32 */
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050	/* write: queue index */
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW	0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100	/* device config space */

#define VIRTIO_MMIO_MAGIC		0x74726976	/* 'v' 'i' 'r' 't' */

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING		(1 << 0)	/* used buffer */
#define VIRTIO_MMIO_INT_CONFIG		(1 << 1)	/* config changed */

/* The ring alignment the transport uses. */
#define VIRTIO_MMIO_VRING_ALIGN		4096

#endif /* _FOLIAGE_LINUX_VIRTIO_MMIO_H */
