/* test_hems_first_rpc: hemsd's remediation latency measure - a case's first RPC is measured once, later RPCs
 * and unknown cases are not, the quantiles are exact milliseconds, and the task tag is read from the args. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/buf.h"
#include "hems/first_rpc.h"

static const char *metrics_of(struct hems_first_rpc *p, struct lf_buf *b)
{
	lf_buf_reset(b);
	hems_first_rpc_metrics(p, b);
	return b->data ? b->data : "";
}

static void test_first_rpc_measured_once(void **state)
{
	(void)state;
	struct hems_first_rpc *p = hems_first_rpc_new();
	struct lf_buf b;
	lf_buf_init(&b, 1 << 16);
	assert_non_null(strstr(metrics_of(p, &b), "hems_remediation_first_rpc_ms_count 0\n"));
	for (int64_t c = 1; c <= 100; c++)
		hems_first_rpc_opened(p, c, 1000);
	for (int64_t c = 1; c <= 100; c++)
		hems_first_rpc_sent(p, c, 1000 + c); /* case c waited c ms */
	hems_first_rpc_sent(p, 7, 90000);          /* a later RPC of case 7: not its first */
	hems_first_rpc_sent(p, 5000, 1200);        /* a case never seen opening (before a restart) */
	const char *m = metrics_of(p, &b);
	assert_non_null(strstr(m, "hems_remediation_first_rpc_ms{quantile=\"0.5\"} 50\n"));
	assert_non_null(strstr(m, "hems_remediation_first_rpc_ms{quantile=\"0.99\"} 99\n"));
	assert_non_null(strstr(m, "hems_remediation_first_rpc_ms_count 100\n"));
	assert_non_null(strstr(m, "hems_remediation_first_rpc_ms_max 100\n"));
	lf_buf_free(&b);
	hems_first_rpc_free(&p);
	assert_null(p);
	hems_first_rpc_opened(NULL, 1, 0); /* remediation off: no table, no crash */
	hems_first_rpc_sent(NULL, 1, 0);
}

static void test_case_tag_from_task_args(void **state)
{
	(void)state;
	assert_int_equal(hems_first_rpc_case_of("{\"values\":[],\"_case\":42}"), 42);
	assert_int_equal(hems_first_rpc_case_of("{\"names\":[\"Device.\"]}"), 0);
	assert_int_equal(hems_first_rpc_case_of(""), 0);
	assert_int_equal(hems_first_rpc_case_of(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_rpc_measured_once),
		cmocka_unit_test(test_case_tag_from_task_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
