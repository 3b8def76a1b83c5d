/* SPDX-License-Identifier: GPL-2.0 */
/* tval_fast: the compiled programs, shared by the formatter (fast.c) and
 * the reader of what it prints (fastread.c). */
#ifndef MAPSH_TVAL_FAST_INT_H
#define MAPSH_TVAL_FAST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tval/fast.h"
#include "tval/netfmt.h"

enum {
	OP_NONE,	/* the literal only */
	OP_U8, OP_U16, OP_U32, OP_U64,
	OP_S8, OP_S16, OP_S32, OP_S64,
	OP_BE16, OP_BE32, OP_BE64,
	OP_IPV4, OP_IPV4_Q,	/* 4 bytes, network order (_Q: quoted) */
	OP_TCPF, OP_TCPF_Q,	/* u8 tcp flags */
	OP_ARRAY,	/* [e,e,...]: n elements of `sub`, stride apart */
	OP_RAW_TEXT,	/* "0a 00 00 01" */
	OP_RAW_JSON,	/* ["0x0a","0x00",...] */
	/* these append through the strbuf functions */
	OP_IPP, OP_IPP_Q,	/* u8 protocol: name (_Q: quoted) or number */
	OP_AGE,		/* u64 ktime as an age */
	OP_GEN_TEXT,	/* tv_leaf_format_text */
	OP_GEN_JSON,	/* tv_leaf_format_json */
	OP_UNCOV,	/* ,"@uncovered":"0x.." of the root when not zero
			 * (leaf: any leaf of the plan) */
};

/* Most bytes one element of a fast op writes (a quoted tcp flags string),
 * with slack for the fixed size copies. */
#define ELEM_ROOM (NF_TCPFLAGS_MAX + 8)
_Static_assert(ELEM_ROOM >= NF_AGE_MAX && ELEM_ROOM >= 16,
	       "an age and a protocol fit in the room of an element");
/* Literals are copied 16 bytes at a time when shorter. */
#define LIT_SLACK 16
/* Deeper values go through tval_format.c (json_writer shares the comma
 * state of its deepest levels). */
#define MAX_DEPTH 32

struct step {
	uint32_t lit, lit_len;	/* literal before the value, in lits */
	uint8_t op, sub;	/* sub: OP_ARRAY's element op */
	uint8_t src;		/* which record */
	uint32_t off;		/* byte offset in the record */
	uint32_t n, stride;	/* OP_ARRAY, OP_RAW_*: elements, bytes apart */
	size_t room;		/* bytes to reserve before the step */
	const struct tv_leaf *leaf;
};

struct tvf {
	struct step *steps;
	size_t nsteps, cap;
	char *lits;		/* LIT_SLACK zero bytes always follow */
	size_t nlits, lits_cap;
	size_t pend;		/* start of the literal not yet in a step */
	bool bad;
};

#endif
