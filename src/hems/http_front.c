/* http_front.c: libmicrohttpd front of hemsd: request bodies (capped), routing, answers. */
#include "hems/http_front.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "hems/nbi.h"
#include "hems/session.h"

struct hems_http {
	struct MHD_Daemon *daemon;
	struct hems *h;
	int64_t last_sweep_ms;
};

/* Per-request state: the body read so far. */
struct lf__req {
	struct lf_buf body;
	int too_big;
};

static void lf__remote(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, outlen, "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)outlen);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
			  (socklen_t)outlen);
}

static enum MHD_Result lf__send(struct MHD_Connection *c, struct hems_reply *r)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(r->body.len, r->body.data ? r->body.data : "",
								    MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (r->content_type && r->body.len)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	if (r->set_cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
	if (r->retry_after) {
		char v[16];
		snprintf(v, sizeof(v), "%u", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
	}
	enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result lf__access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct hems_http *srv = cls;
	struct hems *h = srv->h;
	struct lf__req *req = *con_cls;

	if (!req) {
		req = lf_calloc(1, sizeof(*req));
		lf_buf_init(&req->body, CWMP_MAX_MESSAGE);
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Keep reading past the cap (so the answer can be sent) but store nothing more. */
		if (!req->too_big && lf_buf_append(&req->body, upload_data, *upload_data_size))
			req->too_big = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}

	struct hems_reply r;
	hems_reply_init(&r);
	char remote[64];
	lf__remote(c, remote, sizeof(remote));

	int64_t now = lf_now_ms();
	if (now - srv->last_sweep_ms > 1000) {
		hems_sessions_expire(h->sessions, now, h->cfg.session_timeout_s * 1000);
		srv->last_sweep_ms = now;
	}

	if (req->too_big) {
		hems_reply_text(&r, 413, "request body larger than %d bytes", CWMP_MAX_MESSAGE);
	} else if (strcmp(url, h->cfg.cwmp_path) == 0) {
		if (strcmp(method, "POST") != 0) {
			hems_reply_text(&r, 405, "CWMP endpoint takes POST only");
		} else {
			const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "lfsession");
			hems_cwmp_handle(h, cookie, remote, req->body.data ? req->body.data : "", req->body.len, &r);
		}
	} else if (strncmp(url, HEMS_NBI_PREFIX, strlen(HEMS_NBI_PREFIX)) == 0) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		hems_nbi_handle(h, method, url, auth, &r);
	} else {
		hems_reply_text(&r, 404, "no such resource: %s", url);
	}
	enum MHD_Result ret = lf__send(c, &r);
	hems_reply_free(&r);
	return ret;
}

static void lf__completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct lf__req *req = *con_cls;
	if (req) {
		lf_buf_free(&req->body);
		lf_free(req);
	}
	*con_cls = NULL;
}

int hems_http_start(struct hems *h, struct hems_http **out, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)h->cfg.listen_port);
	if (inet_pton(AF_INET, h->cfg.listen_address, &sin.sin_addr) != 1) {
		snprintf(err, errlen, "listen_address '%s' is not an IPv4 address", h->cfg.listen_address);
		return LF_EINVAL;
	}
	struct hems_http *srv = lf_calloc(1, sizeof(*srv));
	srv->h = h;
	/* One internal thread running an epoll loop: every request is handled in turn by that thread, so the
	 * session table and the store need no locks. */
	srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL,
				       NULL, lf__access, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				       MHD_OPTION_NOTIFY_COMPLETED, lf__completed, srv, MHD_OPTION_CONNECTION_TIMEOUT,
				       (unsigned)h->cfg.session_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
				       (unsigned)(h->cfg.max_sessions + 64), MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096,
				       MHD_OPTION_END);
	if (!srv->daemon) {
		snprintf(err, errlen, "cannot listen on %s:%lld (address in use or not permitted)",
			 h->cfg.listen_address, h->cfg.listen_port);
		lf_free(srv);
		return LF_EIO;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di ? di->port : (uint16_t)h->cfg.listen_port;
	*out = srv;
	return LF_OK;
}

void hems_http_stop(struct hems_http **hp)
{
	struct hems_http *srv = *hp;
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	lf_free(srv);
	*hp = NULL;
}
