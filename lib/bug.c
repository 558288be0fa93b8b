// SPDX-License-Identifier: GPL-2.0
/*
 * The bug log, foliage's BUG(): report_bug() counts a broken invariant and
 * keeps the first one's text for foliage_first_bug(); it never aborts and
 * never prints (Linux's lib/bug.c reports and, for BUG(), stops the CPU).
 */
#include <stdarg.h>
#include <stdio.h>

#include <linux/machine.h>
#include <linux/spinlock.h>

void __report_bug(const char *file, int line, const char *fmt, ...)
{
	struct foliage_machine *m = this_machine;
	va_list ap;

	if (!m)
		return;
	spin_lock(&m->bug_lock);
	if (m->nr_bugs++ == 0) {
		int n = snprintf(m->first_bug, sizeof(m->first_bug), "%s:%d: ",
				 file, line);

		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof(m->first_bug))
			vsnprintf(m->first_bug + n, sizeof(m->first_bug) - n,
				  fmt, ap);
		va_end(ap);
	}
	spin_unlock(&m->bug_lock);
}

unsigned long foliage_bugs(struct foliage_machine *m)
{
	return __atomic_load_n(&m->nr_bugs, __ATOMIC_RELAXED);
}

const char *foliage_first_bug(struct foliage_machine *m)
{
	return foliage_bugs(m) ? m->first_bug : NULL;
}

bool foliage_debug_vm(void)
{
#ifdef CONFIG_DEBUG_VM
	return true;
#else
	return false;
#endif
}
