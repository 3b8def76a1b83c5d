// SPDX-License-Identifier: GPL-2.0
/* How many threads the split reader (mapsplit.c) reads a hash map with,
 * and the CPUs they are held to: from the CPUs this process may use. */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include "map/mapsplit.h"

/* The CPUs this process may run on (taskset, cgroup cpusets), as nproc
 * counts them, and which in *set; the online CPUs (and an empty set)
 * when the mask cannot be read. */
static long usable_cpus(cpu_set_t *set)
{
	if (sched_getaffinity(0, sizeof(*set), set) == 0)
		return CPU_COUNT(set);
	CPU_ZERO(set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* As many readers as CPUs this process may use, up to MAPITER_SPLIT_MAX
 * (MAPSH_READERS=N: N, whatever the size, for the tests); one on one CPU
 * or a small map. When they are as many as those CPUs, reader i is held
 * to the i-th of them (cpus[i]; -1: left to the scheduler).
 *
 * Why held: a reader whose ring is full waits for the caller to take a
 * chunk, and the kernel puts a woken thread near the thread that woke it.
 * With a busy loop on CPU 1, the reader of CPU 1 ran two thirds of its
 * time on CPU 0, beside the other reader, while the loop kept 84% of CPU
 * 1; held there, it takes its share of CPU 1. A 1M-entry dump, to one
 * reader's raw floor (three rounds each, 2 CPUs): the loop in mapsh's
 * session 1.08-1.13x with four readers left free (twice as many as CPUs,
 * as before) and 0.94-1.01x with two held; the loop in another session
 * 1.37-1.43x and 1.11-1.17x; three loops on CPU 1 1.40-1.70x and
 * 1.25-1.52x; no loop 0.71-0.73x either way. A held reader on a CPU that
 * stays busy does not hold the read up: the others take over its range
 * (mapsplit.c). With more CPUs than readers the scheduler has CPUs to
 * move them to, and none is held. */
unsigned mapsplit_readers(__u32 nb, int cpus[MAPITER_SPLIT_MAX])
{
	const char *env = getenv("MAPSH_READERS");
	cpu_set_t set;
	long ncpu = usable_cpus(&set);
	unsigned n;

	for (unsigned i = 0; i < MAPITER_SPLIT_MAX; i++)
		cpus[i] = -1;
	if (env && *env) {
		n = (unsigned)strtoul(env, NULL, 10);
		if (n < 1)
			n = 1;
	} else {
		if (nb < MAPITER_SPLIT_MIN || ncpu <= 1)
			return 1;
		n = ncpu > MAPITER_SPLIT_MAX ? MAPITER_SPLIT_MAX : (unsigned)ncpu;
		if (n > nb / (MAPITER_SPLIT_MIN / 2))
			n = nb / (MAPITER_SPLIT_MIN / 2);
	}
	if (n > MAPITER_SPLIT_MAX)
		n = MAPITER_SPLIT_MAX;
	if (n > nb)
		n = nb;
	if (n < 1)
		n = 1;
	if (n > 1 && (long)n == ncpu && CPU_COUNT(&set) == ncpu) {
		unsigned k = 0;

		for (int c = 0; c < CPU_SETSIZE && k < n; c++)
			if (CPU_ISSET(c, &set))
				cpus[k++] = c;
	}
	return n;
}
