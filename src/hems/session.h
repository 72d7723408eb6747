/* session.h: the CWMP session engine: one session per cookie, Inform first, requests to the CPE, 204 to end. */
#ifndef LF_HEMS_SESSION_H
#define LF_HEMS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "hems/hems.h"

/* hems_sessions_new: an empty session table for at most max sessions. Caller owns (hems_sessions_free). */
struct hems_sessions *hems_sessions_new(size_t max);
void hems_sessions_free(struct hems_sessions **t);
/* hems_sessions_count: sessions open now. */
size_t hems_sessions_count(const struct hems_sessions *t);
/* hems_sessions_expire: end sessions idle longer than idle_ms (their task in flight fails); returns how many. */
size_t hems_sessions_expire(struct hems *h, int64_t now_ms, int64_t idle_ms);

/* hems_session_known: whether cookie names an open session (its requests need no new authentication). */
int hems_session_known(struct hems *h, const char *cookie);

/* hems_session_of_device: whether the device has a session open now (a task queued for it goes out in it,
 * unless the session dies first). */
int hems_session_of_device(struct hems *h, const char *device_id);

/* hems_cwmp_handle: one HTTP POST of a CWMP session.
 * cookie: the value of our session cookie or NULL; remote: the peer's address text; body/len: the POST body.
 * Fills r with the answer (SOAP envelope, 204, or 400/503 with a reason). Never fails: every bad input
 * becomes an answer. */
void hems_cwmp_handle(struct hems *h, const char *cookie, const char *remote, const char *body, size_t len,
		      struct hems_reply *r);

#endif
