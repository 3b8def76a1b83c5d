// SPDX-License-Identifier: GPL-2.0
/* Chunked map iteration: see mapiter.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "mapiter.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's internal "not supported" */
#endif

int mapiter_init(struct mapiter *it, int fd, __u32 key_size, __u32 value_size,
		 __u32 max_entries)
{
	size_t tok = key_size > 8 ? key_size : 8;
	__u32 chunk = MAPITER_CHUNK;

	memset(it, 0, sizeof(*it));
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
	it->batch = true;
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
	return 0;
}

void mapiter_fini(struct mapiter *it)
{
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
		__u32 count = it->chunk;
		int err;

		err = bpf_map_lookup_batch(it->fd, it->started ? it->tok_in : NULL,
					   it->tok_out, it->keys, it->values,
					   &count, &opts);
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
		/* One hash bucket holds more entries than the chunk. */
		if (err == -ENOSPC && it->chunk < (1u << 20)) {
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

static int fill(struct mapiter *it)
{
	if (it->done)
		return 0;
	if (it->batch)
		return fill_batch(it);
	return fill_next_key(it);
}

int mapiter_next(struct mapiter *it, const void **key, const void **value)
{
	while (it->pos >= it->n) {
		int rc;

		if (it->done || it->err)
			return it->err;
		rc = fill(it);
		if (rc) {
			it->err = rc;
			return rc;
		}
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
	for (;;) {
		int rc;

		if (it->done || it->err)
			return it->err;
		rc = fill(it);
		if (rc) {
			it->err = rc;
			return rc;
		}
		if (it->n) {
			*keys = it->keys;
			*values = it->values;
			*n = it->n;
			it->pos = it->n;
			return 1;
		}
	}
}
