// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs of copy offload for migration (docs/migration-offload.md):
 *
 *	device dma channels=N [bandwidth=SIZE/s]
 *				the machine's DMA engine: N memcpy channels,
 *				each at most SIZE per second if given
 *	migrator enable dcbm|mtcopy [reasons=LIST]
 *				register a migrator for LIST (all, none, a
 *				number, or compaction,demotion,...)
 *	migrator disable NAME	unregister it (waits for its copies)
 *
 * Both end with '=> -ERRNO' to expect a refusal.  Their knobs (dcbm.*,
 * mtcopy.*, fail_dma.*) are plain 'set' keys.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* "SIZE/s": a scn_parse_size() with the rate's "/s". */
static int parse_rate(struct scenario *s, const char *str, uint64_t *bps)
{
	size_t len = strlen(str);
	char buf[64];

	if (len < 3 || len >= sizeof(buf) || strcmp(str + len - 2, "/s"))
		return scn_usage(s, "%s: bad bandwidth '%s': expected SIZE/s "
				 "(e.g. 2G/s)", s->verb, str);
	memcpy(buf, str, len - 2);
	buf[len - 2] = '\0';
	return scn_parse_size(s, "bandwidth", buf, bps);
}

static int device_dma(struct scenario *s, struct scn_args *a)
{
	const char *chans = scn_arg(a, "channels");
	const char *bw = scn_arg(a, "bandwidth");
	unsigned int nr_chans;
	uint64_t bps = 0;
	int ret;

	if (!chans)
		return scn_usage(s, "device dma: channels=N is required");
	ret = scn_parse_uint(s, "channels", chans, 1, 64, &nr_chans);
	if (!ret && bw)
		ret = parse_rate(s, bw, &bps);
	if (ret)
		return ret;
	ret = foliage_dma_device_add(s->m, nr_chans, bps);
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

int scn_do_device(struct scenario *s, struct scn_args *a)
{
	if (!strcmp(a->words[0], "dma"))
		return device_dma(s, a);
	return scn_usage(s, "device: unknown device '%s' (usage: device dma "
			 "channels=N [bandwidth=SIZE/s])", a->words[0]);
}

int scn_do_migrator(struct scenario *s, struct scn_args *a)
{
	const char *op = a->words[0], *name = a->words[1];
	const char *reasons = scn_arg(a, "reasons");
	int ret;

	if (!strcmp(op, "enable")) {
		ret = foliage_migrator_enable(s->m, name, reasons);
	} else if (!strcmp(op, "disable")) {
		if (reasons)
			return scn_usage(s, "migrator disable takes no "
					 "reasons=");
		ret = foliage_migrator_disable(s->m, name);
	} else {
		return scn_usage(s, "migrator: expected enable or disable, "
				 "not '%s'", op);
	}
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}
