// SPDX-License-Identifier: GPL-2.0
/*
 * The copy-offload registry of page migration: at most one migrator, the
 * reasons it takes, and the hook migrate_pages_batch() calls after its TLB
 * flush.  See include/linux/migrate_offload.h.
 *
 * Readers and the unregister are SRCU-like: a copy takes a read side
 * (nr_inflight++) under the registry's mutex together with its look at
 * the active migrator, so once unregister has cleared the pointer no new
 * copy can reach the old migrator, and unregister sleeps until the copies
 * that started before have left (nr_inflight == 0), as
 * synchronize_srcu() waits for the readers that were inside.  The mutex
 * is taken twice a batch (512 pages), never per page.
 *
 * While a migrator copies, the batch is half done (sources unmapped to
 * migration entries, anon_vma references held) and the migrating thread
 * sleeps: the whole-machine mm validators, which would see those
 * references as leaks, wait (tasks_validate_read_lock()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "render.h"
#include <linux/machine_subsys.h>
#include <linux/migrate_offload.h>

struct migrate_offload {
	pthread_mutex_t lock;		/* active, reason_mask, nr_inflight */
	pthread_cond_t idle;		/* nr_inflight dropped to 0 */
	struct migrator *active;	/* registered migrator, NULL none */
	unsigned int reason_mask;	/* its reasons, bit MR_x */
	unsigned int nr_inflight;	/* offload_copy() calls running */
	struct migrate_offload_stats stats; /* counters (under lock) */
};

static struct migrate_offload *mo(void)
{
	return this_machine->migrate_offload;
}

int migrate_offload_register(struct migrator *m, unsigned int reason_mask)
{
	struct migrate_offload *r = mo();
	int ret = 0;

	if (!m || !m->name || !m->offload_copy || !m->owner ||
	    (reason_mask & ~MIGRATE_REASON_ALL))
		return -EINVAL;
	pthread_mutex_lock(&r->lock);
	if (r->active) {
		ret = -EBUSY;
	} else {
		r->active = m;
		r->reason_mask = reason_mask;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

int migrate_offload_unregister(struct migrator *m)
{
	struct migrate_offload *r = mo();

	pthread_mutex_lock(&r->lock);
	if (!m || r->active != m) {
		pthread_mutex_unlock(&r->lock);
		return -EINVAL;
	}
	r->active = NULL;
	r->reason_mask = 0;
	pthread_mutex_unlock(&r->lock);

	/* synchronize_srcu(): the copies that saw it leave. */
	cpu_sleep_begin();
	pthread_mutex_lock(&r->lock);
	while (r->nr_inflight)
		pthread_cond_wait(&r->idle, &r->lock);
	pthread_mutex_unlock(&r->lock);
	cpu_sleep_end();
	return 0;
}

const char *migrate_offload_active(unsigned int *reason_mask)
{
	struct migrate_offload *r = mo();
	const char *name = NULL;

	pthread_mutex_lock(&r->lock);
	if (r->active)
		name = r->active->name;
	if (reason_mask)
		*reason_mask = r->reason_mask;
	pthread_mutex_unlock(&r->lock);
	return name;
}

/* Take every mark off @dst's @nr folios: the CPU will copy them all. */
static unsigned int clear_marks(struct list_head *dst, int nr)
{
	struct folio *folio;
	unsigned int cleared = 0;
	int i = 0;

	list_for_each_entry(folio, dst, lru) {
		if (i++ == nr)
			break;
		cleared += folio_test_clear_content_copied(folio);
	}
	return cleared;
}

static unsigned int count_marks(struct list_head *dst, int nr)
{
	struct folio *folio;
	unsigned int marked = 0;
	int i = 0;

	list_for_each_entry(folio, dst, lru) {
		if (i++ == nr)
			break;
		marked += folio_test_content_copied(folio);
	}
	return marked;
}

int migrate_offload_copy(struct list_head *dst_folios,
			 struct list_head *src_folios, int nr,
			 enum migrate_reason reason)
{
	struct migrate_offload *r = mo();
	struct migrator *m;
	unsigned int marked = 0;
	int ret;

	if (nr <= 0 || (unsigned int)reason >= MR_TYPES)
		return -ENODEV;
	/* srcu_read_lock() */
	pthread_mutex_lock(&r->lock);
	m = r->active;
	if (!m || !(r->reason_mask & (1U << reason))) {
		r->stats.nr_skipped++;
		pthread_mutex_unlock(&r->lock);
		return -ENODEV;
	}
	r->nr_inflight++;
	pthread_mutex_unlock(&r->lock);

	/*
	 * The batch is half done (sources unmapped, anon_vmas held) and the
	 * migrator may sleep: whole-machine mm checks wait meanwhile.
	 */
	tasks_validate_read_lock(this_machine);
	ret = m->offload_copy(dst_folios, src_folios, nr);
	tasks_validate_read_unlock(this_machine);
	if (ret)
		clear_marks(dst_folios, nr);
	else
		marked = count_marks(dst_folios, nr);

	/* srcu_read_unlock() */
	pthread_mutex_lock(&r->lock);
	r->stats.nr_calls++;
	r->stats.nr_folios += nr;
	r->stats.nr_copied += marked;
	r->stats.nr_errors += ret != 0;
	if (!--r->nr_inflight)
		pthread_cond_broadcast(&r->idle);
	pthread_mutex_unlock(&r->lock);
	return ret;
}

void migrate_offload_get_stats(struct migrate_offload_stats *st)
{
	struct migrate_offload *r = mo();

	pthread_mutex_lock(&r->lock);
	*st = r->stats;
	pthread_mutex_unlock(&r->lock);
}

/* ---- reason masks ---- */

static int reason_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < MR_TYPES; i++)
		if (strlen(migrate_reason_names[i]) == len &&
		    !strncmp(migrate_reason_names[i], name, len))
			return i;
	return -EINVAL;
}

int migrate_reason_mask_parse(const char *s, unsigned int *mask)
{
	unsigned int m = 0;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "all")) {
		*mask = MIGRATE_REASON_ALL;
		return 0;
	}
	if (!strcmp(s, "none")) {
		*mask = 0;
		return 0;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		unsigned long v;
		char *end;

		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno || *end || v > MIGRATE_REASON_ALL)
			return -EINVAL;
		*mask = v;
		return 0;
	}
	for (p = s;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int reason = reason_by_name(p, len);

		if (reason < 0)
			return -EINVAL;
		m |= 1U << reason;
		if (!comma)
			break;
		p = comma + 1;
	}
	*mask = m;
	return 0;
}

void migrate_reason_mask_format(unsigned int mask, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	if (!len)
		return;
	buf[0] = '\0';
	if ((mask & MIGRATE_REASON_ALL) == MIGRATE_REASON_ALL) {
		snprintf(buf, len, "all");
		return;
	}
	if (!(mask & MIGRATE_REASON_ALL)) {
		snprintf(buf, len, "none");
		return;
	}
	for (i = 0; i < MR_TYPES && used < len; i++) {
		if (!(mask & (1U << i)))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "", migrate_reason_names[i]);
	}
}

/* ---- the subsystem ---- */

static int migrate_offload_init(struct foliage_machine *m)
{
	struct migrate_offload *r = m->migrate_offload;

	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->idle, NULL);
	return 0;
}

static void migrate_offload_exit(struct foliage_machine *m)
{
	struct migrate_offload *r = m->migrate_offload;

	if (!r)
		return;
	pthread_cond_destroy(&r->idle);
	pthread_mutex_destroy(&r->lock);
}

/*
 * "migrate_offload" (show migrate_offload): the active migrator, its
 * reasons and the registry's counters, one "name value" line each.
 */
static int migrate_offload_render_seq(struct seq_buf *s, bool json)
{
	struct migrate_offload_stats st;
	struct json_object *obj;
	const char *name;
	unsigned int mask;
	char reasons[256];
	int err = 0;

	name = migrate_offload_active(&mask);
	migrate_reason_mask_format(mask, reasons, sizeof(reasons));
	migrate_offload_get_stats(&st);
	if (!json) {
		seq_printf(s, "migrator %s\n", name ?: "none");
		seq_printf(s, "reasons %s\n", reasons);
		seq_printf(s, "nr_calls %lu\n", st.nr_calls);
		seq_printf(s, "nr_folios %lu\n", st.nr_folios);
		seq_printf(s, "nr_copied %lu\n", st.nr_copied);
		seq_printf(s, "nr_errors %lu\n", st.nr_errors);
		seq_printf(s, "nr_skipped %lu\n", st.nr_skipped);
		return s->err;
	}
	obj = json_new_object(&err);
	if (obj) {
		json_set_str(obj, "migrator", name ?: "none", &err);
		json_set_str(obj, "reasons", reasons, &err);
		json_set_u64(obj, "nr_calls", st.nr_calls, &err);
		json_set_u64(obj, "nr_folios", st.nr_folios, &err);
		json_set_u64(obj, "nr_copied", st.nr_copied, &err);
		json_set_u64(obj, "nr_errors", st.nr_errors, &err);
		json_set_u64(obj, "nr_skipped", st.nr_skipped, &err);
	}
	return json_show(s, obj, err);
}

static const struct machine_render migrate_offload_renders[] = {
	{ "migrate_offload", migrate_offload_render_seq },
};

/* Only a registered migrator has reasons; copies never outnumber calls. */
static int migrate_offload_validate(struct foliage_machine *m)
{
	struct migrate_offload *r = m->migrate_offload;
	int ret = 0;

	pthread_mutex_lock(&r->lock);
	if (!r->active && r->reason_mask) {
		report_bug("migrate_offload: no migrator, reasons %#x",
			   r->reason_mask);
		ret = -EINVAL;
	}
	if (r->stats.nr_copied > r->stats.nr_folios) {
		report_bug("migrate_offload: %lu copied of %lu folios",
			   r->stats.nr_copied, r->stats.nr_folios);
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

const struct machine_subsys migrate_offload_subsys = {
	.name = "migrate_offload",
	MACHINE_SUBSYS_STATE(migrate_offload),
	.init = migrate_offload_init,
	.exit = migrate_offload_exit,
	.renders = migrate_offload_renders,
	.nr_renders = ARRAY_SIZE(migrate_offload_renders),
	.validate = migrate_offload_validate,
};
