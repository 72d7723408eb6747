/* session.c: the CPE session state machine (TR-069 3.7): POST Inform; after InformResponse POST each waiting
 * TransferComplete; then empty POST and answer the ACS's requests until it answers 204. */
#include "henb/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/arena.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "henb/agent.h"
#include "henb/http.h"
#include "henb/rpc.h"

enum lf__state {
	LF_S_INFORM,   /* waiting for InformResponse */
	LF_S_TRANSFER, /* waiting for TransferCompleteResponse */
	LF_S_REQUEST,  /* waiting for RequestDownloadResponse (failsafe image, emergency.c) */
	LF_S_SERVE,    /* waiting for an ACS request (or 204) */
	LF_S_DONE,
};

struct henb_session {
	struct henb_agent *a;
	struct henb_http http;
	enum lf__state state;
	struct lf_buf out;  /* the body in flight */
	unsigned rpcs;
	bool informed;
	int result;
	char why[256];
	char id[16];
};

/* The forced-inform parameters, collected by a walk of the whole tree. */
struct lf__inform_ctx {
	struct henb_agent *a;
	struct lf_arena *arena;
	struct cwmp_param_value *pv;
	size_t n, max;
	int result;
};

static int lf__add_param(struct lf__inform_ctx *c, const struct henb_dm_ref *ref)
{
	char name[HENB_DM_MAX_NAME + 64], value[HENB_DM_MAX_VALUE];
	const struct henb_dm_param *p = henb_dm_param_def(c->a->dm, ref);
	if (c->n == c->max || henb_dm_name(c->a->dm, ref, name, sizeof(name)))
		return LF_ETOOBIG;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->pv[i].name, name) == 0)
			return LF_OK;
	henb_dm_get(c->a->dm, ref, false, value, sizeof(value));
	c->pv[c->n].name = lf_arena_strndup(c->arena, name, strlen(name));
	c->pv[c->n].value = lf_arena_strndup(c->arena, value, strlen(value));
	c->pv[c->n].type = henb_dm_param_xsd(p);
	if (!c->pv[c->n].name || !c->pv[c->n].value)
		return LF_ETOOBIG;
	c->n++;
	return LF_OK;
}

static int lf__visit_forced(void *vctx, const struct henb_dm_ref *ref)
{
	struct lf__inform_ctx *c = vctx;
	if (ref->param < 0 || !(henb_dm_param_def(c->a->dm, ref)->flags & HENB_DM_FORCED))
		return 0;
	c->result = lf__add_param(c, ref);
	return c->result;
}

static int lf__build_inform(struct henb_session *s)
{
	struct henb_agent *a = s->a;
	struct lf_arena arena;
	struct cwmp_event ev[CWMP_MAX_EVENTS];
	struct cwmp_msg m;
	char now[32], list[512] = "";
	size_t pos = 0;
	int result;

	lf_arena_init(&arena, HENB_RPC_SCRATCH);
	cwmp_msg_init(&m);
	size_t n_ev = henb_agent_inform_events(a, ev, CWMP_MAX_EVENTS);
	struct lf__inform_ctx c = {.a = a, .arena = &arena, .max = 64 + HENB_MAX_CHANGED};
	c.pv = lf_arena_alloc(&arena, c.max * sizeof(*c.pv));
	struct henb_dm_ref root;
	henb_dm_resolve(a->dm, "Device.", &root);
	result = c.pv ? henb_dm_walk(a->dm, &root, 0, lf__visit_forced, &c) : LF_ETOOBIG;
	for (size_t i = 0; i < a->delivery.n_changed && !result; i++) {
		const struct henb_dm_param *p = henb_dm_param_def(a->dm, &a->delivery.changed[i]);
		if (!(p->flags & HENB_DM_SECRET))
			result = lf__add_param(&c, &a->delivery.changed[i]);
	}
	if (result)
		goto out;
	for (size_t i = 0; i < n_ev; i++) {
		int w = snprintf(list + pos, sizeof(list) - pos, "%s%s", i ? "," : "", ev[i].code);
		if (w > 0 && (size_t)w < sizeof(list) - pos)
			pos += (size_t)w;
	}
	lf_time_iso8601(time(NULL), now, sizeof(now));
	snprintf(s->id, sizeof(s->id), "%u", ++a->cwmp_id);
	m.method = CWMP_INFORM;
	m.version = CWMP_V1_2;
	m.id = s->id;
	m.u.inform.device_id.manufacturer = a->cfg.manufacturer;
	m.u.inform.device_id.oui = a->cfg.oui;
	m.u.inform.device_id.product_class = a->cfg.product_class;
	m.u.inform.device_id.serial_number = a->cfg.serial_number;
	m.u.inform.events = ev;
	m.u.inform.n_events = n_ev;
	m.u.inform.max_envelopes = 1;
	m.u.inform.current_time = now;
	m.u.inform.retry_count = a->retry_count;
	m.u.inform.params = c.pv;
	m.u.inform.n_params = c.n;
	result = cwmp_build(&m, &s->out);
	lf_info("session_start", "events=\"%s\" retry_count=%u params=%zu changed=%zu parameter_key=\"%s\"", list,
		a->retry_count, c.n, a->delivery.n_changed, henb_dm_get_str(a->dm, "Device.ManagementServer.ParameterKey"));
out:
	cwmp_msg_free(&m);
	lf_arena_free(&arena);
	return result;
}

static void lf__fail(struct henb_session *s, int result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void lf__fail(struct henb_session *s, int result, const char *fmt, ...)
{
	va_list ap;
	s->result = result;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->state = LF_S_DONE;
}

/* Our next request after the Inform exchange, or the empty POST that hands over to the ACS. */
static void lf__send_next(struct henb_session *s, bool hold)
{
	struct henb_agent *a = s->a;
	lf_buf_reset(&s->out);
	if (!hold && a->st.n_tc > 0) {
		const struct henb_transfer *t = &a->st.tc[0];
		struct cwmp_msg m;
		cwmp_msg_init(&m);
		snprintf(s->id, sizeof(s->id), "%u", ++a->cwmp_id);
		m.method = CWMP_TRANSFER_COMPLETE;
		m.version = CWMP_V1_2;
		m.id = s->id;
		m.u.transfer_complete.command_key = t->command_key;
		m.u.transfer_complete.fault_code = t->fault_code;
		m.u.transfer_complete.fault_string = t->fault_string;
		m.u.transfer_complete.start_time = t->start_time[0] ? t->start_time : NULL;
		m.u.transfer_complete.complete_time = t->complete_time[0] ? t->complete_time : NULL;
		int result = cwmp_build(&m, &s->out);
		cwmp_msg_free(&m);
		if (result) {
			lf__fail(s, result, "cannot build TransferComplete: %s", lf_strerror(result));
			return;
		}
		lf_info("transfer_complete_sent", "command_key=\"%s\" fault=%u", t->command_key, t->fault_code);
		s->state = LF_S_TRANSFER;
	} else if (!hold && henb_emergency_want_request(a)) {
		/* 5.7.3.2: the failsafe image asks the emergency HeMS for a new software image. */
		struct cwmp_msg m;
		cwmp_msg_init(&m);
		snprintf(s->id, sizeof(s->id), "%u", ++a->cwmp_id);
		m.method = CWMP_REQUEST_DOWNLOAD;
		m.version = CWMP_V1_2;
		m.id = s->id;
		m.u.request_download.file_type = "1 Firmware Upgrade Image";
		int result = cwmp_build(&m, &s->out);
		cwmp_msg_free(&m);
		if (result) {
			henb_emergency_request_done(a, false);
			lf__fail(s, result, "cannot build RequestDownload: %s", lf_strerror(result));
			return;
		}
		s->state = LF_S_REQUEST;
	} else {
		s->state = LF_S_SERVE;
	}
	if (henb_http_post(&s->http, s->out.data, s->out.len))
		lf__fail(s, LF_ENET, "%s", "cannot start the HTTP request");
}

static void lf__on_answer(struct henb_session *s)
{
	struct henb_http *h = &s->http;
	struct cwmp_msg m;
	char why[256];
	int result;

	if (s->state == LF_S_SERVE && (h->status == 204 || (h->status == 200 && h->resp.len == 0))) {
		s->state = LF_S_DONE;
		s->result = LF_OK;
		return;
	}
	if (h->status != 200) {
		lf__fail(s, LF_ENET, "ACS answered HTTP %ld", h->status);
		return;
	}
	cwmp_msg_init(&m);
	result = cwmp_parse(&m, h->resp.data ? h->resp.data : "", h->resp.len, why, sizeof(why));
	switch (s->state) {
	case LF_S_INFORM:
		if (result || m.method != CWMP_INFORM_RESPONSE) {
			lf__fail(s, result ? result : LF_EPARSE, "expected InformResponse, got %s",
				 result ? why : (m.method == CWMP_FAULT ? "a SOAP Fault" : cwmp_method_name(m.method)));
			break;
		}
		s->informed = true;
		henb_agent_informed(s->a);
		lf__send_next(s, m.has_hold_requests && m.hold_requests);
		break;
	case LF_S_TRANSFER:
		if (result || m.method != CWMP_TRANSFER_COMPLETE_RESPONSE) {
			/* Kept: the next session carries it again (TR-069: until acknowledged). */
			lf__fail(s, result ? result : LF_EPARSE, "expected TransferCompleteResponse, got %s",
				 result ? why : (m.method == CWMP_FAULT ? "a SOAP Fault" : cwmp_method_name(m.method)));
			break;
		}
		henb_agent_transfer_acked(s->a);
		lf__send_next(s, false);
		break;
	case LF_S_REQUEST:
		if (result || (m.method != CWMP_REQUEST_DOWNLOAD_RESPONSE && m.method != CWMP_FAULT)) {
			lf__fail(s, result ? result : LF_EPARSE, "expected RequestDownloadResponse, got %s",
				 result ? why : cwmp_method_name(m.method));
			break;
		}
		henb_emergency_request_done(s->a, m.method == CWMP_REQUEST_DOWNLOAD_RESPONSE);
		lf__send_next(s, false);
		break;
	case LF_S_SERVE:
		if (++s->rpcs > HENB_MAX_RPCS_PER_SESSION) {
			lf__fail(s, LF_ETOOBIG, "more than %d ACS requests in one session", HENB_MAX_RPCS_PER_SESSION);
			break;
		}
		lf_buf_reset(&s->out);
		if (result == LF_EUNSUPPORTED) {
			result = henb_rpc_fault(&m, CWMP_FAULT_METHOD_NOT_SUPPORTED, &s->out);
		} else if (result) {
			lf__fail(s, result, "bad message from the ACS: %s", why);
			break;
		} else {
			henb_agent_rpc_received(s->a, m.method);
			result = henb_rpc_answer(s->a, &m, &s->out);
		}
		if (result) {
			lf__fail(s, result, "cannot build the answer: %s", lf_strerror(result));
			break;
		}
		if (henb_http_post(&s->http, s->out.data, s->out.len))
			lf__fail(s, LF_ENET, "%s", "cannot start the HTTP request");
		break;
	case LF_S_DONE: break;
	}
	cwmp_msg_free(&m);
}

int henb_session_start(struct henb_session **out, struct henb_agent *a, char *err, size_t errlen)
{
	struct henb_session *s = lf_calloc(1, sizeof(*s));
	s->a = a;
	s->state = LF_S_INFORM;
	lf_buf_init(&s->out, CWMP_MAX_MESSAGE);
	char url[257];
	/* The failsafe image talks to the emergency HeMS only, whatever ManagementServer.URL says. */
	const char *emergency_url = henb_emergency_acs_url(a);
	snprintf(url, sizeof(url), "%s",
		 emergency_url ? emergency_url : henb_dm_get_str(a->dm, "Device.ManagementServer.URL"));
	struct henb_http_opts o = {
		.url = url,
		.username = henb_dm_get_str(a->dm, "Device.ManagementServer.Username"),
		.password = henb_dm_get_str(a->dm, "Device.ManagementServer.Password"),
		.ca_file = a->cfg.ca_file,
		.client_cert = a->cfg.client_cert,
		.client_key = a->cfg.client_key,
		.timeout_s = (long)a->cfg.http_timeout,
	};
	int result = henb_http_open(&s->http, &o, err, errlen);
	if (!result) {
		result = lf__build_inform(s);
		if (result)
			snprintf(err, errlen, "cannot build the Inform: %s", lf_strerror(result));
	}
	if (!result && henb_http_post(&s->http, s->out.data, s->out.len)) {
		snprintf(err, errlen, "cannot start the HTTP request");
		result = LF_ENET;
	}
	if (result) {
		henb_session_free(&s);
		return result;
	}
	*out = s;
	return LF_OK;
}

size_t henb_session_pollfds(const struct henb_session *s, struct pollfd *p, size_t max)
{
	return henb_http_pollfds(&s->http, p, max);
}

int64_t henb_session_deadline(const struct henb_session *s)
{
	return henb_http_deadline(&s->http);
}

bool henb_session_process(struct henb_session *s, const struct pollfd *p, size_t n, int64_t now_ms)
{
	int result;
	if (s->state == LF_S_DONE)
		return true;
	if (!henb_http_process(&s->http, p, n, now_ms, &result))
		return false;
	if (result) {
		lf__fail(s, result, "%s", s->http.errbuf);
		return true;
	}
	lf__on_answer(s);
	return s->state == LF_S_DONE;
}

int henb_session_result(const struct henb_session *s, bool *informed, const char **why, const char **local_ip)
{
	*informed = s->informed;
	*why = s->why;
	*local_ip = s->http.local_ip;
	return s->result;
}

void henb_session_free(struct henb_session **sp)
{
	struct henb_session *s = *sp;
	if (!s)
		return;
	henb_http_close(&s->http);
	lf_buf_free(&s->out);
	lf_free(s);
	*sp = NULL;
}
