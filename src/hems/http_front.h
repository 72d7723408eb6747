/* http_front.h: hemsd's HTTP server (libmicrohttpd): routes CWMP POSTs and NBI requests. */
#ifndef LF_HEMS_HTTP_FRONT_H
#define LF_HEMS_HTTP_FRONT_H

#include "hems/hems.h"

struct hems_http;

/* hems_http_start: bind cfg.listen_address:listen_port. The server runs in the caller's event loop: poll
 * hems_http_fd() for input, call hems_http_run() when it is readable or hems_http_timeout_ms() has passed.
 * Sets h->port to the bound port. Caller owns *out (hems_http_stop). */
int hems_http_start(struct hems *h, struct hems_http **out, char *err, size_t errlen);
/* hems_http_fd: the epoll descriptor of the server (readable when there is work). */
int hems_http_fd(struct hems_http *srv);
/* hems_http_timeout_ms: how long the loop may sleep before hems_http_run is due (-1: no limit). */
int hems_http_timeout_ms(struct hems_http *srv);
/* hems_http_run: handle every ready connection. */
void hems_http_run(struct hems_http *srv);
/* hems_http_stop: stop serving, close every connection, clear the caller's pointer. */
void hems_http_stop(struct hems_http **hp);

#endif
