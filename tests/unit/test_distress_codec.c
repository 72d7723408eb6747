/* test_distress_codec.c: distress channel payloads (protocol sections 6 and 7): every message round-trips, the
 * documented example encodes to the documented bytes, and every malformed input gets a clear error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "distress/codec.h"

static uint8_t buf[DISTRESS_MAX_MESSAGE];

static void fill_alarm(struct distress_alarm *a, int i)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->alarm_identifier, sizeof(a->alarm_identifier), "sw-%d", i);
	snprintf(a->event_time, sizeof(a->event_time), "2026-11-28T10:00:0%dZ", i % 10);
	a->notification = DISTRESS_NOTIF_CHANGED;
	snprintf(a->managed_object, sizeof(a->managed_object), "Device.");
	snprintf(a->event_type, sizeof(a->event_type), "Integrity Violation");
	snprintf(a->probable_cause, sizeof(a->probable_cause), "Information modification detected");
	snprintf(a->specific_problem, sizeof(a->specific_problem), "Unexpected firmware/software modification");
	a->severity = DISTRESS_SEV_MAJOR;
	snprintf(a->additional_text, sizeof(a->additional_text), "line one\nline two\twith tab, caf\xc3\xa9");
	snprintf(a->additional_info, sizeof(a->additional_info), "image hash mismatch");
}

static void test_documented_inform_example_bytes(void **state)
{
	static const uint8_t want[] = {
	    0x01, 0x01, /* version 1, INFORM */
	    0x01, 0x1a, '0',  '0', '0', '0', '5', 'A', '-', 'L', 'i', 'f', 'e', 'l', 'i', 'n',
	    'e',  'H',  'e',  'N', 'B', '-', 'L', 'L', '0', '0', '0', '1', /* device id */
	    0x02, 0x01, 0x01,                                              /* reason trigger */
	    0x04, 0x14, '6',  ' ', 'C', 'O', 'N', 'N', 'E', 'C', 'T', 'I', 'O', 'N', ' ', 'R',
	    'E',  'Q',  'U',  'E', 'S', 'T',                                                   /* event */
	    0x05, 0x05, '1',  '.', '0', '.', '0',                                              /* software version */
	    0x07, 0x0e, '1',  '9', '2', '.', '0', '.', '2', '.', '7', ':', '5', '6', '8', '5', /* trigger address */
	};
	struct distress_inform *in = calloc(1, sizeof(*in));
	size_t len;
	snprintf(in->device_id, sizeof(in->device_id), "00005A-LifelineHeNB-LL0001");
	in->reason = DISTRESS_REASON_TRIGGER;
	snprintf(in->events[in->n_events++], sizeof(in->events[0]), "6 CONNECTION REQUEST");
	snprintf(in->software_version, sizeof(in->software_version), "1.0.0");
	snprintf(in->trigger_address, sizeof(in->trigger_address), "192.0.2.7:5685");
	assert_int_equal(distress_inform_encode(in, buf, sizeof(buf), &len, NULL, 0), LF_OK);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(distress_msg_type(buf, len), DISTRESS_MSG_INFORM);
	free(in);
}

static void test_inform_round_trip_with_alarms_and_params(void **state)
{
	struct distress_inform *in = calloc(1, sizeof(*in)), *out = calloc(1, sizeof(*out));
	char err[256];
	size_t len;
	snprintf(in->device_id, sizeof(in->device_id), "000FB7-Cavium%%20eNB-UDP0001");
	in->reason = DISTRESS_REASON_ALARM_UNDELIVERABLE;
	snprintf(in->reason_text, sizeof(in->reason_text), "3 failed sessions, S1 up");
	for (int i = 0; i < DISTRESS_MAX_EVENTS; i++)
		snprintf(in->events[in->n_events++], sizeof(in->events[0]), "%d EVENT", i);
	snprintf(in->software_version, sizeof(in->software_version), "1.0.0");
	snprintf(in->hardware_version, sizeof(in->hardware_version), "hw-a");
	snprintf(in->trigger_address, sizeof(in->trigger_address), "[2001:db8::7]:5685");
	in->standard_failures = 70000;
	for (int i = 0; i < DISTRESS_MAX_ALARMS; i++)
		fill_alarm(&in->alarms[in->n_alarms++], i);
	for (int i = 0; i < 3; i++) {
		snprintf(in->params[i].name, sizeof(in->params[i].name), "Device.ManagementServer.P%d", i);
		snprintf(in->params[i].value, sizeof(in->params[i].value), "%s", i == 1 ? "" : "v");
		in->n_params++;
	}
	snprintf(in->params[2].type, sizeof(in->params[2].type), "xsd:unsignedInt");
	assert_int_equal(distress_inform_encode(in, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_true(len > 128); /* two-byte lengths in use for the groups */
	assert_int_equal(distress_inform_decode(buf, len, out, err, sizeof(err)), LF_OK);
	assert_memory_equal(in, out, sizeof(*in));
	free(in);
	free(out);
}

static void test_every_other_message_round_trips(void **state)
{
	char err[256];
	size_t len;
	/* Compared byte for byte: padding must be zero too (an initializer does not promise that). */
	struct distress_welcome w, w2;
	memset(&w, 0, sizeof(w));
	w.session_id = UINT64_MAX;
	w.pending = 3;
	w.server_time = 1764370000;
	w.poll_interval = 10;
	w.session_timeout = 300;
	assert_int_equal(distress_welcome_encode(&w, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(distress_welcome_decode(buf, len, &w2, err, sizeof(err)), LF_OK);
	assert_memory_equal(&w, &w2, sizeof(w));

	struct distress_poll p = {.session_id = 1}, p2;
	assert_int_equal(distress_poll_encode(&p, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(len, 5);
	assert_int_equal(distress_poll_decode(buf, len, &p2, err, sizeof(err)), LF_OK);
	assert_int_equal(p2.session_id, 1);

	struct distress_action *a = calloc(1, sizeof(*a)), *a2 = calloc(1, sizeof(*a2));
	a->id = 41;
	a->kind = DISTRESS_KIND_DOWNLOAD;
	snprintf(a->command_key, sizeof(a->command_key), "case-7-r1");
	memset(a->url, 'u', DISTRESS_MAX_URL);
	memcpy(a->url, "http://", 7);
	a->file_size = 123456789;
	for (int i = 0; i < 32; i++)
		a->sha256[i] = (uint8_t)(i * 7);
	a->has_sha256 = 1;
	snprintf(a->file_type, sizeof(a->file_type), "1 Firmware Upgrade Image");
	snprintf(a->target_version, sizeof(a->target_version), "2.0");
	a->pending = 1;
	assert_int_equal(distress_action_encode(a, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(distress_action_decode(buf, len, a2, err, sizeof(err)), LF_OK);
	assert_memory_equal(a, a2, sizeof(*a));

	memset(a, 0, sizeof(*a));
	a->id = 42;
	a->kind = DISTRESS_KIND_GET;
	for (int i = 0; i < DISTRESS_MAX_NAMES; i++)
		snprintf(a->names[a->n_names++], sizeof(a->names[0]), "Device.DeviceInfo.P%d", i);
	assert_int_equal(distress_action_encode(a, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(distress_action_decode(buf, len, a2, err, sizeof(err)), LF_OK);
	assert_memory_equal(a, a2, sizeof(*a));

	memset(a, 0, sizeof(*a)); /* nothing pending */
	a->retry_after = 10;
	assert_int_equal(distress_action_encode(a, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(distress_action_decode(buf, len, a2, err, sizeof(err)), LF_OK);
	assert_int_equal(a2->kind, DISTRESS_KIND_NONE);
	assert_int_equal(a2->retry_after, 10);

	struct distress_result *r = calloc(1, sizeof(*r)), *r2 = calloc(1, sizeof(*r2));
	r->session_id = 9;
	r->action_id = 42;
	r->status = DISTRESS_STATUS_SUCCESS;
	for (int i = 0; i < DISTRESS_MAX_PARAMS; i++) {
		snprintf(r->params[i].name, sizeof(r->params[i].name), "Device.X.%d", i);
		memset(r->params[i].value, 'v', 300);
		r->n_params++;
	}
	snprintf(r->diag_state, sizeof(r->diag_state), "Complete");
	snprintf(r->diag_results, sizeof(r->diag_results), "sw=pass;config=pass");
	snprintf(r->software_version, sizeof(r->software_version), "2.0");
	snprintf(r->start_time, sizeof(r->start_time), "2026-11-28T10:00:00Z");
	snprintf(r->complete_time, sizeof(r->complete_time), "2026-11-28T10:01:00Z");
	snprintf(r->events[r->n_events++], sizeof(r->events[0]), "1 BOOT");
	fill_alarm(&r->alarms[r->n_alarms++], 1);
	assert_int_equal(distress_result_encode(r, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(distress_result_decode(buf, len, r2, err, sizeof(err)), LF_OK);
	assert_memory_equal(r, r2, sizeof(*r));

	struct distress_ack k = {.pending = 2}, k2;
	assert_int_equal(distress_ack_encode(&k, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(distress_ack_decode(buf, len, &k2, err, sizeof(err)), LF_OK);
	assert_int_equal(k2.pending, 2);
	free(a);
	free(a2);
	free(r);
	free(r2);
}

/* One malformed payload and the start of its expected error. */
struct bad {
	const char *hex;
	const char *err;
};

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	for (const char *p = hex; p[0] && p[1]; p += 2) {
		if (*p == ' ') {
			p--;
			continue;
		}
		unsigned v;
		sscanf(p, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void test_malformed_informs_get_clear_errors(void **state)
{
	/* Device id "d" (01 01 64) and reason 0 (02 01 00) make the shortest valid INFORM. */
	static const struct bad bad[] = {
	    {"", "INFORM: 0 bytes, shorter than the 2-byte header"},
	    {"01", "INFORM: 1 bytes, shorter"},
	    {"0201 010164 020100", "INFORM: version 2, expected 1"},
	    {"0103 010164 020100", "INFORM: message type 3, expected 1"},
	    {"0101 020100", "INFORM tag 0x01 (device id): required, missing"},
	    {"0101 0100 020100", "INFORM tag 0x01 (device id): required, empty"},
	    {"0101 010164", "INFORM tag 0x02 (reason): required, missing"},
	    {"0101 010164 020106", "INFORM tag 0x02 (reason): value 6 over 5"},
	    {"0101 010164 02 09 000000000000000001", "INFORM tag 0x02 (reason): integer of 9 bytes"},
	    {"0101 010164 0200", "INFORM tag 0x02 (reason): integer of 0 bytes"},
	    {"0101 010164 020100 010164", "INFORM tag 0x01 (device id): given twice"},
	    {"0101 010164 020100 3f00", "INFORM: unknown critical tag 0x3f"},
	    {"0101 010164 020100 8000", "INFORM: invalid tag 0x80"},
	    {"0101 010164 020100 0000", "INFORM: invalid tag 0x00"},
	    {"0101 010164 020100 05", "INFORM: tag 0x05 without a length"},
	    {"0101 010164 020100 0581", "INFORM: tag 0x05: truncated two-byte length"},
	    {"0101 010164 020100 05 8005 3030303030", "INFORM: tag 0x05: length 5 in the two-byte form"},
	    {"0101 010164 020100 0505 3132", "INFORM: tag 0x05: value of 5 bytes runs past the end (2 left)"},
	    {"0101 010164 020100 0503 310032", "INFORM tag 0x05 (software version): NUL byte"},
	    {"0101 010164 020100 0503 310a32", "INFORM tag 0x05 (software version): control character"},
	    {"0101 010164 020100 0502 c0af", "INFORM tag 0x05 (software version): invalid UTF-8"},   /* overlong */
	    {"0101 010164 020100 0503 eda080", "INFORM tag 0x05 (software version): invalid UTF-8"}, /* surrogate */
	    {"0101 010164 020100 0502 e282", "INFORM tag 0x05 (software version): truncated UTF-8"},
	    {"0101 010164 020100 0904 01017800", "INFORM alarm 1: invalid tag 0x00"},
	    {"0101 010164 020100 0903 010178", "INFORM alarm 1 tag 0x05 (EventType): required, missing"},
	    {"0101 010164 020100 090c 010178 050165 060170 080109",
	     "INFORM alarm 1 tag 0x08 (PerceivedSeverity): value 9"},
	    {"0101 010164 020100 0a03 020178", "INFORM parameter 1 tag 0x01 (name): required, missing"},
	};
	struct distress_inform *in = calloc(1, sizeof(*in));
	uint8_t raw[256];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		size_t n = unhex(bad[i].hex, raw);
		int result = distress_inform_decode(raw, n, in, err, sizeof(err));
		if (result != LF_EPARSE || strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			fail_msg("case %zu (%s): result %d error '%s', expected '%s'", i, bad[i].hex, result, err,
			         bad[i].err);
	}
	free(in);
}

static void test_limits_strings_and_counts(void **state)
{
	struct distress_inform *in = calloc(1, sizeof(*in));
	char err[256];
	uint8_t raw[600];
	size_t n = 0;
	/* A software version of 65 bytes: one over. */
	raw[n++] = 1, raw[n++] = 1, raw[n++] = 1, raw[n++] = 1, raw[n++] = 'd', raw[n++] = 2, raw[n++] = 1,
	raw[n++] = 0;
	raw[n++] = 5, raw[n++] = 65;
	memset(raw + n, 'v', 65);
	n += 65;
	assert_int_equal(distress_inform_decode(raw, n, in, err, sizeof(err)), LF_EPARSE);
	assert_string_equal(err, "INFORM tag 0x05 (software version): 65 bytes, over 64");
	/* 17 events: one over. */
	n = 8;
	for (int i = 0; i < 17; i++)
		raw[n++] = 4, raw[n++] = 1, raw[n++] = 'e';
	assert_int_equal(distress_inform_decode(raw, n, in, err, sizeof(err)), LF_EPARSE);
	assert_string_equal(err, "INFORM tag 0x04 (event): more than 16");
	/* Elective tags (0x40..0x7f) of a later minor version are skipped. */
	n = 8;
	raw[n++] = 0x41, raw[n++] = 2, raw[n++] = 0, raw[n++] = 0;
	assert_int_equal(distress_inform_decode(raw, n, in, err, sizeof(err)), LF_OK);
	assert_string_equal(in->device_id, "d");
	/* Over the message cap. */
	static uint8_t huge[DISTRESS_MAX_MESSAGE + 1];
	huge[0] = 1, huge[1] = 1;
	assert_int_equal(distress_inform_decode(huge, sizeof(huge), in, err, sizeof(err)), LF_ETOOBIG);
	free(in);
}

static void test_semantic_rules_both_ways(void **state)
{
	struct distress_action *a = calloc(1, sizeof(*a)), *a2 = calloc(1, sizeof(*a2));
	struct distress_result *r = calloc(1, sizeof(*r)), *r2 = calloc(1, sizeof(*r2));
	char err[256];
	size_t len;
	uint8_t raw[64];
	/* A download needs URL, size and SHA-256. */
	a->id = 5;
	a->kind = DISTRESS_KIND_DOWNLOAD;
	snprintf(a->url, sizeof(a->url), "http://h/f");
	assert_int_equal(distress_action_encode(a, buf, sizeof(buf), &len, err, sizeof(err)), LF_EINVAL);
	assert_string_equal(err, "ACTION 5 download: URL, file size and SHA-256 are required");
	size_t n = unhex("0104 010105 020105 0404 68747470", raw);
	assert_int_equal(distress_action_decode(raw, n, a2, err, sizeof(err)), LF_EPARSE);
	/* Action id 0 goes with kind none only, and the other way round. */
	memset(a, 0, sizeof(*a));
	a->kind = DISTRESS_KIND_REBOOT;
	assert_int_equal(distress_action_encode(a, buf, sizeof(buf), &len, err, sizeof(err)), LF_EINVAL);
	n = unhex("0104 010107 020100", raw);
	assert_int_equal(distress_action_decode(raw, n, a2, err, sizeof(err)), LF_EPARSE);
	/* A get without names. */
	n = unhex("0104 010107 020106", raw);
	assert_int_equal(distress_action_decode(raw, n, a2, err, sizeof(err)), LF_EPARSE);
	assert_string_equal(err, "ACTION 7 get: at least one name is required");
	/* A failed result needs a fault code; session and action ids are never 0. */
	r->session_id = 1;
	r->action_id = 2;
	r->status = DISTRESS_STATUS_FAILED;
	assert_int_equal(distress_result_encode(r, buf, sizeof(buf), &len, err, sizeof(err)), LF_EINVAL);
	r->fault_code = 9018;
	assert_int_equal(distress_result_encode(r, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	assert_int_equal(distress_result_decode(buf, len, r2, err, sizeof(err)), LF_OK);
	assert_int_equal(r2->fault_code, 9018);
	n = unhex("0103 010100", raw);
	struct distress_poll p;
	assert_int_equal(distress_poll_decode(raw, n, &p, err, sizeof(err)), LF_EPARSE);
	assert_string_equal(err, "POLL: session id 0 is not a session");
	free(a);
	free(a2);
	free(r);
	free(r2);
}

static void test_encoder_refuses_what_would_not_decode(void **state)
{
	struct distress_inform *in = calloc(1, sizeof(*in));
	char err[256];
	size_t len;
	uint8_t small[7];
	assert_int_equal(distress_inform_encode(in, buf, sizeof(buf), &len, err, sizeof(err)), LF_EINVAL);
	snprintf(in->device_id, sizeof(in->device_id), "d");
	snprintf(in->software_version, sizeof(in->software_version), "bad\nversion");
	assert_int_equal(distress_inform_encode(in, buf, sizeof(buf), &len, err, sizeof(err)), LF_EINVAL);
	assert_string_equal(err, "INFORM software version: control character");
	in->software_version[0] = '\0';
	in->n_events = DISTRESS_MAX_EVENTS + 1;
	assert_int_equal(distress_inform_encode(in, buf, sizeof(buf), &len, err, sizeof(err)), LF_EINVAL);
	in->n_events = 0;
	assert_int_equal(distress_inform_encode(in, small, sizeof(small), &len, err, sizeof(err)), LF_ETOOBIG);
	assert_int_equal(distress_inform_encode(in, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	free(in);
}

static void test_every_truncation_fails_cleanly(void **state)
{
	struct distress_result *r = calloc(1, sizeof(*r)), *r2 = calloc(1, sizeof(*r2));
	char err[256];
	size_t len;
	r->session_id = 77;
	r->action_id = 78;
	r->status = DISTRESS_STATUS_SUCCESS;
	snprintf(r->params[0].name, sizeof(r->params[0].name), "Device.A");
	snprintf(r->params[0].value, sizeof(r->params[0].value), "x");
	r->n_params = 1;
	fill_alarm(&r->alarms[0], 3);
	r->n_alarms = 1;
	assert_int_equal(distress_result_encode(r, buf, sizeof(buf), &len, err, sizeof(err)), LF_OK);
	for (size_t cut = 0; cut < len; cut++) {
		/* A prefix never decodes as the whole message; whatever it decodes to, it is a clean answer. */
		int result = distress_result_decode(buf, cut, r2, err, sizeof(err));
		assert_true(result == LF_OK || result == LF_EPARSE);
		if (result == LF_OK)
			assert_memory_not_equal(r, r2, sizeof(*r));
	}
	free(r);
	free(r2);
}

static void test_names_and_keys(void **state)
{
	for (int k = 0; k <= DISTRESS_KIND_MAX; k++)
		assert_int_equal(distress_kind_parse(distress_kind_name(k)), k);
	assert_int_equal(distress_kind_parse("format-disk"), -1);
	assert_string_equal(distress_kind_name(99), "?");
	assert_int_equal(distress_severity_parse("major"), DISTRESS_SEV_MAJOR);
	assert_string_equal(distress_severity_name(DISTRESS_SEV_CLEARED), "Cleared");
	assert_int_equal(distress_notification_parse("ClearedAlarm"), DISTRESS_NOTIF_CLEARED);
	char k1[DISTRESS_KEY_HEX + 1], k2[DISTRESS_KEY_HEX + 1];
	distress_key_new(k1);
	distress_key_new(k2);
	assert_true(distress_key_valid(k1));
	assert_string_not_equal(k1, k2);
	assert_false(distress_key_valid("00"));
	assert_false(distress_key_valid("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"));
	assert_false(distress_key_valid("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_documented_inform_example_bytes),
	    cmocka_unit_test(test_inform_round_trip_with_alarms_and_params),
	    cmocka_unit_test(test_every_other_message_round_trips),
	    cmocka_unit_test(test_malformed_informs_get_clear_errors),
	    cmocka_unit_test(test_limits_strings_and_counts),
	    cmocka_unit_test(test_semantic_rules_both_ways),
	    cmocka_unit_test(test_encoder_refuses_what_would_not_decode),
	    cmocka_unit_test(test_every_truncation_fails_cleanly),
	    cmocka_unit_test(test_names_and_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
