// SPDX-License-Identifier: GPL-2.0
/* apply: the difference between a file's entry set (apply_read.c) and the
 * map, written; --dry-run lists it; --watch applies again when the file
 * changes. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
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

/* ---- comparing ---- */

enum change_op { CH_CHANGE, CH_REMOVE, CH_ADD };
static const char *const change_names[] = { "change", "remove", "add" };

/* The change set, flat: changes (an entry and the map's old value),
 * removals (a key and its old value), and additions (the entries the map
 * did not hold: seen[] is clear). */
struct plan {
	uint32_t *chg;		/* entry indexes */
	char *chg_old;		/* lookup_size apart */
	size_t nchg, chgcap;
	char *rm_keys, *rm_old;	/* key_size / lookup_size apart */
	size_t nrm, rmcap;
	uint8_t *seen;		/* a bit per entry: the map holds its key */
	unsigned long long added, changed, unchanged, removed, in_map;
};

static void plan_free(struct plan *p)
{
	free(p->chg);
	free(p->chg_old);
	free(p->rm_keys);
	free(p->rm_old);
	free(p->seen);
}

static bool is_seen(const struct plan *p, size_t i)
{
	return p->seen[i / 8] & (1u << (i % 8));
}

static int grow(void **buf, size_t cap, size_t elem)
{
	void *b = realloc(*buf, cap * elem);

	if (!b)
		return -1;
	*buf = b;
	return 0;
}

static int add_change(struct plan *p, const struct mapref *m, size_t e,
		      const void *old)
{
	if (p->nchg == p->chgcap) {
		size_t cap = p->chgcap ? p->chgcap * 2 : 256;

		if (grow((void **)&p->chg, cap, sizeof(*p->chg)) ||
		    grow((void **)&p->chg_old, cap, m->lookup_size))
			return -1;
		p->chgcap = cap;
	}
	p->chg[p->nchg] = (uint32_t)e;
	memcpy(p->chg_old + p->nchg * m->lookup_size, old, m->lookup_size);
	p->nchg++;
	return 0;
}

static int add_remove(struct plan *p, const struct mapref *m, const void *key,
		      const void *old)
{
	if (p->nrm == p->rmcap) {
		size_t cap = p->rmcap ? p->rmcap * 2 : 256;

		if (grow((void **)&p->rm_keys, cap, m->info.key_size) ||
		    grow((void **)&p->rm_old, cap, m->lookup_size))
			return -1;
		p->rmcap = cap;
	}
	memcpy(p->rm_keys + p->nrm * m->info.key_size, key, m->info.key_size);
	memcpy(p->rm_old + p->nrm * m->lookup_size, old, m->lookup_size);
	p->nrm++;
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

/* The map, read on a thread of its own while the file is parsed: a big
 * apply then costs about the longer of the two instead of their sum. */
struct snapshot {
	pthread_t thread;
	bool running;
	const struct mapref *m;
	char *keys, *vals;	/* n entries, key_size / lookup_size apart */
	size_t n, cap;
	int err;		/* -errno */
};

static void *snap_read(void *arg)
{
	struct snapshot *sn = arg;
	const struct mapref *m = sn->m;
	struct mapiter it;
	const void *k, *v;
	__u32 n;
	int r;

	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries)) {
		sn->err = -ENOMEM;
		return NULL;
	}
	while ((r = mapiter_next_chunk(&it, &k, &v, &n)) > 0) {
		if (sn->n + n > sn->cap) {
			size_t cap = sn->cap ? sn->cap * 2 : 65536;
			char *nk, *nv;

			while (cap < sn->n + n)
				cap *= 2;
			nk = realloc(sn->keys, cap * m->info.key_size);
			if (nk)
				sn->keys = nk;
			nv = nk ? realloc(sn->vals, cap * m->lookup_size) : NULL;
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			sn->vals = nv;
			sn->cap = cap;
		}
		memcpy(sn->keys + sn->n * m->info.key_size, k, (size_t)n * m->info.key_size);
		memcpy(sn->vals + sn->n * m->lookup_size, v, (size_t)n * m->lookup_size);
		sn->n += n;
	}
	mapiter_fini(&it);
	sn->err = r < 0 ? r : 0;
	return NULL;
}

/* Start reading the map when the file is big enough that a copy of the
 * whole map costs no more memory than the file's own bytes. */
static void snap_start(struct snapshot *sn, const struct mapref *m, const char *path)
{
	struct stat st;
	sigset_t all, old;

	memset(sn, 0, sizeof(*sn));
	sn->m = m;
	if (!strcmp(path, "-") || stat(path, &st) || !S_ISREG(st.st_mode) ||
	    (unsigned long long)m->info.max_entries * (m->info.key_size + m->lookup_size) >
	    (unsigned long long)st.st_size || st.st_size < (16 << 20))
		return;
	sigfillset(&all);	/* signals stay with the main thread */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	sn->running = !pthread_create(&sn->thread, NULL, snap_read, sn);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void snap_join(struct snapshot *sn)
{
	if (sn->running)
		pthread_join(sn->thread, NULL);
	sn->running = false;
}

static void snap_free(struct snapshot *sn)
{
	snap_join(sn);
	free(sn->keys);
	free(sn->vals);
	sn->keys = sn->vals = NULL;
	sn->n = sn->cap = 0;
}

struct planner {
	struct apply_set *s;
	struct plan *p;
	bool prune;
	size_t next;
};

/* One entry of the map against the file. */
static int plan_entry(struct planner *pl, const void *k, const void *raw)
{
	struct apply_set *s = pl->s;
	const struct mapref *m = s->m;
	struct plan *p = pl->p;
	/* A file saved from this map lists its entries in the order the map
	 * gives them: try the entry after the last one first. */
	long e = pl->next < s->n && !memcmp(KEY_AT(s, pl->next), k, m->info.key_size)
		 ? (long)pl->next : set_find(s, k);
	const char *mask;
	char *v;

	p->in_map++;
	if (e < 0) {
		if (!pl->prune || (m->is_array && is_zero(m, raw)))
			return 0;	/* (--prune leaves an array's zeros) */
		if (add_remove(p, m, k, raw))
			return -1;
		p->removed++;
		return 0;
	}
	pl->next = (size_t)e + 1;
	p->seen[e / 8] |= (uint8_t)(1u << (e % 8));
	v = VAL_AT(s, e);
	/* Fields the entry leaves out keep the map's value. */
	if ((mask = set_mask(s, (size_t)e)))
		for (size_t b = 0; b < m->lookup_size; b++)
			v[b] = (char)((((const char *)raw)[b] & ~mask[b]) | (v[b] & mask[b]));
	if (same_value(m, raw, v)) {
		p->unchanged++;
		return 0;
	}
	if (add_change(p, m, (size_t)e, raw))
		return -1;
	p->changed++;
	return 0;
}

/* Compare the file with one read of the map (the snapshot when there is
 * one): every map entry is looked up in the file's index, so the cost is
 * the read plus a hash probe per entry. */
static int make_plan(struct apply_set *s, bool prune, struct plan *p,
		     struct snapshot *sn)
{
	const struct mapref *m = s->m;
	struct planner pl = { s, p, prune, 0 };
	struct mapiter it;
	const void *k, *raw;
	int r;

	p->seen = calloc(s->n / 8 + 1, 1);
	if (!p->seen)
		return err_fail("out of memory");
	if (sn->running) {
		snap_join(sn);
		if (sn->err)
			return err_fail("%s apply: reading the map failed: %s", m->name,
					strerror(-sn->err));
		for (size_t i = 0; i < sn->n; i++)
			if (plan_entry(&pl, sn->keys + i * m->info.key_size,
				       sn->vals + i * m->lookup_size))
				return err_fail("out of memory");
		goto done;
	}
	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries))
		return err_fail("out of memory");
	mapiter_prefetch(&it);	/* read ahead while this thread compares */
	while ((r = mapiter_next(&it, &k, &raw)) > 0) {
		if (plan_entry(&pl, k, raw)) {
			mapiter_fini(&it);
			return err_fail("out of memory");
		}
	}
	mapiter_fini(&it);
	if (r < 0)
		return err_fail("%s apply: reading the map failed: %s", m->name,
				strerror(-r));
done:
	p->added = s->n - p->changed - p->unchanged;
	return EXIT_OK;
}

/* ---- capacity ---- */

/* An LRU map starts evicting before it is full: each CPU keeps a few
 * free nodes of its own (the kernel's LOCAL_FREE_TARGET, 128), and with
 * BPF_F_NO_COMMON_LRU every CPU has its own share of max_entries. */
static unsigned long long room(const struct mapref *m, bool *lru)
{
	__u32 t = m->info.type, max = m->info.max_entries;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (ncpu < 1)
		ncpu = 1;
	*lru = t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	if (!*lru)
		return max;
	if (m->info.map_flags & BPF_F_NO_COMMON_LRU)
		return max / (unsigned long long)ncpu;
	return max > 128ULL * ncpu ? max - 128ULL * ncpu : 0;
}

/* Would the map hold every entry after the change? EXIT_OK, or EXIT_FAIL
 * after saying why not (nothing is written then). */
static int check_room(const struct apply_set *s, const struct plan *p)
{
	const struct mapref *m = s->m;
	unsigned long long after, fit;
	bool lru;

	if (m->is_array || !p->added)
		return EXIT_OK;
	after = p->in_map - p->removed + p->added;
	fit = room(m, &lru);
	if (after <= fit)
		return EXIT_OK;
	if (lru)
		return err_fail("%s apply: does not fit: the map would hold %llu entries, and an LRU map of max_entries %u evicts beyond about %llu, so entries of this apply would be dropped (%llu now, %llu to add, %llu to remove); nothing written",
				m->name, after, m->info.max_entries, fit, p->in_map,
				p->added, p->removed);
	return err_fail("%s apply: does not fit: the map would hold %llu entries, max_entries is %u (%llu now, %llu to add, %llu to remove); nothing written",
			m->name, after, m->info.max_entries, p->in_map, p->added,
			p->removed);
}

/* ---- writing ---- */

/* The plan through the undo journal (map/write.h): every change with its
 * old value on disk first, then written in batches, removals first (room
 * for the additions). A signal, the kernel's refusal or the audit log
 * stops it, and what was written is rolled back: the map is as it was. */
static int write_plan(struct apply_set *s, struct plan *p)
{
	const struct mapref *m = s->m;
	char *zero;
	size_t done = 0;
	int rc;

	if (!p->nrm && !p->nchg && !p->added)
		return EXIT_OK;
	if (!(zero = calloc(1, m->lookup_size + 8)))
		return err_fail("out of memory");
	rc = mapw_journal_begin(m, p->nrm + p->nchg + p->added);
	for (size_t i = 0; !rc && i < p->nrm; i++)
		rc = mapw_journal_add(m, p->rm_keys + i * m->info.key_size,
				      p->rm_old + i * m->lookup_size,
				      m->is_array ? zero : NULL);
	for (size_t i = 0; !rc && i < p->nchg; i++)
		rc = mapw_journal_add(m, KEY_AT(s, p->chg[i]),
				      p->chg_old + i * m->lookup_size, VAL_AT(s, p->chg[i]));
	for (size_t i = 0; !rc && i < s->n; i++)
		if (!is_seen(p, i))
			rc = mapw_journal_add(m, KEY_AT(s, i), NULL, VAL_AT(s, i));
	if (!rc)
		rc = mapw_journal_commit(m);
	if (!rc)
		rc = mapw_journal_write(m, &done);
	if (!rc)
		mapw_journal_done(m);
	free(zero);
	return rc;
}

/* An LRU map may still have dropped some of what was just written (its
 * per-CPU free lists): look each written key up and say so. */
static int check_evicted(const struct apply_set *s, const struct plan *p)
{
	const struct mapref *m = s->m;
	char *v;
	unsigned long long lost = 0;
	bool lru;

	room(m, &lru);
	if (!lru || !p->added)
		return EXIT_OK;
	if (!(v = malloc(m->lookup_size)))
		return err_fail("out of memory");
	for (size_t i = 0; i < s->n; i++)
		if (!is_seen(p, i) && bpf_map_lookup_elem(m->fd, KEY_AT(s, i), v))
			lost++;
	free(v);
	if (!lost)
		return EXIT_OK;
	return err_fail("%s apply: the LRU map evicted %llu of the %llu entries this apply added",
			m->name, lost, p->added);
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
	eo_value_text(m, NULL, sum, raw, sb);	/* per CPU where they differ */
	free(sum);
}

/* Each change of the plan: op, key, old (NULL: none), new; changes,
 * removals, additions. */
typedef void (*change_fn)(void *arg, const struct mapref *m, enum change_op op,
			  const void *key, const void *old, const void *new);

static void each_change(const struct apply_set *s, const struct plan *p,
			const char *zero, change_fn fn, void *arg)
{
	const struct mapref *m = s->m;

	for (size_t i = 0; i < p->nchg; i++)
		fn(arg, m, CH_CHANGE, KEY_AT(s, p->chg[i]),
		   p->chg_old + i * m->lookup_size, VAL_AT(s, p->chg[i]));
	for (size_t i = 0; i < p->nrm; i++)
		fn(arg, m, CH_REMOVE, p->rm_keys + i * m->info.key_size,
		   p->rm_old + i * m->lookup_size, m->is_array ? zero : NULL);
	for (size_t i = 0; i < s->n; i++)
		if (!is_seen(p, i))
			fn(arg, m, CH_ADD, KEY_AT(s, i), NULL, VAL_AT(s, i));
}

static void change_text(void *arg, const struct mapref *m, enum change_op op,
			const void *key, const void *old, const void *new)
{
	struct out *o = arg;
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "%-6s ", change_names[op]);
	mapref_key_text(m, key, &sb);
	if (op != CH_ADD) {
		sb_adds(&sb, op == CH_CHANGE ? ": " : ": was ");
		value_text(m, old, &sb);
	}
	if (op != CH_REMOVE) {
		sb_adds(&sb, op == CH_CHANGE ? " -> " : ": ");
		value_text(m, new, &sb);
	}
	out_line(o, "%s", sb_str(&sb));
	sb_free(&sb);
}

static void change_json(void *arg, const struct mapref *m, enum change_op op,
			const void *key, const void *old, const void *new)
{
	struct jw *jw = arg;

	jw_start_object(jw);
	jw_kv_string(jw, "op", change_names[op]);
	audit_json_members(jw, m, key, old, new);
	jw_end_object(jw);
}

static void report(struct ctx *ctx, const struct apply_set *s,
		   const struct plan *p, bool dry_run, bool watch)
{
	const struct mapref *m = s->m;
	struct out *o = &ctx->out;
	char now[64] = "";
	char *zero = calloc(1, m->lookup_size + 8);
	struct jw *jw;

	if (!zero)
		abort();
	if (watch)
		iso_now(now, sizeof(now));
	if (!out_is_json(o)) {
		if (dry_run)
			each_change(s, p, zero, change_text, o);
		out_line(o, "%s%s%s: %llu added, %llu changed, %llu unchanged, %llu removed%s",
			 now, *now ? " " : "", m->name, p->added, p->changed,
			 p->unchanged, p->removed,
			 dry_run ? " (dry run: nothing written)" : "");
		out_flush(o);
		free(zero);
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
		each_change(s, p, zero, change_json, jw);
		jw_end_array(jw);
	}
	out_object_end(o);
	free(zero);
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
	struct plan p = { 0 };
	struct snapshot sn;
	int rc = EXIT_OK;

	/* The map's write lock before reading what will change (--watch
	 * lets it go between rounds). */
	if (!ao->dry_run)
		rc = mapw_prepare(m);
	if (rc)
		return rc;
	snap_start(&sn, m, path);
	rc = apply_read(&s, path, unreadable);
	if (!rc)
		rc = make_plan(&s, ao->prune, &p, &sn);
	if (!rc && ao->dry_run) {
		report(ctx, &s, &p, true, ao->watch);
		rc = check_room(&s, &p);
		goto out;
	}
	if (!rc)
		rc = check_room(&s, &p);
	snap_free(&sn);		/* its memory goes to the journal */
	if (!rc)
		rc = write_plan(&s, &p);
	if (!rc)
		rc = check_evicted(&s, &p);
	if (!rc)
		report(ctx, &s, &p, false, ao->watch);
out:
	/* --watch lets the map's write lock go between rounds */
	if (ao->watch && !ao->dry_run)
		mapw_release(m);
	snap_free(&sn);
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
		if (pin == MAPREF_PIN_NEW)
			mapw_follow(m);	/* the writes go to the new map */
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
				 m->name, mapref_sel(m));
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
