// SPDX-License-Identifier: GPL-2.0
/* A test helper of journal.bats, built by its setup_file, with raw bpf(2)
 * calls (no libbpf, no mapsh code), so that what mapsh writes is checked
 * by an independent reader and writer.
 *
 *   journal_tool clone SRC DST MAX   a hash map typed like the pinned SRC
 *                                    (its key, value, flags and BTF), with
 *                                    MAX entries, pinned at DST
 *   journal_tool fill PIN FIRST N    flows FIRST..FIRST+N-1 (struct
 *                                    flow_key, flow_metrics): flow i is
 *                                    10.x.y.z (i in the low 3 bytes) ->
 *                                    192.168.0.1, ports 1024 + i % 60000
 *                                    -> 80 + i % 7, tcp for even i, udp
 *                                    for odd; i + 1 packets, 64 bytes each
 *   journal_tool digest PIN          every entry as "KEYHEX VALUEHEX", one
 *                                    a line (unsorted)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "bpf_raw.h"

static void put_be16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put_le64(unsigned char *p, unsigned long long v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv)
{
	struct bpf_map_info info;
	union bpf_attr a;
	int fd;

	if (argc == 5 && !strcmp(argv[1], "clone")) {
		union bpf_attr g;
		int btf;

		fd = open_pin(argv[2], &info);
		memset(&g, 0, sizeof(g));
		g.btf_id = info.btf_id;
		btf = (int)bpf(BPF_BTF_GET_FD_BY_ID, &g);
		if (btf < 0) {
			perror("BPF_BTF_GET_FD_BY_ID");
			return 1;
		}
		memset(&a, 0, sizeof(a));
		a.map_type = info.type;
		a.key_size = info.key_size;
		a.value_size = info.value_size;
		a.max_entries = (unsigned)strtoul(argv[4], NULL, 0);
		a.map_flags = info.map_flags;
		a.btf_fd = (unsigned)btf;
		a.btf_key_type_id = info.btf_key_type_id;
		a.btf_value_type_id = info.btf_value_type_id;
		snprintf(a.map_name, sizeof(a.map_name), "jt_%d", getpid() % 100000);
		fd = (int)bpf(BPF_MAP_CREATE, &a);
		if (fd < 0) {
			perror("BPF_MAP_CREATE");
			return 1;
		}
		memset(&a, 0, sizeof(a));
		a.pathname = (unsigned long)argv[3];
		a.bpf_fd = (unsigned)fd;
		if (bpf(BPF_OBJ_PIN, &a)) {
			perror(argv[3]);
			return 1;
		}
		return 0;
	}
	if (argc == 5 && !strcmp(argv[1], "fill")) {
		unsigned long first = strtoul(argv[3], NULL, 0), n = strtoul(argv[4], NULL, 0);
		unsigned char *keys, *vals;

		fd = open_pin(argv[2], &info);
		if (info.key_size != 16 || info.value_size != 40) {
			fprintf(stderr, "%s: not a flows map\n", argv[2]);
			return 1;
		}
		keys = calloc(n ? n : 1, 16);
		vals = calloc(n ? n : 1, 40);
		for (unsigned long j = 0; j < n; j++) {
			unsigned long i = first + j;
			unsigned char *k = keys + j * 16, *v = vals + j * 40;

			k[0] = 10;
			k[1] = (unsigned char)(i >> 16);
			k[2] = (unsigned char)(i >> 8);
			k[3] = (unsigned char)i;
			k[4] = 192, k[5] = 168, k[6] = 0, k[7] = 1;
			put_be16(k + 8, 1024 + i % 60000);
			put_be16(k + 10, 80 + i % 7);
			k[12] = i % 2 ? 17 : 6;
			put_le64(v, i + 1);
			put_le64(v + 8, (i + 1) * 64);
		}
		memset(&a, 0, sizeof(a));
		a.batch.map_fd = (unsigned)fd;
		a.batch.keys = (unsigned long)keys;
		a.batch.values = (unsigned long)vals;
		a.batch.count = (unsigned)n;
		if (bpf(BPF_MAP_UPDATE_BATCH, &a) || a.batch.count != n) {
			perror("BPF_MAP_UPDATE_BATCH");
			return 1;
		}
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "digest")) {
		unsigned char key[512], next[512], *val;
		unsigned vs;
		int r, first = 1;

		fd = open_pin(argv[2], &info);
		vs = (info.value_size + 7) / 8 * 8 * 64;	/* room for per-CPU */
		val = calloc(1, vs);
		for (;;) {
			memset(&a, 0, sizeof(a));
			a.map_fd = (unsigned)fd;
			a.key = first ? 0 : (unsigned long)key;
			a.next_key = (unsigned long)next;
			r = (int)bpf(BPF_MAP_GET_NEXT_KEY, &a);
			if (r) {
				if (errno == ENOENT)
					break;
				perror("BPF_MAP_GET_NEXT_KEY");
				return 1;
			}
			first = 0;
			memcpy(key, next, info.key_size);
			memset(&a, 0, sizeof(a));
			a.map_fd = (unsigned)fd;
			a.key = (unsigned long)key;
			a.value = (unsigned long)val;
			if (bpf(BPF_MAP_LOOKUP_ELEM, &a))
				continue;	/* gone meanwhile */
			for (unsigned i = 0; i < info.key_size; i++)
				printf("%02x", key[i]);
			putchar(' ');
			for (unsigned i = 0; i < info.value_size; i++)
				printf("%02x", val[i]);
			putchar('\n');
		}
		return 0;
	}
	fprintf(stderr, "usage: journal_tool clone SRC DST MAX | fill PIN FIRST N | digest PIN\n");
	return 2;
}
