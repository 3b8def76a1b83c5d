/* SPDX-License-Identifier: GPL-2.0 */
/* strbuf: a growable byte buffer. Every formatter writes into one of these so
 * output is built without a printf per field and flushed in large writes. */
#ifndef MAPSH_STRBUF_H
#define MAPSH_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct strbuf {
	char *buf;	/* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
/* Empty the buffer but keep its memory for reuse. */
void sb_reset(struct strbuf *sb);
/* Make room for n more bytes; aborts the process on out-of-memory. */
void sb_grow(struct strbuf *sb, size_t n);

/* The appends below run for every byte of a large dump: their common case
 * (room is there) is inline, and only growing is a call. */

/* Room for n more bytes (and the NUL) at sb->buf + sb->len. */
static inline void sb_reserve(struct strbuf *sb, size_t n)
{
	if (sb->len + n >= sb->cap)
		sb_grow(sb, n);
}

static inline void sb_add(struct strbuf *sb, const void *data, size_t n)
{
	sb_reserve(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static inline void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

static inline void sb_addc(struct strbuf *sb, char c)
{
	sb_reserve(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* n copies of c. */
static inline void sb_addcn(struct strbuf *sb, char c, size_t n)
{
	sb_reserve(sb, n);
	memset(sb->buf + sb->len, c, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/* Decimal digits of v (1..20). */
static inline unsigned sb_u64_digits(unsigned long long v)
{
	unsigned n = 1;

	for (;;) {
		if (v < 10)
			return n;
		if (v < 100)
			return n + 1;
		if (v < 1000)
			return n + 2;
		if (v < 10000)
			return n + 3;
		v /= 10000;
		n += 4;
	}
}

extern const char sb_digits2[201];	/* "000102...99" */

/* Write v in decimal at p (room for 20 bytes; no NUL); returns the end. */
static inline char *sb_put_u64(char *p, unsigned long long v)
{
	char *end = p + sb_u64_digits(v), *q = end;

	/* two digits per division */
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		q -= 2;
		memcpy(q, sb_digits2 + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(q - 2, sb_digits2 + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return end;
}

void sb_add_u64(struct strbuf *sb, unsigned long long v);
void sb_add_i64(struct strbuf *sb, long long v);
/* Append n bytes as lowercase hex, no separator. */
void sb_add_hex(struct strbuf *sb, const void *data, size_t n);
/* Append s[0..n) as a quoted JSON string. Control bytes, DEL and bytes that
 * are not valid UTF-8 become \u00XX so the result is always valid JSON. */
void sb_add_json_str(struct strbuf *sb, const char *s, size_t n);
/* NUL-terminated contents ("" when empty). */
const char *sb_str(const struct strbuf *sb);
/* Shorten the contents to newlen bytes (no-op when newlen >= len). */
void sb_trunc(struct strbuf *sb, size_t newlen);

#endif
