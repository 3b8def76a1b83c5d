// SPDX-License-Identifier: GPL-2.0
/* The full-screen view of `mapsh MAP watch` on a terminal: the alternate
 * screen, redrawn in place at every refresh, sized to the terminal (and
 * again on SIGWINCH), with keys read in non-canonical mode:
 *   q quit   p pause/resume   s / S next / previous sort column
 *   r reverse the sort
 * The terminal is put back (main screen, cursor, termios, SIGWINCH
 * disposition) on every way out: q, --count, Ctrl-C or SIGTERM (caught
 * into the interrupt flag, interrupt.h) and errors. Ctrl-Z and Ctrl-\ are
 * disabled while the view is up, so the terminal never stays in its mode.
 *
 * Layout: two header lines (map, entries used / max_entries and % full,
 * interval, time of the last refresh; new and removed entries with the
 * removal rate, the sort, the keys), a blank line, then a table whose
 * first column marks entries new since the previous refresh with '+'. */
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
#include "base/err.h"
#include "base/interrupt.h"
#include "map/mapinfo.h"
#include "verbs/watch/watch.h"

#define HEADER_LINES 4		/* two header lines, a blank, column names */
#define MAX_CELL 40		/* columns wider than this are cut */

volatile sig_atomic_t watch_winched;

static void on_winch(int sig)
{
	(void)sig;
	watch_winched = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void watch_term_size(const struct watch *w, struct watch_term *t)
{
	struct winsize ws;

	if (!ioctl(w->ctx->out.fd, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		t->rows = ws.ws_row;
		t->cols = ws.ws_col;
	} else {
		t->rows = 24;
		t->cols = 80;
	}
}

void watch_term_enter(struct watch *w, struct watch_term *t)
{
	struct out *o = &w->ctx->out;
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
	watch_winched = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, &t->old_winch);
	/* Alternate screen, cursor hidden, cleared. */
	sb_adds(&o->buf, "\033[?1049h\033[?25l\033[H\033[2J");
	out_flush(o);
}

void watch_term_leave(struct watch *w, struct watch_term *t)
{
	struct out *o = &w->ctx->out;
	bool resized = watch_winched;

	sb_adds(&o->buf, "\033[0m\033[?25h\033[?1049l");
	out_flush(o);
	if (t->have_tios)
		tcsetattr(t->in_fd, TCSANOW, &t->saved);
	sigaction(SIGWINCH, &t->old_winch, NULL);
	watch_winched = 0;
	/* The shell's line editor missed a resize: tell it now. */
	if (resized && t->old_winch.sa_handler != SIG_DFL &&
	    t->old_winch.sa_handler != SIG_IGN)
		raise(SIGWINCH);
	if (t->close_in)
		close(t->in_fd);
}

/* ---- drawing ---- */

/* Display columns of s (UTF-8 continuation bytes take none). */
static size_t text_cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Append at most room columns of s; the columns used. */
static size_t put_clip(struct strbuf *sb, const char *s, size_t n, size_t room)
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

void watch_frame_begin(struct watch_frame *f, struct watch *w,
		       const struct watch_term *t)
{
	f->out = &w->ctx->out.buf;
	f->y = 0;
	f->rows = t->rows;
	/* One column short of the edge: a full line would leave the cursor
	 * in the pending-wrap state, where erasing to the end of the line
	 * also erases the last character. */
	f->width = t->cols > 1 ? (size_t)t->cols - 1 : 1;
	sb_adds(f->out, "\033[H");
}

void watch_frame_line(struct watch_frame *f, const char *s, size_t n,
		      const char *attr)
{
	if (f->y >= f->rows)
		return;
	if (f->y)
		sb_adds(f->out, "\r\n");
	if (attr)
		sb_adds(f->out, attr);
	put_clip(f->out, s, n, f->width);
	if (attr)
		sb_adds(f->out, "\033[0m");
	sb_adds(f->out, "\033[K");
	f->y++;
}

void watch_frame_end(struct watch_frame *f, struct watch *w)
{
	/* Nothing under the last line. */
	sb_adds(f->out, "\033[J");
	out_flush(&w->ctx->out);
}

int watch_ms_until(uint64_t deadline, uint64_t now)
{
	uint64_t ms = deadline > now ? (deadline - now + 999999) / 1000000 : 0;

	return ms > 60000 ? 60000 : (int)ms;	/* long intervals: wait again */
}

int watch_wait(struct pollfd *fds, int nfds, int timeout_ms)
{
	sigset_t block, old;
	struct timespec ts, *tp = NULL;
	int r, e;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGWINCH);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (interrupted() || watch_winched) {
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

static void header(struct watch *w, struct watch_term *t, struct watch_frame *f)
{
	struct strbuf sb = STRBUF_INIT;
	time_t s = (time_t)(w->last_real / 1000000000ull);
	struct tm tm;
	char hms[16] = "--:--:--";

	if (w->refreshes) {
		localtime_r(&s, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	}
	sb_addf(&sb, "%s (%s)  ", w->m->name, map_type_str(w->m->info.type));
	watch_usage_text(w, &sb);
	sb_addf(&sb, "  every %gs  at %s", w->interval, hms);
	if (t->paused)
		sb_adds(&sb, "  [paused]");
	watch_frame_line(f, sb.buf, sb.len, w->ctx->color ? "\033[1m" : NULL);

	sb_reset(&sb);
	if (w->refreshes <= 1)
		sb_adds(&sb, "first refresh: rates from the next one");
	else
		sb_addf(&sb, "+%llu new  -%llu removed (%.1f/s)", w->n_new,
			w->n_removed, w->dt > 0 ? (double)w->n_removed / w->dt : 0.0);
	if (w->sort_word[0])
		sb_addf(&sb, "  sort %s %s", w->sort_word, w->sort_desc ? "desc" : "asc");
	if (query_has_where(w->q))
		sb_addf(&sb, "  %llu match", w->matched);
	sb_addf(&sb, "  showing %zu", w->held.n);
	sb_adds(&sb, "  [q]uit [p]ause [s]ort [r]everse");
	watch_frame_line(f, sb.buf, sb.len, NULL);
	watch_frame_line(f, "", 0, NULL);
	sb_free(&sb);
}

static void draw(struct watch *w, struct watch_term *t)
{
	struct watch_frame f;
	struct strbuf line = STRBUF_INIT, cell = STRBUF_INIT;
	size_t *wid = calloc((size_t)w->ncols + 1, sizeof(*wid));
	size_t nrow = w->held.n;

	if (!wid)
		return;
	if (t->rows <= HEADER_LINES)
		nrow = 0;
	else if (nrow > (size_t)(t->rows - HEADER_LINES))
		nrow = (size_t)(t->rows - HEADER_LINES);
	watch_frame_begin(&f, w, t);
	header(w, t, &f);

	for (int c = 0; c < w->ncols; c++) {
		wid[c] = strlen(w->cols[c].name);
		for (size_t r = 0; r < nrow; r++) {
			size_t n;

			sb_reset(&cell);
			watch_cell_text(w, &w->cols[c], watch_row(w, r), true, &cell);
			n = text_cols(cell.buf, cell.len);
			if (n > wid[c])
				wid[c] = n;
		}
		if (wid[c] > MAX_CELL)
			wid[c] = MAX_CELL;
	}
	/* Column names: the sorted one underlined when there is colour. */
	sb_adds(&line, "  ");
	for (int c = 0; c < w->ncols; c++) {
		const char *name = w->cols[c].name;
		size_t n = strlen(name), used;
		bool right = w->cols[c].field >= 0;

		if (c)
			sb_adds(&line, "  ");
		for (used = n; right && used < wid[c]; used++)
			sb_addc(&line, ' ');
		put_clip(&line, name, n, wid[c]);
		for (used = n; !right && used < wid[c] && c + 1 < w->ncols; used++)
			sb_addc(&line, ' ');
	}
	watch_frame_line(&f, line.buf, line.len, w->ctx->color ? "\033[7m" : NULL);

	for (size_t r = 0; r < nrow; r++) {
		const char *row = watch_row(w, r);
		bool isnew = watch_row_flags(w, row) & WROW_NEW;

		sb_reset(&line);
		sb_adds(&line, isnew ? "+ " : "  ");
		for (int c = 0; c < w->ncols; c++) {
			bool right = w->cols[c].field >= 0;
			size_t n, used;

			sb_reset(&cell);
			watch_cell_text(w, &w->cols[c], row, true, &cell);
			n = text_cols(cell.buf, cell.len);
			if (c)
				sb_adds(&line, "  ");
			for (used = n; right && used < wid[c]; used++)
				sb_addc(&line, ' ');
			put_clip(&line, cell.buf, cell.len, wid[c]);
			for (used = n; !right && used < wid[c] && c + 1 < w->ncols; used++)
				sb_addc(&line, ' ');
		}
		watch_frame_line(&f, line.buf, line.len,
			   isnew && w->ctx->color ? "\033[1m" : NULL);
	}
	watch_frame_end(&f, w);
	sb_free(&line);
	sb_free(&cell);
	free(wid);
}

/* ---- keys ---- */

static void cycle_sort(struct watch *w, int dir)
{
	int n = w->ncols, start = w->sort_col;

	if (!n)
		return;
	if (start < 0)
		start = dir > 0 ? -1 : 0;
	for (int k = 1; k <= n; k++) {
		int c = ((start + dir * k) % n + n) % n;

		if (w->cols[c].sort_word[0] &&
		    !watch_set_sort(w, w->cols[c].sort_word, w->cols[c].sort_desc))
			return;
	}
}

static void reverse_sort(struct watch *w)
{
	char word[sizeof(w->sort_word)];

	if (!w->sort_word[0])
		return;
	memcpy(word, w->sort_word, sizeof(word));
	watch_set_sort(w, word, !w->sort_desc);
}

/* Keys in buf; true to quit. Escape sequences (arrows, ...) are skipped. */
static bool keys(struct watch *w, struct watch_term *t, const char *buf, ssize_t n,
		 uint64_t *next)
{
	bool redraw = false;

	for (ssize_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch == 0x1b) {
			if (i + 1 < n && (buf[i + 1] == '[' || buf[i + 1] == 'O')) {
				i += 2;
				while (i < n && ((buf[i] >= '0' && buf[i] <= '9') || buf[i] == ';'))
					i++;
			}
			continue;
		}
		switch (ch) {
		case 'q':
		case 'Q':
		case 3:		/* ^C, if the terminal sends it as a byte */
			return true;
		case 'p':
		case 'P':
		case ' ':
			t->paused = !t->paused;
			if (!t->paused)
				*next = mono_ns();	/* refresh now */
			redraw = true;
			break;
		case 's':
			cycle_sort(w, 1);
			redraw = true;
			break;
		case 'S':
			cycle_sort(w, -1);
			redraw = true;
			break;
		case 'r':
		case 'R':
			reverse_sort(w);
			redraw = true;
			break;
		case 0x0c:	/* ^L */
			sb_adds(&w->ctx->out.buf, "\033[2J");
			redraw = true;
			break;
		default:
			break;
		}
	}
	if (redraw) {
		/* The rows on screen in the new order now; the next refresh
		 * picks the top rows of the whole map by it. */
		watch_sort_held(w);
		draw(w, t);
	}
	return false;
}

int watch_tty_run(struct watch *w)
{
	struct watch_term t;
	uint64_t step = (uint64_t)(w->interval * 1e9), next;
	long long limit = query_limit(w->q);
	bool failed = false, last = false, keys_ok;

	memset(&t, 0, sizeof(t));
	if (!step)
		step = 1;
	watch_term_enter(w, &t);
	keys_ok = t.in_fd >= 0;
	watch_term_size(w, &t);
	next = mono_ns();
	for (;;) {
		struct pollfd pfd = { .fd = t.in_fd, .events = POLLIN };
		uint64_t now = mono_ns();
		int timeout, r;

		if (interrupted() || w->ctx->out.broken)
			break;
		if (!t.paused && now >= next) {
			size_t room = t.rows > HEADER_LINES ? (size_t)(t.rows - HEADER_LINES) : 0;

			if (last)
				break;	/* --count: the last view stayed up one interval */
			w->hold_max = limit >= 0 && (size_t)limit < room ? (size_t)limit : room;
			if (watch_refresh(w)) {
				failed = true;
				break;
			}
			if (interrupted())
				break;
			watch_sort_held(w);
			draw(w, &t);
			next += step;
			if (next <= now)
				next = now + step;
			last = w->count > 0 && (long long)w->refreshes >= w->count;
			continue;
		}
		if (t.paused)
			timeout = -1;
		else
			timeout = watch_ms_until(next, now);
		r = watch_wait(&pfd, keys_ok ? 1 : 0, timeout);
		if (r < 0) {
			snprintf(w->err, sizeof(w->err), "waiting for keys: %s",
				 strerror(errno));
			failed = true;
			break;
		}
		if (watch_winched) {
			watch_winched = 0;
			watch_term_size(w, &t);
			sb_adds(&w->ctx->out.buf, "\033[2J");
			draw(w, &t);
		}
		if (r > 0 && keys_ok) {
			char buf[64];
			ssize_t n = read(t.in_fd, buf, sizeof(buf));

			if (n > 0 && keys(w, &t, buf, n, &next))
				break;
			/* Readable but nothing to read: the terminal hung up. */
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				keys_ok = false;
		}
	}
	watch_term_leave(w, &t);
	if (failed)
		return err_fail("%s watch: %s", w->m->name, w->err);
	return EXIT_OK;
}
