// SPDX-License-Identifier: GPL-2.0
/*
 * 'expect': assertions of a scenario.  The first word after 'expect' names
 * what is looked at (a subject: vmstat, tlb, meminfo, buddyinfo, mthp,
 * slabinfo, page, bytes, bugs, knob; and about address spaces, in
 * as_expect.c: fault, maps, vma, smaps, rollup, shadow, read), or else it
 * is an allocation's name followed by 'failed' or 'ok'.  Numbers are
 * compared with one of == != < <= > >=; an expect that does not hold says
 * what it saw:
 *
 *	FILE:LINE: expect failed: vmstat pgzero_skipped is 0, expected == 512
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

static const char *const op_names[SCN_NR_OPS] = {
	[SCN_EQ] = "==", [SCN_NE] = "!=", [SCN_LT] = "<",
	[SCN_LE] = "<=", [SCN_GT] = ">", [SCN_GE] = ">=",
};

static int op_index(const char *op)
{
	int i;

	for (i = 0; i < SCN_NR_OPS; i++)
		if (!strcmp(op, op_names[i]))
			break;
	return i;
}

/* Whether @word is one of == != < <= > >=. */
static bool scn_is_op(const char *word)
{
	return op_index(word) < SCN_NR_OPS;
}

int scn_parse_cmp(struct scenario *s, const char *op, const char *value,
		  struct scn_cmp *c)
{
	int i = op_index(op);

	if (i == SCN_NR_OPS)
		return scn_usage(s, "expect: bad operator '%s' (== != < <= > "
				 ">=)", op);
	c->op = i;
	return scn_parse_u64(s, "value", value, 0, UINT64_MAX, &c->value);
}

static bool cmp_holds(const struct scn_cmp *c, uint64_t seen)
{
	switch (c->op) {
	case SCN_EQ: return seen == c->value;
	case SCN_NE: return seen != c->value;
	case SCN_LT: return seen < c->value;
	case SCN_LE: return seen <= c->value;
	case SCN_GT: return seen > c->value;
	case SCN_GE: return seen >= c->value;
	default: return false;
	}
}

int scn_check_cmp(struct scenario *s, const char *what,
		  const struct scn_cmp *c, uint64_t seen)
{
	if (cmp_holds(c, seen))
		return SCN_OK;
	return scn_fail(s, "expect failed: %s is %llu, expected %s %llu", what,
			(unsigned long long)seen, op_names[c->op],
			(unsigned long long)c->value);
}

/*
 * The number after "KEY" and @sep at the start of a line of @text
 * ("MemFree:  1234 kB", "tlb_flush_all 3"); false if no line has it.
 */
static bool find_number(const char *text, const char *key, char sep,
			unsigned long long *value)
{
	size_t len = strlen(key);
	const char *line;

	for (line = text; line && *line; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL) {
		if (!strncmp(line, key, len) && line[len] == sep) {
			*value = strtoull(line + len + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

/*
 * A counter of @file (vmstat or tlb) by @name; 0, -ENOENT if there is no
 * such counter, or SCN_FAIL after a message.
 */
static int counter_value(struct scenario *s, const char *file,
			 const char *name, unsigned long long *value)
{
	unsigned long v;
	char *text;
	int ret;

	if (!strcmp(file, "vmstat")) {
		ret = foliage_vmstat(s->m, name, &v);
		*value = v;
		if (ret && ret != -ENOENT)
			return scn_fail(s, "expect vmstat %s: %s", name,
					scn_errstr(ret));
		return ret;
	}
	text = scn_render(s, file, 0);
	if (!text)
		return SCN_FAIL;
	ret = find_number(text, name, ' ', value) ? 0 : -ENOENT;
	free(text);
	return ret;
}

/* expect vmstat|tlb NAME [delta] OP VALUE */
static int expect_counter(struct scenario *s, struct scn_args *a)
{
	const char *file = a->words[0], *name = a->words[1];
	bool delta = a->nr_words == 5;
	unsigned long long value, then = 0;
	char what[160];
	struct scn_cmp c;
	unsigned int i;
	int ret;

	if (delta && strcmp(a->words[2], "delta")) {
		/* NAME OP VALUE and one word more: name the extra word. */
		if (scn_is_op(a->words[2]))
			return scn_usage(s, "expect %s: unexpected argument '%s' "
					 "after %s %s %s (usage: expect %s NAME "
					 "[delta] OP VALUE)", file, a->words[4],
					 name, a->words[2], a->words[3], file);
		return scn_usage(s, "expect %s: expected 'delta' or an "
				 "operator after %s, not '%s'", file, name,
				 a->words[2]);
	}
	ret = scn_parse_cmp(s, a->words[a->nr_words - 2],
			    a->words[a->nr_words - 1], &c);
	if (ret)
		return ret;
	if (delta && !s->mark_line)
		return scn_usage(s, "expect %s %s delta: no 'mark' before "
				 "this line", file, name);
	ret = counter_value(s, file, name, &value);
	if (ret == -ENOENT)
		return scn_usage(s, "expect %s: no counter '%s' in %s", file,
				 name, !strcmp(file, "vmstat") ?
				 "/proc/vmstat" : "the tlb file");
	if (ret)
		return ret;
	if (!delta) {
		snprintf(what, sizeof(what), "%s %s", file, name);
		return scn_check_cmp(s, what, &c, value);
	}
	for (i = 0; i < s->nr_mark; i++)
		if (!strcmp(s->mark[i].name, name))
			then = s->mark[i].value;
	snprintf(what, sizeof(what), "%s %s delta (since line %u)", file, name,
		 s->mark_line);
	if (value < then)
		return scn_fail(s, "expect failed: %s is -%llu, expected %s %llu",
				what, then - value, op_names[c.op],
				(unsigned long long)c.value);
	return scn_check_cmp(s, what, &c, value - then);
}

/* expect meminfo FIELD OP VALUE: the number as /proc/meminfo prints it. */
static int expect_meminfo(struct scenario *s, struct scn_args *a)
{
	const char *field = a->words[1];
	unsigned long long value;
	char *text, what[160];
	struct scn_cmp c;
	bool found;
	int ret;

	ret = scn_parse_cmp(s, a->words[2], a->words[3], &c);
	if (ret)
		return ret;
	text = scn_render(s, "meminfo", 0);
	if (!text)
		return SCN_FAIL;
	found = find_number(text, field, ':', &value);
	free(text);
	if (!found)
		return scn_usage(s, "expect meminfo: no field '%s' in "
				 "/proc/meminfo", field);
	snprintf(what, sizeof(what), "meminfo %s", field);
	return scn_check_cmp(s, what, &c, value);
}

/*
 * expect mthp SIZE STAT OP VALUE: a multi-size THP counter, as
 * /sys/kernel/mm/transparent_hugepage/hugepages-SIZE/stats/STAT has it.
 */
static int expect_mthp(struct scenario *s, struct scn_args *a)
{
	const char *size = a->words[1], *stat = a->words[2];
	unsigned long long value;
	char *text, key[160];
	struct scn_cmp c;
	bool found;
	int ret;

	ret = scn_parse_cmp(s, a->words[3], a->words[4], &c);
	if (ret)
		return ret;
	text = scn_render(s, "mthp_stats", 0);
	if (!text)
		return SCN_FAIL;
	snprintf(key, sizeof(key), "hugepages-%s/stats/%s", size, stat);
	found = find_number(text, key, ':', &value);
	free(text);
	if (!found)
		return scn_usage(s, "expect mthp: no %s (sizes as sysfs names "
				 "them: 16kB ... 2048kB)", key);
	return scn_check_cmp(s, key, &c, value);
}

static const char *const slab_fields[] = {
	"active_objs", "num_objs", "objsize", "objperslab", "pagesperslab",
	"active_slabs", "num_slabs",
};

/* expect slabinfo CACHE FIELD OP VALUE: a number of /proc/slabinfo. */
static int expect_slabinfo(struct scenario *s, struct scn_args *a)
{
	const char *cache = a->words[1], *field = a->words[2];
	unsigned long long v[7];
	char *text, *line, name[64], what[160];
	bool found = false;
	struct scn_cmp c;
	unsigned int i;
	int ret;

	for (i = 0; i < 7; i++)
		if (!strcmp(field, slab_fields[i]))
			break;
	if (i == 7)
		return scn_usage(s, "expect slabinfo: unknown field '%s' "
				 "(active_objs num_objs objsize objperslab "
				 "pagesperslab active_slabs num_slabs)", field);
	ret = scn_parse_cmp(s, a->words[3], a->words[4], &c);
	if (ret)
		return ret;
	text = scn_render(s, "slabinfo", 0);
	if (!text)
		return SCN_FAIL;
	for (line = text; line && *line && !found; line = strchr(line, '\n'),
	     line = line ? line + 1 : NULL)
		found = sscanf(line, "%63s %llu %llu %llu %llu %llu : tunables "
			       "%*u %*u %*u : slabdata %llu %llu", name, &v[0],
			       &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) == 8 &&
			!strcmp(name, cache);
	free(text);
	if (!found)
		return scn_usage(s, "expect slabinfo: no cache '%s' in "
				 "/proc/slabinfo", cache);
	snprintf(what, sizeof(what), "slabinfo %s %s", cache, field);
	return scn_check_cmp(s, what, &c, v[i]);
}

/*
 * expect buddyinfo node=N zone=ZONE order=N OP VALUE: one number of
 * /proc/buddyinfo ("Node 0, zone   Normal      3      1 ...").
 */
static int expect_buddyinfo(struct scenario *s, struct scn_args *a)
{
	const char *node = scn_arg(a, "node"), *zone = scn_arg(a, "zone");
	const char *order_str = scn_arg(a, "order");
	unsigned int nid, order, i;
	unsigned long long value = 0;
	char *text, *line, *p, what[160];
	bool found = false;
	struct scn_cmp c;
	int ret;

	if (!node || !zone || !order_str)
		return scn_usage(s, "expect buddyinfo: node=, zone= and order= "
				 "are all needed");
	if ((ret = scn_parse_uint(s, "node", node, 0, s->config.nr_nodes - 1,
				  &nid)) ||
	    (ret = scn_parse_uint(s, "order", order_str, 0, FOLIAGE_MAX_ORDER,
				  &order)) ||
	    (ret = scn_parse_cmp(s, a->words[1], a->words[2], &c)))
		return ret;
	text = scn_render(s, "buddyinfo", 0);
	if (!text)
		return SCN_FAIL;
	for (line = strtok_r(text, "\n", &p); line && !found;
	     line = strtok_r(NULL, "\n", &p)) {
		char name[32];
		int n, at = 0;
		unsigned int line_nid;

		if (sscanf(line, "Node %u, zone %31s%n", &line_nid, name,
			   &at) != 2 || line_nid != nid || strcmp(name, zone))
			continue;
		line += at;
		for (i = 0; i <= order; i++) {
			if (sscanf(line, "%llu%n", &value, &n) != 1)
				break;
			line += n;
		}
		found = i > order;
	}
	free(text);
	if (!found)
		return scn_usage(s, "expect buddyinfo: no order %u for node %u "
				 "zone %s in /proc/buddyinfo", order, nid, zone);
	snprintf(what, sizeof(what), "buddyinfo node %u zone %s order %u", nid,
		 zone, order);
	return scn_check_cmp(s, what, &c, value);
}

static const char *const zone_names[] = { "Normal", "Movable" };
static const char *const migratetype_names[] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "Isolate",
};

/* A frame's property that 'expect page' can ask about. */
enum page_prop {
	PROP_ZEROED, PROP_BUDDY, PROP_COMPOUND, PROP_REPORTED, PROP_FREE,
	PROP_NID, PROP_ZONE, PROP_MIGRATETYPE, PROP_ORDER, PROP_REFCOUNT,
	PROP_PFN,
};

struct page_word {
	const char *word;		/* as written */
	enum page_prop prop;		/* what it asks */
	bool want;			/* the flag's expected state */
	const char *label;		/* the flag, in messages */
};

static const struct page_word page_words[] = {
	{ "zeroed", PROP_ZEROED, true, "PG_zeroed" },
	{ "notzeroed", PROP_ZEROED, false, "PG_zeroed" },
	{ "buddy", PROP_BUDDY, true, "PageBuddy" },
	{ "notbuddy", PROP_BUDDY, false, "PageBuddy" },
	{ "compound", PROP_COMPOUND, true, "PageCompound" },
	{ "notcompound", PROP_COMPOUND, false, "PageCompound" },
	{ "reported", PROP_REPORTED, true, "PG_reported" },
	{ "notreported", PROP_REPORTED, false, "PG_reported" },
	{ "free", PROP_FREE, true, "free (refcount 0)" },
	{ "allocated", PROP_FREE, false, "free (refcount 0)" },
};

static const struct {
	const char *key;		/* KEY of KEY=VALUE */
	enum page_prop prop;		/* what it asks */
	const char *const *names;	/* value names, or NULL: a number */
	unsigned int nr_names;		/* entries in names */
} page_keys[] = {
	{ "nid", PROP_NID },
	{ "zone", PROP_ZONE, zone_names, 2 },
	{ "migratetype", PROP_MIGRATETYPE, migratetype_names, 5 },
	{ "order", PROP_ORDER },
	{ "refcount", PROP_REFCOUNT },
	{ "pfn", PROP_PFN },
};

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static long page_prop_value(const struct foliage_page_info *info,
			    unsigned long pfn, enum page_prop prop)
{
	switch (prop) {
	case PROP_ZEROED: return info->zeroed;
	case PROP_BUDDY: return info->buddy;
	case PROP_COMPOUND: return info->compound;
	case PROP_REPORTED: return info->reported;
	case PROP_FREE: return info->refcount == 0;
	case PROP_NID: return info->nid;
	case PROP_ZONE: return info->zone;
	case PROP_MIGRATETYPE: return info->migratetype;
	case PROP_ORDER:
		return info->buddy ? info->buddy_order : info->folio_order;
	case PROP_REFCOUNT: return info->refcount;
	case PROP_PFN: return pfn;
	}
	return 0;
}

/* One asked property of 'expect page', parsed before anything is read. */
struct page_check {
	const char *label;		/* in messages: "PG_zeroed", "nid" */
	enum page_prop prop;		/* what it asks */
	long want;			/* expected value */
	const char *const *names;	/* value names, or NULL */
	bool flag;			/* a yes/no property */
};

static int parse_page_checks(struct scenario *s, struct scn_args *a,
			     struct page_check *pc, unsigned int *nr)
{
	unsigned int i, j, n = 0;
	uint64_t v;
	int ret;

	for (i = 2; i < a->nr_words; i++) {
		for (j = 0; j < ARRAY_LEN(page_words); j++)
			if (!strcmp(a->words[i], page_words[j].word))
				break;
		if (j == ARRAY_LEN(page_words))
			return scn_usage(s, "expect page: unknown property '%s' "
					 "(zeroed notzeroed free allocated buddy "
					 "notbuddy compound notcompound reported "
					 "notreported nid= zone= migratetype= "
					 "order= refcount= pfn=)", a->words[i]);
		pc[n++] = (struct page_check){ page_words[j].label,
			page_words[j].prop, page_words[j].want, NULL, true };
	}
	for (i = 0; i < a->nr_kvs; i++) {
		const char *key = a->kvs[i].key, *val = a->kvs[i].value;

		for (j = 0; j < ARRAY_LEN(page_keys); j++)
			if (!strcmp(key, page_keys[j].key))
				break;
		if (j == ARRAY_LEN(page_keys))
			return scn_usage(s, "expect page: unknown key '%s' (nid "
					 "zone migratetype order refcount pfn)",
					 key);
		pc[n] = (struct page_check){ key, page_keys[j].prop, 0,
					     page_keys[j].names, false };
		if (page_keys[j].names) {
			for (v = 0; v < page_keys[j].nr_names; v++)
				if (!strcmp(val, page_keys[j].names[v]))
					break;
			if (v == page_keys[j].nr_names)
				return scn_usage(s, "expect page: unknown %s "
						 "'%s'", key, val);
		} else if ((ret = scn_parse_u64(s, key, val, 0, LONG_MAX,
						&v))) {
			return ret;
		}
		pc[n++].want = v;
	}
	if (!n)
		return scn_usage(s, "expect page: nothing to check (usage: "
				 "expect page NAME[+N] PROPERTY...)");
	*nr = n;
	return SCN_OK;
}

static const char *page_value_str(const struct page_check *pc, long v,
				  char *buf, size_t len)
{
	if (pc->flag)
		return v ? "yes" : "no";
	if (pc->names && v >= 0)
		return pc->names[v];
	snprintf(buf, len, pc->prop == PROP_PFN ? "0x%lx" : "%ld", v);
	return buf;
}

/*
 * expect page NAME[+N] PROPERTY...: frame N (default 0) of NAME's pages,
 * live or freed, through foliage_page_info().
 */
static int expect_page(struct scenario *s, struct scn_args *a)
{
	struct page_check pc[SCN_MAX_WORDS];
	struct foliage_page_info info;
	char name[80], seen[24], want[24];
	unsigned int nr = 0, i, index = 0;
	const char *plus, *ref = a->words[1];
	struct scn_alloc *al;
	int ret;

	plus = strchr(ref, '+');
	snprintf(name, sizeof(name), "%.*s",
		 (int)(plus ? (size_t)(plus - ref) : strlen(ref)), ref);
	al = scn_find(s, name);
	if (!al)
		return scn_usage(s, "expect: unknown name '%s'", name);
	if (al->state == ALLOC_FAILED)
		return scn_usage(s, "expect: '%s' holds no pages: its allocation "
				 "at line %u failed", name, al->line);
	if (plus && (ret = scn_parse_uint(s, "page index", plus + 1, 0,
					  (1U << al->order) - 1, &index)))
		return ret;
	ret = parse_page_checks(s, a, pc, &nr);
	if (ret)
		return ret;
	ret = foliage_page_info(s->m, al->pfn + index, &info);
	if (ret)
		return scn_fail(s, "expect page %s: %s", ref, scn_errstr(ret));
	for (i = 0; i < nr; i++) {
		long v = page_prop_value(&info, al->pfn + index, pc[i].prop);

		if (v == pc[i].want)
			continue;
		return scn_fail(s, "expect failed: page %s (pfn 0x%lx) %s is %s, "
				"expected == %s", ref, al->pfn + index, pc[i].label,
				page_value_str(&pc[i], v, seen, sizeof(seen)),
				page_value_str(&pc[i], pc[i].want, want,
					       sizeof(want)));
	}
	return SCN_OK;
}

/* expect bytes NAME BYTE: every byte of NAME's pages. */
static int expect_bytes(struct scenario *s, struct scn_args *a)
{
	unsigned long i, j, nr_pages;
	struct scn_alloc *al;
	unsigned char byte;
	int ret;

	ret = scn_parse_name_byte(s, a->words[1], a->words[2], &al, &byte);
	if (ret)
		return ret;
	nr_pages = 1UL << al->order;
	for (i = 0; i < nr_pages; i++) {
		const unsigned char *p = scn_page_virt(s, al, i);

		if (!p)
			return SCN_FAIL;
		for (j = 0; j < FOLIAGE_PAGE_SIZE; j++)
			if (p[j] != byte)
				return scn_fail(s, "expect failed: byte %lu of "
						"%s (pfn 0x%lx) is 0x%02x, "
						"expected == 0x%02x", i *
						FOLIAGE_PAGE_SIZE + j, al->name,
						al->pfn + i, p[j], byte);
	}
	return SCN_OK;
}

/* expect bugs OP VALUE: the number of bugs the library recorded. */
static int expect_bugs(struct scenario *s, struct scn_args *a)
{
	struct scn_cmp c;
	int ret = scn_parse_cmp(s, a->words[1], a->words[2], &c);

	return ret ? ret : scn_check_cmp(s, "bugs", &c, foliage_bugs(s->m));
}

/* expect knob KEY OP VALUE: a knob's value, as foliage_get() reads it. */
static int expect_knob(struct scenario *s, struct scn_args *a)
{
	char what[160];
	struct scn_cmp c;
	long value;
	int ret;

	ret = scn_parse_cmp(s, a->words[2], a->words[3], &c);
	if (ret)
		return ret;
	ret = foliage_get(s->m, a->words[1], &value);
	if (ret == -ENOENT)
		return scn_usage(s, "expect knob: unknown knob '%s'",
				 a->words[1]);
	if (ret)
		return scn_fail(s, "expect knob %s: %s", a->words[1],
				scn_errstr(ret));
	snprintf(what, sizeof(what), "knob %s", a->words[1]);
	if (value < 0)
		return scn_fail(s, "expect failed: %s is %ld, expected %s %llu",
				what, value, op_names[c.op],
				(unsigned long long)c.value);
	return scn_check_cmp(s, what, &c, value);
}

/* expect NAME failed|ok: how NAME's allocation went. */
static int expect_outcome(struct scenario *s, struct scn_args *a)
{
	const char *name = a->words[0], *want = a->words[1], *seen;
	struct scn_alloc *al;
	bool want_failed;

	if (!strcmp(want, "failed"))
		want_failed = true;
	else if (!strcmp(want, "ok"))
		want_failed = false;
	else
		return scn_usage(s, "expect %s: expected 'failed' or 'ok', not "
				 "'%s'", name, want);
	al = scn_find(s, name);
	if (!al)
		return scn_usage(s, "expect: unknown name '%s'", name);
	seen = al->state == ALLOC_FAILED ? "failed" : "ok";
	if ((al->state == ALLOC_FAILED) == want_failed)
		return SCN_OK;
	return scn_fail(s, "expect failed: allocation %s (line %u) is %s, "
			"expected == %s", name, al->line, seen, want);
}

/*
 * The subjects; the word counts include the subject itself.  Keys: NULL
 * lets the handler check them (expect page takes properties as keys).
 */
static const struct scn_verb subjects[] = {
	{ "vmstat", expect_counter, 4, 5, "", 0,
	  "expect vmstat NAME [delta] OP VALUE" },
	{ "tlb", expect_counter, 4, 5, "", 0,
	  "expect tlb NAME [delta] OP VALUE" },
	{ "mthp", expect_mthp, 5, 5, "", 0,
	  "expect mthp SIZE STAT OP VALUE" },
	{ "slabinfo", expect_slabinfo, 5, 5, "", 0,
	  "expect slabinfo CACHE FIELD OP VALUE" },
	{ "meminfo", expect_meminfo, 4, 4, "", 0,
	  "expect meminfo FIELD OP VALUE" },
	{ "buddyinfo", expect_buddyinfo, 3, 3, "node zone order", 0,
	  "expect buddyinfo node=N zone=ZONE order=N OP VALUE" },
	{ "page", expect_page, 2, SCN_MAX_WORDS, NULL, 0,
	  "expect page NAME[+N] PROPERTY..." },
	{ "bytes", expect_bytes, 3, 3, "", 0, "expect bytes NAME BYTE" },
	{ "bugs", expect_bugs, 3, 3, "", 0, "expect bugs OP VALUE" },
	{ "knob", expect_knob, 4, 4, "", 0, "expect knob KEY OP VALUE" },
	{ "fault", scn_expect_fault, 3, 4, "at", 0,
	  "expect fault TASK ADDR|RANGE [read|write] [at=ADDR]" },
	{ "maps", scn_expect_maps, 5, 5, "", 0,
	  "expect maps TASK count OP N" },
	{ "vma", scn_expect_vma, 3, 4, "flags start end size offset", 0,
	  "expect vma TASK ADDR none | expect vma TASK ADDR [flags=PERMS] "
	  "[start=ADDR] [end=ADDR] [size=SIZE] [offset=SIZE]" },
	{ "smaps", scn_expect_smaps, 6, 6, "", 0,
	  "expect smaps TASK ADDR FIELD OP VALUE | expect smaps TASK ADDR "
	  "VmFlags has|lacks FLAG" },
	{ "rollup", scn_expect_rollup, 5, 5, "", 0,
	  "expect rollup TASK FIELD OP VALUE" },
	{ "shadow", scn_expect_shadow, 1, 2, "", 0, "expect shadow [TASK]" },
	{ "read", scn_expect_read, 3, 3, "", 0,
	  "expect read ==|!= DATA | expect read all BYTE" },
	/* balloon: the virtio-balloon and its host (as_balloon.c) */
	{ "balloon", scn_expect_balloon, 4, 4, "", 0,
	  "expect balloon NAME OP VALUE" },
	{ "host", scn_expect_balloon, 4, 4, "", 0,
	  "expect host NAME OP VALUE" },
	/* guest_memfd (as_gmem.c) */
	{ "gmem", scn_expect_gmem, 3, 5, "order", 0,
	  "expect gmem NAME RANGE private|shared | expect gmem NAME folios "
	  "order=N OP COUNT | expect gmem NAME STAT OP VALUE | expect gmem "
	  "NAME shadow" },
	/* ---- rmap (as_rmap.c, issue 13) ---- */
	{ "rmap", scn_expect_rmap, 5, 6, "", 0,
	  "expect rmap TASK ADDR mappings OP N | expect rmap TASK ADDR "
	  "mapping anon_vma|lazy|file" },
	/* ---- NUMA (as_numa.c) ---- */
	{ "status", scn_expect_status, 4, 5, "", 0,
	  "expect status INDEX OP VALUE | expect status count VALUE OP N" },
	{ "numa_maps", scn_expect_numa_maps, 6, 7, "", SCN_VERB_WORD_EQ,
	  "expect numa_maps TASK ADDR FIELD OP VALUE" },
	/* hugetlb (issue 10) */
	{ "hugepages", scn_expect_hugepages, 5, 5, "", 0,
	  "expect hugepages SIZE FILE OP VALUE" },
	/* end hugetlb */
};

static const struct scn_verb outcome = {
	"NAME", expect_outcome, 2, 2, "", 0, "expect NAME failed|ok",
};

const struct scn_verb *scn_expect_verb(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(subjects); i++)
		if (!strcmp(subjects[i].name, name))
			return &subjects[i];
	return NULL;
}

bool scn_expect_subject(const char *name)
{
	return scn_expect_verb(name) != NULL;
}

/* Print the forms of 'expect', one a line, indented by @indent. */
void scn_expect_print_usage(FILE *f, const char *indent)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(subjects); i++)
		fprintf(f, "%s%s\n", indent, subjects[i].usage);
	fprintf(f, "%s%s\n", indent, outcome.usage);
}

int scn_expect(struct scenario *s, struct scn_args *a)
{
	const struct scn_verb *v = &outcome;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_LEN(subjects); i++)
		if (!strcmp(subjects[i].name, a->words[0]))
			v = &subjects[i];
	ret = scn_check_usage(s, v, a);
	return ret ? ret : v->fn(s, a);
}
