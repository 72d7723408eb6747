/* trigger.c: the distress trigger, an Annex G datagram with the device's trigger key (protocol section 4). */
#include "distress/trigger.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "distress/codec.h"
#include "distress/protocol.h"

int distress_trigger_build(char *out, size_t outlen, size_t *len, const char *authority, uint64_t ts, uint64_t id,
                           const char *identity, const char *cnonce, const char *trigger_key)
{
	if (!distress_key_valid(trigger_key) || strnlen(identity, DISTRESS_MAX_ID + 1) > DISTRESS_MAX_ID)
		return LF_EINVAL;
	return cwmp_udp_cr_build(out, outlen, len, authority, ts, id, identity, cnonce, trigger_key);
}

int distress_trigger_parse(const char *dgram, size_t len, struct cwmp_udp_cr *out, char *err, size_t errlen)
{
	return cwmp_udp_cr_parse(dgram, len, out, err, errlen);
}

int distress_trigger_accept(struct distress_trigger_state *st, const char *dgram, size_t len, const char *identity,
                            const char *trigger_key, uint64_t now, uint64_t max_skew, struct cwmp_udp_cr *out,
                            char *err, size_t errlen)
{
	struct cwmp_udp_cr m;
	int result = cwmp_udp_cr_parse(dgram, len, &m, err, errlen);
	if (result)
		goto out;
	/* A HeNB without keys has no distress channel: nothing can verify, so nothing is accepted. */
	if (!distress_key_valid(trigger_key)) {
		snprintf(err, errlen, "no valid trigger key provisioned");
		result = LF_EAUTH;
		goto out;
	}
	result = cwmp_udp_cr_verify(&m, identity, trigger_key);
	if (result) {
		snprintf(err, errlen, "bad signature or identity (un=%.64s)", m.un);
		goto out;
	}
	/* The replay check only after the signature: a forged datagram must not move the window. */
	result = cwmp_udp_cr_replay_check(&st->replay, &m, now, max_skew);
	if (result == LF_EEXIST)
		snprintf(err, errlen, "replay: ts=%llu id=%llu not newer than the last accepted trigger",
		         (unsigned long long)m.ts, (unsigned long long)m.id);
	else if (result == LF_ETIMEOUT)
		snprintf(err, errlen, "ts=%llu more than %llu s from now=%llu", (unsigned long long)m.ts,
		         (unsigned long long)max_skew, (unsigned long long)now);
out:
	if (result)
		st->dropped++;
	else
		st->accepted++;
	if (out)
		*out = m;
	return result;
}
