/* session.c: the CWMP session engine of hemsd (TR-069 3.7: Inform first, ACS requests, empty POST, 204). */
#include "hems/session.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/random.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "hems/connreq.h"
#include "hems/distress_server.h"
#include "hems/first_rpc.h"
#include "hems/remediation.h"
#include "hems/roles.h"
#include "hems/rpc.h"
#include "store/store.h"

#define LF_SESSION_BUCKETS 4096
#define LF_COOKIE_NAME "lfsession"

struct hems_session {
	struct hems_session *next;     /* chain in the cookie index */
	struct hems_session *next_dev; /* chain in the device index */
	char cookie[33];
	char device_id[STORE_MAX_ID];
	enum cwmp_version version; /* the namespace the CPE speaks, echoed in our messages */
	int64_t last_ms;
	int64_t task_id;           /* task sent and awaiting its answer, 0 if none */
	enum cwmp_method task_method;
	/* The Inform's transaction found no queued task, at this store_task_version: the first empty POST
	 * can answer 204 without a read transaction of its own while the version is unchanged. */
	int idle_known;
	uint64_t idle_version;
};

struct hems_sessions {
	struct hems_session *bucket[LF_SESSION_BUCKETS];     /* by cookie */
	struct hems_session *by_device[LF_SESSION_BUCKETS]; /* by device id: one session per device */
	size_t count;
	size_t max;
	struct cwmp_parser *parser; /* one expat parser, reset per message (the loop thread owns the table) */
};

void hems_reply_init(struct hems_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	lf_buf_init(&r->body, CWMP_MAX_MESSAGE * 4);
}

void hems_reply_free(struct hems_reply *r)
{
	lf_buf_free(&r->body);
}

void hems_reply_text(struct hems_reply *r, unsigned status, const char *fmt, ...)
{
	va_list ap;
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	lf_buf_reset(&r->body);
	va_start(ap, fmt);
	lf_buf_vprintf(&r->body, fmt, ap);
	va_end(ap);
	lf_buf_puts(&r->body, "\n");
}

struct hems_sessions *hems_sessions_new(size_t max)
{
	struct hems_sessions *t = lf_calloc(1, sizeof(*t));
	t->max = max;
	t->parser = cwmp_parser_new();
	return t;
}

void hems_sessions_free(struct hems_sessions **tp)
{
	struct hems_sessions *t = *tp;
	if (!t)
		return;
	for (size_t i = 0; i < LF_SESSION_BUCKETS; i++) {
		struct hems_session *s = t->bucket[i];
		while (s) {
			struct hems_session *next = s->next;
			lf_free(s);
			s = next;
		}
	}
	cwmp_parser_free(&t->parser);
	lf_free(t);
	*tp = NULL;
}

size_t hems_sessions_count(const struct hems_sessions *t)
{
	return t->count;
}

static size_t lf__bucket(const char *key)
{
	/* FNV-1a over the key (a random cookie or a device id). */
	uint32_t h = 2166136261u;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % LF_SESSION_BUCKETS;
}

static struct hems_session *lf__session_of_device(struct hems_sessions *t, const char *device_id)
{
	for (struct hems_session *s = t->by_device[lf__bucket(device_id)]; s; s = s->next_dev)
		if (strcmp(s->device_id, device_id) == 0)
			return s;
	return NULL;
}

int hems_session_of_device(struct hems *h, const char *device_id)
{
	return h->sessions && lf__session_of_device(h->sessions, device_id) != NULL;
}

static void lf__session_insert(struct hems_sessions *t, struct hems_session *s)
{
	size_t b = lf__bucket(s->cookie);
	s->next = t->bucket[b];
	t->bucket[b] = s;
	b = lf__bucket(s->device_id);
	s->next_dev = t->by_device[b];
	t->by_device[b] = s;
	t->count++;
}

/* Unlink s from both indexes (does not free). */
static void lf__session_unlink(struct hems_sessions *t, struct hems_session *victim)
{
	struct hems_session **pp = &t->bucket[lf__bucket(victim->cookie)];
	while (*pp && *pp != victim)
		pp = &(*pp)->next;
	if (*pp)
		*pp = victim->next;
	pp = &t->by_device[lf__bucket(victim->device_id)];
	while (*pp && *pp != victim)
		pp = &(*pp)->next_dev;
	if (*pp)
		*pp = victim->next_dev;
	t->count--;
}

static struct hems_session *lf__session_find(struct hems_sessions *t, const char *cookie)
{
	if (!cookie)
		return NULL;
	for (struct hems_session *s = t->bucket[lf__bucket(cookie)]; s; s = s->next)
		if (strcmp(s->cookie, cookie) == 0)
			return s;
	return NULL;
}

int hems_session_known(struct hems *h, const char *cookie)
{
	return lf__session_find(h->sessions, cookie) != NULL;
}

/* End a session: a task still awaiting its answer has failed (it may or may not have run on the device). */
static void lf__session_end(struct hems *h, struct hems_session *s, const char *why)
{
	if (s->task_id) {
		store_task_set_status(h->store, s->task_id, STORE_TASK_FAILED, NULL, why, (int64_t)time(NULL));
		lf_warn("task_failed", "device=%s task=%lld reason=\"%s\"", s->device_id, (long long)s->task_id, why);
		h->metrics.tasks_failed++;
		if (h->remediation)
			hems_remediation_on_task(h, s->task_id);
	}
	lf__session_unlink(h->sessions, s);
	lf_free(s);
	h->metrics.sessions_ended++;
}

size_t hems_sessions_expire(struct hems *h, int64_t now_ms, int64_t idle_ms)
{
	struct hems_sessions *t = h->sessions;
	size_t dropped = 0;
	for (size_t i = 0; i < LF_SESSION_BUCKETS; i++) {
		struct hems_session *s = t->bucket[i];
		while (s) {
			struct hems_session *next = s->next;
			if (now_ms - s->last_ms > idle_ms) {
				lf_info("session_expired", "device=%s idle_ms=%lld", s->device_id,
					(long long)(now_ms - s->last_ms));
				char dev[sizeof(s->device_id)];
				snprintf(dev, sizeof(dev), "%s", s->device_id);
				lf__session_end(h, s, "session timed out");
				dropped++;
				/* Tasks queued while the session was open waited for it (no connection request then):
				 * if any is left, ask the device to come back. */
				struct store_task task;
				if (store_task_next(h->store, dev, &task) == LF_OK) {
					store_task_clear(&task);
					hems_connreq_wake(h, dev);
				}
			}
			s = next;
		}
	}
	return dropped;
}

/* Answer with a SOAP envelope built from msg. */
static void lf__reply_msg(struct hems_reply *r, const struct cwmp_msg *msg)
{
	lf_buf_reset(&r->body);
	if (cwmp_build(msg, &r->body)) {
		hems_reply_text(r, 500, "cannot build %s", cwmp_method_name(msg->method));
		return;
	}
	r->status = 200;
	r->content_type = "text/xml; charset=\"utf-8\"";
}

static void lf__reply_fault(struct hems_reply *r, const char *id, enum cwmp_version v, uint32_t code,
			    const char *why)
{
	struct cwmp_msg f;
	cwmp_msg_init(&f);
	f.method = CWMP_FAULT;
	f.version = v;
	f.id = id;
	f.u.fault.code = code;
	f.u.fault.string = why ? why : cwmp_fault_text(code);
	lf__reply_msg(r, &f);
	cwmp_msg_free(&f);
}

/* Find a parameter value in an Inform by the name's tail after the root object ("DeviceInfo.SoftwareVersion"
 * matches Device.DeviceInfo.SoftwareVersion and InternetGatewayDevice.DeviceInfo.SoftwareVersion). */
static const char *lf__inform_param(const struct cwmp_inform *in, const char *tail)
{
	size_t tl = strlen(tail);
	for (size_t i = 0; i < in->n_params; i++) {
		const char *name = in->params[i].name;
		const char *dot = strchr(name, '.');
		if (dot && strlen(dot + 1) == tl && memcmp(dot + 1, tail, tl) == 0)
			return in->params[i].value;
	}
	return NULL;
}

/* At 0 BOOTSTRAP give the device its own connection request credentials: remember them, and queue the
 * SetParameterValues that installs them as the first task of this session. */
static void lf__provision_cr_credentials(struct hems *h, const char *device_id, const struct cwmp_inform *in)
{
	struct store_credentials c;
	char args[1024];
	const char *root = "Device";
	int64_t id;
	if (in->n_params && strncmp(in->params[0].name, "InternetGatewayDevice.", 22) == 0)
		root = "InternetGatewayDevice";
	memset(&c, 0, sizeof(c));
	snprintf(c.cr_username, sizeof(c.cr_username), "cr-");
	lf_random_hex(c.cr_username + 3, 8);
	lf_random_hex(c.cr_password, 16);
	snprintf(args, sizeof(args),
		 "{\"values\":[{\"name\":\"%s.ManagementServer.ConnectionRequestUsername\",\"value\":\"%s\"},"
		 "{\"name\":\"%s.ManagementServer.ConnectionRequestPassword\",\"value\":\"%s\"}],"
		 "\"parameterKey\":\"hems-provision\"}",
		 root, c.cr_username, root, c.cr_password);
	if (store_credentials_set(h->store, device_id, &c) ||
	    store_task_add(h->store, device_id, "SetParameterValues", args, (int64_t)time(NULL), &id)) {
		lf_error("provision_failed", "device=%s what=connection_request_credentials", device_id);
		return;
	}
	lf_info("provision", "device=%s what=connection_request_credentials task=%lld", device_id, (long long)id);
}

static int lf__has_event(const struct cwmp_inform *in, const char *code)
{
	for (size_t i = 0; i < in->n_events; i++)
		if (strcmp(in->events[i].code, code) == 0)
			return 1;
	return 0;
}

/* End the transaction lf__handle_inform began (tx != 0): commit, or roll back when failed. */
static int lf__tx_end(struct hems *h, int tx, int failed)
{
	return tx ? store_end(h->store, failed) : LF_OK;
}

static void lf__handle_inform(struct hems *h, struct hems_session *existing, const struct cwmp_msg *m,
			      const char *remote, struct hems_reply *r)
{
	const struct cwmp_inform *in = &m->u.inform;
	char device_id[STORE_MAX_ID];
	char events[STORE_MAX_EVENTS];
	struct store_param *params = NULL;
	size_t pos = 0;
	int result;

	if (existing) {
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_INVALID_ARGUMENTS,
				"Inform inside an open session");
		return;
	}
	if (!in->device_id.oui || !in->device_id.serial_number || !in->device_id.oui[0] ||
	    !in->device_id.serial_number[0]) {
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_INVALID_ARGUMENTS,
				"Inform without DeviceId OUI and SerialNumber");
		return;
	}
	if (store_device_id(device_id, sizeof(device_id), in->device_id.oui,
			    in->device_id.product_class ? in->device_id.product_class : "",
			    in->device_id.serial_number)) {
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_INVALID_ARGUMENTS, "DeviceId too long");
		return;
	}
	/* The block check and the Inform record share one store transaction: each SQLite transaction costs
	 * its file locks and WAL-index bookkeeping, and a periodic Inform would otherwise pay them twice. The
	 * transaction commits right after the record, before anything else runs and before the answer is
	 * built, so what is durable when the CPE gets its InformResponse is unchanged. If it cannot begin, each
	 * call below runs in its own transaction as before. */
	int tx = store_begin(h->store) == LF_OK;
	int blocked = 0;
	char reason[256];
	if (store_block_get(h->store, device_id, &blocked, reason, sizeof(reason)) == LF_OK && blocked) {
		/* A blocked HeNB gets no session and nothing of it is stored (5.7.4). */
		lf__tx_end(h, tx, 0);
		hems_reply_text(r, 403, "device %s is blocked: %s", device_id, reason);
		lf_warn("session_refused", "device=%s reason=blocked", device_id);
		h->metrics.refused_blocked++;
		return;
	}
	if (lf__session_of_device(h->sessions, device_id)) {
		/* One session per device: a second concurrent Inform is told to retry later (8005). */
		lf__tx_end(h, tx, 0);
		lf_warn("session_refused", "device=%s reason=concurrent_session", device_id);
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_RETRY_REQUEST,
				"a session with this device is already open");
		return;
	}
	if (hems_sessions_count(h->sessions) >= h->sessions->max) {
		/* Overload: refuse fast and tell the CPE when to come back, rather than slow everyone down. */
		lf__tx_end(h, tx, 0);
		hems_reply_text(r, 503, "too many sessions");
		r->retry_after = 30;
		lf_warn("session_refused", "device=%s reason=overload sessions=%zu", device_id,
			hems_sessions_count(h->sessions));
		h->metrics.refused_overload++;
		return;
	}

	events[0] = '\0';
	for (size_t i = 0; i < in->n_events; i++) {
		int n = snprintf(events + pos, sizeof(events) - pos, "%s%s", i ? "," : "", in->events[i].code);
		if (n < 0 || (size_t)n >= sizeof(events) - pos)
			break;
		pos += (size_t)n;
	}
	params = lf_calloc(in->n_params ? in->n_params : 1, sizeof(*params));
	for (size_t i = 0; i < in->n_params; i++) {
		params[i].name = in->params[i].name;
		params[i].value = in->params[i].value;
		params[i].type = in->params[i].type;
	}
	struct store_inform si = {
		.device_id = device_id,
		.manufacturer = in->device_id.manufacturer ? in->device_id.manufacturer : "",
		.oui = in->device_id.oui,
		.product_class = in->device_id.product_class ? in->device_id.product_class : "",
		.serial_number = in->device_id.serial_number,
		.software_version = lf__inform_param(in, "DeviceInfo.SoftwareVersion"),
		.hardware_version = lf__inform_param(in, "DeviceInfo.HardwareVersion"),
		.conn_req_url = lf__inform_param(in, "ManagementServer.ConnectionRequestURL"),
		.events = events,
		.remote_addr = remote,
		.params = params,
		.n_params = in->n_params,
		.now = (int64_t)time(NULL),
	};
	result = store_record_inform(h->store, &si);
	/* Read in the same transaction whether remediation has anything to do with this Inform (an open case
	 * or alarm parameters): for a healthy device's periodic Inform that saves a read transaction. A
	 * 0 BOOTSTRAP always goes to remediation, since the bootstrap provisioning below runs first. */
	int remediate = h->remediation != NULL;
	if (remediate && !result && tx && !lf__has_event(in, "0 BOOTSTRAP"))
		remediate = hems_remediation_wants_inform(h, device_id, in);
	/* Likewise whether a task is queued for the device: when none, the session's empty POST (the next
	 * request, usually) is answered 204 from that, unless a task was queued in between (the version). */
	int idle_known = 0;
	uint64_t idle_version = 0;
	if (!result && tx) {
		struct store_task t;
		int found = store_task_next(h->store, device_id, &t);
		if (found == LF_OK)
			store_task_clear(&t);
		idle_known = found == LF_ENOTFOUND;
		idle_version = store_task_version(h->store);
	}
	if (lf__tx_end(h, tx, result != LF_OK) && !result)
		result = LF_ESTORE; /* the commit failed: nothing of this Inform is stored */
	lf_free(params);
	if (result) {
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_INTERNAL_ERROR, "store unavailable");
		return;
	}

	/* The session exists from here: what provisioning and remediation queue now goes out in it (and needs no
	 * connection request, hems_session_of_device). */
	struct hems_session *s = lf_calloc(1, sizeof(*s));
	lf_random_hex(s->cookie, 16);
	snprintf(s->device_id, sizeof(s->device_id), "%s", device_id);
	s->version = m->version;
	s->last_ms = lf_now_ms();
	s->idle_known = idle_known;
	s->idle_version = idle_version;
	lf__session_insert(h->sessions, s);
	h->metrics.sessions_started++;
	h->metrics.informs++;

	/* Only the serving HeMS provisions and remediates; the initial one hands devices over, the emergency
	 * one re-images them (roles.c). */
	int serving = !h->roles || hems_roles_serving(h);
	/* What they write (provisioning tasks, alarms, cases, notifications) commits once, before the answer. */
	int tx_work = (remediate || lf__has_event(in, "0 BOOTSTRAP")) && store_begin(h->store) == LF_OK;
	for (size_t i = 0; i < in->n_events && serving; i++)
		if (strcmp(in->events[i].code, "0 BOOTSTRAP") == 0) {
			if (h->cfg.provision_cr_credentials)
				lf__provision_cr_credentials(h, device_id, in);
			if (h->remediation)
				hems_remediation_on_bootstrap(h, device_id);
			hems_distress_provision(h, device_id); /* LF_EUNSUPPORTED when the channel is off */
		}
	if (remediate)
		hems_remediation_on_inform(h, device_id, in);
	hems_roles_on_inform(h, device_id, in);
	if (lf__tx_end(h, tx_work, 0) != LF_OK) {
		/* Not stored (alarms included): no InformResponse, so the CPE keeps its events and informs again. */
		lf_error("inform_work_not_stored", "device=%s", device_id);
		lf__session_end(h, s, "store unavailable");
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_INTERNAL_ERROR, "store unavailable");
		return;
	}


	lf_info("inform", "device=%s events=\"%s\" params=%zu retry_count=%u remote=%s", device_id, events,
		in->n_params, in->retry_count, remote);

	struct cwmp_msg resp;
	cwmp_msg_init(&resp);
	resp.method = CWMP_INFORM_RESPONSE;
	resp.version = m->version;
	resp.id = m->id;
	resp.u.inform_response.max_envelopes = 1;
	lf__reply_msg(r, &resp);
	cwmp_msg_free(&resp);
	snprintf(r->set_cookie, sizeof(r->set_cookie), LF_COOKIE_NAME "=%s; Path=/; HttpOnly", s->cookie);
}

/* TransferComplete: attach the outcome to the Download task with the same CommandKey. */
static void lf__transfer_complete(struct hems *h, struct hems_session *s, const struct cwmp_msg *m)
{
	const struct cwmp_transfer_complete *tc = &m->u.transfer_complete;
	json_t *doc = json_pack("{s:i, s:s, s:s, s:s}", "faultCode", (int)tc->fault_code, "faultString",
				tc->fault_string ? tc->fault_string : "", "startTime",
				tc->start_time ? tc->start_time : "", "completeTime",
				tc->complete_time ? tc->complete_time : "");
	char *text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	int result = store_task_transfer_complete(h->store, s->device_id, tc->command_key ? tc->command_key : "", text);
	free(text);
	lf_info("transfer_complete", "device=%s command_key=\"%s\" fault=%u download_task=%s", s->device_id,
		tc->command_key ? tc->command_key : "", tc->fault_code,
		result == LF_OK ? "matched" : (result == LF_ENOTFOUND ? "none" : "store_error"));
	if (h->remediation)
		hems_remediation_on_transfer_complete(h, s->device_id, tc);
	if (h->on_transfer_complete)
		h->on_transfer_complete(h, s->device_id, tc);
}

/* An ACS method other than Inform, inside a session. */
static void lf__handle_acs_method(struct hems *h, struct hems_session *s, const struct cwmp_msg *m,
				  struct hems_reply *r)
{
	static const char *methods[] = {"Inform", "GetRPCMethods", "TransferComplete", "RequestDownload"};
	struct cwmp_msg resp;
	cwmp_msg_init(&resp);
	resp.version = m->version;
	resp.id = m->id;
	switch (m->method) {
	case CWMP_GET_RPC_METHODS:
		resp.method = CWMP_GET_RPC_METHODS_RESPONSE;
		resp.u.rpc_methods.methods = methods;
		resp.u.rpc_methods.n = sizeof(methods) / sizeof(methods[0]);
		break;
	case CWMP_TRANSFER_COMPLETE:
		lf__transfer_complete(h, s, m);
		resp.method = CWMP_TRANSFER_COMPLETE_RESPONSE;
		break;
	case CWMP_REQUEST_DOWNLOAD:
		lf_info("request_download", "device=%s file_type=\"%s\"", s->device_id,
			m->u.request_download.file_type ? m->u.request_download.file_type : "");
		hems_roles_on_request_download(h, s->device_id,
					       m->u.request_download.file_type ? m->u.request_download.file_type : "");
		if (h->on_request_download)
			h->on_request_download(h, s->device_id, &m->u.request_download);
		resp.method = CWMP_REQUEST_DOWNLOAD_RESPONSE;
		break;
	default:
		cwmp_msg_free(&resp);
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_METHOD_NOT_SUPPORTED, NULL);
		return;
	}
	lf__reply_msg(r, &resp);
	cwmp_msg_free(&resp);
}

/* Send the device's next queued task, or end the session with 204 when none is left. */
static void lf__dispatch_next(struct hems *h, struct hems_session *s, struct hems_reply *r)
{
	char err[256];
	char id[32];
	/* Used once: later in the session the store is asked again. */
	int idle = s->idle_known && s->idle_version == store_task_version(h->store);
	s->idle_known = 0;
	for (;;) {
		struct store_task t;
		int result = idle ? LF_ENOTFOUND : store_task_next(h->store, s->device_id, &t);
		if (result) {
			if (result != LF_ENOTFOUND)
				lf_error("task_next_failed", "device=%s", s->device_id);
			lf_info("session_end", "device=%s", s->device_id);
			lf__session_end(h, s, "session ended");
			r->status = 204;
			return;
		}
		struct cwmp_msg m;
		cwmp_msg_init(&m);
		result = hems_rpc_request(t.method, t.args, &m, err, sizeof(err));
		if (result) {
			/* Arguments are checked when queued; this only happens to rows written by something else. */
			store_task_set_status(h->store, t.id, STORE_TASK_FAILED, NULL, err, (int64_t)time(NULL));
			cwmp_msg_free(&m);
			store_task_clear(&t);
			continue;
		}
		snprintf(id, sizeof(id), "task-%lld", (long long)t.id);
		m.version = s->version;
		m.id = id;
		lf__reply_msg(r, &m);
		store_task_set_status(h->store, t.id, STORE_TASK_SENT, NULL, NULL, (int64_t)time(NULL));
		s->task_id = t.id;
		s->task_method = m.method;
		h->metrics.tasks_sent++;
		hems_first_rpc_sent(h->first_rpc, hems_first_rpc_case_of(t.args), lf_now_ms());
		lf_info("task_sent", "device=%s task=%lld method=%s", s->device_id, (long long)t.id, t.method);
		cwmp_msg_free(&m);
		store_task_clear(&t);
		return;
	}
}

/* The CPE's answer to the task in flight: record it. */
static void lf__record_answer(struct hems *h, struct hems_session *s, const struct cwmp_msg *m)
{
	char *json = hems_rpc_result_json(m);
	int status = m->method == CWMP_FAULT ? STORE_TASK_FAULT : STORE_TASK_DONE;
	store_task_set_status(h->store, s->task_id, status, json, NULL, (int64_t)time(NULL));
	if (status == STORE_TASK_FAULT) {
		h->metrics.tasks_fault++;
		lf_info("task_fault", "device=%s task=%lld fault=%u", s->device_id, (long long)s->task_id,
			m->u.fault.code);
	} else {
		h->metrics.tasks_done++;
		lf_info("task_done", "device=%s task=%lld method=%s", s->device_id, (long long)s->task_id,
			cwmp_method_name(m->method));
	}
	lf_free(json);
	int64_t done = s->task_id;
	s->task_id = 0;
	if (h->remediation)
		hems_remediation_on_task(h, done);
}

void hems_cwmp_handle(struct hems *h, const char *cookie, const char *remote, const char *body, size_t len,
		      struct hems_reply *r)
{
	char err[256];
	struct hems_session *s = lf__session_find(h->sessions, cookie);
	struct cwmp_msg m;
	int result;

	if (s)
		s->last_ms = lf_now_ms();

	if (len == 0) {
		/* Empty POST: the CPE has no more requests; the ACS sends its queued tasks, then 204. */
		if (!s) {
			hems_reply_text(r, 400, "empty POST outside a session: a session starts with an Inform");
			h->metrics.bad_requests++;
			return;
		}
		if (s->task_id) {
			store_task_set_status(h->store, s->task_id, STORE_TASK_FAILED, NULL,
					      "CPE sent an empty POST instead of an answer", (int64_t)time(NULL));
			h->metrics.tasks_failed++;
			s->task_id = 0;
		}
		lf__dispatch_next(h, s, r);
		return;
	}

	cwmp_msg_init(&m);
	result = cwmp_parse_with(h->sessions->parser, &m, body, len, err, sizeof(err));
	if (result == LF_EUNSUPPORTED) {
		lf_warn("cwmp_unsupported", "remote=%s reason=\"%s\"", remote, err);
		lf__reply_fault(r, m.id, m.version, CWMP_FAULT_ACS_METHOD_NOT_SUPPORTED, NULL);
		goto out;
	}
	if (result) {
		h->metrics.bad_requests++;
		lf_warn("cwmp_bad_request", "remote=%s reason=\"%s\"", remote, err);
		hems_reply_text(r, 400, "bad CWMP message: %s", err);
		goto out;
	}
	if (m.method == CWMP_INFORM) {
		lf__handle_inform(h, s, &m, remote, r);
		goto out;
	}
	if (!s) {
		hems_reply_text(r, 400, "%s outside a session: a session starts with an Inform",
				cwmp_method_name(m.method));
		h->metrics.bad_requests++;
		goto out;
	}
	if (s->task_id && (m.method == CWMP_FAULT || (int)m.method == cwmp_method_response(s->task_method))) {
		/* One commit for the answer, what remediation makes of it, and the next task marked sent (all
		 * durable before the reply, as when each had its own). */
		int tx = store_begin(h->store) == LF_OK;
		lf__record_answer(h, s, &m);
		lf__dispatch_next(h, s, r);
		lf__tx_end(h, tx, 0);
		goto out;
	}
	if (s->task_id) {
		lf_warn("task_unexpected_answer", "device=%s task=%lld got=%s", s->device_id, (long long)s->task_id,
			cwmp_method_name(m.method));
		store_task_set_status(h->store, s->task_id, STORE_TASK_FAILED, NULL, "CPE answered with another message",
				      (int64_t)time(NULL));
		h->metrics.tasks_failed++;
		s->task_id = 0;
	}
	lf__handle_acs_method(h, s, &m, r);
out:
	cwmp_msg_free(&m);
}
