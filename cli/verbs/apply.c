// SPDX-License-Identifier: GPL-2.0
/* apply: the difference between a file's entry set (apply_read.c) and the
 * map, written; --dry-run lists it; --watch applies again when the file
 * changes. */
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
#include "map/write.h"
#include "output/entry_out.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"

#include "verbs/apply_set.h"

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

/* The plan through the undo journal (map/write.h): every change with
 * its old value on disk first, then written in batches. A signal, the
 * kernel's refusal or the audit log stops it, and what was written is
 * rolled back: the map is as it was. */
static int write_plan(struct apply_set *s, struct plan *p)
{
	const struct mapref *m = s->m;
	char *zero = calloc(1, m->lookup_size + 8);
	size_t done = 0;
	int rc;

	if (!zero)
		return err_fail("out of memory");
	rc = mapw_journal_begin(m, p->nch);
	for (size_t i = 0; !rc && i < p->nch; i++) {
		const struct change *c = &p->ch[i];
		const char *old = c->op == CH_ADD ? NULL : p->olds + c->old * m->lookup_size;
		const char *new = c->op == CH_REMOVE ? (m->is_array ? zero : NULL)
						     : VAL_AT(s, c->entry);

		rc = mapw_journal_add(m, change_key(s, p, c), old, new);
	}
	if (!rc)
		rc = mapw_journal_commit(m);
	if (!rc)
		rc = mapw_journal_write(m, &done);
	if (!rc)
		mapw_journal_done(m);
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
	/* The map's write lock before reading what will change (--watch
	 * lets it go between rounds). */
	if (!rc && !ao->dry_run)
		rc = mapw_prepare(m);
	if (!rc)
		rc = make_plan(&s, ao->prune, &p);
	if (!rc && !ao->dry_run)
		rc = write_plan(&s, &p);
	if (ao->watch)
		mapw_release(m);
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
		/* Woken at least every second to look at the pin. */
		int r = poll(&pfd, 1, 1000), hit = 0, pin;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = err_fail("%s apply: %s", m->name, strerror(errno));
			break;
		}
		if (r > 0)
			hit = drain_events(ifd, base);
		/* Let a burst of writes settle: apply once after it. */
		while (r > 0 && hit >= 0 && !interrupted() && poll(&pfd, 1, 100) > 0) {
			int more = drain_events(ifd, base);

			hit = more < 0 ? -1 : hit | more;
		}
		if (hit < 0) {
			rc = err_fail("%s apply: %s was removed or moved: stopped watching",
				      m->name, dir);
			break;
		}
		if (interrupted())
			break;
		/* The map the pin names now (map/repin.h), checked before
		 * each run: after a reload the file goes to the new map at
		 * once. m is ctx->map, which the dispatcher frees. */
		pin = mapref_follow_pin(&ctx->map, &ctx->set.map,
					hit ? MAPREF_PIN_NOW : 0, NULL, NULL);
		if (pin == MAPREF_PIN_GONE) {
			rc = EXIT_FAIL;
			break;
		}
		m = ctx->map;
		if (hit || pin == MAPREF_PIN_NEW)
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
	/* Ctrl-C and SIGTERM stop the write cleanly: rolled back, exit
	 * 128 + the signal. */
	if (!ao.dry_run)
		interrupt_catch();
	return apply_once(ctx, m, argv[0], &ao, &unreadable);
}
