// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect(2) and change_protection() (Linux 6.18's mm/mprotect.c, written
 * anew).
 *
 * mprotect walks the VMAs of the range; each one is merged with a
 * neighbour that now has the same flags, or split at the range's edges
 * (vma_modify_flags()), then its PTEs and huge PMDs are rewritten to the
 * new vm_page_prot.  A PTE is made writable right away only where the
 * write fault would do nothing but set the bit: a private writable
 * mapping's exclusive anonymous page (PageAnonExclusive), or a shared
 * writable mapping's dirty page (MM_CP_TRY_CHANGE_WRITABLE).  Every other
 * page stays read-only until its write fault does COW or writenotify.
 * One mmu_gather spans the whole call: one TLB flush for all the PTEs
 * whose change needs one (the arch's pte_needs_flush(): x86 skips changes
 * that cannot matter to a cached translation, arm64 flushes every one).
 */
#include <linux/hugetlb.h>
#include "vma.h"
#include <linux/err.h>
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <asm-generic/tlb.h>

#define MM_CP_TRY_CHANGE_WRITABLE	(1UL << 0)
#define PROT_SEM			0x8
#define PROT_GROWSDOWN			0x01000000
#define PROT_GROWSUP			0x02000000

static bool page_anon_exclusive(struct page *page)
{
	return page && folio_test_anon(page_folio(page)) &&
	       PageAnonExclusive(page);
}

/* Soft-dirty tracking wants a write fault on a clean (not soft-dirty) PTE. */
static bool pte_needs_soft_dirty_wp(struct vm_area_struct *vma, pte_t pte)
{
	return !(vma->vm_flags & VM_SOFTDIRTY) && !pte_soft_dirty(pte);
}

/*
 * Whether the write fault on this PTE would just make it writable, so
 * mprotect may do it now (Linux's can_change_pte_writable()).
 */
static bool can_change_pte_writable(struct vm_area_struct *vma,
				    unsigned long addr, pte_t pte)
{
	if (WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)))
		return false;
	if (pte_protnone(pte))
		return false;
	if (pte_needs_soft_dirty_wp(vma, pte))
		return false;
	if ((vma->vm_flags & VM_UFFD_WP) && pte_uffd_wp(pte))
		return false;
	if (!(vma->vm_flags & VM_SHARED))
		return page_anon_exclusive(vm_normal_page(vma, addr, pte));
	/* Shared: "dirty" means the filesystem was told already. */
	return pte_dirty(pte);
}

static bool can_change_pmd_writable(struct vm_area_struct *vma,
				    unsigned long addr, pmd_t pmd)
{
	if (WARN_ON_ONCE(!(vma->vm_flags & VM_WRITE)))
		return false;
	if (pmd_protnone(pmd))
		return false;
	if (!(vma->vm_flags & VM_SOFTDIRTY) && !pmd_soft_dirty(pmd))
		return false;
	if ((vma->vm_flags & VM_UFFD_WP) && pmd_uffd_wp(pmd))
		return false;
	if (!(vma->vm_flags & VM_SHARED))
		return page_anon_exclusive(vm_normal_page_pmd(vma, addr, pmd));
	return pmd_dirty(pmd);
}

/*
 * A writable migration entry becomes a read-only one: the new protection
 * is checked when the page comes back (remove_migration_pte).
 */
static pte_t change_swap_pte(pte_t oldpte)
{
	swp_entry_t entry = pte_to_swp_entry(oldpte);
	struct folio *folio;

	if (!is_writable_migration_entry(entry))
		return oldpte;
	folio = page_folio(pfn_to_page(swp_offset_pfn(entry)));
	entry = make_migration_entry(swp_offset_pfn(entry), false,
				     folio_test_anon(folio));
	return __pte(pte_val(swp_entry_to_pte(entry)) | pte_swp_flags(oldpte));
}

static long change_pte_range(struct mmu_gather *tlb,
			     struct vm_area_struct *vma, pmd_t *pmd,
			     unsigned long addr, unsigned long end,
			     pgprot_t newprot, unsigned long cp_flags)
{
	spinlock_t *ptl;
	pte_t *pte, *start_pte;
	long pages = 0;

	start_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!pte)
		return 0;
	for (; addr < end; pte++, addr += PAGE_SIZE) {
		pte_t oldpte = ptep_get(pte), ptent;

		if (pte_present(oldpte)) {
			ptent = pte_modify(oldpte, newprot);
			if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) &&
			    !pte_write(ptent) &&
			    can_change_pte_writable(vma, addr, ptent))
				ptent = pte_mkwrite(ptent);
			set_pte(pte, ptent);
			if (pte_needs_flush(oldpte, ptent))
				tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
			pages++;
		} else if (is_swap_pte(oldpte)) {
			ptent = change_swap_pte(oldpte);
			if (!pte_same(oldpte, ptent)) {
				set_pte(pte, ptent);
				pages++;
			}
		}
	}
	pte_unmap_unlock(start_pte, ptl);
	return pages;
}

/* A huge PMD covered whole by the range (Linux's change_huge_pmd()). */
static long change_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma,
			    pmd_t *pmd, unsigned long addr, pgprot_t newprot,
			    unsigned long cp_flags)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm, pmd);
	pmd_t oldpmd = pmdp_get(pmd), entry;
	long ret = 0;

	if (!pmd_trans_huge(oldpmd))
		goto unlock;
	entry = pmd_modify(oldpmd, newprot);
	if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pmd_write(entry) &&
	    can_change_pmd_writable(vma, addr, entry))
		entry = pmd_mkwrite(entry);
	set_pmd(pmd, entry);
	if (pmd_present(oldpmd) && pmd_needs_flush(oldpmd, entry))
		tlb_flush_pmd_range(tlb, addr, HPAGE_PMD_SIZE);
	ret = HPAGE_PMD_NR;
unlock:
	spin_unlock(ptl);
	return ret;
}

/*
 * A PMD migration entry under mprotect: a writable one becomes readable
 * (exclusive for anon), so that the PMD the migration puts back is not
 * writable where the VMA no longer is; a fault makes it writable again.
 */
static void change_huge_pmd_migration(struct vm_area_struct *vma, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lock(vma->vm_mm, pmd);
	pmd_t old = pmdp_get(pmd), new;
	swp_entry_t entry;

	if (is_pmd_migration_entry(old) &&
	    is_writable_migration_entry(entry = pmd_to_swp_entry(old))) {
		new = swp_entry_to_pmd(make_readable_migration_entry_of(
				entry, vma_is_anonymous(vma)));
		set_pmd(pmd, __pmd(pmd_val(new) | pmd_swp_flags(old)));
	}
	spin_unlock(ptl);
}

static long change_pmd_range(struct mmu_gather *tlb,
			     struct vm_area_struct *vma, pud_t *pud,
			     unsigned long addr, unsigned long end,
			     pgprot_t newprot, unsigned long cp_flags)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;
	long pages = 0;

	for (; addr < end; pmd++, addr = next) {
		pmd_t val = pmdp_get(pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(val))
			continue;
		if (pmd_trans_huge(val)) {
			if (next - addr == HPAGE_PMD_SIZE) {
				long ret = change_huge_pmd(tlb, vma, pmd, addr,
							   newprot, cp_flags);

				if (ret) {
					pages += ret;
					continue;
				}
			} else {
				/* Only part of it changes: map it by PTEs. */
				__split_huge_pmd(vma, pmd, addr);
			}
		} else if (is_swap_pmd(val)) {
			if (next - addr == HPAGE_PMD_SIZE) {
				change_huge_pmd_migration(vma, pmd);
				continue;
			}
			/* Only part of it: PTE migration entries. */
			__split_huge_pmd(vma, pmd, addr);
		}
		pages += change_pte_range(tlb, vma, pmd, addr, next, newprot,
					  cp_flags);
	}
	return pages;
}

static long change_protection_range(struct mmu_gather *tlb,
				    struct vm_area_struct *vma,
				    unsigned long addr, unsigned long end,
				    pgprot_t newprot, unsigned long cp_flags)
{
	unsigned long next;
	long pages = 0;

	for (; addr < end; addr = next) {
		pud_t *pud = pud_lookup(vma->vm_mm, addr);

		next = pud_addr_end(addr, end);
		if (!pud || pud_none(*pud))
			continue;
		pages += change_pmd_range(tlb, vma, pud, addr, next, newprot,
					  cp_flags);
	}
	return pages;
}

static bool vma_wants_manual_pte_write_upgrade(struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_SHARED)
		return vma_wants_writenotify(vma, vma->vm_page_prot);
	return vma->vm_flags & VM_WRITE;
}

static long __change_protection(struct mmu_gather *tlb,
				struct vm_area_struct *vma,
				unsigned long start, unsigned long end,
				pgprot_t newprot)
{
	unsigned long cp_flags = 0;

	if (is_vm_hugetlb_page(vma))
		return hugetlb_change_protection(vma, start, end, newprot);
	if (vma_wants_manual_pte_write_upgrade(vma))
		cp_flags |= MM_CP_TRY_CHANGE_WRITABLE;
	return change_protection_range(tlb, vma, start, end, newprot,
				       cp_flags);
}

/*
 * Rewrite the PTEs/PMDs of [start, end) of @vma to @newprot (normally
 * vma->vm_page_prot, already updated); flush the TLB for those that need
 * it.  Returns the number of pages whose entries changed.
 */
long change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, pgprot_t newprot)
{
	struct mmu_gather tlb;
	long pages;

	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	pages = __change_protection(&tlb, vma, start, end, newprot);
	tlb_finish_mmu(&tlb);
	return pages;
}

/*
 * Give [start, end) of @vma the flags @newflags (Linux's mprotect_fixup()):
 * account commit when a private mapping becomes writable, merge or split,
 * then change the page tables.  *@pprev is the VMA now ending at @end.
 */
static int mprotect_fixup(struct mmu_gather *tlb, struct vm_area_struct *vma,
			  struct vm_area_struct **pprev, unsigned long start,
			  unsigned long end, vm_flags_t newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	vm_flags_t oldflags = vma->vm_flags;
	long nrpages = PHYS_PFN(end - start);
	unsigned long charged = 0;

	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	/*
	 * A private mapping made writable is charged; one made read-only
	 * keeps its charge, unless it is anonymous and never faulted.
	 */
	if (newflags & VM_WRITE) {
		if (!may_expand_vm(mm, newflags, nrpages) &&
		    may_expand_vm(mm, oldflags, nrpages))
			return -ENOMEM;
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB |
				  VM_SHARED | VM_NORESERVE))) {
			charged = nrpages;
			if (security_vm_enough_memory_mm(mm, charged))
				return -ENOMEM;
			newflags |= VM_ACCOUNT;
		}
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(vma) &&
		   !vma_has_anon_rmap(vma)) {
		newflags &= ~VM_ACCOUNT;
	}

	vma = vma_modify_flags(*pprev, vma, start, end, newflags);
	if (IS_ERR(vma)) {
		if (charged)
			vm_unacct_memory(charged);
		return PTR_ERR(vma);
	}
	*pprev = vma;
	WRITE_ONCE(vma->vm_flags, newflags);
	vma_set_page_prot(vma);
	__change_protection(tlb, vma, start, end, vma->vm_page_prot);
	if ((oldflags & VM_ACCOUNT) && !(newflags & VM_ACCOUNT))
		vm_unacct_memory(nrpages);
	vm_stat_account(mm, oldflags, -nrpages);
	vm_stat_account(mm, newflags, nrpages);
	return 0;
}

/* ---- x86 protection keys (arch/x86/mm/pkeys.c; see mm/vma.h) ----------- */

int execute_only_pkey(struct mm_struct *mm)
{
	if (!this_machine->pku)
		return -1;
	/* mm_pkey_alloc(): the lowest free key; 0 is everyone's default. */
	if (mm->execute_only_pkey < 0)
		mm->execute_only_pkey = 1;
	return mm->execute_only_pkey;
}

/* The VMA is PROT_EXEC-only by way of the execute-only key. */
static bool vma_is_pkey_exec_only(struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_ACCESS_FLAGS) == VM_EXEC &&
	       vma->vm_mm->execute_only_pkey > 0 &&
	       vma_pkey(vma) == vma->vm_mm->execute_only_pkey;
}

int arch_override_mprotect_pkey(struct vm_area_struct *vma,
				unsigned long prot, int pkey)
{
	if (pkey != -1)
		return pkey;	/* pkey_mprotect(): the caller's */
	if (prot == FOLIAGE_PROT_EXEC) {
		pkey = execute_only_pkey(vma->vm_mm);
		if (pkey > 0)
			return pkey;
	} else if (vma_is_pkey_exec_only(vma)) {
		return 0;	/* no longer exec-only: the default key */
	}
	return vma_pkey(vma);
}

bool arch_vma_access_permitted(struct vm_area_struct *vma, bool write,
			       bool execute, bool foreign)
{
	/* Another process's PKRU does not apply; fetches ignore PKRU. */
	if (!this_machine->pku || foreign || execute)
		return true;
	/* init_pkru_value: every key but 0 is access-disabled. */
	return vma_pkey(vma) == 0;
}

/*
 * mprotect(2) with mmap_lock held for write (Linux's do_mprotect_pkey()).
 * The VMAs are changed in order until a hole: then -ENOMEM, with the VMAs
 * before it already changed, as on Linux.
 */
int do_mprotect(struct mm_struct *mm, unsigned long start, size_t len,
		unsigned long prot)
{
	unsigned long nstart, end, tmp;
	struct vm_area_struct *vma, *prev;
	struct mmu_gather tlb;
	const unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	int error;

	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	/* x86's arch_validate_prot(). */
	if (prot & ~(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE |
		     FOLIAGE_PROT_EXEC | PROT_SEM))
		return -EINVAL;

	vma = find_vma_intersection(mm, start, end);
	if (!vma)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN) {
		/* No VM_GROWSDOWN VMAs in foliage: Linux's -EINVAL. */
		return -EINVAL;
	}
	if (vma->vm_start > start)
		return -ENOMEM;
	if (grows & PROT_GROWSUP)
		return -EINVAL;

	prev = vma_prev(mm, vma);
	if (start > vma->vm_start)
		prev = vma;

	tlb_gather_mmu(&tlb, mm, false);
	nstart = start;
	tmp = vma->vm_start;
	error = 0;
	for (; vma && vma->vm_start < end; vma = vma_next(mm, vma)) {
		vm_flags_t newflags;

		if (vma->vm_start != tmp) {
			error = -ENOMEM;
			break;
		}
		newflags = calc_vm_prot_bits(prot) |
			   pkey_vm_flags(arch_override_mprotect_pkey(vma, prot,
								     -1)) |
			   (vma->vm_flags &
			    ~(VM_ACCESS_FLAGS | ARCH_VM_PKEY_FLAGS));
		/* newflags >> 4 shifts VM_MAY* into VM_* position. */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {
			error = -EACCES;
			break;
		}
		tmp = min(vma->vm_end, end);
		error = mprotect_fixup(&tlb, vma, &prev, nstart, tmp, newflags);
		if (error)
			break;
		/* prev now ends at tmp; continue after it. */
		vma = prev;
		tmp = vma->vm_end;
		nstart = tmp;
	}
	tlb_finish_mmu(&tlb);
	if (!error && tmp < end)
		error = -ENOMEM;
	return error;
}
