// SPDX-License-Identifier: GPL-2.0
/*
 * foliage_render(): the kernel's text files by name, and the small pieces
 * every renderer shares (a growing text buffer, JSON helpers).  The
 * formats themselves are in vmstat_show.c, show_mem.c and trace_output.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/hugetlb.h>
#include <linux/slab.h>
#include <asm-generic/tlb.h>
#include <linux/machine_subsys.h>

/* ---- text buffer ---------------------------------------------------- */

void seq_buf_init(struct seq_buf *s)
{
	memset(s, 0, sizeof(*s));
}

/* Make room for @more bytes plus the NUL. */
static bool seq_buf_reserve(struct seq_buf *s, size_t more)
{
	size_t need = s->len + more + 1, size = s->size ? s->size : 4096;
	char *buf;

	if (s->err)
		return false;
	if (need <= s->size)
		return true;
	while (size < need)
		size *= 2;
	buf = realloc(s->buf, size);
	if (!buf) {
		s->err = -ENOMEM;
		return false;
	}
	s->buf = buf;
	s->size = size;
	return true;
}

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s->err = s->err ?: -EINVAL;
		return;
	}
	if (!seq_buf_reserve(s, n))
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, n + 1, fmt, ap);
	va_end(ap);
	s->len += n;
}

void seq_puts(struct seq_buf *s, const char *str)
{
	size_t n = strlen(str);

	if (!seq_buf_reserve(s, n))
		return;
	memcpy(s->buf + s->len, str, n + 1);
	s->len += n;
}

void seq_putc(struct seq_buf *s, char c)
{
	if (!seq_buf_reserve(s, 1))
		return;
	s->buf[s->len++] = c;
	s->buf[s->len] = '\0';
}

void seq_buf_free(struct seq_buf *s)
{
	free(s->buf);
	seq_buf_init(s);
}

int seq_buf_finish(struct seq_buf *s, char **out)
{
	int err = s->err;

	/* An empty file (tracing never used...) is still a string. */
	if (!err && !seq_buf_reserve(s, 0))
		err = s->err;
	if (err) {
		seq_buf_free(s);
		return err;
	}
	s->buf[s->len] = '\0';
	*out = s->buf;
	return 0;
}

/* ---- JSON helpers ------------------------------------------------------ */

struct json_object *json_new_object(int *err)
{
	struct json_object *obj = json_object_new_object();

	if (!obj)
		*err = -ENOMEM;
	return obj;
}

struct json_object *json_new_array(int *err)
{
	struct json_object *arr = json_object_new_array();

	if (!arr)
		*err = -ENOMEM;
	return arr;
}

void json_set(struct json_object *obj, const char *key,
	      struct json_object *val, int *err)
{
	if (!obj || !val || json_object_object_add(obj, key, val)) {
		json_object_put(val);
		*err = -ENOMEM;
	}
}

void json_set_u64(struct json_object *obj, const char *key, u64 v, int *err)
{
	json_set(obj, key, json_object_new_uint64(v), err);
}

void json_set_i64(struct json_object *obj, const char *key, s64 v, int *err)
{
	json_set(obj, key, json_object_new_int64(v), err);
}

void json_set_str(struct json_object *obj, const char *key, const char *str,
		  int *err)
{
	json_set(obj, key, json_object_new_string(str), err);
}

void json_push(struct json_object *arr, struct json_object *val, int *err)
{
	if (!arr || !val || json_object_array_add(arr, val)) {
		json_object_put(val);
		*err = -ENOMEM;
	}
}

void json_push_u64(struct json_object *arr, u64 v, int *err)
{
	json_push(arr, json_object_new_uint64(v), err);
}

int json_show(struct seq_buf *s, struct json_object *obj, int err)
{
	const char *text;

	if (!err && obj) {
		text = json_object_to_json_string_ext(obj,
				JSON_C_TO_STRING_PRETTY |
				JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text) {
			seq_puts(s, text);
			seq_putc(s, '\n');
		} else {
			err = -ENOMEM;
		}
	} else if (!err) {
		err = -ENOMEM;
	}
	json_object_put(obj);
	return err ?: s->err;
}

/* ---- dispatch ---------------------------------------------------------- */

/* The core's files; each subsystem lists its own (machine_subsys.h). */
static const struct machine_render renderers[] = {
	{ "buddyinfo", render_buddyinfo },
	{ "pagetypeinfo", render_pagetypeinfo },
	{ "vmstat", render_vmstat },
	{ "meminfo", render_meminfo },
	{ "zoneinfo", render_zoneinfo },
	{ "uptime", uptime_render_seq },
	{ "extfrag", render_extfrag },
	{ "unusable_index", render_unusable_index },
	{ "extfrag_index", render_extfrag_index },
	{ "pfnmap", NULL, pfnmap_render },
};

int foliage_render(struct foliage_machine *m, const char *what,
		   unsigned int flags, char **out)
{
	const struct machine_render *r = NULL;
	struct seq_buf s;
	size_t i;
	int ret;

	if (!m || !what || !out ||
	    (flags & ~(FOLIAGE_RENDER_JSON | FOLIAGE_RENDER_SVG)) ||
	    (flags & FOLIAGE_RENDER_JSON && flags & FOLIAGE_RENDER_SVG))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(renderers) && !r; i++)
		if (!strcmp(renderers[i].name, what))
			r = &renderers[i];
	if (!r)
		r = machine_subsys_render(what);
	if (!r)
		return -ENOENT;
	if ((flags & FOLIAGE_RENDER_SVG) && !r->render_flags)
		return -EOPNOTSUPP;
	ret = machine_enter(m);
	if (ret)
		return ret;
	seq_buf_init(&s);
	if (r->render_flags)
		ret = r->render_flags(&s, flags);
	else
		ret = r->render(&s, flags & FOLIAGE_RENDER_JSON);
	machine_leave(m);
	if (ret) {
		seq_buf_free(&s);
		return ret;
	}
	return seq_buf_finish(&s, out);
}

int render_seq_text(struct foliage_machine *m,
		    int (*fn)(struct seq_buf *s, bool json), char **out)
{
	struct seq_buf s;
	int ret = machine_enter(m);

	if (ret)
		return ret;
	seq_buf_init(&s);
	ret = fn(&s, false);
	machine_leave(m);
	if (ret) {
		seq_buf_free(&s);
		return ret;
	}
	return seq_buf_finish(&s, out);
}
