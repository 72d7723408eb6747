/* fm_nbi.h: Interface Type 2 in the style of 3GPP TS 28.532 FaultMnS: alarm records (list, one, ack/unack/clear,
 * count) and subscriptions to northbound notifications, under /FaultSupervisionMnS/v1/, with the NBI's bearer
 * tokens. The parsers of its inputs are exported for the fuzz target. */
#ifndef LF_HEMS_FM_NBI_H
#define LF_HEMS_FM_NBI_H

#include <jansson.h>
#include <stddef.h>

#include "hems/hems.h"
#include "store/store.h"

#define HEMS_FM_PREFIX "/FaultSupervisionMnS/v1/"
#define HEMS_FM_SYSTEM_DN "HeMS=lifeline"
#define HEMS_FM_MAX_LIMIT 10000 /* alarm records in one answer */

/* A query-string lookup the HTTP front provides: the (decoded) value of key, or NULL. */
typedef const char *(*hems_fm_query_fn)(void *ctx, const char *key);

/* hems_fm_handle: answer one FaultSupervisionMnS request (url is the path without the query string). Errors are
 * problem documents {status, title, detail, error: {errorInfo}} naming what is wrong. */
void hems_fm_handle(struct hems *h, const char *method, const char *url, const char *authorization,
                    hems_fm_query_fn query, void *qctx, const char *body, size_t len, struct hems_reply *r);

/* ---- inputs, parsed and checked (no side effects; fuzzed) */

enum hems_fm_patch_kind { HEMS_FM_ACK, HEMS_FM_UNACK, HEMS_FM_CLEAR };

/* A merge-patch of one alarm (28.532 MergePatchAcknowledgeAlarm / MergePatchClearAlarm). */
struct hems_fm_patch {
	enum hems_fm_patch_kind kind;
	char user[65];   /* ackUserId / clearUserId; "" when absent (the token's name is used) */
	char system[65]; /* ackSystemId / clearSystemId */
};

/* hems_fm_patch_parse: body -> p. LF_EINVAL / LF_EPARSE with the reason in err. */
int hems_fm_patch_parse(const char *body, size_t len, struct hems_fm_patch *p, char *err, size_t errlen);

/* The text behind a store_alarm_filter (which points into it). */
struct hems_fm_alarm_query {
	char device_id[STORE_MAX_ID];
	char severity[20];
	char event_type[65];
	char since[40], until[40];
	int limit;
};

/* hems_fm_query_parse: query parameters deviceId, baseObjectInstance, perceivedSeverity, alarmType, ackState,
 * alarmAckState, since, until, limit -> f (pointing into q). LF_EINVAL with the reason in err. */
int hems_fm_query_parse(hems_fm_query_fn query, void *qctx, struct hems_fm_alarm_query *q, struct store_alarm_filter *f,
                        char *err, size_t errlen);

/* hems_fm_subscription_parse: a POST /subscriptions body -> the callback URL and the filter normalised to JSON
 * text {"notificationTypes": [...], "deviceIds": [...], "alarmTypes": [...], "perceivedSeverities": [...]}
 * (absent keys: any). LF_EINVAL / LF_EPARSE / LF_ETOOBIG with the reason in err. */
int hems_fm_subscription_parse(const char *body, size_t len, char *url, size_t urllen, char *filter, size_t filterlen,
                               char *err, size_t errlen);

/* hems_fm_filter_match: whether a notification passes a normalised filter (NULL = everything). A filter on
 * alarmTypes or perceivedSeverities lets only notifications carrying that field through. */
int hems_fm_filter_match(json_t *filter, const char *type, const char *device_id, json_t *body);

/* hems_fm_notification_known: whether type is a notification hemsd emits (28.532 names and our own). */
int hems_fm_notification_known(const char *type);

/* ---- answers shared by the northbound handlers (outbox, enforcement) */
/* hems_fm_reply_json: status with doc (stolen) as the JSON body. */
void hems_fm_reply_json(struct hems_reply *r, unsigned status, json_t *doc);
/* hems_fm_reply_problem: an error document naming what is wrong. */
void hems_fm_reply_problem(struct hems_reply *r, unsigned status, const char *title, const char *detail);

#endif
