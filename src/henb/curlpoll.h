/* curlpoll.h: a libcurl multi handle driven by the agent's poll() loop (CURLMOPT_SOCKETFUNCTION and
 * TIMERFUNCTION): the sockets curl wants watched, the time it wants to be called, and the call after the wait.
 * Shared by the management path (http.c) and file transfers (fetch.c); one transfer, one connection. */
#ifndef LF_HENB_CURLPOLL_H
#define LF_HENB_CURLPOLL_H

#include <curl/curl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define HENB_CURLPOLL_MAX_SOCKS 4

struct henb_curlpoll {
	CURLM *multi;
	struct {
		curl_socket_t fd;
		short events;
	} socks[HENB_CURLPOLL_MAX_SOCKS];
	size_t n_socks;
	int64_t timer_ms; /* absolute deadline curl asked for; -1 none */
};

/* henb_curlpoll_init: the multi handle with the callbacks set (at most one connection). cp must not move
 * afterwards (curl keeps its address). LF_OK or LF_ENOMEM. */
int henb_curlpoll_init(struct henb_curlpoll *cp);
/* henb_curlpoll_fds: the sockets to poll into p (at most max); how many. */
size_t henb_curlpoll_fds(const struct henb_curlpoll *cp, struct pollfd *p, size_t max);
/* henb_curlpoll_drive: after the wait (p: the entries henb_curlpoll_fds filled, with revents): let curl work
 * on the ready sockets and, when due, on its timer. */
void henb_curlpoll_drive(struct henb_curlpoll *cp, const struct pollfd *p, size_t n, int64_t now_ms);
/* henb_curlpoll_free: the multi handle (remove the easy handles first). */
void henb_curlpoll_free(struct henb_curlpoll *cp);

#endif
