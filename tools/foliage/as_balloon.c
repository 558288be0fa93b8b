// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario verbs of the virtio-balloon and its host
 * (docs/scenario.md, "Balloon and host"):
 *
 *   device balloon features=NAME,NAME... [poison=0xVAL] [queue=N]
 *   host discard=discard|inhibit|lie|fail
 *   balloon target|inflate|deflate PAGES
 *   balloon hint ID|stop|done
 *   show balloon|host [PATTERN|grep=PATTERN]
 *   expect balloon|host NAME OP VALUE
 *
 * Every balloon verb returns once the guest has followed the host's new
 * target (or ran out of memory to inflate with), so what follows sees a
 * settled balloon.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_balloon.h>

#include "scenario.h"

/* "must_tell_host,stats_vq" -> bits; "" or "none": no feature. */
static int parse_features(struct scenario *s, const char *str,
			  uint64_t *features)
{
	char *copy = strdup(str), *save = NULL, *name;
	unsigned int i;
	int ret = SCN_OK;

	if (!copy)
		return scn_fail(s, "device: out of memory");
	*features = 0;
	for (name = strtok_r(copy, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "none"))
			continue;
		for (i = 0; i < VIRTIO_BALLOON_NR_FEATURES; i++)
			if (!strcmp(name, virtio_balloon_feature_names[i]))
				break;
		if (i == VIRTIO_BALLOON_NR_FEATURES) {
			ret = scn_usage(s, "device balloon: unknown feature "
					"'%s' (must_tell_host, stats_vq, "
					"deflate_on_oom, free_page_hint, "
					"page_poison, reporting, "
					"device_init_reported, "
					"device_init_on_inflate)", name);
			break;
		}
		*features |= 1ULL << i;
	}
	free(copy);
	return ret;
}

int scn_do_device_balloon(struct scenario *s, struct scn_args *a)
{
	const char *v;
	uint64_t features = 0, poison = 0;
	unsigned int queue = 128;
	int ret;

	if (strcmp(a->words[0], "balloon"))
		return scn_usage(s, "device: unknown device '%s' (balloon)",
				 a->words[0]);
	v = scn_arg(a, "features");
	if (!v)
		return scn_usage(s, "device balloon: features=NAME,... is "
				 "required (features=none for none)");
	ret = parse_features(s, v, &features);
	if (ret)
		return ret;
	if ((v = scn_arg(a, "poison")) &&
	    (ret = scn_parse_u64(s, "poison", v, 0, UINT32_MAX, &poison)))
		return ret;
	if ((v = scn_arg(a, "queue")) &&
	    (ret = scn_parse_uint(s, "queue", v, 1, 32768, &queue)))
		return ret;
	if (queue & (queue - 1))
		return scn_usage(s, "device balloon: queue=%u is not a power "
				 "of 2", queue);
	ret = foliage_balloon_add(s->m, features, queue, (uint32_t)poison);
	if (ret == -EEXIST)
		return scn_usage(s, "device balloon: the machine has one");
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

int scn_do_host(struct scenario *s, struct scn_args *a)
{
	const char *mode = scn_arg(a, "discard");
	int ret;

	if (!mode)
		return scn_usage(s, "host: expected discard=discard|inhibit|"
				 "lie|fail");
	ret = foliage_host_set_discard(s->m, mode);
	if (ret == -EINVAL)
		return scn_usage(s, "host: discard=%s: expected discard, "
				 "inhibit, lie or fail", mode);
	if (ret == -ENODEV)
		return scn_usage(s, "host: no balloon device yet (device "
				 "balloon ...)");
	return ret ? scn_fail(s, "host: %s", scn_errstr(ret)) : SCN_OK;
}

/* The value of "NAME: value" in 'show balloon|host', or NULL. */
static const char *field(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ':')
			return p + len + 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static char *render_flags(struct scenario *s, const char *what,
			  unsigned int flags)
{
	char *text = NULL;
	int ret = foliage_balloon_render(s->m, what, flags, &text);

	if (ret == -ENODEV) {
		scn_usage(s, "%s: no balloon device yet (device balloon ...)",
			  s->verb);
		return NULL;
	}
	if (ret) {
		scn_fail(s, "%s: cannot render %s: %s", s->verb, what,
			 scn_errstr(ret));
		return NULL;
	}
	return text;
}

static char *render(struct scenario *s, const char *what)
{
	return render_flags(s, what, 0);
}

/* balloon hint ID|stop|done: the host's free page hinting command. */
static int balloon_hint(struct scenario *s, const char *word)
{
	uint64_t id;
	int ret;

	if (!strcmp(word, "stop"))
		id = VIRTIO_BALLOON_CMD_ID_STOP;
	else if (!strcmp(word, "done"))
		id = VIRTIO_BALLOON_CMD_ID_DONE;
	else if ((ret = scn_parse_u64(s, "the command id", word, 2,
				      UINT32_MAX, &id)))
		return ret;
	ret = foliage_balloon_hint(s->m, (uint32_t)id);
	if (ret == -ENODEV)
		return scn_usage(s, "balloon: no balloon device yet (device "
				 "balloon ...)");
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

int scn_do_balloon(struct scenario *s, struct scn_args *a)
{
	const char *op = a->words[0];
	uint64_t pages, target;
	const char *v;
	char *text;
	int ret;

	if (!strcmp(op, "hint"))
		return balloon_hint(s, a->words[1]);
	ret = scn_parse_u64(s, "PAGES", a->words[1], 0, UINT32_MAX, &pages);
	if (ret)
		return ret;
	if (strcmp(op, "target") && strcmp(op, "inflate") &&
	    strcmp(op, "deflate"))
		return scn_usage(s, "balloon: expected target, inflate, "
				 "deflate or hint, not '%s'", op);
	text = render(s, "balloon");
	if (!text)
		return SCN_USAGE;
	v = field(text, "num_pages");
	target = v ? strtoull(v, NULL, 0) : 0;
	free(text);
	if (!strcmp(op, "target"))
		target = pages;
	else if (!strcmp(op, "inflate"))
		target += pages;
	else if (pages > target)
		return scn_usage(s, "balloon deflate %llu: the target is %llu "
				 "pages", (unsigned long long)pages,
				 (unsigned long long)target);
	else
		target -= pages;
	if (target > UINT32_MAX)
		return scn_usage(s, "balloon: a target of %llu pages is out "
				 "of range", (unsigned long long)target);
	/*
	 * --fail-nth tries the line again after an injected failure, which
	 * left the host's target raised (the guest was out of puff): ask
	 * for the target the first try asked for, not that plus PAGES.
	 */
	if (s->fail_nth_attempt > 1 && s->balloon_line == s->line)
		target = s->balloon_target;
	s->balloon_target = target;
	s->balloon_line = s->line;
	ret = foliage_balloon_set_target(s->m, (uint32_t)target);
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

int scn_show_balloon(struct scenario *s, struct scn_args *a)
{
	struct scn_show sh = { .what = a->words[0],
			       .pattern = scn_arg(a, "grep") };
	char *text;
	int ret;

	if (a->nr_words > 2)
		return scn_usage(s, "unexpected argument '%s' (usage: show "
				 "%s [PATTERN|grep=PATTERN])", a->words[2],
				 sh.what);
	if (a->nr_words > 1) {
		if (sh.pattern)
			return scn_usage(s, "show: PATTERN given twice");
		sh.pattern = a->words[1];
	}
	text = render_flags(s, sh.what, s->json ? FOLIAGE_RENDER_JSON : 0);
	if (!text)
		return SCN_USAGE;
	ret = scn_show_print(s, &sh, text);
	free(text);
	return ret;
}

/* expect balloon|host NAME OP VALUE: a number of 'show balloon|host'. */
int scn_expect_balloon(struct scenario *s, struct scn_args *a)
{
	const char *what = a->words[0], *name = a->words[1], *v;
	char label[128];
	struct scn_cmp c;
	char *text, *end;
	uint64_t seen;
	int ret;

	ret = scn_parse_cmp(s, a->words[2], a->words[3], &c);
	if (ret)
		return ret;
	text = render(s, what);
	if (!text)
		return SCN_USAGE;
	v = field(text, name);
	if (!v) {
		free(text);
		return scn_usage(s, "expect %s: no field '%s' (see show %s)",
				 what, name, what);
	}
	seen = strtoull(v, &end, 0);
	if (end == v) {
		free(text);
		return scn_usage(s, "expect %s: %s is not a number", what,
				 name);
	}
	free(text);
	snprintf(label, sizeof(label), "%s %s", what, name);
	return scn_check_cmp(s, label, &c, seen);
}
