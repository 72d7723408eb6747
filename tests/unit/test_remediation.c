/* test_remediation.c: the remediation engine's state machine driven directly, on a real SQLite store: each
 * input (an alarm, a task's answer, an Inform's events, a TransferComplete, a deadline) moves a case exactly
 * as docs/policy.md says, and every move leaves a timeline row and a northbound notification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "hems/hems.h"
#include "hems/remediation.h"
#include "store/store.h"

static struct hems h;
static char dbpath[128];
static const char *dev = "00005A-LifelineHeNB-UT1";

static int setup(void **state)
{
	char err[256];
	snprintf(dbpath, sizeof(dbpath), "/tmp/lf-test-remediation-%d.db", (int)getpid());
	unlink(dbpath);
	memset(&h, 0, sizeof(h));
	hems_config_defaults(&h.cfg);
	assert_int_equal(store_open(dbpath, &h.store, err, sizeof(err)), LF_OK);
	assert_int_equal(hems_remediation_init(&h, err, sizeof(err)), LF_OK);
	snprintf(h.file_base_url, sizeof(h.file_base_url), "http://127.0.0.1:7547");
	struct store_param p = {"Device.DeviceInfo.SoftwareVersion", "1.0", NULL};
	struct store_inform in = {.device_id = dev, .manufacturer = "L", .oui = "00005A", .product_class = "LifelineHeNB",
				  .serial_number = "UT1", .events = "0 BOOTSTRAP", .params = &p, .n_params = 1,
				  .now = time(NULL)};
	assert_int_equal(store_record_inform(h.store, &in), LF_OK);
	return 0;
}

static int teardown(void **state)
{
	char p[160];
	hems_remediation_free(&h);
	store_close(&h.store);
	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return 0;
}

static void raise_alarm(const char *ident, const char *et, const char *pc, const char *sev, const char *sp)
{
	struct store_alarm a;
	int is_new;
	memset(&a, 0, sizeof(a));
	snprintf(a.device_id, sizeof(a.device_id), "%s", dev);
	snprintf(a.alarm_identifier, sizeof(a.alarm_identifier), "%s", ident);
	snprintf(a.event_time, sizeof(a.event_time), "2026-11-28T10:00:00Z");
	snprintf(a.notification_type, sizeof(a.notification_type), "NewAlarm");
	snprintf(a.event_type, sizeof(a.event_type), "%s", et);
	snprintf(a.probable_cause, sizeof(a.probable_cause), "%s", pc);
	snprintf(a.severity, sizeof(a.severity), "%s", sev);
	snprintf(a.specific_problem, sizeof(a.specific_problem), "%s", sp);
	snprintf(a.source, sizeof(a.source), "expedited");
	assert_int_equal(store_alarm_record(h.store, &a, &is_new), LF_OK);
	hems_remediation_on_alarm(&h, &a);
}

static struct store_case the_case(void)
{
	struct store_case c;
	memset(&c, 0, sizeof(c));
	if (store_case_open_of(h.store, dev, &c) != LF_OK) {
		/* closed: the newest one */
		assert_int_equal(store_case_get(h.store, 1, &c), LF_OK);
	}
	return c;
}

/* The device answers the task the case waits for, with this status and result JSON. */
static void answer(int status, const char *result)
{
	struct store_case c = the_case();
	assert_true(c.wait_task > 0);
	assert_int_equal(store_task_set_status(h.store, c.wait_task, status, result, NULL, time(NULL)), LF_OK);
	hems_remediation_on_task(&h, c.wait_task);
}

static void inform_events(const char *event, const char *sw)
{
	struct cwmp_event ev = {event, ""};
	struct cwmp_param_value p = {"Device.DeviceInfo.SoftwareVersion", sw, NULL};
	struct cwmp_inform in;
	memset(&in, 0, sizeof(in));
	in.events = &ev;
	in.n_events = 1;
	in.params = &p;
	in.n_params = sw ? 1 : 0;
	hems_remediation_on_inform(&h, dev, &in);
}

static int count_events;
static int count_cb(void *ctx, const struct store_case_event *e)
{
	count_events++;
	return 0;
}

/* How many northbound notifications of this type the outbox holds. */
struct lf__ob {
	const char *type;
	int n;
};

static int ob_cb(void *ctx, const struct store_outbox_row *r)
{
	struct lf__ob *o = ctx;
	if (strcmp(r->type, o->type) == 0)
		o->n++;
	return 0;
}

static int outbox_count(const char *type)
{
	struct lf__ob o = {type, 0};
	assert_int_equal(store_outbox_after(h.store, 0, 10000, ob_cb, &o), LF_OK);
	return o.n;
}

static void test_notify_only_closes_at_once(void **state)
{
	raise_alarm("lan-1", "Security Service or Mechanism Violation", "Unauthorized access attempt", "Warning",
		    "Attack via the LAN");
	struct store_case c = the_case();
	assert_string_equal(c.procedure, "notify-only");
	assert_string_equal(c.state, "resolved");
	assert_true(c.closed > 0);
	assert_int_equal(c.wait_task, 0);
	count_events = 0;
	store_case_events(h.store, c.id, count_cb, NULL);
	assert_int_equal(count_events, 3); /* opened, classified, resolved */
	assert_int_equal(outbox_count("notifyRemediationSucceeded"), 1);
}

static void test_reconfigure_rung1_then_verified(void **state)
{
	raise_alarm("cfg-1", "Integrity Violation", "Information modification detected", "Minor",
		    "Unexpected configuration change");
	struct store_case c = the_case();
	assert_string_equal(c.procedure, "reconfigure");
	assert_string_equal(c.state, "remediating");
	assert_int_equal(c.rung, 0);
	answer(STORE_TASK_DONE, "{\"status\":0}"); /* SPV accepted -> read back */
	c = the_case();
	assert_string_equal(c.state, "verifying");
	answer(STORE_TASK_DONE, "{\"parameters\":[{\"name\":\"Device.ManagementServer.PeriodicInformInterval\","
				"\"value\":\"3600\"}]}");
	c = the_case();
	assert_string_equal(c.state, "resolved");
	assert_string_equal(c.outcome, "reconfigure verified at rung 1");
}

static void test_wrong_readback_escalates_to_reboot(void **state)
{
	raise_alarm("cfg-2", "Integrity Violation", "Information modification detected", "Minor", "x");
	answer(STORE_TASK_DONE, "{\"status\":0}");
	answer(STORE_TASK_DONE, "{\"parameters\":[{\"name\":\"Device.ManagementServer.PeriodicInformInterval\","
				"\"value\":\"7\"}]}");
	struct store_case c = the_case();
	assert_int_equal(c.rung, 1); /* reboot, configure */
	assert_string_equal(c.state, "remediating");
	answer(STORE_TASK_DONE, "{}"); /* RebootResponse -> wait for 1 BOOT */
	c = the_case();
	assert_string_equal(c.wait_event, "1 BOOT");
	inform_events("2 PERIODIC", NULL); /* not the awaited event: nothing moves */
	c = the_case();
	assert_string_equal(c.wait_event, "1 BOOT");
	inform_events("1 BOOT", NULL);
	c = the_case();
	assert_string_equal(c.wait_event, "");
	assert_int_equal(c.step, 1); /* configure again */
	answer(STORE_TASK_DONE, "{\"status\":0}");
	answer(STORE_TASK_DONE, "{\"parameters\":[{\"name\":\"Device.ManagementServer.PeriodicInformInterval\","
				"\"value\":\"3600\"}]}");
	c = the_case();
	assert_string_equal(c.outcome, "reconfigure verified at rung 2");
}

static void test_faults_climb_every_rung_then_extended(void **state)
{
	raise_alarm("cfg-3", "Integrity Violation", "Information modification detected", "Minor", "x");
	for (int rung = 0; rung < 3; rung++) {
		struct store_case c = the_case();
		assert_int_equal(c.rung, rung);
		answer(STORE_TASK_FAULT, "{\"fault\":{\"code\":9002,\"string\":\"Internal error\"}}");
	}
	struct store_case c = the_case();
	assert_string_equal(c.state, "extended");
	assert_true(c.deadline > 0);
	assert_int_equal(c.closed, 0);
	assert_int_equal(outbox_count("notifyRemediationStep"), 3);
	assert_int_equal(outbox_count("notifyExtendedRemediationStarted"), 1);
}

static void test_fatal_waits_and_nm_blocks(void **state)
{
	char err[128];
	raise_alarm("ant-1", "Physical Violation", "Cable tamper", "Critical", "Modified antenna");
	struct store_case c = the_case();
	assert_string_equal(c.state, "awaiting_instructions");
	assert_int_equal(c.wait_task, 0);
	assert_int_equal(outbox_count("notifyAwaitingInstructions"), 1);
	assert_int_equal(hems_case_decide(&h, c.id, "explode", "nm", "", err, sizeof(err)), LF_EINVAL);
	assert_int_equal(hems_case_decide(&h, c.id, "block", "nm", "confirmed", err, sizeof(err)), LF_OK);
	c = the_case();
	assert_string_equal(c.state, "blocked");
	int blocked = 0;
	char reason[128];
	assert_int_equal(store_block_get(h.store, dev, &blocked, reason, sizeof(reason)), LF_OK);
	assert_true(blocked);
	assert_int_equal(hems_case_decide(&h, c.id, "release", "nm", "", err, sizeof(err)), LF_EEXIST);
}

static void test_more_severe_alarm_takes_over(void **state)
{
	raise_alarm("cfg-4", "Integrity Violation", "Information modification detected", "Minor", "x");
	assert_string_equal(the_case().procedure, "reconfigure");
	raise_alarm("sw-4", "Integrity Violation", "Information modification detected", "Major", "sw");
	struct store_case c = the_case();
	assert_string_equal(c.procedure, "reload-software");
	/* no approved firmware in the default policy: the download step fails and the ladder climbs */
	assert_int_equal(c.rung, 1);
	raise_alarm("lan-4", "Security Service or Mechanism Violation", "Unauthorized access attempt", "Warning", "l");
	assert_string_equal(the_case().procedure, "reload-software"); /* a lesser alarm does not */
}

static void test_diagnose_first_reclassifies(void **state)
{
	raise_alarm("case-5", "Physical Violation", "Intrusion detection", "Major", "Case opened");
	struct store_case c = the_case();
	assert_string_equal(c.state, "diagnosing");
	answer(STORE_TASK_DONE, "{\"status\":0}");
	assert_string_equal(the_case().wait_event, "8 DIAGNOSTICS COMPLETE");
	inform_events("8 DIAGNOSTICS COMPLETE", NULL);
	answer(STORE_TASK_DONE, "{\"parameters\":[{\"name\":\"Device.SelfTestDiagnostics.DiagnosticsState\","
				"\"value\":\"Complete\"},{\"name\":\"Device.SelfTestDiagnostics.Results\","
				"\"value\":\"sw=pass;config=fail;case=fail\"}]}");
	c = the_case();
	assert_string_equal(c.procedure, "reconfigure");
	assert_string_equal(c.state, "remediating");
}

static void test_step_deadline_without_contact_starts_extended(void **state)
{
	raise_alarm("cfg-6", "Integrity Violation", "Information modification detected", "Minor", "x");
	struct store_case c = the_case();
	c.deadline = 1; /* long past */
	c.last_contact = 0;
	assert_int_equal(store_case_update(h.store, &c), LF_OK);
	hems_remediation_tick(&h, 0);
	c = the_case();
	assert_string_equal(c.state, "extended");
	c.deadline = 1;
	assert_int_equal(store_case_update(h.store, &c), LF_OK);
	hems_remediation_tick(&h, 0);
	c = the_case();
	assert_string_equal(c.state, "awaiting_instructions");
	assert_int_equal(outbox_count("notifyNoCommunicationPossible"), 1);
}

static void test_operator_start_and_cancel(void **state)
{
	char err[128];
	int64_t id = 0;
	assert_int_equal(hems_case_start(&h, dev, "teleport", "op", &id, err, sizeof(err)), LF_EINVAL);
	assert_int_equal(hems_case_start(&h, "nobody", "reconfigure", "op", &id, err, sizeof(err)), LF_ENOTFOUND);
	assert_int_equal(hems_case_start(&h, dev, "reconfigure", "op", &id, err, sizeof(err)), LF_OK);
	assert_int_equal(hems_case_start(&h, dev, "reconfigure", "op", &id, err, sizeof(err)), LF_EEXIST);
	assert_int_equal(hems_case_cancel(&h, id, "op", "changed my mind"), LF_OK);
	struct store_case c;
	assert_int_equal(store_case_get(h.store, id, &c), LF_OK);
	assert_string_equal(c.state, "closed");
	assert_non_null(strstr(c.outcome, "cancelled by op"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_only_closes_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconfigure_rung1_then_verified, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_readback_escalates_to_reboot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults_climb_every_rung_then_extended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fatal_waits_and_nm_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_more_severe_alarm_takes_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_diagnose_first_reclassifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_step_deadline_without_contact_starts_extended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operator_start_and_cancel, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
