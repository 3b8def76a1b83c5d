// SPDX-License-Identifier: GPL-2.0
/* Lines of commands: tokenizer, line reader, session state and the batch
 * runner (see batch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/argscan.h"
#include "shell/batch.h"
#include "cmd/registry.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "base/json_writer.h"
#include "base/suggest.h"
#include "verbs/map_verbs.h"
#include "map/mapref.h"

/* ---------------------------------------------------------------- tokens */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static void push_word(struct tok_line *t, int *cap, struct strbuf *cur,
		      size_t start, size_t end)
{
	if (t->n + 1 >= *cap) {
		int ncap = *cap ? *cap * 2 : 8;
		void *w = realloc(t->w, (size_t)ncap * sizeof(*t->w));
		void *a;

		if (!w)
			abort();
		t->w = w;
		a = realloc(t->argv, (size_t)(ncap + 1) * sizeof(*t->argv));
		if (!a)
			abort();
		t->argv = a;
		*cap = ncap;
	}
	t->w[t->n].text = strdup(sb_str(cur));
	if (!t->w[t->n].text)
		abort();
	t->w[t->n].start = start;
	t->w[t->n].end = end;
	t->argv[t->n] = t->w[t->n].text;
	t->n++;
	t->argv[t->n] = NULL;
	sb_reset(cur);
}

void tok_split(const char *s, size_t len, struct tok_line *t)
{
	enum { ST_OUT, ST_WORD, ST_SQ, ST_DQ } st = ST_OUT;
	struct strbuf cur = STRBUF_INIT;
	size_t i = 0, start = 0;
	int cap = 0;

	memset(t, 0, sizeof(*t));
	t->argv = calloc(1, sizeof(*t->argv));
	if (!t->argv)
		abort();
	while (i < len) {
		char c = s[i];

		switch (st) {
		case ST_OUT:
			if (is_blank(c)) {
				i++;
				continue;
			}
			if (c == '#') {
				while (i < len && s[i] != '\n')
					i++;
				if (i == len)
					t->in_comment = true;
				continue;
			}
			start = i;
			st = ST_WORD;
			sb_adds(&cur, "");
			continue;
		case ST_WORD:
			if (is_blank(c)) {
				push_word(t, &cap, &cur, start, i);
				st = ST_OUT;
				i++;
			} else if (c == '\'') {
				st = ST_SQ;
				i++;
			} else if (c == '"') {
				st = ST_DQ;
				i++;
			} else if (c == '\\') {
				if (i + 1 == len) {
					t->end = TOK_END_ESCAPE;
					i++;
				} else {
					if (s[i + 1] != '\n')
						sb_addc(&cur, s[i + 1]);
					i += 2;
				}
			} else {
				sb_addc(&cur, c);
				i++;
			}
			continue;
		case ST_SQ:
			if (c == '\'')
				st = ST_WORD;
			else
				sb_addc(&cur, c);
			i++;
			continue;
		case ST_DQ:
			if (c == '"') {
				st = ST_WORD;
				i++;
			} else if (c == '\\') {
				if (i + 1 == len) {
					t->end = TOK_END_ESCAPE;
					i++;
				} else if (strchr("\"\\$`", s[i + 1])) {
					sb_addc(&cur, s[i + 1]);
					i += 2;
				} else if (s[i + 1] == '\n') {
					i += 2;
				} else {
					sb_addc(&cur, c);
					i++;
				}
			} else {
				sb_addc(&cur, c);
				i++;
			}
			continue;
		}
	}
	if (st != ST_OUT) {
		if (t->end != TOK_END_ESCAPE) {
			if (st == ST_SQ)
				t->end = TOK_END_SQUOTE;
			else if (st == ST_DQ)
				t->end = TOK_END_DQUOTE;
		}
		push_word(t, &cap, &cur, start, len);
		t->in_word = true;
	}
	sb_free(&cur);
}

void tok_free(struct tok_line *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->w[i].text);
	free(t->w);
	free(t->argv);
	memset(t, 0, sizeof(*t));
}

void tok_quote(struct strbuf *sb, const char *word)
{
	for (const char *p = word; *p; p++) {
		if (is_blank(*p) || strchr("'\"\\", *p) ||
		    (*p == '#' && p == word))
			sb_addc(sb, '\\');
		sb_addc(sb, *p);
	}
}

/* ----------------------------------------------------------- line reader */

void lr_init(struct line_reader *lr, FILE *fp)
{
	memset(lr, 0, sizeof(*lr));
	lr->fp = fp;
	sb_init(&lr->line);
}

void lr_fini(struct line_reader *lr)
{
	sb_free(&lr->line);
	free(lr->phys);
	lr->phys = NULL;
}

int lr_next(struct line_reader *lr, unsigned *first)
{
	bool have = false;

	sb_reset(&lr->line);
	for (;;) {
		ssize_t n = getline(&lr->phys, &lr->phys_cap, lr->fp);
		const char *p = lr->phys;
		struct tok_line t;
		enum tok_end end;

		if (n < 0) {
			if (ferror(lr->fp))
				return -1;
			return have ? 1 : 0;
		}
		lr->lineno++;
		if (!have) {
			*first = lr->lineno;
			have = true;
		}
		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
			n--;
		sb_add(&lr->line, p, (size_t)n);
		tok_split(lr->line.buf, lr->line.len, &t);
		end = t.end;
		tok_free(&t);
		if (end != TOK_END_ESCAPE)
			return 1;
		/* Backslash-newline: drop the backslash, read on. */
		sb_trunc(&lr->line, lr->line.len - 1);
	}
}

/* --------------------------------------------------------------- session */

static struct {
	char **map;		/* `use` words */
	int nmap;
	bool quit;
	int depth;		/* nested batches (source) */
	char prefix[512];	/* current error prefix */
	struct strbuf *errsink;	/* where a JSON batch collects errors */
} S;

int session_map(char *const **words)
{
	if (words)
		*words = S.map;
	return S.nmap;
}

bool session_quit_requested(void)
{
	return S.quit;
}

void session_restore_errors(void)
{
	err_capture(S.errsink, true);
}

static void set_prefix(const char *p)
{
	snprintf(S.prefix, sizeof(S.prefix), "%s", p ? p : "");
	err_set_prefix(S.prefix);
}

/* The words of .format and .pretty / .keep-going. */
static const char *const format_words[] = { "table", "plain", "json", "jsonl", NULL };
static const char *const on_off[] = { "on", "off", NULL };

static const char *const mode_names[] = {
	[OUT_TABLE] = "table", [OUT_PLAIN] = "plain",
	[OUT_JSON] = "json", [OUT_JSONL] = "jsonl",
};

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
		out_str(&ctx->out, "format", mode_names[cmd_output_mode(ctx)]);
		out_object_end(&ctx->out);
		return EXIT_OK;
	}
	if (argc > 1)
		return err_usage(".format: one format (table, plain, json or jsonl)");
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
	for (int i = 0; i < S.nmap; i++) {
		if (i)
			sb_addc(&sb, ' ');
		sb_adds(&sb, S.map[i]);
	}
	cmd_setup_output(ctx);
	out_object_begin(&ctx->out);
	out_str(&ctx->out, "format", mode_names[cmd_output_mode(ctx)]);
	out_str(&ctx->out, "pretty", ctx->set.pretty ? "on" : "off");
	out_str(&ctx->out, "keep-going", ctx->set.keep_going ? "on" : "off");
	out_str(&ctx->out, "map", S.nmap ? sb_str(&sb) : NULL);
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
		"  help [COMMAND]        the commands, or one command's help\n"
		"  use [MAP]             run verbs on MAP without naming it\n"
		"  source FILE           run the commands of FILE\n"
		"  Ctrl-C                stop the running command; clear the line\n"
		"  Ctrl-D, quit, exit    leave\n");
	/* Help is text whatever the output mode. */
	sb_add(&ctx->out.buf, sb.buf, sb.len);
	out_flush(&ctx->out);
	sb_free(&sb);
	return EXIT_OK;
}

static int dot_quit(struct ctx *ctx, const struct cmd *self,
		    const struct opt_vals *opts, int argc, char **argv)
{
	S.quit = true;
	return EXIT_OK;
}

const struct cmd session_cmds[] = {
	{
		.name = ".format", .fn = dot_format, .pos = (const struct arg_spec[]){ { .kind = ARG_CHOICE, .flags = ARG_OPTIONAL, .choices = format_words }, { .kind = ARG_END } },
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
	out_flush(&ctx->out);
	return rc;
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
	if (argv[0][0] == '.' && argv[0][1])
		return run_dot(ctx, argc, argv);
	if (argc == 1 && (!strcmp(argv[0], "quit") || !strcmp(argv[0], "exit")) &&
	    !cmd_find(cmd_tables.top, argv[0])) {
		S.quit = true;
		return EXIT_OK;
	}
	saved = ctx->set;	/* what the line changes is its own */
	/* Leading global options, as on the command line: `-j maps`. */
	opts = calloc((size_t)argc + 1 + (size_t)S.nmap, sizeof(*opts));
	words = calloc((size_t)argc + 2 + (size_t)S.nmap, sizeof(*words));
	if (!opts || !words)
		abort();
	k = argscan_globals(argc, argv, opts, &n);
	/* After `use MAP`, a verb's options may come first, as after the map
	 * on the command line: `--per-cpu lookup 0`. Any other option word
	 * here is the parser's to refuse. */
	if (k < argc && argscan_is_option(argv[k]) && (k == 0 || strcmp(argv[k - 1], "--"))) {
		int v = S.nmap ? map_find_verb(argc - k, argv + k) : -1;

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
	n = 0;
	if (S.nmap && (use_verb || (!cmd_find(cmd_tables.top, argv[k]) && is_map_verb(argv[k]))))
		for (int i = 0; i < S.nmap; i++)
			words[n++] = S.map[i];
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

int session_run_line(struct ctx *ctx, const char *line, const char *where)
{
	struct tok_line t;
	char old[sizeof(S.prefix)];
	int rc;

	memcpy(old, S.prefix, sizeof(old));
	if (where)
		set_prefix(where);
	tok_split(line, strlen(line), &t);
	if (t.end == TOK_END_SQUOTE || t.end == TOK_END_DQUOTE)
		rc = err_usage("unterminated %s quote",
			       t.end == TOK_END_SQUOTE ? "single" : "double");
	else
		rc = session_run_words(ctx, t.n, t.argv);
	tok_free(&t);
	if (where)
		set_prefix(old);
	return rc;
}

/* ----------------------------------------------------------------- batch */

/* Split text into top-level JSON values (offset, length pairs). Only our
 * own writer's output is expected, so this checks the shape, not every
 * detail: false when text is not a sequence of JSON values (help text). */
static bool json_segments(const char *s, size_t n, size_t **segs, int *nsegs)
{
	size_t i = 0;
	int cap = 0;

	*segs = NULL;
	*nsegs = 0;
	for (;;) {
		size_t b;

		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			return true;
		b = i;
		if (s[i] == '{' || s[i] == '[') {
			int depth = 0;
			bool str = false;

			for (; i < n; i++) {
				char c = s[i];

				if (str) {
					if (c == '\\')
						i++;
					else if (c == '"')
						str = false;
				} else if (c == '"') {
					str = true;
				} else if (c == '{' || c == '[') {
					depth++;
				} else if (c == '}' || c == ']') {
					if (--depth == 0) {
						i++;
						break;
					}
				}
			}
			if (depth)
				return false;
		} else if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (i >= n)
				return false;
			i++;
		} else if (strchr("-0123456789", s[i]) ||
			   !strncmp(s + i, "true", 4) || !strncmp(s + i, "false", 5) ||
			   !strncmp(s + i, "null", 4)) {
			while (i < n && !is_blank(s[i]))
				i++;
		} else {
			return false;
		}
		if (i < n && !is_blank(s[i]))
			return false;
		if (*nsegs + 1 > cap) {
			void *p;

			cap = cap ? cap * 2 : 4;
			p = realloc(*segs, (size_t)cap * 2 * sizeof(**segs));
			if (!p)
				abort();
			*segs = p;
		}
		(*segs)[2 * *nsegs] = b;
		(*segs)[2 * *nsegs + 1] = i - b;
		(*nsegs)++;
	}
}

/* One JSON value from a command's output, re-indented to the writer's
 * depth when pretty (strings never hold raw newlines). */
static void put_json_value(struct jw *w, const char *s, size_t n)
{
	jw_value_begin(w);
	for (size_t i = 0; i < n; i++) {
		sb_addc(w->out, s[i]);
		if (s[i] == '\n' && w->pretty)
			for (int d = 0; d < w->depth; d++)
				sb_add(w->out, "  ", 2);
	}
}

static void put_output(struct jw *w, const char *s, size_t n)
{
	size_t *segs;
	int nsegs;

	if (!json_segments(s, n, &segs, &nsegs)) {
		while (n && is_blank(s[n - 1]))
			n--;
		jw_string_n(w, s, n);
	} else if (nsegs == 0) {
		jw_null(w);
	} else if (nsegs == 1) {
		put_json_value(w, s + segs[0], segs[1]);
	} else {
		jw_start_array(w);
		for (int i = 0; i < nsegs; i++)
			put_json_value(w, s + segs[2 * i], segs[2 * i + 1]);
		jw_end_array(w);
	}
	free(segs);
}

/* The words of a line as one canonical string (single blanks, sh quoting
 * where a word needs it): the "command" of a JSON batch entry. */
static void join_words(struct strbuf *sb, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		bool q = !*w || *w == '#';

		for (const char *p = w; *p && !q; p++)
			q = is_blank(*p) || strchr("'\"\\", *p);
		if (i)
			sb_addc(sb, ' ');
		if (!q) {
			sb_adds(sb, w);
			continue;
		}
		sb_addc(sb, '\'');
		for (const char *p = w; *p; p++) {
			if (*p == '\'')
				sb_adds(sb, "'\\''");
			else
				sb_addc(sb, *p);
		}
		sb_addc(sb, '\'');
	}
}

#define BATCH_MAX_DEPTH 16

int batch_run_fp(struct ctx *ctx, FILE *fp, const char *name)
{
	struct line_reader lr;
	struct strbuf errs = STRBUF_INIT, out = STRBUF_INIT;
	struct strbuf cmdtext = STRBUF_INIT;
	enum out_mode mode = cmd_output_mode(ctx);
	bool doc = mode == OUT_JSON || mode == OUT_JSONL;
	bool keep_going = ctx->set.keep_going;
	bool was_capture = ctx->out.capture;
	char old_prefix[sizeof(S.prefix)];
	int rc = EXIT_OK, failed = 0, r;
	unsigned first = 0;
	struct jw bw;

	if (S.depth >= BATCH_MAX_DEPTH)
		return err_fail("%s: scripts nested too deeply (more than %d)",
				name, BATCH_MAX_DEPTH);
	S.depth++;
	memcpy(old_prefix, S.prefix, sizeof(old_prefix));
	lr_init(&lr, fp);
	jw_init(&bw, &ctx->out.buf, ctx->set.pretty && mode == OUT_JSON);
	if (doc && mode == OUT_JSON)
		jw_start_array(&bw);
	while ((r = lr_next(&lr, &first)) > 0) {
		char where[sizeof(S.prefix)];
		struct tok_line t;
		size_t mark = ctx->out.buf.len;
		struct strbuf *prev_sink = NULL;
		int line_rc;

		tok_split(lr.line.buf, lr.line.len, &t);
		if (!t.n && t.end == TOK_END_OK) {
			tok_free(&t);
			continue;	/* blank or comment */
		}
		snprintf(where, sizeof(where), "%s:%u: ", name, first);
		set_prefix(where);
		if (doc) {
			sb_reset(&errs);
			prev_sink = S.errsink;
			S.errsink = &errs;
			err_capture(&errs, true);
			ctx->out.capture = true;
		}
		if (t.end == TOK_END_SQUOTE || t.end == TOK_END_DQUOTE)
			line_rc = err_usage("unterminated %s quote",
					    t.end == TOK_END_SQUOTE ? "single" : "double");
		else
			line_rc = session_run_words(ctx, t.n, t.argv);
		sb_reset(&cmdtext);
		join_words(&cmdtext, t.n, t.argv);
		tok_free(&t);
		set_prefix(old_prefix);
		if (doc) {
			/* back to the enclosing script's (source in -j),
			 * which gets these errors too, with their FILE:LINE */
			S.errsink = prev_sink;
			err_capture(prev_sink, true);
			if (prev_sink && errs.len) {
				if (prev_sink->len)
					sb_addc(prev_sink, '\n');
				sb_adds(prev_sink, where);
				sb_add(prev_sink, errs.buf, errs.len);
			}
			ctx->out.capture = was_capture;
			sb_reset(&out);
			sb_add(&out, ctx->out.buf.buf + mark, ctx->out.buf.len - mark);
			sb_trunc(&ctx->out.buf, mark);
			if (mode == OUT_JSONL)
				jw_init(&bw, &ctx->out.buf, false);
			jw_start_object(&bw);
			jw_kv_string(&bw, "command", sb_str(&cmdtext));
			if (line_rc) {
				jw_kv_string(&bw, "error", errs.len ? sb_str(&errs)
							     : "failed");
				jw_kv_i64(&bw, "status", line_rc);
			}
			if (!line_rc || out.len) {
				jw_name(&bw, "output");
				put_output(&bw, out.buf ? out.buf : "", out.len);
			}
			jw_end_object(&bw);
			if (mode == OUT_JSONL)
				sb_addc(&ctx->out.buf, '\n');
			out_flush(&ctx->out);
		}
		if (line_rc) {
			failed = 1;
			rc = line_rc;
			if (!keep_going)
				break;
		}
		if (S.quit)
			break;
		if (interrupted()) {
			err_warn("%s:%u: interrupted", name, first);
			rc = EXIT_FAIL;
			failed = 1;
			break;
		}
	}
	if (r < 0 && errno == EINTR && interrupted()) {
		/* Ctrl-C while the script waited for a line (source -). */
		clearerr(fp);
		if (isatty(STDERR_FILENO))
			fputc('\n', stderr);	/* after the terminal's ^C */
		err_warn("%s: interrupted", name);
		rc = EXIT_FAIL;
		failed = 1;
	} else if (r < 0) {
		clearerr(fp);
		rc = err_fail("%s: %s", name, strerror(errno));
		failed = 1;
	}
	if (doc && mode == OUT_JSON) {
		jw_end_array(&bw);
		sb_addc(&ctx->out.buf, '\n');
		out_flush(&ctx->out);
	}
	/* quit/.quit ends the script that holds it. */
	S.quit = false;
	S.depth--;
	lr_fini(&lr);
	sb_free(&errs);
	sb_free(&out);
	sb_free(&cmdtext);
	if (keep_going)
		return failed ? EXIT_FAIL : EXIT_OK;
	return rc;
}

int batch_run_path(struct ctx *ctx, const char *path)
{
	FILE *fp;
	int rc;

	if (!strcmp(path, "-"))
		return batch_run_fp(ctx, stdin, "<stdin>");
	fp = fopen(path, "r");
	if (!fp)
		return err_fail("%s: %s", path, strerror(errno));
	rc = batch_run_fp(ctx, fp, path);
	fclose(fp);
	return rc;
}

/* -------------------------------------------------------------- handlers */

int do_source(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	if (argc != 1)
		return err_usage("source: one FILE (see 'source --help')");
	return batch_run_path(ctx, argv[0]);
}

static void session_clear_map(void)
{
	for (int i = 0; i < S.nmap; i++)
		free(S.map[i]);
	free(S.map);
	S.map = NULL;
	S.nmap = 0;
}

void session_fini(void)
{
	session_clear_map();
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
		mapref_free(m);
	}
	if (n != argc)
		return err_usage("use: one MAP, then nothing ('%s' is extra)",
				 argv[n]);
	session_clear_map();
	S.map = calloc((size_t)n + 1, sizeof(*S.map));
	if (!S.map)
		abort();
	for (int i = 0; i < n; i++) {
		S.map[i] = strdup(argv[i]);
		if (!S.map[i])
			abort();
	}
	S.nmap = n;
	return EXIT_OK;
}
