/* SPDX-License-Identifier: GPL-2.0 */
/* apply: the entries of one file, as apply_read.c reads them and apply.c
 * writes them. */
#ifndef MAPSH_APPLY_SET_H
#define MAPSH_APPLY_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "base/strbuf.h"
#include "map/mapref.h"

struct apply_set {
	const struct mapref *m;
	const char *file;	/* for messages */
	size_t n, cap;
	char *keys;		/* n * key_size */
	char *vals;		/* n * lookup_size: the value to write */
	json_t **elems;		/* the entry objects, to merge over the map */
	unsigned *lines;	/* line of each entry */
	size_t *order;		/* entry indexes by key bytes */
	struct strbuf text;	/* scratch for json_text */
};

#define KEY_AT(s, i) ((s)->keys + (size_t)(i) * (s)->m->info.key_size)
#define VAL_AT(s, i) ((s)->vals + (size_t)(i) * (s)->m->lookup_size)

/* The whole of path ("-": stdin) into sb: 0, or -1 with *err = errno. */
int read_all(const char *path, struct strbuf *sb, int *err);
/* Every entry of the file's text into s, checked: EXIT_OK or the first
 * error printed as FILE:LINE. */
int parse_entries(struct apply_set *s, const char *text, size_t len);
/* Sort the entries by key (s->order); a key given twice is an error. */
int index_keys(struct apply_set *s);
void set_free(struct apply_set *s);
/* "FILE:LINE: entry N: what" as a runtime failure. */
int entry_err(const struct apply_set *s, size_t idx, unsigned line, const char *what);
/* The value of entry elem into raw (m->lookup_size bytes holding the base:
 * zero for validation and new entries, the map's value to merge over).
 * check: also make sure "value" is the sum of "per_cpu". */
int parse_entry_value(struct apply_set *s, json_t *elem, char *raw,
		      bool check, struct strbuf *err);
/* Is key one of the n keys of ks bytes at keys, sorted by their bytes
 * through order (entry indexes), or as they stand when order is NULL? */
bool sorted_keys_have(const char *keys, const size_t *order, size_t n,
		      size_t ks, const void *key);
bool set_has_key(const struct apply_set *s, const void *key);

#endif
