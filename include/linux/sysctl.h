/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Knobs, as each subsystem registers them (Linux's register_sysctl() with a
 * struct ctl_table, and the sysfs files of a subsystem): a knob is a name
 * the user spells ("vm.min_free_kbytes", "failslab.times"), a typed value
 * in the subsystem's per-machine state, an accepted range, and optionally a
 * handler that stores it with side effects.  foliage_set()/foliage_get()
 * (mm/sysctl.c) look the name up in every registered subsystem's table
 * (include/linux/machine_subsys.h); nothing else knows a knob's name.
 *
 *   a value outside [min, max]		-ERANGE, nothing changes
 *   a value that does not parse	-EINVAL, nothing changes
 *   a boot parameter at run time	-EBUSY, nothing changes
 *   an unknown name			-ENOENT
 */
#ifndef _FOLIAGE_LINUX_SYSCTL_H
#define _FOLIAGE_LINUX_SYSCTL_H

#include <linux/compiler.h>

struct foliage_machine;

/* The C type of a knob's value, and how it parses. */
enum ctl_type {
	CTL_BOOL,		/* bool; "Y"/"N"/"y"/"n"/"1"/"0" */
	CTL_INT,		/* int; a number (strtol base 0) */
	CTL_UINT,		/* unsigned int */
	CTL_LONG,		/* long */
	CTL_ULONG,		/* unsigned long */
	CTL_U64,		/* u64 */
};

struct ctl_table {
	const char *procname;		/* full name, as the user spells it */
	enum ctl_type type;		/* C type of the value */
	size_t offset;			/* of the value in the subsystem's state */
	long min, max;			/* accepted range (extra1, extra2) */
	bool boot_only;			/* a boot parameter: -EBUSY at run time */
	/*
	 * Store @v (parsed, in range) into @data, the value's address, with
	 * whatever else a write does; -errno refuses it.  NULL: ctl_store().
	 * Runs inside the machine (this_machine).
	 */
	int (*proc_handler)(const struct ctl_table *t, void *data, long v);
};

/* A plain ctl_table entry: @member of struct @st, as @kind, in [lo, hi]. */
#define CTL_ENTRY(name, st, member, kind, lo, hi)			\
	{ .procname = (name), .type = (kind),				\
	  .offset = offsetof(st, member), .min = (lo), .max = (hi) }

/* A whole string as a number (strtol base 0): 0, or -EINVAL. */
int ctl_parse_long(const char *s, long *v);
/* "Y"/"N"/"y"/"n"/"1"/"0" as 1 or 0: 0, or -EINVAL. */
int ctl_parse_bool(const char *s, long *v);

/* The plain store/load of a value of t->type at @data. */
void ctl_store(const struct ctl_table *t, void *data, long v);
long ctl_load(const struct ctl_table *t, const void *data);

#endif /* _FOLIAGE_LINUX_SYSCTL_H */
