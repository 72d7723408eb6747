/* nbi.c: northbound interface, JSON over HTTP: GET /nbi/v1/devices, GET /nbi/v1/devices/{id}. */
#include "hems/nbi.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "store/store.h"

/* Compare in time independent of where the strings differ, so the token cannot be guessed byte by byte. */
static int lf__token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = (unsigned char)(la != lb);
	for (size_t i = 0; i < la; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return diff == 0;
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

static void lf__reply_error(struct hems_reply *r, unsigned status, const char *title, const char *detail)
{
	lf__reply_json(r, status, json_pack("{s:i, s:s, s:s}", "status", (int)status, "title", title, "detail", detail));
}

static json_t *lf__device_json(const struct store_device *d)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "deviceId", d->device_id,
			 "manufacturer", d->manufacturer, "oui", d->oui, "productClass", d->product_class,
			 "serialNumber", d->serial_number, "softwareVersion", d->software_version, "hardwareVersion",
			 d->hardware_version, "connectionRequestUrl", d->conn_req_url, "lastEvents", d->last_events,
			 "remoteAddress", d->remote_addr, "firstSeen", (json_int_t)d->first_seen, "lastInform",
			 (json_int_t)d->last_inform, "informs", (json_int_t)d->informs);
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

/* Percent-decode a path segment in place; returns 0 or -1 on a bad escape. */
static int lf__url_decode(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (*p == '%') {
			unsigned v;
			if (!p[1] || !p[2] || sscanf(p + 1, "%2x", &v) != 1)
				return -1;
			*w++ = (char)v;
			p += 2;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return 0;
}

static void lf__get_device(struct hems *h, const char *id_enc, struct hems_reply *r)
{
	char id[STORE_MAX_ID * 3];
	struct store_device d;
	snprintf(id, sizeof(id), "%s", id_enc);
	if (lf__url_decode(id)) {
		lf__reply_error(r, 400, "Bad Request", "device id has a bad percent escape");
		return;
	}
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

void hems_nbi_handle(struct hems *h, const char *method, const char *url, const char *authorization,
		     struct hems_reply *r)
{
	const char *path = url + strlen(HEMS_NBI_PREFIX);
	if (!h->cfg.nbi_token[0]) {
		lf__reply_error(r, 403, "Forbidden", "the NBI is disabled: no nbi.token configured");
		return;
	}
	if (!authorization || strncmp(authorization, "Bearer ", 7) != 0 ||
	    !lf__token_equal(authorization + 7, h->cfg.nbi_token)) {
		lf_warn("nbi_auth_failed", "url=%s", url);
		lf__reply_error(r, 401, "Unauthorized", "a valid 'Authorization: Bearer <token>' header is required");
		return;
	}
	if (strcmp(method, "GET") != 0) {
		lf__reply_error(r, 405, "Method Not Allowed", "only GET is supported here");
		return;
	}
	if (strcmp(path, "devices") == 0) {
		json_t *list = json_array();
		if (store_device_list(h->store, lf__collect_device, list)) {
			json_decref(list);
			lf__reply_error(r, 500, "Internal Server Error", "store unavailable");
			return;
		}
		lf__reply_json(r, 200, json_pack("{s:o}", "devices", list));
		return;
	}
	if (strncmp(path, "devices/", 8) == 0 && path[8] && !strchr(path + 8, '/')) {
		lf__get_device(h, path + 8, r);
		return;
	}
	lf__reply_error(r, 404, "Not Found", "no such NBI resource");
}
