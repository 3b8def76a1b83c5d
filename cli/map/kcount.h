/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's own element counts: the hash maps (hash, lru_hash, their
 * per-CPU kinds, hash_of_maps) keep one since Linux 6.6, readable only
 * from BPF (bpf_map_sum_elem_count). One run of a map iterator
 * (bpf/mapcount.bpf.c) reads it for every map of the system at once, in
 * about a millisecond, without reading a single entry. */
#ifndef MAPSH_KCOUNT_H
#define MAPSH_KCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct kcounts {
	struct kcount { __u32 id; long long n; } *v;	/* sorted by id */
	size_t n;
	bool ok;		/* the iterator ran */
};

/* Run the iterator: 0, or -errno (an older kernel, no CAP_BPF: kc->ok
 * false, and the caller counts the entries itself). */
int kcounts_read(struct kcounts *kc);
/* Does the kernel count the elements of maps of this type? */
bool kcount_kept(__u32 map_type);
/* The kernel's count of map id (of type map_type), or -1 when it has none. */
long long kcounts_of(const struct kcounts *kc, __u32 id, __u32 map_type);
void kcounts_free(struct kcounts *kc);

#endif
