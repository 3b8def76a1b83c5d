/* SPDX-License-Identifier: GPL-2.0 */
/* "Did you mean ...?" support: edit distance and a closest-match picker. */
#ifndef MAPSH_SUGGEST_H
#define MAPSH_SUGGEST_H

#include <stddef.h>

/* Optimal-string-alignment distance (Levenshtein plus adjacent swaps),
 * case-insensitive. Returns max + 1 as soon as the distance exceeds max. */
int sg_distance(const char *a, const char *b, int max);

/* Closest-match accumulator: feed candidates, then read best. A candidate
 * only counts when it is near enough to be a plausible typo of the query
 * (only case differences for 1-2 characters, 1 edit up to 4, about a third of
 * the length otherwise). */
struct sg_best {
	const char *query;
	const char *best;
	int dist;
};

void sg_init(struct sg_best *b, const char *query);
void sg_offer(struct sg_best *b, const char *candidate);

#endif
