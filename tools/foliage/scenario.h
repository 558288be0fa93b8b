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

#include "shadow.h"

enum scn_status {
	SCN_OK = 0,
	SCN_FAIL = 1,
	SCN_USAGE = 2,
};

#define SCN_MAX_WORDS	32		/* words on one line, verb included */
#define SCN_MAX_LINE	65536		/* bytes in one line, newline excluded */

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

/* A task of the scenario (task, fork). */
struct scn_task {
	char *name;			/* as written in the scenario */
	struct foliage_task *task;	/* NULL once it exited */
	int pid;			/* its pid, kept after exit */
	unsigned int line;		/* line of its task/fork, then of its exit */
	struct shadow shadow;		/* what the scenario wrote in it */
};

/* A memfd-like file of the scenario (file, close). */
struct scn_file {
	char *name;			/* as written in the scenario */
	struct foliage_file *file;	/* NULL once closed */
	uint64_t bytes;			/* its size */
	unsigned int line;		/* line of its file, then of its close */
};

/*
 * A named mapping (mmap TASK NAME ...): its addresses, which follow the
 * mremaps done through the name, and stay after an munmap (to check that
 * nothing is there any more).
 */
struct scn_map {
	char *name;			/* as written in the scenario */
	struct scn_task *task;		/* the task it was mapped in */
	unsigned long start;		/* first byte */
	unsigned long len;		/* bytes, page-aligned */
	unsigned int line;		/* line of its mmap */
};

/* What the last 'read' read, for 'expect read'. */
struct scn_read {
	unsigned int line;		/* line of the read; 0: none yet */
	int err;			/* its error ('=> -ERRNO'), or 0 */
	unsigned long addr;		/* where it read */
	size_t len;			/* bytes in buf */
	unsigned char *buf;		/* what it read */
};

struct scenario;
struct scn_args;
struct scn_report;
struct scn_kvm;

/*
 * What a line's operation resolved to.  The verb's handler fills it once
 * its words are parsed, before it calls the library, so that a follower
 * ('foliage diff') does the same operation without parsing the line a
 * second time; run_line() clears it before each line.
 */
enum scn_action_kind {
	SCN_ACT_NONE,			/* the verb is not an operation */
	SCN_ACT_SET,			/* set KEY=VALUE */
	SCN_ACT_TASK,			/* task NAME */
	SCN_ACT_FORK,			/* fork PARENT CHILD */
	SCN_ACT_EXIT,			/* exit TASK */
	SCN_ACT_FILE,			/* file NAME SIZE */
	SCN_ACT_CLOSE,			/* close FILE */
	SCN_ACT_MMAP,			/* mmap TASK NAME LEN ... */
	SCN_ACT_MUNMAP,			/* munmap TASK RANGE */
	SCN_ACT_MPROTECT,		/* mprotect TASK RANGE PROT */
	SCN_ACT_MADVISE,			/* madvise TASK RANGE ADVICE */
	SCN_ACT_MREMAP,			/* mremap TASK RANGE NEWLEN ... */
	SCN_ACT_TOUCH,			/* touch TASK RANGE read|write */
	SCN_ACT_WRITE,			/* write TASK ADDR DATA */
	SCN_ACT_READ,			/* read TASK ADDR LEN */
	SCN_ACT_PIN,			/* pin TASK RANGE [read|write] */
	SCN_ACT_UNPIN,			/* unpin TASK RANGE */
	/* ---- NUMA (as_numa.c) ---- */
	SCN_ACT_MBIND,			/* mbind TASK RANGE POLICY ... */
	SCN_ACT_SET_MEMPOLICY,		/* set_mempolicy TASK POLICY ... */
	SCN_ACT_MOVE_PAGES,		/* move_pages TASK RANGE [node=N] */
	SCN_ACT_MIGRATE_PAGES,		/* migrate_pages TASK from= to= */
};

struct scn_action {
	enum scn_action_kind kind;		/* SCN_ACT_NONE: nothing to follow */
	struct scn_task *task;		/* the task (fork: the parent) */
	struct scn_file *file;		/* file, close, mmap file= */
	unsigned long start;		/* RANGE's or ADDR's first byte; mmap at= */
	unsigned long len;		/* bytes: RANGE, LEN, DATA, file SIZE */
	unsigned long new_len;		/* mremap NEWLEN */
	unsigned long at;		/* mremap fixed at= */
	unsigned long long off;		/* mmap off= */
	int prot;			/* FOLIAGE_PROT_* */
	int flags;			/* FOLIAGE_MAP_* or FOLIAGE_MREMAP_* */
	int advice;			/* FOLIAGE_MADV_* */
	bool write;			/* touch write, pin write */
	unsigned char *data;		/* write: the bytes (owned; freed
					 * when the next line starts) */
	const char *key;		/* set: the knob */
	const char *value;		/* set: its value */
	unsigned long addr;		/* result: mmap's or mremap's address */
	/* ---- NUMA (as_numa.c) ---- */
	int mpol_mode;			/* FOLIAGE_MPOL_* */
	unsigned long nodes;		/* nodes=, from= (bit n: node n) */
	unsigned long nodes_to;		/* migrate_pages to= */
	int node;			/* move_pages node=; -1: a query */
};

/*
 * Hooks of a program that runs scenarios and follows each line ('foliage
 * diff').  Each returns SCN_*; NULL members are skipped.
 */
struct scn_hooks {
	/* A verb not in the table: its status, or -1 if not the hook's. */
	int (*unknown_verb)(struct scenario *s, struct scn_args *a);
	/* A line checked against its usage, before its handler runs. */
	int (*before)(struct scenario *s, struct scn_args *a);
	/*
	 * After the handler, with its status (what the line returns
	 * unless the hook changes it); s->want_err and s->got_err tell
	 * whether the operation failed as its '=> -ERRNO' expected.
	 */
	int (*after)(struct scenario *s, struct scn_args *a, int status);
	/*
	 * An mmap without at=: a hint for it (0: none), from its length;
	 * the handler passes it to the library as at= would be.
	 */
	unsigned long (*place_mmap)(struct scenario *s, unsigned long len);
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
	struct scn_task **tasks;	/* every task, live or exited */
	unsigned int nr_tasks;		/* entries in tasks */
	struct scn_file **files;	/* every file, open or closed */
	unsigned int nr_files;		/* entries in files */
	struct scn_map **maps;		/* every named mapping */
	unsigned int nr_maps;		/* entries in maps */
	struct scn_read read;		/* the last 'read' */
	struct scn_action action;	/* the line's operation, parsed */
	struct scn_report *report;	/* foliage run --report, or NULL */
	unsigned long fault_addr;	/* where the line's access faulted */
	int want_err;			/* the line's '=> -ERRNO', 0: none */
	bool got_err;			/* the line's operation failed with it */
	const struct scn_hooks *hooks;	/* a follower's hooks, or NULL */
	void *hook_data;		/* for the hooks */
	uint64_t max_guest_bytes;	/* 'machine' limit (fuzzing); 0: none */
	/* foliage run --fail-nth (fail_nth.c, docs/testing.md) */
	const char *fail_nth;		/* injector: "fail_page_alloc", "failslab" */
	unsigned long fail_nth_max;	/* every N up to this, then past the end */
	unsigned long fail_nth_failed;	/* operations failed by injection */
	unsigned long fail_nth_attempt;	/* the line's try: 1, 2... (0: off) */
	bool quiet;			/* messages suppressed (a failed attempt) */
	/* 'balloon' (as_balloon.c): the target its line asked for first */
	uint64_t balloon_target;	/* pages */
	unsigned int balloon_line;	/* the line, 0: none yet */
	/* ---- guest_memfd and VMs (as_gmem.c) ---- */
	struct scn_kvm *kvm;		/* the scenario's VMs, or NULL */
	/* NUMA (as_numa.c): the last move_pages' status array */
	int *status;			/* per page: node or -errno */
	unsigned long nr_status;	/* entries in status */
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
#define SCN_VERB_ERRNO		0x4U	/* may end with '=> -ERRNO' */
/* A WORD=VALUE whose WORD is none of the keys is a word (bind=static). */
#define SCN_VERB_WORD_EQ	0x8U

extern const struct scn_verb scn_verbs[];
extern const unsigned int scn_nr_verbs;

/*
 * Run the scenario read from @in, named @name in messages, printing on
 * stdout; returns SCN_* (run.c).
 */
int scenario_exec(const char *name, FILE *in, bool json, bool verbose);
/* The same with --fail-nth=@fail_nth ("page:4"; NULL: off). */
int scenario_exec_nth(const char *name, FILE *in, bool json, bool verbose,
		      const char *fail_nth);

/*
 * Run the line's operation @v with the Nth allocation failing, N = 1,
 * 2, ... (fail_nth.c): each failed attempt must leave no bug and the
 * state as it was; the attempt no injected failure stopped is the line's
 * run.  Returns its SCN_*.
 */
int scn_fail_nth_line(struct scenario *s, const struct scn_verb *v,
		      struct scn_args *a);
/* At the end of a --fail-nth run: nothing leaked; SCN_*. */
int scn_fail_nth_end(struct scenario *s);

/* Run every line of @f; returns SCN_*.  @s->file names it in messages. */
int scenario_run(struct scenario *s, FILE *f);
void scenario_init(struct scenario *s, const char *file, FILE *out);
void scenario_destroy(struct scenario *s);
/* Print the verbs' usage lines, one a line, indented by @indent. */
void scenario_print_verbs(FILE *f, const char *indent);

/*
 * Where text for a person goes ('echo', --verbose): the output, or with
 * --json stderr, so that the output is JSON documents only.
 */
FILE *scn_note(struct scenario *s);
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
/*
 * A file's byte range "OFF:LEN" (fallocate, gmem verbs): both sizes as
 * scn_parse_size() takes them (K/M/G/T suffix or 0x hex), LEN not 0 and
 * OFF + LEN not past 2^63 - 1 (loff_t), e.g. "0:2M", "12K:4K".
 */
int scn_parse_file_range(struct scenario *s, const char *str, uint64_t *off,
			 uint64_t *len);
int scn_parse_byte(struct scenario *s, const char *what, const char *str,
		   unsigned char *out);
int scn_parse_gfp(struct scenario *s, const char *str, unsigned int *gfp);

/*
 * Check @a's words and keys against @v's counts and keys (the verb's, or
 * an expect subject's, whose counts include the subject word).
 */
/* Forget the last line's operation (s->action), freeing what it owns. */
void scn_action_clear(struct scenario *s);
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
/* The symbolic name of a negative errno: "ENOMEM". */
const char *scn_errname(int err);
/*
 * The library failed the line's operation with @err: SCN_OK if the line
 * ends with '=> -ERRNO' naming it, else "VERB: message (-ERRNO)DETAIL"
 * and SCN_FAIL.  @detail may be NULL.
 */
int scn_lib_error(struct scenario *s, int err, const char *detail);

/* 'expect' (expect.c); and whether @name is one of its subjects. */
int scn_expect(struct scenario *s, struct scn_args *a);
bool scn_expect_subject(const char *name);
/* The 'expect' form for subject @name (its words, keys, flags), or NULL. */
const struct scn_verb *scn_expect_verb(const char *name);
/* Print the forms of 'expect', one a line, indented by @indent. */
void scn_expect_print_usage(FILE *f, const char *indent);

/*
 * Read a kernel text file (foliage_render) into a malloc()ed string; NULL
 * after a message.
 */
char *scn_render(struct scenario *s, const char *what, unsigned int flags);
/* Print the lines of @text that contain @pattern (all of them if NULL). */

/*
 * Address spaces (tasks.c): names of tasks, files and mappings, and the
 * values that designate memory.
 *
 *	ADDR	0xHEX, or NAME, NAME+OFF, NAME-OFF (a mapping's start, moved)
 *	RANGE	NAME (a whole mapping), or ADDR:LEN
 *	PROT	none, or some of r w x (rw, rx, rwx...)
 */
struct scn_range {
	unsigned long start;		/* first byte */
	unsigned long len;		/* bytes */
	struct scn_map *map;		/* the mapping, when RANGE is a NAME */
};

/*
 * Why (why.c): ": length 0" and the like, for scn_lib_error()'s detail,
 * from the values of a refused mmap or range operation; NULL if they do
 * not explain @err.
 */
const char *scn_why_mmap(char *buf, size_t len, int err, unsigned long at,
			 uint64_t bytes, uint64_t off, bool fixed,
			 bool noreplace);
const char *scn_why_range(char *buf, size_t len, int err, unsigned long start,
			  unsigned long bytes);

/* What one 'show' prints (show.c). */
struct scn_show {
	const char *what;		/* "smaps", "vmstat"... */
	const char *task;		/* the task's name, or NULL */
	const char *range_word;		/* RANGE as written, or NULL */
	const struct scn_range *range;	/* only the VMAs overlapping it */
	const char *pattern;		/* grep=PATTERN, or NULL */
};
/* Print @text (the library's rendering of sh->what) as 'show' does. */
int scn_show_print(struct scenario *s, const struct scn_show *sh,
		   const char *text);

/* Who holds @name among tasks, files, mappings and allocations, or NULL. */
const char *scn_name_owner(struct scenario *s, const char *name);
/* @name may name a new task, file or mapping; else a message. */
int scn_check_new_name(struct scenario *s, const char *name);
/* The live task / open file called @name; NULL after a message. */
struct scn_task *scn_find_task(struct scenario *s, const char *name);
struct scn_file *scn_find_file(struct scenario *s, const char *name);
struct scn_task *scn_new_task(struct scenario *s, const char *name);
struct scn_file *scn_new_file(struct scenario *s, const char *name);
struct scn_map *scn_new_map(struct scenario *s, const char *name);
/* Undo the last scn_new_*() (its operation failed). */
void scn_forget_task(struct scenario *s);
void scn_forget_file(struct scenario *s);
void scn_forget_map(struct scenario *s);
/*
 * Exit every live task and close every open file, as the end of a
 * scenario does; SCN_FAIL after a message if an exit fails (unless @quiet).
 */
int scn_teardown(struct scenario *s, bool quiet);
/* Free the tables of tasks, files and mappings (after scn_teardown()). */
void scn_free_spaces(struct scenario *s);

int scn_parse_addr(struct scenario *s, const char *what, const char *str,
		   unsigned long *addr);
int scn_parse_range(struct scenario *s, const char *str,
		    struct scn_range *r);
int scn_parse_prot(struct scenario *s, const char *str, int *prot);
/* DATA: 0x and pairs of hex digits, or else the word's characters. */
int scn_parse_data(struct scenario *s, const char *str, unsigned char **buf,
		   size_t *len);
/* "-ENOMEM": the negative errno. */
int scn_parse_errno(struct scenario *s, const char *str, int *err);

/* One line of /proc/PID/maps, and for smaps the lines of its fields. */
struct scn_vma {
	unsigned long start;		/* vm_start */
	unsigned long end;		/* vm_end */
	char perms[5];			/* "rw-p" */
	unsigned long long offset;	/* file offset in bytes */
	unsigned int dev_major;		/* device of the file */
	unsigned int dev_minor;		/* (0:0 when anonymous) */
	unsigned long inode;		/* 0 when anonymous */
	const char *path;		/* the name column, maybe "" */
	char **fields;			/* smaps: its "Name: value" lines */
	unsigned int nr_fields;		/* entries in fields */
};

/* A task's maps, smaps or smaps_rollup, parsed. */
struct scn_maps {
	char *text;			/* the rendered file, cut into lines */
	char **lines;			/* its lines */
	unsigned int nr_lines;		/* entries in lines */
	struct scn_vma *vma;		/* its VMAs (one for smaps_rollup) */
	unsigned int nr_vma;		/* entries in vma */
};

int scn_maps_read(struct scenario *s, struct scn_task *t, const char *what,
		  struct scn_maps *maps);
void scn_maps_free(struct scn_maps *maps);
/* The VMA that contains @addr, or NULL. */
struct scn_vma *scn_maps_find(struct scn_maps *maps, unsigned long addr);
/* A field's line of a VMA of smaps ("Rss:  8 kB"), or NULL. */
const char *scn_vma_field(const struct scn_vma *v, const char *field);
/* Whether smaps' VmFlags of @v lists @mnemonic ("dc", "wf"). */
bool scn_vma_has_flag(const struct scn_vma *v, const char *mnemonic);

/* ---- PTE batching (as_batch.c) ---- */
/* show pagetable TASK RANGE [grep=PATTERN] */
int scn_show_pagetable(struct scenario *s, struct scn_args *a);

/* Verbs of address spaces (as_verbs.c), for the table of verbs.c. */
int scn_do_task(struct scenario *s, struct scn_args *a);
int scn_do_fork(struct scenario *s, struct scn_args *a);
int scn_do_exit(struct scenario *s, struct scn_args *a);
int scn_do_file(struct scenario *s, struct scn_args *a);
int scn_do_close(struct scenario *s, struct scn_args *a);
int scn_do_mmap(struct scenario *s, struct scn_args *a);
int scn_do_munmap(struct scenario *s, struct scn_args *a);
int scn_do_mprotect(struct scenario *s, struct scn_args *a);
int scn_do_mremap(struct scenario *s, struct scn_args *a);
int scn_do_madvise(struct scenario *s, struct scn_args *a);
int scn_do_touch(struct scenario *s, struct scn_args *a);
int scn_do_write(struct scenario *s, struct scn_args *a);
int scn_do_read(struct scenario *s, struct scn_args *a);
int scn_do_pin(struct scenario *s, struct scn_args *a);
int scn_do_unpin(struct scenario *s, struct scn_args *a);

/* ---- copy offload for migration (as_offload.c) ---- */
int scn_do_device(struct scenario *s, struct scn_args *a);
int scn_do_migrator(struct scenario *s, struct scn_args *a);
/* show maps|smaps|smaps_rollup TASK [PATTERN] */
int scn_show_task(struct scenario *s, struct scn_args *a);

/* ---- rmap (as_rmap.c, issue 13) ---- */
/* show rmap TASK ADDR */
int scn_show_rmap(struct scenario *s, struct scn_args *a);
/* expect rmap TASK ADDR mappings OP N | ... mapping anon_vma|lazy|file */
int scn_expect_rmap(struct scenario *s, struct scn_args *a);

/* expect subjects of address spaces (as_expect.c), for expect.c. */
int scn_expect_fault(struct scenario *s, struct scn_args *a);
int scn_expect_maps(struct scenario *s, struct scn_args *a);
int scn_expect_vma(struct scenario *s, struct scn_args *a);
int scn_expect_smaps(struct scenario *s, struct scn_args *a);
int scn_expect_rollup(struct scenario *s, struct scn_args *a);
int scn_expect_shadow(struct scenario *s, struct scn_args *a);
int scn_expect_read(struct scenario *s, struct scn_args *a);
/* Shadow checks (as_expect.c): every claim of @t reads back; SCN_*. */
int scn_shadow_check(struct scenario *s, struct scn_task *t);

/* The balloon and its host (as_balloon.c), for verbs.c and expect.c. */
int scn_do_device_balloon(struct scenario *s, struct scn_args *a);
int scn_do_host(struct scenario *s, struct scn_args *a);
int scn_do_balloon(struct scenario *s, struct scn_args *a);
/* show balloon|host [PATTERN] */
int scn_show_balloon(struct scenario *s, struct scn_args *a);
/* expect balloon|host NAME OP VALUE */
int scn_expect_balloon(struct scenario *s, struct scn_args *a);
/* NUMA verbs and expect subjects (as_numa.c). */
int scn_do_move_pages(struct scenario *s, struct scn_args *a);
int scn_do_migrate_pages(struct scenario *s, struct scn_args *a);
int scn_do_mbind(struct scenario *s, struct scn_args *a);
int scn_do_set_mempolicy(struct scenario *s, struct scn_args *a);
int scn_expect_status(struct scenario *s, struct scn_args *a);
/* A move_pages status as 'expect status' spells it: "1" or "-ENOENT". */
const char *scn_status_name(int value, char *buf, size_t len);
/* show numa_maps TASK [grep=PATTERN]; expect numa_maps TASK ADDR FIELD OP VALUE */
int scn_show_numa_maps(struct scenario *s, struct scn_args *a);
int scn_expect_numa_maps(struct scenario *s, struct scn_args *a);
/* hugetlb (as_hugetlb.c, issue 10). */
/*
 * The hugetlb options of mmap and file: @word says the bare word
 * "hugetlb" was given; a hugetlb=2M|1G key sets *@size_bits (log2 of the
 * size, 0: the default); *@hugetlb says whether either was.
 */
int scn_parse_hugetlb(struct scenario *s, struct scn_args *a, bool word,
		      unsigned int *size_bits, bool *hugetlb);
int scn_do_fallocate(struct scenario *s, struct scn_args *a);
int scn_expect_hugepages(struct scenario *s, struct scn_args *a);

/* "OP VALUE" of expect, shared by expect.c and as_expect.c. */
enum scn_op { SCN_EQ, SCN_NE, SCN_LT, SCN_LE, SCN_GT, SCN_GE, SCN_NR_OPS };

struct scn_cmp {
	enum scn_op op;			/* how seen compares with value */
	uint64_t value;			/* what it is compared with */
};

int scn_parse_cmp(struct scenario *s, const char *op, const char *value,
		  struct scn_cmp *c);
/* SCN_OK if @seen satisfies @c, else "expect failed: WHAT is ..." */
int scn_check_cmp(struct scenario *s, const char *what,
		  const struct scn_cmp *c, uint64_t seen);

/* ---- guest_memfd and KVM VMs (as_gmem.c, docs/guest-memfd.md) ---- */
int scn_do_vm(struct scenario *s, struct scn_args *a);
int scn_do_gmem(struct scenario *s, struct scn_args *a);
int scn_do_memslot(struct scenario *s, struct scn_args *a);
int scn_do_convert(struct scenario *s, struct scn_args *a);
int scn_do_vcpu(struct scenario *s, struct scn_args *a);
/* show gmem NAME | show vm NAME */
int scn_show_gmem(struct scenario *s, struct scn_args *a);
int scn_expect_gmem(struct scenario *s, struct scn_args *a);
/* The VM called @name ("VM", its line) for scn_name_owner(), or NULL. */
const char *scn_gmem_name_owner(struct scenario *s, const char *name,
				unsigned int *line);
/* Destroy the VMs (scn_teardown()); free their table (scn_free_spaces()). */
void scn_gmem_teardown(struct scenario *s);
void scn_gmem_free(struct scenario *s);

#endif /* _FOLIAGE_SCENARIO_H */
