// SPDX-License-Identifier: GPL-2.0
/*
 * The migrators by name, for the public API and the scenario verbs
 * (`migrator enable dcbm|mtcopy [reasons=LIST]`, `migrator disable NAME`).
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/machine.h>
#include <linux/migrate_offload.h>
#include <linux/sysctl.h>

void migrator_driver_init(struct migrator_driver *drv, const char *name,
			  int (*offload_copy)(struct list_head *,
					      struct list_head *,
					      unsigned int),
			  void *owner)
{
	drv->migrator.name = name;
	drv->migrator.offload_copy = offload_copy;
	drv->migrator.owner = owner;
	drv->reason_mask = MIGRATE_REASON_ALL;
	pthread_mutex_init(&drv->enable_lock, NULL);
}

void migrator_driver_exit(struct migrator_driver *drv)
{
	if (drv->offloading && this_machine->migrate_offload)
		WARN_ON_ONCE(migrate_offload_unregister(&drv->migrator));
	pthread_mutex_destroy(&drv->enable_lock);
}

int migrator_driver_set(struct migrator_driver *drv, bool on,
			unsigned int reason_mask)
{
	int ret;

	pthread_mutex_lock(&drv->enable_lock);
	if (on) {
		ret = migrate_offload_register(&drv->migrator, reason_mask);
		if (!ret)
			drv->reason_mask = reason_mask;
	} else {
		ret = migrate_offload_unregister(&drv->migrator);
	}
	if (!ret)
		WRITE_ONCE(drv->offloading, on);
	pthread_mutex_unlock(&drv->enable_lock);
	return ret;
}

int migrator_parse_uint(const char *s, unsigned int *v)
{
	unsigned long val;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	val = strtoul(s, &end, 0);
	if (errno || *end || val > UINT_MAX)
		return -EINVAL;
	*v = val;
	return 0;
}

int migrator_offloading_store(struct migrator_driver *drv, const char *value)
{
	unsigned int on;

	if (migrator_parse_uint(value, &on) || on > 1)
		return -EINVAL;
	return migrator_driver_set(drv, on, drv->reason_mask);
}

static struct migrator_driver *migrator_by_name(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "dcbm"))
		return dcbm_driver();
	if (!strcmp(name, "mtcopy"))
		return mtcopy_driver();
	return NULL;
}

int migrator_enable(const char *name, unsigned int reason_mask)
{
	struct migrator_driver *drv = migrator_by_name(name);

	return drv ? migrator_driver_set(drv, true, reason_mask) : -EINVAL;
}

int migrator_disable(const char *name)
{
	struct migrator_driver *drv = migrator_by_name(name);

	return drv ? migrator_driver_set(drv, false, 0) : -EINVAL;
}

int foliage_migrator_enable(struct foliage_machine *m, const char *name,
			    const char *reasons)
{
	unsigned int mask = MIGRATE_REASON_ALL;
	int ret;

	if (!m)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	if (reasons)
		ret = migrate_reason_mask_parse(reasons, &mask);
	if (!ret)
		ret = migrator_enable(name, mask);
	machine_exit_op(m);
	return ret;
}

int foliage_migrator_disable(struct foliage_machine *m, const char *name)
{
	int ret;

	if (!m)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	ret = migrator_disable(name);
	machine_exit_op(m);
	return ret;
}
