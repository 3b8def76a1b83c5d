// SPDX-License-Identifier: GPL-2.0
/* How many threads the split reader (mapsplit.c) reads a hash map with:
 * from the CPUs this process may use and how busy they are. */
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "map/mapsplit.h"

/* Whether `want` CPUs are free: the online CPUs less the runnable tasks
 * of /proc/loadavg other than this one (the best of five looks 0.1 ms
 * apart, so that a short wakeup does not count, such as the parent's
 * that has just started mapsh and is on its way to wait for it, seen
 * by the first look one run in two; the first look that finds them free
 * is enough). */
static bool cpus_free(long ncpu, unsigned want)
{
	for (int i = 0; i < 5; i++) {
		FILE *f = fopen("/proc/loadavg", "re");
		unsigned run = 0, tot = 0;
		int ok;

		if (!f)
			return false;
		ok = fscanf(f, "%*f %*f %*f %u/%u", &run, &tot) == 2;
		fclose(f);
		if (!ok)
			return false;
		run = run ? run - 1 : 0;
		if (run < (unsigned)ncpu && (unsigned)ncpu - run >= want)
			return true;
		if (i < 4)
			usleep(100);
	}
	return false;
}

/* The CPUs this process may run on (taskset, cgroup cpusets), as nproc
 * counts them; the online CPUs when the mask cannot be read. */
static long usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

/* As many readers as CPUs (up to MAPITER_SPLIT_MAX) when as many CPUs
 * are free; twice as many when not. A reader on a CPU that another task
 * also runs on gets part of it, and with equal ranges the read ends when
 * that slowest reader does (one CPU busy, two readers: 1.18x one
 * reader's floor); with more ranges than CPUs the scheduler moves the
 * readers to where they run, so the read stays at the floor (0.99x) and
 * costs no more CPU in all. (A busy task of another session is another
 * matter: autogroups leave this session about one CPU whatever its
 * threads, and eight small ranges a reader, handed out as readers ran
 * out, did no better.) More
 * readers than CPUs when all are free only crowd the memory bus on a
 * sparse map (four readers 0.79x of one pass against two 0.62x). One CPU:
 * one reader. */
unsigned mapsplit_readers(__u32 nb)
{
	const char *env = getenv("MAPSH_READERS");
	long ncpu;
	unsigned n;

	/* MAPSH_READERS=N: N readers whatever the load and size (tests) */
	if (env && *env) {
		n = (unsigned)strtoul(env, NULL, 10);
		if (n < 1)
			n = 1;
	} else {
		if (nb < MAPITER_SPLIT_MIN)
			return 1;
		ncpu = usable_cpus();
		if (ncpu <= 1)
			return 1;
		n = ncpu > MAPITER_SPLIT_MAX ? MAPITER_SPLIT_MAX : (unsigned)ncpu;
		if (!cpus_free(ncpu, n))
			n *= 2;
		if (n > nb / (MAPITER_SPLIT_MIN / 2))
			n = nb / (MAPITER_SPLIT_MIN / 2);
	}
	if (n > MAPITER_SPLIT_MAX)
		n = MAPITER_SPLIT_MAX;
	if (n > nb)
		n = nb;
	return n ? n : 1;
}
