/* SPDX-License-Identifier: GPL-2.0 */
/* The one command table. Dispatch, `help`, every `--help`, the REPL's
 * completion and the man page's synopsis all read these structures, so they
 * cannot drift apart. Handlers never exit(): they return an exit code and
 * report errors through err.h. */
#ifndef MAPSH_CMD_H
#define MAPSH_CMD_H

#include <stdbool.h>
#include <linux/types.h>
#include "cmd/ctx.h"
#include "base/strbuf.h"

/* What a word can be completed with (REPL, `mapsh __complete`). */
enum complete_kind {
	COMPLETE_NONE = 0,
	COMPLETE_IFACE,		/* network interface names */
	COMPLETE_FILE,		/* file names */
	COMPLETE_DIR,		/* directory names */
	COMPLETE_MAP,		/* map names (bundled / pinned) */
	COMPLETE_WORDS,		/* the `choices` list */
	COMPLETE_FIELD,		/* a field of the map's key or value */
};

struct opt_spec {
	const char *name;	/* long name without dashes: "iface" */
	char short_name;	/* 0 when none */
	const char *arg;	/* argument placeholder ("IFACE"), NULL for a flag */
	const char *help;
	enum complete_kind complete;
	const char *const *choices;	/* for COMPLETE_WORDS, NULL-terminated */
	bool repeat;		/* may be given more than once */
};

/* Parsed option values, indexed like the command's opt_spec array. */
#define OPT_MAX 24
#define OPT_MAX_REPEAT 32
struct opt_vals {
	int count[OPT_MAX];			/* times given */
	const char *arg[OPT_MAX][OPT_MAX_REPEAT];	/* arguments in order */
};

struct cmd;
typedef int (*cmd_fn)(struct ctx *ctx, const struct cmd *cmd,
		      const struct opt_vals *opts, int argc, char **argv);

#define CMD_HIDDEN	(1u << 0)	/* not listed in help or completion */
#define CMD_NEEDS_BPF	(1u << 1)	/* needs root / CAP_BPF */
#define CMD_MAP_VERB	(1u << 2)	/* a map verb: `mapsh MAP name ...` */
#define CMD_WRITES	(1u << 3)	/* a map verb that changes the map: its
					 * writes go through map/write.h */

/* The positional words of a command, typed: the synopsis, completion and
 * the `?` help are made from them. */
enum arg_kind {
	ARG_END,	/* ends a list */
	ARG_KEY,	/* a key of the map, typed (KEY) */
	ARG_VALUE,	/* a value of the map, typed (VALUE) */
	ARG_FIELDS,	/* FIELD=VALUE words of the value */
	ARG_QUERY,	/* where/sort/limit/fields clauses (clauses: QC_*) */
	ARG_FILE,	/* a file */
	ARG_PATH,	/* a path on a bpffs */
	ARG_MAP,	/* a map: NAME, id N, pinned PATH, name NAME */
	ARG_COMMAND,	/* a command or verb name */
	ARG_CHOICE,	/* one of choices */
	ARG_WORD,	/* any word (name) */
};
#define ARG_OPTIONAL	(1u << 0)
#define ARG_REPEAT	(1u << 1)	/* the last positional may repeat */
/* Query clauses an ARG_QUERY takes. */
#define QC_WHERE	(1u << 0)
#define QC_SORT		(1u << 1)
#define QC_SORT_RATE	(1u << 2)	/* sort FIELD[/s]: by a rate too */
#define QC_LIMIT	(1u << 3)
#define QC_FIELDS	(1u << 4)	/* fields F,G.H (struct members) */
#define QC_FIELDS_FLAT	(1u << 5)	/* fields F,G */
struct arg_spec {
	enum arg_kind kind;
	unsigned flags;			/* ARG_OPTIONAL, ARG_REPEAT */
	unsigned clauses;		/* ARG_QUERY: QC_* */
	const char *const *choices;	/* ARG_CHOICE, NULL-terminated */
	const char *name;		/* ARG_WORD: the placeholder */
};

/* A handler for the map types of a mask ((1ULL << BPF_MAP_TYPE_*)). */
struct cmd_impl {
	unsigned long long map_types;
	cmd_fn fn;
};

struct cmd {
	const char *name;
	const char *alias;		/* NULL or a second name */
	cmd_fn fn;			/* the handler, unless impl has one */
	/* Map verbs only: handlers for some map types, the first that fits
	 * wins over fn; terminated by { 0 }. */
	const struct cmd_impl *impl;
	const struct arg_spec *pos;	/* positional words, ending ARG_END */
	const char *summary;		/* one line for help listings */
	const char *description;	/* longer text for --help and the man page */
	const struct opt_spec *opts;	/* terminated by { NULL } */
	unsigned flags;
	/* Map verbs only: the map types the verb works on, as a mask of
	 * (1ULL << BPF_MAP_TYPE_*); 0 means every type. */
	unsigned long long map_types;
};

/* Exact name or alias match; NULL when none (no prefix abbreviations: they
 * caused real bugs in ip(8)). */
const struct cmd *cmd_find(const struct cmd *table, const char *name);
/* Parse the options of `cmd` out of argv, leaving positionals (in order) in
 * argv[0..*argc). "--" ends options. Returns EXIT_OK, or EXIT_USAGE after
 * printing the error. Sets *want_help for -h/--help. name is how errors
 * name the command ("flows dump"; NULL: cmd->name; "": the options before
 * any command). */
int cmd_parse_opts(struct ctx *ctx, const struct cmd *cmd, const char *name,
		   int *argc, char **argv, struct opt_vals *vals,
		   bool *want_help);
/* The positional part of the synopsis ("KEY VALUE", "[where EXPR] ...").*/
void cmd_args_text(const struct cmd *cmd, struct strbuf *sb);
/* The spec of the n-th positional word (the query's words aside), or NULL;
 * does the command take a positional of this kind? */
const struct arg_spec *cmd_arg_at(const struct cmd *cmd, int n);
const struct arg_spec *cmd_arg_kind(const struct cmd *cmd, enum arg_kind kind);
/* The handler of a map verb for a map of this type (impl, else fn). */
cmd_fn cmd_fn_for(const struct cmd *cmd, __u32 map_type);
/* Nearest name in a table for "did you mean" hints, or NULL. */
const char *cmd_suggest(const struct cmd *table, const char *name);

/* The output mode the output options select: a table on a terminal, else
 * plain lines, unless --format, -j or --jsonl say otherwise. */
enum out_mode cmd_output_mode(const struct ctx *ctx);
/* Set ctx->out's mode from the output options (after option parsing). */
void cmd_setup_output(struct ctx *ctx);
/* Run argv[0] with the remaining words (one-shot, REPL and batch all end
 * here). */
int cmd_run(struct ctx *ctx, int argc, char **argv);
/* `--help` text of one command on stdout. */
void cmd_print_help(struct ctx *ctx, const struct cmd *cmd);
/* `mapsh help`: every visible command with its summary. */
void cmd_print_overview(struct ctx *ctx);
/* Synopsis line of a command: "load [--iface IFACE]... [--mode MODE]". */
void cmd_synopsis(const struct cmd *cmd, struct strbuf *sb);

static inline const char *opt_get(const struct opt_vals *v, int idx)
{
	return v->count[idx] ? v->arg[idx][v->count[idx] - 1] : NULL;
}

#endif
