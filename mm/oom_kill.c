// SPDX-License-Identifier: GPL-2.0
/*
 * The OOM notifier chain (include/linux/oom.h).  The chain is a blocking
 * one: notifiers run under the rwlock taken for read and may sleep, so a
 * writer (register/unregister) waits for them with its CPU given up.
 */
#include <pthread.h>

#include <linux/cpu.h>
#include <linux/machine_subsys.h>
#include <linux/mm.h>
#include <linux/oom.h>

struct oom_state {
	pthread_rwlock_t lock;		/* readers: the chain runs */
	struct list_head notifiers;	/* by descending priority */
};

static int oom_init(struct foliage_machine *m)
{
	pthread_rwlock_init(&m->oom->lock, NULL);
	INIT_LIST_HEAD(&m->oom->notifiers);
	return 0;
}

static void oom_exit(struct foliage_machine *m)
{
	if (m->oom)
		pthread_rwlock_destroy(&m->oom->lock);
}

const struct machine_subsys oom_subsys = {
	.name = "oom",
	.init = oom_init,
	.exit = oom_exit,
	MACHINE_SUBSYS_STATE(oom),
};

/* Take the chain for writing without holding a CPU while blocked. */
static void oom_chain_write_lock(struct oom_state *oom)
{
	if (!pthread_rwlock_trywrlock(&oom->lock))
		return;
	cpu_sleep_begin();
	pthread_rwlock_wrlock(&oom->lock);
	cpu_sleep_end();
}

int register_oom_notifier(struct notifier_block *nb)
{
	struct oom_state *oom = this_machine->oom;
	struct notifier_block *pos;

	oom_chain_write_lock(oom);
	list_for_each_entry(pos, &oom->notifiers, list)
		if (pos->priority < nb->priority)
			break;
	list_add_tail(&nb->list, &pos->list);
	pthread_rwlock_unlock(&oom->lock);
	return 0;
}

int unregister_oom_notifier(struct notifier_block *nb)
{
	struct oom_state *oom = this_machine->oom;

	oom_chain_write_lock(oom);
	list_del_init(&nb->list);
	pthread_rwlock_unlock(&oom->lock);
	return 0;
}

unsigned long out_of_memory(void)
{
	struct oom_state *oom = this_machine->oom;
	struct notifier_block *nb;
	unsigned long freed = 0;

	if (!oom || pthread_rwlock_tryrdlock(&oom->lock))
		return 0;	/* a writer is changing the chain: skip */
	list_for_each_entry(nb, &oom->notifiers, list)
		nb->notifier_call(nb, 0, &freed);
	pthread_rwlock_unlock(&oom->lock);
	return freed;
}
