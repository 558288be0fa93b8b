// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks and the public address-space calls (kernel/fork.c, kernel/exit.c
 * and the mm syscalls' entry points, written anew).
 *
 * A task is a pid, a name and an mm; its machine keeps every live task on
 * m->tasks->list so that destroying the machine exits them.  Pids count up from
 * 1 per machine.  Every public call enters the machine, takes the mmap
 * lock for write (the mm syscalls modify VMAs), checks its arguments as
 * the syscall does, and ends with machine_exit_op() (validation in debug
 * builds).
 */
#include <stdlib.h>
#include <string.h>

#include "vma.h"
#include <linux/shmem_fs.h>
#include "task.h"
#include <linux/machine_subsys.h>

static struct foliage_task *task_alloc(struct foliage_machine *m,
				       const char *name)
{
	struct foliage_task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->machine = m;
	INIT_LIST_HEAD(&t->pins);
	INIT_LIST_HEAD(&t->task.tasks);
	/* Truncated to TASK_COMM_LEN - 1 as set_task_comm() does. */
	if (name)
		memcpy(t->task.comm, name,
		       strnlen(name, sizeof(t->task.comm) - 1));
	return t;
}

static void task_publish(struct foliage_machine *m, struct foliage_task *t)
{
	spin_lock(&m->tasks->lock);
	t->task.pid = ++m->tasks->last_pid;
	list_add_tail(&t->task.tasks, &m->tasks->list);
	spin_unlock(&m->tasks->lock);
}

int foliage_task_create(struct foliage_machine *m, const char *name,
			struct foliage_task **out)
{
	struct foliage_task *t;
	int ret;

	if (!m || !out)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	tasks_validate_read_lock(m);
	t = task_alloc(m, name);
	if (!t) {
		ret = -ENOMEM;
		goto out;
	}
	t->task.mm = mm_alloc();
	if (!t->task.mm) {
		free(t);
		ret = -ENOMEM;
		goto out;
	}
	task_publish(m, t);
	*out = t;
out:
	tasks_validate_read_unlock(m);
	machine_exit_op(m);
	return ret;
}

int foliage_fork(struct foliage_task *parent, const char *name,
		 struct foliage_task **child)
{
	struct foliage_machine *m;
	struct foliage_task *t;
	int ret;

	if (!parent || !child)
		return -EINVAL;
	m = parent->machine;
	ret = machine_enter(m);
	if (ret)
		return ret;
	tasks_validate_read_lock(m);
	t = task_alloc(m, name ? name : parent->task.comm);
	if (!t) {
		ret = -ENOMEM;
		goto out;
	}
	t->task.parent = &parent->task;
	t->task.mm = mm_alloc();
	if (!t->task.mm) {
		free(t);
		ret = -ENOMEM;
		goto out;
	}
	ret = dup_mmap(t->task.mm, parent->task.mm);
	if (ret) {
		/* The half-copied mm is torn down like any other. */
		mmput(t->task.mm);
		free(t);
		goto out;
	}
	task_publish(m, t);
	*child = t;
	touch_mm(parent->task.mm);
	touch_mm(t->task.mm);
out:
	tasks_validate_read_unlock(m);
	machine_exit_op(m);
	return ret;
}

static void __task_exit(struct foliage_task *task)
{
	struct foliage_machine *m = task->machine;

	tasks_validate_read_lock(m);
	spin_lock(&m->tasks->lock);
	list_del(&task->task.tasks);
	spin_unlock(&m->tasks->lock);
	/* Pins held through the task are released, like a closed device. */
	gup_task_exit(task);
	mmput(task->task.mm);
	free(task);
	tasks_validate_read_unlock(m);
}

int foliage_exit(struct foliage_task *task)
{
	struct foliage_machine *m;
	int ret;

	if (!task)
		return -EINVAL;
	m = task->machine;
	ret = machine_enter(m);
	if (ret)
		return ret;
	__task_exit(task);
	machine_exit_op(m);
	return 0;
}

void exit_all_tasks(struct foliage_machine *m)
{
	if (!m->tasks || machine_enter(m))
		return;
	while (!list_empty(&m->tasks->list))
		__task_exit(list_first_entry(&m->tasks->list, struct foliage_task,
					     task.tasks));
}

int task_query_begin(struct foliage_task *task, struct mm_struct **mm)
{
	int ret = machine_enter(task->machine);

	if (ret)
		return ret;
	*mm = task->task.mm;
	mmap_read_lock(*mm);
	return 0;
}

void task_query_end(struct foliage_task *task)
{
	mmap_read_unlock(task->task.mm);
	machine_leave(task->machine);
}

int foliage_task_pid(const struct foliage_task *task)
{
	return task->task.pid;
}

struct foliage_machine *foliage_task_machine(const struct foliage_task *task)
{
	return task->machine;
}

/* ---- the mm syscalls ----------------------------------------------- */

static int task_enter(struct foliage_task *task)
{
	int ret;

	if (!task)
		return -EINVAL;
	ret = machine_enter(task->machine);
	if (!ret)
		touch_mm(task->task.mm);
	return ret;
}

/*
 * A VMA operation that fails may keep a split it made on the way, as in
 * Linux (vma_modify() and vms_abort_munmap_vmas() do not merge back):
 * validate_mm() then accepts mergeable neighbours until it finds none.
 * Caller holds the mmap write lock.  (madvise under the read lock does
 * not split.)
 */
static void note_failed_vma_op(struct mm_struct *mm, bool failed)
{
	mmap_assert_write_locked(mm);
	if (failed)
		mm->splits_kept = true;
}

int foliage_mmap(struct foliage_task *task, unsigned long addr,
		 unsigned long len, int prot, int flags,
		 struct foliage_file *file, uint64_t offset,
		 unsigned long *addr_out)
{
	struct mm_struct *mm;
	struct file *f = NULL;
	unsigned long ret, populate;
	int err = task_enter(task);

	if (err)
		return err;
	/* x86's sys_mmap: the offset must be page aligned. */
	if (offset & ~PAGE_MASK) {
		machine_leave(task->machine);
		return -EINVAL;
	}
	if (!(flags & FOLIAGE_MAP_ANONYMOUS)) {
		if (!file || file->machine != task->machine) {
			machine_leave(task->machine);
			return -EBADF;
		}
		f = &file->file;
	}
	mm = task->task.mm;
	mmap_write_lock(mm);
	ret = do_mmap(mm, f, addr, len, prot, flags, offset >> PAGE_SHIFT,
		      &populate);
	note_failed_vma_op(mm, IS_ERR_VALUE(ret));
	mmap_write_unlock(mm);
	if (!IS_ERR_VALUE(ret) && populate) {
		/* mm_populate() runs under the read lock; errors are ignored. */
		mmap_read_lock(mm);
		(void)mm_populate(mm, ret, populate);
		mmap_read_unlock(mm);
	}
	machine_exit_op(task->machine);
	if (IS_ERR_VALUE(ret))
		return (long)ret;
	if (addr_out)
		*addr_out = ret;
	return 0;
}

int foliage_munmap(struct foliage_task *task, unsigned long addr,
		   unsigned long len)
{
	int err = task_enter(task);

	if (err)
		return err;
	mmap_write_lock(task->task.mm);
	err = do_vmi_munmap(task->task.mm, addr, len);
	note_failed_vma_op(task->task.mm, err);
	mmap_write_unlock(task->task.mm);
	machine_exit_op(task->machine);
	return err;
}

int foliage_mprotect(struct foliage_task *task, unsigned long addr,
		     unsigned long len, int prot)
{
	int err = task_enter(task);

	if (err)
		return err;
	mmap_write_lock(task->task.mm);
	err = do_mprotect(task->task.mm, addr, len, (unsigned int)prot);
	note_failed_vma_op(task->task.mm, err);
	mmap_write_unlock(task->task.mm);
	machine_exit_op(task->machine);
	return err;
}

int foliage_mremap(struct foliage_task *task, unsigned long old_addr,
		   unsigned long old_len, unsigned long new_len, int flags,
		   unsigned long new_addr, unsigned long *addr_out)
{
	unsigned long ret;
	int err = task_enter(task);

	if (err)
		return err;
	mmap_write_lock(task->task.mm);
	ret = do_mremap(task->task.mm, old_addr, old_len, new_len,
			(unsigned int)flags, new_addr);
	note_failed_vma_op(task->task.mm, IS_ERR_VALUE(ret));
	mmap_write_unlock(task->task.mm);
	machine_exit_op(task->machine);
	if (IS_ERR_VALUE(ret))
		return (long)ret;
	if (addr_out)
		*addr_out = ret;
	return 0;
}

int foliage_madvise(struct foliage_task *task, unsigned long addr,
		    unsigned long len, int advice)
{
	int err = task_enter(task);

	if (err)
		return err;
	if (madvise_need_mmap_write(advice)) {
		mmap_write_lock(task->task.mm);
		err = do_madvise(task->task.mm, addr, len, advice);
		note_failed_vma_op(task->task.mm, err);
		mmap_write_unlock(task->task.mm);
	} else {
		mmap_read_lock(task->task.mm);
		err = do_madvise(task->task.mm, addr, len, advice);
		mmap_read_unlock(task->task.mm);
	}
	machine_exit_op(task->machine);
	return err;
}

/* ---- the subsystem: the machine's task list ---- */

static int task_list_init(struct foliage_machine *m)
{
	INIT_LIST_HEAD(&m->tasks->list);
	spin_lock_init(&m->tasks->lock);
	return 0;
}

const struct machine_subsys task_subsys = {
	.name = "task",
	MACHINE_SUBSYS_STATE(tasks),
	.init = task_list_init,
	.exit = exit_all_tasks,	/* tasks still alive exit, as at shutdown */
};
