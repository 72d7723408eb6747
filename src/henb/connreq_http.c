/* connreq_http.c: the HTTP connection request listener (TR-069 3.2.2): GET on ConnectionRequestURL with
 * Digest (MD5, qop=auth) against ConnectionRequestUsername/Password; 200 and a session with 6 CONNECTION
 * REQUEST; 401 for bad credentials (counted); 503 over the rate limit. libmicrohttpd runs without a thread
 * (MHD_USE_EPOLL, external polling): the agent polls its one epoll descriptor. */
#include "henb/connreq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"
#include "common/random.h"
#include "henb/limits.h"

#define LF_REALM "henbd connection request"
#define LF_NONCE_TIMEOUT_S 300

struct henb_crhttp {
	struct MHD_Daemon *d;
	struct henb_cr_ops ops;  /* one device: its owner */
	char path[64];
	henb_cr_route_fn route;  /* many devices (henbsim): the owner of each path */
	void *route_ctx;
	uint16_t port;
	char opaque[33];
	unsigned char rnd[32]; /* MHD_OPTION_DIGEST_AUTH_RANDOM: must live as long as the daemon */
};

int henb__bind(int type, const char *address, uint16_t port, uint16_t *bound, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int fd = -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", port);
	int rc = getaddrinfo(address[0] ? address : NULL, service, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "address '%s': %s", address, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto out;
	}
	int one = 1;
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || (type == SOCK_STREAM && listen(fd, 128) != 0)) {
		snprintf(err, errlen, "bind %s port %u: %s", address, port, strerror(errno));
		close(fd);
		fd = -1;
		goto out;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*bound = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
out:
	freeaddrinfo(res);
	return fd;
}

void henb__first_ip(char *out, size_t outlen)
{
	struct ifaddrs *ifa = NULL;
	snprintf(out, outlen, "127.0.0.1");
	if (getifaddrs(&ifa) != 0)
		return;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)i->ifa_addr;
		if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
			continue;
		inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)outlen);
		break;
	}
	freeifaddrs(ifa);
}

static void lf__mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void lf__mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\r\n")] = '\0';
	lf_debug("cr_http_mhd", "msg=\"%s\"", msg);
}

static enum MHD_Result lf__reply(struct MHD_Connection *c, unsigned status, const char *header, const char *value)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"", MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	if (header)
		MHD_add_response_header(r, header, value);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result lf__challenge(struct henb_crhttp *h, struct MHD_Connection *c, bool stale)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"", MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	enum MHD_Result ret =
		MHD_queue_auth_fail_response2(c, LF_REALM, h->opaque, r, stale ? MHD_YES : MHD_NO, MHD_DIGEST_ALG_MD5);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result lf__access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	static int seen;
	struct henb_crhttp *h = cls;
	char user[257], pass[257];

	if (!*con_cls) {
		*con_cls = &seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* a body has no meaning here: read and dropped */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
		return lf__reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, MHD_HTTP_HEADER_ALLOW, "GET");
	const struct henb_cr_ops *ops = &h->ops;
	if (h->route)
		ops = h->route(h->route_ctx, url);
	else if (strcmp(url, h->path) != 0)
		ops = NULL;
	if (!ops)
		return lf__reply(c, MHD_HTTP_NOT_FOUND, NULL, NULL);

	ops->credentials(ops->ctx, user, sizeof(user), pass, sizeof(pass));
	char *who = MHD_digest_auth_get_username(c);
	if (!who) /* the first leg of every Digest exchange: not a failure */
		return lf__challenge(h, c, false);
	int ok = MHD_NO;
	if (user[0] && strcmp(who, user) == 0)
		ok = MHD_digest_auth_check2(c, LF_REALM, user, pass, LF_NONCE_TIMEOUT_S, MHD_DIGEST_ALG_MD5);
	MHD_free(who);
	if (ok == MHD_INVALID_NONCE)
		return lf__challenge(h, c, true);
	if (ok != MHD_YES) {
		lf_info("cr_refused", "via=http reason=%s", user[0] ? "bad_credentials" : "no_credentials_set");
		ops->auth_failed(ops->ctx, "http");
		return lf__challenge(h, c, false);
	}
	if (!ops->admit(ops->ctx)) {
		ops->rate_limited(ops->ctx, "http");
		return lf__reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, MHD_HTTP_HEADER_RETRY_AFTER, "60");
	}
	ops->accepted(ops->ctx, "http");
	return lf__reply(c, MHD_HTTP_OK, NULL, NULL);
}

static int lf__open(struct henb_crhttp **out, const char *address, uint16_t port, unsigned max_connections,
		    struct henb_crhttp *h, char *err, size_t errlen)
{
	*out = NULL;
	lf_random_hex(h->opaque, 16);
	lf_random_bytes(h->rnd, sizeof(h->rnd));
	int fd = henb__bind(SOCK_STREAM, address, port, &h->port, err, errlen);
	if (fd < 0)
		goto fail;
	h->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, lf__access, h,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, max_connections,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HENB_CR_MEMORY_LIMIT,
				MHD_OPTION_DIGEST_AUTH_RANDOM, sizeof(h->rnd), h->rnd,
				MHD_OPTION_NONCE_NC_SIZE, (unsigned int)(16 * max_connections),
				MHD_OPTION_EXTERNAL_LOGGER, lf__mhd_log, NULL,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "cannot start the HTTP connection request listener");
		close(fd);
		goto fail;
	}
	*out = h;
	return LF_OK;
fail:
	lf_free(h);
	return LF_EIO;
}

int henb_crhttp_open(struct henb_crhttp **out, const char *address, uint16_t port, const char *path,
		     const struct henb_cr_ops *ops, char *err, size_t errlen)
{
	struct henb_crhttp *h = lf_calloc(1, sizeof(*h));
	h->ops = *ops;
	snprintf(h->path, sizeof(h->path), "%s", path);
	return lf__open(out, address, port, HENB_CR_MAX_CONNECTIONS, h, err, errlen);
}

int henb_crhttp_open_shared(struct henb_crhttp **out, const char *address, uint16_t port, henb_cr_route_fn route,
			    void *route_ctx, unsigned max_connections, char *err, size_t errlen)
{
	struct henb_crhttp *h = lf_calloc(1, sizeof(*h));
	h->route = route;
	h->route_ctx = route_ctx;
	return lf__open(out, address, port, max_connections, h, err, errlen);
}

uint16_t henb_crhttp_port(const struct henb_crhttp *h)
{
	return h->port;
}

int henb_crhttp_fd(const struct henb_crhttp *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

int64_t henb_crhttp_timeout_ms(const struct henb_crhttp *h)
{
	MHD_UNSIGNED_LONG_LONG t;
	if (MHD_get_timeout(h->d, &t) != MHD_YES)
		return -1;
	return t > INT32_MAX ? INT32_MAX : (int64_t)t;
}

void henb_crhttp_run(struct henb_crhttp *h)
{
	MHD_run(h->d);
}

void henb_crhttp_close(struct henb_crhttp **hp)
{
	struct henb_crhttp *h = *hp;
	if (!h)
		return;
	if (h->d)
		MHD_stop_daemon(h->d); /* closes the listening socket too */
	lf_free(h);
	*hp = NULL;
}
