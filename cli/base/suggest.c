// SPDX-License-Identifier: GPL-2.0
/* Edit distance for "did you mean" hints (see suggest.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"

#define SG_MAXLEN 64	/* longer names are never typo candidates */

int sg_distance(const char *a, const char *b, int max)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[SG_MAXLEN + 1][SG_MAXLEN + 1];

	if (la > SG_MAXLEN || lb > SG_MAXLEN)
		return max + 1;
	if ((int)(la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int rowmin = max + 1;

		for (size_t j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			int cost = ca != cb;
			int v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
			    ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > max)
			return max + 1;
	}
	return d[la][lb] > max ? max + 1 : d[la][lb];
}

void sg_init(struct sg_best *b, const char *query)
{
	size_t len = strlen(query);

	b->query = query;
	b->best = NULL;
	/* Allowed edits: none but case for 1-2 chars (any one-letter name is
	 * one edit from another), 1 up to 4 chars, then a third of the
	 * length. */
	b->dist = (len <= 2 ? 0 : len <= 4 ? 1 : (int)(len / 3) + 1) + 1;
}

void sg_offer(struct sg_best *b, const char *candidate)
{
	int d;

	if (!candidate || !*candidate)
		return;
	d = sg_distance(b->query, candidate, b->dist - 1);
	if (d < b->dist) {
		b->dist = d;
		b->best = candidate;
	}
}
