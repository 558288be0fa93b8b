/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Out of memory (mm/oom_kill.c): the notifier chain Linux's
 * out_of_memory() runs before it picks a victim.  foliage has no OOM
 * killer; an allocation that would invoke it (see
 * __alloc_pages_may_oom() in mm/page_alloc.c) runs the notifiers, and
 * retries when they freed pages.  A balloon with DEFLATE_ON_OOM is the
 * one user.
 *
 * Notifiers run in descending priority order, on the allocating thread,
 * and may sleep (a blocking chain: an rwlock taken for read).
 */
#ifndef _FOLIAGE_LINUX_OOM_H
#define _FOLIAGE_LINUX_OOM_H

#include <linux/list.h>

#define NOTIFY_DONE	0x0000		/* don't care */
#define NOTIFY_OK	0x0001		/* suits me */

struct notifier_block {
	/* @parm is an unsigned long *: add the pages freed to it. */
	int (*notifier_call)(struct notifier_block *nb, unsigned long action,
			     void *parm);
	int priority;			/* higher runs first */
	struct list_head list;		/* on the machine's chain */
};

struct oom_state;

int register_oom_notifier(struct notifier_block *nb);
int unregister_oom_notifier(struct notifier_block *nb);
/* Run the chain; the pages the notifiers freed. */
unsigned long out_of_memory(void);

#endif /* _FOLIAGE_LINUX_OOM_H */
