// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's clock: virtual (moved by foliage_advance_time()) or the
 * host's CLOCK_MONOTONIC since boot (foliage_config.real_time).
 */
#include <time.h>

#include "internal.h"

static u64 host_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

u64 machine_clock_ns(struct foliage_machine *m)
{
	if (m->config.real_time)
		return host_monotonic_ns() - m->boot_ns;
	return __atomic_load_n(&m->clock_ns, __ATOMIC_ACQUIRE);
}

u64 ktime_get_ns(void)
{
	return this_machine ? machine_clock_ns(this_machine) : 0;
}

void machine_clock_init(struct foliage_machine *m)
{
	m->boot_ns = host_monotonic_ns();
	m->clock_ns = 0;
}

uint64_t foliage_time_ns(struct foliage_machine *m)
{
	return m ? machine_clock_ns(m) : 0;
}

int foliage_advance_time(struct foliage_machine *m, uint64_t ns)
{
	u64 target;
	int ret;

	if (!m)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	if (!m->config.real_time &&
	    m->clock_ns + ns < m->clock_ns) {
		machine_leave(m);
		return -EOVERFLOW;
	}
	/* The workers need the CPUs, this thread's too: it sleeps. */
	cpu_sleep_begin();
	if (m->config.real_time) {
		struct timespec ts = {
			.tv_sec = ns / NSEC_PER_SEC,
			.tv_nsec = ns % NSEC_PER_SEC,
		};

		while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
			;
		target = machine_clock_ns(m);
	} else {
		target = machine_clock_ns(m) + ns;
	}
	advance_clock(m, target);
	cpu_sleep_end();
	machine_exit_op(m);
	return 0;
}
