// SPDX-License-Identifier: GPL-2.0
/* drain and follow: ring buffers (libbpf ring_buffer) and perf event arrays
 * (perf_buffer on every CPU); the record lines of verb_stream.h. Queues and
 * stacks drain in verb_queue.c.
 *
 * Waiting: the epoll fd of the ring or perf buffer is waited on with
 * ppoll() while SIGINT and SIGTERM are blocked everywhere else, so a signal
 * either arrives before the wait (ppoll returns EINTR at once) or during it:
 * no polling loop and no window where a Ctrl-C is missed (interrupt.h).
 * Records are formatted into the output buffer from the sample callbacks
 * and written per batch (and every 64 KiB), so nothing already taken out of
 * the map is left unwritten when a signal stops the command.
 *
 * follow follows the pin, not the fd (map/repin.h): it wakes up at least
 * every FOLLOW_CHECK_MS, and when the pin names another map (an unload and
 * a load) it takes what is left in the old one, then reads the new one
 * with a ring or perf buffer of its own and the new map's record type;
 * --count and --timeout go on counting. When nothing is pinned any more it
 * says so and exits 1. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "base/clock.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "tval/fast.h"
#include "output/records.h"
#include "map/rectype.h"
#include "map/repin.h"

#define PERF_DEFAULT_PAGES 64
#define PERF_DRAIN_IDLE_MS 200	/* drain of a perf event array: quiet time */
#define STREAM_STOP (-ECANCELED)	/* a ring buffer callback: stop here */
#define FOLLOW_CHECK_MS 500	/* follow: the pin is checked this often */
/* ring_run, perf_run: the pin names another map; ctx->map is it now, and
 * *old the one read so far. */
#define STREAM_REOPENED 100

/* ---- options ---- */

struct sopts {
	unsigned long long count;	/* 0: no limit */
	const char *type;
	bool timestamp;
	unsigned long pages;
	uint64_t timeout_ns;		/* 0: none */
};

static int parse_opts(const struct mapref *m, const struct cmd *cmd,
		      const struct opt_vals *opts, struct sopts *s)
{
	bool follow = !strcmp(cmd->name, "follow");
	const char *a;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = verb_parse_count(m, cmd->name, opt_get(opts, VOPT_S_COUNT), &s->count);
	if (rc)
		return rc;
	s->type = opt_get(opts, VOPT_S_TYPE);
	s->timestamp = opts->count[VOPT_S_TIMESTAMP] > 0;
	s->pages = PERF_DEFAULT_PAGES;
	a = opt_get(opts, VOPT_S_PAGES);
	if (a) {
		char *end;

		if (m->info.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			return err_usage("%s %s: --pages applies to perf event arrays (%s is %s)",
					 m->name, cmd->name, m->name,
					 map_type_str(m->info.type));
		errno = 0;
		s->pages = strtoul(a, &end, 10);
		if (!*a || *end || errno || a[0] == '-' || !s->pages ||
		    (s->pages & (s->pages - 1)) || s->pages > 65536)
			return err_usage("%s %s: --pages '%s' is not a power of 2 (1..65536)",
					 m->name, cmd->name, a);
	}
	a = follow ? opt_get(opts, VOPT_S_TIMEOUT) : NULL;
	if (a) {
		char *end;
		double secs;

		errno = 0;
		secs = strtod(a, &end);
		if (!*a || *end || errno || !isfinite(secs) || secs <= 0 || secs > 1e9)
			return err_usage("%s %s: --timeout '%s' is not a number of seconds",
					 m->name, cmd->name, a);
		s->timeout_ns = (uint64_t)(secs * 1e9);
		if (!s->timeout_ns)
			s->timeout_ns = 1;
	}
	return EXIT_OK;
}

/* ---- waiting ---- */

struct waiter {
	sigset_t block, old;
	uint64_t deadline;	/* monotonic ns; 0: none */
};

static void wait_begin(struct waiter *w, uint64_t timeout_ns)
{
	interrupt_catch();
	sigemptyset(&w->block);
	sigaddset(&w->block, SIGINT);
	sigaddset(&w->block, SIGTERM);
	sigprocmask(SIG_BLOCK, &w->block, &w->old);
	w->deadline = timeout_ns ? clock_mono_ns() + timeout_ns : 0;
}

static void wait_end(struct waiter *w)
{
	sigprocmask(SIG_SETMASK, &w->old, NULL);
}

/* Signals may arrive while records are consumed (the callbacks look at
 * interrupted()); they are blocked only around the checks before a wait. */
static void unblock(struct waiter *w)
{
	sigprocmask(SIG_SETMASK, &w->old, NULL);
}

static void reblock(struct waiter *w)
{
	sigprocmask(SIG_BLOCK, &w->block, NULL);
}

static bool past_deadline(const struct waiter *w)
{
	return w->deadline && clock_mono_ns() >= w->deadline;
}

/* Wait for fd (an epoll fd) to be readable, up to max_ms (-1: no limit)
 * and the deadline. 1 readable, 0 timed out, -EINTR on a signal, -errno. */
static int wait_ready(struct waiter *w, int fd, int max_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec ts, *tp = NULL;
	int64_t ms = max_ms;

	if (interrupted())
		return -EINTR;
	if (w->deadline) {
		uint64_t now = clock_mono_ns();
		int64_t left = now >= w->deadline ? 0 :
			       (int64_t)((w->deadline - now + 999999) / 1000000);

		if (ms < 0 || left < ms)
			ms = left;
	}
	if (ms >= 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000;
		tp = &ts;
	}
	if (ppoll(&p, 1, tp, &w->old) < 0)
		return -errno;
	return (p.revents & POLLIN) ? 1 : 0;
}

/* ---- ring buffers ---- */

struct rb_run {
	struct rec_out *ro;
	unsigned long long max;		/* --count; 0: none */
	const volatile unsigned long *cons;	/* the ring's consumer position */
	unsigned long end;		/* drain: stop once past this position */
	bool bounded;
	bool stop;			/* --count or the end was reached */
	const struct waiter *w;
};

static int rb_sample(void *ctx, void *data, size_t len)
{
	struct rb_run *x = ctx;

	rec_out_add(x->ro, data, len);
	if (x->max && x->ro->records >= x->max)
		x->stop = true;
	/* The consumer position is this record's start until it returns. */
	if (x->bounded && *x->cons + ((len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul) >= x->end)
		x->stop = true;
	if ((x->ro->records & 4095) == 0 && x->w && past_deadline(x->w))
		x->stop = true;
	if (x->stop || x->ro->o->broken || interrupted())
		return STREAM_STOP;
	return 0;
}

/* follow: has the pin moved (checked with signals let through: a Ctrl-C
 * ends the grace wait)? EXIT_OK, STREAM_REOPENED with *old set, or
 * EXIT_FAIL when it is gone (the line said). */
static int follow_check(struct ctx *ctx, struct waiter *w, struct mapref **old)
{
	int r;

	unblock(w);
	r = mapref_follow_pin(&ctx->map, &ctx->set.map, 0, old, NULL);
	reblock(w);
	if (r == MAPREF_PIN_GONE)
		return EXIT_FAIL;
	return r == MAPREF_PIN_NEW ? STREAM_REOPENED : EXIT_OK;
}

static int ring_run(struct ctx *ctx, const struct cmd *cmd,
		    const struct sopts *s, struct rec_out *ro, struct waiter *w,
		    struct mapref **old)
{
	bool follow = !strcmp(cmd->name, "follow");
	struct mapref *m = ctx->map;
	long page = sysconf(_SC_PAGESIZE);
	struct rb_run x;
	struct ring_buffer *rb;
	void *cons_page, *prod_page;
	int rc = EXIT_OK, r, moved = EXIT_OK;

	memset(&x, 0, sizeof(x));
	x.max = s->count;
	x.ro = ro;
	cons_page = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, m->fd, 0);
	if (cons_page == MAP_FAILED)
		return err_fail("%s %s: cannot map the ring buffer: %s", m->name,
				cmd->name, strerror(errno));
	prod_page = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, m->fd, page);
	if (prod_page == MAP_FAILED) {
		rc = err_fail("%s %s: cannot map the ring buffer: %s", m->name,
			      cmd->name, strerror(errno));
		munmap(cons_page, (size_t)page);
		return rc;
	}
	x.cons = cons_page;
	rb = ring_buffer__new(m->fd, rb_sample, &x, NULL);
	if (!rb) {
		rc = err_fail("%s %s: cannot read the ring buffer: %s", m->name,
			      cmd->name, strerror(errno));
		goto out_unmap;
	}
	x.w = w;
	if (!follow) {
		/* The records present now: up to the producer position. */
		unsigned long start;
		int idle = 0;

		x.end = __atomic_load_n((const unsigned long *)prod_page, __ATOMIC_ACQUIRE);
		x.bounded = true;
		start = *x.cons;
		unblock(w);
		/* A record reserved but not yet committed stops a pass:
		 * try again briefly. */
		while (*x.cons < x.end && start != x.end && !x.stop &&
		       !ctx->out.broken && !interrupted() && idle < 100) {
			unsigned long before = *x.cons;

			r = ring_buffer__consume(rb);
			if (r < 0 && r != STREAM_STOP) {
				rc = err_fail("%s drain: reading the ring buffer failed: %s",
					      m->name, strerror(-r));
				break;
			}
			out_flush(&ctx->out);
			if (*x.cons == before) {
				idle++;
				usleep(1000);
			}
		}
		reblock(w);
	} else {
		int epfd = ring_buffer__epoll_fd(rb);

		for (;;) {
			unblock(w);
			r = ring_buffer__consume(rb);
			reblock(w);
			out_flush(&ctx->out);
			if (r < 0 && r != STREAM_STOP) {
				rc = err_fail("%s follow: reading the ring buffer failed: %s",
					      m->name, strerror(-r));
				break;
			}
			/* A new map: the old one was read to its end. */
			if (moved || x.stop || ctx->out.broken || interrupted() ||
			    past_deadline(w))
				break;
			r = wait_ready(w, epfd, FOLLOW_CHECK_MS);
			if (r < 0 && r != -EINTR) {
				rc = err_fail("%s follow: waiting failed: %s", m->name,
					      strerror(-r));
				break;
			}
			moved = follow_check(ctx, w, old);
			if (moved == EXIT_FAIL) {
				rc = EXIT_FAIL;
				break;
			}
		}
	}
	out_flush(&ctx->out);
	ring_buffer__free(rb);
out_unmap:
	munmap(cons_page, (size_t)page);
	munmap(prod_page, (size_t)page);
	if (!rc && moved == STREAM_REOPENED)
		return STREAM_REOPENED;
	return rc;
}

/* ---- perf event arrays ---- */

struct pb_run {
	struct rec_out *ro;
	unsigned long long max;
	bool stop;
	unsigned long long seen;	/* samples and lost records this pass */
};

static void pb_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct pb_run *x = ctx;

	x->seen++;
	/* The buffers are ours alone and go when we exit: samples after
	 * --count are dropped with them. */
	if (x->stop)
		return;
	x->ro->cpu = cpu;
	rec_out_add(x->ro, data, size);
	x->ro->cpu = -1;
	if (x->max && x->ro->records >= x->max)
		x->stop = true;
}

static void pb_lost(void *ctx, int cpu, __u64 cnt)
{
	struct pb_run *x = ctx;

	x->seen++;
	if (!x->stop)
		rec_out_lost(x->ro, cnt, cpu);
}

static int perf_run(struct ctx *ctx, const struct cmd *cmd,
		    const struct sopts *s, struct rec_out *ro, struct waiter *w,
		    struct mapref **old)
{
	bool follow = !strcmp(cmd->name, "follow");
	struct mapref *m = ctx->map;
	struct perf_buffer *pb;
	struct pb_run x;
	int rc = EXIT_OK, r, epfd, moved = EXIT_OK;

	memset(&x, 0, sizeof(x));
	x.ro = ro;
	x.max = s->count;
	pb = perf_buffer__new(m->fd, s->pages, pb_sample, pb_lost, &x, NULL);
	if (!pb)
		return err_fail("%s %s: cannot attach perf buffers: %s", m->name,
				cmd->name, strerror(errno));
	epfd = perf_buffer__epoll_fd(pb);
	for (;;) {
		x.seen = 0;
		unblock(w);
		r = perf_buffer__consume(pb);
		reblock(w);
		out_flush(&ctx->out);
		if (r < 0) {
			rc = err_fail("%s %s: reading the perf buffers failed: %s",
				      m->name, cmd->name, strerror(-r));
			break;
		}
		if (moved || x.stop || ctx->out.broken || interrupted() ||
		    past_deadline(w))
			break;
		r = wait_ready(w, epfd, follow ? FOLLOW_CHECK_MS : PERF_DRAIN_IDLE_MS);
		if (r < 0 && r != -EINTR) {
			rc = err_fail("%s %s: waiting failed: %s", m->name, cmd->name,
				      strerror(-r));
			break;
		}
		if (r == 0 && !follow)	/* drain: quiet for a while */
			break;
		if (follow && (moved = follow_check(ctx, w, old)) == EXIT_FAIL) {
			rc = EXIT_FAIL;
			break;
		}
	}
	/* Stopped by a signal: the buffers go away with us, so take what
	 * they hold first. */
	if (!rc && !x.stop && !ctx->out.broken && interrupted())
		perf_buffer__consume(pb);
	out_flush(&ctx->out);
	perf_buffer__free(pb);
	if (!rc && moved == STREAM_REOPENED)
		return STREAM_REOPENED;
	return rc;
}

/* ---- the verbs ---- */

/* The record lines of a new map: the counts go on. */
static void rec_out_switch(struct rec_out *ro, struct ctx *ctx,
			   const struct sopts *s, struct tv_plan *plan)
{
	unsigned long long records = ro->records, bytes = ro->bytes, lost = ro->lost;

	rec_out_fini(ro);
	rec_out_init(ro, &ctx->out, ctx->map->name, plan, false, s->timestamp);
	if (ctx->out.bpftool)
		ro->bj = ctx->map;
	ro->records = records;
	ro->bytes = bytes;
	ro->lost = lost;
}

static int stream_verb(struct ctx *ctx, const struct cmd *cmd,
		       const struct opt_vals *opts, int argc, char **argv)
{
	bool follow = !strcmp(cmd->name, "follow");
	struct mapref *m = ctx->map;
	struct tv_plan *plan = NULL;
	struct btf *keep = NULL;
	struct rec_out ro;
	struct waiter w;
	struct sopts s;
	int rc;

	rc = verb_no_args(m, cmd->name, argc, argv);
	if (!rc)
		rc = parse_opts(m, cmd, opts, &s);
	if (!rc)
		rc = rectype_of(&ctx->set.map, m, cmd->name, s.type, &plan, &keep);
	if (rc)
		return rc;
	rec_out_init(&ro, &ctx->out, m->name, plan, false, s.timestamp);
	if (ctx->out.bpftool)
		ro.bj = m;
	wait_begin(&w, follow ? s.timeout_ns : 0);
	for (;;) {
		struct mapref *old = NULL;
		struct tv_plan *np = NULL;
		struct btf *nk = NULL;

		if (ctx->map->info.type == BPF_MAP_TYPE_RINGBUF)
			rc = ring_run(ctx, cmd, &s, &ro, &w, &old);
		else
			rc = perf_run(ctx, cmd, &s, &ro, &w, &old);
		if (old) {
			/* The new map's record type (its BTF may differ),
			 * before the old map and the plan into its BTF go. */
			int r = rectype_of(&ctx->set.map, ctx->map, cmd->name,
					   s.type, &np, &nk);

			rec_out_switch(&ro, ctx, &s, np);
			tv_plan_free(plan);
			btf__free(keep);
			plan = np;
			keep = nk;
			mapref_free(old);
			if (r)	/* the new map, not the command line */
				rc = EXIT_FAIL;
		}
		if (rc != STREAM_REOPENED)
			break;
		if ((s.count && ro.records >= s.count) || ctx->out.broken ||
		    interrupted() || past_deadline(&w)) {
			rc = EXIT_OK;
			break;
		}
	}
	wait_end(&w);
	if (!rc)
		rec_out_summary(&ro, "record");
	rec_out_fini(&ro);
	tv_plan_free(plan);
	btf__free(keep);
	return rc;
}

int verb_drain(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	return stream_verb(ctx, cmd, opts, argc, argv);
}

int verb_follow(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	return stream_verb(ctx, cmd, opts, argc, argv);
}
