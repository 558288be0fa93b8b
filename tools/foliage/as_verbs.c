// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs of address spaces: tasks (task, fork, exit), files (file,
 * close), mappings (mmap, munmap, mprotect, mremap, madvise), user memory
 * (touch, write, read, pin, unpin) and a task's /proc files (show maps).
 *
 * Each handler parses its whole line first, then calls the library once.
 * A library error goes through scn_lib_error(), which lets a line that
 * ends with '=> -ERRNO' expect it.  After a success the handler updates
 * what the scenario keeps: names, and each task's shadow memory (what the
 * scenario wrote into it, see shadow.h), which every operation keeps in
 * step with the address space:
 *
 *	touch write, write	claim the bytes written, in the task and in
 *				every mapping that shares them (MAP_SHARED
 *				of the same file at the same offset)
 *	fork			the child gets a copy, without the VM_DONTCOPY
 *				ranges, with VM_WIPEONFORK ranges zero
 *	munmap, mmap fixed	drop the claims of the range
 *	mremap			moves them, drops those past a shrunk end
 *	madvise dontneed	private anonymous memory reads zero, private
 *				file memory its file again (claims dropped)
 *	madvise free		makes them maybe-zero: the page reads them, or
 *				zeroes if it was discarded while clean
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define PAGE_SIZE	FOLIAGE_PAGE_SIZE
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static int out_of_memory(struct scenario *s)
{
	return scn_fail(s, "%s: out of memory", s->verb);
}

/* Option words of a verb ("shared", "fixed"): one bit each. */
struct opt_word {
	const char *word;		/* as written */
	unsigned int bit;		/* OPT_* */
};

static int parse_opts(struct scenario *s, struct scn_args *a,
		      unsigned int first, const struct opt_word *opts,
		      unsigned int nr, const char *usage, unsigned int *bits)
{
	unsigned int i, j;

	*bits = 0;
	for (i = first; i < a->nr_words; i++) {
		for (j = 0; j < nr; j++)
			if (!strcmp(a->words[i], opts[j].word))
				break;
		if (j == nr)
			return scn_usage(s, "%s: unknown option '%s' (usage: %s)",
					 s->verb, a->words[i], usage);
		if (*bits & opts[j].bit)
			return scn_usage(s, "%s: '%s' given twice", s->verb,
					 a->words[i]);
		*bits |= opts[j].bit;
	}
	return SCN_OK;
}

/* "read" or "write", the last word of touch and pin. */
static int parse_rw(struct scenario *s, const char *word, bool *write)
{
	if (!strcmp(word, "read") || !strcmp(word, "write")) {
		*write = word[0] == 'w';
		return SCN_OK;
	}
	return scn_usage(s, "%s: expected 'read' or 'write', not '%s'", s->verb,
			 word);
}

/* The TASK and RANGE words most verbs start with. */
static int parse_task_range(struct scenario *s, struct scn_args *a,
			    struct scn_task **t, struct scn_range *r)
{
	*t = scn_find_task(s, a->words[0]);
	if (!*t)
		return SCN_USAGE;
	return scn_parse_range(s, a->words[1], r);
}

/* In --verbose runs, where a name's mapping lies now. */
static void show_map(struct scenario *s, const struct scn_map *mp)
{
	if (s->verbose)
		fprintf(scn_note(s), "  %s: 0x%lx-0x%lx in %s\n", mp->name,
			mp->start, mp->start + mp->len, mp->task->name);
}

/* Tasks and files */

int scn_do_task(struct scenario *s, struct scn_args *a)
{
	const char *name = a->words[0];
	struct scn_task *t;
	int ret;

	ret = scn_check_new_name(s, name);
	if (ret)
		return ret;
	t = scn_new_task(s, name);
	if (!t)
		return out_of_memory(s);
	s->action.kind = SCN_ACT_TASK;
	s->action.task = t;
	ret = foliage_task_create(s->m, name, &t->task);
	if (ret) {
		scn_forget_task(s);
		return scn_lib_error(s, ret, NULL);
	}
	t->pid = foliage_task_pid(t->task);
	return SCN_OK;
}

/*
 * The child's shadow: the parent's, less what fork does not copy
 * (MADV_DONTFORK: VmFlags "dc"), with MADV_WIPEONFORK ranges ("wf")
 * reading zero.  @pmaps is the parent's smaps.
 */
static int fork_shadow(struct scn_task *child, struct scn_task *parent,
		       struct scn_maps *pmaps)
{
	unsigned int i;
	int ret;

	ret = shadow_copy(&child->shadow, &parent->shadow);
	for (i = 0; !ret && i < pmaps->nr_vma; i++) {
		struct scn_vma *v = &pmaps->vma[i];

		if (scn_vma_has_flag(v, "dc"))
			ret = shadow_drop(&child->shadow, v->start, v->end);
		else if (scn_vma_has_flag(v, "wf"))
			ret = shadow_zero(&child->shadow, v->start, v->end);
	}
	return ret;
}

int scn_do_fork(struct scenario *s, struct scn_args *a)
{
	struct scn_task *parent, *child;
	struct scn_maps pmaps = { 0 };
	int ret;

	parent = scn_find_task(s, a->words[0]);
	if (!parent)
		return SCN_USAGE;
	ret = scn_check_new_name(s, a->words[1]);
	if (ret)
		return ret;
	/* Which ranges fork leaves out or wipes: only claims care. */
	if (parent->shadow.nr_pages) {
		ret = scn_maps_read(s, parent, "smaps", &pmaps);
		if (ret)
			return ret;
	}
	child = scn_new_task(s, a->words[1]);
	if (!child) {
		scn_maps_free(&pmaps);
		return out_of_memory(s);
	}
	s->action.kind = SCN_ACT_FORK;
	s->action.task = parent;
	ret = foliage_fork(parent->task, child->name, &child->task);
	if (ret) {
		scn_maps_free(&pmaps);
		scn_forget_task(s);
		return scn_lib_error(s, ret, NULL);
	}
	child->pid = foliage_task_pid(child->task);
	ret = fork_shadow(child, parent, &pmaps);
	scn_maps_free(&pmaps);
	return ret ? out_of_memory(s) : SCN_OK;
}

int scn_do_exit(struct scenario *s, struct scn_args *a)
{
	struct scn_task *t = scn_find_task(s, a->words[0]);
	int ret;

	if (!t)
		return SCN_USAGE;
	s->action.kind = SCN_ACT_EXIT;
	s->action.task = t;
	ret = foliage_exit(t->task);
	if (ret)
		return scn_lib_error(s, ret, NULL);
	t->task = NULL;
	t->line = s->line;
	shadow_destroy(&t->shadow);
	return SCN_OK;
}

int scn_do_file(struct scenario *s, struct scn_args *a)
{
	const char *name = a->words[0];
	unsigned int size_bits, mfd = 0;
	struct scn_file *f;
	uint64_t bytes;
	bool hugetlb;
	int ret;

	if (a->nr_words > 2 && strcmp(a->words[2], "hugetlb"))
		return scn_usage(s, "file: unknown option '%s' (usage: file "
				 "NAME SIZE [hugetlb[=2M|1G]])", a->words[2]);
	if ((ret = scn_check_new_name(s, name)) ||
	    (ret = scn_parse_size(s, "the size", a->words[1], &bytes)) ||
	    (ret = scn_parse_hugetlb(s, a, a->nr_words > 2, &size_bits,
				     &hugetlb)))
		return ret;
	if (hugetlb)
		mfd = FOLIAGE_MFD_HUGETLB | (size_bits << 26);
	f = scn_new_file(s, name);
	if (!f)
		return out_of_memory(s);
	s->action.kind = SCN_ACT_FILE;
	s->action.file = f;
	s->action.len = bytes;
	ret = foliage_memfd_create(s->m, name, bytes, mfd, &f->file);
	if (ret) {
		scn_forget_file(s);
		return scn_lib_error(s, ret, NULL);
	}
	f->bytes = bytes;
	return SCN_OK;
}

int scn_do_close(struct scenario *s, struct scn_args *a)
{
	struct scn_file *f = scn_find_file(s, a->words[0]);

	if (!f)
		return SCN_USAGE;
	s->action.kind = SCN_ACT_CLOSE;
	s->action.file = f;
	foliage_file_put(f->file);
	f->file = NULL;
	f->line = s->line;
	return SCN_OK;
}

/* Mappings */

enum {
	OPT_SHARED = 0x1, OPT_PRIVATE = 0x2, OPT_FIXED = 0x4,
	OPT_NOREPLACE = 0x8, OPT_POPULATE = 0x10, OPT_MAYMOVE = 0x20,
	OPT_DONTUNMAP = 0x40, OPT_HUGETLB = 0x80, OPT_NORESERVE = 0x100,
};

static const struct opt_word mmap_opts[] = {
	{ "shared", OPT_SHARED }, { "private", OPT_PRIVATE },
	{ "fixed", OPT_FIXED }, { "noreplace", OPT_NOREPLACE },
	{ "populate", OPT_POPULATE }, { "hugetlb", OPT_HUGETLB },
	{ "noreserve", OPT_NORESERVE },
};

int scn_do_mmap(struct scenario *s, struct scn_args *a)
{
	static const char usage[] = "mmap TASK NAME LEN [at=ADDR] [prot=PROT] "
		"[shared|private] [fixed|noreplace] [populate] "
		"[hugetlb[=2M|1G]] [noreserve] [file=FILE [off=OFF]]";
	const char *name = a->words[1], *v;
	int prot = FOLIAGE_PROT_READ | FOLIAGE_PROT_WRITE, flags;
	unsigned long at = 0, addr;
	struct scn_file *f = NULL;
	uint64_t len, off = 0;
	unsigned int opts, size_bits;
	char why[128];
	struct scn_task *t;
	struct scn_map *mp;
	bool hugetlb;
	int ret;

	t = scn_find_task(s, a->words[0]);
	if (!t)
		return SCN_USAGE;
	if ((ret = scn_check_new_name(s, name)) ||
	    (ret = scn_parse_size(s, "the length", a->words[2], &len)) ||
	    (ret = parse_opts(s, a, 3, mmap_opts, ARRAY_LEN(mmap_opts), usage,
			      &opts)))
		return ret;
	if ((v = scn_arg(a, "at")) &&
	    (ret = scn_parse_addr(s, "at=", v, &at)))
		return ret;
	if ((ret = scn_parse_hugetlb(s, a, opts & OPT_HUGETLB, &size_bits,
				     &hugetlb)))
		return ret;
	if ((v = scn_arg(a, "prot")) && (ret = scn_parse_prot(s, v, &prot)))
		return ret;
	if ((v = scn_arg(a, "file")) && !(f = scn_find_file(s, v)))
		return SCN_USAGE;
	if ((v = scn_arg(a, "off")) &&
	    (ret = scn_parse_size(s, "off=", v, &off)))
		return ret;
	if ((opts & OPT_SHARED) && (opts & OPT_PRIVATE))
		return scn_usage(s, "mmap: shared or private, not both");
	if ((opts & OPT_FIXED) && (opts & OPT_NOREPLACE))
		return scn_usage(s, "mmap: fixed or noreplace, not both");
	if ((opts & (OPT_FIXED | OPT_NOREPLACE)) && !scn_arg(a, "at"))
		return scn_usage(s, "mmap: %s needs at=ADDR",
				 opts & OPT_FIXED ? "fixed" : "noreplace");
	if (scn_arg(a, "off") && !f)
		return scn_usage(s, "mmap: off= is an offset in a file: give "
				 "file= too");
	flags = opts & OPT_SHARED ? FOLIAGE_MAP_SHARED : FOLIAGE_MAP_PRIVATE;
	if (!f)
		flags |= FOLIAGE_MAP_ANONYMOUS;
	if (opts & OPT_FIXED)
		flags |= FOLIAGE_MAP_FIXED;
	if (opts & OPT_NOREPLACE)
		flags |= FOLIAGE_MAP_FIXED_NOREPLACE;
	if (opts & OPT_POPULATE)
		flags |= FOLIAGE_MAP_POPULATE;
	if (!scn_arg(a, "at") && s->hooks && s->hooks->place_mmap)
		at = s->hooks->place_mmap(s, len);
	if (opts & OPT_NORESERVE)
		flags |= FOLIAGE_MAP_NORESERVE;
	if (hugetlb)
		flags |= FOLIAGE_MAP_HUGETLB |
			 (size_bits << FOLIAGE_MAP_HUGE_SHIFT);

	mp = scn_new_map(s, name);
	if (!mp)
		return out_of_memory(s);
	s->action = (struct scn_action){ .kind = SCN_ACT_MMAP, .task = t, .file = f,
				 .start = at, .len = len, .off = off,
				 .prot = prot, .flags = flags };
	ret = foliage_mmap(t->task, at, len, prot, flags, f ? f->file : NULL,
			   off, &addr);
	if (ret) {
		scn_forget_map(s);
		return scn_lib_error(s, ret, scn_why_mmap(why, sizeof(why), ret,
				     at, len, off, opts & OPT_FIXED,
				     opts & OPT_NOREPLACE));
	}
	s->action.addr = addr;
	mp->task = t;
	mp->start = addr;
	mp->len = PAGE_ALIGN(len);
	/* MAP_HUGETLB rounds the length up to its huge page size. */
	if (hugetlb)
		mp->len = (len + (1ULL << (size_bits ?: 21)) - 1) &
			  ~((1ULL << (size_bits ?: 21)) - 1);
	/* MAP_FIXED replaced whatever was there. */
	if (shadow_drop(&t->shadow, addr, addr + mp->len))
		return out_of_memory(s);
	show_map(s, mp);
	return SCN_OK;
}

int scn_do_munmap(struct scenario *s, struct scn_args *a)
{
	char why[128];
	struct scn_range r;
	struct scn_task *t;
	int ret;

	ret = parse_task_range(s, a, &t, &r);
	if (ret)
		return ret;
	s->action = (struct scn_action){ .kind = SCN_ACT_MUNMAP, .task = t,
				 .start = r.start, .len = r.len };
	ret = foliage_munmap(t->task, r.start, r.len);
	if (ret)
		return scn_lib_error(s, ret, scn_why_range(why, sizeof(why), ret,
							   r.start, r.len));
	if (shadow_drop(&t->shadow, r.start, r.start + PAGE_ALIGN(r.len)))
		return out_of_memory(s);
	return SCN_OK;
}

int scn_do_mprotect(struct scenario *s, struct scn_args *a)
{
	char why[128];
	struct scn_range r;
	struct scn_task *t;
	int prot, ret;

	if ((ret = parse_task_range(s, a, &t, &r)) ||
	    (ret = scn_parse_prot(s, a->words[2], &prot)))
		return ret;
	s->action = (struct scn_action){ .kind = SCN_ACT_MPROTECT, .task = t,
				 .start = r.start, .len = r.len, .prot = prot };
	ret = foliage_mprotect(t->task, r.start, r.len, prot);
	return ret ? scn_lib_error(s, ret, scn_why_range(why, sizeof(why), ret,
							 r.start, r.len))
		   : SCN_OK;
}

static const struct opt_word mremap_opts[] = {
	{ "maymove", OPT_MAYMOVE }, { "fixed", OPT_FIXED },
	{ "dontunmap", OPT_DONTUNMAP },
};

/*
 * The claims follow the pages: those of the first min(old, new) bytes go
 * to the new place, those past a shrunk end go; the grown part and the
 * old range left by MREMAP_DONTUNMAP have none.
 */
static int mremap_shadow(struct shadow *sh, unsigned long old_addr,
			 unsigned long old_len, unsigned long new_addr,
			 unsigned long new_len)
{
	unsigned long keep = old_len < new_len ? old_len : new_len;

	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	keep = PAGE_ALIGN(keep);
	if (old_len > keep && shadow_drop(sh, old_addr + keep,
					  old_addr + old_len))
		return -ENOMEM;
	if (new_addr == old_addr)
		return 0;
	if (shadow_drop(sh, new_addr + keep, new_addr + new_len))
		return -ENOMEM;
	return shadow_move(sh, old_addr, keep, new_addr);
}

int scn_do_mremap(struct scenario *s, struct scn_args *a)
{
	static const char usage[] = "mremap TASK RANGE NEWLEN [maymove] "
		"[fixed at=ADDR] [dontunmap]";
	unsigned long at = 0, addr;
	unsigned int opts;
	struct scn_range r;
	struct scn_task *t;
	uint64_t new_len;
	const char *v;
	int flags = 0, ret;

	if ((ret = parse_task_range(s, a, &t, &r)) ||
	    (ret = scn_parse_size(s, "the new length", a->words[2],
				  &new_len)) ||
	    (ret = parse_opts(s, a, 3, mremap_opts, ARRAY_LEN(mremap_opts),
			      usage, &opts)))
		return ret;
	if ((v = scn_arg(a, "at")) &&
	    (ret = scn_parse_addr(s, "at=", v, &at)))
		return ret;
	if (!(opts & OPT_FIXED) != !v)
		return scn_usage(s, "mremap: fixed and at=ADDR go together "
				 "(usage: %s)", usage);
	if (opts & OPT_MAYMOVE)
		flags |= FOLIAGE_MREMAP_MAYMOVE;
	if (opts & OPT_FIXED)
		flags |= FOLIAGE_MREMAP_FIXED;
	if (opts & OPT_DONTUNMAP)
		flags |= FOLIAGE_MREMAP_DONTUNMAP;

	s->action = (struct scn_action){ .kind = SCN_ACT_MREMAP, .task = t,
				 .start = r.start, .len = r.len,
				 .new_len = new_len, .at = at, .flags = flags };
	ret = foliage_mremap(t->task, r.start, r.len, new_len, flags, at,
			     &addr);
	if (ret)
		return scn_lib_error(s, ret, NULL);
	s->action.addr = addr;
	if (mremap_shadow(&t->shadow, r.start, r.len, addr, new_len))
		return out_of_memory(s);
	if (r.map && r.map->task == t) {
		r.map->start = addr;
		r.map->len = PAGE_ALIGN(new_len);
		show_map(s, r.map);
	}
	return SCN_OK;
}

static const struct {
	const char *name;		/* MADV_ name, lower case, no prefix */
	int advice;			/* its value */
} advices[] = {
	{ "normal", FOLIAGE_MADV_NORMAL },
	{ "dontneed", FOLIAGE_MADV_DONTNEED },
	{ "free", FOLIAGE_MADV_FREE },
	{ "populate_read", FOLIAGE_MADV_POPULATE_READ },
	{ "populate_write", FOLIAGE_MADV_POPULATE_WRITE },
	{ "hugepage", FOLIAGE_MADV_HUGEPAGE },
	{ "nohugepage", FOLIAGE_MADV_NOHUGEPAGE },
	{ "dontfork", FOLIAGE_MADV_DONTFORK },
	{ "dofork", FOLIAGE_MADV_DOFORK },
	{ "wipeonfork", FOLIAGE_MADV_WIPEONFORK },
	{ "keeponfork", FOLIAGE_MADV_KEEPONFORK },
};

/*
 * After MADV_DONTNEED or MADV_FREE of [start, end): private anonymous
 * memory reads zero after DONTNEED, and zero or its old bytes after FREE;
 * private file memory reads its file again; shared memory keeps its bytes.
 */
static int madvise_shadow(struct scenario *s, struct scn_task *t,
			  int advice, unsigned long start, unsigned long end)
{
	struct scn_maps maps;
	unsigned int i;
	int ret;

	if (!t->shadow.nr_pages)
		return SCN_OK;
	ret = scn_maps_read(s, t, "maps", &maps);
	if (ret)
		return ret;
	for (i = 0; !ret && i < maps.nr_vma; i++) {
		struct scn_vma *v = &maps.vma[i];
		unsigned long from = v->start > start ? v->start : start;
		unsigned long to = v->end < end ? v->end : end;

		if (from >= to || v->perms[3] == 's')
			continue;
		if (advice == FOLIAGE_MADV_FREE && !v->inode)
			shadow_lazyfree(&t->shadow, from, to);
		else if (advice == FOLIAGE_MADV_DONTNEED && !v->inode)
			ret = shadow_zero(&t->shadow, from, to);
		else
			ret = shadow_drop(&t->shadow, from, to);
	}
	scn_maps_free(&maps);
	return ret ? out_of_memory(s) : SCN_OK;
}

int scn_do_madvise(struct scenario *s, struct scn_args *a)
{
	char why[128];
	const char *word = a->words[2];
	struct scn_range r;
	struct scn_task *t;
	unsigned int i;
	int ret;

	ret = parse_task_range(s, a, &t, &r);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_LEN(advices); i++)
		if (!strcmp(advices[i].name, word))
			break;
	if (i == ARRAY_LEN(advices))
		return scn_usage(s, "madvise: unknown advice '%s' (normal "
				 "dontneed free populate_read populate_write "
				 "hugepage nohugepage dontfork dofork wipeonfork "
				 "keeponfork)", word);
	s->action = (struct scn_action){ .kind = SCN_ACT_MADVISE, .task = t,
				 .start = r.start, .len = r.len,
				 .advice = advices[i].advice };
	ret = foliage_madvise(t->task, r.start, r.len, advices[i].advice);
	if (ret)
		return scn_lib_error(s, ret, scn_why_range(why, sizeof(why), ret,
							   r.start, r.len));
	if (advices[i].advice == FOLIAGE_MADV_DONTNEED ||
	    advices[i].advice == FOLIAGE_MADV_FREE)
		return madvise_shadow(s, t, advices[i].advice, r.start,
				      r.start + PAGE_ALIGN(r.len));
	return SCN_OK;
}

/* User memory */

/* A shared mapping, somewhere, of the file a write goes to. */
struct alias {
	struct scn_task *t;		/* whose mapping */
	unsigned long start;		/* its vm_start */
	unsigned long end;		/* its vm_end */
	unsigned long long offset;	/* file offset of start */
	unsigned int dev_major;		/* the file: device */
	unsigned int dev_minor;
	unsigned long inode;		/* and inode */
};

/*
 * One write verb's bookkeeping: the writer's maps, and, when it writes
 * into MAP_SHARED memory, every shared mapping of any task, so that a
 * claim lands wherever the bytes are visible.
 */
struct writer {
	struct scenario *s;		/* for messages */
	struct scn_task *t;		/* who writes */
	struct scn_maps maps;		/* t's maps, if it writes shared */
	struct alias *aliases;		/* shared file mappings of all tasks */
	unsigned int nr_aliases;	/* entries in aliases */
};

static void writer_free(struct writer *w)
{
	scn_maps_free(&w->maps);
	free(w->aliases);
}

static int writer_add_aliases(struct writer *w, struct scn_task *t)
{
	struct scn_maps maps;
	unsigned int i;
	int ret;

	ret = scn_maps_read(w->s, t, "maps", &maps);
	if (ret)
		return ret;
	for (i = 0; i < maps.nr_vma; i++) {
		struct scn_vma *v = &maps.vma[i];
		struct alias *n;

		if (v->perms[3] != 's' || !v->inode)
			continue;
		n = realloc(w->aliases, (w->nr_aliases + 1) * sizeof(*n));
		if (!n) {
			scn_maps_free(&maps);
			return out_of_memory(w->s);
		}
		w->aliases = n;
		w->aliases[w->nr_aliases++] = (struct alias){ t, v->start,
			v->end, v->offset, v->dev_major, v->dev_minor,
			v->inode };
	}
	scn_maps_free(&maps);
	return SCN_OK;
}

/* Get ready for @t to write [start, end). */
static int writer_init(struct scenario *s, struct writer *w,
		       struct scn_task *t, unsigned long start,
		       unsigned long end)
{
	unsigned int i;
	bool shared = false;
	int ret;

	memset(w, 0, sizeof(*w));
	w->s = s;
	w->t = t;
	ret = scn_maps_read(s, t, "maps", &w->maps);
	if (ret)
		return ret;
	for (i = 0; i < w->maps.nr_vma; i++)
		if (w->maps.vma[i].perms[3] == 's' &&
		    w->maps.vma[i].start < end && w->maps.vma[i].end > start)
			shared = true;
	for (i = 0; shared && i < s->nr_tasks; i++) {
		if (!s->tasks[i]->task)
			continue;
		ret = writer_add_aliases(w, s->tasks[i]);
		if (ret) {
			writer_free(w);
			return ret;
		}
	}
	return SCN_OK;
}

static int claim(struct shadow *sh, unsigned long addr,
		 const unsigned char *buf, size_t len, const uint64_t *seed)
{
	if (seed)
		return shadow_record_pattern(sh, addr, *seed);
	return shadow_record(sh, addr, buf, len);
}

/*
 * @len bytes at @addr, inside one page, were written with @buf (or, if
 * @seed, the whole page with its pattern): claim them in the writer and
 * in every shared mapping of the same file page.
 */
static int writer_claim(struct writer *w, unsigned long addr,
			const unsigned char *buf, size_t len,
			const uint64_t *seed)
{
	unsigned long long foff;
	struct scn_vma *v;
	unsigned int i;

	if (claim(&w->t->shadow, addr, buf, len, seed))
		return -ENOMEM;
	if (!w->nr_aliases)
		return 0;
	v = scn_maps_find(&w->maps, addr);
	if (!v || v->perms[3] != 's')
		return 0;
	foff = v->offset + (addr - v->start);
	for (i = 0; i < w->nr_aliases; i++) {
		struct alias *al = &w->aliases[i];
		unsigned long to;

		if (al->inode != v->inode || al->dev_major != v->dev_major ||
		    al->dev_minor != v->dev_minor || foff < al->offset ||
		    foff - al->offset >= al->end - al->start)
			continue;
		to = al->start + (foff - al->offset);
		if (al->t == w->t && to == addr)
			continue;
		if (claim(&al->t->shadow, to, buf, len, seed))
			return -ENOMEM;
	}
	return 0;
}

/* Claim [addr, addr + len) written with @buf, page by page. */
static int writer_claim_bytes(struct writer *w, unsigned long addr,
			      const unsigned char *buf, size_t len)
{
	while (len) {
		size_t n = PAGE_SIZE - (addr & (PAGE_SIZE - 1));

		if (n > len)
			n = len;
		if (writer_claim(w, addr, buf, n, NULL))
			return -ENOMEM;
		addr += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* " at 0xADDR", the detail of a failed access. */
static const char *at_addr(char *buf, size_t len, unsigned long addr)
{
	snprintf(buf, len, " at 0x%lx", addr);
	return buf;
}

static int touch_write(struct scenario *s, struct scn_task *t,
		       const struct scn_range *r)
{
	unsigned long addr = r->start, end = r->start + r->len, fault = 0;
	unsigned char *page = malloc(PAGE_SIZE);
	struct writer w;
	char detail[32];
	int ret;

	if (!page)
		return out_of_memory(s);
	ret = writer_init(s, &w, t, r->start, end);
	if (ret) {
		free(page);
		return ret;
	}
	for (; addr < end && !ret; addr = (addr & ~(PAGE_SIZE - 1)) +
	     PAGE_SIZE) {
		unsigned long base = addr & ~(PAGE_SIZE - 1);
		size_t n = end - addr < base + PAGE_SIZE - addr ?
			   end - addr : base + PAGE_SIZE - addr;
		uint64_t seed = shadow_seed(base, t->pid, s->line);

		shadow_pattern(seed, page);
		ret = foliage_access(t->task, addr, page + (addr - base), n,
				     true, &fault);
		if (ret)
			break;
		if (writer_claim(&w, addr, page + (addr - base), n,
				 n == PAGE_SIZE ? &seed : NULL))
			ret = 1;
	}
	writer_free(&w);
	free(page);
	if (ret == 1)
		return out_of_memory(s);
	s->fault_addr = fault;
	if (ret)
		return scn_lib_error(s, ret, at_addr(detail, sizeof(detail),
						     fault));
	return SCN_OK;
}

static int touch_read(struct scenario *s, struct scn_task *t,
		      const struct scn_range *r)
{
	unsigned long addr, end = r->start + r->len, fault = 0;
	unsigned char byte;
	char detail[32];
	int ret;

	for (addr = r->start; addr < end;
	     addr = (addr & ~(PAGE_SIZE - 1)) + PAGE_SIZE) {
		ret = foliage_access(t->task, addr, &byte, 1, false, &fault);
		s->fault_addr = fault;
		if (ret)
			return scn_lib_error(s, ret, at_addr(detail,
							     sizeof(detail),
							     fault));
	}
	return SCN_OK;
}

int scn_do_touch(struct scenario *s, struct scn_args *a)
{
	struct scn_range r;
	struct scn_task *t;
	bool write = false;
	int ret;

	if ((ret = parse_task_range(s, a, &t, &r)) ||
	    (ret = parse_rw(s, a->words[2], &write)))
		return ret;
	s->action = (struct scn_action){ .kind = SCN_ACT_TOUCH, .task = t,
				 .start = r.start, .len = r.len, .write = write };
	return write ? touch_write(s, t, &r) : touch_read(s, t, &r);
}

int scn_do_write(struct scenario *s, struct scn_args *a)
{
	unsigned long addr, fault = 0;
	unsigned char *data;
	struct scn_task *t;
	struct writer w;
	char detail[32];
	size_t len, done;
	int ret, err;

	t = scn_find_task(s, a->words[0]);
	if (!t)
		return SCN_USAGE;
	if ((ret = scn_parse_addr(s, "the address", a->words[1], &addr)) ||
	    (ret = scn_parse_data(s, a->words[2], &data, &len)))
		return ret;
	if (addr + len < addr) {
		free(data);
		return scn_usage(s, "write: %zu bytes at 0x%lx wrap around",
				 len, addr);
	}
	ret = writer_init(s, &w, t, addr, addr + len);
	if (ret) {
		free(data);
		return ret;
	}
	scn_action_clear(s);	/* --fail-nth runs a line again */
	s->action = (struct scn_action){ .kind = SCN_ACT_WRITE, .task = t,
				 .start = addr, .len = len, .data = data };
	err = foliage_access(t->task, addr, data, len, true, &fault);
	s->fault_addr = fault;
	/* What came before the failing page was written. */
	done = !err ? len : fault > addr && fault < addr + len ?
			    fault - addr : 0;
	if (writer_claim_bytes(&w, addr, data, done))
		ret = out_of_memory(s);
	else if (err)
		ret = scn_lib_error(s, err, at_addr(detail, sizeof(detail),
						    fault));
	writer_free(&w);
	return ret;
}

/* The most 'read' reads at once. */
#define READ_MAX	(64UL << 20)

int scn_do_read(struct scenario *s, struct scn_args *a)
{
	unsigned long addr, fault = 0;
	unsigned char *buf;
	struct scn_task *t;
	char detail[32];
	uint64_t len;
	int ret;

	t = scn_find_task(s, a->words[0]);
	if (!t)
		return SCN_USAGE;
	if ((ret = scn_parse_addr(s, "the address", a->words[1], &addr)) ||
	    (ret = scn_parse_size(s, "the length", a->words[2], &len)))
		return ret;
	if (len > READ_MAX)
		return scn_usage(s, "read: at most 64M at once");
	buf = malloc(len ? len : 1);
	if (!buf)
		return out_of_memory(s);
	s->action = (struct scn_action){ .kind = SCN_ACT_READ, .task = t,
				 .start = addr, .len = len };
	ret = foliage_access(t->task, addr, buf, len, false, &fault);
	s->fault_addr = fault;
	free(s->read.buf);
	s->read = (struct scn_read){ s->line, ret, addr, ret ? 0 : len,
				     ret ? NULL : buf };
	if (ret) {
		free(buf);
		return scn_lib_error(s, ret, at_addr(detail, sizeof(detail),
						     fault));
	}
	return SCN_OK;
}

int scn_do_pin(struct scenario *s, struct scn_args *a)
{
	struct scn_range r;
	struct scn_task *t;
	bool write = true;
	int ret;

	if ((ret = parse_task_range(s, a, &t, &r)) ||
	    (a->nr_words > 2 && (ret = parse_rw(s, a->words[2], &write))))
		return ret;
	s->action = (struct scn_action){ .kind = SCN_ACT_PIN, .task = t,
				 .start = r.start, .len = r.len, .write = write };
	ret = foliage_pin(t->task, r.start, r.len, write);
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

int scn_do_unpin(struct scenario *s, struct scn_args *a)
{
	struct scn_range r;
	struct scn_task *t;
	int ret;

	ret = parse_task_range(s, a, &t, &r);
	if (ret)
		return ret;
	s->action = (struct scn_action){ .kind = SCN_ACT_UNPIN, .task = t,
				 .start = r.start, .len = r.len };
	ret = foliage_unpin(t->task, r.start, r.len);
	return ret ? scn_lib_error(s, ret, NULL) : SCN_OK;
}

/* show maps|smaps|smaps_rollup TASK [RANGE] [grep=PATTERN] */
int scn_show_task(struct scenario *s, struct scn_args *a)
{
	const char *what = a->words[0];
	struct scn_show sh = { .what = what, .pattern = scn_arg(a, "grep") };
	struct scn_range r;
	struct scn_task *t;
	char *text = NULL;
	int ret;

	if (a->nr_words < 2)
		return scn_usage(s, "missing argument (usage: show %s TASK "
				 "[RANGE] [grep=PATTERN])", what);
	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	sh.task = t->name;
	if (a->nr_words > 2) {
		if (!strcmp(what, "smaps_rollup"))
			return scn_usage(s, "show: smaps_rollup sums every VMA: "
					 "no RANGE (usage: show smaps_rollup "
					 "TASK [grep=PATTERN])");
		ret = scn_parse_range(s, a->words[2], &r);
		if (ret)
			return ret;
		if (r.map && r.map->task != t)
			return scn_usage(s, "show: '%s' is a mapping of %s, not "
					 "of %s", a->words[2],
					 r.map->task->name, t->name);
		sh.range = &r;
		sh.range_word = a->words[2];
	}
	ret = foliage_render_task(t->task, what,
				  s->json ? FOLIAGE_RENDER_JSON : 0, &text);
	if (ret)
		return scn_fail(s, "cannot render %s of %s: %s", what, t->name,
				scn_errstr(ret));
	ret = scn_show_print(s, &sh, text);
	free(text);
	return ret;
}
