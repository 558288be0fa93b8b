/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the tests of tasks' memory through the public API (files,
 * GUP, smaps): map, touch, look at the page tables, read smaps back.
 * Header-only: each test program is one .c file plus helpers.c.
 */
#ifndef _FOLIAGE_TESTS_TASK_HELPERS_H
#define _FOLIAGE_TESTS_TASK_HELPERS_H

#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include "task.h"

#include "helpers.h"
#include "smaps_parse.h"

#define KB	1024UL
#define MB	(1024 * KB)

static inline struct foliage_task *new_task(struct foliage_machine *m,
					    const char *name)
{
	struct foliage_task *task = NULL;

	assert_int_equal(foliage_task_create(m, name, &task), 0);
	return task;
}

static inline struct foliage_task *fork_task(struct foliage_task *parent,
					     const char *name)
{
	struct foliage_task *child = NULL;

	assert_int_equal(foliage_fork(parent, name, &child), 0);
	return child;
}

/* mmap() that must succeed; returns the address. */
static inline unsigned long map(struct foliage_task *task, unsigned long addr,
				unsigned long len, int prot, int flags,
				struct foliage_file *file, uint64_t off)
{
	unsigned long out = 0;

	assert_int_equal(foliage_mmap(task, addr, len, prot, flags, file, off,
				      &out), 0);
	if (flags & FOLIAGE_MAP_FIXED)
		assert_int_equal(out, addr);
	return out;
}

static inline void put_bytes(struct foliage_task *task, unsigned long addr,
			     const void *buf, size_t len)
{
	unsigned long fault = 0;
	int ret = foliage_access(task, addr, (void *)buf, len, true, &fault);

	if (ret)
		fail_msg("write of %zu bytes at %#lx: %d at %#lx", len, addr,
			 ret, fault);
}

static inline void get_bytes(struct foliage_task *task, unsigned long addr,
			     void *buf, size_t len)
{
	unsigned long fault = 0;
	int ret = foliage_access(task, addr, buf, len, false, &fault);

	if (ret)
		fail_msg("read of %zu bytes at %#lx: %d at %#lx", len, addr,
			 ret, fault);
}

/* Write @byte over [addr, addr + len). */
static inline void fill(struct foliage_task *task, unsigned long addr,
			int byte, size_t len)
{
	void *buf = malloc(len);

	assert_non_null(buf);
	memset(buf, byte, len);
	put_bytes(task, addr, buf, len);
	free(buf);
}

/* Assert [addr, addr + len) reads as @byte. */
static inline void expect_fill(struct foliage_task *task, unsigned long addr,
			       int byte, size_t len)
{
	unsigned char *buf = malloc(len);
	size_t i;

	assert_non_null(buf);
	get_bytes(task, addr, buf, len);
	for (i = 0; i < len; i++)
		if (buf[i] != (unsigned char)byte)
			fail_msg("byte at %#lx is %#x, expected %#x", addr + i,
				 buf[i], byte);
	free(buf);
}

/*
 * @nr pages from @addr, each its own byte ('a' + i % 23), so that a
 * mixed-up copy shows; and the check that they still read so.
 */
static inline void fill_pages(struct foliage_task *task, unsigned long addr,
			      unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		fill(task, addr + i * 4096UL, 'a' + i % 23, 4096);
}

static inline void expect_pages(struct foliage_task *task, unsigned long addr,
				unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		expect_fill(task, addr + i * 4096UL, 'a' + i % 23, 4096);
}

/* Read one byte of every page of [addr, addr + len). */
static inline void touch_read(struct foliage_task *task, unsigned long addr,
			      unsigned long len)
{
	unsigned long a;
	char c;

	for (a = addr; a < addr + len; a += PAGE_SIZE)
		get_bytes(task, a, &c, 1);
}

/* The PTE (or PMD, for a huge mapping) mapping @addr, or 0. */
static inline u64 entry_at(struct foliage_task *task, unsigned long addr,
			   bool *huge)
{
	struct mm_struct *mm = task->task.mm;
	spinlock_t *ptl;
	pmd_t *pmd;
	pte_t *pte;
	u64 v;

	assert_int_equal(machine_enter(task->machine), 0);
	*huge = false;
	pmd = pmd_lookup(mm, addr);
	if (!pmd || pmd_none(pmdp_get(pmd)))
		return 0;
	if (pmd_leaf(pmdp_get(pmd))) {
		*huge = true;
		return pmd_val(pmdp_get(pmd));
	}
	pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!pte)
		return 0;
	v = pte_val(ptep_get(pte));
	pte_unmap_unlock(pte, ptl);
	return v;
}

/* The page mapped at @addr (present entries only), or NULL. */
static inline struct page *page_at(struct foliage_task *task,
				   unsigned long addr)
{
	bool huge;
	u64 e = entry_at(task, addr, &huge);

	if (!(e & (_PAGE_PRESENT | _PAGE_PROTNONE)))
		return NULL;
	if (huge)
		return pfn_to_page(((e & PTE_PFN_MASK) >> PAGE_SHIFT) +
				   ((addr & ~PMD_MASK) >> PAGE_SHIFT));
	return pfn_to_page((e & PTE_PFN_MASK) >> PAGE_SHIFT);
}

static inline unsigned long pfn_at(struct foliage_task *task,
				   unsigned long addr)
{
	struct page *page = page_at(task, addr);

	assert_non_null(page);
	return page_to_pfn(page);
}

/* The task's smaps, parsed back; returns the number of VMAs. */
static inline int task_smaps(struct foliage_task *task, struct smaps_vma *vmas,
			     int max)
{
	char *text = NULL;
	int n;

	assert_int_equal(foliage_render_task(task, "smaps", 0, &text), 0);
	n = parse_smaps(text, vmas, max);
	free(text);
	return n;
}

/* The smaps entry of the VMA containing @addr. */
static inline struct smaps_vma smaps_at(struct foliage_task *task,
					unsigned long addr)
{
	struct smaps_vma vmas[64];
	int i, n = task_smaps(task, vmas, 64);

	for (i = 0; i < n; i++)
		if (vmas[i].start <= addr && addr < vmas[i].end)
			return vmas[i];
	fail_msg("no VMA at %#lx in smaps", addr);
	return vmas[0];
}

static inline unsigned long kb(unsigned long bytes)
{
	return bytes >> 10;
}

static inline unsigned long pss_kb(u64 pss)
{
	return pss >> (PSS_SHIFT + 10);
}

#endif /* _FOLIAGE_TESTS_TASK_HELPERS_H */
