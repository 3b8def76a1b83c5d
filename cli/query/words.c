// SPDX-License-Identifier: GPL-2.0
/* See words.h. */
#include <string.h>
#include <strings.h>
#define MAPSH_QUERY_PRIVATE
#include "query/query.h"
#include "query/words.h"

const char *const query_clause_words[] = { "where", "sort", "limit", "fields", NULL };

const struct query_op_word query_op_words[] = {
	{ "==", Q_EQ, true, false }, { "!=", Q_NE, true, false },
	{ "!~", Q_NMATCH, true, false }, { "<=", Q_LE, true, false },
	{ ">=", Q_GE, true, false }, { "<", Q_LT, true, false },
	{ ">", Q_GT, true, false }, { "=", Q_EQ, false, false },
	{ "~", Q_MATCH, true, false },
	/* words the shell leaves alone: where bytes gt 10000 */
	{ "eq", Q_EQ, true, true }, { "ne", Q_NE, true, true },
	{ "lt", Q_LT, true, true }, { "le", Q_LE, true, true },
	{ "gt", Q_GT, true, true }, { "ge", Q_GE, true, true },
	{ NULL, 0, false, false },
};

bool query_is_clause(const char *w)
{
	for (int i = 0; query_clause_words[i]; i++)
		if (!strcasecmp(w, query_clause_words[i]))
			return true;
	return false;
}

bool query_is_op(const char *w)
{
	for (int i = 0; query_op_words[i].text; i++)
		if (query_op_words[i].word ? !strcasecmp(w, query_op_words[i].text)
					   : !strcmp(w, query_op_words[i].text))
			return true;
	return false;
}

bool query_is_bool_word(const char *w)
{
	return !strcasecmp(w, "and") || !strcasecmp(w, "or") ||
	       !strcasecmp(w, "not") || !strcmp(w, "&&") || !strcmp(w, "||") ||
	       !strcmp(w, "!") || !strcmp(w, "(");
}
