// SPDX-License-Identifier: GPL-2.0
/* Candidates and how they are offered: the ground the completer
 * (complete.c, complete_args.c) stands on. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "shell/batch.h"
#include "cmd/registry.h"
#include "map/bundle.h"
#include "shell/complete.h"
#include "shell/complete_int.h"
#include "shell/complete_int.h"
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "map/mapinfo.h"
#include "map/mapref.h"
#include "tval/netfmt.h"
#include "query/query.h"
#include "tval/tval.h"

/* ------------------------------------------------------------ candidates */

void cands_free(struct cands *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->v[i].word);
		free(c->v[i].desc);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

void cands_push(struct cands *c, const char *word, const char *desc)
{
	if (c->n == c->cap) {
		void *p;

		c->cap = c->cap ? c->cap * 2 : 32;
		p = realloc(c->v, (size_t)c->cap * sizeof(*c->v));
		if (!p)
			abort();
		c->v = p;
	}
	c->v[c->n].word = strdup(word);
	c->v[c->n].desc = desc && *desc ? strdup(desc) : NULL;
	if (!c->v[c->n].word)
		abort();
	c->n++;
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return strverscmp(x->word, y->word);
}

void cands_sort_unique(struct cands *c)
{
	int o = 0;

	if (c->n > 1)
		qsort(c->v, (size_t)c->n, sizeof(*c->v), cand_cmp);
	for (int i = 0; i < c->n; i++) {
		if (o && !strcmp(c->v[o - 1].word, c->v[i].word)) {
			free(c->v[i].word);
			free(c->v[i].desc);
			continue;
		}
		c->v[o++] = c->v[i];
	}
	c->n = o;
}

char *cands_common_prefix(const struct cands *c)
{
	size_t len;
	char *p;

	if (!c->n)
		return strdup("");
	len = strlen(c->v[0].word);
	for (int i = 1; i < c->n; i++) {
		size_t k = 0;

		while (k < len && c->v[i].word[k] == c->v[0].word[k])
			k++;
		len = k;
	}
	p = strndup(c->v[0].word, len);
	if (!p)
		abort();
	return p;
}

bool cand_unfinished(const char *word)
{
	size_t n = strlen(word);

	return n && strchr("=/,", word[n - 1]);
}

static bool prefix_match(const char *word, const char *cur)
{
	return !strncasecmp(word, cur, strlen(cur));
}

/* Offer a candidate: a->prefix + word, when it matches the partial word
 * (or alt, an alternative spelling such as an enum name without its
 * common prefix, does). */
void offer_alt(struct an *a, const char *word, const char *alt, const char *desc)
{
	struct strbuf sb = STRBUF_INIT;

	if (!a->out)
		return;
	sb_adds(&sb, a->prefix ? a->prefix : "");
	sb_adds(&sb, word);
	if (prefix_match(sb_str(&sb), a->cur)) {
		cands_push(a->out, sb_str(&sb), desc);
	} else if (alt) {
		sb_reset(&sb);
		sb_adds(&sb, a->prefix ? a->prefix : "");
		sb_adds(&sb, alt);
		if (prefix_match(sb_str(&sb), a->cur)) {
			sb_reset(&sb);
			sb_adds(&sb, a->prefix ? a->prefix : "");
			sb_adds(&sb, word);
			cands_push(a->out, sb_str(&sb), desc);
		}
	}
	sb_free(&sb);
}

void offer(struct an *a, const char *word, const char *desc)
{
	offer_alt(a, word, NULL, desc);
}

/* ---- files, interfaces, words ---- */

void offer_files(struct an *a, bool dirs_only)
{
	const char *slash = strrchr(a->cur, '/');
	char dir[4096], word[4096];
	const char *base;
	size_t dlen;
	DIR *d;
	struct dirent *e;

	if (slash) {
		dlen = (size_t)(slash - a->cur) + 1;
		snprintf(dir, sizeof(dir), "%.*s", (int)dlen, a->cur);
		base = slash + 1;
	} else {
		dlen = 0;
		snprintf(dir, sizeof(dir), ".");
		base = a->cur;
	}
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		char path[8192];
		bool isdir;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(e->d_name, base, strlen(base)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		isdir = !stat(path, &st) && S_ISDIR(st.st_mode);
		if (dirs_only && !isdir)
			continue;
		snprintf(word, sizeof(word), "%.*s%s%s", (int)dlen, a->cur,
			 e->d_name, isdir ? "/" : "");
		if (a->out)
			cands_push(a->out, word, NULL);
	}
	closedir(d);
}

void offer_ifaces(struct an *a)
{
	struct if_nameindex *ifs = if_nameindex();

	if (!ifs)
		return;
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		char desc[32];

		snprintf(desc, sizeof(desc), "ifindex %u", i->if_index);
		offer(a, i->if_name, desc);
	}
	if_freenameindex(ifs);
}
