// SPDX-License-Identifier: GPL-2.0
/*
 * produce DIR drain N    empty bench_events, then write N records into it
 * produce DIR live SECS  write into bench_live as fast as this CPU can for
 *                        SECS seconds, then wait (up to 10 s) until the
 *                        consumer has read everything
 *
 * Records come from the produce_* XDP programs of bench.bpf.o, pinned in
 * DIR by mkmap, run with BPF_PROG_TEST_RUN and repeat (one record a run).
 * Prints "committed C dropped D seconds S": records written, records
 * refused because the ring was full, and the producing time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int pinned(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "produce: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int discard(void *ctx, void *data, size_t len)
{
	return 0;
}

static void run(int prog, __u32 repeat)
{
	char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = repeat);

	if (bpf_prog_test_run_opts(prog, &opts)) {
		fprintf(stderr, "produce: test_run: %s\n", strerror(errno));
		exit(1);
	}
}

/* Has the consumer caught up with the producer? Read both positions. */
static void wait_consumed(int ring)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile unsigned long *cons, *prod;
	double end = now() + 10;

	cons = mmap(NULL, page, PROT_READ, MAP_SHARED, ring, 0);
	prod = mmap(NULL, page, PROT_READ, MAP_SHARED, ring, page);
	if (cons == MAP_FAILED || prod == MAP_FAILED)
		return;
	while (*cons != *prod && now() < end)
		usleep(1000);
}

int main(int argc, char **argv)
{
	__u64 zero = 0, ok = 0, drop = 0;
	__u32 k0 = 0, k1 = 1;
	double t0, t;
	int stat;

	if (argc != 4 || (strcmp(argv[2], "drain") && strcmp(argv[2], "live"))) {
		fprintf(stderr, "usage: produce DIR drain N | produce DIR live SECONDS\n");
		return 2;
	}
	stat = pinned(argv[1], "bench_rbstat");
	bpf_map_update_elem(stat, &k0, &zero, 0);
	bpf_map_update_elem(stat, &k1, &zero, 0);

	if (!strcmp(argv[2], "drain")) {
		struct ring_buffer *rb;

		rb = ring_buffer__new(pinned(argv[1], "bench_events"), discard, NULL, NULL);
		if (!rb || ring_buffer__consume(rb) < 0)
			return 1;
		t0 = now();
		run(pinned(argv[1], "produce_drain"), strtoul(argv[3], NULL, 0));
		t = now() - t0;
	} else {
		int prog = pinned(argv[1], "produce_live");
		double secs = strtod(argv[3], NULL);

		t0 = now();
		while (now() - t0 < secs)
			run(prog, 1 << 14);
		t = now() - t0;
		wait_consumed(pinned(argv[1], "bench_live"));
	}
	bpf_map_lookup_elem(stat, &k0, &ok);
	bpf_map_lookup_elem(stat, &k1, &drop);
	printf("committed %llu dropped %llu seconds %.3f\n",
	       (unsigned long long)ok, (unsigned long long)drop, t);
	return 0;
}
