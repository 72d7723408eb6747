/* faultmgmt.h: Device.FaultMgmt behaviour: raising and clearing alarms into CurrentAlarm and the three event
 * rings (History, Expedited, Queued) per SupportedAlarm.ReportingMechanism (TR-181 / TR-196 FaultMgmt). */
#ifndef LF_HENB_FAULTMGMT_H
#define LF_HENB_FAULTMGMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "henb/dm.h"

enum henb_fm_ring { HENB_FM_HISTORY = 0, HENB_FM_EXPEDITED, HENB_FM_QUEUED, HENB_FM_RINGS };

/* One alarm as the device raises it. NULL strings count as "". */
struct henb_fm_alarm {
	const char *event_type;          /* "Physical Violation" */
	const char *probable_cause;      /* "Cable tamper" */
	const char *specific_problem;    /* "Antenna modified" */
	const char *perceived_severity;  /* Critical | Major | Minor | Warning | Indeterminate */
	const char *managed_object_instance;
	const char *additional_text;
	const char *additional_information;
};

/* A SupportedAlarm row of the catalogue and its factory ReportingMechanism. */
struct henb_fm_supported {
	const char *event_type;
	const char *probable_cause;
	const char *specific_problem;
	const char *perceived_severity;
	const char *mechanism; /* "0 Expedited" ... "3 Disabled" */
};

/* The FaultMgmt module: where its tables are and the counters it persists (henbd.state 's fm.*'). */
struct henb_fm {
	struct henb_dm *dm;
	int obj_supported, obj_current, obj_ring[HENB_FM_RINGS];
	uint32_t next_alarm_id;            /* AlarmIdentifier of the next new alarm */
	uint32_t ring_next[HENB_FM_RINGS]; /* index (instance - 1) the next event of each ring overwrites */
};

/* henb_fm_default_catalogue: the security alarms of the shared catalogue (src/alarm/catalogue.h, DESIGN.md
 * section 4), one per detection kind. */
const struct henb_fm_supported *henb_fm_default_catalogue(size_t *n);

/* henb_fm_init: attach to dm; call after the persisted state is loaded. Makes every catalogue row exist in
 * SupportedAlarm (rows loaded from the state keep their instance numbers and ReportingMechanism; rows no
 * longer in the catalogue are removed) and fills ExpeditedEvent and QueuedEvent with their fixed number of
 * unpopulated entries (EventTime = Unknown Time, AlarmIdentifier = ""). */
int henb_fm_init(struct henb_fm *fm, struct henb_dm *dm, const struct henb_fm_supported *cat, size_t n);

/* henb_fm_raise: a new alarm, or an update of the one with the same EventType, ProbableCause and
 * SpecificProblem. Its SupportedAlarm entry decides where it goes: CurrentAlarm and HistoryEvent always,
 * plus ExpeditedEvent (0 Expedited) or QueuedEvent (1 Queued); 3 Disabled drops it. A full CurrentAlarm
 * loses its entry with the oldest AlarmChangedTime. The AlarmIdentifier goes to id (may be NULL).
 * Returns LF_OK, LF_ENOTFOUND (not a supported alarm) or LF_EINVAL (bad severity or text). */
int henb_fm_raise(struct henb_fm *fm, const struct henb_fm_alarm *al, time_t now, char *id, size_t idlen);

/* henb_fm_is_current: whether CurrentAlarm holds the alarm with this EventType, ProbableCause and
 * SpecificProblem. */
bool henb_fm_is_current(struct henb_fm *fm, const struct henb_fm_alarm *al);

/* henb_fm_clear: the alarm with this EventType, ProbableCause and SpecificProblem is over: its CurrentAlarm
 * entry goes, a ClearedAlarm event enters the rings. LF_OK or LF_ENOTFOUND (no such current alarm). */
int henb_fm_clear(struct henb_fm *fm, const struct henb_fm_alarm *al, time_t now);

#endif
