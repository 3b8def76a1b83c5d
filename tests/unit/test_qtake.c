// SPDX-License-Identifier: GPL-2.0
/* Unit tests of qtake() (verb_queue.c): taking one element out of a queue
 * or stack without losing it, against a fake map whose producers and
 * other consumers act between mapsh's peek and pop. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "verbs/qtake.h"

struct fake {
	uint64_t v[16];		/* queue: v[0] is the head; stack: v[n-1] the top */
	int n, cap;
	bool stack;
	/* what others do: after the peek, after pop number pop_at */
	void (*after_peek)(struct fake *f);
	void (*after_pop)(struct fake *f);
	int pop_at;
	int pops;
	uint64_t out[16];	/* what was emitted */
	int nout;
	int emit_ok;		/* emits that succeed; -1: all */
	uint64_t lost[4];
	int nlost;
};

static void f_push(struct fake *f, uint64_t x)
{
	f->v[f->n++] = x;
}

static uint64_t f_take(struct fake *f)
{
	uint64_t x;

	if (f->stack)
		return f->v[--f->n];
	x = f->v[0];
	memmove(f->v, f->v + 1, (size_t)(f->n - 1) * sizeof(x));
	f->n--;
	return x;
}

static int op_peek(void *c, void *buf)
{
	struct fake *f = c;

	if (!f->n)
		return -ENOENT;
	memcpy(buf, &f->v[f->stack ? f->n - 1 : 0], 8);
	if (f->after_peek)
		f->after_peek(f);
	return 0;
}

static int op_pop(void *c, void *buf)
{
	struct fake *f = c;
	uint64_t x;

	if (!f->n)
		return -ENOENT;
	x = f_take(f);
	memcpy(buf, &x, 8);
	if (++f->pops == f->pop_at && f->after_pop)
		f->after_pop(f);
	return 0;
}

static int op_push(void *c, const void *buf)
{
	struct fake *f = c;
	uint64_t x;

	if (f->n == f->cap)
		return -E2BIG;
	memcpy(&x, buf, 8);
	f_push(f, x);
	return 0;
}

static bool op_emit(void *c, const void *buf)
{
	struct fake *f = c;

	if (f->emit_ok == 0)
		return false;
	if (f->emit_ok > 0)
		f->emit_ok--;
	memcpy(&f->out[f->nout++], buf, 8);
	return true;
}

static void op_lost(void *c, const void *buf)
{
	struct fake *f = c;

	memcpy(&f->lost[f->nlost++], buf, 8);
}

static int take(struct fake *f)
{
	char scratch[(2 + QTAKE_HOLD) * 8];
	struct qops q = {
		.peek = op_peek, .pop = op_pop, .push = op_push,
		.emit = op_emit, .lost = op_lost, .c = f, .size = 8,
		.stack = f->stack,
	};

	f->pops = 0;
	return qtake(&q, scratch);
}

static void fill(struct fake *f, bool stack, int cap, int n)
{
	memset(f, 0, sizeof(*f));
	f->stack = stack;
	f->cap = cap;
	f->emit_ok = -1;
	for (int i = 1; i <= n; i++)
		f_push(f, (uint64_t)i);
}

static void push9(struct fake *f) { f_push(f, 9); }
static void push9_10(struct fake *f) { f_push(f, 9); f_push(f, 10); }
static void fill_up(struct fake *f) { while (f->n < f->cap) f_push(f, 70 + (uint64_t)f->n); }
static void other_pops(struct fake *f) { f_take(f); }

static void test_plain(void **state)
{
	struct fake f;

	(void)state;
	fill(&f, true, 8, 3);
	assert_int_equal(take(&f), 1);
	assert_int_equal(f.nout, 1);
	assert_int_equal(f.out[0], 3);		/* LIFO */
	assert_int_equal(f.n, 2);
	fill(&f, false, 8, 3);
	assert_int_equal(take(&f), 1);
	assert_int_equal(f.out[0], 1);		/* FIFO */
	assert_int_equal(f.n, 2);
	assert_int_equal(f.v[0], 2);
	fill(&f, false, 8, 0);
	assert_int_equal(take(&f), 0);		/* empty */
	assert_int_equal(f.nout, 0);
}

static void test_output_gone(void **state)
{
	struct fake f;

	(void)state;
	fill(&f, false, 8, 3);
	f.emit_ok = 0;
	assert_int_equal(take(&f), -EPIPE);
	assert_int_equal(f.n, 3);		/* nothing removed */
	assert_int_equal(f.v[0], 1);
}

/* The simple race: a producer pushes onto the stack between peek and pop.
 * The printed element leaves, the new one stays on top. */
static void test_stack_push_between(void **state)
{
	struct fake f;

	(void)state;
	fill(&f, true, 8, 3);
	f.after_peek = push9;
	assert_int_equal(take(&f), 1);
	assert_int_equal(f.nout, 1);
	assert_int_equal(f.out[0], 3);
	assert_int_equal(f.n, 3);
	assert_int_equal(f.v[0], 1);
	assert_int_equal(f.v[1], 2);
	assert_int_equal(f.v[2], 9);
	/* two pushes: both go back, in their order */
	fill(&f, true, 8, 3);
	f.after_peek = push9_10;
	assert_int_equal(take(&f), 1);
	assert_int_equal(f.out[0], 3);
	assert_int_equal(f.n, 4);
	assert_int_equal(f.v[2], 9);
	assert_int_equal(f.v[3], 10);
	assert_int_equal(f.nlost, 0);
}

/* No room to push back (producers refilled the stack): the element in
 * hand is printed rather than lost. */
static void test_stack_full_on_push_back(void **state)
{
	struct fake f;

	(void)state;
	fill(&f, true, 4, 3);
	f.after_peek = push9;		/* 1 2 3 9 */
	f.after_pop = fill_up;		/* pops 9, 3; 1 2 refilled to 4 */
	f.pop_at = 2;
	assert_int_equal(take(&f), 2);
	assert_int_equal(f.out[0], 3);
	assert_int_equal(f.out[1], 9);
	assert_int_equal(f.nlost, 0);
}

/* Someone else took the head of the queue: the element popped instead is
 * printed too; if it cannot be, it goes back (to the tail). */
static void test_queue_head_taken(void **state)
{
	struct fake f;

	(void)state;
	fill(&f, false, 8, 3);
	f.after_peek = other_pops;
	assert_int_equal(take(&f), 2);
	assert_int_equal(f.out[0], 1);
	assert_int_equal(f.out[1], 2);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0], 3);
	fill(&f, false, 8, 3);
	f.after_peek = other_pops;
	f.emit_ok = 1;
	assert_int_equal(take(&f), -EPIPE);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.v[0], 3);
	assert_int_equal(f.v[1], 2);		/* back, at the tail */
	assert_int_equal(f.nlost, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_output_gone),
		cmocka_unit_test(test_stack_push_between),
		cmocka_unit_test(test_stack_full_on_push_back),
		cmocka_unit_test(test_queue_head_taken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
