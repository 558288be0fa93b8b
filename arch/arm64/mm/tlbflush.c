// SPDX-License-Identifier: GPL-2.0
/*
 * arm64's TLB maintenance model and its arch ops, as Linux 6.18's
 * arch/arm64/include/asm/tlbflush.h and asm/tlb.h issue TLBI instructions,
 * each one counted:
 *
 *   flush_tlb_mm()        one TLBI ASIDE1IS                    (tlbi_asid)
 *   flush_tlb_page()      one TLBI VALE1IS                     (tlbi_page)
 *   __flush_tlb_range()   start/end rounded to the stride; then
 *     - the whole ASID (flush_tlb_mm) when the range is too large: without
 *       FEAT_TLBIRANGE at MAX_DVM_OPS (512) strides or more, with it above
 *       MAX_TLBI_RANGE_PAGES (2^21 pages);
 *     - else __flush_tlb_range_op(): with FEAT_TLBIRANGE, range
 *       instructions TLBI R(V)A(L)E1IS of (num + 1) << (5 * scale + 1)
 *       pages, largest scale first, and a single TLBI (V)A(L)E1IS for a
 *       last odd page; without it, one TLBI per stride.
 *   tlb_flush() (mmu_gather): exit without freed tables issues nothing (the
 *     ASID is not reused before a full invalidation); exit with freed
 *     tables flush_tlb_mm(); otherwise __flush_tlb_range() of the gathered
 *     range at its unmap stride, last-level unless tables were freed.
 *
 * Last-level (VALE1IS) and all-level (VAE1IS) forms are counted together.
 * Not modelled: KPTI's second TLBI per operation for the user ASID, LPA2's
 * 64K alignment of range operations, the DSBs (docs/fidelity.md).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <asm-generic/tlb.h>
#include <linux/huge_mm.h>
#include <linux/swap.h>
#include <linux/rmap.h>
#include <linux/machine_subsys.h>

#define MAX_DVM_OPS		PTRS_PER_PTE
#define TLBI_RANGE_PAGES(num, scale) \
	((unsigned long)((num) + 1) << (5 * (scale) + 1))
#define MAX_TLBI_RANGE_PAGES	TLBI_RANGE_PAGES(31, 3)

/* __TLBI_RANGE_NUM(): the range's "num" at @scale, -1 if it does not fit. */
static int tlbi_range_num(unsigned long pages, int scale)
{
	unsigned long p = min(pages, TLBI_RANGE_PAGES(31, scale));

	return (int)(p >> (5 * scale + 1)) - 1;
}

static void arm64_flush_tlb_mm(struct mm_struct *mm)
{
	tlb_stat_add(&this_machine->tlb->tlbi_asid, 1);
	tlb_flush_seq_inc(mm);
}

/* __flush_tlb_range_op(): the instructions for @pages from @start. */
static void arm64_flush_tlb_range_op(unsigned long start, unsigned long pages,
				     unsigned long stride)
{
	struct tlb_stats *st = this_machine->tlb;
	bool range = this_machine->arm64_tlb_range;
	int scale = 3, num;

	while (pages > 0) {
		if (!range || pages == 1) {
			tlb_stat_add(&st->tlbi_page, 1);
			start += stride;
			pages -= stride >> PAGE_SHIFT;
			continue;
		}
		num = tlbi_range_num(pages, scale);
		if (num >= 0) {
			tlb_stat_add(&st->tlbi_range, 1);
			start += TLBI_RANGE_PAGES(num, scale) << PAGE_SHIFT;
			pages -= TLBI_RANGE_PAGES(num, scale);
		}
		scale--;
	}
}

static void arm64_flush_tlb_range(struct mm_struct *mm, unsigned long start,
				  unsigned long end, unsigned int stride_shift,
				  bool last_level)
{
	unsigned long stride = 1UL << stride_shift, pages;

	start = ALIGN_DOWN(start, stride);
	end = ALIGN(end, stride);
	pages = (end - start) >> PAGE_SHIFT;
	if ((!this_machine->arm64_tlb_range &&
	     end - start >= MAX_DVM_OPS * stride) ||
	    pages > MAX_TLBI_RANGE_PAGES) {
		arm64_flush_tlb_mm(mm);
		return;
	}
	arm64_flush_tlb_range_op(start, pages, stride);
	tlb_flush_seq_inc(mm);
}

static void arm64_flush_tlb_page(struct mm_struct *mm, unsigned long addr)
{
	tlb_stat_add(&this_machine->tlb->tlbi_page, 1);
	tlb_flush_seq_inc(mm);
}

static void arm64_tlb_flush(struct mmu_gather *tlb)
{
	bool last_level = !tlb->freed_tables;

	if (tlb->fullmm) {
		if (!last_level)
			arm64_flush_tlb_mm(tlb->mm);
		return;
	}
	arm64_flush_tlb_range(tlb->mm, tlb->start, tlb->end,
			      tlb_get_unmap_shift(tlb), last_level);
}

static int arm64_tlb_render(struct seq_buf *s, const struct tlb_stats *st,
			    bool json)
{
	static const char *const names[] = {
		"tlbi_page", "tlbi_range", "tlbi_asid", "contpte_fold",
		"contpte_unfold",
	};
	const unsigned long values[] = {
		READ_ONCE(st->tlbi_page), READ_ONCE(st->tlbi_range),
		READ_ONCE(st->tlbi_asid), READ_ONCE(st->contpte_fold),
		READ_ONCE(st->contpte_unfold),
	};

	return tlb_render_rows(s, json, names, values, ARRAY_SIZE(names));
}

/* The machine's bool for arch.@key, or NULL if the arch has no such knob. */
static bool *arch_knob(const char *key)
{
	if (!arch_is_arm64())
		return NULL;
	if (!strcmp(key, "tlb_range"))
		return &this_machine->arm64_tlb_range;
	if (!strcmp(key, "bbml2_noabort"))
		return &this_machine->arm64_bbml2_noabort;
	return NULL;
}

int arch_knob_set(const char *key, const char *value)
{
	bool *knob = arch_knob(key);

	if (!knob)
		return -ENOENT;
	if (!strcmp(value, "1") || !strcmp(value, "Y") || !strcmp(value, "y"))
		WRITE_ONCE(*knob, true);
	else if (!strcmp(value, "0") || !strcmp(value, "N") ||
		 !strcmp(value, "n"))
		WRITE_ONCE(*knob, false);
	else
		return -EINVAL;
	return 0;
}

int arch_knob_get(const char *key, long *value)
{
	bool *knob = arch_knob(key);

	if (!knob)
		return -ENOENT;
	*value = READ_ONCE(*knob);
	return 0;
}

/*
 * arch.<knob>: the machine's arch's own knobs (arm64: "tlb_range",
 * FEAT_TLBIRANGE; "bbml2_noabort", BBML2 without aborts: contiguous
 * blocks fold and unfold with no invalidation).
 */
const struct machine_subsys arch_subsys = {
	.name = "arch",
	.sysfs_prefix = "arch.",
	.sysfs_set = arch_knob_set,
	.sysfs_get = arch_knob_get,
};

/*
 * arch/arm64/mm/mmap.c's protection_map: no write permission for private
 * mappings (COW on the write fault), PROT_EXEC alone readable (no EPAN).
 */
const struct arch_ops arm64_arch_ops = {
	.name = "arm64",
	.id = ARCH_ARM64,
	.protection_map = {
		[VM_NONE]					= ARM64_PAGE_NONE,
		[VM_READ]					= ARM64_PAGE_READONLY,
		[VM_WRITE]					= ARM64_PAGE_READONLY,
		[VM_WRITE | VM_READ]				= ARM64_PAGE_READONLY,
		[VM_EXEC]					= ARM64_PAGE_READONLY_EXEC,
		[VM_EXEC | VM_READ]				= ARM64_PAGE_READONLY_EXEC,
		[VM_EXEC | VM_WRITE]				= ARM64_PAGE_READONLY_EXEC,
		[VM_EXEC | VM_WRITE | VM_READ]			= ARM64_PAGE_READONLY_EXEC,
		[VM_SHARED]					= ARM64_PAGE_NONE,
		[VM_SHARED | VM_READ]				= ARM64_PAGE_READONLY,
		[VM_SHARED | VM_WRITE]				= ARM64_PAGE_SHARED,
		[VM_SHARED | VM_WRITE | VM_READ]		= ARM64_PAGE_SHARED,
		[VM_SHARED | VM_EXEC]				= ARM64_PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_READ]			= ARM64_PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE]		= ARM64_PAGE_SHARED_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ]	= ARM64_PAGE_SHARED_EXEC,
	},
	.flush_tlb_mm = arm64_flush_tlb_mm,
	.flush_tlb_range = arm64_flush_tlb_range,
	.flush_tlb_page = arm64_flush_tlb_page,
	.tlb_flush = arm64_tlb_flush,
	.tlb_render = arm64_tlb_render,
};
