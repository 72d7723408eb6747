/* trigger.h: the distress trigger (HeMS -> HeNB): a TR-069 Annex G UDP datagram signed with the device's own
 * trigger key, built, parsed and accepted (signature, identity, replay window, clock skew) on top of
 * cwmp_udp_cr_*. Shared by both sides: hemsd builds, henbd accepts. */
#ifndef LF_DISTRESS_TRIGGER_H
#define LF_DISTRESS_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

#include "cwmp/udp_connreq.h"

#define DISTRESS_TRIGGER_MAX CWMP_UDP_CR_MAX /* bytes of one trigger datagram */

/* What a HeNB keeps between triggers (persist it, so a reboot does not reopen the replay window). */
struct distress_trigger_state {
	struct cwmp_udp_cr_replay replay;
	uint64_t accepted; /* counters, for the data model and logs */
	uint64_t dropped;
};

/* distress_trigger_build: the trigger datagram for the HeNB whose TriggerAddress is authority ("ip:port"):
 * un = identity (the PSK identity, i.e. the device id), cn = cnonce, sig = HMAC-SHA1(trigger_key, ts id un cn).
 * out gets at most outlen bytes (DISTRESS_TRIGGER_MAX + 1 is always enough), *len its length.
 * Returns LF_OK, LF_EINVAL (bad authority, identity, cnonce or key) or LF_ETOOBIG. */
int distress_trigger_build(char *out, size_t outlen, size_t *len, const char *authority, uint64_t ts, uint64_t id,
                           const char *identity, const char *cnonce, const char *trigger_key);

/* distress_trigger_parse: the Annex G parse (no signature check): LF_OK, LF_EPARSE or LF_ETOOBIG with the
 * reason in err. */
int distress_trigger_parse(const char *dgram, size_t len, struct cwmp_udp_cr *out, char *err, size_t errlen);

/* distress_trigger_accept: the HeNB's whole check of one received datagram (protocol section 4): it parses,
 * un equals identity, sig verifies under trigger_key, it is newer than the last accepted trigger, and, when
 * now != 0 (the HeNB has trustworthy time), |ts - now| <= max_skew. On LF_OK st remembers it; on anything
 * else the caller drops the datagram silently. Returns LF_OK, LF_EPARSE / LF_ETOOBIG (malformed), LF_EAUTH
 * (forged or for another device), LF_EEXIST (replay or a copy), LF_ETIMEOUT (stale or future timestamp);
 * err says why, for a log line. out (may be NULL) gets the parsed message. */
int distress_trigger_accept(struct distress_trigger_state *st, const char *dgram, size_t len, const char *identity,
                            const char *trigger_key, uint64_t now, uint64_t max_skew, struct cwmp_udp_cr *out,
                            char *err, size_t errlen);

#endif
