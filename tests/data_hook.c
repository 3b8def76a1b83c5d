// SPDX-License-Identifier: GPL-2.0
/* An LD_PRELOAD helper of data_walk.bats, built by its setup_file: plays
 * "another program deleted a key meanwhile" at a chosen moment. Just
 * before mapsh's first BPF_MAP_DELETE_BATCH (libbpf calls libc's
 * syscall(), which this replaces), it deletes the key at index
 * $DATA_HOOK_INDEX of that batch from the real map, and writes that key's
 * bytes in hex to $DATA_HOOK_LOG. The batch then meets a key that is gone,
 * as it would if the program had deleted it. Everything else passes
 * through untouched. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/bpf.h>

typedef long (*syscall_fn)(long, ...);

long syscall(long n, ...)
{
	static syscall_fn real;
	static int done;
	long a[6];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!real)
		real = (syscall_fn)dlsym(RTLD_NEXT, "syscall");
	if (n == __NR_bpf && a[0] == BPF_MAP_DELETE_BATCH && !done &&
	    getenv("DATA_HOOK_INDEX")) {
		union bpf_attr *attr = (union bpf_attr *)a[1];
		unsigned long idx = strtoul(getenv("DATA_HOOK_INDEX"), NULL, 0);
		struct bpf_map_info info;
		union bpf_attr q;
		const unsigned char *key;
		FILE *log;

		done = 1;
		memset(&info, 0, sizeof(info));
		memset(&q, 0, sizeof(q));
		q.info.bpf_fd = attr->batch.map_fd;
		q.info.info_len = sizeof(info);
		q.info.info = (unsigned long)&info;
		if (real(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &q, sizeof(q)) ||
		    idx >= attr->batch.count)
			abort();
		key = (const unsigned char *)(unsigned long)attr->batch.keys +
		      idx * info.key_size;
		memset(&q, 0, sizeof(q));
		q.map_fd = attr->batch.map_fd;
		q.key = (unsigned long)key;
		if (real(__NR_bpf, BPF_MAP_DELETE_ELEM, &q, sizeof(q)))
			abort();
		log = fopen(getenv("DATA_HOOK_LOG") ? getenv("DATA_HOOK_LOG") : "/dev/null", "w");
		if (log) {
			for (unsigned i = 0; i < info.key_size; i++)
				fprintf(log, "%s%02x", i ? " " : "", key[i]);
			fputc('\n', log);
			fclose(log);
		}
	}
	return real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
