// SPDX-License-Identifier: GPL-2.0
/*
 * Maps and a producer for `make bench` (bench/bench.sh).
 *
 *  bench_flows   HASH     1<<20  flow_key -> flow_metrics (filled by mkmap)
 *  bench_events  RINGBUF  128 MiB  flow_event records (drain: prefilled)
 *  bench_live    RINGBUF  256 KiB  flow_event records (follow: live, the
 *                                  size of flowtrack's events ring)
 *  bench_rbstat  ARRAY    4      [0] committed, [1] dropped (ring full)
 *
 * produce_drain / produce_live write one record per run; user space runs
 * them with BPF_PROG_TEST_RUN and repeat (bench/produce.c). The types and
 * the mapsh display tags come from bpf/mapsh.h, as for the bundled maps.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "mapsh.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct flow_key);
	__type(value, struct flow_metrics);
} bench_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 128 << 20);
} bench_events SEC(".maps") __mapsh_record(flow_event);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} bench_live SEC(".maps") __mapsh_record(flow_event);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} bench_rbstat SEC(".maps");

/* A real subprogram keeps struct flow_event in BTF (see flowtrack.bpf.c). */
static __noinline int event_submit(struct flow_event *e)
{
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline int produce(void *ring)
{
	__u32 k_ok = 0, k_drop = 1;
	struct flow_event *e;
	__u64 *ok, *drop;

	ok = bpf_map_lookup_elem(&bench_rbstat, &k_ok);
	drop = bpf_map_lookup_elem(&bench_rbstat, &k_drop);
	if (!ok || !drop)
		return XDP_ABORTED;
	e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);
	if (!e) {
		(*drop)++;	/* test runs stay on one CPU: no atomics */
		return XDP_PASS;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->timestamp = bpf_ktime_get_ns();
	e->ifindex = 1;
	e->type = EVENT_TYPE_NEW_FLOW;
	e->src_ip = bpf_htonl(0x0a000000 | (*ok & 0xffffff));
	e->dst_ip = bpf_htonl(0xc0a80101);
	e->src_port = bpf_htons(1024 + (*ok & 0x7fff));
	e->dst_port = bpf_htons(443);
	e->protocol = 6;
	e->ip_version = 4;
	(*ok)++;
	event_submit(e);
	return XDP_PASS;
}

SEC("xdp")
int produce_drain(struct xdp_md *ctx)
{
	(void)ctx;
	return produce(&bench_events);
}

SEC("xdp")
int produce_live(struct xdp_md *ctx)
{
	(void)ctx;
	return produce(&bench_live);
}

char LICENSE[] SEC("license") = "GPL";
