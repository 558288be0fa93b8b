// SPDX-License-Identifier: GPL-2.0
/*
 * 'expect' about address spaces: accesses that must fault, the VMAs of
 * /proc/PID/maps, the fields of smaps and smaps_rollup, what the last
 * 'read' read, and the shadow-memory oracle (every byte the scenario
 * wrote into a task reads back the same).
 *
 * Each form parses its whole line before it looks at anything, and reads
 * the task's files in text form (the kernel's format), as a user would.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define PAGE_SIZE	FOLIAGE_PAGE_SIZE

/* "0x7f0000001000 (A+4K)": an address as computed, and as written. */
static const char *addr_str(char *buf, size_t len, unsigned long addr,
			    const char *written)
{
	if (isdigit((unsigned char)written[0]))
		snprintf(buf, len, "0x%lx", addr);
	else
		snprintf(buf, len, "0x%lx (%s)", addr, written);
	return buf;
}

/*
 * expect fault TASK ADDR|RANGE [read|write] [at=ADDR]: the task's access
 * must fail with -EFAULT (SIGSEGV or SIGBUS), first at at= (default: the
 * start).  One byte of each page is probed in turn; a write probe writes
 * back the byte it read, so it changes nothing a later read would see.
 */
int scn_expect_fault(struct scenario *s, struct scn_args *a)
{
	const char *where = a->words[2], *at_str = scn_arg(a, "at");
	unsigned long addr, end, want, fault = 0;
	struct scn_range r = { 0 };
	struct scn_task *t;
	bool write = false;
	char buf[96];
	int ret = 0;

	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	/* A bare NAME is a RANGE: its first page must fault at its start. */
	if (strchr(where, ':') || (!isdigit((unsigned char)where[0]) &&
				   !strchr(where, '+'))) {
		ret = scn_parse_range(s, where, &r);
	} else {
		r.len = 1;
		ret = scn_parse_addr(s, "the address", where, &r.start);
	}
	if (ret)
		return ret;
	if (a->nr_words > 3) {
		if (strcmp(a->words[3], "read") && strcmp(a->words[3], "write"))
			return scn_usage(s, "expect fault: expected 'read' or "
					 "'write', not '%s'", a->words[3]);
		write = a->words[3][0] == 'w';
	}
	want = r.start;
	if (at_str && (ret = scn_parse_addr(s, "at=", at_str, &want)))
		return ret;
	if (!r.len)
		return scn_usage(s, "expect fault: an empty range cannot fault");

	end = r.start + r.len;
	for (addr = r.start; addr < end;
	     addr = (addr & ~(PAGE_SIZE - 1)) + PAGE_SIZE) {
		unsigned char byte;

		ret = foliage_access(t->task, addr, &byte, 1, false, &fault);
		if (!ret && write)
			ret = foliage_access(t->task, addr, &byte, 1, true,
					     &fault);
		if (ret)
			break;
	}
	if (!ret)
		return scn_fail(s, "expect failed: fault %s %s: the %s "
				"succeeded", t->name, where,
				write ? "write" : "read");
	if (ret != -EFAULT)
		return scn_fail(s, "expect failed: fault %s %s: the %s at 0x%lx "
				"failed with %s (-%s), expected -EFAULT",
				t->name, where, write ? "write" : "read", fault,
				scn_errstr(ret), scn_errname(ret));
	if (fault != want)
		return scn_fail(s, "expect failed: fault %s %s: the %s faulted "
				"at 0x%lx, expected at %s", t->name, where,
				write ? "write" : "read", fault,
				addr_str(buf, sizeof(buf), want,
					 at_str ? at_str : where));
	return SCN_OK;
}

/* expect maps TASK count OP N: the number of VMAs. */
int scn_expect_maps(struct scenario *s, struct scn_args *a)
{
	struct scn_maps maps;
	struct scn_cmp c;
	struct scn_task *t;
	char what[96];
	int ret;

	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	if (strcmp(a->words[2], "count"))
		return scn_usage(s, "expect maps: expected 'count', not '%s' "
				 "(usage: expect maps TASK count OP N)",
				 a->words[2]);
	ret = scn_parse_cmp(s, a->words[3], a->words[4], &c);
	if (ret)
		return ret;
	ret = scn_maps_read(s, t, "maps", &maps);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "maps %s count", t->name);
	ret = scn_check_cmp(s, what, &c, maps.nr_vma);
	scn_maps_free(&maps);
	return ret;
}

/* The keys of 'expect vma' and what each compares. */
enum vma_key { VK_FLAGS, VK_START, VK_END, VK_SIZE, VK_OFFSET, NR_VK };

static const char *const vma_keys[NR_VK] = {
	[VK_FLAGS] = "flags", [VK_START] = "start", [VK_END] = "end",
	[VK_SIZE] = "size", [VK_OFFSET] = "offset",
};

static unsigned long long vma_value(const struct scn_vma *v,
				    enum vma_key key)
{
	switch (key) {
	case VK_START: return v->start;
	case VK_END: return v->end;
	case VK_SIZE: return v->end - v->start;
	case VK_OFFSET: return v->offset;
	default: return 0;
	}
}

/*
 * expect vma TASK ADDR [none] [flags=PERMS] [start=ADDR] [end=ADDR]
 * [size=SIZE] [offset=SIZE]: the VMA of /proc/PID/maps that contains ADDR
 * (none: no VMA does).
 */
int scn_expect_vma(struct scenario *s, struct scn_args *a)
{
	unsigned long long want[NR_VK] = { 0 };
	const char *flags = scn_arg(a, "flags");
	bool none = false;
	struct scn_maps maps;
	struct scn_task *t;
	struct scn_vma *v;
	unsigned long addr;
	uint64_t size;
	char buf[96];
	int i, ret;

	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	ret = scn_parse_addr(s, "the address", a->words[2], &addr);
	if (ret)
		return ret;
	if (a->nr_words > 3) {
		if (strcmp(a->words[3], "none"))
			return scn_usage(s, "expect vma: expected 'none' or "
					 "keys, not '%s'", a->words[3]);
		if (a->nr_kvs)
			return scn_usage(s, "expect vma: 'none' takes no keys");
		none = true;
	}
	if (flags && (strlen(flags) != 4 || !strchr("r-", flags[0]) ||
		      !strchr("w-", flags[1]) || !strchr("x-", flags[2]) ||
		      !strchr("ps", flags[3])))
		return scn_usage(s, "expect vma: bad flags '%s': as maps "
				 "prints them, e.g. rw-p, r--s, ---p", flags);
	for (i = VK_START; i < NR_VK; i++) {
		const char *val = scn_arg(a, vma_keys[i]);

		if (!val)
			continue;
		if (i == VK_START || i == VK_END) {
			unsigned long x;

			ret = scn_parse_addr(s, vma_keys[i], val, &x);
			want[i] = x;
		} else {
			ret = scn_parse_size(s, vma_keys[i], val, &size);
			want[i] = size;
		}
		if (ret)
			return ret;
	}

	ret = scn_maps_read(s, t, "maps", &maps);
	if (ret)
		return ret;
	v = scn_maps_find(&maps, addr);
	addr_str(buf, sizeof(buf), addr, a->words[2]);
	if (none && v)
		ret = scn_fail(s, "expect failed: vma %s %s: 0x%lx-0x%lx %s "
			       "contains it, expected none", t->name, buf,
			       v->start, v->end, v->perms);
	else if (!none && !v)
		ret = scn_fail(s, "expect failed: vma %s %s: no vma contains "
			       "it", t->name, buf);
	else if (v && flags && strcmp(v->perms, flags))
		ret = scn_fail(s, "expect failed: vma %s %s (0x%lx-0x%lx) "
			       "flags are %s, expected %s", t->name, buf,
			       v->start, v->end, v->perms, flags);
	for (i = VK_START; v && !ret && i < NR_VK; i++) {
		if (!scn_arg(a, vma_keys[i]) || vma_value(v, i) == want[i])
			continue;
		ret = scn_fail(s, "expect failed: vma %s %s (0x%lx-0x%lx %s) "
			       "%s is 0x%llx, expected 0x%llx", t->name, buf,
			       v->start, v->end, v->perms, vma_keys[i],
			       vma_value(v, i), want[i]);
	}
	scn_maps_free(&maps);
	return ret;
}

/*
 * FIELD OP VALUE against a VMA of smaps (or the rollup): the number after
 * "FIELD:", as printed (kB for sizes); VmFlags has|lacks MNEMONIC.
 */
/*
 * Every mnemonic Linux 6.18's /proc/PID/smaps may print in VmFlags (x86-64
 * and arm64); an expect about any other word could never fail.
 */
static const char vmflag_mnemonics[] =
	"rd wr ex sh mr mw me ms gd pf um uw lo io sr rr dc de ac nr ht sf ar "
	"wf dd sd mm hg nh mg ui ss sl bt mt p0 p1 p2 p3 p4";

static bool vmflag_known(const char *word)
{
	size_t i;

	if (strlen(word) != 2)
		return false;
	for (i = 0; i + 2 < sizeof(vmflag_mnemonics); i += 3)
		if (!strncmp(vmflag_mnemonics + i, word, 2))
			return true;
	return false;
}

static int check_field(struct scenario *s, const char *what,
		       const struct scn_vma *v, const char *field,
		       const char *op, const char *value)
{
	struct scn_cmp c = { 0 };
	const char *line;
	char desc[160];
	int ret;

	if (!strcmp(field, "VmFlags")) {
		bool has = !strcmp(op, "has");

		if (!has && strcmp(op, "lacks"))
			return scn_usage(s, "expect: VmFlags takes 'has' or "
					 "'lacks', not '%s'", op);
		if (!vmflag_known(value))
			return scn_usage(s, "expect: unknown VmFlags mnemonic "
					 "'%s' (Linux's: %s)", value,
					 vmflag_mnemonics);
		if (scn_vma_has_flag(v, value) == has)
			return SCN_OK;
		line = scn_vma_field(v, "VmFlags");
		return scn_fail(s, "expect failed: %s VmFlags %s %s (%s)", what,
				has ? "lacks" : "has", value,
				line ? line : "no VmFlags line");
	}
	ret = scn_parse_cmp(s, op, value, &c);
	if (ret)
		return ret;
	line = scn_vma_field(v, field);
	if (!line)
		return scn_usage(s, "expect: no field '%s' in %s", field, what);
	snprintf(desc, sizeof(desc), "%s %s", what, field);
	return scn_check_cmp(s, desc, &c,
			     strtoull(line + strlen(field) + 1, NULL, 10));
}

/* expect smaps TASK ADDR FIELD OP VALUE */
int scn_expect_smaps(struct scenario *s, struct scn_args *a)
{
	struct scn_maps maps;
	struct scn_task *t;
	struct scn_vma *v;
	unsigned long addr;
	char what[160], buf[96];
	int ret;

	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	ret = scn_parse_addr(s, "the address", a->words[2], &addr);
	if (ret)
		return ret;
	ret = scn_maps_read(s, t, "smaps", &maps);
	if (ret)
		return ret;
	addr_str(buf, sizeof(buf), addr, a->words[2]);
	v = scn_maps_find(&maps, addr);
	if (!v) {
		scn_maps_free(&maps);
		return scn_fail(s, "expect failed: smaps %s %s: no vma contains "
				"it", t->name, buf);
	}
	snprintf(what, sizeof(what), "smaps %s %s (0x%lx-0x%lx)", t->name, buf,
		 v->start, v->end);
	ret = check_field(s, what, v, a->words[3], a->words[4], a->words[5]);
	scn_maps_free(&maps);
	return ret;
}

/* expect rollup TASK FIELD OP VALUE: a field of smaps_rollup. */
int scn_expect_rollup(struct scenario *s, struct scn_args *a)
{
	struct scn_maps maps;
	struct scn_task *t;
	char what[96];
	int ret;

	t = scn_find_task(s, a->words[1]);
	if (!t)
		return SCN_USAGE;
	ret = scn_maps_read(s, t, "smaps_rollup", &maps);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "rollup %s", t->name);
	if (!maps.nr_vma)
		ret = scn_fail(s, "expect %s: smaps_rollup has no header line",
			       what);
	else
		ret = check_field(s, what, &maps.vma[0], a->words[2],
				  a->words[3], a->words[4]);
	scn_maps_free(&maps);
	return ret;
}

/* The claimed bytes of page @p read back, or a message. */
static int shadow_check_page(struct scenario *s, struct scn_task *t,
			     struct shadow_page *p, struct scn_maps *maps,
			     unsigned long *skipped)
{
	unsigned char want[SHADOW_PAGE_SIZE], seen[SHADOW_PAGE_SIZE];
	bool claimed[SHADOW_PAGE_SIZE];
	unsigned long fault = 0, lo, hi, i, nr_bad = 0, first = 0;
	struct scn_vma *v;
	int ret;

	shadow_page_expect(p, want, claimed);
	for (lo = 0; !claimed[lo]; lo++)
		;
	for (hi = SHADOW_PAGE_SIZE - 1; !claimed[hi]; hi--)
		;
	ret = foliage_access(t->task, p->addr + lo, seen + lo, hi - lo + 1,
			     false, &fault);
	if (ret == -EFAULT) {
		if (!maps->text && (ret = scn_maps_read(s, t, "maps", maps)))
			return ret;
		v = scn_maps_find(maps, p->addr);
		/* PROT_NONE: not readable now; checked when it is again. */
		if (v && !strncmp(v->perms, "---", 3)) {
			*skipped += hi - lo + 1;
			return SCN_OK;
		}
		if (!v)
			return scn_fail(s, "expect failed: shadow %s: 0x%lx was "
					"written but no vma contains it now",
					t->name, p->addr + lo);
		return scn_fail(s, "expect failed: shadow %s: reading 0x%lx in "
				"0x%lx-0x%lx %s faults", t->name, fault,
				v->start, v->end, v->perms);
	}
	if (ret)
		return scn_fail(s, "expect shadow %s: reading 0x%lx: %s (-%s)",
				t->name, fault, scn_errstr(ret),
				scn_errname(ret));
	for (i = lo; i <= hi; i++) {
		if (!claimed[i] || seen[i] == want[i])
			continue;
		if (!nr_bad++)
			first = i;
	}
	if (p->maybe_zero) {
		/* MADV_FREE'd: its bytes, or zeroes once discarded. */
		bool zero = true;

		for (i = lo; i <= hi && zero; i++)
			zero = !claimed[i] || !seen[i];
		if (!nr_bad || zero) {
			shadow_lazyfree_settle(&t->shadow, p->addr, nr_bad);
			return SCN_OK;
		}
	}
	if (!nr_bad)
		return SCN_OK;
	return scn_fail(s, "expect failed: shadow %s: the byte at 0x%lx is "
			"0x%02x, expected 0x%02x (%lu bytes of its page differ)",
			t->name, p->addr + first, seen[first], want[first],
			nr_bad);
}

int scn_shadow_check(struct scenario *s, struct scn_task *t)
{
	struct scn_maps maps = { 0 };
	unsigned long skipped = 0;
	struct shadow_page *p;
	int ret = SCN_OK;

	for (p = shadow_first(&t->shadow); p && !ret;
	     p = shadow_next(&t->shadow, p))
		ret = shadow_check_page(s, t, p, &maps, &skipped);
	scn_maps_free(&maps);
	if (!ret && s->verbose)
		fprintf(scn_note(s), "  shadow %s: %lu bytes read back, %lu in "
			"PROT_NONE memory skipped\n", t->name,
			t->shadow.nr_bytes - skipped, skipped);
	return ret;
}

/* expect shadow [TASK]: one task, or every live task. */
int scn_expect_shadow(struct scenario *s, struct scn_args *a)
{
	struct scn_task *t;
	unsigned int i;
	int ret = SCN_OK;

	if (a->nr_words > 1) {
		t = scn_find_task(s, a->words[1]);
		return t ? scn_shadow_check(s, t) : SCN_USAGE;
	}
	for (i = 0; i < s->nr_tasks && !ret; i++)
		if (s->tasks[i]->task)
			ret = scn_shadow_check(s, s->tasks[i]);
	return ret;
}

/* Up to 32 bytes of @buf in hex, "0x4142..." */
static const char *hex_str(char *out, size_t len, const unsigned char *buf,
			   size_t n)
{
	size_t i, at;

	at = snprintf(out, len, "0x");
	for (i = 0; i < n && i < 32 && at + 3 < len; i++)
		at += snprintf(out + at, len - at, "%02x", buf[i]);
	if (i < n)
		snprintf(out + at, len - at, "...");
	return out;
}

/* expect read ==|!= DATA (0x: no bytes), or expect read all BYTE */
int scn_expect_read(struct scenario *s, struct scn_args *a)
{
	const char *op = a->words[1], *arg = a->words[2];
	const struct scn_read *rd = &s->read;
	unsigned char *data = NULL, byte;
	char seen[80], what[96];
	bool all = !strcmp(op, "all"), eq = !strcmp(op, "=="), same;
	size_t len = 0, i;
	int ret;

	if (!all && !eq && strcmp(op, "!="))
		return scn_usage(s, "expect read: expected '==', '!=' or 'all', "
				 "not '%s'", op);
	if (all)
		ret = scn_parse_byte(s, "the byte", arg, &byte);
	else if (!strcmp(arg, "0x"))
		ret = SCN_OK;		/* no bytes: an empty read */
	else
		ret = scn_parse_data(s, arg, &data, &len);
	if (ret)
		return ret;
	if (!rd->line) {
		free(data);
		return scn_usage(s, "expect read: no 'read' before this line");
	}
	snprintf(what, sizeof(what), "read (line %u, %zu bytes at 0x%lx)",
		 rd->line, rd->len, rd->addr);
	if (rd->err) {
		free(data);
		return scn_fail(s, "expect failed: the read of line %u failed "
				"with -%s", rd->line, scn_errname(rd->err));
	}
	if (all) {
		for (i = 0; i < rd->len; i++)
			if (rd->buf[i] != byte)
				return scn_fail(s, "expect failed: %s byte %zu "
						"is 0x%02x, expected all 0x%02x",
						what, i, rd->buf[i], byte);
		return SCN_OK;
	}
	same = len == rd->len && (!len || !memcmp(data, rd->buf, len));
	free(data);
	if (same == eq)
		return SCN_OK;
	return scn_fail(s, "expect failed: %s is %s, expected %s %s", what,
			hex_str(seen, sizeof(seen), rd->buf, rd->len), op, arg);
}
