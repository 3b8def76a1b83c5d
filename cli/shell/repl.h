/* SPDX-License-Identifier: GPL-2.0 */
/* The interactive shell (libedit): `mapsh` with no command on a terminal.
 * Prompt `mapsh> ` (`mapsh flows> ` after `use flows`), history in
 * $MAPSH_HISTFILE or ~/.mapsh_history, Tab completion and `?` help from
 * the command tables (complete.h), Ctrl-C stops the running command or
 * clears the line, Ctrl-D / quit / exit leave. Every line runs through
 * session_run_line() (batch.h), so it means what it means in a script. */
#ifndef MAPSH_REPL_H
#define MAPSH_REPL_H

#include "cmd/ctx.h"

/* Run the shell on the terminal until the user leaves. Returns EXIT_OK
 * (an error in a line never ends the shell), EXIT_FAIL when the terminal
 * cannot be set up. */
int repl_run(struct ctx *ctx);

/* The history file the shell uses (malloc'd), or NULL when there is no
 * home directory. */
char *repl_history_path(void);

#endif
