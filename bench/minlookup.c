// SPDX-License-Identifier: GPL-2.0
/*
 * minlookup PATH SRC DST SPORT DPORT tcp|udp: the least a typed one-shot
 * lookup can do: parse the key, bpf_obj_get, bpf_map_lookup_elem, print
 * the packets counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "mapsh.h"

int main(int argc, char **argv)
{
	struct flow_key k = { 0 };
	struct flow_metrics v;
	int fd;

	if (argc != 7 || inet_pton(AF_INET, argv[2], &k.src_ip) != 1 ||
	    inet_pton(AF_INET, argv[3], &k.dst_ip) != 1) {
		fprintf(stderr, "usage: minlookup PATH SRC DST SPORT DPORT tcp|udp\n");
		return 2;
	}
	k.src_port = htons(atoi(argv[4]));
	k.dst_port = htons(atoi(argv[5]));
	k.protocol = strcmp(argv[6], "udp") ? 6 : 17;
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || bpf_map_lookup_elem(fd, &k, &v)) {
		perror("minlookup");
		return 1;
	}
	printf("packets %llu\n", (unsigned long long)v.packets);
	return 0;
}
