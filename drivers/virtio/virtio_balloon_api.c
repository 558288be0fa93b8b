// SPDX-License-Identifier: GPL-2.0
/*
 * The public face of the balloon (include/foliage/foliage.h): the VMM's
 * side (adding the device, a target, the host's behaviour) and what
 * 'show balloon' and 'show host' print, one "name: value" a line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <host/balloon.h>
#include <linux/cpu.h>
#include <linux/machine.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>

#define BALLOON_DEFAULT_QUEUE	128	/* QEMU's virtqueue size */

int foliage_balloon_add(struct foliage_machine *m, uint64_t features,
			unsigned int queue_size, uint32_t poison_val)
{
	struct virtio_balloon_info info;
	struct host_virtio_device *hv;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	if (!queue_size)
		queue_size = BALLOON_DEFAULT_QUEUE;
	if (virtio_balloon_host_dev(m)) {
		/* A probe that failed (out of memory) may be tried again. */
		if (!virtio_balloon_info(m, &info)) {
			ret = -EEXIST;
			goto out;
		}
		(void)virtio_reprobe_failed();
		goto out_probed;
	}
	if (queue_size > 32768) {
		ret = -EINVAL;
		goto out;
	}
	ret = host_balloon_add(m->host, features, (u16)queue_size, poison_val,
			       &hv);
	if (ret)
		goto out;
	virtio_balloon_set_host_dev(m, hv);
	ret = virtio_mmio_scan();
	if (ret < 0)
		goto out;
out_probed:
	ret = 0;
	if (virtio_balloon_info(m, &info))
		ret = info.probe_err ? info.probe_err : -ENODEV;
	else
		ret = virtio_balloon_settle(m);
out:
	machine_exit_op(m);
	return ret;
}

/* Enter @m and find its balloon: 0, or -errno (and not entered). */
static int balloon_enter(struct foliage_machine *m,
			 struct host_virtio_device **hv)
{
	int ret = machine_enter(m);

	if (ret)
		return ret;
	*hv = virtio_balloon_host_dev(m);
	if (*hv)
		return 0;
	machine_exit_op(m);
	return -ENODEV;
}

int foliage_balloon_set_target(struct foliage_machine *m, uint32_t num_pages)
{
	struct virtio_balloon_info info;
	struct host_virtio_device *hv;
	int ret = balloon_enter(m, &hv);

	if (ret)
		return ret;
	host_balloon_set_target(hv, num_pages);
	ret = virtio_balloon_settle(m);
	/* Short of the target: the guest ran out of memory to inflate. */
	if (!ret && !virtio_balloon_info(m, &info) && info.actual != num_pages)
		ret = -ENOMEM;
	machine_exit_op(m);
	return ret;
}

int foliage_balloon_hint(struct foliage_machine *m, uint32_t cmd_id)
{
	struct host_virtio_device *hv;
	int ret = balloon_enter(m, &hv);

	if (ret)
		return ret;
	host_balloon_set_hint_cmd(hv, cmd_id);
	ret = virtio_balloon_settle(m);
	machine_exit_op(m);
	return ret;
}

int foliage_host_set_discard(struct foliage_machine *m, const char *mode)
{
	struct host_virtio_device *hv = virtio_balloon_host_dev(m);
	unsigned int i;

	for (i = 0; i < HOST_BALLOON_NR_DISCARD; i++)
		if (!strcmp(mode, host_balloon_discard_names[i]))
			break;
	if (i == HOST_BALLOON_NR_DISCARD)
		return -EINVAL;
	if (!hv)
		return -ENODEV;
	host_balloon_set_discard(hv, i);
	return 0;
}

int foliage_balloon_request_stats(struct foliage_machine *m)
{
	struct host_virtio_device *hv;
	struct host_balloon_stats st;
	int ret = balloon_enter(m, &hv);

	if (ret)
		return ret;
	host_balloon_stats(hv, &st);
	ret = host_balloon_request_stats(hv);
	if (ret)
		goto out;
	/* The stats interrupt, then the worker's answer, then the host's. */
	ret = virtio_balloon_settle(m);
	if (!ret) {
		cpu_sleep_begin();
		ret = host_balloon_wait_stats(hv, st.nr_stats + 1);
		cpu_sleep_end();
	}
out:
	machine_exit_op(m);
	return ret;
}

static void render_balloon(struct foliage_machine *m, FILE *f,
			   struct host_virtio_device *hv)
{
	struct virtio_balloon_info info;
	struct host_balloon_stats st;
	unsigned int i;

	(void)virtio_balloon_info(m, &info);
	fprintf(f, "features: %#llx", (unsigned long long)info.features);
	for (i = 0; i < VIRTIO_BALLOON_NR_FEATURES; i++)
		if (info.features & (1ULL << i))
			fprintf(f, " %s", virtio_balloon_feature_names[i]);
	fprintf(f, "\n");
	fprintf(f, "num_pages: %u\n", info.num_pages);
	fprintf(f, "actual: %u\n", info.actual);
	fprintf(f, "balloon_pages: %lu\n", info.balloon_pages);
	fprintf(f, "inflated: %lu\n", info.inflated);
	fprintf(f, "deflated: %lu\n", info.deflated);
	fprintf(f, "oom_deflated: %lu\n", info.oom_deflated);
	fprintf(f, "zeroed_pages: %lu\n", info.zeroed_pages);
	fprintf(f, "reported_pages: %lu\n", info.reported_pages);
	fprintf(f, "reported_zeroed_pages: %lu\n", info.reported_zeroed_pages);
	fprintf(f, "hint_blocks: %lu\n", info.hint_blocks);
	fprintf(f, "hinted_blocks: %lu\n", info.hinted_blocks);
	fprintf(f, "stats_answers: %lu\n", info.nr_stats_answers);
	fprintf(f, "probe_err: %d\n", info.probe_err);
	host_balloon_stats(hv, &st);
	if (!st.stats_valid)
		return;
	for (i = 0; i < VIRTIO_BALLOON_S_NR; i++)
		if (st.stats_seen[i])
			fprintf(f, "stat_%s: %llu\n",
				virtio_balloon_stat_names[i],
				(unsigned long long)st.stats[i]);
}

static void render_host(struct foliage_machine *m, FILE *f,
			struct host_virtio_device *hv)
{
	struct host_balloon_stats st;
	struct host_ram_stats rs;
	u64 discards = 0, bytes = 0;
	int nid;

	for (nid = 0; nid < m->nr_nodes; nid++) {
		if (host_ram_stats(m->host, nid, &rs))
			continue;
		fprintf(f, "node%d_ram_bytes: %llu\n", nid,
			(unsigned long long)rs.ram_bytes);
		fprintf(f, "node%d_backed_bytes: %llu\n", nid,
			(unsigned long long)rs.backed_bytes);
		discards += rs.nr_discards;
		bytes += rs.discarded_bytes;
	}
	fprintf(f, "discards: %llu\n", (unsigned long long)discards);
	fprintf(f, "discarded_bytes: %llu\n", (unsigned long long)bytes);
	if (!hv)
		return;
	host_balloon_stats(hv, &st);
	fprintf(f, "discard: %s\n", host_balloon_discard_names[st.discard]);
	fprintf(f, "num_pages: %u\n", st.num_pages);
	fprintf(f, "actual: %u\n", st.actual);
	fprintf(f, "poison_val: %#x\n", st.poison_val);
	fprintf(f, "inflated_pages: %llu\n",
		(unsigned long long)st.inflated_pages);
	fprintf(f, "deflated_pages: %llu\n",
		(unsigned long long)st.deflated_pages);
	fprintf(f, "inflate_discarded_bytes: %llu\n",
		(unsigned long long)st.inflate_discarded_bytes);
	fprintf(f, "reported_bytes: %llu\n",
		(unsigned long long)st.reported_bytes);
	fprintf(f, "report_discarded_bytes: %llu\n",
		(unsigned long long)st.report_discarded_bytes);
	fprintf(f, "hinted_bytes: %llu\n", (unsigned long long)st.hinted_bytes);
	fprintf(f, "errors: %llu\n", (unsigned long long)st.nr_errors);
}

/*
 * The "name: value" lines of @text as one JSON object: a value that is a
 * whole decimal number becomes a number, anything else a string.  A
 * malloc()ed string, or NULL.
 */
static char *lines_to_json(const char *text)
{
	struct json_object *obj = json_object_new_object();
	const char *p = text;
	char *res = NULL;

	if (!obj)
		return NULL;
	while (*p) {
		const char *eol = strchrnul(p, '\n'), *colon = memchr(p, ':',
								       eol - p);
		char *name, *value, *end;
		unsigned long long v;

		if (colon) {
			name = strndup(p, colon - p);
			colon += *(colon + 1) == ' ' ? 2 : 1;
			value = strndup(colon, eol - colon);
			if (!name || !value) {
				free(name);
				free(value);
				goto out;
			}
			errno = 0;
			v = strtoull(value, &end, 10);
			json_object_object_add(obj, name,
				*value && !*end && !errno ?
				json_object_new_uint64(v) :
				json_object_new_string(value));
			free(name);
			free(value);
		}
		p = *eol ? eol + 1 : eol;
	}
	res = strdup(json_object_to_json_string_ext(obj,
						    JSON_C_TO_STRING_PLAIN));
out:
	json_object_put(obj);
	return res;
}

int foliage_balloon_render(struct foliage_machine *m, const char *what,
			   unsigned int flags, char **out)
{
	struct host_virtio_device *hv;
	bool host = !strcmp(what, "host");
	size_t len;
	FILE *f;
	int ret;

	if (!host && strcmp(what, "balloon"))
		return -ENOENT;
	ret = machine_enter(m);
	if (ret)
		return ret;
	hv = virtio_balloon_host_dev(m);
	if (!host && !hv) {
		ret = -ENODEV;
		goto out;
	}
	*out = NULL;
	f = open_memstream(out, &len);
	if (!f) {
		ret = -ENOMEM;
		goto out;
	}
	if (host)
		render_host(m, f, hv);
	else
		render_balloon(m, f, hv);
	if (fclose(f)) {
		free(*out);
		*out = NULL;
		ret = -ENOMEM;
	} else if (flags & FOLIAGE_RENDER_JSON) {
		char *json = lines_to_json(*out);

		free(*out);
		*out = json;
		if (!json)
			ret = -ENOMEM;
	}
out:
	machine_exit_op(m);
	return ret;
}
