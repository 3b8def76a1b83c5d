// SPDX-License-Identifier: GPL-2.0
/* What the lines of one session share: `use MAP`, the dot commands, the
 * error prefix, and running one line (see batch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/argscan.h"
#include "shell/batch.h"
#include "shell/session.h"
#include "cmd/registry.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "base/json_writer.h"
#include "base/suggest.h"
#include "verbs/map_verbs.h"
#include "map/mapref.h"
#include "map/repin.h"


/* --------------------------------------------------------------- session */

struct session_state sess;


int session_map(char *const **words)
{
	if (words)
		*words = sess.map;
	return sess.nmap;
}

bool session_quit_requested(void)
{
	return sess.quit;
}

void session_restore_errors(void)
{
	err_capture(sess.errsink, true);
}

void session_set_prefix(const char *p)
{
	snprintf(sess.prefix, sizeof(sess.prefix), "%s", p ? p : "");
	err_set_prefix(sess.prefix);
}

/* The words of .pretty and .keep-going. */
static const char *const on_off[] = { "on", "off", NULL };

static int global_index(const char *name)
{
	for (int i = 0; cmd_tables.globals[i].name; i++)
		if (!strcmp(cmd_tables.globals[i].name, name))
			return i;
	return -1;
}

static int dot_format(struct ctx *ctx, const struct cmd *self,
		      const struct opt_vals *opts, int argc, char **argv)
{
	int idx = global_index("format"), rc;

	if (argc == 0) {
		cmd_setup_output(ctx);
		out_object_begin(&ctx->out);
		out_str(&ctx->out, "format", out_mode_names[cmd_output_mode(ctx)]);
		out_object_end(&ctx->out);
		return EXIT_OK;
	}
	if (argc > 1)
		return err_usage(".format: one format (table, plain, json, jsonl, csv or bpftool)");
	if (idx < 0)
		return err_fail(".format: no --format option");
	rc = cmd_tables.apply_global(ctx, idx, argv[0]);
	if (rc)
		return rc;
	ctx->set.json = ctx->set.jsonl = false;
	return EXIT_OK;
}

static int parse_onoff(const char *what, const char *arg, bool *v)
{
	if (!strcmp(arg, "on") || !strcmp(arg, "yes") || !strcmp(arg, "1") ||
	    !strcmp(arg, "true")) {
		*v = true;
		return EXIT_OK;
	}
	if (!strcmp(arg, "off") || !strcmp(arg, "no") || !strcmp(arg, "0") ||
	    !strcmp(arg, "false")) {
		*v = false;
		return EXIT_OK;
	}
	return err_usage("%s: '%s' is not valid (expected on or off)", what, arg);
}

static int dot_pretty(struct ctx *ctx, const struct cmd *self,
		      const struct opt_vals *opts, int argc, char **argv)
{
	if (argc == 0) {
		cmd_setup_output(ctx);
		out_object_begin(&ctx->out);
		out_str(&ctx->out, "pretty", ctx->set.pretty ? "on" : "off");
		out_object_end(&ctx->out);
		return EXIT_OK;
	}
	if (argc > 1)
		return err_usage(".pretty: on or off");
	return parse_onoff(".pretty", argv[0], &ctx->set.pretty);
}

static int dot_keep_going(struct ctx *ctx, const struct cmd *self,
			  const struct opt_vals *opts, int argc, char **argv)
{
	if (argc != 1)
		return err_usage(".keep-going: on or off");
	return parse_onoff(".keep-going", argv[0], &ctx->set.keep_going);
}

static int dot_show(struct ctx *ctx, const struct cmd *self,
		    const struct opt_vals *opts, int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	const char *hist = getenv("MAPSH_HISTFILE");

	if (argc)
		return err_usage(".show takes no arguments");
	for (int i = 0; i < sess.nmap; i++) {
		if (i)
			sb_addc(&sb, ' ');
		sb_adds(&sb, sess.map[i]);
	}
	cmd_setup_output(ctx);
	out_object_begin(&ctx->out);
	out_str(&ctx->out, "format", out_mode_names[cmd_output_mode(ctx)]);
	out_str(&ctx->out, "pretty", ctx->set.pretty ? "on" : "off");
	out_str(&ctx->out, "keep-going", ctx->set.keep_going ? "on" : "off");
	out_str(&ctx->out, "map", sess.nmap ? sb_str(&sb) : NULL);
	out_str(&ctx->out, "pin-dir", ctx->set.map.pin_dir);
	out_str(&ctx->out, "history", hist && *hist ? hist : "~/.mapsh_history");
	out_object_end(&ctx->out);
	sb_free(&sb);
	return EXIT_OK;
}

static int dot_help(struct ctx *ctx, const struct cmd *self,
		    const struct opt_vals *opts, int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "Session commands (they change the defaults of the following lines):\n");
	for (const struct cmd *c = session_cmds; c->name; c++) {
		struct strbuf syn = STRBUF_INIT;
		size_t start = sb.len;

		cmd_synopsis(c, &syn);
		sb_addf(&sb, "  %s", sb_str(&syn));
		for (size_t w = sb.len - start; w < 32; w++)
			sb_addc(&sb, ' ');
		sb_addf(&sb, " %s\n", c->summary);
		sb_free(&syn);
	}
	sb_adds(&sb,
		"\nIn the shell:\n"
		"  Tab                   complete; a second Tab lists the choices\n"
		"  ?                     what can come next (as the first character of a word)\n"
		"  help [COMMAND|MAP]    the commands, one command's help, a map's verbs\n"
		"  use [MAP]             run verbs on MAP without naming it\n"
		"  source FILE           run the commands of FILE\n"
		"  CMD | SHELLCMD        CMD's output into a shell command (a lone |)\n"
		"  \\ or an open quote    at the end of a line: the command goes on\n"
		"  Ctrl-C                stop the running command; clear the line\n"
		"  Ctrl-D, quit, exit    leave\n");
	/* Help is text whatever the output mode. */
	sb_add(&ctx->out.buf, sb.buf, sb.len);
	out_flush(&ctx->out);
	sb_free(&sb);
	return EXIT_OK;
}

/* ---- where output goes: .output FILE, CMD | SHELLCMD ---- */

/* Point the output layer at fp (name: the file, for messages; NULL: fp is
 * standard output). A new destination starts unbroken: a pipe reader that
 * quit early (`| head`) ends that command's output only. */
static void output_to(struct ctx *ctx, FILE *fp, const char *name)
{
	out_flush(&ctx->out);
	if (!sess.base_saved) {
		sess.base_saved = true;
		sess.base_tty = ctx->tty_out;
		sess.base_color = ctx->color;
	}
	ctx->out.fp = fp;
	ctx->out.fd = fileno(fp);
	ctx->out.name = name;
	ctx->out.broken = false;
	ctx->out.werr = 0;
	/* a file or a pipe gets what `mapsh ... > FILE` would: no table, no
	 * colour */
	ctx->tty_out = fp == stdout ? sess.base_tty : false;
	ctx->color = fp == stdout ? sess.base_color : false;
}

/* Back to the session's destination: the .output file or stdout. */
static void output_restore(struct ctx *ctx)
{
	if (sess.output)
		output_to(ctx, sess.output, sess.output_name);
	else
		output_to(ctx, stdout, NULL);
}

/* Close the .output file (the output layer points elsewhere already). */
static void output_close(struct ctx *ctx)
{
	(void)ctx;
	if (!sess.output)
		return;
	fclose(sess.output);
	sess.output = NULL;
	free(sess.output_name);
	sess.output_name = NULL;
}

static int dot_output(struct ctx *ctx, const struct cmd *self,
		      const struct opt_vals *opts, int argc, char **argv)
{
	FILE *f;

	if (argc > 1)
		return err_usage(".output: one FILE (or nothing: standard output again)");
	if (ctx->out.capture)
		return err_usage(".output: not in a JSON batch (its output is one document)");
	output_to(ctx, stdout, NULL);
	output_close(ctx);
	if (argc == 0)
		return EXIT_OK;
	f = fopen(argv[0], "we");
	if (!f)
		return err_fail(".output: %s: %s", argv[0], strerror(errno));
	sess.output = f;
	sess.output_name = strdup(argv[0]);
	if (!sess.output_name)
		abort();
	output_to(ctx, f, sess.output_name);
	return EXIT_OK;
}

/* `CMD | SHELLCMD`: the words before a lone unquoted | run with their
 * output into `sh -c SHELLCMD`. */
static int run_piped(struct ctx *ctx, int argc, char **argv, const char *shcmd)
{
	FILE *p;
	int rc, st;

	while (*shcmd == ' ' || *shcmd == '\t')
		shcmd++;
	if (!*shcmd)
		return err_usage("'|' needs a command after it (CMD | SHELLCMD)");
	if (!argc)
		return err_usage("'|' needs a mapsh command before it (CMD | SHELLCMD)");
	if (ctx->out.capture)
		return err_usage("'|' is not for a JSON batch (its output is one document)");
	out_flush(&ctx->out);
	fflush(stdout);
	p = popen(shcmd, "we");
	if (!p)
		return err_fail("|: cannot run '%s': %s", shcmd, strerror(errno));
	output_to(ctx, p, "|");
	rc = session_run_words(ctx, argc, argv);
	out_flush(&ctx->out);
	output_restore(ctx);
	st = pclose(p);
	if (!rc && st == -1)
		rc = err_fail("|: %s", strerror(errno));
	return rc;
}

static int dot_quit(struct ctx *ctx, const struct cmd *self,
		    const struct opt_vals *opts, int argc, char **argv)
{
	sess.quit = true;
	return EXIT_OK;
}

const struct cmd session_cmds[] = {
	{
		.name = ".format", .fn = dot_format, .pos = (const struct arg_spec[]){ { .kind = ARG_CHOICE, .flags = ARG_OPTIONAL, .choices = out_mode_names }, { .kind = ARG_END } },
		.summary = "output format of the following commands (none: show it)",
	},
	{
		.name = ".pretty", .fn = dot_pretty, .pos = (const struct arg_spec[]){ { .kind = ARG_CHOICE, .flags = ARG_OPTIONAL, .choices = on_off }, { .kind = ARG_END } },
		.summary = "indent JSON output",
	},
	{
		.name = ".keep-going", .fn = dot_keep_going, .pos = (const struct arg_spec[]){ { .kind = ARG_CHOICE, .choices = on_off }, { .kind = ARG_END } },
		.summary = "scripts (source) run past failing lines",
	},
	{
		.name = ".show", .fn = dot_show,
		.summary = "show the session's settings and current map",
	},
	{
		.name = ".help", .fn = dot_help,
		.summary = "the session commands and the shell's keys",
	},
	{
		.name = ".output", .fn = dot_output, .pos = (const struct arg_spec[]){ { .kind = ARG_FILE, .flags = ARG_OPTIONAL }, { .kind = ARG_END } },
		.summary = "the following commands' output to FILE (none: standard output again)",
	},
	{
		.name = ".quit", .alias = ".exit", .fn = dot_quit,
		.summary = "leave the shell (also quit, exit, Ctrl-D); end a script",
	},
	{ NULL },
};

static int run_dot(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd *c = cmd_find(session_cmds, argv[0]);
	struct opt_vals vals;
	bool want_help;
	int rc;

	if (!c) {
		const char *s = cmd_suggest(session_cmds, argv[0]);

		if (s)
			return err_usage("unknown session command '%s' (did you mean '%s'? see .help)",
					 argv[0], s);
		return err_usage("unknown session command '%s' (see .help)",
				 argv[0]);
	}
	argc--;
	argv++;
	rc = cmd_parse_opts(ctx, c, NULL, &argc, argv, &vals, &want_help);
	if (rc)
		return rc;
	if (want_help) {
		cmd_setup_output(ctx);
		cmd_print_help(ctx, c);
		return EXIT_OK;
	}
	rc = c->fn(ctx, c, &vals, argc, argv);
	return out_status(&ctx->out, rc);
}


/* Is word a verb of the maps (so that after `use` it runs on the map)? */
static bool is_map_verb(const char *word)
{
	return cmd_find(cmd_tables.verbs, word) != NULL;
}

int session_run_words(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt_spec none[] = { { NULL } };
	static const struct cmd top = { .name = "mapsh", .opts = none };
	struct settings saved;
	struct opt_vals vals;
	bool want_help = false;
	char **opts, **words;
	int k = 0, n = 0, rc;
	bool use_verb = false;

	if (argc == 0)
		return EXIT_OK;
	/* `mapsh flows dump` as the hints and the one-shot form write it */
	if (argc > 1 && !strcmp(argv[0], "mapsh") &&
	    !cmd_find(cmd_tables.top, argv[0])) {
		argc--;
		argv++;
	}
	if (argv[0][0] == '.' && argv[0][1])
		return run_dot(ctx, argc, argv);
	if (argc == 1 && (!strcmp(argv[0], "quit") || !strcmp(argv[0], "exit")) &&
	    !cmd_find(cmd_tables.top, argv[0])) {
		sess.quit = true;
		return EXIT_OK;
	}
	saved = ctx->set;	/* what the line changes is its own */
	/* Leading global options, as on the command line: `-j maps`. */
	opts = calloc((size_t)argc + 1 + (size_t)sess.nmap, sizeof(*opts));
	words = calloc((size_t)argc + 2 + (size_t)sess.nmap, sizeof(*words));
	if (!opts || !words)
		abort();
	k = argscan_globals(argc, argv, opts, &n);
	/* After `use MAP`, a verb's options may come first, as after the map
	 * on the command line: `--per-cpu lookup 0`. Any other option word
	 * here is the parser's to refuse. */
	if (k < argc && argscan_is_option(argv[k]) && (k == 0 || strcmp(argv[k - 1], "--"))) {
		int v = sess.nmap ? map_find_verb(argc - k, argv + k) : -1;

		use_verb = v >= 0 && is_map_verb(argv[k + v]) &&
			   !cmd_find(cmd_tables.top, argv[k + v]);
		if (!use_verb)
			opts[n++] = argv[k++];
	}
	rc = cmd_parse_opts(ctx, &top, "", &n, opts, &vals, &want_help);
	if (rc)
		goto out;
	if (k == argc) {
		if (want_help) {
			cmd_setup_output(ctx);
			cmd_print_overview(ctx);
			goto out;
		}
		if (ctx->set.want_version) {
			char *v[] = { "version", NULL };

			rc = cmd_run(ctx, 1, v);
			goto out;
		}
		rc = err_usage("no command given (try 'help')");
		goto out;
	}
	if (sess.nmap && !use_verb && !cmd_find(cmd_tables.top, argv[k]) &&
	    !is_map_verb(argv[k]) && !mapsel_is_map_word(&ctx->set.map, argv[k])) {
		/* after `use MAP` a word is most likely a mistyped verb */
		const char *s = cmd_suggest(cmd_tables.verbs, argv[k]);

		if (s) {
			struct strbuf sb = STRBUF_INIT;

			for (int i = 0; i < sess.nmap; i++)
				sb_addf(&sb, "%s%s", i ? " " : "", sess.map[i]);
			rc = err_usage("unknown command '%s' (did you mean '%s'? the verbs of %s: 'help %s')",
				       argv[k], s, sess.map_name, sb_str(&sb));
			sb_free(&sb);
			goto out;
		}
	}
	n = 0;
	if (sess.nmap && (use_verb || (!cmd_find(cmd_tables.top, argv[k]) && is_map_verb(argv[k])))) {
		/* The words of `use` are opened again by each line; say
		 * when they now name another map, or (once) none. */
		mapref_pin_recheck(sess.map_name, sess.map_pin, &sess.map_id);
		for (int i = 0; i < sess.nmap; i++)
			words[n++] = sess.map[i];
	}
	for (int i = k; i < argc; i++)
		words[n++] = argv[i];
	/* `-h CMD ...` is `CMD ... --help`, as on the command line. */
	if (want_help)
		words[n++] = "--help";
	words[n] = NULL;
	ctx->out.any_block = false;
	rc = cmd_run(ctx, n, words);
out:
	ctx->set = saved;
	free(opts);
	free(words);
	return rc;
}

int session_run_tokens(struct ctx *ctx, const char *line, struct tok_line *t)
{
	int bar = -1, rc;

	/* a lone | (not '|', not ||, not in a comment) */
	for (int i = 0; i < t->n && bar < 0; i++)
		if (t->w[i].end == t->w[i].start + 1 && line[t->w[i].start] == '|')
			bar = i;
	if (bar < 0)
		return session_run_words(ctx, t->n, t->argv);
	{
		char *keep = t->argv[bar];

		t->argv[bar] = NULL;
		rc = run_piped(ctx, bar, t->argv, line + t->w[bar].end);
		t->argv[bar] = keep;
	}
	return rc;
}

int session_run_line(struct ctx *ctx, const char *line, const char *where)
{
	struct tok_line t;
	char old[sizeof(sess.prefix)];
	int rc;

	memcpy(old, sess.prefix, sizeof(old));
	if (where)
		session_set_prefix(where);
	tok_split(line, strlen(line), &t);
	if (t.end == TOK_END_SQUOTE || t.end == TOK_END_DQUOTE) {
		rc = err_usage("unterminated %s quote",
			       t.end == TOK_END_SQUOTE ? "single" : "double");
	} else {
		rc = session_run_tokens(ctx, line, &t);
	}
	tok_free(&t);
	if (where)
		session_set_prefix(old);
	return rc;
}

/* ---- use ---- */

static void session_clear_map(void)
{
	for (int i = 0; i < sess.nmap; i++)
		free(sess.map[i]);
	free(sess.map);
	sess.map = NULL;
	sess.nmap = 0;
	free(sess.map_pin);
	sess.map_pin = NULL;
	sess.map_id = 0;
}

void session_fini(void)
{
	session_clear_map();
	if (sess.output) {
		fclose(sess.output);
		sess.output = NULL;
	}
	free(sess.output_name);
	sess.output_name = NULL;
}

int do_use(struct ctx *ctx, const struct cmd *cmd,
	   const struct opt_vals *opts, int argc, char **argv)
{
	int n = argc;

	if (argc == 0) {
		session_clear_map();
		return EXIT_OK;
	}
	{
		struct mapref *m = NULL;
		int rc = mapref_parse(&ctx->set.map, argc, argv, &n, &m);

		if (rc)
			return rc;
		if (n != argc) {
			mapref_free(m);
			return err_usage("use: one MAP, then nothing ('%s' is extra)",
					 argv[n]);
		}
		session_clear_map();
		if (m->pin_path) {
			sess.map_pin = strdup(m->pin_path);
			if (!sess.map_pin)
				abort();
		}
		snprintf(sess.map_name, sizeof(sess.map_name), "%s", m->name);
		sess.map_id = m->info.id;
		mapref_free(m);
	}
	sess.map = calloc((size_t)n + 1, sizeof(*sess.map));
	if (!sess.map)
		abort();
	for (int i = 0; i < n; i++) {
		sess.map[i] = strdup(argv[i]);
		if (!sess.map[i])
			abort();
	}
	sess.nmap = n;
	return EXIT_OK;
}
