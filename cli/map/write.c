// SPDX-License-Identifier: GPL-2.0
/* The one write path: see write.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "base/strbuf.h"
#include "map/audit.h"
#include "map/journal.h"
#include "map/lock.h"
#include "map/mapiter.h"
#include "map/write.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's, for a map type without batches */
#endif

static struct {
	bool open;		/* a session is open */
	bool ready;		/* its audit log is open (or off) */
	bool frozen;		/* the map is frozen: writes will fail */
	struct mapw_session s;
	__u32 map_id;		/* the session's map */
	struct maplock lock;	/* fd -1: not held */
	struct jrnl j;		/* mapw_journal_*: the one being written */
	bool jopen, jstored;
	size_t jreached;	/* journaled entries the writes may have reached */
	bool nobatch;		/* the map has no batch writes */
	mapw_fresh_fn fresh;	/* mapw_journal_fresh, for one write */
	void *fresh_arg;
} W = { .lock = { .fd = -1 } };

const char *mapw_count_text(size_t n, char *buf, size_t len)
{
	char digits[32];
	size_t nd, o = 0;

	nd = (size_t)snprintf(digits, sizeof(digits), "%zu", n);
	for (size_t i = 0; i < nd && o + 1 < len; i++) {
		if (i && (nd - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* ---- the session and its lock ---- */

static int lock_map(const struct mapref *m)
{
	char cmd[400];

	if (W.lock.fd >= 0)
		return 0;
	if (maplock_take(m, W.s.verb, W.s.no_wait, &W.lock))
		return MAPW_PRINTED;
	if (!W.s.recovering && jrnl_exists(m->info.id)) {
		char who[160];

		maplock_drop(&W.lock);
		jrnl_recover_cmd(m, cmd, sizeof(cmd));
		if (!jrnl_describe(m, who, sizeof(who)))
			snprintf(who, sizeof(who), "write");
		err_fail("%s %s: an interrupted %s left this map partly changed: run '%s' first (or '%s --forward'; nothing changed)",
			 m->name, W.s.verb, who, cmd, cmd);
		return MAPW_PRINTED;
	}
	return 0;
}

int mapw_begin(const struct mapw_session *s, const struct mapref *m)
{
	mapw_end();
	W.open = true;
	W.s = *s;
	W.map_id = m->info.id;
	return lock_map(m) ? EXIT_FAIL : EXIT_OK;
}

void mapw_end(void)
{
	/* A journal stored and never done nor rolled back is a write that
	 * stopped half-way: the file stays for recover. */
	jrnl_free(&W.j);
	maplock_drop(&W.lock);
	memset(&W, 0, sizeof(W));
	W.lock.fd = -1;
}

void mapw_release(const struct mapref *m)
{
	if (W.open && m->info.id == W.map_id && !W.jopen)
		maplock_drop(&W.lock);
}

void mapw_follow(const struct mapref *m)
{
	if (!W.open || m->info.id == W.map_id || W.jopen)
		return;
	maplock_drop(&W.lock);
	W.map_id = m->info.id;
	W.ready = false;	/* the log's records name the new map */
}

/* Before every write: a session on this map, its lock, its log open. */
static int ready(const struct mapref *m)
{
	if (!W.open) {
		err_fail("%s: internal error: a write outside a writing verb", m->name);
		return MAPW_PRINTED;
	}
	if (m->info.id != W.map_id) {
		err_fail("%s: internal error: a write to another map than the verb's", m->name);
		return MAPW_PRINTED;
	}
	if (lock_map(m))
		return MAPW_PRINTED;
	if (!W.ready) {
		if (audit_begin(W.s.audit_log, m, W.s.verb))
			return MAPW_PRINTED;
		W.ready = true;
		/* A frozen map refuses every write: no intent records for
		 * writes that cannot be made. */
		W.frozen = audit_active() && mapref_is_frozen(m);
	}
	return 0;
}

int mapw_prepare(const struct mapref *m)
{
	return ready(m) ? EXIT_FAIL : EXIT_OK;
}

int mapw_error(const struct mapref *m, const char *verb, int rc,
	       const void *key)
{
	if (rc == MAPW_PRINTED)
		return EXIT_FAIL;
	return mapref_write_error(m, verb, -rc, key);
}

static void audit_failed(const struct mapref *m, int e, const char *what)
{
	err_fail("%s %s: audit log %s: %s (%s)", m->name, W.s.verb,
		 audit_open_path() ? audit_open_path() : "?", strerror(-e), what);
}

/* ---- a new map ---- */

int mapw_create(const char *audit_log, const struct mapref *m, const char *pin,
		void (*members)(struct jw *jw, const void *arg), const void *arg)
{
	struct audit_txn t;
	int rc, e;

	if (audit_begin(audit_log, m, "create"))
		return MAPW_PRINTED;
	audit_txn_begin(&t, m, "create");
	e = audit_txn_note(&t, "intent", members, arg, 0);
	if (e) {
		err_fail("%s create: audit log %s: %s (nothing changed)", m->name,
			 audit_open_path() ? audit_open_path() : "?", strerror(-e));
		audit_txn_free(&t);
		return MAPW_PRINTED;
	}
	rc = bpf_obj_pin(m->fd, pin) ? -errno : 0;
	e = audit_txn_note(&t, rc ? "failed" : "done", members, arg, -rc);
	audit_txn_free(&t);
	if (e && !rc) {
		unlink(pin);
		err_fail("%s create: audit log %s: %s (the map was not pinned: nothing changed)",
			 m->name, audit_open_path() ? audit_open_path() : "?",
			 strerror(-e));
		return MAPW_PRINTED;
	}
	return rc;
}

/* ---- one change ---- */

enum kop { K_UPDATE, K_DELETE, K_PUSH, K_POP };

struct kcall {
	enum kop op;
	const void *key;
	const void *value;	/* K_UPDATE, K_PUSH: what the kernel gets */
	__u64 flags;
	void *out;		/* K_POP: the element taken */
};

static int kernel(const struct mapref *m, const struct kcall *c)
{
	int r = 0;

	switch (c->op) {
	case K_UPDATE:
		r = bpf_map_update_elem(m->fd, c->key, c->value, c->flags);
		break;
	case K_DELETE:
		r = bpf_map_delete_elem(m->fd, c->key);
		break;
	case K_PUSH:
		r = bpf_map_update_elem(m->fd, NULL, c->value, c->flags);
		break;
	case K_POP:
		r = bpf_map_lookup_and_delete_elem(m->fd, NULL, c->out);
		break;
	}
	return r ? -errno : 0;
}

/* Take back a change whose result could not be logged: 0 or -errno. */
static int undo(const struct mapref *m, const struct kcall *c, const void *old,
		bool inner)
{
	char *top;
	int r, fd;
	__u32 fd32;

	switch (c->op) {
	case K_UPDATE:
		if (!old)
			return bpf_map_delete_elem(m->fd, c->key) ? -errno : 0;
		if (!inner)
			return bpf_map_update_elem(m->fd, c->key, old, BPF_ANY) ? -errno : 0;
		fd = bpf_map_get_fd_by_id(*(const __u32 *)old);
		if (fd < 0)
			return -errno;
		fd32 = (__u32)fd;
		r = bpf_map_update_elem(m->fd, c->key, &fd32, BPF_ANY) ? -errno : 0;
		close(fd);
		return r;
	case K_DELETE:
		if (!old)
			return 0;
		if (!inner)
			return bpf_map_update_elem(m->fd, c->key, old, BPF_NOEXIST) ? -errno : 0;
		fd = bpf_map_get_fd_by_id(*(const __u32 *)old);
		if (fd < 0)
			return -errno;
		fd32 = (__u32)fd;
		r = bpf_map_update_elem(m->fd, c->key, &fd32, BPF_NOEXIST) ? -errno : 0;
		close(fd);
		return r;
	case K_POP:
		return bpf_map_update_elem(m->fd, NULL, c->out, BPF_ANY) ? -errno : 0;
	case K_PUSH:
		/* A stack gives back its top; a queue cannot take back its
		 * tail. */
		if (m->info.type != BPF_MAP_TYPE_STACK)
			return -EOPNOTSUPP;
		top = calloc(1, m->info.value_size + 8);
		if (!top)
			return -ENOMEM;
		r = bpf_map_lookup_and_delete_elem(m->fd, NULL, top) ? -errno : 0;
		if (!r && memcmp(top, c->value, m->info.value_size)) {
			bpf_map_update_elem(m->fd, NULL, top, BPF_ANY);
			r = -EAGAIN;
		}
		free(top);
		return r;
	}
	return -EINVAL;
}

/* The intent record, the kernel call, the result record. doomed: the
 * write will fail (the key exists for --noexist, the map is frozen, ...):
 * no records unless it is made after all. audit_new: the record's "new"
 * (NULL: c->value). */
static int change(const struct mapref *m, const struct kcall *c,
		  const void *old, const void *audit_new, bool doomed, bool inner)
{
	struct audit_txn t;
	int rc, e;

	audit_txn_begin(&t, m, W.s.verb);
	audit_txn_add(&t, c->key, old, audit_new);
	if (!doomed && (e = audit_txn_intent(&t))) {
		audit_failed(m, e, "nothing changed");
		audit_txn_free(&t);
		return MAPW_PRINTED;
	}
	rc = kernel(m, c);
	if (doomed) {
		if (rc) {
			audit_txn_free(&t);
			return rc;
		}
		e = audit_txn_intent(&t);	/* made after all: say so late */
	}
	if (c->op == K_POP && !rc && old &&
	    memcmp(old, c->out, m->info.value_size))
		t.taken = c->out;
	e = audit_txn_result(&t, rc ? 0 : 1, NULL, NULL, 0, rc ? -rc : 0);
	audit_txn_free(&t);
	if (e && !rc) {
		int u = undo(m, c, old, inner);

		if (!u) {
			audit_failed(m, e, "the change was undone: nothing changed");
		} else {
			char what[160];

			snprintf(what, sizeof(what), "the change could not be undone: %s",
				 strerror(-u));
			audit_failed(m, e, what);
		}
		return MAPW_PRINTED;
	}
	return rc;
}

int mapw_update(const struct mapref *m, const void *key, const void *value,
		__u64 flags)
{
	struct kcall c = { .op = K_UPDATE, .key = key, .value = value, .flags = flags };
	bool doomed;
	void *old;
	int rc = ready(m);

	if (rc)
		return rc;
	old = audit_old(m, key);
	doomed = audit_active() &&
		 (W.frozen || ((flags & BPF_NOEXIST) && old) ||
		  ((flags & BPF_EXIST) && !old));
	rc = change(m, &c, old, value, doomed, false);
	free(old);
	return rc;
}

int mapw_delete(const struct mapref *m, const void *key)
{
	struct kcall c = { .op = K_DELETE, .key = key };
	void *old;
	int rc = ready(m);

	if (rc)
		return rc;
	old = audit_old(m, key);
	rc = change(m, &c, old, NULL, audit_active() && (W.frozen || !old), false);
	free(old);
	return rc;
}

int mapw_push(const struct mapref *m, const void *value, __u64 flags)
{
	struct kcall c = { .op = K_PUSH, .value = value, .flags = flags };
	int rc = ready(m);

	if (rc)
		return rc;
	return change(m, &c, NULL, value, audit_active() && W.frozen, false);
}

int mapw_pop(const struct mapref *m, void *value)
{
	struct kcall c = { .op = K_POP, .out = value };
	char *next = NULL;
	bool doomed;
	int rc = ready(m);

	if (rc)
		return rc;
	/* The intent names the element a pop takes now: the next one. */
	if (audit_active()) {
		next = calloc(1, m->info.value_size + 8);
		if (!next)
			abort();
		if (bpf_map_lookup_elem(m->fd, NULL, next)) {
			free(next);
			next = NULL;
		}
	}
	doomed = audit_active() && (W.frozen || !next);
	rc = change(m, &c, next, NULL, doomed, false);
	free(next);
	return rc;
}

int mapw_inner(const struct mapref *m, const void *key, int inner_fd,
	       __u32 inner_id, __u64 flags)
{
	__u32 fd32 = (__u32)inner_fd;
	struct kcall c = { .op = K_UPDATE, .key = key, .value = &fd32, .flags = flags };
	bool doomed;
	void *old;
	int rc = ready(m);

	if (rc)
		return rc;
	old = audit_old(m, key);	/* a lookup gives the inner map's id */
	doomed = audit_active() &&
		 (W.frozen || ((flags & BPF_NOEXIST) && old) ||
		  ((flags & BPF_EXIST) && !old));
	rc = change(m, &c, old, &inner_id, doomed, true);
	free(old);
	return rc;
}

/* ---- a group of entries: one batch, one audit transaction ---- */

/* n entries, all updates (vals) or all deletes (vals NULL); olds[i] is
 * the entry's value before (hasold[i]) for the records. */
struct group {
	char *keys, *vals, *olds;
	unsigned char *hasold;
	size_t *gone;
	__u32 n;
};

static int group_alloc(struct group *g, const struct mapref *m)
{
	memset(g, 0, sizeof(*g));
	g->keys = malloc((size_t)MAPW_CHUNK * m->info.key_size);
	g->vals = malloc((size_t)MAPW_CHUNK * m->lookup_size);
	g->olds = malloc((size_t)MAPW_CHUNK * m->lookup_size);
	g->hasold = malloc(MAPW_CHUNK);
	g->gone = malloc(MAPW_CHUNK * sizeof(*g->gone));
	return g->keys && g->vals && g->olds && g->hasold && g->gone ? 0 : -ENOMEM;
}

static void group_free(struct group *g)
{
	free(g->keys);
	free(g->vals);
	free(g->olds);
	free(g->hasold);
	free(g->gone);
}

static void group_put(struct group *g, const struct mapref *m, const void *key,
		      const void *old, const void *new)
{
	__u32 i = g->n++;

	memcpy(g->keys + (size_t)i * m->info.key_size, key, m->info.key_size);
	if (new)
		memcpy(g->vals + (size_t)i * m->lookup_size, new, m->lookup_size);
	g->hasold[i] = old != NULL;
	if (old)
		memcpy(g->olds + (size_t)i * m->lookup_size, old, m->lookup_size);
}

enum { G_OK, G_KERNEL, G_INTENT, G_RESULT };

struct gresult {
	__u32 done;		/* entries passed, gone ones included */
	size_t ngone;
	int err;		/* errno: the kernel's, or the log's */
	bool audit_lost;	/* best effort: the log could not be written */
};

static int write_group(const struct mapref *m, const char *op, struct group *g,
		       bool updates, bool best_effort, struct gresult *res)
{
	const size_t ks = m->info.key_size, ls = m->lookup_size;
	struct audit_txn t;
	__u32 pos = 0;
	int kerr = 0, e;

	memset(res, 0, sizeof(*res));
	audit_txn_begin(&t, m, op);
	for (__u32 i = 0; i < g->n; i++)
		audit_txn_add(&t, g->keys + i * ks,
			      g->hasold[i] ? g->olds + i * ls : NULL,
			      updates ? g->vals + i * ls : NULL);
	e = audit_txn_intent(&t);
	if (e) {
		if (!best_effort) {
			res->err = -e;
			audit_txn_free(&t);
			return G_INTENT;
		}
		t.on = false;
		res->audit_lost = true;
	}
	while (pos < g->n) {
		int r;

		if (!W.nobatch) {
			LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_ANY);
			__u32 c = g->n - pos;

			r = updates ? bpf_map_update_batch(m->fd, g->keys + pos * ks,
							   g->vals + pos * ls, &c, &o)
				    : bpf_map_delete_batch(m->fd, g->keys + pos * ks, &c, &o);
			if (!r) {
				pos = g->n;
				break;
			}
			e = errno;
			/* The kernel counts what it did only when one entry
			 * failed: a refusal of the whole batch leaves c. */
			if (c >= g->n - pos)
				c = 0;
			if (!c && (e == EINVAL || e == EOPNOTSUPP || e == ENOTSUPP)) {
				W.nobatch = true;	/* one by one from here */
				continue;
			}
			pos += c;
			if (!updates && e == ENOENT) {
				g->gone[res->ngone++] = pos++;
				continue;
			}
			kerr = e;
			break;
		}
		r = updates ? bpf_map_update_elem(m->fd, g->keys + pos * ks,
						  g->vals + pos * ls, BPF_ANY)
			    : bpf_map_delete_elem(m->fd, g->keys + pos * ks);
		if (!r) {
			pos++;
			continue;
		}
		e = errno;
		if (!updates && e == ENOENT) {
			g->gone[res->ngone++] = pos++;
			continue;
		}
		kerr = e;
		break;
	}
	res->done = pos;
	e = audit_txn_result(&t, pos, g->keys, g->gone, res->ngone, kerr);
	audit_txn_free(&t);
	if (kerr) {
		res->err = kerr;
		return G_KERNEL;
	}
	if (e) {
		if (!best_effort) {
			res->err = -e;
			return G_RESULT;
		}
		res->audit_lost = true;
	}
	return G_OK;
}

/* ---- toward a journal's old or new bytes ---- */

static bool same_bytes(const struct mapref *m, const char *a, const char *b)
{
	for (int c = 0; c < m->ncpus; c++)
		if (memcmp(a + (size_t)c * m->stride, b + (size_t)c * m->stride,
			   m->info.value_size))
			return false;
	return true;
}

static int cmp_keys(const void *a, const void *b, void *ks)
{
	return memcmp(a, b, *(const __u32 *)ks);
}

/* An LPM trie's lookup is a longest-prefix match: its exact keys, sorted. */
static int lpm_keys(const struct mapref *m, char **keys, size_t *n)
{
	struct mapiter it;
	const void *k, *v;
	size_t cap = 0;
	__u32 ks = m->info.key_size;
	int r;

	*keys = NULL;
	*n = 0;
	if (mapiter_init(&it, m->fd, ks, m->lookup_size, m->info.max_entries))
		return -ENOMEM;
	while ((r = mapiter_next(&it, &k, &v)) > 0) {
		if (*n == cap) {
			char *p = realloc(*keys, (cap = cap ? cap * 2 : 64) * ks);

			if (!p) {
				r = -ENOMEM;
				break;
			}
			*keys = p;
		}
		memcpy(*keys + *n * ks, k, ks);
		(*n)++;
	}
	mapiter_fini(&it);
	if (r < 0)
		return r;
	qsort_r(*keys, *n, ks, cmp_keys, &ks);
	return 0;
}

static bool sorted_has(const char *keys, size_t n, __u32 ks, const void *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(keys + mid * ks, key, ks);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

struct retarget {
	bool back;		/* to the old bytes (else the new) */
	const char *op;		/* the records' op */
	bool best_effort;	/* the log failing does not stop it (rollback) */
	bool stop_on_signal;	/* recover: a signal stops it (run it again) */
	size_t written;
	int sig;
	bool audit_lost;
	char err[512];
};

/* Entries [0, lim) of j whose value differs from the target, written. 0,
 * or -1 with rt->err (or rt->sig) set. */
static int retarget(const struct mapref *m, const struct jrnl *j, size_t lim,
		    struct retarget *rt)
{
	struct group g;
	char *cur = calloc(1, m->lookup_size + 8), *lpm = NULL;
	size_t nlpm = 0;
	bool gupd = false;
	int rc = 0;

	if (!cur || group_alloc(&g, m)) {
		free(cur);
		group_free(&g);
		snprintf(rt->err, sizeof(rt->err), "out of memory");
		return -1;
	}
	if (m->lpm && lpm_keys(m, &lpm, &nlpm)) {
		snprintf(rt->err, sizeof(rt->err), "reading the map failed");
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i <= lim; i++) {
		const char *target = NULL, *key = NULL;
		bool have = false, upd = false, flush;

		if (i < lim) {
			__u32 ks = m->info.key_size;

			key = jrnl_key(j, i);
			target = rt->back ? jrnl_old(j, i) : jrnl_new(j, i);
			if (!m->lpm || (nlpm && sorted_has(lpm, nlpm, ks, key)))
				have = !bpf_map_lookup_elem(m->fd, key, cur);
			if (have == (target != NULL) &&
			    (!have || same_bytes(m, cur, target)))
				continue;	/* already so */
			upd = target != NULL;
		}
		flush = g.n && (i == lim || upd != gupd || g.n == MAPW_CHUNK);
		if (flush) {
			struct gresult gr;
			int r;

			if (rt->stop_on_signal && interrupted()) {
				rt->sig = mapsh_interrupted;
				rc = -1;
				goto out;
			}
			r = write_group(m, rt->op, &g, gupd, rt->best_effort, &gr);
			rt->written += gr.done - gr.ngone;
			rt->audit_lost |= gr.audit_lost;
			if (r == G_KERNEL) {
				struct strbuf k = STRBUF_INIT;

				mapref_key_text(m, g.keys + (size_t)gr.done * m->info.key_size, &k);
				snprintf(rt->err, sizeof(rt->err), "the kernel refused key %s: %s",
					 sb_str(&k), strerror(gr.err));
				sb_free(&k);
				rc = -1;
				goto out;
			}
			if (r) {
				snprintf(rt->err, sizeof(rt->err), "audit log %s: %s",
					 audit_open_path() ? audit_open_path() : "?",
					 strerror(gr.err));
				rc = -1;
				goto out;
			}
			g.n = 0;
		}
		if (i == lim)
			break;
		gupd = upd;
		group_put(&g, m, key, have ? cur : NULL, target);
	}
out:
	free(cur);
	free(lpm);
	group_free(&g);
	return rc;
}

/* ---- the journal ---- */

int mapw_journal_begin(const struct mapref *m, size_t n)
{
	if (ready(m))
		return EXIT_FAIL;
	jrnl_free(&W.j);
	if (jrnl_init(&W.j, m, n, W.s.verb))
		return err_fail("out of memory");
	W.jopen = true;
	W.jstored = false;
	W.jreached = 0;
	return EXIT_OK;
}

int mapw_journal_add(const struct mapref *m, const void *key, const void *old,
		     const void *new)
{
	if (!W.jopen || m->info.id != W.map_id)
		return err_fail("%s: internal error: no journal begun", m->name);
	if (jrnl_add(&W.j, key, old, new))
		return err_fail("out of memory");
	return EXIT_OK;
}

int mapw_journal_commit(const struct mapref *m)
{
	char err[4400];

	if (!W.jopen || m->info.id != W.map_id)
		return err_fail("%s: internal error: no journal begun", m->name);
	if (!W.j.n)
		return EXIT_OK;
	/* A frozen map refuses every write: no intent records for them. */
	if (W.frozen)
		return mapref_write_error(m, W.s.verb, EPERM, NULL);
	if (jrnl_store(&W.j, err, sizeof(err)))
		return err_fail("%s %s: %s (nothing changed)", m->name, W.s.verb, err);
	W.jstored = true;
	return EXIT_OK;
}

void mapw_journal_done(const struct mapref *m)
{
	if (W.jstored && m->info.id == W.map_id)
		jrnl_remove(W.map_id);
	jrnl_free(&W.j);
	W.jopen = W.jstored = false;
	W.jreached = 0;
}

/* The journal file stays as it is: a later mapw_journal_done must not
 * remove it. */
static void forget_journal(void)
{
	jrnl_free(&W.j);
	W.jopen = W.jstored = false;
	W.jreached = 0;
}

/* Back to the old bytes, quietly: 0, or -1 with rt.err. */
static int roll_back(const struct mapref *m, struct retarget *rt)
{
	memset(rt, 0, sizeof(*rt));
	rt->back = true;
	rt->op = "rollback";
	rt->best_effort = true;
	if (retarget(m, &W.j, W.jreached, rt))
		return -1;
	mapw_journal_done(m);
	return 0;
}

int mapw_rollback(const struct mapref *m, size_t *restored)
{
	struct retarget rt;
	char cmd[400];

	*restored = 0;
	if (!W.jopen || m->info.id != W.map_id)
		return EXIT_OK;
	if (!W.jstored) {
		mapw_journal_done(m);
		return EXIT_OK;
	}
	if (!W.jreached)
		W.jreached = W.j.n;
	if (roll_back(m, &rt)) {
		jrnl_recover_cmd(m, cmd, sizeof(cmd));
		forget_journal();	/* the file stays, for recover */
		*restored = rt.written;
		return err_fail("%s %s: rolling back failed: %s: the journal stays: run '%s'",
				m->name, W.s.verb, rt.err, cmd);
	}
	*restored = rt.written;
	return EXIT_OK;
}

void mapw_journal_fresh(mapw_fresh_fn fn, void *arg)
{
	W.fresh = fn;
	W.fresh_arg = arg;
}

int mapw_journal_write(const struct mapref *m, size_t *done)
{
	const struct jrnl *j = &W.j;
	struct group g;
	struct gresult gr = { 0 };
	struct retarget rt;
	char n1[32], n2[32], n3[32], cmd[400], why[600];
	size_t i = 0;
	int r = G_OK, sig = 0, rc;
	mapw_fresh_fn fresh = W.fresh;	/* for this write only */
	void *fresh_arg = W.fresh_arg;

	W.fresh = NULL;
	*done = 0;
	if (!W.jopen || m->info.id != W.map_id)
		return err_fail("%s: internal error: no journal begun", m->name);
	if (!W.jstored)
		return EXIT_OK;		/* nothing to write */
	if (group_alloc(&g, m)) {
		group_free(&g);
		mapw_journal_done(m);
		return err_fail("out of memory");
	}
	while (i < j->n) {
		bool upd = (j->flags[i] & JF_NEW) != 0;

		if (interrupted()) {
			sig = mapsh_interrupted;
			break;
		}
		g.n = 0;
		for (size_t k = i; k < j->n && g.n < MAPW_CHUNK &&
		     ((j->flags[k] & JF_NEW) != 0) == upd; k++)
			group_put(&g, m, jrnl_key(j, k), jrnl_old(j, k), jrnl_new(j, k));
		for (__u32 k = 0; upd && fresh && k < g.n; k++)
			fresh(fresh_arg, g.keys + (size_t)k * m->info.key_size,
				g.vals + (size_t)k * m->lookup_size);
		W.jreached = i + g.n;
		r = write_group(m, W.s.verb, &g, upd, false, &gr);
		*done += gr.done - gr.ngone;
		if (r)
			break;
		i += g.n;
	}
	if (!sig && r == G_OK) {
		group_free(&g);
		return EXIT_OK;		/* the caller says mapw_journal_done */
	}
	/* Stopped: everything back as it was. */
	if (r == G_KERNEL)
		mapw_error(m, W.s.verb, -gr.err, g.keys + (size_t)gr.done * m->info.key_size);
	group_free(&g);
	if (r == G_INTENT || r == G_RESULT)
		snprintf(why, sizeof(why), "audit log %s: %s",
			 audit_open_path() ? audit_open_path() : "?", strerror(gr.err));
	else if (r == G_KERNEL)
		snprintf(why, sizeof(why), "stopped at change %s of %s",
			 mapw_count_text(i + gr.done + 1, n1, sizeof(n1)),
			 mapw_count_text(j->n, n2, sizeof(n2)));
	else
		snprintf(why, sizeof(why), "interrupted");
	rc = sig ? 128 + sig : EXIT_FAIL;
	if (roll_back(m, &rt)) {
		jrnl_recover_cmd(m, cmd, sizeof(cmd));
		err_fail("%s %s: %s: rolling back failed: %s: the journal stays: run '%s'",
			 m->name, W.s.verb, why, rt.err, cmd);
		forget_journal();	/* the file stays, for recover */
		return rc;
	}
	if (r == G_KERNEL && !*done && !rt.written)
		return rc;	/* the first write was refused: said above */
	err_fail("%s %s: %s: rolled back %s changes; the map is as it was%s",
		 m->name, W.s.verb, why, mapw_count_text(rt.written, n3, sizeof(n3)),
		 rt.audit_lost ? " (the audit log could not record the rollback)" : "");
	return rc;
}

/* ---- recover ---- */

int mapw_recover(const struct mapref *m, bool forward, bool *found,
		 size_t *written, char *who, size_t whon)
{
	struct retarget rt;
	struct jrnl j;
	char cmd[400], n1[32];
	int r;

	*found = false;
	*written = 0;
	if (ready(m))
		return EXIT_FAIL;
	r = jrnl_load(m, W.s.verb, &j);
	if (r <= 0)
		return r < 0 ? EXIT_FAIL : EXIT_OK;
	*found = true;
	jrnl_who(&j, who, whon);
	memset(&rt, 0, sizeof(rt));
	rt.back = !forward;
	rt.op = W.s.verb;
	rt.stop_on_signal = true;
	r = retarget(m, &j, j.n, &rt);
	*written = rt.written;
	jrnl_free(&j);
	jrnl_recover_cmd(m, cmd, sizeof(cmd));
	if (r && rt.sig) {
		err_fail("%s %s: interrupted after %s entries: the journal stays: run '%s%s' again",
			 m->name, W.s.verb, mapw_count_text(rt.written, n1, sizeof(n1)),
			 cmd, forward ? " --forward" : "");
		return 128 + rt.sig;
	}
	if (r)
		return err_fail("%s %s: %s after %s entries: the journal stays: run '%s%s' again",
				m->name, W.s.verb, rt.err,
				mapw_count_text(rt.written, n1, sizeof(n1)), cmd,
				forward ? " --forward" : "");
	jrnl_remove(m->info.id);
	return EXIT_OK;
}

int mapw_discard(const struct mapref *m, bool *found)
{
	if (ready(m))
		return EXIT_FAIL;
	*found = jrnl_exists(m->info.id);
	if (*found)
		jrnl_remove(m->info.id);
	return EXIT_OK;
}
