/* ncpu.c: the cores this process may run on (ncpu.h). */
#define _GNU_SOURCE	/* sched_getaffinity, CPU_COUNT, where there are */
#include <limits.h>
#include <sched.h>
#include <unistd.h>

#include "ncpu.h"

/* The affinity mask is Linux's (glibc, musl); where there is none
 * (macOS, the BSDs), the cores online. */
int
ncpu(void)
{
#ifdef CPU_COUNT
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set);
#endif
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > 0)
		return n < INT_MAX ? (int)n : INT_MAX;
#endif
	return 2;
}
