/* SPDX-License-Identifier: GPL-2.0 */
/* Lines of commands: the tokenizer and line reader shared by the REPL,
 * `mapsh -f FILE`, a batch on stdin and `source FILE`, the session state
 * those lines share (`use MAP`, the dot commands), and the batch runner.
 *
 * A line means what the same words after `mapsh` mean on a sh command
 * line, so a script and a one-shot command quote alike:
 *   - words are separated by blanks;
 *   - '...' is literal; "..." is literal except \" \\ \$ \` and
 *     backslash-newline; outside quotes a backslash makes the next
 *     character literal;
 *   - a word starting with # starts a comment that runs to the end of the
 *     line;
 *   - a backslash at the end of a line continues the command on the next
 *     line (the error line number is the command's first line).
 */
#ifndef MAPSH_BATCH_H
#define MAPSH_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "cmd/cmd.h"

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

/* ---- session ---- */

/* The map `use` selected: its words ("flows", or "id" "42"); 0 when none. */
int session_map(char *const **words);
/* `quit`, `exit`, `.quit` or Ctrl-D asked to leave. */
bool session_quit_requested(void);
/* The dot commands (.format, .pretty, .show, .help, .quit), a table like
 * cmd_tables.top: completion, help and the man page read it. */
extern const struct cmd session_cmds[];

/* Put back the JSON batch's error capture after borrowing err_capture(). */
void session_restore_errors(void);
/* Forget the session (the `use` map) at exit. */
void session_fini(void);
/* Run one line of words: a dot command, quit/exit, or leading global
 * options then a command (or, after `use MAP`, a verb of that map). The
 * line's options last for this line only. Returns the exit code. */
int session_run_words(struct ctx *ctx, int argc, char **argv);
/* Tokenize and run one line; where ("FILE:LINE: ") prefixes its errors. */
int session_run_line(struct ctx *ctx, const char *line, const char *where);

/* ---- batch ---- */

/* Run the commands of path ("-" for stdin) one per line. Stops at the
 * first failing line (its errors prefixed "FILE:LINE: ") and returns its
 * exit code, unless ctx->set.keep_going: then runs every line and returns 1
 * if any failed. Under -j/-p the whole batch is one JSON array of
 * {"command": LINE, "output": JSON} or {"command": LINE, "error": TEXT}
 * (--jsonl: one such object per line). */
int batch_run_path(struct ctx *ctx, const char *path);
int batch_run_fp(struct ctx *ctx, FILE *fp, const char *name);

/* Table handlers: `source FILE`, `use [MAP]`. */
int do_source(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv);
int do_use(struct ctx *ctx, const struct cmd *cmd,
	   const struct opt_vals *opts, int argc, char **argv);

#define SOURCE_DESCRIPTION \
	"Runs the commands of FILE ('-' for standard input), one per line, as\n" \
	"'mapsh -f FILE' does: # comments, a backslash at the end of a line\n" \
	"continues it, '...' and \"...\" quote as in sh. The first failing line\n" \
	"stops the file with FILE:LINE: before its error, unless --keep-going."
#define USE_DESCRIPTION \
	"Makes MAP (any map selector: NAME, id N, pinned PATH, name NAME,\n" \
	"OUTER[KEY]) the current map of the shell or the batch: the following\n" \
	"lines may give a verb without the map ('dump', 'lookup ...'), and the\n" \
	"prompt shows it. 'use' alone forgets it."

#endif
