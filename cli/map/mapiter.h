/* SPDX-License-Identifier: GPL-2.0 */
/* Streaming iteration over the entries of a map. Entries are read in chunks
 * with BPF_MAP_LOOKUP_BATCH where the kernel has it for the map type (hash,
 * LRU, array and their per-CPU kinds), else with BPF_MAP_GET_NEXT_KEY plus a
 * lookup per key. Memory is one chunk whatever the size of the map (a few
 * when reading ahead, mapiter_prefetch): the caller formats each entry and
 * forgets it. */
#ifndef MAPSH_MAPITER_H
#define MAPSH_MAPITER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

struct mapiter_pf;
struct mapiter_split;

/* What one read did (mapiter_stats_done fills elapsed and sums the split
 * readers' figures). */
/* split readers at most (see mapiter_prefetch) */
#define MAPITER_SPLIT_MAX 4

struct mapiter_stats {
	unsigned long long entries;	/* entries handed out */
	unsigned long long batches;	/* BPF_MAP_LOOKUP_BATCH calls (or mmap chunks) */
	unsigned long long retries;	/* batches asked again: a bucket larger than asked (ENOSPC) */
	unsigned readers;		/* threads reading at once (1: one reader) */
	unsigned long long twice;	/* entries a reader read past its range
					 * end, dropped as the next one reads them */
	unsigned ranges;		/* bucket ranges the readers read (more
					 * than readers when some were cut) */
	bool held;			/* each reader held to one CPU, cpu[i] */
	int cpu[MAPITER_SPLIT_MAX];
	bool mmap;			/* read through mmap (BPF_F_MMAPABLE array) */
	const char *fallback;		/* why the split reader gave way to one reader, NULL */
	unsigned long long start_ns, ns;	/* CLOCK_MONOTONIC at init, elapsed */
};

#define MAPITER_CHUNK 4096		/* entries per batch, at most */
#define MAPITER_CHUNK_BYTES (4u << 20)	/* and at most this much value data */

struct strbuf;
/* Formats n entries (keys and values packed) by appending text to sb;
 * called on the reading threads, so it must touch nothing else that is
 * shared but what it only reads. */
typedef void (*mapiter_fmt_fn)(void *arg, const char *keys,
			       const char *values, __u32 n, struct strbuf *sb);

struct mapiter {
	int fd;
	__u32 key_size;
	__u32 value_size;	/* bytes of one lookup (per-CPU: every CPU) */
	__u32 max_entries;
	__u32 chunk;		/* entries the buffers hold */
	bool batch;		/* BPF_MAP_LOOKUP_BATCH works for this map */
	bool started;		/* a first batch was read */
	bool done;		/* nothing more after the buffered entries */
	void *keys, *values;	/* chunk entries each */
	void *tok_in, *tok_out;	/* batch positions (>= key_size, >= 8 bytes) */
	__u32 n, pos;		/* buffered entries, next to hand out */
	/* get_next_key fallback */
	void *prev;
	bool have_prev;
	unsigned long long yielded;
	int err;		/* -errno of a failed read, 0 */
	struct mapiter_pf *pf;	/* the reading thread (mapiter_prefetch) */
	/* --- the map itself (bpf_map_get_info_by_fd in mapiter_init) --- */
	__u32 type, map_flags;
	__u32 want;		/* entries asked of the next batch (<= chunk) */
	/* mmap reads of BPF_F_MMAPABLE arrays */
	void *mm;
	size_t mm_len;
	__u32 mm_elem, mm_idx;
	struct mapiter_split *sp;	/* the split readers (mapiter_prefetch) */
	mapiter_fmt_fn fmt;		/* the split readers' formatter, NULL */
	void *fmt_arg;
	struct mapiter_stats stats;
};

/* value_size: what one lookup returns (per-CPU maps: round_up(value_size,
 * 8) * possible CPUs). Returns 0 or -ENOMEM. */
int mapiter_init(struct mapiter *it, int fd, __u32 key_size, __u32 value_size,
		 __u32 max_entries);
/* The next entry: 1 with *key and *value pointing into the iterator's buffers
 * (valid until the next call), 0 at the end, -errno on a read error. */
int mapiter_next(struct mapiter *it, const void **key, const void **value);
/* The next whole chunk (n entries, keys and values packed): 1, 0 at the
 * end, -errno. Do not mix with mapiter_next on one iterator. */
int mapiter_next_chunk(struct mapiter *it, const void **keys,
		       const void **values, __u32 *n);
/* Read ahead on a thread of its own: the next chunks are read while the
 * caller handles the current one, at most MAPITER_PF_CHUNKS chunks held.
 * Call right after mapiter_init, then only mapiter_next and mapiter_fini
 * (which stops the thread, also before the end). The thread blocks every
 * signal, so a Ctrl-C reaches the caller's thread as before. Returns 0,
 * or -errno when no thread could be started (the iterator then reads on
 * the caller's thread as usual). */
#define MAPITER_PF_CHUNKS 3
int mapiter_prefetch(struct mapiter *it);
/* mapiter_prefetch on hash maps (HASH, LRU_HASH and their per-CPU kinds)
 * of at least MAPITER_SPLIT_MIN buckets reads with up to
 * MAPITER_SPLIT_MAX threads over disjoint bucket ranges when there is more
 * than one CPU (as many as CPUs, each held to its own when they cover
 * all: readers.c); mapiter_next and mapiter_next_chunk hand out their chunks as
 * they are ready, so the order differs from one reader's, and from one
 * read to the next. An array
 * with BPF_F_MMAPABLE is read through mmap (no thread, no syscall). */
#define MAPITER_SPLIT_MIN (1u << 16)
/* Before mapiter_prefetch: when the split readers read the map, each also
 * formats its chunks with fn (formatting then runs on every core, as the
 * reading does); the caller takes the text with mapiter_next_text instead
 * of the entries, in the same order. Without split readers nothing
 * changes (mapiter_texts says which). */
void mapiter_format_in_readers(struct mapiter *it, mapiter_fmt_fn fn,
			       void *arg);
bool mapiter_texts(const struct mapiter *it);
/* The text of the next chunk and its entries: 1, 0 at the end, -errno. */
int mapiter_next_text(struct mapiter *it, const char **text, size_t *len,
		      __u32 *n);
/* When mapiter_texts, after mapiter_next_chunk gave a chunk: the text the
 * readers formatted for it (for callers that need the entries too). */
void mapiter_chunk_text(const struct mapiter *it, const char **text,
			size_t *len);
/* The figures of the read so far (elapsed time set here). */
const struct mapiter_stats *mapiter_stats(struct mapiter *it);
/* The stats as one line on stderr, "NAME: N entries read, ...": --stats. */
void mapiter_print_stats(struct mapiter *it, const char *name);
void mapiter_fini(struct mapiter *it);
/* BPF_MAP_GET_NEXT_KEY (key NULL: the first key); -1 with errno. */
int mapiter_get_next_key(int fd, const void *key, void *next);

#endif
