/* SPDX-License-Identifier: GPL-2.0 */
/* apply: the entries of one file, as apply_read.c reads them and apply.c
 * writes them. Everything is flat: keys and values packed in two arrays,
 * a hash index over the keys, and for the few entries that name only some
 * value fields a mask of the bits they set. */
#ifndef MAPSH_APPLY_SET_H
#define MAPSH_APPLY_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/strbuf.h"
#include "map/mapref.h"

struct apply_set {
	const struct mapref *m;
	const char *file;	/* for messages */
	const char *verb;	/* for messages: "apply" when NULL (diff) */
	size_t n, cap;
	char *keys;		/* n * key_size */
	char *vals;		/* n * lookup_size: the value to write (fields
				 * the entry does not name: 0) */
	uint32_t *lines;	/* line of each entry */
	/* Entries that leave value fields out: their indexes (ascending)
	 * and the bits they set (lookup_size bytes each). Over the map's
	 * value, the bits outside the mask keep what the map holds. */
	uint32_t *partial;
	char *masks;
	size_t npartial, partcap;
	/* open addressing over the keys: entry index + 1, 0 empty */
	uint32_t *slots;
	size_t nslots;
	size_t dups;		/* set_index with first_wins: keys left out */
	unsigned long long fast, general;	/* how entries were read */
	struct strbuf text;	/* scratch */
};

#define KEY_AT(s, i) ((s)->keys + (size_t)(i) * (s)->m->info.key_size)
#define VAL_AT(s, i) ((s)->vals + (size_t)(i) * (s)->m->lookup_size)

/* Read every entry of path ("-": stdin) into s, checked, and index the
 * keys (a key given twice is an error): EXIT_OK, or the first error
 * printed as FILE:LINE. *unreadable: the file could not be opened or
 * read at all. */
int apply_read(struct apply_set *s, const char *path, bool *unreadable);
void set_free(struct apply_set *s);
/* Index the n entries already in keys/vals (diff fills a set from a map).
 * A key given twice: an error naming the entries' lines, or with
 * first_wins the later one is left out of the index (a map read while a
 * program changes it may show a key twice). */
int set_index(struct apply_set *s, bool first_wins);
/* The entry holding key, or -1. */
long set_find(const struct apply_set *s, const void *key);
/* The bits entry i sets (lookup_size bytes), NULL when it names every
 * field. */
const char *set_mask(const struct apply_set *s, size_t i);

#endif
