// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs of the scenario language and their table.  Each handler gets a
 * line already checked against its usage (word count, known keys), parses
 * and checks every value, and only then calls into the library.
 *
 * The verbs of address spaces (task, mmap, touch...) have their handlers
 * in as_verbs.c; every verb has its row in scn_verbs[] here, with its
 * usage line, which is also its help.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scenario.h"

static int do_machine(struct scenario *s, struct scn_args *a)
{
	struct foliage_config cfg = s->config;
	const char *v;
	uint64_t movable = 0, cost, avail;
	int ret;

	if (s->m)
		return scn_usage(s, "machine: one machine per scenario (booted "
				 "at line %u)", s->machine_line);
	if ((v = scn_arg(a, "nodes")) &&
	    (ret = scn_parse_uint(s, "nodes", v, 1, FOLIAGE_MAX_NODES,
				  &cfg.nr_nodes)))
		return ret;
	if ((v = scn_arg(a, "mem")) &&
	    (ret = scn_parse_size(s, "mem", v, &cfg.bytes_per_node)))
		return ret;
	if ((v = scn_arg(a, "movable")) &&
	    (ret = scn_parse_size(s, "movable", v, &movable)))
		return ret;
	if ((v = scn_arg(a, "prefault")) &&
	    (ret = scn_parse_bool(s, "prefault", v, &cfg.prefault)))
		return ret;
	if ((v = scn_arg(a, "pku")) &&
	    (ret = scn_parse_bool(s, "pku", v, &cfg.pku)))
		return ret;
	if ((v = scn_arg(a, "cpus")) &&
	    (ret = scn_parse_uint(s, "cpus", v, 1, FOLIAGE_MAX_CPUS,
				  &cfg.nr_cpus)))
		return ret;
	if (cfg.bytes_per_node < (16ULL << 20) ||
	    cfg.bytes_per_node > (1ULL << 40))
		return scn_usage(s, "machine: mem=%s is out of range (16M..1T "
				 "per node)", scn_arg(a, "mem"));
	if ((v = scn_arg(a, "arch"))) {
		if (!strcmp(v, "x86_64"))
			cfg.arch = FOLIAGE_ARCH_X86_64;
		else if (!strcmp(v, "arm64"))
			cfg.arch = FOLIAGE_ARCH_ARM64;
		else
			return scn_usage(s, "machine: arch=%s: expected x86_64 "
					 "or arm64", v);
	}
	if ((v = scn_arg(a, "clock"))) {
		if (!strcmp(v, "virtual"))
			cfg.real_time = false;
		else if (!strcmp(v, "real"))
			cfg.real_time = true;
		else
			return scn_usage(s, "machine: clock=%s: expected virtual "
					 "or real", v);
	}
	if ((v = scn_arg(a, "coco")) &&
	    (ret = scn_parse_bool(s, "coco", v, &cfg.coco)))
		return ret;
	/* ---- anon rmap scheme (issue 13) ---- */
	if ((v = scn_arg(a, "anon_vma"))) {
		if (!strcmp(v, "classic"))
			cfg.anon_vma = FOLIAGE_ANON_VMA_CLASSIC;
		else if (!strcmp(v, "lazy"))
			cfg.anon_vma = FOLIAGE_ANON_VMA_LAZY;
		else
			return scn_usage(s, "machine: anon_vma=%s: expected "
					 "classic or lazy", v);
	}
	if ((v = scn_arg(a, "no_page_mapcount")) &&
	    (ret = scn_parse_bool(s, "no_page_mapcount", v,
				  &cfg.no_page_mapcount)))
		return ret;
	if (cfg.pku && cfg.arch != FOLIAGE_ARCH_X86_64)
		return scn_usage(s, "machine: pku=1 is x86's protection keys: "
				 "it needs arch=x86_64");
	if (cfg.bytes_per_node % FOLIAGE_PAGE_SIZE)
		return scn_usage(s, "machine: mem=%s is not a multiple of the "
				 "page size (4K)", scn_arg(a, "mem"));
	if (movable % FOLIAGE_PAGE_SIZE)
		return scn_usage(s, "machine: movable=%s is not a multiple of "
				 "the page size (4K)", scn_arg(a, "movable"));
	if (movable >= cfg.bytes_per_node)
		return scn_usage(s, "machine: movable=%s must be smaller than "
				 "mem=%s", scn_arg(a, "movable"),
				 scn_arg(a, "mem") ? scn_arg(a, "mem") :
				 "64M (the default)");
	cfg.movable_bytes_per_node = movable;
	if (s->max_guest_bytes &&
	    cfg.nr_nodes * cfg.bytes_per_node > s->max_guest_bytes)
		return scn_usage(s, "machine: this runner boots at most %llu "
				 "MiB of guest RAM",
				 (unsigned long long)s->max_guest_bytes >> 20);

	ret = foliage_machine_create(&cfg, &s->m);
	if (ret == -EINVAL)
		return scn_usage(s, "machine: the library rejects this "
				 "configuration (nodes 1..%d, mem 16M..1T per "
				 "node, movable rounded up to 4M below mem)",
				 FOLIAGE_MAX_NODES);
	if (ret == -ENOMEM && !foliage_boot_cost(&cfg, &cost, &avail) &&
	    avail && cost > avail)
		return scn_fail(s, "machine: cannot boot: the boot writes %llu "
				"MiB of host memory (%s), more than the host has "
				"available (MemAvailable: %llu MiB)",
				(unsigned long long)cost >> 20,
				cfg.init_on_free ? "init_on_free=1 zeroes all "
				"guest RAM" : cfg.prefault ? "prefault=1 "
				"populates all guest RAM" : "the allocator's "
				"tables",
				(unsigned long long)avail >> 20);
	if (ret)
		return scn_fail(s, "machine: cannot boot: %s", scn_errstr(ret));
	s->config = cfg;
	s->machine_line = s->line;
	return SCN_OK;
}

static int do_set(struct scenario *s, struct scn_args *a)
{
	const char *key, *value;
	bool b;
	int ret;

	if (a->nr_kvs != 1 || a->nr_words)
		return scn_usage(s, "set: expected one KEY=VALUE (usage: set "
				 "KEY=VALUE)");
	key = a->kvs[0].key;
	value = a->kvs[0].value;
	s->action = (struct scn_action){ .kind = SCN_ACT_SET, .key = key,
				 .value = value };
	if (!s->m) {
		bool on_alloc = !strcmp(key, "vm.init_on_alloc");

		if (!on_alloc && strcmp(key, "vm.init_on_free"))
			return scn_usage(s, "set %s: only the boot parameters "
					 "vm.init_on_alloc and vm.init_on_free "
					 "can be set before 'machine'", key);
		ret = scn_parse_bool(s, key, value, &b);
		if (ret)
			return ret;
		if (on_alloc)
			s->config.init_on_alloc = b;
		else
			s->config.init_on_free = b;
		return SCN_OK;
	}
	ret = foliage_set(s->m, key, value);
	switch (ret) {
	case 0:
		return SCN_OK;
	case -ENOENT:
		return scn_usage(s, "set: unknown knob '%s'", key);
	case -EINVAL:
		return scn_usage(s, "set: bad value '%s' for %s", value, key);
	case -ERANGE:
		return scn_usage(s, "set: %s=%s is out of range", key, value);
	case -EBUSY:
		return scn_usage(s, "set: %s is a boot parameter: set it before "
				 "'machine'", key);
	default:
		return scn_fail(s, "set %s=%s: %s", key, value, scn_errstr(ret));
	}
}

static int do_alloc(struct scenario *s, struct scn_args *a)
{
	const char *name = a->words[0], *v;
	unsigned int order = 0, nid = 0, gfp = FOLIAGE_GFP_KERNEL;
	const char *owner;
	struct scn_alloc *al;
	bool have_nid = false;
	unsigned long pfn;
	int ret;

	if (!scn_valid_name(name))
		return scn_usage(s, "alloc: bad name '%s': a letter or '_', "
				 "then letters, digits, '_', '.', '-'", name);
	if (scn_expect_subject(name))
		return scn_usage(s, "alloc: '%s' is a word of 'expect', not a "
				 "name", name);
	owner = scn_name_owner(s, name);
	if (owner && strcmp(owner, "allocation"))
		return scn_usage(s, "alloc: '%s' is the name of a %s", name,
				 owner);
	al = scn_find(s, name);
	if (al && al->state == ALLOC_LIVE)
		return scn_usage(s, "alloc: duplicate name '%s': it holds the "
				 "allocation of line %u", name, al->line);
	if ((v = scn_arg(a, "order")) &&
	    (ret = scn_parse_uint(s, "order", v, 0, FOLIAGE_MAX_ORDER, &order)))
		return ret;
	if ((v = scn_arg(a, "node"))) {
		ret = scn_parse_uint(s, "node", v, 0, s->config.nr_nodes - 1,
				     &nid);
		if (ret)
			return ret;
		have_nid = true;
	}
	if ((v = scn_arg(a, "gfp")) && (ret = scn_parse_gfp(s, v, &gfp)))
		return ret;

	al = scn_new_alloc(s, name);
	if (!al)
		return scn_fail(s, "alloc: out of memory");
	ret = foliage_alloc_pages(s->m, gfp, order, have_nid ? (int)nid : -1,
				  &pfn);
	if (ret && ret != -ENOMEM)
		return scn_fail(s, "alloc %s: %s", name, scn_errstr(ret));
	al->state = ret ? ALLOC_FAILED : ALLOC_LIVE;
	al->pfn = ret ? 0 : pfn;
	al->order = order;
	al->gfp = gfp;
	al->nid = have_nid ? (int)nid : -1;
	al->err = ret;
	al->line = s->line;
	return SCN_OK;
}

static int do_free(struct scenario *s, struct scn_args *a)
{
	unsigned int flags = 0;
	struct scn_alloc *al;
	int ret;

	if (a->nr_words == 2) {
		if (strcmp(a->words[1], "zeroed"))
			return scn_usage(s, "free: unexpected '%s' (usage: free "
					 "NAME [zeroed])", a->words[1]);
		flags |= FOLIAGE_FREE_ZEROED;
	}
	al = scn_find_live(s, a->words[0]);
	if (!al)
		return SCN_USAGE;
	ret = foliage_free_pages(s->m, al->pfn, al->order, flags);
	if (ret)
		return scn_fail(s, "free %s: %s", al->name, scn_errstr(ret));
	al->state = ALLOC_FREED;
	al->line = s->line;
	return SCN_OK;
}

static int do_fill(struct scenario *s, struct scn_args *a)
{
	unsigned long i, nr_pages;
	struct scn_alloc *al;
	unsigned char byte;
	int ret;

	ret = scn_parse_name_byte(s, a->words[0], a->words[1], &al, &byte);
	if (ret)
		return ret;
	nr_pages = 1UL << al->order;
	for (i = 0; i < nr_pages; i++) {
		void *p = scn_page_virt(s, al, i);

		if (!p)
			return SCN_FAIL;
		memset(p, byte, FOLIAGE_PAGE_SIZE);
	}
	return SCN_OK;
}

/* The machine's files of 'show'; a task's are in as_verbs.c. */
static const char *const show_files[] = {
	"buddyinfo", "pagetypeinfo", "vmstat", "meminfo", "zoneinfo", "trace",
	"tlb", "slabinfo", "thp", "mthp_stats", "uptime", "hugepages",
	"extfrag", "unusable_index", "extfrag_index",
	"migrate_offload", "dma",	/* copy offload (as_offload.c) */
};

char *scn_render(struct scenario *s, const char *what, unsigned int flags)
{
	char *text = NULL;
	int ret = foliage_render(s->m, what, flags, &text);

	if (ret) {
		scn_fail(s, "cannot render %s: %s", what, scn_errstr(ret));
		return NULL;
	}
	return text;
}

static int do_show(struct scenario *s, struct scn_args *a)
{
	const char *what = a->words[0];
	struct scn_show sh = { .what = what, .pattern = scn_arg(a, "grep") };
	char *text = NULL;
	size_t i;
	int ret;

	if (!strcmp(what, "maps") || !strcmp(what, "smaps") ||
	    !strcmp(what, "smaps_rollup"))
		return scn_show_task(s, a);
	if (!strcmp(what, "numa_maps"))		/* as_numa.c */
		return scn_show_numa_maps(s, a);
	/* balloon: the virtio-balloon and its host (as_balloon.c) */
	if (!strcmp(what, "balloon") || !strcmp(what, "host"))
		return scn_show_balloon(s, a);
	if (!strcmp(what, "pfnmap"))
		return scn_show_pfnmap(s, a);
	if (scn_arg(a, "node") || scn_arg(a, "svg"))
		return scn_usage(s, "show %s: node= and svg= are for show "
				 "pfnmap", what);
	/* guest_memfd and KVM VMs (as_gmem.c) */
	if (!strcmp(what, "gmem") || !strcmp(what, "vm"))
		return scn_show_gmem(s, a);
	/* ---- rmap (issue 13) ---- */
	if (!strcmp(what, "rmap"))
		return scn_show_rmap(s, a);
	/* PTE batching (as_batch.c) */
	if (!strcmp(what, "pagetable"))
		return scn_show_pagetable(s, a);
	for (i = 0; i < sizeof(show_files) / sizeof(show_files[0]); i++)
		if (!strcmp(show_files[i], what))
			break;
	if (i == sizeof(show_files) / sizeof(show_files[0]))
		return scn_usage(s, "show: unknown file '%s' (buddyinfo, "
				 "pagetypeinfo, vmstat, meminfo, zoneinfo, "
				 "trace, tlb, slabinfo, thp, mthp_stats, uptime, "
				 "hugepages, extfrag, unusable_index, "
				 "extfrag_index, pfnmap, balloon, host; "
				 "maps, smaps, smaps_rollup, pagetable, numa_maps "
				 "of a task; rmap TASK ADDR)", what);
	if (a->nr_words > 2)
		return scn_usage(s, "unexpected argument '%s' (usage: show "
				 "%s [PATTERN|grep=PATTERN])", a->words[2], what);
	if (a->nr_words > 1) {
		if (sh.pattern)
			return scn_usage(s, "show: PATTERN given twice ('%s' and "
					 "grep=%s)", a->words[1], sh.pattern);
		sh.pattern = a->words[1];
	}
	ret = foliage_render(s->m, what, s->json ? FOLIAGE_RENDER_JSON : 0,
			     &text);
	if (ret == -ENOENT)
		return scn_fail(s, "show: %s is not supported yet by this "
				"library", what);
	if (ret)
		return scn_fail(s, "cannot render %s: %s", what,
				scn_errstr(ret));
	ret = scn_show_print(s, &sh, text);
	free(text);
	return ret;
}

static int do_drain(struct scenario *s, struct scn_args *a)
{
	int ret = foliage_drain_pages(s->m);

	return ret ? scn_fail(s, "drain: %s", scn_errstr(ret)) : SCN_OK;
}

/*
 * A duration: a decimal number of nanoseconds with a unit, s, ms, us or ns
 * (2s, 500ms, 10us).
 */
static int parse_duration(struct scenario *s, const char *str, uint64_t *ns)
{
	static const struct {
		const char *unit;	/* as written */
		uint64_t ns;		/* nanoseconds in one */
	} units[] = {
		{ "s", 1000000000ULL }, { "ms", 1000000ULL },
		{ "us", 1000ULL }, { "ns", 1ULL },
	};
	unsigned long long v;
	unsigned int i;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*str))
		goto bad;
	v = strtoull(str, &end, 10);
	if (errno)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			if (v > UINT64_MAX / units[i].ns)
				goto bad;
			*ns = v * units[i].ns;
			return 0;
		}
bad:
	return scn_usage(s, "sleep: bad duration '%s': expected a whole number "
			 "with a unit s, ms, us or ns (e.g. 2s, 500ms, 10us)",
			 str);
}

/* Let time pass: the machine's clock moves, delayed work falls due. */
static int do_sleep(struct scenario *s, struct scn_args *a)
{
	uint64_t ns = 0;
	int ret = parse_duration(s, a->words[0], &ns);

	if (ret)
		return ret;
	ret = foliage_advance_time(s->m, ns);
	return ret ? scn_fail(s, "sleep: %s", scn_errstr(ret)) : SCN_OK;
}

static int do_check(struct scenario *s, struct scn_args *a)
{
	int ret = foliage_validate(s->m);
	const char *bug;

	if (!ret)
		return SCN_OK;
	bug = foliage_first_bug(s->m);
	return scn_fail(s, "check failed: %s%s%s", scn_errstr(ret),
			bug ? "; first bug: " : "", bug ? bug : "");
}

static int do_echo(struct scenario *s, struct scn_args *a)
{
	fprintf(scn_note(s), "%s\n", a->rest);
	return SCN_OK;
}

static void drop_mark(struct scenario *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_mark; i++)
		free(s->mark[i].name);
	free(s->mark);
	s->mark = NULL;
	s->nr_mark = 0;
}

/* Append the "name value" lines of @text to the mark; false: no memory. */
static bool mark_add(struct scenario *s, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct scn_counter *c;
		char name[128];
		unsigned long value;

		if (sscanf(line, "%127s %lu", name, &value) != 2)
			continue;
		c = &s->mark[s->nr_mark];
		c->name = strdup(name);
		if (!c->name)
			return false;
		c->value = value;
		s->nr_mark++;
	}
	return true;
}

/*
 * Snapshot every /proc/vmstat counter and the TLB flush counters, for
 * 'expect vmstat|tlb NAME delta'.
 */
static int do_mark(struct scenario *s, struct scn_args *a)
{
	char *vmstat = scn_render(s, "vmstat", 0), *tlb, *line;
	unsigned int nr = 0;
	bool ok;

	if (!vmstat)
		return SCN_FAIL;
	tlb = scn_render(s, "tlb", 0);
	if (!tlb) {
		free(vmstat);
		return SCN_FAIL;
	}
	drop_mark(s);
	for (line = vmstat; *line; line++)
		nr += *line == '\n';
	for (line = tlb; *line; line++)
		nr += *line == '\n';
	s->mark = calloc(nr + 2, sizeof(*s->mark));
	ok = s->mark && mark_add(s, vmstat) && mark_add(s, tlb);
	free(vmstat);
	free(tlb);
	if (!ok) {
		drop_mark(s);
		return scn_fail(s, "mark: out of memory");
	}
	s->mark_line = s->line;
	return SCN_OK;
}

/*
 * device dma|balloon ...: each kind has its handler (as_offload.c,
 * as_balloon.c) and its keys.
 */
static int do_device(struct scenario *s, struct scn_args *a)
{
	bool dma = !strcmp(a->words[0], "dma");
	bool balloon = !strcmp(a->words[0], "balloon");

	if (dma && (scn_arg(a, "features") || scn_arg(a, "poison") ||
		    scn_arg(a, "queue")))
		return scn_usage(s, "device dma: features=, poison= and queue= "
				 "are a balloon's");
	if (balloon && (scn_arg(a, "channels") || scn_arg(a, "bandwidth")))
		return scn_usage(s, "device balloon: channels= and bandwidth= "
				 "are a DMA engine's");
	if (balloon)
		return scn_do_device_balloon(s, a);
	if (dma)
		return scn_do_device(s, a);
	return scn_usage(s, "device: unknown device '%s' (dma, balloon)",
			 a->words[0]);
}

const struct scn_verb scn_verbs[] = {
	{ "machine", do_machine, 0, 0,
	  "nodes mem movable prefault cpus arch pku clock anon_vma coco "
	  "no_page_mapcount",
	  SCN_VERB_BEFORE_MACHINE,
	  "machine [nodes=N] [mem=SIZE] [movable=SIZE] [prefault=0|1] "
	  "[cpus=N] [arch=x86_64|arm64] [pku=0|1] [clock=virtual|real] "
	  "[anon_vma=classic|lazy] [coco=0|1] [no_page_mapcount=0|1]" },
	{ "set", do_set, 0, 0, NULL, SCN_VERB_BEFORE_MACHINE,
	  "set KEY=VALUE" },
	{ "alloc", do_alloc, 1, 1, "order node gfp", 0,
	  "alloc NAME [order=N] [node=N] [gfp=FLAG|FLAG...]" },
	{ "free", do_free, 1, 2, "", 0, "free NAME [zeroed]" },
	{ "fill", do_fill, 2, 2, "", 0, "fill NAME BYTE" },
	{ "show", do_show, 1, 3, "grep node svg", 0,
	  "show buddyinfo|pagetypeinfo|vmstat|meminfo|zoneinfo|trace|tlb|"
	  "slabinfo|thp|mthp_stats|uptime|hugepages|extfrag|unusable_index|"
	  "extfrag_index|migrate_offload|dma|balloon|host [PATTERN|"
	  "grep=PATTERN] | show pfnmap [node=N] [svg=FILE|--svg FILE] | show "
	  "maps|smaps|smaps_rollup TASK [RANGE] [grep=PATTERN] | show gmem|vm "
	  "NAME [grep=PATTERN] | show rmap TASK ADDR | show pagetable TASK "
	  "RANGE [grep=PATTERN] | show numa_maps TASK [grep=PATTERN]" },
	{ "drain", do_drain, 0, 0, "", 0, "drain" },
	{ "sleep", do_sleep, 1, 1, "", 0, "sleep DURATION" },
	{ "check", do_check, 0, 0, "", 0, "check" },
	{ "mark", do_mark, 0, 0, "", 0, "mark" },
	{ "task", scn_do_task, 1, 1, "", SCN_VERB_ERRNO, "task NAME" },
	{ "fork", scn_do_fork, 2, 2, "", SCN_VERB_ERRNO, "fork PARENT CHILD" },
	{ "exit", scn_do_exit, 1, 1, "", SCN_VERB_ERRNO, "exit TASK" },
	{ "file", scn_do_file, 2, 3, "hugetlb", SCN_VERB_ERRNO,
	  "file NAME SIZE [hugetlb[=2M|1G]]" },
	{ "close", scn_do_close, 1, 1, "", 0, "close FILE" },
	{ "mmap", scn_do_mmap, 3, 10, "at prot file off hugetlb",
	  SCN_VERB_ERRNO,
	  "mmap TASK NAME LEN [at=ADDR] [prot=PROT] [shared|private] "
	  "[fixed|noreplace] [populate] [hugetlb[=2M|1G]] [noreserve] "
	  "[file=FILE [off=OFF]]" },
	{ "munmap", scn_do_munmap, 2, 2, "", SCN_VERB_ERRNO,
	  "munmap TASK RANGE" },
	{ "mprotect", scn_do_mprotect, 3, 3, "", SCN_VERB_ERRNO,
	  "mprotect TASK RANGE PROT" },
	{ "mremap", scn_do_mremap, 3, 6, "at", SCN_VERB_ERRNO,
	  "mremap TASK RANGE NEWLEN [maymove] [fixed at=ADDR] [dontunmap]" },
	{ "madvise", scn_do_madvise, 3, 3, "", SCN_VERB_ERRNO,
	  "madvise TASK RANGE ADVICE" },
	{ "touch", scn_do_touch, 3, 3, "", SCN_VERB_ERRNO,
	  "touch TASK RANGE read|write" },
	{ "write", scn_do_write, 3, 3, "", SCN_VERB_ERRNO,
	  "write TASK ADDR DATA" },
	{ "read", scn_do_read, 3, 3, "", SCN_VERB_ERRNO, "read TASK ADDR LEN" },
	{ "pin", scn_do_pin, 2, 3, "", SCN_VERB_ERRNO,
	  "pin TASK RANGE [read|write]" },
	{ "unpin", scn_do_unpin, 2, 2, "", SCN_VERB_ERRNO, "unpin TASK RANGE" },
	/* pictures (as_pictures.c, report.c) */
	{ "snapshot", scn_do_snapshot, 1, 1, "vmstat", 0,
	  "snapshot NAME [vmstat=NAME,NAME...]" },
	/* ---- guest_memfd and KVM VMs (as_gmem.c) ---- */
	{ "vm", scn_do_vm, 1, 1, "", SCN_VERB_ERRNO, "vm NAME" },
	{ "gmem", scn_do_gmem, 2, 4, "hugetlb", SCN_VERB_ERRNO,
	  "gmem NAME SIZE [mmap] [init_shared] [hugetlb=2M|1G]" },
	{ "memslot", scn_do_memslot, 1, 1, "gpa size gmem off", SCN_VERB_ERRNO,
	  "memslot VM gpa=ADDR size=LEN gmem=NAME [off=OFF]" },
	{ "convert", scn_do_convert, 3, 4, "error_offset", SCN_VERB_ERRNO,
	  "convert GMEM RANGE private|shared [zero|preserve] "
	  "[=> -ERRNO [error_offset=0xOFF]]" },
	{ "fallocate", scn_do_fallocate, 3, 3, "", SCN_VERB_ERRNO,
	  "fallocate FILE RANGE punch|keep" },
	{ "vcpu", scn_do_vcpu, 4, 4, "", SCN_VERB_ERRNO,
	  "vcpu VM read GPA LEN | vcpu VM write GPA DATA" },
	/* ---- copy offload for migration (as_offload.c); balloon ---- */
	{ "device", do_device, 1, 1,
	  "channels bandwidth features poison queue", SCN_VERB_ERRNO,
	  "device dma channels=N [bandwidth=SIZE/s] | device balloon "
	  "features=NAME,NAME... [poison=0xVAL] [queue=N]" },
	{ "migrator", scn_do_migrator, 2, 2, "reasons", SCN_VERB_ERRNO,
	  "migrator enable dcbm|mtcopy [reasons=LIST] | migrator disable "
	  "NAME" },
	/* ---- NUMA: migration and memory policy (as_numa.c) ---- */
	{ "move_pages", scn_do_move_pages, 2, 3, "node", SCN_VERB_ERRNO,
	  "move_pages TASK RANGE [node=N] [all]" },
	{ "migrate_pages", scn_do_migrate_pages, 1, 1, "from to",
	  SCN_VERB_ERRNO, "migrate_pages TASK from=NODES to=NODES" },
	{ "mbind", scn_do_mbind, 3, 5, "nodes",
	  SCN_VERB_ERRNO | SCN_VERB_WORD_EQ,
	  "mbind TASK RANGE POLICY [nodes=LIST] [move] [strict]" },
	{ "set_mempolicy", scn_do_set_mempolicy, 2, 2, "nodes",
	  SCN_VERB_ERRNO | SCN_VERB_WORD_EQ,
	  "set_mempolicy TASK POLICY [nodes=LIST]" },
	/* balloon: the virtio-balloon and its host (as_balloon.c) */
	{ "host", scn_do_host, 0, 0, "discard", 0,
	  "host discard=discard|inhibit|lie|fail" },
	{ "balloon", scn_do_balloon, 2, 2, "", SCN_VERB_ERRNO,
	  "balloon target|inflate|deflate PAGES | balloon hint ID|stop|done" },
	{ "expect", scn_expect, 1, SCN_MAX_WORDS, NULL, 0,
	  "expect vmstat|tlb|meminfo|buddyinfo|mthp|slabinfo|page|bytes|bugs|"
	  "knob|fault|maps|vma|smaps|rollup|shadow|read|gmem|rmap|status|"
	  "numa_maps|balloon|host ... | "
	  "expect NAME failed|ok" },
	{ "echo", do_echo, 0, 0, NULL,
	  SCN_VERB_BEFORE_MACHINE | SCN_VERB_RAW, "echo TEXT" },
};

const unsigned int scn_nr_verbs = sizeof(scn_verbs) / sizeof(scn_verbs[0]);
