/* msg.c: CWMP message lifetime, method name tables, fault texts and namespace URIs. */
#include <string.h>

#include "cwmp/cwmp.h"

/* Everything a parse allocates lives in the message's arena. The input is at most CWMP_MAX_MESSAGE bytes;
 * strings copied out of it, their alignment padding and the list arrays (grown by doubling) stay well
 * under four times that, so this cap is only reached by input built to exhaust memory. */
#define CWMP__ARENA_MAX (4 * CWMP_MAX_MESSAGE + 64 * 1024)

static const char *const cwmp__method_names[CWMP_METHOD_COUNT] = {
	[CWMP_EMPTY] = "(empty)",
	[CWMP_FAULT] = "Fault",
	[CWMP_GET_RPC_METHODS] = "GetRPCMethods",
	[CWMP_GET_RPC_METHODS_RESPONSE] = "GetRPCMethodsResponse",
	[CWMP_SET_PARAMETER_VALUES] = "SetParameterValues",
	[CWMP_SET_PARAMETER_VALUES_RESPONSE] = "SetParameterValuesResponse",
	[CWMP_GET_PARAMETER_VALUES] = "GetParameterValues",
	[CWMP_GET_PARAMETER_VALUES_RESPONSE] = "GetParameterValuesResponse",
	[CWMP_GET_PARAMETER_NAMES] = "GetParameterNames",
	[CWMP_GET_PARAMETER_NAMES_RESPONSE] = "GetParameterNamesResponse",
	[CWMP_SET_PARAMETER_ATTRIBUTES] = "SetParameterAttributes",
	[CWMP_SET_PARAMETER_ATTRIBUTES_RESPONSE] = "SetParameterAttributesResponse",
	[CWMP_GET_PARAMETER_ATTRIBUTES] = "GetParameterAttributes",
	[CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE] = "GetParameterAttributesResponse",
	[CWMP_ADD_OBJECT] = "AddObject",
	[CWMP_ADD_OBJECT_RESPONSE] = "AddObjectResponse",
	[CWMP_DELETE_OBJECT] = "DeleteObject",
	[CWMP_DELETE_OBJECT_RESPONSE] = "DeleteObjectResponse",
	[CWMP_REBOOT] = "Reboot",
	[CWMP_REBOOT_RESPONSE] = "RebootResponse",
	[CWMP_DOWNLOAD] = "Download",
	[CWMP_DOWNLOAD_RESPONSE] = "DownloadResponse",
	[CWMP_FACTORY_RESET] = "FactoryReset",
	[CWMP_FACTORY_RESET_RESPONSE] = "FactoryResetResponse",
	[CWMP_SCHEDULE_INFORM] = "ScheduleInform",
	[CWMP_SCHEDULE_INFORM_RESPONSE] = "ScheduleInformResponse",
	[CWMP_INFORM] = "Inform",
	[CWMP_INFORM_RESPONSE] = "InformResponse",
	[CWMP_TRANSFER_COMPLETE] = "TransferComplete",
	[CWMP_TRANSFER_COMPLETE_RESPONSE] = "TransferCompleteResponse",
	[CWMP_REQUEST_DOWNLOAD] = "RequestDownload",
	[CWMP_REQUEST_DOWNLOAD_RESPONSE] = "RequestDownloadResponse",
};

/* Request -> response pairs (TR-069 Annex A: every RPC has a "<Name>Response"). */
static const struct {
	enum cwmp_method request, response;
} cwmp__pairs[] = {
	{ CWMP_GET_RPC_METHODS, CWMP_GET_RPC_METHODS_RESPONSE },
	{ CWMP_SET_PARAMETER_VALUES, CWMP_SET_PARAMETER_VALUES_RESPONSE },
	{ CWMP_GET_PARAMETER_VALUES, CWMP_GET_PARAMETER_VALUES_RESPONSE },
	{ CWMP_GET_PARAMETER_NAMES, CWMP_GET_PARAMETER_NAMES_RESPONSE },
	{ CWMP_SET_PARAMETER_ATTRIBUTES, CWMP_SET_PARAMETER_ATTRIBUTES_RESPONSE },
	{ CWMP_GET_PARAMETER_ATTRIBUTES, CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE },
	{ CWMP_ADD_OBJECT, CWMP_ADD_OBJECT_RESPONSE },
	{ CWMP_DELETE_OBJECT, CWMP_DELETE_OBJECT_RESPONSE },
	{ CWMP_REBOOT, CWMP_REBOOT_RESPONSE },
	{ CWMP_DOWNLOAD, CWMP_DOWNLOAD_RESPONSE },
	{ CWMP_FACTORY_RESET, CWMP_FACTORY_RESET_RESPONSE },
	{ CWMP_SCHEDULE_INFORM, CWMP_SCHEDULE_INFORM_RESPONSE },
	{ CWMP_INFORM, CWMP_INFORM_RESPONSE },
	{ CWMP_TRANSFER_COMPLETE, CWMP_TRANSFER_COMPLETE_RESPONSE },
	{ CWMP_REQUEST_DOWNLOAD, CWMP_REQUEST_DOWNLOAD_RESPONSE },
};

/* Fault strings: cwmp-1-2.xsd CPEFaultCodeType/ACSFaultCodeType annotations, 8006 from cwmp-1-4.xsd
 * (standards.md 3.5). The schema's typos ("Deployement") are fixed and its en dashes made ASCII. */
static const char *const cwmp__acs_faults[] = {
	"Method not supported",                   /* 8000 */
	"Request denied (no reason specified)",   /* 8001 */
	"Internal error",                         /* 8002 */
	"Invalid arguments",                      /* 8003 */
	"Resources exceeded",                     /* 8004 */
	"Retry request",                          /* 8005 */
	"ACS version incompatible with CPE",      /* 8006 */
};

static const char *const cwmp__cpe_faults[] = {
	"Method not supported",                                                         /* 9000 */
	"Request denied (no reason specified)",                                         /* 9001 */
	"Internal error",                                                               /* 9002 */
	"Invalid arguments",                                                            /* 9003 */
	"Resources exceeded",                                                           /* 9004 */
	"Invalid parameter name",                                                       /* 9005 */
	"Invalid parameter type",                                                       /* 9006 */
	"Invalid parameter value",                                                      /* 9007 */
	"Attempt to set a non-writable parameter",                                      /* 9008 */
	"Notification request rejected",                                                /* 9009 */
	"File transfer failure",                                                        /* 9010 */
	"Upload failure",                                                               /* 9011 */
	"File transfer server authentication failure",                                  /* 9012 */
	"Unsupported protocol for file transfer",                                       /* 9013 */
	"File transfer failure: unable to join multicast group",                        /* 9014 */
	"File transfer failure: unable to contact file server",                         /* 9015 */
	"File transfer failure: unable to access file",                                 /* 9016 */
	"File transfer failure: unable to complete download",                           /* 9017 */
	"File transfer failure: file corrupted",                                        /* 9018 */
	"File transfer failure: file authentication failure",                           /* 9019 */
	"File transfer failure: unable to complete download within specified time windows", /* 9020 */
	"Cancelation of file transfer not permitted in current transfer state",         /* 9021 */
	"Invalid UUID Format",                                                          /* 9022 */
	"Unknown Execution Environment",                                                /* 9023 */
	"Disabled Execution Environment",                                               /* 9024 */
	"Deployment Unit to Execution Environment Mismatch",                            /* 9025 */
	"Duplicate Deployment Unit",                                                    /* 9026 */
	"System Resources Exceeded",                                                    /* 9027 */
	"Unknown Deployment Unit",                                                      /* 9028 */
	"Invalid Deployment Unit State",                                                /* 9029 */
	"Invalid Deployment Unit Update - Downgrade not permitted",                     /* 9030 */
	"Invalid Deployment Unit Update - Version not specified",                       /* 9031 */
	"Invalid Deployment Unit Update - Version already exists",                      /* 9032 */
};

#define CWMP__COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------------------------------
 * cwmp_msg_init: zero the message (CWMP_EMPTY, version 1.0, no ID) and give it an empty arena
 * capped for the largest message a parse can produce. Allocates nothing.
 */
void cwmp_msg_init(struct cwmp_msg *msg)
{
	memset(msg, 0, sizeof(*msg));
	msg->method = CWMP_EMPTY;
	msg->version = CWMP_V1_0;
	lf_arena_init(&msg->arena, CWMP__ARENA_MAX);
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_msg_free: release the arena (every string and array a parse put in msg) and re-initialise msg.
 * Safe on a message that was only initialised, and safe to call twice.
 */
void cwmp_msg_free(struct cwmp_msg *msg)
{
	lf_arena_free(&msg->arena);
	cwmp_msg_init(msg);
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_method_name: the SOAP element name of a method; "(empty)" for CWMP_EMPTY, "(unknown)" out of range.
 * Returns a static string.
 */
const char *cwmp_method_name(enum cwmp_method m)
{
	if ((unsigned)m >= CWMP_METHOD_COUNT)
		return "(unknown)";
	return cwmp__method_names[m];
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_method_from_name: the method whose element name is `name` (case-sensitive, as XML is);
 * -1 if none. CWMP_EMPTY has no element name and is never returned.
 */
int cwmp_method_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int m = CWMP_EMPTY + 1; m < CWMP_METHOD_COUNT; m++) {
		if (strcmp(cwmp__method_names[m], name) == 0)
			return m;
	}
	return -1;
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_method_response: the response method answering request m; -1 if m is not a request.
 */
int cwmp_method_response(enum cwmp_method m)
{
	for (size_t i = 0; i < CWMP__COUNT(cwmp__pairs); i++) {
		if (cwmp__pairs[i].request == m)
			return (int)cwmp__pairs[i].response;
	}
	return -1;
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_fault_text: the standard FaultString of an 8000-8006 or 9000-9032 fault code; "Unknown fault"
 * for any other code. Returns a static string.
 */
const char *cwmp_fault_text(uint32_t code)
{
	if (code >= 8000 && code - 8000 < CWMP__COUNT(cwmp__acs_faults))
		return cwmp__acs_faults[code - 8000];
	if (code >= 9000 && code - 9000 < CWMP__COUNT(cwmp__cpe_faults))
		return cwmp__cpe_faults[code - 9000];
	return "Unknown fault";
}

/* ------------------------------------------------------------------------------------------------
 * cwmp_ns_uri: the cwmp namespace URN of version v (1.3 and 1.4 share the 1-2 URN); static string.
 */
const char *cwmp_ns_uri(enum cwmp_version v)
{
	switch (v) {
	case CWMP_V1_0: return "urn:dslforum-org:cwmp-1-0";
	case CWMP_V1_1: return "urn:dslforum-org:cwmp-1-1";
	case CWMP_V1_2: return "urn:dslforum-org:cwmp-1-2";
	}
	return "urn:dslforum-org:cwmp-1-0";
}
