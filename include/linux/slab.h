/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Object caches with /proc/slabinfo accounting (mm/slab.c): objects come
 * from the host's malloc, but each cache counts objects and slabs as
 * SLUB would lay them out for Linux's object size, so slabinfo reads as
 * Linux's.  failslab fault injection applies to every allocation.
 */
#ifndef _FOLIAGE_LINUX_SLAB_H
#define _FOLIAGE_LINUX_SLAB_H

#include <linux/mm.h>

struct seq_buf;
struct kmem_cache;
/* A cache of @object_size-byte objects, accounted at that size (8-aligned). */
struct kmem_cache *kmem_cache_create(const char *name, size_t object_size);
/*
 * A cache whose objects take @host_size bytes here but are accounted as
 * Linux's @linux_size (its s->size, the "objsize" column of slabinfo).
 */
struct kmem_cache *kmem_cache_create_as(const char *name, size_t host_size,
					unsigned int linux_size);
void kmem_cache_destroy(struct kmem_cache *s);
/* A zeroed object, or NULL (host out of memory, or failslab). */
void *kmem_cache_zalloc(struct kmem_cache *s);
void kmem_cache_free(struct kmem_cache *s, void *obj);

/*
 * The machine's caches of the address-space layer, created at boot by
 * kmem_caches_init() (slab_subsys's init, at foliage_machine_create())
 * and freed by kmem_caches_exit() (its exit); both are idempotent.
 * Linux's object sizes on x86-64 (6.18, /proc/slabinfo "objsize"):
 */
#define VM_AREA_STRUCT_LINUX_BYTES	192
#define ANON_VMA_LINUX_BYTES		104
#define ANON_VMA_CHAIN_LINUX_BYTES	64
#define vm_area_cachep		(this_machine->slab->cache_vm_area_struct)
#define anon_vma_cachep		(this_machine->slab->cache_anon_vma)
#define anon_vma_chain_cachep	(this_machine->slab->cache_anon_vma_chain)

/* The machine's slab state (machine->slab, slab_subsys). */
struct slab_state {
	struct list_head caches;	/* kmem_caches, newest first */
	spinlock_t lock;		/* protects caches */
	struct kmem_cache *cache_vm_area_struct; /* vm_area_cachep */
	struct kmem_cache *cache_anon_vma; /* anon_vma_cachep */
	struct kmem_cache *cache_anon_vma_chain; /* anon_vma_chain_cachep */
};
int __must_check kmem_caches_init(struct foliage_machine *m);
/*
 * failslab's verdict for kernel metadata foliage keeps in host memory
 * rather than in a kmem_cache (what Linux would kmalloc(), or take from a
 * maple tree's preallocation): true, and the caller fails with -ENOMEM
 * as its kmalloc() would.  Counts as a failslab failure.
 */
bool kmalloc_should_fail(void);
void kmem_caches_exit(struct foliage_machine *m);

/* One row of /proc/slabinfo, and foliage's own two counters. */
struct slabinfo {
	char name[32];			/* cache name */
	unsigned long active_objs;	/* objects in use */
	unsigned long num_objs;		/* objects in all slabs */
	unsigned int objsize;		/* Linux's object size, bytes */
	unsigned int objperslab;	/* objects per slab */
	unsigned int pagesperslab;	/* pages per slab */
	unsigned long active_slabs;	/* slabs with objects in use */
	unsigned long num_slabs;	/* slabs */
	unsigned long total_allocs;	/* allocations ever (not shown) */
	unsigned long failed;		/* failslab failures (not shown) */
};
void kmem_cache_get_info(const struct kmem_cache *s, struct slabinfo *info);
/* SLUB's order of a slab of @size-byte objects on @nr_cpus CPUs. */
unsigned int slab_calculate_order(unsigned int size, unsigned int nr_cpus);
/* Every cache of @m, newest first (malloc()ed array in *@rows). */
int slabinfo_snapshot(struct foliage_machine *m, struct slabinfo **rows,
		      unsigned int *nr_rows);
/* Linux's /proc/slabinfo text of @rows; and the same as JSON. */
void slabinfo_show(struct seq_buf *s, const struct slabinfo *rows,
		   unsigned int nr_rows);
struct json_object;
struct json_object *slabinfo_json(const struct slabinfo *rows,
				  unsigned int nr_rows, int *err);
/*
 * render "slabinfo" (foliage_render's table takes slabinfo_render_seq),
 * and the text alone (malloc()ed in *@out).
 */
int slabinfo_render_seq(struct seq_buf *s, bool json);
int render_slabinfo(struct foliage_machine *m, char **out);

#endif /* _FOLIAGE_LINUX_SLAB_H */
