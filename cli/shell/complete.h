/* SPDX-License-Identifier: GPL-2.0 */
/* Completion and context help, read from the command tables: the top-level
 * commands and global options (cmd_tables.top, cmd_tables.globals), the map
 * verbs (cmd_tables.verbs, only those valid for the map's type), the session's
 * dot commands, and, for a map, the field names of its key and value
 * plans and the values that can be enumerated (enum names, protocol names,
 * interface names, true/false, TCP flags, asc/desc, ...).
 *
 * One engine serves the REPL's Tab and `?`, and `mapsh __complete`, which
 * the bash, zsh and fish scripts call, so all of them offer the same.
 *
 * `mapsh __complete [--describe] -- WORD...`: the words of the command line
 * after `mapsh`, the last one being the (possibly empty) word under the
 * cursor. Prints every candidate for that last word, one per line, each a
 * whole replacement for it (`src_ip=`, `protocol=tcp`, `dir/file`); with
 * --describe, a tab and a short description follow. A candidate ending in
 * '=', '/' or ',' is unfinished: a shell adds no space after it.
 * `mapsh __complete --line LINE [--point N]` does the same from a raw
 * line as bash's COMP_LINE/COMP_POINT (the first word is the program). */
#ifndef MAPSH_COMPLETE_H
#define MAPSH_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>
#include "cmd/cmd.h"
#include "shell/cands.h"

#define COMPLETE_IN_REPL (1u << 0)	/* offer quit/exit, dot commands and the
					 * verbs of the `use` map */

/* Candidates for words[nwords - 1] given the words before it (nwords >= 1;
 * the last word may be ""). Filtered by that prefix, sorted, unique. */
void complete_words(struct ctx *ctx, int nwords, char **words,
		    unsigned flags, struct cands *out);
/* The same for a raw line (quotes allowed) with the cursor at byte
 * `cursor`: *word_start receives where the word being completed starts. */
void complete_line(struct ctx *ctx, const char *line, size_t cursor,
		   unsigned flags, struct cands *out, size_t *word_start);

/* Context help for `?`: what can come after words[0..nwords) (the last
 * word may be partial), appended to sb as text. */
void complete_help(struct ctx *ctx, int nwords, char **words, unsigned flags,
		   struct strbuf *sb);

/* Table handlers: `__complete`, `__synopsis` (every command's synopsis
 * from the tables, one per line; --mdoc: the man page's generated
 * command reference). */
enum { COMPLETE_OPT_DESCRIBE, COMPLETE_OPT_LINE, COMPLETE_OPT_POINT };
extern const struct opt_spec complete_opts[];
int do_complete(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv);
enum { SYNOPSIS_OPT_MDOC };
extern const struct opt_spec synopsis_opts[];
int do_synopsis(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv);

#endif
