// SPDX-License-Identifier: GPL-2.0
/*
 * mt_run PROG_PIN: run a pinned raw tracepoint program once with
 * BPF_PROG_TEST_RUN, no context (bpftool prog run insists on data, which
 * raw tracepoint programs refuse). For mt_stack.bpf.c (tests/maptypes.bats).
 * Prints the program's return value; exit 0, or 1 with a message.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mt_run PROG_PIN\n");
		return 1;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "mt_run: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_prog_test_run_opts(fd, &opts)) {
		fprintf(stderr, "mt_run: test run: %s\n", strerror(errno));
		return 1;
	}
	printf("%u\n", opts.retval);
	return 0;
}
