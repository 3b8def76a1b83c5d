/* SPDX-License-Identifier: GPL-2.0 */
/* Global options and state handed to every command handler. One instance
 * lives for the whole process; the REPL reuses it between lines. */
#ifndef MAPSH_CTX_H
#define MAPSH_CTX_H

#include <stdbool.h>
#include "output.h"

struct mapref;

/* Exit codes, as in bpftool/ip: handlers return one of these. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* runtime failure: kernel said no, map missing, ... */
	EXIT_USAGE = 2,	/* the command line itself is wrong */
};

struct ctx {
	const char *pin_dir;	/* --pin-dir, $MAPSH_PIN_DIR, or the default */
	bool json;		/* -j */
	bool pretty;		/* -p (implies -j) */
	bool jsonl;		/* --jsonl */
	bool debug;		/* -d: show libbpf's messages */
	bool raw_values;	/* --raw-values: no format fallbacks */
	bool yes;		/* --yes: confirm destructive commands */
	bool format_set;	/* --format given */
	enum out_mode format;
	bool want_version;	/* -V */
	const char *batch_file;	/* -f FILE: run FILE's lines ("-": stdin) */
	bool keep_going;	/* --keep-going: a batch runs past failures */
	const char *audit_log;	/* --audit-log FILE (audit.h); NULL: $MAPSH_AUDIT_LOG */
	bool tty_out;		/* stdout is a terminal */
	bool color;		/* tty and NO_COLOR unset */
	struct out out;		/* the one output layer */
	struct mapref *map;	/* the map a map verb runs on (mapref.h) */
};

#define MAPSH_DEFAULT_PIN_DIR "/sys/fs/bpf/mapsh"
#ifndef MAPSH_VERSION
#define MAPSH_VERSION "0.1.0"
#endif

/* "1.1" for the libbpf linked in. */
const char *libbpf_version_text(void);

#endif
