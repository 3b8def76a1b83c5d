/* SPDX-License-Identifier: GPL-2.0 */
/* The top-level commands and the global options (commands.c), which main()
 * registers (cmd/registry.h). */
#ifndef MAPSH_COMMANDS_H
#define MAPSH_COMMANDS_H

#include "cmd/cmd.h"

extern const struct cmd mapsh_cmds[];
extern const struct opt_spec mapsh_global_opts[];
/* Apply mapsh_global_opts[idx] to the settings. */
int global_opt_apply(struct ctx *ctx, int idx, const char *arg);

#endif
