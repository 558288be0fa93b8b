// SPDX-License-Identifier: GPL-2.0
/*
 * Object caches with SLUB's /proc/slabinfo accounting.
 *
 * The kernel objects of the address-space layer (vm_area_struct, anon_vma,
 * anon_vma_chain) are host memory: foliage's structs are not Linux's, and
 * only their count and cost matter to a user comparing designs.  A cache
 * therefore hands out calloc()ed objects of the host struct's size and
 * accounts them as SLUB would lay out Linux's object size:
 *
 *   objperslab, pagesperslab   SLUB's calculate_order() for the Linux size
 *				with the machine's CPU count (slub_min_objects
 *				= 4 * (fls(nr_cpus) + 1), max order 3, waste
 *				at most 1/16, then 1/8, 1/4, 1/2 of a slab)
 *   active_objs		objects allocated and not yet freed
 *   num_slabs == active_slabs	ceil(active_objs / objperslab)
 *   num_objs			num_slabs * objperslab
 *
 * That is, foliage's slabs are always packed: a real SLUB cache also holds
 * partially used slabs and per-CPU slabs, so Linux's num_objs is larger for
 * the same active_objs (docs/fidelity.md).  The slab pages are not taken
 * from guest RAM, so they do not show in MemFree or Slab: of /proc/meminfo.
 *
 * failslab, as Linux's fault-injection knob of that name (probability,
 * interval, times, and foliage's seed), makes kmem_cache_zalloc() fail;
 * unlike Linux it considers every allocation (foliage's allocations carry
 * no gfp mask for ignore-gfp-wait to look at).
 *
 * Caches live in the machine, newest first on m->slab->caches as Linux's
 * slab_caches list (which is the order /proc/slabinfo prints).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/machine_subsys.h>

#define SLUB_MAX_ORDER		3	/* PAGE_ALLOC_COSTLY_ORDER */
#define MAX_OBJS_PER_PAGE	32767	/* since objects is a u15 */

struct kmem_cache {
	char name[32];			/* as /proc/slabinfo shows it */
	size_t host_size;		/* bytes of one object here */
	unsigned int size;		/* Linux's s->size: objsize */
	unsigned int order;		/* pages per slab = 1 << order */
	unsigned int objects;		/* objects per slab */
	atomic_long_t active;		/* objects allocated, not freed */
	atomic_long_t total_allocs;	/* kmem_cache_zalloc() successes */
	atomic_long_t failed;		/* allocations failslab failed */
	struct list_head list;		/* on machine->slab->caches */
	struct foliage_machine *machine; /* owner */
};

static unsigned int fls_uint(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static unsigned int get_order_bytes(unsigned long bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (PAGE_SIZE << order) / size;
}

/* The smallest order in [min_order, max_order] wasting <= 1/fract. */
static unsigned int calc_slab_order(unsigned int size, unsigned int min_order,
				    unsigned int max_order,
				    unsigned int fract_leftover)
{
	unsigned int order;

	for (order = min_order; order <= max_order; order++) {
		unsigned int slab_size = PAGE_SIZE << order;

		if (slab_size % size <= slab_size / fract_leftover)
			break;
	}
	return order;
}

/* SLUB's slab order for objects of @size bytes on @nr_cpus CPUs. */
unsigned int slab_calculate_order(unsigned int size, unsigned int nr_cpus)
{
	unsigned int min_objects, max_objects, min_order, fraction, order;

	min_objects = 4 * (fls_uint(nr_cpus) + 1);
	max_objects = max(order_objects(SLUB_MAX_ORDER, size), 1U);
	min_objects = min(min_objects, max_objects);
	min_order = get_order_bytes((unsigned long)min_objects * size);
	if (order_objects(min_order, size) > MAX_OBJS_PER_PAGE)
		return get_order_bytes((unsigned long)size *
				       MAX_OBJS_PER_PAGE) - 1;
	for (fraction = 16; fraction > 1; fraction /= 2) {
		order = calc_slab_order(size, min_order, SLUB_MAX_ORDER,
					fraction);
		if (order <= SLUB_MAX_ORDER)
			return order;
	}
	return get_order_bytes(size);
}

static struct kmem_cache *__kmem_cache_create(struct foliage_machine *m,
					      const char *name,
					      size_t host_size,
					      unsigned int linux_size)
{
	struct kmem_cache *s;

	if (!host_size || !linux_size || strlen(name) >= sizeof(s->name))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->host_size = host_size;
	s->size = linux_size;
	s->order = slab_calculate_order(linux_size, m->nr_cpus);
	s->objects = order_objects(s->order, linux_size);
	s->machine = m;
	spin_lock(&m->slab->lock);
	list_add(&s->list, &m->slab->caches);
	spin_unlock(&m->slab->lock);
	return s;
}

static void __kmem_cache_destroy(struct kmem_cache *s)
{
	struct foliage_machine *m = s->machine;

	spin_lock(&m->slab->lock);
	list_del(&s->list);
	spin_unlock(&m->slab->lock);
	free(s);
}

struct kmem_cache *kmem_cache_create_as(const char *name, size_t host_size,
					unsigned int linux_size)
{
	return __kmem_cache_create(this_machine, name, host_size, linux_size);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t object_size)
{
	return kmem_cache_create_as(name, object_size,
				    ALIGN(object_size, sizeof(void *)));
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return;
	/* Linux: "kmem_cache_destroy %s: Slab cache still has objects" */
	if (atomic_long_read(&s->active))
		report_bug("kmem_cache_destroy %s: Slab cache still has %ld objects",
			   s->name, atomic_long_read(&s->active));
	__kmem_cache_destroy(s);
}

/* failslab: should this allocation fail? */
static bool should_failslab(void)
{
	struct fault_attr *attr = &this_machine->fault_inject->failslab;
	bool fail;

	if (likely(!READ_ONCE(attr->probability)))
		return false;
	spin_lock(&attr->lock);
	fail = should_fail(attr);
	spin_unlock(&attr->lock);
	return fail;
}

bool kmalloc_should_fail(void)
{
	return should_failslab();
}

void *kmem_cache_zalloc(struct kmem_cache *s)
{
	void *obj;

	if (should_failslab()) {
		atomic_long_add(1, &s->failed);
		return NULL;
	}
	obj = calloc(1, s->host_size);
	if (!obj)
		return NULL;
	atomic_long_add(1, &s->active);
	atomic_long_add(1, &s->total_allocs);
	return obj;
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	if (!obj)
		return;
	VM_WARN_ON(atomic_long_read(&s->active) <= 0);
	atomic_long_add(-1, &s->active);
	free(obj);
}

void kmem_cache_get_info(const struct kmem_cache *s, struct slabinfo *info)
{
	unsigned long active = max(atomic_long_read(&s->active), 0L);

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", s->name);
	info->active_objs = active;
	info->num_slabs = DIV_ROUND_UP(active, s->objects);
	info->active_slabs = info->num_slabs;
	info->num_objs = info->num_slabs * s->objects;
	info->objsize = s->size;
	info->objperslab = s->objects;
	info->pagesperslab = 1U << s->order;
	info->total_allocs = atomic_long_read(&s->total_allocs);
	info->failed = atomic_long_read(&s->failed);
}

/*
 * Boot: the machine's cache list and the caches foliage
 * accounts.  Idempotent, like kmem_caches_exit().
 */
int kmem_caches_init(struct foliage_machine *m)
{
	if (m->slab->caches.next)
		return 0;		/* already up */
	INIT_LIST_HEAD(&m->slab->caches);
	spin_lock_init(&m->slab->lock);
	/*
	 * Linux's boot creates anon_vma and anon_vma_chain (anon_vma_init())
	 * before vm_area_struct, so slabinfo lists them in the reverse order.
	 */
	m->slab->cache_anon_vma = __kmem_cache_create(m, "anon_vma",
			sizeof(struct anon_vma), ANON_VMA_LINUX_BYTES);
	m->slab->cache_anon_vma_chain = __kmem_cache_create(m, "anon_vma_chain",
			sizeof(struct anon_vma_chain), ANON_VMA_CHAIN_LINUX_BYTES);
	m->slab->cache_vm_area_struct = __kmem_cache_create(m, "vm_area_struct",
			sizeof(struct vm_area_struct), VM_AREA_STRUCT_LINUX_BYTES);
	if (!m->slab->cache_anon_vma || !m->slab->cache_anon_vma_chain ||
	    !m->slab->cache_vm_area_struct) {
		kmem_caches_exit(m);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Machine teardown: free every cache.  Objects still allocated belong to
 * whoever leaked them; there is no machine left to report them to.
 */
void kmem_caches_exit(struct foliage_machine *m)
{
	struct kmem_cache *s, *n;

	if (!m->slab || !m->slab->caches.next)
		return;
	list_for_each_entry_safe(s, n, &m->slab->caches, list)
		__kmem_cache_destroy(s);
	memset(m->slab, 0, sizeof(*m->slab));
}

/* ---- /proc/slabinfo ------------------------------------------------- */

void slabinfo_show(struct seq_buf *s, const struct slabinfo *rows,
		   unsigned int nr_rows)
{
	unsigned int i;

	/* Linux's header (mm/slab_common.c), "version: 2.1". */
	seq_puts(s, "slabinfo - version: 2.1\n");
	seq_puts(s, "# name            <active_objs> <num_objs> <objsize> "
		    "<objperslab> <pagesperslab>");
	seq_puts(s, " : tunables <limit> <batchcount> <sharedfactor>");
	seq_puts(s, " : slabdata <active_slabs> <num_slabs> <sharedavail>");
	seq_putc(s, '\n');
	for (i = 0; i < nr_rows; i++) {
		const struct slabinfo *r = &rows[i];

		seq_printf(s, "%-17s %6lu %6lu %6u %4u %4u", r->name,
			   r->active_objs, r->num_objs, r->objsize,
			   r->objperslab, r->pagesperslab);
		/* SLUB has no tunables and no shared arrays. */
		seq_printf(s, " : tunables %4u %4u %4u", 0U, 0U, 0U);
		seq_printf(s, " : slabdata %6lu %6lu %6lu", r->active_slabs,
			   r->num_slabs, 0UL);
		seq_putc(s, '\n');
	}
}

/* {"caches": [{"name": ..., "active_objs": ..., ...}, ...]} */
struct json_object *slabinfo_json(const struct slabinfo *rows,
				  unsigned int nr_rows, int *err)
{
	struct json_object *obj = json_new_object(err);
	struct json_object *caches = json_new_array(err);
	unsigned int i;

	for (i = 0; caches && i < nr_rows; i++) {
		const struct slabinfo *r = &rows[i];
		struct json_object *c = json_new_object(err);

		if (!c)
			break;
		json_set_str(c, "name", r->name, err);
		json_set_u64(c, "active_objs", r->active_objs, err);
		json_set_u64(c, "num_objs", r->num_objs, err);
		json_set_u64(c, "objsize", r->objsize, err);
		json_set_u64(c, "objperslab", r->objperslab, err);
		json_set_u64(c, "pagesperslab", r->pagesperslab, err);
		json_set_u64(c, "active_slabs", r->active_slabs, err);
		json_set_u64(c, "num_slabs", r->num_slabs, err);
		json_set_u64(c, "total_allocs", r->total_allocs, err);
		json_set_u64(c, "failslab_failures", r->failed, err);
		json_push(caches, c, err);
	}
	if (obj)
		json_set(obj, "caches", caches, err);
	else
		json_object_put(caches);
	return obj;
}

int slabinfo_snapshot(struct foliage_machine *m, struct slabinfo **rows,
		      unsigned int *nr_rows)
{
	struct kmem_cache *s;
	unsigned int n = 0;

	*rows = NULL;
	*nr_rows = 0;
	if (!m->slab)
		return 0;
	spin_lock(&m->slab->lock);
	list_for_each_entry(s, &m->slab->caches, list)
		n++;
	*rows = calloc(n ? n : 1, sizeof(**rows));
	if (!*rows) {
		spin_unlock(&m->slab->lock);
		return -ENOMEM;
	}
	n = 0;
	list_for_each_entry(s, &m->slab->caches, list)
		kmem_cache_get_info(s, &(*rows)[n++]);
	spin_unlock(&m->slab->lock);
	*nr_rows = n;
	return 0;
}

int slabinfo_render_seq(struct seq_buf *s, bool json)
{
	struct slabinfo *rows;
	unsigned int nr;
	int ret, err = 0;

	ret = slabinfo_snapshot(this_machine, &rows, &nr);
	if (ret)
		return ret;
	if (json) {
		ret = json_show(s, slabinfo_json(rows, nr, &err), err);
	} else {
		slabinfo_show(s, rows, nr);
		ret = s->err;
	}
	free(rows);
	return ret;
}

int render_slabinfo(struct foliage_machine *m, char **out)
{
	return render_seq_text(m, slabinfo_render_seq, out);
}

static const struct machine_render slab_renders[] = {
	{ "slabinfo", slabinfo_render_seq },
};

const struct machine_subsys slab_subsys = {
	.name = "slab",
	MACHINE_SUBSYS_STATE(slab),
	.init = kmem_caches_init,
	.exit = kmem_caches_exit,
	.renders = slab_renders,
	.nr_renders = ARRAY_SIZE(slab_renders),
};
