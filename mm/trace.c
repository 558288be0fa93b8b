// SPDX-License-Identifier: GPL-2.0
/*
 * The trace ring buffer: recording side.  Rendering, in the ftrace text
 * format, is in mm/trace_output.c.
 */
#include <stdlib.h>
#include <unistd.h>

#include <linux/jiffies.h>
#include "render.h"
#include <trace/events.h>
#include <linux/machine_subsys.h>

static __thread int trace_tid;

/*
 * The trace clock: the machine's (ktime_get_ns(), virtual by default), not
 * the host's, so that 'show trace' prints the same for the same scenario.
 * A virtual clock stands still between advances, so events recorded at one
 * instant are spread TRACE_CLOCK_STEP_NS apart: timestamps keep the order
 * of the events, follow 'sleep', and never run backwards.  Caller holds
 * tb->lock.
 */
#define TRACE_CLOCK_STEP_NS	1000

static u64 trace_clock_ns(struct trace_buffer *tb)
{
	u64 now = ktime_get_ns();

	if (now < tb->clock_ns + TRACE_CLOCK_STEP_NS)
		now = tb->clock_ns + TRACE_CLOCK_STEP_NS;
	tb->clock_ns = now;
	return now;
}

void trace_record(const struct trace_entry *e)
{
	struct foliage_machine *m = this_machine;
	struct trace_buffer *tb = m->trace;
	struct trace_entry *slot;

	if (!tb) {
		tb = calloc(1, sizeof(*tb));
		if (!tb)
			return;	/* tracing is best effort, as in Linux */
		spin_lock_init(&tb->lock);
		if (!__atomic_compare_exchange_n(&m->trace, &(struct trace_buffer *){ NULL },
						 tb, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			free(tb);
			tb = m->trace;
		}
	}
	if (!trace_tid)
		trace_tid = gettid();
	spin_lock(&tb->lock);
	slot = &tb->entries[tb->written % TRACE_BUFFER_ENTRIES];
	*slot = *e;
	slot->ts_ns = trace_clock_ns(tb);
	slot->cpu = smp_processor_id();
	slot->pid = trace_tid;
	tb->written++;
	spin_unlock(&tb->lock);
}

void trace_buffer_reset(void)
{
	struct trace_buffer *tb = this_machine->trace;

	if (!tb)
		return;
	spin_lock(&tb->lock);
	tb->written = 0;
	spin_unlock(&tb->lock);
}

void trace_buffer_free(struct trace_buffer *tb)
{
	free(tb);
}

/* ---- the subsystem: the buffer (made on first use) and tracing.on ---- */

static void trace_exit(struct foliage_machine *m)
{
	trace_buffer_free(m->trace);
	m->trace = NULL;
}

static const struct ctl_table trace_knobs[] = {
	CTL_ENTRY("tracing.on", struct foliage_machine, tracing_on, CTL_BOOL,
		  0, 1),
};

static const struct machine_render trace_renders[] = {
	{ "trace", render_trace },
};

const struct machine_subsys trace_subsys = {
	.name = "trace",
	.exit = trace_exit,
	.state = machine_subsys_machine,
	.knobs = trace_knobs,
	.nr_knobs = ARRAY_SIZE(trace_knobs),
	.renders = trace_renders,
	.nr_renders = ARRAY_SIZE(trace_renders),
};
