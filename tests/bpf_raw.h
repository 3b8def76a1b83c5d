/* SPDX-License-Identifier: GPL-2.0 */
/* Raw bpf(2) for the test helpers (data_tool.c, journal_tool.c), which
 * check mapsh against the kernel without libbpf: the syscall, and a pin
 * opened with its map's info (exit 1 on failure). */
#ifndef MAPSH_TESTS_BPF_RAW_H
#define MAPSH_TESTS_BPF_RAW_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

static inline long bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static inline int open_pin(const char *path, struct bpf_map_info *info)
{
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.pathname = (unsigned long)path;
	fd = (int)bpf(BPF_OBJ_GET, &a);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	memset(info, 0, sizeof(*info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(*info);
	a.info.info = (unsigned long)info;
	if (bpf(BPF_OBJ_GET_INFO_BY_FD, &a)) {
		perror("BPF_OBJ_GET_INFO_BY_FD");
		exit(1);
	}
	return fd;
}

#endif
