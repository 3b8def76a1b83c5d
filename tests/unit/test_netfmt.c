// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the small building blocks under the typed-value engine:
 * strbuf, the JSON writer, netfmt and the "did you mean" helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "base/json_writer.h"
#include "tval/netfmt.h"
#include "base/strbuf.h"
#include "base/suggest.h"

static void test_strbuf_basics(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_string_equal(sb_str(&sb), "");
	sb_adds(&sb, "a");
	sb_addc(&sb, 'b');
	sb_addf(&sb, "%d-%s", 42, "x");
	sb_add_u64(&sb, 18446744073709551615ULL);
	sb_addc(&sb, ' ');
	sb_add_i64(&sb, INT64_MIN);
	sb_addc(&sb, ' ');
	sb_add_hex(&sb, "\x0a\xff", 2);
	assert_string_equal(sb_str(&sb),
			    "ab42-x18446744073709551615 -9223372036854775808 0aff");
	sb_trunc(&sb, 2);
	assert_string_equal(sb_str(&sb), "ab");
	sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	/* long formatted output takes the second vsnprintf pass */
	sb_addf(&sb, "%0300d", 7);
	assert_int_equal(sb.len, 300);
	sb_free(&sb);
}

static void test_json_str_escaping(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	/* control bytes, DEL, a valid 2-byte and 3-byte UTF-8 sequence, an
	 * overlong form, a lone continuation byte, a truncated sequence and
	 * an encoded surrogate */
	const char raw[] = "a\"\\\n\t\x01\x7f" "\xc3\xa9" "\xe2\x82\xac"
			   "\xc0\xaf" "\x80" "\xed\xa0\x80" "\xe2\x82";
	json_error_t e;
	json_t *j;

	(void)state;
	sb_add_json_str(&sb, raw, sizeof(raw) - 1);
	j = json_loads(sb_str(&sb), JSON_DECODE_ANY, &e);
	assert_non_null(j);
	assert_true(json_is_string(j));
	assert_non_null(strstr(sb_str(&sb), "\\u0001"));
	assert_non_null(strstr(sb_str(&sb), "\\u007f"));
	assert_non_null(strstr(sb_str(&sb), "\xc3\xa9"));
	assert_non_null(strstr(sb_str(&sb), "\\u00c0\\u00af"));
	json_decref(j);
	sb_free(&sb);
}

static void test_json_writer(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jw w;

	(void)state;
	jw_init(&w, &sb, false);
	jw_start_object(&w);
	jw_kv_u64(&w, "u", UINT64_MAX);
	jw_kv_i64(&w, "i", INT64_MIN);
	jw_name(&w, "big");
	jw_u128(&w, ~(unsigned __int128)0);
	jw_name(&w, "neg");
	jw_i128(&w, (__int128)((unsigned __int128)1 << 127));
	jw_name(&w, "a");
	jw_start_array(&w);
	jw_bool(&w, true);
	jw_null(&w);
	jw_double(&w, 0.5);
	jw_double(&w, 1.0 / 0.0);
	jw_start_object(&w);
	jw_end_object(&w);
	jw_end_array(&w);
	jw_name_quoted(&w, "\"q\"", 3);
	jw_raw(&w, "[1]");
	jw_kv_string(&w, "s", "x\ny");
	jw_end_object(&w);
	assert_string_equal(sb_str(&sb),
		"{\"u\":18446744073709551615,\"i\":-9223372036854775808,"
		"\"big\":340282366920938463463374607431768211455,"
		"\"neg\":-170141183460469231731687303715884105728,"
		"\"a\":[true,null,0.5,null,{}],\"q\":[1],\"s\":\"x\\ny\"}");

	sb_reset(&sb);
	jw_init(&w, &sb, true);
	jw_start_object(&w);
	jw_kv_u64(&w, "a", 1);
	jw_name(&w, "b");
	jw_start_array(&w);
	jw_u64(&w, 2);
	jw_end_array(&w);
	jw_name(&w, "c");
	jw_start_array(&w);
	jw_end_array(&w);
	jw_end_object(&w);
	assert_string_equal(sb_str(&sb),
			    "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ],\n  \"c\": []\n}");
	sb_free(&sb);
}

static void test_addresses(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	uint8_t a4[4], a6[16], m[6], a[16];
	unsigned plen;
	int fam;

	(void)state;
	assert_int_equal(nf_parse_ipv4("192.168.100.255", a4), 0);
	nf_add_ipv4(&sb, a4);
	sb_addc(&sb, ' ');
	assert_int_equal(nf_parse_ipv6("fe80::1", a6), 0);
	nf_add_ipv6(&sb, a6);
	sb_addc(&sb, ' ');
	assert_int_equal(nf_parse_mac("0:1b:CC:dd:e:ff", m), 0);
	nf_add_mac(&sb, m);
	assert_string_equal(sb_str(&sb), "192.168.100.255 fe80::1 00:1b:cc:dd:0e:ff");
	assert_int_equal(nf_parse_ipv4("10.1", a4), -1);
	assert_int_equal(nf_parse_ipv4("1.2.3.4 ", a4), -1);
	assert_int_equal(nf_parse_mac("00:11:22:33:44", m), -1);
	assert_int_equal(nf_parse_mac("00:11:22:33:44:55:66", m), -1);
	assert_int_equal(nf_parse_mac("00:11-22:33:44:55", m), -1);
	assert_int_equal(nf_parse_mac("00-11-22-33-44-55", m), 0);

	assert_int_equal(nf_parse_cidr("10.0.0.0/8", &fam, a, &plen), 0);
	assert_int_equal(fam, 4);
	assert_int_equal(plen, 8);
	assert_true(nf_prefix_match(a, "\x0a\xff\x00\x01", 8));
	assert_false(nf_prefix_match(a, "\x0b\x00\x00\x00", 8));
	assert_int_equal(nf_parse_cidr("fe80::/10", &fam, a, &plen), 0);
	assert_int_equal(fam, 6);
	assert_int_equal(plen, 10);
	assert_true(nf_prefix_match(a, a6, 10));
	assert_int_equal(nf_parse_cidr("10.0.0.1", &fam, a, &plen), 0);
	assert_int_equal(plen, 32);
	assert_int_equal(nf_parse_cidr("10.0.0.0/33", &fam, a, &plen), -1);
	assert_int_equal(nf_parse_cidr("10.0.0.0/", &fam, a, &plen), -1);
	assert_int_equal(nf_parse_cidr("/8", &fam, a, &plen), -1);
	sb_free(&sb);
}

static void test_proto_flags(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t f;

	(void)state;
	assert_string_equal(nf_ipproto_name(6), "tcp");
	assert_string_equal(nf_ipproto_name(58), "icmpv6");
	assert_null(nf_ipproto_name(200));
	assert_int_equal(nf_ipproto_by_name("UDP"), 17);
	assert_int_equal(nf_ipproto_by_name("ipv6-icmp"), 58);
	assert_int_equal(nf_ipproto_by_name("nope"), -1);
	assert_string_equal(nf_ipproto_suggest("icmp7"), "icmp");

	nf_add_tcpflags(&sb, 0x12);
	sb_addc(&sb, ' ');
	nf_add_tcpflags(&sb, 0);
	sb_addc(&sb, ' ');
	nf_add_tcpflags(&sb, 0x1101);
	assert_string_equal(sb_str(&sb), "SYN|ACK 0 FIN|NS|0x1000");
	assert_int_equal(nf_parse_tcpflags("syn,ack", &f), 0);
	assert_int_equal(f, 0x12);
	assert_int_equal(nf_parse_tcpflags("SYN|ACK|0x100", &f), 0);
	assert_int_equal(f, 0x112);
	assert_int_equal(nf_parse_tcpflags("-", &f), 0);
	assert_int_equal(f, 0);
	assert_int_equal(nf_parse_tcpflags("SYN|", &f), -1);
	assert_int_equal(nf_parse_tcpflags("SYNN", &f), -1);
	sb_free(&sb);
}

static void test_times(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	const uint64_t s = 1000000000ULL, now = 1000000 * s;
	uint64_t back;

	(void)state;
	nf_add_age(&sb, 0, now);
	sb_addc(&sb, '|');
	nf_add_age(&sb, now - 850000, now);
	sb_addc(&sb, '|');
	nf_add_age(&sb, now - 3 * s - s / 5, now);
	sb_addc(&sb, '|');
	nf_add_age(&sb, now - 130 * s, now);
	sb_addc(&sb, '|');
	nf_add_age(&sb, now - 3 * 3600 * s - 5 * 60 * s, now);
	sb_addc(&sb, '|');
	nf_add_age(&sb, now - 50 * 3600 * s, now);
	sb_addc(&sb, '|');
	nf_add_age(&sb, now + s + s / 2, now);
	sb_addc(&sb, '|');
	nf_add_age(&sb, now - 20 * 1000000ULL, now);
	assert_string_equal(sb_str(&sb),
		"-|850us ago|3.2s ago|2m10s ago|3h05m ago|2d02h ago|in 1.5s|20ms ago");

	/* wall clock: real 2024-01-01T00:00:00Z at mono `now` */
	sb_reset(&sb);
	nf_add_walltime(&sb, now - 1500000000ULL, now, 1704067200ULL * s);
	assert_string_equal(sb_str(&sb), "2023-12-31T23:59:58.500000000Z");
	assert_int_equal(nf_parse_walltime(sb_str(&sb), now, 1704067200ULL * s,
					   &back), 0);
	assert_int_equal(back, now - 1500000000ULL);
	assert_int_equal(nf_parse_walltime("2023-12-31T23:59:58Z", now,
					   1704067200ULL * s, &back), 0);
	assert_int_equal(back, now - 2 * s);
	assert_int_equal(nf_parse_walltime("2023-12-31 23:59:58", now,
					   1704067200ULL * s, &back), -1);
	sb_free(&sb);
}

static void test_interfaces(void **state)
{
	char name[IF_NAMESIZE];
	uint32_t idx;

	(void)state;
	/* the loopback exists everywhere this runs */
	assert_int_equal(nf_parse_ifindex("lo", &idx), 0);
	assert_true(nf_ifname(idx, name));
	assert_string_equal(name, "lo");
	assert_int_equal(nf_parse_ifindex("no-such-if0", &idx), -1);
	assert_false(nf_ifname(0, name));
	assert_false(nf_ifname(999999, name));
}

static void test_suggest(void **state)
{
	struct sg_best b;

	(void)state;
	assert_int_equal(sg_distance("srcip", "src_ip", 5), 1);
	assert_int_equal(sg_distance("abcd", "abdc", 5), 1);
	assert_int_equal(sg_distance("kitten", "sitting", 2), 3);
	sg_init(&b, "dts_port");
	sg_offer(&b, "src_port");
	sg_offer(&b, "dst_port");
	assert_string_equal(b.best, "dst_port");
	sg_init(&b, "zzz");
	sg_offer(&b, "src_ip");
	assert_null(b.best);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf_basics),
		cmocka_unit_test(test_json_str_escaping),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_proto_flags),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
