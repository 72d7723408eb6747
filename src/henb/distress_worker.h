/* distress_worker.h: the thread that runs henbd's distress exchanges. The libcoap client (distress/client.h) blocks
 * for up to its timeout per request, so it runs here: the agent's loop hands the thread one request at a time
 * (open, next, result, end) and polls a pipe for the answer; it never waits itself. The thread owns the client;
 * the message buffers belong to whoever holds the request: the loop between requests, the thread while one runs. */
#ifndef LF_HENB_DISTRESS_WORKER_H
#define LF_HENB_DISTRESS_WORKER_H

#include <stdbool.h>
#include <stddef.h>

#include "distress/client.h"
#include "distress/codec.h"

enum henb_dworker_op {
	HENB_DW_OPEN = 1, /* POST /d/s inform -> welcome (a new client if there is none) */
	HENB_DW_NEXT,     /* POST /d/n -> action */
	HENB_DW_RESULT,   /* POST /d/r result -> ack */
	HENB_DW_END,      /* POST /d/e -> ack */
};

/* One request and its answer. */
struct henb_dworker_msg {
	int op;
	struct distress_inform inform; /* OPEN */
	struct distress_result result; /* RESULT (its session id is set by the client) */
	int rc;                        /* answer: LF_OK or the client's error */
	char err[256];
	struct distress_welcome welcome;
	struct distress_action action;
	struct distress_ack ack;
};

struct henb_dworker;

/* henb_dworker_start: a thread for one distress session towards cfg (its strings are copied). Caller owns *out
 * (henb_dworker_stop). LF_OK, or LF_EIO with the reason in err. */
int henb_dworker_start(struct henb_dworker **out, const struct distress_client_config *cfg, char *err, size_t errlen);
/* henb_dworker_msg: the message buffers; touch them only while no request is in flight. */
struct henb_dworker_msg *henb_dworker_msg(struct henb_dworker *w);
/* henb_dworker_submit: run op with the buffers as they are. LF_OK, LF_EBUSY when a request is in flight. */
int henb_dworker_submit(struct henb_dworker *w, int op);
/* henb_dworker_busy: a request is in flight. */
bool henb_dworker_busy(struct henb_dworker *w);
/* henb_dworker_fd: readable when an answer has come. */
int henb_dworker_fd(const struct henb_dworker *w);
/* henb_dworker_collect: true when the request in flight has been answered (msg->rc and the answer fields hold it). */
bool henb_dworker_collect(struct henb_dworker *w);
/* henb_dworker_stop: wait for the request in flight (at most the client's timeout), end the thread, release
 * everything and clear *wp. */
void henb_dworker_stop(struct henb_dworker **wp);

#endif
