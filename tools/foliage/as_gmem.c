// SPDX-License-Identifier: GPL-2.0
/*
 * The verbs of guest_memfd and KVM VMs (docs/guest-memfd.md):
 *
 *	vm NAME
 *	gmem NAME SIZE [mmap] [init_shared] [hugetlb=2M|1G]
 *	memslot VM gpa=ADDR size=LEN gmem=NAME [off=OFF]
 *	convert GMEM RANGE private|shared [zero|preserve]
 *		[=> -ERRNO [error_offset=0xOFF]]
 *	vcpu VM read GPA LEN | vcpu VM write GPA DATA
 *	show gmem NAME | show vm NAME
 *	expect gmem NAME RANGE private|shared
 *	expect gmem NAME folios order=N OP COUNT
 *	expect gmem NAME STAT OP VALUE
 *
 * A guest_memfd is a file of the scenario (close, mmap ... file=GMEM and
 * fallocate, as_hugetlb.c's, take it); a VM has a name of its own.  A vCPU read is what
 * 'expect read' then checks, as a task's read.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* A VM of the scenario. */
struct scn_vm {
	char *name;			/* as written */
	struct foliage_vm *vm;		/* NULL once destroyed */
	unsigned int line;		/* line of its 'vm' */
};

/* A memslot as the scenario made it. */
struct scn_slot {
	unsigned int vm_idx;		/* its VM, by index (vms may move) */
	struct scn_file *f;		/* its guest_memfd */
	uint64_t gpa;			/* first guest-physical byte */
	uint64_t bytes;			/* its size */
	uint64_t off;			/* file offset of gpa */
};

/*
 * A guest_memfd's shadow, by file offset: what the guest wrote into pages
 * that are private now (the host cannot reach them, so nothing else
 * changes them but the rules: a punch zeroes them; going shared hands the
 * bytes to the host tasks' shadows, zeroes with ZERO).
 */
struct scn_gmem_shadow {
	struct scn_file *f;		/* the guest_memfd */
	struct shadow sh;		/* claims by file offset */
};

/* The scenario's VMs (s->kvm). */
struct scn_kvm {
	struct scn_vm *vms;		/* every VM */
	unsigned int nr_vms;		/* entries used in vms */
	struct scn_slot *slots;		/* every memslot made */
	unsigned int nr_slots;		/* entries used in slots */
	struct scn_gmem_shadow *gs;	/* one per guest_memfd */
	unsigned int nr_gs;		/* entries used in gs */
};

static int no_memory(struct scenario *s)
{
	return scn_fail(s, "%s: out of memory", s->verb);
}

static struct scn_vm *find_vm(struct scenario *s, const char *name)
{
	unsigned int i;

	if (!s->kvm)
		return NULL;
	for (i = 0; i < s->kvm->nr_vms; i++)
		if (!strcmp(s->kvm->vms[i].name, name))
			return &s->kvm->vms[i];
	return NULL;
}

const char *scn_gmem_name_owner(struct scenario *s, const char *name,
				unsigned int *line)
{
	struct scn_vm *v = find_vm(s, name);

	if (!v)
		return NULL;
	*line = v->line;
	return "VM";
}

void scn_gmem_teardown(struct scenario *s)
{
	unsigned int i;

	if (!s->kvm)
		return;
	for (i = 0; i < s->kvm->nr_vms; i++) {
		foliage_vm_destroy(s->kvm->vms[i].vm);
		s->kvm->vms[i].vm = NULL;
	}
}

void scn_gmem_free(struct scenario *s)
{
	unsigned int i;

	if (!s->kvm)
		return;
	for (i = 0; i < s->kvm->nr_vms; i++)
		free(s->kvm->vms[i].name);
	for (i = 0; i < s->kvm->nr_gs; i++)
		shadow_destroy(&s->kvm->gs[i].sh);
	free(s->kvm->gs);
	free(s->kvm->slots);
	free(s->kvm->vms);
	free(s->kvm);
	s->kvm = NULL;
}

static struct scn_vm *scn_find_vm(struct scenario *s, const char *name)
{
	struct scn_vm *v = find_vm(s, name);

	if (!v) {
		const char *owner = scn_name_owner(s, name);

		if (owner)
			scn_usage(s, "%s: '%s' is a%s %s, not a VM", s->verb,
				  name, strchr("aeiou", owner[0]) ? "n" : "",
				  owner);
		else
			scn_usage(s, "%s: unknown VM '%s'", s->verb, name);
	}
	return v;
}

/* The open guest_memfd called @name; NULL after a message. */
static struct scn_file *scn_find_gmem(struct scenario *s, const char *name)
{
	struct foliage_gmem_stat st;
	struct scn_file *f = scn_find_file(s, name);

	if (f && foliage_gmem_stat(f->file, &st)) {
		scn_usage(s, "%s: '%s' is a memfd, not a guest_memfd", s->verb,
			  name);
		return NULL;
	}
	return f;
}

static struct scn_kvm *scn_kvm(struct scenario *s)
{
	if (!s->kvm)
		s->kvm = calloc(1, sizeof(*s->kvm));
	return s->kvm;
}

static struct scn_gmem_shadow *gmem_shadow(struct scenario *s,
					   struct scn_file *f)
{
	unsigned int i;

	for (i = 0; s->kvm && i < s->kvm->nr_gs; i++)
		if (s->kvm->gs[i].f == f)
			return &s->kvm->gs[i];
	return NULL;
}

/* Whether file offset @off of @f is private now. */
static bool gmem_is_private(struct scn_file *f, uint64_t off)
{
	uint64_t start, end;
	unsigned long i;
	bool priv;

	for (i = 0; !foliage_gmem_range(f->file, i, &start, &end, &priv); i++)
		if (start <= off && off < end)
			return priv;
	return false;
}

/* The memslot of @vm holding @gpa, or NULL. */
static struct scn_slot *gpa_slot(struct scenario *s, struct scn_vm *vm,
				 uint64_t gpa)
{
	unsigned int i;

	for (i = 0; s->kvm && i < s->kvm->nr_slots; i++) {
		struct scn_slot *sl = &s->kvm->slots[i];

		if (&s->kvm->vms[sl->vm_idx] == vm && sl->f->file &&
		    gpa >= sl->gpa && gpa - sl->gpa < sl->bytes)
			return sl;
	}
	return NULL;
}

/*
 * Host tasks that map file range [off, off + len) of @f shared: call
 * @fn on each task's shadow with the addresses of the part it maps
 * (@arg and the file offset of @from passed through).
 */
static int for_each_host_mapping(struct scenario *s, struct scn_file *f,
				 uint64_t off, uint64_t len,
				 int (*fn)(struct shadow *sh, unsigned long from,
					   unsigned long to, uint64_t foff,
					   void *arg), void *arg)
{
	struct foliage_gmem_stat st;
	unsigned int i, j;
	int ret = 0;

	if (foliage_gmem_stat(f->file, &st))
		return 0;
	for (i = 0; !ret && i < s->nr_tasks; i++) {
		struct scn_task *t = s->tasks[i];
		struct scn_maps maps;

		if (!t->task)
			continue;
		ret = scn_maps_read(s, t, "maps", &maps);
		if (ret)
			return -EINVAL;
		for (j = 0; !ret && j < maps.nr_vma; j++) {
			struct scn_vma *v = &maps.vma[j];
			uint64_t vend = v->offset + (v->end - v->start);
			uint64_t from = v->offset > off ? v->offset : off;
			uint64_t to = vend < off + len ? vend : off + len;

			if (v->inode != st.ino || v->perms[3] != 's' ||
			    from >= to)
				continue;
			ret = fn(&t->shadow, v->start + (from - v->offset),
				 v->start + (to - v->offset), from, arg);
		}
		scn_maps_free(&maps);
	}
	return ret;
}

static int host_record(struct shadow *sh, unsigned long from,
		       unsigned long to, uint64_t foff, void *arg)
{
	const unsigned char *buf = arg;

	return shadow_record(sh, from, buf, to - from);
}

/*
 * The claims of the file shadow on [off, off + len) go to the host tasks
 * (the pages became shared): their bytes, or zeros with @zero; the file
 * shadow forgets them.
 */
static int gmem_shadow_to_host(struct scenario *s, struct scn_file *f,
			       uint64_t off, uint64_t len, bool zero)
{
	struct scn_gmem_shadow *g = gmem_shadow(s, f);
	unsigned char data[SHADOW_PAGE_SIZE];
	bool claimed[SHADOW_PAGE_SIZE];
	struct shadow_page *p;
	int ret = 0;

	if (!g)
		return 0;
	for (p = shadow_first(&g->sh); !ret && p; p = shadow_next(&g->sh, p)) {
		size_t i, run;

		if (p->addr < off || p->addr >= off + len)
			continue;
		shadow_page_expect(p, data, claimed);
		for (i = 0; !ret && i < SHADOW_PAGE_SIZE; i += run) {
			for (run = 0; i + run < SHADOW_PAGE_SIZE &&
			     claimed[i + run] == claimed[i]; run++)
				;
			if (!claimed[i])
				continue;
			if (zero)
				memset(data + i, 0, run);
			ret = for_each_host_mapping(s, f, p->addr + i, run,
						    host_record, data + i);
		}
	}
	return ret ?: shadow_drop(&g->sh, off, off + len);
}

static int host_drop(struct shadow *sh, unsigned long from,
		     unsigned long to, uint64_t foff, void *arg)
{
	return shadow_drop(sh, from, to);
}

static int host_zero(struct shadow *sh, unsigned long from,
		     unsigned long to, uint64_t foff, void *arg)
{
	return shadow_zero(sh, from, to);
}

/*
 * The host tasks' shadows after file pages [off, off + len) of @f changed
 * under them: their claims go (@zero false: the pages became private) or
 * read zero (@zero: punched, refaulted as zeros).
 */
static int gmem_shadow_host(struct scenario *s, struct scn_file *f,
			    uint64_t off, uint64_t len, bool zero)
{
	if (for_each_host_mapping(s, f, off, len, zero ? host_zero : host_drop,
				  NULL))
		return no_memory(s);
	return SCN_OK;
}

int scn_do_vm(struct scenario *s, struct scn_args *a)
{
	const char *name = a->words[0];
	struct scn_vm *vms;
	struct foliage_vm *vm;
	int ret;

	ret = scn_check_new_name(s, name);
	if (ret)
		return ret;
	if (!scn_kvm(s))
		return no_memory(s);
	vms = realloc(s->kvm->vms, (s->kvm->nr_vms + 1) * sizeof(*vms));
	if (!vms)
		return no_memory(s);
	s->kvm->vms = vms;
	ret = foliage_vm_create(s->m, &vm);
	if (ret)
		return scn_lib_error(s, ret, NULL);
	vms[s->kvm->nr_vms].name = strdup(name);
	if (!vms[s->kvm->nr_vms].name) {
		foliage_vm_destroy(vm);
		return no_memory(s);
	}
	vms[s->kvm->nr_vms].vm = vm;
	vms[s->kvm->nr_vms].line = s->line;
	s->kvm->nr_vms++;
	return SCN_OK;
}

int scn_do_gmem(struct scenario *s, struct scn_args *a)
{
	const char *name = a->words[0], *v;
	uint64_t bytes, flags = 0, huge = 0;
	struct scn_file *f;
	unsigned int i;
	int ret;

	if ((ret = scn_check_new_name(s, name)) ||
	    (ret = scn_parse_size(s, "the size", a->words[1], &bytes)))
		return ret;
	for (i = 2; i < a->nr_words; i++) {
		if (!strcmp(a->words[i], "mmap"))
			flags |= FOLIAGE_GMEM_FLAG_MMAP;
		else if (!strcmp(a->words[i], "init_shared"))
			flags |= FOLIAGE_GMEM_FLAG_INIT_SHARED;
		else
			return scn_usage(s, "gmem: unknown option '%s' (usage: "
					 "gmem NAME SIZE [mmap] [init_shared] "
					 "[hugetlb=2M|1G])", a->words[i]);
	}
	if ((v = scn_arg(a, "hugetlb"))) {
		if (!strcmp(v, "2M"))
			huge = 2ULL << 20;
		else if (!strcmp(v, "1G"))
			huge = 1ULL << 30;
		else
			return scn_usage(s, "gmem: hugetlb=%s: expected 2M or 1G",
					 v);
	}
	f = scn_new_file(s, name);
	if (!f)
		return no_memory(s);
	ret = foliage_gmem_create(s->m, bytes, flags, huge, &f->file);
	if (ret) {
		scn_forget_file(s);
		return scn_lib_error(s, ret, NULL);
	}
	f->bytes = bytes;
	if (scn_kvm(s)) {
		struct scn_gmem_shadow *gs;

		gs = realloc(s->kvm->gs, (s->kvm->nr_gs + 1) * sizeof(*gs));
		if (!gs)
			return no_memory(s);
		s->kvm->gs = gs;
		gs[s->kvm->nr_gs].f = f;
		shadow_init(&gs[s->kvm->nr_gs].sh);
		s->kvm->nr_gs++;
	}
	return SCN_OK;
}

int scn_do_memslot(struct scenario *s, struct scn_args *a)
{
	const char *gpa_s = scn_arg(a, "gpa"), *size_s = scn_arg(a, "size");
	const char *gmem_s = scn_arg(a, "gmem"), *off_s = scn_arg(a, "off");
	uint64_t gpa, bytes, off = 0;
	struct scn_file *f;
	struct scn_vm *v;
	int ret;

	if (!gpa_s || !size_s || !gmem_s)
		return scn_usage(s, "memslot: gpa=, size= and gmem= are needed "
				 "(usage: memslot VM gpa=ADDR size=LEN gmem=NAME "
				 "[off=OFF])");
	if (!(v = scn_find_vm(s, a->words[0])) ||
	    !(f = scn_find_gmem(s, gmem_s)))
		return SCN_USAGE;
	if ((ret = scn_parse_size(s, "gpa=", gpa_s, &gpa)) ||
	    (ret = scn_parse_size(s, "size=", size_s, &bytes)) ||
	    (off_s && (ret = scn_parse_size(s, "off=", off_s, &off))))
		return ret;
	ret = foliage_vm_memslot(v->vm, gpa, bytes, f->file, off);
	if (ret)
		return scn_lib_error(s, ret, NULL);
	if (scn_kvm(s)) {
		struct scn_slot *sl;

		sl = realloc(s->kvm->slots,
			     (s->kvm->nr_slots + 1) * sizeof(*sl));
		if (!sl)
			return no_memory(s);
		s->kvm->slots = sl;
		sl[s->kvm->nr_slots++] = (struct scn_slot){
			.vm_idx = v - s->kvm->vms, .f = f, .gpa = gpa,
			.bytes = bytes, .off = off };
	}
	return SCN_OK;
}

int scn_do_convert(struct scenario *s, struct scn_args *a)
{
	const char *to = a->words[2], *eo_s = scn_arg(a, "error_offset");
	uint64_t off, len, flags = 0, eo = 0, want_eo = 0;
	bool to_private;
	struct scn_file *f;
	char detail[48];
	int ret;

	if (!(f = scn_find_gmem(s, a->words[0])))
		return SCN_USAGE;
	if ((ret = scn_parse_file_range(s, a->words[1], &off, &len)))
		return ret;
	if (strcmp(to, "private") && strcmp(to, "shared"))
		return scn_usage(s, "convert: expected 'private' or 'shared', "
				 "not '%s'", to);
	to_private = to[0] == 'p';
	if (a->nr_words > 3) {
		if (!strcmp(a->words[3], "zero"))
			flags = FOLIAGE_GMEM_CONVERT_ZERO;
		else if (!strcmp(a->words[3], "preserve"))
			flags = FOLIAGE_GMEM_CONVERT_PRESERVE;
		else
			return scn_usage(s, "convert: expected 'zero' or "
					 "'preserve', not '%s'", a->words[3]);
	}
	if (eo_s) {
		if (!s->want_err)
			return scn_usage(s, "convert: error_offset= goes with "
					 "'=> -ERRNO' (usage: ... => -EAGAIN "
					 "error_offset=0xOFF)");
		if ((ret = scn_parse_size(s, "error_offset=", eo_s, &want_eo)))
			return ret;
	}
	ret = foliage_gmem_convert(f->file, off, len,
				   to_private ? FOLIAGE_MEMORY_ATTRIBUTE_PRIVATE
					      : 0, flags, &eo);
	if (!ret) {
		if (to_private)
			return gmem_shadow_host(s, f, off, len, false);
		return gmem_shadow_to_host(s, f, off, len,
					   flags & FOLIAGE_GMEM_CONVERT_ZERO) ?
		       no_memory(s) : SCN_OK;
	}
	snprintf(detail, sizeof(detail), " error_offset=0x%llx",
		 (unsigned long long)eo);
	ret = scn_lib_error(s, ret, detail);
	if (ret || !eo_s || eo == want_eo)
		return ret;
	return scn_fail(s, "convert: failed with error_offset=0x%llx, "
			"expected 0x%llx", (unsigned long long)eo,
			(unsigned long long)want_eo);
}

/* fallocate punched [off, off + len) of @f: the shadows follow. */
static int gmem_punched(struct scenario *s, struct scn_file *f, uint64_t off,
			uint64_t len)
{
	struct scn_gmem_shadow *g = gmem_shadow(s, f);

	/* A punched page refaults as zeros, for the guest too. */
	if (g && shadow_zero(&g->sh, off, off + len))
		return no_memory(s);
	return gmem_shadow_host(s, f, off, len, true);
}

int scn_do_fallocate(struct scenario *s, struct scn_args *a)
{
	const char *mode_s = a->words[2];
	struct scn_file *f;
	uint64_t off, len;
	int mode, ret;

	if (!(f = scn_find_file(s, a->words[0])))
		return SCN_USAGE;
	if (!f->file)
		return scn_usage(s, "fallocate: file '%s' is closed",
				 a->words[0]);
	if ((ret = scn_parse_file_range(s, a->words[1], &off, &len)))
		return ret;
	if (!strcmp(mode_s, "punch"))
		mode = FOLIAGE_FALLOC_FL_KEEP_SIZE |
		       FOLIAGE_FALLOC_FL_PUNCH_HOLE;
	else if (!strcmp(mode_s, "keep"))
		mode = FOLIAGE_FALLOC_FL_KEEP_SIZE;
	else
		return scn_usage(s, "fallocate: expected 'punch' or 'keep', "
				 "not '%s'", mode_s);
	ret = foliage_fallocate(f->file, mode, off, len);
	if (ret)
		return scn_lib_error(s, ret, NULL);
	if (mode & FOLIAGE_FALLOC_FL_PUNCH_HOLE)
		return gmem_punched(s, f, off, len);
	return SCN_OK;
}

#define VCPU_MAX	(64UL << 20)	/* bytes of one vcpu read */

/*
 * The guest wrote @n bytes at @gpa: claims in the file's shadow where the
 * page is private, in the host tasks' where it is shared.
 */
static int vcpu_shadow(struct scenario *s, struct scn_vm *v, uint64_t gpa,
		       const unsigned char *buf, size_t n)
{
	int ret = 0;

	while (!ret && n) {
		size_t chunk = SHADOW_PAGE_SIZE - (gpa & ~SHADOW_PAGE_MASK);
		struct scn_slot *sl = gpa_slot(s, v, gpa);
		struct scn_gmem_shadow *g;
		uint64_t off;

		if (chunk > n)
			chunk = n;
		if (!sl)
			break;
		off = sl->off + (gpa - sl->gpa);
		g = gmem_shadow(s, sl->f);
		if (gmem_is_private(sl->f, off))
			ret = g ? shadow_record(&g->sh, off, buf, chunk) : 0;
		else
			ret = for_each_host_mapping(s, sl->f, off, chunk,
						    host_record,
						    (void *)buf);
		gpa += chunk;
		buf += chunk;
		n -= chunk;
	}
	return ret ? no_memory(s) : SCN_OK;
}

int scn_do_vcpu(struct scenario *s, struct scn_args *a)
{
	const char *op = a->words[1];
	unsigned char *buf = NULL;
	struct scn_vm *v;
	uint64_t gpa, len;
	size_t n;
	int ret;

	if (!(v = scn_find_vm(s, a->words[0])))
		return SCN_USAGE;
	if ((ret = scn_parse_size(s, "the GPA", a->words[2], &gpa)))
		return ret;
	if (!strcmp(op, "write")) {
		if ((ret = scn_parse_data(s, a->words[3], &buf, &n)))
			return ret;
		ret = foliage_vm_access(v->vm, gpa, buf, n, true);
		if (!ret)
			ret = vcpu_shadow(s, v, gpa, buf, n);
		else
			ret = scn_lib_error(s, ret, NULL);
		free(buf);
		return ret;
	}
	if (strcmp(op, "read"))
		return scn_usage(s, "vcpu: expected 'read' or 'write', not '%s'",
				 op);
	if ((ret = scn_parse_size(s, "the length", a->words[3], &len)))
		return ret;
	if (len > VCPU_MAX)
		return scn_usage(s, "vcpu: at most 64M at once");
	buf = malloc(len ? len : 1);
	if (!buf)
		return no_memory(s);
	ret = foliage_vm_access(v->vm, gpa, buf, len, false);
	free(s->read.buf);
	s->read = (struct scn_read){ s->line, ret, gpa, ret ? 0 : len,
				     ret ? NULL : buf };
	if (ret) {
		free(buf);
		return scn_lib_error(s, ret, NULL);
	}
	return SCN_OK;
}

/* ---- show gmem NAME, show vm NAME ---- */

static int gmem_text(struct scn_file *f, char **out)
{
	struct foliage_gmem_stat st;
	uint64_t start, end;
	unsigned long i;
	size_t size = 0;
	FILE *mem;
	bool priv;
	int ret;

	ret = foliage_gmem_stat(f->file, &st);
	if (ret)
		return ret;
	mem = open_memstream(out, &size);
	if (!mem)
		return -ENOMEM;
	fprintf(mem, "gmem %s: size %llu flags %s%s%s backing %s\n", f->name,
		(unsigned long long)st.bytes,
		st.flags ? "" : "none",
		st.flags & FOLIAGE_GMEM_FLAG_MMAP ? "mmap" : "",
		st.flags & FOLIAGE_GMEM_FLAG_INIT_SHARED ?
		(st.flags & FOLIAGE_GMEM_FLAG_MMAP ? ",init_shared" :
		 "init_shared") : "",
		st.huge_bytes == (1ULL << 30) ? "1G" :
		st.huge_bytes ? "2M" : "4K");
	fprintf(mem, "ranges: %lu\n", st.nr_ranges);
	for (i = 0; !foliage_gmem_range(f->file, i, &start, &end, &priv); i++)
		fprintf(mem, "  0x%llx-0x%llx %s\n", (unsigned long long)start,
			(unsigned long long)end, priv ? "private" : "shared");
	fprintf(mem, "private_pages: %lu\n", st.nr_private_pages);
	fprintf(mem, "pages_cached: %lu\n", st.nr_pages_cached);
	fprintf(mem, "folios:");
	for (i = 0; i <= FOLIAGE_GMEM_MAX_ORDER; i++)
		if (st.nr_folios[i])
			fprintf(mem, " order%lu=%lu", i, st.nr_folios[i]);
	fprintf(mem, "\n");
	fprintf(mem, "resv_huge_pages: %lu\n", st.resv_huge_pages);
	fprintf(mem, "invalidations: %lu\n", st.nr_invalidations);
	fprintf(mem, "conversions: %lu\n", st.nr_conversions);
	fprintf(mem, "splits: %lu\n", st.nr_splits);
	fprintf(mem, "reconstructs: %lu\n", st.nr_reconstructs);
	fprintf(mem, "memslots: %lu\n", st.nr_memslots);
	return fclose(mem) ? -ENOMEM : 0;
}

static int vm_text(struct scn_vm *v, char **out)
{
	struct foliage_vm_stat st;
	size_t size = 0;
	FILE *mem;
	int ret;

	ret = foliage_vm_stat(v->vm, &st);
	if (ret)
		return ret;
	mem = open_memstream(out, &size);
	if (!mem)
		return -ENOMEM;
	fprintf(mem, "vm %s\nmemslots: %lu\nmmu_invalidations: %lu\n"
		"sptes_present: %lu\nsptes_installed: %lu\nsptes_zapped: %lu\n"
		"gmem_faults: %lu\n", v->name, st.nr_memslots,
		st.mmu_invalidations, st.sptes_present, st.sptes_installed,
		st.sptes_zapped, st.gmem_faults);
	return fclose(mem) ? -ENOMEM : 0;
}

int scn_show_gmem(struct scenario *s, struct scn_args *a)
{
	struct scn_show sh = { .what = a->words[0],
			       .pattern = scn_arg(a, "grep") };
	char *text = NULL;
	struct scn_file *f;
	struct scn_vm *v;
	int ret;

	if (a->nr_words < 2)
		return scn_usage(s, "show %s: which one? (usage: show %s NAME)",
				 sh.what, sh.what);
	if (a->nr_words > 2)
		sh.pattern = a->words[2];
	if (!strcmp(sh.what, "vm")) {
		if (!(v = scn_find_vm(s, a->words[1])) || !v->vm)
			return SCN_USAGE;
		ret = vm_text(v, &text);
	} else {
		if (!(f = scn_find_gmem(s, a->words[1])))
			return SCN_USAGE;
		ret = gmem_text(f, &text);
	}
	if (ret)
		return scn_fail(s, "show %s: %s", sh.what, scn_errstr(ret));
	ret = scn_show_print(s, &sh, text);
	free(text);
	return ret;
}

/* ---- expect gmem ---- */

/* The statistics 'expect gmem NAME STAT OP VALUE' knows. */
static bool gmem_stat_value(const struct foliage_gmem_stat *st,
			    const char *name, uint64_t *v)
{
	static const struct {
		const char *name;	/* as written */
		size_t off;		/* unsigned long in the stat */
	} stats[] = {
		{ "ranges", offsetof(struct foliage_gmem_stat, nr_ranges) },
		{ "private_pages",
		  offsetof(struct foliage_gmem_stat, nr_private_pages) },
		{ "pages_cached",
		  offsetof(struct foliage_gmem_stat, nr_pages_cached) },
		{ "resv_huge_pages",
		  offsetof(struct foliage_gmem_stat, resv_huge_pages) },
		{ "invalidations",
		  offsetof(struct foliage_gmem_stat, nr_invalidations) },
		{ "conversions",
		  offsetof(struct foliage_gmem_stat, nr_conversions) },
		{ "splits", offsetof(struct foliage_gmem_stat, nr_splits) },
		{ "reconstructs",
		  offsetof(struct foliage_gmem_stat, nr_reconstructs) },
		{ "memslots", offsetof(struct foliage_gmem_stat, nr_memslots) },
	};
	unsigned int i;

	for (i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		if (!strcmp(stats[i].name, name)) {
			*v = *(const unsigned long *)((const char *)st +
						      stats[i].off);
			return true;
		}
	}
	return false;
}

/* expect gmem NAME RANGE private|shared */
static int expect_gmem_state(struct scenario *s, struct scn_file *f,
			     const char *range, const char *state)
{
	uint64_t off, len, start, end;
	bool want, priv;
	unsigned long i;
	int ret;

	if ((ret = scn_parse_file_range(s, range, &off, &len)))
		return ret;
	if (strcmp(state, "private") && strcmp(state, "shared"))
		return scn_usage(s, "expect gmem: expected 'private' or "
				 "'shared', not '%s'", state);
	want = state[0] == 'p';
	if (off + len > f->bytes)
		return scn_usage(s, "expect gmem: %s ends past %s's size "
				 "(%llu)", range, f->name,
				 (unsigned long long)f->bytes);
	for (i = 0; !foliage_gmem_range(f->file, i, &start, &end, &priv);
	     i++) {
		if (start < off + len && off < end && priv != want)
			return scn_fail(s, "expect failed: gmem %s %s: "
					"[0x%llx, 0x%llx) is %s", f->name,
					range,
					(unsigned long long)
					(start > off ? start : off),
					(unsigned long long)
					(end < off + len ? end : off + len),
					priv ? "private" : "shared");
	}
	return SCN_OK;
}

/*
 * expect gmem NAME shadow: every byte the guest wrote into a page that is
 * private reads back through a vCPU of a memslot over it (zeros where a
 * punch passed).
 */
static int expect_gmem_shadow(struct scenario *s, struct scn_file *f)
{
	struct scn_gmem_shadow *g = gmem_shadow(s, f);
	unsigned char got[SHADOW_PAGE_SIZE];
	struct shadow_page *p;
	unsigned int i;

	if (!g)
		return SCN_OK;
	for (p = shadow_first(&g->sh); p; p = shadow_next(&g->sh, p)) {
		struct scn_slot *sl = NULL;

		for (i = 0; s->kvm && i < s->kvm->nr_slots; i++) {
			struct scn_slot *c = &s->kvm->slots[i];

			if (c->f == f && p->addr >= c->off &&
			    p->addr - c->off < c->bytes &&
			    s->kvm->vms[c->vm_idx].vm)
				sl = c;
		}
		if (!sl)
			continue;	/* no vCPU reaches it */
		if (foliage_vm_access(s->kvm->vms[sl->vm_idx].vm,
				      sl->gpa + (p->addr - sl->off), got,
				      sizeof(got), false))
			return scn_fail(s, "expect failed: gmem %s shadow: "
					"the vCPU cannot read offset 0x%lx",
					f->name, p->addr);
		if (!shadow_page_matches(p, got))
			return scn_fail(s, "expect failed: gmem %s shadow: "
					"page at offset 0x%lx differs from what "
					"the guest wrote", f->name, p->addr);
	}
	return SCN_OK;
}

int scn_expect_gmem(struct scenario *s, struct scn_args *a)
{
	const char *order_s = scn_arg(a, "order");
	struct foliage_gmem_stat st;
	struct scn_file *f;
	unsigned int order;
	struct scn_cmp c;
	char what[96];
	uint64_t v;
	int ret;

	if (!(f = scn_find_gmem(s, a->words[1])))
		return SCN_USAGE;
	if (a->nr_words == 3 && !strcmp(a->words[2], "shadow"))
		return expect_gmem_shadow(s, f);
	if (a->nr_words == 4 && !order_s)
		return expect_gmem_state(s, f, a->words[2], a->words[3]);
	if (a->nr_words != 5)
		return scn_usage(s, "expect gmem: usage: expect gmem NAME RANGE "
				 "private|shared | expect gmem NAME folios "
				 "order=N OP COUNT | expect gmem NAME STAT OP "
				 "VALUE | expect gmem NAME shadow");
	if ((ret = scn_parse_cmp(s, a->words[3], a->words[4], &c)))
		return ret;
	ret = foliage_gmem_stat(f->file, &st);
	if (ret)
		return scn_fail(s, "expect gmem: %s", scn_errstr(ret));
	if (!strcmp(a->words[2], "folios")) {
		if (!order_s)
			return scn_usage(s, "expect gmem: folios needs order=N");
		if ((ret = scn_parse_uint(s, "order=", order_s, 0,
					  FOLIAGE_GMEM_MAX_ORDER, &order)))
			return ret;
		snprintf(what, sizeof(what), "gmem %s folios order=%u",
			 f->name, order);
		return scn_check_cmp(s, what, &c, st.nr_folios[order]);
	}
	if (order_s)
		return scn_usage(s, "expect gmem: order= goes with 'folios'");
	if (!gmem_stat_value(&st, a->words[2], &v))
		return scn_usage(s, "expect gmem: unknown statistic '%s' "
				 "(folios, ranges, private_pages, pages_cached, "
				 "resv_huge_pages, invalidations, conversions, "
				 "splits, reconstructs, memslots)", a->words[2]);
	snprintf(what, sizeof(what), "gmem %s %s", f->name, a->words[2]);
	return scn_check_cmp(s, what, &c, v);
}
