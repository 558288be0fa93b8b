/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio test device: foliage's own device (not in the virtio spec;
 * the id is from the range no spec device uses) that proves the transport
 * end to end, as Linux's tools/virtio tests do for the ring.  One queue;
 * each chain's readable part is data, its writable part receives:
 *
 *   [ FNV-1a 32 of the data (VIRTIO_TEST_F_CHECKSUM) ]
 *   [ the data again, as much as fits (VIRTIO_TEST_F_ECHO) ]
 *
 * and used_len is the number of bytes written.  With VIRTIO_TEST_F_BATCH
 * the device completes chains in groups of config.batch, last popped
 * first (out of order).
 */
#ifndef _FOLIAGE_LINUX_VIRTIO_TEST_H
#define _FOLIAGE_LINUX_VIRTIO_TEST_H

#include <linux/compiler.h>

#define VIRTIO_ID_TEST		0xfff0	/* foliage's, not the spec's */

#define VIRTIO_TEST_F_CHECKSUM	0	/* write the data's FNV-1a 32 */
#define VIRTIO_TEST_F_ECHO	1	/* write the data back (needs 0) */
#define VIRTIO_TEST_F_BATCH	2	/* complete config.batch at a time */

struct virtio_test_config {
	u32 batch;			/* chains per completion group */
	u32 reserved;			/* zero */
	u64 counter;			/* changed by the host at will */
};

/* FNV-1a, 32 bits: what the device writes for VIRTIO_TEST_F_CHECKSUM. */
static inline u32 virtio_test_fnv1a(const void *buf, size_t bytes)
{
	const u8 *p = buf;
	u32 h = 2166136261u;

	while (bytes--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}

#endif /* _FOLIAGE_LINUX_VIRTIO_TEST_H */
