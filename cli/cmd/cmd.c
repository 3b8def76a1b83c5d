// SPDX-License-Identifier: GPL-2.0
/* Dispatch, option parsing and help, all read from the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/argscan.h"
#include "cmd/cmd.h"
#include "cmd/registry.h"
#include "base/caps.h"
#include "base/err.h"
#include "base/suggest.h"

/* The synopsis of each query clause, in the order of the QC_* bits. */
static const char *const query_texts[] = {
	"[where EXPR]",
	"[sort FIELD [asc|desc]]...",
	"[sort FIELD[/s] [asc|desc]]...",
	"[limit N]",
	"[fields F,G.H,...]",
	"[fields F,G,...]",
};

static void arg_text(const struct arg_spec *a, struct strbuf *sb)
{
	static const char *const names[] = {
		[ARG_KEY] = "KEY", [ARG_VALUE] = "VALUE",
		[ARG_FIELDS] = "FIELD=VALUE", [ARG_FILE] = "FILE",
		[ARG_PATH] = "PATH", [ARG_MAP] = "MAP",
		[ARG_COMMAND] = "COMMAND",
	};
	bool opt = a->flags & ARG_OPTIONAL;

	if (a->kind == ARG_QUERY) {
		bool first = true;

		for (unsigned i = 0; i < sizeof(query_texts) / sizeof(query_texts[0]); i++) {
			if (!(a->clauses & (1u << i)))
				continue;
			if (!first)
				sb_addc(sb, ' ');
			sb_adds(sb, query_texts[i]);
			first = false;
		}
		return;
	}
	if (opt)
		sb_addc(sb, '[');
	if (a->kind == ARG_CHOICE) {
		for (const char *const *c = a->choices; c && *c; c++) {
			if (c != a->choices)
				sb_addc(sb, '|');
			sb_adds(sb, *c);
		}
	} else if (a->kind == ARG_WORD) {
		sb_adds(sb, a->name);
	} else {
		sb_adds(sb, names[a->kind]);
	}
	if (a->flags & ARG_REPEAT)
		sb_adds(sb, "...");
	if (opt)
		sb_addc(sb, ']');
}

void cmd_args_text(const struct cmd *cmd, struct strbuf *sb)
{
	for (const struct arg_spec *a = cmd->pos; a && a->kind != ARG_END; a++) {
		if (a != cmd->pos)
			sb_addc(sb, ' ');
		arg_text(a, sb);
	}
}

const struct arg_spec *cmd_arg_at(const struct cmd *cmd, int n)
{
	const struct arg_spec *last = NULL;
	int i = 0;

	for (const struct arg_spec *a = cmd->pos; a && a->kind != ARG_END; a++) {
		if (a->kind == ARG_QUERY)
			continue;
		if (i++ == n)
			return a;
		last = a;
	}
	return last && (last->flags & ARG_REPEAT) ? last : NULL;
}

const struct arg_spec *cmd_arg_kind(const struct cmd *cmd, enum arg_kind kind)
{
	for (const struct arg_spec *a = cmd->pos; a && a->kind != ARG_END; a++)
		if (a->kind == kind)
			return a;
	return NULL;
}

cmd_fn cmd_fn_for(const struct cmd *cmd, __u32 map_type)
{
	for (const struct cmd_impl *i = cmd->impl; i && i->fn; i++)
		if (map_type < 64 && (i->map_types & (1ULL << map_type)))
			return i->fn;
	return cmd->fn;
}

const struct cmd *cmd_find(const struct cmd *table, const char *name)
{
	for (const struct cmd *c = table; c->name; c++)
		if (!strcmp(c->name, name) || (c->alias && !strcmp(c->alias, name)))
			return c;
	return NULL;
}

const char *cmd_suggest(const struct cmd *table, const char *name)
{
	struct sg_best b;

	sg_init(&b, name);
	for (const struct cmd *c = table; c->name; c++)
		if (!(c->flags & CMD_HIDDEN))
			sg_offer(&b, c->name);
	return b.best;
}

static int find_long(const struct opt_spec *opts, const char *name, size_t len)
{
	for (int i = 0; opts && opts[i].name; i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
			return i;
	return -1;
}

static int find_short(const struct opt_spec *opts, char c)
{
	for (int i = 0; opts && opts[i].name; i++)
		if (opts[i].short_name == c)
			return i;
	return -1;
}

/* How messages name the command: "load: ", "flows dump: ", or nothing
 * before the command; and its help, "mapsh flows dump --help". */
struct who {
	char pre[192];
	char help[192];
};

static void who_init(struct who *w, const struct cmd *cmd, const char *who)
{
	if (!who)
		who = cmd->name;
	snprintf(w->pre, sizeof(w->pre), "%s%s", who, *who ? ": " : "");
	snprintf(w->help, sizeof(w->help), "mapsh %s%s--help", who, *who ? " " : "");
}

static int store(const struct cmd *cmd, const struct who *who,
		 struct opt_vals *vals, int idx, const char *arg)
{
	const struct opt_spec *o = &cmd->opts[idx];

	if (vals->count[idx] && !o->repeat)
		return err_usage("%s--%s given twice", who->pre, o->name);
	if (vals->count[idx] >= OPT_MAX_REPEAT)
		return err_usage("%s--%s given too many times", who->pre,
				 o->name);
	if (o->arg && o->choices) {
		bool ok = false;

		for (const char *const *c = o->choices; *c; c++)
			ok |= !strcmp(*c, arg);
		if (!ok) {
			struct strbuf sb = STRBUF_INIT;
			int rc;

			for (const char *const *c = o->choices; *c; c++) {
				if (c != o->choices)
					sb_adds(&sb, c[1] ? ", " : " or ");
				sb_adds(&sb, *c);
			}
			rc = err_usage("--%s: '%s' is not valid (expected %s)",
				       o->name, arg, sb_str(&sb));
			sb_free(&sb);
			return rc;
		}
	}
	vals->arg[idx][vals->count[idx]++] = arg;
	return EXIT_OK;
}

int cmd_parse_opts(struct ctx *ctx, const struct cmd *cmd, const char *name,
		   int *argc, char **argv, struct opt_vals *vals,
		   bool *want_help)
{
	int n = *argc, out = 0;
	bool only_pos = false;
	struct who who;

	who_init(&who, cmd, name);
	memset(vals, 0, sizeof(*vals));
	*want_help = false;
	for (int i = 0; i < n; i++) {
		char *w = argv[i];
		int idx, rc;

		if (only_pos || !argscan_is_option(w)) {
			argv[out++] = w;
			continue;
		}
		if (!strcmp(w, "--")) {
			only_pos = true;
			continue;
		}
		if (!strcmp(w, "-h") || !strcmp(w, "--help")) {
			*want_help = true;
			continue;
		}
		if (w[1] == '-') {
			const char *name = w + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const char *arg = eq ? eq + 1 : NULL;

			idx = find_long(cmd->opts, name, len);
			if (idx >= 0) {
				const struct opt_spec *o = &cmd->opts[idx];

				if (o->arg && !arg) {
					if (i + 1 >= n)
						return err_usage("%s--%s needs an argument (%s)",
								 who.pre, o->name, o->arg);
					arg = argv[++i];
				} else if (!o->arg && arg) {
					return err_usage("%s--%s takes no argument",
							 who.pre, o->name);
				}
				rc = store(cmd, &who, vals, idx, arg ? arg : "");
				if (rc)
					return rc;
				continue;
			}
			idx = find_long(cmd_tables.globals, name, len);
			if (idx >= 0) {
				const struct opt_spec *o = &cmd_tables.globals[idx];

				if (o->arg && !arg) {
					if (i + 1 >= n)
						return err_usage("--%s needs an argument (%s)",
								 o->name, o->arg);
					arg = argv[++i];
				}
				rc = cmd_tables.apply_global(ctx, idx, arg);
				if (rc)
					return rc;
				continue;
			}
			return err_usage("%sunknown option '--%.*s' (see '%s')",
					 who.pre, (int)len, name, who.help);
		}
		/* Short options, possibly clustered: -jp, -i eth0, -ieth0. */
		for (const char *p = w + 1; *p; p++) {
			const struct opt_spec *table = cmd->opts;
			bool global = false;
			const char *arg = NULL;

			idx = find_short(table, *p);
			if (idx < 0) {
				idx = find_short(cmd_tables.globals, *p);
				global = idx >= 0;
				table = cmd_tables.globals;
			}
			if (idx < 0)
				return err_usage("%sunknown option '-%c' (see '%s')",
						 who.pre, *p, who.help);
			if (table[idx].arg) {
				if (p[1])
					arg = p + 1;
				else if (i + 1 < n)
					arg = argv[++i];
				else
					return err_usage("-%c needs an argument (%s)",
							 *p, table[idx].arg);
			}
			rc = global ? cmd_tables.apply_global(ctx, idx, arg)
				    : store(cmd, &who, vals, idx, arg ? arg : "");
			if (rc)
				return rc;
			if (arg)
				break;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return EXIT_OK;
}

void cmd_synopsis(const struct cmd *cmd, struct strbuf *sb)
{
	sb_adds(sb, cmd->name);
	for (const struct opt_spec *o = cmd->opts; o && o->name; o++) {
		sb_adds(sb, " [--");
		sb_adds(sb, o->name);
		if (o->arg) {
			sb_addc(sb, ' ');
			if (o->choices) {
				for (const char *const *c = o->choices; *c; c++) {
					if (c != o->choices)
						sb_addc(sb, '|');
					sb_adds(sb, *c);
				}
			} else {
				sb_adds(sb, o->arg);
			}
		}
		sb_addc(sb, ']');
		if (o->repeat)
			sb_adds(sb, "...");
	}
	if (cmd->pos && cmd->pos->kind != ARG_END) {
		sb_addc(sb, ' ');
		cmd_args_text(cmd, sb);
	}
}

static void opt_help_lines(struct strbuf *sb, const struct opt_spec *opts)
{
	for (const struct opt_spec *o = opts; o && o->name; o++) {
		size_t start = sb->len;

		sb_adds(sb, "  ");
		if (o->short_name)
			sb_addf(sb, "-%c, ", o->short_name);
		else
			sb_adds(sb, "    ");
		sb_addf(sb, "--%s", o->name);
		if (o->arg)
			sb_addf(sb, " %s", o->arg);
		for (size_t w = sb->len - start; w < 28; w++)
			sb_addc(sb, ' ');
		sb_addf(sb, " %s\n", o->help);
	}
}

static void help_write(struct ctx *ctx, struct strbuf *sb)
{
	/* Help is text whatever the output mode: it is for people. */
	sb_add(&ctx->out.buf, sb->buf, sb->len);
	out_flush(&ctx->out);
}

void cmd_print_help(struct ctx *ctx, const struct cmd *cmd)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, cmd->flags & CMD_MAP_VERB ? "Usage: mapsh MAP " : "Usage: mapsh ");
	cmd_synopsis(cmd, &sb);
	sb_addf(&sb, "\n\n%s\n", cmd->summary);
	if (cmd->description && *cmd->description)
		sb_addf(&sb, "\n%s\n", cmd->description);
	if (cmd->alias)
		sb_addf(&sb, "\nAlias: %s\n", cmd->alias);
	if (cmd->opts && cmd->opts->name) {
		sb_adds(&sb, "\nOptions:\n");
		opt_help_lines(&sb, cmd->opts);
	}
	sb_adds(&sb, "\nGlobal options (before or after the command):\n");
	opt_help_lines(&sb, cmd_tables.globals);
	help_write(ctx, &sb);
	sb_free(&sb);
}

void cmd_print_overview(struct ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "Usage: mapsh [OPTIONS] COMMAND [ARGS...]\n"
		     "       mapsh MAP VERB [ARGS...]\n"
		     "       mapsh [OPTIONS] -f FILE      (a script; also on stdin)\n"
		     "       mapsh [OPTIONS]              (the shell, on a terminal)\n\n"
		     "See and change what is inside eBPF maps.\n\nCommands:\n");
	for (const struct cmd *c = cmd_tables.top; c->name; c++) {
		size_t start = sb.len;

		if (c->flags & CMD_HIDDEN)
			continue;
		sb_addf(&sb, "  %s", c->name);
		if (c->alias)
			sb_addf(&sb, " (%s)", c->alias);
		for (size_t w = sb.len - start; w < 18; w++)
			sb_addc(&sb, ' ');
		sb_addf(&sb, " %s\n", c->summary);
	}
	sb_adds(&sb, "\nMap verbs (mapsh MAP VERB; MAP is a pinned NAME, id N, pinned PATH,\n"
		     "name NAME or OUTER[KEY]):\n");
	for (const struct cmd *c = cmd_tables.verbs; c->name; c++) {
		size_t start = sb.len;

		if (c->flags & CMD_HIDDEN)
			continue;
		sb_addf(&sb, "  %s", c->name);
		for (size_t w = sb.len - start; w < 18; w++)
			sb_addc(&sb, ' ');
		sb_addf(&sb, " %s\n", c->summary);
	}
	sb_adds(&sb, "\nOptions:\n");
	opt_help_lines(&sb, cmd_tables.globals);
	sb_adds(&sb, "\nRun 'mapsh COMMAND --help' for a command's options, 'mapsh MAP --help'\n"
		     "for the verbs of a map.\n"
		     "\nExit status: 0 ok, 1 failure (also output that could not be written:\n"
		     "'mapsh: write error: ...'; a closed pipe is no failure), 2 usage error.\n");
	help_write(ctx, &sb);
	sb_free(&sb);
}

enum out_mode cmd_output_mode(const struct ctx *ctx)
{
	enum out_mode mode = ctx->tty_out ? OUT_TABLE : OUT_PLAIN;

	if (ctx->set.format_set)
		mode = ctx->set.format;
	if (ctx->set.json && mode != OUT_BPFTOOL)	/* -p --format bpftool: pretty */
		mode = OUT_JSON;
	if (ctx->set.jsonl)
		mode = OUT_JSONL;
	return mode;
}

void cmd_setup_output(struct ctx *ctx)
{
	enum out_mode mode = cmd_output_mode(ctx);

	ctx->out.bpftool = mode == OUT_BPFTOOL;
	if (mode == OUT_BPFTOOL)
		mode = OUT_JSON;
	ctx->out.mode = mode;
	ctx->out.human = ctx->set.human;
	ctx->out.pretty = ctx->set.pretty && mode == OUT_JSON;
	jw_init(&ctx->out.jw, &ctx->out.buf, ctx->out.pretty);
}

int cmd_run(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd *cmd;
	struct opt_vals vals;
	bool want_help;
	int rc;

	if (argc < 1)
		return err_usage("no command given (try 'mapsh help')");
	cmd = cmd_find(cmd_tables.top, argv[0]);
	if (!cmd)	/* `mapsh MAP VERB ...`, or an unknown command */
		return out_status(&ctx->out, cmd_tables.run_map(ctx, argc, argv));
	argc--;
	argv++;
	rc = cmd_parse_opts(ctx, cmd, NULL, &argc, argv, &vals, &want_help);
	if (rc)
		return rc;
	cmd_setup_output(ctx);
	if (want_help) {
		cmd_print_help(ctx, cmd);
		return EXIT_OK;
	}
	if ((cmd->flags & CMD_NEEDS_BPF) && !caps_have_bpf())
		return err_fail("%s: this needs CAP_BPF or CAP_SYS_ADMIN (root has both)",
				cmd->name);
	rc = cmd->fn(ctx, cmd, &vals, argc, argv);
	/* A write that failed fails the command (output.h). */
	return out_status(&ctx->out, rc);
}
