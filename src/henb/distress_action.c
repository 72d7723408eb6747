/* distress_action.c: what henbd does for each distress action (protocol section 8) and what its INFORM carries:
 * retry-standard-session, inform, reboot, factory-reset, get, the emergency diagnostic (the self test), and the
 * download (distress_download.c); the pending security alarms from the FaultMgmt event rings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "henb/agent.h"
#include "henb/diagnostics.h"
#include "henb/distress_int.h"
#include "henb/dm_value.h"

#define LF_DEVINFO "Device.DeviceInfo."
#define LF_SELFTEST "Device.SelfTestDiagnostics."

void henb__dx_copy(char *out, size_t outlen, const char *s, bool text)
{
	size_t n = 0;
	if (!outlen)
		return;
	for (; s && s[n] && n + 1 < outlen; n++) {
		unsigned char c = (unsigned char)s[n];
		bool keep = text && (c == '\t' || c == '\n' || c == '\r');
		out[n] = ((c < 0x20 || c == 0x7f) && !keep) ? '?' : (char)c;
	}
	out[n] = '\0';
	/* Cut inside a UTF-8 sequence: drop its lead and continuation bytes. */
	if (s && s[n]) {
		size_t k = n;
		while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0)
			out[k - 1] = '\0';
	}
}

/* ------------------------------------------------------------------------------------------------ events */

static void lf__event(struct distress_inform *in, char (*events)[DISTRESS_LEN_EVENT + 1], size_t *n, const char *code)
{
	(void)in;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(events[i], code) == 0)
			return;
	if (*n < DISTRESS_MAX_EVENTS)
		snprintf(events[(*n)++], DISTRESS_LEN_EVENT + 1, "%s", code);
}

/* The TR-069 events since the last successful session, and those of a reboot or reset accepted over the channel
 * (the standard session after the boot may have delivered them already: the HeMS completes the action from
 * the distress INFORM, section 8). */
static void lf__events(struct henb_agent *a, char (*ev)[DISTRESS_LEN_EVENT + 1], size_t *n)
{
	static const struct {
		unsigned bit;
		const char *code;
	} plain[] = {
	    {HENB_EV_BOOTSTRAP, "0 BOOTSTRAP"},        {HENB_EV_BOOT, "1 BOOT"},
	    {HENB_EV_PERIODIC, "2 PERIODIC"},          {HENB_EV_SCHEDULED, "3 SCHEDULED"},
	    {HENB_EV_CONNREQ, "6 CONNECTION REQUEST"}, {HENB_EV_DIAG, "8 DIAGNOSTICS COMPLETE"},
	};
	const struct henb_distress *d = a->distress;
	uint8_t resume = d->resume_ready ? d->saved.resume : 0; /* only once the boot it asked for happened */
	*n = 0;
	if (resume == DISTRESS_KIND_FACTORY_RESET)
		lf__event(NULL, ev, n, "0 BOOTSTRAP");
	if (resume)
		lf__event(NULL, ev, n, "1 BOOT");
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (a->pending & plain[i].bit)
			lf__event(NULL, ev, n, plain[i].code);
	if (a->st.n_tc)
		lf__event(NULL, ev, n, "7 TRANSFER COMPLETE");
	if (a->st.reboot_pending || resume == DISTRESS_KIND_REBOOT)
		lf__event(NULL, ev, n, "M Reboot");
}

/* ------------------------------------------------------------------------------------------------ alarms */

struct lf__ev {
	int obj, row;
	char time[DISTRESS_LEN_TIME + 1];
	unsigned age; /* 0 = newest of its ring */
};

static const char *lf__row_value(struct henb_agent *a, int obj, int row, const char *leaf, char *buf, size_t len)
{
	struct henb_dm_ref r = henb_dm_row_ref(a->dm, obj, row, leaf);
	henb_dm_get(a->dm, &r, true, buf, len);
	return buf;
}

static void lf__alarm_of(struct henb_agent *a, int obj, int row, bool event, struct distress_alarm *al)
{
	char v[HENB_DM_MAX_VALUE];
	memset(al, 0, sizeof(*al));
	henb__dx_copy(al->alarm_identifier, sizeof(al->alarm_identifier),
	              lf__row_value(a, obj, row, "AlarmIdentifier", v, sizeof(v)), false);
	lf__row_value(a, obj, row, event ? "EventTime" : "AlarmRaisedTime", v, sizeof(v));
	henb__dx_copy(al->event_time, sizeof(al->event_time), strcmp(v, HENB_DM_UNKNOWN_TIME) == 0 ? "unknown" : v,
	              false);
	int nt = event ? distress_notification_parse(lf__row_value(a, obj, row, "NotificationType", v, sizeof(v))) : 0;
	al->notification = (uint8_t)(nt < 0 ? 0 : nt);
	henb__dx_copy(al->managed_object, sizeof(al->managed_object),
	              lf__row_value(a, obj, row, "ManagedObjectInstance", v, sizeof(v)), false);
	henb__dx_copy(al->event_type, sizeof(al->event_type), lf__row_value(a, obj, row, "EventType", v, sizeof(v)),
	              false);
	henb__dx_copy(al->probable_cause, sizeof(al->probable_cause),
	              lf__row_value(a, obj, row, "ProbableCause", v, sizeof(v)), false);
	henb__dx_copy(al->specific_problem, sizeof(al->specific_problem),
	              lf__row_value(a, obj, row, "SpecificProblem", v, sizeof(v)), false);
	int sev = distress_severity_parse(lf__row_value(a, obj, row, "PerceivedSeverity", v, sizeof(v)));
	al->severity = (uint8_t)(sev < 0 ? DISTRESS_SEV_INDETERMINATE : sev);
	henb__dx_copy(al->additional_text, sizeof(al->additional_text),
	              lf__row_value(a, obj, row, "AdditionalText", v, sizeof(v)), true);
	henb__dx_copy(al->additional_info, sizeof(al->additional_info),
	              lf__row_value(a, obj, row, "AdditionalInformation", v, sizeof(v)), true);
}

static int lf__newer_first(const void *x, const void *y)
{
	const struct lf__ev *a = x, *b = y;
	int c = strcmp(b->time, a->time);
	return c ? c : (a->age > b->age) - (a->age < b->age);
}

/* The count newest events of the Expedited and Queued rings (the alarm events not yet delivered), oldest
 * first, into out (at most max). */
static size_t lf__pending_alarms(struct henb_agent *a, uint64_t count, struct distress_alarm *out, size_t max)
{
	static const enum henb_fm_ring rings[] = {HENB_FM_EXPEDITED, HENB_FM_QUEUED};
	struct lf__ev ev[HENB_FM_MAX_EXPEDITED + HENB_FM_MAX_QUEUED];
	size_t n = 0;
	char v[HENB_DM_MAX_VALUE];
	if (!a->fm.dm || count == 0)
		return 0;
	for (size_t k = 0; k < 2; k++) {
		int obj = a->fm.obj_ring[rings[k]];
		int rows[HENB_DM_MAX_ROWS_PER_TABLE];
		size_t nr = henb_dm_rows(a->dm, obj, 0, rows, HENB_DM_MAX_ROWS_PER_TABLE);
		for (size_t i = 0; i < nr && n < sizeof(ev) / sizeof(ev[0]); i++) {
			if (!lf__row_value(a, obj, rows[i], "AlarmIdentifier", v, sizeof(v))[0])
				continue; /* never written */
			uint32_t idx = henb_dm_instance(a->dm, rows[i]) - 1;
			uint32_t next = a->fm.ring_next[rings[k]];
			ev[n].obj = obj;
			ev[n].row = rows[i];
			ev[n].age = (next + (uint32_t)nr - 1 - idx) % (uint32_t)nr;
			henb__dx_copy(ev[n].time, sizeof(ev[n].time),
			              lf__row_value(a, obj, rows[i], "EventTime", v, sizeof(v)), false);
			n++;
		}
	}
	qsort(ev, n, sizeof(ev[0]), lf__newer_first);
	if (count > n)
		count = n;
	if (count > max)
		count = max;
	for (size_t i = 0; i < count; i++)
		lf__alarm_of(a, ev[count - 1 - i].obj, ev[count - 1 - i].row, true, &out[i]);
	return count;
}

/* The alarms current now (CurrentAlarm), as NewAlarm events, after those in out[0..n) (same identifier skipped). */
static size_t lf__current_alarms(struct henb_agent *a, struct distress_alarm *out, size_t n, size_t max)
{
	int rows[HENB_DM_MAX_ROWS_PER_TABLE];
	size_t nr = henb_dm_rows(a->dm, a->fm.obj_current, 0, rows, HENB_DM_MAX_ROWS_PER_TABLE);
	for (size_t i = 0; i < nr && n < max; i++) {
		struct distress_alarm al;
		bool dup = false;
		lf__alarm_of(a, a->fm.obj_current, rows[i], false, &al);
		for (size_t j = 0; j < n; j++)
			dup = dup || strcmp(out[j].alarm_identifier, al.alarm_identifier) == 0;
		if (!dup && al.alarm_identifier[0])
			out[n++] = al;
	}
	return n;
}

/* ------------------------------------------------------------------------------------------------ inform */

void henb__dx_inform(struct henb_agent *a, uint8_t reason, const char *text, struct distress_inform *in,
                     uint64_t *alarm_seq)
{
	char name[128];
	memset(in, 0, sizeof(*in));
	snprintf(name, sizeof(name), "%sIdentity", a->distress->prefix);
	henb__dx_copy(in->device_id, sizeof(in->device_id), henb_dm_get_str(a->dm, name), false);
	in->reason = reason;
	henb__dx_copy(in->reason_text, sizeof(in->reason_text), text, true);
	lf__events(a, in->events, &in->n_events);
	henb__dx_copy(in->software_version, sizeof(in->software_version),
	              henb_dm_get_str(a->dm, LF_DEVINFO "SoftwareVersion"), false);
	henb__dx_copy(in->hardware_version, sizeof(in->hardware_version),
	              henb_dm_get_str(a->dm, LF_DEVINFO "HardwareVersion"), false);
	snprintf(name, sizeof(name), "%sTriggerAddress", a->distress->prefix);
	henb__dx_copy(in->trigger_address, sizeof(in->trigger_address), henb_dm_get_str(a->dm, name), false);
	in->standard_failures = a->retry_count;
	*alarm_seq = a->mon.alarm_seq;
	in->n_alarms =
	    lf__pending_alarms(a, a->mon.alarm_seq - a->mon.alarm_delivered, in->alarms, DISTRESS_MAX_ALARMS);
}

/* ------------------------------------------------------------------------------------------------ get */

struct lf__get {
	struct henb_agent *a;
	struct distress_result *r;
	bool full;
};

static int lf__get_one(struct lf__get *g, const struct henb_dm_ref *ref)
{
	char name[HENB_DM_MAX_NAME + 64], value[HENB_DM_MAX_VALUE];
	struct distress_result *r = g->r;
	if (r->n_params == DISTRESS_MAX_PARAMS) {
		g->full = true;
		return 1;
	}
	if (henb_dm_name(g->a->dm, ref, name, sizeof(name)) || strlen(name) > DISTRESS_LEN_NAME)
		return 0;
	henb_dm_get(g->a->dm, ref, false, value, sizeof(value)); /* secrets read as "" */
	struct distress_param *p = &r->params[r->n_params++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	henb__dx_copy(p->value, sizeof(p->value), value, true);
	henb__dx_copy(p->type, sizeof(p->type), henb_dm_param_xsd(henb_dm_param_def(g->a->dm, ref)), false);
	return 0;
}

static int lf__get_visit(void *vctx, const struct henb_dm_ref *ref)
{
	return ref->param >= 0 ? lf__get_one(vctx, ref) : 0;
}

static void lf__get(struct henb_agent *a, const struct distress_action *act, struct distress_result *r)
{
	struct lf__get g = {a, r, false};
	for (size_t i = 0; i < act->n_names && !g.full; i++) {
		const char *name = act->names[i][0] ? act->names[i] : "Device.";
		struct henb_dm_ref ref;
		size_t len = strlen(name);
		if (henb_dm_resolve(a->dm, name, &ref) || (name[len - 1] == '.') != (ref.param < 0)) {
			memset(r->params, 0, sizeof(r->params));
			r->n_params = 0;
			r->status = DISTRESS_STATUS_FAILED;
			r->fault_code = CWMP_FAULT_INVALID_PARAMETER_NAME;
			snprintf(r->fault_string, sizeof(r->fault_string), "no parameter or object %.200s", name);
			return;
		}
		if (ref.param >= 0)
			lf__get_one(&g, &ref);
		else
			henb_dm_walk(a->dm, &ref, 0, lf__get_visit, &g);
	}
	if (g.full) {
		memset(r->params, 0, sizeof(r->params));
		r->n_params = 0;
		r->status = DISTRESS_STATUS_FAILED;
		r->fault_code = CWMP_FAULT_RESOURCES_EXCEEDED;
		snprintf(r->fault_string, sizeof(r->fault_string), "more than %d values: name fewer parameters",
		         DISTRESS_MAX_PARAMS);
		return;
	}
	r->status = DISTRESS_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------------------------------------ execute */

static void lf__fail(struct distress_result *r, uint32_t fault, const char *why)
{
	r->status = DISTRESS_STATUS_FAILED;
	r->fault_code = fault;
	henb__dx_copy(r->fault_string, sizeof(r->fault_string), why, true);
}

/* A reboot or factory reset accepted: remembered in protected storage (a factory reset keeps it), confirmed by
 * the events of the next INFORM. */
static void lf__accept_restart(struct henb_agent *a, const struct distress_action *act, struct distress_result *r,
                               int *after)
{
	struct henb_distress *d = a->distress;
	if (act->kind == DISTRESS_KIND_REBOOT) {
		/* M Reboot rides the next standard Inform too (persisted with the state). */
		a->st.reboot_pending = true;
		snprintf(a->st.reboot_key, sizeof(a->st.reboot_key), "%s", act->command_key);
		if (henb_agent_persist(a)) {
			a->st.reboot_pending = false;
			lf__fail(r, CWMP_FAULT_INTERNAL_ERROR, "cannot store the reboot request");
			return;
		}
	}
	d->saved.resume = act->kind;
	d->saved.resume_id = act->id;
	snprintf(d->saved.resume_key, sizeof(d->saved.resume_key), "%s", act->command_key);
	r->status = DISTRESS_STATUS_ACCEPTED;
	*after = act->kind;
}

enum henb__dx_exec henb__dx_execute(struct henb_agent *a, const struct distress_action *act, struct distress_result *r,
                                    int *after)
{
	struct henb_distress *d = a->distress;
	enum henb__dx_exec how = HENB__DX_POST;
	char v[HENB_DM_MAX_VALUE];
	memset(r, 0, sizeof(*r));
	r->action_id = act->id;
	*after = 0;
	switch (act->kind) {
	case DISTRESS_KIND_RETRY_STANDARD: {
		/* A standard session now (6 CONNECTION REQUEST); its outcome is the result. */
		int64_t now = lf_now_ms();
		a->pending |= HENB_EV_CONNREQ;
		if (a->next_attempt_ms > now)
			a->next_attempt_ms = now;
		d->await_std = true;
		d->await_std_deadline_ms = now + (int64_t)henb__dx_u32(a, "StandardRetryTimeout") * a->cfg.second_ms;
		how = HENB__DX_WAIT;
		break;
	}
	case DISTRESS_KIND_INFORM:
		r->status = DISTRESS_STATUS_SUCCESS;
		henb__dx_copy(r->software_version, sizeof(r->software_version),
		              henb_dm_get_str(a->dm, LF_DEVINFO "SoftwareVersion"), false);
		lf__events(a, r->events, &r->n_events);
		d->alarm_seq = a->mon.alarm_seq;
		r->n_alarms =
		    lf__pending_alarms(a, a->mon.alarm_seq - a->mon.alarm_delivered, r->alarms, DISTRESS_MAX_ALARMS);
		r->n_alarms = lf__current_alarms(a, r->alarms, r->n_alarms, DISTRESS_MAX_ALARMS);
		break;
	case DISTRESS_KIND_REBOOT:
	case DISTRESS_KIND_FACTORY_RESET:
		lf__accept_restart(a, act, r, after);
		break;
	case DISTRESS_KIND_DOWNLOAD:
		henb__dx_dl_start(a, act, r);
		break;
	case DISTRESS_KIND_GET:
		lf__get(a, act, r);
		break;
	case DISTRESS_KIND_DIAGNOSTIC:
		/* The emergency diagnostic: the self test (software and configuration integrity and the sensors). */
		henb_diag_run(a);
		r->status = DISTRESS_STATUS_SUCCESS;
		henb__dx_copy(r->diag_state, sizeof(r->diag_state),
		              henb_dm_get_str(a->dm, LF_SELFTEST "DiagnosticsState"), false);
		snprintf(v, sizeof(v), "%s", henb_dm_get_str(a->dm, LF_SELFTEST "Results"));
		henb__dx_copy(r->diag_results, sizeof(r->diag_results), v, true);
		break;
	default:
		lf__fail(r, CWMP_FAULT_METHOD_NOT_SUPPORTED, "unknown action kind");
		break;
	}
	if (how == HENB__DX_POST) {
		if (act->kind != DISTRESS_KIND_DOWNLOAD || r->status != DISTRESS_STATUS_ACCEPTED) {
			henb_distress_memo_put(&d->saved, act->id, act->kind, r->status, r->fault_code);
			henb__dx_save(a);
		}
		lf_info("distress_action_done", "action=%llu kind=%s status=%s fault=%u", (unsigned long long)act->id,
		        distress_kind_name(act->kind), distress_status_name(r->status), r->fault_code);
	}
	return how;
}
