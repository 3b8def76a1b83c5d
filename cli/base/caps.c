// SPDX-License-Identifier: GPL-2.0
/* Effective capabilities, read once with capget(2). */
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "base/caps.h"

static bool read_done, read_ok;
static unsigned long long effective;

bool caps_have(int cap)
{
	if (!read_done) {
		struct __user_cap_header_struct hdr = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct data[2];

		memset(data, 0, sizeof(data));
		read_ok = syscall(SYS_capget, &hdr, data) == 0;
		effective = data[0].effective |
			    (unsigned long long)data[1].effective << 32;
		read_done = true;
	}
	if (!read_ok)
		return geteuid() == 0;
	return cap >= 0 && cap < 64 && (effective >> cap) & 1;
}

bool caps_have_bpf(void)
{
	return caps_have(CAP_BPF) || caps_have(CAP_SYS_ADMIN);
}
