// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of virtio-balloon, as QEMU's hw/virtio/virtio-balloon.c
 * serves it; see include/host/balloon.h for what it promises.  Every
 * handler runs on the device's thread with the device lock held.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <host/balloon.h>
#include <linux/virtio_config.h>

#include "host_internal.h"

#define BALLOON_MAX_PFNS	256	/* PFNs read from one inflate buffer */

const char *const host_balloon_discard_names[HOST_BALLOON_NR_DISCARD] = {
	[HOST_BALLOON_DISCARD] = "discard",
	[HOST_BALLOON_INHIBIT] = "inhibit",
	[HOST_BALLOON_LIE] = "lie",
	[HOST_BALLOON_FAIL] = "fail",
};

struct host_balloon {
	struct host_virtio_backend be;	/* what host/virtio_mmio.c sees */
	enum host_balloon_discard discard; /* behaviour; under the lock */
	struct host_balloon_stats st;	/* counters; under the lock */
	struct host_vq_elem stats_elem;	/* the guest's stats buffer, held */
	bool stats_held;		/* stats_elem is popped, not pushed */
	bool hinting;			/* a hint command was started */
	pthread_cond_t stats_cond;	/* broadcast when stats arrive */
	int report_lens[HOST_BALLOON_MAX_LENS]; /* scripted used_lens */
	unsigned int nr_report_lens;	/* entries in report_lens */
	unsigned int report_lens_pos;	/* the next one to use */
};

static bool has(struct host_virtio_device *vdev, unsigned int fbit)
{
	return vdev->driver_features & BIT_ULL(fbit);
}

static struct virtio_balloon_config *config(struct host_virtio_device *vdev)
{
	return (struct virtio_balloon_config *)vdev->config;
}

/* PAGE_POISON with a non-zero value: initialise by filling, not punching. */
static bool poison_fill(struct host_virtio_device *vdev, u8 *byte)
{
	u32 val = config(vdev)->poison_val;

	*byte = val & 0xff;
	return has(vdev, VIRTIO_BALLOON_F_PAGE_POISON) && val;
}

/*
 * Initialise guest physical [@gpa, @gpa + @bytes) as the behaviour says:
 * true if the device may say it did.
 */
static bool balloon_init_range(struct host_virtio_device *vdev,
			       struct host_balloon *b, u64 gpa, size_t bytes,
			       u64 *discarded)
{
	struct host *host = vdev->dev->host;
	void *hva;
	u8 byte;

	switch (b->discard) {
	case HOST_BALLOON_LIE:
		return true;
	case HOST_BALLOON_DISCARD:
		break;
	default:
		return false;
	}
	hva = host_gpa_to_hva(host, gpa, bytes);
	if (!hva)
		return false;
	if (poison_fill(vdev, &byte)) {
		memset(hva, byte, bytes);
		return true;
	}
	if (host_ram_discard(host, gpa, bytes))
		return false;
	*discarded += bytes;
	return true;
}

/* The device gives up: once NEEDS_RESET, every buffer comes back empty. */
static void balloon_error(struct host_virtio_device *vdev,
			  struct host_balloon *b)
{
	b->st.nr_errors++;
	if (!(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET))
		__host_virtio_device_error(vdev);
}

/*
 * Inflate: each buffer names up to 256 PFNs; with DEVICE_INIT_ON_INFLATE
 * its writable part receives a bitmap of the pages initialised, and
 * used_len is the bitmap's bytes (0 when no page was).  Runs of
 * consecutive PFNs are discarded with one fallocate each.
 */
static void balloon_inflate_one(struct host_virtio_device *vdev,
				struct host_balloon *b,
				const struct host_vq_elem *elem, u32 *used)
{
	u8 bitmap[BALLOON_MAX_PFNS / 8] = { 0 };
	u32 pfns[BALLOON_MAX_PFNS];
	unsigned int nr, i, run = 0, nr_init = 0;
	size_t map_bytes;

	nr = host_vq_elem_read(elem, pfns, sizeof(pfns)) / sizeof(u32);
	b->st.inflated_pages += nr;
	for (i = 0; i <= nr; i++) {
		unsigned int j;

		/* Extend the run [i - run, i) while PFNs are consecutive. */
		if (i < nr && run && pfns[i] == pfns[i - 1] + 1) {
			run++;
			continue;
		}
		if (run && balloon_init_range(vdev, b,
				(u64)pfns[i - run] << VIRTIO_BALLOON_PFN_SHIFT,
				(size_t)run << VIRTIO_BALLOON_PFN_SHIFT,
				&b->st.inflate_discarded_bytes)) {
			for (j = i - run; j < i; j++)
				bitmap[j / 8] |= 1U << (j % 8);
			nr_init += run;
		}
		run = 1;
	}
	*used = 0;
	if (!has(vdev, VIRTIO_BALLOON_F_DEVICE_INIT_ON_INFLATE) || !nr_init)
		return;
	map_bytes = DIV_ROUND_UP(nr, 8);
	*used = host_vq_elem_write(elem, 0, bitmap, map_bytes);
}

static void balloon_handle_pfns(struct host_virtio_device *vdev,
				struct host_vq *vq, bool inflate)
{
	struct host_balloon *b = vdev->priv;
	struct host_vq_elem elem;
	u32 used;

	while (host_vq_pop(vdev, vq, &elem) == 1) {
		used = 0;
		if (b->discard == HOST_BALLOON_FAIL)
			balloon_error(vdev, b);
		else if (inflate)
			balloon_inflate_one(vdev, b, &elem, &used);
		else
			b->st.deflated_pages += elem.out_bytes / sizeof(u32);
		host_vq_push(vq, &elem, used);
	}
	host_vq_notify(vdev, vq);
}

static void balloon_handle_inflate(struct host_virtio_device *vdev,
				   struct host_vq *vq)
{
	balloon_handle_pfns(vdev, vq, true);
}

static void balloon_handle_deflate(struct host_virtio_device *vdev,
				   struct host_vq *vq)
{
	balloon_handle_pfns(vdev, vq, false);
}

/* Statistics: keep the guest's buffer until the VMM asks again. */
static void balloon_handle_stats(struct host_virtio_device *vdev,
				 struct host_vq *vq)
{
	struct host_balloon *b = vdev->priv;
	struct virtio_balloon_stat s[VIRTIO_BALLOON_S_NR];
	struct host_vq_elem elem;
	size_t bytes, i;

	while (host_vq_pop(vdev, vq, &elem) == 1) {
		if (b->stats_held) {
			/* A guest that sends two: the older goes back. */
			host_vq_push(vq, &b->stats_elem, 0);
			host_vq_notify(vdev, vq);
		}
		bytes = host_vq_elem_read(&elem, s, sizeof(s));
		memset(b->st.stats_seen, 0, sizeof(b->st.stats_seen));
		for (i = 0; i < bytes / sizeof(s[0]); i++) {
			if (s[i].tag >= VIRTIO_BALLOON_S_NR)
				continue;	/* QEMU ignores unknown tags */
			b->st.stats[s[i].tag] = s[i].val;
			b->st.stats_seen[s[i].tag] = true;
		}
		b->st.stats_valid = true;
		b->st.nr_stats++;
		b->stats_elem = elem;
		b->stats_held = true;
	}
	pthread_cond_broadcast(&b->stats_cond);
}

/*
 * Free page hints: an out buffer carries a command id (start when it is
 * the current one, STOP ends), in buffers are hinted blocks, counted
 * while a command runs.  Nothing is discarded: hints serve migration.
 */
static void balloon_handle_free_page(struct host_virtio_device *vdev,
				     struct host_vq *vq)
{
	struct host_balloon *b = vdev->priv;
	struct host_vq_elem elem;
	u32 id;

	while (host_vq_pop(vdev, vq, &elem) == 1) {
		if (b->discard == HOST_BALLOON_FAIL) {
			balloon_error(vdev, b);
		} else if (elem.out_num) {
			if (host_vq_elem_read(&elem, &id, sizeof(id)) ==
			    sizeof(id))
				b->hinting = id != VIRTIO_BALLOON_CMD_ID_STOP &&
					     id == config(vdev)->
						free_page_hint_cmd_id;
		} else if (b->hinting) {
			b->st.hinted_bytes += elem.in_bytes;
		}
		host_vq_push(vq, &elem, 0);
	}
	host_vq_notify(vdev, vq);
}

/*
 * Free page reporting: every piece of a buffer is discarded; with
 * DEVICE_INIT_REPORTED used_len is the bytes really initialised (the
 * driver sends one block a buffer, so that is all or nothing).
 */
static void balloon_handle_reporting(struct host_virtio_device *vdev,
				     struct host_vq *vq)
{
	struct host_balloon *b = vdev->priv;
	struct host *host = vdev->dev->host;
	struct host_vq_elem elem;
	unsigned int i;
	u64 init;

	while (host_vq_pop(vdev, vq, &elem) == 1) {
		init = 0;
		if (b->discard == HOST_BALLOON_FAIL) {
			balloon_error(vdev, b);
			host_vq_push(vq, &elem, 0);
			continue;
		}
		b->st.reported_bytes += elem.in_bytes;
		for (i = 0; i < elem.in_num; i++) {
			u64 gpa = (u64)((char *)elem.in[i].iov_base -
					host->view);

			if (balloon_init_range(vdev, b, gpa,
					       elem.in[i].iov_len,
					       &b->st.report_discarded_bytes))
				init += elem.in[i].iov_len;
		}
		if (!has(vdev, VIRTIO_BALLOON_F_DEVICE_INIT_REPORTED))
			init = 0;
		else if (b->report_lens_pos < b->nr_report_lens &&
			 b->report_lens[b->report_lens_pos++] >= 0)
			init = b->report_lens[b->report_lens_pos - 1];
		host_vq_push(vq, &elem, (u32)init);
	}
	host_vq_notify(vdev, vq);
}

/*
 * Queue @index's role: queues are numbered consecutively over the ones
 * the negotiated features have (inflate, deflate, then stats, free page
 * hints, reporting when present), as Linux's find_vqs() numbers them and
 * the virtio spec now says.
 */
static void balloon_handle_vq(struct host_virtio_device *vdev,
			      struct host_vq *vq)
{
	static const struct {
		int fbit;		/* the feature it needs, -1: none */
		host_vq_handler_t fn;	/* its handler */
	} roles[] = {
		{ -1, balloon_handle_inflate },
		{ -1, balloon_handle_deflate },
		{ VIRTIO_BALLOON_F_STATS_VQ, balloon_handle_stats },
		{ VIRTIO_BALLOON_F_FREE_PAGE_HINT, balloon_handle_free_page },
		{ VIRTIO_BALLOON_F_REPORTING, balloon_handle_reporting },
	};
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(roles); i++) {
		if (roles[i].fbit >= 0 && !has(vdev, roles[i].fbit))
			continue;
		if (n++ == vq->index) {
			roles[i].fn(vdev, vq);
			return;
		}
	}
}

static void balloon_reset(struct host_virtio_device *vdev)
{
	struct host_balloon *b = vdev->priv;

	/* Popped chains are forgotten: the guest reclaims them. */
	if (b) {
		b->stats_held = false;
		b->hinting = false;
	}
}

static const struct host_virtio_backend balloon_backend_template = {
	.name = "virtio-balloon",
	.device_id = VIRTIO_ID_BALLOON,
	.vendor_id = 0x554d4551,	/* "QEMU" */
	.nr_queues = 5,
	.config_bytes = sizeof(struct virtio_balloon_config),
	.queue_handler = {
		balloon_handle_vq, balloon_handle_vq, balloon_handle_vq,
		balloon_handle_vq, balloon_handle_vq,
	},
	.reset = balloon_reset,
};

static void balloon_release(struct host_virtio_device *vdev)
{
	struct host_balloon *b = container_of(vdev->be, struct host_balloon,
					      be);

	pthread_cond_destroy(&b->stats_cond);
	free(b);
}

int host_balloon_add(struct host *host, u64 features, u16 queue_num_max,
		     u32 poison_val, struct host_virtio_device **out)
{
	struct host_balloon *b;
	int ret;

	if (!queue_num_max || (queue_num_max & (queue_num_max - 1)) ||
	    (features & ~(BIT_ULL(VIRTIO_BALLOON_NR_FEATURES) - 1)))
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->be = balloon_backend_template;
	b->be.features = features | BIT_ULL(VIRTIO_F_VERSION_1) |
			 BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	b->be.queue_num_max = queue_num_max;
	b->be.release = balloon_release;
	pthread_cond_init(&b->stats_cond, NULL);
	ret = host_virtio_device_add(host, &b->be, b, out);
	if (ret) {
		pthread_cond_destroy(&b->stats_cond);
		free(b);
		return ret;
	}
	host_virtio_lock(*out);
	config(*out)->poison_val = poison_val;
	host_virtio_unlock(*out);
	return 0;
}

/* The VMM writes the u32 config field at @offset: a config interrupt. */
static void balloon_config_u32(struct host_virtio_device *vdev,
			       unsigned int offset, u32 val)
{
	host_virtio_config_change(vdev, offset, &val, sizeof(val));
}

void host_balloon_set_target(struct host_virtio_device *vdev, u32 num_pages)
{
	balloon_config_u32(vdev, offsetof(struct virtio_balloon_config,
					  num_pages), num_pages);
}

void host_balloon_set_discard(struct host_virtio_device *vdev,
			      enum host_balloon_discard discard)
{
	struct host_balloon *b = vdev->priv;

	host_virtio_lock(vdev);
	b->discard = discard;
	host_virtio_unlock(vdev);
}

int host_balloon_request_stats(struct host_virtio_device *vdev)
{
	struct host_balloon *b = vdev->priv;
	int ret = -EAGAIN;

	host_virtio_lock(vdev);
	if (b->stats_held) {
		b->stats_held = false;
		host_vq_push(&vdev->vqs[2], &b->stats_elem, 0);
		host_vq_notify(vdev, &vdev->vqs[2]);
		ret = 0;
	}
	host_virtio_unlock(vdev);
	return ret;
}

int host_balloon_wait_stats(struct host_virtio_device *vdev, u64 nr_stats)
{
	struct host_balloon *b = vdev->priv;
	struct timespec deadline;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	host_virtio_lock(vdev);
	while (b->st.nr_stats < nr_stats && !ret)
		ret = pthread_cond_timedwait(&b->stats_cond, &vdev->dev->lock,
					     &deadline);
	ret = b->st.nr_stats >= nr_stats ? 0 : -ETIMEDOUT;
	host_virtio_unlock(vdev);
	return ret;
}

int host_balloon_script_report_lens(struct host_virtio_device *vdev,
				    const int *lens, unsigned int nr)
{
	struct host_balloon *b = vdev->priv;

	if (nr > HOST_BALLOON_MAX_LENS)
		return -EINVAL;
	host_virtio_lock(vdev);
	memcpy(b->report_lens, lens, nr * sizeof(*lens));
	b->nr_report_lens = nr;
	b->report_lens_pos = 0;
	host_virtio_unlock(vdev);
	return 0;
}

void host_balloon_set_hint_cmd(struct host_virtio_device *vdev, u32 cmd_id)
{
	balloon_config_u32(vdev, offsetof(struct virtio_balloon_config,
					  free_page_hint_cmd_id), cmd_id);
}

void host_balloon_stats(struct host_virtio_device *vdev,
			struct host_balloon_stats *st)
{
	struct host_balloon *b = vdev->priv;

	host_virtio_lock(vdev);
	*st = b->st;
	st->features = vdev->driver_features &
		       (BIT_ULL(VIRTIO_BALLOON_NR_FEATURES) - 1);
	st->num_pages = config(vdev)->num_pages;
	st->actual = config(vdev)->actual;
	st->poison_val = config(vdev)->poison_val;
	st->cmd_id = config(vdev)->free_page_hint_cmd_id;
	st->discard = b->discard;
	host_virtio_unlock(vdev);
}
