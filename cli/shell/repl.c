// SPDX-License-Identifier: GPL-2.0
/* The interactive shell on libedit (see repl.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>
#include <histedit.h>
#include "shell/batch.h"
#include "shell/complete.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "shell/repl.h"

#define REPL_HISTORY_SIZE 1000

static struct {
	struct ctx *ctx;
	bool line_interrupted;		/* Ctrl-C at the prompt */
	volatile sig_atomic_t winch;	/* the terminal was resized */
	volatile sig_atomic_t cont;	/* resumed after Ctrl-Z */
	char *armed;			/* line + cursor of an ambiguous Tab */
	char prompt[256];
	bool more;			/* the line goes on: "...> " */
} R;

char *repl_history_path(void)
{
	const char *env = getenv("MAPSH_HISTFILE");
	const char *home = getenv("HOME");
	char *p;

	if (env && *env)
		return strdup(env);
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home)
		return NULL;
	if (asprintf(&p, "%s/.mapsh_history", home) < 0)
		return NULL;
	return p;
}

/* Save the history to path, never through a symbolic link nor into
 * anything but a regular file (a link in a shared directory would make
 * root write where it points): false after a warning when it cannot be. */
static bool save_history(History *hist, const char *path)
{
	HistEvent ev;
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		if (!lstat(path, &st) && S_ISLNK(st.st_mode))
			err_warn("history file %s is a symbolic link: not written (the history is not kept)",
				 path);
		else
			err_warn("history file %s: %s (the history is not kept)", path,
				 strerror(errno));
		return false;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err_warn("history file %s is not a regular file: not written (the history is not kept)",
			 path);
		close(fd);
		return false;
	}
	if (ftruncate(fd, 0) || !(f = fdopen(fd, "w"))) {
		err_warn("history file %s: %s (the history is not kept)", path,
			 strerror(errno));
		close(fd);
		return false;
	}
	fchmod(fd, 0600);
	history(hist, &ev, H_SAVE_FP, f);
	fclose(f);
	return true;
}

static char *prompt_fn(EditLine *el)
{
	char *const *words;
	int n = session_map(&words);
	size_t len;

	(void)el;
	if (R.more)
		return "...> ";
	snprintf(R.prompt, sizeof(R.prompt), "mapsh");
	for (int i = 0; i < n; i++) {
		len = strlen(R.prompt);
		snprintf(R.prompt + len, sizeof(R.prompt) - len, " %s", words[i]);
	}
	len = strlen(R.prompt);
	snprintf(R.prompt + len, sizeof(R.prompt) - len, "> ");
	return R.prompt;
}

static void on_winch(int sig)
{
	if (sig == SIGCONT)
		R.cont = 1;
	else
		R.winch = 1;
}

/* Read one character for libedit. A Ctrl-C at the prompt arrives as
 * SIGINT (the terminal keeps ISIG): it becomes ^C, bound to
 * mapsh-interrupt. SIGTERM reads as the end of input. */
static int getc_fn(EditLine *el, wchar_t *wc)
{
	char buf[MB_LEN_MAX];
	size_t n = 0;

	for (;;) {
		unsigned char ch;
		ssize_t r = read(STDIN_FILENO, &ch, 1);

		if (r == 1) {
			mbstate_t st;
			size_t k;

			buf[n++] = (char)ch;
			memset(&st, 0, sizeof(st));
			k = mbrtowc(wc, buf, n, &st);
			if (k == (size_t)-2 && n < sizeof(buf))
				continue;
			if (k == (size_t)-1 || k == (size_t)-2)
				*wc = (wchar_t)(unsigned char)buf[0];
			return 1;
		}
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
		if (R.winch) {
			R.winch = 0;
			el_resize(el);
		}
		if (R.cont) {
			/* Back from Ctrl-Z: the shell that ran us reset the
			 * terminal; edit mode again, and redraw the line. */
			R.cont = 0;
			el_set(el, EL_PREP_TERM, 0);
			el_set(el, EL_PREP_TERM, 1);
			el_set(el, EL_REFRESH);
		}
		if (mapsh_interrupted == SIGTERM)
			return 0;
		if (mapsh_interrupted) {
			interrupt_clear();
			*wc = 3;	/* ^C */
			return 1;
		}
	}
}

static unsigned char fn_interrupt(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);

	(void)ch;
	el_cursor(el, (int)(li->lastchar - li->cursor));
	el_insertstr(el, "^C");
	R.line_interrupted = true;
	el_push(el, "\n");
	return CC_REFRESH;
}

static int term_width(void)
{
	struct winsize ws;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

/* Show the candidates under the line: with their descriptions when there
 * are few, else in columns. */
static void list_cands(const struct cands *c)
{
	int width = term_width(), maxw = 0, cols, rows;
	bool descs = false;

	for (int i = 0; i < c->n; i++) {
		int w = (int)strlen(c->v[i].word);

		if (w > maxw)
			maxw = w;
		descs |= c->v[i].desc != NULL;
	}
	fputs("\n", stdout);
	if (descs && c->n <= 30) {
		for (int i = 0; i < c->n; i++) {
			if (c->v[i].desc)
				printf("%-*s  %.*s\n", maxw, c->v[i].word,
				       width - maxw - 3 > 0 ? width - maxw - 3 : 0,
				       c->v[i].desc);
			else
				printf("%s\n", c->v[i].word);
		}
		fflush(stdout);
		return;
	}
	cols = width / (maxw + 2);
	if (cols < 1)
		cols = 1;
	rows = (c->n + cols - 1) / cols;
	for (int r = 0; r < rows; r++) {
		for (int k = 0; k < cols; k++) {
			int i = k * rows + r;

			if (i >= c->n)
				break;
			printf("%-*s", k + 1 < cols && i + rows < c->n ? maxw + 2 : 0,
			       c->v[i].word);
		}
		fputs("\n", stdout);
	}
	fflush(stdout);
}

/* Replace the raw text from the word's start to the cursor with word
 * (quoted as the tokenizer needs), plus a space when it is complete. */
static void replace_word(EditLine *el, const char *line, size_t start,
			 size_t cursor, const char *word, bool finished)
{
	struct strbuf sb = STRBUF_INIT;
	mbstate_t st;
	const char *p = line + start;
	size_t nchars;

	memset(&st, 0, sizeof(st));
	nchars = mbsnrtowcs(NULL, &p, cursor - start, 0, &st);
	if (nchars == (size_t)-1)
		nchars = cursor - start;
	tok_quote(&sb, word);
	if (finished)
		sb_addc(&sb, ' ');
	if (nchars)
		el_deletestr(el, (int)nchars);
	el_insertstr(el, sb_str(&sb));
	sb_free(&sb);
}

static unsigned char fn_complete(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	size_t cursor = (size_t)(li->cursor - li->buffer);
	char *line = strndup(li->buffer, cursor);
	unsigned char ret = CC_REFRESH;
	struct tok_line t;
	struct cands c;
	size_t start;
	char *lcp, *key;
	const char *partial;

	(void)ch;
	if (!line)
		return CC_ERROR;
	if (asprintf(&key, "%s\x01%zu", line, cursor) < 0)
		key = NULL;
	complete_line(R.ctx, line, cursor, COMPLETE_IN_REPL, &c, &start);
	tok_split(line, cursor, &t);
	partial = t.in_word && t.n ? t.w[t.n - 1].text : "";
	if (c.n == 0) {
		ret = CC_REFRESH_BEEP;
	} else if (c.n == 1) {
		replace_word(el, line, start, cursor, c.v[0].word,
			     !cand_unfinished(c.v[0].word));
	} else {
		/* Ambiguous: insert what they share; the next Tab on the same
		 * line lists them (as readline does). */
		lcp = cands_common_prefix(&c);
		if (R.armed && key && !strcmp(R.armed, key)) {
			list_cands(&c);
			ret = CC_REDISPLAY;
		} else if (strlen(lcp) > strlen(partial) ||
			   (strlen(lcp) == strlen(partial) && strcmp(lcp, partial))) {
			replace_word(el, line, start, cursor, lcp, false);
		} else {
			ret = CC_REFRESH_BEEP;
		}
		free(lcp);
		free(key);
		li = el_line(el);
		cursor = (size_t)(li->cursor - li->buffer);
		if (asprintf(&key, "%.*s\x01%zu", (int)cursor, li->buffer, cursor) < 0)
			key = NULL;
		free(R.armed);
		R.armed = key;
		key = NULL;
	}
	if (c.n <= 1) {
		free(R.armed);
		R.armed = NULL;
	}
	free(key);
	tok_free(&t);
	cands_free(&c);
	free(line);
	return ret;
}

static void print_help_for(const char *line, size_t cursor)
{
	struct strbuf sb = STRBUF_INIT;
	struct tok_line t;
	char **words;
	int n = 0;

	tok_split(line, cursor, &t);
	words = calloc((size_t)t.n + 2, sizeof(*words));
	if (!words)
		abort();
	for (int i = 0; i < t.n; i++)
		words[n++] = t.w[i].text;
	if (!t.in_word || !t.n)
		words[n++] = "";
	complete_help(R.ctx, n, words, COMPLETE_IN_REPL, &sb);
	fputs(sb_str(&sb), stdout);
	fflush(stdout);
	free(words);
	tok_free(&t);
	sb_free(&sb);
}

/* `?` as the first character of a word: what can come next. Elsewhere a
 * plain '?'. */
static unsigned char fn_help(EditLine *el, int ch)
{
	const LineInfo *li = el_line(el);
	size_t cursor = (size_t)(li->cursor - li->buffer);
	char *line;

	(void)ch;
	if (cursor && li->buffer[cursor - 1] != ' ' &&
	    li->buffer[cursor - 1] != '\t') {
		el_insertstr(el, "?");
		return CC_REFRESH;
	}
	line = strndup(li->buffer, cursor);
	if (!line)
		return CC_ERROR;
	fputs("?\n", stdout);
	print_help_for(line, cursor);
	free(line);
	return CC_REDISPLAY;
}

/* A line that ends in a lone `?` word (typed, pasted or piped): help. */
static bool help_line(const char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (!n || line[n - 1] != '?')
		return false;
	if (n > 1 && line[n - 2] != ' ' && line[n - 2] != '\t')
		return false;
	print_help_for(line, n - 1);
	return true;
}

/* Enter line, removing every earlier entry equal to it: the history
 * holds each line once, at its latest use. */
static void hist_enter(History *hist, const char *line)
{
	HistEvent ev;
	int r = history(hist, &ev, H_FIRST);

	while (r != -1) {
		if (!strcmp(ev.str, line)) {
			HistEvent del;

			if (history(hist, &del, H_DEL, ev.num) == -1)
				break;
			free((void *)del.str);	/* H_DEL hands back a copy */
			r = history(hist, &ev, H_FIRST);
			continue;
		}
		r = history(hist, &ev, H_NEXT);
	}
	history(hist, &ev, H_ENTER, line);
}

/* A history file written by an older mapsh (or by hand) may hold a line
 * several times: keep each once, in the order of their latest use. */
static void hist_dedup(History *hist)
{
	HistEvent ev;
	char **lines = NULL;
	size_t n = 0, cap = 0;

	for (int r = history(hist, &ev, H_LAST); r != -1;
	     r = history(hist, &ev, H_PREV)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			lines = realloc(lines, cap * sizeof(*lines));
			if (!lines)
				abort();
		}
		lines[n] = strdup(ev.str);
		if (!lines[n])
			abort();
		n++;
	}
	history(hist, &ev, H_CLEAR);
	for (size_t i = 0; i < n; i++) {
		hist_enter(hist, lines[i]);
		free(lines[i]);
	}
	free(lines);
}

/* Does the text so far end inside a quote or after a backslash (the
 * command goes on on the next line)? */
static bool line_goes_on(const char *text)
{
	struct tok_line t;
	bool on;

	tok_split(text, strlen(text), &t);
	on = !t.in_comment && (t.end == TOK_END_SQUOTE || t.end == TOK_END_DQUOTE ||
			       t.end == TOK_END_ESCAPE);
	tok_free(&t);
	return on;
}

/* Inside a quote (not just after a backslash)? */
static bool line_goes_on_quoted(const char *text)
{
	struct tok_line t;
	bool q;

	tok_split(text, strlen(text), &t);
	q = t.end == TOK_END_SQUOTE || t.end == TOK_END_DQUOTE;
	tok_free(&t);
	return q;
}

int repl_run(struct ctx *ctx)
{
	EditLine *el;
	History *hist;
	HistEvent ev;
	char *histfile = repl_history_path();
	struct sigaction sa;

	R.ctx = ctx;
	setlocale(LC_CTYPE, "");
	el = el_init("mapsh", stdin, stdout, stderr);
	if (!el) {
		free(histfile);
		return err_fail("cannot set up the terminal for the shell");
	}
	hist = history_init();
	history(hist, &ev, H_SETSIZE, REPL_HISTORY_SIZE);
	if (histfile) {
		history(hist, &ev, H_LOAD, histfile);
		hist_dedup(hist);
	}
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_HIST, history, hist);
	el_set(el, EL_PROMPT, prompt_fn);
	el_set(el, EL_SIGNAL, 0);
	el_set(el, EL_GETCFN, getc_fn);
	el_set(el, EL_CLIENTDATA, ctx);
	el_source(el, NULL);	/* ~/.editrc */
	/* el_wset: the narrow el_set copies these names and never frees them. */
	el_wset(el, EL_ADDFN, L"mapsh-complete", L"complete the word", fn_complete);
	el_wset(el, EL_ADDFN, L"mapsh-help", L"show what can come next", fn_help);
	el_wset(el, EL_ADDFN, L"mapsh-interrupt", L"abandon the line", fn_interrupt);
	el_set(el, EL_BIND, "^I", "mapsh-complete", NULL);
	el_set(el, EL_BIND, "?", "mapsh-help", NULL);
	el_set(el, EL_BIND, "^C", "mapsh-interrupt", NULL);

	interrupt_catch();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGCONT, &sa, NULL);

	struct strbuf acc = STRBUF_INIT;	/* a command over several lines */

	for (;;) {
		const char *in;
		char *line;
		int count = 0;
		size_t n;

		interrupt_clear();
		R.line_interrupted = false;
		R.more = acc.len > 0;
		in = el_gets(el, &count);
		if (!in || count <= 0) {
			if (mapsh_interrupted != SIGTERM)
				fputs("\n", stdout);
			break;
		}
		if (R.line_interrupted) {	/* Ctrl-C drops the whole command */
			sb_reset(&acc);
			continue;
		}
		n = strlen(in);
		while (n && (in[n - 1] == '\n' || in[n - 1] == '\r'))
			n--;
		sb_add(&acc, in, n);
		if (line_goes_on(sb_str(&acc))) {
			/* a backslash-newline is no character (as in sh); a
			 * newline inside quotes is one */
			if (acc.buf[acc.len - 1] == '\\' &&
			    !line_goes_on_quoted(sb_str(&acc)))
				sb_trunc(&acc, acc.len - 1);
			else
				sb_addc(&acc, '\n');
			continue;
		}
		line = strdup(sb_str(&acc));
		sb_reset(&acc);
		if (!line)
			break;
		n = strlen(line);
		if (strspn(line, " \t") == n) {
			free(line);
			continue;
		}
		hist_enter(hist, line);
		if (histfile && !save_history(hist, histfile)) {
			free(histfile);		/* warned once: no more saving */
			histfile = NULL;
		}
		if (!help_line(line))
			session_run_line(ctx, line, NULL);
		free(line);
		out_flush(&ctx->out);
		fflush(stdout);
		/* A command that read stdin (a confirmation) may have seen
		 * Ctrl-C or ^D: the next one starts clean. */
		clearerr(stdin);
		if (session_quit_requested() || mapsh_interrupted == SIGTERM)
			break;
	}
	sb_free(&acc);
	R.more = false;
	interrupt_release();
	signal(SIGWINCH, SIG_DFL);
	signal(SIGCONT, SIG_DFL);
	history_end(hist);
	el_end(el);
	free(histfile);
	free(R.armed);
	R.armed = NULL;
	return EXIT_OK;
}
