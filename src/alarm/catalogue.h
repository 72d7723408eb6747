/* catalogue.h: the security alarm catalogue shared by henbd and hemsd: what each tamper detection raises
 * (EventType and ProbableCause after TS 32.111-2 Annex B / ITU-T X.736, PerceivedSeverity after X.733,
 * SpecificProblem text) and the default HeMS procedure for it (DESIGN.md section 4). */
#ifndef LF_ALARM_CATALOGUE_H
#define LF_ALARM_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

/* Event types (3GPP alarm types). The text is the TR-069/TR-196 EventType string; the 28.532 FaultMnS
 * alarmType enum value is alarm_event_type_nbi(). */
enum alarm_event_type {
	ALARM_ET_COMMUNICATIONS,
	ALARM_ET_QUALITY_OF_SERVICE,
	ALARM_ET_PROCESSING_ERROR,
	ALARM_ET_EQUIPMENT,
	ALARM_ET_ENVIRONMENTAL,
	ALARM_ET_INTEGRITY_VIOLATION,
	ALARM_ET_OPERATIONAL_VIOLATION,
	ALARM_ET_PHYSICAL_VIOLATION,
	ALARM_ET_SECURITY_VIOLATION, /* Security Service or Mechanism Violation */
	ALARM_ET_TIME_DOMAIN_VIOLATION,
	ALARM_ET_COUNT
};

/* Security alarm causes, X.736 securityAlarmCause (OID arcs 1..18, in that order). */
enum alarm_cause {
	ALARM_PC_AUTHENTICATION_FAILURE = 1,
	ALARM_PC_BREACH_OF_CONFIDENTIALITY,
	ALARM_PC_CABLE_TAMPER,
	ALARM_PC_DELAYED_INFORMATION,
	ALARM_PC_DENIAL_OF_SERVICE,
	ALARM_PC_DUPLICATE_INFORMATION,
	ALARM_PC_INFORMATION_MISSING,
	ALARM_PC_INFORMATION_MODIFICATION_DETECTED,
	ALARM_PC_INFORMATION_OUT_OF_SEQUENCE,
	ALARM_PC_INTRUSION_DETECTION,
	ALARM_PC_KEY_EXPIRED,
	ALARM_PC_NON_REPUDIATION_FAILURE,
	ALARM_PC_OUT_OF_HOURS_ACTIVITY,
	ALARM_PC_OUT_OF_SERVICE,
	ALARM_PC_PROCEDURAL_ERROR,
	ALARM_PC_UNAUTHORIZED_ACCESS_ATTEMPT,
	ALARM_PC_UNEXPECTED_INFORMATION,
	ALARM_PC_UNSPECIFIED_REASON,
	ALARM_PC_COUNT
};

/* PerceivedSeverity (X.733), TR-181 spelling. */
enum alarm_severity {
	ALARM_SEV_CRITICAL,
	ALARM_SEV_MAJOR,
	ALARM_SEV_MINOR,
	ALARM_SEV_WARNING,
	ALARM_SEV_INDETERMINATE,
	ALARM_SEV_CLEARED,
	ALARM_SEV_COUNT
};

/* HeMS procedure classes (5.7.2). */
enum alarm_procedure {
	ALARM_PROC_NOTIFY_ONLY,     /* 5.7.2.1 */
	ALARM_PROC_RECONFIGURE,     /* 5.7.2.2, bad configuration */
	ALARM_PROC_RELOAD_SOFTWARE, /* 5.7.2.2, bad software */
	ALARM_PROC_FATAL,           /* 5.7.2.3 */
	ALARM_PROC_DIAGNOSE_FIRST,  /* not enough information: run the diagnostic, classify again */
	ALARM_PROC_EMERGENCY,       /* 5.7.3.2 at the emergency HeMS: a failsafe HeNB asks for a new image */
	ALARM_PROC_COUNT
};

/* What the HeNB can detect (one per detector and outcome). */
enum alarm_kind {
	ALARM_SW_MODIFIED,       /* running image differs from its signed manifest */
	ALARM_CONFIG_CHANGED,    /* persisted configuration changed outside management */
	ALARM_LAN_ATTACK,        /* bursts of failed authentications on the management listeners */
	ALARM_SW_BEHAVIOUR,      /* unexpected listening sockets or processes, watchdog misses */
	ALARM_CLOCK_MODIFIED,    /* reference clock frequency out of tolerance */
	ALARM_ANTENNA_MODIFIED,  /* antenna identity differs from the provisioned one */
	ALARM_CASE_OPENED,       /* enclosure switch */
	ALARM_CIRCUIT_MODIFIED,  /* board fingerprint differs from the provisioned one */
	ALARM_SENSOR_FAILURE,    /* a detector cannot read its sensor */
	ALARM_KIND_COUNT
};

struct alarm_def {
	enum alarm_kind kind;
	const char *id;               /* stable short name: "sw-modified" ... (AlarmIdentifier prefix) */
	enum alarm_event_type event_type;
	enum alarm_cause cause;
	enum alarm_severity severity;
	const char *specific_problem; /* SpecificProblem text */
	enum alarm_procedure procedure; /* the HeMS's default class (policy may change it) */
	bool fatal_on_henb;           /* the HeNB shuts itself down after reporting (5.7.2.3) */
};

/* alarm_def_of: the catalogue entry of a kind. */
const struct alarm_def *alarm_def_of(enum alarm_kind kind);
/* alarm_def_by_id: by its short name, or NULL. */
const struct alarm_def *alarm_def_by_id(const char *id);

const char *alarm_event_type_text(enum alarm_event_type t);      /* "Integrity Violation" */
const char *alarm_event_type_nbi(enum alarm_event_type t);       /* "INTEGRITY_VIOLATION" (TS 28.532) */
const char *alarm_cause_text(enum alarm_cause c);                /* "Information modification detected" */
const char *alarm_severity_text(enum alarm_severity s);          /* "Major" */
const char *alarm_severity_nbi(enum alarm_severity s);           /* "MAJOR" */
const char *alarm_procedure_name(enum alarm_procedure p);        /* "reload-software" */

/* Parsers of the texts above (case-insensitive; the NBI spellings too). -1 when unknown. */
int alarm_event_type_parse(const char *s);
int alarm_cause_parse(const char *s);
int alarm_severity_parse(const char *s);
int alarm_procedure_parse(const char *s);

/* alarm_cause_fits: whether X.736 allows this cause with this security event type (32.111-2 Annex B). */
bool alarm_cause_fits(enum alarm_event_type t, enum alarm_cause c);

#endif
