// SPDX-License-Identifier: GPL-2.0
/*
 * realproc: tasks as real processes of the running kernel (realproc.h),
 * driven over sockets (realproc_proto.h) and observed through /proc,
 * /sys/kernel/slab and a private tracefs instance.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "realproc.h"
#include "realproc_proto.h"

#define PAGE_BYTES		4096UL
#define DEFAULT_XFER_BYTES	(1UL << 20)
#define DEFAULT_TIMEOUT_MS	30000U
#define HELPER_NAME		"foliage-realproc"

extern char **environ;

const char *const realproc_cache_name[REALPROC_NR_CACHES] = {
	[REALPROC_VM_AREA_STRUCT] = "vm_area_struct",
	[REALPROC_ANON_VMA] = "anon_vma",
	[REALPROC_ANON_VMA_CHAIN] = "anon_vma_chain",
};

/* The counting of slab events in realproc's own processes. */
struct realproc_trace {
	char dir[128];			/* the instance; "" if none */
	int pipe_fd;			/* its trace_pipe, non-blocking */
	char line[1024];		/* a line read in part */
	size_t line_len;		/* bytes in line */
	bool lost;			/* the ring buffer dropped events */
	struct realproc_objects counts;	/* everything read so far */
};

struct realproc {
	pid_t zygote_pid;		/* the zygote, our child */
	int zygote_sock;		/* its socket */
	unsigned long window_start;	/* the reserved range */
	unsigned long window_end;	/* its end */
	unsigned char *xfer;		/* transfer buffer (shared) */
	size_t xfer_bytes;		/* its size */
	unsigned int timeout_ms;	/* per request */
	struct realproc_task *tasks;	/* live tasks, newest first */
	struct realproc_trace trace;	/* exact object counts */
};

struct realproc_task {
	struct realproc *rp;		/* owner */
	int sock;			/* its socket */
	pid_t pid;			/* its pid */
	struct realproc_task *next;	/* in rp->tasks */
};

struct realproc_file {
	int fd;				/* the memfd */
};

void realproc_config_init(struct realproc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->window_start = REALPROC_WINDOW_START;
	cfg->window_bytes = REALPROC_WINDOW_BYTES;
	cfg->trace = true;
}

/* ---- small file helpers ---------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

/* The whole of @path, NUL-terminated and malloc()ed. */
static int read_whole(const char *path, char **out)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap);
	int fd, ret = 0;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 4096) {
			char *more = realloc(buf, cap * 2);

			if (!more) {
				ret = -ENOMEM;
				break;
			}
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* ---- the protocol ------------------------------------------------------ */

static int send_request(int sock, const struct rp_request *req, int fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)req, .iov_len = sizeof(*req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(control, 0, sizeof(control));
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(*req) ? 0 : -EPROTO;
}

/* One reply; -EPIPE if the process is gone, -ETIMEDOUT if it hangs. */
static int recv_reply(int sock, unsigned int timeout_ms,
		      struct rp_reply *rep)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	ssize_t n;
	int ret;

	do {
		ret = poll(&pfd, 1, (int)timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	do {
		n = recv(sock, rep, sizeof(*rep), 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	return n == sizeof(*rep) ? 0 : -EPROTO;
}

/*
 * Send @req (with @fd, or -1) to @sock and wait for the answer: its
 * value (>= 0) or -errno, with the fault details in *@rep if not NULL.
 */
static int64_t call(struct realproc *rp, int sock, uint32_t op,
		    const uint64_t *args, unsigned int nr_args, int fd,
		    struct rp_reply *rep)
{
	struct rp_request req = { .op = op };
	struct rp_reply r;
	int ret;

	if (nr_args)
		memcpy(req.arg, args, nr_args * sizeof(*args));
	ret = send_request(sock, &req, fd);
	if (!ret)
		ret = recv_reply(sock, rp->timeout_ms, &r);
	if (ret)
		return ret;
	if (rep)
		*rep = r;
	return r.ret;
}

/* Wait until @sock's process has closed it (its exit is complete). */
static int wait_eof(int sock, unsigned int timeout_ms)
{
	struct rp_reply r;
	int ret;

	for (;;) {
		ret = recv_reply(sock, timeout_ms, &r);
		if (ret == -EPIPE || ret == -ECONNRESET)
			return 0;
		if (ret)
			return ret;
	}
}

/* ---- tracing ------------------------------------------------------------ */

static const char *const trace_roots[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

static void trace_teardown(struct realproc_trace *tr)
{
	if (!tr->dir[0])
		return;
	if (tr->pipe_fd >= 0)
		close(tr->pipe_fd);
	tr->pipe_fd = -1;
	write_file(tr->dir, "events/kmem/kmem_cache_alloc/enable", "0");
	write_file(tr->dir, "events/kmem/kmem_cache_free/enable", "0");
	rmdir(tr->dir);
	tr->dir[0] = '\0';
}

#define TRACE_INSTANCE_PREFIX	"foliage-realproc-"

/* Trace instances this process has made, to name the next one. */
static unsigned int nr_instances;

/*
 * Remove the instances (foliage-realproc-PID-N) of controllers that died
 * without tearing down.
 */
static void trace_remove_stale(const char *instances)
{
	size_t len = strlen(TRACE_INSTANCE_PREFIX);
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;

	dir = opendir(instances);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		long pid;

		if (strncmp(d->d_name, TRACE_INSTANCE_PREFIX, len))
			continue;
		pid = strtol(d->d_name + len, NULL, 10);
		if (pid <= 0 || (kill((pid_t)pid, 0) && errno == ESRCH)) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s",
					     instances, d->d_name) <
			    sizeof(path))
				rmdir(path);
		}
	}
	closedir(dir);
}

/*
 * A private instance that records kmem_cache_alloc/free of our three
 * caches by @pid and every process it forks afterwards.
 */
static int trace_setup(struct realproc_trace *tr, pid_t pid)
{
	static const char filter[] =
		"name == \"vm_area_struct\" || name == \"anon_vma\" || "
		"name == \"anon_vma_chain\"";
	char path[PATH_MAX], text[32];
	size_t i;
	int ret = -ENOENT;

	tr->pipe_fd = -1;
	for (i = 0; i < sizeof(trace_roots) / sizeof(trace_roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/instances", trace_roots[i]);
		if (!access(path, W_OK))
			break;
	}
	if (i == sizeof(trace_roots) / sizeof(trace_roots[0]))
		return -EOPNOTSUPP;
	trace_remove_stale(path);
	/* PID-N: the N-th of this process (a controller may have several). */
	if (snprintf(tr->dir, sizeof(tr->dir), "%s/" TRACE_INSTANCE_PREFIX
		     "%d-%u", path, (int)getpid(),
		     __atomic_fetch_add(&nr_instances, 1, __ATOMIC_RELAXED)) >=
	    (int)sizeof(tr->dir))
		return -ENAMETOOLONG;
	rmdir(tr->dir);		/* left by an earlier process of our pid */
	if (mkdir(tr->dir, 0700)) {
		ret = -errno;
		tr->dir[0] = '\0';
		return ret;
	}
	snprintf(text, sizeof(text), "%d", (int)pid);
	if ((ret = write_file(tr->dir, "buffer_size_kb", "8192")) ||
	    (ret = write_file(tr->dir, "events/kmem/kmem_cache_alloc/filter",
			      filter)) ||
	    (ret = write_file(tr->dir, "events/kmem/kmem_cache_free/filter",
			      filter)) ||
	    (ret = write_file(tr->dir, "options/event-fork", "1")) ||
	    (ret = write_file(tr->dir, "set_event_pid", text)))
		goto fail;
	snprintf(path, sizeof(path), "%s/trace_pipe", tr->dir);
	tr->pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (tr->pipe_fd < 0) {
		ret = -errno;
		goto fail;
	}
	if ((ret = write_file(tr->dir, "events/kmem/kmem_cache_alloc/enable",
			      "1")) ||
	    (ret = write_file(tr->dir, "events/kmem/kmem_cache_free/enable",
			      "1")))
		goto fail;
	return 0;
fail:
	trace_teardown(tr);
	return ret;
}

/*
 * One line of trace_pipe:
 *   "  comm-pid  [cpu] flags  ts: kmem_cache_alloc: call_site=SYM+0x.. ...
 *    name=CACHE ..."
 * The anon_vma_chain cache is merged with other 64-byte caches (fs_cache,
 * eventpoll_pwq) on some kernels, and merged caches trace under the first
 * name: its objects count only when allocated or freed by the anon_vma
 * code, whose functions all have "anon_vma" in their names.
 */
static void trace_line(struct realproc_trace *tr, const char *line)
{
	const char *ev, *name, *site;
	unsigned long *counts;
	size_t len;
	int i;

	if (strstr(line, "LOST") && strstr(line, "EVENTS")) {
		tr->lost = true;
		return;
	}
	if ((ev = strstr(line, "kmem_cache_alloc: ")))
		counts = tr->counts.allocs;
	else if ((ev = strstr(line, "kmem_cache_free: ")))
		counts = tr->counts.frees;
	else
		return;
	name = strstr(ev, " name=");
	site = strstr(ev, "call_site=");
	if (!name || !site)
		return;
	name += strlen(" name=");
	len = strcspn(name, " ");
	for (i = 0; i < REALPROC_NR_CACHES; i++) {
		if (strlen(realproc_cache_name[i]) != len ||
		    strncmp(name, realproc_cache_name[i], len))
			continue;
		if (i == REALPROC_ANON_VMA_CHAIN) {
			size_t site_len = strcspn(site, " ");

			if (!memmem(site, site_len, "anon_vma", 8))
				return;
		}
		counts[i]++;
		return;
	}
}

/* Read and count everything trace_pipe holds now. */
static int trace_drain(struct realproc_trace *tr)
{
	char buf[16384];

	for (;;) {
		ssize_t n = read(tr->pipe_fd, buf, sizeof(buf));
		ssize_t i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (tr->line_len < sizeof(tr->line) - 1)
					tr->line[tr->line_len++] = buf[i];
				continue;
			}
			tr->line[tr->line_len] = '\0';
			trace_line(tr, tr->line);
			tr->line_len = 0;
		}
	}
}

int realproc_objects(struct realproc *rp, struct realproc_objects *out)
{
	int ret;

	if (!rp->trace.dir[0])
		return -EOPNOTSUPP;
	ret = trace_drain(&rp->trace);
	if (ret)
		return ret;
	if (rp->trace.lost)
		return -EOVERFLOW;
	*out = rp->trace.counts;
	return 0;
}

bool realproc_tracing(const struct realproc *rp)
{
	return rp->trace.dir[0] != '\0';
}

/* ---- the zygote ----------------------------------------------------------- */

/* The first helper that exists, per realproc_create()'s rules. */
static int find_helper(const char *given, char *path, size_t len)
{
	const char *env = getenv("FOLIAGE_REALPROC");
	char self[PATH_MAX];
	ssize_t n;

	if (given || env) {
		snprintf(path, len, "%s", given ? given : env);
		return access(path, X_OK) ? -ENOENT : 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if ((size_t)snprintf(path, len, "%s/" HELPER_NAME,
					     self) < len &&
			    !access(path, X_OK))
				return 0;
		}
	}
#ifdef FOLIAGE_REALPROC_HELPER
	snprintf(path, len, "%s", FOLIAGE_REALPROC_HELPER);
	if (!access(path, X_OK))
		return 0;
#endif
	return -ENOENT;
}

/* A descriptor number above the zygote's fixed ones, close-on-exec. */
static int fd_high(int fd)
{
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);

	close(fd);
	return high < 0 ? -errno : high;
}

static int spawn_zygote(struct realproc *rp, const char *helper, int sock,
			int xfer_fd)
{
	char start[32], bytes[32], xfer[32];
	char *argv[] = { (char *)helper, RP_ZYGOTE_ARG, start, bytes, xfer,
			 NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int ret;

	snprintf(start, sizeof(start), "%#lx", rp->window_start);
	snprintf(bytes, sizeof(bytes), "%#lx",
		 rp->window_end - rp->window_start);
	snprintf(xfer, sizeof(xfer), "%zu", rp->xfer_bytes);
	ret = posix_spawn_file_actions_init(&fa);
	if (ret)
		return -ret;
	ret = posix_spawn_file_actions_adddup2(&fa, sock, RP_FD_SOCK);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&fa, xfer_fd,
						       RP_FD_XFER);
	if (!ret)
		ret = posix_spawn(&pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return -ret;
	rp->zygote_pid = pid;
	return 0;
}

int realproc_create(const struct realproc_config *cfg, struct realproc **out)
{
	char helper[PATH_MAX];
	struct realproc *rp;
	struct rp_reply hello;
	int sv[2], xfer_fd, ret;

	if ((cfg->window_start | cfg->window_bytes) & (PAGE_BYTES - 1) ||
	    !cfg->window_bytes)
		return -EINVAL;
	ret = find_helper(cfg->helper, helper, sizeof(helper));
	if (ret)
		return ret;
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	rp->zygote_sock = -1;
	rp->trace.pipe_fd = -1;
	rp->window_start = cfg->window_start;
	rp->window_end = cfg->window_start + cfg->window_bytes;
	rp->xfer_bytes = cfg->xfer_bytes ? cfg->xfer_bytes : DEFAULT_XFER_BYTES;
	rp->xfer_bytes = (rp->xfer_bytes + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
	rp->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;

	xfer_fd = memfd_create("foliage-realproc-xfer", MFD_CLOEXEC);
	if (xfer_fd < 0 || (xfer_fd = fd_high(xfer_fd)) < 0) {
		ret = xfer_fd < 0 ? -errno : xfer_fd;
		goto out_free;
	}
	if (ftruncate(xfer_fd, rp->xfer_bytes)) {
		ret = -errno;
		goto out_close_xfer;
	}
	rp->xfer = mmap(NULL, rp->xfer_bytes, PROT_READ | PROT_WRITE,
			MAP_SHARED, xfer_fd, 0);
	if (rp->xfer == MAP_FAILED) {
		ret = -errno;
		rp->xfer = NULL;
		goto out_close_xfer;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		goto out_unmap;
	}
	if ((sv[1] = fd_high(sv[1])) < 0) {
		ret = sv[1];
		close(sv[0]);
		goto out_unmap;
	}
	rp->zygote_sock = sv[0];
	ret = spawn_zygote(rp, helper, sv[1], xfer_fd);
	close(sv[1]);
	if (ret)
		goto out_sock;
	ret = recv_reply(rp->zygote_sock, rp->timeout_ms, &hello);
	if (!ret && hello.ret < 0)
		ret = (int)hello.ret;
	if (ret)
		goto out_zygote;
	if (cfg->trace)
		trace_setup(&rp->trace, rp->zygote_pid);
	close(xfer_fd);
	*out = rp;
	return 0;

out_zygote:
	kill(rp->zygote_pid, SIGKILL);
	waitpid(rp->zygote_pid, NULL, 0);
out_sock:
	close(rp->zygote_sock);
out_unmap:
	munmap(rp->xfer, rp->xfer_bytes);
out_close_xfer:
	close(xfer_fd);
out_free:
	free(rp);
	return ret;
}

static void task_unlink(struct realproc_task *t)
{
	struct realproc_task **p;

	for (p = &t->rp->tasks; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
}

void realproc_destroy(struct realproc *rp)
{
	int status;

	if (!rp)
		return;
	while (rp->tasks)
		realproc_exit(rp->tasks);
	call(rp, rp->zygote_sock, RP_EXIT, NULL, 0, -1, NULL);
	close(rp->zygote_sock);
	while (waitpid(rp->zygote_pid, &status, 0) < 0 && errno == EINTR)
		;
	trace_teardown(&rp->trace);
	munmap(rp->xfer, rp->xfer_bytes);
	free(rp);
}

unsigned long realproc_window_start(const struct realproc *rp)
{
	return rp->window_start;
}

unsigned long realproc_window_end(const struct realproc *rp)
{
	return rp->window_end;
}

int realproc_zygote_pid(const struct realproc *rp)
{
	return rp->zygote_pid;
}

/* ---- tasks ------------------------------------------------------------ */

/* Ask the process on @sock to fork (@op) a new task, and greet it. */
static int new_task(struct realproc *rp, int sock, uint32_t op,
		    struct realproc_task **out)
{
	struct realproc_task *t;
	struct rp_reply hello;
	int sv[2], ret;
	int64_t pid;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		free(t);
		return ret;
	}
	pid = call(rp, sock, op, NULL, 0, sv[1], NULL);
	close(sv[1]);
	ret = pid < 0 ? (int)pid : recv_reply(sv[0], rp->timeout_ms, &hello);
	if (!ret && hello.ret < 0)
		ret = (int)hello.ret;
	if (!ret && hello.ret != pid)
		ret = -EPROTO;
	if (ret) {
		close(sv[0]);
		free(t);
		return ret;
	}
	t->rp = rp;
	t->sock = sv[0];
	t->pid = (pid_t)pid;
	t->next = rp->tasks;
	rp->tasks = t;
	*out = t;
	return 0;
}

int realproc_task_create(struct realproc *rp, struct realproc_task **out)
{
	return new_task(rp, rp->zygote_sock, RP_SPAWN, out);
}

int realproc_fork(struct realproc_task *parent, struct realproc_task **child)
{
	return new_task(parent->rp, parent->sock, RP_FORK, child);
}

int realproc_exit(struct realproc_task *t)
{
	int64_t ret = call(t->rp, t->sock, RP_EXIT, NULL, 0, -1, NULL);

	if (!ret)
		ret = wait_eof(t->sock, t->rp->timeout_ms);
	task_unlink(t);
	close(t->sock);
	free(t);
	return (int)ret;
}

int realproc_task_pid(const struct realproc_task *t)
{
	return t->pid;
}

/* ---- files ------------------------------------------------------------ */

int realproc_file_create(struct realproc *rp, const char *name,
			 uint64_t bytes, struct realproc_file **out)
{
	struct realproc_file *f = calloc(1, sizeof(*f));
	int ret;

	(void)rp;
	if (!f)
		return -ENOMEM;
	f->fd = memfd_create(name, MFD_CLOEXEC);
	if (f->fd < 0 || ftruncate(f->fd, (off_t)bytes)) {
		ret = -errno;
		if (f->fd >= 0)
			close(f->fd);
		free(f);
		return ret;
	}
	*out = f;
	return 0;
}

void realproc_file_put(struct realproc_file *f)
{
	if (!f)
		return;
	close(f->fd);
	free(f);
}

/* ---- system calls ----------------------------------------------------- */

static bool in_window(const struct realproc *rp, unsigned long addr,
		      unsigned long len)
{
	return addr >= rp->window_start && addr <= rp->window_end &&
	       len <= rp->window_end - addr;
}

/* A call whose value is an address: 0 and *@addr_out, or -errno. */
static int call_addr(struct realproc_task *t, uint32_t op,
		     const uint64_t *args, unsigned int nr_args, int fd,
		     unsigned long *addr_out)
{
	int64_t ret = call(t->rp, t->sock, op, args, nr_args, fd, NULL);

	if (ret < 0)
		return (int)ret;
	if (addr_out)
		*addr_out = (unsigned long)ret;
	return 0;
}

int realproc_mmap(struct realproc_task *t, unsigned long addr,
		  unsigned long len, int prot, int flags,
		  struct realproc_file *file, uint64_t offset,
		  unsigned long *addr_out)
{
	uint64_t args[5] = { addr, len, (uint64_t)prot, 0, offset };

	if (!in_window(t->rp, addr, len))
		return -ERANGE;
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		flags |= MAP_FIXED;
	args[3] = (uint64_t)(unsigned int)flags;
	return call_addr(t, RP_MMAP, args, 5, file ? file->fd : -1, addr_out);
}

/* A call on a range of the window that answers 0 or -errno. */
static int call_range(struct realproc_task *t, uint32_t op,
		      unsigned long addr, unsigned long len, uint64_t arg)
{
	uint64_t args[3] = { addr, len, arg };

	if (!in_window(t->rp, addr, len))
		return -ERANGE;
	return (int)call(t->rp, t->sock, op, args, 3, -1, NULL);
}

int realproc_munmap(struct realproc_task *t, unsigned long addr,
		    unsigned long len)
{
	return call_range(t, RP_MUNMAP, addr, len, 0);
}

int realproc_mprotect(struct realproc_task *t, unsigned long addr,
		      unsigned long len, int prot)
{
	return call_range(t, RP_MPROTECT, addr, len, (uint64_t)prot);
}

int realproc_madvise(struct realproc_task *t, unsigned long addr,
		     unsigned long len, int advice)
{
	return call_range(t, RP_MADVISE, addr, len, (uint64_t)advice);
}

int realproc_mremap(struct realproc_task *t, unsigned long old_addr,
		    unsigned long old_len, unsigned long new_len, int flags,
		    unsigned long new_addr, unsigned long *addr_out)
{
	uint64_t args[5] = { old_addr, old_len, new_len,
			     (uint64_t)(unsigned int)flags, new_addr };

	if (!in_window(t->rp, old_addr, old_len) ||
	    ((flags & MREMAP_FIXED) && !in_window(t->rp, new_addr, new_len)))
		return -ERANGE;
	if ((flags & MREMAP_MAYMOVE) && !(flags & MREMAP_FIXED) &&
	    (new_len > old_len || (flags & MREMAP_DONTUNMAP)))
		return -ERANGE;
	return call_addr(t, RP_MREMAP, args, 5, -1, addr_out);
}

/* ---- NUMA policy and migration ------------------------------------------ */

int realproc_mbind(struct realproc_task *t, unsigned long addr,
		   unsigned long len, int mode, uint64_t nodemask,
		   unsigned int flags)
{
	uint64_t args[5] = { addr, len, (uint64_t)(unsigned int)mode,
			     nodemask, flags };

	if (!in_window(t->rp, addr, len))
		return -ERANGE;
	return (int)call(t->rp, t->sock, RP_MBIND, args, 5, -1, NULL);
}

int realproc_set_mempolicy(struct realproc_task *t, int mode,
			   uint64_t nodemask)
{
	uint64_t args[2] = { (uint64_t)(unsigned int)mode, nodemask };

	return (int)call(t->rp, t->sock, RP_SET_MEMPOLICY, args, 2, -1, NULL);
}

int realproc_move_pages(struct realproc_task *t, unsigned long nr,
			const unsigned long *pages, const int *nodes,
			int *status, int flags)
{
	void **addrs = malloc((nr ? nr : 1) * sizeof(*addrs));
	unsigned long i;
	long ret;

	if (!addrs)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (!in_window(t->rp, pages[i], PAGE_BYTES)) {
			free(addrs);
			return -ERANGE;
		}
		addrs[i] = (void *)pages[i];
	}
	ret = syscall(SYS_move_pages, (int)t->pid, nr, addrs, nodes, status,
		      flags);
	free(addrs);
	return ret < 0 ? -errno : (int)ret;
}

int realproc_migrate_pages(struct realproc_task *t, uint64_t from,
			   uint64_t to)
{
	long ret = syscall(SYS_migrate_pages, (int)t->pid, RP_MAXNODE, &from,
			   &to);

	return ret < 0 ? -errno : (int)ret;
}

int realproc_host_nodes(uint64_t *mask)
{
	char *text, *p, *end;
	int ret;

	*mask = 0;
	ret = read_whole("/sys/devices/system/node/has_memory", &text);
	if (ret == -ENOENT) {
		*mask = 1;
		return 0;
	}
	if (ret)
		return ret;
	/* "0", "0-1", "0,2-3" (%*pbl) */
	for (p = text; *p && *p != '\n';) {
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			break;
		p = end;
		if (*p == '-')
			hi = strtoul(p + 1, &p, 10);
		for (; lo <= hi && lo < 64; lo++)
			*mask |= 1ULL << lo;
		if (*p == ',')
			p++;
	}
	free(text);
	return *mask ? 0 : -EINVAL;
}

/* ---- stores and loads ------------------------------------------------ */

/* One chunk (at most the transfer buffer) of an access. */
static int access_chunk(struct realproc_task *t, uint32_t op,
			unsigned long addr, unsigned long len,
			unsigned long *fault_addr)
{
	uint64_t args[2] = { addr, len };
	struct rp_reply rep;
	int64_t ret;

	ret = call(t->rp, t->sock, op, args, 2, -1, &rep);
	if (ret == -EFAULT && fault_addr)
		*fault_addr = rep.fault_addr;
	return (int)ret;
}

/*
 * Store @in (RP_WRITE) or load into @out (RP_READ) @len bytes at @addr,
 * through the transfer buffer a chunk at a time.
 */
static int access_bytes(struct realproc_task *t, uint32_t op,
			unsigned long addr, const void *in, void *out,
			size_t len, unsigned long *fault_addr)
{
	struct realproc *rp = t->rp;
	size_t done = 0;
	int ret = 0;

	if (!in_window(rp, addr, len))
		return -ERANGE;
	while (done < len && !ret) {
		size_t n = len - done < rp->xfer_bytes ? len - done :
			   rp->xfer_bytes;

		if (in)
			memcpy(rp->xfer, (const char *)in + done, n);
		ret = access_chunk(t, op, addr + done, n, fault_addr);
		if (out && !ret)
			memcpy((char *)out + done, rp->xfer, n);
		done += n;
	}
	return ret;
}

int realproc_write(struct realproc_task *t, unsigned long addr,
		   const void *buf, size_t len, unsigned long *fault_addr)
{
	return access_bytes(t, RP_WRITE, addr, buf, NULL, len, fault_addr);
}

int realproc_read(struct realproc_task *t, unsigned long addr, void *buf,
		  size_t len, unsigned long *fault_addr)
{
	return access_bytes(t, RP_READ, addr, NULL, buf, len, fault_addr);
}

int realproc_touch_read(struct realproc_task *t, unsigned long addr,
			unsigned long len, unsigned long *fault_addr)
{
	if (!in_window(t->rp, addr, len))
		return -ERANGE;
	return access_chunk(t, RP_TOUCH_READ, addr, len, fault_addr);
}

/* ---- observation ---------------------------------------------------- */

int realproc_proc_read(struct realproc_task *t, const char *what,
		       char **out)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)t->pid, what);
	return read_whole(path, out);
}

int realproc_own_vmas(struct realproc_task *t)
{
	unsigned long start, end;
	char *text, *p;
	int ret, nr = 0;

	ret = realproc_proc_read(t, "maps", &text);
	if (ret)
		return ret;
	for (p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		start = strtoul(p, &p, 16);
		if (*p != '-')
			continue;
		end = strtoul(p + 1, &p, 16);
		if (end <= t->rp->window_start || start >= t->rp->window_end)
			nr++;
	}
	free(text);
	return nr;
}

/* Read @nr 64-bit entries at entry @index of the file @path. */
static int pread_entries(const char *path, unsigned long index,
			 unsigned long nr, uint64_t *entries)
{
	size_t want = nr * sizeof(uint64_t), done = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < want) {
		ssize_t n = pread(fd, (char *)entries + done, want - done,
				  (off_t)(index * sizeof(uint64_t) + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		done += n;
	}
	close(fd);
	return ret;
}

int realproc_pagemap(struct realproc_task *t, unsigned long addr,
		     unsigned long nr_pages, uint64_t *entries)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)t->pid);
	return pread_entries(path, addr / PAGE_BYTES, nr_pages, entries);
}

int realproc_kpageflags(unsigned long pfn, uint64_t *flags)
{
	return pread_entries("/proc/kpageflags", pfn, 1, flags);
}

static void slab_shrink(void)
{
	char dir[PATH_MAX];
	int i;

	for (i = 0; i < REALPROC_NR_CACHES; i++) {
		snprintf(dir, sizeof(dir), "/sys/kernel/slab/%s",
			 realproc_cache_name[i]);
		write_file(dir, "shrink", "1");
	}
}

int realproc_slabinfo(bool shrink, char **text)
{
	if (shrink)
		slab_shrink();
	return read_whole("/proc/slabinfo", text);
}

bool realproc_observable(char *why, size_t len)
{
	static volatile char probe = 1;
	uint64_t entry = 0;
	char path[64], *text;
	int ret;

	if (!why)
		len = 0;
	ret = realproc_slabinfo(false, &text);
	if (!ret)
		free(text);
	if (ret) {
		snprintf(why, len, "/proc/slabinfo is not readable (%s)",
			 strerror(-ret));
		return false;
	}
	/* A page of ours that is surely present: its PFN must show. */
	probe++;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)getpid());
	ret = pread_entries(path, (unsigned long)&probe / PAGE_BYTES, 1,
			    &entry);
	if (ret) {
		snprintf(why, len, "/proc/PID/pagemap is not readable (%s)",
			 strerror(-ret));
		return false;
	}
	if (!(entry & REALPROC_PM_PRESENT) ||
	    !(entry & REALPROC_PM_PFN_MASK)) {
		snprintf(why, len, "/proc/PID/pagemap hides PFNs "
			 "(CAP_SYS_ADMIN is needed)");
		return false;
	}
	return true;
}
