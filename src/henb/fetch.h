/* fetch.h: one resumable HTTP(S) GET of a file into a local file, driven by the agent's poll() loop through
 * its own libcurl multi handle (no thread, no blocking call). The Download RPC's transfer (download.c). */
#ifndef LF_HENB_FETCH_H
#define LF_HENB_FETCH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "henb/curlpoll.h"

#define HENB_FETCH_MAX_SOCKS HENB_CURLPOLL_MAX_SOCKS

/* How a transfer ended; download.c maps these to TransferComplete fault codes (TR-069 A.3.3.2). */
enum henb_fetch_outcome {
	HENB_FETCH_DONE = 0,     /* the whole file is in the local file */
	HENB_FETCH_NO_CONTACT,   /* name, connection or TLS handshake failed before any answer (9015) */
	HENB_FETCH_NO_ACCESS,    /* the server answered with an error status: 404, 403, 5xx ... (9016) */
	HENB_FETCH_AUTH,         /* the server wants credentials we do not have or refuses ours: 401 (9012) */
	HENB_FETCH_INTERRUPTED,  /* the transfer broke off or stalled; the partial file is kept for a resume */
	HENB_FETCH_RESTART,      /* the server's file does not continue ours: the partial file was emptied */
	HENB_FETCH_TOO_BIG,      /* the server sends more than max_bytes */
	HENB_FETCH_IO,           /* the local file cannot be written */
};

struct henb_fetch_opts {
	const char *url;         /* http:// or https:// */
	const char *username;    /* "" = no HTTP authentication */
	const char *password;
	const char *ca_file;     /* https: CA bundle; "" = the system store */
	const char *client_cert; /* https: device certificate; "" = none */
	const char *client_key;
	const char *path;        /* local file: created, or continued from its current size with a Range request */
	uint64_t max_bytes;      /* the file may not grow beyond this */
	uint64_t rate_limit;     /* bytes/s; 0 = unlimited */
	long timeout_s;          /* connecting, and the longest stall of a running transfer */
};

struct henb_fetch;

/* henb_fetch_start: open (or continue) the local file and start the GET. Caller owns *out (henb_fetch_free).
 * LF_OK, or LF_EIO / LF_ENOMEM with the reason in err (nothing started then). */
int henb_fetch_start(struct henb_fetch **out, const struct henb_fetch_opts *o, char *err, size_t errlen);
/* henb_fetch_pollfds: the sockets to poll, into p (at most max); returns how many. */
size_t henb_fetch_pollfds(const struct henb_fetch *f, struct pollfd *p, size_t max);
/* henb_fetch_deadline: absolute ms (lf_now_ms clock) by which henb_fetch_process must run, or -1. */
int64_t henb_fetch_deadline(const struct henb_fetch *f);
/* henb_fetch_process: after poll (p: the entries henb_fetch_pollfds filled, with revents); true once the
 * transfer is over (henb_fetch_result tells how). */
bool henb_fetch_process(struct henb_fetch *f, const struct pollfd *p, size_t n, int64_t now_ms);
/* henb_fetch_result: the outcome; *why a short reason (valid until henb_fetch_free), *size the bytes now in
 * the local file, *received the bytes this transfer added. */
enum henb_fetch_outcome henb_fetch_result(const struct henb_fetch *f, const char **why, uint64_t *size,
					  uint64_t *received);
/* henb_fetch_free: stop a transfer in flight (the partial file stays), release everything, clear *fp. */
void henb_fetch_free(struct henb_fetch **fp);

#endif
