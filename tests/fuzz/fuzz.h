/* fuzz.h: what every fuzz target shares: die() returns to the target
 * instead of ending the process. */
#ifndef FUZZ_H
#define FUZZ_H
#include <setjmp.h>
#include <stdint.h>
#include <stddef.h>

#include "xsell.h"

static jmp_buf fuzz_jmp;

static void
fuzz_die_hook(int status)
{
	(void)status;
	longjmp(fuzz_jmp, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif
