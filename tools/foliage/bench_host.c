// SPDX-License-Identifier: GPL-2.0
/*
 * The host kernel's side of 'foliage bench fault' and 'foliage bench fork':
 * a real process on this machine that does, on the host kernel, what the
 * benchmark times foliage doing, and reports its own timings (see
 * bench.h).
 *
 * A helper is forked before the benchmark creates its guest, so that its
 * address space is the CLI's small one (a few hundred KiB of private
 * pages) and not a 1 GiB guest: a host fork() then copies what foliage's
 * fork copies, plus that little.  Requests and replies go through two
 * pipes; each request is one fixed-size struct, and so is each reply.
 *
 * What a helper does, per request (only the step named is timed, with the
 * thread CPU time of the process that does it, bench_thread_cpu_ns()):
 *   HOST_POPULATE   mmap() an anonymous private region, madvise() it
 *		     MADV_NOHUGEPAGE or MADV_HUGEPAGE, then time
 *		     MADV_POPULATE_WRITE of it; /proc/vmstat's thp_fault_alloc
 *		     and thp_fault_fallback are read around it; munmap()
 *   HOST_MAP	     mmap() the helper's region (kept until it exits),
 *		     MADV_NOHUGEPAGE, MADV_POPULATE_WRITE (nothing timed)
 *   HOST_FORK	     write the region again (MADV_POPULATE_WRITE: every PTE
 *		     writable and every page exclusive again, as before a
 *		     first fork), then time fork() until it returns in the
 *		     parent; the child sends its VmPTE and exits
 *   HOST_FORK_COW   the same, then the child times writing one byte to
 *		     every page of the region (a COW fault each) and sends it
 *   HOST_HUGETLB    time mmap(MAP_PRIVATE|MAP_HUGETLB) of the region and
 *		     MADV_POPULATE_WRITE of it (the pool is what the
 *		     benchmark set the host's knobs to: reservations at mmap,
 *		     surplus pages allocated there), then munmap
 *   HOST_QUIT	     exit
 *
 * Each of the first, third and fourth first warms up (warm_up()): it
 * populates and frees a region of the same size, untimed, so that the
 * memory the timed step allocates is memory the hypervisor backs, as
 * foliage's guest RAM (prefault=1) is.
 *
 * The region is aligned to 2 MiB (PMD_SIZE), so that THP can map all of it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

#define HOST_PAGE_SIZE		4096UL
#define HOST_PMD_SIZE		(2UL << 20)

/* The helper's region (HOST_MAP). */
struct host_region {
	char *map;			/* what mmap() returned */
	size_t map_bytes;		/* its length */
	char *p;			/* the PMD-aligned start */
	size_t bytes;			/* the region's length */
};

/* read() or write() all of @len, or fail. */
static int full_io(int fd, void *buf, size_t len, bool write_it)
{
	char *p = buf;

	while (len) {
		ssize_t n = write_it ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * The value of the line "@key <number>" (vmstat) or "@key: <number> kB"
 * (status) of the proc file @path.
 */
static int proc_value(const char *path, const char *key, uint64_t *value)
{
	size_t klen = strlen(key);
	char line[256];
	int ret = -ENOENT;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v = line + klen;

		if (strncmp(line, key, klen) || (*v != ' ' && *v != ':'))
			continue;
		if (*v == ':')
			v++;
		*value = strtoull(v, NULL, 10);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int thp_counters(uint64_t *alloc, uint64_t *fallback)
{
	return proc_value("/proc/vmstat", "thp_fault_alloc", alloc) ?:
	       proc_value("/proc/vmstat", "thp_fault_fallback", fallback);
}

static int region_map(struct host_region *rg, size_t bytes, bool thp)
{
	uintptr_t start;

	rg->map_bytes = bytes + HOST_PMD_SIZE;
	rg->map = mmap(NULL, rg->map_bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rg->map == MAP_FAILED) {
		rg->map = NULL;
		return -errno;
	}
	start = ((uintptr_t)rg->map + HOST_PMD_SIZE - 1) & ~(HOST_PMD_SIZE - 1);
	rg->p = (char *)start;
	rg->bytes = bytes;
	if (madvise(rg->map, rg->map_bytes,
		    thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		return -errno;
	return 0;
}

static void region_unmap(struct host_region *rg)
{
	if (rg->map)
		munmap(rg->map, rg->map_bytes);
	memset(rg, 0, sizeof(*rg));
}

/*
 * Untimed: populate and free a region of @bytes, so that what the timed
 * step allocates next is memory the hypervisor backs now, as foliage's
 * prefaulted guest RAM is.  (A block this VM's kernel has reported free
 * to its own host, free page reporting, costs an EPT fault per page on
 * first touch: up to ten times the fault it is part of.)
 */
static int warm_up(size_t bytes, bool thp)
{
	struct host_region rg = { 0 };
	int ret = region_map(&rg, bytes, thp);

	if (!ret && madvise(rg.p, rg.bytes, MADV_POPULATE_WRITE))
		ret = -errno;
	region_unmap(&rg);
	return ret;
}

static int host_populate(const struct host_req *req, struct host_result *res)
{
	uint64_t alloc0, fallback0, alloc1, fallback1, t0, t1;
	struct host_region rg = { 0 };
	int ret;

	ret = warm_up(req->bytes, req->thp) ?:
	      region_map(&rg, req->bytes, req->thp) ?:
	      thp_counters(&alloc0, &fallback0);
	if (ret)
		goto out;
	t0 = bench_thread_cpu_ns();
	if (madvise(rg.p, rg.bytes, MADV_POPULATE_WRITE))
		ret = -errno;
	t1 = bench_thread_cpu_ns();
	if (ret)
		goto out;
	ret = thp_counters(&alloc1, &fallback1);
	res->ns = t1 - t0;
	res->thp_fault_alloc = alloc1 - alloc0;
	res->thp_fault_fallback = fallback1 - fallback0;
out:
	region_unmap(&rg);
	return ret;
}

static int host_hugetlb(const struct host_req *req, struct host_result *res)
{
	uint64_t t0, t1;
	void *p;
	int ret = 0;

	t0 = bench_thread_cpu_ns();
	p = mmap(NULL, req->bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (madvise(p, req->bytes, MADV_POPULATE_WRITE))
		ret = -errno;
	t1 = bench_thread_cpu_ns();
	res->ns = t1 - t0;
	munmap(p, req->bytes);
	return ret;
}

/* What the child of HOST_FORK(_COW) does; it never returns. */
static void __attribute__((noreturn))
fork_child(struct host_region *rg, int reply_fd, bool cow)
{
	struct host_result res = { 0 };
	size_t off;
	uint64_t t0;

	if (cow) {
		t0 = bench_thread_cpu_ns();
		for (off = 0; off < rg->bytes; off += HOST_PAGE_SIZE)
			*(volatile char *)(rg->p + off) = (char)off + 1;
		res.ns = bench_thread_cpu_ns() - t0;
	}
	res.err = proc_value("/proc/self/status", "VmPTE", &res.vm_pte_kb);
	_exit(full_io(reply_fd, &res, sizeof(res), true) ? 1 : 0);
}

static int host_fork(struct host_region *rg, bool cow, int reply_fd,
		     struct host_result *res)
{
	struct host_result child_res;
	int fds[2], status, ret;
	uint64_t t0, t1;
	pid_t pid;

	if (!rg->p)
		return -EINVAL;
	/* Untimed: every PTE writable and dirty, every page exclusive. */
	if (madvise(rg->p, rg->bytes, MADV_POPULATE_WRITE))
		return -errno;
	ret = warm_up(rg->bytes, false);
	if (ret)
		return ret;
	if (pipe(fds))
		return -errno;
	t0 = bench_thread_cpu_ns();
	pid = fork();
	t1 = bench_thread_cpu_ns();
	if (pid == 0) {
		close(fds[0]);
		close(reply_fd);
		fork_child(rg, fds[1], cow);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -errno;
	}
	ret = full_io(fds[0], &child_res, sizeof(child_res), false);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ret = ret ?: -EIO;
	if (ret)
		return ret;
	if (child_res.err)
		return child_res.err;
	res->ns = cow ? child_res.ns : t1 - t0;
	res->vm_pte_kb = child_res.vm_pte_kb;
	return 0;
}

static void __attribute__((noreturn)) host_proc_main(int req_fd, int reply_fd)
{
	struct host_region rg = { 0 };
	struct host_req req;
	struct host_result res;

	while (!full_io(req_fd, &req, sizeof(req), false)) {
		memset(&res, 0, sizeof(res));
		switch (req.op) {
		case HOST_POPULATE:
			res.err = host_populate(&req, &res);
			break;
		case HOST_MAP:
			region_unmap(&rg);
			res.err = region_map(&rg, req.bytes, false);
			if (!res.err && madvise(rg.p, rg.bytes,
						MADV_POPULATE_WRITE))
				res.err = -errno;
			break;
		case HOST_FORK:
		case HOST_FORK_COW:
			res.err = host_fork(&rg, req.op == HOST_FORK_COW,
					    reply_fd, &res);
			break;
		case HOST_HUGETLB:
			res.err = host_hugetlb(&req, &res);
			break;
		case HOST_QUIT:
			_exit(0);
		default:
			res.err = -EINVAL;
		}
		if (full_io(reply_fd, &res, sizeof(res), true))
			break;
	}
	_exit(0);
}

int host_proc_start(struct host_proc *hp)
{
	pid_t parent = getpid();
	int req[2], reply[2];

	hp->pid = -1;
	if (pipe(req))
		return -errno;
	if (pipe(reply)) {
		close(req[0]);
		close(req[1]);
		return -errno;
	}
	fflush(NULL);
	hp->pid = fork();
	if (hp->pid == 0) {
		/* Not left behind, holding memory, if the benchmark dies. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(req[1]);
		close(reply[0]);
		host_proc_main(req[0], reply[1]);
	}
	close(req[0]);
	close(reply[1]);
	if (hp->pid < 0) {
		close(req[1]);
		close(reply[0]);
		return -errno;
	}
	hp->req_fd = req[1];
	hp->reply_fd = reply[0];
	return 0;
}

int host_proc_call(struct host_proc *hp, const struct host_req *req,
		   struct host_result *res)
{
	int ret;

	if (hp->pid <= 0)
		return -ESRCH;
	ret = full_io(hp->req_fd, (void *)req, sizeof(*req), true) ?:
	      full_io(hp->reply_fd, res, sizeof(*res), false);
	return ret ?: res->err;
}

void host_proc_stop(struct host_proc *hp)
{
	struct host_req req = { .op = HOST_QUIT };
	int status;

	if (hp->pid <= 0)
		return;
	/*
	 * A later helper inherited our end of this one's request pipe, so
	 * closing it is no EOF: ask it to quit.
	 */
	full_io(hp->req_fd, &req, sizeof(req), true);
	close(hp->req_fd);
	close(hp->reply_fd);
	waitpid(hp->pid, &status, 0);
	hp->pid = -1;
}
