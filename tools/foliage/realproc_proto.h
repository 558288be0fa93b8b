/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire protocol between the real-kernel controller (realproc.c) and
 * foliage-realproc, the small program whose processes are the real tasks
 * of 'foliage diff' (realproc/zygote.c).
 *
 * Each process is driven over its own SOCK_SEQPACKET socket: the
 * controller sends one struct rp_request, the process does it and answers
 * one struct rp_reply.  A file descriptor travels with a request as
 * SCM_RIGHTS (the new task's socket for RP_SPAWN and RP_FORK, the memfd
 * for a file RP_MMAP).  Bulk data (RP_WRITE, RP_READ) goes through the
 * transfer buffer, a memfd that the zygote maps shared and every task
 * inherits, so that the bytes a task stores are real stores of its own.
 *
 *	controller --RP_SPAWN + fd--> zygote --fork()--> task  (hello on fd)
 *	controller --RP_FORK  + fd--> task   --fork()--> child (hello on fd)
 *
 * A process exits when told to (RP_EXIT) or when its socket is closed; the
 * controller knows the exit is complete (the mm torn down) when it reads
 * EOF from the socket, since exit_mm() runs before exit_files().
 */
#ifndef _FOLIAGE_REALPROC_PROTO_H
#define _FOLIAGE_REALPROC_PROTO_H

#include <stdint.h>

/* argv of the zygote: foliage-realproc RP_ZYGOTE_ARG START LEN XFER_BYTES */
#define RP_ZYGOTE_ARG		"--zygote"
/* File descriptors the zygote starts with. */
#define RP_FD_SOCK		3	/* its socket to the controller */
#define RP_FD_XFER		4	/* the transfer buffer's memfd */

enum rp_op {
	RP_HELLO = 1,		/* (reply only) a process is ready: ret = pid */
	RP_SPAWN,		/* zygote: fork a new task on the passed fd */
	RP_FORK,		/* task: fork a child on the passed fd */
	RP_EXIT,		/* _exit(0) after the reply */
	RP_MMAP,		/* addr len prot flags offset [fd] */
	RP_MUNMAP,		/* addr len */
	RP_MPROTECT,		/* addr len prot */
	RP_MREMAP,		/* old_addr old_len new_len flags new_addr */
	RP_MADVISE,		/* addr len advice */
	RP_WRITE,		/* addr len: store len bytes of the buffer */
	RP_READ,		/* addr len: load len bytes into the buffer */
	RP_TOUCH_READ,		/* addr len: load one byte of each page */
	RP_MBIND,		/* addr len mode nodemask flags (mbind(2)) */
	RP_SET_MEMPOLICY,	/* mode nodemask (set_mempolicy(2)) */
};

/* maxnode of mbind(2) and set_mempolicy(2): a 64-bit nodemask. */
#define RP_MAXNODE		65

struct rp_request {
	uint32_t op;		/* enum rp_op */
	uint32_t pad;		/* zero */
	uint64_t arg[6];	/* the op's arguments, in the order above */
};

struct rp_reply {
	int64_t ret;		/* >= 0: result (address, pid); < 0: -errno */
	uint64_t fault_addr;	/* -EFAULT: the first address that faulted */
	uint64_t signo;		/* -EFAULT: SIGSEGV or SIGBUS */
};

#endif /* _FOLIAGE_REALPROC_PROTO_H */
