// SPDX-License-Identifier: GPL-2.0
/*
 * host/: the hypervisor's side of guest RAM, reached only through
 * include/host/host.h.  The guest's direct map and the host's view are
 * two mappings of one memfd per node; a discard punches a hole that the
 * host kernel really takes back, and both mappings then read zeros.
 *
 *   gpa 0                 64 MiB  +4K            1 GiB (node 1)
 *   [ node 0 RAM ........ ][image]  (hole) ...   [ node 1 RAM ... ]
 */
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"
#include <host/device.h>
#include <linux/virtio.h>

#define MiB	(1024UL * 1024)

static struct foliage_machine *m;

static int setup(void **state)
{
	(void)state;
	m = test_machine(2, 16);
	assert_int_equal(machine_enter(m), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_machine_done(m);
	return 0;
}

static struct host_ram_stats stats(int nid)
{
	struct host_ram_stats st;

	assert_int_equal(host_ram_stats(m->host, nid, &st), 0);
	return st;
}

/* The host's view is the same memory as the guest's, at another address. */
static void test_host_view(void **state)
{
	unsigned long pfn;
	char *guest, *host;
	u64 gpa;

	(void)state;
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 0, 1,
					     &pfn), 0);
	gpa = (u64)pfn << 12;
	guest = foliage_pfn_to_virt(m, pfn);
	host = host_gpa_to_hva(m->host, gpa, 4096);
	assert_non_null(host);
	assert_ptr_not_equal(host, guest);
	memset(guest, 0x3c, 4096);
	assert_true(mem_is(host, 0x3c, 4096));
	host[17] = 1;
	assert_int_equal(guest[17], 1);
	assert_int_equal(foliage_free_pages(m, pfn, 0, 0), 0);
}

/*
 * A device may only reach guest RAM: ranges in the hole between the
 * nodes, past the end, or straddling a node's end have no host address.
 */
static void test_gpa_bounds(void **state)
{
	u64 node1 = (u64)1 << (m->node_shift + 12);
	u64 end0 = 16 * MiB + 4096;	/* node 0 holds the kernel image */

	(void)state;
	assert_non_null(host_gpa_to_hva(m->host, 0, 4096));
	assert_non_null(host_gpa_to_hva(m->host, end0 - 8, 8));
	assert_null(host_gpa_to_hva(m->host, end0 - 8, 9));
	assert_null(host_gpa_to_hva(m->host, end0, 1));
	assert_non_null(host_gpa_to_hva(m->host, node1, 16 * MiB));
	assert_null(host_gpa_to_hva(m->host, node1, 16 * MiB + 1));
	assert_null(host_gpa_to_hva(m->host, node1 + 16 * MiB, 1));
	assert_null(host_gpa_to_hva(m->host, ~0ULL - 4, 8));
}

/*
 * A discard gives the memory back: the memfd's backed bytes drop by what
 * was punched, both mappings read zeros, and the counters say so.
 */
static void test_discard(void **state)
{
	struct host_ram_stats st0, st;
	unsigned long pfn;
	char *guest;
	u64 gpa;

	(void)state;
	assert_int_equal(foliage_alloc_pages(m, FOLIAGE_GFP_KERNEL, 2, 0,
					     &pfn), 0);
	gpa = (u64)pfn << 12;
	guest = foliage_pfn_to_virt(m, pfn);
	memset(guest, 0xa5, 4 * 4096);
	st0 = stats(0);
	assert_int_equal(host_ram_discard(m->host, gpa + 4096, 2 * 4096), 0);
	st = stats(0);
	assert_int_equal(st0.backed_bytes - st.backed_bytes, 2 * 4096);
	assert_int_equal(st.nr_discards, st0.nr_discards + 1);
	assert_int_equal(st.discarded_bytes, st0.discarded_bytes + 2 * 4096);
	assert_true(mem_is(guest, 0xa5, 4096));
	assert_true(mem_is(guest + 4096, 0, 2 * 4096));
	assert_true(mem_is(host_gpa_to_hva(m->host, gpa + 4096, 8192), 0,
			   8192));
	assert_true(mem_is(guest + 3 * 4096, 0xa5, 4096));
	assert_int_equal(st.ram_bytes, 16 * MiB + 4096);

	/* Not page aligned, empty, or outside RAM: refused, nothing done. */
	assert_int_equal(host_ram_discard(m->host, gpa + 1, 4096), -EINVAL);
	assert_int_equal(host_ram_discard(m->host, gpa, 100), -EINVAL);
	assert_int_equal(host_ram_discard(m->host, gpa, 0), -EINVAL);
	assert_int_equal(host_ram_discard(m->host, 32 * MiB, 4096), -EINVAL);
	assert_int_equal(stats(0).nr_discards, st.nr_discards);
	assert_int_equal(host_ram_stats(m->host, 2, &st), -EINVAL);
	assert_int_equal(foliage_free_pages(m, pfn, 2, 0), 0);
}

/* The registry: devices are found in the order they were added. */
static int nr_work;

static u32 dummy_read(struct host_device *dev, u64 off, unsigned int bytes)
{
	return off == 0 ? 0x1234 : 0;
}

static void dummy_write(struct host_device *dev, u64 off, unsigned int bytes,
			u32 val)
{
	__host_device_kick(dev);
}

static void dummy_work(struct host_device *dev)
{
	__atomic_add_fetch(&nr_work, 1, __ATOMIC_RELEASE);
}

static const struct host_device_ops dummy_ops = {
	.name = "dummy",
	.bus = HOST_BUS_PLATFORM,
	.mmio_read = dummy_read,
	.mmio_write = dummy_write,
	.work = dummy_work,
};

static void test_device_registry(void **state)
{
	struct host_device *a, *b;
	int i;

	(void)state;
	assert_int_equal(host_device_add(m->host, &dummy_ops, NULL, &a), 0);
	assert_int_equal(host_device_add(m->host, &dummy_ops, NULL, &b), 0);
	assert_ptr_equal(host_device_get(m->host, 0), a);
	assert_ptr_equal(host_device_get(m->host, 1), b);
	assert_null(host_device_get(m->host, 2));
	assert_int_equal(host_mmio_read(a, 0, 4), 0x1234);
	/* A platform device is not the virtio bus's. */
	assert_int_equal(virtio_mmio_scan(), 0);
	host_mmio_write(b, 0, 4, 1);
	for (i = 0; i < 100000 && !__atomic_load_n(&nr_work, __ATOMIC_ACQUIRE);
	     i++)
		usleep(100);
	assert_int_equal(__atomic_load_n(&nr_work, __ATOMIC_ACQUIRE), 1);
	assert_int_equal(b->nr_kicks, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpa_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_registry, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
