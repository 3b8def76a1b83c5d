/* SPDX-License-Identifier: GPL-2.0 */
/* The tokenizer and line reader of the shell's lines (tokens.c). A line
 * means what the same words after `mapsh` mean on a sh command line:
 *   - words are separated by blanks;
 *   - '...' is literal; "..." is literal except \" \\ \$ \` and
 *     backslash-newline; outside quotes a backslash makes the next
 *     character literal;
 *   - a word starting with # starts a comment that runs to the end of the
 *     line;
 *   - a backslash at the end of a line continues the command on the next
 *     line (the error line number is the command's first line). */
#ifndef MAPSH_TOKENS_H
#define MAPSH_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "base/strbuf.h"

/* ---- tokenizer ---- */

enum tok_end {
	TOK_END_OK,		/* the input ended between words or in a word */
	TOK_END_SQUOTE,		/* inside '...' */
	TOK_END_DQUOTE,		/* inside "..." */
	TOK_END_ESCAPE,		/* right after a backslash */
};

struct tok_word {
	char *text;		/* the word with quotes and escapes removed */
	size_t start;		/* byte offset of its first raw character */
	size_t end;		/* one past its last raw character */
};

struct tok_line {
	int n;
	struct tok_word *w;
	char **argv;		/* w[i].text, NULL-terminated */
	enum tok_end end;
	bool in_word;		/* the input ended inside a word (no blank after
				 * the last one): that word is partial */
	bool in_comment;	/* the input ended inside a comment */
};

/* Split s[0..len). Always fills t (free with tok_free). */
void tok_split(const char *s, size_t len, struct tok_line *t);
void tok_free(struct tok_line *t);
/* Append word so that tok_split reads it back as one word: unchanged when
 * it needs no quoting, else with backslashes before the special
 * characters (what the REPL inserts when it completes a file name). */
void tok_quote(struct strbuf *sb, const char *word);

/* ---- line reader ---- */

struct line_reader {
	FILE *fp;
	unsigned lineno;	/* physical lines read so far */
	struct strbuf line;	/* the current logical line */
	char *phys;		/* getline buffer */
	size_t phys_cap;
};

void lr_init(struct line_reader *lr, FILE *fp);
void lr_fini(struct line_reader *lr);
/* The next logical line (continuations joined, newline removed) in
 * lr->line, its first physical line in *first. 1, 0 at the end, -1 on a
 * read error (errno set). */
int lr_next(struct line_reader *lr, unsigned *first);

/* A blank between words (space, tab, newline, ...). */
bool tok_is_blank(char c);

#endif
