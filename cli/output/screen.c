// SPDX-License-Identifier: GPL-2.0
/* Full-screen views: see screen.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "base/interrupt.h"
#include "output/screen.h"

volatile sig_atomic_t screen_winched;

static void on_winch(int sig)
{
	(void)sig;
	screen_winched = 1;
}

void screen_term_size(const struct out *o, struct screen_term *t)
{
	struct winsize ws;

	if (!ioctl(o->fd, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	} else {
		t->rows = 24;
		t->cols = 80;
	}
}

void screen_term_enter(struct out *o, struct screen_term *t)
{
	struct sigaction sa;

	t->in_fd = -1;
	if (isatty(STDIN_FILENO)) {
		t->in_fd = STDIN_FILENO;
	} else {
		t->in_fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC);
		t->close_in = t->in_fd >= 0;
	}
	if (t->in_fd >= 0 && !tcgetattr(t->in_fd, &t->saved)) {
		struct termios raw = t->saved;

		/* Keys one by one, not echoed; Ctrl-C still raises SIGINT. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
		raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		raw.c_cc[VSUSP] = _POSIX_VDISABLE;
		raw.c_cc[VQUIT] = _POSIX_VDISABLE;
		t->have_tios = !tcsetattr(t->in_fd, TCSANOW, &raw);
	}
	screen_winched = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &t->old_winch);
	/* Alternate screen, cursor hidden, cleared. */
	sb_adds(&o->buf, "\033[?1049h\033[?25l\033[H\033[2J");
	out_flush(o);
}

void screen_term_leave(struct out *o, struct screen_term *t)
{
	bool resized = screen_winched;

	sb_adds(&o->buf, "\033[0m\033[?25h\033[?1049l");
	out_flush(o);
	if (t->have_tios)
		tcsetattr(t->in_fd, TCSANOW, &t->saved);
	sigaction(SIGWINCH, &t->old_winch, NULL);
	screen_winched = 0;
	/* The shell's line editor missed a resize: tell it now. */
	if (resized && t->old_winch.sa_handler != SIG_DFL &&
	    t->old_winch.sa_handler != SIG_IGN)
		raise(SIGWINCH);
	if (t->close_in)
		close(t->in_fd);
}

/* Display columns of s (UTF-8 continuation bytes take none). */
size_t screen_text_cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Append at most room columns of s; the columns used. */
size_t screen_put_clip(struct strbuf *sb, const char *s, size_t n, size_t room)
{
	size_t cols = 0, i = 0;

	while (i < n && cols < room) {
		size_t j = i + 1;

		while (j < n && ((unsigned char)s[j] & 0xc0) == 0x80)
			j++;
		sb_add(sb, s + i, j - i);
		cols++;
		i = j;
	}
	return cols;
}

void screen_frame_begin(struct screen_frame *f, struct out *o,
			const struct screen_term *t)
{
	f->o = o;
	f->out = &o->buf;
	f->y = 0;
	f->rows = t->rows;
	/* One column short of the edge: a full line would leave the cursor
	 * in the pending-wrap state, where erasing to the end of the line
	 * also erases the last character. */
	f->width = t->cols > 1 ? (size_t)t->cols - 1 : 1;
	sb_adds(f->out, "\033[H");
}

void screen_frame_line(struct screen_frame *f, const char *s, size_t n,
		      const char *attr)
{
	if (f->y >= f->rows)
		return;
	if (f->y)
		sb_adds(f->out, "\r\n");
	if (attr)
		sb_adds(f->out, attr);
	screen_put_clip(f->out, s, n, f->width);
	if (attr)
		sb_adds(f->out, "\033[0m");
	sb_adds(f->out, "\033[K");
	f->y++;
}

void screen_frame_end(struct screen_frame *f)
{
	/* Nothing under the last line. */
	sb_adds(f->out, "\033[J");
	out_flush(f->o);
}

int screen_ms_until(uint64_t deadline, uint64_t now)
{
	uint64_t ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;

	return ms > 60000 ? 60000 : (int)ms;	/* long intervals: wait again */
}

int screen_wait(struct pollfd *fds, int nfds, int timeout_ms)
{
	sigset_t block, old;
	struct timespec ts, *tp = NULL;
	int r, e;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (interrupted() || screen_winched) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return 0;
	}
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
		tp = &ts;
	}
	r = ppoll(fds, (nfds_t)nfds, tp, &old);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0 && e == EINTR)
		return 0;
	errno = e;
	return r;
}
