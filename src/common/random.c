/* random.c: kernel randomness; aborts if the kernel cannot give it (nothing sensible to do then). */
#include "common/random.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

void lf_random_bytes(void *out, size_t n)
{
	unsigned char *p = out;
	while (n) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "level=fatal event=getrandom_failed errno=%d\n", errno);
			abort();
		}
		p += got;
		n -= (size_t)got;
	}
}

void lf_random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t done = 0;
	while (done < nbytes) {
		size_t n = nbytes - done < sizeof(raw) ? nbytes - done : sizeof(raw);
		lf_random_bytes(raw, n);
		for (size_t i = 0; i < n; i++) {
			out[2 * (done + i)] = hex[raw[i] >> 4];
			out[2 * (done + i) + 1] = hex[raw[i] & 15];
		}
		done += n;
	}
	out[2 * nbytes] = '\0';
}

uint64_t lf_random_range(uint64_t lo, uint64_t hi)
{
	uint64_t span = hi - lo + 1;
	uint64_t r;
	if (span == 0) { /* the whole 64-bit range */
		lf_random_bytes(&r, sizeof(r));
		return r;
	}
	/* Rejection sampling keeps the draw uniform. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % span;
	do
		lf_random_bytes(&r, sizeof(r));
	while (r >= limit);
	return lo + r % span;
}
