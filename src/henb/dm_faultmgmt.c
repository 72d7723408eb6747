/* dm_faultmgmt.c: Device.FaultMgmt. (TR-181 2.16, tr-181-2-16-0-faultmgmt.xml): the alarm tables as data;
 * faultmgmt.c writes them. */
#include "henb/dm_schema.h"

static const char *const lf__supported_severities[] = {"",      "*",     "Cleared", "Critical", "Major",
							"Minor", "Warning", "Indeterminate", NULL};
static const char *const lf__current_severities[] = {"Critical", "Major", "Minor", "Warning", "Indeterminate", NULL};
static const char *const lf__event_severities[] = {"Cleared", "Critical", "Major", "Minor",
						    "Warning", "Indeterminate", NULL};
static const char *const lf__mechanisms[] = {"0 Expedited", "1 Queued", "2 Logged", "3 Disabled", NULL};
static const char *const lf__notification_types[] = {"NewAlarm", "ChangedAlarm", "ClearedAlarm", NULL};

static const struct henb_dm_param lf__fm[] = {
	HENB_P_COUNT("SupportedAlarmNumberOfEntries"),
	HENB_P_UINT("MaxCurrentAlarmEntries", 0, 0, HENB_DM_VOLATILE, .def = HENB_STR(HENB_FM_MAX_CURRENT)),
	HENB_P_COUNT("CurrentAlarmNumberOfEntries"),
	HENB_P_COUNT("HistoryEventNumberOfEntries"),
	HENB_P_COUNT("ExpeditedEventNumberOfEntries"),
	HENB_P_COUNT("QueuedEventNumberOfEntries"),
};

static const struct henb_dm_param lf__supported[] = {
	HENB_P_STR("EventType", 64, 0),
	HENB_P_STR("ProbableCause", 64, 0),
	HENB_P_STR("SpecificProblem", 128, 0),
	HENB_P_STR("PerceivedSeverity", 0, 0, .enums = lf__supported_severities, .def = ""),
	HENB_P_STR("ReportingMechanism", 0, HENB_DM_W, .enums = lf__mechanisms, .def = "1 Queued"),
};

static const struct henb_dm_param lf__current[] = {
	HENB_P_STR("AlarmIdentifier", 64, 0),
	HENB_P_TIME("AlarmRaisedTime", 0, .def = NULL),
	HENB_P_TIME("AlarmChangedTime", 0, .def = NULL),
	HENB_P_STR("ManagedObjectInstance", 512, 0),
	HENB_P_STR("EventType", 64, 0),
	HENB_P_STR("ProbableCause", 64, 0),
	HENB_P_STR("SpecificProblem", 128, 0),
	HENB_P_STR("PerceivedSeverity", 0, 0, .enums = lf__current_severities, .def = "Indeterminate"),
	HENB_P_STR("AdditionalText", 256, 0),
	HENB_P_STR("AdditionalInformation", 256, 0),
};

/* HistoryEvent, ExpeditedEvent and QueuedEvent have the same parameters. Their default notification differs:
 * an expedited event opens a session at once and a queued one rides the next Inform even before the HeMS set
 * the attributes itself (it sets Active on ExpeditedEvent and Passive on QueuedEvent at registration). */
#define LF_EVENT_PARAMS(fl)                                                                                    \
	HENB_P_TIME("EventTime", (fl), .def = NULL), HENB_P_STR("AlarmIdentifier", 64, (fl)),                 \
	    HENB_P_STR("NotificationType", 0, (fl), .enums = lf__notification_types, .def = "NewAlarm"),      \
	    HENB_P_STR("ManagedObjectInstance", 512, (fl)), HENB_P_STR("EventType", 64, (fl)),                 \
	    HENB_P_STR("ProbableCause", 64, (fl)), HENB_P_STR("SpecificProblem", 128, (fl)),                   \
	    HENB_P_STR("PerceivedSeverity", 0, (fl), .enums = lf__event_severities, .def = "Indeterminate"),   \
	    HENB_P_STR("AdditionalText", 256, (fl)), HENB_P_STR("AdditionalInformation", 256, (fl))

static const struct henb_dm_param lf__event[] = {LF_EVENT_PARAMS(0)};
static const struct henb_dm_param lf__expedited[] = {LF_EVENT_PARAMS(HENB_DM_DEFAULT_ACTIVE)};
static const struct henb_dm_param lf__queued[] = {LF_EVENT_PARAMS(HENB_DM_DEFAULT_PASSIVE)};

static const struct henb_dm_object lf__objects[] = {
	HENB_OBJ("Device.FaultMgmt.", 0, 0, NULL, lf__fm),
	HENB_OBJ("Device.FaultMgmt.SupportedAlarm.{i}.", HENB_DM_TABLE, HENB_FM_MAX_SUPPORTED,
		 "SupportedAlarmNumberOfEntries", lf__supported),
	HENB_OBJ("Device.FaultMgmt.CurrentAlarm.{i}.", HENB_DM_TABLE, HENB_FM_MAX_CURRENT, "CurrentAlarmNumberOfEntries",
		 lf__current),
	HENB_OBJ("Device.FaultMgmt.HistoryEvent.{i}.", HENB_DM_TABLE | HENB_DM_RING, HENB_FM_MAX_HISTORY,
		 "HistoryEventNumberOfEntries", lf__event),
	HENB_OBJ("Device.FaultMgmt.ExpeditedEvent.{i}.", HENB_DM_TABLE | HENB_DM_RING, HENB_FM_MAX_EXPEDITED,
		 "ExpeditedEventNumberOfEntries", lf__expedited),
	HENB_OBJ("Device.FaultMgmt.QueuedEvent.{i}.", HENB_DM_TABLE | HENB_DM_RING, HENB_FM_MAX_QUEUED,
		 "QueuedEventNumberOfEntries", lf__queued),
};

const struct henb_dm_module henb_dm_faultmgmt_module = {lf__objects, HENB_N(lf__objects)};
