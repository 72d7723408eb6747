/* timeutil.h: clocks and the dateTime text CWMP uses. */
#ifndef LF_TIMEUTIL_H
#define LF_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* lf_now_ms: monotonic milliseconds, for deadlines and durations. */
int64_t lf_now_ms(void);
/* lf_time_iso8601: "2026-11-28T22:07:00Z" (UTC) into out (at least 21 bytes). */
void lf_time_iso8601(time_t t, char *out, size_t outlen);

#endif
