/* http_front.c: libmicrohttpd front of hemsd: TLS, CPE authentication, capped bodies, routing, metrics. */
#include "hems/http_front.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <nettle/md5.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "common/random.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"
#include "hems/fileserver.h"
#include "hems/first_rpc.h"
#include "hems/fm_nbi.h"
#include "hems/nbi.h"
#include "hems/outbox.h"
#include "hems/session.h"
#include "store/store.h"

#define LF_COOKIE_NAME "lfsession"

struct hems_http {
	struct MHD_Daemon *daemon;
	struct hems *h;
	int tls;
	struct lf_buf cert, key, ca; /* PEM texts; MHD keeps pointers to them */
	unsigned char nonce_seed[32];
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

static void lf__ha1_of(const char *user, const char *realm, const char *password, uint8_t out[MD5_DIGEST_SIZE])
{
	struct md5_ctx ctx;
	md5_init(&ctx);
	md5_update(&ctx, strlen(user), (const uint8_t *)user);
	md5_update(&ctx, 1, (const uint8_t *)":");
	md5_update(&ctx, strlen(realm), (const uint8_t *)realm);
	md5_update(&ctx, 1, (const uint8_t *)":");
	md5_update(&ctx, strlen(password), (const uint8_t *)password);
	md5_digest(&ctx, MD5_DIGEST_SIZE, out);
}

static int lf__hex_to_bin(const char *hex, uint8_t *out, size_t n)
{
	if (strlen(hex) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* Verify the TLS client certificate against tls.client_ca; the subject CN goes to cn. */
static int lf__client_cert_ok(struct MHD_Connection *c, char *cn, size_t cnlen)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	unsigned status = 0;
	unsigned n = 0;
	cn[0] = '\0';
	if (!ci || !ci->tls_session)
		return 0;
	gnutls_session_t tls = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_verify_peers2(tls, &status) != 0 || status != 0)
		return 0;
	const gnutls_datum_t *certs = gnutls_certificate_get_peers(tls, &n);
	if (!certs || n == 0)
		return 0;
	gnutls_x509_crt_t crt;
	if (gnutls_x509_crt_init(&crt) == 0) {
		size_t len = cnlen;
		if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0)
			gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &len);
		gnutls_x509_crt_deinit(crt);
	}
	return 1;
}

/* Authenticate the CPE per cwmp.auth. Returns 1 when allowed; otherwise it has queued the 401 (*ret). */
static int lf__authenticate(struct hems_http *srv, struct MHD_Connection *c, enum MHD_Result *ret)
{
	struct hems *h = srv->h;
	const char *mode = h->cfg.auth;
	char ha1_hex[65];
	uint8_t ha1[MD5_DIGEST_SIZE];
	char remote[64];
	static const char denied[] = "authentication required\n";

	if (strcmp(mode, "none") == 0)
		return 1;
	lf__remote(c, remote, sizeof(remote));
	if (strcmp(mode, "cert") == 0) {
		char cn[256];
		if (lf__client_cert_ok(c, cn, sizeof(cn)))
			return 1;
		lf_warn("auth_failed", "mode=cert remote=%s", remote);
	} else if (strcmp(mode, "basic") == 0) {
		char *pass = NULL;
		char *user = MHD_basic_auth_get_username_password(c, &pass);
		int ok = 0;
		if (user && pass && store_cwmp_user_get(h->store, user, ha1_hex, sizeof(ha1_hex)) == 0) {
			uint8_t want[MD5_DIGEST_SIZE];
			lf__ha1_of(user, h->cfg.auth_realm, pass, ha1);
			ok = lf__hex_to_bin(ha1_hex, want, sizeof(want)) == 0 && memcmp(want, ha1, sizeof(ha1)) == 0;
		}
		if (!ok)
			lf_warn("auth_failed", "mode=basic user=%s remote=%s", user ? user : "-", remote);
		MHD_free(user);
		MHD_free(pass);
		if (ok)
			return 1;
		struct MHD_Response *resp = MHD_create_response_from_buffer(sizeof(denied) - 1, (void *)(uintptr_t)denied,
									    MHD_RESPMEM_PERSISTENT);
		*ret = MHD_queue_basic_auth_fail_response(c, h->cfg.auth_realm, resp);
		MHD_destroy_response(resp);
		h->metrics.auth_failures++;
		return 0;
	} else { /* digest */
		char *user = MHD_digest_auth_get_username(c);
		int stale = 0;
		if (user && store_cwmp_user_get(h->store, user, ha1_hex, sizeof(ha1_hex)) == 0 &&
		    lf__hex_to_bin(ha1_hex, ha1, sizeof(ha1)) == 0) {
			int r = MHD_digest_auth_check_digest2(c, h->cfg.auth_realm, user, ha1, sizeof(ha1), 300,
							      MHD_DIGEST_ALG_MD5);
			if (r == MHD_YES) {
				MHD_free(user);
				return 1;
			}
			stale = r == MHD_INVALID_NONCE;
		}
		if (user) /* a first request without credentials is the normal start of Digest */
			lf_warn("auth_failed", "mode=digest user=%s remote=%s", user, remote);
		MHD_free(user);
		struct MHD_Response *resp = MHD_create_response_from_buffer(sizeof(denied) - 1, (void *)(uintptr_t)denied,
									    MHD_RESPMEM_PERSISTENT);
		*ret = MHD_queue_auth_fail_response2(c, h->cfg.auth_realm, "lifeline", resp, stale ? MHD_YES : MHD_NO,
						     MHD_DIGEST_ALG_MD5);
		MHD_destroy_response(resp);
		if (!stale && MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))
			h->metrics.auth_failures++;
		return 0;
	}
	h->metrics.auth_failures++;
	struct hems_reply r;
	hems_reply_init(&r);
	hems_reply_text(&r, 401, "a valid device certificate is required");
	*ret = lf__send(c, &r);
	hems_reply_free(&r);
	return 0;
}

static void lf__metrics(struct hems *h, struct hems_reply *r)
{
	static const char *const le[] = {"0.0005", "0.001", "0.002", "0.005", "0.01", "0.05", "0.1", "+Inf"};
	const struct hems_metrics *m = &h->metrics;
	struct lf_buf *b = &r->body;
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4";
	lf_buf_printf(b,
		      "# HELP hems_http_requests_total HTTP requests handled.\n# TYPE hems_http_requests_total counter\n"
		      "hems_http_requests_total %llu\n"
		      "# HELP hems_informs_total Informs accepted.\n# TYPE hems_informs_total counter\n"
		      "hems_informs_total %llu\n"
		      "# HELP hems_sessions_open CWMP sessions open now.\n# TYPE hems_sessions_open gauge\n"
		      "hems_sessions_open %zu\n"
		      "# HELP hems_sessions_total CWMP sessions started and ended.\n# TYPE hems_sessions_total counter\n"
		      "hems_sessions_total{event=\"started\"} %llu\nhems_sessions_total{event=\"ended\"} %llu\n"
		      "# HELP hems_tasks_total CPE RPCs by outcome.\n# TYPE hems_tasks_total counter\n"
		      "hems_tasks_total{outcome=\"sent\"} %llu\nhems_tasks_total{outcome=\"done\"} %llu\n"
		      "hems_tasks_total{outcome=\"fault\"} %llu\nhems_tasks_total{outcome=\"failed\"} %llu\n"
		      "# HELP hems_refused_total Requests refused.\n# TYPE hems_refused_total counter\n"
		      "hems_refused_total{reason=\"bad_request\"} %llu\nhems_refused_total{reason=\"auth\"} %llu\n"
		      "hems_refused_total{reason=\"blocked\"} %llu\nhems_refused_total{reason=\"overload\"} %llu\n"
		      "# HELP hems_request_seconds Time to handle one request.\n# TYPE hems_request_seconds histogram\n",
		      (unsigned long long)m->http_requests, (unsigned long long)m->informs,
		      hems_sessions_count(h->sessions), (unsigned long long)m->sessions_started,
		      (unsigned long long)m->sessions_ended, (unsigned long long)m->tasks_sent,
		      (unsigned long long)m->tasks_done, (unsigned long long)m->tasks_fault,
		      (unsigned long long)m->tasks_failed, (unsigned long long)m->bad_requests,
		      (unsigned long long)m->auth_failures, (unsigned long long)m->refused_blocked,
		      (unsigned long long)m->refused_overload);
	uint64_t cum = 0;
	for (int i = 0; i < 8; i++) {
		cum += m->latency_bucket[i];
		lf_buf_printf(b, "hems_request_seconds_bucket{le=\"%s\"} %llu\n", le[i], (unsigned long long)cum);
	}
	lf_buf_printf(b, "hems_request_seconds_sum %.6f\nhems_request_seconds_count %llu\n", m->latency_sum_ms / 1000.0,
		      (unsigned long long)cum);
	hems_first_rpc_metrics(h->first_rpc, b);
	hems_outbox_metrics(h, b);
}

static void lf__observe(struct hems_metrics *m, double ms)
{
	static const double bound[] = {0.5, 1, 2, 5, 10, 50, 100};
	int i = 0;
	while (i < 7 && ms > bound[i])
		i++;
	m->latency_bucket[i]++;
	m->latency_sum_ms += ms;
}

/* Query-string values for the FaultMnS handler. */
static const char *lf__query_arg(void *ctx, const char *key)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
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

	struct timespec ts0, ts1;
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	h->metrics.http_requests++;

	struct hems_reply r;
	enum MHD_Result ret;
	hems_reply_init(&r);
	char remote[64];
	lf__remote(c, remote, sizeof(remote));

	if (strcmp(url, h->cfg.cwmp_path) == 0) {
		const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, LF_COOKIE_NAME);
		/* A request of an authenticated session carries its cookie; the session's first request (the
		 * Inform) authenticates. An unknown cookie authenticates again. */
		if (!hems_session_known(h, cookie) && !lf__authenticate(srv, c, &ret))
			goto done;
		if (req->too_big)
			hems_reply_text(&r, 413, "request body larger than %d bytes", CWMP_MAX_MESSAGE);
		else if (strcmp(method, "POST") != 0)
			hems_reply_text(&r, 405, "CWMP endpoint takes POST only");
		else
			hems_cwmp_handle(h, cookie, remote, req->body.data ? req->body.data : "", req->body.len, &r);
	} else if (req->too_big) {
		hems_reply_text(&r, 413, "request body larger than %d bytes", CWMP_MAX_MESSAGE);
	} else if (strncmp(url, HEMS_NBI_PREFIX, strlen(HEMS_NBI_PREFIX)) == 0) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		hems_nbi_handle(h, method, url, auth, req->body.data, req->body.len, &r);
	} else if (strncmp(url, HEMS_FM_PREFIX, strlen(HEMS_FM_PREFIX)) == 0) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
		hems_fm_handle(h, method, url, auth, lf__query_arg, c, req->body.data, req->body.len, &r);
	} else if (strncmp(url, HEMS_FILES_PREFIX, strlen(HEMS_FILES_PREFIX)) == 0 &&
		   (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
		ret = hems_files_serve(h, c, url);
		goto done;
	} else if (strcmp(url, "/metrics") == 0 && strcmp(method, "GET") == 0) {
		lf__metrics(h, &r);
	} else {
		hems_reply_text(&r, 404, "no such resource: %s", url);
	}
	ret = lf__send(c, &r);
done:
	hems_reply_free(&r);
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	lf__observe(&h->metrics, (double)(ts1.tv_sec - ts0.tv_sec) * 1000.0 + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e6);
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

static int lf__load_pem(const char *path, struct lf_buf *b, const char *what, char *err, size_t errlen)
{
	lf_buf_init(b, 1024 * 1024);
	int result = lf_file_read(path, b);
	if (result)
		snprintf(err, errlen, "%s %s: cannot read: %s", what, path, lf_strerror(result));
	return result;
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
	const char *a = h->cfg.auth;
	if (strcmp(a, "none") && strcmp(a, "digest") && strcmp(a, "basic") && strcmp(a, "cert")) {
		snprintf(err, errlen, "cwmp.auth '%s' is not none, digest, basic or cert", a);
		return LF_EINVAL;
	}
	int tls = h->cfg.tls_cert[0] != '\0';
	if ((strcmp(a, "basic") == 0 || strcmp(a, "cert") == 0) && !tls) {
		snprintf(err, errlen, "cwmp.auth = %s needs TLS: set tls.cert and tls.key", a);
		return LF_EINVAL;
	}
	if (strcmp(a, "cert") == 0 && !h->cfg.tls_client_ca[0]) {
		snprintf(err, errlen, "cwmp.auth = cert needs tls.client_ca");
		return LF_EINVAL;
	}
	struct hems_http *srv = lf_calloc(1, sizeof(*srv));
	srv->h = h;
	srv->tls = tls;
	lf_random_bytes(srv->nonce_seed, sizeof(srv->nonce_seed));
	lf_buf_init(&srv->cert, 0);
	lf_buf_init(&srv->key, 0);
	lf_buf_init(&srv->ca, 0);
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	if (tls) {
		if (lf__load_pem(h->cfg.tls_cert, &srv->cert, "tls.cert", err, errlen) ||
		    lf__load_pem(h->cfg.tls_key, &srv->key, "tls.key", err, errlen) ||
		    (h->cfg.tls_client_ca[0] &&
		     lf__load_pem(h->cfg.tls_client_ca, &srv->ca, "tls.client_ca", err, errlen)))
			goto fail;
		flags |= MHD_USE_TLS;
	}
	/* External epoll mode: hemsd's own loop (main.c) runs the server, its timers and the remediation engine in
	 * one thread, so the session table, the cases and the store need no locks. */
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_SOCK_ADDR, 0, &sin},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)lf__completed, srv},
		{MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)h->cfg.session_timeout_s, NULL},
		{MHD_OPTION_CONNECTION_LIMIT, (intptr_t)(h->cfg.max_sessions + 64), NULL},
		{MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096, NULL},
		{MHD_OPTION_DIGEST_AUTH_RANDOM, sizeof(srv->nonce_seed), srv->nonce_seed},
		{MHD_OPTION_NONCE_NC_SIZE, 4096, NULL},
		{tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, srv->cert.data},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key.data},
		{srv->ca.data ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, srv->ca.data},
		{MHD_OPTION_END, 0, NULL},
	};
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, lf__access, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!srv->daemon) {
		snprintf(err, errlen, "cannot listen on %s:%lld (address in use, not permitted, or bad TLS key/cert)",
			 h->cfg.listen_address, h->cfg.listen_port);
		goto fail;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di ? di->port : (uint16_t)h->cfg.listen_port;
	*out = srv;
	return LF_OK;
fail:
	lf_buf_free(&srv->cert);
	lf_buf_free(&srv->key);
	lf_buf_free(&srv->ca);
	lf_free(srv);
	return LF_EIO;
}

int hems_http_fd(struct hems_http *srv)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	return di ? di->epoll_fd : -1;
}

int hems_http_timeout_ms(struct hems_http *srv)
{
	MHD_UNSIGNED_LONG_LONG t;
	if (MHD_get_timeout(srv->daemon, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (int)t;
}

void hems_http_run(struct hems_http *srv)
{
	MHD_run(srv->daemon);
}

void hems_http_stop(struct hems_http **hp)
{
	struct hems_http *srv = *hp;
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	lf_buf_free(&srv->cert);
	lf_buf_free(&srv->key);
	lf_buf_free(&srv->ca);
	lf_free(srv);
	*hp = NULL;
}
