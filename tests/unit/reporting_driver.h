/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test-only free page reporting driver whose "host" is the machine's
 * real host: ->report() discards each block with host_ram_discard()
 * (fallocate(PUNCH_HOLE) on the node's memfd), so the memory really goes
 * back and reads zero afterwards, and sets the block's zeroed_bitmap bit
 * when the discard succeeded.  It does what virtio-balloon's reporting
 * does, without the virtqueue, so that page reporting is tested alone.
 *
 * Modes, for proof: DISCARD (honest), LIE (claims every block zeroed,
 * discards nothing), KEEP (discards, claims nothing), FAIL (-EIO from the
 * fail_call-th call on, 1-based; 0 never).  ->during runs inside report()
 * before the host acts, without zone->lock (a buddy freed meanwhile).
 */
#ifndef _FOLIAGE_TESTS_REPORTING_DRIVER_H
#define _FOLIAGE_TESTS_REPORTING_DRIVER_H

#include <host/host.h>
#include <linux/page_reporting.h>

enum test_report_mode {
	TR_DISCARD,			/* discard, report zeroed */
	TR_LIE,				/* report zeroed, discard nothing */
	TR_KEEP,			/* discard, report nothing zeroed */
};

#define TR_MAX_CALLS	256

struct test_reporter {
	struct page_reporting_dev_info prdev;	/* what mm sees */
	enum test_report_mode mode;		/* what the host does */
	unsigned int fail_call;		/* fail from this call on; 0 never */
	void (*during)(struct test_reporter *r, struct scatterlist *sg,
		       unsigned int nents);	/* inside report() */
	void *data;			/* for ->during */
	unsigned int nr_calls;		/* report() calls */
	unsigned int nents[TR_MAX_CALLS]; /* blocks of each call */
	unsigned long nr_blocks;	/* blocks handed to the host */
	unsigned long discarded_bytes;	/* bytes the host got back */
};

static int test_report(struct page_reporting_dev_info *prdev,
		       struct scatterlist *sg, unsigned int nents)
{
	struct test_reporter *r = container_of(prdev, struct test_reporter,
					       prdev);
	unsigned int i;

	if (r->nr_calls < TR_MAX_CALLS)
		r->nents[r->nr_calls] = nents;
	r->nr_calls++;
	if (r->during)
		r->during(r, sg, nents);
	if (r->fail_call && r->nr_calls >= r->fail_call)
		return -EIO;
	for (i = 0; i < nents; i++) {
		r->nr_blocks++;
		if (r->mode == TR_LIE) {
			__set_bit(i, prdev->zeroed_bitmap);
			continue;
		}
		if (host_ram_discard(this_machine->host, sg_phys(&sg[i]),
				     sg[i].length))
			continue;
		r->discarded_bytes += sg[i].length;
		if (r->mode == TR_DISCARD)
			__set_bit(i, prdev->zeroed_bitmap);
	}
	return 0;
}

static inline void test_reporter_init(struct test_reporter *r,
				      unsigned int order,
				      unsigned int capacity)
{
	memset(r, 0, sizeof(*r));
	r->prdev.report = test_report;
	r->prdev.order = order;
	r->prdev.capacity = capacity;
}

#endif /* _FOLIAGE_TESTS_REPORTING_DRIVER_H */
