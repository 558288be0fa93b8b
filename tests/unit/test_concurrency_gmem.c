// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd under concurrency: on separate CPUs a host task faults,
 * writes and pins pages of its mapping, a vCPU reads and writes the same
 * pages through KVM, a converter flips pages between private and shared,
 * and a puncher drops pages, all at once.  Every operation gets only the
 * outcomes the rules allow (host: 0 or SIGBUS; vCPU: always 0; convert:
 * 0 or -EAGAIN from a page in the range), and once the threads are gone
 * the machine is consistent: the validator (no private page mapped, every
 * spte the file's page) and each page's state against what the host can
 * reach.
 *
 *   file page  0 ........ 31
 *   host       maps all, reads/writes bytes 0..99 of a page, pins some
 *   vCPU       reads/writes bytes 100..163 of a page through GPA 4G + page
 *		(disjoint bytes: the two sides never race on one byte)
 *   converter  private <-> shared, 1..4 pages at a time
 *   puncher    punches 1..2 pages at a time
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "threads_helpers.h"

#define NR_PAGES	32
#define HUGE_NR_PAGES	1024	/* two 2 MiB pages */
#define ROUNDS		400
#define GPA		(4ULL << 30)

struct racer;

/* One step of a racer: 0 done, 1 refused as the rules allow, -1 failed. */
typedef int (*racer_step)(struct racer *r, unsigned int i);

struct racer {
	pthread_t thread;		/* the thread */
	unsigned long nr_pages;		/* pages of the file */
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *task;	/* the host task (host racer) */
	struct foliage_vm *vm;		/* the VM (vCPU racer) */
	struct foliage_file *gmem;	/* the file */
	unsigned long addr;		/* the host mapping */
	racer_step step;		/* what it does, ROUNDS times */
	unsigned int rounds;		/* how many steps */
	int cpu;			/* the CPU it attaches to */
	unsigned int seed;		/* its random numbers */
	const char *fail;		/* what went wrong, or NULL */
	unsigned long nr_ok;		/* operations that succeeded */
	unsigned long nr_refused;	/* allowed refusals (SIGBUS, -EAGAIN) */
};

/* Host: a byte read or written (SIGBUS on private pages), or a pin. */
static int host_step(struct racer *r, unsigned int i)
{
	unsigned long pg = rand_r(&r->seed) % r->nr_pages;
	unsigned long a = r->addr + pg * PAGE_SIZE;
	unsigned char c = 0x40 + (i & 0x3f);
	int ret;

	if (i % 8 == 7) {
		ret = foliage_pin(r->task, a, PAGE_SIZE, true);
		if (!ret && foliage_unpin(r->task, a, PAGE_SIZE))
			return -1;
	} else {
		ret = foliage_access(r->task, a + i % 100, &c, 1,
				     i & 1, NULL);
	}
	return ret == -EFAULT ? 1 : ret ? -1 : 0;
}

/* vCPU: 64 bytes read or written; never refused. */
static int vcpu_step(struct racer *r, unsigned int i)
{
	unsigned long pg = rand_r(&r->seed) % r->nr_pages;
	unsigned char buf[64];

	int ret;

	memset(buf, i, sizeof(buf));
	ret = foliage_vm_access(r->vm, GPA + pg * PAGE_SIZE + 100, buf,
				sizeof(buf), i & 1);
	if (ret && getenv("GMEM_RACE_VERBOSE"))
		print_message("vcpu: page %lu: %d\n", pg, ret);
	return ret ? -1 : 0;
}

/* Converter: 1..4 pages each way; -EAGAIN names a page of the range. */
static int convert_step(struct racer *r, unsigned int i)
{
	unsigned long nr = 1 + rand_r(&r->seed) % 4;
	unsigned long pg = rand_r(&r->seed) % (r->nr_pages - nr + 1);
	uint64_t e = 0;
	int ret;

	ret = foliage_gmem_convert(r->gmem, pg * PAGE_SIZE, nr * PAGE_SIZE,
				   i & 1 ? 0 : FOLIAGE_MEMORY_ATTRIBUTE_PRIVATE,
				   0, &e);
	if (ret == -EAGAIN && e >= pg * PAGE_SIZE &&
	    e < (pg + nr) * PAGE_SIZE)
		return 1;
	return ret ? -1 : 0;
}

/* Puncher: 1 or 2 pages; never refused. */
static int punch_step(struct racer *r, unsigned int i)
{
	unsigned long pg = rand_r(&r->seed) % (r->nr_pages - 1);

	return foliage_fallocate(r->gmem, FOLIAGE_FALLOC_FL_KEEP_SIZE |
				 FOLIAGE_FALLOC_FL_PUNCH_HOLE, pg * PAGE_SIZE,
				 (1 + i % 2) * PAGE_SIZE) ? -1 : 0;
}

static void *racer_thread(void *arg)
{
	struct racer *r = arg;
	unsigned int i;

	if (foliage_cpu_attach(r->m, r->cpu) != r->cpu)
		r->fail = "attach";
	for (i = 0; !r->fail && i < r->rounds; i++) {
		int ret = r->step(r, i);

		if (ret < 0)
			r->fail = "an operation";
		else if (ret)
			r->nr_refused++;
		else
			r->nr_ok++;
	}
	if (foliage_cpu_detach(r->m))
		r->fail = "detach";
	return NULL;
}

/*
 * The race on a file of @nr_pages, 4 KiB-backed or (@huge) of 2 MiB
 * hugetlb pages, where the conversions split and reconstruct.
 */
static void race(unsigned long nr_pages, bool huge)
{
	struct foliage_machine *m = threads_machine(64);
	const racer_step steps[4] = { host_step, vcpu_step, convert_step,
				      punch_step };
	struct racer r[4];
	struct foliage_file *gmem;
	struct foliage_task *task;
	struct foliage_vm *vm;
	unsigned long addr, pg;
	unsigned int i;

	if (huge)
		assert_int_equal(foliage_set(m, "vm.nr_hugepages", "2"), 0);
	assert_int_equal(foliage_gmem_create(m, nr_pages * PAGE_SIZE,
					     FOLIAGE_GMEM_FLAG_MMAP |
					     FOLIAGE_GMEM_FLAG_INIT_SHARED,
					     huge ? 2 * MB : 0, &gmem), 0);
	assert_int_equal(foliage_vm_create(m, &vm), 0);
	assert_int_equal(foliage_vm_memslot(vm, GPA, nr_pages * PAGE_SIZE,
					    gmem, 0), 0);
	task = new_task(m, "vmm");
	assert_int_equal(foliage_mmap(task, 0, nr_pages * PAGE_SIZE,
				      FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE,
				      FOLIAGE_MAP_SHARED, gmem, 0, &addr), 0);
	assert_int_equal(foliage_cpu_detach(m), 0);
	for (i = 0; i < 4; i++) {
		r[i] = (struct racer){ .m = m, .task = task, .vm = vm,
				       .gmem = gmem, .addr = addr,
				       .nr_pages = nr_pages,
				       .step = steps[i],
				       .rounds = i == 3 ? ROUNDS / 4 : ROUNDS,
				       .cpu = 1 + i, .seed = 14 + i };
		assert_int_equal(pthread_create(&r[i].thread, NULL,
						racer_thread, &r[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(r[i].thread, NULL), 0);
		if (r[i].fail)
			fail_msg("racer %u: %s failed", i, r[i].fail);
	}
	assert_int_equal(machine_enter(m), 0);
	assert_int_equal(foliage_validate(m), 0);
	/* Every page: the host reaches it iff it is shared. */
	/* Every page of the small file; one in 16 of the hugetlb one. */
	for (pg = 0; pg < nr_pages; pg += huge ? 16 : 1) {
		uint64_t s, e;
		unsigned char c;
		unsigned long j;
		bool priv = false, p;
		int ret;

		for (j = 0; !foliage_gmem_range(gmem, j, &s, &e, &p); j++)
			if (s <= pg * PAGE_SIZE && pg * PAGE_SIZE < e)
				priv = p;
		ret = foliage_access(task, addr + pg * PAGE_SIZE, &c, 1, false,
				     NULL);
		assert_int_equal(ret, priv ? -EFAULT : 0);
		assert_int_equal(foliage_vm_access(vm, GPA + pg * PAGE_SIZE,
						   &c, 1, false), 0);
	}
	assert_int_equal(foliage_validate(m), 0);
	if (getenv("GMEM_RACE_VERBOSE"))
		for (i = 0; i < 4; i++)
			print_message("racer %u: %lu ok, %lu refused\n", i,
				      r[i].nr_ok, r[i].nr_refused);
	assert_true(r[0].nr_ok > 0 && r[1].nr_ok == ROUNDS &&
		    r[2].nr_ok > 0 && r[3].nr_ok == ROUNDS / 4);
	assert_int_equal(foliage_munmap(task, addr, nr_pages * PAGE_SIZE), 0);
	foliage_vm_destroy(vm);
	foliage_file_put(gmem);
	threads_machine_done(m);
}

static void test_race(void **state)
{
	(void)state;
	race(NR_PAGES, false);
}

static void test_race_hugetlb(void **state)
{
	(void)state;
	race(HUGE_NR_PAGES, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_race_hugetlb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
