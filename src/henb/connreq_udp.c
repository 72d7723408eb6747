/* connreq_udp.c: the UDP connection request listener (TR-069 Annex G): one signed HTTP GET per datagram,
 * checked with the shared codec (cwmp/udp_connreq.h): username, HMAC-SHA1 signature, replay (ts/id) and,
 * when configured, the distance of ts from our clock. Anything else is dropped without an answer. */
#include "henb/connreq.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "common/log.h"

#define LF_MAX_PER_READ 16

struct henb_crudp {
	int fd;
	uint16_t port;
	struct henb_cr_ops ops;
	struct cwmp_udp_cr_replay replay;
	uint64_t ts_window;
};

int henb_crudp_open(struct henb_crudp **out, const char *address, uint16_t port, const struct henb_cr_ops *ops,
		    const struct cwmp_udp_cr_replay *replay, uint64_t ts_window, char *err, size_t errlen)
{
	struct henb_crudp *u = lf_calloc(1, sizeof(*u));
	*out = NULL;
	u->ops = *ops;
	if (replay)
		u->replay = *replay;
	u->ts_window = ts_window;
	u->fd = henb__bind(SOCK_DGRAM, address, port, &u->port, err, errlen);
	if (u->fd < 0) {
		lf_free(u);
		return LF_EIO;
	}
	*out = u;
	return LF_OK;
}

uint16_t henb_crudp_port(const struct henb_crudp *u)
{
	return u->port;
}

int henb_crudp_fd(const struct henb_crudp *u)
{
	return u->fd;
}

const struct cwmp_udp_cr_replay *henb_crudp_replay(const struct henb_crudp *u)
{
	return &u->replay;
}

static void lf__datagram(struct henb_crudp *u, const char *buf, size_t len)
{
	struct cwmp_udp_cr m;
	char why[128], user[257], pass[257];
	if (cwmp_udp_cr_parse(buf, len, &m, why, sizeof(why))) {
		lf_debug("cr_udp_dropped", "reason=\"%s\"", why);
		return;
	}
	u->ops.credentials(u->ops.ctx, user, sizeof(user), pass, sizeof(pass));
	if (!user[0] || cwmp_udp_cr_verify(&m, user, pass)) {
		lf_debug("cr_udp_dropped", "reason=%s", user[0] ? "bad_signature" : "no_credentials_set");
		u->ops.auth_failed(u->ops.ctx, "udp");
		return;
	}
	uint64_t now = u->ts_window ? (uint64_t)time(NULL) : 0;
	int rc = cwmp_udp_cr_replay_check(&u->replay, &m, now, u->ts_window);
	if (rc) {
		lf_debug("cr_udp_dropped", "reason=%s id=%s", rc == LF_EEXIST ? "replay" : "stale_timestamp", m.id_text);
		return;
	}
	if (!u->ops.admit(u->ops.ctx)) {
		u->ops.rate_limited(u->ops.ctx, "udp");
		return;
	}
	u->ops.accepted(u->ops.ctx, "udp");
}

void henb_crudp_read(struct henb_crudp *u)
{
	char buf[CWMP_UDP_CR_MAX + 1];
	for (int i = 0; i < LF_MAX_PER_READ; i++) {
		ssize_t n = recv(u->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				lf_debug("cr_udp_recv", "reason=\"%s\"", strerror(errno));
			return;
		}
		if ((size_t)n > CWMP_UDP_CR_MAX) {
			lf_debug("cr_udp_dropped", "reason=too_long bytes=%zd", n);
			continue;
		}
		lf__datagram(u, buf, (size_t)n);
	}
}

void henb_crudp_close(struct henb_crudp **up)
{
	struct henb_crudp *u = *up;
	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	lf_free(u);
	*up = NULL;
}
