/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 accessors include/linux/pgtable.h calls out of line, as
 * arm64_ool_<name>() (defined in arch/arm64/mm/pgtable.c): keeping arm64's
 * bodies out of the hot mm functions keeps them as small as they were
 * before arm64 existed, so an x86 machine's fast path is unchanged (see
 * docs/arch.md, "How an accessor finds the arch").  An X-macro list:
 * ARM64_OOL(return type, name, (parameters), (arguments)).
 */
ARM64_OOL(bool, pte_present, (u64 v), (v))
ARM64_OOL(bool, pte_protnone, (u64 v), (v))
ARM64_OOL(bool, pte_write, (u64 v), (v))
ARM64_OOL(bool, pte_dirty, (u64 v), (v))
ARM64_OOL(bool, pte_young, (u64 v), (v))
ARM64_OOL(bool, pte_special, (u64 v), (v))
ARM64_OOL(bool, pte_soft_dirty, (u64 v), (v))
ARM64_OOL(bool, pte_uffd_wp, (u64 v), (v))
ARM64_OOL(bool, pmd_trans_huge, (u64 v), (v))
ARM64_OOL(bool, pmd_leaf, (u64 v), (v))
ARM64_OOL(bool, pmd_table, (u64 v), (v))
ARM64_OOL(u64, pte_mkwrite, (u64 v), (v))
ARM64_OOL(u64, pte_wrprotect, (u64 v), (v))
ARM64_OOL(u64, pte_mkdirty, (u64 v), (v))
ARM64_OOL(u64, pte_mkclean, (u64 v), (v))
ARM64_OOL(u64, pte_mkyoung, (u64 v), (v))
ARM64_OOL(u64, pte_mkold, (u64 v), (v))
ARM64_OOL(u64, pte_mkspecial, (u64 v), (v))
ARM64_OOL(u64, pte_mksoft_dirty, (u64 v), (v))
ARM64_OOL(u64, pte_clear_soft_dirty, (u64 v), (v))
ARM64_OOL(u64, pte_mkuffd_wp, (u64 v), (v))
ARM64_OOL(u64, pte_clear_uffd_wp, (u64 v), (v))
ARM64_OOL(u64, pmd_mkhuge, (u64 v), (v))
ARM64_OOL(u64, pmd_mkinvalid, (u64 v), (v))
ARM64_OOL(u64, pte_modify, (u64 v, u64 prot), (v, prot))
ARM64_OOL(bool, pte_hw_access, (u64 v, bool write, u64 *newv), (v, write, newv))
ARM64_OOL(unsigned int, swp_type, (u64 v), (v))
ARM64_OOL(unsigned long, swp_offset, (u64 v), (v))
ARM64_OOL(u64, swp_entry, (unsigned int type, unsigned long offset), (type, offset))
