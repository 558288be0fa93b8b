// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio transport end to end: a guest driver (here) for the virtio
 * test device (host/virtio_test.c), over split virtqueues in guest RAM,
 * the virtio-mmio register window and the host's device thread.
 *
 *   test thread (CPU 0)         host device thread       guest irq CPU
 *   add_sgs + kick ----------->  pop, checksum/echo,
 *                                push used (used_len),
 *                                raise irq ---------->  vm_interrupt()
 *                                                        -> vq callback
 *                                                           get_buf(len)
 *
 * The device writes [FNV-1a 32 of the data][the data again] into the
 * writable part, as much as fits; with VIRTIO_TEST_F_BATCH it completes
 * config.batch chains at a time, last popped first.
 *
 * Each test uses one machine of 1 node x 64 MiB with 4 CPUs (the test
 * thread, the guest's interrupt CPU, two more for the threaded test).
 */
#include <pthread.h>
#include <stddef.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "internal.h"
#include <linux/cpu.h>
#include <linux/kthread.h>
#include <host/virtio_test.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_test.h>

#define ALL_TEST_F	(BIT_ULL(VIRTIO_TEST_F_CHECKSUM) |		\
			 BIT_ULL(VIRTIO_TEST_F_ECHO) |			\
			 BIT_ULL(VIRTIO_TEST_F_BATCH))
#define V1		BIT_ULL(VIRTIO_F_VERSION_1)
#define EVENT		BIT_ULL(VIRTIO_RING_F_EVENT_IDX)
#define MAX_DONE	8192

/* The guest driver's state for the one device of a test. */
struct tdev {
	struct virtio_device *vdev;	/* bound device */
	struct virtqueue *vq;		/* its queue */
	spinlock_t lock;		/* vq, and the records below */
	bool poll;			/* no callback: the test polls */
	int (*validate)(struct virtio_device *vdev); /* per test */
	unsigned long nr_probes;	/* probe() calls */
	unsigned long nr_removes;	/* remove() calls */
	unsigned long nr_callbacks;	/* vq callback runs (atomic) */
	unsigned long nr_config_changed; /* config_changed() runs (atomic) */
	bool no_reap;			/* the callback only counts */
	unsigned long hold_cb;		/* the callback waits for release (atomic) */
	unsigned long cb_held;		/* a held callback has started (atomic) */
	unsigned long cb_release;	/* let it return (atomic) */
	unsigned long cb_seen_removes;	/* nr_removes when it returned */
	unsigned long removing;		/* remove() has started (atomic) */
	bool cb_off_cpu;		/* a callback ran outside a guest CPU */
	struct foliage_machine *cb_machine; /* machine the callback ran in */
	unsigned long nr_done;		/* completions recorded (atomic) */
	uintptr_t done_token[MAX_DONE];	/* tokens, in completion order */
	unsigned int done_len[MAX_DONE]; /* their used_len */
	unsigned long nr_detached;	/* tokens detached at remove() */
};

static struct tdev T;
static struct foliage_machine *m;

static unsigned long aload(unsigned long *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * Sleep @us microseconds as a guest thread waiting for a device does: its
 * CPU is given up meanwhile, so an interrupt routed there can run.
 */
static void guest_usleep(unsigned int us)
{
	cpu_sleep_begin();
	usleep(us);
	cpu_sleep_end();
}

/* Wait (bounded) until *@p reaches @n; the outcome, not the time, is tested. */
static void wait_for(unsigned long *p, unsigned long n)
{
	int i;

	for (i = 0; i < 100000 && aload(p) < n; i++)
		guest_usleep(100);
	assert_int_equal(aload(p), n);
}

/* Wait (bounded) until the device's counter at @off reaches @n. */
static void wait_stat(struct host_virtio_device *hv, size_t off,
		      unsigned long n)
{
	struct virtio_test_stats st;
	unsigned long v = 0;
	int i;

	for (i = 0; i < 100000; i++) {
		virtio_test_stats(hv, &st);
		memcpy(&v, (char *)&st + off, sizeof(v));
		if (v >= n)
			break;
		usleep(100);
	}
	assert_int_equal(v, n);
}

/* The device has completed @n chains; it has raised @n interrupts. */
#define wait_completed(hv, n) \
	wait_stat(hv, offsetof(struct virtio_test_stats, nr_completed), n)
#define wait_irqs(hv, n) \
	wait_stat(hv, offsetof(struct virtio_test_stats, nr_irqs), n)

/* Record every used buffer.  Caller holds T.lock. */
static void __reap(struct virtqueue *vq)
{
	unsigned int len;
	void *token;

	while ((token = virtqueue_get_buf(vq, &len))) {
		unsigned long i = T.nr_done;

		T.done_token[i % MAX_DONE] = (uintptr_t)token;
		T.done_len[i % MAX_DONE] = len;
		__atomic_store_n(&T.nr_done, i + 1, __ATOMIC_RELEASE);
	}
}

/*
 * An interrupt handler runs on the CPU its line is routed to (CPU 0),
 * holding it, on that CPU's kworker: never on a host thread.
 */
static bool on_irq_cpu(void)
{
	return this_machine && this_cpu && this_cpu_running &&
	       this_cpu->id == 0 && current_kthread();
}

static void tdev_callback(struct virtqueue *vq)
{
	if (!on_irq_cpu())
		T.cb_off_cpu = true;
	if (aload(&T.hold_cb)) {
		/* A long handler: it keeps its CPU, as a hardirq does. */
		__atomic_store_n(&T.cb_held, 1, __ATOMIC_RELEASE);
		while (!aload(&T.cb_release))
			usleep(100);
		T.cb_seen_removes = aload(&T.nr_removes);
		__atomic_add_fetch(&T.nr_callbacks, 1, __ATOMIC_RELEASE);
		return;
	}
	T.cb_machine = this_machine;
	spin_lock(&T.lock);
	if (!T.no_reap)
		__reap(vq);
	spin_unlock(&T.lock);
	__atomic_add_fetch(&T.nr_callbacks, 1, __ATOMIC_RELEASE);
}

static int tdev_probe(struct virtio_device *vdev)
{
	struct virtqueue_info info[] = {
		{ "test", T.poll ? NULL : tdev_callback },
	};
	struct virtqueue *vqs[1];
	int err;

	err = virtio_find_vqs(vdev, 1, vqs, info);
	if (err)
		return err;
	T.vdev = vdev;
	T.vq = vqs[0];
	vdev->priv = &T;
	T.nr_probes++;
	return 0;
}

static void tdev_remove(struct virtio_device *vdev)
{
	__atomic_store_n(&T.removing, 1, __ATOMIC_RELEASE);
	/* As Linux drivers do: stop the device, reclaim, free the queues. */
	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(T.vq))
		T.nr_detached++;
	vdev->config->del_vqs(vdev);
	T.vq = NULL;
	__atomic_add_fetch(&T.nr_removes, 1, __ATOMIC_RELEASE);
}

static void tdev_config_changed(struct virtio_device *vdev)
{
	if (!on_irq_cpu())
		T.cb_off_cpu = true;
	__atomic_add_fetch(&T.nr_config_changed, 1, __ATOMIC_RELEASE);
}

static int tdev_validate(struct virtio_device *vdev)
{
	return T.validate ? T.validate(vdev) : 0;
}

static const struct virtio_device_id tdev_ids[] = {
	{ VIRTIO_ID_TEST, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static unsigned int tdev_features[] = {
	VIRTIO_TEST_F_CHECKSUM, VIRTIO_TEST_F_ECHO, VIRTIO_TEST_F_BATCH,
};

static struct virtio_driver tdev_driver = {
	.name = "virtio_test",
	.id_table = tdev_ids,
	.feature_table = tdev_features,
	.feature_table_size = ARRAY_SIZE(tdev_features),
	.validate = tdev_validate,
	.probe = tdev_probe,
	.remove = tdev_remove,
	.config_changed = tdev_config_changed,
};

static int setup(void **state)
{
	struct foliage_config cfg;

	(void)state;
	memset(&T, 0, sizeof(T));
	spin_lock_init(&T.lock);
	tdev_driver.feature_table = tdev_features;
	tdev_driver.feature_table_size = ARRAY_SIZE(tdev_features);
	foliage_config_init(&cfg);
	cfg.nr_cpus = 4;
	m = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(m), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (m)
		test_machine_done(m);
	m = NULL;
	return 0;
}

/* Add the test device with @features and @qsize, register the driver. */
static struct host_virtio_device *bring_up(u64 features, u16 qsize)
{
	struct host_virtio_device *hv;

	assert_int_equal(virtio_test_device_add(m->host, features, qsize,
						&hv), 0);
	assert_int_equal(virtio_mmio_scan(), 1);
	assert_int_equal(register_virtio_driver(&tdev_driver), 0);
	return hv;
}

/* One guest page holding a request: data at 0, the answer at 2048. */
struct req {
	struct page *page;		/* the guest page */
	char *out;			/* data the device reads */
	char *in;			/* where it writes */
	struct scatterlist sg_out;	/* their scatterlists */
	struct scatterlist sg_in[2];
};

static void req_init(struct req *r, unsigned int out_bytes,
		     unsigned int in_bytes, u8 seed)
{
	unsigned int i;

	r->page = __alloc_pages(GFP_KERNEL | __GFP_ZERO, 0, 0);
	assert_non_null(r->page);
	r->out = page_address(r->page);
	r->in = r->out + 2048;
	for (i = 0; i < out_bytes; i++)
		r->out[i] = (char)(seed + i * 7);
	sg_init_one(&r->sg_out, r->out, out_bytes);
	sg_init_one(r->sg_in, r->in, in_bytes);
}

static void req_free(struct req *r)
{
	__free_pages(r->page, 0);
}

static int add_req(struct req *r, uintptr_t token)
{
	struct scatterlist *sgs[2] = { &r->sg_out, r->sg_in };
	int err;

	spin_lock(&T.lock);
	err = virtqueue_add_sgs(T.vq, sgs, 1, 1, (void *)token, GFP_KERNEL);
	if (!err)
		virtqueue_kick(T.vq);
	spin_unlock(&T.lock);
	return err;
}

/* The answer the device must write for @r's data, and its length. */
static void assert_answer(struct req *r, unsigned int out_bytes,
			  unsigned int in_bytes, unsigned int used_len)
{
	u32 sum = virtio_test_fnv1a(r->out, out_bytes), got;
	unsigned int echo = min(out_bytes, in_bytes - 4);

	assert_int_equal(used_len, 4 + echo);
	memcpy(&got, r->in, 4);
	assert_int_equal(got, sum);
	assert_memory_equal(r->in + 4, r->out, echo);
}

/*
 * Negotiation: the device offers the driver's three bits, VERSION_1, the
 * ring's EVENT_IDX and INDIRECT_DESC (which foliage's ring does not
 * implement) and bit 5 (unknown to the driver).  The driver's bits,
 * VERSION_1 and EVENT_IDX survive, the device sees exactly those, and the
 * status is ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK.
 */
static void test_feature_negotiation(void **state)
{
	u64 offered = ALL_TEST_F | V1 | BIT_ULL(5) |
		      BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |
		      BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	struct host_virtio_device *hv = bring_up(offered, 8);
	struct virtio_test_stats st;

	(void)state;
	assert_int_equal(T.nr_probes, 1);
	assert_true(T.vdev->features == (ALL_TEST_F | V1 | EVENT));
	assert_true(virtio_has_feature(T.vdev, VIRTIO_TEST_F_ECHO));
	assert_false(__virtio_test_bit(T.vdev, 5));
	assert_false(__virtio_test_bit(T.vdev, VIRTIO_RING_F_INDIRECT_DESC));
	virtio_test_stats(hv, &st);
	assert_true(st.driver_features == (ALL_TEST_F | V1 | EVENT));
	assert_int_equal(st.status, VIRTIO_CONFIG_S_ACKNOWLEDGE |
			 VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
			 VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(T.vdev->id.device, VIRTIO_ID_TEST);
	assert_int_equal(virtqueue_get_vring_size(T.vq), 8);
	unregister_virtio_driver(&tdev_driver);
	assert_int_equal(T.nr_removes, 1);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.status, VIRTIO_CONFIG_S_ACKNOWLEDGE);
}

static int clear_echo(struct virtio_device *vdev)
{
	__virtio_clear_bit(vdev, VIRTIO_TEST_F_ECHO);
	return 0;
}

/* validate() takes ECHO away: the device then writes the checksum only. */
static void test_validate_clears_feature(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	struct req r;
	u32 got;

	(void)state;
	T.validate = clear_echo;
	hv = bring_up(ALL_TEST_F | V1, 8);
	assert_int_equal(T.nr_probes, 1);
	virtio_test_stats(hv, &st);
	assert_true(st.driver_features ==
		    (BIT_ULL(VIRTIO_TEST_F_CHECKSUM) |
		     BIT_ULL(VIRTIO_TEST_F_BATCH) | V1));
	req_init(&r, 100, 200, 1);
	assert_int_equal(add_req(&r, 1), 0);
	wait_for(&T.nr_done, 1);
	assert_int_equal(T.done_len[0], 4);
	memcpy(&got, r.in, 4);
	assert_int_equal(got, virtio_test_fnv1a(r.out, 100));
	assert_true(mem_is(r.in + 4, 0, 196));
	unregister_virtio_driver(&tdev_driver);
	req_free(&r);
}

static int reject(struct virtio_device *vdev)
{
	return -EINVAL;
}

/* validate() fails: probe() never runs and the device sees FAILED. */
static void test_validate_rejects(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;

	(void)state;
	T.validate = reject;
	hv = bring_up(ALL_TEST_F | V1, 8);
	assert_int_equal(T.nr_probes, 0);
	virtio_test_stats(hv, &st);
	assert_true(st.status & VIRTIO_CONFIG_S_FAILED);
	assert_false(st.status_seen & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_null(virtio_find_device(0)->driver);
	assert_true(virtio_find_device(0)->failed);
	unregister_virtio_driver(&tdev_driver);
}

/*
 * The device refuses FEATURES_OK in three ways: ECHO without CHECKSUM
 * (its own rule), no VERSION_1 offered (the transport refuses before
 * asking), and the host's REFUSE_FEATURES fault.  Each time probe() does
 * not run and the device is left FAILED.
 */
static void test_device_refuses_features(void **state)
{
	static unsigned int echo_only[] = { VIRTIO_TEST_F_ECHO };
	struct host_virtio_device *hv;
	struct virtio_test_stats st;

	(void)state;
	tdev_driver.feature_table = echo_only;
	tdev_driver.feature_table_size = 1;
	hv = bring_up(ALL_TEST_F | V1, 8);
	assert_int_equal(T.nr_probes, 0);
	virtio_test_stats(hv, &st);
	assert_true(st.status_seen & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_false(st.status & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(st.status & VIRTIO_CONFIG_S_FAILED);
	unregister_virtio_driver(&tdev_driver);
	tdev_driver.feature_table = tdev_features;
	tdev_driver.feature_table_size = ARRAY_SIZE(tdev_features);

	/* No VERSION_1: a legacy device, which virtio-mmio v2 refuses. */
	assert_int_equal(virtio_test_device_add(m->host, ALL_TEST_F, 8, &hv),
			 0);
	assert_int_equal(virtio_mmio_scan(), 1);
	assert_int_equal(register_virtio_driver(&tdev_driver), 0);
	assert_int_equal(T.nr_probes, 0);
	virtio_test_stats(hv, &st);
	assert_false(st.status_seen & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(st.status & VIRTIO_CONFIG_S_FAILED);
	unregister_virtio_driver(&tdev_driver);

	/* A host that refuses whatever the driver asks. */
	assert_int_equal(virtio_test_device_add(m->host, ALL_TEST_F | V1, 8,
						&hv), 0);
	host_device_set_faults(hv->dev, HOST_FAULT_REFUSE_FEATURES);
	assert_int_equal(virtio_mmio_scan(), 1);
	assert_int_equal(register_virtio_driver(&tdev_driver), 0);
	assert_int_equal(T.nr_probes, 0);
	virtio_test_stats(hv, &st);
	assert_true(st.status & VIRTIO_CONFIG_S_FAILED);
	unregister_virtio_driver(&tdev_driver);
}

/*
 * used_len is what the device wrote: 4 + the echo that fits.  100 bytes
 * of data into 104, into 54 and into 4 bytes; an out-only buffer gets 0.
 */
static void test_used_len(void **state)
{
	static const unsigned int in_bytes[] = { 104, 54, 4 };
	struct req r[3], o;
	unsigned int i;

	(void)state;
	bring_up(ALL_TEST_F | V1, 8);
	for (i = 0; i < 3; i++) {
		req_init(&r[i], 100, in_bytes[i], i);
		assert_int_equal(add_req(&r[i], i + 1), 0);
		wait_for(&T.nr_done, i + 1);
		assert_int_equal(T.done_token[i], i + 1);
		assert_answer(&r[i], 100, in_bytes[i], T.done_len[i]);
	}
	req_init(&o, 100, 1, 9);
	spin_lock(&T.lock);
	assert_int_equal(virtqueue_add_outbuf(T.vq, &o.sg_out, 1, (void *)9,
					      GFP_KERNEL), 0);
	virtqueue_kick(T.vq);
	spin_unlock(&T.lock);
	wait_for(&T.nr_done, 4);
	assert_int_equal(T.done_token[3], 9);
	assert_int_equal(T.done_len[3], 0);
	unregister_virtio_driver(&tdev_driver);
	for (i = 0; i < 3; i++)
		req_free(&r[i]);
	req_free(&o);
}

/*
 * Descriptors are recycled: 3-descriptor chains (one readable piece, two
 * writable) through a 256-entry queue, polled without interrupts, 85 at a
 * time (255 descriptors: an 86th finds 1 free and gets -ENOSPC), 66045 in
 * all, so the 16-bit ring indices wrap.  num_free is back to 256 after
 * every round, and the device never interrupts a queue that asked it not
 * to.
 */
static void test_descriptors_recycled(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	struct scatterlist *sgs[2];
	unsigned long n = 0, done = 0;
	struct req r;
	int round, i;

	(void)state;
	T.poll = true;
	hv = bring_up(ALL_TEST_F | V1, 256);
	req_init(&r, 16, 0, 3);
	sg_init_table(r.sg_in, 2);
	sg_set_buf(&r.sg_in[0], r.in, 4);
	sg_set_buf(&r.sg_in[1], r.in + 4, 12);
	sgs[0] = &r.sg_out;
	sgs[1] = r.sg_in;
	for (round = 0; round < 777; round++) {
		unsigned int len;
		void *token;

		for (i = 0; i < 85; i++)
			assert_int_equal(virtqueue_add_sgs(T.vq, sgs, 1, 1,
						(void *)(++n), 0), 0);
		assert_int_equal(T.vq->num_free, 1);
		assert_int_equal(virtqueue_add_sgs(T.vq, sgs, 1, 1,
						   (void *)(n + 1), 0),
				 -ENOSPC);
		virtqueue_kick(T.vq);
		while (done < n) {
			token = virtqueue_get_buf(T.vq, &len);
			if (!token) {
				sched_yield();
				continue;
			}
			assert_int_equal((uintptr_t)token, ++done);
			assert_int_equal(len, 16);
		}
		assert_int_equal(T.vq->num_free, 256);
	}
	assert_int_equal(n, 66045);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_completed, 66045);
	assert_int_equal(st.nr_irqs, 0);
	assert_answer(&r, 16, 16, 16);
	unregister_virtio_driver(&tdev_driver);
	req_free(&r);
}

/*
 * Out-of-order completion: with batch 4 the device holds chains until it
 * has four, then completes them last first; the driver gets each token
 * with its own used_len, and every descriptor comes back.
 */
static void test_out_of_order(void **state)
{
	u32 batch = 4;
	struct req r[4];
	unsigned int i;

	(void)state;
	bring_up(ALL_TEST_F | V1, 8);
	virtio_cwrite(T.vdev, struct virtio_test_config, batch, &batch);
	for (i = 0; i < 4; i++) {
		req_init(&r[i], 10 * (i + 1), 200, i);
		assert_int_equal(add_req(&r[i], i + 1), 0);
	}
	wait_for(&T.nr_done, 4);
	for (i = 0; i < 4; i++) {
		unsigned int id = 4 - i;

		assert_int_equal(T.done_token[i], id);
		assert_answer(&r[id - 1], 10 * id, 200, T.done_len[i]);
	}
	assert_int_equal(T.vq->num_free, 8);
	unregister_virtio_driver(&tdev_driver);
	for (i = 0; i < 4; i++)
		req_free(&r[i]);
}

/*
 * A full ring: the device holds everything.  Eight one-piece buffers fill
 * an 8-entry queue; the ninth gets -ENOSPC, and (as Linux) a full queue
 * with readable data kicks the device.  Released, all eight complete.
 */
static void test_ring_full(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	unsigned long kicks;
	struct req r;
	int i;

	(void)state;
	hv = bring_up(ALL_TEST_F | V1, 8);
	virtio_test_set_hold(hv, true);
	req_init(&r, 8, 0, 5);
	spin_lock(&T.lock);
	for (i = 0; i < 8; i++)
		assert_int_equal(virtqueue_add_outbuf(T.vq, &r.sg_out, 1,
						      (void *)(uintptr_t)(i + 1),
						      0), 0);
	assert_int_equal(T.vq->num_free, 0);
	virtqueue_kick(T.vq);
	virtio_test_stats(hv, &st);
	kicks = st.nr_notifies;
	assert_int_equal(virtqueue_add_outbuf(T.vq, &r.sg_out, 1, (void *)99,
					      0), -ENOSPC);
	spin_unlock(&T.lock);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_notifies, kicks + 1);
	assert_int_equal(st.nr_popped, 0);
	virtio_test_set_hold(hv, false);
	wait_for(&T.nr_done, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(T.done_token[i], i + 1);
		assert_int_equal(T.done_len[i], 0);
	}
	assert_int_equal(T.vq->num_free, 8);
	unregister_virtio_driver(&tdev_driver);
	req_free(&r);
}

/*
 * Config space: the host's change raises a config interrupt, and the
 * driver's config_changed() runs on a guest CPU.  A read of the 64-bit
 * counter (two 32-bit register reads) that the host changes between the
 * halves would be torn (0x1_ffffffff); the generation counter makes
 * virtio_cread() read again and get the new value whole.
 */
static void test_config_generation(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st0, st;
	u64 v = 0xffffffffULL, got;

	(void)state;
	hv = bring_up(ALL_TEST_F | V1, 8);
	host_virtio_config_change(hv, offsetof(struct virtio_test_config,
					       counter), &v, sizeof(v));
	wait_for(&T.nr_config_changed, 1);
	virtio_cread(T.vdev, struct virtio_test_config, counter, &got);
	assert_true(got == 0xffffffffULL);

	virtio_test_stats(hv, &st0);
	virtio_test_flip_counter(hv, 1, 0x100000000ULL);
	virtio_cread(T.vdev, struct virtio_test_config, counter, &got);
	assert_true(got == 0x100000000ULL);
	virtio_test_stats(hv, &st);
	/* Two halves, read twice. */
	assert_int_equal(st.nr_config_reads - st0.nr_config_reads, 4);
	wait_for(&T.nr_config_changed, 2);
	assert_false(T.cb_off_cpu);
	assert_int_equal(T.vdev->nr_config_changes, 2);
	unregister_virtio_driver(&tdev_driver);
}

/*
 * Notifications both ways: a kick reaches the device thread, the used
 * buffer interrupt runs the callback on a guest CPU of this machine (not
 * on the host's thread, not on the test thread).  With callbacks disabled
 * the device raises no interrupt; enable_cb() then says work is waiting.
 */
static void test_notifications(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	struct req r[2];

	(void)state;
	hv = bring_up(ALL_TEST_F | V1, 8);
	req_init(&r[0], 32, 64, 1);
	assert_int_equal(add_req(&r[0], 1), 0);
	wait_for(&T.nr_callbacks, 1);
	assert_int_equal(T.nr_done, 1);
	assert_false(T.cb_off_cpu);
	assert_ptr_equal(T.cb_machine, m);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_notifies, 1);
	assert_int_equal(st.nr_irqs, 1);

	spin_lock(&T.lock);
	virtqueue_disable_cb(T.vq);
	spin_unlock(&T.lock);
	req_init(&r[1], 32, 64, 2);
	assert_int_equal(add_req(&r[1], 2), 0);
	wait_completed(hv, 2);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_irqs, 1);
	spin_lock(&T.lock);
	assert_false(virtqueue_enable_cb(T.vq));
	__reap(T.vq);
	spin_unlock(&T.lock);
	assert_int_equal(T.nr_done, 2);
	assert_int_equal(T.done_token[1], 2);
	assert_answer(&r[1], 32, 64, T.done_len[1]);
	unregister_virtio_driver(&tdev_driver);
	req_free(&r[0]);
	req_free(&r[1]);
}

/*
 * Removal with buffers in flight (a 16-entry queue): two chains held by
 * the device (batch 4 waits for four) and three never taken (hold).  remove() resets the
 * device, which forgets what it held; detach_unused_buf() returns all
 * five tokens; the ring pages go back to the allocator.
 */
static void test_remove_in_flight(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	unsigned long free0;
	u32 batch = 4;
	struct req r;
	int i;

	(void)state;
	assert_int_equal(foliage_drain_pages(m), 0);
	free0 = vmstat(m, "nr_free_pages");
	hv = bring_up(ALL_TEST_F | V1, 16);
	virtio_cwrite(T.vdev, struct virtio_test_config, batch, &batch);
	req_init(&r, 8, 64, 5);
	for (i = 0; i < 2; i++)
		assert_int_equal(add_req(&r, i + 1), 0);
	for (;;) {
		virtio_test_stats(hv, &st);
		if (st.nr_held == 2)
			break;
		usleep(100);
	}
	virtio_test_set_hold(hv, true);
	for (i = 2; i < 5; i++)
		assert_int_equal(add_req(&r, i + 1), 0);
	unregister_virtio_driver(&tdev_driver);
	assert_int_equal(T.nr_detached, 5);
	assert_int_equal(T.nr_done, 0);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_held, 0);
	assert_int_equal(st.nr_completed, 0);
	req_free(&r);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), free0);
}

/*
 * Destroying the machine with a driver bound and buffers in flight: the
 * driver's remove() runs at shutdown, the host's threads stop; nothing
 * leaks (ASan) and nothing is touched after it is freed.
 */
static void test_destroy_in_flight(void **state)
{
	struct host_virtio_device *hv;
	struct req r;
	int i;

	(void)state;
	hv = bring_up(ALL_TEST_F | V1, 8);
	virtio_test_set_hold(hv, true);
	req_init(&r, 8, 64, 5);
	for (i = 0; i < 3; i++)
		assert_int_equal(add_req(&r, i + 1), 0);
	test_machine_done(m);
	m = NULL;
	assert_int_equal(T.nr_removes, 1);
	assert_int_equal(T.nr_detached, 3);
}

/*
 * A guest that breaks the ring: a descriptor pointing outside guest RAM.
 * The device does not touch it; it sets NEEDS_RESET and raises a config
 * interrupt, and the buffer is only reclaimed by the reset at remove().
 */
static void test_bad_descriptor(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	struct vring_desc *desc;
	struct req r;

	(void)state;
	hv = bring_up(ALL_TEST_F | V1, 8);
	desc = pfn_to_virt(virtqueue_get_desc_addr(T.vq) >> PAGE_SHIFT);
	req_init(&r, 8, 64, 5);
	spin_lock(&T.lock);
	assert_int_equal(virtqueue_add_outbuf(T.vq, &r.sg_out, 1, (void *)1,
					      0), 0);
	/* The first buffer took descriptor 0. */
	assert_true(desc[0].addr == sg_phys(&r.sg_out));
	desc[0].addr = 1ULL << 40;
	virtqueue_kick(T.vq);
	spin_unlock(&T.lock);
	wait_for(&T.nr_config_changed, 1);
	assert_true(T.vdev->config->get_status(T.vdev) &
		    VIRTIO_CONFIG_S_NEEDS_RESET);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_completed, 0);
	assert_int_equal(T.nr_done, 0);
	unregister_virtio_driver(&tdev_driver);
	assert_int_equal(T.nr_detached, 1);
	req_free(&r);
}

/*
 * A host that loses interrupts (HOST_FAULT_DROP_IRQ): the device completes
 * the buffer but no callback runs; the driver still finds it by polling.
 */
static void test_dropped_interrupt(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	struct req r;

	(void)state;
	hv = bring_up(ALL_TEST_F | V1, 8);
	host_device_set_faults(hv->dev, HOST_FAULT_DROP_IRQ);
	req_init(&r, 8, 64, 5);
	assert_int_equal(add_req(&r, 1), 0);
	wait_completed(hv, 1);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_irqs, 0);
	assert_int_equal(T.nr_callbacks, 0);
	spin_lock(&T.lock);
	__reap(T.vq);
	spin_unlock(&T.lock);
	assert_int_equal(T.nr_done, 1);
	assert_answer(&r, 8, 64, T.done_len[0]);
	unregister_virtio_driver(&tdev_driver);
	req_free(&r);
}

/*
 * Notification suppression both ways, with and without the event index.
 * Kicks: while the device takes nothing (hold), a second buffer needs no
 * kick with EVENT_IDX (avail_event still says 0), but does without it.
 * Interrupts: the driver's callback does not reap; the second completion
 * interrupts only without EVENT_IDX (used_event still says 0).  Once the
 * driver has reaped both (used_event 2), the third completion interrupts
 * in both cases.
 */
static void event_idx_sequence(u64 features, unsigned long kicks,
			       unsigned long irqs)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	struct req r[3];
	int i;

	hv = bring_up(ALL_TEST_F | V1 | features, 8);
	assert_int_equal(__virtio_test_bit(T.vdev, VIRTIO_RING_F_EVENT_IDX),
			 features != 0);
	for (i = 0; i < 3; i++)
		req_init(&r[i], 8, 64, i);

	virtio_test_set_hold(hv, true);
	assert_int_equal(add_req(&r[0], 1), 0);
	assert_int_equal(add_req(&r[1], 2), 0);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_notifies, kicks);
	T.no_reap = true;
	virtio_test_set_hold(hv, false);	/* the host looks anyway */
	wait_completed(hv, 2);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_irqs, irqs);
	spin_lock(&T.lock);
	__reap(T.vq);
	T.no_reap = false;
	spin_unlock(&T.lock);
	assert_int_equal(T.nr_done, 2);

	assert_int_equal(add_req(&r[2], 3), 0);
	wait_for(&T.nr_done, 3);
	virtio_test_stats(hv, &st);
	assert_int_equal(st.nr_irqs, irqs + 1);
	assert_answer(&r[2], 8, 64, T.done_len[2]);
	unregister_virtio_driver(&tdev_driver);
	for (i = 0; i < 3; i++)
		req_free(&r[i]);
}

static void test_event_idx(void **state)
{
	(void)state;
	event_idx_sequence(EVENT, 1, 1);
}

static void test_no_event_idx(void **state)
{
	(void)state;
	event_idx_sequence(0, 2, 2);
}

#define NR_THREADS	2
#define PER_THREAD	1000

struct worker {
	int id;				/* 0.. */
	unsigned long sent;		/* buffers added */
	unsigned long retries;		/* -ENOSPC seen */
	struct req r[4];		/* its requests, reused */
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned long i;
	int j;

	if (machine_enter(m))
		return NULL;
	for (j = 0; j < 4; j++)
		req_init(&w->r[j], 64, 68, w->id * 16 + j);
	for (i = 0; i < PER_THREAD; i++) {
		uintptr_t token = ((uintptr_t)w->id << 24) | (i + 1);

		while (add_req(&w->r[i % 4], token) == -ENOSPC) {
			w->retries++;
			guest_usleep(50);
		}
		w->sent++;
	}
	return NULL;
}

/*
 * Many buffers from two guest CPUs at once, completed on the interrupt
 * CPU, while the device thread serves the queue: every token comes back
 * exactly once, each with used_len 68 (4 + 64), in each thread's order.
 * The event index is on, as Linux and QEMU negotiate it: a lost kick or
 * interrupt would leave the test waiting.  Run under TSan this checks the
 * rings' publication order.
 */
static void test_many_threads(void **state)
{
	struct worker w[NR_THREADS];
	pthread_t t[NR_THREADS];
	unsigned long next[NR_THREADS] = { 0 };
	unsigned long i;
	int k;

	(void)state;
	bring_up(ALL_TEST_F | V1 | EVENT, 64);
	memset(w, 0, sizeof(w));
	for (k = 0; k < NR_THREADS; k++) {
		w[k].id = k;
		assert_int_equal(pthread_create(&t[k], NULL, worker_fn, &w[k]),
				 0);
	}
	/* The interrupts' CPU is this thread's: it is given up meanwhile. */
	cpu_sleep_begin();
	for (k = 0; k < NR_THREADS; k++)
		pthread_join(t[k], NULL);
	cpu_sleep_end();
	for (k = 0; k < NR_THREADS; k++)
		assert_int_equal(w[k].sent, PER_THREAD);
	wait_for(&T.nr_done, NR_THREADS * PER_THREAD);
	for (i = 0; i < NR_THREADS * PER_THREAD; i++) {
		uintptr_t token = T.done_token[i % MAX_DONE];

		k = token >> 24;
		assert_true(k < NR_THREADS);
		/* One queue, one device: each thread's order is kept. */
		assert_int_equal(token & 0xffffff, ++next[k]);
		assert_int_equal(T.done_len[i % MAX_DONE], 68);
	}
	for (k = 0; k < NR_THREADS; k++)
		assert_answer(&w[k].r[0], 64, 68, 68);
	assert_int_equal(T.vq->num_free, 64);
	assert_false(T.cb_off_cpu);
	unregister_virtio_driver(&tdev_driver);
	for (k = 0; k < NR_THREADS; k++)
		for (i = 0; i < 4; i++)
			req_free(&w[k].r[i]);
}

/*
 * The ring's pages cannot be had (fail_page_alloc fails the next
 * allocation): find_vqs() fails with -ENOMEM, the probe fails and leaves
 * the device FAILED, and nothing is lost: the free page count is what it
 * was (and ASan sees no leak of the driver's bookkeeping).
 */
static void test_probe_without_memory(void **state)
{
	struct host_virtio_device *hv;
	struct virtio_test_stats st;
	unsigned long free0;

	(void)state;
	assert_int_equal(foliage_drain_pages(m), 0);
	free0 = vmstat(m, "nr_free_pages");
	assert_int_equal(virtio_test_device_add(m->host, ALL_TEST_F | V1, 8,
						&hv), 0);
	assert_int_equal(virtio_mmio_scan(), 1);
	assert_int_equal(foliage_set(m, "fail_page_alloc.ignore-gfp-wait", "N"),
			 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.min-order", "0"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.times", "1"), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "100"),
			 0);
	assert_int_equal(register_virtio_driver(&tdev_driver), 0);
	assert_int_equal(foliage_set(m, "fail_page_alloc.probability", "0"),
			 0);
	assert_int_equal(T.nr_probes, 0);
	virtio_test_stats(hv, &st);
	assert_true(st.status & VIRTIO_CONFIG_S_FAILED);
	assert_false(st.status & VIRTIO_CONFIG_S_DRIVER_OK);
	unregister_virtio_driver(&tdev_driver);
	assert_int_equal(foliage_drain_pages(m), 0);
	assert_int_equal(vmstat(m, "nr_free_pages"), free0);
}

/* A one-CPU machine, entered, with the test device bound to the driver. */
static struct foliage_machine *one_cpu_bring_up(struct host_virtio_device **hv)
{
	struct foliage_config cfg;
	struct foliage_machine *one;

	foliage_config_init(&cfg);
	cfg.nr_cpus = 1;
	one = test_machine_cfg(&cfg);
	assert_int_equal(machine_enter(one), 0);
	assert_int_equal(virtio_test_device_add(one->host, ALL_TEST_F | V1, 8,
						hv), 0);
	assert_int_equal(virtio_mmio_scan(), 1);
	assert_int_equal(register_virtio_driver(&tdev_driver), 0);
	assert_int_equal(T.nr_probes, 1);
	return one;
}

/*
 * A one-CPU machine works with devices: the interrupt runs on CPU 0's
 * kworker while the test thread, attached to that same CPU, sleeps waiting
 * for it.  Then an interrupt is raised while the test thread keeps the
 * only CPU (so it cannot be delivered), and the machine is destroyed: the
 * driver's remove() runs, the raised interrupt is dropped, never run.
 */
static void test_one_cpu_machine(void **state)
{
	struct host_virtio_device *hv;
	struct foliage_machine *one;
	struct req r;

	(void)state;
	one = one_cpu_bring_up(&hv);
	req_init(&r, 32, 64, 3);
	assert_int_equal(add_req(&r, 1), 0);
	wait_for(&T.nr_callbacks, 1);
	assert_int_equal(T.nr_done, 1);
	assert_answer(&r, 32, 64, T.done_len[0]);
	assert_false(T.cb_off_cpu);
	assert_ptr_equal(T.cb_machine, one);
	assert_int_equal(foliage_validate(one), 0);
	if (foliage_bugs(one))
		fail_msg("bug: %s", foliage_first_bug(one));

	assert_int_equal(machine_enter(one), 0);
	assert_int_equal(add_req(&r, 2), 0);
	wait_irqs(hv, 2);
	assert_int_equal(aload(&T.nr_callbacks), 1);
	foliage_machine_destroy(one);
	assert_int_equal(T.nr_removes, 1);
	assert_int_equal(aload(&T.nr_callbacks), 1);
	assert_int_equal(machine_enter(m), 0);
}

static void *releaser_fn(void *arg)
{
	(void)arg;
	/* Destroy has reached the driver while the handler runs. */
	while (!aload(&T.removing))
		usleep(100);
	usleep(1000);
	__atomic_store_n(&T.cb_release, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Destroying the machine while an interrupt handler runs (on CPU 0; the
 * test thread runs on CPU 1): the driver's remove() waits in del_vqs()
 * for the handler to return (free_irq()), so the handler sees no removal
 * and returns before the queues and the device go; destroy returns after.
 */
static void test_destroy_handler_running(void **state)
{
	struct req r;
	pthread_t t;

	(void)state;
	assert_int_equal(foliage_cpu_detach(m), 0);
	assert_int_equal(foliage_cpu_attach(m, 1), 1);
	assert_int_equal(machine_enter(m), 0);
	bring_up(ALL_TEST_F | V1, 8);
	__atomic_store_n(&T.hold_cb, 1, __ATOMIC_RELEASE);
	req_init(&r, 8, 64, 9);
	assert_int_equal(add_req(&r, 1), 0);
	wait_for(&T.cb_held, 1);
	assert_int_equal(pthread_create(&t, NULL, releaser_fn, NULL), 0);
	/* No validation: it would wait for the handler's CPU. */
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
	foliage_machine_destroy(m);
	m = NULL;
	pthread_join(t, NULL);
	assert_int_equal(aload(&T.nr_callbacks), 1);
	assert_int_equal(T.cb_seen_removes, 0);
	assert_int_equal(aload(&T.nr_removes), 1);
	assert_false(T.cb_off_cpu);
}

struct squatter {
	struct foliage_machine *m;	/* the machine to attach to */
	pthread_barrier_t attached;	/* it holds the CPU now */
	pthread_barrier_t release;	/* the machine is gone: exit */
};

static void *squatter_fn(void *arg)
{
	struct squatter *sq = arg;

	assert_int_equal(foliage_cpu_attach(sq->m, 0), 0);
	pthread_barrier_wait(&sq->attached);
	pthread_barrier_wait(&sq->release);
	return NULL;
}

/*
 * A machine destroyed by a thread that cannot run in it (its one CPU is
 * attached to another thread): drivers cannot run, but the transport's
 * memory (bus, devices, queues' bookkeeping) is still freed, which ASan's
 * leak checker verifies.
 */
static void test_destroy_without_cpu(void **state)
{
	struct host_virtio_device *hv;
	struct foliage_machine *one;
	struct squatter sq;
	pthread_t t;

	(void)state;
	one = one_cpu_bring_up(&hv);
	assert_int_equal(foliage_validate(one), 0);
	assert_int_equal(foliage_cpu_detach(one), 0);

	sq.m = one;
	pthread_barrier_init(&sq.attached, NULL, 2);
	pthread_barrier_init(&sq.release, NULL, 2);
	assert_int_equal(pthread_create(&t, NULL, squatter_fn, &sq), 0);
	pthread_barrier_wait(&sq.attached);
	foliage_machine_destroy(one);
	assert_int_equal(T.nr_removes, 0);
	/* The driver's pointers would hide a leak of what they point to. */
	T.vdev = NULL;
	T.vq = NULL;
	INIT_LIST_HEAD(&tdev_driver.list);
	pthread_barrier_wait(&sq.release);
	pthread_join(t, NULL);
	pthread_barrier_destroy(&sq.attached);
	pthread_barrier_destroy(&sq.release);
	assert_int_equal(machine_enter(m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_feature_negotiation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_clears_feature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validate_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_refuses_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_used_len, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptors_recycled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notifications, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_in_flight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropped_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_without_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_cpu_machine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_without_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_handler_running, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
