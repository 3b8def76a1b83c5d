// SPDX-License-Identifier: GPL-2.0
/* Chunked map iteration: see mapiter.h. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "map/mapiter.h"
#include "map/mapsplit.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's internal "not supported" */
#endif

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* MAPSH_READ_FAULT (a hidden switch for the tests): a comma list of
 * "nobatch" (as a kernel without batch ops), "token" (the split readers'
 * first token is not a bucket index), "nommap". */
bool mapiter_fault(const char *what)
{
	const char *f = getenv("MAPSH_READ_FAULT");
	size_t n = strlen(what);

	for (; f && *f; f += strcspn(f, ","), f += *f == ',') {
		if (!strncmp(f, what, n) && (f[n] == ',' || !f[n]))
			return true;
	}
	return false;
}

/* BPF_F_MMAPABLE arrays (and global data maps made so by libbpf) are read
 * through a read-only mapping of their values: each value at index *
 * round_up(value_size, 8). Any failure leaves the batch read. */
static void try_mmap(struct mapiter *it)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len;
	void *p;

	if (it->type != BPF_MAP_TYPE_ARRAY || !(it->map_flags & BPF_F_MMAPABLE) ||
	    it->key_size != 4 || !it->value_size || !it->max_entries ||
	    mapiter_fault("nommap"))
		return;
	it->mm_elem = (it->value_size + 7) & ~7u;
	len = (size_t)it->mm_elem * it->max_entries;
	len = (len + (size_t)page - 1) & ~((size_t)page - 1);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, it->fd, 0);
	if (p == MAP_FAILED)
		return;
	it->mm = p;
	it->mm_len = len;
	it->stats.mmap = true;
}

int mapiter_init(struct mapiter *it, int fd, __u32 key_size, __u32 value_size,
		 __u32 max_entries)
{
	size_t tok = key_size > 8 ? key_size : 8;
	__u32 chunk = MAPITER_CHUNK;
	struct bpf_map_info info;
	__u32 ilen = sizeof(info);
	const char *env = getenv("MAPSH_READ_CHUNK");

	memset(it, 0, sizeof(*it));
	it->stats.start_ns = now_ns();
	it->stats.readers = 1;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
		it->type = info.type;
		it->map_flags = info.map_flags;
	}
	/* MAPSH_READ_CHUNK=N: batches of N entries at most (tests) */
	if (env && strtoul(env, NULL, 10) > 0 && strtoul(env, NULL, 10) < chunk)
		chunk = (__u32)strtoul(env, NULL, 10);
	it->fd = fd;
	it->key_size = key_size;
	it->value_size = value_size;
	it->max_entries = max_entries;
	if (value_size && chunk > MAPITER_CHUNK_BYTES / value_size)
		chunk = MAPITER_CHUNK_BYTES / value_size;
	if (max_entries && chunk > max_entries)
		chunk = max_entries;
	if (chunk < 1)
		chunk = 1;
	it->chunk = chunk;
	it->want = chunk;
	it->batch = !mapiter_fault("nobatch");
	/* calloc: valgrind does not know that the batch syscall fills them. */
	it->keys = calloc(chunk, key_size ? key_size : 1);
	it->values = calloc(chunk, value_size ? value_size : 1);
	it->tok_in = calloc(1, tok);
	it->tok_out = calloc(1, tok);
	it->prev = calloc(1, tok);
	if (!it->keys || !it->values || !it->tok_in || !it->tok_out ||
	    !it->prev) {
		mapiter_fini(it);
		return -ENOMEM;
	}
	try_mmap(it);
	return 0;
}

static void pf_stop(struct mapiter *it);

void mapiter_fini(struct mapiter *it)
{
	pf_stop(it);
	mapsplit_stop(it);
	if (it->mm)
		munmap(it->mm, it->mm_len);
	it->mm = NULL;
	free(it->keys);
	free(it->values);
	free(it->tok_in);
	free(it->tok_out);
	free(it->prev);
	it->keys = it->values = it->tok_in = it->tok_out = it->prev = NULL;
}

static int grow(struct mapiter *it)
{
	__u32 chunk = it->chunk * 2;
	void *k, *v;

	k = realloc(it->keys, (size_t)chunk * (it->key_size ? it->key_size : 1));
	if (!k)
		return -ENOMEM;
	it->keys = k;
	v = realloc(it->values, (size_t)chunk * (it->value_size ? it->value_size : 1));
	if (!v)
		return -ENOMEM;
	it->values = v;
	it->chunk = chunk;
	it->want = chunk;
	return 0;
}

int mapiter_get_next_key(int fd, const void *key, void *next)
{
	union bpf_attr attr;

	/* The whole attr zeroed (libbpf clears only the fields it uses,
	 * which valgrind reports as uninitialised syscall bytes). */
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd;
	attr.key = (__u64)(unsigned long)key;
	attr.next_key = (__u64)(unsigned long)next;
	return syscall(__NR_bpf, BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr)) ? -1 : 0;
}

/* get_next_key + lookup, one entry at a time, into the chunk buffers. */
static int fill_next_key(struct mapiter *it)
{
	/* A key deleted under us makes get_next_key start over; a map that
	 * keeps changing could then be walked forever. */
	unsigned long long cap = (unsigned long long)it->max_entries * 4 + 1024;
	__u32 n = 0;

	while (n < it->chunk) {
		char *k = (char *)it->keys + (size_t)n * it->key_size;
		char *v = (char *)it->values + (size_t)n * it->value_size;

		if (mapiter_get_next_key(it->fd, it->have_prev ? it->prev : NULL,
					 k)) {
			if (errno == ENOENT) {
				it->done = true;
				break;
			}
			return -errno;
		}
		memcpy(it->prev, k, it->key_size);
		it->have_prev = true;
		if (++it->yielded > cap) {
			it->done = true;
			break;
		}
		if (bpf_map_lookup_elem(it->fd, k, v)) {
			if (errno == ENOENT)
				continue;	/* deleted meanwhile */
			return -errno;
		}
		n++;
	}
	it->n = n;
	it->pos = 0;
	return 0;
}

static int fill_batch(struct mapiter *it)
{
	for (;;) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 asked = it->want && it->want < it->chunk ? it->want : it->chunk;
		__u32 count = asked;
		int err;

		err = bpf_map_lookup_batch(it->fd, it->started ? it->tok_in : NULL,
					   it->tok_out, it->keys, it->values,
					   &count, &opts);
		it->stats.batches++;
		if (!err || err == -ENOENT) {
			void *t = it->tok_in;

			it->tok_in = it->tok_out;
			it->tok_out = t;
			it->started = true;
			it->n = count;
			it->pos = 0;
			if (err)
				it->done = true;
			return 0;
		}
		/* One hash bucket holds more entries than asked for: ask
		 * for twice as many, growing the buffers when they are full. */
		if (err == -ENOSPC && (asked < it->chunk || it->chunk < (1u << 20))) {
			it->stats.retries++;
			if (asked < it->chunk) {
				it->want = asked * 2 < it->chunk ? asked * 2 : it->chunk;
				continue;
			}
			int rc = grow(it);

			if (rc)
				return rc;
			continue;
		}
		if (!it->started && (err == -EINVAL || err == -ENOTSUPP ||
				     err == -EOPNOTSUPP || err == -ENOSYS)) {
			it->batch = false;
			return fill_next_key(it);
		}
		return err;
	}
}

/* The next chunk of an mmap-ed array: index keys, values packed. */
static int fill_mmap(struct mapiter *it)
{
	__u32 n = it->max_entries - it->mm_idx;
	const char *src = (const char *)it->mm + (size_t)it->mm_idx * it->mm_elem;
	char *dst = it->values;
	__u32 *keys = it->keys;

	if (n > it->chunk)
		n = it->chunk;
	for (__u32 i = 0; i < n; i++)
		keys[i] = it->mm_idx + i;
	if (it->mm_elem == it->value_size) {
		memcpy(dst, src, (size_t)n * it->value_size);
	} else {
		for (__u32 i = 0; i < n; i++)
			memcpy(dst + (size_t)i * it->value_size,
			       src + (size_t)i * it->mm_elem, it->value_size);
	}
	it->mm_idx += n;
	it->n = n;
	it->pos = 0;
	it->started = true;
	it->stats.batches++;
	if (it->mm_idx >= it->max_entries)
		it->done = true;
	return 0;
}

static int fill_any(struct mapiter *it)
{
	if (it->done)
		return 0;
	if (it->mm)
		return fill_mmap(it);
	if (it->batch)
		return fill_batch(it);
	return fill_next_key(it);
}

static int fill(struct mapiter *it)
{
	int rc = fill_any(it);

	if (!rc)
		it->stats.entries += it->n;
	return rc;
}

/* The next chunk into keys/values, unless the walk is over: 1 when one
 * was read (it may be empty with more to come), 0 at the end, or the error
 * (kept in it->err). */
static int refill(struct mapiter *it)
{
	int rc;

	if (it->done || it->err)
		return it->err;
	rc = fill(it);
	if (rc) {
		it->err = rc;
		return rc;
	}
	return 1;
}

static int pf_next(struct mapiter *it, const void **key, const void **value);

static int pf_next_chunk(struct mapiter *it, const void **keys,
			 const void **values, __u32 *n);

int mapiter_next(struct mapiter *it, const void **key, const void **value)
{
	if (it->sp)
		return mapsplit_next(it, key, value);
	if (it->pf)
		return pf_next(it, key, value);
	while (it->pos >= it->n) {
		int rc = refill(it);

		if (rc <= 0)
			return rc;
		if (it->n == 0 && it->done)
			return 0;
	}
	*key = (char *)it->keys + (size_t)it->pos * it->key_size;
	*value = (char *)it->values + (size_t)it->pos * it->value_size;
	it->pos++;
	return 1;
}

int mapiter_next_chunk(struct mapiter *it, const void **keys,
		       const void **values, __u32 *n)
{
	if (it->sp)
		return mapsplit_next_chunk(it, keys, values, n);
	if (it->pf)
		return pf_next_chunk(it, keys, values, n);
	for (;;) {
		int rc = refill(it);

		if (rc <= 0)
			return rc;
		if (it->n) {
			*keys = it->keys;
			*values = it->values;
			*n = it->n;
			it->pos = it->n;
			return 1;
		}
	}
}

/* ---- reading ahead ----
 *
 * The reading thread owns every field of the iterator but err and pf: it
 * fills the chunks in turn (a ring of MAPITER_PF_CHUNKS buffers) with
 * fill(), pointing it->keys/values at the chunk to fill. The caller takes
 * them in the same order. Under the lock: the oldest chunk not given back
 * is `first`; `held` says whether the caller is on it; `ready` chunks
 * after it are filled and waiting; the reader fills the next one while
 * held + ready < MAPITER_PF_CHUNKS. */

struct pf_chunk {
	void *keys, *values;
	__u32 cap, n;		/* entries the buffers hold, entries read */
};

struct mapiter_pf {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* any change below */
	struct pf_chunk chunk[MAPITER_PF_CHUNKS];
	unsigned first, ready;
	bool held;
	bool eof;		/* the reader is finished (end or error) */
	bool stop;		/* the caller is finished */
	int err;		/* the reader's error */
	/* the caller's position in the chunk it holds */
	const char *keys, *values;
	__u32 n, pos;
};

static void *pf_main(void *arg)
{
	struct mapiter *it = arg;
	struct mapiter_pf *pf = it->pf;

	pthread_mutex_lock(&pf->lock);
	for (;;) {
		struct pf_chunk *c;
		int rc;

		while (!pf->stop && (pf->held ? 1u : 0u) + pf->ready >= MAPITER_PF_CHUNKS)
			pthread_cond_wait(&pf->cond, &pf->lock);
		if (pf->stop)
			break;
		c = &pf->chunk[(pf->first + (pf->held ? 1u : 0u) + pf->ready) %
			       MAPITER_PF_CHUNKS];
		pthread_mutex_unlock(&pf->lock);

		it->keys = c->keys;
		it->values = c->values;
		it->chunk = c->cap;
		it->n = 0;
		rc = fill(it);
		/* grow() may have moved or enlarged the buffers */
		c->keys = it->keys;
		c->values = it->values;
		c->cap = it->chunk;
		c->n = rc ? 0 : it->n;

		pthread_mutex_lock(&pf->lock);
		if (c->n)
			pf->ready++;
		if (rc) {
			pf->err = rc;
			pf->eof = true;
		} else if (it->done) {
			pf->eof = true;
		}
		pthread_cond_broadcast(&pf->cond);
		if (pf->eof)
			break;
	}
	pthread_mutex_unlock(&pf->lock);
	return NULL;
}

int mapiter_prefetch(struct mapiter *it)
{
	struct mapiter_pf *pf;
	sigset_t all, old;
	int rc;

	if (it->pf || it->sp || it->started || it->done)
		return -EINVAL;
	if (it->mm)
		return 0;	/* a copy from memory: nothing to read ahead */
	if (it->batch && mapsplit_start(it) == 0)
		return 0;
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	pf->chunk[0].keys = it->keys;
	pf->chunk[0].values = it->values;
	pf->chunk[0].cap = it->chunk;
	for (int i = 1; i < MAPITER_PF_CHUNKS; i++) {
		pf->chunk[i].keys = calloc(it->chunk, it->key_size ? it->key_size : 1);
		pf->chunk[i].values = calloc(it->chunk, it->value_size ? it->value_size : 1);
		pf->chunk[i].cap = it->chunk;
		if (!pf->chunk[i].keys || !pf->chunk[i].values) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	pthread_mutex_init(&pf->lock, NULL);
	pthread_cond_init(&pf->cond, NULL);
	it->pf = pf;
	/* Signals stay with the caller's thread (Ctrl-C, SIGPIPE). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&pf->thread, NULL, pf_main, it);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!rc)
		return 0;
	it->pf = NULL;
	pthread_cond_destroy(&pf->cond);
	pthread_mutex_destroy(&pf->lock);
fail:
	for (int i = 1; i < MAPITER_PF_CHUNKS; i++) {
		free(pf->chunk[i].keys);
		free(pf->chunk[i].values);
	}
	free(pf);
	return rc;
}

/* The next filled chunk held by the caller: 1, or the reader's end (0
 * or its error). */
static int pf_take(struct mapiter *it)
{
	struct mapiter_pf *pf = it->pf;

	pthread_mutex_lock(&pf->lock);
	if (pf->held) {
		pf->first = (pf->first + 1) % MAPITER_PF_CHUNKS;
		pf->held = false;
		pthread_cond_broadcast(&pf->cond);
	}
	while (!pf->ready && !pf->eof)
		pthread_cond_wait(&pf->cond, &pf->lock);
	if (!pf->ready) {
		it->err = pf->err;
		pthread_mutex_unlock(&pf->lock);
		return it->err;
	}
	pf->held = true;
	pf->ready--;
	pf->keys = pf->chunk[pf->first].keys;
	pf->values = pf->chunk[pf->first].values;
	pf->n = pf->chunk[pf->first].n;
	pf->pos = 0;
	pthread_mutex_unlock(&pf->lock);
	return 1;
}

static int pf_next_chunk(struct mapiter *it, const void **keys,
			 const void **values, __u32 *n)
{
	struct mapiter_pf *pf = it->pf;
	int rc = pf_take(it);

	if (rc <= 0)
		return rc;
	*keys = pf->keys;
	*values = pf->values;
	*n = pf->n;
	pf->pos = pf->n;
	return 1;
}

static int pf_next(struct mapiter *it, const void **key, const void **value)
{
	struct mapiter_pf *pf = it->pf;

	if (pf->pos >= pf->n) {
		int rc = pf_take(it);

		if (rc <= 0)
			return rc;
	}
	*key = pf->keys + (size_t)pf->pos * it->key_size;
	*value = pf->values + (size_t)pf->pos * it->value_size;
	pf->pos++;
	return 1;
}

void mapiter_format_in_readers(struct mapiter *it, mapiter_fmt_fn fn,
			       void *arg)
{
	it->fmt = fn;
	it->fmt_arg = arg;
}

bool mapiter_texts(const struct mapiter *it)
{
	return it->sp && it->fmt;
}

int mapiter_next_text(struct mapiter *it, const char **text, size_t *len,
		      __u32 *n)
{
	if (!mapiter_texts(it))
		return -EINVAL;
	return mapsplit_next_text(it, text, len, n);
}

void mapiter_chunk_text(const struct mapiter *it, const char **text,
			size_t *len)
{
	mapsplit_chunk_text(it, text, len);
}

const struct mapiter_stats *mapiter_stats(struct mapiter *it)
{
	mapsplit_stats(it);
	it->stats.ns = now_ns() - it->stats.start_ns;
	return &it->stats;
}

static void pf_stop(struct mapiter *it)
{
	struct mapiter_pf *pf = it->pf;

	if (!pf)
		return;
	pthread_mutex_lock(&pf->lock);
	pf->stop = true;
	pthread_cond_broadcast(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
	pthread_join(pf->thread, NULL);
	pthread_cond_destroy(&pf->cond);
	pthread_mutex_destroy(&pf->lock);
	/* it->keys/values are one of the chunks: free them all here */
	for (int i = 0; i < MAPITER_PF_CHUNKS; i++) {
		free(pf->chunk[i].keys);
		free(pf->chunk[i].values);
	}
	it->keys = it->values = NULL;
	free(pf);
	it->pf = NULL;
}

/* --stats of the verbs that read a whole map (dump, hist, diff): how it
 * was read, one line on stderr. */
void mapiter_print_stats(struct mapiter *it, const char *name)
{
	const struct mapiter_stats *s = mapiter_stats(it);
	char twice[48] = "", held[16 + 12 * MAPITER_SPLIT_MAX] = "";

	/* what the split readers read twice at their range ends (and dropped) */
	if (s->readers > 1)
		snprintf(twice, sizeof(twice), ", %llu read twice, %u ranges",
			 s->twice, s->ranges);
	/* the CPUs they were held to, one each */
	if (s->held) {
		size_t l = (size_t)snprintf(held, sizeof(held), " (CPUs");

		for (unsigned i = 0; i < s->readers && i < MAPITER_SPLIT_MAX; i++)
			l += (size_t)snprintf(held + l, sizeof(held) - l, "%s%d",
					      " ", s->cpu[i]);
		snprintf(held + l, sizeof(held) - l, ")");
	}
	fprintf(stderr, "%s: %llu entries read, %llu %s, %u reader%s%s%s%s%s%s, %llu retries, %.3f s\n",
		name, s->entries, s->batches, s->mmap ? "mmap chunks" : "batches",
		s->readers, s->readers == 1 ? "" : "s", held,
		s->fallback ? " (split reader fell back: " : "",
		s->fallback ? s->fallback : "", s->fallback ? ")" : "", twice,
		s->retries, (double)s->ns / 1e9);
}
