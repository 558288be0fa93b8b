// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's subsystems in boot order (include/linux/machine_subsys.h).
 * Order matters where one subsystem uses another: fault injection first
 * (every allocation consults it), slab before everything that allocates
 * objects, tasks last so that their exit (which frees VMAs, anon_vmas and
 * pages) runs before any other subsystem's state goes.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/machine_subsys.h>
#include <linux/mm.h>

const struct machine_subsys *const machine_subsystems[] = {
	&vm_sysctl_subsys,
	&fault_inject_subsys,
	&trace_subsys,
	&debug_subsys,
	&tlb_subsys,
	&slab_subsys,
	&shmem_subsys,
	&thp_subsys,
	&hugetlb_subsys,
	&kvm_subsys,
	&anon_rmap_subsys,
	&migrate_subsys,
	&mempolicy_subsys,
	&lru_drain_subsys,
	&page_reporting_subsys,
	&vma_subsys,
	&oom_subsys,
	&balloon_subsys,
	&task_subsys,
	&arch_subsys,
	/* copy offload: the DMA device before the migrators using it */
	&dma_subsys,
	&migrate_offload_subsys,
	&dcbm_subsys,
	&mtcopy_subsys,
};
const unsigned int nr_machine_subsystems = ARRAY_SIZE(machine_subsystems);

static void **state_slot(const struct machine_subsys *s,
			 struct foliage_machine *m)
{
	return (void **)((char *)m + s->state_slot);
}

static void subsys_exit_from(struct foliage_machine *m, unsigned int n)
{
	while (n--) {
		const struct machine_subsys *s = machine_subsystems[n];

		if (s->exit)
			s->exit(m);
		if (s->state_size) {
			free(*state_slot(s, m));
			*state_slot(s, m) = NULL;
		}
	}
}

int machine_subsys_init(struct foliage_machine *m)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr_machine_subsystems; i++) {
		const struct machine_subsys *s = machine_subsystems[i];

		if (s->state_size && !*state_slot(s, m)) {
			*state_slot(s, m) = calloc(1, s->state_size);
			if (!*state_slot(s, m))
				ret = -ENOMEM;
		}
		if (!ret && s->init)
			ret = s->init(m);
		if (ret) {
			subsys_exit_from(m, i + 1);
			return ret;
		}
	}
	return 0;
}

void machine_subsys_exit(struct foliage_machine *m)
{
	subsys_exit_from(m, nr_machine_subsystems);
}

void *machine_subsys_machine(struct foliage_machine *m)
{
	return m;
}

void *machine_subsys_state(const struct machine_subsys *s,
			   struct foliage_machine *m)
{
	if (s->state)
		return s->state(m);
	return *state_slot(s, m);
}

const struct machine_render *machine_subsys_render(const char *name)
{
	unsigned int i, j;

	for (i = 0; i < nr_machine_subsystems; i++) {
		const struct machine_subsys *s = machine_subsystems[i];

		for (j = 0; j < s->nr_renders; j++)
			if (!strcmp(s->renders[j].name, name))
				return &s->renders[j];
	}
	return NULL;
}

int machine_subsys_validate(struct foliage_machine *m)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr_machine_subsystems; i++) {
		const struct machine_subsys *s = machine_subsystems[i];
		int err = s->validate ? s->validate(m) : 0;

		ret = ret ?: err;
	}
	return ret;
}
