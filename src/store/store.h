/* store.h: hemsd's storage interface; SQLite is the embedded default, PostgreSQL can follow behind the same calls. */
#ifndef LF_STORE_H
#define LF_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

#define STORE_MAX_ID 200
#define STORE_MAX_SHORT 65
#define STORE_MAX_EVENTS 512
#define STORE_MAX_URL 257
#define STORE_MAX_ADDR 64

/* One registered device as the HeMS knows it. */
struct store_device {
	char device_id[STORE_MAX_ID]; /* canonical "OUI-ProductClass-SerialNumber", see store_device_id() */
	char manufacturer[STORE_MAX_SHORT];
	char oui[8];
	char product_class[STORE_MAX_SHORT];
	char serial_number[STORE_MAX_SHORT];
	char software_version[STORE_MAX_SHORT];
	char hardware_version[STORE_MAX_SHORT];
	char conn_req_url[STORE_MAX_URL];
	char last_events[STORE_MAX_EVENTS]; /* event codes of the last Inform, comma separated */
	char remote_addr[STORE_MAX_ADDR];
	int64_t first_seen;  /* unix seconds */
	int64_t last_inform; /* unix seconds */
	int64_t informs;     /* Informs received */
	int blocked;
	char last_cr[128];   /* result of the last connection request */
	int64_t last_cr_time;
};

struct store_param {
	const char *name;
	const char *value;
	const char *type; /* xsi:type; NULL means xsd:string */
};

/* What an Inform tells the store: the device identity, events and parameter values. */
struct store_inform {
	const char *device_id;
	const char *manufacturer, *oui, *product_class, *serial_number;
	const char *software_version, *hardware_version, *conn_req_url; /* from the parameters; NULL if absent */
	const char *events; /* comma separated */
	const char *remote_addr;
	const struct store_param *params;
	size_t n_params;
	int64_t now; /* unix seconds */
};

enum store_task_status {
	STORE_TASK_QUEUED = 0, /* waiting for the device's next session */
	STORE_TASK_SENT,       /* sent in a session, no answer yet */
	STORE_TASK_DONE,       /* the device answered with the method's response */
	STORE_TASK_FAULT,      /* the device answered with a CWMP Fault */
	STORE_TASK_FAILED,     /* no answer: session lost, timed out, hemsd restarted, or cancelled */
};

/* A task: one CPE RPC queued for a device, with its outcome. Strings it owns are freed by store_task_clear. */
struct store_task {
	int64_t id;
	char device_id[STORE_MAX_ID];
	char method[48];   /* CWMP method name, e.g. "GetParameterValues" */
	char *args;        /* JSON text of the arguments (owned) */
	char *result;      /* JSON text of the response or fault, NULL before (owned) */
	int status;        /* enum store_task_status */
	char note[256];    /* why it failed, or "" */
	int64_t created, sent, completed; /* unix seconds; 0 = not yet */
};

/* A firmware (or other) file the file server hands out. */
struct store_file {
	char name[128];          /* URL name: /files/<name> */
	char path[512];          /* where hemsd reads it */
	int64_t size;
	char sha256[65];         /* hex */
	char product_class[STORE_MAX_SHORT]; /* "" = any */
	char version[STORE_MAX_SHORT];
	int64_t created;
};

/* Per-device secrets hemsd holds. */
struct store_credentials {
	char cr_username[257]; /* ConnectionRequestUsername hemsd set on the device */
	char cr_password[257];
};

/* A security alarm as received from a HeNB (one event of its FaultMgmt), and its northbound state. */
struct store_alarm {
	int64_t id;
	char device_id[STORE_MAX_ID];
	char alarm_identifier[65];
	char event_time[40];
	char notification_type[20]; /* NewAlarm | ChangedAlarm | ClearedAlarm */
	char managed_object[257];
	char event_type[65];
	char probable_cause[65];
	char specific_problem[129];
	char severity[20];          /* Critical | Major | Minor | Warning | Indeterminate | Cleared */
	char additional_text[257];
	char additional_info[257];
	char source[16];            /* expedited | queued | current | distress */
	int64_t received;           /* unix seconds */
	int64_t case_id;            /* 0 = none */
	int acked;
	char ack_user[65];
	int64_t ack_time;
	int cleared;                /* cleared by the device or by an operator */
	char clear_user[65];
	int64_t clear_time;
};

/* A remediation case: the persisted state machine of one device's procedure (see hems/remediation). */
struct store_case {
	int64_t id;
	char device_id[STORE_MAX_ID];
	char state[32];      /* detected classifying diagnosing remediating verifying resolved escalated extended
	                      * no_communication awaiting_instructions blocked closed */
	char procedure[32];  /* notify-only reconfigure reload-software fatal diagnose-first */
	int rung;            /* ladder rung, 0-based */
	int step;            /* step within the rung */
	int phase;           /* sub-state of the step (task sent, waiting for an event...) */
	int64_t alarm_id;    /* the alarm that opened it */
	int64_t wait_task;   /* task awaited, 0 = none */
	char wait_event[64]; /* Inform event awaited ("1 BOOT"...), "" = none */
	int64_t deadline;    /* unix ms; 0 = none */
	int64_t step_started;/* unix ms */
	int64_t last_contact;/* unix ms of the device's last session since the step began */
	int64_t created, updated, closed; /* unix seconds; closed 0 = open */
	char outcome[128];
	char data[2048];     /* procedure data, JSON (expected software version, image, ...) */
};

struct store_case_event {
	int64_t id;
	int64_t case_id;
	int64_t time;        /* unix ms */
	char from[32];
	char to[32];
	char why[512];
	int64_t task_id;
	char actor[65];      /* hemsd | operator name | nm */
};

/* store_open: open the store named by url ("sqlite:PATH", or a bare PATH) and bring its schema to the current
 * version (migrations run in one transaction). Caller owns *out (store_close). err names the problem. */
int store_open(const char *url, struct store **out, char *err, size_t errlen);
/* store_close: close and clear the caller's pointer. */
void store_close(struct store **s);

/* store_record_inform: upsert the device and its parameter cache from one Inform, atomically. */
int store_record_inform(struct store *s, const struct store_inform *in);
/* store_device_get: one device; LF_ENOTFOUND if unknown. */
int store_device_get(struct store *s, const char *device_id, struct store_device *out);
/* store_device_list: call cb for each device in device_id order; a non-zero return from cb stops and is returned. */
int store_device_list(struct store *s, int (*cb)(void *ctx, const struct store_device *d), void *ctx);
/* store_param_list: call cb for each cached parameter of a device whose name starts with prefix ("" for all). */
int store_param_list(struct store *s, const char *device_id, const char *prefix,
		     int (*cb)(void *ctx, const char *name, const char *value, const char *type, int64_t updated),
		     void *ctx);
/* store_schema_version: the schema version the open store is at. */
int store_schema_version(struct store *s);

/* Tasks */
/* store_task_add: queue a task; *id gets its id. */
int store_task_add(struct store *s, const char *device_id, const char *method, const char *args_json, int64_t now,
		   int64_t *id);
/* store_task_next: the oldest queued task of a device into out (caller clears); LF_ENOTFOUND if none. */
int store_task_next(struct store *s, const char *device_id, struct store_task *out);
/* store_task_version: a number that changes whenever a task may have become queued through this handle
 * (store_task_add, a status set back to queued). A caller that found no queued task for a device may skip
 * asking again while it is unchanged; tasks queued by another process in between are seen at the next ask. */
uint64_t store_task_version(const struct store *s);
/* store_task_get: one task by id; LF_ENOTFOUND if unknown. */
int store_task_get(struct store *s, int64_t id, struct store_task *out);
/* store_task_set_status: move a task to status (sent/done/fault/failed) with result JSON (or NULL) and note. */
int store_task_set_status(struct store *s, int64_t id, int status, const char *result_json, const char *note,
			  int64_t now);
/* store_task_list: tasks of a device (all when device_id is NULL), newest first, at most limit. */
int store_task_list(struct store *s, const char *device_id, int limit,
		    int (*cb)(void *ctx, const struct store_task *t), void *ctx);
/* store_task_fail_sent: every task left in status sent (its session died with a previous hemsd) -> failed. */
int store_task_fail_sent(struct store *s, const char *note, int64_t now, int *count);
/* store_task_transfer_complete: attach a TransferComplete (JSON) to the device's latest Download task with this
 * CommandKey, as result.transferComplete. LF_ENOTFOUND when no such Download exists. */
int store_task_transfer_complete(struct store *s, const char *device_id, const char *command_key,
				 const char *tc_json);
void store_task_clear(struct store_task *t);

/* Device secrets and blocking */
int store_credentials_set(struct store *s, const char *device_id, const struct store_credentials *c);
/* store_credentials_get: LF_ENOTFOUND when hemsd has set none. */
int store_credentials_get(struct store *s, const char *device_id, struct store_credentials *c);
/* store_block_set: block (blocked=1, with reason) or unblock a device id (which need not be registered yet). */
int store_block_set(struct store *s, const char *device_id, int blocked, const char *reason, int64_t now);
/* store_block_get: *blocked and the reason. */
int store_block_get(struct store *s, const char *device_id, int *blocked, char *reason, size_t reasonlen);
/* store_conn_request_record: the outcome of the last connection request to a device. */
int store_conn_request_record(struct store *s, const char *device_id, const char *result, int64_t now);

/* CPE -> HeMS HTTP authentication: per user name, HA1 = MD5(username:realm:password) in hex. */
int store_cwmp_user_set(struct store *s, const char *username, const char *ha1_hex);
int store_cwmp_user_get(struct store *s, const char *username, char *ha1_hex, size_t len);

/* Files */
int store_file_add(struct store *s, const struct store_file *f);
int store_file_get(struct store *s, const char *name, struct store_file *f);
int store_file_list(struct store *s, int (*cb)(void *ctx, const struct store_file *f), void *ctx);

/* Transactions: store_begin ... store_end(failed) nest; the outermost commits, or rolls back when any level
 * failed. Use them to make a state change and its notification (outbox) one atomic step. */
int store_begin(struct store *s);
int store_end(struct store *s, int failed);

/* Alarms */
/* store_alarm_record: store an alarm event once: idempotent on (device, AlarmIdentifier, EventTime,
 * NotificationType). *is_new tells whether it was new; a->id is set either way. A ClearedAlarm marks the
 * earlier events of the same AlarmIdentifier cleared. */
int store_alarm_record(struct store *s, struct store_alarm *a, int *is_new);
int store_alarm_get(struct store *s, int64_t id, struct store_alarm *out);
/* store_alarm_list: alarms of a device (all when NULL), newest first, at most limit. */
int store_alarm_list(struct store *s, const char *device_id, int limit,
		     int (*cb)(void *ctx, const struct store_alarm *a), void *ctx);
int store_alarm_set_case(struct store *s, int64_t alarm_id, int64_t case_id);

/* Cases */
/* store_case_open: insert c as the device's open case (c->id set). LF_EEXIST when it already has one. */
int store_case_insert(struct store *s, struct store_case *c);
int store_case_get(struct store *s, int64_t id, struct store_case *out);
/* store_case_open_of: the device's open case; LF_ENOTFOUND when none. */
int store_case_open_of(struct store *s, const char *device_id, struct store_case *out);
/* store_case_update: write every field of c (by c->id). */
int store_case_update(struct store *s, const struct store_case *c);
/* store_case_list: cases newest first; device_id NULL = all; open_only. */
int store_case_list(struct store *s, const char *device_id, int open_only, int limit,
		    int (*cb)(void *ctx, const struct store_case *c), void *ctx);
/* store_case_due: ids of open cases whose deadline (unix ms) is <= now, at most max, into ids; *n their count. */
int store_case_due(struct store *s, int64_t now_ms, int64_t *ids, size_t max, size_t *n);
int store_case_event_add(struct store *s, const struct store_case_event *e);
int store_case_events(struct store *s, int64_t case_id, int (*cb)(void *ctx, const struct store_case_event *e),
		      void *ctx);

/* Outbox: northbound notifications, written in the transaction of the change that caused them. */
int store_outbox_add(struct store *s, const char *type, const char *device_id, int64_t case_id, const char *body_json,
		     int64_t now, int64_t *id);

/* store_device_id: the canonical id of a CWMP DeviceId into out: OUI-ProductClass-SerialNumber with every byte
 * outside [A-Za-z0-9._~] in ProductClass and SerialNumber written as %XX (so '-' cannot be ambiguous). */
int store_device_id(char *out, size_t outlen, const char *oui, const char *product_class, const char *serial);

/* ================================================================ northbound (Interface Type 2)
 * FaultMnS alarm records and their ack/clear state, subscriptions with their delivery cursor, reading the
 * outbox, and higher-level measures (5.7.4). Used by hems/fm_nbi, hems/outbox and hems/enforcement. */

#define STORE_MAX_CALLBACK 1024 /* a subscriber's consumerReference URL */
#define STORE_MAX_FILTER 2048   /* a subscription filter, JSON text */

/* Which alarm records store_alarm_query returns; every field narrows, NULL / -1 is "any". */
struct store_alarm_filter {
	int64_t id;             /* one record (by the id of any of its events); 0 = any */
	const char *device_id;
	const char *severity;   /* current severity, TR-181 spelling ("Major"; "Cleared" for cleared records) */
	const char *event_type; /* TR-181 EventType text ("Integrity Violation") */
	int acked;              /* 0 unacknowledged, 1 acknowledged, -1 any */
	int cleared;            /* 0 active, 1 cleared, -1 any */
	const char *since;      /* event time bounds, ISO 8601 (inclusive) */
	const char *until;
	int include_closed;     /* also records both cleared and acknowledged (out of the alarm list) */
};

/* An alarm record (TS 28.532 AlarmRecord): the event that raised the alarm (a NewAlarm, or a ChangedAlarm that
 * came without one) folded with the later events of the same AlarmIdentifier up to its next raise. */
struct store_alarm_record {
	struct store_alarm a;     /* the raising event; a.id is the alarmId */
	char severity_now[20];    /* severity of the latest ChangedAlarm, else the raising one; "Cleared" once cleared */
	char changed_time[40];    /* event time of the latest ChangedAlarm, "" if none */
	int64_t last_event_id;    /* the record's newest event row */
};

/* store_alarm_query: alarm records matching f, newest first, at most limit; cb as in store_alarm_list. */
int store_alarm_query(struct store *s, const struct store_alarm_filter *f, int limit,
		      int (*cb)(void *ctx, const struct store_alarm_record *r), void *ctx);
/* store_alarm_record_of: the id of the record the event alarm_event_id belongs to (itself for a raising
 * event). LF_ENOTFOUND when no such event. */
int store_alarm_record_of(struct store *s, int64_t alarm_event_id, int64_t *record_id);
/* store_alarm_ack: set the ack state of record id (acked 1/0) by user at now (unix seconds). */
int store_alarm_ack(struct store *s, int64_t id, int acked, const char *user, int64_t now);
/* store_alarm_clear: clear record id by user (operator clear). LF_EEXIST when it was cleared already. */
int store_alarm_clear(struct store *s, int64_t id, const char *user, int64_t now);

/* A subscriber of northbound notifications and where its delivery stands. */
struct store_subscription {
	int64_t id;
	char consumer_reference[STORE_MAX_CALLBACK]; /* callback URL, POSTed to */
	char filter[STORE_MAX_FILTER];   /* JSON object (see hems/fm_nbi.h); "{}" = every notification */
	char owner[65];                  /* "nm" (FaultMnS API) or "enforcement:<measure>" (webhook adapter) */
	int64_t created;                 /* unix seconds */
	int64_t cursor;                  /* every outbox row up to this id is acknowledged (2xx) or not for it */
	int64_t delivered;               /* notifications acknowledged */
	int64_t failures;                /* failed attempts since the last success */
	int64_t failed_total;            /* failed attempts ever */
	char last_error[256];
	int64_t last_attempt;            /* unix ms */
	int64_t last_success;            /* unix ms */
};

/* store_subscription_add: insert sub (sub->id, ->created and ->cursor set). Its cursor starts at the newest
 * outbox row: a subscription receives what happens after it was created. */
int store_subscription_add(struct store *s, struct store_subscription *sub, int64_t now);
int store_subscription_get(struct store *s, int64_t id, struct store_subscription *out);
/* store_subscription_list: every subscription in id order. */
int store_subscription_list(struct store *s, int (*cb)(void *ctx, const struct store_subscription *sub), void *ctx);
/* store_subscription_delete: LF_ENOTFOUND when there is no such subscription. */
int store_subscription_delete(struct store *s, int64_t id);
/* store_subscription_set_url: change the callback URL (adapters follow their configuration). */
int store_subscription_set_url(struct store *s, int64_t id, const char *url);
/* store_subscription_advance: move the cursor forward to cursor (never back); delivered > 0 records that many
 * acknowledged notifications at now_ms and resets failures. */
int store_subscription_advance(struct store *s, int64_t id, int64_t cursor, int delivered, int64_t now_ms);
/* store_subscription_failed: one failed delivery attempt with its error. */
int store_subscription_failed(struct store *s, int64_t id, const char *error, int64_t now_ms);

/* One outbox row as the delivery reads it. */
struct store_outbox_row {
	int64_t id;          /* the notificationId */
	int64_t created;     /* unix seconds */
	char type[64];
	char device_id[STORE_MAX_ID];
	int64_t case_id;
	int64_t target;      /* 0 = for every subscription; else only for that subscription */
	char *body;          /* JSON (owned; store_outbox_row_clear) */
};

/* store_outbox_after: rows with id > after_id in id order, at most limit. */
int store_outbox_after(struct store *s, int64_t after_id, int limit,
		       int (*cb)(void *ctx, const struct store_outbox_row *row), void *ctx);
/* store_outbox_add_target: store_outbox_add for one subscription only (target). */
int store_outbox_add_target(struct store *s, int64_t target, const char *type, const char *device_id,
			    int64_t case_id, const char *body_json, int64_t now, int64_t *id);
/* store_outbox_last_id: the newest row's id (0 when empty). */
int store_outbox_last_id(struct store *s, int64_t *id);
/* store_outbox_pending: rows after cursor a subscription (id) may receive: their count and the creation time of
 * the oldest (0 when none). */
int store_outbox_pending(struct store *s, int64_t subscription_id, int64_t cursor, int64_t *count,
			 int64_t *oldest_created);
void store_outbox_row_clear(struct store_outbox_row *row);

/* A higher-level measure (5.7.4) requested by NM or by policy, and its result. */
struct store_measure {
	int64_t id;
	char device_id[STORE_MAX_ID];
	char measure[32];     /* hems-block hems-unblock segw-blacklist gw-block subscriber-notify */
	char adapter[16];     /* builtin exec webhook */
	char reason[256];
	char actor[65];       /* who asked: "nm", "nm:<user>", "policy", operator name */
	int64_t case_id;      /* the device's case when it was asked, 0 = none */
	char status[16];      /* queued running succeeded failed */
	int exit_status;      /* exec: exit code, -1 when killed or not run */
	char result[512];     /* what happened, for people */
	int64_t outbox_id;    /* webhook: the outbox row that carries it */
	int64_t created;      /* unix seconds */
	int64_t finished;     /* unix seconds, 0 = not yet */
};

int store_measure_add(struct store *s, struct store_measure *m);
int store_measure_get(struct store *s, int64_t id, struct store_measure *out);
/* store_measure_update: write status, exit_status, result, outbox_id and finished of m (by m->id). */
int store_measure_update(struct store *s, const struct store_measure *m);
/* store_measure_list: measures of a device (all when NULL) with a status (any when NULL), newest first. */
int store_measure_list(struct store *s, const char *device_id, const char *status, int limit,
		       int (*cb)(void *ctx, const struct store_measure *m), void *ctx);

/* ================================================================ distress channel (5.7.3.1)
 * Per-device keys of the distress channel and the queue of distress actions with their results. Used by
 * hems/distress_server (docs/protocol/distress-channel.md). */

/* A device's distress channel record. */
struct store_distress_device {
	char device_id[STORE_MAX_ID];
	char psk[65];                   /* 64 hex characters; the DTLS PSK is this text */
	char trigger_key[65];           /* 64 hex characters; HMAC key of the triggers */
	char trigger_addr[STORE_MAX_ADDR]; /* "ip:port" the HeNB listens on for triggers, "" = unknown */
	char last_remote[STORE_MAX_ADDR];  /* source address of its last distress session */
	int64_t provisioned;            /* unix seconds the keys were made */
	int64_t last_session;           /* unix seconds of the last distress session, 0 = never */
	int64_t last_trigger;           /* unix seconds of the last trigger sent, 0 = never */
	int64_t sessions;               /* distress sessions opened */
};

enum store_distress_status {
	STORE_DISTRESS_QUEUED = 0,   /* waiting for the device's next distress session */
	STORE_DISTRESS_SENT,         /* delivered, no result yet (delivered again until one arrives) */
	STORE_DISTRESS_ACCEPTED,     /* the device is carrying it out; the final result follows */
	STORE_DISTRESS_DONE,         /* succeeded */
	STORE_DISTRESS_FAILED,       /* failed, or never answered */
};

/* One distress action and its outcome. Strings it owns are freed by store_distress_action_clear. */
struct store_distress_action {
	int64_t id;
	char device_id[STORE_MAX_ID];
	int64_t case_id;             /* the remediation case it serves, 0 = none */
	char kind[32];               /* distress_kind_name(): reboot, download, get, diagnostic ... */
	char *args;                  /* JSON object of the arguments (owned) */
	char *result;                /* JSON object of the result, NULL before (owned) */
	int status;                  /* enum store_distress_status */
	int deliveries;              /* times handed to the device */
	int64_t session;             /* distress session that last received it */
	char note[256];
	int64_t created, sent, completed; /* unix seconds; 0 = not yet */
};

/* store_distress_device_put: insert or replace every field of d. */
int store_distress_device_put(struct store *s, const struct store_distress_device *d);
/* store_distress_device_get: LF_ENOTFOUND when the device has no distress keys. */
int store_distress_device_get(struct store *s, const char *device_id, struct store_distress_device *out);
/* store_distress_unprovisioned: up to max registered, unblocked devices without distress keys, first seen at or
 * after since (unix seconds; 0 = any), oldest first. */
int store_distress_unprovisioned(struct store *s, int64_t since, char (*ids)[STORE_MAX_ID], size_t max, size_t *n);
/* store_distress_action_add: queue an action; *id gets its id. */
int store_distress_action_add(struct store *s, const char *device_id, int64_t case_id, const char *kind,
			      const char *args_json, int64_t now, int64_t *id);
/* store_distress_action_next: the device's oldest action that is queued or sent without a result (caller
 * clears out); LF_ENOTFOUND when none. */
int store_distress_action_next(struct store *s, const char *device_id, struct store_distress_action *out);
int store_distress_action_get(struct store *s, int64_t id, struct store_distress_action *out);
/* store_distress_action_update: write status, result (NULL keeps it), note, deliveries, session, sent and
 * completed of a (by a->id). */
int store_distress_action_update(struct store *s, const struct store_distress_action *a);
/* store_distress_action_list: a device's actions (all devices when NULL) with status (any when < 0), newest
 * first, at most limit. */
int store_distress_action_list(struct store *s, const char *device_id, int status, int limit,
			       int (*cb)(void *ctx, const struct store_distress_action *a), void *ctx);
/* store_distress_action_pending: how many of the device's actions are queued or sent. */
int store_distress_action_pending(struct store *s, const char *device_id, int64_t *count);
void store_distress_action_clear(struct store_distress_action *a);

#endif
