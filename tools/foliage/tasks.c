// SPDX-License-Identifier: GPL-2.0
/*
 * Address spaces in the scenario language: the names a scenario gives its
 * tasks, files and mappings, the values that designate memory (ADDR,
 * RANGE, PROT, DATA), errno names, and reading a task's maps and smaps
 * back into VMAs for 'expect' and the shadow oracle.
 *
 * Names of tasks, files and mappings are unique in a scenario: one stays
 * taken after its task exits, its file is closed or its mapping is
 * unmapped, so that a message can still say what it was (and a mapping's
 * name still designates its addresses).  They are also
 * distinct from the names of allocations.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* Errors */

const char *scn_errname(int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err < 0 ? -err : err);

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err < 0 ? -err : err);
	return buf;
}

int scn_parse_errno(struct scenario *s, const char *str, int *err)
{
	int e;

	if (str[0] == '-' && str[1] == 'E') {
		for (e = 1; e < 4096; e++) {
			const char *name = strerrorname_np(e);

			if (name && !strcmp(name, str + 1)) {
				*err = -e;
				return SCN_OK;
			}
		}
	}
	return scn_usage(s, "%s: bad errno '%s' after '=>': expected a Linux "
			 "errno name with its minus sign, such as -ENOMEM",
			 s->verb, str);
}

int scn_lib_error(struct scenario *s, int err, const char *detail)
{
	if (s->want_err == err) {
		s->got_err = true;
		return SCN_OK;
	}
	if (s->want_err)
		return scn_fail(s, "%s: %s (-%s)%s, expected -%s", s->verb,
				scn_errstr(err), scn_errname(err),
				detail ? detail : "", scn_errname(s->want_err));
	return scn_fail(s, "%s: %s (-%s)%s", s->verb, scn_errstr(err),
			scn_errname(err), detail ? detail : "");
}

/* Names */

/*
 * Append a zeroed object of @size to the array *@arr of *@nr pointers; its
 * capacity is the next power of two, so no separate count is kept.
 */
static void *vec_push(void *arr, unsigned int *nr, size_t size)
{
	void ***vec = arr;
	void *obj;

	if (!(*nr & (*nr - 1))) {
		void **n = realloc(*vec, (*nr ? 2 * *nr : 1) * sizeof(*n));

		if (!n)
			return NULL;
		*vec = n;
	}
	obj = calloc(1, size);
	if (obj)
		(*vec)[(*nr)++] = obj;
	return obj;
}

static struct scn_task *find_task(struct scenario *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_tasks; i++)
		if (!strcmp(s->tasks[i]->name, name))
			return s->tasks[i];
	return NULL;
}

static struct scn_file *find_file(struct scenario *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_files; i++)
		if (!strcmp(s->files[i]->name, name))
			return s->files[i];
	return NULL;
}

static struct scn_map *find_map(struct scenario *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_maps; i++)
		if (!strcmp(s->maps[i]->name, name))
			return s->maps[i];
	return NULL;
}

/* What @name names, and the line that named it; NULL if nothing. */
static const char *name_owner(struct scenario *s, const char *name,
			      unsigned int *line)
{
	struct scn_alloc *al;
	struct scn_task *t;
	struct scn_file *f;
	struct scn_map *mp;

	if ((t = find_task(s, name))) {
		*line = t->line;
		return "task";
	}
	if ((f = find_file(s, name))) {
		*line = f->line;
		return "file";
	}
	if ((mp = find_map(s, name))) {
		*line = mp->line;
		return "mapping";
	}
	if ((al = scn_find(s, name))) {
		*line = al->line;
		return "allocation";
	}
	return scn_gmem_name_owner(s, name, line);
}

const char *scn_name_owner(struct scenario *s, const char *name)
{
	unsigned int line;

	return name_owner(s, name, &line);
}

int scn_check_new_name(struct scenario *s, const char *name)
{
	unsigned int line = 0;
	const char *owner;

	if (!scn_valid_name(name))
		return scn_usage(s, "%s: bad name '%s': a letter or '_', then "
				 "letters, digits, '_', '.', '-'", s->verb, name);
	if (scn_expect_subject(name))
		return scn_usage(s, "%s: '%s' is a word of 'expect', not a name",
				 s->verb, name);
	owner = name_owner(s, name, &line);
	if (owner)
		return scn_usage(s, "%s: duplicate name '%s': it names the %s "
				 "of line %u", s->verb, name, owner, line);
	return SCN_OK;
}

/* "unknown task 'X'" or "'X' is a file, not a task". */
static void not_a(struct scenario *s, const char *name, const char *kind)
{
	const char *owner = scn_name_owner(s, name);

	if (owner)
		scn_usage(s, "%s: '%s' is a%s %s, not a %s", s->verb, name,
			  strchr("aeiou", owner[0]) ? "n" : "", owner, kind);
	else
		scn_usage(s, "%s: unknown %s '%s'", s->verb, kind, name);
}

struct scn_task *scn_find_task(struct scenario *s, const char *name)
{
	struct scn_task *t = find_task(s, name);

	if (!t) {
		not_a(s, name, "task");
		return NULL;
	}
	if (!t->task) {
		scn_usage(s, "%s: task '%s' exited at line %u", s->verb, name,
			  t->line);
		return NULL;
	}
	return t;
}

struct scn_file *scn_find_file(struct scenario *s, const char *name)
{
	struct scn_file *f = find_file(s, name);

	if (!f) {
		not_a(s, name, "file");
		return NULL;
	}
	if (!f->file) {
		scn_usage(s, "%s: file '%s' was closed at line %u", s->verb,
			  name, f->line);
		return NULL;
	}
	return f;
}

struct scn_task *scn_new_task(struct scenario *s, const char *name)
{
	struct scn_task *t = vec_push(&s->tasks, &s->nr_tasks, sizeof(*t));

	if (!t)
		return NULL;
	t->name = strdup(name);
	t->line = s->line;
	shadow_init(&t->shadow);
	if (!t->name) {
		scn_forget_task(s);
		return NULL;
	}
	return t;
}

void scn_forget_task(struct scenario *s)
{
	struct scn_task *t = s->tasks[--s->nr_tasks];

	shadow_destroy(&t->shadow);
	free(t->name);
	free(t);
}

struct scn_file *scn_new_file(struct scenario *s, const char *name)
{
	struct scn_file *f = vec_push(&s->files, &s->nr_files, sizeof(*f));

	if (!f)
		return NULL;
	f->name = strdup(name);
	f->line = s->line;
	if (!f->name) {
		scn_forget_file(s);
		return NULL;
	}
	return f;
}

void scn_forget_file(struct scenario *s)
{
	struct scn_file *f = s->files[--s->nr_files];

	free(f->name);
	free(f);
}

struct scn_map *scn_new_map(struct scenario *s, const char *name)
{
	struct scn_map *mp = vec_push(&s->maps, &s->nr_maps, sizeof(*mp));

	if (!mp)
		return NULL;
	mp->name = strdup(name);
	mp->line = s->line;
	if (!mp->name) {
		scn_forget_map(s);
		return NULL;
	}
	return mp;
}

void scn_forget_map(struct scenario *s)
{
	struct scn_map *mp = s->maps[--s->nr_maps];

	free(mp->name);
	free(mp);
}

int scn_teardown(struct scenario *s, bool quiet)
{
	int ret = SCN_OK, err;
	unsigned int i;

	scn_gmem_teardown(s);
	/* Children first: the reverse of creation. */
	for (i = s->nr_tasks; i-- > 0;) {
		struct scn_task *t = s->tasks[i];

		if (!t->task)
			continue;
		err = foliage_exit(t->task);
		t->task = NULL;
		shadow_destroy(&t->shadow);
		if (err && !quiet && !ret)
			ret = scn_fail(s, "at the end: exit %s: %s (-%s)",
				       t->name, scn_errstr(err),
				       scn_errname(err));
	}
	for (i = 0; i < s->nr_files; i++) {
		if (s->files[i]->file)
			foliage_file_put(s->files[i]->file);
		s->files[i]->file = NULL;
	}
	return ret;
}

void scn_free_spaces(struct scenario *s)
{
	scn_gmem_free(s);
	while (s->nr_tasks)
		scn_forget_task(s);
	while (s->nr_files)
		scn_forget_file(s);
	while (s->nr_maps)
		scn_forget_map(s);
	free(s->tasks);
	free(s->files);
	free(s->maps);
	free(s->read.buf);
	scn_action_clear(s);
	s->tasks = NULL;
	s->files = NULL;
	s->maps = NULL;
	s->read.buf = NULL;
}

/* Values */

/* 0xHEX: a whole word of hex digits after 0x. */
static bool parse_hex(const char *str, unsigned long *out)
{
	unsigned long long v;
	char *end;

	if (str[0] != '0' || (str[1] != 'x' && str[1] != 'X') ||
	    !isxdigit((unsigned char)str[2]))
		return false;
	errno = 0;
	v = strtoull(str + 2, &end, 16);
	if (errno || *end || v > ~0UL)
		return false;
	*out = v;
	return true;
}

int scn_parse_addr(struct scenario *s, const char *what, const char *str,
		   unsigned long *addr)
{
	const char *plus = strchr(str, '+');
	uint64_t off = 0;
	struct scn_map *mp;
	char name[72];
	size_t len;
	int ret;

	if (parse_hex(str, addr))
		return SCN_OK;
	len = plus ? (size_t)(plus - str) : strlen(str);
	if (!len || len >= sizeof(name) || isdigit((unsigned char)*str))
		return scn_usage(s, "%s: bad address '%s' for %s: expected "
				 "0xHEX, NAME or NAME+OFF", s->verb, str, what);
	memcpy(name, str, len);
	name[len] = '\0';
	mp = find_map(s, name);
	if (!mp) {
		not_a(s, name, "mapping");
		return SCN_USAGE;
	}
	if (plus && (ret = scn_parse_size(s, "an offset", plus + 1, &off)))
		return ret;
	if (mp->start + off < mp->start)
		return scn_usage(s, "%s: address %s is out of range", s->verb,
				 str);
	*addr = mp->start + off;
	return SCN_OK;
}

int scn_parse_range(struct scenario *s, const char *str, struct scn_range *r)
{
	const char *colon = strchr(str, ':');
	char addr[80];
	uint64_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!colon) {
		struct scn_map *mp = find_map(s, str);

		if (strchr(str, '+') || parse_hex(str, &r->start))
			return scn_usage(s, "%s: bad range '%s': expected NAME, "
					 "NAME+OFF:LEN or ADDR:LEN", s->verb,
					 str);
		if (!mp) {
			not_a(s, str, "mapping");
			return SCN_USAGE;
		}
		ret = scn_parse_addr(s, "a range", str, &r->start);
		if (ret)
			return ret;
		r->len = mp->len;
		r->map = mp;
		return SCN_OK;
	}
	if ((size_t)(colon - str) >= sizeof(addr))
		return scn_usage(s, "%s: bad range '%s'", s->verb, str);
	memcpy(addr, str, colon - str);
	addr[colon - str] = '\0';
	if ((ret = scn_parse_addr(s, "a range", addr, &r->start)) ||
	    (ret = scn_parse_size(s, "a length", colon + 1, &len)))
		return ret;
	if (r->start + len < r->start || len > ~0UL)
		return scn_usage(s, "%s: range %s wraps around", s->verb, str);
	r->len = len;
	return SCN_OK;
}

int scn_parse_prot(struct scenario *s, const char *str, int *prot)
{
	const char *p;
	int bit;

	*prot = FOLIAGE_PROT_NONE;
	if (!strcmp(str, "none"))
		return SCN_OK;
	for (p = str; *p; p++) {
		switch (*p) {
		case 'r':
			bit = FOLIAGE_PROT_READ;
			break;
		case 'w':
			bit = FOLIAGE_PROT_WRITE;
			break;
		case 'x':
			bit = FOLIAGE_PROT_EXEC;
			break;
		default:
			bit = 0;
		}
		if (!bit || (*prot & bit))
			goto bad;
		*prot |= bit;
	}
	if (p != str)
		return SCN_OK;
bad:
	return scn_usage(s, "%s: bad protection '%s': 'none', or some of r, w "
			 "and x (r, rw, rx, rwx...)", s->verb, str);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int scn_parse_data(struct scenario *s, const char *str, unsigned char **buf,
		   size_t *len)
{
	bool hex = str[0] == '0' && (str[1] == 'x' || str[1] == 'X');
	const char *p = hex ? str + 2 : str;
	size_t n = hex ? strlen(p) / 2 : strlen(p), i;

	if (hex && (!*p || strlen(p) % 2))
		goto bad;
	*buf = malloc(n ? n : 1);
	if (!*buf)
		return scn_fail(s, "%s: out of memory", s->verb);
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (!hex) {
			(*buf)[i] = p[i];
			continue;
		}
		hi = hex_digit(p[2 * i]);
		lo = hex_digit(p[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(*buf);
			goto bad;
		}
		(*buf)[i] = hi << 4 | lo;
	}
	*len = n;
	return SCN_OK;
bad:
	return scn_usage(s, "%s: bad data '%s': 0x and pairs of hex digits "
			 "(0x414243), or a word of text", s->verb, str);
}

/* maps and smaps */

/* "start-end perms offset major:minor inode   path" */
static bool parse_vma_line(char *line, struct scn_vma *v)
{
	int at = 0;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%lx-%lx %4s %llx %x:%x %lu%n", &v->start, &v->end,
		   v->perms, &v->offset, &v->dev_major, &v->dev_minor,
		   &v->inode, &at) != 7 || strlen(v->perms) != 4)
		return false;
	v->path = line + at + strspn(line + at, " ");
	return true;
}

/*
 * "maps" as numbers from foliage_task_vmas(): no text to parse.  The
 * columns are what Linux's show_map_vma() prints for them (the offset and
 * device of a file only).  text is "" so that a read maps is non-NULL.
 */
static int scn_vmas_read(struct scenario *s, struct scn_task *t,
			 struct scn_maps *maps)
{
	struct foliage_vma *fv = NULL, *n;
	unsigned int max = 0, nr, i;
	int ret;

	for (;;) {
		ret = foliage_task_vmas(t->task, fv, max, &nr);
		if (ret || nr <= max)
			break;
		n = realloc(fv, nr * sizeof(*fv));
		if (!n) {
			ret = -ENOMEM;
			break;
		}
		fv = n;
		max = nr;
	}
	if (!ret) {
		maps->text = strdup("");
		maps->vma = calloc(nr + 1, sizeof(*maps->vma));
		if (!maps->text || !maps->vma)
			ret = -ENOMEM;
	}
	for (i = 0; !ret && i < nr; i++) {
		struct scn_vma *v = &maps->vma[i];
		unsigned long f = fv[i].flags;

		v->start = fv[i].start;
		v->end = fv[i].end;
		v->perms[0] = f & FOLIAGE_VM_READ ? 'r' : '-';
		v->perms[1] = f & FOLIAGE_VM_WRITE ? 'w' : '-';
		v->perms[2] = f & FOLIAGE_VM_EXEC ? 'x' : '-';
		v->perms[3] = f & FOLIAGE_VM_MAYSHARE ? 's' : 'p';
		v->inode = fv[i].ino;
		if (v->inode) {
			v->offset = (unsigned long long)fv[i].pgoff *
				    FOLIAGE_PAGE_SIZE;
			v->dev_major = fv[i].dev_major;
			v->dev_minor = fv[i].dev_minor;
		}
		v->path = "";
		maps->nr_vma++;
	}
	free(fv);
	if (ret) {
		scn_maps_free(maps);
		return ret == -ENOMEM ? scn_fail(s, "%s: out of memory", s->verb) :
			scn_fail(s, "%s: cannot list the VMAs of %s: %s (-%s)",
				 s->verb, t->name, scn_errstr(ret),
				 scn_errname(ret));
	}
	return SCN_OK;
}

int scn_maps_read(struct scenario *s, struct scn_task *t, const char *what,
		  struct scn_maps *maps)
{
	unsigned int i;
	char *p;
	int ret;

	memset(maps, 0, sizeof(*maps));
	if (!strcmp(what, "maps"))
		return scn_vmas_read(s, t, maps);
	ret = foliage_render_task(t->task, what, 0, &maps->text);
	if (ret)
		return scn_fail(s, "%s: cannot render %s of %s: %s (-%s)",
				s->verb, what, t->name, scn_errstr(ret),
				scn_errname(ret));
	for (p = maps->text; *p; p++)
		maps->nr_lines += *p == '\n';
	maps->lines = calloc(maps->nr_lines + 1, sizeof(*maps->lines));
	maps->vma = calloc(maps->nr_lines + 1, sizeof(*maps->vma));
	if (!maps->lines || !maps->vma) {
		scn_maps_free(maps);
		return scn_fail(s, "%s: out of memory", s->verb);
	}
	maps->nr_lines = 0;
	for (p = maps->text; *p;) {
		char *end = strchr(p, '\n');

		if (end)
			*end = '\0';
		maps->lines[maps->nr_lines++] = p;
		p = end ? end + 1 : p + strlen(p);
	}
	for (i = 0; i < maps->nr_lines; i++) {
		struct scn_vma *v = &maps->vma[maps->nr_vma];

		if (parse_vma_line(maps->lines[i], v)) {
			v->fields = &maps->lines[i + 1];
			maps->nr_vma++;
		} else if (maps->nr_vma) {
			maps->vma[maps->nr_vma - 1].nr_fields++;
		}
	}
	return SCN_OK;
}

void scn_maps_free(struct scn_maps *maps)
{
	free(maps->text);
	free(maps->lines);
	free(maps->vma);
	memset(maps, 0, sizeof(*maps));
}

struct scn_vma *scn_maps_find(struct scn_maps *maps, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < maps->nr_vma; i++)
		if (maps->vma[i].start <= addr && addr < maps->vma[i].end)
			return &maps->vma[i];
	return NULL;
}

const char *scn_vma_field(const struct scn_vma *v, const char *field)
{
	size_t len = strlen(field);
	unsigned int i;

	for (i = 0; i < v->nr_fields; i++)
		if (!strncmp(v->fields[i], field, len) &&
		    v->fields[i][len] == ':')
			return v->fields[i];
	return NULL;
}

bool scn_vma_has_flag(const struct scn_vma *v, const char *mnemonic)
{
	const char *line = scn_vma_field(v, "VmFlags");
	size_t len = strlen(mnemonic);

	if (!line)
		return false;
	for (line += strlen("VmFlags:"); *(line += strspn(line, " "));
	     line += strcspn(line, " "))
		if (!strncmp(line, mnemonic, len) &&
		    (line[len] == ' ' || !line[len]))
			return true;
	return false;
}
