// SPDX-License-Identifier: GPL-2.0
/* apply, reading: the file save wrote into an entry set (apply.h).
 *
 * The file is what `mapsh -j MAP dump` prints: an array of {"key": K,
 * "value": V} (per-CPU maps add "per_cpu": [{"cpu": N, "value": V}, ...]),
 * or the same objects one per line. apply reads it with jansson, then hands
 * every key and value to the typed parser (tv_parse_json), and only when
 * every entry is valid compares with the map and writes the difference.
 *
 * jansson keeps integers in a long long, which would refuse a u64 above
 * INT64_MAX and round big numbers through doubles. So, as tval_json does,
 * every bare number token is first wrapped into a marked string
 * ("\u0001<token>"); an element's key or value is dumped back to text with
 * the marks removed again before tv_parse_json parses the numbers
 * exactly. Both passes only insert characters inside a line, so line
 * numbers in messages are the file's. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <jansson.h>
#include "map/audit.h"
#include "output/entry_out.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"

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

int read_all(const char *path, struct strbuf *sb, int *err)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	for (;;) {
		ssize_t n;

		sb_grow(sb, 65536);
		n = read(fd, sb->buf + sb->len, sb->cap - sb->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			if (fd != STDIN_FILENO)
				close(fd);
			return -1;
		}
		if (n == 0)
			break;
		sb->len += (size_t)n;
	}
	sb_grow(sb, 1);
	sb->buf[sb->len] = '\0';
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
}

/* ---- the entries of one file ---- */


void set_free(struct apply_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		json_decref(s->elems[i]);
	free(s->keys);
	free(s->vals);
	free(s->elems);
	free(s->lines);
	free(s->order);
	sb_free(&s->text);
}

static int set_grow(struct apply_set *s)
{
	const struct mapref *m = s->m;
	size_t cap = s->cap ? s->cap * 2 : 64;
	char *k, *v;
	json_t **e;
	unsigned *l;

	k = realloc(s->keys, cap * m->info.key_size);
	if (k)
		s->keys = k;
	v = realloc(s->vals, cap * m->lookup_size);
	if (v)
		s->vals = v;
	e = realloc(s->elems, cap * sizeof(*e));
	if (e)
		s->elems = e;
	l = realloc(s->lines, cap * sizeof(*l));
	if (l)
		s->lines = l;
	if (!k || !v || !e || !l)
		return -1;
	s->cap = cap;
	return 0;
}

/* "FILE:LINE: entry N: what" */
int entry_err(const struct apply_set *s, size_t idx, unsigned line, const char *what)
{
	return err_fail("%s:%u: entry %zu: %s", s->file, line, idx + 1, what);
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
int parse_entry_value(struct apply_set *s, json_t *elem, char *raw,
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
		json_decref(elem);
		return entry_err(s, idx, line,
				 "expected an object {\"key\": ..., \"value\": ...}");
	}
	json_object_foreach(elem, name, x) {
		if (strcmp(name, "key") && strcmp(name, "value") &&
		    strcmp(name, "per_cpu")) {
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
		json_decref(elem);
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
	s->elems[idx] = elem;
	s->lines[idx] = line;
	s->n++;
	sb_free(&err);
	return EXIT_OK;
bad:
	rc = entry_err(s, idx, line, sb_str(&err));
	json_decref(elem);
	sb_free(&err);
	return rc;
}

static void skip_ws(const char *q, size_t n, size_t *pos, unsigned *line)
{
	while (*pos < n && q[*pos] && strchr(" \t\r\n", q[*pos])) {
		if (q[*pos] == '\n')
			(*line)++;
		(*pos)++;
	}
}

static void count_lines(const char *q, size_t from, size_t to, unsigned *line)
{
	for (size_t i = from; i < to; i++)
		if (q[i] == '\n')
			(*line)++;
}

/* Every entry of the file's text, checked. */
int parse_entries(struct apply_set *s, const char *text, size_t len)
{
	struct strbuf qb = STRBUF_INIT;
	const char *q;
	size_t n, pos = 0;
	unsigned line = 1;
	bool array;
	int rc = EXIT_OK;

	if (memchr(text, '\0', len))
		return err_fail("%s: not a JSON file (it holds NUL bytes)", s->file);
	quote_numbers(text, len, &qb);
	q = sb_str(&qb);
	n = qb.len;
	skip_ws(q, n, &pos, &line);
	if (pos == n) {
		sb_free(&qb);
		return err_fail("%s: empty file (expected a JSON array of entries or JSON lines; [] for none)",
				s->file);
	}
	array = q[pos] == '[';
	if (array)
		pos++;
	for (;;) {
		json_error_t jerr;
		json_t *elem;
		size_t used;

		skip_ws(q, n, &pos, &line);
		if (array && pos < n && q[pos] == ']') {
			pos++;
			skip_ws(q, n, &pos, &line);
			if (pos < n)
				rc = err_fail("%s:%u: unexpected text after the array", s->file, line);
			break;
		}
		if (pos == n) {
			if (array)
				rc = err_fail("%s:%u: the array is not closed (expected ']')",
					      s->file, line);
			break;
		}
		elem = json_loadb(q + pos, n - pos,
				  JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY |
				  JSON_REJECT_DUPLICATES, &jerr);
		if (!elem) {
			struct strbuf msg = STRBUF_INIT;
			size_t at = jerr.position > 0 ? (size_t)jerr.position : 0;

			if (at > n - pos)
				at = n - pos;
			count_lines(q, pos, pos + at, &line);
			sb_adds(&msg, "invalid JSON: ");
			unquote(jerr.text, &msg);
			rc = entry_err(s, s->n, line, sb_str(&msg));
			sb_free(&msg);
			break;
		}
		used = jerr.position > 0 ? (size_t)jerr.position : 0;
		if (used > n - pos)
			used = n - pos;
		if (!used) {	/* jansson always reports what it read */
			json_decref(elem);
			rc = entry_err(s, s->n, line, "cannot be read");
			break;
		}
		rc = add_entry(s, elem, line);
		if (rc)
			break;
		count_lines(q, pos, pos + used, &line);
		pos += used;
		if (!array)
			continue;
		skip_ws(q, n, &pos, &line);
		if (pos < n && q[pos] == ',') {
			pos++;
			skip_ws(q, n, &pos, &line);
			if (pos < n && q[pos] == ']') {
				rc = err_fail("%s:%u: a ',' before ']' (JSON has no trailing commas)",
					      s->file, line);
				break;
			}
			continue;
		}
		if (pos < n && q[pos] == ']')
			continue;
		if (pos == n) {
			rc = err_fail("%s:%u: the array is not closed (expected ']')",
				      s->file, line);
			break;
		}
		rc = err_fail("%s:%u: entry %zu: expected ',' or ']' after it", s->file,
			      line, s->n);
		break;
	}
	sb_free(&qb);
	return rc;
}

/* Sort the entries by key; a key given twice is an error. */
static int key_cmp(const void *a, const void *b, void *arg)
{
	const struct apply_set *s = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = memcmp(KEY_AT(s, x), KEY_AT(s, y), s->m->info.key_size);

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

int index_keys(struct apply_set *s)
{
	s->order = malloc((s->n + 1) * sizeof(*s->order));
	if (!s->order)
		return err_fail("out of memory");
	for (size_t i = 0; i < s->n; i++)
		s->order[i] = i;
	qsort_r(s->order, s->n, sizeof(*s->order), key_cmp, s);
	for (size_t i = 1; i < s->n; i++) {
		size_t a = s->order[i - 1], b = s->order[i];

		if (!memcmp(KEY_AT(s, a), KEY_AT(s, b), s->m->info.key_size)) {
			char what[96];

			snprintf(what, sizeof(what), "key: the same key as entry %zu", a + 1);
			return entry_err(s, b, s->lines[b], what);
		}
	}
	return EXIT_OK;
}

/* Is key one of the n keys of ks bytes at keys, sorted by their bytes
 * through order (entry indexes), or as they stand when order is NULL? */
bool sorted_keys_have(const char *keys, const size_t *order, size_t n,
		      size_t ks, const void *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(keys + (order ? order[mid] : mid) * ks, key, ks);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool set_has_key(const struct apply_set *s, const void *key)
{
	return sorted_keys_have(s->keys, s->order, s->n, s->m->info.key_size, key);
}
