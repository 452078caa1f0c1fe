/*
 * swar.h: the bytes of a 64-bit word compared at once (SIMD within a
 * register), for the line scans of rec.c and csvin.c and the TSV escape
 * check of writer.c where SSE2 is not to be had or not worth it.
 */
#ifndef XS_SWAR_H
#define XS_SWAR_H

#include <stdint.h>
#include <string.h>

#define SWAR_ONES UINT64_C(0x0101010101010101)
#define SWAR_LOW7 (0x7f * SWAR_ONES)
#define SWAR_HIGH (0x80 * SWAR_ONES)

/* The high bit of each byte of v that equals b, and no other bit (exact:
 * no carry crosses a byte). */
static inline uint64_t
swar_eq(uint64_t v, int b)
{
	uint64_t x = v ^ (SWAR_ONES * (unsigned char)b);

	return ~(((x & SWAR_LOW7) + SWAR_LOW7) | x) & SWAR_HIGH;
}

/* The 8 bytes at p, the first in the low byte whatever the machine's
 * byte order (so that the lowest set bit is the first byte matched). */
static inline uint64_t
swar_load(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

#endif
