/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's private state, shared by the files of host/ only.
 */
#ifndef _FOLIAGE_HOST_INTERNAL_H
#define _FOLIAGE_HOST_INTERNAL_H

#include <pthread.h>

#include <host/host.h>
#include <linux/list.h>

#define HOST_PAGE_SIZE	4096UL

/* One node's RAM. */
struct host_node_ram {
	int fd;				/* the memfd */
	u64 gpa;			/* guest physical address of byte 0 */
	size_t bytes;			/* its size; 0: no RAM on this node */
	u64 nr_discards;		/* PUNCH_HOLE calls (atomic) */
	u64 discarded_bytes;		/* bytes punched (atomic) */
};

struct host {
	u64 gpa_span;			/* guest physical space, bytes */
	char *view;			/* host mapping of gpa 0 */
	int max_nodes;			/* entries in nodes[] */
	struct host_node_ram *nodes;	/* RAM by guest node */
	pthread_mutex_t lock;		/* protects devices, nr_devices */
	struct list_head devices;	/* registry, oldest first */
	int nr_devices;			/* devices ever added */
};

/* host/device.c: stop, join and free every device of @host. */
void host_devices_destroy(struct host *host);

#endif /* _FOLIAGE_HOST_INTERNAL_H */
