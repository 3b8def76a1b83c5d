/* SPDX-License-Identifier: GPL-2.0 */
/* Global options and state handed to every command handler. One instance
 * lives for the whole process; the REPL reuses it between lines. */
#ifndef MAPSH_CTX_H
#define MAPSH_CTX_H

#include <stdbool.h>
#include "base/err.h"
#include "map/mapref.h"
#include "output/output.h"

struct mapref;

/* What a command line sets with global options. A value: a REPL line, a
 * sourced file and the completer each work on a copy, and putting the
 * session's settings back is one assignment. */
struct settings {
	struct map_opts map;	/* --pin-dir (else $MAPSH_PIN_DIR or the default), --raw-values */
	bool json;		/* -j */
	bool pretty;		/* -p (implies -j) */
	bool jsonl;		/* --jsonl */
	bool debug;		/* -d: show libbpf's messages */
	bool yes;		/* --yes: confirm destructive commands */
	bool format_set;	/* --format given */
	enum out_mode format;
	bool want_version;	/* -V */
	const char *batch_file;	/* -f FILE: run FILE's lines ("-": stdin) */
	bool keep_going;	/* --keep-going: a batch runs past failures */
	const char *audit_log;	/* --audit-log FILE (map/audit.h); NULL: $MAPSH_AUDIT_LOG */
	bool no_wait;		/* --no-wait: a map another writer holds is an error (map/lock.h) */
	bool human;		/* -H: sizes and counts as 1.2M, 3.4 GiB in text */
};

struct ctx {
	struct settings set;
	bool tty_out;		/* stdout is a terminal */
	bool color;		/* tty and NO_COLOR unset */
	struct out out;		/* the one output layer */
	struct mapref *map;	/* the map a map verb runs on (map/mapref.h) */
};

#ifndef MAPSH_VERSION
#define MAPSH_VERSION "0.1.0"
#endif

/* "1.1" for the libbpf linked in. */
const char *libbpf_version_text(void);

#endif
