/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-size records held in one growing arena and put in order through an
 * index of record numbers: the entries dump holds for sorting, the rows
 * watch holds for display. Keeping only the first N records of some order
 * makes the index a max-heap of them (its root the last kept), which
 * rowset_sift_up and rowset_sift_down maintain. */
#ifndef MAPSH_ROWSET_H
#define MAPSH_ROWSET_H

#include <stddef.h>
#include <stdint.h>

struct rowset {
	char *arena;
	size_t len, cap;	/* bytes in use, allocated */
	size_t rec;		/* bytes of one record; set before the first add */
	size_t first;		/* records the first allocation holds (0: 64) */
	size_t spare;		/* records kept free after the last one */
	uint32_t *idx;		/* record numbers, in order */
	size_t n, idx_cap;
};

/* The order of two records: < 0, 0 or > 0. */
typedef int (*rowset_cmp_fn)(const char *a, const char *b, void *arg);

/* Append a record, last in the index, and return it to be filled in; NULL
 * when out of memory (nothing changed). */
char *rowset_add(struct rowset *s);
/* Restore the heap after position i of the index got a record that may
 * belong nearer the root (sift_up) or the leaves (sift_down). */
void rowset_sift_up(struct rowset *s, size_t i, rowset_cmp_fn cmp, void *arg);
void rowset_sift_down(struct rowset *s, size_t i, rowset_cmp_fn cmp, void *arg);
void rowset_free(struct rowset *s);

/* The record at position i of the index. */
static inline char *rowset_at(const struct rowset *s, size_t i)
{
	return s->arena + (size_t)s->idx[i] * s->rec;
}

#endif
