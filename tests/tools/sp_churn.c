// SPDX-License-Identifier: GPL-2.0
/* A writer for the read engine's tests (tests/split.bats), raw bpf(2):
 *   sp_churn fill PIN FIRST N     keys FIRST..FIRST+N-1 (u32), value = key
 *                                 (array maps: the value's first u32, and
 *                                 its second field key & 0xffff)
 *   sp_churn churn PIN FIRST N    until killed: insert keys FIRST..FIRST+N-1
 *                                 one by one, delete them again, over and
 *                                 over, and rewrite the value of key 0
 *   sp_churn skew PIN 0 0         an empty hash of 65536 buckets (seed zero):
 *                                 keys placed by bucket so that, read by 3
 *                                 readers in batches of 64, the first
 *                                 reader's last batch runs well past the
 *                                 second reader's first (its range is dense
 *                                 at its start, nearly empty at its end);
 *                                 prints the keys written
 *   sp_churn sparse PIN 0 0       an empty hash of many buckets (seed
 *                                 zero): the keys of the first two buckets
 *                                 that hold one, then one key in each 256th
 *                                 of the buckets but the first (a first
 *                                 reader that sized its batches by its
 *                                 first batch alone would read the whole
 *                                 map); prints them
 * Per-CPU maps get the value on every possible CPU. */
#include <errno.h>
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

#define SK_N 40000

/* Keys 1..SK_N into the empty map, then one pass of batches from bucket
 * to bucket: the bucket of each key (a batch returns whole buckets and
 * the next bucket not read). The map is empty again after. */
static int buckets(int fd, uint32_t nb, uint32_t *bkt)
{
	uint32_t in = 0, out = 0, keys[64];
	uint64_t v[64] = { 0 };
	int first = 1;

	for (uint32_t k = 1; k <= SK_N; k++)
		if (put(fd, k, v, BPF_ANY))
			return -1;
	for (;;) {
		union bpf_attr a;
		uint32_t want = 1;
		long rc;

		for (;;) {
			memset(&a, 0, sizeof(a));
			a.batch.in_batch = first ? 0 : (unsigned long)&in;
			a.batch.out_batch = (unsigned long)&out;
			a.batch.keys = (unsigned long)keys;
			a.batch.values = (unsigned long)v;
			a.batch.count = want;
			a.batch.map_fd = fd;
			rc = bpf(BPF_MAP_LOOKUP_BATCH, &a);
			if (rc && errno == ENOSPC && want < 64) {
				want *= 2;
				continue;
			}
			break;
		}
		if (rc && errno != ENOENT)
			return -1;
		/* count 1..: the entries are of one bucket, out - 1 (the last
		 * bucket read when a batch holds exactly one non-empty one) */
		for (uint32_t i = 0; i < a.batch.count; i++)
			bkt[keys[i]] = (rc ? nb : out) - 1;
		if (rc)
			break;
		first = 0;
		in = out;
	}
	for (uint32_t k = 1; k <= SK_N; k++)
		del(fd, k);
	return 0;
}

static int skew(int fd, struct bpf_map_info *info)
{
	uint32_t nb = info->max_entries, r1 = nb / 3, in_a = 0, in_b = 0, in_c = 0;
	uint32_t *bkt = calloc(SK_N + 1, sizeof(*bkt));
	uint64_t v = 0;

	if (!bkt || buckets(fd, nb, bkt))
		return 1;
	/* 2000 keys in buckets [0, r1/4), 3 in [r1 - 300, r1), 300 in
	 * [r1, r1 + 2000) */
	for (uint32_t k = 1; k <= SK_N; k++) {
		uint32_t b = bkt[k];
		int take = 0;

		if (b < r1 / 4 && in_a < 2000)
			take = ++in_a;
		else if (b >= r1 - 300 && b < r1 && in_b < 3)
			take = ++in_b;
		else if (b >= r1 && b < r1 + 2000 && in_c < 300)
			take = ++in_c;
		if (!take)
			continue;
		v = k;
		if (put(fd, k, &v, BPF_ANY))
			return 1;
		printf("%u\n", k);
	}
	return in_c < 300 || in_b < 3;
}

static int sparse(int fd, struct bpf_map_info *info)
{
	uint32_t nb = info->max_entries, lo = 1, lo2 = 2, part = nb / 256;
	uint32_t first[256] = { 0 };
	uint32_t *bkt = calloc(SK_N + 1, sizeof(*bkt));
	uint64_t v;

	if (!bkt || nb < 256 || buckets(fd, nb, bkt))
		return 1;
	if (bkt[lo2] < bkt[lo])
		lo = 2, lo2 = 1;
	for (uint32_t k = 1; k <= SK_N; k++) {
		uint32_t p = bkt[k] / part;

		if (k > 2 && bkt[k] < bkt[lo2]) {
			if (bkt[k] < bkt[lo])
				lo2 = lo, lo = k;
			else
				lo2 = k;
		}
		if (p < 256 && !first[p])
			first[p] = k;
	}
	/* the two first keys: a batch of one returns the first and ends at
	 * the bucket of the second, so the density seen is two buckets' */
	first[0] = 0;
	for (uint32_t p = 0; p < 256; p++) {
		uint32_t k = p ? first[p] : lo;

		if (!k)
			continue;
		v = k;
		if (put(fd, k, &v, BPF_ANY))
			return 1;
		printf("%u\n", k);
		if (!p) {
			v = lo2;
			if (put(fd, lo2, &v, BPF_ANY))
				return 1;
			printf("%u\n", lo2);
		}
	}
	return 0;
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
	if (!strcmp(argv[1], "skew"))
		return skew(fd, &info);
	if (!strcmp(argv[1], "sparse"))
		return sparse(fd, &info);
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
