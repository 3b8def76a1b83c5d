// SPDX-License-Identifier: GPL-2.0
/* The loader's surroundings: libbpf's and libxdp's own messages,
 * privileges, interface names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>

#include "base/bpflog.h"
#include "base/caps.h"
#include "base/err.h"
#include "loader/loader_int.h"


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
	if (!caps_have(CAP_NET_ADMIN) || !caps_have_bpf())
		return err_fail("this needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN (root has them)");
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
