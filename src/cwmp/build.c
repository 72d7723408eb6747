/* build.c: cwmp_build, typed CWMP message -> SOAP 1.1 envelope text (cwmp-1-x.xsd element order). */
#include <stdio.h>

#include "common/err.h"
#include "cwmp/cwmp.h"
#include "cwmp/xmlwrite.h"

#define CWMP__SOAP_ENV "http://schemas.xmlsoap.org/soap/envelope/"
#define CWMP__SOAP_ENC "http://schemas.xmlsoap.org/soap/encoding/"
#define CWMP__XSD "http://www.w3.org/2001/XMLSchema"
#define CWMP__XSI "http://www.w3.org/2001/XMLSchema-instance"

/* TR-069 writes an unknown dateTime as 0001-01-01T00:00:00Z; a NULL time field is sent as that. */
#define CWMP__UNKNOWN_TIME "0001-01-01T00:00:00Z"

static const char *cwmp__time(const char *t)
{
	return t ? t : CWMP__UNKNOWN_TIME;
}

/* An element that holds other elements: open it and start its children on a new line. */
static void cwmp__open_nl(struct cwmp__xw *w, const char *name, const char *attr, const char *value)
{
	cwmp__xw_open(w, name, attr, value);
	cwmp__xw_raw(w, "\n");
}

/* A SOAP-encoded array: <name soap-enc:arrayType="type[n]"> (cwmp-1-2.xsd: arrayType is required). */
static void cwmp__array_open(struct cwmp__xw *w, const char *name, const char *type, size_t n)
{
	char at[96];
	snprintf(at, sizeof(at), "%s[%zu]", type, n);
	cwmp__open_nl(w, name, "soap-enc:arrayType", at);
}

static void cwmp__string_list(struct cwmp__xw *w, const char *name, const char *const *s, size_t n)
{
	cwmp__array_open(w, name, "xsd:string", n);
	for (size_t i = 0; i < n; i++)
		cwmp__xw_leaf(w, "string", s[i]);
	cwmp__xw_close(w, name);
}

/* ParameterList of ParameterValueStruct; Value carries its xsi:type, xsd:string when the type is NULL. */
static void cwmp__param_values(struct cwmp__xw *w, const struct cwmp_param_value *pv, size_t n)
{
	cwmp__array_open(w, "ParameterList", "cwmp:ParameterValueStruct", n);
	for (size_t i = 0; i < n; i++) {
		cwmp__open_nl(w, "ParameterValueStruct", NULL, NULL);
		cwmp__xw_leaf(w, "Name", pv[i].name);
		cwmp__xw_leaf_attr(w, "Value", "xsi:type", pv[i].type ? pv[i].type : "xsd:string", pv[i].value);
		cwmp__xw_close(w, "ParameterValueStruct");
	}
	cwmp__xw_close(w, "ParameterList");
}

static void cwmp__inform(struct cwmp__xw *w, const struct cwmp_inform *in)
{
	cwmp__open_nl(w, "DeviceId", NULL, NULL);
	cwmp__xw_leaf(w, "Manufacturer", in->device_id.manufacturer);
	cwmp__xw_leaf(w, "OUI", in->device_id.oui);
	cwmp__xw_leaf(w, "ProductClass", in->device_id.product_class);
	cwmp__xw_leaf(w, "SerialNumber", in->device_id.serial_number);
	cwmp__xw_close(w, "DeviceId");

	cwmp__array_open(w, "Event", "cwmp:EventStruct", in->n_events);
	for (size_t i = 0; i < in->n_events; i++) {
		cwmp__open_nl(w, "EventStruct", NULL, NULL);
		cwmp__xw_leaf(w, "EventCode", in->events[i].code);
		cwmp__xw_leaf(w, "CommandKey", in->events[i].command_key);
		cwmp__xw_close(w, "EventStruct");
	}
	cwmp__xw_close(w, "Event");

	cwmp__xw_leaf_u32(w, "MaxEnvelopes", in->max_envelopes);
	cwmp__xw_leaf(w, "CurrentTime", cwmp__time(in->current_time));
	cwmp__xw_leaf_u32(w, "RetryCount", in->retry_count);
	cwmp__param_values(w, in->params, in->n_params);
}

static void cwmp__access_list(struct cwmp__xw *w, const char *const *list, size_t n)
{
	cwmp__string_list(w, "AccessList", list, n);
}

static void cwmp__set_attributes(struct cwmp__xw *w, const struct cwmp_set_attr *a, size_t n)
{
	cwmp__array_open(w, "ParameterList", "cwmp:SetParameterAttributesStruct", n);
	for (size_t i = 0; i < n; i++) {
		cwmp__open_nl(w, "SetParameterAttributesStruct", NULL, NULL);
		cwmp__xw_leaf(w, "Name", a[i].name);
		cwmp__xw_leaf_bool(w, "NotificationChange", a[i].notification_change);
		cwmp__xw_leaf_int(w, "Notification", a[i].notification);
		cwmp__xw_leaf_bool(w, "AccessListChange", a[i].access_list_change);
		cwmp__access_list(w, a[i].access_list, a[i].n_access);
		cwmp__xw_close(w, "SetParameterAttributesStruct");
	}
	cwmp__xw_close(w, "ParameterList");
}

static void cwmp__param_attributes(struct cwmp__xw *w, const struct cwmp_param_attr *a, size_t n)
{
	cwmp__array_open(w, "ParameterList", "cwmp:ParameterAttributeStruct", n);
	for (size_t i = 0; i < n; i++) {
		cwmp__open_nl(w, "ParameterAttributeStruct", NULL, NULL);
		cwmp__xw_leaf(w, "Name", a[i].name);
		cwmp__xw_leaf_int(w, "Notification", a[i].notification);
		cwmp__access_list(w, a[i].access_list, a[i].n_access);
		cwmp__xw_close(w, "ParameterAttributeStruct");
	}
	cwmp__xw_close(w, "ParameterList");
}

static void cwmp__param_infos(struct cwmp__xw *w, const struct cwmp_param_info *p, size_t n)
{
	cwmp__array_open(w, "ParameterList", "cwmp:ParameterInfoStruct", n);
	for (size_t i = 0; i < n; i++) {
		cwmp__open_nl(w, "ParameterInfoStruct", NULL, NULL);
		cwmp__xw_leaf(w, "Name", p[i].name);
		cwmp__xw_leaf_bool(w, "Writable", p[i].writable);
		cwmp__xw_close(w, "ParameterInfoStruct");
	}
	cwmp__xw_close(w, "ParameterList");
}

static void cwmp__download(struct cwmp__xw *w, const struct cwmp_download *d)
{
	cwmp__xw_leaf(w, "CommandKey", d->command_key);
	cwmp__xw_leaf(w, "FileType", d->file_type);
	cwmp__xw_leaf(w, "URL", d->url);
	cwmp__xw_leaf(w, "Username", d->username);
	cwmp__xw_leaf(w, "Password", d->password);
	cwmp__xw_leaf_u32(w, "FileSize", d->file_size);
	cwmp__xw_leaf(w, "TargetFileName", d->target_file_name);
	cwmp__xw_leaf_u32(w, "DelaySeconds", d->delay_seconds);
	cwmp__xw_leaf(w, "SuccessURL", d->success_url);
	cwmp__xw_leaf(w, "FailureURL", d->failure_url);
}

/* The SOAP faultcode the header documents: the sender's fault for argument and parameter errors. */
static const char *cwmp__soap_faultcode(const struct cwmp_fault *f)
{
	if (f->soap_faultcode)
		return f->soap_faultcode;
	switch (f->code) {
	case CWMP_FAULT_ACS_INVALID_ARGUMENTS:
	case CWMP_FAULT_INVALID_ARGUMENTS:
	case CWMP_FAULT_INVALID_PARAMETER_NAME:
	case CWMP_FAULT_INVALID_PARAMETER_TYPE:
	case CWMP_FAULT_INVALID_PARAMETER_VALUE:
	case CWMP_FAULT_NON_WRITABLE_PARAMETER:
		return "Client";
	default:
		return "Server";
	}
}

/* TR-069 3.5 / A.5: SOAP Fault with faultcode, faultstring "CWMP fault" and the cwmp:Fault detail. */
static void cwmp__fault(struct cwmp__xw *w, const struct cwmp_fault *f)
{
	cwmp__open_nl(w, "soap-env:Fault", NULL, NULL);
	cwmp__xw_leaf(w, "faultcode", cwmp__soap_faultcode(f));
	cwmp__xw_leaf(w, "faultstring", "CWMP fault");
	cwmp__open_nl(w, "detail", NULL, NULL);
	cwmp__open_nl(w, "cwmp:Fault", NULL, NULL);
	cwmp__xw_leaf_u32(w, "FaultCode", f->code);
	cwmp__xw_leaf(w, "FaultString", f->string ? f->string : cwmp_fault_text(f->code));
	for (size_t i = 0; i < f->n_spv; i++) {
		const struct cwmp_spv_fault *s = &f->spv[i];
		cwmp__open_nl(w, "SetParameterValuesFault", NULL, NULL);
		cwmp__xw_leaf(w, "ParameterName", s->name);
		cwmp__xw_leaf_u32(w, "FaultCode", s->code);
		cwmp__xw_leaf(w, "FaultString", s->string ? s->string : cwmp_fault_text(s->code));
		cwmp__xw_close(w, "SetParameterValuesFault");
	}
	cwmp__xw_close(w, "cwmp:Fault");
	cwmp__xw_close(w, "detail");
	cwmp__xw_close(w, "soap-env:Fault");
}

/* The children of the method element, in the order of cwmp-1-2.xsd. Methods without arguments write
 * nothing, so their element stays truly empty (the schema's empty content allows no whitespace). */
static void cwmp__body(struct cwmp__xw *w, const struct cwmp_msg *msg)
{
	switch (msg->method) {
	case CWMP_GET_RPC_METHODS:
	case CWMP_SET_PARAMETER_ATTRIBUTES_RESPONSE:
	case CWMP_REBOOT_RESPONSE:
	case CWMP_FACTORY_RESET:
	case CWMP_FACTORY_RESET_RESPONSE:
	case CWMP_SCHEDULE_INFORM_RESPONSE:
	case CWMP_TRANSFER_COMPLETE_RESPONSE:
	case CWMP_REQUEST_DOWNLOAD_RESPONSE:
		return;
	default:
		break;
	}

	cwmp__xw_raw(w, "\n");
	switch (msg->method) {
	case CWMP_GET_RPC_METHODS_RESPONSE:
		cwmp__string_list(w, "MethodList", msg->u.rpc_methods.methods, msg->u.rpc_methods.n);
		break;
	case CWMP_SET_PARAMETER_VALUES:
		cwmp__param_values(w, msg->u.spv.params, msg->u.spv.n);
		cwmp__xw_leaf(w, "ParameterKey", msg->u.spv.parameter_key);
		break;
	case CWMP_SET_PARAMETER_VALUES_RESPONSE:
		cwmp__xw_leaf_int(w, "Status", msg->u.spv_response.status);
		break;
	case CWMP_GET_PARAMETER_VALUES:
	case CWMP_GET_PARAMETER_ATTRIBUTES:
		cwmp__string_list(w, "ParameterNames", msg->u.names.names, msg->u.names.n);
		break;
	case CWMP_GET_PARAMETER_VALUES_RESPONSE:
		cwmp__param_values(w, msg->u.gpv_response.params, msg->u.gpv_response.n);
		break;
	case CWMP_GET_PARAMETER_NAMES:
		cwmp__xw_leaf(w, "ParameterPath", msg->u.gpn.path);
		cwmp__xw_leaf_bool(w, "NextLevel", msg->u.gpn.next_level);
		break;
	case CWMP_GET_PARAMETER_NAMES_RESPONSE:
		cwmp__param_infos(w, msg->u.gpn_response.params, msg->u.gpn_response.n);
		break;
	case CWMP_SET_PARAMETER_ATTRIBUTES:
		cwmp__set_attributes(w, msg->u.spa.attrs, msg->u.spa.n);
		break;
	case CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE:
		cwmp__param_attributes(w, msg->u.gpa_response.attrs, msg->u.gpa_response.n);
		break;
	case CWMP_ADD_OBJECT:
	case CWMP_DELETE_OBJECT:
		cwmp__xw_leaf(w, "ObjectName", msg->u.object.object_name);
		cwmp__xw_leaf(w, "ParameterKey", msg->u.object.parameter_key);
		break;
	case CWMP_ADD_OBJECT_RESPONSE:
		cwmp__xw_leaf_u32(w, "InstanceNumber", msg->u.add_object_response.instance_number);
		cwmp__xw_leaf_int(w, "Status", msg->u.add_object_response.status);
		break;
	case CWMP_DELETE_OBJECT_RESPONSE:
		cwmp__xw_leaf_int(w, "Status", msg->u.delete_object_response.status);
		break;
	case CWMP_REBOOT:
		cwmp__xw_leaf(w, "CommandKey", msg->u.reboot.command_key);
		break;
	case CWMP_DOWNLOAD:
		cwmp__download(w, &msg->u.download);
		break;
	case CWMP_DOWNLOAD_RESPONSE:
		cwmp__xw_leaf_int(w, "Status", msg->u.download_response.status);
		cwmp__xw_leaf(w, "StartTime", cwmp__time(msg->u.download_response.start_time));
		cwmp__xw_leaf(w, "CompleteTime", cwmp__time(msg->u.download_response.complete_time));
		break;
	case CWMP_SCHEDULE_INFORM:
		cwmp__xw_leaf_u32(w, "DelaySeconds", msg->u.schedule_inform.delay_seconds);
		cwmp__xw_leaf(w, "CommandKey", msg->u.schedule_inform.command_key);
		break;
	case CWMP_INFORM:
		cwmp__inform(w, &msg->u.inform);
		break;
	case CWMP_INFORM_RESPONSE:
		cwmp__xw_leaf_u32(w, "MaxEnvelopes", msg->u.inform_response.max_envelopes);
		break;
	case CWMP_TRANSFER_COMPLETE:
		cwmp__xw_leaf(w, "CommandKey", msg->u.transfer_complete.command_key);
		cwmp__open_nl(w, "FaultStruct", NULL, NULL);
		cwmp__xw_leaf_u32(w, "FaultCode", msg->u.transfer_complete.fault_code);
		cwmp__xw_leaf(w, "FaultString", msg->u.transfer_complete.fault_string);
		cwmp__xw_close(w, "FaultStruct");
		cwmp__xw_leaf(w, "StartTime", cwmp__time(msg->u.transfer_complete.start_time));
		cwmp__xw_leaf(w, "CompleteTime", cwmp__time(msg->u.transfer_complete.complete_time));
		break;
	case CWMP_REQUEST_DOWNLOAD:
		cwmp__xw_leaf(w, "FileType", msg->u.request_download.file_type);
		cwmp__array_open(w, "FileTypeArg", "cwmp:ArgStruct", msg->u.request_download.n);
		for (size_t i = 0; i < msg->u.request_download.n; i++) {
			cwmp__open_nl(w, "ArgStruct", NULL, NULL);
			cwmp__xw_leaf(w, "Name", msg->u.request_download.args[i].name);
			cwmp__xw_leaf(w, "Value", msg->u.request_download.args[i].value);
			cwmp__xw_close(w, "ArgStruct");
		}
		cwmp__xw_close(w, "FileTypeArg");
		break;
	default:
		break;
	}
}

static void cwmp__header(struct cwmp__xw *w, const struct cwmp_msg *msg)
{
	if (!msg->id && !msg->has_hold_requests && !msg->session_timeout)
		return;
	cwmp__open_nl(w, "soap-env:Header", NULL, NULL);
	/* cwmp-1-2.xsd: ID and HoldRequests carry mustUnderstand="1" (required, fixed). */
	if (msg->id)
		cwmp__xw_leaf_attr(w, "cwmp:ID", "soap-env:mustUnderstand", "1", msg->id);
	if (msg->has_hold_requests) {
		cwmp__xw_leaf_attr(w, "cwmp:HoldRequests", "soap-env:mustUnderstand", "1",
				   msg->hold_requests ? "true" : "false");
	}
	/* cwmp-1-3.xsd: SessionTimeout's mustUnderstand is optional and fixed 0, so it is left out. */
	if (msg->session_timeout)
		cwmp__xw_leaf_u32(w, "cwmp:SessionTimeout", msg->session_timeout);
	cwmp__xw_close(w, "soap-env:Header");
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_build: append the SOAP envelope of msg to out. Text is escaped; strings that XML 1.0 cannot
 * carry (control characters, invalid UTF-8) give LF_EINVAL. NULL strings are written as empty
 * elements, NULL times as 0001-01-01T00:00:00Z, a NULL Value type as xsd:string.
 * Returns LF_OK, LF_ETOOBIG (out's cap) or LF_EINVAL (CWMP_EMPTY, unknown method or version, bad text);
 * on error out is left as it was.
 */
int cwmp_build(const struct cwmp_msg *msg, struct lf_buf *out)
{
	size_t start = out->len;
	struct cwmp__xw w;
	int result = LF_OK;

	if (msg->method <= CWMP_EMPTY || msg->method >= CWMP_METHOD_COUNT ||
	    (unsigned)msg->version > CWMP_V1_2) {
		result = LF_EINVAL;
		goto out;
	}

	cwmp__xw_init(&w, out);
	cwmp__xw_raw(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<soap-env:Envelope xmlns:soap-env=\"" CWMP__SOAP_ENV "\" xmlns:soap-enc=\"" CWMP__SOAP_ENC
			 "\" xmlns:xsd=\"" CWMP__XSD "\" xmlns:xsi=\"" CWMP__XSI "\" xmlns:cwmp=\"");
	cwmp__xw_raw(&w, cwmp_ns_uri(msg->version));
	cwmp__xw_raw(&w, "\">\n");
	cwmp__header(&w, msg);
	cwmp__open_nl(&w, "soap-env:Body", NULL, NULL);
	if (msg->method == CWMP_FAULT) {
		cwmp__fault(&w, &msg->u.fault);
	} else {
		cwmp__xw_raw(&w, "<cwmp:");
		cwmp__xw_raw(&w, cwmp_method_name(msg->method));
		cwmp__xw_raw(&w, ">");
		cwmp__body(&w, msg);
		cwmp__xw_raw(&w, "</cwmp:");
		cwmp__xw_raw(&w, cwmp_method_name(msg->method));
		cwmp__xw_raw(&w, ">\n");
	}
	cwmp__xw_close(&w, "soap-env:Body");
	cwmp__xw_close(&w, "soap-env:Envelope");
	result = w.err;

out:
	if (result && out->data) {
		out->len = start;
		out->data[start] = '\0';
	}
	return result;
}
