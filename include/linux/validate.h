/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Debug-build validation proportional to the operation (mm/debug.c).
 *
 * Every public operation ends with machine_exit_op(), which calls
 * validate_after_op() once.  While the operation runs, the code that
 * changes shared state notes what it touched in the calling thread's
 * struct op_touched:
 *
 *   touch_zone()	a free list or per-CPU list of the zone changed
 *			(mm/page_alloc.c)
 *   touch_folio()	the folio's mapcounts changed (mm/rmap.c)
 *   touch_mm()		the operation ran on the mm (mm/task.c, mm/gup.c)
 *
 * validate_after_op() then checks only those: the touched zones' free and
 * per-CPU lists, each touched folio's mapcounts against what rmap_walk()
 * finds (and the page tables at the addresses its index gives), each
 * touched live mm's VMAs, anon_vma chains, RSS and page-table counts.
 * Every debug.validate_every-th operation, at foliage_validate() (the
 * scenario verb `check`) and when the record overflowed, it runs the full
 * walk, validate_machine(), instead.  debug.validate_every=1 is the old
 * rule: the whole machine after every operation.
 *
 * Promise: a corruption of something an operation touched is reported by
 * that operation; any other is reported by the next full walk.  Release
 * builds note nothing and validate nothing.
 */
#ifndef _LINUX_VALIDATE_H
#define _LINUX_VALIDATE_H

#include <stdbool.h>

struct foliage_machine;
struct mm_struct;
struct folio;
struct zone;

#define OP_TOUCHED_MMS		4	/* fork touches two; more: full walk */
#define OP_TOUCHED_FOLIOS	64	/* more folios: full walk */

/* What one operation of the calling thread touched. */
struct op_touched {
	unsigned long mms[OP_TOUCHED_MMS]; /* mm_structs it ran on (maybe gone) */
	unsigned int nr_mms;		/* used entries of mms[] */
	unsigned long folios[OP_TOUCHED_FOLIOS]; /* head pfns, mapcounts changed */
	unsigned int nr_folios;		/* used entries of folios[] */
	unsigned long long zones;	/* bit nid * MAX_NR_ZONES + zone index */
	bool overflow;			/* too much to list: full walk */
};

/* Default of debug.validate_every (FOLIAGE_FULL_DEBUG builds: 1). */
#define VALIDATE_EVERY_DEFAULT	64

#ifdef CONFIG_DEBUG_VM
extern __thread struct op_touched this_touched;

void __touch_mm(struct mm_struct *mm);
void __touch_folio(struct folio *folio);
void __touch_zone(struct zone *zone);

static inline void touch_mm(struct mm_struct *mm)
{
	__touch_mm(mm);
}

static inline void touch_folio(struct folio *folio)
{
	__touch_folio(folio);
}

static inline void touch_zone(struct zone *zone)
{
	__touch_zone(zone);
}
#else
static inline void touch_mm(struct mm_struct *mm) { (void)mm; }
static inline void touch_folio(struct folio *folio) { (void)folio; }
static inline void touch_zone(struct zone *zone) { (void)zone; }
#endif

/*
 * The debug check after an operation of @m that touched @t: @t's part of
 * the machine, or the whole machine every debug.validate_every-th time.
 * Clears @t.  0, or the first validator's error after report_bug().
 */
int validate_after_op(struct foliage_machine *m, struct op_touched *t);

/* mm/validate_mm.c: the touched mms that still live (their VMAs, RSS...). */
int validate_touched_mms(const unsigned long *mms, unsigned int nr);
/*
 * mm/validate_mm.c: @folio's _large_mapcount, _entire_mapcount and
 * _nr_pages_mapped agree with @ptes PTE and @pmds PMD mappings that map
 * @pages of its pages (true for a small folio).
 */
bool large_mapcounts_ok(struct folio *folio, unsigned long ptes, int pmds,
			unsigned long pages);
/* mm/rmap_check.c: the folios at @pfns, each against its rmap_walk(). */
int rmap_check_folios(const unsigned long *pfns, unsigned int nr);

#endif /* _LINUX_VALIDATE_H */
