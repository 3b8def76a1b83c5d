/* SPDX-License-Identifier: GPL-2.0 */
/* Errors: one line on stderr, "mapsh: " then what failed and why. These
 * return the exit code so handlers can `return err_fail(...)`. */
#ifndef MAPSH_ERR_H
#define MAPSH_ERR_H

#include <stdbool.h>

/* Exit codes, as in bpftool/ip: handlers return one of these. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	/* runtime failure: kernel said no, map missing, ... */
	EXIT_USAGE = 2,	/* the command line itself is wrong */
};

/* Runtime failure: prints and returns EXIT_FAIL (1). */
int err_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: prints and returns EXIT_USAGE (2). */
int err_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning or note on stderr, no exit code. */
void err_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A prefix for every following message ("FILE:LINE: " in batch mode). */
void err_set_prefix(const char *prefix);
/* Also append the text of every message (no prefix, no "mapsh: ", one per
 * line) to sb, and print it on stderr only when print is set; sb NULL goes
 * back to printing only. For the batch's JSON "error" members and for
 * completion, which must stay silent. */
struct strbuf;
void err_capture(struct strbuf *sb, bool print);

#endif
