// SPDX-License-Identifier: GPL-2.0
/*
 * foliage-realproc: the real processes of 'foliage diff' (see
 * realproc_proto.h for the protocol and realproc.h for the design).
 *
 * One program plays two parts.  Started by the controller it is the
 * zygote: it reserves the window, then forks a task whenever asked.  A
 * task serves the address-space requests with real system calls, real
 * stores and real loads.  The program is static, never instrumented, and
 * allocates nothing after start-up, so that the only mappings outside the
 * window are its own few, the same in every task: what a task's fork
 * costs outside the window is the same from one run to the next.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "realproc_proto.h"

#define PAGE_BYTES	4096UL

static struct {
	int sock;			/* this process's socket */
	bool zygote;			/* the zygote, not a task */
	bool new_child;			/* just forked: nothing to answer */
	unsigned long window_start;	/* the reserved range */
	unsigned long window_end;	/* its end */
	unsigned char *xfer;		/* the transfer buffer, shared */
	unsigned long xfer_bytes;	/* its size */
} self;

/* A fault during a store or load comes back here through siglongjmp. */
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;	/* a fault is expected */
static volatile unsigned long fault_addr;	/* where it was */
static volatile int fault_signo;		/* SIGSEGV or SIGBUS */

static void on_fault(int signo, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!fault_armed) {
		/* A bug in this program: die of the signal, visibly. */
		signal(signo, SIG_DFL);
		raise(signo);
		return;
	}
	fault_armed = 0;
	fault_addr = (unsigned long)si->si_addr;
	fault_signo = signo;
	siglongjmp(fault_jmp, 1);
}

static bool in_window(unsigned long addr, unsigned long len)
{
	return addr >= self.window_start && addr <= self.window_end &&
	       len <= self.window_end - addr;
}

/* Receive one request and the descriptor that may come with it. */
static ssize_t recv_request(struct rp_request *req, int *fd)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = req, .iov_len = sizeof(*req) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	*fd = -1;
	do {
		n = recvmsg(self.sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	for (cmsg = CMSG_FIRSTHDR(&msg); n > 0 && cmsg;
	     cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return n;
}

static void send_reply(const struct rp_reply *rep)
{
	ssize_t n;

	do {
		n = send(self.sock, rep, sizeof(*rep), MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n != sizeof(*rep))
		_exit(1);
}

/*
 * Stores (RP_WRITE), loads (RP_READ) or one load a page (RP_TOUCH_READ)
 * on [addr, addr + len), a page at a time, the first byte of each page
 * first, so that a fault is reported at the first byte that faulted.
 */
static int64_t do_access(uint32_t op, unsigned long addr, unsigned long len,
			 struct rp_reply *rep)
{
	volatile unsigned long pos = addr;
	unsigned long end = addr + len;

	if (op != RP_TOUCH_READ && len > self.xfer_bytes)
		return -EINVAL;
	if (!in_window(addr, len))
		return -ERANGE;
	if (sigsetjmp(fault_jmp, 1)) {
		rep->fault_addr = fault_addr;
		rep->signo = fault_signo;
		return -EFAULT;
	}
	fault_armed = 1;
	while (pos < end) {
		unsigned long next = (pos | (PAGE_BYTES - 1)) + 1;
		volatile unsigned char *p = (unsigned char *)pos;
		unsigned char *buf = self.xfer + (pos - addr);

		if (next > end)
			next = end;
		switch (op) {
		case RP_WRITE:
			p[0] = buf[0];
			memcpy((unsigned char *)pos + 1, buf + 1, next - pos - 1);
			break;
		case RP_READ:
			buf[0] = p[0];
			memcpy(buf + 1, (unsigned char *)pos + 1, next - pos - 1);
			break;
		default:
			(void)p[0];
		}
		pos = next;
	}
	fault_armed = 0;
	return 0;
}

static int64_t syscall_result(long ret)
{
	return ret < 0 ? -errno : ret;
}

static int64_t do_mmap(const struct rp_request *req, int fd)
{
	void *p;

	if (!in_window(req->arg[0], req->arg[1]))
		return -ERANGE;
	p = mmap((void *)req->arg[0], req->arg[1], (int)req->arg[2],
		 (int)req->arg[3], fd, (off_t)req->arg[4]);
	return p == MAP_FAILED ? -errno : (int64_t)(unsigned long)p;
}

static int64_t do_mremap(const struct rp_request *req)
{
	int flags = (int)req->arg[3];
	void *p;

	/* The kernel would choose where to move: outside the window. */
	if ((flags & MREMAP_MAYMOVE) && !(flags & MREMAP_FIXED) &&
	    (req->arg[2] > req->arg[1] || (flags & MREMAP_DONTUNMAP)))
		return -ERANGE;
	if (!in_window(req->arg[0], req->arg[1]) ||
	    ((flags & MREMAP_FIXED) && !in_window(req->arg[4], req->arg[2])))
		return -ERANGE;
	p = mremap((void *)req->arg[0], req->arg[1], req->arg[2], flags,
		   (void *)req->arg[4]);
	return p == MAP_FAILED ? -errno : (int64_t)(unsigned long)p;
}

/*
 * fork() a task on the socket *@fd (taken: *@fd becomes -1).  Returns in
 * the child too, as a task that has said hello and has no fork request
 * to answer (self.new_child).
 */
static int64_t do_fork(int *fd)
{
	struct rp_reply hello = { .ret = 0 };
	int sock = *fd;
	pid_t pid;

	if (sock < 0)
		return -EBADF;
	*fd = -1;
	pid = fork();
	if (pid != 0) {
		close(sock);
		return pid < 0 ? -errno : pid;
	}
	close(self.sock);
	self.sock = sock;
	if (self.zygote) {
		self.zygote = false;
		if (munmap((void *)self.window_start,
			   self.window_end - self.window_start))
			hello.ret = -errno;
	}
	if (!hello.ret)
		hello.ret = getpid();
	send_reply(&hello);
	self.new_child = true;
	return 0;
}

/* Do @req (with the descriptor *@fd, -1 if none); the reply's value. */
static int64_t serve_one(const struct rp_request *req, int *fd,
			 struct rp_reply *rep)
{
	const uint64_t *a = req->arg;

	if (self.zygote != (req->op == RP_SPAWN) && req->op != RP_EXIT)
		return -EPERM;
	switch (req->op) {
	case RP_SPAWN:
	case RP_FORK:
		return do_fork(fd);
	case RP_MMAP:
		return do_mmap(req, *fd);
	case RP_MUNMAP:
		if (!in_window(a[0], a[1]))
			return -ERANGE;
		return syscall_result(munmap((void *)a[0], a[1]));
	case RP_MPROTECT:
		if (!in_window(a[0], a[1]))
			return -ERANGE;
		return syscall_result(mprotect((void *)a[0], a[1], (int)a[2]));
	case RP_MREMAP:
		return do_mremap(req);
	case RP_MADVISE:
		if (!in_window(a[0], a[1]))
			return -ERANGE;
		return syscall_result(madvise((void *)a[0], a[1], (int)a[2]));
	case RP_WRITE:
	case RP_READ:
	case RP_TOUCH_READ:
		return do_access(req->op, a[0], a[1], rep);
	case RP_MBIND:
		if (!in_window(a[0], a[1]))
			return -ERANGE;
		return syscall_result((int)syscall(SYS_mbind, a[0], a[1],
						   (int)a[2], &a[3],
						   RP_MAXNODE,
						   (unsigned int)a[4]));
	case RP_SET_MEMPOLICY:
		return syscall_result((int)syscall(SYS_set_mempolicy,
						   (int)a[0], &a[1],
						   RP_MAXNODE));
	}
	return -ENOSYS;
}

static void serve(void)
{
	for (;;) {
		struct rp_reply rep = { 0 };
		struct rp_request req;
		ssize_t n;
		int fd;

		n = recv_request(&req, &fd);
		if (n <= 0)
			_exit(0);	/* the controller is gone */
		if (n != sizeof(req)) {
			if (fd >= 0)
				close(fd);
			rep.ret = -EPROTO;
		} else if (req.op == RP_EXIT) {
			send_reply(&rep);
			_exit(0);
		} else {
			rep.ret = serve_one(&req, &fd, &rep);
			if (fd >= 0)
				close(fd);
			if (self.new_child) {
				self.new_child = false;
				continue;
			}
		}
		send_reply(&rep);
	}
}

/* The zygote's start: the window, the buffer, the signal handlers. */
static int64_t zygote_init(char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO };
	unsigned long start = strtoul(argv[2], NULL, 0);
	unsigned long bytes = strtoul(argv[3], NULL, 0);
	void *p;

	self.sock = RP_FD_SOCK;
	self.zygote = true;
	/* Die with the controller; reap the tasks, orphans included. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1))
		return -errno;
	if (getppid() == 1)
		_exit(1);
	signal(SIGCHLD, SIG_IGN);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -errno;
	self.xfer_bytes = strtoul(argv[4], NULL, 0);
	self.xfer = mmap(NULL, self.xfer_bytes, PROT_READ | PROT_WRITE,
			 MAP_SHARED, RP_FD_XFER, 0);
	if (self.xfer == MAP_FAILED)
		return -errno;
	close(RP_FD_XFER);
	p = mmap((void *)start, bytes, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (p != (void *)start)
		return -EEXIST;
	self.window_start = start;
	self.window_end = start + bytes;
	return getpid();
}

int main(int argc, char **argv)
{
	struct rp_reply hello = { 0 };

	if (argc != 5 || strcmp(argv[1], RP_ZYGOTE_ARG))
		return 2;
	hello.ret = zygote_init(argv);
	self.sock = RP_FD_SOCK;
	send_reply(&hello);
	if (hello.ret < 0)
		return 1;
	serve();
	return 0;
}
