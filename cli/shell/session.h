/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the shell: the state the lines of a session share, which the
 * batch runner (batch.c) also keeps (nesting, the error prefix, where a
 * JSON batch collects errors). */
#ifndef MAPSH_SESSION_H
#define MAPSH_SESSION_H

#include <stdbool.h>
#include <linux/types.h>
#include "base/strbuf.h"

struct session_state {
	char **map;		/* `use` words */
	int nmap;
	/* The pin the `use` map was found at (NULL: id N, name NAME, an
	 * inner map), its name in messages, and the id last seen there (0
	 * once it was said gone): a reload is said when a line uses it. */
	char *map_pin;
	char map_name[320];
	__u32 map_id;
	bool quit;
	int depth;		/* nested batches (source) */
	char prefix[512];	/* current error prefix */
	struct strbuf *errsink;	/* where a JSON batch collects errors */
	/* `.output FILE`: the following commands' output goes there (NULL:
	 * standard output); the terminal state of standard output. */
	FILE *output;
	char *output_name;
	bool base_saved, base_tty, base_color;
};
extern struct session_state sess;

/* The prefix of every error message ("FILE:LINE: "). */
void session_set_prefix(const char *p);

#endif
