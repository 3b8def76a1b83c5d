/* SPDX-License-Identifier: GPL-2.0 */
/* Full-screen views (watch): the terminal in its view mode and back,
 * screens built line by line, and the wait for keys, refresh times and
 * signals. */
#ifndef MAPSH_SCREEN_H
#define MAPSH_SCREEN_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>
#include "base/strbuf.h"
#include "output/output.h"

/* The terminal while a full-screen view is up. */
struct screen_term {
	int in_fd;		/* where keys come from; -1: none */
	bool close_in;
	bool have_tios;
	struct termios saved;
	struct sigaction old_winch;
	int rows, cols;
	bool paused;
};
extern volatile sig_atomic_t screen_winched;	/* SIGWINCH seen */
/* Alternate screen, hidden cursor, keys unbuffered and not echoed,
 * SIGWINCH caught; _leave undoes all of it. */
void screen_term_enter(struct out *o, struct screen_term *t);
void screen_term_leave(struct out *o, struct screen_term *t);
void screen_term_size(const struct out *o, struct screen_term *t);

/* Building a screen: lines cut to the width, each clearing its rest. */
struct screen_frame {
	struct out *o;
	struct strbuf *out;	/* o's buffer */
	int y, rows;
	size_t width;
};
void screen_frame_begin(struct screen_frame *f, struct out *o,
			const struct screen_term *t);
void screen_frame_line(struct screen_frame *f, const char *s, size_t n,
		       const char *attr);
void screen_frame_end(struct screen_frame *f);

/* poll() that a Ctrl-C, SIGTERM or SIGWINCH always ends (they are blocked
 * between the check of their flags and the wait). Returns poll's result,
 * 0 for a timeout or a signal, -1 with errno on a failure. */
int screen_wait(struct pollfd *fds, int nfds, int timeout_ms);
/* Milliseconds from now to deadline (ns) for screen_wait, at most 60 s. */
int screen_ms_until(uint64_t deadline, uint64_t now);

/* Display columns of s (UTF-8 continuation bytes take none). */
size_t screen_text_cols(const char *s, size_t n);
/* Append at most room columns of s to sb; the columns used. */
size_t screen_put_clip(struct strbuf *sb, const char *s, size_t n, size_t room);

#endif
