/* cwmp_client.c: the CPE side of a CWMP session (TR-069 3.7): POST Inform, then empty POST, serve requests, 204. */
#include "henb/cwmp_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "henb/agent.h"
#include "henb/datamodel.h"

#define LF_MAX_RPCS_PER_SESSION 4096
#define LF_MAX_VALUE 1024

struct lf__http {
	CURL *curl;
	struct curl_slist *headers;
	struct lf_buf resp;
	long status;
};

static size_t lf__on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct lf_buf *b = ctx;
	if (lf_buf_append(b, p, size * n))
		return 0; /* over CWMP_MAX_MESSAGE: curl aborts the transfer */
	return size * n;
}

static int lf__http_open(struct lf__http *hc, const struct henb_agent *a, char *err, size_t errlen)
{
	memset(hc, 0, sizeof(*hc));
	lf_buf_init(&hc->resp, CWMP_MAX_MESSAGE);
	hc->curl = curl_easy_init();
	if (!hc->curl) {
		snprintf(err, errlen, "curl_easy_init failed");
		return LF_ENOMEM;
	}
	hc->headers = curl_slist_append(NULL, "Content-Type: text/xml; charset=\"utf-8\"");
	hc->headers = curl_slist_append(hc->headers, "SOAPAction:");
	hc->headers = curl_slist_append(hc->headers, "Expect:");
	CURL *c = hc->curl;
	curl_easy_setopt(c, CURLOPT_URL, a->cfg.acs_url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hc->headers);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, ""); /* session cookies kept for this session only */
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &hc->resp);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)a->cfg.http_timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)a->cfg.http_timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (a->cfg.acs_username[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, a->cfg.acs_username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, a->cfg.acs_password);
		/* Basic only inside TLS; in clear text only Digest (TR-069 3.4.5). */
		long methods = strncmp(a->cfg.acs_url, "https:", 6) == 0 ? (CURLAUTH_DIGEST | CURLAUTH_BASIC)
									  : CURLAUTH_DIGEST;
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, methods);
	}
	return LF_OK;
}

static void lf__http_close(struct lf__http *hc)
{
	curl_slist_free_all(hc->headers);
	curl_easy_cleanup(hc->curl);
	lf_buf_free(&hc->resp);
}

/* POST body (may be empty); on success hc->status and hc->resp hold the answer. */
static int lf__http_post(struct lf__http *hc, const char *body, size_t len, char *err, size_t errlen)
{
	lf_buf_reset(&hc->resp);
	curl_easy_setopt(hc->curl, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(hc->curl, CURLOPT_POSTFIELDSIZE, (long)len);
	CURLcode rc = curl_easy_perform(hc->curl);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
		return LF_ENET;
	}
	curl_easy_getinfo(hc->curl, CURLINFO_RESPONSE_CODE, &hc->status);
	return LF_OK;
}

static void lf__now_text(char *out, size_t outlen)
{
	lf_time_iso8601(time(NULL), out, outlen);
}

/* Build the Inform with the forced-inform parameters into out. */
static int lf__build_inform(struct henb_agent *a, struct cwmp_event *events, size_t n_events,
			    struct lf_buf *out)
{
	size_t n;
	const struct henb_dm_param *table = henb_dm_params(&n);
	struct cwmp_param_value pv[32];
	char values[32][LF_MAX_VALUE];
	size_t np = 0;
	char now[32];
	for (size_t i = 0; i < n && np < 32; i++) {
		if (!(table[i].flags & HENB_DM_FORCED))
			continue;
		table[i].get(a, values[np], sizeof(values[np]));
		pv[np].name = table[i].name;
		pv[np].value = values[np];
		pv[np].type = table[i].type;
		np++;
	}
	lf__now_text(now, sizeof(now));
	struct cwmp_msg m;
	cwmp_msg_init(&m);
	m.method = CWMP_INFORM;
	m.version = CWMP_V1_2;
	m.id = "1";
	m.u.inform.device_id.manufacturer = a->cfg.manufacturer;
	m.u.inform.device_id.oui = a->cfg.oui;
	m.u.inform.device_id.product_class = a->cfg.product_class;
	m.u.inform.device_id.serial_number = a->cfg.serial_number;
	m.u.inform.events = events;
	m.u.inform.n_events = n_events;
	m.u.inform.max_envelopes = 1;
	m.u.inform.current_time = now;
	m.u.inform.retry_count = a->retry_count;
	m.u.inform.params = pv;
	m.u.inform.n_params = np;
	int result = cwmp_build(&m, out);
	cwmp_msg_free(&m);
	return result;
}

/* GetParameterValues over the static table: 9005 for a name that matches nothing. */
static void lf__answer_gpv(struct henb_agent *a, const struct cwmp_msg *req, struct cwmp_msg *resp,
			   struct lf_arena *scratch)
{
	size_t n;
	const struct henb_dm_param *table = henb_dm_params(&n);
	size_t cap = n * (req->u.names.n ? req->u.names.n : 1);
	struct cwmp_param_value *pv = lf_arena_alloc(scratch, cap * sizeof(*pv));
	size_t np = 0;
	for (size_t r = 0; r < req->u.names.n; r++) {
		size_t before = np;
		for (size_t i = 0; i < n; i++) {
			if (!henb_dm_matches(req->u.names.names[r], &table[i]))
				continue;
			char *v = lf_arena_alloc(scratch, LF_MAX_VALUE);
			if (!pv || !v)
				goto resources;
			table[i].get(a, v, LF_MAX_VALUE);
			pv[np].name = table[i].name;
			pv[np].value = v;
			pv[np].type = table[i].type;
			np++;
		}
		if (np == before) {
			resp->method = CWMP_FAULT;
			resp->u.fault.code = CWMP_FAULT_INVALID_PARAMETER_NAME;
			resp->u.fault.string = cwmp_fault_text(CWMP_FAULT_INVALID_PARAMETER_NAME);
			return;
		}
	}
	resp->method = CWMP_GET_PARAMETER_VALUES_RESPONSE;
	resp->u.gpv_response.params = pv;
	resp->u.gpv_response.n = np;
	return;
resources:
	resp->method = CWMP_FAULT;
	resp->u.fault.code = CWMP_FAULT_RESOURCES_EXCEEDED;
	resp->u.fault.string = cwmp_fault_text(CWMP_FAULT_RESOURCES_EXCEEDED);
}

/* Answer one ACS request into out. */
static int lf__answer(struct henb_agent *a, const struct cwmp_msg *req, struct lf_buf *out)
{
	static const char *methods[] = {"GetRPCMethods", "GetParameterValues"};
	struct lf_arena scratch;
	struct cwmp_msg resp;
	lf_arena_init(&scratch, 1024 * 1024);
	cwmp_msg_init(&resp);
	resp.version = req->version;
	resp.id = req->id;
	switch (req->method) {
	case CWMP_GET_RPC_METHODS:
		resp.method = CWMP_GET_RPC_METHODS_RESPONSE;
		resp.u.rpc_methods.methods = methods;
		resp.u.rpc_methods.n = sizeof(methods) / sizeof(methods[0]);
		break;
	case CWMP_GET_PARAMETER_VALUES:
		lf__answer_gpv(a, req, &resp, &scratch);
		break;
	default:
		resp.method = CWMP_FAULT;
		resp.u.fault.code = CWMP_FAULT_METHOD_NOT_SUPPORTED;
		resp.u.fault.string = cwmp_fault_text(CWMP_FAULT_METHOD_NOT_SUPPORTED);
		break;
	}
	lf_info("rpc", "method=%s answer=%s", cwmp_method_name(req->method), cwmp_method_name(resp.method));
	int result = cwmp_build(&resp, out);
	cwmp_msg_free(&resp);
	lf_arena_free(&scratch);
	return result;
}

int henb_session_run(struct henb_agent *a, struct cwmp_event *events, size_t n_events, int *informed,
		     char *err, size_t errlen)
{
	struct lf__http hc;
	struct lf_buf out;
	struct cwmp_msg m;
	char why[256];
	int result;

	*informed = 0;
	cwmp_msg_init(&m);
	lf_buf_init(&out, CWMP_MAX_MESSAGE);
	result = lf__http_open(&hc, a, err, errlen);
	if (result)
		goto out;

	result = lf__build_inform(a, events, n_events, &out);
	if (result) {
		snprintf(err, errlen, "cannot build Inform: %s", lf_strerror(result));
		goto out;
	}
	result = lf__http_post(&hc, out.data, out.len, err, errlen);
	if (result)
		goto out;
	if (hc.status != 200) {
		snprintf(err, errlen, "Inform answered with HTTP %ld", hc.status);
		result = LF_ENET;
		goto out;
	}
	result = cwmp_parse(&m, hc.resp.data ? hc.resp.data : "", hc.resp.len, why, sizeof(why));
	if (result || m.method != CWMP_INFORM_RESPONSE) {
		snprintf(err, errlen, "expected InformResponse, got %s",
			 result ? why : cwmp_method_name(m.method));
		result = result ? result : LF_EPARSE;
		goto out;
	}
	*informed = 1;

	/* We have no requests of our own (TransferComplete etc. come later): empty POST, then serve the ACS. */
	lf_buf_reset(&out);
	for (int rpcs = 0;; rpcs++) {
		if (rpcs == LF_MAX_RPCS_PER_SESSION) {
			snprintf(err, errlen, "more than %d ACS requests in one session", LF_MAX_RPCS_PER_SESSION);
			result = LF_ETOOBIG;
			goto out;
		}
		result = lf__http_post(&hc, out.data, out.len, err, errlen);
		if (result)
			goto out;
		if (hc.status == 204 || (hc.status == 200 && hc.resp.len == 0))
			break; /* session over */
		if (hc.status != 200) {
			snprintf(err, errlen, "ACS answered HTTP %ld", hc.status);
			result = LF_ENET;
			goto out;
		}
		cwmp_msg_free(&m);
		cwmp_msg_init(&m);
		lf_buf_reset(&out);
		result = cwmp_parse(&m, hc.resp.data, hc.resp.len, why, sizeof(why));
		if (result == LF_EUNSUPPORTED) {
			struct cwmp_msg f;
			cwmp_msg_init(&f);
			f.method = CWMP_FAULT;
			f.version = m.version;
			f.id = m.id;
			f.u.fault.code = CWMP_FAULT_METHOD_NOT_SUPPORTED;
			f.u.fault.string = cwmp_fault_text(CWMP_FAULT_METHOD_NOT_SUPPORTED);
			result = cwmp_build(&f, &out);
			cwmp_msg_free(&f);
		} else if (result) {
			snprintf(err, errlen, "bad message from ACS: %s", why);
			goto out;
		} else {
			result = lf__answer(a, &m, &out);
		}
		if (result) {
			snprintf(err, errlen, "cannot build answer: %s", lf_strerror(result));
			goto out;
		}
	}
	result = LF_OK;
out:
	cwmp_msg_free(&m);
	lf_buf_free(&out);
	if (hc.curl)
		lf__http_close(&hc);
	return result;
}
