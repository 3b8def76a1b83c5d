/* SPDX-License-Identifier: GPL-2.0 */
/* strbuf: a growable byte buffer. Every formatter writes into one of these so
 * output is built without a printf per field and flushed in large writes. */
#ifndef MAPSH_STRBUF_H
#define MAPSH_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

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
void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
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
