// SPDX-License-Identifier: GPL-2.0
/* Words of a line, as sh splits them, and lines of a file with
 * continuations (tokens.h). */
#include <stdlib.h>
#include <string.h>
#include "shell/tokens.h"

/* ---------------------------------------------------------------- tokens */

bool tok_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static void push_word(struct tok_line *t, int *cap, struct strbuf *cur,
		      size_t start, size_t end)
{
	if (t->n + 1 >= *cap) {
		int ncap = *cap ? *cap * 2 : 8;
		void *w = realloc(t->w, (size_t)ncap * sizeof(*t->w));
		void *a;

		if (!w)
			abort();
		t->w = w;
		a = realloc(t->argv, (size_t)(ncap + 1) * sizeof(*t->argv));
		if (!a)
			abort();
		t->argv = a;
		*cap = ncap;
	}
	t->w[t->n].text = strdup(sb_str(cur));
	if (!t->w[t->n].text)
		abort();
	t->w[t->n].start = start;
	t->w[t->n].end = end;
	t->argv[t->n] = t->w[t->n].text;
	t->n++;
	t->argv[t->n] = NULL;
	sb_reset(cur);
}

void tok_split(const char *s, size_t len, struct tok_line *t)
{
	enum { ST_OUT, ST_WORD, ST_SQ, ST_DQ } st = ST_OUT;
	struct strbuf cur = STRBUF_INIT;
	size_t i = 0, start = 0;
	int cap = 0;

	memset(t, 0, sizeof(*t));
	t->argv = calloc(1, sizeof(*t->argv));
	if (!t->argv)
		abort();
	while (i < len) {
		char c = s[i];

		switch (st) {
		case ST_OUT:
			if (tok_is_blank(c)) {
				i++;
				continue;
			}
			if (c == '#') {
				while (i < len && s[i] != '\n')
					i++;
				if (i == len)
					t->in_comment = true;
				continue;
			}
			start = i;
			st = ST_WORD;
			sb_adds(&cur, "");
			continue;
		case ST_WORD:
			if (tok_is_blank(c)) {
				push_word(t, &cap, &cur, start, i);
				st = ST_OUT;
				i++;
			} else if (c == '\'') {
				st = ST_SQ;
				i++;
			} else if (c == '"') {
				st = ST_DQ;
				i++;
			} else if (c == '\\') {
				if (i + 1 == len) {
					t->end = TOK_END_ESCAPE;
					i++;
				} else {
					if (s[i + 1] != '\n')
						sb_addc(&cur, s[i + 1]);
					i += 2;
				}
			} else {
				sb_addc(&cur, c);
				i++;
			}
			continue;
		case ST_SQ:
			if (c == '\'')
				st = ST_WORD;
			else
				sb_addc(&cur, c);
			i++;
			continue;
		case ST_DQ:
			if (c == '"') {
				st = ST_WORD;
				i++;
			} else if (c == '\\') {
				if (i + 1 == len) {
					t->end = TOK_END_ESCAPE;
					i++;
				} else if (strchr("\"\\$`", s[i + 1])) {
					sb_addc(&cur, s[i + 1]);
					i += 2;
				} else if (s[i + 1] == '\n') {
					i += 2;
				} else {
					sb_addc(&cur, c);
					i++;
				}
			} else {
				sb_addc(&cur, c);
				i++;
			}
			continue;
		}
	}
	if (st != ST_OUT) {
		if (t->end != TOK_END_ESCAPE) {
			if (st == ST_SQ)
				t->end = TOK_END_SQUOTE;
			else if (st == ST_DQ)
				t->end = TOK_END_DQUOTE;
		}
		push_word(t, &cap, &cur, start, len);
		t->in_word = true;
	}
	sb_free(&cur);
}

void tok_free(struct tok_line *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->w[i].text);
	free(t->w);
	free(t->argv);
	memset(t, 0, sizeof(*t));
}

void tok_quote(struct strbuf *sb, const char *word)
{
	for (const char *p = word; *p; p++) {
		if (tok_is_blank(*p) || strchr("'\"\\", *p) ||
		    (*p == '#' && p == word))
			sb_addc(sb, '\\');
		sb_addc(sb, *p);
	}
}

/* ----------------------------------------------------------- line reader */

void lr_init(struct line_reader *lr, FILE *fp)
{
	memset(lr, 0, sizeof(*lr));
	lr->fp = fp;
	sb_init(&lr->line);
}

void lr_fini(struct line_reader *lr)
{
	sb_free(&lr->line);
	free(lr->phys);
	lr->phys = NULL;
}

int lr_next(struct line_reader *lr, unsigned *first)
{
	bool have = false;

	sb_reset(&lr->line);
	for (;;) {
		ssize_t n = getline(&lr->phys, &lr->phys_cap, lr->fp);
		const char *p = lr->phys;
		struct tok_line t;
		enum tok_end end;

		if (n < 0) {
			if (ferror(lr->fp))
				return -1;
			return have ? 1 : 0;
		}
		lr->lineno++;
		if (!have) {
			*first = lr->lineno;
			have = true;
		}
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
			n--;
		sb_add(&lr->line, p, (size_t)n);
		tok_split(lr->line.buf, lr->line.len, &t);
		end = t.end;
		tok_free(&t);
		if (end != TOK_END_ESCAPE)
			return 1;
		/* Backslash-newline: drop the backslash, read on. */
		sb_trunc(&lr->line, lr->line.len - 1);
	}
}
