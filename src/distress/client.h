/* client.h: the HeNB side of a distress session over CoAP/DTLS (libcoap 3, GnuTLS): open a session with an
 * INFORM, fetch actions, post results, end. Blocking calls with a deadline, one request at a time; for henbd's
 * distress client and the distress-client tool. Memory is allocated once in distress_client_new. */
#ifndef LF_DISTRESS_CLIENT_H
#define LF_DISTRESS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "distress/codec.h"

struct distress_client;

struct distress_client_config {
	const char *server;   /* "coaps://HOST:PORT" (X_<OUI>_Distress.ServerURL) or "HOST:PORT"; port 5684 if none */
	const char *identity; /* PSK identity: the device id hemsd gave (X_<OUI>_Distress.Identity) */
	const char *psk;      /* the PSK: 64 hex characters, used as they are (protocol 3.2) */
	unsigned timeout_ms;  /* per request, DTLS handshake and CoAP retransmissions included; 0 = 15000 */
};

/* distress_client_new: resolve the server and prepare a DTLS session (the handshake runs with the first
 * request). Caller owns *out (distress_client_free). Returns LF_OK, LF_EINVAL (bad server, identity or key)
 * or LF_ENET (cannot resolve). */
int distress_client_new(const struct distress_client_config *cfg, struct distress_client **out, char *err,
                        size_t errlen);
/* distress_client_free: close the DTLS session and clear the caller's pointer. */
void distress_client_free(struct distress_client **c);

/* distress_client_open: POST /d/s with the INFORM; w gets the WELCOME and the client remembers the session
 * id for the calls below. */
int distress_client_open(struct distress_client *c, const struct distress_inform *in, struct distress_welcome *w,
                         char *err, size_t errlen);
/* distress_client_next: POST /d/n; a gets the next ACTION (kind DISTRESS_KIND_NONE when nothing is pending). */
int distress_client_next(struct distress_client *c, struct distress_action *a, char *err, size_t errlen);
/* distress_client_result: POST /d/r with r (its session_id is set here); ack (may be NULL) gets the ACK. */
int distress_client_result(struct distress_client *c, struct distress_result *r, struct distress_ack *ack, char *err,
                           size_t errlen);
/* distress_client_end: POST /d/e; the session is over (ack may be NULL). */
int distress_client_end(struct distress_client *c, struct distress_ack *ack, char *err, size_t errlen);
/* distress_client_session: the current session id (0 before open). */
uint64_t distress_client_session(const struct distress_client *c);

/* distress_client_post: the raw exchange under the calls above: POST body to path ("d/s"); *code gets the
 * response code as class*100+detail (201, 401...), out up to outcap bytes of the response payload.
 * Returns LF_OK when a response arrived (whatever its code), LF_EAUTH when the DTLS handshake failed (wrong
 * PSK, unknown identity or blocked device: the server does not say which), LF_ETIMEOUT, LF_ENET. */
int distress_client_post(struct distress_client *c, const char *path, const uint8_t *body, size_t len, unsigned *code,
                         uint8_t *out, size_t outcap, size_t *outlen, char *err, size_t errlen);

/* Every call returns LF_OK or: LF_EAUTH (handshake failed, or 4.01: no session / identity mismatch),
 * LF_EFORBIDDEN (4.03 blocked), LF_ENOTFOUND (4.04), LF_EINVAL (4.00, 4.13, 4.15), LF_ENET (5.xx, network),
 * LF_ETIMEOUT, LF_EPARSE (the answer does not decode); err holds the code and the server's diagnostic. */

#endif
