// SPDX-License-Identifier: GPL-2.0
/* The split reader of mapiter: N threads read one hash map at once, each
 * over a range of its buckets.
 *
 * For the hash map types the batch token is a u32 bucket index: in_batch
 * is the first bucket to read, out_batch the next bucket not read, a call
 * returns whole buckets, and there are max_entries rounded up to a power
 * of two buckets. The kernel documents the token only as opaque, so every
 * token that comes back is checked (it must grow, and stay below the
 * bucket count, or equal it at the end): the first token of every reader
 * is checked before any entry is handed out, and when one is not what it
 * should be the readers are stopped and one reader reads the map as
 * before. A later token out of line fails the read (-EPROTO).
 *
 * Reader k first reads buckets [start_k, end_k). A batch returns whole
 * buckets, so the batch of reader k that reaches end_k may also hold
 * entries of buckets at or after end_k, which the reader of the next
 * range reads too. Those are dropped from it: every key that reader
 * returned from the start of that range as far as it has gone (its
 * "head", buckets [end_k, head_end), at least its first batch, kept up to
 * SP_HEAD_MAX keys), and, if the batch went further than the head, every
 * key in the buckets up to where it ended (read again here with batches
 * over [head_end, e)). A key stays in its bucket as long as it is in the
 * map, so a key present throughout is read exactly once; one that a
 * writer deletes and adds again is printed at most once where the head
 * covers it (the keys dropped are those the other reader hands out).
 *
 * The batches are sized to the entries left in the range (the density of
 * the buckets read so far), divided by four, so the batch that reaches
 * end_k stops soon after it (halving still ran far into the next range on
 * a sparse map): on a huge sparse map one batch of 4096 entries would
 * otherwise walk every bucket to the end of the map, and leave nothing to
 * take over (below). A bucket holding more entries than asked for
 * (ENOSPC) is asked again with twice as many.
 *
 * A reader done with its range takes over the second half of what is left
 * of the range with the most left (cut_range): that range now ends at the
 * cut, and its reader's batch in flight, which may go past it, drops what
 * it read there by the new range's head, as at any range's end. Ranges
 * stay whole buckets, so the merge stays exact.
 *
 * Each reader fills a ring of SP_CHUNKS chunks, a chunk with as many
 * batches as it takes to fill half of it (or to end the range); the
 * caller takes the chunks as they are ready, of the readers in turn where
 * several are, so memory stays SP_CHUNKS chunks a reader. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/strbuf.h"
#include "map/mapsplit.h"

/* The fields of a reader and its range that other threads read without
 * the lock (tok, want, got; a range's end and recording): written with
 * these, read so where another thread may write them. */
#define SET(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)
#define GET(x) __atomic_load_n(&(x), __ATOMIC_ACQUIRE)

#define SP_CHUNKS 3
#define SP_MAX_CAP (1u << 20)
/* Keys a range's head keeps at most (see struct sp_range). */
#define SP_HEAD_MAX (2 * MAPITER_CHUNK)
/* Ranges at most: the readers' first ones and those cut off later. */
#define SP_RANGES (4 * MAPITER_SPLIT_MAX)
/* A range with fewer buckets left than a 16th of a first range (and at
 * least 1024) is not cut in two. */
#define SP_CUT_MIN 1024u

struct sp_chunk {
	char *keys, *values;
	__u32 cap, n;
	struct strbuf text;	/* the entries formatted (it->fmt) */
};

/* Buckets [start, end) read by one reader. A reader done with its range
 * cuts another's in two and reads the second half (see the top). */
struct sp_range {
	__u32 start;
	/* under sp->lock: */
	__u32 end;
	struct sp_range *next;	/* the range from end on, NULL: the last */
	/* a range cut off another: the entries its first batch asks for
	 * (as many as the batch in flight of the range cut); 0: one. And
	 * for a range cut: at most as many for each of its later batches
	 * (cap_want, set by the one who cut it); 0: no limit */
	__u32 head_want, cap_want;
	/* its head: the keys its reader read in buckets [start, head_end),
	 * added to after each batch while recording (SP_HEAD_MAX keys at
	 * most, or until need, the bucket the reader of the range before
	 * read up to, is covered) */
	char *head;
	__u32 head_n, head_cap, head_end, need;
	bool recording, dead;	/* dead: its first batch failed */
};

struct sp_reader {
	struct mapiter_split *sp;
	unsigned idx;
	int cpu_want;		/* the CPU to hold it to, -1: none */
	int cpu;		/* (under sp->lock) the one CPU it may run on, -1: several */
	pthread_t thread;
	bool running;
	struct sp_range *rg;	/* the range it reads */
	__u32 start, end;	/* rg's, end as last seen under the lock */
	unsigned long long got;	/* entries read in [start, tok) */
	/* under sp->lock from here */
	__u32 tok;		/* the next bucket to read */
	__u32 want;		/* entries the batch in flight asked for */
	bool reading;		/* in rg, short of its end: rg can be cut */
	unsigned long long read, batches, retries, dropped;
	struct sp_chunk ring[SP_CHUNKS];
	unsigned first, ready;
	bool held, eof, gone;	/* gone: every chunk was handed out */
	int err;
	bool checked;		/* the first token was a bucket index */
};

struct mapiter_split {
	struct mapiter *it;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* any change */
	unsigned n, cur;
	__u32 nb;		/* buckets */
	bool stop, fault;
	bool go;		/* every reader started: read */
	const char *why;	/* the fault */
	/* MAPSH_READ_FAULT's test faults, read once (not in every batch) */
	bool f_slow, f_stale, f_head1, f_nocut;
	struct sp_reader r[MAPITER_SPLIT_MAX];
	struct sp_range rg[SP_RANGES];
	unsigned nrg;
	/* the caller's chunk (reader cur's first, when holding) */
	bool holding;
	const char *keys, *values;
	const struct strbuf *text;
	__u32 cn, cpos;
};

/* ---- one reader ---- */

static int cmp_keys(const void *a, const void *b, void *arg)
{
	return memcmp(a, b, *(const __u32 *)arg);
}

/* One batch from bucket `in` into buffers of *cap entries, after the
 * first `off` of them, asking for want entries (twice as many while a
 * bucket does not fit, growing the buffers at need, the entries before
 * off kept). 0 or -ENOENT (the end of the map) with *out and *n set, or
 * the error. */
static int batch_at(struct mapiter *it, bool from_start, __u32 in, __u32 want,
		    char **keys, char **values, __u32 *cap, __u32 off,
		    __u32 *out, __u32 *n,
		    unsigned long long *batches, unsigned long long *retries)
{
	size_t ks = it->key_size ? it->key_size : 1;
	size_t vs = it->value_size ? it->value_size : 1;

	if (want > *cap - off)
		want = *cap - off;
	if (want < 1)
		want = 1;
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 count = want;
		int err;

		*out = 0;
		err = bpf_map_lookup_batch(it->fd, from_start ? NULL : &in, out,
					   *keys + off * ks, *values + off * vs,
					   &count, &opts);
		(*batches)++;
		if (!err || err == -ENOENT) {
			*n = count;
			return err;
		}
		if (err != -ENOSPC)
			return err;
		if (want >= *cap - off) {
			char *k, *v;

			if (*cap >= SP_MAX_CAP)
				return err;
			k = realloc(*keys, (size_t)*cap * 2 * ks);
			if (!k)
				return -ENOMEM;
			*keys = k;
			v = realloc(*values, (size_t)*cap * 2 * vs);
			if (!v)
				return -ENOMEM;
			*values = v;
			*cap *= 2;
		}
		(*retries)++;
		want = want * 2 < *cap - off ? want * 2 : *cap - off;
	}
}

/* Is key k in the sorted set of n keys of ks bytes? */
static bool bsearch_r_keys(const char *k, const char *set, __u32 n, __u32 ks)
{
	__u32 lo = 0, hi = n;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;
		int c = memcmp(k, set + (size_t)mid * ks, ks);

		if (!c)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* Is out a token that can follow in (a bucket index)? */
static bool token_ok(const struct mapiter_split *sp, __u32 in, __u32 out,
		     bool end)
{
	if (end)
		return out == sp->nb;
	return out > in && out < sp->nb;
}

/* Drop from c the keys that the reader of the next range nx reads too:
 * see the top. */
static int drop_overlap(struct sp_reader *r, struct sp_range *nx,
			struct sp_chunk *c, __u32 e,
			unsigned long long *batches, unsigned long long *retries)
{
	struct mapiter_split *sp = r->sp;
	struct mapiter *it = sp->it;
	__u32 ks = it->key_size, nset, w = 0, cap;
	char *set, *tk = NULL, *tv = NULL;
	bool ok;
	int rc = 0;

	__u32 from;

	pthread_mutex_lock(&sp->lock);
	if (nx->need < e)
		nx->need = e;
	/* Its first batch, not more: waiting for its reader to read up to
	 * e stalled this one for a batch of the other's (on a sparse map
	 * milliseconds); what is past its head is read again below. */
	while (!nx->dead && !sp->stop && !nx->head_end)
		pthread_cond_wait(&sp->cond, &sp->lock);
	ok = !nx->dead && !sp->stop;
	nset = nx->head_n;
	from = nx->head_end;
	set = ok ? malloc((size_t)(nset ? nset : 1) * ks) : NULL;
	if (set && nset)
		memcpy(set, nx->head, (size_t)nset * ks);
	pthread_mutex_unlock(&sp->lock);
	if (!ok)
		return sp->stop ? 0 : -EIO;
	if (!set)
		return -ENOMEM;
	/* This batch went past what the next range's reader kept of its
	 * reads: the buckets in between, read again here (at another time
	 * than that reader reads them: exact for keys present throughout). */
	cap = it->chunk;
	for (__u32 in = from; in < e;) {
		__u32 out, n;
		char *grown;

		if (!tk) {
			tk = malloc((size_t)cap * ks);
			tv = malloc((size_t)cap * (it->value_size ? it->value_size : 1));
			if (!tk || !tv) {
				rc = -ENOMEM;
				break;
			}
		}
		rc = batch_at(it, false, in, cap, &tk, &tv, &cap, 0, &out, &n,
			      batches, retries);
		if (rc && rc != -ENOENT)
			break;
		if (!token_ok(sp, in, out, rc == -ENOENT)) {
			rc = -EPROTO;
			break;
		}
		grown = realloc(set, (size_t)(nset + n ? nset + n : 1) * ks);
		if (!grown) {
			rc = -ENOMEM;
			break;
		}
		set = grown;
		memcpy(set + (size_t)nset * ks, tk, (size_t)n * ks);
		nset += n;
		if (rc == -ENOENT) {
			rc = 0;
			break;
		}
		in = out;
	}
	free(tk);
	free(tv);
	if (rc) {
		free(set);
		return rc;
	}
	qsort_r(set, nset, ks, cmp_keys, &ks);
	for (__u32 i = 0; i < c->n; i++) {
		const char *k = c->keys + (size_t)i * ks;

		if (nset && bsearch_r_keys(k, set, nset, ks))
			continue;
		if (w != i) {
			memmove(c->keys + (size_t)w * ks, k, ks);
			memmove(c->values + (size_t)w * it->value_size,
				c->values + (size_t)i * it->value_size, it->value_size);
		}
		w++;
	}
	free(set);
	pthread_mutex_lock(&sp->lock);
	r->dropped += c->n - w;
	pthread_mutex_unlock(&sp->lock);
	c->n = w;
	return 0;
}

/* Entries to ask for next: a quarter of the entries the range is likely
 * to have left, by the density of what was read of it so far (1 to
 * probe), and never more than read so far: on a sparse map a first entry
 * found early says the range is dense, and a batch sized by it would walk
 * far into the next range. The last range is sized so too: a batch of a
 * whole chunk would walk every bucket to the end of a sparse map, and
 * left nothing for a reader done with its range to take. */
static __u32 next_want(const struct sp_reader *r, bool first, __u32 cap)
{
	unsigned long long covered, est;

	if (first)
		return 1;
	covered = r->tok - r->start;
	est = covered ? r->got * (unsigned long long)(r->end - r->tok) / covered : cap;
	est /= 4;
	if (est > r->got)
		est = r->got;
	if (est < 1)
		est = 1;
	return est < cap ? (__u32)est : cap;
}

/* A chunk's buffers, by its reader when it first fills it: on a sparse
 * map a reader fills one chunk of its ring, and the caller's thread
 * zeroing every chunk of every reader before any started cost 0.3 ms of
 * a 15 ms read. 0 or -ENOMEM. */
static int chunk_alloc(struct sp_chunk *c, const struct mapiter *it)
{
	c->cap = it->chunk;
	c->keys = calloc(it->chunk, it->key_size ? it->key_size : 1);
	c->values = calloc(it->chunk, it->value_size ? it->value_size : 1);
	return c->keys && c->values ? 0 : -ENOMEM;
}

/* A chunk is handed out when it is half full, or its reader is done: on
 * a sparse map each batch brings a few entries, and a ring of SP_CHUNKS
 * chunks of a few entries each would fill long before the caller, taking
 * the readers in turn, comes back to this reader (it waits for the next
 * reader's chunk meanwhile), so the readers would take turns instead of
 * reading at once. */
static bool chunk_full(const struct sp_chunk *c)
{
	return c->n >= c->cap / 2;
}

/* The first batch of a range: for the reader's first range a fault when
 * its token is not a bucket index (nothing was handed out yet: one reader
 * reads the map instead). Under no lock; returns err. */
static int first_batch(struct sp_reader *r, int err)
{
	struct mapiter_split *sp = r->sp;
	struct sp_range *rg = r->rg;

	pthread_mutex_lock(&sp->lock);
	if (err && !r->checked) {
		sp->fault = true;
		sp->why = err == -EPROTO   ? "a token that is not a bucket index"
			  : err == -ENOMEM ? "out of memory"
					   : "a batch read failed";
	}
	rg->dead = err != 0;
	r->checked = r->checked || !err;
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	return err;
}

/* After a batch of r's range (n keys, up to bucket out; done: its last):
 * the keys join the range's head while it records, which the reader of
 * the range before drops from its last batch. They are the keys this
 * reader hands out, so what is dropped is exact also for keys a writer
 * deletes and adds again meanwhile. Out of memory only stops recording
 * (the rest is read again by the one dropping). */
static void head_add(struct sp_reader *r, const char *keys, __u32 n,
		     __u32 out, bool done)
{
	struct mapiter_split *sp = r->sp;
	struct sp_range *rg = r->rg;
	size_t ks = sp->it->key_size;

	if (!GET(rg->recording))	/* never again once stopped */
		return;
	pthread_mutex_lock(&sp->lock);
	if (rg->recording && rg->head_n + n > rg->head_cap) {
		__u32 nc = rg->head_cap ? rg->head_cap * 2 : 64;
		char *h;

		while (nc < rg->head_n + n)
			nc *= 2;
		h = realloc(rg->head, (size_t)nc * (ks ? ks : 1));
		if (h) {
			rg->head = h;
			rg->head_cap = nc;
		} else {
			SET(rg->recording, false);
		}
	}
	if (rg->recording) {
		/* waited for (drop_overlap): the first batch only; a wakeup
		 * for each batch woke the caller's thread for nothing */
		if (!rg->head_end)
			pthread_cond_broadcast(&sp->cond);
		if (n)	/* (no head yet when every batch so far was empty) */
			memcpy(rg->head + (size_t)rg->head_n * ks, keys, (size_t)n * ks);
		rg->head_n += n;
		rg->head_end = out;
		if (done || rg->head_n >= SP_HEAD_MAX ||
		    (rg->need && out >= rg->need) || sp->f_head1)
			SET(rg->recording, false);
	}
	pthread_mutex_unlock(&sp->lock);
}

/* A reader done with its range takes the second half of what is left of
 * the range that has the most left (enough of it: SP_CUT_MIN): on some
 * machines buckets of one part of the map cost more to walk than others
 * (a 16M-bucket map: one eighth of it 30-50% slower, a different one for
 * each map), and with fixed ranges the read ends when the slowest reader
 * does. The reader of that range reads on up to the cut, which its batch
 * in flight may go past: it drops what it read there as at any range's
 * end, the keys of the new range's head. Its first batch asks for as
 * many entries as the batch in flight (and no later batch of the range
 * cut asks for more), so it covers every bucket past the cut that the
 * other read, and the keys dropped are those the new range's reader
 * hands out: exact also for keys a writer deletes and adds again
 * meanwhile (buckets past the head are read again to be dropped, at
 * another time than their reader reads them). The cut is put past where
 * the batch in flight is likely to reach, so that little is read twice.
 * Under sp->lock; false when nothing is worth taking. */
static bool cut_range(struct sp_reader *r)
{
	struct mapiter_split *sp = r->sp;
	struct sp_reader *v = NULL;
	struct sp_range *nr;
	unsigned long long reach, got, cut_n;
	__u32 most = 0, m, tok = 0, want, span;

	if (sp->nrg == SP_RANGES || sp->stop || sp->f_nocut)
		return false;
	for (unsigned i = 0; i < sp->n; i++) {
		struct sp_reader *o = &sp->r[i];
		/* (a reader may be past a cut it has not seen yet) */
		__u32 t = GET(o->tok);

		if (o != r && o->reading && t < o->rg->end &&
		    o->rg->end - t > most) {
			most = o->rg->end - t;
			tok = t;
			v = o;
		}
	}
	if (!v || most < SP_CUT_MIN || most < sp->nb / sp->n / 64)
		return false;
	/* Past where its batch in flight is likely to reach (by the
	 * density it read so far), so that it reads little twice. */
	want = GET(v->want);
	got = GET(v->got);
	span = tok - v->start;	/* the buckets its got entries came from */
	reach = got ? (unsigned long long)want * span / got : 0;
	if (reach < most / 2)
		reach = most / 2;
	if (reach + SP_CUT_MIN > most)
		return false;
	m = tok + (__u32)reach;
	nr = &sp->rg[sp->nrg++];
	nr->start = m;
	nr->end = v->rg->end;
	nr->next = v->rg->next;
	/* as many as the batch in flight asked for, and not much more than
	 * the new range is likely to hold (a first batch of a chunk ran far
	 * into the range after it) */
	cut_n = span ? (unsigned long long)(nr->end - m) * got / span / 4 : 1;
	nr->head_want = want ? want : 1;
	if (nr->head_want > cut_n)
		nr->head_want = cut_n ? (__u32)cut_n : 1;
	if (!v->rg->cap_want || v->rg->cap_want > nr->head_want)
		SET(v->rg->cap_want, nr->head_want);
	SET(nr->recording, true);
	SET(v->rg->end, m);
	v->rg->next = nr;
	r->rg = nr;
	r->start = m;
	r->end = nr->end;
	SET(r->tok, m);
	SET(r->got, 0);
	r->reading = true;
	return true;
}

/* Fault "slow": reader 0 waits after each batch until its range was cut
 * or no other reader still reads (1 ms at least, 2 s at most), so that
 * the others take its range over however fast each runs (a sleep of
 * 1 ms was not enough under a sanitizer, where the others were slower
 * than reader 0 with its sleeps). */
static void slow_wait(struct sp_reader *r)
{
	struct mapiter_split *sp = r->sp;
	__u32 end = GET(r->rg->end);

	for (int i = 0; i < 2000; i++) {
		bool others = false, done;

		usleep(1000);
		pthread_mutex_lock(&sp->lock);
		for (unsigned j = 0; j < sp->n; j++)
			others = others || (&sp->r[j] != r && sp->r[j].reading);
		done = sp->stop || !others || r->rg->end < end;
		pthread_mutex_unlock(&sp->lock);
		if (done)
			return;
	}
}

/* Hold the calling reader to CPU c (see readers.c for why), when c >= 0:
 * the one CPU the kernel then says it may run on, or -1. */
static int hold_to_cpu(int c)
{
	cpu_set_t set;
	int one = -1;

	if (c < 0 || c >= CPU_SETSIZE)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(c, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) ||
	    pthread_getaffinity_np(pthread_self(), sizeof(set), &set) ||
	    CPU_COUNT(&set) != 1)
		return -1;
	for (int i = 0; i < CPU_SETSIZE && one < 0; i++)
		if (CPU_ISSET(i, &set))
			one = i;
	return one;
}

static void *rd_main(void *arg)
{
	struct sp_reader *r = arg;
	struct mapiter_split *sp = r->sp;
	struct mapiter *it = sp->it;
	bool first = true;
	int cpu = hold_to_cpu(r->cpu_want);

	pthread_mutex_lock(&sp->lock);
	r->cpu = cpu;
	r->start = r->rg->start;
	r->end = r->rg->end;
	SET(r->tok, r->start);
	r->reading = true;
	/* Not before every reader is started: see mapsplit_start. */
	while (!sp->go && !sp->stop)
		pthread_cond_wait(&sp->cond, &sp->lock);
	for (;;) {
		unsigned long long batches = 0, retries = 0, read = 0;
		struct sp_range *nx = NULL;
		struct sp_chunk *c;
		bool end = false, cross = false, crossed = false;
		int err = 0;

		while (!sp->stop && (r->held ? 1u : 0u) + r->ready >= SP_CHUNKS)
			pthread_cond_wait(&sp->cond, &sp->lock);
		if (sp->stop)
			break;
		c = &r->ring[(r->first + (r->held ? 1u : 0u) + r->ready) % SP_CHUNKS];
		pthread_mutex_unlock(&sp->lock);

		/* No lock from batch to batch: with readers on busy CPUs a
		 * reader that held it when preempted stalled the others (a
		 * lock or two a batch made a 1M-entry dump 5-10% slower). A
		 * cut of the range (cut_range, under the lock) is seen by its
		 * end, which only comes down, here or under the lock below,
		 * before anything of the chunk is handed out. */
		c->n = 0;
		if (!c->keys && chunk_alloc(c, it)) {
			err = -ENOMEM;
			if (first)
				first_batch(r, err);
		} else do {
			__u32 out = 0, n = 0, in = first ? r->start : r->tok;
			__u32 want = next_want(r, first, c->cap), cap;
			int rc;

			if (first && r->rg->head_want)
				want = r->rg->head_want;
			cap = GET(r->rg->cap_want);
			if (cap && want > cap)
				want = cap;
			SET(r->want, want);
			rc = batch_at(it, first && r->start == 0, in, want,
				      &c->keys, &c->values, &c->cap, c->n,
				      &out, &n, &batches, &retries);
			end = rc == -ENOENT;
			if (rc && !end)
				err = rc;
			if (!err && first && !r->checked && mapiter_fault("token"))
				out = sp->nb + 7;	/* a token that is no bucket index */
			if (!err && !token_ok(sp, in, out, end))
				err = -EPROTO;
			if (first)
				err = first_batch(r, err);
			first = false;
			if (err)
				break;
			c->n += n;
			read += n;
			SET(r->got, r->got + n);
			SET(r->tok, out);
			/* (fault "stale": reader 0 sees cuts only under the
			 * lock, as a load that passed the store of tok would) */
			if (r->idx || !sp->f_stale)
				r->end = GET(r->rg->end);
			cross = end || out >= r->end;
			if (r->start > 0)
				head_add(r, c->keys + (size_t)(c->n - n) * it->key_size,
					 n, out, cross);
			if (r->idx == 0 && sp->f_slow)
				slow_wait(r);
		} while (!cross && !chunk_full(c));
		if (err)
			c->n = 0;
		for (;;) {
			/* the keys the next range's reader reads too, then
			 * the text (again, when a cut was seen only below) */
			if (nx && c->n)
				err = drop_overlap(r, nx, c, r->tok, &batches, &retries);
			if (!err && c->n && it->fmt && !(cross && !crossed)) {
				sb_reset(&c->text);
				it->fmt(it->fmt_arg, c->keys, c->values, c->n, &c->text);
			}
			pthread_mutex_lock(&sp->lock);
			if (err || crossed || !(end || r->tok >= r->rg->end))
				break;
			/* the end of the range: no more cuts of it */
			crossed = cross = true;
			r->reading = false;
			SET(r->rg->recording, false);
			nx = r->rg->next;
			if (!nx && !it->fmt)
				break;
			if (!nx && c->n) {	/* the last range: text only */
				pthread_mutex_unlock(&sp->lock);
				continue;
			}
			if (!c->n)
				break;
			pthread_mutex_unlock(&sp->lock);
		}
		r->batches += batches;
		r->retries += retries;
		if (!err) {
			r->read += read;
			if (c->n)
				r->ready++;
		}
		if (err) {
			r->err = err;
			r->eof = true;
		} else if (cross) {
			if (cut_range(r))
				first = true;
			else
				r->eof = true;
		}
		pthread_cond_broadcast(&sp->cond);
		if (r->eof)
			break;
	}
	r->eof = true;
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	return NULL;
}

/* ---- the caller's side ---- */

static void sp_free(struct mapiter_split *sp)
{
	pthread_mutex_lock(&sp->lock);
	sp->stop = true;
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	for (unsigned i = 0; i < sp->n; i++)
		if (sp->r[i].running)
			pthread_join(sp->r[i].thread, NULL);
	for (unsigned i = 0; i < sp->n; i++) {
		for (int j = 0; j < SP_CHUNKS; j++) {
			free(sp->r[i].ring[j].keys);
			free(sp->r[i].ring[j].values);
			sb_free(&sp->r[i].ring[j].text);
		}
	}
	for (unsigned i = 0; i < sp->nrg; i++)
		free(sp->rg[i].head);
	pthread_cond_destroy(&sp->cond);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
}

static bool splittable(__u32 type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

int mapsplit_start(struct mapiter *it)
{
	struct mapiter_split *sp;
	unsigned long long nb = 1;
	sigset_t all, old;
	int cpus[MAPITER_SPLIT_MAX];
	unsigned n;
	bool ok;

	if (!splittable(it->type) || !it->batch || !it->max_entries ||
	    it->started || it->sp)
		return -EOPNOTSUPP;
	while (nb < it->max_entries)
		nb <<= 1;
	if (nb > (1ull << 31))
		return -EOPNOTSUPP;
	n = mapsplit_readers((__u32)nb, cpus);
	if (n < 2)
		return -EAGAIN;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->it = it;
	sp->n = n;
	sp->nb = (__u32)nb;
	sp->f_slow = mapiter_fault("slow");
	sp->f_stale = mapiter_fault("stale");
	sp->f_head1 = mapiter_fault("head1");
	sp->f_nocut = mapiter_fault("nocut");
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->cond, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct sp_reader *r = &sp->r[i];

		r->sp = sp;
		r->idx = i;
		r->cpu_want = cpus[i];
		r->cpu = -1;
		r->rg = &sp->rg[i];
		r->rg->start = (__u32)(nb * i / n);
		r->rg->end = (__u32)(nb * (i + 1) / n);
		r->rg->next = i + 1 < n ? &sp->rg[i + 1] : NULL;
		SET(r->rg->recording, i > 0);
	}
	sp->nrg = n;
	/* Signals stay with the caller's thread (Ctrl-C, SIGPIPE). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&sp->r[i].thread, NULL, rd_main, &sp->r[i])) {
			pthread_mutex_lock(&sp->lock);
			sp->fault = true;
			sp->why = "no thread";
			pthread_mutex_unlock(&sp->lock);
			break;
		}
		sp->r[i].running = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* The readers start reading together, once all are started: a
	 * reader started while the ones before already read was put on a
	 * CPU they held (this thread's, still running, or a reader's in a
	 * batch the kernel does not preempt) and waited there, up to 12 ms
	 * of a 15 ms read on a sparse map, one run in two. Nothing is handed
	 * out before every reader's first token passed. */
	pthread_mutex_lock(&sp->lock);
	sp->go = true;
	pthread_cond_broadcast(&sp->cond);
	for (;;) {
		unsigned checked = 0;

		for (unsigned i = 0; i < n; i++)
			checked += sp->r[i].checked;
		if (sp->fault || checked == n)
			break;
		pthread_cond_wait(&sp->cond, &sp->lock);
	}
	ok = !sp->fault;
	pthread_mutex_unlock(&sp->lock);
	if (!ok) {
		it->stats.fallback = sp->why;
		sp_free(sp);
		return -EPROTO;
	}
	it->sp = sp;
	it->stats.readers = n;
	return 0;
}

/* The next chunk, of whichever reader has one ready (the one after the
 * last taken first): 1, 0 at the end, or a reader's error. Taking the
 * readers strictly in turn made the caller wait for one reader while
 * another stood still with its ring full. */
static int sp_take(struct mapiter *it)
{
	struct mapiter_split *sp = it->sp;
	struct sp_reader *r;
	struct sp_chunk *c;

	pthread_mutex_lock(&sp->lock);
	if (sp->holding) {
		r = &sp->r[sp->cur];
		r->first = (r->first + 1) % SP_CHUNKS;
		r->held = false;
		sp->holding = false;
		pthread_cond_broadcast(&sp->cond);
	}
	for (;;) {
		bool live = false;

		for (unsigned k = 1; k <= sp->n; k++) {
			unsigned j = (sp->cur + k) % sp->n;

			r = &sp->r[j];
			if (r->gone)
				continue;
			if (r->ready) {
				sp->cur = j;
				goto take;
			}
			if (r->eof && r->err) {
				it->err = r->err;
				pthread_mutex_unlock(&sp->lock);
				return it->err;
			}
			if (r->eof)
				r->gone = true;
			else
				live = true;
		}
		if (!live) {
			pthread_mutex_unlock(&sp->lock);
			return 0;
		}
		pthread_cond_wait(&sp->cond, &sp->lock);
	}
take:
	r->held = true;
	r->ready--;
	sp->holding = true;
	c = &r->ring[r->first];
	sp->keys = c->keys;
	sp->values = c->values;
	sp->text = &c->text;
	sp->cn = c->n;
	sp->cpos = 0;
	pthread_mutex_unlock(&sp->lock);
	return 1;
}

int mapsplit_next(struct mapiter *it, const void **key, const void **value)
{
	struct mapiter_split *sp = it->sp;

	if (it->err)
		return it->err;
	while (sp->cpos >= sp->cn) {
		int rc = sp_take(it);

		if (rc <= 0)
			return rc;
	}
	*key = sp->keys + (size_t)sp->cpos * it->key_size;
	*value = sp->values + (size_t)sp->cpos * it->value_size;
	sp->cpos++;
	return 1;
}

/* The next chunk whole (none of it left for mapsplit_next): 1, 0 at the
 * end, or the error; its entries are n. */
static int sp_take_whole(struct mapiter *it, __u32 *n)
{
	struct mapiter_split *sp = it->sp;
	int rc;

	if (it->err)
		return it->err;
	rc = sp_take(it);
	if (rc <= 0)
		return rc;
	*n = sp->cn;
	sp->cpos = sp->cn;
	return 1;
}

int mapsplit_next_chunk(struct mapiter *it, const void **keys,
			const void **values, __u32 *n)
{
	int rc = sp_take_whole(it, n);

	if (rc <= 0)
		return rc;
	*keys = it->sp->keys;
	*values = it->sp->values;
	return 1;
}

void mapsplit_chunk_text(const struct mapiter *it, const char **text,
			 size_t *len)
{
	const struct strbuf *t = it->sp ? it->sp->text : NULL;

	*text = t && t->buf ? t->buf : "";
	*len = t ? t->len : 0;
}

int mapsplit_next_text(struct mapiter *it, const char **text, size_t *len,
		       __u32 *n)
{
	int rc = sp_take_whole(it, n);

	if (rc <= 0)
		return rc;
	mapsplit_chunk_text(it, text, len);
	return 1;
}

void mapsplit_stats(struct mapiter *it)
{
	struct mapiter_split *sp = it->sp;
	unsigned long long e = 0, b = 0, rt = 0, tw = 0;

	if (!sp)
		return;
	pthread_mutex_lock(&sp->lock);
	for (unsigned i = 0; i < sp->n; i++) {
		e += sp->r[i].read - sp->r[i].dropped;
		b += sp->r[i].batches;
		rt += sp->r[i].retries;
		tw += sp->r[i].dropped;
	}
	it->stats.ranges = sp->nrg;
	it->stats.held = sp->n > 1;
	for (unsigned i = 0; i < sp->n; i++) {
		it->stats.cpu[i] = sp->r[i].cpu;
		it->stats.held = it->stats.held && sp->r[i].cpu >= 0;
	}
	pthread_mutex_unlock(&sp->lock);
	it->stats.entries = e;
	it->stats.batches = b;
	it->stats.retries = rt;
	it->stats.twice = tw;
	it->stats.readers = sp->n;
}

void mapsplit_stop(struct mapiter *it)
{
	if (!it->sp)
		return;
	mapsplit_stats(it);
	sp_free(it->sp);
	it->sp = NULL;
}
