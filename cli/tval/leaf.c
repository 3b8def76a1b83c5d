// SPDX-License-Identifier: GPL-2.0
/* tval_leaf: reading and writing single leaves: raw element access
 * (widths, bitfields, byte order), numeric get/set, typed comparison,
 * leaf lookup by name and per-CPU accumulation. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tval/netfmt.h"
#include "base/suggest.h"
#include "tval/tval_int.h"

static uint64_t bswap64(uint64_t v) { return __builtin_bswap64(v); }

static tv_u128 bswap128(tv_u128 v)
{
	return ((tv_u128)bswap64((uint64_t)v) << 64) | bswap64((uint64_t)(v >> 64));
}

static tv_u128 swap_width(tv_u128 v, uint32_t size)
{
	switch (size) {
	case 2: return __builtin_bswap16((uint16_t)v);
	case 4: return __builtin_bswap32((uint32_t)v);
	case 8: return bswap64((uint64_t)v);
	case 16: return bswap128(v);
	default: return v;
	}
}

static bool net_order(const struct tv_leaf *l)
{
	return l->fmt == TV_FMT_PORT || l->fmt == TV_FMT_BE;
}

unsigned tv_elem_bits(const struct tv_leaf *l)
{
	return l->bit_size ? l->bit_size : l->elem_size * 8;
}

static tv_u128 width_mask(unsigned bits)
{
	return bits >= 128 ? ~(tv_u128)0 : (((tv_u128)1 << bits) - 1);
}

tv_u128 tv_elem_get(const struct tv_leaf *l, const void *rec, uint32_t i)
{
	const uint8_t *p = (const uint8_t *)rec + l->offset +
			   (size_t)i * l->elem_size;
	tv_u128 v = 0;

	if (l->bit_size) {
		/* Little-endian bit numbering: bit k of the value is bit
		 * (bit_offset + k) counting from the first byte's LSB. */
		for (uint32_t k = 0; k < l->size; k++) {
			int pos = (int)(8 * k) - l->bit_offset;

			if (pos < 0)
				v |= (tv_u128)(p[k] >> -pos);
			else if (pos < 128)
				v |= (tv_u128)p[k] << pos;
		}
		return v & width_mask(l->bit_size);
	}
	switch (l->elem_size) {
	case 1: v = p[0]; break;
	case 2: { uint16_t x; memcpy(&x, p, 2); v = x; break; }
	case 4: { uint32_t x; memcpy(&x, p, 4); v = x; break; }
	case 8: { uint64_t x; memcpy(&x, p, 8); v = x; break; }
	case 16: memcpy(&v, p, 16); break;
	default: return 0;
	}
	return net_order(l) ? swap_width(v, l->elem_size) : v;
}

void tv_elem_put(const struct tv_leaf *l, void *rec, uint32_t i, tv_u128 v)
{
	uint8_t *p = (uint8_t *)rec + l->offset + (size_t)i * l->elem_size;

	if (l->bit_size) {
		tv_u128 m = width_mask(l->bit_size);

		v &= m;
		for (uint32_t k = 0; k < l->size; k++) {
			int pos = (int)(8 * k) - l->bit_offset;
			uint8_t bm, bv;

			if (pos < 0) {
				bm = (uint8_t)(m << -pos);
				bv = (uint8_t)(v << -pos);
			} else if (pos < 128) {
				bm = (uint8_t)(m >> pos);
				bv = (uint8_t)(v >> pos);
			} else {
				continue;
			}
			p[k] = (uint8_t)((p[k] & ~bm) | (bv & bm));
		}
		return;
	}
	if (net_order(l))
		v = swap_width(v, l->elem_size);
	switch (l->elem_size) {
	case 1: p[0] = (uint8_t)v; break;
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	case 8: { uint64_t x = (uint64_t)v; memcpy(p, &x, 8); break; }
	case 16: memcpy(p, &v, 16); break;
	default: break;
	}
}

tv_s128 tv_elem_sext(const struct tv_leaf *l, tv_u128 v)
{
	unsigned bits = tv_elem_bits(l);

	if (bits >= 128 || !bits)
		return (tv_s128)v;
	if (v & ((tv_u128)1 << (bits - 1)))
		v |= ~width_mask(bits);
	return (tv_s128)v;
}

bool tv_is_string(const uint8_t *p, uint32_t len)
{
	uint32_t i = 0;

	/* Printable ASCII up to a NUL (bpftool's rule: what follows the NUL,
	 * stale bytes of a longer string, is not shown; an all-zero array is
	 * the empty string). */
	while (i < len && p[i] >= 0x20 && p[i] < 0x7f)
		i++;
	return i < len && !p[i];
}

const char *tv_enum_name(const struct tv_enum_tab *t, uint64_t v)
{
	uint32_t lo = 0, hi = t->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t x = t->sorted[mid].value;
		bool less = t->is_signed ? (int64_t)x < (int64_t)v : x < v;

		if (less)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->sorted[lo].value == v ? t->sorted[lo].name : NULL;
}

void tv_clock(const struct tv_plan *p, uint64_t *mono, uint64_t *real)
{
	if (p->now_mono) {
		*mono = p->now_mono;
		*real = p->now_real;
	} else {
		*mono = nf_now_mono_ns();
		*real = (p->flags & TV_KTIME_WALL) ? nf_now_real_ns() : 0;
	}
}

/* ------------------------------------------------------- numeric access */

static bool int_like(const struct tv_leaf *l)
{
	switch (l->kind) {
	case TV_KIND_UINT:
	case TV_KIND_SINT:
	case TV_KIND_BOOL:
	case TV_KIND_ENUM:
	case TV_KIND_PTR:
	case TV_KIND_CHAR:
		return true;
	default:
		return false;
	}
}

double tv_leaf_get_double(const struct tv_leaf *l, const void *rec,
			  uint32_t i)
{
	const uint8_t *p = (const uint8_t *)rec + l->offset +
			   (size_t)i * l->elem_size;

	if (l->elem_size == 4) {
		float f;

		memcpy(&f, p, 4);
		return f;
	}
	double d;

	memcpy(&d, p, 8);
	return d;
}

static uint64_t be_bytes(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n && i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

uint64_t tv_leaf_get_u64(const struct tv_leaf *l, const void *rec)
{
	if (int_like(l)) {
		tv_u128 v = tv_elem_get(l, rec, 0);

		if (l->is_signed)
			return (uint64_t)(int64_t)tv_elem_sext(l, v);
		return (uint64_t)v;
	}
	if (l->kind == TV_KIND_FLOAT) {
		double d = tv_leaf_get_double(l, rec, 0);

		if (!(d > 0))		/* also NaN */
			return 0;
		return d >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)d;
	}
	/* Addresses read as the big-endian number they spell. */
	return be_bytes((const uint8_t *)rec + l->offset,
			l->elem_size < 8 ? l->elem_size : 8);
}

int64_t tv_leaf_get_i64(const struct tv_leaf *l, const void *rec)
{
	if (l->kind == TV_KIND_FLOAT) {
		double d = tv_leaf_get_double(l, rec, 0);

		if (d != d)
			return 0;
		if (d >= 9223372036854775807.0)
			return INT64_MAX;
		if (d <= -9223372036854775808.0)
			return INT64_MIN;
		return (int64_t)d;
	}
	return (int64_t)tv_leaf_get_u64(l, rec);
}

void tv_leaf_set_u64(const struct tv_leaf *l, void *rec, uint64_t v)
{
	if (int_like(l)) {
		tv_elem_put(l, rec, 0, l->is_signed ? (tv_u128)(tv_s128)(int64_t)v
						    : (tv_u128)v);
	} else if (l->kind == TV_KIND_FLOAT) {
		uint8_t *p = (uint8_t *)rec + l->offset;

		if (l->elem_size == 4) {
			float f = (float)v;

			memcpy(p, &f, 4);
		} else {
			double d = (double)v;

			memcpy(p, &d, 8);
		}
	}
}

bool tv_leaf_is_numeric(const struct tv_leaf *l)
{
	if (l->ndims || l->nelems != 1)
		return false;
	return (int_like(l) && l->kind != TV_KIND_CHAR) ||
	       l->kind == TV_KIND_FLOAT;
}

static int cmp_elem(const struct tv_leaf *l, const void *a, const void *b,
		    uint32_t i)
{
	if (l->kind == TV_KIND_FLOAT) {
		double x = tv_leaf_get_double(l, a, i);
		double y = tv_leaf_get_double(l, b, i);

		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (int_like(l)) {
		tv_u128 x = tv_elem_get(l, a, i), y = tv_elem_get(l, b, i);

		if (l->is_signed) {
			tv_s128 sx = tv_elem_sext(l, x), sy = tv_elem_sext(l, y);

			return sx < sy ? -1 : sx > sy ? 1 : 0;
		}
		return x < y ? -1 : x > y ? 1 : 0;
	}
	/* bytes and addresses: network order compares as numbers */
	int r = memcmp((const uint8_t *)a + l->offset + (size_t)i * l->elem_size,
		       (const uint8_t *)b + l->offset + (size_t)i * l->elem_size,
		       l->elem_size);

	return r < 0 ? -1 : r > 0;
}

int tv_leaf_cmp(const struct tv_leaf *l, const void *a, const void *b)
{
	if (l->kind == TV_KIND_CHAR && l->ndims) {
		uint32_t w = l->dims[l->ndims - 1];

		/* What is shown: strings up to their NUL, anything else
		 * (shown as hex) by every byte. */
		for (uint32_t i = 0; i < l->nelems; i += w) {
			const uint8_t *x = (const uint8_t *)a + l->offset + i;
			const uint8_t *y = (const uint8_t *)b + l->offset + i;
			int r = tv_is_string(x, w) && tv_is_string(y, w)
				? strncmp((const char *)x, (const char *)y, w)
				: memcmp(x, y, w);

			if (r)
				return r < 0 ? -1 : 1;
		}
		return 0;
	}
	for (uint32_t i = 0; i < l->nelems; i++) {
		int r = cmp_elem(l, a, b, i);

		if (r)
			return r;
	}
	return 0;
}

/* --------------------------------------------------------------- lookup */

const struct tv_leaf *tv_find_leaf(const struct tv_plan *p, const char *name,
				   const char **suggest)
{
	const struct tv_leaf *ci = NULL;
	struct sg_best best;

	if (suggest)
		*suggest = NULL;
	for (uint32_t i = 0; i < p->nleaves; i++) {
		if (!strcmp(p->leaves[i].name, name))
			return &p->leaves[i];
		if (!ci && !strcasecmp(p->leaves[i].name, name))
			ci = &p->leaves[i];
	}
	if (ci || !suggest)
		return ci;
	sg_init(&best, name);
	for (uint32_t i = 0; i < p->nleaves; i++) {
		const char *n = p->leaves[i].name;
		const char *last = strrchr(n, '.');

		/* "x" for "inner.x" is a likely slip too. */
		if (last && !strcmp(last + 1, name)) {
			*suggest = n;
			return NULL;
		}
		sg_offer(&best, n);
	}
	*suggest = best.best;
	return NULL;
}

/* -------------------------------------------------------------- per-CPU */

void tv_plan_accumulate(const struct tv_plan *p, void *acc, const void *rec)
{
	for (uint32_t li = 0; li < p->nleaves; li++) {
		const struct tv_leaf *l = &p->leaves[li];
		enum tv_fold fold = tv_leaf_fold(p, l);

		for (uint32_t i = 0; fold != TV_FOLD_NONE && i < l->nelems; i++) {
			tv_u128 a = tv_elem_get(l, acc, i);
			tv_u128 b = tv_elem_get(l, rec, i);

			switch (fold) {
			case TV_FOLD_SUM:
				tv_elem_put(l, acc, i, a + b);
				break;
			case TV_FOLD_MAX:
				if (b > a)
					tv_elem_put(l, acc, i, b);
				break;
			case TV_FOLD_OR:
				tv_elem_put(l, acc, i, a | b);
				break;
			case TV_FOLD_NONE:
				break;
			}
		}
	}
}
