/* SPDX-License-Identifier: GPL-2.0 */
/* Now, in nanoseconds: CLOCK_MONOTONIC (what bpf_ktime_get_ns counts, and
 * what deadlines and refreshes are timed with) and CLOCK_REALTIME. */
#ifndef MAPSH_CLOCK_H
#define MAPSH_CLOCK_H

#include <stdint.h>

uint64_t clock_mono_ns(void);
uint64_t clock_real_ns(void);

#endif
