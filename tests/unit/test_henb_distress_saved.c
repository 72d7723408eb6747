/* test_henb_distress_saved.c: what henbd's distress client keeps in protected storage: the keys and its state
 * (trigger replay window, remembered action ids, a download, results to report, a reboot to confirm) write and
 * read back exactly; anything out of bounds is refused with the line and the reason; the memo stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "firmware/bootctl.h"
#include "henb/distress_saved.h"

#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void test_keys_round_trip_and_refusals(void **state)
{
	struct henb_distress_keys k = {true, "coaps://10.200.2.1:5684", "000FB7-Cavium%20eNB-UDP0001", KEY, KEY}, k2;
	struct lf_buf b;
	char err[200];
	lf_buf_init(&b, 4096);
	assert_int_equal(henb_distress_keys_format(&k, &b), LF_OK);
	assert_int_equal(henb_distress_keys_parse(b.data, b.len, &k2, err, sizeof(err)), LF_OK);
	assert_memory_equal(&k, &k2, sizeof(k));
	/* Not provisioned yet: every field empty. */
	assert_int_equal(henb_distress_keys_parse("K 0    \n", 8, &k2, err, sizeof(err)), LF_OK);
	assert_false(k2.enable);
	assert_string_equal(k2.psk, "");
	/* An upper-case or short key, an identity with a blank, a bad flag: refused, nothing kept. */
	const char *bad[] = {"K 1 coaps://h 00005A-X 00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff ",
	                     "K 1 coaps://h 00005A-X 0011 ", "K 1 coaps://h a\\sb  ", "K 2    ", "K 1 a b c"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(henb_distress_keys_parse(bad[i], strlen(bad[i]), &k2, err, sizeof(err)), LF_EPARSE);
		assert_true(err[0] != '\0');
		assert_string_equal(k2.identity, "");
	}
	lf_buf_free(&b);
}

static void test_state_round_trip(void **state)
{
	struct henb_distress_saved s, s2;
	struct lf_buf a, b;
	char err[200];
	memset(&s, 0, sizeof(s));
	s.replay = (struct cwmp_udp_cr_replay){1795909882, 2901399686u, 1};
	henb_distress_memo_put(&s, 6, 3, 2, 0);
	henb_distress_memo_put(&s, 4, 6, 1, 9005);
	s.dl.phase = HENB_DDL_INSTALLED;
	s.dl.id = 9;
	s.dl.size = 4464015;
	memset(s.dl.sha256, 0xab, 32);
	snprintf(s.dl.command_key, sizeof(s.dl.command_key), "fw 2.0");
	snprintf(s.dl.url, sizeof(s.dl.url), "http://10.200.2.1:7547/files/fw-2.0.lfi");
	snprintf(s.dl.start_time, sizeof(s.dl.start_time), "2026-11-28T23:51:30Z");
	s.dl.slot = FW_SLOT_B;
	snprintf(s.dl.version, sizeof(s.dl.version), "2.0");
	s.reports[0] = (struct henb_distress_report){12, 5, 1, 9018, "size\tdiffers\n", "", "a", "b"};
	s.n_reports = 1;
	s.resume = 4;
	s.resume_id = 7;
	lf_buf_init(&a, 16384);
	lf_buf_init(&b, 16384);
	assert_int_equal(henb_distress_saved_format(&s, &a), LF_OK);
	assert_int_equal(henb_distress_saved_parse(a.data, a.len, &s2, err, sizeof(err)), LF_OK);
	assert_int_equal(henb_distress_saved_format(&s2, &b), LF_OK);
	assert_string_equal(a.data, b.data);
	assert_int_equal(s2.replay.last_id, 2901399686u);
	assert_int_equal(s2.dl.slot, FW_SLOT_B);
	assert_memory_equal(s2.dl.sha256, s.dl.sha256, 32);
	assert_string_equal(s2.reports[0].fault_string, "size\tdiffers\n");
	assert_int_equal(s2.resume, 4);
	assert_int_equal(henb_distress_memo_find(&s2, 4)->fault, 9005);
	assert_null(henb_distress_memo_find(&s2, 5));
	lf_buf_free(&a);
	lf_buf_free(&b);
}

static void test_state_refusals_name_the_line(void **state)
{
	struct henb_distress_saved s;
	char err[200];
	const struct {
		const char *text, *why;
	} bad[] = {
	    {"R 1 2 1\nA 0 1 1 1\n", "line 2: A"},           /* action id 0 */
	    {"A 1 9 1 1\n", "line 1: A"},                    /* kind out of range */
	    {"P 1 5 0 0 2.0 a b\n", "P without its p line"}, /* unclosed report */
	    {"D 1 fetch 10 abcd k http://x\n", "line 1: D"}, /* short SHA-256 */
	    {"B 5 1 k\n", "line 1: B"},                      /* only reboot / factory reset */
	    {"Z 1\n", "unknown record type"},
	    {"R 1 2 1\nR 18446744073709551616 0 0\n", "line 2: R"}, /* over 64 bits */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(henb_distress_saved_parse(bad[i].text, strlen(bad[i].text), &s, err, sizeof(err)),
		                 LF_EPARSE);
		assert_non_null(strstr(err, bad[i].why));
		assert_int_equal(s.n_memo, 0); /* nothing half-loaded */
	}
	char big[HENB_DISTRESS_SAVED_MAX + 2];
	memset(big, 'A', sizeof(big));
	assert_int_equal(henb_distress_saved_parse(big, sizeof(big), &s, err, sizeof(err)), LF_ETOOBIG);
}

static void test_memo_bounded_newest_kept(void **state)
{
	struct henb_distress_saved s;
	memset(&s, 0, sizeof(s));
	for (uint64_t id = 1; id <= HENB_DISTRESS_MEMORY + 4; id++)
		henb_distress_memo_put(&s, id, 6, 0, 0);
	assert_int_equal(s.n_memo, HENB_DISTRESS_MEMORY);
	assert_null(henb_distress_memo_find(&s, 4));
	assert_non_null(henb_distress_memo_find(&s, 5));
	/* An accepted action's final result updates it in place. */
	henb_distress_memo_put(&s, 10, 5, 2, 0);
	henb_distress_memo_put(&s, 10, 5, 1, 9018);
	assert_int_equal(henb_distress_memo_find(&s, 10)->status, 1);
	assert_int_equal(s.n_memo, HENB_DISTRESS_MEMORY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys_round_trip_and_refusals),
	    cmocka_unit_test(test_state_round_trip),
	    cmocka_unit_test(test_state_refusals_name_the_line),
	    cmocka_unit_test(test_memo_bounded_newest_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
