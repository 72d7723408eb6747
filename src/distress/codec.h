/* codec.h: distress channel payloads (2-byte header + TLV fields) encoded from and decoded into fixed-size
 * structures: no allocation, every limit checked, a clear error for every refusal. Shared by both sides. */
#ifndef LF_DISTRESS_CODEC_H
#define LF_DISTRESS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "distress/protocol.h"

/* A security alarm event (TR-181 FaultMgmt fields). */
struct distress_alarm {
	char alarm_identifier[65];
	char event_time[DISTRESS_LEN_TIME + 1];
	uint8_t notification; /* enum distress_notification */
	char managed_object[257];
	char event_type[65];
	char probable_cause[65];
	char specific_problem[129];
	uint8_t severity; /* enum distress_severity */
	char additional_text[257];
	char additional_info[257];
};

struct distress_param {
	char name[DISTRESS_LEN_NAME + 1];
	char value[DISTRESS_LEN_VALUE + 1];
	char type[DISTRESS_LEN_TYPE + 1]; /* "" = xsd:string */
};

/* INFORM: the HeNB opens a session (POST /d/s). */
struct distress_inform {
	char device_id[DISTRESS_MAX_ID + 1];
	uint8_t reason; /* enum distress_reason */
	char reason_text[DISTRESS_LEN_REASON + 1];
	char events[DISTRESS_MAX_EVENTS][DISTRESS_LEN_EVENT + 1];
	size_t n_events;
	char software_version[DISTRESS_LEN_VERSION + 1];
	char hardware_version[DISTRESS_LEN_VERSION + 1];
	char trigger_address[DISTRESS_MAX_ADDR + 1];
	uint32_t standard_failures;
	struct distress_alarm alarms[DISTRESS_MAX_ALARMS];
	size_t n_alarms;
	struct distress_param params[DISTRESS_MAX_INFORM_PARAMS];
	size_t n_params;
};

/* WELCOME: the HeMS's answer to an INFORM. */
struct distress_welcome {
	uint64_t session_id;
	uint32_t pending;
	uint64_t server_time;
	uint32_t poll_interval;
	uint32_t session_timeout;
};

/* POLL: fetch the next action (/d/n) or end the session (/d/e). */
struct distress_poll {
	uint64_t session_id;
};

/* ACTION: one pending operation (kind NONE: nothing pending). */
struct distress_action {
	uint64_t id;
	uint8_t kind; /* enum distress_kind */
	char command_key[DISTRESS_LEN_COMMAND_KEY + 1];
	char url[DISTRESS_MAX_URL + 1];
	uint64_t file_size;
	uint8_t sha256[32];
	int has_sha256;
	char file_type[DISTRESS_LEN_FILE_TYPE + 1];
	char target_version[DISTRESS_LEN_VERSION + 1];
	char names[DISTRESS_MAX_NAMES][DISTRESS_LEN_NAME + 1];
	size_t n_names;
	uint32_t pending;
	uint32_t retry_after;
};

/* RESULT: the outcome of one action. */
struct distress_result {
	uint64_t session_id;
	uint64_t action_id;
	uint8_t status; /* enum distress_status */
	uint32_t fault_code;
	char fault_string[DISTRESS_LEN_FAULT + 1];
	struct distress_param params[DISTRESS_MAX_PARAMS];
	size_t n_params;
	char diag_state[DISTRESS_LEN_DIAG_STATE + 1];
	char diag_results[DISTRESS_LEN_DIAG_RESULTS + 1];
	char software_version[DISTRESS_LEN_VERSION + 1];
	char start_time[DISTRESS_LEN_TIME + 1];
	char complete_time[DISTRESS_LEN_TIME + 1];
	char events[DISTRESS_MAX_EVENTS][DISTRESS_LEN_EVENT + 1];
	size_t n_events;
	struct distress_alarm alarms[DISTRESS_MAX_ALARMS];
	size_t n_alarms;
};

/* ACK: the HeMS's answer to a RESULT or an end of session. */
struct distress_ack {
	uint32_t pending;
};

/* distress_msg_type: the message type of a payload (after checking the version byte); -1 when the payload is
 * shorter than the header or of another version. */
int distress_msg_type(const uint8_t *p, size_t len);

/* Encoders: write the message to out (cap outlen), *len its length. Every string is checked against its
 * field's limit, so what an encoder accepts always decodes. Returns LF_OK, LF_EINVAL (a field over its limit,
 * a required field missing; reason in err when err is not NULL) or LF_ETOOBIG (out too small). */
int distress_inform_encode(const struct distress_inform *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                           size_t errlen);
int distress_welcome_encode(const struct distress_welcome *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                            size_t errlen);
int distress_poll_encode(const struct distress_poll *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                         size_t errlen);
int distress_action_encode(const struct distress_action *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                           size_t errlen);
int distress_result_encode(const struct distress_result *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                           size_t errlen);
int distress_ack_encode(const struct distress_ack *m, uint8_t *out, size_t outlen, size_t *len, char *err,
                        size_t errlen);

/* Decoders: parse p[0..len) into *m (zeroed first). Never read past len, never write past a field.
 * Returns LF_OK, LF_ETOOBIG (over DISTRESS_MAX_MESSAGE) or LF_EPARSE, with a one-line reason in err
 * ("INFORM tag 0x05 (software version): 80 bytes, over 64"). */
int distress_inform_decode(const uint8_t *p, size_t len, struct distress_inform *m, char *err, size_t errlen);
int distress_welcome_decode(const uint8_t *p, size_t len, struct distress_welcome *m, char *err, size_t errlen);
int distress_poll_decode(const uint8_t *p, size_t len, struct distress_poll *m, char *err, size_t errlen);
int distress_action_decode(const uint8_t *p, size_t len, struct distress_action *m, char *err, size_t errlen);
int distress_result_decode(const uint8_t *p, size_t len, struct distress_result *m, char *err, size_t errlen);
int distress_ack_decode(const uint8_t *p, size_t len, struct distress_ack *m, char *err, size_t errlen);

/* Names of the codes, as used in logs, the store and the CLI ("diagnostic", "trigger", "Major"...). */
const char *distress_kind_name(int kind);  /* "?" when out of range */
int distress_kind_parse(const char *name); /* -1 when unknown */
const char *distress_reason_name(int reason);
const char *distress_status_name(int status);
const char *distress_notification_name(int n); /* "NewAlarm" ... */
int distress_notification_parse(const char *s);
const char *distress_severity_name(int s);  /* "Critical" ... (TR-181 PerceivedSeverity text) */
int distress_severity_parse(const char *s); /* case-insensitive; -1 when unknown */

/* distress_key_new: a new PSK or trigger key: 32 random bytes as 64 lower-case hex characters plus NUL. */
void distress_key_new(char out[DISTRESS_KEY_HEX + 1]);
/* distress_key_valid: 1 when s is exactly 64 lower-case hex characters. */
int distress_key_valid(const char *s);

#endif
