/*
 * siphash.h: keyed hashing for reproducible pseudo-randomness, such as
 * xsell-rank's holdout: the same seed and id give the same draw on every
 * machine and in every order, and other ids do not change it.
 *
 * SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed PRF, with the
 * 128-bit key k0 = seed, k1 = 0; the draw is the top 53 bits of the
 * 64-bit result divided by 2^53, uniform in [0, 1).
 */
#ifndef KEYHASH_H
#define KEYHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(uint64_t k0, uint64_t k1, const void *p, size_t n);
/* (siphash24(seed, 0, p, n) >> 11) * 2^-53: uniform in [0, 1). */
double keyed_unit(uint64_t seed, const void *p, size_t n);

#endif
