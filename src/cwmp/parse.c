/* parse.c: cwmp_parse, SOAP envelope -> typed CWMP message, with streaming expat and hard limits. */
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/random.h"
#include "cwmp/cwmp.h"

/* Expat hands us "URI|local" for namespaced names. '|' cannot occur in a local name, so splitting at the
 * last one is exact even if a (malformed) URI contains one. */
#define CWMP__NS_SEP '|'
#define CWMP__SOAP_ENV "http://schemas.xmlsoap.org/soap/envelope/"
#define CWMP__XSI_2001 "http://www.w3.org/2001/XMLSchema-instance"
#define CWMP__XSI_1999 "http://www.w3.org/1999/XMLSchema-instance"

/* What an open element is, decided from its parent and its name. */
enum cwmp__pk {
	PK_IGNORE = 0, /* unknown element: it and its subtree are skipped (peers add vendor extras) */
	PK_LEAF,       /* text-only element bound to a field (enum cwmp__pf) */
	PK_ENVELOPE,
	PK_HEADER,
	PK_BODY,
	PK_METHOD,     /* the cwmp method element; children per method */
	PK_SOAP_FAULT, /* Body/soap:Fault */
	PK_DETAIL,     /* soap:Fault/detail */
	PK_CWMP_FAULT, /* detail/cwmp:Fault */
	PK_SPVF,       /* SetParameterValuesFault (one item per element) */
	PK_DEVICE_ID,
	PK_TC_FAULT,   /* TransferComplete FaultStruct */
	/* Arrays: every child element is one item, whatever its name (SOAP encoding names items freely). */
	PK_EVENT_LIST,
	PK_PV_LIST,
	PK_NAME_LIST,
	PK_METHOD_LIST,
	PK_ACCESS_LIST,
	PK_INFO_LIST,
	PK_SPA_LIST,
	PK_GPA_LIST,
	PK_ARG_LIST,
	/* Array items that are structs. */
	PK_EVENT,
	PK_PV,
	PK_INFO,
	PK_SPA,
	PK_GPA,
	PK_ARG,
	PK_COUNT
};

/* Leaf fields. */
enum cwmp__pf {
	PF_NONE = 0,
	PF_ID,
	PF_HOLD,
	PF_TIMEOUT,
	PF_SOAP_FAULTCODE,
	PF_FAULT_CODE,
	PF_FAULT_STRING,
	PF_SPVF_NAME,
	PF_SPVF_CODE,
	PF_SPVF_STRING,
	PF_MANUFACTURER,
	PF_OUI,
	PF_PRODUCT_CLASS,
	PF_SERIAL,
	PF_EVENT_CODE,
	PF_EVENT_KEY,
	PF_INF_MAX_ENV,
	PF_INF_TIME,
	PF_INF_RETRY,
	PF_PV_NAME,
	PF_PV_VALUE,
	PF_NAME_ITEM,
	PF_METHOD_ITEM,
	PF_ACCESS_ITEM,
	PF_INFO_NAME,
	PF_INFO_WRITABLE,
	PF_SPA_NAME,
	PF_SPA_NOTIF_CHANGE,
	PF_SPA_NOTIF,
	PF_SPA_ACCESS_CHANGE,
	PF_GPA_NAME,
	PF_GPA_NOTIF,
	PF_SPV_KEY,
	PF_SPV_STATUS,
	PF_GPN_PATH,
	PF_GPN_NEXT,
	PF_OBJ_NAME,
	PF_OBJ_KEY,
	PF_ADD_INSTANCE,
	PF_ADD_STATUS,
	PF_DEL_STATUS,
	PF_REBOOT_KEY,
	PF_DL_KEY,
	PF_DL_FILE_TYPE,
	PF_DL_URL,
	PF_DL_USER,
	PF_DL_PASS,
	PF_DL_SIZE,
	PF_DL_TARGET,
	PF_DL_DELAY,
	PF_DL_SUCCESS,
	PF_DL_FAILURE,
	PF_DLR_STATUS,
	PF_DLR_START,
	PF_DLR_COMPLETE,
	PF_SI_DELAY,
	PF_SI_KEY,
	PF_IR_MAX_ENV,
	PF_TC_KEY,
	PF_TC_FAULT_CODE,
	PF_TC_FAULT_STRING,
	PF_TC_START,
	PF_TC_COMPLETE,
	PF_RD_FILE_TYPE,
	PF_ARG_NAME,
	PF_ARG_VALUE,
	PF_COUNT
};

enum cwmp__ft {
	FT_STR,    /* string, verbatim */
	FT_U32,    /* xs:unsignedInt */
	FT_BOOL,   /* xs:boolean */
	FT_STATUS, /* 0 or 1 */
	FT_NOTIF,  /* 0..6 */
	FT_OUI,    /* hex digits, stored upper-case */
};

/* Type and byte cap of each leaf (cwmp-1-2.xsd lengths; CWMP_MAX_* in cwmp.h). Numbers get a cap that
 * leaves room for whitespace and leading zeros but not for a megabyte of digits. */
static const struct {
	enum cwmp__ft type;
	size_t cap;
	const char *name;
} cwmp__fields[PF_COUNT] = {
	[PF_NONE] = { FT_STR, 0, "" },
	[PF_ID] = { FT_STR, CWMP_MAX_ID, "ID" },
	[PF_HOLD] = { FT_BOOL, CWMP_MAX_SHORT, "HoldRequests" },
	[PF_TIMEOUT] = { FT_U32, CWMP_MAX_SHORT, "SessionTimeout" },
	[PF_SOAP_FAULTCODE] = { FT_STR, CWMP_MAX_STRING, "faultcode" },
	[PF_FAULT_CODE] = { FT_U32, CWMP_MAX_SHORT, "FaultCode" },
	[PF_FAULT_STRING] = { FT_STR, CWMP_MAX_STRING, "FaultString" },
	[PF_SPVF_NAME] = { FT_STR, CWMP_MAX_NAME, "ParameterName" },
	[PF_SPVF_CODE] = { FT_U32, CWMP_MAX_SHORT, "FaultCode" },
	[PF_SPVF_STRING] = { FT_STR, CWMP_MAX_STRING, "FaultString" },
	[PF_MANUFACTURER] = { FT_STR, CWMP_MAX_SHORT, "Manufacturer" },
	[PF_OUI] = { FT_OUI, 6, "OUI" },
	[PF_PRODUCT_CLASS] = { FT_STR, CWMP_MAX_SHORT, "ProductClass" },
	[PF_SERIAL] = { FT_STR, CWMP_MAX_SHORT, "SerialNumber" },
	[PF_EVENT_CODE] = { FT_STR, CWMP_MAX_SHORT, "EventCode" },
	[PF_EVENT_KEY] = { FT_STR, CWMP_MAX_KEY, "CommandKey" },
	[PF_INF_MAX_ENV] = { FT_U32, CWMP_MAX_SHORT, "MaxEnvelopes" },
	[PF_INF_TIME] = { FT_STR, CWMP_MAX_SHORT, "CurrentTime" },
	[PF_INF_RETRY] = { FT_U32, CWMP_MAX_SHORT, "RetryCount" },
	[PF_PV_NAME] = { FT_STR, CWMP_MAX_NAME, "Name" },
	[PF_PV_VALUE] = { FT_STR, CWMP_MAX_VALUE, "Value" },
	[PF_NAME_ITEM] = { FT_STR, CWMP_MAX_NAME, "string" },
	[PF_METHOD_ITEM] = { FT_STR, CWMP_MAX_SHORT, "string" },
	[PF_ACCESS_ITEM] = { FT_STR, CWMP_MAX_SHORT, "string" },
	[PF_INFO_NAME] = { FT_STR, CWMP_MAX_NAME, "Name" },
	[PF_INFO_WRITABLE] = { FT_BOOL, CWMP_MAX_SHORT, "Writable" },
	[PF_SPA_NAME] = { FT_STR, CWMP_MAX_NAME, "Name" },
	[PF_SPA_NOTIF_CHANGE] = { FT_BOOL, CWMP_MAX_SHORT, "NotificationChange" },
	[PF_SPA_NOTIF] = { FT_NOTIF, CWMP_MAX_SHORT, "Notification" },
	[PF_SPA_ACCESS_CHANGE] = { FT_BOOL, CWMP_MAX_SHORT, "AccessListChange" },
	[PF_GPA_NAME] = { FT_STR, CWMP_MAX_NAME, "Name" },
	[PF_GPA_NOTIF] = { FT_NOTIF, CWMP_MAX_SHORT, "Notification" },
	[PF_SPV_KEY] = { FT_STR, CWMP_MAX_KEY, "ParameterKey" },
	[PF_SPV_STATUS] = { FT_STATUS, CWMP_MAX_SHORT, "Status" },
	[PF_GPN_PATH] = { FT_STR, CWMP_MAX_NAME, "ParameterPath" },
	[PF_GPN_NEXT] = { FT_BOOL, CWMP_MAX_SHORT, "NextLevel" },
	[PF_OBJ_NAME] = { FT_STR, CWMP_MAX_NAME, "ObjectName" },
	[PF_OBJ_KEY] = { FT_STR, CWMP_MAX_KEY, "ParameterKey" },
	[PF_ADD_INSTANCE] = { FT_U32, CWMP_MAX_SHORT, "InstanceNumber" },
	[PF_ADD_STATUS] = { FT_STATUS, CWMP_MAX_SHORT, "Status" },
	[PF_DEL_STATUS] = { FT_STATUS, CWMP_MAX_SHORT, "Status" },
	[PF_REBOOT_KEY] = { FT_STR, CWMP_MAX_KEY, "CommandKey" },
	[PF_DL_KEY] = { FT_STR, CWMP_MAX_KEY, "CommandKey" },
	[PF_DL_FILE_TYPE] = { FT_STR, CWMP_MAX_SHORT, "FileType" },
	[PF_DL_URL] = { FT_STR, CWMP_MAX_STRING, "URL" },
	[PF_DL_USER] = { FT_STR, CWMP_MAX_STRING, "Username" },
	[PF_DL_PASS] = { FT_STR, CWMP_MAX_STRING, "Password" },
	[PF_DL_SIZE] = { FT_U32, CWMP_MAX_SHORT, "FileSize" },
	[PF_DL_TARGET] = { FT_STR, CWMP_MAX_STRING, "TargetFileName" },
	[PF_DL_DELAY] = { FT_U32, CWMP_MAX_SHORT, "DelaySeconds" },
	[PF_DL_SUCCESS] = { FT_STR, CWMP_MAX_STRING, "SuccessURL" },
	[PF_DL_FAILURE] = { FT_STR, CWMP_MAX_STRING, "FailureURL" },
	[PF_DLR_STATUS] = { FT_STATUS, CWMP_MAX_SHORT, "Status" },
	[PF_DLR_START] = { FT_STR, CWMP_MAX_SHORT, "StartTime" },
	[PF_DLR_COMPLETE] = { FT_STR, CWMP_MAX_SHORT, "CompleteTime" },
	[PF_SI_DELAY] = { FT_U32, CWMP_MAX_SHORT, "DelaySeconds" },
	[PF_SI_KEY] = { FT_STR, CWMP_MAX_KEY, "CommandKey" },
	[PF_IR_MAX_ENV] = { FT_U32, CWMP_MAX_SHORT, "MaxEnvelopes" },
	[PF_TC_KEY] = { FT_STR, CWMP_MAX_KEY, "CommandKey" },
	[PF_TC_FAULT_CODE] = { FT_U32, CWMP_MAX_SHORT, "FaultCode" },
	[PF_TC_FAULT_STRING] = { FT_STR, CWMP_MAX_STRING, "FaultString" },
	[PF_TC_START] = { FT_STR, CWMP_MAX_SHORT, "StartTime" },
	[PF_TC_COMPLETE] = { FT_STR, CWMP_MAX_SHORT, "CompleteTime" },
	[PF_RD_FILE_TYPE] = { FT_STR, CWMP_MAX_SHORT, "FileType" },
	[PF_ARG_NAME] = { FT_STR, CWMP_MAX_SHORT, "Name" },
	[PF_ARG_VALUE] = { FT_STR, CWMP_MAX_STRING, "Value" },
};

/* Named children of a struct-like element; matched on the local name only, so qualified children
 * (cwmp:Name) are taken as well as the unqualified ones the schema prescribes. */
struct cwmp__child {
	const char *name;
	enum cwmp__pk kind;
	enum cwmp__pf field;
};

#define LEAF(n, f) { n, PK_LEAF, f }
#define NODE(n, k) { n, k, PF_NONE }
#define END { NULL, PK_IGNORE, PF_NONE }

static const struct cwmp__child cwmp__c_soap_fault[] = {
	LEAF("faultcode", PF_SOAP_FAULTCODE), NODE("detail", PK_DETAIL), END };
static const struct cwmp__child cwmp__c_cwmp_fault[] = {
	LEAF("FaultCode", PF_FAULT_CODE), LEAF("FaultString", PF_FAULT_STRING),
	NODE("SetParameterValuesFault", PK_SPVF), END };
static const struct cwmp__child cwmp__c_spvf[] = {
	LEAF("ParameterName", PF_SPVF_NAME), LEAF("FaultCode", PF_SPVF_CODE),
	LEAF("FaultString", PF_SPVF_STRING), END };
static const struct cwmp__child cwmp__c_device_id[] = {
	LEAF("Manufacturer", PF_MANUFACTURER), LEAF("OUI", PF_OUI), LEAF("ProductClass", PF_PRODUCT_CLASS),
	LEAF("SerialNumber", PF_SERIAL), END };
static const struct cwmp__child cwmp__c_event[] = {
	LEAF("EventCode", PF_EVENT_CODE), LEAF("CommandKey", PF_EVENT_KEY), END };
static const struct cwmp__child cwmp__c_pv[] = {
	LEAF("Name", PF_PV_NAME), LEAF("Value", PF_PV_VALUE), END };
static const struct cwmp__child cwmp__c_info[] = {
	LEAF("Name", PF_INFO_NAME), LEAF("Writable", PF_INFO_WRITABLE), END };
static const struct cwmp__child cwmp__c_spa[] = {
	LEAF("Name", PF_SPA_NAME), LEAF("NotificationChange", PF_SPA_NOTIF_CHANGE),
	LEAF("Notification", PF_SPA_NOTIF), LEAF("AccessListChange", PF_SPA_ACCESS_CHANGE),
	NODE("AccessList", PK_ACCESS_LIST), END };
static const struct cwmp__child cwmp__c_gpa[] = {
	LEAF("Name", PF_GPA_NAME), LEAF("Notification", PF_GPA_NOTIF), NODE("AccessList", PK_ACCESS_LIST), END };
static const struct cwmp__child cwmp__c_tc_fault[] = {
	LEAF("FaultCode", PF_TC_FAULT_CODE), LEAF("FaultString", PF_TC_FAULT_STRING), END };
static const struct cwmp__child cwmp__c_arg[] = {
	LEAF("Name", PF_ARG_NAME), LEAF("Value", PF_ARG_VALUE), END };

static const struct cwmp__child *const cwmp__kind_children[PK_COUNT] = {
	[PK_SOAP_FAULT] = cwmp__c_soap_fault,
	[PK_CWMP_FAULT] = cwmp__c_cwmp_fault,
	[PK_SPVF] = cwmp__c_spvf,
	[PK_DEVICE_ID] = cwmp__c_device_id,
	[PK_TC_FAULT] = cwmp__c_tc_fault,
	[PK_EVENT] = cwmp__c_event,
	[PK_PV] = cwmp__c_pv,
	[PK_INFO] = cwmp__c_info,
	[PK_SPA] = cwmp__c_spa,
	[PK_GPA] = cwmp__c_gpa,
	[PK_ARG] = cwmp__c_arg,
};

/* Children of each method element (cwmp-1-2.xsd); methods without arguments have none. */
static const struct cwmp__child cwmp__m_rpc_response[] = { NODE("MethodList", PK_METHOD_LIST), END };
static const struct cwmp__child cwmp__m_spv[] = {
	NODE("ParameterList", PK_PV_LIST), LEAF("ParameterKey", PF_SPV_KEY), END };
static const struct cwmp__child cwmp__m_spv_response[] = { LEAF("Status", PF_SPV_STATUS), END };
static const struct cwmp__child cwmp__m_names[] = { NODE("ParameterNames", PK_NAME_LIST), END };
static const struct cwmp__child cwmp__m_gpv_response[] = { NODE("ParameterList", PK_PV_LIST), END };
static const struct cwmp__child cwmp__m_gpn[] = {
	LEAF("ParameterPath", PF_GPN_PATH), LEAF("NextLevel", PF_GPN_NEXT), END };
static const struct cwmp__child cwmp__m_gpn_response[] = { NODE("ParameterList", PK_INFO_LIST), END };
static const struct cwmp__child cwmp__m_spa[] = { NODE("ParameterList", PK_SPA_LIST), END };
static const struct cwmp__child cwmp__m_gpa_response[] = { NODE("ParameterList", PK_GPA_LIST), END };
static const struct cwmp__child cwmp__m_object[] = {
	LEAF("ObjectName", PF_OBJ_NAME), LEAF("ParameterKey", PF_OBJ_KEY), END };
static const struct cwmp__child cwmp__m_add_response[] = {
	LEAF("InstanceNumber", PF_ADD_INSTANCE), LEAF("Status", PF_ADD_STATUS), END };
static const struct cwmp__child cwmp__m_del_response[] = { LEAF("Status", PF_DEL_STATUS), END };
static const struct cwmp__child cwmp__m_reboot[] = { LEAF("CommandKey", PF_REBOOT_KEY), END };
static const struct cwmp__child cwmp__m_download[] = {
	LEAF("CommandKey", PF_DL_KEY), LEAF("FileType", PF_DL_FILE_TYPE), LEAF("URL", PF_DL_URL),
	LEAF("Username", PF_DL_USER), LEAF("Password", PF_DL_PASS), LEAF("FileSize", PF_DL_SIZE),
	LEAF("TargetFileName", PF_DL_TARGET), LEAF("DelaySeconds", PF_DL_DELAY),
	LEAF("SuccessURL", PF_DL_SUCCESS), LEAF("FailureURL", PF_DL_FAILURE), END };
static const struct cwmp__child cwmp__m_download_response[] = {
	LEAF("Status", PF_DLR_STATUS), LEAF("StartTime", PF_DLR_START), LEAF("CompleteTime", PF_DLR_COMPLETE),
	END };
static const struct cwmp__child cwmp__m_schedule_inform[] = {
	LEAF("DelaySeconds", PF_SI_DELAY), LEAF("CommandKey", PF_SI_KEY), END };
static const struct cwmp__child cwmp__m_inform[] = {
	NODE("DeviceId", PK_DEVICE_ID), NODE("Event", PK_EVENT_LIST), LEAF("MaxEnvelopes", PF_INF_MAX_ENV),
	LEAF("CurrentTime", PF_INF_TIME), LEAF("RetryCount", PF_INF_RETRY), NODE("ParameterList", PK_PV_LIST),
	END };
static const struct cwmp__child cwmp__m_inform_response[] = { LEAF("MaxEnvelopes", PF_IR_MAX_ENV), END };
static const struct cwmp__child cwmp__m_transfer_complete[] = {
	LEAF("CommandKey", PF_TC_KEY), NODE("FaultStruct", PK_TC_FAULT), LEAF("StartTime", PF_TC_START),
	LEAF("CompleteTime", PF_TC_COMPLETE), END };
static const struct cwmp__child cwmp__m_request_download[] = {
	LEAF("FileType", PF_RD_FILE_TYPE), NODE("FileTypeArg", PK_ARG_LIST), END };

static const struct cwmp__child *const cwmp__method_children[CWMP_METHOD_COUNT] = {
	[CWMP_GET_RPC_METHODS_RESPONSE] = cwmp__m_rpc_response,
	[CWMP_SET_PARAMETER_VALUES] = cwmp__m_spv,
	[CWMP_SET_PARAMETER_VALUES_RESPONSE] = cwmp__m_spv_response,
	[CWMP_GET_PARAMETER_VALUES] = cwmp__m_names,
	[CWMP_GET_PARAMETER_VALUES_RESPONSE] = cwmp__m_gpv_response,
	[CWMP_GET_PARAMETER_NAMES] = cwmp__m_gpn,
	[CWMP_GET_PARAMETER_NAMES_RESPONSE] = cwmp__m_gpn_response,
	[CWMP_SET_PARAMETER_ATTRIBUTES] = cwmp__m_spa,
	[CWMP_GET_PARAMETER_ATTRIBUTES] = cwmp__m_names,
	[CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE] = cwmp__m_gpa_response,
	[CWMP_ADD_OBJECT] = cwmp__m_object,
	[CWMP_ADD_OBJECT_RESPONSE] = cwmp__m_add_response,
	[CWMP_DELETE_OBJECT] = cwmp__m_object,
	[CWMP_DELETE_OBJECT_RESPONSE] = cwmp__m_del_response,
	[CWMP_REBOOT] = cwmp__m_reboot,
	[CWMP_DOWNLOAD] = cwmp__m_download,
	[CWMP_DOWNLOAD_RESPONSE] = cwmp__m_download_response,
	[CWMP_SCHEDULE_INFORM] = cwmp__m_schedule_inform,
	[CWMP_INFORM] = cwmp__m_inform,
	[CWMP_INFORM_RESPONSE] = cwmp__m_inform_response,
	[CWMP_TRANSFER_COMPLETE] = cwmp__m_transfer_complete,
	[CWMP_REQUEST_DOWNLOAD] = cwmp__m_request_download,
};

/* An array under construction, inside the message arena. Growing allocates a new array of twice the
 * size and abandons the old one to the arena, so the waste stays below the final size. */
struct cwmp__list {
	void *items;
	size_t n, cap;
};

struct cwmp__frame {
	enum cwmp__pk kind;
	enum cwmp__pf field;
	unsigned long line;
};

struct cwmp__ctx {
	XML_Parser p;
	struct cwmp_msg *msg;
	char *err;
	size_t errlen;
	int result;

	struct cwmp__frame stack[CWMP_MAX_DEPTH];
	size_t depth;
	struct lf_buf text; /* character data of the open leaf; expat may deliver it in pieces */

	bool seen_body, seen_method;
	enum cwmp_method method;
	bool have_version, have_hdr_version;
	enum cwmp_version version, hdr_version;

	struct cwmp__list events, pv, names, access, infos, spas, gpas, spvf, args;
};

static unsigned long cwmp__line(struct cwmp__ctx *c)
{
	return (unsigned long)XML_GetCurrentLineNumber(c->p);
}

/* Record the first error (later ones are consequences) and stop expat. */
static void cwmp__fail(struct cwmp__ctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cwmp__fail(struct cwmp__ctx *c, int code, const char *fmt, ...)
{
	if (c->result)
		return;
	c->result = code;
	if (c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	XML_StopParser(c->p, XML_FALSE);
}

static void cwmp__fail_memory(struct cwmp__ctx *c)
{
	cwmp__fail(c, LF_ETOOBIG, "line %lu: message needs more than %zu bytes of memory", cwmp__line(c),
		   c->msg->arena.max);
}

static void *cwmp__list_push(struct cwmp__ctx *c, struct cwmp__list *l, size_t size, size_t max,
			     const char *what)
{
	if (l->n >= max) {
		cwmp__fail(c, LF_ETOOBIG, "line %lu: more than %zu entries in '%s'", cwmp__line(c), max, what);
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		if (cap > max)
			cap = max;
		void *items = lf_arena_alloc(&c->msg->arena, cap * size);
		if (!items) {
			cwmp__fail_memory(c);
			return NULL;
		}
		if (l->n)
			memcpy(items, l->items, l->n * size);
		l->items = items;
		l->cap = cap;
	}
	l->n++;
	return (char *)l->items + (l->n - 1) * size; /* zeroed by the arena */
}

/* The item being filled: the last one pushed. Only called inside that item's element, so n > 0. */
#define CWMP__LAST(l, type) ((type *)(l).items + ((l).n - 1))

static bool cwmp__version_of(const char *ns, enum cwmp_version *v)
{
	for (int i = CWMP_V1_0; i <= CWMP_V1_2; i++) {
		if (strcmp(ns, cwmp_ns_uri((enum cwmp_version)i)) == 0) {
			*v = (enum cwmp_version)i;
			return true;
		}
	}
	return false;
}

/* Split expat's "URI|local" in place into ns ("" when unqualified) and local. */
static void cwmp__split(char *qname, const char **ns, const char **local)
{
	char *sep = strrchr(qname, CWMP__NS_SEP);
	if (!sep) {
		*ns = "";
		*local = qname;
		return;
	}
	*sep = '\0';
	*ns = qname;
	*local = sep + 1;
}

static const struct cwmp__child *cwmp__find(const struct cwmp__child *table, const char *local)
{
	for (; table && table->name; table++) {
		if (strcmp(table->name, local) == 0)
			return table;
	}
	return NULL;
}

/* An item push for kinds that are array items (or, for SetParameterValuesFault, repeated structs). */
static void cwmp__begin_item(struct cwmp__ctx *c, enum cwmp__pk kind, const char *local)
{
	switch (kind) {
	case PK_EVENT:
		cwmp__list_push(c, &c->events, sizeof(struct cwmp_event), CWMP_MAX_EVENTS, "Event");
		break;
	case PK_PV:
		cwmp__list_push(c, &c->pv, sizeof(struct cwmp_param_value), CWMP_MAX_LIST, "ParameterList");
		break;
	case PK_INFO:
		cwmp__list_push(c, &c->infos, sizeof(struct cwmp_param_info), CWMP_MAX_LIST, "ParameterList");
		break;
	case PK_SPA:
		cwmp__list_push(c, &c->spas, sizeof(struct cwmp_set_attr), CWMP_MAX_LIST, "ParameterList");
		break;
	case PK_GPA:
		cwmp__list_push(c, &c->gpas, sizeof(struct cwmp_param_attr), CWMP_MAX_LIST, "ParameterList");
		break;
	case PK_SPVF:
		cwmp__list_push(c, &c->spvf, sizeof(struct cwmp_spv_fault), CWMP_MAX_LIST, local);
		break;
	case PK_ARG:
		cwmp__list_push(c, &c->args, sizeof(struct cwmp_arg), CWMP_MAX_LIST, "FileTypeArg");
		break;
	case PK_ACCESS_LIST:
		/* A new AccessList replaces any earlier one of the same struct. */
		memset(&c->access, 0, sizeof(c->access));
		break;
	default:
		break;
	}
}

/* The Body's child decides the message: a SOAP Fault, or a method in a cwmp namespace. */
static enum cwmp__pk cwmp__body_child(struct cwmp__ctx *c, const char *ns, const char *local)
{
	enum cwmp_version v;

	if (c->seen_method) {
		cwmp__fail(c, LF_EPARSE, "line %lu: more than one element in the SOAP Body ('%.64s')", cwmp__line(c),
			   local);
		return PK_IGNORE;
	}
	c->seen_method = true;
	if (strcmp(ns, CWMP__SOAP_ENV) == 0 && strcmp(local, "Fault") == 0) {
		c->method = CWMP_FAULT;
		return PK_SOAP_FAULT;
	}
	if (!cwmp__version_of(ns, &v)) {
		cwmp__fail(c, LF_EUNSUPPORTED, "line %lu: Body element '%.64s' is not in a cwmp namespace (%.80s)",
			   cwmp__line(c), local, ns[0] ? ns : "none");
		return PK_IGNORE;
	}
	c->version = v;
	c->have_version = true;
	int m = cwmp_method_from_name(local);
	if (m < 0) {
		cwmp__fail(c, LF_EUNSUPPORTED, "line %lu: unsupported CWMP method '%.64s'", cwmp__line(c), local);
		return PK_IGNORE;
	}
	c->method = (enum cwmp_method)m;
	/* A bare cwmp:Fault in the Body is not SOAP, but its meaning is plain: take it. */
	return m == CWMP_FAULT ? PK_CWMP_FAULT : PK_METHOD;
}

/* Decide what a new element is from its parent. */
static struct cwmp__frame cwmp__classify(struct cwmp__ctx *c, const char *ns, const char *local)
{
	struct cwmp__frame f = { PK_IGNORE, PF_NONE, cwmp__line(c) };
	enum cwmp_version v;
	const struct cwmp__child *ch = NULL;

	if (c->depth == 0) {
		if (strcmp(ns, CWMP__SOAP_ENV) == 0 && strcmp(local, "Envelope") == 0)
			f.kind = PK_ENVELOPE;
		else
			cwmp__fail(c, LF_EPARSE, "line %lu: not a SOAP 1.1 envelope: root element is '%.64s'",
				   f.line, local);
		return f;
	}

	enum cwmp__pk parent = c->stack[c->depth - 1].kind;
	switch (parent) {
	case PK_IGNORE:
	case PK_LEAF:
		break;
	case PK_ENVELOPE:
		if (strcmp(ns, CWMP__SOAP_ENV) != 0)
			break;
		if (strcmp(local, "Header") == 0) {
			f.kind = PK_HEADER;
		} else if (strcmp(local, "Body") == 0) {
			f.kind = PK_BODY;
			c->seen_body = true;
		}
		break;
	case PK_HEADER:
		/* cwmp:ID, cwmp:HoldRequests, cwmp:SessionTimeout; other headers (SupportedCWMPVersions...) skipped. */
		if (!cwmp__version_of(ns, &v))
			break;
		if (strcmp(local, "ID") == 0) {
			f.kind = PK_LEAF;
			f.field = PF_ID;
			c->hdr_version = v;
			c->have_hdr_version = true;
		} else if (strcmp(local, "HoldRequests") == 0) {
			f.kind = PK_LEAF;
			f.field = PF_HOLD;
		} else if (strcmp(local, "SessionTimeout") == 0) {
			f.kind = PK_LEAF;
			f.field = PF_TIMEOUT;
		}
		break;
	case PK_BODY:
		f.kind = cwmp__body_child(c, ns, local);
		break;
	case PK_METHOD:
		ch = cwmp__find(cwmp__method_children[c->method], local);
		break;
	case PK_DETAIL:
		if (strcmp(local, "Fault") == 0) {
			f.kind = PK_CWMP_FAULT;
			if (cwmp__version_of(ns, &v)) {
				c->version = v;
				c->have_version = true;
			}
		}
		break;
	case PK_EVENT_LIST: f.kind = PK_EVENT; break;
	case PK_PV_LIST: f.kind = PK_PV; break;
	case PK_INFO_LIST: f.kind = PK_INFO; break;
	case PK_SPA_LIST: f.kind = PK_SPA; break;
	case PK_GPA_LIST: f.kind = PK_GPA; break;
	case PK_ARG_LIST: f.kind = PK_ARG; break;
	case PK_NAME_LIST:
		f.kind = PK_LEAF;
		f.field = PF_NAME_ITEM;
		break;
	case PK_METHOD_LIST:
		f.kind = PK_LEAF;
		f.field = PF_METHOD_ITEM;
		break;
	case PK_ACCESS_LIST:
		f.kind = PK_LEAF;
		f.field = PF_ACCESS_ITEM;
		break;
	default:
		ch = cwmp__find(cwmp__kind_children[parent], local);
		break;
	}
	if (ch) {
		f.kind = ch->kind;
		f.field = ch->field;
	}
	return f;
}

/* xsi:type of a Value, verbatim, in either XML Schema instance namespace. */
static void cwmp__value_type(struct cwmp__ctx *c, const XML_Char **atts)
{
	static const char t2001[] = CWMP__XSI_2001 "|type", t1999[] = CWMP__XSI_1999 "|type";

	for (size_t i = 0; atts[i]; i += 2) {
		if (strcmp(atts[i], t2001) != 0 && strcmp(atts[i], t1999) != 0)
			continue;
		size_t n = strlen(atts[i + 1]);
		if (n > CWMP_MAX_STRING) {
			cwmp__fail(c, LF_ETOOBIG, "line %lu: xsi:type of element 'Value' longer than %d bytes",
				   cwmp__line(c), CWMP_MAX_STRING);
			return;
		}
		const char *t = lf_arena_strndup(&c->msg->arena, atts[i + 1], n);
		if (!t) {
			cwmp__fail_memory(c);
			return;
		}
		CWMP__LAST(c->pv, struct cwmp_param_value)->type = t;
	}
}

static void XMLCALL cwmp__on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct cwmp__ctx *c = ud;
	const char *ns, *local;

	if (c->result)
		return;
	/* Expat's name buffer is ours to read only; split a bounded copy. */
	char qname[1024];
	size_t n = strlen(name);
	if (n >= sizeof(qname)) {
		cwmp__fail(c, LF_ETOOBIG, "line %lu: element name longer than %zu bytes", cwmp__line(c),
			   sizeof(qname) - 1);
		return;
	}
	memcpy(qname, name, n + 1);
	cwmp__split(qname, &ns, &local);

	if (c->depth >= CWMP_MAX_DEPTH) {
		cwmp__fail(c, LF_ETOOBIG, "line %lu: element '%.64s' nested deeper than %d levels", cwmp__line(c),
			   local, CWMP_MAX_DEPTH);
		return;
	}
	struct cwmp__frame f = cwmp__classify(c, ns, local);
	if (c->result)
		return;
	cwmp__begin_item(c, f.kind, local);
	if (c->result)
		return;
	if (f.kind == PK_LEAF) {
		lf_buf_reset(&c->text);
		if (f.field == PF_PV_VALUE)
			cwmp__value_type(c, atts);
	}
	c->stack[c->depth++] = f;
}

static void XMLCALL cwmp__on_text(void *ud, const XML_Char *s, int len)
{
	struct cwmp__ctx *c = ud;

	if (c->result || c->depth == 0 || len <= 0)
		return;
	const struct cwmp__frame *f = &c->stack[c->depth - 1];
	/* Text outside leaves is the whitespace between elements (or junk a tolerant reader skips). */
	if (f->kind != PK_LEAF)
		return;
	size_t cap = cwmp__fields[f->field].cap;
	if ((size_t)len > cap - c->text.len) {
		cwmp__fail(c, LF_ETOOBIG, "line %lu: element '%s' longer than %zu bytes", cwmp__line(c),
			   cwmp__fields[f->field].name, cap);
		return;
	}
	int result = lf_buf_append(&c->text, s, (size_t)len);
	if (result)
		cwmp__fail(c, result, "line %lu: element '%s' too long", cwmp__line(c), cwmp__fields[f->field].name);
}

static bool cwmp__is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* xs:unsignedInt, strictly: optional surrounding whitespace (the type's whiteSpace facet is collapse),
 * an optional '+', at least one digit, nothing else, at most 4294967295. */
static bool cwmp__parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	size_t digits = 0;

	while (cwmp__is_space(*s))
		s++;
	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	while (cwmp__is_space(*s))
		s++;
	if (!digits || *s)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* xs:boolean: "0", "1", "true", "false" (whitespace collapsed). */
static bool cwmp__parse_bool(const char *s, bool *out)
{
	size_t n;

	while (cwmp__is_space(*s))
		s++;
	n = strlen(s);
	while (n && cwmp__is_space(s[n - 1]))
		n--;
	if ((n == 1 && s[0] == '1') || (n == 4 && memcmp(s, "true", 4) == 0)) {
		*out = true;
		return true;
	}
	if ((n == 1 && s[0] == '0') || (n == 5 && memcmp(s, "false", 5) == 0)) {
		*out = false;
		return true;
	}
	return false;
}

/* Store a string leaf. */
static void cwmp__store_str(struct cwmp__ctx *c, enum cwmp__pf field, const char *s)
{
	struct cwmp_msg *m = c->msg;
	const char **slot = NULL;

	switch (field) {
	case PF_ID: m->id = s; break;
	case PF_SOAP_FAULTCODE: m->u.fault.soap_faultcode = s; break;
	case PF_FAULT_STRING: m->u.fault.string = s; break;
	case PF_SPVF_NAME: CWMP__LAST(c->spvf, struct cwmp_spv_fault)->name = s; break;
	case PF_SPVF_STRING: CWMP__LAST(c->spvf, struct cwmp_spv_fault)->string = s; break;
	case PF_MANUFACTURER: m->u.inform.device_id.manufacturer = s; break;
	case PF_OUI: m->u.inform.device_id.oui = s; break;
	case PF_PRODUCT_CLASS: m->u.inform.device_id.product_class = s; break;
	case PF_SERIAL: m->u.inform.device_id.serial_number = s; break;
	case PF_EVENT_CODE: CWMP__LAST(c->events, struct cwmp_event)->code = s; break;
	case PF_EVENT_KEY: CWMP__LAST(c->events, struct cwmp_event)->command_key = s; break;
	case PF_INF_TIME: m->u.inform.current_time = s; break;
	case PF_PV_NAME: CWMP__LAST(c->pv, struct cwmp_param_value)->name = s; break;
	case PF_PV_VALUE: CWMP__LAST(c->pv, struct cwmp_param_value)->value = s; break;
	case PF_NAME_ITEM:
		slot = cwmp__list_push(c, &c->names, sizeof(char *), CWMP_MAX_LIST, "ParameterNames");
		break;
	case PF_METHOD_ITEM:
		slot = cwmp__list_push(c, &c->names, sizeof(char *), CWMP_MAX_LIST, "MethodList");
		break;
	case PF_ACCESS_ITEM:
		slot = cwmp__list_push(c, &c->access, sizeof(char *), CWMP_MAX_ACCESS, "AccessList");
		break;
	case PF_INFO_NAME: CWMP__LAST(c->infos, struct cwmp_param_info)->name = s; break;
	case PF_SPA_NAME: CWMP__LAST(c->spas, struct cwmp_set_attr)->name = s; break;
	case PF_GPA_NAME: CWMP__LAST(c->gpas, struct cwmp_param_attr)->name = s; break;
	case PF_SPV_KEY: m->u.spv.parameter_key = s; break;
	case PF_GPN_PATH: m->u.gpn.path = s; break;
	case PF_OBJ_NAME: m->u.object.object_name = s; break;
	case PF_OBJ_KEY: m->u.object.parameter_key = s; break;
	case PF_REBOOT_KEY: m->u.reboot.command_key = s; break;
	case PF_DL_KEY: m->u.download.command_key = s; break;
	case PF_DL_FILE_TYPE: m->u.download.file_type = s; break;
	case PF_DL_URL: m->u.download.url = s; break;
	case PF_DL_USER: m->u.download.username = s; break;
	case PF_DL_PASS: m->u.download.password = s; break;
	case PF_DL_TARGET: m->u.download.target_file_name = s; break;
	case PF_DL_SUCCESS: m->u.download.success_url = s; break;
	case PF_DL_FAILURE: m->u.download.failure_url = s; break;
	case PF_DLR_START: m->u.download_response.start_time = s; break;
	case PF_DLR_COMPLETE: m->u.download_response.complete_time = s; break;
	case PF_SI_KEY: m->u.schedule_inform.command_key = s; break;
	case PF_TC_KEY: m->u.transfer_complete.command_key = s; break;
	case PF_TC_FAULT_STRING: m->u.transfer_complete.fault_string = s; break;
	case PF_TC_START: m->u.transfer_complete.start_time = s; break;
	case PF_TC_COMPLETE: m->u.transfer_complete.complete_time = s; break;
	case PF_RD_FILE_TYPE: m->u.request_download.file_type = s; break;
	case PF_ARG_NAME: CWMP__LAST(c->args, struct cwmp_arg)->name = s; break;
	case PF_ARG_VALUE: CWMP__LAST(c->args, struct cwmp_arg)->value = s; break;
	default: break;
	}
	if (slot)
		*slot = s;
}

static void cwmp__store_u32(struct cwmp__ctx *c, enum cwmp__pf field, uint32_t v)
{
	struct cwmp_msg *m = c->msg;

	switch (field) {
	case PF_TIMEOUT: m->session_timeout = v; break;
	case PF_FAULT_CODE: m->u.fault.code = v; break;
	case PF_SPVF_CODE: CWMP__LAST(c->spvf, struct cwmp_spv_fault)->code = v; break;
	case PF_INF_MAX_ENV: m->u.inform.max_envelopes = v; break;
	case PF_INF_RETRY: m->u.inform.retry_count = v; break;
	case PF_ADD_INSTANCE: m->u.add_object_response.instance_number = v; break;
	case PF_DL_SIZE: m->u.download.file_size = v; break;
	case PF_DL_DELAY: m->u.download.delay_seconds = v; break;
	case PF_SI_DELAY: m->u.schedule_inform.delay_seconds = v; break;
	case PF_IR_MAX_ENV: m->u.inform_response.max_envelopes = v; break;
	case PF_TC_FAULT_CODE: m->u.transfer_complete.fault_code = v; break;
	/* Status and Notification, already range-checked. */
	case PF_SPV_STATUS: m->u.spv_response.status = (int)v; break;
	case PF_ADD_STATUS: m->u.add_object_response.status = (int)v; break;
	case PF_DEL_STATUS: m->u.delete_object_response.status = (int)v; break;
	case PF_DLR_STATUS: m->u.download_response.status = (int)v; break;
	case PF_SPA_NOTIF: CWMP__LAST(c->spas, struct cwmp_set_attr)->notification = (int)v; break;
	case PF_GPA_NOTIF: CWMP__LAST(c->gpas, struct cwmp_param_attr)->notification = (int)v; break;
	default: break;
	}
}

static void cwmp__store_bool(struct cwmp__ctx *c, enum cwmp__pf field, bool v)
{
	struct cwmp_msg *m = c->msg;

	switch (field) {
	case PF_HOLD:
		m->has_hold_requests = true;
		m->hold_requests = v;
		break;
	case PF_INFO_WRITABLE: CWMP__LAST(c->infos, struct cwmp_param_info)->writable = v; break;
	case PF_SPA_NOTIF_CHANGE: CWMP__LAST(c->spas, struct cwmp_set_attr)->notification_change = v; break;
	case PF_SPA_ACCESS_CHANGE: CWMP__LAST(c->spas, struct cwmp_set_attr)->access_list_change = v; break;
	case PF_GPN_NEXT: m->u.gpn.next_level = v; break;
	default: break;
	}
}

/* A leaf closed: convert its text by the field's type and store it. */
static void cwmp__end_leaf(struct cwmp__ctx *c, const struct cwmp__frame *f)
{
	const char *text = c->text.data ? c->text.data : "";
	const char *name = cwmp__fields[f->field].name;
	uint32_t u;
	bool b;

	switch (cwmp__fields[f->field].type) {
	case FT_OUI:
	case FT_STR: {
		bool oui = cwmp__fields[f->field].type == FT_OUI;
		for (size_t i = 0; oui && i < c->text.len; i++) {
			char ch = text[i];
			if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F') || (ch >= 'a' && ch <= 'f'))) {
				cwmp__fail(c, LF_EPARSE, "line %lu: element 'OUI': '%.16s' is not hexadecimal",
					   f->line, text);
				return;
			}
		}
		/* Empty text costs nothing: every empty field shares the literal. */
		char *s = c->text.len ? lf_arena_strndup(&c->msg->arena, text, c->text.len) : NULL;
		if (c->text.len && !s) {
			cwmp__fail_memory(c);
			return;
		}
		/* cwmp.h: the OUI is kept upper-case, whatever case the CPE used. */
		for (size_t i = 0; oui && i < c->text.len; i++) {
			if (s[i] >= 'a' && s[i] <= 'f')
				s[i] = (char)(s[i] - 'a' + 'A');
		}
		cwmp__store_str(c, f->field, s ? s : "");
		return;
	}
	case FT_U32:
	case FT_STATUS:
	case FT_NOTIF:
		if (!cwmp__parse_u32(text, &u)) {
			cwmp__fail(c, LF_EPARSE, "line %lu: element '%s': '%.32s' is not an unsigned integer", f->line,
				   name, text);
			return;
		}
		if ((cwmp__fields[f->field].type == FT_STATUS && u > 1) ||
		    (cwmp__fields[f->field].type == FT_NOTIF && u > 6)) {
			cwmp__fail(c, LF_EPARSE, "line %lu: element '%s': %lu is out of range (0..%d)", f->line, name,
				   (unsigned long)u, cwmp__fields[f->field].type == FT_STATUS ? 1 : 6);
			return;
		}
		cwmp__store_u32(c, f->field, u);
		return;
	case FT_BOOL:
		if (!cwmp__parse_bool(text, &b)) {
			cwmp__fail(c, LF_EPARSE, "line %lu: element '%s': '%.32s' is not a boolean", f->line, name,
				   text);
			return;
		}
		cwmp__store_bool(c, f->field, b);
		return;
	}
}

static void XMLCALL cwmp__on_end(void *ud, const XML_Char *name)
{
	struct cwmp__ctx *c = ud;

	if (c->result || c->depth == 0)
		return;
	struct cwmp__frame f = c->stack[--c->depth];
	if (f.kind == PK_LEAF) {
		cwmp__end_leaf(c, &f);
	} else if (f.kind == PK_ACCESS_LIST && c->depth > 0) {
		enum cwmp__pk owner = c->stack[c->depth - 1].kind;
		if (owner == PK_SPA) {
			struct cwmp_set_attr *a = CWMP__LAST(c->spas, struct cwmp_set_attr);
			a->access_list = c->access.items;
			a->n_access = c->access.n;
		} else if (owner == PK_GPA) {
			struct cwmp_param_attr *a = CWMP__LAST(c->gpas, struct cwmp_param_attr);
			a->access_list = c->access.items;
			a->n_access = c->access.n;
		}
	}
}

/* TR-069 3.7.2: no DTD. Refusing it outright also refuses every entity declaration, internal or
 * external, so billion-laughs and XXE payloads never reach expansion. */
static void XMLCALL cwmp__on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
				     int has_internal_subset)
{
	struct cwmp__ctx *c = ud;
	char *sep = strrchr(name, CWMP__NS_SEP);
	cwmp__fail(c, LF_EPARSE, "line %lu: DTD not allowed (DOCTYPE '%.64s')", cwmp__line(c), sep ? sep + 1 : name);
}

static void XMLCALL cwmp__on_entity_decl(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
					 int value_len, const XML_Char *base, const XML_Char *sysid,
					 const XML_Char *pubid, const XML_Char *notation)
{
	struct cwmp__ctx *c = ud;
	cwmp__fail(c, LF_EPARSE, "line %lu: entity declaration not allowed ('%.64s')", cwmp__line(c), name);
}

static int XMLCALL cwmp__on_external_entity(XML_Parser p, const XML_Char *context, const XML_Char *base,
					    const XML_Char *sysid, const XML_Char *pubid)
{
	struct cwmp__ctx *c = XML_GetUserData(p);
	cwmp__fail(c, LF_EPARSE, "line %lu: external entity not allowed", cwmp__line(c));
	return XML_STATUS_ERROR;
}

static const char *cwmp__nz(const char *s)
{
	return s ? s : "";
}

/* Hand the arrays to the message and give absent strings the value "" so users need no NULL checks
 * (the ID header and a Value's xsi:type stay NULL when absent, as cwmp.h says). */
static void cwmp__finish(struct cwmp__ctx *c)
{
	struct cwmp_msg *m = c->msg;

	m->method = c->method;
	if (c->have_version)
		m->version = c->version;
	else if (c->have_hdr_version)
		m->version = c->hdr_version;

	struct cwmp_param_value *pv = c->pv.items;
	for (size_t i = 0; i < c->pv.n; i++) {
		pv[i].name = cwmp__nz(pv[i].name);
		pv[i].value = cwmp__nz(pv[i].value);
	}

	switch (m->method) {
	case CWMP_FAULT: {
		struct cwmp_spv_fault *spvf = c->spvf.items;
		for (size_t i = 0; i < c->spvf.n; i++) {
			spvf[i].name = cwmp__nz(spvf[i].name);
			spvf[i].string = cwmp__nz(spvf[i].string);
		}
		m->u.fault.spv = spvf;
		m->u.fault.n_spv = c->spvf.n;
		m->u.fault.string = cwmp__nz(m->u.fault.string);
		break;
	}
	case CWMP_GET_RPC_METHODS_RESPONSE:
		m->u.rpc_methods.methods = c->names.items;
		m->u.rpc_methods.n = c->names.n;
		break;
	case CWMP_SET_PARAMETER_VALUES:
		m->u.spv.params = pv;
		m->u.spv.n = c->pv.n;
		m->u.spv.parameter_key = cwmp__nz(m->u.spv.parameter_key);
		break;
	case CWMP_GET_PARAMETER_VALUES:
	case CWMP_GET_PARAMETER_ATTRIBUTES:
		m->u.names.names = c->names.items;
		m->u.names.n = c->names.n;
		break;
	case CWMP_GET_PARAMETER_VALUES_RESPONSE:
		m->u.gpv_response.params = pv;
		m->u.gpv_response.n = c->pv.n;
		break;
	case CWMP_GET_PARAMETER_NAMES:
		m->u.gpn.path = cwmp__nz(m->u.gpn.path);
		break;
	case CWMP_GET_PARAMETER_NAMES_RESPONSE: {
		struct cwmp_param_info *in = c->infos.items;
		for (size_t i = 0; i < c->infos.n; i++)
			in[i].name = cwmp__nz(in[i].name);
		m->u.gpn_response.params = in;
		m->u.gpn_response.n = c->infos.n;
		break;
	}
	case CWMP_SET_PARAMETER_ATTRIBUTES: {
		struct cwmp_set_attr *a = c->spas.items;
		for (size_t i = 0; i < c->spas.n; i++)
			a[i].name = cwmp__nz(a[i].name);
		m->u.spa.attrs = a;
		m->u.spa.n = c->spas.n;
		break;
	}
	case CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE: {
		struct cwmp_param_attr *a = c->gpas.items;
		for (size_t i = 0; i < c->gpas.n; i++)
			a[i].name = cwmp__nz(a[i].name);
		m->u.gpa_response.attrs = a;
		m->u.gpa_response.n = c->gpas.n;
		break;
	}
	case CWMP_ADD_OBJECT:
	case CWMP_DELETE_OBJECT:
		m->u.object.object_name = cwmp__nz(m->u.object.object_name);
		m->u.object.parameter_key = cwmp__nz(m->u.object.parameter_key);
		break;
	case CWMP_REBOOT:
		m->u.reboot.command_key = cwmp__nz(m->u.reboot.command_key);
		break;
	case CWMP_DOWNLOAD: {
		struct cwmp_download *d = &m->u.download;
		d->command_key = cwmp__nz(d->command_key);
		d->file_type = cwmp__nz(d->file_type);
		d->url = cwmp__nz(d->url);
		d->username = cwmp__nz(d->username);
		d->password = cwmp__nz(d->password);
		d->target_file_name = cwmp__nz(d->target_file_name);
		d->success_url = cwmp__nz(d->success_url);
		d->failure_url = cwmp__nz(d->failure_url);
		break;
	}
	case CWMP_DOWNLOAD_RESPONSE:
		m->u.download_response.start_time = cwmp__nz(m->u.download_response.start_time);
		m->u.download_response.complete_time = cwmp__nz(m->u.download_response.complete_time);
		break;
	case CWMP_SCHEDULE_INFORM:
		m->u.schedule_inform.command_key = cwmp__nz(m->u.schedule_inform.command_key);
		break;
	case CWMP_INFORM: {
		struct cwmp_inform *in = &m->u.inform;
		struct cwmp_event *ev = c->events.items;
		for (size_t i = 0; i < c->events.n; i++) {
			ev[i].code = cwmp__nz(ev[i].code);
			ev[i].command_key = cwmp__nz(ev[i].command_key);
		}
		in->device_id.manufacturer = cwmp__nz(in->device_id.manufacturer);
		in->device_id.oui = cwmp__nz(in->device_id.oui);
		in->device_id.product_class = cwmp__nz(in->device_id.product_class);
		in->device_id.serial_number = cwmp__nz(in->device_id.serial_number);
		in->events = ev;
		in->n_events = c->events.n;
		in->current_time = cwmp__nz(in->current_time);
		in->params = pv;
		in->n_params = c->pv.n;
		break;
	}
	case CWMP_TRANSFER_COMPLETE: {
		struct cwmp_transfer_complete *t = &m->u.transfer_complete;
		t->command_key = cwmp__nz(t->command_key);
		t->fault_string = cwmp__nz(t->fault_string);
		t->start_time = cwmp__nz(t->start_time);
		t->complete_time = cwmp__nz(t->complete_time);
		break;
	}
	case CWMP_REQUEST_DOWNLOAD: {
		struct cwmp_arg *a = c->args.items;
		for (size_t i = 0; i < c->args.n; i++) {
			a[i].name = cwmp__nz(a[i].name);
			a[i].value = cwmp__nz(a[i].value);
		}
		m->u.request_download.file_type = cwmp__nz(m->u.request_download.file_type);
		m->u.request_download.args = a;
		m->u.request_download.n = c->args.n;
		break;
	}
	default:
		break;
	}
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_parse: parse one SOAP envelope of len bytes into msg. Whatever msg held is released first;
 * on return every string and array of msg lives in msg->arena (cwmp_msg_free releases them).
 * Returns LF_OK; LF_ETOOBIG (a CWMP_MAX_* limit), LF_EPARSE (not XML, not SOAP, DTD, bad value),
 * LF_EUNSUPPORTED (a method we do not know; msg->id is set when the header carried one), each with
 * "line N: ..." in err. On error only msg->id may be used.
 */
int cwmp_parse(struct cwmp_msg *msg, const char *xml, size_t len, char *err, size_t errlen)
{
	return cwmp_parse_with(NULL, msg, xml, len, err, errlen);
}

struct cwmp_parser {
	XML_Parser p;
	unsigned long salt; /* expat's hash salt, drawn once: a reset parser would draw a new one per message */
	struct lf_buf text; /* the leaf text buffer, kept with its allocation between messages */
};

struct cwmp_parser *cwmp_parser_new(void)
{
	struct cwmp_parser *cp = lf_calloc(1, sizeof(*cp));
	lf_buf_init(&cp->text, CWMP_MAX_VALUE);
	lf_random_bytes(&cp->salt, sizeof(cp->salt));
	if (!cp->salt)
		cp->salt = 1; /* 0 asks expat to draw one itself */
	return cp;
}

void cwmp_parser_free(struct cwmp_parser **pp)
{
	struct cwmp_parser *cp = *pp;
	if (!cp)
		return;
	if (cp->p)
		XML_ParserFree(cp->p);
	lf_buf_free(&cp->text);
	lf_free(cp);
	*pp = NULL;
}

/* The expat parser for one message: cp's, reset to a fresh state (handlers included), or a new one. */
static XML_Parser cwmp__parser_get(struct cwmp_parser *cp)
{
	if (!cp)
		return XML_ParserCreateNS(NULL, CWMP__NS_SEP);
	if (cp->p && XML_ParserReset(cp->p, NULL) != XML_TRUE) {
		XML_ParserFree(cp->p);
		cp->p = NULL;
	}
	if (!cp->p)
		cp->p = XML_ParserCreateNS(NULL, CWMP__NS_SEP);
	if (cp->p)
		XML_SetHashSalt(cp->p, cp->salt);
	return cp->p;
}

int cwmp_parse_with(struct cwmp_parser *cp, struct cwmp_msg *msg, const char *xml, size_t len, char *err,
		    size_t errlen)
{
	struct cwmp__ctx c;
	int result = LF_OK;

	cwmp_msg_free(msg);
	memset(&c, 0, sizeof(c));
	c.msg = msg;
	c.err = err;
	c.errlen = errlen;
	c.method = CWMP_EMPTY;
	if (cp) {
		c.text = cp->text;
		lf_buf_reset(&c.text);
	} else {
		lf_buf_init(&c.text, CWMP_MAX_VALUE);
	}
	if (err && errlen)
		err[0] = '\0';

	if (len > CWMP_MAX_MESSAGE) {
		if (err && errlen)
			snprintf(err, errlen, "message of %zu bytes is over the limit of %d bytes", len,
				 CWMP_MAX_MESSAGE);
		result = LF_ETOOBIG;
		goto out;
	}
	if (len == 0 || !xml) {
		if (err && errlen)
			snprintf(err, errlen, "empty message");
		result = LF_EPARSE;
		goto out;
	}

	c.p = cwmp__parser_get(cp);
	if (!c.p) {
		if (err && errlen)
			snprintf(err, errlen, "cannot create the XML parser");
		result = LF_ENOMEM;
		goto out;
	}
	XML_SetUserData(c.p, &c);
	XML_SetElementHandler(c.p, cwmp__on_start, cwmp__on_end);
	XML_SetCharacterDataHandler(c.p, cwmp__on_text);
	XML_SetStartDoctypeDeclHandler(c.p, cwmp__on_doctype);
	XML_SetEntityDeclHandler(c.p, cwmp__on_entity_decl);
	XML_SetExternalEntityRefHandler(c.p, cwmp__on_external_entity);
	XML_SetParamEntityParsing(c.p, XML_PARAM_ENTITY_PARSING_NEVER);

	if (XML_Parse(c.p, xml, (int)len, XML_TRUE) != XML_STATUS_OK && !c.result) {
		c.result = LF_EPARSE;
		if (err && errlen)
			snprintf(err, errlen, "line %lu, column %lu: %s", (unsigned long)XML_GetCurrentLineNumber(c.p),
				 (unsigned long)XML_GetCurrentColumnNumber(c.p),
				 XML_ErrorString(XML_GetErrorCode(c.p)));
	}
	if (c.result) {
		result = c.result;
		goto out;
	}
	if (!c.seen_body) {
		if (err && errlen)
			snprintf(err, errlen, "SOAP envelope without a Body");
		result = LF_EPARSE;
		goto out;
	}
	cwmp__finish(&c);

out:
	if (cp) {
		cp->text = c.text; /* keep the (possibly grown) buffer; the parser stays in cp for the next message */
	} else {
		if (c.p)
			XML_ParserFree(c.p);
		lf_buf_free(&c.text);
	}
	if (result) {
		/* Nothing but the ID header is meant to be used after an error. */
		memset(&msg->u, 0, sizeof(msg->u));
		msg->method = CWMP_EMPTY;
	}
	return result;
}
