// SPDX-License-Identifier: GPL-2.0
/* A test helper of data_walk.bats, built by its setup_file: writes foreign
 * maps in bulk (faster than one bpftool process per entry) and asks the
 * kernel about a map's batch reads, with raw bpf(2) calls (no libbpf, no
 * mapsh code), so what mapsh then shows is checked against an independent
 * writer.
 *
 *   data_tool fill PIN FIRST COUNT    u32 keys FIRST.., the value of key k:
 *                                      8-byte maps k*3+1 (a little-endian
 *                                      u64), larger ones every byte k&0xff;
 *                                      maps of maps: the inner map pinned
 *                                      at $DATA_TOOL_INNER (keys FIRST..
 *                                      only, in one batch)
 *   data_tool put PIN KEY...           the same for the u32 keys given
 *   data_tool probe PIN COUNT          one BPF_MAP_LOOKUP_BATCH of COUNT
 *                                      entries from the start: prints "ok N",
 *                                      "end N" or the errno name
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

#include "bpf_raw.h"

int main(int argc, char **argv)
{
	struct bpf_map_info info;
	union bpf_attr a;
	char *keys, *vals;
	int fd;

	if ((argc == 5 && !strcmp(argv[1], "fill")) ||
	    (argc >= 4 && !strcmp(argv[1], "put"))) {
		bool put = argv[1][0] == 'p';
		unsigned long first = put ? 0 : strtoul(argv[3], NULL, 0);
		unsigned long n = put ? (unsigned long)argc - 3 : strtoul(argv[4], NULL, 0);

		fd = open_pin(argv[2], &info);
		if (info.key_size != 4) {
			fprintf(stderr, "fill: keys of 4 bytes only\n");
			return 1;
		}
		vals = calloc(1, info.value_size);
		if (!vals)
			return 1;
		if (info.type == BPF_MAP_TYPE_HASH_OF_MAPS ||
		    info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS) {
			struct bpf_map_info ii;
			int ifd;

			if (!getenv("DATA_TOOL_INNER")) {
				fprintf(stderr, "fill: a map of maps needs $DATA_TOOL_INNER\n");
				return 1;
			}
			ifd = open_pin(getenv("DATA_TOOL_INNER"), &ii);
			/* One batch: an update of a map of maps waits for an
			 * RCU grace period, a batch once for all its keys. */
			keys = calloc(n, 4);
			vals = calloc(n, 4);
			if (!keys || !vals)
				return 1;
			for (unsigned long i = 0; i < n; i++) {
				unsigned int k = (unsigned int)(first + i);

				memcpy(keys + i * 4, &k, 4);
				memcpy(vals + i * 4, &ifd, 4);
			}
			memset(&a, 0, sizeof(a));
			a.batch.keys = (unsigned long)keys;
			a.batch.values = (unsigned long)vals;
			a.batch.count = (unsigned int)n;
			a.batch.map_fd = fd;
			if (bpf(BPF_MAP_UPDATE_BATCH, &a)) {
				fprintf(stderr, "fill: batch: %s\n", strerror(errno));
				return 1;
			}
			return 0;
		}
		for (unsigned long i = 0; i < n; i++) {
			unsigned int k = put ? (unsigned int)strtoul(argv[3 + i], NULL, 0)
					     : (unsigned int)(first + i);

			if (info.value_size == 8) {
				unsigned long long v = (unsigned long long)k * 3 + 1;

				memcpy(vals, &v, 8);
			} else {
				memset(vals, k & 0xff, info.value_size);
			}
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = (unsigned long)&k;
			a.value = (unsigned long)vals;
			a.flags = BPF_ANY;
			if (bpf(BPF_MAP_UPDATE_ELEM, &a)) {
				fprintf(stderr, "fill: key %u: %s\n", k, strerror(errno));
				return 1;
			}
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "probe")) {
		unsigned int count = (unsigned int)strtoul(argv[3], NULL, 0);
		unsigned long long tok = 0;

		fd = open_pin(argv[2], &info);
		keys = calloc(count + 1, info.key_size);
		vals = calloc(count + 1, info.value_size);
		if (!keys || !vals)
			return 1;
		memset(&a, 0, sizeof(a));
		a.batch.out_batch = (unsigned long)&tok;
		a.batch.keys = (unsigned long)keys;
		a.batch.values = (unsigned long)vals;
		a.batch.count = count;
		a.batch.map_fd = fd;
		if (!bpf(BPF_MAP_LOOKUP_BATCH, &a))
			printf("ok %u\n", a.batch.count);
		else if (errno == ENOENT)
			printf("end %u\n", a.batch.count);
		else
			printf("%s\n", errno == ENOSPC ? "ENOSPC" : strerror(errno));
		return 0;
	}
	fprintf(stderr, "usage: data_tool fill PIN FIRST COUNT | put PIN KEY... | probe PIN COUNT\n");
	return 2;
}
