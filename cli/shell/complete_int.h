/* SPDX-License-Identifier: GPL-2.0 */
/* Inside completion: the analysis of a line, shared by the completer
 * (complete.c) and the `?` help (ask.c). */
#ifndef MAPSH_COMPLETE_INT_H
#define MAPSH_COMPLETE_INT_H

#include <stdbool.h>
#include <linux/types.h>
#include "cmd/cmd.h"
#include "cmd/ctx.h"
#include "map/mapref.h"
#include "shell/complete.h"
#include "tval/tval.h"

struct btf;

/* A map as completion sees it: opened live when possible (root, pinned),
 * else what the bundled definition says. */
struct cmap {
	bool known;
	__u32 type;
	const struct btf *btf;
	const struct tv_plan *kplan, *vplan;
	struct tv_plan *own_k, *own_v;
	struct mapref *ref;
	char label[128];	/* "flows", "id 12" */
};

enum an_kind {
	K_NONE,
	K_TOP,		/* the first word: a command or a map */
	K_OPTS,		/* an option name */
	K_OPTARG,	/* the argument of opt */
	K_CMDARG,	/* a positional word of a command or dot command */
	K_SELARG,	/* the argument of id / name / pinned */
	K_VERB,		/* a verb of map */
	K_VERBARG,	/* an argument of a verb */
};

struct an {
	struct ctx *ctx;
	unsigned flags;
	char **w;		/* the complete words */
	int n;
	const char *cur;	/* the partial word */
	struct cands *out;	/* completion (NULL for help) */
	const char *prefix;	/* text every candidate starts with, e.g.
				 * "--format=", "src_ip=" */
	/* result of analyze() */
	enum an_kind kind;
	const struct cmd *cmd;		/* command, dot command or verb */
	const struct opt_spec *opt;	/* K_OPTARG */
	const char *sel;		/* K_SELARG */
	char **pos;			/* positional words typed after cmd */
	int npos;
	struct cmap map;
};

/* What the words before the cursor are: fills a->kind and the rest. */
void analyze(struct an *a);
void an_free(struct an *a);
/* The map that words w[0..n) select, opened when it can be. */
void cmap_resolve(struct ctx *ctx, char **w, int n, struct cmap *m);
void cmap_free(struct cmap *m);
/* The field names a query (and --by, --as) takes on map m. */
void offer_query_fields(struct an *a, const struct cmap *m);
/* The verb table, and whether verb v applies to map m. */
const struct cmd *verb_table(void);
bool verb_fits(const struct cmd *v, const struct cmap *m);
/* A leaf's type as a short description ("u32", "ipv4"), and whether
 * completion lists it (not padding). */
void leaf_desc(const struct tv_leaf *l, char *buf, size_t len);
bool leaf_listed(const struct tv_leaf *l);

/* offer.c: offering candidates. */
/* Offer a candidate (alt: a second spelling offered alike). */
void offer_alt(struct an *a, const char *word, const char *alt, const char *desc);
void offer(struct an *a, const char *word, const char *desc);
void offer_files(struct an *a, bool dirs_only);
void offer_ifaces(struct an *a);

/* complete_args.c: what follows a verb. */
bool leaf_has_values(const struct tv_leaf *l);
void offer_leaf_values(struct an *a, const struct btf *btf, const struct tv_leaf *l);
void complete_verb_args(struct an *a);
/* OUTER[ of a map of maps: its keys that can be listed, as OUTER[KEY]. */
void complete_outer_key(struct an *a);

#endif
