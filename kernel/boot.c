// SPDX-License-Identifier: GPL-2.0
/*
 * A machine's kernel/ state: set up at boot, stopped and freed at
 * foliage_machine_destroy().
 */
#include <stdlib.h>

#include "internal.h"

void machine_clock_init(struct foliage_machine *m);

int machine_kernel_init(struct foliage_machine *m)
{
	struct machine_kernel *mk = calloc(1, sizeof(*mk));
	int ret;

	if (!mk)
		return -ENOMEM;
	m->kernel = mk;
	pthread_mutex_init(&mk->kthreads_lock, NULL);
	INIT_LIST_HEAD(&mk->kthreads);
	machine_cpus_init(m);
	machine_clock_init(m);
	ret = workqueues_init(m);
	if (ret) {
		machine_kernel_exit(m);
		return ret;
	}
	return 0;
}

void machine_kernel_stop(struct foliage_machine *m)
{
	if (!m->kernel)
		return;
	/* Threads being stopped may need this thread's CPU to finish. */
	machine_leave(m);
	workqueues_stop(m);
	kthreads_exit(m);
}

void machine_kernel_exit(struct foliage_machine *m)
{
	struct machine_kernel *mk = m->kernel;

	if (!mk)
		return;
	machine_kernel_stop(m);
	machine_cpus_exit(m);
	workqueues_exit(m);
	pthread_mutex_destroy(&mk->kthreads_lock);
	free(mk);
	m->kernel = NULL;
}
