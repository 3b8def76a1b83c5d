// SPDX-License-Identifier: GPL-2.0
/* tval_scalar: one typed value from text to bytes: integers of any width
 * and base with range checks, enum names, addresses, protocol names, tcp
 * flags, interfaces, times, floats, strings. Every error names the token,
 * the field and what would have been accepted. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tval/netfmt.h"
#include "base/suggest.h"
#include "tval/tval_int.h"

#define MAX_SHOWN 64	/* longest token quoted back in a message */

int tv_parse_int(const char *s, size_t n, tv_u128 *mag, bool *neg,
		 size_t *bad)
{
	size_t i = 0, start;
	unsigned base = 10;
	tv_u128 v = 0;
	bool overflow = false;

	*neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		*neg = s[i++] == '-';
	if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (i + 1 < n && s[i] == '0' &&
		   (s[i + 1] == 'b' || s[i + 1] == 'B')) {
		base = 2;
		i += 2;
	} else if (i + 1 < n && s[i] == '0') {
		base = 8;
		i++;
	}
	start = i;
	for (; i < n; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if ((unsigned)d >= base)
			break;
		if (v > (~(tv_u128)0 - (unsigned)d) / base)
			overflow = true;
		v = v * base + (unsigned)d;
	}
	/* "0" alone is octal with no digits after the prefix: still 0. */
	if (i == start && !(base == 8 && start > 0)) {
		*bad = i;
		return -EINVAL;
	}
	if (i < n) {
		*bad = i;
		return -EINVAL;
	}
	if (overflow)
		return -ERANGE;
	*mag = v;
	return 0;
}

void tv_range_name(const struct tv_leaf *l, struct strbuf *sb)
{
	if (l->fmt == TV_FMT_PORT || l->fmt == TV_FMT_BE) {
		/* network-order fields take host-order numbers */
		if (l->elem_size == 16)
			sb_adds(sb, "unsigned __int128");
		else
			sb_addf(sb, "__u%u", l->elem_size * 8);
		return;
	}
	sb_adds(sb, l->type_name ? l->type_name : "value");
	if (l->bit_size)
		sb_addf(sb, ":%u", l->bit_size);
}

/* Echo user input in a message: kept as typed except that control and
 * non-ASCII bytes are escaped (messages are one printable line), and
 * shortened when long. */
void tv_add_shown(struct strbuf *err, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t lim = n > MAX_SHOWN ? MAX_SHOWN - 3 : n;

	for (size_t i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			sb_addc(err, (char)c);
		} else if (c == '\n') {
			sb_add(err, "\\n", 2);
		} else if (c == '\t') {
			sb_add(err, "\\t", 2);
		} else {
			char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

			sb_add(err, e, 4);
		}
	}
	if (lim < n)
		sb_adds(err, "...");
}

void tv_err_prefix(struct strbuf *err, const struct tv_leaf *l, uint32_t i,
		   bool chars, const char *path, const char *s, size_t n)
{
	size_t before = err->len;

	if (l) {
		/* element i of an array leaf: name[a][b] */
		int nd = l->ndims - (chars ? 1 : 0);
		uint32_t idx[TV_MAX_DIMS], rest = i;

		sb_adds(err, l->name);
		if (chars && l->ndims)
			rest /= l->dims[l->ndims - 1];
		for (int k = nd - 1; k >= 0; k--) {
			idx[k] = rest % l->dims[k];
			rest /= l->dims[k];
		}
		for (int k = 0; k < nd; k++)
			sb_addf(err, "[%u]", idx[k]);
	} else if (path) {
		sb_adds(err, path);
	}
	/* a scalar plan's root has no name: the token is the value alone */
	if (err->len > before)
		sb_addc(err, '=');
	tv_add_shown(err, s, n);
	sb_add(err, ": ", 2);
}

static int verr(const struct tv_leaf *l, uint32_t i, bool chars,
		const char *s, size_t n, struct strbuf *err, const char *fmt,
		va_list ap)
{
	tv_err_prefix(err, l, i, chars, NULL, s, n);
	sb_vaddf(err, fmt, ap);
	return -1;
}

static int perr(const struct tv_leaf *l, uint32_t i, const char *s, size_t n,
		struct strbuf *err, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int perr(const struct tv_leaf *l, uint32_t i, const char *s, size_t n,
		struct strbuf *err, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verr(l, i, false, s, n, err, fmt, ap);
	va_end(ap);
	return r;
}

/* " (0..65535)" / " (-16..15)" */
static void add_range(struct strbuf *err, unsigned bits, bool sign)
{
	sb_adds(err, " (");
	if (sign) {
		sb_addc(err, '-');
		tv_add_u128(err, (tv_u128)1 << (bits - 1));
		sb_add(err, "..", 2);
		tv_add_u128(err, ((tv_u128)1 << (bits - 1)) - 1);
	} else {
		sb_add(err, "0..", 3);
		tv_add_u128(err, bits >= 128 ? ~(tv_u128)0
					     : ((tv_u128)1 << bits) - 1);
	}
	sb_addc(err, ')');
}

static int range_err(const struct tv_leaf *l, uint32_t i, const char *s,
		     size_t n, struct strbuf *err, unsigned bits, bool sign)
{
	tv_err_prefix(err, l, i, false, NULL, s, n);
	sb_adds(err, "out of range for ");
	tv_range_name(l, err);
	add_range(err, bits, sign);
	return -1;
}

/* An integer for leaf l, range-checked against its width and signedness;
 * *out receives the two's complement bits. */
static int parse_num(const struct tv_leaf *l, uint32_t i, const char *s,
		     size_t n, bool sign, struct strbuf *err, tv_u128 *out)
{
	unsigned bits = tv_elem_bits(l);
	tv_u128 mag;
	size_t bad = 0;
	bool neg;
	int r = tv_parse_int(s, n, &mag, &neg, &bad);

	if (r == -EINVAL) {
		size_t digits = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;

		if (bad > digits && bad < n) {
			tv_err_prefix(err, l, i, false, NULL, s, n);
			sb_adds(err, "trailing characters '");
			tv_add_shown(err, s + bad, n - bad);
			sb_adds(err, "' after number");
			return -1;
		}
		tv_err_prefix(err, l, i, false, NULL, s, n);
		sb_adds(err, "expected an integer for ");
		tv_range_name(l, err);
		add_range(err, bits, sign);
		return -1;
	}
	if (r == -ERANGE)
		return range_err(l, i, s, n, err, bits, sign);
	if (sign && l->fmt == TV_FMT_HEX && !neg && bits < 128 &&
	    mag <= (((tv_u128)1 << bits) - 1)) {
		/* what a signed hex field prints: its bits (0xff for -1) */
		*out = mag;
	} else if (sign) {
		tv_u128 lim = (tv_u128)1 << (bits - 1);

		if (neg ? mag > lim : mag >= lim)
			return range_err(l, i, s, n, err, bits, sign);
		*out = neg ? (tv_u128)0 - mag : mag;
	} else {
		if ((neg && mag) ||
		    (bits < 128 && mag > (((tv_u128)1 << bits) - 1)))
			return range_err(l, i, s, n, err, bits, sign);
		*out = mag;
	}
	return 0;
}

static bool starts_numeric(const char *s)
{
	return isdigit((unsigned char)s[0]) ||
	       ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]));
}

static int parse_enum(const struct tv_leaf *l, uint32_t i, const char *v,
		      size_t n, struct strbuf *err, tv_u128 *out)
{
	const struct tv_enum_tab *t = l->etab;
	struct sg_best best;
	uint32_t k;

	/* A number means the number, even where the prefix-stripped name of
	 * an enumerator (LVL_1 -> "1") spells it. */
	if (starts_numeric(v))
		return parse_num(l, i, v, n, l->is_signed, err, out);
	for (k = 0; k < t->n; k++)
		if (!strcmp(v, t->decl[k].name))
			goto found;
	for (k = 0; k < t->n; k++)
		if (!strcasecmp(v, t->decl[k].name) ||
		    !strcasecmp(v, t->decl[k].name + t->prefix_len))
			goto found;
	tv_err_prefix(err, l, i, false, NULL, v, n);
	sb_addf(err, "%s has no value '", t->type_name);
	tv_add_shown(err, v, n);
	sb_adds(err, "' (expected ");
	for (k = 0; k < t->n && k < 8; k++)
		sb_addf(err, "%s, ", t->decl[k].name);
	if (t->n > 8)
		sb_adds(err, "..., ");
	sb_adds(err, "or a number)");
	/* typos of either spelling point at the full name */
	sg_init(&best, v);
	for (k = 0; k < t->n; k++)
		sg_offer(&best, t->decl[k].name + t->prefix_len);
	for (k = 0; k < t->n; k++)
		sg_offer(&best, t->decl[k].name);
	for (k = 0; best.best && k < t->n; k++)
		if (best.best == t->decl[k].name + t->prefix_len ||
		    best.best == t->decl[k].name) {
			sb_addf(err, " (did you mean '%s'?)", t->decl[k].name);
			break;
		}
	return -1;
found:
	*out = t->is_signed ? (tv_u128)(tv_s128)(int64_t)t->decl[k].value
			    : (tv_u128)t->decl[k].value;
	/* The enum's own values may not fit a narrower bitfield. */
	if (tv_elem_bits(l) < 128 && !t->is_signed &&
	    *out > (((tv_u128)1 << tv_elem_bits(l)) - 1))
		return range_err(l, i, v, n, err, tv_elem_bits(l), false);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "0x" + exactly 2*len hex digits into out. */
static bool parse_hex_blob(const char *s, size_t n, uint8_t *out, size_t len)
{
	if (n != 2 + 2 * len || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (size_t k = 0; k < len; k++) {
		int h = hexval((unsigned char)s[2 + 2 * k]);
		int lo = hexval((unsigned char)s[3 + 2 * k]);

		if (h < 0 || lo < 0)
			return false;
	}
	for (size_t k = 0; k < len; k++)
		out[k] = (uint8_t)(hexval((unsigned char)s[2 + 2 * k]) * 16 +
				   hexval((unsigned char)s[3 + 2 * k]));
	return true;
}

static int parse_float(const struct tv_leaf *l, uint32_t i, const char *v,
		       size_t n, uint8_t *p, struct strbuf *err)
{
	char *end;

	/* nan:0x<bits>: a NaN other than the default quiet one, exactly */
	if (!strncasecmp(v, "nan:0x", 6)) {
		uint64_t bits = 0;
		size_t nd = strlen(v + 6);

		if (!nd || nd > 2 * l->elem_size ||
		    strspn(v + 6, "0123456789abcdefABCDEF") != nd)
			return perr(l, i, v, n, err,
				    "expected nan:0x and the %u hex digits of a NaN",
				    2 * l->elem_size);
		bits = strtoull(v + 6, NULL, 16);
		if (l->elem_size == 4) {
			uint32_t b = (uint32_t)bits;
			float f;

			memcpy(&f, &b, 4);
			if (!isnan(f))
				return perr(l, i, v, n, err, "not the bits of a NaN");
			memcpy(p, &b, 4);
		} else {
			double d;

			memcpy(&d, &bits, 8);
			if (!isnan(d))
				return perr(l, i, v, n, err, "not the bits of a NaN");
			memcpy(p, &bits, 8);
		}
		return 0;
	}
	errno = 0;
	if (l->elem_size == 4) {
		float f = strtof(v, &end);

		if (end == v || *end)
			goto bad;
		if (errno == ERANGE && isinf(f))
			goto range;
		memcpy(p, &f, 4);
	} else {
		double d = strtod(v, &end);

		if (end == v || *end)
			goto bad;
		if (errno == ERANGE && isinf(d))
			goto range;
		memcpy(p, &d, 8);
	}
	return 0;
bad:
	return perr(l, i, v, n, err, "expected a number for %s", l->type_name);
range:
	return perr(l, i, v, n, err, "out of range for %s", l->type_name);
}

/* Numeric formats that are plain integers on input. */
static int parse_int_fmt(const struct tv_leaf *l, uint32_t i, const char *v,
			 size_t n, struct strbuf *err, tv_u128 *out)
{
	uint64_t x;
	uint32_t idx;
	int proto;

	switch (l->fmt) {
	case TV_FMT_IPPROTO:
		if (starts_numeric(v))
			return parse_num(l, i, v, n, l->is_signed, err, out);
		proto = nf_ipproto_by_name(v);
		if (proto >= 0 && tv_elem_bits(l) < 16 &&
		    proto >= (1 << tv_elem_bits(l)))
			return range_err(l, i, v, n, err, tv_elem_bits(l),
					 false);
		if (proto >= 0) {
			*out = (tv_u128)proto;
			return 0;
		}
		tv_err_prefix(err, l, i, false, NULL, v, n);
		sb_adds(err, "unknown IP protocol '");
		tv_add_shown(err, v, n);
		sb_addf(err, "' (expected a number or a name: %s, ...)",
			nf_ipproto_examples());
		if (nf_ipproto_suggest(v))
			sb_addf(err, " (did you mean '%s'?)",
				nf_ipproto_suggest(v));
		return -1;
	case TV_FMT_TCPFLAGS:
		if (nf_parse_tcpflags(v, &x))
			return perr(l, i, v, n, err,
				    "not TCP flags (expected names like SYN|ACK or syn,ack from FIN SYN RST PSH ACK URG ECE CWR, or a number)");
		if (tv_elem_bits(l) < 64 && x >> tv_elem_bits(l))
			return range_err(l, i, v, n, err, tv_elem_bits(l),
					 false);
		*out = x;
		return 0;
	case TV_FMT_IFINDEX:
		if (starts_numeric(v))
			return parse_num(l, i, v, n, l->is_signed, err, out);
		if (nf_parse_ifindex(v, &idx))
			return perr(l, i, v, n, err,
				    "no such interface (expected an interface name or index)");
		*out = idx;
		return 0;
	case TV_FMT_KTIME: {
		const struct tv_plan *p = l->plan;
		uint64_t mono, real;

		if (!strcmp(v, "-")) {
			*out = 0;
			return 0;
		}
		/* a number, unless it is an ISO time (which starts with one) */
		if (starts_numeric(v) && !strchr(v, 'T'))
			return parse_num(l, i, v, n, false, err, out);
		if (!strcmp(v, "now")) {
			tv_clock(p, &mono, &real);
			*out = mono;
			return 0;
		}
		tv_clock(p, &mono, &real);
		if (!real)
			real = nf_now_real_ns();
		if (!nf_parse_walltime(v, mono, real, &x)) {
			*out = x;
			return 0;
		}
		return perr(l, i, v, n, err,
			    "not a time (expected ns of CLOCK_MONOTONIC, 'now', '-' or an ISO time like 2024-05-01T12:00:00Z)");
	}
	default:
		return parse_num(l, i, v, n, l->is_signed, err, out);
	}
}

/* A number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * (no 0x, no +, no leading zeros: JSON numbers are decimal). */
static bool json_number(const char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
	else
		return false;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && isdigit((unsigned char)s[i]); i++)
			;
		if (i == d)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && isdigit((unsigned char)s[i]); i++)
			;
		if (i == d)
			return false;
	}
	return i == n;
}

int tv_parse_elem(const struct tv_leaf *l, void *rec, uint32_t i,
		  const char *s, size_t n, enum tv_src src, struct strbuf *err)
{
	if (src == TV_SRC_JSON_NUM && !json_number(s, n))
		return perr(l, i, s, n, err,
			    "not a JSON number (they are decimal; a string \"0x10\" is read as text)");
	uint8_t *p = (uint8_t *)rec + l->offset + (size_t)i * l->elem_size;
	uint8_t tmp[16];
	char v[160];
	tv_u128 x = 0;

	if (l->kind == TV_KIND_BYTES && l->fmt != TV_FMT_IPV4 &&
	    l->fmt != TV_FMT_IPV6 && l->fmt != TV_FMT_MAC) {
		/* blobs can be long: checked in place, written at the end */
		if (n != 2 + 2 * (size_t)l->elem_size ||
		    !parse_hex_blob(s, n, p, l->elem_size))
			return perr(l, i, s, n, err,
				    "expected 0x followed by %u hex digits",
				    2 * l->elem_size);
		return 0;
	}
	/* JSON's "" is TCP flags none set (what -j prints for 0) */
	if (!n && l->fmt == TV_FMT_TCPFLAGS && src == TV_SRC_JSON_STR) {
		tv_elem_put(l, rec, i, 0);
		return 0;
	}
	if (!n)
		return perr(l, i, s, n, err, "missing value");
	if (n >= sizeof(v) || memchr(s, '\0', n))
		return perr(l, i, s, n, err, "not a valid value for %s",
			    l->type_name);
	memcpy(v, s, n);
	v[n] = '\0';

	/* A guessed address (num_ip-like names) still takes a plain number:
	 * the integer its C type holds, in host order. */
	if (l->fmt_src == TV_SRC_GUESS && l->kind == TV_KIND_BYTES &&
	    l->elem_size <= 8 && v[0] >= '0' && v[0] <= '9' &&
	    strspn(v, "0123456789") == n) {
		unsigned long long u;
		char *e;

		errno = 0;
		u = strtoull(v, &e, 10);
		if (errno || *e || (l->elem_size < 8 &&
				    u >> (8 * l->elem_size)))
			return perr(l, i, s, n, err, "out of range for %u bytes",
				    l->elem_size);
		memcpy(p, &u, l->elem_size);
		return 0;
	}
	switch (l->fmt) {
	case TV_FMT_IPV4:
		if (nf_parse_ipv4(v, tmp))
			return perr(l, i, s, n, err, "not an IPv4 address");
		memcpy(p, tmp, 4);
		return 0;
	case TV_FMT_IPV6:
		if (nf_parse_ipv6(v, tmp))
			return perr(l, i, s, n, err, "not an IPv6 address");
		memcpy(p, tmp, 16);
		return 0;
	case TV_FMT_MAC:
		if (nf_parse_mac(v, tmp))
			return perr(l, i, s, n, err,
				    "not a MAC address (expected aa:bb:cc:dd:ee:ff)");
		memcpy(p, tmp, 6);
		return 0;
	case TV_FMT_IPPROTO:
	case TV_FMT_TCPFLAGS:
	case TV_FMT_IFINDEX:
	case TV_FMT_KTIME:
		if (parse_int_fmt(l, i, v, n, err, &x))
			return -1;
		tv_elem_put(l, rec, i, x);
		return 0;
	default:
		break;
	}

	switch (l->kind) {
	case TV_KIND_BOOL:
		if (!strcasecmp(v, "true"))
			x = 1;
		else if (!strcasecmp(v, "false"))
			x = 0;
		else if (!starts_numeric(v))
			return perr(l, i, s, n, err,
				    "expected true, false or a number");
		else if (parse_num(l, i, v, n, false, err, &x))
			return -1;
		break;
	case TV_KIND_ENUM:
		if (parse_enum(l, i, v, n, err, &x))
			return -1;
		break;
	case TV_KIND_FLOAT:
		return parse_float(l, i, v, n, p, err);
	case TV_KIND_PTR:
		if (parse_num(l, i, v, n, false, err, &x))
			return -1;
		break;
	default:
		/* port/be show host-order unsigned numbers (tv_range_name) */
		if (parse_num(l, i, v, n, l->is_signed && l->fmt != TV_FMT_PORT &&
			      l->fmt != TV_FMT_BE, err, &x))
			return -1;
		break;
	}
	tv_elem_put(l, rec, i, x);
	return 0;
}

int tv_parse_chars(const struct tv_leaf *l, void *rec, uint32_t i,
		   uint32_t len, const char *s, size_t n, enum tv_src src,
		   struct strbuf *err)
{
	uint8_t *p = (uint8_t *)rec + l->offset + i;

	if (src == TV_SRC_JSON_NUM) {
		tv_err_prefix(err, l, i, true, NULL, s, n);
		sb_addf(err, "expected a string for char[%u]", len);
		return -1;
	}
	/* 0x + every byte in hex: longer than any string that fits. */
	if (parse_hex_blob(s, n, p, len))
		return 0;
	if (n >= len) {
		tv_err_prefix(err, l, i, true, NULL, s, n);
		sb_addf(err, "string too long for char[%u] (at most %u characters)",
			len, len - 1);
		return -1;
	}
	memcpy(p, s, n);
	memset(p + n, 0, len - n);
	return 0;
}
