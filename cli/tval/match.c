// SPDX-License-Identifier: GPL-2.0
/* The `~` matcher of where: an address leaf against a CIDR, any other leaf
 * by the text it shows as (so it sits above the formatter). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tval/netfmt.h"
#include "tval/tval_int.h"

struct tv_match {
	const struct tv_leaf *leaf;
	bool cidr;
	uint8_t addr[16];
	unsigned plen;
	char *needle;
	struct strbuf *scratch;
};

struct tv_match *tv_match_new(const struct tv_leaf *l, const char *pattern)
{
	struct tv_match *m = calloc(1, sizeof(*m));
	int fam;

	if (!m)
		abort();
	m->leaf = l;
	if ((l->fmt == TV_FMT_IPV4 || l->fmt == TV_FMT_IPV6) &&
	    !nf_parse_cidr(pattern, &fam, m->addr, &m->plen) &&
	    (fam == 4) == (l->fmt == TV_FMT_IPV4)) {
		m->cidr = true;
		return m;
	}
	m->needle = strdup(pattern);
	m->scratch = calloc(1, sizeof(*m->scratch));
	if (!m->needle || !m->scratch)
		abort();
	return m;
}

bool tv_match_test(const struct tv_match *m, const void *rec)
{
	const struct tv_leaf *l = m->leaf;

	if (m->cidr) {
		for (uint32_t i = 0; i < l->nelems; i++)
			if (nf_prefix_match((const uint8_t *)rec + l->offset +
					    (size_t)i * l->elem_size,
					    m->addr, m->plen))
				return true;
		return false;
	}
	sb_reset(m->scratch);
	tv_leaf_format_text(l, rec, m->scratch);
	return strcasestr(sb_str(m->scratch), m->needle) != NULL;
}

void tv_match_free(struct tv_match *m)
{
	if (!m)
		return;
	free(m->needle);
	if (m->scratch)
		sb_free(m->scratch);
	free(m->scratch);
	free(m);
}

bool tv_leaf_match_prefix(const struct tv_leaf *l, const void *rec,
			  const char *pattern)
{
	struct tv_match *m = tv_match_new(l, pattern);
	bool r = tv_match_test(m, rec);

	tv_match_free(m);
	return r;
}
