/* remediation.c: the HeMS remediation engine (5.7.2): classify alarms by policy, drive one persisted case per
 * device through its escalation ladder step by step, verify, escalate, hand over to extended remediation. */
#include "hems/remediation.h"

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alarm/catalogue.h"
#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "hems/connreq.h"
#include "hems/first_rpc.h"
#include "hems/notify.h"
#include "hems/policy.h"
#include "hems/roles.h"
#include "hems/session.h"

/* Phases of a step (case.phase). */
enum {
	PH_START = 0, /* nothing sent yet */
	PH_TASK1,     /* first task sent, awaiting its answer */
	PH_EVENT,     /* awaiting an Inform event (wait_event) */
	PH_TASK2,     /* second task sent (read-back, results), awaiting its answer */
};

#define LF_MAX_DUE 64

struct hems_remediation {
	struct policy policy;
};

static int64_t lf__now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct policy *lf__policy(struct hems *h)
{
	return &h->remediation->policy;
}

int hems_remediation_init(struct hems *h, char *err, size_t errlen)
{
	h->remediation = lf_calloc(1, sizeof(*h->remediation));
	h->first_rpc = hems_first_rpc_new();
	int result = policy_load(&h->remediation->policy, h->cfg.policy, err, errlen);
	if (result) {
		lf_free_ptr(&h->remediation);
		hems_first_rpc_free(&h->first_rpc);
		return result;
	}
	lf_info("policy_loaded", "source=%s rules=%d golden=%d firmware=%d",
	        h->cfg.policy[0] ? h->cfg.policy : "default", h->remediation->policy.n_rules,
	        h->remediation->policy.n_golden, h->remediation->policy.n_firmware);
	return LF_OK;
}

void hems_remediation_free(struct hems *h)
{
	lf_free_ptr(&h->remediation);
	hems_first_rpc_free(&h->first_rpc);
}

/* ---------------------------------------------------------------- case bookkeeping */

/* Timeline row (and log line) for case c, state from -> c->state. */
static void lf__event(struct hems *h, const struct store_case *c, const char *from, const char *actor, int64_t task_id,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void lf__event(struct hems *h, const struct store_case *c, const char *from, const char *actor, int64_t task_id,
                      const char *fmt, ...)
{
	struct store_case_event e;
	va_list ap;
	memset(&e, 0, sizeof(e));
	e.case_id = c->id;
	e.time = lf__now_ms();
	snprintf(e.from, sizeof(e.from), "%s", from);
	snprintf(e.to, sizeof(e.to), "%s", c->state);
	va_start(ap, fmt);
	vsnprintf(e.why, sizeof(e.why), fmt, ap);
	va_end(ap);
	e.task_id = task_id;
	snprintf(e.actor, sizeof(e.actor), "%s", actor ? actor : "hemsd");
	store_case_event_add(h->store, &e);
	lf_info("case", "case=%lld device=%s from=%s to=%s task=%lld why=\"%s\"", (long long)c->id, c->device_id, from,
	        c->state, (long long)task_id, e.why);
}

/* Move c to state (timeline row with why), persist it. */
static void lf__set_state(struct hems *h, struct store_case *c, const char *state, const char *actor, int64_t task_id,
                          const char *why)
{
	char from[32], to[32];
	snprintf(from, sizeof(from), "%s", c->state);
	snprintf(to, sizeof(to), "%s", state); /* state may be c->state itself */
	snprintf(c->state, sizeof(c->state), "%s", to);
	c->updated = (int64_t)time(NULL);
	lf__event(h, c, from, actor, task_id, "%s", why);
	store_case_update(h->store, c);
}

static void lf__close(struct hems *h, struct store_case *c, const char *state, const char *outcome, const char *actor)
{
	snprintf(c->outcome, sizeof(c->outcome), "%s", outcome);
	c->closed = (int64_t)time(NULL);
	c->deadline = 0;
	c->wait_task = 0;
	c->wait_event[0] = '\0';
	lf__set_state(h, c, state, actor, 0, outcome);
}

/* Case data (JSON object text in c->data). */
static json_t *lf__data(const struct store_case *c)
{
	json_t *d = json_loads(c->data[0] ? c->data : "{}", 0, NULL);
	return json_is_object(d) ? d : (json_decref(d), json_object());
}

static void lf__data_set(struct store_case *c, json_t *d)
{
	char *t = json_dumps(d, JSON_COMPACT);
	if (t && strlen(t) < sizeof(c->data))
		snprintf(c->data, sizeof(c->data), "%s", t);
	free(t);
}

/* Queue a task for the case's device, tagged with the case (args._case), and wake the device. */
static int64_t lf__task(struct hems *h, struct store_case *c, const char *method, json_t *args)
{
	int64_t id = 0;
	json_object_set_new(args, "_case", json_integer(c->id));
	char *text = json_dumps(args, JSON_COMPACT);
	json_decref(args);
	if (!text || store_task_add(h->store, c->device_id, method, text, (int64_t)time(NULL), &id)) {
		free(text);
		return 0;
	}
	free(text);
	c->wait_task = id;
	/* In a session (the alarm's Inform, a task's answer): its next request takes the task; a connection
	 * request would only bring the device back for a second session. A session that dies before that wakes
	 * the device when it times out (session.c). */
	if (!hems_session_of_device(h, c->device_id))
		hems_connreq_wake(h, c->device_id);
	return id;
}

static const struct policy_ladder *lf__ladder(struct hems *h, const struct store_case *c)
{
	int proc = alarm_procedure_parse(c->procedure);
	if (proc != ALARM_PROC_RECONFIGURE && proc != ALARM_PROC_RELOAD_SOFTWARE && proc != ALARM_PROC_EMERGENCY)
		return NULL;
	return &lf__policy(h)->ladders[proc];
}

static void lf__run_step(struct hems *h, struct store_case *c);
static void lf__provision_answer(struct hems *h, const struct store_task *t, const char *purpose);
static void lf__rung_failed(struct hems *h, struct store_case *c, const char *why);

/* Start (or restart) the current step: phase START, fresh deadline. */
static void lf__begin_step(struct hems *h, struct store_case *c)
{
	c->phase = PH_START;
	c->wait_task = 0;
	c->wait_event[0] = '\0';
	c->step_started = lf__now_ms();
	c->deadline = c->step_started + lf__policy(h)->step_timeout_s * 1000;
	lf__run_step(h, c);
}

/* The product class of the case's device. */
static void lf__product_class(struct hems *h, const char *device_id, char *out, size_t outlen)
{
	struct store_device d;
	out[0] = '\0';
	if (store_device_get(h->store, device_id, &d) == LF_OK)
		snprintf(out, outlen, "%s", d.product_class);
}

/* The golden configuration of the device's product class (exact class first, then "*"). */
static json_t *lf__golden_values(struct hems *h, const char *device_id)
{
	char pc[STORE_MAX_SHORT];
	const struct policy *p = lf__policy(h);
	json_t *vals = json_array();
	lf__product_class(h, device_id, pc, sizeof(pc));
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < p->n_golden; i++) {
			const struct policy_golden *g = &p->golden[i];
			if (pass == 0 ? strcmp(g->product_class, pc) != 0 : strcmp(g->product_class, "*") != 0)
				continue;
			int seen = 0;
			size_t k;
			json_t *v;
			json_array_foreach(vals, k, v) if (strcmp(json_string_value(json_object_get(v, "name")),
			                                          g->name) == 0) seen = 1;
			if (!seen)
				json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "name", g->name, "value",
				                                      g->value, "type", g->type));
		}
	return vals;
}

/* ---------------------------------------------------------------- steps */

static void lf__step_done(struct hems *h, struct store_case *c, const char *what)
{
	const struct policy_ladder *l = lf__ladder(h, c);
	lf__event(h, c, c->state, NULL, 0, "step %s done: %s", policy_step_name(l->steps[c->rung][c->step]), what);
	c->step++;
	if (c->step < l->n_steps[c->rung]) {
		lf__begin_step(h, c);
		return;
	}
	char outcome[128];
	snprintf(outcome, sizeof(outcome), "%s verified at rung %d", c->procedure, c->rung + 1);
	lf__close(h, c, "resolved", outcome, NULL);
	hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_SUCCEEDED, c, NULL);
}

static void lf__run_configure(struct hems *h, struct store_case *c)
{
	json_t *vals = lf__golden_values(h, c->device_id);
	if (json_array_size(vals) == 0) {
		json_decref(vals);
		lf__rung_failed(h, c, "no golden configuration for this product class");
		return;
	}
	int64_t t = lf__task(h, c, "SetParameterValues",
	                     json_pack("{s:o, s:s}", "values", vals, "parameterKey", "hems-golden"));
	c->phase = PH_TASK1;
	lf__set_state(h, c, "remediating", NULL, t, "configure: golden configuration sent (SetParameterValues)");
}

static void lf__run_reboot(struct hems *h, struct store_case *c, int factory)
{
	char key[32];
	snprintf(key, sizeof(key), "case-%lld", (long long)c->id);
	int64_t t = factory ? lf__task(h, c, "FactoryReset", json_object())
	                    : lf__task(h, c, "Reboot", json_pack("{s:s}", "commandKey", key));
	c->phase = PH_TASK1;
	lf__set_state(h, c, "remediating", NULL, t,
	              factory ? "factory-reset: FactoryReset sent" : "reboot: Reboot sent");
}

static void lf__run_download(struct hems *h, struct store_case *c)
{
	char pc[STORE_MAX_SHORT], url[640], key[32];
	struct store_file f;
	lf__product_class(h, c->device_id, pc, sizeof(pc));
	const char *name = policy_firmware_for(lf__policy(h), pc);
	if (!name || store_file_get(h->store, name, &f) != LF_OK) {
		lf__rung_failed(h, c, "no approved firmware image for this product class");
		return;
	}
	snprintf(url, sizeof(url), "%s/files/%s", h->file_base_url, f.name);
	snprintf(key, sizeof(key), "case-%lld-r%d", (long long)c->id, c->rung + 1);
	json_t *d = lf__data(c);
	json_object_set_new(d, "expectedVersion", json_string(f.version));
	json_object_set_new(d, "image", json_string(f.name));
	json_object_set_new(d, "commandKey", json_string(key));
	json_object_set_new(d, "transferOk", json_false());
	json_object_set_new(d, "versionOk", json_false());
	/* A failsafe HeNB reboots into the new image and registers through the initial HeMS: the emergency HeMS
	 * sees the TransferComplete, not the new version. */
	json_object_set_new(d, "needVersion", json_boolean(strcmp(c->procedure, "emergency-reimage") != 0));
	lf__data_set(c, d);
	json_decref(d);
	int64_t t = lf__task(h, c, "Download",
	                     json_pack("{s:s, s:s, s:s, s:I}", "commandKey", key, "fileType",
	                               "1 Firmware Upgrade Image", "url", url, "fileSize", (json_int_t)f.size));
	c->phase = PH_TASK1;
	char why[256];
	snprintf(why, sizeof(why), "download: Download of %s (version %s) sent", f.name, f.version);
	lf__set_state(h, c, "remediating", NULL, t, why);
}

static void lf__run_diagnose(struct hems *h, struct store_case *c)
{
	int64_t t =
	    lf__task(h, c, "SetParameterValues",
	             json_pack("{s:[{s:s, s:s, s:s}]}", "values", "name", "Device.SelfTestDiagnostics.DiagnosticsState",
	                       "value", "Requested", "type", "xsd:string"));
	c->phase = PH_TASK1;
	lf__set_state(h, c, strcmp(c->procedure, "diagnose-first") == 0 ? "diagnosing" : "verifying", NULL, t,
	              "diagnose: SelfTestDiagnostics requested");
}

static void lf__run_step(struct hems *h, struct store_case *c)
{
	if (strcmp(c->procedure, "diagnose-first") == 0) {
		lf__run_diagnose(h, c);
		return;
	}
	const struct policy_ladder *l = lf__ladder(h, c);
	switch (l->steps[c->rung][c->step]) {
	case POLICY_STEP_CONFIGURE:
		lf__run_configure(h, c);
		break;
	case POLICY_STEP_REBOOT:
		lf__run_reboot(h, c, 0);
		break;
	case POLICY_STEP_FACTORY_RESET:
		lf__run_reboot(h, c, 1);
		break;
	case POLICY_STEP_DOWNLOAD:
		lf__run_download(h, c);
		break;
	case POLICY_STEP_DIAGNOSE:
		lf__run_diagnose(h, c);
		break;
	default:
		lf__rung_failed(h, c, "unknown step");
		break;
	}
}

/* ---------------------------------------------------------------- escalation */

static void lf__extended(struct hems *h, struct store_case *c, const char *why)
{
	c->wait_task = 0;
	c->wait_event[0] = '\0';
	c->phase = PH_START;
	c->deadline = lf__now_ms() + lf__policy(h)->extended_timeout_s * 1000;
	char text[384];
	snprintf(text, sizeof(text), "extended remediation started: %s", why);
	lf__set_state(h, c, "extended", NULL, 0, text);
	hems_notify_case(h, HEMS_NOTIFY_EXTENDED_REMEDIATION, c, json_pack("{s:s}", "reason", why));
	if (h->on_extended_remediation)
		h->on_extended_remediation(h, c->id, why);
}

static void lf__rung_failed(struct hems *h, struct store_case *c, const char *why)
{
	const struct policy_ladder *l = lf__ladder(h, c);
	char text[384];
	snprintf(text, sizeof(text), "rung %d failed: %s", c->rung + 1, why);
	hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_STEP, c, json_pack("{s:s}", "step", text));
	if (strcmp(c->procedure, "emergency-reimage") == 0) {
		/* The last remote resort failed: the HeNB shuts itself down (5.7.3.2). */
		lf__event(h, c, c->state, NULL, 0, "%s", text);
		c->deadline = 0;
		lf__set_state(h, c, "no_communication", NULL, 0,
			      "emergency re-imaging failed: the HeNB shuts down; no communication possible");
		hems_notify_case(h, HEMS_NOTIFY_NO_COMMUNICATION, c, json_pack("{s:s}", "reason", why));
		lf__set_state(h, c, "awaiting_instructions", NULL, 0, "waiting for NM instructions");
		hems_notify_case(h, HEMS_NOTIFY_AWAITING_INSTRUCTIONS, c, NULL);
		return;
	}
	if (!l || c->rung + 1 >= l->n_rungs) {
		lf__event(h, c, c->state, NULL, 0, "%s", text);
		lf__extended(h, c, "every rung of the ladder failed");
		return;
	}
	c->rung++;
	c->step = 0;
	lf__set_state(h, c, "escalated", NULL, 0, text);
	lf__begin_step(h, c);
}

/* Diagnostic results: "check=pass;check=fail..." (also ',' or whitespace). Failing check names into bad. */
static int lf__diag_verdict(const char *state, const char *results, char *bad, size_t badlen)
{
	char buf[1100];
	int fails = 0;
	size_t pos = 0;
	bad[0] = '\0';
	if (strcmp(state, "Complete") != 0) {
		snprintf(bad, badlen, "DiagnosticsState %s", state);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", results);
	for (char *save = NULL, *tok = strtok_r(buf, ";, \t\n", &save); tok; tok = strtok_r(NULL, ";, \t\n", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		const char *v = eq + 1;
		if (strcasecmp(v, "pass") == 0 || strcasecmp(v, "ok") == 0 || strcasecmp(v, "passed") == 0)
			continue;
		fails++;
		int n = snprintf(bad + pos, badlen - pos, "%s%s=%s", pos ? "," : "", tok, v);
		if (n > 0 && (size_t)n < badlen - pos)
			pos += (size_t)n;
	}
	return fails;
}

/* Diagnose-first: classify again from the failing checks. Hardware modifications are fatal; modified software
 * or configuration get their remediation; anything else (an open case, a LAN attack) is evidence for NM. */
static const char *lf__reclassify(const char *bad)
{
	if (strstr(bad, "antenna") || strstr(bad, "clock") || strstr(bad, "circuit"))
		return "fatal";
	if (strstr(bad, "sw") || strstr(bad, "software") || strstr(bad, "image") || strstr(bad, "firmware"))
		return "reload-software";
	if (strstr(bad, "config"))
		return "reconfigure";
	return "notify-only";
}

static void lf__start_procedure(struct hems *h, struct store_case *c, const char *actor);

static void lf__diag_result(struct hems *h, struct store_case *c, const char *state, const char *results)
{
	char bad[512];
	int fails = lf__diag_verdict(state, results, bad, sizeof(bad));
	json_t *d = lf__data(c);
	json_object_set_new(d, "diagnostic", json_pack("{s:s, s:s}", "state", state, "results", results));
	lf__data_set(c, d);
	json_decref(d);
	if (strcmp(c->procedure, "diagnose-first") == 0) {
		char why[700];
		if (fails == 0) {
			snprintf(why, sizeof(why), "diagnostic passed every check (%s): nothing to remediate", results);
			lf__event(h, c, c->state, NULL, 0, "%s", why);
			lf__close(h, c, "resolved", "diagnostic found no integrity problem", NULL);
			hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_SUCCEEDED, c,
			                 json_pack("{s:s}", "results", results));
			return;
		}
		if (fails < 0) {
			lf__extended(h, c, "the diagnostic could not run");
			return;
		}
		const char *proc = lf__reclassify(bad);
		snprintf(why, sizeof(why), "diagnostic failed %s: classified again as %s", bad, proc);
		snprintf(c->procedure, sizeof(c->procedure), "%s", proc);
		lf__set_state(h, c, "classifying", NULL, 0, why);
		lf__start_procedure(h, c, NULL);
		return;
	}
	/* Verification after a remediation looks at integrity (software, configuration); a sensor that still
	 * reports, say, an opened case is evidence for NM, not a failed software reload. */
	int integrity_fails = fails < 0 ? -1 : 0;
	if (fails > 0)
		for (const char *k = bad; *k; k++)
			if (strncmp(k, "sw", 2) == 0 || strncmp(k, "software", 8) == 0 || strncmp(k, "image", 5) == 0 ||
			    strncmp(k, "firmware", 8) == 0 || strncmp(k, "config", 6) == 0)
				if (k == bad || k[-1] == ',')
					integrity_fails++;
	if (integrity_fails == 0) {
		char what[600];
		snprintf(what, sizeof(what), "the software and configuration integrity checks passed%s%s%s",
			 fails > 0 ? " (other checks: " : "", fails > 0 ? bad : "", fails > 0 ? ")" : "");
		lf__step_done(h, c, what);
	} else {
		lf__rung_failed(h, c, integrity_fails < 0 ? "diagnostic did not complete" : bad);
	}
}

/* Begin the procedure of a (newly classified) case. */
static void lf__start_procedure(struct hems *h, struct store_case *c, const char *actor)
{
	int proc = alarm_procedure_parse(c->procedure);
	c->rung = 0;
	c->step = 0;
	switch (proc) {
	case ALARM_PROC_NOTIFY_ONLY:
		lf__close(h, c, "resolved", "notified northbound; no action on the device (5.7.2.1)", actor);
		hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_SUCCEEDED, c, NULL);
		return;
	case ALARM_PROC_FATAL:
		c->deadline = 0;
		lf__set_state(
		    h, c, "awaiting_instructions", actor, 0,
		    "fatal security breach (5.7.2.3): the HeNB shuts itself down; waiting for NM instructions");
		hems_notify_case(h, HEMS_NOTIFY_AWAITING_INSTRUCTIONS, c, NULL);
		return;
	case ALARM_PROC_DIAGNOSE_FIRST:
	case ALARM_PROC_RECONFIGURE:
	case ALARM_PROC_RELOAD_SOFTWARE:
	case ALARM_PROC_EMERGENCY:
		hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_STARTED, c, NULL);
		lf__begin_step(h, c);
		return;
	default:
		lf__close(h, c, "closed", "unknown procedure", actor);
	}
}

/* ---------------------------------------------------------------- intake */

static int lf__rank(const char *procedure)
{
	/* How far a procedure goes: a new alarm that needs more takes over the case. */
	static const char *const order[] = {"notify-only", "diagnose-first", "reconfigure", "reload-software", "fatal"};
	for (int i = 0; i < 5; i++)
		if (strcmp(order[i], procedure) == 0)
			return i;
	return 0;
}

void hems_remediation_on_alarm(struct hems *h, const struct store_alarm *a)
{
	struct store_case c;
	unsigned rule = 0;
	char why[512];
	int proc =
	    policy_classify(lf__policy(h), a->event_type, a->probable_cause, a->severity, a->specific_problem, &rule);
	const char *pname = alarm_procedure_name((enum alarm_procedure)proc);
	int has_case = store_case_open_of(h->store, a->device_id, &c) == LF_OK;

	if (strcmp(a->notification_type, "ClearedAlarm") == 0) {
		if (has_case)
			lf__event(h, &c, c.state, "device", 0, "alarm %s cleared by the device (%s)",
			          a->alarm_identifier, a->specific_problem);
		return;
	}
	snprintf(why, sizeof(why), "alarm %s: %s / %s / %s / %s -> %s (policy %s%u)", a->alarm_identifier,
	         a->event_type, a->probable_cause, a->severity, a->specific_problem, pname, rule ? "line " : "default",
	         rule);
	if (has_case) {
		store_alarm_set_case(h->store, a->id, c.id);
		if (lf__rank(pname) > lf__rank(c.procedure) && strcmp(c.state, "awaiting_instructions") != 0) {
			snprintf(c.procedure, sizeof(c.procedure), "%s", pname);
			lf__set_state(h, &c, "classifying", NULL, 0, why);
			lf__start_procedure(h, &c, NULL);
		} else {
			lf__event(h, &c, c.state, NULL, 0, "%s; the open case continues", why);
		}
		return;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.device_id, sizeof(c.device_id), "%s", a->device_id);
	snprintf(c.state, sizeof(c.state), "detected");
	snprintf(c.procedure, sizeof(c.procedure), "%s", pname);
	c.alarm_id = a->id;
	c.created = c.updated = (int64_t)time(NULL);
	snprintf(c.data, sizeof(c.data), "{}");
	if (store_case_insert(h->store, &c)) {
		lf_error("case_open_failed", "device=%s", a->device_id);
		return;
	}
	store_alarm_set_case(h->store, a->id, c.id);
	hems_first_rpc_opened(h->first_rpc, c.id, lf_now_ms());
	lf__event(h, &c, "", NULL, 0, "case opened by alarm %s (%s)", a->alarm_identifier, a->specific_problem);
	lf__set_state(h, &c, "classifying", NULL, 0, why);
	lf__start_procedure(h, &c, NULL);
}

/* One alarm event from the FaultMgmt parameters of an Inform. */
struct lf__alarm_group {
	char table[24]; /* ExpeditedEvent, QueuedEvent, CurrentAlarm */
	unsigned instance;
	struct store_alarm a;
};

#define LF_MAX_GROUPS 64

static void lf__set_field(struct store_alarm *a, const char *field, const char *v)
{
	static const struct {
		const char *name;
		size_t off, size;
	} map[] = {
#define F(n, m) {n, offsetof(struct store_alarm, m), sizeof(((struct store_alarm *)0)->m)}
	    F("AlarmIdentifier", alarm_identifier),
	    F("EventTime", event_time),
	    F("AlarmRaisedTime", event_time),
	    F("NotificationType", notification_type),
	    F("ManagedObjectInstance", managed_object),
	    F("EventType", event_type),
	    F("ProbableCause", probable_cause),
	    F("SpecificProblem", specific_problem),
	    F("PerceivedSeverity", severity),
	    F("AdditionalText", additional_text),
	    F("AdditionalInformation", additional_info),
#undef F
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, field) == 0)
			snprintf((char *)a + map[i].off, map[i].size, "%s", v ? v : "");
}

/* Collect the alarm events carried by an Inform's ParameterList. Returns how many groups. */
static size_t lf__collect_alarms(const char *device_id, const struct cwmp_inform *in, struct lf__alarm_group *g,
                                 size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < in->n_params; i++) {
		const char *name = in->params[i].name;
		const char *fm = strstr(name, ".FaultMgmt.");
		if (!fm)
			continue;
		char table[24], field[64];
		unsigned inst;
		if (sscanf(fm + 11, "%23[A-Za-z].%u.%63[A-Za-z]", table, &inst, field) != 3)
			continue;
		if (strcmp(table, "ExpeditedEvent") && strcmp(table, "QueuedEvent") && strcmp(table, "CurrentAlarm"))
			continue;
		size_t k = 0;
		while (k < n && !(g[k].instance == inst && strcmp(g[k].table, table) == 0))
			k++;
		if (k == n) {
			if (n == max)
				continue;
			memset(&g[n], 0, sizeof(g[n]));
			snprintf(g[n].table, sizeof(g[n].table), "%s", table);
			g[n].instance = inst;
			snprintf(g[n].a.device_id, sizeof(g[n].a.device_id), "%s", device_id);
			snprintf(g[n].a.source, sizeof(g[n].a.source), "%s",
			         table[0] == 'E'   ? "expedited"
			         : table[0] == 'Q' ? "queued"
			                           : "current");
			n++;
		}
		lf__set_field(&g[k].a, field, in->params[i].value);
	}
	return n;
}

/* The device contacted us: a step waiting for its contact knows it is reachable. */
static void lf__contact(struct hems *h, struct store_case *c)
{
	c->last_contact = lf__now_ms();
	store_case_update(h->store, c);
}

static int lf__has_event(const struct cwmp_inform *in, const char *code)
{
	for (size_t i = 0; i < in->n_events; i++)
		if (strcmp(in->events[i].code, code) == 0)
			return 1;
	return 0;
}

static const char *lf__inform_value(const struct cwmp_inform *in, const char *tail)
{
	size_t tl = strlen(tail);
	for (size_t i = 0; i < in->n_params; i++) {
		const char *dot = strchr(in->params[i].name, '.');
		if (dot && strlen(dot + 1) == tl && memcmp(dot + 1, tail, tl) == 0)
			return in->params[i].value;
	}
	return NULL;
}

/* The download step completes when both TransferComplete (success) and the new version have been seen. */
static void lf__download_check(struct hems *h, struct store_case *c)
{
	json_t *d = lf__data(c);
	int done = json_is_true(json_object_get(d, "transferOk")) &&
		   (json_is_true(json_object_get(d, "versionOk")) || json_is_false(json_object_get(d, "needVersion")));
	char what[200];
	const char *want = json_string_value(json_object_get(d, "expectedVersion"));
	if (json_is_false(json_object_get(d, "needVersion")))
		snprintf(what, sizeof(what), "TransferComplete without fault: image %s installed (the HeNB registers "
		         "again through the initial HeMS)", want ? want : "?");
	else
		snprintf(what, sizeof(what), "TransferComplete without fault and Inform with SoftwareVersion %s",
		         want ? want : "?");
	json_decref(d);
	if (done)
		lf__step_done(h, c, what);
}

int hems_alarm_intake(struct hems *h, struct store_alarm *a)
{
	int is_new = 0;
	/* Stored once (idempotent), notified northbound and handed to the engine in one transaction. */
	store_begin(h->store);
	int result = store_alarm_record(h->store, a, &is_new);
	if (!result && is_new) {
		char et[80], pc[80];
		/* The texts come from the device: keep the log line one line. */
		snprintf(et, sizeof(et), "%s", a->event_type);
		snprintf(pc, sizeof(pc), "%s", a->probable_cause);
		for (char *p = et; *p; p++)
			if (*p == '"' || *p == '\n' || *p == '\r')
				*p = '\'';
		for (char *p = pc; *p; p++)
			if (*p == '"' || *p == '\n' || *p == '\r')
				*p = '\'';
		lf_info("alarm", "device=%s id=%s type=%s event_type=\"%s\" cause=\"%s\" severity=%s source=%s",
			a->device_id, a->alarm_identifier, a->notification_type, et, pc, a->severity, a->source);
		/* NM hears of the alarm before it hears of what the HeMS does about it. */
		hems_notify_alarm(h, a);
		/* Only the serving HeMS remediates alarms; the initial and emergency ones keep them as evidence
		 * (an emergency HeMS re-images on RequestDownload, roles.c). */
		if (!h->roles || hems_roles_serving(h))
			hems_remediation_on_alarm(h, a);
	}
	return store_end(h->store, result != LF_OK) ? (result ? result : LF_ESTORE) : result;
}

/* Whether an Inform carries any FaultMgmt parameter (a possible alarm event). */
static int lf__carries_alarms(const struct cwmp_inform *in)
{
	for (size_t i = 0; i < in->n_params; i++)
		if (strstr(in->params[i].name, ".FaultMgmt."))
			return 1;
	return 0;
}

int hems_remediation_wants_inform(struct hems *h, const char *device_id, const struct cwmp_inform *in)
{
	struct store_case c;
	if (lf__carries_alarms(in))
		return 1;
	return store_case_open_of(h->store, device_id, &c) != LF_ENOTFOUND;
}

void hems_remediation_on_inform(struct hems *h, const char *device_id, const struct cwmp_inform *in)
{
	/* The group table is ~100 KiB; most Informs (periodic ones) carry no FaultMgmt parameter at all, so
	 * look before allocating and clearing it. */
	int carries_alarms = lf__carries_alarms(in);
	struct lf__alarm_group *groups = carries_alarms ? lf_calloc(LF_MAX_GROUPS, sizeof(*groups)) : NULL;
	size_t n = groups ? lf__collect_alarms(device_id, in, groups, LF_MAX_GROUPS) : 0;
	for (size_t i = 0; i < n; i++) {
		struct store_alarm *a = &groups[i].a;
		if (!a->alarm_identifier[0])
			continue;
		if (!a->notification_type[0])
			snprintf(a->notification_type, sizeof(a->notification_type), "NewAlarm");
		if (!a->event_time[0])
			snprintf(a->event_time, sizeof(a->event_time), "unknown");
		a->received = (int64_t)time(NULL);
		hems_alarm_intake(h, a);
	}
	lf_free(groups);

	struct store_case c;
	if (store_case_open_of(h->store, device_id, &c) != LF_OK)
		return;
	store_begin(h->store);
	lf__contact(h, &c);
	if (c.phase == PH_EVENT && c.wait_event[0]) {
		if (strcmp(c.wait_event, "1 BOOT") == 0 &&
		    (lf__has_event(in, "1 BOOT") || lf__has_event(in, "M Reboot"))) {
			c.wait_event[0] = '\0';
			lf__step_done(h, &c, "the device rebooted (1 BOOT)");
		} else if (strcmp(c.wait_event, "0 BOOTSTRAP") == 0 && lf__has_event(in, "0 BOOTSTRAP")) {
			c.wait_event[0] = '\0';
			lf__step_done(h, &c, "the device came back from factory reset (0 BOOTSTRAP)");
		} else if (strcmp(c.wait_event, "8 DIAGNOSTICS COMPLETE") == 0 &&
		           lf__has_event(in, "8 DIAGNOSTICS COMPLETE")) {
			c.wait_event[0] = '\0';
			int64_t t =
			    lf__task(h, &c, "GetParameterValues",
			             json_pack("{s:[s, s]}", "names", "Device.SelfTestDiagnostics.DiagnosticsState",
			                       "Device.SelfTestDiagnostics.Results"));
			c.phase = PH_TASK2;
			lf__set_state(h, &c, c.state, NULL, t,
			              "diagnostic complete (8 DIAGNOSTICS COMPLETE): reading results");
		} else if (strcmp(c.wait_event, "DOWNLOAD") == 0) {
			json_t *d = lf__data(&c);
			const char *want = json_string_value(json_object_get(d, "expectedVersion"));
			const char *sw = lf__inform_value(in, "DeviceInfo.SoftwareVersion");
			if (want && sw && strcmp(want, sw) == 0 && !json_is_true(json_object_get(d, "versionOk"))) {
				json_object_set_new(d, "versionOk", json_true());
				lf__data_set(&c, d);
				lf__event(h, &c, c.state, "device", 0, "Inform reports SoftwareVersion %s", sw);
				store_case_update(h->store, &c);
				lf__download_check(h, &c);
			}
			json_decref(d);
		}
	}
	store_end(h->store, 0);
}

void hems_remediation_on_transfer_complete(struct hems *h, const char *device_id,
                                           const struct cwmp_transfer_complete *tc)
{
	struct store_case c;
	if (store_case_open_of(h->store, device_id, &c) != LF_OK || c.phase != PH_EVENT ||
	    strcmp(c.wait_event, "DOWNLOAD") != 0)
		return;
	json_t *d = lf__data(&c);
	const char *key = json_string_value(json_object_get(d, "commandKey"));
	if (!key || !tc->command_key || strcmp(key, tc->command_key) != 0) {
		json_decref(d);
		return;
	}
	store_begin(h->store);
	if (tc->fault_code != 0) {
		char why[384];
		snprintf(why, sizeof(why), "TransferComplete fault %u (%s)", tc->fault_code,
		         tc->fault_string && tc->fault_string[0] ? tc->fault_string : cwmp_fault_text(tc->fault_code));
		c.wait_event[0] = '\0';
		lf__rung_failed(h, &c, why);
	} else {
		json_object_set_new(d, "transferOk", json_true());
		lf__data_set(&c, d);
		lf__event(h, &c, c.state, "device", 0, "TransferComplete %s: image installed", key);
		store_case_update(h->store, &c);
		lf__download_check(h, &c);
	}
	store_end(h->store, 0);
	json_decref(d);
}

/* Values from a GetParameterValues result: does the read-back equal the golden configuration? */
static int lf__compare_golden(struct hems *h, const char *device_id, json_t *result, char *diff, size_t difflen)
{
	json_t *want = lf__golden_values(h, device_id);
	json_t *got = json_object_get(result, "parameters");
	size_t i, k;
	json_t *w, *g;
	int ok = 1;
	diff[0] = '\0';
	json_array_foreach(want, i, w)
	{
		const char *name = json_string_value(json_object_get(w, "name"));
		const char *value = json_string_value(json_object_get(w, "value"));
		const char *seen = NULL;
		json_array_foreach(got, k, g) if (strcmp(json_string_value(json_object_get(g, "name")), name) == 0)
		    seen = json_string_value(json_object_get(g, "value"));
		if (!seen || strcmp(seen, value) != 0) {
			snprintf(diff, difflen, "%s reads back '%s', expected '%s'", name, seen ? seen : "(missing)",
			         value);
			ok = 0;
			break;
		}
	}
	json_decref(want);
	return ok;
}

static void lf__task_answer(struct hems *h, struct store_case *c, const struct store_task *t)
{
	json_t *res = t->result ? json_loads(t->result, 0, NULL) : NULL;
	char why[512];
	if (t->status != STORE_TASK_DONE) {
		json_t *f = res ? json_object_get(res, "fault") : NULL;
		if (f)
			snprintf(why, sizeof(why), "%s answered fault %lld (%s)", t->method,
			         (long long)json_integer_value(json_object_get(f, "code")),
			         json_string_value(json_object_get(f, "string")));
		else
			snprintf(why, sizeof(why), "%s got no answer (%s)", t->method, t->note);
		json_decref(res);
		if (strcmp(c->procedure, "diagnose-first") == 0) {
			lf__extended(h, c, why);
			return;
		}
		lf__rung_failed(h, c, why);
		return;
	}
	c->wait_task = 0;
	if (strcmp(c->procedure, "diagnose-first") == 0 ||
	    lf__ladder(h, c)->steps[c->rung][c->step] == POLICY_STEP_DIAGNOSE) {
		if (c->phase == PH_TASK1) {
			c->phase = PH_EVENT;
			snprintf(c->wait_event, sizeof(c->wait_event), "8 DIAGNOSTICS COMPLETE");
			lf__set_state(h, c, c->state, NULL, t->id,
			              "diagnostic accepted; waiting for 8 DIAGNOSTICS COMPLETE");
		} else {
			const char *state = "", *results = "";
			size_t i;
			json_t *p;
			json_array_foreach(json_object_get(res, "parameters"), i, p)
			{
				const char *n = json_string_value(json_object_get(p, "name"));
				const char *v = json_string_value(json_object_get(p, "value"));
				if (n && strstr(n, "DiagnosticsState"))
					state = v ? v : "";
				else if (n && strstr(n, "Results"))
					results = v ? v : "";
			}
			lf__diag_result(h, c, state, results);
		}
		json_decref(res);
		return;
	}
	switch (lf__ladder(h, c)->steps[c->rung][c->step]) {
	case POLICY_STEP_CONFIGURE:
		if (c->phase == PH_TASK1) {
			json_t *names = json_array();
			json_t *vals = lf__golden_values(h, c->device_id);
			size_t i;
			json_t *v;
			json_array_foreach(vals, i, v) json_array_append(names, json_object_get(v, "name"));
			json_decref(vals);
			int64_t id = lf__task(h, c, "GetParameterValues", json_pack("{s:o}", "names", names));
			c->phase = PH_TASK2;
			lf__set_state(h, c, "verifying", NULL, id, "configure: accepted; reading the values back");
		} else if (lf__compare_golden(h, c->device_id, res, why, sizeof(why))) {
			lf__step_done(h, c, "read-back equals the golden configuration");
		} else {
			lf__rung_failed(h, c, why);
		}
		break;
	case POLICY_STEP_REBOOT:
		c->phase = PH_EVENT;
		snprintf(c->wait_event, sizeof(c->wait_event), "1 BOOT");
		lf__set_state(h, c, c->state, NULL, t->id, "reboot accepted; waiting for 1 BOOT");
		break;
	case POLICY_STEP_FACTORY_RESET:
		c->phase = PH_EVENT;
		snprintf(c->wait_event, sizeof(c->wait_event), "0 BOOTSTRAP");
		lf__set_state(h, c, c->state, NULL, t->id, "factory reset accepted; waiting for 0 BOOTSTRAP");
		break;
	case POLICY_STEP_DOWNLOAD:
		c->phase = PH_EVENT;
		snprintf(c->wait_event, sizeof(c->wait_event), "DOWNLOAD");
		lf__set_state(h, c, "verifying", NULL, t->id,
		              "download accepted; waiting for TransferComplete and the Inform with the new version");
		break;
	default:
		break;
	}
	json_decref(res);
}

void hems_remediation_on_task(struct hems *h, int64_t task_id)
{
	struct store_task t;
	struct store_case c;
	if (store_task_get(h->store, task_id, &t) != LF_OK)
		return;
	json_t *args = json_loads(t.args ? t.args : "{}", 0, NULL);
	int64_t case_id = json_integer_value(json_object_get(args, "_case"));
	const char *purpose = json_string_value(json_object_get(args, "_purpose"));
	if (purpose)
		lf__provision_answer(h, &t, purpose);
	json_decref(args);
	if (case_id && store_case_get(h->store, case_id, &c) == LF_OK && !c.closed && c.wait_task == task_id) {
		store_begin(h->store);
		lf__task_answer(h, &c, &t);
		store_end(h->store, 0);
	}
	store_task_clear(&t);
}

struct lf__open_cases {
	int64_t ids[256];
	size_t n;
};

static int lf__collect_open(void *ctx, const struct store_case *c)
{
	struct lf__open_cases *o = ctx;
	if (o->n < sizeof(o->ids) / sizeof(o->ids[0]))
		o->ids[o->n++] = c->id;
	return 0;
}

void hems_remediation_resume(struct hems *h)
{
	/* A task that was in a session when the previous hemsd died has been marked failed (its outcome is
	 * unknown); the step that sent it starts again. Everything else resumes by itself: queued tasks wait for
	 * the device, awaited events and deadlines are in the store. */
	struct lf__open_cases *o = lf_calloc(1, sizeof(*o));
	store_case_list(h->store, NULL, 1, 256, lf__collect_open, o);
	for (size_t i = 0; i < o->n; i++) {
		struct store_case c;
		struct store_task t;
		if (store_case_get(h->store, o->ids[i], &c) != LF_OK || !c.wait_task ||
		    store_task_get(h->store, c.wait_task, &t) != LF_OK)
			continue;
		if (t.status == STORE_TASK_QUEUED) {
			/* The connection request that should have brought the device may have died with hemsd. */
			hems_connreq_wake(h, c.device_id);
			lf__event(h, &c, c.state, NULL, t.id, "hemsd restarted: waking the HeNB for the queued %s", t.method);
		} else if (t.status == STORE_TASK_FAILED) {
			store_begin(h->store);
			lf__event(h, &c, c.state, NULL, t.id, "hemsd restarted while %s was in flight: the step starts again",
				  t.method);
			if (strcmp(c.state, "extended") != 0 && strcmp(c.state, "awaiting_instructions") != 0)
				lf__begin_step(h, &c);
			store_end(h->store, 0);
		}
		store_task_clear(&t);
	}
	lf_info("cases_resumed", "open=%zu", o->n);
	lf_free(o);
}

void hems_remediation_tick(struct hems *h, int64_t now_ms)
{
	int64_t ids[LF_MAX_DUE];
	size_t n = 0;
	(void)now_ms;
	int64_t now = lf__now_ms(); /* deadlines are wall-clock: they survive restarts */
	if (store_case_due(h->store, now, ids, LF_MAX_DUE, &n) != LF_OK)
		return;
	for (size_t i = 0; i < n; i++) {
		struct store_case c;
		if (store_case_get(h->store, ids[i], &c) != LF_OK || c.closed)
			continue;
		store_begin(h->store);
		if (strcmp(c.state, "extended") == 0) {
			/* Nothing reached the device in time, on any path: tell NM and wait for its decision. */
			c.deadline = 0;
			lf__set_state(h, &c, "no_communication", NULL, 0,
			              "extended remediation timed out: no communication possible with the HeNB");
			hems_notify_case(h, HEMS_NOTIFY_NO_COMMUNICATION, &c, NULL);
			lf__set_state(h, &c, "awaiting_instructions", NULL, 0, "waiting for NM instructions");
			hems_notify_case(h, HEMS_NOTIFY_AWAITING_INSTRUCTIONS, &c, NULL);
		} else if (c.last_contact < c.step_started) {
			char why[128];
			snprintf(why, sizeof(why), "the HeNB did not contact the HeMS within %ld s",
			         lf__policy(h)->step_timeout_s);
			lf__extended(h, &c, why);
		} else {
			char why[160];
			snprintf(why, sizeof(why), "step timed out after %ld s (waiting for %s)",
			         lf__policy(h)->step_timeout_s, c.wait_event[0] ? c.wait_event : "the task's answer");
			if (strcmp(c.procedure, "diagnose-first") == 0)
				lf__extended(h, &c, why);
			else
				lf__rung_failed(h, &c, why);
		}
		store_end(h->store, 0);
	}
}

/* ---------------------------------------------------------------- registration */

/* Queue a provisioning task (args._purpose names it for hems_remediation_on_task). */
static void lf__provision_task(struct hems *h, const char *device_id, const char *method, const char *purpose,
                               json_t *args)
{
	int64_t id;
	json_object_set_new(args, "_purpose", json_string(purpose));
	char *text = json_dumps(args, JSON_COMPACT);
	json_decref(args);
	if (text && store_task_add(h->store, device_id, method, text, (int64_t)time(NULL), &id) == LF_OK)
		lf_info("provision", "device=%s what=%s task=%lld", device_id, purpose, (long long)id);
	free(text);
}

void hems_remediation_on_bootstrap(struct hems *h, const char *device_id)
{
	/* Security alarm reporting (TR-196/TR-181 FaultMgmt): expedited events notify actively (a session at once),
	 * queued ones passively (the next Inform); the supported security alarms are then set to Expedited. */
	if (h->cfg.provision_alarm_reporting) {
		lf__provision_task(h, device_id, "SetParameterAttributes", "alarm-notification",
		                   json_pack("{s:[{s:s, s:b, s:i}, {s:s, s:b, s:i}]}", "attributes", "name",
		                             "Device.FaultMgmt.ExpeditedEvent.", "notificationChange", 1,
		                             "notification", 2, "name", "Device.FaultMgmt.QueuedEvent.",
		                             "notificationChange", 1, "notification", 1));
		lf__provision_task(h, device_id, "GetParameterValues", "supported-alarms",
		                   json_pack("{s:[s]}", "names", "Device.FaultMgmt.SupportedAlarm."));
	}
	if (!h->cfg.provision_golden_config)
		return;
	json_t *vals = lf__golden_values(h, device_id);
	if (json_array_size(vals))
		lf__provision_task(h, device_id, "SetParameterValues", "golden-config",
		                   json_pack("{s:o, s:s}", "values", vals, "parameterKey", "hems-golden"));
	else
		json_decref(vals);
}

/* The answer of a provisioning task: after reading SupportedAlarm, make every security alarm Expedited. */
static void lf__provision_answer(struct hems *h, const struct store_task *t, const char *purpose)
{
	if (t->status != STORE_TASK_DONE) {
		lf_warn("provision_failed", "device=%s what=%s task=%lld", t->device_id, purpose, (long long)t->id);
		return;
	}
	if (strcmp(purpose, "supported-alarms") != 0)
		return;
	json_t *res = json_loads(t->result ? t->result : "{}", 0, NULL);
	json_t *vals = json_array();
	size_t i;
	json_t *p;
	/* Group by instance: Device.FaultMgmt.SupportedAlarm.{i}.EventType / ReportingMechanism. */
	json_array_foreach(json_object_get(res, "parameters"), i, p)
	{
		const char *n = json_string_value(json_object_get(p, "name"));
		const char *v = json_string_value(json_object_get(p, "value"));
		unsigned inst;
		char field[64];
		const char *sa = n ? strstr(n, ".SupportedAlarm.") : NULL;
		if (!sa || !v || sscanf(sa + 16, "%u.%63s", &inst, field) != 2 || strcmp(field, "EventType") != 0)
			continue;
		int et = alarm_event_type_parse(v);
		if (et != ALARM_ET_INTEGRITY_VIOLATION && et != ALARM_ET_OPERATIONAL_VIOLATION &&
		    et != ALARM_ET_PHYSICAL_VIOLATION && et != ALARM_ET_SECURITY_VIOLATION &&
		    et != ALARM_ET_TIME_DOMAIN_VIOLATION)
			continue;
		char name[300];
		snprintf(name, sizeof(name), "%.*sSupportedAlarm.%u.ReportingMechanism", (int)(sa - n + 1), n, inst);
		json_array_append_new(
		    vals, json_pack("{s:s, s:s, s:s}", "name", name, "value", "0 Expedited", "type", "xsd:string"));
	}
	json_decref(res);
	if (json_array_size(vals))
		lf__provision_task(h, t->device_id, "SetParameterValues", "alarms-expedited",
		                   json_pack("{s:o, s:s}", "values", vals, "parameterKey", "hems-alarms"));
	else
		json_decref(vals);
}

/* ---------------------------------------------------------------- instructions */

int hems_case_start(struct hems *h, const char *device_id, const char *procedure, const char *actor, int64_t *case_id,
                    char *err, size_t errlen)
{
	struct store_case c;
	struct store_device d;
	if (alarm_procedure_parse(procedure) < 0) {
		snprintf(err, errlen,
		         "unknown procedure '%s' (notify-only, reconfigure, reload-software, fatal, "
		         "diagnose-first)",
		         procedure);
		return LF_EINVAL;
	}
	if (store_device_get(h->store, device_id, &d) != LF_OK) {
		snprintf(err, errlen, "no such device");
		return LF_ENOTFOUND;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.device_id, sizeof(c.device_id), "%s", device_id);
	snprintf(c.state, sizeof(c.state), "detected");
	snprintf(c.procedure, sizeof(c.procedure), "%s", procedure);
	c.created = c.updated = (int64_t)time(NULL);
	store_begin(h->store);
	int result = store_case_insert(h->store, &c);
	if (result) {
		store_end(h->store, 1);
		snprintf(err, errlen,
		         result == LF_EEXIST ? "the device already has an open case" : "store unavailable");
		return result;
	}
	lf__event(h, &c, "", actor, 0, "case opened by %s", actor);
	lf__set_state(h, &c, "classifying", actor, 0, "procedure chosen by hand");
	lf__start_procedure(h, &c, actor);
	*case_id = c.id;
	return store_end(h->store, 0);
}

int hems_case_cancel(struct hems *h, int64_t case_id, const char *actor, const char *why)
{
	struct store_case c;
	if (store_case_get(h->store, case_id, &c) != LF_OK)
		return LF_ENOTFOUND;
	if (c.closed)
		return LF_EEXIST;
	char text[384];
	snprintf(text, sizeof(text), "cancelled by %s%s%s", actor, why && why[0] ? ": " : "", why ? why : "");
	store_begin(h->store);
	lf__close(h, &c, "closed", text, actor);
	hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_FAILED, &c, json_pack("{s:s}", "reason", text));
	return store_end(h->store, 0);
}

int hems_case_decide(struct hems *h, int64_t case_id, const char *decision, const char *actor, const char *why,
                     char *err, size_t errlen)
{
	struct store_case c;
	char text[384];
	if (store_case_get(h->store, case_id, &c) != LF_OK) {
		snprintf(err, errlen, "no such case");
		return LF_ENOTFOUND;
	}
	if (c.closed) {
		snprintf(err, errlen, "the case is closed");
		return LF_EEXIST;
	}
	snprintf(text, sizeof(text), "NM decision '%s' by %s%s%s", decision, actor, why && why[0] ? ": " : "",
	         why ? why : "");
	store_begin(h->store);
	if (strcmp(decision, "block") == 0) {
		store_block_set(h->store, c.device_id, 1, text, (int64_t)time(NULL));
		lf__close(h, &c, "blocked", text, actor);
		hems_notify_device(h, HEMS_NOTIFY_DEVICE_BLOCKED, c.device_id, json_pack("{s:s}", "reason", text));
	} else if (strcmp(decision, "release") == 0) {
		lf__close(h, &c, "closed", text, actor);
	} else if (strcmp(decision, "retry") == 0) {
		if (strcmp(c.procedure, "fatal") == 0 || strcmp(c.procedure, "notify-only") == 0)
			snprintf(c.procedure, sizeof(c.procedure), "diagnose-first");
		lf__set_state(h, &c, "classifying", actor, 0, text);
		lf__start_procedure(h, &c, actor);
	} else {
		store_end(h->store, 1);
		snprintf(err, errlen, "decision must be block, release or retry");
		return LF_EINVAL;
	}
	return store_end(h->store, 0);
}

void hems_remediation_on_distress_result(struct hems *h, const struct store_distress_action *a)
{
	struct store_case c;
	if (!a->case_id || store_case_get(h->store, a->case_id, &c) != LF_OK || c.closed)
		return;
	json_t *res = json_loads(a->result ? a->result : "{}", 0, NULL);
	const char *status = json_string_value(json_object_get(res, "status"));
	store_begin(h->store);
	lf__event(h, &c, c.state, "device", 0, "distress channel: %s %s%s%s", a->kind,
		  a->status == STORE_DISTRESS_DONE ? "succeeded" : a->status == STORE_DISTRESS_ACCEPTED ? "accepted" : "failed",
		  status ? " - " : "", status ? status : "");
	if (strcmp(c.state, "extended") == 0 && a->status == STORE_DISTRESS_DONE) {
		const char *dstate = json_string_value(json_object_get(res, "diagnosticState"));
		const char *dres = json_string_value(json_object_get(res, "diagnosticResults"));
		if (strcmp(a->kind, "diagnostic") == 0 && dstate) {
			/* The diagnostic ran over the distress path: judge it like one run over TR-069. */
			char bad[512];
			int fails = lf__diag_verdict(dstate, dres ? dres : "", bad, sizeof(bad));
			char outcome[640];
			if (fails == 0)
				snprintf(outcome, sizeof(outcome), "diagnostic over the distress channel passed every check");
			else
				snprintf(outcome, sizeof(outcome), "diagnostic over the distress channel failed %s", bad);
			if (fails == 0) {
				lf__close(h, &c, "resolved", outcome, NULL);
				hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_SUCCEEDED, &c, json_pack("{s:s}", "path", "distress"));
			} else {
				lf__event(h, &c, c.state, NULL, 0, "%s; waiting for NM", outcome);
				c.deadline = 0;
				lf__set_state(h, &c, "awaiting_instructions", NULL, 0, "waiting for NM instructions");
				hems_notify_case(h, HEMS_NOTIFY_AWAITING_INSTRUCTIONS, &c, json_pack("{s:s}", "reason", outcome));
			}
		} else {
			char outcome[128];
			snprintf(outcome, sizeof(outcome), "%s completed over the distress channel", a->kind);
			lf__close(h, &c, "resolved", outcome, NULL);
			hems_notify_case(h, HEMS_NOTIFY_REMEDIATION_SUCCEEDED, &c, json_pack("{s:s}", "path", "distress"));
		}
	}
	store_end(h->store, 0);
	json_decref(res);
}

int hems_remediation_emergency(struct hems *h, const char *device_id, const char *why)
{
	struct store_case c;
	char text[384];
	snprintf(text, sizeof(text), "emergency remediation: %s", why);
	store_begin(h->store);
	if (store_case_open_of(h->store, device_id, &c) == LF_OK) {
		if (strcmp(c.procedure, "emergency-reimage") == 0 && c.phase != PH_START) {
			lf__event(h, &c, c.state, "device", 0, "%s (already in progress)", text);
			return store_end(h->store, 0);
		}
		snprintf(c.procedure, sizeof(c.procedure), "emergency-reimage");
		lf__set_state(h, &c, "classifying", "device", 0, text);
	} else {
		memset(&c, 0, sizeof(c));
		snprintf(c.device_id, sizeof(c.device_id), "%s", device_id);
		snprintf(c.state, sizeof(c.state), "detected");
		snprintf(c.procedure, sizeof(c.procedure), "emergency-reimage");
		c.created = c.updated = (int64_t)time(NULL);
		if (store_case_insert(h->store, &c)) {
			store_end(h->store, 1);
			return LF_ESTORE;
		}
		lf__event(h, &c, "", "device", 0, "%s", text);
		lf__set_state(h, &c, "classifying", "device", 0, "a failsafe HeNB asks for a new software image");
	}
	lf__start_procedure(h, &c, "device");
	return store_end(h->store, 0);
}

void hems_case_note(struct hems *h, const char *device_id, const char *actor, const char *what)
{
	struct store_case c;
	if (store_case_open_of(h->store, device_id, &c) == LF_OK)
		lf__event(h, &c, c.state, actor, 0, "%s", what);
}
