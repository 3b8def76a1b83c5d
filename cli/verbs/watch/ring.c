// SPDX-License-Identifier: GPL-2.0
/* `mapsh RINGBUF watch`: follow with a rate line. The records are consumed
 * and printed as `follow` prints them (the record lines of verb_stream.h),
 * and once per interval comes the rate of the last interval:
 *   text   # 2025-01-02T03:04:05.678Z 12 records/s, 1152 bytes/s (120 records, 11520 bytes)
 *   JSON   {"time": ISO, "records/s": 12, "bytes/s": 1152, "records": 120, "bytes": 11520}
 * ("records" and "bytes": totals since the start). --count N stops after
 * N rate lines. On a terminal, a full-screen view: the rates in the header
 * and the latest records under it (q quit, p pause the display; records
 * are still consumed and counted while it is paused). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "base/err.h"
#include "base/clock.h"
#include "base/interrupt.h"
#include "map/mapinfo.h"
#include "map/rectype.h"
#include "map/repin.h"
#include "output/records.h"
#include "output/screen.h"
#include "verbs/watch/watch.h"

#define RING_STOP (-ECANCELED)
#define RING_LINES 1024		/* latest records kept for the view */
#define RING_HEADER 3		/* header lines above them */
#define RING_REDRAW_NS 100000000ull	/* at most 10 frames/s for records */

struct ring_watch {
	struct watch *w;
	struct rec_out ro;
	bool tty;
	struct out cap;			/* tty: a record's text lands here */
	struct strbuf *lines;		/* tty: the latest records (a ring) */
	size_t head, filled;
	bool dirty;
	unsigned long long prev_records, prev_bytes, ticks;
	double rps, bps;		/* rates of the last interval */
};

static int on_record(void *ctx, void *data, size_t len)
{
	struct ring_watch *x = ctx;

	rec_out_add(&x->ro, data, len);
	if (x->tty) {
		struct strbuf *l = &x->lines[x->head];
		size_t n = x->cap.buf.len;

		while (n && (x->cap.buf.buf[n - 1] == '\n'))
			n--;
		sb_reset(l);
		sb_adds(l, "");
		if (n)
			sb_add(l, x->cap.buf.buf, n);
		sb_reset(&x->cap.buf);
		x->head = (x->head + 1) % RING_LINES;
		if (x->filled < RING_LINES)
			x->filled++;
		x->dirty = true;
	}
	if (x->ro.o->broken || interrupted())
		return RING_STOP;
	return 0;
}


static void rate_line(struct ring_watch *x)
{
	struct watch *w = x->w;
	struct out *o = &w->ctx->out;
	char iso[64];

	watch_time_iso(w->last_real, iso, sizeof(iso));
	if (w->json) {
		struct jw jw;

		jw_init(&jw, &o->buf, false);
		jw_start_object(&jw);
		jw_kv_string(&jw, "time", iso);
		jw_name(&jw, "records/s");
		watch_json_rate(&jw, x->rps);
		jw_name(&jw, "bytes/s");
		watch_json_rate(&jw, x->bps);
		jw_kv_u64(&jw, "records", x->ro.records);
		jw_kv_u64(&jw, "bytes", x->ro.bytes);
		jw_end_object(&jw);
		sb_addc(&o->buf, '\n');
	} else {
		struct strbuf r = STRBUF_INIT, b = STRBUF_INIT;

		watch_rate_text(&r, x->rps, false);
		watch_rate_text(&b, x->bps, false);
		sb_addf(&o->buf, "# %s %s records/s, %s bytes/s (%llu records, %llu bytes)\n",
			iso, sb_str(&r), sb_str(&b), x->ro.records, x->ro.bytes);
		sb_free(&r);
		sb_free(&b);
	}
	out_flush(o);
}

static void draw(struct ring_watch *x, struct screen_term *t)
{
	struct watch *w = x->w;
	struct strbuf sb = STRBUF_INIT;
	struct screen_frame f;
	size_t room = t->rows > RING_HEADER ? (size_t)(t->rows - RING_HEADER) : 0;
	size_t n = x->filled < room ? x->filled : room;
	char hms[16] = "--:--:--";

	if (x->ticks) {
		time_t s = (time_t)(w->last_real / 1000000000ull);
		struct tm tm;

		localtime_r(&s, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	}
	screen_frame_begin(&f, &w->ctx->out, t);
	sb_addf(&sb, "%s (%s)  ", w->m->name, map_type_str(w->m->info.type));
	if (x->ticks) {
		watch_rate_text(&sb, x->rps, true);
		sb_adds(&sb, " records/s  ");
		watch_rate_text(&sb, x->bps, true);
		sb_adds(&sb, " bytes/s");
	} else {
		sb_adds(&sb, "rates after the first interval");
	}
	sb_addf(&sb, "  every %gs  at %s", w->interval, hms);
	if (t->paused)
		sb_adds(&sb, "  [paused]");
	screen_frame_line(&f, sb.buf, sb.len, w->ctx->color ? "\033[1m" : NULL);
	sb_reset(&sb);
	sb_addf(&sb, "%llu records, %llu bytes  [q]uit [p]ause", x->ro.records,
		x->ro.bytes);
	screen_frame_line(&f, sb.buf, sb.len, NULL);
	/* The blank line, or the reload the view followed. */
	screen_frame_line(&f, w->note, strlen(w->note), NULL);
	for (size_t i = 0; i < n; i++) {
		const struct strbuf *l =
			&x->lines[(x->head + RING_LINES - n + i) % RING_LINES];

		screen_frame_line(&f, l->buf ? l->buf : "", l->len, NULL);
	}
	screen_frame_end(&f);
	sb_free(&sb);
	x->dirty = false;
}

/* Has the pin moved (map/repin.h)? 0: no; 1: *rb reads the new map (what
 * was left in the old one taken first), with the new map's record type in
 * *plan; -1: stop with EXIT_FAIL, what is left to say in w->err. */
static int ring_repin(struct ring_watch *x, struct ring_buffer **rb,
		      struct tv_plan **plan, struct btf **plan_btf)
{
	struct watch *w = x->w;
	struct ctx *ctx = w->ctx;
	struct mapref *old = NULL;
	struct strbuf said = STRBUF_INIT;
	struct tv_plan *np = NULL;
	struct btf *nb = NULL;
	struct out *o = x->ro.o;
	bool json = x->ro.json;
	unsigned long long records = x->ro.records, bytes = x->ro.bytes;
	int r;

	r = mapref_follow_pin(&ctx->map, &ctx->set.map, 0, &old,
			      x->tty ? &said : NULL);
	if (r == MAPREF_PIN_NEW)
		snprintf(w->note, sizeof(w->note), "%s", sb_str(&said));
	else if (r == MAPREF_PIN_GONE)	/* the view: to say once it is left */
		snprintf(w->err, sizeof(w->err), "%s", sb_str(&said));
	sb_free(&said);
	if (r == MAPREF_PIN_SAME)
		return 0;
	if (r == MAPREF_PIN_GONE)
		return -1;
	ring_buffer__consume(*rb);
	ring_buffer__free(*rb);
	*rb = NULL;
	w->m = ctx->map;
	r = rectype_of(&ctx->set.map, w->m, "watch", NULL, &np, &nb);
	rec_out_fini(&x->ro);
	rec_out_init(&x->ro, o, w->m->name, np, false, false);
	x->ro.json = json;
	x->ro.records = records;
	x->ro.bytes = bytes;
	tv_plan_free(*plan);
	btf__free(*plan_btf);
	*plan = np;
	*plan_btf = nb;
	mapref_free(old);
	if (r)
		return -1;
	*rb = ring_buffer__new(w->m->fd, on_record, x, NULL);
	if (!*rb) {
		snprintf(w->err, sizeof(w->err), "%.160s watch: cannot read the ring buffer: %s",
			 w->m->name, strerror(errno));
		return -1;
	}
	return 1;
}

static int ring_run(struct watch *w)
{
	struct ctx *ctx = w->ctx;
	struct out *o = &ctx->out;
	struct ring_watch x;
	struct screen_term t;
	struct ring_buffer *rb;
	struct tv_plan *plan = NULL;
	struct btf *plan_btf = NULL;
	uint64_t step = (uint64_t)(w->interval * 1e9), next, last_tick, last_draw = 0;
	bool keys_ok = false, gone = false;
	int rc = EXIT_OK;

	memset(&x, 0, sizeof(x));
	memset(&t, 0, sizeof(t));
	x.w = w;
	x.tty = w->tty;
	if (!step)
		step = 1;
	rc = rectype_of(&ctx->set.map, w->m, "watch", NULL, &plan, &plan_btf);
	if (rc)
		return rc;
	rec_out_init(&x.ro, &ctx->out, w->m->name, plan, false, false);
	if (x.tty) {
		/* Records as text, into a buffer of our own, one at a time. */
		out_init(&x.cap, OUT_PLAIN, false, stdout);
		x.cap.capture = true;
		x.ro.o = &x.cap;
		x.ro.json = false;
		x.lines = calloc(RING_LINES, sizeof(*x.lines));
		if (!x.lines) {
			rc = err_fail("out of memory");
			goto out;
		}
	}
	rb = ring_buffer__new(w->m->fd, on_record, &x, NULL);
	if (!rb) {
		rc = err_fail("%s watch: cannot read the ring buffer: %s", w->m->name,
			      strerror(errno));
		goto out;
	}
	if (x.tty) {
		screen_term_enter(&w->ctx->out, &t);
		screen_term_size(&w->ctx->out, &t);
		keys_ok = t.in_fd >= 0;
		draw(&x, &t);
	}
	last_tick = clock_mono_ns();
	next = last_tick + step;
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
			{ .fd = t.in_fd, .events = POLLIN },
		};
		uint64_t now;
		int r = ring_buffer__consume(rb), timeout;

		if (r < 0 && r != RING_STOP) {
			snprintf(w->err, sizeof(w->err), "reading the ring buffer failed: %s",
				 strerror(-r));
			rc = EXIT_FAIL;
			break;
		}
		if (!x.tty)
			out_flush(o);
		if (interrupted() || o->broken)
			break;
		now = clock_mono_ns();
		if (now >= next) {
			double dt = (double)(now - last_tick) / 1e9;

			x.rps = (double)(x.ro.records - x.prev_records) / dt;
			x.bps = (double)(x.ro.bytes - x.prev_bytes) / dt;
			x.prev_records = x.ro.records;
			x.prev_bytes = x.ro.bytes;
			x.ticks++;
			last_tick = now;
			w->last_real = clock_real_ns();
			if (!x.tty)
				rate_line(&x);
			else if (!t.paused)
				draw(&x, &t), last_draw = now;
			next += step;
			if (next <= now)
				next = now + step;
			if (w->count > 0 && (long long)x.ticks >= w->count)
				break;
		}
		if (x.tty && x.dirty && !t.paused && now - last_draw >= RING_REDRAW_NS) {
			draw(&x, &t);
			last_draw = now;
		}
		timeout = screen_ms_until(next, now);
		if (x.tty && x.dirty && !t.paused && timeout > 100)
			timeout = 100;
		r = screen_wait(pfd, keys_ok ? 2 : 1, timeout);
		if (r < 0) {
			snprintf(w->err, sizeof(w->err), "waiting failed: %s", strerror(errno));
			rc = EXIT_FAIL;
			break;
		}
		if (x.tty && screen_winched) {
			screen_winched = 0;
			screen_term_size(&w->ctx->out, &t);
			sb_adds(&o->buf, "\033[2J");
			draw(&x, &t);
		}
		if (r > 0 && keys_ok && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			char buf[64];
			ssize_t n = read(t.in_fd, buf, sizeof(buf));
			bool quit = false;

			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				keys_ok = false;
			for (ssize_t i = 0; i < n; i++) {
				if (buf[i] == 'q' || buf[i] == 'Q' || buf[i] == 3)
					quit = true;
				else if (buf[i] == 'p' || buf[i] == 'P' || buf[i] == ' ')
					t.paused = !t.paused;
			}
			if (quit)
				break;
			if (n > 0)
				draw(&x, &t);
		}
		r = ring_repin(&x, &rb, &plan, &plan_btf);
		if (r < 0) {
			rc = EXIT_FAIL;
			gone = true;
			break;
		}
		if (r > 0 && x.tty)
			draw(&x, &t);
	}
	if (x.tty)
		screen_term_leave(&w->ctx->out, &t);
	else
		out_flush(o);
	ring_buffer__free(rb);
	if (rc && gone)
		rc = w->err[0] ? err_fail("%s", w->err) : EXIT_FAIL;
	else if (rc)
		err_fail("%s watch: %s", w->m->name, w->err);
out:
	if (x.lines)
		for (size_t i = 0; i < RING_LINES; i++)
			sb_free(&x.lines[i]);
	free(x.lines);
	if (x.tty)
		out_fini(&x.cap);
	rec_out_fini(&x.ro);
	tv_plan_free(plan);
	btf__free(plan_btf);
	return rc;
}

int verb_watch_ring(struct ctx *ctx, const struct cmd *cmd,
		    const struct opt_vals *opts, int argc, char **argv)
{
	struct watch w;
	int rc;

	rc = watch_init(&w, ctx, opts);
	if (rc)
		return rc;
	if (argc)
		return err_usage("%s watch: a ring buffer has no fields to filter or sort ('%s')",
				 w.m->name, argv[0]);
	interrupt_catch();
	return ring_run(&w);
}
