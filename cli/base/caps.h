/* SPDX-License-Identifier: GPL-2.0 */
/* The effective capabilities of this process (capget(2)): what the kernel
 * checks, rather than the user id. */
#ifndef MAPSH_CAPS_H
#define MAPSH_CAPS_H

#include <stdbool.h>
#include <linux/capability.h>

#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

/* Is capability cap (CAP_BPF, CAP_SYS_ADMIN, ...) in the effective set?
 * When capget itself fails, euid 0 counts as having every one. */
bool caps_have(int cap);
/* CAP_BPF or CAP_SYS_ADMIN: the bpf() commands beyond reading a pin. */
bool caps_have_bpf(void);

#endif
