/* ratelimit.h: at most N events per sliding window (connection requests per minute). */
#ifndef LF_HENB_RATELIMIT_H
#define LF_HENB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "henb/limits.h"

struct henb_ratelimit {
	int64_t at[HENB_CR_RATE_WINDOW]; /* times of the admitted events, a ring */
	unsigned n;                      /* admitted events in the ring */
	unsigned head;                   /* oldest */
	unsigned limit;                  /* at most this many per window (<= HENB_CR_RATE_WINDOW) */
	int64_t window_ms;
};

/* henb_ratelimit_init: limit events per window_ms (limit is capped at HENB_CR_RATE_WINDOW). */
void henb_ratelimit_init(struct henb_ratelimit *r, unsigned limit, int64_t window_ms);
/* henb_ratelimit_admit: true (and counted) when fewer than limit events were admitted in the window
 * ending at now_ms; false otherwise (not counted). */
bool henb_ratelimit_admit(struct henb_ratelimit *r, int64_t now_ms);

#endif
