// SPDX-License-Identifier: GPL-2.0
/* Global data of every section libbpf makes a map for (tests/globals.bats):
 * .data and .bss are writable, .rodata and .kconfig are frozen once
 * loaded. Between `flag` and `counter` (and after `small`) the compiler
 * leaves bytes that no variable covers. gl_comms holds strings with stale
 * bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
	__u32 a;
	__u16 b;
};

/* .data: initialized */
__u8 flag = 1;
__u64 counter = 5;
int hist[4] = { 1, 2, 3, 4 };
struct pair where = { .a = 7, .b = 9 };
char comm[16] = "harness";
__u16 small = 3;

/* .bss: zero */
__u64 hits;
char last[8];
__s32 deltas[3];

/* .rodata: frozen */
const volatile __u32 limit = 42;
const volatile char banner[12] = "hello";

/* .kconfig: filled in by libbpf, frozen */
extern unsigned int LINUX_KERNEL_VERSION __kconfig;

SEC("xdp")
int gl_prog(struct xdp_md *ctx __attribute__((unused)))
{
	hits += counter + limit + flag + small + LINUX_KERNEL_VERSION;
	hist[hits & 3]++;
	last[0] = banner[0];
	deltas[0] = where.a;
	comm[0] = 'h';
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

/* Strings with stale bytes after their NUL, written with bpftool. */
struct comm_val {
	char comm[16];
	__u64 runs;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct comm_val);
} gl_comms SEC(".maps");
