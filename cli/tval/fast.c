// SPDX-License-Identifier: GPL-2.0
/* tval_fast: compiled formatters for the hot loop of a dump (see
 * tval_fast.h). Every fast case mirrors what tval_format.c prints for it;
 * anything else is a step that calls tval_format.c itself. */
#include <stdlib.h>
#include <string.h>

#include "tval/netfmt.h"
#include "tval/fast.h"
#include "tval/fast_int.h"
#include "tval/tval_int.h"

/* "0".."255", for addresses; filled when first needed */
static struct { char s[4]; uint8_t n; } octet[256];
static bool octets_ready;

static void octets_init(void)
{
	if (octets_ready)
		return;
	for (unsigned v = 0; v < 256; v++)
		octet[v].n = (uint8_t)(sb_put_u64(octet[v].s, v) - octet[v].s);
	octets_ready = true;
}

/* ---- building ---- */

struct tvf *tvf_new(void)
{
	return calloc(1, sizeof(struct tvf));
}

void tvf_free(struct tvf *f)
{
	if (!f)
		return;
	free(f->steps);
	free(f->lits);
	free(f);
}

bool tvf_ok(const struct tvf *f)
{
	return f && !f->bad;
}

void tvf_lit(struct tvf *f, const char *s, size_t n)
{
	if (f->bad)
		return;
	if (f->nlits + n + LIT_SLACK > f->lits_cap) {
		size_t cap = f->lits_cap ? f->lits_cap * 2 : 256;
		char *l;

		while (cap < f->nlits + n + LIT_SLACK)
			cap *= 2;
		l = realloc(f->lits, cap);
		if (!l) {
			f->bad = true;
			return;
		}
		f->lits = l;
		f->lits_cap = cap;
	}
	memcpy(f->lits + f->nlits, s, n);
	f->nlits += n;
	memset(f->lits + f->nlits, 0, LIT_SLACK);
}

static struct step *add_step(struct tvf *f, int op, unsigned src, uint32_t off,
			     const struct tv_leaf *l)
{
	struct step *s;

	if (f->bad)
		return NULL;
	if (!f->lits)
		tvf_lit(f, "", 0);	/* the slack after an empty literal */
	if (f->nsteps == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct step *st = realloc(f->steps, cap * sizeof(*st));

		if (!st) {
			f->bad = true;
			return NULL;
		}
		f->steps = st;
		f->cap = cap;
	}
	s = &f->steps[f->nsteps++];
	memset(s, 0, sizeof(*s));
	s->lit = (uint32_t)f->pend;
	s->lit_len = (uint32_t)(f->nlits - f->pend);
	f->pend = f->nlits;
	s->op = (uint8_t)op;
	s->src = (uint8_t)src;
	s->off = off;
	s->leaf = l;
	s->room = s->lit_len + LIT_SLACK + ELEM_ROOM;
	return s;
}

static int uint_op(uint32_t size)
{
	switch (size) {
	case 1: return OP_U8;
	case 2: return OP_U16;
	case 4: return OP_U32;
	case 8: return OP_U64;
	default: return -1;
	}
}

static int sint_op(uint32_t size)
{
	switch (size) {
	case 1: return OP_S8;
	case 2: return OP_S16;
	case 4: return OP_S32;
	case 8: return OP_S64;
	default: return -1;
	}
}

/* The op printing one element of l as add_elem() in tval_format.c does,
 * or -1 when only add_elem() knows. */
static int elem_op(const struct tv_leaf *l, bool json)
{
	unsigned flags = l->plan ? l->plan->flags : 0;
	bool is_int = l->kind == TV_KIND_UINT || l->kind == TV_KIND_SINT;
	uint32_t size = l->elem_size;

	if (l->bit_size || (l->plan && l->plan->raw))
		return -1;
	switch (l->fmt) {
	case TV_FMT_NONE:
	case TV_FMT_COUNTER:
	case TV_FMT_LOG2HIST:
	case TV_FMT_LINHIST:
	case TV_FMT_LOG2:
		if (!is_int)
			return -1;
		return l->is_signed ? sint_op(size) : uint_op(size);
	case TV_FMT_PORT:
	case TV_FMT_BE:
		/* network order, shown in host order */
		if (!is_int || l->is_signed)
			return -1;
		switch (size) {
		case 1: return OP_U8;
		case 2: return OP_BE16;
		case 4: return OP_BE32;
		case 8: return OP_BE64;
		default: return -1;
		}
	case TV_FMT_IPV4:
		if (size != 4)
			return -1;
		octets_init();
		return json ? OP_IPV4_Q : OP_IPV4;
	case TV_FMT_IPPROTO:
		if (!is_int || l->is_signed || size != 1)
			return -1;
		if (flags & TV_NUMERIC)
			return uint_op(size);
		return json ? OP_IPP_Q : OP_IPP;
	case TV_FMT_TCPFLAGS:
		if (!is_int || size != 1)
			return -1;
		return json ? OP_TCPF_Q : OP_TCPF;
	case TV_FMT_KTIME:
		if (!is_int || (flags & TV_KTIME_WALL))
			return -1;
		/* the raw bits as an unsigned number */
		if (json || (flags & TV_TEXT_EXACT))
			return uint_op(size);
		return size == 8 ? OP_AGE : -1;
	case TV_FMT_IFINDEX:
		/* text shows the interface name */
		if (!is_int || (!json && !(flags & (TV_TEXT_EXACT | TV_NUMERIC))))
			return -1;
		return l->is_signed ? sint_op(size) : uint_op(size);
	default:
		return -1;
	}
}

static void add_leaf(struct tvf *f, const struct tv_leaf *l, unsigned src,
		     bool json)
{
	int op = elem_op(l, json);
	struct step *s;

	if (l->plan && l->plan->raw) {
		s = add_step(f, json ? OP_RAW_JSON : OP_RAW_TEXT, src, l->offset, l);
		if (s) {
			s->n = l->elem_size;
			s->room += (size_t)s->n * 8;
		}
	} else if (op >= 0 && !l->ndims) {
		add_step(f, op, src, l->offset, l);
	} else if (op >= 0 && op < OP_ARRAY && l->ndims == 1 &&
		   l->kind != TV_KIND_CHAR) {
		s = add_step(f, OP_ARRAY, src, l->offset, l);
		if (s) {
			s->sub = (uint8_t)op;
			s->n = l->dims[0];
			s->stride = l->elem_size;
			s->room += (size_t)s->n * (ELEM_ROOM + 1);
		}
	} else {
		add_step(f, json ? OP_GEN_JSON : OP_GEN_TEXT, src, 0, l);
	}
}

void tvf_leaf_text(struct tvf *f, const struct tv_leaf *l, unsigned src)
{
	add_leaf(f, l, src, false);
}

/* json_node() of tval_format.c, unrolled into literals and leaves. */
static void add_node(struct tvf *f, const struct tv_plan *p, uint32_t idx,
		     unsigned src, int depth)
{
	const struct tv_node *n = &p->nodes[idx];
	bool first = true;

	if (depth > MAX_DEPTH) {
		f->bad = true;
		return;
	}
	switch (n->type) {
	case TV_N_LEAF:
		add_leaf(f, &p->leaves[n->leaf], src, true);
		return;
	case TV_N_STRUCT:
	case TV_N_UNION:
		tvf_lit(f, "{", 1);
		for (uint32_t c = idx + 1; c < n->end; c = p->nodes[c].end) {
			const struct tv_node *ch = &p->nodes[c];

			if (tv_node_alt(p, c))
				continue;	/* as json_node(): one member */
			if (!first)
				tvf_lit(f, ",", 1);
			first = false;
			tvf_lit(f, ch->jname, ch->jname_len);
			tvf_lit(f, ":", 1);
			add_node(f, p, c, src, depth + 1);
		}
		if (!depth && p->nleaves && tv_plan_may_uncover(p)) {
			struct step *s = add_step(f, OP_UNCOV, src, 0,
						  &p->leaves[0]);

			if (s) {
				s->n = first;
				s->room += (size_t)p->size * 2 + 24;
			}
		}
		tvf_lit(f, "}", 1);
		return;
	case TV_N_ARRAY:
		tvf_lit(f, "[", 1);
		for (uint32_t c = idx + 1; c < n->end; c = p->nodes[c].end) {
			if (!first)
				tvf_lit(f, ",", 1);
			first = false;
			add_node(f, p, c, src, depth + 1);
		}
		tvf_lit(f, "]", 1);
		return;
	}
}

void tvf_plan_json(struct tvf *f, const struct tv_plan *p, unsigned src)
{
	if (!p->nnodes)
		tvf_lit(f, "null", 4);
	else
		add_node(f, p, 0, src, 0);
}

/* ---- running ---- */

static inline char *put_lit(char *p, const char *lit, size_t n)
{
	if (n <= LIT_SLACK)
		memcpy(p, lit, LIT_SLACK);	/* a fixed size: no call */
	else
		memcpy(p, lit, n);
	return p + n;
}

static inline char *put_s64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return sb_put_u64(p, 0ULL - (uint64_t)v);
	}
	return sb_put_u64(p, (uint64_t)v);
}

static inline char *put_ipv4(char *p, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		memcpy(p, octet[a[i]].s, 4);
		p += octet[a[i]].n;
		*p++ = '.';
	}
	return p - 1;
}

static inline __attribute__((always_inline)) char *
put_elem(char *p, unsigned op, const uint8_t *r)
{
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (op) {
	case OP_U8:
		return sb_put_u64(p, r[0]);
	case OP_U16:
		memcpy(&u16, r, 2);
		return sb_put_u64(p, u16);
	case OP_U32:
		memcpy(&u32, r, 4);
		return sb_put_u64(p, u32);
	case OP_U64:
		memcpy(&u64, r, 8);
		return sb_put_u64(p, u64);
	case OP_S8:
		return put_s64(p, (int8_t)r[0]);
	case OP_S16:
		memcpy(&u16, r, 2);
		return put_s64(p, (int16_t)u16);
	case OP_S32:
		memcpy(&u32, r, 4);
		return put_s64(p, (int32_t)u32);
	case OP_S64:
		memcpy(&u64, r, 8);
		return put_s64(p, (int64_t)u64);
	case OP_BE16:
		memcpy(&u16, r, 2);
		return sb_put_u64(p, __builtin_bswap16(u16));
	case OP_BE32:
		memcpy(&u32, r, 4);
		return sb_put_u64(p, __builtin_bswap32(u32));
	case OP_BE64:
		memcpy(&u64, r, 8);
		return sb_put_u64(p, __builtin_bswap64(u64));
	case OP_IPV4:
		return put_ipv4(p, r);
	case OP_IPV4_Q:
		*p++ = '"';
		p = put_ipv4(p, r);
		*p++ = '"';
		return p;
	case OP_TCPF:
		return nf_put_tcpflags(p, r[0]);
	case OP_TCPF_Q:	/* "" for none, as tval/format.c */
		*p++ = '"';
		if (r[0])
			p = nf_put_tcpflags(p, r[0]);
		*p++ = '"';
		return p;
	default:
		return p;
	}
}

static const char hexdig[] = "0123456789abcdef";

static char *put_raw(char *p, const struct step *s, const uint8_t *r)
{
	if (s->op == OP_RAW_JSON)
		*p++ = '[';
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->op == OP_RAW_JSON) {
			if (i)
				*p++ = ',';
			memcpy(p, "\"0x", 3);
			p += 3;
		} else if (i) {
			*p++ = ' ';
		}
		*p++ = hexdig[r[i] >> 4];
		*p++ = hexdig[r[i] & 15];
		if (s->op == OP_RAW_JSON)
			*p++ = '"';
	}
	if (s->op == OP_RAW_JSON)
		*p++ = ']';
	return p;
}

static char *put_array(char *p, const struct step *s, const uint8_t *r)
{
	uint32_t i;

	*p++ = '[';
	if (s->sub == OP_U8) {
		/* byte arrays (padding above all): no dispatch per byte */
		for (i = 0; i < s->n; i++) {
			if (i)
				*p++ = ',';
			if (r[i] < 10)
				*p++ = (char)('0' + r[i]);
			else
				p = sb_put_u64(p, r[i]);
		}
	} else {
		for (i = 0; i < s->n; i++) {
			if (i)
				*p++ = ',';
			p = put_elem(p, s->sub, r + (size_t)i * s->stride);
		}
	}
	*p++ = ']';
	return p;
}

/* The steps that append through the strbuf functions; rec is the field's
 * bytes (the whole record for OP_UNCOV). */
static void run_slow(const struct step *s, struct strbuf *sb, const void *rec)
{
	const struct tv_leaf *l = s->leaf;

	switch (s->op) {
	case OP_GEN_TEXT: {
		size_t start = sb->len;

		tv_leaf_format_text(l, rec, sb);
		/* as plain rows do: a control byte would break the line */
		for (size_t k = start; k < sb->len; k++)
			if ((unsigned char)sb->buf[k] < 0x20 || sb->buf[k] == 0x7f)
				sb->buf[k] = ' ';
		return;
	}
	case OP_UNCOV: {
		size_t at = sb->len;

		sb_adds(sb, s->n ? "\"" TV_UNCOVERED "\":\""
				 : ",\"" TV_UNCOVERED "\":\"");
		if (tv_add_uncovered(l->plan, rec, sb))
			sb_addc(sb, '"');
		else
			sb->len = at;
		return;
	}
	case OP_GEN_JSON: {
		struct jw w;

		/* a member's value in an object: the writer's state past
		 * this value does not matter in compact JSON */
		jw_init(&w, sb, false);
		w.depth = 1;
		w.after_name = true;
		tv_leaf_format_json(l, rec, &w);
		return;
	}
	}
}

void tvf_run(const struct tvf *f, struct strbuf *sb, const void *const *recs)
{
	const struct step *s = f->steps, *end = s + f->nsteps;
	size_t tail = f->nlits - f->pend;
	char *p;

	for (; s < end; s++) {
		const uint8_t *r = (const uint8_t *)recs[s->src] + s->off;

		sb_reserve(sb, s->room);
		p = put_lit(sb->buf + sb->len, f->lits + s->lit, s->lit_len);
		switch (s->op) {
		case OP_IPP:
		case OP_IPP_Q:
			p = nf_put_ipproto(p, *r, s->op == OP_IPP_Q);
			break;
		case OP_AGE: {
			uint64_t v, mono, real;

			memcpy(&v, r, 8);
			tv_clock(s->leaf->plan, &mono, &real);
			p = nf_put_age(p, v, mono);
			break;
		}
		case OP_GEN_TEXT:
		case OP_GEN_JSON:
		case OP_UNCOV:
			sb->len = (size_t)(p - sb->buf);
			run_slow(s, sb, s->op == OP_UNCOV ? recs[s->src] : r);
			continue;
		case OP_ARRAY:
			p = put_array(p, s, r);
			break;
		case OP_RAW_TEXT:
		case OP_RAW_JSON:
			p = put_raw(p, s, r);
			break;
		default:
			p = put_elem(p, s->op, r);
			break;
		}
		sb->len = (size_t)(p - sb->buf);
	}
	sb_reserve(sb, tail + LIT_SLACK);
	if (tail)
		sb->len = (size_t)(put_lit(sb->buf + sb->len, f->lits + f->pend,
					   tail) - sb->buf);
	sb->buf[sb->len] = '\0';
}
