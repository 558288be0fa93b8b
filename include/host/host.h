/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor: what a VMM process (QEMU, Firecracker, crosvm) is to a
 * guest, one per foliage machine.  host/ is a layer of its own; the guest
 * mm reaches it only through this header, and host/ never calls guest mm
 * code.
 *
 * Guest RAM.  Each node's RAM is a memfd owned by the host.  At boot the
 * guest asks host_ram_add() to map it at the guest's direct map, which is
 * how the guest gets its RAM.  The host maps the same memfd a second time
 * in its own view (host_gpa_to_hva()), at an address the guest never
 * learns: devices read and write guest memory through that view, by guest
 * physical address (gpa = pfn << PAGE_SHIFT), as a real device does DMA.
 * host_ram_discard() punches a hole (fallocate(PUNCH_HOLE|KEEP_SIZE)) in
 * the memfd: the memory really goes back to the host kernel and the next
 * touch, through either mapping, reads zeros.  Only device backends
 * discard; the guest asks a device (e.g. virtio-balloon) to.
 *
 * Devices.  The host keeps a registry of devices (host/device.c,
 * include/host/device.h).  Each device is served by its own host thread,
 * which is never a guest CPU; the guest reaches a device only through its
 * register window (host_mmio_read()/host_mmio_write(), a VM exit) and the
 * device reaches the guest only through guest RAM and its interrupt line.
 *
 * Statistics.  host_ram_stats() says what the host really holds for each
 * node (fstat() of the memfd) and how much was discarded.
 */
#ifndef _FOLIAGE_HOST_HOST_H
#define _FOLIAGE_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/compiler.h>

struct host;

/* Host-side counters of one node's RAM. */
struct host_ram_stats {
	u64 ram_bytes;			/* size of the node's memfd */
	u64 backed_bytes;		/* bytes the host kernel really holds */
	u64 nr_discards;		/* successful host_ram_discard() calls */
	u64 discarded_bytes;		/* bytes those punched */
};

/*
 * Create the hypervisor for a guest whose physical address space is
 * [0, @gpa_span) with up to @max_nodes RAM nodes in it.  Nothing is
 * mapped yet.
 */
int __must_check host_create(struct host **out, u64 gpa_span,
			     int max_nodes);
/*
 * Stop and free every device (their threads are joined), then unmap the
 * host's view and close the memfds.  The guest's own mappings of its RAM
 * are the guest's to unmap.
 */
void host_destroy(struct host *host);

/*
 * Guest boot: create node @nid's RAM, @bytes at guest physical @gpa, and
 * map it at @guest_va (MAP_FIXED over a reservation of the guest's).
 * @prefault populates it all now.
 */
int __must_check host_ram_add(struct host *host, int nid, u64 gpa,
			      size_t bytes, void *guest_va, bool prefault);
/*
 * The host kernel's MemAvailable in bytes, or 0 if /proc/meminfo does not
 * say: what a guest's boot may write (foliage_boot_cost()).
 */
u64 host_mem_available(void);
/* What the host holds for node @nid.  -EINVAL for a node without RAM. */
int host_ram_stats(struct host *host, int nid, struct host_ram_stats *st);

/*
 * Host side only (device backends).  The host's address of guest physical
 * [@gpa, @gpa + @bytes), or NULL unless the range is inside one node's
 * RAM: a device is given guest addresses and must not be trusted with
 * them.
 */
void *host_gpa_to_hva(struct host *host, u64 gpa, size_t bytes);
/*
 * Give guest physical [@gpa, @gpa + @bytes) back to the host kernel: both
 * must be page aligned and inside one node.  It reads zero afterwards.
 */
int __must_check host_ram_discard(struct host *host, u64 gpa, size_t bytes);

#endif /* _FOLIAGE_HOST_HOST_H */
