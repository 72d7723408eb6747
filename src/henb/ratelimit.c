/* ratelimit.c: sliding-window admission with a fixed ring of timestamps. */
#include "henb/ratelimit.h"

void henb_ratelimit_init(struct henb_ratelimit *r, unsigned limit, int64_t window_ms)
{
	r->n = 0;
	r->head = 0;
	r->limit = limit > HENB_CR_RATE_WINDOW ? HENB_CR_RATE_WINDOW : limit;
	r->window_ms = window_ms;
}

bool henb_ratelimit_admit(struct henb_ratelimit *r, int64_t now_ms)
{
	while (r->n && now_ms - r->at[r->head] >= r->window_ms) {
		r->head = (r->head + 1) % HENB_CR_RATE_WINDOW;
		r->n--;
	}
	if (r->n >= r->limit)
		return false;
	r->at[(r->head + r->n) % HENB_CR_RATE_WINDOW] = now_ms;
	r->n++;
	return true;
}
