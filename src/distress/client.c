/* client.c: a distress session from the HeNB side: libcoap client over DTLS with a PSK, one blocking request at
 * a time with a deadline (docs/protocol/distress-channel.md sections 5, 9 and 10). */
#include "distress/client.h"

#include <coap3/coap.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/timeutil.h"

struct distress_client {
	coap_context_t *ctx;
	coap_session_t *session;
	unsigned timeout_ms;
	uint64_t session_id;
	char identity[DISTRESS_MAX_ID + 1];
	uint8_t key[DISTRESS_KEY_HEX];
	/* the exchange in flight */
	uint8_t token[8];
	size_t token_len;
	int done;
	int failed;    /* LF_EAUTH (DTLS), LF_ENET (no route, reset) */
	unsigned code; /* class*100 + detail */
	uint8_t *resp; /* DISTRESS_MAX_MESSAGE bytes, allocated once */
	size_t resp_len;
	int resp_truncated;
	uint8_t *req; /* the encoded request, DISTRESS_MAX_MESSAGE bytes */
};

static void lf__err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void lf__err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static coap_response_t lf__on_response(coap_session_t *session, const coap_pdu_t *sent, const coap_pdu_t *received,
                                       const coap_mid_t mid)
{
	struct distress_client *c = coap_session_get_app_data(session);
	const uint8_t *data;
	size_t len, offset, total;
	(void)sent, (void)mid;
	if (!c)
		return COAP_RESPONSE_OK;
	coap_bin_const_t token = coap_pdu_get_token(received);
	if (token.length != c->token_len || memcmp(token.s, c->token, c->token_len) != 0)
		return COAP_RESPONSE_OK; /* a late answer to an earlier request */
	coap_pdu_code_t code = coap_pdu_get_code(received);
	c->code = (unsigned)COAP_RESPONSE_CLASS(code) * 100 + (code & 0x1f);
	c->resp_len = 0;
	c->resp_truncated = 0;
	if (coap_get_data_large(received, &len, &data, &offset, &total)) {
		if (offset != 0 || len > DISTRESS_MAX_MESSAGE) {
			c->resp_truncated = 1;
			len = len > DISTRESS_MAX_MESSAGE ? DISTRESS_MAX_MESSAGE : len;
		}
		memcpy(c->resp, data, len);
		c->resp_len = len;
	}
	c->done = 1;
	return COAP_RESPONSE_OK;
}

static void lf__on_nack(coap_session_t *session, const coap_pdu_t *sent, const coap_nack_reason_t reason,
                        const coap_mid_t mid)
{
	struct distress_client *c = coap_session_get_app_data(session);
	(void)sent, (void)mid;
	if (!c)
		return;
	if (reason == COAP_NACK_TLS_FAILED)
		c->failed = LF_EAUTH;
	else if (reason == COAP_NACK_TOO_MANY_RETRIES)
		c->failed = LF_ETIMEOUT;
	else
		c->failed = LF_ENET;
}

static int lf__on_event(coap_session_t *session, const coap_event_t event)
{
	struct distress_client *c = coap_session_get_app_data(session);
	if (c && event == COAP_EVENT_DTLS_ERROR)
		c->failed = LF_EAUTH;
	return 0;
}

/* "coaps://host:port/..." or "host:port" or "[v6]:port" into host and port. */
static int lf__split(const char *server, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *p = server;
	if (strncmp(p, "coaps://", 8) == 0)
		p += 8;
	const char *end = p + strcspn(p, "/?#");
	const char *colon;
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			return -1;
		if ((size_t)(close - p - 1) >= hostlen)
			return -1;
		memcpy(host, p + 1, (size_t)(close - p - 1));
		host[close - p - 1] = '\0';
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		const char *hend = colon ? colon : end;
		if ((size_t)(hend - p) >= hostlen)
			return -1;
		memcpy(host, p, (size_t)(hend - p));
		host[hend - p] = '\0';
	}
	if (colon) {
		size_t n = (size_t)(end - colon - 1);
		if (n == 0 || n >= portlen || strspn(colon + 1, "0123456789") < n)
			return -1;
		memcpy(port, colon + 1, n);
		port[n] = '\0';
	} else {
		snprintf(port, portlen, "%d", DISTRESS_DEFAULT_PORT);
	}
	return host[0] ? 0 : -1;
}

int distress_client_new(const struct distress_client_config *cfg, struct distress_client **out, char *err,
                        size_t errlen)
{
	char host[256], port[8];
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
	coap_address_t dst;
	int result = LF_EINVAL;
	*out = NULL;
	size_t idlen = strnlen(cfg->identity, DISTRESS_MAX_ID + 1);
	if (idlen == 0 || idlen > DISTRESS_MAX_ID) {
		lf__err(err, errlen, "identity must be 1 to %d bytes", DISTRESS_MAX_ID);
		return LF_EINVAL;
	}
	if (!distress_key_valid(cfg->psk)) {
		lf__err(err, errlen, "the PSK must be 64 lower-case hex characters");
		return LF_EINVAL;
	}
	if (lf__split(cfg->server, host, sizeof(host), port, sizeof(port))) {
		lf__err(err, errlen, "server '%s' is not coaps://HOST:PORT", cfg->server);
		return LF_EINVAL;
	}
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai || ai->ai_addrlen > sizeof(dst.addr)) {
		lf__err(err, errlen, "cannot resolve %s", host);
		if (ai)
			freeaddrinfo(ai);
		return LF_ENET;
	}
	coap_address_init(&dst);
	dst.size = (socklen_t)ai->ai_addrlen;
	memcpy(&dst.addr, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);

	struct distress_client *c = lf_calloc(1, sizeof(*c));
	c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 15000;
	memcpy(c->identity, cfg->identity, idlen);
	memcpy(c->key, cfg->psk, DISTRESS_KEY_HEX);
	c->resp = lf_malloc(DISTRESS_MAX_MESSAGE);
	c->req = lf_malloc(DISTRESS_MAX_MESSAGE);
	coap_startup();
	c->ctx = coap_new_context(NULL);
	if (!c->ctx) {
		lf__err(err, errlen, "cannot create a CoAP context");
		result = LF_ENET;
		goto fail;
	}
	coap_context_set_block_mode(c->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	coap_register_response_handler(c->ctx, lf__on_response);
	coap_register_nack_handler(c->ctx, lf__on_nack);
	coap_register_event_handler(c->ctx, lf__on_event);
	coap_dtls_cpsk_t setup;
	memset(&setup, 0, sizeof(setup));
	setup.version = COAP_DTLS_CPSK_SETUP_VERSION;
	setup.psk_info.identity.s = (const uint8_t *)c->identity;
	setup.psk_info.identity.length = idlen;
	setup.psk_info.key.s = c->key;
	setup.psk_info.key.length = DISTRESS_KEY_HEX;
	c->session = coap_new_client_session_psk2(c->ctx, NULL, &dst, COAP_PROTO_DTLS, &setup);
	if (!c->session) {
		lf__err(err, errlen, "cannot create the DTLS session to %s:%s", host, port);
		result = LF_ENET;
		goto fail;
	}
	coap_session_set_app_data(c->session, c);
	*out = c;
	return LF_OK;
fail:
	distress_client_free(&c);
	return result;
}

void distress_client_free(struct distress_client **cp)
{
	struct distress_client *c = *cp;
	if (!c)
		return;
	if (c->session) {
		coap_session_set_app_data(c->session, NULL);
		coap_session_release(c->session);
	}
	if (c->ctx) {
		coap_free_context(c->ctx);
		coap_cleanup();
	}
	lf_free(c->resp);
	lf_free(c->req);
	lf_free(c);
	*cp = NULL;
}

uint64_t distress_client_session(const struct distress_client *c)
{
	return c->session_id;
}

int distress_client_post(struct distress_client *c, const char *path, const uint8_t *body, size_t len, unsigned *code,
                         uint8_t *out, size_t outcap, size_t *outlen, char *err, size_t errlen)
{
	uint8_t cf[4];
	coap_pdu_t *pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST, c->session);
	if (!pdu) {
		lf__err(err, errlen, "cannot make a CoAP request");
		return LF_ENET;
	}
	coap_session_new_token(c->session, &c->token_len, c->token);
	coap_add_token(pdu, c->token_len, c->token);
	for (const char *seg = path; *seg;) {
		size_t n = strcspn(seg, "/");
		coap_add_option(pdu, COAP_OPTION_URI_PATH, n, (const uint8_t *)seg);
		seg += n;
		if (*seg == '/')
			seg++;
	}
	coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT, coap_encode_var_safe(cf, sizeof(cf), DISTRESS_CONTENT_FORMAT),
	                cf);
	if (len && !coap_add_data_large_request(c->session, pdu, len, body, NULL, NULL)) {
		coap_delete_pdu(pdu);
		lf__err(err, errlen, "cannot attach %zu bytes to the request", len);
		return LF_ENET;
	}
	c->done = 0;
	c->failed = 0;
	if (coap_send(c->session, pdu) == COAP_INVALID_MID) {
		lf__err(err, errlen, "cannot send the request");
		return LF_ENET;
	}
	/* Drive libcoap until the answer, a failure or the deadline. */
	int64_t deadline = lf_now_ms() + c->timeout_ms;
	while (!c->done && !c->failed) {
		int64_t left = deadline - lf_now_ms();
		if (left <= 0)
			break;
		if (coap_io_process(c->ctx, (uint32_t)(left > 1000 ? 1000 : left)) < 0) {
			c->failed = LF_ENET;
			break;
		}
	}
	if (!c->done) {
		int result = c->failed ? c->failed : LF_ETIMEOUT;
		if (result == LF_EAUTH)
			lf__err(err, errlen, "DTLS handshake failed: wrong PSK, unknown identity or blocked device");
		else if (result == LF_ETIMEOUT && coap_session_get_state(c->session) != COAP_SESSION_STATE_ESTABLISHED)
			/* DTLS drops records it cannot decrypt without an alert (RFC 6347 4.1.2.7): a wrong key looks
			 * like silence. */
			lf__err(err, errlen,
			        "DTLS handshake did not complete within %u ms: wrong PSK, unknown identity, blocked "
			        "device, or no server",
			        c->timeout_ms);
		else if (result == LF_ETIMEOUT)
			lf__err(err, errlen, "no answer from the distress server within %u ms", c->timeout_ms);
		else
			lf__err(err, errlen, "network error talking to the distress server");
		/* The session may be dead (failed handshake): the next request starts a new one. */
		return result;
	}
	*code = c->code;
	size_t n = c->resp_len < outcap ? c->resp_len : outcap;
	if (n && out != c->resp)
		memcpy(out, c->resp, n);
	*outlen = n;
	return LF_OK;
}

/* One request/response with the code check; the decoded payload is the caller's. */
static int lf__exchange(struct distress_client *c, const char *path, size_t len, unsigned want, size_t *outlen,
                        char *err, size_t errlen)
{
	unsigned code = 0;
	int result =
	    distress_client_post(c, path, c->req, len, &code, c->resp, DISTRESS_MAX_MESSAGE, outlen, err, errlen);
	if (result)
		return result;
	if (code == want)
		return LF_OK;
	/* The diagnostic payload of an error is text. */
	char diag[200];
	size_t n = *outlen < sizeof(diag) - 1 ? *outlen : sizeof(diag) - 1;
	for (size_t i = 0; i < n; i++)
		diag[i] = (c->resp[i] >= 0x20 && c->resp[i] < 0x7f) ? (char)c->resp[i] : '?';
	diag[n] = '\0';
	lf__err(err, errlen, "%u.%02u %s", code / 100, code % 100, diag);
	switch (code) {
	case 401:
		return LF_EAUTH;
	case 403:
		return LF_EFORBIDDEN;
	case 404:
		return LF_ENOTFOUND;
	case 400:
	case 413:
	case 415:
		return LF_EINVAL;
	default:
		return LF_ENET;
	}
}

int distress_client_open(struct distress_client *c, const struct distress_inform *in, struct distress_welcome *w,
                         char *err, size_t errlen)
{
	size_t len, outlen;
	int result = distress_inform_encode(in, c->req, DISTRESS_MAX_MESSAGE, &len, err, errlen);
	if (!result)
		result = lf__exchange(c, DISTRESS_PATH_SESSION, len, 201, &outlen, err, errlen);
	if (!result)
		result = distress_welcome_decode(c->resp, outlen, w, err, errlen);
	if (!result)
		c->session_id = w->session_id;
	return result;
}

static int lf__poll(struct distress_client *c, const char *path, unsigned want, size_t *outlen, char *err,
                    size_t errlen)
{
	struct distress_poll p = {c->session_id};
	size_t len;
	int result = distress_poll_encode(&p, c->req, DISTRESS_MAX_MESSAGE, &len, err, errlen);
	return result ? result : lf__exchange(c, path, len, want, outlen, err, errlen);
}

int distress_client_next(struct distress_client *c, struct distress_action *a, char *err, size_t errlen)
{
	size_t outlen;
	int result = lf__poll(c, DISTRESS_PATH_NEXT, 205, &outlen, err, errlen);
	return result ? result : distress_action_decode(c->resp, outlen, a, err, errlen);
}

int distress_client_result(struct distress_client *c, struct distress_result *r, struct distress_ack *ack, char *err,
                           size_t errlen)
{
	struct distress_ack ignore;
	size_t len, outlen;
	r->session_id = c->session_id;
	int result = distress_result_encode(r, c->req, DISTRESS_MAX_MESSAGE, &len, err, errlen);
	if (!result)
		result = lf__exchange(c, DISTRESS_PATH_RESULT, len, 204, &outlen, err, errlen);
	return result ? result : distress_ack_decode(c->resp, outlen, ack ? ack : &ignore, err, errlen);
}

int distress_client_end(struct distress_client *c, struct distress_ack *ack, char *err, size_t errlen)
{
	struct distress_ack ignore;
	size_t outlen;
	int result = lf__poll(c, DISTRESS_PATH_END, 204, &outlen, err, errlen);
	if (!result)
		c->session_id = 0;
	return result ? result : distress_ack_decode(c->resp, outlen, ack ? ack : &ignore, err, errlen);
}
