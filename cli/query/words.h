/* SPDX-License-Identifier: GPL-2.0 */
/* The words of the query language (where/sort/limit/fields), one list for
 * the parser (parse.c) and the completer (shell/complete_args.c), so what
 * is offered is what is accepted. */
#ifndef MAPSH_QUERY_WORDS_H
#define MAPSH_QUERY_WORDS_H

#include <stdbool.h>
#include <stddef.h>

/* The clauses, in the order a synopsis lists them; NULL-terminated. */
extern const char *const query_clause_words[];

/* The comparison operators, each with its enum q_op (query.h), longest
 * spelling first where one is a prefix of another; text NULL ends it.
 * `shown` is false for a second spelling completion does not offer ("="). */
struct query_op_word {
	const char *text;
	int op;
	bool shown;
	bool word;	/* a letter spelling (gt, le, ...) that needs no quoting
			 * in a shell: a word of its own, any case */
};
extern const struct query_op_word query_op_words[];

/* Is w a clause word (any case)? */
bool query_is_clause(const char *w);
/* Is w a whole comparison operator (symbol or gt ge lt le eq ne)? */
bool query_is_op(const char *w);
/* Is w a connective or the start of a group (and, or, not, &&, ||, !, ( )?
 * After one of them a field comes. */
bool query_is_bool_word(const char *w);

#endif
