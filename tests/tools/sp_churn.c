// SPDX-License-Identifier: GPL-2.0
/* A writer for the read engine's tests (tests/split.bats), raw bpf(2):
 *   sp_churn fill PIN FIRST N     keys FIRST..FIRST+N-1 (u32), value = key
 *                                 (array maps: the value's first u32, and
 *                                 its second field key & 0xffff)
 *   sp_churn churn PIN FIRST N    until killed: insert keys FIRST..FIRST+N-1
 *                                 one by one, delete them again, over and
 *                                 over, and rewrite the value of key 0
 * Per-CPU maps get the value on every possible CPU. */
#include <stdint.h>
#include "../bpf_raw.h"

static int ncpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int lo = 0, hi = 0;

	if (!f)
		return 1;
	if (fscanf(f, "%d-%d", &lo, &hi) < 2)
		hi = lo;
	fclose(f);
	return hi + 1;
}

static int put(int fd, uint32_t key, void *v, uint64_t flags)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (unsigned long)&key;
	a.value = (unsigned long)v;
	a.flags = flags;
	return (int)bpf(BPF_MAP_UPDATE_ELEM, &a);
}

static int del(int fd, uint32_t key)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (unsigned long)&key;
	return (int)bpf(BPF_MAP_DELETE_ELEM, &a);
}

int main(int argc, char **argv)
{
	struct bpf_map_info info;
	uint32_t first, n;
	size_t vs, slots = 1;
	char *v;
	int fd;

	if (argc != 5)
		return 2;
	fd = open_pin(argv[2], &info);
	first = (uint32_t)strtoul(argv[3], NULL, 0);
	n = (uint32_t)strtoul(argv[4], NULL, 0);
	if (info.type == BPF_MAP_TYPE_PERCPU_HASH ||
	    info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	    info.type == BPF_MAP_TYPE_PERCPU_ARRAY)
		slots = (size_t)ncpus();
	vs = (info.value_size + 7) & ~7u;
	v = calloc(slots, vs);
	if (!v)
		return 1;
	if (!strcmp(argv[1], "fill")) {
		for (uint32_t k = first; k < first + n; k++) {
			for (size_t c = 0; c < slots; c++) {
				memcpy(v + c * vs, &k, 4);
				if (info.value_size == 6) {
					uint16_t b = (uint16_t)(k & 0xffff);

					memcpy(v + c * vs + 4, &b, 2);
				}
			}
			if (put(fd, k, v, BPF_ANY)) {
				perror("update");
				return 1;
			}
		}
		return 0;
	}
	if (!strcmp(argv[1], "churn")) {
		for (uint64_t round = 0;; round++) {
			for (uint32_t k = first; k < first + n; k++) {
				memcpy(v, &k, 4);
				put(fd, k, v, BPF_ANY);
			}
			for (uint32_t k = first; k < first + n; k++)
				del(fd, k);
			memcpy(v, &round, 4);
			put(fd, 0, v, BPF_EXIST);
		}
	}
	return 2;
}
