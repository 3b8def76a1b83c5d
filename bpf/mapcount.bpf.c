// SPDX-License-Identifier: GPL-2.0
/* The kernel's own element counts of every map, for `mapsh maps`: an
 * iterator over the maps of the system writing (id, count) records, the
 * count from the kernel's bpf_map_sum_elem_count() (kept by the hash maps
 * since Linux 6.6; 0 for the others). Not loaded by `mapsh load`: `maps`
 * runs it once per listing (map/kcount.c). The kernel's types are named
 * here with CO-RE relocations, so no vmlinux.h is needed. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));
struct bpf_map {
	__u32 id;
} __attribute__((preserve_access_index));
struct bpf_iter__bpf_map {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
} __attribute__((preserve_access_index));

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

struct mapcount_rec {
	__u32 id;
	__u32 pad;
	__s64 count;
};

SEC("iter/bpf_map")
int mapcount(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;
	struct mapcount_rec r = { 0 };

	if (!map)
		return 0;
	r.id = map->id;
	r.count = bpf_map_sum_elem_count(map);
	bpf_seq_write(seq, &r, sizeof(r));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
