// SPDX-License-Identifier: GPL-2.0
/* tval_fast, reading: a compiled program (fast.c) run backwards over the
 * text it prints, so that `apply` of a save file reads at about the speed
 * `save` writes it. The literals must match byte for byte and each value
 * must be in the one form the formatter prints; anything else returns 0
 * and the caller falls back to the general JSON path. A read is only a
 * candidate unless every value was in the one form the formatter prints
 * (digits without leading zeros, a dotted quad, the flag names in order):
 * the caller then prints the records back (tvf_run) and keeps the read only
 * when the bytes are the same, so anything this file reads loosely is
 * checked. */
#include <stdlib.h>
#include <string.h>

#include "tval/fast_int.h"
#include "tval/tval_int.h"

struct rd {
	const char *p, *end;
	bool exact;	/* every value read is the one form it prints */
};

static bool lit(struct rd *r, const char *s, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	/* literals are short member names: no call per compare */
	for (size_t i = 0; i < n; i++)
		if (r->p[i] != s[i])
			return false;
	r->p += n;
	return true;
}

/* Decimal digits into *v (at most max); no sign, no leading zeros. */
static bool dec(struct rd *r, uint64_t max, uint64_t *v)
{
	const char *p = r->p;
	uint64_t x = 0;

	if (p == r->end || *p < '0' || *p > '9')
		return false;
	if (*p == '0') {
		r->p = p + 1;
		*v = 0;
		return true;
	}
	while (p < r->end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
		p++;
	}
	if (x > max)
		return false;
	r->p = p;
	*v = x;
	return true;
}

static bool sdec(struct rd *r, int64_t min, int64_t max, int64_t *v)
{
	bool neg = r->p < r->end && *r->p == '-';
	uint64_t x;

	if (neg)
		r->p++;
	if (!dec(r, neg ? (uint64_t)0 - (uint64_t)min : (uint64_t)max, &x) ||
	    (neg && !x))	/* "-0" is not what it prints */
		return false;
	*v = neg ? (int64_t)(0 - x) : (int64_t)x;
	return true;
}

static bool ipv4(struct rd *r, uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		uint64_t o;

		if (i && !lit(r, ".", 1))
			return false;
		if (!dec(r, 255, &o))
			return false;
		a[i] = (uint8_t)o;
	}
	return true;
}

/* A JSON string without escapes: its bytes between the quotes, copied
 * NUL-terminated into buf (n bytes). */
static bool plain_string(struct rd *r, char *buf, size_t n)
{
	const char *q;

	if (r->p == r->end || *r->p != '"')
		return false;
	q = memchr(r->p + 1, '"', (size_t)(r->end - r->p - 1));
	if (!q || (size_t)(q - r->p - 1) >= n || memchr(r->p + 1, '\\', (size_t)(q - r->p - 1)))
		return false;
	memcpy(buf, r->p + 1, (size_t)(q - r->p - 1));
	buf[q - r->p - 1] = '\0';
	r->p = q + 1;
	return true;
}

/* The names in nf_put_tcpflags' order, upper case, '|' apart: what save
 * writes. Anything else goes to nf_parse_tcpflags. */
static bool tcpflags_exact(const char *t, uint64_t *v)
{
	static const char names[][4] = { "FIN", "SYN", "RST", "PSH", "ACK",
					  "URG", "ECE", "CWR" };
	uint64_t x = 0;

	if (!strcmp(t, "0")) {
		*v = 0;
		return true;
	}
	for (;;) {
		unsigned i;

		for (i = 0; i < 8; i++)
			if (!memcmp(t, names[i], 3))
				break;
		/* exact only in the order printed: FIN first, each once */
		if (i == 8 || x >> i)
			return false;
		x |= 1u << i;
		t += 3;
		if (!*t)
			break;
		if (*t++ != '|')
			return false;
	}
	*v = x;
	return true;
}

static bool elem(struct rd *r, unsigned op, uint8_t *rec)
{
	char tok[NF_TCPFLAGS_MAX + 8];
	uint64_t u;
	int64_t s;
	uint16_t u16;
	uint32_t u32;

	switch (op) {
	case OP_U8:
		if (!dec(r, UINT8_MAX, &u))
			return false;
		rec[0] = (uint8_t)u;
		return true;
	case OP_U16:
		if (!dec(r, UINT16_MAX, &u))
			return false;
		u16 = (uint16_t)u;
		memcpy(rec, &u16, 2);
		return true;
	case OP_U32:
		if (!dec(r, UINT32_MAX, &u))
			return false;
		u32 = (uint32_t)u;
		memcpy(rec, &u32, 4);
		return true;
	case OP_U64:
		if (!dec(r, UINT64_MAX, &u))
			return false;
		memcpy(rec, &u, 8);
		return true;
	case OP_S8:
		if (!sdec(r, INT8_MIN, INT8_MAX, &s))
			return false;
		rec[0] = (uint8_t)s;
		return true;
	case OP_S16:
		if (!sdec(r, INT16_MIN, INT16_MAX, &s))
			return false;
		u16 = (uint16_t)s;
		memcpy(rec, &u16, 2);
		return true;
	case OP_S32:
		if (!sdec(r, INT32_MIN, INT32_MAX, &s))
			return false;
		u32 = (uint32_t)s;
		memcpy(rec, &u32, 4);
		return true;
	case OP_S64:
		if (!sdec(r, INT64_MIN, INT64_MAX, &s))
			return false;
		memcpy(rec, &s, 8);
		return true;
	case OP_BE16:
		if (!dec(r, UINT16_MAX, &u))
			return false;
		u16 = __builtin_bswap16((uint16_t)u);
		memcpy(rec, &u16, 2);
		return true;
	case OP_BE32:
		if (!dec(r, UINT32_MAX, &u))
			return false;
		u32 = __builtin_bswap32((uint32_t)u);
		memcpy(rec, &u32, 4);
		return true;
	case OP_BE64:
		if (!dec(r, UINT64_MAX, &u))
			return false;
		u = __builtin_bswap64(u);
		memcpy(rec, &u, 8);
		return true;
	case OP_IPV4:
		return ipv4(r, rec);
	case OP_IPV4_Q:
		return lit(r, "\"", 1) && ipv4(r, rec) && lit(r, "\"", 1);
	case OP_TCPF:
	case OP_TCPF_Q:
		if (op == OP_TCPF_Q) {
			if (!plain_string(r, tok, sizeof(tok)))
				return false;
		} else {
			size_t n = 0;

			while (r->p < r->end && n + 1 < sizeof(tok) &&
			       ((*r->p >= 'A' && *r->p <= 'Z') || *r->p == '|' ||
				(*r->p >= '0' && *r->p <= '9')))
				tok[n++] = *r->p++;
			tok[n] = '\0';
		}
		if (!tcpflags_exact(tok, &u)) {
			if (nf_parse_tcpflags(tok, &u) || u > UINT8_MAX)
				return false;
			r->exact = false;
		}
		rec[0] = (uint8_t)u;
		return true;
	default:
		return false;
	}
}

static bool array(struct rd *r, const struct step *s, uint8_t *rec)
{
	if (!lit(r, "[", 1))
		return false;
	for (uint32_t i = 0; i < s->n; i++) {
		if (i && !lit(r, ",", 1))
			return false;
		if (!elem(r, s->sub, rec + (size_t)i * s->stride))
			return false;
	}
	return lit(r, "]", 1);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool raw_json(struct rd *r, const struct step *s, uint8_t *rec)
{
	if (!lit(r, "[", 1))
		return false;
	for (uint32_t i = 0; i < s->n; i++) {
		int hi, lo;

		if (i && !lit(r, ",", 1))
			return false;
		if (!lit(r, "\"0x", 3) || r->end - r->p < 3)
			return false;
		hi = hexval(r->p[0]);
		lo = hexval(r->p[1]);
		if (hi < 0 || lo < 0 || r->p[2] != '"')
			return false;
		rec[i] = (uint8_t)(hi << 4 | lo);
		r->p += 3;
	}
	return lit(r, "]", 1);
}

static bool ipproto(struct rd *r, uint8_t *rec)
{
	char name[32];
	uint64_t u;
	int v;

	if (r->p < r->end && *r->p != '"') {
		if (!dec(r, UINT8_MAX, &u))
			return false;
		rec[0] = (uint8_t)u;
		return true;
	}
	if (!plain_string(r, name, sizeof(name)))
		return false;
	/* the common ones by the name the formatter prints */
	if (!strcmp(name, "tcp"))
		v = 6;
	else if (!strcmp(name, "udp"))
		v = 17;
	else if ((v = nf_ipproto_by_name(name)) < 0 || v > UINT8_MAX)
		return false;
	else
		r->exact = false;	/* an alias, another case */
	rec[0] = (uint8_t)v;
	return true;
}

/* A leaf only tval_format.c prints: its JSON token (a number, a word or a
 * string without escapes) through the leaf's own parser. Arrays and
 * objects are left to the general path. */
static bool general(struct rd *r, const struct tv_leaf *l, void *rec)
{
	struct strbuf err = STRBUF_INIT;
	char small[128], *tok = small;
	const char *p = r->p;
	size_t n;
	bool ok;

	if (p == r->end)
		return false;
	if (*p == '"') {
		const char *q = memchr(p + 1, '"', (size_t)(r->end - p - 1));

		if (!q || memchr(p + 1, '\\', (size_t)(q - p - 1)))
			return false;
		p++;
		n = (size_t)(q - p);
		r->p = q + 1;
	} else {
		const char *q = p;

		while (q < r->end && *q != ',' && *q != '}' && *q != ']' &&
		       *q != '[' && *q != '{' && *q != '"' && *q != ' ')
			q++;
		n = (size_t)(q - p);
		if (!n)
			return false;
		r->p = q;
	}
	if (n >= sizeof(small) && !(tok = malloc(n + 1)))
		return false;
	memcpy(tok, p, n);
	tok[n] = '\0';
	/* an empty string would parse as "no value" in some leaves */
	ok = n && !tv_leaf_parse(l, tok, rec, &err);
	r->exact = false;
	if (tok != small)
		free(tok);
	sb_free(&err);
	return ok;
}

size_t tvf_read(const struct tvf *f, const char *text, size_t len,
		void *const *recs, bool *exact)
{
	struct rd r = { text, text + len, true };
	size_t tail = f->nlits - f->pend;

	if (f->bad)
		return 0;
	for (size_t i = 0; i < f->nsteps; i++) {
		const struct step *s = &f->steps[i];
		uint8_t *rec = (uint8_t *)recs[s->src] + s->off;
		bool ok;

		if (!lit(&r, f->lits + s->lit, s->lit_len))
			return 0;
		switch (s->op) {
		case OP_NONE:
			ok = true;
			break;
		case OP_ARRAY:
			ok = array(&r, s, rec);
			break;
		case OP_RAW_JSON:
			ok = raw_json(&r, s, rec);
			break;
		case OP_IPP_Q:
			ok = ipproto(&r, rec);
			break;
		case OP_UNCOV:
			/* absent: the bits are zero (the caller's records
			 * start zeroed); present: the general parser's */
			ok = (size_t)(r.end - r.p) < TV_UNCOVERED_LEN + 3 ||
			     memcmp(r.p + 1 + !s->n, TV_UNCOVERED,
				    TV_UNCOVERED_LEN);
			break;
		case OP_GEN_JSON:
			/* the leaf's offset is in the leaf, not the step */
			ok = general(&r, s->leaf, recs[s->src]);
			break;
		case OP_RAW_TEXT:
		case OP_IPP:
		case OP_AGE:
		case OP_GEN_TEXT:
			ok = false;
			break;
		default:
			ok = elem(&r, s->op, rec);
			break;
		}
		if (!ok)
			return 0;
	}
	if (tail && !lit(&r, f->lits + f->pend, tail))
		return 0;
	*exact = r.exact;
	return (size_t)(r.p - text);
}
