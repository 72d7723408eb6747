/* rpc.c: the JSON face of CPE RPCs (the NBI's task arguments and results) and their CWMP messages. */
#include "hems/rpc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"

static const char *const lf__methods[] = {
	"GetRPCMethods",	  "GetParameterValues", "SetParameterValues", "GetParameterNames",
	"GetParameterAttributes", "SetParameterAttributes", "AddObject",  "DeleteObject",
	"Reboot",		  "Download",		  "FactoryReset",	  "ScheduleInform",
};

int hems_rpc_is_method(const char *name)
{
	for (size_t i = 0; i < sizeof(lf__methods) / sizeof(lf__methods[0]); i++)
		if (strcmp(lf__methods[i], name) == 0)
			return 1;
	return 0;
}

/* Argument readers: each copies into the message arena and reports the path of a bad argument. */
struct lf__args {
	json_t *root;
	struct cwmp_msg *m;
	char *err;
	size_t errlen;
};

static const char *lf__dup(struct lf__args *a, const char *s, size_t max, const char *what)
{
	size_t n = strlen(s);
	if (n > max) {
		snprintf(a->err, a->errlen, "%s is longer than %zu bytes", what, max);
		return NULL;
	}
	const char *p = lf_arena_strndup(&a->m->arena, s, n);
	if (!p)
		snprintf(a->err, a->errlen, "arguments too large");
	return p;
}

/* String member `key` of obj; def when absent (NULL def = required). */
static int lf__str(struct lf__args *a, json_t *obj, const char *key, const char *def, size_t max, const char **out)
{
	json_t *v = json_object_get(obj, key);
	char what[64];
	snprintf(what, sizeof(what), "args.%s", key);
	if (!v) {
		if (!def) {
			snprintf(a->err, a->errlen, "%s is required", what);
			return LF_EINVAL;
		}
		*out = def;
		return LF_OK;
	}
	if (!json_is_string(v)) {
		snprintf(a->err, a->errlen, "%s must be a string", what);
		return LF_EINVAL;
	}
	*out = lf__dup(a, json_string_value(v), max, what);
	return *out ? LF_OK : LF_EINVAL;
}

static int lf__uint(struct lf__args *a, json_t *obj, const char *key, uint32_t def, uint32_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		*out = def;
		return LF_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 0xffffffffLL) {
		snprintf(a->err, a->errlen, "args.%s must be an unsigned 32-bit integer", key);
		return LF_EINVAL;
	}
	*out = (uint32_t)json_integer_value(v);
	return LF_OK;
}

static int lf__bool(struct lf__args *a, json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		*out = false;
		return LF_OK;
	}
	if (!json_is_boolean(v)) {
		snprintf(a->err, a->errlen, "args.%s must be true or false", key);
		return LF_EINVAL;
	}
	*out = json_is_true(v);
	return LF_OK;
}

/* Array of strings `key` -> arena array. */
static int lf__strings(struct lf__args *a, json_t *obj, const char *key, size_t maxlen, size_t maxcount,
		       const char ***out, size_t *n)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_array(v) || json_array_size(v) > maxcount) {
		snprintf(a->err, a->errlen, "args.%s must be an array of at most %zu strings", key, maxcount);
		return LF_EINVAL;
	}
	size_t count = json_array_size(v);
	const char **arr = lf_arena_alloc(&a->m->arena, (count ? count : 1) * sizeof(*arr));
	if (!arr) {
		snprintf(a->err, a->errlen, "arguments too large");
		return LF_EINVAL;
	}
	for (size_t i = 0; i < count; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e)) {
			snprintf(a->err, a->errlen, "args.%s[%zu] must be a string", key, i);
			return LF_EINVAL;
		}
		arr[i] = lf__dup(a, json_string_value(e), maxlen, key);
		if (!arr[i])
			return LF_EINVAL;
	}
	*out = arr;
	*n = count;
	return LF_OK;
}

static int lf__spv(struct lf__args *a)
{
	json_t *vals = json_object_get(a->root, "values");
	if (!json_is_array(vals) || json_array_size(vals) == 0 || json_array_size(vals) > CWMP_MAX_LIST) {
		snprintf(a->err, a->errlen, "args.values must be a non-empty array of {name, value, type}");
		return LF_EINVAL;
	}
	size_t n = json_array_size(vals);
	struct cwmp_param_value *pv = lf_arena_alloc(&a->m->arena, n * sizeof(*pv));
	if (!pv) {
		snprintf(a->err, a->errlen, "arguments too large");
		return LF_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(vals, i);
		if (!json_is_object(e)) {
			snprintf(a->err, a->errlen, "args.values[%zu] must be an object", i);
			return LF_EINVAL;
		}
		int result = lf__str(a, e, "name", NULL, CWMP_MAX_NAME, &pv[i].name);
		if (!result) {
			json_t *v = json_object_get(e, "value");
			if (json_is_string(v)) {
				pv[i].value = lf__dup(a, json_string_value(v), CWMP_MAX_VALUE, "value");
			} else if (json_is_integer(v) || json_is_boolean(v)) {
				char tmp[32];
				if (json_is_boolean(v))
					snprintf(tmp, sizeof(tmp), "%s", json_is_true(v) ? "true" : "false");
				else
					snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
				pv[i].value = lf__dup(a, tmp, 32, "value");
			} else {
				snprintf(a->err, a->errlen, "args.values[%zu].value must be a string, integer or boolean",
					 i);
				return LF_EINVAL;
			}
			if (!pv[i].value)
				return LF_EINVAL;
			result = lf__str(a, e, "type", "xsd:string", 64, &pv[i].type);
		}
		if (result)
			return result;
	}
	a->m->u.spv.params = pv;
	a->m->u.spv.n = n;
	return lf__str(a, a->root, "parameterKey", "", CWMP_MAX_KEY, &a->m->u.spv.parameter_key);
}

static int lf__spa(struct lf__args *a)
{
	json_t *attrs = json_object_get(a->root, "attributes");
	if (!json_is_array(attrs) || json_array_size(attrs) == 0 || json_array_size(attrs) > CWMP_MAX_LIST) {
		snprintf(a->err, a->errlen, "args.attributes must be a non-empty array");
		return LF_EINVAL;
	}
	size_t n = json_array_size(attrs);
	struct cwmp_set_attr *sa = lf_arena_alloc(&a->m->arena, n * sizeof(*sa));
	if (!sa) {
		snprintf(a->err, a->errlen, "arguments too large");
		return LF_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(attrs, i);
		uint32_t notif = 0;
		int result = json_is_object(e) ? LF_OK : LF_EINVAL;
		if (result)
			snprintf(a->err, a->errlen, "args.attributes[%zu] must be an object", i);
		if (!result)
			result = lf__str(a, e, "name", NULL, CWMP_MAX_NAME, &sa[i].name);
		if (!result)
			result = lf__bool(a, e, "notificationChange", &sa[i].notification_change);
		if (!result)
			result = lf__uint(a, e, "notification", 0, &notif);
		if (!result && notif > 6) {
			snprintf(a->err, a->errlen, "args.attributes[%zu].notification must be 0..6", i);
			result = LF_EINVAL;
		}
		sa[i].notification = (int)notif;
		if (!result)
			result = lf__bool(a, e, "accessListChange", &sa[i].access_list_change);
		if (!result && json_object_get(e, "accessList"))
			result = lf__strings(a, e, "accessList", 64, CWMP_MAX_ACCESS, &sa[i].access_list,
					     &sa[i].n_access);
		if (result)
			return result;
	}
	a->m->u.spa.attrs = sa;
	a->m->u.spa.n = n;
	return LF_OK;
}

static int lf__download(struct lf__args *a)
{
	struct cwmp_download *d = &a->m->u.download;
	int result = lf__str(a, a->root, "commandKey", "", CWMP_MAX_KEY, &d->command_key);
	if (!result)
		result = lf__str(a, a->root, "fileType", "1 Firmware Upgrade Image", CWMP_MAX_SHORT, &d->file_type);
	if (!result)
		result = lf__str(a, a->root, "url", NULL, CWMP_MAX_STRING, &d->url);
	if (!result)
		result = lf__str(a, a->root, "username", "", CWMP_MAX_STRING, &d->username);
	if (!result)
		result = lf__str(a, a->root, "password", "", CWMP_MAX_STRING, &d->password);
	if (!result)
		result = lf__uint(a, a->root, "fileSize", 0, &d->file_size);
	if (!result)
		result = lf__str(a, a->root, "targetFileName", "", CWMP_MAX_STRING, &d->target_file_name);
	if (!result)
		result = lf__uint(a, a->root, "delaySeconds", 0, &d->delay_seconds);
	if (!result)
		result = lf__str(a, a->root, "successURL", "", CWMP_MAX_STRING, &d->success_url);
	if (!result)
		result = lf__str(a, a->root, "failureURL", "", CWMP_MAX_STRING, &d->failure_url);
	return result;
}

int hems_rpc_request(const char *method, const char *args_json, struct cwmp_msg *out, char *err, size_t errlen)
{
	json_error_t jerr;
	struct lf__args a = {NULL, out, err, errlen};
	int result = LF_OK;
	int m = cwmp_method_from_name(method);
	if (m < 0 || !hems_rpc_is_method(method)) {
		snprintf(err, errlen, "'%s' is not a CPE method hemsd can queue", method);
		return LF_EINVAL;
	}
	a.root = json_loads(args_json && args_json[0] ? args_json : "{}", JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(a.root)) {
		snprintf(err, errlen, "args must be a JSON object%s%s", a.root ? "" : ": ", a.root ? "" : jerr.text);
		json_decref(a.root);
		return LF_EINVAL;
	}
	if (out->arena.max == 0)
		lf_arena_init(&out->arena, 4 * CWMP_MAX_MESSAGE);
	out->method = (enum cwmp_method)m;
	out->version = CWMP_V1_0;
	switch (out->method) {
	case CWMP_GET_RPC_METHODS:
	case CWMP_FACTORY_RESET:
		break;
	case CWMP_GET_PARAMETER_VALUES:
	case CWMP_GET_PARAMETER_ATTRIBUTES:
		result = lf__strings(&a, a.root, "names", CWMP_MAX_NAME, CWMP_MAX_LIST, &out->u.names.names,
				     &out->u.names.n);
		break;
	case CWMP_SET_PARAMETER_VALUES:
		result = lf__spv(&a);
		break;
	case CWMP_GET_PARAMETER_NAMES:
		result = lf__str(&a, a.root, "path", "", CWMP_MAX_NAME, &out->u.gpn.path);
		if (!result)
			result = lf__bool(&a, a.root, "nextLevel", &out->u.gpn.next_level);
		break;
	case CWMP_SET_PARAMETER_ATTRIBUTES:
		result = lf__spa(&a);
		break;
	case CWMP_ADD_OBJECT:
	case CWMP_DELETE_OBJECT:
		result = lf__str(&a, a.root, "objectName", NULL, CWMP_MAX_NAME, &out->u.object.object_name);
		if (!result)
			result = lf__str(&a, a.root, "parameterKey", "", CWMP_MAX_KEY, &out->u.object.parameter_key);
		break;
	case CWMP_REBOOT:
		result = lf__str(&a, a.root, "commandKey", "", CWMP_MAX_KEY, &out->u.reboot.command_key);
		break;
	case CWMP_DOWNLOAD:
		result = lf__download(&a);
		break;
	case CWMP_SCHEDULE_INFORM:
		result = lf__uint(&a, a.root, "delaySeconds", 0, &out->u.schedule_inform.delay_seconds);
		if (!result)
			result = lf__str(&a, a.root, "commandKey", "", CWMP_MAX_KEY,
					 &out->u.schedule_inform.command_key);
		break;
	default:
		snprintf(err, errlen, "'%s' is not a CPE method hemsd can queue", method);
		result = LF_EINVAL;
	}
	json_decref(a.root);
	return result;
}

static json_t *lf__jstr(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *lf__access_list(const char **list, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, lf__jstr(list[i]));
	return arr;
}

char *hems_rpc_result_json(const struct cwmp_msg *m)
{
	json_t *doc = json_object();
	json_t *arr;
	switch (m->method) {
	case CWMP_FAULT: {
		json_t *f = json_pack("{s:i, s:o}", "code", (int)m->u.fault.code, "string", lf__jstr(m->u.fault.string));
		arr = json_array();
		for (size_t i = 0; i < m->u.fault.n_spv; i++)
			json_array_append_new(arr, json_pack("{s:o, s:i, s:o}", "name", lf__jstr(m->u.fault.spv[i].name),
							     "code", (int)m->u.fault.spv[i].code, "string",
							     lf__jstr(m->u.fault.spv[i].string)));
		json_object_set_new(f, "parameterFaults", arr);
		json_object_set_new(doc, "fault", f);
		break;
	}
	case CWMP_GET_RPC_METHODS_RESPONSE:
		json_object_set_new(doc, "methods", lf__access_list(m->u.rpc_methods.methods, m->u.rpc_methods.n));
		break;
	case CWMP_GET_PARAMETER_VALUES_RESPONSE:
		arr = json_array();
		for (size_t i = 0; i < m->u.gpv_response.n; i++) {
			const struct cwmp_param_value *p = &m->u.gpv_response.params[i];
			json_array_append_new(arr, json_pack("{s:o, s:o, s:o}", "name", lf__jstr(p->name), "value",
							     lf__jstr(p->value), "type",
							     lf__jstr(p->type ? p->type : "xsd:string")));
		}
		json_object_set_new(doc, "parameters", arr);
		break;
	case CWMP_SET_PARAMETER_VALUES_RESPONSE:
		json_object_set_new(doc, "status", json_integer(m->u.spv_response.status));
		break;
	case CWMP_GET_PARAMETER_NAMES_RESPONSE:
		arr = json_array();
		for (size_t i = 0; i < m->u.gpn_response.n; i++)
			json_array_append_new(arr, json_pack("{s:o, s:b}", "name",
							     lf__jstr(m->u.gpn_response.params[i].name), "writable",
							     m->u.gpn_response.params[i].writable));
		json_object_set_new(doc, "parameters", arr);
		break;
	case CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE:
		arr = json_array();
		for (size_t i = 0; i < m->u.gpa_response.n; i++) {
			const struct cwmp_param_attr *p = &m->u.gpa_response.attrs[i];
			json_array_append_new(arr, json_pack("{s:o, s:i, s:o}", "name", lf__jstr(p->name), "notification",
							     p->notification, "accessList",
							     lf__access_list(p->access_list, p->n_access)));
		}
		json_object_set_new(doc, "attributes", arr);
		break;
	case CWMP_ADD_OBJECT_RESPONSE:
		json_object_set_new(doc, "instanceNumber", json_integer(m->u.add_object_response.instance_number));
		json_object_set_new(doc, "status", json_integer(m->u.add_object_response.status));
		break;
	case CWMP_DELETE_OBJECT_RESPONSE:
		json_object_set_new(doc, "status", json_integer(m->u.delete_object_response.status));
		break;
	case CWMP_DOWNLOAD_RESPONSE:
		json_object_set_new(doc, "status", json_integer(m->u.download_response.status));
		json_object_set_new(doc, "startTime", lf__jstr(m->u.download_response.start_time));
		json_object_set_new(doc, "completeTime", lf__jstr(m->u.download_response.complete_time));
		break;
	default: /* Reboot, FactoryReset, SetParameterAttributes, ScheduleInform responses carry nothing */
		break;
	}
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	char *out = lf_strdup(text ? text : "{}");
	free(text);
	return out;
}
