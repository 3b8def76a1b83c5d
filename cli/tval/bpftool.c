// SPDX-License-Identifier: GPL-2.0
/* A BTF value as bpftool's `formatted` JSON shows it (--format bpftool):
 * walked straight from the BTF, no plan, no display formats, so that a jq
 * script written for `bpftool -j map dump` reads mapsh's output the same.
 * The rules bpftool follows (tools/bpf/bpftool/btf_dumper.c):
 *   integers of 8/16/32/64 bits: decimal numbers (signed or not); other
 *     widths, bitfields and 128-bit integers: a "0x.." string of the bits
 *   bool encoding: true/false; char encoding: a one-character string
 *   enums: the enumerator's name, else the number (signed for ENUM)
 *   pointers: the address as a decimal number
 *   structs and unions: an object of every member (unions too)
 *   arrays: a string when the element is a 1-byte char and a NUL comes
 *     before any byte outside 0x20..0x7e, else an array
 *   DATASEC: {"SECTION": [{"var": value}, ...]} (global data maps)
 *   typedefs and modifiers: their type */
#include <stdio.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/btf.h>

#include "tval/tval.h"

typedef unsigned __int128 u128;

static void add_hex128(struct jw *jw, u128 v)
{
	char buf[40];
	uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;

	if (hi)
		snprintf(buf, sizeof(buf), "0x%llx%016llx",
			 (unsigned long long)hi, (unsigned long long)lo);
	else
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)lo);
	jw_string(jw, buf);
}

/* nbits bits from bit bit_off of data (little-endian), as bpftool's
 * bitfield: a hex string. */
static void add_bits(struct jw *jw, const uint8_t *data, unsigned bit_off,
		     unsigned nbits)
{
	u128 v = 0;
	unsigned bytes;

	data += bit_off / 8;
	bit_off %= 8;
	bytes = (bit_off + nbits + 7) / 8;
	if (bytes > 16)
		bytes = 16;
	memcpy(&v, data, bytes);
	v >>= bit_off;
	if (nbits < 128)
		v &= ((u128)1 << nbits) - 1;
	add_hex128(jw, v);
}

static void add_int(struct jw *jw, const struct btf_type *t, unsigned bit_off,
		    const uint8_t *data)
{
	__u32 enc = *(const __u32 *)(t + 1);
	unsigned nbits = BTF_INT_BITS(enc), off = BTF_INT_OFFSET(enc);
	char c;

	if (bit_off || off || nbits % 8) {
		add_bits(jw, data, bit_off + off, nbits);
		return;
	}
	if (nbits == 128) {
		add_bits(jw, data, 0, 128);
		return;
	}
	switch (BTF_INT_ENCODING(enc)) {
	case 0:
	case BTF_INT_SIGNED: {
		bool sig = BTF_INT_ENCODING(enc) == BTF_INT_SIGNED;
		uint64_t u = 0;

		if (nbits != 8 && nbits != 16 && nbits != 32 && nbits != 64) {
			add_bits(jw, data, 0, nbits);
			return;
		}
		memcpy(&u, data, nbits / 8);
		if (sig && nbits < 64 && (u >> (nbits - 1)) & 1)
			u |= ~0ull << nbits;
		if (sig)
			jw_i64(jw, (int64_t)u);
		else
			jw_u64(jw, u);
		return;
	}
	case BTF_INT_CHAR:
		c = (char)data[0];
		if (c >= 0x20 && c < 0x7f) {
			jw_string_n(jw, &c, 1);
		} else {
			char buf[8];

			snprintf(buf, sizeof(buf), "\\u00%02x", (unsigned char)c);
			jw_value_begin(jw);
			sb_addc(jw->out, '"');
			sb_adds(jw->out, buf);
			sb_addc(jw->out, '"');
		}
		return;
	case BTF_INT_BOOL: {
		uint64_t u = 0;

		memcpy(&u, data, t->size < 8 ? t->size : 8);
		jw_bool(jw, u != 0);
		return;
	}
	}
	jw_null(jw);
}

static bool is_string(const struct btf *btf, const struct btf_array *arr,
		      const uint8_t *s)
{
	const struct btf_type *e = btf__type_by_id(btf, arr->type);

	if (!arr->nelems)
		return false;
	while (e && (btf_is_mod(e)))
		e = btf__type_by_id(btf, e->type);
	if (!e || !btf_is_int(e) || e->size != 1)
		return false;
	if (btf_int_encoding(e) != BTF_INT_CHAR &&
	    strcmp(btf__name_by_offset(btf, e->name_off), "char"))
		return false;
	for (__u32 i = 0; i < arr->nelems; i++) {
		if (!s[i])
			return true;
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
	}
	return false;
}

static void add_enum(struct jw *jw, const struct btf *btf,
		     const struct btf_type *t, const uint8_t *data)
{
	const struct btf_enum *e = btf_enum(t);
	int64_t v = 0;
	uint64_t u = 0;

	memcpy(&u, data, t->size <= 8 ? t->size : 8);
	if (t->size && t->size < 8 && (u >> (t->size * 8 - 1)) & 1)
		u |= ~0ull << (t->size * 8);
	v = (int64_t)u;
	for (__u16 i = 0; i < btf_vlen(t); i++) {
		if (v == (int64_t)e[i].val) {
			jw_string(jw, btf__name_by_offset(btf, e[i].name_off));
			return;
		}
	}
	jw_i64(jw, v);
}

static void add_enum64(struct jw *jw, const struct btf *btf,
		       const struct btf_type *t, const uint8_t *data)
{
	const struct btf_enum64 *e = btf_enum64(t);
	uint64_t u = 0;

	memcpy(&u, data, t->size <= 8 ? t->size : 8);
	for (__u16 i = 0; i < btf_vlen(t); i++) {
		if (u == btf_enum64_value(&e[i])) {
			jw_string(jw, btf__name_by_offset(btf, e[i].name_off));
			return;
		}
	}
	if (btf_kflag(t))
		jw_i64(jw, (int64_t)u);
	else
		jw_u64(jw, u);
}

static void dump(struct jw *jw, const struct btf *btf, __u32 id,
		 unsigned bit_off, const uint8_t *data, int depth);

static void add_members(struct jw *jw, const struct btf *btf,
			const struct btf_type *t, const uint8_t *data, int depth)
{
	const struct btf_member *m = btf_members(t);

	jw_start_object(jw);
	for (__u16 i = 0; i < btf_vlen(t); i++) {
		__u32 off = btf_member_bit_offset(t, i);
		__u32 bsz = btf_member_bitfield_size(t, i);

		jw_name(jw, btf__name_by_offset(btf, m[i].name_off));
		if (bsz)
			add_bits(jw, data + off / 8, off % 8, bsz);
		else
			dump(jw, btf, m[i].type, off % 8, data + off / 8, depth + 1);
	}
	jw_end_object(jw);
}

static void dump(struct jw *jw, const struct btf *btf, __u32 id,
		 unsigned bit_off, const uint8_t *data, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t || depth > 32) {
		jw_null(jw);
		return;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		add_int(jw, t, bit_off, data);
		return;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		add_members(jw, btf, t, data, depth);
		return;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		__s64 esz;

		if (is_string(btf, a, data)) {
			jw_string(jw, (const char *)data);
			return;
		}
		esz = btf__resolve_size(btf, a->type);
		jw_start_array(jw);
		for (__u32 i = 0; esz >= 0 && i < a->nelems; i++)
			dump(jw, btf, a->type, 0, data + (size_t)i * (size_t)esz,
			     depth + 1);
		jw_end_array(jw);
		return;
	}
	case BTF_KIND_ENUM:
		add_enum(jw, btf, t, data);
		return;
	case BTF_KIND_ENUM64:
		add_enum64(jw, btf, t, data);
		return;
	case BTF_KIND_PTR: {
		uint64_t u;

		memcpy(&u, data, sizeof(u));
		jw_u64(jw, u);
		return;
	}
	case BTF_KIND_FLOAT: {
		double d;
		float f;

		if (t->size == 4) {
			memcpy(&f, data, 4);
			d = f;
		} else if (t->size == 8) {
			memcpy(&d, data, 8);
		} else {
			jw_null(jw);
			return;
		}
		jw_double(jw, d);
		return;
	}
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		dump(jw, btf, t->type, bit_off, data, depth + 1);
		return;
	case BTF_KIND_VAR:
		jw_start_object(jw);
		jw_name(jw, btf__name_by_offset(btf, t->name_off));
		dump(jw, btf, t->type, bit_off, data, depth + 1);
		jw_end_object(jw);
		return;
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);

		jw_start_object(jw);
		jw_name(jw, btf__name_by_offset(btf, t->name_off));
		jw_start_array(jw);
		for (__u16 i = 0; i < btf_vlen(t); i++)
			dump(jw, btf, v[i].type, 0, data + v[i].offset, depth + 1);
		jw_end_array(jw);
		jw_end_object(jw);
		return;
	}
	default:
		jw_null(jw);
	}
}

void tv_bpftool_json(const struct btf *btf, __u32 type_id, const void *data,
		     struct jw *jw)
{
	dump(jw, btf, type_id, 0, data, 0);
}

void tv_bpftool_hex(const void *data, uint32_t size, struct jw *jw)
{
	static const char hexdig[] = "0123456789abcdef";
	const uint8_t *p = data;

	jw_start_array(jw);
	for (uint32_t i = 0; i < size; i++) {
		char s[4] = { '0', 'x', hexdig[p[i] >> 4], hexdig[p[i] & 15] };

		jw_string_n(jw, s, 4);
	}
	jw_end_array(jw);
}
