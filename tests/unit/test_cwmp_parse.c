/* test_cwmp_parse.c: cwmp_parse takes every captured real-device message with the right field values, and
 * refuses hostile or broken input (DTDs, entities, over-limit sizes, bad numbers, non-SOAP) saying why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "cwmp/cwmp.h"

/* ---------------------------------------------------------------- helpers */

static char ref_path[1024];

/* The shared reference folder: $LF_REF (ctest sets it), else $LF_SRC/../shared/reference. */
static const char *ref_dir(void)
{
	const char *r = getenv("LF_REF");
	const char *s = getenv("LF_SRC");
	if (r && *r)
		snprintf(ref_path, sizeof(ref_path), "%s", r);
	else
		snprintf(ref_path, sizeof(ref_path), "%s/../shared/reference", s && *s ? s : ".");
	return ref_path;
}

static void load(struct lf_buf *b, const char *dir, const char *name)
{
	char path[2048];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	lf_buf_init(b, 1 << 20);
	int result = lf_file_read(path, b);
	if (result)
		print_error("cannot read %s: %s\n", path, lf_strerror(result));
	assert_int_equal(result, LF_OK);
}

static void load_capture(struct lf_buf *b, const char *name)
{
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s/captures", ref_dir());
	load(b, dir, name);
}

/* Parse a capture and expect success. */
static void parse_capture(struct cwmp_msg *m, const char *name)
{
	struct lf_buf b;
	char err[256] = "";
	load_capture(&b, name);
	cwmp_msg_init(m);
	int result = cwmp_parse(m, b.data, b.len, err, sizeof(err));
	if (result)
		print_error("%s: %s\n", name, err);
	assert_int_equal(result, LF_OK);
	lf_buf_free(&b);
}

static int parse_str(struct cwmp_msg *m, const char *xml, char *err, size_t errlen)
{
	cwmp_msg_init(m);
	return cwmp_parse(m, xml, strlen(xml), err, errlen);
}

/* Expect parse of xml to fail with code and an error message containing every one of the words. */
static void expect_error(const char *xml, size_t len, int code, const char *w1, const char *w2)
{
	struct cwmp_msg m;
	char err[256] = "";
	cwmp_msg_init(&m);
	int result = cwmp_parse(&m, xml, len, err, sizeof(err));
	if (result != code || (w1 && !strstr(err, w1)) || (w2 && !strstr(err, w2)))
		print_error("got %d (%s), wanted %d with '%s' '%s'\n", result, err, code, w1 ? w1 : "",
			    w2 ? w2 : "");
	assert_int_equal(result, code);
	if (w1)
		assert_non_null(strstr(err, w1));
	if (w2)
		assert_non_null(strstr(err, w2));
	assert_int_equal(m.method, CWMP_EMPTY);
	cwmp_msg_free(&m);
}

#define EXPECT_ERROR(xml, code, w1, w2) expect_error(xml, strlen(xml), code, w1, w2)

#define ENV_OPEN                                                                                                 \
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "                         \
	"xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "     \
	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n"                                                      \
	"<soapenv:Header><cwmp:ID soapenv:mustUnderstand=\"1\">42</cwmp:ID></soapenv:Header>\n<soapenv:Body>\n"
#define ENV_CLOSE "\n</soapenv:Body>\n</soapenv:Envelope>\n"
#define ENV(body) ENV_OPEN body ENV_CLOSE

/* Append an envelope whose body is head, then `count` copies of item, then tail. */
static void repeat_env(struct lf_buf *b, const char *head, const char *item, size_t count, const char *tail)
{
	lf_buf_init(b, 4 * CWMP_MAX_MESSAGE);
	assert_int_equal(lf_buf_puts(b, ENV_OPEN), LF_OK);
	assert_int_equal(lf_buf_puts(b, head), LF_OK);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(lf_buf_puts(b, item), LF_OK);
	assert_int_equal(lf_buf_puts(b, tail), LF_OK);
	assert_int_equal(lf_buf_puts(b, ENV_CLOSE), LF_OK);
}

static const struct cwmp_param_value *find_param(const struct cwmp_param_value *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	}
	fail_msg("parameter %s not found", name);
	return NULL;
}

/* ---------------------------------------------------------------- real captures */

static void test_every_capture_parses(void **state)
{
	char dir[1100];
	snprintf(dir, sizeof(dir), "%s/captures", ref_dir());
	DIR *d = opendir(dir);
	if (!d) {
		fail_msg("cannot open %s (set LF_REF)", dir);
		return;
	}
	unsigned count = 0;
	for (struct dirent *e = readdir(d); e; e = readdir(d)) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 4, ".xml") != 0)
			continue;
		struct cwmp_msg m;
		parse_capture(&m, e->d_name);
		assert_int_not_equal(m.method, CWMP_EMPTY);
		assert_non_null(m.id);
		cwmp_msg_free(&m);
		count++;
	}
	closedir(d);
	assert_true(count >= 9);
}

static void test_capture_cavium_inform(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "inform-cavium-enb.xml");
	const struct cwmp_inform *in = &m.u.inform;
	assert_int_equal(m.method, CWMP_INFORM);
	assert_int_equal(m.version, CWMP_V1_0);
	assert_string_equal(m.id, "CPE_1002");
	assert_false(m.has_hold_requests);
	assert_string_equal(in->device_id.manufacturer, "Cavium, Inc.");
	assert_string_equal(in->device_id.oui, "000FB7");
	assert_string_equal(in->device_id.product_class, "Cavium eNB");
	assert_string_equal(in->device_id.serial_number, "10.18.104.79");
	assert_int_equal(in->n_events, 1);
	assert_string_equal(in->events[0].code, "0 BOOTSTRAP");
	assert_string_equal(in->events[0].command_key, "");
	assert_int_equal(in->max_envelopes, 1);
	assert_string_equal(in->current_time, "1970-01-02T00:01:05.021239+00:00");
	assert_int_equal(in->retry_count, 2);
	assert_int_equal(in->n_params, 15);
	assert_string_equal(in->params[0].name, "Device.DeviceInfo.HardwareVersion");
	assert_string_equal(in->params[0].value, "1.0");
	assert_string_equal(in->params[0].type, "xsd:string");
	const struct cwmp_param_value *p =
		find_param(in->params, in->n_params, "Device.ManagementServer.ConnectionRequestURL");
	assert_string_equal(p->value, "http://192.88.99.253:8084/bucrhzjd");
	p = find_param(in->params, in->n_params, "Device.ManagementServer.ParameterKey");
	assert_string_equal(p->value, "");
	p = find_param(in->params, in->n_params, "Device.ManagementServer.NATDetected");
	assert_string_equal(p->type, "xsd:boolean");
	assert_string_equal(p->value, "0");
	assert_string_equal(in->params[14].name, "Device.IP.Diagnostics.UDPEchoConfig.TimeLastPacketReceived");
	assert_string_equal(in->params[14].type, "xsd:dateTime");
	assert_string_equal(in->params[14].value, "1969-12-31T16:00:00.000000+00:00");
	cwmp_msg_free(&m);
}

static void test_capture_thomson_inform(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "inform-thomson-speedtouch780.xml");
	const struct cwmp_inform *in = &m.u.inform;
	assert_int_equal(m.method, CWMP_INFORM);
	assert_string_equal(m.id, "0_THOM_TR69_ID");
	assert_string_equal(in->device_id.manufacturer, "THOMSON");
	assert_string_equal(in->device_id.oui, "00147F");
	assert_string_equal(in->device_id.product_class, "SpeedTouch 780");
	assert_string_equal(in->device_id.serial_number, "CP0611JTLNW");
	assert_int_equal(in->n_events, 4);
	assert_string_equal(in->events[0].code, "0 BOOTSTRAP");
	assert_string_equal(in->events[1].code, "1 BOOT");
	assert_string_equal(in->events[2].code, "2 PERIODIC");
	assert_string_equal(in->events[3].code, "4 VALUE CHANGE");
	assert_int_equal(in->max_envelopes, 2);
	assert_string_equal(in->current_time, "1970-01-01T00:01:09Z");
	assert_int_equal(in->retry_count, 5); /* sent as "05" */
	assert_int_equal(in->n_params, 12);
	/* String values are verbatim, leading newline and indentation included. */
	assert_string_equal(in->params[0].name, "InternetGatewayDevice.DeviceSummary");
	assert_int_equal(in->params[0].value[0], '\n');
	assert_non_null(strstr(in->params[0].value, "InternetGatewayDevice:1.1[] (Baseline:1, EthernetLAN:1"));
	const struct cwmp_param_value *p = find_param(in->params, in->n_params,
						      "InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date");
	assert_string_equal(p->type, "xsd:dateTime");
	assert_string_equal(p->value, "0001-01-01T00:00:00");
	p = find_param(in->params, in->n_params,
		       "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress");
	assert_string_equal(p->value, "10.127.129.205");
	cwmp_msg_free(&m);
}

static void test_capture_thomson_b_trusts_elements_not_arraytype(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "inform-thomson-speedtouch780-b.xml");
	/* arrayType says [12] but one struct is sent: the elements count. */
	assert_int_equal(m.u.inform.n_params, 1);
	assert_non_null(strstr(m.u.inform.params[0].value, "\\xff\\xff"));
	assert_int_equal(m.u.inform.n_events, 4);
	cwmp_msg_free(&m);
}

static void test_capture_zte_odd_inform(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "inform-zte-ebg2100-odd.xml");
	const struct cwmp_inform *in = &m.u.inform;
	assert_int_equal(m.method, CWMP_INFORM);
	assert_string_equal(m.id, "1");
	assert_string_equal(in->device_id.manufacturer, "ZTE");
	assert_string_equal(in->device_id.oui, "00AA11");
	assert_string_equal(in->device_id.product_class, "ZXECS EBG2100");
	assert_string_equal(in->device_id.serial_number, "0410400AA11AA2255");
	assert_int_equal(in->n_events, 1);
	assert_string_equal(in->events[0].code, "1 BOOT");
	assert_int_equal(in->max_envelopes, 1);
	assert_string_equal(in->current_time, "2009-05-14T14:05:00");
	assert_int_equal(in->retry_count, 0);
	assert_int_equal(in->n_params, 13);
	/* The 1999 XML Schema instance namespace, and its odd types, kept verbatim. */
	assert_string_equal(in->params[0].type, "xsd:string(1024)");
	const struct cwmp_param_value *p =
		find_param(in->params, in->n_params, "InternetGatewayDevice.DeviceInfo.HardwareVersion");
	assert_string_equal(p->type, "xsd:string(64)");
	assert_string_equal(p->value, "2.2.0");
	p = find_param(in->params, in->n_params, "InternetGatewayDevice.ManagementServer.URL");
	assert_string_equal(p->value, "http://192.168.0.69:8000/otnms/acs/webservice.action");
	assert_string_equal(in->params[12].name, "InternetGatewayDevice.ManagementServer.URL");
	cwmp_msg_free(&m);
}

static void test_capture_fault(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "fault.xml");
	const struct cwmp_fault *f = &m.u.fault;
	assert_int_equal(m.method, CWMP_FAULT);
	assert_int_equal(m.version, CWMP_V1_0);
	assert_string_equal(m.id, "1031422463");
	assert_string_equal(f->soap_faultcode, "Client");
	assert_int_equal(f->code, 9003);
	assert_string_equal(f->string, "Invalid arguments");
	assert_int_equal(f->n_spv, 2);
	assert_string_equal(f->spv[0].name,
			    "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.3.WANPPPConnection.1.Password");
	assert_int_equal(f->spv[0].code, 9003);
	assert_string_equal(f->spv[0].string, "Invalid arguments");
	assert_string_equal(f->spv[1].name,
			    "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.3.WANPPPConnection.1.Username");
	assert_int_equal(f->spv[1].code, 9003);
	cwmp_msg_free(&m);
}

static void test_capture_transfer_complete(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "transfercomplete.xml");
	assert_int_equal(m.method, CWMP_TRANSFER_COMPLETE);
	assert_string_equal(m.id, "1234");
	assert_string_equal(m.u.transfer_complete.command_key, "Downloading stuff");
	assert_int_equal(m.u.transfer_complete.fault_code, 0);
	assert_string_equal(m.u.transfer_complete.fault_string, "");
	assert_string_equal(m.u.transfer_complete.start_time, "2016-11-30T10:16:29Z");
	assert_string_equal(m.u.transfer_complete.complete_time, "2016-11-30T10:17:05Z");
	cwmp_msg_free(&m);
}

static void test_capture_transfer_complete_response(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "transfercompleteresponse.xml");
	assert_int_equal(m.method, CWMP_TRANSFER_COMPLETE_RESPONSE);
	assert_string_equal(m.id, "1234");
	cwmp_msg_free(&m);
}

static void test_capture_set_parameter_values(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "setparametervalues.xml");
	assert_int_equal(m.method, CWMP_SET_PARAMETER_VALUES);
	assert_string_equal(m.id, "null");
	assert_int_equal(m.u.spv.n, 4);
	assert_string_equal(m.u.spv.parameter_key, "SetParameter1");
	assert_string_equal(m.u.spv.params[0].name, "InternetGatewayDevice.ManagementServer.PeriodicInformEnable");
	assert_string_equal(m.u.spv.params[0].value, "1");
	assert_string_equal(m.u.spv.params[0].type, "xsd:boolean");
	assert_string_equal(m.u.spv.params[1].value, "00147F-SpeedTouch780-CP0611JTLNW");
	assert_string_equal(m.u.spv.params[2].value, "98ff55fb377bf724c625f60dec448646");
	assert_string_equal(m.u.spv.params[3].name, "InternetGatewayDevice.ManagementServer.PeriodicInformInterval");
	assert_string_equal(m.u.spv.params[3].value, "60");
	assert_string_equal(m.u.spv.params[3].type, "xsd:unsignedInt");
	cwmp_msg_free(&m);
}

static void test_capture_get_parameter_values(void **state)
{
	struct cwmp_msg m;
	parse_capture(&m, "getparametervalues.xml");
	assert_int_equal(m.method, CWMP_GET_PARAMETER_VALUES);
	assert_int_equal(m.u.names.n, 1);
	assert_string_equal(m.u.names.names[0], "foo");
	cwmp_msg_free(&m);
}

/* ---------------------------------------------------------------- tolerance */

static void test_tolerant_variants(void **state)
{
	struct cwmp_msg m;
	char err[256];
	struct lf_buf b;

	/* cwmp-1-2, other prefixes, headers, qualified children, vendor extras, entity-split text, CDATA. */
	load(&b, getenv("LF_SRC") ? getenv("LF_SRC") : ".", "tests/data/cwmp/inform-tolerant.xml");
	cwmp_msg_init(&m);
	int result = cwmp_parse(&m, b.data, b.len, err, sizeof(err));
	if (result)
		print_error("%s\n", err);
	assert_int_equal(result, LF_OK);
	lf_buf_free(&b);
	assert_int_equal(m.method, CWMP_INFORM);
	assert_int_equal(m.version, CWMP_V1_2);
	assert_string_equal(m.id, "abc&<def>");
	assert_true(m.has_hold_requests);
	assert_true(m.hold_requests);
	assert_int_equal(m.session_timeout, 60);
	assert_string_equal(m.u.inform.device_id.manufacturer, "Acme & Sons");
	assert_string_equal(m.u.inform.device_id.oui, "00AB1F"); /* sent lower-case */
	assert_string_equal(m.u.inform.device_id.product_class, "");
	assert_int_equal(m.u.inform.n_events, 2);
	assert_string_equal(m.u.inform.events[1].code, "M Download");
	assert_string_equal(m.u.inform.events[1].command_key, "k1");
	assert_int_equal(m.u.inform.max_envelopes, 1);
	assert_int_equal(m.u.inform.retry_count, 7);
	assert_int_equal(m.u.inform.n_params, 3);
	assert_string_equal(m.u.inform.params[0].value, "a<b>&c \xc3\xa9 <cdata & stuff>");
	assert_null(m.u.inform.params[1].type);
	assert_string_equal(m.u.inform.params[1].value, "");
	assert_string_equal(m.u.inform.params[2].type, "xs:unsignedInt");
	assert_string_equal(m.u.inform.params[2].value, "5");
	cwmp_msg_free(&m);

	/* Empty body: no method, ID kept. */
	assert_int_equal(parse_str(&m, ENV(""), err, sizeof(err)), LF_OK);
	assert_int_equal(m.method, CWMP_EMPTY);
	assert_string_equal(m.id, "42");
	cwmp_msg_free(&m);

	/* Booleans: 0, 1, true, false, with surrounding whitespace. */
	assert_int_equal(parse_str(&m, ENV("<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath>"
					   "<NextLevel> true </NextLevel></cwmp:GetParameterNames>"),
				   err, sizeof(err)),
			 LF_OK);
	assert_int_equal(m.method, CWMP_GET_PARAMETER_NAMES);
	assert_true(m.u.gpn.next_level);
	assert_string_equal(m.u.gpn.path, "Device.");
	cwmp_msg_free(&m);
	assert_int_equal(parse_str(&m, ENV("<cwmp:GetParameterNames><NextLevel>0</NextLevel></cwmp:GetParameterNames>"),
				   err, sizeof(err)),
			 LF_OK);
	assert_false(m.u.gpn.next_level);
	assert_string_equal(m.u.gpn.path, ""); /* absent strings read as "" */
	cwmp_msg_free(&m);

	/* A declared Latin-1 encoding is converted to UTF-8. */
	static const char latin1[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" ENV(
		"<cwmp:Reboot><CommandKey>caf\xe9</CommandKey></cwmp:Reboot>");
	assert_int_equal(parse_str(&m, latin1, err, sizeof(err)), LF_OK);
	assert_string_equal(m.u.reboot.command_key, "caf\xc3\xa9");
	cwmp_msg_free(&m);

	/* Exactly at the limits is fine: 1024 list entries, the last a 256-byte name. */
	char name[CWMP_MAX_NAME + 1];
	memset(name, 'N', CWMP_MAX_NAME);
	name[CWMP_MAX_NAME] = '\0';
	lf_buf_init(&b, 4 * CWMP_MAX_MESSAGE);
	lf_buf_puts(&b, ENV_OPEN "<cwmp:GetParameterValues><ParameterNames>");
	for (int i = 0; i < CWMP_MAX_LIST - 1; i++)
		lf_buf_puts(&b, "<string>x</string>");
	lf_buf_printf(&b, "<string>%s</string></ParameterNames></cwmp:GetParameterValues>" ENV_CLOSE, name);
	assert_int_equal(cwmp_parse(&m, b.data, b.len, err, sizeof(err)), LF_OK);
	assert_int_equal(m.u.names.n, CWMP_MAX_LIST);
	assert_string_equal(m.u.names.names[CWMP_MAX_LIST - 1], name);
	cwmp_msg_free(&m);
	lf_buf_free(&b);
}

/* ---------------------------------------------------------------- refusals */

static void test_dtd_refused(void **state)
{
	EXPECT_ERROR("<?xml version=\"1.0\"?>\n<!DOCTYPE soapenv:Envelope>\n" ENV(""), LF_EPARSE, "DTD not allowed",
		     "line 2");
	EXPECT_ERROR("<!DOCTYPE x SYSTEM \"http://192.0.2.1/evil.dtd\">" ENV(""), LF_EPARSE, "DTD not allowed", NULL);
}

static void test_entity_declaration_refused_billion_laughs(void **state)
{
	static const char lol[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		"]>\n" ENV("<cwmp:Reboot><CommandKey>&lol9;</CommandKey></cwmp:Reboot>");
	EXPECT_ERROR(lol, LF_EPARSE, "DTD not allowed", "lolz");
}

static void test_external_entity_refused(void **state)
{
	EXPECT_ERROR("<?xml version=\"1.0\"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n" ENV(
			     "<cwmp:Reboot><CommandKey>&xxe;</CommandKey></cwmp:Reboot>"),
		     LF_EPARSE, "DTD not allowed", NULL);
	EXPECT_ERROR("<?xml version=\"1.0\"?>\n<!DOCTYPE foo [ <!ENTITY % pe SYSTEM \"http://192.0.2.1/x\"> %pe; ]>\n" ENV(
			     ""),
		     LF_EPARSE, "DTD not allowed", NULL);
	/* Without a DTD an entity reference is simply undefined. */
	EXPECT_ERROR(ENV("<cwmp:Reboot><CommandKey>&xxe;</CommandKey></cwmp:Reboot>"), LF_EPARSE, "undefined entity",
		     "line 4");
}

static void test_over_long_name_refused(void **state)
{
	struct lf_buf b;
	char name[CWMP_MAX_NAME + 2];
	memset(name, 'N', CWMP_MAX_NAME + 1);
	name[CWMP_MAX_NAME + 1] = '\0';
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	lf_buf_printf(&b, ENV("<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>%s</Name>"
			      "<Value>1</Value></ParameterValueStruct></ParameterList></cwmp:SetParameterValues>"),
		      name);
	expect_error(b.data, b.len, LF_ETOOBIG, "line 4: element 'Name' longer than 256 bytes", NULL);
	lf_buf_free(&b);

	/* Every capped field says which one: CommandKey 32, OUI 6, ID 256, Value 65536. */
	EXPECT_ERROR(ENV("<cwmp:Reboot><CommandKey>123456789012345678901234567890123</CommandKey></cwmp:Reboot>"),
		     LF_ETOOBIG, "'CommandKey' longer than 32 bytes", NULL);
	EXPECT_ERROR(ENV("<cwmp:Inform><DeviceId><OUI>000FB70</OUI></DeviceId></cwmp:Inform>"), LF_ETOOBIG,
		     "'OUI' longer than 6 bytes", NULL);
	char id[CWMP_MAX_ID + 2];
	memset(id, 'i', CWMP_MAX_ID + 1);
	id[CWMP_MAX_ID + 1] = '\0';
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	lf_buf_printf(&b, "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
			  "xmlns:cwmp=\"urn:dslforum-org:cwmp-1-0\"><soapenv:Header><cwmp:ID>%s</cwmp:ID>"
			  "</soapenv:Header><soapenv:Body/></soapenv:Envelope>",
		      id);
	expect_error(b.data, b.len, LF_ETOOBIG, "line 1: element 'ID' longer than 256 bytes", NULL);
	lf_buf_free(&b);
}

static void test_over_long_value_refused(void **state)
{
	struct lf_buf b;
	lf_buf_init(&b, 2 * CWMP_MAX_MESSAGE);
	lf_buf_puts(&b, ENV_OPEN "<cwmp:GetParameterValuesResponse><ParameterList><ParameterValueStruct>"
			     "<Name>x</Name><Value>");
	/* Entity references make expat deliver the text in many pieces; the cap applies to the sum. */
	for (int i = 0; i <= CWMP_MAX_VALUE / 3; i++)
		lf_buf_puts(&b, "ab&lt;");
	lf_buf_puts(&b, "</Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>" ENV_CLOSE);
	expect_error(b.data, b.len, LF_ETOOBIG, "'Value' longer than 65536 bytes", NULL);
	lf_buf_free(&b);
}

static void test_too_deep_nesting_refused(void **state)
{
	struct lf_buf b;
	/* Envelope, Body, Inform = 3 levels; 13 more reach the limit of 16, one more passes it. */
	int extra = CWMP_MAX_DEPTH - 3;
	lf_buf_init(&b, CWMP_MAX_MESSAGE);
	lf_buf_puts(&b, ENV_OPEN "<cwmp:Inform>");
	for (int i = 0; i < extra; i++)
		lf_buf_puts(&b, "<X_Vendor>");
	for (int i = 0; i < extra; i++)
		lf_buf_puts(&b, "</X_Vendor>");
	lf_buf_puts(&b, "</cwmp:Inform>" ENV_CLOSE);
	struct cwmp_msg m;
	char err[256];
	cwmp_msg_init(&m);
	assert_int_equal(cwmp_parse(&m, b.data, b.len, err, sizeof(err)), LF_OK);
	cwmp_msg_free(&m);
	lf_buf_reset(&b);
	lf_buf_puts(&b, ENV_OPEN "<cwmp:Inform>");
	for (int i = 0; i <= extra; i++)
		lf_buf_puts(&b, "<X_Vendor>");
	for (int i = 0; i <= extra; i++)
		lf_buf_puts(&b, "</X_Vendor>");
	lf_buf_puts(&b, "</cwmp:Inform>" ENV_CLOSE);
	expect_error(b.data, b.len, LF_ETOOBIG, "element 'X_Vendor' nested deeper than 16 levels", "line 4");
	lf_buf_free(&b);
}

static void test_too_many_list_entries_refused(void **state)
{
	struct lf_buf b;
	repeat_env(&b, "<cwmp:GetParameterValues><ParameterNames>", "<string>x</string>", CWMP_MAX_LIST + 1,
		   "</ParameterNames></cwmp:GetParameterValues>");
	expect_error(b.data, b.len, LF_ETOOBIG, "more than 1024 entries in 'ParameterNames'", NULL);
	lf_buf_free(&b);

	repeat_env(&b, "<cwmp:SetParameterValues><ParameterList>",
		   "<ParameterValueStruct><Name>a</Name><Value>1</Value></ParameterValueStruct>", CWMP_MAX_LIST + 1,
		   "</ParameterList></cwmp:SetParameterValues>");
	expect_error(b.data, b.len, LF_ETOOBIG, "more than 1024 entries in 'ParameterList'", NULL);
	lf_buf_free(&b);

	repeat_env(&b, "<cwmp:Inform><Event>", "<EventStruct><EventCode>1 BOOT</EventCode></EventStruct>",
		   CWMP_MAX_EVENTS + 1, "</Event></cwmp:Inform>");
	expect_error(b.data, b.len, LF_ETOOBIG, "more than 64 entries in 'Event'", NULL);
	lf_buf_free(&b);

	repeat_env(&b,
		   "<cwmp:SetParameterAttributes><ParameterList><SetParameterAttributesStruct><Name>a</Name>"
		   "<AccessList>",
		   "<string>Subscriber</string>", CWMP_MAX_ACCESS + 1,
		   "</AccessList></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>");
	expect_error(b.data, b.len, LF_ETOOBIG, "more than 64 entries in 'AccessList'", NULL);
	lf_buf_free(&b);
}

static void test_message_over_max_size_refused(void **state)
{
	struct lf_buf b;
	repeat_env(&b, "<cwmp:Reboot>", "<!-- padding padding padding padding padding -->", CWMP_MAX_MESSAGE / 40,
		   "</cwmp:Reboot>");
	assert_true(b.len > CWMP_MAX_MESSAGE);
	expect_error(b.data, b.len, LF_ETOOBIG, "over the limit of 262144 bytes", NULL);
	lf_buf_free(&b);
}

static void test_bad_numbers_refused(void **state)
{
	EXPECT_ERROR(ENV("<soapenv:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail>"
			 "<cwmp:Fault><FaultCode>nine thousand</FaultCode></cwmp:Fault></detail></soapenv:Fault>"),
		     LF_EPARSE, "line 4: element 'FaultCode': 'nine thousand' is not an unsigned integer", NULL);
	EXPECT_ERROR(ENV("<cwmp:InformResponse><MaxEnvelopes>4294967296</MaxEnvelopes></cwmp:InformResponse>"),
		     LF_EPARSE, "'MaxEnvelopes': '4294967296' is not an unsigned integer", NULL);
	EXPECT_ERROR(ENV("<cwmp:InformResponse><MaxEnvelopes>-1</MaxEnvelopes></cwmp:InformResponse>"), LF_EPARSE,
		     "'MaxEnvelopes'", "not an unsigned integer");
	EXPECT_ERROR(ENV("<cwmp:InformResponse><MaxEnvelopes></MaxEnvelopes></cwmp:InformResponse>"), LF_EPARSE,
		     "'MaxEnvelopes'", "not an unsigned integer");
	EXPECT_ERROR(ENV("<cwmp:InformResponse><MaxEnvelopes>1 2</MaxEnvelopes></cwmp:InformResponse>"), LF_EPARSE,
		     "'MaxEnvelopes'", "not an unsigned integer");
	EXPECT_ERROR(ENV("<cwmp:InformResponse><MaxEnvelopes>0x10</MaxEnvelopes></cwmp:InformResponse>"), LF_EPARSE,
		     "'MaxEnvelopes'", "not an unsigned integer");
	EXPECT_ERROR(ENV("<cwmp:SetParameterValuesResponse><Status>2</Status></cwmp:SetParameterValuesResponse>"),
		     LF_EPARSE, "'Status': 2 is out of range", NULL);
	EXPECT_ERROR(ENV("<cwmp:GetParameterNames><NextLevel>yes</NextLevel></cwmp:GetParameterNames>"), LF_EPARSE,
		     "'NextLevel': 'yes' is not a boolean", NULL);
	EXPECT_ERROR(ENV("<cwmp:Inform><DeviceId><OUI>00G0FB</OUI></DeviceId></cwmp:Inform>"), LF_EPARSE,
		     "'OUI': '00G0FB' is not hexadecimal", NULL);

	/* The largest unsignedInt and leading zeros are fine. */
	struct cwmp_msg m;
	char err[256];
	assert_int_equal(parse_str(&m, ENV("<cwmp:AddObjectResponse><InstanceNumber>+004294967295</InstanceNumber>"
					   "<Status>0</Status></cwmp:AddObjectResponse>"),
				   err, sizeof(err)),
			 LF_OK);
	assert_int_equal(m.u.add_object_response.instance_number, 4294967295u);
	cwmp_msg_free(&m);
}

static void test_truncated_xml_refused(void **state)
{
	struct lf_buf b;
	load_capture(&b, "inform-cavium-enb.xml");
	expect_error(b.data, b.len / 2, LF_EPARSE, "line ", NULL);
	expect_error(b.data, b.len - 30, LF_EPARSE, "no element found", NULL);
	lf_buf_free(&b);
	EXPECT_ERROR(ENV("<cwmp:Reboot><CommandKey>x</Command></cwmp:Reboot>"), LF_EPARSE, "mismatched tag", NULL);
}

static void test_not_soap_refused(void **state)
{
	EXPECT_ERROR("<html><body>502 Bad Gateway</body></html>", LF_EPARSE, "not a SOAP 1.1 envelope",
		     "root element is 'html'");
	EXPECT_ERROR("{\"method\": \"Inform\"}", LF_EPARSE, "line 1", "not well-formed");
	EXPECT_ERROR("<Envelope><Body/></Envelope>", LF_EPARSE, "not a SOAP 1.1 envelope", NULL);
	EXPECT_ERROR("<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body/></e:Envelope>", LF_EPARSE,
		     "not a SOAP 1.1 envelope", NULL);
	EXPECT_ERROR("<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">"
		     "<soapenv:Header/></soapenv:Envelope>",
		     LF_EPARSE, "without a Body", NULL);
	EXPECT_ERROR("<x:Envelope xmlns:y=\"urn:y\"/>", LF_EPARSE, "unbound prefix", NULL);
	expect_error("", 0, LF_EPARSE, "empty message", NULL);
	expect_error("<a>\0</a>", 8, LF_EPARSE, "line 1", NULL);
	EXPECT_ERROR(ENV("<cwmp:Reboot/><cwmp:FactoryReset/>"), LF_EPARSE, "more than one element in the SOAP Body",
		     "FactoryReset");
}

static void test_unknown_cwmp_method_is_unsupported_with_id(void **state)
{
	struct cwmp_msg m;
	char err[256];
	int result = parse_str(&m, ENV("<cwmp:Upload><CommandKey>x</CommandKey></cwmp:Upload>"), err, sizeof(err));
	assert_int_equal(result, LF_EUNSUPPORTED);
	assert_non_null(strstr(err, "unsupported CWMP method 'Upload'"));
	assert_non_null(m.id);
	assert_string_equal(m.id, "42");
	cwmp_msg_free(&m);

	/* A Body child outside every cwmp namespace cannot be a CWMP method either. */
	result = parse_str(&m, ENV("<x:Inform xmlns:x=\"urn:dslforum-org:cwmp-9-9\"/>"), err, sizeof(err));
	assert_int_equal(result, LF_EUNSUPPORTED);
	assert_non_null(strstr(err, "not in a cwmp namespace"));
	assert_string_equal(m.id, "42");
	cwmp_msg_free(&m);
}

static void test_error_buffer_optional_and_reparse_reuses_msg(void **state)
{
	struct cwmp_msg m;
	char tiny[8];
	cwmp_msg_init(&m);
	assert_int_equal(cwmp_parse(&m, "<x/>", 4, NULL, 0), LF_EPARSE);
	assert_int_equal(cwmp_parse(&m, "<x/>", 4, tiny, sizeof(tiny)), LF_EPARSE);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	/* Parsing again into the same message releases what it held. */
	static const char ok[] = ENV("<cwmp:Reboot><CommandKey>k</CommandKey></cwmp:Reboot>");
	assert_int_equal(cwmp_parse(&m, ok, strlen(ok), NULL, 0), LF_OK);
	assert_int_equal(cwmp_parse(&m, ok, strlen(ok), NULL, 0), LF_OK);
	assert_string_equal(m.u.reboot.command_key, "k");
	cwmp_msg_free(&m);
	cwmp_msg_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capture_parses),
		cmocka_unit_test(test_capture_cavium_inform),
		cmocka_unit_test(test_capture_thomson_inform),
		cmocka_unit_test(test_capture_thomson_b_trusts_elements_not_arraytype),
		cmocka_unit_test(test_capture_zte_odd_inform),
		cmocka_unit_test(test_capture_fault),
		cmocka_unit_test(test_capture_transfer_complete),
		cmocka_unit_test(test_capture_transfer_complete_response),
		cmocka_unit_test(test_capture_set_parameter_values),
		cmocka_unit_test(test_capture_get_parameter_values),
		cmocka_unit_test(test_tolerant_variants),
		cmocka_unit_test(test_dtd_refused),
		cmocka_unit_test(test_entity_declaration_refused_billion_laughs),
		cmocka_unit_test(test_external_entity_refused),
		cmocka_unit_test(test_over_long_name_refused),
		cmocka_unit_test(test_over_long_value_refused),
		cmocka_unit_test(test_too_deep_nesting_refused),
		cmocka_unit_test(test_too_many_list_entries_refused),
		cmocka_unit_test(test_message_over_max_size_refused),
		cmocka_unit_test(test_bad_numbers_refused),
		cmocka_unit_test(test_truncated_xml_refused),
		cmocka_unit_test(test_not_soap_refused),
		cmocka_unit_test(test_unknown_cwmp_method_is_unsupported_with_id),
		cmocka_unit_test(test_error_buffer_optional_and_reparse_reuses_msg),
	};
	return cmocka_run_group_tests_name("cwmp_parse", tests, NULL, NULL);
}
