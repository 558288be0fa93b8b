// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA engine framework and the driver of the host's memcpy engine:
 * channel allocation, descriptors, issue, completion callbacks,
 * terminate, and fail_dma fault injection.  See include/linux/dmaengine.h.
 *
 * Locks: engine->lock (the device, which channels are taken) is outside a
 * channel's lock; a channel's lock is outside the host channel's (taken
 * by host_dma_submit()).  The completion handler runs on the host's
 * channel thread holding no host lock and takes the channel's lock only
 * to unlink the descriptor; the client's callback runs with no lock held.
 */
#include <stdlib.h>
#include <string.h>

#include <host/dma.h>
#include <linux/dmaengine.h>
#include <linux/machine_subsys.h>
#include <linux/mm.h>

#include "../../mm/render.h"

static struct dma_engine *engine(void)
{
	return this_machine->dma;
}

int dma_device_add(unsigned int nr_chans, u64 bytes_per_sec)
{
	struct dma_engine *e = engine();
	struct dma_device *dev;
	unsigned int i;
	int ret;

	if (!nr_chans || nr_chans > HOST_DMA_MAX_CHANS)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	if (e->device) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = -ENOMEM;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		goto out_unlock;
	dev->channels = calloc(nr_chans, sizeof(*dev->channels));
	if (!dev->channels)
		goto out_free_dev;
	ret = host_dma_create(this_machine->host, nr_chans, bytes_per_sec,
			      &dev->hw);
	if (ret)
		goto out_free_channels;
	dma_cap_zero(&dev->cap_mask);
	dma_cap_set(DMA_MEMCPY, &dev->cap_mask);
	dev->chancnt = nr_chans;
	dev->bytes_per_sec = bytes_per_sec;
	for (i = 0; i < nr_chans; i++) {
		struct dma_chan *chan = &dev->channels[i];

		chan->device = dev;
		chan->chan_id = i;
		pthread_mutex_init(&chan->lock, NULL);
		INIT_LIST_HEAD(&chan->pending);
		INIT_LIST_HEAD(&chan->active);
	}
	e->device = dev;
	pthread_mutex_unlock(&e->lock);
	return 0;

out_free_channels:
	free(dev->channels);
out_free_dev:
	free(dev);
out_unlock:
	pthread_mutex_unlock(&e->lock);
	return ret;
}

unsigned int dma_nr_channels(void)
{
	struct dma_engine *e = engine();
	unsigned int n;

	pthread_mutex_lock(&e->lock);
	n = e->device ? e->device->chancnt : 0;
	pthread_mutex_unlock(&e->lock);
	return n;
}

struct dma_chan *dma_request_chan_by_mask(const dma_cap_mask_t *mask)
{
	struct dma_engine *e = engine();
	struct dma_chan *found = ERR_PTR(-ENODEV);
	struct dma_device *dev;
	unsigned int i;

	pthread_mutex_lock(&e->lock);
	dev = e->device;
	if (dev && mask && (mask->bits & ~dev->cap_mask.bits) == 0) {
		for (i = 0; i < dev->chancnt; i++) {
			if (!dev->channels[i].in_use) {
				dev->channels[i].in_use = true;
				found = &dev->channels[i];
				break;
			}
		}
	}
	pthread_mutex_unlock(&e->lock);
	return found;
}

void dma_release_channel(struct dma_chan *chan)
{
	struct dma_engine *e = engine();

	pthread_mutex_lock(&chan->lock);
	WARN_ON_ONCE(!list_empty(&chan->pending) ||
		     !list_empty(&chan->active));
	pthread_mutex_unlock(&chan->lock);
	pthread_mutex_lock(&e->lock);
	chan->in_use = false;
	pthread_mutex_unlock(&e->lock);
}

/* The device's interrupt for one descriptor: on its channel's thread. */
static void dma_desc_done(struct host_dma_desc *d, int status, u64 residue)
{
	struct dma_async_tx_descriptor *tx =
		container_of(d, struct dma_async_tx_descriptor, hw);
	struct dma_chan *chan = tx->chan;
	struct dmaengine_result res = {
		.result = status ? DMA_TRANS_ABORTED : DMA_TRANS_NOERROR,
		.residue = (u32)residue,
	};

	if (status == -EFAULT)
		res.result = DMA_TRANS_READ_FAILED;
	pthread_mutex_lock(&chan->lock);
	list_del(&tx->node);
	chan->nr_completed++;
	chan->nr_failed += status != 0;
	chan->bytes_copied += d->bytes - residue;
	pthread_mutex_unlock(&chan->lock);
	if (tx->callback_result)
		tx->callback_result(tx->callback_param, &res);
	free(tx);
}

struct dma_async_tx_descriptor *dmaengine_prep_dma_memcpy(
		struct dma_chan *chan, dma_addr_t dst, dma_addr_t src,
		size_t len, unsigned long flags)
{
	struct dma_async_tx_descriptor *tx;

	if (!chan || !len)
		return NULL;
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return NULL;
	tx->chan = chan;
	tx->hw.src_gpa = src;
	tx->hw.dst_gpa = dst;
	tx->hw.bytes = len;
	tx->hw.done = dma_desc_done;
	INIT_LIST_HEAD(&tx->node);
	return tx;
}

dma_cookie_t dmaengine_submit(struct dma_async_tx_descriptor *tx)
{
	struct dma_chan *chan = tx->chan;
	dma_cookie_t cookie;

	pthread_mutex_lock(&chan->lock);
	cookie = ++chan->cookie;
	if (cookie <= 0)
		cookie = chan->cookie = 1;
	tx->cookie = cookie;
	list_add_tail(&tx->node, &chan->pending);
	pthread_mutex_unlock(&chan->lock);
	return cookie;
}

/* fail_dma: what this descriptor's device does wrong, if anything. */
static unsigned int fail_dma_fault(struct dma_engine *e)
{
	static const unsigned int faults[NR_FAIL_DMA_TYPES] = {
		[FAIL_DMA_ERROR] = HOST_DMA_FAULT_ERROR,
		[FAIL_DMA_TIMEOUT] = HOST_DMA_FAULT_HANG,
		[FAIL_DMA_PARTIAL] = HOST_DMA_FAULT_PARTIAL,
	};
	bool fail;

	spin_lock(&e->fail_dma.lock);
	fail = should_fail(&e->fail_dma);
	spin_unlock(&e->fail_dma.lock);
	return fail ? faults[READ_ONCE(e->fail_dma_type)] : 0;
}

void dma_async_issue_pending(struct dma_chan *chan)
{
	struct dma_engine *e = engine();
	struct dma_async_tx_descriptor *tx, *next;

	pthread_mutex_lock(&chan->lock);
	list_for_each_entry_safe(tx, next, &chan->pending, node) {
		tx->hw.fault = fail_dma_fault(e);
		list_move_tail(&tx->node, &chan->active);
		host_dma_submit(chan->device->hw, chan->chan_id, &tx->hw);
	}
	pthread_mutex_unlock(&chan->lock);
}

int dmaengine_terminate_sync(struct dma_chan *chan)
{
	struct dma_async_tx_descriptor *tx, *next;
	struct list_head dropped;

	INIT_LIST_HEAD(&dropped);
	/* The device lets go of the channel's descriptors first. */
	host_dma_reset_chan(chan->device->hw, chan->chan_id);
	pthread_mutex_lock(&chan->lock);
	list_splice_init(&chan->active, &dropped);
	list_splice_init(&chan->pending, &dropped);
	pthread_mutex_unlock(&chan->lock);
	list_for_each_entry_safe(tx, next, &dropped, node) {
		list_del(&tx->node);
		pthread_mutex_lock(&chan->lock);
		chan->nr_dropped++;
		pthread_mutex_unlock(&chan->lock);
		free(tx);
	}
	return 0;
}

/* ---- the subsystem: the device and fail_dma.* ---- */

static int dma_init(struct foliage_machine *m)
{
	struct dma_engine *e = m->dma;

	pthread_mutex_init(&e->lock, NULL);
	fault_attr_init(&e->fail_dma);
	/* fail_dma is about descriptors, not orders. */
	e->fail_dma.min_order = 0;
	return 0;
}

static void dma_exit(struct foliage_machine *m)
{
	struct dma_engine *e = m->dma;
	struct dma_device *dev;
	unsigned int i;

	if (!e)
		return;
	dev = e->device;
	if (dev) {
		host_dma_destroy(dev->hw);
		for (i = 0; i < dev->chancnt; i++) {
			struct dma_async_tx_descriptor *tx, *next;
			struct dma_chan *chan = &dev->channels[i];

			list_splice_init(&chan->pending, &chan->active);
			list_for_each_entry_safe(tx, next, &chan->active, node)
				free(tx);
			pthread_mutex_destroy(&chan->lock);
		}
		free(dev->channels);
		free(dev);
		e->device = NULL;
	}
	pthread_mutex_destroy(&e->lock);
}

static const char *const fail_dma_type_names[NR_FAIL_DMA_TYPES] = {
	[FAIL_DMA_ERROR] = "error",
	[FAIL_DMA_TIMEOUT] = "timeout",
	[FAIL_DMA_PARTIAL] = "partial",
};

/* A whole decimal (or 0x hex) number in [@min, @max], else -EINVAL. */
static int fail_dma_parse(const char *value, long long min, long long max,
			  long long *v)
{
	char *end;

	if (!value || !*value)
		return -EINVAL;
	errno = 0;
	*v = strtoll(value, &end, 0);
	if (errno || *end || *v < min || *v > max)
		return -EINVAL;
	return 0;
}

/* fail_dma's numeric files and their ranges, in __fail_dma_*()'s order. */
static const struct {
	const char *file;		/* "fail_dma.<file>" */
	long long min, max;		/* accepted values */
} fail_dma_files[] = {
	{ "probability", 0, 100 },
	{ "interval", 1, 1LL << 40 },
	{ "times", -1, 1LL << 40 },
	{ "seed", 0, 1LL << 62 },
	{ "failures", 0, 0 },
};

/* Store @v into numeric file @file of @attr.  Caller holds attr->lock. */
static void __fail_dma_store(struct fault_attr *attr, unsigned int file,
			     long long v)
{
	switch (file) {
	case 0:
		attr->probability = v;
		break;
	case 1:
		attr->interval = v;	/* a new period counts from 0 */
		attr->calls = 0;
		break;
	case 2:
		attr->times = v;
		break;
	case 3:
		attr->seed = v;		/* the PRNG restarts from it */
		attr->rng = v;
		break;
	default:
		attr->failures = 0;
	}
}

/* The value of numeric file @file.  Caller holds attr->lock. */
static long long __fail_dma_load(struct fault_attr *attr, unsigned int file)
{
	switch (file) {
	case 0:
		return attr->probability;
	case 1:
		return attr->interval;
	case 2:
		return attr->times;
	case 3:
		return attr->seed;
	default:
		return attr->failures;
	}
}

static int fail_dma_file(const char *file)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fail_dma_files); i++)
		if (!strcmp(file, fail_dma_files[i].file))
			return i;
	return -ENOENT;
}

/*
 * The files of fail_dma's directory ("fail_dma.FILE", as debugfs's
 * fail_page_alloc/): probability, interval, times, seed as
 * lib/fault-inject.c's, type (error, timeout, partial), failures (the
 * count so far; writing 0 resets it).  A bad value is -EINVAL.
 */
static int fail_dma_set(const char *file, const char *value)
{
	struct dma_engine *e = engine();
	int i = fail_dma_file(file);
	long long v;

	if (!strcmp(file, "type")) {
		for (i = 0; i < NR_FAIL_DMA_TYPES; i++) {
			if (!strcmp(value, fail_dma_type_names[i])) {
				WRITE_ONCE(e->fail_dma_type, i);
				return 0;
			}
		}
		return -EINVAL;
	}
	if (i < 0)
		return i;
	if (fail_dma_parse(value, fail_dma_files[i].min,
			   fail_dma_files[i].max, &v))
		return -EINVAL;
	spin_lock(&e->fail_dma.lock);
	__fail_dma_store(&e->fail_dma, i, v);
	spin_unlock(&e->fail_dma.lock);
	return 0;
}

static int fail_dma_get(const char *file, long *value)
{
	struct dma_engine *e = engine();
	int i = fail_dma_file(file);

	if (!strcmp(file, "type")) {
		*value = READ_ONCE(e->fail_dma_type);
		return 0;
	}
	if (i < 0)
		return i;
	spin_lock(&e->fail_dma.lock);
	*value = __fail_dma_load(&e->fail_dma, i);
	spin_unlock(&e->fail_dma.lock);
	return 0;
}

/*
 * "dma" (show dma): the device's channels, one line each:
 * "chanN in_use completed failed dropped bytes".
 */
static int dma_render_seq(struct seq_buf *s, bool json)
{
	struct dma_engine *e = engine();
	struct json_object *arr = NULL;
	struct dma_device *dev;
	unsigned int i;
	int err = 0;

	if (json)
		arr = json_new_array(&err);
	pthread_mutex_lock(&e->lock);
	dev = e->device;
	for (i = 0; dev && i < dev->chancnt && !err; i++) {
		struct dma_chan *c = &dev->channels[i];
		struct json_object *obj;

		pthread_mutex_lock(&c->lock);
		if (!json) {
			seq_printf(s, "chan%u %d %lu %lu %lu %llu\n", i,
				   c->in_use, c->nr_completed, c->nr_failed,
				   c->nr_dropped,
				   (unsigned long long)c->bytes_copied);
		} else {
			obj = json_new_object(&err);
			if (obj) {
				json_set_u64(obj, "chan", i, &err);
				json_set_u64(obj, "in_use", c->in_use, &err);
				json_set_u64(obj, "completed", c->nr_completed,
					     &err);
				json_set_u64(obj, "failed", c->nr_failed, &err);
				json_set_u64(obj, "dropped", c->nr_dropped,
					     &err);
				json_set_u64(obj, "bytes", c->bytes_copied,
					     &err);
				json_push(arr, obj, &err);
			}
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&e->lock);
	if (!json)
		return s->err;
	return json_show(s, arr, err);
}

static const struct machine_render dma_renders[] = {
	{ "dma", dma_render_seq },
};

/* A channel nobody holds has nothing queued and nothing in the device. */
static int dma_validate(struct foliage_machine *m)
{
	struct dma_engine *e = m->dma;
	struct dma_device *dev;
	unsigned int i;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	dev = e->device;
	for (i = 0; dev && i < dev->chancnt; i++) {
		struct dma_chan *c = &dev->channels[i];

		pthread_mutex_lock(&c->lock);
		if (!c->in_use && (!list_empty(&c->pending) ||
				   !list_empty(&c->active))) {
			report_bug("dma chan%u: free with descriptors", i);
			ret = -EINVAL;
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

const struct machine_subsys dma_subsys = {
	.name = "dma",
	MACHINE_SUBSYS_STATE(dma),
	.init = dma_init,
	.exit = dma_exit,
	.sysfs_prefix = "fail_dma.",
	.sysfs_set = fail_dma_set,
	.sysfs_get = fail_dma_get,
	.renders = dma_renders,
	.nr_renders = ARRAY_SIZE(dma_renders),
	.validate = dma_validate,
};

int foliage_dma_device_add(struct foliage_machine *m, unsigned int nr_chans,
			   uint64_t bytes_per_sec)
{
	int ret;

	if (!m)
		return -EINVAL;
	ret = machine_enter(m);
	if (ret)
		return ret;
	ret = dma_device_add(nr_chans, bytes_per_sec);
	machine_exit_op(m);
	return ret;
}
