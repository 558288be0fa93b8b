// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario runner: reading lines, cutting them into words and
 * KEY=VALUE pairs, checking them against the verb table, parsing values,
 * and the table of names a scenario gives its allocations.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scenario.h"

void scenario_init(struct scenario *s, const char *file, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->file = file;
	s->out = out;
	foliage_config_init(&s->config);
}

void scenario_destroy(struct scenario *s)
{
	unsigned int i;

	if (s->m) {
		scn_teardown(s, true);
		foliage_machine_destroy(s->m);
	}
	scn_free_spaces(s);
	for (i = 0; i < s->nr_allocs; i++)
		free(s->allocs[i].name);
	free(s->allocs);
	for (i = 0; i < s->nr_mark; i++)
		free(s->mark[i].name);
	free(s->mark);
	free(s->status);	/* as_numa.c */
	memset(s, 0, sizeof(*s));
}

/*
 * Write @msg to @f with every byte that is not printable ASCII escaped
 * (\t, \r, \xNN), so quoted input cannot hide or rewrite a message: a
 * BOM, a form feed or a carriage return shows as what it is.
 */
static void fputs_escaped(const char *msg, FILE *f)
{
	const unsigned char *p;

	for (p = (const unsigned char *)msg; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p == '\r')
			fputs("\\r", f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

static int scn_vmsg(struct scenario *s, int status, const char *fmt,
		    va_list ap)
{
	char *msg = NULL;

	if (s->quiet)
		return status;
	fflush(s->out);
	fputs_escaped(s->file, stderr);
	fprintf(stderr, ":%u: ", s->line);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	fputs_escaped(msg ? msg : "(out of memory)", stderr);
	free(msg);
	fputc('\n', stderr);
	return status;
}

FILE *scn_note(struct scenario *s)
{
	if (!s->json)
		return s->out;
	fflush(s->out);
	return stderr;
}

int scn_usage(struct scenario *s, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = scn_vmsg(s, SCN_USAGE, fmt, ap);
	va_end(ap);
	return ret;
}

int scn_fail(struct scenario *s, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = scn_vmsg(s, SCN_FAIL, fmt, ap);
	va_end(ap);
	return ret;
}

const char *scn_errstr(int err)
{
	return strerror(err < 0 ? -err : err);
}

/* Values */

int scn_parse_u64(struct scenario *s, const char *what, const char *str,
		  uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*str))
		goto bad;
	v = strtoull(str, &end, 0);
	if (errno || *end)
		goto bad;
	if (v < min || v > max)
		return scn_usage(s, "%s: %s %s is out of range (%llu..%llu)",
				 s->verb, what, str, (unsigned long long)min,
				 (unsigned long long)max);
	*out = v;
	return 0;
bad:
	return scn_usage(s, "%s: bad number '%s' for %s", s->verb, str, what);
}

/*
 * A numeric command-line option: decimal or 0x hex digits only (no sign,
 * no blanks), within [@min, @max]; a message naming @cmd and @opt
 * otherwise.  Returns 0 or SCN_USAGE.
 */
int cli_parse_number(const char *cmd, const char *opt, const char *arg,
		     unsigned long long min, unsigned long long max,
		     unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*arg))
		goto bad;
	v = strtoull(arg, &end, 0);
	if (errno || *end)
		goto bad;
	if (v < min || v > max) {
		fprintf(stderr, "foliage %s: %s %s is out of range (%llu..%llu)\n",
			cmd, opt, arg, min, max);
		return SCN_USAGE;
	}
	*out = v;
	return 0;
bad:
	fprintf(stderr, "foliage %s: %s takes a number (%llu..%llu), not '%s'\n",
		cmd, opt, min, max, arg);
	return SCN_USAGE;
}

int scn_parse_uint(struct scenario *s, const char *what, const char *str,
		   unsigned int min, unsigned int max, unsigned int *out)
{
	uint64_t v = 0;
	int ret = scn_parse_u64(s, what, str, min, max, &v);

	if (!ret)
		*out = v;
	return ret;
}

/*
 * A number of bytes with an optional binary suffix: 64M, 2G, 4096; or
 * 0x hex without a suffix: 0x3000.
 */
int scn_parse_size(struct scenario *s, const char *what, const char *str,
		   uint64_t *bytes)
{
	static const char suffixes[] = "KMGT";
	bool hex = str[0] == '0' && (str[1] == 'x' || str[1] == 'X');
	unsigned long long v;
	const char *p;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)*str) ||
	    (hex && !isxdigit((unsigned char)str[2])))
		goto bad;
	v = strtoull(hex ? str + 2 : str, &end, hex ? 16 : 10);
	if (errno || (hex && *end))
		goto bad;
	if (*end) {
		p = strchr(suffixes, toupper((unsigned char)*end));
		if (!p || end[1])
			goto bad;
		shift = 10 * (p - suffixes + 1);
	}
	if (shift && v > (~0ULL >> shift))
		goto bad;
	*bytes = (uint64_t)v << shift;
	return 0;
bad:
	return scn_usage(s, "%s: bad size '%s' for %s: expected bytes with an "
			 "optional K, M, G or T suffix (e.g. 64M), or 0x hex",
			 s->verb, str,
			 what);
}

int scn_parse_bool(struct scenario *s, const char *what, const char *str,
		   bool *out)
{
	if (!strcmp(str, "1") || !strcmp(str, "y") || !strcmp(str, "Y")) {
		*out = true;
		return 0;
	}
	if (!strcmp(str, "0") || !strcmp(str, "n") || !strcmp(str, "N")) {
		*out = false;
		return 0;
	}
	return scn_usage(s, "%s: bad value '%s' for %s: expected 0 or 1",
			 s->verb, str, what);
}

int scn_parse_file_range(struct scenario *s, const char *str, uint64_t *off,
			 uint64_t *len)
{
	const char *colon = strchr(str, ':');
	char offstr[32];
	int ret;

	if (!colon || colon == str || (size_t)(colon - str) >= sizeof(offstr))
		return scn_usage(s, "%s: bad range '%s': expected OFF:LEN, "
				 "sizes with K/M/G suffixes or 0x hex "
				 "(e.g. 0:2M)", s->verb, str);
	memcpy(offstr, str, colon - str);
	offstr[colon - str] = '\0';
	ret = scn_parse_size(s, "the range's offset", offstr, off);
	if (!ret)
		ret = scn_parse_size(s, "the range's length", colon + 1, len);
	if (ret)
		return ret;
	if (!*len)
		return scn_usage(s, "%s: empty range '%s'", s->verb, str);
	if (*off > (uint64_t)INT64_MAX || *len > (uint64_t)INT64_MAX - *off)
		return scn_usage(s, "%s: range '%s' ends past the largest file "
				 "offset (2^63 - 1)", s->verb, str);
	return 0;
}

int scn_parse_byte(struct scenario *s, const char *what, const char *str,
		   unsigned char *out)
{
	uint64_t v = 0;
	int ret = scn_parse_u64(s, what, str, 0, 255, &v);

	if (!ret)
		*out = v;
	return ret;
}

/* Linux's spellings joined by '|'; the message names the part it rejects. */
int scn_parse_gfp(struct scenario *s, const char *str, unsigned int *gfp)
{
	const char *p = str;
	unsigned int part_gfp;
	char part[64];

	if (!foliage_gfp_parse(str, gfp))
		return 0;
	for (;;) {
		size_t len = strcspn(p, "|");

		if (len && len < sizeof(part)) {
			memcpy(part, p, len);
			part[len] = '\0';
		}
		if (!len || len >= sizeof(part) ||
		    foliage_gfp_parse(part, &part_gfp))
			return scn_usage(s, "%s: bad gfp flag '%.*s' in '%s' "
					 "(Linux's names: GFP_KERNEL, __GFP_ZERO, "
					 "...)", s->verb, (int)len, p, str);
		if (!p[len])
			break;
		p += len + 1;
	}
	return scn_usage(s, "%s: bad gfp flags '%s'", s->verb, str);
}

const char *scn_arg(struct scn_args *a, const char *key)
{
	unsigned int i;

	for (i = 0; i < a->nr_kvs; i++) {
		if (!strcmp(a->kvs[i].key, key))
			return a->kvs[i].value;
	}
	return NULL;
}

/* Names */

bool scn_valid_name(const char *name)
{
	const char *p = name;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return false;
	for (p++; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return p - name <= 64;
}

struct scn_alloc *scn_find(struct scenario *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_allocs; i++)
		if (!strcmp(s->allocs[i].name, name))
			return &s->allocs[i];
	return NULL;
}

struct scn_alloc *scn_find_live(struct scenario *s, const char *name)
{
	struct scn_alloc *al = scn_find(s, name);

	if (!al) {
		scn_usage(s, "%s: unknown name '%s'", s->verb, name);
		return NULL;
	}
	switch (al->state) {
	case ALLOC_LIVE:
		return al;
	case ALLOC_FAILED:
		scn_usage(s, "%s: '%s' holds no pages: its allocation at "
			  "line %u failed", s->verb, name, al->line);
		return NULL;
	case ALLOC_FREED:
		scn_usage(s, "%s: '%s' was freed at line %u", s->verb, name,
			  al->line);
		return NULL;
	}
	return NULL;
}

struct scn_alloc *scn_new_alloc(struct scenario *s, const char *name)
{
	struct scn_alloc *al = scn_find(s, name);

	if (al)
		return al;
	if (s->nr_allocs == s->allocs_cap) {
		unsigned int cap = s->allocs_cap ? 2 * s->allocs_cap : 16;
		struct scn_alloc *n = realloc(s->allocs, cap * sizeof(*n));

		if (!n)
			return NULL;
		s->allocs = n;
		s->allocs_cap = cap;
	}
	al = &s->allocs[s->nr_allocs];
	memset(al, 0, sizeof(*al));
	al->name = strdup(name);
	if (!al->name)
		return NULL;
	s->nr_allocs++;
	return al;
}

int scn_parse_name_byte(struct scenario *s, const char *name,
			const char *byte_str, struct scn_alloc **al,
			unsigned char *byte)
{
	*al = scn_find_live(s, name);
	if (!*al)
		return SCN_USAGE;
	return scn_parse_byte(s, "byte", byte_str, byte);
}

void *scn_page_virt(struct scenario *s, const struct scn_alloc *al,
		    unsigned long i)
{
	void *p = foliage_pfn_to_virt(s->m, al->pfn + i);

	if (!p)
		scn_fail(s, "%s %s: pfn 0x%lx has no memory", s->verb, al->name,
			 al->pfn + i);
	return p;
}

/* Lines */

static const struct scn_verb *find_verb(const char *name)
{
	unsigned int i;

	for (i = 0; i < scn_nr_verbs; i++)
		if (!strcmp(scn_verbs[i].name, name))
			return &scn_verbs[i];
	return NULL;
}

void scenario_print_verbs(FILE *f, const char *indent)
{
	unsigned int i;

	for (i = 0; i < scn_nr_verbs; i++)
		fprintf(f, "%s%s\n", indent, scn_verbs[i].usage);
}

/*
 * A key is what may stand before '=' in KEY=VALUE: not "==", "<=", ">=".
 * '/' is for sysfs names (transparent_hugepage.hugepages-64kB/enabled).
 */
static bool is_key(const char *word, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)word[i]) && !strchr("_.-/", word[i]))
			return false;
	return true;
}

/* Cut the verb off @line (comment already removed, not empty). */
static void tokenize(char *line, struct scn_args *a)
{
	char *p = line;

	memset(a, 0, sizeof(*a));
	a->verb = p;
	p += strcspn(p, " \t");
	if (*p)
		*p++ = '\0';
	p += strspn(p, " \t");
	a->rest = p;
}

static bool key_allowed(const char *keys, const char *key, size_t len)
{
	const char *p = keys;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n == len && !strncmp(p, key, len))
			return true;
		p += n;
		p += strspn(p, " ");
	}
	return false;
}

/*
 * Cut the text after the verb in place into words and KEY=VALUE pairs;
 * with SCN_VERB_WORD_EQ in @v's flags, only its keys make pairs.  The
 * words after 'expect SUBJECT' follow the subject's flags.
 */
static int tokenize_args(struct scenario *s, const struct scn_verb *v,
			 char *p, struct scn_args *a)
{
	while (*(p += strspn(p, " \t"))) {
		char *word = p, *eq;

		if (v && v->fn == scn_expect && a->nr_words == 1 &&
		    !a->nr_kvs && scn_expect_verb(a->words[0]))
			v = scn_expect_verb(a->words[0]);

		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
		if (a->nr_words + a->nr_kvs == SCN_MAX_WORDS)
			return scn_usage(s, "too many words (at most %d)",
					 SCN_MAX_WORDS);
		eq = strchr(word, '=');
		if (eq && v && (v->flags & SCN_VERB_WORD_EQ) &&
		    !key_allowed(v->keys, word, eq - word))
			eq = NULL;
		if (eq && is_key(word, eq - word)) {
			*eq = '\0';
			a->kvs[a->nr_kvs].key = word;
			a->kvs[a->nr_kvs].value = eq + 1;
			a->nr_kvs++;
		} else {
			a->words[a->nr_words++] = word;
		}
	}
	return SCN_OK;
}

int scn_check_usage(struct scenario *s, const struct scn_verb *v,
		    const struct scn_args *a)
{
	unsigned int i, j;

	if (a->nr_words < v->min_words)
		return scn_usage(s, "missing argument (usage: %s)", v->usage);
	if (a->nr_words > v->max_words)
		return scn_usage(s, "unexpected argument '%s' (usage: %s)",
				 a->words[v->max_words], v->usage);
	for (i = 0; i < a->nr_kvs; i++) {
		if (v->keys && !key_allowed(v->keys, a->kvs[i].key,
					    strlen(a->kvs[i].key)))
			return scn_usage(s, "unknown key '%s' (usage: %s)",
					 a->kvs[i].key, v->usage);
		for (j = 0; j < i; j++)
			if (!strcmp(a->kvs[i].key, a->kvs[j].key))
				return scn_usage(s, "%s= given twice (usage: %s)",
						 a->kvs[i].key, v->usage);
	}
	return SCN_OK;
}

static void unknown_verb(struct scenario *s, const char *verb)
{
	char list[1024];
	size_t n = 0;
	unsigned int i;

	list[0] = '\0';
	for (i = 0; i < scn_nr_verbs && n < sizeof(list); i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? " " : "",
			      scn_verbs[i].name);
	scn_usage(s, "unknown verb '%s' (verbs: %s)", verb, list);
}

/*
 * '=> -ERRNO' at the end of a line: the operation must fail with that
 * errno.  Take it off @a's words into s->want_err.
 */
static int take_want_err(struct scenario *s, const struct scn_verb *v,
			 struct scn_args *a)
{
	unsigned int i, n = a->nr_words;
	int ret;

	for (i = 0; i < n; i++)
		if (!strcmp(a->words[i], "=>"))
			break;
	if (i == n)
		return SCN_OK;
	if (!(v->flags & SCN_VERB_ERRNO))
		return scn_usage(s, "%s: '=> -ERRNO' is for the verbs that call "
				 "the library about tasks and memory", v->name);
	if (i != n - 2)
		return scn_usage(s, "%s: '=> -ERRNO' must end the line (usage: "
				 "%s [=> -ERRNO])", v->name, v->usage);
	ret = scn_parse_errno(s, a->words[n - 1], &s->want_err);
	if (ret)
		return ret;
	a->nr_words -= 2;
	return SCN_OK;
}

void scn_action_clear(struct scenario *s)
{
	free(s->action.data);
	s->action = (struct scn_action){ .kind = SCN_ACT_NONE };
}

/* Run one line (comment removed, not blank). */
static int run_line(struct scenario *s, char *line)
{
	const struct scn_verb *v;
	struct scn_args a;
	int ret;

	s->want_err = 0;
	s->got_err = false;
	scn_action_clear(s);
	tokenize(line, &a);
	s->verb = a.verb;
	v = find_verb(a.verb);
	if (!v && s->hooks && s->hooks->unknown_verb) {
		ret = tokenize_args(s, NULL, (char *)a.rest, &a);
		if (ret)
			return ret;
		ret = s->hooks->unknown_verb(s, &a);
		if (ret >= 0)
			return ret;
	}
	if (!v) {
		unknown_verb(s, a.verb);
		return SCN_USAGE;
	}
	if (!s->m && !(v->flags & SCN_VERB_BEFORE_MACHINE))
		return scn_usage(s, "%s: no machine yet: boot one first with "
				 "'%s'", v->name, find_verb("machine")->usage);
	if (!(v->flags & SCN_VERB_RAW)) {
		ret = tokenize_args(s, v, (char *)a.rest, &a);
		if (ret)
			return ret;
		ret = take_want_err(s, v, &a);
		if (ret)
			return ret;
		ret = scn_check_usage(s, v, &a);
		if (ret)
			return ret;
	}
	if (s->hooks && s->hooks->before) {
		ret = s->hooks->before(s, &a);
		if (ret)
			return ret;
	}
	/*
	 * --fail-nth checks each line's failures and the end, not the
	 * expects: failed attempts count events (faults, TLB flushes), and
	 * an operation that survives an injected failure (a populate that
	 * fails, a THP fault mapping small pages) changes what follows.
	 */
	if (s->fail_nth && v->fn == scn_expect)
		ret = SCN_OK;
	else if (s->fail_nth && s->m && (v->flags & SCN_VERB_ERRNO) &&
		 !s->want_err)
		ret = scn_fail_nth_line(s, v, &a);
	else
		ret = v->fn(s, &a);
	if (!ret && s->want_err && !s->got_err)
		ret = scn_fail(s, "%s succeeded, expected -%s", v->name,
			       scn_errname(s->want_err));
	if (s->hooks && s->hooks->after)
		ret = s->hooks->after(s, &a, ret);
	return ret;
}

/* Cut the comment and the surrounding blanks; NULL for an empty line. */
static char *trim_line(char *line)
{
	char *end;

	line[strcspn(line, "#")] = '\0';
	line += strspn(line, " \t");
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return *line ? line : NULL;
}

/*
 * Read the next line of @f into @buf (SCN_MAX_LINE bytes), without its
 * newline, and count it in s->line.  Only a CR right before the newline
 * is taken off (a file written on Windows); a NUL byte, a CR anywhere else
 * or a line longer than SCN_MAX_LINE is an error naming the line, never a
 * line cut short or run in pieces.  Returns 1 for a line, 0 at the end of
 * @f, or SCN_USAGE (negated) after printing why.
 */
static int read_line(struct scenario *s, FILE *f, char *buf)
{
	size_t len = 0;
	int c = EOF;

	for (;;) {
		c = getc(f);
		if (c == EOF || c == '\n')
			break;
		if (!c) {
			s->line++;
			return -scn_usage(s, "NUL byte at column %zu", len + 1);
		}
		if (len == SCN_MAX_LINE) {
			s->line++;
			return -scn_usage(s, "line too long (more than %d bytes)",
					  SCN_MAX_LINE);
		}
		buf[len++] = c;
	}
	if (c == EOF && (!len || ferror(f)))
		return 0;
	s->line++;
	if (len && buf[len - 1] == '\r' && c == '\n')
		len--;
	buf[len] = '\0';
	if (strchr(buf, '\r'))
		return -scn_usage(s, "carriage return at column %zu (only a "
				  "CR right before the newline is allowed)",
				  strcspn(buf, "\r") + 1);
	return 1;
}

static bool is_echo(const char *line)
{
	return !strncmp(line, "echo", 4) && strchr(" \t", line[4]);
}

int scenario_run(struct scenario *s, FILE *f)
{
	unsigned long bugs = 0;
	char *buf, *line;
	int ret = SCN_OK, got;

	buf = malloc(SCN_MAX_LINE + 1);
	if (!buf)
		return scn_usage(s, "out of memory");
	while ((got = read_line(s, f, buf)) > 0) {
		line = trim_line(buf);
		if (!line)
			continue;
		if (s->verbose && !is_echo(line))
			fprintf(scn_note(s), "> %s\n", line);
		if (s->report)
			report_add_line(s->report, s->line, line);
		ret = run_line(s, line);
		if (ret)
			break;
		if (s->m && foliage_bugs(s->m) > bugs) {
			ret = scn_fail(s, "BUG: %s", foliage_first_bug(s->m));
			break;
		}
		bugs = s->m ? foliage_bugs(s->m) : 0;
	}
	if (got < 0)
		ret = -got;
	if (!ret && ferror(f))
		ret = scn_usage(s, "read error: %s", strerror(errno));
	if (!ret && !s->m)
		ret = scn_usage(s, "no 'machine' in the scenario");
	/*
	 * Debug builds check after an operation only what it touched, and
	 * the whole machine every so often: walk it all once more here.
	 */
	if (!ret && s->m && foliage_debug_vm()) {
		int err = foliage_validate(s->m);

		/* A broken invariant is a bug, reported below. */
		if (err < 0 && foliage_bugs(s->m) == bugs)
			ret = scn_fail(s, "at the end: validation: %s",
				       strerror(-err));
	}
	/* Exit the tasks and close the files: their teardown is tested too. */
	if (!ret) {
		s->verb = "end";
		ret = scn_teardown(s, false);
		if (!ret && foliage_bugs(s->m) > bugs)
			ret = scn_fail(s, "at the end: BUG: %s",
				       foliage_first_bug(s->m));
		if (!ret && s->fail_nth)
			ret = scn_fail_nth_end(s);
	}
	free(buf);
	s->verb = NULL;
	fflush(s->out);
	return ret;
}
