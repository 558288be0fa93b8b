/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architecture of a machine: which page-table entry layout its page
 * tables use and how its TLB is maintained.  foliage links both x86-64 and
 * arm64 in; each machine picks one at creation (foliage_config.arch), so
 * machines of both kinds run side by side in one process.
 *
 * Two mechanisms, chosen for speed (docs/arch.md):
 *   - PTE accessors (include/linux/pgtable.h) are inline and branch on
 *     this_arch, a thread-local byte set with this_machine by
 *     machine_enter(): x86 is the predicted path, so an x86 machine pays
 *     one well-predicted compare per accessor and no call;
 *   - everything colder (protections, table descriptors, TLB maintenance
 *     and its counters) goes through the machine's struct arch_ops.
 *
 * Promise: code outside arch/ never tests bits of an entry itself; it
 * uses the accessors, so every mm path runs unchanged on either layout.
 */
#ifndef _FOLIAGE_LINUX_ARCH_H
#define _FOLIAGE_LINUX_ARCH_H

#include <foliage/foliage.h>
#include <linux/compiler.h>

struct mm_struct;
struct mmu_gather;
struct seq_buf;
struct tlb_stats;

enum arch_id {
	ARCH_X86_64 = FOLIAGE_ARCH_X86_64,
	ARCH_ARM64 = FOLIAGE_ARCH_ARM64,
	NR_ARCHES
};

/* The arch of this_machine (0, x86-64, when the thread is in none). */
extern __thread unsigned char this_arch;

static inline bool arch_is_arm64(void)
{
	return __builtin_expect(this_arch == ARCH_ARM64, 0);
}

struct arch_ops {
	const char *name;		/* "x86_64", "arm64" */
	enum arch_id id;		/* its number */
	u64 protection_map[16];		/* vm_get_page_prot() by VM_R/W/X/S */
	/* flush_tlb_mm(): the whole address space */
	void (*flush_tlb_mm)(struct mm_struct *mm);
	/*
	 * A range [start, end) at 1 << @stride_shift granularity;
	 * @last_level: only leaf entries changed (no table was freed).
	 */
	void (*flush_tlb_range)(struct mm_struct *mm, unsigned long start,
				unsigned long end, unsigned int stride_shift,
				bool last_level);
	/* One page's translation (flush_tlb_page) */
	void (*flush_tlb_page)(struct mm_struct *mm, unsigned long addr);
	/* The mmu_gather's flush of what it gathered (asm/tlb.h tlb_flush) */
	void (*tlb_flush)(struct mmu_gather *tlb);
	/* "show tlb": this arch's counters as "name value" lines or JSON */
	int (*tlb_render)(struct seq_buf *s, const struct tlb_stats *st,
			  bool json);
};

extern const struct arch_ops x86_64_arch_ops;
extern const struct arch_ops arm64_arch_ops;

/* The ops of @id (NULL if there is no such arch). */
const struct arch_ops *arch_ops_get(unsigned int id);

/* ---- shared by the arch TLB models (mm/tlb.c) ---- */

/* Linux's TLB_FLUSH_ALL. */
#define TLB_FLUSH_ALL		(~0UL)

/* Count @delta events in @counter (machine->tlb), from any CPU. */
static inline void tlb_stat_add(unsigned long *counter, unsigned long delta)
{
	__atomic_fetch_add(counter, delta, __ATOMIC_RELAXED);
}
/* One more flush of @mm issued (mm->tlb_flush_seq); @mm may be NULL. */
void tlb_flush_seq_inc(struct mm_struct *mm);
/* The granularity of what @tlb cleared, finest first (Linux's). */
unsigned int tlb_get_unmap_shift(struct mmu_gather *tlb);
/* "name value" lines (or a JSON object) of @n counters. */
int tlb_render_rows(struct seq_buf *s, bool json, const char *const *names,
		    const unsigned long *values, unsigned int n);

/* "arch.*" knobs (mm/sysctl.c hands them here): arch.tlb_range. */
int arch_knob_set(const char *key, const char *value);
int arch_knob_get(const char *key, long *value);

#endif /* _FOLIAGE_LINUX_ARCH_H */
