// SPDX-License-Identifier: GPL-2.0
/*
 * perf_run [--burst] PROG_PIN N: run the pinned perf_emit program
 * (perf_emit.bpf.c) with BPF_PROG_TEST_RUN. --burst: N runs at once, and
 * nothing else. Otherwise until N records were attempted:
 *   1. once every 2 ms until a record is written, i.e. until a reader has
 *      attached its perf buffers (up to 10 s; these tries are not counted);
 *   2. N - 2 runs in one burst (repeat), fast enough to overflow a small
 *      buffer;
 *   3. once every 5 ms until one more record is written: it carries the
 *      count of the samples the burst lost, which the kernel reports to
 *      the reader only with the next record written.
 * It stays on one CPU: a buffer reports its lost samples only with its own
 * next record. Exit 0, or 1 with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define XDP_PASS_RET 2

static int run(int prog, unsigned repeat, unsigned *retval)
{
	char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = repeat);

	if (bpf_prog_test_run_opts(prog, &opts)) {
		fprintf(stderr, "perf_run: test run: %s\n", strerror(errno));
		return -1;
	}
	*retval = opts.retval;
	return 0;
}

/* Run once every interval_us until a record is written. */
static int until_written(int prog, unsigned interval_us, unsigned tries)
{
	unsigned ret = 0;

	for (unsigned i = 0; i < tries; i++) {
		if (run(prog, 1, &ret))
			return -1;
		if (ret == XDP_PASS_RET)
			return 0;
		usleep(interval_us);
	}
	fprintf(stderr, "perf_run: no record could be written (no reader?)\n");
	return -1;
}

int main(int argc, char **argv)
{
	bool burst = argc > 1 && !strcmp(argv[1], "--burst");
	unsigned long n;
	unsigned ret;
	int prog;

	if (burst) {
		argc--;
		argv++;
	}
	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) < 2) {
		fprintf(stderr, "usage: perf_run [--burst] PROG_PIN N (N >= 2)\n");
		return 2;
	}
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	prog = bpf_obj_get(argv[1]);
	if (prog < 0) {
		fprintf(stderr, "perf_run: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (burst)
		return run(prog, (unsigned)n, &ret) ? 1 : 0;
	if (until_written(prog, 2000, 5000))
		return 1;
	if (n > 2 && run(prog, (unsigned)(n - 2), &ret))
		return 1;
	if (until_written(prog, 5000, 2000))
		return 1;
	return 0;
}
