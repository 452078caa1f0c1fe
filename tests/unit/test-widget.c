/* Display rounding for widget output: the digits as written, half away
 * from zero, no exponent, no padding. */
#include <string.h>

#include "tap.h"
#include "widget.h"
#include "buf.h"

static const char *
rnd(const char *s, int prec)
{
	static struct buf b;
	static char got[512];
	size_t n;
	const char *r = widget_round(s, strlen(s), prec, &b, &n);

	if (n >= sizeof got)
		n = sizeof got - 1;
	memcpy(got, r, n);
	got[n] = '\0';
	return got;
}

int
main(void)
{
	is_str(rnd("9.99", 2), "9.99", "already at the precision");
	is_str(rnd("9.5", 2), "9.5", "no padding with zeros");
	is_str(rnd("2.675", 2), "2.68", "half up on the digits as written, "
	    "not on the binary double (2.67499...)");
	is_str(rnd("2.665", 2), "2.67", "half away from zero, not to even");
	is_str(rnd("-2.675", 2), "-2.68", "negative: away from zero");
	is_str(rnd("9.999", 2), "10", "carry into a new digit, zeros dropped");
	is_str(rnd("99.96", 1), "100", "carry through every digit");
	is_str(rnd("0.004", 2), "0", "rounds to zero");
	is_str(rnd("-0.004", 2), "0", "-0 is 0");
	is_str(rnd("0.005", 2), "0.01", "half of the last place rounds up");
	is_str(rnd("0.5", 0), "1", "precision 0: half up to 1");
	is_str(rnd("0.49", 0), "0", "precision 0: down to 0");
	is_str(rnd("12", 2), "12", "an integer stays as it is");
	is_str(rnd("120", 0), "120", "zeros of an integer are kept");
	is_str(rnd("0012.3400", 3), "12.34", "leading and trailing zeros go");
	is_str(rnd("+1.25", 1), "1.3", "a plus sign goes");
	is_str(rnd("1.5e2", 0), "150", "exponent written out");
	is_str(rnd("1.2345e-2", 3), "0.012", "negative exponent");
	is_str(rnd("1.25e-3", 4), "0.0013", "zeros after the point kept");
	is_str(rnd("4e-7", 2), "0", "far below the last place");
	is_str(rnd("1e21", 2), "1000000000000000000000", "no exponent form");
	is_str(rnd("0.000", 2), "0", "zero");
	is_str(rnd("Mug", 2), "Mug", "not a number: as it is");
	is_str(rnd("1,5", 2), "1,5", "a decimal comma is not a number");
	is_str(rnd("3.14159", -1), "3.14159", "precision -1: exact");
	return tap_done();
}
