/* retry_wait.h: the CPE session retry wait of TR-069 3.2.1.1 (randomised, growing, capped at the 10th retry). */
#ifndef LF_HENB_RETRY_WAIT_H
#define LF_HENB_RETRY_WAIT_H

#include <stdint.h>

/* henb_retry_range_ms: the interval [lo, hi] (ms) for retry number n (n >= 1; n > 10 counts as 10), given
 * CWMPRetryMinimumWaitInterval m (s), CWMPRetryIntervalMultiplier k (per mille) and the length of one second
 * in ms (1000, smaller in tests). lo = m * (k/1000)^(n-1), hi = m * (k/1000)^n. */
void henb_retry_range_ms(unsigned n, unsigned m, unsigned k, unsigned second_ms, uint64_t *lo, uint64_t *hi);
/* henb_retry_wait_ms: a uniform random draw from that interval. */
uint64_t henb_retry_wait_ms(unsigned n, unsigned m, unsigned k, unsigned second_ms);

#endif
