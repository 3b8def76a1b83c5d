/* SPDX-License-Identifier: GPL-2.0 */
/* Taking one element out of a queue or stack without losing it
 * (qtake.c), behind a small interface so the races can be tested
 * without a kernel (tests/unit/test_qtake.c). */
#ifndef MAPSH_QTAKE_H
#define MAPSH_QTAKE_H

#include <stdbool.h>
#include <stddef.h>

/* Elements held at most while a stack is searched for the printed one. */
#define QTAKE_HOLD 16

struct qops {
	/* 0, -ENOENT when empty, or -errno. */
	int (*peek)(void *c, void *buf);
	int (*pop)(void *c, void *buf);
	int (*push)(void *c, const void *buf);	/* never evicts: fails when full */
	/* Write one element and make sure it was delivered (flushed; on a
	 * pipe, read). false: it may not have been. */
	bool (*emit)(void *c, const void *buf);
	/* Last resort for an element in hand that could be neither written
	 * nor put back: say what it was (stderr). */
	void (*lost)(void *c, const void *buf);
	void *c;
	size_t size;		/* bytes of an element */
	bool stack;		/* LIFO */
};

/* Take the next element: peek it, emit it, then pop it, handling the map
 * changing in between (see verb_queue.c). scratch holds 2 + QTAKE_HOLD
 * elements. Returns the number of elements emitted and removed (1, or 2
 * after a race on a queue), 0 when the map was empty, -EPIPE when the
 * output is gone (the element stays in the map), or -errno. */
int qtake(const struct qops *q, void *scratch);

#endif
