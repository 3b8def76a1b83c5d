/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the query parser: the parser's state and the lexer and field
 * resolution (lex.c) that the grammar (parse.c) is built on. */
#ifndef MAPSH_QUERY_PARSE_INT_H
#define MAPSH_QUERY_PARSE_INT_H

#include <stdbool.h>
#include <stddef.h>
#define MAPSH_QUERY_PRIVATE
#include "query/query.h"
#include "query/words.h"
#include "tval/tval.h"

#define OPS_LIST "(== != < <= > >= ~, or eq ne lt le gt ge)"


struct qp {
	const struct tv_plan *kp, *vp;
	int argc;
	char **argv;
	int w;			/* lexer: current word ... */
	size_t c;		/* ... and offset in it */
	struct query *q;
	struct strbuf *err;
	const char *clause;	/* "where", "sort", ...: message prefix */
	int depth;
	int err_word;
	const char *cmd;	/* "mapsh flows dump" for the quoting hint, or NULL */
};

/* Dynamic array of resolved fields. */
struct fvec {
	struct query_field *v;
	int n, cap;
};

int qp_fail(struct qp *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int qp_fail_unexpected(struct qp *p, const char *word);
size_t qp_field_run(const char *s);
bool qp_is_andor(const char *s);
bool qp_is_keyword(const char *s);
bool qp_is_ws(char c);
const char *qp_keyword_suggest(const char *s);
const char *qp_lx_cur(struct qp *p);
bool qp_lx_fresh(const struct qp *p);
bool qp_lx_word_ends(const struct qp *p, size_t n);
size_t qp_op_len(const char *s, int *op);
int qp_resolve(struct qp *p, const char *name, bool expand,
		   struct fvec *out);
const struct tv_plan *qp_side_plan(const struct qp *p, bool in_key);
char *qp_tok_text(const char *s);
size_t qp_value_run(const char *s);
bool qp_word_is(const char *s, size_t n, const char *kw);
void *qp_xrealloc(void *p, size_t n);
char *qp_xstrndup(const char *s, size_t n);

#endif
