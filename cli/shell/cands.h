/* SPDX-License-Identifier: GPL-2.0 */
/* Completion candidates (offer.c). */
#ifndef MAPSH_CANDS_H
#define MAPSH_CANDS_H

#include <stdbool.h>

struct cand {
	char *word;	/* the whole word that replaces the partial one */
	char *desc;	/* NULL or a short description */
};

struct cands {
	struct cand *v;
	int n, cap;
};

void cands_free(struct cands *c);
void cands_push(struct cands *c, const char *word, const char *desc);
/* Sorted, each word once. */
void cands_sort_unique(struct cands *c);
/* Longest prefix the candidates share (malloc'd). */
char *cands_common_prefix(const struct cands *c);
/* Does a candidate want more input after it (ends in '=', '/' or ',')? */
bool cand_unfinished(const char *word);

#endif
