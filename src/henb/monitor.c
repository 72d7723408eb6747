/* monitor.c: the integrity monitor: runs the detectors (detect_*.c) at boot and on their timers, debounces what
 * they read, and raises or clears their security alarms (and the sensor-failure alarm) in FaultMgmt. */
#include "henb/monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "henb/detect.h"
#include "henb/dm.h"
#include "henb/hal/hal.h"

#define LF_SECURITY "Device.X_{OUI}_Security."

static const char *const lf__check_names[HENB_CHECK_COUNT] = {
    [HENB_CHECK_SW] = "sw",       [HENB_CHECK_CONFIG] = "config",
    [HENB_CHECK_LAN] = "lan",     [HENB_CHECK_BEHAVIOUR] = "behaviour",
    [HENB_CHECK_CLOCK] = "clock", [HENB_CHECK_ANTENNA] = "antenna",
    [HENB_CHECK_CASE] = "case",   [HENB_CHECK_CIRCUIT] = "circuit",
};

static const struct henb_detector *const lf__detectors[HENB_CHECK_COUNT] = {
    [HENB_CHECK_SW] = &henb__detect_sw,       [HENB_CHECK_CONFIG] = &henb__detect_config,
    [HENB_CHECK_LAN] = &henb__detect_lan,     [HENB_CHECK_BEHAVIOUR] = &henb__detect_behaviour,
    [HENB_CHECK_CLOCK] = &henb__detect_clock, [HENB_CHECK_ANTENNA] = &henb__detect_antenna,
    [HENB_CHECK_CASE] = &henb__detect_case,   [HENB_CHECK_CIRCUIT] = &henb__detect_circuit,
};

/* ManagedObjectInstance of each alarm: the part of the device the detection is about. */
static const char *const lf__object_of[ALARM_KIND_COUNT] = {
    [ALARM_SW_MODIFIED] = "Device.DeviceInfo.",
    [ALARM_CONFIG_CHANGED] = "Device.",
    [ALARM_LAN_ATTACK] = "Device.ManagementServer.",
    [ALARM_SW_BEHAVIOUR] = "Device.",
    [ALARM_CLOCK_MODIFIED] = "Device.Services.FAPService.1.",
    [ALARM_ANTENNA_MODIFIED] = "Device.Services.FAPService.1.",
    [ALARM_CASE_OPENED] = "Device.",
    [ALARM_CIRCUIT_MODIFIED] = "Device.",
    [ALARM_SENSOR_FAILURE] = "Device.",
};

const char *henb_check_name(enum henb_check c)
{
	return (unsigned)c < HENB_CHECK_COUNT ? lf__check_names[c] : "";
}

int henb_check_parse(const char *name)
{
	for (int c = 0; c < HENB_CHECK_COUNT; c++)
		if (strcmp(name, lf__check_names[c]) == 0)
			return c;
	return -1;
}

const char *henb_verdict_name(enum henb_verdict v)
{
	static const char *const names[] = {"ok", "tamper", "unreadable", "off", "none"};
	return (unsigned)v <= HENB_V_NONE ? names[v] : "";
}

const struct henb_detector *henb__detector(enum henb_check c)
{
	return (unsigned)c < HENB_CHECK_COUNT ? lf__detectors[c] : NULL;
}

void henb__reading(struct henb_reading *r, enum henb_verdict v, const char *fmt, ...)
{
	va_list ap;
	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

bool henb__provision(struct henb_monitor *m, const char *record, const char *value, char *ref, size_t reflen)
{
	if (ref[0])
		return true;
	if (!value[0])
		return false;
	/* First boot (or a factory that left it to us): what the device has now is what it must keep. */
	if (henb_hal_protected_write(m->hal, record, value) != LF_OK) {
		lf_error("identity_provision_failed", "record=%s", record);
		return false;
	}
	snprintf(ref, reflen, "%s", value);
	lf_info("identity_provisioned", "record=%s value=\"%s\"", record, value);
	return true;
}

int henb_monitor_fatal_parse(const char *text, unsigned *mask, char *err, size_t errlen)
{
	char buf[256];
	*mask = 0;
	if (strcmp(text, "default") == 0) {
		/* The catalogue's default: the detections after which the HeNB shuts itself down (5.7.2.3). */
		for (int c = 0; c < HENB_CHECK_COUNT; c++)
			if (alarm_def_of(lf__detectors[c]->kind)->fatal_on_henb)
				*mask |= 1u << c;
		return LF_OK;
	}
	if (!text[0] || strcmp(text, "none") == 0)
		return LF_OK;
	snprintf(buf, sizeof(buf), "%s", text);
	for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int c = henb_check_parse(tok);
		if (c < 0) {
			snprintf(
			    err, errlen,
			    "monitor.fatal: '%s' is not a check (sw, config, lan, behaviour, clock, antenna, case, "
			    "circuit), \"default\" or \"none\"",
			    tok);
			return LF_EINVAL;
		}
		*mask |= 1u << c;
	}
	return LF_OK;
}

/* ------------------------------------------------------------------------------------------------ debounce */

void henb_debounce_init(struct henb_debounce *d, unsigned n)
{
	d->stable = HENB_V_NONE;
	d->candidate = HENB_V_NONE;
	d->count = 0;
	d->n = (uint8_t)(n < 1 ? 1 : n > HENB_MON_MAX_DEBOUNCE ? HENB_MON_MAX_DEBOUNCE : n);
}

bool henb_debounce_feed(struct henb_debounce *d, enum henb_verdict v)
{
	if (d->candidate == v) {
		if (d->count < UINT8_MAX)
			d->count++;
	} else {
		d->candidate = (uint8_t)v;
		d->count = 1;
	}
	if (d->count >= d->n && d->stable != v) {
		d->stable = (uint8_t)v;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------------------------------------ alarms */

void henb_monitor_alarm(enum alarm_kind kind, struct henb_fm_alarm *al)
{
	const struct alarm_def *d = alarm_def_of(kind);
	memset(al, 0, sizeof(*al));
	if (!d)
		return;
	al->event_type = alarm_event_type_text(d->event_type);
	al->probable_cause = alarm_cause_text(d->cause);
	al->specific_problem = d->specific_problem;
	al->perceived_severity = alarm_severity_text(d->severity);
	al->managed_object_instance = lf__object_of[kind];
}

/* Raise (or update) an alarm; an event written to the Expedited or Queued ring counts for delivery. */
static void lf__raise(struct henb_monitor *m, enum alarm_kind kind, const char *text, const char *info)
{
	struct henb_fm_alarm al;
	char id[65];
	henb_monitor_alarm(kind, &al);
	al.additional_text = text;
	al.additional_information = info;
	uint32_t exp = m->fm->ring_next[HENB_FM_EXPEDITED], que = m->fm->ring_next[HENB_FM_QUEUED];
	int result = henb_fm_raise(m->fm, &al, time(NULL), id, sizeof(id));
	if (result) {
		lf_error("tamper_alarm_failed", "alarm=%s reason=\"%s\"", alarm_def_of(kind)->id, lf_strerror(result));
		return;
	}
	if (exp != m->fm->ring_next[HENB_FM_EXPEDITED] || que != m->fm->ring_next[HENB_FM_QUEUED])
		m->alarm_seq++;
	lf_warn("tamper_detected", "alarm=%s id=%s severity=%s text=\"%s\" info=\"%s\"", alarm_def_of(kind)->id, id,
	        al.perceived_severity, text, info ? info : "");
}

static void lf__clear(struct henb_monitor *m, enum alarm_kind kind, const char *text)
{
	struct henb_fm_alarm al;
	henb_monitor_alarm(kind, &al);
	al.additional_text = text;
	uint32_t exp = m->fm->ring_next[HENB_FM_EXPEDITED], que = m->fm->ring_next[HENB_FM_QUEUED];
	if (henb_fm_clear(m->fm, &al, time(NULL)) != LF_OK)
		return; /* not current: nothing to clear */
	if (exp != m->fm->ring_next[HENB_FM_EXPEDITED] || que != m->fm->ring_next[HENB_FM_QUEUED])
		m->alarm_seq++;
	lf_info("tamper_cleared", "alarm=%s text=\"%s\"", alarm_def_of(kind)->id, text);
}

static bool lf__current(struct henb_monitor *m, enum alarm_kind kind)
{
	struct henb_fm_alarm al;
	henb_monitor_alarm(kind, &al);
	return henb_fm_is_current(m->fm, &al);
}

/* Device.X_<OUI>_Security.IntegrityStatus: Violated while a detector sees tampering or its alarm is current,
 * Unknown while a detector cannot tell, else OK. */
static void lf__integrity_status(struct henb_monitor *m)
{
	const char *status = "OK";
	for (int c = 0; c < HENB_CHECK_COUNT; c++) {
		if (m->det[c].db.stable == HENB_V_TAMPER || lf__current(m, lf__detectors[c]->kind)) {
			status = "Violated";
			break;
		}
		if (m->det[c].db.stable == HENB_V_NONE || m->det[c].db.stable == HENB_V_UNREADABLE)
			status = "Unknown";
	}
	int obj = henb_dm_object_index(m->dm, LF_SECURITY);
	if (obj < 0)
		return;
	struct henb_dm_ref ref = henb_dm_row_ref(m->dm, obj, 0, "IntegrityStatus");
	henb_dm_set(m->dm, &ref, status, HENB_DM_ORIGIN_CPE);
}

/* The sensor-failure alarm: raised while any detector cannot read its input, its text naming them; cleared
 * once every detector reads again. Waits for every detector's first stable verdict. */
static void lf__sensor_failures(struct henb_monitor *m)
{
	char text[256] = "", info[HENB_MON_TEXT] = "";
	size_t pos = 0, ipos = 0;
	for (int c = 0; c < HENB_CHECK_COUNT; c++) {
		const struct henb_det *d = &m->det[c];
		if (d->db.stable == HENB_V_NONE)
			return;
		if (d->db.stable != HENB_V_UNREADABLE)
			continue;
		int n = snprintf(text + pos, sizeof(text) - pos, "%s%s: %s", pos ? "; " : "", lf__check_names[c],
		                 d->shown.detail);
		pos = n < 0 ? pos : (size_t)n >= sizeof(text) - pos ? sizeof(text) - 1 : pos + (size_t)n;
		n = snprintf(info + ipos, sizeof(info) - ipos, "%s%s", ipos ? "," : "detectors=", lf__check_names[c]);
		ipos = n < 0 ? ipos : (size_t)n >= sizeof(info) - ipos ? sizeof(info) - 1 : ipos + (size_t)n;
	}
	if (text[0]) {
		if (strcmp(text, m->sensor_failure) != 0 || !lf__current(m, ALARM_SENSOR_FAILURE)) {
			lf__raise(m, ALARM_SENSOR_FAILURE, text, info);
			snprintf(m->sensor_failure, sizeof(m->sensor_failure), "%s", text);
		}
	} else if (m->sensor_failure[0] || !m->sensors_settled) {
		/* (the first time: an alarm raised before a reboot is over too) */
		lf__clear(m, ALARM_SENSOR_FAILURE, "every tamper sensor reads again");
		m->sensor_failure[0] = '\0';
	}
	m->sensors_settled = true;
}

/* A detector's stable verdict changed: its alarm follows. An unreadable input leaves the alarm as it is (a
 * tamperer does not clear an alarm by pulling the sensor); it raises the sensor-failure alarm instead. */
static void lf__apply(struct henb_monitor *m, enum henb_check c)
{
	struct henb_det *d = &m->det[c];
	const struct henb_detector *dt = lf__detectors[c];
	lf_info("detector_state", "check=%s verdict=%s detail=\"%s\"", lf__check_names[c],
	        henb_verdict_name((enum henb_verdict)d->db.stable), d->shown.detail);
	switch (d->db.stable) {
	case HENB_V_TAMPER:
		if (!lf__current(m, dt->kind))
			lf__raise(m, dt->kind, d->shown.detail, d->shown.info);
		if ((m->cfg.fatal_mask & (1u << c)) && m->ops.fatal)
			m->ops.fatal(m->ops.ctx, c, d->shown.detail);
		break;
	case HENB_V_OK:
		lf__clear(m, dt->kind, d->shown.detail);
		break;
	default:
		break;
	}
}

static void lf__read(struct henb_monitor *m, enum henb_check c, int64_t now)
{
	struct henb_det *d = &m->det[c];
	const struct henb_detector *dt = lf__detectors[c];
	struct henb_reading r;
	memset(&r, 0, sizeof(r));
	dt->read(m, &r, now);
	d->last = r;
	d->next_ms = now + dt->period_ms(m);
	if (henb_debounce_feed(&d->db, r.verdict)) {
		d->shown = r;
		if (m->fm) {
			lf__apply(m, c);
			lf__sensor_failures(m);
			lf__integrity_status(m);
		}
	} else if (r.verdict == d->db.stable) {
		d->shown = r;
	}
}

/* ------------------------------------------------------------------------------------------------ life */

int henb_monitor_open(struct henb_monitor *m, const struct henb_monitor_cfg *cfg, struct henb_hal *hal,
                      const struct henb_monitor_ops *ops, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (ops)
		m->ops = *ops;
	m->hal = hal;
	m->lan_burst_ms = -1;
	m->wd_miss_ms = -1;
	if (m->cfg.poll_ms < 1)
		m->cfg.poll_ms = 1000;
	for (int c = 0; c < HENB_CHECK_COUNT; c++)
		henb_debounce_init(&m->det[c].db, lf__detectors[c]->sensed ? m->cfg.debounce : 1);
	if (m->cfg.fw_pub_key[0]) {
		int result = fw_key_load_public(m->pub, m->cfg.fw_pub_key, err, errlen);
		if (result)
			return LF_EINVAL; /* a key named in the configuration must load */
		m->have_pub = true;
	}
	for (int c = 0; c < HENB_CHECK_COUNT; c++)
		if (lf__detectors[c]->start)
			lf__detectors[c]->start(m);
	return LF_OK;
}

void henb_monitor_attach(struct henb_monitor *m, struct henb_fm *fm, struct henb_dm *dm)
{
	m->fm = fm;
	m->dm = dm;
}

void henb_monitor_boot(struct henb_monitor *m, int64_t now)
{
	for (int c = 0; c < HENB_CHECK_COUNT; c++)
		lf__read(m, (enum henb_check)c, now);
	if (m->fm) {
		lf__sensor_failures(m);
		lf__integrity_status(m);
	}
	m->booted = true;
	lf_info("monitor_start", "sw=%s config=%s lan=%s behaviour=%s clock=%s antenna=%s case=%s circuit=%s",
	        henb_verdict_name(m->det[0].last.verdict), henb_verdict_name(m->det[1].last.verdict),
	        henb_verdict_name(m->det[2].last.verdict), henb_verdict_name(m->det[3].last.verdict),
	        henb_verdict_name(m->det[4].last.verdict), henb_verdict_name(m->det[5].last.verdict),
	        henb_verdict_name(m->det[6].last.verdict), henb_verdict_name(m->det[7].last.verdict));
}

void henb_monitor_run(struct henb_monitor *m, int64_t now)
{
	if (!m->booted)
		return;
	for (int c = 0; c < HENB_CHECK_COUNT; c++)
		if (now >= m->det[c].next_ms)
			lf__read(m, (enum henb_check)c, now);
}

int64_t henb_monitor_deadline(const struct henb_monitor *m)
{
	int64_t t = -1;
	if (!m->booted)
		return -1;
	for (int c = 0; c < HENB_CHECK_COUNT; c++)
		if (t < 0 || m->det[c].next_ms < t)
			t = m->det[c].next_ms;
	return t;
}

void henb_monitor_sensor_event(struct henb_monitor *m, enum henb_check check, int64_t now)
{
	if ((unsigned)check < HENB_CHECK_COUNT)
		m->det[check].next_ms = now;
}

void henb_monitor_auth_failed(struct henb_monitor *m, const char *via, int64_t now)
{
	snprintf(m->lan_via, sizeof(m->lan_via), "%s", via);
	henb__lan_record(m, now);
	/* An event: the burst detector decides now, not at its next period. */
	if (m->booted)
		lf__read(m, HENB_CHECK_LAN, now);
}

void henb_monitor_config_managed(struct henb_monitor *m)
{
	if (!m->config_latched)
		return;
	m->config_latched = false;
	m->det[HENB_CHECK_CONFIG].next_ms = 0;
	lf_info("config_restored_by_management", "was=\"%s\"", m->config_why);
}

bool henb_monitor_undelivered(const struct henb_monitor *m)
{
	return m->alarm_seq > m->alarm_delivered;
}

void henb_monitor_delivered(struct henb_monitor *m, uint64_t seq)
{
	if (seq > m->alarm_delivered)
		m->alarm_delivered = seq;
	m->delivery_failures = 0;
	if (!henb_monitor_undelivered(m))
		m->extended_called = false;
}

bool henb_monitor_delivery_failed(struct henb_monitor *m, bool s1_up, unsigned tries)
{
	if (!henb_monitor_undelivered(m) || !s1_up)
		return false;
	m->delivery_failures++;
	lf_warn("alarm_delivery_failed", "tries=%u limit=%u undelivered=%llu", m->delivery_failures, tries,
	        (unsigned long long)(m->alarm_seq - m->alarm_delivered));
	if (m->delivery_failures < tries || m->extended_called)
		return false;
	m->extended_called = true;
	return true;
}

void henb_monitor_selftest(struct henb_monitor *m, int64_t now, struct henb_reading out[HENB_CHECK_COUNT],
                           bool *sensors_ok)
{
	*sensors_ok = true;
	for (int c = 0; c < HENB_CHECK_COUNT; c++) {
		memset(&out[c], 0, sizeof(out[c]));
		lf__detectors[c]->read(m, &out[c], now);
		if (out[c].verdict == HENB_V_UNREADABLE)
			*sensors_ok = false;
	}
}
