// SPDX-License-Identifier: GPL-2.0
/* The loader's surroundings: libbpf's and libxdp's own messages,
 * privileges, interface names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "base/bpflog.h"
#include "base/err.h"
#include "loader/loader_int.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* ---- logging ---- */

static int print_libxdp(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	if (!bpflog_debug())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

bool loader_debug(void)
{
	return bpflog_debug();
}

void loader_set_logging(bool debug)
{
	bpflog_set(debug);
	libxdp_set_print(print_libxdp);
}

/* ---- privileges, interfaces ---- */

int loader_check_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	unsigned long long eff;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0) {
		if (geteuid() == 0)
			return EXIT_OK;
		return err_fail("this needs root (CAP_BPF and CAP_NET_ADMIN)");
	}
	eff = data[0].effective | (unsigned long long)data[1].effective << 32;
	if (!(eff & (1ULL << CAP_NET_ADMIN)) ||
	    !(eff & ((1ULL << CAP_BPF) | (1ULL << CAP_SYS_ADMIN))))
		return err_fail("this needs root (CAP_BPF and CAP_NET_ADMIN)");
	return EXIT_OK;
}

int loader_resolve_ifaces(const char *const *names, int n, int *ifindex,
			  char (*ifname)[IF_NAMESIZE], int *nout)
{
	*nout = 0;
	for (int i = 0; i < n; i++) {
		unsigned int idx = 0;
		bool dup = false;

		if (strlen(names[i]) < IF_NAMESIZE)
			idx = if_nametoindex(names[i]);
		if (!idx)
			return err_fail("no such interface '%s'", names[i]);
		for (int j = 0; j < *nout; j++)
			if (ifindex[j] == (int)idx)
				dup = true;
		if (dup)
			continue;
		if (*nout >= LOADER_MAX_IFACES)
			return err_usage("too many interfaces (at most %d)",
					 LOADER_MAX_IFACES);
		ifindex[*nout] = (int)idx;
		snprintf(ifname[*nout], IF_NAMESIZE, "%s", names[i]);
		(*nout)++;
	}
	return EXIT_OK;
}
