// SPDX-License-Identifier: GPL-2.0
/* libbpf's messages on stderr under -d only: see bpflog.h. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "base/bpflog.h"

static bool log_debug;
static bool log_set;

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!log_debug)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void bpflog_set(bool debug)
{
	log_set = true;
	log_debug = debug;
	libbpf_set_print(print_libbpf);
}

bool bpflog_is_set(void)
{
	return log_set;
}

bool bpflog_debug(void)
{
	return log_debug;
}
