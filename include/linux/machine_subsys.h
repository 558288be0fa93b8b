/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a subsystem plugs into the machine.  Each subsystem whose state is
 * its own (THP, TLB statistics, slab caches, shmem, tasks, fault injection,
 * tracing, debug) describes itself in one struct machine_subsys: its state
 * hangs off struct foliage_machine by one pointer (allocated zeroed before
 * its ->init(), freed after its ->exit()); its knobs are a ctl_table (and/or
 * a sysfs-style directory of string files) that foliage_set()/foliage_get()
 * find by name; its text files are renders that foliage_render() finds by
 * name; its whole-machine invariants are a ->validate() that
 * validate_machine() (so foliage_validate() and the debug checks) runs.
 * mm/subsys.c lists the subsystems in boot order:
 *
 *   foliage_machine_create()	state and ->init() of each, in order, once the page
 *				allocator works; a failure unwinds the ones
 *				done (their ->exit(), in reverse)
 *   foliage_machine_destroy()	->exit() of each, in reverse order; an exit
 *				copes with state its init never made (NULL)
 *
 * A new subsystem adds its descriptor to that list and a pointer to struct
 * foliage_machine; nothing else in the machine changes.
 */
#ifndef _FOLIAGE_LINUX_MACHINE_SUBSYS_H
#define _FOLIAGE_LINUX_MACHINE_SUBSYS_H

#include <stdbool.h>

#include <linux/sysctl.h>

struct seq_buf;

/* A text file of a subsystem, as foliage_render(m, name, ...) shows it. */
struct machine_render {
	const char *name;		/* "slabinfo", "hugepages", ... */
	/* Fill @s (JSON when @json); 0 or -errno.  In the machine. */
	int (*render)(struct seq_buf *s, bool json);
	/* Instead, for renders with more forms: FOLIAGE_RENDER_* @flags. */
	int (*render_flags)(struct seq_buf *s, unsigned int flags);
};

struct machine_subsys {
	const char *name;		/* for documentation and debugging */
	/* Make the state (this_machine == @m); 0 or -errno. */
	int (*init)(struct foliage_machine *m);
	/* Free it; also after a failed or missing init. */
	void (*exit)(struct foliage_machine *m);
	/*
	 * The state: state_size zeroed bytes the registry allocates before
	 * ->init and frees after ->exit, at the pointer state_slot bytes
	 * into struct foliage_machine (MACHINE_SUBSYS_STATE()).  0: none.
	 */
	size_t state_size;		/* bytes of the state */
	size_t state_slot;		/* offset of its pointer in the machine */
	/* Where the knobs' offsets count from, if not that state. */
	void *(*state)(struct foliage_machine *m);
	const struct ctl_table *knobs;	/* its sysctl-like knobs */
	unsigned int nr_knobs;		/* entries in knobs */
	/*
	 * A directory of sysfs-style files, "<sysfs_prefix><file>", whose
	 * values are words (transparent_hugepage/enabled = "madvise"):
	 * set parses the word, get returns the index of the selected one
	 * (or the number).  NULL prefix: none.
	 */
	const char *sysfs_prefix;	/* e.g. "transparent_hugepage." */
	int (*sysfs_set)(const char *file, const char *value);
	int (*sysfs_get)(const char *file, long *value);
	const struct machine_render *renders; /* its text files */
	unsigned int nr_renders;	/* entries in renders */
	/*
	 * Recount the subsystem's state from what it describes (pools from
	 * their folios, ...): 0, or -errno with the broken invariant
	 * recorded as a bug.  In the machine, at a quiet point.  NULL: none.
	 */
	int (*validate)(struct foliage_machine *m);
};

/* The render called @name of any subsystem, or NULL. */
const struct machine_render *machine_subsys_render(const char *name);
/* Every subsystem's ->validate(), in boot order: the first error. */
int machine_subsys_validate(struct foliage_machine *m);

/* .state_size/.state_slot for the state at machine->@field. */
#define MACHINE_SUBSYS_STATE(field)					\
	.state_size = sizeof(*((struct foliage_machine *)0)->field),	\
	.state_slot = offsetof(struct foliage_machine, field)

/* The subsystems, in boot order (mm/subsys.c). */
extern const struct machine_subsys *const machine_subsystems[];
extern const unsigned int nr_machine_subsystems;

/* Boot every subsystem of @m in order (unwinding on failure). */
int __must_check machine_subsys_init(struct foliage_machine *m);
/* Tear them down in reverse order. */
void machine_subsys_exit(struct foliage_machine *m);
/* ->state of a subsystem whose knobs are fields of the machine itself. */
void *machine_subsys_machine(struct foliage_machine *m);
/* The base of @s's knobs in @m: ->state(m), else its allocated state. */
void *machine_subsys_state(const struct machine_subsys *s,
			   struct foliage_machine *m);

/* The subsystems' descriptors, each beside its code. */
extern const struct machine_subsys vm_sysctl_subsys;	/* mm/page_alloc.c */
extern const struct machine_subsys fault_inject_subsys;	/* mm/fail_page_alloc.c */
extern const struct machine_subsys trace_subsys;	/* mm/trace.c */
extern const struct machine_subsys debug_subsys;	/* mm/debug.c */
extern const struct machine_subsys lru_drain_subsys;	/* mm/swap.c */
extern const struct machine_subsys tlb_subsys;		/* mm/tlb.c */
extern const struct machine_subsys slab_subsys;		/* mm/slab.c */
extern const struct machine_subsys shmem_subsys;	/* mm/shmem.c */
extern const struct machine_subsys anon_rmap_subsys;	/* mm/rmap.c */
extern const struct machine_subsys migrate_subsys;	/* mm/migrate.c */
extern const struct machine_subsys mempolicy_subsys;	/* mm/mempolicy.c */
extern const struct machine_subsys hugetlb_subsys;	/* mm/hugetlb.c */
extern const struct machine_subsys kvm_subsys;		/* virt/kvm/kvm_main.c */
extern const struct machine_subsys page_reporting_subsys; /* mm/page_reporting.c */
extern const struct machine_subsys thp_subsys;		/* mm/huge_memory.c */
extern const struct machine_subsys vma_subsys;		/* mm/vma.c */
extern const struct machine_subsys task_subsys;		/* mm/task.c */
extern const struct machine_subsys oom_subsys;		/* mm/oom_kill.c */
extern const struct machine_subsys balloon_subsys;	/* drivers/virtio/virtio_balloon.c */
extern const struct machine_subsys arch_subsys;		/* arch/arm64/mm/tlbflush.c */
/* copy offload (issue 15 section 3) */
extern const struct machine_subsys dma_subsys;		/* drivers/dma/dmaengine.c */
extern const struct machine_subsys migrate_offload_subsys; /* mm/migrate_copy_offload.c */
extern const struct machine_subsys dcbm_subsys;		/* drivers/migrate_offload/dcbm.c */
extern const struct machine_subsys mtcopy_subsys;	/* drivers/migrate_offload/mtcopy.c */

#endif /* _FOLIAGE_LINUX_MACHINE_SUBSYS_H */
