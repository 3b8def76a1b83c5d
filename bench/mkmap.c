// SPDX-License-Identifier: GPL-2.0
/*
 * mkmap OBJ DIR N: load bench.bpf.o, pin its maps and programs in DIR (a
 * bpffs) and fill bench_flows with N flows-like entries through
 * bpf_map_update_batch. Prints, as shell assignments, one key to look up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mapsh.h"

#define CHUNK 65536

static void make_entry(__u32 i, struct flow_key *k, struct flow_metrics *v)
{
	static const __u16 dports[] = { 443, 80, 53, 22 };
	__u16 dport = dports[i % 4];

	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->src_ip = htonl(0x0a000000 | (i & 0xffffff));		/* 10.x.y.z */
	k->dst_ip = htonl(0xc0a80000 | (i % 65521));		/* 192.168.x.y */
	k->src_port = htons(1024 + i % 64000);
	k->dst_port = htons(dport);
	k->protocol = dport == 53 ? 17 : 6;
	v->packets = 1 + i % 1000;
	v->bytes = v->packets * 700;
	v->first_seen = 1000000000ULL + i;
	v->last_seen = v->first_seen + v->packets * 1000;
	v->tcp_flags = k->protocol == 6 ? 0x18 : 0;	/* PSH ACK */
}

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
