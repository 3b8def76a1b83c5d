/* SPDX-License-Identifier: GPL-2.0 */
/* `mapsh MAP VERB [ARGS...]`: the map verb table and its dispatch. The
 * table is a `struct cmd` array like the top-level one, so help, the REPL's
 * completion and the man page read verbs the same way; each verb says the
 * map types it works on in `map_types`. */
#ifndef MAPSH_MAP_VERBS_H
#define MAPSH_MAP_VERBS_H

#include <stdbool.h>
#include "cmd/cmd.h"
#include "cmd/ctx.h"
#include "map/mapref.h"
#include "map/repin.h"	/* long-running verbs follow their pin */

/* The verbs, terminated by { NULL }. */
extern const struct cmd map_verbs[];

/* cmd_run hands over here when argv[0] is not a command: argv[0..] is a
 * map selector, then a verb (default: dump) and its arguments. Unknown
 * words get the same "unknown command" error as before. */
int map_cmd_run(struct ctx *ctx, int argc, char **argv);
/* `mapsh MAP --help`: the verbs valid for m's type (every verb when m is
 * NULL), under a synopsis naming `name`. */
void map_print_verbs(struct ctx *ctx, const char *name, const struct mapref *m);
/* In the words after a map: the index of the verb, the first word that is
 * neither an option nor an option's argument (-1: none). */
int map_find_verb(int argc, char **argv);
/* Does option word w take the next word as an argument, for some verb or
 * as a global option? */
bool map_opt_takes_next(const char *w);
/* Does the verb apply to a map of this type? */
bool map_verb_applies(const struct cmd *verb, __u32 map_type);

/* Options of the verbs (indexes into their opt_spec arrays). */
enum { VOPT_PER_CPU = 0, VOPT_RECURSIVE, VOPT_STATS, VOPT_BARS };	/* dump, lookup */
enum { VOPT_CPU = 0, VOPT_ZERO_REST, VOPT_NOEXIST, VOPT_EXIST };	/* update, add, replace, set */
enum { VOPT_PRUNE = 0, VOPT_DRY_RUN, VOPT_WATCH };	/* apply */

/* ---- verb handlers (verb_*.c), run with ctx->map open ---- */
int verb_dump(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_lookup(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_getnext(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_count(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* count's output of n entries (-j: with max_entries), for the verbs that
 * count entries of their own (mt_fd_count). */
void verb_count_out(struct out *o, const struct mapref *m, unsigned long long n);
int verb_info(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_update(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_delete(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_set(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_clear(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_freeze(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_pin(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_watch(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_watch_ring(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
extern const struct opt_spec watch_opts[];	/* verb_watch.c */
/* Queues and stacks (verb_queue.c): push [--type T] [--exist], pop, peek. */
enum { VOPT_Q_TYPE = 0, VOPT_Q_EXIST };
int verb_push(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_pop(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_peek(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* drain and follow of ring buffers and perf event arrays (stream.c). */
enum { VOPT_S_COUNT = 0, VOPT_S_TYPE, VOPT_S_TIMESTAMP, VOPT_S_PAGES, VOPT_S_TIMEOUT };
int verb_drain(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* drain of a queue or stack (queue.c). */
int queue_drain(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* Parse a --count N (> 0) into *n (0 when arg is NULL); EXIT_OK or a usage
 * error naming m and verb. */
int verb_parse_count(const struct mapref *m, const char *verb,
		     const char *arg, unsigned long long *n);
int verb_follow(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* Maps of maps (mim.c): dump, lookup and update/add/replace of a map of
 * maps (the table routes maps of maps to them). */
int verb_mim_dump(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_mim_lookup(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_mim_update(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_save(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int verb_apply(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* hist [FIELD] [where EXPR] [--log2|--linear STEP] [--by FIELD] [--bars] [--stats] (hist.c) */
enum { VOPT_H_LOG2 = 0, VOPT_H_LINEAR, VOPT_H_BY, VOPT_H_BARS, VOPT_H_STATS };
int verb_hist(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
extern const struct opt_spec hist_opts[];	/* hist.c */
/* recover [--forward | --discard] (recover.c) */
enum { VOPT_FORWARD = 0, VOPT_DISCARD };
int verb_recover(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* migrate --to NEW [--set F=V]... [--rename O=N]... [--dry-run] [--then CMD] (migrate.c) */
enum { VOPT_M_TO = 0, VOPT_M_SET, VOPT_M_RENAME, VOPT_M_DRY_RUN, VOPT_M_THEN };
int verb_migrate(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);

/* Map types whose entries are no plain data (mtypes.c): stack traces;
 * program arrays, device, CPU and socket maps; bloom filters. */
int mt_stack_dump(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_stack_lookup(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_delete(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_clear(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_fd_dump(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_fd_lookup(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_fd_count(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_fd_update(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_bloom_lookup(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_bloom_push(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* The verbs of each map type, from map_verbs (typetable.c): a Markdown
 * table, or mdoc for the man page; `mapsh __types` prints the first. */
void map_types_table(struct strbuf *sb, bool mdoc);
int verb_types_cmd(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* Local storages: KEY is a PID (task), a cgroup directory (cgrp) or a
 * file (inode), opened as the fd the kernel takes. */
int mt_storage_lookup(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_storage_update(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
int mt_storage_delete(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* Program arrays: update KEY id N | pinned PATH (mtypes.c). */
int mt_prog_update(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* struct_ops: dump and lookup 0, typed from the kernel's BTF. */
int mt_structops_dump(struct ctx *, const struct cmd *, const struct opt_vals *, int, char **);
/* Why a type has no verb of this kind, for the refusal (NULL: no note). */
const char *mt_refusal_note(__u32 map_type, const char *verb);

/* ---- helpers shared by the verbs (map_verbs.c) ---- */

/* KEY and VALUE words of update/add/replace/set, split by the rule in the
 * verbs' help (keywords `key ... value ...`, else the first word naming a
 * value field). cpu=N words are taken out when neither type has a field
 * named cpu. */
struct kv_split {
	char **key;
	int nkey;
	char **val;
	int nval;
	int cpu;		/* cpu=N or --cpu N; -1 when not given */
	char **mem;
};
int verb_split_kv(const struct mapref *m, const char *verb, int argc,
		  char **argv, const char *cpu_opt, struct kv_split *s);
void kv_split_free(struct kv_split *s);
/* The BPF_* flags of an update: BPF_NOEXIST for add, BPF_EXIST for
 * replace, else as --noexist / --exist say (BPF_ANY without either).
 * EXIT_USAGE when both are given. */
int verb_update_flags(const struct mapref *m, const char *verb,
		      const struct opt_vals *opts, __u64 *flags);
/* clear's question (write.c): EXIT_OK with --yes or a 'y' on the
 * terminal, else the refusal printed. */
int verb_confirm_clear(struct ctx *ctx, const struct mapref *m);
/* EXIT_USAGE naming the first extra word when argc > 0. */
int verb_no_args(const struct mapref *m, const char *verb, int argc,
		 char **argv);

#endif
