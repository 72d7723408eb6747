/* curlpoll.c: libcurl's multi-socket interface on top of poll(): a small socket table kept by curl's socket
 * callback, an absolute deadline kept by its timer callback. */
#include "henb/curlpoll.h"

#include <string.h>

#include "common/err.h"
#include "common/timeutil.h"

/* CURLMOPT_SOCKETFUNCTION: keep the table of sockets to poll. */
static int lf__on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct henb_curlpoll *cp = userp;
	size_t i;
	(void)easy, (void)socketp;
	for (i = 0; i < cp->n_socks; i++)
		if (cp->socks[i].fd == s)
			break;
	if (what == CURL_POLL_REMOVE) {
		if (i < cp->n_socks)
			cp->socks[i] = cp->socks[--cp->n_socks];
		return 0;
	}
	if (i == cp->n_socks) {
		if (cp->n_socks == HENB_CURLPOLL_MAX_SOCKS)
			return -1;
		cp->n_socks++;
		cp->socks[i].fd = s;
	}
	cp->socks[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: when curl wants to be called without socket activity. */
static int lf__on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct henb_curlpoll *cp = userp;
	(void)multi;
	cp->timer_ms = timeout_ms < 0 ? -1 : lf_now_ms() + timeout_ms;
	return 0;
}

int henb_curlpoll_init(struct henb_curlpoll *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->timer_ms = -1;
	cp->multi = curl_multi_init();
	if (!cp->multi)
		return LF_ENOMEM;
	curl_multi_setopt(cp->multi, CURLMOPT_SOCKETFUNCTION, lf__on_socket);
	curl_multi_setopt(cp->multi, CURLMOPT_SOCKETDATA, cp);
	curl_multi_setopt(cp->multi, CURLMOPT_TIMERFUNCTION, lf__on_timer);
	curl_multi_setopt(cp->multi, CURLMOPT_TIMERDATA, cp);
	curl_multi_setopt(cp->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 1L);
	return LF_OK;
}

size_t henb_curlpoll_fds(const struct henb_curlpoll *cp, struct pollfd *p, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cp->n_socks && n < max; i++, n++)
		p[n] = (struct pollfd){.fd = cp->socks[i].fd, .events = cp->socks[i].events};
	return n;
}

void henb_curlpoll_drive(struct henb_curlpoll *cp, const struct pollfd *p, size_t n, int64_t now_ms)
{
	int running = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		int ev = ((p[i].revents & POLLIN) ? CURL_CSELECT_IN : 0) | ((p[i].revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
			 ((p[i].revents & (POLLERR | POLLHUP | POLLNVAL)) ? CURL_CSELECT_ERR : 0);
		curl_multi_socket_action(cp->multi, p[i].fd, ev, &running);
	}
	if (cp->timer_ms >= 0 && now_ms >= cp->timer_ms) {
		cp->timer_ms = -1;
		curl_multi_socket_action(cp->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
}

void henb_curlpoll_free(struct henb_curlpoll *cp)
{
	if (cp->multi)
		curl_multi_cleanup(cp->multi);
	memset(cp, 0, sizeof(*cp));
	cp->timer_ms = -1;
}
