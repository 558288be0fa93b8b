// SPDX-License-Identifier: GPL-2.0
/*
 * The trace ring buffer as Linux 6.18's /sys/kernel/tracing/trace shows it
 * with the nop tracer and default trace_options:
 *
 *   # tracer: nop
 *   ...header...
 *               comm-pid     [cpu] flags  secs.usecs: event: fields
 *
 * and the same events as JSON.  Checked against a capture from a real
 * 6.18 kernel (tests/golden/trace/sample.txt).  Choices where foliage has
 * no kernel state to show:
 *
 *   task name	the host thread's name (/proc/self/task/TID/comm), looked up
 *		at render time as Linux looks up saved_cmdlines; "<...>" once
 *		the thread is gone, as Linux prints for a pid it forgot
 *   pid	the host thread id
 *   flags	"....." : foliage has no interrupts and no preemption count
 *   page=%p	the address the struct page would have in an x86-64 kernel
 *		without KASLR (vmemmap_base 0xffffea0000000000), printed as
 *		%p prints with the default "hash-ptr" option: a 32-bit ID,
 *		the same for the same page, zero-extended to 16 hex digits.
 *		NULL prints as 0000000000000000, as Linux prints it.  The hash
 *		key is fixed, so foliage's output is reproducible.
 *
 * The events are shown in the order they were recorded (one ring for all
 * CPUs); timestamps are the machine's trace clock (mm/trace.c: virtual,
 * so the same scenario prints the same times), rounded to microseconds as
 * Linux's ns2usecs() does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include <linux/migrate.h>

/* ---- the page pointer -------------------------------------------------- */

#define TRACE_PTR_HASH_KEY	0x666f6c6961676521UL	/* "foliage!" */

unsigned long trace_hash_ptr(unsigned long ptr)
{
	u64 h = ptr ^ TRACE_PTR_HASH_KEY;

	/* NULL and error pointers are shown as they are. */
	if (!ptr)
		return 0;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	h ^= h >> 31;
	/* Linux keeps the low 32 bits of its siphash on 64-bit. */
	return h & 0xffffffffUL;
}

unsigned long trace_page_ptr(unsigned long pfn)
{
	if (pfn == -1UL)
		return 0;
	return trace_hash_ptr(TRACE_VMEMMAP_BASE +
			      pfn * TRACE_STRUCT_PAGE_BYTES);
}

/* ---- the header ---------------------------------------------------------- */

void trace_print_header(struct seq_buf *s, unsigned long entries,
			unsigned long written, int nr_cpus)
{
	seq_puts(s, "# tracer: nop\n#\n");
	seq_printf(s, "# entries-in-buffer/entries-written: %lu/%lu   #P:%d\n",
		   entries, written, nr_cpus);
	seq_puts(s,
		 "#\n"
		 "#                                _-----=> irqs-off/BH-disabled\n"
		 "#                               / _----=> need-resched\n"
		 "#                              | / _---=> hardirq/softirq\n"
		 "#                              || / _--=> preempt-depth\n"
		 "#                              ||| / _-=> migrate-disable\n"
		 "#                              |||| /     delay\n"
		 "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
		 "#              | |         |   |||||     |         |\n");
}

/* ---- the events ---------------------------------------------------------- */

static const char *const trace_event_names[NR_TRACE_EVENT_TYPES] = {
	[TRACE_MM_PAGE_ALLOC] = "mm_page_alloc",
	[TRACE_MM_PAGE_FREE] = "mm_page_free",
	[TRACE_MM_PAGE_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[TRACE_MM_PAGE_PCPU_DRAIN] = "mm_page_pcpu_drain",
	[TRACE_MM_PAGE_ALLOC_EXTFRAG] = "mm_page_alloc_extfrag",
	[TRACE_MM_MIGRATE_PAGES] = "mm_migrate_pages",
	[TRACE_MM_MIGRATE_PAGES_START] = "mm_migrate_pages_start",
	[TRACE_SET_MIGRATION_PTE] = "set_migration_pte",
	[TRACE_REMOVE_MIGRATION_PTE] = "remove_migration_pte",
};

/*
 * mm_page_alloc_extfrag's change_ownership (did the allocation take the
 * pageblock over?) travels in the entry's percpu_refill slot, which the
 * event does not otherwise use.
 */
#define extfrag_change_ownership(e)	((e)->percpu_refill)

/*
 * Every event's print fmt is "name=value" pairs joined by spaces, so each
 * event is described once, as its fields, for the text and the JSON.
 */
enum trace_field_kind {
	TF_PTR,				/* %p: 16 hex digits */
	TF_HEX,				/* 0x%lx */
	TF_INT,				/* %d */
	TF_UINT,			/* %u */
	TF_GFP,				/* gfp flags by name */
	TF_LHEX,			/* %lx */
	TF_ULONG,			/* %lu */
	TF_STR,				/* __print_symbolic(): a name */
};

struct trace_field {
	const char *name;		/* before the '=' */
	enum trace_field_kind kind;	/* how the value prints */
	unsigned long v;		/* the value (TF_STR: the string) */
	bool comma;			/* a ',' follows the value in text */
};

#define TRACE_MAX_FIELDS	9

/* The fields of @l's event, in print fmt order; returns how many. */
static int trace_fields(const struct trace_line *l, struct trace_field *f)
{
	const struct trace_entry *e = l->e;
	unsigned long pfn = e->pfn == -1UL ? 0 : e->pfn;
	int n = 0;

#define FIELD(nm, k, val) \
	(f[n++] = (struct trace_field){ .name = nm, .kind = k, .v = (val) })

	switch (e->type) {
	case TRACE_MM_MIGRATE_PAGES:
		FIELD("nr_succeeded", TF_ULONG, e->mig[0]);
		FIELD("nr_failed", TF_ULONG, e->mig[1]);
		FIELD("nr_thp_succeeded", TF_ULONG, e->mig[2]);
		FIELD("nr_thp_failed", TF_ULONG, e->mig[3]);
		FIELD("nr_thp_split", TF_ULONG, e->mig[4]);
		FIELD("nr_split", TF_ULONG, e->mig[5]);
		__attribute__((__fallthrough__));
	case TRACE_MM_MIGRATE_PAGES_START:
		FIELD("mode", TF_STR,
		      (unsigned long)migrate_mode_names[e->mig_mode]);
		FIELD("reason", TF_STR,
		      (unsigned long)migrate_reason_names[e->mig_arg]);
		return n;
	case TRACE_SET_MIGRATION_PTE:
	case TRACE_REMOVE_MIGRATION_PTE:
		FIELD("addr", TF_LHEX, e->mig[0]);
		f[n - 1].comma = true;
		FIELD("pte", TF_LHEX, e->mig[1]);
		FIELD("order", TF_INT, e->mig_arg);
		return n;
	}
	FIELD("page", TF_PTR, l->page_ptr);
	FIELD("pfn", TF_HEX, pfn);
	switch (e->type) {
	case TRACE_MM_PAGE_ALLOC:
		FIELD("order", TF_INT, e->order);
		FIELD("migratetype", TF_INT, e->migratetype);
		FIELD("gfp_flags", TF_GFP, e->gfp_flags);
		break;
	case TRACE_MM_PAGE_FREE:
		FIELD("order", TF_INT, e->order);
		break;
	case TRACE_MM_PAGE_ALLOC_ZONE_LOCKED:
		FIELD("order", TF_UINT, e->order);
		FIELD("migratetype", TF_INT, e->migratetype);
		FIELD("percpu_refill", TF_INT, e->percpu_refill);
		break;
	case TRACE_MM_PAGE_PCPU_DRAIN:
		FIELD("order", TF_INT, e->order);
		FIELD("migratetype", TF_INT, e->migratetype);
		break;
	case TRACE_MM_PAGE_ALLOC_EXTFRAG:
		FIELD("alloc_order", TF_INT, e->arg[0]);
		FIELD("fallback_order", TF_INT, e->arg[1]);
		FIELD("pageblock_order", TF_INT, pageblock_order);
		FIELD("alloc_migratetype", TF_INT, e->arg[2]);
		FIELD("fallback_migratetype", TF_INT, e->arg[3]);
		FIELD("fragmenting", TF_INT, e->arg[1] < pageblock_order);
		FIELD("change_ownership", TF_INT,
		      extfrag_change_ownership(e));
		break;
	}
#undef FIELD
	return n;
}

static void trace_print_gfp(struct seq_buf *s, unsigned long gfp)
{
	char small[256], *buf = small;
	int len = foliage_gfp_format(gfp, small, sizeof(small));

	if (len >= (int)sizeof(small)) {
		buf = malloc(len + 1);
		if (!buf) {
			s->err = -ENOMEM;
			return;
		}
		foliage_gfp_format(gfp, buf, len + 1);
	}
	seq_puts(s, buf);
	if (buf != small)
		free(buf);
}

static void trace_print_field(struct seq_buf *s, const struct trace_field *f)
{
	switch (f->kind) {
	case TF_PTR:
		seq_printf(s, "%016lx", f->v);
		break;
	case TF_HEX:
		seq_printf(s, "0x%lx", f->v);
		break;
	case TF_INT:
		seq_printf(s, "%d", (int)f->v);
		break;
	case TF_UINT:
		seq_printf(s, "%u", (unsigned int)f->v);
		break;
	case TF_GFP:
		trace_print_gfp(s, f->v);
		break;
	case TF_LHEX:
		seq_printf(s, "%lx", f->v);
		break;
	case TF_ULONG:
		seq_printf(s, "%lu", f->v);
		break;
	case TF_STR:
		seq_puts(s, (const char *)f->v);
		break;
	}
}

/* Linux's ns2usecs(): nanoseconds to microseconds, rounded. */
static u64 ns2usecs(u64 ns)
{
	return (ns + 500) / 1000;
}

void trace_print_line(struct seq_buf *s, const struct trace_line *l)
{
	const struct trace_entry *e = l->e;
	struct trace_field f[TRACE_MAX_FIELDS];
	u64 usecs = ns2usecs(e->ts_ns);
	int i, n;

	seq_printf(s, "%16s-%-7d [%03d] %s %5lu.%06lu: %s: ", l->comm, e->pid,
		   e->cpu, l->lat, (unsigned long)(usecs / 1000000),
		   (unsigned long)(usecs % 1000000),
		   trace_event_names[e->type]);
	n = trace_fields(l, f);
	for (i = 0; i < n; i++) {
		seq_printf(s, "%s%s=", i ? " " : "", f[i].name);
		trace_print_field(s, &f[i]);
		if (f[i].comma)
			seq_putc(s, ',');
	}
	seq_putc(s, '\n');
}

struct json_object *trace_line_json(const struct trace_line *l, int *err)
{
	const struct trace_entry *e = l->e;
	struct json_object *ev = json_new_object(err);
	struct json_object *fields = json_new_object(err);
	struct trace_field f[TRACE_MAX_FIELDS];
	int i, n;

	json_set_str(ev, "task", l->comm, err);
	json_set_i64(ev, "pid", e->pid, err);
	json_set_i64(ev, "cpu", e->cpu, err);
	json_set_str(ev, "flags", l->lat, err);
	json_set_u64(ev, "timestamp_ns", e->ts_ns, err);
	json_set_str(ev, "event", trace_event_names[e->type], err);
	n = trace_fields(l, f);
	for (i = 0; i < n; i++) {
		struct seq_buf text;

		switch (f[i].kind) {
		case TF_INT:
			json_set_i64(fields, f[i].name, (int)f[i].v, err);
			break;
		case TF_HEX:
		case TF_UINT:
		case TF_LHEX:
		case TF_ULONG:
			json_set_u64(fields, f[i].name, f[i].v, err);
			break;
		case TF_STR:
			json_set_str(fields, f[i].name, (const char *)f[i].v,
				     err);
			break;
		case TF_PTR:
		case TF_GFP:
			seq_buf_init(&text);
			trace_print_field(&text, &f[i]);
			if (text.err)
				*err = text.err;
			else
				json_set_str(fields, f[i].name, text.buf, err);
			seq_buf_free(&text);
			break;
		}
	}
	json_set(ev, "fields", fields, err);
	return ev;
}

/* ---- rendering the ring ------------------------------------------------- */

#define COMM_LEN	16
#define COMM_CACHE	64

/* Thread names looked up during one rendering. */
struct comm_cache {
	int nr;				/* entries used */
	struct {
		int pid;		/* host thread id */
		char comm[COMM_LEN];	/* its name, or "<...>" */
	} e[COMM_CACHE];		/* the entries */
};

static void read_comm(int pid, char *comm)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", pid);
	f = fopen(path, "re");
	if (!f || !fgets(comm, COMM_LEN, f)) {
		strcpy(comm, "<...>");
	} else {
		comm[strcspn(comm, "\n")] = '\0';
	}
	if (f)
		fclose(f);
}

static const char *find_comm(struct comm_cache *cc, int pid, char *scratch)
{
	int i;

	for (i = 0; i < cc->nr; i++)
		if (cc->e[i].pid == pid)
			return cc->e[i].comm;
	if (cc->nr == COMM_CACHE) {
		read_comm(pid, scratch);
		return scratch;
	}
	cc->e[cc->nr].pid = pid;
	read_comm(pid, cc->e[cc->nr].comm);
	return cc->e[cc->nr++].comm;
}

/*
 * Copy the ring's live entries, oldest first, under its lock; formatting
 * (which reads /proc) happens after.  *@entries is NULL for an empty ring.
 */
static int trace_snapshot(struct trace_entry **entries, unsigned long *nr,
			  unsigned long *written)
{
	struct trace_buffer *tb = READ_ONCE(this_machine->trace);
	struct trace_entry *copy;
	unsigned long i, first;

	*entries = NULL;
	*nr = *written = 0;
	if (!tb)
		return 0;
	copy = malloc(sizeof(*copy) * TRACE_BUFFER_ENTRIES);
	if (!copy)
		return -ENOMEM;
	spin_lock(&tb->lock);
	*written = tb->written;
	*nr = min(*written, (unsigned long)TRACE_BUFFER_ENTRIES);
	first = *written - *nr;
	for (i = 0; i < *nr; i++)
		copy[i] = tb->entries[(first + i) % TRACE_BUFFER_ENTRIES];
	spin_unlock(&tb->lock);
	*entries = copy;
	return 0;
}

int render_trace(struct seq_buf *s, bool json)
{
	struct json_object *root = NULL, *events = NULL;
	struct comm_cache *cc = calloc(1, sizeof(*cc));
	struct trace_entry *entries;
	unsigned long nr, written, i;
	char scratch[COMM_LEN];
	int err;

	if (!cc)
		return -ENOMEM;
	err = trace_snapshot(&entries, &nr, &written);
	if (err)
		goto out_free_cc;
	if (json) {
		root = json_new_object(&err);
		events = json_new_array(&err);
		json_set_str(root, "tracer", "nop", &err);
		json_set_u64(root, "entries_in_buffer", nr, &err);
		json_set_u64(root, "entries_written", written, &err);
		json_set_i64(root, "nr_cpus", this_machine->nr_cpus, &err);
	} else {
		trace_print_header(s, nr, written, this_machine->nr_cpus);
	}
	for (i = 0; i < nr && !err && !s->err; i++) {
		struct trace_line l = {
			.e = &entries[i],
			.comm = find_comm(cc, entries[i].pid, scratch),
			.lat = ".....",
			.page_ptr = trace_page_ptr(entries[i].pfn),
		};

		if (entries[i].type >= NR_TRACE_EVENT_TYPES)
			continue;
		if (json)
			json_push(events, trace_line_json(&l, &err), &err);
		else
			trace_print_line(s, &l);
	}
	if (json) {
		json_set(root, "events", events, &err);
		err = json_show(s, root, err);
	}
	free(entries);
out_free_cc:
	free(cc);
	return err;
}
