/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing /proc/PID/smaps text (a real kernel's, or foliage's) back into
 * task_mmu.h's structs, for the smaps tests.  Header-only: each test
 * program is one .c file plus helpers.c.
 */
#ifndef _FOLIAGE_TESTS_SMAPS_PARSE_H
#define _FOLIAGE_TESTS_SMAPS_PARSE_H

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "task_mmu.h"

/* The VmFlags mnemonics, restated independently of task_mmu.c. */
static const struct {
	const char *name;		/* mnemonic */
	vm_flags_t flag;		/* VM_* */
} mnemonics[] = {
	{ "rd", VM_READ }, { "wr", VM_WRITE }, { "ex", VM_EXEC },
	{ "sh", VM_SHARED }, { "mr", VM_MAYREAD }, { "mw", VM_MAYWRITE },
	{ "me", VM_MAYEXEC }, { "ms", VM_MAYSHARE }, { "gd", VM_GROWSDOWN },
	{ "um", VM_UFFD_MISSING }, { "pf", VM_PFNMAP }, { "uw", VM_UFFD_WP },
	{ "lo", VM_LOCKED }, { "io", VM_IO }, { "sr", VM_SEQ_READ },
	{ "rr", VM_RAND_READ }, { "dc", VM_DONTCOPY }, { "de", VM_DONTEXPAND },
	{ "lf", VM_LOCKONFAULT }, { "ac", VM_ACCOUNT }, { "nr", VM_NORESERVE },
	{ "ht", VM_HUGETLB }, { "sf", VM_SYNC }, { "ar", VM_ARCH_1 },
	{ "wf", VM_WIPEONFORK }, { "dd", VM_DONTDUMP }, { "sd", VM_SOFTDIRTY },
	{ "mm", VM_MIXEDMAP }, { "hg", VM_HUGEPAGE }, { "nh", VM_NOHUGEPAGE },
	{ "mg", VM_MERGEABLE },
};

static inline vm_flags_t parse_vmflags(const char *line)
{
	vm_flags_t flags = 0;
	char name[3];
	size_t i;
	int n;

	line += strlen("VmFlags:");
	while (sscanf(line, " %2s%n", name, &n) == 1) {
		for (i = 0; i < ARRAY_SIZE(mnemonics); i++)
			if (!strcmp(mnemonics[i].name, name))
				break;
		if (i == ARRAY_SIZE(mnemonics))
			fail_msg("unknown VmFlags mnemonic %s", name);
		flags |= mnemonics[i].flag;
		line += n;
	}
	return flags;
}

/* A "Label:  N kB" line into its field of @mss (kB -> bytes). */
static inline bool parse_mss_line(const char *line, struct mem_size_stats *mss)
{
	static const struct {
		const char *label;	/* before the colon */
		size_t off;		/* field */
		bool pss;		/* << PSS_SHIFT */
	} fields[] = {
#define F(l, f) { l, offsetof(struct mem_size_stats, f), false }
#define P(l, f) { l, offsetof(struct mem_size_stats, f), true }
		F("Rss", resident), P("Pss", pss), P("Pss_Dirty", pss_dirty),
		P("Pss_Anon", pss_anon), P("Pss_File", pss_file),
		P("Pss_Shmem", pss_shmem), F("Shared_Clean", shared_clean),
		F("Shared_Dirty", shared_dirty),
		F("Private_Clean", private_clean),
		F("Private_Dirty", private_dirty), F("Referenced", referenced),
		F("Anonymous", anonymous), F("KSM", ksm),
		F("LazyFree", lazyfree), F("AnonHugePages", anonymous_thp),
		F("ShmemPmdMapped", shmem_thp), F("FilePmdMapped", file_thp),
		F("Shared_Hugetlb", shared_hugetlb),
		F("Private_Hugetlb", private_hugetlb), F("Swap", swap),
		P("SwapPss", swap_pss), P("Locked", pss_locked),
#undef F
#undef P
	};
	char label[32];
	unsigned long kb;
	size_t i;

	if (sscanf(line, "%31[^:]: %lu kB", label, &kb) != 2)
		return false;
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcmp(fields[i].label, label))
			continue;
		if (fields[i].pss)
			*(u64 *)((char *)mss + fields[i].off) =
				(u64)kb << (10 + PSS_SHIFT);
		else
			*(unsigned long *)((char *)mss + fields[i].off) =
				kb << 10;
		return true;
	}
	return false;
}

/* A maps header line into @v; the name starts at column 73, if any. */
static inline void parse_header(const char *line, struct smaps_vma *v)
{
	char perms[5];

	memset(v, 0, sizeof(*v));
	v->pkey = -1;			/* no ProtectionKey line seen yet */
	assert_int_equal(sscanf(line, "%lx-%lx %4s %llx %x:%x %lu", &v->start,
				&v->end, perms, &v->pgoff, &v->dev_major,
				&v->dev_minor, &v->ino), 7);
	if (perms[0] == 'r')
		v->flags |= VM_READ;
	if (perms[1] == 'w')
		v->flags |= VM_WRITE;
	if (perms[2] == 'x')
		v->flags |= VM_EXEC;
	if (perms[3] == 's')
		v->flags |= VM_MAYSHARE;
	if (strlen(line) > 73)
		snprintf(v->name, sizeof(v->name), "%s", line + 73);
}

/* The golden smaps, one smaps_vma per VMA. */
static inline int parse_smaps(char *text, struct smaps_vma *vmas, int max)
{
	char *line, *save = NULL;
	int n = -1;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct smaps_vma *v = &vmas[n];
		unsigned long kb;
		unsigned int u;

		/* Headers start with a hex address, labels with a capital. */
		if (isdigit(line[0]) || (line[0] >= 'a' && line[0] <= 'f')) {
			assert_true(++n < max);
			parse_header(line, &vmas[n]);
		} else if (sscanf(line, "Size: %lu kB", &kb) == 1) {
			assert_int_equal(kb << 10, v->end - v->start);
		} else if (sscanf(line, "KernelPageSize: %lu kB", &kb) == 1) {
			v->kernel_pagesize = kb << 10;
		} else if (sscanf(line, "MMUPageSize: %lu kB", &kb) == 1) {
			v->mmu_pagesize = kb << 10;
		} else if (sscanf(line, "THPeligible: %u", &u) == 1) {
			v->thp_eligible = u;
		} else if (sscanf(line, "ProtectionKey: %u", &u) == 1) {
			v->pkey = u;
		} else if (!strncmp(line, "VmFlags:", 8)) {
			/* The header's perms must agree with the flags. */
			vm_flags_t flags = parse_vmflags(line);

			assert_int_equal(flags & (VM_READ | VM_WRITE | VM_EXEC |
						  VM_MAYSHARE), v->flags);
			v->flags = flags;
		} else if (!parse_mss_line(line, &v->mss)) {
			fail_msg("unparsed smaps line: %s", line);
		}
	}
	return n + 1;
}

#endif /* _FOLIAGE_TESTS_SMAPS_PARSE_H */
