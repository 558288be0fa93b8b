/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a virtio transport provides to the core and to drivers: status,
 * features, queues and the device's config space (Linux's
 * include/linux/virtio_config.h and the status/feature bits of
 * include/uapi/linux/virtio_config.h).
 */
#ifndef _FOLIAGE_LINUX_VIRTIO_CONFIG_H
#define _FOLIAGE_LINUX_VIRTIO_CONFIG_H

#include <stddef.h>

#include <linux/virtio.h>

#ifndef BIT_ULL
#define BIT_ULL(n)		(1ULL << (n))
#endif

/* Device status bits (virtio 1.x §2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE	1	/* guest saw the device */
#define VIRTIO_CONFIG_S_DRIVER		2	/* guest has a driver */
#define VIRTIO_CONFIG_S_DRIVER_OK	4	/* driver ready */
#define VIRTIO_CONFIG_S_FEATURES_OK	8	/* feature set agreed */
#define VIRTIO_CONFIG_S_NEEDS_RESET	0x40	/* device gave up */
#define VIRTIO_CONFIG_S_FAILED		0x80	/* driver gave up */

/* Transport feature bits [28, 42) are the ring's and the transport's. */
#define VIRTIO_TRANSPORT_F_START	28
#define VIRTIO_TRANSPORT_F_END		42
#define VIRTIO_F_VERSION_1		32	/* virtio 1.x, not legacy */
#define VIRTIO_F_ACCESS_PLATFORM	33	/* device uses an IOMMU */

typedef u64 virtio_features;		/* 64 feature bits */

/* One queue find_vqs() sets up. */
struct virtqueue_info {
	const char *name;		/* NULL: no queue at this index */
	void (*callback)(struct virtqueue *vq); /* used-buffer interrupt */
	bool ctx;			/* unused: no per-buffer context */
};

struct virtio_config_ops {
	/* Read/write @len bytes of config space at @offset. */
	void (*get)(struct virtio_device *vdev, unsigned int offset,
		    void *buf, unsigned int len);
	void (*set)(struct virtio_device *vdev, unsigned int offset,
		    const void *buf, unsigned int len);
	u32 (*generation)(struct virtio_device *vdev);
	u8 (*get_status)(struct virtio_device *vdev);
	void (*set_status)(struct virtio_device *vdev, u8 status);
	/* Back to the initial state; the device uses no queue after. */
	void (*reset)(struct virtio_device *vdev);
	int (*find_vqs)(struct virtio_device *vdev, unsigned int nvqs,
			struct virtqueue *vqs[],
			struct virtqueue_info vqs_info[]);
	void (*del_vqs)(struct virtio_device *vdev);
	/* All 64 feature bits the device offers. */
	virtio_features (*get_features)(struct virtio_device *vdev);
	/* Write vdev->features to the device (before FEATURES_OK). */
	int (*finalize_features)(struct virtio_device *vdev);
	const char *(*bus_name)(struct virtio_device *vdev);
};

static inline bool __virtio_test_bit(const struct virtio_device *vdev,
				     unsigned int fbit)
{
	return vdev->features & BIT_ULL(fbit);
}

static inline void __virtio_set_bit(struct virtio_device *vdev,
				    unsigned int fbit)
{
	vdev->features |= BIT_ULL(fbit);
}

static inline void __virtio_clear_bit(struct virtio_device *vdev,
				      unsigned int fbit)
{
	vdev->features &= ~BIT_ULL(fbit);
}

/*
 * Whether @fbit was negotiated.  A device bit must be in the driver's
 * feature table to be asked about, as Linux checks.
 */
bool virtio_has_feature(const struct virtio_device *vdev, unsigned int fbit);

static inline int virtio_find_vqs(struct virtio_device *vdev,
				  unsigned int nvqs, struct virtqueue *vqs[],
				  struct virtqueue_info vqs_info[])
{
	return vdev->config->find_vqs(vdev, nvqs, vqs, vqs_info);
}

/*
 * Config space reads are consistent across a multi-byte field: the read
 * is repeated until the generation counter is the same before and after.
 */
void __virtio_cread_many(struct virtio_device *vdev, unsigned int offset,
			 void *buf, size_t count, size_t bytes);

#define virtio_cread(vdev, structname, member, ptr)			\
	__virtio_cread_many((vdev), offsetof(structname, member), (ptr),\
			    1, sizeof(*(ptr)))
#define virtio_cwrite(vdev, structname, member, ptr)			\
	(vdev)->config->set((vdev), offsetof(structname, member), (ptr),\
			    sizeof(*(ptr)))

#endif /* _FOLIAGE_LINUX_VIRTIO_CONFIG_H */
