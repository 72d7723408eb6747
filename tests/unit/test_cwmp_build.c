/* test_cwmp_build.c: cwmp_build round-trips every method through cwmp_parse, escapes text, honours caps,
 * and writes envelopes that validate against cwmp-1-2.xsd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "cwmp/cwmp.h"

/* ---------------------------------------------------------------- sample messages */

/* Text that needs every kind of escaping, and multi-byte UTF-8, all legal in XML 1.0. */
#define NASTY "a<b>&c\"d'e ]]> \r\n\t x&amp; caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"

static struct cwmp_param_value sample_pv[] = {
	{ "Device.ManagementServer.PeriodicInformInterval", "60", "xsd:unsignedInt" },
	{ "Device.DeviceInfo.ProvisioningCode", NASTY, NULL },
	{ "Device.ManagementServer.ConnectionRequestURL", "http://192.0.2.1:7547/cr?a=1&b=2", "xsd:string" },
	{ "Device.DeviceInfo.X_LF_Empty", "", "xsd:string" },
};
static const char *sample_names[] = { "Device.DeviceInfo.", "Device.ManagementServer.URL", "A<&>B" };
static const char *sample_methods[] = { "GetRPCMethods", "Inform", "TransferComplete", "RequestDownload" };
static struct cwmp_param_info sample_info[] = {
	{ "Device.DeviceInfo.Manufacturer", false },
	{ "Device.ManagementServer.PeriodicInformEnable", true },
};
static const char *sample_access[] = { "Subscriber" };
static struct cwmp_set_attr sample_spa[] = {
	{ "Device.DeviceInfo.SoftwareVersion", true, 2, true, sample_access, 1 },
	{ "Device.FaultMgmt.", false, 0, true, NULL, 0 },
};
static struct cwmp_param_attr sample_gpa[] = {
	{ "Device.DeviceInfo.SoftwareVersion", 2, sample_access, 1 },
	{ "Device.ManagementServer.URL", 0, NULL, 0 },
	{ "Device.FaultMgmt.SupportedAlarmNumberOfEntries", 6, NULL, 0 },
};
static struct cwmp_event sample_events[] = {
	{ "0 BOOTSTRAP", "" },
	{ "1 BOOT", "" },
	{ "M Download", "fw-2026-11" },
	{ "X 000FB7 EMERGENCY", "" },
};
static struct cwmp_spv_fault sample_spvf[] = {
	{ "Device.ManagementServer.PeriodicInformInterval", 9007, "Invalid parameter value" },
	{ "Device.DeviceInfo.Manufacturer", 9008, NULL },
};
static struct cwmp_arg sample_args[] = {
	{ "Version", "2.1.0" },
	{ "Reason", NASTY },
};

/* fill: a message of method m using every field of its body. */
static void fill(struct cwmp_msg *m, enum cwmp_method method)
{
	m->method = method;
	switch (method) {
	case CWMP_FAULT:
		m->u.fault.code = 9003;
		m->u.fault.string = "Invalid arguments";
		m->u.fault.spv = sample_spvf;
		m->u.fault.n_spv = 2;
		break;
	case CWMP_GET_RPC_METHODS_RESPONSE:
		m->u.rpc_methods.methods = sample_methods;
		m->u.rpc_methods.n = 4;
		break;
	case CWMP_SET_PARAMETER_VALUES:
		m->u.spv.params = sample_pv;
		m->u.spv.n = 4;
		m->u.spv.parameter_key = "key&1";
		break;
	case CWMP_SET_PARAMETER_VALUES_RESPONSE:
		m->u.spv_response.status = 1;
		break;
	case CWMP_GET_PARAMETER_VALUES:
	case CWMP_GET_PARAMETER_ATTRIBUTES:
		m->u.names.names = sample_names;
		m->u.names.n = 3;
		break;
	case CWMP_GET_PARAMETER_VALUES_RESPONSE:
		m->u.gpv_response.params = sample_pv;
		m->u.gpv_response.n = 4;
		break;
	case CWMP_GET_PARAMETER_NAMES:
		m->u.gpn.path = "Device.FaultMgmt.";
		m->u.gpn.next_level = true;
		break;
	case CWMP_GET_PARAMETER_NAMES_RESPONSE:
		m->u.gpn_response.params = sample_info;
		m->u.gpn_response.n = 2;
		break;
	case CWMP_SET_PARAMETER_ATTRIBUTES:
		m->u.spa.attrs = sample_spa;
		m->u.spa.n = 2;
		break;
	case CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE:
		m->u.gpa_response.attrs = sample_gpa;
		m->u.gpa_response.n = 3;
		break;
	case CWMP_ADD_OBJECT:
	case CWMP_DELETE_OBJECT:
		m->u.object.object_name = "Device.FaultMgmt.ExpeditedEvent.";
		m->u.object.parameter_key = "pk-7";
		break;
	case CWMP_ADD_OBJECT_RESPONSE:
		m->u.add_object_response.instance_number = 4294967295u;
		m->u.add_object_response.status = 1;
		break;
	case CWMP_DELETE_OBJECT_RESPONSE:
		m->u.delete_object_response.status = 1;
		break;
	case CWMP_REBOOT:
		m->u.reboot.command_key = "reboot-1";
		break;
	case CWMP_DOWNLOAD:
		m->u.download.command_key = "fw-2026-11";
		m->u.download.file_type = "1 Firmware Upgrade Image";
		m->u.download.url = "https://hems.example/fw/henb-2.1.0.bin?x=1&y=2";
		m->u.download.username = "cpe";
		m->u.download.password = "p<a>ss&\"'";
		m->u.download.file_size = 123456789;
		m->u.download.target_file_name = "henb-2.1.0.bin";
		m->u.download.delay_seconds = 5;
		m->u.download.success_url = "https://hems.example/ok";
		m->u.download.failure_url = "";
		break;
	case CWMP_DOWNLOAD_RESPONSE:
		m->u.download_response.status = 1;
		m->u.download_response.start_time = "0001-01-01T00:00:00Z";
		m->u.download_response.complete_time = "2026-11-28T22:07:00Z";
		break;
	case CWMP_SCHEDULE_INFORM:
		m->u.schedule_inform.delay_seconds = 30;
		m->u.schedule_inform.command_key = "si";
		break;
	case CWMP_INFORM:
		m->u.inform.device_id.manufacturer = "Lifeline & Co <test>";
		m->u.inform.device_id.oui = "000FB7";
		m->u.inform.device_id.product_class = "HeNB";
		m->u.inform.device_id.serial_number = "SN-0001";
		m->u.inform.events = sample_events;
		m->u.inform.n_events = 4;
		m->u.inform.max_envelopes = 1;
		m->u.inform.current_time = "2026-11-28T22:07:00Z";
		m->u.inform.retry_count = 3;
		m->u.inform.params = sample_pv;
		m->u.inform.n_params = 4;
		break;
	case CWMP_INFORM_RESPONSE:
		m->u.inform_response.max_envelopes = 1;
		break;
	case CWMP_TRANSFER_COMPLETE:
		m->u.transfer_complete.command_key = "fw-2026-11";
		m->u.transfer_complete.fault_code = 9010;
		m->u.transfer_complete.fault_string = "File transfer failure";
		m->u.transfer_complete.start_time = "2026-11-28T22:07:00Z";
		m->u.transfer_complete.complete_time = "2026-11-28T22:08:30.5+01:00";
		break;
	case CWMP_REQUEST_DOWNLOAD:
		m->u.request_download.file_type = "3 Vendor Configuration File";
		m->u.request_download.args = sample_args;
		m->u.request_download.n = 2;
		break;
	default: /* methods without arguments */
		break;
	}
}

/* ---------------------------------------------------------------- field-by-field comparison */

/* A NULL string is built as an empty element and parsed back as "". */
static void eq(const char *want, const char *got)
{
	assert_non_null(got);
	assert_string_equal(want ? want : "", got);
}

static void eq_list(const char *const *want, size_t nwant, const char *const *got, size_t ngot)
{
	assert_int_equal(nwant, ngot);
	for (size_t i = 0; i < nwant; i++)
		eq(want[i], got[i]);
}

static void eq_pv(const struct cwmp_param_value *want, size_t nwant, const struct cwmp_param_value *got,
		  size_t ngot)
{
	assert_int_equal(nwant, ngot);
	for (size_t i = 0; i < nwant; i++) {
		eq(want[i].name, got[i].name);
		eq(want[i].value, got[i].value);
		eq(want[i].type ? want[i].type : "xsd:string", got[i].type);
	}
}

static void eq_body(const struct cwmp_msg *w, const struct cwmp_msg *g)
{
	switch (w->method) {
	case CWMP_FAULT:
		eq(w->u.fault.soap_faultcode ? w->u.fault.soap_faultcode : "Client", g->u.fault.soap_faultcode);
		assert_int_equal(w->u.fault.code, g->u.fault.code);
		eq(w->u.fault.string, g->u.fault.string);
		assert_int_equal(w->u.fault.n_spv, g->u.fault.n_spv);
		for (size_t i = 0; i < w->u.fault.n_spv; i++) {
			eq(w->u.fault.spv[i].name, g->u.fault.spv[i].name);
			assert_int_equal(w->u.fault.spv[i].code, g->u.fault.spv[i].code);
			eq(w->u.fault.spv[i].string ? w->u.fault.spv[i].string : cwmp_fault_text(w->u.fault.spv[i].code),
			   g->u.fault.spv[i].string);
		}
		break;
	case CWMP_GET_RPC_METHODS_RESPONSE:
		eq_list(w->u.rpc_methods.methods, w->u.rpc_methods.n, g->u.rpc_methods.methods, g->u.rpc_methods.n);
		break;
	case CWMP_SET_PARAMETER_VALUES:
		eq_pv(w->u.spv.params, w->u.spv.n, g->u.spv.params, g->u.spv.n);
		eq(w->u.spv.parameter_key, g->u.spv.parameter_key);
		break;
	case CWMP_SET_PARAMETER_VALUES_RESPONSE:
		assert_int_equal(w->u.spv_response.status, g->u.spv_response.status);
		break;
	case CWMP_GET_PARAMETER_VALUES:
	case CWMP_GET_PARAMETER_ATTRIBUTES:
		eq_list(w->u.names.names, w->u.names.n, g->u.names.names, g->u.names.n);
		break;
	case CWMP_GET_PARAMETER_VALUES_RESPONSE:
		eq_pv(w->u.gpv_response.params, w->u.gpv_response.n, g->u.gpv_response.params, g->u.gpv_response.n);
		break;
	case CWMP_GET_PARAMETER_NAMES:
		eq(w->u.gpn.path, g->u.gpn.path);
		assert_int_equal(w->u.gpn.next_level, g->u.gpn.next_level);
		break;
	case CWMP_GET_PARAMETER_NAMES_RESPONSE:
		assert_int_equal(w->u.gpn_response.n, g->u.gpn_response.n);
		for (size_t i = 0; i < w->u.gpn_response.n; i++) {
			eq(w->u.gpn_response.params[i].name, g->u.gpn_response.params[i].name);
			assert_int_equal(w->u.gpn_response.params[i].writable, g->u.gpn_response.params[i].writable);
		}
		break;
	case CWMP_SET_PARAMETER_ATTRIBUTES:
		assert_int_equal(w->u.spa.n, g->u.spa.n);
		for (size_t i = 0; i < w->u.spa.n; i++) {
			const struct cwmp_set_attr *a = &w->u.spa.attrs[i], *b = &g->u.spa.attrs[i];
			eq(a->name, b->name);
			assert_int_equal(a->notification_change, b->notification_change);
			assert_int_equal(a->notification, b->notification);
			assert_int_equal(a->access_list_change, b->access_list_change);
			eq_list(a->access_list, a->n_access, b->access_list, b->n_access);
		}
		break;
	case CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE:
		assert_int_equal(w->u.gpa_response.n, g->u.gpa_response.n);
		for (size_t i = 0; i < w->u.gpa_response.n; i++) {
			const struct cwmp_param_attr *a = &w->u.gpa_response.attrs[i], *b = &g->u.gpa_response.attrs[i];
			eq(a->name, b->name);
			assert_int_equal(a->notification, b->notification);
			eq_list(a->access_list, a->n_access, b->access_list, b->n_access);
		}
		break;
	case CWMP_ADD_OBJECT:
	case CWMP_DELETE_OBJECT:
		eq(w->u.object.object_name, g->u.object.object_name);
		eq(w->u.object.parameter_key, g->u.object.parameter_key);
		break;
	case CWMP_ADD_OBJECT_RESPONSE:
		assert_int_equal(w->u.add_object_response.instance_number, g->u.add_object_response.instance_number);
		assert_int_equal(w->u.add_object_response.status, g->u.add_object_response.status);
		break;
	case CWMP_DELETE_OBJECT_RESPONSE:
		assert_int_equal(w->u.delete_object_response.status, g->u.delete_object_response.status);
		break;
	case CWMP_REBOOT:
		eq(w->u.reboot.command_key, g->u.reboot.command_key);
		break;
	case CWMP_DOWNLOAD: {
		const struct cwmp_download *a = &w->u.download, *b = &g->u.download;
		eq(a->command_key, b->command_key);
		eq(a->file_type, b->file_type);
		eq(a->url, b->url);
		eq(a->username, b->username);
		eq(a->password, b->password);
		assert_int_equal(a->file_size, b->file_size);
		eq(a->target_file_name, b->target_file_name);
		assert_int_equal(a->delay_seconds, b->delay_seconds);
		eq(a->success_url, b->success_url);
		eq(a->failure_url, b->failure_url);
		break;
	}
	case CWMP_DOWNLOAD_RESPONSE:
		assert_int_equal(w->u.download_response.status, g->u.download_response.status);
		eq(w->u.download_response.start_time, g->u.download_response.start_time);
		eq(w->u.download_response.complete_time, g->u.download_response.complete_time);
		break;
	case CWMP_SCHEDULE_INFORM:
		assert_int_equal(w->u.schedule_inform.delay_seconds, g->u.schedule_inform.delay_seconds);
		eq(w->u.schedule_inform.command_key, g->u.schedule_inform.command_key);
		break;
	case CWMP_INFORM: {
		const struct cwmp_inform *a = &w->u.inform, *b = &g->u.inform;
		eq(a->device_id.manufacturer, b->device_id.manufacturer);
		eq(a->device_id.oui, b->device_id.oui);
		eq(a->device_id.product_class, b->device_id.product_class);
		eq(a->device_id.serial_number, b->device_id.serial_number);
		assert_int_equal(a->n_events, b->n_events);
		for (size_t i = 0; i < a->n_events; i++) {
			eq(a->events[i].code, b->events[i].code);
			eq(a->events[i].command_key, b->events[i].command_key);
		}
		assert_int_equal(a->max_envelopes, b->max_envelopes);
		eq(a->current_time, b->current_time);
		assert_int_equal(a->retry_count, b->retry_count);
		eq_pv(a->params, a->n_params, b->params, b->n_params);
		break;
	}
	case CWMP_INFORM_RESPONSE:
		assert_int_equal(w->u.inform_response.max_envelopes, g->u.inform_response.max_envelopes);
		break;
	case CWMP_TRANSFER_COMPLETE: {
		const struct cwmp_transfer_complete *a = &w->u.transfer_complete, *b = &g->u.transfer_complete;
		eq(a->command_key, b->command_key);
		assert_int_equal(a->fault_code, b->fault_code);
		eq(a->fault_string, b->fault_string);
		eq(a->start_time, b->start_time);
		eq(a->complete_time, b->complete_time);
		break;
	}
	case CWMP_REQUEST_DOWNLOAD:
		eq(w->u.request_download.file_type, g->u.request_download.file_type);
		assert_int_equal(w->u.request_download.n, g->u.request_download.n);
		for (size_t i = 0; i < w->u.request_download.n; i++) {
			eq(w->u.request_download.args[i].name, g->u.request_download.args[i].name);
			eq(w->u.request_download.args[i].value, g->u.request_download.args[i].value);
		}
		break;
	default:
		break;
	}
}

/* Build want, parse the text back, compare everything. */
static void roundtrip(const struct cwmp_msg *want)
{
	struct lf_buf b;
	struct cwmp_msg got;
	char err[256];

	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	cwmp_msg_init(&got);
	assert_int_equal(cwmp_build(want, &b), LF_OK);
	int result = cwmp_parse(&got, b.data, b.len, err, sizeof(err));
	if (result)
		print_error("parse failed: %s\n%s\n", err, b.data);
	assert_int_equal(result, LF_OK);
	assert_int_equal(got.method, want->method);
	assert_int_equal(got.version, want->version);
	if (want->id)
		eq(want->id, got.id);
	else
		assert_null(got.id);
	assert_int_equal(got.has_hold_requests, want->has_hold_requests);
	assert_int_equal(got.hold_requests, want->has_hold_requests && want->hold_requests);
	assert_int_equal(got.session_timeout, want->session_timeout);
	eq_body(want, &got);
	cwmp_msg_free(&got);
	lf_buf_free(&b);
}

/* state: the method, as an integer. Every version, with and without ID, HoldRequests and SessionTimeout. */
static void test_roundtrip_method(void **state)
{
	enum cwmp_method m = (enum cwmp_method)(intptr_t)*state;

	for (int v = CWMP_V1_0; v <= CWMP_V1_2; v++) {
		for (int variant = 0; variant < 4; variant++) {
			struct cwmp_msg msg;
			cwmp_msg_init(&msg);
			fill(&msg, m);
			msg.version = (enum cwmp_version)v;
			msg.id = variant == 0 ? NULL : variant == 1 ? "1031422463" : "ID <&\"'> \xc3\xa9";
			msg.has_hold_requests = variant >= 2;
			msg.hold_requests = variant == 3;
			msg.session_timeout = variant == 3 ? 120 : 0;
			roundtrip(&msg);
			cwmp_msg_free(&msg);
		}
	}
}

/* ---------------------------------------------------------------- escaping, errors, caps */

static void test_escaping_survives_roundtrip(void **state)
{
	static struct cwmp_param_value pv[] = {
		{ NASTY, NASTY, "xsd:string" },
		{ "tabs\tand\nnewlines", "  leading and trailing spaces  ", "weird \"type\" <&>\t\n\r" },
		{ "cr only", "\r", NULL },
	};
	struct cwmp_msg msg;
	cwmp_msg_init(&msg);
	msg.method = CWMP_GET_PARAMETER_VALUES_RESPONSE;
	msg.id = NASTY;
	msg.u.gpv_response.params = pv;
	msg.u.gpv_response.n = 3;
	roundtrip(&msg);

	/* The markup characters never appear raw inside the text. */
	struct lf_buf b;
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	assert_non_null(strstr(b.data, "a&lt;b&gt;&amp;c&quot;d&apos;e ]]&gt; &#13;\n\t x&amp;amp;"));
	assert_non_null(strstr(b.data, "xsi:type=\"weird &quot;type&quot; &lt;&amp;&gt;&#9;&#10;&#13;\""));
	lf_buf_free(&b);
	cwmp_msg_free(&msg);
}

static void test_text_xml_cannot_carry_is_refused(void **state)
{
	static const char *const bad[] = {
		"ctl\x01", "esc\x1b[0m", "\xff\xfe", "trunc\xc3", "overlong\xc0\xaf", "surrogate\xed\xa0\x80",
		"nonchar\xef\xbf\xbe", "big\xf4\x90\x80\x80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cwmp_param_value pv = { "Device.X", bad[i], NULL };
		struct cwmp_msg msg;
		struct lf_buf b;
		cwmp_msg_init(&msg);
		msg.method = CWMP_SET_PARAMETER_VALUES;
		msg.u.spv.params = &pv;
		msg.u.spv.n = 1;
		lf_buf_init(&b, CWMP_MAX_MESSAGE);
		assert_int_equal(lf_buf_puts(&b, "keep"), LF_OK);
		assert_int_equal(cwmp_build(&msg, &b), LF_EINVAL);
		/* Nothing half-written is left behind. */
		assert_int_equal(b.len, 4);
		assert_string_equal(b.data, "keep");
		lf_buf_free(&b);
	}
}

static void test_buffer_cap_gives_etoobig_and_keeps_buffer(void **state)
{
	struct cwmp_msg msg;
	struct lf_buf b;
	cwmp_msg_init(&msg);
	fill(&msg, CWMP_INFORM);

	lf_buf_init(&b, 200);
	assert_int_equal(cwmp_build(&msg, &b), LF_ETOOBIG);
	assert_int_equal(b.len, 0);
	lf_buf_free(&b);

	/* Exactly the size it needs fits. */
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	size_t need = b.len;
	lf_buf_free(&b);
	lf_buf_init(&b, need);
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	assert_int_equal(b.len, need);
	lf_buf_free(&b);
	lf_buf_init(&b, need - 1);
	assert_int_equal(cwmp_build(&msg, &b), LF_ETOOBIG);
	lf_buf_free(&b);
}

static void test_empty_and_unknown_methods_are_not_buildable(void **state)
{
	struct cwmp_msg msg;
	struct lf_buf b;
	cwmp_msg_init(&msg);
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	assert_int_equal(cwmp_build(&msg, &b), LF_EINVAL);
	msg.method = CWMP_METHOD_COUNT;
	assert_int_equal(cwmp_build(&msg, &b), LF_EINVAL);
	msg.method = CWMP_INFORM_RESPONSE;
	msg.version = (enum cwmp_version)7;
	assert_int_equal(cwmp_build(&msg, &b), LF_EINVAL);
	assert_int_equal(b.len, 0);
	lf_buf_free(&b);
}

static void test_envelope_shape(void **state)
{
	struct cwmp_msg msg;
	struct lf_buf b;
	cwmp_msg_init(&msg);
	fill(&msg, CWMP_GET_PARAMETER_VALUES);
	msg.version = CWMP_V1_1;
	msg.id = "42";
	msg.has_hold_requests = true;
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	assert_memory_equal(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<soap-env:Envelope ", 58);
	assert_non_null(strstr(b.data, "xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\""));
	assert_non_null(strstr(b.data, "xmlns:soap-enc=\"http://schemas.xmlsoap.org/soap/encoding/\""));
	assert_non_null(strstr(b.data, "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""));
	assert_non_null(strstr(b.data, "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""));
	assert_non_null(strstr(b.data, "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-1\""));
	assert_non_null(strstr(b.data, "<cwmp:ID soap-env:mustUnderstand=\"1\">42</cwmp:ID>"));
	assert_non_null(strstr(b.data, "<cwmp:HoldRequests soap-env:mustUnderstand=\"1\">false</cwmp:HoldRequests>"));
	assert_non_null(strstr(b.data, "<ParameterNames soap-enc:arrayType=\"xsd:string[3]\">"));
	assert_non_null(strstr(b.data, "<cwmp:GetParameterValues>"));
	lf_buf_free(&b);

	/* No header at all when there is nothing to put in it; empty methods are empty elements. */
	cwmp_msg_init(&msg);
	msg.method = CWMP_TRANSFER_COMPLETE_RESPONSE;
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	assert_null(strstr(b.data, "Header"));
	assert_non_null(strstr(b.data, "<cwmp:TransferCompleteResponse></cwmp:TransferCompleteResponse>"));
	lf_buf_free(&b);

	/* Fault: soap-env:Fault, faultcode by code class, "CWMP fault", the standard text when none given. */
	cwmp_msg_init(&msg);
	msg.method = CWMP_FAULT;
	msg.u.fault.code = CWMP_FAULT_INTERNAL_ERROR;
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	assert_non_null(strstr(b.data, "<soap-env:Fault>\n<faultcode>Server</faultcode>\n"
				       "<faultstring>CWMP fault</faultstring>\n<detail>\n<cwmp:Fault>\n"
				       "<FaultCode>9002</FaultCode>\n<FaultString>Internal error</FaultString>\n"));
	lf_buf_reset(&b);
	msg.u.fault.code = CWMP_FAULT_INVALID_PARAMETER_NAME;
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	assert_non_null(strstr(b.data, "<faultcode>Client</faultcode>"));
	lf_buf_reset(&b);
	msg.u.fault.code = CWMP_FAULT_ACS_INVALID_ARGUMENTS;
	assert_int_equal(cwmp_build(&msg, &b), LF_OK);
	assert_non_null(strstr(b.data, "<faultcode>Client</faultcode>"));
	lf_buf_free(&b);
}

static void test_method_tables(void **state)
{
	for (int m = CWMP_EMPTY + 1; m < CWMP_METHOD_COUNT; m++) {
		const char *name = cwmp_method_name((enum cwmp_method)m);
		assert_int_equal(cwmp_method_from_name(name), m);
	}
	assert_string_equal(cwmp_method_name(CWMP_INFORM), "Inform");
	assert_string_equal(cwmp_method_name(CWMP_GET_RPC_METHODS_RESPONSE), "GetRPCMethodsResponse");
	assert_string_equal(cwmp_method_name(CWMP_FAULT), "Fault");
	assert_int_equal(cwmp_method_from_name("Upload"), -1);
	assert_int_equal(cwmp_method_from_name(""), -1);
	assert_int_equal(cwmp_method_from_name(cwmp_method_name(CWMP_EMPTY)), -1);
	assert_int_equal(cwmp_method_from_name(NULL), -1);
	assert_string_equal(cwmp_method_name(CWMP_METHOD_COUNT), "(unknown)");

	assert_int_equal(cwmp_method_response(CWMP_INFORM), CWMP_INFORM_RESPONSE);
	assert_int_equal(cwmp_method_response(CWMP_TRANSFER_COMPLETE), CWMP_TRANSFER_COMPLETE_RESPONSE);
	assert_int_equal(cwmp_method_response(CWMP_GET_RPC_METHODS), CWMP_GET_RPC_METHODS_RESPONSE);
	assert_int_equal(cwmp_method_response(CWMP_INFORM_RESPONSE), -1);
	assert_int_equal(cwmp_method_response(CWMP_FAULT), -1);
	assert_int_equal(cwmp_method_response(CWMP_EMPTY), -1);
	/* Every "<X>" request answers "<X>Response". */
	for (int m = CWMP_EMPTY + 1; m < CWMP_METHOD_COUNT; m++) {
		int r = cwmp_method_response((enum cwmp_method)m);
		if (r < 0)
			continue;
		char want[128];
		snprintf(want, sizeof(want), "%sResponse", cwmp_method_name((enum cwmp_method)m));
		assert_string_equal(cwmp_method_name((enum cwmp_method)r), want);
	}

	assert_string_equal(cwmp_ns_uri(CWMP_V1_0), "urn:dslforum-org:cwmp-1-0");
	assert_string_equal(cwmp_ns_uri(CWMP_V1_1), "urn:dslforum-org:cwmp-1-1");
	assert_string_equal(cwmp_ns_uri(CWMP_V1_2), "urn:dslforum-org:cwmp-1-2");
}

static void test_fault_texts(void **state)
{
	for (uint32_t c = 8000; c <= 8006; c++)
		assert_string_not_equal(cwmp_fault_text(c), "Unknown fault");
	for (uint32_t c = 9000; c <= 9032; c++)
		assert_string_not_equal(cwmp_fault_text(c), "Unknown fault");
	assert_string_equal(cwmp_fault_text(8000), "Method not supported");
	assert_string_equal(cwmp_fault_text(8005), "Retry request");
	assert_string_equal(cwmp_fault_text(8006), "ACS version incompatible with CPE");
	assert_string_equal(cwmp_fault_text(9003), "Invalid arguments");
	assert_string_equal(cwmp_fault_text(9008), "Attempt to set a non-writable parameter");
	assert_string_equal(cwmp_fault_text(9010), "File transfer failure");
	assert_string_equal(cwmp_fault_text(9019), "File transfer failure: file authentication failure");
	assert_string_equal(cwmp_fault_text(9032), "Invalid Deployment Unit Update - Version already exists");
	assert_string_equal(cwmp_fault_text(0), "Unknown fault");
	assert_string_equal(cwmp_fault_text(8007), "Unknown fault");
	assert_string_equal(cwmp_fault_text(9033), "Unknown fault");
	assert_string_equal(cwmp_fault_text(9800), "Unknown fault");
}

/* ---------------------------------------------------------------- schema validation with xmllint */

/* cwmp-1-2.xsd imports the SOAP envelope and encoding schemas by their http:// addresses. With no network
 * we point those addresses (XML catalog) at small stand-ins in tests/data/cwmp and validate whole envelopes
 * through a driver schema: the Body's children are validated laxly, i.e. against cwmp-1-2.xsd. */
struct schema_env {
	char dir[64];
	char driver[128];
	char catalog[128];
};

static const char *src_dir(void)
{
	const char *s = getenv("LF_SRC");
	return s && *s ? s : ".";
}

static const char *ref_dir(char *out, size_t outlen)
{
	const char *r = getenv("LF_REF");
	if (r && *r)
		snprintf(out, outlen, "%s", r);
	else
		snprintf(out, outlen, "%s/../shared/reference", src_dir());
	return out;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static int schema_setup(void **state)
{
	static struct schema_env env;
	char ref[1024], text[4096];
	const char *src = src_dir();

	if (system("command -v xmllint >/dev/null 2>&1") != 0) {
		*state = NULL;
		return 0;
	}
	snprintf(env.dir, sizeof(env.dir), "/tmp/lf_cwmp_xsd.XXXXXX");
	if (!mkdtemp(env.dir))
		return -1;
	snprintf(env.catalog, sizeof(env.catalog), "%s/catalog.xml", env.dir);
	int n = snprintf(text, sizeof(text),
			 "<?xml version=\"1.0\"?>\n"
			 "<catalog xmlns=\"urn:oasis:names:tc:entity:xmlns:xml:catalog\">\n"
			 "<uri name=\"http://schemas.xmlsoap.org/soap/envelope/\" uri=\"file://%s/tests/data/cwmp/soap-envelope.xsd\"/>\n"
			 "<uri name=\"http://schemas.xmlsoap.org/soap/encoding/\" uri=\"file://%s/tests/data/cwmp/soap-encoding.xsd\"/>\n"
			 "</catalog>\n",
			 src, src);
	write_file(env.catalog, text, (size_t)n);
	snprintf(env.driver, sizeof(env.driver), "%s/driver.xsd", env.dir);
	n = snprintf(text, sizeof(text),
		     "<?xml version=\"1.0\"?>\n"
		     "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n"
		     "<xs:import namespace=\"http://schemas.xmlsoap.org/soap/envelope/\" "
		     "schemaLocation=\"http://schemas.xmlsoap.org/soap/envelope/\"/>\n"
		     "<xs:import namespace=\"urn:dslforum-org:cwmp-1-2\" schemaLocation=\"%s/bbf/cwmp-1-2.xsd\"/>\n"
		     "</xs:schema>\n",
		     ref_dir(ref, sizeof(ref)));
	write_file(env.driver, text, (size_t)n);
	*state = &env;
	return 0;
}

static int schema_teardown(void **state)
{
	struct schema_env *env = *state;
	char path[256];
	if (!env)
		return 0;
	snprintf(path, sizeof(path), "%s/catalog.xml", env->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/driver.xsd", env->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/msg.xml", env->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/xmllint.log", env->dir);
	unlink(path);
	rmdir(env->dir);
	return 0;
}

/* xmllint's exit status for text against the driver schema; its complaints are printed on failure. */
static int xmllint_validate(const struct schema_env *env, const char *text, size_t len)
{
	char path[256], log[256], cmd[1024];
	snprintf(path, sizeof(path), "%s/msg.xml", env->dir);
	snprintf(log, sizeof(log), "%s/xmllint.log", env->dir);
	write_file(path, text, len);
	snprintf(cmd, sizeof(cmd), "XML_CATALOG_FILES='%s' xmllint --nonet --noout --schema '%s' '%s' >'%s' 2>&1",
		 env->catalog, env->driver, path, log);
	int status = system(cmd);
	if (status != 0) {
		struct lf_buf b;
		lf_buf_init(&b, 1 << 16);
		if (lf_file_read(log, &b) == LF_OK && b.data)
			print_error("%s", b.data);
		lf_buf_free(&b);
	}
	return status;
}

static void test_every_method_validates_against_cwmp_1_2_xsd(void **state)
{
	const struct schema_env *env = *state;
	if (!env)
		skip();

	/* The schema check is only worth something if a broken message fails it. */
	static const char broken[] =
		"<soap-env:Envelope xmlns:soap-env=\"http://schemas.xmlsoap.org/soap/envelope/\" "
		"xmlns:cwmp=\"urn:dslforum-org:cwmp-1-2\"><soap-env:Body><cwmp:InformResponse>"
		"<MaxEnvelopes>one</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>";
	assert_int_not_equal(xmllint_validate(env, broken, sizeof(broken) - 1), 0);

	for (int m = CWMP_EMPTY + 1; m < CWMP_METHOD_COUNT; m++) {
		struct cwmp_msg msg;
		struct lf_buf b;
		cwmp_msg_init(&msg);
		fill(&msg, (enum cwmp_method)m);
		msg.version = CWMP_V1_2;
		msg.id = "CPE_1002";
		msg.has_hold_requests = true;
		lf_buf_init(&b, CWMP_MAX_MESSAGE);
		assert_int_equal(cwmp_build(&msg, &b), LF_OK);
		int status = xmllint_validate(env, b.data, b.len);
		if (status != 0)
			print_error("%s does not validate:\n%s\n", cwmp_method_name((enum cwmp_method)m), b.data);
		assert_int_equal(status, 0);
		lf_buf_free(&b);
	}
}

int main(void)
{
	struct CMUnitTest roundtrips[CWMP_METHOD_COUNT];
	size_t n = 0;

	for (int m = CWMP_EMPTY + 1; m < CWMP_METHOD_COUNT; m++) {
		struct CMUnitTest t = { cwmp_method_name((enum cwmp_method)m), test_roundtrip_method, NULL, NULL,
					(void *)(intptr_t)m };
		roundtrips[n++] = t;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping_survives_roundtrip),
		cmocka_unit_test(test_text_xml_cannot_carry_is_refused),
		cmocka_unit_test(test_buffer_cap_gives_etoobig_and_keeps_buffer),
		cmocka_unit_test(test_empty_and_unknown_methods_are_not_buildable),
		cmocka_unit_test(test_envelope_shape),
		cmocka_unit_test(test_method_tables),
		cmocka_unit_test(test_fault_texts),
	};
	const struct CMUnitTest schema_tests[] = {
		cmocka_unit_test(test_every_method_validates_against_cwmp_1_2_xsd),
	};
	int failed = _cmocka_run_group_tests("cwmp_build_roundtrip_every_method", roundtrips, n, NULL, NULL);
	failed += cmocka_run_group_tests_name("cwmp_build", tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("cwmp_build_schema", schema_tests, schema_setup, schema_teardown);
	return failed;
}
