// SPDX-License-Identifier: GPL-2.0
/* One place prints errors, so every message has the same shape. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "base/err.h"
#include "base/strbuf.h"

static char err_prefix[512];
static struct strbuf *err_sink;
static bool err_print = true;

void err_capture(struct strbuf *sb, bool print)
{
	err_sink = sb;
	err_print = sb ? print : true;
}

void err_set_prefix(const char *prefix)
{
	snprintf(err_prefix, sizeof(err_prefix), "%s", prefix ? prefix : "");
}

/* Messages quote what the user typed; a word of the message longer than
 * ERR_WORD_MAX (a 100 KB argument) is cut to its first ERR_WORD_KEEP
 * characters, "..." and its closing quote or bracket, so the line stays
 * readable. Mapsh's own words are never that long. */
#define ERR_WORD_MAX 160
#define ERR_WORD_KEEP 64

static void shorten_words(struct strbuf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t st = i, end, tail;

		while (i < n && s[i] != ' ')
			i++;
		end = i;
		if (end - st <= ERR_WORD_MAX) {
			sb_add(out, s + st, end - st);
		} else {
			/* keep the punctuation that opens and closes the
			 * word: 'xxx...' */
			size_t head = strspn(s + st, "'\"([{");

			if (head > 3)
				head = 3;
			for (tail = end; tail > end - 3 && strchr("'\")]}:,;", s[tail - 1]); tail--)
				;
			sb_add(out, s + st, head + ERR_WORD_KEEP);
			sb_adds(out, "...");
			sb_add(out, s + tail, end - tail);
		}
		if (i < n) {
			sb_addc(out, ' ');
			i++;
		}
	}
}

static void vreport(const char *fmt, va_list ap)
{
	struct strbuf raw = STRBUF_INIT, msg = STRBUF_INIT;

	sb_vaddf(&raw, fmt, ap);
	shorten_words(&msg, raw.buf ? raw.buf : "", raw.len);
	sb_free(&raw);
	if (err_sink) {
		if (err_sink->len)
			sb_addc(err_sink, '\n');
		sb_add(err_sink, msg.buf ? msg.buf : "", msg.len);
	}
	if (err_print) {
		/* Flush stdout first so an error lands after the output it
		 * follows. */
		fflush(stdout);
		fprintf(stderr, "%smapsh: %s\n", err_prefix, sb_str(&msg));
	}
	sb_free(&msg);
}

int err_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int err_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void err_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}
