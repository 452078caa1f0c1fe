/* siphash: SipHash-2-4 against its reference vectors, and the draw. */
#include <stdio.h>
#include <string.h>

#include "siphash.h"
#include "tap.h"

/* From the SipHash paper's reference implementation (vectors.h):
 * key 00 01 .. 0f, messages 00 01 .. (n-1) for n = 0, 1, 7, 8, 15, 63. */
static const struct {
	size_t n;
	uint64_t h;
} vec[] = {
	{ 0, 0x726fdb47dd0e0e31ULL },
	{ 1, 0x74f839c593dc67fdULL },
	{ 7, 0xab0200f58b01d137ULL },
	{ 8, 0x93f5f5799a932462ULL },
	{ 15, 0xa129ca6149be45e5ULL },
	{ 63, 0x958a324ceb064572ULL },
};

int
main(void)
{
	unsigned char msg[64];
	uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
	int in = 1, below = 0;
	char id[32];

	for (int i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++)
		ok(siphash24(k0, k1, msg, vec[i].n) == vec[i].h,
		    "reference vector, %zu bytes", vec[i].n);
	snprintf(id, sizeof id, "%016llx",
	    (unsigned long long)siphash24(k0, k1, "", 0));
	is_str(id, "726fdb47dd0e0e31", "the empty message, as hex");
	ok(keyed_unit(7, "C1", 2) == keyed_unit(7, "C1", 2), "a function");
	ok(keyed_unit(7, "C1", 2) != keyed_unit(8, "C1", 2), "the seed matters");
	for (int i = 0; i < 200000; i++) {
		int n = snprintf(id, sizeof id, "C%d", i);
		double u = keyed_unit(7, id, (size_t)n);

		if (!(u >= 0 && u < 1))
			in = 0;
		below += u < 0.1;
	}
	ok(in, "draws are in [0, 1)");
	/* Binomial(200000, 0.1): sd 134; 5 sd is 670. */
	ok(below > 20000 - 670 && below < 20000 + 670,
	    "about 10%% of ids draw below 0.1 (%d of 200000)", below);
	return tap_done();
}
