// SPDX-License-Identifier: GPL-2.0
/* Queues and stacks: push, pop, peek, drain.
 *
 * Lossless taking. The kernel's pop (BPF_MAP_LOOKUP_AND_DELETE_ELEM) removes
 * an element before anyone could print it, so pop and drain never use it
 * alone: each element is peeked (BPF_MAP_LOOKUP_ELEM), written and flushed,
 * then popped. When stdout is a pipe, "written" means read by the reader:
 * mapsh waits until the pipe is empty again (FIONREAD) before the pop, and
 * stops without popping when the reader is gone (POLLERR) — so
 * `mapsh samples drain | head -n 2` removes exactly the two elements head
 * printed. A write that fails (EPIPE, a full disk) stops the drain with
 * the element still in the map.
 *
 * Races (qtake()). Between the peek of T and the pop, the map may change,
 * and the pop then returns some other element P. Elements are compared by
 * their bytes (two elements with equal bytes cannot be told apart by anyone,
 * so taking either is the same):
 *   - queue: producers push at the tail, so the head changes only when T
 *     left it — another consumer popped it, or a BPF_EXIST push into the
 *     full queue evicted it. P, the element after T, is then in our hands:
 *     it is written at once (drain prints one element more than it peeked).
 *     Should that write fail, P is pushed back (at the tail: it moves but
 *     stays).
 *   - stack: a producer pushed P (maybe more) on top after the peek; T is
 *     below. mapsh pops down to T (at most QTAKE_HOLD elements), holding
 *     what was above it, and pushes those back deepest first: the stack is
 *     exactly as it was, less T. A push back that finds the stack full
 *     (producers refilled it meanwhile; a push back never evicts) writes
 *     that element instead. T not found (another consumer took it): all
 *     held elements go back.
 * Guarantee: no element leaves the map without having been delivered —
 * except through a last resort, when an element in hand can be neither
 * written nor put back: it is then printed on stderr. In the races above an
 * element may be delivered twice (T, when someone else took it too), never
 * lost. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "map/write.h"
#include "output/entry_out.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "verbs/queue.h"
#include "map/rectype.h"
#include "output/records.h"

/* ---- taking one element ---- */

int qtake(const struct qops *q, void *scratch)
{
	size_t size = q->size;
	char *t = scratch, *p = t + size, *held = p + size;
	int r, n = 0, rc;

	r = q->peek(q->c, t);
	if (r == -ENOENT)
		return 0;
	if (r)
		return r;
	if (!q->emit(q->c, t))
		return -EPIPE;
	r = q->pop(q->c, p);
	if (r == -ENOENT)	/* someone else took it, and the rest */
		return 1;
	if (r)
		return r;
	if (!memcmp(p, t, size))
		return 1;
	if (!q->stack) {
		if (q->emit(q->c, p))
			return 2;
		if (q->push(q->c, p))
			q->lost(q->c, p);
		return -EPIPE;
	}
	memcpy(held, p, size);
	n = 1;
	while (n < QTAKE_HOLD) {
		if (q->pop(q->c, p))
			break;
		if (!memcmp(p, t, size))
			break;
		memcpy(held + (size_t)n * size, p, size);
		n++;
	}
	rc = 1;
	for (int i = n - 1; i >= 0; i--) {
		const char *e = held + (size_t)i * size;

		if (!q->push(q->c, e))
			continue;
		if (rc > 0 && q->emit(q->c, e)) {
			rc++;
			continue;
		}
		q->lost(q->c, e);
		rc = -EPIPE;
	}
	return rc;
}

/* ---- against the kernel ---- */

struct kq {
	struct ctx *ctx;
	struct mapref *m;
	struct rec_out ro;	/* drain: record lines */
	struct entry_out *eo;	/* pop: the columns of dump */
};

static int kq_peek(void *c, void *buf)
{
	struct kq *k = c;

	return bpf_map_lookup_elem(k->m->fd, NULL, buf) ? -errno : 0;
}

/* pop and put back go through the write path: both are in the audit log. */
static int kq_pop(void *c, void *buf)
{
	struct kq *k = c;

	return mapw_pop(k->m, buf);
}

static int kq_push(void *c, const void *buf)
{
	struct kq *k = c;

	return mapw_push(k->m, buf, BPF_ANY);
}

/* Has the reader of a pipe read everything written? Waits until it has
 * (true) or is gone or we are interrupted (false). Anything but a pipe:
 * a write that returned is delivered. */
static bool reader_caught_up(struct out *o)
{
	struct stat st;

	if (o->capture || fstat(o->fd, &st) || !S_ISFIFO(st.st_mode))
		return true;
	for (int i = 0;; i++) {
		struct pollfd p = { .fd = o->fd, .events = 0 };
		int unread = 0;

		if (ioctl(o->fd, FIONREAD, &unread) < 0)
			return true;	/* cannot tell: the write succeeded */
		if (unread == 0)
			return true;
		if (poll(&p, 1, i < 200 ? 0 : 2) > 0 &&
		    (p.revents & (POLLERR | POLLHUP))) {
			o->broken = true;
			return false;
		}
		if (interrupted())
			return false;
		if (i < 200) {
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		}
	}
}

static bool kq_emit_line(void *c, const void *buf)
{
	struct kq *k = c;

	rec_out_add(&k->ro, buf, k->m->info.value_size);
	return out_flush(&k->ctx->out) && reader_caught_up(&k->ctx->out);
}

static bool kq_emit_entry(void *c, const void *buf)
{
	struct kq *k = c;
	struct out *o = &k->ctx->out;

	eo_single(k->eo, NULL, buf, buf);
	return out_flush(o) && reader_caught_up(o);
}

static void kq_lost(void *c, const void *buf)
{
	struct kq *k = c;
	struct strbuf sb = STRBUF_INIT;

	tv_format_text(k->m->value, buf, &sb);
	err_warn("%s: an element taken out could be neither written nor put back: %s",
		 k->m->name, sb_str(&sb));
	sb_free(&sb);
}

/* ---- shared by the verbs ---- */

/* --type TYPE: decode the values as TYPE (its size must be the map's). */
static int apply_type(struct ctx *ctx, struct mapref *m, const char *verb,
		      const char *type, struct btf **keep)
{
	struct tv_plan *plan;
	int rc;

	*keep = NULL;
	if (!type)
		return EXIT_OK;
	rc = rectype_named(&ctx->set.map, m, verb, type, &plan, keep);
	if (rc)
		return rc;
	if (tv_plan_size(plan) != m->info.value_size) {
		rc = err_usage("%s %s: %s is %u bytes; %s holds %u-byte values",
			       m->name, verb, tv_plan_type_name(plan),
			       tv_plan_size(plan), m->name, m->info.value_size);
		tv_plan_free(plan);
		btf__free(*keep);
		*keep = NULL;
		return rc;
	}
	tv_plan_free(m->value);
	m->value = plan;
	return EXIT_OK;
}

/* qtake's operations on the queue or stack of k, writing with emit. */
static struct qops kq_ops(struct kq *k, bool (*emit)(void *c, const void *buf))
{
	return (struct qops){
		.peek = kq_peek, .pop = kq_pop, .push = kq_push,
		.emit = emit, .lost = kq_lost, .c = k,
		.size = k->m->info.value_size,
		.stack = k->m->info.type == BPF_MAP_TYPE_STACK,
	};
}

/* Before taking elements (pop, peek, drain): --type TYPE (apply_type),
 * then the scratch buffers of qtake. Nothing is kept on failure. */
static int take_setup(struct ctx *ctx, struct mapref *m, const char *verb,
		      const char *type, struct btf **keep, void **scratch)
{
	int rc = apply_type(ctx, m, verb, type, keep);

	if (rc)
		return rc;
	*scratch = calloc(2 + QTAKE_HOLD, (size_t)m->info.value_size + 8);
	if (!*scratch) {
		btf__free(*keep);
		*keep = NULL;
		return err_fail("out of memory");
	}
	return EXIT_OK;
}

static int take_error(const struct mapref *m, const char *verb, int r)
{
	if (r == MAPW_PRINTED)
		return EXIT_FAIL;
	return err_fail("%s %s: %s", m->name, verb, strerror(-r));
}

/* ---- push ---- */

int verb_push(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct strbuf err = STRBUF_INIT;
	struct btf *keep = NULL;
	void *buf = NULL;
	__u64 flags = opts->count[VOPT_Q_EXIST] ? BPF_EXIST : BPF_ANY;
	int rc;

	rc = apply_type(ctx, m, cmd->name, opt_get(opts, VOPT_Q_TYPE), &keep);
	if (rc)
		return rc;
	if (!argc) {
		rc = err_usage("%s push: no value given (expected %s; see 'mapsh %s push --help')",
			       m->name, tv_plan_type_name(m->value), m->name);
		goto out;
	}
	buf = calloc(1, m->info.value_size + 8);
	if (!buf) {
		rc = err_fail("out of memory");
		goto out;
	}
	if (tv_parse_args(m->value, argc, argv, buf, 0, &err)) {
		rc = err_usage("%s push: %s", m->name,
			       err.len ? sb_str(&err) : "not a valid value");
		goto out;
	}
	rc = mapw_push(m, buf, flags);
	if (rc == -E2BIG)
		rc = err_fail("%s is full (%u elements; --exist drops the oldest to make room)",
			      m->name, m->info.max_entries);
	else if (rc)
		rc = mapw_error(m, cmd->name, rc, NULL);
out:
	sb_free(&err);
	free(buf);
	btf__free(keep);
	return rc;
}

/* ---- pop, peek ---- */

static int pop_or_peek(struct ctx *ctx, const struct cmd *cmd,
		       const struct opt_vals *opts, int argc, char **argv,
		       bool pop)
{
	struct mapref *m = ctx->map;
	struct entry_out eo;
	struct btf *keep = NULL;
	struct kq k = { .ctx = ctx, .m = m, .eo = &eo };
	struct qops q = kq_ops(&k, kq_emit_entry);
	void *scratch;
	int rc, r;

	rc = verb_no_args(m, cmd->name, argc, argv);
	if (!rc)
		rc = take_setup(ctx, m, cmd->name, opt_get(opts, VOPT_Q_TYPE),
				&keep, &scratch);
	if (rc)
		return rc;
	if (pop && (rc = mapw_prepare(m))) {
		free(scratch);
		btf__free(keep);
		return rc;
	}
	eo_init(&eo, &ctx->out, m, NULL, false);
	if (pop) {
		interrupt_catch();
		r = qtake(&q, scratch);
	} else {
		r = kq_peek(&k, scratch);
		if (!r) {
			kq_emit_entry(&k, scratch);
			r = 1;
		}
	}
	if (r == 0 || r == -ENOENT)
		rc = err_fail("%s is empty", m->name);
	else if (r < 0 && r != -EPIPE)
		rc = take_error(m, cmd->name, r);
	eo_fini(&eo);
	free(scratch);
	btf__free(keep);
	return rc;
}

int verb_pop(struct ctx *ctx, const struct cmd *cmd,
	     const struct opt_vals *opts, int argc, char **argv)
{
	return pop_or_peek(ctx, cmd, opts, argc, argv, true);
}

int verb_peek(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	return pop_or_peek(ctx, cmd, opts, argc, argv, false);
}

/* ---- drain ---- */

int queue_drain(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct btf *keep = NULL;
	struct kq k = { .ctx = ctx, .m = m };
	struct qops q = kq_ops(&k, kq_emit_line);
	unsigned long long max = 0, taken = 0;
	void *scratch;
	int rc, r;

	rc = verb_no_args(m, cmd->name, argc, argv);
	if (!rc && opts->count[VOPT_S_PAGES])
		rc = err_usage("%s drain: --pages applies to perf event arrays (%s is %s)",
			       m->name, m->name, map_type_str(m->info.type));
	if (!rc)
		rc = verb_parse_count(m, cmd->name, opt_get(opts, VOPT_S_COUNT), &max);
	if (!rc)
		rc = take_setup(ctx, m, cmd->name, opt_get(opts, VOPT_S_TYPE),
				&keep, &scratch);
	if (rc)
		return rc;
	rc = mapw_prepare(m);
	if (rc) {
		free(scratch);
		btf__free(keep);
		return rc;
	}
	rec_out_init(&k.ro, &ctx->out, m->name, m->value, true,
		     opts->count[VOPT_S_TIMESTAMP] > 0);
	interrupt_catch();
	while (!max || taken < max) {
		if (interrupted())
			break;
		r = qtake(&q, scratch);
		if (r == 0 || r == -EPIPE)
			break;
		if (r < 0) {
			rc = take_error(m, cmd->name, r);
			break;
		}
		taken += (unsigned long long)r;
	}
	out_flush(&ctx->out);
	if (!rc)
		rec_out_summary(&k.ro, "element");
	rec_out_fini(&k.ro);
	free(scratch);
	btf__free(keep);
	return rc;
}
