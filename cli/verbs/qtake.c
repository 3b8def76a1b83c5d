// SPDX-License-Identifier: GPL-2.0
/* Lossless taking of one element of a queue or stack (qtake.h), through
 * operations the caller gives: the kernel's (queue.c) or a model (the
 * unit test).
 *
 * Lossless taking. The kernel's pop (BPF_MAP_LOOKUP_AND_DELETE_ELEM) removes
 * an element before anyone could print it, so pop and drain never use it
 * alone: each element is peeked (BPF_MAP_LOOKUP_ELEM), written and flushed,
 * then popped. When stdout is a pipe, "written" means read by the reader:
 * mapsh waits until the pipe is empty again (FIONREAD) before the pop, and
 * stops without popping when the reader is gone (POLLERR) leaving bytes of
 * the element unread; a reader that read it all and then hung up got it,
 * and it is popped — so `mapsh samples drain | head -n 2` removes exactly
 * the two elements head read and printed. A write that fails (EPIPE, a
 * full disk) stops the drain with the element still in the map.
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
#include <string.h>
#include "verbs/qtake.h"

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
