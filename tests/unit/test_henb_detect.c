/* test_henb_detect.c: the tamper detectors' own logic, without the monitor around them: clock tolerance,
 * identities against the provisioned ones, the case switch, bursts of failed authentications, unexpected
 * listeners and processes, /proc/net parsing of the file HAL, the configuration MAC, and the debounce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "henb/detect.h"
#include "henb/hal/hal.h"
#include "henb/monitor.h"

static void test_clock_within_tolerance_passes_and_outside_is_tampering(void **state)
{
	char d[HENB_MON_TEXT];
	uint64_t hz;
	assert_int_equal(henb__clock_eval("10000000", 10000000, 100, &hz, d, sizeof(d)), HENB_V_OK);
	assert_int_equal(hz, 10000000);
	/* exactly 100 ppm away: still within */
	assert_int_equal(henb__clock_eval("10001000", 10000000, 100, &hz, d, sizeof(d)), HENB_V_OK);
	assert_int_equal(henb__clock_eval("9999000", 10000000, 100, &hz, d, sizeof(d)), HENB_V_OK);
	/* 101 ppm: out, either side */
	assert_int_equal(henb__clock_eval("10001010", 10000000, 100, &hz, d, sizeof(d)), HENB_V_TAMPER);
	assert_int_equal(henb__clock_eval("9998990", 10000000, 100, &hz, d, sizeof(d)), HENB_V_TAMPER);
	assert_non_null(strstr(d, "ppm from the nominal 10000000 Hz"));
	/* an overclocked board, a stopped clock */
	assert_int_equal(henb__clock_eval("12000000", 10000000, 100, &hz, d, sizeof(d)), HENB_V_TAMPER);
	assert_int_equal(henb__clock_eval("0", 10000000, 100, &hz, d, sizeof(d)), HENB_V_TAMPER);
	/* the largest numbers do not overflow */
	assert_int_equal(henb__clock_eval("18446744073709551615", 10000000, 100, &hz, d, sizeof(d)), HENB_V_TAMPER);
	assert_int_equal(henb__clock_eval("18446744073709551615", 18446744073709551615ULL, 0, &hz, d, sizeof(d)),
	                 HENB_V_OK);
}

static void test_a_clock_that_does_not_read_as_a_number_is_unreadable(void **state)
{
	char d[HENB_MON_TEXT];
	uint64_t hz;
	const char *bad[] = {"", "ten MHz", "-10000000", "1e7", " 10000000", "10000000 ", "18446744073709551616"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(henb__clock_eval(bad[i], 10000000, 100, &hz, d, sizeof(d)), HENB_V_UNREADABLE);
	/* nothing to compare with */
	assert_int_equal(henb__clock_eval("10000000", 0, 100, &hz, d, sizeof(d)), HENB_V_UNREADABLE);
}

static void test_an_identity_must_equal_the_provisioned_one(void **state)
{
	char d[HENB_MON_TEXT];
	assert_int_equal(henb__identity_eval("antenna", "ANT-1", "ANT-1", d, sizeof(d)), HENB_V_OK);
	assert_int_equal(henb__identity_eval("antenna", "ANT-2", "ANT-1", d, sizeof(d)), HENB_V_TAMPER);
	assert_string_equal(d, "antenna identity 'ANT-2' differs from the provisioned 'ANT-1'");
	/* an antenna that reads nothing any more was changed too (removed) */
	assert_int_equal(henb__identity_eval("antenna", "", "ANT-1", d, sizeof(d)), HENB_V_TAMPER);
	/* case matters: an identity is an exact string */
	assert_int_equal(henb__identity_eval("board fingerprint", "ant-1", "ANT-1", d, sizeof(d)), HENB_V_TAMPER);
	/* nothing provisioned: nothing to compare with */
	assert_int_equal(henb__identity_eval("antenna", "", "", d, sizeof(d)), HENB_V_UNREADABLE);
}

static void test_the_case_switch_reads_open_closed_or_nonsense(void **state)
{
	char d[HENB_MON_TEXT];
	assert_int_equal(henb__case_eval("closed", d, sizeof(d)), HENB_V_OK);
	assert_int_equal(henb__case_eval("open", d, sizeof(d)), HENB_V_TAMPER);
	assert_int_equal(henb__case_eval("ajar", d, sizeof(d)), HENB_V_UNREADABLE);
	assert_int_equal(henb__case_eval("", d, sizeof(d)), HENB_V_UNREADABLE);
	assert_int_equal(henb__case_eval("OPEN", d, sizeof(d)), HENB_V_UNREADABLE);
}

static void test_a_burst_is_enough_failures_within_the_window(void **state)
{
	static struct henb_monitor m;
	memset(&m, 0, sizeof(m));
	/* 4 failures a second apart: never 3 within 1.5 s */
	for (int i = 0; i < 4; i++) {
		henb__lan_record(&m, 1000 * i);
		assert_false(henb__lan_burst(&m, 3, 1500, 1000 * i));
	}
	/* then 3 within 200 ms */
	henb__lan_record(&m, 5000);
	henb__lan_record(&m, 5100);
	assert_false(henb__lan_burst(&m, 3, 1500, 5100));
	henb__lan_record(&m, 5200);
	assert_true(henb__lan_burst(&m, 3, 1500, 5200));
	/* it holds while they are inside the window, and is over once they age out */
	assert_true(henb__lan_burst(&m, 3, 1500, 6500));
	assert_false(henb__lan_burst(&m, 3, 1500, 6601));
	/* the ring wraps without losing the newest */
	for (int i = 0; i < 3 * HENB_MON_LAN_MAX; i++)
		henb__lan_record(&m, 10000 + i);
	assert_true(henb__lan_burst(&m, HENB_MON_LAN_MAX, 1000, 10000 + 3 * HENB_MON_LAN_MAX));
	assert_false(henb__lan_burst(&m, HENB_MON_LAN_MAX + 1, 1000, 10000 + 3 * HENB_MON_LAN_MAX));
	assert_int_equal(m.lan_total, 7 + 3 * HENB_MON_LAN_MAX);
}

static void test_unexpected_tokens_are_those_neither_allowed_nor_our_own(void **state)
{
	char out[64];
	assert_int_equal(
	    henb__unexpected("tcp:7547\ntcp:22\nudp:7547\n", "tcp:22", "tcp:7547 udp:7547", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(henb__unexpected("tcp:7547, tcp:31337\ttcp:23\n", "tcp:7547\n", "", out, sizeof(out)), 2);
	assert_string_equal(out, "tcp:31337 tcp:23");
	/* a token is compared whole: tcp:2 is not tcp:22 */
	assert_int_equal(henb__unexpected("tcp:2", "tcp:22", "", out, sizeof(out)), 1);
	/* processes */
	assert_int_equal(henb__unexpected("henbd\nsshd\nnc\n", "sshd", "henbd", out, sizeof(out)), 1);
	assert_string_equal(out, "nc");
	/* a long list is cut, the count is still right */
	char small[8];
	assert_int_equal(henb__unexpected("aaaa bbbb cccc", "", "", small, sizeof(small)), 3);
	assert_string_equal(small, "aaaa");
	assert_int_equal(henb__unexpected("", "", "", out, sizeof(out)), 0);
}

static void test_proc_net_tables_give_the_listening_ports(void **state)
{
	const char tcp[] =
	    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	    "   0: 0100007F:1D7B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
	    "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1\n"
	    "   2: 0100007F:9C40 0100007F:1D7B 01 00000000:00000000 00:00000000 00000000     0        0 3 1\n";
	const char tcp6[] =
	    "  sl  local_address                         remote_address                        st tx_queue\n"
	    "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:0\n";
	const char udp[] =
	    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref\n"
	    "  100: 0100007F:1D7C 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4 2\n";
	char out[256] = "";
	assert_int_equal(henb_hal_proc_net_listeners(tcp, "tcp", out, sizeof(out)), LF_OK);
	assert_string_equal(out, "tcp:7547\ntcp:22\n"); /* the established connection is no listener */
	assert_int_equal(henb_hal_proc_net_listeners(tcp6, "tcp", out, sizeof(out)), LF_OK);
	assert_string_equal(out, "tcp:7547\ntcp:22\n"); /* the same port over IPv6 once */
	assert_int_equal(henb_hal_proc_net_listeners(udp, "udp", out, sizeof(out)), LF_OK);
	assert_string_equal(out, "tcp:7547\ntcp:22\nudp:7548\n");
	char tiny[12] = "";
	assert_int_equal(henb_hal_proc_net_listeners(tcp, "tcp", tiny, sizeof(tiny)), LF_ETOOBIG);
	assert_string_equal(tiny, "tcp:7547\n");
	char o2[64] = "";
	assert_int_equal(henb_hal_proc_net_listeners("not a table\n", "tcp", o2, sizeof(o2)), LF_EPARSE);
	assert_int_equal(henb_hal_proc_net_listeners("  sl  local_address\n garbage\n", "tcp", o2, sizeof(o2)),
	                 LF_EPARSE);
}

static void test_the_configuration_mac_is_hmac_sha256_with_the_device_key(void **state)
{
	uint8_t key[32];
	char hex[65], hex2[65];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i;
	henb__config_mac(key, "henbd state", 11, hex);
	/* python3: hmac.new(bytes(range(32)), b"henbd state", hashlib.sha256).hexdigest() */
	assert_string_equal(hex, "72b6e996c792d47494fd87025bea701f2d7aaf16db50a01ab3e4ff4c8db513b6");
	/* one byte more, one key bit different: another MAC */
	henb__config_mac(key, "henbd state!", 12, hex2);
	assert_string_not_equal(hex, hex2);
	key[31] ^= 1;
	henb__config_mac(key, "henbd state", 11, hex2);
	assert_string_not_equal(hex, hex2);
}

static void test_debounce_needs_n_equal_readings_in_a_row(void **state)
{
	struct henb_debounce d;
	henb_debounce_init(&d, 3);
	assert_int_equal(d.stable, HENB_V_NONE);
	assert_false(henb_debounce_feed(&d, HENB_V_OK));
	assert_false(henb_debounce_feed(&d, HENB_V_OK));
	assert_true(henb_debounce_feed(&d, HENB_V_OK));
	assert_int_equal(d.stable, HENB_V_OK);
	/* a flapping input never changes the verdict */
	for (int i = 0; i < 20; i++) {
		assert_false(henb_debounce_feed(&d, i % 2 ? HENB_V_OK : HENB_V_TAMPER));
		assert_int_equal(d.stable, HENB_V_OK);
	}
	/* two tamper readings and an unreadable one: still not three in a row */
	assert_false(henb_debounce_feed(&d, HENB_V_TAMPER));
	assert_false(henb_debounce_feed(&d, HENB_V_TAMPER));
	assert_false(henb_debounce_feed(&d, HENB_V_UNREADABLE));
	assert_false(henb_debounce_feed(&d, HENB_V_TAMPER));
	assert_false(henb_debounce_feed(&d, HENB_V_TAMPER));
	assert_true(henb_debounce_feed(&d, HENB_V_TAMPER));
	assert_int_equal(d.stable, HENB_V_TAMPER);
	/* staying there is no change; the count does not overflow */
	for (int i = 0; i < 1000; i++)
		assert_false(henb_debounce_feed(&d, HENB_V_TAMPER));
	/* n = 1: every reading counts; n out of range is clamped */
	henb_debounce_init(&d, 1);
	assert_true(henb_debounce_feed(&d, HENB_V_TAMPER));
	assert_true(henb_debounce_feed(&d, HENB_V_OK));
	henb_debounce_init(&d, 0);
	assert_int_equal(d.n, 1);
	henb_debounce_init(&d, 1000);
	assert_int_equal(d.n, HENB_MON_MAX_DEBOUNCE);
}

static void test_the_fatal_policy_defaults_to_the_catalogue(void **state)
{
	unsigned mask;
	char err[256];
	assert_int_equal(henb_monitor_fatal_parse("default", &mask, err, sizeof(err)), LF_OK);
	assert_int_equal(mask, (1u << HENB_CHECK_ANTENNA) | (1u << HENB_CHECK_CLOCK) | (1u << HENB_CHECK_CIRCUIT));
	assert_int_equal(henb_monitor_fatal_parse("none", &mask, err, sizeof(err)), LF_OK);
	assert_int_equal(mask, 0);
	assert_int_equal(henb_monitor_fatal_parse("case, sw", &mask, err, sizeof(err)), LF_OK);
	assert_int_equal(mask, (1u << HENB_CHECK_CASE) | (1u << HENB_CHECK_SW));
	assert_int_equal(henb_monitor_fatal_parse("case,lid", &mask, err, sizeof(err)), LF_EINVAL);
	assert_non_null(strstr(err, "'lid'"));
	assert_string_equal(henb_check_name(HENB_CHECK_BEHAVIOUR), "behaviour");
	assert_int_equal(henb_check_parse("circuit"), HENB_CHECK_CIRCUIT);
	assert_int_equal(henb_check_parse("board"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clock_within_tolerance_passes_and_outside_is_tampering),
	    cmocka_unit_test(test_a_clock_that_does_not_read_as_a_number_is_unreadable),
	    cmocka_unit_test(test_an_identity_must_equal_the_provisioned_one),
	    cmocka_unit_test(test_the_case_switch_reads_open_closed_or_nonsense),
	    cmocka_unit_test(test_a_burst_is_enough_failures_within_the_window),
	    cmocka_unit_test(test_unexpected_tokens_are_those_neither_allowed_nor_our_own),
	    cmocka_unit_test(test_proc_net_tables_give_the_listening_ports),
	    cmocka_unit_test(test_the_configuration_mac_is_hmac_sha256_with_the_device_key),
	    cmocka_unit_test(test_debounce_needs_n_equal_readings_in_a_row),
	    cmocka_unit_test(test_the_fatal_policy_defaults_to_the_catalogue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
