// SPDX-License-Identifier: GPL-2.0
/*
 * foliage_set()/foliage_get(): a knob by its Linux name, looked up in the
 * tables the subsystems register (include/linux/sysctl.h,
 * include/linux/machine_subsys.h).  This file knows no knob: it parses,
 * checks the range, and stores through the table.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/machine_subsys.h>
#include <linux/mm.h>

int ctl_parse_long(const char *s, long *v)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	*v = strtol(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int ctl_parse_bool(const char *s, long *v)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "Y") || !strcmp(s, "y"))
		*v = 1;
	else if (!strcmp(s, "N") || !strcmp(s, "n"))
		*v = 0;
	else if (ctl_parse_long(s, v) || (*v != 0 && *v != 1))
		return -EINVAL;
	return 0;
}

void ctl_store(const struct ctl_table *t, void *data, long v)
{
	switch (t->type) {
	case CTL_BOOL:
		WRITE_ONCE(*(bool *)data, v != 0);
		break;
	case CTL_INT:
		WRITE_ONCE(*(int *)data, (int)v);
		break;
	case CTL_UINT:
		WRITE_ONCE(*(unsigned int *)data, (unsigned int)v);
		break;
	case CTL_LONG:
		WRITE_ONCE(*(long *)data, v);
		break;
	case CTL_ULONG:
		WRITE_ONCE(*(unsigned long *)data, (unsigned long)v);
		break;
	case CTL_U64:
		WRITE_ONCE(*(u64 *)data, (u64)v);
		break;
	}
}

long ctl_load(const struct ctl_table *t, const void *data)
{
	switch (t->type) {
	case CTL_BOOL:
		return READ_ONCE(*(const bool *)data);
	case CTL_INT:
		return READ_ONCE(*(const int *)data);
	case CTL_UINT:
		return READ_ONCE(*(const unsigned int *)data);
	case CTL_LONG:
		return READ_ONCE(*(const long *)data);
	case CTL_ULONG:
		return (long)READ_ONCE(*(const unsigned long *)data);
	case CTL_U64:
		return (long)READ_ONCE(*(const u64 *)data);
	}
	return 0;
}

/*
 * The subsystem and table entry of knob @key, or of the sysfs directory
 * holding it (*@t NULL, *@file the name inside it).  -ENOENT if none.
 */
static int find_knob(const char *key, const struct machine_subsys **sub,
		     const struct ctl_table **t, const char **file)
{
	unsigned int i, k;

	for (i = 0; i < nr_machine_subsystems; i++) {
		const struct machine_subsys *s = machine_subsystems[i];

		for (k = 0; k < s->nr_knobs; k++) {
			if (!strcmp(s->knobs[k].procname, key)) {
				*sub = s;
				*t = &s->knobs[k];
				return 0;
			}
		}
		if (s->sysfs_prefix && !strncmp(key, s->sysfs_prefix,
						strlen(s->sysfs_prefix))) {
			*sub = s;
			*t = NULL;
			*file = key + strlen(s->sysfs_prefix);
			return 0;
		}
	}
	return -ENOENT;
}

/* Parse @value for @t, check it, and store it through the table. */
static int ctl_write(struct foliage_machine *m, const struct machine_subsys *s,
		     const struct ctl_table *t, const char *value)
{
	void *data;
	int ret;
	long v;

	ret = t->type == CTL_BOOL ? ctl_parse_bool(value, &v) :
				    ctl_parse_long(value, &v);
	if (ret)
		return ret;
	if (v < t->min || v > t->max)
		return -ERANGE;
	if (t->boot_only)
		return -EBUSY;
	data = (char *)machine_subsys_state(s, m) + t->offset;
	if (t->proc_handler)
		return t->proc_handler(t, data, v);
	ctl_store(t, data, v);
	return 0;
}

static int __foliage_set(struct foliage_machine *m, const char *key,
			 const char *value)
{
	const struct machine_subsys *s;
	const struct ctl_table *t;
	const char *file;
	int ret;

	if (!m || !key)
		return -EINVAL;
	ret = machine_enter(m) ?: find_knob(key, &s, &t, &file);
	if (!ret && !t)
		ret = s->sysfs_set(file, value);
	else if (!ret)
		ret = ctl_write(m, s, t, value);
	if (ret)
		return ret;
	machine_exit_op(m);
	return 0;
}

/* Every return but a successful set's leaves the machine here. */
int foliage_set(struct foliage_machine *m, const char *key, const char *value)
{
	int ret = __foliage_set(m, key, value);

	machine_leave(m);
	return ret;
}

static int __foliage_get(struct foliage_machine *m, const char *key,
			 long *value)
{
	const struct machine_subsys *s;
	const struct ctl_table *t;
	const char *file;
	int ret;

	if (!m || !key || !value)
		return -EINVAL;
	ret = machine_enter(m) ?: find_knob(key, &s, &t, &file);
	if (!ret && !t)
		ret = s->sysfs_get(file, value);
	else if (!ret)
		*value = ctl_load(t, (char *)machine_subsys_state(s, m) +
					 t->offset);
	return ret;
}

int foliage_get(struct foliage_machine *m, const char *key, long *value)
{
	int ret = __foliage_get(m, key, value);

	machine_leave(m);
	return ret;
}
