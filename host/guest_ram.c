// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM as host memfds.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/host_ram.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int host_ram_create(struct host_ram **out, int nid, size_t bytes, void *at,
		    bool prefault)
{
	struct host_ram *ram;
	char name[32];
	void *p;
	int ret;

	ram = calloc(1, sizeof(*ram));
	if (!ram)
		return -ENOMEM;
	snprintf(name, sizeof(name), "foliage-node%d", nid);
	ram->fd = memfd_create(name, MFD_CLOEXEC);
	if (ram->fd < 0) {
		ret = -errno;
		goto out_free;
	}
	if (ftruncate(ram->fd, bytes)) {
		ret = -errno;
		goto out_close;
	}
	p = mmap(at, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 ram->fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		goto out_close;
	}
	/* Sparse too: one guest page touched is one host page (mm_init.c). */
	(void)madvise(p, bytes, MADV_NOHUGEPAGE);
	if (prefault && madvise(p, bytes, MADV_POPULATE_WRITE)) {
		ret = -errno;
		goto out_close;	/* the caller unmaps the whole reservation */
	}
	ram->hva = p;
	ram->bytes = bytes;
	ram->nid = nid;
	*out = ram;
	return 0;

out_close:
	close(ram->fd);
out_free:
	free(ram);
	return ret;
}

void host_ram_destroy(struct host_ram *ram)
{
	if (!ram)
		return;
	close(ram->fd);
	free(ram);
}

int host_ram_discard(struct host_ram *ram, size_t offset, size_t bytes)
{
	if (offset > ram->bytes || bytes > ram->bytes - offset)
		return -EINVAL;
	if (fallocate(ram->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      offset, bytes))
		return -errno;
	ram->nr_discards++;
	ram->discarded_bytes += bytes;
	return 0;
}

size_t host_ram_resident_bytes(const struct host_ram *ram)
{
	struct stat st;

	if (fstat(ram->fd, &st))
		return 0;
	return (size_t)st.st_blocks * 512;
}

uint64_t host_mem_available(void)
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
	return (uint64_t)kb << 10;
}
