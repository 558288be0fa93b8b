// SPDX-License-Identifier: GPL-2.0
/*
 * TLB maintenance, counted: the flush entry points and Linux's mmu_gather
 * (mm/mmu_gather.c, include/asm-generic/tlb.h).
 *
 * foliage has no hardware TLB, so a flush is an event: it is counted in
 * machine->tlb (struct tlb_stats) and in the mm's tlb_flush_seq, so that a
 * change that batches invalidations has something to show.  Which events
 * a flush is, is the machine's arch's (struct arch_ops): x86's flush
 * ceiling (arch/x86/mm/tlb.c) or arm64's TLBI instructions
 * (arch/arm64/mm/tlbflush.c).
 *
 * The mmu_gather keeps Linux's shape so that its flush count matches:
 * freed pages are queued in batches (8 slots on the stack, then guest
 * pages of 510 slots, at most 19 of them), page tables in a guest page of
 * 509; running out of room forces a flush before more is queued.  Page
 * references are dropped only after the flush, so no CPU can still reach a
 * page through a stale TLB entry when it is freed.
 */
#include <stdio.h>

#include "render.h"
#include <linux/mm.h>
#include <asm-generic/tlb.h>
#include <linux/machine_subsys.h>

/* Low bits of a batch slot holding a page pointer. */
#define ENCODED_PAGE_NR_PAGES_NEXT	1UL

BUILD_BUG_ON(sizeof(struct mmu_gather_batch) != 16);
BUILD_BUG_ON(offsetof(struct mmu_gather, __local_slots) !=
	     offsetof(struct mmu_gather, local) +
	     sizeof(struct mmu_gather_batch));

void tlb_flush_seq_inc(struct mm_struct *mm)
{
	if (mm)
		__atomic_fetch_add(&mm->tlb_flush_seq, 1, __ATOMIC_RELAXED);
}

/* The flushes themselves are the machine's arch's (struct arch_ops). */
void flush_tlb_mm(struct mm_struct *mm)
{
	this_machine->arch->flush_tlb_mm(mm);
}

void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end)
{
	this_machine->arch->flush_tlb_range(vma->vm_mm, start, end,
					    PAGE_SHIFT, false);
}

void flush_pmd_tlb_range(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end)
{
	this_machine->arch->flush_tlb_range(vma->vm_mm, start, end,
					    PMD_SHIFT, false);
}

void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	this_machine->arch->flush_tlb_page(vma->vm_mm, addr);
}

pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long addr,
		       pte_t *ptep)
{
	pte_t pte = ptep_get_and_clear(ptep);

	/*
	 * pte_accessible(): x86 flushes any present entry; arm64 only a
	 * valid one (a PROT_NONE entry was never cached).
	 */
	if (arch_is_arm64() ? pte_valid(pte) : pte_present(pte))
		flush_tlb_page(vma, addr);
	return pte;
}

pmd_t pmdp_huge_clear_flush(struct vm_area_struct *vma, unsigned long addr,
			    pmd_t *pmdp)
{
	pmd_t pmd = __pmd(__atomic_exchange_n(&pmdp->pmd, 0,
					      __ATOMIC_RELAXED));

	flush_pmd_tlb_range(vma, addr, addr + HPAGE_PMD_SIZE);
	return pmd;
}

pmd_t pmdp_invalidate(struct vm_area_struct *vma, unsigned long addr,
		      pmd_t *pmdp)
{
	pmd_t old = pmdp_get(pmdp);

	/* Invalid to the hardware, still a present huge PMD to software. */
	set_pmd(pmdp, pmd_mkinvalid(old));
	flush_pmd_tlb_range(vma, addr, addr + HPAGE_PMD_SIZE);
	return old;
}

/* ---- mmu_gather ---------------------------------------------------------- */

static void __tlb_reset_range(struct mmu_gather *tlb)
{
	if (tlb->fullmm) {
		tlb->start = tlb->end = ~0UL;
	} else {
		tlb->start = TASK_SIZE_MAX;
		tlb->end = 0;
	}
	tlb->freed_tables = false;
	tlb->cleared_ptes = false;
	tlb->cleared_pmds = false;
	tlb->cleared_puds = false;
	tlb->cleared_p4ds = false;
}

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm,
		    bool fullmm)
{
	tlb->mm = mm;
	tlb->fullmm = fullmm;
	tlb->need_flush_all = false;
	tlb->local.next = NULL;
	tlb->local.nr = 0;
	tlb->local.max = MMU_GATHER_BUNDLE;
	tlb->active = &tlb->local;
	tlb->batch_count = 0;
	tlb->table_batch = NULL;
	tlb->nr_tables = 0;
	__tlb_reset_range(tlb);
}

static void __tlb_adjust_range(struct mmu_gather *tlb, unsigned long addr,
			       unsigned long size)
{
	tlb->start = min(tlb->start, addr);
	tlb->end = max(tlb->end, addr + size);
}

void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size)
{
	__tlb_adjust_range(tlb, addr, size);
	tlb->cleared_ptes = true;
}

/* The same for the upper levels (cleared_pmds, _puds, _p4ds). */
#define TLB_FLUSH_LEVEL_RANGE(level)					\
void tlb_flush_##level##_range(struct mmu_gather *tlb, unsigned long addr, \
			       unsigned long size)			\
{									\
	__tlb_adjust_range(tlb, addr, size);				\
	tlb->cleared_##level##s = true;					\
}
TLB_FLUSH_LEVEL_RANGE(pmd)
TLB_FLUSH_LEVEL_RANGE(pud)
TLB_FLUSH_LEVEL_RANGE(p4d)

unsigned int tlb_get_unmap_shift(struct mmu_gather *tlb)
{
	if (tlb->cleared_ptes)
		return PAGE_SHIFT;
	if (tlb->cleared_pmds)
		return PMD_SHIFT;
	if (tlb->cleared_puds)
		return PUD_SHIFT;
	if (tlb->cleared_p4ds)
		return PGDIR_SHIFT;
	return PAGE_SHIFT;
}

void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (!(tlb->freed_tables || tlb->cleared_ptes || tlb->cleared_pmds ||
	      tlb->cleared_puds || tlb->cleared_p4ds))
		return;
	this_machine->arch->tlb_flush(tlb);
	__tlb_reset_range(tlb);
}

/* Another batch page, if allowed and the allocator has one to spare. */
static bool tlb_next_batch(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *batch = tlb->active;
	struct page *page;

	if (batch->next) {
		tlb->active = batch->next;
		return true;
	}
	if (tlb->batch_count == MAX_GATHER_BATCH_COUNT)
		return false;
	page = alloc_pages(GFP_NOWAIT, 0);
	if (!page)
		return false;
	tlb->batch_count++;
	batch = page_address(page);
	batch->next = NULL;
	batch->nr = 0;
	batch->max = MAX_GATHER_BATCH;
	tlb->active->next = batch;
	tlb->active = batch;
	return true;
}

bool __tlb_remove_folio_pages(struct mmu_gather *tlb, struct page *page,
			      unsigned int nr_pages)
{
	struct mmu_gather_batch *batch = tlb->active;

	if (likely(nr_pages == 1)) {
		batch->slots[batch->nr++] = (unsigned long)page;
	} else {
		batch->slots[batch->nr++] = (unsigned long)page |
					    ENCODED_PAGE_NR_PAGES_NEXT;
		batch->slots[batch->nr++] = nr_pages;
	}
	/* Keep room for a page and its count: two slots. */
	if (batch->nr >= batch->max - 1) {
		if (!tlb_next_batch(tlb))
			return true;
	}
	return false;
}

void tlb_remove_folio(struct mmu_gather *tlb, struct folio *folio, int refs,
		      unsigned long addr, unsigned long size)
{
	if (size >= PMD_SIZE)
		tlb_flush_pmd_range(tlb, addr, size);
	else
		tlb_flush_pte_range(tlb, addr, size);
	if (__tlb_remove_folio_pages(tlb, &folio->page, refs))
		tlb_flush_mmu(tlb);
}

/* Drop the queued references, batch by batch, in queueing order. */
static void tlb_batch_pages_flush(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *batch;
	unsigned int i;

	for (batch = &tlb->local; batch && batch->nr; batch = batch->next) {
		for (i = 0; i < batch->nr; i++) {
			unsigned long slot = batch->slots[i];
			struct page *page = (struct page *)
				(slot & ~ENCODED_PAGE_NR_PAGES_NEXT);
			int refs = 1;

			if (slot & ENCODED_PAGE_NR_PAGES_NEXT)
				refs = batch->slots[++i];
			folio_put_refs(page_folio(page), refs);
		}
		batch->nr = 0;
	}
	tlb->active = &tlb->local;
}

static void tlb_batch_list_free(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *batch, *next;

	for (batch = tlb->local.next; batch; batch = next) {
		next = batch->next;
		__free_pages(virt_to_page(batch), 0);
	}
	tlb->local.next = NULL;
}

/*
 * Free the queued page tables: they were already destructed, and the
 * flush (tlb_table_invalidate(), which x86 needs) ends any walk through
 * them.
 */
static void tlb_table_flush(struct mmu_gather *tlb)
{
	struct page **tables;
	unsigned int i;

	if (!tlb->table_batch)
		return;
	tlb_flush_mmu_tlbonly(tlb);
	tables = page_address(tlb->table_batch);
	for (i = 0; i < tlb->nr_tables; i++)
		__free_pages(tables[i], 0);
	__free_pages(tlb->table_batch, 0);
	tlb->table_batch = NULL;
	tlb->nr_tables = 0;
}

void tlb_remove_table(struct mmu_gather *tlb, struct page *table)
{
	if (!tlb->table_batch) {
		tlb->table_batch = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0);
		if (!tlb->table_batch) {
			/* tlb_remove_table_one(): flush now, free at once. */
			tlb_flush_mmu_tlbonly(tlb);
			__free_pages(table, 0);
			return;
		}
		tlb->nr_tables = 0;
	}
	((struct page **)page_address(tlb->table_batch))[tlb->nr_tables++] =
		table;
	if (tlb->nr_tables == MAX_TABLE_BATCH)
		tlb_table_flush(tlb);
}

void tlb_flush_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu_tlbonly(tlb);
	tlb_table_flush(tlb);
	tlb_batch_pages_flush(tlb);
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	tlb_batch_list_free(tlb);
}

/* ---- render "tlb" ---------------------------------------------------------- */

int tlb_render_rows(struct seq_buf *s, bool json, const char *const *names,
		    const unsigned long *values, unsigned int n)
{
	struct json_object *obj;
	unsigned int i;
	int err = 0;

	if (!json) {
		for (i = 0; i < n; i++)
			seq_printf(s, "%s %lu\n", names[i], values[i]);
		return s->err;
	}
	obj = json_new_object(&err);
	for (i = 0; obj && i < n; i++)
		json_set_u64(obj, names[i], values[i], &err);
	return json_show(s, obj, err);
}

/* The machine's arch's counters: x86's flushes or arm64's TLBIs. */
int tlb_render_seq(struct seq_buf *s, bool json)
{
	return this_machine->arch->tlb_render(s, this_machine->tlb, json);
}

int render_tlb(struct foliage_machine *m, char **out)
{
	return render_seq_text(m, tlb_render_seq, out);
}

static const struct machine_render tlb_renders[] = {
	{ "tlb", tlb_render_seq },
};

const struct machine_subsys tlb_subsys = {
	.name = "tlb",
	MACHINE_SUBSYS_STATE(tlb),
	.renders = tlb_renders,
	.nr_renders = ARRAY_SIZE(tlb_renders),
};
