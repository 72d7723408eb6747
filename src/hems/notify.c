/* notify.c: northbound notification bodies, written to the outbox (TS 28.532 FaultMnS style). */
#include "hems/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarm/catalogue.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"

static json_t *lf__header(const char *type, const char *href)
{
	char now[32];
	lf_time_iso8601(time(NULL), now, sizeof(now));
	return json_pack("{s:s, s:s, s:s, s:s}", "notificationType", type, "href", href, "eventTime", now, "systemDN",
			 "HeMS=lifeline");
}

/* The object instance (DN-like) naming the HeNB. */
static void lf__dn(char *out, size_t outlen, const char *device_id)
{
	snprintf(out, outlen, "HeMS=lifeline,HeNB=%s", device_id);
}

static int lf__write(struct hems *h, const char *type, const char *device_id, int64_t case_id, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(body);
	if (!text)
		return LF_ENOMEM;
	int result = store_outbox_add(h->store, type, device_id, case_id, text, (int64_t)time(NULL), NULL);
	free(text);
	if (result)
		lf_error("notify_failed", "type=%s device=%s", type, device_id);
	return result;
}

int hems_notify_alarm(struct hems *h, const struct store_alarm *a)
{
	const char *type = strcmp(a->notification_type, "ClearedAlarm") == 0	? HEMS_NOTIFY_CLEARED_ALARM
			   : strcmp(a->notification_type, "ChangedAlarm") == 0 ? HEMS_NOTIFY_CHANGED_ALARM
										: HEMS_NOTIFY_NEW_ALARM;
	char href[96], dn[300], alarm_id[32];
	/* TS 28.532: a changed or cleared alarm keeps the alarmId of the alarm it changes (its record). */
	int64_t record = a->id;
	if (store_alarm_record_of(h->store, a->id, &record) != LF_OK)
		record = a->id;
	snprintf(alarm_id, sizeof(alarm_id), "%lld", (long long)record);
	snprintf(href, sizeof(href), "/FaultSupervisionMnS/v1/alarms/%s", alarm_id);
	lf__dn(dn, sizeof(dn), a->device_id);
	int et = alarm_event_type_parse(a->event_type);
	int sev = alarm_severity_parse(a->severity);
	json_t *b = lf__header(type, href);
	json_object_set_new(b, "alarmId", json_string(alarm_id));
	json_object_set_new(b, "alarmType", json_string(et >= 0 ? alarm_event_type_nbi((enum alarm_event_type)et)
							     : a->event_type));
	json_object_set_new(b, "probableCause", json_string(a->probable_cause));
	json_object_set_new(b, "perceivedSeverity",
			    json_string(strcmp(type, HEMS_NOTIFY_CLEARED_ALARM) == 0 ? "CLEARED"
					: sev >= 0 ? alarm_severity_nbi((enum alarm_severity)sev)
						   : "INDETERMINATE"));
	json_object_set_new(b, "specificProblem", json_string(a->specific_problem));
	json_object_set_new(b, "additionalText", json_string(a->additional_text));
	json_object_set_new(b, "objectInstance", json_string(dn));
	json_object_set_new(b, "deviceId", json_string(a->device_id));
	json_object_set_new(b, "alarmIdentifier", json_string(a->alarm_identifier));
	json_object_set_new(b, "deviceEventTime", json_string(a->event_time));
	/* X.736 security alarm parameters (NotifyNewSecAlarm). */
	json_object_set_new(b, "serviceUser", json_string(dn));
	json_object_set_new(b, "serviceProvider", json_string("HeMS=lifeline"));
	json_object_set_new(b, "securityAlarmDetector", json_string(dn));
	return lf__write(h, type, a->device_id, a->case_id, b);
}

int hems_notify_case(struct hems *h, const char *type, const struct store_case *c, json_t *extra)
{
	char href[96], dn[300];
	snprintf(href, sizeof(href), "/nbi/v1/cases/%lld", (long long)c->id);
	lf__dn(dn, sizeof(dn), c->device_id);
	json_t *b = lf__header(type, href);
	json_object_set_new(b, "objectInstance", json_string(dn));
	json_object_set_new(b, "deviceId", json_string(c->device_id));
	json_object_set_new(b, "caseId", json_integer(c->id));
	json_object_set_new(b, "procedure", json_string(c->procedure));
	json_object_set_new(b, "state", json_string(c->state));
	json_object_set_new(b, "rung", json_integer(c->rung));
	if (c->outcome[0])
		json_object_set_new(b, "outcome", json_string(c->outcome));
	if (extra) {
		json_object_update(b, extra);
		json_decref(extra);
	}
	return lf__write(h, type, c->device_id, c->id, b);
}

int hems_notify_device(struct hems *h, const char *type, const char *device_id, json_t *extra)
{
	char href[300], dn[300];
	snprintf(href, sizeof(href), "/nbi/v1/devices/%s", device_id);
	lf__dn(dn, sizeof(dn), device_id);
	json_t *b = lf__header(type, href);
	json_object_set_new(b, "objectInstance", json_string(dn));
	json_object_set_new(b, "deviceId", json_string(device_id));
	if (extra) {
		json_object_update(b, extra);
		json_decref(extra);
	}
	return lf__write(h, type, device_id, 0, b);
}
