/* SPDX-License-Identifier: GPL-2.0 */
/* The command tables, as the grammar, dispatch, help and completion see
 * them. They are defined above this floor (commands.c, verbs/), so main.c
 * fills this once before anything runs: the floors below never name a
 * table of a floor above. */
#ifndef MAPSH_REGISTRY_H
#define MAPSH_REGISTRY_H

#include "cmd/cmd.h"

struct cmd_tables {
	const struct cmd *top;		/* load, maps, help, ... */
	const struct cmd *verbs;	/* the map verbs of `mapsh MAP VERB` */
	const struct opt_spec *globals;	/* -j, -p, --pin-dir, ... */
	/* Apply globals[idx] (with its argument) to the settings: EXIT_OK or
	 * EXIT_USAGE after printing. */
	int (*apply_global)(struct ctx *ctx, int idx, const char *arg);
	/* `mapsh MAP [VERB ...]`: a first word that is no top command. */
	int (*run_map)(struct ctx *ctx, int argc, char **argv);
};

/* Filled by main(); every table terminated by { NULL }. */
extern struct cmd_tables cmd_tables;

#endif
