// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64's TLB maintenance model and its arch ops: flush_tlb_mm_range() of
 * arch/x86/mm/tlb.c, where a range of more than
 * tlb_single_page_flush_ceiling (33) entries at its stride (4K, or 2M
 * after clearing PMDs) is a full flush and anything shorter is invalidated
 * entry by entry (INVLPG), and x86's protection_map
 * (arch/x86/mm/pgprot.c).
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <asm-generic/tlb.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <linux/rmap.h>

static void x86_flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,
				   unsigned long end, unsigned int stride_shift)
{
	struct tlb_stats *st = this_machine->tlb;

	if (end == TLB_FLUSH_ALL ||
	    ((end - start) >> stride_shift) > TLB_SINGLE_PAGE_FLUSH_CEILING) {
		tlb_stat_add(&st->flush_all, 1);
	} else {
		tlb_stat_add(&st->flush_range, 1);
		tlb_stat_add(&st->flush_pages,
			     DIV_ROUND_UP(end - start, 1UL << stride_shift));
	}
	tlb_flush_seq_inc(mm);
}

static void x86_flush_tlb_mm(struct mm_struct *mm)
{
	x86_flush_tlb_mm_range(mm, 0, TLB_FLUSH_ALL, 0);
}

static void x86_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				unsigned long end, unsigned int stride_shift,
				bool last_level)
{
	x86_flush_tlb_mm_range(mm, start, end, stride_shift);
}

static void x86_flush_tlb_page(struct mm_struct *mm, unsigned long addr)
{
	tlb_stat_add(&this_machine->tlb->flush_one, 1);
	tlb_flush_seq_inc(mm);
}

/* asm/tlb.h's tlb_flush(): exit and need_flush_all flush everything. */
static void x86_tlb_flush(struct mmu_gather *tlb)
{
	if (tlb->fullmm || tlb->need_flush_all)
		x86_flush_tlb_mm_range(tlb->mm, 0, TLB_FLUSH_ALL, 0);
	else
		x86_flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end,
				       tlb_get_unmap_shift(tlb));
}

static int x86_tlb_render(struct seq_buf *s, const struct tlb_stats *st,
			  bool json)
{
	static const char *const names[] = {
		"tlb_flush_all", "tlb_flush_range", "tlb_flush_pages",
		"tlb_flush_one",
	};
	const unsigned long values[] = {
		READ_ONCE(st->flush_all), READ_ONCE(st->flush_range),
		READ_ONCE(st->flush_pages), READ_ONCE(st->flush_one),
	};

	return tlb_render_rows(s, json, names, values, ARRAY_SIZE(names));
}

const struct arch_ops x86_64_arch_ops = {
	.name = "x86_64",
	.id = ARCH_X86_64,
	.protection_map = {
		[VM_NONE]					= PAGE_NONE,
		[VM_READ]					= PAGE_READONLY,
		[VM_WRITE]					= PAGE_COPY,
		[VM_WRITE | VM_READ]				= PAGE_COPY,
		[VM_EXEC]					= PAGE_READONLY_EXEC,
		[VM_EXEC | VM_READ]				= PAGE_READONLY_EXEC,
		[VM_EXEC | VM_WRITE]				= PAGE_COPY_EXEC,
		[VM_EXEC | VM_WRITE | VM_READ]			= PAGE_COPY_EXEC,
		[VM_SHARED]					= PAGE_NONE,
		[VM_SHARED | VM_READ]				= PAGE_READONLY,
		[VM_SHARED | VM_WRITE]				= PAGE_SHARED,
		[VM_SHARED | VM_WRITE | VM_READ]		= PAGE_SHARED,
		[VM_SHARED | VM_EXEC]				= PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_READ]			= PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE]		= PAGE_SHARED_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ]	= PAGE_SHARED_EXEC,
	},
	.flush_tlb_mm = x86_flush_tlb_mm,
	.flush_tlb_range = x86_flush_tlb_range,
	.flush_tlb_page = x86_flush_tlb_page,
	.tlb_flush = x86_tlb_flush,
	.tlb_render = x86_tlb_render,
};
