/* faultmgmt.c: raising and clearing alarms in Device.FaultMgmt: CurrentAlarm with a fixed maximum, and the
 * History / Expedited / Queued event tables as rings that overwrite their oldest entry. */
#include "henb/faultmgmt.h"

#include <stdio.h>
#include <string.h>

#include "alarm/catalogue.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "henb/dm_value.h"

#define LF_FM "Device.FaultMgmt."

/* The SupportedAlarm catalogue is the shared one (src/alarm/catalogue.h), so henbd raises exactly the texts
 * hemsd classifies. Factory ReportingMechanism: the detections fatal on the HeNB are Expedited, the others
 * Queued (the HeMS makes them all Expedited at registration). */
const struct henb_fm_supported *henb_fm_default_catalogue(size_t *n)
{
	static struct henb_fm_supported cat[ALARM_KIND_COUNT];
	for (int k = 0; k < ALARM_KIND_COUNT; k++) {
		const struct alarm_def *d = alarm_def_of((enum alarm_kind)k);
		cat[k] = (struct henb_fm_supported){
			.event_type = alarm_event_type_text(d->event_type),
			.probable_cause = alarm_cause_text(d->cause),
			.specific_problem = d->specific_problem,
			.perceived_severity = alarm_severity_text(d->severity),
			.mechanism = d->fatal_on_henb ? "0 Expedited" : "1 Queued",
		};
	}
	*n = ALARM_KIND_COUNT;
	return cat;
}

/* Copy src into dst (size bytes), cut if longer: the values copied here are short by type. */
static void lf__copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *lf__nz(const char *s)
{
	return s ? s : "";
}

/* A value of a row, in a buffer shared by every call (one thread; callers copy what they keep). */
static const char *lf__get(struct henb_fm *fm, int obj, int row, const char *leaf)
{
	static char v[HENB_DM_MAX_VALUE];
	struct henb_dm_ref r = henb_dm_row_ref(fm->dm, obj, row, leaf);
	henb_dm_get(fm->dm, &r, true, v, sizeof(v));
	return v;
}

static int lf__put(struct henb_fm *fm, int obj, int row, const char *leaf, const char *value,
		   enum henb_dm_origin origin)
{
	struct henb_dm_ref r = henb_dm_row_ref(fm->dm, obj, row, leaf);
	return henb_dm_set(fm->dm, &r, value, origin);
}

static bool lf__is(struct henb_fm *fm, int obj, int row, const char *leaf, const char *value)
{
	return strcmp(lf__get(fm, obj, row, leaf), lf__nz(value)) == 0;
}

static struct henb_dm_ref lf__table(struct henb_fm *fm, int obj)
{
	struct henb_dm_ref t = {.obj = (int16_t)obj, .param = -1, .row = 0, .table_level = true};
	return t;
}

int henb_fm_init(struct henb_fm *fm, struct henb_dm *dm, const struct henb_fm_supported *cat, size_t n)
{
	static const char *const ring_paths[HENB_FM_RINGS] = {
		LF_FM "HistoryEvent.{i}.", LF_FM "ExpeditedEvent.{i}.", LF_FM "QueuedEvent.{i}."};
	int rows[HENB_DM_MAX_ROWS_PER_TABLE];
	fm->dm = dm;
	fm->obj_supported = henb_dm_object_index(dm, LF_FM "SupportedAlarm.{i}.");
	fm->obj_current = henb_dm_object_index(dm, LF_FM "CurrentAlarm.{i}.");
	for (int k = 0; k < HENB_FM_RINGS; k++) {
		fm->obj_ring[k] = henb_dm_object_index(dm, ring_paths[k]);
		if (fm->obj_ring[k] < 0)
			return LF_EINVAL;
	}
	if (fm->obj_supported < 0 || fm->obj_current < 0)
		return LF_EINVAL;
	if (fm->next_alarm_id == 0)
		fm->next_alarm_id = 1;

	/* SupportedAlarm: drop rows that left the catalogue, add the ones that are new. */
	size_t nr = henb_dm_rows(dm, fm->obj_supported, 0, rows, HENB_DM_MAX_ROWS_PER_TABLE);
	for (size_t r = 0; r < nr; r++) {
		bool keep = false;
		for (size_t i = 0; i < n && !keep; i++)
			keep = lf__is(fm, fm->obj_supported, rows[r], "EventType", cat[i].event_type) &&
			       lf__is(fm, fm->obj_supported, rows[r], "ProbableCause", cat[i].probable_cause) &&
			       lf__is(fm, fm->obj_supported, rows[r], "SpecificProblem", cat[i].specific_problem) &&
			       lf__is(fm, fm->obj_supported, rows[r], "PerceivedSeverity", cat[i].perceived_severity);
		if (!keep)
			henb_dm_delete(dm, rows[r], HENB_DM_ORIGIN_INIT);
	}
	for (size_t i = 0; i < n; i++) {
		bool have = false;
		nr = henb_dm_rows(dm, fm->obj_supported, 0, rows, HENB_DM_MAX_ROWS_PER_TABLE);
		for (size_t r = 0; r < nr && !have; r++)
			have = lf__is(fm, fm->obj_supported, rows[r], "EventType", cat[i].event_type) &&
			       lf__is(fm, fm->obj_supported, rows[r], "ProbableCause", cat[i].probable_cause) &&
			       lf__is(fm, fm->obj_supported, rows[r], "SpecificProblem", cat[i].specific_problem) &&
			       lf__is(fm, fm->obj_supported, rows[r], "PerceivedSeverity", cat[i].perceived_severity);
		if (have)
			continue;
		struct henb_dm_ref t = lf__table(fm, fm->obj_supported);
		int row = henb_dm_add(dm, &t, 0, HENB_DM_ORIGIN_INIT);
		if (row < 0)
			return row;
		/* Written as the CPE's (not INIT) so the row's values are persisted with it: the next start
		 * finds the row by its key and its instance number survives. */
		const struct henb_fm_supported *c = &cat[i];
		const char *const vals[][2] = {{"EventType", c->event_type},
					       {"ProbableCause", c->probable_cause},
					       {"SpecificProblem", c->specific_problem},
					       {"PerceivedSeverity", c->perceived_severity},
					       {"ReportingMechanism", c->mechanism}};
		int rc = LF_OK;
		for (size_t k = 0; k < 5 && !rc; k++)
			rc = lf__put(fm, fm->obj_supported, row, vals[k][0], vals[k][1], HENB_DM_ORIGIN_CPE);
		if (rc)
			return rc;
	}
	/* Expedited and Queued start with all their entries, unpopulated (TR-181 FaultMgmt). */
	for (int k = HENB_FM_EXPEDITED; k <= HENB_FM_QUEUED; k++) {
		uint32_t max = henb_dm_object_def(dm, fm->obj_ring[k])->max_rows;
		struct henb_dm_ref t = lf__table(fm, fm->obj_ring[k]);
		for (uint32_t inst = 1; inst <= max; inst++)
			if (henb_dm_row_find(dm, fm->obj_ring[k], 0, inst) < 0 &&
			    henb_dm_add(dm, &t, inst, HENB_DM_ORIGIN_INIT) < 0)
				return LF_EINVAL;
	}
	for (int k = 0; k < HENB_FM_RINGS; k++)
		if (fm->ring_next[k] >= henb_dm_object_def(dm, fm->obj_ring[k])->max_rows)
			fm->ring_next[k] = 0;
	return LF_OK;
}

/* The SupportedAlarm row that covers al ("*" SpecificProblem and ""/"*" severity are wildcards), or -1. */
static int lf__supported(struct henb_fm *fm, const struct henb_fm_alarm *al, const char *severity)
{
	int rows[HENB_DM_MAX_ROWS_PER_TABLE];
	size_t nr = henb_dm_rows(fm->dm, fm->obj_supported, 0, rows, HENB_DM_MAX_ROWS_PER_TABLE);
	int best = -1;
	for (size_t r = 0; r < nr; r++) {
		int o = fm->obj_supported;
		if (!lf__is(fm, o, rows[r], "EventType", al->event_type) ||
		    !lf__is(fm, o, rows[r], "ProbableCause", al->probable_cause))
			continue;
		const char *sp = lf__get(fm, o, rows[r], "SpecificProblem");
		bool sp_exact = strcmp(sp, lf__nz(al->specific_problem)) == 0;
		if (!sp_exact && strcmp(sp, "*") != 0)
			continue;
		const char *sev = lf__get(fm, o, rows[r], "PerceivedSeverity");
		bool sev_exact = strcmp(sev, severity) == 0;
		if (!sev_exact && strcmp(sev, "*") != 0 && sev[0] != '\0')
			continue;
		if (sp_exact && sev_exact)
			return rows[r];
		if (best < 0)
			best = rows[r];
	}
	return best;
}

static int lf__current(struct henb_fm *fm, const struct henb_fm_alarm *al)
{
	int rows[HENB_DM_MAX_ROWS_PER_TABLE];
	size_t nr = henb_dm_rows(fm->dm, fm->obj_current, 0, rows, HENB_DM_MAX_ROWS_PER_TABLE);
	for (size_t r = 0; r < nr; r++)
		if (lf__is(fm, fm->obj_current, rows[r], "EventType", al->event_type) &&
		    lf__is(fm, fm->obj_current, rows[r], "ProbableCause", al->probable_cause) &&
		    lf__is(fm, fm->obj_current, rows[r], "SpecificProblem", al->specific_problem))
			return rows[r];
	return -1;
}

/* One event into a ring: the entry after the last one written, overwritten whole. */
static int lf__ring_put(struct henb_fm *fm, int k, const char *when, const char *id, const char *type,
			const struct henb_fm_alarm *al, const char *severity)
{
	int obj = fm->obj_ring[k];
	uint32_t inst = fm->ring_next[k] + 1;
	int row = henb_dm_row_find(fm->dm, obj, 0, inst);
	if (row < 0) {
		struct henb_dm_ref t = lf__table(fm, obj);
		row = henb_dm_add(fm->dm, &t, inst, HENB_DM_ORIGIN_CPE);
		if (row < 0)
			return row;
	}
	const struct {
		const char *leaf, *value;
	} v[] = {
		{"EventTime", when},
		{"AlarmIdentifier", id},
		{"NotificationType", type},
		{"ManagedObjectInstance", lf__nz(al->managed_object_instance)},
		{"EventType", lf__nz(al->event_type)},
		{"ProbableCause", lf__nz(al->probable_cause)},
		{"SpecificProblem", lf__nz(al->specific_problem)},
		{"PerceivedSeverity", severity},
		{"AdditionalText", lf__nz(al->additional_text)},
		{"AdditionalInformation", lf__nz(al->additional_information)},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = lf__put(fm, obj, row, v[i].leaf, v[i].value, HENB_DM_ORIGIN_CPE);
		if (rc)
			return rc;
	}
	/* A replaced entry counts as changed in every parameter, even where the value is the same. */
	henb_dm_touch(fm->dm, row);
	fm->ring_next[k] = (fm->ring_next[k] + 1) % henb_dm_object_def(fm->dm, obj)->max_rows;
	return LF_OK;
}

static int lf__rings(struct henb_fm *fm, const char *mechanism, const char *when, const char *id, const char *type,
		     const struct henb_fm_alarm *al, const char *severity)
{
	int rc = lf__ring_put(fm, HENB_FM_HISTORY, when, id, type, al, severity);
	if (!rc && strcmp(mechanism, "0 Expedited") == 0)
		rc = lf__ring_put(fm, HENB_FM_EXPEDITED, when, id, type, al, severity);
	if (!rc && strcmp(mechanism, "1 Queued") == 0)
		rc = lf__ring_put(fm, HENB_FM_QUEUED, when, id, type, al, severity);
	return rc;
}

/* Check every text of al against the CurrentAlarm parameter types before changing anything. */
static int lf__check(struct henb_fm *fm, const struct henb_fm_alarm *al)
{
	const struct {
		const char *leaf, *value;
	} v[] = {
		{"ManagedObjectInstance", lf__nz(al->managed_object_instance)},
		{"EventType", lf__nz(al->event_type)},
		{"ProbableCause", lf__nz(al->probable_cause)},
		{"SpecificProblem", lf__nz(al->specific_problem)},
		{"PerceivedSeverity", lf__nz(al->perceived_severity)},
		{"AdditionalText", lf__nz(al->additional_text)},
		{"AdditionalInformation", lf__nz(al->additional_information)},
	};
	char canon[HENB_DM_MAX_VALUE];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int idx = henb_dm_param_index(fm->dm, fm->obj_current, v[i].leaf);
		const struct henb_dm_param *p = &henb_dm_object_def(fm->dm, fm->obj_current)->params[idx];
		if (henb__dm_check_value(p, v[i].value, canon, sizeof(canon)))
			return LF_EINVAL;
	}
	return LF_OK;
}

bool henb_fm_is_current(struct henb_fm *fm, const struct henb_fm_alarm *al)
{
	return lf__current(fm, al) >= 0;
}

int henb_fm_raise(struct henb_fm *fm, const struct henb_fm_alarm *al, time_t now, char *id, size_t idlen)
{
	char when[32], ident[65];
	const char *severity = lf__nz(al->perceived_severity);
	if (id && idlen)
		id[0] = '\0';
	if (lf__check(fm, al))
		return LF_EINVAL;
	int sup = lf__supported(fm, al, severity);
	if (sup < 0) {
		lf_warn("alarm_unsupported", "event_type=\"%s\" probable_cause=\"%s\" specific_problem=\"%s\"",
			lf__nz(al->event_type), lf__nz(al->probable_cause), lf__nz(al->specific_problem));
		return LF_ENOTFOUND;
	}
	char mechanism[16];
	lf__copy(mechanism, sizeof(mechanism), lf__get(fm, fm->obj_supported, sup, "ReportingMechanism"));
	if (strcmp(mechanism, "3 Disabled") == 0)
		return LF_OK;
	lf_time_iso8601(now, when, sizeof(when));

	int row = lf__current(fm, al);
	const char *type = row >= 0 ? "ChangedAlarm" : "NewAlarm";
	bool replaced = false;
	if (row >= 0) {
		lf__copy(ident, sizeof(ident), lf__get(fm, fm->obj_current, row, "AlarmIdentifier"));
	} else {
		struct henb_dm_ref t = lf__table(fm, fm->obj_current);
		row = henb_dm_add(fm->dm, &t, 0, HENB_DM_ORIGIN_CPE);
		if (row == LF_ETOOBIG) {
			/* Full: the entry with the oldest AlarmChangedTime makes room (TR-181 CurrentAlarm). */
			int rows[HENB_DM_MAX_ROWS_PER_TABLE];
			size_t nr = henb_dm_rows(fm->dm, fm->obj_current, 0, rows, HENB_DM_MAX_ROWS_PER_TABLE);
			char oldest[64] = "";
			for (size_t r = 0; r < nr; r++) {
				const char *t2 = lf__get(fm, fm->obj_current, rows[r], "AlarmChangedTime");
				if (row < 0 || strcmp(t2, oldest) < 0) {
					row = rows[r];
					lf__copy(oldest, sizeof(oldest), t2);
				}
			}
			replaced = true;
		}
		if (row < 0)
			return row;
		snprintf(ident, sizeof(ident), "%u", fm->next_alarm_id++);
		if (fm->next_alarm_id == 0)
			fm->next_alarm_id = 1;
		lf__put(fm, fm->obj_current, row, "AlarmIdentifier", ident, HENB_DM_ORIGIN_CPE);
		lf__put(fm, fm->obj_current, row, "AlarmRaisedTime", when, HENB_DM_ORIGIN_CPE);
		lf__put(fm, fm->obj_current, row, "EventType", lf__nz(al->event_type), HENB_DM_ORIGIN_CPE);
		lf__put(fm, fm->obj_current, row, "ProbableCause", lf__nz(al->probable_cause), HENB_DM_ORIGIN_CPE);
		lf__put(fm, fm->obj_current, row, "SpecificProblem", lf__nz(al->specific_problem), HENB_DM_ORIGIN_CPE);
	}
	lf__put(fm, fm->obj_current, row, "AlarmChangedTime", when, HENB_DM_ORIGIN_CPE);
	lf__put(fm, fm->obj_current, row, "ManagedObjectInstance", lf__nz(al->managed_object_instance),
		HENB_DM_ORIGIN_CPE);
	lf__put(fm, fm->obj_current, row, "PerceivedSeverity", severity, HENB_DM_ORIGIN_CPE);
	lf__put(fm, fm->obj_current, row, "AdditionalText", lf__nz(al->additional_text), HENB_DM_ORIGIN_CPE);
	lf__put(fm, fm->obj_current, row, "AdditionalInformation", lf__nz(al->additional_information),
		HENB_DM_ORIGIN_CPE);
	if (replaced)
		henb_dm_touch(fm->dm, row);
	lf_info("alarm_raised", "id=%s type=%s event_type=\"%s\" probable_cause=\"%s\" specific_problem=\"%s\" "
		"severity=%s mechanism=\"%s\"", ident, type, lf__nz(al->event_type), lf__nz(al->probable_cause),
		lf__nz(al->specific_problem), severity, mechanism);
	if (id && idlen)
		snprintf(id, idlen, "%s", ident);
	return lf__rings(fm, mechanism, when, ident, type, al, severity);
}

int henb_fm_clear(struct henb_fm *fm, const struct henb_fm_alarm *al, time_t now)
{
	char when[32], ident[65], severity[16];
	char moi[HENB_DM_MAX_VALUE], text[HENB_DM_MAX_VALUE], info[HENB_DM_MAX_VALUE];
	int row = lf__current(fm, al);
	if (row < 0)
		return LF_ENOTFOUND;
	lf__copy(ident, sizeof(ident), lf__get(fm, fm->obj_current, row, "AlarmIdentifier"));
	lf__copy(severity, sizeof(severity), lf__get(fm, fm->obj_current, row, "PerceivedSeverity"));
	lf__copy(moi, sizeof(moi), lf__get(fm, fm->obj_current, row, "ManagedObjectInstance"));
	lf__copy(text, sizeof(text), al->additional_text ? al->additional_text
							       : lf__get(fm, fm->obj_current, row, "AdditionalText"));
	lf__copy(info, sizeof(info), lf__get(fm, fm->obj_current, row, "AdditionalInformation"));
	struct henb_fm_alarm cleared = {
		.event_type = al->event_type,
		.probable_cause = al->probable_cause,
		.specific_problem = al->specific_problem,
		.perceived_severity = "Cleared",
		.managed_object_instance = moi,
		.additional_text = text,
		.additional_information = info,
	};
	int sup = lf__supported(fm, al, severity);
	char mechanism[16] = "2 Logged";
	if (sup >= 0)
		lf__copy(mechanism, sizeof(mechanism), lf__get(fm, fm->obj_supported, sup, "ReportingMechanism"));
	henb_dm_delete(fm->dm, row, HENB_DM_ORIGIN_CPE);
	lf_time_iso8601(now, when, sizeof(when));
	lf_info("alarm_cleared", "id=%s event_type=\"%s\" probable_cause=\"%s\" specific_problem=\"%s\"", ident,
		lf__nz(al->event_type), lf__nz(al->probable_cause), lf__nz(al->specific_problem));
	if (strcmp(mechanism, "3 Disabled") == 0)
		return LF_OK;
	return lf__rings(fm, mechanism, when, ident, "ClearedAlarm", &cleared, "Cleared");
}
