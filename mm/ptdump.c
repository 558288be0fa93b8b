// SPDX-License-Identifier: GPL-2.0
/*
 * A task's page-table entries for inspection (`show pagetable TASK RANGE`,
 * foliage_render_pagetable()), in the spirit of Linux's ptdump: one line
 * per entry that is not none in the range, its address, the raw entry, the
 * pfn and the bits the generic accessors read, the same words on both
 * arches (arm64's PTE_CONT shows as "cont"):
 *
 *   0x40000000 pte 0x00e8000012340f43 pfn=0x12340 present young cont
 *   0x40200000 pmd 0x0000000012400ee7 pfn=0x12400 present write dirty young huge
 *   0x40001000 pte 0xf400000012341000 migration pfn=0x12341 write
 *
 * ptep_get() is what is shown (on arm64 a folded block's young and dirty
 * bits are its 16 entries').  Takes mmap_lock for read and each PTE lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include "task.h"
#include "render.h"

static void show_bits(struct seq_buf *s, u64 v, bool huge)
{
	static const struct {
		bool (*test)(pte_t);		/* the accessor */
		const char *name;		/* its word */
	} bits[] = {
		{ pte_present, "present" }, { pte_protnone, "protnone" },
		{ pte_write, "write" }, { pte_dirty, "dirty" },
		{ pte_young, "young" }, { pte_special, "special" },
		{ pte_soft_dirty, "soft-dirty" }, { pte_uffd_wp, "uffd-wp" },
	};
	pte_t pte = __pte(v);
	size_t i;

	seq_printf(s, " pfn=%#lx", pte_pfn(pte));
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (bits[i].test(pte))
			seq_printf(s, " %s", bits[i].name);
	if (huge)
		seq_puts(s, " huge");
	else if (pte_cont(pte))
		seq_puts(s, " cont");
	seq_putc(s, '\n');
}

static void show_entry(struct seq_buf *s, unsigned long addr, u64 v,
		       bool huge)
{
	swp_entry_t entry;

	seq_printf(s, "%#lx %s %#018llx", addr, huge ? "pmd" : "pte",
		   (unsigned long long)v);
	if (huge ? pmd_present(__pmd(v)) : pte_present(__pte(v))) {
		show_bits(s, v, huge);
		return;
	}
	entry = pte_to_swp_entry(__pte(v));
	if (is_migration_entry(entry))
		seq_printf(s, " migration pfn=%#lx%s\n", swp_offset_pfn(entry),
			   is_writable_migration_entry(entry) ? " write" : "");
	else
		seq_printf(s, " swap type=%u offset=%#lx\n", swp_type(entry),
			   swp_offset(entry));
}

/* The entries of [start, end) under one PMD at @pmd. */
static void show_pmd(struct seq_buf *s, struct mm_struct *mm, pmd_t *pmd,
		     unsigned long start, unsigned long end)
{
	pmd_t pmdval = pmdp_get(pmd);
	unsigned long addr;
	spinlock_t *ptl;
	pte_t *pte;

	if (pmd_none(pmdval))
		return;
	if (!pmd_is_table(pmdval)) {
		/* A huge PMD or a PMD migration entry: once, at its start. */
		show_entry(s, start & PMD_MASK, pmd_val(pmdval), true);
		return;
	}
	pte = pte_offset_map_lock(mm, pmd, start, &ptl);
	if (!pte)
		return;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		pte_t ent = ptep_get(pte + ((addr - start) >> PAGE_SHIFT));

		if (!pte_none(ent))
			show_entry(s, addr, pte_val(ent), false);
	}
	pte_unmap_unlock(pte, ptl);
}

int foliage_render_pagetable(struct foliage_task *task, unsigned long start,
			     unsigned long len, char **out)
{
	unsigned long addr, end = start + len, next;
	struct foliage_machine *m;
	struct mm_struct *mm;
	struct seq_buf s;
	int ret;

	if (!task || !out || !len || end < start ||
	    (start | len) & (PAGE_SIZE - 1))
		return -EINVAL;
	m = task->machine;
	ret = machine_enter(m);
	if (ret)
		return ret;
	mm = task->task.mm;
	if (end > TASK_SIZE_MAX) {
		machine_leave(m);
		return -EINVAL;
	}
	seq_buf_init(&s);
	mmap_read_lock(mm);
	for (addr = start; addr < end; addr = next) {
		pmd_t *pmd = pmd_lookup(mm, addr);

		next = pmd_addr_end(addr, end);
		if (pmd)
			show_pmd(&s, mm, pmd, addr, next);
	}
	mmap_read_unlock(mm);
	machine_leave(m);
	return seq_buf_finish(&s, out);
}
