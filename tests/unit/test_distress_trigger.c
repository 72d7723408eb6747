/* test_distress_trigger.c: the distress trigger (protocol section 4): an Annex G datagram signed with the
 * device's trigger key that a HeNB accepts once, and drops silently when forged, replayed, stale or malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "distress/codec.h"
#include "distress/trigger.h"

#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define OTHER_KEY "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define ID "00005A-LifelineHeNB-LL0001"

static size_t build(char *d, size_t cap, uint64_t ts, uint64_t id, const char *identity, const char *key)
{
	size_t len = 0;
	assert_int_equal(
	    distress_trigger_build(d, cap, &len, "192.0.2.7:5685", ts, id, identity, "a1b2c3d4e5f60718", key), LF_OK);
	return len;
}

static void test_known_signature_matches_openssl(void **state)
{
	/* `printf %s 1764370000 42 00005A-LifelineHeNB-LL0001 a1b2c3d4e5f60718 | openssl sha1 -hmac KEY`:
	 * the trigger key's 64 hex characters are the HMAC key, as a ConnectionRequestPassword is in Annex G. */
	char d[DISTRESS_TRIGGER_MAX + 1];
	size_t len = build(d, sizeof(d), 1764370000, 42, ID, KEY);
	assert_non_null(strstr(d, "GET http://192.0.2.7:5685?ts=1764370000&id=42&un=" ID
	                          "&cn=a1b2c3d4e5f60718&sig=a002c6a2eaddb10e87860be617f9e7a164f3fe0e HTTP/1.1\r\n"));
	assert_true(len <= DISTRESS_TRIGGER_MAX);
}

static void test_accepted_once_then_copies_dropped_as_replays(void **state)
{
	char d[DISTRESS_TRIGGER_MAX + 1], err[256];
	struct distress_trigger_state st;
	struct cwmp_udp_cr m;
	memset(&st, 0, sizeof(st));
	size_t len = build(d, sizeof(d), 1764370000, 42, ID, KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 1764370010, 300, &m, err, sizeof(err)), LF_OK);
	assert_int_equal(m.id, 42);
	/* The HeMS sends each trigger several times with the same id: the copies are replays. */
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 1764370010, 300, NULL, err, sizeof(err)),
	                 LF_EEXIST);
	assert_non_null(strstr(err, "replay"));
	/* A new trigger (new id, same second) is accepted; an older one is not. */
	len = build(d, sizeof(d), 1764370000, 43, ID, KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 1764370010, 300, NULL, err, sizeof(err)), LF_OK);
	len = build(d, sizeof(d), 1764369999, 44, ID, KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 1764370010, 300, NULL, err, sizeof(err)),
	                 LF_EEXIST);
	assert_int_equal(st.accepted, 2);
	assert_int_equal(st.dropped, 2);
}

static void test_forged_trigger_dropped_and_does_not_move_the_window(void **state)
{
	char d[DISTRESS_TRIGGER_MAX + 1], err[256];
	struct distress_trigger_state st;
	memset(&st, 0, sizeof(st));
	/* Signed with another key (an attacker who knows the format, not the key). */
	size_t len = build(d, sizeof(d), 1764370500, 7, ID, OTHER_KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 0, 0, NULL, err, sizeof(err)), LF_EAUTH);
	/* A genuine but older trigger is still accepted: the forgery did not advance the replay state. */
	len = build(d, sizeof(d), 1764370000, 7, ID, KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 0, 0, NULL, err, sizeof(err)), LF_OK);
}

static void test_trigger_for_another_device_dropped(void **state)
{
	char d[DISTRESS_TRIGGER_MAX + 1], err[256];
	struct distress_trigger_state st;
	memset(&st, 0, sizeof(st));
	size_t len = build(d, sizeof(d), 1764370000, 1, "00005A-LifelineHeNB-LL0002", KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 0, 0, NULL, err, sizeof(err)), LF_EAUTH);
}

static void test_identity_with_escapes_round_trips(void **state)
{
	/* The device id keeps %XX escapes of its ProductClass; the form encoding escapes the '%' again. */
	const char *id = "000FB7-Cavium%20eNB-UDP0001";
	char d[DISTRESS_TRIGGER_MAX + 1], err[256];
	struct distress_trigger_state st;
	struct cwmp_udp_cr m;
	memset(&st, 0, sizeof(st));
	size_t len = build(d, sizeof(d), 1764370000, 1, id, KEY);
	assert_non_null(strstr(d, "un=000FB7-Cavium%2520eNB-UDP0001&"));
	assert_int_equal(distress_trigger_accept(&st, d, len, id, KEY, 0, 0, &m, err, sizeof(err)), LF_OK);
	assert_string_equal(m.un, id);
}

static void test_clock_skew_window_only_with_trusted_time(void **state)
{
	char d[DISTRESS_TRIGGER_MAX + 1], err[256];
	struct distress_trigger_state st;
	memset(&st, 0, sizeof(st));
	size_t len = build(d, sizeof(d), 1764370000, 1, ID, KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 1764370000 + 301, 300, NULL, err, sizeof(err)),
	                 LF_ETIMEOUT);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 1764370000 - 301, 300, NULL, err, sizeof(err)),
	                 LF_ETIMEOUT);
	/* now = 0: the HeNB has no trustworthy time; the replay window alone protects it. */
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, KEY, 0, 300, NULL, err, sizeof(err)), LF_OK);
}

static void test_malformed_and_oversized_dropped(void **state)
{
	static const char *bad[] = {
	    "",
	    "GET http://h:1?ts=1&id=1&un=u&cn=c HTTP/1.1\r\n\r\n",
	    "POST http://h:1?ts=1&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n\r\n",
	    "GET http://h:1/x?ts=1&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n\r\n",
	};
	struct distress_trigger_state st;
	char err[256];
	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(
		    distress_trigger_accept(&st, bad[i], strlen(bad[i]), ID, KEY, 0, 0, NULL, err, sizeof(err)),
		    LF_EPARSE);
		assert_true(err[0] != '\0');
	}
	char big[DISTRESS_TRIGGER_MAX + 10];
	memset(big, 'A', sizeof(big));
	assert_int_equal(distress_trigger_accept(&st, big, sizeof(big), ID, KEY, 0, 0, NULL, err, sizeof(err)),
	                 LF_ETOOBIG);
	assert_int_equal(st.accepted, 0);
}

static void test_no_key_accepts_nothing_and_build_refuses_bad_keys(void **state)
{
	char d[DISTRESS_TRIGGER_MAX + 1], err[256];
	struct distress_trigger_state st;
	size_t len;
	memset(&st, 0, sizeof(st));
	len = build(d, sizeof(d), 1764370000, 1, ID, KEY);
	assert_int_equal(distress_trigger_accept(&st, d, len, ID, "", 0, 0, NULL, err, sizeof(err)), LF_EAUTH);
	assert_int_equal(distress_trigger_build(d, sizeof(d), &len, "192.0.2.7:5685", 1, 1, ID, "c", "short"),
	                 LF_EINVAL);
	assert_int_equal(distress_trigger_build(d, sizeof(d), &len, "192.0.2.7:5685", 1, 1, ID, "c",
	                                        "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"),
	                 LF_EINVAL);
	char long_id[DISTRESS_MAX_ID + 2];
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(distress_trigger_build(d, sizeof(d), &len, "192.0.2.7:5685", 1, 1, long_id, "c", KEY),
	                 LF_EINVAL);
	assert_int_equal(distress_trigger_build(d, sizeof(d), &len, "bad authority/", 1, 1, ID, "c", KEY), LF_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_signature_matches_openssl),
	    cmocka_unit_test(test_accepted_once_then_copies_dropped_as_replays),
	    cmocka_unit_test(test_forged_trigger_dropped_and_does_not_move_the_window),
	    cmocka_unit_test(test_trigger_for_another_device_dropped),
	    cmocka_unit_test(test_identity_with_escapes_round_trips),
	    cmocka_unit_test(test_clock_skew_window_only_with_trusted_time),
	    cmocka_unit_test(test_malformed_and_oversized_dropped),
	    cmocka_unit_test(test_no_key_accepts_nothing_and_build_refuses_bad_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
