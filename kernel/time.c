// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's clock: virtual (moved by foliage_advance_time()) or the
 * host's CLOCK_MONOTONIC since boot (foliage_config.real_time).
 */
#include <time.h>

#include "internal.h"
#include "../mm/render.h"

u64 host_monotonic_ns(void)
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
	if (!m->config.real_time && machine_clock_ns(m) + ns < ns) {
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

/*
 * /proc/uptime: seconds since boot and the CPUs' idle time summed, with
 * centiseconds, as Linux's uptime_proc_show().  On the virtual clock no
 * time passes while anything runs, so every CPU was idle all along; on the
 * real clock a CPU is busy while a thread runs on it.
 */
int uptime_render_seq(struct seq_buf *s, bool json)
{
	struct foliage_machine *m = this_machine;
	u64 up = machine_clock_ns(m), idle = 0, busy;
	struct json_object *obj;
	int cpu, err = 0;

	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		busy = m->config.real_time ?
		       __atomic_load_n(&m->cpus[cpu].busy_ns,
				       __ATOMIC_RELAXED) : 0;
		idle += up > busy ? up - busy : 0;
	}
	if (!json) {
		seq_printf(s, "%lu.%02lu %lu.%02lu\n",
			   (unsigned long)(up / NSEC_PER_SEC),
			   (unsigned long)(up % NSEC_PER_SEC /
					   (NSEC_PER_SEC / 100)),
			   (unsigned long)(idle / NSEC_PER_SEC),
			   (unsigned long)(idle % NSEC_PER_SEC /
					   (NSEC_PER_SEC / 100)));
		return s->err;
	}
	obj = json_new_object(&err);
	if (obj) {
		json_set_u64(obj, "uptime_ns", up, &err);
		json_set_u64(obj, "idle_ns", idle, &err);
	}
	return json_show(s, obj, err);
}
