// SPDX-License-Identifier: GPL-2.0
/* Real sockets in socket maps, for mapsh to read (tests/maptypes.bats),
 * raw bpf(2):
 *   sock_put SOCKMAP_PIN SOCKHASH_PIN
 * opens a TCP listener on 127.0.0.1 and a client connected to it, accepts
 * the connection, and puts the three sockets (listener, client, accepted)
 * into the sockmap at indexes 0, 2, 3 (1 stays empty) and into the
 * sockhash keyed by { u32 local port, u32 remote port } (remote 0 for the
 * listener: it and the accepted socket share the local port). The value
 * is the socket's fd, as wide as the map's value. One line per entry
 * written:
 *   MAP KEY COOKIE LOCAL_PORT REMOTE_PORT
 * (MAP sockmap or sockhash, the cookie from SO_COOKIE, in decimal), then
 * "ready". It then waits, so that the sockets live while the test reads
 * the maps: SIGUSR1 closes the client (prints "closed COOKIE"), SIGTERM
 * ends it and with it every socket. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "../bpf_raw.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static volatile sig_atomic_t close_client;

static void on_usr1(int sig)
{
	(void)sig;
	close_client = 1;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t l = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &l))
		die("SO_COOKIE");
	return c;
}

static unsigned port_of(int fd, bool peer)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&a, &l))
		return 0;	/* a listener has no peer */
	return ntohs(a.sin_port);
}

/* The socket fd as the map's value: a u32, or a u64 for 8-byte values. */
static void put(int map, const struct bpf_map_info *info, const void *key,
		int sk)
{
	uint64_t v = (uint64_t)sk;
	uint32_t v32 = (uint32_t)sk;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = map;
	a.key = (unsigned long)key;
	a.value = info->value_size == 8 ? (unsigned long)&v : (unsigned long)&v32;
	a.flags = BPF_ANY;
	if (bpf(BPF_MAP_UPDATE_ELEM, &a))
		die("BPF_MAP_UPDATE_ELEM");
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static const uint32_t idx[3] = { 0, 2, 3 };
	struct bpf_map_info sm_info, sh_info;
	socklen_t l = sizeof(sa);
	int sk[3], sm, sh;
	sigset_t usr1, old;

	if (argc != 3) {
		fprintf(stderr, "usage: sock_put SOCKMAP_PIN SOCKHASH_PIN\n");
		return 2;
	}
	sm = open_pin(argv[1], &sm_info);
	sh = open_pin(argv[2], &sh_info);
	if (sm_info.type != BPF_MAP_TYPE_SOCKMAP ||
	    sh_info.type != BPF_MAP_TYPE_SOCKHASH || sh_info.key_size != 8) {
		fprintf(stderr, "sock_put: expected a sockmap and a sockhash of 8-byte keys\n");
		return 2;
	}
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sk[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (sk[0] < 0 || bind(sk[0], (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(sk[0], 1) || getsockname(sk[0], (struct sockaddr *)&sa, &l))
		die("listener");
	sk[1] = socket(AF_INET, SOCK_STREAM, 0);
	if (sk[1] < 0 || connect(sk[1], (struct sockaddr *)&sa, sizeof(sa)))
		die("connect");
	sk[2] = accept(sk[0], NULL, NULL);
	if (sk[2] < 0)
		die("accept");
	/* Both maps hold each socket: closing it takes it out of both. */
	for (int i = 0; i < 3; i++) {
		uint32_t hk[2] = { port_of(sk[i], false), port_of(sk[i], true) };
		uint64_t c = cookie_of(sk[i]);

		put(sm, &sm_info, &idx[i], sk[i]);
		put(sh, &sh_info, hk, sk[i]);
		printf("sockmap %u %llu %u %u\n", idx[i], (unsigned long long)c,
		       hk[0], hk[1]);
		printf("sockhash %u,%u %llu %u %u\n", hk[0], hk[1],
		       (unsigned long long)c, hk[0], hk[1]);
	}
	close(sm);
	close(sh);
	/* SIGUSR1 blocked but while sigsuspend sleeps, so that none comes
	 * between the test of the flag and the sleep; handled before "ready"
	 * tells the test it may send one. */
	signal(SIGUSR1, on_usr1);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		sigsuspend(&old);
		if (close_client && sk[1] >= 0) {
			uint64_t c = cookie_of(sk[1]);

			close(sk[1]);
			sk[1] = -1;
			printf("closed %llu\n", (unsigned long long)c);
			fflush(stdout);
		}
	}
}
