/* nbi.c: northbound interface, JSON over HTTP with a bearer token: devices, parameters, tasks, blocking, files. */
#include "hems/nbi.h"

#include <fcntl.h>
#include <jansson.h>
#include <nettle/md5.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "hems/connreq.h"
#include "hems/enforcement.h"
#include "hems/notify.h"
#include "hems/remediation.h"
#include "hems/outbox.h"
#include "hems/rpc.h"
#include "store/store.h"

#define LF_MAX_SEGMENTS 4

static const char *const lf__task_status[] = {"queued", "sent", "done", "fault", "failed"};

/* Compare in time independent of where the strings differ, so the token cannot be guessed byte by byte. */
static int lf__token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = (unsigned char)(la != lb);
	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return diff == 0;
}

int hems_nbi_init(struct hems *h, char *err, size_t errlen)
{
	struct lf_buf b;
	unsigned line = 0;
	if (!h->cfg.nbi_tokens_file[0])
		return LF_OK;
	lf_buf_init(&b, 1024 * 1024);
	int result = lf_file_read(h->cfg.nbi_tokens_file, &b);
	if (result) {
		snprintf(err, errlen, "%s: cannot read: %s", h->cfg.nbi_tokens_file, lf_strerror(result));
		goto out;
	}
	for (char *save = NULL, *l = strtok_r(b.data ? b.data : (char *)"", "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char name[64], token[256], extra[2];
		line++;
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		if (sscanf(l, "%63s %255s %1s", name, token, extra) != 2 || strlen(token) < 16) {
			snprintf(err, errlen, "%s:%u: expected 'NAME TOKEN' with a token of at least 16 characters",
				 h->cfg.nbi_tokens_file, line);
			result = LF_EINVAL;
			goto out;
		}
		h->nbi_tokens = lf_realloc(h->nbi_tokens, (h->n_nbi_tokens + 1) * sizeof(*h->nbi_tokens));
		snprintf(h->nbi_tokens[h->n_nbi_tokens].name, sizeof(h->nbi_tokens[0].name), "%s", name);
		snprintf(h->nbi_tokens[h->n_nbi_tokens].token, sizeof(h->nbi_tokens[0].token), "%s", token);
		h->n_nbi_tokens++;
	}
out:
	lf_buf_free(&b);
	return result;
}

void hems_nbi_free(struct hems *h)
{
	lf_free_ptr(&h->nbi_tokens);
	h->n_nbi_tokens = 0;
}

int hems_nbi_authorize(struct hems *h, const char *authorization, char *actor, size_t actorlen)
{
	if (!authorization || strncmp(authorization, "Bearer ", 7) != 0)
		return 0;
	const char *tok = authorization + 7;
	int ok = 0;
	/* Compare against every token, whatever matched, so timing says nothing about which. */
	if (h->cfg.nbi_token[0] && lf__token_equal(tok, h->cfg.nbi_token)) {
		snprintf(actor, actorlen, "admin");
		ok = 1;
	}
	for (size_t i = 0; i < h->n_nbi_tokens; i++)
		if (lf__token_equal(tok, h->nbi_tokens[i].token) && !ok) {
			snprintf(actor, actorlen, "%s", h->nbi_tokens[i].name);
			ok = 1;
		}
	return ok;
}

static void lf__reply_json(struct hems_reply *r, unsigned status, json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	r->status = status;
	r->content_type = "application/json";
	lf_buf_reset(&r->body);
	if (text) {
		lf_buf_puts(&r->body, text);
		lf_buf_puts(&r->body, "\n");
		free(text); /* jansson allocated it */
	}
}

/* RFC 7807-style problem document. */
static void lf__reply_error(struct hems_reply *r, unsigned status, const char *title, const char *detail)
{
	lf__reply_json(r, status, json_pack("{s:i, s:s, s:s}", "status", (int)status, "title", title, "detail", detail));
}

static json_t *lf__device_json(const struct store_device *d)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "deviceId",
			      d->device_id, "manufacturer", d->manufacturer, "oui", d->oui, "productClass",
			      d->product_class, "serialNumber", d->serial_number, "softwareVersion", d->software_version,
			      "hardwareVersion", d->hardware_version, "connectionRequestUrl", d->conn_req_url,
			      "lastEvents", d->last_events, "remoteAddress", d->remote_addr, "firstSeen",
			      (json_int_t)d->first_seen, "lastInform", (json_int_t)d->last_inform, "informs",
			      (json_int_t)d->informs);
	json_object_set_new(o, "blocked", json_boolean(d->blocked));
	json_object_set_new(o, "lastConnectionRequest", json_string(d->last_cr));
	json_object_set_new(o, "lastConnectionRequestTime", json_integer(d->last_cr_time));
	return o;
}

/* Whether a parameter name holds a secret (a password or a key): its value never leaves hemsd northbound. */
static int lf__secret_name(const char *name)
{
	static const char *const tails[] = {"Password", "PSK", "TriggerKey", "Secret"};
	size_t nl = strlen(name);
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t tl = strlen(tails[i]);
		if (nl >= tl && strcmp(name + nl - tl, tails[i]) == 0)
			return 1;
	}
	return 0;
}

/* Task arguments as shown northbound: the values of secret parameters and the password of a Download are
 * replaced by "(hidden)" (they stay in the store for the session that sends them). */
static void lf__redact_args(json_t *args)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(args, "values"), i, v)
	{
		const char *name = json_string_value(json_object_get(v, "name"));
		if (name && lf__secret_name(name))
			json_object_set_new(v, "value", json_string("(hidden)"));
	}
	if (json_is_string(json_object_get(args, "password")) && json_string_length(json_object_get(args, "password")))
		json_object_set_new(args, "password", json_string("(hidden)"));
}

static json_t *lf__task_json(const struct store_task *t)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I}", "taskId", (json_int_t)t->id, "deviceId",
			      t->device_id, "method", t->method, "status",
			      lf__task_status[t->status >= 0 && t->status <= 4 ? t->status : 4], "created",
			      (json_int_t)t->created, "sent", (json_int_t)t->sent, "completed",
			      (json_int_t)t->completed);
	json_t *args = t->args ? json_loads(t->args, 0, NULL) : NULL;
	if (args)
		lf__redact_args(args);
	json_object_set_new(o, "args", args ? args : json_object());
	if (t->result) {
		json_t *res = json_loads(t->result, 0, NULL);
		json_t *fault = res ? json_object_get(res, "fault") : NULL;
		if (fault)
			json_object_set(o, "fault", fault);
		else if (res)
			json_object_set(o, "result", res);
		json_decref(res);
	}
	if (t->note[0])
		json_object_set_new(o, "note", json_string(t->note));
	return o;
}

static int lf__collect_device(void *ctx, const struct store_device *d)
{
	json_array_append_new(ctx, lf__device_json(d));
	return 0;
}

static int lf__collect_param(void *ctx, const char *name, const char *value, const char *type, int64_t updated)
{
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:I}", "name", name, "value", value ? value : "",
					     "type", type ? type : "xsd:string", "updated", (json_int_t)updated));
	return 0;
}

static int lf__collect_task(void *ctx, const struct store_task *t)
{
	json_array_append_new(ctx, lf__task_json(t));
	return 0;
}

static int lf__collect_file(void *ctx, const struct store_file *f)
{
	json_array_append_new(ctx, json_pack("{s:s, s:I, s:s, s:s, s:s, s:I}", "name", f->name, "size",
					     (json_int_t)f->size, "sha256", f->sha256, "productClass",
					     f->product_class, "version", f->version, "created",
					     (json_int_t)f->created));
	return 0;
}

/* Parse the JSON request body as an object; on failure answer 400 and return NULL. */
static json_t *lf__body_object(const char *body, size_t len, struct hems_reply *r)
{
	json_error_t jerr;
	json_t *doc = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(doc)) {
		char detail[256];
		if (doc)
			snprintf(detail, sizeof(detail), "request body must be a JSON object");
		else
			snprintf(detail, sizeof(detail), "request body is not JSON: %s at line %d column %d", jerr.text,
				 jerr.line, jerr.column);
		json_decref(doc);
		lf__reply_error(r, 400, "Bad Request", detail);
		return NULL;
	}
	return doc;
}

static void lf__device_get(struct hems *h, const char *id, struct hems_reply *r)
{
	struct store_device d;
	int result = store_device_get(h->store, id, &d);
	if (result == LF_ENOTFOUND) {
		lf__reply_error(r, 404, "Not Found", "no such device");
		return;
	}
	if (result) {
		lf__reply_error(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	json_t *doc = lf__device_json(&d);
	json_t *params = json_array();
	store_param_list(h->store, id, "", lf__collect_param, params);
	json_object_set_new(doc, "parameters", params);
	lf__reply_json(r, 200, doc);
}

/* POST /devices/{id}/tasks {"method", "args", "connectNow"} */
static void lf__task_add(struct hems *h, const char *id, const char *body, size_t len, struct hems_reply *r)
{
	char err[256];
	json_t *doc = lf__body_object(body, len, r);
	if (!doc)
		return;
	json_t *method = json_object_get(doc, "method");
	json_t *args = json_object_get(doc, "args");
	json_t *connect = json_object_get(doc, "connectNow");
	struct cwmp_msg m;
	char *args_text = NULL;
	int64_t task_id = 0;
	cwmp_msg_init(&m);
	if (!json_is_string(method)) {
		lf__reply_error(r, 400, "Bad Request", "'method' must be a CPE method name, e.g. \"GetParameterValues\"");
		goto out;
	}
	if (args && !json_is_object(args)) {
		lf__reply_error(r, 400, "Bad Request", "'args' must be an object");
		goto out;
	}
	if (connect && !json_is_boolean(connect)) {
		lf__reply_error(r, 400, "Bad Request", "'connectNow' must be true or false");
		goto out;
	}
	args_text = args ? json_dumps(args, JSON_COMPACT) : NULL;
	/* Validate now, so a bad task is refused here rather than failing in the device's session. */
	if (hems_rpc_request(json_string_value(method), args_text ? args_text : "{}", &m, err, sizeof(err))) {
		lf__reply_error(r, 400, "Bad Request", err);
		goto out;
	}
	struct store_device d;
	if (store_device_get(h->store, id, &d) == LF_ENOTFOUND) {
		lf__reply_error(r, 404, "Not Found", "no such device");
		goto out;
	}
	if (store_task_add(h->store, id, json_string_value(method), args_text ? args_text : "{}", (int64_t)time(NULL),
			   &task_id)) {
		lf__reply_error(r, 500, "Internal Server Error", "store unavailable");
		goto out;
	}
	lf_info("task_queued", "device=%s task=%lld method=%s connect_now=%s", id, (long long)task_id,
		json_string_value(method), json_is_true(connect) ? "yes" : "no");
	json_t *res = json_pack("{s:I, s:s}", "taskId", (json_int_t)task_id, "status", "queued");
	if (json_is_true(connect)) {
		int cr = hems_connreq_wake(h, id);
		json_object_set_new(res, "connectionRequest", json_string(cr ? lf_strerror(cr) : "queued"));
	}
	lf__reply_json(r, 201, res);
out:
	free(args_text);
	cwmp_msg_free(&m);
	json_decref(doc);
}

static void lf__task_get(struct hems *h, const char *id_text, struct hems_reply *r)
{
	char *end = NULL;
	long long id = strtoll(id_text, &end, 10);
	struct store_task t;
	if (!end || *end || id <= 0) {
		lf__reply_error(r, 400, "Bad Request", "task id must be a positive integer");
		return;
	}
	int result = store_task_get(h->store, id, &t);
	if (result) {
		lf__reply_error(r, result == LF_ENOTFOUND ? 404 : 500, result == LF_ENOTFOUND ? "Not Found" : "Error",
				result == LF_ENOTFOUND ? "no such task" : "store unavailable");
		return;
	}
	lf__reply_json(r, 200, lf__task_json(&t));
	store_task_clear(&t);
}

/* PUT/DELETE /devices/{id}/block */
static void lf__block(struct hems *h, const char *method, const char *id, const char *actor, const char *body,
		      size_t len, struct hems_reply *r)
{
	int block = strcmp(method, "PUT") == 0;
	const char *reason = "blocked by operator";
	json_t *doc = NULL;
	if (block && len) {
		doc = lf__body_object(body, len, r);
		if (!doc)
			return;
		json_t *jr = json_object_get(doc, "reason");
		if (jr && !json_is_string(jr)) {
			json_decref(doc);
			lf__reply_error(r, 400, "Bad Request", "'reason' must be a string");
			return;
		}
		if (jr)
			reason = json_string_value(jr);
	}
	char what[384];
	snprintf(what, sizeof(what), "%s by %s%s%s", block ? "device blocked at the HeMS" : "device unblocked", actor,
		 block ? ": " : "", block ? reason : "");
	/* The block, its audit row and its notification are one transaction. */
	store_begin(h->store);
	int failed = store_block_set(h->store, id, block, reason, (int64_t)time(NULL)) != LF_OK;
	if (!failed) {
		hems_case_note(h, id, actor, what);
		hems_notify_device(h, block ? HEMS_NOTIFY_DEVICE_BLOCKED : HEMS_NOTIFY_DEVICE_UNBLOCKED, id,
				   json_pack("{s:s, s:s}", "reason", block ? reason : "", "actor", actor));
	}
	if (store_end(h->store, failed)) {
		json_decref(doc);
		lf__reply_error(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	lf_info(block ? "device_blocked" : "device_unblocked", "device=%s actor=%s reason=\"%s\"", id, actor,
		block ? reason : "");
	lf__reply_json(r, 200, json_pack("{s:s, s:b}", "deviceId", id, "blocked", block));
	json_decref(doc);
}

/* Size and SHA-256 of a file, streamed. */
static int lf__hash_file(const char *path, int64_t *size, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	unsigned char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return LF_ENOTFOUND;
	sha256_init(&ctx);
	*size = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			close(fd);
			return LF_EIO;
		}
		if (n == 0)
			break;
		sha256_update(&ctx, (size_t)n, chunk);
		*size += n;
	}
	close(fd);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
	return LF_OK;
}

/* POST /files {"name", "path", "productClass", "version"}: register a file for the file server. */
static void lf__file_add(struct hems *h, const char *body, size_t len, struct hems_reply *r)
{
	json_t *doc = lf__body_object(body, len, r);
	struct store_file f;
	memset(&f, 0, sizeof(f));
	if (!doc)
		return;
	const char *fields[] = {"name", "path", "productClass", "version"};
	char *dest[] = {f.name, f.path, f.product_class, f.version};
	size_t sizes[] = {sizeof(f.name), sizeof(f.path), sizeof(f.product_class), sizeof(f.version)};
	for (int i = 0; i < 4; i++) {
		json_t *v = json_object_get(doc, fields[i]);
		if ((i < 2 && !v) || (v && (!json_is_string(v) || strlen(json_string_value(v)) >= sizes[i]))) {
			char detail[128];
			snprintf(detail, sizeof(detail), "'%s' must be a string shorter than %zu bytes%s", fields[i],
				 sizes[i], i < 2 ? " (required)" : "");
			lf__reply_error(r, 400, "Bad Request", detail);
			goto out;
		}
		if (v)
			snprintf(dest[i], sizes[i], "%s", json_string_value(v));
	}
	if (!f.name[0] || strchr(f.name, '/') || strcmp(f.name, "..") == 0 || f.name[0] == '.') {
		lf__reply_error(r, 400, "Bad Request", "'name' must be a plain file name");
		goto out;
	}
	int result = lf__hash_file(f.path, &f.size, f.sha256);
	if (result) {
		lf__reply_error(r, 400, "Bad Request", "'path' cannot be read by hemsd");
		goto out;
	}
	f.created = (int64_t)time(NULL);
	if (store_file_add(h->store, &f)) {
		lf__reply_error(r, 500, "Internal Server Error", "store unavailable");
		goto out;
	}
	lf_info("file_registered", "name=%s size=%lld sha256=%s", f.name, (long long)f.size, f.sha256);
	json_t *arr = json_array();
	lf__collect_file(arr, &f);
	lf__reply_json(r, 201, json_incref(json_array_get(arr, 0)));
	json_decref(arr);
out:
	json_decref(doc);
}

/* PUT /cwmp-users/{username} {"password"}: credentials a CPE uses towards hemsd (stored as Digest HA1). */
static void lf__cwmp_user_set(struct hems *h, const char *user, const char *body, size_t len, struct hems_reply *r)
{
	static const char digits[] = "0123456789abcdef";
	json_t *doc = lf__body_object(body, len, r);
	if (!doc)
		return;
	json_t *pw = json_object_get(doc, "password");
	if (!json_is_string(pw) || !json_string_value(pw)[0]) {
		json_decref(doc);
		lf__reply_error(r, 400, "Bad Request", "'password' must be a non-empty string");
		return;
	}
	struct md5_ctx ctx;
	uint8_t d[MD5_DIGEST_SIZE];
	char ha1[33];
	md5_init(&ctx);
	md5_update(&ctx, strlen(user), (const uint8_t *)user);
	md5_update(&ctx, 1, (const uint8_t *)":");
	md5_update(&ctx, strlen(h->cfg.auth_realm), (const uint8_t *)h->cfg.auth_realm);
	md5_update(&ctx, 1, (const uint8_t *)":");
	md5_update(&ctx, strlen(json_string_value(pw)), (const uint8_t *)json_string_value(pw));
	md5_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		ha1[2 * i] = digits[d[i] >> 4];
		ha1[2 * i + 1] = digits[d[i] & 15];
	}
	ha1[32] = '\0';
	json_decref(doc);
	if (store_cwmp_user_set(h->store, user, ha1)) {
		lf__reply_error(r, 500, "Internal Server Error", "store unavailable");
		return;
	}
	lf_info("cwmp_user_set", "username=%s", user);
	lf__reply_json(r, 200, json_pack("{s:s}", "username", user));
}

static json_t *lf__case_json(const struct store_case *c)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:s}", "caseId", (json_int_t)c->id,
			      "deviceId", c->device_id, "state", c->state, "procedure", c->procedure, "rung", c->rung + 1,
			      "step", c->step + 1, "alarmId", (json_int_t)c->alarm_id, "created", (json_int_t)c->created,
			      "updated", (json_int_t)c->updated, "closed", (json_int_t)c->closed, "outcome", c->outcome);
	if (c->wait_event[0])
		json_object_set_new(o, "waitingFor", json_string(c->wait_event));
	if (c->wait_task)
		json_object_set_new(o, "waitingForTask", json_integer(c->wait_task));
	json_t *data = json_loads(c->data, 0, NULL);
	if (json_is_object(data) && json_object_size(data))
		json_object_set(o, "data", data);
	json_decref(data);
	return o;
}

static int lf__collect_case(void *ctx, const struct store_case *c)
{
	json_array_append_new(ctx, lf__case_json(c));
	return 0;
}

static int lf__collect_event(void *ctx, const struct store_case_event *e)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "time", (json_int_t)e->time, "from",
					     e->from, "to", e->to, "why", e->why, "taskId", (json_int_t)e->task_id,
					     "actor", e->actor));
	return 0;
}

static json_t *lf__alarm_json(const struct store_alarm *a)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:b}", "alarmId",
			 (json_int_t)a->id, "deviceId", a->device_id, "alarmIdentifier", a->alarm_identifier,
			 "eventTime", a->event_time, "notificationType", a->notification_type, "eventType",
			 a->event_type, "probableCause", a->probable_cause, "specificProblem", a->specific_problem,
			 "perceivedSeverity", a->severity, "additionalText", a->additional_text, "source", a->source,
			 "received", (json_int_t)a->received, "caseId", (json_int_t)a->case_id, "acknowledged",
			 a->acked, "cleared", a->cleared);
}

static int lf__collect_alarm(void *ctx, const struct store_alarm *a)
{
	json_array_append_new(ctx, lf__alarm_json(a));
	return 0;
}

static int lf__parse_id(const char *text, int64_t *id)
{
	char *end = NULL;
	long long v = strtoll(text, &end, 10);
	if (!end || *end || v <= 0)
		return -1;
	*id = v;
	return 0;
}

static void lf__case_get(struct hems *h, const char *id_text, struct hems_reply *r)
{
	int64_t id;
	struct store_case c;
	if (lf__parse_id(id_text, &id)) {
		lf__reply_error(r, 400, "Bad Request", "case id must be a positive integer");
		return;
	}
	if (store_case_get(h->store, id, &c) != LF_OK) {
		lf__reply_error(r, 404, "Not Found", "no such case");
		return;
	}
	json_t *doc = lf__case_json(&c);
	json_t *timeline = json_array();
	store_case_events(h->store, id, lf__collect_event, timeline);
	json_object_set_new(doc, "timeline", timeline);
	struct store_alarm a;
	if (c.alarm_id && store_alarm_get(h->store, c.alarm_id, &a) == LF_OK)
		json_object_set_new(doc, "alarm", lf__alarm_json(&a));
	lf__reply_json(r, 200, doc);
}

/* POST /devices/{id}/cases {"procedure"}, POST /cases/{id}/cancel {"reason"}, POST /cases/{id}/decision. */
static void lf__case_instruction(struct hems *h, const char *what, const char *target, const char *actor,
				 const char *body, size_t len, struct hems_reply *r)
{
	char err[256];
	int64_t id = 0;
	json_t *doc = lf__body_object(body && len ? body : "{}", body && len ? len : 2, r);
	if (!doc)
		return;
	const char *reason = json_string_value(json_object_get(doc, "reason"));
	int result;
	if (strcmp(what, "start") == 0) {
		const char *proc = json_string_value(json_object_get(doc, "procedure"));
		result = hems_case_start(h, target, proc ? proc : "", actor, &id, err, sizeof(err));
	} else if (lf__parse_id(target, &id)) {
		snprintf(err, sizeof(err), "case id must be a positive integer");
		result = LF_EINVAL;
	} else if (strcmp(what, "cancel") == 0) {
		result = hems_case_cancel(h, id, actor, reason);
		snprintf(err, sizeof(err), "%s", result == LF_ENOTFOUND ? "no such case" : "the case is closed");
	} else {
		const char *decision = json_string_value(json_object_get(doc, "decision"));
		result = hems_case_decide(h, id, decision ? decision : "", actor, reason, err, sizeof(err));
	}
	json_decref(doc);
	if (result) {
		unsigned st = result == LF_ENOTFOUND ? 404 : result == LF_EEXIST ? 409 : 400;
		lf__reply_error(r, st, st == 404 ? "Not Found" : st == 409 ? "Conflict" : "Bad Request", err);
		return;
	}
	lf_info("nbi_instruction", "actor=%s what=%s target=%s case=%lld", actor, what, target, (long long)id);
	char id_text[24];
	snprintf(id_text, sizeof(id_text), "%lld", (long long)id);
	lf__case_get(h, id_text, r);
	if (strcmp(what, "start") == 0)
		r->status = 201;
}

void hems_nbi_handle(struct hems *h, const char *method, const char *url, const char *authorization,
		     const char *body, size_t len, struct hems_reply *r)
{
	char path[1024];
	char *seg[LF_MAX_SEGMENTS];
	int n = 0;

	char actor[64];
	if (!h->cfg.nbi_token[0] && !h->n_nbi_tokens) {
		lf__reply_error(r, 403, "Forbidden", "the NBI is disabled: no nbi.token configured");
		return;
	}
	if (!hems_nbi_authorize(h, authorization, actor, sizeof(actor))) {
		lf_warn("nbi_auth_failed", "url=%s", url);
		lf__reply_error(r, 401, "Unauthorized", "a valid 'Authorization: Bearer <token>' header is required");
		return;
	}
	if (strlen(url) - strlen(HEMS_NBI_PREFIX) >= sizeof(path)) {
		lf__reply_error(r, 414, "URI Too Long", "path too long");
		return;
	}
	snprintf(path, sizeof(path), "%s", url + strlen(HEMS_NBI_PREFIX));
	for (char *p = path; *p && n < LF_MAX_SEGMENTS;) {
		seg[n++] = p;
		char *slash = strchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
		if (!*p || n == LF_MAX_SEGMENTS) {
			lf__reply_error(r, 404, "Not Found", "no such NBI resource");
			return;
		}
	}
	/* libmicrohttpd has already percent-decoded the path. */
	for (int i = 0; i < n; i++)
		if (!seg[i][0]) {
			lf__reply_error(r, 400, "Bad Request", "empty segment in the path");
			return;
		}
	int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;

	if (n == 1 && strcmp(seg[0], "devices") == 0 && get) {
		json_t *list = json_array();
		if (store_device_list(h->store, lf__collect_device, list)) {
			json_decref(list);
			lf__reply_error(r, 500, "Internal Server Error", "store unavailable");
			return;
		}
		lf__reply_json(r, 200, json_pack("{s:o}", "devices", list));
	} else if (n == 2 && strcmp(seg[0], "devices") == 0 && get) {
		lf__device_get(h, seg[1], r);
	} else if (n == 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "tasks") == 0 && post) {
		lf__task_add(h, seg[1], body, len, r);
	} else if (n == 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "tasks") == 0 && get) {
		json_t *list = json_array();
		store_task_list(h->store, seg[1], 1000, lf__collect_task, list);
		lf__reply_json(r, 200, json_pack("{s:o}", "tasks", list));
	} else if (n == 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "connection-request") == 0 && post) {
		int result = hems_connreq_wake(h, seg[1]);
		if (!result)
			hems_case_note(h, seg[1], actor, "management connection forced (connection request)");
		if (result)
			lf__reply_error(r, result == LF_ENOTFOUND ? 404 : 503, "Not Sent",
					result == LF_ENOTFOUND ? "unknown device or no connection request address"
							       : "connection request queue full");
		else
			lf__reply_json(r, 202, json_pack("{s:s}", "connectionRequest", "queued"));
	} else if (n == 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "block") == 0 &&
		   (strcmp(method, "PUT") == 0 || strcmp(method, "DELETE") == 0)) {
		lf__block(h, method, seg[1], actor, body, len, r);
	} else if (n == 2 && strcmp(seg[0], "tasks") == 0 && get) {
		lf__task_get(h, seg[1], r);
	} else if (n == 1 && strcmp(seg[0], "tasks") == 0 && get) {
		json_t *list = json_array();
		store_task_list(h->store, NULL, 1000, lf__collect_task, list);
		lf__reply_json(r, 200, json_pack("{s:o}", "tasks", list));
	} else if (n == 1 && strcmp(seg[0], "files") == 0 && post) {
		lf__file_add(h, body, len, r);
	} else if (n == 1 && strcmp(seg[0], "files") == 0 && get) {
		json_t *list = json_array();
		store_file_list(h->store, lf__collect_file, list);
		lf__reply_json(r, 200, json_pack("{s:o}", "files", list));
	} else if (n == 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "cases") == 0 && get) {
		json_t *list = json_array();
		store_case_list(h->store, seg[1], 0, 1000, lf__collect_case, list);
		lf__reply_json(r, 200, json_pack("{s:o}", "cases", list));
	} else if (n == 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "cases") == 0 && post) {
		lf__case_instruction(h, "start", seg[1], actor, body, len, r);
	} else if (n == 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "alarms") == 0 && get) {
		json_t *list = json_array();
		store_alarm_list(h->store, seg[1], 1000, lf__collect_alarm, list);
		lf__reply_json(r, 200, json_pack("{s:o}", "alarms", list));
	} else if (n == 1 && strcmp(seg[0], "cases") == 0 && get) {
		json_t *list = json_array();
		store_case_list(h->store, NULL, 0, 1000, lf__collect_case, list);
		lf__reply_json(r, 200, json_pack("{s:o}", "cases", list));
	} else if (n == 2 && strcmp(seg[0], "cases") == 0 && strcmp(seg[1], "open") == 0 && get) {
		json_t *list = json_array();
		store_case_list(h->store, NULL, 1, 1000, lf__collect_case, list);
		lf__reply_json(r, 200, json_pack("{s:o}", "cases", list));
	} else if (n == 2 && strcmp(seg[0], "cases") == 0 && get) {
		lf__case_get(h, seg[1], r);
	} else if (n == 3 && strcmp(seg[0], "cases") == 0 && post &&
		   (strcmp(seg[2], "cancel") == 0 || strcmp(seg[2], "decision") == 0)) {
		lf__case_instruction(h, seg[2], seg[1], actor, body, len, r);
	} else if (n == 2 && strcmp(seg[0], "cwmp-users") == 0 && strcmp(method, "PUT") == 0) {
		lf__cwmp_user_set(h, seg[1], body, len, r);
	} else if (n >= 3 && strcmp(seg[0], "devices") == 0 && strcmp(seg[2], "measures") == 0) {
		hems_enforcement_nbi(h, method, seg[1], n == 4 ? seg[3] : NULL, actor, body, len, r);
	} else if (n <= 2 && strcmp(seg[0], "outbox") == 0 && get) {
		hems_outbox_nbi(h, n == 2 ? seg[1] : NULL, r);
	} else {
		lf__reply_error(r, 404, "Not Found", "no such NBI resource or method");
	}
}
