/* distress.c: henbd's distress client (5.7.3.1, HeNB side; docs/protocol/distress-channel.md): the provisioned keys
 * in protected storage, the trigger listener with its persisted replay window, when to open a distress session,
 * the session driven one exchange at a time on the distress thread, and the end of the road when the distress
 * path fails too: emergency remediation if available, else an immediate shutdown. */
#include "henb/distress.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/random.h"
#include "common/timeutil.h"
#include "distress/trigger.h"
#include "henb/agent.h"
#include "henb/connreq.h"
#include "henb/distress_int.h"
#include "henb/emergency.h"
#include "henb/hal/hal.h"

#define LF_MAX_PER_READ 16
#define LF_MAX_REOPENS 2 /* new INFORMs in one session after a 4.01 (session forgotten by the HeMS) */

static const char *const lf__state_names[] = {"Idle", "StandardRetry", "Active", "Failed"};

/* ------------------------------------------------------------------------------------------------ helpers */

void henb__dx_param(struct henb_agent *a, const char *leaf, const char *value)
{
	char name[128];
	snprintf(name, sizeof(name), "%s%s", a->distress->prefix, leaf);
	if (henb_dm_set_str(a->dm, name, value, HENB_DM_ORIGIN_CPE))
		lf_warn("distress_param_refused", "name=%s", name);
}

uint32_t henb__dx_u32(const struct henb_agent *a, const char *leaf)
{
	char name[128];
	snprintf(name, sizeof(name), "%s%s", a->distress->prefix, leaf);
	return (uint32_t)strtoul(henb_dm_get_str(a->dm, name), NULL, 10);
}

static const char *lf__str(const struct henb_agent *a, const char *leaf)
{
	char name[128];
	snprintf(name, sizeof(name), "%s%s", a->distress->prefix, leaf);
	return henb_dm_get_str(a->dm, name);
}

static void lf__set_state(struct henb_agent *a, enum henb__dx_state s)
{
	struct henb_distress *d = a->distress;
	if (d->state != s)
		lf_info("distress_state", "from=%s to=%s", lf__state_names[d->state], lf__state_names[s]);
	d->state = s;
	henb__dx_param(a, "State", lf__state_names[s]);
}

static void lf__last_result(struct henb_agent *a, const char *text)
{
	char v[257];
	henb__dx_copy(v, sizeof(v), text, false);
	henb__dx_param(a, "LastResult", v);
}

static void lf__now_param(struct henb_agent *a, const char *leaf)
{
	char now[32];
	lf_time_iso8601(time(NULL), now, sizeof(now));
	henb__dx_param(a, leaf, now);
}

static int64_t lf__sec(const struct henb_agent *a)
{
	return a->cfg.second_ms;
}

void henb__dx_save(struct henb_agent *a)
{
	struct lf_buf b;
	lf_buf_init(&b, HENB_DISTRESS_SAVED_MAX);
	int result = henb_distress_saved_format(&a->distress->saved, &b);
	if (!result)
		result = henb_hal_protected_write(a->hal, HENB_DISTRESS_STATE_RECORD, b.data ? b.data : "");
	if (result)
		lf_error("distress_state_save_failed", "record=%s reason=\"%s\"", HENB_DISTRESS_STATE_RECORD,
		         lf_strerror(result));
	lf_buf_free(&b);
}

/* The provisioned values as the data model holds them. */
static void lf__keys(const struct henb_agent *a, struct henb_distress_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->enable = strcmp(lf__str(a, "Enable"), "true") == 0;
	snprintf(k->server_url, sizeof(k->server_url), "%s", lf__str(a, "ServerURL"));
	snprintf(k->identity, sizeof(k->identity), "%s", lf__str(a, "Identity"));
	snprintf(k->psk, sizeof(k->psk), "%s", lf__str(a, "PSK"));
	snprintf(k->trigger_key, sizeof(k->trigger_key), "%s", lf__str(a, "TriggerKey"));
}

static bool lf__provisioned(const struct henb_distress_keys *k)
{
	return k->enable && k->server_url[0] && k->identity[0] && distress_key_valid(k->psk);
}

void henb_distress_keys_changed(struct henb_agent *a)
{
	struct henb_distress_keys k;
	struct lf_buf b;
	if (!a || !a->distress || !a->hal)
		return;
	lf__keys(a, &k);
	lf_buf_init(&b, HENB_DISTRESS_SAVED_MAX);
	int result = henb_distress_keys_format(&k, &b);
	if (!result)
		result = henb_hal_protected_write(a->hal, HENB_DISTRESS_KEYS_RECORD, b.data);
	if (result)
		lf_error("distress_keys_save_failed", "record=%s reason=\"%s\"", HENB_DISTRESS_KEYS_RECORD,
		         lf_strerror(result));
	else
		lf_info("distress_keys_saved", "enable=%s server_url=%s identity=%s psk=%s trigger_key=%s",
		        k.enable ? "true" : "false", k.server_url[0] ? k.server_url : "-",
		        k.identity[0] ? k.identity : "-", k.psk[0] ? "set" : "none", k.trigger_key[0] ? "set" : "none");
	explicit_bzero(&k, sizeof(k));
	if (b.data)
		explicit_bzero(b.data, b.len);
	lf_buf_free(&b);
}

void henb_distress_listener_changed(struct henb_agent *a)
{
	if (a && a->distress)
		a->distress->reopen = true;
}

uint16_t henb_distress_trigger_port(const struct henb_agent *a)
{
	return a->distress && a->distress->trig_fd >= 0 ? a->distress->trig_port : 0;
}

/* ------------------------------------------------------------------------------------------------ listener */

static void lf__listener_close(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	if (d->trig_fd >= 0)
		close(d->trig_fd);
	d->trig_fd = -1;
	d->trig_port = 0;
}

/* Bind the trigger listener on the alternative-path address and publish TriggerAddress. */
static void lf__listener_open(struct henb_agent *a, enum henb_dm_origin origin)
{
	struct henb_distress *d = a->distress;
	const char *addr = a->cfg.distress_trigger_address;
	char err[256], host[80], value[DISTRESS_MAX_ADDR + 1] = "";
	lf__listener_close(a);
	d->reopen = false;
	if (addr[0]) {
		uint16_t port = (uint16_t)henb__dx_u32(a, "TriggerPort");
		d->trig_fd = henb__bind(SOCK_DGRAM, addr, port, &d->trig_port, err, sizeof(err));
		if (d->trig_fd < 0) {
			lf_error("distress_trigger_listen_failed", "address=%s port=%u reason=\"%s\"", addr, port, err);
		} else {
			if (strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0)
				henb__first_ip(host, sizeof(host));
			else
				snprintf(host, sizeof(host), "%s", addr);
			snprintf(value, sizeof(value), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, d->trig_port);
			lf_info("distress_trigger_listening", "address=%s port=%u trigger_address=%s", addr,
			        d->trig_port, value);
		}
	}
	char name[128];
	snprintf(name, sizeof(name), "%sTriggerAddress", d->prefix);
	henb_dm_set_str(a->dm, name, value, origin);
}

/* The clock a trigger's timestamp is checked against: the system clock when NTP keeps it synchronised, else
 * the HeMS's time learnt from the last WELCOME, else none (0: no skew check, the replay window still holds). */
static uint64_t lf__trusted_now(const struct henb_distress *d)
{
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	int st = adjtimex(&tx);
	if (st >= 0 && st != TIME_ERROR && !(tx.status & STA_UNSYNC))
		return (uint64_t)time(NULL);
	if (d->have_server_time)
		return (uint64_t)((int64_t)time(NULL) + d->server_offset);
	return 0;
}

static void lf__count(struct henb_agent *a, const char *leaf, uint64_t v)
{
	char n[24];
	snprintf(n, sizeof(n), "%llu", (unsigned long long)(v > UINT32_MAX ? UINT32_MAX : v));
	henb__dx_param(a, leaf, n);
}

static void lf__request(struct henb_agent *a, uint8_t reason, const char *text);

/* A trigger was accepted: first the standard path (an Inform with 6 CONNECTION REQUEST, protocol section 4). */
static void lf__triggered(struct henb_agent *a, int64_t now)
{
	struct henb_distress *d = a->distress;
	if (d->state == HENB__DX_STANDARD_RETRY) {
		lf_info("distress_trigger_ignored", "reason=\"the standard path is being tried already\"");
		return;
	}
	if (d->w) {
		/* The session polls anyway; one more round afterwards, in case it is ending. */
		d->retrigger = true;
		return;
	}
	if (d->want)
		return; /* a distress session is about to open anyway */
	lf__set_state(a, HENB__DX_STANDARD_RETRY);
	d->std_deadline_ms = now + (int64_t)henb__dx_u32(a, "StandardRetryTimeout") * lf__sec(a);
	a->pending |= HENB_EV_CONNREQ;
	if (a->next_attempt_ms > now)
		a->next_attempt_ms = now;
	lf_info("distress_standard_retry", "timeout_ms=%lld", (long long)(d->std_deadline_ms - now));
}

static void lf__datagram(struct henb_agent *a, const char *buf, size_t len, int64_t now)
{
	struct henb_distress *d = a->distress;
	struct distress_trigger_state st;
	struct cwmp_udp_cr m;
	char err[256];
	const char *identity = lf__str(a, "Identity"), *key = lf__str(a, "TriggerKey");
	int result;
	memset(&st, 0, sizeof(st));
	st.replay = d->saved.replay;
	memset(&m, 0, sizeof(m));
	if (strcmp(lf__str(a, "Enable"), "true") != 0 || !identity[0] || !distress_key_valid(key)) {
		snprintf(err, sizeof(err), "the distress channel is not provisioned");
		result = LF_EAUTH;
	} else {
		result = distress_trigger_accept(&st, buf, len, identity, key, lf__trusted_now(d),
		                                 henb__dx_u32(a, "TriggerMaxSkew"), &m, err, sizeof(err));
	}
	if (result) {
		/* Dropped silently: no answer, no session; a counter and a log line (protocol section 4). */
		d->dropped++;
		lf__count(a, "TriggersDropped", d->dropped);
		char safe[160];
		henb__dx_copy(safe, sizeof(safe), err, false);
		for (char *p = safe; *p; p++)
			if (*p == '"')
				*p = '\'';
		lf_info("distress_trigger_dropped", "bytes=%zu error=%s reason=\"%s\"", len, lf_strerror(result), safe);
		return;
	}
	d->saved.replay = st.replay;
	henb__dx_save(a);
	d->accepted++;
	lf__count(a, "TriggersAccepted", d->accepted);
	lf__now_param(a, "LastTriggerTime");
	lf_info("distress_trigger_accepted", "id=%llu ts=%llu state=%s", (unsigned long long)m.id,
	        (unsigned long long)m.ts, lf__state_names[d->state]);
	lf__triggered(a, now);
}

static void lf__listener_read(struct henb_agent *a, int64_t now)
{
	struct henb_distress *d = a->distress;
	char buf[DISTRESS_TRIGGER_MAX + 2];
	for (int i = 0; i < LF_MAX_PER_READ && d->trig_fd >= 0; i++) {
		ssize_t n = recv(d->trig_fd, buf, sizeof(buf) - 1, MSG_TRUNC);
		if (n < 0)
			return;
		if ((size_t)n > DISTRESS_TRIGGER_MAX) {
			d->dropped++;
			lf__count(a, "TriggersDropped", d->dropped);
			lf_info("distress_trigger_dropped", "bytes=%zd error=%s reason=\"over %d bytes\"", n,
			        lf_strerror(LF_ETOOBIG), DISTRESS_TRIGGER_MAX);
			continue;
		}
		lf__datagram(a, buf, (size_t)n, now);
	}
}

/* ------------------------------------------------------------------------------------------------ failure */

/* Both paths are gone and no emergency remediation: power off now, RF first (5.7.3.1). */
static void lf__shutdown(struct henb_agent *a, const char *why)
{
	char record[400], when[32];
	if (a->hal && henb_hal_set_rf_tx(a->hal, false) != LF_OK)
		lf_error("rf_tx_off_failed", "reason=distress_failed");
	a->rf_on = false;
	a->rf_known = true;
	lf_warn("rf_tx", "state=off reason=distress_failed");
	henb_crhttp_close(&a->crhttp);
	henb_crudp_close(&a->crudp);
	lf__listener_close(a);
	lf_time_iso8601(time(NULL), when, sizeof(when));
	snprintf(record, sizeof(record), "%s %s\n", when, why);
	if (!a->hal || henb_hal_protected_write(a->hal, HENB_DISTRESS_SHUTDOWN_RECORD, record) != LF_OK)
		lf_error("distress_shutdown_unrecorded", "record=%s", HENB_DISTRESS_SHUTDOWN_RECORD);
	henb_agent_persist(a);
	a->exit_action = HENB_EXIT_SHUTDOWN;
	lf_warn("distress_shutdown", "reason=\"%s\" record=%s", why, HENB_DISTRESS_SHUTDOWN_RECORD);
}

static void lf__path_failed(struct henb_agent *a, const char *why)
{
	struct henb_distress *d = a->distress;
	char reason[400];
	d->want = false;
	lf__set_state(a, HENB__DX_FAILED);
	snprintf(reason, sizeof(reason),
	         "no communication with the HeMS: standard path and distress channel failed (%s)", why);
	lf__last_result(a, reason);
	lf_error("distress_path_failed", "attempts=%u reason=\"%s\"", d->attempts, why);
	if (!emergency_remediation_start(a, reason))
		lf__shutdown(a, reason);
}

/* ------------------------------------------------------------------------------------------------ session */

static void lf__session_over(struct henb_agent *a, const char *outcome, bool ok)
{
	struct henb_distress *d = a->distress;
	henb_dworker_stop(&d->w);
	d->phase = HENB__DX_P_NONE;
	d->await_std = false;
	lf__last_result(a, outcome);
	lf_info("distress_session_over", "ok=%s reason=%s outcome=\"%s\"", ok ? "yes" : "no",
	        distress_reason_name(d->reason), outcome);
	if (d->reason == DISTRESS_REASON_STANDARD_PATH_FAILED || d->reason == DISTRESS_REASON_CONNREQ_UNSERVED ||
	    d->reason == DISTRESS_REASON_ALARM_UNDELIVERABLE)
		d->episode = true;
	if (d->state == HENB__DX_ACTIVE && !d->want)
		lf__set_state(a, HENB__DX_IDLE);
	d->restored = false;
	if (d->after_session == DISTRESS_KIND_REBOOT || d->dl.reboot) {
		lf_info("distress_reboot", "why=\"%s\"", d->dl.reboot ? "new firmware installed" : "reboot action");
		a->reboot_requested = true;
	} else if (d->after_session == DISTRESS_KIND_FACTORY_RESET) {
		lf_info("distress_factory_reset", "why=\"factory-reset action\"");
		a->factory_reset_requested = true;
	}
	d->after_session = 0;
	d->dl.reboot = false;
	if (a->reboot_requested || a->factory_reset_requested)
		return;
	if (d->again) {
		uint8_t r = d->again;
		d->again = 0;
		lf__request(a, r, d->again_text);
	}
	if (d->retrigger) {
		d->retrigger = false;
		lf__triggered(a, lf_now_ms());
	}
}

/* One attempt failed (no DTLS handshake, no answer, network error). */
static void lf__attempt_failed(struct henb_agent *a, int rc, const char *why)
{
	struct henb_distress *d = a->distress;
	char text[400], err[256];
	snprintf(err, sizeof(err), "%s", why); /* why may live in the worker's message, released here */
	henb_dworker_stop(&d->w);
	d->phase = HENB__DX_P_NONE;
	d->await_std = false;
	if (rc == LF_EFORBIDDEN) {
		/* 4.03: the HeMS blocked the device; final, no retry (protocol section 10). */
		d->want = false;
		snprintf(text, sizeof(text), "refused by the HeMS: %s", err);
		lf__session_over(a, text, false);
		return;
	}
	d->attempts++;
	unsigned max = henb__dx_u32(a, "MaxRetries");
	snprintf(text, sizeof(text), "attempt %u of %u failed: %s", d->attempts, max ? max : 1, err);
	lf__last_result(a, text);
	lf_warn("distress_attempt_failed", "attempt=%u max=%u error=%s reason=\"%s\"", d->attempts, max,
	        lf_strerror(rc), err);
	if (d->attempts >= (max ? max : 1)) {
		/* Decided in the next housekeeping turn, after the HAL poll: a shutdown then ends the loop before
		 * anything could switch the transmitter on again. */
		d->want = false;
		d->path_failed = true;
		snprintf(d->failed_why, sizeof(d->failed_why), "%s", text);
		return;
	}
	/* RetryInterval apart, randomised (a HeMS coming back is not met by the whole fleet at once). */
	int64_t base = (int64_t)henb__dx_u32(a, "RetryInterval") * lf__sec(a);
	d->next_try_ms = lf_now_ms() + (int64_t)lf_random_range((uint64_t)base, (uint64_t)(2 * base));
	d->want = true;
}

static void lf__submit(struct henb_agent *a, int op, enum henb__dx_phase phase)
{
	struct henb_distress *d = a->distress;
	if (henb_dworker_submit(d->w, op)) {
		lf_error("distress_submit_failed", "op=%d", op); /* cannot happen: one request at a time */
		return;
	}
	d->phase = phase;
	if (op == HENB_DW_NEXT)
		d->retrigger = false; /* this poll fetches what a trigger during the session announced */
}

static void lf__start_session(struct henb_agent *a, int64_t now)
{
	struct henb_distress *d = a->distress;
	struct henb_distress_keys k;
	char err[256];
	lf__keys(a, &k);
	d->want = false;
	if (!lf__provisioned(&k)) {
		lf_warn("distress_unavailable",
		        "reason=%s why=\"the distress channel is not provisioned or not enabled\"",
		        distress_reason_name(d->reason));
		lf__last_result(a, "distress channel not provisioned: no session");
		if (d->state == HENB__DX_ACTIVE)
			lf__set_state(a, HENB__DX_IDLE);
		explicit_bzero(&k, sizeof(k));
		return;
	}
	struct distress_client_config cfg = {k.server_url, k.identity, k.psk,
	                                     (unsigned)a->cfg.distress_request_timeout_ms};
	/* The action and result buffers exist while the channel is in use (a fleet of agents in one process
	 * would otherwise hold them all idle). */
	if (!d->act) {
		d->act = lf_calloc(1, sizeof(*d->act));
		d->res = lf_calloc(1, sizeof(*d->res));
	}
	int result = henb_dworker_start(&d->w, &cfg, err, sizeof(err));
	explicit_bzero(&k, sizeof(k));
	if (result) {
		lf__attempt_failed(a, result, err);
		return;
	}
	struct henb_dworker_msg *m = henb_dworker_msg(d->w);
	henb__dx_inform(a, d->reason, d->reason_text, &m->inform, &d->alarm_seq);
	d->opened_ms = now;
	d->reopens = 0;
	d->polled = false;
	d->restored = false;
	lf__set_state(a, HENB__DX_ACTIVE);
	lf__now_param(a, "LastSessionTime");
	lf_info("distress_session_start", "reason=%s attempt=%u alarms=%zu events=%zu server=%s text=\"%s\"",
	        distress_reason_name(d->reason), d->attempts + 1, m->inform.n_alarms, m->inform.n_events,
	        lf__str(a, "ServerURL"), d->reason_text);
	lf__submit(a, HENB_DW_OPEN, HENB__DX_P_OPEN);
}

/* The next step of a running session: reports first, then the next action, or the end. */
static void lf__go_next(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb_dworker_msg *m = henb_dworker_msg(d->w);
	if (d->saved.n_reports) {
		const struct henb_distress_report *r = &d->saved.reports[0];
		memset(&m->result, 0, sizeof(m->result));
		m->result.action_id = r->id;
		m->result.status = r->status;
		m->result.fault_code = r->fault;
		snprintf(m->result.fault_string, sizeof(m->result.fault_string), "%s", r->fault_string);
		snprintf(m->result.software_version, sizeof(m->result.software_version), "%s", r->software_version);
		snprintf(m->result.start_time, sizeof(m->result.start_time), "%s", r->start_time);
		snprintf(m->result.complete_time, sizeof(m->result.complete_time), "%s", r->complete_time);
		lf_info("distress_report", "action=%llu kind=%s status=%s fault=%u", (unsigned long long)r->id,
		        distress_kind_name(r->kind), distress_status_name(r->status), r->fault);
		lf__submit(a, HENB_DW_RESULT, HENB__DX_P_REPORT);
		return;
	}
	if (d->after_session || d->dl.reboot) {
		lf__submit(a, HENB_DW_END, HENB__DX_P_END);
		return;
	}
	lf__submit(a, HENB_DW_NEXT, HENB__DX_P_NEXT);
}

/* Remember an action's result (encoded) for a re-delivery in this session. */
static void lf__remember(struct henb_distress *d, struct distress_result *r)
{
	size_t i = d->done_next;
	uint64_t sid = r->session_id;
	r->session_id = sid ? sid : 1; /* the encoder wants one; the client sets the real one when it is sent */
	if (!d->done_buf[i])
		d->done_buf[i] = lf_malloc(DISTRESS_MAX_MESSAGE);
	if (distress_result_encode(r, d->done_buf[i], DISTRESS_MAX_MESSAGE, &d->done_len[i], NULL, 0) == LF_OK) {
		d->done_id[i] = r->action_id;
		d->done_next = (i + 1) % HENB__DX_RESULTS;
	}
	r->session_id = sid;
}

/* A re-delivered action: answer with what it got the first time (protocol section 9.3). */
static bool lf__redelivery(struct henb_agent *a, const struct distress_action *act, struct distress_result *res)
{
	struct henb_distress *d = a->distress;
	const struct henb_distress_memo *mm = henb_distress_memo_find(&d->saved, act->id);
	if (!mm)
		return false;
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < HENB__DX_RESULTS; i++)
		if (d->done_id[i] == act->id && d->done_len[i] &&
		    distress_result_decode(d->done_buf[i], d->done_len[i], res, NULL, 0) == LF_OK)
			goto found;
	res->action_id = act->id;
	res->status = mm->status;
	res->fault_code = mm->fault;
	if (mm->status == DISTRESS_STATUS_FAILED)
		snprintf(res->fault_string, sizeof(res->fault_string), "executed before (fault %u)", mm->fault);
	if (mm->status == DISTRESS_STATUS_ACCEPTED &&
	    (mm->kind == DISTRESS_KIND_REBOOT || mm->kind == DISTRESS_KIND_FACTORY_RESET)) {
		if (d->saved.resume && !d->resume_ready && d->saved.resume_id == act->id) {
			d->after = mm->kind; /* accepted, not done yet: do it once this answer is acknowledged */
		} else {
			res->status = DISTRESS_STATUS_SUCCESS; /* done before this boot */
			snprintf(res->software_version, sizeof(res->software_version), "%s",
			         henb_dm_get_str(a->dm, "Device.DeviceInfo.SoftwareVersion"));
		}
	}
found:
	res->action_id = act->id;
	lf_info("distress_action_redelivered", "action=%llu kind=%s answer=%s", (unsigned long long)act->id,
	        distress_kind_name(act->kind), distress_status_name(res->status));
	return true;
}

static void lf__post_result(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb_dworker_msg *m = henb_dworker_msg(d->w);
	m->result = *d->res;
	lf__remember(d, &m->result);
	lf__submit(a, HENB_DW_RESULT, HENB__DX_P_RESULT);
}

static void lf__on_action(struct henb_agent *a, int64_t now)
{
	struct henb_distress *d = a->distress;
	struct henb_dworker_msg *m = henb_dworker_msg(d->w);
	*d->act = m->action;
	if (d->act->kind == DISTRESS_KIND_NONE) {
		int64_t limit = d->opened_ms + (int64_t)henb__dx_u32(a, "SessionTimeout") * lf__sec(a);
		int64_t at = now + (int64_t)d->act->retry_after * lf__sec(a);
		if (d->act->retry_after && !d->restored && at < limit) {
			d->phase = HENB__DX_P_WAIT;
			d->wait_until_ms = at;
			/* Once per session at info level: the HeMS has an open case, more may come. */
			lf_log(d->polled ? LF_LOG_DEBUG : LF_LOG_INFO, "distress_poll_wait", "retry_after=%u",
			       d->act->retry_after);
			d->polled = true;
			return;
		}
		lf__submit(a, HENB_DW_END, HENB__DX_P_END);
		return;
	}
	lf_info("distress_action", "action=%llu kind=%s pending=%u", (unsigned long long)d->act->id,
	        distress_kind_name(d->act->kind), d->act->pending);
	d->after = 0;
	if (lf__redelivery(a, d->act, d->res)) {
		lf__post_result(a);
		return;
	}
	if (henb__dx_execute(a, d->act, d->res, &d->after) == HENB__DX_WAIT) {
		d->phase = HENB__DX_P_EXEC;
		return;
	}
	lf__post_result(a);
}

/* The distress thread answered. */
static void lf__on_answer(struct henb_agent *a, int64_t now)
{
	struct henb_distress *d = a->distress;
	struct henb_dworker_msg *m = henb_dworker_msg(d->w);
	enum henb__dx_phase phase = d->phase;
	if (m->rc) {
		if (phase == HENB__DX_P_END) {
			lf__session_over(a, "session ended (its end was not acknowledged)", true);
			return;
		}
		if (m->rc == LF_EAUTH && phase != HENB__DX_P_OPEN && d->reopens < LF_MAX_REOPENS) {
			/* 4.01: the HeMS forgot the session (restart, idle timeout): a new INFORM (section 9.6). */
			d->reopens++;
			lf_info("distress_session_reopen", "error=\"%s\"", m->err);
			henb__dx_inform(a, d->reason, d->reason_text, &m->inform, &d->alarm_seq);
			lf__submit(a, HENB_DW_OPEN, HENB__DX_P_OPEN);
			return;
		}
		if ((m->rc == LF_EINVAL || m->rc == LF_ENOTFOUND) && phase != HENB__DX_P_OPEN) {
			/* 4.00 / 4.04: a bug on one side; logged, the same payload is not sent again. */
			lf_error("distress_request_refused", "phase=%d error=\"%s\"", (int)phase, m->err);
			if (phase == HENB__DX_P_REPORT && d->saved.n_reports) {
				memmove(&d->saved.reports[0], &d->saved.reports[1],
				        (d->saved.n_reports - 1) * sizeof(d->saved.reports[0]));
				d->saved.n_reports--;
				henb__dx_save(a);
			}
			if (phase == HENB__DX_P_RESULT || phase == HENB__DX_P_REPORT)
				lf__go_next(a);
			else
				lf__submit(a, HENB_DW_END, HENB__DX_P_END);
			return;
		}
		lf__attempt_failed(a, m->rc, m->err);
		return;
	}
	switch (phase) {
	case HENB__DX_P_OPEN:
		d->attempts = 0;
		d->have_server_time = m->welcome.server_time != 0;
		d->server_offset = (int64_t)m->welcome.server_time - (int64_t)time(NULL);
		/* The alarms it carried went through the HeMS's alarm intake; a connection request it carried is
		 * answered (the HeMS asked the device to get in touch: it did). */
		henb_monitor_delivered(&a->mon, d->alarm_seq);
		for (size_t i = 0; i < m->inform.n_events; i++)
			if (strcmp(m->inform.events[i], "6 CONNECTION REQUEST") == 0)
				a->pending &= ~(unsigned)HENB_EV_CONNREQ;
		if (d->saved.resume && d->resume_ready) {
			d->resume_ready = false;
			lf_info("distress_resume_confirmed", "action=%llu kind=%s",
			        (unsigned long long)d->saved.resume_id, distress_kind_name(d->saved.resume));
			d->saved.resume = 0;
			henb__dx_save(a);
		}
		lf_info("distress_session_open", "session=%llu pending=%u poll_interval=%u reason=%s",
		        (unsigned long long)m->welcome.session_id, m->welcome.pending, m->welcome.poll_interval,
		        distress_reason_name(d->reason));
		henb__dx_dl_opened(a);
		lf__go_next(a);
		break;
	case HENB__DX_P_REPORT:
		if (d->saved.n_reports) {
			const struct henb_distress_report *r = &d->saved.reports[0];
			henb_distress_memo_put(&d->saved, r->id, r->kind, r->status, r->fault);
			memmove(&d->saved.reports[0], &d->saved.reports[1],
			        (d->saved.n_reports - 1) * sizeof(d->saved.reports[0]));
			d->saved.n_reports--;
			henb__dx_save(a);
		}
		lf__go_next(a);
		break;
	case HENB__DX_P_NEXT:
		lf__on_action(a, now);
		break;
	case HENB__DX_P_RESULT:
		lf_info("distress_result_sent", "action=%llu kind=%s status=%s fault=%u pending=%u",
		        (unsigned long long)m->result.action_id, distress_kind_name(d->act->kind),
		        distress_status_name(m->result.status), m->result.fault_code, m->ack.pending);
		if (d->act->kind == DISTRESS_KIND_INFORM && m->result.status == DISTRESS_STATUS_SUCCESS)
			henb_monitor_delivered(&a->mon, d->alarm_seq);
		if (d->after) {
			d->after_session = d->after;
			d->after = 0;
		}
		lf__go_next(a);
		break;
	case HENB__DX_P_END:
		lf__session_over(
		    a, d->restored ? "standard path restored: distress session ended" : "distress session completed",
		    true);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------------------------------ decisions */

static int lf__reason_rank(uint8_t r)
{
	switch (r) {
	case DISTRESS_REASON_ALARM_UNDELIVERABLE:
		return 4;
	case DISTRESS_REASON_TRIGGER:
		return 3;
	case DISTRESS_REASON_CONNREQ_UNSERVED:
		return 2;
	case DISTRESS_REASON_STANDARD_PATH_FAILED:
		return 1;
	default:
		return 0;
	}
}

/* Ask for a distress session (the next loop turn opens it). */
static void lf__request(struct henb_agent *a, uint8_t reason, const char *text)
{
	struct henb_distress *d = a->distress;
	if (d->state == HENB__DX_FAILED && reason != DISTRESS_REASON_TRIGGER)
		return; /* the path failed: emergency remediation or shutdown took over */
	struct henb_distress_keys k;
	lf__keys(a, &k);
	bool ready = lf__provisioned(&k);
	explicit_bzero(&k, sizeof(k));
	if (!ready) {
		if (!d->unavailable_logged)
			lf_warn("distress_unavailable",
			        "reason=%s text=\"%s\" why=\"the distress channel is not provisioned "
			        "or not enabled\"",
			        distress_reason_name(reason), text);
		d->unavailable_logged = true;
		return;
	}
	d->unavailable_logged = false;
	if (d->w) {
		/* A session runs: another one follows it for what this one did not carry (reports and boots to
		 * confirm are asked for again by the tick once it is over). */
		if (reason != DISTRESS_REASON_OTHER && reason != DISTRESS_REASON_RESUME &&
		    (!d->again || lf__reason_rank(reason) >= lf__reason_rank(d->again))) {
			d->again = reason;
			henb__dx_copy(d->again_text, sizeof(d->again_text), text, true);
		}
		return;
	}
	if (d->want && lf__reason_rank(reason) < lf__reason_rank(d->reason))
		return;
	if (!d->want) {
		d->attempts = 0;
		d->next_try_ms = lf_now_ms();
	}
	d->want = true;
	d->reason = reason;
	henb__dx_copy(d->reason_text, sizeof(d->reason_text), text, true);
	if (d->state != HENB__DX_ACTIVE)
		lf__set_state(a, HENB__DX_ACTIVE);
	lf_info("distress_requested", "reason=%s text=\"%s\"", distress_reason_name(reason), d->reason_text);
}

void henb_distress_start(struct henb_agent *a, enum distress_reason reason, const char *text)
{
	if (a && a->distress)
		lf__request(a, (uint8_t)reason, text);
}

void henb_distress_session_done(struct henb_agent *a, bool informed)
{
	struct henb_distress *d = a->distress;
	if (!d)
		return;
	d->boot_seen = true;
	if (d->await_std && d->phase == HENB__DX_P_EXEC) {
		memset(d->res, 0, sizeof(*d->res));
		d->res->action_id = d->act->id;
		if (informed) {
			d->res->status = DISTRESS_STATUS_SUCCESS;
		} else {
			d->res->status = DISTRESS_STATUS_FAILED;
			d->res->fault_code = 9002;
			snprintf(d->res->fault_string, sizeof(d->res->fault_string),
			         "the standard session failed (no InformResponse)");
		}
		d->await_std = false;
		henb_distress_memo_put(&d->saved, d->act->id, d->act->kind, d->res->status, d->res->fault_code);
		henb__dx_save(a);
		lf__post_result(a);
	}
	if (informed) {
		d->episode = false;
		if (d->state == HENB__DX_STANDARD_RETRY) {
			lf__set_state(a, HENB__DX_IDLE);
			lf__last_result(a, "trigger answered over the standard path");
			lf_info("distress_not_needed", "reason=\"the standard session after the trigger succeeded\"");
		}
		if (d->w && !d->restored) {
			d->restored = true;
			lf_info("distress_standard_restored", "action=end_distress_session");
			if (d->phase == HENB__DX_P_WAIT)
				d->wait_until_ms = 0;
		}
		if (d->want && !d->w && d->reason != DISTRESS_REASON_RESUME && d->reason != DISTRESS_REASON_OTHER &&
		    d->reason != DISTRESS_REASON_ALARM_UNDELIVERABLE) {
			d->want = false;
			lf_info("distress_not_needed", "reason=\"the standard path works again\"");
		}
		if (d->state == HENB__DX_FAILED || (d->state == HENB__DX_ACTIVE && !d->want && !d->w))
			lf__set_state(a, HENB__DX_IDLE);
		return;
	}
	if (d->state == HENB__DX_STANDARD_RETRY) {
		/* Only the session that answers the trigger counts (its Inform carries 6 CONNECTION REQUEST). */
		if (a->delivery.events & HENB_EV_CONNREQ)
			lf__request(a, DISTRESS_REASON_TRIGGER, "triggered by the HeMS; the standard session failed");
		return;
	}
	if (d->want || d->w || d->episode || d->state == HENB__DX_FAILED)
		return;
	unsigned failures = a->retry_count + 1;
	char text[128];
	if (a->pending & HENB_EV_CONNREQ) {
		snprintf(text, sizeof(text), "a connection request could not be served over the standard path");
		lf__request(a, DISTRESS_REASON_CONNREQ_UNSERVED, text);
	} else if (a->hal && henb_hal_s1_link(a->hal) && failures >= henb__dx_u32(a, "FailedSessionThreshold")) {
		snprintf(text, sizeof(text), "%u standard sessions failed in a row while the S1 link is up", failures);
		lf__request(a, DISTRESS_REASON_STANDARD_PATH_FAILED, text);
	}
}

void henb__dx_report(struct henb_agent *a, const struct henb_distress_report *r)
{
	struct henb_distress *d = a->distress;
	if (d->saved.n_reports == HENB_DISTRESS_REPORTS) {
		lf_warn("distress_report_dropped", "action=%llu", (unsigned long long)d->saved.reports[0].id);
		memmove(&d->saved.reports[0], &d->saved.reports[1],
		        (HENB_DISTRESS_REPORTS - 1) * sizeof(d->saved.reports[0]));
		d->saved.n_reports--;
	}
	d->saved.reports[d->saved.n_reports++] = *r;
	henb_distress_memo_put(&d->saved, r->id, r->kind, r->status, r->fault);
	henb__dx_save(a);
}

void henb_distress_tick(struct henb_agent *a, int64_t now)
{
	struct henb_distress *d = a->distress;
	if (!d || a->exit_action)
		return;
	if (d->path_failed) {
		d->path_failed = false;
		lf__path_failed(a, d->failed_why);
		return;
	}
	if (d->reopen)
		lf__listener_open(a, HENB_DM_ORIGIN_CPE);
	if (d->state == HENB__DX_STANDARD_RETRY && now >= d->std_deadline_ms)
		lf__request(a, DISTRESS_REASON_TRIGGER,
		            "triggered by the HeMS; no standard session within StandardRetryTimeout");
	if (d->w && d->phase == HENB__DX_P_WAIT && (now >= d->wait_until_ms || d->saved.n_reports || d->dl.reboot))
		lf__go_next(a);
	if (d->w && d->phase == HENB__DX_P_EXEC && d->await_std && now >= d->await_std_deadline_ms) {
		d->await_std = false;
		memset(d->res, 0, sizeof(*d->res));
		d->res->action_id = d->act->id;
		d->res->status = DISTRESS_STATUS_FAILED;
		d->res->fault_code = 9002;
		snprintf(d->res->fault_string, sizeof(d->res->fault_string), "no standard session completed in time");
		henb_distress_memo_put(&d->saved, d->act->id, d->act->kind, d->res->status, d->res->fault_code);
		henb__dx_save(a);
		lf__post_result(a);
	}
	/* Results to confirm or report: after boot the standard path goes first (section 12.1). */
	if (a->reboot_requested || a->factory_reset_requested || d->dl.reboot)
		return; /* nothing new before the restart: a resume INFORM now would confirm a boot that did not happen
		         */
	if (!d->want && !d->w && d->state != HENB__DX_FAILED && d->state != HENB__DX_STANDARD_RETRY && d->boot_seen &&
	    ((d->saved.resume && d->resume_ready) || d->dl.confirm || d->saved.n_reports)) {
		bool boot = (d->saved.resume && d->resume_ready) || d->dl.confirm;
		lf__request(a, boot ? DISTRESS_REASON_RESUME : DISTRESS_REASON_OTHER,
		            boot ? "report the outcome of an action accepted before the reboot"
		                 : "report the outcome of an action");
	}
	if (d->want && !d->w && now >= d->next_try_ms)
		lf__start_session(a, now);
}

size_t henb_distress_pollfds(struct henb_agent *a, struct pollfd *p, size_t max)
{
	struct henb_distress *d = a->distress;
	size_t n = 0;
	if (!d)
		return 0;
	if (d->trig_fd >= 0 && n < max)
		p[n++] = (struct pollfd){.fd = d->trig_fd, .events = POLLIN};
	if (d->w && n < max)
		p[n++] = (struct pollfd){.fd = henb_dworker_fd(d->w), .events = POLLIN};
	n += henb__dx_dl_pollfds(a, p + n, max - n);
	return n;
}

void henb_distress_process(struct henb_agent *a, const struct pollfd *p, size_t n, int64_t now)
{
	struct henb_distress *d = a->distress;
	size_t i = 0;
	if (!d)
		return;
	if (d->trig_fd >= 0 && i < n) {
		if (p[i].fd == d->trig_fd && (p[i].revents & POLLIN))
			lf__listener_read(a, now);
		i++;
	}
	if (d->w && i < n) {
		if (p[i].fd == henb_dworker_fd(d->w) && (p[i].revents & POLLIN) && henb_dworker_collect(d->w))
			lf__on_answer(a, now);
		i++;
	}
	henb__dx_dl_process(a, p + i, n - i, now);
}

int64_t henb_distress_deadline(const struct henb_agent *a)
{
	const struct henb_distress *d = a->distress;
	int64_t t = -1;
#define LF_MIN(x)                                                                                                      \
	do {                                                                                                           \
		int64_t v_ = (x);                                                                                      \
		if (v_ >= 0 && (t < 0 || v_ < t))                                                                      \
			t = v_;                                                                                        \
	} while (0)
	if (!d)
		return -1;
	if (d->want && !d->w)
		LF_MIN(d->next_try_ms);
	if (d->state == HENB__DX_STANDARD_RETRY)
		LF_MIN(d->std_deadline_ms);
	if (d->w && d->phase == HENB__DX_P_WAIT)
		LF_MIN(d->wait_until_ms);
	if (d->w && d->phase == HENB__DX_P_EXEC && d->await_std)
		LF_MIN(d->await_std_deadline_ms);
	if (d->reopen || d->path_failed)
		LF_MIN(0);
	LF_MIN(henb__dx_dl_deadline(a));
#undef LF_MIN
	return t;
}

/* ------------------------------------------------------------------------------------------------ life */

/* The provisioned keys from protected storage into the (volatile) data model values. */
static void lf__load_keys(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	struct henb_distress_keys k;
	char *text = lf_malloc(HENB_DISTRESS_SAVED_MAX + 1), err[200], name[128];
	int result = henb_hal_protected_read(a->hal, HENB_DISTRESS_KEYS_RECORD, text, HENB_DISTRESS_SAVED_MAX + 1);
	if (result == LF_OK)
		result = henb_distress_keys_parse(text, strlen(text), &k, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "%s", lf_strerror(result));
	if (result == LF_OK) {
		const struct {
			const char *leaf, *value;
		} v[] = {{"Enable", k.enable ? "true" : "false"},
		         {"ServerURL", k.server_url},
		         {"Identity", k.identity},
		         {"PSK", k.psk},
		         {"TriggerKey", k.trigger_key}};
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			snprintf(name, sizeof(name), "%s%s", d->prefix, v[i].leaf);
			if (henb_dm_set_str(a->dm, name, v[i].value, HENB_DM_ORIGIN_INIT))
				lf_warn("distress_key_refused", "name=%s", name);
		}
		lf_info("distress_keys_loaded", "enable=%s server_url=%s identity=%s", k.enable ? "true" : "false",
		        k.server_url[0] ? k.server_url : "-", k.identity[0] ? k.identity : "-");
	} else if (result != LF_ENOTFOUND) {
		lf_error("distress_keys_unreadable", "record=%s reason=\"%s\" action=factory_values",
		         HENB_DISTRESS_KEYS_RECORD, err);
	}
	explicit_bzero(&k, sizeof(k));
	explicit_bzero(text, HENB_DISTRESS_SAVED_MAX + 1);
	lf_free(text);
}

static void lf__load_state(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	char *text = lf_malloc(HENB_DISTRESS_SAVED_MAX + 1), err[200];
	int result = henb_hal_protected_read(a->hal, HENB_DISTRESS_STATE_RECORD, text, HENB_DISTRESS_SAVED_MAX + 1);
	if (result == LF_OK)
		result = henb_distress_saved_parse(text, strlen(text), &d->saved, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "%s", lf_strerror(result));
	if (result && result != LF_ENOTFOUND)
		lf_error("distress_state_unreadable", "record=%s reason=\"%s\" action=fresh_state",
		         HENB_DISTRESS_STATE_RECORD, err);
	lf_free(text);
	/* A shutdown after both paths failed: the reason stays on record for the operator; this start tries again. */
	char why[400];
	if (henb_hal_protected_read(a->hal, HENB_DISTRESS_SHUTDOWN_RECORD, why, sizeof(why)) == LF_OK) {
		why[strcspn(why, "\r\n")] = '\0';
		lf_warn("distress_shutdown_before", "record=%s reason=\"%s\"", HENB_DISTRESS_SHUTDOWN_RECORD, why);
	}
}

int henb_distress_init(struct henb_agent *a, char *err, size_t errlen)
{
	struct henb_distress *d = lf_calloc(1, sizeof(*d));
	(void)err, (void)errlen;
	a->distress = d;
	d->trig_fd = -1;
	d->dl.fd = -1;
	snprintf(d->prefix, sizeof(d->prefix), "Device.X_%s_Distress.", a->cfg.oui);
	lf__load_keys(a);
	lf__load_state(a);
	henb__dx_param(a, "State", lf__state_names[HENB__DX_IDLE]);
	henb__dx_dl_init(a);
	lf__listener_open(a, HENB_DM_ORIGIN_INIT);
	d->resume_ready = d->saved.resume != 0;
	if (d->saved.resume)
		lf_info("distress_resume_pending", "action=%llu kind=%s", (unsigned long long)d->saved.resume_id,
		        distress_kind_name(d->saved.resume));
	return LF_OK;
}

void henb_distress_free(struct henb_agent *a)
{
	struct henb_distress *d = a->distress;
	if (!d)
		return;
	henb_dworker_stop(&d->w);
	henb__dx_dl_free(a);
	lf__listener_close(a);
	for (size_t i = 0; i < HENB__DX_RESULTS; i++)
		lf_free(d->done_buf[i]);
	lf_free(d->act);
	lf_free(d->res);
	lf_free(d);
	a->distress = NULL;
}
