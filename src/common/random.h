/* random.h: randomness from the kernel (getrandom), for session cookies, nonces and retry jitter. */
#ifndef LF_RANDOM_H
#define LF_RANDOM_H

#include <stddef.h>
#include <stdint.h>

void lf_random_bytes(void *out, size_t n);
/* lf_random_hex: 2*nbytes lowercase hex chars plus NUL into out (size >= 2*nbytes+1). */
void lf_random_hex(char *out, size_t nbytes);
/* lf_random_range: uniform integer in [lo, hi] (lo <= hi). */
uint64_t lf_random_range(uint64_t lo, uint64_t hi);

#endif
