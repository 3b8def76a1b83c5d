// SPDX-License-Identifier: GPL-2.0
/* tval_format: record bytes to text and JSON by walking a compiled plan.
 * This runs for every entry of a dump, so it only follows precomputed
 * offsets and appends to a strbuf (no BTF, no printf for integers and
 * addresses). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tval/netfmt.h"
#include "tval/tval_int.h"

static const char hexdig[] = "0123456789abcdef";

void tv_add_u128(struct strbuf *sb, tv_u128 v)
{
	char tmp[48];
	char *p = tmp + sizeof(tmp);

	if (v <= UINT64_MAX) {
		sb_add_u64(sb, (uint64_t)v);
		return;
	}
	do {
		*--p = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	sb_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

void tv_add_s128(struct strbuf *sb, tv_s128 v)
{
	if (v < 0) {
		sb_addc(sb, '-');
		tv_add_u128(sb, (tv_u128)0 - (tv_u128)v);
	} else {
		tv_add_u128(sb, (tv_u128)v);
	}
}

/* Minimal hex digits with a 0x prefix. */
static void add_hex_num(struct strbuf *sb, tv_u128 v)
{
	char tmp[34];
	int n = 0;

	do {
		tmp[n++] = hexdig[(unsigned)(v & 15)];
		v >>= 4;
	} while (v);
	sb_add(sb, "0x", 2);
	while (n)
		sb_addc(sb, tmp[--n]);
}

void tv_add_cstr(struct strbuf *sb, const char *s, size_t n, bool quote)
{
	if (quote)
		sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': sb_add(sb, "\\\"", 2); continue;
		case '\\': sb_add(sb, "\\\\", 2); continue;
		case '\n': sb_add(sb, "\\n", 2); continue;
		case '\t': sb_add(sb, "\\t", 2); continue;
		case '\r': sb_add(sb, "\\r", 2); continue;
		default: break;
		}
		if (c < 0x20 || c >= 0x7f) {
			char e[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };

			sb_add(sb, e, 4);
		} else {
			sb_addc(sb, (char)c);
		}
	}
	if (quote)
		sb_addc(sb, '"');
}

/* Floats print in the shortest form that reads back to the same bits. */
static void add_float(struct strbuf *sb, const struct tv_leaf *l,
		      const uint8_t *p, bool json)
{
	char tmp[40];
	double d;
	bool is_f = l->elem_size == 4;

	if (is_f) {
		float f;

		memcpy(&f, p, 4);
		d = f;
	} else {
		memcpy(&d, p, 8);
	}
	if (isnan(d)) {
		/* "nan"/"-nan" read back as the default quiet NaN; any other
		 * sign and payload print as their bits: nan:0x7fc00001 */
		uint64_t bits = 0, quiet = is_f ? 0x7fc00000u
						: 0x7ff8000000000000ull;
		uint64_t sign = is_f ? 0x80000000u : 0x8000000000000000ull;

		memcpy(&bits, p, l->elem_size);
		if (json)
			sb_addc(sb, '"');
		if ((bits & ~sign) == quiet) {
			sb_adds(sb, bits & sign ? "-nan" : "nan");
		} else {
			sb_add(sb, "nan:0x", 6);
			for (int k = (int)l->elem_size * 2 - 1; k >= 0; k--)
				sb_addc(sb, hexdig[(bits >> (4 * k)) & 15]);
		}
		if (json)
			sb_addc(sb, '"');
		return;
	}
	if (!isfinite(d)) {
		const char *s = d < 0 ? "-inf" : "inf";

		if (json)
			sb_add_json_str(sb, s, strlen(s));
		else
			sb_adds(sb, s);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (is_f ? strtof(tmp, NULL) == (float)d : strtod(tmp, NULL) == d)
			break;
	}
	sb_adds(sb, tmp);
}

/* The value of an integer element as the number it means. */
static void add_int(struct strbuf *sb, const struct tv_leaf *l, tv_u128 v)
{
	/* port/be/ktime: the bits as an unsigned (host-order) number */
	if (l->is_signed && l->fmt != TV_FMT_PORT && l->fmt != TV_FMT_BE &&
	    l->fmt != TV_FMT_KTIME)
		tv_add_s128(sb, tv_elem_sext(l, v));
	else
		tv_add_u128(sb, v);
}

static uint64_t enum_key(const struct tv_leaf *l, tv_u128 v)
{
	return l->is_signed ? (uint64_t)(int64_t)tv_elem_sext(l, v)
			    : (uint64_t)v;
}

static void add_ktime(struct strbuf *sb, const struct tv_leaf *l, tv_u128 v,
		      bool json)
{
	const struct tv_plan *p = l->plan;
	uint64_t mono, real;

	if (p->flags & TV_KTIME_WALL) {
		tv_clock(p, &mono, &real);
		if (json)
			sb_addc(sb, '"');
		nf_add_walltime(sb, (uint64_t)v, mono, real);
		if (json)
			sb_addc(sb, '"');
	} else if (json || (p->flags & TV_TEXT_EXACT)) {
		sb_add_u64(sb, (uint64_t)v);
	} else {
		tv_clock(p, &mono, &real);
		nf_add_age(sb, (uint64_t)v, mono);
	}
}

/* The shared part of text and JSON: formats whose text is identical in
 * both (quoted in JSON when `quote`). Returns false when the element is
 * not one of them. */
static bool add_fmt(struct strbuf *sb, const struct tv_leaf *l,
		    const uint8_t *p, tv_u128 v, bool json)
{
	char ifname[IF_NAMESIZE];
	const char *name;

	switch (l->fmt) {
	case TV_FMT_IPV4:
	case TV_FMT_IPV6:
	case TV_FMT_MAC:
		if (json)
			sb_addc(sb, '"');
		if (l->fmt == TV_FMT_IPV4)
			nf_add_ipv4(sb, p);
		else if (l->fmt == TV_FMT_IPV6)
			nf_add_ipv6(sb, p);
		else
			nf_add_mac(sb, p);
		if (json)
			sb_addc(sb, '"');
		return true;
	case TV_FMT_IPPROTO:
		name = (l->plan->flags & TV_NUMERIC) ? NULL
						     : nf_ipproto_name((unsigned)v);
		if (!name || v > 255) {
			add_int(sb, l, v);
		} else if (json) {
			sb_addc(sb, '"');
			sb_adds(sb, name);
			sb_addc(sb, '"');
		} else {
			sb_adds(sb, name);
		}
		return true;
	case TV_FMT_TCPFLAGS:
		/* JSON: "SYN|ACK", "" for none (text: 0) */
		if (json)
			sb_addc(sb, '"');
		if (!json || v)
			nf_add_tcpflags(sb, (uint64_t)v);
		if (json)
			sb_addc(sb, '"');
		return true;
	case TV_FMT_IFINDEX:
		if (!json && !(l->plan->flags & (TV_TEXT_EXACT | TV_NUMERIC)) &&
		    v <= UINT32_MAX && !l->is_signed &&
		    nf_ifname((uint32_t)v, ifname)) {
			/* names are [^ /:] and short: print as they are */
			tv_add_cstr(sb, ifname, strlen(ifname), false);
		} else {
			add_int(sb, l, v);
		}
		return true;
	case TV_FMT_KTIME:
		add_ktime(sb, l, v, json);
		return true;
	case TV_FMT_HEX:
		/* JSON: a hex integer is the number it is; bytes a string */
		if (json && l->kind != TV_KIND_BYTES) {
			add_int(sb, l, v);
			return true;
		}
		if (json)
			sb_addc(sb, '"');
		if (l->kind == TV_KIND_BYTES) {
			sb_add(sb, "0x", 2);
			sb_add_hex(sb, p, l->elem_size);
		} else {
			add_hex_num(sb, v);
		}
		if (json)
			sb_addc(sb, '"');
		return true;
	default:
		return false;	/* port, be, counter: plain numbers */
	}
}

static void add_elem(struct strbuf *sb, const struct tv_leaf *l,
		     const void *rec, uint32_t i, bool json)
{
	const uint8_t *p = (const uint8_t *)rec + l->offset +
			   (size_t)i * l->elem_size;
	tv_u128 v = 0;
	const char *name;

	if (l->kind != TV_KIND_BYTES && l->kind != TV_KIND_FLOAT)
		v = tv_elem_get(l, rec, i);
	if (l->fmt != TV_FMT_NONE && add_fmt(sb, l, p, v, json))
		return;
	switch (l->kind) {
	case TV_KIND_UINT:
	case TV_KIND_SINT:
	case TV_KIND_CHAR:
		add_int(sb, l, v);
		return;
	case TV_KIND_BOOL:
		/* Only 0 and 1 are booleans; anything else stays exact. */
		if (v == 0)
			sb_add(sb, "false", 5);
		else if (v == 1)
			sb_add(sb, "true", 4);
		else
			add_int(sb, l, v);
		return;
	case TV_KIND_ENUM:
		name = (l->plan->flags & TV_NUMERIC) ? NULL
			: tv_enum_name(l->etab, enum_key(l, v));
		if (!name) {
			add_int(sb, l, v);
		} else if (json) {
			sb_add_json_str(sb, name, strlen(name));
		} else {
			sb_adds(sb, name);
		}
		return;
	case TV_KIND_FLOAT:
		add_float(sb, l, p, json);
		return;
	case TV_KIND_PTR:
		/* JSON: the address as a number, as bpftool has it */
		if (json)
			tv_add_u128(sb, v);
		else
			add_hex_num(sb, v);
		return;
	case TV_KIND_BYTES:
		if (json)
			sb_addc(sb, '"');
		sb_add(sb, "0x", 2);
		sb_add_hex(sb, p, l->elem_size);
		if (json)
			sb_addc(sb, '"');
		return;
	}
}

void tv_elem_text(const struct tv_leaf *l, const void *rec, uint32_t i,
		  struct strbuf *sb)
{
	add_elem(sb, l, rec, i, false);
}

void tv_elem_json(const struct tv_leaf *l, const void *rec, uint32_t i,
		  struct jw *jw)
{
	jw_value_begin(jw);
	add_elem(jw->out, l, rec, i, true);
}

/* Characters that never need quoting in the text form: anything else
 * would collide with the separators the parser looks for. */
static bool needs_quote(const uint8_t *s, size_t n)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == ':' || c == '/' || c == '@' || c == '+' || c == '-'))
			return true;
	}
	return false;
}

/* A string's bytes after its NUL are not lost: the root writes them in
 * "@uncovered" (tv_add_uncovered), which every parser reads back. */
static void add_chars(struct strbuf *sb, const uint8_t *p, uint32_t n,
		      bool json)
{
	if (tv_is_string(p, n)) {
		size_t len = strnlen((const char *)p, n);

		if (json)
			sb_add_json_str(sb, (const char *)p, len);
		else
			tv_add_cstr(sb, (const char *)p, len,
				    needs_quote(p, len));
		return;
	}
	if (json)
		sb_addc(sb, '"');
	sb_add(sb, "0x", 2);
	sb_add_hex(sb, p, n);
	if (json)
		sb_addc(sb, '"');
}

/* One dimension of an array leaf: [a,b,...]; for char arrays the last
 * dimension is a string. */
static void add_dim(const struct tv_leaf *l, const void *rec, int level,
		    uint32_t base, struct strbuf *sb, struct jw *jw)
{
	uint32_t stride = 1, n = l->dims[level];

	if (l->kind == TV_KIND_CHAR && level == l->ndims - 1) {
		if (jw)
			jw_value_begin(jw);
		add_chars(sb, (const uint8_t *)rec + l->offset + base, n, !!jw);
		return;
	}
	for (int k = level + 1; k < l->ndims; k++)
		stride *= l->dims[k];
	if (jw)
		jw_start_array(jw);
	else
		sb_addc(sb, '[');
	for (uint32_t j = 0; j < n; j++) {
		if (!jw && j)
			sb_addc(sb, ',');
		if (level + 1 < l->ndims)
			add_dim(l, rec, level + 1, base + j * stride, sb, jw);
		else if (jw)
			tv_elem_json(l, rec, base + j, jw);
		else
			add_elem(sb, l, rec, base + j, false);
	}
	if (jw)
		jw_end_array(jw);
	else
		sb_addc(sb, ']');
}

void tv_leaf_format_text(const struct tv_leaf *l, const void *rec,
			 struct strbuf *sb)
{
	if (l->plan && l->plan->raw) {
		/* bpftool's plain form: "0a 00 00 01" */
		const uint8_t *p = (const uint8_t *)rec + l->offset;

		for (uint32_t i = 0; i < l->elem_size; i++) {
			if (i)
				sb_addc(sb, ' ');
			sb_add_hex(sb, p + i, 1);
		}
		return;
	}
	if (!l->ndims)
		add_elem(sb, l, rec, 0, false);
	else
		add_dim(l, rec, 0, 0, sb, NULL);
}

void tv_leaf_format_json(const struct tv_leaf *l, const void *rec,
			 struct jw *jw)
{
	if (l->plan && l->plan->raw) {
		/* bpftool's JSON form: ["0x0a","0x00",...] */
		const uint8_t *p = (const uint8_t *)rec + l->offset;

		jw_start_array(jw);
		for (uint32_t i = 0; i < l->elem_size; i++) {
			char e[4] = { '0', 'x', hexdig[p[i] >> 4],
				      hexdig[p[i] & 15] };

			jw_string_n(jw, e, 4);
		}
		jw_end_array(jw);
		return;
	}
	if (!l->ndims)
		tv_elem_json(l, rec, 0, jw);
	else
		add_dim(l, rec, 0, 0, jw->out, jw);
}

static bool is_zero(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void text_node(const struct tv_plan *p, uint32_t idx,
		      const void *data, struct strbuf *sb)
{
	const struct tv_node *n = &p->nodes[idx];
	bool first = true;

	switch (n->type) {
	case TV_N_LEAF:
		tv_leaf_format_text(&p->leaves[n->leaf], data, sb);
		return;
	case TV_N_STRUCT:
	case TV_N_UNION:
		sb_addc(sb, '{');
		for (uint32_t c = idx + 1; c < n->end; c = p->nodes[c].end) {
			const struct tv_node *ch = &p->nodes[c];

			/* padding shows only when it is not zero */
			if (ch->is_padding && is_zero((const uint8_t *)data +
						      ch->offset, ch->size))
				continue;
			if (!first)
				sb_addc(sb, ' ');
			first = false;
			sb_add(sb, ch->name, ch->name_len);
			sb_addc(sb, '=');
			text_node(p, c, data, sb);
		}
		if (!idx) {
			size_t at = sb->len;

			sb_adds(sb, first ? TV_UNCOVERED "=" : " " TV_UNCOVERED "=");
			if (!tv_add_uncovered(p, data, sb))
				sb->len = at, sb->buf[at] = '\0';
		}
		sb_addc(sb, '}');
		return;
	case TV_N_ARRAY:
		sb_addc(sb, '[');
		for (uint32_t c = idx + 1; c < n->end; c = p->nodes[c].end) {
			if (!first)
				sb_addc(sb, ',');
			first = false;
			text_node(p, c, data, sb);
		}
		sb_addc(sb, ']');
		return;
	}
}

const uint8_t *tv_plan_dmask(const struct tv_plan *cp)
{
	struct tv_plan *p = (struct tv_plan *)cp;	/* a cache */

	if (!p->dmask && !p->dmask_full) {
		uint8_t *m = tv_arena_alloc(&p->arena, p->size ? p->size : 1);
		uint32_t i;

		memset(m, 0, p->size);
		for (i = 0; i < p->nleaves; i++) {
			const struct tv_leaf *l = &p->leaves[i];

			/* (padding fields are named: JSON writes them,
			 * text when not zero) */
			if (l->in_union_alt)
				continue;
			if (!l->bit_size) {
				memset(m + l->offset, 0xff, l->size);
				continue;
			}
			for (uint32_t k = 0; k < l->bit_size; k++) {
				uint32_t bit = l->bit_offset + k;

				m[l->offset + bit / 8] |= (uint8_t)(1u << (bit % 8));
			}
		}
		for (i = 0; i < p->size && m[i] == 0xff; i++)
			;
		if (i == p->size)
			p->dmask_full = true;
		else
			p->dmask = m;
	}
	return p->dmask;
}

bool tv_plan_may_uncover(const struct tv_plan *cp)
{
	struct tv_plan *p = (struct tv_plan *)cp;	/* a cache */

	if (!p->chars_done) {
		for (uint32_t i = 0; i < p->nleaves; i++)
			if (p->leaves[i].kind == TV_KIND_CHAR &&
			    p->leaves[i].ndims && !p->leaves[i].is_padding &&
			    !p->leaves[i].in_union_alt)
				p->has_chars = true;
		p->chars_done = true;
	}
	return p->has_chars || tv_plan_dmask(p);
}

/* The bytes after the first NUL of each char array row that prints as a
 * string (tv_is_string): its text does not carry them. */
static bool string_tails(const struct tv_plan *p, const uint8_t *r,
			 uint8_t *tail)
{
	bool any = false;

	for (uint32_t i = 0; i < p->nleaves; i++) {
		const struct tv_leaf *l = &p->leaves[i];
		uint32_t len;

		if (l->kind != TV_KIND_CHAR || !l->ndims || l->is_padding ||
		    l->in_union_alt)
			continue;
		len = l->dims[l->ndims - 1];
		for (uint32_t row = 0; len && row < l->nelems; row += len) {
			const uint8_t *q = r + l->offset + row;
			const uint8_t *z = memchr(q, 0, len);

			if (!z || !tv_is_string(q, len))
				continue;
			for (const uint8_t *e = z; e < q + len; e++)
				any |= *e != 0;
			if (tail)
				memset(tail + l->offset + row + (z - q), 1,
				       len - (uint32_t)(z - q));
		}
	}
	return any;
}

static bool add_uncovered(const struct tv_plan *p, const void *rec,
			  struct strbuf *sb, bool tails)
{
	const uint8_t *m = tv_plan_dmask(p), *r = rec;
	uint8_t *tail = NULL;
	uint32_t last = 0;

	if (!tv_plan_may_uncover(p))
		return false;
	/* (a tail of zeros adds nothing: no copy to mark them in) */
	if (tails && p->has_chars && string_tails(p, r, NULL)) {
		tail = calloc(p->size ? p->size : 1, 1);
		if (!tail)
			abort();
		string_tails(p, r, tail);
	}
#define UNC(i) ((uint8_t)(tail && tail[i] ? r[i] : m ? r[i] & ~m[i] : 0))
	for (uint32_t i = 0; i < p->size; i++)
		if (UNC(i))
			last = i + 1;
	if (last) {
		sb_add(sb, "0x", 2);
		for (uint32_t i = 0; i < last; i++) {
			uint8_t b = UNC(i);

			sb_add_hex(sb, &b, 1);
		}
	}
#undef UNC
	free(tail);
	return last != 0;
}

bool tv_add_uncovered(const struct tv_plan *p, const void *rec,
		      struct strbuf *sb)
{
	return add_uncovered(p, rec, sb, true);
}

bool tv_add_uncovered_holes(const struct tv_plan *p, const void *rec,
			    struct strbuf *sb)
{
	return add_uncovered(p, rec, sb, false);
}

void tv_apply_uncovered(const struct tv_plan *p, uint8_t *buf,
			const uint8_t *unc)
{
	const uint8_t *m = tv_plan_dmask(p);

	/* the named bits stay the fields' */
	for (uint32_t i = 0; m && i < p->size; i++)
		buf[i] = (uint8_t)((buf[i] & m[i]) | (unc[i] & ~m[i]));
	tv_plan_may_uncover(p);
	/* a char row written as a string ends in NULs: its tail is here */
	for (uint32_t i = 0; p->has_chars && i < p->nleaves; i++) {
		const struct tv_leaf *l = &p->leaves[i];
		uint32_t len;

		if (l->kind != TV_KIND_CHAR || !l->ndims || l->is_padding ||
		    l->in_union_alt)
			continue;
		len = l->dims[l->ndims - 1];
		for (uint32_t row = 0; len && row < l->nelems; row += len) {
			uint8_t *q = buf + l->offset + row;
			uint8_t *z = memchr(q, 0, len);
			uint32_t k;

			if (!z)
				continue;
			for (k = (uint32_t)(z - q); k < len && !q[k]; k++)
				;
			if (k == len)
				memcpy(z, unc + l->offset + row + (z - q),
				       len - (uint32_t)(z - q));
		}
	}
}

bool tv_node_alt(const struct tv_plan *p, uint32_t idx)
{
	bool any = false;

	for (uint32_t k = idx; k < p->nodes[idx].end; k++) {
		if (p->nodes[k].type != TV_N_LEAF)
			continue;
		if (!p->leaves[p->nodes[k].leaf].in_union_alt)
			return false;
		any = true;
	}
	return any;
}

static void json_node(const struct tv_plan *p, uint32_t idx,
		      const void *data, struct jw *jw)
{
	const struct tv_node *n = &p->nodes[idx];

	switch (n->type) {
	case TV_N_LEAF:
		tv_leaf_format_json(&p->leaves[n->leaf], data, jw);
		return;
	case TV_N_STRUCT:
	case TV_N_UNION:
		jw_start_object(jw);
		for (uint32_t c = idx + 1; c < n->end; c = p->nodes[c].end) {
			const struct tv_node *ch = &p->nodes[c];

			if (tv_node_alt(p, c))
				continue;
			jw_name_quoted(jw, ch->jname, ch->jname_len);
			json_node(p, c, data, jw);
		}
		if (!idx && tv_plan_may_uncover(p)) {
			struct strbuf u = STRBUF_INIT;

			if (tv_add_uncovered(p, data, &u)) {
				jw_name_quoted(jw, "\"" TV_UNCOVERED "\"",
					       TV_UNCOVERED_LEN + 2);
				jw_string_n(jw, sb_str(&u), u.len);
			}
			sb_free(&u);
		}
		jw_end_object(jw);
		return;
	case TV_N_ARRAY:
		jw_start_array(jw);
		for (uint32_t c = idx + 1; c < n->end; c = p->nodes[c].end)
			json_node(p, c, data, jw);
		jw_end_array(jw);
		return;
	}
}

void tv_format_text(const struct tv_plan *p, const void *data,
		    struct strbuf *sb)
{
	if (p->nnodes)
		text_node(p, 0, data, sb);
}

void tv_format_json(const struct tv_plan *p, const void *data, struct jw *jw)
{
	if (p->nnodes)
		json_node(p, 0, data, jw);
	else
		jw_null(jw);
}
