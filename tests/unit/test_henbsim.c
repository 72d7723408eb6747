/* test_henbsim: what henbsim is built on. The latency histogram's percentiles (exact range and 1% buckets),
 * and a hosted henbd agent driven through the step API the way the fleet drives it: the host's session bound
 * holds a due session back, the host's connection request URL is advertised without a listener of the agent's
 * own, and a failed session reaches the host with its cause and duration (and no "informed"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"
#include "henb/dm.h"
#include "henbsim/report.h"

static void test_hist_exact_percentiles(void **state)
{
	(void)state;
	static struct sim_hist h;
	memset(&h, 0, sizeof(h));
	assert_int_equal(sim_hist_pct(&h, 50), 0); /* no samples */
	for (uint64_t ms = 1; ms <= 100; ms++)
		sim_hist_add(&h, ms);
	assert_int_equal(h.n, 100);
	assert_int_equal(sim_hist_pct(&h, 50), 50);
	assert_int_equal(sim_hist_pct(&h, 99), 99);
	assert_int_equal(sim_hist_pct(&h, 100), 100);
	assert_int_equal(h.max_ms, 100);
}

static void test_hist_large_values_within_one_percent(void **state)
{
	(void)state;
	static struct sim_hist h;
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 99; i++)
		sim_hist_add(&h, 10);
	sim_hist_add(&h, 25000); /* 25 s: a log bucket */
	assert_int_equal(sim_hist_pct(&h, 50), 10);
	uint64_t p100 = sim_hist_pct(&h, 100);
	assert_true(p100 <= 25000);          /* never above what was seen */
	assert_true(p100 >= 25000 * 99 / 100); /* and within the bucket's 1% */
	sim_hist_add(&h, 10ull * 3600 * 1000); /* past the last bucket: counted, bounded by the max */
	assert_int_equal(sim_hist_pct(&h, 100), 10ull * 3600 * 1000);
}

/* ---------------------------------------------------------------- hosted agent */

struct host_log {
	int may_start_calls;
	bool allow;
	int done_calls;
	int done_result;
	bool done_informed;
	int64_t done_ms;
	int informed_calls;
	char why[256];
};

static bool may_start(void *ctx, struct henb_agent *a)
{
	(void)a;
	struct host_log *l = ctx;
	l->may_start_calls++;
	return l->allow;
}

static void informed(void *ctx, struct henb_agent *a)
{
	(void)a;
	((struct host_log *)ctx)->informed_calls++;
}

static void session_done(void *ctx, struct henb_agent *a, int result, const char *why, bool was_informed,
			 int64_t duration_ms)
{
	(void)a;
	struct host_log *l = ctx;
	l->done_calls++;
	l->done_result = result;
	l->done_informed = was_informed;
	l->done_ms = duration_ms;
	snprintf(l->why, sizeof(l->why), "%s", why);
}

static void test_hosted_agent_step_api(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_henbsim.XXXXXX", err[512];
	assert_non_null(mkdtemp(dir));
	struct henb_config cfg;
	henb_config_defaults(&cfg);
	char set[700];
	snprintf(set, sizeof(set), "henb.state_dir=%s", dir);
	/* Port 9 (discard): nobody listens on loopback, the session fails at connect. */
	const char *sets[] = {set, "acs.url=http://127.0.0.1:9/cwmp", "cr.udp_enable=false", "distress.trigger_address=",
			      "device.serial_number=SIM000001"};
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		assert_int_equal(henb_config_set(&cfg, sets[i], err, sizeof(err)), LF_OK);

	struct host_log l = {0};
	struct henb_agent_host host = {
		.ctx = &l,
		.cr_url = "http://127.0.0.1:4242/cr/1",
		.may_start = may_start,
		.informed = informed,
		.session_done = session_done,
	};
	static struct henb_agent a;
	assert_int_equal(henb_agent_init_hosted(&a, &cfg, &host, err, sizeof(err)), LF_OK);
	assert_null(a.crhttp); /* no listener of its own */
	assert_string_equal(henb_dm_get_str(a.dm, "Device.ManagementServer.ConnectionRequestURL"),
			    "http://127.0.0.1:4242/cr/1");

	/* Due at once (0 BOOTSTRAP, 1 BOOT), but the host has no slot: no session. */
	int64_t now = lf_now_ms();
	assert_true(henb_agent_step(&a, now));
	assert_true(l.may_start_calls >= 1);
	assert_null(a.session);
	struct pollfd p[HENB_AGENT_MAX_FDS];
	int64_t deadline;
	size_t n = henb_agent_pollfds(&a, p, HENB_AGENT_MAX_FDS, now, &deadline);
	assert_true(deadline <= now); /* still due: the host decides when */

	/* A slot: the session starts and fails (nobody listens); the host hears of it once. */
	l.allow = true;
	assert_true(henb_agent_step(&a, lf_now_ms()));
	for (int i = 0; i < 500 && !l.done_calls; i++) {
		now = lf_now_ms();
		n = henb_agent_pollfds(&a, p, HENB_AGENT_MAX_FDS, now, &deadline);
		int wait = deadline > now ? (int)(deadline - now) : 0;
		if (poll(p, n, wait > 20 ? 20 : wait) < 0)
			for (size_t k = 0; k < n; k++)
				p[k].revents = 0;
		henb_agent_process(&a, p, n, lf_now_ms());
		if (!l.done_calls)
			assert_true(henb_agent_step(&a, lf_now_ms()));
	}
	assert_int_equal(l.done_calls, 1);
	assert_int_equal(l.done_result, LF_ENET);
	assert_false(l.done_informed);
	assert_int_equal(l.informed_calls, 0);
	assert_true(l.done_ms >= 0 && l.done_ms < 10000);
	assert_true(strlen(l.why) > 0);
	assert_null(a.session);
	assert_int_equal(a.retry_count, 1); /* the agent's own retry policy still applies */

	henb_agent_free(&a);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	lf_log_init("test_henbsim", LF_LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_exact_percentiles),
		cmocka_unit_test(test_hist_large_values_within_one_percent),
		cmocka_unit_test(test_hosted_agent_step_api),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
