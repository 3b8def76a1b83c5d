// SPDX-License-Identifier: GPL-2.0
/* pktgen: send an exact number of crafted Ethernet frames out of one
 * interface through an AF_PACKET socket. The tests use it to put known
 * traffic through a veth without addresses, routes or ARP, so counters can
 * be checked for exact values.
 *
 *   pktgen -i DEV -s SRC -d DST [-p tcp|udp|icmp] [--sport N] [--dport N]
 *          [-c COUNT] [--tcp-flags SYN,ACK] [--vlan ID] [--len BYTES]
 *          [--dmac MAC]
 * SRC/DST are both IPv4 or both IPv6. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int parse_flags(const char *s)
{
	static const struct { const char *n; int v; } names[] = {
		{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
		{ "ACK", 0x10 }, { "URG", 0x20 }, { "ECE", 0x40 }, { "CWR", 0x80 },
	};
	char buf[128], *tok, *save;
	int v = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcasecmp(tok, names[i].n))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "pktgen: unknown tcp flag '%s'\n", tok);
			exit(2);
		}
		v |= names[i].v;
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: pktgen -i DEV -s SRC -d DST [-p tcp|udp|icmp] [--sport N] [--dport N]\n"
			"              [-c COUNT] [--tcp-flags SYN,ACK] [--vlan ID] [--len BYTES] [--dmac MAC]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iface", 1, 0, 'i' }, { "src", 1, 0, 's' }, { "dst", 1, 0, 'd' },
		{ "proto", 1, 0, 'p' }, { "sport", 1, 0, 'S' }, { "dport", 1, 0, 'D' },
		{ "count", 1, 0, 'c' }, { "tcp-flags", 1, 0, 'f' }, { "vlan", 1, 0, 'v' },
		{ "len", 1, 0, 'l' }, { "dmac", 1, 0, 'm' }, { 0 },
	};
	const char *dev = NULL, *src = NULL, *dst = NULL, *proto = "udp";
	int sport = 1234, dport = 80, count = 1, tflags = 0x02, vlan = -1, len = 0;
	unsigned char dmac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, smac[6];
	unsigned char frame[1600];
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int c, fd, v6, l4proto, off = 0, ipoff, l4off, l4len, payload = 0;

	while ((c = getopt_long(argc, argv, "i:s:d:p:c:", lo, NULL)) != -1) {
		switch (c) {
		case 'i': dev = optarg; break;
		case 's': src = optarg; break;
		case 'd': dst = optarg; break;
		case 'p': proto = optarg; break;
		case 'S': sport = atoi(optarg); break;
		case 'D': dport = atoi(optarg); break;
		case 'c': count = atoi(optarg); break;
		case 'f': tflags = parse_flags(optarg); break;
		case 'v': vlan = atoi(optarg); break;
		case 'l': len = atoi(optarg); break;
		case 'm':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0], &dmac[1],
				   &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6)
				usage();
			break;
		default: usage();
		}
	}
	if (!dev || !src || !dst || count < 0)
		usage();
	v6 = strchr(src, ':') != NULL;
	if (!strcmp(proto, "tcp")) l4proto = IPPROTO_TCP;
	else if (!strcmp(proto, "udp")) l4proto = IPPROTO_UDP;
	else if (!strcmp(proto, "icmp")) l4proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	else usage();

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("pktgen: socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "pktgen: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);

	memset(frame, 0, sizeof(frame));
	memcpy(frame, dmac, 6);
	memcpy(frame + 6, smac, 6);
	off = 12;
	if (vlan >= 0) {
		frame[off++] = 0x81; frame[off++] = 0x00;
		frame[off++] = (uint8_t)(vlan >> 8); frame[off++] = (uint8_t)vlan;
	}
	frame[off++] = v6 ? 0x86 : 0x08;
	frame[off++] = v6 ? 0xdd : 0x00;
	ipoff = off;
	l4off = ipoff + (v6 ? 40 : 20);
	l4len = l4proto == IPPROTO_TCP ? 20 : 8;
	if (len > l4off + l4len && len <= 1514)
		payload = len - l4off - l4len;

	if (v6) {
		struct ip6_hdr *ip6 = (void *)(frame + ipoff);

		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons((uint16_t)(l4len + payload));
		ip6->ip6_nxt = (uint8_t)l4proto;
		ip6->ip6_hlim = 64;
		if (inet_pton(AF_INET6, src, &ip6->ip6_src) != 1 ||
		    inet_pton(AF_INET6, dst, &ip6->ip6_dst) != 1)
			usage();
	} else {
		struct iphdr *ip = (void *)(frame + ipoff);

		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)(20 + l4len + payload));
		ip->ttl = 64;
		ip->protocol = (uint8_t)l4proto;
		if (inet_pton(AF_INET, src, &ip->saddr) != 1 ||
		    inet_pton(AF_INET, dst, &ip->daddr) != 1)
			usage();
		ip->check = csum(ip, 20, 0);
	}
	if (l4proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)(frame + l4off);

		th->source = htons((uint16_t)sport);
		th->dest = htons((uint16_t)dport);
		th->doff = 5;
		((uint8_t *)th)[13] = (uint8_t)tflags;
		th->window = htons(1024);
	} else if (l4proto == IPPROTO_UDP) {
		struct udphdr *uh = (void *)(frame + l4off);

		uh->source = htons((uint16_t)sport);
		uh->dest = htons((uint16_t)dport);
		uh->len = htons((uint16_t)(8 + payload));
	} else {
		frame[l4off] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
	}

	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(dev);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);
	for (int i = 0; i < count; i++) {
		if (sendto(fd, frame, (size_t)(l4off + l4len + payload), 0,
			   (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			perror("pktgen: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
