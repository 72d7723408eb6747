/* fm_nbi.c: FaultSupervisionMnS (TS 28.532 style): alarm records, ack/unack/clear by merge-patch, alarm count,
 * subscriptions. Every change and its notification are one store transaction (the outbox delivers it). */
#include "hems/fm_nbi.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alarm/catalogue.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "hems/nbi.h"
#include "hems/notify.h"
#include "hems/outbox.h"
#include "hems/remediation.h"

#define LF_MAX_FILTER_ITEMS 64

/* Notification types a subscriber may ask for: the 28.532 alarm notifications hemsd emits and the procedure's. */
static const char *const lf__known_types[] = {
    HEMS_NOTIFY_NEW_ALARM,
    HEMS_NOTIFY_CHANGED_ALARM,
    HEMS_NOTIFY_CLEARED_ALARM,
    HEMS_NOTIFY_ACK_STATE_CHANGED,
    HEMS_NOTIFY_REMEDIATION_STARTED,
    HEMS_NOTIFY_REMEDIATION_STEP,
    HEMS_NOTIFY_REMEDIATION_SUCCEEDED,
    HEMS_NOTIFY_REMEDIATION_FAILED,
    HEMS_NOTIFY_EXTENDED_REMEDIATION,
    HEMS_NOTIFY_NO_COMMUNICATION,
    HEMS_NOTIFY_AWAITING_INSTRUCTIONS,
    HEMS_NOTIFY_DEVICE_BLOCKED,
    HEMS_NOTIFY_DEVICE_UNBLOCKED,
    HEMS_NOTIFY_ENFORCEMENT,
};

int hems_fm_notification_known(const char *type)
{
	for (size_t i = 0; i < sizeof(lf__known_types) / sizeof(lf__known_types[0]); i++)
		if (strcmp(type, lf__known_types[i]) == 0)
			return 1;
	return 0;
}

void hems_fm_reply_json(struct hems_reply *r, unsigned status, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	r->status = status;
	r->content_type = "application/json";
	lf_buf_reset(&r->body);
	if (text) {
		lf_buf_puts(&r->body, text);
		lf_buf_puts(&r->body, "\n");
		free(text); /* jansson allocated it */
	}
}

/* A problem document (RFC 7807 fields) that is also a TS 28.623 ErrorResponse ({error: {errorInfo}}). */
void hems_fm_reply_problem(struct hems_reply *r, unsigned status, const char *title, const char *detail)
{
	hems_fm_reply_json(r, status,
	                   json_pack("{s:i, s:s, s:s, s:{s:s}}", "status", (int)status, "title", title, "detail",
	                             detail, "error", "errorInfo", detail));
}

static void lf__no_content(struct hems_reply *r)
{
	r->status = 204;
	r->content_type = NULL;
	lf_buf_reset(&r->body);
}

/* ---------------------------------------------------------------- input parsers */

/* ISO 8601 as SQLite's date functions read it: YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|(+|-)HH:MM]. */
static int lf__iso8601_ok(const char *s)
{
	static const char date[] = "dddd-dd-dd";
	static const char hm[] = "dd:dd";
	size_t i = 0;
	for (; date[i]; i++)
		if (date[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != date[i])
			return 0;
	if (!s[i])
		return 1;
	if (s[i] != 'T' && s[i] != ' ')
		return 0;
	s += i + 1;
	for (i = 0; hm[i]; i++)
		if (hm[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != hm[i])
			return 0;
	s += i;
	if (s[0] == ':') {
		if (!isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
			return 0;
		s += 3;
		if (s[0] == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return 0;
			while (isdigit((unsigned char)*s))
				s++;
		}
	}
	if (!*s || (s[0] == 'Z' && !s[1]))
		return 1;
	if (s[0] != '+' && s[0] != '-')
		return 0;
	s++;
	for (i = 0; hm[i]; i++)
		if (hm[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != hm[i])
			return 0;
	return s[i] == '\0';
}

static int lf__copy(char *out, size_t outlen, const char *v)
{
	if (strlen(v) >= outlen)
		return LF_ETOOBIG;
	snprintf(out, outlen, "%s", v);
	return LF_OK;
}

int hems_fm_query_parse(hems_fm_query_fn query, void *qctx, struct hems_fm_alarm_query *q, struct store_alarm_filter *f,
                        char *err, size_t errlen)
{
	const char *v;
	memset(q, 0, sizeof(*q));
	memset(f, 0, sizeof(*f));
	f->acked = -1;
	f->cleared = -1;
	q->limit = 1000;
#define LF_Q(key) (query ? query(qctx, key) : NULL)
	if ((v = LF_Q("deviceId"))) {
		if (!v[0] || lf__copy(q->device_id, sizeof(q->device_id), v)) {
			snprintf(err, errlen, "deviceId must be a device id of 1..%d bytes", STORE_MAX_ID - 1);
			return LF_EINVAL;
		}
		f->device_id = q->device_id;
	}
	if ((v = LF_Q("baseObjectInstance"))) {
		static const char prefix[] = HEMS_FM_SYSTEM_DN ",HeNB=";
		if (strncmp(v, prefix, sizeof(prefix) - 1) == 0 && v[sizeof(prefix) - 1] && !f->device_id &&
		    !lf__copy(q->device_id, sizeof(q->device_id), v + sizeof(prefix) - 1)) {
			f->device_id = q->device_id;
		} else if (strcmp(v, HEMS_FM_SYSTEM_DN) != 0) {
			snprintf(err, errlen,
			         "baseObjectInstance must be '" HEMS_FM_SYSTEM_DN "' or '" HEMS_FM_SYSTEM_DN
			         ",HeNB=<deviceId>' (and not together with deviceId)");
			return LF_EINVAL;
		}
	}
	if ((v = LF_Q("perceivedSeverity"))) {
		int sev = alarm_severity_parse(v);
		if (sev < 0) {
			snprintf(err, errlen,
			         "perceivedSeverity must be CRITICAL, MAJOR, MINOR, WARNING, INDETERMINATE or CLEARED");
			return LF_EINVAL;
		}
		snprintf(q->severity, sizeof(q->severity), "%s", alarm_severity_text((enum alarm_severity)sev));
		f->severity = q->severity;
		if (sev == ALARM_SEV_CLEARED)
			f->include_closed = 1;
	}
	if ((v = LF_Q("alarmType"))) {
		int et = alarm_event_type_parse(v);
		if (et < 0) {
			snprintf(err, errlen, "alarmType must be a TS 28.532 AlarmType, e.g. INTEGRITY_VIOLATION");
			return LF_EINVAL;
		}
		snprintf(q->event_type, sizeof(q->event_type), "%s", alarm_event_type_text((enum alarm_event_type)et));
		f->event_type = q->event_type;
	}
	if ((v = LF_Q("alarmAckState"))) {
		/* TS 28.532 AlarmAckState */
		static const struct {
			const char *name;
			int cleared, acked, closed;
		} states[] = {
		    {"ALL_ALARMS", -1, -1, 0},
		    {"ALL_ACTIVE_ALARMS", 0, -1, 0},
		    {"ALL_ACTIVE_AND_ACKNOWLEDGED_ALARMS", 0, 1, 0},
		    {"ALL_ACTIVE_AND_UNACKNOWLEDGED_ALARMS", 0, 0, 0},
		    {"ALL_CLEARED_AND_UNACKNOWLEDGED_ALARMS", 1, 0, 0},
		    {"ALL_UNACKNOWLEDGED_ALARMS", -1, 0, 0},
		};
		size_t i = 0;
		while (i < sizeof(states) / sizeof(states[0]) && strcmp(states[i].name, v) != 0)
			i++;
		if (i == sizeof(states) / sizeof(states[0])) {
			snprintf(err, errlen,
			         "alarmAckState must be a TS 28.532 AlarmAckState, e.g. ALL_ACTIVE_ALARMS");
			return LF_EINVAL;
		}
		f->cleared = states[i].cleared;
		f->acked = states[i].acked;
	}
	if ((v = LF_Q("ackState"))) {
		int acked = strcmp(v, "ACKNOWLEDGED") == 0 ? 1 : strcmp(v, "UNACKNOWLEDGED") == 0 ? 0 : -1;
		if (acked < 0 || (f->acked >= 0 && f->acked != acked)) {
			snprintf(err, errlen,
			         "ackState must be ACKNOWLEDGED or UNACKNOWLEDGED (and agree with "
			         "alarmAckState)");
			return LF_EINVAL;
		}
		f->acked = acked;
	}
	if ((v = LF_Q("includeHistory"))) {
		if (strcmp(v, "true") && strcmp(v, "false")) {
			snprintf(err, errlen, "includeHistory must be true or false");
			return LF_EINVAL;
		}
		f->include_closed = f->include_closed || strcmp(v, "true") == 0;
	}
	/* Acknowledged and cleared records have left the alarm list; asking for them by state brings them back. */
	if (f->acked == 1 && f->cleared == 1)
		f->include_closed = 1;
	const char *bounds[2] = {LF_Q("since"), LF_Q("until")};
	char *dest[2] = {q->since, q->until};
	for (int i = 0; i < 2; i++) {
		if (!bounds[i])
			continue;
		if (!lf__iso8601_ok(bounds[i]) || lf__copy(dest[i], sizeof(q->since), bounds[i])) {
			snprintf(err, errlen, "%s must be an ISO 8601 time, e.g. 2026-11-28T22:07:00Z",
			         i ? "until" : "since");
			return LF_EINVAL;
		}
	}
	f->since = q->since[0] ? q->since : NULL;
	f->until = q->until[0] ? q->until : NULL;
	if ((v = LF_Q("limit"))) {
		char *end = NULL;
		long n = strtol(v, &end, 10);
		if (!v[0] || !end || *end || n < 1 || n > HEMS_FM_MAX_LIMIT) {
			snprintf(err, errlen, "limit must be an integer 1..%d", HEMS_FM_MAX_LIMIT);
			return LF_EINVAL;
		}
		q->limit = (int)n;
	}
#undef LF_Q
	return LF_OK;
}

static json_t *lf__body_object(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		if (doc)
			snprintf(err, errlen, "request body must be a JSON object");
		else
			snprintf(err, errlen, "request body is not JSON: %s at line %d column %d", jerr.text, jerr.line,
			         jerr.column);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* An optional string member of at most outlen-1 bytes. */
static int lf__opt_string(json_t *doc, const char *key, char *out, size_t outlen, char *err, size_t errlen)
{
	json_t *v = json_object_get(doc, key);
	out[0] = '\0';
	if (!v)
		return LF_OK;
	if (!json_is_string(v) || lf__copy(out, outlen, json_string_value(v))) {
		snprintf(err, errlen, "'%s' must be a string shorter than %zu bytes", key, outlen);
		return LF_EINVAL;
	}
	return LF_OK;
}

int hems_fm_patch_parse(const char *body, size_t len, struct hems_fm_patch *p, char *err, size_t errlen)
{
	int result = LF_EINVAL;
	memset(p, 0, sizeof(*p));
	json_t *doc = lf__body_object(body, len, err, errlen);
	if (!doc)
		return LF_EPARSE;
	json_t *ack = json_object_get(doc, "ackState");
	json_t *sev = json_object_get(doc, "perceivedSeverity");
	const char *key;
	json_t *v;
	json_object_foreach(doc, key, v)
	{
		static const char *const allowed[] = {"ackState",          "ackUserId",   "ackSystemId",
		                                      "perceivedSeverity", "clearUserId", "clearSystemId"};
		size_t i = 0;
		while (i < 6 && strcmp(allowed[i], key) != 0)
			i++;
		if (i == 6) {
			snprintf(err, errlen,
			         "'%.64s' cannot be patched: only ackState (with ackUserId, ackSystemId) or "
			         "perceivedSeverity CLEARED (with clearUserId, clearSystemId)",
			         key);
			goto out;
		}
	}
	if (ack && sev) {
		snprintf(err, errlen, "acknowledge and clear are two patches: send ackState or perceivedSeverity");
		goto out;
	}
	if (ack) {
		const char *s = json_is_string(ack) ? json_string_value(ack) : "";
		if (strcmp(s, "ACKNOWLEDGED") == 0)
			p->kind = HEMS_FM_ACK;
		else if (strcmp(s, "UNACKNOWLEDGED") == 0)
			p->kind = HEMS_FM_UNACK;
		else {
			snprintf(err, errlen, "ackState must be ACKNOWLEDGED or UNACKNOWLEDGED");
			goto out;
		}
		if (json_object_get(doc, "clearUserId") || json_object_get(doc, "clearSystemId")) {
			snprintf(err, errlen, "clearUserId and clearSystemId belong to a clear patch");
			goto out;
		}
		if (lf__opt_string(doc, "ackUserId", p->user, sizeof(p->user), err, errlen) ||
		    lf__opt_string(doc, "ackSystemId", p->system, sizeof(p->system), err, errlen))
			goto out;
	} else if (sev) {
		if (!json_is_string(sev) || strcmp(json_string_value(sev), "CLEARED") != 0) {
			snprintf(err, errlen, "perceivedSeverity can only be patched to CLEARED");
			goto out;
		}
		if (json_object_get(doc, "ackUserId") || json_object_get(doc, "ackSystemId")) {
			snprintf(err, errlen, "ackUserId and ackSystemId belong to an acknowledge patch");
			goto out;
		}
		p->kind = HEMS_FM_CLEAR;
		if (lf__opt_string(doc, "clearUserId", p->user, sizeof(p->user), err, errlen) ||
		    lf__opt_string(doc, "clearSystemId", p->system, sizeof(p->system), err, errlen))
			goto out;
	} else {
		snprintf(err, errlen,
		         "nothing to patch: send {\"ackState\": \"ACKNOWLEDGED\", \"ackUserId\": ...} or "
		         "{\"perceivedSeverity\": \"CLEARED\", \"clearUserId\": ...}");
		goto out;
	}
	result = LF_OK;
out:
	json_decref(doc);
	return result;
}

/* One filter key: a string or an array of strings, each checked and normalised by canon (NULL: kept as is). */
static int lf__filter_list(json_t *in, const char *key, const char *alias, json_t *out, size_t maxlen,
                           const char *(*canon)(const char *), const char *what, char *err, size_t errlen)
{
	json_t *v = json_object_get(in, key);
	const char *name = key;
	if (alias && json_object_get(in, alias)) {
		if (v) {
			snprintf(err, errlen, "filter: give '%s' or '%s', not both", key, alias);
			return LF_EINVAL;
		}
		v = json_object_get(in, alias);
		name = alias;
	}
	if (!v)
		return LF_OK;
	json_t *items = json_is_string(v) ? json_pack("[O]", v) : json_incref(v);
	json_t *list = json_array();
	size_t i;
	json_t *it;
	int result = LF_OK;
	if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > LF_MAX_FILTER_ITEMS) {
		snprintf(err, errlen, "filter: '%s' must be a string or an array of 1..%d strings", name,
		         LF_MAX_FILTER_ITEMS);
		result = LF_EINVAL;
		goto out;
	}
	json_array_foreach(items, i, it)
	{
		const char *s = json_is_string(it) ? json_string_value(it) : NULL;
		const char *c = s && strlen(s) < maxlen && s[0] ? (canon ? canon(s) : s) : NULL;
		if (!c) {
			snprintf(err, errlen, "filter: '%s' has an entry that is not %s", name, what);
			result = LF_EINVAL;
			goto out;
		}
		json_array_append_new(list, json_string(c));
	}
	json_object_set(out, key, list);
out:
	json_decref(list);
	json_decref(items);
	return result;
}

static const char *lf__canon_type(const char *s)
{
	return hems_fm_notification_known(s) ? s : NULL;
}

static const char *lf__canon_alarm_type(const char *s)
{
	int et = alarm_event_type_parse(s);
	return et < 0 ? NULL : alarm_event_type_nbi((enum alarm_event_type)et);
}

static const char *lf__canon_severity(const char *s)
{
	int sev = alarm_severity_parse(s);
	return sev < 0 ? NULL : alarm_severity_nbi((enum alarm_severity)sev);
}

int hems_fm_subscription_parse(const char *body, size_t len, char *url, size_t urllen, char *filter, size_t filterlen,
                               char *err, size_t errlen)
{
	int result = LF_EINVAL;
	json_t *norm = json_object();
	json_t *doc = lf__body_object(body, len, err, errlen);
	char *text = NULL;
	if (!doc) {
		result = LF_EPARSE;
		goto out;
	}
	const char *key;
	json_t *v;
	json_object_foreach(doc, key, v)
	{
		if (strcmp(key, "consumerReference") && strcmp(key, "filter") && strcmp(key, "timeTick")) {
			snprintf(err, errlen, "unknown member '%.64s' (consumerReference, filter, timeTick)", key);
			goto out;
		}
	}
	json_t *cref = json_object_get(doc, "consumerReference");
	const char *u = json_is_string(cref) ? json_string_value(cref) : "";
	if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) || strlen(u) >= urllen || strlen(u) < 9 ||
	    strpbrk(u, " \t\r\n\"\\<>")) {
		snprintf(err, errlen, "consumerReference must be an http:// or https:// URL shorter than %zu bytes",
		         urllen);
		goto out;
	}
	json_t *tick = json_object_get(doc, "timeTick");
	if (tick && (!json_is_integer(tick) || json_integer_value(tick) < 0)) {
		snprintf(err, errlen, "timeTick must be a non-negative integer (heartbeats are not sent)");
		goto out;
	}
	json_t *f = json_object_get(doc, "filter");
	if (f && json_is_string(f)) {
		snprintf(err, errlen,
		         "filter must be a JSON object {notificationTypes, deviceIds, alarmTypes, "
		         "perceivedSeverities}, not a filter expression");
		goto out;
	}
	if (f && !json_is_object(f)) {
		snprintf(err, errlen, "filter must be a JSON object");
		goto out;
	}
	if (f) {
		json_object_foreach(f, key, v)
		{
			static const char *const allowed[] = {"notificationTypes", "deviceIds", "deviceId",
			                                      "alarmTypes",        "alarmType", "perceivedSeverities",
			                                      "perceivedSeverity"};
			size_t i = 0;
			while (i < 7 && strcmp(allowed[i], key) != 0)
				i++;
			if (i == 7) {
				snprintf(err, errlen,
				         "filter: unknown member '%.64s' (notificationTypes, deviceIds, "
				         "alarmTypes, perceivedSeverities)",
				         key);
				goto out;
			}
		}
		if (lf__filter_list(f, "notificationTypes", NULL, norm, 64, lf__canon_type,
		                    "a notification type hemsd sends (see docs/northbound.md)", err, errlen) ||
		    lf__filter_list(f, "deviceIds", "deviceId", norm, STORE_MAX_ID, NULL, "a device id", err, errlen) ||
		    lf__filter_list(f, "alarmTypes", "alarmType", norm, 64, lf__canon_alarm_type,
		                    "a TS 28.532 AlarmType", err, errlen) ||
		    lf__filter_list(f, "perceivedSeverities", "perceivedSeverity", norm, 32, lf__canon_severity,
		                    "a PerceivedSeverity", err, errlen))
			goto out;
	}
	text = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text || strlen(text) >= filterlen) {
		snprintf(err, errlen, "filter longer than %zu bytes", filterlen);
		result = LF_ETOOBIG;
		goto out;
	}
	snprintf(url, urllen, "%s", u);
	snprintf(filter, filterlen, "%s", text);
	result = LF_OK;
out:
	free(text);
	json_decref(doc);
	json_decref(norm);
	return result;
}

/* Whether list (NULL: no constraint) holds value (case-insensitive). */
static int lf__list_has(json_t *list, const char *value)
{
	size_t i;
	json_t *it;
	if (!list)
		return 1;
	if (!value)
		return 0;
	json_array_foreach(list, i,
	                   it) if (json_is_string(it) && strcasecmp(json_string_value(it), value) == 0) return 1;
	return 0;
}

int hems_fm_filter_match(json_t *filter, const char *type, const char *device_id, json_t *body)
{
	if (!json_is_object(filter))
		return 1;
	json_t *at = json_object_get(body, "alarmType");
	json_t *ps = json_object_get(body, "perceivedSeverity");
	return lf__list_has(json_object_get(filter, "notificationTypes"), type) &&
	       lf__list_has(json_object_get(filter, "deviceIds"), device_id) &&
	       lf__list_has(json_object_get(filter, "alarmTypes"), json_is_string(at) ? json_string_value(at) : NULL) &&
	       lf__list_has(json_object_get(filter, "perceivedSeverities"),
	                    json_is_string(ps) ? json_string_value(ps) : NULL);
}

/* ---------------------------------------------------------------- alarm records */

static void lf__iso(int64_t t, char *out, size_t outlen)
{
	lf_time_iso8601((time_t)t, out, outlen);
}

static const char *lf__alarm_type_nbi(const char *event_type)
{
	int et = alarm_event_type_parse(event_type);
	return et >= 0 ? alarm_event_type_nbi((enum alarm_event_type)et) : event_type;
}

static const char *lf__severity_nbi(const char *severity)
{
	int sev = alarm_severity_parse(severity);
	return sev >= 0 ? alarm_severity_nbi((enum alarm_severity)sev) : "INDETERMINATE";
}

/* TS 28.532 AlarmRecord (alarmId is the key of the map, not an attribute), plus deviceId, alarmIdentifier,
 * caseId and source for NM's convenience. */
static json_t *lf__record_json(const struct store_alarm_record *r)
{
	const struct store_alarm *a = &r->a;
	char dn[300], t[32];
	snprintf(dn, sizeof(dn), HEMS_FM_SYSTEM_DN ",HeNB=%s", a->device_id);
	json_t *o = json_object();
	json_object_set_new(o, "objectInstance", json_string(dn));
	json_object_set_new(o, "alarmRaisedTime", json_string(a->event_time));
	if (r->changed_time[0])
		json_object_set_new(o, "alarmChangedTime", json_string(r->changed_time));
	json_object_set_new(o, "alarmType", json_string(lf__alarm_type_nbi(a->event_type)));
	json_object_set_new(o, "probableCause", json_string(a->probable_cause));
	json_object_set_new(o, "specificProblem", json_string(a->specific_problem));
	json_object_set_new(o, "perceivedSeverity", json_string(lf__severity_nbi(r->severity_now)));
	json_object_set_new(o, "additionalText", json_string(a->additional_text));
	if (a->additional_info[0])
		json_object_set_new(o, "additionalInformation", json_pack("{s:s}", "deviceText", a->additional_info));
	json_object_set_new(o, "ackState", json_string(a->acked ? "ACKNOWLEDGED" : "UNACKNOWLEDGED"));
	if (a->ack_time) {
		lf__iso(a->ack_time, t, sizeof(t));
		json_object_set_new(o, "ackTime", json_string(t));
		json_object_set_new(o, "ackUserId", json_string(a->ack_user));
	}
	if (a->cleared) {
		lf__iso(a->clear_time, t, sizeof(t));
		json_object_set_new(o, "alarmClearedTime", json_string(t));
		json_object_set_new(o, "clearUserId", json_string(a->clear_user));
	}
	/* X.736 security alarm parameters, as in NotifyNewSecAlarm */
	json_object_set_new(o, "serviceUser", json_string(dn));
	json_object_set_new(o, "serviceProvider", json_string(HEMS_FM_SYSTEM_DN));
	json_object_set_new(o, "securityAlarmDetector", json_string(dn));
	json_object_set_new(o, "deviceId", json_string(a->device_id));
	json_object_set_new(o, "alarmIdentifier", json_string(a->alarm_identifier));
	json_object_set_new(o, "managedObjectInstance", json_string(a->managed_object));
	json_object_set_new(o, "source", json_string(a->source));
	if (a->case_id)
		json_object_set_new(o, "caseId", json_integer(a->case_id));
	return o;
}

static int lf__collect_record(void *ctx, const struct store_alarm_record *r)
{
	char id[32];
	snprintf(id, sizeof(id), "%lld", (long long)r->a.id);
	json_object_set_new(ctx, id, lf__record_json(r));
	return 0;
}

struct lf__count {
	json_int_t by_sev[ALARM_SEV_COUNT];
	json_int_t total;
};

static int lf__count_record(void *ctx, const struct store_alarm_record *r)
{
	struct lf__count *c = ctx;
	int sev = alarm_severity_parse(r->severity_now);
	c->by_sev[sev >= 0 ? sev : ALARM_SEV_INDETERMINATE]++;
	c->total++;
	return 0;
}

static int lf__copy_record(void *ctx, const struct store_alarm_record *r)
{
	*(struct store_alarm_record *)ctx = *r;
	return 0;
}

static int lf__parse_id(const char *text, int64_t *id)
{
	char *end = NULL;
	long long v = strtoll(text, &end, 10);
	if (!text[0] || !end || *end || v <= 0)
		return LF_EINVAL;
	*id = v;
	return LF_OK;
}

/* The record an alarmId names (the id of any event of it resolves to the record). */
static int lf__record_get(struct hems *h, const char *id_text, struct store_alarm_record *out, struct hems_reply *r)
{
	int64_t id = 0, rec = 0;
	struct store_alarm_filter f;
	if (lf__parse_id(id_text, &id)) {
		hems_fm_reply_problem(r, 400, "Bad Request", "alarmId must be a positive integer");
		return LF_EINVAL;
	}
	int result = store_alarm_record_of(h->store, id, &rec);
	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	f.id = rec;
	f.acked = f.cleared = -1;
	f.include_closed = 1;
	if (!result)
		result = store_alarm_query(h->store, &f, 1, lf__copy_record, out);
	if (!result && out->a.id == 0)
		result = LF_ENOTFOUND;
	if (result == LF_ENOTFOUND)
		hems_fm_reply_problem(r, 404, "Not Found", "no such alarm");
	else if (result)
		hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
	return result;
}

/* The notification of an ack-state change or an operator clear (NotifyAckStateChanged / NotifyClearedAlarm). */
static json_t *lf__patch_notification(const char *type, const struct store_alarm_record *rec,
                                      const struct hems_fm_patch *p, const char *user)
{
	const struct store_alarm *a = &rec->a;
	char href[96], dn[300], now[32], id[32];
	snprintf(id, sizeof(id), "%lld", (long long)a->id);
	snprintf(href, sizeof(href), HEMS_FM_PREFIX "alarms/%s", id);
	snprintf(dn, sizeof(dn), HEMS_FM_SYSTEM_DN ",HeNB=%s", a->device_id);
	lf_time_iso8601(time(NULL), now, sizeof(now));
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "notificationType", type, "href",
	                      href, "eventTime", now, "systemDN", HEMS_FM_SYSTEM_DN, "alarmId", id, "alarmType",
	                      lf__alarm_type_nbi(a->event_type), "probableCause", a->probable_cause, "objectInstance",
	                      dn, "deviceId", a->device_id, "alarmIdentifier", a->alarm_identifier);
	if (p->kind == HEMS_FM_CLEAR) {
		json_object_set_new(b, "perceivedSeverity", json_string("CLEARED"));
		json_object_set_new(b, "clearUserId", json_string(user));
		if (p->system[0])
			json_object_set_new(b, "clearSystemId", json_string(p->system));
	} else {
		json_object_set_new(b, "perceivedSeverity", json_string(lf__severity_nbi(rec->severity_now)));
		json_object_set_new(b, "ackState",
		                    json_string(p->kind == HEMS_FM_ACK ? "ACKNOWLEDGED" : "UNACKNOWLEDGED"));
		json_object_set_new(b, "ackUserId", json_string(user));
		if (p->system[0])
			json_object_set_new(b, "ackSystemId", json_string(p->system));
	}
	return b;
}

/* PATCH /alarms/{alarmId}: the state change, its notification and an audit row in the device's case, atomically.
 * A patch that changes nothing (ack of an acknowledged alarm) succeeds without a notification. */
static void lf__alarm_patch(struct hems *h, const char *id_text, const char *actor, const char *body, size_t len,
                            struct hems_reply *r)
{
	struct hems_fm_patch p;
	struct store_alarm_record rec;
	char err[256], what[256];
	if (hems_fm_patch_parse(body, len, &p, err, sizeof(err))) {
		hems_fm_reply_problem(r, 400, "Bad Request", err);
		return;
	}
	if (lf__record_get(h, id_text, &rec, r))
		return;
	const char *user = p.user[0] ? p.user : actor;
	int64_t now = (int64_t)time(NULL);
	const char *type;
	int result;
	if (p.kind == HEMS_FM_CLEAR) {
		if (rec.a.cleared) {
			lf__no_content(r);
			return;
		}
		type = HEMS_NOTIFY_CLEARED_ALARM;
		snprintf(what, sizeof(what), "alarm %lld (%s) cleared by %s", (long long)rec.a.id,
		         rec.a.alarm_identifier, user);
	} else {
		int acked = p.kind == HEMS_FM_ACK;
		if (rec.a.acked == acked) {
			lf__no_content(r);
			return;
		}
		type = HEMS_NOTIFY_ACK_STATE_CHANGED;
		snprintf(what, sizeof(what), "alarm %lld (%s) %s by %s", (long long)rec.a.id, rec.a.alarm_identifier,
		         acked ? "acknowledged" : "unacknowledged", user);
	}
	json_t *note = lf__patch_notification(type, &rec, &p, user);
	char *text = json_dumps(note, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(note);
	result = store_begin(h->store);
	if (!result)
		result = p.kind == HEMS_FM_CLEAR
		             ? store_alarm_clear(h->store, rec.a.id, user, now)
		             : store_alarm_ack(h->store, rec.a.id, p.kind == HEMS_FM_ACK, user, now);
	if (!result)
		result =
		    store_outbox_add(h->store, type, rec.a.device_id, rec.a.case_id, text ? text : "{}", now, NULL);
	if (!result)
		hems_case_note(h, rec.a.device_id, actor, what);
	result = store_end(h->store, result != LF_OK) ? (result ? result : LF_ESTORE) : result;
	free(text);
	if (result == LF_EEXIST) { /* cleared between our read and the update */
		lf__no_content(r);
		return;
	}
	if (result) {
		hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	lf_info("alarm_patched", "alarm=%lld device=%s what=\"%s\" actor=%s", (long long)rec.a.id, rec.a.device_id,
	        what, actor);
	hems_outbox_kick(h);
	lf__no_content(r);
}

static void lf__alarm_list(struct hems *h, hems_fm_query_fn query, void *qctx, int count, struct hems_reply *r)
{
	struct hems_fm_alarm_query q;
	struct store_alarm_filter f;
	char err[256];
	if (hems_fm_query_parse(query, qctx, &q, &f, err, sizeof(err))) {
		hems_fm_reply_problem(r, 400, "Bad Request", err);
		return;
	}
	if (count) {
		struct lf__count c;
		memset(&c, 0, sizeof(c));
		if (store_alarm_query(h->store, &f, HEMS_FM_MAX_LIMIT * 100, lf__count_record, &c)) {
			hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
			return;
		}
		hems_fm_reply_json(r, 200,
		                   json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "criticalCount",
		                             c.by_sev[ALARM_SEV_CRITICAL], "majorCount", c.by_sev[ALARM_SEV_MAJOR],
		                             "minorCount", c.by_sev[ALARM_SEV_MINOR], "warningCount",
		                             c.by_sev[ALARM_SEV_WARNING], "indeterminateCount",
		                             c.by_sev[ALARM_SEV_INDETERMINATE], "clearedCount",
		                             c.by_sev[ALARM_SEV_CLEARED], "totalCount", c.total));
		return;
	}
	json_t *map = json_object();
	if (store_alarm_query(h->store, &f, q.limit, lf__collect_record, map)) {
		json_decref(map);
		hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	hems_fm_reply_json(r, 200, map);
}

/* ---------------------------------------------------------------- subscriptions */

struct lf__sub_list {
	struct hems *h;
	json_t *list;
};

static int lf__collect_sub(void *ctx, const struct store_subscription *s)
{
	struct lf__sub_list *c = ctx;
	json_array_append_new(c->list, hems_outbox_subscription_json(c->h, s));
	return 0;
}

static void lf__subscription_add(struct hems *h, const char *actor, const char *body, size_t len, struct hems_reply *r)
{
	struct store_subscription sub;
	char err[256];
	memset(&sub, 0, sizeof(sub));
	int result = hems_fm_subscription_parse(body, len, sub.consumer_reference, sizeof(sub.consumer_reference),
	                                        sub.filter, sizeof(sub.filter), err, sizeof(err));
	if (result) {
		hems_fm_reply_problem(r, 400, "Bad Request", err);
		return;
	}
	snprintf(sub.owner, sizeof(sub.owner), "nm");
	if (store_subscription_add(h->store, &sub, (int64_t)time(NULL))) {
		hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	lf_info("subscription_created", "subscription=%lld url=\"%s\" filter=%s actor=%s cursor=%lld",
	        (long long)sub.id, sub.consumer_reference, sub.filter, actor, (long long)sub.cursor);
	hems_outbox_kick(h);
	hems_fm_reply_json(r, 201, hems_outbox_subscription_json(h, &sub));
}

static void lf__subscription_one(struct hems *h, const char *method, const char *id_text, const char *actor,
                                 struct hems_reply *r)
{
	int64_t id;
	struct store_subscription sub;
	if (lf__parse_id(id_text, &id)) {
		hems_fm_reply_problem(r, 400, "Bad Request", "subscriptionId must be a positive integer");
		return;
	}
	int result = store_subscription_get(h->store, id, &sub);
	if (result) {
		hems_fm_reply_problem(r, result == LF_ENOTFOUND ? 404 : 500,
		                      result == LF_ENOTFOUND ? "Not Found" : "Internal Server Error",
		                      result == LF_ENOTFOUND ? "no such subscription" : "store unavailable");
		return;
	}
	if (strcmp(method, "GET") == 0) {
		hems_fm_reply_json(r, 200, hems_outbox_subscription_json(h, &sub));
		return;
	}
	if (strcmp(sub.owner, "nm") != 0) {
		hems_fm_reply_problem(r, 409, "Conflict",
		                      "this subscription belongs to hemsd's configuration (an enforcement webhook or "
		                      "policy); change the configuration instead");
		return;
	}
	if (store_subscription_delete(h->store, id)) {
		hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	lf_info("subscription_deleted", "subscription=%lld actor=%s", (long long)id, actor);
	hems_outbox_kick(h);
	lf__no_content(r);
}

void hems_fm_handle(struct hems *h, const char *method, const char *url, const char *authorization,
                    hems_fm_query_fn query, void *qctx, const char *body, size_t len, struct hems_reply *r)
{
	char actor[64];
	if (!h->cfg.nbi_token[0] && !h->n_nbi_tokens) {
		hems_fm_reply_problem(r, 403, "Forbidden",
		                      "the northbound interface is disabled: no nbi.token configured");
		return;
	}
	if (!hems_nbi_authorize(h, authorization, actor, sizeof(actor))) {
		lf_warn("nbi_auth_failed", "url=%s", url);
		hems_fm_reply_problem(r, 401, "Unauthorized",
		                      "a valid 'Authorization: Bearer <token>' header is required");
		return;
	}
	const char *path = url + strlen(HEMS_FM_PREFIX);
	const char *slash = strchr(path, '/');
	char head[32], tail[64];
	size_t hl = slash ? (size_t)(slash - path) : strlen(path);
	if (hl >= sizeof(head) || (slash && (strlen(slash + 1) >= sizeof(tail) || strchr(slash + 1, '/')))) {
		hems_fm_reply_problem(r, 404, "Not Found", "no such FaultSupervisionMnS resource");
		return;
	}
	memcpy(head, path, hl);
	head[hl] = '\0';
	snprintf(tail, sizeof(tail), "%s", slash ? slash + 1 : "");
	int get = strcmp(method, "GET") == 0;

	if (strcmp(head, "alarms") == 0 && !slash && get) {
		lf__alarm_list(h, query, qctx, 0, r);
	} else if (strcmp(head, "alarms") == 0 && strcmp(tail, "alarmCount") == 0 && get) {
		lf__alarm_list(h, query, qctx, 1, r);
	} else if (strcmp(head, "alarms") == 0 && slash && tail[0] && get) {
		struct store_alarm_record rec;
		if (!lf__record_get(h, tail, &rec, r)) {
			json_t *o = lf__record_json(&rec);
			json_object_set_new(o, "alarmId", json_sprintf("%lld", (long long)rec.a.id));
			hems_fm_reply_json(r, 200, o);
		}
	} else if (strcmp(head, "alarms") == 0 && slash && tail[0] && strcmp(method, "PATCH") == 0) {
		lf__alarm_patch(h, tail, actor, body, len, r);
	} else if (strcmp(head, "subscriptions") == 0 && !slash && strcmp(method, "POST") == 0) {
		lf__subscription_add(h, actor, body, len, r);
	} else if (strcmp(head, "subscriptions") == 0 && !slash && get) {
		struct lf__sub_list c = {h, json_array()};
		if (store_subscription_list(h->store, lf__collect_sub, &c)) {
			json_decref(c.list);
			hems_fm_reply_problem(r, 500, "Internal Server Error", "store unavailable");
			return;
		}
		hems_fm_reply_json(r, 200, json_pack("{s:o}", "subscriptions", c.list));
	} else if (strcmp(head, "subscriptions") == 0 && slash && tail[0] && (get || strcmp(method, "DELETE") == 0)) {
		lf__subscription_one(h, method, tail, actor, r);
	} else {
		int known = strcmp(head, "alarms") == 0 || strcmp(head, "subscriptions") == 0;
		hems_fm_reply_problem(r, known ? 405 : 404, known ? "Method Not Allowed" : "Not Found",
		                      "no such FaultSupervisionMnS resource or method");
	}
}
