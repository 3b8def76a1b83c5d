// SPDX-License-Identifier: GPL-2.0
/* Random bytes into a map, for the round-trip property test
 * (tests/roundtrip.bats), and the map's bytes back out:
 *   rt_fill fill PIN N SEED   N entries of random key and value bytes
 *                             (array maps: keys 0..N-1)
 *   rt_fill dump PIN          one line per entry: key hex, value hex */
#include <stdint.h>
#include "../bpf_raw.h"

static uint64_t state;

static uint8_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint8_t)(state >> 24);
}

static void hex(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

int main(int argc, char **argv)
{
	struct bpf_map_info info;
	union bpf_attr a;
	uint8_t *k, *nk, *v;
	int fd;

	if (argc < 3)
		return 2;
	fd = open_pin(argv[2], &info);
	k = calloc(1, info.key_size);
	nk = calloc(1, info.key_size);
	v = calloc(1, info.value_size);
	if (!k || !nk || !v)
		return 1;
	if (!strcmp(argv[1], "fill") && argc == 5) {
		long n = atol(argv[3]);
		int arr = info.type == BPF_MAP_TYPE_ARRAY;

		state = strtoull(argv[4], NULL, 0) * 2654435761u + 1;
		for (long e = 0; e < n; e++) {
			for (uint32_t i = 0; i < info.key_size; i++)
				k[i] = rnd();
			if (arr)
				memcpy(k, &(uint32_t){ (uint32_t)e }, 4);
			for (uint32_t i = 0; i < info.value_size; i++)
				v[i] = rnd();
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = (unsigned long)k;
			a.value = (unsigned long)v;
			if (bpf(BPF_MAP_UPDATE_ELEM, &a)) {
				perror("BPF_MAP_UPDATE_ELEM");
				return 1;
			}
		}
		return 0;
	}
	if (!strcmp(argv[1], "dump")) {
		int first = 1;

		for (;;) {
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = first ? 0 : (unsigned long)k;
			a.next_key = (unsigned long)nk;
			if (bpf(BPF_MAP_GET_NEXT_KEY, &a))
				break;
			first = 0;
			memcpy(k, nk, info.key_size);
			memset(&a, 0, sizeof(a));
			a.map_fd = fd;
			a.key = (unsigned long)k;
			a.value = (unsigned long)v;
			if (bpf(BPF_MAP_LOOKUP_ELEM, &a))
				continue;
			hex(k, info.key_size);
			putchar(' ');
			hex(v, info.value_size);
			putchar('\n');
		}
		return 0;
	}
	return 2;
}
