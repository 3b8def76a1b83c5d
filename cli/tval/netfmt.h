/* SPDX-License-Identifier: GPL-2.0 */
/* netfmt: network-flavoured values to and from text: addresses, ports,
 * IP protocol names, TCP flags, interface indexes and boot-time stamps.
 * Formatters append to a strbuf and never call printf on the hot path;
 * parsers are strict (whole string, no trailing characters) and return 0 on
 * success or -1 on a malformed input, leaving their output untouched. */
#ifndef MAPSH_NETFMT_H
#define MAPSH_NETFMT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/strbuf.h"

/* --- addresses (bytes in network order, as stored in the record) --- */
void nf_add_ipv4(struct strbuf *sb, const void *addr4);
void nf_add_ipv6(struct strbuf *sb, const void *addr16);
void nf_add_mac(struct strbuf *sb, const void *mac6);
/* Dotted quad only ("10.0.0.1"; inet_pton rules, so no "10.1" shorthand). */
int nf_parse_ipv4(const char *s, void *addr4);
int nf_parse_ipv6(const char *s, void *addr16);
/* "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff", one or two hex digits a byte. */
int nf_parse_mac(const char *s, void *mac6);
/* "10.0.0.0/8", "fe80::/10" or a bare address (full-length prefix).
 * *family is 4 or 6; addr receives 4 or 16 bytes. */
int nf_parse_cidr(const char *s, int *family, uint8_t addr[16],
		  unsigned *prefixlen);
/* Compare the first plen bits of a and b (network order). */
bool nf_prefix_match(const void *a, const void *b, unsigned plen);

/* --- IP protocol numbers --- */
/* Lowercase name ("tcp") or NULL when the number has none. */
const char *nf_ipproto_name(unsigned proto);
/* The name (quoted for JSON) or the number, written at p (room for 16
 * bytes; no NUL); returns the end. */
char *nf_put_ipproto(char *p, unsigned proto, bool quoted);
/* Case-insensitive name or alias ("TCP", "ipv6-icmp"); -1 when unknown. */
int nf_ipproto_by_name(const char *s);
/* A short comma-separated list of accepted names, for error messages. */
const char *nf_ipproto_examples(void);
/* The known name closest to s (edit distance), or NULL. */
const char *nf_ipproto_suggest(const char *s);

/* --- TCP flags --- */
/* "SYN|ACK"; unnamed bits are appended as hex ("SYN|0x200"); 0 is "0". */
void nf_add_tcpflags(struct strbuf *sb, uint64_t flags);
/* The same written at p (room for NF_TCPFLAGS_MAX bytes; no NUL); returns
 * the end. */
#define NF_TCPFLAGS_MAX 64
char *nf_put_tcpflags(char *p, uint64_t flags);
/* Names separated by '|', ',' or '+' (case-insensitive), numbers mixed in;
 * "0", "" and "-" are no flags. */
int nf_parse_tcpflags(const char *s, uint64_t *flags);

/* --- interfaces --- */
/* The name of interface ifindex into name, from a cached if_nameindex()
 * list (refreshed at most once a second on a miss); false when there is
 * none. Safe on several threads at once. */
bool nf_ifname(uint32_t ifindex, char name[IF_NAMESIZE]);
/* A number, or an interface name resolved with if_nametoindex(). */
int nf_parse_ifindex(const char *s, uint32_t *ifindex);

/* --- bpf_ktime_get_ns() stamps --- */
/* bpf_ktime_get_ns() reads CLOCK_MONOTONIC (not BOOTTIME: time spent in
 * suspend is not counted), so ages are computed against that clock. "now" values are read by the caller once so that a
 * whole dump shares one reference point. */
uint64_t nf_now_mono_ns(void);
uint64_t nf_now_real_ns(void);
/* "850us ago", "3.2s ago", "2m10s ago", "3h05m ago", "2d03h ago", "in 1.5s"
 * for stamps ahead of now, and "-" for 0 (never set). */
void nf_add_age(struct strbuf *sb, uint64_t ns, uint64_t now_mono);
/* The same written at p (room for NF_AGE_MAX bytes; no NUL); returns the
 * end. */
#define NF_AGE_MAX 32
char *nf_put_age(char *p, uint64_t ns, uint64_t now_mono);
/* ISO 8601 UTC with nanoseconds ("2024-05-01T12:34:56.123456789Z"); "-"
 * for 0. */
void nf_add_walltime(struct strbuf *sb, uint64_t ns, uint64_t now_mono,
		     uint64_t now_real);
/* Inverse of nf_add_walltime (fraction optional, 'Z' required). */
int nf_parse_walltime(const char *s, uint64_t now_mono, uint64_t now_real,
		      uint64_t *ns);

#endif
