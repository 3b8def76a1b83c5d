// SPDX-License-Identifier: GPL-2.0
/* strbuf: growable byte buffer used by every formatter (see strbuf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

/* Every buffer is NUL-terminated once it holds anything; an empty buffer that
 * never grew returns a static "" from sb_str() so callers need no checks. */
static char sb_empty[1];

void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void sb_grow(struct strbuf *sb, size_t n)
{
	size_t need = sb->len + n + 1;	/* +1: the terminating NUL */
	size_t cap;
	char *p;

	if (need < n) {			/* size_t overflow */
		fprintf(stderr, "mapsh: out of memory\n");
		abort();
	}
	if (need <= sb->cap)
		return;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	p = realloc(sb->buf, cap);
	if (!p) {
		fprintf(stderr, "mapsh: out of memory\n");
		abort();
	}
	sb->buf = p;
	sb->cap = cap;
	sb->buf[sb->len] = '\0';
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	/* Try in the free space first; most calls fit and need one pass. */
	sb_grow(sb, 64);
	va_copy(ap2, ap);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

const char sb_digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

void sb_add_u64(struct strbuf *sb, unsigned long long v)
{
	/* formats every number of a dump: straight into the buffer */
	sb_reserve(sb, 20);
	sb->len = (size_t)(sb_put_u64(sb->buf + sb->len, v) - sb->buf);
	sb->buf[sb->len] = '\0';
}

void sb_add_i64(struct strbuf *sb, long long v)
{
	if (v < 0) {
		sb_addc(sb, '-');
		/* Negate in unsigned arithmetic so LLONG_MIN works. */
		sb_add_u64(sb, 0ULL - (unsigned long long)v);
	} else {
		sb_add_u64(sb, (unsigned long long)v);
	}
}

static const char hexdig[] = "0123456789abcdef";

void sb_add_hex(struct strbuf *sb, const void *data, size_t n)
{
	const unsigned char *d = data;
	char *o;

	sb_grow(sb, n * 2);
	o = sb->buf + sb->len;
	for (size_t i = 0; i < n; i++) {
		*o++ = hexdig[d[i] >> 4];
		*o++ = hexdig[d[i] & 15];
	}
	sb->len += n * 2;
	sb->buf[sb->len] = '\0';
}

/* Length of the valid UTF-8 sequence starting at s (at most n bytes), or 0
 * when it is not valid: overlong forms, surrogates and values above
 * U+10FFFF are rejected so that strict JSON parsers accept the output. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp, min;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2; cp = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3; cp = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void sb_add_json_str(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;

	sb_grow(sb, n + 2);
	sb_addc(sb, '"');
	while (i < n) {
		unsigned c = u[i];
		size_t l;

		/* Plain printable ASCII is by far the common case: copy runs. */
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			run++;
			i++;
			continue;
		}
		if (run) {
			sb_add(sb, u + i - run, run);
			run = 0;
		}
		if (c >= 0x80 && (l = utf8_seq_len(u + i, n - i)) > 0) {
			sb_add(sb, u + i, l);
			i += l;
			continue;
		}
		switch (c) {
		case '"':  sb_add(sb, "\\\"", 2); break;
		case '\\': sb_add(sb, "\\\\", 2); break;
		case '\n': sb_add(sb, "\\n", 2); break;
		case '\t': sb_add(sb, "\\t", 2); break;
		case '\r': sb_add(sb, "\\r", 2); break;
		case '\b': sb_add(sb, "\\b", 2); break;
		case '\f': sb_add(sb, "\\f", 2); break;
		default: {
			char e[6] = { '\\', 'u', '0', '0', hexdig[c >> 4], hexdig[c & 15] };

			sb_add(sb, e, 6);
		}
		}
		i++;
	}
	if (run)
		sb_add(sb, u + i - run, run);
	sb_addc(sb, '"');
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : sb_empty;
}

void sb_trunc(struct strbuf *sb, size_t newlen)
{
	if (newlen >= sb->len)
		return;
	sb->len = newlen;
	sb->buf[newlen] = '\0';
}
