/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tasks as the public API hands them out (mm/task.c): the kernel's
 * task_struct, the machine it lives in, and the foliage_pin() ranges it
 * holds.  Private to the library (and to tests that look inside a task).
 */
#ifndef _FOLIAGE_MM_TASK_H
#define _FOLIAGE_MM_TASK_H

#include <linux/sched.h>
#include <linux/mm.h>

struct foliage_task {
	struct task_struct task;	/* the kernel's view */
	struct foliage_machine *machine; /* owner */
	struct list_head pins;		/* foliage_pin() ranges (mm/gup.c) */
};

/* The machine's tasks (machine->tasks, allocated by task_subsys). */
struct task_list {
	struct list_head list;		/* live tasks (task_struct.tasks) */
	spinlock_t lock;		/* protects list and last_pid */
	int last_pid;			/* pid of the newest task */
};

/* Release every foliage_pin() the task still holds (at exit, like a
 * driver's file being closed). */
void gup_task_exit(struct foliage_task *task);

/*
 * A read-only query of @task's address space: enter its machine and take
 * its mmap_lock for read (*@mm: the mm); 0 or -errno (nothing held then).
 * A query changes nothing, so task_query_end() unlocks and leaves the
 * machine without machine_exit_op() (whose validators would run once per
 * page of a range a caller walks).
 */
int __must_check task_query_begin(struct foliage_task *task,
				  struct mm_struct **mm);
void task_query_end(struct foliage_task *task);

/* mm/task.c: exit every task left when the machine is destroyed. */
void exit_all_tasks(struct foliage_machine *m);

#endif /* _FOLIAGE_MM_TASK_H */
