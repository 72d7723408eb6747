/* distress_server.c: the distress channel server of hemsd (5.7.3.1): CoAP over DTLS 1.2 (libcoap 3, GnuTLS) in
 * the main event loop, per-identity PSKs from the store, the resources of docs/protocol/distress-channel.md,
 * the persisted per-device action queue, alarm intake, the trigger sender and key provisioning. */
#include "hems/distress_server.h"

#include <coap3/coap.h>
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/random.h"
#include "common/timeutil.h"
#include "distress/trigger.h"
#include "hems/notify.h"
#include "hems/remediation.h"

#define LF_DS_SESSIONS 1024       /* distress sessions held in memory (one per identity) */
#define LF_DS_TRIGGERS 64         /* triggers whose copies are still being sent */
#define LF_DS_OUT 512             /* responses libcoap still transmits (block-wise) */
#define LF_DS_SCAN_MS 5000        /* provisioning scan period (devices registered since the full scan) */
#define LF_DS_FULL_SCAN_MS 600000 /* full scan of the fleet */
#define LF_DS_SCAN_BATCH 16

/* A distress session: the WELCOME's id for one identity. */
struct lf__session {
	char identity[DISTRESS_MAX_ID + 1]; /* "" = free slot */
	uint64_t id;
	int64_t last_ms;
};

/* A trigger whose remaining copies are due at next_ms. */
struct lf__trigger {
	int left;
	int64_t next_ms;
	char dgram[DISTRESS_TRIGGER_MAX + 1];
	size_t len;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char device_id[STORE_MAX_ID];
};

struct hems_distress {
	struct hems *h;
	coap_context_t *ctx;
	int fd;
	unsigned port;
	char server_url[256];
	uint8_t psk[DISTRESS_KEY_HEX];
	coap_bin_const_t psk_answer;
	struct lf__session sessions[LF_DS_SESSIONS];
	struct lf__trigger triggers[LF_DS_TRIGGERS];
	uint8_t *out[LF_DS_OUT]; /* response bodies lent to libcoap until its release callback */
	int sock4, sock6;        /* trigger senders, opened on first use */
	uint64_t trigger_id;
	int64_t next_scan_ms;
	int64_t last_full_scan_ms;
	int64_t full_scan_since; /* unix seconds: incremental scans look at devices first seen since */
	hems_distress_result_fn on_result;
};

/* Names of enum store_distress_status, for logs and notes. */
static const char *const lf__status_text[] = {"queued", "sent", "accepted", "done", "failed"};

/* ---------------------------------------------------------------- small helpers */

static const char *lf__status_name(int status)
{
	return status >= 0 && status <= STORE_DISTRESS_FAILED ? lf__status_text[status] : "?";
}

/* Copy an identity from the wire when it is printable ASCII of 1..199 bytes. */
static int lf__identity(const uint8_t *s, size_t n, char out[DISTRESS_MAX_ID + 1])
{
	if (n == 0 || n > DISTRESS_MAX_ID)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\')
			return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

/* Text from outside made safe for one key="value" log field: quotes and control bytes replaced, capped. */
static void lf__safe(const char *in, char *out, size_t outlen)
{
	size_t w = 0;
	for (; *in && w + 1 < outlen; in++) {
		unsigned char c = (unsigned char)*in;
		out[w++] = (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : (char)c;
	}
	out[w] = '\0';
}

/* "ip:port" or "[ipv6]:port", numeric only (never a DNS lookup on the event loop). */
static int lf__numeric_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[80];
	const char *port;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host))
			return LF_EINVAL;
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		port = close + 2;
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon || (size_t)(colon - text) >= sizeof(host))
			return LF_EINVAL;
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
		port = colon + 1;
	}
	if (!host[0] || !port[0] || strlen(port) > 5 || strspn(port, "0123456789") != strlen(port))
		return LF_EINVAL;
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_DGRAM}, *ai = NULL;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return LF_EINVAL;
	int result = LF_EINVAL;
	if (ai->ai_addrlen <= sizeof(*ss) && strtol(port, NULL, 10) > 0) {
		memcpy(ss, ai->ai_addr, ai->ai_addrlen);
		*len = (socklen_t)ai->ai_addrlen;
		result = LF_OK;
	}
	freeaddrinfo(ai);
	return result;
}

static int64_t lf__now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---------------------------------------------------------------- libcoap glue */

/* libcoap's messages, at most LF_COAP_LOG_BURST per 10 s: a peer with a wrong key makes a few per attempt. */
#define LF_COAP_LOG_BURST 10

static void lf__coap_log(coap_log_t level, const char *message)
{
	static int64_t window;
	static unsigned count, suppressed;
	int64_t now = lf_now_ms();
	if (now - window >= 10000) {
		if (suppressed)
			lf_warn("coap_log_suppressed", "count=%u", suppressed);
		window = now;
		count = suppressed = 0;
	}
	if (++count > LF_COAP_LOG_BURST) {
		suppressed++;
		return;
	}
	char text[512];
	lf__safe(message, text, sizeof(text));
	size_t n = strlen(text);
	while (n && (text[n - 1] == '?' || text[n - 1] == ' '))
		text[--n] = '\0'; /* the trailing newline */
	lf_log(level <= LOG_ERR       ? LF_LOG_ERROR
	       : level == LOG_WARNING ? LF_LOG_WARN
	                              : LF_LOG_DEBUG,
	       "coap", "msg=\"%s\"", text);
}

/* PSK of an identity: from the store. An unknown, blocked or malformed identity gets a random key, so the
 * handshake fails exactly as with a wrong key and a client cannot learn which identities exist. */
static const coap_bin_const_t *lf__psk_for(coap_bin_const_t *identity, coap_session_t *session, void *arg)
{
	struct hems_distress *d = arg;
	char id[DISTRESS_MAX_ID + 1], reason[64];
	struct store_distress_device dev;
	const char *why = NULL;
	int blocked = 0;
	(void)session;
	if (!identity || !lf__identity(identity->s, identity->length, id))
		why = "malformed identity";
	else if (store_distress_device_get(d->h->store, id, &dev) != LF_OK || !distress_key_valid(dev.psk))
		why = "unknown identity";
	else if (store_block_get(d->h->store, id, &blocked, reason, sizeof(reason)) == LF_OK && blocked)
		why = "device blocked";
	if (why) {
		char safe[64];
		if (identity && identity->length && identity->length < sizeof(safe)) {
			char raw[64];
			memcpy(raw, identity->s, identity->length);
			raw[identity->length] = '\0';
			lf__safe(raw, safe, sizeof(safe));
		} else {
			snprintf(safe, sizeof(safe), "(%zu bytes)", identity ? identity->length : 0);
		}
		lf_warn("distress_refused", "identity=\"%s\" reason=\"%s\"", safe, why);
		lf_random_bytes(d->psk, sizeof(d->psk));
	} else {
		memcpy(d->psk, dev.psk, DISTRESS_KEY_HEX);
	}
	d->psk_answer.s = d->psk;
	d->psk_answer.length = DISTRESS_KEY_HEX;
	return &d->psk_answer;
}

/* libcoap is done with a response body. */
static void lf__release(coap_session_t *session, void *app_ptr)
{
	(void)session;
	uint8_t **slot = app_ptr;
	lf_free_ptr(slot);
}

/* The successful response: code and payload (Content-Format 65100), block-wise when large. */
static void lf__reply(struct hems_distress *d, coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
                      coap_pdu_t *resp, coap_pdu_code_t code, const uint8_t *body, size_t len)
{
	size_t i = 0;
	while (i < LF_DS_OUT && d->out[i])
		i++;
	if (i == LF_DS_OUT) {
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE);
		return;
	}
	d->out[i] = lf_malloc(len ? len : 1);
	memcpy(d->out[i], body, len);
	coap_pdu_set_code(resp, code);
	if (!coap_add_data_large_response(r, s, req, resp, NULL, DISTRESS_CONTENT_FORMAT, -1, 0, len, d->out[i],
	                                  lf__release, &d->out[i]))
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR);
	/* libcoap released it already on failure or after a one-PDU send; if not, it does after the last block. */
}

/* An error response with its diagnostic payload (RFC 7252 5.5.2). */
static void lf__error(coap_pdu_t *resp, coap_pdu_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void lf__error(coap_pdu_t *resp, coap_pdu_code_t code, const char *fmt, ...)
{
	char text[256];
	uint8_t cf[4];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	coap_pdu_set_code(resp, code);
	coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
	                coap_encode_var_safe(cf, sizeof(cf), COAP_MEDIATYPE_TEXT_PLAIN), cf);
	coap_add_data(resp, strlen(text), (const uint8_t *)text);
}

/* What every request handler starts with. */
struct lf__req {
	struct hems_distress *d;
	char identity[DISTRESS_MAX_ID + 1];
	char remote[STORE_MAX_ADDR];
	const uint8_t *body;
	size_t len;
};

static int lf__begin(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req, coap_pdu_t *resp, struct lf__req *rq,
                     const char *what)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt;
	size_t offset = 0, total = 0;
	int blocked = 0;
	char reason[256];
	memset(rq, 0, sizeof(*rq));
	rq->d = coap_resource_get_userdata(r);
	coap_print_addr(coap_session_get_addr_remote(s), (uint8_t *)rq->remote, sizeof(rq->remote) - 1);
	const coap_bin_const_t *id = coap_session_get_psk_identity(s);
	if (!id || !lf__identity(id->s, id->length, rq->identity)) {
		lf__error(resp, COAP_RESPONSE_CODE_UNAUTHORIZED, "no PSK identity on this DTLS session");
		return -1;
	}
	opt = coap_check_option(req, COAP_OPTION_CONTENT_FORMAT, &it);
	if (opt) {
		unsigned cf = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
		if (cf != DISTRESS_CONTENT_FORMAT) {
			lf__error(resp, COAP_RESPONSE_CODE_UNSUPPORTED_CONTENT_FORMAT, "Content-Format %u, expected %d",
			          cf, DISTRESS_CONTENT_FORMAT);
			return -1;
		}
	}
	if (!coap_get_data_large(req, &rq->len, &rq->body, &offset, &total)) {
		rq->len = 0;
		rq->body = (const uint8_t *)"";
	} else if (total > DISTRESS_MAX_MESSAGE) {
		lf__error(resp, COAP_RESPONSE_CODE_REQUEST_TOO_LARGE, "%zu bytes, over %d", total,
		          DISTRESS_MAX_MESSAGE);
		return -1;
	} else if (offset != 0 || rq->len != total) {
		lf__error(resp, COAP_RESPONSE_CODE_BAD_REQUEST, "incomplete body (%zu of %zu bytes)", rq->len, total);
		return -1;
	}
	if (store_block_get(rq->d->h->store, rq->identity, &blocked, reason, sizeof(reason)) == LF_OK && blocked) {
		lf__error(resp, COAP_RESPONSE_CODE_FORBIDDEN, "device is blocked");
		lf_warn("distress_request_refused", "device=%s what=%s reason=blocked", rq->identity, what);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- sessions */

static struct lf__session *lf__session_of(struct hems_distress *d, const char *identity)
{
	for (size_t i = 0; i < LF_DS_SESSIONS; i++)
		if (d->sessions[i].identity[0] && strcmp(d->sessions[i].identity, identity) == 0)
			return &d->sessions[i];
	return NULL;
}

static uint64_t lf__session_open(struct hems_distress *d, const char *identity)
{
	struct lf__session *s = lf__session_of(d, identity);
	int64_t now = lf_now_ms();
	if (!s) {
		struct lf__session *oldest = &d->sessions[0];
		for (size_t i = 0; i < LF_DS_SESSIONS && !s; i++) {
			if (!d->sessions[i].identity[0])
				s = &d->sessions[i];
			else if (d->sessions[i].last_ms < oldest->last_ms)
				oldest = &d->sessions[i];
		}
		if (!s)
			s = oldest; /* full: the least recently used session is forgotten (its device gets 4.01) */
	}
	snprintf(s->identity, sizeof(s->identity), "%s", identity);
	s->id = lf_random_range(1, (UINT64_C(1) << 62) - 1);
	s->last_ms = now;
	return s->id;
}

/* The caller's session, refreshed; NULL with 4.01 set when id is not its current session. */
static struct lf__session *lf__session_check(struct lf__req *rq, uint64_t id, coap_pdu_t *resp)
{
	struct lf__session *s = lf__session_of(rq->d, rq->identity);
	if (!s || s->id != id) {
		lf__error(resp, COAP_RESPONSE_CODE_UNAUTHORIZED, "no open distress session %llu: POST /%s first",
		          (unsigned long long)id, DISTRESS_PATH_SESSION);
		return NULL;
	}
	s->last_ms = lf_now_ms();
	return s;
}

static uint32_t lf__pending(struct hems_distress *d, const char *device_id)
{
	int64_t n = 0;
	if (store_distress_action_pending(d->h->store, device_id, &n) != LF_OK || n < 0)
		return 0;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* ---------------------------------------------------------------- results and intake */

/* Alarms from the device: the same intake as an Inform's (idempotent store, engine, northbound). */
static void lf__alarm_intake(struct hems_distress *d, const char *device_id, const struct distress_alarm *al, size_t n)
{
	struct hems *h = d->h;
	for (size_t i = 0; i < n; i++) {
		struct store_alarm a;
		memset(&a, 0, sizeof(a));
		snprintf(a.device_id, sizeof(a.device_id), "%s", device_id);
		snprintf(a.alarm_identifier, sizeof(a.alarm_identifier), "%s", al[i].alarm_identifier);
		snprintf(a.event_time, sizeof(a.event_time), "%s", al[i].event_time[0] ? al[i].event_time : "unknown");
		snprintf(a.notification_type, sizeof(a.notification_type), "%s",
		         distress_notification_name(al[i].notification));
		snprintf(a.managed_object, sizeof(a.managed_object), "%s", al[i].managed_object);
		snprintf(a.event_type, sizeof(a.event_type), "%s", al[i].event_type);
		snprintf(a.probable_cause, sizeof(a.probable_cause), "%s", al[i].probable_cause);
		snprintf(a.specific_problem, sizeof(a.specific_problem), "%s", al[i].specific_problem);
		snprintf(a.severity, sizeof(a.severity), "%s", distress_severity_name(al[i].severity));
		snprintf(a.additional_text, sizeof(a.additional_text), "%s", al[i].additional_text);
		snprintf(a.additional_info, sizeof(a.additional_info), "%s", al[i].additional_info);
		snprintf(a.source, sizeof(a.source), "distress");
		a.received = lf__now_s();
		hems_alarm_intake(h, &a);
	}
}

struct lf__ids {
	int64_t ids[32];
	size_t n;
};

static int lf__collect(void *ctx, const struct store_distress_action *a)
{
	struct lf__ids *l = ctx;
	if (l->n < sizeof(l->ids) / sizeof(l->ids[0]))
		l->ids[l->n++] = a->id;
	return 0;
}

static void lf__finish(struct hems_distress *d, struct store_distress_action *a, int status, const char *note)
{
	a->status = status;
	a->completed = lf__now_s();
	snprintf(a->note, sizeof(a->note), "%s", note);
	store_distress_action_update(d->h->store, a);
	lf_info("distress_result", "device=%s action=%lld kind=%s status=%s note=\"%s\"", a->device_id,
	        (long long)a->id, a->kind, lf__status_name(status), note);
	char what[384];
	snprintf(what, sizeof(what), "distress action %lld (%s) %s: %s", (long long)a->id, a->kind,
	         lf__status_name(status), note);
	hems_case_note(d->h, a->device_id, "device", what);
	if (d->on_result)
		d->on_result(d->h, a);
}

static int lf__has_event(char events[][DISTRESS_LEN_EVENT + 1], size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(events[i], code) == 0)
			return 1;
	return 0;
}

/* Events of an Inform that complete accepted reboots and factory resets (protocol section 8). */
static void lf__confirm_by_events(struct hems_distress *d, const char *device_id, char events[][DISTRESS_LEN_EVENT + 1],
                                  size_t n)
{
	int boot = lf__has_event(events, n, "1 BOOT") || lf__has_event(events, n, "M Reboot");
	int bootstrap = lf__has_event(events, n, "0 BOOTSTRAP");
	struct lf__ids l = {.n = 0};
	if (!boot && !bootstrap)
		return;
	store_distress_action_list(d->h->store, device_id, STORE_DISTRESS_ACCEPTED, 32, lf__collect, &l);
	for (size_t i = 0; i < l.n; i++) {
		struct store_distress_action a;
		if (store_distress_action_get(d->h->store, l.ids[i], &a) != LF_OK)
			continue;
		if (strcmp(a.kind, "reboot") == 0 && boot)
			lf__finish(d, &a, STORE_DISTRESS_DONE, "the device rebooted (1 BOOT in its Inform)");
		else if (strcmp(a.kind, "factory-reset") == 0 && bootstrap)
			lf__finish(d, &a, STORE_DISTRESS_DONE, "the device was reset (0 BOOTSTRAP in its Inform)");
		store_distress_action_clear(&a);
	}
}

/* ---------------------------------------------------------------- actions <-> arguments */

static void lf__hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int lf__unhex(const char *s, uint8_t *out, size_t n)
{
	if (!s || strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (v < 0)
			return -1;
		out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] << 4) | v : v);
	}
	return 0;
}

/* The arguments of an action as stored (JSON object, owned by the caller). */
static json_t *lf__args_json(const struct distress_action *a)
{
	json_t *o = json_object();
	char sha[65];
	if (a->command_key[0])
		json_object_set_new(o, "commandKey", json_string(a->command_key));
	if (a->url[0])
		json_object_set_new(o, "url", json_string(a->url));
	if (a->file_size)
		json_object_set_new(o, "fileSize", json_integer((json_int_t)a->file_size));
	if (a->has_sha256) {
		lf__hex(a->sha256, 32, sha);
		json_object_set_new(o, "sha256", json_string(sha));
	}
	if (a->file_type[0])
		json_object_set_new(o, "fileType", json_string(a->file_type));
	if (a->target_version[0])
		json_object_set_new(o, "targetVersion", json_string(a->target_version));
	if (a->n_names) {
		json_t *names = json_array();
		for (size_t i = 0; i < a->n_names; i++)
			json_array_append_new(names, json_string(a->names[i]));
		json_object_set_new(o, "names", names);
	}
	return o;
}

static int lf__copy_arg(json_t *args, const char *key, char *out, size_t outlen, char *why, size_t whylen)
{
	json_t *v = json_object_get(args, key);
	if (!v)
		return 0;
	if (!json_is_string(v) || strlen(json_string_value(v)) >= outlen) {
		snprintf(why, whylen, "argument %s is not a string of at most %zu bytes", key, outlen - 1);
		return -1;
	}
	snprintf(out, outlen, "%s", json_string_value(v));
	return 0;
}

/* The wire form of a stored action; why says what is wrong with one that cannot be sent. */
static int lf__action_of(const struct store_distress_action *row, struct distress_action *a, char *why, size_t whylen)
{
	memset(a, 0, sizeof(*a));
	int kind = distress_kind_parse(row->kind);
	if (kind <= 0) {
		snprintf(why, whylen, "unknown kind '%s'", row->kind);
		return -1;
	}
	a->id = (uint64_t)row->id;
	a->kind = (uint8_t)kind;
	json_t *args = json_loads(row->args ? row->args : "{}", 0, NULL);
	int result = -1;
	if (!json_is_object(args)) {
		snprintf(why, whylen, "arguments are not a JSON object");
		goto out;
	}
	if (lf__copy_arg(args, "commandKey", a->command_key, sizeof(a->command_key), why, whylen) ||
	    lf__copy_arg(args, "url", a->url, sizeof(a->url), why, whylen) ||
	    lf__copy_arg(args, "fileType", a->file_type, sizeof(a->file_type), why, whylen) ||
	    lf__copy_arg(args, "targetVersion", a->target_version, sizeof(a->target_version), why, whylen))
		goto out;
	json_t *size = json_object_get(args, "fileSize");
	if (json_is_integer(size) && json_integer_value(size) > 0)
		a->file_size = (uint64_t)json_integer_value(size);
	json_t *sha = json_object_get(args, "sha256");
	if (sha) {
		if (lf__unhex(json_string_value(sha), a->sha256, 32)) {
			snprintf(why, whylen, "argument sha256 is not 64 hex characters");
			goto out;
		}
		a->has_sha256 = 1;
	}
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(args, "names"), i, n)
	{
		if (a->n_names == DISTRESS_MAX_NAMES || !json_is_string(n) ||
		    strlen(json_string_value(n)) > DISTRESS_LEN_NAME) {
			snprintf(why, whylen, "names: at most %d strings of at most %d bytes", DISTRESS_MAX_NAMES,
			         DISTRESS_LEN_NAME);
			goto out;
		}
		snprintf(a->names[a->n_names++], sizeof(a->names[0]), "%s", json_string_value(n));
	}
	result = 0;
out:
	json_decref(args);
	return result;
}

/* The result of an action as stored (JSON text, caller frees with free()). */
static char *lf__result_json(const struct distress_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "status", json_string(distress_status_name(r->status)));
	if (r->fault_code) {
		json_object_set_new(o, "faultCode", json_integer(r->fault_code));
		json_object_set_new(o, "faultString", json_string(r->fault_string));
	}
	if (r->n_params) {
		json_t *ps = json_array();
		for (size_t i = 0; i < r->n_params; i++)
			json_array_append_new(ps, json_pack("{s:s, s:s, s:s}", "name", r->params[i].name, "value",
			                                    r->params[i].value, "type",
			                                    r->params[i].type[0] ? r->params[i].type : "xsd:string"));
		json_object_set_new(o, "parameters", ps);
	}
	if (r->diag_state[0])
		json_object_set_new(o, "diagnosticState", json_string(r->diag_state));
	if (r->diag_results[0])
		json_object_set_new(o, "diagnosticResults", json_string(r->diag_results));
	if (r->software_version[0])
		json_object_set_new(o, "softwareVersion", json_string(r->software_version));
	if (r->start_time[0])
		json_object_set_new(o, "startTime", json_string(r->start_time));
	if (r->complete_time[0])
		json_object_set_new(o, "completeTime", json_string(r->complete_time));
	if (r->n_events) {
		json_t *ev = json_array();
		for (size_t i = 0; i < r->n_events; i++)
			json_array_append_new(ev, json_string(r->events[i]));
		json_object_set_new(o, "events", ev);
	}
	if (r->n_alarms)
		json_object_set_new(o, "alarms", json_integer((json_int_t)r->n_alarms));
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

/* ---------------------------------------------------------------- resources */

/* POST /d/s: INFORM -> 2.01 WELCOME. */
static void lf__h_session(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req, const coap_string_t *query,
                          coap_pdu_t *resp)
{
	struct lf__req rq;
	char err[256];
	uint8_t out[256];
	size_t len;
	(void)query;
	if (lf__begin(r, s, req, resp, &rq, "session"))
		return;
	struct hems_distress *d = rq.d;
	struct hems *h = d->h;
	struct distress_inform *in = lf_calloc(1, sizeof(*in));
	struct store_distress_device dev;
	int result = distress_inform_decode(rq.body, rq.len, in, err, sizeof(err));
	if (result) {
		lf__error(resp, COAP_RESPONSE_CODE_BAD_REQUEST, "%s", err);
		lf_warn("distress_bad_request", "device=%s what=inform error=\"%s\"", rq.identity, err);
		goto out;
	}
	if (strcmp(in->device_id, rq.identity) != 0) {
		char safe[DISTRESS_MAX_ID + 1];
		lf__safe(in->device_id, safe, sizeof(safe));
		lf__error(resp, COAP_RESPONSE_CODE_UNAUTHORIZED, "device id %s is not the DTLS identity %s", safe,
		          rq.identity);
		lf_warn("distress_request_refused", "device=%s what=inform reason=\"device id %s\"", rq.identity, safe);
		goto out;
	}
	if (store_distress_device_get(h->store, rq.identity, &dev) != LF_OK) {
		lf__error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "store unavailable");
		goto out;
	}
	/* What the channel learns: where the device listens for triggers, where it came from. */
	struct sockaddr_storage ss;
	socklen_t sl;
	if (in->trigger_address[0] && lf__numeric_addr(in->trigger_address, &ss, &sl) == LF_OK)
		snprintf(dev.trigger_addr, sizeof(dev.trigger_addr), "%s", in->trigger_address);
	snprintf(dev.last_remote, sizeof(dev.last_remote), "%s", rq.remote);
	dev.last_session = lf__now_s();
	dev.sessions++;
	store_begin(h->store);
	result = store_distress_device_put(h->store, &dev);
	store_end(h->store, result != LF_OK);
	if (result) {
		lf__error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "store unavailable");
		goto out;
	}
	struct distress_welcome w = {
	    .session_id = lf__session_open(d, rq.identity),
	    .server_time = (uint64_t)lf__now_s(),
	    .poll_interval = (uint32_t)h->cfg.distress_poll_interval_s,
	    .session_timeout = (uint32_t)h->cfg.distress_session_timeout_s,
	};
	char events[256] = "", sw[80], why[160];
	for (size_t i = 0, pos = 0; i < in->n_events; i++) {
		int n = snprintf(events + pos, sizeof(events) - pos, "%s%s", i ? "," : "", in->events[i]);
		if (n < 0 || (size_t)n >= sizeof(events) - pos)
			break;
		pos += (size_t)n;
	}
	lf__safe(in->software_version, sw, sizeof(sw));
	lf__safe(in->reason_text, why, sizeof(why));
	lf_info("distress_session",
	        "device=%s session=%llu reason=%s reason_text=\"%s\" events=\"%s\" sw=\"%s\" "
	        "alarms=%zu trigger_address=%s remote=%s",
	        rq.identity, (unsigned long long)w.session_id, distress_reason_name(in->reason), why, events, sw,
	        in->n_alarms, dev.trigger_addr[0] ? dev.trigger_addr : "-", rq.remote);
	char note[384];
	snprintf(note, sizeof(note), "distress session opened by the device (%s)%s%s", distress_reason_name(in->reason),
	         in->n_alarms ? ", carrying alarms" : "", in->n_events ? ", events " : "");
	if (in->n_events)
		snprintf(note + strlen(note), sizeof(note) - strlen(note), "%.200s", events);
	/* The alarms first: one may open the case this session then shows on. */
	lf__alarm_intake(d, rq.identity, in->alarms, in->n_alarms);
	hems_case_note(h, rq.identity, "device", note);
	lf__confirm_by_events(d, rq.identity, in->events, in->n_events);
	w.pending = lf__pending(d, rq.identity);
	result = distress_welcome_encode(&w, out, sizeof(out), &len, err, sizeof(err));
	if (result)
		lf__error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "%s", err);
	else
		lf__reply(d, r, s, req, resp, COAP_RESPONSE_CODE_CREATED, out, len);
out:
	lf_free(in);
}

/* POST /d/n: POLL -> 2.05 ACTION (kind none when nothing is pending). */
static void lf__h_next(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req, const coap_string_t *query,
                       coap_pdu_t *resp)
{
	struct lf__req rq;
	struct distress_poll p;
	char err[256];
	(void)query;
	if (lf__begin(r, s, req, resp, &rq, "next"))
		return;
	struct hems_distress *d = rq.d;
	struct hems *h = d->h;
	if (distress_poll_decode(rq.body, rq.len, &p, err, sizeof(err))) {
		lf__error(resp, COAP_RESPONSE_CODE_BAD_REQUEST, "%s", err);
		return;
	}
	if (!lf__session_check(&rq, p.session_id, resp))
		return;
	struct distress_action *a = lf_calloc(1, sizeof(*a));
	uint8_t *out = lf_malloc(DISTRESS_MAX_MESSAGE);
	size_t len = 0;
	int result = LF_ENOTFOUND;
	/* A bounded number of tries: each failed or unsendable action is closed and the next one taken. */
	for (int tries = 0; tries < 16; tries++) {
		struct store_distress_action row;
		char why[256];
		result = store_distress_action_next(h->store, rq.identity, &row);
		if (result)
			break;
		if (row.deliveries >= DISTRESS_MAX_DELIVERIES) {
			snprintf(why, sizeof(why), "delivered %d times without a result", row.deliveries);
			lf__finish(d, &row, STORE_DISTRESS_FAILED, why);
			store_distress_action_clear(&row);
			result = LF_EBUSY; /* if the tries run out: nothing sent this time, ask again */
			continue;
		}
		if (lf__action_of(&row, a, why, sizeof(why)) ||
		    distress_action_encode(a, out, DISTRESS_MAX_MESSAGE, &len, why, sizeof(why))) {
			char note[300];
			snprintf(note, sizeof(note), "cannot be sent: %s", why);
			lf__finish(d, &row, STORE_DISTRESS_FAILED, note);
			store_distress_action_clear(&row);
			result = LF_EBUSY;
			continue;
		}
		row.deliveries++;
		row.status = STORE_DISTRESS_SENT;
		row.session = (int64_t)p.session_id;
		row.sent = lf__now_s();
		result = store_distress_action_update(h->store, &row);
		if (!result) {
			uint32_t pending = lf__pending(d, rq.identity);
			a->pending = pending ? pending - 1 : 0;
			result = distress_action_encode(a, out, DISTRESS_MAX_MESSAGE, &len, err, sizeof(err));
			lf_info("distress_action_sent", "device=%s action=%lld kind=%s delivery=%d session=%llu",
			        rq.identity, (long long)row.id, row.kind, row.deliveries,
			        (unsigned long long)p.session_id);
		}
		store_distress_action_clear(&row);
		break;
	}
	if (result == LF_ENOTFOUND || result == LF_EBUSY) {
		/* Nothing pending: poll again only while an open case may still queue something (or at once when
		 * only failed actions were closed this time and more may wait). */
		struct store_case c;
		memset(a, 0, sizeof(*a));
		a->kind = DISTRESS_KIND_NONE;
		if (result == LF_EBUSY)
			a->retry_after = 1;
		else if (store_case_open_of(h->store, rq.identity, &c) == LF_OK &&
		         strcmp(c.state, "awaiting_instructions") != 0)
			a->retry_after = (uint32_t)h->cfg.distress_poll_interval_s;
		result = distress_action_encode(a, out, DISTRESS_MAX_MESSAGE, &len, err, sizeof(err));
	}
	if (result)
		lf__error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "store unavailable");
	else
		lf__reply(d, r, s, req, resp, COAP_RESPONSE_CODE_CONTENT, out, len);
	lf_free(out);
	lf_free(a);
}

/* POST /d/r: RESULT -> 2.04 ACK. */
static void lf__h_result(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req, const coap_string_t *query,
                         coap_pdu_t *resp)
{
	struct lf__req rq;
	char err[256];
	uint8_t out[64];
	size_t len;
	(void)query;
	if (lf__begin(r, s, req, resp, &rq, "result"))
		return;
	struct hems_distress *d = rq.d;
	struct hems *h = d->h;
	struct distress_result *res = lf_calloc(1, sizeof(*res));
	struct store_distress_action a;
	memset(&a, 0, sizeof(a));
	if (distress_result_decode(rq.body, rq.len, res, err, sizeof(err))) {
		lf__error(resp, COAP_RESPONSE_CODE_BAD_REQUEST, "%s", err);
		lf_warn("distress_bad_request", "device=%s what=result error=\"%s\"", rq.identity, err);
		goto out;
	}
	if (!lf__session_check(&rq, res->session_id, resp))
		goto out;
	if (res->action_id > INT64_MAX || store_distress_action_get(h->store, (int64_t)res->action_id, &a) != LF_OK ||
	    strcmp(a.device_id, rq.identity) != 0) {
		lf__error(resp, COAP_RESPONSE_CODE_NOT_FOUND, "no action %llu for this device",
		          (unsigned long long)res->action_id);
		goto out;
	}
	if (a.status == STORE_DISTRESS_QUEUED) {
		lf__error(resp, COAP_RESPONSE_CODE_BAD_REQUEST, "action %llu was not delivered",
		          (unsigned long long)res->action_id);
		goto out;
	}
	int final = res->status != DISTRESS_STATUS_ACCEPTED;
	if (a.status == STORE_DISTRESS_DONE || a.status == STORE_DISTRESS_FAILED ||
	    (a.status == STORE_DISTRESS_ACCEPTED && !final)) {
		/* A re-sent result (our ACK was lost): acknowledged, nothing changes. */
		lf_info("distress_result_repeated", "device=%s action=%lld status=%s", rq.identity, (long long)a.id,
		        distress_status_name(res->status));
	} else {
		char *json = lf__result_json(res);
		char note[256], fs[200];
		lf__safe(res->fault_string, fs, sizeof(fs));
		if (res->status == DISTRESS_STATUS_FAILED)
			snprintf(note, sizeof(note), "fault %u%s%s", res->fault_code, fs[0] ? ": " : "", fs);
		else if (res->status == DISTRESS_STATUS_ACCEPTED)
			snprintf(note, sizeof(note), "accepted, in progress");
		else if (res->diag_state[0])
			snprintf(note, sizeof(note), "diagnostic %.40s: %.180s", res->diag_state, res->diag_results);
		else if (res->n_params)
			snprintf(note, sizeof(note), "%zu parameter values", res->n_params);
		else if (res->software_version[0])
			snprintf(note, sizeof(note), "software version %.64s", res->software_version);
		else
			snprintf(note, sizeof(note), "succeeded");
		lf_free_ptr(&a.result);
		a.result = lf_strdup(json ? json : "{}");
		free(json);
		store_begin(h->store);
		if (final) {
			lf__finish(d, &a,
			           res->status == DISTRESS_STATUS_SUCCESS ? STORE_DISTRESS_DONE : STORE_DISTRESS_FAILED,
			           note);
		} else {
			a.status = STORE_DISTRESS_ACCEPTED;
			snprintf(a.note, sizeof(a.note), "%s", note);
			store_distress_action_update(h->store, &a);
			lf_info("distress_result", "device=%s action=%lld kind=%s status=accepted", a.device_id,
			        (long long)a.id, a.kind);
			char what[200];
			snprintf(what, sizeof(what), "distress action %lld (%s) accepted by the device",
			         (long long)a.id, a.kind);
			hems_case_note(h, a.device_id, "device", what);
			if (d->on_result)
				d->on_result(h, &a);
		}
		store_end(h->store, 0);
		if (strcmp(a.kind, "inform") == 0 && res->status == DISTRESS_STATUS_SUCCESS) {
			lf__alarm_intake(d, rq.identity, res->alarms, res->n_alarms);
			lf__confirm_by_events(d, rq.identity, res->events, res->n_events);
		}
	}
	struct distress_ack ack = {.pending = lf__pending(d, rq.identity)};
	if (distress_ack_encode(&ack, out, sizeof(out), &len, err, sizeof(err)))
		lf__error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "%s", err);
	else
		lf__reply(d, r, s, req, resp, COAP_RESPONSE_CODE_CHANGED, out, len);
out:
	store_distress_action_clear(&a);
	lf_free(res);
}

/* POST /d/e: POLL -> 2.04 ACK; the session is forgotten. */
static void lf__h_end(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req, const coap_string_t *query,
                      coap_pdu_t *resp)
{
	struct lf__req rq;
	struct distress_poll p;
	char err[256];
	uint8_t out[64];
	size_t len;
	(void)query;
	if (lf__begin(r, s, req, resp, &rq, "end"))
		return;
	if (distress_poll_decode(rq.body, rq.len, &p, err, sizeof(err))) {
		lf__error(resp, COAP_RESPONSE_CODE_BAD_REQUEST, "%s", err);
		return;
	}
	struct lf__session *sess = lf__session_check(&rq, p.session_id, resp);
	if (!sess)
		return;
	memset(sess, 0, sizeof(*sess));
	struct distress_ack ack = {.pending = lf__pending(rq.d, rq.identity)};
	lf_info("distress_session_end", "device=%s session=%llu pending=%u", rq.identity,
	        (unsigned long long)p.session_id, ack.pending);
	if (distress_ack_encode(&ack, out, sizeof(out), &len, err, sizeof(err)))
		lf__error(resp, COAP_RESPONSE_CODE_INTERNAL_ERROR, "%s", err);
	else
		lf__reply(rq.d, r, s, req, resp, COAP_RESPONSE_CODE_CHANGED, out, len);
}

/* ---------------------------------------------------------------- start / stop / loop */

/* Resource paths and the link attribute: static, since libcoap keeps the pointers. */
static coap_str_const_t lf__path_session = {sizeof(DISTRESS_PATH_SESSION) - 1, (const uint8_t *)DISTRESS_PATH_SESSION};
static coap_str_const_t lf__path_next = {sizeof(DISTRESS_PATH_NEXT) - 1, (const uint8_t *)DISTRESS_PATH_NEXT};
static coap_str_const_t lf__path_result = {sizeof(DISTRESS_PATH_RESULT) - 1, (const uint8_t *)DISTRESS_PATH_RESULT};
static coap_str_const_t lf__path_end = {sizeof(DISTRESS_PATH_END) - 1, (const uint8_t *)DISTRESS_PATH_END};
static coap_str_const_t lf__attr_ct = {2, (const uint8_t *)"ct"};
static coap_str_const_t lf__attr_ct_value = {5, (const uint8_t *)"65100"};

int hems_distress_start(struct hems *h, char *err, size_t errlen)
{
	static const struct {
		coap_str_const_t *path;
		coap_method_handler_t handler;
	} routes[] = {
	    {&lf__path_session, lf__h_session},
	    {&lf__path_next, lf__h_next},
	    {&lf__path_result, lf__h_result},
	    {&lf__path_end, lf__h_end},
	};
	struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_DGRAM};
	struct addrinfo *ai = NULL;
	char port[8];
	coap_address_t addr;
	coap_endpoint_t *ep;
	int result = LF_EINVAL;
	if (!h->cfg.distress_enable)
		return LF_OK;
	struct hems_distress *d = lf_calloc(1, sizeof(*d));
	d->h = h;
	d->fd = -1;
	d->sock4 = d->sock6 = -1;
	lf_random_bytes(&d->trigger_id, sizeof(d->trigger_id));
	d->trigger_id &= 0xffffffffu; /* message ids stay readable */
	coap_startup();
	coap_set_log_handler(lf__coap_log);
	coap_set_log_level(LOG_WARNING);
	coap_dtls_set_log_level(LOG_ERR);
	if (!coap_dtls_is_supported()) {
		snprintf(err, errlen, "distress: libcoap has no DTLS support");
		result = LF_EUNSUPPORTED;
		goto fail;
	}
	snprintf(port, sizeof(port), "%lld", h->cfg.distress_port);
	if (getaddrinfo(h->cfg.distress_listen_address, port, &hints, &ai) != 0 || !ai ||
	    ai->ai_addrlen > sizeof(addr.addr)) {
		snprintf(err, errlen, "distress.listen_address '%s' is not a numeric IP address",
		         h->cfg.distress_listen_address);
		goto fail;
	}
	coap_address_init(&addr);
	addr.size = (socklen_t)ai->ai_addrlen;
	memcpy(&addr.addr, ai->ai_addr, ai->ai_addrlen);
	d->ctx = coap_new_context(NULL);
	if (!d->ctx) {
		snprintf(err, errlen, "distress: cannot create the CoAP context");
		goto fail;
	}
	coap_set_app_data(d->ctx, d);
	coap_context_set_block_mode(d->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	coap_context_set_max_idle_sessions(d->ctx, 2048);
	coap_context_set_max_handshake_sessions(d->ctx, 256);
	coap_context_set_session_timeout(d->ctx, (unsigned)h->cfg.distress_session_timeout_s);
	coap_dtls_spsk_t psk;
	memset(&psk, 0, sizeof(psk));
	psk.version = COAP_DTLS_SPSK_SETUP_VERSION;
	psk.validate_id_call_back = lf__psk_for;
	psk.id_call_back_arg = d;
	if (!coap_context_set_psk2(d->ctx, &psk)) {
		snprintf(err, errlen, "distress: cannot set up DTLS PSK");
		goto fail;
	}
	ep = coap_new_endpoint(d->ctx, &addr, COAP_PROTO_DTLS);
	if (!ep) {
		snprintf(err, errlen, "distress: cannot bind UDP %s port %s: %s", h->cfg.distress_listen_address, port,
		         strerror(errno));
		result = LF_EIO;
		goto fail;
	}
	const char *bound = coap_endpoint_str(ep);
	const char *colon = bound ? strrchr(bound, ':') : NULL;
	d->port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : (unsigned)h->cfg.distress_port;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		coap_resource_t *r = coap_resource_init(routes[i].path, 0);
		coap_register_handler(r, COAP_REQUEST_POST, routes[i].handler);
		coap_resource_set_userdata(r, d);
		coap_add_attr(r, &lf__attr_ct, &lf__attr_ct_value, 0);
		coap_add_resource(d->ctx, r);
	}
	d->fd = coap_context_get_coap_fd(d->ctx);
	if (h->cfg.distress_server_url[0]) {
		snprintf(d->server_url, sizeof(d->server_url), "%s", h->cfg.distress_server_url);
	} else {
		int v6 = strchr(h->cfg.distress_listen_address, ':') != NULL;
		const char *host = h->cfg.distress_listen_address;
		if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
			host = h->cfg.listen_address; /* the address devices already use for CWMP */
		v6 = strchr(host, ':') != NULL;
		snprintf(d->server_url, sizeof(d->server_url), "coaps://%s%s%s:%u", v6 ? "[" : "", host, v6 ? "]" : "",
		         d->port);
	}
	freeaddrinfo(ai);
	h->distress = d;
	if (!h->on_extended_remediation)
		h->on_extended_remediation = hems_distress_on_extended_remediation;
	lf_info("distress_started", "address=%s port=%u server_url=%s epoll=%s", h->cfg.distress_listen_address,
	        d->port, d->server_url, d->fd >= 0 ? "yes" : "no");
	return LF_OK;
fail:
	if (ai)
		freeaddrinfo(ai);
	if (d->ctx)
		coap_free_context(d->ctx);
	coap_cleanup();
	lf_free(d);
	return result;
}

void hems_distress_stop(struct hems *h)
{
	struct hems_distress *d = h->distress;
	if (!d)
		return;
	coap_free_context(d->ctx); /* releases every response body it still held */
	coap_cleanup();
	for (size_t i = 0; i < LF_DS_OUT; i++)
		lf_free_ptr(&d->out[i]);
	if (d->sock4 >= 0)
		close(d->sock4);
	if (d->sock6 >= 0)
		close(d->sock6);
	if (h->on_extended_remediation == hems_distress_on_extended_remediation)
		h->on_extended_remediation = NULL;
	lf_free(d);
	h->distress = NULL;
}

int hems_distress_fd(struct hems *h)
{
	return h->distress ? h->distress->fd : -1;
}

int hems_distress_timeout_ms(struct hems *h)
{
	struct hems_distress *d = h->distress;
	if (!d)
		return -1;
	int64_t best = -1;
	if (d->fd >= 0) {
		coap_tick_t now;
		coap_ticks(&now);
		unsigned t = coap_io_prepare_epoll(d->ctx, now);
		if (t)
			best = t;
	} else {
		best = 50; /* no epoll in this libcoap: poll its sockets often */
	}
	int64_t now_ms = lf_now_ms();
	for (size_t i = 0; i < LF_DS_TRIGGERS; i++)
		if (d->triggers[i].left) {
			int64_t wait = d->triggers[i].next_ms - now_ms;
			if (wait < 0)
				wait = 0;
			if (best < 0 || wait < best)
				best = wait;
		}
	return best > 60000 ? 60000 : (int)best;
}

static int lf__sock(struct hems_distress *d, int family)
{
	int *fd = family == AF_INET6 ? &d->sock6 : &d->sock4;
	if (*fd < 0)
		*fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	return *fd;
}

/* Send the due copies of pending triggers. */
static void lf__trigger_send_due(struct hems_distress *d)
{
	int64_t now = lf_now_ms();
	for (size_t i = 0; i < LF_DS_TRIGGERS; i++) {
		struct lf__trigger *t = &d->triggers[i];
		if (!t->left || t->next_ms > now)
			continue;
		int fd = lf__sock(d, t->addr.ss_family);
		if (fd < 0 ||
		    sendto(fd, t->dgram, t->len, 0, (const struct sockaddr *)&t->addr, t->addrlen) != (ssize_t)t->len)
			lf_warn("distress_trigger_send_failed", "device=%s errno=%d", t->device_id, errno);
		t->left--;
		t->next_ms = now + d->h->cfg.distress_trigger_interval_ms;
	}
}

void hems_distress_run(struct hems *h)
{
	struct hems_distress *d = h->distress;
	if (!d)
		return;
	coap_io_process(d->ctx, COAP_IO_NO_WAIT);
	lf__trigger_send_due(d);
}

void hems_distress_tick(struct hems *h, int64_t now_ms)
{
	struct hems_distress *d = h->distress;
	if (!d)
		return;
	int64_t idle = h->cfg.distress_session_timeout_s * 1000;
	for (size_t i = 0; i < LF_DS_SESSIONS; i++)
		if (d->sessions[i].identity[0] && now_ms - d->sessions[i].last_ms > idle) {
			lf_info("distress_session_expired", "device=%s session=%llu", d->sessions[i].identity,
			        (unsigned long long)d->sessions[i].id);
			memset(&d->sessions[i], 0, sizeof(d->sessions[i]));
		}
	if (!h->cfg.distress_provision_missing || now_ms < d->next_scan_ms)
		return;
	/* Every device at start and every LF_DS_FULL_SCAN_MS; in between only the devices registered since the
	 * last full scan, so the fleet is not read every few seconds once every device has its keys. */
	char ids[LF_DS_SCAN_BATCH][STORE_MAX_ID];
	size_t n = 0;
	int full = d->last_full_scan_ms == 0 || now_ms - d->last_full_scan_ms >= LF_DS_FULL_SCAN_MS;
	int64_t since = full ? 0 : d->full_scan_since;
	if (store_distress_unprovisioned(h->store, since, ids, LF_DS_SCAN_BATCH, &n) != LF_OK)
		n = 0;
	for (size_t i = 0; i < n; i++)
		hems_distress_provision(h, ids[i]);
	if (full && n < LF_DS_SCAN_BATCH) {
		d->last_full_scan_ms = now_ms;
		d->full_scan_since = lf__now_s() - 60; /* clock steps and slow registrations */
	}
	d->next_scan_ms = now_ms + LF_DS_SCAN_MS;
}

void hems_distress_set_result_hook(struct hems *h, hems_distress_result_fn fn)
{
	if (h->distress)
		h->distress->on_result = fn;
}

/* ---------------------------------------------------------------- provisioning, queue, trigger */

/* The data model root the device uses (TR-181 Device. unless its parameters say InternetGatewayDevice.). */
static int lf__root_igd(void *ctx, const char *name, const char *value, const char *type, int64_t updated)
{
	(void)value, (void)type, (void)updated;
	*(int *)ctx = strncmp(name, "InternetGatewayDevice.", 22) == 0;
	return 1; /* the first parameter tells */
}

int hems_distress_provision(struct hems *h, const char *device_id)
{
	struct hems_distress *d = h->distress;
	struct store_device dev;
	struct store_distress_device dd;
	int igd = 0;
	int64_t task = 0;
	if (!d)
		return LF_EUNSUPPORTED;
	int result = store_device_get(h->store, device_id, &dev);
	if (result)
		return result;
	store_param_list(h->store, device_id, "", lf__root_igd, &igd);
	memset(&dd, 0, sizeof(dd));
	if (store_distress_device_get(h->store, device_id, &dd) != LF_OK) {
		memset(&dd, 0, sizeof(dd));
		snprintf(dd.device_id, sizeof(dd.device_id), "%s", device_id);
	}
	distress_key_new(dd.psk);
	distress_key_new(dd.trigger_key);
	dd.provisioned = lf__now_s();
	char prefix[128];
	snprintf(prefix, sizeof(prefix), "%s.X_%s_Distress.", igd ? "InternetGatewayDevice" : "Device", dev.oui);
	json_t *vals = json_array();
	struct {
		const char *name, *value, *type;
	} set[] = {
	    {"Enable", "true", "xsd:boolean"},
	    {"ServerURL", d->server_url, "xsd:string"},
	    {"Identity", device_id, "xsd:string"},
	    {"PSK", dd.psk, "xsd:string"},
	    {"TriggerKey", dd.trigger_key, "xsd:string"},
	};
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		char name[200];
		snprintf(name, sizeof(name), "%s%s", prefix, set[i].name);
		json_array_append_new(
		    vals, json_pack("{s:s, s:s, s:s}", "name", name, "value", set[i].value, "type", set[i].type));
	}
	json_t *args = json_pack("{s:o, s:s, s:s}", "values", vals, "parameterKey", "hems-distress", "_purpose",
	                         "distress-credentials");
	char *text = json_dumps(args, JSON_COMPACT);
	json_decref(args);
	store_begin(h->store);
	result = text ? store_distress_device_put(h->store, &dd) : LF_ENOMEM;
	if (!result)
		result = store_task_add(h->store, device_id, "SetParameterValues", text, lf__now_s(), &task);
	store_end(h->store, result != LF_OK);
	free(text);
	if (result) {
		lf_error("provision_failed", "device=%s what=distress_credentials", device_id);
		return result;
	}
	lf_info("provision", "device=%s what=distress_credentials task=%lld", device_id, (long long)task);
	return LF_OK;
}

int hems_distress_queue(struct hems *h, const char *device_id, int64_t case_id, const struct distress_action *a,
                        int64_t *id, char *err, size_t errlen)
{
	uint8_t probe[DISTRESS_MAX_MESSAGE];
	size_t len;
	int64_t new_id = 0;
	if (!h->distress) {
		snprintf(err, errlen, "the distress channel is off");
		return LF_EUNSUPPORTED;
	}
	if (a->kind == DISTRESS_KIND_NONE || a->kind > DISTRESS_KIND_MAX) {
		snprintf(err, errlen, "kind %u is not an action", a->kind);
		return LF_EINVAL;
	}
	/* Refuse now what could never be sent: encode it once with a stand-in id. */
	struct distress_action check = *a;
	check.id = 1;
	int result = distress_action_encode(&check, probe, sizeof(probe), &len, err, errlen);
	if (result)
		return LF_EINVAL;
	json_t *args = lf__args_json(a);
	char *text = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(args);
	result = text ? store_distress_action_add(h->store, device_id, case_id, distress_kind_name(a->kind), text,
	                                          lf__now_s(), &new_id)
	              : LF_ENOMEM;
	free(text);
	if (result) {
		snprintf(err, errlen, "store unavailable");
		return result;
	}
	lf_info("distress_action_queued", "device=%s action=%lld kind=%s case=%lld", device_id, (long long)new_id,
	        distress_kind_name(a->kind), (long long)case_id);
	if (id)
		*id = new_id;
	return LF_OK;
}

/* The trigger address: what the device said in its last distress session, else its parameter cache. */
struct lf__addr_lookup {
	char *out;
	size_t len;
};

static int lf__find_trigger_addr(void *ctx, const char *name, const char *value, const char *type, int64_t updated)
{
	struct lf__addr_lookup *l = ctx;
	const char *tail = "_Distress.TriggerAddress";
	size_t n = strlen(name), t = strlen(tail);
	(void)type, (void)updated;
	if (n > t && strcmp(name + n - t, tail) == 0 && value && value[0])
		snprintf(l->out, l->len, "%s", value);
	return 0;
}

int hems_distress_trigger(struct hems *h, const char *device_id, char *what, size_t whatlen)
{
	struct hems_distress *d = h->distress;
	struct store_distress_device dev;
	struct lf__trigger t;
	char cn[17], ignore[8];
	if (!what) {
		what = ignore;
		whatlen = sizeof(ignore);
	}
	if (!d) {
		snprintf(what, whatlen, "the distress channel is off");
		return LF_EUNSUPPORTED;
	}
	if (store_distress_device_get(h->store, device_id, &dev) != LF_OK) {
		snprintf(what, whatlen, "no distress keys for the device");
		return LF_ENOTFOUND;
	}
	char addr[STORE_MAX_ADDR];
	snprintf(addr, sizeof(addr), "%s", dev.trigger_addr);
	if (!addr[0]) {
		struct lf__addr_lookup l = {addr, sizeof(addr)};
		store_param_list(h->store, device_id, "", lf__find_trigger_addr, &l);
	}
	if (!addr[0]) {
		snprintf(what, whatlen, "no trigger address known");
		return LF_ENOTFOUND;
	}
	memset(&t, 0, sizeof(t));
	if (lf__numeric_addr(addr, &t.addr, &t.addrlen)) {
		snprintf(what, whatlen, "trigger address '%s' is not ip:port", addr);
		return LF_EINVAL;
	}
	lf_random_hex(cn, 8);
	uint64_t msg_id = d->trigger_id++;
	int result = distress_trigger_build(t.dgram, sizeof(t.dgram), &t.len, addr, (uint64_t)lf__now_s(), msg_id,
	                                    device_id, cn, dev.trigger_key);
	if (result) {
		snprintf(what, whatlen, "cannot build the trigger (%s)", lf_strerror(result));
		return result;
	}
	snprintf(t.device_id, sizeof(t.device_id), "%s", device_id);
	t.left = (int)h->cfg.distress_trigger_repeats;
	t.next_ms = 0; /* the first copy now */
	size_t i = 0;
	while (i < LF_DS_TRIGGERS && d->triggers[i].left)
		i++;
	if (i == LF_DS_TRIGGERS) {
		/* Every slot busy: this trigger's copies go out at once rather than not at all. */
		int fd = lf__sock(d, t.addr.ss_family);
		for (int k = 0; fd >= 0 && k < t.left; k++)
			sendto(fd, t.dgram, t.len, 0, (const struct sockaddr *)&t.addr, t.addrlen);
	} else {
		d->triggers[i] = t;
	}
	lf__trigger_send_due(d);
	dev.last_trigger = lf__now_s();
	store_distress_device_put(h->store, &dev);
	snprintf(what, whatlen, "trigger %llu sent to %s x%lld", (unsigned long long)msg_id, addr,
	         h->cfg.distress_trigger_repeats);
	lf_info("distress_trigger", "device=%s address=%s id=%llu copies=%lld", device_id, addr,
	        (unsigned long long)msg_id, h->cfg.distress_trigger_repeats);
	return LF_OK;
}

struct lf__case_pending {
	int64_t case_id;
	int n;
};

static int lf__count_case(void *ctx, const struct store_distress_action *a)
{
	struct lf__case_pending *p = ctx;
	if (a->case_id == p->case_id && (a->status == STORE_DISTRESS_QUEUED || a->status == STORE_DISTRESS_SENT ||
	                                 a->status == STORE_DISTRESS_ACCEPTED))
		p->n++;
	return 0;
}

/* The distress action that carries a case's remediation (documented in the header). */
static int lf__action_for_case(struct hems *h, const struct store_case *c, struct distress_action *a)
{
	memset(a, 0, sizeof(*a));
	if (strcmp(c->procedure, "reload-software") == 0) {
		json_t *data = json_loads(c->data[0] ? c->data : "{}", 0, NULL);
		const char *image = json_string_value(json_object_get(data, "image"));
		const char *key = json_string_value(json_object_get(data, "commandKey"));
		struct store_file f;
		if (image && store_file_get(h->store, image, &f) == LF_OK && lf__unhex(f.sha256, a->sha256, 32) == 0) {
			a->kind = DISTRESS_KIND_DOWNLOAD;
			a->has_sha256 = 1;
			a->file_size = (uint64_t)f.size;
			snprintf(a->url, sizeof(a->url), "%s/files/%s", h->file_base_url, f.name);
			snprintf(a->file_type, sizeof(a->file_type), "1 Firmware Upgrade Image");
			snprintf(a->target_version, sizeof(a->target_version), "%s", f.version);
			snprintf(a->command_key, sizeof(a->command_key), "%s", key ? key : "distress");
		}
		json_decref(data);
		if (a->kind)
			return 0;
	}
	if (strcmp(c->procedure, "reconfigure") == 0) {
		a->kind = DISTRESS_KIND_REBOOT;
		snprintf(a->command_key, sizeof(a->command_key), "case-%lld", (long long)c->id);
	} else if (strcmp(c->procedure, "diagnose-first") == 0 || strcmp(c->procedure, "reload-software") == 0) {
		a->kind = DISTRESS_KIND_DIAGNOSTIC;
	} else {
		a->kind = DISTRESS_KIND_INFORM;
	}
	return 0;
}

void hems_distress_on_extended_remediation(struct hems *h, int64_t case_id, const char *reason)
{
	struct store_case c;
	struct store_distress_device dev;
	struct distress_action a;
	char note[512], what[200], err[256];
	int64_t id = 0;
	if (!h->distress || store_case_get(h->store, case_id, &c) != LF_OK)
		return;
	if (store_distress_device_get(h->store, c.device_id, &dev) != LF_OK) {
		lf_warn("distress_unavailable", "device=%s case=%lld reason=\"no distress keys\"", c.device_id,
		        (long long)case_id);
		hems_case_note(h, c.device_id, "hemsd",
		               "distress channel unavailable: the device has no distress keys");
		return;
	}
	struct lf__case_pending p = {case_id, 0};
	store_distress_action_list(h->store, c.device_id, -1, 64, lf__count_case, &p);
	if (p.n == 0) {
		lf__action_for_case(h, &c, &a);
		if (hems_distress_queue(h, c.device_id, case_id, &a, &id, err, sizeof(err))) {
			snprintf(note, sizeof(note), "distress channel: cannot queue %s: %s",
			         distress_kind_name(a.kind), err);
			hems_case_note(h, c.device_id, "hemsd", note);
			return;
		}
	}
	hems_distress_trigger(h, c.device_id, what, sizeof(what));
	if (id)
		snprintf(note, sizeof(note), "distress channel (%s): queued %s (action %lld); %s", reason ? reason : "",
		         distress_kind_name(a.kind), (long long)id, what);
	else
		snprintf(note, sizeof(note), "distress channel (%s): %d action(s) already pending; %s",
		         reason ? reason : "", p.n, what);
	hems_case_note(h, c.device_id, "hemsd", note);
}
