// SPDX-License-Identifier: GPL-2.0
/*
 * foliage run --fail-nth: every operation line of a scenario run with the
 * Nth allocation failing, N = 1, 2, ... (docs/testing.md).  A failed
 * attempt must return an error, record no bug, pass foliage_validate()
 * and leave the state as it was (the digest of digest.c); the state being
 * what it was, the line is tried again with N + 1.  The attempt that no
 * injected failure stopped (N past the line's allocations, or a fallback
 * that succeeded) is the line's run.  At the end, after the teardown,
 * nothing may be left: no VMA, anon_vma or anon_vma_chain object, no
 * mapped or anonymous page.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diffcmp.h"
#include "digest.h"
#include "scenario.h"

/* The verbs whose failure leaves the state as it was. */
enum fail_nth_check {
	CHECK_EXACT,			/* everything, VMA boundaries too */
	CHECK_PAGES,			/* may keep a split: page by page */
	CHECK_ONE_VMA,			/* CHECK_PAGES if within one VMA */
	CHECK_NONE,			/* may fail half done, as in Linux */
};

static const struct {
	const char *verb;		/* as in verbs.c */
	enum fail_nth_check check;	/* what its failure keeps */
} fail_nth_verbs[] = {
	{ "task", CHECK_EXACT },
	{ "fork", CHECK_EXACT },
	{ "exit", CHECK_EXACT },
	{ "file", CHECK_EXACT },
	{ "mmap", CHECK_PAGES },
	{ "munmap", CHECK_PAGES },
	/* Over several VMAs Linux keeps the changes before the failure. */
	{ "mprotect", CHECK_ONE_VMA },
	{ "madvise", CHECK_ONE_VMA },
	{ "mremap", CHECK_ONE_VMA },
	/* An access or a pin of a range keeps the pages before. */
};

static const char *const fail_nth_counters[] = {
	"nr_anon_pages", "nr_mapped", "nr_shmem", "nr_file_pages",
	"nr_anon_transparent_hugepages",
};

static const char *const fail_nth_caches[] = {
	"vm_area_struct", "anon_vma", "anon_vma_chain",
};

static enum fail_nth_check verb_check(const char *verb)
{
	unsigned int i;

	for (i = 0; i < sizeof(fail_nth_verbs) / sizeof(fail_nth_verbs[0]); i++)
		if (!strcmp(fail_nth_verbs[i].verb, verb))
			return fail_nth_verbs[i].check;
	return CHECK_NONE;
}

/* A vmstat counter, or -1. */
static long vmstat_value(const char *vmstat, const char *name)
{
	size_t n = strlen(name);
	const char *p;
	long v;

	for (p = vmstat; p; p = strchr(p, '\n')) {
		p += *p == '\n';
		if (!strncmp(p, name, n) && p[n] == ' ' &&
		    sscanf(p + n, "%ld", &v) == 1)
			return v;
	}
	return -1;
}

/* Append the machine's counters and (@objects) slab objects to *@d. */
static int digest_machine(struct scenario *s, char **d, size_t *len,
			  bool objects)
{
	struct dc_slab_row rows[3];
	char *text, buf[128];
	unsigned int i;
	int ret;

	ret = foliage_render(s->m, "vmstat", 0, &text);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(fail_nth_counters) / sizeof(char *) && !ret; i++) {
		snprintf(buf, sizeof(buf), "%s %ld\n", fail_nth_counters[i],
			 vmstat_value(text, fail_nth_counters[i]));
		ret = digest_cat(d, len, buf);
	}
	free(text);
	if (ret)
		return ret;
	ret = foliage_render(s->m, "slabinfo", 0, &text);
	if (ret)
		return ret;
	dc_parse_slabinfo(text, fail_nth_caches, 3, rows);
	free(text);
	for (i = 0; i < 3 && !ret; i++) {
		/* A kept split is a VMA more, and its chains. */
		if (!objects && i != 1)
			continue;
		/*
		 * anon_vma=lazy: a failed fork or moving mremap keeps the
		 * one-way upgrade it made (an anon_vma and chains).
		 */
		if (s->config.anon_vma == FOLIAGE_ANON_VMA_LAZY && i)
			continue;
		snprintf(buf, sizeof(buf), "%s %lu\n", fail_nth_caches[i],
			 rows[i].active_objs);
		ret = digest_cat(d, len, buf);
	}
	return ret;
}

/* The state a failed operation must keep; NULL if out of memory. */
static char *digest(struct scenario *s, bool pages)
{
	char *d = NULL, buf[128];
	size_t len = 0;
	unsigned int i;
	int ret = 0;

	snprintf(buf, sizeof(buf), "tasks %u files %u maps %u\n", s->nr_tasks,
		 s->nr_files, s->nr_maps);
	ret = digest_cat(&d, &len, buf);
	for (i = 0; i < s->nr_tasks && !ret; i++) {
		struct scn_task *t = s->tasks[i];
		char *smaps;

		if (!t->task)
			continue;
		snprintf(buf, sizeof(buf), "task %s\n", t->name);
		ret = digest_cat(&d, &len, buf);
		if (ret || (ret = foliage_render_task(t->task, "smaps", 0,
						      &smaps)))
			break;
		ret = pages ? digest_smaps_pages(&d, &len, smaps) :
			      digest_cat(&d, &len, smaps);
		free(smaps);
	}
	if (!ret)
		ret = digest_machine(s, &d, &len, !pages);
	if (ret) {
		free(d);
		return NULL;
	}
	return d;
}

/* How many VMAs of @t overlap @r, or -1 if @r has a hole. */
static int vmas_in(struct scn_task *t, const struct scn_range *r)
{
	bool whole;
	char *maps;
	int nr;

	if (foliage_render_task(t->task, "maps", 0, &maps))
		return -1;
	nr = digest_vmas_in(maps, r->start, r->len, &whole);
	free(maps);
	return whole ? nr : -1;
}

/*
 * What a failure of this line must keep: CHECK_ONE_VMA becomes
 * CHECK_PAGES when its TASK RANGE lies within one VMA, else CHECK_NONE.
 */
static enum fail_nth_check line_check(struct scenario *s,
				      const struct scn_verb *v,
				      struct scn_args *a)
{
	enum fail_nth_check check = verb_check(v->name);
	struct scn_task *t;
	struct scn_range r;
	bool quiet = s->quiet;

	if (check != CHECK_ONE_VMA)
		return check;
	/* MADV_POPULATE_*: faults, which keep the pages before. */
	if (!strcmp(v->name, "madvise") && a->nr_words > 2 &&
	    !strncmp(a->words[2], "populate", 8))
		return CHECK_NONE;
	/* A bad line is the handler's to report. */
	s->quiet = true;
	t = scn_find_task(s, a->words[0]);
	check = t && t->task && !scn_parse_range(s, a->words[1], &r) &&
		vmas_in(t, &r) == 1 ? CHECK_PAGES : CHECK_NONE;
	s->quiet = quiet;
	return check;
}

static int set_knob(struct scenario *s, const char *knob, unsigned long v)
{
	char key[64], val[32];

	snprintf(key, sizeof(key), "%s.%s", s->fail_nth, knob);
	snprintf(val, sizeof(val), "%lu", v);
	return foliage_set(s->m, key, val);
}

/*
 * The injector's knobs a line's sweep sets, kept and given back after:
 * a scenario may set them itself.  fail_page_alloc by default spares
 * order 0 and the allocations that may sleep (Linux's defaults): here
 * every allocation may fail.
 */
static const char *const page_knobs[] = {
	"probability", "interval", "times", "min-order", "ignore-gfp-wait",
	"ignore-gfp-highmem",
};
#define NR_SLAB_KNOBS	3		/* the first three */
#define NR_PAGE_KNOBS	(sizeof(page_knobs) / sizeof(page_knobs[0]))

static unsigned int nr_knobs(struct scenario *s)
{
	return strcmp(s->fail_nth, "failslab") ? NR_PAGE_KNOBS : NR_SLAB_KNOBS;
}

static int save_knobs(struct scenario *s, long *saved)
{
	char key[64];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr_knobs(s) && !ret; i++) {
		snprintf(key, sizeof(key), "%s.%s", s->fail_nth, page_knobs[i]);
		ret = foliage_get(s->m, key, &saved[i]);
	}
	return ret;
}

/* Put the injector's knobs back as save_knobs() found them; 0 or -errno. */
static int restore_knobs(struct scenario *s, const long *saved)
{
	char key[64], val[32];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr_knobs(s); i++) {
		int err;

		snprintf(key, sizeof(key), "%s.%s", s->fail_nth, page_knobs[i]);
		snprintf(val, sizeof(val), "%ld", saved[i]);
		err = foliage_set(s->m, key, val);
		ret = ret ?: err;
	}
	return ret;
}

/* Make the @n-th allocation from now fail (0: none). */
static int inject(struct scenario *s, unsigned long n)
{
	unsigned int i;
	int ret = set_knob(s, "probability", n ? 100 : 0);

	if (!ret && n)
		ret = set_knob(s, "interval", n);
	if (!ret)
		ret = set_knob(s, "times", n ? 1 : 0);
	for (i = NR_SLAB_KNOBS; i < nr_knobs(s) && !ret && n; i++)
		ret = set_knob(s, page_knobs[i], 0);
	return ret;
}

/* Whether the injected failure happened (times went 1 -> 0). */
static bool injected(struct scenario *s)
{
	char key[64];
	long times = 1;

	snprintf(key, sizeof(key), "%s.times", s->fail_nth);
	return !foliage_get(s->m, key, &times) && times == 0;
}

/* scn_fail_nth_line() once the injector's knobs are saved. */
static int __fail_nth_line(struct scenario *s, const struct scn_verb *v,
			   struct scn_args *a)
{
	enum fail_nth_check check = line_check(s, v, a);
	unsigned long n, bugs = foliage_bugs(s->m);
	char diff[512];
	int ret;

	for (n = 1;; n++) {
		char *before = NULL, *after;
		bool hit;

		if (check != CHECK_NONE) {
			before = digest(s, check == CHECK_PAGES);
			if (!before)
				return scn_usage(s, "--fail-nth: out of memory");
		}
		/* Past the sampled N: the one past the line's allocations. */
		if (inject(s, n > s->fail_nth_max ? 1UL << 40 : n)) {
			free(before);
			return scn_usage(s, "--fail-nth: cannot set %s",
					 s->fail_nth);
		}
		s->quiet = true;
		s->fail_nth_attempt = n;
		ret = v->fn(s, a);
		s->fail_nth_attempt = 0;
		s->quiet = false;
		hit = injected(s);
		inject(s, 0);
		if (foliage_bugs(s->m) > bugs) {
			free(before);
			return scn_fail(s, "--fail-nth %s N=%lu: BUG: %s",
					s->fail_nth, n,
					foliage_first_bug(s->m));
		}
		if (!hit || !ret) {
			/* The line's run (its messages were kept quiet). */
			free(before);
			if (ret)
				return scn_fail(s, "%s failed without an "
						"injected failure (run it "
						"without --fail-nth)", v->name);
			return ret;
		}
		s->fail_nth_failed++;
		if (foliage_validate(s->m)) {
			free(before);
			return scn_fail(s, "--fail-nth %s N=%lu: %s failed, "
					"then foliage_validate() failed: %s",
					s->fail_nth, n, v->name,
					foliage_first_bug(s->m));
		}
		if (before) {
			after = digest(s, check == CHECK_PAGES);
			if (!after) {
				free(before);
				return scn_usage(s, "--fail-nth: out of memory");
			}
			if (strcmp(before, after)) {
				digest_first_difference(before, after, diff,
							sizeof(diff));
				free(before);
				free(after);
				return scn_fail(s, "--fail-nth %s N=%lu: %s "
						"failed but changed the state: "
						"%s", s->fail_nth, n, v->name,
						diff);
			}
			free(after);
		}
		free(before);
	}
}

int scn_fail_nth_line(struct scenario *s, const struct scn_verb *v,
		      struct scn_args *a)
{
	long saved[NR_PAGE_KNOBS];
	int ret;

	if (save_knobs(s, saved))
		return scn_usage(s, "--fail-nth: cannot read %s", s->fail_nth);
	ret = __fail_nth_line(s, v, a);
	if (restore_knobs(s, saved) && !ret)
		ret = scn_usage(s, "--fail-nth: cannot restore %s", s->fail_nth);
	return ret;
}

int scn_fail_nth_end(struct scenario *s)
{
	char *d = NULL, *p;
	size_t len = 0;
	int ret = digest_machine(s, &d, &len, true);

	if (ret) {
		free(d);
		return scn_usage(s, "--fail-nth: %s", strerror(-ret));
	}
	/*
	 * Every task exited, every file closed: all of it must be 0 (bar
	 * the page cache of files a scenario may still hold).
	 */
	for (p = d; p && *p; p = strchr(p, '\n')) {
		const char *sp;

		p += *p == '\n';
		sp = strchr(p, ' ');
		if (!sp || !strncmp(p, "nr_file_pages ", 14))
			continue;
		if (strtol(sp + 1, NULL, 10)) {
			ret = scn_fail(s, "--fail-nth: at the end: %.*s left",
				       (int)strcspn(p, "\n"), p);
			break;
		}
	}
	free(d);
	if (!ret)
		fprintf(scn_note(s), "fail-nth %s: %lu operations failed by "
			"injection\n", s->fail_nth, s->fail_nth_failed);
	return ret;
}
