/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario language of 'foliage run' (docs/scenario.md).
 *
 * A scenario is read one line at a time.  Each line is cut into words (a
 * '#' starts a comment); the first word is the verb, the rest are
 * positional words and KEY=VALUE pairs.  The verb table (verbs.c) says, for
 * each verb, how many positional words and which keys it takes, so that
 * every line is checked against its usage before its handler runs, and a
 * handler validates all of its values before it calls into the library:
 * a line that is wrong changes nothing.
 *
 * Outcomes, which are also the process exit status:
 *   SCN_OK    the line did what it says
 *   SCN_FAIL  the scenario ran and found a problem: an expect that does
 *             not hold, a check that fails, a bug the library recorded
 *   SCN_USAGE the scenario is wrong: unknown verb, bad argument, unknown
 *             name, no machine yet...
 * Every message is "FILE:LINE: message" on stderr.
 */
#ifndef _FOLIAGE_SCENARIO_H
#define _FOLIAGE_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <foliage/foliage.h>

enum scn_status {
	SCN_OK = 0,
	SCN_FAIL = 1,
	SCN_USAGE = 2,
};

#define SCN_MAX_WORDS	32		/* words on one line, verb included */

/* One KEY=VALUE pair of a line. */
struct scn_kv {
	const char *key;		/* before the first '=' */
	const char *value;		/* after it; may be empty */
};

/* A line cut into its parts; the strings point into the line's buffer. */
struct scn_args {
	const char *verb;		/* the first word */
	unsigned int nr_words;		/* positional words after the verb */
	const char *words[SCN_MAX_WORDS]; /* those words, in order */
	unsigned int nr_kvs;		/* KEY=VALUE pairs after the verb */
	struct scn_kv kvs[SCN_MAX_WORDS]; /* those pairs, in order */
	const char *rest;		/* the text after the verb, comment cut */
};

/* What a name stands for: one allocation of the scenario. */
enum scn_alloc_state {
	ALLOC_LIVE,			/* holds its pages */
	ALLOC_FAILED,			/* the allocation failed */
	ALLOC_FREED,			/* freed; pfn kept for 'expect page' */
};

struct scn_alloc {
	char *name;			/* as written in the scenario */
	enum scn_alloc_state state;	/* see above */
	unsigned long pfn;		/* first frame (live or freed) */
	unsigned int order;		/* as allocated */
	unsigned int gfp;		/* as allocated */
	int nid;			/* node asked for, -1 for any */
	int err;			/* errno of a failed allocation */
	unsigned int line;		/* line of the alloc (or the free) */
};

/* One /proc/vmstat line, as snapshot by 'mark'. */
struct scn_counter {
	char *name;			/* counter name */
	unsigned long value;		/* its value at the mark */
};

/* Everything one run of a scenario carries. */
struct scenario {
	const char *file;		/* file name for messages ("-": stdin) */
	unsigned int line;		/* current line number */
	const char *verb;		/* current line's verb, for messages */
	bool json;			/* 'show' prints JSON */
	bool verbose;			/* print each line before running it */
	FILE *out;			/* where show and echo print */
	struct foliage_config config;	/* boot parameters before 'machine' */
	struct foliage_machine *m;	/* NULL until 'machine' */
	unsigned int machine_line;	/* line of 'machine' */
	struct scn_alloc *allocs;	/* every name ever allocated */
	unsigned int nr_allocs;		/* entries used in allocs */
	unsigned int allocs_cap;	/* entries allocated in allocs */
	struct scn_counter *mark;	/* vmstat at the last 'mark' */
	unsigned int nr_mark;		/* entries in mark */
	unsigned int mark_line;		/* line of the last 'mark', 0: none */
};

/* One verb of the language. */
struct scn_verb {
	const char *name;		/* as written */
	int (*fn)(struct scenario *s, struct scn_args *a); /* returns SCN_* */
	unsigned int min_words;		/* positional words required */
	unsigned int max_words;		/* positional words allowed */
	const char *keys;		/* allowed keys, space-separated; NULL: any */
	unsigned int flags;		/* SCN_VERB_* */
	const char *usage;		/* one line, for messages and --help */
};

#define SCN_VERB_BEFORE_MACHINE	0x1U	/* allowed before 'machine' */
#define SCN_VERB_RAW		0x2U	/* takes the rest of the line as is */

extern const struct scn_verb scn_verbs[];
extern const unsigned int scn_nr_verbs;

/*
 * Run the scenario read from @in, named @name in messages, printing on
 * stdout; returns SCN_* (run.c).
 */
int scenario_exec(const char *name, FILE *in, bool json, bool verbose);

/* Run every line of @f; returns SCN_*.  @s->file names it in messages. */
int scenario_run(struct scenario *s, FILE *f);
void scenario_init(struct scenario *s, const char *file, FILE *out);
void scenario_destroy(struct scenario *s);
/* Print the verbs' usage lines, one a line, indented by @indent. */
void scenario_print_verbs(FILE *f, const char *indent);

/* "FILE:LINE: message" on stderr; return SCN_USAGE or SCN_FAIL. */
int scn_usage(struct scenario *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int scn_fail(struct scenario *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Value parsing.  Each returns 0 or SCN_USAGE after printing what is
 * wrong with @what's value.
 */
int scn_parse_u64(struct scenario *s, const char *what, const char *str,
		  uint64_t min, uint64_t max, uint64_t *out);
int scn_parse_uint(struct scenario *s, const char *what, const char *str,
		   unsigned int min, unsigned int max, unsigned int *out);
int scn_parse_size(struct scenario *s, const char *what, const char *str,
		   uint64_t *bytes);
int scn_parse_bool(struct scenario *s, const char *what, const char *str,
		   bool *out);
int scn_parse_byte(struct scenario *s, const char *what, const char *str,
		   unsigned char *out);
int scn_parse_gfp(struct scenario *s, const char *str, unsigned int *gfp);

/*
 * Check @a's words and keys against @v's counts and keys (the verb's, or
 * an expect subject's, whose counts include the subject word).
 */
int scn_check_usage(struct scenario *s, const struct scn_verb *v,
		    const struct scn_args *a);

/* The value of KEY=VALUE on the line, or NULL. */
const char *scn_arg(struct scn_args *a, const char *key);

/* Names. */
bool scn_valid_name(const char *name);
struct scn_alloc *scn_find(struct scenario *s, const char *name);
/* The named allocation, which must hold its pages; NULL after a message. */
struct scn_alloc *scn_find_live(struct scenario *s, const char *name);
/* A new entry for @name (an existing non-live one is reused). */
struct scn_alloc *scn_new_alloc(struct scenario *s, const char *name);

/* "NAME BYTE" of fill and expect bytes: a live name and a byte. */
int scn_parse_name_byte(struct scenario *s, const char *name,
			const char *byte_str, struct scn_alloc **al,
			unsigned char *byte);
/* The host address of page @i of @al; NULL after a message. */
void *scn_page_virt(struct scenario *s, const struct scn_alloc *al,
		    unsigned long i);

/* The strerror()-like name of a negative errno. */
const char *scn_errstr(int err);

/* 'expect' (expect.c); and whether @name is one of its subjects. */
int scn_expect(struct scenario *s, struct scn_args *a);
bool scn_expect_subject(const char *name);
/* Print the forms of 'expect', one a line, indented by @indent. */
void scn_expect_print_usage(FILE *f, const char *indent);

/*
 * Read a kernel text file (foliage_render) into a malloc()ed string; NULL
 * after a message.
 */
char *scn_render(struct scenario *s, const char *what, unsigned int flags);

#endif /* _FOLIAGE_SCENARIO_H */
