// SPDX-License-Identifier: GPL-2.0
/*
 * arm64's contiguous-PTE model, as Linux 6.18's arch/arm64/mm/contpte.c
 * and asm/pgtable.h keep it for user mappings (docs/pte-batching.md):
 *
 *   A block is 16 naturally aligned PTEs (CONT_PTES, 64K) mapping 16
 *   naturally aligned pages of one folio with the same attributes (young
 *   and dirty aside); each carries PTE_CONT and the TLB may cache the 16
 *   as one entry.  The MMU sets the access flag, and with DBM clears
 *   PTE_RDONLY, on one entry only, so a block's young and dirty bits are
 *   the OR of its entries' (ptep_get()).
 *
 *   set_ptes(nr > 1) on entries that were not present: each whole aligned
 *   block whose pfn is aligned gets PTE_CONT, without any invalidation.
 *   set_ptes(nr == 1) / set_pte(): unfold the block if the entry is in
 *   one, set it, and fold when it is index 15 of its block for both VA and
 *   pfn, valid, not special, the block lies in one folio and the 16 match
 *   once made old and clean.
 *
 *   Fold and unfold (contpte_convert()): clear the 16, OR their young and
 *   dirty bits, one range invalidation of the 64K (the "break before
 *   make"; none with BBML2_NOABORT, arch.bbml2_noabort=1), set the 16.
 *   Each is counted (contpte_fold, contpte_unfold in `show tlb`) beside
 *   the TLBIs it issued.
 *
 * The caller holds the PTE lock of the table.  Blocks are found from the
 * entry pointer: a PTE table is a page, so an entry's index in its block
 * is the same for its address and its slot.
 */
#include <stdio.h>

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <asm-generic/tlb.h>

#define CONT_SLOT_MASK	((unsigned long)CONT_PTES * sizeof(pte_t) - 1)

/* The entry's index in its block (its VA's, as the table is aligned). */
static unsigned int cont_index(const pte_t *ptep)
{
	return ((unsigned long)ptep / sizeof(pte_t)) & (CONT_PTES - 1);
}

static pte_t *contpte_align_down(pte_t *ptep)
{
	return (pte_t *)((unsigned long)ptep & ~CONT_SLOT_MASK);
}

/* The entry with its output address replaced by @pfn's. */
static pte_t pte_set_pfn(pte_t pte, unsigned long pfn)
{
	return __pte((pte_val(pte) & ~PTE_ADDR_LOW) | ((u64)pfn << PAGE_SHIFT));
}

/*
 * Rewrite the block holding @ptep as @pte (its attributes; PTE_CONT set
 * to fold, clear to unfold) with the OR of the 16 entries' young and dirty
 * bits: cleared, invalidated as one range unless BBML2_NOABORT lets the
 * change be made in place, and set again.
 */
static void contpte_convert(pte_t *ptep, pte_t pte)
{
	struct tlb_stats *st = this_machine->tlb;
	pte_t *start = contpte_align_down(ptep);
	unsigned int i;

	pte = pte_set_pfn(pte, ALIGN_DOWN(pte_pfn(pte), CONT_PTES));
	for (i = 0; i < CONT_PTES; i++) {
		pte_t old = __pte(__atomic_exchange_n(&start[i].pte, 0,
						      __ATOMIC_RELAXED));

		if (arm64_pte_dirty(pte_val(old)))
			pte = __pte(arm64_pte_mkdirty(pte_val(pte)));
		if (arm64_pte_young(pte_val(old)))
			pte = __pte(arm64_pte_mkyoung(pte_val(pte)));
	}
	/* __flush_tlb_range(64K, PAGE_SIZE, last level) */
	if (!READ_ONCE(this_machine->arm64_bbml2_noabort))
		this_machine->arch->flush_tlb_range(NULL, 0, CONT_PTE_SIZE,
						    PAGE_SHIFT, true);
	for (i = 0; i < CONT_PTES; i++)
		__set_pte(start + i, pte_advance_pfn(pte, i));
	tlb_stat_add(arm64_pte_cont(pte_val(pte)) ? &st->contpte_fold :
						   &st->contpte_unfold, 1);
}

/* Unfold the block of @ptep if it is folded (contpte_try_unfold()). */
void contpte_try_unfold(pte_t *ptep)
{
	pte_t pte = __ptep_get(ptep);

	if (arm64_pte_valid(pte_val(pte)) && arm64_pte_cont(pte_val(pte)))
		contpte_convert(ptep, __pte(arm64_pte_mknoncont(pte_val(pte))));
}

/*
 * Fold the block ending at @ptep, just set to @pte, if it may be folded:
 * the last entry of its block for both VA and pfn, valid, not special,
 * the 16 pages in one folio, the 16 entries alike but for young and dirty.
 */
static void contpte_try_fold(pte_t *ptep, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte), first;
	pte_t *start, expected;
	struct folio *folio;
	unsigned int i;

	if (likely(cont_index(ptep) != CONT_PTES - 1))
		return;
	if ((pfn & (CONT_PTES - 1)) != CONT_PTES - 1 ||
	    !arm64_pte_valid(pte_val(pte)) || arm64_pte_cont(pte_val(pte)) ||
	    arm64_pte_special(pte_val(pte)) || pfn >= this_machine->max_pfn)
		return;
	first = pfn - (CONT_PTES - 1);
	folio = page_folio(pfn_to_page(pfn));
	if (folio_pfn(folio) > first ||
	    folio_pfn(folio) + folio_nr_pages(folio) <= pfn)
		return;
	start = ptep - (CONT_PTES - 1);
	expected = pte_set_pfn(__pte(arm64_pte_mkold(arm64_pte_mkclean(
					pte_val(pte)))), first);
	for (i = 0; i < CONT_PTES; i++) {
		u64 v = pte_val(__ptep_get(start + i));

		if (arm64_pte_mkold(arm64_pte_mkclean(v)) !=
		    pte_val(pte_advance_pfn(expected, i)))
			return;
	}
	contpte_convert(ptep, __pte(arm64_pte_mkcont(pte_val(pte))));
}

/* set_pte()/set_ptes(nr == 1): unfold, set, try to fold. */
void contpte_set_pte(pte_t *ptep, pte_t pte)
{
	pte = __pte(arm64_pte_mknoncont(pte_val(pte)));
	contpte_try_unfold(ptep);
	__set_pte(ptep, pte);
	contpte_try_fold(ptep, pte);
}

/*
 * set_ptes(nr > 1) of entries that were not present: split at 64K
 * boundaries; a whole block at an aligned pfn is set folded.
 */
void contpte_set_ptes(pte_t *ptep, pte_t pte, unsigned int nr)
{
	pte = __pte(arm64_pte_mknoncont(pte_val(pte)));
	while (nr) {
		unsigned int chunk = min(nr, CONT_PTES - cont_index(ptep)), i;
		pte_t p = pte;

		if (chunk == CONT_PTES && !(pte_pfn(pte) & (CONT_PTES - 1)))
			p = __pte(arm64_pte_mkcont(pte_val(pte)));
		for (i = 0; i < chunk; i++)
			__set_pte(ptep + i, pte_advance_pfn(p, i));
		ptep += chunk;
		pte = pte_advance_pfn(pte, chunk);
		nr -= chunk;
	}
}

/* ptep_get() of a folded entry: the young and dirty bits of the 16. */
pte_t contpte_ptep_get(pte_t *ptep, pte_t orig)
{
	pte_t *start = contpte_align_down(ptep);
	u64 v = pte_val(orig);
	unsigned int i;

	for (i = 0; i < CONT_PTES; i++) {
		u64 e = pte_val(__ptep_get(start + i));

		if (arm64_pte_dirty(e))
			v = arm64_pte_mkdirty(v);
		if (arm64_pte_young(e))
			v = arm64_pte_mkyoung(v);
	}
	return __pte(v);
}

/* Test and clear the block's young bit, all 16, with no unfold. */
bool contpte_ptep_test_and_clear_young(pte_t *ptep)
{
	pte_t *start = contpte_align_down(ptep);
	bool young = false;
	unsigned int i;

	for (i = 0; i < CONT_PTES; i++)
		young |= __atomic_fetch_and(&start[i].pte, ~PTE_AF,
					    __ATOMIC_RELAXED) & PTE_AF;
	return young;
}

/*
 * Unfold the blocks @nr entries from @ptep cover only in part (the first
 * and the last); whole blocks stay folded (contpte_try_unfold_partial()).
 */
static void contpte_try_unfold_partial(pte_t *ptep, unsigned int nr)
{
	if (cont_index(ptep) || nr < CONT_PTES)
		contpte_try_unfold(ptep);
	if (cont_index(ptep + nr))
		contpte_try_unfold(ptep + nr - 1);
}

/*
 * wrprotect_ptes(nr > 1): a whole block is write-protected in place (the
 * caller's flush invalidates it); a partly covered one is unfolded first,
 * since PTE_CONT entries must not differ in their permissions.
 */
void contpte_wrprotect_ptes(pte_t *ptep, unsigned int nr)
{
	unsigned int i;

	contpte_try_unfold_partial(ptep, nr);
	for (i = 0; i < nr; i++)
		arm64_ptep_set_wrprotect(ptep + i);
}

/*
 * clear_full_ptes()/get_and_clear_full_ptes(): partly covered blocks are
 * unfolded first unless the whole mm goes; @merge: return the first entry
 * with the young and dirty bits of all.
 */
pte_t contpte_get_and_clear_full_ptes(pte_t *ptep, unsigned int nr,
				      bool full, bool merge)
{
	pte_t pte = __pte(0);
	unsigned int i;

	if (!full)
		contpte_try_unfold_partial(ptep, nr);
	for (i = 0; i < nr; i++) {
		u64 v = __atomic_exchange_n(&ptep[i].pte, 0, __ATOMIC_RELAXED);

		if (!merge)
			continue;
		if (!i)
			pte = __pte(v);
		if (arm64_pte_dirty(v))
			pte = __pte(arm64_pte_mkdirty(pte_val(pte)));
		if (arm64_pte_young(v))
			pte = __pte(arm64_pte_mkyoung(pte_val(pte)));
	}
	return pte;
}

/*
 * ptep_set_access_flags() on a folded entry: young/dirty (and hardware
 * dirtiness) given to all 16 without unfolding while the write bit stays;
 * one range invalidation for a dirty one.  A changing write bit unfolds.
 * 1 if anything changed.
 */
int contpte_ptep_set_access_flags(struct vm_area_struct *vma, pte_t *ptep,
				  pte_t entry, bool dirty)
{
	pte_t orig = __pte(arm64_pte_mknoncont(pte_val(ptep_get(ptep))));
	u64 e = pte_val(entry), bits = e & (PTE_AF | PTE_WRITE | PTE_DIRTY);
	pte_t *start = contpte_align_down(ptep);
	unsigned int i;

	entry = __pte(arm64_pte_mknoncont(e));
	if (pte_same(orig, entry))
		return 0;
	if (arm64_pte_write(pte_val(orig)) != arm64_pte_write(e)) {
		contpte_try_unfold(ptep);
		__set_pte(ptep, entry);
		return 1;
	}
	for (i = 0; i < CONT_PTES; i++) {
		u64 v = pte_val(__ptep_get(start + i)) | bits;

		if (!(e & PTE_RDONLY))
			v &= ~PTE_RDONLY;
		__set_pte(start + i, __pte(v));
	}
	if (dirty)
		this_machine->arch->flush_tlb_range(vma->vm_mm, 0,
						    CONT_PTE_SIZE, PAGE_SHIFT,
						    true);
	return 1;
}

/*
 * The validator: every folded block of the PTE table @ptes (mapping from
 * @base) is 16 valid PTE_CONT entries of consecutive pfns from an aligned
 * one, in one folio, alike but for young and dirty.  The number of bad
 * blocks; each is described in @why (the first).
 */
int contpte_validate_table(const u64 *ptes, unsigned long base, char *why,
			   size_t len)
{
	int bad = 0, b, i;

	for (b = 0; b < PTRS_PER_PTE; b += CONT_PTES) {
		const char *err = NULL;
		u64 first = ptes[b], want;
		unsigned long pfn;
		struct folio *folio;

		for (i = 0; i < CONT_PTES; i++)
			if (arm64_pte_valid(ptes[b + i]) &&
			    arm64_pte_cont(ptes[b + i]))
				break;
		if (i == CONT_PTES)
			continue;
		pfn = __entry_pfn(first);
		want = arm64_pte_mkold(arm64_pte_mkclean(first));
		if (!arm64_pte_valid(first) || !arm64_pte_cont(first))
			err = "a block entry without PTE_CONT";
		else if (pfn & (CONT_PTES - 1))
			err = "misaligned pfn";
		else if (pfn + CONT_PTES > this_machine->max_pfn)
			err = "pfn past RAM";
		if (!err) {
			folio = page_folio(pfn_to_page(pfn));
			if (folio_pfn(folio) + folio_nr_pages(folio) <
			    pfn + CONT_PTES)
				err = "pages of more than one folio";
		}
		for (i = 1; !err && i < CONT_PTES; i++) {
			u64 v = ptes[b + i];

			if (!arm64_pte_valid(v) || !arm64_pte_cont(v))
				err = "a block entry without PTE_CONT";
			else if (arm64_pte_mkold(arm64_pte_mkclean(v)) !=
				 want + ((u64)i << PAGE_SHIFT))
				err = "entries that differ";
		}
		if (!err)
			continue;
		if (!bad++)
			snprintf(why, len, "contpte block at %#lx: %s",
				 base + ((unsigned long)b << PAGE_SHIFT), err);
	}
	return bad;
}
