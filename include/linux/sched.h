/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tasks: a pid, a name and an mm.  foliage's tasks are the user-space
 * processes of the guest; they are created, forked and exited through the
 * public API (kernel/fork.c and kernel/exit.c in Linux).
 */
#ifndef _FOLIAGE_LINUX_SCHED_H
#define _FOLIAGE_LINUX_SCHED_H

#include <linux/mm_types.h>

struct task_struct {
	int pid;			/* as /proc shows it */
	char comm[16];			/* name */
	struct mm_struct *mm;		/* its address space */
	struct task_struct *parent;	/* forked from, or NULL */
	struct list_head tasks;		/* on the machine's task list */
};

#endif /* _FOLIAGE_LINUX_SCHED_H */
