// SPDX-License-Identifier: GPL-2.0
/*
 * dcbm: the DMA-engine migrator ("DMA Core Batch Migrator" of the copy
 * offload series).  A batch of n folio pairs is split over
 * c = min(nr_dma_chan, n, 16) memcpy channels, channel i taking the
 * n(i+1)/c - n*i/c folios after those of channel i-1; one descriptor per
 * folio, one completion per channel (signalled when its last descriptor
 * completes; the others only record errors), and the batch waits at most
 * 10 s of the machine's clock for all of them.  Any error, a partial copy
 * or a timeout fails the whole batch: every channel is terminated, no
 * destination is marked, folios_failures grows by n and the CPU copies
 * the batch.  A batch that gets no channel (no DMA device, or every
 * channel taken by concurrent batches) is declined the same way.
 *
 * Knobs (sysfs files, the series' /sys/kernel/dcbm): dcbm.offloading (1 registers dcbm with the registry, 0
 * unregisters it), dcbm.nr_dma_chan (1..16, else -EINVAL),
 * dcbm.folios_migrated and dcbm.folios_failures (writing resets them).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/completion.h>
#include <linux/dmaengine.h>
#include <linux/jiffies.h>
#include <linux/machine_subsys.h>
#include <linux/migrate_offload.h>
#include <linux/mm.h>

struct dcbm {
	struct migrator_driver drv;	/* registration, dcbm.offloading */
	unsigned int nr_dma_chan;	/* channels a batch may use, 1..16 */
	unsigned long folios_migrated;	/* folios copied by DMA (atomic) */
	unsigned long folios_failures;	/* folios of failed batches (atomic) */
	pthread_mutex_t last_lock;	/* last */
	struct dcbm_last_batch last;	/* split of the last batch */
};

/* One channel's share of a batch. */
struct dcbm_chan_work {
	struct dma_chan *chan;		/* the channel */
	struct completion done;		/* its last descriptor completed */
	unsigned int nr_left;		/* descriptors to complete (atomic) */
	bool failed;			/* one completed with an error (atomic) */
};

static struct dcbm *dcbm(void)
{
	return this_machine->dcbm;
}

/* Each descriptor's completion, on the channel's thread. */
static void dcbm_desc_done(void *param, const struct dmaengine_result *res)
{
	struct dcbm_chan_work *w = param;

	if (res->result != DMA_TRANS_NOERROR || res->residue)
		__atomic_store_n(&w->failed, true, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&w->nr_left, 1, __ATOMIC_ACQ_REL) == 0)
		complete(&w->done);
}

static dma_addr_t folio_dma_addr(const struct folio *folio)
{
	return (dma_addr_t)folio_pfn(folio) << PAGE_SHIFT;
}

/*
 * Queue channel @w's @n folios, from *@dst and *@src on, advancing both.
 * -ENOMEM if a descriptor could not be made (those made are queued).
 */
static int dcbm_queue_chan(struct dcbm_chan_work *w, unsigned int n,
			   struct folio **dst, struct folio **src)
{
	struct dma_async_tx_descriptor *tx;
	unsigned int i;

	w->nr_left = n;
	for (i = 0; i < n; i++) {
		if (folio_size(*dst) != folio_size(*src))
			return -EINVAL;
		tx = dmaengine_prep_dma_memcpy(w->chan, folio_dma_addr(*dst),
					       folio_dma_addr(*src),
					       folio_size(*src),
					       DMA_PREP_INTERRUPT |
					       DMA_CTRL_ACK);
		if (!tx)
			return -ENOMEM;
		tx->callback_result = dcbm_desc_done;
		tx->callback_param = w;
		dmaengine_submit(tx);
		*dst = list_entry((*dst)->lru.next, struct folio, lru);
		*src = list_entry((*src)->lru.next, struct folio, lru);
	}
	return 0;
}

static int dcbm_offload_copy(struct list_head *dst_list,
			     struct list_head *src_list, unsigned int nr)
{
	struct dcbm *d = dcbm();
	struct dcbm_chan_work w[DCBM_MAX_CHANS];
	struct folio *dst, *src;
	unsigned long deadline;
	dma_cap_mask_t mask;
	unsigned int c, got, i;
	int ret = 0;

	c = dcbm_nr_chans(READ_ONCE(d->nr_dma_chan), nr);
	dma_cap_zero(&mask);
	dma_cap_set(DMA_MEMCPY, &mask);
	for (got = 0; got < c; got++) {
		struct dma_chan *chan = dma_request_chan_by_mask(&mask);

		if (IS_ERR(chan))
			break;
		w[got].chan = chan;
		w[got].failed = false;
		init_completion(&w[got].done);
	}
	if (!got) {
		ret = -ENODEV;
		goto out_count;
	}
	c = got;

	dst = list_first_entry(dst_list, struct folio, lru);
	src = list_first_entry(src_list, struct folio, lru);
	for (i = 0; i < c && !ret; i++)
		ret = dcbm_queue_chan(&w[i], dcbm_chan_first(nr, c, i + 1) -
					     dcbm_chan_first(nr, c, i),
				      &dst, &src);
	if (!ret) {
		for (i = 0; i < c; i++)
			dma_async_issue_pending(w[i].chan);
		deadline = jiffies + msecs_to_jiffies(DCBM_TIMEOUT_MS);
		for (i = 0; i < c && !ret; i++) {
			unsigned long now = jiffies;
			unsigned long left = time_before(now, deadline) ?
					     deadline - now : 0;

			if (!wait_for_completion_timeout(&w[i].done, left))
				ret = -ETIMEDOUT;
			else if (__atomic_load_n(&w[i].failed,
						 __ATOMIC_RELAXED))
				ret = -EIO;
		}
	}
	/* No callback of ours runs once every channel is terminated. */
	for (i = 0; i < c; i++) {
		dmaengine_terminate_sync(w[i].chan);
		dma_release_channel(w[i].chan);
	}

	if (!ret) {
		i = 0;
		list_for_each_entry(dst, dst_list, lru) {
			if (i++ == nr)
				break;
			folio_mark_content_copied(dst);
		}
	}
	pthread_mutex_lock(&d->last_lock);
	d->last.nr_chans = c;
	for (i = 0; i < c; i++)
		d->last.nr_folios[i] = dcbm_chan_first(nr, c, i + 1) -
				       dcbm_chan_first(nr, c, i);
	pthread_mutex_unlock(&d->last_lock);
	for (i = 0; i < c; i++)
		destroy_completion(&w[i].done);
out_count:
	if (ret)
		__atomic_add_fetch(&d->folios_failures, nr, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&d->folios_migrated, nr, __ATOMIC_RELAXED);
	return ret;
}

void dcbm_get_last_batch(struct dcbm_last_batch *b)
{
	struct dcbm *d = dcbm();

	pthread_mutex_lock(&d->last_lock);
	*b = d->last;
	pthread_mutex_unlock(&d->last_lock);
}

struct migrator_driver *dcbm_driver(void)
{
	return &dcbm()->drv;
}

/* ---- the subsystem ---- */

static int dcbm_init(struct foliage_machine *m)
{
	struct dcbm *d = m->dcbm;

	d->nr_dma_chan = 1;
	migrator_driver_init(&d->drv, "dcbm", dcbm_offload_copy, d);
	pthread_mutex_init(&d->last_lock, NULL);
	return 0;
}

static void dcbm_exit(struct foliage_machine *m)
{
	struct dcbm *d = m->dcbm;

	if (!d)
		return;
	migrator_driver_exit(&d->drv);
	pthread_mutex_destroy(&d->last_lock);
}

/* The files of /sys/kernel/dcbm: "dcbm.<file>". */
static int dcbm_sysfs_set(const char *file, const char *value)
{
	struct dcbm *d = dcbm();
	unsigned int v;

	if (!strcmp(file, "offloading"))
		return migrator_offloading_store(&d->drv, value);
	if (strcmp(file, "nr_dma_chan") && strcmp(file, "folios_migrated") &&
	    strcmp(file, "folios_failures"))
		return -ENOENT;
	if (migrator_parse_uint(value, &v))
		return -EINVAL;
	if (!strcmp(file, "nr_dma_chan")) {
		if (v < 1 || v > DCBM_MAX_CHANS)
			return -EINVAL;
		WRITE_ONCE(d->nr_dma_chan, v);
		return 0;
	}
	/* Writing any value resets a counter. */
	__atomic_store_n(!strcmp(file, "folios_migrated") ?
			 &d->folios_migrated : &d->folios_failures, 0,
			 __ATOMIC_RELAXED);
	return 0;
}

static int dcbm_sysfs_get(const char *file, long *value)
{
	struct dcbm *d = dcbm();

	if (!strcmp(file, "offloading"))
		*value = READ_ONCE(d->drv.offloading);
	else if (!strcmp(file, "nr_dma_chan"))
		*value = READ_ONCE(d->nr_dma_chan);
	else if (!strcmp(file, "folios_migrated"))
		*value = __atomic_load_n(&d->folios_migrated, __ATOMIC_RELAXED);
	else if (!strcmp(file, "folios_failures"))
		*value = __atomic_load_n(&d->folios_failures, __ATOMIC_RELAXED);
	else
		return -ENOENT;
	return 0;
}

const struct machine_subsys dcbm_subsys = {
	.name = "dcbm",
	MACHINE_SUBSYS_STATE(dcbm),
	.init = dcbm_init,
	.exit = dcbm_exit,
	.sysfs_prefix = "dcbm.",
	.sysfs_set = dcbm_sysfs_set,
	.sysfs_get = dcbm_sysfs_get,
};
