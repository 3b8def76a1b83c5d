/* SPDX-License-Identifier: GPL-2.0 */
/* The split reader of mapiter (mapsplit.c): for the map engine only. */
#ifndef MAPSH_MAPSPLIT_H
#define MAPSH_MAPSPLIT_H

#include "map/mapiter.h"

/* Start the split readers: 0, or -errno when this map is not read so
 * (type, size, one CPU, a first token that is not a bucket index): the
 * iterator is then as before, nothing read. */
int mapsplit_start(struct mapiter *it);
int mapsplit_next(struct mapiter *it, const void **key, const void **value);
int mapsplit_next_chunk(struct mapiter *it, const void **keys,
			const void **values, __u32 *n);
int mapsplit_next_text(struct mapiter *it, const char **text, size_t *len,
		       __u32 *n);
/* The text of the chunk mapsplit_next_chunk gave last ("" before). */
void mapsplit_chunk_text(const struct mapiter *it, const char **text,
			 size_t *len);
void mapsplit_stop(struct mapiter *it);
/* Sum the readers' figures into it->stats. */
void mapsplit_stats(struct mapiter *it);
/* The readers mapsplit_start would use for a map of nbuckets buckets,
 * and the CPU each is held to (-1: none; readers.c says when). */
unsigned mapsplit_readers(__u32 nbuckets, int cpus[MAPITER_SPLIT_MAX]);
bool mapiter_fault(const char *what);

#endif
