/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flows.h - the bench_flows entries of `make bench`: entry i of N, made the
 * same way by mkmap (the first fill), batchw (the write floors and refills)
 * and batchw's bpftool batch file.
 */
#ifndef BENCH_FLOWS_H
#define BENCH_FLOWS_H

#include <string.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include "mapsh.h"

static inline void make_entry(__u32 i, struct flow_key *k, struct flow_metrics *v)
{
	static const __u16 dports[] = { 443, 80, 53, 22 };
	__u16 dport = dports[i % 4];

	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->src_ip = htonl(0x0a000000 | (i & 0xffffff));		/* 10.x.y.z */
	k->dst_ip = htonl(0xc0a80000 | (i % 65521));		/* 192.168.x.y */
	k->src_port = htons(1024 + i % 64000);
	k->dst_port = htons(dport);
	k->protocol = dport == 53 ? 17 : 6;
	v->packets = 1 + i % 1000;
	v->bytes = v->packets * 700;
	v->first_seen = 1000000000ULL + i;
	v->last_seen = v->first_seen + v->packets * 1000;
	v->tcp_flags = k->protocol == 6 ? 0x18 : 0;	/* PSH ACK */
}

#endif
