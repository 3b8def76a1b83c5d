// SPDX-License-Identifier: GPL-2.0
/* Queues and stacks: push, pop, peek and drain. pop and drain take each
 * element through qtake() (qtake.c), which never lets one leave the map
 * undelivered; here are its operations against the kernel and the
 * output. */
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
#include "verbs/qtake.h"
#include "map/rectype.h"
#include "output/records.h"

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
 * (true) or is gone or we are interrupted (false). The element written
 * last is the last bytes in the pipe, so it was read whole exactly when
 * nothing is left unread. A reader that hangs up after reading it did get
 * it: once it is gone, the pipe's unread bytes are counted once more
 * (true when there are none; output then ends, out->broken). Anything but
 * a pipe: a write that returned is delivered. */
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
			/* Gone, maybe just after reading it all: the
			 * bytes it left tell (they stay in the pipe). */
			o->broken = true;
			return ioctl(o->fd, FIONREAD, &unread) == 0 &&
			       unread == 0;
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
			       m->name, tv_plan_type_name(m->value), mapref_sel(m));
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
	eo.wall = true;
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
	if (ctx->out.bpftool)
		k.ro.bj = m;
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
