// SPDX-License-Identifier: GPL-2.0
/*
 * mt_stack - a test program recording stacks in a STACK_TRACE map, for the
 * map type tests (tests/maptypes.bats). A raw tracepoint program, run with
 * BPF_PROG_TEST_RUN (bpftool prog run): each run stores the kernel stack it
 * runs on (the bpf(2) call's) and the user stack of the caller, and the two
 * stack ids in mt_ids[0] and mt_ids[1]; the user stack again as build ids
 * and offsets in mt_bstacks, its id in mt_ids[2].
 *
 *  mt_stacks   STACK_TRACE  key: stack id, value: 32 addresses
 *  mt_bstacks  STACK_TRACE  BPF_F_STACK_BUILD_ID: 8 struct bpf_stack_build_id
 *  mt_ids      ARRAY        [0] kernel stack id, [1] user stack id, [2] its
 *                           build-id stack id (-errno when not taken)
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 32 * sizeof(__u64));
} mt_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_STACK_BUILD_ID);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 8 * sizeof(struct bpf_stack_build_id));
} mt_bstacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __s64);
} mt_ids SEC(".maps");

SEC("raw_tp")
int mt_record(void *ctx)
{
	__u32 k0 = 0, k1 = 1, k2 = 2;
	__s64 id;

	id = bpf_get_stackid(ctx, &mt_stacks, 0);
	bpf_map_update_elem(&mt_ids, &k0, &id, BPF_ANY);
	id = bpf_get_stackid(ctx, &mt_stacks, BPF_F_USER_STACK);
	bpf_map_update_elem(&mt_ids, &k1, &id, BPF_ANY);
	id = bpf_get_stackid(ctx, &mt_bstacks, BPF_F_USER_STACK);
	bpf_map_update_elem(&mt_ids, &k2, &id, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
