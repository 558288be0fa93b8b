// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line copies of arm64's PTE accessors (asm/arm64_pgtable_ool.h),
 * for include/linux/pgtable.h's arm64 branch.
 */
#include <linux/pgtable.h>

#define ARM64_OOL(ret, name, params, args)				\
ret arm64_ool_##name params						\
{									\
	return arm64_##name args;					\
}
#include <asm/arm64_pgtable_ool.h>
