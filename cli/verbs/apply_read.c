// SPDX-License-Identifier: GPL-2.0
/* apply, reading: the file save wrote into an entry set (apply_set.h).
 *
 * The file is what `mapsh MAP save` writes: a JSON array of {"key": K,
 * "value": V} (per-CPU maps add "per_cpu": [{"cpu": N, "value": V}, ...]),
 * one entry a line, or the same objects as JSON lines, or any other
 * layout of the same JSON. It is read in chunks, one entry at a time, so
 * memory holds the binary entries and one entry's text, never the file.
 *
 * Each entry is read one of two ways:
 *  - in the exact compact form save writes, by the compiled reader
 *    (tvf_read), which is kept only when the compiled formatter prints the
 *    same bytes back from what it read;
 *  - anything else (other spacing, member order, names instead of
 *    numbers, fields left out) through the general path: yajl finds where
 *    the entry ends and checks it is JSON, then jansson and the typed
 *    parser (tv_parse_json) read it.
 *
 * jansson keeps integers in a long long, which would refuse a u64 above
 * INT64_MAX and round big numbers through doubles. So, as tval_json does,
 * every bare number token of an entry is first wrapped into a marked
 * string ("\u0001<token>"); an element's key or value is dumped back to
 * text with the marks removed again before tv_parse_json parses the
 * numbers exactly. Both passes only insert characters inside a line, so
 * line numbers in messages are the file's. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <yajl/yajl_parse.h>
#include "base/err.h"
#include "base/hash.h"
#include "tval/fast.h"
#include "verbs/map_verbs.h"

#include "verbs/apply_set.h"

#define NUM_MARK '\x01'
#define MARK_JSON "\"\\u0001"	/* a marked string as JSON text */

/* ---- reading the file ---- */

/* Copy s to out with every number token outside strings wrapped into a
 * marked string (the tokens tval_json accepts: 12, -3, 1.5e3, 0x1f). */
static void quote_numbers(const char *s, size_t n, struct strbuf *out)
{
	bool str = false;
	size_t i = 0;

	sb_grow(out, n + n / 4 + 16);
	while (i < n) {
		char ch = s[i];

		if (str) {
			sb_addc(out, ch);
			if (ch == '\\' && i + 1 < n)
				sb_addc(out, s[++i]);
			else if (ch == '"')
				str = false;
			i++;
			continue;
		}
		if (ch == '"') {
			str = true;
		} else if (isdigit((unsigned char)ch) || ch == '-' || ch == '+' ||
			   (ch == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
			size_t j = i;

			while (j < n && (isalnum((unsigned char)s[j]) ||
					 strchr("+-._", s[j])))
				j++;
			sb_adds(out, MARK_JSON);
			sb_add(out, s + i, j - i);
			sb_addc(out, '"');
			i = j;
			continue;
		}
		sb_addc(out, ch);
		i++;
	}
}

/* The inverse on JSON text (jansson's dumps, its messages): "\u0001TOKEN"
 * becomes TOKEN again. */
static void unquote(const char *s, struct strbuf *out)
{
	const size_t ml = strlen(MARK_JSON);

	while (*s) {
		const char *m = strstr(s, MARK_JSON);

		if (!m) {
			sb_adds(out, s);
			return;
		}
		sb_add(out, s, (size_t)(m - s));
		s = m + ml;
		while (*s && (isalnum((unsigned char)*s) || strchr("+-._", *s)))
			sb_addc(out, *s++);
		if (*s == '"')
			s++;
	}
}

/* A marked number's token, or NULL for anything else. */
static const char *marked_number(json_t *v)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	return s && s[0] == NUM_MARK ? s + 1 : NULL;
}

static const char *json_text(json_t *v, struct strbuf *sb)
{
	char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (!d)
		abort();
	sb_reset(sb);
	unquote(d, sb);
	free(d);
	return sb_str(sb);
}

/* One key or value: JSON objects and arrays as tv_parse_json reads them; a
 * string or number for a struct as the command line's words ("udp" for
 * struct proto_key, "10.0.0.9 0 tcp", "action=drop"). */
static int parse_typed(const struct tv_plan *plan, json_t *v, void *buf,
		       unsigned flags, struct strbuf *scratch, struct strbuf *err)
{
	if (!tv_plan_is_scalar(plan) && json_is_string(v)) {
		const char *num = marked_number(v);

		return tv_parse_text(plan, num ? num : json_string_value(v), buf,
				     flags, err);
	}
	return tv_parse_json(plan, json_text(v, scratch), buf, flags, err);
}

static int parse_key(struct apply_set *s, json_t *jk, void *buf,
		     struct strbuf *err)
{
	const struct mapref *m = s->m;
	int rc;

	memset(buf, 0, m->info.key_size);
	if (json_is_string(jk) && !marked_number(jk) && m->lpm &&
	    tv_plan_is_lpm_key(m->key))
		rc = tv_parse_cidr_key(m->key, json_string_value(jk), buf, err);
	else
		rc = parse_typed(m->key, jk, buf, TV_PARSE_ALL, &s->text, err);
	if (rc)
		return rc;
	if (m->is_array && m->info.key_size == 4) {
		__u32 idx;

		memcpy(&idx, buf, 4);
		if (idx >= m->info.max_entries) {
			sb_addf(err, "no element %u (%s has %u elements: 0..%u)", idx,
				m->name, m->info.max_entries, m->info.max_entries - 1);
			return -1;
		}
	}
	return 0;
}

/* One CPU's value from JSON over what buf holds (fields not given keep
 * it). Errors are "WHERE: reason". */
static int parse_one_value(struct apply_set *s, const char *where, json_t *jv,
			   void *buf, struct strbuf *err)
{
	struct strbuf e = STRBUF_INIT;
	int rc = parse_typed(s->m->value, jv, buf, 0, &s->text, &e);

	if (rc)
		sb_addf(err, "%s: %s", where, e.len ? sb_str(&e) : "not a valid value");
	sb_free(&e);
	return rc;
}

/* The value of entry elem into raw (m->lookup_size bytes holding the base:
 * zero for validation and new entries, the map's value to merge over).
 * check: also make sure "value" is the sum of "per_cpu". */
static int parse_entry_value(struct apply_set *s, json_t *elem, char *raw,
		      bool check, struct strbuf *err)
{
	const struct mapref *m = s->m;
	json_t *jv = json_object_get(elem, "value");
	json_t *jp = json_object_get(elem, "per_cpu");
	char where[64];
	bool *seen;
	size_t i;
	json_t *pe;
	int rc = 0;

	if (!m->value) {
		if (jv || jp) {
			sb_addf(err, "value: %s maps have no values",
				map_type_str(m->info.type));
			return -1;
		}
		return 0;
	}
	if (jp && !m->percpu) {
		sb_addf(err, "per_cpu: %s is not a per-CPU map (%s)", m->name,
			map_type_str(m->info.type));
		return -1;
	}
	if (!jv && !jp) {
		sb_adds(err, "no value (expected {\"key\": ..., \"value\": ...})");
		return -1;
	}
	if (!m->percpu)
		return parse_one_value(s, "value", jv, raw, err);
	if (!jp) {
		for (int c = 0; c < m->ncpus; c++)
			if (parse_one_value(s, "value", jv, raw + (size_t)c * m->stride, err))
				return -1;
		return 0;
	}
	if (!json_is_array(jp)) {
		sb_adds(err, "per_cpu: expected an array of {\"cpu\": N, \"value\": ...}");
		return -1;
	}
	seen = calloc((size_t)m->ncpus, sizeof(*seen));
	if (!seen)
		abort();
	json_array_foreach(jp, i, pe) {
		const char *num = marked_number(json_object_get(pe, "cpu"));
		json_t *pv = json_object_get(pe, "value");
		const char *name;
		json_t *x;
		char *end;
		unsigned long cpu;

		if (!json_is_object(pe) || !num || !pv) {
			sb_addf(err, "per_cpu[%zu]: expected {\"cpu\": N, \"value\": ...}", i);
			rc = -1;
			break;
		}
		json_object_foreach(pe, name, x) {
			if (strcmp(name, "cpu") && strcmp(name, "value")) {
				sb_addf(err, "per_cpu[%zu]: unknown member '%s' (expected cpu and value)",
					i, name);
				rc = -1;
				break;
			}
		}
		if (rc)
			break;
		errno = 0;
		cpu = strtoul(num, &end, 10);
		if (*end || errno || !isdigit((unsigned char)num[0]) ||
		    cpu >= (unsigned long)m->ncpus) {
			sb_addf(err, "per_cpu[%zu]: cpu %s is not a CPU of this system (expected 0..%d)",
				i, num, m->ncpus - 1);
			rc = -1;
			break;
		}
		if (seen[cpu]) {
			sb_addf(err, "per_cpu[%zu]: cpu %lu is given twice", i, cpu);
			rc = -1;
			break;
		}
		seen[cpu] = true;
		snprintf(where, sizeof(where), "per_cpu[%zu].value", i);
		rc = parse_one_value(s, where, pv, raw + cpu * m->stride, err);
		if (rc)
			break;
	}
	free(seen);
	if (rc || !jv || !check)
		return rc;
	/* A saved entry has both: "value" must be what dump sums. */
	{
		char *want = calloc(2, m->info.value_size + 8);
		char *sum;

		if (!want)
			abort();
		sum = want + m->info.value_size + 8;
		rc = parse_one_value(s, "value", jv, want, err);
		if (!rc) {
			mapref_sum_cpus(m, raw, sum);
			if (memcmp(sum, want, m->info.value_size)) {
				sb_adds(err, "value: is not the sum of per_cpu (change one of them and drop the other)");
				rc = -1;
			}
		}
		free(want);
	}
	return rc;
}

/* ---- the file, in chunks ---- */

#define CHUNK (1u << 20)		/* bytes read at a time */
#define AHEAD (64u << 10)		/* text kept ahead of an entry's start */

struct src {
	int fd;
	bool eof;
	char *buf;
	size_t cap, len, pos;		/* unread text: buf[pos, len) */
	unsigned line;
	int err;			/* errno of a failed read */
};

/* Have at least want bytes unread, or all there is: 0, or -1 with
 * r->err set. Unread text moves to the front of the buffer. */
static int src_fill(struct src *r, size_t want)
{
	while (!r->eof && r->len - r->pos < want) {
		ssize_t n;

		if (r->pos && r->cap - r->len < CHUNK) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		if (r->cap - r->len < CHUNK) {
			size_t cap = r->cap ? r->cap * 2 : 2 * CHUNK;
			char *b;

			while (cap - r->len < CHUNK)
				cap *= 2;
			if (!(b = realloc(r->buf, cap + 1))) {
				r->err = ENOMEM;
				return -1;
			}
			r->buf = b;
			r->cap = cap;
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->err = errno;
			return -1;
		}
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
		if (memchr(r->buf + r->len - n, '\0', (size_t)n)) {
			r->err = EILSEQ;	/* reported as "not a JSON file" */
			return -1;
		}
	}
	return 0;
}

static int src_fail(const struct apply_set *s, const struct src *r)
{
	if (r->err == EILSEQ)
		return err_fail("%s: not a JSON file (it holds NUL bytes)", s->file);
	return err_fail("%s %s: cannot read %s: %s", s->m->name,
			s->verb ? s->verb : "apply", s->file, strerror(r->err));
}

/* The next byte after white space (counting lines), 0 at the end, -1 on a
 * read error. */
static int src_peek(struct src *r)
{
	for (;;) {
		while (r->pos < r->len) {
			char c = r->buf[r->pos];

			if (c == '\n')
				r->line++;
			else if (c != ' ' && c != '\t' && c != '\r')
				return (unsigned char)c;
			r->pos++;
		}
		if (r->eof)
			return 0;
		if (src_fill(r, 1))
			return -1;
	}
}

static void count_lines(const char *q, size_t n, unsigned *line)
{
	for (const char *e = q + n; (q = memchr(q, '\n', (size_t)(e - q))); q++)
		(*line)++;
}

/* ---- the entries ---- */

void set_free(struct apply_set *s)
{
	free(s->keys);
	free(s->vals);
	free(s->lines);
	free(s->partial);
	free(s->masks);
	free(s->slots);
	sb_free(&s->text);
}

static int set_grow(struct apply_set *s)
{
	const struct mapref *m = s->m;
	size_t cap = s->cap ? s->cap * 2 : 1024;
	char *k, *v;
	uint32_t *l;

	if (cap > UINT32_MAX - 1)
		return -1;
	k = realloc(s->keys, cap * m->info.key_size);
	if (k)
		s->keys = k;
	v = realloc(s->vals, cap * m->lookup_size);
	if (v)
		s->vals = v;
	l = realloc(s->lines, cap * sizeof(*l));
	if (l)
		s->lines = l;
	if (!k || !v || !l)
		return -1;
	s->cap = cap;
	return 0;
}

/* "FILE:LINE: entry N: what" */
static int entry_err(const struct apply_set *s, size_t idx, unsigned line,
		     const char *what)
{
	return err_fail("%s:%u: entry %zu: %s", s->file, line, idx + 1, what);
}

/* A key of an array must name one of its elements. */
static int check_index(const struct apply_set *s, const void *key,
		       struct strbuf *err)
{
	const struct mapref *m = s->m;
	__u32 idx;

	if (!m->is_array || m->info.key_size != 4)
		return 0;
	memcpy(&idx, key, 4);
	if (idx < m->info.max_entries)
		return 0;
	sb_addf(err, "no element %u (%s has %u elements: 0..%u)", idx,
		m->name, m->info.max_entries, m->info.max_entries - 1);
	return -1;
}

/* Which bits of entry idx's value did the entry give? Parsing it again
 * over all-ones bytes tells: the bits it sets are the same both times.
 * Entries that set every bit of the value need no mask. */
static int note_mask(struct apply_set *s, json_t *elem, size_t idx)
{
	const struct mapref *m = s->m;
	struct strbuf err = STRBUF_INIT;
	char *ones = malloc(m->lookup_size), *v0 = VAL_AT(s, idx);
	bool whole = true;
	int rc = 0;

	if (!ones)
		return -1;
	memset(ones, 0xff, m->lookup_size);
	if (parse_entry_value(s, elem, ones, false, &err)) {
		rc = -1;	/* it parsed over zeros: cannot happen */
		goto out;
	}
	for (size_t b = 0; b < m->lookup_size; b++) {
		/* the gaps between per-CPU values are no one's bits */
		bool gap = m->percpu && b % m->stride >= m->info.value_size;

		ones[b] = gap ? (char)0xff : (char)~(ones[b] ^ v0[b]);
		if ((unsigned char)ones[b] != 0xff)
			whole = false;
	}
	if (whole)
		goto out;
	if (s->npartial == s->partcap) {
		size_t cap = s->partcap ? s->partcap * 2 : 64;
		uint32_t *p = realloc(s->partial, cap * sizeof(*p));
		char *mk;

		if (p)
			s->partial = p;
		mk = p ? realloc(s->masks, cap * m->lookup_size) : NULL;
		if (!mk) {
			rc = -1;
			goto out;
		}
		s->masks = mk;
		s->partcap = cap;
	}
	s->partial[s->npartial] = (uint32_t)idx;
	memcpy(s->masks + s->npartial * m->lookup_size, ones, m->lookup_size);
	s->npartial++;
out:
	free(ones);
	sb_free(&err);
	return rc;
}

/* Check one element and store it as entry s->n. */
static int add_entry(struct apply_set *s, json_t *elem, unsigned line)
{
	const struct mapref *m = s->m;
	struct strbuf err = STRBUF_INIT;
	size_t idx = s->n;
	const char *name;
	json_t *x, *jk;
	int rc = EXIT_OK;

	if (!json_is_object(elem)) {
		sb_adds(&err, "expected an object {\"key\": ..., \"value\": ...}");
		goto bad;
	}
	json_object_foreach(elem, name, x) {
		/* "histograms": what dump -j draws from the value: read past */
		if (strcmp(name, "key") && strcmp(name, "value") &&
		    strcmp(name, "per_cpu") && strcmp(name, "wall") &&
		    strcmp(name, "histograms")) {
			sb_addf(&err, "unknown member '%s' (expected key, value%s)", name,
				m->percpu ? " and per_cpu" : "");
			goto bad;
		}
	}
	jk = json_object_get(elem, "key");
	if (!jk) {
		sb_adds(&err, "no key (expected {\"key\": ..., \"value\": ...})");
		goto bad;
	}
	if (s->n == s->cap && set_grow(s)) {
		sb_free(&err);
		return err_fail("out of memory");
	}
	{
		struct strbuf e = STRBUF_INIT;

		if (parse_key(s, jk, KEY_AT(s, idx), &e)) {
			sb_addf(&err, "key: %s", e.len ? sb_str(&e) : "not a valid key");
			sb_free(&e);
			goto bad;
		}
		sb_free(&e);
	}
	memset(VAL_AT(s, idx), 0, m->lookup_size);
	if (parse_entry_value(s, elem, VAL_AT(s, idx), true, &err))
		goto bad;
	if (m->value && note_mask(s, elem, idx)) {
		sb_free(&err);
		return err_fail("out of memory");
	}
	s->lines[idx] = line;
	s->n++;
	s->general++;
	sb_free(&err);
	return EXIT_OK;
bad:
	rc = entry_err(s, idx, line, sb_str(&err));
	sb_free(&err);
	return rc;
}

/* yajl finds where an entry ends: the parse is cancelled when the value
 * that began it is complete. */
struct span {
	int depth;
	bool done;
};

static int sp_open(void *ctx)
{
	((struct span *)ctx)->depth++;
	return 1;
}

static int sp_close(void *ctx)
{
	struct span *sp = ctx;

	if (--sp->depth == 0)
		sp->done = true;
	return !sp->done;
}

static int sp_scalar(void *ctx)
{
	struct span *sp = ctx;

	if (sp->depth == 0)
		sp->done = true;
	return !sp->done;
}

static int sp_null(void *c) { return sp_scalar(c); }
static int sp_bool(void *c, int b) { (void)b; return sp_scalar(c); }
static int sp_num(void *c, const char *t, size_t n) { (void)t; (void)n; return sp_scalar(c); }
static int sp_str(void *c, const unsigned char *t, size_t n) { (void)t; (void)n; return sp_scalar(c); }
static int sp_key(void *c, const unsigned char *t, size_t n) { (void)c; (void)t; (void)n; return 1; }

static const yajl_callbacks span_cbs = {
	.yajl_null = sp_null,
	.yajl_boolean = sp_bool,
	.yajl_number = sp_num,
	.yajl_string = sp_str,
	.yajl_start_map = sp_open,
	.yajl_map_key = sp_key,
	.yajl_end_map = sp_close,
	.yajl_start_array = sp_open,
	.yajl_end_array = sp_close,
};

/* The length of the JSON value at r->pos (reading more of the file as
 * needed): 0 after printing why it is not one. */
static size_t entry_span(struct apply_set *s, struct src *r)
{
	struct span sp = { 0 };
	yajl_handle h = yajl_alloc(&span_cbs, NULL, &sp);
	size_t fed = 0, used = 0;
	yajl_status st = yajl_status_ok;

	if (!h) {
		err_fail("out of memory");
		return 0;
	}
	for (;;) {
		size_t have = r->len - r->pos;

		if (have > fed) {
			st = yajl_parse(h, (const unsigned char *)r->buf + r->pos + fed,
					have - fed);
			used = fed + yajl_get_bytes_consumed(h);
			fed = have;
			if (st != yajl_status_ok)
				break;
		}
		if (r->eof) {
			st = yajl_complete_parse(h);
			used = fed;
			break;
		}
		if (src_fill(r, have + CHUNK)) {
			yajl_free(h);
			src_fail(s, r);
			return 0;
		}
	}
	if (st == yajl_status_client_canceled && sp.done) {
		yajl_free(h);
		return used;
	}
	{
		unsigned char *e = yajl_get_error(h, 0, NULL, 0);
		unsigned line = r->line;
		struct strbuf msg = STRBUF_INIT;
		const char *t = (const char *)e;

		count_lines(r->buf + r->pos, used < r->len - r->pos ? used : r->len - r->pos,
			    &line);
		/* "parse error: premature EOF\n" and the like */
		if (t && !strncmp(t, "parse error: ", 13))
			t += 13;
		sb_adds(&msg, "invalid JSON: ");
		sb_add(&msg, t ? t : "?", t ? strcspn(t, "\n") : 1);
		if (st == yajl_status_ok || (t && strstr(t, "premature EOF")))
			sb_adds(&msg, " (the file ends inside this entry)");
		entry_err(s, s->n, line, sb_str(&msg));
		sb_free(&msg);
		yajl_free_error(h, e);
		yajl_free(h);
	}
	return 0;
}

/* The general path: one entry of any JSON layout. */
static int read_general(struct apply_set *s, struct src *r)
{
	struct strbuf qb = STRBUF_INIT;
	size_t n = entry_span(s, r);
	json_error_t jerr;
	json_t *elem;
	int rc;

	if (!n)
		return EXIT_FAIL;
	quote_numbers(r->buf + r->pos, n, &qb);
	elem = json_loadb(qb.buf, qb.len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			  &jerr);
	if (!elem) {
		struct strbuf msg = STRBUF_INIT;
		unsigned line = r->line;
		size_t at = jerr.position > 0 ? (size_t)jerr.position : 0;

		count_lines(qb.buf, at < qb.len ? at : qb.len, &line);
		sb_adds(&msg, "invalid JSON: ");
		unquote(jerr.text, &msg);
		rc = entry_err(s, s->n, line, sb_str(&msg));
		sb_free(&msg);
		sb_free(&qb);
		return rc;
	}
	sb_free(&qb);
	rc = add_entry(s, elem, r->line);
	json_decref(elem);
	count_lines(r->buf + r->pos, n, &r->line);
	r->pos += n;
	return rc;
}

/* The compiled form of what save writes for one entry; per-CPU maps
 * read "value" (the sum) into src 1 and CPU c's value from src 2 + c. */
static struct tvf *entry_program(const struct mapref *m)
{
	struct tvf *f;

	if (!m->key || !m->value || (m->percpu && m->ncpus > 250) || !(f = tvf_new()))
		return NULL;
	tvf_lit(f, "{\"key\":", 7);
	tvf_plan_json(f, m->key, 0);
	tvf_lit(f, ",\"value\":", 9);
	tvf_plan_json(f, m->value, 1);
	if (m->percpu) {
		char lit[64];

		tvf_lit(f, ",\"per_cpu\":[", 12);
		for (int c = 0; c < m->ncpus; c++) {
			int n = snprintf(lit, sizeof(lit), "%s{\"cpu\":%d,\"value\":",
					 c ? "}," : "", c);

			tvf_lit(f, lit, (size_t)n);
			tvf_plan_json(f, m->value, 2 + (unsigned)c);
		}
		tvf_lit(f, "}]", 2);
	}
	tvf_lit(f, "}", 1);
	if (tvf_ok(f))
		return f;
	tvf_free(f);
	return NULL;
}

/* The fast path: 1 when the entry at r->pos was read, 0 when it is not in
 * save's exact form. */
static int read_fast(struct apply_set *s, struct src *r, const struct tvf *f,
		     void **recs, char *sum)
{
	const struct mapref *m = s->m;
	struct strbuf err = STRBUF_INIT;
	size_t n;
	bool exact;

	if (s->n == s->cap && set_grow(s))
		return -1;
	recs[0] = KEY_AT(s, s->n);
	recs[1] = m->percpu ? sum : VAL_AT(s, s->n);
	for (int c = 0; m->percpu && c < m->ncpus; c++)
		recs[2 + c] = VAL_AT(s, s->n) + (size_t)c * m->stride;
	memset(recs[0], 0, m->info.key_size);
	memset(VAL_AT(s, s->n), 0, m->lookup_size);
	if (m->percpu)
		memset(sum, 0, m->info.value_size);
	n = tvf_read(f, r->buf + r->pos, r->len - r->pos, recs, &exact);
	if (!n)
		return 0;
	if (!exact) {	/* printed back, it must be the same bytes */
		sb_reset(&s->text);
		tvf_run(f, &s->text, (const void *const *)recs);
		if (s->text.len != n || memcmp(s->text.buf, r->buf + r->pos, n))
			return 0;
	}
	if (m->percpu) {	/* "value" must be what dump sums */
		char *want = sum + m->info.value_size + 8;

		mapref_sum_cpus(m, VAL_AT(s, s->n), want);
		if (memcmp(sum, want, m->info.value_size))
			return 0;	/* the general path says so */
	}
	if (check_index(s, recs[0], &err)) {
		sb_free(&err);
		return 0;	/* the general path says why */
	}
	s->lines[s->n++] = r->line;
	s->fast++;
	r->pos += n;
	return 1;
}

/* ---- the index ---- */

long set_find(const struct apply_set *s, const void *key)
{
	size_t ks = s->m->info.key_size, mask = s->nslots - 1;

	if (!s->nslots)
		return -1;
	for (size_t i = hash_bytes(key, ks) & mask;; i = (i + 1) & mask) {
		uint32_t e = s->slots[i];

		if (!e)
			return -1;
		if (!memcmp(KEY_AT(s, e - 1), key, ks))
			return (long)e - 1;
	}
}

/* Index the keys; a key given twice is an error (apply_set.h). */
int set_index(struct apply_set *s, bool first_wins)
{
	size_t ks = s->m->info.key_size, mask;

	s->nslots = 16;
	while (s->nslots < 2 * s->n)
		s->nslots *= 2;
	s->slots = calloc(s->nslots, sizeof(*s->slots));
	if (!s->slots)
		return err_fail("out of memory");
	mask = s->nslots - 1;
	for (size_t e = 0; e < s->n; e++) {
		const char *key = KEY_AT(s, e);
		size_t i = hash_bytes(key, ks) & mask;

		for (; s->slots[i]; i = (i + 1) & mask) {
			size_t a = s->slots[i] - 1;

			if (!memcmp(KEY_AT(s, a), key, ks)) {
				char what[96];

				if (first_wins) {
					s->dups++;
					break;
				}
				snprintf(what, sizeof(what), "key: the same key as entry %zu",
					 a + 1);
				return entry_err(s, e, s->lines[e], what);
			}
		}
		if (!s->slots[i])
			s->slots[i] = (uint32_t)e + 1;
	}
	return EXIT_OK;
}

const char *set_mask(const struct apply_set *s, size_t i)
{
	size_t lo = 0, hi = s->npartial;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->partial[mid] == i)
			return s->masks + mid * s->m->lookup_size;
		if (s->partial[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- the file ---- */

static int read_entries(struct apply_set *s, struct src *r)
{
	const struct mapref *m = s->m;
	struct tvf *f = entry_program(m);
	void **recs = calloc((size_t)m->ncpus + 2, sizeof(*recs));
	char *sum = calloc(2, m->info.value_size + 8);
	bool array;
	int c, rc = EXIT_OK;

	if (!recs || !sum) {
		rc = err_fail("out of memory");
		goto out;
	}

	if ((c = src_peek(r)) < 0) {
		rc = src_fail(s, r);
		goto out;
	}
	if (!c) {
		rc = err_fail("%s: empty file (expected a JSON array of entries or JSON lines; [] for none)",
			      s->file);
		goto out;
	}
	array = c == '[';
	if (array)
		r->pos++;
	for (;;) {
		if ((c = src_peek(r)) < 0) {
			rc = src_fail(s, r);
			break;
		}
		if (array && c == ']') {
			r->pos++;
			if ((c = src_peek(r)) < 0)
				rc = src_fail(s, r);
			else if (c)
				rc = err_fail("%s:%u: unexpected text after the array",
					      s->file, r->line);
			break;
		}
		if (!c) {
			if (array)
				rc = err_fail("%s:%u: the array is not closed (expected ']')",
					      s->file, r->line);
			break;
		}
		if (src_fill(r, AHEAD)) {
			rc = src_fail(s, r);
			break;
		}
		c = f && r->buf[r->pos] == '{' ? read_fast(s, r, f, recs, sum) : 0;
		if (c < 0) {
			rc = err_fail("out of memory");
			break;
		}
		if (!c && (rc = read_general(s, r)))
			break;
		if (!array)
			continue;
		if ((c = src_peek(r)) < 0) {
			rc = src_fail(s, r);
			break;
		}
		if (c == ',') {
			r->pos++;
			if ((c = src_peek(r)) < 0) {
				rc = src_fail(s, r);
				break;
			}
			if (c == ']') {
				rc = err_fail("%s:%u: a ',' before ']' (JSON has no trailing commas)",
					      s->file, r->line);
				break;
			}
			continue;
		}
		if (c == ']')
			continue;
		if (!c) {
			rc = err_fail("%s:%u: the array is not closed (expected ']')",
				      s->file, r->line);
			break;
		}
		rc = err_fail("%s:%u: entry %zu: expected ',' or ']' after it", s->file,
			      r->line, s->n);
		break;
	}
out:
	tvf_free(f);
	free(recs);
	free(sum);
	return rc;
}

int apply_read(struct apply_set *s, const char *path, bool *unreadable)
{
	struct src r = { .line = 1 };
	int rc;

	*unreadable = false;
	r.fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (r.fd < 0) {
		*unreadable = true;
		return err_fail("%s %s: cannot read %s: %s", s->m->name,
				s->verb ? s->verb : "apply", path, strerror(errno));
	}
	rc = read_entries(s, &r);
	if (rc && r.err && r.err != EILSEQ)
		*unreadable = true;
	if (!rc)
		rc = set_index(s, false);
	if (r.fd != STDIN_FILENO)
		close(r.fd);
	free(r.buf);
	return rc;
}
