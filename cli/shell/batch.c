// SPDX-License-Identifier: GPL-2.0
/* The batch runner: the lines of a file, stdin or `source FILE`, one
 * command each (see batch.h). */
#include <errno.h>
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

		while (i < n && tok_is_blank(s[i]))
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
			while (i < n && !tok_is_blank(s[i]))
				i++;
		} else {
			return false;
		}
		if (i < n && !tok_is_blank(s[i]))
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
		while (n && tok_is_blank(s[n - 1]))
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
			q = tok_is_blank(*p) || strchr("'\"\\", *p);
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
	enum out_mode mode = cmd_output_mode(ctx) == OUT_BPFTOOL ?
			     OUT_JSON : cmd_output_mode(ctx);
	bool doc = mode == OUT_JSON || mode == OUT_JSONL;
	bool keep_going = ctx->set.keep_going;
	bool was_capture = ctx->out.capture;
	char old_prefix[sizeof(sess.prefix)];
	int rc = EXIT_OK, failed = 0, r;
	unsigned first = 0;
	struct jw bw;

	if (sess.depth >= BATCH_MAX_DEPTH)
		return err_fail("%s: scripts nested too deeply (more than %d)",
				name, BATCH_MAX_DEPTH);
	sess.depth++;
	memcpy(old_prefix, sess.prefix, sizeof(old_prefix));
	lr_init(&lr, fp);
	jw_init(&bw, &ctx->out.buf, ctx->set.pretty && mode == OUT_JSON);
	if (doc && mode == OUT_JSON)
		jw_start_array(&bw);
	while ((r = lr_next(&lr, &first)) > 0) {
		char where[sizeof(sess.prefix)];
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
		session_set_prefix(where);
		if (doc) {
			sb_reset(&errs);
			prev_sink = sess.errsink;
			sess.errsink = &errs;
			err_capture(&errs, true);
			ctx->out.capture = true;
		}
		if (t.end == TOK_END_SQUOTE || t.end == TOK_END_DQUOTE)
			line_rc = err_usage("unterminated %s quote",
					    t.end == TOK_END_SQUOTE ? "single" : "double");
		else
			line_rc = session_run_tokens(ctx, lr.line.buf, &t);
		sb_reset(&cmdtext);
		join_words(&cmdtext, t.n, t.argv);
		tok_free(&t);
		session_set_prefix(old_prefix);
		if (doc) {
			/* back to the enclosing script's (source in -j),
			 * which gets these errors too, with their FILE:LINE */
			sess.errsink = prev_sink;
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
			line_rc = out_status(&ctx->out, line_rc);
		}
		if (line_rc) {
			failed = 1;
			rc = line_rc;
			if (!keep_going)
				break;
		}
		if (sess.quit)
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
		if (out_status(&ctx->out, EXIT_OK)) {
			rc = EXIT_FAIL;
			failed = 1;
		}
	}
	/* quit/.quit ends the script that holds it. */
	sess.quit = false;
	sess.depth--;
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

int do_source(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	if (argc != 1)
		return err_usage("source: one FILE (see 'source --help')");
	return batch_run_path(ctx, argv[0]);
}
