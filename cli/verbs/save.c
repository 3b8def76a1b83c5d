// SPDX-License-Identifier: GPL-2.0
/* save and apply: a map's entries to a JSON file and back.
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

#define NUM_MARK '\x01'
#define MARK_JSON "\"\\u0001"	/* a marked string as JSON text */

/* ---- save ---- */

/* Where save writes: a temporary file next to FILE, renamed over it at
 * the end; or stdout through ctx->out. */
struct save_dest {
	const char *path;
	char *tmp;
	FILE *fp;
	struct out fo;
	bool file;
};

static int save_open(struct ctx *ctx, const struct mapref *m, const char *path,
		     struct save_dest *d)
{
	struct stat st;
	mode_t mode, um;
	int fd;

	memset(d, 0, sizeof(*d));
	d->path = path;
	if (!strcmp(path, "-"))
		return EXIT_OK;
	d->file = true;
	if (asprintf(&d->tmp, "%s.XXXXXX", path) < 0)
		return err_fail("out of memory");
	fd = mkstemp(d->tmp);
	if (fd < 0) {
		int e = errno;

		free(d->tmp);
		d->tmp = NULL;
		return err_fail("%s save: cannot write %s: %s", m->name, path,
				strerror(e));
	}
	/* Keep the mode of the file replaced; a new one gets 0666 & ~umask. */
	if (!stat(path, &st)) {
		mode = st.st_mode & 07777;
	} else {
		um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	fchmod(fd, mode);
	d->fp = fdopen(fd, "w");
	if (!d->fp) {
		close(fd);
		unlink(d->tmp);
		free(d->tmp);
		d->tmp = NULL;
		return err_fail("out of memory");
	}
	out_init(&d->fo, ctx->out.mode == OUT_JSONL ? OUT_JSONL : OUT_JSON,
		 ctx->set.pretty, d->fp);
	return EXIT_OK;
}

/* Rename into place (ok) or throw away. */
static int save_close(const struct mapref *m, struct save_dest *d, bool ok)
{
	int rc = EXIT_OK;

	if (!d->file)
		return EXIT_OK;
	out_flush(&d->fo);
	if (ok && d->fo.broken)
		rc = err_fail("%s save: writing %s failed: %s", m->name, d->path,
			      strerror(errno ? errno : EIO));
	else if (ok && fsync(fileno(d->fp)))
		rc = err_fail("%s save: writing %s failed: %s", m->name, d->path,
			      strerror(errno));
	out_fini(&d->fo);
	if (fclose(d->fp) && ok && !rc)
		rc = err_fail("%s save: writing %s failed: %s", m->name, d->path,
			      strerror(errno));
	if (ok && !rc && rename(d->tmp, d->path))
		rc = err_fail("%s save: cannot replace %s: %s", m->name, d->path,
			      strerror(errno));
	if (!ok || rc)
		unlink(d->tmp);
	free(d->tmp);
	return ok ? rc : EXIT_FAIL;
}

int verb_save(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o;
	enum out_mode saved_mode = ctx->out.mode;
	struct save_dest d;
	struct entry_out eo;
	struct mapiter it;
	const void *k, *raw;
	unsigned long long n = 0;
	int r, rc;

	if (argc > 1)
		return err_usage("%s save: unexpected argument '%s' (expected [FILE])",
				 m->name, argv[1]);
	rc = save_open(ctx, m, argc ? argv[0] : "-", &d);
	if (rc)
		return rc;
	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries)) {
		save_close(m, &d, false);
		return err_fail("out of memory");
	}
	if (d.file) {
		o = &d.fo;
	} else {
		o = &ctx->out;	/* JSON whatever the output mode */
		if (!out_is_json(o))
			o->mode = OUT_JSON;
	}
	eo_init(&eo, &ctx->out, m, NULL, false);
	eo.o = o;
	out_list_begin(o);
	while ((r = mapiter_next(&it, &k, &raw)) > 0) {
		eo_entry(&eo, k, eo_total(&eo, raw), raw);
		n++;
		if (o->broken)
			break;
	}
	out_list_end(o);
	eo_fini(&eo);
	mapiter_fini(&it);
	ctx->out.mode = saved_mode;
	if (r < 0) {
		save_close(m, &d, false);
		return err_fail("%s save: reading the map failed: %s", m->name,
				strerror(-r));
	}
	rc = save_close(m, &d, true);
	if (rc || !d.file)
		return rc;
	o = &ctx->out;
	if (out_is_json(o)) {
		out_object_begin(o);
		out_str(o, "map", m->name);
		out_str(o, "file", d.path);
		out_u64(o, "entries", n);
		out_object_end(o);
	} else {
		out_line(o, "%s: saved %llu %s to %s", m->name, n,
			 n == 1 ? "entry" : "entries", d.path);
	}
	return EXIT_OK;
}

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

static int read_all(const char *path, struct strbuf *sb, int *err)
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

struct apply_set {
	const struct mapref *m;
	const char *file;	/* for messages */
	size_t n, cap;
	char *keys;		/* n * key_size */
	char *vals;		/* n * lookup_size: the value to write */
	json_t **elems;		/* the entry objects, to merge over the map */
	unsigned *lines;	/* line of each entry */
	size_t *order;		/* entry indexes by key bytes */
	struct strbuf text;	/* scratch for json_text */
};

static void set_free(struct apply_set *s)
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

#define KEY_AT(s, i) ((s)->keys + (size_t)(i) * (s)->m->info.key_size)
#define VAL_AT(s, i) ((s)->vals + (size_t)(i) * (s)->m->lookup_size)

/* "FILE:LINE: entry N: what" */
static int entry_err(const struct apply_set *s, size_t idx, unsigned line,
		     const char *what)
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
static int parse_entries(struct apply_set *s, const char *text, size_t len)
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

static int index_keys(struct apply_set *s)
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
static bool sorted_keys_have(const char *keys, const size_t *order, size_t n,
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

static bool set_has_key(const struct apply_set *s, const void *key)
{
	return sorted_keys_have(s->keys, s->order, s->n, s->m->info.key_size, key);
}

/* ---- comparing and writing ---- */

enum change_op { CH_CHANGE, CH_REMOVE, CH_ADD };
static const char *const change_names[] = { "change", "remove", "add" };

/* The changes to make, in the order they are written. */
struct change {
	enum change_op op;
	size_t entry;		/* CH_CHANGE, CH_ADD: the file's entry */
	size_t old;		/* CH_CHANGE, CH_REMOVE: index into olds */
};

struct plan {
	struct change *ch;
	size_t nch, chcap;
	char *olds;		/* old values: lookup_size apart */
	char *rkeys;		/* keys of CH_REMOVE: key_size apart */
	size_t nold, oldcap, nrk, rkcap;
	unsigned long long added, changed, unchanged, removed;
};

static void plan_free(struct plan *p)
{
	free(p->ch);
	free(p->olds);
	free(p->rkeys);
}

static int grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	void *b;
	size_t c;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	while (c < need)
		c *= 2;
	b = realloc(*buf, c * elem);
	if (!b)
		return -1;
	*buf = b;
	*cap = c;
	return 0;
}

static int plan_add(struct plan *p, const struct mapref *m, enum change_op op,
		    size_t entry, const void *old, const void *rkey)
{
	struct change *c;

	if (grow((void **)&p->ch, &p->chcap, p->nch + 1, sizeof(*p->ch)))
		return -1;
	c = &p->ch[p->nch++];
	c->op = op;
	c->entry = entry;
	c->old = 0;
	if (old) {
		if (grow((void **)&p->olds, &p->oldcap, p->nold + 1, m->lookup_size))
			return -1;
		memcpy(p->olds + p->nold * m->lookup_size, old, m->lookup_size);
		c->old = p->nold++;
	}
	if (rkey) {
		if (grow((void **)&p->rkeys, &p->rkcap, p->nrk + 1, m->info.key_size))
			return -1;
		memcpy(p->rkeys + p->nrk * m->info.key_size, rkey, m->info.key_size);
		c->entry = p->nrk++;
	}
	return 0;
}

static bool same_value(const struct mapref *m, const char *a, const char *b)
{
	for (int c = 0; c < m->ncpus; c++)
		if (memcmp(a + (size_t)c * m->stride, b + (size_t)c * m->stride,
			   m->info.value_size))
			return false;
	return true;
}

static bool is_zero(const struct mapref *m, const char *v)
{
	for (int c = 0; c < m->ncpus; c++)
		for (__u32 i = 0; i < m->info.value_size; i++)
			if (v[(size_t)c * m->stride + i])
				return false;
	return true;
}

/* The keys of an LPM trie, sorted: a trie's lookup is a longest-prefix
 * match, so whether a prefix is in the map takes a walk of its keys. */
struct keyset {
	char *keys;
	size_t n, cap;
	__u32 ks;
};

static int ks_cmp(const void *a, const void *b, void *arg)
{
	return memcmp(a, b, *(const __u32 *)arg);
}

static int keyset_load(struct keyset *k, const struct mapref *m)
{
	struct mapiter it;
	const void *key, *raw;
	int r;

	memset(k, 0, sizeof(*k));
	k->ks = m->info.key_size;
	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries))
		return -ENOMEM;
	while ((r = mapiter_next(&it, &key, &raw)) > 0) {
		if (grow((void **)&k->keys, &k->cap, k->n + 1, k->ks)) {
			r = -ENOMEM;
			break;
		}
		memcpy(k->keys + k->n++ * k->ks, key, k->ks);
	}
	mapiter_fini(&it);
	if (r < 0)
		return r;
	qsort_r(k->keys, k->n, k->ks, ks_cmp, &k->ks);
	return 0;
}

static bool keyset_has(const struct keyset *k, const void *key)
{
	return sorted_keys_have(k->keys, NULL, k->n, k->ks, key);
}

/* Compare the file with the map: what to change, remove and add. */
static int make_plan(struct apply_set *s, bool prune, struct plan *p)
{
	const struct mapref *m = s->m;
	char *cur = calloc(2, m->lookup_size + 8);
	char *merged = cur ? cur + m->lookup_size + 8 : NULL;
	bool *missing = calloc(s->n + 1, sizeof(*missing));
	struct strbuf err = STRBUF_INIT;
	struct keyset lpm = { 0 };
	int rc = EXIT_OK, r;

	if (!cur || !missing)
		goto oom;
	if (m->lpm && (r = keyset_load(&lpm, m))) {
		rc = err_fail("%s apply: reading the map failed: %s", m->name,
			      strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		memset(cur, 0, m->lookup_size);
		if (m->lpm && !keyset_has(&lpm, KEY_AT(s, i))) {
			missing[i] = true;
			continue;
		}
		if (bpf_map_lookup_elem(m->fd, KEY_AT(s, i), cur)) {
			if (errno != ENOENT) {
				rc = err_fail("%s apply: reading the map failed: %s",
					      m->name, strerror(errno));
				goto out;
			}
			missing[i] = true;
			continue;
		}
		/* Fields the entry leaves out keep the map's value. */
		memcpy(merged, cur, m->lookup_size);
		sb_reset(&err);
		if (parse_entry_value(s, s->elems[i], merged, false, &err)) {
			rc = entry_err(s, i, s->lines[i], sb_str(&err));
			goto out;
		}
		if (same_value(m, cur, merged)) {
			p->unchanged++;
			continue;
		}
		memcpy(VAL_AT(s, i), merged, m->lookup_size);
		if (plan_add(p, m, CH_CHANGE, i, cur, NULL))
			goto oom;
		p->changed++;
	}
	if (prune) {
		struct mapiter it;
		const void *k, *raw;

		if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
				 m->info.max_entries))
			goto oom;
		while ((r = mapiter_next(&it, &k, &raw)) > 0) {
			if (set_has_key(s, k))
				continue;
			if (m->is_array && is_zero(m, raw))
				continue;	/* already as --prune leaves it */
			if (plan_add(p, m, CH_REMOVE, 0, raw, k)) {
				mapiter_fini(&it);
				goto oom;
			}
			p->removed++;
		}
		mapiter_fini(&it);
		if (r < 0) {
			rc = err_fail("%s apply: reading the map failed: %s",
				      m->name, strerror(-r));
			goto out;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		if (!missing[i])
			continue;
		if (plan_add(p, m, CH_ADD, i, NULL, NULL))
			goto oom;
		p->added++;
	}
out:
	free(cur);
	free(missing);
	free(lpm.keys);
	sb_free(&err);
	return rc;
oom:
	rc = err_fail("out of memory");
	goto out;
}

static const void *change_key(const struct apply_set *s, const struct plan *p,
			      const struct change *c)
{
	return c->op == CH_REMOVE ? p->rkeys + c->entry * s->m->info.key_size
				  : KEY_AT(s, c->entry);
}

static int write_plan(struct apply_set *s, struct plan *p)
{
	const struct mapref *m = s->m;
	char *zero = calloc(1, m->lookup_size + 8);
	int rc = EXIT_OK;
	size_t i;

	if (!zero)
		return err_fail("out of memory");
	for (i = 0; i < p->nch; i++) {
		const struct change *c = &p->ch[i];
		const void *key = change_key(s, p, c);
		const char *old = c->op == CH_ADD ? NULL : p->olds + c->old * m->lookup_size;
		const char *new = c->op == CH_REMOVE ? (m->is_array ? zero : NULL)
						     : VAL_AT(s, c->entry);
		int e;

		if (new ? !bpf_map_update_elem(m->fd, key, new, BPF_ANY)
			: !bpf_map_delete_elem(m->fd, key)) {
			audit_change(m, "apply", key, old, new);
			continue;
		}
		e = errno;
		if (!new && e == ENOENT)
			continue;	/* gone meanwhile (LRU, the program) */
		rc = mapref_write_error(m, "apply", e, key);
		err_warn("%s apply: stopped after %zu of %zu changes (the ones made are kept)",
			 m->name, i, p->nch);
		break;
	}
	free(zero);
	return rc;
}

/* ---- reporting ---- */

static void iso_now(char *buf, size_t n)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void value_text(const struct mapref *m, const char *raw, struct strbuf *sb)
{
	char *sum;

	if (!m->value)
		return;
	if (!m->percpu) {
		tv_format_text(m->value, raw, sb);
		return;
	}
	sum = calloc(1, m->info.value_size + 8);
	if (!sum)
		abort();
	mapref_sum_cpus(m, raw, sum);
	tv_format_text(m->value, sum, sb);
	free(sum);
}

static void report(struct ctx *ctx, const struct apply_set *s,
		   const struct plan *p, bool dry_run, bool watch)
{
	const struct mapref *m = s->m;
	struct out *o = &ctx->out;
	char now[64] = "";
	struct jw *jw;

	if (watch)
		iso_now(now, sizeof(now));
	if (!out_is_json(o)) {
		if (dry_run) {
			struct strbuf sb = STRBUF_INIT;

			for (size_t i = 0; i < p->nch; i++) {
				const struct change *c = &p->ch[i];
				const char *old = c->op == CH_ADD ? NULL
						  : p->olds + c->old * m->lookup_size;

				sb_reset(&sb);
				sb_addf(&sb, "%-6s ", change_names[c->op]);
				mapref_key_text(m, change_key(s, p, c), &sb);
				if (c->op != CH_ADD) {
					sb_adds(&sb, c->op == CH_CHANGE ? ": " : ": was ");
					value_text(m, old, &sb);
				}
				if (c->op != CH_REMOVE) {
					sb_adds(&sb, c->op == CH_CHANGE ? " -> " : ": ");
					value_text(m, VAL_AT(s, c->entry), &sb);
				}
				out_line(o, "%s", sb_str(&sb));
			}
			sb_free(&sb);
		}
		out_line(o, "%s%s%s: %llu added, %llu changed, %llu unchanged, %llu removed%s",
			 now, *now ? " " : "", m->name, p->added, p->changed,
			 p->unchanged, p->removed,
			 dry_run ? " (dry run: nothing written)" : "");
		out_flush(o);
		return;
	}
	out_object_begin(o);
	if (watch)
		out_str(o, "time", now);
	out_str(o, "map", m->name);
	out_str(o, "file", s->file);
	out_u64(o, "added", p->added);
	out_u64(o, "changed", p->changed);
	out_u64(o, "unchanged", p->unchanged);
	out_u64(o, "removed", p->removed);
	out_bool(o, "dry_run", dry_run);
	if (dry_run && (jw = out_json_field(o, "changes"))) {
		jw_start_array(jw);
		for (size_t i = 0; i < p->nch; i++) {
			const struct change *c = &p->ch[i];
			const char *old = c->op == CH_ADD ? NULL
					  : p->olds + c->old * m->lookup_size;
			const char *new = c->op == CH_REMOVE ? NULL : VAL_AT(s, c->entry);
			char *zero = NULL;

			if (c->op == CH_REMOVE && m->is_array) {
				zero = calloc(1, m->lookup_size + 8);
				if (!zero)
					abort();
				new = zero;
			}
			jw_start_object(jw);
			jw_kv_string(jw, "op", change_names[c->op]);
			audit_json_members(jw, m, change_key(s, p, c), old, new);
			jw_end_object(jw);
			free(zero);
		}
		jw_end_array(jw);
	}
	out_object_end(o);
}

/* ---- apply ---- */

struct apply_opts {
	bool prune, dry_run, watch;
};

/* Read, check, compare, write and report once. *unreadable: FILE could
 * not be read at all. */
static int apply_once(struct ctx *ctx, struct mapref *m, const char *path,
		      const struct apply_opts *ao, bool *unreadable)
{
	struct apply_set s = { .m = m, .file = strcmp(path, "-") ? path : "<stdin>" };
	struct strbuf text = STRBUF_INIT;
	struct plan p = { 0 };
	int rc, e = 0;

	*unreadable = false;
	if (read_all(path, &text, &e)) {
		*unreadable = true;
		sb_free(&text);
		return err_fail("%s apply: cannot read %s: %s", m->name, path,
				strerror(e));
	}
	rc = parse_entries(&s, text.buf ? text.buf : "", text.len);
	sb_free(&text);
	if (!rc)
		rc = index_keys(&s);
	if (!rc && !ao->dry_run)
		rc = audit_begin(ctx->set.audit_log, m, "apply");
	if (!rc)
		rc = make_plan(&s, ao->prune, &p);
	if (!rc && !ao->dry_run)
		rc = write_plan(&s, &p);
	if (!rc)
		report(ctx, &s, &p, ao->dry_run, ao->watch);
	plan_free(&p);
	set_free(&s);
	return rc;
}

static bool name_is(const struct inotify_event *ev, const char *base)
{
	return ev->len && !strcmp(ev->name, base);
}

/* Read the pending events: 1 when FILE was written or replaced, 0 when
 * not, -1 when the directory went away. */
static int drain_events(int ifd, const char *base)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	int hit = 0;

	for (;;) {
		ssize_t n = read(ifd, buf, sizeof(buf));

		if (n <= 0)
			return hit;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
				return -1;
			if (name_is(ev, base) && (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
				hit = 1;
			p += sizeof(*ev) + ev->len;
		}
	}
}

static int apply_watch(struct ctx *ctx, struct mapref *m, const char *path,
		       const struct apply_opts *ao)
{
	enum out_mode saved_mode = ctx->out.mode;
	char *dir = strdup(path);
	const char *base;
	char *slash;
	bool unreadable;
	int ifd = -1, rc = EXIT_OK;

	if (!dir)
		return err_fail("out of memory");
	slash = strrchr(dir, '/');
	if (!slash) {
		base = path;
		free(dir);
		dir = strdup(".");
		if (!dir)
			return err_fail("out of memory");
	} else {
		base = path + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (!*base) {
		free(dir);
		return err_usage("%s apply: --watch needs a file, not a directory ('%s')",
				 m->name, path);
	}
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0 || inotify_add_watch(ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
					 IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
		rc = err_fail("%s apply: cannot watch %s: %s", m->name, dir,
			      strerror(errno));
		goto out;
	}
	interrupt_catch();
	/* One report per run: JSON documents one per line. */
	if (ctx->out.mode == OUT_JSON)
		ctx->out.mode = OUT_JSONL;
	apply_once(ctx, m, path, ao, &unreadable);
	if (unreadable) {
		rc = EXIT_FAIL;
		goto out;
	}
	while (!interrupted()) {
		struct pollfd pfd = { .fd = ifd, .events = POLLIN };
		int r = poll(&pfd, 1, -1), hit;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = err_fail("%s apply: %s", m->name, strerror(errno));
			break;
		}
		hit = drain_events(ifd, base);
		/* Let a burst of writes settle: apply once after it. */
		while (hit >= 0 && !interrupted() && poll(&pfd, 1, 100) > 0) {
			int more = drain_events(ifd, base);

			hit = more < 0 ? -1 : hit | more;
		}
		if (hit < 0) {
			rc = err_fail("%s apply: %s was removed or moved: stopped watching",
				      m->name, dir);
			break;
		}
		if (hit && !interrupted())
			apply_once(ctx, m, path, ao, &unreadable);
	}
out:
	ctx->out.mode = saved_mode;
	if (ifd >= 0)
		close(ifd);
	free(dir);
	return rc;
}

int verb_apply(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct apply_opts ao = {
		.prune = opts->count[VOPT_PRUNE] > 0,
		.dry_run = opts->count[VOPT_DRY_RUN] > 0,
		.watch = opts->count[VOPT_WATCH] > 0,
	};
	bool unreadable;

	if (argc < 1)
		return err_usage("%s apply: no file given (expected FILE; see 'mapsh %s apply --help')",
				 m->name, m->name);
	if (argc > 1)
		return err_usage("%s apply: unexpected argument '%s' (expected FILE)",
				 m->name, argv[1]);
	if (!m->key)
		return err_usage("%s apply: %s maps have no keys", m->name,
				 map_type_str(m->info.type));
	if (ao.watch) {
		if (!strcmp(argv[0], "-"))
			return err_usage("%s apply: --watch needs a file, not standard input",
					 m->name);
		return apply_watch(ctx, m, argv[0], &ao);
	}
	return apply_once(ctx, m, argv[0], &ao, &unreadable);
}
