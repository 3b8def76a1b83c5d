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
#include "shell/tokens.h"


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
/* Run the words of line (t: tok_split of it): `CMD | SHELLCMD` (a lone
 * unquoted |) sends CMD's output into sh -c SHELLCMD; else as
 * session_run_words. */
int session_run_tokens(struct ctx *ctx, const char *line, struct tok_line *t);
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
	"prompt shows it. 'use' alone forgets it.\n" \
	"\n" \
	"The map is opened again by each line, by the words given, so after a\n" \
	"reload ('mapsh unload' and 'mapsh load') NAME and pinned PATH name the\n" \
	"new map; the first line that uses it says so on stderr ('flows: the pin\n" \
	"now names another map (id 41, was 17): using the new one'). When nothing\n" \
	"is pinned there any more, that is said once, MAP stays the current map,\n" \
	"and its lines fail until it is loaded again ('pinned again (id 41):\n" \
	"using it'). id N names one map only: once it is gone, lines fail."

#endif
