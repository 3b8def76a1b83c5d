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
#include "base/clock.h"
#include "base/interrupt.h"
#include "map/mapinfo.h"
#include "output/hist.h"
#include "output/screen.h"
#include "verbs/watch/watch.h"

#define HEADER_LINES 4		/* two header lines, a blank, column names */
#define MAX_CELL 40		/* columns wider than this are cut */

static void header(struct watch *w, struct screen_term *t, struct screen_frame *f)
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
	screen_frame_line(f, sb.buf, sb.len, w->ctx->color ? "\033[1m" : NULL);

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
	screen_frame_line(f, sb.buf, sb.len, NULL);
	/* The blank line, or the reload the view followed. */
	screen_frame_line(f, w->note, strlen(w->note), NULL);
	sb_free(&sb);
}

/* The lines under the table: a sparkline of each counter's map-wide rate
 * over the last refreshes, and each histogram field's total beside what
 * arrived in the last interval. Appended to sb; the number of lines. */
static size_t below(struct watch *w, struct screen_term *t, struct strbuf *sb)
{
	struct hist_style st;
	size_t n = 0;
	char lab[64];

	hist_style_init(&st, &w->ctx->out, true);
	st.cols = t->cols > 1 ? (unsigned)t->cols - 1 : 1;	/* no autowrap */
	if (w->nspark) {
		bool any = false;

		for (int i = 0; i < w->nt; i++) {
			if (!w->t[i].show || !w->t[i].counter)
				continue;
			sb_addf(sb, "%s%s/s ", any ? "   " : "", w->t[i].name);
			hist_spark(sb, w->spark[i], w->nspark, st.utf8);
			sb_addc(sb, ' ');
			watch_rate_text(sb, w->spark[i][w->nspark - 1], true);
			any = true;
		}
		if (any) {
			sb_addc(sb, '\n');
			n++;
		}
	}
	snprintf(lab, sizeof(lab), "last %.1fs", w->dt);
	for (int j = 0; j < w->nh; j++)
		hist_pair_lines(sb, &st, w->h[j].leaf->name, &w->h[j].total,
				&w->h[j].delta, w->baseline ? "since start" : lab);
	for (size_t i = 0; i < sb->len; i++)
		n += sb->buf[i] == '\n';
	return n;
}

static void draw(struct watch *w, struct screen_term *t)
{
	struct screen_frame f;
	struct strbuf line = STRBUF_INIT, cell = STRBUF_INIT, bl = STRBUF_INIT;
	size_t *wid = calloc((size_t)w->ncols + 1, sizeof(*wid));
	size_t nrow = w->held.n, nbelow, room;

	if (!wid)
		return;
	nbelow = below(w, t, &bl);
	if (nbelow)
		nbelow++;	/* a blank line before them */
	room = t->rows > HEADER_LINES ? (size_t)(t->rows - HEADER_LINES) : 0;
	/* The table keeps at least 3 rows (or what it has) before them. */
	if (nbelow > room || room - nbelow < (nrow < 3 ? nrow : 3))
		nbelow = 0;
	room -= nbelow;
	if (nrow > room)
		nrow = room;
	screen_frame_begin(&f, &w->ctx->out, t);
	header(w, t, &f);

	for (int c = 0; c < w->ncols; c++) {
		wid[c] = strlen(w->cols[c].name);
		for (size_t r = 0; r < nrow; r++) {
			size_t n;

			sb_reset(&cell);
			watch_cell_text(w, &w->cols[c], watch_row(w, r), true, &cell);
			n = screen_text_cols(cell.buf, cell.len);
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
		screen_put_clip(&line, name, n, wid[c]);
		for (used = n; !right && used < wid[c] && c + 1 < w->ncols; used++)
			sb_addc(&line, ' ');
	}
	screen_frame_line(&f, line.buf, line.len, w->ctx->color ? "\033[7m" : NULL);

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
			n = screen_text_cols(cell.buf, cell.len);
			if (c)
				sb_adds(&line, "  ");
			for (used = n; right && used < wid[c]; used++)
				sb_addc(&line, ' ');
			screen_put_clip(&line, cell.buf, cell.len, wid[c]);
			for (used = n; !right && used < wid[c] && c + 1 < w->ncols; used++)
				sb_addc(&line, ' ');
		}
		screen_frame_line(&f, line.buf, line.len,
			   isnew && w->ctx->color ? "\033[1m" : NULL);
	}
	if (nbelow) {
		const char *p = bl.buf, *e = bl.buf + bl.len;

		screen_frame_line(&f, "", 0, NULL);
		while (p < e) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));

			if (!nl)
				nl = e;
			screen_frame_line(&f, p, (size_t)(nl - p), NULL);
			p = nl + 1;
		}
	}
	screen_frame_end(&f);
	sb_free(&bl);
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
static bool keys(struct watch *w, struct screen_term *t, const char *buf, ssize_t n,
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
				*next = clock_mono_ns();	/* refresh now */
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
	struct screen_term t;
	uint64_t step = (uint64_t)(w->interval * 1e9), next;
	long long limit = query_limit(w->q);
	bool failed = false, gone = false, last = false, keys_ok;

	memset(&t, 0, sizeof(t));
	if (!step)
		step = 1;
	screen_term_enter(&w->ctx->out, &t);
	keys_ok = t.in_fd >= 0;
	screen_term_size(&w->ctx->out, &t);
	next = clock_mono_ns();
	for (;;) {
		struct pollfd pfd = { .fd = t.in_fd, .events = POLLIN };
		uint64_t now = clock_mono_ns();
		int timeout, r;

		if (interrupted() || w->ctx->out.broken)
			break;
		if (!t.paused && now >= next) {
			size_t room = t.rows > HEADER_LINES ? (size_t)(t.rows - HEADER_LINES) : 0;

			if (last)
				break;	/* --count: the last view stayed up one interval */
			if (watch_follow_pin(w) < 0) {
				gone = true;
				break;
			}
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
			timeout = screen_ms_until(next, now);
		r = screen_wait(&pfd, keys_ok ? 1 : 0, timeout);
		if (r < 0) {
			snprintf(w->err, sizeof(w->err), "waiting for keys: %s",
				 strerror(errno));
			failed = true;
			break;
		}
		if (screen_winched) {
			screen_winched = 0;
			screen_term_size(&w->ctx->out, &t);
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
	screen_term_leave(&w->ctx->out, &t);
	if (gone)
		return w->err[0] ? err_fail("%s", w->err) : EXIT_FAIL;
	if (failed)
		return err_fail("%s watch: %s", w->m->name, w->err);
	return EXIT_OK;
}
