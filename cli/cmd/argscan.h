/* SPDX-License-Identifier: GPL-2.0 */
/* The one reading of option words, shared by the one-shot command line,
 * REPL and batch lines, map verbs and completion, so that a word means the
 * same thing in every position and every mode:
 *   - an option word starts with '-' and is not "-" alone or a negative
 *     number ("-5" is a value);
 *   - "--" ends the options; everything after it is a positional word;
 *   - a long option takes its argument as --name=ARG or as the next word;
 *   - short options cluster (-jp); the last of a cluster may take the next
 *     word as its argument, or the rest of the word (-ieth0);
 *   - global options (-j, --pin-dir, ...) are accepted before the command
 *     and among its own options. */
#ifndef MAPSH_ARGSCAN_H
#define MAPSH_ARGSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include "cmd/cmd.h"

bool argscan_is_option(const char *w);

/* The option of opts (else of the global options) that long name (len
 * bytes, no "--") or short letter c names; NULL when none. */
const struct opt_spec *argscan_long(const struct opt_spec *opts,
				    const char *name, size_t len);
const struct opt_spec *argscan_short(const struct opt_spec *opts, char c);

/* When option word w ends with an option of opts (or a global one) that
 * wants an argument and w does not hold it, that option: the next word is
 * its argument. NULL otherwise. opts may be NULL: global options only. */
const struct opt_spec *argscan_wants_arg(const struct opt_spec *opts,
					 const char *w);

/* Does w name only global options (or -h/--help)? */
bool argscan_is_global(const char *w);

/* The global options at the front of argv[0..argc): copied, with their
 * arguments, to opts (room for argc words), their number in *nopts.
 * Returns the index of the first word that is not a global option or its
 * argument; a "--" there is consumed. */
int argscan_globals(int argc, char **argv, char **opts, int *nopts);

#endif
