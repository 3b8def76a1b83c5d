// SPDX-License-Identifier: GPL-2.0
/*
 * mt_so - a TCP congestion control as a struct_ops map, for the map type
 * tests (tests/maptypes.bats): registered with bpftool struct_ops register,
 * read by mapsh as the kernel types it (struct
 * bpf_struct_ops_tcp_congestion_ops) and compared with bpftool struct_ops
 * dump. The callbacks do nothing useful; no socket uses it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

/* BPF_PROG names every argument, used or not. */
#pragma clang diagnostic ignored "-Wunused-parameter"

struct sock;

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
} __attribute__((preserve_access_index));

SEC("struct_ops/mt_ssthresh")
__u32 BPF_PROG(mt_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops/mt_cong_avoid")
void BPF_PROG(mt_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops/mt_undo_cwnd")
__u32 BPF_PROG(mt_undo_cwnd, struct sock *sk)
{
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_ops mt_cc = {
	.ssthresh = (void *)mt_ssthresh,
	.cong_avoid = (void *)mt_cong_avoid,
	.undo_cwnd = (void *)mt_undo_cwnd,
	.name = "mt_cc",
};

char LICENSE[] SEC("license") = "GPL";
