// SPDX-License-Identifier: GPL-2.0
/* netfmt: network-flavoured values to and from text (see netfmt.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tval/netfmt.h"
#include "base/clock.h"
#include "base/suggest.h"

static const char hexdig[] = "0123456789abcdef";

/* ---------------------------------------------------------------- addrs */

void nf_add_ipv4(struct strbuf *sb, const void *addr4)
{
	const uint8_t *a = addr4;
	char tmp[16], *o = tmp;

	/* Hand-rolled: this runs for every address of a large dump. */
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100) {
			*o++ = (char)('0' + v / 100);
			v %= 100;
			*o++ = (char)('0' + v / 10);
		} else if (v >= 10) {
			*o++ = (char)('0' + v / 10);
		}
		*o++ = (char)('0' + v % 10);
		if (i < 3)
			*o++ = '.';
	}
	sb_add(sb, tmp, (size_t)(o - tmp));
}

void nf_add_ipv6(struct strbuf *sb, const void *addr16)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, addr16, tmp, sizeof(tmp)))
		sb_add_hex(sb, addr16, 16);	/* cannot happen */
	else
		sb_adds(sb, tmp);
}

void nf_add_mac(struct strbuf *sb, const void *mac6)
{
	const uint8_t *m = mac6;
	char tmp[17], *o = tmp;

	for (int i = 0; i < 6; i++) {
		if (i)
			*o++ = ':';
		*o++ = hexdig[m[i] >> 4];
		*o++ = hexdig[m[i] & 15];
	}
	sb_add(sb, tmp, sizeof(tmp));
}

int nf_parse_ipv4(const char *s, void *addr4)
{
	uint8_t tmp[4];

	if (inet_pton(AF_INET, s, tmp) != 1)
		return -1;
	memcpy(addr4, tmp, 4);
	return 0;
}

int nf_parse_ipv6(const char *s, void *addr16)
{
	uint8_t tmp[16];

	if (inet_pton(AF_INET6, s, tmp) != 1)
		return -1;
	memcpy(addr16, tmp, 16);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int nf_parse_mac(const char *s, void *mac6)
{
	uint8_t tmp[6];
	char sep = 0;

	for (int i = 0; i < 6; i++) {
		int h = hexval((unsigned char)*s), l;

		if (h < 0)
			return -1;
		s++;
		l = hexval((unsigned char)*s);
		if (l >= 0) {
			h = h * 16 + l;
			s++;
		}
		tmp[i] = (uint8_t)h;
		if (i == 5)
			break;
		if (*s != ':' && *s != '-')
			return -1;
		if (sep && *s != sep)
			return -1;
		sep = *s++;
	}
	if (*s)
		return -1;
	memcpy(mac6, tmp, 6);
	return 0;
}

int nf_parse_cidr(const char *s, int *family, uint8_t addr[16],
		  unsigned *prefixlen)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	unsigned max;
	uint8_t a[16];
	int fam;

	if (alen == 0 || alen >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	if (inet_pton(AF_INET, tmp, a) == 1) {
		fam = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, tmp, a) == 1) {
		fam = 6;
		max = 128;
	} else {
		return -1;
	}
	plen = max;
	if (slash) {
		char *end;

		if (!isdigit((unsigned char)slash[1]))
			return -1;
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (*end || errno || plen > max)
			return -1;
	}
	*family = fam;
	memcpy(addr, a, fam == 4 ? 4 : 16);
	*prefixlen = (unsigned)plen;
	return 0;
}

bool nf_prefix_match(const void *a, const void *b, unsigned plen)
{
	const uint8_t *x = a, *y = b;
	unsigned full = plen / 8, rem = plen % 8;

	if (memcmp(x, y, full))
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));

		return (x[full] & mask) == (y[full] & mask);
	}
	return true;
}

/* ------------------------------------------------------------ protocols */

/* A fixed table rather than getprotobynumber(): /etc/protocols is often
 * missing in containers and the lookup is too slow for a dump. */
static const struct { unsigned num; const char *name; } protos[] = {
	{ 1, "icmp" }, { 2, "igmp" }, { 4, "ipip" }, { 6, "tcp" },
	{ 8, "egp" }, { 17, "udp" }, { 41, "ipv6" }, { 46, "rsvp" },
	{ 47, "gre" }, { 50, "esp" }, { 51, "ah" }, { 58, "icmpv6" },
	{ 89, "ospf" }, { 103, "pim" }, { 112, "vrrp" }, { 115, "l2tp" },
	{ 132, "sctp" }, { 136, "udplite" }, { 137, "mpls" },
	{ 143, "ethernet" }, { 255, "raw" },
};

static const struct { const char *alias; unsigned num; } proto_alias[] = {
	{ "icmp6", 58 }, { "ipv6-icmp", 58 }, { "ipencap", 4 },
	{ "udp-lite", 136 }, { "mpls-in-ip", 137 },
};

const char *nf_ipproto_name(unsigned proto)
{
	/* Direct index for the two that dominate real traffic. */
	if (proto == 6)
		return "tcp";
	if (proto == 17)
		return "udp";
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

char *nf_put_ipproto(char *p, unsigned proto, bool quoted)
{
	const char *name = nf_ipproto_name(proto);
	size_t n;

	if (!name)
		return sb_put_u64(p, proto);
	n = strlen(name);
	if (quoted)
		*p++ = '"';
	memcpy(p, name, n);
	p += n;
	if (quoted)
		*p++ = '"';
	return p;
}

int nf_ipproto_by_name(const char *s)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcasecmp(s, protos[i].name))
			return (int)protos[i].num;
	for (size_t i = 0; i < sizeof(proto_alias) / sizeof(proto_alias[0]); i++)
		if (!strcasecmp(s, proto_alias[i].alias))
			return (int)proto_alias[i].num;
	return -1;
}

const char *nf_ipproto_examples(void)
{
	return "tcp, udp, icmp, icmpv6, gre, sctp, esp";
}

const char *nf_ipproto_suggest(const char *s)
{
	struct sg_best b;

	sg_init(&b, s);
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		sg_offer(&b, protos[i].name);
	return b.best;
}

/* ------------------------------------------------------------ tcp flags */

static const char *const tcpflag_names[] = {
	"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS",
};
#define NTCPFLAGS (sizeof(tcpflag_names) / sizeof(tcpflag_names[0]))
/* Their lengths: a dump writes flags on every row, and a strlen call per
 * flag showed in its profile. */
static const unsigned char tcpflag_len[] = { 3, 3, 3, 3, 3, 3, 3, 3, 2 };
_Static_assert(sizeof(tcpflag_len) == NTCPFLAGS, "a length per flag name");

char *nf_put_tcpflags(char *p, uint64_t flags)
{
	bool first = true;

	if (!flags) {
		*p++ = '0';
		return p;
	}
	/* over the bits that are set only: most rows have one or two */
	while (flags & ((1ULL << NTCPFLAGS) - 1)) {
		unsigned i = (unsigned)__builtin_ctzll(flags);

		if (!first)
			*p++ = '|';
		memcpy(p, tcpflag_names[i], tcpflag_len[i]);
		p += tcpflag_len[i];
		first = false;
		flags &= flags - 1;
	}
	if (flags) {
		/* minimal hex digits */
		char tmp[16];
		int n = 0;

		if (!first)
			*p++ = '|';
		*p++ = '0';
		*p++ = 'x';
		while (flags) {
			tmp[n++] = hexdig[flags & 15];
			flags >>= 4;
		}
		while (n)
			*p++ = tmp[--n];
	}
	return p;
}

void nf_add_tcpflags(struct strbuf *sb, uint64_t flags)
{
	/* every flag (26 bytes), 9 separators, 0x and 16 digits: 53 */
	sb_reserve(sb, NF_TCPFLAGS_MAX);
	sb->len = (size_t)(nf_put_tcpflags(sb->buf + sb->len, flags) - sb->buf);
	sb->buf[sb->len] = '\0';
}

int nf_parse_tcpflags(const char *s, uint64_t *flags)
{
	uint64_t v = 0;

	if (!strcmp(s, "-") || !*s) {
		*flags = 0;
		return 0;
	}
	while (*s) {
		const char *e = s;
		size_t n;
		unsigned i;

		while (*e && *e != '|' && *e != ',' && *e != '+')
			e++;
		n = (size_t)(e - s);
		if (!n)
			return -1;
		for (i = 0; i < NTCPFLAGS; i++)
			if (strlen(tcpflag_names[i]) == n &&
			    !strncasecmp(s, tcpflag_names[i], n))
				break;
		if (i < NTCPFLAGS) {
			v |= 1ULL << i;
		} else {
			char tmp[24], *end;
			unsigned long long x;

			if (n >= sizeof(tmp) || !isdigit((unsigned char)*s))
				return -1;
			memcpy(tmp, s, n);
			tmp[n] = '\0';
			errno = 0;
			x = strtoull(tmp, &end, 0);
			if (*end || errno)
				return -1;
			v |= x;
		}
		s = e;
		if (*s) {
			s++;
			if (!*s)
				return -1;	/* trailing separator */
		}
	}
	*flags = v;
	return 0;
}

/* ----------------------------------------------------------- interfaces */

/* The split readers format on several threads at once: the cache is
 * under a lock, and a name is copied out (a reload frees the list). */
static struct {
	pthread_mutex_t lock;
	struct if_nameindex *list;
	time_t loaded;
	bool atexit;
} ifcache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void ifcache_free(void)
{
	if (ifcache.list)
		if_freenameindex(ifcache.list);
	ifcache.list = NULL;
}

static bool ifcache_find(uint32_t ifindex, char name[IF_NAMESIZE])
{
	for (struct if_nameindex *p = ifcache.list; p && p->if_index; p++)
		if (p->if_index == ifindex) {
			snprintf(name, IF_NAMESIZE, "%s", p->if_name);
			return true;
		}
	return false;
}

bool nf_ifname(uint32_t ifindex, char name[IF_NAMESIZE])
{
	bool found;
	time_t now;

	if (!ifindex)
		return false;
	pthread_mutex_lock(&ifcache.lock);
	found = ifcache_find(ifindex, name);
	/* Interfaces come and go: reload on a miss, but not for every
	 * unknown index of a dump. */
	if (!found && (now = time(NULL), !ifcache.list || now != ifcache.loaded)) {
		if (!ifcache.atexit)
			atexit(ifcache_free);
		ifcache.atexit = true;
		ifcache_free();
		ifcache.list = if_nameindex();
		ifcache.loaded = now;
		found = ifcache_find(ifindex, name);
	}
	pthread_mutex_unlock(&ifcache.lock);
	return found;
}

int nf_parse_ifindex(const char *s, uint32_t *ifindex)
{
	unsigned idx;

	if (!*s || strlen(s) >= IF_NAMESIZE)
		return -1;
	idx = if_nametoindex(s);
	if (!idx)
		return -1;
	*ifindex = idx;
	return 0;
}

/* ---------------------------------------------------------------- times */

uint64_t nf_now_mono_ns(void) { return clock_mono_ns(); }
uint64_t nf_now_real_ns(void) { return clock_real_ns(); }

static char *put_2d(char *p, uint64_t v)
{
	*p++ = (char)('0' + (v / 10) % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

char *nf_put_age(char *p, uint64_t ns, uint64_t now_mono)
{
	bool future = ns > now_mono;
	uint64_t d = future ? ns - now_mono : now_mono - ns;
	uint64_t s = d / 1000000000ULL;

	if (!ns) {
		*p++ = '-';
		return p;
	}
	if (future) {
		memcpy(p, "in ", 3);
		p += 3;
	}
	if (d < 1000000ULL) {
		p = sb_put_u64(p, d / 1000);
		*p++ = 'u';
		*p++ = 's';
	} else if (d < 1000000000ULL) {
		p = sb_put_u64(p, d / 1000000);
		*p++ = 'm';
		*p++ = 's';
	} else if (s < 60) {
		p = sb_put_u64(p, s);
		*p++ = '.';
		*p++ = (char)('0' + (d / 100000000ULL) % 10);
		*p++ = 's';
	} else if (s < 3600) {
		p = sb_put_u64(p, s / 60);
		*p++ = 'm';
		p = put_2d(p, s % 60);
		*p++ = 's';
	} else if (s < 86400) {
		p = sb_put_u64(p, s / 3600);
		*p++ = 'h';
		p = put_2d(p, (s / 60) % 60);
		*p++ = 'm';
	} else {
		p = sb_put_u64(p, s / 86400);
		*p++ = 'd';
		p = put_2d(p, (s / 3600) % 24);
		*p++ = 'h';
	}
	if (!future) {
		memcpy(p, " ago", 4);
		p += 4;
	}
	return p;
}

void nf_add_age(struct strbuf *sb, uint64_t ns, uint64_t now_mono)
{
	sb_reserve(sb, NF_AGE_MAX);
	sb->len = (size_t)(nf_put_age(sb->buf + sb->len, ns, now_mono) - sb->buf);
	sb->buf[sb->len] = '\0';
}

void nf_add_walltime(struct strbuf *sb, uint64_t ns, uint64_t now_mono,
		     uint64_t now_real)
{
	static __thread time_t last_sec;
	static __thread char last_prefix[48];
	static __thread int last_len;
	/* wall = now_real - (now_mono - ns); computed modulo 2^64 (any ns is
	 * accepted, even one ahead of the reference point) and read as signed. */
	int64_t wall = (int64_t)(now_real - now_mono + ns);
	time_t sec;
	int64_t frac;
	struct tm tm;
	char tmp[64];

	if (!ns) {
		sb_addc(sb, '-');
		return;
	}
	sec = (time_t)(wall / 1000000000LL);
	frac = wall % 1000000000LL;
	if (frac < 0) {
		frac += 1000000000LL;
		sec--;
	}
	/* A dump's times mostly fall in a few seconds: the date and time of
	 * the last second are kept (gmtime_r and snprintf cost more than the
	 * rest of an entry's JSON). */
	if (sec != last_sec || !last_len) {
		if (!gmtime_r(&sec, &tm)) {
			sb_add_u64(sb, ns);
			return;
		}
		last_len = snprintf(last_prefix, sizeof(last_prefix),
				    "%04d-%02d-%02dT%02d:%02d:%02d.",
				    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				    tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (last_len <= 0 || (size_t)last_len >= sizeof(last_prefix)) {
			last_len = 0;
			sb_add_u64(sb, ns);
			return;
		}
		last_sec = sec;
	}
	memcpy(tmp, last_prefix, (size_t)last_len);
	for (int i = 8; i >= 0; i--) {	/* %09lld */
		tmp[last_len + i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	tmp[last_len + 9] = 'Z';
	sb_add(sb, tmp, (size_t)last_len + 10);
}

int nf_parse_walltime(const char *s, uint64_t now_mono, uint64_t now_real,
		      uint64_t *ns)
{
	struct tm tm;
	const char *p;
	int64_t frac = 0, wall, v;
	int digits = 0;
	time_t sec;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (digits < 9) {
				frac = frac * 10 + (*p - '0');
				digits++;
			}
			p++;
		}
		if (!digits)
			return -1;
		while (digits++ < 9)
			frac *= 10;
	}
	if (strcmp(p, "Z"))
		return -1;
	sec = timegm(&tm);
	if (sec == (time_t)-1)
		return -1;
	if (__builtin_mul_overflow((int64_t)sec, 1000000000LL, &wall) ||
	    __builtin_add_overflow(wall, frac, &wall))
		return -1;
	/* ns = now_mono - (now_real - wall) */
	if (__builtin_sub_overflow((int64_t)now_mono, (int64_t)now_real, &v) ||
	    __builtin_add_overflow(v, wall, &v) || v <= 0)
		return -1;
	*ns = (uint64_t)v;
	return 0;
}
