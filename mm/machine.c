// SPDX-License-Identifier: GPL-2.0
/*
 * Entering a machine, recording bugs, and the public page-level API.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

__thread struct foliage_machine *this_machine;
__thread struct foliage_cpu *this_cpu;
__thread unsigned long this_machine_generation;
__thread bool machine_up;
static __thread int this_tid;

/*
 * Bind the calling thread to one of @m's CPUs: the one it had before in
 * this machine, else a new one.  A thread keeps its CPU for the machine's
 * life, so its per-CPU lists and counters stay its own.
 */
int __machine_enter(struct foliage_machine *m)
{
	int cpu, n;

	if (!this_tid)
		this_tid = gettid();
	n = __atomic_load_n(&m->next_cpu, __ATOMIC_ACQUIRE);
	for (cpu = 0; cpu < n && cpu < m->nr_cpus; cpu++)
		if (__atomic_load_n(&m->cpus[cpu].owner_tid,
				    __ATOMIC_ACQUIRE) == this_tid)
			goto found;
	cpu = __atomic_fetch_add(&m->next_cpu, 1, __ATOMIC_ACQ_REL);
	if (cpu >= m->nr_cpus)
		return -EBUSY;
	m->cpus[cpu].id = cpu;
	m->cpus[cpu].nid = cpu % m->nr_nodes;
	__atomic_store_n(&m->cpus[cpu].owner_tid, this_tid, __ATOMIC_RELEASE);
found:
	machine_up = m->up;
	this_arch = m->arch->id;
	this_machine = m;
	this_cpu = &m->cpus[cpu];
	this_machine_generation = m->generation;
	return 0;
}

void machine_exit_op(struct foliage_machine *m)
{
#ifdef CONFIG_DEBUG_VM
	validate_machine();
#endif
	(void)m;
}

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

int foliage_validate(struct foliage_machine *m)
{
	int ret = machine_enter(m);

	if (ret)
		return ret;
	return validate_machine();
}

BUILD_BUG_ON(FOLIAGE_GFP_KERNEL != GFP_KERNEL);
BUILD_BUG_ON(FOLIAGE_GFP_USER != GFP_USER);
BUILD_BUG_ON(FOLIAGE_GFP_HIGHUSER_MOVABLE != GFP_HIGHUSER_MOVABLE);
BUILD_BUG_ON(FOLIAGE_GFP_TRANSHUGE != GFP_TRANSHUGE);
BUILD_BUG_ON(FOLIAGE_GFP_ZERO != __GFP_ZERO);
BUILD_BUG_ON(FOLIAGE_GFP_COMP != __GFP_COMP);
BUILD_BUG_ON(FOLIAGE_GFP_NOWARN != __GFP_NOWARN);
BUILD_BUG_ON(FOLIAGE_GFP_THISNODE != __GFP_THISNODE);
BUILD_BUG_ON(FOLIAGE_GFP_MOVABLE != __GFP_MOVABLE);
BUILD_BUG_ON(FOLIAGE_MAX_ORDER != MAX_PAGE_ORDER);
BUILD_BUG_ON(FOLIAGE_MAX_CPUS != NR_CPUS);
BUILD_BUG_ON(FOLIAGE_MAX_NODES != MAX_NUMNODES);

int foliage_alloc_pages(struct foliage_machine *m, unsigned int gfp,
			unsigned int order, int nid, unsigned long *pfn)
{
	struct page *page;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	/* -1 is "this CPU's node"; any other value must name a node. */
	if (order > MAX_PAGE_ORDER || (gfp & ~__GFP_BITS_MASK) || !pfn ||
	    nid < -1 || nid >= m->nr_nodes)
		return -EINVAL;
	page = __alloc_pages(gfp, order, nid);
	machine_exit_op(m);
	if (!page)
		return -ENOMEM;
	*pfn = page_to_pfn(page);
	return 0;
}

int foliage_free_pages(struct foliage_machine *m, unsigned long pfn,
		       unsigned int order, unsigned int flags)
{
	struct page *page;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	if (order > MAX_PAGE_ORDER || !pfn_valid(pfn) ||
	    (flags & ~FOLIAGE_FREE_ZEROED))
		return -EINVAL;
	page = pfn_to_page(pfn);
	if (PageBuddy(page) || PageTail(page) || page_ref_count(page) <= 0)
		return -EINVAL;
	if (PageHead(page) && compound_order(page) != order)
		return -EINVAL;
	if (flags & FOLIAGE_FREE_ZEROED)
		free_pages_zeroed(page, order);
	else
		__free_pages(page, order);
	machine_exit_op(m);
	return 0;
}

void *foliage_pfn_to_virt(struct foliage_machine *m, unsigned long pfn)
{
	if (machine_enter(m) || !pfn_valid(pfn))
		return NULL;
	return pfn_to_virt(pfn);
}

int foliage_drain_pages(struct foliage_machine *m)
{
	int ret = machine_enter(m);

	if (ret)
		return ret;
	drain_all_pages(NULL);
	machine_exit_op(m);
	return 0;
}

int foliage_page_info(struct foliage_machine *m, unsigned long pfn,
		      struct foliage_page_info *info)
{
	struct page *page;
	struct zone *zone;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	if (!info || !pfn_valid(pfn))
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	zone = pfn_zone(pfn);
	info->nid = pfn_to_nid(pfn);
	info->zone = zone_idx(zone);
	info->migratetype = get_pfnblock_migratetype(pfn);
	spin_lock(&zone->lock);
	if (block_is_unlisted(zone, pfn)) {
		/* A free max-order block on no list yet: its head is free. */
		info->buddy = IS_ALIGNED(pfn, MAX_ORDER_NR_PAGES);
		info->buddy_order = info->buddy ? MAX_PAGE_ORDER : 0;
		spin_unlock(&zone->lock);
		return 0;
	}
	if (block_is_deferred(zone, pfn) &&
	    !IS_ALIGNED(pfn, MAX_ORDER_NR_PAGES)) {
		/* A tail of a never-split free block. */
		spin_unlock(&zone->lock);
		return 0;
	}
	page = pfn_to_page(pfn);
	info->refcount = page_ref_count(page);
	info->buddy = PageBuddy(page);
	info->buddy_order = info->buddy ? buddy_order(page) : 0;
	info->zeroed = PageZeroed(page);
	info->reported = PageReported(page);
	info->compound = PageCompound(page);
	info->folio_order = info->compound ? compound_order(compound_head(page))
					   : 0;
	spin_unlock(&zone->lock);
	return 0;
}
