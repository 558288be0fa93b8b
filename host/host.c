// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's guest RAM: one memfd per node, mapped twice (the
 * guest's direct map, the host's own view), and discards that really give
 * memory back.  See include/host/host.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <host/device.h>

#include "host_internal.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int host_create(struct host **out, u64 gpa_span, int max_nodes)
{
	struct host *host;

	host = calloc(1, sizeof(*host));
	if (!host)
		return -ENOMEM;
	host->nodes = calloc(max_nodes, sizeof(*host->nodes));
	if (!host->nodes)
		goto out_free_host;
	host->max_nodes = max_nodes;
	host->gpa_span = gpa_span;
	/* The host's view: holes stay PROT_NONE, as unbacked guest space. */
	host->view = mmap(NULL, gpa_span, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host->view == MAP_FAILED)
		goto out_free_nodes;
	pthread_mutex_init(&host->lock, NULL);
	INIT_LIST_HEAD(&host->devices);
	*out = host;
	return 0;

out_free_nodes:
	free(host->nodes);
out_free_host:
	free(host);
	return -ENOMEM;
}

void host_destroy(struct host *host)
{
	int nid;

	if (!host)
		return;
	host_devices_destroy(host);
	munmap(host->view, host->gpa_span);
	for (nid = 0; nid < host->max_nodes; nid++)
		if (host->nodes[nid].bytes)
			close(host->nodes[nid].fd);
	pthread_mutex_destroy(&host->lock);
	free(host->nodes);
	free(host);
}

int host_ram_add(struct host *host, int nid, u64 gpa, size_t bytes,
		 void *guest_va, bool prefault)
{
	struct host_node_ram *ram;
	char name[32];
	void *p;
	int fd, ret;

	if (nid < 0 || nid >= host->max_nodes || host->nodes[nid].bytes ||
	    !bytes || gpa > host->gpa_span || bytes > host->gpa_span - gpa)
		return -EINVAL;
	snprintf(name, sizeof(name), "foliage-node%d", nid);
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, bytes))
		goto out_errno;
	p = mmap(guest_va, bytes, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		goto out_errno;
	/* Sparse: one guest page touched is one host page, whatever THP. */
	(void)madvise(p, bytes, MADV_NOHUGEPAGE);
	if (prefault && madvise(p, bytes, MADV_POPULATE_WRITE))
		goto out_errno;	/* the guest unmaps its whole reservation */
	p = mmap(host->view + gpa, bytes, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		goto out_errno;
	(void)madvise(p, bytes, MADV_NOHUGEPAGE);
	ram = &host->nodes[nid];
	ram->fd = fd;
	ram->gpa = gpa;
	ram->bytes = bytes;
	return 0;

out_errno:
	ret = -errno;
	close(fd);
	return ret;
}

/* The node whose RAM holds all of [gpa, gpa + bytes), or NULL. */
static struct host_node_ram *gpa_to_ram(struct host *host, u64 gpa,
					size_t bytes)
{
	int nid;

	for (nid = 0; nid < host->max_nodes; nid++) {
		struct host_node_ram *ram = &host->nodes[nid];

		if (ram->bytes && gpa >= ram->gpa &&
		    gpa - ram->gpa <= ram->bytes &&
		    bytes <= ram->bytes - (gpa - ram->gpa))
			return ram;
	}
	return NULL;
}

void *host_gpa_to_hva(struct host *host, u64 gpa, size_t bytes)
{
	if (!gpa_to_ram(host, gpa, bytes))
		return NULL;
	return host->view + gpa;
}

int host_ram_discard(struct host *host, u64 gpa, size_t bytes)
{
	struct host_node_ram *ram = gpa_to_ram(host, gpa, bytes);

	if (!ram || !bytes || (gpa | bytes) & (HOST_PAGE_SIZE - 1))
		return -EINVAL;
	if (fallocate(ram->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      gpa - ram->gpa, bytes))
		return -errno;
	__atomic_add_fetch(&ram->nr_discards, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&ram->discarded_bytes, bytes, __ATOMIC_RELAXED);
	return 0;
}

int host_ram_stats(struct host *host, int nid, struct host_ram_stats *st)
{
	struct host_node_ram *ram;
	struct stat sb;

	if (nid < 0 || nid >= host->max_nodes || !host->nodes[nid].bytes)
		return -EINVAL;
	ram = &host->nodes[nid];
	if (fstat(ram->fd, &sb))
		return -errno;
	st->ram_bytes = ram->bytes;
	st->backed_bytes = (u64)sb.st_blocks * 512;
	st->nr_discards = __atomic_load_n(&ram->nr_discards, __ATOMIC_RELAXED);
	st->discarded_bytes = __atomic_load_n(&ram->discarded_bytes,
					      __ATOMIC_RELAXED);
	return 0;
}

u64 host_mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (u64)kb << 10;
}
