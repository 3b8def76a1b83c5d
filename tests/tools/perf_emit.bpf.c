// SPDX-License-Identifier: GPL-2.0
/*
 * perf_emit - a test program writing to a PERF_EVENT_ARRAY, for the drain
 * and follow tests of perf event arrays (tests/stream.bats). Each run (XDP,
 * driven by BPF_PROG_TEST_RUN from tests/tools/perf_run.c) writes one
 * struct perf_rec numbered by perf_stat[0] on the current CPU's buffer.
 *
 *  perf_events  PERF_EVENT_ARRAY        records: perf_rec (mapsh:record= tag)
 *  perf_stat    ARRAY  [0] written, [1] refused: no reader (-ENOENT),
 *                      [2] refused: buffer full (the reader's lost samples)
 *
 * Returns XDP_PASS when the record was written, XDP_DROP when not.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "mapsh.h"

#ifndef ENOENT
#define ENOENT 2
#endif

struct perf_rec {
	__u64 seq;
	__u32 cpu;
	__be32 addr __mapsh("ipv4");
	__be16 port __mapsh("port");
	__u8 pad[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps") __mapsh_record(perf_rec);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} perf_stat SEC(".maps");

/* A real subprogram keeps struct perf_rec in BTF (see flowtrack.bpf.c). */
static __noinline long emit(struct xdp_md *ctx, struct perf_rec *r)
{
	return bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, r,
				     sizeof(*r));
}

SEC("xdp")
int perf_emit(struct xdp_md *ctx)
{
	__u32 k_sent = 0, k_noreader = 1, k_full = 2;
	__u64 *sent, *noreader, *full;
	struct perf_rec r = {};
	long err;

	sent = bpf_map_lookup_elem(&perf_stat, &k_sent);
	noreader = bpf_map_lookup_elem(&perf_stat, &k_noreader);
	full = bpf_map_lookup_elem(&perf_stat, &k_full);
	if (!sent || !noreader || !full)
		return XDP_ABORTED;
	r.seq = *sent;
	r.cpu = bpf_get_smp_processor_id();
	r.addr = bpf_htonl(0x0a000000 | (__u32)(*sent & 0xffff));
	r.port = bpf_htons(1000 + (__u16)(*sent & 0x3fff));
	err = emit(ctx, &r);
	if (err) {
		/* test runs stay on one CPU: no atomics */
		if (err == -ENOENT)
			(*noreader)++;
		else
			(*full)++;
		return XDP_DROP;
	}
	(*sent)++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
