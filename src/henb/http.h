/* http.h: the management path to the ACS: HTTP(S) POSTs with libcurl's multi interface, driven by the agent's
 * poll() loop (no thread, no blocking call), one connection and cookie jar per session. */
#ifndef LF_HENB_HTTP_H
#define LF_HENB_HTTP_H

#include <curl/curl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "henb/curlpoll.h"

#define HENB_HTTP_MAX_SOCKS HENB_CURLPOLL_MAX_SOCKS

struct henb_http_opts {
	const char *url;         /* ManagementServer.URL; for https its host is checked against the certificate */
	const char *username;    /* ManagementServer.Username; "" = no HTTP authentication */
	const char *password;
	const char *ca_file;     /* "" = the system store */
	const char *client_cert; /* "" = none */
	const char *client_key;
	long timeout_s;          /* per exchange */
};

struct henb_http {
	struct henb_curlpoll poll; /* the multi handle and what it waits on */
	CURL *easy;
	struct curl_slist *headers;
	struct lf_buf resp;
	long status;
	bool busy;
	char local_ip[64];       /* our address on this connection, once connected */
	char errbuf[CURL_ERROR_SIZE];
};

/* henb_http_open: a session's handles with the options applied. LF_OK or LF_ENOMEM/LF_EINVAL, reason in err. */
int henb_http_open(struct henb_http *h, const struct henb_http_opts *o, char *err, size_t errlen);
/* henb_http_post: start POSTing body (len 0: an empty POST). body must stay valid until the exchange ends. */
int henb_http_post(struct henb_http *h, const char *body, size_t len);
/* henb_http_pollfds: the sockets to poll, into p (at most max); returns how many. */
size_t henb_http_pollfds(const struct henb_http *h, struct pollfd *p, size_t max);
/* henb_http_deadline: absolute ms by which henb_http_process must run, or -1. */
int64_t henb_http_deadline(const struct henb_http *h);
/* henb_http_process: after poll (p: the entries henb_http_pollfds filled, with revents): drive the transfer.
 * Returns true when the exchange ended: *result LF_OK (status and resp hold the answer) or LF_ENET (reason
 * in errbuf). */
bool henb_http_process(struct henb_http *h, const struct pollfd *p, size_t n, int64_t now_ms, int *result);
void henb_http_close(struct henb_http *h);

#endif
