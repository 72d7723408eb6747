/* http_front.h: hemsd's HTTP server (libmicrohttpd): routes CWMP POSTs and NBI requests. */
#ifndef LF_HEMS_HTTP_FRONT_H
#define LF_HEMS_HTTP_FRONT_H

#include "hems/hems.h"

struct hems_http;

/* hems_http_start: bind cfg.listen_address:listen_port and serve on one internal event-loop thread.
 * Sets h->port to the bound port. Caller owns *out (hems_http_stop). */
int hems_http_start(struct hems *h, struct hems_http **out, char *err, size_t errlen);
/* hems_http_stop: stop serving, close every connection, clear the caller's pointer. */
void hems_http_stop(struct hems_http **hp);

#endif
