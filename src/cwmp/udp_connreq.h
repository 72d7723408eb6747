/* udp_connreq.h: TR-069 Annex G UDP Connection Request codec (signed HTTP GET in one datagram), shared by both sides. */
#ifndef LF_CWMP_UDP_CONNREQ_H
#define LF_CWMP_UDP_CONNREQ_H

#include <stddef.h>
#include <stdint.h>

#define CWMP_UDP_CR_MAX 1400 /* bytes of one datagram we build or accept */

/* A parsed request. Strings are the decoded query values. */
struct cwmp_udp_cr {
	uint64_t ts;       /* Unix time the sender created it */
	uint64_t id;       /* message id: the same for retransmissions of one request */
	char un[257];      /* ConnectionRequestUsername */
	char cn[129];      /* cnonce */
	char sig[41];      /* HMAC-SHA1 hex, lower or upper case */
	char ts_text[21];  /* ts and id as sent: the signature covers the text */
	char id_text[21];
};

/* cwmp_udp_cr_build: write the datagram to out (cap outlen); *len gets its length.
 * authority is "host:port" (UDPConnectionRequestAddress); sig = HMAC-SHA1(password, ts id un cn).
 * Returns LF_OK, LF_EINVAL (bad argument), LF_ETOOBIG. */
int cwmp_udp_cr_build(char *out, size_t outlen, size_t *len, const char *authority, uint64_t ts, uint64_t id,
		      const char *un, const char *cn, const char *password);

/* cwmp_udp_cr_parse: parse one datagram: an HTTP/1.1 GET with an absolute http URI, empty path and the
 * ts, id, un, cn, sig query fields. Returns LF_OK or LF_EPARSE/LF_ETOOBIG with the reason in err. */
int cwmp_udp_cr_parse(const char *dgram, size_t len, struct cwmp_udp_cr *out, char *err, size_t errlen);

/* cwmp_udp_cr_verify: LF_OK when un equals username and sig is the HMAC-SHA1 of the message under password
 * (compared in constant time); LF_EAUTH otherwise. */
int cwmp_udp_cr_verify(const struct cwmp_udp_cr *m, const char *username, const char *password);

/* Replay protection state of a receiver: the last accepted request. */
struct cwmp_udp_cr_replay {
	uint64_t last_ts;
	uint64_t last_id;
	int have;
};

/* cwmp_udp_cr_replay_check: LF_OK and remember m when it is newer than the last accepted one (ts strictly
 * greater, or same ts with another id) and, when now != 0, within max_skew seconds of now; LF_EEXIST for a
 * replay or retransmission; LF_ETIMEOUT for a stale or future timestamp. Call after cwmp_udp_cr_verify. */
int cwmp_udp_cr_replay_check(struct cwmp_udp_cr_replay *r, const struct cwmp_udp_cr *m, uint64_t now,
			     uint64_t max_skew);

#endif
