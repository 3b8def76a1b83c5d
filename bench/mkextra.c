// SPDX-License-Identifier: GPL-2.0
/*
 * mkextra OBJ DIR: load split.bpf.o, pin its maps in DIR (a bpffs), fill
 * every slot of bench_marr (packets = i, bytes = 64 * i) and put 100
 * entries, spread over the key space, into bench_sparse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct bench_slot {
	__u64 packets, bytes;
};

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_map *map;
	struct bench_slot *vals;
	__u32 *keys, n = 1u << 20, cnt;
	char path[4096];
	int afd, hfd;

	if (argc != 3) {
		fprintf(stderr, "usage: mkextra OBJ DIR\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "mkextra: loading %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	bpf_object__for_each_map(map, obj) {
		snprintf(path, sizeof(path), "%s/%s", argv[2], bpf_map__name(map));
		if (bpf_map__pin(map, path)) {
			fprintf(stderr, "mkextra: pin %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	afd = bpf_object__find_map_fd_by_name(obj, "bench_marr");
	hfd = bpf_object__find_map_fd_by_name(obj, "bench_sparse");
	keys = calloc(n, sizeof(*keys));
	vals = calloc(n, sizeof(*vals));
	if (afd < 0 || hfd < 0 || !keys || !vals)
		return 1;
	for (__u32 i = 0; i < n; i++) {
		keys[i] = i;
		vals[i].packets = i;
		vals[i].bytes = 64ull * i;
	}
	cnt = n;
	if (bpf_map_update_batch(afd, keys, vals, &cnt, NULL)) {
		fprintf(stderr, "mkextra: update_batch: %s\n", strerror(errno));
		return 1;
	}
	for (__u32 i = 0; i < 100; i++) {
		__u32 k = i * 2654435761u;

		if (bpf_map_update_elem(hfd, &k, &vals[i], BPF_ANY)) {
			fprintf(stderr, "mkextra: update: %s\n", strerror(errno));
			return 1;
		}
	}
	bpf_object__close(obj);
	return 0;
}
