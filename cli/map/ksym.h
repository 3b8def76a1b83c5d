/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel symbols from /proc/kallsyms: the function an address of a kernel
 * stack is in ("__sys_bpf+0x1a3", "xdp_do_redirect+0x40 [mod]"). Read
 * once, on the first kernel address asked about. */
#ifndef MAPSH_KSYM_H
#define MAPSH_KSYM_H

#include <stdbool.h>
#include <stdint.h>
#include "base/strbuf.h"

/* Is addr in the kernel's half of the address space (x86-64, arm64)? */
bool ksym_is_kernel(uint64_t addr);
/* "SYM+0xOFF" (and " [MODULE]") for a kernel address into sb: true, or
 * false and nothing added when no symbol is known (not a kernel address,
 * /proc/kallsyms unreadable or showing zeros: kptr_restrict). */
bool ksym_name(uint64_t addr, struct strbuf *sb);
/* Why ksym_name knows no symbols, or NULL when it does ("/proc/kallsyms
 * shows no addresses (kptr_restrict; run as root)"). */
const char *ksym_unavailable(void);
void ksym_free(void);

#endif
