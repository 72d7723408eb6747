/* cwmp.h: the CWMP (TR-069) SOAP message codec shared by hemsd and henbd: typed messages, parse, build. */
#ifndef LF_CWMP_H
#define LF_CWMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"

/* Limits (TR-069 string lengths are in cwmp-1-2.xsd; the rest are ours). Over-limit input is an error. */
#define CWMP_MAX_MESSAGE (256 * 1024) /* bytes of one SOAP envelope */
#define CWMP_MAX_DEPTH 16             /* element nesting */
#define CWMP_MAX_LIST 1024            /* entries in any array (parameters, names, events, methods) */
#define CWMP_MAX_EVENTS 64            /* Inform Event array, per the schema */
#define CWMP_MAX_NAME 256             /* ParameterName and object paths */
#define CWMP_MAX_VALUE 65536          /* one parameter value (anySimpleType) */
#define CWMP_MAX_STRING 256           /* URL, Username, Password, TargetFileName ... */
#define CWMP_MAX_SHORT 64             /* Manufacturer, ProductClass, SerialNumber, EventCode, FileType */
#define CWMP_MAX_KEY 32               /* CommandKey, ParameterKey */
#define CWMP_MAX_ID 256               /* cwmp:ID header */
#define CWMP_MAX_ACCESS 64            /* AccessList entries per parameter */

/* The cwmp namespace of a message. 1.3 and 1.4 use the 1-2 URN (cwmp-1-3.xsd, cwmp-1-4.xsd). */
enum cwmp_version {
	CWMP_V1_0 = 0, /* urn:dslforum-org:cwmp-1-0 */
	CWMP_V1_1,     /* urn:dslforum-org:cwmp-1-1 */
	CWMP_V1_2,     /* urn:dslforum-org:cwmp-1-2 */
};

enum cwmp_method {
	CWMP_EMPTY = 0, /* no Body child: an empty envelope (an empty HTTP body is not parsed at all) */
	CWMP_FAULT,     /* SOAP Fault carrying cwmp:Fault detail */

	/* CPE methods: the ACS calls them, the CPE answers. */
	CWMP_GET_RPC_METHODS,
	CWMP_GET_RPC_METHODS_RESPONSE,
	CWMP_SET_PARAMETER_VALUES,
	CWMP_SET_PARAMETER_VALUES_RESPONSE,
	CWMP_GET_PARAMETER_VALUES,
	CWMP_GET_PARAMETER_VALUES_RESPONSE,
	CWMP_GET_PARAMETER_NAMES,
	CWMP_GET_PARAMETER_NAMES_RESPONSE,
	CWMP_SET_PARAMETER_ATTRIBUTES,
	CWMP_SET_PARAMETER_ATTRIBUTES_RESPONSE,
	CWMP_GET_PARAMETER_ATTRIBUTES,
	CWMP_GET_PARAMETER_ATTRIBUTES_RESPONSE,
	CWMP_ADD_OBJECT,
	CWMP_ADD_OBJECT_RESPONSE,
	CWMP_DELETE_OBJECT,
	CWMP_DELETE_OBJECT_RESPONSE,
	CWMP_REBOOT,
	CWMP_REBOOT_RESPONSE,
	CWMP_DOWNLOAD,
	CWMP_DOWNLOAD_RESPONSE,
	CWMP_FACTORY_RESET,
	CWMP_FACTORY_RESET_RESPONSE,
	CWMP_SCHEDULE_INFORM,
	CWMP_SCHEDULE_INFORM_RESPONSE,

	/* ACS methods: the CPE calls them, the ACS answers. */
	CWMP_INFORM,
	CWMP_INFORM_RESPONSE,
	CWMP_TRANSFER_COMPLETE,
	CWMP_TRANSFER_COMPLETE_RESPONSE,
	CWMP_REQUEST_DOWNLOAD,
	CWMP_REQUEST_DOWNLOAD_RESPONSE,

	CWMP_METHOD_COUNT
};

/* ParameterValueStruct. type is the xsi:type text as received ("xsd:string", "xsd:unsignedInt",
 * "xsd:string(64)" ...), kept verbatim; NULL when absent. On build, NULL means "xsd:string". */
struct cwmp_param_value {
	const char *name;
	const char *value;
	const char *type;
};

/* ParameterInfoStruct (GetParameterNamesResponse). */
struct cwmp_param_info {
	const char *name;
	bool writable;
};

/* SetParameterAttributesStruct. */
struct cwmp_set_attr {
	const char *name;
	bool notification_change;
	int notification; /* 0..6 */
	bool access_list_change;
	const char **access_list;
	size_t n_access;
};

/* ParameterAttributeStruct (GetParameterAttributesResponse). */
struct cwmp_param_attr {
	const char *name;
	int notification;
	const char **access_list;
	size_t n_access;
};

struct cwmp_event {
	const char *code;        /* "0 BOOTSTRAP", "M Reboot", "X 000FB7 EMERGENCY" ... */
	const char *command_key; /* "" when none */
};

struct cwmp_device_id {
	const char *manufacturer;
	const char *oui; /* 6 upper-case hex digits */
	const char *product_class;
	const char *serial_number;
};

struct cwmp_inform {
	struct cwmp_device_id device_id;
	struct cwmp_event *events;
	size_t n_events;
	uint32_t max_envelopes;
	const char *current_time; /* dateTime text, verbatim */
	uint32_t retry_count;
	struct cwmp_param_value *params;
	size_t n_params;
};

/* SetParameterValuesFault entry of a cwmp:Fault. */
struct cwmp_spv_fault {
	const char *name;
	uint32_t code;
	const char *string;
};

/* SOAP Fault: faultcode "Client"/"Server", faultstring "CWMP fault", detail cwmp:Fault. */
struct cwmp_fault {
	const char *soap_faultcode; /* as received; on build NULL -> "Client" for 9003/9005-9008/8003, else "Server" */
	uint32_t code;
	const char *string;
	struct cwmp_spv_fault *spv;
	size_t n_spv;
};

struct cwmp_download {
	const char *command_key;
	const char *file_type; /* "1 Firmware Upgrade Image" ... */
	const char *url;
	const char *username;
	const char *password;
	uint32_t file_size;
	const char *target_file_name;
	uint32_t delay_seconds;
	const char *success_url;
	const char *failure_url;
};

/* DownloadResponse and the time pair of other responses. */
struct cwmp_transfer_result {
	int status;               /* 0 done and applied, 1 TransferComplete will follow */
	const char *start_time;   /* dateTime text */
	const char *complete_time;
};

struct cwmp_transfer_complete {
	const char *command_key;
	uint32_t fault_code; /* 0 = success */
	const char *fault_string;
	const char *start_time;
	const char *complete_time;
};

struct cwmp_arg {
	const char *name;
	const char *value;
};

/* One CWMP message: SOAP header fields plus the typed body.
 * A parsed message owns its strings in `arena` (cwmp_msg_free releases them); a message filled in by code
 * for cwmp_build may point at any memory the caller keeps alive for the call. */
struct cwmp_msg {
	enum cwmp_method method;
	enum cwmp_version version;
	const char *id;          /* cwmp:ID header; NULL if absent */
	bool has_hold_requests;  /* cwmp:HoldRequests header present */
	bool hold_requests;
	uint32_t session_timeout; /* cwmp:SessionTimeout (1.3+); 0 if absent */

	union {
		struct cwmp_inform inform;
		struct { uint32_t max_envelopes; } inform_response;
		struct { const char **methods; size_t n; } rpc_methods; /* GetRPCMethodsResponse */
		struct {
			struct cwmp_param_value *params;
			size_t n;
			const char *parameter_key;
		} spv; /* SetParameterValues */
		struct { int status; } spv_response;
		struct { const char **names; size_t n; } names; /* GetParameterValues, GetParameterAttributes */
		struct { struct cwmp_param_value *params; size_t n; } gpv_response;
		struct { const char *path; bool next_level; } gpn;
		struct { struct cwmp_param_info *params; size_t n; } gpn_response;
		struct { struct cwmp_set_attr *attrs; size_t n; } spa;
		struct { struct cwmp_param_attr *attrs; size_t n; } gpa_response;
		struct { const char *object_name; const char *parameter_key; } object; /* AddObject, DeleteObject */
		struct { uint32_t instance_number; int status; } add_object_response;
		struct { int status; } delete_object_response;
		struct { const char *command_key; } reboot;
		struct cwmp_download download;
		struct cwmp_transfer_result download_response;
		struct { uint32_t delay_seconds; const char *command_key; } schedule_inform;
		struct cwmp_transfer_complete transfer_complete;
		struct { const char *file_type; struct cwmp_arg *args; size_t n; } request_download;
		struct cwmp_fault fault;
	} u;

	struct lf_arena arena;
};

/* cwmp_msg_init: a zeroed EMPTY message of version 1.0 with an empty arena. */
void cwmp_msg_init(struct cwmp_msg *msg);
/* cwmp_msg_free: release what a parse allocated; the message is back to cwmp_msg_init state. */
void cwmp_msg_free(struct cwmp_msg *msg);

/* cwmp_parse: parse one SOAP envelope (expat, streaming) into msg (initialised by the caller).
 * Accepts cwmp-1-0, -1-1, -1-2 namespaces, any prefixes, SOAP-ENV/soapenv, whitespace, arrayType and
 * xsi:type attributes, the 1999 and 2001 XML Schema namespaces.
 * Refuses DTDs, entity declarations and external entities; enforces the CWMP_MAX_* limits.
 * Returns LF_OK, or LF_EPARSE / LF_ETOOBIG / LF_EUNSUPPORTED with a message naming the problem in err
 * (e.g. "line 3: element 'Name' longer than 256 bytes"). On error msg holds nothing to use but must
 * still be passed to cwmp_msg_free. An unknown method in the cwmp namespace gives LF_EUNSUPPORTED and
 * sets msg->id so the caller can answer fault 8000/9000 with the right ID. */
int cwmp_parse(struct cwmp_msg *msg, const char *xml, size_t len, char *err, size_t errlen);

/* A reusable parser for a caller that parses many messages in one thread (hemsd's session engine):
 * cwmp_parse builds and frees an expat parser per message; this keeps one and resets it between
 * messages (XML_ParserReset), which saves its allocations and the random hash salt drawn per parser.
 * Not shareable between threads. cwmp_parser_new: caller owns, free with cwmp_parser_free (clears *pp). */
struct cwmp_parser;
struct cwmp_parser *cwmp_parser_new(void);
void cwmp_parser_free(struct cwmp_parser **pp);
/* cwmp_parse_with: cwmp_parse with the parser p (NULL: a fresh one, as cwmp_parse). Same contract. */
int cwmp_parse_with(struct cwmp_parser *p, struct cwmp_msg *msg, const char *xml, size_t len, char *err,
		    size_t errlen);

/* cwmp_build: append the SOAP envelope for msg to out (escaping all text). Prefixes written are
 * soap-env, soap-enc, xsd, xsi and cwmp (namespace per msg->version). Returns LF_OK or LF_ETOOBIG
 * (out's cap) or LF_EINVAL (method not buildable / CWMP_EMPTY). */
int cwmp_build(const struct cwmp_msg *msg, struct lf_buf *out);

/* cwmp_method_name: the element name ("Inform", "GetParameterValuesResponse", "Fault"...). */
const char *cwmp_method_name(enum cwmp_method m);
/* cwmp_method_from_name: inverse of cwmp_method_name; -1 if unknown. */
int cwmp_method_from_name(const char *name);
/* cwmp_method_response: the response method of a request (CWMP_INFORM -> CWMP_INFORM_RESPONSE); -1 if none. */
int cwmp_method_response(enum cwmp_method m);
/* cwmp_fault_text: the standard FaultString of an 8000/9000-series code; "Unknown fault" otherwise. */
const char *cwmp_fault_text(uint32_t code);
/* cwmp_ns_uri: the namespace URI of a version. */
const char *cwmp_ns_uri(enum cwmp_version v);

/* Standard fault codes used by name in code. */
enum {
	CWMP_FAULT_ACS_METHOD_NOT_SUPPORTED = 8000,
	CWMP_FAULT_ACS_REQUEST_DENIED = 8001,
	CWMP_FAULT_ACS_INTERNAL_ERROR = 8002,
	CWMP_FAULT_ACS_INVALID_ARGUMENTS = 8003,
	CWMP_FAULT_ACS_RESOURCES_EXCEEDED = 8004,
	CWMP_FAULT_ACS_RETRY_REQUEST = 8005,
	CWMP_FAULT_METHOD_NOT_SUPPORTED = 9000,
	CWMP_FAULT_REQUEST_DENIED = 9001,
	CWMP_FAULT_INTERNAL_ERROR = 9002,
	CWMP_FAULT_INVALID_ARGUMENTS = 9003,
	CWMP_FAULT_RESOURCES_EXCEEDED = 9004,
	CWMP_FAULT_INVALID_PARAMETER_NAME = 9005,
	CWMP_FAULT_INVALID_PARAMETER_TYPE = 9006,
	CWMP_FAULT_INVALID_PARAMETER_VALUE = 9007,
	CWMP_FAULT_NON_WRITABLE_PARAMETER = 9008,
	CWMP_FAULT_NOTIFICATION_REJECTED = 9009,
	CWMP_FAULT_DOWNLOAD_FAILURE = 9010,
	CWMP_FAULT_FILE_SERVER_AUTH = 9012,
	CWMP_FAULT_UNSUPPORTED_PROTOCOL = 9013,
	CWMP_FAULT_CONTACT_FILE_SERVER = 9015,
	CWMP_FAULT_ACCESS_FILE = 9016,
	CWMP_FAULT_COMPLETE_DOWNLOAD = 9017,
	CWMP_FAULT_FILE_CORRUPTED = 9018,
	CWMP_FAULT_FILE_AUTHENTICATION = 9019,
};

#endif
