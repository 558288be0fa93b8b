/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's side of guest RAM (host/guest_ram.c).  Each node's RAM is
 * a memfd; the guest sees it mapped at a fixed place.  Discarding a range
 * punches a hole in the memfd, which really returns the memory to the host
 * kernel, and the next touch really reads zeros, as with QEMU's handling of
 * a reported or ballooned page.
 */
#ifndef _FOLIAGE_LINUX_HOST_RAM_H
#define _FOLIAGE_LINUX_HOST_RAM_H

#include <stdint.h>

#include <linux/compiler.h>

struct host_ram {
	int fd;				/* the memfd */
	char *hva;			/* where it is mapped */
	size_t bytes;			/* its size */
	int nid;			/* guest node it backs */
	unsigned long nr_discards;	/* PUNCH_HOLE calls */
	unsigned long discarded_bytes;	/* bytes punched */
};

/* Create node @nid's RAM and map it at @at (MAP_FIXED over a reservation). */
int __must_check host_ram_create(struct host_ram **out, int nid, size_t bytes,
				 void *at, bool prefault);
void host_ram_destroy(struct host_ram *ram);
/* Give [offset, offset + bytes) back to the host; it reads zero after. */
int __must_check host_ram_discard(struct host_ram *ram, size_t offset,
				  size_t bytes);
/* Bytes of the memfd the host really holds now. */
size_t host_ram_resident_bytes(const struct host_ram *ram);
/* The host's MemAvailable in bytes, or 0 if /proc/meminfo does not say. */
uint64_t host_mem_available(void);

#endif /* _FOLIAGE_LINUX_HOST_RAM_H */
