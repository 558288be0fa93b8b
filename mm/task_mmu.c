// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/maps, smaps and smaps_rollup: snapshots of a task's address
 * space and Linux 6.18's formats for them (see task_mmu.h).
 *
 * smaps walks the page tables of each VMA under mmap_lock (read) and the
 * page-table locks, and accounts every mapped page as Linux's
 * smaps_account() does: a folio with refcount 1 is mapped exactly once
 * (private, its whole size in Pss); otherwise each page counts by its
 * precise mapcount (CONFIG_PAGE_MAPCOUNT): private if mapped once,
 * shared with Pss += PAGE_SIZE / mapcount if more.  Non-present entries
 * (migration) count as shared, without dividing.  The zero pages are
 * special mappings and count nowhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/shmem_fs.h>
#include "task.h"

#include "task_mmu.h"
#include <linux/rmap.h>
#include <linux/hugetlb.h>

/* ---- accounting ------------------------------------------------------ */

static void smaps_page_accumulate(struct mem_size_stats *mss,
				  const struct folio *folio,
				  unsigned long size, u64 pss, bool dirty,
				  bool locked, bool private)
{
	mss->pss += pss;
	if (folio_test_anon(folio))
		mss->pss_anon += pss;
	else if (folio_test_swapbacked(folio))
		mss->pss_shmem += pss;
	else
		mss->pss_file += pss;
	if (locked)
		mss->pss_locked += pss;
	if (dirty || folio_test_dirty(folio)) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else {
		if (private)
			mss->private_clean += size;
		else
			mss->shared_clean += size;
	}
}

void smaps_account(struct mem_size_stats *mss, struct page *page,
		   bool compound, bool young, bool dirty, bool locked,
		   bool present)
{
	struct folio *folio = page_folio(page);
	unsigned long nr = compound ? folio_nr_pages(folio) : 1, i;
	unsigned long size = nr * PAGE_SIZE;
	bool exclusive = false;
	int mapcount = 0;

	/* First what depends only on the size and the kind of folio. */
	if (folio_test_anon(folio)) {
		mss->anonymous += size;
		if (!folio_test_swapbacked(folio) && !dirty &&
		    !folio_test_dirty(folio))
			mss->lazyfree += size;
	}
	mss->resident += size;
	if (young || test_bit(PG_young, &folio->flags) ||
	    folio_test_referenced(folio))
		mss->referenced += size;

	/*
	 * Then what depends on sharing.  Refcount 1 on a present mapping
	 * means mapped exactly once; a non-present one (migration entry)
	 * counts as shared, since its mapcount cannot be trusted.
	 */
	if (folio_ref_count(folio) == 1 || !present) {
		smaps_page_accumulate(mss, folio, size, (u64)size << PSS_SHIFT,
				      dirty, locked, present);
		return;
	}
	/* CONFIG_NO_PAGE_MAPCOUNT: every page as the folio's average. */
	if (!page_mapcount_enabled()) {
		mapcount = folio_average_page_mapcount(folio);
		exclusive = !folio_maybe_mapped_shared(folio);
	}
	for (i = 0; i < nr; i++, page++) {
		u64 pss = (u64)PAGE_SIZE << PSS_SHIFT;

		if (page_mapcount_enabled()) {
			mapcount = folio_precise_page_mapcount(folio, page);
			exclusive = mapcount < 2;
		}
		if (mapcount >= 2)
			pss /= mapcount;
		smaps_page_accumulate(mss, folio, PAGE_SIZE, pss, dirty,
				      locked, exclusive);
	}
}

/* The page a migration entry stands for, or NULL for other swap entries. */
static struct page *swap_entry_page(swp_entry_t entry)
{
	if (!is_migration_entry(entry))
		return NULL;
	return pfn_to_page(swp_offset_pfn(entry));
}

static void smaps_pte_entry(struct mem_size_stats *mss,
			    struct vm_area_struct *vma, unsigned long addr,
			    pte_t ptent)
{
	bool locked = vma->vm_flags & VM_LOCKED;
	bool present = false, young = false, dirty = false;
	struct page *page = NULL;

	if (pte_present(ptent)) {
		page = vm_normal_page(vma, addr, ptent);
		young = pte_young(ptent);
		dirty = pte_dirty(ptent);
		present = true;
	} else if (is_swap_pte(ptent)) {
		page = swap_entry_page(pte_to_swp_entry(ptent));
	}
	if (page)
		smaps_account(mss, page, false, young, dirty, locked, present);
}

/* A PMD leaf: a PMD-mapped THP (or the huge zero page, not counted). */
static void smaps_pmd_entry(struct mem_size_stats *mss,
			    struct vm_area_struct *vma, unsigned long addr,
			    pmd_t pmd)
{
	bool locked = vma->vm_flags & VM_LOCKED;
	struct folio *folio;
	struct page *page;

	page = vm_normal_page_pmd(vma, addr, pmd);
	if (!page)
		return;
	folio = page_folio(page);
	if (folio_test_anon(folio))
		mss->anonymous_thp += HPAGE_PMD_SIZE;
	else if (folio_test_swapbacked(folio))
		mss->shmem_thp += HPAGE_PMD_SIZE;
	else
		mss->file_thp += HPAGE_PMD_SIZE;
	smaps_account(mss, page, true, pmd_young(pmd), pmd_dirty(pmd), locked,
		      true);
}

/*
 * A hugetlb VMA (Linux's smaps_hugetlb_range()): each mapped huge page
 * counts whole in Shared_Hugetlb if another mapping may share it, else
 * in Private_Hugetlb; nothing in Rss.
 */
static void smaps_hugetlb_range(struct vm_area_struct *vma,
				struct mem_size_stats *mss)
{
	unsigned long sz = vma_kernel_pagesize(vma), addr;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += sz) {
		spinlock_t *ptl;
		pmd_t *ptep = hugetlb_walk(vma, addr, &ptl);
		struct folio *folio;

		if (!ptep)
			continue;
		spin_lock(ptl);
		if (is_hugetlb_entry_migration(pmdp_get(ptep))) {
			/* Non-present entries count as "maybe shared". */
			mss->shared_hugetlb += sz;
		} else if (!pmd_none(pmdp_get(ptep))) {
			folio = page_folio(pmd_page(pmdp_get(ptep)));
			/* folio_maybe_mapped_shared() */
			if (folio_mapcount(folio) > 1)
				mss->shared_hugetlb += sz;
			else
				mss->private_hugetlb += sz;
		}
		spin_unlock(ptl);
	}
}

/* Walk [start, end) of @vma (smaps_pte_range() over walk_page_vma()). */
static void smap_gather_stats(struct vm_area_struct *vma,
			      struct mem_size_stats *mss)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr, next;

	if (is_vm_hugetlb_page(vma)) {
		smaps_hugetlb_range(vma, mss);
		return;
	}
	for (addr = vma->vm_start; addr < vma->vm_end; addr = next) {
		pmd_t *pmd = pmd_lookup(mm, addr);
		spinlock_t *ptl;
		pte_t *pte;

		next = pmd_addr_end(addr, vma->vm_end);
		if (!pmd || pmd_none(pmdp_get(pmd)))
			continue;
		if (pmd_leaf(pmdp_get(pmd))) {
			ptl = pmd_lock(mm, pmd);
			if (pmd_leaf(pmdp_get(pmd))) {
				smaps_pmd_entry(mss, vma, addr, pmdp_get(pmd));
				spin_unlock(ptl);
				continue;
			}
			spin_unlock(ptl);
		}
		/* A PMD migration entry: foliage migrates THPs split. */
		if (!pmd_present(pmdp_get(pmd)))
			continue;
		pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
		if (!pte)
			continue;
		for (; addr < next; addr += PAGE_SIZE, pte++)
			smaps_pte_entry(mss, vma, addr, ptep_get(pte));
		pte_unmap_unlock(pte - 1, ptl);
	}
}

static void mss_add(struct mem_size_stats *sum,
		    const struct mem_size_stats *mss)
{
	sum->resident += mss->resident;
	sum->shared_clean += mss->shared_clean;
	sum->shared_dirty += mss->shared_dirty;
	sum->private_clean += mss->private_clean;
	sum->private_dirty += mss->private_dirty;
	sum->referenced += mss->referenced;
	sum->anonymous += mss->anonymous;
	sum->lazyfree += mss->lazyfree;
	sum->anonymous_thp += mss->anonymous_thp;
	sum->shmem_thp += mss->shmem_thp;
	sum->file_thp += mss->file_thp;
	sum->swap += mss->swap;
	sum->shared_hugetlb += mss->shared_hugetlb;
	sum->private_hugetlb += mss->private_hugetlb;
	sum->ksm += mss->ksm;
	sum->pss += mss->pss;
	sum->pss_anon += mss->pss_anon;
	sum->pss_file += mss->pss_file;
	sum->pss_shmem += mss->pss_shmem;
	sum->pss_dirty += mss->pss_dirty;
	sum->pss_locked += mss->pss_locked;
	sum->swap_pss += mss->swap_pss;
}

/* ---- snapshots -------------------------------------------------------- */

static void vma_name(struct vm_area_struct *vma, char *buf, size_t len)
{
	const char *name = NULL;

	buf[0] = '\0';
	if (vma->vm_file) {
		if (file_path(vma->vm_file, buf, len) < 0)
			buf[0] = '\0';
		return;
	}
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	/* foliage's tasks have no brk heap and no main stack to name. */
	if (name)
		snprintf(buf, len, "%s", name);
}

static void snapshot_vma(struct vm_area_struct *vma, struct smaps_vma *v,
			 enum task_maps_detail detail)
{
	memset(v, 0, sizeof(*v));
	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->flags = vma->vm_flags;
	if (vma->vm_file) {
		const struct inode *inode = vma->vm_file->f_inode;

		v->dev_major = SHMEM_DEV_MAJOR;
		v->dev_minor = inode->i_dev_minor;
		v->ino = inode->i_ino;
		v->pgoff = (unsigned long long)vma->vm_pgoff << PAGE_SHIFT;
	}
	vma_name(vma, v->name, sizeof(v->name));
	v->kernel_pagesize = vma_kernel_pagesize(vma);
	v->mmu_pagesize = vma_kernel_pagesize(vma);
	if (detail == TASK_MAPS_PAGES) {
		v->thp_eligible = thp_vma_allowable_orders(vma, vma->vm_flags,
							   TVA_SMAPS,
							   THP_ORDERS_ALL);
		/* arch_pkeys_enabled(): the line only where the CPU has them. */
		v->has_pkey = this_machine->pku;
		v->pkey = vma_pkey(vma);
		smap_gather_stats(vma, &v->mss);
	}
}

int task_maps_snapshot(struct mm_struct *mm, enum task_maps_detail detail,
		       struct task_maps *tm)
{
	struct vm_area_struct *vma;
	int n = 0;

	memset(tm, 0, sizeof(*tm));
	mmap_read_lock(mm);
	if (mm->map_count) {
		tm->vma = calloc(mm->map_count, sizeof(*tm->vma));
		if (!tm->vma) {
			mmap_read_unlock(mm);
			return -ENOMEM;
		}
	}
	for_each_vma(mm, vma) {
		if (WARN_ON_ONCE(n >= mm->map_count))
			break;
		snapshot_vma(vma, &tm->vma[n], detail);
		mss_add(&tm->rollup, &tm->vma[n].mss);
		n++;
	}
	tm->nr_vmas = n;
	mmap_read_unlock(mm);
	return 0;
}

void task_maps_free(struct task_maps *tm)
{
	free(tm->vma);
	memset(tm, 0, sizeof(*tm));
}

/* ---- text ------------------------------------------------------------- */

/*
 * The header of a line of maps, padded as seq_setwidth()/seq_pad() do:
 * a name starts after column 72 (25 + 6 * sizeof(void *) - 1), one space
 * past the prefix at least.
 */
#define MAPS_NAME_COLUMN	(25 + 6 * 8 - 1)

static void show_vma_header(struct seq_buf *s, unsigned long start,
			    unsigned long end, vm_flags_t flags,
			    unsigned long long pgoff, unsigned int major,
			    unsigned int minor, unsigned long ino,
			    const char *name)
{
	size_t line = s->len;

	seq_printf(s, "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ",
		   start, end,
		   flags & VM_READ ? 'r' : '-',
		   flags & VM_WRITE ? 'w' : '-',
		   flags & VM_EXEC ? 'x' : '-',
		   flags & VM_MAYSHARE ? 's' : 'p',
		   pgoff, major, minor, ino);
	if (name && name[0]) {
		if (s->len - line < MAPS_NAME_COLUMN)
			seq_printf(s, "%*s", (int)(MAPS_NAME_COLUMN -
						   (s->len - line)), "");
		seq_putc(s, ' ');
		seq_puts(s, name);
	}
	seq_putc(s, '\n');
}

void show_map_vma(struct seq_buf *s, const struct smaps_vma *v)
{
	show_vma_header(s, v->start, v->end, v->flags, v->pgoff, v->dev_major,
			v->dev_minor, v->ino, v->name);
}

/* One "Label:   N kB" line: the number right-aligned in 8 columns. */
static void seq_kb(struct seq_buf *s, const char *label, unsigned long bytes)
{
	seq_printf(s, "%s%8lu kB\n", label, bytes >> 10);
}

/* The lines smaps and smaps_rollup share (__show_smap()). */
static void __show_smap(struct seq_buf *s, const struct mem_size_stats *mss,
			bool rollup)
{
	seq_kb(s, "Rss:            ", mss->resident);
	seq_kb(s, "Pss:            ", mss->pss >> PSS_SHIFT);
	seq_kb(s, "Pss_Dirty:      ", mss->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		seq_kb(s, "Pss_Anon:       ", mss->pss_anon >> PSS_SHIFT);
		seq_kb(s, "Pss_File:       ", mss->pss_file >> PSS_SHIFT);
		seq_kb(s, "Pss_Shmem:      ", mss->pss_shmem >> PSS_SHIFT);
	}
	seq_kb(s, "Shared_Clean:   ", mss->shared_clean);
	seq_kb(s, "Shared_Dirty:   ", mss->shared_dirty);
	seq_kb(s, "Private_Clean:  ", mss->private_clean);
	seq_kb(s, "Private_Dirty:  ", mss->private_dirty);
	seq_kb(s, "Referenced:     ", mss->referenced);
	seq_kb(s, "Anonymous:      ", mss->anonymous);
	seq_kb(s, "KSM:            ", mss->ksm);
	seq_kb(s, "LazyFree:       ", mss->lazyfree);
	seq_kb(s, "AnonHugePages:  ", mss->anonymous_thp);
	seq_kb(s, "ShmemPmdMapped: ", mss->shmem_thp);
	seq_kb(s, "FilePmdMapped:  ", mss->file_thp);
	seq_kb(s, "Shared_Hugetlb: ", mss->shared_hugetlb);
	/* One column narrower: the label is one longer. */
	seq_printf(s, "Private_Hugetlb: %7lu kB\n", mss->private_hugetlb >> 10);
	seq_kb(s, "Swap:           ", mss->swap);
	seq_kb(s, "SwapPss:        ", mss->swap_pss >> PSS_SHIFT);
	seq_kb(s, "Locked:         ", mss->pss_locked >> PSS_SHIFT);
}

/*
 * VmFlags mnemonics by bit, as x86-64 Linux 6.18 prints them; "" for a
 * flag never printed, NULL for a bit Linux does not know ("??").  The
 * reference kernel (tests/golden) was built without CONFIG_MEM_SOFT_DIRTY,
 * so it never shows "sd"; foliage keeps VM_SOFTDIRTY and the PTE
 * soft-dirty bits, but prints VmFlags as that kernel does.
 */
static const char *const vm_flag_mnemonics[64] = {
	[0] = "rd", [1] = "wr", [2] = "ex", [3] = "sh",
	[4] = "mr", [5] = "mw", [6] = "me", [7] = "ms",
	[8] = "gd", [9] = "um", [10] = "pf", [12] = "uw",
	[13] = "lo", [14] = "io", [15] = "sr", [16] = "rr",
	[17] = "dc", [18] = "de", [19] = "lf", [20] = "ac",
	[21] = "nr", [22] = "ht", [23] = "sf", [24] = "ar",
	[25] = "wf", [26] = "dd", [27] = "", [28] = "mm",
	[29] = "hg", [30] = "nh", [31] = "mg",
	/* VM_PKEY_BIT0..3: never printed */
	[32] = "", [33] = "", [34] = "", [35] = "",
};

BUILD_BUG_ON(VM_UFFD_MISSING != BIT(9));
BUILD_BUG_ON(VM_PFNMAP != BIT(10));
BUILD_BUG_ON(VM_UFFD_WP != BIT(12));
BUILD_BUG_ON(VM_SOFTDIRTY != BIT(27));
BUILD_BUG_ON(VM_MERGEABLE != BIT(31));
BUILD_BUG_ON(VM_PKEY_BIT0 != BIT(32));

/* What VmFlags shows for bit @i of @flags, or NULL for nothing. */
static const char *vm_flag_name(vm_flags_t flags, unsigned int i)
{
	if (!(flags & BIT(i)))
		return NULL;
	/* An unknown bit shows as "??", as Linux shows it. */
	if (!vm_flag_mnemonics[i])
		return "??";
	return vm_flag_mnemonics[i][0] ? vm_flag_mnemonics[i] : NULL;
}

static void show_smap_vma_flags(struct seq_buf *s, vm_flags_t flags)
{
	const char *name;
	unsigned int i;

	seq_puts(s, "VmFlags: ");
	for (i = 0; i < ARRAY_SIZE(vm_flag_mnemonics); i++)
		if ((name = vm_flag_name(flags, i)))
			seq_printf(s, "%s ", name);
	seq_putc(s, '\n');
}

void show_smap(struct seq_buf *s, const struct smaps_vma *v)
{
	show_map_vma(s, v);
	seq_kb(s, "Size:           ", v->end - v->start);
	seq_kb(s, "KernelPageSize: ", v->kernel_pagesize);
	seq_kb(s, "MMUPageSize:    ", v->mmu_pagesize);
	__show_smap(s, &v->mss, false);
	seq_printf(s, "THPeligible:    %8u\n", v->thp_eligible);
	if (v->has_pkey)
		seq_printf(s, "ProtectionKey:  %8u\n", v->pkey);
	show_smap_vma_flags(s, v->flags);
}

void show_smaps_rollup(struct seq_buf *s, unsigned long start,
		       unsigned long end, const struct mem_size_stats *mss)
{
	show_vma_header(s, start, end, 0, 0, 0, 0, 0, "[rollup]");
	__show_smap(s, mss, true);
}

/* ---- JSON ------------------------------------------------------------- */

/* The smaps fields by their labels, in kB (or bytes << PSS_SHIFT). */
static void mss_json(struct json_object *obj, const struct mem_size_stats *mss,
		     bool rollup, int *err)
{
	json_set_u64(obj, "Rss", mss->resident >> 10, err);
	json_set_u64(obj, "Pss", mss->pss >> (PSS_SHIFT + 10), err);
	json_set_u64(obj, "Pss_Dirty", mss->pss_dirty >> (PSS_SHIFT + 10), err);
	if (rollup) {
		json_set_u64(obj, "Pss_Anon", mss->pss_anon >> (PSS_SHIFT + 10),
			     err);
		json_set_u64(obj, "Pss_File", mss->pss_file >> (PSS_SHIFT + 10),
			     err);
		json_set_u64(obj, "Pss_Shmem",
			     mss->pss_shmem >> (PSS_SHIFT + 10), err);
	}
	json_set_u64(obj, "Shared_Clean", mss->shared_clean >> 10, err);
	json_set_u64(obj, "Shared_Dirty", mss->shared_dirty >> 10, err);
	json_set_u64(obj, "Private_Clean", mss->private_clean >> 10, err);
	json_set_u64(obj, "Private_Dirty", mss->private_dirty >> 10, err);
	json_set_u64(obj, "Referenced", mss->referenced >> 10, err);
	json_set_u64(obj, "Anonymous", mss->anonymous >> 10, err);
	json_set_u64(obj, "KSM", mss->ksm >> 10, err);
	json_set_u64(obj, "LazyFree", mss->lazyfree >> 10, err);
	json_set_u64(obj, "AnonHugePages", mss->anonymous_thp >> 10, err);
	json_set_u64(obj, "ShmemPmdMapped", mss->shmem_thp >> 10, err);
	json_set_u64(obj, "FilePmdMapped", mss->file_thp >> 10, err);
	json_set_u64(obj, "Shared_Hugetlb", mss->shared_hugetlb >> 10, err);
	json_set_u64(obj, "Private_Hugetlb", mss->private_hugetlb >> 10, err);
	json_set_u64(obj, "Swap", mss->swap >> 10, err);
	json_set_u64(obj, "SwapPss", mss->swap_pss >> (PSS_SHIFT + 10), err);
	json_set_u64(obj, "Locked", mss->pss_locked >> (PSS_SHIFT + 10), err);
}

static void json_set_hex(struct json_object *obj, const char *key,
			 unsigned long long v, int *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%08llx", v);
	json_set_str(obj, key, buf, err);
}

/* The header fields of a maps line. */
static void header_json(struct json_object *obj, unsigned long start,
			unsigned long end, vm_flags_t flags,
			unsigned long long pgoff, unsigned int major,
			unsigned int minor, unsigned long ino, const char *name,
			int *err)
{
	char perms[5], dev[16];

	perms[0] = flags & VM_READ ? 'r' : '-';
	perms[1] = flags & VM_WRITE ? 'w' : '-';
	perms[2] = flags & VM_EXEC ? 'x' : '-';
	perms[3] = flags & VM_MAYSHARE ? 's' : 'p';
	perms[4] = '\0';
	snprintf(dev, sizeof(dev), "%02x:%02x", major, minor);
	json_set_hex(obj, "start", start, err);
	json_set_hex(obj, "end", end, err);
	json_set_str(obj, "perms", perms, err);
	json_set_hex(obj, "offset", pgoff, err);
	json_set_str(obj, "dev", dev, err);
	json_set_u64(obj, "inode", ino, err);
	json_set_str(obj, "pathname", name, err);
}

struct json_object *map_vma_json(const struct smaps_vma *v, bool smaps,
				 int *err)
{
	struct json_object *obj = json_new_object(err), *vmflags;
	const char *name;
	unsigned int i;

	header_json(obj, v->start, v->end, v->flags, v->pgoff, v->dev_major,
		    v->dev_minor, v->ino, v->name, err);
	if (!smaps)
		return obj;
	json_set_u64(obj, "Size", (v->end - v->start) >> 10, err);
	json_set_u64(obj, "KernelPageSize", v->kernel_pagesize >> 10, err);
	json_set_u64(obj, "MMUPageSize", v->mmu_pagesize >> 10, err);
	mss_json(obj, &v->mss, false, err);
	json_set_u64(obj, "THPeligible", v->thp_eligible, err);
	if (v->has_pkey)
		json_set_u64(obj, "ProtectionKey", v->pkey, err);
	vmflags = json_new_array(err);
	for (i = 0; i < ARRAY_SIZE(vm_flag_mnemonics); i++)
		if ((name = vm_flag_name(v->flags, i)))
			json_push(vmflags, json_object_new_string(name), err);
	json_set(obj, "VmFlags", vmflags, err);
	return obj;
}

struct json_object *smaps_rollup_json(unsigned long start, unsigned long end,
				      const struct mem_size_stats *mss,
				      int *err)
{
	struct json_object *obj = json_new_object(err);

	header_json(obj, start, end, 0, 0, 0, 0, 0, "[rollup]", err);
	mss_json(obj, mss, true, err);
	return obj;
}

/* ---- foliage_render_task() --------------------------------------------- */

static int render_task_maps(struct seq_buf *s, const struct task_maps *tm,
			    bool smaps, bool json)
{
	struct json_object *arr;
	int i, err = 0;

	if (!json) {
		for (i = 0; i < tm->nr_vmas; i++) {
			if (smaps)
				show_smap(s, &tm->vma[i]);
			else
				show_map_vma(s, &tm->vma[i]);
		}
		return s->err;
	}
	arr = json_new_array(&err);
	for (i = 0; i < tm->nr_vmas; i++)
		json_push(arr, map_vma_json(&tm->vma[i], smaps, &err), &err);
	return json_show(s, arr, err);
}

static int render_task_rollup(struct seq_buf *s, const struct task_maps *tm,
			      bool json)
{
	unsigned long start = 0, end = 0;
	int err = 0;

	if (tm->nr_vmas) {
		start = tm->vma[0].start;
		end = tm->vma[tm->nr_vmas - 1].end;
	}
	if (!json) {
		show_smaps_rollup(s, start, end, &tm->rollup);
		return s->err;
	}
	return json_show(s, smaps_rollup_json(start, end, &tm->rollup, &err),
			 err);
}

int foliage_render_task(struct foliage_task *task, const char *what,
			unsigned int flags, char **out)
{
	bool json = flags & FOLIAGE_RENDER_JSON;
	enum task_maps_detail detail;
	struct foliage_machine *m;
	struct task_maps tm;
	struct seq_buf s;
	int ret;

	if (!task || !what || !out || (flags & ~FOLIAGE_RENDER_JSON))
		return -EINVAL;
	if (!strcmp(what, "numa_maps"))
		return render_numa_maps(task, json, out);
	if (!strcmp(what, "maps"))
		detail = TASK_MAPS_VMAS;
	else if (!strcmp(what, "smaps") || !strcmp(what, "smaps_rollup"))
		detail = TASK_MAPS_PAGES;
	else
		return -ENOENT;
	m = task->machine;
	ret = machine_enter(m);
	if (ret)
		return ret;
	ret = task_maps_snapshot(task->task.mm, detail, &tm);
	if (ret) {
		machine_leave(m);
		return ret;
	}
	seq_buf_init(&s);
	if (!strcmp(what, "smaps_rollup"))
		ret = render_task_rollup(&s, &tm, json);
	else
		ret = render_task_maps(&s, &tm, detail == TASK_MAPS_PAGES,
				       json);
	task_maps_free(&tm);
	machine_leave(m);
	if (ret) {
		seq_buf_free(&s);
		return ret;
	}
	return seq_buf_finish(&s, out);
}

/* ---- the public queries: maps and status as numbers ---------------- */

int foliage_task_vmas(struct foliage_task *task, struct foliage_vma *vmas,
		      unsigned int max, unsigned int *nr)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	unsigned int n = 0;
	int ret;

	if (!task || !nr || (max && !vmas))
		return -EINVAL;
	ret = task_query_begin(task, &mm);
	if (ret)
		return ret;
	for_each_vma(mm, vma) {
		if (n < max) {
			struct foliage_vma *v = &vmas[n];
			struct file *file = vma->vm_file;

			v->start = vma->vm_start;
			v->end = vma->vm_end;
			v->flags = vma->vm_flags;
			v->pgoff = vma->vm_pgoff;
			v->anon = vma_is_anonymous(vma);
			v->ino = file ? file->f_inode->i_ino : 0;
			v->dev_major = file ? SHMEM_DEV_MAJOR : 0;
			v->dev_minor = file ? file->f_inode->i_dev_minor : 0;
		}
		n++;
	}
	task_query_end(task);
	*nr = n;
	return 0;
}

int foliage_task_mm_counters(struct foliage_task *task,
			     struct foliage_mm_counters *out)
{
	struct mm_struct *mm;
	int ret;

	if (!task || !out)
		return -EINVAL;
	ret = task_query_begin(task, &mm);
	if (ret)
		return ret;
	out->rss_anon = get_mm_counter(mm, MM_ANONPAGES);
	out->rss_file = get_mm_counter(mm, MM_FILEPAGES);
	out->rss_shmem = get_mm_counter(mm, MM_SHMEMPAGES);
	out->total_vm = READ_ONCE(mm->total_vm);
	out->locked_vm = READ_ONCE(mm->locked_vm);
	out->pinned_vm = atomic_long_read(&mm->pinned_vm);
	out->data_vm = READ_ONCE(mm->data_vm);
	out->exec_vm = READ_ONCE(mm->exec_vm);
	out->stack_vm = READ_ONCE(mm->stack_vm);
	out->pgtables_bytes = atomic_long_read(&mm->pgtables_bytes);
	out->map_count = mm->map_count;
	task_query_end(task);
	return 0;
}
