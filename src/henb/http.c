/* http.c: libcurl multi-socket driving of the CWMP POSTs from the agent's poll() loop. TLS: the server
 * certificate is verified against acs.ca_file (or the system store) and the URL's host; a device certificate
 * is presented when configured. HTTP auth: Digest, and Basic only inside TLS (TR-069 3.4.5). */
#include "henb/http.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"
#include "cwmp/cwmp.h"

static size_t lf__on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct lf_buf *b = ctx;
	if (lf_buf_append(b, p, size * n))
		return 0; /* over CWMP_MAX_MESSAGE: curl aborts the transfer */
	return size * n;
}

int henb_http_open(struct henb_http *h, const struct henb_http_opts *o, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	lf_buf_init(&h->resp, CWMP_MAX_MESSAGE);
	int pr = henb_curlpoll_init(&h->poll);
	h->easy = curl_easy_init();
	if (pr || !h->easy) {
		snprintf(err, errlen, "curl init failed");
		return LF_ENOMEM;
	}
	h->headers = curl_slist_append(NULL, "Content-Type: text/xml; charset=\"utf-8\"");
	h->headers = curl_slist_append(h->headers, "SOAPAction:");
	h->headers = curl_slist_append(h->headers, "Expect:");
	CURL *c = h->easy;
	bool tls = strncmp(o->url, "https:", 6) == 0;
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, ""); /* session cookies, for this session only */
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, lf__on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &h->resp);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* TR-069 3.4.4 / TR-181 ManagementServer.URL: the certificate must match the URL's host. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (o->ca_file && o->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (o->client_cert && o->client_cert[0]) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, o->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, o->client_key && o->client_key[0] ? o->client_key : o->client_cert);
	}
	if (o->username && o->username[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, o->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
		/* Basic only inside TLS; in clear text only Digest (TR-069 3.4.5). */
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, tls ? (long)(CURLAUTH_DIGEST | CURLAUTH_BASIC) : (long)CURLAUTH_DIGEST);
	}
	return LF_OK;
}

int henb_http_post(struct henb_http *h, const char *body, size_t len)
{
	lf_buf_reset(&h->resp);
	h->status = 0;
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE, (long)len);
	if (curl_multi_add_handle(h->poll.multi, h->easy) != CURLM_OK)
		return LF_ENET;
	h->busy = true;
	return LF_OK;
}

size_t henb_http_pollfds(const struct henb_http *h, struct pollfd *p, size_t max)
{
	/* Between exchanges the kept-alive connection is not watched: the next POST finds out if it died. */
	return h->busy ? henb_curlpoll_fds(&h->poll, p, max) : 0;
}

int64_t henb_http_deadline(const struct henb_http *h)
{
	return h->busy ? h->poll.timer_ms : -1;
}

bool henb_http_process(struct henb_http *h, const struct pollfd *p, size_t n, int64_t now_ms, int *result)
{
	if (!h->busy)
		return false;
	henb_curlpoll_drive(&h->poll, p, n, now_ms);
	CURLMsg *msg;
	int left;
	bool done = false;
	while ((msg = curl_multi_info_read(h->poll.multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURLcode rc = msg->data.result;
		done = true;
		if (rc == CURLE_OK) {
			curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &h->status);
			char *ip = NULL;
			if (curl_easy_getinfo(h->easy, CURLINFO_LOCAL_IP, &ip) == CURLE_OK && ip)
				snprintf(h->local_ip, sizeof(h->local_ip), "%s", ip);
			*result = LF_OK;
		} else {
			if (!h->errbuf[0])
				snprintf(h->errbuf, sizeof(h->errbuf), "%s", curl_easy_strerror(rc));
			*result = LF_ENET;
		}
	}
	if (done) {
		curl_multi_remove_handle(h->poll.multi, h->easy);
		h->busy = false;
	}
	return done;
}

void henb_http_close(struct henb_http *h)
{
	if (h->easy && h->poll.multi && h->busy)
		curl_multi_remove_handle(h->poll.multi, h->easy);
	if (h->easy)
		curl_easy_cleanup(h->easy);
	henb_curlpoll_free(&h->poll);
	curl_slist_free_all(h->headers);
	lf_buf_free(&h->resp);
	memset(h, 0, sizeof(*h));
	h->poll.timer_ms = -1;
}
