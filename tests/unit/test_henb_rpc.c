/* test_henb_rpc.c: the CPE RPCs as henbd answers them inside a session, on a real agent (state in a temp
 * directory): SetParameterValues all-or-nothing with one fault per bad entry, GetParameterNames NextLevel,
 * Add/DeleteObject instance numbers that survive a restart, attribute refusals, the control RPCs and 9000. */
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
#include "cwmp/cwmp.h"
#include "henb/agent.h"
#include "henb/rpc.h"

static struct henb_agent lf__a;
static struct henb_config lf__cfg;
static char lf__dir[256];
static struct cwmp_msg lf__resp;

static void lf__start(void)
{
	char err[512];
	if (henb_agent_init(&lf__a, &lf__cfg, NULL, err, sizeof(err)))
		fail_msg("henb_agent_init: %s", err);
}

static int lf__setup(void **state)
{
	lf_log_init("test_henb_rpc", LF_LOG_WARN);
	snprintf(lf__dir, sizeof(lf__dir), "/tmp/test_henb_rpc.XXXXXX");
	assert_non_null(mkdtemp(lf__dir));
	henb_config_defaults(&lf__cfg);
	snprintf(lf__cfg.state_dir, sizeof(lf__cfg.state_dir), "%s", lf__dir);
	snprintf(lf__cfg.acs_url, sizeof(lf__cfg.acs_url), "http://127.0.0.1:1/cwmp");
	lf__start();
	cwmp_msg_init(&lf__resp);
	return 0;
}

static void lf__rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[600];
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) != 0)
			lf__rmtree(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int lf__teardown(void **state)
{
	cwmp_msg_free(&lf__resp);
	henb_agent_free(&lf__a);
	lf__rmtree(lf__dir);
	return 0;
}

/* Answer req as the agent would in a session; the parsed answer is in lf__resp. */
static const struct cwmp_msg *lf__call(struct cwmp_msg *req)
{
	struct lf_buf out;
	char err[256];
	req->version = CWMP_V1_2;
	req->id = "42";
	lf_buf_init(&out, CWMP_MAX_MESSAGE);
	assert_int_equal(henb_rpc_answer(&lf__a, req, &out), LF_OK);
	cwmp_msg_free(&lf__resp);
	cwmp_msg_init(&lf__resp);
	if (cwmp_parse(&lf__resp, out.data, out.len, err, sizeof(err)))
		fail_msg("the answer does not parse: %s\n%s", err, out.data);
	assert_string_equal(lf__resp.id, "42");
	lf_buf_free(&out);
	return &lf__resp;
}

static const struct cwmp_msg *lf__spv(const struct cwmp_param_value *pv, size_t n, const char *key)
{
	struct cwmp_msg req;
	cwmp_msg_init(&req);
	req.method = CWMP_SET_PARAMETER_VALUES;
	req.u.spv.params = (struct cwmp_param_value *)(uintptr_t)pv;
	req.u.spv.n = n;
	req.u.spv.parameter_key = key;
	return lf__call(&req);
}

static const char *lf__get(const char *name)
{
	return henb_dm_get_str(lf__a.dm, name);
}

#define MS "Device.ManagementServer."
#define CELL "Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECell."

static void test_set_parameter_values_applies_all_or_nothing(void **state)
{
	const struct cwmp_param_value bad[] = {
		{MS "PeriodicInformInterval", "60", "xsd:unsignedInt"},        /* fine */
		{MS "Nope", "1", "xsd:string"},                                 /* 9005 */
		{"Device.DeviceInfo.SerialNumber", "x", "xsd:string"},          /* 9008 */
		{MS "PeriodicInformEnable", "false", "xsd:string"},            /* 9006 */
		{MS "CWMPRetryIntervalMultiplier", "999", "xsd:unsignedInt"},   /* 9007 */
		{"Device.ManagementServer.", "x", NULL},                        /* an object: 9005 */
	};
	const struct cwmp_msg *r = lf__spv(bad, 6, "k1");
	assert_int_equal(r->method, CWMP_FAULT);
	assert_int_equal(r->u.fault.code, 9003);
	assert_int_equal(r->u.fault.n_spv, 5);
	const uint32_t want[] = {9005, 9008, 9006, 9007, 9005};
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(r->u.fault.spv[i].code, want[i]);
		assert_string_equal(r->u.fault.spv[i].name, bad[i + 1].name);
	}
	/* nothing was applied, ParameterKey untouched */
	assert_string_equal(lf__get(MS "PeriodicInformInterval"), "3600");
	assert_string_equal(lf__get(MS "ParameterKey"), "");

	const struct cwmp_param_value good[] = {
		{MS "PeriodicInformInterval", "60", "xsd:unsignedInt"},
		{MS "PeriodicInformEnable", "0", "xsd:boolean"},
		{MS "ConnectionRequestPassword", "s3cret", NULL},
		{"Device.Services.FAPService.1.CellConfig.LTE.RAN.RF.EARFCNDL", "6300,6400", "xsd:string"},
	};
	r = lf__spv(good, 4, "k2");
	assert_int_equal(r->method, CWMP_SET_PARAMETER_VALUES_RESPONSE);
	assert_int_equal(r->u.spv_response.status, 0);
	assert_string_equal(lf__get(MS "PeriodicInformInterval"), "60");
	assert_string_equal(lf__get(MS "PeriodicInformEnable"), "false");
	assert_string_equal(lf__get(MS "ParameterKey"), "k2");
	/* written to the state before the answer: a restart finds it */
	henb_agent_free(&lf__a);
	lf__start();
	assert_string_equal(lf__get(MS "PeriodicInformInterval"), "60");
	assert_string_equal(lf__get(MS "ConnectionRequestPassword"), "s3cret");
	assert_string_equal(lf__get(MS "ParameterKey"), "k2");
	/* the same parameter twice is an invalid argument */
	const struct cwmp_param_value twice[] = {
		{MS "PeriodicInformInterval", "61", NULL},
		{MS "PeriodicInformInterval", "62", NULL},
	};
	r = lf__spv(twice, 2, "k3");
	assert_int_equal(r->u.fault.code, 9003);
	assert_int_equal(r->u.fault.spv[0].code, 9003);
}

static void test_a_password_reads_empty_and_the_acs_only_writes_requested(void **state)
{
	struct cwmp_msg req;
	cwmp_msg_init(&req);
	const char *names[] = {MS "ConnectionRequestPassword", "Device.SelfTestDiagnostics.DiagnosticsState"};
	req.method = CWMP_GET_PARAMETER_VALUES;
	req.u.names.names = names;
	req.u.names.n = 2;
	const struct cwmp_msg *r = lf__call(&req);
	assert_int_equal(r->u.gpv_response.n, 2);
	assert_string_equal(r->u.gpv_response.params[0].value, "");
	assert_string_equal(r->u.gpv_response.params[1].value, "None");
	const struct cwmp_param_value complete[] = {{"Device.SelfTestDiagnostics.DiagnosticsState", "Complete", NULL}};
	r = lf__spv(complete, 1, "");
	assert_int_equal(r->u.fault.spv[0].code, 9007);
	const struct cwmp_param_value requested[] = {{"Device.SelfTestDiagnostics.DiagnosticsState", "Requested", NULL}};
	r = lf__spv(requested, 1, "");
	assert_int_equal(r->method, CWMP_SET_PARAMETER_VALUES_RESPONSE);
	assert_true(lf__a.diag_requested);
	/* unknown names in GetParameterValues */
	const char *bad[] = {"Device.DeviceInfo.Nope"};
	req.u.names.names = bad;
	req.u.names.n = 1;
	assert_int_equal(lf__call(&req)->u.fault.code, 9005);
}

static const struct cwmp_msg *lf__gpn(const char *path, bool next)
{
	struct cwmp_msg req;
	cwmp_msg_init(&req);
	req.method = CWMP_GET_PARAMETER_NAMES;
	req.u.gpn.path = path;
	req.u.gpn.next_level = next;
	return lf__call(&req);
}

static void test_get_parameter_names_follows_next_level(void **state)
{
	const struct cwmp_msg *r = lf__gpn("", true);
	assert_int_equal(r->u.gpn_response.n, 1);
	assert_string_equal(r->u.gpn_response.params[0].name, "Device.");
	r = lf__gpn("Device.", true);
	assert_string_equal(r->u.gpn_response.params[0].name, "Device.RootDataModelVersion");
	assert_string_equal(r->u.gpn_response.params[1].name, "Device.DeviceInfo.");
	assert_string_equal(r->u.gpn_response.params[r->u.gpn_response.n - 1].name, "Device.X_00005A_Distress.");
	r = lf__gpn(MS "URL", false);
	assert_int_equal(r->u.gpn_response.n, 1);
	assert_true(r->u.gpn_response.params[0].writable);
	r = lf__gpn(MS "URL", true);
	assert_int_equal(r->u.fault.code, 9003);
	r = lf__gpn("Device.Services.FAPService.", true);
	assert_int_equal(r->u.gpn_response.n, 1);
	assert_string_equal(r->u.gpn_response.params[0].name, "Device.Services.FAPService.1.");
	assert_false(r->u.gpn_response.params[0].writable);
	r = lf__gpn(CELL, false);
	assert_int_equal(r->u.gpn_response.n, 1); /* the table itself: no rows yet */
	assert_true(r->u.gpn_response.params[0].writable);
	r = lf__gpn("Device.Nope.", false);
	assert_int_equal(r->u.fault.code, 9005);
	/* the whole tree */
	r = lf__gpn("", false);
	assert_true(r->u.gpn_response.n > 150);
}

static const struct cwmp_msg *lf__object(enum cwmp_method m, const char *name, const char *key)
{
	struct cwmp_msg req;
	cwmp_msg_init(&req);
	req.method = m;
	req.u.object.object_name = name;
	req.u.object.parameter_key = key;
	return lf__call(&req);
}

static void test_objects_get_numbers_that_are_never_reused(void **state)
{
	const struct cwmp_msg *r;
	for (uint32_t i = 1; i <= 16; i++) {
		r = lf__object(CWMP_ADD_OBJECT, CELL, "add");
		assert_int_equal(r->method, CWMP_ADD_OBJECT_RESPONSE);
		assert_int_equal(r->u.add_object_response.instance_number, i);
	}
	assert_int_equal(lf__object(CWMP_ADD_OBJECT, CELL, "")->u.fault.code, 9004);
	r = lf__object(CWMP_DELETE_OBJECT, CELL "16.", "del");
	assert_int_equal(r->method, CWMP_DELETE_OBJECT_RESPONSE);
	assert_string_equal(lf__get(MS "ParameterKey"), "del");
	assert_string_equal(lf__get("Device.Services.FAPService.1.CellConfig.LTE.RAN.NeighborList.LTECellNumberOfEntries"),
			    "15");
	/* a restart later, the next row is 17 */
	henb_agent_free(&lf__a);
	lf__start();
	r = lf__object(CWMP_ADD_OBJECT, CELL, "");
	assert_int_equal(r->u.add_object_response.instance_number, 17);
	/* names that are not an addable table or a deletable row */
	assert_int_equal(lf__object(CWMP_ADD_OBJECT, "Device.FaultMgmt.SupportedAlarm.", "")->u.fault.code, 9005);
	assert_int_equal(lf__object(CWMP_ADD_OBJECT, CELL "1.", "")->u.fault.code, 9005);
	assert_int_equal(lf__object(CWMP_ADD_OBJECT, "Device.DeviceInfo.", "")->u.fault.code, 9005);
	assert_int_equal(lf__object(CWMP_DELETE_OBJECT, CELL, "")->u.fault.code, 9005);
	assert_int_equal(lf__object(CWMP_DELETE_OBJECT, CELL "16.", "")->u.fault.code, 9005);
	assert_int_equal(lf__object(CWMP_DELETE_OBJECT, "Device.Services.FAPService.1.", "")->u.fault.code, 9005);
	assert_int_equal(lf__object(CWMP_DELETE_OBJECT, "Device.FaultMgmt.SupportedAlarm.1.", "")->u.fault.code, 9005);
}

static const struct cwmp_msg *lf__spa(const char *name, int notification, const char *access)
{
	struct cwmp_msg req;
	const char *list[1] = {access};
	struct cwmp_set_attr sa = {
		.name = name,
		.notification_change = notification >= 0,
		.notification = notification,
		.access_list_change = access != NULL,
		.access_list = list,
		.n_access = access ? 1 : 0,
	};
	cwmp_msg_init(&req);
	req.method = CWMP_SET_PARAMETER_ATTRIBUTES;
	req.u.spa.attrs = &sa;
	req.u.spa.n = 1;
	return lf__call(&req);
}

static void test_attributes_are_set_or_refused_per_parameter(void **state)
{
	assert_int_equal(lf__spa("Device.DeviceInfo.UpTime", 2, NULL)->u.fault.code, 9009);      /* canDeny */
	assert_int_equal(lf__spa("Device.DeviceInfo.SoftwareVersion", 0, NULL)->u.fault.code, 9009); /* forced */
	assert_int_equal(lf__spa(MS "URL", 4, NULL)->u.fault.code, 9009);   /* lightweight */
	assert_int_equal(lf__spa(MS "URL", 1, "Everyone")->u.fault.code, 9003);
	assert_int_equal(lf__spa("Device.Nope", 1, NULL)->u.fault.code, 9005);
	assert_int_equal(lf__spa(MS "URL", 1, "Subscriber")->method, CWMP_SET_PARAMETER_ATTRIBUTES_RESPONSE);
	/* a partial path sets what each parameter accepts and skips what it refuses */
	assert_int_equal(lf__spa("Device.DeviceInfo.", 2, NULL)->method, CWMP_SET_PARAMETER_ATTRIBUTES_RESPONSE);
	struct cwmp_msg req;
	cwmp_msg_init(&req);
	const char *names[] = {MS "URL", "Device.DeviceInfo."};
	req.method = CWMP_GET_PARAMETER_ATTRIBUTES;
	req.u.names.names = names;
	req.u.names.n = 2;
	const struct cwmp_msg *r = lf__call(&req);
	assert_int_equal(r->u.gpa_response.attrs[0].notification, 1);
	assert_int_equal(r->u.gpa_response.attrs[0].n_access, 1);
	assert_string_equal(r->u.gpa_response.attrs[0].access_list[0], "Subscriber");
	for (size_t i = 1; i < r->u.gpa_response.n; i++) {
		const struct cwmp_param_attr *pa = &r->u.gpa_response.attrs[i];
		bool denied = strstr(pa->name, "UpTime") || strstr(pa->name, "SerialNumber") ||
			      strstr(pa->name, "ProductClass");
		assert_int_equal(pa->notification, denied ? 0 : 2);
	}
	/* attributes survive a restart */
	henb_agent_free(&lf__a);
	lf__start();
	struct henb_dm_ref ref;
	henb_dm_resolve(lf__a.dm, MS "URL", &ref);
	assert_int_equal(henb_dm_notification(lf__a.dm, &ref), 1);
}

static void test_control_rpcs(void **state)
{
	struct cwmp_msg req;
	cwmp_msg_init(&req);
	req.method = CWMP_GET_RPC_METHODS;
	const struct cwmp_msg *r = lf__call(&req);
	assert_int_equal(r->u.rpc_methods.n, 12);
	/* ScheduleInform: DelaySeconds 0 is invalid; at most HENB_MAX_SCHEDULED wait at once */
	req.method = CWMP_SCHEDULE_INFORM;
	req.u.schedule_inform.delay_seconds = 0;
	req.u.schedule_inform.command_key = "s";
	assert_int_equal(lf__call(&req)->u.fault.code, 9003);
	req.u.schedule_inform.delay_seconds = 100;
	for (int i = 0; i < HENB_MAX_SCHEDULED; i++)
		assert_int_equal(lf__call(&req)->method, CWMP_SCHEDULE_INFORM_RESPONSE);
	assert_int_equal(lf__call(&req)->u.fault.code, 9004);
	/* Download: file type, protocol, then accepted with Status 1 and kept across a restart */
	cwmp_msg_init(&req);
	req.method = CWMP_DOWNLOAD;
	req.u.download.command_key = "dl";
	req.u.download.file_type = "2 Web Content";
	req.u.download.url = "http://files/fw";
	assert_int_equal(lf__call(&req)->u.fault.code, 9003);
	req.u.download.file_type = "1 Firmware Upgrade Image";
	req.u.download.url = "ftp://files/fw";
	assert_int_equal(lf__call(&req)->u.fault.code, 9013);
	req.u.download.url = "https://files/fw";
	r = lf__call(&req);
	assert_int_equal(r->method, CWMP_DOWNLOAD_RESPONSE);
	assert_int_equal(r->u.download_response.status, 1);
	assert_int_equal(lf__call(&req)->u.fault.code, 9004); /* one at a time */
	/* Reboot: M Reboot and its key are persisted at once */
	cwmp_msg_init(&req);
	req.method = CWMP_REBOOT;
	req.u.reboot.command_key = "rb 7";
	assert_int_equal(lf__call(&req)->method, CWMP_REBOOT_RESPONSE);
	assert_true(lf__a.reboot_requested);
	henb_agent_free(&lf__a);
	lf__start();
	assert_true(lf__a.st.reboot_pending);
	assert_string_equal(lf__a.st.reboot_key, "rb 7");
	assert_true(lf__a.st.dl.used);
	/* FactoryReset waits for the end of the session */
	cwmp_msg_init(&req);
	req.method = CWMP_FACTORY_RESET;
	assert_int_equal(lf__call(&req)->method, CWMP_FACTORY_RESET_RESPONSE);
	assert_true(lf__a.factory_reset_requested);
}

static void test_what_is_not_a_cpe_method_gets_9000(void **state)
{
	struct cwmp_msg req;
	cwmp_msg_init(&req);
	req.method = CWMP_INFORM_RESPONSE;
	req.u.inform_response.max_envelopes = 1;
	const struct cwmp_msg *r = lf__call(&req);
	assert_int_equal(r->method, CWMP_FAULT);
	assert_int_equal(r->u.fault.code, 9000);
	cwmp_msg_init(&req);
	req.method = CWMP_TRANSFER_COMPLETE;
	assert_int_equal(lf__call(&req)->u.fault.code, 9000);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, lf__setup, lf__teardown)
	const struct CMUnitTest tests[] = {
		T(test_set_parameter_values_applies_all_or_nothing),
		T(test_a_password_reads_empty_and_the_acs_only_writes_requested),
		T(test_get_parameter_names_follows_next_level),
		T(test_objects_get_numbers_that_are_never_reused),
		T(test_attributes_are_set_or_refused_per_parameter),
		T(test_control_rpcs),
		T(test_what_is_not_a_cpe_method_gets_9000),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
