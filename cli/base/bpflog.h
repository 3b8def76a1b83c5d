/* SPDX-License-Identifier: GPL-2.0 */
/* libbpf's own messages: shown only under -d. Set once after the global
 * options are parsed; until then, the first user of libbpf that cares
 * (opening a bundled object) installs the quiet setting itself. */
#ifndef MAPSH_BPFLOG_H
#define MAPSH_BPFLOG_H

#include <stdbool.h>

void bpflog_set(bool debug);
/* Whether bpflog_set was called. */
bool bpflog_is_set(void);
/* What it was called with. */
bool bpflog_debug(void);

#endif
