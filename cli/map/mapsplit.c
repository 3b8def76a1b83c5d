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
 * Reader k reads buckets [start_k, end_k). A batch returns whole buckets,
 * so the batch of reader k that reaches end_k may also hold entries of
 * buckets at or after end_k, which reader k+1 reads too. Those are dropped
 * from it: every key that reader k+1 returned in its first batch (its
 * "head", buckets [end_k, head_end)), and, if the batch went further than
 * the head, every key in the buckets up to where it ended (read again here
 * with batches over [head_end, e)). A key stays in its bucket as long as
 * it is in the map, so a key present throughout is read exactly once.
 *
 * The batches of every reader but the last are sized to the entries left
 * in its range (the density of the buckets read so far), divided by
 * four, so the batch that reaches end_k stops soon after it (halving
 * still ran far into the next range on a sparse map): on a huge sparse
 * map one batch of 4096 entries would otherwise walk every bucket to
 * the end of the map. A bucket holding more entries than asked for
 * (ENOSPC) is asked again with twice as many.
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

#define SP_CHUNKS 3
#define SP_MAX_CAP (1u << 20)

struct sp_chunk {
	char *keys, *values;
	__u32 cap, n;
	struct strbuf text;	/* the entries formatted (it->fmt) */
};

struct sp_reader {
	struct mapiter_split *sp;
	unsigned idx;
	pthread_t thread;
	bool running;
	__u32 start, end;	/* buckets [start, end) */
	__u32 tok;		/* the next bucket to read */
	unsigned long long got;	/* entries read in [start, tok) */
	/* under sp->lock from here */
	unsigned long long read, batches, retries, dropped;
	struct sp_chunk ring[SP_CHUNKS];
	unsigned first, ready;
	bool held, eof, gone;	/* gone: every chunk was handed out */
	int err;
	bool checked;		/* the first token was a bucket index */
	/* the keys of the first batch: buckets [start, head_end) */
	char *head;
	__u32 head_n, head_end;
	bool head_ready;
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
	struct sp_reader r[MAPITER_SPLIT_MAX];
	/* the caller's chunk (reader cur's first, when holding) */
	bool holding;
	const char *keys, *values;
	const struct strbuf *text;
	__u32 cn, cpos;
};

/* ---- how many readers ---- */

/* Whether `want` CPUs are free: the online CPUs less the runnable tasks
 * of /proc/loadavg other than this one (the best of five looks 0.1 ms
 * apart, so that a short wakeup does not count, such as the parent's
 * that has just started mapsh and is on its way to wait for it, seen
 * by the first look one run in two; the first look that finds them free
 * is enough). */
static bool cpus_free(long ncpu, unsigned want)
{
	for (int i = 0; i < 5; i++) {
		FILE *f = fopen("/proc/loadavg", "re");
		unsigned run = 0, tot = 0;
		int ok;

		if (!f)
			return false;
		ok = fscanf(f, "%*f %*f %*f %u/%u", &run, &tot) == 2;
		fclose(f);
		if (!ok)
			return false;
		run = run ? run - 1 : 0;
		if (run < (unsigned)ncpu && (unsigned)ncpu - run >= want)
			return true;
		if (i < 4)
			usleep(100);
	}
	return false;
}

/* The CPUs this process may run on (taskset, cgroup cpusets), as nproc
 * counts them; the online CPUs when the mask cannot be read. */
static long usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* As many readers as CPUs (up to MAPITER_SPLIT_MAX) when as many CPUs
 * are free; twice as many when not. A reader on a CPU that another task
 * also runs on gets part of it, and with equal ranges the read ends when
 * that slowest reader does (one CPU busy, two readers: 1.18x one
 * reader's floor); with more ranges than CPUs the scheduler moves the
 * readers to where they run, so the read stays at the floor (0.99x) and
 * costs no more CPU in all. (A busy task of another session is another
 * matter: autogroups leave this session about one CPU whatever its
 * threads, and ranges handed out as readers run out did no better.) More
 * readers than CPUs when all are free only crowd the memory bus on a
 * sparse map (four readers 0.79x of one pass against two 0.62x). One CPU:
 * one reader. */
unsigned mapsplit_readers(__u32 nb)
{
	const char *env = getenv("MAPSH_READERS");
	long ncpu;
	unsigned n;

	/* MAPSH_READERS=N: N readers whatever the load and size (tests) */
	if (env && *env) {
		n = (unsigned)strtoul(env, NULL, 10);
		if (n < 1)
			n = 1;
	} else {
		if (nb < MAPITER_SPLIT_MIN)
			return 1;
		ncpu = usable_cpus();
		if (ncpu <= 1)
			return 1;
		n = ncpu > MAPITER_SPLIT_MAX ? MAPITER_SPLIT_MAX : (unsigned)ncpu;
		if (!cpus_free(ncpu, n))
			n *= 2;
		if (n > nb / (MAPITER_SPLIT_MIN / 2))
			n = nb / (MAPITER_SPLIT_MIN / 2);
	}
	if (n > MAPITER_SPLIT_MAX)
		n = MAPITER_SPLIT_MAX;
	if (n > nb)
		n = nb;
	return n ? n : 1;
}

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

/* Drop from c the keys that the next reader reads too: see the top. */
static int drop_overlap(struct sp_reader *r, struct sp_chunk *c, __u32 e,
			unsigned long long *batches, unsigned long long *retries)
{
	struct mapiter_split *sp = r->sp;
	struct mapiter *it = sp->it;
	struct sp_reader *nx = &sp->r[r->idx + 1];
	__u32 ks = it->key_size, nset, w = 0, cap;
	char *set, *tk = NULL, *tv = NULL;
	bool ok;
	int rc = 0;

	pthread_mutex_lock(&sp->lock);
	while (!nx->head_ready && !nx->eof && !sp->stop)
		pthread_cond_wait(&sp->cond, &sp->lock);
	ok = nx->head_ready;
	pthread_mutex_unlock(&sp->lock);
	if (!ok)
		return sp->stop ? 0 : -EIO;
	nset = nx->head_n;
	set = malloc((size_t)(nset ? nset : 1) * ks);
	if (!set)
		return -ENOMEM;
	memcpy(set, nx->head, (size_t)nset * ks);
	/* This batch went past the next reader's first batch: the buckets
	 * in between, read again here. */
	cap = it->chunk;
	for (__u32 in = nx->head_end; in < e;) {
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

/* Entries to ask for next: the last reader (and every first batch of it)
 * a whole chunk; the others a quarter of the entries their range is
 * likely to have left, by the density of what they read so far (1 to
 * probe), and never more than they read so far: on a sparse map a first
 * entry found early says the range is dense, and a batch sized by it
 * would walk far into the next range. */
static __u32 next_want(const struct sp_reader *r, bool first, bool last,
		       __u32 cap)
{
	unsigned long long covered, est;

	if (last)
		return cap;
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

/* The first batch of a reader: a fault when its token is not a bucket
 * index, and for every reader but the first the keys it read (its head,
 * which the reader before drops from its last batch). Under no lock;
 * returns err or a new one. */
static int first_batch(struct sp_reader *r, const char *keys, __u32 n,
		       __u32 out, int err)
{
	struct mapiter_split *sp = r->sp;
	size_t ks = sp->it->key_size;

	pthread_mutex_lock(&sp->lock);
	if (err) {
		sp->fault = true;
		sp->why = err == -EPROTO   ? "a token that is not a bucket index"
			  : err == -ENOMEM ? "out of memory"
					   : "a batch read failed";
	} else if (r->idx > 0) {
		r->head = malloc((size_t)(n ? n : 1) * ks);
		if (r->head) {
			memcpy(r->head, keys, (size_t)n * ks);
			r->head_n = n;
			r->head_end = out;
			r->head_ready = true;
		} else {
			err = -ENOMEM;
			sp->fault = true;
			sp->why = "out of memory";
		}
	}
	r->checked = !err;
	pthread_cond_broadcast(&sp->cond);
	pthread_mutex_unlock(&sp->lock);
	return err;
}

static void *rd_main(void *arg)
{
	struct sp_reader *r = arg;
	struct mapiter_split *sp = r->sp;
	struct mapiter *it = sp->it;
	bool last = r->idx == sp->n - 1, first = true;

	r->tok = r->start;
	pthread_mutex_lock(&sp->lock);
	/* Not before every reader is started: see mapsplit_start. */
	while (!sp->go && !sp->stop)
		pthread_cond_wait(&sp->cond, &sp->lock);
	for (;;) {
		unsigned long long batches = 0, retries = 0, read = 0;
		struct sp_chunk *c;
		bool end = false, cross = false;
		int err = 0;

		while (!sp->stop && (r->held ? 1u : 0u) + r->ready >= SP_CHUNKS)
			pthread_cond_wait(&sp->cond, &sp->lock);
		if (sp->stop)
			break;
		c = &r->ring[(r->first + (r->held ? 1u : 0u) + r->ready) % SP_CHUNKS];
		pthread_mutex_unlock(&sp->lock);

		c->n = 0;
		if (!c->keys && chunk_alloc(c, it)) {
			err = -ENOMEM;
			if (first)
				first_batch(r, NULL, 0, 0, err);
		} else do {
			__u32 out = 0, n = 0, in = r->tok, off = c->n;
			int rc;

			rc = batch_at(it, first && r->idx == 0, in,
				      next_want(r, first, last, c->cap), &c->keys,
				      &c->values, &c->cap, off, &out, &n, &batches,
				      &retries);
			end = rc == -ENOENT;
			if (rc && !end)
				err = rc;
			if (!err && first && mapiter_fault("token"))
				out = sp->nb + 7;	/* a token that is no bucket index */
			if (!err && !token_ok(sp, in, out, end))
				err = -EPROTO;
			if (first)
				err = first_batch(r, c->keys, n, out, err);
			first = false;
			if (err)
				break;
			c->n += n;
			read += n;
			r->got += n;
			r->tok = out;
			cross = !last && (end || out >= r->end);
		} while (!end && !cross && !chunk_full(c));
		if (err)
			c->n = 0;
		if (cross && c->n)
			err = drop_overlap(r, c, r->tok, &batches, &retries);
		if (!err && c->n && it->fmt) {
			sb_reset(&c->text);
			it->fmt(it->fmt_arg, c->keys, c->values, c->n, &c->text);
		}

		pthread_mutex_lock(&sp->lock);
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
		} else if (cross || end) {
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
		free(sp->r[i].head);
	}
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
	unsigned n;
	bool ok;

	if (!splittable(it->type) || !it->batch || !it->max_entries ||
	    it->started || it->sp)
		return -EOPNOTSUPP;
	while (nb < it->max_entries)
		nb <<= 1;
	if (nb > (1ull << 31))
		return -EOPNOTSUPP;
	n = mapsplit_readers((__u32)nb);
	if (n < 2)
		return -EAGAIN;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->it = it;
	sp->n = n;
	sp->nb = (__u32)nb;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->cond, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct sp_reader *r = &sp->r[i];

		r->sp = sp;
		r->idx = i;
		r->start = (__u32)(nb * i / n);
		r->end = (__u32)(nb * (i + 1) / n);
	}
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
