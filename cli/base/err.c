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

static void vreport(const char *fmt, va_list ap)
{
	if (err_sink) {
		va_list aq;

		va_copy(aq, ap);
		if (err_sink->len)
			sb_addc(err_sink, '\n');
		sb_vaddf(err_sink, fmt, aq);
		va_end(aq);
	}
	if (!err_print)
		return;
	/* Flush stdout first so an error lands after the output it follows. */
	fflush(stdout);
	fprintf(stderr, "%smapsh: ", err_prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
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
