// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb migration against other CPUs (label "threads", run under TSan
 * too): a fault on a hugetlb migration entry sleeps until the migration
 * is over, then succeeds; move_pages(2) moving two 2 MiB pages back and
 * forth between the nodes while other CPUs write and check them, fork
 * children that read them, and walk smaps and numa_maps.  Afterwards
 * every byte is what its writer left, and the validators (pool counters,
 * page tables, rmap) agree.
 *
 *   CPU 1: migrator        CPU 2..3: writers    CPU 4: fork + read
 *   CPU 5: smaps/numa_maps walker
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "threads_helpers.h"
#include <linux/hugetlb.h>
#include <linux/machine.h>
#include <linux/migrate.h>
#include <linux/rmap.h>

#define HUGE_PRIV	(FOLIAGE_MAP_PRIVATE | FOLIAGE_MAP_ANONYMOUS | \
			 FOLIAGE_MAP_HUGETLB)
#define PROT_RW		(FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE)
#define ROUNDS		80	/* the migrator's moves */
#define WRITES		300	/* each writer's writes */

static struct foliage_machine *two_node_machine(void)
{
	struct foliage_machine *m = NULL;
	struct foliage_config cfg;

	foliage_config_init(&cfg);
	cfg.nr_nodes = 2;
	cfg.nr_cpus = 8;
	cfg.bytes_per_node = 64ULL << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_int_equal(machine_enter(m), 0);
	return m;
}

/* ---- a fault on a migration entry ---- */

struct entry_wait {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *t;		/* whose page */
	unsigned long addr;		/* its address */
	struct folio *folio;		/* the folio under "migration" */
	sem_t unmapped;			/* the entries are in place */
	sem_t go;			/* let the migration end */
	sem_t started;			/* the faulting thread runs */
	int done;			/* the fault returned (atomic) */
	int ret;			/* its access's result */
	unsigned char buf[64];		/* what it read */
};

/* CPU 1: lock and unmap, wait, map back and unlock. */
static void *entry_migrator(void *arg)
{
	struct entry_wait *w = arg;

	if (foliage_cpu_attach(w->m, 1) != 1 || machine_enter(w->m))
		abort();
	folio_lock(w->folio);
	try_to_migrate(w->folio, 0);
	sem_post(&w->unmapped);
	sem_wait(&w->go);
	remove_migration_ptes(w->folio, w->folio, 0);
	folio_unlock(w->folio);
	machine_exit_op(w->m);
	if (foliage_cpu_detach(w->m))
		abort();
	return NULL;
}

/* CPU 2: read the page (a fault on the entry: it sleeps). */
static void *entry_reader(void *arg)
{
	struct entry_wait *w = arg;

	if (foliage_cpu_attach(w->m, 2) != 2)
		abort();
	sem_post(&w->started);
	w->ret = foliage_access(w->t, w->addr + 4096, w->buf, sizeof(w->buf),
				false, NULL);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	if (foliage_cpu_detach(w->m))
		abort();
	return NULL;
}

static void test_fault_sleeps_on_entry(void **state)
{
	struct foliage_machine *m = two_node_machine();
	struct foliage_task *t = new_task(m, "t");
	struct entry_wait w = { .m = m, .t = t };
	pthread_t mig, rd;
	LIST_HEAD(list);
	size_t i;

	assert_int_equal(foliage_set(m, "vm.nr_hugepages", "2"), 0);
	w.addr = map(t, 0, 2 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill(t, w.addr + 4096, 0x6b, sizeof(w.buf));
	assert_int_equal(machine_enter(m), 0);
	{
		struct vm_area_struct *vma = vma_lookup(t->task.mm, w.addr);
		spinlock_t *ptl;

		w.folio = page_folio(pmd_page(pmdp_get(
			hugetlb_walk(vma, w.addr, &ptl))));
	}
	assert_true(isolate_folio_to_list(w.folio, &list));
	assert_int_equal(sem_init(&w.unmapped, 0, 0), 0);
	assert_int_equal(sem_init(&w.go, 0, 0), 0);
	assert_int_equal(sem_init(&w.started, 0, 0), 0);
	assert_int_equal(pthread_create(&mig, NULL, entry_migrator, &w), 0);
	sem_wait(&w.unmapped);
	assert_int_equal(pthread_create(&rd, NULL, entry_reader, &w), 0);
	sem_wait(&w.started);
	/* It stays asleep while the folio is locked. */
	usleep(50 * 1000);
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);
	sem_post(&w.go);
	assert_int_equal(pthread_join(mig, NULL), 0);
	assert_int_equal(pthread_join(rd, NULL), 0);
	assert_int_equal(w.ret, 0);
	for (i = 0; i < sizeof(w.buf); i++)
		assert_int_equal(w.buf[i], 0x6b);
	assert_int_equal(machine_enter(m), 0);
	putback_movable_pages(&list);
	sem_destroy(&w.unmapped);
	sem_destroy(&w.go);
	sem_destroy(&w.started);
	threads_machine_done(m);
}

/* ---- move_pages(2) against writers, forks and walkers ---- */

struct race {
	struct foliage_machine *m;	/* the machine */
	struct foliage_task *t;		/* the task */
	unsigned long addr;		/* its 4 MiB of hugetlb pages */
	int stop;			/* the migrator is done (atomic) */
	int moved;			/* pages the migrator moved */
	int err;			/* first failure seen, or 0 */
};

struct worker {
	pthread_t thread;		/* the thread */
	struct race *r;			/* what it races in */
	int cpu;			/* the CPU it attaches to */
	int id;				/* writers: its slot */
};

static bool all_bytes(const unsigned char *p, int c, size_t n)
{
	while (n--)
		if (*p++ != (unsigned char)c)
			return false;
	return true;
}

static void race_fail(struct race *r, int err)
{
	int zero = 0;

	__atomic_compare_exchange_n(&r->err, &zero, err, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static bool race_running(struct race *r)
{
	return !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);
}

/* Both pages to one node, then the other, ROUNDS times. */
static void *migrator(void *arg)
{
	struct worker *w = arg;
	struct race *r = w->r;
	unsigned long pages[2] = { r->addr, r->addr + 2 * MB };
	int i, ret;

	if (foliage_cpu_attach(r->m, w->cpu) != w->cpu)
		abort();
	for (i = 0; i < ROUNDS; i++) {
		int nodes[2] = { (i + 1) & 1, (i + 1) & 1 }, status[2];

		ret = foliage_move_pages(r->t, 2, pages, nodes, status,
					 FOLIAGE_MPOL_MF_MOVE);
		if (ret < 0)
			race_fail(r, ret);
		r->moved += (status[0] == nodes[0]) + (status[1] == nodes[1]);
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	if (foliage_cpu_detach(r->m))
		abort();
	return NULL;
}

/*
 * Slot @id of each page: a counter written and read back; the page's
 * first bytes (never written after setup) checked every time.
 */
static void *writer(void *arg)
{
	struct worker *w = arg;
	struct race *r = w->r;
	unsigned long v, got, off = 4096 + 64 * w->id;
	unsigned char head[16];
	int i, ret, p;

	if (foliage_cpu_attach(r->m, w->cpu) != w->cpu)
		abort();
	for (i = 0; i < WRITES || race_running(r); i++) {
		p = i & 1;
		v = ((unsigned long)w->id << 32) | i;
		ret = foliage_access(r->t, r->addr + p * 2 * MB + off, &v,
				     sizeof(v), true, NULL);
		ret = ret ?: foliage_access(r->t, r->addr + p * 2 * MB + off,
					    &got, sizeof(got), false, NULL);
		if (!ret && got != v)
			ret = -EILSEQ;
		ret = ret ?: foliage_access(r->t, r->addr + p * 2 * MB, head,
					    sizeof(head), false, NULL);
		if (!ret && !all_bytes(head, 0x3c, sizeof(head)))
			ret = -EILSEQ;
		if (ret)
			race_fail(r, ret);
	}
	if (foliage_cpu_detach(r->m))
		abort();
	return NULL;
}

/* fork, the child reads both pages' heads, exits. */
static void *forker(void *arg)
{
	struct worker *w = arg;
	struct race *r = w->r;
	unsigned char head[16];
	int ret;

	if (foliage_cpu_attach(r->m, w->cpu) != w->cpu)
		abort();
	while (race_running(r)) {
		struct foliage_task *c = NULL;

		ret = foliage_fork(r->t, "child", &c);
		ret = ret ?: foliage_access(c, r->addr + 2 * MB, head,
					    sizeof(head), false, NULL);
		if (!ret && !all_bytes(head, 0x3c, sizeof(head)))
			ret = -EILSEQ;
		if (c)
			ret = ret ?: foliage_exit(c);
		if (ret)
			race_fail(r, ret);
		/* Leave the migrator some time with the pages unshared. */
		usleep(500);
	}
	if (foliage_cpu_detach(r->m))
		abort();
	return NULL;
}

/* smaps and numa_maps of the task, over and over. */
static void *walker(void *arg)
{
	struct worker *w = arg;
	struct race *r = w->r;
	char *text;
	int i = 0, ret;

	if (foliage_cpu_attach(r->m, w->cpu) != w->cpu)
		abort();
	while (race_running(r)) {
		text = NULL;
		ret = foliage_render_task(r->t, i++ & 1 ? "smaps" :
					  "numa_maps", 0, &text);
		if (!ret && !strstr(text, "huge") &&
		    !strstr(text, "Hugetlb"))
			ret = -EINVAL;
		free(text);
		if (ret)
			race_fail(r, ret);
	}
	if (foliage_cpu_detach(r->m))
		abort();
	return NULL;
}

static void test_move_pages_race(void **state)
{
	struct foliage_machine *m = two_node_machine();
	struct foliage_task *t = new_task(m, "t");
	struct race r = { .m = m, .t = t };
	struct worker w[5] = {
		{ .r = &r, .cpu = 1 }, { .r = &r, .cpu = 2, .id = 0 },
		{ .r = &r, .cpu = 3, .id = 1 }, { .r = &r, .cpu = 4 },
		{ .r = &r, .cpu = 5 },
	};
	void *(*fn[5])(void *) = { migrator, writer, writer, forker, walker };
	unsigned long v;
	int i, p;

	assert_int_equal(foliage_set(m, "vm.nr_hugepages", "4"), 0);
	assert_int_equal(foliage_set(m, "vm.nr_overcommit_hugepages", "8"),
			 0);
	r.addr = map(t, 0, 4 * MB, PROT_RW, HUGE_PRIV, NULL, 0);
	fill(t, r.addr, 0x3c, 4096);
	fill(t, r.addr + 2 * MB, 0x3c, 4096);
	for (i = 0; i < 5; i++)
		assert_int_equal(pthread_create(&w[i].thread, NULL, fn[i],
						&w[i]), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	assert_int_equal(r.err, 0);
	/*
	 * Some moves happened (a page a child maps too is -EACCES, and a
	 * busy one may be skipped).
	 */
	assert_true(r.moved > 0);
	assert_int_equal(machine_enter(m), 0);
	for (p = 0; p < 2; p++) {
		expect_fill(t, r.addr + p * 2 * MB, 0x3c, 4096);
		for (i = 0; i < 2; i++) {
			get_bytes(t, r.addr + p * 2 * MB + 4096 + 64 * i, &v,
				  sizeof(v));
			assert_int_equal(v >> 32, i);
		}
	}
	threads_machine_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_sleeps_on_entry),
		cmocka_unit_test(test_move_pages_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
