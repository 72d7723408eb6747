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

/* CURLMOPT_SOCKETFUNCTION: keep the table of sockets to poll. */
static int lf__on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct henb_http *h = userp;
	size_t i;
	for (i = 0; i < h->n_socks; i++)
		if (h->socks[i].fd == s)
			break;
	if (what == CURL_POLL_REMOVE) {
		if (i < h->n_socks)
			h->socks[i] = h->socks[--h->n_socks];
		return 0;
	}
	if (i == h->n_socks) {
		if (h->n_socks == HENB_HTTP_MAX_SOCKS)
			return -1;
		h->n_socks++;
		h->socks[i].fd = s;
	}
	h->socks[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: when curl wants to be called without socket activity. */
static int lf__on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct henb_http *h = userp;
	h->timer_ms = timeout_ms < 0 ? -1 : lf_now_ms() + timeout_ms;
	return 0;
}

int henb_http_open(struct henb_http *h, const struct henb_http_opts *o, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	h->timer_ms = -1;
	lf_buf_init(&h->resp, CWMP_MAX_MESSAGE);
	h->multi = curl_multi_init();
	h->easy = curl_easy_init();
	if (!h->multi || !h->easy) {
		snprintf(err, errlen, "curl init failed");
		return LF_ENOMEM;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, lf__on_socket);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, lf__on_timer);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 1L);
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
	if (curl_multi_add_handle(h->multi, h->easy) != CURLM_OK)
		return LF_ENET;
	h->busy = true;
	return LF_OK;
}

size_t henb_http_pollfds(const struct henb_http *h, struct pollfd *p, size_t max)
{
	size_t n = 0;
	/* Between exchanges the kept-alive connection is not watched: the next POST finds out if it died. */
	if (!h->busy)
		return 0;
	for (size_t i = 0; i < h->n_socks && n < max; i++) {
		p[n].fd = h->socks[i].fd;
		p[n].events = h->socks[i].events;
		p[n].revents = 0;
		n++;
	}
	return n;
}

int64_t henb_http_deadline(const struct henb_http *h)
{
	return h->busy ? h->timer_ms : -1;
}

bool henb_http_process(struct henb_http *h, const struct pollfd *p, size_t n, int64_t now_ms, int *result)
{
	int running = 0;
	if (!h->busy)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		int ev = ((p[i].revents & POLLIN) ? CURL_CSELECT_IN : 0) | ((p[i].revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
			 ((p[i].revents & (POLLERR | POLLHUP | POLLNVAL)) ? CURL_CSELECT_ERR : 0);
		curl_multi_socket_action(h->multi, p[i].fd, ev, &running);
	}
	if (h->timer_ms >= 0 && now_ms >= h->timer_ms) {
		h->timer_ms = -1;
		curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	CURLMsg *msg;
	int left;
	bool done = false;
	while ((msg = curl_multi_info_read(h->multi, &left))) {
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
		curl_multi_remove_handle(h->multi, h->easy);
		h->busy = false;
	}
	return done;
}

void henb_http_close(struct henb_http *h)
{
	if (h->easy && h->multi && h->busy)
		curl_multi_remove_handle(h->multi, h->easy);
	if (h->easy)
		curl_easy_cleanup(h->easy);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	curl_slist_free_all(h->headers);
	lf_buf_free(&h->resp);
	memset(h, 0, sizeof(*h));
	h->timer_ms = -1;
}
