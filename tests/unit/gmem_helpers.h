/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the guest_memfd tests: files, VMs, and host mappings of them.
 */
#ifndef _FOLIAGE_TESTS_GMEM_HELPERS_H
#define _FOLIAGE_TESTS_GMEM_HELPERS_H

#include <string.h>

#include "pt_helpers.h"
#include <linux/kvm_host.h>

#define GMEM_MMAP	FOLIAGE_GMEM_FLAG_MMAP
#define GMEM_SHARED	FOLIAGE_GMEM_FLAG_INIT_SHARED
#define KEEP		FOLIAGE_FALLOC_FL_KEEP_SIZE
#define PUNCH		(FOLIAGE_FALLOC_FL_KEEP_SIZE | FOLIAGE_FALLOC_FL_PUNCH_HOLE)
#define PRIVATE_ATTR	FOLIAGE_MEMORY_ATTRIBUTE_PRIVATE
#define GRW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)

/* The test's machine and first task (task_fixture's). */
static struct foliage_machine *m;
static struct foliage_task *t;

static inline int gmem_setup(void **state)
{
	task_fixture_setup(state);
	m = ((struct task_fixture *)*state)->m;
	t = ((struct task_fixture *)*state)->task;
	return 0;
}

#define FIXTURE_TEST(fn) \
	cmocka_unit_test_setup_teardown(fn, gmem_setup, task_fixture_teardown)

static inline struct foliage_file *new_gmem(struct foliage_machine *m,
					    uint64_t bytes, uint64_t flags)
{
	struct foliage_file *f = NULL;

	assert_int_equal(foliage_gmem_create(m, bytes, flags, 0, &f), 0);
	return f;
}

static inline struct foliage_vm *new_vm(struct foliage_machine *m)
{
	struct foliage_vm *vm = NULL;

	assert_int_equal(foliage_vm_create(m, &vm), 0);
	return vm;
}

/* A MAP_SHARED read-write mapping of all of @f in @t. */
static inline unsigned long map_gmem(struct foliage_task *t,
				     struct foliage_file *f, unsigned long len)
{
	unsigned long addr = 0;

	assert_int_equal(foliage_mmap(t, 0, len, GRW, FOLIAGE_MAP_SHARED, f,
				      0, &addr), 0);
	return addr;
}

/* Convert [off, off + len) of @f; the conversion's result. */
static inline int convert(struct foliage_file *f, uint64_t off, uint64_t len,
			  bool to_private, uint64_t flags, uint64_t *err_off)
{
	uint64_t e = 0;
	int ret = foliage_gmem_convert(f, off, len,
				       to_private ? PRIVATE_ATTR : 0, flags,
				       &e);

	if (err_off)
		*err_off = e;
	return ret;
}

static inline struct foliage_gmem_stat gmem_stat(struct foliage_file *f)
{
	struct foliage_gmem_stat st;

	assert_int_equal(foliage_gmem_stat(f, &st), 0);
	return st;
}

static inline struct foliage_vm_stat vm_stat(struct foliage_vm *vm)
{
	struct foliage_vm_stat st;

	assert_int_equal(foliage_vm_stat(vm, &st), 0);
	return st;
}

/* Whether every byte of [off, off + len) of @f is private. */
static inline bool gmem_private(struct foliage_file *f, uint64_t off,
				uint64_t len, bool want_private)
{
	uint64_t s, e;
	unsigned long i;
	bool p;

	for (i = 0; !foliage_gmem_range(f, i, &s, &e, &p); i++)
		if (s < off + len && off < e && p != want_private)
			return false;
	return true;
}

/* The vCPU reads @len bytes at @gpa; asserts success. */
static inline void vcpu_get(struct foliage_vm *vm, uint64_t gpa, void *buf,
			    size_t len)
{
	assert_int_equal(foliage_vm_access(vm, gpa, buf, len, false), 0);
}

static inline void vcpu_put(struct foliage_vm *vm, uint64_t gpa,
			    const void *buf, size_t len)
{
	assert_int_equal(foliage_vm_access(vm, gpa, (void *)buf, len, true), 0);
}

/* Assert the vCPU reads @byte in all of [gpa, gpa + len). */
static inline void vcpu_expect(struct foliage_vm *vm, uint64_t gpa, int byte,
			       size_t len)
{
	unsigned char *buf = malloc(len);

	assert_non_null(buf);
	vcpu_get(vm, gpa, buf, len);
	assert_true(mem_is(buf, byte, len));
	free(buf);
}

/* A host access of one byte at @addr: 0 or its -errno (-EFAULT: SIGBUS). */
static inline int host_touch(struct foliage_task *t, unsigned long addr,
			     bool write)
{
	unsigned char c = 0x5a;

	return foliage_access(t, addr, &c, 1, write, NULL);
}

#endif /* _FOLIAGE_TESTS_GMEM_HELPERS_H */
