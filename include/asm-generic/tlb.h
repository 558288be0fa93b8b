/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TLB maintenance (mm/tlb.c): the counted flush_tlb_*() calls, and the
 * mmu_gather that batches a zap's flush with the freeing of the pages and
 * page tables it unmapped, as Linux's asm-generic/tlb.h and
 * mm/mmu_gather.c.
 */
#ifndef _FOLIAGE_ASM_GENERIC_TLB_H
#define _FOLIAGE_ASM_GENERIC_TLB_H

#include <linux/mm.h>

struct seq_buf;

/*
 * Counted TLB maintenance (mm/tlb.c), as x86's flush_tlb_mm_range() decides
 * it: a range of more than tlb_single_page_flush_ceiling entries becomes a
 * full flush.  All counters only grow.
 */
/* machine->tlb, allocated by tlb_subsys. */
struct tlb_stats {
	unsigned long flush_all;	/* whole-mm flushes */
	unsigned long flush_range;	/* ranged flushes, entry by entry */
	unsigned long flush_pages;	/* entries invalidated by those */
	unsigned long flush_one;	/* single-page flushes */
	/* ---- arm64 machines: TLBI instructions issued (arch/arm64) ---- */
	unsigned long tlbi_page;	/* TLBI VALE1IS/VAE1IS: one VA */
	unsigned long tlbi_range;	/* TLBI RVALE1IS/RVAE1IS: a VA range */
	unsigned long tlbi_asid;	/* TLBI ASIDE1IS: the whole mm */
	unsigned long contpte_fold;	/* 64K blocks folded (PTE_CONT set) */
	unsigned long contpte_unfold;	/* 64K blocks unfolded */
};


/*
 * struct tlb_stats counts every invalidation; `foliage_render
 * (m, "tlb")` shows them.  x86's rule: a range of more than
 * tlb_single_page_flush_ceiling (33) entries at its stride is a full
 * flush.  Each flush also bumps mm->tlb_flush_seq.
 */
#define TLB_SINGLE_PAGE_FLUSH_CEILING	33
void flush_tlb_mm(struct mm_struct *mm);
void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end);
/* A PMD-sized range at PMD stride (one entry), e.g. pmdp_invalidate(). */
void flush_pmd_tlb_range(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end);
void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr);
/* render "tlb": the counters as "name value" lines (or JSON). */
int render_tlb(struct foliage_machine *m, char **out);
int tlb_render_seq(struct seq_buf *s, bool json);

/*
 * mmu_gather, Linux's asm-generic/tlb.h: zap clears entries and records
 * the range (tlb_remove_tlb_entry...), queues the pages whose references
 * the mappings held, and queues freed page tables; tlb_flush_mmu() flushes
 * the TLB once for the range, then drops the page references and frees the
 * tables.  Batches are guest pages (GFP_NOWAIT) as in Linux: 8 slots on
 * the stack, then up to MAX_GATHER_BATCH_COUNT pages of MAX_GATHER_BATCH
 * slots; a page range of one folio takes two slots.  When the batches are
 * full, the zap flushes early (the caller sees __tlb_remove_folio_pages()
 * return true).
 */
struct mmu_gather_batch {
	struct mmu_gather_batch *next;	/* next batch, or NULL */
	unsigned int nr;		/* slots used */
	unsigned int max;		/* slots */
	unsigned long slots[];		/* page pointers | flags, page counts */
};
#define MMU_GATHER_BUNDLE	8
#define MAX_GATHER_BATCH	((PAGE_SIZE - 16) / sizeof(void *))
#define MAX_GATHER_BATCH_COUNT	(10000UL / MAX_GATHER_BATCH)
/* Page tables per table batch page (Linux's MAX_TABLE_BATCH). */
#define MAX_TABLE_BATCH		((PAGE_SIZE - 24) / sizeof(void *))

struct mmu_gather {
	struct mm_struct *mm;		/* the mm */
	unsigned long start, end;	/* range to flush; start > end: none */
	bool fullmm;			/* exit: the whole mm goes */
	bool need_flush_all;		/* flush everything, not the range */
	bool freed_tables;		/* page tables were freed */
	bool cleared_ptes;		/* PTEs were cleared: stride 4K */
	bool cleared_pmds;		/* PMDs were cleared: stride 2M */
	bool cleared_puds;		/* PUDs were cleared: stride 1G */
	bool cleared_p4ds;		/* P4Ds (folded: pgd entries) cleared */
	unsigned int batch_count;	/* batch pages allocated */
	struct mmu_gather_batch *active; /* batch being filled */
	struct mmu_gather_batch local;	/* the first, on the stack */
	unsigned long __local_slots[MMU_GATHER_BUNDLE]; /* its slots */
	struct page *table_batch;	/* guest page of tables to free */
	unsigned int nr_tables;		/* tables in it */
};
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm,
		    bool fullmm);
/* Record that [addr, addr + size) was cleared at PTE/PMD/PUD level. */
void tlb_flush_pte_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
void tlb_flush_pmd_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
void tlb_flush_pud_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
void tlb_flush_p4d_range(struct mmu_gather *tlb, unsigned long addr,
			 unsigned long size);
/*
 * Queue @nr_pages references (one per page) to drop on @page's folio after
 * the flush.  True if the batches are full: the caller must flush
 * (tlb_flush_mmu) before queueing more.
 */
bool __tlb_remove_folio_pages(struct mmu_gather *tlb, struct page *page,
			      unsigned int nr_pages);
/* One reference on @folio's page, for a mapping of @size at @addr. */
void tlb_remove_folio(struct mmu_gather *tlb, struct folio *folio, int refs,
		      unsigned long addr, unsigned long size);
/* Free a page-table page after the flush (pte/pmd/pud_free_tlb). */
void tlb_remove_table(struct mmu_gather *tlb, struct page *table);
/* Flush the TLB for what was gathered (no freeing). */
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

#endif /* _FOLIAGE_ASM_GENERIC_TLB_H */
