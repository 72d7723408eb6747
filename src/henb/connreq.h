/* connreq.h: the connection request listeners: HTTP GET with Digest (TR-069 3.2.2) on libmicrohttpd in
 * external-poll mode, and UDP (TR-069 Annex G) - both driven by the agent's poll() loop. */
#ifndef LF_HENB_CONNREQ_H
#define LF_HENB_CONNREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cwmp/udp_connreq.h"

/* What a listener asks of its owner (the agent). */
struct henb_cr_ops {
	void *ctx;
	/* credentials: ConnectionRequestUsername / Password now (empty: every request is refused). */
	void (*credentials)(void *ctx, char *user, size_t userlen, char *pass, size_t passlen);
	/* admit: the rate limit: may one more request open a session? */
	bool (*admit)(void *ctx);
	/* accepted: a valid request: open a session with 6 CONNECTION REQUEST. via: "http" | "udp". */
	void (*accepted)(void *ctx, const char *via);
	/* auth_failed: credentials or signature wrong (counted: a later issue raises an alarm on bursts). */
	void (*auth_failed)(void *ctx, const char *via);
	/* rate_limited: refused by admit. */
	void (*rate_limited)(void *ctx, const char *via);
};

struct henb_crhttp;
struct henb_crudp;

/* henb_crhttp_open: listen on address:port (0 = any free port) for GET path. Caller owns *out. */
int henb_crhttp_open(struct henb_crhttp **out, const char *address, uint16_t port, const char *path,
		     const struct henb_cr_ops *ops, char *err, size_t errlen);
/* henb_cr_route_fn: for a listener shared by many devices: the owner of a request path, NULL for 404. */
typedef const struct henb_cr_ops *(*henb_cr_route_fn)(void *ctx, const char *path);
/* henb_crhttp_open_shared: one listener for many devices (henbsim), each on its own path with its own
 * credentials and rate limit. Caller owns *out. */
int henb_crhttp_open_shared(struct henb_crhttp **out, const char *address, uint16_t port, henb_cr_route_fn route,
			    void *route_ctx, unsigned max_connections, char *err, size_t errlen);
/* henb_crhttp_port: the port actually bound. */
uint16_t henb_crhttp_port(const struct henb_crhttp *h);
/* henb_crhttp_fd: the one descriptor to poll for POLLIN. */
int henb_crhttp_fd(const struct henb_crhttp *h);
/* henb_crhttp_timeout_ms: how long the loop may sleep for this listener, -1 = no limit. */
int64_t henb_crhttp_timeout_ms(const struct henb_crhttp *h);
/* henb_crhttp_run: serve what is ready (call after poll, on readiness or timeout). */
void henb_crhttp_run(struct henb_crhttp *h);
void henb_crhttp_close(struct henb_crhttp **hp);

/* henb_crudp_open: bind address:port (0 = any free port). replay: the last accepted request (persisted);
 * ts_window: s of accepted clock distance, 0 = none. Caller owns *out. */
int henb_crudp_open(struct henb_crudp **out, const char *address, uint16_t port, const struct henb_cr_ops *ops,
		    const struct cwmp_udp_cr_replay *replay, uint64_t ts_window, char *err, size_t errlen);
uint16_t henb_crudp_port(const struct henb_crudp *u);
int henb_crudp_fd(const struct henb_crudp *u);
/* henb_crudp_read: handle the datagrams waiting (a bounded number per call). */
void henb_crudp_read(struct henb_crudp *u);
/* henb_crudp_replay: the replay state after the last accepted request (to persist). */
const struct cwmp_udp_cr_replay *henb_crudp_replay(const struct henb_crudp *u);
void henb_crudp_close(struct henb_crudp **up);

/* henb__bind: a non-blocking close-on-exec socket (SOCK_STREAM / SOCK_DGRAM) bound to address:port; the
 * bound port in *bound. -1 and the reason in err. */
int henb__bind(int type, const char *address, uint16_t port, uint16_t *bound, char *err, size_t errlen);

/* henb__first_ip: the first non-loopback IPv4 address ("127.0.0.1" when there is none), to advertise for a
 * listener bound to a wildcard address before any contact with the HeMS. */
void henb__first_ip(char *out, size_t outlen);

#endif
