/* test_udp_connreq.c: TR-069 Annex G UDP connection requests: build/parse round trip, signature, replay window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/err.h"
#include "cwmp/udp_connreq.h"

static void test_round_trip_and_verify(void **state)
{
	char d[CWMP_UDP_CR_MAX + 1];
	size_t len;
	struct cwmp_udp_cr m;
	char err[128];
	assert_int_equal(cwmp_udp_cr_build(d, sizeof(d), &len, "192.0.2.1:7547", 1120673700, 1234, "CPE 57689",
					   "XTGRWIPC6D3IPXS3", "pw"),
			 LF_OK);
	assert_non_null(strstr(d, "GET http://192.0.2.1:7547?ts=1120673700&id=1234&un=CPE%2057689&cn=XTGRWIPC6D3IPXS3&sig="));
	assert_non_null(strstr(d, " HTTP/1.1\r\n"));
	assert_int_equal(cwmp_udp_cr_parse(d, len, &m, err, sizeof(err)), LF_OK);
	assert_int_equal(m.ts, 1120673700);
	assert_int_equal(m.id, 1234);
	assert_string_equal(m.un, "CPE 57689");
	assert_int_equal(cwmp_udp_cr_verify(&m, "CPE 57689", "pw"), LF_OK);
	assert_int_equal(cwmp_udp_cr_verify(&m, "CPE 57689", "other"), LF_EAUTH);
	assert_int_equal(cwmp_udp_cr_verify(&m, "someone", "pw"), LF_EAUTH);
}

static void test_known_signature(void **state)
{
	/* HMAC-SHA1("pw", "1120673700" "1234" "CPE57689" "XTGRWIPC6D3IPXS3"), computed independently with
	 * `printf %s 1120673700 1234 CPE57689 XTGRWIPC6D3IPXS3 | openssl sha1 -hmac pw`. */
	const char *d = "GET http://192.0.2.1:7547?ts=1120673700&id=1234&un=CPE57689&cn=XTGRWIPC6D3IPXS3"
			"&sig=715D51CAE3D872CEA6C45C1D8B9D25AF830D7360 HTTP/1.1\r\n\r\n";
	struct cwmp_udp_cr m;
	char err[128];
	assert_int_equal(cwmp_udp_cr_parse(d, strlen(d), &m, err, sizeof(err)), LF_OK);
	assert_int_equal(cwmp_udp_cr_verify(&m, "CPE57689", "pw"), LF_OK); /* upper-case hex accepted */
	char built[CWMP_UDP_CR_MAX + 1];
	size_t len;
	assert_int_equal(cwmp_udp_cr_build(built, sizeof(built), &len, "192.0.2.1:7547", 1120673700, 1234, "CPE57689",
					   "XTGRWIPC6D3IPXS3", "pw"),
			 LF_OK);
	struct cwmp_udp_cr b;
	assert_int_equal(cwmp_udp_cr_parse(built, len, &b, err, sizeof(err)), LF_OK);
	assert_string_equal(b.sig, "715d51cae3d872cea6c45c1d8b9d25af830d7360"); /* we send lower case */
}

static void test_bad_datagrams(void **state)
{
	static const char *bad[] = {
		"POST http://h:1?ts=1&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n\r\n",
		"GET /?ts=1&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n\r\n",
		"GET http://h:1/x?ts=1&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n\r\n",
		"GET http://h:1?ts=1&id=1&un=u&cn=c HTTP/1.1\r\n\r\n",
		"GET http://h:1?ts=x&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n\r\n",
		"GET http://h:1?ts=1&ts=2&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n",
		"GET http://h:1?ts=1&id=1&un=%zz&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n",
		"GET http://h:1?ts=1&id=1&un=u&cn=c&sig=00 HTTP/1.1\r\n",
		"GET http://h:1?ts=1&id=1&un=u%&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.1\r\n",
		"GET http://h:1?ts=1&id=1&un=u&cn=c&sig=0000000000000000000000000000000000000000 HTTP/1.0\r\n",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cwmp_udp_cr m;
		char err[128] = "";
		assert_int_not_equal(cwmp_udp_cr_parse(bad[i], strlen(bad[i]), &m, err, sizeof(err)), LF_OK);
		assert_true(err[0] != '\0');
	}
}

static void test_replay_window(void **state)
{
	struct cwmp_udp_cr_replay r = {0};
	struct cwmp_udp_cr m = {.ts = 1000, .id = 1};
	assert_int_equal(cwmp_udp_cr_replay_check(&r, &m, 1000, 300), LF_OK);
	assert_int_equal(cwmp_udp_cr_replay_check(&r, &m, 1000, 300), LF_EEXIST);  /* same id: retransmission */
	m.id = 2;
	assert_int_equal(cwmp_udp_cr_replay_check(&r, &m, 1000, 300), LF_OK);      /* same second, new request */
	m.ts = 999;
	m.id = 3;
	assert_int_equal(cwmp_udp_cr_replay_check(&r, &m, 1000, 300), LF_EEXIST);  /* older than the last */
	m.ts = 500;
	assert_int_equal(cwmp_udp_cr_replay_check(&r, &m, 1000, 300), LF_ETIMEOUT);
	m.ts = 2000;
	assert_int_equal(cwmp_udp_cr_replay_check(&r, &m, 1000, 300), LF_ETIMEOUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_verify),
		cmocka_unit_test(test_known_signature),
		cmocka_unit_test(test_bad_datagrams),
		cmocka_unit_test(test_replay_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
