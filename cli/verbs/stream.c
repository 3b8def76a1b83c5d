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
 * the map is left unwritten when a signal stops the command. */
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
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "tval/fast.h"
#include "verbs/stream.h"

#define FLUSH_AT (64 * 1024)
#define PERF_DEFAULT_PAGES 64
#define PERF_DRAIN_IDLE_MS 200	/* drain of a perf event array: quiet time */
#define STREAM_STOP (-ECANCELED)	/* a ring buffer callback: stop here */

/* ---- record lines ---- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "2024-05-01T12:00:00.123456Z" */
static void add_now(struct strbuf *sb)
{
	static time_t cached_sec = -1;
	static char prefix[32];
	struct timespec ts;
	char frac[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_sec) {
		struct tm tm;

		gmtime_r(&ts.tv_sec, &tm);
		strftime(prefix, sizeof(prefix), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = ts.tv_sec;
	}
	snprintf(frac, sizeof(frac), ".%06ldZ", ts.tv_nsec / 1000);
	sb_adds(sb, prefix);
	sb_adds(sb, frac);
}

void rec_out_init(struct rec_out *r, struct ctx *ctx, const char *name,
		  struct tv_plan *plan, bool wrap, bool timestamp)
{
	memset(r, 0, sizeof(*r));
	r->o = &ctx->out;
	r->plan = plan;
	r->size = plan ? tv_plan_size(plan) : 0;
	r->json = out_is_json(r->o);
	r->wrap = wrap;
	r->timestamp = timestamp;
	r->name = name;
	if (!plan)
		return;
	if (!r->json) {
		tv_plan_set_flags(plan, tv_plan_flags(plan) | TV_KTIME_WALL);
		return;
	}
	if (!wrap) {
		/* A record is its own object only when its type is a struct
		 * or union; anything else is {"value": V}. */
		struct strbuf sb = STRBUF_INIT;
		void *zero = calloc(1, r->size + 1);
		struct jw jw;

		if (!zero)
			abort();
		jw_init(&jw, &sb, false);
		tv_format_json(plan, zero, &jw);
		r->wrap = sb.len == 0 || sb.buf[0] != '{';
		sb_free(&sb);
		free(zero);
	}
	/* JSON lines of a typed record go through a compiled formatter. */
	if (r->json && !r->wrap && !r->timestamp) {
		r->fast = tvf_new();
		if (r->fast) {
			tvf_plan_json(r->fast, plan, 0);
			tvf_lit(r->fast, "\n", 1);
			if (!tvf_ok(r->fast)) {
				tvf_free(r->fast);
				r->fast = NULL;
			}
		}
	}
}

void rec_out_fini(struct rec_out *r)
{
	tvf_free(r->fast);
	r->fast = NULL;
}

static void maybe_flush(struct out *o)
{
	if (o->buf.len >= FLUSH_AT)
		out_flush(o);
}

static bool typed(struct rec_out *r, size_t len)
{
	/* Perf samples are padded to 8 bytes (with their 4-byte size). */
	if (r->plan && len >= r->size && len < (size_t)r->size + 8)
		return true;
	if (r->plan && !r->warned) {
		r->warned = true;
		err_warn("%s: a record of %zu bytes is not a %s (%u bytes): shown as bytes",
			 r->name, len, tv_plan_type_name(r->plan), r->size);
	}
	return false;
}

static void add_hex_text(struct strbuf *sb, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	sb_grow(sb, len * 3 + 1);
	for (size_t i = 0; i < len; i++) {
		if (i)
			sb->buf[sb->len++] = ' ';
		sb->buf[sb->len++] = hex[p[i] >> 4];
		sb->buf[sb->len++] = hex[p[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}

static void add_hex_json(struct strbuf *sb, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	sb_grow(sb, len * 7 + 3);
	sb->buf[sb->len++] = '[';
	for (size_t i = 0; i < len; i++) {
		char *d = sb->buf + sb->len;

		if (i)
			*d++ = ',';
		*d++ = '"';
		*d++ = '0';
		*d++ = 'x';
		*d++ = hex[p[i] >> 4];
		*d++ = hex[p[i] & 15];
		*d++ = '"';
		sb->len = (size_t)(d - sb->buf);
	}
	sb->buf[sb->len++] = ']';
	sb->buf[sb->len] = '\0';
}

static void rec_text(struct rec_out *r, const void *data, size_t len)
{
	struct strbuf *sb = &r->o->buf;

	if (r->timestamp) {
		add_now(sb);
		sb_addc(sb, ' ');
	}
	if (typed(r, len)) {
		size_t p = sb->len;

		tv_format_text(r->plan, data, sb);
		/* "{a=1 b=2}" -> "a=1 b=2": the line is the record. */
		if (sb->len - p >= 2 && sb->buf[p] == '{' && sb->buf[sb->len - 1] == '}') {
			memmove(sb->buf + p, sb->buf + p + 1, sb->len - p - 2);
			sb_trunc(sb, sb->len - 2);
		}
	} else {
		add_hex_text(sb, data, len);
	}
	sb_addc(sb, '\n');
}

static void rec_json(struct rec_out *r, const void *data, size_t len)
{
	struct strbuf *sb = &r->o->buf;
	struct jw *jw = &r->jw;

	jw_init(jw, sb, false);
	if (typed(r, len) && !r->wrap) {
		size_t p;

		if (r->fast) {
			tvf_run(r->fast, sb, (const void *const *)&data);
			return;
		}
		if (!r->timestamp) {
			tv_format_json(r->plan, data, jw);
			sb_addc(sb, '\n');
			return;
		}
		/* {"received": T, <the record's members>} */
		sb_adds(sb, "{\"received\":\"");
		add_now(sb);
		sb_addc(sb, '"');
		p = sb->len;
		tv_format_json(r->plan, data, jw);
		if (sb->len - p >= 2 && sb->buf[p + 1] == '}') {
			sb_trunc(sb, p);
			sb_addc(sb, '}');
		} else {
			sb->buf[p] = ',';
		}
		sb_addc(sb, '\n');
		return;
	}
	sb_addc(sb, '{');
	if (r->timestamp) {
		sb_adds(sb, "\"received\":\"");
		add_now(sb);
		sb_add(sb, "\",", 2);
	}
	if (typed(r, len)) {
		sb_adds(sb, "\"value\":");
		jw_init(jw, sb, false);
		tv_format_json(r->plan, data, jw);
	} else {
		sb_adds(sb, "\"data\":");
		add_hex_json(sb, data, len);
	}
	sb_add(sb, "}\n", 2);
}

void rec_out_add(struct rec_out *r, const void *data, size_t len)
{
	if (r->o->broken)
		return;
	r->records++;
	r->bytes += len;
	if (r->json)
		rec_json(r, data, len);
	else
		rec_text(r, data, len);
	maybe_flush(r->o);
}

void rec_out_lost(struct rec_out *r, unsigned long long n, int cpu)
{
	struct strbuf *sb = &r->o->buf;

	r->lost += n;
	if (r->o->broken)
		return;
	if (r->json)
		sb_addf(sb, "{\"lost\":%llu,\"cpu\":%d}\n", n, cpu);
	else
		sb_addf(sb, "lost %llu samples on CPU %d\n", n, cpu);
	maybe_flush(r->o);
}

void rec_out_summary(const struct rec_out *r, const char *what)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "%llu %s%s, %llu bytes", r->records, what,
		r->records == 1 ? "" : "s", r->bytes);
	if (r->lost)
		fprintf(stderr, ", %llu lost", r->lost);
	fputc('\n', stderr);
}

/* ---- record types ---- */

/* The id of the type spec names ("struct x", "x", "__u64") in btf, or 0. */
static __u32 find_type(const struct btf *btf, const char *spec)
{
	static const struct {
		const char *prefix;
		int kinds[3];
	} pre[] = {
		{ "struct ", { BTF_KIND_STRUCT } },
		{ "union ", { BTF_KIND_UNION } },
		{ "enum ", { BTF_KIND_ENUM, BTF_KIND_ENUM64 } },
	};
	static const int any[] = {
		BTF_KIND_TYPEDEF, BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_INT,
		BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FLOAT,
	};
	const int *kinds = any;
	size_t nk = sizeof(any) / sizeof(any[0]);
	const char *name = spec;

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t l = strlen(pre[i].prefix);

		if (!strncmp(spec, pre[i].prefix, l)) {
			name = spec + l;
			while (*name == ' ')
				name++;
			kinds = pre[i].kinds;
			nk = 3;
			break;
		}
	}
	if (!*name)
		return 0;
	for (size_t i = 0; i < nk; i++) {
		__s32 id;

		if (!kinds[i])
			continue;
		id = btf__find_by_name_kind(btf, name, (__u32)kinds[i]);
		if (id > 0)
			return (__u32)id;
	}
	return 0;
}

static int plan_of(struct ctx *ctx, const struct mapref *m, const char *verb,
		   const struct btf *btf, __u32 id, const char *spec,
		   struct tv_plan **plan)
{
	struct strbuf err = STRBUF_INIT;
	int rc = EXIT_OK;

	*plan = tv_plan_new(btf, id, ctx->set.map.raw_values ? TV_RAW : 0, &err);
	if (!*plan)
		rc = err_usage("%s %s: type '%s': %s", m->name, verb, spec,
			       err.len ? sb_str(&err) : "cannot be decoded");
	sb_free(&err);
	return rc;
}

int stream_type_plan(struct ctx *ctx, const struct mapref *m,
		     const char *verb, const char *type,
		     struct tv_plan **plan, struct btf **btf_keep)
{
	struct btf *kbtf;
	__u32 id;

	*plan = NULL;
	*btf_keep = NULL;
	if (m->mb.btf && (id = find_type(m->mb.btf, type)))
		return plan_of(ctx, m, verb, m->mb.btf, id, type, plan);
	kbtf = btf__load_vmlinux_btf();
	if (libbpf_get_error(kbtf))
		kbtf = NULL;
	if (kbtf && (id = find_type(kbtf, type))) {
		int rc = plan_of(ctx, m, verb, kbtf, id, type, plan);

		if (rc)
			btf__free(kbtf);
		else
			*btf_keep = kbtf;
		return rc;
	}
	btf__free(kbtf);
	if (m->mb.btf)
		return err_usage("%s %s: no type '%s' in the BTF of %s or of the kernel",
				 m->name, verb, type, m->name);
	return err_usage("%s %s: no type '%s' in the kernel's BTF (%s has no BTF of its own)",
			 m->name, verb, type, m->name);
}

/* The record type of a ring buffer or perf event array: --type, else the
 * mapsh:record= tag of the map variable; NULL plan for bytes. */
int stream_record_plan(struct ctx *ctx, const struct mapref *m,
		       const char *verb, const char *type,
		       struct tv_plan **plan, struct btf **btf_keep)
{
	char name[128];
	__u32 id;

	*plan = NULL;
	*btf_keep = NULL;
	if (type)
		return stream_type_plan(ctx, m, verb, type, plan, btf_keep);
	if (!m->mb.btf)
		return EXIT_OK;
	if (tv_find_var_tag(m->mb.btf, m->info.name, "mapsh:record=", name, sizeof(name)) &&
	    tv_find_var_tag(m->mb.btf, m->name, "mapsh:record=", name, sizeof(name)))
		return EXIT_OK;
	id = find_type(m->mb.btf, name);
	if (!id) {
		err_warn("%s: the record type '%s' its program names is not in its BTF: records shown as bytes",
			 m->name, name);
		return EXIT_OK;
	}
	*plan = tv_plan_new(m->mb.btf, id, ctx->set.map.raw_values ? TV_RAW : 0, NULL);
	return EXIT_OK;
}

/* ---- options ---- */

int stream_parse_count(const struct mapref *m, const char *verb,
		       const char *arg, unsigned long long *n)
{
	char *end;

	*n = 0;
	if (!arg)
		return EXIT_OK;
	errno = 0;
	*n = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || *n == 0 || arg[0] == '-')
		return err_usage("%s %s: --count '%s' is not a positive number",
				 m->name, verb, arg);
	return EXIT_OK;
}

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
	rc = stream_parse_count(m, cmd->name, opt_get(opts, VOPT_S_COUNT), &s->count);
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
	w->deadline = timeout_ns ? mono_ns() + timeout_ns : 0;
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
	return w->deadline && mono_ns() >= w->deadline;
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
		uint64_t now = mono_ns();
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
	struct rec_out ro;
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

	rec_out_add(&x->ro, data, len);
	if (x->max && x->ro.records >= x->max)
		x->stop = true;
	/* The consumer position is this record's start until it returns. */
	if (x->bounded && *x->cons + ((len + BPF_RINGBUF_HDR_SZ + 7) & ~7ul) >= x->end)
		x->stop = true;
	if ((x->ro.records & 4095) == 0 && x->w && past_deadline(x->w))
		x->stop = true;
	if (x->stop || x->ro.o->broken || interrupted())
		return STREAM_STOP;
	return 0;
}

static int ring_run(struct ctx *ctx, struct mapref *m, const struct cmd *cmd,
		    const struct sopts *s, struct tv_plan *plan)
{
	bool follow = !strcmp(cmd->name, "follow");
	long page = sysconf(_SC_PAGESIZE);
	struct rb_run x;
	struct waiter w;
	struct ring_buffer *rb;
	void *cons_page, *prod_page;
	int rc = EXIT_OK, r;

	memset(&x, 0, sizeof(x));
	x.max = s->count;
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
	rec_out_init(&x.ro, ctx, m->name, plan, false, s->timestamp);
	rb = ring_buffer__new(m->fd, rb_sample, &x, NULL);
	if (!rb) {
		rc = err_fail("%s %s: cannot read the ring buffer: %s", m->name,
			      cmd->name, strerror(errno));
		goto out_unmap;
	}
	wait_begin(&w, follow ? s->timeout_ns : 0);
	x.w = &w;
	if (!follow) {
		/* The records present now: up to the producer position. */
		unsigned long start;
		int idle = 0;

		x.end = __atomic_load_n((const unsigned long *)prod_page, __ATOMIC_ACQUIRE);
		x.bounded = true;
		start = *x.cons;
		unblock(&w);
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
		reblock(&w);
	} else {
		int epfd = ring_buffer__epoll_fd(rb);

		for (;;) {
			unblock(&w);
			r = ring_buffer__consume(rb);
			reblock(&w);
			out_flush(&ctx->out);
			if (r < 0 && r != STREAM_STOP) {
				rc = err_fail("%s follow: reading the ring buffer failed: %s",
					      m->name, strerror(-r));
				break;
			}
			if (x.stop || ctx->out.broken || interrupted() || past_deadline(&w))
				break;
			r = wait_ready(&w, epfd, -1);
			if (r < 0 && r != -EINTR) {
				rc = err_fail("%s follow: waiting failed: %s", m->name,
					      strerror(-r));
				break;
			}
		}
	}
	out_flush(&ctx->out);
	wait_end(&w);
	ring_buffer__free(rb);
	if (!rc)
		rec_out_summary(&x.ro, "record");
out_unmap:
	rec_out_fini(&x.ro);
	munmap(cons_page, (size_t)page);
	munmap(prod_page, (size_t)page);
	return rc;
}

/* ---- perf event arrays ---- */

struct pb_run {
	struct rec_out ro;
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
	rec_out_add(&x->ro, data, size);
	if (x->max && x->ro.records >= x->max)
		x->stop = true;
}

static void pb_lost(void *ctx, int cpu, __u64 cnt)
{
	struct pb_run *x = ctx;

	x->seen++;
	if (!x->stop)
		rec_out_lost(&x->ro, cnt, cpu);
}

static int perf_run(struct ctx *ctx, struct mapref *m, const struct cmd *cmd,
		    const struct sopts *s, struct tv_plan *plan)
{
	bool follow = !strcmp(cmd->name, "follow");
	struct perf_buffer *pb;
	struct pb_run x;
	struct waiter w;
	int rc = EXIT_OK, r, epfd;

	memset(&x, 0, sizeof(x));
	rec_out_init(&x.ro, ctx, m->name, plan, false, s->timestamp);
	x.max = s->count;
	pb = perf_buffer__new(m->fd, s->pages, pb_sample, pb_lost, &x, NULL);
	if (!pb) {
		rc = err_fail("%s %s: cannot attach perf buffers: %s", m->name,
			      cmd->name, strerror(errno));
		rec_out_fini(&x.ro);
		return rc;
	}
	epfd = perf_buffer__epoll_fd(pb);
	wait_begin(&w, follow ? s->timeout_ns : 0);
	for (;;) {
		x.seen = 0;
		unblock(&w);
		r = perf_buffer__consume(pb);
		reblock(&w);
		out_flush(&ctx->out);
		if (r < 0) {
			rc = err_fail("%s %s: reading the perf buffers failed: %s",
				      m->name, cmd->name, strerror(-r));
			break;
		}
		if (x.stop || ctx->out.broken || interrupted() || past_deadline(&w))
			break;
		r = wait_ready(&w, epfd, follow ? -1 : PERF_DRAIN_IDLE_MS);
		if (r < 0 && r != -EINTR) {
			rc = err_fail("%s %s: waiting failed: %s", m->name, cmd->name,
				      strerror(-r));
			break;
		}
		if (r == 0 && !follow)	/* drain: quiet for a while */
			break;
	}
	/* Stopped by a signal: the buffers go away with us, so take what
	 * they hold first. */
	if (!rc && !x.stop && !ctx->out.broken && interrupted())
		perf_buffer__consume(pb);
	out_flush(&ctx->out);
	wait_end(&w);
	perf_buffer__free(pb);
	if (!rc)
		rec_out_summary(&x.ro, "record");
	rec_out_fini(&x.ro);
	return rc;
}

/* ---- the verbs ---- */

static int stream_verb(struct ctx *ctx, const struct cmd *cmd,
		       const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct tv_plan *plan = NULL;
	struct btf *keep = NULL;
	struct sopts s;
	int rc;

	rc = verb_no_args(m, cmd->name, argc, argv);
	if (!rc)
		rc = parse_opts(m, cmd, opts, &s);
	if (!rc)
		rc = stream_record_plan(ctx, m, cmd->name, s.type, &plan, &keep);
	if (rc)
		return rc;
	if (m->info.type == BPF_MAP_TYPE_RINGBUF)
		rc = ring_run(ctx, m, cmd, &s, plan);
	else
		rc = perf_run(ctx, m, cmd, &s, plan);
	tv_plan_free(plan);
	btf__free(keep);
	return rc;
}

int verb_drain(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	__u32 t = ctx->map->info.type;

	if (t == BPF_MAP_TYPE_QUEUE || t == BPF_MAP_TYPE_STACK)
		return queue_drain(ctx, cmd, opts, argc, argv);
	return stream_verb(ctx, cmd, opts, argc, argv);
}

int verb_follow(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	return stream_verb(ctx, cmd, opts, argc, argv);
}
