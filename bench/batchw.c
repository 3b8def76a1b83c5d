// SPDX-License-Identifier: GPL-2.0
/*
 * batchw: the kernel's floors for the writing verbs of `make bench`, on a
 * pinned flow_key -> flow_metrics hash map (bench_flows).
 *
 *   batchw fill PATH N [CHUNK]   write entries 0..N-1 of flows.h with one
 *                                loop of BPF_MAP_UPDATE_BATCH, CHUNK
 *                                entries a call (default 4096): the floor
 *                                of apply (no file, no parsing); also the
 *                                refill between clear runs
 *   batchw clear PATH [CHUNK]    delete every entry with one loop of
 *                                BPF_MAP_LOOKUP_AND_DELETE_BATCH: the
 *                                floor of clear
 *   batchw bpftool PATH N        print N `map update pinned PATH key hex
 *                                ... value hex ...` lines (the same
 *                                entries) for `bpftool batch file`
 *
 * fill and clear print the number of entries written / deleted.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "flows.h"

static int usage(void)
{
	fprintf(stderr, "usage: batchw fill PATH N [CHUNK] | clear PATH [CHUNK] | bpftool PATH N\n");
	return 2;
}

static int open_map(const char *path)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "batchw: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (info.key_size != sizeof(struct flow_key) ||
	    info.value_size != sizeof(struct flow_metrics)) {
		fprintf(stderr, "batchw: %s: key %u B, value %u B: not a flow_key -> flow_metrics map\n",
			path, info.key_size, info.value_size);
		return -1;
	}
	return fd;
}

static int fill(int fd, __u32 n, __u32 chunk)
{
	struct flow_key *keys = calloc(chunk, sizeof(*keys));
	struct flow_metrics *vals = calloc(chunk, sizeof(*vals));

	if (!keys || !vals)
		return 1;
	for (__u32 i = 0; i < n; ) {
		__u32 cnt = n - i < chunk ? n - i : chunk;

		for (__u32 j = 0; j < cnt; j++)
			make_entry(i + j, &keys[j], &vals[j]);
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL)) {
			fprintf(stderr, "batchw: update_batch at entry %u: %s\n",
				i + cnt, strerror(errno));
			return 1;
		}
		i += cnt;
	}
	printf("%u\n", n);
	return 0;
}

static int clear(int fd, __u32 chunk)
{
	struct flow_key *keys = calloc(chunk, sizeof(*keys));
	struct flow_metrics *vals = calloc(chunk, sizeof(*vals));
	unsigned long long total = 0;
	__u32 token = 0;
	bool first = true;

	if (!keys || !vals)
		return 1;
	for (;;) {
		__u32 cnt = chunk;
		int err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &token,
							  &token, keys, vals, &cnt, NULL);

		first = false;
		total += cnt;
		if (err && errno == ENOENT)
			break;		/* last chunk */
		if (err) {
			fprintf(stderr, "batchw: lookup_and_delete_batch: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("%llu\n", total);
	return 0;
}

static void hex(const void *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++) {
		putchar(' ');
		putchar(digits[b[i] >> 4]);
		putchar(digits[b[i] & 15]);
	}
}

static int bpftool_lines(const char *path, __u32 n)
{
	struct flow_key k;
	struct flow_metrics v;

	for (__u32 i = 0; i < n; i++) {
		make_entry(i, &k, &v);
		printf("map update pinned %s key hex", path);
		hex(&k, sizeof(k));
		fputs(" value hex", stdout);
		hex(&v, sizeof(v));
		putchar('\n');
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	__u32 n = 0, chunk = 4096;
	int fd;

	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "bpftool")) {
		if (argc != 4)
			return usage();
		return bpftool_lines(argv[2], strtoul(argv[3], NULL, 0));
	}
	if (!strcmp(argv[1], "fill")) {
		if (argc < 4 || argc > 5)
			return usage();
		n = strtoul(argv[3], NULL, 0);
		if (argc == 5)
			chunk = strtoul(argv[4], NULL, 0);
	} else if (!strcmp(argv[1], "clear")) {
		if (argc > 4)
			return usage();
		if (argc == 4)
			chunk = strtoul(argv[3], NULL, 0);
	} else {
		return usage();
	}
	if (!chunk)
		return usage();
	fd = open_map(argv[2]);
	if (fd < 0)
		return 1;
	return argv[1][0] == 'f' ? fill(fd, n, chunk) : clear(fd, chunk);
}
