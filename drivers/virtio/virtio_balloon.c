// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-balloon driver (Linux's drivers/virtio/virtio_balloon.c with
 * the seed's DEVICE_INIT_ON_INFLATE), see include/linux/virtio_balloon.h.
 *
 *   host: config.num_pages = T ---> config irq (CPU 0's kworker)
 *                                   virtballoon_changed(): queue size work
 *   balloon worker (kthread, CPU 0): towards_target() = T - num_pages
 *     > 0  fill_balloon(): balloon_page_alloc() x <= 256, enqueue,
 *          MemTotal -= 1 each (unless DEFLATE_ON_OOM), tell the host on
 *          the inflate queue and wait for it; bit 7: its bitmap marks the
 *          pages it initialised PG_zeroed
 *     < 0  leak_balloon(): dequeue <= 256, tell the host first (the
 *          MUST_TELL_HOST order), then free them (PG_zeroed ones with
 *          put_page_zeroed(), i.e. FPI_ZEROED), MemTotal += 1 each
 *     then config.actual = num_pages; again while not at the target
 *
 * Work runs on a kernel thread of the driver's own, not on a kworker:
 * Linux's work items here sleep until the device answers, which its
 * workqueue pools cover by starting another worker; foliage's pools have
 * one worker a CPU, and the answer's interrupt is queued on that same
 * worker of CPU 0, so a work item waiting for it there would wait
 * forever (docs/fidelity.md).
 *
 * Locks: balloon_lock (a sleeping lock: taken with the CPU given up)
 * serialises inflate, deflate and migration, as Linux's mutex; vq_lock
 * serialises every virtqueue operation (the callbacks reap used buffers
 * on CPU 0 while a waiter adds on another CPU); work_lock protects the
 * worker's pending work; ack_lock/ack_cond wake waiters.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/balloon_compaction.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/machine_subsys.h>
#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/page_reporting.h>
#include <linux/scatterlist.h>
#include <linux/swap.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#define VIRTIO_BALLOON_ARRAY_PFNS_MAX	256	/* PFNs a message */
#define OOM_VBALLOON_DEFAULT_PAGES	256	/* deflated per OOM */
#define VIRTBALLOON_OOM_NOTIFY_PRIORITY	80
#define PAGE_POISON			0xaa	/* Linux's poison byte */
#define BALLOON_OUT_OF_PUFF_MS		200	/* retry an inflate after */
#define VIRTIO_BALLOON_REPORT_MAX	32	/* blocks a report: the capacity */

enum balloon_vq {
	VIRTIO_BALLOON_VQ_INFLATE,
	VIRTIO_BALLOON_VQ_DEFLATE,
	VIRTIO_BALLOON_VQ_STATS,
	VIRTIO_BALLOON_VQ_FREE_PAGE,
	VIRTIO_BALLOON_VQ_REPORTING,
	VIRTIO_BALLOON_VQ_MAX,
};

const char *const virtio_balloon_feature_names[VIRTIO_BALLOON_NR_FEATURES] = {
	"must_tell_host", "stats_vq", "deflate_on_oom", "free_page_hint",
	"page_poison", "reporting", "device_init_reported",
	"device_init_on_inflate",
};

const char *const virtio_balloon_stat_names[VIRTIO_BALLOON_S_NR] = {
	"swap_in", "swap_out", "major_faults", "minor_faults", "free_memory",
	"total_memory", "available_memory", "disk_caches",
	"hugetlb_allocations", "hugetlb_failures", "oom_kills",
	"alloc_stalls", "async_scans", "direct_scans", "async_reclaims",
	"direct_reclaims",
};

/* What the device reads and writes: one guest page of the driver's. */
struct balloon_dma {
	u32 pfns[VIRTIO_BALLOON_ARRAY_PFNS_MAX]; /* a message's PFNs */
	u8 init_bitmap[VIRTIO_BALLOON_ARRAY_PFNS_MAX / 8]; /* bit 7's answer */
	struct virtio_balloon_stat stats[VIRTIO_BALLOON_S_NR]; /* stats */
	u32 cmd_id_active;		/* free page hinting: the start id */
	u32 cmd_id_stop;		/* and the stop id */
};

/* The worker's items, as Linux's work_structs. */
enum balloon_work {
	BALLOON_WORK_SIZE,		/* update_balloon_size_work */
	BALLOON_WORK_STATS,		/* update_balloon_stats_work */
	BALLOON_WORK_FREE_PAGE,		/* report_free_page_work */
	BALLOON_NR_WORK,
};

struct virtio_balloon {
	struct virtio_device *vdev;	/* the device */
	struct foliage_machine *machine; /* its guest */
	struct virtqueue *vqs[VIRTIO_BALLOON_VQ_MAX]; /* NULL: not used */
	struct page *dma_page;		/* guest page holding dma */
	struct balloon_dma *dma;	/* its contents */
	/* The worker */
	struct kthread *worker;		/* runs the work items */
	pthread_mutex_t work_lock;	/* protects the five below */
	pthread_cond_t idle_cond;	/* broadcast when the worker idles */
	bool pending[BALLOON_NR_WORK];	/* queued items */
	bool busy;			/* an item runs */
	bool stop_update;		/* removal: queue nothing more */
	struct delayed_work retry_work;	/* out of puff: try again later */
	/* Device answers */
	spinlock_t vq_lock;		/* every virtqueue operation */
	pthread_mutex_t ack_lock;	/* protects the two below */
	pthread_cond_t ack_cond;	/* broadcast by callbacks */
	unsigned long nr_used[VIRTIO_BALLOON_VQ_MAX]; /* buffers returned */
	unsigned long nr_added[VIRTIO_BALLOON_VQ_MAX]; /* buffers added */
	unsigned int used_len[VIRTIO_BALLOON_VQ_MAX]; /* the last one's */
	bool stats_returned;		/* the host gave the stats buffer back */
	/* The balloon */
	pthread_mutex_t balloon_lock;	/* inflate, deflate, migration */
	unsigned int num_pages;		/* 4K balloon pages held */
	unsigned int num_pfns;		/* PFNs in dma->pfns */
	struct balloon_dev_info vb_dev_info; /* the pages */
	struct notifier_block oom_nb;	/* DEFLATE_ON_OOM */
	bool oom_registered;		/* oom_nb is on the chain */
	/* Free page hinting (FREE_PAGE_HINT) */
	bool read_cmd_id;		/* config changed: re-read the id */
	u32 cmd_id_received_cache;	/* the host's command id, as read */
	spinlock_t free_page_list_lock;	/* protects the two below */
	struct list_head free_page_list; /* order-10 blocks hinted, held */
	unsigned long num_free_page_blocks; /* blocks on it */
	struct notifier_block hint_oom_nb; /* gives them back when short */
	/* Free page reporting (REPORTING) */
	struct page_reporting_dev_info pr_dev_info; /* what mm calls */
	bool pr_registered;		/* pr_dev_info is registered */
	u32 report_len[VIRTIO_BALLOON_REPORT_MAX]; /* each buffer's used_len */
	unsigned long reported_pages;	/* 4K pages reported; ack_lock */
	unsigned long reported_zeroed_pages; /* of those, initialised */
	/* Counters for show balloon (under balloon_lock) */
	unsigned long inflated;		/* pages ever inflated */
	unsigned long deflated;		/* pages ever deflated */
	unsigned long oom_deflated;	/* of those, for the OOM notifier */
	unsigned long zeroed_pages;	/* balloon pages with PG_zeroed */
	unsigned long nr_stats_answers;	/* stats buffers sent */
	unsigned long hinted_blocks;	/* hint blocks ever sent; work_lock */
};

/* The driver's per-machine state (balloon_subsys). */
struct balloon_state {
	struct virtio_driver driver;	/* registered on this machine's bus */
	pthread_mutex_t lock;		/* protects vb */
	struct virtio_balloon *vb;	/* the bound device's state, or NULL */
	int probe_err;			/* the last probe's error */
	struct host_virtio_device *host_dev; /* the VMM's device, if added */
};

static bool has(const struct virtio_balloon *vb, unsigned int fbit)
{
	return virtio_has_feature(vb->vdev, fbit);
}

/* ---- locks and waits -------------------------------------------------- */

/* A sleeping lock: never block while holding a CPU. */
static void balloon_mutex_lock(pthread_mutex_t *lock)
{
	if (!pthread_mutex_trylock(lock))
		return;
	cpu_sleep_begin();
	pthread_mutex_lock(lock);
	cpu_sleep_end();
}

/*
 * Which of vb->vqs[] @vq is: the transport numbers only the queues in use,
 * so vq->index is not the role.
 */
static unsigned int balloon_vq_idx(struct virtio_balloon *vb,
				   struct virtqueue *vq)
{
	unsigned int i;

	for (i = 0; i < VIRTIO_BALLOON_VQ_MAX - 1; i++)
		if (vb->vqs[i] == vq)
			break;
	return i;
}

/*
 * Every callback: reap what the device returned, wake the waiters.  A
 * token other than vb is a u32 that receives its buffer's used_len (the
 * reported blocks of DEVICE_INIT_REPORTED).
 */
static void balloon_reap(struct virtio_balloon *vb, struct virtqueue *vq)
{
	unsigned int len, idx = balloon_vq_idx(vb, vq);
	void *token;

	for (;;) {
		spin_lock(&vb->vq_lock);
		token = virtqueue_get_buf(vq, &len);
		spin_unlock(&vb->vq_lock);
		if (!token)
			break;
		pthread_mutex_lock(&vb->ack_lock);
		if (token != vb)
			*(u32 *)token = len;
		vb->nr_used[idx]++;
		vb->used_len[idx] = len;
		/* Waiters: tell_host(), settle, a report on another CPU. */
		pthread_cond_broadcast(&vb->ack_cond);
		pthread_mutex_unlock(&vb->ack_lock);
	}
}

static void balloon_ack(struct virtqueue *vq)
{
	struct virtio_balloon *vb = vq->vdev->priv;

	balloon_reap(vb, vq);
}

/*
 * Wait, CPU given up, until queue @idx has returned more than @seen
 * buffers; the last one's used_len, or -EIO if the device broke.
 */
static int balloon_wait_used(struct virtio_balloon *vb, unsigned int idx,
			     unsigned long seen)
{
	int ret;

	cpu_sleep_begin();
	pthread_mutex_lock(&vb->ack_lock);
	while (vb->nr_used[idx] == seen &&
	       !virtqueue_is_broken(vb->vqs[idx]))
		pthread_cond_wait(&vb->ack_cond, &vb->ack_lock);
	ret = vb->nr_used[idx] != seen ? (int)vb->used_len[idx] : -EIO;
	pthread_mutex_unlock(&vb->ack_lock);
	cpu_sleep_end();
	return ret;
}

/* @n buffers were added to queue @idx. */
static void balloon_added(struct virtio_balloon *vb, unsigned int idx,
			  unsigned int n)
{
	pthread_mutex_lock(&vb->ack_lock);
	vb->nr_added[idx] += n;
	pthread_mutex_unlock(&vb->ack_lock);
}

static unsigned long balloon_nr_used(struct virtio_balloon *vb,
				     unsigned int idx)
{
	unsigned long n;

	pthread_mutex_lock(&vb->ack_lock);
	n = vb->nr_used[idx];
	pthread_mutex_unlock(&vb->ack_lock);
	return n;
}

/*
 * Hand @sgs to queue @idx and wait for the device to return them: the
 * used_len, or a negative errno (the device is broken).
 */
static int balloon_send(struct virtio_balloon *vb, unsigned int idx,
			struct scatterlist *sgs[], unsigned int out,
			unsigned int in)
{
	struct virtqueue *vq = vb->vqs[idx];
	unsigned long seen = balloon_nr_used(vb, idx);
	int err;

	spin_lock(&vb->vq_lock);
	err = virtqueue_add_sgs(vq, sgs, out, in, vb, GFP_KERNEL);
	if (!err)
		virtqueue_kick(vq);
	spin_unlock(&vb->vq_lock);
	if (err)
		return err;
	balloon_added(vb, idx, 1);
	return balloon_wait_used(vb, idx, seen);
}

/*
 * Tell the host about dma->pfns on the inflate or deflate queue (Linux's
 * tell_host()).  On the inflate queue with DEVICE_INIT_ON_INFLATE the
 * chain carries the bitmap too.  Caller holds balloon_lock.
 */
static int tell_host(struct virtio_balloon *vb, unsigned int idx)
{
	struct scatterlist sg_out, sg_in, *sgs[2] = { &sg_out, &sg_in };
	bool bitmap = idx == VIRTIO_BALLOON_VQ_INFLATE &&
		      has(vb, VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE);

	sg_init_one(&sg_out, vb->dma->pfns, sizeof(u32) * vb->num_pfns);
	if (bitmap) {
		memset(vb->dma->init_bitmap, 0, sizeof(vb->dma->init_bitmap));
		sg_init_one(&sg_in, vb->dma->init_bitmap,
			    DIV_ROUND_UP(vb->num_pfns, 8));
	}
	return balloon_send(vb, idx, sgs, 1, bitmap ? 1 : 0);
}

/* ---- the worker ----------------------------------------------------- */

static void queue_balloon_work(struct virtio_balloon *vb,
			       enum balloon_work w)
{
	pthread_mutex_lock(&vb->work_lock);
	if (!vb->stop_update) {
		vb->pending[w] = true;
		/* The worker reads pending[] under work_lock before it sleeps. */
		wake_up_process(vb->worker);
	}
	pthread_mutex_unlock(&vb->work_lock);
}

static void balloon_retry_fn(struct work_struct *work)
{
	struct virtio_balloon *vb = container_of(to_delayed_work(work),
						 struct virtio_balloon,
						 retry_work);

	queue_balloon_work(vb, BALLOON_WORK_SIZE);
}

/* ---- inflate and deflate ------------------------------------------- */

static void balloon_account(struct virtio_balloon *vb, struct page *page,
			    long nr)
{
	if (!has(vb, VIRTIO_BALLOON_F_DEFLATE_ON_OOM))
		adjust_managed_page_count(page, nr);
}

/*
 * Bit 7: pages whose bit is set within used_len * 8 bits were initialised
 * by the device; they are PG_zeroed while in the balloon.
 */
static void balloon_mark_initialised(struct virtio_balloon *vb, int used_len)
{
	unsigned int i;

	if (used_len <= 0)
		return;
	for (i = 0; i < vb->num_pfns && i < (unsigned int)used_len * 8; i++) {
		struct page *page;

		if (!(vb->dma->init_bitmap[i / 8] & (1U << (i % 8))))
			continue;
		page = pfn_to_page(vb->dma->pfns[i]);
		if (!PageZeroed(page)) {
			__SetPageZeroed(page);
			vb->zeroed_pages++;
		}
	}
}

/* Inflate by up to @num pages, one message; the pages inflated. */
static unsigned int fill_balloon(struct virtio_balloon *vb, size_t num,
				 bool *out_of_puff)
{
	unsigned int done;
	int used;

	num = min(num, (size_t)VIRTIO_BALLOON_ARRAY_PFNS_MAX);
	*out_of_puff = false;
	balloon_mutex_lock(&vb->balloon_lock);
	for (vb->num_pfns = 0; vb->num_pfns < num; vb->num_pfns++) {
		struct page *page = balloon_page_alloc();

		if (!page) {
			*out_of_puff = true;
			break;
		}
		balloon_page_enqueue(&vb->vb_dev_info, page);
		vb->dma->pfns[vb->num_pfns] = (u32)page_to_pfn(page);
		vb->num_pages++;
		balloon_account(vb, page, -1);
	}
	done = vb->num_pfns;
	if (done) {
		used = tell_host(vb, VIRTIO_BALLOON_VQ_INFLATE);
		if (has(vb, VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE))
			balloon_mark_initialised(vb, used);
		vb->inflated += done;
	}
	pthread_mutex_unlock(&vb->balloon_lock);
	return done;
}

/* Free the pages named in dma->pfns.  Caller holds balloon_lock. */
static void release_pages_balloon(struct virtio_balloon *vb)
{
	unsigned int i;

	for (i = 0; i < vb->num_pfns; i++) {
		struct page *page = pfn_to_page(vb->dma->pfns[i]);

		balloon_account(vb, page, 1);
		if (PageZeroed(page)) {
			/* The host initialised it: free it known zero. */
			__ClearPageZeroed(page);
			vb->zeroed_pages--;
			put_page_zeroed(page);
		} else {
			put_page(page);
		}
	}
}

/* Deflate by up to @num pages, one message; the pages deflated. */
static unsigned int leak_balloon(struct virtio_balloon *vb, size_t num)
{
	unsigned int done;

	num = min(num, (size_t)VIRTIO_BALLOON_ARRAY_PFNS_MAX);
	balloon_mutex_lock(&vb->balloon_lock);
	for (vb->num_pfns = 0; vb->num_pfns < num; vb->num_pfns++) {
		struct page *page = balloon_page_dequeue(&vb->vb_dev_info);

		if (!page)
			break;
		vb->dma->pfns[vb->num_pfns] = (u32)page_to_pfn(page);
		vb->num_pages--;
	}
	done = vb->num_pfns;
	/*
	 * The host hears of the pages before the guest uses them again:
	 * what MUST_TELL_HOST requires, done whether or not negotiated.
	 */
	if (done)
		(void)tell_host(vb, VIRTIO_BALLOON_VQ_DEFLATE);
	release_pages_balloon(vb);
	vb->deflated += done;
	pthread_mutex_unlock(&vb->balloon_lock);
	return done;
}

static s64 towards_target(struct virtio_balloon *vb)
{
	u32 num_pages;

	virtio_cread(vb->vdev, struct virtio_balloon_config, num_pages,
		     &num_pages);
	return (s64)num_pages - vb->num_pages;
}

static void update_balloon_size(struct virtio_balloon *vb)
{
	u32 actual = vb->num_pages;

	virtio_cwrite(vb->vdev, struct virtio_balloon_config, actual,
		      &actual);
}

static void update_balloon_size_func(struct virtio_balloon *vb)
{
	bool out_of_puff = false;
	s64 diff = towards_target(vb);

	if (!diff)
		return;
	if (diff > 0)
		diff -= fill_balloon(vb, diff, &out_of_puff);
	else
		diff += leak_balloon(vb, -diff);
	update_balloon_size(vb);
	if (!diff)
		return;
	/* Linux sleeps 200 ms when out of puff, then tries again. */
	if (out_of_puff)
		queue_delayed_work(system_wq, &vb->retry_work,
				   msecs_to_jiffies(BALLOON_OUT_OF_PUFF_MS));
	else
		queue_balloon_work(vb, BALLOON_WORK_SIZE);
}

/* ---- balloon page migration ----------------------------------------- */

/*
 * Linux's virtballoon_migratepage(): @newpage takes @page's place.  The
 * host hears of @newpage on the inflate queue first, then of @page on
 * the deflate queue.  The hint is kept: @newpage is PG_zeroed if the
 * host initialised it (bit 7), and @page keeps PG_zeroed if it had it.
 */
static int virtballoon_migratepage(struct balloon_dev_info *b_dev_info,
				   struct page *newpage, struct page *page)
{
	struct virtio_balloon *vb = container_of(b_dev_info,
						 struct virtio_balloon,
						 vb_dev_info);
	int used;

	/* Never wait for inflate/deflate here, as Linux: try again later. */
	if (pthread_mutex_trylock(&vb->balloon_lock))
		return -EAGAIN;
	balloon_page_replace(b_dev_info, newpage, page);
	if (!has(vb, VIRTIO_BALLOON_F_DEFLATE_ON_OOM) &&
	    page_zone(page) != page_zone(newpage)) {
		adjust_managed_page_count(page, 1);
		adjust_managed_page_count(newpage, -1);
	}
	vb->num_pfns = 1;
	vb->dma->pfns[0] = (u32)page_to_pfn(newpage);
	used = tell_host(vb, VIRTIO_BALLOON_VQ_INFLATE);
	if (has(vb, VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE))
		balloon_mark_initialised(vb, used);
	vb->num_pfns = 1;
	vb->dma->pfns[0] = (u32)page_to_pfn(page);
	(void)tell_host(vb, VIRTIO_BALLOON_VQ_DEFLATE);
	if (PageZeroed(page))
		vb->zeroed_pages--;
	pthread_mutex_unlock(&vb->balloon_lock);
	/*
	 * The balloon's reference.  PG_zeroed stays on @page: whoever drops
	 * the last reference frees it with put_page_zeroed() (the host
	 * discarded it, it is still zero).
	 */
	if (PageZeroed(page))
		put_page_zeroed(page);
	else
		put_page(page);
	return 0;
}

/* ---- DEFLATE_ON_OOM --------------------------------------------------- */

static int virtio_balloon_oom_notify(struct notifier_block *nb,
				     unsigned long dummy, void *parm)
{
	struct virtio_balloon *vb = container_of(nb, struct virtio_balloon,
						 oom_nb);
	unsigned long *freed = parm;
	unsigned int n;

	if (!has(vb, VIRTIO_BALLOON_F_DEFLATE_ON_OOM))
		return NOTIFY_OK;
	n = leak_balloon(vb, OOM_VBALLOON_DEFAULT_PAGES);
	balloon_mutex_lock(&vb->balloon_lock);
	vb->oom_deflated += n;
	pthread_mutex_unlock(&vb->balloon_lock);
	update_balloon_size(vb);
	*freed += n;
	return NOTIFY_OK;
}

/* ---- STATS_VQ ----------------------------------------------------------- */

static void update_stat(struct virtio_balloon *vb, unsigned int *idx,
			u16 tag, u64 val)
{
	vb->dma->stats[*idx].tag = tag;
	vb->dma->stats[*idx].val = val;
	(*idx)++;
}

#define pages_to_bytes(x)	((u64)(x) << PAGE_SHIFT)

/* The 16 statistics, from the guest's own counters, in Linux's order. */
static unsigned int update_balloon_stats(struct virtio_balloon *vb)
{
	unsigned long stall = sum_vm_event(ALLOCSTALL_DMA) +
			      sum_vm_event(ALLOCSTALL_DMA32) +
			      sum_vm_event(ALLOCSTALL_NORMAL) +
			      sum_vm_event(ALLOCSTALL_MOVABLE);
	unsigned long total = 0;
	unsigned int idx = 0;
	struct zone *zone;
	int nid, z;

	for (nid = 0; nid < vb->machine->nr_nodes; nid++)
		for (z = 0; z < MAX_NR_ZONES; z++) {
			zone = &vb->machine->node_data[nid]->node_zones[z];
			total += zone_managed_pages(zone);
		}
	update_stat(vb, &idx, VIRTIO_BALLOON_S_SWAP_IN,
		    pages_to_bytes(sum_vm_event(PSWPIN)));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_SWAP_OUT,
		    pages_to_bytes(sum_vm_event(PSWPOUT)));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_MAJFLT,
		    sum_vm_event(PGMAJFAULT));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_MINFLT, sum_vm_event(PGFAULT));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_OOM_KILL,
		    sum_vm_event(OOM_KILL));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_ALLOC_STALL, stall);
	update_stat(vb, &idx, VIRTIO_BALLOON_S_ASYNC_SCAN,
		    pages_to_bytes(sum_vm_event(PGSCAN_KSWAPD)));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_DIRECT_SCAN,
		    pages_to_bytes(sum_vm_event(PGSCAN_DIRECT)));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_ASYNC_RECLAIM,
		    pages_to_bytes(sum_vm_event(PGSTEAL_KSWAPD)));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_DIRECT_RECLAIM,
		    pages_to_bytes(sum_vm_event(PGSTEAL_DIRECT)));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_HTLB_PGALLOC,
		    sum_vm_event(HTLB_BUDDY_ALLOC_SUCCESS));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_HTLB_PGFAIL,
		    sum_vm_event(HTLB_BUDDY_ALLOC_FAIL));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_MEMFREE,
		    pages_to_bytes(global_zone_page_state(NR_FREE_PAGES)));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_MEMTOT, pages_to_bytes(total));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_AVAIL,
		    pages_to_bytes(si_mem_available()));
	update_stat(vb, &idx, VIRTIO_BALLOON_S_CACHES,
		    pages_to_bytes(global_node_page_state(NR_FILE_PAGES)));
	return idx;
}

/*
 * Add the stats buffer (the host keeps it until it wants the next); kick
 * unless @prime (the probe kicks once the device is ready: no
 * notification before DRIVER_OK).
 */
static int balloon_add_stats(struct virtio_balloon *vb, bool prime)
{
	struct scatterlist sg;
	unsigned int n = update_balloon_stats(vb);
	int err;

	sg_init_one(&sg, vb->dma->stats, sizeof(vb->dma->stats[0]) * n);
	spin_lock(&vb->vq_lock);
	err = virtqueue_add_outbuf(vb->vqs[VIRTIO_BALLOON_VQ_STATS], &sg, 1,
				   vb, GFP_KERNEL);
	if (!err && !prime)
		virtqueue_kick(vb->vqs[VIRTIO_BALLOON_VQ_STATS]);
	spin_unlock(&vb->vq_lock);
	if (!err)
		vb->nr_stats_answers++;
	return err;
}

/* The host returned the stats buffer: it asks for fresh ones. */
static void stats_request(struct virtqueue *vq)
{
	struct virtio_balloon *vb = vq->vdev->priv;
	unsigned int len;
	bool got = false;

	spin_lock(&vb->vq_lock);
	while (virtqueue_get_buf(vq, &len))
		got = true;
	spin_unlock(&vb->vq_lock);
	if (!got)
		return;
	pthread_mutex_lock(&vb->ack_lock);
	vb->stats_returned = true;
	pthread_mutex_unlock(&vb->ack_lock);
	queue_balloon_work(vb, BALLOON_WORK_STATS);
}

static void stats_handle_request(struct virtio_balloon *vb)
{
	bool returned;

	pthread_mutex_lock(&vb->ack_lock);
	returned = vb->stats_returned;
	vb->stats_returned = false;
	pthread_mutex_unlock(&vb->ack_lock);
	if (returned)
		(void)balloon_add_stats(vb, false);
}

/* ---- FREE_PAGE_HINT ------------------------------------------------- */

#define VIRTIO_BALLOON_HINT_BLOCK_BYTES \
	(PAGE_SIZE << VIRTIO_BALLOON_HINT_BLOCK_ORDER)
/* Linux's VIRTIO_BALLOON_FREE_PAGE_ALLOC_FLAG */
#define FREE_PAGE_ALLOC_FLAG	(GFP_NOWAIT | __GFP_NORETRY | __GFP_NOWARN | \
				 __GFP_NOMEMALLOC)

/* The host's command id, read again after a config change. */
static u32 virtio_balloon_cmd_id_received(struct virtio_balloon *vb)
{
	bool read;

	pthread_mutex_lock(&vb->work_lock);
	read = vb->read_cmd_id;
	vb->read_cmd_id = false;
	pthread_mutex_unlock(&vb->work_lock);
	if (read)
		virtio_cread(vb->vdev, struct virtio_balloon_config,
			     free_page_hint_cmd_id,
			     &vb->cmd_id_received_cache);
	return vb->cmd_id_received_cache;
}

/* Give up to @num held hint blocks back to the allocator; how many. */
static unsigned long return_free_pages_to_mm(struct virtio_balloon *vb,
					     unsigned long num)
{
	unsigned long done = 0;
	struct page *page;

	while (done < num) {
		spin_lock(&vb->free_page_list_lock);
		page = list_first_entry_or_null(&vb->free_page_list,
						struct page, lru);
		if (page) {
			list_del_init(&page->lru);
			vb->num_free_page_blocks--;
		}
		spin_unlock(&vb->free_page_list_lock);
		if (!page)
			break;
		__free_pages(page, VIRTIO_BALLOON_HINT_BLOCK_ORDER);
		done++;
	}
	return done;
}

/* Add an out buffer holding a command id; no wait (Linux's). */
static int send_cmd_id(struct virtio_balloon *vb, u32 *id)
{
	struct virtqueue *vq = vb->vqs[VIRTIO_BALLOON_VQ_FREE_PAGE];
	struct scatterlist sg;
	int err;

	sg_init_one(&sg, id, sizeof(*id));
	spin_lock(&vb->vq_lock);
	err = virtqueue_add_outbuf(vq, &sg, 1, id, GFP_KERNEL);
	if (!err)
		virtqueue_kick(vq);
	spin_unlock(&vb->vq_lock);
	if (!err)
		balloon_added(vb, VIRTIO_BALLOON_VQ_FREE_PAGE, 1);
	return err;
}

/*
 * Hint one free order-10 block: -EINTR when none is left (all hinted).
 * One entry stays for the stop id; a full queue is waited for (Linux
 * frees the block and tries again, which here would keep CPU 0 from the
 * interrupt that empties the queue).
 */
static int get_free_page_and_send(struct virtio_balloon *vb)
{
	unsigned int idx = VIRTIO_BALLOON_VQ_FREE_PAGE;
	struct virtqueue *vq = vb->vqs[idx];
	struct scatterlist sg;
	unsigned long seen;
	struct page *page;
	bool full;
	int err;

	for (;;) {
		seen = balloon_nr_used(vb, idx);
		spin_lock(&vb->vq_lock);
		full = vq->num_free <= 1;
		spin_unlock(&vb->vq_lock);
		if (!full)
			break;
		err = balloon_wait_used(vb, idx, seen);
		if (err < 0)
			return err;
	}
	page = alloc_pages(FREE_PAGE_ALLOC_FLAG,
			   VIRTIO_BALLOON_HINT_BLOCK_ORDER);
	if (!page)
		return -EINTR;
	sg_init_one(&sg, page_address(page), VIRTIO_BALLOON_HINT_BLOCK_BYTES);
	spin_lock(&vb->vq_lock);
	err = virtqueue_add_inbuf(vq, &sg, 1, page, GFP_KERNEL);
	if (!err)
		virtqueue_kick(vq);
	spin_unlock(&vb->vq_lock);
	if (err) {
		__free_pages(page, VIRTIO_BALLOON_HINT_BLOCK_ORDER);
		return err;
	}
	balloon_added(vb, idx, 1);
	spin_lock(&vb->free_page_list_lock);
	list_add(&page->lru, &vb->free_page_list);
	vb->num_free_page_blocks++;
	spin_unlock(&vb->free_page_list_lock);
	pthread_mutex_lock(&vb->work_lock);
	vb->hinted_blocks++;
	pthread_mutex_unlock(&vb->work_lock);
	return 0;
}

static void virtio_balloon_report_free_page(struct virtio_balloon *vb)
{
	vb->dma->cmd_id_active = virtio_balloon_cmd_id_received(vb);
	if (send_cmd_id(vb, &vb->dma->cmd_id_active))
		return;
	while (vb->dma->cmd_id_active == virtio_balloon_cmd_id_received(vb))
		if (get_free_page_and_send(vb))
			break;
	vb->dma->cmd_id_stop = VIRTIO_BALLOON_CMD_ID_STOP;
	(void)send_cmd_id(vb, &vb->dma->cmd_id_stop);
}

static void report_free_page_func(struct virtio_balloon *vb)
{
	u32 id = virtio_balloon_cmd_id_received(vb);

	if (id == VIRTIO_BALLOON_CMD_ID_DONE)
		(void)return_free_pages_to_mm(vb, ULONG_MAX);
	else if (id != VIRTIO_BALLOON_CMD_ID_STOP &&
		 id != vb->dma->cmd_id_active)
		virtio_balloon_report_free_page(vb);
}

/*
 * Memory runs short: the held hint blocks go back first (Linux's
 * shrinker over them; foliage has no shrinkers, so it hangs on the OOM
 * chain, before the balloon's own deflate).
 */
static int virtio_balloon_hint_oom_notify(struct notifier_block *nb,
					  unsigned long dummy, void *parm)
{
	struct virtio_balloon *vb = container_of(nb, struct virtio_balloon,
						 hint_oom_nb);
	unsigned long *freed = parm;

	*freed += return_free_pages_to_mm(vb, ULONG_MAX) <<
		  VIRTIO_BALLOON_HINT_BLOCK_ORDER;
	return NOTIFY_OK;
}

/* ---- REPORTING -------------------------------------------------------- */

/*
 * Wait until queue @idx has returned @target buffers in all: 0, or -EIO
 * if the device broke.  Page reporting's pass may run on CPU 0's kworker,
 * which also delivers this device's interrupts: there the used ring is
 * polled (nothing else can reap it meanwhile, the interrupt being a work
 * item of that same kworker); anywhere else the callback wakes us.
 */
static int balloon_wait_nr_used(struct virtio_balloon *vb, unsigned int idx,
				unsigned long target)
{
	bool poll = current_kthread() && this_cpu && this_cpu->id == 0;
	bool done, broken;

	for (;;) {
		if (poll)
			balloon_reap(vb, vb->vqs[idx]);
		pthread_mutex_lock(&vb->ack_lock);
		done = vb->nr_used[idx] >= target;
		broken = virtqueue_is_broken(vb->vqs[idx]);
		if (!done && !broken && !poll) {
			cpu_sleep_begin();
			pthread_cond_wait(&vb->ack_cond, &vb->ack_lock);
			pthread_mutex_unlock(&vb->ack_lock);
			cpu_sleep_end();
			continue;
		}
		pthread_mutex_unlock(&vb->ack_lock);
		if (done)
			return 0;
		if (broken)
			return -EIO;
		usleep(20);	/* the device is a host thread: no CPU needed */
	}
}

/*
 * Page reporting's ->report() (Linux's virtballoon_free_page_report(),
 * with the seed's bit 6): give the host the @nents blocks of @sg and wait
 * for it.  With DEVICE_INIT_REPORTED each block is its own buffer, and
 * the device initialised it only if used_len is that buffer's whole
 * length: then bit i of @zeroed_bitmap is set.  Without it, the blocks go
 * as one buffer and nothing is known.  0, or -errno from the queue (the
 * pass then stops).  Runs on page reporting's kworker.
 */
int virtballoon_free_page_report(struct virtio_device *vdev,
				 struct scatterlist *sg, unsigned int nents,
				 unsigned long *zeroed_bitmap)
{
	struct virtio_balloon *vb = vdev->priv;
	unsigned int idx = VIRTIO_BALLOON_VQ_REPORTING, i, n = 0;
	struct virtqueue *vq = vb->vqs[idx];
	bool each = has(vb, VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED);
	unsigned long seen = balloon_nr_used(vb, idx), pages = 0, zeroed = 0;
	int err = 0, ret;

	if (nents > VIRTIO_BALLOON_REPORT_MAX)
		return -EINVAL;
	spin_lock(&vb->vq_lock);
	if (!each) {
		err = virtqueue_add_inbuf(vq, sg, nents, vb, GFP_NOWAIT);
		n = !err;
	}
	for (i = 0; each && i < nents; i++) {
		struct scatterlist one = sg[i];

		one.end = true;
		vb->report_len[i] = 0;
		err = virtqueue_add_inbuf(vq, &one, 1, &vb->report_len[i],
					  GFP_NOWAIT);
		if (err)
			break;
		n++;
	}
	if (n)
		virtqueue_kick(vq);
	spin_unlock(&vb->vq_lock);
	balloon_added(vb, idx, n);
	/* What was queued must come back before the pages are used again. */
	ret = balloon_wait_nr_used(vb, idx, seen + n);
	err = err ?: ret;
	if (err)
		return err;
	pthread_mutex_lock(&vb->ack_lock);
	for (i = 0; i < nents; i++) {
		unsigned long nr = sg[i].length >> PAGE_SHIFT;

		pages += nr;
		if (each && vb->report_len[i] == sg[i].length) {
			zeroed_bitmap[i / 64] |= 1UL << (i % 64);
			zeroed += nr;
		}
	}
	vb->reported_pages += pages;
	vb->reported_zeroed_pages += zeroed;
	pthread_mutex_unlock(&vb->ack_lock);
	return 0;
}

/* Page reporting's ->report(). */
static int virtballoon_report(struct page_reporting_dev_info *pr_dev_info,
			      struct scatterlist *sg, unsigned int nents)
{
	struct virtio_balloon *vb = container_of(pr_dev_info,
						 struct virtio_balloon,
						 pr_dev_info);

	return virtballoon_free_page_report(vb->vdev, sg, nents,
					    pr_dev_info->zeroed_bitmap);
}

/*
 * Become the machine's reporting driver: batches of up to the queue's
 * size (the seed's capacity fix), the host known to zero when bit 6 was
 * negotiated.  page_reporting_order stays the default (pageblock order).
 */
static int virtballoon_register_reporting(struct virtio_balloon *vb)
{
	struct virtqueue *vq = vb->vqs[VIRTIO_BALLOON_VQ_REPORTING];
	int err;

	vb->pr_dev_info.report = virtballoon_report;
	vb->pr_dev_info.capacity = min(virtqueue_get_vring_size(vq),
				       (unsigned int)VIRTIO_BALLOON_REPORT_MAX);
	err = page_reporting_register(&vb->pr_dev_info);
	if (err)
		return err;
	vb->pr_registered = true;
	if (has(vb, VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED))
		host_zeroes_pages_enable();
	return 0;
}

static void virtballoon_unregister_reporting(struct virtio_balloon *vb)
{
	if (!vb->pr_registered)
		return;
	if (has(vb, VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED))
		host_zeroes_pages_disable();
	page_reporting_unregister(&vb->pr_dev_info);
	vb->pr_registered = false;
}

/* ---- the worker thread ---------------------------------------------- */

static int balloon_worker(void *data)
{
	struct virtio_balloon *vb = data;

	while (!kthread_should_stop()) {
		enum balloon_work w;

		pthread_mutex_lock(&vb->work_lock);
		for (w = 0; w < BALLOON_NR_WORK; w++)
			if (vb->pending[w])
				break;
		if (w == BALLOON_NR_WORK) {
			vb->busy = false;
			pthread_cond_broadcast(&vb->idle_cond);
			pthread_mutex_unlock(&vb->work_lock);
			kthread_schedule();
			continue;
		}
		vb->pending[w] = false;
		vb->busy = true;
		pthread_mutex_unlock(&vb->work_lock);
		switch (w) {
		case BALLOON_WORK_SIZE:
			update_balloon_size_func(vb);
			break;
		case BALLOON_WORK_STATS:
			stats_handle_request(vb);
			break;
		case BALLOON_WORK_FREE_PAGE:
			report_free_page_func(vb);
			break;
		default:
			break;
		}
	}
	pthread_mutex_lock(&vb->work_lock);
	vb->busy = false;
	pthread_cond_broadcast(&vb->idle_cond);
	pthread_mutex_unlock(&vb->work_lock);
	return 0;
}

/* ---- probe, validate, remove ----------------------------------------- */

static void virtballoon_changed(struct virtio_device *vdev)
{
	struct virtio_balloon *vb = vdev->priv;

	/*
	 * A device that gave up (NEEDS_RESET) is broken for the driver, so
	 * nobody waits for it any more (foliage's; Linux's balloon would
	 * wait forever).
	 */
	if (vdev->config->get_status(vdev) & VIRTIO_CONFIG_S_NEEDS_RESET) {
		virtio_break_device(vdev);
		pthread_mutex_lock(&vb->ack_lock);
		pthread_cond_broadcast(&vb->ack_cond);
		pthread_mutex_unlock(&vb->ack_lock);
	}
	queue_balloon_work(vb, BALLOON_WORK_SIZE);
	if (has(vb, VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
		pthread_mutex_lock(&vb->work_lock);
		vb->read_cmd_id = true;
		pthread_mutex_unlock(&vb->work_lock);
		queue_balloon_work(vb, BALLOON_WORK_FREE_PAGE);
	}
}

/*
 * Linux's virtballoon_validate() with the seed's additions, in order.
 * foliage has no page poisoning (CONFIG_PAGE_POISONING), so only
 * init_on_free keeps PAGE_POISON.
 */
static int virtballoon_validate(struct virtio_device *vdev)
{
	struct foliage_machine *m = vdev->machine;
	bool init_on_free = m->sysctl.init_on_free, poisoning = false;

	if (!init_on_free && !poisoning)
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_PAGE_POISON);
	else if (!__virtio_test_bit(vdev, VIRTIO_BALLOON_F_PAGE_POISON))
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_REPORTING);
	if (!__virtio_test_bit(vdev, VIRTIO_BALLOON_F_REPORTING))
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED);
	/* Poison is not zero: the host would initialise to poison_val. */
	if (__virtio_test_bit(vdev, VIRTIO_BALLOON_F_PAGE_POISON) &&
	    !init_on_free) {
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED);
		__virtio_clear_bit(vdev,
				   VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE);
	}
	/* A confidential guest does not trust its host to zero. */
	if (m->config.coco) {
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED);
		__virtio_clear_bit(vdev,
				   VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE);
	}
	__virtio_clear_bit(vdev, VIRTIO_F_ACCESS_PLATFORM);
	return 0;
}

static int init_vqs(struct virtio_balloon *vb)
{
	struct virtqueue_info info[VIRTIO_BALLOON_VQ_MAX] = {
		[VIRTIO_BALLOON_VQ_INFLATE] = { "inflate", balloon_ack },
		[VIRTIO_BALLOON_VQ_DEFLATE] = { "deflate", balloon_ack },
	};
	unsigned int i;
	int err;

	if (has(vb, VIRTIO_BALLOON_F_STATS_VQ))
		info[VIRTIO_BALLOON_VQ_STATS] =
			(struct virtqueue_info){ "stats", stats_request };
	if (has(vb, VIRTIO_BALLOON_F_FREE_PAGE_HINT))
		info[VIRTIO_BALLOON_VQ_FREE_PAGE] =
			(struct virtqueue_info){ "free_page_vq", balloon_ack };
	if (has(vb, VIRTIO_BALLOON_F_REPORTING))
		info[VIRTIO_BALLOON_VQ_REPORTING] =
			(struct virtqueue_info){ "reporting_vq", balloon_ack };
	err = virtio_find_vqs(vb->vdev, VIRTIO_BALLOON_VQ_MAX, vb->vqs, info);
	if (err)
		return err;
	/*
	 * Every queue in use must take a two-descriptor chain: the inflate
	 * chain with its bitmap, a command id beside a hint, a report.
	 */
	for (i = 0; i < VIRTIO_BALLOON_VQ_MAX; i++)
		if (vb->vqs[i] && virtqueue_get_vring_size(vb->vqs[i]) < 2)
			goto out_nospc;
	if (has(vb, VIRTIO_BALLOON_F_STATS_VQ)) {
		/* Prime the stats queue: the host answers it later. */
		err = balloon_add_stats(vb, true);
		if (err) {
			vb->vdev->config->del_vqs(vb->vdev);
			return err;
		}
	}
	return 0;

out_nospc:
	vb->vdev->config->del_vqs(vb->vdev);
	return -ENOSPC;
}

static void virtballoon_free(struct virtio_balloon *vb)
{
	if (vb->dma_page)
		__free_pages(vb->dma_page, 0);
	pthread_mutex_destroy(&vb->work_lock);
	pthread_cond_destroy(&vb->idle_cond);
	pthread_mutex_destroy(&vb->ack_lock);
	pthread_cond_destroy(&vb->ack_cond);
	pthread_mutex_destroy(&vb->balloon_lock);
	free(vb);
}

static int virtballoon_probe(struct virtio_device *vdev)
{
	struct balloon_state *bs = vdev->machine->balloon;
	struct virtio_balloon *vb;
	int err;

	vb = calloc(1, sizeof(*vb));
	if (!vb) {
		err = -ENOMEM;
		goto out;
	}
	vb->vdev = vdev;
	vb->machine = vdev->machine;
	vdev->priv = vb;
	pthread_mutex_init(&vb->work_lock, NULL);
	pthread_cond_init(&vb->idle_cond, NULL);
	pthread_mutex_init(&vb->ack_lock, NULL);
	pthread_cond_init(&vb->ack_cond, NULL);
	pthread_mutex_init(&vb->balloon_lock, NULL);
	spin_lock_init(&vb->vq_lock);
	INIT_DELAYED_WORK(&vb->retry_work, balloon_retry_fn);
	balloon_devinfo_init(&vb->vb_dev_info);
	vb->vb_dev_info.migratepage = virtballoon_migratepage;
	spin_lock_init(&vb->free_page_list_lock);
	INIT_LIST_HEAD(&vb->free_page_list);
	vb->dma_page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	if (!vb->dma_page) {
		err = -ENOMEM;
		goto out_free_vb;
	}
	vb->dma = page_address(vb->dma_page);

	err = init_vqs(vb);
	if (err)
		goto out_free_vb;
	if (has(vb, VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
		vb->cmd_id_received_cache = VIRTIO_BALLOON_CMD_ID_STOP;
		vb->dma->cmd_id_active = VIRTIO_BALLOON_CMD_ID_STOP;
		vb->dma->cmd_id_stop = VIRTIO_BALLOON_CMD_ID_STOP;
	}
	if (has(vb, VIRTIO_BALLOON_F_PAGE_POISON)) {
		/* 0 stands for init_on_free's zeros; else the poison byte. */
		u32 poison_val = 0;

		if (!vb->machine->sysctl.init_on_free)
			memset(&poison_val, PAGE_POISON, sizeof(poison_val));
		virtio_cwrite(vdev, struct virtio_balloon_config, poison_val,
			      &poison_val);
	}
	vb->worker = kthread_run_on_cpu(balloon_worker, vb, 0, "vballoon");
	if (IS_ERR(vb->worker)) {
		err = PTR_ERR(vb->worker);
		goto out_del_vqs;
	}
	if (has(vb, VIRTIO_BALLOON_F_DEFLATE_ON_OOM)) {
		vb->oom_nb.notifier_call = virtio_balloon_oom_notify;
		vb->oom_nb.priority = VIRTBALLOON_OOM_NOTIFY_PRIORITY;
		(void)register_oom_notifier(&vb->oom_nb);
		vb->oom_registered = true;
	}
	if (has(vb, VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
		vb->hint_oom_nb.notifier_call = virtio_balloon_hint_oom_notify;
		vb->hint_oom_nb.priority = VIRTBALLOON_OOM_NOTIFY_PRIORITY + 1;
		(void)register_oom_notifier(&vb->hint_oom_nb);
	}
	if (has(vb, VIRTIO_BALLOON_F_REPORTING)) {
		err = virtballoon_register_reporting(vb);
		if (err)
			goto out_stop_worker;
	}
	pthread_mutex_lock(&bs->lock);
	bs->vb = vb;
	bs->probe_err = 0;
	pthread_mutex_unlock(&bs->lock);
	virtio_device_ready(vdev);
	if (has(vb, VIRTIO_BALLOON_F_STATS_VQ)) {
		spin_lock(&vb->vq_lock);
		virtqueue_kick(vb->vqs[VIRTIO_BALLOON_VQ_STATS]);
		spin_unlock(&vb->vq_lock);
	}
	if (towards_target(vb))
		virtballoon_changed(vdev);
	return 0;

out_stop_worker:
	if (vb->oom_registered)
		(void)unregister_oom_notifier(&vb->oom_nb);
	if (has(vb, VIRTIO_BALLOON_F_FREE_PAGE_HINT))
		(void)unregister_oom_notifier(&vb->hint_oom_nb);
	pthread_mutex_lock(&vb->work_lock);
	vb->stop_update = true;
	pthread_mutex_unlock(&vb->work_lock);
	(void)kthread_stop(vb->worker);
out_del_vqs:
	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
out_free_vb:
	virtballoon_free(vb);
	vdev->priv = NULL;
out:
	bs->probe_err = err;
	return err;
}

/* Stop the worker: nothing is queued or runs after this. */
static void balloon_stop_worker(struct virtio_balloon *vb)
{
	pthread_mutex_lock(&vb->work_lock);
	vb->stop_update = true;
	pthread_mutex_unlock(&vb->work_lock);
	(void)cancel_delayed_work_sync(&vb->retry_work);
	(void)kthread_stop(vb->worker);
}

static void virtballoon_remove(struct virtio_device *vdev)
{
	struct balloon_state *bs = vdev->machine->balloon;
	struct virtio_balloon *vb = vdev->priv;

	virtballoon_unregister_reporting(vb);
	if (vb->oom_registered)
		(void)unregister_oom_notifier(&vb->oom_nb);
	if (has(vb, VIRTIO_BALLOON_F_FREE_PAGE_HINT))
		(void)unregister_oom_notifier(&vb->hint_oom_nb);
	balloon_stop_worker(vb);
	(void)return_free_pages_to_mm(vb, ULONG_MAX);
	/* As Linux's remove_common(): give every page back first. */
	while (vb->num_pages)
		if (!leak_balloon(vb, vb->num_pages))
			break;
	update_balloon_size(vb);
	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
	pthread_mutex_lock(&bs->lock);
	bs->vb = NULL;
	pthread_mutex_unlock(&bs->lock);
	virtballoon_free(vb);
	vdev->priv = NULL;
}

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_BALLOON, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static const unsigned int features[] = {
	VIRTIO_BALLOON_F_MUST_TELL_HOST,
	VIRTIO_BALLOON_F_STATS_VQ,
	VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
	VIRTIO_BALLOON_F_FREE_PAGE_HINT,
	VIRTIO_BALLOON_F_PAGE_POISON,
	VIRTIO_BALLOON_F_REPORTING,
	VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED,
	VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE,
};

/* ---- the machine's side ------------------------------------------------ */

static int balloon_subsys_init(struct foliage_machine *m)
{
	struct balloon_state *bs = m->balloon;

	pthread_mutex_init(&bs->lock, NULL);
	bs->driver = (struct virtio_driver){
		.name = "virtio_balloon",
		.id_table = id_table,
		.feature_table = features,
		.feature_table_size = ARRAY_SIZE(features),
		.validate = virtballoon_validate,
		.probe = virtballoon_probe,
		.remove = virtballoon_remove,
		.config_changed = virtballoon_changed,
	};
	return register_virtio_driver(&bs->driver);
}

/*
 * The bus is gone by now (its exit ran every remove()); a machine torn
 * down by a thread that could not run in it never ran remove(): free
 * what the driver still holds (its worker is stopped with the machine's
 * kernel threads).
 */
static void balloon_subsys_exit(struct foliage_machine *m)
{
	struct balloon_state *bs = m->balloon;

	if (!bs)
		return;
	if (bs->vb) {
		bs->vb->dma_page = NULL;	/* goes with the machine */
		virtballoon_free(bs->vb);
	}
	pthread_mutex_destroy(&bs->lock);
}

const struct machine_subsys balloon_subsys = {
	.name = "virtio_balloon",
	.init = balloon_subsys_init,
	.exit = balloon_subsys_exit,
	MACHINE_SUBSYS_STATE(balloon),
};

int virtio_balloon_info(struct foliage_machine *m,
			struct virtio_balloon_info *info)
{
	struct balloon_state *bs = m->balloon;
	struct virtio_balloon *vb;

	memset(info, 0, sizeof(*info));
	pthread_mutex_lock(&bs->lock);
	info->probe_err = bs->probe_err;
	vb = bs->vb;
	if (!vb) {
		pthread_mutex_unlock(&bs->lock);
		return -ENODEV;
	}
	info->bound = true;
	info->features = vb->vdev->features &
			 (BIT_ULL(VIRTIO_BALLOON_NR_FEATURES) - 1);
	balloon_mutex_lock(&vb->balloon_lock);
	info->balloon_pages = vb->num_pages;
	info->inflated = vb->inflated;
	info->deflated = vb->deflated;
	info->oom_deflated = vb->oom_deflated;
	info->zeroed_pages = vb->zeroed_pages;
	info->nr_stats_answers = vb->nr_stats_answers;
	pthread_mutex_unlock(&vb->balloon_lock);
	pthread_mutex_lock(&vb->ack_lock);
	info->reported_pages = vb->reported_pages;
	info->reported_zeroed_pages = vb->reported_zeroed_pages;
	pthread_mutex_unlock(&vb->ack_lock);
	spin_lock(&vb->free_page_list_lock);
	info->hint_blocks = vb->num_free_page_blocks;
	spin_unlock(&vb->free_page_list_lock);
	pthread_mutex_lock(&vb->work_lock);
	info->hinted_blocks = vb->hinted_blocks;
	pthread_mutex_unlock(&vb->work_lock);
	virtio_cread(vb->vdev, struct virtio_balloon_config, num_pages,
		     &info->num_pages);
	virtio_cread(vb->vdev, struct virtio_balloon_config, actual,
		     &info->actual);
	pthread_mutex_unlock(&bs->lock);
	return 0;
}

int virtio_balloon_settle(struct foliage_machine *m)
{
	struct balloon_state *bs = m->balloon;
	struct virtio_balloon *vb;
	enum balloon_work w;
	unsigned int i;
	bool idle;

	/* Interrupts the host raised so far are delivered first. */
	flush_scheduled_work();
	pthread_mutex_lock(&bs->lock);
	vb = bs->vb;
	pthread_mutex_unlock(&bs->lock);
	if (!vb)
		return -ENODEV;
	cpu_sleep_begin();
	pthread_mutex_lock(&vb->work_lock);
	for (;;) {
		idle = !vb->busy;
		for (w = 0; w < BALLOON_NR_WORK; w++)
			idle = idle && !vb->pending[w];
		if (idle || vb->stop_update)
			break;
		pthread_cond_wait(&vb->idle_cond, &vb->work_lock);
	}
	pthread_mutex_unlock(&vb->work_lock);
	/* And the device has answered every buffer (the stats one it keeps). */
	pthread_mutex_lock(&vb->ack_lock);
	for (i = 0; i < VIRTIO_BALLOON_VQ_MAX; i++)
		while (i != VIRTIO_BALLOON_VQ_STATS && vb->vqs[i] &&
		       vb->nr_used[i] < vb->nr_added[i] &&
		       !virtqueue_is_broken(vb->vqs[i]))
			pthread_cond_wait(&vb->ack_cond, &vb->ack_lock);
	pthread_mutex_unlock(&vb->ack_lock);
	cpu_sleep_end();
	return 0;
}

struct host_virtio_device *virtio_balloon_host_dev(struct foliage_machine *m)
{
	struct host_virtio_device *hv;

	pthread_mutex_lock(&m->balloon->lock);
	hv = m->balloon->host_dev;
	pthread_mutex_unlock(&m->balloon->lock);
	return hv;
}

void virtio_balloon_set_host_dev(struct foliage_machine *m,
				 struct host_virtio_device *hv)
{
	pthread_mutex_lock(&m->balloon->lock);
	m->balloon->host_dev = hv;
	pthread_mutex_unlock(&m->balloon->lock);
}
