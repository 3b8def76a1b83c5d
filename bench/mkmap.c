// SPDX-License-Identifier: GPL-2.0
/*
 * mkmap OBJ DIR N: load bench.bpf.o, pin its maps and programs in DIR (a
 * bpffs) and fill bench_flows with N flows-like entries (flows.h) through
 * bpf_map_update_batch. Prints, as shell assignments, one key to look up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "flows.h"

#define CHUNK 65536

static int pin_all(struct bpf_object *obj, const char *dir)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[4096];

	bpf_object__for_each_map(map, obj) {
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		if (bpf_map__pin(map, path))
			return -1;
	}
	bpf_object__for_each_program(prog, obj) {
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_program__name(prog));
		if (bpf_program__pin(prog, path))
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct flow_key *keys, lk;
	struct flow_metrics *vals, lv;
	struct bpf_object *obj;
	char src[16], dst[16];
	__u32 n, i, look;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: mkmap OBJ DIR N\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 0);
	if (n < 1 || n > (1u << 20)) {
		fprintf(stderr, "mkmap: N must be 1..%u\n", 1u << 20);
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj) || pin_all(obj, argv[2])) {
		fprintf(stderr, "mkmap: loading %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	fd = bpf_object__find_map_fd_by_name(obj, "bench_flows");
	keys = calloc(CHUNK, sizeof(*keys));
	vals = calloc(CHUNK, sizeof(*vals));
	if (fd < 0 || !keys || !vals)
		return 1;
	for (i = 0; i < n; ) {
		__u32 cnt = n - i < CHUNK ? n - i : CHUNK;

		for (__u32 j = 0; j < cnt; j++)
			make_entry(i + j, &keys[j], &vals[j]);
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL)) {
			fprintf(stderr, "mkmap: update_batch: %s\n", strerror(errno));
			return 1;
		}
		i += cnt;
	}

	look = n / 2;
	make_entry(look, &lk, &lv);
	inet_ntop(AF_INET, &lk.src_ip, src, sizeof(src));
	inet_ntop(AF_INET, &lk.dst_ip, dst, sizeof(dst));
	printf("LK_SRC=%s\nLK_DST=%s\nLK_SPORT=%u\nLK_DPORT=%u\nLK_PROTO=%s\nLK_PACKETS=%llu\nLK_HEX='",
	       src, dst, ntohs(lk.src_port), ntohs(lk.dst_port),
	       lk.protocol == 6 ? "tcp" : "udp", (unsigned long long)lv.packets);
	for (i = 0; i < sizeof(lk); i++)
		printf("%s%02x", i ? " " : "", ((unsigned char *)&lk)[i]);
	printf("'\n");
	bpf_object__close(obj);	/* the pins keep everything alive */
	return 0;
}
