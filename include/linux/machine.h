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
#include <linux/wait.h>
#include <linux/validate.h>

struct trace_buffer;
struct host;
struct virtio_bus;
struct machine_kernel;
/* Subsystems' state, each allocated by its init (machine_subsys.h). */
struct fault_inject;		/* linux/fault-inject.h */
struct tlb_stats;		/* asm-generic/tlb.h */
struct slab_state;		/* linux/slab.h */
struct shmem_sb_info;		/* linux/shmem_fs.h */
struct thp_state;		/* linux/huge_mm.h */
struct hugetlb_state;		/* linux/hugetlb.h */
struct anon_rmap_state;		/* linux/rmap.h */
struct task_list;		/* mm/task.h */
struct oom_state;		/* linux/oom.h */
struct balloon_state;		/* drivers/virtio/virtio_balloon.c */
struct kvm_state;		/* linux/kvm_host.h */
struct migrate_offload;		/* mm/migrate_copy_offload.c */
struct dma_engine;		/* linux/dmaengine.h */
struct dcbm;			/* drivers/migrate_offload/dcbm.c */
struct mtcopy;			/* drivers/migrate_offload/mtcopy.c */
struct mempolicy_state;		/* mm/mempolicy.c */

struct cpu_attach;

struct foliage_cpu {
	int id;				/* cpu number */
	int owner_tid;			/* user thread attached here, 0 none */
	int nid;			/* cpu_to_node() */
	/* kernel/cpu.c: who runs on this CPU now (a FIFO ticket lock) */
	unsigned int next_ticket;	/* next waiter's ticket (atomic) */
	unsigned int serving;		/* ticket running now (atomic) */
	int nr_waiting;			/* threads asleep for it (atomic) */
	int runner_tid;			/* thread running here, 0 none */
	pthread_mutex_t run_lock;	/* waiters sleep under it */
	pthread_cond_t run_cond;	/* broadcast when serving moves */
	struct cpu_attach *attach;	/* attached user thread's record */
	bool account_busy;		/* real clock: count busy_ns */
	u64 run_since_ns;		/* host ns when the runner took it */
	u64 busy_ns;			/* host ns run so far (/proc/uptime) */
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
	bool zero_aware_alloc;		/* vm.zero_aware_alloc (foliage's own) */
	int drop_caches;		/* vm.drop_caches: the last value written */
};

#define FOLIAGE_BUG_MSG_LEN	256

/* Folio wait queues per machine (Linux's folio_wait_table, mm/filemap.c). */
#define FOLIO_WAIT_TABLE_BITS	8
#define FOLIO_WAIT_TABLE_SIZE	(1 << FOLIO_WAIT_TABLE_BITS)

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
	struct foliage_cpu cpus[NR_CPUS]; /* per-CPU state */
	struct vm_sysctl sysctl;	/* knobs */
	struct trace_buffer *trace;	/* ftrace-like ring buffer */
	bool tracing_on;		/* events recorded? */
	bool debug_full;		/* expensive checks on */
	bool fork_batching;		/* debug.fork_batching: fork copies runs */
	bool no_page_mapcount;		/* CONFIG_NO_PAGE_MAPCOUNT (config) */
	unsigned long nr_bugs;		/* broken invariants seen */
	char first_bug[FOLIAGE_BUG_MSG_LEN]; /* description of the first */
	spinlock_t bug_lock;		/* protects first_bug */
	/* The subsystems' own state (include/linux/machine_subsys.h) */
	struct fault_inject *fault_inject; /* fail_page_alloc, failslab */
	struct tlb_stats *tlb;		/* TLB flushes (mm/tlb.c) */
	struct slab_state *slab;	/* kmem_caches (mm/slab.c) */
	struct shmem_sb_info *shmem;	/* shm_mnt (mm/shmem.c) */
	struct thp_state *thp;		/* THP knobs and stats (huge_memory.c) */
	struct hugetlb_state *hugetlb;	/* hugetlb pools (mm/hugetlb.c) */
	struct oom_state *oom;		/* OOM notifiers (mm/oom_kill.c) */
	struct balloon_state *balloon;	/* virtio-balloon driver (drivers/virtio) */
	struct anon_rmap_state *anon_rmap; /* anon rmap scheme, ANON_VMA_LAZY (rmap.c) */
	struct page_reporting *page_reporting; /* free page reporting (mm/page_reporting.c) */
	struct mempolicy_state *mempolicy; /* weighted interleave weights (mm/mempolicy.c) */
	struct task_list *tasks;	/* live tasks (mm/task.c) */
	struct kvm_state *kvm;		/* KVM VMs, guest_memfd (virt/kvm) */
	struct migrate_offload *migrate_offload; /* copy offload, migrators */
	struct dma_engine *dma;		/* DMA device, fail_dma (drivers/dma) */
	struct dcbm *dcbm;		/* the DMA migrator (migrate_offload/) */
	struct mtcopy *mtcopy;		/* the CPU-thread migrator */
	struct migrate_stats *migrate;	/* migration batch counters (mm/migrate.c) */
	struct lru_drain *lru_drain;	/* lru_cache_disable() (mm/swap.c) */
	struct page *zero_page;		/* the shared zero page (memory.c) */
	unsigned long zero_pfn;		/* its pfn */
	struct folio *huge_zero_folio;	/* PMD-order zero folio, on first use */
	/* 1 for the shrinker while it exists, + 1 per mm that used it */
	atomic_t huge_zero_refcount;
	int sysctl_max_map_count;	/* vm.max_map_count */
	atomic_long_t vm_committed_as;	/* pages of commit charge */
	/* Debug validation proportional to the operation (linux/validate.h) */
	unsigned int validate_every;	/* debug.validate_every: full walk period */
	unsigned long validate_ops;	/* operations validated (atomic) */
	/* harden: the machine owns its files (mm/shmem.c) */
	struct list_head files;		/* every live foliage_file */
	spinlock_t files_lock;		/* protects files */
	/* Devices (drivers/virtio, host/). */
	struct host *host;		/* the hypervisor: RAM and devices */
	struct virtio_bus *virtio;	/* the guest's virtio bus */
	/* ---- arch (include/linux/arch.h) ---- */
	const struct arch_ops *arch;	/* PTE layout and TLB model */
	bool arm64_tlb_range;		/* arm64: FEAT_TLBIRANGE (arch.tlb_range) */
	bool arm64_bbml2_noabort;	/* arm64: BBML2_NOABORT (arch.bbml2_noabort) */
	/* kernel/: CPUs, kernel threads, work, time (issue 7 section 1) */
	pthread_mutex_t stop_lock;	/* one stop_machine() at a time */
	bool validate_pending;		/* debug validation owed (atomic) */
	unsigned long validate_deferred; /* ops whose check waited for quiet */
	u64 clock_ns;			/* virtual clock, ns since boot */
	u64 boot_ns;			/* host CLOCK_MONOTONIC at boot */
	struct machine_kernel *kernel;	/* workers, timers, kthreads */
	/* ---- sleeping waits (mm/filemap.c) and pins (mm/gup.c) ---- */
	/* sleepers on folio bits, hashed by folio */
	wait_queue_head_t folio_wait_table[FOLIO_WAIT_TABLE_SIZE];
	spinlock_t pins_lock;		/* protects every task's pin list */
	/* CONFIG_MM_ID: the ids in use, a bit each (mm/mmap.c) */
	spinlock_t mm_ida_lock;		/* protects mm_ida */
	unsigned long *mm_ida;		/* bit n: id n taken */
	unsigned int mm_ida_longs;	/* its size in longs */
	/*
	 * Held for read by what changes mm state outside any listed mm's
	 * mmap_lock (task create, fork, exit, unpin); the whole-machine mm
	 * validators take it for write (trylock) or skip.  Debug builds.
	 */
	pthread_rwlock_t tasks_validate_lock;
};

#ifdef CONFIG_DEBUG_VM
static inline void tasks_validate_read_lock(struct foliage_machine *m)
{
	pthread_rwlock_rdlock(&m->tasks_validate_lock);
}

static inline void tasks_validate_read_unlock(struct foliage_machine *m)
{
	pthread_rwlock_unlock(&m->tasks_validate_lock);
}
#else
static inline void tasks_validate_read_lock(struct foliage_machine *m)
{
}

static inline void tasks_validate_read_unlock(struct foliage_machine *m)
{
}
#endif

/* mm/filemap.c: set up and tear down m->folio_wait_table. */
void folio_wait_table_init(struct foliage_machine *m);
void folio_wait_table_destroy(struct foliage_machine *m);

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
extern __thread bool this_cpu_running;

/*
 * Make the calling thread run inside @m, on one of its CPUs (kernel/cpu.c):
 * the CPU it is attached to, attaching it to a free one first if it is not
 * (foliage_cpu_attach(m, -1)), and waiting while another thread (a kernel
 * thread of that CPU) runs there.  Cheap when the thread already runs
 * there.  -EBUSY if every CPU of the machine is attached to other threads.
 */
int __machine_enter(struct foliage_machine *m);
static inline int __must_check machine_enter(struct foliage_machine *m)
{
	extern __thread unsigned long this_machine_generation;

	if (likely(this_machine == m &&
		   this_machine_generation == m->generation &&
		   this_cpu_running))
		return 0;
	return __machine_enter(m);
}

/*
 * The end of a public operation: debug-build validation once the machine
 * is quiet (kernel/stop_machine.c), then machine_leave().
 */
void machine_exit_op(struct foliage_machine *m);
/* Leave @m: the calling user thread stops running on its CPU. */
void machine_leave(struct foliage_machine *m);

/*
 * kernel/boot.c: CPUs, kernel threads, work and time of a machine.  init
 * at boot before the first machine_enter(); stop (every kernel thread
 * joined, queued work dropped) at destroy once drivers have let go of
 * their devices (virtio_bus_exit()); exit last.
 */
int machine_kernel_init(struct foliage_machine *m);
void machine_kernel_stop(struct foliage_machine *m);
void machine_kernel_exit(struct foliage_machine *m);

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
