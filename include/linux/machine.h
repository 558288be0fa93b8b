/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct foliage_machine: one guest kernel instance, and the CPU a thread is
 * running on inside it.
 *
 * Physical layout.  Node n owns pfns [n << node_shift, (n << node_shift) +
 * node_present_pages); pfns between nodes are holes.  Guest RAM is one host
 * memfd per node, mapped at direct_map + (pfn << PAGE_SHIFT) inside one
 * reservation, so page_address() is an add, like the kernel's direct map.
 * mem_map is one sparse array of struct page indexed by pfn: untouched parts
 * (holes, and the tails of never-split max-order blocks, see mm_init.c) cost
 * the host nothing.
 *
 * The kernel's globals (mem_map, NODE_DATA(), sysctls, vmstat) live in the
 * machine; code running "in the kernel" reaches it through this_machine, set
 * by machine_enter() at every public entry point, as kernel code reaches its
 * globals.  this_cpu is the thread's CPU in that machine.
 *
 * A subsystem with state of its own (THP, TLB stats, slab, shmem, tasks,
 * fault injection) hangs it off the machine by one pointer, allocated and
 * booted by its struct machine_subsys (linux/machine_subsys.h): this header
 * only names those structs, so it includes types and nothing of mm.h.
 */
#ifndef _FOLIAGE_LINUX_MACHINE_H
#define _FOLIAGE_LINUX_MACHINE_H

#include <foliage/foliage.h>
#include <linux/mmzone.h>
#include <linux/mm_types.h>
#include <linux/arch.h>

struct trace_buffer;
struct host;
struct virtio_bus;
/* Subsystems' state, each allocated by its init (machine_subsys.h). */
struct fault_inject;		/* linux/fault-inject.h */
struct tlb_stats;		/* asm-generic/tlb.h */
struct slab_state;		/* linux/slab.h */
struct shmem_sb_info;		/* linux/shmem_fs.h */
struct thp_state;		/* linux/huge_mm.h */
struct task_list;		/* mm/task.h */

struct foliage_cpu {
	int id;				/* cpu number */
	int owner_tid;			/* host thread that is this CPU */
	int nid;			/* cpu_to_node() */
	unsigned long vm_events[NR_VM_EVENT_ITEMS]; /* this CPU's events */
	/* NUMA events per (nid * MAX_NR_ZONES + zone) */
	unsigned long numa_events[MAX_NUMNODES * MAX_NR_ZONES]
				 [NR_VM_NUMA_EVENT_ITEMS];
	unsigned long shmem_ino_batch;	/* next shm_mnt inode number (shmem.c) */
};

/* Tunables with their sysctl names. */
struct vm_sysctl {
	bool init_on_alloc;		/* init_on_alloc= boot param / runtime */
	bool init_on_free;		/* init_on_free= boot param */
	int min_free_kbytes;		/* vm.min_free_kbytes */
	int watermark_scale_factor;	/* vm.watermark_scale_factor */
	int percpu_pagelist_high_fraction; /* vm.percpu_pagelist_high_fraction */
};

#define FOLIAGE_BUG_MSG_LEN	256

struct foliage_machine {
	struct foliage_config config;	/* as created */
	unsigned long generation;	/* unique per machine, for this_cpu */
	int nr_nodes;			/* nodes */
	unsigned int node_shift;	/* pfn bits per node */
	unsigned long max_pfn;		/* one past the last pfn of any node */
	unsigned long kernel_image_pfn;	/* reserved page past node 0's RAM */
	struct page *mem_map;		/* struct page for every pfn */
	size_t mem_map_bytes;		/* size of the mem_map reservation */
	char *direct_map;		/* guest RAM, pfn << PAGE_SHIFT */
	size_t direct_map_bytes;	/* size of the direct map reservation */
	pg_data_t *node_data[MAX_NUMNODES]; /* NODE_DATA(nid) */
	int nr_cpus;			/* CPUs threads may become */
	bool pku;			/* x86 protection keys (config.pku) */
	bool up;			/* one CPU: no lock prefixes (atomic.h) */
	int next_cpu;			/* next free cpu id (atomic) */
	struct foliage_cpu cpus[NR_CPUS]; /* per-CPU state */
	struct vm_sysctl sysctl;	/* knobs */
	struct trace_buffer *trace;	/* ftrace-like ring buffer */
	bool tracing_on;		/* events recorded? */
	bool debug_full;		/* expensive checks on */
	unsigned long nr_bugs;		/* broken invariants seen */
	char first_bug[FOLIAGE_BUG_MSG_LEN]; /* description of the first */
	spinlock_t bug_lock;		/* protects first_bug */
	/* The subsystems' own state (include/linux/machine_subsys.h) */
	struct fault_inject *fault_inject; /* fail_page_alloc, failslab */
	struct tlb_stats *tlb;		/* TLB flushes (mm/tlb.c) */
	struct slab_state *slab;	/* kmem_caches (mm/slab.c) */
	struct shmem_sb_info *shmem;	/* shm_mnt (mm/shmem.c) */
	struct thp_state *thp;		/* THP knobs and stats (huge_memory.c) */
	struct task_list *tasks;	/* live tasks (mm/task.c) */
	struct page *zero_page;		/* the shared zero page (memory.c) */
	unsigned long zero_pfn;		/* its pfn */
	struct folio *huge_zero_folio;	/* PMD-order zero folio, on first use */
	spinlock_t huge_zero_lock;	/* serialises allocating it */
	int sysctl_max_map_count;	/* vm.max_map_count */
	atomic_long_t vm_committed_as;	/* pages of commit charge */
	/* harden: the machine owns its files (mm/shmem.c) */
	struct list_head files;		/* every live foliage_file */
	spinlock_t files_lock;		/* protects files */
	/* Devices (drivers/virtio, host/). */
	struct host *host;		/* the hypervisor: RAM and devices */
	struct virtio_bus *virtio;	/* the guest's virtio bus */
	/* ---- arch (include/linux/arch.h) ---- */
	const struct arch_ops *arch;	/* PTE layout and TLB model */
	bool arm64_tlb_range;		/* arm64: FEAT_TLBIRANGE (arch.tlb_range) */
};

/* sysctl vm.max_map_count's default (USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN). */
#define DEFAULT_MAX_MAP_COUNT	65530

/*
 * mm/shmem.c: drop the references users never put to the files left when
 * the machine is destroyed (after exit_all_tasks()), freeing them.
 */
void put_all_files(struct foliage_machine *m);
/*
 * mm/validate_mm.c: validate_mm() of every task's mm, and page tables
 * against mapcounts, refcounts and counters over the whole machine.
 */
int validate_all_mms(void);

extern __thread struct foliage_machine *this_machine;
extern __thread struct foliage_cpu *this_cpu;

/*
 * Make the calling thread run inside @m, as one of its CPUs.  Cheap when the
 * thread already is.  -EBUSY if every CPU of the machine is taken.
 */
int __machine_enter(struct foliage_machine *m);
static inline int __must_check machine_enter(struct foliage_machine *m)
{
	extern __thread unsigned long this_machine_generation;

	if (likely(this_machine == m &&
		   this_machine_generation == m->generation))
		return 0;
	return __machine_enter(m);
}

/* Called at the end of every public operation: debug-build validation. */
void machine_exit_op(struct foliage_machine *m);

#define NODE_DATA(nid)		(this_machine->node_data[nid])
#define sysctl_vm		(this_machine->sysctl)

static inline int numa_node_id(void)
{
	return this_cpu->nid;
}

static inline int smp_processor_id(void)
{
	return this_cpu->id;
}

/*
 * Record a broken invariant (the library's BUG()): counted, and the first
 * one's text kept for foliage_first_bug().  Never aborts, never prints.
 */
void __report_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define report_bug(...)	__report_bug(__FILE__, __LINE__, __VA_ARGS__)

#ifdef CONFIG_DEBUG_VM
#define VM_WARN_ON(cond) ({						\
	bool __c = !!(cond);						\
	if (unlikely(__c))						\
		report_bug("VM_WARN_ON(%s)", #cond);			\
	__c;								\
})
#else
#define VM_WARN_ON(cond) ({ (void)sizeof(cond); false; })
#endif
#define VM_BUG_ON(cond)		((void)VM_WARN_ON(cond))
#define WARN_ON_ONCE(cond)	VM_WARN_ON(cond)

#endif /* _FOLIAGE_LINUX_MACHINE_H */
