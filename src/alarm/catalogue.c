/* catalogue.c: security alarm texts and the default detection -> alarm -> procedure table (DESIGN.md 4). */
#include "alarm/catalogue.h"

#include <string.h>
#include <strings.h>

static const struct alarm_def lf__defs[ALARM_KIND_COUNT] = {
	{ALARM_SW_MODIFIED, "sw-modified", ALARM_ET_INTEGRITY_VIOLATION, ALARM_PC_INFORMATION_MODIFICATION_DETECTED,
	 ALARM_SEV_MAJOR, "Unexpected firmware/software modification", ALARM_PROC_RELOAD_SOFTWARE, false},
	{ALARM_CONFIG_CHANGED, "config-changed", ALARM_ET_INTEGRITY_VIOLATION,
	 ALARM_PC_INFORMATION_MODIFICATION_DETECTED, ALARM_SEV_MINOR, "Unexpected configuration change",
	 ALARM_PROC_RECONFIGURE, false},
	{ALARM_LAN_ATTACK, "lan-attack", ALARM_ET_SECURITY_VIOLATION, ALARM_PC_UNAUTHORIZED_ACCESS_ATTEMPT,
	 ALARM_SEV_WARNING, "Attack via the LAN: burst of failed authentications", ALARM_PROC_NOTIFY_ONLY, false},
	{ALARM_SW_BEHAVIOUR, "sw-behaviour", ALARM_ET_OPERATIONAL_VIOLATION, ALARM_PC_DENIAL_OF_SERVICE,
	 ALARM_SEV_WARNING, "Unexpected behaviour of software components", ALARM_PROC_NOTIFY_ONLY, false},
	{ALARM_CLOCK_MODIFIED, "clock-modified", ALARM_ET_PHYSICAL_VIOLATION, ALARM_PC_UNSPECIFIED_REASON,
	 ALARM_SEV_CRITICAL, "Modified clock speed", ALARM_PROC_FATAL, true},
	{ALARM_ANTENNA_MODIFIED, "antenna-modified", ALARM_ET_PHYSICAL_VIOLATION, ALARM_PC_CABLE_TAMPER,
	 ALARM_SEV_CRITICAL, "Modified antenna", ALARM_PROC_FATAL, true},
	{ALARM_CASE_OPENED, "case-opened", ALARM_ET_PHYSICAL_VIOLATION, ALARM_PC_INTRUSION_DETECTION,
	 ALARM_SEV_MAJOR, "Case opened", ALARM_PROC_DIAGNOSE_FIRST, false},
	{ALARM_CIRCUIT_MODIFIED, "circuit-modified", ALARM_ET_PHYSICAL_VIOLATION, ALARM_PC_UNSPECIFIED_REASON,
	 ALARM_SEV_CRITICAL, "Circuit modification", ALARM_PROC_FATAL, true},
	{ALARM_SENSOR_FAILURE, "sensor-failure", ALARM_ET_OPERATIONAL_VIOLATION, ALARM_PC_OUT_OF_SERVICE,
	 ALARM_SEV_MAJOR, "Tamper sensor unreadable", ALARM_PROC_DIAGNOSE_FIRST, false},
};

static const char *const lf__et_text[ALARM_ET_COUNT] = {
	"Communications Alarm", "Quality of Service Alarm", "Processing Error Alarm", "Equipment Alarm",
	"Environmental Alarm", "Integrity Violation", "Operational Violation", "Physical Violation",
	"Security Service or Mechanism Violation", "Time Domain Violation",
};
static const char *const lf__et_nbi[ALARM_ET_COUNT] = {
	"COMMUNICATIONS_ALARM", "QUALITY_OF_SERVICE_ALARM", "PROCESSING_ERROR_ALARM", "EQUIPMENT_ALARM",
	"ENVIRONMENTAL_ALARM", "INTEGRITY_VIOLATION", "OPERATIONAL_VIOLATION", "PHYSICAL_VIOLATION",
	"SECURITY_SERVICE_OR_MECHANISM_VIOLATION", "TIME_DOMAIN_VIOLATION",
};
static const char *const lf__cause_text[ALARM_PC_COUNT] = {
	"",
	"Authentication failure",
	"Breach of confidentiality",
	"Cable tamper",
	"Delayed information",
	"Denial of service",
	"Duplicate information",
	"Information missing",
	"Information modification detected",
	"Information out of sequence",
	"Intrusion detection",
	"Key expired",
	"Non-repudiation failure",
	"Out of hours activity",
	"Out of service",
	"Procedural error",
	"Unauthorized access attempt",
	"Unexpected information",
	"Unspecified reason",
};
static const char *const lf__sev_text[ALARM_SEV_COUNT] = {"Critical", "Major", "Minor", "Warning",
							   "Indeterminate", "Cleared"};
static const char *const lf__sev_nbi[ALARM_SEV_COUNT] = {"CRITICAL", "MAJOR", "MINOR", "WARNING",
							  "INDETERMINATE", "CLEARED"};
static const char *const lf__proc[ALARM_PROC_COUNT] = {"notify-only", "reconfigure", "reload-software", "fatal",
							"diagnose-first", "emergency-reimage"};

const struct alarm_def *alarm_def_of(enum alarm_kind kind)
{
	return (unsigned)kind < ALARM_KIND_COUNT ? &lf__defs[kind] : NULL;
}

const struct alarm_def *alarm_def_by_id(const char *id)
{
	for (int i = 0; i < ALARM_KIND_COUNT; i++)
		if (strcmp(lf__defs[i].id, id) == 0)
			return &lf__defs[i];
	return NULL;
}

const char *alarm_event_type_text(enum alarm_event_type t)
{
	return (unsigned)t < ALARM_ET_COUNT ? lf__et_text[t] : "";
}

const char *alarm_event_type_nbi(enum alarm_event_type t)
{
	return (unsigned)t < ALARM_ET_COUNT ? lf__et_nbi[t] : "";
}

const char *alarm_cause_text(enum alarm_cause c)
{
	return (unsigned)c < ALARM_PC_COUNT ? lf__cause_text[c] : "";
}

const char *alarm_severity_text(enum alarm_severity s)
{
	return (unsigned)s < ALARM_SEV_COUNT ? lf__sev_text[s] : "";
}

const char *alarm_severity_nbi(enum alarm_severity s)
{
	return (unsigned)s < ALARM_SEV_COUNT ? lf__sev_nbi[s] : "";
}

const char *alarm_procedure_name(enum alarm_procedure p)
{
	return (unsigned)p < ALARM_PROC_COUNT ? lf__proc[p] : "";
}

static int lf__find(const char *s, const char *const *a, const char *const *b, int n, int first)
{
	for (int i = first; i < n; i++)
		if (strcasecmp(s, a[i]) == 0 || (b && strcasecmp(s, b[i]) == 0))
			return i;
	return -1;
}

int alarm_event_type_parse(const char *s)
{
	return lf__find(s, lf__et_text, lf__et_nbi, ALARM_ET_COUNT, 0);
}

int alarm_cause_parse(const char *s)
{
	return lf__find(s, lf__cause_text, NULL, ALARM_PC_COUNT, 1);
}

int alarm_severity_parse(const char *s)
{
	return lf__find(s, lf__sev_text, lf__sev_nbi, ALARM_SEV_COUNT, 0);
}

int alarm_procedure_parse(const char *s)
{
	return lf__find(s, lf__proc, NULL, ALARM_PROC_COUNT, 0);
}

bool alarm_cause_fits(enum alarm_event_type t, enum alarm_cause c)
{
	/* X.736 8.1.2 as reused by 32.111-2 Annex B (see reference/standards.md 1.2; recalled, not read). */
	switch (t) {
	case ALARM_ET_INTEGRITY_VIOLATION:
		return c == ALARM_PC_DUPLICATE_INFORMATION || c == ALARM_PC_INFORMATION_MISSING ||
		       c == ALARM_PC_INFORMATION_MODIFICATION_DETECTED || c == ALARM_PC_INFORMATION_OUT_OF_SEQUENCE ||
		       c == ALARM_PC_UNEXPECTED_INFORMATION;
	case ALARM_ET_OPERATIONAL_VIOLATION:
		return c == ALARM_PC_DENIAL_OF_SERVICE || c == ALARM_PC_OUT_OF_SERVICE ||
		       c == ALARM_PC_PROCEDURAL_ERROR || c == ALARM_PC_UNSPECIFIED_REASON;
	case ALARM_ET_PHYSICAL_VIOLATION:
		return c == ALARM_PC_CABLE_TAMPER || c == ALARM_PC_INTRUSION_DETECTION ||
		       c == ALARM_PC_UNSPECIFIED_REASON;
	case ALARM_ET_SECURITY_VIOLATION:
		return c == ALARM_PC_AUTHENTICATION_FAILURE || c == ALARM_PC_BREACH_OF_CONFIDENTIALITY ||
		       c == ALARM_PC_NON_REPUDIATION_FAILURE || c == ALARM_PC_UNAUTHORIZED_ACCESS_ATTEMPT ||
		       c == ALARM_PC_UNSPECIFIED_REASON;
	case ALARM_ET_TIME_DOMAIN_VIOLATION:
		return c == ALARM_PC_DELAYED_INFORMATION || c == ALARM_PC_KEY_EXPIRED ||
		       c == ALARM_PC_OUT_OF_HOURS_ACTIVITY;
	default:
		return false;
	}
}
