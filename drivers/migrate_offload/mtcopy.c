// SPDX-License-Identifier: GPL-2.0
/*
 * mtcopy: a migrator that copies a batch on several CPUs at once (the
 * multi-threaded copy of the series' earlier RFCs).  The batch's P pages,
 * laid end to end in list order, are cut into T = min(mtcopy.threads, P)
 * runs of whole pages; run t (pages [P*t/T, P*(t+1)/T)) is a work item on
 * CPU t % nr_cpus, run by that CPU's kworker, so a 2 MiB folio is shared
 * by every thread and a run of small folios goes to one.  The caller
 * sleeps in flush_work() (its CPU given up, so its own CPU's kworker can
 * run) and, once every run is done, marks every destination copied.
 *
 * Knobs (sysfs files): mtcopy.threads (1..32, else -EINVAL),
 * mtcopy.offloading (1 registers, 0 unregisters).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/copy_nocache.h>
#include <linux/machine_subsys.h>
#include <linux/migrate_offload.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

struct mtcopy {
	struct migrator_driver drv;	/* registration, mtcopy.offloading */
	unsigned int threads;		/* runs a batch is cut into, at most */
	pthread_mutex_t last_lock;	/* last */
	struct mtcopy_last_batch last;	/* split of the last batch */
};

/* One folio pair of the batch, and where its pages start in the run. */
struct mtcopy_seg {
	const char *src;		/* source contents */
	char *dst;			/* destination contents */
	unsigned long first_page;	/* index of its first page in the batch */
	unsigned long nr_pages;		/* its pages */
};

/* One thread's run. */
struct mtcopy_work {
	struct work_struct work;	/* on a CPU's kworker */
	const struct mtcopy_seg *segs;	/* the batch */
	unsigned int nr_segs;		/* folio pairs */
	unsigned long first_page;	/* run: [first_page, */
	unsigned long end_page;		/*        end_page) */
};

static struct mtcopy *mtcopy(void)
{
	return this_machine->mtcopy;
}

static void mtcopy_run(struct work_struct *work)
{
	struct mtcopy_work *w = container_of(work, struct mtcopy_work, work);
	unsigned long page = w->first_page;
	unsigned int i = 0;

	while (page < w->end_page) {
		const struct mtcopy_seg *s;
		unsigned long off, n;

		while (w->segs[i].first_page + w->segs[i].nr_pages <= page)
			i++;
		s = &w->segs[i];
		off = page - s->first_page;
		n = s->nr_pages - off;
		if (n > w->end_page - page)
			n = w->end_page - page;
		memcpy_nocache(s->dst + off * PAGE_SIZE,
			       s->src + off * PAGE_SIZE, n * PAGE_SIZE);
		page += n;
	}
}

static int mtcopy_offload_copy(struct list_head *dst_list,
			       struct list_head *src_list, unsigned int nr)
{
	struct mtcopy *mt = mtcopy();
	struct mtcopy_work w[MTCOPY_MAX_THREADS];
	struct folio *dst, *src;
	struct mtcopy_seg *segs;
	unsigned long total = 0;
	unsigned int t, nr_threads, i = 0;

	segs = calloc(nr, sizeof(*segs));
	if (!segs)
		return -ENOMEM;
	src = list_first_entry(src_list, struct folio, lru);
	list_for_each_entry(dst, dst_list, lru) {
		if (i == nr)
			break;
		if (folio_size(dst) != folio_size(src)) {
			free(segs);
			return -EINVAL;
		}
		segs[i].src = folio_address(src);
		segs[i].dst = folio_address(dst);
		segs[i].first_page = total;
		segs[i].nr_pages = folio_nr_pages(src);
		total += segs[i].nr_pages;
		src = list_entry(src->lru.next, struct folio, lru);
		i++;
	}

	nr_threads = READ_ONCE(mt->threads);
	if (nr_threads > total)
		nr_threads = total;
	for (t = 0; t < nr_threads; t++) {
		INIT_WORK(&w[t].work, mtcopy_run);
		w[t].segs = segs;
		w[t].nr_segs = nr;
		w[t].first_page = total * t / nr_threads;
		w[t].end_page = total * (t + 1) / nr_threads;
		queue_work_on(t % this_machine->nr_cpus, system_wq,
			      &w[t].work);
	}
	for (t = 0; t < nr_threads; t++)
		flush_work(&w[t].work);

	i = 0;
	list_for_each_entry(dst, dst_list, lru) {
		if (i++ == nr)
			break;
		folio_mark_content_copied(dst);
	}
	pthread_mutex_lock(&mt->last_lock);
	mt->last.nr_threads = nr_threads;
	for (t = 0; t < nr_threads; t++)
		mt->last.nr_pages[t] = w[t].end_page - w[t].first_page;
	pthread_mutex_unlock(&mt->last_lock);
	free(segs);
	return 0;
}

void mtcopy_get_last_batch(struct mtcopy_last_batch *b)
{
	struct mtcopy *mt = mtcopy();

	pthread_mutex_lock(&mt->last_lock);
	*b = mt->last;
	pthread_mutex_unlock(&mt->last_lock);
}

struct migrator_driver *mtcopy_driver(void)
{
	return &mtcopy()->drv;
}

/* ---- the subsystem ---- */

static int mtcopy_init(struct foliage_machine *m)
{
	struct mtcopy *mt = m->mtcopy;

	mt->threads = 2;
	migrator_driver_init(&mt->drv, "mtcopy", mtcopy_offload_copy, mt);
	pthread_mutex_init(&mt->last_lock, NULL);
	return 0;
}

static void mtcopy_exit(struct foliage_machine *m)
{
	struct mtcopy *mt = m->mtcopy;

	if (!mt)
		return;
	migrator_driver_exit(&mt->drv);
	pthread_mutex_destroy(&mt->last_lock);
}

/* The files of mtcopy's sysfs directory: "mtcopy.<file>". */
static int mtcopy_sysfs_set(const char *file, const char *value)
{
	struct mtcopy *mt = mtcopy();
	unsigned int v;

	if (!strcmp(file, "offloading"))
		return migrator_offloading_store(&mt->drv, value);
	if (strcmp(file, "threads"))
		return -ENOENT;
	if (migrator_parse_uint(value, &v) || v < 1 || v > MTCOPY_MAX_THREADS)
		return -EINVAL;
	WRITE_ONCE(mt->threads, v);
	return 0;
}

static int mtcopy_sysfs_get(const char *file, long *value)
{
	struct mtcopy *mt = mtcopy();

	if (!strcmp(file, "offloading"))
		*value = READ_ONCE(mt->drv.offloading);
	else if (!strcmp(file, "threads"))
		*value = READ_ONCE(mt->threads);
	else
		return -ENOENT;
	return 0;
}

const struct machine_subsys mtcopy_subsys = {
	.name = "mtcopy",
	MACHINE_SUBSYS_STATE(mtcopy),
	.init = mtcopy_init,
	.exit = mtcopy_exit,
	.sysfs_prefix = "mtcopy.",
	.sysfs_set = mtcopy_sysfs_set,
	.sysfs_get = mtcopy_sysfs_get,
};
