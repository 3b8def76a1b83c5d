// SPDX-License-Identifier: GPL-2.0
/* Copying a map into a map of a changed type by BTF field names: see
 * migrate.h. The field mapping of the key and of the value is compiled
 * once (struct side: a list of ops, each one field's byte copy, integer or
 * float conversion, or byte blob), then run over flat arrays of the
 * entries read in batches. Everything is checked before the first write;
 * the writes are one journaled batch of the write path. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "map/mapiter.h"
#include "map/migrate_int.h"
#include "map/write.h"

/* ---- the entries ---- */

struct ents {
	size_t n, cap;
	char *keys, *vals;
	uint32_t ks, vs;
};

static void ents_free(struct ents *e)
{
	free(e->keys);
	free(e->vals);
	e->keys = e->vals = NULL;
	e->n = e->cap = 0;
}

/* Every entry of m into e (freed again when it fails). */
static int ents_read(const struct mapref *m, struct ents *e)
{
	struct mapiter it;
	const void *k, *v;
	__u32 n;
	int r;

	memset(e, 0, sizeof(*e));
	e->ks = m->info.key_size;
	e->vs = m->lookup_size;
	if (mapiter_init(&it, m->fd, e->ks, e->vs, m->info.max_entries))
		return err_fail("out of memory"), -1;
	while ((r = mapiter_next_chunk(&it, &k, &v, &n)) > 0) {
		if (e->n + n > e->cap) {
			size_t c = e->cap ? e->cap : 4096;
			char *nk, *nv;

			while (c < e->n + n)
				c *= 2;
			nk = realloc(e->keys, c * e->ks);
			if (nk)
				e->keys = nk;
			nv = realloc(e->vals, c * e->vs);
			if (nv)
				e->vals = nv;
			if (!nk || !nv) {
				mapiter_fini(&it);
				ents_free(e);
				return err_fail("out of memory"), -1;
			}
			e->cap = c;
		}
		memcpy(e->keys + e->n * e->ks, k, (size_t)n * e->ks);
		memcpy(e->vals + e->n * e->vs, v, (size_t)n * e->vs);
		e->n += n;
	}
	mapiter_fini(&it);
	if (r < 0) {
		ents_free(e);
		return err_fail("%s: reading the entries: %s", m->name, strerror(-r)), -1;
	}
	return 0;
}


/* Open addressing over the new keys: slot -> index + 1. */
struct kindex {
	uint32_t *slot;
	size_t mask;
	const char *keys;
	uint32_t ks;
};

static int kindex_init(struct kindex *x, const char *keys, uint32_t ks, size_t n)
{
	size_t sz = 16;

	while (sz < 2 * n)
		sz *= 2;
	x->slot = calloc(sz, sizeof(*x->slot));
	x->mask = sz - 1;
	x->keys = keys;
	x->ks = ks;
	return x->slot ? 0 : -1;
}

/* Insert index i: 0, or the index + 1 of an equal key already there. */
static size_t kindex_put(struct kindex *x, size_t i)
{
	const char *k = x->keys + i * x->ks;

	for (size_t h = hash_bytes(k, x->ks) & x->mask;; h = (h + 1) & x->mask) {
		if (!x->slot[h]) {
			x->slot[h] = (uint32_t)(i + 1);
			return 0;
		}
		if (!memcmp(x->keys + (size_t)(x->slot[h] - 1) * x->ks, k, x->ks))
			return x->slot[h];
	}
}

/* The index + 1 of key, 0 when not there. */
static size_t kindex_get(const struct kindex *x, const void *key)
{
	for (size_t h = hash_bytes(key, x->ks) & x->mask; x->slot[h]; h = (h + 1) & x->mask)
		if (!memcmp(x->keys + (size_t)(x->slot[h] - 1) * x->ks, key, x->ks))
			return x->slot[h];
	return 0;
}

struct conv {
	const struct mapref *from, *to;
	struct side key, val;
};

/* A value of FROM (lookup bytes) into TO's lookup bytes. */
static uint32_t val_conv(const struct conv *c, const char *ov, char *nv, char *sum)
{
	const struct mapref *f = c->from, *t = c->to;
	uint32_t bad;

	if (f->percpu == t->percpu) {
		for (int cpu = 0; cpu < t->ncpus; cpu++) {
			if (cpu >= f->ncpus) {
				memcpy(nv + (size_t)cpu * t->stride, c->val.base, c->val.nsz);
				continue;
			}
			bad = mig_side_conv(&c->val, ov + (size_t)cpu * f->stride,
					nv + (size_t)cpu * t->stride);
			if (bad)
				return bad;
		}
		return 0;
	}
	if (f->percpu) {
		mapref_sum_cpus(f, ov, sum);
		return mig_side_conv(&c->val, sum, nv);
	}
	for (int cpu = 1; cpu < t->ncpus; cpu++)
		memcpy(nv + (size_t)cpu * t->stride, c->val.base, c->val.nsz);
	return mig_side_conv(&c->val, ov, nv);
}

static bool is_lru(__u32 t)
{
	return t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Entries TO holds without evicting (apply's rule for LRU maps). */
static unsigned long long room(const struct mapref *m)
{
	__u32 max = m->info.max_entries;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (ncpu < 1)
		ncpu = 1;
	if (!is_lru(m->info.type))
		return max;
	if (m->info.map_flags & BPF_F_NO_COMMON_LRU)
		return max / (unsigned long long)ncpu;
	return max > 128ULL * ncpu ? max - 128ULL * ncpu : 0;
}

static bool type_ok(__u32 t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	}
	return false;
}

static int check_maps(const struct mapref *from, const struct mapref *to)
{
	const struct mapref *ms[2] = { from, to };

	if (from->info.id == to->info.id)
		return err_fail("%s migrate: --to names the same map", to->name), -1;
	for (int i = 0; i < 2; i++) {
		const struct mapref *m = ms[i];

		if (!type_ok(m->info.type))
			return err_fail("%s migrate: %s is a %s map: migrate copies between hash, LRU hash, array and LPM trie maps (and their per-CPU kinds)",
					to->name, m->name, map_type_str(m->info.type)), -1;
		if (!m->key || !m->value || tv_plan_is_raw(m->key) || tv_plan_is_raw(m->value))
			return err_fail("%s migrate: %s has no BTF for its %s: migrate matches fields by their BTF names",
					to->name, m->name,
					!m->key || tv_plan_is_raw(m->key) ? "key" : "value"), -1;
	}
	return 0;
}

/* The new value of an entry the second sweep carries over: cur (TO now,
 * changed by the new program since the first sweep) with what FROM
 * changed since: counters by their delta (now - first; first NULL: a new
 * entry, its whole count), ktime the latest, other fields FROM's new value
 * where TO still holds what the first sweep wrote (first NULL: TO's). */
static void carry_all(const struct conv *c, char *cur, const char *first, const char *now)
{
	const struct mapref *t = c->to;

	for (int cpu = 0; cpu < t->ncpus; cpu++)
		mig_carry(&c->val, cur + (size_t)cpu * t->stride,
		      first ? first + (size_t)cpu * t->stride : NULL,
		      now + (size_t)cpu * t->stride);
}

static int write_journal(const struct mapref *to, size_t *done)
{
	int rc = mapw_journal_commit(to);

	if (!rc)
		rc = mapw_journal_write(to, done);
	if (!rc)
		mapw_journal_done(to);
	return rc;
}

/* The second sweep's updates, in journal order: each one's key, FROM's
 * value now (converted) and its first-sweep index (0: new since). Just
 * before its batch is written, each is computed again from what TO holds
 * then (fresh_cb), so what the new program counted while the sweep read,
 * journaled and synced is kept; only the moment between that lookup and
 * the batch's write stays open (the kernel has no add for userspace). */
struct fresh {
	const struct conv *c;
	const char *nv;
	char *keys, *v2s, *cur;
	size_t *first;
	size_t n, cap, at;
};

static int fresh_add(struct fresh *fr, const char *k2, const char *v2, size_t i)
{
	const struct mapref *to = fr->c->to;
	size_t nks = to->info.key_size, nvs = to->lookup_size;

	if (fr->n == fr->cap) {
		size_t nc = fr->cap ? fr->cap * 2 : 64;
		char *k = realloc(fr->keys, nc * nks), *v = k ? realloc(fr->v2s, nc * nvs) : NULL;
		size_t *f = v ? realloc(fr->first, nc * sizeof(*f)) : NULL;

		if (k)
			fr->keys = k;
		if (v)
			fr->v2s = v;
		if (!f)
			return -1;
		fr->first = f;
		fr->cap = nc;
	}
	memcpy(fr->keys + fr->n * nks, k2, nks);
	memcpy(fr->v2s + fr->n * nvs, v2, nvs);
	fr->first[fr->n++] = i;
	return 0;
}

static void fresh_cb(void *arg, const void *key, void *new)
{
	struct fresh *fr = arg;
	const struct mapref *to = fr->c->to;
	size_t nks = to->info.key_size, nvs = to->lookup_size, i;

	if (fr->at >= fr->n || memcmp(key, fr->keys + fr->at * nks, nks))
		return;		/* not in step: written as journaled */
	i = fr->first[fr->at];
	if (!bpf_map_lookup_elem(to->fd, key, fr->cur)) {
		carry_all(fr->c, fr->cur, i ? fr->nv + (i - 1) * nvs : NULL,
			  fr->v2s + fr->at * nvs);
		memcpy(new, fr->cur, nvs);
	}
	fr->at++;
}

/* The second sweep: what changed in FROM since the first (s1: FROM then,
 * nk/nv: what was written). */
static int sweep2(struct conv *c, const struct ents *s1, const char *nk,
		  const char *nv, struct kindex *x, size_t *changed)
{
	const struct mapref *to = c->to;
	uint32_t nks = to->info.key_size, nvs = to->lookup_size;
	struct ents s2;
	struct fail f = { 0 };
	char *k2 = malloc(nks + 8), *v2 = malloc(nvs + 8), *cur = malloc(nvs + 8);
	char *sum = malloc(c->from->lookup_size + 8);
	bool *seen = calloc(s1->n + 1, 1);
	struct fresh fr = { .c = c, .nv = nv, .cur = malloc(nvs + 8) };
	size_t nch = 0;
	int rc = 0;

	*changed = 0;
	if (!k2 || !v2 || !cur || !sum || !seen || !fr.cur) {
		rc = -1;
		err_fail("out of memory");
		goto out;
	}
	if (ents_read(c->from, &s2)) {
		rc = -1;
		goto out;
	}
	rc = mapw_journal_begin(to, 64) ? -1 : 0;
	for (size_t j = 0; !rc && j < s2.n; j++) {
		const char *ok = s2.keys + j * s2.ks, *ov = s2.vals + j * s2.vs;
		uint32_t bad = mig_side_conv(&c->key, ok, k2);
		size_t i;
		bool have;

		if (!bad && (bad = val_conv(c, ov, v2, sum)))
			mig_fail_add(&f, c->from, ok, &c->val, bad, ov);
		else if (bad)
			mig_fail_add(&f, c->from, ok, &c->key, bad, ok);
		if (bad)
			continue;
		i = kindex_get(x, k2);
		if (i) {
			seen[i - 1] = true;
			if (!memcmp(ov, s1->vals + (i - 1) * s1->vs, s1->vs))
				continue;
		}
		have = !bpf_map_lookup_elem(to->fd, k2, cur);
		if (!have) {
			rc = mapw_journal_add(to, k2, NULL, v2) || fresh_add(&fr, k2, v2, i) ? -1 : 0;
		} else {
			char *old = malloc(nvs + 8);

			if (!old) {
				rc = -1;
				break;
			}
			memcpy(old, cur, nvs);
			carry_all(c, cur, i ? nv + (i - 1) * nvs : NULL, v2);
			if (memcmp(old, cur, nvs)) {
				rc = mapw_journal_add(to, k2, old, cur) ||
				     fresh_add(&fr, k2, v2, i) ? -1 : 0;
				nch++;
			}
			free(old);
			continue;
		}
		nch++;
	}
	/* gone from FROM since: gone from TO too, unless the new program
	 * changed it since */
	for (size_t i = 0; !rc && !to->is_array && !c->from->is_array && i < s1->n; i++) {
		if (seen[i])
			continue;
		if (bpf_map_lookup_elem(to->fd, nk + i * nks, cur) ||
		    memcmp(cur, nv + i * nvs, nvs))
			continue;
		rc = mapw_journal_add(to, nk + i * nks, cur, NULL) ? -1 : 0;
		nch++;
	}
	if (!rc && f.n) {
		err_fail("%s migrate: second sweep: %zu %s changed since the first %s not fit; the map is as after the first sweep:",
			 to->name, f.n, f.n == 1 ? "entry" : "entries", f.n == 1 ? "does" : "do");
		fputs(sb_str(&f.sb), stderr);
		rc = -1;
	}
	if (!rc) {
		size_t done = 0;

		mapw_journal_fresh(fresh_cb, &fr);
		rc = write_journal(to, &done) ? -1 : 0;
	}
	*changed = nch;
	ents_free(&s2);
out:
	sb_free(&f.sb);
	free(fr.keys);
	free(fr.v2s);
	free(fr.first);
	free(fr.cur);
	free(k2);
	free(v2);
	free(cur);
	free(sum);
	free(seen);
	return rc;
}

int migrate_run(struct mapref *from, struct mapref *to, const struct migrate_opts *o,
		migrate_between_fn between, void *arg)
{
	struct conv c = { .from = from, .to = to };
	struct ents s1 = { 0 };
	struct kindex x = { 0 };
	struct fail fk = { 0 }, fv = { 0 }, fc = { 0 };
	uint32_t nks = to->info.key_size, nvs = to->lookup_size;
	char *nk = NULL, *nv = NULL, *sum = NULL, *old = NULL;
	unsigned char *had = NULL;
	unsigned long long in_to = 0, adds = 0, fit;
	char b1[32], b2[32];
	int rc = -1;

	if (check_maps(from, to))
		return -1;
	c.key = (struct side){ .what = "key", .op = from->key, .np = to->key };
	c.val = (struct side){ .what = "value", .op = from->value, .np = to->value };
	for (int i = 0; i < o->nrenames; i++)
		if (!strchr(o->renames[i], '=') || o->renames[i][0] == '=') {
			err_fail("%s migrate: --rename %s: expected OLD=NEW (field paths)",
				 to->name, o->renames[i]);
			goto out;
		}
	for (int i = 0; i < o->nsets; i++) {
		char name[256];
		const char *text;

		if (!mig_set_leaf(&c.key, o->sets[i], &text, name, sizeof(name)) &&
		    !mig_set_leaf(&c.val, o->sets[i], &text, name, sizeof(name))) {
			const char *sug = NULL, *eq = strchr(o->sets[i], '=');

			if (eq) {
				snprintf(name, sizeof(name), "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
				if (!tv_find_leaf(to->value, name, &sug) && !sug)
					tv_find_leaf(to->key, name, &sug);
			}
			err_fail("%s migrate: --set %s: %s%s%s%s", to->name, o->sets[i],
				 eq ? "the new type has no such field" : "expected FIELD=VALUE",
				 sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
			goto out;
		}
	}
	if (mig_side_compile(to, &c.key, o, true) || mig_side_compile(to, &c.val, o, true))
		goto out;

	/* the first sweep: FROM as it is now */
	if (ents_read(from, &s1))
		goto out;
	nk = malloc(s1.n * nks + 8);
	nv = malloc(s1.n * nvs + 8);
	sum = malloc(from->lookup_size + 8);
	had = calloc(s1.n + 1, 1);
	old = malloc(nvs + 8);
	if (!nk || !nv || !sum || !had || !old || kindex_init(&x, nk, nks, s1.n)) {
		err_fail("out of memory");
		goto out;
	}
	for (size_t i = 0; i < s1.n; i++) {
		const char *ok = s1.keys + i * s1.ks, *ov = s1.vals + i * s1.vs;
		uint32_t bad = mig_side_conv(&c.key, ok, nk + i * nks);
		size_t dup;

		if (bad) {
			mig_fail_add(&fk, from, ok, &c.key, bad, ok);
			continue;
		}
		if ((bad = val_conv(&c, ov, nv + i * nvs, sum)))
			mig_fail_add(&fv, from, ok, &c.val, bad, from->percpu && !to->percpu ? sum : ov);
		if (to->is_array) {
			__u32 idx;

			memcpy(&idx, nk + i * nks, 4);
			if (idx >= to->info.max_entries && fc.n++ < MAX_LISTED) {
				sb_adds(&fc.sb, "  ");
				mapref_key_text(from, ok, &fc.sb);
				sb_addf(&fc.sb, ": index %u is beyond the array's %u elements\n",
					  idx, to->info.max_entries);
			}
		}
		if ((dup = kindex_put(&x, i)) && fc.n++ < MAX_LISTED) {
			sb_adds(&fc.sb, "  ");
			mapref_key_text(from, s1.keys + (dup - 1) * s1.ks, &fc.sb);
			sb_adds(&fc.sb, " and ");
			mapref_key_text(from, ok, &fc.sb);
			sb_adds(&fc.sb, " both become ");
			mapref_key_text(to, nk + i * nks, &fc.sb);
			sb_addc(&fc.sb, '\n');
		}
	}
	/* what TO holds already */
	if (!to->is_array) {
		long long cnt = mapref_count(to);

		in_to = cnt > 0 ? (unsigned long long)cnt : 0;
		for (size_t i = 0; in_to && i < s1.n; i++)
			had[i] = !bpf_map_lookup_elem(to->fd, nk + i * nks, old);
		for (size_t i = 0; i < s1.n; i++)
			adds += !had[i];
	}
	if (fk.n || fv.n || fc.n) {
		struct fail *fs[3] = { &fk, &fv, &fc };
		const char *why[3] = { "keys that do not fit the new key type",
				       "values that do not fit the new value type",
				       to->is_array ? "keys beyond the new array" :
				       "old keys that become one new key" };

		for (int i = 0; i < 3; i++) {
			if (!fs[i]->n)
				continue;
			err_fail("%s migrate: refused: %s %s with %s%s:", to->name,
				 mapw_count_text(fs[i]->n, b1, sizeof(b1)),
				 fs[i]->n == 1 ? "entry" : "entries", why[i],
				 o->dry_run ? "" : "; nothing written");
			fputs(sb_str(&fs[i]->sb), stderr);
			if (fs[i]->n > MAX_LISTED)
				fprintf(stderr, "  ... and %zu more\n", fs[i]->n - MAX_LISTED);
		}
		goto out;
	}
	fit = room(to);
	if (!to->is_array && in_to + adds > fit) {
		err_fail("%s migrate: refused: does not fit: %s would hold %llu entries (%llu now, %llu to add) and %s %u%s; nothing written",
			 to->name, to->name, in_to + adds, in_to, adds,
			 is_lru(to->info.type) ? "an LRU map evicts beyond about" : "its max_entries is",
			 is_lru(to->info.type) ? (unsigned)fit : to->info.max_entries,
			 is_lru(to->info.type) ? " entries" : "");
		goto out;
	}
	if (o->dry_run) {
		mig_say(o, "would copy %s %s of %s into %s (%s, max_entries %u); nothing written",
		    mapw_count_text(s1.n, b1, sizeof(b1)), s1.n == 1 ? "entry" : "entries",
		    from->name, to->name,
		    map_type_str(to->info.type), to->info.max_entries);
		rc = 0;
		goto out;
	}

	{
		struct mapw_session ws = { .audit_log = o->audit_log, .verb = "migrate",
					   .no_wait = o->no_wait };
		size_t done = 0, changed = 0;
		bool arr = to->is_array;

		if (mapw_begin(&ws, to))
			goto end;
		if (mapw_journal_begin(to, s1.n))
			goto end;
		for (size_t i = 0; i < s1.n; i++) {
			const char *k = nk + i * nks, *prev = NULL;

			if (arr || had[i]) {
				if (bpf_map_lookup_elem(to->fd, k, old)) {
					if (arr) {
						err_fail("%s migrate: reading element: %s", to->name, strerror(errno));
						goto end;
					}
				} else {
					prev = old;
				}
			}
			if (mapw_journal_add(to, k, prev, nv + i * nvs))
				goto end;
		}
		if (write_journal(to, &done))
			goto end;
		mig_say(o, "copied %s %s of %s into %s", mapw_count_text(s1.n, b1, sizeof(b1)),
		    s1.n == 1 ? "entry" : "entries", from->name, to->name);
		if (between) {
			/* TO changes meanwhile anyway (the new program):
			 * other writers may too; the second sweep takes the
			 * lock again */
			mapw_release(to);
			if (between(arg)) {
				mig_say(o, "stopped after the first sweep: %s holds what it copied", to->name);
				goto end;
			}
			if (sweep2(&c, &s1, nk, nv, &x, &changed))
				goto end;
			mig_say(o, "second sweep: %s %s changed since the first carried over",
			    mapw_count_text(changed, b2, sizeof(b2)),
			    changed == 1 ? "entry" : "entries");
		}
		rc = 0;
end:
		mapw_end();
	}
out:
	mig_side_free(&c.key);
	mig_side_free(&c.val);
	ents_free(&s1);
	free(x.slot);
	free(nk);
	free(nv);
	free(sum);
	free(had);
	free(old);
	sb_free(&fk.sb);
	sb_free(&fv.sb);
	sb_free(&fc.sb);
	return rc;
}
