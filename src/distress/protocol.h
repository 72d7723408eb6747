/* protocol.h: the distress channel's constants in one place: resources, content format, message and action
 * codes, and every limit (docs/protocol/distress-channel.md is the normative text). */
#ifndef LF_DISTRESS_PROTOCOL_H
#define LF_DISTRESS_PROTOCOL_H

#define DISTRESS_VERSION 1
#define DISTRESS_DEFAULT_PORT 5684 /* IANA coaps */
#define DISTRESS_DEFAULT_TRIGGER_PORT 5685
#define DISTRESS_CONTENT_FORMAT 65100 /* application/vnd.lifeline.distress (experimental range) */

/* Resources (CoAP Uri-Path segments joined by '/'). */
#define DISTRESS_PATH_SESSION "d/s" /* POST INFORM -> 2.01 WELCOME */
#define DISTRESS_PATH_NEXT "d/n"    /* POST POLL   -> 2.05 ACTION */
#define DISTRESS_PATH_RESULT "d/r"  /* POST RESULT -> 2.04 ACK */
#define DISTRESS_PATH_END "d/e"     /* POST POLL   -> 2.04 ACK */

/* Limits (section 11). String limits are bytes, without the terminating NUL the structures add. */
#define DISTRESS_MAX_MESSAGE 16384
#define DISTRESS_MAX_ID 199
#define DISTRESS_KEY_HEX 64 /* PSK and trigger key: 32 random bytes as lower-case hex */
#define DISTRESS_MAX_EVENTS 16
#define DISTRESS_MAX_ALARMS 8
#define DISTRESS_MAX_INFORM_PARAMS 16
#define DISTRESS_MAX_PARAMS 32
#define DISTRESS_MAX_NAMES 16
#define DISTRESS_MAX_URL 1024
#define DISTRESS_MAX_ADDR 63
#define DISTRESS_MAX_DELIVERIES 5

#define DISTRESS_LEN_EVENT 64
#define DISTRESS_LEN_VERSION 64
#define DISTRESS_LEN_REASON 127
#define DISTRESS_LEN_TIME 39
#define DISTRESS_LEN_NAME 256
#define DISTRESS_LEN_VALUE 512
#define DISTRESS_LEN_TYPE 16
#define DISTRESS_LEN_COMMAND_KEY 32
#define DISTRESS_LEN_FILE_TYPE 64
#define DISTRESS_LEN_FAULT 256
#define DISTRESS_LEN_DIAG_STATE 32
#define DISTRESS_LEN_DIAG_RESULTS 1024

enum distress_msg_type {
	DISTRESS_MSG_INFORM = 1,
	DISTRESS_MSG_WELCOME = 2,
	DISTRESS_MSG_POLL = 3,
	DISTRESS_MSG_ACTION = 4,
	DISTRESS_MSG_RESULT = 5,
	DISTRESS_MSG_ACK = 6,
};

/* Why the HeNB opened the session (INFORM reason). */
enum distress_reason {
	DISTRESS_REASON_OTHER = 0,
	DISTRESS_REASON_TRIGGER = 1,
	DISTRESS_REASON_STANDARD_PATH_FAILED = 2,
	DISTRESS_REASON_CONNREQ_UNSERVED = 3,
	DISTRESS_REASON_ALARM_UNDELIVERABLE = 4,
	DISTRESS_REASON_RESUME = 5,
	DISTRESS_REASON_MAX = 5,
};

enum distress_kind {
	DISTRESS_KIND_NONE = 0,
	DISTRESS_KIND_RETRY_STANDARD = 1,
	DISTRESS_KIND_INFORM = 2,
	DISTRESS_KIND_REBOOT = 3,
	DISTRESS_KIND_FACTORY_RESET = 4,
	DISTRESS_KIND_DOWNLOAD = 5,
	DISTRESS_KIND_GET = 6,
	DISTRESS_KIND_DIAGNOSTIC = 7,
	DISTRESS_KIND_MAX = 7,
};

enum distress_status {
	DISTRESS_STATUS_SUCCESS = 0,
	DISTRESS_STATUS_FAILED = 1,
	DISTRESS_STATUS_ACCEPTED = 2, /* in progress; the final result follows */
	DISTRESS_STATUS_MAX = 2,
};

/* TR-181 NotificationType, in the data model's order. */
enum distress_notification {
	DISTRESS_NOTIF_NEW = 0,
	DISTRESS_NOTIF_CHANGED = 1,
	DISTRESS_NOTIF_CLEARED = 2,
	DISTRESS_NOTIF_MAX = 2,
};

/* X.733 PerceivedSeverity, in its ASN.1 order. */
enum distress_severity {
	DISTRESS_SEV_INDETERMINATE = 0,
	DISTRESS_SEV_CRITICAL = 1,
	DISTRESS_SEV_MAJOR = 2,
	DISTRESS_SEV_MINOR = 3,
	DISTRESS_SEV_WARNING = 4,
	DISTRESS_SEV_CLEARED = 5,
	DISTRESS_SEV_MAX = 5,
};

#endif
