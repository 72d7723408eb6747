/* test_henb_notify.c: value change notification bookkeeping on a real agent: what the next Inform carries
 * (4 VALUE CHANGE and the changed parameters), what opens a session (active, throttled) and what waits
 * (passive), what the ACS's own writes do (nothing), and what an undelivered Inform gives back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"
#include "henb/ratelimit.h"

#define LTE "Device.Services.FAPService.1.FAPControl.LTE."

static struct henb_agent lf__a;
static char lf__dir[256];

static int lf__setup(void **state)
{
	struct henb_config cfg;
	char err[512];
	lf_log_init("test_henb_notify", LF_LOG_WARN);
	snprintf(lf__dir, sizeof(lf__dir), "/tmp/test_henb_notify.XXXXXX");
	assert_non_null(mkdtemp(lf__dir));
	henb_config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", lf__dir);
	cfg.notification_throttle = 30;
	if (henb_agent_init(&lf__a, &cfg, NULL, err, sizeof(err)))
		fail_msg("%s", err);
	/* as after the first session: boot events delivered */
	lf__a.pending = 0;
	lf__a.last_session_end_ms = lf_now_ms();
	return 0;
}

static int lf__teardown(void **state)
{
	char p[600];
	henb_agent_free(&lf__a);
	DIR *d = opendir(lf__dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", lf__dir, e->d_name);
		if (unlink(p) != 0) {
			char q[700];
			snprintf(q, sizeof(q), "rm -rf '%s'", p);
			if (system(q) != 0)
				return 1;
		}
	}
	if (d)
		closedir(d);
	rmdir(lf__dir);
	return 0;
}

static const char *lf__events(void)
{
	static char list[512];
	struct cwmp_event ev[64];
	size_t n = henb_agent_inform_events(&lf__a, ev, 64);
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(list);
		snprintf(list + l, sizeof(list) - l, "%s%s%s%s", i ? "," : "", ev[i].code, ev[i].command_key[0] ? ":" : "",
			 ev[i].command_key);
	}
	return list;
}

static void test_an_active_change_opens_a_throttled_session(void **state)
{
	/* OpState is forceDefaultEnabled: Active from the factory. */
	assert_int_equal(henb_agent_session_due(&lf__a), -1);
	henb_dm_set_str(lf__a.dm, LTE "OpState", "true", HENB_DM_ORIGIN_CPE);
	int64_t due = henb_agent_session_due(&lf__a);
	/* the last session ended just now: not before DefaultActiveNotificationThrottle (30 s) */
	assert_true(due >= lf__a.last_session_end_ms + 30000);
	/* any other event goes at once and takes the change along */
	lf__a.pending |= HENB_EV_PERIODIC;
	assert_true(henb_agent_session_due(&lf__a) <= lf_now_ms());
	assert_string_equal(lf__events(), "2 PERIODIC,4 VALUE CHANGE");
	assert_int_equal(lf__a.delivery.n_changed, 1);
	char name[256];
	henb_dm_name(lf__a.dm, &lf__a.delivery.changed[0], name, sizeof(name));
	assert_string_equal(name, LTE "OpState");
	henb_agent_informed(&lf__a);
	assert_int_equal(lf__a.pending, 0);
	assert_int_equal(henb_agent_session_due(&lf__a), -1);
}

static void test_a_passive_change_waits_for_the_next_inform(void **state)
{
	struct henb_dm_ref ref;
	henb_dm_resolve(lf__a.dm, LTE "OpState", &ref);
	henb_dm_set_attributes(lf__a.dm, &ref, true, 1, false, 0);
	henb_dm_set_str(lf__a.dm, LTE "OpState", "true", HENB_DM_ORIGIN_CPE);
	assert_int_equal(henb_agent_session_due(&lf__a), -1);
	lf__a.pending |= HENB_EV_CONNREQ;
	assert_string_equal(lf__events(), "4 VALUE CHANGE,6 CONNECTION REQUEST");
	/* the Inform was not delivered: the change and the event are still there */
	henb_agent_session_done(&lf__a, LF_ENET, false, "test");
	assert_int_equal(lf__a.retry_count, 1);
	assert_string_equal(lf__events(), "4 VALUE CHANGE,6 CONNECTION REQUEST");
	henb_agent_informed(&lf__a);
	henb_agent_session_done(&lf__a, LF_OK, true, "");
	assert_int_equal(lf__a.retry_count, 0);
	assert_int_equal(henb_dm_pending(lf__a.dm, NULL), 0);
}

static void test_the_acs_is_not_told_about_its_own_changes(void **state)
{
	/* ProvisioningCode is forceEnabled (always Active) and writable */
	henb_dm_set_str(lf__a.dm, "Device.DeviceInfo.ProvisioningCode", "by-acs", HENB_DM_ORIGIN_ACS);
	assert_int_equal(henb_dm_pending(lf__a.dm, NULL), 0);
	henb_dm_set_str(lf__a.dm, "Device.DeviceInfo.ProvisioningCode", "by-cpe", HENB_DM_ORIGIN_CPE);
	assert_int_equal(henb_dm_pending(lf__a.dm, NULL), 1);
	/* and when the ACS overwrites a pending change, the change is no longer reported */
	henb_dm_set_str(lf__a.dm, "Device.DeviceInfo.ProvisioningCode", "by-acs-again", HENB_DM_ORIGIN_ACS);
	assert_int_equal(henb_dm_pending(lf__a.dm, NULL), 0);
}

static void test_events_carry_their_command_keys_and_transfers_stay_until_acknowledged(void **state)
{
	struct henb_transfer tc;
	memset(&tc, 0, sizeof(tc));
	snprintf(tc.command_key, sizeof(tc.command_key), "dl-1");
	tc.fault_code = 9010;
	lf__a.st.reboot_pending = true;
	snprintf(lf__a.st.reboot_key, sizeof(lf__a.st.reboot_key), "rb-1");
	assert_int_equal(henb_agent_transfer_done(&lf__a, &tc), LF_OK);
	assert_int_equal(henb_agent_schedule_inform(&lf__a, 1, "si-1"), LF_OK);
	lf__a.sched[0].fired = true;
	lf__a.pending |= HENB_EV_SCHEDULED;
	assert_string_equal(lf__events(), "3 SCHEDULED,7 TRANSFER COMPLETE,M Reboot:rb-1,M ScheduleInform:si-1,M Download:dl-1");
	henb_agent_informed(&lf__a);
	/* M Reboot and the schedule are delivered; the TransferComplete waits for its response */
	assert_false(lf__a.st.reboot_pending);
	assert_false(lf__a.sched[0].used);
	assert_string_equal(lf__events(), "7 TRANSFER COMPLETE,M Download:dl-1");
	henb_agent_transfer_acked(&lf__a);
	assert_string_equal(lf__events(), "");
}

static void test_the_connection_request_rate_limit_is_a_sliding_window(void **state)
{
	struct henb_ratelimit r;
	henb_ratelimit_init(&r, 3, 60000);
	assert_true(henb_ratelimit_admit(&r, 0));
	assert_true(henb_ratelimit_admit(&r, 10));
	assert_true(henb_ratelimit_admit(&r, 20));
	assert_false(henb_ratelimit_admit(&r, 30));
	assert_false(henb_ratelimit_admit(&r, 59999));
	assert_true(henb_ratelimit_admit(&r, 60000));  /* the first left the window */
	assert_false(henb_ratelimit_admit(&r, 60001));
	assert_true(henb_ratelimit_admit(&r, 60020));
	henb_ratelimit_init(&r, 1000, 1); /* capped at the ring size */
	assert_int_equal(r.limit, HENB_CR_RATE_WINDOW);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, lf__setup, lf__teardown)
	const struct CMUnitTest tests[] = {
		T(test_an_active_change_opens_a_throttled_session),
		T(test_a_passive_change_waits_for_the_next_inform),
		T(test_the_acs_is_not_told_about_its_own_changes),
		T(test_events_carry_their_command_keys_and_transfers_stay_until_acknowledged),
		cmocka_unit_test(test_the_connection_request_rate_limit_is_a_sliding_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
