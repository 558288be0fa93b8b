/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stop_machine(): run a function while no other thread runs in the machine.
 *
 * The caller takes every CPU of the machine in turn (kernel/cpu.c): a
 * kernel thread between work items, or sleeping, holds none, so it is
 * parked until the function is done; a user thread inside the library
 * is waited for until it leaves (or sleeps).  Then @fn runs on the caller,
 * and every CPU is given back.  One stop_machine() at a time per machine.
 *
 * Threads that sleep in the library (a folio lock wait...) stay asleep
 * meanwhile, with whatever sleeping locks they hold (an mmap_lock): code
 * run under stop_machine() must not wait for those.
 */
#ifndef _FOLIAGE_LINUX_STOP_MACHINE_H
#define _FOLIAGE_LINUX_STOP_MACHINE_H

struct foliage_machine;

/* Run @fn(@data) with @m stopped; returns what @fn returns. */
int stop_machine(struct foliage_machine *m, int (*fn)(void *data), void *data);

/*
 * The same if every other CPU of @m is free now, without waiting:
 * -EBUSY (and @fn not run) if one is not.
 */
int try_stop_machine(struct foliage_machine *m, int (*fn)(void *data),
		     void *data);

#endif /* _FOLIAGE_LINUX_STOP_MACHINE_H */
