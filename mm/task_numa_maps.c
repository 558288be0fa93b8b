// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/numa_maps (Linux 6.18's show_numa_map() in fs/proc/
 * task_mmu.c), byte for byte, and the same data as JSON:
 *
 *   20000000 bind:1 anon=512 dirty=512 N1=512 kernelpagesize_kB=4
 *
 * One line a VMA: its start, the policy that applies there (the VMA's,
 * else the task's; mpol_to_str()), " file=PATH" for a file mapping, then,
 * if any page is mapped: anon=, dirty=, mapped= (when it differs from
 * both), mapmax= (when some page is mapped more than once), active=
 * (when not every page is), N<node>= per node, and kernelpagesize_kB.
 * Counted per page mapped (a PMD counts its 512), not the zero pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "task_mmu.h"
#include "task.h"
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/mempolicy.h>
#include <linux/migrate.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>

/* What show_numa_map() counts over one VMA (struct numa_maps). */
struct numa_maps_vma {
	unsigned long start;		/* vm_start */
	char policy[64];		/* mpol_to_str() */
	char file[SMAPS_NAME_MAX];	/* the file's path, or "" */
	unsigned long pages;		/* pages mapped */
	unsigned long anon;		/* of which anonymous */
	unsigned long dirty;		/* dirty (PTE or folio) */
	unsigned long active;		/* on the active or unevictable list */
	unsigned long mapcount_max;	/* most mappings of one page */
	unsigned long node[MAX_NUMNODES]; /* pages per node */
	unsigned long pagesize_kb;	/* kernelpagesize_kB */
	bool huge;			/* a hugetlb VMA (" huge") */
};

/*
 * mpol_to_str(): "default", "prefer:1", "bind:0-1", "interleave:0,2",
 * "local", "prefer (many):0-1", "weighted interleave:0-1"; a mode flag
 * follows the mode as "=static" or "=relative" ("bind=static:0-1"), and
 * the nodes are the policy's, not the caller's mask.
 */
static void mpol_to_str(char *buf, size_t len, const struct mempolicy *pol)
{
	static const char *const names[MPOL_MAX] = {
		[MPOL_DEFAULT] = "default",
		[MPOL_PREFERRED] = "prefer",
		[MPOL_BIND] = "bind",
		[MPOL_INTERLEAVE] = "interleave",
		[MPOL_LOCAL] = "local",
		[MPOL_PREFERRED_MANY] = "prefer (many)",
		[MPOL_WEIGHTED_INTERLEAVE] = "weighted interleave",
	};
	size_t n = snprintf(buf, len, "%s", names[pol->mode]);
	int nid, run_start = -1, prev = -2;
	bool first = true;

	if (pol->mode == MPOL_DEFAULT || pol->mode == MPOL_LOCAL)
		return;
	if (pol->flags & MPOL_F_STATIC_NODES)
		n += snprintf(buf + n, len - n, "=static");
	else if (pol->flags & MPOL_F_RELATIVE_NODES)
		n += snprintf(buf + n, len - n, "=relative");
	n += snprintf(buf + n, len - n, ":");
	/* %*pbl: ranges of consecutive nodes, "a-b", comma separated. */
	for (nid = 0; nid <= NODEMASK_BITS && n < len; nid++) {
		bool in = nid < NODEMASK_BITS && node_isset(nid, pol->nodes);

		if (in && prev != nid - 1)
			run_start = nid;
		if (!in && prev == nid - 1 && run_start >= 0) {
			n += snprintf(buf + n, len - n, "%s%d", first ? "" : ",",
				      run_start);
			if (prev > run_start)
				n += snprintf(buf + n, len - n, "-%d", prev);
			first = false;
			run_start = -1;
		}
		if (in)
			prev = nid;
	}
}

/* gather_stats(): @nr pages of @page's folio, mapped dirty or not. */
static void gather_stats(struct numa_maps_vma *md, struct page *page,
			 bool pte_dirty, unsigned long nr)
{
	struct folio *folio = page_folio(page);
	unsigned long count = page_mapcount_enabled() ?
			      folio_precise_page_mapcount(folio, page) :
			      folio_average_page_mapcount(folio);

	if (count > md->mapcount_max)
		md->mapcount_max = count;
	md->pages += nr;
	if (pte_dirty || folio_test_dirty(folio))
		md->dirty += nr;
	if (folio_test_active(folio) || folio_test_unevictable(folio))
		md->active += nr;
	if (folio_test_anon(folio))
		md->anon += nr;
	md->node[folio_nid(folio)] += nr;
}

/*
 * A hugetlb VMA (Linux's gather_hugetlb_stats()): each present huge entry
 * counts as one page; a migration entry maps nothing right now.
 */
static void gather_hugetlb_vma(struct vm_area_struct *vma,
			       struct numa_maps_vma *md)
{
	unsigned long sz = vma_kernel_pagesize(vma), addr;

	for (addr = vma->vm_start; addr < vma->vm_end; addr += sz) {
		spinlock_t *ptl;
		pmd_t *ptep = hugetlb_walk(vma, addr, &ptl);
		pmd_t entry;

		if (!ptep)
			continue;
		spin_lock(ptl);
		entry = pmdp_get(ptep);
		if (pmd_present(entry))
			gather_stats(md, pmd_page(entry), pmd_dirty(entry), 1);
		spin_unlock(ptl);
	}
}

/* The page tables of @vma (caller holds mmap_lock). */
static void gather_vma(struct vm_area_struct *vma, struct numa_maps_vma *md)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr = vma->vm_start;

	while (addr < vma->vm_end) {
		unsigned long next = min(pmd_addr_end(addr, vma->vm_end),
					 vma->vm_end);
		pmd_t *pmd = pmd_lookup(mm, addr);
		spinlock_t *ptl;
		pte_t *pte;

		if (!pmd || pmd_none(pmdp_get(pmd))) {
			addr = next;
			continue;
		}
		ptl = pmd_lock(mm, pmd);
		if (pmd_trans_huge(pmdp_get(pmd))) {
			pmd_t val = pmdp_get(pmd);

			if (!is_huge_zero_pmd(val))
				gather_stats(md, pmd_page(val), pmd_dirty(val),
					     HPAGE_PMD_NR);
			spin_unlock(ptl);
			addr = next;
			continue;
		}
		/* A PMD migration entry maps nothing right now. */
		if (!pmd_is_table(pmdp_get(pmd))) {
			spin_unlock(ptl);
			addr = next;
			continue;
		}
		spin_unlock(ptl);
		pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
		if (!pte) {
			addr = next;
			continue;
		}
		for (; addr < next; addr += PAGE_SIZE, pte++) {
			pte_t ptent = ptep_get(pte);
			struct page *page;

			if (!pte_present(ptent))
				continue;
			page = vm_normal_page(vma, addr, ptent);
			if (!page || PageReserved(page))
				continue;
			gather_stats(md, page, pte_dirty(ptent), 1);
		}
		pte_unmap_unlock(pte - 1, ptl);
	}
}

/* seq_file_path(m, file, "\n\t= "): those bytes as octal escapes. */
static void seq_path_escaped(struct seq_buf *s, const char *path)
{
	for (; *path; path++) {
		if (strchr("\n\t= ", *path))
			seq_printf(s, "\\%03o", (unsigned char)*path);
		else
			seq_putc(s, *path);
	}
}

static void show_numa_map(struct seq_buf *s, const struct numa_maps_vma *md,
			  int nr_nodes)
{
	int nid;

	seq_printf(s, "%08lx %s", md->start, md->policy);
	if (md->file[0]) {
		seq_puts(s, " file=");
		seq_path_escaped(s, md->file);
	}
	if (md->huge)
		seq_puts(s, " huge");
	if (!md->pages)
		goto out;
	if (md->anon)
		seq_printf(s, " anon=%lu", md->anon);
	if (md->dirty)
		seq_printf(s, " dirty=%lu", md->dirty);
	if (md->pages != md->anon && md->pages != md->dirty)
		seq_printf(s, " mapped=%lu", md->pages);
	if (md->mapcount_max > 1)
		seq_printf(s, " mapmax=%lu", md->mapcount_max);
	if (md->active < md->pages && !md->huge)
		seq_printf(s, " active=%lu", md->active);
	for (nid = 0; nid < nr_nodes; nid++)
		if (md->node[nid])
			seq_printf(s, " N%d=%lu", nid, md->node[nid]);
	seq_printf(s, " kernelpagesize_kB=%lu", md->pagesize_kb);
out:
	seq_putc(s, '\n');
}

static struct json_object *numa_map_json(const struct numa_maps_vma *md,
					 int nr_nodes, int *err)
{
	struct json_object *obj = json_new_object(err);
	struct json_object *nodes = json_new_object(err);
	char name[16];
	int nid;

	json_set_u64(obj, "start", md->start, err);
	json_set_str(obj, "policy", md->policy, err);
	if (md->file[0])
		json_set_str(obj, "file", md->file, err);
	json_set_u64(obj, "pages", md->pages, err);
	json_set_u64(obj, "anon", md->anon, err);
	json_set_u64(obj, "dirty", md->dirty, err);
	json_set_u64(obj, "mapmax", md->mapcount_max, err);
	json_set_u64(obj, "active", md->active, err);
	for (nid = 0; nid < nr_nodes; nid++) {
		snprintf(name, sizeof(name), "N%d", nid);
		json_set_u64(nodes, name, md->node[nid], err);
	}
	json_set(obj, "nodes", nodes, err);
	json_set_u64(obj, "kernelpagesize_kB", md->pagesize_kb, err);
	if (md->huge)
		json_set(obj, "huge", json_object_new_boolean(1), err);
	return obj;
}

int render_numa_maps(struct foliage_task *task, bool json, char **out)
{
	struct numa_maps_vma *mds = NULL;
	struct json_object *arr = NULL;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	struct seq_buf s;
	int nr = 0, i, nr_nodes, err;

	err = task_query_begin(task, &mm);
	if (err)
		return err;
	nr_nodes = this_machine->nr_nodes;
	mds = calloc(mm->map_count ? mm->map_count : 1, sizeof(*mds));
	if (!mds) {
		task_query_end(task);
		return -ENOMEM;
	}
	for_each_vma(mm, vma) {
		struct numa_maps_vma *md = &mds[nr++];

		md->start = vma->vm_start;
		mpol_to_str(md->policy, sizeof(md->policy),
			    get_vma_policy(vma));
		if (vma->vm_file && file_path(vma->vm_file, md->file,
					      sizeof(md->file)) < 0)
			md->file[0] = '\0';
		md->pagesize_kb = vma_kernel_pagesize(vma) >> 10;
		md->huge = is_vm_hugetlb_page(vma);
		if (md->huge)
			gather_hugetlb_vma(vma, md);
		else
			gather_vma(vma, md);
	}
	task_query_end(task);

	seq_buf_init(&s);
	if (json)
		arr = json_new_array(&err);
	for (i = 0; i < nr; i++) {
		if (json)
			json_push(arr, numa_map_json(&mds[i], nr_nodes, &err),
				  &err);
		else
			show_numa_map(&s, &mds[i], nr_nodes);
	}
	free(mds);
	if (json)
		err = json_show(&s, arr, err);
	else
		err = s.err;
	if (err) {
		seq_buf_free(&s);
		return err;
	}
	return seq_buf_finish(&s, out);
}
