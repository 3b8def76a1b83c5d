/* SPDX-License-Identifier: GPL-2.0 */
/* The migration engine's own parts (migrate.c drives, migrate_plan.c
 * compiles the field mapping and runs it on one record). */
#ifndef MAPSH_MAP_MIGRATE_INT_H
#define MAPSH_MAP_MIGRATE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "base/strbuf.h"
#include "map/migrate.h"

#define MAX_LISTED 10	/* refused entries named, then "and N more" */

enum op_kind { OP_COPY, OP_INT, OP_FLOAT, OP_BLOB };
enum cls { C_INT, C_FLOAT, C_STR, C_BLOB };

struct mop {
	enum op_kind kind;
	bool narrow;		/* a value may not fit: checked per entry */
	bool counter;		/* second sweep: carried over by its delta */
	bool ktime;		/* second sweep: the latest */
	bool str;		/* OP_BLOB of char arrays: keep room for a NUL */
	const struct tv_leaf *ol, *nl;
	uint32_t ooff, noff, olen, nlen;	/* bytes (OP_COPY, OP_BLOB) */
	uint32_t nel, oel;	/* elements converted; the old leaf's */
};

struct side {
	const char *what;	/* "key", "value" */
	const struct tv_plan *op, *np;
	uint32_t osz, nsz;
	struct mop *ops;
	uint32_t nops;
	char *base;		/* a new record before the copies: zero + sets */
	bool *used;		/* old leaves some op reads */
};

struct fail {
	size_t n;		/* entries refused */
	struct strbuf sb;	/* the first MAX_LISTED, one a line */
};

/* A line of the plan or the summary (nothing under quiet). */
void mig_say(const struct migrate_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "FIELD=VALUE" (FIELD maybe "key." or "value." first) for this side:
 * the leaf and the value text, or NULL. */
const struct tv_leaf *mig_set_leaf(const struct side *s, const char *spec,
				   const char **text, char *name, size_t namen);
/* The ops of s (op, np, what set): 0, or -1 after printing why not;
 * report: say each field's fate. */
int mig_side_compile(const struct mapref *to, struct side *s,
		     const struct migrate_opts *o, bool report);
void mig_side_free(struct side *s);
/* One record of the old type into the new (n, nsz bytes): the index + 1
 * of the op whose value does not fit, 0 when everything fits. */
uint32_t mig_side_conv(const struct side *s, const char *o, char *n);
/* Name the entry okey (of from) whose field of op opi does not fit. */
void mig_fail_add(struct fail *f, const struct mapref *from, const void *okey,
		  const struct side *s, uint32_t opi, const char *orec);
/* The second sweep's merge of one record: see migrate_plan.c. */
void mig_carry(const struct side *s, char *cur, const char *first, const char *now);

#endif
