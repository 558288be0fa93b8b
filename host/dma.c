// SPDX-License-Identifier: GPL-2.0
/*
 * The memcpy DMA engine's hardware: channels, each a queue served by a
 * host thread of its own.  See include/host/dma.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <host/dma.h>
#include <linux/copy_nocache.h>

#include "host_internal.h"

struct host_dma_chan {
	struct host_dma *dma;		/* its device */
	unsigned int id;		/* index in dma->chans */
	pthread_t thread;		/* serves the queue */
	bool thread_started;		/* thread exists (to join) */
	pthread_mutex_t lock;		/* queue, hung, running, stop */
	pthread_cond_t wake;		/* doorbell, stop */
	pthread_cond_t idle;		/* running went NULL */
	struct list_head queue;		/* submitted, oldest first */
	struct list_head hung;		/* HOST_DMA_FAULT_HANG, never done */
	struct host_dma_desc *running;	/* being copied or completed */
	bool stop;			/* thread must exit */
};

struct host_dma {
	struct host *host;		/* whose RAM it copies */
	unsigned int nr_chans;		/* channels */
	u64 bytes_per_sec;		/* per-channel cap, 0 none */
	struct host_dma_chan chans[];	/* nr_chans of them */
};

static u64 host_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The capped channel takes as long as @bytes at dma->bytes_per_sec. */
static void dma_throttle(struct host_dma *dma, u64 start_ns, u64 bytes)
{
	u64 end_ns, now;
	struct timespec ts;

	if (!dma->bytes_per_sec)
		return;
	end_ns = start_ns + (u64)((double)bytes * 1e9 / dma->bytes_per_sec);
	now = host_now_ns();
	if (now >= end_ns)
		return;
	ts.tv_sec = (end_ns - now) / 1000000000ULL;
	ts.tv_nsec = (end_ns - now) % 1000000000ULL;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Copy @d as the device would; its status, *@residue the bytes not done. */
static int dma_do_copy(struct host_dma *dma, struct host_dma_desc *d,
		       u64 *residue)
{
	void *src = host_gpa_to_hva(dma->host, d->src_gpa, d->bytes);
	void *dst = host_gpa_to_hva(dma->host, d->dst_gpa, d->bytes);
	u64 start = host_now_ns(), bytes = d->bytes;

	*residue = d->bytes;
	if (!src || !dst)
		return -EFAULT;
	if (d->fault & HOST_DMA_FAULT_ERROR)
		return -EIO;
	if (d->fault & HOST_DMA_FAULT_PARTIAL)
		bytes = d->bytes / 2;
	/* A device's writes go around the CPU caches. */
	memcpy_nocache(dst, src, bytes);
	dma_throttle(dma, start, bytes);
	*residue = d->bytes - bytes;
	return *residue ? -EIO : 0;
}

static void *dma_chan_thread(void *arg)
{
	struct host_dma_chan *c = arg;
	struct host_dma_desc *d;
	u64 residue;
	int status;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (list_empty(&c->queue) && !c->stop)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		d = list_first_entry(&c->queue, struct host_dma_desc, list);
		list_del_init(&d->list);
		if (d->fault & HOST_DMA_FAULT_HANG) {
			/* The channel holds it forever; later ones still run. */
			list_add_tail(&d->list, &c->hung);
			continue;
		}
		c->running = d;
		pthread_mutex_unlock(&c->lock);

		status = dma_do_copy(c->dma, d, &residue);
		d->done(d, status, residue);

		pthread_mutex_lock(&c->lock);
		c->running = NULL;
		pthread_cond_broadcast(&c->idle);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void dma_chan_stop(struct host_dma_chan *c)
{
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	if (c->thread_started)
		pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->idle);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
}

int host_dma_create(struct host *host, unsigned int nr_chans,
		    u64 bytes_per_sec, struct host_dma **out)
{
	struct host_dma *dma;
	unsigned int i;
	int ret = 0;

	if (!host || !nr_chans || nr_chans > HOST_DMA_MAX_CHANS)
		return -EINVAL;
	dma = calloc(1, sizeof(*dma) + nr_chans * sizeof(dma->chans[0]));
	if (!dma)
		return -ENOMEM;
	dma->host = host;
	dma->bytes_per_sec = bytes_per_sec;
	for (i = 0; i < nr_chans; i++) {
		struct host_dma_chan *c = &dma->chans[i];

		c->dma = dma;
		c->id = i;
		pthread_mutex_init(&c->lock, NULL);
		pthread_cond_init(&c->wake, NULL);
		pthread_cond_init(&c->idle, NULL);
		INIT_LIST_HEAD(&c->queue);
		INIT_LIST_HEAD(&c->hung);
		dma->nr_chans = i + 1;
		ret = -pthread_create(&c->thread, NULL, dma_chan_thread, c);
		if (ret)
			break;
		c->thread_started = true;
	}
	if (ret) {
		host_dma_destroy(dma);
		return ret;
	}
	*out = dma;
	return 0;
}

void host_dma_destroy(struct host_dma *dma)
{
	unsigned int i;

	if (!dma)
		return;
	for (i = 0; i < dma->nr_chans; i++)
		dma_chan_stop(&dma->chans[i]);
	free(dma);
}

void host_dma_submit(struct host_dma *dma, unsigned int chan,
		     struct host_dma_desc *d)
{
	struct host_dma_chan *c = &dma->chans[chan];

	pthread_mutex_lock(&c->lock);
	list_add_tail(&d->list, &c->queue);
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

void host_dma_reset_chan(struct host_dma *dma, unsigned int chan)
{
	struct host_dma_chan *c = &dma->chans[chan];

	pthread_mutex_lock(&c->lock);
	INIT_LIST_HEAD(&c->queue);
	INIT_LIST_HEAD(&c->hung);
	while (c->running)
		pthread_cond_wait(&c->idle, &c->lock);
	pthread_mutex_unlock(&c->lock);
}
