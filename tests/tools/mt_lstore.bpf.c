// SPDX-License-Identifier: GPL-2.0
/*
 * mt_lstore - local storages for the map type tests (tests/maptypes.bats):
 * a task, a cgroup and an inode storage, written and read from user space
 * by PID, cgroup directory and file. The program only keeps the maps in
 * the object; it is never attached.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct mt_ls_val {
	__u64 count;
	__u32 tag;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct mt_ls_val);
} mt_task SEC(".maps");

struct {
	__uint(type, 32 /* BPF_MAP_TYPE_CGRP_STORAGE */);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct mt_ls_val);
} mt_cgrp SEC(".maps");

SEC("raw_tp")
int mt_touch(void *ctx)
{
	struct mt_ls_val *v;

	(void)ctx;
	v = bpf_task_storage_get(&mt_task, bpf_get_current_task_btf(), 0, 0);
	if (v)
		v->count++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
