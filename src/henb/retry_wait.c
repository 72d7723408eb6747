/* retry_wait.c: TR-069 3.2.1.1 session retry wait intervals. */
#include "henb/retry_wait.h"

#include "common/random.h"

void henb_retry_range_ms(unsigned n, unsigned m, unsigned k, unsigned second_ms, uint64_t *lo, uint64_t *hi)
{
	if (n < 1)
		n = 1;
	if (n > 10) /* from the 10th retry on the interval stays the same */
		n = 10;
	double base = (double)m * second_ms;
	double f = (double)k / 1000.0;
	double l = base;
	for (unsigned i = 1; i < n; i++)
		l *= f;
	*lo = (uint64_t)(l + 0.5);
	*hi = (uint64_t)(l * f + 0.5);
}

uint64_t henb_retry_wait_ms(unsigned n, unsigned m, unsigned k, unsigned second_ms)
{
	uint64_t lo, hi;
	henb_retry_range_ms(n, m, k, second_ms, &lo, &hi);
	return lf_random_range(lo, hi);
}
