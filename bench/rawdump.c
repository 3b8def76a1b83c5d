// SPDX-License-Identifier: GPL-2.0
/*
 * rawdump PATH [CHUNK]: read every entry of a pinned hash map with
 * BPF_MAP_LOOKUP_BATCH, CHUNK entries a call (default 4096, as mapsh),
 * and discard them: the floor any dump can reach. Prints the entry count.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), chunk, token = 0;
	unsigned long long total = 0;
	void *keys, *vals;
	bool first = true;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: rawdump PATH [CHUNK]\n");
		return 2;
	}
	chunk = argc == 3 ? strtoul(argv[2], NULL, 0) : 4096;
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "rawdump: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	keys = malloc((size_t)chunk * info.key_size);
	vals = malloc((size_t)chunk * info.value_size);
	if (!keys || !vals)
		return 1;
	for (;;) {
		__u32 cnt = chunk;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token,
					       keys, vals, &cnt, NULL);

		first = false;
		total += cnt;
		if (err && errno == ENOENT)
			break;		/* last chunk */
		if (err) {
			fprintf(stderr, "rawdump: lookup_batch: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("%llu\n", total);
	return 0;
}
