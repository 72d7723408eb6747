/* session.c: the CWMP session engine of hemsd (TR-069 3.7: Inform first, ACS requests, empty POST, 204). */
#include "hems/session.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/random.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "store/store.h"

#define LF_SESSION_BUCKETS 4096
#define LF_COOKIE_NAME "lfsession"

struct hems_session {
	struct hems_session *next; /* bucket chain */
	char cookie[33];
	char device_id[STORE_MAX_ID];
	enum cwmp_version version; /* the namespace the CPE speaks, echoed in our messages */
	int64_t last_ms;
};

struct hems_sessions {
	struct hems_session *bucket[LF_SESSION_BUCKETS];
	size_t count;
	size_t max;
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
	lf_free(t);
	*tp = NULL;
}

size_t hems_sessions_count(const struct hems_sessions *t)
{
	return t->count;
}

static size_t lf__bucket(const char *cookie)
{
	/* FNV-1a: the cookie is random already, any mixing will do. */
	uint32_t h = 2166136261u;
	for (; *cookie; cookie++)
		h = (h ^ (unsigned char)*cookie) * 16777619u;
	return h % LF_SESSION_BUCKETS;
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

static void lf__session_remove(struct hems_sessions *t, struct hems_session *victim)
{
	struct hems_session **pp = &t->bucket[lf__bucket(victim->cookie)];
	while (*pp && *pp != victim)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = victim->next;
		t->count--;
		lf_free(victim);
	}
}

size_t hems_sessions_expire(struct hems_sessions *t, int64_t now_ms, int64_t idle_ms)
{
	size_t dropped = 0;
	for (size_t i = 0; i < LF_SESSION_BUCKETS; i++) {
		struct hems_session **pp = &t->bucket[i];
		while (*pp) {
			struct hems_session *s = *pp;
			if (now_ms - s->last_ms > idle_ms) {
				lf_info("session_expired", "device=%s idle_ms=%lld", s->device_id,
					(long long)(now_ms - s->last_ms));
				*pp = s->next;
				lf_free(s);
				t->count--;
				dropped++;
			} else {
				pp = &s->next;
			}
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
	if (hems_sessions_count(h->sessions) >= h->sessions->max) {
		/* Overload: refuse fast and tell the CPE when to come back, rather than slow everyone down. */
		hems_reply_text(r, 503, "too many sessions");
		r->retry_after = 30;
		lf_warn("session_refused", "device=%s reason=overload sessions=%zu", device_id,
			hems_sessions_count(h->sessions));
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
	lf_free(params);
	if (result) {
		lf__reply_fault(r, m->id, m->version, CWMP_FAULT_ACS_INTERNAL_ERROR, "store unavailable");
		return;
	}

	struct hems_session *s = lf_calloc(1, sizeof(*s));
	lf_random_hex(s->cookie, 16);
	snprintf(s->device_id, sizeof(s->device_id), "%s", device_id);
	s->version = m->version;
	s->last_ms = lf_now_ms();
	size_t b = lf__bucket(s->cookie);
	s->next = h->sessions->bucket[b];
	h->sessions->bucket[b] = s;
	h->sessions->count++;

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

/* An ACS method other than Inform, inside a session. */
static void lf__handle_acs_method(struct hems_session *s, const struct cwmp_msg *m, struct hems_reply *r)
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
		lf_info("transfer_complete", "device=%s command_key=\"%s\" fault=%u", s->device_id,
			m->u.transfer_complete.command_key ? m->u.transfer_complete.command_key : "",
			m->u.transfer_complete.fault_code);
		resp.method = CWMP_TRANSFER_COMPLETE_RESPONSE;
		break;
	case CWMP_REQUEST_DOWNLOAD:
		lf_info("request_download", "device=%s file_type=\"%s\"", s->device_id,
			m->u.request_download.file_type ? m->u.request_download.file_type : "");
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
		/* Empty POST: the CPE has no more requests. With nothing queued for it, the session ends (204). */
		if (!s) {
			hems_reply_text(r, 400, "empty POST outside a session: a session starts with an Inform");
			return;
		}
		lf_info("session_end", "device=%s", s->device_id);
		lf__session_remove(h->sessions, s);
		r->status = 204;
		return;
	}

	cwmp_msg_init(&m);
	result = cwmp_parse(&m, body, len, err, sizeof(err));
	if (result == LF_EUNSUPPORTED) {
		lf_warn("cwmp_unsupported", "remote=%s reason=\"%s\"", remote, err);
		lf__reply_fault(r, m.id, m.version, CWMP_FAULT_ACS_METHOD_NOT_SUPPORTED, NULL);
		goto out;
	}
	if (result) {
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
		goto out;
	}
	lf__handle_acs_method(s, &m, r);
out:
	cwmp_msg_free(&m);
}
