// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's VMs on the foliage machine (Linux's virt/kvm/kvm_main.c, reduced to
 * what guest_memfd needs): a VM, its memslots over guest_memfd files, and
 * the vCPU's view of guest memory through KVM's secondary MMU.
 *
 * The secondary MMU is one array per memslot, spte[gfn - base_gfn] ==
 * pfn + 1 of the guest_memfd page the gfn maps, 0 where nothing is
 * mapped; like KVM's SPTEs it holds no folio reference: the guest_memfd
 * zaps it (kvm_mmu_unmap_gmem_range()) before any folio of the range can
 * change state or go.  A vCPU access that misses faults through
 * kvm_gmem_get_pfn() under the file's invalidate_lock read and installs
 * the entry and copies under mmu_lock, so no invalidation can fall between
 * the lookup and the copy (KVM retries on mmu_invalidate_seq instead).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/kvm_host.h>
#include <linux/shmem_fs.h>
#include <linux/machine_subsys.h>

#include "../../mm/internal.h"

/* The public handle of a VM. */
struct foliage_vm {
	struct kvm kvm;			/* the VM */
};

static inline struct kvm *vm_kvm(struct foliage_vm *vm)
{
	return &vm->kvm;
}

void kvm_mmu_unmap_gmem_range(struct kvm_memory_slot *slot, pgoff_t start,
			      pgoff_t end)
{
	struct kvm *kvm = slot->kvm;
	pgoff_t first = max(start, slot->gmem_pgoff);
	pgoff_t last = min(end, slot->gmem_pgoff + slot->npages);
	unsigned long zapped = 0;
	pgoff_t i;

	if (first >= last)
		return;
	spin_lock(&kvm->mmu_lock);
	for (i = first - slot->gmem_pgoff; i < last - slot->gmem_pgoff; i++) {
		if (slot->spte[i]) {
			slot->spte[i] = 0;
			zapped++;
		}
	}
	kvm->stat.mmu_invalidations++;
	kvm->stat.sptes_zapped += zapped;
	spin_unlock(&kvm->mmu_lock);
}

/* The memslot holding @gfn (caller holds slots_lock). */
static struct kvm_memory_slot *gfn_to_memslot(struct kvm *kvm, gfn_t gfn)
{
	struct kvm_memory_slot *slot;

	list_for_each_entry(slot, &kvm->memslots, list)
		if (gfn >= slot->base_gfn && gfn - slot->base_gfn < slot->npages)
			return slot;
	return NULL;
}

/*
 * Copy one piece of a guest page through the secondary MMU: false if no
 * entry maps it.  Caller holds mmu_lock.
 */
static bool kvm_copy_mapped(struct kvm_memory_slot *slot, gpa_t gpa, char *buf,
			    size_t len, bool write)
{
	unsigned long e = slot->spte[(gpa >> PAGE_SHIFT) - slot->base_gfn];
	char *p;

	if (!e)
		return false;
	p = (char *)pfn_to_virt(e - 1) + (gpa & ~PAGE_MASK);
	if (write)
		memcpy(p, buf, len);
	else
		memcpy(buf, p, len);
	return true;
}

/* A vCPU's access that missed: fault the page in through guest_memfd. */
static int kvm_vcpu_fault(struct kvm *kvm, struct kvm_memory_slot *slot,
			  gpa_t gpa, char *buf, size_t len, bool write)
{
	struct address_space *mapping = slot->gmem_file->f_mapping;
	gfn_t gfn = gpa >> PAGE_SHIFT;
	struct folio *folio;
	unsigned long pfn;
	int ret;

	filemap_invalidate_lock_shared(mapping);
	ret = kvm_gmem_get_pfn(kvm, slot, gfn, &pfn, &folio);
	if (!ret) {
		spin_lock(&kvm->mmu_lock);
		slot->spte[gfn - slot->base_gfn] = pfn + 1;
		kvm->stat.sptes_installed++;
		kvm_copy_mapped(slot, gpa, buf, len, write);
		spin_unlock(&kvm->mmu_lock);
		folio_put(folio);
	}
	filemap_invalidate_unlock_shared(mapping);
	return ret;
}

int foliage_vm_access(struct foliage_vm *vm, uint64_t gpa, void *buf,
		      size_t len, bool write)
{
	struct kvm *kvm;
	char *p = buf;
	int ret;

	if (!vm || (!buf && len))
		return -EINVAL;
	if (gpa + len < gpa)
		return -EFAULT;
	kvm = vm_kvm(vm);
	ret = machine_enter(kvm->machine);
	if (ret)
		return ret;
	pthread_rwlock_rdlock(&kvm->slots_lock);
	while (len) {
		size_t bytes = min(len, PAGE_SIZE - (gpa & ~PAGE_MASK));
		struct kvm_memory_slot *slot;
		bool done;

		slot = gfn_to_memslot(kvm, gpa >> PAGE_SHIFT);
		if (!slot || !READ_ONCE(slot->gmem_file)) {
			ret = -EFAULT;
			break;
		}
		spin_lock(&kvm->mmu_lock);
		done = kvm_copy_mapped(slot, gpa, p, bytes, write);
		spin_unlock(&kvm->mmu_lock);
		if (!done) {
			ret = kvm_vcpu_fault(kvm, slot, gpa, p, bytes, write);
			if (ret)
				break;
		}
		gpa += bytes;
		p += bytes;
		len -= bytes;
	}
	pthread_rwlock_unlock(&kvm->slots_lock);
	machine_exit_op(kvm->machine);
	return ret;
}

int foliage_vm_create(struct foliage_machine *m, struct foliage_vm **out)
{
	struct foliage_vm *vm;
	struct kvm *kvm;
	int ret;

	if (!m || !out)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		ret = -ENOMEM;
		goto out;
	}
	kvm = vm_kvm(vm);
	kvm->machine = m;
	pthread_rwlock_init(&kvm->slots_lock, NULL);
	INIT_LIST_HEAD(&kvm->memslots);
	spin_lock_init(&kvm->mmu_lock);
	pthread_mutex_lock(&m->kvm->kvm_lock);
	list_add_tail(&kvm->vm_list, &m->kvm->vm_list);
	pthread_mutex_unlock(&m->kvm->kvm_lock);
	*out = vm;
out:
	machine_exit_op(m);
	return ret;
}

/* kvm_destroy_vm(): unbind and free every memslot.  Caller holds kvm_lock. */
static void __kvm_destroy_vm(struct kvm *kvm)
{
	struct kvm_memory_slot *slot, *next;

	list_del(&kvm->vm_list);
	pthread_rwlock_wrlock(&kvm->slots_lock);
	list_for_each_entry_safe(slot, next, &kvm->memslots, list) {
		kvm_gmem_unbind(slot);
		list_del(&slot->list);
		free(slot->spte);
		free(slot);
	}
	pthread_rwlock_unlock(&kvm->slots_lock);
	pthread_rwlock_destroy(&kvm->slots_lock);
	free(container_of(kvm, struct foliage_vm, kvm));
}

void foliage_vm_destroy(struct foliage_vm *vm)
{
	struct foliage_machine *m;

	if (!vm)
		return;
	m = vm_kvm(vm)->machine;
	if (machine_enter(m))
		return;
	pthread_mutex_lock(&m->kvm->kvm_lock);
	__kvm_destroy_vm(vm_kvm(vm));
	pthread_mutex_unlock(&m->kvm->kvm_lock);
	machine_exit_op(m);
}

/* Insert @new into @kvm's memslots by base_gfn: -EEXIST on an overlap. */
static int kvm_insert_memslot(struct kvm *kvm, struct kvm_memory_slot *new)
{
	struct kvm_memory_slot *slot;

	list_for_each_entry(slot, &kvm->memslots, list) {
		if (slot->base_gfn < new->base_gfn + new->npages &&
		    new->base_gfn < slot->base_gfn + slot->npages)
			return -EEXIST;
		if (slot->base_gfn > new->base_gfn)
			break;
	}
	list_add_tail(&new->list, &slot->list);
	return 0;
}

int foliage_vm_memslot(struct foliage_vm *vm, uint64_t gpa, uint64_t bytes,
		       struct foliage_file *gmem, uint64_t offset)
{
	struct kvm_memory_slot *slot;
	struct kvm_state *ks;
	struct kvm *kvm;
	int ret;

	if (!vm || !gmem || !file_is_gmem(&gmem->file))
		return -EINVAL;
	if (!bytes || ((gpa | bytes | offset) & ~PAGE_MASK) ||
	    gpa + bytes < gpa || offset + bytes < offset)
		return -EINVAL;
	kvm = vm_kvm(vm);
	ret = machine_enter(kvm->machine);
	if (ret)
		return ret;
	ks = kvm->machine->kvm;
	slot = calloc(1, sizeof(*slot));
	if (slot)
		slot->spte = calloc(bytes >> PAGE_SHIFT, sizeof(*slot->spte));
	if (!slot || !slot->spte) {
		ret = -ENOMEM;
		goto out_free;
	}
	slot->kvm = kvm;
	slot->base_gfn = gpa >> PAGE_SHIFT;
	slot->npages = bytes >> PAGE_SHIFT;
	INIT_LIST_HEAD(&slot->binding);

	pthread_mutex_lock(&ks->kvm_lock);
	pthread_rwlock_wrlock(&kvm->slots_lock);
	ret = kvm_insert_memslot(kvm, slot);
	if (!ret) {
		ret = kvm_gmem_bind(kvm, slot, &gmem->file, offset);
		if (ret)
			list_del(&slot->list);
	}
	pthread_rwlock_unlock(&kvm->slots_lock);
	pthread_mutex_unlock(&ks->kvm_lock);
	if (!ret)
		goto out;
out_free:
	if (slot)
		free(slot->spte);
	free(slot);
out:
	machine_exit_op(kvm->machine);
	return ret;
}

int foliage_vm_stat(struct foliage_vm *vm, struct foliage_vm_stat *st)
{
	struct kvm_memory_slot *slot;
	struct kvm *kvm;
	unsigned long i;
	int ret;

	if (!vm || !st)
		return -EINVAL;
	kvm = vm_kvm(vm);
	ret = machine_enter(kvm->machine);
	if (ret)
		return ret;
	memset(st, 0, sizeof(*st));
	pthread_rwlock_rdlock(&kvm->slots_lock);
	spin_lock(&kvm->mmu_lock);
	list_for_each_entry(slot, &kvm->memslots, list) {
		st->nr_memslots++;
		for (i = 0; i < slot->npages; i++)
			st->sptes_present += !!slot->spte[i];
	}
	st->mmu_invalidations = kvm->stat.mmu_invalidations;
	st->sptes_zapped = kvm->stat.sptes_zapped;
	st->sptes_installed = kvm->stat.sptes_installed;
	st->gmem_faults = __atomic_load_n(&kvm->stat.gmem_faults,
					  __ATOMIC_RELAXED);
	spin_unlock(&kvm->mmu_lock);
	pthread_rwlock_unlock(&kvm->slots_lock);
	machine_exit_op(kvm->machine);
	return 0;
}

/* ---- the subsystem: the machine's VMs ---- */

static int kvm_init(struct foliage_machine *m)
{
	pthread_mutex_init(&m->kvm->kvm_lock, NULL);
	INIT_LIST_HEAD(&m->kvm->vm_list);
	return 0;
}

/*
 * The machine goes: its VMs, then its guest_memfds (whose folios may
 * belong to hugetlb pools, which go after this).  Tasks and their
 * mappings are gone already.
 */
static void kvm_exit(struct foliage_machine *m)
{
	struct foliage_file *ff, *gmem;

	if (!m->kvm || !m->kvm->vm_list.next || !m->nr_cpus ||
	    machine_enter(m))
		return;
	pthread_mutex_lock(&m->kvm->kvm_lock);
	while (!list_empty(&m->kvm->vm_list))
		__kvm_destroy_vm(list_first_entry(&m->kvm->vm_list,
						  struct kvm, vm_list));
	pthread_mutex_unlock(&m->kvm->kvm_lock);
	for (;;) {
		gmem = NULL;
		spin_lock(&m->files_lock);
		list_for_each_entry(ff, &m->files, machine_files) {
			if (file_is_gmem(&ff->file)) {
				gmem = ff;
				break;
			}
		}
		spin_unlock(&m->files_lock);
		if (!gmem)
			break;
		/* No VMA is left: what remains are the users' references. */
		atomic_set(&gmem->file.f_count, 1);
		fput(&gmem->file);
	}
	pthread_mutex_destroy(&m->kvm->kvm_lock);
}

/* Every guest_memfd of the machine against its invariants. */
static int kvm_validate(struct foliage_machine *m)
{
	struct foliage_file *ff;
	int ret = 0;

	spin_lock(&m->files_lock);
	list_for_each_entry(ff, &m->files, machine_files) {
		if (file_is_gmem(&ff->file)) {
			int err = kvm_gmem_validate_file(&ff->file);

			ret = ret ?: err;
		}
	}
	spin_unlock(&m->files_lock);
	return ret;
}

const struct machine_subsys kvm_subsys = {
	.name = "kvm",
	MACHINE_SUBSYS_STATE(kvm),
	.init = kvm_init,
	.exit = kvm_exit,
	.validate = kvm_validate,
};
