// SPDX-License-Identifier: GPL-2.0
/* Writing verbs: update/add/replace, delete, set, clear. Every word is
 * parsed and checked before the first syscall that writes, so bad input
 * leaves the map exactly as it was. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "map/write.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"

/* Parse VALUE words into one CPU's value at buf (which holds what the
 * fields not named keep). */
static int parse_value(const struct mapref *m, const char *verb, int argc,
		       char **argv, void *buf)
{
	struct strbuf err = STRBUF_INIT;
	int rc;

	if (!m->value)
		return err_usage("%s %s: %s maps have no values", m->name, verb,
				 map_type_str(m->info.type));
	rc = tv_parse_args(m->value, argc, argv, buf, 0, &err);
	if (rc) {
		rc = err_usage("%s %s: %s", m->name, verb,
			       err.len ? sb_str(&err) : "not a valid value");
		sb_free(&err);
		return rc;
	}
	sb_free(&err);
	return EXIT_OK;
}

/* Write one entry (new: a whole lookup's bytes) through the write path;
 * the kernel's refusal is printed. */
static int write_entry(const struct mapref *m, const char *verb,
		       const void *key, const void *new, __u64 flags)
{
	int rc = mapw_update(m, key, new, flags);

	return rc ? mapw_error(m, verb, rc, key) : EXIT_OK;
}

/* The entry under key as it is now into raw (lookup_size bytes): 1 when
 * it exists, 0 when not (raw is then zero), or an exit code printed. */
static int read_old(const struct mapref *m, const char *verb, const void *key,
		    void *raw)
{
	if (!bpf_map_lookup_elem(m->fd, key, raw))
		return 1;
	memset(raw, 0, m->lookup_size);
	if (errno == ENOENT)
		return 0;
	return -mapref_write_error(m, verb, errno, key);
}

int verb_update(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct kv_split s;
	__u64 flags;
	void *key = NULL, *raw = NULL;
	bool keep;
	int rc;

	rc = verb_update_flags(m, cmd->name, opts, &flags);
	if (rc)
		return rc;
	/* Fields the words do not name keep what the entry has, unless
	 * --zero-rest; an entry that must be new has nothing to keep. */
	keep = !opts->count[VOPT_ZERO_REST] && flags != BPF_NOEXIST;
	rc = verb_split_kv(m, cmd->name, argc, argv, opt_get(opts, VOPT_CPU), &s);
	if (rc)
		goto out;
	if (!s.nkey) {
		rc = err_usage("%s %s: no key given (expected KEY VALUE; see 'mapsh %s %s --help')",
			       m->name, cmd->name, mapref_sel(m), cmd->name);
		goto out;
	}
	if (!s.nval) {
		rc = err_usage("%s %s: no value given after the key (write 'key KEY... value VALUE...'; see 'mapsh %s %s --help')",
			       m->name, cmd->name, mapref_sel(m), cmd->name);
		goto out;
	}
	key = calloc(1, m->info.key_size + 1);
	raw = calloc(1, m->lookup_size + 8);
	if (!key || !raw) {
		rc = err_fail("out of memory");
		goto out;
	}
	rc = mapref_parse_key(m, cmd->name, s.nkey, s.key, key);
	if (rc)
		goto out;
	if (!m->value) {
		rc = parse_value(m, cmd->name, s.nval, s.val, raw);
		goto out;	/* (refused: no values) */
	}
	/* Per-CPU with --cpu N: the other CPUs keep theirs (zero in a new
	 * entry) whatever --zero-rest says. */
	if (keep || (m->percpu && s.cpu >= 0)) {
		rc = read_old(m, cmd->name, key, raw);
		if (rc < 0) {
			rc = -rc;
			goto out;
		}
		rc = EXIT_OK;
	}
	for (int c = 0; c < m->ncpus; c++) {
		char *v = (char *)raw + (size_t)c * m->stride;

		if (s.cpu >= 0 && c != s.cpu)
			continue;
		if (!keep)
			memset(v, 0, m->info.value_size);
		rc = parse_value(m, cmd->name, s.nval, s.val, v);
		if (rc)
			goto out;	/* nothing written yet */
	}
	rc = write_entry(m, cmd->name, key, raw, flags);
out:
	kv_split_free(&s);
	free(key);
	free(raw);
	return rc;
}

int verb_delete(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	void *key = calloc(1, m->info.key_size + 1);
	int rc;

	if (!key)
		return err_fail("out of memory");
	rc = mapref_parse_key(m, cmd->name, argc, argv, key);
	if (!rc && (rc = mapw_delete(m, key)))
		rc = mapw_error(m, cmd->name, rc, key);
	free(key);
	return rc;
}

/* FIELD=VALUE: a field path (a, a.b, a[2]) then '='. */
static bool is_field_word(const char *w)
{
	size_t n = strcspn(w, "=");

	if (!w[n] || !n || !(isalpha((unsigned char)w[0]) || w[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && !strchr("_.[]", w[i]))
			return false;
	return true;
}

/* set changes only the fields it names: a bare word (a value in field
 * order, bytes, JSON) would be taken for a whole value, so it is refused
 * (a value without BTF has no fields: bytes are all it takes). */
static int check_field_words(const struct mapref *m, const char *verb,
			     int n, char **w)
{
	struct strbuf names = STRBUF_INIT;
	uint32_t shown = 0;
	int rc;

	if (m->value && tv_plan_is_raw(m->value))
		return EXIT_OK;	/* no BTF, no fields: the bytes are the value */
	for (int i = 0; i < n; i++) {
		if (is_field_word(w[i]))
			continue;
		for (uint32_t l = 0; m->value && l < tv_plan_nleaves(m->value); l++) {
			const struct tv_leaf *lf = tv_plan_leaf(m->value, l);

			if (lf->is_padding || !*lf->name)
				continue;
			if (shown++ == 4) {
				sb_adds(&names, ", ...");
				break;
			}
			sb_addf(&names, "%s%s", shown > 1 ? ", " : "", lf->name);
		}
		rc = err_usage("%s %s: '%s' is not FIELD=VALUE (fields: %s; to write a whole value use update)",
			       m->name, verb, w[i],
			       names.len ? sb_str(&names) : "none: the value has no named fields");
		sb_free(&names);
		return rc;
	}
	return EXIT_OK;
}

int verb_set(struct ctx *ctx, const struct cmd *cmd,
	     const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct kv_split s;
	void *key = NULL, *raw = NULL, *copy = NULL;
	int rc;

	rc = verb_split_kv(m, cmd->name, argc, argv, opt_get(opts, VOPT_CPU), &s);
	if (rc)
		goto out;
	if (!s.nval && s.nkey && m->is_array && m->info.max_entries == 1) {
		/* No key to give: every word is a field (tval names the
		 * bad ones). */
		s.val = s.key;
		s.nval = s.nkey;
		s.nkey = 0;
	}
	rc = check_field_words(m, cmd->name, s.nval, s.val);
	if (rc)
		goto out;
	if (!s.nval) {
		rc = err_usage("%s set: nothing to set: no FIELD=VALUE names a field of %s (expected [KEY] FIELD=VALUE...)",
			       m->name, m->value ? tv_plan_type_name(m->value) : "the value");
		goto out;
	}
	key = calloc(1, m->info.key_size + 1);
	raw = calloc(1, m->lookup_size + 8);
	copy = calloc(1, m->lookup_size + 8);
	if (!key || !raw || !copy) {
		rc = err_fail("out of memory");
		goto out;
	}
	if (!s.nkey) {
		/* A one-element array has one key: 0. */
		if (!(m->is_array && m->info.max_entries == 1)) {
			rc = err_usage("%s set: no key given (expected KEY FIELD=VALUE...; see 'mapsh %s set --help')",
				       m->name, mapref_sel(m));
			goto out;
		}
	} else {
		rc = mapref_parse_key(m, cmd->name, s.nkey, s.key, key);
		if (rc)
			goto out;
	}
	if (bpf_map_lookup_elem(m->fd, key, raw)) {
		rc = mapref_write_error(m, cmd->name, errno, key);
		goto out;
	}
	memcpy(copy, raw, m->lookup_size);
	for (int c = 0; c < m->ncpus; c++) {
		if (s.cpu >= 0 && c != s.cpu)
			continue;
		rc = parse_value(m, cmd->name, s.nval, s.val,
				 (char *)copy + (size_t)c * m->stride);
		if (rc)
			goto out;	/* nothing written yet */
	}
	if (!memcmp(copy, raw, m->lookup_size))
		goto out;	/* already so: nothing to write */
	rc = write_entry(m, cmd->name, key, copy, BPF_EXIST);
out:
	kv_split_free(&s);
	free(key);
	free(raw);
	free(copy);
	return rc;
}

/* ---- clear ---- */

int verb_confirm_clear(struct ctx *ctx, const struct mapref *m)
{
	char line[64];

	if (ctx->set.yes)
		return EXIT_OK;
	if (!isatty(STDIN_FILENO))
		return err_usage("%s clear: this deletes every entry: add --yes (stdin is not a terminal to ask)",
				 m->name);
	out_flush(&ctx->out);
	fprintf(stderr, "%s every %s of %s? [y/N] ",
		m->is_array ? "Zero" : "Delete",
		m->is_array ? "element" : "entry", m->name);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) ||
	    !(line[0] == 'y' || line[0] == 'Y'))
		return err_fail("%s clear: not confirmed, nothing changed", m->name);
	return EXIT_OK;
}

static bool all_zero(const struct mapref *m, const char *v)
{
	for (int c = 0; c < m->ncpus; c++)
		for (__u32 i = 0; i < m->info.value_size; i++)
			if (v[(size_t)c * m->stride + i])
				return false;
	return true;
}

/* The undo journal of a clear: every entry and its value, deleted (an
 * array: every element that is not zero, zeroed). */
static int journal_clear(struct mapref *m)
{
	struct mapiter it;
	const void *keys, *vals;
	char *zero = calloc(1, m->lookup_size + 8);
	__u32 n;
	int r, rc;

	if (!zero)
		return err_fail("out of memory");
	rc = mapw_journal_begin(m, 1024);
	if (!rc && mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
				m->info.max_entries))
		rc = err_fail("out of memory");
	else if (!rc) {
		while (!rc && (r = mapiter_next_chunk(&it, &keys, &vals, &n)) > 0) {
			for (__u32 j = 0; j < n && !rc; j++) {
				const char *k = (const char *)keys + (size_t)j * m->info.key_size;
				const char *v = (const char *)vals + (size_t)j * m->lookup_size;

				if (m->is_array && all_zero(m, v))
					continue;	/* already as clear leaves it */
				rc = mapw_journal_add(m, k, v, m->is_array ? zero : NULL);
			}
		}
		if (!rc && r < 0)
			rc = err_fail("%s clear: reading the map failed: %s", m->name,
				      strerror(-r));
		mapiter_fini(&it);
	}
	free(zero);
	return rc;
}

int verb_clear(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	unsigned long long done = 0;
	int rc;

	rc = verb_no_args(m, cmd->name, argc, argv);
	if (rc)
		return rc;
	rc = verb_confirm_clear(ctx, m);
	if (rc)
		return rc;
	/* Journaled: a Ctrl-C, SIGTERM or a refusal half-way puts every
	 * entry back (map/write.h). */
	interrupt_catch();
	rc = journal_clear(m);
	if (!rc)
		rc = mapw_journal_commit(m);
	if (!rc) {
		size_t n = 0;

		rc = mapw_journal_write(m, &n);
		done = n;
		if (!rc)
			mapw_journal_done(m);
	}
	if (rc)
		done = 0;	/* rolled back */
	else if (m->is_array)
		done = m->info.max_entries;	/* every element is zero now */
	if (out_is_json(o)) {
		out_object_begin(o);
		out_u64(o, m->is_array ? "zeroed" : "deleted", done);
		out_object_end(o);
	} else if (!rc) {
		out_line(o, "%s: %s %llu %s", m->name,
			 m->is_array ? "zeroed" : "deleted", done,
			 m->is_array ? (done == 1 ? "element" : "elements")
				     : (done == 1 ? "entry" : "entries"));
	}
	return rc;
}
