// SPDX-License-Identifier: GPL-2.0
/*
 * mmap(2) and the life of an address space (Linux 6.18's mm/mmap.c,
 * kernel/fork.c's mm parts and arch/x86/mm/mmap.c, written anew).
 *
 * Placement is x86-64's top-down layout without randomization: the mmap
 * base sits below the stack rlimit plus the stack guard gap, clamped to at
 * least 128 MiB under TASK_SIZE, and every search returns the highest free
 * gap below it that fits (vm_unmapped_area).  Anonymous private mappings
 * whose length is a multiple of PMD_SIZE, asked for without a hint, are
 * placed PMD-aligned (thp_get_unmapped_area), as Linux 6.18 does whatever
 * transparent_hugepage/enabled says.
 *
 *   mmap_base == TASK_SIZE - clamp(8 MiB + 1 MiB, 128 MiB, TASK_SIZE/6*5)
 *             == 0x7ffff7fff000
 */
#include <stdlib.h>
#include <string.h>

#include "vma.h"
#include <linux/rmap.h>
#include <linux/huge_mm.h>
#include <linux/shmem_fs.h>
#include <asm-generic/tlb.h>
#include <linux/hugetlb.h>
#include "internal.h"

#define LEGACY_MAP_MASK	(0x01 | 0x02 | 0x10 | 0x20 | 0x0800 | 0x1000 | \
			 0x4000000 | 0x0100 | 0x2000 | 0x4000 | 0x8000 | \
			 0x10000 | 0x20000 | 0x40000)
#define MAP_TYPE		0x0f
#define MAP_SHARED_VALIDATE	0x03
#define MAP_GROWSDOWN		0x0100
#define MAP_LOCKED		0x2000
#define MAP_NONBLOCK		0x10000
#define MAP_STACK		0x20000

/* ---- protections --------------------------------------------------- */

/* The arch's protection_map (struct arch_ops). */
pgprot_t vm_get_page_prot(vm_flags_t vm_flags)
{
	return (pgprot_t){ this_machine->arch->protection_map[
		vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)] };
}

/* ---- commit charge (vm_committed_as) ------------------------------- */

static unsigned long totalram(void)
{
	struct foliage_machine *m = this_machine;
	unsigned long sum = 0;
	int nid, z;

	for (nid = 0; nid < m->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++)
			sum += zone_managed_pages(&m->node_data[nid]->node_zones[z]);
	return sum;
}

static void vm_acct_memory(long pages)
{
	atomic_long_add(pages, &this_machine->vm_committed_as);
}

void vm_unacct_memory(long pages)
{
	vm_acct_memory(-pages);
}

/*
 * Charge @pages of commit.  vm.overcommit_memory is 0 (heuristic): only a
 * single request larger than RAM plus swap (none) fails.
 */
int security_vm_enough_memory_mm(struct mm_struct *mm, long pages)
{
	(void)mm;
	vm_acct_memory(pages);
	if (pages > (long)totalram()) {
		vm_unacct_memory(pages);
		return -ENOMEM;
	}
	return 0;
}

/* ---- address spaces ------------------------------------------------ */

/* arch/x86/mm/mmap.c's mmap_base() for a task without randomization. */
static unsigned long mmap_base(unsigned long task_size)
{
	unsigned long gap = RLIMIT_STACK_DEFAULT + STACK_GUARD_GAP;
	unsigned long gap_min = 128UL << 20, gap_max = task_size / 6 * 5;

	gap = clamp(gap, gap_min, gap_max);
	return PAGE_ALIGN(task_size - gap);
}

/*
 * CONFIG_MM_ID: the smallest free id for a new mm (Linux's
 * ida_alloc_range(MM_ID_MIN, MM_ID_MAX)), or -ENOMEM.
 */
static int mm_alloc_id(struct mm_struct *mm)
{
	struct foliage_machine *m = this_machine;
	unsigned int i, longs, id;
	unsigned long *map;

	spin_lock(&m->mm_ida_lock);
	for (i = 0; i < m->mm_ida_longs; i++)
		if (~m->mm_ida[i])
			break;
	if (i == m->mm_ida_longs) {
		longs = m->mm_ida_longs ? 2 * m->mm_ida_longs : 1;
		map = NULL;
		if ((unsigned long)longs * BITS_PER_LONG <= MM_ID_MAX + 1UL)
			map = realloc(m->mm_ida, longs * sizeof(*map));
		if (!map) {
			/* A failed realloc leaves the old map in place. */
			spin_unlock(&m->mm_ida_lock);
			return -ENOMEM;
		}
		memset(map + m->mm_ida_longs, 0,
		       (longs - m->mm_ida_longs) * sizeof(*map));
		if (!m->mm_ida_longs)
			map[0] = 1UL << MM_ID_DUMMY;
		m->mm_ida = map;
		m->mm_ida_longs = longs;
	}
	id = i * BITS_PER_LONG + (unsigned int)__builtin_ctzl(~m->mm_ida[i]);
	m->mm_ida[i] |= 1UL << (id % BITS_PER_LONG);
	spin_unlock(&m->mm_ida_lock);
	mm->mm_id = id;
	return 0;
}

static void mm_free_id(struct mm_struct *mm)
{
	struct foliage_machine *m = this_machine;
	mm_id_t id = mm->mm_id;

	mm->mm_id = MM_ID_DUMMY;
	if (id == MM_ID_DUMMY)
		return;
	spin_lock(&m->mm_ida_lock);
	m->mm_ida[id / BITS_PER_LONG] &= ~(1UL << (id % BITS_PER_LONG));
	spin_unlock(&m->mm_ida_lock);
}

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	RB_INIT(&mm->mm_rb);
	pthread_rwlock_init(&mm->mmap_lock, NULL);
	spin_lock_init(&mm->page_table_lock);
	lockdep_set_class(&mm->page_table_lock, LOCK_CLASS_PTL);
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	mm->task_size = TASK_SIZE_MAX;
	mm->mmap_base = mmap_base(mm->task_size);
	mm->flags |= 1UL << MMF_TOPDOWN;
	mm->execute_only_pkey = -1;
	if (mm_alloc_pgd(mm))
		goto fail_nopgd;
	if (mm_alloc_id(mm))
		goto fail_noid;
	return mm;
fail_noid:
	mm_free_pgd(mm);
fail_nopgd:
	pthread_rwlock_destroy(&mm->mmap_lock);
	free(mm);
	return NULL;
}

/* Linux's check_mm(): a dead mm holds no pages and no page tables. */
static void check_mm(struct mm_struct *mm)
{
	int i;

	for (i = 0; i < NR_MM_COUNTERS; i++) {
		long x = atomic_long_read(&mm->rss_stat[i]);

		if (x)
			report_bug("check_mm: bad rss-counter state mm:%p type:%d val:%ld",
				   (void *)mm, i, x);
	}
	if (atomic_long_read(&mm->pgtables_bytes))
		report_bug("check_mm: non-zero pgtables_bytes on freeing mm: %ld",
			   atomic_long_read(&mm->pgtables_bytes));
}

void mmput(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_users))
		return;
	exit_mmap(mm);
	mm_put_huge_zero_folio(mm);
	mm_free_pgd(mm);
	mm_free_id(mm);
	check_mm(mm);
	pthread_rwlock_destroy(&mm->mmap_lock);
	free(mm);
}

/*
 * Tear down every mapping of a dead mm: zap all pages with one fullmm
 * mmu_gather, unlink the VMAs from rmap, free the page tables, then the
 * VMAs (Linux's exit_mmap()).
 */
void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma, *next, *first, *last;
	unsigned long nr_accounted = 0;
	struct mmu_gather tlb;
	int count = 0;

	mmap_write_lock(mm);
	first = vma_first(mm);
	if (!first)
		goto destroy;
	last = vma_last(mm);
	tlb_gather_mmu(&tlb, mm, true);
	for (vma = first; vma; vma = vma_next(mm, vma))
		unmap_page_range(&tlb, vma, vma->vm_start, vma->vm_end);
	for (vma = first; vma; vma = vma_next(mm, vma)) {
		unlink_anon_vmas(vma);
		unlink_file_vma(vma);
	}
	free_pgd_range(&tlb, first->vm_start, last->vm_end, 0, 0);
	tlb_finish_mmu(&tlb);
	for (vma = first; vma; vma = next) {
		next = vma_next(mm, vma);
		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += vma_pages(vma);
		anon_lazy_lock_write();
		vma_tree_erase(mm, vma);
		anon_lazy_unlock_write();
		remove_vma(vma);
		count++;
	}
	VM_WARN_ON(count != mm->map_count);
	mm->map_count = 0;
destroy:
	mmap_write_unlock(mm);
	vm_unacct_memory(nr_accounted);
}

/*
 * fork's copy of @oldmm into the new, empty @mm (Linux's dup_mmap()):
 * every VMA but VM_DONTCOPY ones, each with its anon_vma forked and its
 * page tables copied (COW), except VM_WIPEONFORK ones, which start empty.
 * The parent's TLB is flushed once at the end (its PTEs were
 * write-protected).
 */
int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt, *tmp;
	int retval = 0;

	mmap_write_lock(oldmm);
	mmap_write_lock(mm);
	mm->total_vm = oldmm->total_vm;
	/* arch_dup_pkeys(): the child keeps the execute-only key. */
	mm->execute_only_pkey = oldmm->execute_only_pkey;
	/* The VMAs are copied as they are: kept splits too. */
	mm->splits_kept = oldmm->splits_kept;
	mm->data_vm = oldmm->data_vm;
	mm->exec_vm = oldmm->exec_vm;
	mm->stack_vm = oldmm->stack_vm;
	mm->mempolicy = oldmm->mempolicy;	/* the child inherits it */
	/*
	 * ANON_VMA_LAZY: every lazy VMA gets its group's anon_vma first;
	 * folio_try_dup_anon_rmap_*() then moves each folio it shares.
	 */
	retval = anon_vma_lazy_upgrade_mm(oldmm);
	if (retval)
		goto out;

	for_each_vma(oldmm, mpnt) {
		unsigned long charge = 0;

		if (mpnt->vm_flags & VM_DONTCOPY) {
			vm_stat_account(mm, mpnt->vm_flags, -vma_pages(mpnt));
			continue;
		}
		if (mpnt->vm_flags & VM_ACCOUNT) {
			unsigned long len = vma_pages(mpnt);

			if (security_vm_enough_memory_mm(oldmm, len))
				goto fail_nomem;
			charge = len;
		}
		tmp = vm_area_dup(mpnt);
		if (!tmp)
			goto fail_nomem_charged;
		tmp->vm_mm = mm;
		if (tmp->vm_flags & VM_WIPEONFORK) {
			/* A clean slate: anon_vma prepared at the first fault. */
			tmp->anon_vma = NULL;
		} else if (anon_vma_fork(tmp, mpnt)) {
			vm_area_free(tmp);
			goto fail_nomem_charged;
		}
		tmp->vm_flags &= ~VM_LOCKED_MASK;
		if (is_vm_hugetlb_page(tmp))
			hugetlb_dup_vma_private(tmp);
		anon_lazy_lock_write();
		vma_tree_insert(mm, tmp);
		anon_lazy_unlock_write();
		mm->map_count++;
		if (tmp->vm_ops && tmp->vm_ops->open)
			tmp->vm_ops->open(tmp);
		if (tmp->vm_file) {
			get_file(tmp->vm_file);
			vma_link_file(tmp);
		}
		if (!(tmp->vm_flags & VM_WIPEONFORK))
			retval = copy_page_range(tmp, mpnt);
		if (retval)
			goto out;
		continue;

fail_nomem_charged:
		vm_unacct_memory(charge);
fail_nomem:
		retval = -ENOMEM;
		goto out;
	}
out:
	mmap_write_unlock(mm);
	flush_tlb_mm(oldmm);
	mmap_write_unlock(oldmm);
	return retval;
}

/* ---- placement ----------------------------------------------------- */

struct vm_unmapped_area_info {
	bool topdown;			/* highest gap, else lowest */
	unsigned long length;		/* bytes wanted */
	unsigned long low_limit;	/* gap may start here */
	unsigned long high_limit;	/* gap must end by here */
	unsigned long align;		/* result aligned to this (hugetlb),
					 * 0: a page */
};

/*
 * The highest (or lowest) address of a free range of info->length bytes
 * inside [low_limit, high_limit), or -ENOMEM (Linux's vm_unmapped_area()).
 */
static unsigned long vm_unmapped_area(struct mm_struct *mm,
				      const struct vm_unmapped_area_info *info)
{
	unsigned long low = max(info->low_limit, MMAP_MIN_ADDR);
	unsigned long high = info->high_limit;
	unsigned long len = info->length;
	unsigned long align = info->align ?: PAGE_SIZE;
	struct vm_area_struct *vma, *prev;

	if (high < len || high - len < low)
		return -ENOMEM;
	if (info->topdown) {
		/* Walk the gaps downwards from high. */
		vma = find_vma(mm, high - 1);
		prev = vma ? vma_prev(mm, vma) : vma_last(mm);
		for (;;) {
			unsigned long gap_end = vma ? min(vma->vm_start, high) : high;
			unsigned long gap_start = prev ? max(prev->vm_end, low) : low;

			if (gap_end >= gap_start && gap_end - gap_start >= len &&
			    ((gap_end - len) & ~(align - 1)) >= gap_start)
				return (gap_end - len) & ~(align - 1);
			if (!prev || prev->vm_end <= low)
				return -ENOMEM;
			vma = prev;
			prev = vma_prev(mm, vma);
		}
	}
	/* Bottom-up: walk the gaps upwards from low. */
	vma = find_vma(mm, low);
	prev = vma ? vma_prev(mm, vma) : vma_last(mm);
	for (;;) {
		unsigned long gap_start = prev ? max(prev->vm_end, low) : low;
		unsigned long gap_end = vma ? min(vma->vm_start, high) : high;

		if (gap_end >= gap_start &&
		    ALIGN(gap_start, align) <= gap_end &&
		    gap_end - ALIGN(gap_start, align) >= len)
			return ALIGN(gap_start, align);
		if (!vma || vma->vm_end >= high)
			return -ENOMEM;
		prev = vma;
		vma = vma_next(mm, vma);
	}
}

static bool mmap_address_hint_valid(unsigned long addr, unsigned long len)
{
	if (TASK_SIZE - len < addr)
		return false;
	return (addr > DEFAULT_MAP_WINDOW) == (addr + len > DEFAULT_MAP_WINDOW);
}

/* arch/x86/kernel/sys_x86_64.c: the legacy bottom-up search. */
static unsigned long arch_get_unmapped_area(struct mm_struct *mm,
					    unsigned long addr,
					    unsigned long len,
					    unsigned long flags)
{
	struct vm_unmapped_area_info info = {
		.length = len,
		.low_limit = TASK_UNMAPPED_BASE,
		.high_limit = TASK_SIZE,
	};
	struct vm_area_struct *vma;

	if (len > TASK_SIZE)
		return -ENOMEM;
	if (flags & FOLIAGE_MAP_FIXED)
		return addr;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma(mm, addr);
		if (TASK_SIZE - len >= addr &&
		    (!vma || addr + len <= vma->vm_start))
			return addr;
	}
	return vm_unmapped_area(mm, &info);
}

static unsigned long arch_get_unmapped_area_topdown(struct mm_struct *mm,
						    unsigned long addr0,
						    unsigned long len,
						    unsigned long flags)
{
	struct vm_unmapped_area_info info = {
		.topdown = true,
		.length = len,
		.low_limit = PAGE_SIZE,
		.high_limit = mm->mmap_base,
	};
	unsigned long addr = addr0;
	struct vm_area_struct *vma;

	if (len > TASK_SIZE)
		return -ENOMEM;
	if (flags & FOLIAGE_MAP_FIXED)
		return addr;
	if (addr) {
		addr &= PAGE_MASK;
		if (mmap_address_hint_valid(addr, len)) {
			vma = find_vma(mm, addr);
			if (!vma || addr + len <= vma->vm_start)
				return addr;
		}
	}
	addr = vm_unmapped_area(mm, &info);
	if (!offset_in_page(addr))
		return addr;
	/* A failed top-down search falls back to bottom-up. */
	return arch_get_unmapped_area(mm, addr0, len, flags);
}

static unsigned long mm_get_unmapped_area(struct mm_struct *mm,
					  unsigned long addr,
					  unsigned long len,
					  unsigned long flags)
{
	if (mm->flags & (1UL << MMF_TOPDOWN))
		return arch_get_unmapped_area_topdown(mm, addr, len, flags);
	return arch_get_unmapped_area(mm, addr, len, flags);
}

/*
 * thp_get_unmapped_area(): ask for PMD_SIZE more and align the result so
 * that file offset @off lands on a PMD boundary.
 */
static unsigned long __thp_get_unmapped_area(struct mm_struct *mm,
					     unsigned long addr,
					     unsigned long len,
					     unsigned long off,
					     unsigned long flags)
{
	unsigned long size = PMD_SIZE;
	unsigned long off_end = off + len;
	unsigned long off_align = ALIGN(off, size);
	unsigned long len_pad, ret, off_sub;

	if (off_end <= off_align || off_end - off_align < size)
		return 0;
	len_pad = len + size;
	if (len_pad < len || off + len_pad < off)
		return 0;
	ret = mm_get_unmapped_area(mm, addr, len_pad, flags);
	/* Failure may be due to the padding: the caller retries without. */
	if (IS_ERR_VALUE(ret))
		return 0;
	/* A hint that could be honoured is not realigned. */
	if (ret == addr)
		return addr;
	off_sub = (off - ret) & (size - 1);
	if ((mm->flags & (1UL << MMF_TOPDOWN)) && !off_sub)
		return ret + size;
	return ret + off_sub;
}

static unsigned long thp_get_unmapped_area(struct mm_struct *mm,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags)
{
	unsigned long ret = __thp_get_unmapped_area(mm, addr, len,
						    pgoff << PAGE_SHIFT, flags);

	if (ret)
		return ret;
	return mm_get_unmapped_area(mm, addr, len, flags);
}

/*
 * A hugetlb file's area (Linux's hugetlb_get_unmapped_area()): @len and a
 * MAP_FIXED address must be multiples of the huge page size (-EINVAL), a
 * hint is aligned up, the search finds an aligned gap.
 */
static unsigned long hugetlb_get_unmapped_area(struct mm_struct *mm,
					       struct file *file,
					       unsigned long addr,
					       unsigned long len,
					       unsigned long flags)
{
	unsigned long sz = huge_page_size(hstate_file(file));
	struct vm_unmapped_area_info info = {
		.length = len,
		.align = sz,
	};
	struct vm_area_struct *vma;

	if (len & (sz - 1))
		return -EINVAL;
	if (flags & FOLIAGE_MAP_FIXED)
		return (addr & (sz - 1)) ? -EINVAL : addr;
	if (addr) {
		addr = ALIGN(addr, sz);
		vma = find_vma(mm, addr);
		if (mmap_address_hint_valid(addr, len) &&
		    (!vma || addr + len <= vma->vm_start))
			return addr;
	}
	if (mm->flags & (1UL << MMF_TOPDOWN)) {
		info.topdown = true;
		info.low_limit = PAGE_SIZE;
		info.high_limit = mm->mmap_base;
		addr = vm_unmapped_area(mm, &info);
		if (!offset_in_page(addr))
			return addr;
	}
	info.topdown = false;
	info.low_limit = TASK_UNMAPPED_BASE;
	info.high_limit = TASK_SIZE;
	return vm_unmapped_area(mm, &info);
}

/*
 * Where a mapping of @len bytes goes (Linux's __get_unmapped_area()).
 * Files and shared anonymous memory are shmem's, whose get_unmapped_area
 * aligns only when shmem THP is on (it is off: shmem_enabled=never).
 */
unsigned long get_unmapped_area(struct mm_struct *mm, struct file *file,
				unsigned long addr, unsigned long len,
				unsigned long pgoff, unsigned long flags,
				vm_flags_t vm_flags)
{
	(void)vm_flags;
	if (len > TASK_SIZE)
		return -ENOMEM;
	if (!file)
		pgoff = 0;
	if (file && is_file_hugepages(file))
		addr = hugetlb_get_unmapped_area(mm, file, addr, len, flags);
	else if (!file && !(flags & FOLIAGE_MAP_SHARED) && !addr &&
	    IS_ALIGNED(len, PMD_SIZE))
		addr = thp_get_unmapped_area(mm, addr, len, pgoff, flags);
	else
		addr = mm_get_unmapped_area(mm, addr, len, flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > TASK_SIZE - len)
		return -ENOMEM;
	if (offset_in_page(addr))
		return -EINVAL;
	/* security_mmap_addr(): the task lacks CAP_SYS_RAWIO. */
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	return addr;
}

/* ---- mmap ---------------------------------------------------------- */

static unsigned long round_hint_to_min(unsigned long hint)
{
	hint &= PAGE_MASK;
	if (hint && hint < MMAP_MIN_ADDR)
		return PAGE_ALIGN(MMAP_MIN_ADDR);
	return hint;
}

static vm_flags_t calc_vm_flag_bits(unsigned long flags)
{
	/* MAP_STACK asks for no THP (6.7+); MAP_GROWSDOWN, MAP_LOCKED: below. */
	return (flags & MAP_STACK ? VM_NOHUGEPAGE : 0);
}

static bool accountable_mapping(struct file *file, vm_flags_t vm_flags)
{
	/* hugetlb pages are accounted by their reservations. */
	if (file && is_file_hugepages(file))
		return false;
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/* Pages of VM_ACCOUNT VMAs inside [start, end). */
static unsigned long accounted_pages_in(struct mm_struct *mm,
					unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long nr = 0;

	for (vma = find_vma_intersection(mm, start, end);
	     vma && vma->vm_start < end; vma = vma_next(mm, vma))
		if (vma->vm_flags & VM_ACCOUNT)
			nr += PHYS_PFN(min(end, vma->vm_end) -
				       max(start, vma->vm_start));
	return nr;
}

/*
 * Map [addr, addr + len) with @vm_flags (Linux's __mmap_region()): unmap
 * what was there, charge the commit, then extend a neighbour if one can
 * take the range, else make a new VMA.
 */
static unsigned long mmap_region(struct mm_struct *mm, struct file *file,
				 unsigned long addr, unsigned long len,
				 vm_flags_t vm_flags, unsigned long pgoff)
{
	unsigned long end = addr + len, pglen = PHYS_PFN(len);
	unsigned long charged = 0, overlapped = 0;
	struct vm_area_struct *vma = NULL, *prev, *next, *prealloc = NULL;
	int error;

	if (accountable_mapping(file, vm_flags)) {
		/* What the old mappings there were charged carries over. */
		overlapped = accounted_pages_in(mm, addr, end);
		charged = pglen - overlapped;
		if (charged && security_vm_enough_memory_mm(mm, charged))
			return -ENOMEM;
		vm_flags |= VM_ACCOUNT;
	}
	if (!may_expand_vm(mm, vm_flags, pglen)) {
		error = -ENOMEM;
		goto unacct_error;
	}
	if (find_vma_intersection(mm, addr, end)) {
		/*
		 * Linux detaches the old VMAs first and puts them back if
		 * the new one cannot be allocated: allocating it before the
		 * unmap keeps the old mapping just as well (docs/fidelity.md).
		 */
		prealloc = vm_area_alloc(mm);
		if (!prealloc) {
			error = -ENOMEM;
			goto unacct_error;
		}
		error = do_vmi_munmap(mm, addr, len);
		if (error)
			goto unacct_error;
		/* The unmap gave back the overlapped charge: take it again. */
		if (overlapped)
			atomic_long_add(overlapped,
					&this_machine->vm_committed_as);
	}

	next = find_vma_prev(mm, addr, &prev);
	if (prev || next) {
		struct vma_merge_struct vmg = {
			.mm = mm,
			.prev = prev,
			.next = next,
			.start = addr,
			.end = end,
			.pgoff = pgoff,
			.vm_flags = vm_flags,
			.file = file,
		};

		vma = vma_merge_new_range(&vmg);
	}
	if (!vma) {
		vma = prealloc ?: vm_area_alloc(mm);
		prealloc = NULL;
		if (!vma) {
			error = -ENOMEM;
			goto unacct_error;
		}
		vma->vm_start = addr;
		vma->vm_end = end;
		vma->vm_pgoff = pgoff;
		vma->vm_flags = vm_flags;
		vma->vm_page_prot = vm_get_page_prot(vm_flags);
		if (file && is_file_hugepages(file)) {
			vma->vm_file = get_file(file);
			error = hugetlbfs_file_mmap(file, vma);
		} else if (file) {
			vma->vm_file = get_file(file);
			error = file->f_op && file->f_op->mmap ?
				file->f_op->mmap(file, vma) :
				shmem_mmap(file, vma);
		} else if (vm_flags & VM_SHARED) {
			error = shmem_zero_setup(vma);
		} else {
			error = 0;
		}
		if (error)
			goto free_vma;
		error = vma_link(mm, vma);
		if (error)
			goto free_vma;
	}

	if (prealloc)
		vm_area_free(prealloc);	/* a neighbour took the range */
	/* __mmap_complete() */
	vm_stat_account(mm, vma->vm_flags, pglen);
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += pglen;
	/* New or grown VMAs are soft-dirty: their pages are all "new". */
	/* A merged VMA is visible to rmap walks already. */
	WRITE_ONCE(vma->vm_flags, vma->vm_flags | VM_SOFTDIRTY);
	vma_set_page_prot(vma);
	return addr;

free_vma:
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
unacct_error:
	if (prealloc)
		vm_area_free(prealloc);
	if (charged)
		vm_unacct_memory(charged);
	return error;
}

/*
 * Whether a file mapping of @len bytes at page offset @pgoff stays within
 * the largest offset the file can have, as Linux's file_mmap_ok().  Every
 * foliage file is a shmem file, a regular file (S_ISREG), whose limit is
 * MAX_LFS_FILESIZE; Linux checks this after placing the mapping, so a
 * MAP_FIXED_NOREPLACE clash (-EEXIST) wins over it.
 */
static bool file_mmap_ok(unsigned long pgoff, unsigned long len)
{
	u64 maxsize = MAX_LFS_FILESIZE;

	if (len > maxsize)
		return false;
	maxsize -= len;
	return pgoff <= maxsize >> PAGE_SHIFT;
}

static unsigned long __do_mmap(struct mm_struct *mm, struct file *file,
			       unsigned long addr, unsigned long len,
			       unsigned long prot, unsigned long flags,
			       unsigned long pgoff, unsigned long *populate);

/*
 * mmap with MAP_HUGETLB or of a hugetlbfs file (the part of Linux's
 * ksys_mmap_pgoff() before do_mmap()): an anonymous MAP_HUGETLB mapping
 * maps a new "anon_hugepage" file that reserves nothing itself (the mmap
 * reserves, hugetlbfs_file_mmap()); the length is rounded up to the huge
 * page size.  MAP_HUGETLB on a file that is not hugetlbfs: -EINVAL.
 */
static unsigned long do_mmap_hugetlb(struct mm_struct *mm, struct file *file,
				     unsigned long addr, unsigned long len,
				     unsigned long prot, unsigned long flags,
				     unsigned long pgoff,
				     unsigned long *populate)
{
	unsigned long ret;
	struct hstate *h;
	int err;

	if (file) {
		if (!is_file_hugepages(file))
			return -EINVAL;
		len = ALIGN(len, huge_page_size(hstate_file(file)));
		return __do_mmap(mm, file, addr, len, prot, flags, pgoff,
				 populate);
	}
	h = hstate_sizelog((flags >> FOLIAGE_MAP_HUGE_SHIFT) &
			   FOLIAGE_MAP_HUGE_MASK);
	if (!h)
		return -EINVAL;
	len = ALIGN(len, huge_page_size(h));
	if (!len)
		return -EINVAL;
	err = hugetlb_file_setup("anon_hugepage", len, h, true, NULL, &file);
	if (err)
		return err;
	ret = __do_mmap(mm, file, addr, len, prot, flags, pgoff, populate);
	fput(file);
	return ret;
}

unsigned long do_mmap(struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, unsigned long pgoff,
		      unsigned long *populate)
{
	*populate = 0;
	if (((flags & FOLIAGE_MAP_HUGETLB) && !file) ||
	    (file && is_file_hugepages(file)))
		return do_mmap_hugetlb(mm, file, addr, len, prot, flags, pgoff,
				       populate);
	if (file && (flags & FOLIAGE_MAP_HUGETLB))
		return -EINVAL;
	return __do_mmap(mm, file, addr, len, prot, flags, pgoff, populate);
}

static unsigned long __do_mmap(struct mm_struct *mm, struct file *file,
			       unsigned long addr, unsigned long len,
			       unsigned long prot, unsigned long flags,
			       unsigned long pgoff, unsigned long *populate)
{
	vm_flags_t vm_flags;
	int pkey = 0;

	*populate = 0;
	if (!len)
		return -EINVAL;
	if (flags & FOLIAGE_MAP_FIXED_NOREPLACE)
		flags |= FOLIAGE_MAP_FIXED;
	if (!(flags & FOLIAGE_MAP_FIXED))
		addr = round_hint_to_min(addr);
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;
	if (pgoff + PHYS_PFN(len) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > sysctl_max_map_count())
		return -ENOMEM;

	if (prot == FOLIAGE_PROT_EXEC)
		pkey = max(execute_only_pkey(mm), 0);
	vm_flags = calc_vm_prot_bits(prot) | pkey_vm_flags(pkey) |
		   calc_vm_flag_bits(flags) | VM_MAYREAD | VM_MAYWRITE |
		   VM_MAYEXEC;

	addr = get_unmapped_area(mm, file, addr, len, pgoff, flags, vm_flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if ((flags & FOLIAGE_MAP_FIXED_NOREPLACE) &&
	    find_vma_intersection(mm, addr, addr + len))
		return -EEXIST;

	if (file) {
		unsigned int accmode = file->f_flags & 3;

		if (!file_mmap_ok(pgoff, len))
			return -EOVERFLOW;
		switch (flags & MAP_TYPE) {
		case FOLIAGE_MAP_SHARED:
			flags &= LEGACY_MAP_MASK;
			/* fallthrough */
		case MAP_SHARED_VALIDATE:
			if (flags & ~LEGACY_MAP_MASK)
				return -EOPNOTSUPP;
			if ((prot & FOLIAGE_PROT_WRITE) && accmode == 0)
				return -EACCES;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			if (accmode == 0)
				vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
			break;
		case FOLIAGE_MAP_PRIVATE:
			break;
		default:
			return -EINVAL;
		}
		if (accmode == 1)	/* O_WRONLY: no FMODE_READ */
			return -EACCES;
	} else {
		switch (flags & MAP_TYPE) {
		case FOLIAGE_MAP_SHARED:
			pgoff = 0;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case FOLIAGE_MAP_PRIVATE:
			/* An anonymous VMA's pgoff is its address (anon rmap). */
			pgoff = addr >> PAGE_SHIFT;
			break;
		default:
			return -EINVAL;
		}
	}
	/*
	 * MAP_NORESERVE is honoured: vm.overcommit_memory is not 2 (and
	 * hugetlb honours it always).
	 */
	if (flags & FOLIAGE_MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;

	addr = mmap_region(mm, file, addr, len, vm_flags, pgoff);
	if (!IS_ERR_VALUE(addr) &&
	    (flags & (FOLIAGE_MAP_POPULATE | MAP_NONBLOCK)) ==
	    FOLIAGE_MAP_POPULATE)
		*populate = len;
	return addr;
}

/*
 * Fault in every page of [start, start + len) as MAP_POPULATE does
 * (Linux's __mm_populate()): a write fault for private writable mappings
 * (to break COW now), else a read fault.  Errors are ignored by mmap.
 */
int mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end = start + len, nstart, nend;
	struct vm_area_struct *vma;
	int ret = 0;
	long done;

	for (nstart = start; nstart < end; nstart = nend) {
		vma = find_vma_intersection(mm, nstart, end);
		if (!vma)
			break;
		nstart = max(nstart, vma->vm_start);
		nend = min(end, vma->vm_end);
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (!(vma->vm_flags & VM_ACCESS_FLAGS))
			continue;	/* PROT_NONE is never populated */
		/* FOLL_FORCE reads, as __mm_populate() does for exec-only. */
		done = populate_vma_page_range(vma, nstart, nend);
		if (done < 0) {
			ret = done;
			break;
		}
	}
	return ret;
}
