/* agent.c: henbd's single event loop (poll): sessions, retry per TR-069 3.2.1.1, periodic and scheduled
 * informs, active-notification throttle, connection request listeners, HAL polling, downloads, self test,
 * reboot and factory reset. Everything runs on this one thread; callbacks only set flags for the loop. */
#include "henb/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "henb/connreq.h"
#include "henb/diagnostics.h"
#include "henb/distress.h"
#include "henb/dm_schema.h"
#include "henb/dm_value.h"
#include "henb/download.h"
#include "henb/extended.h"
#include "henb/hal/hal.h"
#include "henb/http.h"
#include "henb/retry_wait.h"
#include "henb/session.h"

#define LF_MS "Device.ManagementServer."
#define LF_FAP1 "Device.Services.FAPService.1."
#define LF_LTE LF_FAP1 "FAPControl.LTE."
#define LF_SECURITY "Device.X_{OUI}_Security."
#define LF_MAX_POLL_WAIT_MS 60000
#define LF_STOP_GRACE_MS 2000 /* how long a stop waits for the session in flight */

/* ------------------------------------------------------------------------------------------------ helpers */

static uint32_t lf__dm_u32(const struct henb_agent *a, const char *name)
{
	return (uint32_t)strtoul(henb_dm_get_str(a->dm, name), NULL, 10);
}

static bool lf__dm_bool(const struct henb_agent *a, const char *name)
{
	return strcmp(henb_dm_get_str(a->dm, name), "true") == 0;
}

static void lf__wake(struct henb_agent *a)
{
	if (a->wake_fd[1] >= 0) {
		ssize_t w = write(a->wake_fd[1], "x", 1);
		(void)w;
	}
}

int64_t henb_agent_uptime_s(const struct henb_agent *a)
{
	return (lf_now_ms() - a->start_ms) / 1000;
}

void henb_agent_note(struct henb_agent *a, enum henb_note what)
{
	switch (what) {
	case HENB_NOTE_PERIODIC: a->reschedule_periodic = true; break;
	case HENB_NOTE_LISTENERS: a->listeners_changed = true; break;
	case HENB_NOTE_RF: a->rf_changed = true; break;
	case HENB_NOTE_ACS_URL:
		/* TR-069 3.7.1.5: a new ACS gets 0 BOOTSTRAP (and the session goes there at once). */
		a->pending |= HENB_EV_BOOTSTRAP;
		break;
	case HENB_NOTE_DIAG_REQUESTED: a->diag_requested = true; break;
	case HENB_NOTE_DIAG_CANCELED: a->diag_canceled = true; break;
	}
}

int henb_agent_persist(struct henb_agent *a)
{
	if (a->wiped)
		return LF_OK; /* factory reset under way: the state must stay gone */
	a->st.fm_next_alarm_id = a->fm.next_alarm_id;
	for (int k = 0; k < HENB_FM_RINGS; k++)
		a->st.fm_ring_next[k] = a->fm.ring_next[k];
	/* The integrity monitor records the MAC of every state henbd writes itself (detect_config.c). */
	struct lf_buf b;
	lf_buf_init(&b, HENB_STATE_MAX);
	int result = henb_state_serialize(&a->st, a->dm, &b);
	if (!result) {
		henb_monitor_state_sealing(&a->mon, b.data, b.len);
		result = lf_file_write_atomic(a->state_path, b.data, b.len);
		henb_monitor_state_sealed(&a->mon, result == LF_OK);
	}
	lf_buf_free(&b);
	if (result) {
		lf_error("state_save_failed", "path=%s reason=\"%s\"", a->state_path, lf_strerror(result));
		return result;
	}
	henb_dm_clear_dirty(a->dm);
	a->st_dirty = false;
	return LF_OK;
}

/* ------------------------------------------------------------------------------------------------ addresses */

static bool lf__wildcard(const char *addr)
{
	return !addr[0] || strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0;
}

/* The host to advertise for a listener bound to addr (IPv6 literals in brackets). */
static void lf__advertised_host(const struct henb_agent *a, const char *addr, char *out, size_t outlen)
{
	char host[256];
	if (a->cfg.cr_host[0])
		snprintf(host, sizeof(host), "%s", a->cfg.cr_host);
	else if (!lf__wildcard(addr))
		snprintf(host, sizeof(host), "%s", addr);
	else if (a->local_ip[0])
		snprintf(host, sizeof(host), "%s", a->local_ip);
	else
		henb__first_ip(host, sizeof(host));
	snprintf(out, outlen, strchr(host, ':') ? "[%s]" : "%s", host);
}

/* ConnectionRequestURL and UDPConnectionRequestAddress from what the listeners really bound. */
static void lf__update_cr_address(struct henb_agent *a, enum henb_dm_origin origin)
{
	char host[300], url[512] = "", udp[512] = "";
	if (a->host && a->host->cr_url) {
		if (lf__dm_bool(a, LF_MS "HTTPConnectionRequestEnable"))
			snprintf(url, sizeof(url), "%s", a->host->cr_url);
	} else if (a->crhttp) {
		lf__advertised_host(a, a->cfg.cr_address, host, sizeof(host));
		snprintf(url, sizeof(url), "http://%s:%u%s", host, henb_crhttp_port(a->crhttp), a->cfg.cr_path);
	}
	if (a->crudp) {
		lf__advertised_host(a, a->cfg.udp_address, host, sizeof(host));
		snprintf(udp, sizeof(udp), "%s:%u", host, henb_crudp_port(a->crudp));
	}
	if (henb_dm_set_str(a->dm, LF_MS "ConnectionRequestURL", url, origin) ||
	    henb_dm_set_str(a->dm, LF_MS "UDPConnectionRequestAddress", udp, origin))
		lf_error("cr_address_too_long", "url_bytes=%zu udp_bytes=%zu limit=256", strlen(url), strlen(udp));
}

/* ------------------------------------------------------------------------------------------------ listeners */

static void lf__set_security_counter(struct henb_agent *a, const char *leaf, uint64_t v)
{
	char n[24];
	int obj = henb_dm_object_index(a->dm, LF_SECURITY);
	struct henb_dm_ref ref = henb_dm_row_ref(a->dm, obj, 0, leaf);
	snprintf(n, sizeof(n), "%llu", (unsigned long long)(v > UINT32_MAX ? UINT32_MAX : v));
	henb_dm_set(a->dm, &ref, n, HENB_DM_ORIGIN_CPE);
}

static void lf__cr_credentials(void *ctx, char *user, size_t userlen, char *pass, size_t passlen)
{
	struct henb_agent *a = ctx;
	snprintf(user, userlen, "%s", henb_dm_get_str(a->dm, LF_MS "ConnectionRequestUsername"));
	snprintf(pass, passlen, "%s", henb_dm_get_str(a->dm, LF_MS "ConnectionRequestPassword"));
}

static bool lf__cr_admit(void *ctx)
{
	struct henb_agent *a = ctx;
	return henb_ratelimit_admit(&a->cr_rate, lf_now_ms());
}

static void lf__cr_accepted(void *ctx, const char *via)
{
	struct henb_agent *a = ctx;
	a->pending |= HENB_EV_CONNREQ;
	/* The ACS wants us now: a retry wait is cut short. */
	if (a->next_attempt_ms > lf_now_ms())
		a->next_attempt_ms = lf_now_ms();
	if (strcmp(via, "udp") == 0 && a->crudp) {
		const struct cwmp_udp_cr_replay *r = henb_crudp_replay(a->crudp);
		a->st.udp_last_ts = r->last_ts;
		a->st.udp_last_id = r->last_id;
		a->st.udp_have = r->have;
		a->st_dirty = true;
	}
	lf_info("cr_accepted", "via=%s in_session=%s", via, a->session ? "yes" : "no");
}

static void lf__cr_auth_failed(void *ctx, const char *via)
{
	struct henb_agent *a = ctx;
	a->cr_auth_failures++;
	lf__set_security_counter(a, "ConnReqAuthFailures", a->cr_auth_failures);
	henb_monitor_auth_failed(&a->mon, via, lf_now_ms());
}

static void lf__cr_rate_limited(void *ctx, const char *via)
{
	struct henb_agent *a = ctx;
	a->cr_rate_limited++;
	lf__set_security_counter(a, "ConnReqRateLimited", a->cr_rate_limited);
	lf_info("cr_rate_limited", "via=%s limit_per_min=%lld", via, a->cfg.cr_rate_limit);
}

void henb_agent_cr_ops(struct henb_agent *a, struct henb_cr_ops *ops)
{
	*ops = (struct henb_cr_ops){
		.ctx = a,
		.credentials = lf__cr_credentials,
		.admit = lf__cr_admit,
		.accepted = lf__cr_accepted,
		.auth_failed = lf__cr_auth_failed,
		.rate_limited = lf__cr_rate_limited,
	};
}

static void lf__open_listeners(struct henb_agent *a, enum henb_dm_origin origin)
{
	char err[256];
	struct henb_cr_ops ops;
	henb_agent_cr_ops(a, &ops);
	/* A host's shared listener serves this device (the host refuses requests while HTTP is disabled). */
	bool http_on = lf__dm_bool(a, LF_MS "HTTPConnectionRequestEnable") && !(a->host && a->host->cr_url);
	if (http_on && !a->crhttp) {
		if (henb_crhttp_open(&a->crhttp, a->cfg.cr_address, (uint16_t)a->cfg.cr_port, a->cfg.cr_path, &ops, err,
				     sizeof(err)))
			lf_error("cr_http_failed", "reason=\"%s\"", err);
		else
			lf_info("cr_http_listening", "address=%s port=%u path=%s", a->cfg.cr_address,
				henb_crhttp_port(a->crhttp), a->cfg.cr_path);
	} else if (!http_on && a->crhttp) {
		henb_crhttp_close(&a->crhttp);
		lf_info("cr_http_closed", "reason=HTTPConnectionRequestEnable");
	}
	if (a->cfg.udp_enable && !a->crudp) {
		struct cwmp_udp_cr_replay r = {.last_ts = a->st.udp_last_ts, .last_id = a->st.udp_last_id,
					       .have = a->st.udp_have};
		if (henb_crudp_open(&a->crudp, a->cfg.udp_address, (uint16_t)a->cfg.udp_port, &ops, &r,
				    (uint64_t)a->cfg.udp_ts_window, err, sizeof(err)))
			lf_error("cr_udp_failed", "reason=\"%s\"", err);
		else
			lf_info("cr_udp_listening", "address=%s port=%u", a->cfg.udp_address, henb_crudp_port(a->crudp));
	}
	lf__update_cr_address(a, origin);
}

/* ------------------------------------------------------------------------------------------------ timers */

static void lf__schedule_periodic(struct henb_agent *a, int64_t now)
{
	if (!lf__dm_bool(a, LF_MS "PeriodicInformEnable")) {
		a->next_periodic_ms = -1;
		return;
	}
	int64_t interval = lf__dm_u32(a, LF_MS "PeriodicInformInterval");
	if (interval < 1)
		interval = 1;
	const char *phase = henb_dm_get_str(a->dm, LF_MS "PeriodicInformTime");
	int64_t wait_s = interval;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (strcmp(phase, HENB_DM_UNKNOWN_TIME) != 0 &&
	    sscanf(phase, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		/* TR-181 PeriodicInformTime: Informs at phase + k * interval (wall clock). */
		int64_t t0 = (int64_t)timegm(&tm);
		int64_t d = ((int64_t)time(NULL) - t0) % interval;
		if (d < 0)
			d += interval;
		wait_s = interval - d;
	}
	a->next_periodic_ms = now + wait_s * a->cfg.second_ms;
}

int henb_agent_schedule_inform(struct henb_agent *a, uint32_t delay_s, const char *command_key)
{
	for (size_t i = 0; i < HENB_MAX_SCHEDULED; i++) {
		struct henb_scheduled *s = &a->sched[i];
		if (s->used)
			continue;
		s->used = true;
		s->fired = false;
		s->due_ms = lf_now_ms() + (int64_t)delay_s * a->cfg.second_ms;
		snprintf(s->command_key, sizeof(s->command_key), "%s", command_key);
		lf_info("inform_scheduled", "delay_s=%u command_key=\"%s\"", delay_s, command_key);
		return LF_OK;
	}
	return LF_ETOOBIG;
}

int henb_agent_transfer_done(struct henb_agent *a, const struct henb_transfer *tc)
{
	if (a->st.n_tc == HENB_MAX_TRANSFERS) {
		/* Bounded: the oldest unacknowledged one gives way. */
		lf_warn("transfer_complete_dropped", "command_key=\"%s\"", a->st.tc[0].command_key);
		memmove(&a->st.tc[0], &a->st.tc[1], (HENB_MAX_TRANSFERS - 1) * sizeof(a->st.tc[0]));
		a->st.n_tc--;
	}
	a->st.tc[a->st.n_tc++] = *tc;
	return henb_agent_persist(a);
}

void henb_agent_transfer_acked(struct henb_agent *a)
{
	if (!a->st.n_tc)
		return;
	lf_info("transfer_complete_acked", "command_key=\"%s\"", a->st.tc[0].command_key);
	memmove(&a->st.tc[0], &a->st.tc[1], (a->st.n_tc - 1) * sizeof(a->st.tc[0]));
	a->st.n_tc--;
	henb_agent_persist(a);
}

/* The HAL: S1 link in, RF transmitter out; FAPControl.LTE status values follow. */
static void lf__hal_poll(struct henb_agent *a, enum henb_dm_origin origin)
{
	if (!a->hal)
		return;
	bool s1 = henb_hal_s1_link(a->hal);
	bool admin = lf__dm_bool(a, LF_LTE "AdminState");
	/* No S1, no core network: the cell does not transmit; nor does the failsafe image (5.7.3.2). */
	bool tx = admin && s1 && !a->breach.done && !a->emergency.failsafe;
	if (tx != a->rf_on || !a->rf_known) {
		if (henb_hal_set_rf_tx(a->hal, tx) == LF_OK) {
			a->rf_on = tx;
			a->rf_known = true;
			lf_info("rf_tx", "state=%s s1_link=%s admin=%s", tx ? "on" : "off", s1 ? "up" : "down",
				admin ? "true" : "false");
		}
	}
	henb_dm_set_str(a->dm, LF_LTE "OpState", s1 && admin ? "true" : "false", origin);
	henb_dm_set_str(a->dm, LF_LTE "RFTxStatus", a->rf_on ? "true" : "false", origin);
}

/* ------------------------------------------------------------------------------------------------ events */

size_t henb_agent_inform_events(struct henb_agent *a, struct cwmp_event *ev, size_t max)
{
	static const struct {
		unsigned bit;
		const char *code;
	} plain[] = {
		{HENB_EV_BOOTSTRAP, "0 BOOTSTRAP"},
		{HENB_EV_BOOT, "1 BOOT"},
		{HENB_EV_PERIODIC, "2 PERIODIC"},
		{HENB_EV_SCHEDULED, "3 SCHEDULED"},
	};
	struct henb_delivery *d = &a->delivery;
	size_t n = 0;
	memset(d, 0, sizeof(*d));
	d->alarm_seq = a->mon.alarm_seq; /* the alarm events pending now ride this Inform */
	d->n_changed = henb_dm_take_pending(a->dm, d->changed, HENB_MAX_CHANGED);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) && n < max; i++)
		if (a->pending & plain[i].bit) {
			ev[n++] = (struct cwmp_event){plain[i].code, ""};
			d->events |= plain[i].bit;
		}
	if ((a->pending & HENB_EV_EMERGENCY) && n < max) {
		ev[n++] = (struct cwmp_event){a->emergency.event, ""};
		d->events |= HENB_EV_EMERGENCY;
	}
	if (d->n_changed && n < max)
		ev[n++] = (struct cwmp_event){"4 VALUE CHANGE", ""};
	if ((a->pending & HENB_EV_CONNREQ) && n < max) {
		ev[n++] = (struct cwmp_event){"6 CONNECTION REQUEST", ""};
		d->events |= HENB_EV_CONNREQ;
	}
	if (a->st.n_tc && n < max)
		ev[n++] = (struct cwmp_event){"7 TRANSFER COMPLETE", ""};
	if ((a->pending & HENB_EV_DIAG) && n < max) {
		ev[n++] = (struct cwmp_event){"8 DIAGNOSTICS COMPLETE", ""};
		d->events |= HENB_EV_DIAG;
	}
	if (a->st.reboot_pending && n < max) {
		ev[n++] = (struct cwmp_event){"M Reboot", a->st.reboot_key};
		d->reboot = true;
	}
	for (size_t i = 0; i < HENB_MAX_SCHEDULED && n < max; i++)
		if (a->sched[i].used && a->sched[i].fired) {
			ev[n++] = (struct cwmp_event){"M ScheduleInform", a->sched[i].command_key};
			d->scheduled |= 1u << i;
		}
	for (size_t i = 0; i < a->st.n_tc && n < max; i++)
		ev[n++] = (struct cwmp_event){"M Download", a->st.tc[i].command_key};
	return n;
}

void henb_agent_informed(struct henb_agent *a)
{
	struct henb_delivery *d = &a->delivery;
	a->pending &= ~d->events;
	for (size_t i = 0; i < HENB_MAX_SCHEDULED; i++)
		if (d->scheduled & (1u << i))
			a->sched[i].used = false;
	if (d->reboot) {
		a->st.reboot_pending = false;
		a->st.reboot_key[0] = '\0';
	}
	if (d->events & HENB_EV_BOOTSTRAP) {
		a->st.bootstrapped = true;
		snprintf(a->st.acs_url, sizeof(a->st.acs_url), "%s", henb_dm_get_str(a->dm, LF_MS "URL"));
	}
	if (strcmp(henb_dm_get_str(a->dm, "Device.DeviceInfo.FirstUseDate"), HENB_DM_UNKNOWN_TIME) == 0) {
		char now[32];
		lf_time_iso8601(time(NULL), now, sizeof(now));
		henb_dm_set_str(a->dm, "Device.DeviceInfo.FirstUseDate", now, HENB_DM_ORIGIN_CPE);
	}
	d->n_changed = 0; /* delivered: nothing to restore */
	henb_monitor_delivered(&a->mon, d->alarm_seq);
	henb_agent_persist(a);
	if (a->host && a->host->informed)
		a->host->informed(a->host->ctx, a);
}

void henb_agent_rpc_received(struct henb_agent *a, enum cwmp_method method)
{
	if (a->host && a->host->rpc_received)
		a->host->rpc_received(a->host->ctx, a, method);
}

void henb_agent_session_done(struct henb_agent *a, int result, bool informed, const char *why)
{
	int64_t now = lf_now_ms();
	henb_distress_session_done(a, informed); /* before the failure is counted */
	if (!informed)
		henb_dm_restore_pending(a->dm, a->delivery.changed, a->delivery.n_changed);
	a->delivery.n_changed = 0;
	a->last_session_end_ms = now;
	if (a->host && a->host->session_done)
		a->host->session_done(a->host->ctx, a, result, why ? why : "", informed, now - a->session_start_ms);
	if (!result) {
		lf_info("session_ok", "informed=yes");
		a->retry_count = 0;
		a->next_attempt_ms = now;
		henb_download_session_ok(a); /* the first good session confirms a new firmware slot */
		return;
	}
	/* TR-069 3.2.1.1: retry n waits a random time in [m*(k/1000)^(n-1), m*(k/1000)^n] s. */
	a->retry_count++;
	/* A security alarm that cannot reach the HeMS while the core network can be reached: extended
	 * remediation (5.7.3.1). */
	if (!informed && henb_monitor_delivery_failed(&a->mon, a->hal && henb_hal_s1_link(a->hal),
						      (unsigned)a->cfg.monitor_delivery_tries))
		extended_remediation_start(a, "security alarm undeliverable: the HeMS cannot be reached and the S1 "
					      "link is up");
	unsigned m = lf__dm_u32(a, LF_MS "CWMPRetryMinimumWaitInterval");
	unsigned k = lf__dm_u32(a, LF_MS "CWMPRetryIntervalMultiplier");
	uint64_t wait = henb_retry_wait_ms(a->retry_count, m ? m : 5, k >= 1000 ? k : 2000, (unsigned)a->cfg.second_ms);
	a->next_attempt_ms = now + (int64_t)wait;
	lf_warn("session_failed", "retry_count=%u wait_ms=%llu informed=%s reason=\"%s\"", a->retry_count,
		(unsigned long long)wait, informed ? "yes" : "no", why);
}

/* ------------------------------------------------------------------------------------------------ sessions */

static bool lf__have_events(const struct henb_agent *a)
{
	if (a->pending || a->st.reboot_pending || a->st.n_tc)
		return true;
	for (size_t i = 0; i < HENB_MAX_SCHEDULED; i++)
		if (a->sched[i].used && a->sched[i].fired)
			return true;
	return false;
}

int64_t henb_agent_session_due(struct henb_agent *a)
{
	bool active = false;
	if (a->breach.active) {
		/* 5.7.2.3: the fatal alarm goes out at once (retry waits still apply); once it is reported no
		 * session starts any more. */
		if (a->breach.reported)
			return -1;
		if (henb_monitor_undelivered(&a->mon))
			return a->next_attempt_ms;
	}
	bool events = lf__have_events(a);
	if (!events) {
		henb_dm_pending(a->dm, &active);
		if (!active)
			return -1;
	}
	int64_t due = a->next_attempt_ms;
	if (!events && a->retry_count == 0 && a->last_session_end_ms >= 0) {
		int64_t throttle = (int64_t)lf__dm_u32(a, LF_MS "DefaultActiveNotificationThrottle") * a->cfg.second_ms;
		if (a->last_session_end_ms + throttle > due)
			due = a->last_session_end_ms + throttle;
	}
	return due;
}

static void lf__start_session(struct henb_agent *a)
{
	char err[256];
	a->session_start_ms = lf_now_ms();
	int result = henb_session_start(&a->session, a, err, sizeof(err));
	if (result) {
		a->session = NULL;
		henb_agent_session_done(a, result, false, err);
	}
}

static void lf__end_session(struct henb_agent *a)
{
	bool informed;
	const char *why, *ip;
	int result = henb_session_result(a->session, &informed, &why, &ip);
	if (ip[0] && strcmp(ip, a->local_ip) != 0) {
		/* Our address towards the HeMS changed: a listener on a wildcard advertises it. */
		snprintf(a->local_ip, sizeof(a->local_ip), "%s", ip);
		lf__update_cr_address(a, HENB_DM_ORIGIN_CPE);
	}
	henb_agent_session_done(a, result, informed, why);
	henb_session_free(&a->session);
}

/* ------------------------------------------------------------------------------------------------ housekeeping */

static void lf__factory_reset(struct henb_agent *a)
{
	/* Back to factory: the state file goes (config values become the values again), then a reboot, after
	 * which the agent bootstraps (0 BOOTSTRAP) with ParameterKey "". */
	henb_monitor_state_wiping(&a->mon);
	if (henb_state_wipe(a->state_path))
		lf_error("factory_reset_wipe_failed", "path=%s", a->state_path);
	if (a->hal)
		henb_hal_factory_reset(a->hal);
	a->wiped = true;
	a->exit_action = HENB_EXIT_REBOOT;
	lf_info("factory_reset", "path=%s", a->state_path);
}

static void lf__housekeeping(struct henb_agent *a, int64_t now)
{
	if (a->reschedule_periodic) {
		a->reschedule_periodic = false;
		lf__schedule_periodic(a, now);
	}
	if (a->next_periodic_ms >= 0 && now >= a->next_periodic_ms) {
		a->pending |= HENB_EV_PERIODIC;
		lf__schedule_periodic(a, now);
	}
	for (size_t i = 0; i < HENB_MAX_SCHEDULED; i++)
		if (a->sched[i].used && !a->sched[i].fired && now >= a->sched[i].due_ms) {
			a->sched[i].fired = true;
			a->pending |= HENB_EV_SCHEDULED;
		}
	if (a->rf_changed || now >= a->next_hal_ms) {
		a->rf_changed = false;
		lf__hal_poll(a, HENB_DM_ORIGIN_CPE);
		a->next_hal_ms = now + a->cfg.hal_poll_ms;
	}
	henb_monitor_run(&a->mon, now);
	henb_emergency_tick(a, now);
	if (a->exit_action)
		return;
	henb_distress_tick(a, now); /* extended remediation runs whether a standard session is open or not */
	if (a->exit_action)
		return;
	if (a->breach.active) {
		/* 5.7.2.3: a breached device only reports, closes the session and shuts down. */
		henb_breach_step(a, now);
		return;
	}
	if (a->session)
		return;
	/* What waits for the end of the session. */
	if (a->factory_reset_requested) {
		lf__factory_reset(a);
		return;
	}
	if (a->reboot_requested) {
		henb_agent_persist(a); /* M Reboot is in it */
		a->exit_action = HENB_EXIT_REBOOT;
		return;
	}
	if (a->listeners_changed) {
		a->listeners_changed = false;
		lf__open_listeners(a, HENB_DM_ORIGIN_CPE);
	}
	if (a->diag_canceled) {
		a->diag_canceled = false;
		a->diag_requested = false;
		henb_dm_set_str(a->dm, "Device.SelfTestDiagnostics.DiagnosticsState", "None", HENB_DM_ORIGIN_CPE);
	}
	if (a->diag_requested) {
		a->diag_requested = false;
		henb_diag_run(a);
		a->pending |= HENB_EV_DIAG; /* TR-181: 8 DIAGNOSTICS COMPLETE in a new session */
	}
	henb_download_tick(a, now);
}

/* The earliest time the loop must wake without I/O. */
static int64_t lf__next_deadline(struct henb_agent *a, int64_t now)
{
	int64_t t = now + LF_MAX_POLL_WAIT_MS;
#define LF_MIN(x) do { int64_t v_ = (x); if (v_ >= 0 && v_ < t) t = v_; } while (0)
	LF_MIN(a->next_periodic_ms);
	LF_MIN(a->next_hal_ms);
	LF_MIN(henb_monitor_deadline(&a->mon));
	LF_MIN(henb_breach_deadline(a));
	LF_MIN(henb_emergency_deadline(a));
	LF_MIN(henb_distress_deadline(a));
	for (size_t i = 0; i < HENB_MAX_SCHEDULED; i++)
		if (a->sched[i].used && !a->sched[i].fired)
			LF_MIN(a->sched[i].due_ms);
	LF_MIN(henb_download_deadline(a));
	if (!a->session)
		LF_MIN(henb_agent_session_due(a));
	else
		LF_MIN(henb_session_deadline(a->session));
	if (a->crhttp) {
		int64_t c = henb_crhttp_timeout_ms(a->crhttp);
		if (c >= 0)
			LF_MIN(now + c);
	}
#undef LF_MIN
	return t;
}

bool henb_agent_step(struct henb_agent *a, int64_t now)
{
	lf__housekeeping(a, now);
	if (a->exit_action)
		return false;
	if (!a->session && !a->stop) {
		int64_t due = henb_agent_session_due(a);
		if (due >= 0 && now >= due && (!a->host || !a->host->may_start || a->host->may_start(a->host->ctx, a))) {
			lf__start_session(a);
			/* What the new session changed (or its failure) gets a pass before the wait. */
			lf__housekeeping(a, now);
			if (a->exit_action)
				return false;
		}
	}
	return true;
}

size_t henb_agent_pollfds(struct henb_agent *a, struct pollfd *p, size_t max, int64_t now, int64_t *deadline)
{
	struct henb_agent_fdmap *m = &a->fdmap;
	size_t n = 0;
	m->i_http = m->i_udp = SIZE_MAX;
	if (a->wake_fd[0] >= 0 && n < max)
		p[n++] = (struct pollfd){.fd = a->wake_fd[0], .events = POLLIN};
	if (a->crhttp && n < max) {
		m->i_http = n;
		p[n++] = (struct pollfd){.fd = henb_crhttp_fd(a->crhttp), .events = POLLIN};
	}
	if (a->crudp && n < max) {
		m->i_udp = n;
		p[n++] = (struct pollfd){.fd = henb_crudp_fd(a->crudp), .events = POLLIN};
	}
	m->i_dl = n;
	m->n_dl = henb_download_pollfds(a, p + n, max - n < HENB_DOWNLOAD_MAX_FDS ? max - n : HENB_DOWNLOAD_MAX_FDS);
	n += m->n_dl;
	m->i_dx = n;
	m->n_dx = henb_distress_pollfds(a, p + n, max - n < HENB_DISTRESS_MAX_FDS ? max - n : HENB_DISTRESS_MAX_FDS);
	n += m->n_dx;
	m->i_sess = n;
	if (a->session)
		n += henb_session_pollfds(a->session, p + n, max - n);
	m->n = n;
	*deadline = lf__next_deadline(a, now);
	return n;
}

void henb_agent_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now)
{
	const struct henb_agent_fdmap *m = &a->fdmap;
	if (n > m->n)
		n = m->n;
	if (a->wake_fd[0] >= 0 && n > 0 && p[0].fd == a->wake_fd[0] && (p[0].revents & POLLIN)) {
		char drain[64];
		while (read(a->wake_fd[0], drain, sizeof(drain)) > 0)
			;
	}
	if (a->crhttp && m->i_http < n)
		henb_crhttp_run(a->crhttp); /* also on timeout: MHD expires idle connections */
	if (a->crudp && m->i_udp < n && (p[m->i_udp].revents & POLLIN))
		henb_crudp_read(a->crudp);
	henb_download_process(a, p + m->i_dl, m->n_dl, now);
	henb_distress_process(a, p + m->i_dx, m->n_dx, now);
	if (a->session && henb_session_process(a->session, p + m->i_sess, n - m->i_sess, now))
		lf__end_session(a);
	if (henb_dm_dirty(a->dm) || a->st_dirty)
		henb_agent_persist(a);
}

int henb_agent_run(struct henb_agent *a)
{
	struct pollfd pfd[HENB_AGENT_MAX_FDS];
	int64_t stop_deadline = -1;
	for (;;) {
		int64_t now = lf_now_ms();
		if (a->stop) {
			/* A session in flight may finish (briefly): cut off, the HeMS would keep it open and refuse
			 * our next Inform as a concurrent session until it times out. */
			if (stop_deadline < 0)
				stop_deadline = now + LF_STOP_GRACE_MS;
			if (!a->session || now >= stop_deadline)
				break;
		}
		if (!henb_agent_step(a, now))
			break;
		int64_t deadline;
		size_t n = henb_agent_pollfds(a, pfd, HENB_AGENT_MAX_FDS, now, &deadline);
		if (stop_deadline >= 0 && stop_deadline < deadline)
			deadline = stop_deadline;
		int64_t timeout = deadline - now;
		if (timeout < 0)
			timeout = 0;
		int rc = poll(pfd, (nfds_t)n, (int)timeout);
		if (rc < 0 && errno != EINTR) {
			lf_error("poll_failed", "reason=\"%s\"", strerror(errno));
			return LF_EIO;
		}
		if (rc < 0)
			for (size_t i = 0; i < n; i++)
				pfd[i].revents = 0;
		henb_agent_process(a, pfd, n, lf_now_ms());
	}
	lf_info("agent_stop", "pending=%u exit=%s", a->pending,
		a->exit_action == HENB_EXIT_REBOOT ? "reboot" : a->exit_action == HENB_EXIT_SHUTDOWN ? "shutdown" : "stop");
	return LF_OK;
}

/* ------------------------------------------------------------------------------------------------ life */

/* Rows that exist from the factory: the one FAPService and, on a factory start, its PLMN. */
static int lf__factory_rows(struct henb_agent *a, bool factory)
{
	struct henb_dm_ref t;
	if (henb_dm_resolve(a->dm, "Device.Services.FAPService.", &t) || !t.table_level)
		return LF_EINVAL;
	if (henb_dm_row_find(a->dm, t.obj, 0, 1) < 0 && henb_dm_add(a->dm, &t, 1, HENB_DM_ORIGIN_INIT) < 0)
		return LF_EINVAL;
	if (factory && a->cfg.fap_plmn[0]) {
		struct henb_dm_ref p;
		if (henb_dm_resolve(a->dm, LF_FAP1 "CellConfig.LTE.EPC.PLMNList.", &p))
			return LF_EINVAL;
		int row = henb_dm_add(a->dm, &p, 0, HENB_DM_ORIGIN_CPE);
		if (row < 0)
			return LF_EINVAL;
		struct henb_dm_ref r = henb_dm_row_ref(a->dm, p.obj, row, "PLMNID");
		if (henb_dm_set(a->dm, &r, a->cfg.fap_plmn, HENB_DM_ORIGIN_CPE))
			return LF_EINVAL;
		r = henb_dm_row_ref(a->dm, p.obj, row, "Enable");
		henb_dm_set(a->dm, &r, "true", HENB_DM_ORIGIN_CPE);
		r = henb_dm_row_ref(a->dm, p.obj, row, "IsPrimary");
		henb_dm_set(a->dm, &r, "true", HENB_DM_ORIGIN_CPE);
	}
	return LF_OK;
}

/* A power cut in the middle of a state write leaves its temporary file: remove those of earlier runs. */
static void lf__remove_stale_temps(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1200];
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "henbd.state.tmp.", 16) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) == 0)
			lf_info("state_temp_removed", "path=%s", p);
	}
	if (d)
		closedir(d);
}

/* ------------------------------------------------------------------------------------------------ monitor */

static void lf__monitor_fatal(void *ctx, enum henb_check check, const char *reason)
{
	henb_breach_start(ctx, check, reason);
}

static void lf__monitor_own_listeners(void *ctx, char *out, size_t outlen)
{
	struct henb_agent *a = ctx;
	snprintf(out, outlen, "tcp:%u udp:%u udp:%u", a->crhttp ? henb_crhttp_port(a->crhttp) : 0,
		 a->crudp ? henb_crudp_port(a->crudp) : 0, henb_distress_trigger_port(a));
}

/* The integrity monitor's settings from the configuration and the launcher's environment. */
static int lf__monitor_open(struct henb_agent *a, char *err, size_t errlen)
{
	const struct henb_config *c = &a->cfg;
	struct henb_monitor_cfg mc;
	const char *slot = getenv("LF_BOOT_SLOT");
	const char *dev = c->fw_dev_dir[0] ? c->fw_dev_dir : getenv("LF_DEV_DIR");
	memset(&mc, 0, sizeof(mc));
	snprintf(mc.state_path, sizeof(mc.state_path), "%s", a->state_path);
	snprintf(mc.image_dir, sizeof(mc.image_dir), "%s", c->monitor_image_dir);
	snprintf(mc.fw_pub_key, sizeof(mc.fw_pub_key), "%s", c->fw_pubkey);
	if (slot && slot[0] && dev && dev[0]) { /* under henb-boot: the running slot */
		snprintf(mc.boot_dev, sizeof(mc.boot_dev), "%s", dev);
		snprintf(mc.boot_slot, sizeof(mc.boot_slot), "%s", slot);
	}
	mc.poll_ms = c->monitor_poll_ms ? c->monitor_poll_ms : c->hal_poll_ms;
	mc.sw_check_ms = c->monitor_sw_check_ms;
	mc.config_check_ms = c->monitor_config_check_ms;
	mc.debounce = (unsigned)c->monitor_debounce;
	mc.clock_nominal_hz = (uint64_t)c->monitor_clock_nominal_hz;
	mc.clock_tolerance_ppm = (unsigned)c->monitor_clock_tolerance_ppm;
	mc.lan_burst = (unsigned)c->monitor_lan_burst;
	mc.event_window_ms = c->monitor_event_window * c->second_ms;
	if (henb_monitor_fatal_parse(c->monitor_fatal, &mc.fatal_mask, err, errlen))
		return LF_EINVAL;
	const struct henb_monitor_ops ops = {
		.ctx = a,
		.fatal = lf__monitor_fatal,
		.own_listeners = lf__monitor_own_listeners,
	};
	return henb_monitor_open(&a->mon, &mc, a->hal, &ops, err, errlen);
}

static int lf__init(struct henb_agent *a, const struct henb_config *cfg, char **argv,
		    const struct henb_agent_host *host, char *err, size_t errlen)
{
	char why[512], dir[600];
	size_t n_modules;
	const struct henb_dm_module *const *modules = henb_dm_schema(&n_modules);
	size_t nc;
	const struct henb_fm_supported *cat = henb_fm_default_catalogue(&nc);

	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
	a->argv = argv;
	a->host = host;
	a->wake_fd[0] = a->wake_fd[1] = -1;
	a->start_ms = lf_now_ms();
	a->last_session_end_ms = -1;
	a->next_periodic_ms = -1;
	if (henb_config_check(&a->cfg, err, errlen))
		return LF_EINVAL;
	int n = snprintf(a->state_path, sizeof(a->state_path), "%s/henbd.state", cfg->state_dir);
	if (n < 0 || (size_t)n >= sizeof(a->state_path)) {
		snprintf(err, errlen, "henb.state_dir is too long");
		return LF_EINVAL;
	}
	if (!host && pipe(a->wake_fd) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return LF_EIO;
	}
	for (int i = 0; i < 2 && !host; i++) {
		fcntl(a->wake_fd[i], F_SETFL, O_NONBLOCK);
		fcntl(a->wake_fd[i], F_SETFD, FD_CLOEXEC);
	}

	lf__remove_stale_temps(cfg->state_dir);
	/* The HAL first: the protected storage says whether the device may run at all, and the integrity
	 * monitor checks the state file before it is read. */
	if (cfg->device_dir[0])
		snprintf(dir, sizeof(dir), "%s", cfg->device_dir);
	else
		snprintf(dir, sizeof(dir), "%s/device", cfg->state_dir);
	if (henb_hal_open(&a->hal, dir, err, errlen))
		return LF_EIO;
	henb_hal_list_remove(a->hal, HENB_HAL_STUCK_UNTIL_BOOT); /* test hook: a reboot cures it */
	if (henb_breach_latched(a->hal, why, sizeof(why))) {
		/* 5.7.2.3: after a fatal breach the device does not come back into service by itself. */
		henb_hal_set_rf_tx(a->hal, false);
		lf_error("fatal_shutdown_latched", "reason=\"%s\" action=stay_down rf_tx=off record=%s/protected/%s", why,
			 dir, HENB_BREACH_RECORD);
		snprintf(err, errlen,
			 "shut down after a fatal security breach (%s): not starting service (an operator clears it by "
			 "removing %s/protected/%s)",
			 why, dir, HENB_BREACH_RECORD);
		a->exit_action = HENB_EXIT_SHUTDOWN;
		return LF_EFORBIDDEN;
	}
	if (lf__monitor_open(a, err, errlen))
		return LF_EINVAL;
	/* 5.7.3.2: the failsafe image runs the emergency procedure (from a state of its own); a main image may have
	 * to go back to it. Before the state is read. */
	if (henb_emergency_boot(a, err, errlen))
		return LF_EFORBIDDEN;

	/* Factory values from the config, then the persisted state over them. */
	a->dm = henb_dm_new(modules, n_modules, &a->cfg, a, err, errlen);
	if (!a->dm)
		return LF_EINVAL;
	int result = henb_state_load(a->state_path, &a->st, a->dm, why, sizeof(why));
	bool factory = result == LF_ENOTFOUND;
	if (result && !factory) {
		/* Never written like this by henbd (atomic writes): keep it for inspection, start from factory. */
		char bad[700];
		snprintf(bad, sizeof(bad), "%s.bad", a->state_path);
		rename(a->state_path, bad);
		lf_error("state_unreadable", "reason=\"%s\" kept=%s action=factory_state", why, bad);
		henb_dm_free(&a->dm);
		memset(&a->st, 0, sizeof(a->st));
		a->dm = henb_dm_new(modules, n_modules, &a->cfg, a, err, errlen);
		if (!a->dm)
			return LF_EINVAL;
		factory = true;
	}
	a->fm.next_alarm_id = a->st.fm_next_alarm_id;
	for (int k = 0; k < HENB_FM_RINGS; k++)
		a->fm.ring_next[k] = a->st.fm_ring_next[k];
	if (henb_fm_init(&a->fm, a->dm, cat, nc) || lf__factory_rows(a, factory)) {
		snprintf(err, errlen, "cannot set up the FaultMgmt and FAPService tables");
		return LF_EINVAL;
	}
	henb_monitor_attach(&a->mon, &a->fm, a->dm);

	if (henb_download_init(a, err, errlen) || henb_distress_init(a, err, errlen))
		return LF_EINVAL;
	henb_ratelimit_init(&a->cr_rate, (unsigned)cfg->cr_rate_limit, 60 * cfg->second_ms);
	lf__open_listeners(a, HENB_DM_ORIGIN_INIT);
	lf__hal_poll(a, HENB_DM_ORIGIN_INIT);
	a->next_hal_ms = a->start_ms + cfg->hal_poll_ms;
	henb_monitor_boot(&a->mon, a->start_ms); /* every detector reads at boot */

	/* TR-069 3.7.1.5: 0 BOOTSTRAP on first contact with an ACS (or a new ACS URL), 1 BOOT on every start;
	 * an M Reboot or TransferComplete left from before the restart rides along. */
	a->pending = HENB_EV_BOOT;
	if (!a->st.bootstrapped || strcmp(a->st.acs_url, henb_dm_get_str(a->dm, LF_MS "URL")) != 0)
		a->pending |= HENB_EV_BOOTSTRAP;
	if (a->st.dl.used)
		a->st.dl.due_ms = a->start_ms + (int64_t)a->st.dl.delay_seconds * cfg->second_ms;
	a->st.boots++;
	if (henb_agent_persist(a)) {
		snprintf(err, errlen, "cannot write state file %s", a->state_path);
		return LF_EIO;
	}
	a->next_attempt_ms = a->start_ms;
	lf__schedule_periodic(a, a->start_ms);
	lf_info("agent_start", "device=%s-%s boots=%lld bootstrap=%s factory=%s acs=%s cr_url=%s udp_cr=%s pid=%ld",
		cfg->oui, cfg->serial_number, a->st.boots, (a->pending & HENB_EV_BOOTSTRAP) ? "yes" : "no",
		factory ? "yes" : "no", henb_dm_get_str(a->dm, LF_MS "URL"),
		henb_dm_get_str(a->dm, LF_MS "ConnectionRequestURL"),
		henb_dm_get_str(a->dm, LF_MS "UDPConnectionRequestAddress"), (long)getpid());
	return LF_OK;
}

int henb_agent_init(struct henb_agent *a, const struct henb_config *cfg, char **argv, char *err, size_t errlen)
{
	return lf__init(a, cfg, argv, NULL, err, errlen);
}

int henb_agent_init_hosted(struct henb_agent *a, const struct henb_config *cfg, const struct henb_agent_host *host,
			   char *err, size_t errlen)
{
	return lf__init(a, cfg, NULL, host, err, errlen);
}

void henb_agent_stop(struct henb_agent *a)
{
	a->stop = 1;
	lf__wake(a);
}

void henb_agent_free(struct henb_agent *a)
{
	if (a->session) {
		/* Stopped mid-session: what it carried is not delivered. */
		bool informed;
		const char *why, *ip;
		henb_session_result(a->session, &informed, &why, &ip);
		if (!informed && a->dm)
			henb_dm_restore_pending(a->dm, a->delivery.changed, a->delivery.n_changed);
		henb_session_free(&a->session);
	}
	henb_crhttp_close(&a->crhttp);
	henb_crudp_close(&a->crudp);
	henb_distress_free(a);
	henb_download_free(a);
	if (a->dm && a->hal)
		henb_agent_persist(a);
	henb_hal_close(&a->hal);
	henb_dm_free(&a->dm);
	for (int i = 0; i < 2; i++)
		if (a->wake_fd[i] >= 0)
			close(a->wake_fd[i]);
	a->wake_fd[0] = a->wake_fd[1] = -1;
}
