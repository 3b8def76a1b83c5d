// SPDX-License-Identifier: GPL-2.0
/*
 * rbconsumer PATH [--follow]: a hand-written libbpf ring buffer consumer
 * that prints every field of struct flow_event as one JSON line with
 * printf. Without --follow it consumes the records present and exits;
 * with --follow it polls (epoll) until SIGINT or SIGTERM, then drains what
 * is left. The reference mapsh's typed drain is compared with.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mapsh.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int print_event(void *ctx, void *data, size_t len)
{
	const struct flow_event *e = data;
	char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	char s6[INET6_ADDRSTRLEN], d6[INET6_ADDRSTRLEN];

	if (len < sizeof(*e))
		return 0;
	inet_ntop(AF_INET, &e->src_ip, s, sizeof(s));
	inet_ntop(AF_INET, &e->dst_ip, d, sizeof(d));
	inet_ntop(AF_INET6, e->src_ip6, s6, sizeof(s6));
	inet_ntop(AF_INET6, e->dst_ip6, d6, sizeof(d6));
	printf("{\"timestamp\":%llu,\"ifindex\":%u,\"type\":%u,\"reason\":%u,"
	       "\"src_ip\":\"%s\",\"dst_ip\":\"%s\",\"src_ip6\":\"%s\",\"dst_ip6\":\"%s\","
	       "\"src_port\":%u,\"dst_port\":%u,\"protocol\":%u,\"ip_version\":%u}\n",
	       (unsigned long long)e->timestamp, e->ifindex, e->type, e->reason,
	       s, d, s6, d6, ntohs(e->src_port), ntohs(e->dst_port),
	       e->protocol, e->ip_version);
	return 0;
}

int main(int argc, char **argv)
{
	bool follow = argc == 3 && !strcmp(argv[2], "--follow");
	struct ring_buffer *rb;
	int fd;

	if (argc != 2 && !follow) {
		fprintf(stderr, "usage: rbconsumer PATH [--follow]\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	rb = fd < 0 ? NULL : ring_buffer__new(fd, print_event, NULL, NULL);
	if (!rb) {
		perror("rbconsumer");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (follow && !stop)
		if (ring_buffer__poll(rb, 100) < 0 && !stop)
			return 1;
	if (ring_buffer__consume(rb) < 0)
		return 1;
	fflush(stdout);
	ring_buffer__free(rb);
	return 0;
}
